"""Geometry of the official SOP sheet (lembar SOP): pure and deterministic.

Everything is measured in millimetres. Text is wrapped here, with the advance widths of
Liberation Sans (metric-compatible with Arial) read by fontTools, and the renderer prints the
lines exactly as wrapped; every row therefore has a height known in advance, so a browser and
WeasyPrint put the same rows on the same page. The flowchart in the lane columns is computed
once per page: symbols centred in their lane and row, arrows routed orthogonally on a grid of
tracks running in the gaps (never through a symbol, never along another arrow), decision labels
placed where they touch no line. An arrow that crosses a page break becomes a pair of pentagons
with the same letter: one in a connector row at the bottom of the source's page, one in a
connector row at the top of the target's page.

The drawing of a page has its origin at the left edge of the first lane column and the top of
the page's first body row; the renderer cuts it into one strip per table cell.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from generator import flow
from generator.layout.text import font
from generator.model import Office, Sop, format_date, item_groups

MM_PER_PT = 25.4 / 72

# --------------------------------------------------------------------------- font metrics

# Slack kept free at the end of every wrapped line, so that kerning or hinting differences
# between engines never make a line wider than its cell.
WRAP_SLACK_MM = 0.8
WRAP_FACTOR = 1.02
_BREAK_AFTER = "/-"


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Words split further after '/' and '-': (piece, preceded by a space)."""
    tokens: list[tuple[str, bool]] = []
    for word in text.split():
        start = 0
        for i, ch in enumerate(word[:-1]):
            if ch in _BREAK_AFTER:
                tokens.append((word[start : i + 1], start == 0))
                start = i + 1
        tokens.append((word[start:], start == 0))
    return tokens


def text_width(text: str, size_pt: float, bold: bool = False) -> float:
    """Measured width of a line of text in millimetres, with the wrapping safety factor."""
    return font(bold).width_pt(text, size_pt) * MM_PER_PT * WRAP_FACTOR


def wrap(text: str, width: float, size_pt: float, bold: bool = False) -> list[str]:
    """Greedy line breaking of `text` (whitespace collapsed) into lines fitting `width` mm.

    Breaks at spaces and after '/' or '-'; a piece longer than a line is cut between letters.
    An empty text gives no line.
    """
    limit = max(width - WRAP_SLACK_MM, 1.0)
    lines: list[str] = []
    current = ""
    for piece, spaced in _tokens(text):
        candidate = f"{current} {piece}" if current and spaced else current + piece
        if text_width(candidate, size_pt, bold) <= limit:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for ch in piece:
            if current and text_width(current + ch, size_pt, bold) > limit:
                lines.append(current)
                current = ""
            current += ch
    if current:
        lines.append(current)
    return lines


# --------------------------------------------------------------------------- style


@dataclass(frozen=True)
class Style:
    """Sizes the layout measures with; the renderer writes the same values into the CSS."""

    body_pt: float = 8.5
    body_lh: float = 3.7
    head_pt: float = 7.5
    head_lh: float = 3.3
    ident_pt: float = 9.0
    ident_lh: float = 4.0
    title_pt: float = 10.0
    title_lh: float = 4.6
    label_pt: float = 6.5
    letter_pt: float = 8.0
    foot_pt: float = 8.0
    pad_x: float = 1.2
    pad_y: float = 1.0
    border: float = 0.25
    line: float = 0.3
    margin_top: float = 12.0
    margin_bottom: float = 10.0
    margin_left: float = 20.0  # binding edge
    margin_right: float = 10.0
    footer_h: float = 6.0
    page_slack: float = 1.0
    gap_identity: float = 4.0
    sign_space: float = 18.0
    logo_h: float = 20.0
    unit_gap: float = 4.0
    list_indent: float = 5.0


STYLE = Style()

# Symbol and track geometry.
SYM_MAX_W = 16.0
SYM_H = {"start": 6.0, "end": 6.0, "process": 6.0, "decision": 9.0, "out": 7.0, "in": 7.0}
LANE_MARGIN_MIN = 4.5  # between a lane's border and its symbols: room for two tracks
ZONE = 6.5  # above and below a symbol: room for two horizontal tracks
TRACKS = 2
CONN_ZONE = 5.0
ARROW_LEN = 1.4
ARROW_HALF = 0.65
MERGE_COST = 80.0
RESERVE_COST = 30.0
CLEAR = 0.4
BEND_COST = 4.0
CROSS_COST = 80.0
OUT_PORT_COST = {"bottom": 0.0, "left": 1.5, "right": 1.5, "top": 12.0}
IN_PORT_COST = {"top": 0.0, "left": 4.0, "right": 4.0, "bottom": 30.0}
BACK_IN_PORT_COST = {"top": 8.0, "left": 0.0, "right": 0.0, "bottom": 30.0}
MAX_ROWS_PER_PAGE = 9
# Routing passes of a page, tried in order until every arrow has a route: the normal one; one
# that keeps enough free ports on a symbol for its arrows still to come (arrows into it merge
# instead); the same with cheap merges; a last resort that may share a line or a port with
# another arrow, or even cross a symbol, rather than fail.
ROUTE_MODES = ("normal", "budget", "merge", "loose")
MERGE_COST_FALLBACK = 8.0


# --------------------------------------------------------------------------- geometry


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        """Centre x."""
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        """Centre y."""
        return (self.y0 + self.y1) / 2

    @property
    def w(self) -> float:
        """Width."""
        return self.x1 - self.x0

    @property
    def h(self) -> float:
        """Height."""
        return self.y1 - self.y0

    def grow(self, d: float) -> Box:
        """This box grown by d on every side."""
        return Box(self.x0 - d, self.y0 - d, self.x1 + d, self.y1 + d)

    def contains(self, x: float, y: float) -> bool:
        """True when the point lies inside or on the edge."""
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1

    def overlaps(self, other: Box) -> bool:
        """True when the interiors intersect."""
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )

    def crosses_segment(self, a: Point, b: Point) -> bool:
        """True when the axis-aligned segment a-b passes through the box's interior."""
        lo_x, hi_x = sorted((a[0], b[0]))
        lo_y, hi_y = sorted((a[1], b[1]))
        if lo_x == hi_x:
            return self.x0 < lo_x < self.x1 and lo_y < self.y1 and self.y0 < hi_y
        return self.y0 < lo_y < self.y1 and lo_x < self.x1 and self.x0 < hi_x


Point = tuple[float, float]


def _r(v: float) -> float:
    return round(v, 2)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Column:
    """A column of the procedure table."""

    key: str  # no, uraian, lane:<id>, kelengkapan, waktu, output, ket
    label: str
    x0: float  # from the table's left edge
    width: float
    number: int

    @property
    def label_lines(self) -> tuple[str, ...]:
        """The header label as wrapped lines."""
        return tuple(wrap(self.label, self.width - 2 * STYLE.pad_x, STYLE.head_pt, bold=True))


@dataclass(frozen=True)
class Symbol:
    """A flowchart symbol: a step's shape in one lane, or an off-page connector."""

    kind: str  # start, end, process, decision, out, in
    box: Box
    lane: str
    step: int = 0  # 0 for connectors
    letter: str = ""  # connectors only


@dataclass(frozen=True)
class Route:
    """A routed arrow: orthogonal polyline from a symbol edge to a symbol edge."""

    source: int  # step number
    target: int
    kind: str  # next, goto, yes, no
    points: tuple[Point, ...]
    start: str  # "step 5 kasi" or "connector A"
    end: str  # the same, or "arrow K": meets arrow K of the page (into the same step)
    label: str = ""
    label_box: Box | None = None

    @property
    def segments(self) -> list[tuple[Point, Point]]:
        """Consecutive point pairs."""
        return list(zip(self.points, self.points[1:], strict=False))


@dataclass(frozen=True)
class Join:
    """The line joining two symbols of a joint step."""

    step: int
    points: tuple[Point, Point]


@dataclass(frozen=True)
class Row:
    """A body row of the procedure table on one page."""

    kind: str  # step, conn-top, conn-bottom
    y0: float
    height: float
    step: int = 0
    cells: tuple[tuple[str, tuple[str, ...]], ...] = ()  # column key -> lines

    @property
    def y1(self) -> float:
        """Bottom edge."""
        return self.y0 + self.height

    def lines(self, key: str) -> tuple[str, ...]:
        """The wrapped lines of one text column."""
        return dict(self.cells).get(key, ())


@dataclass(frozen=True)
class ListItem:
    """A numbered item of an identity list, wrapped."""

    number: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class ListGroup:
    """A sub-heading (possibly '') and its items."""

    heading: tuple[str, ...]
    items: tuple[ListItem, ...]


@dataclass(frozen=True)
class ListCell:
    """One cell of the identity's lower grid: a heading and numbered lists."""

    title: str
    groups: tuple[ListGroup, ...]
    height: float


@dataclass(frozen=True)
class Field:
    """A labelled row of the identity's upper grid."""

    label: str
    lines: tuple[str, ...]
    height: float


@dataclass(frozen=True)
class Approval:
    """The Disahkan Oleh cell: position, signature space, name and NIP."""

    position: tuple[str, ...]
    name: tuple[str, ...]
    nip: str
    height: float


@dataclass(frozen=True)
class Identity:
    """The identity part: widths and wrapped text of every cell, with fixed heights."""

    widths: tuple[float, float, float]  # left block, labels, values
    half: float  # width of a lower-grid column
    head_lines: tuple[tuple[str, tuple[str, ...]], ...]  # (css class, lines) of the left block
    logo: bool
    fields: tuple[Field, ...]  # Nomor .. Tanggal Efektif, then Nama SOP last
    approval: Approval
    top_height: float
    head_height: float  # what the left block's content needs
    lower: tuple[tuple[ListCell, ListCell, float], ...]

    @property
    def height(self) -> float:
        """Total height of the identity grid."""
        return self.top_height + sum(h for _, _, h in self.lower)


@dataclass(frozen=True)
class Page:
    """One printed page: maybe the identity part, maybe a slice of the procedure table."""

    number: int
    identity_parts: tuple[int, ...]  # 0 = upper grid, 1.. = lower rows
    rows: tuple[Row, ...]
    symbols: tuple[Symbol, ...]
    routes: tuple[Route, ...]
    joins: tuple[Join, ...]
    total_row: bool
    drawing_height: float

    @property
    def steps(self) -> list[int]:
        """Step numbers on this page."""
        return [r.step for r in self.rows if r.kind == "step"]


@dataclass(frozen=True)
class SheetLayout:
    """The whole sheet: paper, columns, header, identity and pages."""

    paper: str
    page_w: float
    page_h: float
    content_w: float
    content_h: float
    columns: tuple[Column, ...]
    lanes: tuple[str, ...]
    header_heights: tuple[float, float, float]
    identity: Identity
    pages: tuple[Page, ...]
    total_time: str
    total_height: float
    style: Style = field(default=STYLE)

    @property
    def lane_columns(self) -> list[Column]:
        """The lane columns, left to right."""
        return [c for c in self.columns if c.key.startswith("lane:")]

    @property
    def lanes_x0(self) -> float:
        """Left edge of the first lane column, from the table's left edge."""
        return self.lane_columns[0].x0

    def column(self, key: str) -> Column:
        """The column with this key."""
        return next(c for c in self.columns if c.key == key)

    def lane_box(self, lane: str) -> tuple[float, float]:
        """(x0, x1) of a lane in drawing coordinates."""
        col = self.column(f"lane:{lane}")
        return col.x0 - self.lanes_x0, col.x0 - self.lanes_x0 + col.width


# --------------------------------------------------------------------------- columns


def _columns(sop: Sop, width: float) -> tuple[Column, ...]:
    """Column widths: lanes share about 45% of the width, within limits."""
    n = len(sop.lanes)
    no_w, time_w = 8.0, 15.0
    lane_w = min(30.0, max(17.0, width * 0.45 / n))
    rest = width - no_w - time_w - n * lane_w
    shares = {"uraian": 0.38, "kelengkapan": 0.24, "output": 0.24, "ket": 0.14}
    spec: list[tuple[str, str, float]] = [
        ("no", "NO", no_w),
        ("uraian", "URAIAN AKTIFITAS", rest * shares["uraian"]),
    ]
    spec += [(f"lane:{lid}", label, lane_w) for lid, label in sop.lanes.items()]
    spec += [
        ("kelengkapan", "PERSYARATAN/ KELENGKAPAN", rest * shares["kelengkapan"]),
        ("waktu", "WAKTU", time_w),
        ("output", "OUTPUT", rest * shares["output"]),
        ("ket", "KET", rest * shares["ket"]),
    ]
    columns: list[Column] = []
    x = 0.0
    for number, (key, label, w) in enumerate(spec, 1):
        w = _r(w)
        columns.append(Column(key, label, _r(x), w, number))
        x += w
    return tuple(columns)


def _lines_height(count: int, lh: float) -> float:
    return count * lh + 2 * STYLE.pad_y


def _header_heights(columns: Sequence[Column]) -> tuple[float, float, float]:
    most = max(len(c.label_lines) for c in columns if c.key not in ("no", "uraian", "ket"))
    return (_r(_lines_height(1, STYLE.head_lh)), _r(_lines_height(most, STYLE.head_lh)), 5.0)


# --------------------------------------------------------------------------- identity


def _list_cell(title: str, items: list[str] | dict[str, list[str]], width: float) -> ListCell:
    text_w = width - 2 * STYLE.pad_x
    groups: list[ListGroup] = []
    lines = 1  # the title
    for heading, entries in item_groups(items):
        head = tuple(wrap(f"{heading}:", text_w, STYLE.ident_pt)) if heading else ()
        indent = STYLE.list_indent * (2 if heading else 1)
        wrapped = tuple(
            ListItem(f"{i}.", tuple(wrap(text, text_w - indent, STYLE.ident_pt)) or ("",))
            for i, text in enumerate(entries, 1)
        )
        lines += len(head) + sum(len(it.lines) for it in wrapped)
        groups.append(ListGroup(head, wrapped))
    if not groups:
        lines += 1  # "-"
    return ListCell(title, tuple(groups), _r(_lines_height(lines, STYLE.ident_lh)))


def _identity(sop: Sop, office: Office, width: float, has_logo: bool) -> Identity:
    a, b = _r(width * 0.36), _r(width * 0.18)
    c = _r(width - a - b)
    text_c = c - 2 * STYLE.pad_x
    values = [
        ("Nomor SOP", sop.number),
        ("Tanggal Pembuatan", format_date(sop.created)),
        ("Tanggal Revisi", format_date(sop.revised)),
        ("Tanggal Efektif", format_date(sop.effective)),
    ]
    fields = []
    for label, value in [*values, ("Nama SOP", sop.name)]:
        bold = label == "Nama SOP"
        lines = tuple(wrap(value, text_c, STYLE.ident_pt, bold=bold)) or ("-",)
        label_lines = wrap(label, b - 2 * STYLE.pad_x, STYLE.ident_pt)
        h = _lines_height(max(len(lines), len(label_lines)), STYLE.ident_lh)
        fields.append(Field(label, lines, _r(h)))
    official = office.officials.get(sop.approved_by)
    position = tuple(wrap(official.position if official else "-", text_c, STYLE.ident_pt))
    name = tuple(wrap(official.name if official else "-", text_c, STYLE.ident_pt, bold=True))
    nip = f"NIP. {official.nip_formatted}" if official else ""
    approval_h = _lines_height(len(position) + len(name) + 1, STYLE.ident_lh) + STYLE.sign_space
    approval = Approval(position, name, nip, _r(approval_h))
    text_a = a - 2 * STYLE.pad_x
    head = (
        ("pemerintah", tuple(wrap(office.government, text_a, STYLE.title_pt, bold=True))),
        ("kantor", tuple(wrap(office.name_on_sheet, text_a, STYLE.title_pt, bold=True))),
        ("unit", tuple(wrap(sop.unit.upper(), text_a, STYLE.ident_pt, bold=True))),
    )
    head_h = (
        sum(len(lines) for _, lines in head[:2]) * STYLE.title_lh
        + len(head[2][1]) * STYLE.ident_lh
        + 2 * STYLE.pad_y
        + STYLE.unit_gap
        + (STYLE.logo_h + 2.0 if has_logo else 0.0)
    )
    top = sum(f.height for f in fields) + approval.height
    if head_h > top:  # the Nama SOP row absorbs what the left block needs more
        last = fields[-1]
        fields[-1] = replace(last, height=_r(last.height + head_h - top))
        top = head_h
    half = _r(width / 2)
    pairs = (
        ("Dasar Hukum", sop.legal_basis, "Kualifikasi Pelaksana", sop.qualifications),
        ("Keterkaitan", sop.related, "Peralatan/Perlengkapan", sop.equipment),
        ("Peringatan", sop.warnings, "Pencatatan dan Pendataan", sop.records),
    )
    lower = []
    for lt, litems, rt, ritems in pairs:
        left = _list_cell(lt, litems, half)
        right = _list_cell(rt, ritems, width - half)
        lower.append((left, right, max(left.height, right.height)))
    return Identity(
        (a, b, c), half, head, has_logo, tuple(fields), approval, _r(top), _r(head_h), tuple(lower)
    )


# --------------------------------------------------------------------------- rows and pages


def symbol_kind(sop: Sop, number: int) -> str:
    """The shape of a step: decision, start (first step), end (ending step) or process."""
    if sop.step(number).is_decision:
        return "decision"
    if number == 1:
        return "start"
    if flow.is_end(sop, number):
        return "end"
    return "process"


def _step_cells(sop: Sop, number: int, columns: Sequence[Column]) -> dict[str, tuple[str, ...]]:
    step = sop.step(number)
    texts = {
        "no": f"{number}.",
        "uraian": step.description,
        "kelengkapan": step.requirements,
        "waktu": str(step.time),
        "output": step.output,
        "ket": step.note,
    }
    cells = {}
    for col in columns:
        if col.key in texts:
            width = col.width - 2 * STYLE.pad_x
            cells[col.key] = tuple(wrap(texts[col.key], width, STYLE.body_pt))
    return cells


def _step_height(sop: Sop, number: int, cells: dict[str, tuple[str, ...]]) -> float:
    lines = max(len(v) for v in cells.values())
    drawing = SYM_H[symbol_kind(sop, number)] + 2 * ZONE
    return _r(max(_lines_height(lines, STYLE.body_lh), drawing))


def _conn_height(tiers: int) -> float:
    return _r(tiers * (SYM_H["out"] + 2 * CONN_ZONE)) if tiers else 0.0


def _crossing(
    edges: Sequence[flow.Edge], first: int, last: int
) -> tuple[tuple[flow.Edge, ...], tuple[flow.Edge, ...]]:
    inside = range(first, last + 1)
    incoming = tuple(e for e in edges if e.target in inside and e.source not in inside)
    outgoing = tuple(e for e in edges if e.source in inside and e.target not in inside)
    return incoming, outgoing


def _tiers(sop: Sop, edges: Sequence[flow.Edge], by: str) -> int:
    counts: dict[str, int] = {}
    for e in edges:
        lane = sop.step(e.source if by == "source" else e.target).actors[0]
        counts[lane] = counts.get(lane, 0) + 1
    return max(counts.values(), default=0)


def _span_height(
    sop: Sop, edges: Sequence[flow.Edge], heights: dict[int, float], first: int, last: int
) -> float:
    incoming, outgoing = _crossing(edges, first, last)
    rows = sum(heights[n] for n in range(first, last + 1))
    return (
        rows
        + _conn_height(_tiers(sop, incoming, "target"))
        + _conn_height(_tiers(sop, outgoing, "source"))
    )


def _paginate(
    sop: Sop, heights: dict[int, float], avail_first: float, avail: float, total_h: float
) -> list[tuple[int, int]]:
    """Greedy split of the steps into page spans; the first span may be empty (identity only)."""
    edges = [e for e in flow.edges(sop) if 1 <= e.target <= len(sop.steps)]
    n = len(sop.steps)
    spans: list[tuple[int, int]] = []
    first = 1
    room = avail_first
    while first <= n:
        last = first - 1
        while last < n and last - first + 1 < MAX_ROWS_PER_PAGE:
            extra = total_h if last + 1 == n else 0.0
            if _span_height(sop, edges, heights, first, last + 1) + extra > room:
                break
            last += 1
        if last < first + (1 if room < avail and n > 1 else 0):
            if room < avail:  # page with the identity part: start the table on the next page
                spans.append((first, first - 1))
                room = avail
                continue
            last = first  # a single row taller than a page: it gets a page of its own
        spans.append((first, last))
        first = last + 1
        room = avail
    return spans


# --------------------------------------------------------------------------- router


@dataclass(frozen=True)
class Port:
    """Where an arrow may leave or enter a symbol: a point on its edge, facing outwards."""

    symbol: int  # index into the page's symbols
    side: str  # top, bottom, left, right
    point: Point
    node: tuple[int, int]  # grid node just outside the port
    direction: tuple[int, int]  # from the port to that node (grid index steps)


DIRS = {"top": (0, -1), "bottom": (0, 1), "left": (-1, 0), "right": (1, 0)}


class Router:
    """Orthogonal arrows on a grid of tracks, one after another, never sharing a segment.

    Nodes inside a symbol (grown by a small clearance) are closed. A route may cross another
    route at right angles (at a cost) but never runs along it, and never bends or ends at a
    node another route touches.
    """

    def __init__(
        self,
        xs: Sequence[float],
        ys: Sequence[float],
        obstacles: Sequence[Box],
        hugging: Iterable[float] = (),
    ):
        """Set up the grid lines and close the nodes inside obstacles.

        `hugging` are the x lines closest to the symbols; running along them costs more, so
        long vertical runs keep some distance from the symbols they pass.
        """
        self.xs = list(xs)
        self.ys = list(ys)
        self.obstacles = list(obstacles)
        self.hugging = {self.xs.index(x) for x in hugging}
        grown = [b.grow(CLEAR) for b in obstacles]
        self.closed = {
            (i, j)
            for i, x in enumerate(self.xs)
            for j, y in enumerate(self.ys)
            if any(b.contains(x, y) for b in grown)
        }
        self.used_segments: set[tuple[int, int, int, int]] = set()
        self.node_use: dict[tuple[int, int], str] = {}  # 'h', 'v' (straight through) or 'x'
        self.used_ports: set[tuple[int, str]] = set()
        self.paths: list[list[tuple[int, int]]] = []  # grid nodes of each route, in order
        self.reserved: set[tuple[int, int]] = set()  # nodes in front of symbol ports

    def ix(self, x: float) -> int:
        """Index of the grid line at x."""
        return self.xs.index(x)

    def iy(self, y: float) -> int:
        """Index of the grid line at y."""
        return self.ys.index(y)

    def point(self, node: tuple[int, int]) -> Point:
        """Coordinates of a node."""
        return (self.xs[node[0]], self.ys[node[1]])

    @staticmethod
    def _seg(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int, int, int]:
        return (*min(a, b), *max(a, b))

    def port_free(self, port: Port) -> bool:
        """True when the port and the node in front of it are unused."""
        return (
            (port.symbol, port.side) not in self.used_ports
            and port.node not in self.node_use
            and port.node not in self.closed
        )

    def route(
        self,
        sources: Sequence[tuple[Port, float]],
        targets: Sequence[tuple[Port, float]],
        junctions: dict[tuple[int, int], tuple[str, float, int]] | None = None,
    ) -> tuple[list[Point], int | None] | None:
        """The cheapest path from one of the source ports to one of the target ports.

        `junctions` are nodes where an existing arrow into the same target runs straight
        (node -> (its axis, extra cost, tag)); the path may end there, meeting that arrow at a
        right angle. Returns the points and the junction's tag (None when ending at a port).
        """
        sources = [(p, c) for p, c in sources if self.port_free(p)]
        targets = [(p, c) for p, c in targets if self.port_free(p)]
        junctions = {n: j for n, j in (junctions or {}).items() if self.node_use.get(n) == j[0]}
        if not sources or not (targets or junctions):
            return None
        goal = {p.node: (p, c) for p, c in targets}
        aims = [p.point for p, _ in targets] + [self.point(n) for n in junctions]
        nx, ny = len(self.xs), len(self.ys)
        arrived, merged = (0, 0), (9, 9)

        def h(node: tuple[int, int]) -> float:
            x, y = self.point(node)
            return min(abs(x - ax) + abs(y - ay) for ax, ay in aims)

        heap: list[tuple[float, float, int, tuple[int, int], tuple[int, int]]] = []
        came: dict[tuple[tuple[int, int], tuple[int, int]], Any] = {}
        best: dict[tuple[tuple[int, int], tuple[int, int]], float] = {}
        counter = 0

        def push(state: tuple, g: float, prev: Any, f: float) -> None:
            nonlocal counter
            if g < best.get(state, math.inf):
                best[state] = g
                came[state] = prev
                heapq.heappush(heap, (f, g, counter, state[0], state[1]))
                counter += 1

        for port, cost in sources:
            g = cost + _dist(port.point, self.point(port.node))
            push((port.node, port.direction), g, ("port", port), g + h(port.node))
        while heap:
            _f, g, _c, node, d = heapq.heappop(heap)
            state = (node, d)
            if g > best.get(state, math.inf):
                continue
            if d == arrived:
                return self._finish(came, came[state], goal[node][0], None), None
            if d == merged:
                return self._finish(came, came[state], None, node), junctions[node][2]
            if node in goal:
                port, cost = goal[node]
                into = (-port.direction[0], -port.direction[1])
                if d == into or (d != port.direction and self.node_use.get(node) is None):
                    bend = 0.0 if d == into else BEND_COST
                    end_g = g + cost + bend + _dist(self.point(node), port.point)
                    push((node, arrived), end_g, state, end_g)
            if node in junctions and (junctions[node][0] == "h") == (d[1] != 0):
                end_g = g + junctions[node][1]
                push((node, merged), end_g, state, end_g)
            for nd in DIRS.values():
                if nd == (-d[0], -d[1]):
                    continue
                if nd != d and node in self.node_use:
                    continue  # no bend at a node another route touches
                nxt = (node[0] + nd[0], node[1] + nd[1])
                if not (0 <= nxt[0] < nx and 0 <= nxt[1] < ny) or nxt in self.closed:
                    continue
                if self._seg(node, nxt) in self.used_segments:
                    continue
                use = self.node_use.get(nxt)
                axis = "h" if nd[1] == 0 else "v"
                if use == "x" or use == axis:
                    continue
                step = _dist(self.point(node), self.point(nxt))
                if nd[0] == 0 and node[0] in self.hugging:
                    step *= 1.3
                crossing = CROSS_COST if use and nxt not in junctions else 0.0
                if nxt in self.reserved and nxt not in goal:
                    crossing += RESERVE_COST  # keep other symbols' ports reachable
                ng = g + step + (BEND_COST if nd != d else 0.0) + crossing
                push((nxt, nd), ng, state, ng + h(nxt))
        return None

    def route_loose(
        self, sources: Sequence[tuple[Port, float]], targets: Sequence[tuple[Port, float]]
    ) -> list[Point]:
        """A last-resort path that ignores the other arrows (and, failing that, the symbols).

        The path is claimed here, so later arrows keep away from it as usual. Never fails: the
        grid of tracks is connected once nothing is closed.
        """
        for obstacles in (self.obstacles, []):
            free = Router(self.xs, self.ys, obstacles)
            found = free.route(sources, targets)
            if found is None:
                continue
            nodes = free.paths[-1]
            used = free.used_ports
            source = next(
                p for p, _ in sources if (p.symbol, p.side) in used and p.node == nodes[0]
            )
            target = next(
                p for p, _ in targets if (p.symbol, p.side) in used and p.node == nodes[-1]
            )
            self.claim(source, nodes, target)
            self.paths.append(nodes)
            return found[0]
        raise AssertionError("the open grid of tracks is not connected")

    def _finish(
        self, came: dict, state: tuple, target: Port | None, junction: tuple[int, int] | None
    ) -> list[Point]:
        nodes: list[tuple[int, int]] = []
        while True:
            prev = came[state]
            nodes.append(state[0])
            if isinstance(prev, tuple) and prev and prev[0] == "port":
                source: Port = prev[1]
                break
            state = prev
        nodes.reverse()
        self.claim(source, nodes, target)
        self.paths.append(nodes)
        end = [target.point] if target else []
        return _simplify([source.point, *(self.point(n) for n in nodes), *end])

    def claim(self, source: Port, nodes: Sequence[tuple[int, int]], target: Port | None) -> None:
        """Mark a path's segments, nodes and ports as used."""
        self.used_ports.add((source.symbol, source.side))
        if target is not None:
            self.used_ports.add((target.symbol, target.side))
        for a, b in zip(nodes, nodes[1:], strict=False):
            self.used_segments.add(self._seg(a, b))
        for k, node in enumerate(nodes):
            if k == 0 or k == len(nodes) - 1:
                self.node_use[node] = "x"
                continue
            before, after = nodes[k - 1], nodes[k + 1]
            straight_h = before[1] == node[1] == after[1]
            straight_v = before[0] == node[0] == after[0]
            axis = "h" if straight_h else "v" if straight_v else "x"
            self.node_use[node] = "x" if node in self.node_use or axis == "x" else axis

    def claim_line(self, a: Point, b: Point) -> None:
        """Mark a straight line between two nodes (a joint step's join) as used."""
        ia, ib = (self.ix(a[0]), self.iy(a[1])), (self.ix(b[0]), self.iy(b[1]))
        step = (1 if ib[0] > ia[0] else -1 if ib[0] < ia[0] else 0, 0)
        node = ia
        nodes = [node]
        while node != ib:
            node = (node[0] + step[0], node[1])
            nodes.append(node)
        for a_, b_ in zip(nodes, nodes[1:], strict=False):
            self.used_segments.add(self._seg(a_, b_))
        for k, n in enumerate(nodes):
            self.node_use[n] = "x" if k in (0, len(nodes) - 1) else "h"


def _dist(a: Point, b: Point) -> float:
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


def _simplify(points: Sequence[Point]) -> list[Point]:
    out: list[Point] = []
    for p in points:
        p = (_r(p[0]), _r(p[1]))
        if out and p == out[-1]:
            continue
        if len(out) >= 2:
            a, b = out[-2], out[-1]
            if (a[0] == b[0] == p[0]) or (a[1] == b[1] == p[1]):
                out[-1] = p
                continue
        out.append(p)
    return out


# --------------------------------------------------------------------------- page drawing


@dataclass
class _Band:
    """A horizontal band of the drawing with one symbol line in its middle."""

    y0: float
    y1: float
    sym_h: float
    zone: float

    @property
    def cy(self) -> float:
        return _r((self.y0 + self.y1) / 2)

    def tracks(self) -> list[float]:
        top = self.cy - self.sym_h / 2
        bottom = self.cy + self.sym_h / 2
        up = [_r(self.y0 + (top - self.y0) * k / (TRACKS + 1)) for k in range(1, TRACKS + 1)]
        down = [_r(bottom + (self.y1 - bottom) * k / (TRACKS + 1)) for k in range(1, TRACKS + 1)]
        return [*up, self.cy, *down]


def _letters(index: int) -> str:
    """A, B, ..., Z, AA, AB, ..."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass
class _PageBuilder:
    """Builds one page's drawing: bands, symbols, ports, routes, labels."""

    sop: Sop
    lane_x: dict[str, tuple[float, float]]
    sym_w: float
    rows: list[Row] = field(default_factory=list)
    bands: list[_Band] = field(default_factory=list)
    symbols: list[Symbol] = field(default_factory=list)
    by_step: dict[int, list[int]] = field(default_factory=dict)
    joins: list[Join] = field(default_factory=list)

    def add_symbol(self, kind: str, lane: str, band: _Band, step: int = 0, letter: str = "") -> int:
        x0, x1 = self.lane_x[lane]
        cx, w, h = (x0 + x1) / 2, self.sym_w, SYM_H[kind]
        if kind in ("out", "in"):
            w = min(w, 8.0)
        box = Box(_r(cx - w / 2), _r(band.cy - h / 2), _r(cx + w / 2), _r(band.cy + h / 2))
        self.symbols.append(Symbol(kind, box, lane, step, letter))
        return len(self.symbols) - 1

    def xs(self) -> list[float]:
        xs: set[float] = set()
        for x0, x1 in self.lane_x.values():
            margin = (x1 - x0 - self.sym_w) / 2
            s = margin / (TRACKS + 1)
            for k in range(1, TRACKS + 1):
                xs.add(_r(x0 + s * k))
                xs.add(_r(x1 - s * k))
            xs.add(_r((x0 + x1) / 2))
        return sorted(xs)

    def hugging(self) -> list[float]:
        margins = [(x0, x1, (x1 - x0 - self.sym_w) / 2) for x0, x1 in self.lane_x.values()]
        inner = TRACKS / (TRACKS + 1)
        return sorted(
            {_r(x0 + m * inner) for x0, _, m in margins}
            | {_r(x1 - m * inner) for _, x1, m in margins}
        )

    def ys(self) -> list[float]:
        return sorted({y for band in self.bands for y in band.tracks()})

    def ports(self, router: Router, index: int) -> dict[str, Port]:
        sym = self.symbols[index]
        b = sym.box
        cx, cy = _r(b.cx), _r(b.cy)
        xs, ys = router.xs, router.ys
        out = {}
        above = [y for y in ys if y < b.y0 - CLEAR]
        below = [y for y in ys if y > b.y1 + CLEAR]
        left = [x for x in xs if x < b.x0 - CLEAR]
        right = [x for x in xs if x > b.x1 + CLEAR]
        if above:
            out["top"] = Port(
                index, "top", (cx, b.y0), (router.ix(cx), router.iy(above[-1])), (0, -1)
            )
        if below:
            out["bottom"] = Port(
                index, "bottom", (cx, b.y1), (router.ix(cx), router.iy(below[0])), (0, 1)
            )
        if left:
            out["left"] = Port(
                index, "left", (b.x0, cy), (router.ix(left[-1]), router.iy(cy)), (-1, 0)
            )
        if right:
            out["right"] = Port(
                index, "right", (b.x1, cy), (router.ix(right[0]), router.iy(cy)), (1, 0)
            )
        return out


def _page_drawing(
    sop: Sop,
    span: tuple[int, int],
    rows_info: dict[int, tuple[dict[str, tuple[str, ...]], float]],
    lane_x: dict[str, tuple[float, float]],
    sym_w: float,
    edges: Sequence[flow.Edge],
    letters: dict[flow.Edge, str],
) -> tuple[list[Row], list[Symbol], list[Route], list[Join], float]:
    """Rows, symbols, routes and joins of one page of the procedure table."""
    first, last = span
    incoming, outgoing = _crossing(edges, first, last)
    pb = _PageBuilder(sop, lane_x, sym_w)
    y = 0.0
    conn_index: dict[tuple[str, flow.Edge], int] = {}

    def connector_row(kind: str, crossing: Sequence[flow.Edge]) -> None:
        nonlocal y
        by_lane: dict[str, list[flow.Edge]] = {}
        for e in crossing:
            lane = sop.step(e.source if kind == "out" else e.target).actors[0]
            by_lane.setdefault(lane, []).append(e)
        tiers = max(len(v) for v in by_lane.values())
        height = _conn_height(tiers)
        pb.rows.append(Row("conn-top" if kind == "in" else "conn-bottom", _r(y), height))
        tier_h = height / tiers
        bands = [
            _Band(_r(y + k * tier_h), _r(y + (k + 1) * tier_h), SYM_H[kind], CONN_ZONE)
            for k in range(tiers)
        ]
        pb.bands.extend(bands)
        for lane, lane_edges in by_lane.items():
            order = lane_edges if kind == "out" else list(reversed(lane_edges))
            for k, e in enumerate(order):
                band = bands[k] if kind == "out" else bands[tiers - len(order) + k]
                conn_index[(kind, e)] = pb.add_symbol(kind, lane, band, letter=letters[e])
        y += height

    if incoming:
        connector_row("in", incoming)
    for n in range(first, last + 1):
        cells, height = rows_info[n]
        row = Row("step", _r(y), height, n, tuple(cells.items()))
        pb.rows.append(row)
        kind = symbol_kind(sop, n)
        band = _Band(row.y0, row.y1, SYM_H[kind], ZONE)
        pb.bands.append(band)
        lanes = sorted(sop.step(n).actors, key=sop.lane_ids.index)
        pb.by_step[n] = [pb.add_symbol(kind, lane, band, step=n) for lane in dict.fromkeys(lanes)]
        y += height
    if outgoing:
        connector_row("out", outgoing)

    def step_label(idx: int) -> str:
        s = pb.symbols[idx]
        return f"step {s.step} {s.lane}" if s.step else f"connector {s.letter}"

    jobs: list[_Job] = []
    for e in edges:
        src_in = first <= e.source <= last
        tgt_in = first <= e.target <= last
        if src_in and tgt_in:
            jobs.append((e, pb.by_step[e.source], pb.by_step[e.target], e.is_back))
        elif src_in:
            jobs.append((e, pb.by_step[e.source], [conn_index[("out", e)]], False))
        elif tgt_in:
            jobs.append((e, [conn_index[("in", e)]], pb.by_step[e.target], False))
    row_of = {idx: i for i, row in enumerate(pb.rows) for idx in _row_symbols(pb, row, i)}

    def span_of(job: _Job) -> tuple[int, int, int]:
        e, s, t, back = job
        return (int(back), abs(row_of[t[0]] - row_of[s[0]]), e.source)

    jobs.sort(key=span_of)
    found_all = None
    for mode in ROUTE_MODES:
        found_all = _route_jobs(pb, jobs, mode)
        if found_all is not None:
            break
    assert found_all is not None  # the last mode never fails
    routes: list[Route] = []
    for (e, srcs, tgts, _back), (points, merged_into) in zip(jobs, found_all, strict=True):
        start = step_label(_symbol_at(pb, points[0], srcs))
        end = (
            f"arrow {merged_into}"
            if merged_into is not None
            else step_label(_symbol_at(pb, points[-1], tgts))
        )
        label = e.label if e.kind in ("yes", "no") and first <= e.source <= last else ""
        routes.append(Route(e.source, e.target, e.kind, tuple(points), start, end, label))
    routes = _place_labels(
        routes,
        pb.symbols,
        pb.joins,
        sum(lane_x[k][1] - lane_x[k][0] for k in lane_x),
        y,
        lane_x,
        pb.rows,
    )
    return pb.rows, pb.symbols, routes, pb.joins, _r(y)


_Job = tuple[flow.Edge, list[int], list[int], bool]  # edge, source and target symbols, back


def _can_leave(sym: Symbol, side: str) -> bool:
    """True when an arrow may leave this symbol from this side."""
    if sym.kind == "decision" and side == "top":
        return False
    return sym.kind != "out" and not (sym.kind == "in" and side != "bottom")


def _can_enter(sym: Symbol, side: str) -> bool:
    """True when an arrow may enter this symbol from this side."""
    return sym.kind != "in" and not (sym.kind == "out" and side != "top")


def _route_jobs(
    pb: _PageBuilder, jobs: Sequence[_Job], mode: str
) -> list[tuple[list[Point], int | None]] | None:
    """Route a page's arrows in order with one of the ROUTE_MODES; None when one has no route.

    Also draws the joins of joint steps (into `pb.joins`, reset first).
    """
    router = Router(pb.xs(), pb.ys(), [s.box for s in pb.symbols], pb.hugging())
    ports = {i: pb.ports(router, i) for i in range(len(pb.symbols))}
    router.reserved = {p.node for sides in ports.values() for p in sides.values()}
    pb.joins = []
    for n, members in pb.by_step.items():
        for a, b in zip(members, members[1:], strict=False):
            pa, pb_ = ports[a]["right"], ports[b]["left"]
            router.claim_line(router.point(pa.node), router.point(pb_.node))
            router.used_ports.update({(a, "right"), (b, "left")})
            pb.joins.append(Join(n, (pa.point, pb_.point)))
    merge_cost = MERGE_COST if mode in ("normal", "budget") else MERGE_COST_FALLBACK
    done: list[tuple[list[Point], int | None]] = []
    for k, (e, srcs, tgts, back) in enumerate(jobs):
        sources = [
            (p, OUT_PORT_COST[side] + (3.0 if back and side == "bottom" else 0.0))
            for i in srcs
            for side, p in ports[i].items()
            if _can_leave(pb.symbols[i], side)
        ]
        targets = [
            (p, (BACK_IN_PORT_COST if back else IN_PORT_COST)[side])
            for i in tgts
            for side, p in ports[i].items()
            if _can_enter(pb.symbols[i], side)
        ]
        junctions = {
            node: ("h" if router.node_use[node] == "h" else "v", merge_cost, j)
            for j, (other, _, other_tgts, _) in enumerate(jobs[:k])
            if other.target == e.target
            and other_tgts == tgts
            and done[j][1] is None  # never into an arrow that itself merges
            for node in router.paths[j][1:-1]
            if router.node_use.get(node) in ("h", "v")
        }
        found = None
        if mode != "normal":
            kept_s, kept_t = _budget(pb, router, ports, jobs, k, sources, targets)
            found = router.route(kept_s, kept_t, junctions)
        if found is None:
            found = router.route(sources, targets, junctions)
        if found is None and mode == "loose":
            found = (router.route_loose(sources, targets), None)
        if found is None:
            return None
        done.append(found)
    return done


def _budget(
    pb: _PageBuilder,
    router: Router,
    ports: dict[int, dict[str, Port]],
    jobs: Sequence[_Job],
    k: int,
    sources: list[tuple[Port, float]],
    targets: list[tuple[Port, float]],
) -> tuple[list[tuple[Port, float]], list[tuple[Port, float]]]:
    """The ports job k may use without starving the arrows still to come of a free port.

    An arrow into a symbol keeps off the last ports its later outgoing arrows need (it merges
    into an arrow already there instead); an arrow out of a symbol keeps one port free for the
    first arrow into it.
    """
    _, srcs, tgts, _ = jobs[k]
    later = jobs[k + 1 :]

    def free(group: list[int], ok: Any) -> int:
        return sum(
            1
            for i in group
            for side, p in ports[i].items()
            if ok(pb.symbols[i], side) and router.port_free(p)
        )

    still_out = sum(1 for _, s, _, _ in later if s == tgts)
    if still_out:
        room = free(tgts, _can_leave) - still_out
        targets = [
            (p, c)
            for p, c in targets
            if room > 0 or not _can_leave(pb.symbols[p.symbol], p.side) or not router.port_free(p)
        ]
    first_in = any(t == srcs for _, _, t, _ in later) and not any(
        t == srcs for _, _, t, _ in jobs[:k]
    )
    if first_in and free(srcs, _can_enter) <= 1:
        sources = [
            (p, c)
            for p, c in sources
            if not _can_enter(pb.symbols[p.symbol], p.side) or not router.port_free(p)
        ]
    return sources, targets


def _row_symbols(pb: _PageBuilder, row: Row, _i: int) -> list[int]:
    return [k for k, s in enumerate(pb.symbols) if row.y0 <= s.box.cy <= row.y1]


def _symbol_at(pb: _PageBuilder, point: Point, candidates: Sequence[int]) -> int:
    for i in candidates:
        if pb.symbols[i].box.grow(0.01).contains(*point):
            return i
    return candidates[0]


# --------------------------------------------------------------------------- labels


def _label_size(text: str) -> tuple[float, float]:
    return (
        font().width_pt(text, STYLE.label_pt) * MM_PER_PT + 0.4,
        STYLE.label_pt * MM_PER_PT * 1.15,
    )


LABEL_GAPS = (0.5, 0.25)  # the tighter gap only when no place at the normal one is clear


def _label_candidates(
    route: Route, size: tuple[float, float], gap: float = LABEL_GAPS[0]
) -> list[tuple[float, Box]]:
    """Places beside the first segments of a route, nearest the exit first, with a penalty."""
    w, h = size
    out: list[tuple[float, Box]] = []
    for index, (a, b) in enumerate(route.segments[:3]):
        length = _dist(a, b)
        t = gap
        while t <= max(length - gap, gap):
            penalty = index * 6.0 + t
            if a[1] == b[1]:  # horizontal: above or below, starting t along it
                sign = 1 if b[0] > a[0] else -1
                bx = a[0] + sign * t if sign > 0 else a[0] - t - w
                out.append((penalty, Box(bx, a[1] - gap - h, bx + w, a[1] - gap)))
                out.append((penalty + 0.5, Box(bx, a[1] + gap, bx + w, a[1] + gap + h)))
            else:  # vertical: right or left, starting t along it
                sign = 1 if b[1] > a[1] else -1
                by = a[1] + sign * t if sign > 0 else a[1] - t - h
                out.append((penalty, Box(a[0] + gap, by, a[0] + gap + w, by + h)))
                out.append((penalty + 0.5, Box(a[0] - gap - w, by, a[0] - gap, by + h)))
            t += 1.0
    return out


def _place_labels(
    routes: list[Route],
    symbols: Sequence[Symbol],
    joins: Sequence[Join],
    width: float,
    height: float,
    lane_x: dict[str, tuple[float, float]],
    rows: Sequence[Row],
) -> list[Route]:
    """Put each decision label beside its exit, touching no line, symbol or other label."""
    segments = [s for r in routes for s in r.segments] + [j.points for j in joins]
    placed: list[Box] = []
    out = []
    for route in routes:
        if not route.label:
            out.append(route)
            continue
        best: tuple[float, Box] | None = None
        cands = (
            c
            for gap in LABEL_GAPS
            if best is None or best[0] >= 1000  # still touching something
            for c in _label_candidates(route, _label_size(route.label), gap)
        )
        for penalty, cand in cands:
            cand = Box(_r(cand.x0), _r(cand.y0), _r(cand.x1), _r(cand.y1))
            grown = cand.grow(0.2)
            bad = sum(grown.crosses_segment(a, b) or _seg_inside(grown, a, b) for a, b in segments)
            bad += sum(grown.overlaps(s.box) for s in symbols)
            bad += sum(grown.overlaps(p) for p in placed)
            bad += (
                0
                if (cand.x0 >= 0 and cand.x1 <= width and cand.y0 >= 0 and cand.y1 <= height)
                else 5
            )
            in_cell = any(x0 <= cand.x0 and cand.x1 <= x1 for x0, x1 in lane_x.values()) and any(
                r.y0 <= cand.y0 and cand.y1 <= r.y1 for r in rows
            )
            score = bad * 1000 + penalty + (0 if in_cell else 4)
            if best is None or score < best[0]:
                best = (score, cand)
        assert best is not None
        placed.append(best[1])
        out.append(replace(route, label_box=best[1]))
    return out


def _seg_inside(box: Box, a: Point, b: Point) -> bool:
    """True when an axis-aligned segment has a point strictly inside the box."""
    lo_x, hi_x = sorted((a[0], b[0]))
    lo_y, hi_y = sorted((a[1], b[1]))
    return (
        lo_x < box.x1
        and box.x0 < hi_x
        and lo_y < box.y1
        and box.y0 < hi_y
        or (box.crosses_segment(a, b))
    )


# --------------------------------------------------------------------------- the sheet


def layout_sheet(sop: Sop, office: Office, paper_mm: tuple[float, float]) -> SheetLayout:
    """The complete geometry of one SOP's sheet; `paper_mm` is (width, height) in portrait."""
    portrait = paper_mm
    page_w, page_h = float(portrait[1]), float(portrait[0])
    content_w = page_w - STYLE.margin_left - STYLE.margin_right
    content_h = page_h - STYLE.margin_top - STYLE.margin_bottom
    columns = _columns(sop, content_w)
    lane_cols = [c for c in columns if c.key.startswith("lane:")]
    lx0 = lane_cols[0].x0
    lane_x = {c.key[5:]: (_r(c.x0 - lx0), _r(c.x0 - lx0 + c.width)) for c in lane_cols}
    lane_w = lane_cols[0].width
    sym_w = _r(min(SYM_MAX_W, lane_w - 2 * LANE_MARGIN_MIN))
    header = _header_heights(columns)
    identity = _identity(sop, office, content_w, bool(office.logo))
    rows_info = {}
    for n in range(1, len(sop.steps) + 1):
        cells = _step_cells(sop, n, columns)
        rows_info[n] = (cells, _step_height(sop, n, cells))
    heights = {n: h for n, (_, h) in rows_info.items()}
    total_h = _r(_lines_height(1, STYLE.body_lh) + 1.0)
    avail = content_h - STYLE.footer_h - STYLE.page_slack - sum(header)
    avail_first = avail - identity.height - STYLE.gap_identity
    spans = _paginate(sop, heights, avail_first, avail, total_h)
    edges = [e for e in flow.edges(sop) if 1 <= e.target <= len(sop.steps)]
    page_of = {n: i for i, (a, b) in enumerate(spans) for n in range(a, b + 1)}
    crossing = [e for e in edges if page_of[e.source] != page_of[e.target]]
    crossing.sort(key=lambda e: (page_of[e.source], e.source, e.target))
    letters = {e: _letters(i) for i, e in enumerate(crossing)}
    pages = []
    for i, span in enumerate(spans):
        if span[1] < span[0]:
            rows, symbols, routes, joins, dh = [], [], [], [], 0.0
        else:
            rows, symbols, routes, joins, dh = _page_drawing(
                sop, span, rows_info, lane_x, sym_w, edges, letters
            )
        pages.append(
            Page(
                i + 1,
                (0, 1, 2, 3) if i == 0 else (),
                tuple(rows),
                tuple(symbols),
                tuple(routes),
                tuple(joins),
                span[1] == len(sop.steps),
                dh,
            )
        )
    return SheetLayout(
        office.paper,
        page_w,
        page_h,
        _r(content_w),
        _r(content_h),
        columns,
        tuple(sop.lane_ids),
        header,
        identity,
        tuple(pages),
        str(flow.total_time(sop)),
        total_h,
    )


# --------------------------------------------------------------------------- text dump


def _fmt_points(points: Iterable[Point]) -> str:
    return " ".join(f"({x:g},{y:g})" for x, y in points)


def _fmt_box(b: Box) -> str:
    return f"[{b.x0:g},{b.y0:g} {b.x1:g},{b.y1:g}]"


def dump(layout: SheetLayout) -> str:
    """A readable text form of the layout, for expected-output tests and reviews."""
    out = [
        f"paper {layout.paper} landscape {layout.page_w:g}x{layout.page_h:g} mm, "
        f"content {layout.content_w:g}x{layout.content_h:g} mm, "
        f"{len(layout.pages)} pages, total time {layout.total_time}",
        "columns: " + ", ".join(f"{c.number} {c.key} {c.x0:g}+{c.width:g}" for c in layout.columns),
        f"header heights: {' '.join(f'{h:g}' for h in layout.header_heights)}",
        f"identity: top {layout.identity.top_height:g}, lower "
        + " ".join(f"{h:g}" for _, _, h in layout.identity.lower),
    ]
    for page in layout.pages:
        steps = page.steps
        what = f"steps {steps[0]}-{steps[-1]}" if steps else "no table"
        ident = " identity," if page.identity_parts else ""
        out.append(f"page {page.number}:{ident} {what}, drawing height {page.drawing_height:g}")
        for row in page.rows:
            label = f"step {row.step}" if row.step else row.kind
            uraian = len(row.lines("uraian"))
            out.append(f"  row {label}: y {row.y0:g} h {row.height:g} uraian {uraian} lines")
        for s in page.symbols:
            who = f"step {s.step}" if s.step else f"connector {s.letter}"
            out.append(f"  symbol {who} {s.kind} {s.lane} {_fmt_box(s.box)}")
        for j in page.joins:
            out.append(f"  join step {j.step} {_fmt_points(j.points)}")
        for r in page.routes:
            label = f" '{r.label}' at {_fmt_box(r.label_box)}" if r.label_box else ""
            out.append(
                f"  arrow {r.source}->{r.target} {r.kind} {r.start} -> {r.end}: "
                f"{_fmt_points(r.points)}{label}"
            )
        if page.total_row:
            out.append(f"  total row: {layout.total_time}")
    return "\n".join(out) + "\n"
