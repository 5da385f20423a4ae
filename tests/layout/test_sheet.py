"""Geometry of the SOP sheet, checked on the layout itself (no rendering).

The same checks run on the three fixtures and on synthetic SOPs with 8 lanes and 60 steps.
"""

from __future__ import annotations

import importlib.util
import random
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from generator import flow
from generator.layout.sheet import (
    ARROW_LEN,
    STYLE,
    Box,
    Page,
    Port,
    Route,
    Router,
    SheetLayout,
    dump,
    layout_sheet,
    text_width,
    wrap,
)
from generator.loader import Project, load_project
from generator.model import Sop
from generator.render.common import PAPER_MM
from tests import decisions
from tests.expected import assert_matches_expected

EPS = 0.011
ROOT_DIR = Path(__file__).resolve().parents[2]


def sheet(project: Project) -> tuple[Sop, SheetLayout]:
    """The first SOP of a project and its layout."""
    sop = project.sops[0]
    return sop, layout_sheet(sop, project.office, PAPER_MM[project.office.paper])


# --------------------------------------------------------------------------- synthetic SOPs


def synthetic_sop(lanes: int = 8, steps: int = 60, seed: int = 1) -> Sop:
    """A random but valid-looking SOP: decisions looping back, jumps, joint steps, early ends."""
    rng = random.Random(seed)
    lane_ids = [f"l{k}" for k in range(1, lanes + 1)]
    data: list[dict[str, Any]] = []
    lane = 0
    for n in range(1, steps + 1):
        lane = max(0, min(lanes - 1, lane + rng.choice([-2, -1, 0, 1, 1, 2, 3])))
        step: dict[str, Any] = {
            "uraian": " ".join(
                rng.choice(["Memeriksa", "Menyusun", "dokumen"]) for _ in range(rng.randint(3, 22))
            ),
            "pelaksana": lane_ids[lane],
            "waktu": f"{rng.randint(1, 30)} menit",
            "kelengkapan": "Berkas <b>usulan</b> & lampiran",
            "output": "Dokumen",
        }
        roll = rng.random()
        if 3 < n < steps - 2 and roll < 0.15:
            step["keputusan"] = {
                "ya": n + rng.choice([1, 1, 2]),
                "tidak": max(1, n - rng.randint(1, 5)),
            }
        elif 3 < n < steps - 2 and roll < 0.22:
            step["pelaksana"] = sorted(
                {lane_ids[lane], lane_ids[(lane + rng.randint(1, lanes - 1)) % lanes]},
                key=lane_ids.index,
            )
        elif 5 < n < steps - 2 and roll < 0.26:
            step["lanjut"] = max(1, n - rng.randint(2, 6))
        elif 5 < n < steps - 2 and roll < 0.28:
            step["selesai"] = "true"
        data.append(step)
    doc = {
        "nomor": f"SINT/{seed}",
        "nama": "SOP sintetis <script>alert(1)</script>",
        "unit": "Unit Uji",
        "tanggal_pembuatan": "2024-01-02",
        "tanggal_efektif": "2024-01-03",
        "disahkan_oleh": "camat",
        "pelaksana": {lid: f"Pelaksana {lid.upper()} & <i>rekan</i>" for lid in lane_ids},
        "langkah": data,
    }
    return Sop.model_validate(doc).with_slug(f"sintetis-{seed}")


# --------------------------------------------------------------------------- checks


def _segments(page: Page) -> list[tuple[str, tuple[float, float], tuple[float, float]]]:
    out = [(f"route{k}", a, b) for k, r in enumerate(page.routes) for a, b in r.segments]
    out += [(f"join{k}", *j.points) for k, j in enumerate(page.joins)]
    return out


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(max(a0, a1), max(b0, b1)) - max(min(a0, a1), min(b0, b1))


def _on_outline(sym: Any, point: tuple[float, float]) -> bool:
    """True when a point lies on a symbol's outline: its box, or a decision's diamond."""
    if sym.kind != "decision":
        return _on_edge(sym.box, point)
    b = sym.box
    return abs(_diamond_norm(b, point) - 1) < 0.005


def _diamond_norm(b: Box, point: tuple[float, float]) -> float:
    """|dx|/half-width + |dy|/half-height: 1 on a diamond's outline, below 1 inside."""
    return abs(point[0] - b.cx) / (b.w / 2) + abs(point[1] - b.cy) / (b.h / 2)


def _through(sym: Any, a: tuple[float, float], b: tuple[float, float]) -> bool:
    """True when the segment a-b passes through the inside of a symbol."""
    if sym.kind != "decision":
        return sym.box.grow(-EPS).crosses_segment(a, b)
    samples = ((a[0] + (b[0] - a[0]) * k / 40, a[1] + (b[1] - a[1]) * k / 40) for k in range(41))
    return any(_diamond_norm(sym.box, p) < 1 - 0.005 for p in samples)


def _on_edge(box: Box, point: tuple[float, float]) -> bool:
    x, y = point
    inside = box.grow(EPS).contains(x, y)
    strictly = box.grow(-EPS).contains(x, y)
    return inside and not strictly


def _symbol_named(page: Page, name: str):
    kind, *rest = name.split()
    for s in page.symbols:
        if kind == "step" and s.step == int(rest[0]) and s.lane == rest[1]:
            return s
        if kind == "connector" and s.letter == rest[0]:
            return s
        if kind == "end" and s.ends == rest[0]:
            return s
    raise AssertionError(f"no symbol {name}")


def crossings(layout: SheetLayout) -> int:
    """Right-angle crossings between different arrows, over all pages."""
    count = 0
    for page in layout.pages:
        segs = _segments(page)
        for (ia, a0, a1), (ib, b0, b1) in combinations(segs, 2):
            if ia == ib:
                continue
            va, vb = a0[0] == a1[0], b0[0] == b1[0]
            if va == vb:
                continue
            (v0, v1), (h0, h1) = ((a0, a1), (b0, b1)) if va else ((b0, b1), (a0, a1))
            x, y = v0[0], h0[1]
            if min(h0[0], h1[0]) < x < max(h0[0], h1[0]) and min(v0[1], v1[1]) < y < max(
                v0[1], v1[1]
            ):
                count += 1
    return count


def check_sheet(sop: Sop, layout: SheetLayout, cramped_labels: bool = False) -> None:
    """Every geometric promise of the sheet layout."""
    lanes = {lane: layout.lane_box(lane) for lane in layout.lanes}
    seen_steps: list[int] = []
    for page in layout.pages:
        rows = {r.step: r for r in page.rows if r.kind == "step"}
        seen_steps += list(rows)
        # rows tile the drawing, heights hold their text
        y = 0.0
        for row in page.rows:
            assert abs(row.y0 - y) < EPS
            y = row.y1
            for key, lines in row.cells:
                assert row.height >= len(lines) * STYLE.body_lh + 2 * STYLE.pad_y - EPS
                col = layout.column(key)
                for line in lines:
                    assert text_width(line, STYLE.body_pt) <= col.width - 2 * STYLE.pad_x
        assert abs(page.drawing_height - y) < EPS
        # symbols: centred in their lane column and their row, never overlapping
        for s in page.symbols:
            x0, x1 = lanes[s.lane]
            assert x0 < s.box.x0 and s.box.x1 < x1, s
            if not s.letter:  # connectors of one lane stand side by side
                assert abs(s.box.cx - (x0 + x1) / 2) < EPS
            if s.step:
                row = rows[s.step]
                assert row.y0 < s.box.y0 and s.box.y1 < row.y1
                assert abs(s.box.cy - (row.y0 + row.y1) / 2) < EPS
                assert s.lane in sop.step(s.step).actors
        for a, b in combinations(page.symbols, 2):
            assert not a.box.overlaps(b.box), (a, b)
            if a.letter and b.letter and abs(a.box.cy - b.box.cy) < EPS and a.lane == b.lane:
                left, right = sorted((a, b), key=lambda c: c.box.cx)
                assert (len(left.letter), left.letter) < (len(right.letter), right.letter)
        for n in rows:
            drawn = {s.lane for s in page.symbols if s.step == n}
            assert drawn == set(sop.step(n).actors)
        _check_routes(page, lanes, cramped_labels)
    assert seen_steps == list(range(1, len(sop.steps) + 1))
    _check_edges(sop, layout)
    _check_heights(layout)


def _check_routes(
    page: Page, lane_x: dict[str, tuple[float, float]], cramped_labels: bool = False
) -> None:
    for route in page.routes:
        pts = route.points
        assert len(pts) >= 2
        for a, b in route.segments:
            assert a[0] == b[0] or a[1] == b[1], f"not orthogonal: {route}"
        start = _symbol_named(page, route.start)
        assert _on_outline(start, pts[0]), (route, start)
        if route.end.startswith("arrow "):  # meets an arrow into the same step, at right angles
            other = page.routes[int(route.end.split()[1])]
            assert other.target == route.target and not other.end.startswith("arrow")
            (ax, ay), (bx, by) = pts[-2], pts[-1]
            assert any(
                (a[0] == b[0] == bx and ay == by and min(a[1], b[1]) < by < max(a[1], b[1]))
                or (a[1] == b[1] == by and ax == bx and min(a[0], b[0]) < bx < max(a[0], b[0]))
                for a, b in other.segments
            ), route
        else:
            end = _symbol_named(page, route.end)
            assert _on_outline(end, pts[-1]), (route, end)
            (ax, ay), (bx, by) = pts[-2], pts[-1]
            assert abs(ax - bx) + abs(ay - by) >= ARROW_LEN - EPS, f"no room for head: {route}"
        for a, b in route.segments:
            for s in page.symbols:
                assert not _through(s, a, b), f"{route} crosses {s}"
    segs = _segments(page)
    _check_spacing(page, segs, lane_x, cramped_labels)
    for (ia, a0, a1), (ib, b0, b1) in combinations(segs, 2):
        if ia == ib:
            continue
        if a0[0] == a1[0] == b0[0] == b1[0]:
            assert _overlap(a0[1], a1[1], b0[1], b1[1]) <= EPS, f"{ia} runs along {ib}"
        if a0[1] == a1[1] == b0[1] == b1[1]:
            assert _overlap(a0[0], a1[0], b0[0], b1[0]) <= EPS, f"{ia} runs along {ib}"
    labels = [r.label_box for r in page.routes if r.label]
    assert all(labels)
    for r in page.routes:
        if not r.label:
            continue
        box = r.label_box.grow(0.1)
        for _, a, b in segs:
            assert not box.crosses_segment(a, b), f"label of {r} on a line"
        for s in page.symbols:
            if cramped_labels and s.step == r.source:
                continue  # dense synthetic pages: a label may touch its own diamond
            assert not s.touches(r.label_box, 0.1), f"label of {r} on {s}"
        # borders as sheet_quality.py sees them: the label's box (its text plus 0.2 mm either
        # side) may reach a border line but not cross it
        lb = r.label_box
        for x in {x for lane in lane_x.values() for x in lane}:
            assert not lb.x0 + EPS < x < lb.x1 - EPS, f"label of {r} on the lane border at x {x}"
        for y in {y for row in page.rows for y in (row.y0, row.y1)}:
            assert not lb.y0 + EPS < y < lb.y1 - EPS, f"label of {r} on the row border at y {y}"
    for a, b in combinations(labels, 2):
        assert not a.overlaps(b)


PARALLEL_MIN = 1.5  # mm between parallel runs of different arrows (sheet_quality.py)
BORDER_MIN = 1.0  # mm between an arrow and a table border it runs along
RUN_MIN = 4.0  # runs overlapping less than this are not counted (sheet_quality.py)


def _check_spacing(
    page: Page, segs: list, lane_x: dict[str, tuple[float, float]], dense: bool = False
) -> None:
    """What the quality tool measures as close parallels: different arrows running side by
    side 1.5 mm apart or closer (the tool counts under 1.5 mm as rendered, which rounding
    makes of exactly 1.5) over more than 4 mm, an arrow running along a table border (a lane
    or row line) closer than 1 mm over more than 4 mm. Dense synthetic pages may keep two
    arrows on neighbouring tracks exactly 1.5 mm apart."""
    slack = -EPS if dense else EPS
    for (ia, a0, a1), (ib, b0, b1) in combinations(segs, 2):
        if ia == ib:
            continue
        for axis in (0, 1):  # 0: vertical runs (same x), 1: horizontal runs (same y)
            other = 1 - axis
            if a0[axis] == a1[axis] and b0[axis] == b1[axis]:
                gap = abs(a0[axis] - b0[axis])
                run = _overlap(a0[other], a1[other], b0[other], b1[other])
                assert not (EPS < gap < PARALLEL_MIN + slack and run > RUN_MIN), (
                    f"{ia} runs {gap:.2f} mm beside {ib} over {run:.1f} mm"
                )
    xs = {x for lane in lane_x.values() for x in lane}
    ys = {y for row in page.rows for y in (row.y0, row.y1)}
    for name, a, b in segs:
        for axis, lines in ((0, xs), (1, ys)):
            if a[axis] == b[axis] and abs(a[1 - axis] - b[1 - axis]) > RUN_MIN:
                near = [v for v in lines if abs(a[axis] - v) < BORDER_MIN]
                assert not near, f"{name} runs along the table border at {near[0]}"


def _check_edges(sop: Sop, layout: SheetLayout) -> None:
    page_of = {n: p for p in layout.pages for n in p.steps}
    letters: set[str] = set()
    for e in flow.edges(sop):
        if e.target is None:  # an exit that ends the procedure: its own end capsule
            (route,) = [r for p in layout.pages for r in p.routes if r.end == f"end {e.ident}"]
            assert route.source == e.source and route.label == e.label
            continue
        src, tgt = page_of[e.source], page_of[e.target]
        key = (e.source, e.target, e.kind)
        mine = [
            (p, r) for p in layout.pages for r in p.routes if (r.source, r.target, r.kind) == key
        ]
        same = sum(1 for x in flow.edges(sop) if (x.source, x.target, x.kind) == key)
        if src is tgt:
            assert len(mine) == same and all(p is src for p, _ in mine), e
            continue
        if same > 1:  # two exits to one step on another page: checked by count only
            assert len(mine) == 2 * same, e
            continue
        assert len(mine) == 2, e
        (p1, out), (p2, inn) = sorted(mine, key=lambda pr: pr[1].start.startswith("connector"))
        assert p1 is src and p2 is tgt
        assert out.end.startswith("connector ") and inn.start.startswith("connector ")
        letter = out.end.split()[1]
        assert inn.start == f"connector {letter}" and letter not in letters
        letters.add(letter)
        out_sym = _symbol_named(src, out.end)
        in_sym = _symbol_named(tgt, inn.start)
        assert out_sym.kind == "out" and in_sym.kind == "in"
        # a connector sits in its step's lane, or (to spare a crossing) in a lane where no
        # other connector of its row is
        for sym, page, step in ((out_sym, src, e.source), (in_sym, tgt, e.target)):
            if sym.lane != sop.step(step).actors[0]:
                row = [s for s in page.symbols if s.letter and abs(s.box.cy - sym.box.cy) < EPS]
                assert [s.lane for s in row].count(sym.lane) == 1, (e, sym.lane)
        assert out_sym.box.cy > max(s.box.cy for s in src.symbols if s.step)  # page bottom
        assert in_sym.box.cy < min(s.box.cy for s in tgt.symbols if s.step)  # page top
    connectors = [s for p in layout.pages for s in p.symbols if s.letter]
    assert len(connectors) == 2 * len(letters)


def _check_heights(layout: SheetLayout) -> None:
    avail = layout.content_h - STYLE.footer_h - STYLE.page_slack
    for page in layout.pages:
        used = layout.identity.top_height if page.identity_parts else 0.0
        used += sum(h for _, _, h in page.identity_rows)
        if page.rows and used:
            used += STYLE.gap_identity
        if page.rows:
            used += sum(layout.header_heights) + page.drawing_height
            used += layout.total_height if page.total_row else 0.0
        assert used <= avail + EPS, f"page {page.number} overflows: {used} > {avail}"


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("name", ["seed_project", "sulteng_project", "besar_project"])
def test_fixture_geometry(name: str, request: pytest.FixtureRequest) -> None:
    sop, layout = sheet(request.getfixturevalue(name))
    check_sheet(sop, layout)
    assert crossings(layout) == 0


def test_return_connector_leaves_its_lane_to_avoid_a_crossing(besar_project: Project) -> None:
    """besar page 6: the return 27 -> 25 (an earlier page) in its own lane (Sekretaris
    Camat) would cross 28 -> 29 on its way down to connector H; H moves to the nearest lane
    where the return crosses nothing (Staf Umum, beside the end), the row keeps its height."""
    sop, layout = sheet(besar_project)
    page = next(p for p in layout.pages if 27 in p.steps)
    conn = next(s for s in page.symbols if s.letter == "H")
    assert conn.kind == "out"
    assert sop.step(27).actors[0] != conn.lane == "staf"
    back = next(r for r in page.routes if r.source == 27 and r.target == 25)
    assert back.end == "connector H" and back.points[-1][1] == conn.box.y0
    assert crossings(layout) == 0


DATA_FOLDERS = sorted(
    [ROOT_DIR / "sop_data"]
    + [d for d in (ROOT_DIR / "tests" / "fixtures").glob("*") if (d / "instansi.yaml").exists()]
    + [d for d in (ROOT_DIR / "tests" / "fixtures" / "real-sops").glob("*") if d.is_dir()]
)
FILL_MIN = 0.6  # a page but the last is at least this full (sheet_quality.py's low_fill)


def page_fill(layout: SheetLayout) -> list[float]:
    """How full each page is: the height its identity parts, header, rows and total take
    over the height above the footer."""
    avail = layout.content_h - STYLE.footer_h - STYLE.page_slack
    out = []
    for page in layout.pages:
        used = layout.identity.top_height if page.identity_parts else 0.0
        used += sum(h for _, _, h in page.identity_rows)
        if page.rows:
            used += sum(layout.header_heights) + page.drawing_height
            used += layout.total_height if page.total_row else 0.0
        out.append(used / avail)
    return out


@pytest.mark.parametrize("folder", DATA_FOLDERS, ids=lambda d: d.name)
def test_every_data_folder_sheet_geometry(folder: Path) -> None:
    """Every SOP of the seed, the fixtures and the real SOPs, on its office's paper: every
    geometric promise, no crossing, every page but the last at least 60%
    full (what sheet_quality.py measures on the built sheets)."""
    project = load_project(folder)
    paper = project.office.paper
    for sop in project.sops:
        layout = layout_sheet(sop, project.office, PAPER_MM[paper])
        check_sheet(sop, layout)
        assert crossings(layout) == 0
        fills = page_fill(layout)[:-1]
        assert all(f >= FILL_MIN for f in fills), (sop.slug, paper, fills)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_synthetic_8_lanes_60_steps(seed: int, seed_project: Project) -> None:
    sop = synthetic_sop(8, 60, seed)
    for paper in ("A4", "F4"):
        layout = layout_sheet(sop, seed_project.office, PAPER_MM[paper])
        check_sheet(sop, layout, cramped_labels=True)


@pytest.mark.parametrize("lanes,steps", [(3, 1), (3, 2), (4, 8), (5, 15)])
def test_small_and_medium(lanes: int, steps: int, seed_project: Project) -> None:
    sop = synthetic_sop(lanes, steps, seed=steps)
    check_sheet(sop, layout_sheet(sop, seed_project.office, PAPER_MM["F4"]))


def test_seed_layout_dump(seed_project: Project) -> None:
    _, layout = sheet(seed_project)
    assert_matches_expected(dump(layout), "sheet/seed-layout.txt")


def test_besar_layout_dump(besar_project: Project) -> None:
    _, layout = sheet(besar_project)
    assert_matches_expected(dump(layout), "sheet/besar-layout.txt")


def test_seed_loop_back_goes_to_the_side(seed_project: Project) -> None:
    sop, layout = sheet(seed_project)
    (page,) = [p for p in layout.pages if 6 in p.steps]
    (route,) = [r for r in page.routes if (r.source, r.target) == (6, 5)]
    five = next(s for s in page.symbols if s.step == 5)
    six = next(s for s in page.symbols if s.step == 6)
    assert route.label == "Tidak"
    # leaves the diamond by a side vertex and enters step 5 by its side, rising beside it
    assert route.points[0] in ((six.box.x0, six.box.cy), (six.box.x1, six.box.cy))
    assert route.points[-1] in ((five.box.x0, five.box.cy), (five.box.x1, five.box.cy))
    rising = [(a, b) for a, b in route.segments if a[0] == b[0] and b[1] < a[1]]
    assert rising and all(not (five.box.x0 <= a[0] <= five.box.x1) for a, _ in rising)


def test_seed_pages_and_columns(seed_project: Project) -> None:
    sop, layout = sheet(seed_project)
    assert (layout.page_w, layout.page_h) == (330, 215)
    assert [p.steps for p in layout.pages] == [[], [1, 2, 3, 4, 5, 6, 7], [8, 9]]
    assert [c.key for c in layout.columns] == [
        "no",
        "uraian",
        "lane:camat",
        "lane:sekcam",
        "lane:kasi",
        "lane:staf",
        "kelengkapan",
        "waktu",
        "output",
        "ket",
    ]
    assert abs(sum(c.width for c in layout.columns) - layout.content_w) < 0.05
    assert layout.total_time == "6 hari 10 menit"
    joint = [s.lane for p in layout.pages for s in p.symbols if s.step == 2]
    assert joint == ["camat", "sekcam", "kasi"]


def test_a4_switch(sulteng_project: Project) -> None:
    _, layout = sheet(sulteng_project)
    assert (layout.page_w, layout.page_h) == (297, 210)


def test_wrap_uses_real_widths() -> None:
    assert wrap("", 20, 9) == []
    assert wrap("Komputer/Laptop dan Printer", 26, 9) == ["Komputer/Laptop", "dan Printer"]
    assert wrap("Komputer/Laptop", 18, 9) == ["Komputer/", "Laptop"]
    long = "A" * 80
    lines = wrap(long, 20, 9)
    assert "".join(line.rstrip("-") for line in lines) == long and len(lines) > 1
    assert all(line.endswith("-") for line in lines[:-1])  # never broken without a hyphen
    # Indonesian hyphenation for words longer than a line, at syllables
    assert wrap("Penyelenggaraan Perizinan", 12, 7.5, bold=True) == [
        "Penye-",
        "lengga-",
        "raan",
        "Perizin-",
        "an",
    ]
    # Liberation Sans 'i' is much narrower than 'M' (Arial metrics)
    assert text_width("iiii", 10) < text_width("MM", 10)
    assert abs(text_width("M", 10) / 1.02 - 0.833 * 10 * 25.4 / 72) < 0.01


def test_office_officials_used(seed_project: Project) -> None:
    _, layout = sheet(seed_project)
    a = layout.identity.approval
    assert a.name == ("SYAMSUN RIJAL, S.IP",) and a.nip == "NIP. 19661231 198607 1 014"
    labels = [f.label for f in layout.identity.fields]
    assert labels == [
        "Nomor SOP",
        "Tanggal Pembuatan",
        "Tanggal Revisi",
        "Tanggal Efektif",
        "Nama SOP",
    ]
    assert layout.identity.fields[2].lines == ("-",)
    assert layout.identity.fields[1].lines == ("22 Januari 2024",)


def test_layout_is_deterministic(besar_project: Project) -> None:
    sop = besar_project.sops[0]
    a = layout_sheet(sop, besar_project.office, PAPER_MM["F4"])
    b = layout_sheet(sop, besar_project.office, PAPER_MM["F4"])
    assert dump(a) == dump(b)


def test_route_type() -> None:
    r = Route(1, 2, "next", ((0, 0), (0, 5), (3, 5)), "step 1 a", "step 2 b")
    assert r.segments == [((0, 0), (0, 5)), ((0, 5), (3, 5))]


# --------------------------------------------------------------------------- router fallbacks

ROOT = Path(__file__).resolve().parents[2]
ROUTER_REGRESI = ROOT / "tests" / "fixtures" / "router-regresi"


def _bench_synth() -> Any:
    """benchmarks/synth.py, imported by path (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_synth", ROOT / "benchmarks" / "synth.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bench_sops(seed: int, indices: set[int]) -> list[Sop]:
    """The SOPs `benchmarks/synth.py N DEST --seed seed` writes at these indices (from 1)."""
    synth = _bench_synth()
    rng = random.Random(seed)
    out = []
    for i in range(1, max(indices) + 1):
        doc = synth.synth_sop(rng, i)
        if i in indices:
            out.append(Sop.model_validate(doc).with_slug(f"sintetis-{i:04d}"))
    return out


def test_router_regression_fixture() -> None:
    """Step 13, a decision, has five arrows (in from 12, 14 and 15, out to 14 and back to 10)
    on four ports: the arrows back into it used to take the last port its own "Tidak" arrow
    needed. The fallback pass keeps that port free and merges an arrow into another instead."""
    project = load_project(ROUTER_REGRESI)
    sop = project.sops[0]
    # on A4 (not its office's paper) two arrows keep neighbouring tracks 1.5 mm apart
    check_sheet(sop, layout_sheet(sop, project.office, PAPER_MM["A4"]), cramped_labels=True)
    layout = layout_sheet(sop, project.office, PAPER_MM["F4"])  # the paper that crashed
    check_sheet(sop, layout)
    page = next(p for p in layout.pages if p.steps == [10, 11, 12, 13, 14, 15])
    into_13 = {(r.source, r.start, r.end) for r in page.routes if r.target == 13}
    assert len(into_13) == 3
    assert any(end.startswith("arrow ") for _, _, end in into_13)  # one merges
    back = [r for r in page.routes if (r.source, r.target) == (13, 10)]
    assert [(r.start, r.end, r.label) for r in back] == [
        ("step 13 lurah", "step 10 bendahara", "Tidak")
    ]


@pytest.mark.parametrize("seed", [1, 2, 1000])
def test_bench_sops_always_route(seed: int, seed_project: Project) -> None:
    """Every synthetic SOP of the benchmark generator lays out, with every geometric promise.
    Seed 1000 includes the SOPs that once crashed the router (989) or merged an arrow into an
    arrow that itself merged (157 on F4, 372 on F4); seed 1 those whose "Tidak" label found
    no clear place at the normal gap beside a tight loop (292 and 837 on F4)."""
    indices = set(range(1, 31)) | {1: {292, 837}, 1000: {157, 372, 989}}.get(seed, set())
    for sop in bench_sops(seed, indices):
        for paper in ("F4", "A4"):
            layout = layout_sheet(sop, seed_project.office, PAPER_MM[paper])
            check_sheet(sop, layout, cramped_labels=True)


def test_last_resort_route_never_fails() -> None:
    """When every port is taken, the last-resort route still joins the two symbols,
    orthogonally and around the obstacles; later arrows keep off it."""
    grid = [0.0, 1.0, 2.0, 3.0, 4.0]
    router = Router(grid, grid, [Box(1.5, 1.5, 2.5, 2.5)])
    source = Port(0, "bottom", (0.0, -0.5), (0, 0), (0, 1))
    target = Port(1, "top", (4.0, 4.5), (4, 4), (0, -1))
    first = router.route([(source, 0.0)], [(target, 0.0)])
    assert first is not None and first[0][0] == (0.0, -0.5) and first[0][-1] == (4.0, 4.5)
    assert router.route([(source, 0.0)], [(target, 0.0)]) is None  # both ports are used
    points = router.route_loose([(source, 0.0)], [(target, 0.0)])
    assert points[0] == (0.0, -0.5) and points[-1] == (4.0, 4.5)
    for a, b in zip(points, points[1:], strict=False):
        assert a[0] == b[0] or a[1] == b[1]
        assert not Box(1.5, 1.5, 2.5, 2.5).crosses_segment(a, b)
    assert len(router.paths) == 2


# (case, joint decision, paper) -> crossings left. Two kinds: a joint decision filling every
# lane of its row, whose arrows back up and the one coming into it have no free lane to pass
# each other in; and two exits leaving for connectors on another page where the corner each
# leaves by is on the other side from its connector (connectors stand in letter order).
FAMILY_CROSSINGS = {
    ("4:5-2-6-1", True, "A4"): 1,
    ("7:2-3-1-s", True, "A4"): 1,
    ("7:1-2-s-s", True, "A4"): 2,
}


@pytest.mark.parametrize("lane", ["lurah", "[pemohon, lurah, kecamatan]"])
@pytest.mark.parametrize(
    ("targets", "at"), decisions.family(), ids=[decisions.case_id(*c) for c in decisions.family()]
)
def test_every_mix_of_exits_and_selesai_is_laid_out(tmp_path: Path, targets, at, lane) -> None:
    """Any mix of 2-4 exits and `selesai` lays out with every geometric promise of the sheet
    (no shared or collinear segments, end capsules apart, labels clear), each exit with its
    labelled arrow out of the decision (target 0: the exit ends the procedure), and no
    crossing but in the few cases a joint decision filling all three lanes leaves no way
    round (FAMILY_CROSSINGS)."""
    project = decisions.project(tmp_path, targets, at, lane)
    sop = project.sops[0]
    for paper in ("A4", "F4"):
        layout = layout_sheet(sop, project.office, PAPER_MM[paper])
        check_sheet(sop, layout)
        key = (decisions.case_id(targets, at), lane != "lurah", paper)
        assert crossings(layout) == FAMILY_CROSSINGS.get(key, 0), key
        routes = [r for page in layout.pages for r in page.routes]
        assert [s for page in layout.pages for s in page.steps] == list(range(1, 8))
        out = {(r.label, r.target) for r in routes if r.source == at and r.label}
        exits = sop.step(at).decision.exits
        assert out == {(x.label, x.target or 0) for x in exits}
        ends = [sym for page in layout.pages for sym in page.symbols if sym.ends]
        assert sorted(sym.ends for sym in ends) == sorted(
            e.ident for e in flow.end_exits(sop) if e.source == at
        )
