"""Cycle records on the site and on paper: a page per cycle, the home page's list of running
and overdue cycles, and the printable filled record `siklus-<id>.pdf` (bukti pelaksanaan).

Pure: text from the render context and `checklist.report` records; no files.
Site layout: `siklus/<slug>/<id>/index.md` with `siklus-<id>.pdf` beside it, so a cycle keeps
its page when its SOP is renamed or removed (then it is listed under "Siklus tanpa SOP").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from generator.checklist.report import CycleReport
from generator.model import Sop
from generator.render import forms
from generator.render.common import PAPER_MM, PdfJob, RenderContext, render_template
from generator.render.page import md, page_link

CYCLES_DIR = "siklus"
PAGE_TEMPLATE = "pages/siklus.md"
OVERVIEW_TEMPLATE = "pages/siklus-berjalan.md"
RECORD_TEMPLATE = "dokumen/siklus.html"
EVENTS_PER_PAGE = 15


def cycle_url(slug: str, run_id: str) -> str:
    """The site path of a cycle's page folder: 'siklus/<slug>/<id>/'."""
    return f"{CYCLES_DIR}/{slug}/{run_id}/"


def cycle_page_path(slug: str, run_id: str) -> str:
    """The site path of a cycle's page: 'siklus/<slug>/<id>/index.md'."""
    return f"{cycle_url(slug, run_id)}index.md"


def record_name(run_id: str) -> str:
    """The printed record's file name: 'siklus-<id>.pdf'."""
    return f"siklus-{run_id}.pdf"


def cycle_page(
    ctx: RenderContext, report: CycleReport, sop: Sop | None, directory_urls: bool = True
) -> str:
    """The Markdown page of one cycle: identity, state, each step, every history entry."""
    return render_template(
        ctx.env,
        PAGE_TEMPLATE,
        office=ctx.office,
        report=report,
        sop=sop,
        pdf=record_name(report.run_id),
        sop_href=page_link(f"../../../sop/{sop.slug}/", directory_urls) if sop else "",
        root=page_link("../../../", directory_urls),
        md=md,
    )


@dataclass(frozen=True)
class OverviewRow:
    """One running cycle on the home page."""

    report: CycleReport
    sop_name: str
    sop_href: str
    href: str


def overview_rows(
    reports: Sequence[tuple[CycleReport, bool]], directory_urls: bool = True
) -> list[OverviewRow]:
    """Running cycles (not finished, not cancelled): overdue first, then by due time and start;
    `reports` pairs each cycle with whether its SOP still exists."""
    rows = [
        OverviewRow(
            report=r,
            sop_name=f"{r.sop_number} {r.sop_name}",
            sop_href=page_link(f"sop/{r.slug}/", directory_urls) if known else "",
            href=page_link(cycle_url(r.slug, r.run_id), directory_urls),
        )
        for r, known in reports
        if not r.complete and not r.cancelled
    ]
    return sorted(
        rows, key=lambda row: (not row.report.overdue, row.report.due or "~", row.report.started)
    )


def overview(
    ctx: RenderContext,
    reports: Sequence[tuple[CycleReport, bool]],
    as_of: str,
    directory_urls: bool = True,
) -> str:
    """The home page's section on cycles: running and overdue ones across all SOPs with the
    lane that acts next, and cycles whose SOP is gone. `reports` pairs each cycle with
    whether its SOP still exists."""
    orphans = [
        OverviewRow(
            r,
            f"{r.sop_number} {r.sop_name}",
            "",
            page_link(cycle_url(r.slug, r.run_id), directory_urls),
        )
        for r, known in reports
        if not known
    ]
    return render_template(
        ctx.env,
        OVERVIEW_TEMPLATE,
        rows=overview_rows(reports, directory_urls),
        orphans=orphans,
        as_of=as_of,
        md=md,
    )


def record_signers(ctx: RenderContext, sop: Sop | None) -> list[forms.Signer]:
    """Signature blocks of the record: the clerk who kept it, the officials among the SOP's
    lanes (pejabat keys), then the one who approved the SOP ("Mengetahui")."""
    found: list[forms.Signer] = [forms.Signer("Petugas pencatat")]
    if sop is None:
        return found
    for lane in sop.lanes:
        official = ctx.office.officials.get(lane)
        if official and lane != sop.approved_by:
            found.append(forms.Signer(official.position.rstrip(" .,"), official.name,
                                      official.nip_formatted))  # fmt: skip
    found.append(forms.approver(ctx.office, sop))
    return found


def record_html(ctx: RenderContext, report: CycleReport, sop: Sop | None) -> str:
    """The filled record of a cycle (bukti pelaksanaan SOP) as standalone HTML for WeasyPrint:
    letterhead, identity, each step, every entry with corrections, signature blocks."""
    width, height = PAPER_MM[ctx.office.paper]
    return render_template(
        ctx.env,
        RECORD_TEMPLATE,
        office=ctx.office,
        paper=forms.Paper(ctx.office.paper, width, height),
        logo_uri=ctx.logo_uri,
        report=report,
        signers=record_signers(ctx, sop),
        standalone=True,
        title="Bukti Pelaksanaan SOP",
        kind="siklus",
    )


def record_job(ctx: RenderContext, report: CycleReport, sop: Sop | None) -> PdfJob:
    """The WeasyPrint job of `record_html`."""
    return PdfJob(record_html(ctx, report, sop))
