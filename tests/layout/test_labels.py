"""The one exit-label placer (generator.layout.labels) both drawings use."""

from __future__ import annotations

from generator.layout.geometry import Box
from generator.layout.labels import Along, Obstacles, along, around, best_place, near_line

HOW = Along(gap=0.5, step=1.0, first_from=0.0, then_from=0.5, end=0.5, limit=2)


def test_along_walks_beside_each_segment_nearest_the_exit_first() -> None:
    # right 4 mm, then down 3 mm; a 2 x 1 label
    cands = along([(0, 0), (4, 0), (4, 3)], 2.0, 1.0, HOW)
    first = [box for _, box in cands[:4]]
    assert first == [
        Box(0, -1.5, 2, -0.5),  # above the first segment, at its start
        Box(0, 0.5, 2, 1.5),  # below it
        Box(1, -1.5, 3, -0.5),  # a step further
        Box(1, 0.5, 3, 1.5),
    ]
    penalties = [p for p, _ in cands]
    assert penalties == sorted(penalties)
    # beside the second (vertical) segment: right, then left; the 4 mm walked count
    down = [(p, b) for p, b in cands if b.y0 >= 0.5 and (b.x0 == 4.5 or b.x1 == 3.5)]
    assert down[0] == (6.0 + 4.0 + 0.5, Box(4.5, 0.5, 6.5, 1.5))
    assert down[1] == (6.0 + 4.0 + 1.0, Box(1.5, 0.5, 3.5, 1.5))


def test_along_walks_a_short_first_segment_its_whole_reach() -> None:
    how = Along(gap=0.5, step=4.0, first_from=2.0, then_from=2.0, end=2.0, first_reach=8.0)
    starts = sorted({b.x0 for _, b in along([(0, 0), (1, 0)], 2.0, 1.0, how)})
    assert starts == [2.0, 6.0, 10.0]


def test_around_skips_what_keep_refuses_and_prefers_near_boxes() -> None:
    cands = around((0, 0), 2.0, 2.0, 1.0, (2, 2), lambda b: None if b.contains(0, 0) else 0.0)
    assert cands and all(not b.contains(0, 0) for _, b in cands)
    best = min(cands, key=lambda c: c[0])
    assert best[0] == 2.0  # two steps from the exit: one step still covers it


def test_near_line_keeps_boxes_within_reach_of_the_lines() -> None:
    keep = near_line([((0, 0), (10, 0))], 0.25, 1.0)
    assert keep(Box(2, 0.5, 4, 1.5)) == 8.0 + 4 * 0.5
    assert keep(Box(2, 0.1, 4, 1.1)) is None  # too close
    assert keep(Box(2, 3, 4, 4)) is None  # too far


def test_obstacles_count_every_thing_touched() -> None:
    obstacles = Obstacles(
        lines=[((5, 0), (5, 10))],
        boxes=[Box(0, 0, 1, 1)],
        shapes=[lambda b: b.x0 < 8 < b.x1],
        frame=Box(0, 0, 20, 10),
        grid_x=[12.0],
        grid_keep=0.4,
        placed=[Box(15, 5, 16, 6)],
    )
    assert obstacles.count(Box(2, 2, 3, 3)) == 0
    assert obstacles.count(Box(4.9, 2, 5.5, 3)) == 1  # on the line
    assert obstacles.count(Box(5.3, 2, 6, 3)) == 0  # 0.3 from the line: clear of 0.25
    assert obstacles.count(Box(0.5, 0.5, 2, 2)) == 1  # over a box
    assert obstacles.count(Box(7, 2, 9, 3)) == 1  # over a shape
    assert obstacles.count(Box(11, 2, 11.7, 3)) == 1  # within 0.4 of a table border
    assert obstacles.count(Box(15.5, 5.5, 17, 7)) == 1  # over a placed label
    assert obstacles.count(Box(18, 8, 21, 9)) == 5  # outside the frame


def test_best_place_takes_the_first_batch_with_a_clear_box() -> None:
    obstacles = Obstacles(lines=[((0, 0), (10, 0))])
    touching = [(0.0, Box(1, -1, 2, 1))]
    clear_far = [(9.0, Box(1, 3, 2, 4)), (3.0, Box(1, 2, 2, 3))]
    never = [(0.0, Box(5, 5, 6, 6))]
    score, box = best_place([lambda: touching, lambda: clear_far, lambda: never], obstacles)
    assert (score, box) == ((0, 3.0), Box(1, 2, 2, 3))
    # no clear box anywhere: the one touching least
    assert best_place([lambda: touching], obstacles) == ((1, 0.0), Box(1, -1, 2, 1))
    assert best_place([list], obstacles) is None
