"""Time the swimlane diagram against PlantUML drawing the same flow.

    .venv/bin/python benchmarks/diagram.py [--runs 3]

For every fixture SOP (the seed, pt-sulteng, the 30-step besar) it prints the time to lay out
and render our diagram as SVG + PNG with Graphviz beside the time PlantUML takes for an
activity diagram of the same flow with the same swimlanes (SVG + PNG), and the ratio; our
PDF (which PlantUML does not make here) is timed on its own.
PlantUML is only needed here: when it is missing and we run as root, it is installed with
apt-get; the test suite never needs it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import tools  # noqa: E402
from generator.build import render_context  # noqa: E402
from generator.flow import successors  # noqa: E402
from generator.loader import load_project  # noqa: E402
from generator.model import Sop  # noqa: E402
from generator.render import diagram  # noqa: E402

FIXTURES = [ROOT / "sop_data", ROOT / "tests/fixtures/pt-sulteng", ROOT / "tests/fixtures/besar"]
REQUIRED_SPEEDUP = 10.0


def ensure_plantuml() -> str:
    """The plantuml command; installed with apt-get when missing and running as root."""
    found = shutil.which("plantuml")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("plantuml tidak ditemukan; pasang dengan: sudo apt-get install plantuml")
    print("memasang plantuml (apt-get install plantuml) ...", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "plantuml"], check=True)
    found = shutil.which("plantuml")
    if not found:
        sys.exit("plantuml tetap tidak ditemukan setelah apt-get install")
    return found


def _puml_text(text: str) -> str:
    return " ".join(text.split()).replace(";", ",")


def plantuml_source(sop: Sop) -> str:
    """An activity diagram with swimlanes of the same steps, decisions and jumps.

    PlantUML's activity syntax has no arbitrary jumps, so a jump ("Tidak" to step 5, lanjut)
    is drawn as a note-like action ending its branch: the same number of symbols and lanes.
    """
    lines = ["@startuml"]
    lines += [f"|{_puml_text(sop.lanes[i])}|" for i in sop.lane_ids]
    for step in sop.steps:
        lane = _puml_text(sop.lanes[step.actors[0]])
        text = f"{step.number}. {_puml_text(step.description)}"
        lines.append(f"|{lane}|")
        if step.number == 1:
            lines.append("start")
        if step.decision is not None:
            first, *others = step.decision.exits
            lines.append(f"if ({text}) then ({_puml_text(first.label)})")
            lines.append(f":{_puml_goto(first.target)};")
            for other in others:
                lines.append(f"else ({_puml_text(other.label)})")
                lines.append(f":{_puml_goto(other.target)};")
            lines.append("endif")
            continue
        lines.append(f":{text};")
        nxt = successors(sop, step.number)
        if not nxt:
            lines.append("stop")
        elif nxt[0].target != step.number + 1:
            lines.append(f":ke langkah {nxt[0].target};")
    lines.append("@enduml")
    return "\n".join(lines) + "\n"


def _puml_goto(target: int | None) -> str:
    return "selesai" if target is None else f"ke langkah {target}"


def ours(ctx, sop: Sop, formats: tuple[str, ...] = ("svg", "png")) -> None:
    """Lay out, write DOT and render the given formats with Graphviz."""
    jobs = diagram.outputs(ctx, sop)
    for fmt in formats:
        tools.run_job(jobs[f"diagram-alir.{fmt}"])


def theirs(plantuml: str, source: Path) -> None:
    """PlantUML to SVG and PNG (one JVM run per format, as a build would call it)."""
    for fmt in ("-tsvg", "-tpng"):
        subprocess.run([plantuml, fmt, str(source)], check=True, capture_output=True)


def median_time(fn: Callable[[], None], runs: int) -> float:
    """Median wall time of `runs` calls, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    """Print the comparison table; exit 1 when we are not at least 10x faster."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    plantuml = ensure_plantuml()
    print("waktu per diagram, median; SVG + PNG dari alur yang sama; PDF kami di kolom tersendiri")
    print(
        f"{'SOP':36} {'langkah':>7} {'kami SVG+PNG':>13} {'kami PDF':>9} "
        f"{'PlantUML SVG+PNG':>17} {'rasio':>7}"
    )
    worst = float("inf")
    with tempfile.TemporaryDirectory() as tmp:
        for data in FIXTURES:
            project = load_project(data)
            ctx = render_context(project, ROOT / "templates")
            for sop in project.sops:
                source = Path(tmp) / f"{sop.slug}.puml"
                source.write_text(plantuml_source(sop), encoding="utf-8")
                ours_s = median_time(lambda ctx=ctx, sop=sop: ours(ctx, sop), args.runs)
                pdf_s = median_time(lambda c=ctx, s=sop: ours(c, s, ("pdf",)), args.runs)
                theirs_s = median_time(lambda s=source: theirs(plantuml, s), args.runs)
                ratio = theirs_s / ours_s
                worst = min(worst, ratio)
                print(
                    f"{sop.slug:36} {len(sop.steps):>7} {ours_s:>12.3f}s {pdf_s:>8.3f}s "
                    f"{theirs_s:>16.3f}s {ratio:>6.1f}x"
                )
    ok = worst >= REQUIRED_SPEEDUP
    print(f"paling lambat: {worst:.1f}x lebih cepat (syarat {REQUIRED_SPEEDUP:.0f}x): ", end="")
    print("LULUS" if ok else "GAGAL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
