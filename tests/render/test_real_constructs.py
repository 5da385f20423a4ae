"""The real-SOP constructs in the diagram, the forms and the site page: exits with labels,
exits that end the procedure, outside lanes, officials without NIP, list items."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from generator import flow
from generator.layout.diagram import END_TEXT, OUTSIDE_NOTE, flat_text, layout_diagram
from generator.loader import load_project
from generator.render import forms, page
from generator.render.diagram import diagram_dot
from tests.conftest import FIXTURES
from tests.render.test_forms import context

REAL = FIXTURES / "real-sops"


def test_diagram_draws_selesai_exits_as_end_capsules() -> None:
    project = load_project(REAL / "diskominfo-padanglawas")
    sop = project.sops[0]
    layout = layout_diagram(sop, project.office.name)
    capsules = [n for n in layout.nodes if n.is_end_capsule]
    assert [(n.step, n.end_exit, n.lines) for n in capsules] == [
        (9, 0, (END_TEXT,)),
        (12, 0, (END_TEXT,)),
    ]
    for capsule in capsules:
        diamond = next(n for n in layout.nodes_of(capsule.step) if not n.is_end_capsule)
        assert capsule.cy == diamond.cy
        assert capsule.lane_index != diamond.lane_index
        route = next(r for r in layout.routes if r.target == capsule.key)
        assert route.edge.target is None
        assert route.label is not None and route.label.text == "Puas"
        assert route.points[0] in (diamond.port("left"), diamond.port("right"))
    # Every exit with a step target is routed, each with its label.
    routed = {r.edge for r in layout.routes}
    assert routed == set(flow.edges(sop))
    dot = html.unescape(diagram_dot(context(project), sop))
    assert dot.count('class="end-exit capsule"') == 2


def test_diagram_labels_four_exits_apart_and_marks_outside_lanes() -> None:
    project = load_project(REAL / "kel-pulutan")
    sop = project.sop("surat-keterangan-pindah")
    layout = layout_diagram(sop, project.office.name)
    labels = [r.label for r in layout.routes if r.edge.source == 4]
    assert [lb.text for lb in labels if lb] == [x.label for x in sop.step(4).decision.exits]
    boxes = [lb for lb in labels if lb]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = abs(a.cx - b.cx) * 2 >= a.w + b.w or abs(a.cy - b.cy) * 2 >= a.h + b.h
            assert apart, (a.text, b.text)
    headers = {lane.id: lane.lines for lane in layout.lanes}
    assert headers["pemohon"][-1] == OUTSIDE_NOTE
    assert headers["disdukcapil"][-1] == OUTSIDE_NOTE
    assert OUTSIDE_NOTE not in headers["lurah"]
    assert [lane.outside for lane in layout.lanes] == [True, False, False, True]


def test_list_items_print_inline_in_the_diagram() -> None:
    assert (
        flat_text("Menyerahkan:\n- KTP;\n- KK\n1. satu")
        == "Menyerahkan: \u2022 KTP; \u2022 KK 1. satu"
    )


def _with_kades(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(REAL / "pa-larantuka", data)
    office = data / "instansi.yaml"
    text = office.read_text("utf-8")
    office.write_text(text.replace('    nip: "19820718 200704 1 002"\n', ""), "utf-8")
    return data


def test_forms_print_no_nip_line_without_nip_or_for_outside_parties(tmp_path: Path) -> None:
    project = load_project(_with_kades(tmp_path))
    assert project.office.officials["ketua"].nip is None
    ctx = context(project)
    sop = project.sops[0]
    # Step 4 is the applicant and the Bank (both outside): no NIP line for either.
    signers = forms.signers_for(project.office, sop, sop.step(4))
    assert [(s.position, s.outside) for s in signers] == [
        ("Calon Penggugat/Pemohon", True),
        ("Bank", True),
    ]
    entry = next(e for e in forms.forms_for(ctx, sop) if e.step == 4)
    text = forms.form_html(ctx, sop, entry)
    assert "NIP." not in text
    # The approving official without NIP: name printed, no NIP line.
    approval = forms.approver(project.office, sop)
    assert (approval.name, approval.nip) == ("Dr. MUHAMMAD FAUZAN, S.H.I., M.H.", "")
    office_step = next(e for e in forms.forms_for(ctx, sop) if e.step == 2)
    assert "NIP." in forms.form_html(ctx, sop, office_step)  # an office lane keeps its line


def test_page_lists_exits_and_list_items() -> None:
    project = load_project(REAL / "kel-pulutan")
    sop = project.sop("surat-keterangan-pindah")
    assert page.exit_texts(sop, 4) == (
        "Pindah dalam Kelurahan: ke langkah 5",
        "Pindah antar Kelurahan dalam satu Kecamatan: ke langkah 6",
        "Pindah antar Kecamatan dalam satu Kota: ke langkah 6",
        "Pindah antar Kabupaten/Kota dan/atau antar Provinsi: ke langkah 7",
    )
    assert page.exit_texts(sop, 3) == ()
    ppid = load_project(REAL / "diskominfo-padanglawas").sops[0]
    assert page.exit_texts(ppid, 9) == ("Puas: selesai", "Tidak puas: ke langkah 10")
    assert page.description_lines("Melakukan:\n- a;\n1. b") == ("Melakukan:", "\u2022 a;", "1. b")
    ctx = context(project)
    text = page.sop_page(ctx, sop, names=set())
    assert '<span class="sop-keluar">Pindah dalam Kelurahan: ke langkah 5</span>' in text
