"""Fill-in forms: one printable page per step output, a booklet, monitoring and evaluation.

Each step that produces something gets a blank form of one type, a Jinja template
`templates/formulir/<type>.html`. The type is the step's `formulir` key, else inferred from the
step's decision and the words of its output, kelengkapan and uraian (`form_choice`), else the
generic form `umum`; `form_choices` says for every step what was chosen and why.
Shared pieces (letterhead, signature blocks, CSS, the booklet, the monitoring and evaluation
forms) live in `templates/dokumen/`, so they are not listed as form types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from generator import flow
from generator.model import Office, Official, Sop, Step
from generator.render.common import PAPER_MM, Outputs, PdfJob, RenderContext, render_template
from generator.render.form_choice import (
    GENERIC,
    LETTER,
    FormChoice,
    infer,
    requirement_items,
    tokens,
)

FORMS_DIR = "formulir"
SHARED_DIR = "dokumen"

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
    "bukti-terima": "Tanda Terima",
    "kelengkapan": "Daftar Periksa Kelengkapan",
    "permohonan": "Formulir Permohonan",
    "surat-keterangan": "Surat Keterangan",
    "surat-penolakan": "Surat Penolakan",
    "register": "Buku Register",
    "rincian-biaya": "Rincian Biaya",
    "surat": "Surat",
}

# Forms printed together with another: a meeting's notula comes with its attendance list.
COMPANIONS: dict[str, tuple[str, ...]] = {"notula": ("daftar-hadir",)}

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
    """A signature block: jabatan always; name and NIP only for a known official.

    `outside` marks a party outside the office (applicant, bank): name and signature only,
    never a NIP line.
    """

    position: str
    name: str = ""
    nip: str = ""
    outside: bool = False


@dataclass(frozen=True)
class Paper:
    """The office's paper, portrait, in millimetres."""

    name: str
    width: int
    height: int


# --------------------------------------------------------------------------- choosing


def decision_labels(step: Step) -> list[str] | None:
    """A decision's exit labels in the order written; None for a plain step."""
    if step.decision is None:
        return None
    return [exit_.label for exit_ in step.decision.exits]


def is_outside(sop: Sop | None, step: Step) -> bool:
    """True when every actor of the step is an outside lane (`luar: true`)."""
    return sop is not None and sop.is_outside_step(step.number)


def choose(step: Step, sop: Sop | None = None) -> FormChoice:
    """The form of one step and the words that chose it (see `form_choice`)."""
    kind, source, words = infer(
        step.number,
        step.description,
        step.requirements,
        step.output,
        step.form,
        decision_labels(step),
        is_outside(sop, step),
    )
    title = form_title(kind, step) if kind else ""
    return FormChoice(step.number, kind, title, source, words)


def form_choices(sop: Sop) -> list[FormChoice]:
    """Every step's form choice, in step order (kind None: the step gets no form).

    One application is one form: a later step given a plain application form again (the
    applicant fills in, then hands in, the form an earlier step took) gets none, its reason
    naming the step whose form it is (source "sama")."""
    found: list[FormChoice] = []
    first: FormChoice | None = None
    for step in sop.steps:
        choice = choose(step, sop)
        if choice.kind == "permohonan" and choice.title not in APPLICATION_TITLES.values():
            if first is not None and choice.source != "formulir":
                choice = FormChoice(step.number, None, "", "sama", (str(first.step), first.title))
            elif first is None:
                first = choice
        found.append(choice)
    return found


def form_type(step: Step, sop: Sop | None = None) -> str | None:
    """The form type of a step, or None when it gets no form (see `choose`)."""
    return choose(step, sop).kind


# An application form for an objection or a complaint is titled so.
APPLICATION_TITLES = {"keberatan": "Formulir Keberatan", "pengaduan": "Formulir Pengaduan"}


def form_title(kind: str, step: Step) -> str:
    """The title of a form: the built-in title, the output for 'umum', else the name."""
    if kind in (GENERIC, LETTER):
        text = " ".join((step.output.strip() or step.description.strip()).split())
        return text[:1].upper() + text[1:]
    if kind == "permohonan":
        words = tokens(f"{step.output} {step.description}")
        found = [title for word, title in APPLICATION_TITLES.items() if word in words]
        return found[0] if found else document_name(step, "formulir permohonan") or TITLES[kind]
    if kind == "rincian-biaya" and "skum" in tokens(f"{step.output} {step.description}"):
        return "Surat Kuasa Untuk Membayar (SKUM)"
    if kind == "register":
        return document_name(step, "buku") or TITLES[kind]
    if kind == "surat-keterangan":
        return document_name(step, "surat keterangan") or TITLES[kind]
    return TITLES.get(kind) or kind.replace("-", " ").replace("_", " ").capitalize()


# Words that end the name of a document ("buku register perkara, kemudian ...", "Surat
# Keterangan Tanggungan Keluarga yang ditandatangani").
NAME_ENDS = frozenset(
    {"sesuai", "dengan", "dan", "yang", "tersebut", "kemudian", "untuk", "pada", "di", "ke"}
    | {"dari", "oleh", "telah", "sudah", "ditandatangani", "diterima", "atas", "bagi"}
    | {"terisi", "diisi", "diserahkan", "disediakan", "tercatat", "lengkap"}
)


def document_name(step: Step, lead: str) -> str:
    """The name of the document a step names after the words `lead` ("buku", "surat
    keterangan"), from its output, uraian or kelengkapan, in title case ("buku jurnal
    keuangan perkara" -> "Buku Jurnal Keuangan Perkara"); "" when no name follows."""
    pattern = re.compile(rf"\b{lead}((?: [^\W\d_]+){{1,5}})", re.IGNORECASE)
    for text in (step.output, step.description, step.requirements):
        for match in pattern.finditer(" ".join(text.split())):
            words: list[str] = []
            for word in match.group(1).split():
                if word.lower() in NAME_ENDS:
                    break
                words.append(word)
            if words:
                named = [*lead.split(), *words]
                return " ".join(w[:1].upper() + w[1:].lower() for w in named)
    return ""


def _file_name(number: int, kind: str, width: int) -> str:
    return f"{FORMS_DIR}/{number:0{width}d}-{kind}.html"


def forms_for(ctx: RenderContext, sop: Sop) -> list[FormEntry]:
    """Every form file of an SOP, in step order (steps whose choice is no form have none)."""
    width = max(2, len(str(len(sop.steps))))
    entries: list[FormEntry] = []
    for choice in form_choices(sop):
        if choice.kind is None:
            continue
        step = sop.step(choice.step)
        for each in (choice.kind, *COMPANIONS.get(choice.kind, ())):
            file = _file_name(step.number, each, width)
            entries.append(FormEntry(step.number, each, file, form_title(each, step)))
    return entries


def _short(text: str, width: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3].rstrip() + "..."


def choices_text(sop: Sop) -> str:
    """What `sop formulir SLUG` prints: every step, its form (with companions) and the words
    that chose it, then a summary line; an SOP without forms says it gets no formulir.pdf."""
    lines = [f"Formulir SOP {sop.number} {sop.name} ({sop.slug}):"]
    count = 0
    for choice in form_choices(sop):
        step = sop.step(choice.step)
        lines.append(f"  {choice.step}. {_short(step.description)}")
        if choice.kind is None:
            lines.append(f"     - {choice.reason}")
            continue
        kinds = (choice.kind, *COMPANIONS.get(choice.kind, ()))
        count += len(kinds)
        named = " + ".join(f"{form_title(k, step)} [{k}]" for k in kinds)
        lines.append(f"     -> {named}: {choice.reason}")
    if count:
        lines.append(f"{count} formulir, dicetak bersama dalam formulir.pdf.")
    else:
        lines.append(
            "SOP ini tidak mempunyai formulir (tidak ada formulir.pdf): tidak satu langkah pun "
            "berisi output atau kunci formulir."
        )
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- context


def _signer(official: Official) -> Signer:
    return Signer(official.position.rstrip(" .,"), official.name, official.nip_formatted)


def signers_for(office: Office, sop: Sop, step: Step) -> list[Signer]:
    """The step's actors as signature blocks; a lane id that is a pejabat key is pre-filled;
    an outside lane signs with name and signature only."""
    outside = sop.outside_lanes
    found = []
    for lane in step.actors:
        official = office.officials.get(lane)
        label = sop.lanes.get(lane, lane).rstrip(" .,")
        if lane in outside:
            found.append(Signer(label, outside=True))
        else:
            found.append(_signer(official) if official else Signer(label))
    return found


@dataclass(frozen=True)
class Requirements:
    """The papers a completeness check lists: items, and the step they were taken from."""

    items: tuple[str, ...]
    source_step: int

    @property
    def attachments(self) -> list[str]:
        """The items an applicant attaches: all but the application form itself."""
        return [i for i in self.items if not i.lower().startswith("formulir")]


def requirements_for(sop: Sop, step: Step) -> Requirements:
    """The kelengkapan items of a step; a single item naming an earlier step's output that
    lists several papers (a 'Berkas permohonan' handed in) is replaced by those papers; a
    bundle ('Berkas lengkap', checked before) is followed back as far as a step listing them."""
    own = requirement_items(step.requirements)
    items, source, seen = own, step, {step.number}
    while len(items) == 1:
        name = items[0].lower()
        found = [s for s in sop.steps if s.number not in seen and s.output.strip().lower() == name]
        theirs = requirement_items(found[0].requirements) if found else []
        if not (len(theirs) > 1 or (theirs and name.startswith("berkas"))):
            break
        items, source = theirs, found[0]
        seen.add(source.number)
    if len(items) == 1 and source is not step:
        return Requirements(tuple(own), step.number)
    return Requirements(tuple(items), source.number)


def application_papers(sop: Sop, step: Step) -> Requirements:
    """The papers an application form lists: the step's own kelengkapan items, or, when it
    lists none but the form, those of the next step of the same actors that hands the papers
    in (the form taken at step 1, the papers handed in with it at step 2)."""
    own = requirements_for(sop, step)
    if own.attachments:
        return own
    for other in sop.steps:
        if other.number > step.number and other.actors == step.actors:
            theirs = requirements_for(sop, other)
            if theirs.attachments:
                return theirs
    return own


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
        labels=decision_labels(step) or [],
        requirements=(
            application_papers(sop, step)
            if entry.kind == "permohonan"
            else requirements_for(sop, step)
        ),
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
    """One step of the blank paper checklist; `labels` are a decision's exit labels."""

    number: int
    description: str
    actors: str
    time: str
    labels: tuple[str, ...]

    @property
    def decision(self) -> bool:
        """True for a decision step."""
        return bool(self.labels)


@dataclass(frozen=True)
class ReworkBlock:
    """The rows for steps done again after a decision sends the work back.

    `labels` are the exits that go back (to `target`); `steps` the steps redone (target to
    the decision); `rows` how many blank rows to print (two rounds of the loop, at least 3).
    """

    number: int
    description: str
    labels: tuple[str, ...]
    target: int
    steps: tuple[int, ...]
    rows: int


def decision_exits(step: Step) -> list[tuple[str, int | None]]:
    """A decision's exits as (label, target step or None for the end), in the order written."""
    if step.decision is None:
        return []
    return [(exit_.label, exit_.target) for exit_ in step.decision.exits]


def checklist_rows(sop: Sop) -> list[ChecklistRow]:
    """The steps as the paper checklist lists them."""
    return [
        ChecklistRow(
            number=step.number,
            description=step.description,
            actors=", ".join(sop.lanes.get(a, a) for a in step.actors),
            time=str(step.time),
            labels=tuple(label for label, _ in decision_exits(step)),
        )
        for step in sop.steps
    ]


def _ahead(sop: Sop, start: int, stop: int) -> set[int]:
    """Steps reachable from `start` along the flow without going on past `stop`."""
    seen, todo = {start}, [start]
    while todo:
        n = todo.pop()
        if n == stop:
            continue
        for edge in flow.successors(sop, n):
            if edge.target is not None and edge.target not in seen:
                seen.add(edge.target)
                todo.append(edge.target)
    return seen


def _loop_steps(sop: Sop, decision: int, target: int) -> tuple[int, ...]:
    """The steps from `target` back to `decision` (the work done again); () when the exit
    does not come back."""
    ahead = _ahead(sop, target, decision)
    if decision not in ahead:
        return ()
    return tuple(n for n in sorted(ahead) if decision in _ahead(sop, n, decision))


def rework_blocks(sop: Sop) -> list[ReworkBlock]:
    """One block per decision with an exit (other than its first, the main path) that comes
    back to the decision, directly or through `lanjut`."""
    blocks = []
    for step in sop.steps:
        back: list[tuple[str, int, tuple[int, ...]]] = []
        for label, target in decision_exits(step)[1:]:
            steps = _loop_steps(sop, step.number, target) if target is not None else ()
            if steps:
                back.append((label, target, steps))
        if not back:
            continue
        steps = tuple(sorted({n for _, _, loop in back for n in loop}))
        blocks.append(
            ReworkBlock(
                number=step.number,
                description=step.description,
                labels=tuple(label for label, _, _ in back),
                target=min(target for _, target, _ in back),
                steps=steps,
                rows=max(3, min(2 * len(steps), 12)),
            )
        )
    return blocks


def checklist_html(ctx: RenderContext, sop: Sop) -> str:
    """The blank cycle checklist for offices that record a cycle on paper first."""
    return _render_shared(
        ctx,
        sop,
        "daftar-periksa",
        "Daftar Periksa Pelaksanaan SOP",
        rows=checklist_rows(sop),
        rework=rework_blocks(sop),
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
