"""The checklist store under real concurrent processes and under kill -9.

Every test runs real processes on one shared data folder. Timings are random; what is asserted
is not: exactly one winner of a race, no lost event, a file that always parses.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from generator import checklist as cl
from generator.cli import main
from tests.conftest import ROOT

SLUG = "evaluasi-kinerja-kecamatan"
RUN = "2024-03-04"
NOW = "2024-03-04 16:00"
SOP = [sys.executable, "-m", "generator.cli"]
NEXT_2 = (
    "Langkah yang dapat dikerjakan sekarang: 2 (Melaksanakan rapat pembahasan Evaluasi Kinerja)"
)


def start_cycle(data: Path) -> Path:
    """Start RUN at 08:00 and return its checklist file."""
    assert (
        main(["run", "start", SLUG, "--run", RUN, "--data", str(data), "--now", "2024-03-04 08:00"])
        == 0
    )
    return data / "checklist" / SLUG / f"{RUN}.yaml"


def spawn(args: list[str]) -> subprocess.Popen[str]:
    """A child process in the project folder, output captured as text."""
    return subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_eight_processes_race_for_the_same_step(data_copy: Path) -> None:
    path = start_cycle(data_copy)
    procs = [
        spawn([*SOP, "run", "done", SLUG, RUN, "1", "--by", f"Petugas {i}", "--at", "09:00",
               "--data", str(data_copy), "--now", NOW])
        for i in range(8)
    ]  # fmt: skip
    results = [(p.wait(timeout=60), *p.communicate()) for p in procs]
    winners = [i for i, (code, _, _) in enumerate(results) if code == 0]
    assert len(winners) == 1, results
    winner = f"Petugas {winners[0]}"
    for i, (code, out, err) in enumerate(results):
        if i != winners[0]:
            assert (code, out) == (1, "")
            assert err == (
                f"Ditolak: langkah 1 sudah dikerjakan oleh {winner} pada 2024-03-04 09:00 WITA.\n"
                f"{NEXT_2}\n"
            )
    events = cl.read_checklist(path).events
    assert [(e.step, e.by) for e in events] == [(1, winner)]


# One worker: start a cycle with the default id, then walk the seed's flow (a "tidak" at 6).
CYCLE_WORKER = """
import contextlib, io, sys
from generator.cli import main
data, name = sys.argv[1], sys.argv[2]
base = ["--data", data, "--now", "2024-03-04 16:00"]
out = io.StringIO()
with contextlib.redirect_stdout(out):
    assert main(["run", "start", "evaluasi-kinerja-kecamatan", "--at", "08:00", *base]) == 0
run = out.getvalue().split()[1]
for step, decision in [(1, ""), (2, ""), (3, ""), (4, ""), (5, ""), (6, "tidak"), (5, ""),
                       (6, "ya"), (7, ""), (8, ""), (9, "")]:
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["run", "done", "evaluasi-kinerja-kecamatan", run, str(step), "--by", name,
                     "--decision", decision, *base])
    assert code == 0, (run, step)
print(run)
"""


def test_eight_processes_run_eight_cycles_in_parallel(data_copy: Path) -> None:
    procs = [spawn([sys.executable, "-c", CYCLE_WORKER, str(data_copy), f"P{i}"]) for i in range(8)]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    assert all(code == 0 for code, _, _ in results), results
    runs = {out.strip(): f"P{i}" for i, (_, out, _) in enumerate(results)}
    assert sorted(runs) == sorted(["2024-03-04"] + [f"2024-03-04-{n}" for n in range(2, 9)])
    cycles = cl.load_checklists(data_copy)[SLUG]
    assert len(cycles) == 8
    for cycle in cycles:
        assert [e.step for e in cycle.events] == [1, 2, 3, 4, 5, 6, 5, 6, 7, 8, 9]
        assert {e.by for e in cycle.events} == {runs[cycle.run_id]}
        assert cl.replay(cycle).complete


# One worker: try to record whatever step is allowed now on a shared cycle, ten times,
# answering "tidak" at step 6 so the flow never ends; print each success.
SHARED_WORKER = """
import contextlib, io, sys
from generator import checklist as cl
from generator.cli import main
data, name = sys.argv[1], sys.argv[2]
for attempt in range(10):
    step = cl.replay(cl.open_checklist(data, "evaluasi-kinerja-kecamatan", "2024-03-04")).next_step
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(["run", "done", "evaluasi-kinerja-kecamatan", "2024-03-04", str(step),
                     "--by", name, "--output", f"{name}-{attempt}", "--data", data,
                     "--now", "2024-03-04 16:00", "--decision", "tidak" if step == 6 else ""])
    if code == 0:
        print(f"{name}-{attempt}", flush=True)
"""


def test_eight_processes_sharing_one_cycle_lose_nothing(data_copy: Path) -> None:
    path = start_cycle(data_copy)
    procs = [
        spawn([sys.executable, "-c", SHARED_WORKER, str(data_copy), f"P{i}"]) for i in range(8)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    assert all(code == 0 for code, _, _ in results), results
    reported = sorted(line for _, out, _ in results for line in out.split())
    events = cl.read_checklist(path).events
    assert sorted(e.output for e in events) == reported
    assert len(events) >= 8  # every process got at least one turn... or others did its work
    assert cl.replay(cl.read_checklist(path)).next_step in (5, 6)


# One writer that never stops: the seed's flow with "tidak" at 6 loops forever. It prints
# "OK n" only after `record_done` returned. Besides being killed from outside at a random
# moment ("acak"), it can kill itself with SIGKILL on its k-th write at a chosen point:
# halfway through writing the temporary file, just before the rename, or just after it.
CRASH_WORKER = """
import os, signal, sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
from generator import checklist as cl
data, mode, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
writes = 0
def die():
    os.kill(os.getpid(), signal.SIGKILL)
real_fdopen, real_replace = os.fdopen, os.replace
class HalfFile:
    def __init__(self, f):
        self.f = f
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        self.f.close()
    def write(self, data):
        self.f.write(data[: len(data) // 2]); self.f.flush(); os.fsync(self.f.fileno()); die()
def fdopen(fd, *args, **kwargs):
    f = real_fdopen(fd, *args, **kwargs)
    return HalfFile(f) if mode == "separuh" and writes == k else f
def replace(src, dst):
    if mode == "sebelum-rename" and writes == k:
        die()
    real_replace(src, dst)
    if mode == "setelah-rename" and writes == k:
        die()
os.fdopen, os.replace = fdopen, replace
now = datetime(2030, 1, 1, 8, tzinfo=ZoneInfo("Asia/Makassar"))
while True:
    writes += 1
    cycle = cl.open_checklist(data, "evaluasi-kinerja-kecamatan", "2024-03-04")
    n = len(cycle.events) + 1
    step = cl.replay(cycle).next_step
    cl.record_done(data, "evaluasi-kinerja-kecamatan", "2024-03-04", step, "Petugas", now,
                   cycle.started + timedelta(minutes=n), output=f"keluaran {n} " + "x" * 400,
                   decision="tidak" if step == 6 else "")
    print(f"OK {n}", flush=True)
"""
MODES = ("acak", "separuh", "sebelum-rename", "setelah-rename")


def crash_round(data: Path, mode: str, rng: random.Random) -> list[int]:
    """One writer killed with SIGKILL; return the event numbers it reported written."""
    proc = spawn([sys.executable, "-c", CRASH_WORKER, str(data), mode, str(rng.randint(2, 6))])
    first = ""
    if mode == "acak":
        first = proc.stdout.readline()  # the writer is under way
        assert first.startswith("OK "), proc.communicate()
        time.sleep(rng.uniform(0.0, 0.05))
        proc.kill()
    rest, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL, err
    return [int(line.split()[1]) for line in [first, *rest.splitlines()] if line]


def test_kill_9_during_writes_never_breaks_the_file(data_copy: Path) -> None:
    path = start_cycle(data_copy)
    rng = random.Random(20240304)
    reported: set[int] = set()
    rounds = 0
    while len(reported) < 50 or rounds < 12:
        mode = MODES[rounds % len(MODES)]
        ok = crash_round(data_copy, mode, rng)
        rounds += 1
        reported |= set(ok)
        events = cl.read_checklist(path).events  # parses, every time
        for n in reported:
            assert events[n - 1].output.startswith(f"keluaran {n} ")
        left = list(path.parent.glob(".*.tmp"))
        if mode == "setelah-rename":  # written, then killed before it could say so
            assert len(events) == max(reported) + 1
        elif mode != "acak":  # killed before the rename: the old file stands, a temp remains
            assert (len(events), len(left)) == (max(reported), 1)
        assert rounds < 60
    # A normal write afterwards succeeds and sweeps what killed writers left behind.
    cycle = cl.read_checklist(path)
    step = cl.replay(cycle).next_step
    later = datetime(2030, 1, 1, 8, tzinfo=ZoneInfo("Asia/Makassar"))
    decision = "tidak" if step == 6 else ""
    cl.record_done(data_copy, SLUG, RUN, step, "Akhir", later, later, decision=decision)
    assert not list(path.parent.glob(".*.tmp"))
    assert len(cl.read_checklist(path).events) == len(cycle.events) + 1
