"""Geometry of the swimlane diagram: lanes, rows, symbols, routed arrows."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest

from generator.flow import edges, is_end
from generator.layout.diagram import (
    FONT,
    INSET,
    JOINT_TEXT,
    PAD_X,
    DiagramLayout,
    Node,
    Point,
    fit_label,
    flat_text,
    layout_diagram,
    pt,
    wrap_pt,
)
from generator.layout.geometry import Box, box_segment_distance, segment_inside
from generator.loader import Project, load_project

PROJECTS = ["seed_project", "sulteng_project", "besar_project"]


def _layout(project: Project) -> tuple[DiagramLayout, object]:
    sop = project.sops[0]
    return layout_diagram(sop, project.office.name_on_sheet), sop


@pytest.fixture(params=PROJECTS)
def laid_out(request: pytest.FixtureRequest) -> tuple[DiagramLayout, object]:
    """Each fixture SOP with its diagram layout."""
    return _layout(request.getfixturevalue(request.param))


def segment_hits_box(a: Point, b: Point, n: Node) -> bool:
    """True when an axis-parallel segment passes through the inside of a symbol (0.5 pt in)."""
    return segment_inside(n.box.grow(-0.5), a, b)


def broken_without_hyphen(lines: list[str] | tuple[str, ...], text: str) -> list[str]:
    """The pieces of the lines that are not whole words of `text`: a word may only go on to
    the next line after a hyphen (added, or its own) or a slash."""
    words, i, pending, bad = text.split(), 0, "", []
    for line in lines:
        tokens = line.split()
        for k, token in enumerate(tokens):
            piece = pending + token
            pending = ""
            word = words[i] if i < len(words) else ""
            if piece == word:
                i += 1
            elif k == len(tokens) - 1 and piece.endswith(("-", "/")) and word.startswith(piece):
                pending = piece  # the word's own hyphen or slash
            elif k == len(tokens) - 1 and piece.endswith("-") and word.startswith(piece[:-1]):
                pending = piece[:-1]  # a hyphen added where the word was cut
            else:
                bad.append(piece)
    return bad + ([pending] if pending else [])


def test_lanes_follow_the_sop_order_with_equal_width_and_full_height(laid_out):
    layout, sop = laid_out
    assert [lane.id for lane in layout.lanes] == sop.lane_ids
    assert [lane.label for lane in layout.lanes] == [sop.lanes[i] for i in sop.lane_ids]
    widths = {lane.w for lane in layout.lanes}
    assert len(widths) == 1
    for left, right in zip(layout.lanes, layout.lanes[1:], strict=False):
        assert right.x == pytest.approx(left.x + left.w)
    assert all(lane.bottom == layout.height for lane in layout.lanes)
    assert layout.lanes[-1].x + layout.lanes[-1].w == pytest.approx(layout.width)


def test_each_step_sits_in_each_of_its_lanes(laid_out):
    layout, sop = laid_out
    lanes = {lane.id: lane for lane in layout.lanes}
    for step in sop.steps:
        nodes = layout.nodes_of(step.number)
        assert [n.lane for n in nodes] == [a for a in sop.lane_ids if a in step.actors]
        for n in nodes:
            lane = lanes[n.lane]
            if n.shape == "diamond" and len(nodes) == 1:  # a wide decision: centred on its lane
                assert lane.x < n.cx < lane.x + lane.w
                assert n.x >= INSET - 0.01 and n.x + n.w <= layout.width - INSET + 0.01
                continue
            assert lane.x + INSET - 3 <= n.x and n.x + n.w <= lane.x + lane.w - INSET + 3


def test_rows_run_top_to_bottom_in_step_order_without_overlap(laid_out):
    layout, sop = laid_out
    rows = [layout.nodes_of(s.number) for s in sop.steps]
    for row in rows:
        assert len({n.cy for n in row}) == 1
    for upper, lower in zip(rows, rows[1:], strict=False):
        assert max(n.y + n.h for n in upper) + 20 <= min(n.y for n in lower)
    header_bottom = layout.lanes[0].top + layout.lanes[0].header_h
    assert rows[0][0].y > header_bottom


def test_no_two_symbols_overlap(laid_out):
    layout, _ = laid_out
    for a, b in combinations(layout.nodes, 2):
        assert a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y, (
            a.key,
            b.key,
        )


def test_shapes_follow_the_sheet(laid_out):
    layout, sop = laid_out
    for n in layout.nodes:
        if sop.step(n.step).is_decision:
            assert n.shape == "diamond"
        elif n.step == 1 or is_end(sop, n.step):
            assert n.shape == "capsule"
        else:
            assert n.shape == "box"


def test_labels_are_numbered_and_fit_their_symbol(laid_out):
    layout, sop = laid_out
    for n in layout.nodes:
        if n.is_end_capsule:
            continue
        step = sop.step(n.step)
        main = n.lane == step.actors[0]
        text = f"{n.step}. {flat_text(step.description)}" if main else f"{n.step}. {JOINT_TEXT}"
        assert connector_letters("".join(n.lines)) == connector_letters(text)
        assert broken_without_hyphen(n.lines, text) == []
        assert n.lines[0].startswith(f"{n.step}.")
        for line in n.lines:
            assert pt(line, FONT) <= n.w - 2 * PAD_X


def connector_letters(text: str) -> str:
    return "".join(text.split()).replace("-", "")


def test_one_route_per_flow_edge_and_one_link_per_joint_pair(laid_out):
    layout, sop = laid_out
    assert [r.edge for r in sorted(layout.routes, key=lambda r: r.edge.source)] == sorted(
        edges(sop), key=lambda e: e.source
    )
    assert len(layout.links) == sum(len(s.actors) - 1 for s in sop.steps)


def test_routes_are_orthogonal_and_never_cross_a_symbol(laid_out):
    layout, _ = laid_out
    for route in layout.routes:
        for a, b in zip(route.points, route.points[1:], strict=False):
            assert a[0] == b[0] or a[1] == b[1], route
            for n in layout.nodes:
                assert not segment_hits_box(a, b, n), (route.edge, n.key)
    for link in layout.links:
        a, b = link.points
        for n in layout.nodes:
            assert not segment_hits_box(a, b, n), (link, n.key)


def _overlap(s1: tuple[Point, Point], s2: tuple[Point, Point]) -> bool:
    (a, b), (c, d) = s1, s2
    if a[0] == b[0] == c[0] == d[0]:
        lo1, hi1 = sorted((a[1], b[1]))
        lo2, hi2 = sorted((c[1], d[1]))
    elif a[1] == b[1] == c[1] == d[1]:
        lo1, hi1 = sorted((a[0], b[0]))
        lo2, hi2 = sorted((c[0], d[0]))
    else:
        return False
    return min(hi1, hi2) - max(lo1, lo2) > 1


def test_arrows_to_different_steps_never_run_on_top_of_each_other(laid_out):
    layout, _ = laid_out
    for r1, r2 in combinations(layout.routes, 2):
        if r1.target == r2.target:
            continue  # arrows into one symbol may merge
        for s1 in zip(r1.points, r1.points[1:], strict=False):
            for s2 in zip(r2.points, r2.points[1:], strict=False):
                assert not _overlap(s1, s2), (r1.edge, r2.edge)


def test_back_edges_enter_from_the_side(besar_project):
    layout, _ = _layout(besar_project)
    nodes = {n.key: n for n in layout.nodes}
    back = [r for r in layout.routes if r.is_back]
    assert {(r.edge.source, r.edge.target) for r in back} == {(5, 3), (20, 18), (27, 25)}
    for r in back:
        src, dst = nodes[r.source], nodes[r.target]
        assert r.points[-1][1] == dst.cy  # a loop enters its target from the side
        assert r.points[-1][0] in (dst.x, dst.x + dst.w)
        assert r.points[0] in (src.port("left"), src.port("right"), src.port("top"))


def test_decision_exits_are_labelled_outside_the_diamond(laid_out):
    layout, sop = laid_out
    nodes = {n.key: n for n in layout.nodes}
    for r in layout.routes:
        if not sop.step(r.edge.source).is_decision:
            assert r.label is None
            continue
        assert r.label is not None and r.label.text in ("Ya", "Tidak")
        d = nodes[r.source]
        # the label's box stays outside the diamond (|dx|/(w/2) + |dy|/(h/2) >= 1 at corners)
        lab = r.label
        for x in (lab.cx - lab.w / 2, lab.cx + lab.w / 2):
            for y in (lab.cy - lab.h / 2, lab.cy + lab.h / 2):
                inside = abs(x - d.cx) / (d.w / 2) + abs(y - d.cy) / (d.h / 2)
                assert inside >= 0.99 or not (d.x < x < d.x + d.w), (r.edge, inside)


def test_seed_geometry_is_stable(seed_project):
    layout, _ = _layout(seed_project)
    again, _ = _layout(seed_project)
    assert layout == again
    six_to_five = next(r for r in layout.routes if r.edge.target == 5 and r.edge.source == 6)
    assert six_to_five.is_back and six_to_five.label.text == "Tidak"
    five = next(n for n in layout.nodes if n.key == six_to_five.target)
    assert six_to_five.points[-1] in (five.port("left"), five.port("right"))


def test_a_word_cut_without_hyphen_is_found():
    text = "berkas mengembalikannya ke pemohon dan/atau kuasa"
    assert broken_without_hyphen(
        ["berkas mengembalikanny", "a ke pemohon dan/", "atau kuasa"], text
    )
    fine = ["berkas mengem-", "balikannya ke", "pemohon dan/", "atau kuasa"]
    assert broken_without_hyphen(fine, text) == []


def test_long_words_are_hyphenated_to_fit():
    word = "mengembalikannya" * 3
    lines, h = fit_label(f"3. {word} akhir", "box", 80)
    assert all(pt(line, FONT) <= 80 - 2 * PAD_X for line in lines)
    assert connector_letters("".join(lines)) == f"3.{word}akhir"
    assert all(line.endswith("-") for line in lines[1:-2])
    assert wrap_pt("a " * 3, 50, 9) == ["a a a"]


# --------------------------------------------------------------------------- every SOP we have

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
# The real SOPs as committed, and the shared copy beside the checkout (../shared/real-sops)
# when there is one.
SHARED = [p / "real-sops" for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared")]
DATA = sorted(
    {
        ROOT / "sop_data",
        *(p.parent for p in FIXTURES.glob("*/instansi.yaml")),
        *(p.parent for p in FIXTURES.glob("real-sops/*/instansi.yaml")),
        *(p.parent for s in SHARED for p in s.glob("*/instansi.yaml")),
    }
)
MM = 72 / 25.4


def _all_layouts() -> list[tuple[str, DiagramLayout, object]]:
    found = []
    for folder in DATA:
        project = load_project(folder)
        for sop in project.sops:
            name = f"{folder.relative_to(folder.parent.parent)}/{sop.slug}"
            found.append((name, layout_diagram(sop, project.office.name_on_sheet), sop))
    return found


@pytest.fixture(scope="module")
def every_layout() -> list[tuple[str, DiagramLayout, object]]:
    """Every SOP of every data folder we have, laid out."""
    return _all_layouts()


def test_every_sop_is_covered(every_layout):
    names = {name.split("/")[1] for name, _, _ in every_layout}
    assert {"kel-pulutan", "dpmptsp-wajo", "besar", "sop_data"} <= names | {"sop_data"}
    assert len(every_layout) >= 12


def test_decisions_keep_a_readable_proportion(every_layout):
    for name, layout, _ in every_layout:
        for n in layout.nodes:
            if n.shape == "diamond":
                assert n.h <= 2 * n.w, (name, n.key, n.w, n.h)


def test_no_arrow_runs_within_1_mm_of_a_lane_boundary(every_layout):
    for name, layout, _ in every_layout:
        bounds = [lane.x for lane in layout.lanes] + [layout.lanes[-1].x + layout.lanes[-1].w]
        for r in layout.routes:
            for a, b in zip(r.points, r.points[1:], strict=False):
                if a[0] != b[0]:
                    continue  # a horizontal run crosses a boundary, never runs along it
                near = [x for x in bounds if abs(a[0] - x) < MM]
                assert not near, (name, r.edge, a, b)


def test_no_arrow_crosses_a_symbol(every_layout):
    for name, layout, _ in every_layout:
        for r in layout.routes:
            for a, b in zip(r.points, r.points[1:], strict=False):
                for n in layout.nodes:
                    assert not segment_hits_box(a, b, n), (name, r.edge, n.key)


def test_exit_labels_lie_inside_the_frame_and_on_no_line(every_layout):
    for name, layout, _ in every_layout:
        lane = layout.lanes[0]
        frame = Box(0.0, lane.top + lane.header_h, layout.width, layout.height)
        lines = [s for r in layout.routes for s in zip(r.points, r.points[1:], strict=False)]
        lines += [link.points for link in layout.links]
        lines += [((x.x, frame.y0), (x.x, frame.y1)) for x in layout.lanes[1:]]
        labels = [r.label for r in layout.routes if r.label is not None]
        assert len(labels) == sum(1 for r in layout.routes if r.edge.label), name
        for lb in labels:
            box = lb.box
            assert frame.x0 <= box.x0 and box.x1 <= frame.x1, (name, lb.text)
            assert frame.y0 <= box.y0 and box.y1 <= frame.y1, (name, lb.text)
            for a, b in lines:
                assert box_segment_distance(box, a, b) > 0.5, (name, lb.text, a, b)
            for n in layout.nodes:
                assert not box.overlaps(n.box), (name, lb.text, n.key)
        for a, b in combinations(labels, 2):
            assert not a.box.overlaps(b.box), (name, a.text, b.text)


def test_no_word_is_broken_without_a_hyphen(every_layout):
    for name, layout, sop in every_layout:
        for n in layout.nodes:
            if n.is_end_capsule:
                continue
            text = f"{n.step}. {flat_text(sop.step(n.step).description)}"
            if n.lane != sop.step(n.step).actors[0]:
                text = f"{n.step}. {JOINT_TEXT}"
            assert broken_without_hyphen(n.lines, text) == [], (name, n.key)
            assert connector_letters("".join(n.lines)) == connector_letters(text), (name, n.key)


def test_a_joint_step_prints_its_text_once(every_layout):
    joint = 0
    for name, layout, sop in every_layout:
        for step in sop.steps:
            nodes = layout.nodes_of(step.number)
            texts = [n for n in nodes if not n.is_end_capsule and JOINT_TEXT not in n.lines[0]]
            assert len(texts) == 1, (name, step.number)
            assert texts[0].lane == step.actors[0]
            joint += len(step.actors) > 1
    assert joint >= 3


def test_decision_exits_leave_apart(every_layout):
    many = 0
    for name, layout, sop in every_layout:
        for step in sop.steps:
            if not step.is_decision:
                continue
            starts = [r.points[0] for r in layout.routes if r.edge.source == step.number]
            assert len(set(starts)) == len(starts), (name, step.number, starts)
            many += len(starts) >= 3
    assert many >= 2  # kel-pulutan's 3- and 4-exit decisions
