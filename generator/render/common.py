"""What every renderer shares: the render context, the one Jinja environment, jobs for tools.

Renderers return `Outputs`: a mapping of file name (relative to the SOP's output folder) to
either finished bytes or a job for an expensive external tool (`PdfJob` for WeasyPrint,
`DotJob` for Graphviz, `SvgPagesPdfJob` for both). `build` runs the jobs through the
content-addressed cache, in parallel.
"""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2

from generator.errors import Problem, UserError
from generator.layout.sheet.fit import PAPER_MM  # noqa: F401  (paper sizes, re-exported)
from generator.model import Office, Sop, format_date, format_nip


@dataclass(frozen=True)
class PdfJob:
    """Turn standalone HTML into PDF with WeasyPrint.

    `expect`: phrases the PDF's text must contain (whitespace collapsed), e.g. every step's
    number and first line; one missing means the layout dropped content (a bug): the job
    fails with `LostTextError` instead of writing the PDF.
    """

    html: str
    expect: tuple[str, ...] = ()


@dataclass(frozen=True)
class DotJob:
    """Run Graphviz on DOT text: `engine` (dot, neato) to `fmt` (svg, png, pdf).

    `svg_fonts` are (font name, SVG attributes) pairs: in SVG output each text's
    `font-family="<font name>"` becomes those attributes. Graphviz's SVG writer prints a
    fontname as it is, so a bold name Pango reads (for PNG) needs `font-weight="bold"` and a
    plain CSS family list for a browser or WeasyPrint to draw it bold."""

    dot: str
    fmt: str
    engine: str = "neato"
    svg_fonts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SvgPagesPdfJob:
    """HTML with Graphviz drawings pasted in, turned into PDF with WeasyPrint.

    `svg` (format svg) is run first; every `<!--sop:svg TOP BOTTOM-->` in `html` becomes the
    drawing inside the SVG's root element, in the SVG's own viewBox units, so the HTML wraps
    it in an `<svg viewBox=...>` of its choice (a page's slice). Only the text whose baseline
    lies between TOP and BOTTOM is kept: text a slice hides must not reach the PDF's text.
    `<!--sop:svg-->` keeps all text.
    """

    html: str
    svg: DotJob


Job = PdfJob | DotJob | SvgPagesPdfJob
Outputs = dict[str, bytes | Job]


@dataclass(frozen=True)
class RenderContext:
    """What renderers may know besides the SOP itself."""

    office: Office
    sops: tuple[Sop, ...]
    env: jinja2.Environment
    logo: bytes | None = None
    logo_name: str = ""

    @property
    def logo_uri(self) -> str:
        """The logo as a data: URI (so a single HTML file is complete), or ''."""
        if not self.logo:
            return ""
        mime = mimetypes.guess_type(self.logo_name)[0] or "image/png"
        return f"data:{mime};base64,{base64.b64encode(self.logo).decode('ascii')}"

    @property
    def paper_mm(self) -> tuple[int, int]:
        """(width, height) of the office's paper in portrait, in millimetres."""
        return PAPER_MM[self.office.paper]


def make_env(templates_dir: Path) -> jinja2.Environment:
    """The one Jinja environment: autoescape on, undefined variables are errors."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["tanggal"] = format_date
    env.filters["nip"] = format_nip
    return env


def _template_line(tb: TracebackType | None) -> tuple[str, int]:
    """The innermost template file and line in a Jinja traceback."""
    found = ("", 0)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".md", ".css", ".j2", ".txt", ".svg")):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def render_template(env: jinja2.Environment, name: str, **context: Any) -> str:
    """Render a template; a template mistake becomes a UserError naming its file and line."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise UserError(
            [
                Problem(
                    exc.filename or name,
                    exc.lineno or 0,
                    1,
                    "templat",
                    f"sintaks templat salah: {exc.message}",
                    "periksa pasangan {{ }}, {% %} dan {% end... %}",
                )
            ]
        ) from None
    except jinja2.UndefinedError as exc:
        filename, line = _template_line(exc.__traceback__)
        raise UserError(
            [
                Problem(
                    filename or name,
                    line,
                    1,
                    "templat",
                    f"variabel tidak dikenal: {exc.message}",
                    "periksa ejaan nama variabel di templat",
                )
            ]
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise UserError(f"templat '{exc.name}' tidak ditemukan") from None
    except UnicodeDecodeError as exc:  # a template saved in another encoding
        raise UserError([_not_utf8(env, name, exc)]) from None


def _not_utf8(env: jinja2.Environment, name: str, exc: UnicodeDecodeError) -> Problem:
    """Where a template's first non-UTF-8 byte is (the loader decodes the whole file)."""
    before = bytes(exc.object[: exc.start])
    line, column = before.count(b"\n") + 1, len(before) - (before.rfind(b"\n") + 1) + 1
    folders = getattr(env.loader, "searchpath", None) or [""]
    path = Path(folders[0]) / name
    # The failing file may be one the template includes: it is the one holding these bytes.
    found = (p for f in folders for p in sorted(Path(f).rglob("*")) if p.is_file())
    path = next((p for p in found if p.read_bytes() == exc.object), path)
    return Problem(
        str(path),
        line,
        column,
        "templat",
        "berkas templat bukan teks UTF-8",
        "simpan ulang berkas dengan pengodean UTF-8 di penyunting teks",
    )
