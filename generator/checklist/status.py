"""A cycle's status: each step's completions and elapsed working time against its standard."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from generator.checklist.calendar import WorkCalendar, show_time
from generator.checklist.records import (
    Checklist,
    Correction,
    Event,
    StepSpec,
    apply_entries,
    sop_changes,
)
from generator.checklist.state import State, allowed_text, initial_state, replay
from generator.model import (
    Sop,
)


@dataclass(frozen=True)
class Completion:
    """One event with the working time the office took (since the event or start before it,
    or since the outside party it waited for was done) and the time spent waiting."""

    event: Event
    elapsed: int
    standard: int
    waiting: int = 0  # working minutes spent waiting for an outside party (not the office's)

    @property
    def over(self) -> bool:
        """True when the step took longer than its standard time."""
        return self.elapsed > self.standard


@dataclass(frozen=True)
class StepStatus:
    """One row of the checklist: the step, its latest completion and earlier ones."""

    spec: StepSpec
    state: str
    standard: int
    done: Completion | None = None
    history: tuple[Completion, ...] = ()


@dataclass(frozen=True)
class CycleStatus:
    """Everything `sop run status` shows about one cycle at time `now`."""

    checklist: Checklist
    steps: tuple[StepStatus, ...]
    state: State
    now: datetime
    done: int
    total: int
    finished: datetime | None = None
    due: datetime | None = None
    waiting: int = 0
    overdue: bool = False
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def complete(self) -> bool:
        """True when the procedure reached an end."""
        return self.state.complete

    @property
    def cancelled(self) -> bool:
        """True when the cycle was cancelled (`sop run batal`)."""
        return self.checklist.cancelled is not None

    @property
    def over_steps(self) -> list[int]:
        """Steps whose latest completion took longer than standard, plus an overdue next."""
        over = [s.spec.number for s in self.steps if s.done and s.done.over]
        if self.overdue and self.state.next_step is not None:
            over.append(self.state.next_step)
        return sorted(over)


def completions(checklist: Checklist, calendar: WorkCalendar) -> list[Completion]:
    """Every event with its elapsed working time against the step's standard; the time of a
    step in outside lanes (`luar`) and before `waited_until` is waiting, never the office's."""
    result, previous = [], checklist.started
    for event in checklist.events:
        standard = checklist.step(event.step).time.working_minutes(calendar.hours_per_day)
        begin = max(previous, min(event.waited_until or previous, event.at))
        if checklist.step(event.step).outside:  # an outside party's step: none of it is ours
            begin = event.at
        result.append(
            Completion(
                event,
                calendar.minutes_between(begin, event.at),
                standard,
                calendar.minutes_between(previous, begin),
            )
        )
        previous = event.at
    return result


def remaining_path(checklist: Checklist, state: State) -> list[int]:
    """The steps still ahead on the normal way (taking "ya") from the next step to an end."""
    path: list[int] = []
    current = state.next_step
    while current is not None and current not in path and current not in state.current:
        path.append(current)
        current = checklist.step(current).main_next()
    return path


def _step_state(number: int, state: State, history: bool) -> str:
    if number in state.current:
        return "selesai"
    if number == state.next_step:
        return "berikutnya"
    if history:
        return "dibuka kembali"
    return "dilewati" if state.complete else "belum"


def cycle_status(
    checklist: Checklist,
    calendar: WorkCalendar,
    now: datetime,
    sop: Sop | None = None,
    check_sop: bool = False,
) -> CycleStatus:
    """The status of a cycle at `now`: rows, what is due next, elapsed against standard.

    With `check_sop`, `sop` is the current SOP (or None if it is gone) and edits since the
    cycle started become warnings.
    """
    state = replay(checklist)
    done = completions(checklist, calendar)
    rows = []
    for spec in checklist.steps:
        mine = [(i, c) for i, c in enumerate(done) if c.event.step == spec.number]
        latest_index = state.current.get(spec.number)
        latest = done[latest_index] if latest_index is not None else None
        history = tuple(c for i, c in mine if i != latest_index)
        rows.append(
            StepStatus(
                spec=spec,
                state=_step_state(spec.number, state, bool(history)),
                standard=spec.time.working_minutes(calendar.hours_per_day),
                done=latest,
                history=history,
            )
        )
    due, waiting = None, 0
    ours = state.next_step is not None and not checklist.step(state.next_step).outside
    if ours and checklist.cancelled is None:
        standard = checklist.step(state.next_step).time.working_minutes(calendar.hours_per_day)
        due = calendar.add_minutes(state.last_at, standard)
        waiting = calendar.minutes_between(state.last_at, now)
    return CycleStatus(
        checklist=checklist,
        steps=tuple(rows),
        state=state,
        now=now,
        done=len(state.current),
        total=len(state.current) + len(remaining_path(checklist, state)),
        finished=checklist.events[-1].at if state.complete else None,
        due=due,
        waiting=waiting,
        overdue=due is not None and now > due,
        warnings=tuple(sop_changes(checklist, sop)) if check_sop else (),
    )


def _event_json(c: Completion, tz: ZoneInfo) -> dict[str, Any]:
    e = c.event
    return {
        "by": e.by,
        "at": e.at.astimezone(tz).isoformat(),
        "recorded": e.recorded.astimezone(tz).isoformat(),
        "pass": e.pass_no,
        "output": e.output,
        "note": e.note,
        "decision": e.decision or None,
        "elapsed_minutes": c.elapsed,
        "waiting_minutes": c.waiting,
        "over_standard": c.over,
    }


def _cancel_json(checklist: Checklist, tz: ZoneInfo) -> dict[str, Any] | None:
    cancel = checklist.cancelled
    if cancel is None:
        return None
    return {
        "by": cancel.by,
        "at": cancel.recorded.astimezone(tz).isoformat(),
        "reason": cancel.reason,
    }


def _corrections_json(checklist: Checklist, tz: ZoneInfo) -> list[dict[str, Any]]:
    result = []
    for entry in checklist.entries:
        if isinstance(entry, Correction):
            original = checklist.entries[entry.target - 1]
            result.append(
                {
                    "entry": entry.target,
                    "step": getattr(original, "step", None),
                    "by": entry.by,
                    "at": entry.recorded.astimezone(tz).isoformat(),
                    "reason": entry.reason,
                    "changes": correction_changes(checklist, entry),
                }
            )
    return result


def correction_changes(checklist: Checklist, correction: Correction) -> list[str]:
    """What a correction changed, as "keputusan: tidak -> ya" texts (values before it)."""
    tz = ZoneInfo(checklist.timezone)
    index = checklist.entries.index(correction)
    before = apply_entries(checklist.entries[:index])
    origin = correction.target - 1
    old = before.events[before.origins.index(origin)] if origin in before.origins else None
    changes = []
    pairs = (
        (
            "waktu selesai",
            old and show_time(old.at, tz),
            correction.at and show_time(correction.at, tz),
        ),
        ("output", old and old.output, correction.output),
        ("catatan", old and old.note, correction.note),
        ("keputusan", old and old.decision, correction.decision),
    )
    for name, was, new in pairs:
        if new is not None:
            changes.append(f"{name}: {was or '-'} -> {new or '-'}")
    return changes


def status_json(status: CycleStatus) -> dict[str, Any]:
    """The status as a JSON-ready object (keys: complete, next, steps, ...)."""
    cl, tz = status.checklist, ZoneInfo(status.checklist.timezone)
    steps = []
    for row in status.steps:
        spec = row.spec
        item: dict[str, Any] = {
            "number": spec.number,
            "description": spec.description,
            "actors": list(spec.actors),
            "standard": str(spec.time),
            "standard_minutes": row.standard,
            "state": row.state,
            "done": row.done is not None,
        }
        item.update(_event_json(row.done, tz) if row.done else {})
        item["history"] = [_event_json(c, tz) for c in row.history]
        steps.append(item)
    return {
        "sop": cl.slug,
        "run": cl.run_id,
        "sop_number": cl.sop_number,
        "sop_name": cl.sop_name,
        "started": cl.started.astimezone(tz).isoformat(),
        "now": status.now.astimezone(tz).isoformat(),
        "complete": status.complete,
        "cancelled": _cancel_json(status.checklist, tz),
        "corrections": _corrections_json(status.checklist, tz),
        "finished": status.finished.astimezone(tz).isoformat() if status.finished else None,
        "next": status.state.allowed,
        "next_lanes": [
            lane for n in status.state.allowed for lane in status.checklist.step(n).actors
        ]
        if not status.cancelled
        else [],
        "pass": status.state.pass_no,
        "done": status.done,
        "total": status.total,
        "due": status.due.astimezone(tz).isoformat() if status.due else None,
        "overdue": status.overdue,
        "over_standard_steps": status.over_steps,
        "warnings": list(status.warnings),
        "steps": steps,
    }


def one_line_cell(text: str, width: int) -> str:
    """`text` on one line cut to `width` characters (a "~" marks the cut), for text tables."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "~"


_COLUMNS = f"{'No':>3}  {'Status':<14} {'Oleh':<16} {'Selesai':<16} {'Lama':<24} {'Baku':<9} "


def status_text(status: CycleStatus, calendar: WorkCalendar) -> str:
    """The status as a plain-text table for the terminal."""
    cl, tz = status.checklist, calendar.tz
    lines = [
        f"SOP {cl.sop_number} {cl.sop_name} ({cl.slug}), siklus {cl.run_id}",
        f"Dimulai {show_time(cl.started, tz)}; putaran {status.state.pass_no}; "
        f"{status.done} dari {status.total} langkah selesai",
        "",
        _COLUMNS + "Output",
    ]
    for row in status.steps:
        lines += _status_rows(row, calendar)
    if any(r.done and r.done.over for r in status.steps) or any(
        c.over for r in status.steps for c in r.history
    ):
        lines.append("(*) melebihi waktu baku")
    lines += _correction_lines(status.checklist)
    lines.append("")
    lines.append(_next_text(status, calendar))
    return "\n".join(lines) + "\n"


def _correction_lines(checklist: Checklist) -> list[str]:
    tz = ZoneInfo(checklist.timezone)
    lines = []
    for entry in checklist.entries:
        if isinstance(entry, Correction):
            step = getattr(checklist.entries[entry.target - 1], "step", "?")
            lines.append(
                f"Koreksi langkah {step} oleh {entry.by} pada {show_time(entry.recorded, tz)} "
                f"({'; '.join(correction_changes(checklist, entry))}); alasan: {entry.reason}"
            )
    return ([""] if lines else []) + lines


def _spent(c: Completion, calendar: WorkCalendar) -> str:
    text = calendar.format_minutes(c.elapsed) + (" (*)" if c.over else "")
    if c.waiting:
        text += f" +{calendar.format_minutes(c.waiting)} luar"
    return text


def _status_rows(row: StepStatus, calendar: WorkCalendar) -> list[str]:
    head = f"{row.spec.number:>3}  {row.state:<14}"
    c = row.done
    if c is None:
        lines = [f"{head} {'-':<16} {'-':<16} {'-':<24} {row.spec.time!s:<9} -"]
    else:
        at = f"{c.event.at.astimezone(calendar.tz):%Y-%m-%d %H:%M}"
        text = one_line_cell(c.event.output or "-", 40)
        text += f" [keputusan: {c.event.decision}]" if c.event.decision else ""
        text += f" (catatan: {one_line_cell(c.event.note, 40)})" if c.event.note else ""
        lines = [
            f"{head} {one_line_cell(c.event.by, 16):<16} {at:<16} {_spent(c, calendar):<24} "
            f"{row.spec.time!s:<9} {text}"
        ]
    for old in row.history:
        decision = f", keputusan: {old.event.decision}" if old.event.decision else ""
        decision += f", catatan: {one_line_cell(old.event.note, 40)}" if old.event.note else ""
        lines.append(
            f"{'':>5}putaran {old.event.pass_no}: {old.event.by}, "
            f"{old.event.at.astimezone(calendar.tz):%Y-%m-%d %H:%M}, "
            f"{_spent(old, calendar)}{decision}"
        )
    return lines


def _next_text(status: CycleStatus, calendar: WorkCalendar) -> str:
    cancel = status.checklist.cancelled
    if cancel is not None:
        return (
            f"SIKLUS DIBATALKAN oleh {cancel.by} pada {show_time(cancel.recorded, calendar.tz)}; "
            f"alasan: {cancel.reason}"
        )
    if status.complete and status.finished is not None:
        total = calendar.minutes_between(status.checklist.started, status.finished)
        return (
            f"Siklus selesai {show_time(status.finished, calendar.tz)}; lama kerja "
            f"{calendar.format_minutes(total)} dalam {status.state.pass_no} putaran."
        )
    text = allowed_text(status.checklist, status.state)
    if status.state.next_step is not None:
        lanes = ", ".join(status.checklist.step(status.state.next_step).actors)
        text += f"\nPelaksana berikutnya: {lanes}"
        if status.checklist.step(status.state.next_step).outside:
            text += " (pihak luar: waktu tunggunya bukan keterlambatan kantor)"
    if status.due is not None:
        text += f"\nJatuh tempo: {show_time(status.due, calendar.tz)}"
        if status.overdue:
            text += f" (TERLAMBAT; sudah berjalan {calendar.format_minutes(status.waiting)})"
    return text


def started_text(path: Path, checklist: Checklist) -> str:
    """What `sop run start` prints."""
    tz = ZoneInfo(checklist.timezone)
    return (
        f"Siklus {checklist.run_id} SOP {checklist.sop_number} {checklist.sop_name} dimulai "
        f"{show_time(checklist.started, tz)}.\nBerkas: {path}\n"
        + allowed_text(checklist, initial_state(checklist))
    )


def done_text(checklist: Checklist, state: State, calendar: WorkCalendar) -> str:
    """What `sop run done` prints after recording the last event of `checklist`."""
    event = checklist.events[-1]
    spent = completions(checklist, calendar)[-1]
    decision = f", keputusan: {event.decision}" if event.decision else ""
    waited = (
        f" (ditambah {calendar.format_minutes(spent.waiting)} menunggu pihak luar, tidak "
        "dihitung sebagai keterlambatan kantor)"
        if spent.waiting
        else ""
    )
    lines = [
        f"Langkah {event.step} dicatat selesai oleh {event.by} pada "
        f"{show_time(event.at, calendar.tz)} (putaran {event.pass_no}{decision}).",
        f"Lama kerja {calendar.format_minutes(spent.elapsed)}, baku "
        f"{calendar.format_minutes(spent.standard)}"
        + (": MELEBIHI BAKU" if spent.over else "")
        + waited
        + ".",
    ]
    if state.reopened:
        steps = ", ".join(map(str, state.reopened))
        lines.append(f"Langkah {steps} dibuka kembali; putaran {state.pass_no} dimulai.")
    lines.append(allowed_text(checklist, state))
    return "\n".join(lines)


def corrected_text(checklist: Checklist, state: State) -> str:
    """What `sop run koreksi` prints after recording the last entry (a correction)."""
    entry = checklist.entries[-1]
    assert isinstance(entry, Correction)
    tz = ZoneInfo(checklist.timezone)
    step = getattr(checklist.entries[entry.target - 1], "step", "?")
    lines = [
        f"Koreksi langkah {step} (catatan nomor {entry.target}) dicatat oleh {entry.by} pada "
        f"{show_time(entry.recorded, tz)}: {'; '.join(correction_changes(checklist, entry))}.",
        "Catatan asli tetap tersimpan di riwayat.",
    ]
    dropped = sorted(checklist.history.dropped - apply_entries(checklist.entries[:-1]).dropped)
    if dropped:
        steps = ", ".join(str(checklist.entries[i].step) for i in dropped)  # type: ignore[union-attr]
        lines.append(
            f"Keputusan berubah: catatan langkah {steps} sesudahnya tidak berlaku lagi; "
            "alur dibuka kembali dari langkah ini."
        )
    lines.append(allowed_text(checklist, state))
    return "\n".join(lines)
