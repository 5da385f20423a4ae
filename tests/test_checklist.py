"""The cycle checklist: flow rules, refusals, working time, the file format, the CLI."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import checklist as cl
from generator.cli import main
from generator.errors import UserError
from generator.loader import Project
from generator.model import Duration
from tests.expected import assert_matches_expected

WITA = ZoneInfo("Asia/Makassar")
SLUG = "evaluasi-kinerja-kecamatan"
RUN = "2024-03-04"


def at(text: str) -> datetime:
    """A WITA time from 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=WITA)


def sop_cmd(capsys: pytest.CaptureFixture[str], data: Path, *args: str, now: str) -> tuple:
    """Run `sop run ...` in-process at time `now`; return (exit code, stdout, stderr)."""
    code = main(["run", *args, "--data", str(data), "--now", now])
    out, err = capsys.readouterr()
    return code, out, err


# The seed's flow walked with a "tidak" at step 6: (step, by, finished, extra options).
WALK = [
    ("1", "Syamsun Rijal", "2024-03-04 09:00", ["--output", "Surat undangan terkirim"]),
    ("2", "Syamsun Rijal", "2024-03-04 11:30", ["--output", "Notulen rapat"]),
    ("3", "Baiq Nurul", "2024-03-06 11:30", []),
    ("4", "Lalu Ahmad", "2024-03-08 10:00", []),
    ("5", "Baiq Nurul", "2024-03-11 10:00", ["--output", "Draft laporan v1"]),
    ("6", "H. Muhammad", "2024-03-11 14:00", ["--decision", "tidak", "--note", "Angka: belum"]),
    ("5", "Baiq Nurul", "2024-03-12 11:00", ["--output", "Draft laporan v2"]),
    ("6", "H. Muhammad", "2024-03-12 13:00", ["--decision", "ya"]),
    ("7", "Syamsun Rijal", "2024-03-12 13:05", []),
    ("8", "Syamsun Rijal", "2024-03-12 13:10", []),
    ("9", "Lalu Ahmad", "2024-03-13 09:00", ["--output", "Bukti pengiriman #12"]),
]


def start(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    """Start the cycle RUN at 2024-03-04 08:00."""
    code, _, err = sop_cmd(capsys, data, "start", SLUG, "--run", RUN, now="2024-03-04 08:00")
    assert code == 0, err


def walk(capsys: pytest.CaptureFixture[str], data: Path, steps: list = WALK) -> list[str]:
    """Record each step of `steps`; return the printed outputs."""
    outputs = []
    for step, by, when, extra in steps:
        code, out, err = sop_cmd(
            capsys, data, "done", SLUG, RUN, step, "--by", by, "--at", when, *extra, now=when
        )
        assert code == 0, err
        outputs.append(out)
    return outputs


def file_of(data: Path) -> Path:
    """The checklist file of RUN."""
    return data / "checklist" / SLUG / f"{RUN}.yaml"


# --------------------------------------------------------------------------- the walk


def test_seed_flow_with_a_tidak_loop_to_completion(
    capsys: pytest.CaptureFixture[str], data_copy: Path
) -> None:
    start(capsys, data_copy)
    outputs = walk(capsys, data_copy)
    assert outputs[5] == (
        "Langkah 6 dicatat selesai oleh H. Muhammad pada 2024-03-11 14:00 WITA "
        "(putaran 1, keputusan: tidak).\n"
        "Lama kerja 4 jam, baku 2 jam: MELEBIHI BAKU.\n"
        "Langkah 5, 6 dibuka kembali; putaran 2 dimulai.\n"
        "Langkah yang dapat dikerjakan sekarang: 5 (Menyusun laporan hasil evaluasi kinerja "
        "berdasarkan data yang telah di olah)\n"
    )
    assert outputs[-1].endswith(
        "Siklus sudah selesai: tidak ada langkah yang dapat dikerjakan lagi.\n"
    )
    assert_matches_expected(file_of(data_copy).read_text("utf-8"), "checklist/siklus.yaml")

    code, out, _ = sop_cmd(capsys, data_copy, "status", SLUG, now="2024-03-13 16:00")
    assert code == 0
    assert_matches_expected(out, "checklist/status.txt")

    code, out, _ = sop_cmd(capsys, data_copy, "status", SLUG, RUN, "--json", now="2024-03-13 16:00")
    status = json.loads(out)
    assert status["complete"] is True
    assert status["next"] == []
    assert status["pass"] == 2
    assert [s["state"] for s in status["steps"]] == ["selesai"] * 9
    assert [h["decision"] for h in status["steps"][5]["history"]] == ["tidak"]
    assert status["steps"][4]["output"] == "Draft laporan v2"
    assert status["over_standard_steps"] == [2, 9]  # step 6 took 2 jam the second time
    assert_matches_expected(out, "checklist/status.json")


def test_status_midway_shows_reopened_steps_and_due_time(
    capsys: pytest.CaptureFixture[str], data_copy: Path
) -> None:
    start(capsys, data_copy)
    walk(capsys, data_copy, WALK[:6])
    code, out, _ = sop_cmd(capsys, data_copy, "status", SLUG, "--json", now="2024-03-13 10:00")
    status = json.loads(out)
    assert status["complete"] is False
    assert status["next"] == [5]
    assert [s["state"] for s in status["steps"]][3:7] == [
        "selesai",
        "berikutnya",
        "dibuka kembali",
        "belum",
    ]
    # Step 5 (1 hari) is due one working day after 2024-03-11 14:00; at 03-13 10:00 it is late.
    assert status["due"] == "2024-03-12T14:00:00+08:00"
    assert status["overdue"] is True
    assert (status["done"], status["total"]) == (4, 9)
    code, out, _ = sop_cmd(capsys, data_copy, "status", SLUG, now="2024-03-13 10:00")
    assert_matches_expected(out, "checklist/status-tengah.txt")


def test_list_shows_progress_and_overdue(
    capsys: pytest.CaptureFixture[str], data_copy: Path
) -> None:
    start(capsys, data_copy)
    walk(capsys, data_copy, WALK[:3])
    code, out, _ = sop_cmd(
        capsys, data_copy, "start", SLUG, "--at", "2024-03-11 08:00", now="2024-03-11 08:00"
    )
    assert "Siklus 2024-03-11 " in out
    code, out, _ = sop_cmd(capsys, data_copy, "list", now="2024-03-11 09:00")
    assert code == 0
    assert out == (
        "SOP                              Siklus           Dimulai          Kemajuan  Keadaan\n"
        "evaluasi-kinerja-kecamatan       2024-03-04       2024-03-04 08:00   3/9     "
        "berikutnya: langkah 4 (TERLAMBAT); melebihi baku: langkah 2\n"
        "evaluasi-kinerja-kecamatan       2024-03-11       2024-03-11 08:00   0/9     "
        "berikutnya: langkah 1\n"
    )
    code, out, _ = sop_cmd(capsys, data_copy, "list", SLUG, "--json", now="2024-03-11 09:00")
    assert [(c["run"], c["next"], c["overdue"]) for c in json.loads(out)] == [
        ("2024-03-04", [4], True),
        ("2024-03-11", [1], False),
    ]


# --------------------------------------------------------------------------- refusals


def refused(
    capsys: pytest.CaptureFixture[str], data: Path, *args: str, now: str = "2024-03-13 16:00"
) -> str:
    """Run a `sop run done` that must be refused without touching the file; return stderr."""
    before = file_of(data).read_bytes()
    code, out, err = sop_cmd(capsys, data, "done", SLUG, RUN, *args, now=now)
    assert code == 1
    assert out == ""
    assert file_of(data).read_bytes() == before
    return err


STEP_5 = "Langkah yang dapat dikerjakan sekarang: 5 (Menyusun laporan hasil evaluasi kinerja "
STEP_5 += "berdasarkan data yang telah di olah)\n"
STEP_6 = "Langkah yang dapat dikerjakan sekarang: 6 (Memeriksa laporan hasil evaluasi kinerja "
STEP_6 += "dan di paraf apabila di setuju. Jika tidak diserahkan kembali ke kasubbag perencanaan "
STEP_6 += "untuk di perbaiki.)\n"


@pytest.fixture
def at_step_5(capsys: pytest.CaptureFixture[str], data_copy: Path) -> Path:
    """A cycle whose steps 1-4 are done: step 5 is allowed now."""
    start(capsys, data_copy)
    walk(capsys, data_copy, WALK[:4])
    return data_copy


def test_refuses_a_step_out_of_order(capsys: pytest.CaptureFixture[str], at_step_5: Path) -> None:
    err = refused(capsys, at_step_5, "7", "--by", "Camat")
    assert err == "Ditolak: langkah 7 belum dapat dikerjakan.\n" + STEP_5


def test_refuses_a_step_already_done(capsys: pytest.CaptureFixture[str], at_step_5: Path) -> None:
    err = refused(capsys, at_step_5, "3", "--by", "Camat")
    assert err == (
        "Ditolak: langkah 3 sudah dikerjakan oleh Baiq Nurul pada 2024-03-06 11:30 WITA.\n" + STEP_5
    )


def test_refuses_an_unknown_step(capsys: pytest.CaptureFixture[str], at_step_5: Path) -> None:
    err = refused(capsys, at_step_5, "12", "--by", "Camat")
    assert err == "Ditolak: langkah 12 tidak ada; SOP ini memiliki langkah 1 sampai 9.\n" + STEP_5
    err = refused(capsys, at_step_5, "lima", "--by", "Camat")
    assert err == "nomor langkah 'lima' tidak sah; tulis angka, mis. 5\n"


def test_refuses_a_decision_without_answer(
    capsys: pytest.CaptureFixture[str], at_step_5: Path
) -> None:
    walk(capsys, at_step_5, WALK[4:5])
    err = refused(capsys, at_step_5, "6", "--by", "Sekcam")
    assert err == (
        "Ditolak: langkah 6 adalah keputusan; tambahkan --decision ya (ke langkah 7) "
        "atau --decision tidak (ke langkah 5).\n" + STEP_6
    )
    err = refused(capsys, at_step_5, "6", "--by", "Sekcam", "--decision", "mungkin")
    assert err == "--decision harus ya atau tidak, bukan 'mungkin'\n"


def test_refuses_an_answer_on_a_plain_step(
    capsys: pytest.CaptureFixture[str], at_step_5: Path
) -> None:
    err = refused(capsys, at_step_5, "5", "--by", "Kasi", "--decision", "ya")
    assert err == "Ditolak: langkah 5 bukan keputusan; hapus --decision.\n" + STEP_5


def test_refuses_a_time_before_the_previous_step(
    capsys: pytest.CaptureFixture[str], at_step_5: Path
) -> None:
    err = refused(capsys, at_step_5, "5", "--by", "Kasi", "--at", "2024-03-08 09:59")
    assert err == (
        "Ditolak: waktu selesai 2024-03-08 09:59 WITA lebih awal dari langkah sebelumnya "
        "(langkah 4, selesai 2024-03-08 10:00 WITA).\n" + STEP_5
    )
    # The same moment as the previous step is allowed (a paper record typed in later).
    walk(capsys, at_step_5, [("5", "Kasi", "2024-03-08 10:00", [])])


def test_refuses_a_time_before_the_cycle_started(
    capsys: pytest.CaptureFixture[str], data_copy: Path
) -> None:
    start(capsys, data_copy)
    err = refused(capsys, data_copy, "1", "--by", "Camat", "--at", "2024-03-01 10:00")
    assert err.startswith(
        "Ditolak: waktu selesai 2024-03-01 10:00 WITA lebih awal dari mulainya siklus "
        "(2024-03-04 08:00 WITA).\n"
    )


def test_refuses_a_time_in_the_future(capsys: pytest.CaptureFixture[str], at_step_5: Path) -> None:
    err = refused(
        capsys, at_step_5, "5", "--by", "Kasi", "--at", "2024-03-13 16:01", now="2024-03-13 16:00"
    )
    assert err == (
        "Ditolak: waktu selesai 2024-03-13 16:01 WITA belum terjadi "
        "(sekarang 2024-03-13 16:00 WITA).\n" + STEP_5
    )
    err = refused(capsys, at_step_5, "5", "--by", "Kasi", "--at", "besok pagi")
    assert err.startswith("waktu 'besok pagi' tidak dapat dibaca; tulis TTTT-BB-HH JJ:MM")


def test_refuses_a_missing_name_and_a_finished_cycle(
    capsys: pytest.CaptureFixture[str], data_copy: Path
) -> None:
    start(capsys, data_copy)
    assert refused(capsys, data_copy, "1") == "--by (nama pelaksana) wajib diisi\n"
    assert refused(capsys, data_copy, "1", "--by", "  ") == "--by (nama pelaksana) wajib diisi\n"
    walk(capsys, data_copy)
    err = refused(capsys, data_copy, "9", "--by", "Staf")
    assert err == (
        "Ditolak: siklus ini sudah selesai.\n"
        "Siklus sudah selesai: tidak ada langkah yang dapat dikerjakan lagi.\n"
    )


def test_refuses_unsafe_ids_and_unknown_cycles(
    capsys: pytest.CaptureFixture[str], data_copy: Path
) -> None:
    code, _, err = sop_cmd(
        capsys, data_copy, "start", SLUG, "--run", "../x", now="2024-03-04 08:00"
    )
    assert code == 1
    assert err.startswith("id siklus '../x' tidak sah; gunakan huruf kecil, angka dan tanda hubung")
    code, _, err = sop_cmd(capsys, data_copy, "start", "../sop", now="2024-03-04 08:00")
    assert (code, err.split(";")[0]) == (1, "nama SOP '../sop' tidak sah")
    code, _, err = sop_cmd(capsys, data_copy, "status", SLUG, "a/b", now="2024-03-04 08:00")
    assert (code, err.split(";")[0]) == (1, "id siklus 'a/b' tidak sah")
    code, _, err = sop_cmd(
        capsys, data_copy, "done", SLUG, "2099-01-01", "1", "--by", "X", now="2024-03-04 08:00"
    )
    assert code == 1
    assert err == (
        f"siklus '2099-01-01' untuk SOP '{SLUG}' tidak ada; siklus yang ada: -\n"
        f"Mulai siklus baru dengan: sop run start {SLUG} --run 2099-01-01\n"
    )
    assert not (data_copy / "checklist").exists()
    assert not list(data_copy.parent.glob("x*"))


def test_default_ids_are_dates_and_never_reused(
    capsys: pytest.CaptureFixture[str], data_copy: Path
) -> None:
    for expected in ("2024-03-04", "2024-03-04-2", "2024-03-04-3"):
        code, out, _ = sop_cmd(capsys, data_copy, "start", SLUG, now="2024-03-04 10:00")
        assert code == 0
        assert out.startswith(f"Siklus {expected} SOP 067/21/JPR/2024")
    code, _, err = sop_cmd(capsys, data_copy, "start", SLUG, "--run", RUN, now="2024-03-04 10:00")
    assert code == 1
    assert err.startswith(f"siklus '{RUN}' untuk SOP '{SLUG}' sudah ada")
    code, _, err = sop_cmd(
        capsys, data_copy, "start", SLUG, "--at", "2024-03-05 08:00", now="2024-03-04 10:00"
    )
    assert (code, err) == (
        1,
        "waktu mulai 2024-03-05 08:00 WITA belum terjadi (sekarang 2024-03-04 10:00 WITA)\n",
    )


# --------------------------------------------------------------------------- edits and damage


def test_an_sop_edited_mid_cycle_is_noticed_not_mixed_in(
    capsys: pytest.CaptureFixture[str], data_copy: Path
) -> None:
    start(capsys, data_copy)
    walk(capsys, data_copy, WALK[:2])
    sop_file = data_copy / "sop" / f"{SLUG}.yaml"
    text = sop_file.read_text("utf-8").replace("tanggal_revisi: null", "tanggal_revisi: 2024-03-05")
    sop_file.write_text(text.replace("    waktu: 2 hari\n", "    waktu: 1 hari\n"), "utf-8")
    code, out, err = sop_cmd(
        capsys, data_copy, "done", SLUG, RUN, "3", "--by", "Kasi", now="2024-03-06 11:30"
    )
    assert code == 0
    assert err == (
        f"peringatan: SOP '{SLUG}' telah diubah sejak siklus {RUN} dimulai "
        "(tanggal revisi - -> 2024-03-05); siklus ini tetap mengikuti langkah saat siklus "
        "dimulai\n"
    )
    assert "Lama kerja 2 hari, baku 2 hari." in out  # the snapshot's standard, not the edit
    code, out, err = sop_cmd(capsys, data_copy, "status", SLUG, "--json", now="2024-03-06 12:00")
    assert json.loads(out)["warnings"] == [err.removeprefix("peringatan: ").strip()]


BROKEN = [
    # (what to replace, with what, expected error)
    (
        "  - langkah: 2\n",
        "  - langkah: 3\n",
        "riwayat[2].langkah: langkah 3 belum dapat dikerjakan",
    ),
    (
        "    putaran: 1\n    oleh: Syamsun",
        "    putaran: 2\n    oleh: Syamsun",
        "putaran seharusnya 1",
    ),
    ("  - langkah: 2\n", "  - langkah: dua\n", "riwayat[2].langkah: 'dua' bukan bilangan"),
    ("    oleh: Baiq", "    dibuat_oleh: Baiq", "riwayat[3].dibuat_oleh: kunci 'dibuat_oleh'"),
    (
        "waktu_selesai: 2024-03-04T09:00:00+08:00",
        "waktu_selesai: kemarin",
        "waktu_selesai: 'kemarin'",
    ),
    ("siklus: 2024-03-04\n", "siklus: 2024-03-05\n", "siklus: seharusnya '2024-03-04'"),
    (
        "waktu_selesai: 2024-03-06T11:30:00+08:00",
        "waktu_selesai: 2024-03-04T11:00:00+08:00",
        "riwayat[3].waktu_selesai: waktu selesai 2024-03-04 11:00 WITA lebih awal dari langkah "
        "sebelumnya (langkah 2, selesai 2024-03-04 11:30 WITA)",
    ),
    ("riwayat:\n  - langkah: 1\n", "riwayat:\n - langkah: 1\n", "indentasi"),
]


@pytest.mark.parametrize(("old", "new", "message"), BROKEN)
def test_a_hand_broken_file_is_a_located_error_and_never_overwritten(
    capsys: pytest.CaptureFixture[str], data_copy: Path, old: str, new: str, message: str
) -> None:
    start(capsys, data_copy)
    walk(capsys, data_copy, WALK[:3])
    path = file_of(data_copy)
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    broken = path.read_bytes()
    code, _, err = sop_cmd(
        capsys, data_copy, "done", SLUG, RUN, "4", "--by", "Staf", now="2024-03-13 16:00"
    )
    assert code == 1
    assert err.startswith(f"{path}:")
    assert message in err
    assert path.read_bytes() == broken
    with pytest.raises(UserError) as caught:
        cl.load_checklists(data_copy)
    assert caught.value.problems[0].path == str(path)
    assert caught.value.problems[0].line > 0


def test_an_empty_file_and_a_misnamed_file(data_copy: Path, tmp_path: Path) -> None:
    folder = data_copy / "checklist" / SLUG
    folder.mkdir(parents=True)
    (folder / "kosong.yaml").write_bytes(b"")
    (folder / "Salah Nama.yaml").write_bytes(b"x: 1\n")
    (folder / ".kosong.yaml.abc.tmp").write_bytes(b"sisa tulisan yang terputus")
    with pytest.raises(UserError) as caught:
        cl.load_checklists(data_copy)
    assert [p.format() for p in caught.value.problems] == [
        f"{folder / 'Salah Nama.yaml'}: nama berkas siklus tidak sah",
        f"{folder / 'kosong.yaml'}:1:1: berkas daftar periksa kosong atau rusak",
    ]


# --------------------------------------------------------------------------- the file format


def sample_checklist(project: Project, **texts: str) -> cl.Checklist:
    """The seed's cycle with one event carrying `texts`."""
    checklist = cl.new_checklist(project.sops[0], RUN, at("2024-03-04 08:00"), WITA)
    updated, _ = cl.complete_step(
        checklist,
        1,
        texts.get("by", "Budi"),
        at("2024-03-04 09:00"),
        at("2024-03-04 09:00"),
        texts.get("output", ""),
        texts.get("note", ""),
    )
    return updated


plain_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff"), max_size=40
)


@settings(max_examples=150, deadline=None)
@given(by=plain_text.filter(lambda s: s.strip()), output=plain_text, note=plain_text)
def test_any_text_survives_the_round_trip(
    seed_project: Project, by: str, output: str, note: str
) -> None:
    checklist = sample_checklist(seed_project, by=by, output=output, note=note)
    text = cl.dump_checklist(checklist)
    assert cl.parse_checklist(text.encode("utf-8"), "x.yaml") == checklist


def test_awkward_texts_are_quoted(seed_project: Project) -> None:
    for value in ("null", "~", "no", "true", "- a", "a: b", "#x", "'q'", '"', "1.10", "0214"):
        checklist = sample_checklist(seed_project, by=value, output=value + "\nbaris dua")
        assert cl.parse_checklist(cl.dump_checklist(checklist).encode(), "x") == checklist


# --------------------------------------------------------------------------- working time


@pytest.fixture
def calendar() -> cl.WorkCalendar:
    """08:00-16:00 Monday to Friday, with 2024-03-11 (Nyepi) a holiday."""
    return cl.WorkCalendar(WITA, holidays=frozenset({date(2024, 3, 11)}))


def test_working_minutes_skip_nights_weekends_and_holidays(calendar: cl.WorkCalendar) -> None:
    assert calendar.minutes_between(at("2024-03-04 09:00"), at("2024-03-04 11:30")) == 150
    assert calendar.minutes_between(at("2024-03-04 15:00"), at("2024-03-05 09:00")) == 120
    assert calendar.minutes_between(at("2024-03-08 15:00"), at("2024-03-12 09:00")) == 120
    assert calendar.minutes_between(at("2024-03-09 10:00"), at("2024-03-10 10:00")) == 0
    assert calendar.minutes_between(at("2024-03-05 10:00"), at("2024-03-04 10:00")) == 0
    assert calendar.minutes_between(at("2024-03-04 06:00"), at("2024-03-04 20:00")) == 480


def test_due_times_add_working_minutes(calendar: cl.WorkCalendar) -> None:
    two_days = Duration.parse("2 hari").working_minutes(calendar.hours_per_day)
    assert calendar.add_minutes(at("2024-03-04 11:30"), two_days) == at("2024-03-06 11:30")
    assert calendar.add_minutes(at("2024-03-08 15:00"), 120) == at("2024-03-12 09:00")
    assert calendar.add_minutes(at("2024-03-09 12:00"), 0) == at("2024-03-12 08:00")
    assert calendar.format_minutes(8 * 60 + 65) == "1 hari 1 jam 5 menit"
    assert calendar.format_minutes(0) == "0 menit"
    none = cl.WorkCalendar(WITA, days=frozenset())
    assert none.add_minutes(at("2024-03-04 09:00"), 5) is None


def test_times_typed_by_a_clerk() -> None:
    today = date(2024, 3, 4)
    assert cl.parse_time("2024-03-04 09:30", WITA) == at("2024-03-04 09:30")
    assert cl.parse_time("2024-03-04T09:30:15", WITA) == at("2024-03-04 09:30:15")
    assert cl.parse_time("2024-03-04T01:30:00Z", WITA) == at("2024-03-04 09:30")
    assert cl.parse_time("2024-03-04 08:30+07:00", WITA).isoformat() == "2024-03-04T09:30:00+08:00"
    assert cl.parse_time("9:30", WITA, today) == at("2024-03-04 09:30")
    with pytest.raises(UserError, match="tidak ada di kalender"):
        cl.parse_time("2024-02-30 09:00", WITA)
    with pytest.raises(UserError, match="tidak dapat dibaca"):
        cl.parse_time("9:30", WITA)


# --------------------------------------------------------------------------- other flows


def test_lanjut_loops_and_an_early_end(besar_project: Project) -> None:
    sop = besar_project.sops[0]
    checklist = cl.new_checklist(sop, "uji", at("2024-03-04 08:00"), WITA)
    now = at("2024-12-31 16:00")
    moment = at("2024-03-04 08:00")

    def do(step: int, decision: str = "") -> cl.State:
        nonlocal checklist
        checklist, state = cl.complete_step(checklist, step, "X", moment, now, decision=decision)
        return state

    for n in [1, 2, 3, 4]:
        do(n)
    assert do(5, "tidak").reopened == (3, 4, 5)
    for n in [3, 4]:
        do(n)
    state = do(5, "ya")
    assert state.pass_no == 2
    for n in range(6, 12):
        do(n)
    state = do(12, "ya")
    for n in range(14, 19):
        state = do(n)
    state = do(19, "tidak")
    assert (state.next_step, state.reopened) == (20, ())
    state = do(20)  # lanjut: 18 goes back: a new pass over 18-20
    assert (state.next_step, state.pass_no, state.reopened) == (18, 3, (18, 19, 20))
    status = cl.cycle_status(checklist, cl.WorkCalendar(WITA), now)
    assert (status.done, status.total) == (16, 27)
    assert [s.state for s in status.steps][17:20] == ["berikutnya"] + ["dibuka kembali"] * 2

    early = cl.new_checklist(sop, "awal", at("2024-03-04 08:00"), WITA)
    checklist = early
    for n in [1, 2, 3, 4]:
        do(n)
    do(5, "ya")
    for n in range(6, 12):
        do(n)
    do(12, "tidak")
    state = do(13)
    assert state.complete
    status = cl.cycle_status(checklist, cl.WorkCalendar(WITA), now)
    assert (status.done, status.total) == (13, 13)
    assert status.steps[13].state == "dilewati"


def test_summaries_for_the_site(seed_project: Project, tmp_path: Path) -> None:
    sop = seed_project.sops[0]
    calendar = cl.WorkCalendar.of(seed_project.office)
    first = cl.new_checklist(sop, "2024-03-04", at("2024-03-04 08:00"), WITA)
    for step, _, when, extra in WALK:
        decision = extra[1] if extra[:1] == ["--decision"] else ""
        first, _ = cl.complete_step(first, int(step), "X", at(when), at(when), decision=decision)
    second = cl.new_checklist(sop, "2024-04-01", at("2024-04-01 08:00"), WITA)
    second, _ = cl.complete_step(second, 1, "Y", at("2024-04-01 08:30"), at("2024-04-01 08:30"))

    summary = cl.summarize(second, calendar, at("2024-04-01 12:00"))
    assert (summary.done, summary.total, summary.next, summary.overdue) == (1, 9, (2,), True)
    assert summary.due == at("2024-04-01 10:30")
    assert summary.over_steps == (2,)
    done = cl.summarize(first, calendar, at("2024-04-01 12:00"))
    assert (done.complete, done.finished, done.passes) == (True, at("2024-03-13 09:00"), 2)
    assert done.working_minutes == 57 * 60

    times = {t.number: t for t in cl.cycle_times([first, second], calendar, sop)}
    assert (times[1].count, times[1].cycles, times[1].mean_minutes) == (2, 2, 45.0)
    assert (times[5].count, times[5].cycles, times[5].max_minutes) == (2, 1, 480)
    assert (times[6].standard, times[6].over_count) == ("2 jam", 1)
    assert times[9].median_minutes == 230.0


def test_loading_every_checklist(capsys: pytest.CaptureFixture[str], data_copy: Path) -> None:
    assert cl.load_checklists(data_copy) == {}
    start(capsys, data_copy)
    walk(capsys, data_copy, WALK[:2])
    shutil.copy(file_of(data_copy), file_of(data_copy).with_name(".cadangan.yaml"))
    found = cl.load_checklists(data_copy)
    assert list(found) == [SLUG]
    assert [c.run_id for c in found[SLUG]] == [RUN]
    assert len(found[SLUG][0].events) == 2


def test_the_clock_can_be_set_by_environment(
    capsys: pytest.CaptureFixture[str], data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOP_NOW", "2024-03-04 08:15")
    assert main(["run", "start", SLUG, "--data", str(data_copy)]) == 0
    assert main(["run", "done", SLUG, RUN, "1", "--by", "Camat", "--data", str(data_copy)]) == 0
    capsys.readouterr()
    cycle = cl.read_checklist(file_of(data_copy))
    assert cycle.started == at("2024-03-04 08:15")
    assert (cycle.events[0].at, cycle.events[0].recorded) == (at("2024-03-04 08:15"),) * 2
    assert main(["run", "status", SLUG, "--json", "--data", str(data_copy)]) == 0
    assert json.loads(capsys.readouterr().out)["now"] == "2024-03-04T08:15:00+08:00"


def test_working_hours_and_holidays_come_from_instansi(
    capsys: pytest.CaptureFixture[str], data_copy: Path
) -> None:
    office = data_copy / "instansi.yaml"
    text = office.read_text("utf-8").replace('selesai: "16:00"', 'selesai: "15:00"')
    office.write_text(text.replace("hari_libur: []", "hari_libur: [2024-03-11]"), "utf-8")
    start(capsys, data_copy)
    walk(capsys, data_copy, WALK[:5])
    code, out, _ = sop_cmd(capsys, data_copy, "status", SLUG, "--json", now="2024-03-12 09:00")
    steps = json.loads(out)["steps"]
    # Step 5 ran from Friday 2024-03-08 10:00 to Monday 03-11 10:00, a holiday: 5 hours.
    assert (steps[4]["elapsed_minutes"], steps[4]["standard_minutes"]) == (300, 420)
    # Step 3 (2 hari = 14 hours of 7): Mon 11:30 to Wed 11:30 is exactly 3.5 + 7 + 3.5 hours.
    assert (steps[2]["elapsed_minutes"], steps[2]["over_standard"]) == (14 * 60, False)
