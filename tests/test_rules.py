"""Cross-checks: each rule returns findings located by key path, in Indonesian."""

from __future__ import annotations

from typing import Any

from generator import rules
from generator.errors import Severity
from generator.loader import Project
from generator.model import Office, Sop
from generator.rules import Finding
from tests.test_flow import make_sop

OFFICE = Office.model_validate(
    {
        "pemerintah": "PEMERINTAH",
        "nama": "KECAMATAN",
        "pejabat": {
            "camat": {"jabatan": "Camat", "nama": "A", "nip": "19661231 198607 1 014"},
            "sekcam": {"jabatan": "Sekcam", "nama": "B", "nip": "19700101 199003 2 001"},
        },
    }
)


def _locs(findings: list[Finding]) -> list[tuple[Any, ...]]:
    return [(f.loc, f.message) for f in findings]


def test_real_sops_pass_every_rule(
    seed_project: Project, sulteng_project: Project, besar_project: Project
) -> None:
    for project in (seed_project, sulteng_project, besar_project):
        for sop in project.sops:
            assert rules.check_sop(sop, project.office) == []
        assert rules.check_unique_numbers(project.sops) == {}


def test_tanggal_efektif_not_before_pembuatan() -> None:
    same_day = Sop.model_validate(
        {**_data(make_sop({})), "tanggal_pembuatan": "2024-01-22", "tanggal_efektif": "2024-01-22"}
    )
    assert rules.check_dates(same_day) == []
    early = Sop.model_validate(
        {**_data(make_sop({})), "tanggal_pembuatan": "2024-01-22", "tanggal_efektif": "2024-01-21"}
    )
    assert rules.check_dates(early) == [
        Finding(
            ("tanggal_efektif",),
            "tanggal efektif lebih awal dari tanggal pembuatan",
            "SOP dibuat 2024-01-22; tanggal efektif tidak boleh sebelumnya",
        )
    ]


def _data(sop: Sop) -> dict[str, Any]:
    return sop.model_dump(by_alias=True, exclude={"steps"}) | {
        "langkah": [
            {"uraian": s.description, "pelaksana": s.actors, "waktu": str(s.time)}
            for s in sop.steps
        ]
    }


def test_actors_must_be_lanes_and_lanes_should_be_used() -> None:
    sop = make_sop({"pelaksana": ["a", "x", "a"]})
    found = rules.check_lanes(sop)
    assert _locs(found) == [
        (("langkah", 0, "pelaksana", 1), "pelaksana 'x' bukan lajur SOP ini"),
        (("langkah", 0, "pelaksana", 2), "pelaksana 'a' tertulis dua kali"),
        (("pelaksana", "b"), "lajur 'b' tidak dipakai oleh langkah mana pun"),
    ]
    assert found[0].hint == "lajur: a, b"
    assert [f.severity for f in found] == [Severity.ERROR, Severity.ERROR, Severity.WARNING]


def test_single_actor_is_located_at_the_value() -> None:
    found = rules.check_lanes(make_sop({"pelaksana": "x"}, {"pelaksana": "b"}))
    assert _locs(found) == [
        (("langkah", 0, "pelaksana"), "pelaksana 'x' bukan lajur SOP ini"),
        (("pelaksana", "a"), "lajur 'a' tidak dipakai oleh langkah mana pun"),
    ]


def test_targets_exist_and_are_not_the_step_itself() -> None:
    sop = make_sop(
        {"keputusan": {"ya": 1, "tidak": 9}},
        {"lanjut": 2},
        {"lanjut": 0},
        {"keputusan": {"ya": 1, "tidak": 1}},
    )
    assert _locs(rules.check_targets(sop)) == [
        (("langkah", 0, "keputusan", "ya"), "langkah tidak boleh menuju dirinya sendiri"),
        (("langkah", 0, "keputusan", "tidak"), "langkah 9 tidak ada"),
        (("langkah", 1, "lanjut"), "langkah tidak boleh menuju dirinya sendiri"),
        (("langkah", 2, "lanjut"), "langkah 0 tidak ada"),
        (("langkah", 3, "keputusan"), "Ya dan Tidak menuju langkah yang sama"),
    ]


def test_decisions_do_not_end_or_jump_and_ends_do_not_jump() -> None:
    sop = make_sop(
        {"keputusan": {"ya": 2, "tidak": 3}, "selesai": "true", "lanjut": 3},
        {"lanjut": 3, "selesai": "true"},
        {},
    )
    assert _locs(rules.check_targets(sop)) == [
        (("langkah", 0, "selesai"), "langkah keputusan tidak dapat sekaligus selesai"),
        (("langkah", 0, "lanjut"), "langkah keputusan tidak memakai 'lanjut'"),
        (("langkah", 1, "lanjut"), "langkah yang selesai tidak dapat dilanjutkan"),
    ]


def test_unreachable_steps() -> None:
    sop = make_sop({"lanjut": 4}, {}, {}, {})
    assert _locs(rules.check_reachability(sop)) == [
        (("langkah", 1), "langkah 2 tidak pernah tercapai dari langkah 1"),
        (("langkah", 2), "langkah 3 tidak pernah tercapai dari langkah 1"),
    ]


def test_endless_loop_is_reported_once_at_its_jump() -> None:
    sop = make_sop({}, {}, {}, {"lanjut": 2})
    found = rules.check_reachability(sop)
    assert _locs(found) == [
        (
            ("langkah", 3, "lanjut"),
            "langkah 2, 3, 4 berulang tanpa akhir: prosedur tidak pernah selesai",
        )
    ]
    assert "selesai: true" in found[0].hint


def test_endless_loop_closed_by_a_decision_points_at_the_decision() -> None:
    sop = make_sop({}, {}, {"keputusan": {"ya": 1, "tidak": 2}}, {})
    assert _locs(rules.check_reachability(sop)) == [
        (("langkah", 3), "langkah 4 tidak pernah tercapai dari langkah 1"),
        (
            ("langkah", 2, "keputusan"),
            "langkah 1, 2, 3 berulang tanpa akhir: prosedur tidak pernah selesai",
        ),
    ]


def test_reachability_waits_for_valid_targets() -> None:
    sop = make_sop({"lanjut": 9}, {})
    found = rules.check_sop(sop, OFFICE)
    assert _locs(found) == [
        (("pelaksana", "b"), "lajur 'b' tidak dipakai oleh langkah mana pun"),
        (("langkah", 0, "lanjut"), "langkah 9 tidak ada"),
    ]


def test_approving_official_is_known() -> None:
    assert rules.check_official(make_sop({}), OFFICE) == []
    other = Sop.model_validate({**_data(make_sop({})), "disahkan_oleh": "bupati"})
    assert rules.check_official(other, OFFICE) == [
        Finding(
            ("disahkan_oleh",),
            "pejabat 'bupati' tidak ada di instansi.yaml",
            "pejabat yang dikenal: camat, sekcam",
        )
    ]


def test_forms_are_checked_against_known_names() -> None:
    sop = make_sop({"formulir": "undangan"}, {"formulir": "notula", "pelaksana": "b"})
    assert rules.check_forms(sop, ["notula", "undangan"]) == []
    assert rules.check_forms(sop, ["notula"]) == [
        Finding(
            ("langkah", 0, "formulir"),
            "formulir 'undangan' tidak dikenal",
            "formulir yang ada: notula",
        )
    ]
    assert rules.check_forms(sop, [])[0].hint == "belum ada formulir di templates/formulir/"
    assert rules.check_sop(sop, OFFICE) == []


def test_nomor_is_unique_ignoring_case_and_spaces() -> None:
    base = _data(make_sop({}))
    a = Sop.model_validate({**base, "nomor": "067/21/JPR/2024"}).with_slug("b-kedua")
    b = Sop.model_validate({**base, "nomor": "067/21/jpr/2024 "}).with_slug("a-pertama")
    c = Sop.model_validate({**base, "nomor": "068"}).with_slug("c")
    assert rules.check_unique_numbers([a, b, c]) == {
        "b-kedua": [
            Finding(
                ("nomor",),
                "nomor SOP '067/21/JPR/2024' sudah dipakai oleh sop/a-pertama.yaml",
                "setiap SOP memerlukan nomor sendiri",
            )
        ]
    }
