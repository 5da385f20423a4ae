"""The sheet as real Chromium lays it out and prints it (Playwright, Debian's chromium).

Geometry is read from the rendering: bounding boxes of the lane header cells, the step rows
and the symbols, and every arrow's points mapped to the page through its SVG's transform (the
page's one SVG lies over the table, so this also proves it lines up with the cells).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from generator.layout.sheet import layout_sheet
from generator.loader import Project
from generator.model import Sop
from generator.render import sheet
from generator.render.common import PAPER_MM, RenderContext, make_env
from tests.browser import chromium
from tests.conftest import TEMPLATES
from tests.layout.test_sheet import synthetic_sop
from tests.render.test_sheet import pdf_pages_text, pdfinfo, squash

pytestmark = pytest.mark.slow

TOL = 1.0  # px

COLLECT = """() => {
  const box = el => {
    const b = el.getBoundingClientRect();
    return [b.left, b.top, b.right, b.bottom];
  };
  return [...document.querySelectorAll('section.halaman')].map(sec => {
    const lanes = {}, rows = {}, routes = {};
    sec.querySelectorAll('th[data-lajur]').forEach(th => { lanes[th.dataset.lajur] = box(th); });
    sec.querySelectorAll('tr[data-langkah]').forEach(tr => { rows[tr.dataset.langkah] = box(tr); });
    const symbols = [...sec.querySelectorAll('[data-kind]')].map(el => ({
      kind: el.dataset.kind, lane: el.dataset.lane, step: Number(el.dataset.step || 0),
      letter: el.dataset.letter || '', box: box(el)}));
    sec.querySelectorAll('path.panah').forEach(p => {
      const m = p.ownerSVGElement.getScreenCTM();
      const pts = p.dataset.points.split(' ').map(s => s.split(',').map(Number))
        .map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
      const r = (routes[p.dataset.route] ||= {from: p.dataset.from, to: p.dataset.to, seen: []});
      r.seen.push(pts);
    });
    return {lanes, rows, symbols, routes, box: box(sec)};
  });
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module."""
    with chromium() as b:
        yield b


def _cases(request: pytest.FixtureRequest, name: str) -> tuple[Project, Sop, str]:
    if name == "synthetic":
        project = request.getfixturevalue("seed_project")
        return project, synthetic_sop(8, 60, seed=3), "A4"
    project = request.getfixturevalue(name)
    return project, project.sops[0], project.office.paper


def _named(symbols: list[dict[str, Any]], name: str) -> dict[str, Any]:
    kind, *rest = name.split()
    for s in symbols:
        if kind == "step" and s["step"] == int(rest[0]) and s["lane"] == rest[1]:
            return s
        if kind == "connector" and s["letter"] == rest[0]:
            return s
    raise AssertionError(name)


def _on_edge(b: list[float], p: list[float]) -> bool:
    x, y = p
    inside = b[0] - TOL <= x <= b[2] + TOL and b[1] - TOL <= y <= b[3] + TOL
    deep = b[0] + TOL < x < b[2] - TOL and b[1] + TOL < y < b[3] - TOL
    return inside and not deep


def _crosses(b: list[float], a: list[float], c: list[float]) -> bool:
    x0, y0, x1, y1 = b[0] + 1.5, b[1] + 1.5, b[2] - 1.5, b[3] - 1.5
    lo_x, hi_x = sorted((a[0], c[0]))
    lo_y, hi_y = sorted((a[1], c[1]))
    return lo_x < x1 and x0 < hi_x and lo_y < y1 and y0 < hi_y


def _check_page(page: dict[str, Any]) -> None:
    symbols = page["symbols"]
    for s in symbols:
        cx, cy = (s["box"][0] + s["box"][2]) / 2, (s["box"][1] + s["box"][3]) / 2
        lane = page["lanes"][s["lane"]]
        assert lane[0] < cx < lane[2], s
        if s["step"]:
            row = page["rows"][str(s["step"])]
            assert row[1] < cy < row[3], s
            assert row[1] <= s["box"][1] and s["box"][3] <= row[3] + TOL
    for a, b in combinations(symbols, 2):
        ba, bb = a["box"], b["box"]
        assert not (
            ba[0] + 0.5 < bb[2]
            and bb[0] + 0.5 < ba[2]
            and ba[1] + 0.5 < bb[3]
            and bb[1] + 0.5 < ba[3]
        ), (a, b)
    routes = page["routes"]
    for rid, r in routes.items():
        pts = r["seen"][0]
        for other in r["seen"][1:]:  # every cell's copy lands on the same page positions
            assert all(
                abs(p[0] - q[0]) < 0.5 and abs(p[1] - q[1]) < 0.5
                for p, q in zip(pts, other, strict=True)
            ), rid
        assert _on_edge(_named(symbols, r["from"])["box"], pts[0]), (rid, r["from"])
        if r["to"].startswith("arrow "):
            page_no = rid.split("-")[0]
            target = routes[f"{page_no}-{r['to'].split()[1]}"]["seen"][0]
            x, y = pts[-1]
            assert any(
                min(a[0], b[0]) - TOL <= x <= max(a[0], b[0]) + TOL
                and min(a[1], b[1]) - TOL <= y <= max(a[1], b[1]) + TOL
                for a, b in zip(target, target[1:], strict=False)
            ), rid
        else:
            assert _on_edge(_named(symbols, r["to"])["box"], pts[-1]), (rid, r["to"])
        for a, c in zip(pts, pts[1:], strict=False):
            assert abs(a[0] - c[0]) < 0.5 or abs(a[1] - c[1]) < 0.5, rid  # orthogonal
            for s in symbols:
                assert not _crosses(s["box"], a, c), (rid, s)


@pytest.mark.parametrize("name", ["seed_project", "sulteng_project", "besar_project", "synthetic"])
def test_chromium_geometry_and_print(
    name: str, browser: Browser, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    project, sop, paper = _cases(request, name)
    layout = layout_sheet(sop, project.office, PAPER_MM[paper])
    office = project.office.model_copy(update={"paper": paper})
    ctx = RenderContext(office=office, sops=(sop,), env=make_env(TEMPLATES))
    html = tmp_path / "lembar-sop.html"
    html.write_text(sheet.sheet_html(ctx, sop), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    try:
        page.goto(html.as_uri())
        pages = page.evaluate(COLLECT)
        assert len(pages) == len(layout.pages)
        for p in pages:
            _check_page(p)
        # every step is drawn once per lane of its actors
        drawn = sorted((s["step"], s["lane"]) for p in pages for s in p["symbols"] if s["step"])
        assert drawn == sorted((st.number, lane) for st in sop.steps for lane in st.actors)
        pdf = tmp_path / "chromium.pdf"
        page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    finally:
        page.close()
    # Chromium's print breaks at the same rows as the layout (and so as WeasyPrint)
    assert int(pdfinfo(pdf)["Pages"]) == len(layout.pages)
    texts = pdf_pages_text(pdf)
    for lp, text in zip(layout.pages, texts, strict=True):
        assert f"Halaman{lp.number}dari{len(layout.pages)}" in text
        for n in lp.steps:
            assert squash(sop.step(n).description) in text, (lp.number, n)
