"""kill -9 of `sop build`, `mkdocs build` and `sop publish`, at random instants and at fixed
points injected around every rename (issue 13).

Each command runs as a real process in its own session, alternately towards two versions (A and
B) of its output, and is killed 50 times or more: at each fault point of `outdir`/`publish`
(`SOP_TEST_KILL_AT`, the process kills itself with SIGKILL there; also on the two-rename path,
`SOP_TEST_NO_EXCHANGE`), and at random instants (seeded). After every kill:

- the output is complete: byte for byte the old version or the new one (for the two-rename
  path, a kill between the renames leaves the old tree at `.NAME.lama`, which the next run puts
  back: recoverable is accepted there and only there);
- no process of the killed command's session is left after 5 s (workers die with their parent);
- after every fixed-point kill and every sixth random kill, the next run succeeds and its
  output is byte-identical to the reference of its version, with no staging folder left.

The cache is warm and the data is the seed (one SOP), so a run takes about a second; a test of
orphaned workers kills a cold build of two SOPs while its worker processes run.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import outdir
from tests.conftest import ROOT, SEED_DATA

pytestmark = pytest.mark.slow

SOP = str(Path(sys.executable).parent / "sop")
MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--strict"]
SLUG = "evaluasi-kinerja-kecamatan"
ENV = {
    **os.environ,
    "NO_MKDOCS_2_WARNING": "1",
    "SOP_NOW": "2024-03-04 10:00",
    "SOURCE_DATE_EPOCH": "1700000000",
}
KILLS = 50
ORPHAN_WAIT = 5.0
SWITCH_POINTS = ["sebelum-penanda", "sebelum-tukar", "sesudah-tukar", "tengah-hapus"]
RENAME_POINTS = ["sebelum-tukar", "antara-rename", "sesudah-rename", "tengah-hapus"]
PUBLISH_POINTS = ["tengah-salin", "sebelum-rilis", "sebelum-tautan", "sesudah-tautan"]
PUBLISH_POINTS += ["tengah-hapus"]

Snapshot = dict[str, bytes]


def snapshot(folder: Path, skip: tuple[str, ...] = ()) -> Snapshot:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in skip
    }


def session_of(pid: str) -> int | None:
    """The session of a live process (None: gone, or a zombie: ended, awaiting its reaper)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return None if fields[0] in ("Z", "X") else int(fields[3])


def in_session(sid: int) -> list[str]:
    """Command lines of the live processes of session `sid`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and session_of(entry) == sid:
            try:
                cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            found.append(f"{entry}: {cmd.decode(errors='replace')[:120]}")
    return found


def forked(sid: int) -> list[str]:
    """The forkserver of session `sid` and the workers forked from it (they share its command
    line); the session's other processes (the build itself, `fc-match`, `dot`) left out."""
    return [cmd for cmd in in_session(sid) if "multiprocessing.forkserver" in cmd]


def assert_no_orphans(sid: int) -> None:
    """Every process of the session ends within 5 s of the kill."""
    deadline = time.monotonic() + ORPHAN_WAIT
    while (left := in_session(sid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not left, f"orphans after {ORPHAN_WAIT} s: {left}"


def killed_run(
    argv: list[str], cwd: Path, env: dict[str, str], point: str | None, delay: float
) -> int:
    """Run, and kill -9 (at `point` by itself, else after `delay` seconds); return the status."""
    extra = {outdir.FAULT_ENV: point} if point else {}
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env={**ENV, **env, **extra},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        proc.wait(timeout=120 if point else delay)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert_no_orphans(proc.pid)
    return proc.returncode


def full_run(argv: list[str], env: dict[str, str]) -> float:
    """Run to the end in env["CWD"]; return the seconds it took."""
    start = time.monotonic()
    done = subprocess.run(
        argv, cwd=env["CWD"], env={**ENV, **env}, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return time.monotonic() - start


def kill_plan(points: list[str], renames: list[str]) -> list[tuple[str | None, bool]]:
    """(fault point, two-rename path) for each fixed-point kill: every point twice (towards
    version A and towards B); `run_kills` adds random instants until KILLS kills are done."""
    plan: list[tuple[str | None, bool]] = [(p, False) for p in points for _ in range(2)]
    return plan + [(p, True) for p in renames for _ in range(2)]


def run_kills(
    name: str,
    plan: list[tuple[str | None, bool]],
    command: Callable[[str], tuple[list[str], dict[str, str]]],
    state: Callable[[], Snapshot | str],
    refs: dict[str, Snapshot],
    left_over: Callable[[], list[str]],
    seconds: float,
) -> None:
    """The kill loop shared by the three commands (see the module doc)."""
    rng = random.Random(13)
    kills = random_kills = number = 0
    while number < len(plan) or kills < KILLS or random_kills < 20:
        point, renames = plan[number] if number < len(plan) else (None, False)
        version = "AB"[number % 2]
        argv, env = command(version)
        if renames:
            env = {**env, outdir.NO_EXCHANGE_ENV: "1"}
        status = killed_run(argv, Path(env["CWD"]), env, point, rng.uniform(0.0, seconds))
        killed = status == -signal.SIGKILL
        if not killed and point is None:  # it finished first: aim earlier from now on
            seconds *= 0.8
        kills += killed
        random_kills += killed and point is None
        if point:
            assert killed, f"{name}: {point} was not reached"
        now = state()
        if now == "recoverable":
            assert point == "antara-rename", f"{name}: no output after a kill at {point}"
        else:
            assert now in (refs["A"], refs["B"]), f"{name}: half output after run {number}"
        if point or number % 6 == 0:
            full_run(argv, env)
            assert state() == refs[version], f"{name}: the next run differs"
            assert left_over() == [], f"{name}: left over after the next run"
        number += 1
        assert number < 4 * KILLS, f"{name}: too few kills ({kills})"


def seed_copy(dest: Path) -> Path:
    shutil.copytree(SEED_DATA, dest, ignore=shutil.ignore_patterns("checklist"))
    return dest


def version_b(data: Path) -> None:
    path = data / "sop" / f"{SLUG}.yaml"
    path.write_text(path.read_text("utf-8").replace("Menyusun", "Merumuskan", 1), "utf-8")


def stale(folder: Path, name: str) -> list[str]:
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.name.startswith(f".{name}.") and p.name != f".{name}.lock"
    )


# --------------------------------------------------------------------------- sop build


def test_kill_sop_build(tmp_path: Path) -> None:
    work = tmp_path
    seed_copy(work / "A")
    version_b(seed_copy(work / "B"))
    shutil.copytree(ROOT / "templates", work / "templates")
    out = work / "out"

    def command(version: str) -> tuple[list[str], dict[str, str]]:
        argv = [SOP, "build", "--data", version, "--templates", "templates", "--out", "out"]
        return argv + ["--cache", "cache"], {"CWD": str(work)}

    def state() -> Snapshot | str:
        if out.is_dir():
            return snapshot(out)
        old = work / ".out.lama"
        return "recoverable" if old.is_dir() and snapshot(old) in refs.values() else {}

    # the first build, into no folder at all: killed before its rename, then completed
    argv, env = command("A")
    assert killed_run(argv, work, env, "sebelum-ganti", 0) == -signal.SIGKILL
    assert not out.exists()
    full_run(argv, env)
    refs = {"A": snapshot(out)}
    full_run(*command("B"))
    refs["B"] = snapshot(out)
    seconds = full_run(*command("B"))  # warm: what a run takes
    assert refs["A"] != refs["B"]
    plan = kill_plan(["tengah-tulis", *SWITCH_POINTS], RENAME_POINTS)
    run_kills("sop build", plan, command, state, refs, lambda: stale(work, "out"), seconds)


# --------------------------------------------------------------------------- mkdocs build


def test_kill_mkdocs_build(tmp_path: Path) -> None:
    work = tmp_path / "p"
    work.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", work / "docs")
    shutil.copytree(ROOT / "templates", work / "templates")
    data = seed_copy(work / "sop_data")
    sop_file = data / "sop" / f"{SLUG}.yaml"
    text_a = sop_file.read_text("utf-8")
    version_b(data)
    text_b = sop_file.read_text("utf-8")
    site = work / "site"

    def command(version: str) -> tuple[list[str], dict[str, str]]:
        sop_file.write_text(text_a if version == "A" else text_b, "utf-8")
        return MKDOCS, {"CWD": str(work)}

    def state() -> Snapshot | str:
        if site.is_dir():
            return snapshot(site)
        old = work / ".site.lama"
        return "recoverable" if old.is_dir() and snapshot(old) in refs.values() else {}

    full_run(*command("A"))
    refs = {"A": snapshot(site)}
    full_run(*command("B"))
    refs["B"] = snapshot(site)
    seconds = full_run(*command("B"))  # warm: what a run takes
    plan = kill_plan(SWITCH_POINTS, RENAME_POINTS)
    run_kills("mkdocs build", plan, command, state, refs, lambda: stale(work, "site"), seconds)


# --------------------------------------------------------------------------- sop publish


def fake_site(folder: Path, version: str) -> Path:
    """A complete site (120 files, with its marker) whose every file names its version."""
    for n in range(120):
        path = folder / f"sop/s{n % 10}/f{n:03d}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"<p>{version} {n}</p>" * 200, "utf-8")
    (folder / "index.html").write_text(f"<p>{version}</p>", "utf-8")
    marker = outdir.marker_bytes("situs", outdir.tree_digests(folder), {"versi_data": version})
    (folder / outdir.MARKER).write_bytes(marker)
    return folder


def test_kill_sop_publish(tmp_path: Path) -> None:
    work = tmp_path
    (work / "kosong").mkdir()
    refs = {v: snapshot(fake_site(work / f"site{v}", v)) for v in "AB"}
    dest = work / "www"

    def command(version: str) -> tuple[list[str], dict[str, str]]:
        argv = [SOP, "publish", str(dest), "--site", f"site{version}", "--simpan", "2"]
        return argv + ["--data", "kosong", "--templates", "kosong"], {"CWD": str(work)}

    def state() -> Snapshot | str:
        return snapshot(dest, skip=(".sop-terbit.json",)) if dest.exists() else {}

    def left_over() -> list[str]:
        releases = work / "www.rilis"
        links = [p.name for p in work.iterdir() if p.name.startswith(".www.")]
        return links + [p.name for p in releases.iterdir() if p.name.startswith(".salin-")]

    full_run(*command("A"))
    seconds = full_run(*command("B"))
    plan = kill_plan(PUBLISH_POINTS, [])
    run_kills("sop publish", plan, command, state, refs, left_over, seconds)
    assert len([p for p in (work / "www.rilis").iterdir() if p.name.startswith("rilis-")]) <= 3


# --------------------------------------------------------------------------- orphans


@pytest.mark.parametrize("tool", ["sop", "mkdocs"])
def test_workers_end_when_the_build_is_killed(tmp_path: Path, tool: str) -> None:
    """A cold build of two SOPs runs worker processes; kill -9 of the main process only."""
    work = tmp_path / "p"
    work.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", work / "docs")
    shutil.copytree(ROOT / "templates", work / "templates")
    data = seed_copy(work / "sop_data")
    text = (data / "sop" / f"{SLUG}.yaml").read_text("utf-8")
    text = text.replace('nomor: "067/21/JPR/2024"', 'nomor: "067/22/JPR/2024"')
    (data / "sop" / "salinan.yaml").write_text(text, "utf-8")
    argv = MKDOCS if tool == "mkdocs" else [SOP, "build", "--out", "out"]
    proc = subprocess.Popen(
        argv,
        cwd=work,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while len(forked(proc.pid)) < 3 and time.monotonic() < deadline:  # server, 2 workers
        time.sleep(0.05)
    workers = forked(proc.pid)
    time.sleep(random.Random(tool).uniform(0.2, 1.0))
    os.kill(proc.pid, signal.SIGKILL)  # the main process only, not its group
    proc.wait()
    assert len(workers) >= 3, workers
    assert_no_orphans(proc.pid)
    out = work / ("site" if tool == "mkdocs" else "out")
    assert not out.exists()  # the first build, killed before its switch: no half folder
