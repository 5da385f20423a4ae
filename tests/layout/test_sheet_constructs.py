"""The sheet draws the real-SOP constructs (issue 14): labelled decisions of 2-4 exits, exits
that end the procedure, list items, keterkaitan by name, a total that says what it counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import tools
from generator.layout.sheet import layout_sheet
from generator.layout.sheet.fit import PAPER_MM
from generator.loader import Project, load_project, related_sop
from generator.render import sheet
from generator.render.common import PdfJob, RenderContext, make_env
from tests.conftest import TEMPLATES
from tests.layout.test_sheet import check_sheet

DATA = Path(__file__).resolve().parent / "data" / "konstruksi-baru"


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project(DATA)


def _layout(project: Project):
    sop = next(s for s in project.sops if s.slug == "konstruksi")
    return sop, layout_sheet(
        sop, project.office, PAPER_MM["F4"], lambda t: related_sop(project.sops, t)
    )


def test_exits_labels_and_end_capsules(project: Project) -> None:
    sop, layout = _layout(project)
    check_sheet(sop, layout)
    routes = [r for p in layout.pages for r in p.routes]
    symbols = [s for p in layout.pages for s in p.symbols]
    labels = sorted(r.label for r in routes if r.label)
    assert labels == sorted(
        ["Lengkap", "Tidak lengkap", "Ditolak", "Setuju", "Perbaikan", "Tolak"]
    )  # one label per exit
    ends = [s for s in symbols if s.ends]
    assert sorted(s.ends for s in ends) == ["2-selesai-exit2", "3-selesai-exit2"]
    for end in ends:
        assert end.kind == "end" and end.box.w / end.box.h >= 1.6
        (route,) = [r for r in routes if r.end == f"end {end.ends}"]
        assert route.target == 0 and route.label in ("Ditolak", "Tolak")
        decision = next(s for s in symbols if s.step == route.source)
        assert abs(end.box.cy - decision.box.cy) < 0.01  # beside its decision, same row


def test_lists_total_note_and_related_names(project: Project) -> None:
    sop, layout = _layout(project)
    row = next(r for p in layout.pages for r in p.rows if r.step == 2)
    assert row.lines("uraian")[:2] == ("Memeriksa berkas:", "\u2022 kelengkapan formulir;")
    assert row.lines("kelengkapan") == ("1. Formulir", "2. Fotokopi KTP")
    assert row.lines("waktu") == ("15 - 30", "menit")
    assert " ".join(layout.total_note) == (
        "Dihitung: jalur utama (pilihan pertama setiap keputusan); langkah 1 tanpa waktu "
        "baku tidak dihitung."
    )
    related = [
        " ".join(item.lines)
        for p in layout.pages
        for left, _, _ in p.identity_rows
        if left.title == "Keterkaitan"
        for g in left.groups
        for item in g.items
    ]
    assert related == [
        "Evaluasi Kinerja Kecamatan (067/21/JPR/2024)",
        "SOP lain yang ditulis bebas",
    ]


def test_pdf_holds_the_constructs(project: Project) -> None:
    sop = next(s for s in project.sops if s.slug == "konstruksi")
    ctx = RenderContext(
        office=project.office,
        sops=project.sops,
        env=make_env(TEMPLATES),
        logo=project.logo,
        logo_name=project.office.logo,
    )
    job = sheet.outputs(ctx, sop)["lembar-sop.pdf"]
    assert isinstance(job, PdfJob)
    text = tools.pdf_text(tools.run_pdf(job))  # the run checks every step and item too
    for phrase in ("Ditolak", "Tolak", "Evaluasi Kinerja Kecamatan (067/21/JPR/2024)"):
        assert phrase in text
    assert "\u2022 kecocokan data dengan KTP;" in text
