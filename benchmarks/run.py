"""The performance suite (`make bench`): build times, rebuilds, memory and size for N SOPs.

    .venv/bin/python benchmarks/run.py [--sizes 10,100,1000] [--runs 3] [--cold-max 1000]

For every N it generates N synthetic SOPs (benchmarks/synth.py) and measures, each figure the
median of `--runs` runs, every build a separate process:

- baseline: `mkdocs build` of a plain mkdocs-material site of N comparable Markdown pages
  (same theme, extensions and search; one page per SOP with its metadata and steps);
- cold: `mkdocs build` of the SOP site and `sop build` with an empty cache, and the bare tool
  time: the same WeasyPrint and Graphviz jobs run on every core with nothing of ours around;
  with `--against COMMIT`, the cold `mkdocs build` of that commit's code too, alternating
  with this code's in the same runs, so a machine shared with other work gives a fair ratio;
- no change: `mkdocs build` and `sop build` again, cache warm (the cache is shared);
- one edit: one SOP's step text changed, then `mkdocs build`; the jobs re-rendered are
  counted from the plugin's log line;
- peak memory: the sum of the resident sizes of the build's process tree (sampled every
  50 ms), and the largest single process (`wait4` rusage);
- site size per SOP; the split of time per stage (one core, in this process, on a sample).

Cold builds of N > --cold-max are not run: the cache is then warmed with real text rendering
and real Graphviz, but with stand-in PDF bytes (real PDFs of the same kind from the largest
cold-built N), which RESULTS.md says. The code measured is a snapshot of generator/ and
templates/ taken at start, so edits made meanwhile in the working tree do not disturb it.
Writes benchmarks/RESULTS.md (committed) and raw figures to benchmarks/results/ (ignored).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import multiprocessing
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS_MD = ROOT / "benchmarks" / "RESULTS.md"
RAW_DIR = ROOT / "benchmarks" / "results"
EDIT_INDEX = 1  # the SOP edited in the one-edit rebuild (1-based)
LOG_LINE = re.compile(r"(\d+) SOP: (\d+) berkas dirender, (\d+) dari cache")
MIB = 1024 * 1024


# --------------------------------------------------------------------------- measuring


@dataclasses.dataclass
class Run:
    """One measured process: wall seconds, CPU seconds, memory, its stderr."""

    wall: float
    cpu: float
    peak_tree: int  # bytes, sum over the process tree, sampled
    peak_single: int  # bytes, largest process (wait4 rusage)
    stderr: str


PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")


def _tree_sample(root: int, cpu: dict[int, float]) -> tuple[int, int]:
    """(sum, largest) resident bytes of `root` and its descendants, from /proc; records each
    process's CPU seconds in `cpu` (workers of a forkserver are not our children, so
    wait4's rusage does not count them)."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[bytes]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.name)] = stat
        children.setdefault(int(stat[1]), []).append(int(entry.name))
    total = largest = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        stat = stats.get(pid)
        if stat:  # fields after the name: state ppid ... utime(12) stime(13) ... rss(22)
            rss = int(stat[21]) * PAGE
            total += rss
            largest = max(largest, rss)
            cpu[pid] = (int(stat[11]) + int(stat[12])) / TICK
        todo.extend(children.get(pid, []))
    return total, largest


def measure(cmd: list[str], cwd: Path, env: dict[str, str]) -> Run:
    """Run a command, timing it and sampling its process tree's memory."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        peak = [0, 0]
        cpu: dict[int, float] = {}
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(0.05):
                total, largest = _tree_sample(proc.pid, cpu)
                peak[0], peak[1] = max(peak[0], total), max(peak[1], largest)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        stop.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise SystemExit(f"gagal ({proc.returncode}): {' '.join(cmd)}\n{stderr[-3000:]}")
    own = usage.ru_utime + usage.ru_stime  # the process and the children it waited for
    sampled = sum(cpu.values())  # every process of the tree, to the last sample
    single = max(peak[1], usage.ru_maxrss * 1024)
    return Run(wall, max(own, sampled), peak[0], single, stderr)


def median_runs(runs: list[Run]) -> dict[str, float]:
    """Medians of a list of runs, as plain figures."""
    return {
        "wall": statistics.median(r.wall for r in runs),
        "cpu": statistics.median(r.cpu for r in runs),
        "peak_tree": max(r.peak_tree for r in runs),
        "peak_single": max(r.peak_single for r in runs),
        "runs": len(runs),
    }


# --------------------------------------------------------------------------- set-up


def snapshot(work: Path) -> Path:
    """Copy generator/, templates/, docs/ and mkdocs.yml, so the measured code stays fixed."""
    src = work / "src"
    for name in ("generator", "templates", "docs"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "mkdocs.yml", src / "mkdocs.yml")
    return src


def commit_snapshot(work: Path, commit: str) -> Path:
    """generator/ and templates/ as they were at `commit` (`git archive`), to measure against."""
    dest = work / "against"
    dest.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", commit, "generator", "templates"], cwd=ROOT, capture_output=True
    )
    if archive.returncode != 0:
        raise SystemExit(f"--against {commit}: {archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest


def bench_env(src: Path) -> dict[str, str]:
    """The environment of every measured process: the snapshot first on the import path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(src)
    env["NO_MKDOCS_2_WARNING"] = "1"
    env["PYTHONHASHSEED"] = "0"
    return env


class _MkdocsLoader(yaml.SafeLoader):
    """mkdocs.yml's YAML: `!ENV [NAME, default]` read as the variable's value or default."""


def _env_tag(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    names = loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode) else []
    names = names or [loader.construct_scalar(node)]  # type: ignore[arg-type]
    for name in names[:-1] if len(names) > 1 else names:
        if str(name) in os.environ:
            return os.environ[str(name)]
    return names[-1] if len(names) > 1 else None


_MkdocsLoader.add_constructor("!ENV", _env_tag)


def mkdocs_yml(path: Path) -> dict:
    """mkdocs.yml as plain data (environment tags resolved), to write a variant of it."""
    return yaml.load(path.read_text("utf-8"), Loader=_MkdocsLoader)  # noqa: S506


def site_project(src: Path, dest: Path, data: Path, cache: Path) -> Path:
    """A folder with mkdocs.yml and docs/ building the SOP site of `data`."""
    config = mkdocs_yml(src / "mkdocs.yml")
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "sop" in plugin:
            plugin["sop"] = {
                "data_dir": str(data),
                "templates_dir": str(src / "templates"),
                "cache_dir": str(cache),
            }
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(src / "docs", dest / "docs", dirs_exist_ok=True)
    (dest / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), "utf-8")
    return dest


def baseline_page(sop: dict) -> str:
    """A plain Markdown page comparable to an SOP page: metadata, lanes, steps table."""
    lines = [f"# {sop['nama']}", "", "| | |", "|---|---|"]
    for key in ("nomor", "unit", "tanggal_pembuatan", "tanggal_efektif", "disahkan_oleh"):
        lines.append(f"| {key} | {sop[key]} |")
    lines += ["", "## Dasar hukum", ""] + [f"- {item}" for item in sop["dasar_hukum"]]
    lines += ["", "## Pelaksana", ""] + [f"- {name}" for name in sop["pelaksana"].values()]
    lines += ["", "## Langkah", "", "| No | Uraian | Pelaksana | Kelengkapan | Waktu | Output |"]
    lines.append("|---|---|---|---|---|---|")
    for i, step in enumerate(sop["langkah"], 1):
        row = [step["uraian"], step["pelaksana"], step["kelengkapan"], step["waktu"]]
        lines.append(f"| {i} | {' | '.join(row)} | {step['output']} |")
    lines += ["", "## Unduhan", ""]
    lines += [f"- {name}" for name in ("lembar-sop.pdf", "diagram-alir.pdf")]
    return "\n".join(lines) + "\n"


def baseline_project(src: Path, dest: Path, data: Path) -> Path:
    """A plain mkdocs-material site with one comparable page per synthetic SOP."""
    config = mkdocs_yml(src / "mkdocs.yml")
    config["plugins"] = [p for p in config["plugins"] if not (isinstance(p, dict) and "sop" in p)]
    config["extra_css"] = []
    docs = dest / "docs"
    shutil.copytree(src / "docs", docs, dirs_exist_ok=True)
    index = ["# Daftar SOP", ""]
    for path in sorted((data / "sop").glob("*.yaml")):
        sop = yaml.safe_load(path.read_text("utf-8"))
        page = docs / "sop" / path.stem / "index.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(baseline_page(sop), "utf-8")
        index.append(f"- [{sop['nama']}](sop/{path.stem}/index.md)")
    (docs / "index.md").write_text("\n".join(index) + "\n", "utf-8")
    (dest / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), "utf-8")
    return dest


def _dump_site(data: Path, templates: Path, cache: Path, dest: Path) -> dict:
    """Write the SOP site's generated pages and files as a plain docs folder (no plugin)."""
    from generator.site import build_site

    site = build_site(data, templates, cache)
    for rel, content in site.files.items():
        target = dest / "docs" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        # a page whole, as MkDocs would read it without the plugin (tables in place)
        target.write_bytes(site.markdown(rel).encode("utf-8") if rel in site.pages else content)
    return {"files": len(site.files)}


def same_pages_project(src: Path, dest: Path, data: Path, cache: Path, env: dict) -> Path:
    """Baseline B: the SOP site's own pages and files, built by MkDocs without our plugin."""
    config = mkdocs_yml(src / "mkdocs.yml")
    config["plugins"] = [p for p in config["plugins"] if not (isinstance(p, dict) and "sop" in p)]
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(src / "docs", dest / "docs")
    (dest / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), "utf-8")
    _in_process("dump", [data, src / "templates", cache, dest], env)
    return dest


def edit_sop(data: Path, run: int) -> Path:
    """Change the first step's text of one SOP (different at every run)."""
    path = sorted((data / "sop").glob("*.yaml"))[EDIT_INDEX - 1]
    doc = yaml.safe_load(path.read_text("utf-8"))
    doc["langkah"][0]["uraian"] = f"Menerima surat permohonan (revisi {run})"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def serve_edit(proj: Path, data: Path, env: dict, run: int) -> float:
    """Seconds from saving an edit of one SOP to `mkdocs serve` serving its page with the
    new text (in the step list and in the embedded sheet); the server is started (and its
    first build awaited) before the edit and stopped after."""
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [str(BIN / "mkdocs"), "serve", "-a", f"127.0.0.1:{port}"]
    proc = subprocess.Popen(
        cmd, cwd=proj, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    path = sorted((data / "sop").glob("*.yaml"))[EDIT_INDEX - 1]
    url = f"http://127.0.0.1:{port}/sop/{path.stem}/"

    def page() -> str:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode("utf-8", "replace")
        except OSError:
            return ""

    try:
        deadline = time.monotonic() + 600
        while not page() and time.monotonic() < deadline:
            time.sleep(0.2)
        text = f"Pratinjau{run} diterima"  # short: one line in the sheet's uraian column
        doc = yaml.safe_load(path.read_text("utf-8"))
        doc["langkah"][0]["uraian"] = text
        start = time.perf_counter()
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")
        while page().count(text) < 2:
            if time.monotonic() > deadline:
                raise SystemExit(f"mkdocs serve tidak menampilkan suntingan: {url}")
            time.sleep(0.05)
        return time.perf_counter() - start
    finally:
        proc.terminate()
        proc.wait(timeout=30)


QUALITY_TOOLS = [ROOT.parent / "shared", ROOT.parent.parent / "shared"]  # main, worktree
QUALITY_TOTAL = re.compile(r"^TOTAL \((\d+) sheets\)\s+(.*)$", re.M)


def sheet_quality(out: Path, data: Path, env: dict) -> dict:
    """The sheet-quality counts (`../shared/tools/sheet_quality.py`) of a `sop build`
    output: its TOTAL line, by column; {} when the tool is not there."""
    found = [d / "tools" / "sheet_quality.py" for d in QUALITY_TOOLS]
    tool = Path(os.environ.get("SOP_SHEET_QUALITY", next((t for t in found if t.is_file()), "")))
    if not tool.is_file():
        return {}
    cmd = [sys.executable, str(tool), str(out), "--data", str(data)]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    found = QUALITY_TOTAL.search(result.stdout)
    header = next((ln for ln in result.stdout.splitlines() if ln.startswith("sheet ")), "")
    if not found or not header:
        return {"error": result.stdout[-500:] + result.stderr[-500:]}
    names = header.split()[1:]
    return {"sheets": int(found.group(1)), **dict(zip(names, found.group(2).split(), strict=False))}


def tree_bytes(folder: Path) -> int:
    """Total size of the files under a folder."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


# --------------------------------------------------------------------------- in-process modes


def _bare_tools(data: Path, templates: Path, workers: int) -> dict[str, float]:
    """Run every WeasyPrint/Graphviz job of the project on `workers` processes, no cache."""
    from generator import build, tools
    from generator.loader import load_project

    project = load_project(data, templates)
    jobs = list(build.render_outputs(build.render_context(project, templates), {}).values())
    jobs = [j for j in jobs if not isinstance(j, bytes)]
    start = time.perf_counter()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        sizes = [len(b) for b in pool.map(tools.run_job, jobs)]
    return {"wall": time.perf_counter() - start, "jobs": len(jobs), "bytes": sum(sizes)}


_STAND_INS: dict[str, list[bytes]] = {}


def _stand_in_pdf(job: object) -> bytes:
    """Stand-in for WeasyPrint in the warm-up: one of the real PDFs, chosen by the job's text."""
    html = str(getattr(job, "html", ""))  # a PdfJob or an SvgPagesPdfJob (the diagram's PDF)
    pool = _STAND_INS["pdf"]
    return pool[int(hashlib.sha256(html.encode()).hexdigest(), 16) % len(pool)]


def _warm_one(slug: str) -> str:
    from generator import build

    ctx, sops, cache = _WARM["ctx"], _WARM["sops"], _WARM["cache"]
    result = build.render_sop(ctx, sops[slug], cache)
    build.store_bundle(cache, _WARM["keys"][slug], result)
    return slug


_WARM: dict = {}


def _warm_cache(data: Path, templates: Path, cache_dir: Path, pdfs: Path, workers: int) -> dict:
    """Fill the cache for every SOP: real text and Graphviz, stand-in PDF bytes."""
    from generator import build, tools
    from generator.cache import Cache
    from generator.loader import load_project

    for path in sorted(pdfs.glob("*/*.pdf")):
        _STAND_INS.setdefault("pdf", []).append(path.read_bytes())
    real_run_job = tools.run_job
    tools.run_job = lambda job: (
        real_run_job(job) if isinstance(job, tools.DotJob) else _stand_in_pdf(job)
    )
    project = load_project(data, templates)
    shared = build.context_fingerprint(project, templates)
    _WARM.update(
        ctx=build.render_context(project, templates),
        sops={s.slug: s for s in project.sops},
        cache=Cache(cache_dir),
        keys={s.slug: build.sop_key(shared, s) for s in project.sops},
    )
    start = time.perf_counter()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        done = list(pool.map(_warm_one, sorted(_WARM["sops"]), chunksize=8))
    return {"wall": time.perf_counter() - start, "sops": len(done)}


def _timed(timings: dict[str, float], stage: str, fn: Callable, *args: object) -> object:
    start = time.perf_counter()
    value = fn(*args)
    timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start
    return value


def _stages(data: Path, templates: Path, sample: int) -> dict:
    """Seconds per stage on one core: load for all SOPs, the rest per SOP on a sample."""
    from generator import build, tools
    from generator.layout.diagram import layout_diagram
    from generator.loader import load_project
    from generator.render import page, sheet
    from generator.render.common import DotJob

    t: dict[str, float] = {}
    project = _timed(t, "load", load_project, data, templates)
    ctx = build.render_context(project, templates)
    picked = project.sops[:sample]
    files: dict[str, object] = {}
    fragments: dict[str, str] = {}
    for sop in picked:
        sctx = dataclasses.replace(ctx, sops=(sop,))
        _timed(t, "layout", sheet.sheet_layout, sctx, sop)
        _timed(t, "layout", layout_diagram, sop, ctx.office.name_on_sheet)
        outs = {}
        for stage, renderer in build.RENDERERS:
            outs.update(_timed(t, stage, renderer, sctx, sop))
        fragments[sop.slug] = _timed(t, "page fragment", sheet.sheet_fragment, sctx, sop)
        for name, out in outs.items():
            if not isinstance(out, bytes):
                stage = "Graphviz" if isinstance(out, DotJob) else "PDF"
                out = _timed(t, stage, tools.run_job, out)
            files[f"{sop.slug}/{name}"] = out
    pctx = dataclasses.replace(ctx, sops=tuple(picked))
    _timed(t, "pages", page.site_pages, pctx, files, fragments)
    return {"seconds": t, "sample": len(picked), "sops": len(project.sops)}


# --------------------------------------------------------------------------- the suite


def run_size(n: int, args: argparse.Namespace, src: Path, env: dict, raw: dict) -> dict:
    """Every measurement for N SOPs."""
    from synth import write_data

    base = args.work / f"n{n}"
    data = write_data(n, base / "data", seed=n)
    for slug in args.drop:  # SOPs a renderer refuses (a bug to fix, named in the report)
        (data / "sop" / f"{slug}.yaml").unlink(missing_ok=True)
    cache = base / "cache"
    proj = site_project(src, base / "site-proj", data, cache)
    bproj = baseline_project(src, base / "base-proj", data)
    mkdocs = [str(BIN / "mkdocs"), "build"]
    sop_build = [str(BIN / "sop"), "build", "--data", str(data), "--out", str(base / "out")]
    sop_build += ["--templates", str(src / "templates"), "--cache", str(cache)]
    out: dict = {"n": n, "sops": len(list((data / "sop").glob("*.yaml")))}
    say = lambda text: print(f"[N={n}] {text}", flush=True)  # noqa: E731

    say("baseline")
    out["baseline"] = median_runs([measure(mkdocs, bproj, env) for _ in range(args.runs)])
    if n <= args.cold_max:
        say("cold builds")
        colds, sop_colds, bares, against = [], [], [], []
        for run in range(args.cold_runs):
            for code in _cold_order(args, run):
                shutil.rmtree(cache, ignore_errors=True)
                if code == "against":  # the same project, the code of --against
                    against.append(measure(mkdocs, proj, args.against_env))
                    continue
                colds.append(measure(mkdocs, proj, env))
                if args.lean:  # the cold site build only; `sop build` then fills out/ from cache
                    measure(sop_build, ROOT, env)
                    continue
                shutil.rmtree(cache, ignore_errors=True)
                sop_colds.append(measure(sop_build, ROOT, env))
                bares.append(_bare_in_process(data, src, args.workers, env))
        out["cold"] = median_runs(colds)
        if against:
            out["cold_against"] = median_runs(against)
        if sop_colds:
            out["cold_sop"] = median_runs(sop_colds)
            out["bare"] = {
                "wall": statistics.median(b["wall"] for b in bares),
                "jobs": bares[0]["jobs"],
            }
        args.pdf_source = base / "out"
    else:
        say("warming the cache (stand-in PDFs)")
        shutil.rmtree(cache, ignore_errors=True)
        out["warm_up"] = _in_process(
            "warm", [data, src / "templates", cache, args.pdf_source, args.workers], env
        )
        measure(mkdocs, proj, env)  # lays out the site's sheet fragments once
        measure(sop_build, ROOT, env)
    say("baseline B: the same pages without the plugin")
    same = same_pages_project(src, base / "same-proj", data, cache, env)
    out["same_pages"] = median_runs([measure(mkdocs, same, env) for _ in range(args.runs)])
    say("no-change rebuilds")
    out["nochange"] = median_runs([measure(mkdocs, proj, env) for _ in range(args.runs)])
    out["nochange_sop"] = median_runs([measure(sop_build, ROOT, env) for _ in range(args.runs)])
    out["site_bytes"] = tree_bytes(proj / "site")
    out["site_sop_bytes"] = tree_bytes(proj / "site" / "sop")
    out["cache_bytes"] = tree_bytes(cache)
    say("one-edit rebuilds")
    edits = []
    for run in range(args.runs):
        edit_sop(data, run)
        edits.append(measure(mkdocs, proj, env))
    out["edit"] = median_runs(edits)
    counts = [LOG_LINE.search(r.stderr) for r in edits]
    out["edit_jobs"] = [int(m.group(2)) if m else -1 for m in counts]
    if n <= args.serve_max:
        say("edit to fresh page under mkdocs serve")
        out["serve_edit"] = statistics.median(
            serve_edit(proj, data, env, run) for run in range(args.runs)
        )
    if n <= args.quality_max:
        say("sheet quality")
        measure(sop_build, ROOT, env)  # out/ from the edited data
        out["quality"] = sheet_quality(base / "out", data, env)
    edited = sorted((proj / "site" / "sop").iterdir())[EDIT_INDEX - 1]
    out["jobs_per_edited_sop"] = sum(
        1 for p in edited.iterdir() if p.suffix in (".pdf", ".png", ".svg")
    )
    raw[str(n)] = {k: v for k, v in out.items()}
    return out


def _cold_order(args: argparse.Namespace, run: int) -> tuple[str, ...]:
    """Which code the cold builds of round `run` measure, in order: this code ("now") and,
    with --against, that commit's, alternating who goes first (a machine getting faster or
    slower favours neither) and this code last of all, so the cache then holds its files."""
    if not args.against:
        return ("now",)
    return ("against", "now") if (args.cold_runs - 1 - run) % 2 == 0 else ("now", "against")


def _in_process(mode: str, params: list, env: dict) -> dict:
    """Run one of this script's in-process modes in a fresh process; its JSON result."""
    cmd = [sys.executable, __file__, f"--{mode}", *map(str, params)]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"gagal: {' '.join(cmd)}\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _bare_in_process(data: Path, src: Path, workers: int, env: dict) -> dict:
    return _in_process("bare", [data, src / "templates", workers], env)


# --------------------------------------------------------------------------- report


def machine() -> str:
    """One line describing the machine and the tool versions."""
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    dot = subprocess.run(["dot", "-V"], capture_output=True, text=True).stderr.strip()
    from importlib import metadata

    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("weasyprint", "mkdocs", "mkdocs-material", "jinja2", "pydantic")
    )
    cores = len(os.sched_getaffinity(0))
    return (
        f"{cpu}, {cores} cores, {mem // 1024} GiB RAM; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}; {versions}; {dot}"
    )


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def _x(a: float | None, b: float | None) -> str:
    return "—" if a is None or not b else f"{a / b:.2f}x"


def _mib(value: float | None) -> str:
    return "—" if value is None else f"{value / MIB:.0f} MiB"


def report(results: list[dict], args: argparse.Namespace, stages: dict, started: str) -> str:
    """RESULTS.md: the tables, the machine, and what was measured how."""
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` (`benchmarks/run.py`) on {started}. Command: "
        f"`{' '.join(['benchmarks/run.py', *sys.argv[1:]])}`.",
        "",
        f"Machine: {machine()}. Load average at start: {args.load_at_start}. "
        "The machine was shared with other work while measuring, so absolute times are noisy.",
        "",
        f"Medians of {args.runs} runs (cold builds: {args.cold_runs} run(s), measured for "
        f"N <= {args.cold_max}); every build is a separate process; "
        f"{args.workers} worker processes. '—': not measured (see the notes)."
        + (f" Left out of the generated data: {', '.join(args.drop)}." if args.drop else ""),
        "",
        "## Times",
        "",
        "| N | baseline: plain mkdocs-material | baseline B: our pages, no plugin "
        "| cold `mkdocs build` | cold `sop build` "
        "| bare WeasyPrint + Graphviz | no-change `mkdocs build` | no-change `sop build` "
        "| one-edit `mkdocs build` |",
        "|" + "---|" * 9,
    ]
    for r in results:
        lines.append(
            f"| {r['n']} | {_s(r['baseline']['wall'])} | {_s(r['same_pages']['wall'])} "
            f"| {_s(_get(r, 'cold'))} "
            f"| {_s(_get(r, 'cold_sop'))} | {_s(_get(r, 'bare'))} "
            f"| {_s(r['nochange']['wall'])} | {_s(r['nochange_sop']['wall'])} "
            f"| {_s(r['edit']['wall'])} |"
        )
    lines += [
        "",
        "## Ratios, memory, size",
        "",
        "| N | cold / baseline | no-change / baseline | no-change / baseline B "
        "| one-edit / baseline "
        "| cold `sop build` / bare tools | cores used (cold `sop build`) "
        "| jobs re-run per edit (jobs of that SOP) | peak memory: tree (largest process) "
        "| site size per SOP (of it under sop/) |",
        "|" + "---|" * 10,
    ]
    for r in results:
        base = r["baseline"]["wall"]
        same = r["same_pages"]["wall"]
        cold_sop = r.get("cold_sop")
        cores = f"{cold_sop['cpu'] / cold_sop['wall']:.2f}" if cold_sop else "—"
        peaks = [r[k] for k in ("cold", "cold_sop", "nochange", "edit") if k in r]
        tree = max(p["peak_tree"] for p in peaks)
        single = max(p["peak_single"] for p in peaks)
        edit_jobs = ", ".join(str(j) for j in r["edit_jobs"])
        lines.append(
            f"| {r['n']} | {_x(_get(r, 'cold'), base)} | {_x(r['nochange']['wall'], base)} "
            f"| {_x(r['nochange']['wall'], same)} "
            f"| {_x(r['edit']['wall'], base)} | {_x(_get(r, 'cold_sop'), _get(r, 'bare'))} "
            f"| {cores} | {edit_jobs} ({r['jobs_per_edited_sop']}) "
            f"| {_mib(tree)} ({_mib(single)}) "
            f"| {r['site_bytes'] / r['sops'] / 1024:.0f} KiB "
            f"({r['site_sop_bytes'] / r['sops'] / 1024:.0f} KiB) |"
        )
    lines += ["", *extra_table(results)]
    lines += ["", *targets(results), "", *stage_table(stages, results), "", *notes(results, args)]
    return "\n".join(lines) + "\n"


def extra_table(results: list[dict]) -> list[str]:
    """Cold seconds per SOP, edit to fresh page under `mkdocs serve`, sheet quality."""
    lines = [
        "## Per SOP, live preview, sheet quality",
        "",
        "| N | cold `mkdocs build` per SOP (CPU) | the same, code of --against (CPU) "
        "| this / --against | edit to fresh page (`mkdocs serve`) "
        "| sheet quality (TOTAL of `sheet_quality.py` on the `sop build` output) |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        serve = _s(r.get("serve_edit"))
        q = r.get("quality") or {}
        quality = ", ".join(f"{k} {v}" for k, v in q.items()) if q else "—"
        now, then = _per_sop(r, "cold"), _per_sop(r, "cold_against")
        ratio = _x(_get(r, "cold"), _get(r, "cold_against"))
        lines.append(f"| {r['n']} | {now} | {then} | {ratio} | {serve} | {quality} |")
    return lines


def _per_sop(result: dict, key: str) -> str:
    """A build's wall seconds per SOP with its CPU seconds per SOP, or '—'."""
    if key not in result:
        return "—"
    n = result["sops"]
    return f"{result[key]['wall'] / n:.3f} s ({result[key]['cpu'] / n:.2f} s)"


def _get(result: dict, key: str) -> float | None:
    return result[key]["wall"] if key in result else None


def targets(results: list[dict]) -> list[str]:
    """The issue's targets against the largest N where each was measured."""
    rows = []
    big = results[-1]
    ratio = big["nochange"]["wall"] / big["baseline"]["wall"]
    rows.append(
        (f"no-change rebuild of N={big['n']} <= 1.3x baseline", f"{ratio:.2f}x", ratio <= 1.3)
    )
    ratio = big["nochange"]["wall"] / big["same_pages"]["wall"]
    name = f"same, against baseline B (our pages without the plugin), N={big['n']}"
    rows.append((name, f"{ratio:.2f}x", ratio <= 1.3))
    per = big["jobs_per_edited_sop"]
    ok = all(0 < j <= per for j in big["edit_jobs"])
    rows.append(
        ("one edit re-renders that SOP only", f"{big['edit_jobs']} jobs (SOP has {per})", ok)
    )
    colds = [r for r in results if "cold_sop" in r and "bare" in r]
    if colds:
        c = colds[-1]
        ratio = c["cold_sop"]["wall"] / c["bare"]["wall"]
        cores = c["cold_sop"]["cpu"] / c["cold_sop"]["wall"]
        rows.append((f"cold build of N={c['n']} <= 1.2x bare tools", f"{ratio:.2f}x", ratio <= 1.2))
        rows.append((f"cold build of N={c['n']} uses every core", f"{cores:.2f} cores", None))
    colds = [r for r in results if "cold" in r]
    if colds:
        c = colds[-1]
        per = c["cold"]["wall"] / c["sops"]
        rows.append((f"cold build of N={c['n']} <= 1.0 s per SOP", f"{per:.2f} s", per <= 1.0))
        if "cold_against" in c:
            name = f"cold build of N={c['n']}: this code / the code of --against, same runs"
            rows.append((name, _x(c["cold"]["wall"], c["cold_against"]["wall"]), None))
    serves = [r for r in results if "serve_edit" in r]
    if serves:
        r = serves[-1]
        ok = r["serve_edit"] <= 3.0
        rows.append((f"edit to fresh page at N={r['n']} <= 3 s", _s(r["serve_edit"]), ok))
    sizes = {r["n"]: r["site_bytes"] / r["sops"] for r in results}
    if 100 in sizes and 1000 in sizes:
        drift = sizes[1000] / sizes[100] - 1
        rows.append(
            ("site size per SOP at 1,000 within 10% of 100", f"{drift:+.1%}", abs(drift) <= 0.1)
        )
    kinds = ("nochange", "edit", "cold", "cold_sop")
    peak = max(max(r[k]["peak_tree"] for k in kinds if k in r) for r in results)
    rows.append(("peak memory < 1 GiB (process tree)", _mib(peak), peak < 1024 * MIB))
    lines = ["## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for name, value, met in rows:
        lines.append(f"| {name} | {value} | {'—' if met is None else ('yes' if met else 'NO')} |")
    return lines


def stage_table(stages: dict, results: list[dict]) -> list[str]:
    """Split of a cold build's time per stage, one core, scaled to each N."""
    sample = stages["sample"]
    sec = stages["seconds"]
    order = ["layout", "sheet", "PDF", "diagram", "Graphviz", "forms", "page fragment", "pages"]
    head = "| stage | ms per SOP (one core) |" + "".join(f" N={r['n']} |" for r in results)
    lines = [
        "## Time per stage",
        "",
        f"One core, in one process, on {sample} SOPs of a set of {stages['sops']} (load: all "
        f"{stages['sops']} SOPs); seconds scaled to each N (load: measured at that N). "
        "'sheet', 'diagram' and 'forms' are their renderers' text output; 'sheet' and "
        "'diagram' include their own layout call, which 'layout' also times alone. "
        "'page fragment' is the sheet embedded in the SOP page (cached by the site after "
        "the first build); 'pages' renders the Markdown pages given the fragments.",
        "",
        head,
        "|" + "---|" * (2 + len(results)),
    ]
    per_load = sec["load"] / stages["sops"]
    loads = "".join(f" {_s(r.get('load', per_load * r['n']))} |" for r in results)
    lines.append(f"| load | {per_load * 1000:.1f} |{loads}")
    for stage in order:
        per = sec.get(stage, 0.0) / sample
        lines.append(
            f"| {stage} | {per * 1000:.1f} |" + "".join(f" {_s(per * r['n'])} |" for r in results)
        )
    return lines


def notes(results: list[dict], args: argparse.Namespace) -> list[str]:
    """What was measured and what was not."""
    lines = ["## How to read this", ""]
    lines.append(
        "- Cold `sop build` / bare: the time of a cold `sop build` (load, render, cache "
        "writes, file writes, on every core) over the time of running the same WeasyPrint and "
        "Graphviz jobs on the same number of processes with nothing else. Cores used: CPU "
        "seconds of the build's process tree over its wall time."
    )
    lines.append(
        "- Baseline: a plain mkdocs-material site (same theme, extensions, search) of N "
        "Markdown pages with each SOP's metadata, lanes and steps table. Baseline B: the SOP "
        "site's own generated pages and files (the sheet embedded in each page, every "
        "document) written to docs/ and built by MkDocs without the plugin: what MkDocs "
        "itself costs for our pages; the no-change rebuild over it is our plugin's overhead."
    )
    lines.append(
        "- Peak memory: the largest sum of the resident sizes of the build's process tree "
        "(sampled every 50 ms) over the cold, no-change and one-edit builds; in brackets the "
        "largest single process."
    )
    lines.append(
        "- Jobs re-run after edit: per run, the WeasyPrint/Graphviz jobs the plugin reported "
        "as rendered after changing one step of one SOP; in brackets the jobs that SOP has."
    )
    if args.against:
        lines.append(
            f"- --against {args.against}: that commit's generator/ and templates/ built the "
            "same project cold in the same runs, its builds alternating with this code's (who "
            "goes first alternates; this code's build comes last). On a machine shared with "
            "other work, the ratio of the two medians says more than either figure alone."
        )
    warm = [r["n"] for r in results if "warm_up" in r]
    if warm:
        lines.append(
            f"- N = {', '.join(map(str, warm))}: no cold build was run (it takes hours of "
            "WeasyPrint on this machine). The cache was warmed with real text rendering and "
            "real Graphviz but stand-in PDF bytes (real PDFs of the same kind from the largest "
            "cold-built N), so the no-change and one-edit rebuilds, the memory and the site "
            "size are measured on realistic bytes; the one-edit rebuild runs the real "
            "WeasyPrint for the edited SOP."
        )
    return lines


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cold-runs", type=int, default=None)
    parser.add_argument("--cold-max", type=int, default=1000)
    parser.add_argument("--stage-sample", type=int, default=10)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=RESULTS_MD, help="the Markdown report")
    parser.add_argument("--drop", default="", help="comma-separated generated SOPs to leave out")
    parser.add_argument(
        "--lean", action="store_true", help="cold: only `mkdocs build` (no `sop build`, no bare)"
    )
    parser.add_argument("--serve-max", type=int, default=100, help="edit-to-page up to this N")
    parser.add_argument("--quality-max", type=int, default=10, help="sheet quality up to this N")
    parser.add_argument(
        "--against",
        default=None,
        help="a commit whose cold build is measured in the same runs, alternating (a ratio)",
    )
    parser.add_argument("--bare", nargs=3)
    parser.add_argument("--warm", nargs=5)
    parser.add_argument("--stages", nargs=3)
    parser.add_argument("--dump", nargs=4)
    args = parser.parse_args()
    if args.bare:
        print(json.dumps(_bare_tools(Path(args.bare[0]), Path(args.bare[1]), int(args.bare[2]))))
        return
    if args.warm:
        d, t, c, p, w = args.warm
        print(json.dumps(_warm_cache(Path(d), Path(t), Path(c), Path(p), int(w))))
        return
    if args.dump:
        print(json.dumps(_dump_site(*map(Path, args.dump))))
        return
    if args.stages:
        print(json.dumps(_stages(Path(args.stages[0]), Path(args.stages[1]), int(args.stages[2]))))
        return
    run_suite(args)


def run_suite(args: argparse.Namespace) -> None:
    """Measure every size, then write RESULTS.md and the raw figures."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    args.cold_runs = args.cold_runs or args.runs
    args.drop = [slug for slug in args.drop.split(",") if slug]
    args.load_at_start = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    args.work = args.work or Path(tempfile.mkdtemp(prefix="sop-bench-"))
    args.pdf_source = None
    src = snapshot(args.work)
    env = bench_env(src)
    if args.against:
        args.against_env = bench_env(commit_snapshot(args.work, args.against))
    from synth import write_data

    sizes = sorted(int(s) for s in args.sizes.split(","))
    if sizes[0] > args.cold_max:
        raise SystemExit("--cold-max harus >= ukuran terkecil (PDF pengganti diambil darinya)")
    print("[stages]", flush=True)
    sample = write_data(sizes[-1], args.work / "stages-data", seed=sizes[-1])
    stages = _in_process("stages", [sample, src / "templates", args.stage_sample], env)
    raw: dict = {"stages": stages}
    results = []
    RAW_DIR.mkdir(exist_ok=True)
    for n in sizes:
        results.append(run_size(n, args, src, env, raw))
        load = _in_process("stages", [args.work / f"n{n}" / "data", src / "templates", 0], env)
        results[-1]["load"] = load["seconds"]["load"]
        args.out.write_text(report(results, args, stages, started), "utf-8")
        (RAW_DIR / "raw.json").write_text(json.dumps(raw, indent=1, default=str), "utf-8")
    print(args.out.read_text("utf-8"))
    print(f"Folder kerja: {args.work}")


if __name__ == "__main__":
    main()
