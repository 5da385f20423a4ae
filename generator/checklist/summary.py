"""Summaries over cycles for the site and `sop run list`: progress, overdue, cycle times."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from generator.checklist.calendar import WorkCalendar
from generator.checklist.records import Checklist, snapshot, step_matcher
from generator.checklist.status import (
    Completion,
    CycleStatus,
    completions,
    cycle_status,
    one_line_cell,
)
from generator.model import (
    Sop,
)


@dataclass(frozen=True)
class CycleSummary:
    """One cycle in a list: progress and the steps over their standard time."""

    slug: str
    run_id: str
    started: datetime
    complete: bool
    done: int
    total: int
    next: tuple[int, ...]
    passes: int
    over_steps: tuple[int, ...]
    overdue: bool
    due: datetime | None
    finished: datetime | None
    working_minutes: int
    cancelled: bool = False
    next_lanes: str = ""


def summarize(checklist: Checklist, calendar: WorkCalendar, now: datetime) -> CycleSummary:
    """Progress, next step, overdue and over-standard steps of one cycle at `now`."""
    return summary_of(cycle_status(checklist, calendar, now), calendar)


def summary_of(status: CycleStatus, calendar: WorkCalendar) -> CycleSummary:
    """A cycle's summary from its status (at the status's `now`)."""
    checklist = status.checklist
    end = status.finished or status.now
    return CycleSummary(
        slug=checklist.slug,
        run_id=checklist.run_id,
        started=checklist.started,
        complete=status.complete,
        done=status.done,
        total=status.total,
        next=tuple(status.state.allowed),
        passes=status.state.pass_no,
        over_steps=tuple(status.over_steps),
        overdue=status.overdue,
        due=status.due,
        finished=status.finished,
        working_minutes=calendar.minutes_between(checklist.started, end),
        cancelled=checklist.cancelled is not None,
        next_lanes=", ".join(
            lane for n in status.state.allowed for lane in checklist.step(n).actors
        )
        if checklist.cancelled is None
        else "",
    )


@dataclass(frozen=True)
class StepTimes:
    """Actual working time of one step over all cycles, against its standard.

    Completions count for the same step (`records.step_matcher`: its stable id,
    else its text), whatever number it had in the revision the cycle ran under; `over_count`
    judges each completion against the standard of that revision. `revisions` names the SOP
    revisions (tanggal_revisi) of the cycles counted.
    """

    number: int
    description: str
    standard: str
    standard_minutes: int
    count: int
    cycles: int
    mean_minutes: float | None
    median_minutes: float | None
    max_minutes: int | None
    over_count: int
    revisions: tuple[str, ...] = ()


@dataclass(frozen=True)
class RevisionCoverage:
    """Which cycles the per-step figures cover: by revision, and completions left unmatched."""

    revisions: tuple[tuple[str, int], ...]  # (tanggal_revisi, number of cycles)
    unmatched: int  # completions of steps the current SOP no longer has

    def text(self) -> str:
        """One sentence for the site: which revisions, how steps were matched."""
        if not self.revisions:
            return ""
        parts = ", ".join(
            f"{n} siklus revisi {'awal (tanpa tanggal revisi)' if r == '-' else r}"
            for r, n in self.revisions
        )
        text = (
            f"Angka per langkah mencakup {parts}; langkah dicocokkan antarrevisi menurut id atau "
            "uraiannya, bukan nomornya, dan setiap siklus dinilai terhadap waktu baku revisi yang "
            "dijalankannya."
        )
        if self.unmatched:
            text += (
                f" {self.unmatched} catatan langkah yang tidak ada lagi di SOP ini tidak dihitung."
            )
        return text


def cycle_times(
    checklists: Sequence[Checklist], calendar: WorkCalendar, sop: Sop | None = None
) -> list[StepTimes]:
    """Per step: how long it actually took over every completion in every cycle.

    Steps and standards come from `sop` when given, else from the latest cycle's snapshot.
    Completions are matched by step identity across revisions (see `StepTimes`); cancelled
    cycles are left out.
    """
    return _times(checklists, calendar, sop)[0]


def revision_coverage(
    checklists: Sequence[Checklist], calendar: WorkCalendar, sop: Sop | None = None
) -> RevisionCoverage:
    """Which revisions `cycle_times` covers and how many completions it could not match."""
    return _times(checklists, calendar, sop)[1]


def _times(
    checklists: Sequence[Checklist], calendar: WorkCalendar, sop: Sop | None
) -> tuple[list[StepTimes], RevisionCoverage]:
    checklists = [c for c in checklists if c.cancelled is None]
    if sop is not None:
        specs = snapshot(sop)
    elif checklists:
        specs = max(checklists, key=lambda c: (c.started, c.run_id)).steps
    else:
        return [], RevisionCoverage((), 0)
    match = step_matcher(specs)
    by_step: dict[int, list[Completion]] = {}
    runs: dict[int, set[str]] = {}
    revisions: dict[int, set[str]] = {}
    per_revision: dict[str, int] = {}
    unmatched = 0
    for cl in checklists:
        per_revision[cl.revised] = per_revision.get(cl.revised, 0) + 1
        for c in completions(cl, calendar):
            same = match(cl.step(c.event.step))
            if same is None:
                unmatched += 1
                continue
            key = same.number
            by_step.setdefault(key, []).append(c)
            runs.setdefault(key, set()).add(cl.run_id)
            revisions.setdefault(key, set()).add(cl.revised)
    rows = []
    for spec in specs:
        standard = spec.time.working_minutes(calendar.hours_per_day)
        done = by_step.get(spec.number, [])
        times = [c.elapsed for c in done]
        rows.append(
            StepTimes(
                number=spec.number,
                description=spec.description,
                standard=str(spec.time),
                standard_minutes=standard,
                count=len(times),
                cycles=len(runs.get(spec.number, ())),
                mean_minutes=statistics.fmean(times) if times else None,
                median_minutes=float(statistics.median(times)) if times else None,
                max_minutes=max(times) if times else None,
                over_count=sum(c.over for c in done),
                revisions=tuple(sorted(revisions.get(spec.number, ()))),
            )
        )
    coverage = RevisionCoverage(tuple(sorted(per_revision.items())), unmatched)
    return rows, coverage


def list_text(summaries: Sequence[CycleSummary], calendar: WorkCalendar) -> str:
    """`sop run list` as a plain-text table."""
    if not summaries:
        return "Belum ada siklus. Mulai dengan: sop run start <slug>\n"
    lines = [f"{'SOP':<32} {'Siklus':<16} {'Dimulai':<16} {'Kemajuan':<9} Keadaan"]
    for s in summaries:
        if s.cancelled:
            state = "DIBATALKAN"
        elif s.complete and s.finished:
            state = f"selesai {s.finished.astimezone(calendar.tz):%Y-%m-%d %H:%M}"
        else:
            state = "berikutnya: langkah " + ", ".join(map(str, s.next))
            state += f" ({s.next_lanes})" if s.next_lanes else ""
            state += " (TERLAMBAT)" if s.overdue else ""
        if not s.cancelled and [n for n in s.over_steps if n not in s.next]:
            over = ", ".join(str(n) for n in s.over_steps if n not in s.next)
            state += f"; melebihi baku: langkah {over}"
        lines.append(
            f"{one_line_cell(s.slug, 32):<32} {s.run_id:<16} "
            f"{s.started.astimezone(calendar.tz):%Y-%m-%d %H:%M} {s.done:>3}/{s.total:<5} {state}"
        )
    return "\n".join(lines) + "\n"


def summary_json(summary: CycleSummary, tz: ZoneInfo) -> dict[str, Any]:
    """One cycle of `sop run list --json`."""
    return {
        "sop": summary.slug,
        "run": summary.run_id,
        "started": summary.started.astimezone(tz).isoformat(),
        "complete": summary.complete,
        "cancelled": summary.cancelled,
        "finished": summary.finished.astimezone(tz).isoformat() if summary.finished else None,
        "done": summary.done,
        "total": summary.total,
        "next": list(summary.next),
        "next_lanes": summary.next_lanes,
        "pass": summary.passes,
        "overdue": summary.overdue,
        "due": summary.due.astimezone(tz).isoformat() if summary.due else None,
        "over_standard_steps": list(summary.over_steps),
        "working_minutes": summary.working_minutes,
    }
