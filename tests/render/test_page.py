"""Site pages: the Daftar SOP register and the SOP page, as Markdown text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.build import render_context
from generator.loader import Project, load_project
from generator.render import page, splice
from generator.render.common import RenderContext
from tests.conftest import SEED_DATA, TEMPLATES
from tests.expected import assert_matches_expected
from tests.test_mkdocs_plugin import BESAR_SLUG, COPY_SLUG, SEED_SLUG, add_sops

ALL_FILES = [name for name, _ in page.DOWNLOADS] + [
    "formulir/01-undangan.html",
    "formulir/02-notula.html",
    "formulir/02-daftar-hadir.html",
]


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The seed, the 30-step SOP and a seed copy in another unit."""
    import shutil

    data = tmp_path_factory.mktemp("tiga") / "sop_data"
    shutil.copytree(SEED_DATA, data, ignore=shutil.ignore_patterns("checklist"))
    add_sops(data)
    return load_project(data, TEMPLATES)


def ctx_of(project: Project) -> RenderContext:
    return render_context(project, TEMPLATES)


def test_register_of_the_seed(seed_project: Project) -> None:
    assert_matches_expected(page.register_page(ctx_of(seed_project)), "pages/daftar-seed.md")


def test_register_groups_sops_by_unit(three: Project) -> None:
    groups = page.register_groups(three.sops)
    assert [(unit, [(r.number, r.sop.slug, r.href) for r in rows]) for unit, rows in groups] == [
        ("Seksi Pemerintahan", [(1, COPY_SLUG, f"sop/{COPY_SLUG}/")]),
        ("Sub Bagian Perencanaan dan Keuangan", [(2, SEED_SLUG, f"sop/{SEED_SLUG}/")]),
        ("Sub Bagian Umum dan Kepegawaian", [(3, BESAR_SLUG, f"sop/{BESAR_SLUG}/")]),
    ]
    assert_matches_expected(page.register_page(ctx_of(three)), "pages/daftar-tiga.md")


def test_sop_page_with_every_document(seed_project: Project) -> None:
    ctx = ctx_of(seed_project)
    sop = seed_project.sops[0]
    cycles = page.Cycles(
        "2024-03-08 10:00 WITA",
        (
            page.CycleRow(
                "2024-03-04", "2024-03-04 08:00 WITA", "9 dari 9 langkah", "selesai", "-"
            ),
            page.CycleRow(
                "2024-03-07",
                "2024-03-07 08:00 WITA",
                "2 dari 9 langkah",
                "berikutnya: langkah 3 (TERLAMBAT)",
                "2",
                late=True,
            ),
        ),
        (page.StepTimeRow(1, "Memerintahkan <Sekcam>", "1 jam", 2, "45 menit", "1 jam", 0),),
    )
    text = page.sop_page(ctx, sop, ALL_FILES, '<div class="lembar">LEMBAR</div>', cycles)
    assert_matches_expected(text, "pages/sop-seed.md")
    assert '<td data-label="Uraian Kegiatan">Memerintahkan &lt;Sekcam&gt;</td>' in text
    assert (
        '<tr class="sop-terlambat"><td class="sop-nomor" data-label="Siklus">2024-03-07</td>'
        in text
    )


def test_sop_page_before_any_document_exists(seed_project: Project) -> None:
    text = page.sop_page(ctx_of(seed_project), seed_project.sops[0], [])
    assert_matches_expected(text, "pages/sop-seed-kosong.md")
    assert text.count(": belum tersedia</li>") == len(page.DOWNLOADS)
    assert "Lembar SOP resmi belum dapat ditampilkan" in text
    assert "Catatan siklus belum dapat ditampilkan" in text
    none_yet = page.sop_page(ctx_of(seed_project), seed_project.sops[0], [], "", page.Cycles("-"))
    assert (
        "Belum ada siklus yang dicatat. Mulai dengan: <code>sop run start "
        "evaluasi-kinerja-kecamatan</code>" in none_yet
    )


def test_keterkaitan_links_by_slug_or_nama(three: Project) -> None:
    besar = three.sop(BESAR_SLUG)
    copy = three.sop(COPY_SLUG)
    seed = three.sop(SEED_SLUG)
    assert page.related_items(besar, page.related_index(three.sops)) == [
        page.RelatedItem("evaluasi-kinerja-kecamatan", SEED_SLUG),
        page.RelatedItem("SOP pengelolaan barang milik daerah", ""),
    ]
    assert page.related_items(copy, page.related_index(three.sops))[1] == page.RelatedItem(
        "SOP Evaluasi Kinerja Kecamatan", SEED_SLUG
    )
    index = page.related_index(three.sops)
    assert all(item.slug != SEED_SLUG for item in page.related_items(seed, index))
    text = page.sop_page(ctx_of(three), besar, [])
    assert f'<li><a href="../{SEED_SLUG}/">evaluasi-kinerja-kecamatan</a></li>' in text


def test_markdown_escaping() -> None:
    assert page.md("Rapat *penting* [1] <b> & #2") == (
        r"Rapat \*penting\* \[1\] &lt;b&gt; &amp; \#2"
    )


def test_steps_list_their_forms(seed_project: Project) -> None:
    ctx = ctx_of(seed_project)
    rows = page.step_rows(ctx, seed_project.sops[0], ["formulir/02-notula.html"])
    assert [(f.title, f.href) for f in rows[1].forms] == [
        ("Notula Rapat", "formulir/02-notula.html"),
        ("Daftar Hadir", ""),
    ]
    assert len(rows) == 9 and rows[1].actors == "Camat, Sekretaris Camat, Lurah, Kasi, Kasubbag."


def test_site_assets_fonts_and_logo(seed_project: Project, tmp_path: Path) -> None:
    ctx = ctx_of(seed_project)
    assets = page.site_assets(ctx, ["LiberationSans-Regular.ttf", "LiberationSans-BoldItalic.ttf"])
    assert sorted(assets) == [
        "assets/iframe-worker.js",
        "assets/resize-observer.js",
        "assets/sop.css",
    ]
    css = assets["assets/sop.css"].decode()
    assert_matches_expected(css, "pages/sop.css")
    assert page.font_faces(["LiberationSans-BoldItalic.ttf"]) == [
        page.FontFace("Liberation Sans", "LiberationSans-BoldItalic.ttf", 700, "italic")
    ]
    with_logo = RenderContext(ctx.office, ctx.sops, ctx.env, b"PNG", "lambang.PNG")
    assert page.site_assets(with_logo, [])["assets/logo.png"] == b"PNG"
    assert page.logo_name(with_logo) == "assets/logo.png"
    assert page.logo_name(ctx) == ""


def test_site_pages_and_artifact_paths(seed_project: Project) -> None:
    files = {f"{SEED_SLUG}/lembar-sop.pdf": b"%PDF", f"{SEED_SLUG}/formulir/01-undangan.html": b""}
    pages = page.site_pages(ctx_of(seed_project), files, {SEED_SLUG})
    assert sorted(pages) == ["index.md", f"sop/{SEED_SLUG}/index.md"]
    sop_md = pages[f"sop/{SEED_SLUG}/index.md"]
    assert f'<div class="sop-lembar-wrap">\n{splice.SHEET_MARKER}\n</div>' in sop_md
    assert splice.insert_sheet(sop_md, "<b>LEMBAR</b>").count("<b>LEMBAR</b>") == 1
    assert splice.SHEET_MARKER not in splice.insert_sheet(sop_md, "<b>LEMBAR</b>")
    assert '<a href="lembar-sop.pdf" download>' in pages[f"sop/{SEED_SLUG}/index.md"]
    assert sorted(page.site_artifacts(files)) == [
        f"sop/{SEED_SLUG}/formulir/01-undangan.html",
        f"sop/{SEED_SLUG}/lembar-sop.pdf",
    ]


def test_steps_show_labelled_exits_outside_lanes_and_lists(tmp_path: Path) -> None:
    """A decision with three labelled exits (one ending the procedure), an outside lane and a
    kelengkapan written as a list, as the page's step table shows them."""
    import shutil

    data = tmp_path / "sop_data"
    shutil.copytree(SEED_DATA, data, ignore=shutil.ignore_patterns("checklist"))
    sop_file = data / "sop" / f"{SEED_SLUG}.yaml"
    text = sop_file.read_text(encoding="utf-8")
    text = text.replace("  staf: Staf\n", "  staf: Staf\n  warga: {label: Pemohon, luar: true}\n")
    text = text.replace(
        "    kelengkapan: Renstra dan Renja tahun sebelumnya\n",
        "    kelengkapan: |\n      Bahan rapat:\n      - Renstra\n      - Renja tahun sebelumnya\n",
    )
    text = text.replace(
        "  - uraian: Menggandakan, mengagendakan dan mendistribusikan\n    pelaksana: staf\n",
        "  - uraian: Menggandakan, mengagendakan dan mendistribusikan\n"
        "    pelaksana: [staf, warga]\n",
    )
    text = re.sub(
        r"    keputusan:\n(      .*\n)+",
        "    keputusan:\n      Disetujui: 7\n      Diperbaiki: 5\n      Ditolak: selesai\n",
        text,
        count=1,
    )
    sop_file.write_text(text, encoding="utf-8")
    project = load_project(data, TEMPLATES)
    rows = page.step_rows(ctx_of(project), project.sops[0], [])
    decision = rows[5]
    assert decision.decision and decision.exits == (
        page.ExitLink("Disetujui", 7),
        page.ExitLink("Diperbaiki", 5),
        page.ExitLink("Ditolak", None),
    )
    assert rows[8].actors == "Staf, Pemohon (pihak luar)"
    assert str(page.lines(rows[1].requirements)) == (
        "Bahan rapat:<br>- Renstra<br>- Renja tahun sebelumnya"
    )
    html = page.sop_page(ctx_of(project), project.sops[0], [])
    assert (
        '<ul class="sop-jalan"><li><strong>Disetujui</strong> &rarr; '
        '<a href="#langkah-7">langkah 7</a></li><li><strong>Diperbaiki</strong> &rarr; '
        '<a href="#langkah-5">langkah 5</a></li><li><strong>Ditolak</strong> &rarr; selesai</li>'
        "</ul>"
    ) in html
    table = html.split('<table class="sop-langkah">')[1].split("</table>")[0]
    assert "\n\n" not in table  # one raw HTML block: Markdown never reads a clerk's text


def test_a_table_stand_in_is_its_text_with_the_tags_search_keeps() -> None:
    block = (
        '<div class="sop-tabel-wrap">\n<table class="x">\n<tr><td class="no">1</td>'
        '<td data-a="b">Surat &amp; <strong>nota</strong><!-- <p>catatan</p> -->'
        '<ul class="k"><li title="t">KTP</li></ul></td></tr>\n</table>\n</div>'
    )
    assert splice.stand_in(block) == "\n\n1Surat &amp; nota<ul><li>KTP</li></ul>\n\n"
    for special in ("<h3 id=a>x</h3>", "<pre>x</pre>", '<span data-search-exclude="">'):
        assert splice.stand_in(block.replace("KTP", special)) == block.replace("KTP", special)
    assert splice.stand_in(block.replace("KTP", "K\x02TP")) == block.replace("KTP", "K\x02TP")
