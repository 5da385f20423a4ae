"""load_project: the real data folders load; every problem is located and collected."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import Problem, Severity, UserError
from generator.loader import Project, list_form_types, load_project
from tests.conftest import BESAR, PT_SULTENG, SEED_DATA

SOP = "sop/evaluasi-kinerja-kecamatan.yaml"


def _problems(data: Path, templates: Path | None = None) -> list[Problem]:
    with pytest.raises(UserError) as caught:
        load_project(data, templates)
    return list(caught.value.problems)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_seed_loads(seed_project: Project) -> None:
    assert seed_project.office.name == "KECAMATAN JANAPRIA"
    assert seed_project.office.officials["camat"].nip_formatted == "19661231 198607 1 014"
    sop = seed_project.sop("evaluasi-kinerja-kecamatan")
    first_exit = sop.step(6).decision.exits[0].target  # type: ignore[union-attr]
    assert (sop.number, len(sop.steps), first_exit) == ("067/21/JPR/2024", 9, 7)
    assert sop.step(2).actors == ["camat", "sekcam", "kasi"]
    assert seed_project.warnings == ()
    assert seed_project.logo is None


@pytest.mark.parametrize("folder", [PT_SULTENG, BESAR])
def test_fixtures_load(folder: Path) -> None:
    project = load_project(folder)
    assert len(project.sops) == 1
    assert project.warnings == ()


def test_unknown_slug_names_the_known_ones(seed_project: Project) -> None:
    with pytest.raises(UserError) as caught:
        seed_project.sop("surat-masuk")
    assert caught.value.problems[0].message == (
        f"SOP 'surat-masuk' tidak ada di {SEED_DATA / 'sop'}; "
        "SOP yang ada: evaluasi-kinerja-kecamatan"
    )


def test_forms_are_checked_only_with_a_templates_folder(data_copy: Path, tmp_path: Path) -> None:
    templates = tmp_path / "templat"
    (templates / "formulir").mkdir(parents=True)
    assert list_form_types(templates) == []
    problems = _problems(data_copy, templates)
    assert [(p.line, p.field, p.message) for p in problems][:2] == [
        (74, "langkah[1].formulir", "formulir 'undangan' tidak dikenal"),
        (80, "langkah[2].formulir", "formulir 'notula' tidak dikenal"),
    ]
    assert problems[0].hint == "belum ada formulir di templates/formulir/"
    assert len(problems) == 9
    for name in ("undangan", "notula", "instrumen", "rekap", "laporan", "paraf"):
        (templates / "formulir" / f"{name}.html").write_text("", encoding="utf-8")
    (templates / "formulir" / "catatan.txt").write_text("", encoding="utf-8")
    assert list_form_types(templates)[:2] == ["instrumen", "laporan"]
    remaining = _problems(data_copy, templates)
    assert [p.message for p in remaining] == [
        "formulir 'pengesahan' tidak dikenal",
        "formulir 'disposisi' tidak dikenal",
        "formulir 'tanda-terima' tidak dikenal",
    ]
    assert remaining[0].hint == (
        "formulir yang ada: instrumen, laporan, notula, paraf, rekap, undangan"
    )


def test_warnings_do_not_stop_loading(data_copy: Path) -> None:
    _edit(data_copy / SOP, "  staf: Staf\n", "  staf: Staf\n  lurah: Lurah\n")
    project = load_project(data_copy)
    assert [p.format() for p in project.warnings] == [
        f"{data_copy / SOP}:67:3: pelaksana.lurah: peringatan: "
        "lajur 'lurah' tidak dipakai oleh langkah mana pun\n"
        "    petunjuk: hapus lajur ini atau tetapkan sebagai pelaksana sebuah langkah"
    ]
    assert project.warnings[0].severity is Severity.WARNING


def test_sop_rules_still_run_when_instansi_is_broken(data_copy: Path) -> None:
    _edit(data_copy / "instansi.yaml", "kertas: F4", "kertas: B5")
    _edit(data_copy / SOP, "ya: 7", "ya: 70")
    problems = _problems(data_copy)
    assert [(Path(p.path).name, p.line, p.field) for p in problems] == [
        ("instansi.yaml", 9, "kertas"),
        ("evaluasi-kinerja-kecamatan.yaml", 106, "langkah[6].keputusan.ya"),
    ]


def test_every_problem_has_a_file_and_a_position(data_copy: Path) -> None:
    _edit(data_copy / SOP, "waktu: 1 jam", "waktu: satu jam")
    _edit(data_copy / SOP, "    output: notulen", "    hasil: notulen")
    _edit(data_copy / SOP, "tidak: 5", "tidak: 5\n      label: x")
    (data_copy / "sop" / "kedua.yaml").write_text("nomor: [\n", encoding="utf-8")
    problems = _problems(data_copy)
    assert problems == sorted(problems)
    assert all(p.path and p.line > 0 and p.column > 0 for p in problems)
    assert [p.field for p in problems] == [
        "langkah[1].waktu",
        "langkah[2].hasil",
        "langkah[6].keputusan.label",
        "",
    ]


def test_a_misspelt_required_key_is_reported_once(data_copy: Path) -> None:
    _edit(
        data_copy / SOP,
        "    waktu: 2 hari\n    output: Instrumen",
        "    wkatu: 2 hari\n    output: Instrumen",
    )
    problems = _problems(data_copy)
    assert [(p.line, p.column, p.field, p.message, p.hint) for p in problems] == [
        (84, 5, "langkah[3].wkatu", "kunci 'wkatu' tidak dikenal", "mungkin maksud Anda 'waktu'?")
    ]


def test_a_missing_key_without_a_look_alike_is_still_reported(data_copy: Path) -> None:
    _edit(
        data_copy / SOP,
        "    waktu: 2 hari\n    output: Instrumen",
        "    lama: 2 hari\n    output: Instrumen",
    )
    # waktu may be left out (no standard time), so only the unknown key is reported.
    assert [(p.field, p.message) for p in _problems(data_copy)] == [
        ("langkah[3].lama", "kunci 'lama' tidak dikenal"),
    ]


def test_hidden_files_are_ignored(data_copy: Path) -> None:
    (data_copy / "sop" / ".#evaluasi.yaml").write_text("rusak: [", encoding="utf-8")
    (data_copy / "sop" / "catatan.txt").write_text("bukan SOP", encoding="utf-8")
    assert len(load_project(data_copy).sops) == 1


def test_logo(data_copy: Path, tmp_path: Path) -> None:
    office = data_copy / "instansi.yaml"
    _edit(office, 'alamat: ""', 'alamat: ""\nlogo: logo.png')
    problems = _problems(data_copy)
    assert [(p.line, p.column, p.field, p.message) for p in problems] == [
        (8, 7, "logo", "berkas logo 'logo.png' tidak ditemukan")
    ]
    (data_copy / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert load_project(data_copy).logo == b"\x89PNG\r\n\x1a\n"
    (tmp_path / "luar.png").write_bytes(b"x")
    _edit(office, "logo: logo.png", "logo: ../luar.png")
    assert [p.message for p in _problems(data_copy)] == ["logo harus berada di dalam folder data"]
    _edit(office, "logo: ../luar.png", "logo: logo.gif")
    (data_copy / "logo.gif").write_bytes(b"GIF89a")
    assert [p.message for p in _problems(data_copy)] == ["logo harus berkas PNG, JPEG atau SVG"]


def test_a_reload_checks_again_only_what_changed(tmp_path: Path) -> None:
    """Under `mkdocs serve` the same process loads the folder on every change: a file whose
    bytes, office and form types are unchanged is not checked again, yet every load reports
    the same SOPs and problems as a fresh one (a duplicate nomor still with its line)."""
    import shutil

    from generator import loader

    data = tmp_path / "data"
    shutil.copytree(SEED_DATA, data)
    first = load_project(data)
    copy = data / "sop" / "salinan.yaml"
    text = (data / SOP).read_text(encoding="utf-8")
    copy.write_text(text.replace("Evaluasi Kinerja Kecamatan", "Salinan"), encoding="utf-8")
    checked: list[str] = []
    real = loader._check_sop_file

    def counting(slug, path, office, known_forms, raw, fit):  # noqa: ANN001, ANN202
        checked.append(slug)
        return real(slug, path, office, known_forms, raw, fit)

    loader._check_sop_file = counting
    try:
        problems = _problems(data)
        assert checked == ["salinan"]  # the seed's SOP was remembered
        dup = [p for p in problems if "sudah dipakai" in p.message]
        assert [(p.path, p.field) for p in dup] == [(str(copy), "nomor")]
        assert dup[0].line > 0
        assert _problems(data) == problems and checked == ["salinan"]
        copy.unlink()
        again = load_project(data)
        assert again.sops == first.sops and checked == ["salinan"]
        _edit(data / SOP, "Evaluasi Kinerja Kecamatan", "Evaluasi Kinerja")
        assert load_project(data).sops[0].name == "Evaluasi Kinerja"
        assert checked == ["salinan", "evaluasi-kinerja-kecamatan"]
    finally:
        loader._check_sop_file = real
