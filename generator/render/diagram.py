"""The swimlane diagram ("diagram alir") as DOT for Graphviz: SVG, PNG and PDF.

Every position comes from `generator.layout.diagram`; Graphviz (`neato -n2`) only draws:
symbols and lane bands where they are pinned, arrows along the routed polylines given as
edge `pos`. Every piece of text goes through `dot_escape`, so nothing a user writes can
change the DOT or be read as a Graphviz escape.
"""

from __future__ import annotations

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
from generator.render.common import DotJob, Outputs, RenderContext

ENGINE = "neato"  # run as `neato -n2`: positions are taken as given, in points
# Pango reads a family list plus a style; SVG gets the same text as a CSS font-family list
# (bold is lost there, the family is kept). Liberation Sans has Arial's metrics.
FONT_NAME = "Liberation Sans,Arial,sans-serif"
BOLD_FONT_NAME = "Liberation Sans,Arial,sans-serif Bold"
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
        "class": _q(f"step {node.shape}"),
        "width": _size(node.w),
        "height": _size(node.h),
        "pos": c.centre(node.cx, node.cy),
        "label": _q("\n".join(node.lines)),
        "tooltip": _q(f"Langkah {node.step}"),
    }
    if node.shape == "diamond":
        style = {"shape": "diamond", "style": "filled", "fillcolor": _q(DIAMOND_FILL)}
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
        id=_q(f"flow-{e.source}-{e.target}-{e.kind}"),
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
        id=_q(f"label-{e.source}-{e.target}-{e.kind}"),
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
        label=_q(label.text),
    )
    return f'  "label_{e.source}_{e.target}_{e.kind}" {attrs};'


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


def layout_dot(layout: DiagramLayout, name: str) -> str:
    """DOT text drawing a computed layout."""
    c = _Canvas(layout)
    lines = [
        f"digraph {_q(name)} {{",
        f'  graph [outputorder="edgesfirst", pad="{_num(MARGIN / 72)}", bgcolor="white", '
        f'fontname="{FONT_NAME}"];',
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


def diagram_dot(ctx: RenderContext, sop: Sop) -> str:
    """The DOT text of one SOP's swimlane diagram (for `neato -n2`)."""
    layout = layout_diagram(sop, ctx.office.name_on_sheet)
    return layout_dot(layout, f"diagram-alir {sop.slug}")


def outputs(ctx: RenderContext, sop: Sop) -> Outputs:
    """The diagram as SVG (site), PNG (slides, chat) and PDF (print), from one DOT text."""
    dot = diagram_dot(ctx, sop)
    return {
        "diagram-alir.svg": DotJob(dot, "svg", ENGINE),
        "diagram-alir.png": DotJob(dot, "png", ENGINE),
        "diagram-alir.pdf": DotJob(dot, "pdf", ENGINE),
    }
