"""Geometry of the swimlane diagram ("diagram alir"), in points, y pointing down.

Pure and deterministic: lanes are equal-width vertical bands in the SOP's order, every step
has its own row in step order, and each step's symbol (capsule, box, decision) sits in the
column of each of its lanes. Text is measured and wrapped by `generator.layout.text` (the
sheet's wrap: Liberation Sans metrics, Indonesian hyphenation, never a word cut without a
hyphen), so a symbol grows to fit its text. A joint step prints its text once, in the symbol
of its first lane; its other symbols say only that the step is done together.

A decision is a wide hexagon (a diamond with its top and bottom tips cut off): its text sits
inside at nearly the lane's width, so a long question makes it a little taller, never a
needle, and its pointed sides still read as a decision's side exits.

Arrows are routed by the one `generator.layout.router.Router` the sheet uses: an A* search on
a grid of tracks (a few tracks beside each lane boundary, never closer than 1 mm to it, the
symbols' centre lines and the gaps between rows), where the inside of a symbol is closed and
arrows never share a segment. A decision exit's label sits beside its exit, inside the frame,
clear of every line, symbol and other label.

A decision exit that ends the procedure (`selesai`) is drawn as its own small end capsule in
a free cell of the decision's row (a neighbouring lane first); with no free lane left in the
row, capsules stand to the right of the last lane and the drawing widens. An outside party's
lane (`luar: true`) says so under its header label.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from generator.flow import Edge, edges
from generator.layout.geometry import Box, Point, segments
from generator.layout.labels import Along, Candidate, Obstacles, Score, along, around, best_place
from generator.layout.router import Port, Router
from generator.layout.sheet.grid import symbol_kind
from generator.layout.text import MM_PER_PT, text_width, wrap, wrap_shaped
from generator.model import Sop, text_blocks

Shape = Literal["capsule", "box", "diamond"]  # diamond: the decision, drawn as a hexagon
Side = Literal["top", "bottom", "left", "right"]

# --------------------------------------------------------------------------- dimensions (pt)

FONT = 9.0  # step labels
HEADER_FONT = 9.0  # lane headers (bold)
TITLE_FONT = 13.0  # SOP name (bold)
SUBTITLE_FONT = 9.0  # number and office
LABEL_FONT = 8.0  # exit labels ("Ya", "Tidak", "Lengkap", ...)
END_TEXT = "Selesai"  # the end capsule of an exit that ends the procedure
JOINT_TEXT = "(bersama)"  # a joint step's symbol in its other lanes, after the number
OUTSIDE_NOTE = "(pihak luar)"  # under the header of an outside party's lane
LINE = 1.2  # Graphviz line spacing, in font sizes
CONTENT_WIDTH = 540.0  # A4 portrait (595 pt) less margins
MIN_LANE_WIDTH = 110.0
INSET = 12.0  # from a lane boundary to a symbol: room for two tracks
PAD_X = 4.0  # text to symbol outline
PAD_Y = 5.0
ROW_GAP = 32.0  # between rows: room for horizontal tracks and arrowheads
HEADER_PAD = 5.0
TITLE_GAP = 10.0
CAPSULE_RADIUS = 16.0  # a full stadium up to two lines, rounder than a box beyond
DECISION_RATIO = 1.0  # a decision wider than tall when the drawing allows
MIN_HEIGHT: dict[Shape, float] = {"capsule": 26.0, "box": 28.0, "diamond": 34.0}
# Vertical tracks beside a lane boundary (never within 1 mm = 2.83 pt of it) and
# horizontal tracks in a row gap, around its middle.
BOUNDARY_TRACKS = (4.5, 8.0)
GAP_TRACKS = (0.0, -5.0, 5.0, -10.0, 10.0)
CAPSULE_TRACK = 4.0  # beside an end capsule right of the last lane
LABEL_SHARE = 0.62  # an exit label wraps at this share of a lane's width
LABEL_NARROWER = (1.0, 0.6, 0.35)  # shares of LABEL_SHARE a label may wrap at, in turn
LABEL_CLEAR = 1.5  # between an exit label and any line, symbol or other label
# Routing costs, in mm of arrow length (the router works in mm, like the sheet's).
OUT_COST: dict[Side, float] = {"bottom": 0.0, "left": 1.5, "right": 1.5, "top": 12.0}
BACK_OUT_COST: dict[Side, float] = {"bottom": 8.0, "left": 0.0, "right": 0.0, "top": 80.0}
IN_COST: dict[Side, float] = {"top": 0.0, "left": 4.0, "right": 4.0, "bottom": 30.0}
BACK_IN_COST: dict[Side, float] = {"top": 8.0, "left": 0.0, "right": 0.0, "bottom": 80.0}
EXTRA_PORT_COST = 6.0  # a decision's extra ports beside the middle of its top or bottom
MERGE_COST = 20.0  # ending on another arrow into the same symbol

# --------------------------------------------------------------------------- text


def pt(text: str, size: float, bold: bool = False) -> float:
    """Width of one line of text in points: `layout.text.text_width` (mm) converted."""
    return text_width(text, size, bold) / MM_PER_PT


def wrap_pt(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """`layout.text.wrap` for a width in points; at least one (maybe empty) line."""
    return wrap(text, width * MM_PER_PT, size, bold) or [""]


def capsule_radius(w: float, h: float) -> float:
    """Corner radius of a capsule: a full stadium while it is short."""
    return min(h / 2, w / 2, CAPSULE_RADIUS)


def band_width(shape: Shape, w: float, h: float, top: float, bottom: float) -> float:
    """Inner width of a symbol w x h over the horizontal band [top, bottom] (from its top).

    A decision is Graphviz's hexagon: pointed sides at mid-height, its top and bottom edges
    half the width."""
    far = max(abs(top - h / 2), abs(bottom - h / 2))
    if shape == "diamond":
        return w * (1 - far / h)
    if shape == "capsule":
        r = capsule_radius(w, h)
        straight = h / 2 - r
        if far <= straight:
            return w
        d = min(far - straight, r)
        return w - 2 * r + 2 * math.sqrt(r * r - d * d)
    return w


def fit_label(text: str, shape: Shape, width: float) -> tuple[list[str], float]:
    """Wrap a label inside a symbol `width` pt wide; return the lines and the symbol height
    (pt). The symbol grows a line at a time until every line fits its band."""
    line_h = FONT * LINE
    n = 1
    while True:
        h = max(MIN_HEIGHT[shape], n * line_h + 2 * PAD_Y)
        widths = _band_widths(shape, width, h, n)
        lines = wrap_shaped(text, [w * MM_PER_PT for w in widths], FONT) or [""]
        drawn = _band_widths(shape, width, h, len(lines))  # Graphviz centres the lines
        if len(lines) <= n and all(
            pt(line, FONT) <= wd for line, wd in zip(lines, drawn, strict=True)
        ):
            return lines, h
        if n > 400:
            raise ValueError(f"label does not fit: {text[:40]!r}")
        n += 1


def _band_widths(shape: Shape, width: float, h: float, n: int) -> list[float]:
    """Room for each of n centred lines inside the symbol (pt)."""
    line_h = FONT * LINE
    y0 = (h - n * line_h) / 2
    return [
        band_width(shape, width, h, y0 + i * line_h, y0 + (i + 1) * line_h) - 2 * PAD_X
        for i in range(n)
    ]


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Node:
    """One symbol: a step drawn in one of its lanes."""

    step: int
    lane: str
    lane_index: int
    shape: Shape
    x: float
    y: float
    w: float
    h: float
    lines: tuple[str, ...]
    end_exit: int = -1  # >= 0: the end capsule of this step's exit number end_exit

    @property
    def is_end_capsule(self) -> bool:
        """True for the capsule of a decision exit that ends the procedure."""
        return self.end_exit >= 0

    @property
    def cx(self) -> float:
        """Horizontal centre."""
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        """Vertical centre."""
        return self.y + self.h / 2

    @property
    def key(self) -> str:
        """Stable id, e.g. 's6_sekcam'; 'e6_2' for the end capsule of step 6's exit 2."""
        if self.is_end_capsule:
            return f"e{self.step}_{self.end_exit}"
        return f"s{self.step}_{self.lane}"

    @property
    def box(self) -> Box:
        """The symbol's bounding box."""
        return Box(self.x, self.y, self.x + self.w, self.y + self.h)

    def port(self, side: Side) -> Point:
        """Where an arrow leaves or enters on this side (diamond vertices, box midpoints)."""
        return {
            "top": (self.cx, self.y),
            "bottom": (self.cx, self.y + self.h),
            "left": (self.x, self.cy),
            "right": (self.x + self.w, self.cy),
        }[side]


@dataclass(frozen=True)
class Lane:
    """A lane: its band (full height) and its header box at the top."""

    id: str
    index: int
    label: str
    lines: tuple[str, ...]
    x: float
    w: float
    top: float
    bottom: float
    header_h: float
    outside: bool = False


@dataclass(frozen=True)
class Label:
    """Text beside an arrow ("Ya" / "Tidak"), by its centre."""

    text: str
    cx: float
    cy: float
    w: float
    h: float
    lines: tuple[str, ...] = ()  # the text wrapped (bold); () for one line

    @property
    def box(self) -> Box:
        """The label's box."""
        return Box(
            self.cx - self.w / 2, self.cy - self.h / 2, self.cx + self.w / 2, self.cy + self.h / 2
        )


@dataclass(frozen=True)
class Route:
    """A routed arrow of the flow: an orthogonal polyline from source port to target port."""

    edge: Edge
    source: str  # node key
    target: str
    points: tuple[Point, ...]
    label: Label | None

    @property
    def is_back(self) -> bool:
        """True for an arrow going up to an earlier step."""
        return self.edge.is_back


@dataclass(frozen=True)
class Link:
    """The undirected link joining two symbols of one joint step."""

    step: int
    source: str
    target: str
    points: tuple[Point, Point]


@dataclass(frozen=True)
class TextBlock:
    """A block of centred lines (the title)."""

    lines: tuple[str, ...]
    cx: float
    cy: float
    w: float
    h: float
    size: float


@dataclass(frozen=True)
class DiagramLayout:
    """Everything the renderer draws, in points, y down; (0, 0) is the top-left corner."""

    width: float
    height: float
    title: TextBlock
    subtitle: TextBlock
    lanes: tuple[Lane, ...]
    nodes: tuple[Node, ...]
    routes: tuple[Route, ...]
    links: tuple[Link, ...]

    def nodes_of(self, step: int) -> list[Node]:
        """The symbols of one step, left to right."""
        return [n for n in self.nodes if n.step == step]


# --------------------------------------------------------------------------- layout


_SHAPE_OF_KIND: dict[str, Shape] = {
    "decision": "diamond",
    "start": "capsule",
    "end": "capsule",
    "process": "box",
}


def step_shape(sop: Sop, number: int) -> Shape:
    """The sheet's symbol of a step (`symbol_kind`, the one rule) as a diagram shape: capsule
    for the start and every end, decision (hexagon) for a decision, else box."""
    return _SHAPE_OF_KIND[symbol_kind(sop, number)]


def lane_width(lane_count: int) -> float:
    """Equal lane width: A4 portrait content width shared, never narrower than the minimum."""
    return max(MIN_LANE_WIDTH, math.floor(CONTENT_WIDTH / lane_count))


def _title(sop: Sop, office_name: str, width: float) -> tuple[TextBlock, TextBlock]:
    title_lines = wrap_pt(sop.name.upper(), width, TITLE_FONT, bold=True)
    title_h = len(title_lines) * TITLE_FONT * LINE
    sub_text = f"Nomor SOP: {sop.number}  \u2022  {office_name}"
    sub_lines = wrap_pt(sub_text, width, SUBTITLE_FONT)
    sub_h = len(sub_lines) * SUBTITLE_FONT * LINE
    title = TextBlock(tuple(title_lines), width / 2, title_h / 2, width, title_h, TITLE_FONT)
    subtitle = TextBlock(
        tuple(sub_lines), width / 2, title_h + 2 + sub_h / 2, width, sub_h, SUBTITLE_FONT
    )
    return title, subtitle


def _headers(sop: Sop, lw: float) -> list[list[str]]:
    return [
        wrap_pt(sop.lanes[i], lw - 2 * HEADER_PAD, HEADER_FONT, bold=True)
        + ([OUTSIDE_NOTE] if i in sop.outside_lanes else [])
        for i in sop.lane_ids
    ]


def _row(sop: Sop, number: int, lw: float, top: float) -> list[Node]:
    """The symbols of one step, in lane order, their centres on one line: the step's text in
    its first lane's symbol, a short joint mark in the others. A decision of one lane whose
    text would make it taller than DECISION_RATIO x its width widens over its neighbours."""
    ids = sop.lane_ids
    step = sop.step(number)
    shape = step_shape(sop, number)
    w = lw - 2 * INSET
    text = f"{number}. {flat_text(step.description)}"
    main, main_h = fit_label(text, shape, w)
    main_w = w
    if shape == "diamond" and len(step.actors) == 1:
        main, main_h, main_w = _wide_decision(text, w, lw * len(ids) - 2 * INSET, lw / 2)
    other, other_h = fit_label(f"{number}. {JOINT_TEXT}", shape, w)
    row_h = max(main_h, other_h if len(step.actors) > 1 else 0.0)
    nodes = []
    for lane in sorted(step.actors, key=ids.index):
        is_main = lane == step.actors[0]
        lines, h, nw = (main, main_h, main_w) if is_main else (other, other_h, w)
        k = ids.index(lane)
        x = min(max(k * lw + lw / 2 - nw / 2, INSET), lw * len(ids) - INSET - nw)
        y = top + (row_h - h) / 2
        nodes.append(Node(number, lane, k, shape, x, y, nw, h, tuple(lines)))
    return nodes


def _wide_decision(
    text: str, width: float, most: float, step: float
) -> tuple[list[str], float, float]:
    """A decision's lines, height and width (pt): `width` grown by `step` while the symbol
    is taller than DECISION_RATIO x its width and `most` allows."""
    lines, h = fit_label(text, "diamond", width)
    while h > DECISION_RATIO * width and width + step <= most:
        width += step
        lines, h = fit_label(text, "diamond", width)
    return lines, h, width


def layout_diagram(sop: Sop, office_name: str) -> DiagramLayout:
    """The whole diagram of one SOP (points, y down)."""
    ids = sop.lane_ids
    lw = lane_width(len(ids))
    width = lw * len(ids)
    title, subtitle = _title(sop, office_name, width)
    header_top = subtitle.cy + subtitle.h / 2 + TITLE_GAP
    headers = _headers(sop, lw)
    header_h = max(len(h) for h in headers) * HEADER_FONT * LINE + 2 * HEADER_PAD
    nodes: list[Node] = []
    gap_y: list[float] = [header_top + header_h + ROW_GAP / 2]
    y = header_top + header_h + ROW_GAP
    for step in sop.steps:
        row = _row(sop, step.number, lw, y)
        nodes += row
        y += max(n.y + n.h for n in row) - y + ROW_GAP
        gap_y.append(y - ROW_GAP / 2)
    height = y
    ends, width = _end_capsules(sop, nodes, lw, width)
    lanes = tuple(
        Lane(
            lane,
            k,
            sop.lanes[lane],
            tuple(headers[k]),
            k * lw,
            lw,
            header_top,
            height,
            header_h,
            lane in sop.outside_lanes,
        )  # fmt: skip
        for k, lane in enumerate(ids)
    )
    links = _links(nodes)
    all_nodes = nodes + [capsule for capsule, _ in ends]
    frame = Box(0.0, header_top + header_h, width, height)
    routes = DiagramRouter(sop, lanes, all_nodes, gap_y, frame).route_all(
        {e: c for c, e in ends}, links
    )
    return DiagramLayout(width, height, title, subtitle, lanes, tuple(all_nodes), routes, links)


def flat_text(text: str) -> str:
    """A multi-line text on one line for a symbol: list items marked inline ("• a; • b")."""
    parts = []
    for block in text_blocks(text):
        if block.kind == "bullet":
            parts.append(f"\u2022 {block.text}")
        elif block.kind == "number":
            parts.append(f"{block.marker} {block.text}")
        else:
            parts.append(block.text)
    return " ".join(parts)


def _end_capsules(
    sop: Sop, nodes: list[Node], lw: float, width: float
) -> tuple[list[tuple[Node, Edge]], float]:
    """End capsules with their exits, and the (maybe widened) drawing width.

    A capsule goes in a neighbouring lane of the decision's row whose cell is free (right
    first), else in the nearest free cell of the row, or right of the last lane when the
    row is full.
    """
    lane_count = round(width / lw)
    capsules: list[tuple[Node, Edge]] = []
    w = pt(END_TEXT, FONT) + 2 * PAD_X + 12
    h = MIN_HEIGHT["capsule"]
    for edge in edges(sop):
        if edge.target is not None:
            continue
        row = [n for n in nodes if n.step == edge.source]
        joint = range(int(min(n.x for n in row) // lw), int(max(n.x + n.w for n in row) // lw) + 1)
        taken = set(joint) | {c.lane_index for c, _ in capsules if c.step == edge.source}
        decision = row[0]
        lane = _free_cell(decision.lane_index, taken, lane_count)
        x = _cell_x(lane, lane_count, lw, w)
        width = max(width, x + w + INSET)
        lane_id = sop.lane_ids[lane] if lane < lane_count else decision.lane
        capsule = Node(
            edge.source, lane_id, lane, "capsule", x, decision.cy - h / 2, w, h,
            (END_TEXT,), edge.index,
        )  # fmt: skip
        capsules.append((capsule, edge))
    return capsules, width


def _free_cell(lane_index: int, taken: set[int], lane_count: int) -> int:
    """The free lane of a row nearest to `lane_index` (right first), else the first free
    column right of the last lane (index lane_count and up)."""
    free = [k for k in range(lane_count) if k not in taken]
    if free:
        return min(free, key=lambda k: (abs(k - lane_index), k < lane_index))
    return next(k for k in range(lane_count, lane_count + len(taken) + 1) if k not in taken)


def _cell_x(lane: int, lane_count: int, lw: float, w: float) -> float:
    """Left edge of an end capsule of width w: centred in its lane, or in column `lane`
    right of the last lane."""
    if lane < lane_count:
        return lane * lw + (lw - w) / 2
    gap = lw * LABEL_SHARE + 2 * INSET  # room for the exit's label before the capsule
    return lane_count * lw + gap + (lane - lane_count) * (w + gap)


def _links(nodes: list[Node]) -> tuple[Link, ...]:
    found: list[Link] = []
    by_step: dict[int, list[Node]] = {}
    for n in nodes:
        by_step.setdefault(n.step, []).append(n)
    for step, members in by_step.items():
        members.sort(key=lambda n: n.lane_index)
        for a, b in zip(members, members[1:], strict=False):
            found.append(Link(step, a.key, b.key, (a.port("right"), b.port("left"))))
    return tuple(found)


# --------------------------------------------------------------------------- routing

_SIDES: tuple[Side, ...] = ("bottom", "left", "right", "top")
_EXTRA_SIDES = ("bottom-l", "bottom-r", "top-l", "top-r")
_AHEAD: dict[Side, tuple[int, int]] = {
    "top": (0, -1),
    "bottom": (0, 1),
    "left": (-1, 0),
    "right": (1, 0),
}


def _mm(box: Box) -> Box:
    return Box(box.x0 * MM_PER_PT, box.y0 * MM_PER_PT, box.x1 * MM_PER_PT, box.y1 * MM_PER_PT)


def _key(value_pt: float) -> float:
    return round(value_pt * MM_PER_PT, 2)


class DiagramRouter:
    """Routes every flow edge of a diagram with the shared `Router` (run in mm on the
    diagram's tracks) and places the exit labels."""

    def __init__(
        self,
        sop: Sop,
        lanes: Sequence[Lane],
        nodes: Sequence[Node],
        gap_y: Sequence[float],
        frame: Box,
    ):
        """`nodes`: every symbol (end capsules included); `gap_y`: the middle of each gap
        between rows (pt); `frame`: the lanes' area below the headers (pt)."""
        self.sop = sop
        self.nodes = list(nodes)
        self.frame = frame
        self.boundaries = [lane.x for lane in lanes] + [lanes[-1].x + lanes[-1].w]
        self.label_width = lanes[0].w * LABEL_SHARE
        self.xs = self._xs()
        self.ys = sorted({round(y, 2) for y in self._ys(gap_y)})
        self.router = Router(
            [x * MM_PER_PT for x in self.xs],
            [y * MM_PER_PT for y in self.ys],
            [_mm(n.box) for n in self.nodes],  # the symbols close the grid nodes inside them
        )
        self.back = {_key(v): v for v in self.xs + self.ys}
        for n in self.nodes:
            for v in (n.x, n.x + n.w, n.y, n.y + n.h, n.cx, n.cy):
                self.back[_key(v)] = v
        for x in self.xs:  # the exact track, not a symbol edge a rounding away
            self.back[_key(x)] = x

    def _xs(self) -> list[float]:
        xs: set[float] = set()
        for b in self.boundaries:
            for t in BOUNDARY_TRACKS:
                xs |= {x for x in (b - t, b + t) if self.frame.x0 < x < self.frame.x1}
        for n in self.nodes:
            xs.add(n.cx)
            if n.shape == "diamond":  # the extra ports on its flat edges
                xs |= {n.cx - n.w / 6, n.cx + n.w / 6}
            if n.x > self.boundaries[-1]:  # an end capsule right of the last lane
                xs |= {n.x - CAPSULE_TRACK, n.x + n.w + CAPSULE_TRACK}
        return sorted({round(x, 2) for x in xs})

    def _ys(self, gap_y: Sequence[float]) -> list[float]:
        ys = [g + t for g in gap_y for t in GAP_TRACKS]
        return [y for y in ys if self.frame.y0 < y < self.frame.y1] + [n.cy for n in self.nodes]

    def port(self, index: int, side: str) -> Port | None:
        """The router's port on one side of a symbol, None when no track lies in front.

        `side` is top, bottom, left, right, or for a decision also top-l, top-r, bottom-l,
        bottom-r: on its flat top or bottom edge, a sixth of its width off the middle (a
        decision with more exits than its vertices can take)."""
        n = self.nodes[index]
        edge, _, shift = side.partition("-")
        px, py = n.port(edge)  # type: ignore[arg-type]
        if shift:
            px = round(px + (n.w / 6 if shift == "r" else -n.w / 6), 2)
        if edge in ("top", "bottom"):
            j = _nearest(self.ys, n.y, n.y + n.h, edge == "bottom")
            node = (self.xs.index(round(px, 2)), j)
        else:
            i = _nearest(self.xs, n.x, n.x + n.w, side == "right")
            node = (i, self.ys.index(round(n.cy, 2)))
        if node[0] < 0 or node[1] < 0:
            return None
        return Port(index, side, (px * MM_PER_PT, py * MM_PER_PT), node, _AHEAD[edge])

    def _claim_links(self, links: Sequence[Link]) -> None:
        index = {n.key: i for i, n in enumerate(self.nodes)}
        for link in links:
            a, b = self.port(index[link.source], "right"), self.port(index[link.target], "left")
            if a is None or b is None:
                continue
            self.router.claim_line(self.router.point(a.node), self.router.point(b.node))
            self.router.used_ports |= {(a.symbol, a.side), (b.symbol, b.side)}

    def _ports(self, step: int, end: Node | None, costs: dict[Side, float]) -> list:
        chosen = [end] if end is not None else []
        if end is None:
            chosen = [n for n in self.nodes if n.step == step and not n.is_end_capsule]
        found = []
        for n in chosen:
            extra = _EXTRA_SIDES if n.shape == "diamond" else ()
            for side in (*_SIDES, *extra):
                port = self.port(self.nodes.index(n), side)
                if port is not None:
                    found.append(
                        (port, costs[side.partition("-")[0]] + EXTRA_PORT_COST * (side in extra))
                    )  # type: ignore[index]
        return found

    def route_all(self, ends: dict[Edge, Node], links: Sequence[Link]) -> tuple[Route, ...]:
        """Every flow edge routed in flow order, then the exit labels placed."""
        self._claim_links(links)
        routes = [self._route(e, ends.get(e)) for e in sorted(edges(self.sop), key=_order)]
        return tuple(self._labelled(routes, links))

    def _route(self, edge: Edge, end: Node | None) -> Route:
        sources = self._ports(edge.source, None, BACK_OUT_COST if edge.is_back else OUT_COST)
        into = BACK_IN_COST if edge.is_back else IN_COST
        targets = self._ports(edge.target or 0, end, into)
        found = self.router.route(sources, targets)
        points = found[0] if found else self.router.route_loose(sources, targets)
        source = _at(sources, points[0])
        target = _at(targets, points[-1])
        pts = tuple((self.back[round(x, 2)], self.back[round(y, 2)]) for x, y in points)
        return Route(edge, self.nodes[source].key, self.nodes[target].key, pts, None)

    # ---- labels

    def _labelled(self, routes: list[Route], links: Sequence[Link]) -> list[Route]:
        lines = [s for r in routes for s in segments(r.points)]
        lines += [link.points for link in links]
        lines += [((b, self.frame.y0), (b, self.frame.y1)) for b in self.boundaries]
        placed: list[Box] = []
        out = []
        for r in routes:
            label = self._place(r, lines, placed) if r.edge.label else None
            if label is not None:
                placed.append(label.box)
            out.append(Route(r.edge, r.source, r.target, r.points, label))
        return out

    def _place(self, route: Route, lines: list[tuple[Point, Point]], placed: list[Box]) -> Label:
        """The first spot beside the exit (along its segments) that is inside the frame and
        clear of every line, symbol and label, the text wrapped wide, then narrower; failing
        that, the nearest clear spot around the exit (labels.best_place)."""
        f = self.frame
        obstacles = Obstacles(
            lines=lines,
            boxes=[n.box.grow(0 if n.key == route.source else 1.0) for n in self.nodes],
            frame=Box(f.x0 + 1, f.y0 + 1, f.x1 - 1, f.y1 - 1),
            clear=LABEL_CLEAR - 0.01,
            outside=len(lines) + len(self.nodes) + len(placed) + 1,  # worse than any touch
            placed=placed,
        )
        shapes = [self._shape(route.edge.label, share) for share in LABEL_NARROWER]
        tried = [(wrapped, _beside(route, w, h)) for wrapped, w, h in shapes]
        tried.append((shapes[0][0], _around(route, shapes[0][1], shapes[0][2])))
        best: tuple[Score, Box, tuple[str, ...]] | None = None
        for wrapped, batch in tried:
            found = best_place([batch], obstacles, ordered=True)
            if found is not None and (best is None or found[0] < best[0]):
                best = (*found, wrapped)
            if best is not None and best[0][0] == 0:
                break
        assert best is not None
        box = best[1]
        return Label(route.edge.label, box.cx, box.cy, box.w, box.h, best[2])

    def _shape(self, text: str, share: float) -> tuple[tuple[str, ...], float, float]:
        """The label's lines, width and height (pt) wrapped at `share` of its widest."""
        wrapped = tuple(wrap_pt(text, self.label_width * share, LABEL_FONT, bold=True))
        w = max(pt(t, LABEL_FONT, bold=True) for t in wrapped) + 4
        return wrapped, w, len(wrapped) * LABEL_FONT * LINE


def _beside(route: Route, w: float, h: float) -> Callable[[], list[Candidate]]:
    """Spots beside every segment of the route from its exit on, a step of 4 pt, the first
    segment walked at least 24 pt however short, every spot of a segment before the next."""
    how = Along(LABEL_CLEAR + 0.5, 4.0, 2.0, 2.0, 2.0, 24.0, 1e6, None)
    return lambda: along(route.points, w, h, how)


def _around(route: Route, w: float, h: float) -> Callable[[], list[Candidate]]:
    """Spots on a 4 pt grid around the exit, nearest first, none centred on the exit."""
    ex, ey = route.points[0]

    def keep(box: Box) -> float | None:
        return None if abs(box.cx - ex) < w / 2 and abs(box.cy - ey) < h / 2 else 0.0

    return lambda: sorted(around(route.points[0], w, h, 4.0, (40, 20), keep), key=lambda c: c[0])


def _at(ports: Sequence[tuple[Port, float]], point: Point) -> int:
    """The symbol whose port lies at `point` (mm, rounded as the router's paths)."""
    return next(p.symbol for p, _ in ports if (round(p.point[0], 2), round(p.point[1], 2)) == point)


def _order(edge: Edge) -> tuple[int, int]:
    return (edge.source, edge.index)


def _nearest(values: Sequence[float], low: float, high: float, after: bool) -> int:
    """Index of the value nearest above `high` (after) or below `low`; -1 when none."""
    if after:
        return next((i for i, v in enumerate(values) if v > high + 0.01), -1)
    return max((i for i, v in enumerate(values) if v < low - 0.01), default=-1)
