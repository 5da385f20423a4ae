"""The expensive external tools: WeasyPrint (HTML -> PDF) and Graphviz (DOT -> SVG/PNG/PDF).

Each job is a pure function of its input text and the tool's version, which is what makes
content-addressed caching in `build` correct.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import unicodedata
from importlib import metadata

import graphviz

from generator.errors import ToolMissingError, UserError
from generator.render.common import DotJob, Job, PdfJob, SvgPagesPdfJob


def _dot_binary(engine: str) -> str:
    path = shutil.which(engine)
    if path is None:
        raise ToolMissingError(engine, "graphviz")
    return path


@functools.cache
def dot_version() -> str:
    """Graphviz's version line (part of every diagram's cache key)."""
    result = subprocess.run([_dot_binary("dot"), "-V"], capture_output=True, text=True, check=True)
    return (result.stderr or result.stdout).strip()


@functools.cache
def weasyprint_version() -> str:
    """WeasyPrint's version (part of every PDF's cache key), read from the installed package's
    metadata: importing WeasyPrint costs ~0.7 s, too much for a rebuild that renders nothing."""
    try:
        return metadata.version("weasyprint")
    except metadata.PackageNotFoundError:
        return "absent"


def run_dot(job: DotJob) -> bytes:
    """Run Graphviz on the job's DOT text through the `graphviz` package and return the
    rendered bytes; `neato` keeps the given positions (`neato -n2`). The package runs the
    `dot` program with `-K<engine>` (graphviz.pipe, graphviz docs), so `dot` is the one
    program needed; ToolMissingError names the Debian package when it is not installed."""
    _dot_binary("dot")
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
    """Render standalone HTML to PDF bytes with WeasyPrint."""
    try:
        import weasyprint
    except OSError as exc:  # missing Pango/HarfBuzz libraries
        raise UserError(
            f"WeasyPrint tidak dapat dimuat ({exc}); pasang paket Debian "
            "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
        ) from None
    data = weasyprint.HTML(string=job.html, base_url=".").write_pdf()
    if job.expect:
        check_pdf_text(data, job.expect)
    return data


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
    shift = _TRANSLATE.search(drawing)
    dy = float(shift.group(2)) if shift else 0.0

    def keep(text: re.Match[str]) -> str:
        return text.group(0) if top <= dy + float(text.group(1)) <= bottom else ""

    return _TEXT.sub(keep, drawing)


def fill_svg_slots(html: str, svg: bytes) -> str:
    """Every `<!--sop:svg [TOP BOTTOM]-->` in the HTML replaced by the SVG's drawing."""
    drawing = svg_drawing(svg)

    def fill(slot: re.Match[str]) -> str:
        if slot.group(1) is None:
            return drawing
        return _text_between(drawing, float(slot.group(1)), float(slot.group(2)))

    return SVG_SLOT.sub(fill, html)


def run_svg_pages(job: SvgPagesPdfJob) -> bytes:
    """Render the job's diagram to SVG, paste it into the HTML, render that to PDF."""
    if job.svg.fmt != "svg":
        raise ValueError(f"SvgPagesPdfJob needs an SVG job, not {job.svg.fmt}")
    return run_pdf(PdfJob(fill_svg_slots(job.html, run_dot(job.svg))))


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
