"""Nothing lost: the real `sop` and `mkdocs` processes against a careful user's folders and a
failing machine (issue 13).

Every scenario asserts: no user file lost or changed (not even a folder's mode), a refusal
located at the folder it concerns, and no traceback. Covered: an output folder holding a
user's files; --out on the data, templates or sources; what a killed build left; damaged cache
entries of every kind (truncated PDF, altered HTML, truncated or unparsable manifest, missing
blob, altered sheet fragment of the site); a site_dir holding a user's files; a half site, an
altered site and a stale site given to `sop publish`; a plain folder as publish destination
(refused, adopted with --force, kept); concurrent builds and publishes; a lock held too long.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import filelock
import pytest

from generator import outdir
from generator.cache import VERIFIED_RECORD, seal, unseal
from generator.identity import PACKAGE_DIR
from generator.render import sheet
from tests.conftest import ROOT, SEED_DATA

pytestmark = pytest.mark.slow

SOP = str(Path(sys.executable).parent / "sop")
MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--strict"]
SLUG = "evaluasi-kinerja-kecamatan"
SOP_FILE = f"sop_data/sop/{SLUG}.yaml"
ENV = {
    **os.environ,
    "NO_MKDOCS_2_WARNING": "1",
    "SOP_NOW": "2024-03-04 10:00",
    "SOURCE_DATE_EPOCH": "1700000000",
}
BUILD = ["build", "--data", "sop_data", "--templates", "templates"]
PUBLISH = ["publish", "--data", "sop_data", "--templates", "templates"]


def run(cwd: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A real `sop ...` (or `mkdocs build --strict` when argv[0] == 'mkdocs') in `cwd`."""
    command = MKDOCS if argv[:1] == ("mkdocs",) else [SOP, *argv]
    done = subprocess.run(
        command, cwd=cwd, env={**ENV, **env}, capture_output=True, text=True, timeout=600
    )
    assert_no_traceback(done)
    return done


def assert_no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    output = (done.stdout + done.stderr).replace("Aborted with a BuildError!", "")  # MkDocs'
    assert "Traceback" not in output, output
    assert not re.search(r"\b[A-Z][A-Za-z]*(Error|Exception)\b", output), output


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder by relative path (lock files aside: empty and harmless; and a
    cache's record of what it has hashed, `cache.VERIFIED_RECORD`, a shortcut any build may
    rewrite and none needs)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock") and p.name != VERIFIED_RECORD
    }


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock"))


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone's folder with a warm cache, `out/` from `sop build` and `site/` from mkdocs."""
    root = tmp_path_factory.mktemp("warm") / "p"
    root.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", root / "docs")
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copytree(SEED_DATA, root / "sop_data", ignore=shutil.ignore_patterns("checklist"))
    assert run(root, *BUILD, "--out", "out").returncode == 0
    done = run(root, "mkdocs")
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture
def project(warm: Path, tmp_path: Path) -> Path:
    """A private copy of the warm folder."""
    target = tmp_path / "p"
    shutil.copytree(warm, target, symlinks=True)
    return target


# --------------------------------------------------------------------------- sop build --out


def test_build_refuses_a_folder_holding_a_users_files(project: Path) -> None:
    folder = project / "dokumen"
    (folder / "arsip").mkdir(parents=True)
    (folder / "surat-penting.docx").write_bytes(b"PK\x03\x04 surat")
    (folder / "arsip" / "2024.pdf").write_bytes(b"%PDF-1.4 arsip")
    folder.chmod(0o755)
    before, names = snapshot(folder), listing(project)
    done = run(project, *BUILD, "--out", "dokumen")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == (
        "dokumen: folder ini sudah berisi berkas yang bukan hasil build (tanpa penanda "
        ".sop-keluaran.json); tidak ada yang dihapus atau ditimpa\n"
        "    petunjuk: pilih folder kosong atau folder baru untuk --out, mis. --out keluaran\n"
        "1 galat, 0 peringatan\n"
    )
    assert snapshot(folder) == before and listing(project) == names
    assert folder.stat().st_mode & 0o7777 == 0o755


@pytest.mark.parametrize(
    ("out", "label"),
    [
        ("sop_data", "folder data (sop_data)"),
        ("sop_data/sop", "folder data (sop_data)"),
        (".", "folder data (sop_data)"),
        ("templates", "folder templat (templates)"),
        ("templates/baru", "folder templat (templates)"),
        (".sop-cache", "folder cache (.sop-cache)"),
        (str(PACKAGE_DIR), f"folder kode program ({PACKAGE_DIR})"),
    ],
)
def test_build_refuses_the_data_templates_cache_and_sources(
    project: Path, out: str, label: str
) -> None:
    data, templates = snapshot(project / "sop_data"), snapshot(project / "templates")
    done = run(project, *BUILD, "--out", out)
    assert done.returncode == 1
    assert done.stderr.startswith(
        f"{out}: folder keluaran tidak boleh sama dengan, memuat, atau berada di dalam {label}; "
        "tidak ada yang ditulis\n"
    )
    assert snapshot(project / "sop_data") == data
    assert snapshot(project / "templates") == templates


def test_build_takes_an_empty_folder_and_keeps_its_mode(project: Path) -> None:
    folder = project / "keluaran"
    folder.mkdir(mode=0o750)
    folder.chmod(0o750)
    assert run(project, *BUILD, "--out", "keluaran").returncode == 0
    assert folder.stat().st_mode & 0o7777 == 0o750
    assert snapshot(folder) == snapshot(project / "out")
    path = project / SOP_FILE
    path.write_text(path.read_text("utf-8").replace("Menyusun", "Merumuskan", 1), "utf-8")
    assert run(project, *BUILD, "--out", "keluaran").returncode == 0
    assert folder.stat().st_mode & 0o7777 == 0o750
    assert snapshot(folder) != snapshot(project / "out")
    assert outdir.verify_tree(folder, outdir.read_marker(folder) or {}) == ""
    assert [n for n in listing(project) if n.startswith(".keluaran")] == []


def test_the_next_build_cleans_what_a_killed_build_left(project: Path) -> None:
    expected = snapshot(project / "out")
    stale = project / ".out.baru-abcd1234"
    (stale / "x").mkdir(parents=True)
    (stale / "x" / "setengah.pdf").write_bytes(b"%PDF-")
    (project / "out").rename(project / ".out.lama")  # a kill between the two renames
    assert run(project, *BUILD, "--out", "out").returncode == 0
    assert snapshot(project / "out") == expected
    assert [n for n in listing(project) if n.startswith(".out")] == []


# --------------------------------------------------------------------------- the cache


def cache_entries(project: Path) -> dict[str, bytes]:
    """Every verified cache entry's content by key."""
    found = {}
    for path in (project / ".sop-cache").glob("??/*.c2"):
        data, _ = unseal(path.read_bytes())
        assert data is not None
        found[path.name.removesuffix(".c2")] = data
    return found


def sop_manifest(project: Path) -> tuple[str, dict[str, str]]:
    """The seed SOP's cache manifest: (its key, file name -> blob key)."""
    for key, data in cache_entries(project).items():
        try:
            manifest = json.loads(data)
        except ValueError:
            continue
        if isinstance(manifest, dict) and manifest.get("slug") == SLUG:
            return key, manifest["files"]
    raise AssertionError("no manifest")


def entry_path(project: Path, key: str) -> Path:
    return project / ".sop-cache" / key[:2] / f"{key}.c2"


def fragment_key(project: Path) -> str:
    """The cache key of the seed SOP's sheet fragment for its page: a blob of its bundle."""
    return sop_manifest(project)[1][sheet.FRAGMENT_NAME]


DAMAGE = {
    "pdf-terpotong": ("lembar-sop.pdf", lambda raw: raw[: len(raw) // 2], "panjang "),
    "html-diubah": ("lembar-sop.html", lambda raw: raw[:-9] + b"<b>x</b>\n", "isi tidak"),
    "manifest-terpotong": ("", lambda raw: raw[:-10], "panjang "),
    "manifest-bukan-json": ("", lambda raw: seal(b"{bukan json"), "daftar isi SOP"),
    "blob-hilang": ("diagram-alir.svg", None, "hilang"),
}


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_a_damaged_cache_entry_is_rendered_again(project: Path, case: str) -> None:
    name, damage, reason = DAMAGE[case]
    key, files = sop_manifest(project)
    path = entry_path(project, files[name] if name else key)
    if damage is None:
        path.unlink()
    else:
        path.write_bytes(damage(path.read_bytes()))
    done = run(project, *BUILD, "--out", "baru")
    assert done.returncode == 0, done.stderr
    shown = path.relative_to(project).as_posix()
    assert done.stderr.startswith(f"peringatan: {shown}: entri cache rusak ({reason}")
    assert done.stderr.count("\n") == 1 and done.stderr.endswith("; dibuat ulang\n")
    assert snapshot(project / "baru") == snapshot(project / "out")
    again = run(project, *BUILD, "--out", "baru")  # repaired: no warning any more
    assert again.returncode == 0 and again.stderr == ""


def test_a_damaged_sheet_fragment_of_the_site_is_rendered_again(project: Path) -> None:
    path = entry_path(project, fragment_key(project))
    raw = path.read_bytes()
    path.write_bytes(raw[:-9] + b"<script>x")
    done = run(project, "mkdocs")
    assert done.returncode == 0, done.stderr
    shown = path.relative_to(project).as_posix()
    lines = [line for line in done.stderr.splitlines() if "entri cache" in line]
    assert lines == [
        f"peringatan: {shown}: entri cache rusak (isi tidak cocok dengan hash); dibuat ulang"
    ]
    site = project / "site"
    assert b"<script>x" not in (site / "sop" / SLUG / "index.html").read_bytes()
    assert outdir.verify_tree(site, outdir.read_marker(site) or {}) == ""


# --------------------------------------------------------------------------- mkdocs build


def test_mkdocs_refuses_a_site_dir_holding_a_users_files(project: Path) -> None:
    shutil.rmtree(project / "site")
    (project / "site").mkdir()
    (project / "site" / "catatan.txt").write_text("punya pengguna", "utf-8")
    done = run(project, "mkdocs")
    assert done.returncode == 1
    assert (
        f"{project / 'site'}: folder ini sudah berisi berkas yang bukan hasil build "
        "(tanpa penanda .sop-keluaran.json); tidak ada yang dihapus atau ditimpa"
    ) in done.stderr
    assert "petunjuk: ubah site_dir di mkdocs.yml" in done.stderr
    assert snapshot(project / "site") == {"catatan.txt": b"punya pengguna"}
    assert [n for n in listing(project) if n.startswith(".site.baru")] == []


def test_two_mkdocs_builds_at_once_both_succeed(project: Path) -> None:
    expected = snapshot(project / "site")
    for _ in range(2):
        procs = [
            subprocess.Popen(MKDOCS, cwd=project, env=ENV, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        for proc in procs:
            _, err = proc.communicate(timeout=600)
            assert proc.returncode == 0, err
            assert "Traceback" not in err
    assert snapshot(project / "site") == expected


def test_two_sop_builds_at_once_both_succeed(project: Path) -> None:
    expected = snapshot(project / "out")
    procs = [
        subprocess.Popen(
            [SOP, *BUILD, "--out", "out"],
            cwd=project,
            env=ENV,
            text=True,
            stderr=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        for _ in range(3)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
    assert snapshot(project / "out") == expected


@pytest.mark.parametrize("command", ["build", "mkdocs", "publish"])
def test_a_lock_held_too_long_names_the_other_process(project: Path, command: str) -> None:
    if command == "build":
        lock, argv, shown = project / ".out.lock", [*BUILD, "--out", "out"], "out"
    elif command == "mkdocs":
        lock, argv, shown = project / ".site.lock", ["mkdocs"], str(project / "site")
    else:
        (project / "www.rilis").mkdir()
        lock, argv = project / "www.rilis" / ".terbit.lock", [*PUBLISH, str(project / "www")]
        shown = str(project / "www")
    before = snapshot(project)
    with filelock.FileLock(str(lock)):
        done = run(project, *argv, SOP_LOCK_TIMEOUT="1")
    assert done.returncode == 1
    assert f"menunggu proses lain yang sedang menulis {shown} selesai ...\n" in done.stderr
    assert (
        f"{shown}: build atau penerbitan lain sedang menulis folder ini (kunci {lock}); "
        "sudah ditunggu 1 detik\n"
        "    petunjuk: tunggu hingga proses itu selesai, lalu ulangi perintah"
    ) in done.stderr
    assert "disk" not in done.stderr
    assert snapshot(project) == before


# --------------------------------------------------------------------------- sop publish


def test_publish_refuses_a_half_site(project: Path) -> None:
    half = project / "setengah"
    shutil.copytree(project / "site", half)
    (half / outdir.MARKER).unlink()  # what a killed `mkdocs build` of the old kind left
    done = run(project, *PUBLISH, "www", "--site", "setengah")
    assert done.returncode == 1
    assert done.stderr.startswith(
        "setengah: situs belum dibangun atau tidak lengkap (tidak ada penanda "
        ".sop-keluaran.json); tidak diterbitkan; jalankan dulu: make site\n"
    )
    shutil.copytree(project / "site", half, dirs_exist_ok=True)
    shutil.rmtree(half / "sop")  # files missing although the marker is there
    done = run(project, *PUBLISH, "www", "--site", "setengah")
    assert done.returncode == 1
    count = len(snapshot(project / "site")) - 1
    assert re.match(
        rf"setengah: situs tidak utuh \(berisi \d+ berkas, penanda menyebut {count}\); "
        "tidak diterbitkan; jalankan dulu: make site\n",
        done.stderr,
    ), done.stderr
    assert listing(project) == sorted(
        ["docs", "mkdocs.yml", "out", "setengah", "site", "sop_data", "templates", ".sop-cache"]
    )


def test_publish_refuses_an_altered_site(project: Path) -> None:
    page = project / "site" / "index.html"
    page.write_bytes(page.read_bytes() + b"<!-- diubah -->")
    done = run(project, *PUBLISH, "www")
    assert done.returncode == 1
    assert done.stderr.startswith(
        "site: situs tidak utuh (isi berkas tidak cocok dengan hash pada penanda); "
        "tidak diterbitkan; jalankan dulu: make site\n"
    )
    assert not (project / "www").exists()


def test_publish_refuses_a_site_older_than_its_data(project: Path) -> None:
    path = project / SOP_FILE
    path.write_text(path.read_text("utf-8").replace("Menyusun", "Merumuskan", 1), "utf-8")
    done = run(project, *PUBLISH, "www")
    assert done.returncode == 1
    assert done.stderr.startswith(
        f"site: situs lebih lama dari datanya: {SOP_FILE} berubah sejak situs dibangun; "
        "tidak diterbitkan; jalankan dulu: make site\n"
    )
    assert not (project / "www").exists()
    assert run(project, "mkdocs").returncode == 0
    done = run(project, *PUBLISH, "www")
    assert done.returncode == 0, done.stderr


def test_publish_refuses_a_plain_folder_and_force_keeps_it(project: Path) -> None:
    www = project / "www"
    (www / "aplikasi").mkdir(parents=True)
    (www / "index.php").write_text("<?php echo 1;", "utf-8")
    (www / "aplikasi" / "data.db").write_bytes(b"SQLite format 3\x00")
    before = snapshot(www)
    for _ in range(2):
        done = run(project, *PUBLISH, "www")
        assert done.returncode == 1
        assert done.stderr.startswith(
            f"{www}: folder ini bukan hasil sop publish; tidak diubah\n"
            "    petunjuk: pilih tujuan lain, atau tambahkan --force"
        )
        assert snapshot(www) == before and not (project / "www.rilis").exists()
    done = run(project, *PUBLISH, "www", "--force")
    assert done.returncode == 0, done.stderr
    adopted = project / "www.rilis" / "rilis-0001-diadopsi"
    assert done.stdout == (
        f"folder lama {www} disimpan utuh sebagai {adopted}\n"
        f"situs diterbitkan ke {www}: rilis-0002 (versi sebelumnya: rilis-0001-diadopsi)\n"
    )
    assert snapshot(adopted) == before
    for _ in range(3):
        assert run(project, *PUBLISH, "www", "--simpan", "1").returncode == 0
    assert snapshot(adopted) == before  # never deleted
    assert listing(project / "www.rilis") == ["rilis-0001-diadopsi", "rilis-0005"]
    daftar = run(project, "publish", "www", "--daftar").stdout.splitlines()
    assert daftar[0].startswith("rilis-0001-diadopsi  ") and "(diadopsi)" in daftar[0]
    assert daftar[1].startswith("rilis-0005  ") and daftar[1].endswith("<- aktif")
    assert run(project, "publish", "www", "--rollback").returncode == 0
    assert snapshot(www) == before


def test_two_publishes_at_once_both_succeed(project: Path) -> None:
    site = snapshot(project / "site")
    for _ in range(4):
        procs = [
            subprocess.Popen(
                [SOP, *PUBLISH, "www"],
                cwd=project,
                env=ENV,
                text=True,
                stderr=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
            for _ in range(2)
        ]
        for proc in procs:
            _, err = proc.communicate(timeout=600)
            assert proc.returncode == 0, err
            assert "Traceback" not in err
    served = snapshot(project / "www")
    assert served.pop(".sop-terbit.json")
    assert served == site
    assert listing(project / "www.rilis") == [f"rilis-{n:04d}" for n in range(4, 9)]
