"""The records of a cycle: the SOP snapshot taken at start, the events, the checklist."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from generator import flow
from generator.model import (
    SLUG_PATTERN,
    Duration,
    Sop,
)

CHECKLIST_DIR = "checklist"
RUN_ID_PATTERN = SLUG_PATTERN
MAX_RUN_ID = 64
LOCK_TIMEOUT = 30.0
DECISIONS = ("ya", "tidak")
END_WORD = "selesai"  # berikutnya: selesai -- the procedure ends after this step
MAX_TEXT = 2000


@dataclass(frozen=True)
class StepSpec:
    """One step as the cycle knows it: a snapshot taken when the cycle started."""

    number: int
    description: str
    actors: tuple[str, ...]
    time: Duration
    output: str = ""
    next: int | None = None
    exits: tuple[tuple[str, int | None], ...] = ()  # a decision: (answer, target or None)
    ident: str = ""  # the step's stable `id` in the SOP, when it has one
    outside: bool = False  # every actor is an outside lane (luar: true): not the office's time

    @property
    def is_decision(self) -> bool:
        """True for a decision (2 to 4 answers)."""
        return bool(self.exits)

    @property
    def answers(self) -> tuple[str, ...]:
        """A decision's answers as typed after --decision ('ya', 'tidak', or its labels)."""
        return tuple(word for word, _ in self.exits)

    def answer(self, typed: str) -> str | None:
        """The answer `typed` names (case and spacing ignored), or None."""
        wanted = " ".join(typed.casefold().split())
        return next((w for w in self.answers if " ".join(w.casefold().split()) == wanted), None)

    def after(self, decision: str = "") -> int | None:
        """The step that follows this one (given the answer of a decision); None ends."""
        if self.is_decision:
            return dict(self.exits).get(decision, self.exits[-1][1])
        return self.next

    def main_next(self) -> int | None:
        """The step after this one on the main path (a decision's first answer)."""
        return self.exits[0][1] if self.exits else self.next

    @property
    def text_key(self) -> str:
        """The step's text, case and spacing ignored: its identity when it has no id."""
        return " ".join(self.description.casefold().split())


def step_matcher(steps: Sequence[StepSpec]) -> Callable[[StepSpec], StepSpec | None]:
    """A function giving, for a step of another revision, the step of `steps` that is the same
    step: by stable id when that step has one, else by text (a step of `steps` with another
    id is never matched by text); never by number."""
    by_id = {s.ident: s for s in steps if s.ident}
    by_text: dict[str, StepSpec] = {}
    for spec in steps:
        by_text.setdefault(spec.text_key, spec)

    def match(other: StepSpec) -> StepSpec | None:
        if other.ident and other.ident in by_id:
            return by_id[other.ident]
        found = by_text.get(other.text_key)
        if found is not None and found.ident and other.ident and found.ident != other.ident:
            return None
        return found

    return match


@dataclass(frozen=True)
class Event:
    """One recorded completion of a step (`hash`: its link in the file's hash chain).

    `waited_until` (YAML `menunggu_sampai`, `--menunggu-sampai`): the office waited for an outside
    party (the applicant bringing what was missing) until then; the time before it is reported
    apart and never counts as the office's delay.
    """

    step: int
    pass_no: int
    by: str
    at: datetime
    recorded: datetime
    output: str = ""
    note: str = ""
    decision: str = ""
    hash: str = ""
    waited_until: datetime | None = None  # the office could start only then (outside party)


@dataclass(frozen=True)
class Correction:
    """A correction of an earlier completion (`target`: its 1-based number in the history).

    Each of `at`, `output`, `note`, `decision` is None when unchanged. The corrected entry
    stays in the file; a changed decision drops the completions recorded after it (the flow
    reopens from the corrected step).
    """

    target: int
    by: str
    recorded: datetime
    reason: str
    at: datetime | None = None
    output: str | None = None
    note: str | None = None
    decision: str | None = None
    hash: str = ""


@dataclass(frozen=True)
class Cancellation:
    """The cycle was cancelled (kept, shown as cancelled, left out of statistics)."""

    by: str
    recorded: datetime
    reason: str
    hash: str = ""


Entry = Event | Correction | Cancellation


class IllegalEvent(ValueError):
    """An entry in a file that the flow does not allow at its place (a hand edit).

    `index` is the 0-based position in the file's history ('riwayat'), `field` its key.
    """

    def __init__(self, index: int, field: str, message: str):
        super().__init__(message)
        self.index, self.field, self.message = index, field, message


@dataclass(frozen=True)
class History:
    """The history with corrections applied.

    `events` are the completions in force (corrected values); `origins[i]` is the history
    index of event i, `sources[i]` that of the last entry that set its values (the completion
    or its latest correction). `corrections` maps a completion's history index to the indexes
    of its corrections; `dropped` holds completions a changed decision took out of force.
    """

    events: tuple[Event, ...] = ()
    origins: tuple[int, ...] = ()
    sources: tuple[int, ...] = ()
    corrections: Mapping[int, tuple[int, ...]] = field(default_factory=dict)
    dropped: frozenset[int] = frozenset()
    cancelled: Cancellation | None = None


def apply_entries(entries: Sequence[Entry]) -> History:
    """The completions in force after every entry; a bad reference raises `IllegalEvent`."""
    events: list[Event] = []
    origins: list[int] = []
    sources: list[int] = []
    corrections: dict[int, tuple[int, ...]] = {}
    dropped: set[int] = set()
    cancelled: Cancellation | None = None
    for index, entry in enumerate(entries):
        if cancelled is not None:
            raise IllegalEvent(index, "", "siklus sudah dibatalkan; tidak ada catatan sesudahnya")
        if isinstance(entry, Cancellation):
            cancelled = entry
        elif isinstance(entry, Event):
            events.append(entry)
            origins.append(index)
            sources.append(index)
        else:
            target = entry.target - 1
            if target not in origins:
                why = "sudah tidak berlaku" if target in dropped else "bukan langkah yang dicatat"
                raise IllegalEvent(index, "koreksi", f"catatan nomor {entry.target} {why}")
            at = origins.index(target)
            old = events[at]
            events[at] = corrected(old, entry)
            sources[at] = index
            corrections[target] = (*corrections.get(target, ()), index)
            if entry.decision is not None and entry.decision != old.decision:
                dropped.update(origins[at + 1 :])
                del events[at + 1 :], origins[at + 1 :], sources[at + 1 :]
    return History(
        tuple(events), tuple(origins), tuple(sources), corrections, frozenset(dropped), cancelled
    )


def corrected(event: Event, correction: Correction) -> Event:
    """`event` with the values `correction` changes."""
    return replace(
        event,
        at=event.at if correction.at is None else correction.at,
        output=event.output if correction.output is None else correction.output,
        note=event.note if correction.note is None else correction.note,
        decision=event.decision if correction.decision is None else correction.decision,
    )


@dataclass(frozen=True)
class Checklist:
    """One cycle of an SOP: identity, the flow snapshot, and the history (append-only).

    `entries` is everything recorded, in order; `events` the completions in force
    (corrections applied, see `History`).
    """

    slug: str
    run_id: str
    sop_number: str
    sop_name: str
    revised: str
    content_hash: str
    timezone: str
    started: datetime
    steps: tuple[StepSpec, ...]
    entries: tuple[Entry, ...] = ()

    @cached_property
    def history(self) -> History:
        """The history with corrections applied (raises `IllegalEvent` on a bad reference)."""
        return apply_entries(self.entries)

    @property
    def events(self) -> tuple[Event, ...]:
        """The completions in force, in order."""
        return self.history.events

    @property
    def cancelled(self) -> Cancellation | None:
        """The cancellation, when the cycle was cancelled."""
        return self.history.cancelled

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
        out = flow.successors(sop, step.number)
        targets = {e.kind: e.target for e in out if e.kind != "exit"}
        decision = step.decision
        exits = tuple((e.key or e.label, e.target) for e in decision.exits) if decision else ()
        specs.append(
            StepSpec(
                number=step.number,
                description=step.description,
                actors=tuple(sop.lanes.get(a, a) for a in step.actors),
                time=step.time,
                output=step.output,
                next=targets.get("next", targets.get("goto")),
                exits=exits,
                ident=step.id or "",
                outside=sop.is_outside_step(step.number),
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
    what += revision_changes(checklist.steps, snapshot(sop))
    detail = f" ({'; '.join(what)})" if what else ""
    return [
        f"SOP '{checklist.slug}' telah diubah sejak siklus {checklist.run_id} dimulai{detail}; "
        "siklus ini tetap mengikuti langkah saat siklus dimulai"
    ]


def revision_changes(old: Sequence[StepSpec], new: Sequence[StepSpec]) -> list[str]:
    """How the steps changed between two revisions, matched by `step_matcher` (never by
    number): steps added and removed, steps renumbered, exits that now lead to another step."""
    match = step_matcher(new)
    pairs = [(o, match(o)) for o in old]
    kept = {n.number for _, n in pairs if n is not None}
    found = []
    added = [s.number for s in new if s.number not in kept]
    removed = [o.number for o, n in pairs if n is None]
    if added:
        found.append("langkah baru: " + ", ".join(map(str, added)))
    if removed:
        found.append("langkah dihapus (nomor lama): " + ", ".join(map(str, removed)))
    moved = [f"{o.number}->{n.number}" for o, n in pairs if n is not None and n.number != o.number]
    if moved:
        found.append("nomor langkah bergeser: " + ", ".join(moved))
    mapped = {o.number: n.number for o, n in pairs if n is not None}
    for o, n in pairs:
        if n is None:
            continue
        links = [("berikutnya", o.next, n.next)]
        links += [(word, was, dict(n.exits).get(word)) for word, was in o.exits]
        for label, was, now in links:
            if (was, now) != (None, None) and (mapped.get(was) if was else None) != now:
                shown = "selesai" if now is None else f"langkah {now}"
                found.append(f"langkah {n.number} ({label}) kini menuju {shown}")
    return found
