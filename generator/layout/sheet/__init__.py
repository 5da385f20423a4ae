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

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from generator import flow
from generator.layout.router import Port, Router  # noqa: F401
from generator.layout.sheet.drawing import (  # noqa: F401
    LABEL_LH,
    PageInput,
    connector_letters,
    page_layout_drawing,
)
from generator.layout.sheet.grid import (
    conn_height,
    connectors_per_tier,
    identity_block,
    identity_pages,
    lines_height,
    measure_header_heights,
    paginate,
    sheet_columns,
    step_cells,
    step_height,
)
from generator.layout.sheet.measure import (  # noqa: F401  (the package's public names)
    ARROW_HALF,
    ARROW_LEN,
    LANE_MARGIN_MIN,
    STYLE,
    SYM_MAX_W,
    Style,
    symbol_width,
)
from generator.layout.sheet.records import (  # noqa: F401
    Box,
    Column,
    Identity,
    Join,
    Page,
    Point,
    Route,
    Row,
    SheetLayout,
    Symbol,
    round_mm,
)
from generator.layout.text import text_width, wrap  # noqa: F401
from generator.model import Office, Sop

# --------------------------------------------------------------------------- the sheet


@dataclass(frozen=True)
class Frame:
    """What a sheet's pages offer: page and content sizes (mm), columns, header heights, the
    height a table page offers to body rows and the height of the total row."""

    page_w: float
    page_h: float
    content_w: float
    content_h: float
    columns: tuple[Column, ...]
    header: tuple[float, float, float]
    avail: float
    total_h: float
    total_lines: tuple[tuple[str, ...], tuple[str, ...]]  # the total, then the note on it


def frame(sop: Sop, paper_mm: tuple[float, float], hours_per_day: float = 8.0) -> Frame:
    """The page frame of one SOP's sheet; `paper_mm` is (width, height) in portrait; the
    total row counts working days of `hours_per_day` hours."""
    page_w, page_h = float(paper_mm[1]), float(paper_mm[0])
    content_w = page_w - STYLE.margin_left - STYLE.margin_right
    content_h = page_h - STYLE.margin_top - STYLE.margin_bottom
    total_h = round_mm(lines_height(1, STYLE.body_lh) + 1.0)
    room = content_h - STYLE.footer_h - STYLE.page_slack - 3 * 12.0  # a 3-line header
    columns = sheet_columns(sop, content_w, room - 2 * conn_height(1) - total_h)
    header = measure_header_heights(columns)
    avail = content_h - STYLE.footer_h - STYLE.page_slack - sum(header)
    total_lines = _total_lines(sop, columns, hours_per_day)
    total_h = round_mm(lines_height(sum(len(t) for t in total_lines), STYLE.body_lh) + 1.0)
    return Frame(page_w, page_h, content_w, content_h, columns, header, avail, total_h, total_lines)


def total_note(sop: Sop) -> str:
    """What the JUMLAH WAKTU BAKU counts, when it is not simply every step: the main path
    (the first exit of each decision) and which of its steps have no standard time."""
    path = flow.main_path(sop)
    parts = []
    if any(sop.step(n).is_decision for n in range(1, len(sop.steps) + 1)):
        parts.append("jalur utama (pilihan pertama setiap keputusan)")
    untimed = flow.untimed_steps(sop, path)
    if untimed:
        numbers = ", ".join(str(n) for n in untimed)
        parts.append(f"langkah {numbers} tanpa waktu baku tidak dihitung")
    return f"Dihitung: {'; '.join(parts)}." if parts else ""


def _total_lines(
    sop: Sop, columns: tuple[Column, ...], hours_per_day: float
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    width = sum(c.width for c in columns if c.key in ("waktu", "output", "ket")) - 2 * STYLE.pad_x
    total = str(flow.total_time(sop, hours_per_day))
    return (
        tuple(wrap(total, width, STYLE.body_pt, bold=True)),
        tuple(wrap(total_note(sop), width, STYLE.body_pt)),
    )


def layout_sheet(
    sop: Sop,
    office: Office,
    paper_mm: tuple[float, float],
    related: Callable[[str], Sop | None] | None = None,
) -> SheetLayout:
    """The complete geometry of one SOP's sheet; `paper_mm` is (width, height) in portrait;
    `related` finds the SOP a keterkaitan item names (printed by its nama and nomor)."""
    fr = frame(sop, paper_mm, office.working_hours.hours_per_day)
    page_w, page_h, content_w, content_h = fr.page_w, fr.page_h, fr.content_w, fr.content_h
    columns, header, avail, total_h = fr.columns, fr.header, fr.avail, fr.total_h
    lane_cols = [c for c in columns if c.key.startswith("lane:")]
    lx0 = lane_cols[0].x0
    lane_x = {c.key[5:]: (round_mm(c.x0 - lx0), round_mm(c.x0 - lx0 + c.width)) for c in lane_cols}
    lane_w = lane_cols[0].width
    sym_w = symbol_width(lane_w)
    identity = identity_block(sop, office, content_w, bool(office.logo), related)
    rows_info = {}
    for n in range(1, len(sop.steps) + 1):
        cells = step_cells(sop, n, columns)
        rows_info[n] = (cells, step_height(sop, n, cells))
    heights = {n: h for n, (_, h) in rows_info.items()}
    ident_pages = identity_pages(identity, content_h - STYLE.footer_h - STYLE.page_slack)
    top_last, rows_last = ident_pages[-1]
    ident_last = (identity.top_height if top_last else 0.0) + sum(h for _, _, h in rows_last)
    avail_first = avail - ident_last - STYLE.gap_identity
    per_tier = connectors_per_tier(lane_w, sym_w)
    spans = paginate(sop, heights, avail_first, avail, total_h, per_tier)
    lead = len(ident_pages) - 1  # pages holding only the identity
    edges = [e for e in flow.edges(sop) if e.target is not None and 1 <= e.target <= len(sop.steps)]
    page_of = {n: i for i, (a, b) in enumerate(spans) for n in range(a, b + 1)}
    crossing = [e for e in edges if page_of[e.source] != page_of[e.target]]
    crossing.sort(key=lambda e: (page_of[e.source], e.source, e.target))
    letters = {e: connector_letters(i) for i, e in enumerate(crossing)}
    pages = [
        Page(i + 1, (0,) if top else (), (), (), (), (), False, 0.0, tuple(rows))
        for i, (top, rows) in enumerate(ident_pages[:-1])
    ]
    for i, span in enumerate(spans):
        if span[1] < span[0]:
            rows, symbols, routes, joins, dh = [], [], [], [], 0.0
        else:
            rows, symbols, routes, joins, dh = page_layout_drawing(
                PageInput(sop, span, rows_info, lane_x, sym_w, edges, letters, per_tier)
            )
        pages.append(
            Page(
                lead + i + 1,
                (0,) if i == 0 and top_last else (),
                tuple(rows),
                tuple(symbols),
                tuple(routes),
                tuple(joins),
                span[1] == len(sop.steps),
                dh,
                tuple(rows_last) if i == 0 else (),
            )
        )
    return SheetLayout(
        office.paper,
        page_w,
        page_h,
        round_mm(content_w),
        round_mm(content_h),
        columns,
        tuple(sop.lane_ids),
        header,
        identity,
        tuple(pages),
        str(flow.total_time(sop, office.working_hours.hours_per_day)),
        total_h,
        footer=_footer(sop, content_w, len(pages)),
        total_note=fr.total_lines[1],
    )


def _footer(sop: Sop, width: float, pages: int) -> str:
    """'<nomor> · <nama>' shortened with an ellipsis to one line beside 'Halaman N dari M'."""
    text = f"{sop.number} \u00b7 {sop.name}"
    room = width - text_width(f"Halaman {pages} dari {pages}", STYLE.foot_pt) - 6.0
    if text_width(text, STYLE.foot_pt) <= room:
        return text
    while text and text_width(text + " \u2026", STYLE.foot_pt) > room:
        text = text[:-1]
    return text.rstrip() + " \u2026"


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
        if page.identity_rows:
            ident += (
                " identity rows "
                + " ".join(
                    f"{left.title or '-'}|{right.title or '-'} {h:g}"
                    for left, right, h in page.identity_rows
                )
                + ","
            )
        out.append(f"page {page.number}:{ident} {what}, drawing height {page.drawing_height:g}")
        for row in page.rows:
            label = f"step {row.step}" if row.step else row.kind
            uraian = len(row.lines("uraian"))
            out.append(f"  row {label}: y {row.y0:g} h {row.height:g} uraian {uraian} lines")
        for s in page.symbols:
            who = (
                f"step {s.step}"
                if s.step
                else f"end of exit {s.ends}"
                if s.ends
                else f"connector {s.letter}"
            )
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
