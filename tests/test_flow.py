"""The flow graph: successors, ends, reachability, endless loops, main path, total time."""

from __future__ import annotations

from typing import Any

from generator import flow
from generator.flow import Edge
from generator.loader import Project
from generator.model import Sop


def make_sop(*steps: dict[str, Any]) -> Sop:
    """A small SOP with lanes a and b; each step defaults to lane a, 1 jam."""
    return Sop.model_validate(
        {
            "nomor": "1",
            "nama": "Uji",
            "unit": "Unit",
            "tanggal_pembuatan": "2024-01-01",
            "tanggal_efektif": "2024-01-01",
            "disahkan_oleh": "camat",
            "pelaksana": {"a": "A", "b": "B"},
            "langkah": [
                {"uraian": f"Langkah {i}", "pelaksana": "a", "waktu": "1 jam", **step}
                for i, step in enumerate(steps, 1)
            ],
        }
    )


def test_seed_flow(seed_project: Project) -> None:
    sop = seed_project.sops[0]
    assert flow.successors(sop, 1) == [Edge(1, 2, "next")]
    assert flow.successors(sop, 6) == [Edge(6, 7, "exit", "Ya", 0), Edge(6, 5, "exit", "Tidak", 1)]
    assert flow.successors(sop, 9) == []
    assert flow.ends(sop) == [9]
    assert flow.reachable(sop) == set(range(1, 10))
    assert flow.reaching_an_end(sop) == set(range(1, 10))
    assert flow.endless_loops(sop) == []
    assert flow.main_path(sop) == list(range(1, 10))
    # 1 jam + 2 jam + 2 hari + 2 hari + 1 hari + 2 jam + 5 menit + 5 menit + 3 jam
    assert str(flow.total_time(sop)) == "6 hari 10 menit"
    assert str(flow.total_time(sop, hours_per_day=7.5)) == "6 hari 40 menit"
    assert [e for e in flow.edges(sop) if e.is_back] == [Edge(6, 5, "exit", "Tidak", 1)]


def test_big_fixture_flow(besar_project: Project) -> None:
    sop = besar_project.sops[0]
    assert flow.ends(sop) == [13, 30]
    special = [(e.source, e.target, e.kind, e.index) for e in flow.edges(sop) if e.kind != "next"]
    assert special == [
        (5, 6, "exit", 0),
        (5, 3, "exit", 1),
        (12, 14, "exit", 0),
        (12, 13, "exit", 1),
        (19, 21, "exit", 0),
        (19, 20, "exit", 1),
        (20, 18, "goto", 0),
        (26, 28, "exit", 0),
        (26, 27, "exit", 1),
        (27, 25, "goto", 0),
    ]
    assert flow.main_path(sop) == [*range(1, 13), *range(14, 20), *range(21, 27), 28, 29, 30]
    assert str(flow.total_time(sop)) == "25 hari 45 menit"


def test_lanjut_and_selesai_change_the_next_step() -> None:
    sop = make_sop({"lanjut": 3}, {"selesai": "true"}, {"lanjut": 2})
    assert flow.successors(sop, 1) == [Edge(1, 3, "goto")]
    assert flow.successors(sop, 2) == []
    assert flow.successors(sop, 3) == [Edge(3, 2, "goto")]
    assert flow.ends(sop) == [2]
    assert flow.main_path(sop) == [1, 3, 2]
    assert flow.is_end(sop, 2) and not flow.is_end(sop, 3)


def test_last_step_ends_unless_it_jumps() -> None:
    assert flow.ends(make_sop({}, {})) == [2]
    assert flow.ends(make_sop({"selesai": "true"}, {}, {"lanjut": 2})) == [1]


def test_main_path_takes_ya_and_stops_before_repeating() -> None:
    sop = make_sop({}, {"keputusan": {"ya": 1, "tidak": 3}}, {})
    assert flow.main_path(sop) == [1, 2]
    assert flow.reaching_an_end(sop) == {1, 2, 3}


def test_reachability_skips_jumped_over_steps() -> None:
    sop = make_sop({"lanjut": 3}, {}, {})
    assert flow.reachable(sop) == {1, 3}
    assert flow.reachable(sop, 2) == {2, 3}


def test_targets_outside_the_steps_are_kept_in_edges_but_not_walked() -> None:
    sop = make_sop({"lanjut": 7}, {})
    assert flow.successors(sop, 1) == [Edge(1, 7, "goto")]
    assert flow.reachable(sop) == {1}
    assert flow.reaching_an_end(sop) == {2}


def test_endless_loops_are_the_traps_not_the_steps_leading_in() -> None:
    # 1 -> 2 -> 3 -> 4 -> 3 ... ; step 5 is the end but nothing reaches it.
    sop = make_sop({}, {}, {}, {"lanjut": 3}, {})
    assert flow.reaching_an_end(sop) == {5}
    assert flow.endless_loops(sop) == [[3, 4]]


def test_two_separate_endless_loops() -> None:
    sop = make_sop(
        {"keputusan": {"ya": 2, "tidak": 4}},
        {},
        {"lanjut": 2},
        {},
        {"lanjut": 4},
        {"selesai": "true"},
    )
    assert flow.endless_loops(sop) == [[2, 3], [4, 5]]


def test_a_decision_with_an_exit_is_not_an_endless_loop() -> None:
    sop = make_sop({}, {"keputusan": {"ya": 3, "tidak": 1}}, {})
    assert flow.endless_loops(sop) == []
