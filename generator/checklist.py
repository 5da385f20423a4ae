"""Cycle checklists: each carrying-out of an SOP (a run) and the proof that it was followed.

A checklist file ``sop_data/checklist/<slug>/<run>.yaml`` holds a snapshot of the SOP's flow
taken when the cycle started (so an SOP edited mid-cycle is noticed, never mixed in) and an
append-only history of completions. Everything that decides what may happen is pure: given the
snapshot and the events, `replay` says which step may be done now, which passes ran and what
was reopened; `cycle_status` adds elapsed working time against each step's standard. Time is
always passed in. The only side effects live in the small store at the end of this module:
strict reading (a hand-broken file is a located error and is never overwritten) and atomic,
locked writes (temporary file in the same folder, fsync, rename).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import statistics
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import filelock
import yaml

from generator import flow
from generator.errors import Problem, UserError, storage_error
from generator.model import (
    DURATION_PATTERN,
    SLUG_PATTERN,
    Duration,
    Office,
    Sop,
    foreign_char_hint,
    is_reserved_name,
)
from generator.yamlread import Path_, YamlRefused, read_yaml

CHECKLIST_DIR = "checklist"
RUN_ID_PATTERN = SLUG_PATTERN
MAX_RUN_ID = 64
LOCK_TIMEOUT = 30.0
DECISIONS = ("ya", "tidak")
NOW_ENV = "SOP_NOW"
END_WORD = "selesai"  # berikutnya: selesai -- the procedure ends after this step
MAX_TEXT = 2000

# --------------------------------------------------------------------------- time


@dataclass(frozen=True)
class WorkCalendar:
    """The office's working time: daily hours, working weekdays, holidays, time zone."""

    tz: ZoneInfo
    start: int = 8 * 60
    end: int = 16 * 60
    days: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    holidays: frozenset[date] = frozenset()

    @classmethod
    def of(cls, office: Office) -> WorkCalendar:
        """The calendar from instansi.yaml (jam_kerja, hari_libur, zona_waktu)."""
        hours = office.working_hours
        return cls(
            tz=office_zone(office),
            start=_minute_of_day(hours.start),
            end=_minute_of_day(hours.end),
            days=frozenset(hours.days),
            holidays=frozenset(office.holidays),
        )

    @property
    def hours_per_day(self) -> float:
        """Length of one working day in hours."""
        return max(self.end - self.start, 0) / 60

    @property
    def works(self) -> bool:
        """False when the calendar has no working time at all."""
        return self.end > self.start and bool(self.days & {1, 2, 3, 4, 5, 6, 7})

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        if day.isoweekday() not in self.days or day in self.holidays or self.end <= self.start:
            return None
        base = datetime(day.year, day.month, day.day, tzinfo=self.tz)
        return base + timedelta(minutes=self.start), base + timedelta(minutes=self.end)

    def minutes_between(self, start: datetime, end: datetime) -> int:
        """Working minutes (rounded down) from `start` to `end`; 0 if end is not later."""
        if end <= start:
            return 0
        seconds = 0.0
        day, last = start.astimezone(self.tz).date(), end.astimezone(self.tz).date()
        while day <= last:
            window = self._window(day)
            if window:
                seconds += max(0.0, (min(end, window[1]) - max(start, window[0])).total_seconds())
            day += timedelta(days=1)
        return int(seconds // 60)

    def add_minutes(self, start: datetime, minutes: int) -> datetime | None:
        """The moment `minutes` working minutes after `start`; None without working time."""
        if not self.works:
            return None
        remaining = minutes * 60.0
        day = start.astimezone(self.tz).date()
        for _ in range(366 * 20):
            window = self._window(day)
            if window and window[1] > start:
                begin = max(start, window[0])
                available = (window[1] - begin).total_seconds()
                if remaining <= available:
                    return (begin + timedelta(seconds=remaining)).astimezone(self.tz)
                remaining -= available
            day += timedelta(days=1)
        return None

    def format_minutes(self, minutes: int) -> str:
        """Working minutes as "1 hari 2 jam 5 menit" (a day is one working day)."""
        day = self.end - self.start
        days, rest = divmod(minutes, day) if day > 0 else (0, minutes)
        hours, mins = divmod(rest, 60)
        parts = [f"{n} {u}" for n, u in ((days, "hari"), (hours, "jam"), (mins, "menit")) if n]
        return " ".join(parts) or "0 menit"


def _minute_of_day(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def office_zone(office: Office) -> ZoneInfo:
    """The office's time zone (zona_waktu), or a UserError naming the bad value."""
    try:
        return ZoneInfo(office.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            f"zona_waktu '{office.timezone}' di instansi.yaml tidak dikenal; "
            "tulis mis. Asia/Makassar (WITA), Asia/Jakarta (WIB) atau Asia/Jayapura (WIT)"
        ) from None


_TIME_HINT = "tulis TTTT-BB-HH JJ:MM, mis. 2024-03-04 09:30 (waktu kantor)"


# ASCII digits only: Python's \d would also take Arabic-Indic or full-width digits.
_TIME_PATTERN = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2})?(Z|[+-][0-9]{2}:?[0-9]{2})?"
)


def parse_time(text: str, tz: ZoneInfo, today: date | None = None) -> datetime:
    """A time typed by a user, in the office's zone unless an offset is given.

    Accepted: "2024-03-04 09:30", ISO 8601 ("2024-03-04T09:30:00+08:00"), and "09:30" (on
    `today`, when given). Seconds are kept, microseconds dropped.
    """
    value = text.strip()
    if today is not None and re.fullmatch(r"[0-9]{1,2}:[0-9]{2}", value):
        value = f"{today.isoformat()} {value.zfill(5)}"
    if not re.fullmatch(_TIME_PATTERN, value):
        raise UserError(f"waktu '{text}' tidak dapat dibaca; {_TIME_HINT}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UserError(f"waktu '{text}' tidak ada di kalender; {_TIME_HINT}") from None
    moment = moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)
    return moment.replace(microsecond=0)


def current_time(tz: ZoneInfo, override: str | None = None) -> datetime:
    """Now in the office's zone; `override` (the hidden --now) or $SOP_NOW replace the clock."""
    override = override or os.environ.get(NOW_ENV) or None
    if override:
        return parse_time(override, tz)
    return datetime.now(tz).replace(microsecond=0)


def show_time(moment: datetime, tz: ZoneInfo) -> str:
    """A time for messages: "2024-03-04 09:30 WITA"."""
    local = moment.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class StepSpec:
    """One step as the cycle knows it: a snapshot taken when the cycle started."""

    number: int
    description: str
    actors: tuple[str, ...]
    time: Duration
    output: str = ""
    next: int | None = None
    yes: int | None = None
    no: int | None = None

    @property
    def is_decision(self) -> bool:
        """True for a decision (Ya/Tidak)."""
        return self.yes is not None

    def after(self, decision: str = "") -> int | None:
        """The step that follows this one (given the answer of a decision); None ends."""
        if self.is_decision:
            return self.yes if decision == "ya" else self.no
        return self.next


@dataclass(frozen=True)
class Event:
    """One recorded completion of a step."""

    step: int
    pass_no: int
    by: str
    at: datetime
    recorded: datetime
    output: str = ""
    note: str = ""
    decision: str = ""


@dataclass(frozen=True)
class Checklist:
    """One cycle of an SOP: identity, the flow snapshot, and the event history."""

    slug: str
    run_id: str
    sop_number: str
    sop_name: str
    revised: str
    content_hash: str
    timezone: str
    started: datetime
    steps: tuple[StepSpec, ...]
    events: tuple[Event, ...] = ()

    def step(self, number: int) -> StepSpec:
        """The step with this 1-based number."""
        return self.steps[number - 1]

    def has_step(self, number: int) -> bool:
        """True when the snapshot has this step."""
        return 1 <= number <= len(self.steps)


def content_hash(sop: Sop) -> str:
    """A hash of the SOP's content (not its comments or layout)."""
    data = json.dumps(
        sop.model_dump(mode="json", by_alias=True), sort_keys=True, ensure_ascii=False
    )
    return "sha256:" + hashlib.sha256(data.encode("utf-8")).hexdigest()


def snapshot(sop: Sop) -> tuple[StepSpec, ...]:
    """The SOP's steps and flow (from `generator.flow`) as the cycle will follow them."""
    specs = []
    for step in sop.steps:
        targets = {e.kind: e.target for e in flow.successors(sop, step.number)}
        specs.append(
            StepSpec(
                number=step.number,
                description=step.description,
                actors=tuple(sop.lanes.get(a, a) for a in step.actors),
                time=step.time,
                output=step.output,
                next=targets.get("next", targets.get("goto")),
                yes=targets.get("yes"),
                no=targets.get("no"),
            )
        )
    return tuple(specs)


def new_checklist(sop: Sop, run_id: str, started: datetime, tz: ZoneInfo) -> Checklist:
    """A cycle of `sop` that has just started, with no event yet."""
    return Checklist(
        slug=sop.slug,
        run_id=run_id,
        sop_number=sop.number,
        sop_name=sop.name,
        revised=sop.revised.isoformat() if sop.revised else "-",
        content_hash=content_hash(sop),
        timezone=tz.key,
        started=started,
        steps=snapshot(sop),
    )


def sop_changes(checklist: Checklist, sop: Sop | None) -> list[str]:
    """Warnings when the SOP was edited (or removed) since the cycle started."""
    if sop is None:
        return [
            f"SOP '{checklist.slug}' tidak ada lagi di folder data; siklus {checklist.run_id} "
            "tetap mengikuti langkah saat siklus dimulai"
        ]
    if content_hash(sop) == checklist.content_hash:
        return []
    what = []
    if sop.number != checklist.sop_number:
        what.append(f"nomor {checklist.sop_number} -> {sop.number}")
    revised = sop.revised.isoformat() if sop.revised else "-"
    if revised != checklist.revised:
        what.append(f"tanggal revisi {checklist.revised} -> {revised}")
    detail = f" ({'; '.join(what)})" if what else ""
    return [
        f"SOP '{checklist.slug}' telah diubah sejak siklus {checklist.run_id} dimulai{detail}; "
        "siklus ini tetap mengikuti langkah saat siklus dimulai"
    ]


# --------------------------------------------------------------------------- state


@dataclass(frozen=True)
class State:
    """Where a cycle stands after some events.

    `current` maps each step done in the running pass to the index of its event; a move to a
    step already in `current` (a "tidak" loop, or a `lanjut` back) reopens the steps done
    since that step and starts a new pass.
    """

    current: Mapping[int, int]
    next_step: int | None
    pass_no: int
    last_at: datetime
    started: bool = False
    reopened: tuple[int, ...] = ()
    last_step: int | None = None

    @property
    def complete(self) -> bool:
        """True when the procedure reached an end."""
        return self.started and self.next_step is None

    @property
    def allowed(self) -> list[int]:
        """The step numbers that may be done now."""
        return [self.next_step] if self.next_step is not None else []


def initial_state(checklist: Checklist) -> State:
    """The state of a cycle before its first event."""
    return State(current={}, next_step=1, pass_no=1, last_at=checklist.started)


def advance(checklist: Checklist, state: State, event: Event, index: int) -> State:
    """The state after `event` (the `index`-th event), assumed allowed."""
    current = dict(state.current)
    current[event.step] = index
    target = checklist.step(event.step).after(event.decision)
    pass_no, reopened = state.pass_no, ()
    if target is not None and target in current:
        since = current[target]
        reopened = tuple(sorted(s for s, i in current.items() if i >= since))
        current = {s: i for s, i in current.items() if i < since}
        pass_no += 1
    return State(current, target, pass_no, event.at, True, reopened, event.step)


def refusal(
    checklist: Checklist, state: State, step: int, decision: str, at: datetime
) -> str | None:
    """Why completing `step` now is not allowed, or None when it is."""
    return order_refusal(checklist, state, step, decision) or time_refusal(checklist, state, at)


def order_refusal(checklist: Checklist, state: State, step: int, decision: str) -> str | None:
    """Why the flow does not allow `step` (with this answer) now, or None."""
    tz = ZoneInfo(checklist.timezone)
    if not checklist.has_step(step):
        return f"langkah {step} tidak ada; SOP ini memiliki langkah 1 sampai {len(checklist.steps)}"
    if state.complete:
        return "siklus ini sudah selesai"
    if step != state.next_step:
        if step in state.current:
            done = checklist.events[state.current[step]]
            return f"langkah {step} sudah dikerjakan oleh {done.by} pada {show_time(done.at, tz)}"
        return f"langkah {step} belum dapat dikerjakan"
    spec = checklist.step(step)
    if spec.is_decision and decision not in DECISIONS:
        return (
            f"langkah {step} adalah keputusan; tambahkan --decision ya (ke langkah {spec.yes}) "
            f"atau --decision tidak (ke langkah {spec.no})"
        )
    if not spec.is_decision and decision:
        return f"langkah {step} bukan keputusan; hapus --decision"
    return None


def time_refusal(checklist: Checklist, state: State, at: datetime) -> str | None:
    """Why `at` cannot be the finishing time of the next step (before the previous), or None."""
    if at >= state.last_at:
        return None
    tz = ZoneInfo(checklist.timezone)
    before = (
        f"langkah sebelumnya (langkah {state.last_step}, selesai "
        if state.last_step is not None
        else "mulainya siklus ("
    )
    return (
        f"waktu selesai {show_time(at, tz)} lebih awal dari {before}{show_time(state.last_at, tz)})"
    )


def allowed_text(checklist: Checklist, state: State) -> str:
    """The sentence that tells a clerk what may be done now."""
    if state.complete:
        return "Siklus sudah selesai: tidak ada langkah yang dapat dikerjakan lagi."
    spec = checklist.step(state.next_step or 1)
    return f"Langkah yang dapat dikerjakan sekarang: {spec.number} ({spec.description})"


def replay(checklist: Checklist) -> State:
    """The state after every event; an illegal event raises `IllegalEvent`."""
    state = initial_state(checklist)
    for index, event in enumerate(checklist.events):
        reason = order_refusal(checklist, state, event.step, event.decision)
        if reason is not None:
            raise IllegalEvent(index, "langkah", reason)
        reason = time_refusal(checklist, state, event.at)
        if reason is not None:
            raise IllegalEvent(index, "waktu_selesai", reason)
        if event.pass_no != state.pass_no:
            raise IllegalEvent(index, "putaran", f"putaran seharusnya {state.pass_no}")
        state = advance(checklist, state, event, index)
    return state


class IllegalEvent(ValueError):
    """An event in a file that the flow does not allow at its place (a hand edit)."""

    def __init__(self, index: int, field: str, message: str):
        super().__init__(message)
        self.index, self.field, self.message = index, field, message


def complete_step(
    checklist: Checklist,
    step: int,
    by: str,
    at: datetime,
    now: datetime,
    output: str = "",
    note: str = "",
    decision: str = "",
) -> tuple[Checklist, State]:
    """The checklist with one more completion, or a UserError saying what is allowed now."""
    state = replay(checklist)
    tz = ZoneInfo(checklist.timezone)
    reason = refusal(checklist, state, step, decision, at)
    if reason is None and at > now:
        reason = f"waktu selesai {show_time(at, tz)} belum terjadi (sekarang {show_time(now, tz)})"
    if reason is not None:
        raise UserError(f"Ditolak: {reason}.\n{allowed_text(checklist, state)}")
    event = Event(step, state.pass_no, by, at, now, output, note, decision)
    updated = replace(checklist, events=(*checklist.events, event))
    return updated, advance(updated, state, event, len(checklist.events))


def parse_step(text: str) -> int:
    """A step number typed on the command line."""
    if not re.fullmatch(r"\s*[0-9]{1,6}\s*", text):
        raise UserError(f"nomor langkah '{text}' tidak sah; tulis angka, mis. 5")
    return int(text)


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
    lines = [
        f"Langkah {event.step} dicatat selesai oleh {event.by} pada "
        f"{show_time(event.at, calendar.tz)} (putaran {event.pass_no}{decision}).",
        f"Lama kerja {calendar.format_minutes(spent.elapsed)}, baku "
        f"{calendar.format_minutes(spent.standard)}" + (": MELEBIHI BAKU." if spent.over else "."),
    ]
    if state.reopened:
        steps = ", ".join(map(str, state.reopened))
        lines.append(f"Langkah {steps} dibuka kembali; putaran {state.pass_no} dimulai.")
    lines.append(allowed_text(checklist, state))
    return "\n".join(lines)


# --------------------------------------------------------------------------- status


@dataclass(frozen=True)
class Completion:
    """One event with the working time it took (since the event or start before it)."""

    event: Event
    elapsed: int
    standard: int

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
    def over_steps(self) -> list[int]:
        """Steps whose latest completion took longer than standard, plus an overdue next."""
        over = [s.spec.number for s in self.steps if s.done and s.done.over]
        if self.overdue and self.state.next_step is not None:
            over.append(self.state.next_step)
        return sorted(over)


def completions(checklist: Checklist, calendar: WorkCalendar) -> list[Completion]:
    """Every event with its elapsed working time against the step's standard."""
    result, previous = [], checklist.started
    for event in checklist.events:
        standard = checklist.step(event.step).time.working_minutes(calendar.hours_per_day)
        result.append(Completion(event, calendar.minutes_between(previous, event.at), standard))
        previous = event.at
    return result


def remaining_path(checklist: Checklist, state: State) -> list[int]:
    """The steps still ahead on the normal way (taking "ya") from the next step to an end."""
    path: list[int] = []
    current = state.next_step
    while current is not None and current not in path and current not in state.current:
        path.append(current)
        current = checklist.step(current).after("ya")
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
    if state.next_step is not None:
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
        "over_standard": c.over,
    }


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
        "finished": status.finished.astimezone(tz).isoformat() if status.finished else None,
        "next": status.state.allowed,
        "pass": status.state.pass_no,
        "done": status.done,
        "total": status.total,
        "due": status.due.astimezone(tz).isoformat() if status.due else None,
        "overdue": status.overdue,
        "over_standard_steps": status.over_steps,
        "warnings": list(status.warnings),
        "steps": steps,
    }


def _cell(text: str, width: int) -> str:
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
    lines.append("")
    lines.append(_next_text(status, calendar))
    return "\n".join(lines) + "\n"


def _spent(c: Completion, calendar: WorkCalendar) -> str:
    return calendar.format_minutes(c.elapsed) + (" (*)" if c.over else "")


def _status_rows(row: StepStatus, calendar: WorkCalendar) -> list[str]:
    head = f"{row.spec.number:>3}  {row.state:<14}"
    c = row.done
    if c is None:
        lines = [f"{head} {'-':<16} {'-':<16} {'-':<24} {row.spec.time!s:<9} -"]
    else:
        at = f"{c.event.at.astimezone(calendar.tz):%Y-%m-%d %H:%M}"
        text = _cell(c.event.output or "-", 40)
        text += f" [keputusan: {c.event.decision}]" if c.event.decision else ""
        text += f" (catatan: {_cell(c.event.note, 40)})" if c.event.note else ""
        lines = [
            f"{head} {_cell(c.event.by, 16):<16} {at:<16} {_spent(c, calendar):<24} "
            f"{row.spec.time!s:<9} {text}"
        ]
    for old in row.history:
        decision = f", keputusan: {old.event.decision}" if old.event.decision else ""
        decision += f", catatan: {_cell(old.event.note, 40)}" if old.event.note else ""
        lines.append(
            f"{'':>5}putaran {old.event.pass_no}: {old.event.by}, "
            f"{old.event.at.astimezone(calendar.tz):%Y-%m-%d %H:%M}, "
            f"{_spent(old, calendar)}{decision}"
        )
    return lines


def _next_text(status: CycleStatus, calendar: WorkCalendar) -> str:
    if status.complete and status.finished is not None:
        total = calendar.minutes_between(status.checklist.started, status.finished)
        return (
            f"Siklus selesai {show_time(status.finished, calendar.tz)}; lama kerja "
            f"{calendar.format_minutes(total)} dalam {status.state.pass_no} putaran."
        )
    text = allowed_text(status.checklist, status.state)
    if status.due is not None:
        text += f"\nJatuh tempo: {show_time(status.due, calendar.tz)}"
        if status.overdue:
            text += f" (TERLAMBAT; sudah berjalan {calendar.format_minutes(status.waiting)})"
    return text


# --------------------------------------------------------------------------- summaries


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
    """
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
        if s.complete and s.finished:
            state = f"selesai {s.finished.astimezone(calendar.tz):%Y-%m-%d %H:%M}"
        else:
            state = "berikutnya: langkah " + ", ".join(map(str, s.next))
            state += " (TERLAMBAT)" if s.overdue else ""
        if [n for n in s.over_steps if n not in s.next]:
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
        "finished": summary.finished.astimezone(tz).isoformat() if summary.finished else None,
        "done": summary.done,
        "total": summary.total,
        "next": list(summary.next),
        "pass": summary.passes,
        "overdue": summary.overdue,
        "due": summary.due.astimezone(tz).isoformat() if summary.due else None,
        "over_standard_steps": list(summary.over_steps),
        "working_minutes": summary.working_minutes,
    }


# --------------------------------------------------------------------------- YAML form

_HEADER = (
    "# Daftar periksa satu siklus SOP, ditulis oleh perintah `sop run`.\n"
    "# Bagian 'langkah' adalah salinan alur SOP saat siklus dimulai; 'riwayat' mencatat setiap\n"
    "# langkah yang selesai, berurutan. Jangan mengubah berkas ini dengan tangan: catat langkah\n"
    "# dengan `sop run done`.\n"
)


class _Dumper(yaml.SafeDumper):
    """Block style, indented lists, no anchors; only null and boolean words get quoted."""

    def ignore_aliases(self, data: Any) -> bool:  # noqa: D102
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:  # noqa: D102
        return super().increase_indent(flow, False)


_KEEP_TAGS = ("tag:yaml.org,2002:null", "tag:yaml.org,2002:bool")
_Dumper.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag in _KEEP_TAGS]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}


def _time_text(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).isoformat()


def _spec_data(spec: StepSpec) -> dict[str, Any]:
    data: dict[str, Any] = {
        "nomor": str(spec.number),
        "uraian": spec.description,
        "pelaksana": list(spec.actors),
        "waktu": str(spec.time),
        "output": spec.output,
    }
    if spec.is_decision:
        data["keputusan"] = {"ya": str(spec.yes), "tidak": str(spec.no)}
    else:
        data["berikutnya"] = str(spec.next) if spec.next is not None else END_WORD
    return data


def _event_data(event: Event, tz: ZoneInfo) -> dict[str, Any]:
    data: dict[str, Any] = {
        "langkah": str(event.step),
        "putaran": str(event.pass_no),
        "oleh": event.by,
        "waktu_selesai": _time_text(event.at, tz),
        "dicatat": _time_text(event.recorded, tz),
    }
    if event.decision:
        data["keputusan"] = event.decision
    if event.output:
        data["output"] = event.output
    if event.note:
        data["catatan"] = event.note
    return data


def dump_checklist(checklist: Checklist) -> str:
    """The checklist as the YAML text written to its file (readable by `read_yaml`)."""
    tz = ZoneInfo(checklist.timezone)
    data = {
        "sop": checklist.slug,
        "siklus": checklist.run_id,
        "nomor": checklist.sop_number,
        "nama": checklist.sop_name,
        "tanggal_revisi": checklist.revised,
        "hash_isi": checklist.content_hash,
        "zona_waktu": checklist.timezone,
        "dimulai": _time_text(checklist.started, tz),
        "langkah": [_spec_data(s) for s in checklist.steps],
        "riwayat": [_event_data(e, tz) for e in checklist.events],
    }
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=4096,
    )
    return _HEADER + body


_TOP_KEYS = (
    "sop",
    "siklus",
    "nomor",
    "nama",
    "tanggal_revisi",
    "hash_isi",
    "zona_waktu",
    "dimulai",
    "langkah",
    "riwayat",
)
_SPEC_KEYS = ("nomor", "uraian", "pelaksana", "waktu", "output")
_SPEC_OPTIONAL = ("keputusan", "berikutnya")
_EVENT_KEYS = ("langkah", "putaran", "oleh", "waktu_selesai", "dicatat")
_EVENT_OPTIONAL = ("keputusan", "output", "catatan")
_HAND_HINT = "berkas daftar periksa ditulis oleh `sop run`; kembalikan isinya (mis. dari cadangan)"


def _display(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Fields:
    """Strict, located access to the plain data of one checklist document."""

    def __init__(self, doc: Any, source: str):
        self.doc, self.source = doc, source

    def fail(self, path: Path_, message: str, *, key: bool = False) -> NoReturn:
        """Raise a located UserError about the node at `path`."""
        line, col = self.doc.position(path, key=key)
        raise UserError([Problem(self.source, line, col, _display(path), message, _HAND_HINT)])

    def get(self, path: Path_) -> Any:
        """The value at `path` (which exists)."""
        value = self.doc.data
        for part in path:
            value = value[part]
        return value

    def mapping(self, path: Path_, required: Sequence[str], optional: Sequence[str] = ()) -> None:
        """The node is a mapping with every required key and no unknown key."""
        value = self.get(path)
        if not isinstance(value, dict):
            self.fail(path, "harus berupa pemetaan 'kunci: nilai'")
        for key in value:
            if key not in required and key not in optional:
                self.fail((*path, key), f"kunci '{key}' tidak dikenal", key=True)
        for key in required:
            if key not in value:
                self.fail(path, f"kunci '{key}' tidak ada")

    def items(self, path: Path_) -> list[Any]:
        """The node is a list (an empty value counts as an empty list)."""
        value = self.get(path)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, "harus berupa daftar")
        return value

    def text(self, path: Path_, *, required: bool = True) -> str:
        """The node is text (empty allowed unless required)."""
        value = self.get(path)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(path, "harus berupa teks yang tidak kosong" if required else "harus teks")
        return value

    def number(self, path: Path_) -> int:
        """The node is a positive whole number."""
        value = self.text(path)
        if not re.fullmatch(r"[1-9][0-9]{0,5}", value):
            self.fail(path, f"'{value}' bukan bilangan bulat positif")
        return int(value)

    def time(self, path: Path_) -> datetime:
        """The node is an ISO 8601 time with offset."""
        value = self.text(path)
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            self.fail(path, f"'{value}' bukan waktu ISO 8601 dengan zona, mis. {_EXAMPLE}")
        return moment


_EXAMPLE = "2024-03-04T09:30:00+08:00"


def _read_spec(f: _Fields, i: int, count: int) -> StepSpec:
    path: Path_ = ("langkah", i)
    f.mapping(path, _SPEC_KEYS, _SPEC_OPTIONAL)
    if f.number((*path, "nomor")) != i + 1:
        f.fail((*path, "nomor"), f"nomor langkah seharusnya {i + 1}")
    time_text = f.text((*path, "waktu"))
    match = re.fullmatch(DURATION_PATTERN, time_text)
    if not match or int(match.group(1)) == 0:
        f.fail((*path, "waktu"), f"waktu '{time_text}' tidak dapat dibaca")
    actors = f.items((*path, "pelaksana"))
    for j in range(len(actors)):
        f.text((*path, "pelaksana", j))
    raw = f.get(path)
    if ("keputusan" in raw) == ("berikutnya" in raw):
        f.fail(path, "tulis tepat satu dari: keputusan, berikutnya")
    links: dict[str, int | None] = {}
    if "keputusan" in raw:
        f.mapping((*path, "keputusan"), DECISIONS)
        links = {k: f.number((*path, "keputusan", k)) for k in DECISIONS}
    elif f.text((*path, "berikutnya")) != END_WORD:
        links = {"next": f.number((*path, "berikutnya"))}
    for name, target in links.items():
        if target is not None and not 1 <= target <= count:
            where = (*path, "keputusan", name) if name in DECISIONS else (*path, "berikutnya")
            f.fail(where, f"langkah {target} tidak ada")
    return StepSpec(
        number=i + 1,
        description=f.text((*path, "uraian")),
        actors=tuple(actors),
        time=Duration(int(match.group(1)), match.group(2)),  # type: ignore[arg-type]
        output=f.text((*path, "output"), required=False),
        next=links.get("next"),
        yes=links.get("ya"),
        no=links.get("tidak"),
    )


def _read_event(f: _Fields, i: int) -> Event:
    path: Path_ = ("riwayat", i)
    f.mapping(path, _EVENT_KEYS, _EVENT_OPTIONAL)
    raw = f.get(path)
    decision = f.text((*path, "keputusan")) if "keputusan" in raw else ""
    if decision and decision not in DECISIONS:
        f.fail((*path, "keputusan"), "harus ya atau tidak")
    return Event(
        step=f.number((*path, "langkah")),
        pass_no=f.number((*path, "putaran")),
        by=f.text((*path, "oleh")),
        at=f.time((*path, "waktu_selesai")),
        recorded=f.time((*path, "dicatat")),
        output=f.text((*path, "output"), required=False) if "output" in raw else "",
        note=f.text((*path, "catatan"), required=False) if "catatan" in raw else "",
        decision=decision,
    )


def parse_checklist(raw: bytes, source: str, expect: tuple[str, str] | None = None) -> Checklist:
    """Read a checklist file's bytes strictly; every mistake is a located UserError.

    `expect` is the (slug, run id) the file's place names; the file must agree with it.
    """
    try:
        doc = read_yaml(raw)
    except YamlRefused as exc:
        raise UserError(
            [Problem(source, i.line, i.column, "", i.message, i.hint) for i in exc.issues]
        ) from None
    if not isinstance(doc.data, dict):
        raise UserError([Problem(source, 1, 1, "", "berkas daftar periksa kosong atau rusak")])
    f = _Fields(doc, source)
    f.mapping((), _TOP_KEYS)
    for key, want in zip(("sop", "siklus"), expect or (), strict=False):
        if f.text((key,)) != want:
            f.fail((key,), f"seharusnya '{want}' sesuai letak berkas")
    zone = f.text(("zona_waktu",))
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        f.fail(("zona_waktu",), f"zona waktu '{zone}' tidak dikenal")
    specs = f.items(("langkah",))
    if not specs:
        f.fail(("langkah",), "daftar langkah kosong")
    checklist = Checklist(
        slug=f.text(("sop",)),
        run_id=f.text(("siklus",)),
        sop_number=f.text(("nomor",)),
        sop_name=f.text(("nama",)),
        revised=f.text(("tanggal_revisi",)),
        content_hash=f.text(("hash_isi",)),
        timezone=zone,
        started=f.time(("dimulai",)),
        steps=tuple(_read_spec(f, i, len(specs)) for i in range(len(specs))),
        events=tuple(_read_event(f, i) for i in range(len(f.items(("riwayat",))))),
    )
    try:
        replay(checklist)
    except IllegalEvent as exc:
        f.fail(("riwayat", exc.index, exc.field), exc.message)
    return checklist


# --------------------------------------------------------------------------- store


def validate_run_id(run_id: str) -> str:
    """The run id if it is safe as a file name ([a-z0-9] words joined by '-')."""
    if is_reserved_name(run_id):
        raise UserError(f"id siklus '{run_id}' adalah nama perangkat Windows; pilih id lain")
    if foreign_char_hint(run_id):
        raise UserError(f"id siklus '{run_id}' tidak sah: {foreign_char_hint(run_id)}")
    if len(run_id) > MAX_RUN_ID or not re.fullmatch(RUN_ID_PATTERN, run_id):
        raise UserError(
            f"id siklus '{run_id}' tidak sah; gunakan huruf kecil, angka dan tanda hubung "
            f"(paling panjang {MAX_RUN_ID}), mis. 2024-03-04 atau 2024-tw1"
        )
    return run_id


def validate_slug(slug: str) -> str:
    """The SOP slug if it is safe as a folder name."""
    if is_reserved_name(slug):
        raise UserError(f"nama SOP '{slug}' adalah nama perangkat Windows; pilih nama lain")
    if foreign_char_hint(slug):
        raise UserError(f"nama SOP '{slug}' tidak sah: {foreign_char_hint(slug)}")
    if not re.fullmatch(SLUG_PATTERN, slug):
        raise UserError(
            f"nama SOP '{slug}' tidak sah; gunakan huruf kecil, angka dan tanda hubung, "
            "mis. evaluasi-kinerja-kecamatan"
        )
    return slug


def checklist_path(data_dir: Path | str, slug: str, run_id: str) -> Path:
    """Where the checklist of this cycle lives: <data>/checklist/<slug>/<run>.yaml."""
    return Path(data_dir) / CHECKLIST_DIR / validate_slug(slug) / f"{validate_run_id(run_id)}.yaml"


def _store_error(exc: OSError, path: Path) -> UserError:
    """A failed write of the store; `write_atomic` keeps the file that was there whole."""
    return storage_error(
        exc,
        str(path),
        "daftar periksa tidak dapat disimpan",
        "berkas daftar periksa yang ada tidak berubah",
    )


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    lock = filelock.FileLock(str(path.parent / f".{path.name}.lock"), timeout=LOCK_TIMEOUT)
    try:
        with lock:
            for stale in path.parent.glob(f".{path.name}.*.tmp"):
                stale.unlink(missing_ok=True)  # left by a killed writer; we hold the lock
            yield
    except filelock.Timeout:
        raise UserError(
            f"berkas {path} sedang dipakai proses lain lebih dari {LOCK_TIMEOUT:.0f} detik; "
            "coba lagi"
        ) from None
    except OSError as exc:  # read-only or full disk, no permission
        raise _store_error(exc, path) from None


def _file_mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so readers see the old or the new file, never a mix."""
    mode = _file_mode(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def read_checklist(path: Path) -> Checklist:
    """Read one checklist file (located errors for any damage)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"berkas daftar periksa {path} tidak ditemukan") from None
    return parse_checklist(raw, str(path), (path.parent.name, path.stem))


def _run_ids(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.yaml") if not p.name.startswith("."))


def _missing_run(data_dir: Path, slug: str, run_id: str) -> UserError:
    known = ", ".join(_run_ids(Path(data_dir) / CHECKLIST_DIR / slug)) or "-"
    return UserError(
        f"siklus '{run_id}' untuk SOP '{slug}' tidak ada; siklus yang ada: {known}\n"
        f"Mulai siklus baru dengan: sop run start {slug} --run {run_id}"
    )


def _check_text(name: str, value: str, *, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise UserError(f"{name} wajib diisi")
    if len(value) > MAX_TEXT:
        raise UserError(f"{name} terlalu panjang (lebih dari {MAX_TEXT} karakter)")
    if any(ord(ch) < 32 and ch not in "\n" for ch in value):
        raise UserError(f"{name} memuat karakter kendali; tulis teks biasa")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):  # undecodable bytes in argv
        raise UserError(f"{name} memuat byte yang bukan teks UTF-8; ketik ulang teksnya")
    if any(0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069 for ch in value):
        raise UserError(f"{name} memuat karakter pengatur arah teks; ketik ulang teksnya")
    return value


def start_run(
    data_dir: Path | str,
    sop: Sop,
    tz: ZoneInfo,
    now: datetime,
    run_id: str | None = None,
    at: datetime | None = None,
) -> tuple[Path, Checklist]:
    """Create the checklist file of a new cycle; the id defaults to the start date."""
    started = at or now
    if started > now:
        raise UserError(
            f"waktu mulai {show_time(started, tz)} belum terjadi (sekarang {show_time(now, tz)})"
        )
    if run_id is not None:
        candidates = [validate_run_id(run_id)]
    else:
        base = started.astimezone(tz).date().isoformat()
        candidates = [base] + [f"{base}-{n}" for n in range(2, 100)]
    folder = Path(data_dir) / CHECKLIST_DIR / validate_slug(sop.slug)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _store_error(exc, folder) from None
    for candidate in candidates:
        path = folder / f"{candidate}.yaml"
        with _locked(path):
            if path.exists():
                continue
            checklist = new_checklist(sop, candidate, started, tz)
            write_atomic(path, dump_checklist(checklist).encode("utf-8"))
            return path, checklist
    raise UserError(
        f"siklus '{candidates[0]}' untuk SOP '{sop.slug}' sudah ada; "
        "pilih id lain dengan --run, mis. --run " + f"{candidates[0]}-ulang"
    )


def record_done(
    data_dir: Path | str,
    slug: str,
    run_id: str,
    step: int,
    by: str,
    now: datetime,
    at: datetime | None = None,
    output: str = "",
    note: str = "",
    decision: str = "",
) -> tuple[Checklist, State]:
    """Append one completion to a cycle's file under its lock; refusals change nothing."""
    path = checklist_path(data_dir, slug, run_id)
    by = _check_text("--by (nama pelaksana)", by, required=True)
    output, note = _check_text("--output", output), _check_text("--note", note)
    decision = decision.strip().lower()
    if decision and decision not in DECISIONS:
        raise UserError(f"--decision harus ya atau tidak, bukan '{decision}'")
    if not path.is_file():
        raise _missing_run(Path(data_dir), slug, run_id)
    with _locked(path):
        checklist = read_checklist(path)
        updated, state = complete_step(checklist, step, by, at or now, now, output, note, decision)
        write_atomic(path, dump_checklist(updated).encode("utf-8"))
    return updated, state


def open_checklist(data_dir: Path | str, slug: str, run_id: str | None = None) -> Checklist:
    """One cycle of an SOP; without `run_id`, the one started last."""
    folder = Path(data_dir) / CHECKLIST_DIR / validate_slug(slug)
    if run_id is not None:
        path = checklist_path(data_dir, slug, run_id)
        if not path.is_file():
            raise _missing_run(Path(data_dir), slug, run_id)
        return read_checklist(path)
    cycles = [read_checklist(folder / f"{r}.yaml") for r in _run_ids(folder)]
    if not cycles:
        raise UserError(f"belum ada siklus untuk SOP '{slug}'; mulai dengan: sop run start {slug}")
    return max(cycles, key=_order)


def _order(checklist: Checklist) -> tuple[datetime, list[Any]]:
    natural = [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", checklist.run_id)]
    return checklist.started, natural


def load_checklists(data_dir: Path | str) -> dict[str, list[Checklist]]:
    """Every checklist under <data>/checklist, read-only, by SOP slug in start order.

    Any damaged or misnamed file makes one UserError listing every located problem.
    """
    root = Path(data_dir) / CHECKLIST_DIR
    result: dict[str, list[Checklist]] = {}
    problems: list[Problem] = []
    folders = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    for folder in folders:
        if folder.name.startswith("."):
            continue
        if not re.fullmatch(SLUG_PATTERN, folder.name):
            problems.append(Problem(str(folder), 0, 0, "", "nama folder siklus tidak sah"))
            continue
        for path in sorted(folder.glob("*.yaml")):
            if path.name.startswith("."):
                continue
            if len(path.stem) > MAX_RUN_ID or not re.fullmatch(RUN_ID_PATTERN, path.stem):
                problems.append(Problem(str(path), 0, 0, "", "nama berkas siklus tidak sah"))
                continue
            try:
                result.setdefault(folder.name, []).append(read_checklist(path))
            except UserError as exc:
                problems += exc.problems
    if problems:
        raise UserError(problems)
    return {slug: sorted(cycles, key=_order) for slug, cycles in result.items()}
