"""Placing an exit's label beside its route: one placer for the sheet and the diagram.

A label (a decision exit's "Ya", "Tidak", "Belum lengkap", ...) goes beside the first
segments of its route, nearest the exit first, or failing that somewhere around the exit;
it must touch no line, symbol, arrow head, other label or table border. Both drawings ask
this module with their own sizes (the sheet in mm, the diagram in pt): `along` and `around`
give candidate boxes with a penalty, `Obstacles.count` says how many things a box touches and
`best_place` picks the box with the fewest, then the lowest penalty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from generator.layout.geometry import Box, Point, box_segment_distance, manhattan, ordered

Candidate = tuple[float, Box]  # (penalty, box): the lower the penalty the better the place
Score = tuple[int, float]  # (things touched, penalty): touching nothing comes first


@dataclass(frozen=True)
class Along:
    """How `along` walks beside a route's segments, in the drawing's unit.

    gap: between the line and the label; step: between two tries along a segment;
    first_from / then_from: where the walk starts along the first / a later segment (a
    negative start lets a label begin beside the symbol, before the exit); end: how far before
    a segment's end the walk stops; first_reach: how far the walk goes beside the first
    segment however short it is; segment_cost: penalty per segment walked past; limit: how
    many segments are tried (None: all)."""

    gap: float
    step: float
    first_from: float
    then_from: float
    end: float
    first_reach: float = 0.0
    segment_cost: float = 6.0
    limit: int | None = 3


def along(points: Sequence[Point], w: float, h: float, how: Along) -> list[Candidate]:
    """Boxes w x h beside the first segments of a route (above or below a horizontal one,
    right or left of a vertical one), nearest the exit first. The penalty grows with the
    distance from the exit along the route (1.5 per unit before the exit, 1 after), with each
    segment passed (`how.segment_cost`) and by 0.5 for the second side."""
    out: list[Candidate] = []
    before = 0.0
    for index, (a, b) in enumerate(list(zip(points, points[1:], strict=False))[: how.limit]):
        length = manhattan(a, b)
        t = how.first_from if index == 0 else how.then_from
        reach = how.first_from + how.first_reach if index == 0 else t
        while t <= max(length - how.end, how.end) or t <= reach:
            penalty = index * how.segment_cost + before + abs(t) * (1.5 if t < 0 else 1.0)
            out += _beside(a, b, t, w, h, how.gap, penalty)
            t += how.step
        before += length
    return out


def _beside(
    a: Point, b: Point, t: float, w: float, h: float, gap: float, penalty: float
) -> list[Candidate]:
    """The two boxes starting `t` along segment a-b, one either side of it, `gap` away."""
    if a[1] == b[1]:  # horizontal: above, then below
        bx = a[0] + t if b[0] > a[0] else a[0] - t - w
        return [
            (penalty, Box(bx, a[1] - gap - h, bx + w, a[1] - gap)),
            (penalty + 0.5, Box(bx, a[1] + gap, bx + w, a[1] + gap + h)),
        ]
    by = a[1] + t if b[1] > a[1] else a[1] - t - h  # vertical: right, then left
    return [
        (penalty, Box(a[0] + gap, by, a[0] + gap + w, by + h)),
        (penalty + 0.5, Box(a[0] - gap - w, by, a[0] - gap, by + h)),
    ]


def around(
    exit_point: Point,
    w: float,
    h: float,
    step: float,
    reach: tuple[int, int],
    keep: Callable[[Box], float | None],
) -> list[Candidate]:
    """Boxes w x h centred on a grid of `step` around the exit (up to reach[0] steps either
    way across, reach[1] up and down), for a cramped exit where no place along its line is
    clear. `keep(box)` returns an extra penalty for a box worth trying or None to leave it
    out; the penalty adds the box centre's distance (|dx| + |dy|) from the exit."""
    ex, ey = exit_point
    out: list[Candidate] = []
    for i in range(-reach[0], reach[0] + 1):
        for j in range(-reach[1], reach[1] + 1):
            x0, y0 = ex + i * step - w / 2, ey + j * step - h / 2
            box = Box(x0, y0, x0 + w, y0 + h)
            extra = keep(box)
            if extra is not None:
                out.append((extra + abs(i * step) + abs(j * step), box))
    return out


def near_line(lines: Sequence[tuple[Point, Point]], low: float, high: float) -> Callable:
    """A `keep` for `around`: boxes between `low` and `high` from the nearest of `lines`
    (penalty 8 + 4 x that distance)."""

    def keep(box: Box) -> float | None:
        gap = min(box_segment_distance(box, a, b) for a, b in lines)
        return 8.0 + 4 * gap if low <= gap <= high else None

    return keep


@dataclass(frozen=True)
class Obstacles:
    """What a label must keep off, in the drawing's unit.

    lines: every arrow segment (and join line); boxes: arrow heads, symbols' bounding boxes
    and labels already placed; shapes: tests for shaped symbols (a diamond is a rhombus);
    frame: the area a label must lie in; grid_x / grid_y: table borders kept `grid_keep`
    away; clear: the room a label keeps from lines and boxes; outside: what leaving the frame
    counts (as many touches)."""

    lines: Sequence[tuple[Point, Point]]
    boxes: Sequence[Box] = ()
    shapes: Sequence[Callable[[Box], bool]] = ()
    frame: Box | None = None
    grid_x: Sequence[float] = ()
    grid_y: Sequence[float] = ()
    grid_keep: float = 0.0
    clear: float = 0.25
    outside: int = 5
    placed: list[Box] = field(default_factory=list)

    @cached_property
    def _line_bounds(self) -> tuple[tuple[float, float, float, float], ...]:
        """Each line's bounding box (lo_x, hi_x, lo_y, hi_y), worked out at the first `count`
        (`lines` does not change after; `placed` may)."""
        return tuple((*ordered(a[0], b[0]), *ordered(a[1], b[1])) for a, b in self.lines)

    def count(self, box: Box) -> int:
        """How many things `box` touches (lines, boxes, shapes, labels placed, borders),
        counting a box outside the frame as `outside` touches. A line touches when it has a
        point strictly inside the grown box (`segment_inside`, written out: the placer asks
        for every candidate and every line)."""
        grown = box.grow(self.clear)
        x0, y0, x1, y1 = grown.x0, grown.y0, grown.x1, grown.y1
        bad = sum(
            1 for lx, hx, ly, hy in self._line_bounds if lx < x1 and x0 < hx and ly < y1 and y0 < hy
        )
        bad += sum(grown.overlaps(b) for b in self.boxes)
        bad += sum(shape(box) for shape in self.shapes)
        bad += sum(grown.overlaps(p) for p in self.placed)
        bad += self._on_grid(box)
        if self.frame is not None and not _inside(box, self.frame):
            bad += self.outside
        return bad

    def _on_grid(self, box: Box) -> bool:
        k = self.grid_keep
        return any(box.x0 - k < x < box.x1 + k for x in self.grid_x) or any(
            box.y0 - k < y < box.y1 + k for y in self.grid_y
        )


def _inside(box: Box, frame: Box) -> bool:
    return frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 <= box.y1 <= frame.y1


def best_place(
    batches: Iterable[Callable[[], Iterable[Candidate]]],
    obstacles: Obstacles,
    prefer: Callable[[Box], float] = lambda _box: 0.0,
    snap: Callable[[Box], Box] = lambda box: box,
    ordered: bool = False,
) -> tuple[Score, Box] | None:
    """(score, box) of the best candidate: the fewest things touched, then the lowest
    penalty plus `prefer(box)`; the first such candidate on a tie. Batches are tried in turn
    until one gives a box touching nothing (later batches are the fallbacks); None when no
    batch gives any candidate. `ordered`: each batch comes best first (penalties rising,
    nothing preferred), so its first box touching nothing is taken without looking on."""
    best: tuple[Score, Box] | None = None
    for batch in batches:
        for penalty, cand in batch():
            cand = snap(cand)
            score = (obstacles.count(cand), penalty + prefer(cand))
            if best is None or score < best[0]:
                best = (score, cand)
            if ordered and score[0] == 0:
                return best
        if best is not None and best[0][0] == 0:
            break
    return best
