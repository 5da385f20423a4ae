"""The sheet renderer: standalone HTML, PDF by the real WeasyPrint, escaping, the fragment."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from generator import tools
from generator.layout.sheet import layout_sheet
from generator.loader import Project
from generator.model import Sop, format_date
from generator.render import sheet
from generator.render.common import PAPER_MM, PdfJob, RenderContext, make_env
from tests.conftest import TEMPLATES
from tests.expected import assert_matches_expected
from tests.layout.test_sheet import synthetic_sop

PT_PER_MM = 72 / 25.4


def context(project: Project, sops: tuple[Sop, ...] | None = None) -> RenderContext:
    """A render context over the real templates."""
    return RenderContext(
        office=project.office,
        sops=sops or project.sops,
        env=make_env(TEMPLATES),
        logo=project.logo,
        logo_name=project.office.logo,
    )


def pdf_of(project: Project, sop: Sop, tmp_path: Path) -> Path:
    """The sheet PDF of one SOP, rendered by WeasyPrint, written to tmp_path."""
    out = sheet.outputs(context(project), sop)
    job = out["lembar-sop.pdf"]
    assert isinstance(job, PdfJob)
    path = tmp_path / f"{sop.slug}.pdf"
    path.write_bytes(tools.run_pdf(job))
    return path


def pdfinfo(path: Path) -> dict[str, str]:
    """pdfinfo's fields."""
    text = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return dict(
        (k.strip(), v.strip()) for k, v in (line.split(":", 1) for line in text.stdout.splitlines())
    )


def pdf_pages_text(path: Path) -> list[str]:
    """The text of every page, whitespace removed (lines are pre-wrapped on the sheet)."""
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [re.sub(r"\s+", "", page) for page in text.split("\f")[:-1]]


def squash(text: str) -> str:
    """Text without whitespace."""
    return re.sub(r"\s+", "", text)


def identity_texts(project: Project, sop: Sop) -> list[str]:
    """Every identity text the sheet must carry."""
    office = project.office
    official = office.officials[sop.approved_by]
    texts = [
        office.government,
        office.name_on_sheet,
        sop.unit.upper(),
        "Nomor SOP",
        sop.number,
        "Tanggal Pembuatan",
        format_date(sop.created),
        "Tanggal Revisi",
        format_date(sop.revised),
        "Tanggal Efektif",
        format_date(sop.effective),
        "Disahkan Oleh",
        official.position,
        official.name,
        f"NIP. {official.nip_formatted}",
        "Nama SOP",
        sop.name,
        "Dasar Hukum",
        "Kualifikasi Pelaksana",
        "Keterkaitan",
        "Peralatan/Perlengkapan",
        "Peringatan",
        "Pencatatan dan Pendataan",
    ]
    for items in (
        sop.legal_basis,
        sop.qualifications,
        sop.related,
        sop.equipment,
        sop.warnings,
        sop.records,
    ):
        if isinstance(items, dict):
            texts += list(items)
            texts += [t for group in items.values() for t in group]
        else:
            texts += list(items)
    return texts


@pytest.mark.slow
@pytest.mark.parametrize(
    "name,paper", [("seed_project", "F4"), ("sulteng_project", "A4"), ("besar_project", "F4")]
)
def test_pdf_pages_and_text(
    name: str, paper: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    project: Project = request.getfixturevalue(name)
    sop = project.sops[0]
    layout = layout_sheet(sop, project.office, PAPER_MM[paper])
    path = pdf_of(project, sop, tmp_path)
    info = pdfinfo(path)
    assert int(info["Pages"]) == len(layout.pages)
    w, h = PAPER_MM[paper]
    size = re.match(r"([\d.]+) x ([\d.]+) pts", info["Page size"])
    assert size is not None
    assert abs(float(size.group(1)) - h * PT_PER_MM) < 1  # landscape
    assert abs(float(size.group(2)) - w * PT_PER_MM) < 1
    pages = pdf_pages_text(path)
    everything = "".join(pages)
    for text in identity_texts(project, sop):
        assert squash(text) in pages[0], text
    for step in sop.steps:
        for text in (step.description, step.requirements, step.output, step.note, str(step.time)):
            assert squash(text) in everything, text
    # each step's text is on the page the layout put it on, and every page is numbered
    for page, text in zip(layout.pages, pages, strict=True):
        assert f"Halaman{page.number}dari{len(layout.pages)}" in text
        for n in page.steps:
            assert squash(sop.step(n).description) in text
    assert squash(f"JUMLAH WAKTU BAKU{layout.total_time}") in pages[-1]


def test_outputs_and_determinism(seed_project: Project) -> None:
    ctx = context(seed_project)
    sop = seed_project.sops[0]
    out = sheet.outputs(ctx, sop)
    assert sorted(out) == [sheet.FRAGMENT_NAME, "lembar-sop.html", "lembar-sop.pdf"]
    assert out[sheet.FRAGMENT_NAME] == sheet.sheet_fragment(ctx, sop).encode("utf-8")
    html = out["lembar-sop.html"]
    assert isinstance(html, bytes)
    layout = sheet.sheet_layout(ctx, sop)
    assert out["lembar-sop.pdf"] == PdfJob(html.decode("utf-8"), sheet.expected_text(layout))
    assert sheet.outputs(ctx, sop)["lembar-sop.html"] == html
    text = html.decode("utf-8")
    assert "<script" not in text.lower() and "javascript:" not in text.lower()
    assert "@page { size: 330mm 215mm;" in text
    assert_matches_expected(text, "sheet/seed-lembar-sop.html")


def test_a4_page_rule(sulteng_project: Project) -> None:
    html = sheet.sheet_html(context(sulteng_project), sulteng_project.sops[0])
    assert "@page { size: 297mm 210mm;" in html


def test_markup_prints_literally(seed_project: Project, tmp_path: Path) -> None:
    sop = synthetic_sop(3, 6, seed=7)
    html = sheet.sheet_html(context(seed_project, (sop,)), sop)
    assert "<script>" not in html and "<b>usulan</b>" not in html and "<i>rekan</i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Berkas &lt;b&gt;usulan&lt;/" in html and "b&gt; &amp; lampiran" in html
    path = tmp_path / "x.pdf"
    path.write_bytes(tools.run_pdf(PdfJob(html)))
    text = "".join(pdf_pages_text(path))
    assert squash("<script>alert(1)</script>") in text
    assert squash("Berkas <b>usulan</b> & lampiran") in text


def test_fragment_is_scoped(seed_project: Project) -> None:
    fragment = sheet.sheet_fragment(context(seed_project), seed_project.sops[0])
    assert fragment.startswith("<style>")
    assert "<html" not in fragment and "<body" not in fragment and "@page" not in fragment
    css = fragment.split("<style>", 1)[1].split("</style>", 1)[0]
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"@media[^{]*\{", "", css)
    selectors = [s.strip() for block in re.findall(r"([^{}]+)\{", css) for s in block.split(",")]
    assert selectors and all(s.startswith(".lembar-sop") for s in selectors), selectors
    body = fragment.split("</style>", 1)[1].strip()
    assert body.startswith('<div class="lembar-sop">')
    assert "Halaman 1 dari 3" in body


def test_one_svg_per_page_with_rows(seed_project: Project) -> None:
    """The drawing of a page is one SVG over its table (not one per lane cell); every arrow
    is one path with its data-route, and the lane cells are empty."""
    sop = seed_project.sops[0]
    html = sheet.sheet_html(context(seed_project), sop)
    layout = layout_sheet(sop, seed_project.office, PAPER_MM["F4"])
    assert html.count("<svg ") == sum(1 for p in layout.pages if p.rows) == 2
    assert html.count('class="panah"') == sum(len(p.routes) for p in layout.pages)
    routes = re.findall(r'data-route="([^"]+)"', html)
    assert len(routes) == len(set(routes))
    assert html.count('<td class="lajur"></td>') == sum(len(p.rows) for p in layout.pages) * 4
    assert html.count('data-kind="decision"') == 1
    assert html.count('data-letter="A"') == 2


def test_pdf_that_drops_a_step_fails_as_a_bug(seed_project: Project) -> None:
    """The build checks the sheet PDF's own text: a row the PDF lost (here hidden by a
    stylesheet rule, as a page overflow would) fails the job instead of writing the PDF."""
    sop = seed_project.sops[0]
    job = sheet.outputs(context(seed_project), sop)["lembar-sop.pdf"]
    assert isinstance(job, PdfJob)
    assert "4. Megumpulkan bahan dan" in " ".join(job.expect)
    broken = job.html.replace("</style>", 'tr[data-langkah="4"] { display: none; }</style>', 1)
    with pytest.raises(tools.LostTextError, match=r"lacks 1 text.*'4\. Megumpulkan"):
        tools.run_pdf(PdfJob(broken, job.expect))
    tools.run_pdf(job)  # the real sheet passes its own check
