"""No script from SOP text runs on the site: the hostile data folder in a real browser.

tests/hardening/teks-jahat/data holds an office and an SOP whose every text is hostile but
valid: `<script>` elements, `<img onerror>`, `<svg onload>`, `<iframe src=javascript:>`,
Markdown links to `javascript:`, Jinja `{{ }}` and `{% %}`, Graphviz escapes, right-to-left
text, emoji and zero-width characters. Each payload sets `window.__pwned`.

The site is built with a real `mkdocs build --strict` (the `sop` plugin), served on 127.0.0.1
and opened in Debian's Chromium. Before any page script runs, a trap is installed: assigning
`window.__pwned` records the value, and so does any alert/confirm/prompt dialog. Every page
(register, SOP page, Panduan), every form the SOP page links and a search for the payload
are visited; then the trap must be empty, no element may carry an event handler or a
`javascript:` link from SOP text, and the texts must read literally on the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route

from tests.browser import chromium, served
from tests.test_mkdocs_plugin import make_project, run_mkdocs

pytestmark = pytest.mark.slow

HOSTILE = Path(__file__).resolve().parent / "hardening" / "teks-jahat" / "data"
SLUG = "teks-jahat"
# Installed before any script of the page: records every attempt to set window.__pwned.
TRAP = """
window.__attempts = [];
Object.defineProperty(window, '__pwned', {
  configurable: false,
  get() { return undefined; },
  set(value) { window.__attempts.push(String(value)); },
});
"""
# Elements or attributes that could only come from SOP text turned into markup.
INJECTED = """
() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const value = attr.value || '';
      if (attr.name.startsWith('on') && value.includes('__pwned')) found.push(el.outerHTML);
      if (/^\\s*javascript:/i.test(value)) found.push(el.outerHTML);
      // a heading's anchor (#uji-scriptwindow__pwned...) is a fragment, not a script
      const link = attr.name === 'href' || attr.name === 'src';
      if (link && value.includes('__pwned') && !value.startsWith('#')) found.push(el.outerHTML);
    }
    if (el.tagName === 'SCRIPT' && el.textContent.includes('__pwned')) found.push(el.outerHTML);
    if (el.tagName === 'IFRAME') found.push(el.outerHTML);
  }
  return found;
}
"""
NAME = "Uji <script>window.__pwned='nama'</script> Teks & \"Kutip\""
LITERAL = [
    NAME,
    "KANTOR CAMAT <img src=x onerror=\"window.__pwned='kop-img'\">",
    "<script>window.__pwned='uraian'</script>",
    "<img src=x onerror=\"window.__pwned='kelengkapan'\">",
    "[x](javascript:window.__pwned='output')",
    "{{ 7*7 }}",
    "{% if true %}ya{% endif %}",
    "\\N \\G {kiri|kanan} <b>tebal</b> & lainnya",
    "**Markdown** _miring_ `kode` # judul | tabel | <!-- komentar -->",
    "\u0625\u062c\u0631\u0627\u0621 \u0627\u0644\u062a\u0634\u063a\u064a\u0644",
    "\U0001f469\u200d\U0001f4bc",
]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The hostile data folder built by `mkdocs build --strict`, served on 127.0.0.1."""
    project = make_project(tmp_path_factory.mktemp("situs-jahat") / "klon", HOSTILE)
    done = run_mkdocs(project)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    with served(project / "site") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


class Trap:
    """Dialogs opened, payload assignments seen and requests to other hosts, per context."""

    def __init__(self) -> None:
        self.dialogs: list[str] = []
        self.outside: list[str] = []

    def route(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def open(self, context: BrowserContext, url: str) -> Page:
        page = context.new_page()
        page.on("dialog", self._dialog)
        page.goto(url, wait_until="networkidle")
        return page

    def _dialog(self, dialog: object) -> None:
        self.dialogs.append(getattr(dialog, "message", ""))
        dialog.dismiss()  # type: ignore[attr-defined]

    def assert_nothing_ran(self, page: Page) -> None:
        assert page.evaluate("window.__attempts") == [], "a script from SOP text ran"
        assert page.evaluate(INJECTED) == [], "markup from SOP text became elements"
        assert self.dialogs == [], f"dialogs opened: {self.dialogs}"
        assert self.outside == [], f"requests to other hosts: {self.outside}"


@pytest.fixture
def trapped(browser: Browser) -> Iterator[tuple[BrowserContext, Trap]]:
    trap = Trap()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(TRAP)
    context.route("**/*", trap.route)
    yield context, trap
    context.close()


def test_the_trap_catches_a_script_that_runs(trapped: tuple[BrowserContext, Trap]) -> None:
    """The check itself works: a page that does run the payload is caught."""
    context, trap = trapped
    page = context.new_page()
    page.on("dialog", trap._dialog)
    page.set_content("<img src=x onerror=\"window.__pwned='x'; alert(1)\">")
    page.wait_for_function("window.__attempts.length > 0")
    assert page.evaluate("window.__attempts") == ["x"]
    assert page.evaluate(INJECTED) != []


def test_no_script_from_sop_text_runs_on_any_page(
    site_url: str, trapped: tuple[BrowserContext, Trap]
) -> None:
    context, trap = trapped
    for url in (site_url, f"{site_url}sop/{SLUG}/", f"{site_url}panduan/"):
        page = trap.open(context, url)
        page.wait_for_timeout(300)  # let late handlers (image errors) fire
        trap.assert_nothing_ran(page)
        page.close()


def test_sop_texts_read_literally_on_its_page(
    site_url: str, trapped: tuple[BrowserContext, Trap]
) -> None:
    context, trap = trapped
    page = trap.open(context, f"{site_url}sop/{SLUG}/")
    text = _squash(page.locator("body").inner_text())  # the sheet wraps long words
    missing = [t for t in LITERAL if _squash(t) not in text]
    assert missing == []
    assert "49" not in page.locator("h1").inner_text()  # {{ 7*7 }} was not evaluated
    trap.assert_nothing_ran(page)
    register = trap.open(context, site_url)  # the unit is a heading there, listed in the toc
    toc = _squash(register.locator(".md-sidebar--secondary").inner_text())
    assert _squash("Sub Bagian <img src=x onerror=\"window.__pwned='unit'\"> Umum") in toc
    page = register
    trap.assert_nothing_ran(page)


def test_the_forms_linked_from_the_page_run_nothing(
    site_url: str, trapped: tuple[BrowserContext, Trap]
) -> None:
    context, trap = trapped
    page = trap.open(context, f"{site_url}sop/{SLUG}/")
    links = [a.get_attribute("href") for a in page.locator("a[href$='.html']").all()]
    page.close()
    forms = [href for href in links if href and "formulir" in href]
    assert forms, "the SOP page links its forms"
    for href in forms:
        form = trap.open(context, f"{site_url}sop/{SLUG}/{href}")
        form.wait_for_timeout(200)
        assert _squash(NAME) in _squash(form.locator("body").inner_text())
        trap.assert_nothing_ran(form)
        form.close()


def test_searching_for_the_payload_runs_nothing(
    site_url: str, trapped: tuple[BrowserContext, Trap]
) -> None:
    context, trap = trapped
    page = trap.open(context, site_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially("memeriksa", delay=30)
    page.locator(".md-search-result__item").first.wait_for(timeout=15000)
    page.wait_for_timeout(300)
    assert "<b>tebal</b>" in page.locator(".md-search-result").inner_text()
    trap.assert_nothing_ran(page)
