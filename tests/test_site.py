"""The site build (generator/site.py): files for MkDocs, cycle views, cached sheet fragments."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import cli
from generator.errors import ToolMissingError
from generator.loader import load_project
from generator.site import FONT_FILES, build_site, cycle_views, read_fonts
from tests.conftest import TEMPLATES

SLUG = "evaluasi-kinerja-kecamatan"


def run(data: Path, *args: str) -> None:
    assert cli.main(["run", *args, "--data", str(data)]) == 0


def test_cycles_recorded_with_sop_run_show_on_the_page(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOP_NOW", "2024-03-04 08:00")
    run(data_copy, "start", SLUG, "--run", "siklus-1")
    monkeypatch.setenv("SOP_NOW", "2024-03-04 09:30")
    run(data_copy, "done", SLUG, "siklus-1", "1", "--by", "Staf A")
    monkeypatch.setenv("SOP_NOW", "2024-03-06 15:00")
    views = cycle_views(load_project(data_copy))
    view = views[SLUG]
    assert view.as_of == "2024-03-06 15:00 WITA"
    [row] = view.rows
    assert (row.run_id, row.started, row.progress) == (
        "siklus-1",
        "2024-03-04 08:00 WITA",
        "1 dari 9 langkah",
    )
    assert row.state.startswith("berikutnya: langkah 2 (TERLAMBAT; batas 2024-03-04 11:30 WITA)")
    assert row.late and row.over == "1"
    first = view.times[0]
    assert (first.number, first.standard, first.count, first.mean, first.over_count) == (
        1,
        "1 jam",
        1,
        "1 jam 30 menit",
        1,
    )
    site = build_site(data_copy, TEMPLATES, tmp_path / "cache")
    page = site.files[f"sop/{SLUG}/index.md"].decode()
    assert "1 siklus tercatat; keadaan pada 2024-03-06 15:00 WITA." in page
    assert (
        '<tr class="sop-terlambat"><td class="sop-nomor">'
        '<a href="../../siklus/evaluasi-kinerja-kecamatan/siklus-1/">siklus-1</a></td>'
    ) in page


def test_no_cycles_yet(seed_project) -> None:
    assert cycle_views(seed_project)[SLUG].rows == ()


def test_site_files_and_cached_fragments(data_copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = build_site(data_copy, TEMPLATES, cache)
    assert first.pages == ("index.md", f"sop/{SLUG}/index.md")
    assert first.site_name == "KANTOR CAMAT JANAPRIA" and first.logo == ""
    for name in FONT_FILES:
        assert f"assets/fonts/{name}" in first.files
    assert f"sop/{SLUG}/lembar-sop.pdf" in first.files
    again = build_site(data_copy, TEMPLATES, cache)
    assert again.files == first.files
    assert again.result.sops_rendered == ()


def test_missing_fonts_name_the_debian_package(tmp_path: Path) -> None:
    with pytest.raises(ToolMissingError, match="apt-get install fonts-liberation"):
        read_fonts(tmp_path)
