"""No text breaks out of the theme's titles: raw-text and RCDATA breakouts, in a real browser.

The theme (MkDocs Material, whose templates do not autoescape) prints titles in several
places, some through `striptags`, which decodes entities. Every payload of
tests/hardening/teks-jahat/muatan.txt (`</title>`, `</textarea>`, `</script>`, `</style>`,
`</noscript>`, `</template>` breakouts and their entity-encoded forms) is typed into one SOP's
name, unit, lane labels and step texts, into the office's fields (the site name among them) and
into a cycle record (`sop run`). The site is built with `mkdocs build --strict`, served on
127.0.0.1 and opened in Chromium with the trap of tests/test_site_security.py installed before
any page script. Every page, every form and a search for every payload: no dialog, no script,
no element from the text; each browser title and heading reads as the clerk typed it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page

from generator import cli
from tests import test_site_security as security
from tests.browser import served
from tests.test_mkdocs_plugin import make_project, run_mkdocs
from tests.test_site_security import Trap

pytestmark = pytest.mark.slow
browser = security.browser  # Debian's Chromium, one per module
trapped = security.trapped  # a context with the trap installed before any page script

CORPUS = Path(__file__).resolve().parent / "hardening" / "teks-jahat"
PAYLOADS = (CORPUS / "muatan.txt").read_text(encoding="utf-8").splitlines()
SITE_NAME = f"KANTOR {PAYLOADS[0]} {PAYLOADS[6]}"
OFFICE = {
    "pemerintah": f"PEMERINTAH {PAYLOADS[1]}",
    "nama": f"KECAMATAN {PAYLOADS[5]}",
    "nama_pada_sop": SITE_NAME,
    "alamat": PAYLOADS[7],
    "tempat": f"Janapria {PAYLOADS[2]}",
    "kertas": "A4",
    "zona_waktu": "Asia/Makassar",
    "pejabat": {
        "camat": {
            "jabatan": f"Camat {PAYLOADS[3]}",
            "nama": f"NAMA {PAYLOADS[8]}",
            "nip": "19661231 198607 1 014",
        }
    },
}


def slug(number: int) -> str:
    return f"judul-{number:02d}"


def sop_name(number: int) -> str:
    return f"Uji {PAYLOADS[number - 1]} judul {number}"


def sop_data(number: int) -> dict[str, object]:
    """One SOP whose every text holds payload `number` (1-based)."""
    payload = PAYLOADS[number - 1]
    return {
        "nomor": f"{number:03d}/JDL/2026",
        "nama": sop_name(number),
        "unit": f"Unit {payload}",
        "tanggal_pembuatan": "2026-01-05",
        "tanggal_efektif": "2026-01-05",
        "disahkan_oleh": "camat",
        "dasar_hukum": [f"Peraturan {payload}"],
        "kualifikasi_pelaksana": [f"Memahami {payload}"],
        "keterkaitan": [f"SOP {payload}"],
        "peralatan_perlengkapan": {"Peralatan": [f"ATK {payload}"]},
        "peringatan": [f"Awas {payload}"],
        "pencatatan_pendataan": [f"Dicatat {payload}"],
        "pelaksana": {"camat": f"Camat {payload}", "staf": f"Staf {payload}"},
        "langkah": [
            {
                "uraian": f"Memerintahkan {payload}",
                "pelaksana": "camat",
                "kelengkapan": f"Surat {payload}",
                "waktu": "1 jam",
                "output": f"Undangan {payload}",
                "formulir": "undangan",
            },
            {
                "uraian": f"Mengarsipkan {payload}",
                "pelaksana": "staf",
                "waktu": "2 jam",
                "output": f"Arsip {payload}",
            },
        ],
    }


def write_data(data: Path) -> None:
    """The office and one SOP per payload (JSON is YAML), and a cycle whose record holds one."""
    (data / "sop").mkdir(parents=True)
    dump = json.dumps  # plain double-quoted scalars: no tags, no anchors
    (data / "instansi.yaml").write_text(dump(OFFICE, ensure_ascii=False), encoding="utf-8")
    for number in range(1, len(PAYLOADS) + 1):
        text = dump(sop_data(number), ensure_ascii=False, indent=1)
        (data / "sop" / f"{slug(number)}.yaml").write_text(text, encoding="utf-8")
    run = ["run", "start", slug(1), "--run", "siklus-1", "--at", "2026-11-23 08:00"]
    assert cli.main([*run, "--data", str(data)]) == 0
    done = ["run", "done", slug(1), "siklus-1", "1", "--at", "2026-11-23 09:00"]
    extra = ["--by", PAYLOADS[0], "--output", PAYLOADS[6], "--note", PAYLOADS[2]]
    assert cli.main([*done, *extra, "--data", str(data)]) == 0


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The payload site built by `mkdocs build --strict`, served on 127.0.0.1."""
    root = tmp_path_factory.mktemp("judul-jahat")
    write_data(root / "data")
    project = make_project(root / "klon", root / "data")
    done = run_mkdocs(project)
    assert done.returncode == 0, done.stderr
    with served(project / "site") as url:
        yield url


def _visit(context: BrowserContext, trap: Trap, url: str) -> Page:
    page = trap.open(context, url)
    page.wait_for_timeout(150)  # let late handlers (image errors) fire
    trap.assert_nothing_ran(page)
    return page


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_sop_page_and_form_runs_nothing_and_titles_read_as_typed(
    site_url: str, trapped: tuple[BrowserContext, Trap]
) -> None:
    context, trap = trapped
    for number in range(1, len(PAYLOADS) + 1):
        page = _visit(context, trap, f"{site_url}sop/{slug(number)}/")
        name = sop_name(number)
        assert page.title() == _squash(f"{name} - {SITE_NAME}")
        assert page.locator("article h1").inner_text() == _squash(name)
        header = page.locator(".md-header__topic .md-ellipsis")
        assert [_squash(t) for t in header.all_inner_texts()] == [
            _squash(SITE_NAME),
            _squash(name),
        ]
        body = page.locator("body").inner_text()
        for text in (f"Camat {PAYLOADS[number - 1]}", f"Memerintahkan {PAYLOADS[number - 1]}"):
            assert _squash(text) in _squash(body)
        forms = [a.get_attribute("href") or "" for a in page.locator("a[href$='.html']").all()]
        page.close()
        assert forms, "the SOP page links its forms"
        for href in forms:
            form = _visit(context, trap, f"{site_url}sop/{slug(number)}/{href}")
            assert _squash(name) in _squash(form.locator("body").inner_text())
            form.close()


def test_the_other_pages_run_nothing_and_list_the_units_as_typed(
    site_url: str, trapped: tuple[BrowserContext, Trap]
) -> None:
    context, trap = trapped
    register = _visit(context, trap, site_url)
    assert register.title() == _squash(SITE_NAME)
    toc = _squash(register.locator(".md-sidebar--secondary").inner_text())
    body = _squash(register.locator("article").inner_text())
    for number, payload in enumerate(PAYLOADS, 1):
        assert _squash(f"Unit {payload}") in toc
        assert _squash(sop_name(number)) in body
    register.close()
    for path in ("panduan/", "404.html"):
        page = _visit(context, trap, f"{site_url}{path}")
        assert page.title().endswith(_squash(SITE_NAME))
        page.close()


def test_a_search_for_every_payload_runs_nothing(
    site_url: str, trapped: tuple[BrowserContext, Trap]
) -> None:
    context, trap = trapped
    page = _visit(context, trap, site_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    search = page.locator("input.md-search__input")
    search.press_sequentially("judul", delay=20)
    page.locator(".md-search-result__item").first.wait_for(timeout=15000)
    titles = _squash(page.locator(".md-search-result").inner_text())
    assert all(_squash(sop_name(n)) in titles for n in range(1, len(PAYLOADS) + 1))
    for payload in PAYLOADS:
        search.fill(payload)
        page.wait_for_timeout(400)
        trap.assert_nothing_ran(page)
