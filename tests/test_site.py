"""The site build (generator/site.py): files for MkDocs, cycle views, cached sheet fragments."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from generator import cli
from generator.errors import ToolMissingError
from generator.loader import load_project
from generator.site import build_site
from generator.site_pages import FONT_FILES, cycle_views, read_fonts
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
    page = site.markdown(f"sop/{SLUG}/index.md")
    assert "1 siklus tercatat; keadaan pada 2024-03-06 15:00 WITA." in page
    assert (
        '<tr class="sop-terlambat"><td class="sop-nomor" data-label="Siklus">'
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
    assert again.sops_rendered == ()


def test_missing_fonts_name_the_debian_package() -> None:
    """fontconfig answers a missing family with another font; that answer is refused."""
    with pytest.raises(ToolMissingError, match="apt-get install fonts-liberation"):
        read_fonts("Liberation Sans Tidak Terpasang")


def test_served_fonts_are_the_files_fontconfig_finds() -> None:
    """The site serves the very files the documents are measured with."""
    found = subprocess.run(
        ["fc-match", "-f", "%{file}", "Liberation Sans:style=Bold Italic"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert read_fonts()["LiberationSans-BoldItalic.ttf"] == Path(found).read_bytes()


def test_serve_errors_replace_every_page_and_keep_the_rest(data_copy: Path, tmp_path: Path) -> None:
    from generator.errors import Problem, UserError
    from generator.site import ERROR_TITLE, error_files, error_page

    error = UserError(
        [Problem("sop_data/sop/x.yaml", 3, 7, "langkah[1].waktu", "waktu <dua> jam", "tulis")]
    )
    text = error_page(error)
    assert f"# {ERROR_TITLE}\n" in text
    assert (
        "sop_data/sop/x.yaml:3:7: langkah[1].waktu: waktu &lt;dua&gt; jam\n"
        "    petunjuk: tulis\n1 galat, 0 peringatan</code></pre>"
    ) in text
    good = build_site(data_copy, TEMPLATES, tmp_path / "cache")
    (data_copy / "sop" / "Bukan Slug.yaml").write_text("", encoding="utf-8")
    first = error_files(error, None, data_copy)
    assert sorted(first) == ["index.md", f"sop/{SLUG}/index.md"]
    assert {content.decode() for content in first.values()} == {text}
    later = error_files(error, good, data_copy)
    assert sorted(later) == sorted(good.files)
    assert all(later[path].decode() == text for path in good.pages)
    assert all(later[path] == good.files[path] for path in set(good.files) - set(good.pages))


def test_links_name_index_html_without_directory_urls(data_copy: Path, tmp_path: Path) -> None:
    site = build_site(data_copy, TEMPLATES, tmp_path / "cache", directory_urls=False)
    assert f'<a href="sop/{SLUG}/index.html">' in site.markdown("index.md")
    sop_page = site.markdown(f"sop/{SLUG}/index.md")
    assert '<a href="../../index.html">&larr; Kembali ke Daftar SOP</a>' in sop_page
    form = site.files[f"sop/{SLUG}/formulir/01-undangan.html"].decode()
    assert '<nav class="sop-kembali"><a href="../index.html">' in form
    served = build_site(data_copy, TEMPLATES, tmp_path / "cache")
    assert (
        '<nav class="sop-kembali"><a href="../">'
        in served.files[f"sop/{SLUG}/formulir/01-undangan.html"].decode()
    )


def test_a_cold_site_build_lays_each_sheet_out_once(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SOP page embeds the fragment the build made with the sheet's HTML and PDF: one
    layout per SOP on a cold build (one SOP: rendered in this process), none on a rebuild."""
    from generator.render import sheet

    calls: list[str] = []
    real = sheet.layout_sheet

    def counted(sop, *args, **kwargs):  # the real layout, counted
        calls.append(sop.slug)
        return real(sop, *args, **kwargs)

    monkeypatch.setattr(sheet, "layout_sheet", counted)
    first = build_site(data_copy, TEMPLATES, tmp_path / "cache")
    assert calls == [SLUG]
    from generator.render.splice import SHEET_MARKER, TABLE_MARKER

    path = f"sop/{SLUG}/index.md"
    content = first.finish_content(path, "".join(TABLE_MARKER.format(n) for n in range(9)))
    html = first.finish_page(path, f"<p>{SHEET_MARKER}</p>{content}")
    assert '<div class="lembar-sop">' in html and html.count("<svg ") == 2
    assert not any(path.split("/")[-1].startswith(".") for path in first.files)
    build_site(data_copy, TEMPLATES, tmp_path / "cache")
    assert calls == [SLUG]


def test_each_cycle_status_is_computed_once_per_site_build(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SOP page's cycle rows and the cycle's own page come from one status."""
    from generator import checklist

    monkeypatch.setenv("SOP_NOW", "2024-03-04 08:00")
    run(data_copy, "start", SLUG, "--run", "siklus-1")
    monkeypatch.setenv("SOP_NOW", "2024-03-04 09:30")
    run(data_copy, "done", SLUG, "siklus-1", "1", "--by", "Staf A")
    calls: list[str] = []
    real = checklist.cycle_status

    def counted(c, *args, **kwargs):  # the real status, counted
        calls.append(c.run_id)
        return real(c, *args, **kwargs)

    monkeypatch.setattr(checklist, "cycle_status", counted)
    site = build_site(data_copy, TEMPLATES, tmp_path / "cache")
    assert calls == ["siklus-1"]
    assert f"siklus/{SLUG}/siklus-1/index.md" in site.files
    assert "siklus-1" in site.markdown(f"sop/{SLUG}/index.md")


def test_a_rebuild_renders_only_the_pages_whose_sop_or_cycles_changed(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SOP pages are cached by everything they show: an unchanged rebuild renders none and
    gives the same text, a clock that moved changes nothing for an SOP without cycles, a
    recorded cycle renders that SOP's page again and shows it."""
    from generator.render import page

    rendered: list[str] = []
    real = page.sop_page
    monkeypatch.setattr(
        page, "sop_page", lambda ctx, sop, *rest: rendered.append(sop.slug) or real(ctx, sop, *rest)
    )
    cache = tmp_path / "cache"
    monkeypatch.setenv("SOP_NOW", "2024-03-04 08:00")
    first = build_site(data_copy, TEMPLATES, cache)
    assert rendered == [SLUG]
    monkeypatch.setenv("SOP_NOW", "2024-03-05 10:00")
    again = build_site(data_copy, TEMPLATES, cache)
    assert rendered == [SLUG]
    assert again.files[f"sop/{SLUG}/index.md"] == first.files[f"sop/{SLUG}/index.md"]
    run(data_copy, "start", SLUG, "--run", "siklus-1")
    later = build_site(data_copy, TEMPLATES, cache)
    assert rendered == [SLUG, SLUG]
    assert "1 siklus tercatat; keadaan pada 2024-03-05 10:00 WITA." in (
        later.files[f"sop/{SLUG}/index.md"].decode()
    )
    flat = build_site(data_copy, TEMPLATES, cache, directory_urls=False)  # another link style
    assert rendered == [SLUG] * 3
    assert flat.files[f"sop/{SLUG}/index.md"] != later.files[f"sop/{SLUG}/index.md"]
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    sop_md = templates / "pages" / "sop.md"
    sop_md.write_text(sop_md.read_text("utf-8") + "\nDiubah kantor.\n", "utf-8")
    edited = build_site(data_copy, templates, cache)  # an office's template edit
    assert rendered == [SLUG] * 4
    assert "Diubah kantor." in edited.files[f"sop/{SLUG}/index.md"].decode()


def test_an_entry_damaged_after_lookup_is_rendered_again_not_served(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """A document entry changed between its lookup and its use (the store has to read it)
    is reported, removed, and the site build starts once more, rendering that SOP again:
    the site gets the right bytes, and no traceback reaches the user."""
    from generator.cache import Cache
    from generator.site_files import DOCUMENT_STORE

    cache = tmp_path / "cache"
    first = build_site(data_copy, TEMPLATES, cache)
    good = {path: first.files[path] for path in first.files.documents}
    shutil.rmtree(cache / DOCUMENT_STORE)  # every document is read from its entry again
    real_peek = Cache.peek
    damaged: list[Path] = []

    def peek_then_damage(self: Cache, key: str):  # noqa: ANN202
        found = real_peek(self, key)
        if found is not None and not damaged and found.path.name.startswith(key):
            raw = found.path.read_bytes()
            found.path.write_bytes(raw[:-1] + bytes([raw[-1] ^ 1]))  # same size
            damaged.append(found.path)
        return found

    monkeypatch.setattr(Cache, "peek", peek_then_damage)
    again = build_site(data_copy, TEMPLATES, cache)
    assert damaged and "entri cache rusak (isi tidak cocok dengan hash)" in capsys.readouterr().err
    assert {path: again.files[path] for path in again.files.documents} == good


def search_words(content: str) -> list[tuple[str, str, list[str]]]:
    """What mkdocs-material's search index makes of a page's HTML: per section its id, title
    and the words of its text (split by the separator the site's mkdocs.yml gives it)."""
    from material.plugins.search.plugin import Parser

    separator = re.compile(r"""[\s\-/.,;:!?()\[\]{}"'<>=+*&|~^%$#@]+""")
    parser = Parser()
    parser.feed(content)
    parser.close()
    return [
        (s.id or "", "".join(s.title), separator.split("".join(s.text).strip()))
        for s in parser.data
    ]


@pytest.mark.parametrize("folder", ["sop_data", "besar", "pt-sulteng", "kec-mandau", "cycles"])
def test_tables_set_aside_from_markdown_give_the_same_html(
    folder: str, data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every table block the site sets aside before Markdown comes back where Markdown would
    have put it: each page's HTML (Markdown with the site's extensions) is the same, byte for
    byte. The search index reads the same sections, titles and words, on an SOP page from
    less than half of the tables' HTML (each table's text, `splice.stand_in`)."""
    import markdown

    from generator.render import splice
    from tests.conftest import FIXTURES, SEED_DATA

    data = {
        "sop_data": SEED_DATA,
        "besar": FIXTURES / "besar",
        "pt-sulteng": FIXTURES / "pt-sulteng",
        "kec-mandau": FIXTURES / "real-sops" / "kec-mandau",
        "cycles": data_copy,
    }[folder]
    if folder == "cycles":
        monkeypatch.setenv("SOP_NOW", "2024-03-04 08:00")
        run(data_copy, "start", SLUG, "--run", "siklus-1")
        run(data_copy, "done", SLUG, "siklus-1", "1", "--by", "Staf A")
    site = build_site(data, TEMPLATES, tmp_path / "cache")
    convert = markdown.Markdown(extensions=["attr_list", "toc", "meta"]).convert
    set_aside = 0
    for path in site.pages:
        whole, light = site.markdown(path), site.files[path].decode()
        content = site.finish_content(path, convert(light))
        assert splice.TABLE_MARKER.format(0).split('"')[0] not in content
        made = splice.insert_sheet(convert(whole), site.sheets.get(path, splice.SHEET_MARKER))
        assert site.finish_page(path, content) == made, path
        assert search_words(content) == search_words(convert(whole)), path
        if path.startswith("sop/"):  # the index reads less than half the tables' text
            assert sum(map(len, site.stand_ins[path])) < sum(map(len, site.tables[path])) / 2
        set_aside += len(site.tables.get(path, ()))
    for path in (p for p in site.pages if p.startswith("sop/")):
        assert len(site.tables[path]) >= 2, path  # the identity and the steps at least
    assert len(site.tables["index.md"]) == (2 if folder == "cycles" else 1)  # + running ones
    assert set_aside >= 2 * site.sop_count + 1
    if folder == "cycles":
        assert len(site.tables[f"siklus/{SLUG}/siklus-1/index.md"]) == 3


def test_store_hashes_a_document_once_and_catches_an_in_place_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A no-change build does not hash the store again (`cache.Verified`), however many site
    folders link and unlink its files meanwhile; a store file changed in place through a
    site's hard link, same size, is caught (its mtime moved), reported and replaced."""
    import hashlib
    import os

    from generator import cache
    from generator.site_files import store_documents

    monkeypatch.setattr(cache, "RACY_NS", 0)
    hashes = []
    real = hashlib.file_digest
    monkeypatch.setattr(hashlib, "file_digest", lambda f, d: hashes.append(1) or real(f, d))
    store, good = tmp_path / "store", b"%PDF-1.7 isi dokumen"
    target = store_documents({"sop/a/lembar-sop.pdf": good}, store)["sop/a/lembar-sop.pdf"]
    assert hashes == []  # written now, nothing to check
    assert store_documents({"sop/a/lembar-sop.pdf": good}, store)["sop/a/lembar-sop.pdf"] == target
    assert len(hashes) == 1
    for last, new in ((None, "situs-1"), ("situs-1", "situs-2")):  # as each build does:
        (tmp_path / new).mkdir()  # a new site links the store's file,
        os.link(target, tmp_path / new / "lembar-sop.pdf")
        if last:
            shutil.rmtree(tmp_path / last)  # the last site goes
        store_documents({"sop/a/lembar-sop.pdf": good}, store)
    assert len(hashes) == 1  # trusted: unchanged since it was hashed
    link = tmp_path / "situs-2" / "lembar-sop.pdf"
    os.chmod(link, 0o644)
    time.sleep(0.05)  # a coarse-timestamp kernel still gives the write another mtime
    link.write_bytes(b"%PDF-1.7 isi DIUBAH!")
    assert link.stat().st_size == len(good)
    again = store_documents({"sop/a/lembar-sop.pdf": good}, store)["sop/a/lembar-sop.pdf"]
    assert len(hashes) == 2 and again.read_bytes() == good
    assert link.read_bytes() == b"%PDF-1.7 isi DIUBAH!"  # the changed one keeps its name
