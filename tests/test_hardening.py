"""The hardening corpus: broken and hostile inputs run through the real `sop` process.

Every case is a file in tests/hardening/<class>/<case>.yaml (class: data, templat, bangun,
siklus). It names the command, the edits made to a fresh copy of sop_data/ and templates/
(plus, for `siklus`, a cycle r1 already started with step 1 done), and what must happen:

    what: one line on what the case checks
    command: [check]          # or [build], or [run, done, <slug>, ...]; {hex: ..} is raw bytes
    setup: siklus             # optional: start cycle r1 and record step 1 first
    edits:                    # applied in order; file paths are relative to the work folder
      - {file: F, replace: OLD, with: NEW}   # OLD must occur exactly once
      - {file: F, write: TEXT, repeat: N}    # also write_hex, append, append_hex, prepend
      - {file: F, copy: FROM} | {file: F, remove: true}
      - {file: F, encode: latin-1} | {file: F, crlf: true, bom: true}
      - {file: F, symlink: TARGET}           # F becomes a symbolic link (replacing F)
      - {mount: FOLDER, mode: ro|full}       # a read-only or full disk at FOLDER
    expect: {status: 1, where: REGEX, says: TEXT, exact: true, absent: [TEXT], untouched: [F]}

Asserted for every case: the exit status; no traceback and no Python exception name; the
first line of stderr starts with `where` (the file:line:column, or the refused argument);
`says` appears; no `absent` text appears (e.g. what a refused link points to holds); every
`untouched` folder of the work folder is as it was; nothing under sop_data/ changed (a
refused command loses no record); no code ran (no marker file); for `build`, the previous
output folder is exactly as it was and no staging folder is left. With `exact` (default),
the whole output is compared with tests/expected/hardening/<class>-<case>.txt.

A read-only or full disk is a real tmpfs mounted for the test when the process may mount
(root); otherwise it is simulated honestly: a folder without write permission (non-root) or
a file size limit (RLIMIT_FSIZE, EFBIG) for the `sop` process. `DISK_MODES` records which.
"""

from __future__ import annotations

import html.parser
import os
import re
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml

from generator import outdir
from tests.conftest import SEED_DATA, TEMPLATES
from tests.expected import assert_matches_expected

CASES_DIR = Path(__file__).resolve().parent / "hardening"
SOP_CLI = Path(sys.executable).parent / "sop"
SLUG = "evaluasi-kinerja-kecamatan"
NOW = "2024-03-04 10:00"
OLD_OUTPUT = b"hasil bangun sebelumnya\n"
OLD_MARKER = outdir.marker_bytes("sop build", {"lama.txt": outdir.file_digest(OLD_OUTPUT)}, {})
TMPFS_SIZE = "64k"
DISK_MODES: dict[str, str] = {}  # case -> how its disk was made read-only or full


def load_cases() -> dict[str, dict[str, Any]]:
    """Every case file by '<class>/<case>'."""
    return {
        f"{p.parent.name}/{p.stem}": yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in sorted(CASES_DIR.glob("*/*.yaml"))
    }


CASES = load_cases()


# --------------------------------------------------------------------------- running


def sop(
    work: Path, *argv: str | bytes, limit: int | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run the real `sop` in `work` (optionally under a file size limit)."""

    def limit_size() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [str(SOP_CLI), *argv],
        cwd=work,
        env={**os.environ, "SOP_NOW": NOW},
        capture_output=True,
        timeout=300,
        check=False,
        preexec_fn=limit_size,  # noqa: PLW1509 (only sets a resource limit)
    )


def full_argv(command: list[Any]) -> list[str | bytes]:
    """The case's command with the folders every run uses."""
    argv = [bytes.fromhex(a["hex"]) if isinstance(a, dict) else str(a) for a in command]
    if argv[0] == "check":
        return [*argv, "--data", "sop_data", "--templates", "templates"]
    if argv[0] == "build":
        return [*argv, "--data", "sop_data", "--templates", "templates", "--out", "out/out"]
    return [*argv, "--data", "sop_data"]


def start_cycle(work: Path) -> None:
    """Cycle r1 of the seed SOP, started at 08:00 with step 1 done at 09:00."""
    for argv in (
        ("run", "start", SLUG, "--run", "r1", "--at", "2024-03-04 08:00"),
        ("run", "done", SLUG, "r1", "1", "--by", "Budi", "--at", "2024-03-04 09:00"),
    ):
        done = sop(work, *argv, "--data", "sop_data")
        assert done.returncode == 0, done.stderr.decode()


# --------------------------------------------------------------------------- edits


def _edit_file(work: Path, edit: dict[str, Any]) -> None:
    path = work / edit["file"]
    path.parent.mkdir(parents=True, exist_ok=True)
    if "replace" in edit:
        text = path.read_text(encoding="utf-8")
        assert text.count(edit["replace"]) == 1, f"{edit['replace']!r} not once in {path}"
        path.write_text(text.replace(edit["replace"], edit["with"]), encoding="utf-8")
    elif "write" in edit:
        path.write_bytes(edit["write"].encode("utf-8") * edit.get("repeat", 1))
    elif "write_hex" in edit:
        path.write_bytes(bytes.fromhex(edit["write_hex"]))
    elif "append" in edit:
        path.write_bytes(path.read_bytes() + edit["append"].encode("utf-8"))
    elif "append_hex" in edit:
        path.write_bytes(path.read_bytes() + bytes.fromhex(edit["append_hex"]))
    elif "prepend" in edit:
        path.write_bytes(edit["prepend"].encode("utf-8") + path.read_bytes())
    elif "copy" in edit:
        shutil.copyfile(work / edit["copy"], path)
    elif "remove" in edit:
        path.unlink()
    elif "encode" in edit:
        path.write_bytes(path.read_text(encoding="utf-8").encode(edit["encode"]))
    elif "symlink" in edit:
        if path.is_symlink() or path.exists():
            path.unlink()
        path.symlink_to(edit["symlink"])
    elif "crlf" in edit:
        raw = path.read_bytes().replace(b"\n", b"\r\n")
        path.write_bytes((b"\xef\xbb\xbf" if edit.get("bom") else b"") + raw)
    else:
        raise AssertionError(f"unknown edit {edit}")


def _mount_tmpfs(folder: Path, options: str) -> bool:
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE},{options}", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def _umount(folder: Path) -> None:
    subprocess.run(["umount", str(folder)], capture_output=True, check=True)


@contextmanager
def disk(folder: Path, mode: str, case: str) -> Iterator[int | None]:
    """Make `folder` (keeping its files) read-only or full; yields a file size limit or None."""
    folder.mkdir(parents=True, exist_ok=True)
    keep = folder.parent / f".{folder.name}.simpan"
    shutil.copytree(folder, keep)
    if _mount_tmpfs(folder, "rw"):
        try:
            shutil.copytree(keep, folder, dirs_exist_ok=True)
            if mode == "ro":
                subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
            else:
                _fill(folder)
            DISK_MODES[case] = f"tmpfs {TMPFS_SIZE} ({mode})"
            yield None
        finally:
            _umount(folder)
            shutil.copytree(keep, folder, dirs_exist_ok=True)
            shutil.rmtree(keep)
        return
    shutil.rmtree(keep)
    if mode == "ro" and os.geteuid() != 0:
        DISK_MODES[case] = "chmod a-w (no permission to mount)"
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")] if p.is_dir()}
        for p in modes:
            p.chmod(0o555)
        try:
            yield None
        finally:
            for p, m in modes.items():
                p.chmod(m)
        return
    DISK_MODES[case] = "RLIMIT_FSIZE 1 byte, EFBIG (no permission to mount)"
    yield 1


def _fill(folder: Path) -> None:
    """Fill the file system holding `folder` to the last byte."""
    try:
        with open(folder / ".pengisi", "wb", buffering=0) as handle:
            while True:
                handle.write(b"\0" * 1024)
    except OSError:
        pass


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (lock files left aside: they are empty and harmless)."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock") and p.name != ".pengisi"
    }


# --------------------------------------------------------------------------- the corpus


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A clerk's folder: sop_data/ (no checklists) and templates/, copied fresh."""
    shutil.copytree(SEED_DATA, tmp_path / "sop_data", ignore=shutil.ignore_patterns("checklist"))
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    return tmp_path


def test_the_corpus_is_large_and_covers_every_class() -> None:
    by_class: dict[str, int] = {}
    for name in CASES:
        by_class[name.split("/")[0]] = by_class.get(name.split("/")[0], 0) + 1
    assert len(CASES) >= 40
    assert set(by_class) == {"data", "templat", "bangun", "siklus"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(name: str, work: Path, record_property: Callable[[str, object], None]) -> None:
    case = CASES[name]
    expect = case["expect"]
    argv = full_argv(case["command"])
    if case.get("setup") == "siklus":
        start_cycle(work)
    out = work / "out" / "out"
    if argv[0] == "build":  # an earlier build's output (it carries the build's marker)
        out.mkdir(parents=True)
        (out / "lama.txt").write_bytes(OLD_OUTPUT)
        (out / outdir.MARKER).write_bytes(OLD_MARKER)
    with ExitStack() as stack:
        limit = None
        for edit in case["edits"]:
            if "mount" in edit:
                limit = stack.enter_context(disk(work / edit["mount"], edit["mode"], name))
            else:
                _edit_file(work, edit)
        data_before = snapshot(work / "sop_data")
        untouched = {f: snapshot(work / f) for f in expect.get("untouched", [])}
        done = sop(work, *argv, limit=limit)
        for folder, files in untouched.items():
            assert snapshot(work / folder) == files, f"{folder} outside sop_data changed"
        stderr = done.stderr.decode("utf-8", "backslashreplace")
        stdout = done.stdout.decode("utf-8", "backslashreplace")
        assert snapshot(work / "sop_data") == data_before, "a refused command changed sop_data"
        if argv[0] == "build":
            old = {"lama.txt": OLD_OUTPUT, outdir.MARKER: OLD_MARKER}
            assert snapshot(out) == old, "the old output folder changed"
            left = sorted(
                p.name
                for p in (work / "out").iterdir()
                if p.name != ".pengisi" and not p.name.endswith(".lock")
            )
            assert left == ["out"], "a staging folder was left"
    if name in DISK_MODES:  # shown in the JUnit report: a real tmpfs or a simulation
        record_property("disk", DISK_MODES[name])
    _assert_outcome(name, case, done.returncode, stderr, stdout, work)
    if expect.get("exact", True):
        assert_matches_expected(
            f"{stderr}{stdout}[status {done.returncode}]\n",
            f"hardening/{name.replace('/', '-')}.txt",
        )


def _assert_outcome(
    name: str, case: dict[str, Any], status: int, stderr: str, stdout: str, work: Path
) -> None:
    expect = case["expect"]
    output = stderr + stdout
    assert status == expect["status"], output
    assert "Traceback" not in output
    assert not re.search(r"\b[A-Z][A-Za-z]*(Error|Exception)\b", output), output
    first = stderr.splitlines()[0] if stderr else ""
    assert re.match(expect["where"], first), f"{name}: first line {first!r}"
    assert expect["says"] in output, output
    for text in expect.get("absent", []):
        assert text not in output, f"{name}: {text!r} printed"
    if status:
        assert stdout == "", "a refused command printed a success message"
    assert not list(work.rglob("DIBUAT")), "code from the input ran"


def test_the_disk_cases_ran(work: Path) -> None:
    """The read-only and full disk cases really wrote to a read-only or full place."""
    folder = work / "cek"
    for mode in ("ro", "full"):
        with disk(folder, mode, f"cek-{mode}") as limit:
            done = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    f"f = open({str(folder / 'x')!r}, 'wb'); f.write(b'x' * 4096); f.close()",
                ],
                capture_output=True,
                check=False,
                preexec_fn=(  # noqa: PLW1509
                    (lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (1, 1))) if limit else None
                ),
            )
            assert done.returncode != 0, mode
            assert b"OSError" in done.stderr or b"PermissionError" in done.stderr


# --------------------------------------------------------------------------- hostile, valid text

HOSTILE = CASES_DIR / "teks-jahat" / "data"
HOSTILE_SLUG = "teks-jahat"
PAYLOAD = "__pwned"  # every script in the hostile data sets window.__pwned


def hostile_texts() -> list[str]:
    """Every text of the hostile data folder worth checking (markup, escapes, scripts...)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                found.append(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in (HOSTILE / "instansi.yaml", HOSTILE / "sop" / f"{HOSTILE_SLUG}.yaml"):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    special = re.compile(r"[<>{}\\&\"\[\]*`#|\u0590-\u06ff\u200b-\u200d\U0001F300-\U0001FAFF]")
    return [t for t in found if special.search(t) or len(t) > 60]


def squash(text: str) -> str:
    """Text without white space (renderers wrap lines) and upper-cased (some headings are)."""
    return re.sub(r"\s+", "", text).upper()


def is_rtl_or_emoji(text: str) -> bool:
    """Texts pdftotext cannot give back in order (RTL) or that no PDF font holds (emoji)."""
    return bool(re.search(r"[\u0590-\u06ff\U0001F300-\U0001FAFF]", text))


def without_format_chars(text: str) -> str:
    """The text as a PDF's text layer holds it: zero-width characters have no glyph."""
    return "".join(c for c in text if not 0x200B <= ord(c) <= 0x200D and c != "\ufe0f")


class _Markup(html.parser.HTMLParser):
    """Text, elements and attributes of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self._in_script = False
        self.script: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._in_script = tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.script if self._in_script else self.text).append(data)


def read_html(path: Path) -> _Markup:
    """The parsed document, after checking no element or attribute comes from SOP text."""
    doc = _Markup()
    doc.feed(path.read_text(encoding="utf-8"))
    for tag, attrs in doc.tags:
        assert tag not in ("iframe", "svg", "a") or not any(PAYLOAD in (v or "") for _, v in attrs)
        for name, value in attrs:
            assert PAYLOAD not in (value or ""), f"{path.name}: <{tag} {name}=...> from SOP text"
            assert not name.startswith("on") or PAYLOAD not in (value or "")
    assert not any(PAYLOAD in s for s in doc.script), f"{path.name}: SOP text inside a script"
    return doc


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`sop build` of the hostile data folder; the SOP's output folder."""
    work = tmp_path_factory.mktemp("teks-jahat")
    shutil.copytree(HOSTILE, work / "sop_data")
    shutil.copytree(TEMPLATES, work / "templates")
    done = sop(work, *full_argv(["build"]))
    assert done.returncode == 0, done.stderr.decode()
    assert b"Traceback" not in done.stderr
    return work / "out" / "out" / HOSTILE_SLUG


def _pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def _svg_text(path: Path) -> str:
    root = ElementTree.parse(path).getroot()  # well-formed XML: nothing broke out
    for element in root.iter():
        assert not element.tag.endswith("}script"), "a script element in the diagram"
        for key, value in element.attrib.items():  # a tooltip (xlink:title) is only text
            name = key.rpartition("}")[2]
            assert not (name in ("href", "src") or name.startswith("on")) or PAYLOAD not in value
    return "".join(t for e in root.iter() if e.tag.endswith("}text") for t in e.itertext())


def test_hostile_texts_print_literally_in_the_sheet(hostile_build: Path) -> None:
    sheet = squash("".join(read_html(hostile_build / "lembar-sop.html").text))
    # The letterhead of the forms, not the sheet.
    office_only = {"nama", "alamat", "tempat", "telepon", "email", "laman"}
    office = yaml.safe_load((HOSTILE / "instansi.yaml").read_text(encoding="utf-8"))
    skipped = {office[k] for k in office_only}
    # words longer than a line are hyphenated on the sheet: compare without hyphens
    sheet = sheet.replace("-", "")
    missing = [
        t for t in hostile_texts() if t not in skipped and squash(t).replace("-", "") not in sheet
    ]
    assert missing == []
    pdf = squash(_pdf_text(hostile_build / "lembar-sop.pdf")).replace("-", "")
    in_pdf = [t for t in hostile_texts() if t not in skipped and not is_rtl_or_emoji(t)]
    assert [t for t in in_pdf if squash(without_format_chars(t)).replace("-", "") not in pdf] == []


def test_hostile_texts_print_literally_in_the_forms(hostile_build: Path) -> None:
    forms = sorted((hostile_build / "formulir").glob("*.html"))
    assert forms
    text = squash("".join("".join(read_html(f).text) for f in forms))
    office = yaml.safe_load((HOSTILE / "instansi.yaml").read_text(encoding="utf-8"))
    sop_data = yaml.safe_load((HOSTILE / "sop" / f"{HOSTILE_SLUG}.yaml").read_text("utf-8"))
    letterhead = ("nama", "alamat", "tempat", "pemerintah", "telepon", "email", "laman")
    expected = [office[key] for key in letterhead]
    expected += [sop_data["nama"], sop_data["nomor"], sop_data["langkah"][0]["uraian"]]
    assert [t for t in expected if squash(t) not in text] == []
    pdf = squash(_pdf_text(hostile_build / "formulir.pdf"))
    assert [t for t in expected if squash(t) not in pdf] == []


def test_hostile_texts_print_literally_in_the_diagram(hostile_build: Path) -> None:
    sop_data = yaml.safe_load((HOSTILE / "sop" / f"{HOSTILE_SLUG}.yaml").read_text("utf-8"))
    expected = [*sop_data["pelaksana"].values(), sop_data["nomor"]]
    expected += [step["uraian"] for step in sop_data["langkah"]]
    decision = sop_data["langkah"][1]["keputusan"]
    expected += [decision["label_ya"], decision["label_tidak"]]
    # A long word may be hyphenated at a line end: hyphens are left out of the comparison.
    svg = squash(_svg_text(hostile_build / "diagram-alir.svg")).replace("-", "")
    assert [t for t in expected if squash(t).replace("-", "") not in svg] == []
    pdf = squash(_pdf_text(hostile_build / "diagram-alir.pdf")).replace("-", "")
    plain = [t for t in expected if not is_rtl_or_emoji(t)]
    unhyphened = [squash(without_format_chars(t)).replace("-", "") for t in plain]
    assert [t for t in unhyphened if t not in pdf] == []


def test_graphviz_escapes_stay_text_in_the_dot(hostile_build: Path) -> None:
    """\\N, \\G and \\l would print the node name, graph name or a line break."""
    svg = _svg_text(hostile_build / "diagram-alir.svg")
    assert "\\N" in svg and "\\G" in svg
    assert "{kiri|kanan}" in svg  # not split into record fields
    assert "HOSTILE" not in svg
