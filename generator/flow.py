"""The flow graph of an SOP: successors, ends, reachability, the main path.

Pure functions over a validated `Sop`. After a step comes the next one in the list, unless the
step is a decision (ya/tidak), has `lanjut`, or has `selesai: true`; the last step ends the
procedure unless it is a decision or has `lanjut`. Targets outside 1..n are kept in the edges
(so `rules` can report them) but ignored by the graph walks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from generator.model import DurationTotal, Sop

EdgeKind = Literal["next", "goto", "yes", "no"]


@dataclass(frozen=True)
class Edge:
    """An arrow of the flow: from step `source` to step `target`."""

    source: int
    target: int
    kind: EdgeKind
    label: str = ""

    @property
    def is_back(self) -> bool:
        """True when the arrow goes up to an earlier (or the same) step."""
        return self.target <= self.source


def is_end(sop: Sop, number: int) -> bool:
    """True when the procedure ends after this step."""
    step = sop.step(number)
    if step.ends:
        return True
    return number == len(sop.steps) and step.decision is None and step.goto is None


def successors(sop: Sop, number: int) -> list[Edge]:
    """The arrows leaving a step, in drawing order (Ya before Tidak)."""
    step = sop.step(number)
    if step.decision is not None:
        d = step.decision
        return [Edge(number, d.yes, "yes", d.yes_label), Edge(number, d.no, "no", d.no_label)]
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


def _valid(sop: Sop, target: int) -> bool:
    return 1 <= target <= len(sop.steps)


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
    seen = set(ends(sop))
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
    """The steps of the normal run: from step 1, taking "Ya" at decisions, to an end.

    Stops before revisiting a step, so a flow whose "Ya" loops back still yields a path.
    """
    path: list[int] = []
    current: int | None = 1
    while current is not None and current not in path and _valid(sop, current):
        path.append(current)
        nxt = successors(sop, current)
        current = nxt[0].target if nxt else None
    return path


def total_time(sop: Sop) -> DurationTotal:
    """Total standard time of the main path ("5 hari 8 jam 10 menit")."""
    return DurationTotal.of([sop.step(n).time for n in main_path(sop)])
