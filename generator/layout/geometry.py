"""Plane geometry shared by the sheet and the diagram layouts: points, boxes, orthogonal
paths and the tests between them (any unit; y pointing down)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Point = tuple[float, float]


def simplify_path(points: Iterable[Point]) -> list[Point]:
    """An orthogonal path without repeated points or the middle points of straight runs;
    coordinates rounded to 0.01 so equal points compare equal."""
    out: list[Point] = []
    for x, y in points:
        p = (round(x, 2), round(y, 2))
        if out and p == out[-1]:
            continue
        if len(out) >= 2 and _collinear(out[-2], out[-1], p):
            out[-1] = p
        else:
            out.append(p)
    return out


def _collinear(a: Point, b: Point, c: Point) -> bool:
    return (a[0] == b[0] == c[0]) or (a[1] == b[1] == c[1])


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        """Centre x."""
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        """Centre y."""
        return (self.y0 + self.y1) / 2

    @property
    def w(self) -> float:
        """Width."""
        return self.x1 - self.x0

    @property
    def h(self) -> float:
        """Height."""
        return self.y1 - self.y0

    def grow(self, d: float) -> Box:
        """This box grown by d on every side."""
        return Box(self.x0 - d, self.y0 - d, self.x1 + d, self.y1 + d)

    def contains(self, x: float, y: float) -> bool:
        """True when the point lies inside or on the edge."""
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1

    def overlaps(self, other: Box) -> bool:
        """True when the interiors intersect."""
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )

    def crosses_segment(self, a: Point, b: Point) -> bool:
        """True when the axis-aligned segment a-b passes through the box's interior."""
        lo_x, hi_x = ordered(a[0], b[0])
        lo_y, hi_y = ordered(a[1], b[1])
        if lo_x == hi_x:
            return self.x0 < lo_x < self.x1 and lo_y < self.y1 and self.y0 < hi_y
        return self.y0 < lo_y < self.y1 and lo_x < self.x1 and self.x0 < hi_x


def ordered(u: float, v: float) -> tuple[float, float]:
    """(smaller, larger) of two numbers: `sorted((u, v))` without building a list (the
    label placer asks millions of times)."""
    return (u, v) if u <= v else (v, u)


def manhattan(a: Point, b: Point) -> float:
    """|dx| + |dy| between two points."""
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


def box_segment_distance(box: Box, a: Point, b: Point) -> float:
    """Distance (max-norm) between a box and an axis-aligned segment; 0 when they touch."""
    lo_x, hi_x = ordered(a[0], b[0])
    lo_y, hi_y = ordered(a[1], b[1])
    dx = max(box.x0 - hi_x, lo_x - box.x1, 0.0)
    dy = max(box.y0 - hi_y, lo_y - box.y1, 0.0)
    return max(dx, dy)


def segment_inside(box: Box, a: Point, b: Point) -> bool:
    """True when a segment has a point strictly inside the box: their bounding boxes' interiors
    meet. (For an axis-aligned segment that is exact; `Box.crosses_segment` implies it for
    any segment, so it needs no test of its own.)"""
    lo_x, hi_x = ordered(a[0], b[0])
    lo_y, hi_y = ordered(a[1], b[1])
    return lo_x < box.x1 and box.x0 < hi_x and lo_y < box.y1 and box.y0 < hi_y


def paths_cross(a: Sequence[Point], b: Sequence[Point]) -> bool:
    """True when two orthogonal paths cross at right angles strictly inside both segments
    (touching, meeting at an end or running along each other is no crossing)."""
    for a0, a1 in zip(a, a[1:], strict=False):
        for b0, b1 in zip(b, b[1:], strict=False):
            va, vb = a0[0] == a1[0], b0[0] == b1[0]
            if va == vb:
                continue
            (v0, v1), (h0, h1) = ((a0, a1), (b0, b1)) if va else ((b0, b1), (a0, a1))
            x, y = v0[0], h0[1]
            if min(h0[0], h1[0]) < x < max(h0[0], h1[0]) and min(v0[1], v1[1]) < y < max(
                v0[1], v1[1]
            ):
                return True
    return False


def segments(path: Sequence[Point]) -> list[tuple[Point, Point]]:
    """The consecutive segments of a path."""
    return list(zip(path, path[1:], strict=False))


def vertical_line_distance(a: Point, b: Point, x: float) -> float:
    """Horizontal distance from a segment to the vertical line at x (0 when it touches)."""
    lo_x, hi_x = ordered(a[0], b[0])
    return max(lo_x - x, x - hi_x, 0.0)
