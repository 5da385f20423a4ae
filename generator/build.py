"""The pipeline: load, render every SOP, run expensive jobs through the cache, write atomically.

`sop build` (cli) and `mkdocs build`/`mkdocs serve` (mkdocs_plugin via site) are thin adapters
over this module and share one cache folder. Reading happens in `loader`, writing only in
`write_tree`; everything between is pure.

Two cache levels, both content-addressed (`cache.Cache`):

- a job (`PdfJob`, `DotJob`, `SvgPagesPdfJob`) is keyed by the tool's version and its full
  input text;
- a whole SOP is keyed by everything its renderers can see: the SOP record, the office and
  its logo, the content of every template file, the generator's own source and the tool
  versions. Its entry is a small manifest naming the blobs of its files, so a no-change
  rebuild renders nothing and an edit to one SOP renders that SOP only.

Per-SOP renderers receive a context whose `sops` holds only their own SOP: what they may
depend on is exactly what the SOP key covers. SOPs missing from the cache are rendered in
worker processes (text, then their jobs, then the bytes come back), one task per SOP.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import gc
import hashlib
import json
import multiprocessing
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from itertools import chain
from multiprocessing import forkserver
from pathlib import Path

from generator import outdir, tools
from generator.cache import (
    Cache,
    CachedBytes,
    DamagedEntryError,
    as_bytes,
    cache_key,
)
from generator.errors import Problem, UserError, storage_error
from generator.identity import code_fingerprint, templates_fingerprint
from generator.loader import Project, load_project, related_key, related_keys
from generator.model import Sop
from generator.render import diagram, forms, sheet
from generator.render.common import (
    DotJob,
    Job,
    Outputs,
    RenderContext,
    SvgPagesPdfJob,
    make_env,
)

Renderer = Callable[[RenderContext, Sop], Outputs]
Progress = Callable[[int, int], None]

# Every per-SOP renderer, in the order their files are listed.
RENDERERS: tuple[tuple[str, Renderer], ...] = (
    ("sheet", sheet.outputs),
    ("diagram", diagram.outputs),
    ("forms", forms.outputs),
)

DEFAULT_CACHE = Path(".sop-cache")
BUNDLE_FORMAT = "sop-bundle-1"  # bump when the manifest layout changes
CACHE_MAX_AGE_DAYS = 30.0  # entries no build used for this long are removed


class Artifacts(Mapping[str, bytes]):
    """A build's files by relative path: bytes in memory (rendered now) or cache entries by
    reference (`CachedBytes`, found in the cache), read only when a file is asked for, so a
    build of many SOPs never holds every document at once. `entries` gives them unread."""

    def __init__(self, entries: Mapping[str, bytes | CachedBytes] | None = None):
        self.entries: dict[str, bytes | CachedBytes] = dict(entries or {})

    def __getitem__(self, path: str) -> bytes:
        return as_bytes(self.entries[path])

    def __contains__(self, path: object) -> bool:
        return path in self.entries  # without reading the file (Mapping's would)

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


@dataclass
class BuildResult:
    """What a build produced: files by relative path, plus figures for reports.

    `timings` holds seconds per stage: 'load', 'cache' (looking SOPs up), 'render' (wall time
    of rendering the missing SOPs), 'write'; and, summed over the SOPs rendered (so over all
    workers), 'sheet', 'diagram', 'forms' (text) and 'pdf', 'dot' (tools).
    """

    project: Project
    files: Artifacts
    timings: dict[str, float] = field(default_factory=dict)
    jobs_run: int = 0
    # internal outputs ('slug/.name', e.g. the sheet fragment the site embeds): cached with
    # the SOP's files, never written
    internal: dict[str, bytes] = field(default_factory=dict)
    # with `defer_pdfs`: the PDF jobs not in the cache yet ('slug/name'), their files absent
    pending: dict[str, Job] = field(default_factory=dict)
    cache_hits: int = 0
    sops_rendered: tuple[str, ...] = ()
    sops_cached: int = 0


@dataclass
class SopResult:
    """One SOP rendered (in a worker or here): its files, or the user error it raised."""

    slug: str
    files: dict[str, bytes | CachedBytes] = field(default_factory=dict)
    jobs: frozenset[str] = frozenset()
    job_keys: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    jobs_run: int = 0
    cache_hits: int = 0
    problems: tuple[Problem, ...] = ()
    pending: dict[str, Job] = field(default_factory=dict)  # PDF jobs left for later


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
    """Every SOP's outputs (bytes or pending jobs) keyed by 'slug/file', in this process."""
    outputs: dict[str, bytes | Job] = {}
    for sop in ctx.sops:
        for name, out in _sop_outputs(_sop_context(ctx, sop), sop, timings).items():
            outputs[f"{sop.slug}/{name}"] = out
    return outputs


def _sop_context(ctx: RenderContext, sop: Sop) -> RenderContext:
    """The context a per-SOP renderer sees: the office, this SOP and the SOPs its keterkaitan
    names (see module doc; the SOP key covers their nama and nomor)."""
    return dataclasses.replace(ctx, sops=(sop, *related_of(ctx.sops, sop)))


def _sop_outputs(ctx: RenderContext, sop: Sop, timings: dict[str, float]) -> Outputs:
    """One SOP's outputs from every renderer, timing each stage."""
    outputs: Outputs = {}
    for stage, renderer in RENDERERS:
        start = time.perf_counter()
        outputs.update(renderer(ctx, sop))
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start
    return outputs


# --------------------------------------------------------------------------- cache keys


def context_fingerprint(project: Project, templates_dir: Path) -> str:
    """What every SOP of the project shares: code, tools, templates, office and logo."""
    logo = hashlib.sha256(project.logo or b"").hexdigest()
    return cache_key(
        [
            code_fingerprint(),
            templates_fingerprint(templates_dir),
            project.office.model_dump_json(),
            project.office.logo,
            logo,
        ]
    )


def related_of(sops: Sequence[Sop], sop: Sop) -> tuple[Sop, ...]:
    """The other SOPs that `sop`'s keterkaitan items name (the sheet prints their nama and
    nomor), in project order. Looked up by name (`loader.related_keys`), not by trying every
    SOP: a project of N SOPs finds all its links in O(N)."""
    items = sop.related if isinstance(sop.related, list) else list(chain(*sop.related.values()))
    lookup = _related_lookup(sops)
    keys = [key for key in map(related_key, items) if key]
    found = {position: other for key in keys for position, other in lookup.get(key, ())}
    return tuple(other for _, other in sorted(found.items()) if other.slug != sop.slug)


# The last lookup made, with the very sequence of SOPs it was made from (compared by identity:
# a project's SOPs are one tuple, asked about once per SOP).
_LOOKUP: list[tuple[Sequence[Sop], dict[str, tuple[tuple[int, Sop], ...]]]] = []


def _related_lookup(sops: Sequence[Sop]) -> dict[str, tuple[tuple[int, Sop], ...]]:
    """Each key an item may name (`related_keys`) -> the SOPs it names with their position in
    the project."""
    if _LOOKUP and _LOOKUP[0][0] is sops and isinstance(sops, tuple):
        return _LOOKUP[0][1]
    lookup: dict[str, list[tuple[int, Sop]]] = {}
    for position, other in enumerate(sops):
        for key in dict.fromkeys(related_keys(other)):
            lookup.setdefault(key, []).append((position, other))
    made = {key: tuple(found) for key, found in lookup.items()}
    _LOOKUP[:] = [(sops, made)]
    return made


def sop_key(shared: str, sop: Sop, related: Iterable[Sop] = ()) -> str:
    """The cache key of one SOP's whole output (with the nama and nomor of the SOPs its
    keterkaitan names)."""
    names = [f"{o.slug}\n{o.name}\n{o.number}" for o in related]
    return cache_key([BUNDLE_FORMAT, shared, sop.slug, sop.model_dump_json(), *names])


def job_key(job: Job) -> str:
    """The cache key of one tool job."""
    return cache_key(tools.job_key_parts(job))


def blob_key(data: bytes) -> str:
    """The cache key of finished bytes (a rendered HTML file): their own digest."""
    return cache_key(["blob", hashlib.sha256(data).hexdigest()])


# --------------------------------------------------------------------------- bundles


def load_bundle(cache: Cache, key: str) -> SopResult | None:
    """One SOP's files from the cache, or None when the manifest or any blob is missing or
    damaged (reported in one line naming the entry, then rendered again, never served)."""
    raw = cache.get(key)
    if raw is None:
        return None
    try:
        manifest = json.loads(raw)
        names = {str(name): str(blob) for name, blob in manifest["files"].items()}
        jobs = frozenset(str(job) for job in manifest["jobs"])
        slug = str(manifest["slug"])
    except (ValueError, KeyError, TypeError, AttributeError):
        cache.discard(key, "daftar isi SOP tidak terbaca")
        return None
    files: dict[str, bytes | CachedBytes] = {}
    for name, blob in names.items():
        present = cache.path(blob).exists()
        # a damaged blob is reported (and removed) by the cache; documents are verified in
        # chunks and stay on disk, handed on by reference
        data = cache.get(blob) if is_internal(name) else cache.peek(blob)
        if data is None:
            if not present:
                cache.on_damaged(cache.path(blob), f"hilang; {name} dibuat ulang")
            return None
        files[name] = data
    return SopResult(slug, files, jobs, cache_hits=len(jobs))


def store_bundle(cache: Cache, key: str, result: SopResult) -> None:
    """Store a rendered SOP: its text files as blobs (jobs are stored already), then its
    manifest, last, so a manifest never names a missing blob."""
    names: dict[str, str] = {}
    for name, data in sorted(result.files.items()):
        if name in result.job_keys:
            names[name] = result.job_keys[name]
        else:
            content = as_bytes(data)
            names[name] = blob_key(content)
            cache.put(names[name], content)
    manifest = {"slug": result.slug, "files": names, "jobs": sorted(result.jobs)}
    cache.put(key, json.dumps(manifest, sort_keys=True).encode("utf-8"))


# --------------------------------------------------------------------------- rendering


def render_sop(
    ctx: RenderContext, sop: Sop, cache: Cache | None, defer_pdfs: bool = False
) -> SopResult:
    """Render one SOP completely (text, then its jobs through the job cache), in this process.

    With `defer_pdfs` (live preview), a PDF job missing from the cache is not run but left in
    `pending` (its file absent); Graphviz jobs always run. A user error (a template mistake,
    a tool refusing its input) comes back as `problems`, so it crosses a process boundary
    intact.
    """
    result = SopResult(sop.slug)
    try:
        outputs = _sop_outputs(_sop_context(ctx, sop), sop, result.timings)
        for name, out in outputs.items():
            if isinstance(out, bytes):
                result.files[name] = out
                continue
            result.job_keys[name] = job_key(out)
            found = cache.get(result.job_keys[name]) if cache and defer_pdfs else None
            if found is not None:
                result.files[name] = found
                result.cache_hits += 1
            elif defer_pdfs and not isinstance(out, DotJob):
                result.pending[name] = out
            else:
                result.files[name] = _run_cached(out, cache, result)
        result.jobs = frozenset(result.job_keys)
    except UserError as exc:
        result.problems = exc.problems
    return result


def _run_cached(job: Job, cache: Cache | None, result: SopResult) -> bytes:
    """A job's bytes from the cache, or from the tool (then stored)."""
    key = job_key(job)
    data = cache.get(key) if cache else None
    if data is not None:
        result.cache_hits += 1
        return data
    stage = "dot" if isinstance(job, DotJob) else "pdf"
    start = time.perf_counter()
    if isinstance(job, SvgPagesPdfJob) and cache:  # its SVG is the site's, made just before
        data = tools.run_svg_pages(job, cache.get(job_key(job.svg)))
    else:
        data = tools.run_job(job)
    result.timings[stage] = result.timings.get(stage, 0.0) + time.perf_counter() - start
    result.jobs_run += 1
    if cache:
        cache.put(key, data)
    return data


_WORKER: dict[str, object] = {}
WORKER_GC_THRESHOLD = 50_000  # allocations between young collections in a render worker
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent_pid: int) -> None:
    """Make this worker process end when the build process `parent_pid` dies, so a kill -9
    of `sop build` or `mkdocs build` never leaves workers blocked forever (a worker holds both
    ends of its task queue, so it never sees end-of-file; and while workers live, the
    forkserver and the resource tracker wait for them).

    A watchdog thread waits on the build process itself (a pidfd, readable when it ends; else
    polling its pid twice a second) and kills this worker at once; the forkserver and the
    resource tracker then end by themselves. The Linux parent-death signal (prctl
    PR_SET_PDEATHSIG, SIGKILL) also ends the worker should its forkserver die first.
    Tested in tests/test_kill.py: no process of the build's session is left 5 s after the kill.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()


def _watch_parent(pid: int) -> None:
    """Kill this process with SIGKILL as soon as process `pid` has ended."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        handle = -1
    except (OSError, AttributeError):
        handle = None
    if handle is not None:
        if handle >= 0:
            select.select([handle], [], [])
        os.kill(os.getpid(), signal.SIGKILL)
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            os.kill(os.getpid(), signal.SIGKILL)
        except PermissionError:
            pass
        time.sleep(0.5)


def fewer_collections() -> None:
    """Let a render worker's cyclic garbage collector run less often (CPython `gc` docs:
    `set_threshold`, `freeze`). WeasyPrint allocates millions of short-lived objects, nearly
    all freed by reference counting; at CPython's default threshold (700 allocations) the
    collector runs thousands of times per document and scans the worker's long-lived objects
    each time. `freeze` puts what the worker holds now out of its sight, and a young
    collection waits for `WORKER_GC_THRESHOLD` allocations: 10-12 % less CPU for an SOP's
    PDFs (benchmarks/RESULTS.md), the same bytes. WeasyPrint's boxes point to their parents
    (cycles), so a worker also collects fully after each task (`run_job_collected`,
    `_worker_render`): its memory stays within 5 % of a default worker's (12 SOPs in a
    row: 153 MiB against 148 MiB)."""
    gc.freeze()
    gc.set_threshold(WORKER_GC_THRESHOLD, 10, 10)


@contextlib.contextmanager
def collecting_less() -> Iterator[None]:
    """This process's young collections wait for `WORKER_GC_THRESHOLD` allocations while
    it renders (one edited SOP, in the build process: `fewer_collections`, without the
    freeze, which would last); CPython's thresholds come back after."""
    before = gc.get_threshold()
    gc.set_threshold(WORKER_GC_THRESHOLD, 10, 10)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def run_job_collected(job: Job) -> bytes:
    """A task of a `run_jobs` worker: one job, then a full garbage collection (see
    `fewer_collections`)."""
    try:
        return tools.run_job(job)
    finally:
        gc.collect()


def job_worker(parent_pid: int) -> None:
    """Set up a worker of `run_jobs`: it dies with the build process, collects less and
    shares one font configuration among its PDFs (`tools.share_fonts`)."""
    die_with_parent(parent_pid)
    fewer_collections()
    tools.share_fonts()


def _init_worker(
    project: Project, templates_dir: Path, cache_dir: Path | None, parent_pid: int
) -> None:
    """Set up a worker process: its own Jinja environment and cache handle; it dies with
    the build process, collects less and shares one font configuration among its PDFs
    (`tools.share_fonts`)."""
    die_with_parent(parent_pid)
    ctx = render_context(project, templates_dir)
    _WORKER["ctx"] = ctx  # every SOP: a sheet prints the nama of the SOPs it names
    _WORKER["sops"] = {sop.slug: sop for sop in project.sops}
    _WORKER["cache"] = Cache(cache_dir) if cache_dir else None
    fewer_collections()
    tools.share_fonts()


def _worker_render(slug: str, defer_pdfs: bool = False) -> SopResult:
    """A worker's task: render the SOP named `slug`, then collect garbage (see
    `fewer_collections`)."""
    sops = _WORKER["sops"]
    assert isinstance(sops, dict)
    cache = _WORKER["cache"]
    try:
        return render_sop(_WORKER["ctx"], sops[slug], cache, defer_pdfs)  # type: ignore[arg-type]
    finally:
        gc.collect()


def start_forkserver() -> None:
    """Start the forkserver the render workers fork from, now, with `generator.preload`
    imported in it (the renderers and WeasyPrint, ~0.6 s): a worker then starts with them in
    place. Called before the data is loaded, so these imports run beside the loading on
    another core (`multiprocessing.set_forkserver_preload`, Python docs). Does nothing once
    the forkserver runs."""
    multiprocessing.get_context("forkserver").set_forkserver_preload(["generator.preload"])
    forkserver.ensure_running()


def default_workers() -> int:
    """Worker processes to use: every core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _render_missing(
    project: Project,
    templates_dir: Path,
    cache_dir: Path | None,
    missing: list[Sop],
    workers: int,
    defer_pdfs: bool = False,
) -> Iterator[SopResult]:
    """Render the SOPs missing from the cache, in worker processes when more than one."""
    if len(missing) < 2 or workers < 2:
        ctx = render_context(project, templates_dir)
        cache = Cache(cache_dir) if cache_dir else None
        with collecting_less():
            for sop in missing:
                with tools.fonts_shared():  # not across the yield: the caller's code runs there
                    result = render_sop(ctx, sop, cache, defer_pdfs)
                gc.collect()  # WeasyPrint's cycles, as a worker does after each SOP
                yield result
        return
    absolute = Path(cache_dir).resolve() if cache_dir else None
    with ProcessPoolExecutor(
        max_workers=min(workers, len(missing)),
        mp_context=multiprocessing.get_context("forkserver"),
        initializer=_init_worker,
        initargs=(project, Path(templates_dir).resolve(), absolute, os.getpid()),
    ) as pool:
        # the longest SOPs first, so no worker starts a long one while the others finish
        largest_first = sorted(missing, key=lambda sop: -len(sop.steps))
        pending = {pool.submit(_worker_render, sop.slug, defer_pdfs) for sop in largest_first}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        finally:
            for future in pending:
                future.cancel()


def render_project(
    project: Project,
    templates_dir: Path,
    cache_dir: Path | None = DEFAULT_CACHE,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    defer_pdfs: bool = False,
) -> BuildResult:
    """Render every artifact of every SOP, in memory; SOPs found in the cache are not rendered.

    `workers` bounds the worker processes (default: every core); `progress(done, total)` is
    called as SOPs finish. A user error in any SOP stops the build with every problem found.
    `defer_pdfs` (live preview): PDFs missing from the cache are left in `pending`, absent
    from `files`; an SOP with pending PDFs is not stored as a whole (its jobs are, once run).
    """
    timings: dict[str, float] = {}
    total = len(project.sops)
    start = time.perf_counter()
    cache = Cache(cache_dir) if cache_dir else None
    shared = context_fingerprint(project, templates_dir)
    keys = {sop.slug: sop_key(shared, sop, related_of(project.sops, sop)) for sop in project.sops}
    by_slug: dict[str, SopResult] = {}
    for sop in project.sops:
        found = load_bundle(cache, keys[sop.slug]) if cache else None
        if found is not None:
            by_slug[sop.slug] = found
    if cache:
        cache.save_verified()
    timings["cache"] = time.perf_counter() - start
    if progress:
        progress(len(by_slug), total)
    start = time.perf_counter()
    missing = [sop for sop in project.sops if sop.slug not in by_slug]
    problems: list[Problem] = []
    rendered: list[str] = []
    finished = len(by_slug)
    pending: dict[str, Job] = {}
    for result in _render_missing(
        project, templates_dir, cache_dir, missing, workers or default_workers(), defer_pdfs
    ):
        problems.extend(result.problems)
        if not result.problems:
            by_slug[result.slug] = result
            rendered.append(result.slug)
            pending.update((f"{result.slug}/{n}", job) for n, job in result.pending.items())
            if cache and not result.pending:
                store_bundle(cache, keys[result.slug], result)
        for stage, seconds in result.timings.items():
            timings[stage] = timings.get(stage, 0.0) + seconds
        finished += 1
        if progress:
            progress(finished, total)
    timings["render"] = time.perf_counter() - start
    if problems:
        raise UserError(sorted(set(problems)))
    if cache:
        cache.clean_if_due(CACHE_MAX_AGE_DAYS)
    files: dict[str, bytes | CachedBytes] = {}
    internal: dict[str, bytes] = {}
    for sop in project.sops:  # project order, whatever order workers finished in
        for name, data in by_slug[sop.slug].files.items():
            if is_internal(name):
                internal[f"{sop.slug}/{name}"] = as_bytes(data)
            else:
                files[f"{sop.slug}/{name}"] = data
    return BuildResult(
        project,
        Artifacts(files),
        timings,
        internal=internal,
        pending=pending,
        jobs_run=sum(by_slug[slug].jobs_run for slug in rendered),
        cache_hits=sum(r.cache_hits for r in by_slug.values()),
        sops_rendered=tuple(sorted(rendered)),
        sops_cached=total - len(rendered),
    )


def is_internal(name: str) -> bool:
    """True for a renderer's internal output (its name starts with '.'): cached, never written."""
    return name.startswith(".")


BACKGROUND_NICE = 10  # nice(2) increment of background workers: a foreground build goes first


def background_worker(parent_pid: int) -> None:
    """A worker of a background run (`run_jobs(background=True)`): ends with the build
    process (`die_with_parent`), yields the CPU to it (nice +BACKGROUND_NICE) and collects
    less (`fewer_collections`)."""
    job_worker(parent_pid)
    with contextlib.suppress(OSError):
        os.nice(BACKGROUND_NICE)


def run_jobs(
    jobs: dict[str, Job],
    cache: Cache | None,
    workers: int | None = None,
    background: bool = False,
) -> tuple[dict[str, bytes], int]:
    """Run loose jobs (deduplicated by content) through the cache; return bytes by path and
    the number of cache hits. Used for jobs outside any SOP. `background` (live preview's
    PDFs): every job runs in a worker process of lower priority, never in this process, so
    a rebuild running meanwhile keeps the CPU and this process's interpreter."""
    by_key = {job_key(job): job for job in jobs.values()}
    done: dict[str, bytes] = {}
    for key in by_key:
        hit = cache.get(key) if cache else None
        if hit is not None:
            done[key] = hit
    hits = len(done)
    missing = [k for k in by_key if k not in done]
    workers = workers or default_workers()
    if missing and (background or (len(missing) > 1 and workers > 1)):
        with ProcessPoolExecutor(
            max_workers=min(workers, len(missing)),
            mp_context=multiprocessing.get_context("forkserver"),  # safe from any thread
            initializer=background_worker if background else job_worker,
            initargs=(os.getpid(),),
        ) as pool:
            results = pool.map(run_job_collected, [by_key[k] for k in missing])
            done.update(zip(missing, results, strict=True))
    else:
        done.update((k, tools.run_job(by_key[k])) for k in missing)
    if cache:
        for key in missing:
            cache.put(key, done[key])
    return {path: done[job_key(job)] for path, job in jobs.items()}, hits


BUILD_KIND = "sop build"
OUT_HINT = "pilih folder kosong atau folder baru untuk --out, mis. --out keluaran"


def write_tree(
    files: dict[str, bytes],
    out_dir: Path,
    protected: dict[str, Path | None] | None = None,
    extra: dict[str, object] | None = None,
) -> None:
    """Write files under out_dir atomically (see `outdir`): refused unless the folder is
    absent, empty or an earlier build's; staged beside it, marker last, switched in one step.

    Raises UserError (refused folder, another build running) or OSError (disk).
    """
    staged = outdir.Staged.begin(Path(out_dir), protected or {}, OUT_HINT)
    try:
        digests = outdir.write_files(staged.staging, files)
    except BaseException:
        staged.abort()
        raise
    staged.commit(BUILD_KIND, extra or {}, digests)


def build(
    data_dir: Path,
    out_dir: Path,
    templates_dir: Path,
    cache_dir: Path | None = DEFAULT_CACHE,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Load the data folder, render everything and write it under out_dir (see `write_tree`).

    Raises UserError: bad data, a refused output folder (both reported at once), another
    build writing out_dir, or a disk that cannot take the files."""
    start = time.perf_counter()
    protected = outdir.protected_folders(data_dir, templates_dir, cache_dir)
    refused = outdir.check_folder(Path(out_dir), protected, OUT_HINT)
    start_forkserver()
    try:
        project = load_project(data_dir, templates_dir, cache_dir)
    except UserError as exc:
        raise UserError(sorted({*exc.problems, *refused})) from None
    if refused:
        raise UserError(refused)
    load_time = time.perf_counter() - start
    result = render_project(project, templates_dir, cache_dir, workers=workers, progress=progress)
    result.timings["load"] = load_time
    start = time.perf_counter()
    try:
        try:
            write_tree(result.files, out_dir, protected)
        except DamagedEntryError:  # changed since looked up: reported, removed; render again
            result = render_project(project, templates_dir, cache_dir, workers=workers)
            result.timings["load"] = load_time
            write_tree(result.files, out_dir, protected)
    except OSError as exc:  # full or read-only disk: the staging folder is already removed
        raise storage_error(
            exc, str(out_dir), "hasil tidak dapat ditulis", "folder keluaran lama tidak berubah"
        ) from None
    result.timings["write"] = time.perf_counter() - start
    return result
