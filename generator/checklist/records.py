"""The records of a cycle: the SOP snapshot taken at start, the events, the checklist."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
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
        out = flow.successors(sop, step.number)
        targets = {e.kind: e.target for e in out if e.kind != "exit"}
        exits = [e.target for e in out if e.kind == "exit"]
        specs.append(
            StepSpec(
                number=step.number,
                description=step.description,
                actors=tuple(sop.lanes.get(a, a) for a in step.actors),
                time=step.time,
                output=step.output,
                next=targets.get("next", targets.get("goto")),
                yes=exits[0] if exits else None,
                no=exits[1] if len(exits) > 1 else None,
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
