"""Pure state transitions: which step may be done now, replaying a cycle's history."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from generator.checklist import chain
from generator.checklist.calendar import show_time
from generator.checklist.records import (
    Cancellation,
    Checklist,
    Correction,
    Event,
    IllegalEvent,
)
from generator.errors import UserError


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
    if spec.is_decision and decision not in spec.answers:
        return f"langkah {step} adalah keputusan; tambahkan {answers_text(spec.exits)}"
    if not spec.is_decision and decision:
        return f"langkah {step} bukan keputusan; hapus --decision"
    return None


def canonical_answer(checklist: Checklist, step: int, typed: str) -> str:
    """The decision answer `typed` names as the snapshot writes it (case and spacing
    ignored); unchanged when it names none (the refusal then lists the answers)."""
    if not typed or not checklist.has_step(step):
        return typed
    return checklist.step(step).answer(typed) or typed


def answers_text(exits: tuple[tuple[str, int | None], ...]) -> str:
    """'--decision ya (ke langkah 7) atau --decision tidak (ke langkah 5)'."""
    parts = []
    for word, target in exits:
        shown = word if word.isalnum() else f"'{word}'"
        where = "selesai" if target is None else f"ke langkah {target}"
        parts.append(f"--decision {shown} ({where})")
    return ", ".join(parts[:-1]) + " atau " + parts[-1]


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


def _refuse(checklist: Checklist, state: State, reason: str) -> UserError:
    return UserError(f"Ditolak: {reason}.\n{allowed_text(checklist, state)}")


def _not_yet(at: datetime, now: datetime, tz: ZoneInfo) -> str | None:
    if at > now:
        return f"waktu selesai {show_time(at, tz)} belum terjadi (sekarang {show_time(now, tz)})"
    return None


def complete_step(
    checklist: Checklist,
    step: int,
    by: str,
    at: datetime,
    now: datetime,
    output: str = "",
    note: str = "",
    decision: str = "",
    waited_until: datetime | None = None,
) -> tuple[Checklist, State]:
    """The checklist with one more completion, or a UserError saying what is allowed now.

    `waited_until`: the office waited for an outside party until then (between the previous
    event and `at`)."""
    state = replay(checklist)
    tz = ZoneInfo(checklist.timezone)
    if checklist.cancelled is not None:
        raise UserError(f"Ditolak: siklus {checklist.run_id} sudah dibatalkan.")
    decision = canonical_answer(checklist, step, decision)
    reason = refusal(checklist, state, step, decision, at) or _not_yet(at, now, tz)
    if reason is None and waited_until is not None and not state.last_at <= waited_until <= at:
        reason = (
            f"--menunggu-sampai {show_time(waited_until, tz)} harus di antara catatan sebelumnya "
            f"({show_time(state.last_at, tz)}) dan waktu selesai ({show_time(at, tz)})"
        )
    if reason is not None:
        raise _refuse(checklist, state, reason)
    event = Event(step, state.pass_no, by, at, now, output, note, decision)
    event = chain.chained(checklist, replace(event, waited_until=waited_until))
    updated = replace(checklist, entries=(*checklist.entries, event))
    return updated, advance(updated, state, event, len(checklist.events))


def correct_step(
    checklist: Checklist,
    step: int,
    correction: Correction,
    now: datetime,
) -> tuple[Checklist, State]:
    """The checklist with `correction` of the latest completion in force of `step` (its
    `target` is filled in here), or a UserError saying why not (nothing changed)."""
    tz = ZoneInfo(checklist.timezone)
    state = replay(checklist)
    if checklist.cancelled is not None:
        raise UserError(f"Ditolak: siklus {checklist.run_id} sudah dibatalkan.")
    history = checklist.history
    mine = [i for i, e in enumerate(history.events) if e.step == step]
    if not mine:
        raise _refuse(checklist, state, f"langkah {step} belum dicatat; tidak ada yang dikoreksi")
    event = history.events[mine[-1]]
    spec = checklist.step(step)
    if correction.decision is not None and not spec.is_decision:
        raise _refuse(checklist, state, f"langkah {step} bukan keputusan; hapus --decision")
    changes = (correction.at, correction.output, correction.note, correction.decision)
    if all(value is None for value in changes):
        raise UserError(
            "Ditolak: koreksi tidak mengubah apa pun; tulis --at, --output, --note atau --decision."
        )
    reason = _not_yet(correction.at, now, tz) if correction.at else None
    if reason is not None:
        raise _refuse(checklist, state, reason)
    if correction.decision is not None:
        answer = canonical_answer(checklist, step, correction.decision)
        if answer not in spec.answers:
            raise _refuse(checklist, state, f"jawaban keputusan: {answers_text(spec.exits)}")
        correction = replace(correction, decision=answer)
    entry = replace(correction, target=history.origins[mine[-1]] + 1, recorded=now)
    updated = replace(checklist, entries=(*checklist.entries, chain.chained(checklist, entry)))
    try:
        new_state = replay(updated)
    except IllegalEvent as exc:
        why = f"koreksi langkah {step} ({event.by}): {exc.message}"
        raise _refuse(checklist, state, why) from None
    return updated, new_state


def cancel_run(checklist: Checklist, by: str, reason: str, now: datetime) -> Checklist:
    """The checklist with its cancellation (running or finished: a cycle recorded by
    mistake), or a UserError when it was cancelled already."""
    if checklist.cancelled is not None:
        raise UserError(f"Ditolak: siklus {checklist.run_id} sudah dibatalkan.")
    entry = chain.chained(checklist, Cancellation(by, now, reason))
    return replace(checklist, entries=(*checklist.entries, entry))


def parse_step(text: str) -> int:
    """A step number typed on the command line."""
    if not re.fullmatch(r"\s*[0-9]{1,6}\s*", text):
        raise UserError(f"nomor langkah '{text}' tidak sah; tulis angka, mis. 5")
    return int(text)
