"""The expensive external tools: WeasyPrint (HTML -> PDF) and Graphviz (DOT -> SVG/PNG/PDF).

Each job is a pure function of its input text and the tool's version, which is what makes
content-addressed caching in `build` correct.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Callable, Iterator
from html import unescape
from typing import Any
from xml.etree import ElementTree

import graphviz

from generator.errors import ToolMissingError, UserError
from generator.identity import dot_binary, dot_version, weasyprint_version
from generator.render.common import DotJob, Job, PdfJob, SvgPagesPdfJob


def run_dot(job: DotJob) -> bytes:
    """Run Graphviz on the job's DOT text through the `graphviz` package and return the
    rendered bytes; `neato` keeps the given positions (`neato -n2`). The package runs the
    `dot` program with `-K<engine>` (graphviz.pipe, graphviz docs), so `dot` is the one
    program needed; ToolMissingError names the Debian package when it is not installed."""
    dot_binary("dot")
    try:
        data = graphviz.pipe(
            job.engine,
            job.fmt,
            job.dot.encode("utf-8"),
            neato_no_op=2 if job.engine == "neato" else None,
            quiet=True,
        )
    except graphviz.ExecutableNotFound:
        raise ToolMissingError("dot", "graphviz") from None
    except graphviz.CalledProcessError as exc:
        message = (exc.stderr or b"").decode("utf-8", "replace").strip()
        raise RuntimeError(f"graphviz gagal ({job.engine} -T{job.fmt}): {message}") from None
    if job.fmt == "svg":
        for name, attributes in job.svg_fonts:
            data = data.replace(f'font-family="{name}"'.encode(), attributes.encode())
    return data


def run_pdf(job: PdfJob) -> bytes:
    """Render standalone HTML to PDF bytes with WeasyPrint, its HTML first rewritten for
    speed, not for looks (`svg_images`, `shared_styles`)."""
    try:
        import weasyprint
    except OSError as exc:  # missing Pango/HarfBuzz libraries
        raise UserError(
            f"WeasyPrint tidak dapat dimuat ({exc}); pasang paket Debian "
            "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
        ) from None
    html = shared_styles(svg_images(job.html))
    document_class = lean_html_class(unused_ua_pseudo_elements(html)) or weasyprint.HTML
    data = _write_pdf(lambda: document_class(string=html, base_url="."))
    if job.expect:
        check_pdf_text(data, job.expect)
    return data


# WeasyPrint's user-agent stylesheet gives six pseudo-elements of every element a rule, so
# it cascades and computes six styles per element that only a few elements ever use
# (WeasyPrint `formatting_structure/build.py`): the `::marker` style only for a
# `display: list-item` element or its `display: list-item` `::before` or `::after` (the
# user-agent sheets make `li` alone a list item), the footnote ones only for
# `float: footnote`, the note ones only for `position: note()`.
UA_PSEUDO_ELEMENTS = (
    (("::marker",), ("<li", "list-item")),
    (
        ("::footnote-call", "::footnote-marker", "::note-call", "::note-marker", "::note-callback"),
        ("note",),
    ),
)
_OUTSIDE_CSS = ("<link", "@import", "\\")  # a linked sheet, an imported one, a CSS escape
# The lines of WeasyPrint 70's user-agent sheets that name a list item or a note, less the
# rules dropped: any other such line could make one, and then nothing is dropped.
UA_TRIGGER_LINES = frozenset(
    {
        "li { display: list-item }",
        "ol, ul { counter-reset: list-item }",
        "@footnote { margin-top: 1em }",
        "@note-area { content: element(note, all-once) }",
    }
)


def unused_ua_pseudo_elements(document: str) -> frozenset[str]:
    """The pseudo-elements of `UA_PSEUDO_ELEMENTS` that no element of this standalone HTML
    can have: those whose trigger words it lacks, looked for case-insensitively after its
    character references are decoded (a `style` attribute may spell `foot&#110;ote`). None
    of them when it links or imports a stylesheet or holds a backslash (a CSS escape could
    spell a trigger)."""
    text = unescape(document).lower()
    if any(mark in text for mark in _OUTSIDE_CSS):
        return frozenset()
    return frozenset(
        name
        for names, triggers in UA_PSEUDO_ELEMENTS
        if not any(word in text for word in triggers)
        for name in names
    )


def lean_ua_css(text: str, dropped: frozenset[str], others: tuple[str, ...] = ()) -> str | None:
    """WeasyPrint's user-agent CSS `text` without the rules of the `dropped` pseudo-elements.
    None unless each has exactly one rule, alone on its line (`::marker { ... }`), and every
    other line of `text` and of the `others` (its form and presentational-hint sheets) that
    names a list item or a note is one of `UA_TRIGGER_LINES`: a sheet that could make an
    element a list item, a footnote or a note itself defeats `unused_ua_pseudo_elements`."""
    lines = text.split("\n")
    heads = tuple(f"{name} {{" for name in dropped)
    for head in heads:
        rules = [line.rstrip() for line in lines if line.startswith(head)]
        alone = len(rules) == 1 and rules[0].count("{") == rules[0].count("}") == 1
        if not (alone and rules[0].endswith("}")):
            return None
    kept = [line for line in lines if not line.startswith(heads)]
    for line in kept + [line for other in others for line in other.split("\n")]:
        named = "list-item" in line or "note" in line
        if named and " ".join(line.split()) not in UA_TRIGGER_LINES:
            return None
    return "\n".join(kept)


@functools.cache
def lean_html_class(dropped: frozenset[str]) -> Any:
    """A `weasyprint.HTML` subclass whose user-agent stylesheet is WeasyPrint's own less the
    rules of the `dropped` pseudo-elements (`lean_ua_css`), or None when nothing is dropped
    or the installed WeasyPrint is not one this knows (its user-agent texts `UA`, `UA_FORM`
    and `PH` and sheet `UA_STYLESHEET` in `weasyprint.html`, and the `_ua_stylesheets` hook
    its own tests override, WeasyPrint 70): the caller then uses `weasyprint.HTML`. The
    hook's list is kept, with WeasyPrint's sheet swapped for the lean one. For a document
    that cannot have those pseudo-elements (`unused_ua_pseudo_elements`) the PDF is the
    same bytes, for a third less CSS work: 17 % less CPU for an SOP's forms booklet
    (benchmarks/RESULTS.md). The lean sheet's `@counter-style` rules go to a counter-style
    registry of its own: documents read a copy of WeasyPrint's (`_ua_counter_style`)."""
    import weasyprint
    from weasyprint import html as ua
    from weasyprint.css.counters import CounterStyle

    texts = [getattr(ua, name, None) for name in ("UA", "UA_FORM", "PH")]
    own = getattr(ua, "UA_STYLESHEET", None)
    hook = getattr(weasyprint.HTML, "_ua_stylesheets", None)
    if not dropped or not all(isinstance(t, str) for t in texts) or own is None or hook is None:
        return None
    css = lean_ua_css(texts[0], dropped, tuple(texts[1:]))
    if css is None:
        return None
    sheet = weasyprint.CSS(string=css, counter_style=CounterStyle())

    class LeanHTML(weasyprint.HTML):
        def _ua_stylesheets(self, *args: Any, **kwargs: Any) -> list[Any]:
            sheets = super()._ua_stylesheets(*args, **kwargs)
            return [sheet if item is own else item for item in sheets]

    return LeanHTML


def prepare_lean_html() -> None:
    """Build the lean class of every set of pseudo-elements a document can drop, so that
    processes forked afterwards (`generator.preload`) start with them."""
    groups = [frozenset(names) for names, _ in UA_PSEUDO_ELEMENTS]
    for dropped in (*groups, frozenset().union(*groups)):
        lean_html_class(dropped)


_FONTS: dict[str, Any] = {}  # "share": True while sharing; "config": the configuration shared


def share_fonts(share: bool = True) -> None:
    """Let this process's PDFs share one WeasyPrint font configuration from now on (or stop,
    dropping it): Fontconfig's list of fonts is read once and each font loaded once, instead
    of once per document (WeasyPrint docs, `FontConfiguration`: one object may serve several
    documents). 6 % less CPU per SOP, the same bytes (benchmarks/RESULTS.md). A render
    worker shares for its life, which is one build, so fonts installed meanwhile reach the
    next build. A document with `@font-face` rules adds its fonts to the configuration it
    is given, where what earlier documents found under the same family names is cached
    (WeasyPrint's line-height cache, Pango's font sets): the shared configuration is then
    dropped, and the document rendered again with a configuration of its own unless it was
    the first the shared one served, so every PDF is the bytes a configuration of its own
    gives. One process renders one document at a time: the switch is this process's."""
    _FONTS.clear()
    if share:
        _FONTS["share"] = True


@contextlib.contextmanager
def fonts_shared() -> Iterator[None]:
    """`share_fonts` for the PDFs rendered inside the block, in this process; inside a block
    or a worker already sharing, nothing changes."""
    if _FONTS.get("share"):
        yield
        return
    share_fonts()
    try:
        yield
    finally:
        share_fonts(False)


def _write_pdf(document: Callable[[], Any]) -> bytes:
    """The PDF of the WeasyPrint `HTML` that `document` makes, with the shared font
    configuration while sharing: the bytes a configuration of its own gives (see
    `share_fonts`). A configuration a document added fonts to, or one a failed document may
    have, is dropped; the document is rendered again with its own configuration only when
    the shared one had served an earlier document."""
    config = _font_config()
    if config is None:
        return document().write_pdf()
    fresh = config.documents == 0
    config.documents += 1
    try:
        data = document().write_pdf(font_config=config)
    except BaseException:
        _FONTS.pop("config", None)
        raise
    if config.faces_added:
        _FONTS.pop("config", None)
        if not fresh:
            data = document().write_pdf()
    return data


def _font_config() -> Any:
    """The font configuration for the next document: the shared one while sharing, else
    None (WeasyPrint makes one per document)."""
    if not _FONTS.get("share"):
        return None
    if "config" not in _FONTS:
        _FONTS["config"] = _new_font_config()
    return _FONTS["config"]


def _new_font_config() -> Any:
    """A WeasyPrint `FontConfiguration` that records whether a document added fonts to it
    and how many documents it was given."""
    from weasyprint.text.fonts import FontConfiguration

    class BuildFonts(FontConfiguration):
        faces_added = False
        documents = 0  # documents given this configuration

        def add_font_face(self, rule_descriptors: Any, url_fetcher: Any) -> Any:
            self.faces_added = True
            return super().add_font_face(rule_descriptors, url_fetcher)

    return BuildFonts()


class LostTextError(RuntimeError):
    """A PDF lacks text its layout placed on it: a bug in the layout, never a user error."""


def pdf_text(data: bytes) -> str:
    """The text of a PDF in content order (poppler's `pdftotext -raw`), whitespace collapsed.

    Raises ToolMissingError without poppler-utils."""
    binary = shutil.which("pdftotext")
    if binary is None:
        raise ToolMissingError("pdftotext", "poppler-utils")
    result = subprocess.run(
        [binary, "-raw", "-enc", "UTF-8", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
        timeout=120,
    )
    return " ".join(result.stdout.decode("utf-8", "replace").split())


def _skeleton(text: str) -> str:
    """The letters and digits of a text that every PDF text extractor gives back the same:
    Latin letters and digits, case-folded, without spaces, punctuation, hyphens or marks.
    (Right-to-left scripts come back reordered, emoji and zero-width characters not at all.)"""
    folded = unicodedata.normalize("NFKD", text).casefold()
    return "".join(ch for ch in folded if ch.isascii() and ch.isalnum())


def check_pdf_text(data: bytes, phrases: tuple[str, ...]) -> None:
    """Raise LostTextError naming every phrase missing from the PDF's text (compared by
    `_skeleton`; a phrase without Latin letters or digits cannot be checked and passes)."""
    text = _skeleton(pdf_text(data))
    missing = [p for p in phrases if _skeleton(p) not in text]
    if missing:
        shown = "; ".join(repr(p) for p in missing[:10])
        raise LostTextError(
            f"BUG: the PDF lacks {len(missing)} text(s) its layout placed on it: {shown}. "
            "This is a defect of sop (please report it with the SOP file); no PDF was written."
        )


SVG_SLOT = re.compile(r"<!--sop:svg(?: (-?[\d.]+) (-?[\d.]+))?-->")
_SVG_ROOT = re.compile(r"<svg\b[^>]*>(.*)</svg>", re.S)
_TRANSLATE = re.compile(r'<g id="graph0"[^>]*translate\((-?[\d.]+)[ ,](-?[\d.]+)\)')
_TEXT = re.compile(r'<text\b[^>]*\sy="(-?[\d.]+)"[^>]*>.*?</text>\n?', re.S)


def svg_drawing(svg: bytes) -> str:
    """The drawing inside an SVG's root element (no XML prolog, doctype or root tag)."""
    found = _SVG_ROOT.search(svg.decode("utf-8"))
    if found is None:
        raise RuntimeError("graphviz tidak menghasilkan SVG")
    return found.group(1)


def _text_between(drawing: str, top: float, bottom: float) -> str:
    """The drawing without the text whose baseline lies outside [top, bottom] (viewBox units).

    Graphviz draws in a group shifted by `translate(x y)`; a text's y is relative to it.
    """
    dy = _shift(drawing)

    def keep(text: re.Match[str]) -> str:
        return text.group(0) if top <= dy + float(text.group(1)) <= bottom else ""

    return _TEXT.sub(keep, drawing)


def _shift(drawing: str) -> float:
    """The y of Graphviz's `translate(x y)` on its top group (0 without one)."""
    shift = _TRANSLATE.search(drawing)
    return float(shift.group(2)) if shift else 0.0


_G_OPEN = re.compile(r"<g\b")
_POINT = re.compile(r"(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)")
_Y_ATTR = re.compile(r'\s(?:y|cy)="(-?\d+(?:\.\d+)?)"')
REACH = 20.0  # viewBox units (pt) a shape may reach past its points: text, strokes, ellipses


def _shapes_near(drawing: str, top: float, bottom: float) -> str:
    """The drawing without the node, edge and lane groups that lie wholly outside [top,
    bottom] (viewBox units, `REACH` to spare): a page's slice is clipped to that band, so
    they would be drawn for nothing (WeasyPrint draws an SVG image whole, every page).

    Graphviz writes one tag per line, each element of its top group starting a line with
    `<g`; a group's extent is that of every `x,y` point and `y`/`cy` it holds (a curve lies
    within its control points). A group without coordinates is kept, and so is the whole
    drawing when its groups do not balance."""
    dy, out, element, depth = _shift(drawing), [], [], 0
    for line in drawing.splitlines(keepends=True):
        starts = depth == 1 and not element and line.startswith("<g")
        (element if element or starts else out).append(line)
        depth += len(_G_OPEN.findall(line)) - line.count("</g>")
        if element and depth == 1:
            group = "".join(element)
            ys = [float(y) for _, y in _POINT.findall(group)] + [
                float(y) for y in _Y_ATTR.findall(group)
            ]
            if not ys or (dy + min(ys) - REACH <= bottom and dy + max(ys) + REACH >= top):
                out.append(group)
            element = []
    return "".join(out) if depth == 0 and not element else drawing


def fill_svg_slots(html: str, svg: bytes) -> str:
    """Every `<!--sop:svg [TOP BOTTOM]-->` in the HTML replaced by the SVG's drawing: with
    TOP and BOTTOM, only the text with its baseline in that band and the shapes that reach
    into it (`_shapes_near`)."""
    drawing = svg_drawing(svg)

    def fill(slot: re.Match[str]) -> str:
        if slot.group(1) is None:
            return drawing
        top, bottom = float(slot.group(1)), float(slot.group(2))
        return _text_between(_shapes_near(drawing, top, bottom), top, bottom)

    return SVG_SLOT.sub(fill, html)


def run_svg_pages(job: SvgPagesPdfJob, svg: bytes | None = None) -> bytes:
    """Render the job's diagram to SVG (unless `svg`, the output of `job.svg`, is given),
    paste it into the HTML, render that to PDF."""
    if job.svg.fmt != "svg":
        raise ValueError(f"SvgPagesPdfJob needs an SVG job, not {job.svg.fmt}")
    return run_pdf(PdfJob(fill_svg_slots(job.html, svg or run_dot(job.svg))))


# --------------------------------------------------------------------------- WeasyPrint input
# Two rewrites of a PDF job's HTML that change how fast WeasyPrint draws it, not what it
# draws (a test renders both ways and compares the pages pixel by pixel).

_SVG_ELEMENT = re.compile(r"(<svg\b[^>]*>.*?</svg>)", re.S)
SVG_NS = "http://www.w3.org/2000/svg"
_SVG_SIZE = re.compile(r'\s(width|height)="([^"]+)"')
_SVG_KEPT = re.compile(r'\s(class|id)="([^"]*)"')
_LINKED_FILE = re.compile(r"""href\s*=\s*["'](?!#|data:)""")
_CLASS_ATTR = re.compile(r'\sclass="([^"]*)"')
_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')


def svg_images(html: str) -> str:
    """Every `<svg xmlns="http://www.w3.org/2000/svg" ...>...</svg>` element of the HTML as
    an `<img>` of that SVG document (a `data:` URL) with the element's class, id and style
    and its width and height as CSS.

    WeasyPrint parses an inline SVG with its HTML parser and computes CSS styles for every
    SVG node as for an HTML element; an SVG image is parsed by ElementTree and skips both
    (a 14-step diagram page: 0.34 -> 0.15 s). An element stays inline when it lacks that
    namespace, is not well-formed XML (a nested `<svg>`, say: WeasyPrint would draw a broken
    image as nothing) or links a file (`href` other than `#...` or `data:`, which an image
    would resolve against its `data:` URL)."""

    def as_image(element: re.Match[str]) -> str:
        svg = element.group(1)
        head = svg[: svg.index(">")]
        if f'xmlns="{SVG_NS}"' not in head or _LINKED_FILE.search(svg):
            return svg
        try:
            ElementTree.fromstring(svg)
        except ElementTree.ParseError:
            return svg
        css = [f"{key}: {_css_length(value)}" for key, value in _SVG_SIZE.findall(head)]
        css += [found.group(1) for found in [_STYLE_ATTR.search(head)] if found]
        kept = "".join(f' {a}="{v}"' for a, v in _SVG_KEPT.findall(head))
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        style = "; ".join(css)
        return f'<img{kept} alt="" style="{style}" src="data:image/svg+xml;base64,{data}">'

    return _SVG_ELEMENT.sub(as_image, html)


def _css_length(value: str) -> str:
    """An SVG width or height as CSS: a bare number is in px (SVG 1.1, 'user units')."""
    return f"{value}px" if re.fullmatch(r"[\d.]+", value) else value


# A start tag whose attributes are all well-formed (a quoted value may hold '>' or '/').
_ATTRIBUTE = r"""\s+[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?"""
_START_TAG = re.compile(rf"<([a-zA-Z][\w-]*)((?:{_ATTRIBUTE})*)(\s*/?)>")
_ANY_STYLE = re.compile(r"\sstyle\s*=", re.I)
_ANY_CLASS = re.compile(r"\sclass\s*=", re.I)
_PLAIN_STYLE = re.compile(r"[\w\s.,:;%#()+-]*")
_IMPORTANT = re.compile(r"!\s*important|<link\b|@import", re.I)
SHARED_CLASS = "sop-gaya-"  # prefix of the generated class names


def shared_styles(html: str) -> str:
    """The HTML with each inline `style` attribute of an HTML element (not inside an SVG)
    moved into a generated class rule, its declarations `!important`, in a `<style>` before
    `</head>`: elements with the same style then share one computed style in WeasyPrint.

    WeasyPrint shares a computed style between elements whose parent style, matched rules and
    `style` attribute are the same object (`weasyprint.css.StyleFor`); every parsed `style`
    attribute is a new object, so each element with one, and its whole subtree, was computed
    alone (a sheet's 230 cells of a few heights: 0.30 -> 0.23 s).
    Same cascade: an author `!important` declaration beats every normal author declaration
    (CSS Cascade 4, section 6.1), as an inline style does, and loses to a user-agent
    `!important` one, as an inline style does. The HTML is returned unchanged when it
    already holds `!important` (in any spelling) or a stylesheet it links or imports, has no
    `</head>` or uses the class prefix; a style with quotes, entities, slashes or `url()`,
    and a tag whose attributes are not all well-formed or whose class is not double-quoted,
    stay as they are."""
    if _IMPORTANT.search(html) or "</head>" not in html or SHARED_CLASS in html:
        return html
    names: dict[str, str] = {}

    def move(tag: re.Match[str]) -> str:
        name, attributes, closing = tag.group(1), tag.group(2), tag.group(3)
        styles = _STYLE_ATTR.findall(attributes)
        classes = _CLASS_ATTR.findall(attributes)
        if (
            len(styles) != 1
            or len(_ANY_STYLE.findall(attributes)) != 1
            or not _PLAIN_STYLE.fullmatch(styles[0])
            or "url(" in styles[0]
            or len(_ANY_CLASS.findall(attributes)) != len(classes)
            or len(classes) > 1
        ):
            return tag.group(0)
        cls = names.setdefault(styles[0], f"{SHARED_CLASS}{len(names)}")
        rest = _STYLE_ATTR.sub("", attributes, count=1)
        if not classes:
            return f'<{name}{rest} class="{cls}"{closing}>'
        joined = _CLASS_ATTR.sub(lambda c: f' class="{c.group(1)} {cls}"', rest, count=1)
        return f"<{name}{joined}{closing}>"

    parts = _SVG_ELEMENT.split(html)
    parts[::2] = [_START_TAG.sub(move, part) for part in parts[::2]]
    if not names:
        return html
    rules = "".join(f".{cls} {{ {_important(style)} }}\n" for style, cls in names.items())
    return "".join(parts).replace("</head>", f"<style>\n{rules}</style>\n</head>", 1)


def _important(style: str) -> str:
    """A `style` attribute's declarations, each `!important`."""
    declarations = (d.strip() for d in style.split(";"))
    return " ".join(f"{d} !important;" for d in declarations if d)


def run_job(job: Job) -> bytes:
    """Run one job with the right tool."""
    if isinstance(job, DotJob):
        return run_dot(job)
    if isinstance(job, SvgPagesPdfJob):
        return run_svg_pages(job)
    return run_pdf(job)


def job_key_parts(job: Job) -> tuple[str, ...]:
    """Everything that determines a job's output, for the cache key."""
    if isinstance(job, DotJob):
        fonts = tuple(f"{name}={attributes}" for name, attributes in job.svg_fonts)
        return ("dot", dot_version(), job.engine, job.fmt, job.dot, *fonts)
    if isinstance(job, SvgPagesPdfJob):
        return ("svg-pages", weasyprint_version(), job.html, *job_key_parts(job.svg))
    return ("pdf", weasyprint_version(), job.html)
