"""The site build: every file the SOP site adds to MkDocs, as a mapping of site path -> bytes.

Runs the same `build.render_project` as `sop build` (so artifacts go through the same cache),
then the page renderer, then adds the local fonts. Knows nothing of MkDocs: the plugin in
`mkdocs_plugin` only hands these files over, so a move away from MkDocs costs one module.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from generator import build, checklist
from generator.build import BuildResult
from generator.cache import Cache, cache_key
from generator.loader import Project, load_project
from generator.render import page, sheet
from generator.render.common import RenderContext

# Debian's fonts-liberation: metric-compatible with Arial, the font of the official sheet.
FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")
FONT_FILES = (
    "LiberationSans-Regular.ttf",
    "LiberationSans-Bold.ttf",
    "LiberationSans-Italic.ttf",
    "LiberationSans-BoldItalic.ttf",
)


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


def read_fonts(font_dir: Path = FONT_DIR) -> dict[str, bytes]:
    """The Liberation Sans files, keyed by file name; a UserError names the missing package."""
    from generator.errors import ToolMissingError

    fonts = {}
    for name in FONT_FILES:
        path = font_dir / name
        if not path.is_file():
            raise ToolMissingError(str(path), "fonts-liberation")
        fonts[name] = path.read_bytes()
    return fonts


def _cycle_row(summary: checklist.CycleSummary, calendar: checklist.WorkCalendar) -> page.CycleRow:
    tz = calendar.tz
    if summary.complete and summary.finished:
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


def cycle_views(project: Project) -> dict[str, page.Cycles]:
    """Each SOP's recorded cycles (sop_data/checklist/) as the site shows them, at now
    ($SOP_NOW replaces the clock, for reproducible builds and tests)."""
    calendar = checklist.WorkCalendar.of(project.office)
    now = checklist.current_time(calendar.tz)
    records = checklist.load_checklists(project.data_dir)
    views = {}
    for sop in project.sops:
        runs = records.get(sop.slug, [])
        rows = tuple(_cycle_row(checklist.summarize(c, calendar, now), calendar) for c in runs)
        times = checklist.cycle_times(runs, calendar, sop) if runs else []
        views[sop.slug] = page.Cycles(
            checklist.show_time(now, calendar.tz),
            rows,
            tuple(_time_row(t, calendar) for t in times),
        )
    return views


def sheet_fragments(
    project: Project, ctx: RenderContext, templates_dir: Path, cache_dir: Path | None
) -> dict[str, str]:
    """Each SOP's sheet as an HTML fragment for its page, through the cache.

    Laying out a sheet is the costly part of a page, so a fragment is stored under the same
    key as the SOP's documents (SOP record, office, templates, code, tool versions): editing
    one SOP lays out only that SOP again.
    """
    cache = Cache(cache_dir) if cache_dir else None
    shared = build.context_fingerprint(project, templates_dir) if cache else ""
    fragments = {}
    for sop in project.sops:
        related = build.related_of(project.sops, sop)
        key = cache_key(["sheet-fragment", build.sop_key(shared, sop, related)]) if cache else ""
        found = cache.get(key) if cache else None
        if found is None:
            found = sheet.sheet_fragment(ctx, sop).encode("utf-8")
            if cache:
                cache.put(key, found)
        fragments[sop.slug] = found.decode("utf-8")
    return fragments


def build_site(data_dir: Path, templates_dir: Path, cache_dir: Path | None) -> SiteBuild:
    """Load, render every SOP's artifacts and pages, and gather the site's own assets."""
    start = time.perf_counter()
    project = load_project(data_dir, templates_dir)
    load_time = time.perf_counter() - start
    result = build.render_project(project, templates_dir, cache_dir)
    result.timings["load"] = load_time
    start = time.perf_counter()
    ctx = build.render_context(project, templates_dir)
    sheets = sheet_fragments(project, ctx, templates_dir, cache_dir)
    pages = page.site_pages(ctx, result.files, sheets.keys(), cycle_views(project))
    fonts = read_fonts()
    files: dict[str, bytes] = {path: text.encode("utf-8") for path, text in pages.items()}
    files.update(page.site_artifacts(result.files))
    files.update(page.site_assets(ctx, fonts))
    files.update({f"{page.FONTS_DIR}/{name}": data for name, data in fonts.items()})
    result.timings["pages"] = time.perf_counter() - start
    sheet_pages = {page.sop_page_path(slug): html for slug, html in sheets.items()}
    return SiteBuild(project, result, files, tuple(pages), page.logo_name(ctx), sheet_pages)
