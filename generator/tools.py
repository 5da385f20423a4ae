"""The expensive external tools: WeasyPrint (HTML -> PDF) and Graphviz (DOT -> SVG/PNG/PDF).

Each job is a pure function of its input text and the tool's version, which is what makes
content-addressed caching in `build` correct.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from importlib import metadata

from generator.errors import ToolMissingError, UserError
from generator.render.common import DotJob, Job, PdfJob


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


PNG_DPI = 120  # raster output readable on slides and in chat
PDF_FIT = "7.4,10.6"  # inches; with the pad the page stays within A4 portrait (595 x 842 pt)


def dot_args(job: DotJob) -> list[str]:
    """Graphviz options of a job: `neato` keeps the given positions (`-n2`), PNG gets a dpi,
    a PDF is shrunk (never enlarged) to fit an A4 page.

    These are given here, not in the DOT, because Graphviz 2.43 applies a graph's dpi and
    size to every output format, and the site's SVG must keep its natural size.
    """
    args = [f"-T{job.fmt}"]
    if job.engine == "neato":
        args.append("-n2")
    if job.fmt == "png":
        args.append(f"-Gdpi={PNG_DPI}")
    if job.fmt == "pdf":
        args.append(f"-Gsize={PDF_FIT}")
    return args


def run_dot(job: DotJob) -> bytes:
    """Run Graphviz on the job's DOT text and return the rendered bytes."""
    result = subprocess.run(
        [_dot_binary(job.engine), *dot_args(job)],
        input=job.dot.encode("utf-8"),
        capture_output=True,
        check=False,
        timeout=120,
    )
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"graphviz gagal ({job.engine} -T{job.fmt}): {message}")
    return result.stdout


def run_pdf(job: PdfJob) -> bytes:
    """Render standalone HTML to PDF bytes with WeasyPrint."""
    try:
        import weasyprint
    except OSError as exc:  # missing Pango/HarfBuzz libraries
        raise UserError(
            f"WeasyPrint tidak dapat dimuat ({exc}); pasang paket Debian "
            "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
        ) from None
    return weasyprint.HTML(string=job.html, base_url=".").write_pdf()


def run_job(job: Job) -> bytes:
    """Run one job with the right tool."""
    return run_dot(job) if isinstance(job, DotJob) else run_pdf(job)


def job_key_parts(job: Job) -> tuple[str, ...]:
    """Everything that determines a job's output, for the cache key."""
    if isinstance(job, DotJob):
        return ("dot", dot_version(), job.engine, *dot_args(job), job.dot)
    return ("pdf", weasyprint_version(), job.html)
