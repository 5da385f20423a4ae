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
from tests.render.test_forms import context, text_of

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
    assert headers["kecamatan"][-1] == OUTSIDE_NOTE  # another office than the kelurahan
    assert OUTSIDE_NOTE not in headers["lurah"]
    assert [lane.outside for lane in layout.lanes] == [True, False, True, True]


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
    entries = {e.step: e for e in forms.forms_for(ctx, sop)}
    # Step 4 is the applicant and the Bank (both outside): neither signs with a NIP line, and
    # the bank's slip is their own paper, not an office form.
    signers = forms.signers_for(project.office, sop, sop.step(4))
    assert [(s.position, s.outside) for s in signers] == [
        ("Calon Penggugat/Pemohon", True),
        ("Bank", True),
    ]
    assert forms.choose(sop.step(4), sop).source == "luar" and 4 not in entries
    # Step 1: the applicant brings the claim, a letter of their own: no court form.
    assert [
        (s.position, s.outside) for s in forms.signers_for(project.office, sop, sop.step(1))
    ] == [("Calon Penggugat/Pemohon", True)]
    assert forms.choose(sop.step(1), sop).source == "luar" and 1 not in entries
    # Step 5: the applicant hands the papers to the cashier on the court's receipt slip: the
    # court's letterhead (it hands the slip out), names only, no NIP.
    assert entries[5].kind == "bukti-terima"
    text = text_of(forms.form_html(ctx, sop, entries[5]))
    assert "PENGADILAN AGAMA LARANTUKA" in text
    assert "Yang menyerahkan, ( " in text and "nama jelas" in text
    assert "NIP" not in text
    # The approving official without NIP: name printed, no NIP line (under "Mengetahui" on
    # the paper checklist, the next line is the recorder's place and date).
    approval = forms.approver(project.office, sop)
    assert (approval.name, approval.nip) == ("Dr. MUHAMMAD FAUZAN, S.H.I., M.H.", "")
    checklist = text_of(forms.checklist_html(ctx, sop))
    assert (
        "Mengetahui, Ketua Pengadilan Agama Larantuka, Dr. MUHAMMAD FAUZAN, S.H.I., M.H. "
        "Larantuka, ........................ 20.. Petugas pencatat," in checklist
    )
    # An office lane keeps its NIP line: the SKUM, signed by the clerk who assessed it.
    assert (entries[2].kind, entries[2].title) == (
        "rincian-biaya",
        "Surat Kuasa Untuk Membayar (SKUM)",
    )
    text = text_of(forms.form_html(ctx, sop, entries[2]))
    assert "Yang menaksir, Petugas Meja I" in text and "NIP." in text


def test_page_lists_exits_and_list_items() -> None:
    project = load_project(REAL / "kel-pulutan")
    ctx = context(project)
    sop = project.sop("surat-keterangan-pindah")
    text = page.sop_page(ctx, sop, names=set())
    # The 4-exit decision: every exit with its label and target, in the order written.
    exits = [
        ("Pindah dalam Kelurahan", 5),
        ("Pindah antar Kelurahan dalam satu Kecamatan", 6),
        ("Pindah antar Kecamatan dalam satu Kota", 6),
        ("Pindah antar Kabupaten/Kota dan/atau antar Provinsi", 7),
    ]
    shown = "".join(
        f'<li><strong>{label}</strong> &rarr; <a href="#langkah-{n}">langkah {n}</a></li>'
        for label, n in exits
    )
    assert (
        '<span class="sop-tanda">Keputusan</span> Menentukan kelanjutan prosedur sesuai dengan '
        f'klasifikasi pindah<ul class="sop-jalan">{shown}</ul></td>'
    ) in text
    # Steps that end the procedure say so; a plain step shows no exits.
    assert text.count('<ul class="sop-jalan"><li>Prosedur selesai</li></ul>') == 3
    assert '<td data-label="Uraian Kegiatan">Menandatangani permohonan pindah</td>' in text
    # The persyaratan a-f: one list item a line.
    assert (
        '<td data-label="Kelengkapan">a. Surat Pengantar RT, RW dan Lurah<br>'
        "b. KTP Elektronik Asli<br>c. KK (apabila semua anggota keluarga pindah)<br>"
        "d. KK yang akan ditumpangi<br>"
        "e. Fotokopi Akta/Surat Nikah, Akta Cerai, Akta/Surat Kematian<br>"
        "f. Pas Foto Pemohon sebanyak 8 lembar (bagi yang pindah keluar)</td>"
    ) in text
    # An exit that ends the procedure: "selesai" instead of a step.
    ppid = load_project(REAL / "diskominfo-padanglawas").sops[0]
    text = page.sop_page(ctx, ppid, names=set())
    assert (
        '<ul class="sop-jalan"><li><strong>Puas</strong> &rarr; selesai</li>'
        '<li><strong>Tidak puas</strong> &rarr; <a href="#langkah-10">langkah 10</a></li></ul>'
    ) in text
