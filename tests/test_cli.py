"""`sop check`, `sop new`, `sop schema` as a clerk runs them: exact output, exit status.

Every rule of the data contract has a case below: a small edit of the seed data folder and
the exact text the clerk sees, committed in tests/expected/errors/<case>.txt (stderr, then
stdout, then the exit status). Runs happen in a temporary folder with `--data sop_data`, so
paths print as they would for the clerk: ``sop_data/sop/x.yaml:12:7: ...``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import cli
from tests.conftest import SEED_DATA, TEMPLATES
from tests.expected import assert_matches_expected
from tests.test_yamlread import BILLION_LAUGHS

SOP = "sop/evaluasi-kinerja-kecamatan.yaml"
OFFICE = "instansi.yaml"
SEED_FORMS = (
    "undangan",
    "notula",
    "instrumen",
    "rekap",
    "laporan",
    "paraf",
    "pengesahan",
    "disposisi",
    "tanda-terima",
)
SOP_CLI = Path(sys.executable).parent / "sop"

Edit = Callable[[Path], None]


def replace(name: str, old: str, new: str) -> Edit:
    """Replace the one occurrence of `old` in data file `name`."""

    def edit(data: Path) -> None:
        path = data / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {name}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    return edit


def write(name: str, content: str | bytes) -> Edit:
    """Write data file `name` with exactly `content`."""

    def edit(data: Path) -> None:
        path = data / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)

    return edit


def copy(name: str, to: str) -> Edit:
    """Copy data file `name` to `to`."""
    return lambda data: shutil.copyfile(data / name, data / to)


def remove(name: str) -> Edit:
    """Delete data file `name`."""
    return lambda data: (data / name).unlink()


def both(*edits: Edit) -> Edit:
    """Apply several edits in order."""

    def edit(data: Path) -> None:
        for one in edits:
            one(data)

    return edit


SEED_SOP_BYTES = (SEED_DATA / SOP).read_bytes()
LAST_STEP_END = "    formulir: tanda-terima\n"

# case name -> (edit of the seed data folder, expected exit status)
CASES: dict[str, tuple[Edit, int]] = {
    # --- keys
    "kunci-salah-ketik": (replace(SOP, "    output: notulen", "    ouput: notulen"), 1),
    "kunci-salah-ketik-atas": (replace(SOP, "unit: Sub", "unti: Sub"), 1),
    "kunci-bahasa-inggris": (replace(SOP, "      ya: 7", "      yes: 7"), 1),
    "kunci-tidak-dikenal": (replace(SOP, "unit: Sub", "catatan: x\nunit: Sub"), 1),
    "kunci-instansi-salah-ketik": (replace(OFFICE, "kertas: F4", "kertass: F4"), 1),
    "kunci-wajib-hilang": (replace(SOP, "nama: Evaluasi Kinerja Kecamatan\n", ""), 1),
    "kunci-wajib-hilang-langkah": (
        replace(SOP, "    pelaksana: kasi\n    kelengkapan: Aturan", "    kelengkapan: Aturan"),
        1,
    ),
    "kunci-wajib-kosong": (replace(SOP, "unit: Sub Bagian Perencanaan dan Keuangan", "unit:"), 1),
    "kunci-pejabat-hilang": (replace(OFFICE, "    nama: SYAMSUN RIJAL, S.IP\n", ""), 1),
    # --- types
    "tipe-teks": (replace(SOP, "nama: Evaluasi Kinerja Kecamatan", "nama: [a, b]"), 1),
    "tipe-daftar": (
        replace(
            SOP,
            "langkah:\n  - uraian: Memerintahkan",
            "langkah: teks\nx:\n  - uraian: Memerintahkan",
        ),
        1,
    ),
    "tipe-pemetaan": (
        replace(SOP, "    keputusan:\n      ya: 7\n      tidak: 5\n", "    keputusan: 7\n"),
        1,
    ),
    "tipe-langkah-bukan-pemetaan": (
        replace(SOP, "  - uraian: Melaksanakan rapat", "  - Melaksanakan rapat\n  - uraian: Rapat"),
        1,
    ),
    "tipe-pelaksana-langkah": (
        replace(
            SOP,
            "    pelaksana: kasi\n    kelengkapan: Aturan",
            "    pelaksana: {kasi: x}\n    kelengkapan: Aturan",
        ),
        1,
    ),
    "tipe-kertas": (replace(OFFICE, "kertas: F4", "kertas: B5"), 1),
    "tipe-jam-kerja": (replace(OFFICE, 'mulai: "08:00"', "mulai: 8:00"), 1),
    "tipe-hari-kerja": (replace(OFFICE, "hari: [1, 2, 3, 4, 5]", "hari: [1, 2, 8]"), 1),
    "id-lajur-tidak-sah": (replace(SOP, "  staf: Staf\n", "  Staf Umum: Staf\n"), 1),
    "lajur-kosong": (
        replace(SOP, "pelaksana:\n  camat: Camat\n", "pelaksana: {}\nx:\n  camat: Camat\n"),
        1,
    ),
    # --- YAML syntax
    "sintaks-titik-dua": (
        replace(SOP, "  - uraian: Melaksanakan rapat", "  - uraian: Hal: Melaksanakan rapat"),
        1,
    ),
    "sintaks-kutip-tidak-ditutup": (replace(SOP, "unit: Sub", 'unit: "Sub'), 1),
    "sintaks-kutip-tunggal": (
        replace(SOP, "nama: Evaluasi Kinerja Kecamatan", "nama: 'Evaluasi's"),
        1,
    ),
    "sintaks-indentasi": (replace(SOP, "  - uraian: Melaksanakan", " - uraian: Melaksanakan"), 1),
    "sintaks-indentasi-lebih": (replace(SOP, "unit: Sub", "  unit: Sub"), 1),
    "sintaks-kurung-tidak-ditutup": (
        replace(SOP, "nama: Evaluasi Kinerja", "nama: [Evaluasi Kinerja"),
        1,
    ),
    "sintaks-karakter-awal": (replace(SOP, "nama: Evaluasi", "nama: @Evaluasi"), 1),
    "sintaks-dua-dokumen": (replace(SOP, "nama: Evaluasi", "---\nnama: Evaluasi"), 1),
    "kunci-ganda": (replace(SOP, "unit: Sub", "nama: Rapat\nunit: Sub"), 1),
    "anchor": (replace(SOP, "unit: Sub", "unit: &unit Sub"), 1),
    "alias": (replace(SOP, "unit: Sub Bagian Perencanaan dan Keuangan", "unit: *unit"), 1),
    "bom-tawa": (write(SOP, BILLION_LAUGHS), 1),
    "tag-python": (
        replace(
            SOP,
            "unit: Sub Bagian Perencanaan dan Keuangan",
            "unit: !!python/object/apply:os.system ['touch DIBUAT']",
        ),
        1,
    ),
    "tab-indentasi": (
        replace(
            SOP,
            "    pelaksana: kasi\n    kelengkapan: Aturan",
            "\tpelaksana: kasi\n    kelengkapan: Aturan",
        ),
        1,
    ),
    "karakter-kendali": (replace(SOP, "nama: Evaluasi", "nama: Eval\x0cuasi"), 1),
    "berkas-kosong": (write(SOP, ""), 1),
    "berkas-bukan-pemetaan": (write(SOP, "- nomor: 1\n- nama: Rapat\n"), 1),
    "instansi-kosong": (write(OFFICE, "# belum diisi\n"), 1),
    "berkas-bukan-utf8": (
        write(SOP, SEED_SOP_BYTES.replace(b"Megumpulkan", b"Mengumpulk\xe1n")),
        1,
    ),
    "bom-crlf-diterima": (write(SOP, b"\xef\xbb\xbf" + SEED_SOP_BYTES.replace(b"\n", b"\r\n")), 0),
    # --- no silent coercion
    "nomor-angka-tetap-teks": (replace(SOP, 'nomor: "067/21/JPR/2024"', "nomor: 0214"), 0),
    "uraian-no-tetap-teks": (
        replace(
            SOP, "  - uraian: Melaksanakan rapat pembahasan Evaluasi Kinerja", "  - uraian: no"
        ),
        0,
    ),
    "selesai-no": (replace(SOP, LAST_STEP_END, LAST_STEP_END + "    selesai: no\n"), 1),
    "selesai-ya": (replace(SOP, LAST_STEP_END, LAST_STEP_END + "    selesai: ya\n"), 1),
    "waktu-jam-menit": (replace(SOP, "waktu: 1 jam", "waktu: 1:20"), 1),
    "waktu-desimal": (replace(SOP, "waktu: 1 jam", "waktu: 1.10"), 1),
    "waktu-tidak-sah": (replace(SOP, "waktu: 1 jam", "waktu: sejam"), 1),
    "waktu-nol": (replace(SOP, "waktu: 1 jam", "waktu: 0 jam"), 0),  # no standard time
    "keputusan-desimal": (replace(SOP, "ya: 7", "ya: 1.10"), 1),
    "keputusan-off": (replace(SOP, "ya: 7", "ya: off"), 1),
    # --- dates
    "tanggal-tidak-ada": (
        replace(SOP, "tanggal_pembuatan: 2024-01-22", "tanggal_pembuatan: 2024-02-30"),
        1,
    ),
    "tanggal-bentuk-salah": (
        replace(SOP, "tanggal_pembuatan: 2024-01-22", "tanggal_pembuatan: 22-01-2024"),
        1,
    ),
    "tanggal-efektif-sebelum-pembuatan": (
        replace(SOP, "tanggal_efektif: 2024-01-22", "tanggal_efektif: 2024-01-21"),
        1,
    ),
    # --- NIP
    "nip-panjang": (replace(OFFICE, '"19661231 198607 1 014"', '"19661231 198607 1 01"'), 1),
    "nip-tanggal-lahir": (replace(OFFICE, '"19661231 198607 1 014"', '"19661331 198607 1 014"'), 1),
    "nip-bulan-pengangkatan": (
        replace(OFFICE, '"19661231 198607 1 014"', '"19661231 198613 1 014"'),
        1,
    ),
    "nip-jenis-kelamin": (replace(OFFICE, '"19661231 198607 1 014"', '"19661231 198607 3 014"'), 1),
    # --- lanes
    "pelaksana-bukan-lajur": (
        replace(
            SOP,
            "    pelaksana: kasi\n    kelengkapan: Aturan",
            "    pelaksana: lurah\n    kelengkapan: Aturan",
        ),
        1,
    ),
    "pelaksana-bersama-bukan-lajur": (
        replace(SOP, "pelaksana: [camat, sekcam, kasi]", "pelaksana: [camat, sekcam, lurah]"),
        1,
    ),
    "lajur-tidak-dipakai": (replace(SOP, "  staf: Staf\n", "  staf: Staf\n  lurah: Lurah\n"), 0),
    # --- targets and flow
    "keputusan-tujuan-tidak-ada": (replace(SOP, "ya: 7", "ya: 12"), 1),
    "keputusan-ke-diri-sendiri": (replace(SOP, "ya: 7", "ya: 6"), 1),
    "keputusan-ya-tidak-sama": (replace(SOP, "tidak: 5", "tidak: 7"), 1),
    "keputusan-dan-selesai": (
        replace(SOP, "      tidak: 5\n", "      tidak: 5\n    selesai: true\n"),
        1,
    ),
    "lanjut-tidak-ada": (
        replace(SOP, "    formulir: instrumen\n", "    formulir: instrumen\n    lanjut: 0\n"),
        1,
    ),
    "lanjut-ke-diri-sendiri": (
        replace(SOP, "    formulir: instrumen\n", "    formulir: instrumen\n    lanjut: 3\n"),
        1,
    ),
    "lanjut-dan-selesai": (
        replace(
            SOP,
            "    formulir: instrumen\n",
            "    formulir: instrumen\n    lanjut: 5\n    selesai: true\n",
        ),
        1,
    ),
    "langkah-tidak-tercapai": (
        replace(SOP, "    formulir: notula\n", "    formulir: notula\n    lanjut: 4\n"),
        1,
    ),
    "putaran-tanpa-akhir": (replace(SOP, LAST_STEP_END, LAST_STEP_END + "    lanjut: 8\n"), 1),
    # --- officials, numbers, file names, forms
    "disahkan-oleh-tidak-dikenal": (
        replace(SOP, "disahkan_oleh: camat", "disahkan_oleh: bupati"),
        1,
    ),
    "nomor-ganda": (copy(SOP, "sop/rapat-koordinasi.yaml"), 1),
    "nama-berkas-tidak-sah": (copy(SOP, "sop/Surat Masuk.yaml"), 1),
    "akhiran-yml": (copy(SOP, "sop/surat-masuk.yml"), 1),
    "formulir-tidak-dikenal": (replace(SOP, "formulir: notula", "formulir: notulen"), 1),
    "instansi-tidak-ada": (remove(OFFICE), 1),
    "belum-ada-sop": (remove(SOP), 1),
    # --- everything at once
    "banyak-galat-banyak-berkas": (
        both(
            copy(SOP, "sop/rapat-koordinasi.yaml"),
            replace(
                "sop/rapat-koordinasi.yaml", 'nomor: "067/21/JPR/2024"', 'nomor: "068/1/JPR/2024"'
            ),
            replace("sop/rapat-koordinasi.yaml", "ya: 7", "ya: 70"),
            replace(
                "sop/rapat-koordinasi.yaml", "  staf: Staf\n", "  staf: Staf\n  lurah: Lurah\n"
            ),
            replace(
                "sop/rapat-koordinasi.yaml",
                "tanggal_efektif: 2024-01-22",
                "tanggal_efektif: 2024-01-21",
            ),
            copy(SOP, "sop/Salinan SOP.yaml"),
            replace(SOP, "    output: notulen", "    ouput: notulen"),
            replace(SOP, "waktu: 1 jam", "waktu: 1:20"),
            replace(OFFICE, '"19661231 198607 1 014"', '"19661231 198607 3 014"'),
        ),
        1,
    ),
}


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clerk's folder: a copy of sop_data/ and templates/ with the seed's form names."""
    shutil.copytree(SEED_DATA, tmp_path / "sop_data", ignore=shutil.ignore_patterns("checklist"))
    forms = tmp_path / "templates" / "formulir"
    forms.mkdir(parents=True)
    for name in SEED_FORMS:
        (forms / f"{name}.html").write_text("", encoding="utf-8")
    shutil.copyfile(TEMPLATES / "sop-baru.yaml", tmp_path / "templates" / "sop-baru.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Run `sop <argv>` in-process: (exit status, stderr + stdout)."""
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.err + captured.out


CHECK = ("check", "--data", "sop_data", "--templates", "templates")


def test_check_passes_on_the_seed(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, *CHECK) == (0, "1 SOP valid, 0 peringatan\n")


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_reports_every_rule(
    case: str, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit, expected_status = CASES[case]
    edit(workdir / "sop_data")
    started = time.perf_counter()
    status, output = run(capsys, *CHECK)
    assert time.perf_counter() - started < 5
    assert_matches_expected(f"{output}[status {status}]\n", f"errors/{case}.txt")
    assert status == expected_status
    assert "Traceback" not in output
    if status:
        assert output.splitlines()[-1].endswith(" peringatan")


def test_every_case_has_an_expected_file_and_no_file_is_stale() -> None:
    folder = Path(__file__).parent / "expected" / "errors"
    assert sorted(p.stem for p in folder.glob("*.txt")) == sorted(CASES)


def test_error_lines_are_sorted_and_located(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    CASES["banyak-galat-banyak-berkas"][0](workdir / "sop_data")
    status, output = run(capsys, *CHECK)
    located = [line for line in output.splitlines() if line.startswith("sop_data/")]
    keys = []
    for line in located:
        path, _, rest = line.partition(".yaml")
        numbers = rest.split(":")[1:3] if rest.startswith(":") else ["0", "0"]
        keys.append((path + ".yaml", *(int(n) if n.isdigit() else 0 for n in numbers)))
    assert keys == sorted(keys)
    assert {k[0] for k in keys} == {
        "sop_data/instansi.yaml",
        "sop_data/sop/Salinan SOP.yaml",
        "sop_data/sop/evaluasi-kinerja-kecamatan.yaml",
        "sop_data/sop/rapat-koordinasi.yaml",
    }
    assert output.splitlines()[-1] == "6 galat, 1 peringatan"
    assert status == 1


def test_kept_text_reaches_the_model(workdir: Path) -> None:
    from generator.loader import load_project

    CASES["nomor-angka-tetap-teks"][0](workdir / "sop_data")
    CASES["uraian-no-tetap-teks"][0](workdir / "sop_data")
    sop = load_project("sop_data").sops[0]
    assert sop.number == "0214"
    assert sop.step(2).description == "no"


# --------------------------------------------------------------------------- real process


def _sop_process(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SOP_CLI), *argv], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def test_real_process_tag_does_not_execute(workdir: Path) -> None:
    marker = workdir / "DIBUAT"
    CASES["tag-python"][0](workdir / "sop_data")
    done = _sop_process(*CHECK, cwd=workdir)
    assert done.returncode == 1
    assert not marker.exists()
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[0] == (
        "sop_data/sop/evaluasi-kinerja-kecamatan.yaml:23:7: "
        "tag YAML '!!python/object/apply:os.system' tidak diizinkan"
    )


def test_real_process_alias_bomb_is_refused_quickly(workdir: Path) -> None:
    (workdir / "sop_data" / SOP).write_text(BILLION_LAUGHS, encoding="utf-8")
    started = time.perf_counter()
    done = _sop_process(*CHECK, cwd=workdir)
    assert time.perf_counter() - started < 20  # process start-up included; the refusal is ms
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "anchor YAML (&nama) tidak diizinkan" in done.stderr


@pytest.mark.parametrize(
    "case", ["sintaks-kutip-tidak-ditutup", "berkas-bukan-utf8", "lajur-tidak-dipakai"]
)
def test_real_process_matches_in_process_output(case: str, workdir: Path) -> None:
    edit, status = CASES[case]
    edit(workdir / "sop_data")
    done = _sop_process(*CHECK, cwd=workdir)
    assert_matches_expected(
        f"{done.stderr}{done.stdout}[status {done.returncode}]\n", f"errors/{case}.txt"
    )
    assert done.returncode == status
    assert "Traceback" not in done.stderr


def test_real_process_without_any_data(tmp_path: Path) -> None:
    done = _sop_process("check", cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr == (
        "sop_data/instansi.yaml: berkas instansi.yaml tidak ditemukan\n"
        "    petunjuk: jalankan perintah dari folder proyek, atau beri --data FOLDER\n"
        "1 galat, 0 peringatan\n"
    )


# --------------------------------------------------------------------------- new and schema


def test_new_writes_a_file_that_passes_check(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, output = run(capsys, "new", "surat-masuk", "--data", "sop_data")
    assert status == 0
    assert output == (
        "SOP baru ditulis: sop_data/sop/surat-masuk.yaml\n"
        "Isi setiap kunci, lalu jalankan: sop check\n"
    )
    # The new file has the seed's nomor pattern but its own number, so both pass together.
    assert run(capsys, *CHECK) == (0, "2 SOP valid, 0 peringatan\n")


def test_new_refuses_to_overwrite(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (workdir / "sop_data" / SOP).read_bytes()
    status, output = run(capsys, "new", "evaluasi-kinerja-kecamatan", "--data", "sop_data")
    assert (status, output) == (
        1,
        "sop_data/sop/evaluasi-kinerja-kecamatan.yaml sudah ada; "
        "pilih nama lain atau sunting berkas itu\n",
    )
    assert (workdir / "sop_data" / SOP).read_bytes() == before


@pytest.mark.parametrize(
    "slug", ["Surat-Masuk", "surat masuk", "surat_masuk", "surat--masuk", "surat-"]
)
def test_new_refuses_a_bad_slug(
    slug: str, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, output = run(capsys, "new", slug, "--data", "sop_data")
    assert (status, output) == (
        1,
        f"nama SOP '{slug}' tidak sah: gunakan huruf kecil, angka dan tanda hubung, "
        "mis. surat-masuk\n",
    )
    assert sorted(p.name for p in (workdir / "sop_data" / "sop").iterdir()) == [
        "evaluasi-kinerja-kecamatan.yaml"
    ]


def test_schema_writes_both_files(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, output = run(capsys, "schema", "--out", "skema")
    assert (status, output) == (
        0,
        "skema ditulis: skema/sop.schema.json\nskema ditulis: skema/instansi.schema.json\n",
    )
    sop_schema = json.loads((workdir / "skema" / "sop.schema.json").read_text(encoding="utf-8"))
    assert sop_schema["additionalProperties"] is False
    assert {"nomor", "langkah", "pelaksana"} <= set(sop_schema["properties"])
