"""Geometry of the swimlane diagram: lanes, rows, symbols, routed arrows."""

from __future__ import annotations

from itertools import combinations

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
    text_width,
    wrap_pt,
)
from generator.layout.geometry import segment_inside
from generator.loader import Project

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
    """The line ends where a word of `text` was cut without a hyphen."""
    words = set(text.split())
    found = []
    for a, b in zip(lines, lines[1:], strict=False):
        if a.endswith(("-", "/")) or not a.split() or not b.split():
            continue
        head = b.split()[0]
        if a.split()[-1] not in words or not any(w.startswith(head) for w in words):
            found.append(f"{a}|{b}")
    return found


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
        assert _letters("".join(n.lines)) == _letters(text)
        assert broken_without_hyphen(n.lines, text) == []
        assert n.lines[0].startswith(f"{n.step}.")
        for line in n.lines:
            assert text_width(line, FONT) <= n.w - 2 * PAD_X


def _letters(text: str) -> str:
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


def test_long_words_are_hyphenated_to_fit():
    word = "mengembalikannya" * 3
    lines, h = fit_label(f"3. {word} akhir", "box", 80)
    assert all(text_width(line, FONT) <= 80 - 2 * PAD_X for line in lines)
    assert _letters("".join(lines)) == f"3.{word}akhir"
    assert all(line.endswith("-") for line in lines[1:-2])
    assert wrap_pt("a " * 3, 50, 9) == ["a a a"]
