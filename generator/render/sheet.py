"""The official SOP sheet (lembar SOP): standalone print-ready HTML and its PDF.

The geometry comes from `generator.layout.sheet`; this module only writes it out. The
flowchart of a page is one SVG laid absolutely over the lane columns of the page's table (page
sections have a fixed height, so no page break can fall inside it, and WeasyPrint and Chromium
break at the same rows). Every arrow is one path carrying `data-route` (and `data-edge`,
`data-from`, `data-to`, `data-points`); a joint step's line carries `data-join`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import Markup, escape

from generator.layout.sheet import (
    ARROW_HALF,
    ARROW_LEN,
    LABEL_LH,
    STYLE,
    Page,
    Point,
    Route,
    SheetLayout,
    Symbol,
    layout_sheet,
)
from generator.layout.sheet.records import ListCell
from generator.loader import related_sop
from generator.model import Sop
from generator.render.common import Outputs, PdfJob, RenderContext, render_template

# Presentation attributes, not CSS: WeasyPrint's SVG renderer ignores the page's stylesheet.
LINE = f'stroke="#000" stroke-width="{STYLE.line}"'
SHAPE = f'class="simbol" fill="#fff" {LINE}'
FONT = 'font-family="Liberation Sans, Arial, sans-serif"'
PT = 25.4 / 72

HTML_NAME = "lembar-sop.html"
PDF_NAME = "lembar-sop.pdf"
# An internal output (a name starting with "."): kept with the SOP's files in the cache and
# handed to the site, never written as a file.
FRAGMENT_NAME = ".lembar-sop.fragmen.html"


def sheet_layout(ctx: RenderContext, sop: Sop) -> SheetLayout:
    """The sheet geometry of one SOP on the office's paper."""
    return layout_sheet(sop, ctx.office, ctx.paper_mm, lambda text: related_sop(ctx.sops, text))


def outputs(ctx: RenderContext, sop: Sop) -> Outputs:
    """The standalone sheet HTML, the PDF job made from it (the job checks that the PDF holds
    every step's number and first line and every identity item, `expected_text`) and, under
    the internal name `FRAGMENT_NAME`, the fragment the site embeds: one layout for all three."""
    layout = sheet_layout(ctx, sop)
    css, body = _css(ctx, layout), _fragment(ctx, sop, layout)
    html = _standalone(ctx, sop, layout, css, body)
    return {
        HTML_NAME: html.encode("utf-8"),
        PDF_NAME: PdfJob(html, expected_text(layout)),
        FRAGMENT_NAME: _scoped(css, body).encode("utf-8"),
    }


def expected_text(layout: SheetLayout) -> tuple[str, ...]:
    """What the sheet's PDF text must contain: each step's number with the first line of its
    uraian, the first line of every identity field and list item, the total row."""
    out: list[str] = []
    for page in layout.pages:
        if page.identity_parts:
            out += [f.lines[0] for f in layout.identity.fields if f.lines]
        for left, right, _ in page.identity_rows:
            for cell in (left, right):
                out += [item.lines[0] for g in cell.groups for item in g.items if item.lines]
        for row in page.rows:
            if row.kind == "step":
                first = row.lines("uraian")
                out.append(f"{row.step}. {first[0]}" if first else f"{row.step}.")
        if page.total_row:
            out.append("JUMLAH WAKTU BAKU")
    return tuple(out)


def sheet_html(ctx: RenderContext, sop: Sop, layout: SheetLayout | None = None) -> str:
    """The standalone, print-ready sheet (no JavaScript, everything inline)."""
    layout = layout or sheet_layout(ctx, sop)
    return _standalone(ctx, sop, layout, _css(ctx, layout), _fragment(ctx, sop, layout))


def _standalone(ctx: RenderContext, sop: Sop, layout: SheetLayout, css: str, body: str) -> str:
    return render_template(
        ctx.env,
        "sheet/lembar-sop.html",
        sop=sop,
        L=layout,
        s=STYLE,
        css=Markup(css),
        fragment=Markup(body),
    )


def sheet_fragment(ctx: RenderContext, sop: Sop) -> str:
    """The sheet as an HTML fragment with its CSS scoped under `.lembar-sop` (for the site)."""
    layout = sheet_layout(ctx, sop)
    return _scoped(_css(ctx, layout), _fragment(ctx, sop, layout))


def _scoped(css: str, body: str) -> str:
    return f"<style>\n{css}</style>\n{body}"


def _css(ctx: RenderContext, layout: SheetLayout) -> str:
    return render_template(ctx.env, "sheet/lembar.css", s=STYLE, L=layout)


@dataclass(frozen=True)
class _RowView:
    kind: str
    step: int
    height: float
    cells: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class _PageView:
    number: int
    identity: bool
    rows: list[_RowView]
    total_row: bool
    identity_rows: tuple[tuple[ListCell, ListCell, float], ...]
    drawing: Markup


def _fragment(ctx: RenderContext, sop: Sop, layout: SheetLayout) -> str:
    h1, h2, h3 = layout.header_heights
    pages = [
        _PageView(
            page.number,
            bool(page.identity_parts),
            [_RowView(row.kind, row.step, row.height, dict(row.cells)) for row in page.rows],
            page.total_row,
            page.identity_rows,
            page_drawing(layout, page),
        )
        for page in layout.pages
    ]
    return render_template(
        ctx.env,
        "sheet/lembar.html",
        sop=sop,
        L=layout,
        s=STYLE,
        b=STYLE.border,
        h1=h1,
        h2=h2,
        h3=h3,
        pages=pages,
        page_height=round(layout.content_h - STYLE.page_slack, 2),
        lane_columns=layout.lane_columns,
        logo_uri=ctx.logo_uri,
    )


# --------------------------------------------------------------------------- page drawing


def _n(v: float) -> str:
    """A coordinate as short text."""
    return f"{round(v, 3):g}"


def _polyline(points: tuple[Point, ...] | list[Point]) -> str:
    """An SVG path through the points."""
    (x0, y0), *rest = points
    return f"M{_n(x0)} {_n(y0)}" + "".join(f"L{_n(x)} {_n(y)}" for x, y in rest)


def _arrow_head(route: Route) -> tuple[Point, str]:
    """The tip of a route and its filled triangle."""
    (x0, y0), (x1, y1) = route.points[-2], route.points[-1]
    dx = (x1 > x0) - (x1 < x0)
    dy = (y1 > y0) - (y1 < y0)
    bx, by = x1 - dx * ARROW_LEN, y1 - dy * ARROW_LEN
    px, py = -dy * ARROW_HALF, dx * ARROW_HALF
    pts = [(x1, y1), (bx + px, by + py), (bx - px, by - py)]
    return (x1, y1), " ".join(f"{_n(x)},{_n(y)}" for x, y in pts)


def _symbol_svg(sym: Symbol) -> str:
    b = sym.box
    data = f'data-kind="{sym.kind}" data-lane="{escape(sym.lane)}"'
    if sym.step:
        data += f' data-step="{sym.step}"'
    if sym.ends:
        data += f' data-selesai="{escape(sym.ends)}"'
    if sym.kind in ("process", "start", "end"):
        rx = b.h / 2 if sym.kind in ("start", "end") else 0
        return (
            f'<rect {SHAPE} {data} x="{_n(b.x0)}" y="{_n(b.y0)}" width="{_n(b.w)}" '
            f'height="{_n(b.h)}" rx="{_n(rx)}"/>'
        )
    if sym.kind == "decision":
        pts = [(b.cx, b.y0), (b.x1, b.cy), (b.cx, b.y1), (b.x0, b.cy)]
    else:  # off-page connector: a pentagon pointing down
        shoulder = b.y0 + b.h * 0.6
        pts = [(b.x0, b.y0), (b.x1, b.y0), (b.x1, shoulder), (b.cx, b.y1), (b.x0, shoulder)]
    poly = " ".join(f"{_n(x)},{_n(y)}" for x, y in pts)
    out = f'<polygon {SHAPE} {data} points="{poly}"'
    if sym.letter:
        out += f' data-letter="{sym.letter}"/>'
        size = STYLE.letter_pt * PT
        out += (
            f'<text class="huruf" {FONT} font-size="{_n(size)}" font-weight="bold" fill="#000" '
            f'x="{_n(b.cx)}" y="{_n(b.y0 + b.h * 0.3 + size * 0.36)}" '
            f'text-anchor="middle">{sym.letter}</text>'
        )
        return out
    return out + "/>"


def _route_svg(route: Route, rid: str) -> Iterator[str]:
    """One arrow: its path (with the attributes that tell arrows apart), its head (or a
    junction dot where it meets another arrow) and its label lines."""
    pts = " ".join(f"{_n(x)},{_n(y)}" for x, y in route.points)
    yield (
        f'<path class="panah" fill="none" {LINE} data-route="{rid}"'
        f' data-edge="{route.source}-{route.target or "selesai"}"'
        f' data-from="{escape(route.start)}" data-to="{escape(route.end)}"'
        f' data-points="{pts}" d="{_polyline(route.points)}"/>'
    )
    tip, triangle = _arrow_head(route)
    if route.end.startswith("arrow "):  # meets another arrow: a junction dot
        yield (
            f'<circle class="sambungan" fill="#000" data-head="{rid}" cx="{_n(tip[0])}" '
            f'cy="{_n(tip[1])}" r="{_n(STYLE.line * 2)}"/>'
        )
    else:
        yield f'<polygon class="kepala-panah" fill="#000" data-head="{rid}" points="{triangle}"/>'
    lb = route.label_box
    if lb is not None:
        size = route.label_pt * PT
        for i, line in enumerate(route.label_lines or (route.label,)):
            base = lb.y0 + (i + 1) * LABEL_LH * route.label_pt - size * 0.3
            yield (
                f'<text class="label-panah" {FONT} font-size="{_n(size)}" fill="#000" '
                f'data-label="{rid}" x="{_n(lb.x0 + 0.2)}" y="{_n(base)}">'
                f"{escape(line)}</text>"
            )


def _page_items(page: Page) -> Iterator[str]:
    """Every drawn element of a page: symbols under joins under arrows."""
    for sym in page.symbols:
        yield _symbol_svg(sym)
    for join in page.joins:
        yield (
            f'<path class="gabung" fill="none" {LINE} data-join="{join.step}" '
            f'd="{_polyline(join.points)}"/>'
        )
    for k, route in enumerate(page.routes):
        yield from _route_svg(route, f"{page.number}-{k}")


def page_drawing(layout: SheetLayout, page: Page) -> Markup:
    """The page's flowchart as one SVG in drawing coordinates (millimetres from the lane
    columns' left border line and the first body row's top border line), sized to the lane
    columns and the page's body rows; empty when the page has no rows. The template places it
    over the table, absolutely, so no page break can fall inside it (page sections have a
    fixed height)."""
    if not page.rows:
        return Markup("")
    width = sum(c.width for c in layout.lane_columns)
    height = page.rows[-1].y1
    body = "".join(_page_items(page))
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}mm" '
        f'height="{_n(height)}mm" viewBox="0 0 {_n(width)} {_n(height)}">{body}</svg>'
    )
