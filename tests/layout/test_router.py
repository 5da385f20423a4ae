"""The router's and the geometry's fast paths give exactly what their plain definitions give
(the sheet and the diagram must not move by a hair when they get faster)."""

from __future__ import annotations

import random

import pytest

from generator.layout.geometry import Box, ordered, segment_inside
from generator.layout.router import CLEAR, closed_nodes


def test_closed_nodes_are_the_nodes_inside_a_grown_box() -> None:
    rng = random.Random(7)
    on_lines = 0
    for _ in range(200):
        xs = sorted(round(rng.uniform(0, 100), 1) for _ in range(rng.randint(1, 30)))
        ys = sorted(round(rng.uniform(0, 100), 1) for _ in range(rng.randint(1, 30)))
        boxes = []
        for _ in range(rng.randint(0, 6)):
            x0, y0 = rng.uniform(-5, 100), rng.uniform(-5, 100)
            boxes.append(Box(x0, y0, x0 + rng.uniform(0, 30), y0 + rng.uniform(0, 30)))
        boxes.append(Box(xs[0], ys[0], xs[0], ys[0]))  # a node just inside the clearance
        i, j = rng.randrange(len(xs)), rng.randrange(len(ys))  # grown edges on grid lines
        edge = Box(xs[i] + CLEAR, ys[j] + CLEAR, xs[-1] - CLEAR, ys[-1] - CLEAR)
        boxes.append(edge)
        on_lines += edge.grow(CLEAR).x0 in xs and edge.grow(CLEAR).y1 in ys
        plain = {
            (i, j)
            for i, x in enumerate(xs)
            for j, y in enumerate(ys)
            if any(b.grow(CLEAR).contains(x, y) for b in boxes)
        }
        assert closed_nodes(xs, ys, boxes) == plain
        assert (0, 0) in plain
    assert on_lines > 50  # the edge cases were tried


def test_closed_nodes_refuse_unsorted_lines() -> None:
    with pytest.raises(ValueError, match="sorted"):
        closed_nodes([0.0, 2.0, 1.0], [0.0], [])


def test_segment_inside_is_the_plain_test_for_any_segment() -> None:
    """The crossing test it no longer asks is implied by the bounding boxes meeting."""
    rng = random.Random(11)
    values = [0.0, 1.0, 2.5, 4.0, 5.0, -1.0]
    for _ in range(20000):
        (x0, x1), (y0, y1) = sorted(rng.sample(values, 2)), sorted(rng.sample(values, 2))
        box = Box(x0, y0, x1, y1)
        a = (rng.choice(values), rng.choice(values))
        b = (rng.choice(values), rng.choice(values))
        lo_x, hi_x = sorted((a[0], b[0]))
        lo_y, hi_y = sorted((a[1], b[1]))
        meet = lo_x < box.x1 and box.x0 < hi_x and lo_y < box.y1 and box.y0 < hi_y
        assert segment_inside(box, a, b) == (meet or box.crosses_segment(a, b)), (box, a, b)


def test_ordered_is_sorted() -> None:
    for u, v in [(1.0, 2.0), (2.0, 1.0), (3.0, 3.0), (0.0, -0.0), (-0.0, 0.0)]:
        assert ordered(u, v) == tuple(sorted((u, v)))
