"""The site's memo (generator/site_files.py): an unchanged site build served without loading
a single SOP, and every input that must make it build again."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import identity, site_files, site_pages
from generator.cache import Cache
from generator.errors import Severity
from generator.site import build_site
from generator.site_files import DOCUMENT_STORE, SiteBuild, memo_slot
from tests.conftest import ROOT, TEMPLATES

SLUG = "evaluasi-kinerja-kecamatan"


def same_site(made: SiteBuild, served: SiteBuild) -> None:
    """Everything MkDocs gets from the two builds is the same."""
    assert served.files.texts == made.files.texts
    assert served.files.documents == made.files.documents
    assert (served.pages, served.logo, served.site_name) == (made.pages, made.logo, made.site_name)
    assert (served.sheets, served.tables) == (made.sheets, made.tables)
    assert (served.sop_count, served.warnings) == (made.sop_count, made.warnings)


def no_made_site(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the site is made (loaded and rendered) rather than served."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the site was made again, not served from its memo")

    monkeypatch.setattr(site_pages, "site_files_of", refuse)


def test_an_unchanged_site_is_served_from_its_memo(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sop = data_copy / "sop" / f"{SLUG}.yaml"
    sop.write_text(sop.read_text("utf-8").replace("    waktu: 1 jam\n", "", 1), "utf-8")
    cache = tmp_path / "cache"
    made = build_site(data_copy, TEMPLATES, cache)
    assert not made.remembered and made.jobs_run > 0
    [warning] = made.warnings  # a step without a standard time
    assert warning.severity is Severity.WARNING and "waktu baku" in warning.message
    no_made_site(monkeypatch)
    served = build_site(data_copy, TEMPLATES, cache)
    assert served.remembered
    same_site(made, served)
    assert (served.jobs_run, served.cache_hits) == (0, made.jobs_run + made.cache_hits)
    assert served.sops_rendered == () and not served.pending
    assert served.files[f"sop/{SLUG}/lembar-sop.pdf"] == made.files[f"sop/{SLUG}/lembar-sop.pdf"]
    for name in site_pages.FONT_FILES:  # binary texts come back byte for byte
        assert served.files[f"assets/fonts/{name}"] == made.files[f"assets/fonts/{name}"]


def test_a_served_build_imports_no_renderer(data_copy: Path, tmp_path: Path) -> None:
    """The point of the memo: no model, layout, renderer or WeasyPrint is imported."""
    cache = tmp_path / "cache"
    build_site(data_copy, TEMPLATES, cache)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from generator.site import build_site\n"
        f"site = build_site(Path({str(data_copy)!r}), Path({str(TEMPLATES)!r}), "
        f"Path({str(cache)!r}))\n"
        "heavy = ('generator.model', 'generator.loader', 'generator.build', 'generator.layout',"
        " 'generator.render.page', 'generator.site_pages', 'weasyprint', 'pydantic', 'yaml')\n"
        "print(site.remembered, sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout == "True []\n", done.stderr


@pytest.mark.parametrize(
    "change",
    ["sop edited", "file added", "template edited", "links", "code", "data named otherwise"],
)
def test_every_input_makes_the_site_again(
    change: str, data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    templates = tmp_path / "templates"

    shutil.copytree(TEMPLATES, templates)
    first = build_site(data_copy, templates, cache)
    data, urls = data_copy, True
    if change == "sop edited":  # even a comment: the memo keys content, not meaning
        sop = data_copy / "sop" / f"{SLUG}.yaml"
        sop.write_text(sop.read_text("utf-8") + "# catatan\n", "utf-8")
    elif change == "file added":
        (data_copy / "catatan.txt").write_text("x", "utf-8")
    elif change == "template edited":
        page = templates / "pages" / "sop.md"
        page.write_text(page.read_text("utf-8") + "\nDiubah kantor.\n", "utf-8")
    elif change == "links":
        urls = False
    elif change == "code":
        monkeypatch.setattr(identity, "code_fingerprint", lambda: "another version")
    else:  # messages name the folder as given
        monkeypatch.chdir(data_copy.parent)
        data = Path(data_copy.name)
    again = build_site(data, templates, cache, directory_urls=urls)
    assert not again.remembered
    if change == "template edited":
        assert "Diubah kantor." in again.markdown(f"sop/{SLUG}/index.md")
    if change == "links":
        assert again.files.texts != first.files.texts
    assert build_site(data, templates, cache, directory_urls=urls).remembered


def test_a_missing_or_changed_document_makes_the_site_again(
    data_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    made = build_site(data_copy, TEMPLATES, cache)
    pdf = made.files.documents[f"sop/{SLUG}/lembar-sop.pdf"]
    good = pdf.read_bytes()
    pdf.unlink()
    again = build_site(data_copy, TEMPLATES, cache)
    assert not again.remembered and pdf.read_bytes() == good
    png = made.files.documents[f"sop/{SLUG}/diagram-alir.png"]
    png.chmod(0o644)
    raw = png.read_bytes()
    png.write_bytes(raw[:-1] + bytes([raw[-1] ^ 1]))  # changed in place, same size
    later = build_site(data_copy, TEMPLATES, cache)
    assert not later.remembered and "isi berubah" in capsys.readouterr().err
    assert later.files[f"sop/{SLUG}/diagram-alir.png"] == raw
    assert build_site(data_copy, TEMPLATES, cache).remembered


@pytest.mark.parametrize(
    "memo", ["damaged", "not a memo", "other format", "digest out of the store", "suffix out"]
)
def test_a_bad_memo_makes_the_site_again(
    memo: str, data_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    made = build_site(data_copy, TEMPLATES, cache)
    slot = memo_slot(data_copy, TEMPLATES, True)
    entry = Cache(cache).path(slot)
    if memo == "damaged":
        raw = entry.read_bytes()
        entry.write_bytes(raw[:-1] + bytes([raw[-1] ^ 1]))
    elif memo == "not a memo":
        Cache(cache).put(slot, b"[1, 2]")
    elif memo == "other format":
        old = json.loads(Cache(cache).get(slot) or b"")
        Cache(cache).put(slot, json.dumps({**old, "format": "sop-situs-0"}).encode())
    else:  # a listing naming a file outside the store is never linked into a site
        old = json.loads(Cache(cache).get(slot) or b"")
        outside = tmp_path / "rahasia.txt"
        outside.write_text("rahasia", "utf-8")
        # store/../rahasia.txt is tmp_path/rahasia.txt: never read, hashed or reported
        digest, suffix = ("0" * 64, "/../x") if memo == "suffix out" else ("../rahasia", ".txt")
        old["documents"][f"sop/{SLUG}/lembar-sop.pdf"] = [digest, suffix, 7]
        Cache(cache).put(slot, json.dumps(old).encode())
    again = build_site(data_copy, TEMPLATES, cache)
    assert not again.remembered
    same_site(made, again)
    if memo == "damaged":
        assert "entri cache rusak" in capsys.readouterr().err
    assert "rahasia" not in capsys.readouterr().err
    assert build_site(data_copy, TEMPLATES, cache).remembered


def test_a_site_showing_cycle_states_is_never_remembered(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cycle's state is shown at the build's clock: such a site is made on every build."""
    from generator import cli

    monkeypatch.setenv("SOP_NOW", "2024-03-04 08:00")
    assert cli.main(["run", "start", SLUG, "--run", "siklus-1", "--data", str(data_copy)]) == 0
    cache = tmp_path / "cache"
    first = build_site(data_copy, TEMPLATES, cache)
    assert first.on_clock and Cache(cache).get(memo_slot(data_copy, TEMPLATES, True)) is None
    monkeypatch.setenv("SOP_NOW", "2024-03-05 10:00")
    later = build_site(data_copy, TEMPLATES, cache)
    assert not later.remembered
    assert "keadaan pada 2024-03-05 10:00 WITA" in later.markdown(f"sop/{SLUG}/index.md")


def test_a_site_waiting_for_pdfs_is_not_remembered(data_copy: Path, tmp_path: Path) -> None:
    """Live preview leaves PDFs for later: that site is not the complete one."""
    cache = tmp_path / "cache"
    deferred = build_site(data_copy, TEMPLATES, cache, defer_pdfs=True)
    assert deferred.pending and Cache(cache).get(memo_slot(data_copy, TEMPLATES, True)) is None
    assert not build_site(data_copy, TEMPLATES, cache).remembered


def test_the_memo_key_covers_every_site_font(monkeypatch: pytest.MonkeyPatch) -> None:
    """An upgrade replacing an italic font file (not measured, but served) changes the key."""
    key = site_files.site_key(ROOT / "sop_data", TEMPLATES, True)
    fonts = site_files.site_font_paths()
    assert len(fonts) == 4
    replaced = [*fonts[:2], ROOT / "README.md", fonts[3]]
    monkeypatch.setattr(site_files, "site_font_paths", lambda: replaced)
    assert site_files.site_key(ROOT / "sop_data", TEMPLATES, True) != key


def test_the_document_store_name_is_the_memo_listing(data_copy: Path, tmp_path: Path) -> None:
    """The memo names each document by the digest and suffix its store file is named by."""
    cache = tmp_path / "cache"
    made = build_site(data_copy, TEMPLATES, cache)
    memo = json.loads(Cache(cache).get(memo_slot(data_copy, TEMPLATES, True)) or b"")
    for path, (digest, suffix, size) in memo["documents"].items():
        stored = made.files.documents[path]
        assert stored == cache / DOCUMENT_STORE / digest[:2] / f"{digest}{suffix}"
        assert stored.stat().st_size == size


def test_a_cache_folder_inside_the_data_folder_is_not_an_input(data_copy: Path) -> None:
    """Every build writes into the cache: were it hashed as data, nothing would be served."""
    cache = data_copy / ".cache"
    build_site(data_copy, TEMPLATES, cache)
    assert build_site(data_copy, TEMPLATES, cache).remembered
    (data_copy / "catatan.txt").write_text("x", "utf-8")  # the rest of the folder still counts
    assert not build_site(data_copy, TEMPLATES, cache).remembered


def test_a_data_link_leading_out_is_never_read_for_the_key(data_copy: Path, tmp_path: Path) -> None:
    """A data file that is a link out of the folder is refused by the loader and must not be
    read (`paths.outside`): the key counts the link's text, not what it points to."""
    secret = tmp_path / "rahasia.yaml"
    secret.write_text("a: 1\n", "utf-8")
    (data_copy / "sop" / "tautan.yaml").symlink_to(secret)
    key = site_files.site_key(data_copy, TEMPLATES, True)
    secret.write_text("a: 2\n", "utf-8")
    assert site_files.site_key(data_copy, TEMPLATES, True) == key
    (data_copy / "sop" / "tautan.yaml").unlink()
    (data_copy / "sop" / "tautan.yaml").symlink_to(tmp_path / "lain.yaml")
    assert site_files.site_key(data_copy, TEMPLATES, True) != key


def test_a_template_link_is_followed_for_the_key(tmp_path: Path) -> None:
    """Jinja follows a template's link, so the key counts what it points to."""
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    shared = tmp_path / "bersama.html"
    shared.write_text("<p>1</p>", "utf-8")
    (templates / "bersama.html").symlink_to(shared)
    key = site_files.site_key(ROOT / "sop_data", templates, True)
    shared.write_text("<p>2</p>", "utf-8")
    assert site_files.site_key(ROOT / "sop_data", templates, True) != key


def test_a_linked_data_folder_re_pointed_makes_the_site_again(data_copy: Path) -> None:
    """sop/ a link to one of two folders inside the data folder (the loader follows it): a
    re-pointed link is a new input, not the remembered site."""
    cache = data_copy.parent / "cache"
    sop_dir = data_copy / "sop"
    first, second = data_copy / "versi-1", data_copy / "versi-2"
    sop_dir.rename(first)
    shutil.copytree(first, second)
    edited = second / f"{SLUG}.yaml"
    edited.write_text(edited.read_text("utf-8").replace("Evaluasi", "Penilaian", 1), "utf-8")
    sop_dir.symlink_to("versi-1")
    made = build_site(data_copy, TEMPLATES, cache)
    assert "Penilaian" not in made.markdown(f"sop/{SLUG}/index.md")
    sop_dir.unlink()
    sop_dir.symlink_to("versi-2")
    again = build_site(data_copy, TEMPLATES, cache)
    assert not again.remembered and "Penilaian" in again.markdown(f"sop/{SLUG}/index.md")


def test_a_linked_templates_folder_is_walked_for_the_key(tmp_path: Path) -> None:
    """templates/pages a link to a shared folder (Jinja follows it): its files are inputs."""
    templates, shared = tmp_path / "templates", tmp_path / "halaman-bersama"
    shutil.copytree(TEMPLATES, templates)
    (templates / "pages").rename(shared)
    (templates / "pages").symlink_to(shared)
    key = site_files.site_key(ROOT / "sop_data", templates, True)
    page = shared / "sop.md"
    page.write_text(page.read_text("utf-8") + "\nDiubah.\n", "utf-8")
    assert site_files.site_key(ROOT / "sop_data", templates, True) != key
    assert identity.templates_fingerprint(templates) != identity.templates_fingerprint(TEMPLATES)


@pytest.mark.parametrize(
    "tamper",
    [
        "document out of the site",
        "text at an absolute path",
        "short warning",
        "infinite count",
        "deep nesting",
        "sheet not text",
    ],
)
def test_a_tampered_memo_is_never_served_and_never_a_traceback(
    tamper: str, data_copy: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    made = build_site(data_copy, TEMPLATES, cache)
    slot = memo_slot(data_copy, TEMPLATES, True)
    memo = json.loads(Cache(cache).get(slot) or b"")
    raw = None
    if tamper == "document out of the site":
        memo["documents"]["../../../keluar.pdf"] = memo["documents"][f"sop/{SLUG}/lembar-sop.pdf"]
    elif tamper == "text at an absolute path":
        memo["texts"][str(tmp_path / "keluar.md")] = "x"
    elif tamper == "short warning":
        memo["warnings"] = [["a.yaml", 1]]
    elif tamper == "infinite count":
        raw = json.dumps(memo).replace('"sop_count": 1', '"sop_count": Infinity').encode()
    elif tamper == "deep nesting":
        raw = json.dumps(memo).replace('"logo": ""', '"logo": ' + "[" * 100000 + "]" * 100000)
        raw = raw.encode()
    else:
        memo["sheets"][f"sop/{SLUG}/index.md"] = 5
    Cache(cache).put(slot, raw or json.dumps(memo).encode())
    again = build_site(data_copy, TEMPLATES, cache)
    assert not again.remembered
    same_site(made, again)
    assert not (tmp_path / "keluar.md").exists()


def test_an_edit_during_the_build_is_not_remembered_under_the_old_key(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clerk saves B while the site is made from it: the site of B is not kept under the key
    of A, so undoing to A never serves B."""
    cache = tmp_path / "cache"
    sop = data_copy / "sop" / f"{SLUG}.yaml"
    text_a = sop.read_text("utf-8")
    real = site_pages.site_files_of

    def saved_meanwhile(*args: object, **kwargs: object) -> SiteBuild:
        sop.write_text(text_a.replace("Evaluasi", "Penilaian", 1), "utf-8")
        return real(*args, **kwargs)

    monkeypatch.setattr(site_pages, "site_files_of", saved_meanwhile)
    assert "Penilaian" in build_site(data_copy, TEMPLATES, cache).markdown(f"sop/{SLUG}/index.md")
    monkeypatch.setattr(site_pages, "site_files_of", real)
    sop.write_text(text_a, "utf-8")  # undone
    again = build_site(data_copy, TEMPLATES, cache)
    assert not again.remembered and "Penilaian" not in again.markdown(f"sop/{SLUG}/index.md")
