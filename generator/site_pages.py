"""The site's pages and documents made from the data: load, render every SOP through the same
`build.render_project` as `sop build` (so artifacts go through the same cache), then the page
renderer, the cycle pages and the local fonts. Knows nothing of MkDocs; `site.build_site`
imports it only when the site's memo does not serve the build (it imports every renderer).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from generator import build, checklist, fonts
from generator.build import BuildResult
from generator.cache import Cache, CachedBytes, DamagedEntryError, as_bytes, cache_key
from generator.errors import Problem, storage_error
from generator.loader import SOP_DIR, Project, load_project
from generator.model import Sop
from generator.render import cycles, page, sheet, splice
from generator.render.common import PdfJob, RenderContext
from generator.site_files import (
    DOCUMENT_STORE,
    KEPT,
    SiteBuild,
    SiteFiles,
    clean_store,
    store_documents,
)

# Liberation Sans (Arial's metrics, the font of the official sheet), served under these names.
FONT_FILES = tuple(fonts.STYLES.values())


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
    PDFs missing from the cache are left out of the site (`SiteBuild.pending`, to be run by the
    caller) and its page lists them as not available yet; pages, the sheet and the diagram
    are complete. Raises `UserError` for bad data or templates.
    """
    build.start_forkserver()  # the workers' imports run beside the loading
    project = load_project(data_dir, templates_dir, cache_dir)
    result = build.render_project(project, templates_dir, cache_dir, defer_pdfs=defer_pdfs)
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
        pages[path], blocks = splice.set_tables_aside(text)
        if blocks:
            tables[path] = blocks
    font_data = read_fonts()
    texts: dict[str, bytes] = {path: text.encode("utf-8") for path, text in pages.items()}
    texts.update(page.site_assets(ctx, font_data))
    texts.update({f"{page.FONTS_DIR}/{name}": data for name, data in font_data.items()})
    docs = {**page.site_artifacts(result.files.entries, directory_urls, as_bytes), **cycle_pdfs}
    files = _site_files(texts, docs, cache_dir)
    return SiteBuild(
        files=files,
        pages=tuple(pages),
        logo=page.logo_name(ctx),
        site_name=project.office.name_on_sheet,
        sop_count=len(project.sops),
        warnings=tuple(project.warnings),
        sheets={page.sop_page_path(slug): html for slug, html in sheets.items()},
        tables=tables,
        jobs_run=result.jobs_run,
        cache_hits=result.cache_hits,
        sops_rendered=result.sops_rendered,
        pending=result.pending,
        on_clock=bool(statuses.by_slug),
    )


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
