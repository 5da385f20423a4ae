"""The contract additions for real SOPs: labelled decisions with 2-4 exits and `selesai`
targets, outside lanes, optional NIP, step ids, multi-line texts, keterkaitan by name."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from generator import flow, rules
from generator.checklist.records import content_hash
from generator.errors import Severity, UserError
from generator.flow import Edge
from generator.loader import Project, load_project
from generator.model import (
    Decision,
    Exit,
    Lane,
    Official,
    Sop,
    TextBlock,
    text_blocks,
)
from tests.test_flow import make_sop


def _errors(model: type, data: Any) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [(tuple(e["loc"]), e["msg"]) for e in caught.value.errors()]


def _errors_of(sop: Sop) -> list[rules.Finding]:
    return [f for f in rules.check_sop(sop, None) if f.severity is Severity.ERROR]


# --------------------------------------------------------------------------- decisions


def test_a_decision_written_as_labels_keeps_their_order() -> None:
    sop = make_sop(
        {},
        {},
        {"keputusan": {"Lengkap": "4", "Tidak lengkap": "1", "Ditolak": "selesai"}},
        {},
    )
    decision = sop.step(3).decision
    assert decision == Decision(
        (Exit("Lengkap", 4), Exit("Tidak lengkap", 1), Exit("Ditolak", None))
    )
    assert [x.key for x in decision.exits] == ["Lengkap", "Tidak lengkap", "Ditolak"]
    assert flow.successors(sop, 3) == [
        Edge(3, 4, "exit", "Lengkap", 0),
        Edge(3, 1, "exit", "Tidak lengkap", 1),
        Edge(3, None, "exit", "Ditolak", 2),
    ]
    assert flow.end_exits(sop) == [Edge(3, None, "exit", "Ditolak", 2)]
    assert not Edge(3, None, "exit", "Ditolak", 2).is_back
    assert Edge(3, None, "exit", "Ditolak", 2).ident == "3-selesai-exit2"
    assert flow.ends(sop) == [4]
    assert flow.main_path(sop) == [1, 2, 3, 4]
    assert _errors_of(sop) == []


def test_four_exits_as_kel_pulutan_writes_them() -> None:
    sop = make_sop(
        {
            "keputusan": {
                "Dalam Kelurahan": 2,
                "Antar Kelurahan": 3,
                "Antar Kecamatan": 4,
                "Antar Kabupaten/Kota": 5,
            }
        },
        {"selesai": "true"},
        {"selesai": "true"},
        {"selesai": "true"},
        {},
    )
    assert [e.target for e in flow.successors(sop, 1)] == [2, 3, 4, 5]
    assert [e.index for e in flow.successors(sop, 1)] == [0, 1, 2, 3]
    assert flow.ends(sop) == [2, 3, 4, 5]
    assert flow.main_path(sop) == [1, 2]
    assert _errors_of(sop) == []


def test_ya_tidak_may_end_the_procedure() -> None:
    sop = make_sop({}, {"keputusan": {"ya": 3, "tidak": "selesai"}}, {})
    assert sop.step(2).decision == Decision((Exit("Ya", 3), Exit("Tidak", None)))
    assert flow.reaching_an_end(sop) == {1, 2, 3}
    assert _errors_of(sop) == []


def test_a_selesai_first_exit_ends_the_main_path() -> None:
    sop = make_sop({"keputusan": {"Ditolak": "selesai", "Diterima": 2}}, {})
    assert flow.main_path(sop) == [1]
    assert str(flow.total_time(sop)) == "1 jam"


@pytest.mark.parametrize(
    ("decision", "message"),
    [
        ({"Lengkap": 2}, "keputusan harus memiliki 2 sampai 4 jalan keluar (tertulis 1)"),
        (
            {"A": 2, "B": 2, "C": 2, "D": 2, "E": 2},
            "keputusan harus memiliki 2 sampai 4 jalan keluar (tertulis 5)",
        ),
    ],
)
def test_exit_count_is_2_to_4(decision: dict[str, Any], message: str) -> None:
    step = {"uraian": "U", "pelaksana": "a", "keputusan": decision}
    from generator.model import Step

    assert _errors(Step, step) == [(("keputusan", "[label]"), message)]


def test_a_bad_target_is_located_at_its_label() -> None:
    from generator.model import Step

    step = {"uraian": "U", "pelaksana": "a", "keputusan": {"Lengkap": 2, "Ditolak": "selsai"}}
    assert _errors(Step, step) == [
        (("keputusan", "[label]", "Ditolak"), "tujuan 'selsai' bukan nomor langkah")
    ]


def test_exit_rules() -> None:
    sop = make_sop(
        {"keputusan": {"Lengkap": 2, "lengkap": 3, "Lain": 2}},
        {},
        {"keputusan": {"A": "selesai", "B": "selesai"}},
    )
    assert [(f.loc, f.message) for f in rules.check_targets(sop)] == [
        (("langkah", 0, "keputusan", "lengkap"), "label 'lengkap' sama dengan label 'Lengkap'"),
        (("langkah", 0, "keputusan", "Lain"), "Lengkap dan Lain menuju langkah yang sama"),
        (("langkah", 2, "keputusan"), "semua jalan keluar keputusan menuju selesai"),
    ]


# --------------------------------------------------------------------------- lanes


def test_outside_lanes() -> None:
    sop = Sop.model_validate(
        {
            **json.loads(make_sop({}).model_dump_json(by_alias=True)),
            "pelaksana": {"a": "A", "b": {"label": "Pemohon", "luar": "true"}},
            "langkah": [
                {"uraian": "U", "pelaksana": "b", "waktu": "-"},
                {"uraian": "V", "pelaksana": ["a", "b"], "waktu": "-"},
                {"uraian": "W", "pelaksana": "a"},
            ],
        }
    )
    assert sop.lanes == {"a": "A", "b": "Pemohon"}
    assert sop.lane_specs["b"] == Lane.model_validate({"label": "Pemohon", "luar": True})
    assert sop.outside_lanes == frozenset({"b"})
    assert [sop.is_outside_step(n) for n in (1, 2, 3)] == [True, False, False]
    # Only office-lane steps without a standard time are reported, as warnings.
    found = rules.check_standard_times(sop)
    assert [(f.loc, f.severity) for f in found] == [
        (("langkah", 1, "waktu"), Severity.WARNING),
        (("langkah", 2, "waktu"), Severity.WARNING),
    ]


def test_a_lane_must_be_a_label_or_a_mapping() -> None:
    data = json.loads(make_sop({}).model_dump_json(by_alias=True))
    data["pelaksana"] = {"a": ["A"], "b": {"label": "B", "luar": "ya"}}
    data["langkah"] = [{"uraian": "U", "pelaksana": "a"}]
    assert _errors(Sop, data) == [
        (("pelaksana", "a"), "harus berupa nama lajur atau pemetaan {label: ..., luar: true}"),
        (("pelaksana", "b", "luar"), "nilai 'ya' bukan true/false"),
    ]


# --------------------------------------------------------------------------- dumps, hash


def test_an_old_sop_keeps_its_content_hash(seed_project: Project) -> None:
    # The hash of the seed as the first contract dumped it (no id, lanes as labels, waktu as
    # amount and unit): cycles started before the additions see no change.
    sop = seed_project.sops[0]
    data = sop.model_dump(mode="json", by_alias=True)
    assert data["pelaksana"]["camat"] == "Camat"
    assert "id" not in data["langkah"][0]
    assert data["langkah"][0]["waktu"] == {"amount": 1, "unit": "jam"}
    assert data["langkah"][5]["keputusan"] == {
        "ya": 7,
        "tidak": 5,
        "label_ya": "Ya",
        "label_tidak": "Tidak",
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert content_hash(sop).startswith("sha256:")


def test_new_forms_dump_without_warnings() -> None:
    sop = make_sop(
        {"keputusan": {"Lengkap": 2, "Ditolak": "selesai"}, "waktu": "1 x 24 jam", "id": "cek"},
        {},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = sop.model_dump(mode="json", by_alias=True)
    assert data["langkah"][0]["keputusan"] == {"Lengkap": 2, "Ditolak": None}
    assert data["langkah"][0]["waktu"] == {"text": "1 x 24 jam"}
    assert data["langkah"][0]["id"] == "cek"


# --------------------------------------------------------------------------- NIP, step id


def test_nip_is_optional() -> None:
    for nip in (None, "", "-"):
        data = {"jabatan": "Kepala Desa", "nama": "A"} | ({"nip": nip} if nip is not None else {})
        official = Official.model_validate(data)
        assert official.nip is None
        assert official.nip_formatted == ""


def test_step_id_pattern() -> None:
    assert make_sop({"id": "verifikasi-berkas_2"}).step(1).id == "verifikasi-berkas_2"
    assert make_sop({}).step(1).id is None
    from generator.model import Step

    assert _errors(Step, {"uraian": "U", "pelaksana": "a", "id": "Verifikasi"}) == [
        (("id",), "String should match pattern '^[a-z][a-z0-9_-]*$'")
    ]


# --------------------------------------------------------------------------- text blocks


def test_text_blocks() -> None:
    text = (
        "Melakukan:\n- verifikasi berkas;\n- mencabut izin\n  yang lama\n1. satu\n2) dua\n\nAkhir"
    )
    assert text_blocks(text) == [
        TextBlock("para", "Melakukan:"),
        TextBlock("bullet", "verifikasi berkas;", "-"),
        TextBlock("bullet", "mencabut izin yang lama", "-"),
        TextBlock("number", "satu", "1."),
        TextBlock("number", "dua", "2)"),
        TextBlock("para", "Akhir"),
    ]
    assert text_blocks("Satu baris - bukan daftar") == [
        TextBlock("para", "Satu baris - bukan daftar")
    ]
    assert text_blocks("") == []


def test_line_breaks_are_kept() -> None:
    sop = make_sop({"uraian": "Melakukan:\n- a;\n- b\n", "keterangan": "1. x\n2. y"})
    assert sop.step(1).description == "Melakukan:\n- a;\n- b"
    assert sop.step(1).note == "1. x\n2. y"


# --------------------------------------------------------------------------- keterkaitan


def test_related_sop_by_slug_or_nama(seed_project: Project) -> None:
    seed = seed_project.sops[0]
    assert seed_project.related_sop("evaluasi-kinerja-kecamatan") is seed
    assert seed_project.related_sop("SOP  evaluasi KINERJA kecamatan") is seed
    assert seed_project.related_sop("Surat Masuk") is None
    assert seed_project.related_sop("") is None


# --------------------------------------------------------------------------- loader


def _write(folder: Path, sop_text: str) -> Path:
    (folder / "sop").mkdir(parents=True)
    (folder / "instansi.yaml").write_text(
        "pemerintah: PEMERINTAH DESA\nnama: DESA CONTOH\npejabat:\n"
        "  kades:\n    jabatan: Kepala Desa\n    nama: BUDI\n",
        encoding="utf-8",
    )
    (folder / "sop" / "uji.yaml").write_text(sop_text, encoding="utf-8")
    return folder


HEAD = """nomor: "1"
nama: Uji
unit: Unit
tanggal_pembuatan: 2024-01-01
tanggal_efektif: 2024-01-01
disahkan_oleh: kades
pelaksana:
  pemohon: {label: Pemohon, luar: true}
  kaur: Kaur Umum
"""


def test_loader_reads_every_addition(tmp_path: Path) -> None:
    text = HEAD + (
        "langkah:\n"
        "  - uraian: |\n      Menyerahkan:\n      - KTP;\n      - KK\n"
        "    pelaksana: pemohon\n    waktu: '-'\n"
        "  - uraian: Memeriksa\n    pelaksana: kaur\n    waktu: 5 Menit\n"
        "    keputusan:\n      Lengkap: 3\n      Tidak lengkap: 1\n      Ditolak: selesai\n"
        "  - uraian: Menerbitkan\n    pelaksana: kaur\n    waktu: 1 x 24 jam\n"
    )
    project = load_project(_write(tmp_path / "d", text))
    sop = project.sops[0]
    assert project.office.officials["kades"].nip is None
    assert project.warnings == ()
    assert [b.kind for b in text_blocks(sop.step(1).description)] == ["para", "bullet", "bullet"]
    assert str(flow.total_time(sop)) == "1 hari 5 menit"
    assert flow.untimed_steps(sop, flow.main_path(sop)) == [1]


def test_loader_locates_errors_inside_label_decisions(tmp_path: Path) -> None:
    text = HEAD + (
        "langkah:\n"
        "  - uraian: Memeriksa\n    pelaksana: kaur\n    waktu: 5 mnt\n"
        "    keputusan:\n      Lengkap: 2\n      Ditolak: selsai\n"
        "  - uraian: Menerbitkan\n    pelaksana: kaur\n    waktu: 1 jam\n"
    )
    with pytest.raises(UserError) as caught:
        load_project(_write(tmp_path / "d", text))
    assert [(p.line, p.column, p.field, p.message, p.hint) for p in caught.value.problems] == [
        (
            13,
            12,
            "langkah[1].waktu",
            "waktu '5 mnt' tidak dapat dibaca",
            "mungkin maksud Anda '5 menit'?",
        ),
        (
            16,
            16,
            "langkah[1].keputusan.Ditolak",
            "tujuan 'selsai' bukan nomor langkah",
            "tulis nomor langkah tujuan, mis. 5, atau 'selesai' bila prosedur berakhir di sini",
        ),
    ]
