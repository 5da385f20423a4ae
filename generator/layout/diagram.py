"""Geometry of the swimlane diagram ("diagram alir"), in points, y pointing down.

Pure and deterministic: lanes are equal-width vertical bands in the SOP's order, every step
has its own row in step order, and each step's symbol (capsule, box, diamond) sits in the
column of each of its lanes. Labels are wrapped here with Arial metrics (Liberation Sans is
metric-compatible), so the symbol grows to fit its text.

Arrows are routed here too, on a Manhattan grid of free corridors: the horizontal gaps
between rows and the vertical margins beside each lane boundary hold no symbol, so an arrow
that only runs inside them can never cross a symbol. Parallel runs in the same corridor get
separate tracks. Back edges leave from the side of a symbol and climb in a corridor, so a
reader sees the loop apart from the downward flow.

A decision exit that ends the procedure (`selesai`) is drawn as its own small end capsule
beside the diamond, in a free cell of the same row: in a neighbouring lane it is reached by a
straight arrow from a free side vertex; otherwise (the side is taken, or the neighbouring lane
holds a symbol) the router draws its arrow like any other, through the row gap below, into
the capsule's bottom. With no free lane left in the row, capsules stand to the right of the
last lane and the drawing widens. An outside party's lane (`luar: true`) says so under its
header label.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

from generator.flow import Edge, edges, is_end
from generator.layout.geometry import Point, simplify_path
from generator.layout.text import font
from generator.model import Sop, text_blocks

Shape = Literal["capsule", "box", "diamond"]
Side = Literal["top", "bottom", "left", "right"]

# --------------------------------------------------------------------------- dimensions (pt)

FONT = 9.0  # step labels
HEADER_FONT = 9.0  # lane headers (bold)
TITLE_FONT = 13.0  # SOP name (bold)
SUBTITLE_FONT = 9.0  # number and office
LABEL_FONT = 8.0  # exit labels ("Ya", "Tidak", "Lengkap", ...)
END_TEXT = "Selesai"  # the end capsule of an exit that ends the procedure
OUTSIDE_NOTE = "(pihak luar)"  # under the header of an outside party's lane
LINE = 1.2  # Graphviz line spacing, in font sizes
CONTENT_WIDTH = 540.0  # A4 portrait (595 pt) less margins
MIN_LANE_WIDTH = 110.0
INSET = 12.0  # from a lane boundary to a box or capsule: room for corridor tracks
DIAMOND_INSET = 9.0  # a diamond's side vertices may come closer: no track reaches them
PAD_X = 4.0  # text to symbol outline
PAD_Y = 5.0
ROW_GAP = 32.0  # between rows: room for horizontal tracks and arrowheads
HEADER_PAD = 5.0
TITLE_GAP = 10.0
CAPSULE_RADIUS = 16.0  # a full stadium up to two lines, rounder than a box beyond
MIN_HEIGHT: dict[Shape, float] = {"capsule": 26.0, "box": 28.0, "diamond": 44.0}
# Off the lane line first (an arrow on it would hide it); never further than DIAMOND_INSET - 1.
CORRIDOR_TRACKS = (-4.0, 4.0, -8.0, 8.0, 0.0)
LEFT_TRACKS = (5.0, 8.0, 2.0)
RIGHT_TRACKS = (-5.0, -8.0, -2.0)
GAP_TRACKS = (0.0, -5.0, 5.0, -10.0)
TRACK_CLEARANCE = 4.0

# --------------------------------------------------------------------------- text


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of one line of text in points."""
    return font(bold).width_pt(text, size)


def _fill_lines(words: list[str], widths: list[float], size: float, bold: bool) -> list[str] | None:
    """Greedy fill of words into lines of the given widths; None when they do not fit."""
    lines: list[str] = []
    queue = list(words)
    for width in widths:
        line = ""
        while queue:
            candidate = f"{line} {queue[0]}" if line else queue[0]
            if text_width(candidate, size, bold) <= width:
                line = candidate
                queue.pop(0)
            elif line:
                break
            else:
                return None
        lines.append(line)
        if not queue:
            return [ln for ln in lines if ln] or [""]
    return None


def _longest_prefix(word: str, width: float, size: float, bold: bool) -> int:
    used = 0.0
    for i, char in enumerate(word):
        used += text_width(char, size, bold)
        if used > width:
            return i
    return len(word)


def split_long_words(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """The words of a text; a word wider than `width` is cut into pieces that fit."""
    width = max(width, text_width("W", size, bold))
    words: list[str] = []
    for word in text.split():
        while text_width(word, size, bold) > width:
            cut = max(_longest_prefix(word, width, size, bold), 1)
            soft = max(word.rfind("/", 0, cut), word.rfind("-", 0, cut))
            cut = soft + 1 if soft > 0 else cut  # rather after a slash or a hyphen
            words.append(word[:cut])
            word = word[cut:]
        words.append(word)
    return words


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Wrap text into lines no wider than `width`; over-long words are cut."""
    words = split_long_words(text, width, size, bold)
    if not words:
        return [""]
    lines = _fill_lines(words, [max(width, 1.0)] * len(words), size, bold)
    assert lines is not None
    return lines


def _band_width(shape: Shape, w: float, h: float, top: float, bottom: float) -> float:
    """Inner width of a symbol over the horizontal band [top, bottom] (from the symbol top)."""
    far = max(abs(top - h / 2), abs(bottom - h / 2))
    if shape == "diamond":
        return w * (1 - 2 * far / h)
    if shape == "capsule":
        r = capsule_radius(w, h)
        straight = h / 2 - r
        if far <= straight:
            return w
        d = min(far - straight, r)
        return w - 2 * r + 2 * math.sqrt(r * r - d * d)
    return w


def capsule_radius(w: float, h: float) -> float:
    """Corner radius of a capsule: a full stadium while it is short."""
    return min(h / 2, w / 2, CAPSULE_RADIUS)


def fit_label(text: str, shape: Shape, width: float) -> tuple[list[str], float]:
    """Wrap a label inside a symbol of fixed width; return the lines and the symbol height."""
    words = split_long_words(text, width - 2 * PAD_X - 2, FONT)
    line_h = FONT * LINE
    h = MIN_HEIGHT[shape]
    while h < 5000:
        n_max = int((h - 2 * PAD_Y) / line_h)
        for n in range(1, n_max + 1):
            y0 = (h - n * line_h) / 2
            widths = [
                _band_width(shape, width, h, y0 + i * line_h, y0 + (i + 1) * line_h) - 2 * PAD_X
                for i in range(n)
            ]
            if min(widths) <= 0:
                continue
            lines = _fill_lines(words, widths, FONT, False) if words else [""]
            if lines is not None and len(lines) == n:
                return lines, h
        h += 2.0
    raise ValueError(f"label does not fit: {text[:40]!r}")


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


def step_shape(sop: Sop, number: int) -> Shape:
    """Capsule for the start and every end, diamond for a decision, else box."""
    if sop.step(number).is_decision:
        return "diamond"
    if number == 1 or is_end(sop, number):
        return "capsule"
    return "box"


def lane_width(lane_count: int) -> float:
    """Equal lane width: A4 portrait content width shared, never narrower than the minimum."""
    return max(MIN_LANE_WIDTH, math.floor(CONTENT_WIDTH / lane_count))


def _title(sop: Sop, office_name: str, width: float) -> tuple[TextBlock, TextBlock]:
    title_lines = wrap(sop.name.upper(), width, TITLE_FONT, bold=True)
    title_h = len(title_lines) * TITLE_FONT * LINE
    sub_text = f"Nomor SOP: {sop.number}  \u2022  {office_name}"
    sub_lines = wrap(sub_text, width, SUBTITLE_FONT)
    sub_h = len(sub_lines) * SUBTITLE_FONT * LINE
    title = TextBlock(tuple(title_lines), width / 2, title_h / 2, width, title_h, TITLE_FONT)
    subtitle = TextBlock(
        tuple(sub_lines), width / 2, title_h + 2 + sub_h / 2, width, sub_h, SUBTITLE_FONT
    )
    return title, subtitle


def layout_diagram(sop: Sop, office_name: str) -> DiagramLayout:
    """The whole diagram of one SOP."""
    ids = sop.lane_ids
    lw = lane_width(len(ids))
    width = lw * len(ids)
    title, subtitle = _title(sop, office_name, width)
    header_top = subtitle.cy + subtitle.h / 2 + TITLE_GAP
    headers = [
        wrap(sop.lanes[i], lw - 2 * HEADER_PAD, HEADER_FONT, bold=True)
        + ([OUTSIDE_NOTE] if i in sop.outside_lanes else [])
        for i in ids
    ]
    header_h = max(len(h) for h in headers) * HEADER_FONT * LINE + 2 * HEADER_PAD
    nodes: list[Node] = []
    gap_y: list[float] = [header_top + header_h + ROW_GAP / 2]
    y = header_top + header_h + ROW_GAP
    for step in sop.steps:
        shape = step_shape(sop, step.number)
        inset = DIAMOND_INSET if shape == "diamond" else INSET
        node_w = lw - 2 * inset
        lines, h = fit_label(f"{step.number}. {flat_text(step.description)}", shape, node_w)
        for lane in step.actors:
            k = ids.index(lane)
            nodes.append(
                Node(step.number, lane, k, shape, k * lw + inset, y, node_w, h, tuple(lines))
            )
        y += h + ROW_GAP
        gap_y.append(y - ROW_GAP / 2)
    height = y
    step_nodes = list(nodes)
    ends, end_routes, used, width = _end_capsules(sop, step_nodes, lw, width)
    nodes += [capsule for capsule, _ in ends]
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
        )
        for k, lane in enumerate(ids)
    )
    grid = _Grid(lw, len(ids), gap_y, nodes)
    straight = {r.edge for r in end_routes}
    router = _Router(sop, grid, {e: c for c, e in ends if e not in straight}, width)
    for key, side in used:
        router.used[key].add(side)
    end_routes = [replace(r, label=router.clear(r.label, r.source)) for r in end_routes]
    routes = router.route_all() + tuple(end_routes)
    links = _links(step_nodes)
    return DiagramLayout(width, height, title, subtitle, lanes, tuple(nodes), routes, links)


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
) -> tuple[list[tuple[Node, Edge]], list[Route], list[tuple[str, Side]], float]:
    """End capsules (with their exits) and the straight arrows of those beside the diamond.

    Returns the capsules, the straight routes, the diamond sides they use and the (maybe
    widened) drawing width. A capsule goes in a neighbouring lane of the diamond's row whose
    cell and facing side vertex are free (right first), reached by a straight arrow; else in
    the nearest free cell of the row, or right of the last lane when the row is full. Those
    get no route here: the router draws them like any other exit.
    """
    lane_count = round(width / lw)
    capsules: list[tuple[Node, Edge]] = []
    routes: list[Route] = []
    used: list[tuple[str, Side]] = []
    w = text_width(END_TEXT, FONT) + 2 * PAD_X + 12
    h = MIN_HEIGHT["capsule"]
    for edge in edges(sop):
        if edge.target is not None:
            continue
        row = [n for n in nodes if n.step == edge.source]
        taken = {n.lane_index for n in row} | {
            c.lane_index for c, _ in capsules if c.step == edge.source
        }
        straight = _beside(row, taken, used, lane_count)
        if straight is not None:
            diamond, side, lane = straight
            x = lane * lw + (lw - w) / 2
        else:
            diamond = row[0]
            lane = _free_cell(diamond.lane_index, taken, lane_count)
            x = _cell_x(lane, lane_count, lw, w)
            width = max(width, x + w + INSET)
        lane_id = sop.lane_ids[lane] if lane < lane_count else diamond.lane
        capsule = Node(
            edge.source, lane_id, lane, "capsule", x, diamond.cy - h / 2, w, h,
            (END_TEXT,), edge.index,
        )  # fmt: skip
        capsules.append((capsule, edge))
        if straight is None:
            continue
        used.append((diamond.key, side))
        start = diamond.port(side)
        end = capsule.port("left" if side == "right" else "right")
        label = _side_label(edge.label, start, side, width)
        routes.append(Route(edge, diamond.key, capsule.key, (start, end), label))
    return capsules, routes, used, width


def _beside(
    row: list[Node], taken: set[int], used: list[tuple[str, Side]], lane_count: int
) -> tuple[Node, Side, int] | None:
    """A diamond of the row, a free side vertex and the free neighbouring lane it faces."""
    for node in row:
        sides = {s for k, s in used if k == node.key}
        for side, lane in (("right", node.lane_index + 1), ("left", node.lane_index - 1)):
            if 0 <= lane < lane_count and lane not in taken and side not in sides:
                return node, side, lane
    return None


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
    return lane_count * lw + INSET + (lane - lane_count) * (w + INSET)


def _side_label(text: str, start: Point, side: Side, width: float) -> Label | None:
    if not text:
        return None
    w = text_width(text, LABEL_FONT) + 2
    h = LABEL_FONT * LINE
    sign = 1 if side == "right" else -1
    return _inside(Label(text, start[0] + sign * (2 + w / 2), start[1] - 1 - h / 2, w, h), width)


def _inside(label: Label, width: float) -> Label:
    """The label moved sideways, when needed, to lie inside the drawing [0, width]."""
    cx = min(max(label.cx, label.w / 2 + 1), width - label.w / 2 - 1)
    return Label(label.text, cx, label.cy, label.w, label.h)


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

# A route is first drawn on symbolic coordinates: a corridor (lane boundary b) for x, a row
# gap (g: between row g and row g+1) for y. Tracks are then assigned per corridor and gap.


@dataclass(frozen=True)
class _Corr:
    b: int


@dataclass(frozen=True)
class _Gap:
    g: int


_X = float | _Corr
_Y = float | _Gap


@dataclass
class _Grid:
    lane_w: float
    lane_count: int
    gap_y: list[float]
    nodes: list[Node]

    def corr_x(self, b: int) -> float:
        return b * self.lane_w

    def row_nodes(self, step: int) -> list[Node]:
        return [n for n in self.nodes if n.step == step and not n.is_end_capsule]

    def column_free(self, lane_index: int, first: int, last: int) -> bool:
        """True when no symbol sits in this lane on rows first..last."""
        return not any(n.lane_index == lane_index and first <= n.step <= last for n in self.nodes)

    def tracks(self, b: int) -> tuple[float, ...]:
        if b == 0:
            return LEFT_TRACKS
        if b == self.lane_count:
            return RIGHT_TRACKS
        return CORRIDOR_TRACKS


@dataclass
class _Plan:
    edge: Edge
    source: Node
    target: Node
    points: list[tuple[_X, _Y]]
    exit_side: Side


class _Router:
    """Routes every flow edge in the free corridors."""

    def __init__(self, sop: Sop, grid: _Grid, ends: dict[Edge, Node], width: float):
        self.sop = sop
        self.grid = grid
        self.ends = ends  # exits ending the procedure whose capsule the router reaches
        self.width = width
        self.used: dict[str, set[Side]] = {n.key: set() for n in grid.nodes}
        self.placed: list[Label] = []  # labels already drawn, kept apart from new ones

    # ---- choosing symbols and ports

    def _pair(self, edge: Edge) -> tuple[Node, Node]:
        targets = [self.ends[edge]] if edge.target is None else self.grid.row_nodes(edge.target)
        sources = self.grid.row_nodes(edge.source)
        best = min(
            ((s, t) for s in sources for t in targets),
            key=lambda p: (abs(p[0].lane_index - p[1].lane_index), p[0].lane_index),
        )
        return best

    def _straight(self, source: Node, target: Node) -> bool:
        return source.lane_index == target.lane_index and self.grid.column_free(
            source.lane_index, source.step + 1, target.step - 1
        )

    def _outer_sides(self, node: Node) -> set[Side]:
        members = [n.lane_index for n in self.grid.row_nodes(node.step)]
        members += [  # an end capsule beside the symbol closes that side
            n.lane_index for n in self.grid.nodes if n.is_end_capsule and n.step == node.step
        ]
        sides: set[Side] = set()
        if node.lane_index == min(members):
            sides.add("left")
        if node.lane_index == max(members):
            sides.add("right")
        return sides

    def _side_toward(self, node: Node, lane_index: int) -> Side | None:
        free = self._outer_sides(node) - self.used[node.key]
        prefer: list[Side] = (
            ["left", "right"] if lane_index < node.lane_index else ["right", "left"]
        )
        for side in prefer:
            if side in free:
                return side
        return None

    def _exit_sides(self, source: Node, outgoing: list[tuple[Edge, Node]]) -> dict[Edge, Side]:
        """Bottom for the most natural forward exit, sides for the others."""
        sides: dict[Edge, Side] = {}
        forward = [(e, t) for e, t in outgoing if not e.is_back]
        if forward:
            first = min(
                forward,
                key=lambda p: (
                    0 if self._straight(source, p[1]) or p[0].target == source.step + 1 else 1,
                    p[0].index != 0,  # the first exit ("Ya") goes on down when it can
                    p[0].target is None,  # an end capsule beside the row comes last
                    p[1].step,
                ),
            )
            sides[first[0]] = "bottom"
            self.used[source.key].add("bottom")
        for e, t in outgoing:
            if e in sides:
                continue
            side = self._side_toward(source, t.lane_index)
            if side is None:  # a joint symbol's inner sides are taken by its links
                side = "bottom" if "bottom" not in self.used[source.key] else "right"
            sides[e] = side
            self.used[source.key].add(side)
        return sides

    def clear(self, label: Label | None, source: str) -> Label | None:
        """The label of an arrow out of `source`, moved up clear of the labels placed before
        and of every other symbol (exits sharing a port, end capsules beside the vertex)."""
        if label is None:
            return None
        others = [Label("", n.cx, n.cy, n.w, n.h) for n in self.grid.nodes if n.key != source]
        label = _clear_of(label, self.placed + others)
        self.placed.append(label)
        return label

    # ---- planning

    def route_all(self) -> tuple[Route, ...]:
        plans: list[_Plan] = []
        by_source: dict[int, list[Edge]] = {}
        for e in edges(self.sop):
            if e.target is not None or e in self.ends:  # the others have straight arrows
                by_source.setdefault(e.source, []).append(e)
        pairs: dict[Edge, tuple[Node, Node]] = {}
        for source_step in sorted(by_source):
            group = by_source[source_step]
            for e in group:
                pairs[e] = self._pair(e)
            per_node: dict[str, list[tuple[Edge, Node]]] = {}
            for e in group:
                per_node.setdefault(pairs[e][0].key, []).append((e, pairs[e][1]))
            for key, outgoing in per_node.items():
                source = next(n for n in self.grid.nodes if n.key == key)
                for e, side in self._exit_sides(source, outgoing).items():
                    plans.append(_Plan(e, source, pairs[e][1], [], side))
        plans.sort(key=lambda p: (p.edge.source, p.edge.index, p.edge.target or 0))
        for plan in plans:
            plan.points = self._plan(plan)
        return self._materialise(plans)

    def _corridor_for_side(self, node: Node, side: Side) -> int:
        return node.lane_index + (1 if side == "right" else 0)

    def _plan(self, p: _Plan) -> list[tuple[_X, _Y]]:
        s, t = p.source, p.target
        start = s.port(p.exit_side)
        pts: list[tuple[_X, _Y]] = [start]
        if t.step == s.step:  # an end capsule in the same row: up into it from the gap below
            if p.exit_side != "bottom":
                pts.append((_Corr(self._corridor_for_side(s, p.exit_side)), s.cy))
            pts += [(pts[-1][0], _Gap(s.step)), (t.cx, _Gap(s.step)), t.port("bottom")]
            return _drop_repeats(pts)
        if not p.edge.is_back:
            if p.exit_side == "bottom":
                if self._straight(s, t) or (t.step == s.step + 1 and t.lane_index == s.lane_index):
                    return [start, t.port("top")]
                pts.append((s.cx, _Gap(s.step)))
                if t.step > s.step + 1:
                    b = self._forward_corridor(s, t)
                    pts += [(_Corr(b), _Gap(s.step)), (_Corr(b), _Gap(t.step - 1))]
            else:
                b = self._corridor_for_side(s, p.exit_side)
                pts += [(_Corr(b), s.cy), (_Corr(b), _Gap(t.step - 1))]
            pts += [(t.cx, _Gap(t.step - 1)), t.port("top")]
            return _drop_repeats(pts)
        return self._plan_back(p, start)

    def _forward_corridor(self, s: Node, t: Node) -> int:
        if t.lane_index > s.lane_index:
            return t.lane_index
        if t.lane_index < s.lane_index:
            return t.lane_index + 1
        return s.lane_index + 1

    def _plan_back(self, p: _Plan, start: Point) -> list[tuple[_X, _Y]]:
        s, t = p.source, p.target
        if p.exit_side == "bottom":
            cs = s.lane_index + 1
            pts: list[tuple[_X, _Y]] = [start, (s.cx, _Gap(s.step)), (_Corr(cs), _Gap(s.step))]
        else:
            cs = self._corridor_for_side(s, p.exit_side)
            pts = [start, (_Corr(cs), s.cy)]
        entry = self._entry_side(t, cs)
        if entry is None:  # enter from the top through the gap above the target
            pts += [(_Corr(cs), _Gap(t.step - 1)), (t.cx, _Gap(t.step - 1)), t.port("top")]
            return _drop_repeats(pts)
        self.used[t.key].add(entry)
        ct = self._corridor_for_side(t, entry)
        if ct != cs:
            pts += [(_Corr(cs), _Gap(t.step)), (_Corr(ct), _Gap(t.step))]
        pts += [(_Corr(ct), t.cy), t.port(entry)]
        return _drop_repeats(pts)

    def _entry_side(self, t: Node, corridor: int) -> Side | None:
        if t.shape == "diamond":
            return None
        free = self._outer_sides(t) - self.used[t.key]
        prefer: list[Side] = ["left", "right"] if corridor <= t.lane_index else ["right", "left"]
        return next((side for side in prefer if side in free), None)

    # ---- tracks

    def _materialise(self, plans: list[_Plan]) -> tuple[Route, ...]:
        corr_tracks = self._assign_corridors(plans)
        gap_tracks = self._assign_gaps(plans)
        routes: list[Route] = []
        for i, p in enumerate(plans):
            pts = [
                (
                    self.grid.corr_x(x.b) + corr_tracks[(i, x.b)] if isinstance(x, _Corr) else x,
                    self.grid.gap_y[y.g] + gap_tracks[(i, y.g)] if isinstance(y, _Gap) else y,
                )
                for x, y in p.points
            ]
            pts = simplify_path(pts)
            label = self.clear(_label(p, pts, self.width), p.source.key)
            routes.append(Route(p.edge, p.source.key, p.target.key, tuple(pts), label))
        return tuple(routes)

    def _approx(self, x: _X, y: _Y) -> Point:
        return (
            self.grid.corr_x(x.b) if isinstance(x, _Corr) else x,
            self.grid.gap_y[y.g] if isinstance(y, _Gap) else y,
        )

    def _assign_corridors(self, plans: list[_Plan]) -> dict[tuple[int, int], float]:
        segments: dict[int, list[tuple[float, float, int]]] = {}
        for i, p in enumerate(plans):
            spans: dict[int, list[float]] = {}
            for x, y in p.points:
                if isinstance(x, _Corr):
                    spans.setdefault(x.b, []).append(self._approx(x, y)[1])
            for b, ys in spans.items():
                segments.setdefault(b, []).append((min(ys), max(ys), i))
        return {
            key: value
            for b, segs in segments.items()
            for key, value in _assign(segs, self.grid.tracks(b), b).items()
        }

    def _assign_gaps(self, plans: list[_Plan]) -> dict[tuple[int, int], float]:
        segments: dict[int, list[tuple[float, float, int]]] = {}
        for i, p in enumerate(plans):
            spans: dict[int, list[float]] = {}
            for x, y in p.points:
                if isinstance(y, _Gap):
                    spans.setdefault(y.g, []).append(self._approx(x, y)[0])
            for g, xs in spans.items():
                segments.setdefault(g, []).append((min(xs), max(xs), i))
        return {
            key: value
            for g, segs in segments.items()
            for key, value in _assign(segs, GAP_TRACKS, g).items()
        }


def _assign(
    segments: list[tuple[float, float, int]], tracks: tuple[float, ...], where: int
) -> dict[tuple[int, int], float]:
    """Greedy interval colouring: overlapping (or touching) runs get different tracks."""
    taken: dict[float, list[tuple[float, float]]] = {t: [] for t in tracks}
    result: dict[tuple[int, int], float] = {}
    for lo, hi, i in sorted(segments):
        chosen = tracks[-1]
        for t in tracks:
            if all(hi + TRACK_CLEARANCE < a or lo - TRACK_CLEARANCE > b for a, b in taken[t]):
                chosen = t
                break
        taken[chosen].append((lo, hi))
        result[(i, where)] = chosen
    return result


def _drop_repeats(points: list[tuple[_X, _Y]]) -> list[tuple[_X, _Y]]:
    out: list[tuple[_X, _Y]] = []
    for pt in points:
        if not out or out[-1] != pt:
            out.append(pt)
    return out


def _overlaps(a: Label, b: Label) -> bool:
    return abs(a.cx - b.cx) * 2 < a.w + b.w and abs(a.cy - b.cy) * 2 < a.h + b.h


def _clear_of(label: Label, placed: list[Label]) -> Label:
    """The label moved up until it overlaps none of the boxes `placed`."""
    while any(_overlaps(label, other) for other in placed):
        label = Label(label.text, label.cx, label.cy - label.h - 1, label.w, label.h)
    return label


def _label(p: _Plan, pts: list[Point], width: float) -> Label | None:
    """'Ya'/'Tidak' beside a decision's exit, outside the diamond."""
    if not p.edge.label:
        return None
    text = p.edge.label
    w = text_width(text, LABEL_FONT) + 2
    h = LABEL_FONT * LINE
    s = p.source
    x0, y0 = pts[0]
    if p.exit_side == "bottom":
        above = 2 + h  # label's top, measured up from the bottom vertex
        half = s.w / 2 * above / (s.h / 2)
        return _inside(Label(text, x0 + half + 2 + w / 2, y0 - 2 - h / 2, w, h), width)
    sign = 1 if p.exit_side == "right" else -1
    return _inside(Label(text, x0 + sign * (2 + w / 2), y0 - 1 - h / 2, w, h), width)


# --------------------------------------------------------------------------- checks


def segment_hits_box(a: Point, b: Point, box: tuple[float, float, float, float]) -> bool:
    """True when an axis-parallel segment passes through the inside of a box (x, y, w, h)."""
    x, y, w, h = box
    eps = 0.5
    lo_x, hi_x = sorted((a[0], b[0]))
    lo_y, hi_y = sorted((a[1], b[1]))
    return lo_x < x + w - eps and hi_x > x + eps and lo_y < y + h - eps and hi_y > y + eps
