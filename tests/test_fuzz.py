"""Fuzzing the loader, and building every artifact of generated SOPs.

The fuzz target is `loader.load_project` on a data folder whose SOP file is (a) random bytes,
(b) the seed SOP with random byte-level mutations (insert, delete, replace, duplicate a
slice), or (c) the seed with random YAML-significant characters spliced into its lines. The
only acceptable outcomes are success or a `UserError` whose every problem about that file has
a line and a column; any other exception, or a refusal without a location, is a bug. The
budget is a fixed number of examples (FUZZ_EXAMPLES: 300 per strategy, 900 in all; CI may
raise it with SOP_FUZZ_EXAMPLES) with no deadline, and each load must finish within MAX_SECONDS.

The build property: every generated valid SOP (the strategy of tests/test_properties.py)
builds all artifacts (sheet HTML/PDF, diagram SVG/PNG/PDF, forms) with the real tools.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import build
from generator.errors import UserError
from generator.loader import list_form_types, load_project
from tests.conftest import SEED_DATA, TEMPLATES
from tests.test_properties import dump, valid_sops, without_marker

FUZZ_EXAMPLES = int(os.environ.get("SOP_FUZZ_EXAMPLES", "300"))
MAX_SECONDS = 5.0
SEED_SOP = (SEED_DATA / "sop" / "evaluasi-kinerja-kecamatan.yaml").read_bytes()
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    database=None,  # a fixed budget, the same in every run
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Characters that mean something to YAML, Jinja, Markdown, HTML or Graphviz, and
# Unicode that has bitten loaders: BOM, NEL, line separator, zero-width, bidi, surrogates'
# neighbours, full-width digits, combining marks.
SPICE = list(":-?[]{},&*!|>'\"%@`#\t\r\n\\<>=~") + [
    "\ufeff",
    "\x85",
    "\u2028",
    "\u200b",
    "\u202e",
    "\ud7ff",
    "\ue000",
    "\uff11",
    "\u0301",
    "\x00",
    "\x7f",
    "{{ x }}",
    "{% if %}",
    "<script>",
    "&a",
    "*a",
    "!!python/object:os.system",
    "\u0661",
    "yes",
    "0x1F",
    "1e3",
    ".inf",
    "2024-02-30",
    "~",
    "- ",
    ": ",
    "? ",
]


def _load(sop_bytes: bytes) -> None:
    """The fuzz target: load a folder with this SOP file; assert a clean outcome."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copyfile(SEED_DATA / "instansi.yaml", folder / "instansi.yaml")
        (folder / "sop").mkdir()
        path = folder / "sop" / "uji.yaml"
        path.write_bytes(sop_bytes)
        started = time.perf_counter()
        try:
            load_project(folder, TEMPLATES)
        except UserError as exc:
            assert exc.problems
            for problem in exc.problems:
                assert problem.message
                if problem.path == str(path):
                    assert problem.line > 0 and problem.column > 0, problem
                assert "Traceback" not in problem.format()
        assert time.perf_counter() - started < MAX_SECONDS


@st.composite
def mutated_bytes(draw: st.DrawFn) -> bytes:
    """The seed SOP with a few random byte-level edits."""
    data = bytearray(SEED_SOP)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "duplicate"]))
        if kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif kind == "replace" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        else:
            piece = data[at : at + draw(st.integers(1, 200))]
            data[at:at] = piece
    return bytes(data)


@st.composite
def spiced_yaml(draw: st.DrawFn) -> bytes:
    """The seed SOP with YAML-significant text spliced into random lines."""
    lines = SEED_SOP.decode("utf-8").split("\n")
    for _ in range(draw(st.integers(1, 5))):
        i = draw(st.integers(0, len(lines) - 1))
        col = draw(st.integers(0, len(lines[i])))
        spice = draw(st.sampled_from(SPICE))
        lines[i] = lines[i][:col] + spice + lines[i][col:]
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-16", "latin-1"]))
    return "\n".join(lines).encode(encoding, errors="replace")


@FUZZ
@given(st.binary(max_size=4000))
def test_fuzz_random_bytes(raw: bytes) -> None:
    _load(raw)


@FUZZ
@given(mutated_bytes())
def test_fuzz_mutated_seed_bytes(raw: bytes) -> None:
    _load(raw)


@FUZZ
@given(spiced_yaml())
def test_fuzz_spliced_yaml(raw: bytes) -> None:
    _load(raw)


def test_fuzz_budget_is_fixed() -> None:
    assert FUZZ_EXAMPLES >= 300 or "SOP_FUZZ_EXAMPLES" in os.environ


BUILD_ARTIFACTS = {
    "lembar-sop.html",
    "lembar-sop.pdf",
    "diagram-alir.svg",
    "diagram-alir.png",
    "diagram-alir.pdf",
    "formulir.pdf",
    "formulir/01-undangan.html",
}


@settings(
    max_examples=int(os.environ.get("SOP_BUILD_EXAMPLES", "6")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(valid_sops(), st.data())
def test_every_generated_valid_sop_builds_all_artifacts(
    data: dict[str, Any], draws: st.DataObject
) -> None:
    forms = list_form_types(TEMPLATES)
    data["langkah"][0]["formulir"] = "undangan"  # the first step always has a form
    for step in data["langkah"][1:]:
        step["formulir"] = draws.draw(st.sampled_from(["", *forms]))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "sop_data"
        (folder / "sop").mkdir(parents=True)
        shutil.copyfile(SEED_DATA / "instansi.yaml", folder / "instansi.yaml")
        (folder / "sop" / "uji.yaml").write_text(dump(without_marker(data)), encoding="utf-8")
        result = build.build(folder, Path(tmp) / "out", TEMPLATES, Path(tmp) / "cache")
        names = {name.split("/", 1)[1] for name in result.files}
        assert names >= BUILD_ARTIFACTS, sorted(BUILD_ARTIFACTS - names)
        for name, content in result.files.items():
            assert content, f"{name} is empty"
            if name.endswith(".pdf"):
                assert content.startswith(b"%PDF-")
            if name.endswith(".svg"):
                assert b"<svg" in content
        written = sorted(p.name for p in (Path(tmp) / "out" / "uji").iterdir())
        assert "lembar-sop.pdf" in written


LOOPS = Path(__file__).resolve().parent / "hardening" / "banyak-putaran"


def test_the_sop_the_build_property_found_builds(tmp_path: Path) -> None:
    """A valid SOP found by the property above: five steps go back to step 1 or 5.

    Its sheet layout raised RuntimeError("no route for arrow 5->1 on the sheet") in
    generator/layout/sheet/; a valid SOP must build, or be refused with a location.
    """
    folder = tmp_path / "sop_data"
    shutil.copytree(LOOPS, folder)
    shutil.copyfile(SEED_DATA / "instansi.yaml", folder / "instansi.yaml")
    result = build.build(folder, tmp_path / "out", TEMPLATES, tmp_path / "cache")
    assert "banyak-putaran/lembar-sop.pdf" in result.files
