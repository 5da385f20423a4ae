"""Plane geometry shared by the sheet and the diagram layouts."""

from __future__ import annotations

from collections.abc import Iterable

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
