"""The swimlane diagram rendered by the real Graphviz: DOT text, SVG geometry, PNG, PDF."""

from __future__ import annotations

import re
import struct
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import pytest

from generator import tools
from generator.build import render_context
from generator.errors import ToolMissingError
from generator.flow import edges
from generator.loader import Project, load_project
from generator.render.common import DotJob
from generator.render.diagram import diagram_dot, dot_escape, outputs
from tests.conftest import TEMPLATES
from tests.expected import assert_matches_expected

SVG = "{http://www.w3.org/2000/svg}"
PROJECTS = ["seed_project", "sulteng_project", "besar_project"]


@dataclass(frozen=True)
class Shape:
    """A drawn element of the SVG: its id, classes, bounding box and texts."""

    id: str
    classes: tuple[str, ...]
    x0: float
    y0: float
    x1: float
    y1: float
    texts: tuple[str, ...]

    @property
    def cx(self) -> float:
        """Horizontal centre."""
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        """Vertical centre (SVG y grows downwards)."""
        return (self.y0 + self.y1) / 2


def _coords(el: ET.Element) -> list[tuple[float, float]]:
    text = el.get("points") or el.get("d") or ""
    nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", text)]
    return list(zip(nums[0::2], nums[1::2], strict=False))


def _shapes(svg: bytes) -> list[Shape]:
    root = ET.fromstring(svg)
    found = []
    for g in root.iter(f"{SVG}g"):
        classes = tuple((g.get("class") or "").split())
        if not classes or classes[0] not in ("node", "edge", "cluster"):
            continue
        pts = [
            p for el in g.iter() if el.tag in (f"{SVG}polygon", f"{SVG}path") for p in _coords(el)
        ]
        texts = tuple(t.text or "" for t in g.iter(f"{SVG}text"))
        xs, ys = [p[0] for p in pts] or [0.0], [p[1] for p in pts] or [0.0]
        found.append(Shape(g.get("id", ""), classes, min(xs), min(ys), max(xs), max(ys), texts))
    return found


def _render(project: Project, fmt: str) -> bytes:
    ctx = render_context(project, TEMPLATES)
    job = outputs(ctx, project.sops[0])[f"diagram-alir.{fmt}"]
    assert isinstance(job, DotJob)
    return tools.run_dot(job)


@pytest.fixture(scope="module", params=PROJECTS)
def rendered(request: pytest.FixtureRequest) -> tuple[Project, list[Shape]]:
    """Each fixture project with the shapes of its rendered SVG."""
    project = request.getfixturevalue(request.param)
    return project, _shapes(_render(project, "svg"))


def _of(shapes: list[Shape], cls: str) -> list[Shape]:
    return [s for s in shapes if cls in s.classes]


def test_outputs_are_three_graphviz_jobs_of_one_dot(seed_project):
    ctx = render_context(seed_project, TEMPLATES)
    out = outputs(ctx, seed_project.sops[0])
    assert sorted(out) == ["diagram-alir.pdf", "diagram-alir.png", "diagram-alir.svg"]
    assert {job.fmt for job in out.values()} == {"svg", "png", "pdf"}
    assert len({job.dot for job in out.values()}) == 1
    assert {job.engine for job in out.values()} == {"neato"}


def test_seed_dot_matches_expected(seed_project):
    ctx = render_context(seed_project, TEMPLATES)
    assert_matches_expected(diagram_dot(ctx, seed_project.sops[0]), "diagram/seed.dot")


def test_lane_headers_run_left_to_right_in_sop_order(rendered):
    project, shapes = rendered
    sop = project.sops[0]
    headers = sorted(_of(shapes, "lane-header"), key=lambda s: s.cx)
    assert [" ".join(h.texts) for h in headers] == [sop.lanes[i] for i in sop.lane_ids]
    bands = sorted(_of(shapes, "lane"), key=lambda s: s.cx)
    assert [b.id for b in bands] == [f"lane-{i}" for i in sop.lane_ids]
    assert len({round(b.x1 - b.x0, 1) for b in bands}) == 1  # equal width
    assert len({(round(b.y0, 1), round(b.y1, 1)) for b in bands}) == 1  # full height


def test_each_symbol_centre_lies_in_its_lane_band(rendered):
    project, shapes = rendered
    sop = project.sops[0]
    bands = {b.id.removeprefix("lane-"): b for b in _of(shapes, "lane")}
    steps = {s.id: s for s in _of(shapes, "step")}
    for step in sop.steps:
        for lane in step.actors:
            node = steps[f"s{step.number}_{lane}"]
            band = bands[lane]
            assert band.x0 < node.cx < band.x1 and band.y0 < node.cy < band.y1


def test_rows_go_top_to_bottom_in_step_order(rendered):
    project, shapes = rendered
    sop = project.sops[0]
    steps = {s.id: s for s in _of(shapes, "step")}
    rows = [[steps[f"s{st.number}_{a}"] for a in st.actors] for st in sop.steps]
    for upper, lower in zip(rows, rows[1:], strict=False):
        assert max(n.y1 for n in upper) < min(n.y0 for n in lower)
    header_bottom = max(h.y1 for h in _of(shapes, "lane-header"))
    assert header_bottom < min(n.y0 for n in rows[0])


def test_no_two_symbols_overlap(rendered):
    _, shapes = rendered
    for a, b in combinations(_of(shapes, "step"), 2):
        assert a.x1 <= b.x0 or b.x1 <= a.x0 or a.y1 <= b.y0 or b.y1 <= a.y0, (a.id, b.id)


def test_edges_are_the_flow_joint_links_apart(rendered):
    project, shapes = rendered
    sop = project.sops[0]
    flow = _of(shapes, "flow")
    assert len(flow) == len(edges(sop))
    assert {s.id for s in flow} == {f"flow-{e.source}-{e.target}-{e.kind}" for e in edges(sop)}
    assert {s.id for s in _of(shapes, "back")} == {
        f"flow-{e.source}-{e.target}-{e.kind}" for e in edges(sop) if e.is_back
    }
    joint = _of(shapes, "joint")
    assert len(joint) == sum(len(s.actors) - 1 for s in sop.steps)
    labels = sorted(" ".join(s.texts) for s in _of(shapes, "flow-label"))
    expected = sorted(e.label for e in edges(sop) if e.label)
    assert labels == expected


def test_title_names_the_sop_its_number_and_office(rendered):
    project, shapes = rendered
    sop = project.sops[0]
    title = " ".join(next(s for s in shapes if s.id == "title").texts)
    subtitle = " ".join(next(s for s in shapes if s.id == "subtitle").texts)
    assert title == sop.name.upper()
    assert sop.number in subtitle and project.office.name_on_sheet in subtitle


def test_seed_symbols_and_edge_styles(seed_project):
    svg = _render(seed_project, "svg").decode()
    root = ET.fromstring(svg)
    by_id = {g.get("id"): g for g in root.iter(f"{SVG}g")}
    diamond = next(by_id["s6_sekcam"].iter(f"{SVG}polygon"))
    assert len(_coords(diamond)) == 5  # four vertices, closed
    assert "outline-s1_camat" in by_id and "outline-s9_staf" in by_id  # capsules
    back = next(by_id["flow-6-5-no"].iter(f"{SVG}path"))
    assert back.get("stroke-dasharray") and back.get("stroke") == "#b03a2e"
    forward = next(by_id["flow-6-7-yes"].iter(f"{SVG}path"))
    assert forward.get("stroke-dasharray") is None and forward.get("stroke") == "#1f2933"


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ('kutip "x"', 'kutip \\"x\\"'),
        ("\\N \\G \\l \\", "\\\\N \\\\G \\\\l \\\\"),
        ("{a|b} <b>", "{a|b} <b>"),
        ("&lt; &amp;", "&amp;lt; &amp;amp;"),
        ("baris\nbaru\tx\x07", "baris\\nbaru x"),
    ],
)
def test_dot_escape(text, escaped):
    assert dot_escape(text) == escaped


HOSTILE = [
    'Memeriksa "surat" \\N \\G \\l \\E \\T \\H \\L {kurung|pipa} <b>tebal</b> &lt; &amp; "}',
    "Menulis " + "Panjangsekalitanpaspasi" * 6 + " selesai\\",
    'x"]; evil [label="y',
]


@pytest.fixture(scope="module")
def hostile_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The seed with step texts and a lane label that try to break the DOT."""
    import shutil

    from tests.conftest import SEED_DATA

    target = tmp_path_factory.mktemp("hostile") / "sop_data"
    shutil.copytree(SEED_DATA, target, ignore=shutil.ignore_patterns("checklist"))
    path = next((target / "sop").glob("*.yaml"))
    text = path.read_text(encoding="utf-8")
    for i, bad in enumerate(HOSTILE):
        quoted = "'" + bad.replace("'", "''") + "'"
        old = re.findall(r"^  - uraian: .*$", text, flags=re.M)[i + 2]
        text = text.replace(old, f"  - uraian: {quoted}", 1)
    text = text.replace("  staf: Staf\n", "  staf: 'Staf \"<i>\" \\N & {x}'\n")
    path.write_text(text, encoding="utf-8")
    return load_project(target)


def test_hostile_labels_print_literally(hostile_project):
    sop = hostile_project.sops[0]
    shapes = _shapes(_render(hostile_project, "svg"))
    steps = {s.id: s for s in _of(shapes, "step")}
    for i, bad in enumerate(HOSTILE):
        number = i + 3
        lane = sop.step(number).actors[0]
        drawn = "".join(steps[f"s{number}_{lane}"].texts).replace(" ", "")
        assert drawn == f"{number}.{bad}".replace(" ", "")
    headers = {h.id: " ".join(h.texts) for h in _of(shapes, "lane-header")}
    assert headers["lane-header-staf"] == 'Staf "<i>" \\N & {x}'
    assert len(_of(shapes, "step")) == sum(len(s.actors) for s in sop.steps)  # no extra nodes
    for fmt in ("png", "pdf"):
        assert _render(hostile_project, fmt)[:4] in (b"\x89PNG", b"%PDF")


def test_png_is_readable_on_slides(seed_project):
    png = _render(seed_project, "png")
    width, height = struct.unpack(">II", png[16:24])
    svg = ET.fromstring(_render(seed_project, "svg"))
    svg_w = float(svg.get("width").removesuffix("pt"))
    svg_h = float(svg.get("height").removesuffix("pt"))
    assert width == pytest.approx(svg_w * tools.PNG_DPI / 72, abs=3)
    assert height == pytest.approx(svg_h * tools.PNG_DPI / 72, abs=3)


@pytest.mark.parametrize("project_name", PROJECTS)
def test_pdf_fits_on_a4(project_name, request, tmp_path: Path):
    project = request.getfixturevalue(project_name)
    pdf = tmp_path / "d.pdf"
    pdf.write_bytes(_render(project, "pdf"))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info.stdout).groups())
    assert pages == 1
    assert w <= 595.3 and h <= 841.9
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert project.sops[0].number in text


def test_missing_graphviz_names_the_package(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ToolMissingError) as caught:
        tools.run_dot(DotJob("digraph { a }", "svg", "neato"))
    assert str(caught.value) == (
        "program 'neato' tidak ditemukan; pasang paket Debian 'graphviz' "
        "(sebagai root: apt-get install graphviz)"
    )
