"""What `tools.run_pdf` does for WeasyPrint's speed: the two rewrites of a job's HTML
(`tools.shared_styles`, `tools.svg_images`), exact output on small inputs, refusals, and the
same pages, pixel for pixel, on the real documents (real WeasyPrint, real `pdftoppm`); one
font configuration shared by a build's PDFs (`tools.share_fonts`): the same bytes, no fonts
carried from one document to the next; the lean user-agent stylesheet
(`tools.lean_html_class`): the same bytes, and WeasyPrint's own sheet wherever a document can
have the pseudo-elements it leaves out."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest
import weasyprint
import weasyprint.html
from weasyprint.text.fonts import FontConfiguration

from generator import build, tools
from generator.render import diagram, forms, sheet
from generator.render.common import PdfJob, SvgPagesPdfJob

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

DOC = (
    "<html><head><style>.c { height: 1mm; }</style></head><body>"
    '<div class="c" style="height:4mm">a</div>'
    '<div style="height:4mm">b</div>'
    '<td class="x y" style="width: 3mm; left: 1mm">c</td>'
    '<col style="width: 3mm; left: 1mm" />'
    '<a style="color: red" title="x > y" href=/d/>e</a>'
    '<svg viewBox="0 0 1 1"><rect style="fill:red"/></svg>'
    '<p style="font-family: &quot;Arial&quot;">d</p>'
    "</body></html>"
)


def test_shared_styles_moves_each_distinct_inline_style_into_one_class() -> None:
    assert tools.shared_styles(DOC) == (
        "<html><head><style>.c { height: 1mm; }</style><style>\n"
        ".sop-gaya-0 { height:4mm !important; }\n"
        ".sop-gaya-1 { width: 3mm !important; left: 1mm !important; }\n"
        ".sop-gaya-2 { color: red !important; }\n"
        "</style>\n</head><body>"
        '<div class="c sop-gaya-0">a</div>'
        '<div class="sop-gaya-0">b</div>'
        '<td class="x y sop-gaya-1">c</td>'
        '<col class="sop-gaya-1" />'
        '<a title="x > y" href=/d/ class="sop-gaya-2">e</a>'
        '<svg viewBox="0 0 1 1"><rect style="fill:red"/></svg>'
        '<p style="font-family: &quot;Arial&quot;">d</p>'
        "</body></html>"
    )


@pytest.mark.parametrize(
    "html",
    [
        DOC.replace("height: 1mm", "height: 1mm !important"),  # the cascade would change
        DOC.replace("height: 1mm", "height: 1mm ! IMPORTANT"),
        DOC.replace("</head>", '<link rel="stylesheet" href="x.css"></head>'),
        DOC.replace("</head>", ""),  # nowhere to put the rules
        DOC.replace('class="c"', 'class="sop-gaya-9"'),  # a class of the same name
        "<html><head></head><div class='a' style=\"height:1mm\">x</div></html>",
        "<html><head></head><p>no inline style</p></html>",
    ],
)
def test_shared_styles_leaves_what_it_cannot_rewrite_safely(html: str) -> None:
    assert tools.shared_styles(html) == html


def test_svg_images_gives_each_svg_element_as_an_image_of_itself() -> None:
    svg = (
        '<svg class="lajur" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 5" '
        'width="10pt" height="5pt"><text x="1" y="4">Camat</text></svg>'
    )
    html = tools.svg_images(f"<section>{svg}</section>")
    prefix = '<section><img class="lajur" alt="" style="width: 10pt; height: 5pt" src="'
    assert html.startswith(prefix) and html.endswith('"></section>')
    url = html[len(prefix) : -len('"></section>')]
    assert url.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(url.split(",", 1)[1]).decode() == svg


def test_svg_images_keeps_the_elements_id_and_style_and_sizes_in_css_units() -> None:
    svg = (
        '<svg id="g1" style="vertical-align: middle" xmlns="http://www.w3.org/2000/svg" '
        'width="120" height="5mm"><rect width="1" height="1"/></svg>'
    )
    html = tools.svg_images(svg)
    assert html.startswith(
        '<img id="g1" alt="" style="width: 120px; height: 5mm; vertical-align: middle" src="'
    )


@pytest.mark.parametrize(
    "svg",
    [
        '<svg xmlns="http://www.w3.org/2000/svg"><text>a</svg>',  # not well-formed
        '<svg viewBox="0 0 1 1"><rect/></svg>',  # no SVG namespace
        '<svg xmlns="http://www.w3.org/2000/svg"><image href="logo.png"/></svg>',  # a file
    ],
)
def test_svg_images_leaves_inline_what_would_be_a_broken_image(svg: str) -> None:
    """WeasyPrint draws a broken image as nothing; inline, it draws what it can as before."""
    assert tools.svg_images(f"<p>{svg}</p>") == f"<p>{svg}</p>"


def rasters(html: str, tmp_path: Path, name: str) -> list[bytes]:
    """Every page of the HTML's PDF (WeasyPrint as is) as PPM bytes at 60 dpi."""
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(weasyprint.HTML(string=html, base_url=".").write_pdf())
    subprocess.run(["pdftoppm", "-r", "60", str(pdf), str(tmp_path / name)], check=True)
    return [p.read_bytes() for p in sorted(tmp_path.glob(f"{name}-*.ppm"))]


def documents(project) -> dict[str, str]:
    """The seed's first SOP's WeasyPrint inputs by file name, the diagram's with its SVG."""
    ctx = build.render_context(project, TEMPLATES)
    sop = project.sops[0]
    out = {**sheet.outputs(ctx, sop), **diagram.outputs(ctx, sop), **forms.outputs(ctx, sop)}
    html = {name: job.html for name, job in out.items() if isinstance(job, PdfJob)}
    job = out["diagram-alir.pdf"]
    assert isinstance(job, SvgPagesPdfJob)
    html["diagram-alir.pdf"] = tools.fill_svg_slots(job.html, tools.run_dot(job.svg))
    return html


@pytest.mark.parametrize(
    "name",
    [
        "lembar-sop.pdf",
        "formulir.pdf",
        "monitoring.pdf",
        "evaluasi.pdf",
        "daftar-periksa.pdf",
        "diagram-alir.pdf",
    ],
)
def test_rewritten_html_draws_the_same_pages(seed_project, tmp_path: Path, name: str) -> None:
    html = documents(seed_project)[name]
    rewritten = tools.shared_styles(tools.svg_images(html))
    assert rewritten != html  # each document has something to rewrite
    before = rasters(html, tmp_path, "before")
    assert before and rasters(rewritten, tmp_path, "after") == before


@pytest.mark.parametrize("fixture", ["besar_project", "seed_project"])
def test_a_page_slice_without_what_lies_outside_it_draws_the_same(
    fixture: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A diagram page's slice holds only the shapes and text that reach into its band
    (`fill_svg_slots`); drawn, it is the same as the whole drawing clipped to the band."""
    project = request.getfixturevalue(fixture)
    ctx = build.render_context(project, TEMPLATES)
    job = diagram.outputs(ctx, project.sops[0])["diagram-alir.pdf"]
    assert isinstance(job, SvgPagesPdfJob)
    svg = tools.run_dot(job.svg)
    sliced = tools.fill_svg_slots(job.html, svg)
    whole = tools.fill_svg_slots(tools.SVG_SLOT.sub("<!--sop:svg-->", job.html), svg)
    before = rasters(tools.svg_images(whole), tmp_path, "whole")
    if fixture == "besar_project":  # several pages: each slice leaves most shapes out
        assert len(before) >= 3 and len(sliced) < len(whole) / 2
    assert rasters(tools.svg_images(sliced), tmp_path, "sliced") == before


def test_pdfs_sharing_one_font_configuration_are_the_same_bytes(
    seed_project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside `fonts_shared`, every document of an SOP is rendered with one WeasyPrint
    `FontConfiguration` (made once), and each PDF is byte for byte what a configuration of
    its own gives."""
    jobs = [PdfJob(html) for html in documents(seed_project).values()]
    alone = [tools.run_pdf(job) for job in jobs]
    made = []
    real_init = FontConfiguration.__init__

    def counted(self: FontConfiguration) -> None:
        made.append(self)
        real_init(self)

    monkeypatch.setattr(FontConfiguration, "__init__", counted)
    with tools.fonts_shared():
        shared = [tools.run_pdf(job) for job in jobs]
    assert len(made) == 1 and len(jobs) == 6
    assert shared == alone
    made.clear()
    tools.run_pdf(jobs[0])  # after the block: one configuration per document again
    tools.run_pdf(jobs[0])
    assert len(made) == 2


FACE = '@font-face { font-family: "Huruf Kantor"; src: local("Liberation Serif"); }'


def pdf_fonts(data: bytes, tmp_path: Path) -> list[str]:
    """The names of the fonts a PDF embeds, without the subset prefix (poppler's pdffonts)."""
    pdf = tmp_path / "fonts.pdf"
    pdf.write_bytes(data)
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    return [line.split()[0].split("+")[-1] for line in listing.stdout.splitlines()[2:]]


def test_a_font_one_document_adds_never_reaches_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document whose `@font-face` adds a font to the shared configuration comes out as
    with a configuration of its own (rendered again when the configuration served the
    document before, which looked its family up and cached its line height; once when it is
    the first), and the next document gets a new configuration, so a family only the first
    defined falls back as it would alone (Liberation Sans, not the added Liberation Serif)."""
    body = "<p style=\"font-family: 'Huruf Kantor', 'Liberation Sans'\">Surat Masuk</p>"
    adds = PdfJob(f"<html><head><style>{FACE}</style></head><body>{body}</body></html>")
    uses = PdfJob(f"<html><body>{body}</body></html>")
    alone = {job: tools.run_pdf(job) for job in (adds, uses)}
    assert pdf_fonts(alone[adds], tmp_path) == ["Huruf-Kantor"]
    assert pdf_fonts(alone[uses], tmp_path) == ["Liberation-Sans"]
    renders = count_renders(monkeypatch)
    with tools.fonts_shared():
        assert tools.run_pdf(adds) == alone[adds]
        assert tools.run_pdf(uses) == alone[uses]  # not the family the document before added
        assert tools.run_pdf(adds) == alone[adds]  # not what the document before looked up
    assert renders == [1, 1, 2]


def count_renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """WeasyPrint renders (`HTML.write_pdf`) per `tools.run_pdf` call, counted as they run."""
    renders: list[int] = []
    real_run, real_write = tools.run_pdf, weasyprint.HTML.write_pdf

    def run(job: PdfJob) -> bytes:
        renders.append(0)
        return real_run(job)

    def write(self: weasyprint.HTML, *args: object, **kwargs: object) -> bytes:
        renders[-1] += 1
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(tools, "run_pdf", run)
    monkeypatch.setattr(weasyprint.HTML, "write_pdf", write)
    return renders


def test_a_document_that_fails_leaves_no_shared_configuration_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A document that adds a font and then fails takes the shared configuration with it:
    the next document is rendered once, with a new one, and comes out as alone."""
    body = "<p style=\"font-family: 'Huruf Kantor', 'Liberation Sans'\">Surat Masuk</p>"
    adds = PdfJob(f"<html><head><style>{FACE}</style></head><body>{body}</body></html>")
    uses = PdfJob(f"<html><body>{body}</body></html>")
    expected = tools.run_pdf(uses)
    real_write = weasyprint.HTML.write_pdf

    def failing(self: weasyprint.HTML, *args: object, **kwargs: object) -> bytes:
        real_write(self, *args, **kwargs)  # the font is added, then the render fails
        raise MemoryError

    with tools.fonts_shared():
        monkeypatch.setattr(weasyprint.HTML, "write_pdf", failing)
        with pytest.raises(MemoryError):
            tools.run_pdf(adds)
        monkeypatch.undo()
        renders = count_renders(monkeypatch)
        assert tools.run_pdf(uses) == expected
    assert renders == [1]


ALL_SIX = frozenset(name for names, _ in tools.UA_PSEUDO_ELEMENTS for name in names)
NOTES = ALL_SIX - {"::marker"}


def plain_pdf(html: str) -> bytes:
    """The PDF of the job's rewritten HTML with WeasyPrint's own user-agent stylesheet."""
    return weasyprint.HTML(
        string=tools.shared_styles(tools.svg_images(html)), base_url="."
    ).write_pdf()


def documents_made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The class name of each WeasyPrint document asking for its user-agent sheets."""
    made: list[str] = []
    real = weasyprint.HTML._ua_stylesheets

    def asking(self: weasyprint.HTML, *args: object, **kwargs: object) -> object:
        made.append(type(self).__name__)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "_ua_stylesheets", asking)
    return made


def test_every_document_of_an_sop_renders_lean_to_the_same_bytes(
    seed_project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """None of the six documents of an SOP can have the six pseudo-elements, so each is
    rendered with the lean user-agent stylesheet (the installed WeasyPrint is one
    `lean_html_class` knows), and its PDF is byte for byte WeasyPrint's own."""
    html = documents(seed_project)
    expected = {name: plain_pdf(text) for name, text in html.items()}
    made = documents_made(monkeypatch)
    for name, text in html.items():
        assert (
            tools.unused_ua_pseudo_elements(tools.shared_styles(tools.svg_images(text))) == ALL_SIX
        )
        assert tools.run_pdf(PdfJob(text)) == expected[name], name
    assert made == ["LeanHTML"] * 6
    plain_pdf(html["evaluasi.pdf"])
    assert made[6:] == ["HTML"]


LIST = (
    "<ol style='text-transform: uppercase; list-style-type: lower-alpha'><li>Surat masuk</li></ol>"
)
LIST_ITEM = (
    "<div style='display: list-item; list-style: lower-alpha inside; text-transform: uppercase'>"
    "Surat masuk</div>"
)
FOOTNOTE = "<p>Surat masuk<span style='float: footnote'>Catatan kaki</span></p>"
FOOTNOTE_REF = "<p>Surat masuk<span style='float: foot&#110;ote'>Catatan kaki</span></p>"


@pytest.mark.parametrize(
    ("body", "unused", "text"),
    [
        (LIST, NOTES, "SURAT MASUK a."),
        (LIST_ITEM, NOTES, "a. SURAT MASUK"),
        (FOOTNOTE, frozenset({"::marker"}), "Surat masuk1 1. Catatan kaki"),
        (FOOTNOTE_REF, frozenset({"::marker"}), "Surat masuk1 1. Catatan kaki"),
        (LIST + FOOTNOTE, frozenset(), "SURAT MASUK Surat masuk1 a. 1. Catatan kaki"),
    ],
)
def test_a_document_that_can_have_the_pseudo_elements_keeps_their_rules(
    body: str, unused: frozenset[str], text: str
) -> None:
    """A list item keeps the user-agent `::marker` rule (its `text-transform: none` keeps
    the marker "a.", where the lean sheet would give "A."), a footnote its call and marker
    (without them WeasyPrint cannot build the call's box), even spelt with a character
    reference in a `style` attribute; the PDF is WeasyPrint's own."""
    html = f"<html><body>{body}</body></html>"
    assert tools.unused_ua_pseudo_elements(html) == unused
    data = tools.run_pdf(PdfJob(html))
    assert data == plain_pdf(html)
    assert tools.pdf_text(data) == text


@pytest.mark.parametrize(
    "html",
    [
        '<html><head><link rel="stylesheet" href="gaya.css"></head><body>a</body></html>',
        "<html><head><style>@import url(gaya.css);</style></head><body>a</body></html>",
        "<html><head><style>p { float: foot\\6e ote }</style></head><body><p>a</p></body></html>",
    ],
)
def test_a_document_with_css_from_outside_or_escaped_drops_nothing(html: str) -> None:
    """A linked or imported stylesheet, or a CSS escape, could ask for a footnote or a list
    item in words the document's text does not show: WeasyPrint's own sheet is used."""
    assert tools.unused_ua_pseudo_elements(html) == frozenset()


def test_the_lean_sheet_is_weasyprints_own_less_the_dropped_rules() -> None:
    """The lean user-agent CSS is the installed sheet's lines less the six one-line rules; a
    pseudo-element without exactly one rule alone on its line, a user-agent sheet that makes
    a list item or a footnote itself, or nothing dropped, gives no lean class (the caller
    then uses `weasyprint.HTML`)."""
    own = weasyprint.html.UA.split("\n")
    lean = tools.lean_ua_css(weasyprint.html.UA, ALL_SIX).split("\n")
    gone = [line for line in own if line not in lean]
    assert len(own) - len(lean) == 6 and sorted(line.split(" {")[0] for line in gone) == sorted(
        ALL_SIX
    )
    assert tools.lean_ua_css("::marker {\n  color: red }", frozenset({"::marker"})) is None
    assert tools.lean_ua_css("::marker { a }\n::marker { b }", frozenset({"::marker"})) is None
    assert tools.lean_ua_css("::marker { a } p { b }", frozenset({"::marker"})) is None
    giving = weasyprint.html.UA + "\nsummary { display: list-item }"
    assert tools.lean_ua_css(giving, ALL_SIX) is None  # a user-agent list item without `<li`
    assert tools.lean_ua_css(weasyprint.html.UA, ALL_SIX, ("aside { float: footnote }",)) is None
    assert tools.lean_ua_css(weasyprint.html.UA, ALL_SIX, (weasyprint.html.UA_FORM,)) is not None
    assert tools.lean_html_class(frozenset({"::marker", "::bukan-ada"})) is None
    assert tools.lean_html_class(frozenset()) is None
    sheets = tools.lean_html_class(ALL_SIX)(string="<p>a</p>")._ua_stylesheets()
    own = weasyprint.HTML(string="<p>a</p>")._ua_stylesheets()
    assert len(sheets) == len(own) == 1 and sheets != own == [weasyprint.html.UA_STYLESHEET]
