"""The site's pages: the Daftar SOP register and one page per SOP, as Markdown text.

Pure: every function returns text (or bytes for static assets) from the render context and
the names of the artifacts the build produced; nothing here reads or writes files. The page
templates live in templates/pages/. Pages are Markdown headings around raw HTML blocks whose
values Jinja escapes, so nothing a clerk types is read as Markdown or HTML.

Site layout: `index.md` (register), `sop/<slug>/index.md` (one page per SOP, with that SOP's
artifacts beside it, so every link from an SOP page is relative and local), `assets/...`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from markupsafe import Markup

from generator import flow
from generator.errors import Problem
from generator.layout.sheet import STYLE
from generator.model import Sop, text_blocks
from generator.render import forms
from generator.render.common import RenderContext, render_template
from generator.render.splice import SHEET_MARKER

SOP_DIR = "sop"
ASSETS_DIR = "assets"
CSS_NAME = f"{ASSETS_DIR}/sop.css"
FONTS_DIR = f"{ASSETS_DIR}/fonts"

# Downloads offered on an SOP page, in order: (file name, label).
DOWNLOADS: tuple[tuple[str, str], ...] = (
    ("lembar-sop.pdf", "Lembar SOP (PDF)"),
    ("diagram-alir.pdf", "Diagram alir (PDF)"),
    ("diagram-alir.svg", "Diagram alir (SVG)"),
    ("diagram-alir.png", "Diagram alir (PNG)"),
    ("formulir.pdf", "Semua formulir (PDF)"),
    ("monitoring.pdf", "Formulir monitoring (PDF)"),
    ("evaluasi.pdf", "Formulir evaluasi (PDF)"),
    ("daftar-periksa.pdf", "Daftar periksa kosong (PDF)"),
)
DIAGRAM_IMAGE = "diagram-alir.svg"
# The site's own scripts (templates/pages/), listed in mkdocs.yml under extra.polyfills: a
# ResizeObserver for old browsers, a search worker for a site opened from a folder.
SCRIPTS = ("resize-observer.js", "iframe-worker.js")

# Characters Python-Markdown would read as markup in inline text (see markdown.ESCAPED_CHARS);
# '<', '>' and '&' are HTML-escaped instead.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")


def md(text: str) -> Markup:
    """Text safe inside a Markdown heading or paragraph: Markdown and HTML escaped."""
    # Quotes stay as typed: the toc extension would show "&#34;" in the page's table of
    # contents; a heading is never inside an attribute.
    return Markup(_MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False)))


def _natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort "2/..." before "10/...": digit runs compare as numbers."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in re.split(r"(\d+)", text)
        if part
    )


def _normal(text: str) -> str:
    """Case- and space-insensitive form used to match Keterkaitan items to SOPs."""
    return " ".join(text.casefold().split())


def sop_url(slug: str) -> str:
    """The site path of an SOP's page folder, relative to the site root: 'sop/<slug>/'."""
    return f"{SOP_DIR}/{slug}/"


def page_link(folder: str, directory_urls: bool = True) -> str:
    """A link to the page of a folder ('sop/x/', '../../', ''): the folder itself when the
    site is served with directory URLs, else its 'index.html' (a site opened from a folder,
    `use_directory_urls: false`, where a folder link would show the folder's listing)."""
    return folder if directory_urls else f"{folder}index.html"


def lines(text: str) -> Markup:
    """Escaped text with its paragraphs and list items (`model.text_blocks`) on lines of
    their own, joined by <br>: never a blank line, which would end the page's raw HTML block
    and let Markdown read the rest."""
    shown = [f"{b.marker} {b.text}" if b.marker else b.text for b in text_blocks(text)]
    return Markup("<br>").join(shown)


# SOP-wide provisions shown on the page, in the sheet's order: (attribute, heading).
PROVISIONS: tuple[tuple[str, str], ...] = (
    ("legal_basis", "Dasar Hukum"),
    ("qualifications", "Kualifikasi Pelaksana"),
    ("equipment", "Peralatan/Perlengkapan"),
    ("warnings", "Peringatan"),
    ("records", "Pencatatan dan Pendataan"),
)


def provisions(sop: Sop) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """The SOP's non-empty provisions as (heading, [(group heading, items)])."""
    found = []
    for attribute, heading in PROVISIONS:
        items = getattr(sop, attribute)
        if items:
            found.append((heading, _groups(items)))
    return found


@dataclass(frozen=True)
class RelatedItem:
    """One Keterkaitan item; `slug` names the SOP it refers to, or is ''."""

    text: str
    slug: str = ""


def related_index(sops: Collection[Sop]) -> dict[str, str]:
    """Every SOP's slug and nama, normalised, pointing to its slug (the first SOP wins)."""
    names: dict[str, str] = {}
    for other in sops:
        slug = other.slug
        names.setdefault(_normal(slug), slug)
        names.setdefault(_normal(other.name), slug)
    return names


def related_items(sop: Sop, index: Mapping[str, str]) -> list[RelatedItem]:
    """Keterkaitan items, each linked to the SOP whose slug or nama it names (`related_index`).

    Matching ignores case, repeated spaces and a leading "SOP " ("SOP Surat Masuk" names the
    SOP called "Surat Masuk"). An SOP never links to itself.
    """
    items: list[RelatedItem] = []
    own = sop.slug
    for heading, group in _groups(sop.related):
        for text in group:
            key = _normal(text)
            slug = index.get(key) or index.get(key.removeprefix("sop "), "")
            shown = f"{heading}: {text}" if heading else text
            items.append(RelatedItem(shown, "" if slug == own else slug))
    return items


def _groups(items: list[str] | dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    if isinstance(items, dict):
        return list(items.items())
    return [("", list(items))]


@dataclass(frozen=True)
class RegisterRow:
    """One line of the Daftar SOP."""

    number: int
    sop: Sop
    href: str


def register_groups(
    sops: Collection[Sop], directory_urls: bool = True
) -> list[tuple[str, list[RegisterRow]]]:
    """SOPs grouped by unit (units alphabetically, SOPs by nomor), numbered 1..n overall."""
    units: dict[str, list[Sop]] = {}
    for sop in sops:
        units.setdefault(sop.unit, []).append(sop)
    groups: list[tuple[str, list[RegisterRow]]] = []
    number = 0
    for unit in sorted(units, key=_natural_key):
        rows = []
        for sop in sorted(units[unit], key=lambda s: (_natural_key(s.number), s.slug)):
            number += 1
            rows.append(RegisterRow(number, sop, page_link(sop_url(sop.slug), directory_urls)))
        groups.append((unit, rows))
    return groups


def register_page(ctx: RenderContext, directory_urls: bool = True) -> str:
    """The home page: the Daftar SOP register grouped by unit."""
    return render_template(
        ctx.env,
        "pages/daftar.md",
        office=ctx.office,
        groups=register_groups(ctx.sops, directory_urls),
        count=len(ctx.sops),
        md=md,
    )


@dataclass(frozen=True)
class FormLink:
    """One fill-in form of a step: its title and its file ('' while the file is absent)."""

    title: str
    href: str


@dataclass(frozen=True)
class ExitLink:
    """Where the flow goes after a step: a decision's exit, a `lanjut`, or the end.

    `label` is the exit's label ('Ya', 'Tidak', '' for a plain jump); `target` the step
    number, None when this exit ends the procedure.
    """

    label: str
    target: int | None


@dataclass(frozen=True)
class StepRow:
    """One step as a clerk reads it: every text of the step, its exits and its forms."""

    number: int
    description: str
    actors: str
    requirements: str
    time: str
    output: str
    note: str
    forms: tuple[FormLink, ...]
    decision: bool = False
    exits: tuple[ExitLink, ...] = ()
    ends: bool = False
    form_reason: str = ""


def step_exits(sop: Sop, number: int) -> tuple[ExitLink, ...]:
    """The exits shown under a step: a decision's exits, or a `lanjut` jump; () otherwise."""
    return tuple(
        ExitLink(edge.label, edge.target)
        for edge in flow.successors(sop, number)
        if edge.kind != "next"
    )


def step_rows(ctx: RenderContext, sop: Sop, names: Collection[str]) -> list[StepRow]:
    """Every step with its forms; a form links to its file when the build produced it."""
    by_step: dict[int, list[FormLink]] = {}
    for entry in forms.forms_for(ctx, sop):
        href = entry.file if entry.file in names else ""
        by_step.setdefault(entry.step, []).append(FormLink(entry.title, href))
    reasons = {c.step: c.reason for c in forms.form_choices(sop)}
    return [
        StepRow(
            number=step.number,
            description=step.description,
            actors=", ".join(
                f"{sop.lanes[a]} (pihak luar)" if a in sop.outside_lanes else sop.lanes[a]
                for a in step.actors
            ),
            requirements=step.requirements,
            time=str(step.time),
            output=step.output,
            note=step.note,
            forms=tuple(by_step.get(step.number, ())),
            decision=step.decision is not None,
            exits=step_exits(sop, step.number),
            ends=flow.is_end(sop, step.number),
            form_reason=reasons[step.number],
        )
        for step in sop.steps
    ]


@dataclass(frozen=True)
class CycleRow:
    """One recorded cycle (run) of an SOP, as the page shows it."""

    run_id: str
    started: str
    progress: str
    state: str
    over: str
    late: bool = False
    href: str = ""  # the cycle's own page, relative to the SOP page


@dataclass(frozen=True)
class StepTimeRow:
    """One step's actual working time over every cycle, against its standard."""

    number: int
    description: str
    standard: str
    count: int
    mean: str
    longest: str
    over_count: int


@dataclass(frozen=True)
class Cycles:
    """The state of an SOP's cycles at `as_of` ('' when it has none): one row per cycle, one
    per step."""

    as_of: str
    rows: tuple[CycleRow, ...] = ()
    times: tuple[StepTimeRow, ...] = ()
    note: str = ""  # which SOP revisions the per-step figures cover


def sop_page(
    ctx: RenderContext,
    sop: Sop,
    names: Collection[str],
    sheet_html: str = "",
    cycles: Cycles | None = None,
    related: Mapping[str, str] | None = None,
    warnings: Sequence[Problem] = (),
    directory_urls: bool = True,
) -> str:
    """The Markdown page of one SOP.

    `names` are the SOP's artifact file names ('lembar-sop.pdf', 'formulir/01-undangan.html');
    a download is linked only when its file exists. `sheet_html` is the official sheet as an
    HTML fragment with scoped CSS ('' shows a placeholder); `cycles` the state of its cycles
    (None while cycle records cannot be read: a placeholder too); `warnings` the SOP file's
    data warnings (as `sop check` prints them), shown as a note at the top. With
    `directory_urls` false, links to pages name their 'index.html' (`page_link`).
    """
    official = ctx.office.officials.get(sop.approved_by)
    return render_template(
        ctx.env,
        "pages/sop.md",
        office=ctx.office,
        sop=sop,
        official=official,
        total_time=str(flow.total_time(sop, ctx.office.working_hours.hours_per_day)),
        downloads=[(name, label, name in names) for name, label in DOWNLOADS],
        diagram=DIAGRAM_IMAGE if DIAGRAM_IMAGE in names else "",
        steps=step_rows(ctx, sop, names),
        related=related_items(sop, related_index(ctx.sops) if related is None else related),
        provisions=provisions(sop),
        sheet_html=Markup(sheet_html),
        cycles=cycles,
        warnings=[warning_note(p) for p in warnings],
        root=page_link("../../", directory_urls),
        link=lambda folder: page_link(folder, directory_urls),
        lines=lines,
        md=md,
    )


@dataclass(frozen=True)
class WarningNote:
    """One data warning as the SOP page shows it: where, what, and the hint ('' if none)."""

    text: str
    hint: str


def warning_note(problem: Problem) -> WarningNote:
    """A warning as `sop check` prints it, split into its message and its hint."""
    text, _, hint = problem.format().partition("\n    petunjuk: ")
    return WarningNote(text, hint)


def artifact_names(files: Mapping[str, Any]) -> dict[str, list[str]]:
    """Each SOP's artifact names ('lembar-sop.pdf', 'formulir/01-undangan.html') by slug,
    from the build's 'slug/name' keys."""
    names: dict[str, list[str]] = {}
    for key in sorted(files):
        slug, _, name = key.partition("/")
        names.setdefault(slug, []).append(name)
    return names


def sop_page_path(slug: str) -> str:
    """The site path of an SOP's page: 'sop/<slug>/index.md'."""
    return f"{sop_url(slug)}index.md"


def site_pages(
    ctx: RenderContext,
    files: Mapping[str, Any],
    sheets: Collection[str],
    cycles: Mapping[str, Cycles] | None = None,
    warnings: Mapping[str, Sequence[Problem]] | None = None,
    directory_urls: bool = True,
    render: Callable[..., str] | None = None,
) -> dict[str, str]:
    """Every generated page by site path: 'index.md' and 'sop/<slug>/index.md'.

    `sheets` names the SOPs (slugs) whose official sheet is available: their page holds
    `SHEET_MARKER` where the sheet goes, replaced in the finished page by `insert_sheet` (a 70 kB
    fragment through Markdown and the search index would cost a page ten times its weight).
    `cycles` holds the SOPs' cycle records by slug, `warnings` their data warnings by slug;
    `directory_urls` as in `page_link`. `render` stands in for `sop_page` (same arguments,
    same text: the site's cached one).
    """
    pages = {"index.md": register_page(ctx, directory_urls)}
    index = related_index(ctx.sops)
    names = artifact_names(files)
    for sop in ctx.sops:
        pages[sop_page_path(sop.slug)] = (render or sop_page)(
            ctx,
            sop,
            names.get(sop.slug, []),
            SHEET_MARKER if sop.slug in sheets else "",
            cycles.get(sop.slug) if cycles is not None else None,
            index,
            (warnings or {}).get(sop.slug, ()),
            directory_urls,
        )
    return pages


# Put at the top of every form page of the site: the way back to its SOP page, not printed.
BACK_LINK = (
    "<style>@media print {{ .sop-kembali {{ display: none !important; }} }}\n"
    "@media screen {{ .sop-kembali {{ font: 11pt Arial, 'Liberation Sans', sans-serif; "
    "margin: 0 0 6mm; }} .sop-kembali a {{ color: #303fa1; }} }}</style>\n"
    '<nav class="sop-kembali"><a href="{href}">&larr; Kembali ke halaman SOP</a></nav>\n'
)
_BODY = re.compile(r"<body[^>]*>")


def with_back_link(html_text: str, href: str) -> str:
    """A standalone form page with a link back to its SOP page just inside <body>."""
    link = BACK_LINK.format(href=html.escape(href))
    return _BODY.sub(lambda m: m.group(0) + "\n" + link, html_text, count=1)


def site_artifacts(
    files: Mapping[str, Any],
    directory_urls: bool = True,
    read: Callable[[Any], bytes] = bytes,
) -> dict[str, Any]:
    """The build's 'slug/name' artifacts placed beside their SOP page: 'sop/slug/name'.

    A form page ('slug/formulir/*.html') gets a link back to its SOP page (`with_back_link`),
    to '../index.html' when `directory_urls` is false; `read` gives a file's bytes (the
    caller's files may be on disk). Every other file is passed on as it came, unread.
    """
    placed: dict[str, Any] = {}
    back = page_link("../", directory_urls)
    for rel, data in files.items():
        _, _, name = rel.partition("/")
        if name.startswith("formulir/") and name.endswith(".html"):
            data = with_back_link(read(data).decode("utf-8"), back).encode("utf-8")
        placed[f"{SOP_DIR}/{rel}"] = data
    return placed


def logo_name(ctx: RenderContext) -> str:
    """The site path of the office logo ('assets/logo.png'), or '' when there is none."""
    if not ctx.logo:
        return ""
    suffix = PurePosixPath(ctx.logo_name).suffix.lower() or ".png"
    return f"{ASSETS_DIR}/logo{suffix}"


@dataclass(frozen=True)
class FontFace:
    """One @font-face rule: a Liberation Sans file and the weight and style it holds."""

    family: str
    file: str
    weight: int
    style: str


def font_faces(fonts: Collection[str]) -> list[FontFace]:
    """@font-face rules for font files named like 'LiberationSans-BoldItalic.ttf'."""
    faces = []
    for name in sorted(fonts):
        stem = PurePosixPath(name).stem
        family, _, variant = stem.partition("-")
        family = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", family)
        faces.append(
            FontFace(
                family,
                name,
                700 if "Bold" in variant else 400,
                "italic" if "Italic" in variant else "normal",
            )
        )
    return faces


def site_assets(ctx: RenderContext, fonts: Collection[str]) -> dict[str, bytes]:
    """The site's own static files: stylesheet (with @font-face for `fonts`), scripts, logo."""
    width, height = ctx.paper_mm
    css = render_template(
        ctx.env,
        "pages/sop.css",
        faces=font_faces(fonts),
        page_size=(height, width),
        margins=(STYLE.margin_top, STYLE.margin_right, STYLE.margin_bottom, STYLE.margin_left),
    )
    assets = {CSS_NAME: css.encode("utf-8")}
    for script in SCRIPTS:
        assets[f"{ASSETS_DIR}/{script}"] = render_template(ctx.env, f"pages/{script}").encode()
    if ctx.logo:
        assets[logo_name(ctx)] = ctx.logo
    return assets
