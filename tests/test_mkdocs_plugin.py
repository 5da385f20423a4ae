"""The `sop` MkDocs plugin, with real mkdocs: strict build, errors, watch folders, cache."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from markupsafe import escape
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config

from generator import build
from generator.cache import cache_key
from generator.loader import load_project
from generator.mkdocs_plugin import SopPlugin
from generator.site_files import SiteBuild
from generator.tools import job_key_parts
from tests.browser import free_port
from tests.conftest import BESAR, ROOT, SEED_DATA

pytestmark = pytest.mark.slow

MKDOCS = [sys.executable, "-m", "mkdocs"]
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
SEED_SLUG = "evaluasi-kinerja-kecamatan"
BESAR_SLUG = "pengadaan-barang-jasa"
COPY_SLUG = "perencanaan-kinerja-kecamatan"


def make_project(root: Path, data: Path = SEED_DATA) -> Path:
    """A fresh copy of what a clone holds for the site: mkdocs.yml, docs/, templates/, data."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", root / "docs")
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copytree(data, root / "sop_data", ignore=shutil.ignore_patterns("checklist"))
    return root


def add_sops(data: Path) -> None:
    """Two more SOPs: the 30-step one (links the seed by slug) and a seed copy (by nama)."""
    shutil.copy(BESAR / "sop" / f"{BESAR_SLUG}.yaml", data / "sop")
    text = (SEED_DATA / "sop" / f"{SEED_SLUG}.yaml").read_text(encoding="utf-8")
    text = text.replace('nomor: "067/21/JPR/2024"', 'nomor: "068/21/JPR/2024"')
    text = text.replace("nama: Evaluasi Kinerja Kecamatan", "nama: Perencanaan Kinerja Kecamatan")
    text = text.replace("unit: Sub Bagian Perencanaan dan Keuangan", "unit: Seksi Pemerintahan")
    text = text.replace("  - SOP perencanaan kinerja\n", "  - SOP Evaluasi Kinerja Kecamatan\n")
    text = text.replace("Menyusun laporan hasil", "Merumuskan laporan hasil")
    (data / "sop" / f"{COPY_SLUG}.yaml").write_text(text, encoding="utf-8")


def run_mkdocs(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict` (or other args) in the project folder."""
    return subprocess.run(
        [*MKDOCS, *(args or ("build", "--strict"))],
        cwd=project,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )


def build_in_process(project: Path) -> SiteBuild:
    """Build with mkdocs' own API and return what the plugin built."""
    config = load_config(str(project / "mkdocs.yml"))
    mkdocs_build(config)
    plugin = config.plugins["sop"]
    assert isinstance(plugin, SopPlugin) and plugin.site is not None
    return plugin.site


def test_the_plugin_is_registered_by_entry_point() -> None:
    found = {ep.name: ep for ep in entry_points(group="mkdocs.plugins")}
    assert found["sop"].value == "generator.mkdocs_plugin:SopPlugin"
    assert found["sop"].load() is SopPlugin


def test_strict_build_from_a_fresh_copy_writes_nothing_into_docs(tmp_path: Path) -> None:
    project = make_project(tmp_path / "klon")
    docs_before = sorted(p.relative_to(project) for p in (project / "docs").rglob("*"))
    done = run_mkdocs(project)
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr
    docs_after = sorted(p.relative_to(project) for p in (project / "docs").rglob("*"))
    assert docs_after == docs_before
    site = project / "site"
    page = (site / "sop" / SEED_SLUG / "index.html").read_text(encoding="utf-8")
    assert "<h1" in page and "Evaluasi Kinerja Kecamatan" in page
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f'href="sop/{SEED_SLUG}/"' in home
    assert "<title>KANTOR CAMAT JANAPRIA</title>" in home
    assert '<html lang="id"' in home
    assert "fonts.googleapis.com" not in home and "fonts.gstatic.com" not in home
    for name in ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"):
        assert (site / "assets" / "fonts" / name).stat().st_size > 100_000
    css = (site / "assets" / "sop.css").read_text(encoding="utf-8")
    assert 'src: url("fonts/LiberationSans-Regular.ttf") format("truetype");' in css
    assert (project / ".sop-cache").is_dir()


def test_a_user_error_fails_the_build_with_the_sop_check_message(tmp_path: Path) -> None:
    project = make_project(tmp_path / "klon")
    sop_file = project / "sop_data" / "sop" / f"{SEED_SLUG}.yaml"
    text = sop_file.read_text(encoding="utf-8")
    sop_file.write_text(text.replace("waktu: 2 jam\n", "waktu: dua jam\n", 1), encoding="utf-8")
    check = subprocess.run(
        [sys.executable, "-m", "generator.cli", "check"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 1
    problem_lines = [line for line in check.stderr.splitlines() if "galat," not in line]
    assert problem_lines[0].startswith(f"sop_data/sop/{SEED_SLUG}.yaml:")
    done = run_mkdocs(project)
    assert done.returncode == 1
    assert "\n".join(problem_lines) in done.stderr
    assert "waktu 'dua jam' tidak dapat dibaca" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_data_warning_never_blocks_the_site(tmp_path: Path) -> None:
    """An unused lane: `sop check` passes with one warning, and so does `mkdocs build --strict`;
    the warning is in the log (info level, never a MkDocs warning) and on the SOP's page."""
    project = make_project(tmp_path / "klon")
    sop_file = project / "sop_data" / "sop" / f"{SEED_SLUG}.yaml"
    text = sop_file.read_text(encoding="utf-8")
    sop_file.write_text(text.replace("  staf: Staf\n", "  staf: Staf\n  arsip: Arsiparis\n"))
    check = subprocess.run(
        [sys.executable, "-m", "generator.cli", "check"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert (check.returncode, check.stdout) == (0, "1 SOP valid, 1 peringatan\n")
    warning = check.stderr.splitlines()[0]
    assert warning.startswith(f"sop_data/sop/{SEED_SLUG}.yaml:") and "arsip" in warning
    done = run_mkdocs(project)
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr
    assert f"INFO    -  sop: PERINGATAN data SOP (situs tetap dibangun): {warning}" in done.stderr
    page = (project / "site" / "sop" / SEED_SLUG / "index.html").read_text(encoding="utf-8")
    note = page[page.index('<div class="admonition warning sop-layar sop-peringatan-data">') :]
    assert "Peringatan data SOP (1)" in note
    assert escape(warning.partition(": peringatan: ")[2]) in note
    home = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert "sop-peringatan-data" not in home


def test_serve_watches_data_and_templates(tmp_path: Path) -> None:
    project = make_project(tmp_path / "klon")
    config = load_config(str(project / "mkdocs.yml"))
    mkdocs_build(config)
    assert str(project / "sop_data") in config.watch
    assert str(project / "templates") in config.watch
    assert config.site_name == "KANTOR CAMAT JANAPRIA"


def _fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (127.0.0.1 only)
        return response.read().decode("utf-8")


def _wait_for(url: str, text: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if text in _fetch(url):
                return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def test_mkdocs_serve_rebuilds_when_an_sop_changes(tmp_path: Path) -> None:
    project = make_project(tmp_path / "klon")
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [*MKDOCS, "serve", "-a", f"127.0.0.1:{port}"],
        cwd=project,
        env=ENV,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/sop/{SEED_SLUG}/"
    try:
        assert _wait_for(url, "Evaluasi Kinerja Kecamatan", 300)
        sop_file = project / "sop_data" / "sop" / f"{SEED_SLUG}.yaml"
        text = sop_file.read_text(encoding="utf-8")
        sop_file.write_text(
            text.replace("nama: Evaluasi Kinerja Kecamatan", "nama: Evaluasi Kinerja Baru"),
            encoding="utf-8",
        )
        assert _wait_for(url, "Evaluasi Kinerja Baru", 300), (tmp_path / "serve.log").read_text()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _job_keys(data: Path, templates: Path, slug: str) -> set[str]:
    """The cache keys of one SOP's expensive jobs (PDF, Graphviz)."""
    project = load_project(data, templates)
    sop = project.sop(slug)
    related = build.related_of(project.sops, sop)  # the sheet prints their nama and nomor
    ctx = dataclasses.replace(build.render_context(project, templates), sops=(sop, *related))
    keys = set()
    for _, renderer in build.RENDERERS:
        for out in renderer(ctx, sop).values():
            if not isinstance(out, bytes):
                keys.add(cache_key(job_key_parts(out)))
    return keys


def test_a_rebuild_after_editing_one_sop_redoes_only_that_sop(tmp_path: Path) -> None:
    project = make_project(tmp_path / "klon")
    data, templates = project / "sop_data", project / "templates"
    add_sops(data)
    cache = project / ".sop-cache"
    first = build_in_process(project)
    assert first.sops_rendered == tuple(sorted((SEED_SLUG, BESAR_SLUG, COPY_SLUG)))
    assert first.cache_hits == 0 and first.jobs_run > 0
    second = build_in_process(project)
    assert (second.sops_rendered, second.jobs_run) == ((), 0)

    before = {p.stem for p in cache.rglob("*") if p.is_file()}
    others = _job_keys(data, templates, SEED_SLUG) | _job_keys(data, templates, BESAR_SLUG)
    edited_before = _job_keys(data, templates, COPY_SLUG)
    sop_file = data / "sop" / f"{COPY_SLUG}.yaml"
    text = sop_file.read_text(encoding="utf-8")
    sop_file.write_text(text.replace("Merumuskan laporan", "Menyusun ulang laporan"), "utf-8")
    changed = _job_keys(data, templates, COPY_SLUG) - edited_before
    assert changed, "editing a step must change that SOP's documents"

    third = build_in_process(project)
    after = {p.stem for p in cache.rglob("*") if p.is_file()}
    assert third.sops_rendered == (COPY_SLUG,)
    assert third.jobs_run == len(changed)
    assert changed <= after - before
    assert others <= before and not (others & (after - before))
    page = (project / "site" / "sop" / COPY_SLUG / "index.html").read_text(encoding="utf-8")
    assert "Menyusun ulang laporan" in page


def test_office_logo_goes_in_the_header(tmp_path: Path) -> None:
    project = make_project(tmp_path / "klon")
    data = project / "sop_data"
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
        b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe"
        b"\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    (data / "logo.png").write_bytes(png)
    office = data / "instansi.yaml"
    office.write_text(office.read_text(encoding="utf-8") + "logo: logo.png\n", encoding="utf-8")
    done = run_mkdocs(project)
    assert done.returncode == 0, done.stderr
    site = project / "site"
    assert (site / "assets" / "logo.png").read_bytes() == png
    page = (site / "sop" / SEED_SLUG / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<img src="\.\./\.\./assets/logo\.png" alt="logo">', page)


def test_pages_do_not_list_every_sop(tmp_path: Path) -> None:
    """Site size grows linearly: an SOP page is the same whatever the number of SOPs."""
    small = make_project(tmp_path / "kecil")
    large = make_project(tmp_path / "besar")
    add_sops(large / "sop_data")
    for project in (small, large):
        done = run_mkdocs(project)
        assert done.returncode == 0, done.stderr
    page = f"site/sop/{SEED_SLUG}/index.html"
    small_page = (small / page).read_text(encoding="utf-8")
    large_page = (large / page).read_text(encoding="utf-8")
    assert large_page == small_page
    assert BESAR_SLUG not in large_page and COPY_SLUG not in large_page
    home = (large / "site" / "index.html").read_text(encoding="utf-8")
    for slug in (SEED_SLUG, BESAR_SLUG, COPY_SLUG):
        assert home.count(f'href="sop/{slug}/"') == 1


def test_documents_are_hard_links_of_the_store_not_copies(tmp_path: Path) -> None:
    """A site's documents are hard links of the read-only document store under the cache:
    MkDocs copies none of them; a rebuild links the same files again; the marker holds their
    real digests; a store file changed in place (through a site's link) is reported and
    replaced by a new file, never served."""
    from generator import outdir
    from generator.site_files import DOCUMENT_STORE

    project = make_project(tmp_path / "p")
    first = build_in_process(project)
    pdf = project / "site" / "sop" / SEED_SLUG / "lembar-sop.pdf"
    source = first.files.document(f"sop/{SEED_SLUG}/lembar-sop.pdf")
    assert source is not None and source.is_relative_to(project / ".sop-cache" / DOCUMENT_STORE)
    assert pdf.stat().st_ino == source.stat().st_ino and pdf.stat().st_nlink >= 2
    assert source.stat().st_mode & 0o222 == 0
    assert first.files[f"sop/{SEED_SLUG}/lembar-sop.pdf"] == pdf.read_bytes()
    marker = outdir.read_marker(project / "site")
    assert marker is not None and outdir.verify_tree(project / "site", marker) == ""
    again = build_in_process(project)
    assert again.files.document(f"sop/{SEED_SLUG}/lembar-sop.pdf") == source
    assert (project / "site" / "sop" / SEED_SLUG / "lembar-sop.pdf").stat().st_ino == (
        source.stat().st_ino
    )
    good, old_inode = source.read_bytes(), source.stat().st_ino
    os.chmod(source, 0o644)
    source.write_bytes(b"%PDF rusak")  # what a tool writing into the site's file would do
    third = build_in_process(project)
    fresh = third.files.document(f"sop/{SEED_SLUG}/lembar-sop.pdf")
    assert fresh is not None and fresh.read_bytes() == good
    assert fresh.stat().st_ino != old_inode
    assert (project / "site" / "sop" / SEED_SLUG / "lembar-sop.pdf").read_bytes() == good


def test_live_preview_shows_the_page_before_its_pdfs(tmp_path: Path) -> None:
    """Under `mkdocs serve` an edited SOP's page (sheet and diagram) is served without
    waiting for its PDFs: the page offers no PDF of the new text until the background run
    has put it in the cache and triggered a rebuild; then the new PDF is served."""
    project = make_project(tmp_path / "klon")
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [*MKDOCS, "serve", "-a", f"127.0.0.1:{port}"],
        cwd=project,
        env=ENV,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/sop/{SEED_SLUG}/"
    pdf = f"{url}lembar-sop.pdf"
    try:
        assert _wait_for(url, 'href="lembar-sop.pdf"', 300), (tmp_path / "serve.log").read_text()
        sop_file = project / "sop_data" / "sop" / f"{SEED_SLUG}.yaml"
        text = sop_file.read_text(encoding="utf-8")
        assert "Memerintahkan Sekcam" in text
        sop_file.write_text(text.replace("Memerintahkan Sekcam", "Menugaskan Sekcam"), "utf-8")
        assert _wait_for(url, "Menugaskan Sekcam", 300), (tmp_path / "serve.log").read_text()
        page = _fetch(url)
        assert page.count("Menugaskan Sekcam") >= 2  # the step list and the embedded sheet
        assert '<svg xmlns="http://www.w3.org/2000/svg"' in page
        if 'href="lembar-sop.pdf"' not in page:  # PDFs still running: none offered
            assert "Lembar SOP (PDF): belum tersedia" in page
        # then the PDF of the new text follows, and the page links it again
        assert _wait_for(url, 'href="lembar-sop.pdf"', 300), (tmp_path / "serve.log").read_text()
        with urllib.request.urlopen(pdf, timeout=5) as response:  # noqa: S310 (127.0.0.1 only)
            data = response.read()
        got = subprocess.run(
            ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
        ).stdout.decode()
        assert "Menugaskan" in got and "Memerintahkan Sekcam" not in got
        assert "PDF dibuat di latar belakang" in (tmp_path / "serve.log").read_text()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_a_failed_background_run_triggers_no_rebuild(tmp_path: Path) -> None:
    """Live preview: background PDFs that fail are reported and trigger nothing (a rebuild
    would defer them again and fail again, without end); PDFs that are made trigger one. The
    jobs run in low-priority worker processes, never in the serving process."""
    from generator.render.common import DotJob

    plugin = SopPlugin()
    plugin.trigger = tmp_path / "pratinjau"
    bad = {"x/rusak.svg": DotJob("digraph { ", "svg", "dot")}  # Graphviz refuses it
    plugin.in_flight.update(bad)
    plugin._run_pdfs(bad, tmp_path / "cache")
    assert not plugin.trigger.exists() and not plugin.pdfs_done and plugin.in_flight == {}
    good = {"x/baik.svg": DotJob("digraph { a -> b }", "svg", "dot")}
    plugin._run_pdfs(good, tmp_path / "cache")
    assert (plugin.trigger / "pdf-selesai").is_file() and plugin.pdfs_done


def test_background_workers_run_at_low_priority(tmp_path: Path) -> None:
    from generator.render.common import DotJob

    job = DotJob('digraph { a [label="x"] }', "plain", "dot")
    assert os.nice(0) + build.BACKGROUND_NICE <= 19
    done, hits = build.run_jobs({"a": job}, None, background=True)
    assert hits == 0 and done["a"].startswith(b"graph ")
    # the worker's niceness: asked of a job run the same way, through a worker's initializer
    with build.ProcessPoolExecutor(
        max_workers=1,
        mp_context=build.multiprocessing.get_context("forkserver"),
        initializer=build.background_worker,
        initargs=(os.getpid(),),
    ) as pool:
        assert pool.submit(os.nice, 0).result() == os.nice(0) + build.BACKGROUND_NICE


@pytest.mark.parametrize("initializer", ["job_worker", "background_worker"])
def test_render_workers_collect_garbage_less_often(initializer: str) -> None:
    """WeasyPrint's many short-lived objects: a worker's young collections wait for
    WORKER_GC_THRESHOLD allocations and what it imported is frozen out of the collector's
    sight (`build.fewer_collections`); each task ends with a full collection (WeasyPrint's
    boxes form cycles); this process keeps CPython's defaults."""
    import gc

    from generator.render.common import DotJob

    with build.ProcessPoolExecutor(
        max_workers=1,
        mp_context=build.multiprocessing.get_context("forkserver"),
        initializer=getattr(build, initializer),
        initargs=(os.getpid(),),
    ) as pool:
        threshold = pool.submit(gc.get_threshold).result()
        frozen = pool.submit(gc.get_freeze_count).result()
        pool.submit(gc.disable).result()  # a collection now can only be the task's own
        full = pool.submit(gc.get_stats).result()[2]["collections"]
        job = DotJob('digraph { a [label="x"] }', "plain", "dot")
        assert pool.submit(build.run_job_collected, job).result().startswith(b"graph ")
        after = pool.submit(gc.get_stats).result()[2]["collections"]
    assert threshold == (build.WORKER_GC_THRESHOLD, 10, 10)
    assert frozen > 1000 and gc.get_threshold()[0] < build.WORKER_GC_THRESHOLD
    assert after == full + 1  # the task ended with a full collection
