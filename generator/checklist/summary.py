"""Summaries over cycles for the site and `sop run list`: progress, overdue, cycle times."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from generator.checklist.calendar import WorkCalendar
from generator.checklist.records import Checklist, snapshot
from generator.checklist.status import Completion, _cell, completions, cycle_status
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
    status = cycle_status(checklist, calendar, now)
    end = status.finished or now
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
    """Actual working time of one step over all cycles, against its standard."""

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


def cycle_times(
    checklists: Sequence[Checklist], calendar: WorkCalendar, sop: Sop | None = None
) -> list[StepTimes]:
    """Per step: how long it actually took over every completion in every cycle.

    Steps and standards come from `sop` when given, else from the latest cycle's snapshot.
    Cancelled cycles are left out.
    """
    checklists = [c for c in checklists if c.cancelled is None]
    if sop is not None:
        specs = snapshot(sop)
    elif checklists:
        specs = max(checklists, key=lambda c: (c.started, c.run_id)).steps
    else:
        return []
    by_step: dict[int, list[Completion]] = {}
    runs: dict[int, set[str]] = {}
    for cl in checklists:
        for c in completions(cl, calendar):
            by_step.setdefault(c.event.step, []).append(c)
            runs.setdefault(c.event.step, set()).add(cl.run_id)
    rows = []
    for spec in specs:
        standard = spec.time.working_minutes(calendar.hours_per_day)
        times = [c.elapsed for c in by_step.get(spec.number, [])]
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
                over_count=sum(t > standard for t in times),
            )
        )
    return rows


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
            f"{_cell(s.slug, 32):<32} {s.run_id:<16} "
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
