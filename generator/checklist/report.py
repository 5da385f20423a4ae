"""A cycle as a record to read, print and file: every entry of its history and each step's
figures, as plain texts (the cycle page, `siklus-ID.pdf` and `sop run ekspor` share them).

Pure: built from a checklist, the office calendar and "now".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from generator.checklist.calendar import WorkCalendar, show_time
from generator.checklist.records import Cancellation, Checklist, Correction, Event
from generator.checklist.status import (
    Completion,
    CycleStatus,
    completions,
    correction_changes,
    cycle_status,
)
from generator.model import Sop

KIND_DONE = "selesai"
KIND_CORRECTION = "koreksi"
KIND_CANCEL = "batal"


@dataclass(frozen=True)
class EntryRow:
    """One history entry as the record shows it (texts ready to print).

    A completion shows the values in force (after corrections, `corrected_by` names them);
    a correction shows what it changed (`changes`, old -> new) and why (`reason`).
    """

    number: int
    kind: str
    step: int | None
    description: str
    lanes: str
    pass_no: int | None
    by: str
    at: str
    recorded: str
    output: str = ""
    note: str = ""
    decision: str = ""
    elapsed: str = ""
    elapsed_minutes: int | None = None
    waiting: str = ""  # time spent waiting for an outside party (not the office's delay)
    standard: str = ""
    over: bool = False
    state: str = "berlaku"
    corrected_by: tuple[int, ...] = ()
    changes: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class StepLine:
    """One step of the cycle with its latest completion in force."""

    number: int
    description: str
    lanes: str
    standard: str
    state: str
    by: str
    at: str
    elapsed: str
    over: bool
    times_done: int


@dataclass(frozen=True)
class CycleReport:
    """Everything the record of one cycle shows, at `as_of`."""

    slug: str
    run_id: str
    sop_number: str
    sop_name: str
    revised: str
    started: str
    as_of: str
    state: str
    complete: bool
    cancelled: bool
    overdue: bool
    next_step: int | None
    next_lanes: str
    due: str
    progress: str
    working_time: str
    passes: int
    entries: tuple[EntryRow, ...]
    steps: tuple[StepLine, ...]
    warnings: tuple[str, ...] = ()
    cancel_reason: str = ""


def _completion_row(
    checklist: Checklist,
    index: int,
    event: Event,
    spent: Completion | None,
    calendar: WorkCalendar,
) -> EntryRow:
    history = checklist.history
    tz = calendar.tz
    spec = checklist.step(event.step)
    state = "berlaku"
    if index in history.dropped:
        state = "tidak berlaku (keputusan diubah)"
    elif history.corrections.get(index):
        state = "dikoreksi"
    return EntryRow(
        number=index + 1,
        kind=KIND_DONE,
        step=event.step,
        description=spec.description,
        lanes=", ".join(spec.actors),
        pass_no=event.pass_no,
        by=event.by,
        at=show_time(event.at, tz),
        recorded=show_time(event.recorded, tz),
        output=event.output,
        note=event.note,
        decision=event.decision,
        elapsed=calendar.format_minutes(spent.elapsed) if spent else "-",
        elapsed_minutes=spent.elapsed if spent else None,
        waiting=calendar.format_minutes(spent.waiting) if spent and spent.waiting else "",
        standard=str(spec.time),
        over=bool(spent and spent.over),
        state=state,
        corrected_by=tuple(i + 1 for i in history.corrections.get(index, ())),
    )


def entry_rows(checklist: Checklist, calendar: WorkCalendar) -> list[EntryRow]:
    """Every entry of the history, in order (see `EntryRow`)."""
    history = checklist.history
    spent = dict(zip(history.origins, completions(checklist, calendar), strict=True))
    in_force = dict(zip(history.origins, history.events, strict=True))
    tz = calendar.tz
    rows = []
    for index, entry in enumerate(checklist.entries):
        if isinstance(entry, Event):
            event = in_force.get(index, entry)
            rows.append(_completion_row(checklist, index, event, spent.get(index), calendar))
        elif isinstance(entry, Correction):
            target = checklist.entries[entry.target - 1]
            step = target.step if isinstance(target, Event) else None
            rows.append(
                EntryRow(
                    number=index + 1,
                    kind=KIND_CORRECTION,
                    step=step,
                    description=checklist.step(step).description if step else "",
                    lanes="",
                    pass_no=None,
                    by=entry.by,
                    at="",
                    recorded=show_time(entry.recorded, tz),
                    changes=tuple(correction_changes(checklist, entry)),
                    reason=entry.reason,
                    state=f"koreksi catatan no. {entry.target}",
                )
            )
        elif isinstance(entry, Cancellation):
            rows.append(
                EntryRow(
                    number=index + 1,
                    kind=KIND_CANCEL,
                    step=None,
                    description="Siklus dibatalkan",
                    lanes="",
                    pass_no=None,
                    by=entry.by,
                    at="",
                    recorded=show_time(entry.recorded, tz),
                    reason=entry.reason,
                    state="pembatalan",
                )
            )
    return rows


def _step_lines(status: CycleStatus, calendar: WorkCalendar) -> tuple[StepLine, ...]:
    tz = calendar.tz
    lines = []
    for row in status.steps:
        done = row.done
        lines.append(
            StepLine(
                number=row.spec.number,
                description=row.spec.description,
                lanes=", ".join(row.spec.actors),
                standard=str(row.spec.time),
                state=row.state,
                by=done.event.by if done else "",
                at=show_time(done.event.at, tz) if done else "",
                elapsed=calendar.format_minutes(done.elapsed) if done else "",
                over=bool(done and done.over),
                times_done=len(row.history) + (1 if done else 0),
            )
        )
    return tuple(lines)


def state_text(status: CycleStatus, calendar: WorkCalendar) -> str:
    """One line on where the cycle stands: finished, cancelled, or what is next (and late)."""
    tz = calendar.tz
    cancel = status.checklist.cancelled
    if cancel is not None:
        return f"DIBATALKAN {show_time(cancel.recorded, tz)} oleh {cancel.by}"
    if status.complete and status.finished is not None:
        return f"selesai {show_time(status.finished, tz)}"
    step = status.state.next_step or 1
    lanes = ", ".join(status.checklist.step(step).actors)
    text = f"berikutnya: langkah {step} ({lanes})"
    if status.overdue and status.due is not None:
        text += f", TERLAMBAT sejak {show_time(status.due, tz)}"
    return text


def next_lanes(checklist: Checklist, step: int | None) -> str:
    """The lane labels of the step that acts next ('' when none)."""
    return ", ".join(checklist.step(step).actors) if step is not None else ""


def cycle_report(
    checklist: Checklist, calendar: WorkCalendar, now: datetime, sop: Sop | None = None
) -> CycleReport:
    """The record of one cycle at `now`; `sop` is the current SOP (None: gone) for warnings."""
    return report_of(cycle_status(checklist, calendar, now, sop, check_sop=True), calendar)


def report_of(status: CycleStatus, calendar: WorkCalendar) -> CycleReport:
    """The record of a cycle from its status (`cycle_status` with `check_sop` for the
    warnings), at the status's `now`."""
    checklist, now = status.checklist, status.now
    tz = calendar.tz
    end = status.finished or now
    cancel = checklist.cancelled
    running = cancel is None and not status.complete
    next_step = status.state.next_step if running else None
    return CycleReport(
        slug=checklist.slug,
        run_id=checklist.run_id,
        sop_number=checklist.sop_number,
        sop_name=checklist.sop_name,
        revised=checklist.revised,
        started=show_time(checklist.started, tz),
        as_of=show_time(now if running else checklist.entries[-1].recorded, tz),
        state=state_text(status, calendar),
        complete=status.complete,
        cancelled=cancel is not None,
        overdue=status.overdue,
        next_step=next_step,
        next_lanes=next_lanes(checklist, next_step),
        due=show_time(status.due, tz) if status.due and running else "",
        progress=f"{status.done} dari {status.total} langkah",
        working_time=calendar.format_minutes(calendar.minutes_between(checklist.started, end)),
        passes=status.state.pass_no,
        entries=tuple(entry_rows(checklist, calendar)),
        steps=_step_lines(status, calendar),
        warnings=status.warnings,
        cancel_reason=cancel.reason if cancel else "",
    )
