"""Cycle records as proof: corrections, cancellation, tamper evidence, holidays, shared folders.

Every command runs as a real `sop` process (`python -m generator.cli`), as a clerk would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEED_DATA

SLUG = "evaluasi-kinerja-kecamatan"
RUN = "r1"
SOP = [sys.executable, "-m", "generator.cli"]

# A walk through the seed with working days only (2024-03-11/12 are Nyepi and cuti bersama).
WALK = [
    ("1", "Syamsun Rijal", "2024-03-04 09:00", ["--output", "Surat undangan terkirim"]),
    ("2", "Syamsun Rijal", "2024-03-04 11:30", ["--output", "Notulen rapat"]),
    ("3", "Baiq Nurul", "2024-03-06 11:30", []),
    ("4", "Lalu Ahmad", "2024-03-08 10:00", []),
    ("5", "Baiq Nurul", "2024-03-13 10:00", ["--output", "Draft laporan v1"]),
    ("6", "H. Muhammad", "2024-03-13 14:00", ["--decision", "tidak", "--note", "Angka belum"]),
    ("5", "Baiq Nurul", "2024-03-14 11:00", ["--output", "Draft laporan v2"]),
    ("6", "H. Muhammad", "2024-03-14 13:00", ["--decision", "ya"]),
    ("7", "Syamsun Rijal", "2024-03-14 13:05", []),
    ("8", "Syamsun Rijal", "2024-03-14 13:10", []),
    ("9", "Lalu Ahmad", "2024-03-15 09:00", ["--output", "Bukti pengiriman #12"]),
]


def sop(
    data: Path, *args: str, now: str, prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run the real `sop` at time `now` (SOP_NOW) against `data`."""
    argv = [*prefix, *SOP, *args, "--data", str(data)]
    if args[0] == "check":
        argv += ["--templates", str(ROOT / "templates")]
    return subprocess.run(
        argv,
        cwd=ROOT,
        env={**os.environ, "SOP_NOW": now, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def ok(data: Path, *args: str, now: str) -> str:
    """Run `sop`, expect success, return its output."""
    done = sop(data, *args, now=now)
    assert done.returncode == 0, done.stderr
    return done.stdout


def start_and_walk(data: Path, steps: list = WALK) -> Path:
    """Start RUN at 2024-03-04 08:00 and record `steps`; return the cycle's file."""
    ok(data, "run", "start", SLUG, "--run", RUN, now="2024-03-04 08:00")
    for step, by, when, extra in steps:
        ok(data, "run", "done", SLUG, RUN, step, "--by", by, "--at", when, *extra, now=when)
    return data / "checklist" / SLUG / f"{RUN}.yaml"


def line_of(path: Path, text: str, occurrence: int = 1) -> int:
    """The 1-based line number of the `occurrence`-th line containing `text`."""
    hits = [n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if text in line]
    return hits[occurrence - 1]


# --------------------------------------------------------------------------- corrections


def test_a_correction_keeps_the_original_and_fixes_the_figures(data_copy: Path) -> None:
    path = start_and_walk(data_copy, WALK[:4])
    out = ok(
        data_copy, "run", "koreksi", SLUG, RUN, "3", "--by", "Sekcam", "--alasan",
        "jam salah ketik", "--at", "2024-03-05 11:30", "--output", "Instrumen v1",
        now="2024-03-08 11:00",
    )  # fmt: skip
    assert out.startswith(
        "Koreksi langkah 3 (catatan nomor 3) dicatat oleh Sekcam pada 2024-03-08 11:00 WITA: "
        "waktu selesai: 2024-03-06 11:30 WITA -> 2024-03-05 11:30 WITA; output: - -> "
        "Instrumen v1.\nCatatan asli tetap tersimpan di riwayat.\n"
    )
    text = path.read_text("utf-8")
    assert "waktu_selesai: 2024-03-06T11:30:00+08:00" in text  # the original stays
    assert "jenis: koreksi" in text and "alasan: jam salah ketik" in text
    status = json.loads(ok(data_copy, "run", "status", SLUG, RUN, "--json", now="2024-03-08 12:00"))
    step3 = status["steps"][2]
    assert (step3["at"], step3["output"]) == ("2024-03-05T11:30:00+08:00", "Instrumen v1")
    assert step3["elapsed_minutes"] == 480  # 2024-03-04 11:30 -> 03-05 11:30
    assert status["steps"][3]["elapsed_minutes"] == 3 * 480 - 90  # from the corrected time
    assert status["corrections"][0]["step"] == 3
    assert status["corrections"][0]["reason"] == "jam salah ketik"
    text_status = ok(data_copy, "run", "status", SLUG, RUN, now="2024-03-08 12:00")
    assert "Koreksi langkah 3 oleh Sekcam pada 2024-03-08 11:00 WITA" in text_status
    assert sop(data_copy, "check", now="2024-03-08 12:00").returncode == 0


def test_a_changed_decision_reopens_the_flow_from_there(data_copy: Path) -> None:
    start_and_walk(data_copy, WALK[:4] + [WALK[4], WALK[7], WALK[8]])  # 6: ya, 7 done
    out = ok(
        data_copy, "run", "koreksi", SLUG, RUN, "6", "--by", "H. Muhammad", "--alasan",
        "laporan ternyata belum lengkap", "--decision", "tidak", now="2024-03-14 15:00",
    )  # fmt: skip
    assert "keputusan: ya -> tidak" in out
    assert "catatan langkah 7 sesudahnya tidak berlaku lagi" in out
    assert out.rstrip().endswith(
        "Langkah yang dapat dikerjakan sekarang: 5 (Menyusun laporan "
        "hasil evaluasi kinerja berdasarkan data yang telah di olah)"
    )
    status = json.loads(ok(data_copy, "run", "status", SLUG, RUN, "--json", now="2024-03-14 15:00"))
    assert status["next"] == [5]
    assert status["pass"] == 2
    assert status["steps"][6]["done"] is False
    ok(data_copy, "run", "done", SLUG, RUN, "5", "--by", "Baiq", now="2024-03-14 15:30")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--at", "2024-03-04 10:00"], "lebih awal dari langkah sebelumnya (langkah 2"),
        (["--at", "2024-03-02 10:00", "--paksa"], "lebih awal dari langkah sebelumnya (langkah 2"),
        (["--at", "2024-03-20 10:00"], "belum terjadi"),
        (["--decision", "ya"], "langkah 3 bukan keputusan"),
        ([], "koreksi tidak mengubah apa pun"),
    ],
)
def test_a_correction_that_breaks_the_order_is_refused(
    data_copy: Path, args: list[str], message: str
) -> None:
    path = start_and_walk(data_copy, WALK[:4])
    before = path.read_bytes()
    done = sop(
        data_copy, "run", "koreksi", SLUG, RUN, "3", "--by", "X", "--alasan", "uji", *args,
        now="2024-03-08 12:00",
    )  # fmt: skip
    assert done.returncode == 1
    assert message in done.stderr
    assert path.read_bytes() == before


def test_a_cancelled_cycle_is_kept_shown_and_left_out(data_copy: Path) -> None:
    path = start_and_walk(data_copy, WALK[:2])
    out = ok(
        data_copy, "run", "batal", SLUG, RUN, "--by", "Sekcam", "--alasan", "dimulai keliru",
        now="2024-03-05 09:00",
    )  # fmt: skip
    assert out.startswith("Siklus r1 SOP 067/21/JPR/2024 Evaluasi Kinerja Kecamatan dibatalkan")
    assert "jenis: batal" in path.read_text("utf-8")
    listed = json.loads(ok(data_copy, "run", "list", "--json", now="2024-03-20 09:00"))
    assert (listed[0]["cancelled"], listed[0]["overdue"]) == (True, False)
    assert "DIBATALKAN" in ok(data_copy, "run", "list", now="2024-03-20 09:00")
    status = ok(data_copy, "run", "status", SLUG, RUN, now="2024-03-20 09:00")
    assert "SIKLUS DIBATALKAN oleh Sekcam pada 2024-03-05 09:00 WITA; alasan: dimulai keliru" in (
        status
    )
    refused = sop(data_copy, "run", "done", SLUG, RUN, "3", "--by", "X", now="2024-03-20 09:00")
    assert refused.returncode == 1
    assert "sudah dibatalkan" in refused.stderr


# --------------------------------------------------------------------------- days off


def test_a_saturday_or_a_national_holiday_needs_paksa(data_copy: Path) -> None:
    path = start_and_walk(data_copy, WALK[:3])
    saturday = sop(
        data_copy, "run", "done", SLUG, RUN, "4", "--by", "Lalu", "--at", "2024-03-09 10:00",
        now="2024-03-13 09:00",
    )  # fmt: skip
    assert saturday.returncode == 1
    assert saturday.stderr.startswith(
        "Ditolak: --at 2024-03-09 adalah hari Sabtu, bukan hari kerja.\n"
        "Periksa tanggalnya; bila memang dikerjakan pada hari itu, ulangi dengan --paksa."
    )
    nyepi = sop(
        data_copy, "run", "done", SLUG, RUN, "4", "--by", "Lalu", "--at", "2024-03-11 10:00",
        now="2024-03-13 09:00",
    )  # fmt: skip
    assert "2024-03-11 adalah hari libur nasional: Hari Suci Nyepi" in nyepi.stderr
    forced = sop(
        data_copy, "run", "done", SLUG, RUN, "4", "--by", "Lalu", "--at", "2024-03-12 10:00",
        "--paksa", now="2024-03-13 09:00",
    )  # fmt: skip
    assert forced.returncode == 0
    assert forced.stderr == (
        "peringatan: 2024-03-12 adalah hari libur nasional: Cuti Bersama Hari Suci Nyepi; "
        "diterima karena --paksa\n"
    )
    # Step 4 ran from Wed 03-06 11:30 to Tue 03-12 10:00: Wed 4.5 h, Thu, Fri; Mon and Tue off.
    status = json.loads(ok(data_copy, "run", "status", SLUG, RUN, "--json", now="2024-03-13 09:00"))
    assert status["steps"][3]["elapsed_minutes"] == 270 + 2 * 480
    assert path.is_file()


def test_national_holidays_can_be_switched_off_or_overridden(data_copy: Path) -> None:
    office = data_copy / "instansi.yaml"
    text = office.read_text("utf-8")
    office.write_text(text.replace("hari_libur: []", "hari_libur: []\nmasuk_kerja: [2024-03-12]"))
    start_and_walk(data_copy, WALK[:3])
    done = sop(
        data_copy, "run", "done", SLUG, RUN, "4", "--by", "L", "--at", "2024-03-12 10:00",
        now="2024-03-13 09:00",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    status = json.loads(ok(data_copy, "run", "status", SLUG, RUN, "--json", now="2024-03-13 09:00"))
    assert status["steps"][3]["elapsed_minutes"] == 270 + 2 * 480 + 120  # Tuesday counts
    office.write_text(text.replace("hari_libur: []", "hari_libur: []\nlibur_nasional: false"))
    status = json.loads(ok(data_copy, "run", "status", SLUG, RUN, "--json", now="2024-03-13 09:00"))
    assert status["steps"][3]["elapsed_minutes"] == 270 + 3 * 480 + 120  # Monday too


# --------------------------------------------------------------------------- tamper evidence


def _edit(path: Path, old: str, new: str, occurrence: int = 1) -> int:
    """Replace the `occurrence`-th `old` in the file; return its line number."""
    line = line_of(path, old, occurrence)
    lines = path.read_text("utf-8").splitlines(keepends=True)
    lines[line - 1] = lines[line - 1].replace(old, new)
    path.write_text("".join(lines), "utf-8")
    return line


def _drop_last_entry(path: Path) -> int:
    text = path.read_text("utf-8")
    cut = text.rindex("  - langkah:")
    path.write_text(text[:cut], "utf-8")
    return line_of(path, "jumlah:")


HAND_EDITS = {
    "a decision changed": (
        lambda p: _edit(p, "keputusan: ya", "keputusan: tidak") - 5,
        "catatan nomor 8 diubah, disisipkan atau dihapus setelah dicatat",
    ),
    "the last event deleted": (
        _drop_last_entry,
        "kepala berkas mencatat 11 catatan, riwayat memuat 10",
    ),
    "a finishing time moved into 2027": (
        lambda p: _edit(p, "waktu_selesai: 2024-03-15T09:00", "waktu_selesai: 2027-03-15T09:00"),
        "waktu selesai setelah waktu dicatat",
    ),
    "a standard time in the snapshot": (
        lambda p: _edit(p, "waktu: 1 jam", "waktu: 30 hari"),
        "berbeda dari SOP revisi yang dicatat (hash_isi sama): di SOP '1 jam'",
    ),
    "step 7 made final": (
        lambda p: _edit(p, "berikutnya: 8", "berikutnya: selesai"),
        "berbeda dari SOP revisi yang dicatat (hash_isi sama): di SOP '8'",
    ),
    "recorded times going backwards": (
        lambda p: _edit(p, "dicatat: 2024-03-06T11:30", "dicatat: 2024-03-04T10:30"),
        "waktu dicatat lebih awal dari catatan sebelumnya",
    ),
}


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed with the whole WALK recorded (once for the module); `sop check` passes."""
    data = tmp_path_factory.mktemp("walked") / "sop_data"
    shutil.copytree(SEED_DATA, data, ignore=shutil.ignore_patterns("checklist"))
    start_and_walk(data)
    assert sop(data, "check", now="2024-03-20 09:00").returncode == 0
    return data


@pytest.mark.parametrize("case", list(HAND_EDITS))
def test_every_hand_edit_is_reported_with_its_line(walked: Path, tmp_path: Path, case: str) -> None:
    data_copy = tmp_path / "sop_data"
    shutil.copytree(walked, data_copy)
    path = data_copy / "checklist" / SLUG / f"{RUN}.yaml"
    edit, message = HAND_EDITS[case]
    line = edit(path)
    done = sop(data_copy, "check", now="2024-03-20 09:00")
    assert done.returncode == 1
    located = [row for row in done.stderr.splitlines() if message in row]
    assert located, done.stderr
    assert located[0].startswith(f"{path}:{line}:"), done.stderr
    # Every other reader refuses the file too, and nothing is written to it.
    before = path.read_bytes()
    assert sop(data_copy, "run", "status", SLUG, RUN, now="2024-03-20 09:00").returncode == 1
    assert path.read_bytes() == before


def test_a_snapshot_edit_breaks_the_chain_head(data_copy: Path) -> None:
    path = start_and_walk(data_copy, WALK[:2])
    _edit(path, "waktu: 1 jam", "waktu: 30 hari")
    done = sop(data_copy, "check", now="2024-03-20 09:00")
    assert f"{path}:{line_of(path, 'awal:')}:" in done.stderr
    assert "salinan langkah SOP diubah setelah siklus dimulai" in done.stderr


def test_a_time_in_the_future_and_a_removed_sop(data_copy: Path) -> None:
    start_and_walk(data_copy, WALK[:2])
    done = sop(data_copy, "check", now="2024-03-04 10:00")  # the clock went back
    assert done.returncode == 1
    assert "riwayat[2].dicatat: waktu ini belum terjadi" in done.stderr
    (data_copy / "sop" / f"{SLUG}.yaml").rename(data_copy / "sop" / "evaluasi-kinerja.yaml")
    done = sop(data_copy, "check", now="2024-03-20 09:00")
    assert done.returncode == 0, done.stderr
    assert (
        f"sop: peringatan: SOP '{SLUG}' tidak ada di folder data (dihapus atau diganti nama)"
        in done.stderr
    )


# --------------------------------------------------------------------------- fair times


def test_waiting_for_an_outside_party_is_not_the_offices_delay(data_copy: Path) -> None:
    start_and_walk(data_copy, WALK[:6])  # step 6 "tidak" on 03-13 14:00: back to step 5
    out = ok(
        data_copy, "run", "done", SLUG, RUN, "5", "--by", "Baiq", "--at", "2024-03-14 11:00",
        "--menunggu-sampai", "2024-03-14 09:00", now="2024-03-14 11:00",
    )  # fmt: skip
    assert "Lama kerja 2 jam, baku 1 hari (ditambah 3 jam menunggu pihak luar, tidak " in out
    status = json.loads(ok(data_copy, "run", "status", SLUG, RUN, "--json", now="2024-03-14 12:00"))
    step5 = status["steps"][4]
    assert (step5["elapsed_minutes"], step5["waiting_minutes"], step5["over_standard"]) == (
        120,
        180,
        False,
    )
    assert "2 jam +3 jam luar" in ok(data_copy, "run", "status", SLUG, RUN, now="2024-03-14 12:00")
    refused = sop(
        data_copy, "run", "done", SLUG, RUN, "6", "--by", "H", "--at", "2024-03-14 13:00",
        "--decision", "ya", "--menunggu-sampai", "2024-03-14 14:00", now="2024-03-14 14:00",
    )  # fmt: skip
    assert refused.returncode == 1
    assert "--menunggu-sampai 2024-03-14 14:00 WITA harus di antara" in refused.stderr


def outside_lane(data: Path) -> None:
    """The seed with step 4 done by an outside party (an outside lane, `luar: true`)."""
    path = data / "sop" / f"{SLUG}.yaml"
    text = path.read_text("utf-8").replace(
        "  staf: Staf\n", "  staf: Staf\n  desa:\n    label: Perangkat Desa\n    luar: true\n"
    )
    text = text.replace("    pelaksana: staf\n    kelengkapan: Instrumen", "    pelaksana: desa\n"
                        "    kelengkapan: Instrumen")  # fmt: skip
    path.write_text(text, "utf-8")


def test_time_in_an_outside_lane_is_reported_apart(data_copy: Path) -> None:
    outside_lane(data_copy)
    path = start_and_walk(data_copy, WALK[:3])
    assert "    luar: ya\n" in path.read_text("utf-8")
    waiting = json.loads(
        ok(data_copy, "run", "status", SLUG, RUN, "--json", now="2024-03-20 09:00")
    )
    assert (waiting["next"], waiting["next_lanes"]) == ([4], ["Perangkat Desa"])
    assert (waiting["due"], waiting["overdue"]) == (None, False)  # the office is not late
    ok(data_copy, "run", "done", SLUG, RUN, "4", "--by", "Kades", "--at", "2024-03-08 10:00",
       now="2024-03-08 10:00")  # fmt: skip
    status = json.loads(ok(data_copy, "run", "status", SLUG, RUN, "--json", now="2024-03-08 11:00"))
    step4 = status["steps"][3]
    assert (step4["elapsed_minutes"], step4["waiting_minutes"], step4["over_standard"]) == (
        0,
        270 + 480 + 120,
        False,
    )
    assert status["due"] == "2024-03-13T10:00:00+08:00"  # step 5, the office's again


def test_a_step_id_matches_across_a_reworded_revision(walked: Path, tmp_path: Path) -> None:
    from generator.loader import load_project
    from generator.site_pages import cycle_views

    data = tmp_path / "sop_data"
    shutil.copytree(walked, data)
    path = data / "sop" / f"{SLUG}.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("  - uraian: Menggandakan, mengagendakan", "  - id: kirim\n"
                                 "    uraian: Menggandakan, mengagendakan"), "utf-8")  # fmt: skip
    # The cycle ran without ids: the text still matches it.
    view = cycle_views(load_project(data))[SLUG]
    assert view.times[8].count == 1
    # A cycle started now carries the id in its snapshot; a reworded step still matches it.
    ok(data, "run", "start", SLUG, "--run", "r2", now="2024-03-18 08:00")
    assert "  - nomor: 9\n    id: kirim\n" in (data / "checklist" / SLUG / "r2.yaml").read_text()
    path.write_text(path.read_text("utf-8").replace("Menggandakan, mengagendakan dan",
                                                    "Menggandakan dan"), "utf-8")  # fmt: skip
    assert sop(data, "check", now="2024-03-20 09:00").returncode == 0


def test_a_decision_with_labelled_answers_and_an_ending_answer(data_copy: Path) -> None:
    path = data_copy / "sop" / f"{SLUG}.yaml"
    path.write_text(
        path.read_text("utf-8").replace(
            "      ya: 7\n      tidak: 5",
            "      Setuju: 7\n      Perlu perbaikan: 5\n      Dihentikan: selesai",
        ),
        "utf-8",
    )
    cycle = start_and_walk(data_copy, WALK[:5])
    asked = sop(data_copy, "run", "done", SLUG, RUN, "6", "--by", "H", now="2024-03-13 14:00")
    assert asked.stderr.startswith(
        "Ditolak: langkah 6 adalah keputusan; tambahkan --decision Setuju (ke langkah 7), "
        "--decision 'Perlu perbaikan' (ke langkah 5) atau --decision Dihentikan (selesai).\n"
    )
    ok(data_copy, "run", "done", SLUG, RUN, "6", "--by", "H", "--decision", "perlu  perbaikan",
       now="2024-03-13 14:00")  # fmt: skip
    text = cycle.read_text("utf-8")
    assert "      Dihentikan: selesai\n" in text and "keputusan: Perlu perbaikan\n" in text
    ok(data_copy, "run", "done", SLUG, RUN, "5", "--by", "B", now="2024-03-13 15:00")
    out = ok(data_copy, "run", "done", SLUG, RUN, "6", "--by", "H", "--decision", "dihentikan",
             now="2024-03-14 09:00")  # fmt: skip
    assert out.endswith("Siklus sudah selesai: tidak ada langkah yang dapat dikerjakan lagi.\n")
    assert sop(data_copy, "check", now="2024-03-20 09:00").returncode == 0


# --------------------------------------------------------------------------- export


def test_export_writes_csv_and_xlsx_of_cycles_and_step_times(data_copy: Path) -> None:
    from openpyxl import load_workbook

    start_and_walk(data_copy, WALK[:3])
    ok(data_copy, "run", "done", SLUG, RUN, "4", "--by", "=HYPERLINK(1)", now="2024-03-08 10:00")
    ok(
        data_copy, "run", "koreksi", SLUG, RUN, "2", "--by", "Sekcam", "--alasan", "x",
        "--output", "Notulen final", now="2024-03-08 11:00",
    )  # fmt: skip
    out = data_copy.parent / "ekspor"
    printed = ok(data_copy, "run", "ekspor", "--out", str(out), now="2024-03-08 12:00")
    assert printed == (
        f"Ekspor ditulis ke {out}: siklus.csv, waktu-langkah.csv, siklus.xlsx "
        "(1 siklus, 4 catatan langkah).\n"
    )
    cycles = (out / "siklus.csv").read_text("utf-8-sig").splitlines()
    assert cycles[0].startswith("sop,nomor_sop,nama_sop,siklus,dimulai,keadaan,")
    assert cycles[1] == (
        "evaluasi-kinerja-kecamatan,067/21/JPR/2024,Evaluasi Kinerja Kecamatan,r1,"
        '2024-03-04T08:00+08:00,berjalan,,4,9,1,5,"Lurah, Kasi, Kasubbag.",'
        "2024-03-13T10:00+08:00,tidak,2160,1,"  # 03-11/12: Nyepi, cuti bersama
    )
    steps = (out / "waktu-langkah.csv").read_text("utf-8-sig").splitlines()
    assert len(steps) == 5
    assert ",Notulen final," in steps[2] and ",ya,ya,ya," in steps[2]  # over, in force, corrected
    assert ",'=HYPERLINK(1)," in steps[4]  # never a formula
    book = load_workbook(out / "siklus.xlsx")
    assert book.sheetnames == ["siklus", "waktu-langkah"]
    sheet = book["waktu-langkah"]
    assert [c.value for c in sheet[1]][:4] == ["sop", "siklus", "catatan_no", "langkah"]
    assert sheet.cell(row=5, column=8).value == "=HYPERLINK(1)"
    assert sheet.cell(row=5, column=8).data_type == "s"
    assert sheet.cell(row=2, column=11).value == 60  # working minutes of step 1


# --------------------------------------------------------------------------- revisions

NEW_STEP = """  - uraian: Memverifikasi instrumen evaluasi kinerja bersama Sekcam
    pelaksana: sekcam
    waktu: 1 jam
    output: Instrumen terverifikasi
"""


def insert_step(data: Path, *, update_targets: bool = True) -> None:
    """A revision of the seed: a new step 4 after step 3 (the later steps move up by one);
    without `update_targets` the decision's "tidak" still names step 5 (now another step)."""
    path = data / "sop" / f"{SLUG}.yaml"
    text = path.read_text("utf-8").replace("tanggal_revisi: null", "tanggal_revisi: 2024-03-18")
    anchor = "  - uraian: Megumpulkan bahan"
    text = text.replace(anchor, NEW_STEP + anchor)
    tidak = "6" if update_targets else "5"
    text = text.replace("      ya: 7\n      tidak: 5", f"      ya: 8\n      tidak: {tidak}")
    path.write_text(text, "utf-8")


def test_figures_match_steps_across_revisions_never_by_number(walked: Path, tmp_path: Path) -> None:
    from generator import checklist as cl
    from generator.loader import load_project
    from generator.site_pages import cycle_views

    data = tmp_path / "sop_data"
    shutil.copytree(walked, data)
    insert_step(data)
    # The cycle ran under the old revision: it keeps its own steps, and says what changed.
    status = sop(data, "run", "status", SLUG, RUN, now="2024-03-20 09:00")
    assert status.returncode == 0
    assert status.stderr == (
        f"peringatan: SOP '{SLUG}' telah diubah sejak siklus {RUN} dimulai (tanggal revisi "
        "- -> 2024-03-18; langkah baru: 4; nomor langkah bergeser: 4->5, 5->6, 6->7, 7->8, "
        "8->9, 9->10; langkah 3 (berikutnya) kini menuju langkah 4); siklus ini tetap mengikuti "
        "langkah saat siklus dimulai\n"
    )
    assert " 9  selesai " in status.stdout  # its step 9 is still step 9 here
    project = load_project(data)
    view = cycle_views(project)[SLUG]
    figures = {t.number: (t.description[:24], t.count, t.mean, t.over_count) for t in view.times}
    assert figures == {
        1: ("Memerintahkan Sekcam, se", 1, "1 jam", 0),
        2: ("Melaksanakan rapat pemba", 1, "2 jam 30 menit", 1),
        3: ("Membuat instrumen dan me", 1, "2 hari", 0),
        4: ("Memverifikasi instrumen ", 0, "-", 0),  # the new step: never done
        5: ("Megumpulkan bahan dan me", 1, "1 hari 6 jam 30 menit", 0),  # Lalu, not Staf's row
        6: ("Menyusun laporan hasil e", 2, "6 jam 30 menit", 0),
        7: ("Memeriksa laporan hasil ", 2, "3 jam", 1),  # the Camat's delay stays on 7 (old 6)
        8: ("Melakukan penandatangana", 1, "5 menit", 0),
        9: ("Memerintahkan Kasubbag P", 1, "5 menit", 0),
        10: ("Menggandakan, mengagenda", 1, "3 jam 50 menit", 1),  # the last step: done once
    }
    assert view.note.startswith("Angka per langkah mencakup 1 siklus revisi awal")
    calendar = cl.WorkCalendar.of(project.office)
    assert [t.revisions for t in cl.cycle_times(cl.load_checklists(data)[SLUG], calendar,
                                                 project.sops[0])][9] == ("-",)  # fmt: skip


def test_a_decision_target_that_now_points_elsewhere_is_noticed(
    walked: Path, tmp_path: Path
) -> None:
    data = tmp_path / "sop_data"
    shutil.copytree(walked, data)
    insert_step(data, update_targets=False)  # tidak: 5 now names "Megumpulkan bahan ..."
    status = sop(data, "run", "status", SLUG, RUN, now="2024-03-20 09:00")
    assert status.returncode == 0, status.stderr
    assert "langkah 7 (tidak) kini menuju langkah 5" in status.stderr
    assert "(ya) kini" not in status.stderr


# --------------------------------------------------------------------------- shared folders


@pytest.fixture
def shared_data() -> Iterator[Path]:
    """A data folder of group 4242 (setgid, group-writable) outside root's private /tmp dirs."""
    top = Path(tempfile.mkdtemp(prefix="sop-grup-", dir="/tmp"))
    top.chmod(0o755)
    data = top / "sop_data"
    shutil.copytree(SEED_DATA, data, ignore=shutil.ignore_patterns("checklist"))
    for folder in (data, *[p for p in data.rglob("*") if p.is_dir()]):
        os.chown(folder, 0, 4242)
        folder.chmod(0o2775)
    yield data
    shutil.rmtree(top)


def _account(uid: int) -> tuple[str, ...]:
    """Run as account `uid` of group 4242, reading (not writing) like root: the interpreter
    lives under /root; writes are checked as that account's."""
    return (
        "setpriv", f"--reuid={uid}", "--regid=4242", "--clear-groups",
        "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search",
    )  # fmt: skip


def test_two_accounts_of_one_group_record_the_same_cycle(shared_data: Path) -> None:
    first, second = _account(4001), _account(4002)
    done = sop(shared_data, "run", "start", SLUG, "--run", RUN, now="2024-03-04 08:00",
               prefix=first)  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = sop(shared_data, "run", "done", SLUG, RUN, "1", "--by", "A", now="2024-03-04 09:00",
               prefix=first)  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = sop(shared_data, "run", "done", SLUG, RUN, "2", "--by", "B", now="2024-03-04 10:00",
               prefix=second)  # fmt: skip
    assert done.returncode == 0, done.stderr
    folder = shared_data / "checklist" / SLUG
    lock = folder / f".{RUN}.yaml.lock"
    assert (folder.stat().st_gid, folder.stat().st_mode & 0o7777) == (4242, 0o2775)
    assert (lock.stat().st_gid, lock.stat().st_mode & 0o777) == (4242, 0o664)
    assert ((folder / f"{RUN}.yaml").stat().st_mode & 0o777) == 0o664


def test_a_lock_file_of_another_account_is_named(shared_data: Path) -> None:
    first, second = _account(4001), _account(4002)
    sop(shared_data, "run", "start", SLUG, "--run", RUN, now="2024-03-04 08:00", prefix=first)
    lock = shared_data / "checklist" / SLUG / f".{RUN}.yaml.lock"
    lock.chmod(0o644)  # as an older version left it
    done = sop(shared_data, "run", "done", SLUG, RUN, "1", "--by", "B", now="2024-03-04 09:00",
               prefix=second)  # fmt: skip
    assert done.returncode == 1
    assert f"{lock}: akun ini tidak boleh menulis berkas ini" in done.stderr
    assert f"chmod g+rw {lock}" in done.stderr


# --------------------------------------------------------------------------- pipes


def test_a_closed_pipe_ends_quietly(data_copy: Path) -> None:
    """`sop run list --json | head`: the reader is gone before `sop` writes."""
    start_and_walk(data_copy, WALK[:3])
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [*SOP, "run", "list", "--json", "--data", str(data_copy)],
            cwd=ROOT,
            env={**os.environ, "SOP_NOW": "2024-03-08 12:00", "PYTHONPATH": str(ROOT)},
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.stderr == ""
    assert done.returncode == 1
