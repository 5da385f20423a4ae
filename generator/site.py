"""The site build: every file the SOP site adds to MkDocs, as a mapping of site path -> bytes.

Runs the same `build.render_project` as `sop build` (so artifacts go through the same cache),
then the page renderer, then adds the local fonts. Knows nothing of MkDocs: the plugin in
`mkdocs_plugin` only hands these files over, so a move away from MkDocs costs one module.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import os
import re
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path, PurePosixPath

from generator import build, checklist, fonts, outdir
from generator.build import BuildResult
from generator.cache import (
    Cache,
    CachedBytes,
    DamagedEntryError,
    Verified,
    as_bytes,
    cache_key,
    refresh_time,
    report_damaged,
    write_replacing,
)
from generator.errors import Problem, UserError, storage_error
from generator.loader import SOP_DIR, Project, load_project
from generator.model import Sop
from generator.render import cycles, page, sheet
from generator.render.common import PdfJob, RenderContext

# Liberation Sans (Arial's metrics, the font of the official sheet), served under these names.
FONT_FILES = tuple(fonts.STYLES.values())


DOCUMENT_STORE = "situs"  # under the cache folder: the site's documents, by content
STORE_MAX_AGE_DAYS = 30.0  # documents no site build used for this long are removed


class SiteFiles(Mapping[str, bytes]):
    """The site's files by site path: texts in memory, documents (PDF, PNG, SVG, form pages)
    as read-only files of the document store, read only when asked for.

    MkDocs gets a document by its path and hard-links it into the site (`place`) instead of
    copying bytes, so a rebuild neither holds nor copies the documents.
    """

    def __init__(self, texts: dict[str, bytes], documents: dict[str, Path] | None = None):
        self.texts = texts
        self.documents = documents or {}

    def __getitem__(self, path: str) -> bytes:
        if path in self.texts:
            return self.texts[path]
        return self.documents[path].read_bytes()

    def __iter__(self) -> Iterator[str]:
        yield from self.texts
        yield from (path for path in self.documents if path not in self.texts)

    def __len__(self) -> int:
        return len(self.texts.keys() | self.documents.keys())

    def document(self, path: str) -> Path | None:
        """The store file holding the document at site path `path` (None: a text)."""
        return None if path in self.texts else self.documents.get(path)

    def with_texts(self, texts: dict[str, bytes]) -> SiteFiles:
        """These files with some texts added or replaced."""
        return SiteFiles({**self.texts, **texts}, self.documents)


def store_path(store: Path, digest: str, suffix: str) -> Path:
    """The store file of content with sha256 `digest` (hex): '<store>/ab/abcd...<suffix>'."""
    return store / digest[:2] / f"{digest}{suffix}"


def stored_intact(
    target: Path, digest: str, size: int, verified: Verified
) -> os.stat_result | None:
    """The store file's stat when it exists and holds the content of that sha256 and size
    (`Verified.intact`: trusted by its stat, else read in chunks), else None; a file whose
    content changed is reported."""
    try:
        before = target.stat()
        if before.st_size == size and verified.intact(target, before, digest):
            return before
    except FileNotFoundError:
        return None
    report_damaged(target, "isi berubah")
    return None


def store_documents(docs: Mapping[str, bytes | CachedBytes], store: Path) -> dict[str, Path]:
    """Each document written once into `store`, named by the sha256 of its content, read-only
    and never written again (a new version is a new file): site path -> its store file.

    A document found in the cache (`CachedBytes`, verified by the cache in chunks) is read
    only when its store file is missing; its digest comes from the entry's header. A stored
    file is verified against that digest before it is used again (hashed unless its inode,
    size and mtime are as when it was last hashed: `cache.Verified`); one whose content
    differs (changed in place through a site folder's hard link) is reported, and replaced
    by a new file (the changed one keeps its other names). Raises OSError (disk;
    `DamagedEntryError` for a cache entry damaged meanwhile).
    """
    placed: dict[str, Path] = {}
    verified = Verified(store, ctime=False)  # sites link and unlink the store's files
    for path, data in docs.items():
        if isinstance(data, bytes):
            digest, size = hashlib.sha256(data).hexdigest(), len(data)
        else:
            digest, size = data.digest, data.size
        target = store_path(store, digest, PurePosixPath(path).suffix)
        intact = stored_intact(target, digest, size, verified)
        if intact is None:
            write_replacing(target, as_bytes(data), mode=0o444)  # new: its time is now
        else:
            refresh_time(target, intact)  # used now: kept by `clean_store`
        placed[path] = target
    verified.save()
    return placed


def clean_store(store: Path, max_age_days: float = STORE_MAX_AGE_DAYS) -> int:
    """Remove store files no build used for `max_age_days` (a site holding a hard link keeps
    its own name); at most once a day. Returns how many were removed."""
    return Cache(store).clean_if_due(max_age_days)


def place(source: Path, dest: Path) -> None:
    """Put a store file into a site folder being built: a hard link (nothing copied), or a
    copy where the file system cannot link. Neither the store nor the site ever writes into
    an existing file, so the shared content never changes."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.unlink(missing_ok=True)
    try:
        os.link(source, dest)
    except OSError:
        shutil.copyfile(source, dest)


@dataclass
class SiteBuild:
    """What the site gets: files by site path, pages among them, and the build's figures."""

    project: Project
    result: BuildResult
    files: SiteFiles
    pages: tuple[str, ...]
    logo: str
    sheets: dict[str, str]  # page path -> the official sheet's HTML for `page.insert_sheet`
    # page path -> its table blocks, set aside from its Markdown (`page.set_tables_aside`)
    tables: dict[str, tuple[str, ...]] = field(default_factory=dict)
    stand_ins: dict[str, tuple[str, ...]] = field(default_factory=dict)  # `page.stand_in`s

    def finish_content(self, path: str, html: str) -> str:
        """A page's HTML as Markdown made it, its table blocks' text in their place
        (`page.stand_in`): what the search index reads."""
        return page.put_stand_ins(html, self._stand_ins(path))

    def finish_page(self, path: str, html: str) -> str:
        """A page's HTML as MkDocs made it, with its table blocks and its official sheet
        put in place. Raises LostTableError when a table's place is not found."""
        blocks = self.tables.get(path, ())
        html = page.stand_ins_to_tables(html, blocks, self._stand_ins(path)) if blocks else html
        sheet_html = self.sheets.get(path)
        return page.insert_sheet(html, sheet_html) if sheet_html else html

    def _stand_ins(self, path: str) -> tuple[str, ...]:
        if path not in self.stand_ins:
            self.stand_ins[path] = tuple(page.stand_in(b) for b in self.tables.get(path, ()))
        return self.stand_ins[path]

    def markdown(self, path: str) -> str:
        """A page's whole Markdown (its table blocks in place), as an author would see it."""
        return page.put_tables_back(self.files[path].decode("utf-8"), self.tables.get(path, ()))

    @property
    def site_name(self) -> str:
        """The header title: the office as printed on its SOP sheets."""
        return self.project.office.name_on_sheet


def read_fonts(family: str = fonts.FAMILY) -> dict[str, bytes]:
    """The Liberation Sans files fontconfig finds (those the documents are measured and drawn
    with), keyed by the file name the site serves; ToolMissingError names the missing package."""
    return {name: path.read_bytes() for name, path in fonts.site_font_files(family).items()}


def _cycle_row(
    summary: checklist.CycleSummary, calendar: checklist.WorkCalendar, directory_urls: bool = True
) -> page.CycleRow:
    tz = calendar.tz
    if summary.cancelled:
        state = "DIBATALKAN"
    elif summary.complete and summary.finished:
        state = f"selesai {checklist.show_time(summary.finished, tz)}"
    else:
        state = "berikutnya: langkah " + ", ".join(map(str, summary.next))
        if summary.overdue and summary.due:
            state += f" (TERLAMBAT; batas {checklist.show_time(summary.due, tz)})"
    over = [str(n) for n in summary.over_steps if n not in summary.next]
    return page.CycleRow(
        run_id=summary.run_id,
        started=checklist.show_time(summary.started, tz),
        progress=f"{summary.done} dari {summary.total} langkah",
        state=state,
        over=", ".join(over) or "-",
        late=summary.overdue,
        href=page.page_link(
            f"../../{cycles.cycle_url(summary.slug, summary.run_id)}", directory_urls
        ),
    )


def _time_row(times: checklist.StepTimes, calendar: checklist.WorkCalendar) -> page.StepTimeRow:
    def minutes(value: float | None) -> str:
        return "-" if value is None else calendar.format_minutes(round(value))

    return page.StepTimeRow(
        number=times.number,
        description=times.description,
        standard=times.standard,
        count=times.count,
        mean=minutes(times.mean_minutes),
        longest=minutes(times.max_minutes),
        over_count=times.over_count,
    )


@dataclass(frozen=True)
class CycleStatuses:
    """Every recorded cycle's status at one "now" and the office calendar: computed once per
    site build, then shown as the SOP pages' rows and as the cycle pages and records."""

    calendar: checklist.WorkCalendar
    now: datetime
    by_slug: dict[str, list[checklist.CycleStatus]]

    def runs(self, slug: str) -> list[checklist.Checklist]:
        """The cycles recorded for `slug`, in record order."""
        return [status.checklist for status in self.by_slug.get(slug, [])]


def cycle_statuses(
    project: Project, records: dict[str, list[checklist.Checklist]]
) -> CycleStatuses:
    """The status of every cycle in `records` (slug -> cycles) at now ($SOP_NOW replaces the
    clock), with the edits of its SOP since it started as warnings."""
    calendar = checklist.WorkCalendar.of(project.office)
    now = checklist.current_time(calendar.tz)
    sops = {sop.slug: sop for sop in project.sops}
    by_slug = {
        slug: [
            checklist.cycle_status(c, calendar, now, sops.get(slug), check_sop=True) for c in runs
        ]
        for slug, runs in records.items()
    }
    return CycleStatuses(calendar, now, by_slug)


def cycle_views(
    project: Project,
    records: dict[str, list[checklist.Checklist]] | None = None,
    directory_urls: bool = True,
    statuses: CycleStatuses | None = None,
) -> dict[str, page.Cycles]:
    """Each SOP's recorded cycles (sop_data/checklist/) as the site shows them, at now
    ($SOP_NOW replaces the clock, for reproducible builds and tests); `statuses` given, from
    them (no status is computed again)."""
    if statuses is None:
        if records is None:
            records = checklist.load_checklists(project.data_dir)
        statuses = cycle_statuses(project, records)
    calendar = statuses.calendar
    views = {}
    for sop in project.sops:
        runs = statuses.runs(sop.slug)
        rows = tuple(
            _cycle_row(checklist.summary_of(status, calendar), calendar, directory_urls)
            for status in statuses.by_slug.get(sop.slug, [])
        )
        times = checklist.cycle_times(runs, calendar, sop) if runs else []
        views[sop.slug] = page.Cycles(
            # a state's time only where there is a state: an SOP without cycles has a page
            # that does not change with the clock (and stays cached)
            checklist.show_time(statuses.now, calendar.tz) if rows else "",
            rows,
            tuple(_time_row(t, calendar) for t in times),
            checklist.revision_coverage(runs, calendar, sop).text() if runs else "",
        )
    return views


def warnings_by_sop(project: Project) -> dict[str, list[Problem]]:
    """Each SOP's data warnings (those `sop check` prints for its file), by slug."""
    by_file = {
        str(project.data_dir / SOP_DIR / f"{sop.slug}.yaml"): sop.slug for sop in project.sops
    }
    found: dict[str, list[Problem]] = {}
    for problem in project.warnings:
        if problem.path in by_file:
            found.setdefault(by_file[problem.path], []).append(problem)
    return found


def cycle_files(
    project: Project,
    ctx: RenderContext,
    records: dict[str, list[checklist.Checklist]],
    cache_dir: Path | None,
    directory_urls: bool = True,
    statuses: CycleStatuses | None = None,
) -> tuple[dict[str, str], dict[str, bytes], str]:
    """Every cycle's page and printed record (`siklus/<slug>/<id>/`), and the home page's
    section on running, overdue and orphaned cycles, at now ($SOP_NOW replaces the clock);
    `statuses` given, from them (no status is computed again)."""
    statuses = statuses or cycle_statuses(project, records)
    calendar = statuses.calendar
    sops = {sop.slug: sop for sop in project.sops}
    pages: dict[str, str] = {}
    jobs: dict[str, PdfJob] = {}
    listed = []
    for slug in sorted(statuses.by_slug):
        sop = sops.get(slug)
        for status in statuses.by_slug[slug]:
            cycle = status.checklist
            report = checklist.report_of(status, calendar)
            pages[cycles.cycle_page_path(slug, cycle.run_id)] = cycles.cycle_page(
                ctx, report, sop, directory_urls
            )
            pdf = cycles.cycle_url(slug, cycle.run_id) + cycles.record_name(cycle.run_id)
            jobs[pdf] = cycles.record_job(ctx, report, sop)
            listed.append((report, sop is not None))
    pdfs, _ = build.run_jobs(dict(jobs), Cache(cache_dir) if cache_dir else None)
    as_of = checklist.show_time(statuses.now, calendar.tz)
    overview = cycles.overview(ctx, listed, as_of, directory_urls) if listed else ""
    return pages, pdfs, overview


PAGE_FORMAT = "sop-page-1"  # bump when what a page's key covers changes


@dataclass(frozen=True)
class CachedPage:
    """`page.sop_page` remembered in the cache by everything the page shows: `shared` (the
    code, templates, office and logo: `build.context_fingerprint`), the SOP, its files, its
    cycles' state, its resolved Keterkaitan items, its warnings and the link style. A
    rebuild renders again only the pages whose SOP or cycles changed."""

    cache: Cache
    shared: str

    def __call__(
        self,
        ctx: RenderContext,
        sop: Sop,
        names: Sequence[str],
        sheet_html: str,
        cycles: page.Cycles | None,
        related: Mapping[str, str],
        warnings: Sequence[Problem],
        directory_urls: bool,
    ) -> str:
        key = cache_key(
            [
                PAGE_FORMAT,
                self.shared,
                sop.slug,
                sop.model_dump_json(),
                json.dumps(list(names)),
                sheet_html,
                repr(cycles),
                repr(page.related_items(sop, related)),
                repr(tuple(warnings)),
                str(directory_urls),
            ]
        )
        hit = self.cache.get(key)
        if hit is not None:
            return hit.decode("utf-8")
        text = page.sop_page(ctx, sop, names, sheet_html, cycles, related, warnings, directory_urls)
        with contextlib.suppress(OSError):
            self.cache.put(key, text.encode("utf-8"))
        return text


def sheet_fragments(result: BuildResult) -> dict[str, str]:
    """Each SOP's sheet as an HTML fragment for its page: the one the build made with the
    sheet's HTML and PDF (`sheet.FRAGMENT_NAME`, cached with them), so a site build lays
    each sheet out once at most."""
    return {
        sop.slug: result.internal[f"{sop.slug}/{sheet.FRAGMENT_NAME}"].decode("utf-8")
        for sop in result.project.sops
    }


KEPT = "situs lama tidak berubah"


def build_site(
    data_dir: Path,
    templates_dir: Path,
    cache_dir: Path | None,
    directory_urls: bool = True,
    defer_pdfs: bool = False,
) -> SiteBuild:
    """Load, render every SOP's artifacts and pages, and gather the site's own assets
    (`site_files_of`). A cache entry damaged after it was looked up (reported and removed)
    makes the build start once more, rendering that SOP again; a second failure, or any
    other disk error, is a UserError naming the file."""
    try:
        try:
            return site_files_of(data_dir, templates_dir, cache_dir, directory_urls, defer_pdfs)
        except DamagedEntryError:
            return site_files_of(data_dir, templates_dir, cache_dir, directory_urls, defer_pdfs)
    except OSError as exc:
        what = "berkas situs tidak dapat dibaca"
        raise storage_error(exc, exc.filename or str(cache_dir), what, KEPT) from None


def site_files_of(
    data_dir: Path,
    templates_dir: Path,
    cache_dir: Path | None,
    directory_urls: bool = True,
    defer_pdfs: bool = False,
) -> SiteBuild:
    """Load, render every SOP's artifacts and pages, and gather the site's own assets.

    `directory_urls` false (`use_directory_urls: false`, a site opened from a folder) makes
    every link to a page name its 'index.html'. `defer_pdfs` (live preview only): an SOP's
    PDFs missing from the cache are left out of the site (`result.pending`, to be run by the
    caller) and its page lists them as not available yet; pages, the sheet and the diagram
    are complete. Raises `UserError` for bad data or templates.
    """
    start = time.perf_counter()
    project = load_project(data_dir, templates_dir, cache_dir)
    load_time = time.perf_counter() - start
    result = build.render_project(project, templates_dir, cache_dir, defer_pdfs=defer_pdfs)
    result.timings["load"] = load_time
    start = time.perf_counter()
    ctx = build.render_context(project, templates_dir)
    sheets = sheet_fragments(result)
    records, cycle_warnings = checklist.checklist_records(project.data_dir)
    project = replace(project, warnings=(*project.warnings, *cycle_warnings))
    statuses = cycle_statuses(project, records)
    pages = page.site_pages(
        ctx,
        result.files,
        sheets.keys(),
        cycle_views(project, records, directory_urls, statuses),
        warnings_by_sop(project),
        directory_urls,
        CachedPage(Cache(cache_dir), build.context_fingerprint(project, templates_dir))
        if cache_dir
        else None,
    )
    cycle_pages, cycle_pdfs, overview = cycle_files(
        project, ctx, records, cache_dir, directory_urls, statuses
    )
    pages["index.md"] += overview
    pages.update(cycle_pages)
    tables = {}
    for path, text in pages.items():
        pages[path], blocks = page.set_tables_aside(text)
        if blocks:
            tables[path] = blocks
    font_data = read_fonts()
    texts: dict[str, bytes] = {path: text.encode("utf-8") for path, text in pages.items()}
    texts.update(page.site_assets(ctx, font_data))
    texts.update({f"{page.FONTS_DIR}/{name}": data for name, data in font_data.items()})
    docs = {**page.site_artifacts(result.files.entries, directory_urls, as_bytes), **cycle_pdfs}
    files = _site_files(texts, docs, cache_dir)
    result.files = build.Artifacts()  # the documents are in the store now: not held
    result.timings["pages"] = time.perf_counter() - start
    sheet_pages = {page.sop_page_path(slug): html for slug, html in sheets.items()}
    return SiteBuild(project, result, files, tuple(pages), page.logo_name(ctx), sheet_pages, tables)


def _site_files(
    texts: dict[str, bytes], docs: Mapping[str, bytes | CachedBytes], cache: Path | None
) -> SiteFiles:
    """The site's files: documents in the store under the cache folder (in memory without a
    cache folder)."""
    if cache is None:
        return SiteFiles({**texts, **{path: as_bytes(data) for path, data in docs.items()}})
    store = Path(cache) / DOCUMENT_STORE
    try:
        documents = store_documents(docs, store)
        clean_store(store)
    except DamagedEntryError:
        raise  # the build starts once more (`build_site`)
    except OSError as exc:
        what = "dokumen situs tidak dapat disimpan"
        raise storage_error(exc, str(store), what, KEPT) from None
    return SiteFiles(texts, documents)


# --------------------------------------------------------------------------- live preview

ERROR_TITLE = "Data SOP belum dapat dibangun"


def problem_report(error: UserError) -> str:
    """The lines `sop check` prints for `error`: every problem, then the count."""
    errors = sum(p.is_error for p in error.problems)
    return f"{error.format()}\n{errors} galat, {len(error.problems) - errors} peringatan"


def error_page(error: UserError) -> str:
    """The Markdown page `mkdocs serve` shows while the data or templates have errors.

    Built without the office's templates (they may be what is broken); every text escaped.
    """
    report = html.escape(problem_report(error), quote=False)
    return (
        "---\nhide:\n  - navigation\n  - toc\n---\n\n"
        f"# {ERROR_TITLE}\n\n"
        '<div class="sop-galat">\n'
        "<p>Situs belum dapat dibangun ulang karena ada galat pada berkas SOP atau templat. "
        "Perbaiki berkas yang disebut di bawah (nama berkas:baris:kolom) lalu simpan; "
        "halaman ini dimuat ulang sendiri dan menampilkan halaman yang benar setelah "
        "semua galat diperbaiki. Pesan yang sama ditampilkan oleh <code>sop check</code>.</p>\n"
        f'<pre class="sop-galat-daftar"><code>{report}</code></pre>\n'
        "</div>\n"
    )


def error_files(
    error: UserError, previous: SiteBuild | None, data_dir: Path | None = None
) -> SiteFiles:
    """The site's files while the data has errors (live preview only): the last good build's
    files with each of its pages replaced by `error_page`. Without a good build yet, the home
    page and the page of every SOP file in `data_dir`/sop/ are the error page."""
    text = error_page(error).encode("utf-8")
    if previous:
        paths = list(previous.pages)
    else:
        names = sorted(data_dir.glob("sop/*.yaml")) if data_dir else []
        slugs = [p.stem for p in names if re.fullmatch(r"[a-z0-9][a-z0-9-]*", p.stem)]
        paths = ["index.md", *(page.sop_page_path(slug) for slug in slugs)]
    files = previous.files if previous else SiteFiles({})
    return files.with_texts(dict.fromkeys(paths, text))


# --------------------------------------------------------------------------- the output folder

SITE_KIND = "situs"
SITE_HINT = "ubah site_dir di mkdocs.yml, atau pindahkan isi folder itu lebih dulu"


def data_version(data_dir: Path, templates_dir: Path) -> dict[str, object]:
    """What the site is built from, for its marker: every data and template file's sha256
    ('masukan') and one hash of them all ('versi_data'). `sop publish` compares them with the
    folders as they are now, to refuse a site older than its data."""
    digests = outdir.input_digests({"data": Path(data_dir), "templat": Path(templates_dir)})
    return {"versi_data": outdir.manifest_of(digests)[1], "masukan": digests}


@dataclass
class SiteOutput:
    """The site folder being built: staged beside site_dir under its lock (see `outdir`)."""

    staged: outdir.Staged
    inputs: dict[str, object]

    @classmethod
    def begin(
        cls,
        site_dir: Path,
        data_dir: Path,
        templates_dir: Path,
        cache_dir: Path | None,
        docs_dir: Path,
    ) -> SiteOutput:
        """Refuse a site_dir that is not ours, take its lock, make the staging folder (the
        site is built there). Raises UserError or OSError (disk)."""
        inputs = data_version(data_dir, templates_dir)
        protected = {
            **build.protected_folders(data_dir, templates_dir, cache_dir),
            "folder docs": Path(docs_dir),
        }
        return cls(outdir.Staged.begin(Path(site_dir), protected, SITE_HINT), inputs)

    @property
    def staging(self) -> Path:
        """Where the site is being written."""
        return self.staged.staging

    @property
    def site_dir(self) -> Path:
        """The real site folder."""
        return self.staged.out

    def commit(self, documents: Mapping[str, Path] | None = None) -> None:
        """Write the completion marker last and switch the site in, in one step.

        `documents` (site path -> store file, `SiteFiles.documents`): a staged file that is
        still a hard link of its store file gets the digest the store file is named by
        (verified when stored), without being read again."""
        known = {}
        for path, source in (documents or {}).items():
            with contextlib.suppress(OSError):
                known[path] = (source.stat().st_ino, source.name.split(".")[0])
        self.staged.commit(SITE_KIND, self.inputs, known=known)

    def abort(self) -> None:
        """Drop the staging folder; the site folder stays as it was."""
        self.staged.abort()
