"""A cycle file of the previous release (no hash chain) is read, reported once as a warning,
and given its chain by the next `sop run` write; nothing recorded before is lost.

The fixture `tests/fixtures/legacy-checklist/lama.yaml` was written by the previous release's
`sop run start` and `sop run done` on the seed SOP evaluasi-kinerja-kecamatan.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from generator.site import build_site
from tests.conftest import FIXTURES, TEMPLATES
from tests.test_cycle_records import SLUG, ok, sop

LEGACY = FIXTURES / "legacy-checklist" / "lama.yaml"
NOW = "2024-03-05 09:00"
WARNING = (
    "lama.yaml:1:1: peringatan: berkas siklus ini ditulis oleh versi sebelumnya dan belum "
    "memiliki rantai hash; rantai ditambahkan pada penulisan berikutnya oleh `sop run` "
    "(done, koreksi atau batal), dan bukti perubahan dengan tangan baru berlaku sejak saat itu"
)


def _with_legacy(data: Path) -> Path:
    folder = data / "checklist" / SLUG
    folder.mkdir(parents=True)
    return Path(shutil.copy(LEGACY, folder / "lama.yaml"))


def _history(path: Path) -> list[dict[str, str]]:
    entries = yaml.load(path.read_text("utf-8"), Loader=yaml.BaseLoader)["riwayat"]
    return [{k: v for k, v in e.items() if k != "hash"} for e in entries]


def test_legacy_file_is_read_warned_and_chained_on_next_write(data_copy: Path) -> None:
    path = _with_legacy(data_copy)
    before = _history(LEGACY)
    assert "rantai" not in LEGACY.read_text("utf-8")

    status = ok(data_copy, "run", "status", SLUG, "lama", now=NOW)
    assert "1 dari 9 langkah selesai" in status
    assert "Surat undangan terkirim (catatan: catatan lama)" in status

    checked = sop(data_copy, "check", now=NOW)
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr.count(WARNING) == 1, checked.stderr
    assert "1 berkas siklus diperiksa, 1 peringatan" in checked.stdout
    assert path.read_bytes() == LEGACY.read_bytes()  # reading never rewrites

    site = build_site(data_copy, TEMPLATES, data_copy.parent / "cache")
    shown = [p.format() for p in site.warnings if p.path == str(path)]
    assert len(shown) == 1 and WARNING in shown[0], shown
    assert "siklus/evaluasi-kinerja-kecamatan/lama/index.md" in site.files
    assert path.read_bytes() == LEGACY.read_bytes()

    ok(data_copy, "run", "done", SLUG, "lama", "2", "--by", "Sri", now=NOW)
    text = path.read_text("utf-8")
    assert "rantai:" in text and "jumlah: 2" in text
    after = _history(path)
    assert after[:1] == before
    assert after[1]["langkah"] == "2" and after[1]["oleh"] == "Sri"
    lead = yaml.load(LEGACY.read_text("utf-8"), Loader=yaml.BaseLoader)
    now_data = yaml.load(text, Loader=yaml.BaseLoader)
    assert now_data["langkah"] == lead["langkah"]  # same snapshot
    assert {k: v for k, v in now_data.items() if k not in ("rantai", "riwayat")} == {
        k: v for k, v in lead.items() if k != "riwayat"
    }

    checked = sop(data_copy, "check", now=NOW)
    assert checked.returncode == 0, checked.stderr
    assert "peringatan:" not in checked.stderr
    assert "1 berkas siklus diperiksa, 0 peringatan" in checked.stdout


def test_new_format_without_its_chain_block_stays_an_error(data_copy: Path) -> None:
    path = _with_legacy(data_copy)
    ok(data_copy, "run", "done", SLUG, "lama", "2", "--by", "Sri", now=NOW)
    text = path.read_text("utf-8")
    head, rest = text.split("rantai:\n", 1)
    path.write_text(head + rest.split("langkah:\n", 1)[1].join(["langkah:\n", ""]), "utf-8")
    checked = sop(data_copy, "check", now=NOW)
    assert checked.returncode == 1
    assert "kunci 'rantai' tidak ada" in checked.stderr


def test_legacy_file_edited_by_hand_after_chaining_is_an_error(data_copy: Path) -> None:
    path = _with_legacy(data_copy)
    ok(data_copy, "run", "done", SLUG, "lama", "2", "--by", "Sri", now=NOW)
    path.write_text(path.read_text("utf-8").replace("oleh: Budi", "oleh: Badu"), "utf-8")
    checked = sop(data_copy, "check", now=NOW)
    assert checked.returncode == 1
    assert "catatan nomor 1 diubah" in checked.stderr
