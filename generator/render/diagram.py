"""The swimlane diagram ("diagram alir") as DOT for Graphviz: SVG, PNG and PDF.

Every position comes from `generator.layout.diagram`; Graphviz (`neato -n2`) only draws:
symbols and lane bands where they are pinned, arrows along the routed polylines given as
edge `pos`. Every piece of text goes through `dot_escape`, so nothing a user writes can
change the DOT or be read as a Graphviz escape.

The PDF is for print on the office's paper (F4 or A4; landscape for a drawing too wide for a
portrait page): the same SVG, scaled to the page width and cut between rows into page-high
slices, each page under a repeated strip of lane headers (`pdf_pages`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from generator.layout.diagram import (
    FONT,
    HEADER_FONT,
    LABEL_FONT,
    DiagramLayout,
    Label,
    Lane,
    Link,
    Node,
    Point,
    Route,
    TextBlock,
    capsule_radius,
    layout_diagram,
)
from generator.model import Sop
from generator.render.common import (
    DotJob,
    Outputs,
    RenderContext,
    SvgPagesPdfJob,
    render_template,
)

ENGINE = "neato"  # run as `neato -n2`: positions are taken as given, in points
# Pango reads a family list plus a style; SVG gets the same text as a CSS font-family list,
# which must stay valid CSS (a list ending "sans-serif Bold" is not, and a browser then
# falls back to its serif default): the bold name ends with a family "Liberation Sans Bold"
# that Pango reads as Liberation Sans in bold, and a browser reads as one more family name
# after the generic sans-serif. Liberation Sans has Arial's metrics.
FONT_NAME = "Liberation Sans,Arial,sans-serif"
BOLD_FONT_NAME = "Liberation Sans,Arial,sans-serif,Liberation Sans Bold"
# In the SVG (browser, WeasyPrint) the bold name becomes the plain list drawn bold.
SVG_FONTS = ((BOLD_FONT_NAME, f'font-family="{FONT_NAME}" font-weight="bold"'),)
# The PNG at Graphviz's default bitmap resolution (dpi, Graphviz attribute docs): the size a
# browser draws the site's SVG at (CSS 96 px per inch), so 9 pt text is 12 px.
PNG_DPI = 96
MARGIN = 14.0  # white border around the drawing, in points
ARROW = 7.0  # arrowhead length (arrowsize 0.7)
INK = "#1f2933"
BACK = "#b03a2e"  # arrows going back up: a reader sees the loop
JOINT = "#52606d"
LANE_LINE = "#9aa5b1"
HEADER_FILL = "#e4e7eb"
DIAMOND_FILL = "#fffbea"


def dot_escape(text: str) -> str:
    """Text for a double-quoted DOT string that Graphviz prints literally.

    Ampersands become `&amp;` (Graphviz decodes entities in labels), backslashes are
    doubled (so `\\N`, `\\G`, `\\l` stay text), quotes are escaped, other control
    characters are dropped, and a newline becomes Graphviz's centred line break.
    """
    out: list[str] = []
    for char in text:
        if char == "&":
            out.append("&amp;")
        elif char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append(" ")
        elif ord(char) < 32 or ord(char) == 127:
            continue
        else:
            out.append(char)
    return "".join(out)


def _q(text: str) -> str:
    """A quoted, escaped DOT string."""
    return f'"{dot_escape(text)}"'


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


class _Canvas:
    """Converts layout points (y down) to Graphviz points (y up) and formats attributes."""

    def __init__(self, layout: DiagramLayout):
        self.height = layout.height

    def pt(self, p: Point) -> str:
        return f"{_num(p[0])},{_num(self.height - p[1])}"

    def centre(self, cx: float, cy: float) -> str:
        return f'"{self.pt((cx, cy))}"'


def _attrs(**attrs: str | float) -> str:
    parts = []
    for key, value in attrs.items():
        shown = _num(value) if isinstance(value, float | int) else value
        parts.append(f"{key}={shown}")
    return "[" + ", ".join(parts) + "]"


def _size(points: float) -> float:
    return round(points / 72.0, 4)


def _lane(c: _Canvas, lane: Lane) -> list[str]:
    bb = f"{_num(lane.x)},{_num(c.height - lane.bottom)},{_num(lane.x + lane.w)},"
    bb += _num(c.height - lane.top)
    header = _attrs(
        id=_q(f"lane-header-{lane.id}"),
        **{"class": _q("lane-header")},
        shape="box",
        style="filled",
        fillcolor=_q(HEADER_FILL),
        color=_q(LANE_LINE),
        fontname=_q(BOLD_FONT_NAME),
        fontsize=HEADER_FONT,
        width=_size(lane.w),
        height=_size(lane.header_h),
        pos=c.centre(lane.x + lane.w / 2, lane.top + lane.header_h / 2),
        label=_q("\n".join(lane.lines)),
    )
    return [
        f'  subgraph "cluster_lane_{lane.id}" {{',
        f'    graph [bb="{bb}", id={_q("lane-" + lane.id)}, class="lane", label="", '
        f'color="{LANE_LINE}", penwidth=0.8];',
        f'    "h_{lane.id}" {header};',
        "  }",
    ]


def _node(c: _Canvas, node: Node) -> list[str]:
    common = {
        "id": _q(node.key),
        "class": _q(f"end-exit {node.shape}" if node.is_end_capsule else f"step {node.shape}"),
        "width": _size(node.w),
        "height": _size(node.h),
        "pos": c.centre(node.cx, node.cy),
        "label": _q("\n".join(node.lines)),
        "tooltip": _q(
            f"Selesai (keputusan langkah {node.step})"
            if node.is_end_capsule
            else f"Langkah {node.step}"
        ),
    }
    if node.shape == "diamond":
        style = {"shape": "hexagon", "style": "filled", "fillcolor": _q(DIAMOND_FILL)}
    elif node.shape == "box":
        style = {"shape": "box", "style": "filled", "fillcolor": '"white"'}
    else:  # only the text: the stadium outline is a closed line (see _capsule_outline)
        style = {"shape": "box", "style": '""', "color": '"transparent"'}
    lines = [f'  "{node.key}" {_attrs(**style, **common)};']
    if node.shape == "capsule":
        lines.append(_capsule_outline(c, node))
    return lines


def _bezier(points: list[Point]) -> list[Point]:
    """A polyline as a cubic B-spline Graphviz accepts (straight pieces)."""
    out = [points[0]]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        out += [
            (x0 + (x1 - x0) / 3, y0 + (y1 - y0) / 3),
            (x0 + 2 * (x1 - x0) / 3, y0 + 2 * (y1 - y0) / 3),
            (x1, y1),
        ]
    return out


def _stadium(node: Node) -> list[Point]:
    """Control points of a closed rounded outline (a capsule when short)."""
    x, y, w, h = node.x, node.y, node.w, node.h
    r = capsule_radius(w, h)
    k = 0.5523 * r

    def line(a: Point, b: Point) -> list[Point]:
        return [
            (a[0] + (b[0] - a[0]) / 3, a[1] + (b[1] - a[1]) / 3),
            (a[0] + 2 * (b[0] - a[0]) / 3, a[1] + 2 * (b[1] - a[1]) / 3),
            b,
        ]  # noqa: E501

    pts: list[Point] = [(x + r, y)]
    pts += line((x + r, y), (x + w - r, y))
    pts += [(x + w - r + k, y), (x + w, y + r - k), (x + w, y + r)]
    pts += line((x + w, y + r), (x + w, y + h - r))
    pts += [(x + w, y + h - r + k), (x + w - r + k, y + h), (x + w - r, y + h)]
    pts += line((x + w - r, y + h), (x + r, y + h))
    pts += [(x + r - k, y + h), (x, y + h - r + k), (x, y + h - r)]
    pts += line((x, y + h - r), (x, y + r))
    pts += [(x, y + r - k), (x + r - k, y), (x + r, y)]
    return pts


def _capsule_outline(c: _Canvas, node: Node) -> str:
    pos = " ".join(c.pt(p) for p in _stadium(node))
    attrs = _attrs(
        id=_q(f"outline-{node.key}"),
        **{"class": '"outline"'},
        dir="none",
        color=_q(INK),
        penwidth=1.0,
        pos=f'"{pos}"',
    )
    return f'  "{node.key}" -> "{node.key}" {attrs};'


def _route(c: _Canvas, route: Route) -> list[str]:
    pts = list(route.points)
    (x0, y0), (x1, y1) = pts[-2], pts[-1]
    length = abs(x1 - x0) + abs(y1 - y0)
    shorten = min(ARROW, length * 0.6)
    base = (x1 - (x1 - x0) / length * shorten, y1 - (y1 - y0) / length * shorten)
    spline = _bezier(pts[:-1] + [base])
    pos = f"e,{c.pt(pts[-1])} " + " ".join(c.pt(p) for p in spline)
    back = route.is_back
    e = route.edge
    attrs = _attrs(
        id=_q(f"flow-{e.ident}"),
        **{"class": _q("flow back" if back else "flow")},
        color=_q(BACK if back else INK),
        style='"dashed"' if back else '"solid"',
        penwidth=1.3 if back else 1.1,
        arrowsize=0.7,
        pos=f'"{pos}"',
        tooltip=_q(f"{e.source} \u2192 {e.target}" + (f" ({e.label})" if e.label else "")),
    )
    lines = [f'  "{route.source}" -> "{route.target}" {attrs};']
    if route.label is not None:
        lines.append(_label(c, route, route.label))
    return lines


def _label(c: _Canvas, route: Route, label: Label) -> str:
    e = route.edge
    attrs = _attrs(
        id=_q(f"label-{e.ident}"),
        **{"class": '"flow-label"'},
        shape="box",
        style="filled",
        fillcolor='"white"',
        color='"white"',
        penwidth=0.0,
        fontname=_q(BOLD_FONT_NAME),
        fontsize=LABEL_FONT,
        fontcolor=_q(BACK if route.is_back else INK),
        margin=0.0,
        width=_size(label.w),
        height=_size(label.h),
        pos=c.centre(label.cx, label.cy),
        label=_q("\n".join(label.lines or (label.text,))),
    )
    return f'  "label_{e.ident.replace("-", "_")}" {attrs};'


def _link(c: _Canvas, link: Link, index: int) -> str:
    pos = " ".join(c.pt(p) for p in _bezier(list(link.points)))
    attrs = _attrs(
        id=_q(f"joint-{link.step}-{index}"),
        **{"class": '"joint"'},
        dir="none",
        color=_q(JOINT),
        style='"bold"',
        penwidth=2.4,
        pos=f'"{pos}"',
        tooltip=_q(f"Langkah {link.step} dikerjakan bersama"),
    )
    return f'  "{link.source}" -> "{link.target}" {attrs};'


def _text_block(c: _Canvas, key: str, block: TextBlock, bold: bool) -> str:
    attrs = _attrs(
        id=_q(key),
        **{"class": _q(key)},
        shape="plaintext",
        fontname=_q(BOLD_FONT_NAME if bold else FONT_NAME),
        fontsize=block.size,
        margin=0.0,
        width=_size(block.w),
        height=_size(block.h),
        pos=c.centre(block.cx, block.cy),
        label=_q("\n".join(block.lines)),
    )
    return f'  "{key}" {attrs};'


def layout_dot(layout: DiagramLayout, name: str, dpi: float | None = None) -> str:
    """DOT text drawing a computed layout; `dpi` for a raster (PNG) only: Graphviz applies a
    graph's dpi to every output format, and the SVG must keep its natural size."""
    c = _Canvas(layout)
    raster = f', dpi="{_num(dpi)}", viewport="{raster_viewport(layout, dpi)}"' if dpi else ""
    lines = [
        f"digraph {_q(name)} {{",
        f'  graph [outputorder="edgesfirst", pad="{_num(MARGIN / 72)}", bgcolor="white", '
        f'fontname="{FONT_NAME}"{raster}];',
        f'  node [fixedsize=true, fontname="{FONT_NAME}", fontsize={_num(FONT)}, '
        f'fontcolor="{INK}", color="{INK}", penwidth=1.0, margin=0];',
        f'  edge [fontname="{FONT_NAME}", color="{INK}"];',
        _text_block(c, "title", layout.title, bold=True),
        _text_block(c, "subtitle", layout.subtitle, bold=False),
    ]
    for lane in layout.lanes:
        lines += _lane(c, lane)
    for node in layout.nodes:
        lines += _node(c, node)
    for route in layout.routes:
        lines += _route(c, route)
    for i, link in enumerate(layout.links):
        lines.append(_link(c, link, i))
    lines.append("}")
    return "\n".join(lines) + "\n"


def raster_viewport(layout: DiagramLayout, dpi: float) -> str:
    """Graphviz `viewport` ("W,H,1", points) of a whole number of pixels at `dpi` holding the
    drawing and its margin. Graphviz rounds a raster's size to whole pixels but paints the
    background over the exact size, so without it the last row and column came out partly
    transparent (and the PNG RGBA where RGB suffices, a third more to encode)."""
    scale = dpi / 72.0
    width = math.ceil((layout.width + 2 * MARGIN) * scale) / scale
    height = math.ceil((layout.height + 2 * MARGIN) * scale) / scale
    return f"{width:.4f},{height:.4f},1"


def diagram_dot(ctx: RenderContext, sop: Sop) -> str:
    """The DOT text of one SOP's swimlane diagram (for `neato -n2`)."""
    layout = layout_diagram(sop, ctx.office.name_on_sheet)
    return layout_dot(layout, f"diagram-alir {sop.slug}")


# --------------------------------------------------------------------------- the PDF

A4_PT = (595.28, 841.89)
PT_PER_MM = 72 / 25.4
PAGE_MARGIN = (34.0, 28.0, 40.0, 28.0)  # top, right, bottom (holds the footer), left, in pt
# A diagram that fits one page at this scale or more stays whole: the seed (9 steps) and
# pt-sulteng (10) need 0.77 and 0.76, as their single-page PDF always had; 9 pt text prints ~7 pt.
MIN_ONE_PAGE_SCALE = 0.75
EDGE = 3.0  # drawing kept around the lanes, in points (line widths)
STRIP_GAP = 4.0  # between the repeated lane headers and the slice, in pt on paper
MORE_H = 14.0  # the "bersambung" line under a slice that goes on, in pt on paper
SLACK = 4.0  # rounding room per page, in pt on paper
GV_PAD = float(_num(MARGIN / 72)) * 72  # Graphviz's pad as written in the DOT, in points


@dataclass(frozen=True)
class Slice:
    """A horizontal band of the drawing (layout points, y down) and its size on paper."""

    top: float
    bottom: float
    left: float
    width: float
    scale: float

    @property
    def view_box(self) -> str:
        """The band in the SVG's viewBox units (the layout shifted by Graphviz's pad)."""
        x, y = self.left + GV_PAD, self.top + GV_PAD
        return f"{_num(x)} {_num(y)} {_num(self.width)} {_num(self.bottom - self.top)}"

    @property
    def text_range(self) -> str:
        """The SVG y range whose text this band shows."""
        return f"{_num(self.top + GV_PAD)} {_num(self.bottom + GV_PAD)}"

    @property
    def paper_w(self) -> str:
        """Width on paper, CSS."""
        return f"{_num(self.width * self.scale)}pt"

    @property
    def paper_h(self) -> str:
        """Height on paper, CSS."""
        return f"{_num((self.bottom - self.top) * self.scale)}pt"


@dataclass(frozen=True)
class PdfPage:
    """One printed page: the lane header strip (not on the first page) and a slice."""

    strip: Slice | None
    body: Slice
    more: bool  # the diagram goes on on the next page


def _rows(layout: DiagramLayout) -> list[tuple[float, float]]:
    """(top, bottom) of every row of symbols, top to bottom."""
    by_step: dict[int, list[Node]] = {}
    for node in layout.nodes:
        by_step.setdefault(node.step, []).append(node)
    spans = [(min(n.y for n in ns), max(n.y + n.h for n in ns)) for ns in by_step.values()]
    return sorted(spans)


def _obstacles(layout: DiagramLayout) -> list[tuple[float, float]]:
    """Vertical spans a cut should keep away from: horizontal arrow runs and arrow labels."""
    found: list[tuple[float, float]] = []
    for route in layout.routes:
        for (_, y0), (_, y1) in zip(route.points, route.points[1:], strict=False):
            if y0 == y1:
                found.append((y0, y0))
        if route.label is not None:
            found.append((route.label.cy - route.label.h / 2, route.label.cy + route.label.h / 2))
    return found


def _cut_in_gap(top: float, bottom: float, obstacles: list[tuple[float, float]]) -> float:
    """The y in a gap between rows farthest from arrow runs and labels (middle on ties)."""
    mid = (top + bottom) / 2
    candidates = [top + 6 + i for i in range(int(bottom - top - 14) + 1)] or [mid]

    def clearance(y: float) -> float:
        near = [max(a - y, y - b, 0.0) for a, b in obstacles if a - 20 < y < b + 20]
        return min(near, default=20.0)

    return max(candidates, key=lambda y: (round(clearance(y), 1), -abs(y - mid)))


def _cuts(layout: DiagramLayout) -> list[float]:
    """Where pages may end: one y in each gap between rows, then the drawing's bottom."""
    rows = _rows(layout)
    obstacles = _obstacles(layout)
    cuts = [_cut_in_gap(a[1], b[0], obstacles) for a, b in zip(rows, rows[1:], strict=False)]
    return [*cuts, layout.height + EDGE]


def paper_pt(paper_mm: tuple[float, float]) -> tuple[float, float]:
    """(width, height) of a portrait paper in points, from millimetres."""
    return (paper_mm[0] * PT_PER_MM, paper_mm[1] * PT_PER_MM)


def oriented(layout: DiagramLayout, paper: tuple[float, float]) -> tuple[float, float]:
    """The paper (width, height in pt) portrait, or landscape when a portrait page would
    shrink the drawing below MIN_ONE_PAGE_SCALE (its text would print too small)."""
    portrait = (min(paper), max(paper))
    room = portrait[0] - PAGE_MARGIN[1] - PAGE_MARGIN[3]
    if room / (layout.width + 2 * EDGE) < MIN_ONE_PAGE_SCALE:
        return (portrait[1], portrait[0])
    return portrait


def pdf_pages(layout: DiagramLayout, paper: tuple[float, float] = A4_PT) -> list[PdfPage]:
    """The diagram on portrait pages of `paper` (width, height in pt; the office's F4 or
    A4), scaled to the page width (never enlarged).

    A diagram that fits one page stays whole (shrunk down to MIN_ONE_PAGE_SCALE if need be);
    a longer one is cut between rows, each page filled with as many rows as it holds.
    """
    page_w = paper[0] - PAGE_MARGIN[1] - PAGE_MARGIN[3]
    page_h = paper[1] - PAGE_MARGIN[0] - PAGE_MARGIN[2] - SLACK
    left, width = -EDGE, layout.width + 2 * EDGE
    total = layout.height + 2 * EDGE
    scale = min(1.0, page_w / width)
    if total * scale > page_h and page_h / total >= MIN_ONE_PAGE_SCALE:
        scale = page_h / total
    if total * scale <= page_h:
        return [PdfPage(None, Slice(-EDGE, layout.height + EDGE, left, width, scale), False)]
    lane = layout.lanes[0]
    strip = Slice(lane.top - 1, lane.top + lane.header_h + 1, left, width, scale)
    first = (page_h - MORE_H) / scale
    other = first - ((strip.bottom - strip.top) * scale + STRIP_GAP) / scale
    ends = _page_ends(_cuts(layout), -EDGE, (first, other))
    starts = [-EDGE, *ends[:-1]]
    return [
        PdfPage(strip if i else None, Slice(a, b, left, width, scale), i < len(ends) - 1)
        for i, (a, b) in enumerate(zip(starts, ends, strict=True))
    ]


def _page_ends(cuts: list[float], start: float, rooms: tuple[float, float]) -> list[float]:
    """Greedy: each page ends at the last cut within its room (the first page has rooms[0]);
    a page holds at least one row."""
    ends: list[float] = []
    for cut, after in zip(cuts, [*cuts[1:], None], strict=True):
        room = rooms[1] if ends else rooms[0]
        if after is None or after - start > room:
            ends.append(cut)
            start = cut
    return ends


def diagram_pdf_html(ctx: RenderContext, sop: Sop, layout: DiagramLayout) -> str:
    """The print wrapper: pages of the office's paper holding SVG slices, `<!--sop:svg ...-->`
    where the drawing goes."""
    paper = oriented(layout, paper_pt(ctx.paper_mm))
    return render_template(
        ctx.env,
        "diagram/halaman.html",
        sop=sop,
        pages=pdf_pages(layout, paper),
        paper=f"{_num(paper[0])}pt {_num(paper[1])}pt",
        margin=" ".join(f"{_num(m)}pt" for m in PAGE_MARGIN),
        strip_gap=f"{_num(STRIP_GAP)}pt",
        more_h=f"{_num(MORE_H)}pt",
    )


def outputs(ctx: RenderContext, sop: Sop) -> Outputs:
    """The diagram as SVG (site), PNG (slides, chat) and PDF (print), from one DOT text."""
    layout = layout_diagram(sop, ctx.office.name_on_sheet)
    name = f"diagram-alir {sop.slug}"
    dot = layout_dot(layout, name)
    svg = DotJob(dot, "svg", ENGINE, SVG_FONTS)
    return {
        "diagram-alir.svg": svg,
        "diagram-alir.png": DotJob(layout_dot(layout, name, PNG_DPI), "png", ENGINE),
        "diagram-alir.pdf": SvgPagesPdfJob(diagram_pdf_html(ctx, sop, layout), svg),
    }
