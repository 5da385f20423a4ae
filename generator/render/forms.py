"""Fill-in forms: one printable page per step output, a booklet, monitoring and evaluation.

Each step that produces something gets a blank form of one type, a Jinja template
`templates/formulir/<type>.html`. The type is the step's `formulir` key, else inferred from the
words of its output and kelengkapan (then of its uraian), else the generic form `umum`.
Shared pieces (letterhead, signature blocks, CSS, the booklet, the monitoring and evaluation
forms) live in `templates/dokumen/`, so they are not listed as form types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from generator.model import Office, Official, Sop, Step
from generator.render.common import PAPER_MM, Outputs, PdfJob, RenderContext, render_template

FORMS_DIR = "formulir"
SHARED_DIR = "dokumen"
GENERIC = "umum"

# Titles of the built-in form types (for listings; templates print their own heading).
TITLES: dict[str, str] = {
    "undangan": "Surat Undangan",
    "notula": "Notula Rapat",
    "daftar-hadir": "Daftar Hadir",
    "disposisi": "Lembar Disposisi",
    "instrumen": "Instrumen",
    "rekap": "Rekapitulasi Data",
    "laporan": "Laporan",
    "paraf": "Lembar Paraf / Persetujuan",
    "pengesahan": "Lembar Pengesahan",
    "tanda-terima": "Tanda Terima / Buku Ekspedisi",
}

# Forms printed together with another: a meeting's notula comes with its attendance list.
COMPANIONS: dict[str, tuple[str, ...]] = {"notula": ("daftar-hadir",)}

# Inference, first match wins: what a text says the step produces -> form type. The third
# item says whether the rule also reads the kelengkapan: a kelengkapan naming a document the
# step issues (an invitation, an instrument) picks its form, while one describing an input's
# state ("yang telah ditandatangani", "draft laporan", "data") says nothing about the output.
RULES: tuple[tuple[str, re.Pattern[str], bool], ...] = tuple(
    (kind, re.compile(pattern), in_requirements)
    for kind, pattern, in_requirements in (
        (GENERIC, r"berita acara", False),
        ("tanda-terima", r"bukti pengiriman|ekspedisi|tanda terima", True),
        ("undangan", r"undang", True),
        ("notula", r"notul", True),
        ("daftar-hadir", r"daftar hadir|presensi", True),
        ("disposisi", r"disposisi|memerintahkan|menugaskan", False),
        ("paraf", r"paraf|persetujuan|disetujui|memeriksa|meneliti", False),
        ("pengesahan", r"tanda ?tang|disahkan|mengesahkan|pengesahan", False),
        ("rekap", r"\bdata\b|rekap", False),
        ("instrumen", r"instrumen|kuesioner|angket", True),
        ("laporan", r"laporan|\bdraf|konsep", False),
    )
)

# Indonesian time zones as printed after a time ("pukul 09.00 WITA").
ZONES = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


@dataclass(frozen=True)
class FormEntry:
    """One form file of an SOP: which step, which type, where, under what title."""

    step: int
    kind: str
    file: str
    title: str


@dataclass(frozen=True)
class Signer:
    """A signature block: jabatan always; name and NIP only for a known official."""

    position: str
    name: str = ""
    nip: str = ""


@dataclass(frozen=True)
class Paper:
    """The office's paper, portrait, in millimetres."""

    name: str
    width: int
    height: int


# --------------------------------------------------------------------------- choosing


def _match(text: str, requirements: bool = False) -> str | None:
    lowered = " ".join(text.lower().split())
    for kind, pattern, in_requirements in RULES:
        if (in_requirements or not requirements) and pattern.search(lowered):
            return kind
    return None


def form_type(step: Step) -> str:
    """The form a step's output uses: `formulir`, else inferred from its words, else 'umum'.

    The output is read first, then the kelengkapan (for document names only), then the uraian.
    A step whose output is its kelengkapan passes a document on unchanged, so what it does
    (its uraian, e.g. an order) decides first.
    """
    if step.form:
        return step.form
    output, needs = step.output.strip(), step.requirements.strip()
    if output and output.lower() == needs.lower():
        found = _match(step.description) or _match(output)
    else:
        found = _match(output) or _match(needs, requirements=True) or _match(step.description)
    return found or GENERIC


def form_title(kind: str, step: Step) -> str:
    """The title of a form: the built-in title, the output for 'umum', else the name."""
    if kind == GENERIC:
        text = step.output.strip() or step.description.strip()
        return text[:1].upper() + text[1:]
    return TITLES.get(kind) or kind.replace("-", " ").replace("_", " ").capitalize()


def _file_name(number: int, kind: str, width: int) -> str:
    return f"{FORMS_DIR}/{number:0{width}d}-{kind}.html"


def forms_for(ctx: RenderContext, sop: Sop) -> list[FormEntry]:
    """Every form file of an SOP, in step order: steps with an output or a `formulir`."""
    width = max(2, len(str(len(sop.steps))))
    entries: list[FormEntry] = []
    for step in sop.steps:
        if not (step.output.strip() or step.form):
            continue
        kind = form_type(step)
        for each in (kind, *COMPANIONS.get(kind, ())):
            file = _file_name(step.number, each, width)
            entries.append(FormEntry(step.number, each, file, form_title(each, step)))
    return entries


# --------------------------------------------------------------------------- context


def _signer(official: Official) -> Signer:
    return Signer(official.position.rstrip(" .,"), official.name, official.nip_formatted)


def signers_for(office: Office, sop: Sop, step: Step) -> list[Signer]:
    """The step's actors as signature blocks; a lane id that is a pejabat key is pre-filled."""
    found = []
    for lane in step.actors:
        official = office.officials.get(lane)
        label = sop.lanes.get(lane, lane).rstrip(" .,")
        found.append(_signer(official) if official else Signer(label))
    return found


def approver(office: Office, sop: Sop) -> Signer:
    """The official who approved the SOP (disahkan_oleh), as a signature block."""
    official = office.officials.get(sop.approved_by)
    return _signer(official) if official else Signer(sop.approved_by)


def _base_context(ctx: RenderContext, sop: Sop, standalone: bool) -> dict[str, Any]:
    width, height = PAPER_MM[ctx.office.paper]
    return {
        "office": ctx.office,
        "sop": sop,
        "paper": Paper(ctx.office.paper, width, height),
        "logo_uri": ctx.logo_uri,
        "zone": ZONES.get(ctx.office.timezone, ""),
        "approver": approver(ctx.office, sop),
        "standalone": standalone,
    }


def form_html(ctx: RenderContext, sop: Sop, entry: FormEntry, standalone: bool = True) -> str:
    """One form as HTML: a whole page, or (standalone=False) the sheet for the booklet."""
    step = sop.step(entry.step)
    return render_template(
        ctx.env,
        f"{FORMS_DIR}/{entry.kind}.html",
        **_base_context(ctx, sop, standalone),
        step=step,
        kind=entry.kind,
        title=entry.title,
        signers=signers_for(ctx.office, sop, step),
    )


def _render_shared(ctx: RenderContext, sop: Sop, name: str, title: str, **extra: Any) -> str:
    return render_template(
        ctx.env,
        f"{SHARED_DIR}/{name}.html",
        **_base_context(ctx, sop, True),
        step=None,
        kind=name,
        title=title,
        **extra,
    )


# --------------------------------------------------------------------------- outputs


def form_pages(ctx: RenderContext, sop: Sop) -> dict[str, str]:
    """Each form of the SOP as a standalone HTML page, by file name."""
    return {e.file: form_html(ctx, sop, e) for e in forms_for(ctx, sop)}


def booklet_html(ctx: RenderContext, sop: Sop, entries: list[FormEntry] | None = None) -> str:
    """The forms (all of the SOP's by default) in one HTML document, one sheet per page."""
    chosen = forms_for(ctx, sop) if entries is None else entries
    sheets = [Markup(form_html(ctx, sop, e, standalone=False)) for e in chosen]
    return _render_shared(ctx, sop, "buku", "Formulir", sheets=sheets)


def monitoring_html(ctx: RenderContext, sop: Sop) -> str:
    """The monitoring form (PermenPAN-RB 35/2012, Tabel 7): one row per step."""
    return _render_shared(ctx, sop, "monitoring", "Formulir Monitoring SOP")


def evaluation_html(ctx: RenderContext, sop: Sop) -> str:
    """The yearly evaluation form: the seven criteria, Ya/Tidak, notes."""
    return _render_shared(ctx, sop, "evaluasi", "Formulir Evaluasi SOP")


@dataclass(frozen=True)
class ChecklistRow:
    """One step of the blank paper checklist."""

    number: int
    description: str
    actors: str
    time: str
    decision: bool
    yes_label: str
    no_label: str
    exit_labels: tuple[str, ...] = ()


def checklist_rows(sop: Sop) -> list[ChecklistRow]:
    """The steps as the paper checklist lists them."""
    return [
        ChecklistRow(
            number=step.number,
            description=step.description,
            actors=", ".join(sop.lanes.get(a, a) for a in step.actors),
            time=str(step.time),
            decision=step.decision is not None,
            yes_label=step.decision.exits[0].label if step.decision else "",
            no_label=step.decision.exits[1].label if step.decision else "",
            exit_labels=tuple(x.label for x in step.decision.exits) if step.decision else (),
        )
        for step in sop.steps
    ]


def checklist_html(ctx: RenderContext, sop: Sop) -> str:
    """The blank cycle checklist for offices that record a cycle on paper first."""
    return _render_shared(
        ctx, sop, "daftar-periksa", "Daftar Periksa Pelaksanaan SOP", rows=checklist_rows(sop)
    )


def outputs(ctx: RenderContext, sop: Sop) -> Outputs:
    """Per-step form pages (HTML), the booklet, the monitoring and evaluation forms and the
    blank paper checklist (PDF)."""
    found: Outputs = {name: html.encode("utf-8") for name, html in form_pages(ctx, sop).items()}
    if found:
        found["formulir.pdf"] = PdfJob(booklet_html(ctx, sop))
    found["monitoring.pdf"] = PdfJob(monitoring_html(ctx, sop))
    found["evaluasi.pdf"] = PdfJob(evaluation_html(ctx, sop))
    found["daftar-periksa.pdf"] = PdfJob(checklist_html(ctx, sop))
    return found
