"""The records of a sheet layout: boxes, columns, symbols, routes, rows, identity, pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from generator.layout.geometry import Box, Point  # noqa: F401  (Box: the sheet's name)
from generator.layout.sheet.measure import STYLE, Style
from generator.layout.text import wrap

TOUCH_MARGIN = 0.2  # mm: how close to a symbol's outline `Symbol.touches` counts as touching


def round_mm(v: float) -> float:
    """`v` mm rounded to 0.01 mm, the precision every layout coordinate is kept in."""
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
    step: int = 0  # 0 for connectors and end capsules of exits
    letter: str = ""  # connectors only
    ends: str = ""  # an exit's end capsule: the exit's flow.Edge.ident

    @cached_property
    def grown(self) -> Box:
        """The symbol's box grown by TOUCH_MARGIN (what `touches` asks, once)."""
        return self.box.grow(TOUCH_MARGIN)

    def touches(self, box: Box, margin: float = TOUCH_MARGIN) -> bool:
        """True when `box` comes within `margin` mm of the symbol's drawn outline (a diamond
        is a rhombus, not its bounding box)."""
        b = self.grown if margin == TOUCH_MARGIN else self.box.grow(margin)
        if not b.overlaps(box):
            return False
        if self.kind != "decision":
            return True
        # The point of `box` nearest the centre lies inside the rhombus (grown by margin).
        dx = max(box.x0 - b.cx, 0.0, b.cx - box.x1)
        dy = max(box.y0 - b.cy, 0.0, b.cy - box.y1)
        return dx / (b.w / 2) + dy / (b.h / 2) < 1.0


@dataclass(frozen=True)
class Route:
    """A routed arrow: orthogonal polyline from a symbol edge to a symbol edge."""

    source: int  # step number
    target: int  # step number; 0 when the exit ends the procedure
    kind: str  # next, goto, yes, no
    points: tuple[Point, ...]
    start: str  # "step 5 kasi" or "connector A"
    end: str  # the same, or "arrow K": meets arrow K of the page (into the same step)
    label: str = ""
    label_box: Box | None = None
    label_lines: tuple[str, ...] = ()  # the label as printed (one or two lines)
    label_pt: float = STYLE.label_pt  # its font size

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
    identity_parts: tuple[int, ...]  # (0,) when the page holds the identity's upper grid
    rows: tuple[Row, ...]
    symbols: tuple[Symbol, ...]
    routes: tuple[Route, ...]
    joins: tuple[Join, ...]
    total_row: bool
    drawing_height: float
    # the rows of the identity's lower grid on this page (a long list continues on the next)
    identity_rows: tuple[tuple[ListCell, ListCell, float], ...] = ()

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
    footer: str = ""  # the footer's left text (number and name, shortened to one line)
    total_note: tuple[str, ...] = ()  # what the total counts, wrapped (none when all steps)

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
