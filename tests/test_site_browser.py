"""The built site in a real browser: Debian's Chromium driven by Playwright, served on 127.0.0.1.

Every request must go to 127.0.0.1; any other host fails the test (and is never reached: the
route handler aborts it).
"""

from __future__ import annotations

import re
import subprocess
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route

from tests.browser import chromium, served
from tests.test_mkdocs_plugin import (
    BESAR_SLUG,
    COPY_SLUG,
    SEED_SLUG,
    add_sops,
    make_project,
    run_mkdocs,
)

pytestmark = pytest.mark.slow

NAMES = {
    SEED_SLUG: "Evaluasi Kinerja Kecamatan",
    BESAR_SLUG: "Pengadaan Barang dan Jasa Kecamatan",
    COPY_SLUG: "Perencanaan Kinerja Kecamatan",
}


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Three SOPs built with `mkdocs build --strict`, served by http.server on 127.0.0.1."""
    project = make_project(tmp_path_factory.mktemp("situs") / "klon")
    add_sops(project / "sop_data")
    done = run_mkdocs(project)
    assert done.returncode == 0, done.stderr
    with served(project / "site") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@dataclass
class Watch:
    """What the pages of one browser context did: requests elsewhere, console errors."""

    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def route(self, route: Route) -> None:
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def attach(self, page: Page) -> Page:
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on(
            "response",
            lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        return page

    def assert_clean(self) -> None:
        assert self.outside == [], f"requests to other hosts: {self.outside}"
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.failed == [], f"failed requests: {self.failed}"


@pytest.fixture
def watched(browser: Browser) -> Iterator[tuple[BrowserContext, Watch]]:
    watch = Watch()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route("**/*", watch.route)
    yield context, watch
    context.close()


def _open(context: BrowserContext, watch: Watch, url: str) -> Page:
    page = watch.attach(context.new_page())
    page.goto(url, wait_until="networkidle")
    return page


def test_register_lists_every_sop_and_each_link_opens_its_page(
    site_url: str, watched: tuple[BrowserContext, Watch]
) -> None:
    context, watch = watched
    home = _open(context, watch, site_url)
    links = home.locator("table.sop-daftar a")
    assert sorted(links.all_inner_texts()) == sorted(NAMES.values())
    hrefs = [a.get_attribute("href") for a in links.all()]
    for href, text in zip(hrefs, links.all_inner_texts(), strict=True):
        home.goto(site_url + href, wait_until="networkidle")
        assert home.locator("h1").inner_text() == text
    assert home.locator(".md-header__topic").first.inner_text() == "KANTOR CAMAT JANAPRIA"
    watch.assert_clean()


def test_every_page_and_document_loads_cleanly_from_this_host(
    site_url: str, watched: tuple[BrowserContext, Watch]
) -> None:
    context, watch = watched
    pages = [site_url, site_url + "panduan/", *(f"{site_url}sop/{slug}/" for slug in NAMES)]
    forms: list[str] = []
    for url in pages:
        page = _open(context, watch, url)
        assert page.evaluate("document.fonts.check('12px \"Liberation Sans\"')")
        if "/sop/" in url:
            for a in page.locator("table.sop-langkah a").all():
                forms.append(url + a.get_attribute("href"))
            image = page.locator(".sop-diagram img")
            if image.count():
                assert image.evaluate("img => img.naturalWidth") > 0
        page.close()
    assert forms, "every SOP lists its forms"
    for url in forms[:12]:
        _open(context, watch, url).close()
    watch.assert_clean()


def test_keterkaitan_links_open_the_named_sop(
    site_url: str, watched: tuple[BrowserContext, Watch]
) -> None:
    context, watch = watched
    for slug in (BESAR_SLUG, COPY_SLUG):
        page = _open(context, watch, f"{site_url}sop/{slug}/")
        page.locator(".sop-keterkaitan a").first.click()
        page.wait_for_load_state("networkidle")
        assert page.url == f"{site_url}sop/{SEED_SLUG}/"
        assert page.locator("h1").inner_text() == NAMES[SEED_SLUG]
    watch.assert_clean()


def test_search_finds_an_sop_by_a_word_of_a_step(
    site_url: str, watched: tuple[BrowserContext, Watch]
) -> None:
    context, watch = watched
    page = _open(context, watch, site_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially("negosiasi", delay=30)
    result = page.locator(".md-search-result__item a").first
    result.wait_for(timeout=15000)
    assert f"sop/{BESAR_SLUG}/" in result.get_attribute("href")
    page.locator("input.md-search__input").fill("")
    page.locator("input.md-search__input").press_sequentially("spesifikasi", delay=30)
    page.locator(f'.md-search-result__item a[href*="sop/{BESAR_SLUG}/"]').first.wait_for()
    watch.assert_clean()


def test_print_shows_the_official_sheet_without_the_theme(
    site_url: str, watched: tuple[BrowserContext, Watch]
) -> None:
    context, watch = watched
    page = _open(context, watch, f"{site_url}sop/{SEED_SLUG}/")
    assert page.locator(".md-header").is_visible()
    page.emulate_media(media="print")
    for selector in (".md-header", ".md-sidebar--secondary", ".md-footer", "h1", ".sop-unduhan"):
        assert not page.locator(selector).first.is_visible(), selector
    assert page.locator(".sop-lembar-wrap").is_visible()
    watch.assert_clean()


def test_old_browsers_get_the_local_resize_observer(
    site_url: str, watched: tuple[BrowserContext, Watch]
) -> None:
    """Without ResizeObserver the theme would fetch a polyfill from an outside host."""
    context, watch = watched
    context.add_init_script("delete window.ResizeObserver;")
    page = _open(context, watch, f"{site_url}sop/{SEED_SLUG}/")
    assert page.evaluate("window.ResizeObserver.name") == "LocalResizeObserver"
    page.locator("input.md-search__input").press_sequentially("negosiasi", delay=30)
    page.locator(".md-search-result__item a").first.wait_for(timeout=15000)
    watch.assert_clean()


def test_the_outside_host_check_would_catch_the_theme_polyfill(
    site_url: str, watched: tuple[BrowserContext, Watch]
) -> None:
    """Proof that the check works: block the local stand-in and the theme asks unpkg.com."""
    context, watch = watched
    context.add_init_script("delete window.ResizeObserver;")
    context.route("**/assets/resize-observer.js", lambda route: route.abort())
    page = watch.attach(context.new_page())
    page.goto(f"{site_url}sop/{SEED_SLUG}/", wait_until="networkidle")
    assert any(urlsplit(u).hostname == "unpkg.com" for u in watch.outside)


# Geometry of an embedded or standalone sheet, relative to its `.lembar-sop` root, in px.
SHEET_GEOMETRY = """(root) => {
  const o = root.getBoundingClientRect();
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return [r.left - o.left, r.top - o.top, r.right - o.left, r.bottom - o.top];
  };
  const lanes = {};
  for (const th of root.querySelectorAll("th[data-lajur]")) {
    lanes[th.closest(".halaman").dataset.halaman + "/" + th.dataset.lajur] = box(th);
  }
  // A symbol's cell: its lane's column (header cell) across its step's row.
  const cell = (s) => {
    const page = s.closest(".halaman");
    const lane = lanes[page.dataset.halaman + "/" + s.dataset.lane];
    const row = s.dataset.step
      ? box(page.querySelector(`tr[data-langkah="${s.dataset.step}"]`))
      : [0, -1e9, 0, 1e9];
    return [lane[0], row[1], lane[2], row[3]];
  };
  return {
    lanes,
    symbols: [...root.querySelectorAll(".simbol")].map((s) => ({
      page: s.closest(".halaman").dataset.halaman,
      lane: s.dataset.lane,
      kind: s.dataset.kind,
      step: s.dataset.step || "",
      box: box(s),
      cell: cell(s),
    })),
    rows: [...root.querySelectorAll("tr")].map(box),
    pages: [...root.querySelectorAll(".halaman")].map(box),
  };
}"""
TOLERANCE = 0.6  # px


def _sheet_geometry(page: Page) -> dict:
    return page.locator(".lembar-sop").first.evaluate(SHEET_GEOMETRY)


@pytest.mark.parametrize("slug", [SEED_SLUG, BESAR_SLUG])
def test_embedded_sheet_symbols_sit_inside_their_lane_cells(
    site_url: str, watched: tuple[BrowserContext, Watch], slug: str
) -> None:
    context, watch = watched
    page = _open(context, watch, f"{site_url}sop/{slug}/")
    geometry = _sheet_geometry(page)
    symbols = geometry["symbols"]
    steps = {int(s["step"]) for s in symbols if s["step"]}
    assert steps == set(range(1, int(page.locator("table.sop-langkah tbody tr").count()) + 1))
    for symbol in symbols:
        x0, y0, x1, y1 = symbol["box"]
        cx0, cy0, cx1, cy1 = symbol["cell"]
        lx0, _, lx1, _ = geometry["lanes"][f"{symbol['page']}/{symbol['lane']}"]
        assert x1 - x0 > 5 and y1 - y0 > 5, symbol
        assert cx0 - TOLERANCE <= x0 and x1 <= cx1 + TOLERANCE, symbol
        assert cy0 - TOLERANCE <= y0 and y1 <= cy1 + TOLERANCE, symbol
        assert abs(cx0 - lx0) <= 1.5 and abs(cx1 - lx1) <= 1.5, (symbol, (lx0, lx1))
    watch.assert_clean()


@pytest.mark.parametrize("slug", [SEED_SLUG, BESAR_SLUG])
def test_the_theme_does_not_change_the_sheet(
    site_url: str, watched: tuple[BrowserContext, Watch], slug: str
) -> None:
    """Embedded in the page, the sheet has the geometry of the standalone lembar-sop.html."""
    context, watch = watched
    embedded = _sheet_geometry(_open(context, watch, f"{site_url}sop/{slug}/"))
    alone = _sheet_geometry(_open(context, watch, f"{site_url}sop/{slug}/lembar-sop.html"))
    assert len(embedded["symbols"]) == len(alone["symbols"]) > 0
    assert len(embedded["rows"]) == len(alone["rows"])
    pairs = [
        (a["box"], b["box"]) for a, b in zip(embedded["symbols"], alone["symbols"], strict=True)
    ]
    pairs += list(zip(embedded["rows"], alone["rows"], strict=True))
    pairs += list(zip(embedded["pages"], alone["pages"], strict=True))
    for got, want in pairs:
        assert all(abs(g - w) <= TOLERANCE for g, w in zip(got, want, strict=True)), (got, want)
    watch.assert_clean()


def test_printing_an_sop_page_gives_the_official_sheet(
    site_url: str, watched: tuple[BrowserContext, Watch], tmp_path: Path
) -> None:
    """The browser's print of the page has the pages and paper of lembar-sop.pdf."""
    context, watch = watched
    page = _open(context, watch, f"{site_url}sop/{SEED_SLUG}/")
    page.emulate_media(media="print")
    printed = tmp_path / "cetak.pdf"
    page.pdf(path=str(printed), prefer_css_page_size=True, print_background=True)
    official = tmp_path / "lembar-sop.pdf"
    official.write_bytes(urllib.request.urlopen(f"{site_url}sop/{SEED_SLUG}/lembar-sop.pdf").read())

    def info(pdf: Path) -> dict[str, str]:
        out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
        return dict(line.split(":", 1) for line in out.stdout.splitlines() if ":" in line)

    got, want = info(printed), info(official)
    assert got["Pages"].strip() == want["Pages"].strip()
    width, height = (float(v) for v in re.findall(r"[\d.]+", got["Page size"])[:2])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (330, 215)
    text = subprocess.run(
        ["pdftotext", "-layout", str(printed), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Megumpulkan bahan dan mengolah data" in text
    assert "Unduhan" not in text and "KANTOR CAMAT JANAPRIA" in text
    assert "Cari" not in text and "Kembali ke Daftar SOP" not in text
    watch.assert_clean()


def test_diagram_text_is_drawn_in_liberation_sans(
    site_url: str, watched: tuple[BrowserContext, Watch]
) -> None:
    """The SOP page's diagram, opened as Chromium draws it, lays its text out at the widths of
    Liberation Sans, regular and bold (the layout core's metrics without its 2 % wrapping
    margin), not of a serif fallback or of regular type where bold was meant: each text's
    drawn length within 2.5 % + 0.5 pt of `layout.text.text_width` (kerning, as in "Ya");
    regular type for bold is 7 % off, a serif more."""
    from generator.layout.text import MM_PER_PT, WRAP_FACTOR, text_width

    context, watch = watched
    page = _open(context, watch, f"{site_url}sop/{SEED_SLUG}/")
    src = page.locator(".sop-diagram img").first.get_attribute("src")
    page.goto(f"{site_url}sop/{SEED_SLUG}/{src}", wait_until="networkidle")
    texts = page.evaluate(
        """() => [...document.querySelectorAll('text')].map(t => [
            t.textContent, parseFloat(t.getAttribute('font-size')),
            getComputedStyle(t).fontWeight === '700', t.getComputedTextLength()])"""
    )
    assert len(texts) >= 10 and any(bold for _, _, bold, _ in texts)
    for text, size, bold, drawn in texts:
        expected = text_width(text, size, bold) / MM_PER_PT / WRAP_FACTOR
        assert abs(drawn - expected) <= 0.025 * expected + 0.5, (text, bold, drawn, expected)
    page.close()
    watch.assert_clean()
