"""The site build: every file the SOP site adds to MkDocs, as a mapping of site path -> bytes.

Runs the same `build.render_project` as `sop build` (so artifacts go through the same cache),
then the page renderer, then adds the local fonts. Knows nothing of MkDocs: the plugin in
`mkdocs_plugin` only hands these files over, so a move away from MkDocs costs one module.
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from generator import build, checklist, fonts, outdir
from generator.build import BuildResult
from generator.cache import Cache
from generator.errors import Problem, UserError
from generator.loader import SOP_DIR, Project, load_project
from generator.render import cycles, page, sheet
from generator.render.common import PdfJob, RenderContext

# Liberation Sans (Arial's metrics, the font of the official sheet), served under these names.
FONT_FILES = tuple(fonts.STYLES.values())


@dataclass
class SiteBuild:
    """What the site gets: files by site path, pages among them, and the build's figures."""

    project: Project
    result: BuildResult
    files: dict[str, bytes]
    pages: tuple[str, ...]
    logo: str
    sheets: dict[str, str]  # page path -> the official sheet's HTML for `page.insert_sheet`

    def finish_page(self, path: str, html: str) -> str:
        """A page's HTML as MkDocs made it, with its official sheet put in place."""
        sheet_html = self.sheets.get(path)
        return page.insert_sheet(html, sheet_html) if sheet_html else html

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
            checklist.show_time(statuses.now, calendar.tz),
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


def sheet_fragments(result: BuildResult) -> dict[str, str]:
    """Each SOP's sheet as an HTML fragment for its page: the one the build made with the
    sheet's HTML and PDF (`sheet.FRAGMENT_NAME`, cached with them), so a site build lays
    each sheet out once at most."""
    return {
        sop.slug: result.internal[f"{sop.slug}/{sheet.FRAGMENT_NAME}"].decode("utf-8")
        for sop in result.project.sops
    }


def build_site(
    data_dir: Path, templates_dir: Path, cache_dir: Path | None, directory_urls: bool = True
) -> SiteBuild:
    """Load, render every SOP's artifacts and pages, and gather the site's own assets.

    `directory_urls` false (`use_directory_urls: false`, a site opened from a folder) makes
    every link to a page name its 'index.html'. Raises `UserError` for bad data or templates.
    """
    start = time.perf_counter()
    project = load_project(data_dir, templates_dir)
    load_time = time.perf_counter() - start
    result = build.render_project(project, templates_dir, cache_dir)
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
    )
    cycle_pages, cycle_pdfs, overview = cycle_files(
        project, ctx, records, cache_dir, directory_urls, statuses
    )
    pages["index.md"] += overview
    pages.update(cycle_pages)
    font_data = read_fonts()
    files: dict[str, bytes] = {path: text.encode("utf-8") for path, text in pages.items()}
    files.update(page.site_artifacts(result.files, directory_urls))
    files.update(cycle_pdfs)
    files.update(page.site_assets(ctx, font_data))
    files.update({f"{page.FONTS_DIR}/{name}": data for name, data in font_data.items()})
    result.timings["pages"] = time.perf_counter() - start
    sheet_pages = {page.sop_page_path(slug): html for slug, html in sheets.items()}
    return SiteBuild(project, result, files, tuple(pages), page.logo_name(ctx), sheet_pages)


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
) -> dict[str, bytes]:
    """The site's files while the data has errors (live preview only): the last good build's
    files with each of its pages replaced by `error_page`. Without a good build yet, the home
    page and the page of every SOP file in `data_dir`/sop/ are the error page."""
    text = error_page(error).encode("utf-8")
    files = dict(previous.files) if previous else {}
    if previous:
        paths = list(previous.pages)
    else:
        names = sorted(data_dir.glob("sop/*.yaml")) if data_dir else []
        slugs = [p.stem for p in names if re.fullmatch(r"[a-z0-9][a-z0-9-]*", p.stem)]
        paths = ["index.md", *(page.sop_page_path(slug) for slug in slugs)]
    for path in paths:
        files[path] = text
    return files


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

    def commit(self) -> None:
        """Write the completion marker last and switch the site in, in one step."""
        self.staged.commit(SITE_KIND, self.inputs)

    def abort(self) -> None:
        """Drop the staging folder; the site folder stays as it was."""
        self.staged.abort()
