"""Real SOPs of other offices, in their own wording (tests/fixtures/real-sops/): each checks and
builds, and an expected file pins its `sop check` output, flow and totals."""

from __future__ import annotations

import dataclasses
import html
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator import build, cli, flow
from generator.loader import Project, load_project
from generator.model import text_blocks
from generator.render import sheet
from generator.render.common import PAPER_MM
from tests.conftest import FIXTURES, TEMPLATES
from tests.expected import assert_matches_expected

REAL = FIXTURES / "real-sops"
FOLDERS = sorted(p.name for p in REAL.iterdir() if (p / "instansi.yaml").is_file())


def test_every_real_sop_folder_is_here() -> None:
    assert FOLDERS == [
        "diskominfo-padanglawas",
        "dpmptsp-wajo",
        "kec-banjarmasin",
        "kec-mandau",
        "kec-pulosari",
        "kel-pulutan",
        "pa-larantuka",
    ]


def _flow_text(project: Project) -> str:
    hours = project.office.working_hours.hours_per_day
    out = []
    for sop in project.sops:
        summary = flow.total_summary(sop, hours)
        out.append(f"== {sop.slug}: {sop.name}")
        out.append(f"lajur luar: {', '.join(sorted(sop.outside_lanes)) or '-'}")
        for step in sop.steps:
            arrows = ", ".join(
                f"{e.label or e.kind} -> {e.target if e.target is not None else 'selesai'}"
                for e in flow.successors(sop, step.number)
            )
            lists = sum(
                b.kind != "para"
                for text in (step.description, step.requirements, step.output, step.note)
                for b in text_blocks(text)
            )
            extra = f" [{lists} butir daftar]" if lists else ""
            print_time = str(step.time)
            out.append(f"{step.number}. waktu '{print_time}'{extra}: {arrows or 'akhir'}")
        out.append(f"JUMLAH WAKTU BAKU: {summary}")
        out.append(f"  {summary.day_note}; alur utama {list(summary.path)}")
        for item in sop.related:
            other = project.related_sop(item) if isinstance(item, str) else None
            shown = f"{other.name} ({other.number})" if other else item
            out.append(f"keterkaitan: {item} -> {shown}")
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("folder", FOLDERS)
def test_real_sop_checks_in_its_own_words(folder: str, capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main(["check", "--data", str(REAL / folder), "--templates", str(TEMPLATES)])
    output = capsys.readouterr()
    checked = (output.err + output.out).replace(str(REAL), "real-sops")
    project = load_project(REAL / folder, TEMPLATES)
    assert_matches_expected(
        f"{checked}[status {status}]\n{_flow_text(project)}", f"real-sops/{folder}.txt"
    )
    assert status == 0
    assert project.warnings == ()


def test_gap_lines_say_how_each_gap_is_now_expressed() -> None:
    for path in sorted(REAL.glob("*/sop/*.yaml")):
        head = "".join(line for line in path.read_text("utf-8").splitlines(True) if line[:1] == "#")
        assert re.search(r"RESOLVED|GAP \(kept\)", head), path
        assert not re.search(r"^# GAP:", head, re.MULTILINE), path


@pytest.mark.slow
@pytest.mark.parametrize("folder", ["diskominfo-padanglawas", "kel-pulutan", "kec-pulosari"])
def test_real_sop_builds(folder: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(REAL / folder, data)
    result = build.build(data, tmp_path / "out", TEMPLATES, tmp_path / "cache", workers=1)
    project = load_project(data)
    for sop in project.sops:
        out = tmp_path / "out" / sop.slug
        for name in ("lembar-sop.pdf", "diagram-alir.svg", "formulir.pdf", "daftar-periksa.pdf"):
            assert (out / name).stat().st_size > 0, name
        svg = html.unescape((out / "diagram-alir.svg").read_text("utf-8"))
        for edge in flow.edges(sop):
            if edge.label:
                assert f"flow-{edge.ident}" in svg
        assert svg.count('class="node end-exit capsule"') == len(flow.end_exits(sop))
    assert result is not None


def test_every_real_sop_folder_builds_fast_parts() -> None:
    # The layouts of every real SOP (sheet and diagram) compute without error.
    from generator.layout.diagram import layout_diagram  # noqa: PLC0415
    from generator.layout.sheet import layout_sheet

    for folder in FOLDERS:
        project = load_project(REAL / folder)
        for sop in project.sops:
            layout_diagram(sop, project.office.name)
            layout = layout_sheet(sop, project.office, PAPER_MM[project.office.paper])
            assert layout.total_time == str(
                flow.total_time(sop, project.office.working_hours.hours_per_day)
            )


def test_errors_of_both_kinds_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Shape errors (a lane and an official written by their labels, a misspelt unit) and
    cross-checks (dates, a missing target, an unknown form and lane) in one `sop check`."""
    data = tmp_path / "data"
    shutil.copytree(REAL / "kec-banjarmasin", data)
    path = data / "sop" / "legalisasi-sktm.yaml"
    text = path.read_text("utf-8")
    for old, new in (
        ("    pelaksana: sekcam\n", "    pelaksana: Sekretaris Kecamatan\n"),
        (
            "    waktu: 15 menit                  # estimate\n"
            "    output: Format legalisasi yang diparaf Sekcam",
            "    waktu: 15 Mnt\n    output: Format legalisasi yang diparaf Sekcam\n"
            "    formulir: undangan_rapat",
        ),
        ("disahkan_oleh: camat", "disahkan_oleh: Camat"),
        ("      Lengkap: 4\n", "      Lengkap: 40\n"),
        ("tanggal_efektif: 2021-08-09", "tanggal_efektif: 2021-07-09"),
        (
            "    pelaksana: kasi\n    kelengkapan: Legalisasi",
            "    pelaksana: kasie\n    kelengkapan: Legalisasi",
        ),
    ):
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, "utf-8")
    status = cli.main(["check", "--data", str(data), "--templates", str(TEMPLATES)])
    output = capsys.readouterr()
    shown = (output.err + output.out).replace(str(data), "data")
    assert_matches_expected(f"{shown}[status {status}]\n", "real-sops/semua-galat-sekaligus.txt")
    assert status == 1


class _SheetText(HTMLParser):
    """The visible text of a sheet's HTML in document order, one line per text run."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("style", "script")

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self.hidden:
            self.lines.append(text)


@pytest.mark.parametrize("folder", FOLDERS)
def test_real_sop_sheet_text_and_totals(folder: str) -> None:
    """Each real SOP's official sheet as printed (every text in order: identity, step texts
    as wrapped, waktu as typed, exit labels, connectors, the total and what it counts)."""
    project = load_project(REAL / folder, TEMPLATES)
    ctx = build.render_context(project, TEMPLATES)
    out = []
    for sop in project.sops:
        own = dataclasses.replace(ctx, sops=(sop, *build.related_of(project.sops, sop)))
        parser = _SheetText()
        parser.feed(sheet.sheet_html(own, sop))
        out += [f"== {sop.slug}", *parser.lines]
    assert_matches_expected("\n".join(out) + "\n", f"real-sops/{folder}-lembar.txt")
