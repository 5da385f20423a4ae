"""The flow graph of an SOP: successors, ends, reachability, the main path.

Pure functions over a validated `Sop`. After a step comes the next one in the list, unless the
step is a decision (2 to 4 exits), has `lanjut`, or has `selesai: true`; the last step ends the
procedure unless it is a decision or has `lanjut`. A decision exit whose target is `selesai`
(None) ends the procedure through that exit. Targets outside 1..n are kept in the edges (so
`rules` can report them) but ignored by the graph walks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from generator.model import DurationTotal, Sop

EdgeKind = Literal["next", "goto", "exit"]


@dataclass(frozen=True)
class Edge:
    """An arrow of the flow: from step `source` to step `target`.

    `target` None means the procedure ends through this arrow (a decision exit `selesai`);
    `index` is a decision exit's position (0 = the first, the main path).
    """

    source: int
    target: int | None
    kind: EdgeKind
    label: str = ""
    index: int = 0

    @property
    def is_back(self) -> bool:
        """True when the arrow goes up to an earlier (or the same) step."""
        return self.target is not None and self.target <= self.source

    @property
    def ident(self) -> str:
        """A stable name of the arrow, unique in its SOP: "4-5-next", "6-7-exit0",
        "6-selesai-exit2" (a decision's third exit, ending the procedure)."""
        target = "selesai" if self.target is None else self.target
        suffix = f"{self.index}" if self.kind == "exit" else ""
        return f"{self.source}-{target}-{self.kind}{suffix}"


def is_end(sop: Sop, number: int) -> bool:
    """True when the procedure ends after this step."""
    step = sop.step(number)
    if step.ends:
        return True
    return number == len(sop.steps) and step.decision is None and step.goto is None


def successors(sop: Sop, number: int) -> list[Edge]:
    """The arrows leaving a step, in drawing order (a decision's exits as written)."""
    step = sop.step(number)
    if step.decision is not None:
        return [
            Edge(number, x.target, "exit", x.label, i) for i, x in enumerate(step.decision.exits)
        ]
    if step.ends or is_end(sop, number):
        return []
    if step.goto is not None:
        return [Edge(number, step.goto, "goto")]
    return [Edge(number, number + 1, "next")]


def edges(sop: Sop) -> list[Edge]:
    """Every arrow of the flow, by source step then drawing order."""
    return [e for n in range(1, len(sop.steps) + 1) for e in successors(sop, n)]


def ends(sop: Sop) -> list[int]:
    """The numbers of the steps that end the procedure."""
    return [n for n in range(1, len(sop.steps) + 1) if is_end(sop, n)]


def end_exits(sop: Sop) -> list[Edge]:
    """The decision exits that end the procedure (target `selesai`)."""
    return [e for e in edges(sop) if e.target is None]


def _valid(sop: Sop, target: int | None) -> bool:
    return target is not None and 1 <= target <= len(sop.steps)


def reachable(sop: Sop, start: int = 1) -> set[int]:
    """Steps reachable from `start` (itself included)."""
    seen = {start}
    todo = [start]
    while todo:
        for e in successors(sop, todo.pop()):
            if _valid(sop, e.target) and e.target not in seen:
                seen.add(e.target)
                todo.append(e.target)
    return seen


def reaching_an_end(sop: Sop) -> set[int]:
    """Steps from which some end of the procedure can be reached."""
    preds: dict[int, list[int]] = {n: [] for n in range(1, len(sop.steps) + 1)}
    for e in edges(sop):
        if _valid(sop, e.target):
            preds[e.target].append(e.source)
    seen = set(ends(sop)) | {e.source for e in end_exits(sop)}
    todo = list(seen)
    while todo:
        for p in preds[todo.pop()]:
            if p not in seen:
                seen.add(p)
                todo.append(p)
    return seen


def endless_loops(sop: Sop) -> list[list[int]]:
    """Loops the flow can enter but never leave, each as its sorted step numbers.

    These are the bottom strongly connected parts of the steps from which no end is
    reachable: every such step leads into one of them, so fixing them fixes all.
    """
    stuck = set(range(1, len(sop.steps) + 1)) - reaching_an_end(sop)
    reach = {n: reachable(sop, n) for n in stuck}
    loops: list[list[int]] = []
    for n in sorted(stuck):
        if all(n in reach[m] for m in reach[n]) and not any(n in loop for loop in loops):
            loops.append(sorted(reach[n]))
    return loops


def main_path(sop: Sop) -> list[int]:
    """The steps of the normal run: from step 1, taking the first exit at decisions, to an end.

    Stops before revisiting a step, so a flow whose first exit loops back still yields a path;
    stops at a decision whose first exit is `selesai`.
    """
    path: list[int] = []
    current: int | None = 1
    while current is not None and current not in path and _valid(sop, current):
        path.append(current)
        nxt = successors(sop, current)
        current = nxt[0].target if nxt else None
    return path


def total_time(sop: Sop, hours_per_day: float = 8.0) -> DurationTotal:
    """Total standard time of the main path ("3 hari 2 jam 45 menit"), hours rolling into
    working days of `hours_per_day`; steps without a standard time count nothing."""
    return DurationTotal.of([sop.step(n).time for n in main_path(sop)], hours_per_day)


def untimed_steps(sop: Sop, path: list[int]) -> list[int]:
    """The steps of `path` without a standard time (left out of its total)."""
    return [n for n in path if not sop.step(n).time.has_standard]
