"""The pipeline: load, render every SOP, run expensive jobs through the cache, write atomically.

`sop build` (cli) and `mkdocs build` (mkdocs_plugin) are thin adapters over this module.
Reading happens in `loader`, writing only in `write_tree`; everything between is pure.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from generator import tools
from generator.cache import Cache, cache_key
from generator.loader import Project, load_project
from generator.model import Sop
from generator.render import diagram, forms, sheet
from generator.render.common import Job, Outputs, RenderContext, make_env

Renderer = Callable[[RenderContext, Sop], Outputs]

# Every per-SOP renderer, in the order their files are listed.
RENDERERS: tuple[tuple[str, Renderer], ...] = (
    ("sheet", sheet.outputs),
    ("diagram", diagram.outputs),
    ("forms", forms.outputs),
)

DEFAULT_CACHE = Path(".sop-cache")


@dataclass
class BuildResult:
    """What a build produced: files by relative path, plus figures for reports."""

    project: Project
    files: dict[str, bytes]
    timings: dict[str, float] = field(default_factory=dict)
    jobs_run: int = 0
    cache_hits: int = 0


def render_context(project: Project, templates_dir: Path) -> RenderContext:
    """The context every renderer receives."""
    return RenderContext(
        office=project.office,
        sops=project.sops,
        env=make_env(templates_dir),
        logo=project.logo,
        logo_name=project.office.logo,
    )


def render_outputs(ctx: RenderContext, timings: dict[str, float]) -> dict[str, bytes | Job]:
    """Every SOP's outputs (bytes or pending jobs) keyed by 'slug/file'."""
    outputs: dict[str, bytes | Job] = {}
    for sop in ctx.sops:
        for stage, renderer in RENDERERS:
            start = time.perf_counter()
            for name, out in renderer(ctx, sop).items():
                outputs[f"{sop.slug}/{name}"] = out
            timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start
    return outputs


def run_jobs(
    jobs: dict[str, Job], cache: Cache | None, workers: int | None = None
) -> tuple[dict[str, bytes], int]:
    """Run jobs (deduplicated by content) through the cache; return bytes by path and hits."""
    by_key: dict[str, Job] = {}
    path_key: dict[str, str] = {}
    for path, job in jobs.items():
        key = cache_key(tools.job_key_parts(job))
        by_key.setdefault(key, job)
        path_key[path] = key
    done: dict[str, bytes] = {}
    for key in by_key:
        hit = cache.get(key) if cache else None
        if hit is not None:
            done[key] = hit
    hits = len(done)
    missing = [k for k in by_key if k not in done]
    workers = workers or os.cpu_count() or 1
    if len(missing) > 1 and workers > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(missing))) as pool:
            results = pool.map(tools.run_job, [by_key[k] for k in missing])
            done.update(zip(missing, results, strict=True))
    else:
        done.update((k, tools.run_job(by_key[k])) for k in missing)
    if cache:
        for key in missing:
            cache.put(key, done[key])
    return {path: done[key] for path, key in path_key.items()}, hits


def render_project(
    project: Project, templates_dir: Path, cache_dir: Path | None = DEFAULT_CACHE
) -> BuildResult:
    """Render every artifact of every SOP, in memory."""
    timings: dict[str, float] = {}
    ctx = render_context(project, templates_dir)
    outputs = render_outputs(ctx, timings)
    jobs = {p: o for p, o in outputs.items() if not isinstance(o, bytes)}
    start = time.perf_counter()
    cache = Cache(cache_dir) if cache_dir else None
    finished, hits = run_jobs(jobs, cache)
    timings["tools"] = time.perf_counter() - start
    files = {p: o if isinstance(o, bytes) else finished[p] for p, o in outputs.items()}
    return BuildResult(project, files, timings, len(jobs) - hits, hits)


def write_tree(files: dict[str, bytes], out_dir: Path) -> None:
    """Write files under out_dir atomically: stage beside it, then switch folders."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.baru-", dir=out_dir.parent))
    try:
        for rel, data in sorted(files.items()):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        old = out_dir.parent / f".{out_dir.name}.lama"
        if old.exists():
            shutil.rmtree(old)
        if out_dir.exists():
            out_dir.rename(old)
        staging.rename(out_dir)
        if old.exists():
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def build(
    data_dir: Path,
    out_dir: Path,
    templates_dir: Path,
    cache_dir: Path | None = DEFAULT_CACHE,
) -> BuildResult:
    """Load the data folder, render everything and write it under out_dir."""
    start = time.perf_counter()
    project = load_project(data_dir, templates_dir)
    load_time = time.perf_counter() - start
    result = render_project(project, templates_dir, cache_dir)
    result.timings["load"] = load_time
    start = time.perf_counter()
    write_tree(result.files, out_dir)
    result.timings["write"] = time.perf_counter() - start
    return result
