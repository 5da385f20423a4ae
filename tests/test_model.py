"""The records: strict conversions, NIP and date formatting, durations, frozen shape."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from generator.model import (
    Decision,
    Duration,
    DurationTotal,
    Exit,
    Office,
    Official,
    Sop,
    Step,
    WorkingHours,
    YesNoDecision,
    format_date,
    format_nip,
    item_groups,
)

STEP = {"uraian": "Rapat", "pelaksana": "camat", "waktu": "1 jam"}


def _sop(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "nomor": "067/21/JPR/2024",
        "nama": "Evaluasi",
        "unit": "Sub Bagian",
        "tanggal_pembuatan": "2024-01-22",
        "tanggal_efektif": "2024-01-22",
        "disahkan_oleh": "camat",
        "pelaksana": {"camat": "Camat", "staf": "Staf"},
        "langkah": [dict(STEP), dict(STEP, pelaksana="staf")],
    }
    data.update(changes)
    return data


def _errors(model: type, data: Any) -> list[tuple[tuple[Any, ...], str, str]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [(tuple(e["loc"]), e["type"], e["msg"]) for e in caught.value.errors()]


# --------------------------------------------------------------------------- formatting


def test_format_nip_groups_8_6_1_3() -> None:
    assert format_nip("196612311986071014") == "19661231 198607 1 014"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (date(2024, 1, 22), "22 Januari 2024"),
        (date(2023, 2, 1), "1 Februari 2023"),
        (date(2024, 8, 17), "17 Agustus 2024"),
        (date(2024, 12, 31), "31 Desember 2024"),
        (None, "-"),
    ],
)
def test_format_date_in_indonesian(value: date | None, text: str) -> None:
    assert format_date(value) == text


# --------------------------------------------------------------------------- NIP


@pytest.mark.parametrize(
    "typed", ["19661231 198607 1 014", "196612311986071014", " 19661231  198607 1 014 "]
)
def test_nip_accepts_18_digits_with_optional_spaces(typed: str) -> None:
    official = Official.model_validate({"jabatan": "Camat", "nama": "A", "nip": typed})
    assert official.nip == "196612311986071014"
    assert official.nip_formatted == "19661231 198607 1 014"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("19661231 198607 1 01", "NIP harus 18 angka (tertulis 17 angka)"),
        ("19661231 198607 1 0145", "NIP harus 18 angka (tertulis 19 angka)"),
        (
            "1966123A 198607 1 014",
            "NIP memuat 'A' selain angka dan spasi (terbaca 17 angka: 19661231986071014)",
        ),
        (
            "19661231.198607.1.014",
            "NIP memuat '.' selain angka dan spasi (terbaca 18 angka: 19661231 198607 1 014)",
        ),
        ("19661331 198607 1 014", "8 angka pertama NIP bukan tanggal lahir yang sah"),
        ("19660230 198607 1 014", "8 angka pertama NIP bukan tanggal lahir yang sah"),
        ("19661231 198600 1 014", "angka 9-14 NIP bukan bulan pengangkatan yang sah"),
        ("19661231 198613 1 014", "angka 9-14 NIP bukan bulan pengangkatan yang sah"),
        ("19661231 198607 3 014", "angka ke-15 NIP (jenis kelamin) harus 1 atau 2"),
        ("19661231 198607 0 014", "angka ke-15 NIP (jenis kelamin) harus 1 atau 2"),
    ],
)
def test_nip_rules(typed: str, message: str) -> None:
    errors = _errors(Official, {"jabatan": "Camat", "nama": "A", "nip": typed})
    assert errors == [(("nip",), "nip", message)]


# --------------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("typed", "amount", "unit"),
    [
        ("1 jam", 1, "jam"),
        ("90 menit", 90, "menit"),
        ("2 hari", 2, "hari"),
        ("1 minggu", 1, "minggu"),
        ("3 bulan", 3, "bulan"),
        ("5menit", 5, "menit"),
        ("5 Menit", 5, "menit"),
        ("2 JAM", 2, "jam"),
        ("1 hari kerja", 1, "hari"),
        ("1 Hari Kerja", 1, "hari"),
        ("1,5 jam", 1.5, "jam"),
        ("1.5 jam", 1.5, "jam"),
        ("15 - 30 menit", 30, "menit"),
        ("15-30 menit", 30, "menit"),
        ("2 s.d. 3 hari", 3, "hari"),
        ("2 sampai 3 hari", 3, "hari"),
        ("1 x 24 jam", 1, "hari"),
        ("3x24 Jam", 3, "hari"),
    ],
)
def test_waktu_parses_and_prints_as_typed(typed: str, amount: float, unit: str) -> None:
    step = Step.model_validate(dict(STEP, waktu=f"  {typed} "))
    assert step.time == Duration(typed, amount, unit)
    assert str(step.time) == typed
    assert step.time.has_standard


@pytest.mark.parametrize("typed", ["-", "0 menit", "0 jam", None])
def test_waktu_without_standard(typed: str | None) -> None:
    data = dict(STEP, waktu=typed) if typed is not None else {**STEP}
    data.pop("waktu") if typed is None else None
    step = Step.model_validate(data)
    assert not step.time.has_standard
    assert step.time.working_minutes() == 0
    assert str(step.time) == (typed or "-")


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("sejam", "tulis <angka> <satuan>"),
        ("1:20", "tulis <angka> <satuan>"),
        ("jam 1", "tulis <angka> <satuan>"),
        ("60", "tulis satuannya, mis. '60 menit' atau '60 jam'"),
        ("5 mnt", "mungkin maksud Anda '5 menit'?"),
        ("5 MENT", "mungkin maksud Anda '5 menit'?"),
        ("2 hr", "mungkin maksud Anda '2 hari'?"),
        ("Apabila Camat berada ditempat", "pindahkan syaratnya ke 'keterangan'"),
        ("sesuai kebutuhan", "pindahkan syaratnya ke 'keterangan'"),
    ],
)
def test_waktu_refuses_what_it_cannot_read(typed: str, hint: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Step.model_validate(dict(STEP, waktu=typed))
    (error,) = caught.value.errors()
    assert error["msg"] == f"waktu '{typed}' tidak dapat dibaca"
    assert hint in error["ctx"]["hint"]


def test_waktu_range_must_go_up() -> None:
    assert _errors(Step, dict(STEP, waktu="30 - 15 menit")) == [
        (("waktu",), "waktu", "rentang waktu '30 - 15 menit' terbalik")
    ]


def test_working_minutes_count_a_day_as_working_hours() -> None:
    assert Duration.parse("2 jam").working_minutes() == 120
    assert Duration.parse("1 hari").working_minutes() == 480
    assert Duration.parse("1 hari").working_minutes(hours_per_day=7.5) == 450
    assert Duration.parse("1 minggu").working_minutes() == 5 * 480
    assert Duration.parse("1 bulan").working_minutes() == 20 * 480
    assert Duration.parse("1,5 jam").working_minutes() == 90
    assert Duration.parse("1 x 24 jam").working_minutes(hours_per_day=7.5) == 450


def test_duration_total_rolls_hours_into_working_days() -> None:
    times = [Duration.parse(t) for t in ("2 hari", "9 jam", "75 menit", "1 minggu", "-")]
    total = DurationTotal.of(times)
    assert total == DurationTotal(months=0, days=8, hours=2, minutes=15)
    assert str(total) == "8 hari 2 jam 15 menit"
    assert str(DurationTotal.of(times, hours_per_day=7.5)) == "8 hari 2 jam 45 menit"
    assert str(DurationTotal.of([])) == "0 menit"
    month = [Duration.parse("1 bulan"), Duration.parse("30 menit")]
    assert str(DurationTotal.of(month)) == "1 bulan 30 menit"
    assert str(DurationTotal.of([Duration.parse(t) for t in ("26 jam", "3 hari")])) == (
        "6 hari 2 jam"
    )


# --------------------------------------------------------------------------- strict scalars


@pytest.mark.parametrize(("typed", "value"), [("true", True), ("false", False), ("True", True)])
def test_selesai_takes_true_or_false(typed: str, value: bool) -> None:
    assert Step.model_validate(dict(STEP, selesai=typed)).ends is value


@pytest.mark.parametrize("typed", ["no", "off", "ya", "yes", "1"])
def test_selesai_refuses_yaml_11_booleans(typed: str) -> None:
    assert _errors(Step, dict(STEP, selesai=typed)) == [
        (("selesai",), "boolean", f"nilai '{typed}' bukan true/false")
    ]


@pytest.mark.parametrize("typed", ["1.10", "off", "0x7", "7a", "-1"])
def test_step_numbers_refuse_anything_but_digits(typed: str) -> None:
    assert _errors(YesNoDecision, {"ya": typed, "tidak": "2"}) == [
        (("ya",), "tujuan", f"tujuan '{typed}' bukan nomor langkah")
    ]


def test_text_is_kept_as_typed_and_stripped() -> None:
    sop = Sop.model_validate(_sop(nomor="0214", nama="  no  "))
    assert sop.number == "0214"
    assert sop.name == "no"


@pytest.mark.parametrize("typed", [None, "", "   "])
def test_required_text_may_not_be_empty(typed: str | None) -> None:
    assert _errors(Sop, _sop(nama=typed)) == [(("nama",), "wajib", "wajib diisi")]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2024-02-30", "tanggal 2024-02-30 tidak ada di kalender"),
        ("2024-13-01", "tanggal 2024-13-01 tidak ada di kalender"),
        ("22-01-2024", "bukan tanggal yang sah"),
        ("2024-1-22", "bukan tanggal yang sah"),
        ("2024-01-22 10:00", "bukan tanggal yang sah"),
    ],
)
def test_dates_are_real_dates(typed: str, message: str) -> None:
    assert _errors(Sop, _sop(tanggal_pembuatan=typed)) == [
        (("tanggal_pembuatan",), "tanggal", message)
    ]


@pytest.mark.parametrize("typed", [None, "", "-"])
def test_tanggal_revisi_may_be_empty(typed: str | None) -> None:
    assert Sop.model_validate(_sop(tanggal_revisi=typed)).revised is None


# --------------------------------------------------------------------------- records


def test_records_are_frozen_and_refuse_unknown_keys() -> None:
    sop = Sop.model_validate(_sop())
    with pytest.raises(ValidationError):
        sop.name = "lain"  # type: ignore[misc]
    assert _errors(Sop, _sop(catatan="x")) == [
        (("catatan",), "extra_forbidden", "Extra inputs are not permitted")
    ]


def test_python_names_are_not_accepted_as_keys() -> None:
    data = _sop()
    data["name"] = data.pop("nama")
    assert {(e[0], e[1]) for e in _errors(Sop, data)} == {
        (("nama",), "missing"),
        (("name",), "extra_forbidden"),
    }


def test_steps_are_numbered_in_order_and_slug_is_set_by_copy() -> None:
    sop = Sop.model_validate(_sop())
    assert [s.number for s in sop.steps] == [1, 2]
    assert sop.step(2).actors == ["staf"]
    named = sop.with_slug("evaluasi")
    assert (named.slug, sop.slug) == ("evaluasi", "")
    assert [s.number for s in named.steps] == [1, 2]
    assert sop.lane_ids == ["camat", "staf"]


def test_joint_step_and_decision() -> None:
    step = Step.model_validate(
        dict(STEP, pelaksana=["camat", "staf"], keputusan={"ya": "3", "tidak": "1"})
    )
    assert step.actors == ["camat", "staf"]
    assert step.is_decision
    assert step.decision == Decision((Exit("Ya", 3), Exit("Tidak", 1)))
    assert [x.label for x in step.decision.exits] == ["Ya", "Tidak"]


def test_list_fields_take_a_list_a_text_or_sub_headings() -> None:
    sop = Sop.model_validate(
        _sop(
            dasar_hukum="Satu peraturan",
            peralatan_perlengkapan={"Peralatan": ["ATK"], "Sarana": None},
            pencatatan_pendataan=None,
        )
    )
    assert sop.legal_basis == ["Satu peraturan"]
    assert item_groups(sop.equipment) == [("Peralatan", ["ATK"]), ("Sarana", [])]
    assert item_groups(sop.records) == []
    assert item_groups(["a", "b"]) == [("", ["a", "b"])]


def test_office_defaults() -> None:
    office = Office.model_validate({"pemerintah": "PEMERINTAH", "nama": "KECAMATAN"})
    assert (office.paper, office.timezone, office.name_on_sheet) == (
        "F4",
        "Asia/Makassar",
        "KECAMATAN",
    )
    assert office.working_hours.hours_per_day == 8.0
    assert office.working_hours.days == [1, 2, 3, 4, 5]


def test_working_hours() -> None:
    hours = WorkingHours.model_validate({"mulai": "07:30", "selesai": "15:00", "hari": ["1", 6]})
    assert (hours.hours_per_day, hours.days) == (7.5, [1, 6])
    assert _errors(WorkingHours, {"mulai": "8:00"}) == [(("mulai",), "jam", "jam '8:00' tidak sah")]
    assert _errors(WorkingHours, {"hari": ["8"]}) == [(("hari", 0), "hari", "hari '8' tidak sah")]
    assert _errors(WorkingHours, {"mulai": "16:00", "selesai": "08:00"}) == [
        ((), "jam", "jam selesai 08:00 tidak setelah jam mulai 16:00")
    ]


def test_paper_is_f4_or_a4() -> None:
    errors = _errors(Office, {"pemerintah": "P", "nama": "K", "kertas": "B5"})
    assert [(e[0], e[1]) for e in errors] == [(("kertas",), "literal_error")]
