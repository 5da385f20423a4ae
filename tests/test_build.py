"""The pipeline with the real tools: per-SOP caching, one-edit rebuilds, template changes,
atomic output, deterministic text across processes."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import build, outdir
from generator.cache import Cache, CachedBytes
from generator.errors import UserError
from generator.loader import load_project
from generator.model import Sop
from generator.render.common import Outputs, PdfJob, RenderContext
from tests.conftest import ROOT, SEED_DATA, TEMPLATES

pytestmark = pytest.mark.slow

SEED = "evaluasi-kinerja-kecamatan"
COPY = "evaluasi-kinerja-salinan"
SHEET_TEMPLATE = "sheet/lembar-sop.html"
COLD_PROGRESS: list[tuple[int, int]] = []


def two_sop_data(dest: Path) -> Path:
    """The seed data plus a second SOP (the seed under another slug and number)."""
    shutil.copytree(SEED_DATA, dest, ignore=shutil.ignore_patterns("checklist"))
    text = (dest / "sop" / f"{SEED}.yaml").read_text("utf-8")
    text = re.sub(r"(?m)^nomor: .*$", 'nomor: "067/22/JPR/2024"', text, count=1)
    (dest / "sop" / f"{COPY}.yaml").write_text(text, "utf-8")
    return dest


def edit_first_step(data: Path, slug: str, words: str) -> None:
    """Change the text of an SOP's first step."""
    path = data / "sop" / f"{slug}.yaml"
    text = path.read_text("utf-8")
    new, count = re.subn(r"(?m)^(\s*-?\s*uraian: )(.*)$", rf"\g<1>{words}", text, count=1)
    assert count == 1
    path.write_text(new, "utf-8")


@pytest.fixture(scope="module")
def cold(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, build.BuildResult]:
    """One cold build of two SOPs on two worker processes: (data, cache, result)."""
    base = tmp_path_factory.mktemp("build")
    data = two_sop_data(base / "data")
    cache = base / "cache"
    result = build.build(
        data,
        base / "out",
        TEMPLATES,
        cache,
        workers=2,
        progress=lambda *done: COLD_PROGRESS.append(done),
    )
    return data, cache, result


def jobs_of(result: build.BuildResult) -> int:
    """How many files of the result come from tool jobs (PDF, PNG, SVG)."""
    return sum(1 for path in result.files if path.endswith((".pdf", ".png", ".svg")))


def test_cold_build_renders_every_sop_and_writes_every_file(cold) -> None:
    data, cache, result = cold
    assert result.sops_rendered == (SEED, COPY)
    assert result.jobs_run == jobs_of(result) >= 2 * 5
    assert result.cache_hits == 0
    for path, data_bytes in result.files.items():
        assert data_bytes, path
    assert {p.split("/", 1)[0] for p in result.files} == {SEED, COPY}
    assert f"{SEED}/lembar-sop.pdf" in result.files
    assert result.files[f"{SEED}/lembar-sop.pdf"].startswith(b"%PDF")
    assert result.files[f"{SEED}/diagram-alir.png"].startswith(b"\x89PNG")
    assert COLD_PROGRESS == [(0, 2), (1, 2), (2, 2)]  # as each worker finishes an SOP


def test_no_change_rebuild_takes_every_byte_from_the_cache(cold, tmp_path: Path) -> None:
    data, cache, first = cold
    progress: list[tuple[int, int]] = []
    again = build.build(
        data, tmp_path / "out", TEMPLATES, cache, progress=lambda *done: progress.append(done)
    )
    assert again.sops_rendered == ()
    assert again.sops_cached == 2
    assert again.jobs_run == 0
    assert again.cache_hits == jobs_of(first)
    assert again.files == first.files  # identical bytes, same names
    assert progress[-1] == (2, 2)
    for rel, content in first.files.items():
        assert (tmp_path / "out" / rel).read_bytes() == content


def test_a_cached_sop_hands_its_documents_by_reference(cold) -> None:
    """A no-change build holds no document in memory: each file found in the cache is the
    entry's path and its content's digest (read only when asked), the sheet fragment the
    site embeds is text."""
    data, cache, first = cold
    again = build.render_project(load_project(data, TEMPLATES), TEMPLATES, cache)
    entries = again.files.entries
    assert set(entries) == set(first.files)
    assert all(isinstance(entry, CachedBytes) for entry in entries.values())
    pdf = entries[f"{SEED}/lembar-sop.pdf"]
    assert pdf.path.is_relative_to(cache)
    assert pdf.digest == hashlib.sha256(first.files[f"{SEED}/lembar-sop.pdf"]).hexdigest()
    assert again.files[f"{SEED}/lembar-sop.pdf"] == first.files[f"{SEED}/lembar-sop.pdf"]
    assert all(isinstance(text, bytes) for text in again.internal.values())


def test_editing_one_sop_renders_that_sop_only(cold, tmp_path: Path) -> None:
    data, cache, first = cold
    edited = tmp_path / "data"
    shutil.copytree(data, edited)
    edit_first_step(edited, COPY, "Menerima berkas yang sudah diubah")
    result = build.build(edited, tmp_path / "out", TEMPLATES, cache, workers=2)
    assert result.sops_rendered == (COPY,)
    copy_jobs = sum(
        1 for p in result.files if p.startswith(f"{COPY}/") and p.endswith((".pdf", ".png", ".svg"))
    )
    assert 0 < result.jobs_run <= copy_jobs
    seed_files = {p: b for p, b in result.files.items() if p.startswith(f"{SEED}/")}
    assert seed_files == {p: b for p, b in first.files.items() if p.startswith(f"{SEED}/")}
    assert "Menerima berkas yang sudah diubah" in result.files[f"{COPY}/lembar-sop.html"].decode()


def test_a_template_change_invalidates_every_sop(cold, tmp_path: Path) -> None:
    data, cache, first = cold
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    sheet = templates / SHEET_TEMPLATE
    sheet.write_text(sheet.read_text("utf-8") + "<!-- diubah kantor -->\n", "utf-8")
    result = build.build(data, tmp_path / "out", templates, cache, workers=2)
    assert result.sops_rendered == (SEED, COPY)
    for slug in (SEED, COPY):
        assert b"diubah kantor" in result.files[f"{slug}/lembar-sop.html"]
    # The sheet PDF's input changed, so it ran again; the diagrams' did not: cache hits.
    assert result.jobs_run >= 2
    assert result.cache_hits >= 2 * 3
    assert result.files[f"{SEED}/diagram-alir.svg"] == first.files[f"{SEED}/diagram-alir.svg"]


def test_a_template_error_in_a_worker_writes_nothing(cold, tmp_path: Path) -> None:
    data, cache, _ = cold
    out = tmp_path / "out"
    build.write_tree({"lama.txt": b"hasil build sebelumnya"}, out)
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    sheet = templates / SHEET_TEMPLATE
    sheet.write_text(sheet.read_text("utf-8") + "{{ tidak_ada }}\n", "utf-8")
    with pytest.raises(UserError) as caught:
        build.build(data, out, templates, cache, workers=2)
    message = caught.value.format()
    assert "variabel tidak dikenal" in message
    assert "lembar-sop.html" in message
    assert message.count("variabel tidak dikenal") == 1  # both SOPs, one problem
    assert sorted(p.name for p in out.iterdir()) == [outdir.MARKER, "lama.txt"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == [".out.lock"]


def test_a_user_error_midway_leaves_the_output_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = two_sop_data(tmp_path / "data")
    out = tmp_path / "out"
    build.write_tree({"lama.txt": b"hasil build sebelumnya"}, out)

    def failing(ctx: RenderContext, sop: Sop) -> Outputs:
        if sop.slug == SEED:
            raise UserError(f"sop/{sop.slug}.yaml: rusak")
        return {"catatan.txt": b"ok"}

    monkeypatch.setattr(build, "RENDERERS", (("x", failing),))
    with pytest.raises(UserError, match="rusak"):
        build.build(data, out, TEMPLATES, tmp_path / "cache", workers=1)
    assert sorted(p.name for p in out.iterdir()) == [outdir.MARKER, "lama.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "cache", "data", "out"]


def test_text_is_identical_across_processes(cold) -> None:
    """HTML and the DOT/HTML of every job, rendered here, equal what the workers rendered:
    every job key computed in this process names an entry the workers stored."""
    data, cache_dir, first = cold
    project = load_project(data, TEMPLATES)
    outputs = build.render_outputs(build.render_context(project, TEMPLATES), {})
    cache = Cache(cache_dir)
    assert {p for p in outputs if build.is_internal(p.split("/")[-1])} == set(first.internal)
    for path, out in outputs.items():
        if isinstance(out, bytes):
            assert out == {**first.files, **first.internal}[path], path
        else:
            assert cache.get(build.job_key(out)) == first.files[path], path
    again = build.render_outputs(build.render_context(project, TEMPLATES), {})
    assert again == outputs


def test_keys_cover_code_templates_and_tool_versions(cold, tmp_path: Path) -> None:
    data, _, _ = cold
    project = load_project(data, TEMPLATES)
    shared = build.context_fingerprint(project, TEMPLATES)
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    assert build.context_fingerprint(project, templates) == shared
    (templates / "baru.txt").write_text("x", "utf-8")
    assert build.context_fingerprint(project, templates) != shared
    sop = project.sops[0]
    assert build.sop_key(shared, sop) == build.sop_key(shared, sop)
    assert build.sop_key(shared, sop) != build.sop_key(shared, project.sops[1])
    job = PdfJob("<p>x</p>")
    assert build.job_key(job) != build.job_key(PdfJob("<p>y</p>"))


def test_a_failed_switch_puts_the_old_output_back(tmp_path: Path) -> None:
    target = tmp_path / "keluaran"
    build.write_tree({"x.txt": b"lama"}, target)
    missing_staging = tmp_path / "tidak-ada"  # the final rename fails: nothing to rename
    with pytest.raises(OSError):
        outdir.switch(missing_staging, target)
    with pytest.raises(OSError):
        outdir.switch(missing_staging, target, can_exchange=False)
    assert (target / "x.txt").read_bytes() == b"lama"
    target.rename(tmp_path / ".keluaran.lama")  # as a kill between the two renames leaves it
    outdir.recover(target)  # what the next run does first
    assert (target / "x.txt").read_bytes() == b"lama"
    assert not (tmp_path / ".keluaran.lama").exists()


def test_related_sops_are_found_by_name_as_by_trying_each(tmp_path: Path) -> None:
    """`related_of` (a lookup by slug and nama) finds what asking every SOP finds, in
    project order, never the SOP itself, across the fixtures' and real SOPs' keterkaitan."""
    from generator.loader import related_sop
    from tests.conftest import FIXTURES

    folders = [SEED_DATA, *sorted(p for p in FIXTURES.iterdir() if (p / "sop").is_dir())]
    folders += sorted(p for p in (FIXTURES / "real-sops").iterdir() if (p / "sop").is_dir())
    linked = 0
    for folder in folders:
        sops = load_project(folder).sops
        for sop in sops:
            items = sop.related if isinstance(sop.related, list) else sum(sop.related.values(), [])
            naive = tuple(
                o for o in sops if o.slug != sop.slug and any(related_sop((o,), t) for t in items)
            )
            assert build.related_of(sops, sop) == naive, (folder, sop.slug)
            linked += len(naive)
    assert linked >= 2  # the fixtures do link SOPs to each other
    seed = load_project(SEED_DATA).sops[0]
    made = [
        seed.model_copy(update={"name": name, "related": related}).with_slug(slug)
        for slug, name, related in [
            ("a", "Surat  Masuk", ["SOP surat masuk", "c", "tidak ada", "A"]),
            ("b", "Surat Masuk", ["sop  A"]),
            ("c", "Arsip", []),
        ]
    ]
    assert [o.slug for o in build.related_of(tuple(made), made[0])] == ["b", "c"]
    assert [o.slug for o in build.related_of(tuple(made), made[1])] == ["a"]
    assert build.related_of(tuple(made), made[2]) == ()


def test_an_entry_damaged_after_lookup_is_rendered_again_not_written(
    cold, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sop build` reads each cached document only to write it: one changed since it was
    looked up is reported, removed and rendered again, and the output holds the right bytes."""
    data, cache, first = cold
    mine = tmp_path / "cache"
    shutil.copytree(cache, mine)
    real_peek = Cache.peek
    damaged: list[Path] = []

    def peek_then_damage(self: Cache, key: str):  # noqa: ANN202
        found = real_peek(self, key)
        if found is not None and not damaged:
            raw = found.path.read_bytes()
            found.path.write_bytes(raw[:-1] + bytes([raw[-1] ^ 1]))  # same size
            damaged.append(found.path)
        return found

    monkeypatch.setattr(Cache, "peek", peek_then_damage)
    again = build.build(data, tmp_path / "out", TEMPLATES, mine)
    assert damaged and "entri cache rusak (isi tidak cocok dengan hash)" in capsys.readouterr().err
    assert again.sops_rendered  # the SOP of the damaged entry, rendered again
    for rel, content in first.files.items():
        assert (tmp_path / "out" / rel).read_bytes() == content, rel


def test_rendering_in_this_process_collects_less_and_restores_the_thresholds() -> None:
    import gc

    from generator.build import WORKER_GC_THRESHOLD, collecting_less

    before = gc.get_threshold()
    with collecting_less():
        assert gc.get_threshold() == (WORKER_GC_THRESHOLD, 10, 10)
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), collecting_less():
        raise RuntimeError("render failed")
    assert gc.get_threshold() == before


def test_the_diagram_pdf_uses_the_svg_made_just_before(
    seed_project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Graphviz runs once for the SVG and once for the PNG; the PDF pages take the SVG from
    the cache. Without a cache, the PDF job runs Graphviz itself; both PDFs are the same."""
    from generator import tools

    formats: list[str] = []
    real = tools.run_dot
    monkeypatch.setattr(tools, "run_dot", lambda job: formats.append(job.fmt) or real(job))
    ctx = build.render_context(seed_project, TEMPLATES)
    sop = seed_project.sops[0]
    cached = build.render_sop(ctx, sop, Cache(tmp_path / "cache"))
    assert sorted(formats) == ["png", "svg"] and not cached.problems
    formats.clear()
    alone = build.render_sop(ctx, sop, None)
    assert sorted(formats) == ["png", "svg", "svg"]
    assert alone.files["diagram-alir.pdf"] == cached.files["diagram-alir.pdf"]


def test_render_workers_fork_with_the_renderers_and_weasyprint_imported() -> None:
    """`build.start_forkserver` (called before loading): the forkserver imports
    `generator.preload` once, so a worker starts with the renderers and WeasyPrint in place
    instead of importing them itself; without it, a worker starts without them."""
    script = (
        "import sys\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "import multiprocessing\n"
        "from generator import build\n"
        "if __name__ == '__main__':\n"
        "    if sys.argv[1] == 'early':\n"
        "        build.start_forkserver()\n"
        "    ctx = multiprocessing.get_context('forkserver')\n"
        "    with ProcessPoolExecutor(1, mp_context=ctx) as pool:\n"
        "        ask = \"sorted(m for m in ('weasyprint', 'generator.build',"
        " 'generator.render.forms') if m in __import__('sys').modules)\"\n"
        "        print(pool.submit(eval, ask).result())\n"
    )
    found = {}
    for mode in ("early", "plain"):
        done = subprocess.run(
            [sys.executable, "-c", script, mode],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        found[mode] = done.stdout.strip()
    assert found["early"] == "['generator.build', 'generator.render.forms', 'weasyprint']"
    assert found["plain"] == "[]"
