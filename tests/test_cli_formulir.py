"""`sop formulir [SLUG]`: each step's form and the words that chose it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import SEED_DATA, TEMPLATES


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["formulir", *args, "--templates", str(TEMPLATES)])
    out, err = capsys.readouterr()
    return code, out, err


def test_seed_lists_every_step_with_its_form_and_reason(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "evaluasi-kinerja-kecamatan", "--data", str(SEED_DATA))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        "Formulir SOP 067/21/JPR/2024 Evaluasi Kinerja Kecamatan (evaluasi-kinerja-kecamatan):"
    )
    assert lines[3] == "  2. Melaksanakan rapat pembahasan Evaluasi Kinerja"
    assert lines[4] == (
        "     -> Notula Rapat [notula] + Daftar Hadir [daftar-hadir]: "
        'ditulis pada kunci formulir ("notula")'
    )
    assert lines[-1] == "10 formulir, dicetak bersama dalam formulir.pdf."


def test_inferred_forms_name_their_words(
    capsys: pytest.CaptureFixture[str], data_copy: Path
) -> None:
    path = data_copy / "sop" / "evaluasi-kinerja-kecamatan.yaml"
    path.write_text(re.sub(r"\n    formulir: [a-z-]+", "", path.read_text()))
    _, out, _ = run(capsys, "--data", str(data_copy))
    assert '     -> Surat Undangan [undangan]: kelengkapan memuat "undangan"' in out
    assert '     -> Lembar Paraf / Persetujuan [paraf]: keputusan tentang "paraf"' in out
    assert '     -> Lembar Disposisi [disposisi]: uraian memuat "memerintahkan"' in out


def test_sop_without_forms_says_so(capsys: pytest.CaptureFixture[str], data_copy: Path) -> None:
    path = data_copy / "sop" / "evaluasi-kinerja-kecamatan.yaml"
    text = re.sub(r"\n    formulir: [a-z-]+", "", path.read_text())
    path.write_text(re.sub(r"output: .*", 'output: "-"', text))
    code, out, _ = run(capsys, "--data", str(data_copy))
    assert code == 0
    reason = '     - tanpa formulir: langkah ini tidak berisi output (kosong atau "-")'
    assert out.count(reason) == 9
    assert out.splitlines()[-1] == (
        "SOP ini tidak mempunyai formulir (tidak ada formulir.pdf): tidak satu langkah pun "
        "berisi output atau kunci formulir."
    )


def test_opt_out_passes_check_and_is_reported(
    capsys: pytest.CaptureFixture[str], data_copy: Path
) -> None:
    path = data_copy / "sop" / "evaluasi-kinerja-kecamatan.yaml"
    path.write_text(path.read_text().replace("formulir: rekap", "formulir: tidak ada"))
    _, out, _ = run(capsys, "--data", str(data_copy))
    assert "     - tanpa formulir: ditulis formulir: tidak ada" in out
    assert "9 formulir" in out


def test_unknown_sop_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "tidak-ada", "--data", str(SEED_DATA))
    assert code == 1
    assert "SOP 'tidak-ada' tidak ada di" in err
