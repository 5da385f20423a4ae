"""The site as a clerk finds their way in it: Debian's Chromium at 1366 px and 390 px, over
HTTP (127.0.0.1) and opened from a folder (file://).

The site holds the seed, two real SOPs of other offices (/work/shared/real-sops, copied into
tests/fixtures/real-sops) and a copy of the seed that links the seed under Keterkaitan. Every
request must stay on 127.0.0.1 (HTTP) or on file:// (folder); any other is aborted and fails
the test.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route

from generator import cli
from generator.loader import load_project
from generator.model import Sop
from generator.site import ERROR_TITLE
from tests.browser import chromium, free_port, served
from tests.conftest import FIXTURES, SEED_DATA
from tests.test_mkdocs_plugin import ENV, MKDOCS, SEED_SLUG, make_project, run_mkdocs

pytestmark = pytest.mark.slow

REAL = FIXTURES / "real-sops"
MANDAU = "sk-tanggungan-keluarga"  # kec-mandau: two loops back, long decision texts
PADANGLAWAS = "permohonan-informasi"  # diskominfo-padanglawas: nested decisions, early ends
COPY = "perencanaan-kinerja-kecamatan"  # links the seed under Keterkaitan
WIDTHS = (1366, 390)
NOW = "2024-04-01 10:00"  # the build's clock: the recorded cycle is overdue then


def add_real_sops(data: Path) -> None:
    """The two real SOPs (signed by the seed's camat) and a seed copy linking the seed."""
    for folder, slug in (("kec-mandau", MANDAU), ("diskominfo-padanglawas", PADANGLAWAS)):
        text = (REAL / folder / "sop" / f"{slug}.yaml").read_text(encoding="utf-8")
        text = re.sub(r"(?m)^disahkan_oleh: .*$", "disahkan_oleh: camat", text)
        (data / "sop" / f"{slug}.yaml").write_text(text, encoding="utf-8")
    text = (SEED_DATA / "sop" / f"{SEED_SLUG}.yaml").read_text(encoding="utf-8")
    text = text.replace('nomor: "067/21/JPR/2024"', 'nomor: "068/21/JPR/2024"')
    text = text.replace("nama: Evaluasi Kinerja Kecamatan", "nama: Perencanaan Kinerja Kecamatan")
    text = text.replace("  - SOP perencanaan kinerja\n", "  - SOP Evaluasi Kinerja Kecamatan\n")
    (data / "sop" / f"{COPY}.yaml").write_text(text, encoding="utf-8")


def record_late_cycle(data: Path) -> None:
    """A cycle of the seed started in March 2024 with step 1 done: overdue at `NOW`."""
    common = ["--data", str(data)]
    start = ["run", "start", SEED_SLUG, "--now", "2024-03-04 08:00", *common]
    assert cli.main(start) == 0
    done = ["run", "done", SEED_SLUG, "2024-03-04", "1", "--by", "Camat"]
    assert cli.main([*done, "--now", "2024-03-04 09:00", *common]) == 0


@dataclass(frozen=True)
class Sites:
    project: Path
    http: Path  # built with directory URLs, served over HTTP
    folder: Path  # `make site-folder`: opened from the folder


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Sites:
    project = make_project(tmp_path_factory.mktemp("kantor") / "klon")
    add_real_sops(project / "sop_data")
    record_late_cycle(project / "sop_data")
    os.environ["SOP_NOW"] = NOW
    try:
        done = run_mkdocs(project)
        assert done.returncode == 0, done.stderr
        folder = subprocess.run(
            [*MKDOCS, "build", "--strict", "--site-dir", "site-folder"],
            cwd=project,
            env={**ENV, "SOP_FOLDER": "true", "SOP_NOW": NOW},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert folder.returncode == 0, folder.stderr
    finally:
        del os.environ["SOP_NOW"]
    return Sites(project, project / "site", project / "site-folder")


@pytest.fixture(scope="module")
def site_url(sites: Sites) -> Iterator[str]:
    with served(sites.http) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@dataclass
class Watch:
    """Requests that left the allowed place, console errors and failed responses."""

    folder: bool = False
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def route(self, route: Route) -> None:
        url = route.request.url
        allowed = url.startswith(("data:", "blob:", "about:"))
        if self.folder:
            allowed = allowed or url.startswith("file://")
        else:
            allowed = allowed or urlsplit(url).hostname == "127.0.0.1"
        if allowed:
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def attach(self, page: Page) -> Page:
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        return page

    def assert_clean(self) -> None:
        assert self.outside == [], f"requests elsewhere: {self.outside}"
        assert self.errors == [], f"console errors: {self.errors}"


def new_context(browser: Browser, width: int, folder: bool = False) -> tuple[BrowserContext, Watch]:
    watch = Watch(folder=folder)
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.route("**/*", watch.route)
    return context, watch


def open_page(context: BrowserContext, watch: Watch, url: str) -> Page:
    page = watch.attach(context.new_page())
    page.goto(url, wait_until="load")
    return page


# --------------------------------------------------------------------------- 1. navigation


@pytest.mark.parametrize("width", WIDTHS)
def test_panduan_and_register_are_reachable_from_every_page(
    site_url: str, browser: Browser, width: int
) -> None:
    context, watch = new_context(browser, width)
    page = watch.attach(context.new_page())
    for path in ("", f"sop/{SEED_SLUG}/", "panduan/"):
        for name, target in (("Panduan", "panduan/"), ("Daftar SOP", "")):
            if target == path:
                continue  # the current page is a label, not a link
            page.goto(site_url + path, wait_until="load")
            if width < 1220:  # Material shows the tabs from 76.25em; below, the drawer
                page.locator('.md-header label[for="__drawer"]').click()
                nav = page.locator(".md-nav--primary")
            else:
                nav = page.locator(".md-tabs")
            link = nav.get_by_role("link", name=name, exact=True).first
            link.wait_for(state="visible", timeout=10_000)
            link.click()
            page.wait_for_load_state()
            assert page.url == site_url + target, (path, name)
    context.close()
    watch.assert_clean()


def test_no_page_but_the_register_lists_every_sop(sites: Sites) -> None:
    """The navigation holds the register and the Panduan only: the site stays linear."""
    slugs = [p.stem for p in (sites.project / "sop_data" / "sop").glob("*.yaml")]
    assert len(slugs) == 4
    for page in [*sites.http.rglob("*.html")]:
        text = page.read_text(encoding="utf-8")
        named = [slug for slug in slugs if f"sop/{slug}/" in text or f"../{slug}/" in text]
        if page == sites.http / "index.html":
            assert sorted(named) == sorted(slugs)
        else:
            assert len(named) <= 2, (page, named)  # itself, and a Keterkaitan link


# --------------------------------------------------------------------------- 2. the procedure


def step_words(sop: Sop) -> list[str]:
    """Every word of 5 or more letters of every step's texts, once, in order."""
    words: dict[str, str] = {}
    for step in sop.steps:
        actors = [sop.lanes[a] for a in step.actors]
        texts = [step.description, step.requirements, step.output, step.note, *actors]
        for text in texts:
            for word in re.findall(r"[^\W\d_]{5,}", text):
                words.setdefault(word.casefold(), word)
    return list(words.values())


FOUND = """([slug, word]) => [...document.querySelectorAll(".md-search-result__item a")].some(
  (a) => a.getAttribute("href").includes("sop/" + slug + "/")
    && [...a.querySelectorAll("mark")].some(
      (m) => m.textContent.toLowerCase().startsWith(word.toLowerCase())))"""


def search_misses(page: Page, slug: str, words: list[str]) -> list[str]:
    """The words whose search shows no result on the SOP's page."""
    box = page.locator("input.md-search__input")
    missed = []
    for word in words:
        box.fill(word[:-1])
        box.press(word[-1])
        try:
            page.wait_for_function(FOUND, arg=[slug, word], timeout=5000)
        except Exception:  # noqa: BLE001 (a timeout is a miss)
            missed.append(word)
    return missed


@pytest.mark.parametrize("slug", [SEED_SLUG, MANDAU, PADANGLAWAS])
def test_search_finds_every_word_of_every_step(
    sites: Sites, site_url: str, browser: Browser, slug: str
) -> None:
    sop = load_project(sites.project / "sop_data").sop(slug)
    words = step_words(sop)
    assert len(words) > 20
    context, watch = new_context(browser, 1366)
    page = open_page(context, watch, f"{site_url}sop/{slug}/")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    assert search_misses(page, slug, ["Tidakadakata"]) == ["Tidakadakata"]  # the check bites
    assert search_misses(page, slug, words) == []
    context.close()
    watch.assert_clean()


def test_the_step_table_reads_as_the_procedure(site_url: str, browser: Browser) -> None:
    context, watch = new_context(browser, 1366)
    page = open_page(context, watch, f"{site_url}sop/{SEED_SLUG}/")
    headers = page.locator("table.sop-langkah thead th").all_inner_texts()
    assert headers == [
        "No",
        "Uraian Kegiatan",
        "Pelaksana",
        "Kelengkapan",
        "Waktu",
        "Output",
        "Keterangan",
        "Formulir",
    ]
    decision = page.locator("#langkah-6")
    assert decision.locator(".sop-tanda").inner_text() == "Keputusan"
    assert decision.locator("ul.sop-jalan").inner_text().split("\n") == [
        "Ya → langkah 7",
        "Tidak → langkah 5",
    ]
    row2 = page.locator("#langkah-2 td").all_inner_texts()
    assert row2[3:6] == ["Renstra dan Renja tahun sebelumnya", "2 jam", "notulen hasil rapat"]
    assert page.locator("#langkah-9 td").nth(5).inner_text() == "Bukti pengiriman"
    decision.locator("ul.sop-jalan a").last.click()
    assert page.url.endswith("#langkah-5")
    assert "Komputer/Laptop dan Printer" in page.locator("dl.sop-ketentuan").inner_text()
    context.close()
    watch.assert_clean()


# --------------------------------------------------------------------------- 3. forms

MM = 96 / 25.4  # CSS px per millimetre


@pytest.mark.parametrize("width", WIDTHS)
def test_form_pages_show_their_paper_and_lead_back(
    site_url: str, browser: Browser, width: int
) -> None:
    context, watch = new_context(browser, width)
    page = open_page(context, watch, f"{site_url}sop/{SEED_SLUG}/")
    page.locator('#langkah-1 a[href^="formulir/"]').first.click()
    page.wait_for_load_state()
    sheet = page.locator(".lembar").first.evaluate(
        """(el) => { const s = getComputedStyle(el); const r = el.getBoundingClientRect();
        return [s.paddingTop, s.paddingRight, s.paddingBottom, s.paddingLeft].map(parseFloat)
          .concat([r.width]); }"""
    )
    *padding, paper_width = sheet
    assert [round(p / MM, 1) for p in padding] == [12, 20, 14, 25]
    assert round(paper_width / MM) == 215  # F4 portrait, as the PDF
    back = page.locator("nav.sop-kembali a")
    assert back.is_visible()
    page.emulate_media(media="print")
    assert not back.is_visible()
    page.emulate_media(media="screen")
    back.click()
    page.wait_for_load_state()
    assert page.url == f"{site_url}sop/{SEED_SLUG}/"
    context.close()
    watch.assert_clean()


# --------------------------------------------------------------------------- 4. phone

WORDS_ON_ONE_LINE = """(root) => {
  const broken = [];
  for (const el of root.querySelectorAll("table.sop-daftar a")) {
    const text = el.firstChild;
    let at = 0;
    for (const word of text.textContent.split(" ")) {
      const range = document.createRange();
      range.setStart(text, at);
      range.setEnd(text, at + word.length);
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (tops.size > 1) broken.push(word);
      at += word.length + 1;
    }
  }
  return broken;
}"""


def page_width(page: Page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def test_register_on_a_phone(site_url: str, browser: Browser) -> None:
    context, watch = new_context(browser, 390)
    page = open_page(context, watch, site_url)
    assert page_width(page) <= 390
    assert page.evaluate(WORDS_ON_ONE_LINE, page.locator("body").element_handle()) == []
    for wrap in page.locator(".sop-tabel-wrap").all():  # nothing scrolls sideways
        assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth")
    row = page.locator("table.sop-daftar tr", has_text="Permohonan Informasi").first
    cells = [td.inner_text() for td in row.locator("td").all() if td.is_visible()]
    assert cells == [
        "555/PPID/DISKOMINFO/2020",
        "Pelayanan Permohonan Informasi Publik",
        "10 Februari 2020",
    ]
    label = "td => getComputedStyle(td, '::before').content"
    assert row.locator("td.sop-nomor").evaluate(label) == '"Nomor SOP: "'
    name = row.locator("a").bounding_box()
    number = row.locator("td.sop-nomor").bounding_box()
    assert name and number and name["y"] < number["y"]  # a card with the name first
    context.close()
    watch.assert_clean()


def test_sop_page_on_a_phone(site_url: str, browser: Browser) -> None:
    context, watch = new_context(browser, 390)
    page = open_page(context, watch, f"{site_url}sop/{SEED_SLUG}/")
    assert page_width(page) <= 390
    for table in ("table.sop-langkah", "table.sop-siklus", "table.sop-identitas"):
        box = page.locator(table).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, table
    late = page.locator("tr.sop-terlambat td", has_text="TERLAMBAT")
    late.scroll_into_view_if_needed()
    box = late.bounding_box()
    assert late.is_visible() and box and box["x"] + box["width"] <= 390
    step = page.locator("#langkah-2")
    assert (
        step.locator("td").nth(3).evaluate("td => getComputedStyle(td, '::before').content")
        == '"Kelengkapan"'
    )
    # The official sheet keeps its geometry: it scrolls inside its own box, not the page.
    assert page.locator(".sop-lembar-wrap").evaluate("el => el.scrollWidth > el.clientWidth")
    context.close()
    watch.assert_clean()


# --------------------------------------------------------------------------- 5. live preview


def test_serve_shows_errors_as_a_page_and_then_the_page_again(
    tmp_path: Path, browser: Browser
) -> None:
    project = make_project(tmp_path / "klon")
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [*MKDOCS, "serve", "-a", f"127.0.0.1:{port}"],
            cwd=project,
            env=ENV,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}/sop/{SEED_SLUG}/"
            assert wait_for(url, "Evaluasi Kinerja Kecamatan", 300), log_path.read_text()
            context, watch = new_context(browser, 1366)
            page = open_page(context, watch, url)
            sop_file = project / "sop_data" / "sop" / f"{SEED_SLUG}.yaml"
            good = sop_file.read_text(encoding="utf-8")
            sop_file.write_text(good.replace("waktu: 2 jam\n", "waktu: dua jam\n", 1), "utf-8")
            saved = time.monotonic()
            page.locator("h1", has_text=ERROR_TITLE).wait_for(timeout=60_000)
            shown_after = time.monotonic() - saved
            check = subprocess.run(
                [sys.executable, "-m", "generator.cli", "check"],
                cwd=project,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert check.returncode == 1
            assert page.locator("pre.sop-galat-daftar").inner_text() == check.stderr.strip()
            assert "waktu 'dua jam' tidak dapat dibaca" in check.stderr
            for other in ("", f"sop/{SEED_SLUG}/"):  # every page answers at once: no hang
                started = time.monotonic()
                assert ERROR_TITLE in fetch(f"http://127.0.0.1:{port}/{other}")
                assert time.monotonic() - started < 5
            sop_file.write_text(good, encoding="utf-8")
            page.locator("h1", has_text="Evaluasi Kinerja Kecamatan").wait_for(timeout=60_000)
            assert page.locator("table.sop-langkah").is_visible()
            assert shown_after < 30, shown_after
            assert watch.outside == []
            context.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert "waktu 'dua jam' tidak dapat dibaca" in log_path.read_text()


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (127.0.0.1 only)
        return response.read().decode("utf-8")


def wait_for(url: str, text: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if text in fetch(url):
                return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


# --------------------------------------------------------------------------- 6. from a folder


def local_links(page_file: Path) -> list[str]:
    """The relative href/src values of a built HTML page (no fragment-only links)."""
    text = page_file.read_text(encoding="utf-8")
    found = re.findall(r'(?:href|src)="([^"]*)"', text)
    return [v for v in found if v and not v.startswith(("#", "data:", "http:", "https:"))]


def test_every_link_of_the_folder_site_names_a_file(sites: Sites) -> None:
    """Over file:// a link to a folder shows the folder's listing: every link names a file."""
    # 404.html is for a web server (MkDocs writes it with links from the site root).
    pages = sorted(set(sites.folder.rglob("*.html")) - {sites.folder / "404.html"})
    assert len(pages) > 20
    for page_file in pages:
        for link in local_links(page_file):
            target = (page_file.parent / unquote(link.split("#")[0].split("?")[0])).resolve()
            assert target.is_file(), (page_file.relative_to(sites.folder), link)
    home = (sites.folder / "index.html").read_text(encoding="utf-8")
    assert f'href="sop/{SEED_SLUG}/index.html"' in home
    assert "unpkg.com" not in home and "assets/iframe-worker.js" in home


@pytest.mark.parametrize("width", WIDTHS)
def test_the_site_opened_from_a_folder(sites: Sites, browser: Browser, width: int) -> None:
    context, watch = new_context(browser, width, folder=True)
    home = (sites.folder / "index.html").as_uri()
    page = open_page(context, watch, home)
    names = page.locator("table.sop-daftar a").all_inner_texts()
    assert len(names) == 4
    for name in names:
        page.locator("table.sop-daftar a", has_text=name).first.click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == name
        assert page.url.endswith("/index.html")
        page.locator(".sop-kembali a").click()
        page.wait_for_load_state()
        assert page.url == home
    page.goto((sites.folder / "sop" / COPY / "index.html").as_uri())
    page.locator(".sop-keterkaitan a").first.click()
    page.wait_for_load_state()
    assert page.url == (sites.folder / "sop" / SEED_SLUG / "index.html").as_uri()
    page.locator('#langkah-1 a[href^="formulir/"]').first.click()
    page.wait_for_load_state()
    page.locator("nav.sop-kembali a").click()
    page.wait_for_load_state()
    assert page.url == (sites.folder / "sop" / SEED_SLUG / "index.html").as_uri()
    if width < 1220:
        page.locator('label[for="__search"]').first.click()
    else:
        page.locator("label.md-search__icon, .md-search__input").first.click()
    assert search_misses(page, SEED_SLUG, ["Renstra", "notulen", "Laptop", "pengiriman"]) == []
    context.close()
    watch.assert_clean()
