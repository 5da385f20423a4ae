"""The swimlane diagram rendered by the real Graphviz: DOT text, SVG geometry, PNG, PDF."""

from __future__ import annotations

import re
import struct
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from itertools import combinations
from pathlib import Path

import pytest

from generator import tools
from generator.build import render_context
from generator.errors import ToolMissingError
from generator.flow import edges
from generator.layout.diagram import END_TEXT, layout_diagram
from generator.layout.geometry import segment_inside
from generator.loader import Project, load_project
from generator.render.common import DotJob, SvgPagesPdfJob
from generator.render.diagram import (
    A4_PT,
    EDGE,
    PNG_DPI,
    diagram_dot,
    dot_escape,
    oriented,
    outputs,
    paper_pt,
    pdf_pages,
    raster_viewport,
)
from tests import decisions
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
    return tools.run_job(outputs(ctx, project.sops[0])[f"diagram-alir.{fmt}"])


@pytest.fixture(scope="module", params=PROJECTS)
def rendered(request: pytest.FixtureRequest) -> tuple[Project, list[Shape]]:
    """Each fixture project with the shapes of its rendered SVG."""
    project = request.getfixturevalue(request.param)
    return project, _shapes(_render(project, "svg"))


def _of(shapes: list[Shape], cls: str) -> list[Shape]:
    return [s for s in shapes if cls in s.classes]


def test_outputs_are_svg_png_and_a_pdf_of_the_same_svg(seed_project):
    ctx = render_context(seed_project, TEMPLATES)
    out = outputs(ctx, seed_project.sops[0])
    assert sorted(out) == ["diagram-alir.pdf", "diagram-alir.png", "diagram-alir.svg"]
    svg, png, pdf = out["diagram-alir.svg"], out["diagram-alir.png"], out["diagram-alir.pdf"]
    assert isinstance(svg, DotJob) and isinstance(png, DotJob)
    assert (svg.fmt, png.fmt, svg.engine, png.engine) == ("svg", "png", "neato", "neato")
    layout = layout_diagram(seed_project.sops[0], seed_project.office.name_on_sheet)
    raster = f'dpi="{PNG_DPI}", viewport="{raster_viewport(layout, PNG_DPI)}"'
    assert png.dot == svg.dot.replace('sans-serif"];', f'sans-serif", {raster}];', 1)
    assert isinstance(pdf, SvgPagesPdfJob) and pdf.svg == svg


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
    assert {s.id for s in flow} == {f"flow-{e.ident}" for e in edges(sop)}
    assert {s.id for s in _of(shapes, "back")} == {
        f"flow-{e.ident}" for e in edges(sop) if e.is_back
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
    decision = next(by_id["s6_sekcam"].iter(f"{SVG}polygon"))
    assert len(_coords(decision)) == 7  # a hexagon: six vertices, closed
    assert "outline-s1_camat" in by_id and "outline-s9_staf" in by_id  # capsules
    back = next(by_id["flow-6-5-exit1"].iter(f"{SVG}path"))
    assert back.get("stroke-dasharray") and back.get("stroke") == "#b03a2e"
    forward = next(by_id["flow-6-7-exit0"].iter(f"{SVG}path"))
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
        lines = steps[f"s{number}_{lane}"].texts
        drawn = "".join(line[:-1] if line.endswith("-") else line for line in lines)
        assert drawn.replace(" ", "") == f"{number}.{bad}".replace(" ", "")
    headers = {h.id: " ".join(h.texts) for h in _of(shapes, "lane-header")}
    assert headers["lane-header-staf"] == 'Staf "<i>" \\N & {x}'
    assert len(_of(shapes, "step")) == sum(len(s.actors) for s in sop.steps)  # no extra nodes
    for fmt in ("png", "pdf"):
        assert _render(hostile_project, fmt)[:4] in (b"\x89PNG", b"%PDF")


@pytest.mark.parametrize("name", PROJECTS)
def test_png_is_opaque_at_the_size_the_site_draws_the_svg(request, name):
    project = request.getfixturevalue(name)
    png = _render(project, "png")
    width, height, depth, colour = struct.unpack(">IIBB", png[16:26])
    svg = ET.fromstring(_render(project, "svg"))
    svg_w = float(svg.get("width").removesuffix("pt"))
    svg_h = float(svg.get("height").removesuffix("pt"))
    assert PNG_DPI == 96  # a browser's CSS pixels per inch: 9 pt text is 12 px
    assert width == pytest.approx(svg_w * PNG_DPI / 72, abs=3)
    assert height == pytest.approx(svg_h * PNG_DPI / 72, abs=3)
    # exactly the viewport's whole pixels
    layout = layout_diagram(project.sops[0], project.office.name_on_sheet)
    viewport_w, viewport_h, _ = map(float, raster_viewport(layout, PNG_DPI).split(","))
    assert (width, height) == (round(viewport_w * 96 / 72), round(viewport_h * 96 / 72))
    assert viewport_w * 96 / 72 == pytest.approx(round(viewport_w * 96 / 72), abs=1e-6)
    # colour type 2 is RGB: no pixel, not even the last row or column, is see-through
    assert (depth, colour) == (8, 2)


def _pdf_pages_text(pdf: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    count = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    return [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in range(1, count + 1)
    ]


def _page_sizes(pdf: Path) -> set[tuple[float, float]]:
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "99", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)
    return {(round(float(w)), round(float(h))) for w, h in sizes}


def _word_heights(pdf: Path) -> list[float]:
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    found = re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', html)
    return [float(y1) - float(y0) for y0, y1 in found]


@pytest.fixture(scope="module", params=PROJECTS)
def printed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Each fixture project with its diagram PDF written to a file."""
    project = request.getfixturevalue(request.param)
    pdf = tmp_path_factory.mktemp("pdf") / "diagram-alir.pdf"
    pdf.write_bytes(_render(project, "pdf"))
    return request.param, project, pdf


def test_pdf_pages_are_the_offices_paper_with_lane_headers_and_whole_steps(printed):
    name, project, pdf = printed
    sop = project.sops[0]
    pages = _pdf_pages_text(pdf)
    paper = {"F4": (609, 935), "A4": (595, 842)}[project.office.paper]  # 215 x 330 mm, A4
    assert _page_sizes(pdf) == {paper}
    assert len(pages) == {"seed_project": 1, "sulteng_project": 1, "besar_project": 3}[name]
    assert sop.name.upper() in pages[0] and sop.number in pages[0]
    where: dict[int, set[int]] = {}
    for i, text in enumerate(pages, start=1):
        assert f"Halaman {i} dari {len(pages)}" in text
        flat = " ".join(text.split())
        for lane in sop.lane_ids:
            assert " ".join(sop.lanes[lane].split()) in flat, (i, lane)
        for number in re.findall(r"^(\d+)\.(?:\s|$)", text, flags=re.M):
            where.setdefault(int(number), set()).add(i)
    assert sorted(where) == [s.number for s in sop.steps]
    assert all(len(on) == 1 for on in where.values()), where
    page_of = [min(where[s.number]) for s in sop.steps]
    assert page_of == sorted(page_of)  # in step order


def test_pdf_text_is_readable_when_printed(printed):
    name, _, pdf = printed
    heights = _word_heights(pdf)
    assert heights
    assert min(heights) >= (7.0 if name == "besar_project" else 6.5)


def test_long_diagram_is_cut_between_rows_at_one_scale(besar_project):
    layout = layout_diagram(besar_project.sops[0], besar_project.office.name_on_sheet)
    pages = pdf_pages(layout)
    assert len(pages) == 3
    assert pages[0].strip is None and all(p.strip is not None for p in pages[1:])
    assert [p.more for p in pages] == [True, True, False]
    assert pages[0].body.top == -EDGE and pages[-1].body.bottom == layout.height + EDGE
    for upper, lower in zip(pages, pages[1:], strict=False):
        assert upper.body.bottom == lower.body.top
    scales = {p.body.scale for p in pages}
    assert len(scales) == 1 and 0.8 < scales.pop() <= 1.0
    for node in layout.nodes:  # every symbol whole on exactly one page
        inside = [p for p in pages if p.body.top < node.y and node.y + node.h < p.body.bottom]
        assert len(inside) == 1, node.key
    usable = A4_PT[1] - 34 - 40
    for page in pages:
        strip = page.strip.bottom - page.strip.top if page.strip else 0.0
        assert (page.body.bottom - page.body.top + strip) * page.body.scale < usable
    tallest = max(n.h for n in layout.nodes) + 32 + 14
    for page in pages[:-1]:  # filled: the next row would not have fitted
        strip = page.strip.bottom - page.strip.top if page.strip else 0.0
        assert (page.body.bottom - page.body.top + strip + tallest) * page.body.scale > usable


def test_short_diagram_stays_one_page_never_enlarged(seed_project):
    layout = layout_diagram(seed_project.sops[0], seed_project.office.name_on_sheet)
    short = replace(layout, nodes=layout.nodes[:3], height=300.0)
    (page,) = pdf_pages(short)
    assert page.strip is None and not page.more
    assert page.body.scale == pytest.approx((A4_PT[0] - 56) / (layout.width + 2 * EDGE))
    (narrow,) = pdf_pages(replace(short, width=300.0))
    assert narrow.body.scale == 1.0


def test_pdf_cache_key_follows_the_dot_and_the_html(seed_project):
    ctx = render_context(seed_project, TEMPLATES)
    job = outputs(ctx, seed_project.sops[0])["diagram-alir.pdf"]
    key = tools.job_key_parts(job)
    assert key == tools.job_key_parts(replace(job))
    changed_dot = replace(job, svg=replace(job.svg, dot=job.svg.dot.replace("Camat", "Lurah")))
    assert tools.job_key_parts(changed_dot) != key
    assert tools.job_key_parts(replace(job, html=job.html + " ")) != key


def test_svg_slots_take_the_drawing_and_only_the_text_in_range():
    svg = tools.run_dot(
        DotJob(
            'digraph { a [pos="0,100", label="atas"]; b [pos="0,0", label="bawah"]; }',
            "svg",
            "neato",
        )
    )
    whole = tools.fill_svg_slots("<div><!--sop:svg--></div>", svg)
    assert "<?xml" not in whole and "DOCTYPE" not in whole and "<svg" not in whole
    assert ">atas</text>" in whole and ">bawah</text>" in whole
    root = ET.fromstring(svg)
    top_half = float(root.get("viewBox").split()[3]) / 2
    upper = tools.fill_svg_slots(f"<!--sop:svg 0 {top_half}-->", svg)
    assert ">atas</text>" in upper and ">bawah</text>" not in upper
    assert "<title>a</title>" in upper and "<title>b</title>" not in upper  # b's shape too
    assert upper.count("<ellipse") == whole.count("<ellipse") - 1 == 1
    assert ET.fromstring(f'<svg xmlns="http://www.w3.org/2000/svg">{upper}</svg>') is not None


def test_missing_graphviz_names_the_package(monkeypatch, tmp_path: Path):
    """The diagram runs `dot -Kneato -n2`: a machine without Graphviz is told its package."""
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ToolMissingError) as caught:
        tools.run_dot(DotJob("digraph { a }", "svg", "neato"))
    assert str(caught.value) == (
        "program 'dot' tidak ditemukan; pasang paket Debian 'graphviz' "
        "(sebagai root: apt-get install graphviz)"
    )


# --------------------------------------------------------------------------- decision family

DECISION_LANES = [
    "pemohon",
    "lurah",
    "kecamatan",
    "[pemohon, lurah]",
    "[pemohon, lurah, kecamatan]",
]


def _inside_drawing(layout, x: float, y: float) -> bool:
    return -0.01 <= x <= layout.width + 0.01 and -0.01 <= y <= layout.height + 0.01


def _assert_drawn_apart(layout) -> None:
    """No arrow through a symbol other than its ends; arrows and labels in the drawing;
    no exit label on another label or on a symbol other than its diamond."""
    for r in layout.routes:
        for a, b in zip(r.points, r.points[1:], strict=False):
            assert _inside_drawing(layout, *a) and _inside_drawing(layout, *b), r.edge
            for n in layout.nodes:
                if n.key not in (r.source, r.target):
                    assert not segment_inside(n.box.grow(-0.5), a, b), (r.edge, n.key)
    for r in layout.routes:
        for n in layout.nodes:
            lb = r.label
            if lb is not None and n.key != r.source:  # a label may touch its own diamond
                apart = abs(lb.cx - n.cx) * 2 >= lb.w + n.w or abs(lb.cy - n.cy) * 2 >= lb.h + n.h
                assert apart, (lb.text, n.key)
    labels = [r.label for r in layout.routes if r.label is not None]
    for lb in labels:
        assert lb.w / 2 <= lb.cx <= layout.width - lb.w / 2, lb.text
        assert lb.h / 2 <= lb.cy <= layout.height - lb.h / 2, lb.text
    for a, b in combinations(labels, 2):
        assert abs(a.cx - b.cx) * 2 >= a.w + b.w or abs(a.cy - b.cy) * 2 >= a.h + b.h, (a, b)


@pytest.mark.parametrize("lane", DECISION_LANES)
@pytest.mark.parametrize(
    ("targets", "at"), decisions.family(), ids=[decisions.case_id(*c) for c in decisions.family()]
)
def test_every_mix_of_exits_and_selesai_is_drawn(tmp_path: Path, targets, at, lane):
    project = decisions.project(tmp_path, targets, at, lane)
    sop = project.sops[0]
    layout = layout_diagram(sop, project.office.name)
    _assert_drawn_apart(layout)
    exits = sop.step(at).decision.exits
    capsules = {n.key for n in layout.nodes if n.is_end_capsule}
    assert capsules == {f"e{at}_{i}" for i, t in enumerate(targets) if t == "selesai"}
    routed = {r.edge for r in layout.routes}
    assert routed == set(edges(sop))
    shapes = _shapes(_render(project, "svg"))
    labels = {s.id: " ".join(s.texts) for s in _of(shapes, "flow-label")}
    ends = {s.id: s for s in _of(shapes, "end-exit")}
    for i, x in enumerate(exits):
        ident = next(e.ident for e in edges(sop) if e.source == at and e.index == i)
        assert labels[f"label-{ident}"] == x.label
        if x.target is None:
            assert ends[f"e{at}_{i}"].texts == (END_TEXT,)
    assert len(ends) == sum(t == "selesai" for t in targets)


def test_wide_diagram_prints_landscape_on_the_offices_paper(tmp_path: Path):
    """A 9-lane SOP of an F4 office: F4 landscape, its text no smaller than on a one-page
    portrait diagram; a narrow one stays portrait."""
    project = load_project(Path(__file__).parents[1] / "fixtures/real-sops/dpmptsp-wajo")
    ctx = render_context(project, TEMPLATES)
    sop = project.sops[0]
    layout = layout_diagram(sop, project.office.name_on_sheet)
    assert project.office.paper == "F4" and len(sop.lane_ids) == 9
    paper = oriented(layout, paper_pt(ctx.paper_mm))
    assert paper == pytest.approx((330 * 72 / 25.4, 215 * 72 / 25.4))
    assert all(p.body.scale >= 0.75 for p in pdf_pages(layout, paper))
    pdf = tmp_path / "diagram-alir.pdf"
    pdf.write_bytes(tools.run_job(outputs(ctx, sop)["diagram-alir.pdf"]))
    assert _page_sizes(pdf) == {(935, 609)}
    seed = load_project(Path(__file__).parents[2] / "sop_data")
    narrow = layout_diagram(seed.sops[0], seed.office.name_on_sheet)
    assert oriented(narrow, paper) == pytest.approx((215 * 72 / 25.4, 330 * 72 / 25.4))


def test_svg_text_names_liberation_sans_in_valid_css(seed_project):
    """A browser reads each text's font-family as a CSS list: it must stay valid (an item
    like 'sans-serif Bold' voids it, and the text falls back to a serif font)."""
    root = ET.fromstring(_render(seed_project, "svg"))
    families = {t.get("font-family") for t in root.iter(f"{SVG}text")}
    assert families
    for family in families:
        items = [item.strip() for item in family.split(",")]
        assert items[0] == "Liberation Sans" and "sans-serif" in items, family
        assert all(i == "sans-serif" or "sans-serif" not in i for i in items), family
        assert "Bold" not in family, family  # bold is a weight in CSS, not a family


def test_svg_draws_title_headers_and_labels_bold(seed_project):
    """The title, the lane headers and the exit labels are bold in the SVG (font-weight: the
    browser and WeasyPrint draw what the layout measured), the step texts regular."""
    root = ET.fromstring(_render(seed_project, "svg"))
    weight = {t.text: t.get("font-weight") for t in root.iter(f"{SVG}text")}
    for text in ("EVALUASI KINERJA KECAMATAN", "Camat", "Sekretaris Camat", "Ya", "Tidak"):
        assert weight[text] == "bold", text
    assert weight["1. Memerintahkan"] is None
