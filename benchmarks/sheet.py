"""Time per sheet for the 30-step SOP (tests/fixtures/besar): layout, HTML and PDF.

Run: .venv/bin/python benchmarks/sheet.py [REPEAT]
Prints figures only; the PDF is made by the real WeasyPrint, without the build cache.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import tools  # noqa: E402
from generator.layout.sheet import layout_sheet  # noqa: E402
from generator.loader import load_project  # noqa: E402
from generator.render import sheet  # noqa: E402
from generator.render.common import RenderContext, make_env  # noqa: E402


def _timed(fn, repeat: int) -> tuple[float, object]:
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(repeat: int = 3) -> None:
    """Print the median time of each stage for the 30-step SOP."""
    project = load_project(ROOT / "tests" / "fixtures" / "besar")
    sop = project.sops[0]
    ctx = RenderContext(
        office=project.office,
        sops=project.sops,
        env=make_env(ROOT / "templates"),
        logo=project.logo,
        logo_name=project.office.logo,
    )
    layout_s, layout = _timed(lambda: layout_sheet(sop, project.office, ctx.paper_mm), repeat)
    html_s, html = _timed(lambda: sheet.sheet_html(ctx, sop), repeat)
    pdf_s, pdf = _timed(lambda: tools.run_pdf(sheet.outputs(ctx, sop)["lembar-sop.pdf"]), repeat)
    print(f"SOP: {sop.slug} ({len(sop.steps)} langkah, {len(sop.lanes)} lajur)")
    print(f"halaman: {len(layout.pages)}")
    print(f"tata letak : {layout_s * 1000:8.1f} ms")
    print(
        f"HTML       : {html_s * 1000:8.1f} ms  ({len(html) / 1024:.0f} KiB, termasuk tata letak)"
    )
    print(f"PDF        : {pdf_s * 1000:8.1f} ms  ({len(pdf) / 1024:.0f} KiB, WeasyPrint)")
    print(f"per lembar : {(html_s + pdf_s) * 1000:8.1f} ms  (HTML + PDF, median dari {repeat})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
