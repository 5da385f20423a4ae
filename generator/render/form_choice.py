"""Which fill-in form a step gets, and the words that chose it.

A step's form is, in this order of precedence:

1. its `formulir` key (`formulir: tidak ada` or `-`: no form);
2. no form when the step has no output (empty or "-");
3. a decision: on completeness (its exit labels or its text speak of lengkap, kelengkapan,
   berkas, persyaratan) the *daftar periksa kelengkapan*; on approval (setuju, paraf,
   diterima/ditolak, dipenuhi) the *paraf* sheet; a decision written as a question
   ("Pindah dalam Kelurahan?") is a branch, not a task: no form; of another decision's
   uraian only the verb (its first word) is read below, and when nothing below names a
   document and its exits name cases rather than a verdict (no exit is ya/tidak or
   negated: "Dalam Kelurahan / Antar Kecamatan ..."), it is a branch by case: no form;
4. the words of its output against the table `WORDS` below; then, when the output names
   something that is no paper the office fills in (`NOT_DOCUMENTS`: a copy filed away, the
   bank's proof of a payment), no form; then the words of its kelengkapan (only names of
   documents the step issues, such as an invitation), then of its uraian, against `WORDS`;
5. else no form when the output is a bundle passed on, the information itself, the permit
   printed in its own format or a state reached (`NOT_DOCUMENTS_LAST`: "Berkas untuk
   didaftarkan", "Informasi yang diminta", "Izin tercetak", "Alamat terverifikasi");
6. else the letter form `surat` when the output opens with the name of a letter ("Surat
   permintaan ...", "Permintaan SKRD", "Jawaban atas keberatan"), titled with the output;
7. else the generic form `umum`, titled with the output (a document such as a berita acara
   or a plan the office writes).

An outside party's step (every actor a lane with `luar: true`) gets only the forms an office
hands to outsiders (`OUTSIDE_KINDS`): its other documents are its own, not the office's.

Texts are read as words: lower-cased, split into tokens (a hyphenated word such as
"perundang-undangan" is one token), and every term of the table matches whole tokens, so
"undangan" never matches inside "perundang-undangan". A term preceded by "tidak", "belum" or
"bukan" does not count ("Tidak meregistrasi berkas" is no register).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from generator.rules import NO_FORM_VALUES

GENERIC = "umum"
NEGATIONS = frozenset({"tidak", "belum", "bukan", "tanpa"})

# Form types an office gives to an outside party to fill in or sign.
OUTSIDE_KINDS = frozenset({"permohonan", "bukti-terima", "tanda-terima"})


@dataclass(frozen=True)
class Words:
    """The terms that select a form type and those that exclude it, each a phrase of tokens.

    A token of a term is a regular expression matched against a whole word. `names` are the
    terms also read in a step's kelengkapan: names of documents the step itself issues.
    """

    select: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()  # in an uraian, one of these must be there too


# First matching type wins within one text; the order settles texts naming two documents
# ("Laporan yang telah di paraf" is a paraf sheet, not a report).
WORDS: dict[str, Words] = {
    GENERIC: Words(select=("berita acara",)),
    "kelengkapan": Words(
        select=(
            "kelengkapan",
            "daftar periksa",
            "(memeriksa|pemeriksaan|meneliti|penelitian|memverifikasi|verifikasi) "
            "(kelengkapan|berkas|persyaratan|dokumen)",
            "(yang|berkas) (belum|tidak) lengkap",
        ),
    ),
    "tanda-terima": Words(
        select=(
            "bukti pengiriman",
            "ekspedisi",
            "(diteruskan|terdistribusi|didistribusikan|mendistribusikan)",
        ),
        names=("bukti pengiriman", "ekspedisi"),
    ),
    "bukti-terima": Words(
        select=(
            "tanda terima",
            "tanda bukti",
            "bukti penerimaan",
            "diterima",
            "bukti pembayaran",  # the cashier's receipt for a payment: a kuitansi
            "(kuitansi|kwitansi)",
        ),
        exclude=("yang diterima",),
        names=("tanda terima", "tanda bukti", "bukti penerimaan"),
    ),
    "undangan": Words(
        select=("undangan", "(mengundang|diundang|undang)"),
        names=("undangan",),
    ),
    "notula": Words(select=("(notula|notulen|notulensi)",), names=("(notula|notulen|notulensi)",)),
    "daftar-hadir": Words(select=("daftar hadir", "presensi"), names=("daftar hadir", "presensi")),
    "disposisi": Words(
        select=(
            "(disposisi|didisposisi|didisposisikan|mendisposisikan|mendisposisi)",
            "(memerintahkan|menugaskan|perintah)",
        ),
        exclude=("surat perintah", "(membaca|dibaca|terbaca)"),
    ),
    "surat-penolakan": Words(
        select=("surat penolakan", "penolakan", "(menolak|ditolaknya)"),
        exclude=("rekomendasi penolakan",),
    ),
    "surat-keterangan": Words(select=("surat keterangan", "keterangan")),
    "paraf": Words(
        select=(
            "(paraf|diparaf|memaraf|memparaf|paraf-paraf)",
            "(persetujuan|disetujui|menyetujui|setuju)",
            "(memeriksa|diperiksa|meneliti|diteliti|memverifikasi|diverifikasi)",
        ),
    ),
    "pengesahan": Words(
        select=(
            "tanda (tangan|tangani)",
            "(tandatang|ditandatang|menandatang|penandatangan)[a-z]*",
            "(disahkan|mengesahkan|pengesahan|legalisasi|dilegalisasi)",
        ),
    ),
    "register": Words(
        select=(
            "(register|registrasi|meregistrasi|diregistrasi|teregistrasi)",
            "(tercatat|terdaftar|terdata|mencatat|dicatat|pencatatan)",
            "(agenda|mengagendakan|diagendakan)",
            "buku pendaftaran",
        ),
    ),
    "rekap": Words(
        select=(
            "(rekap|rekapitulasi|merekap|direkap)",
            "data hasil",
            "(mengolah|pengolahan|olah) data",
        ),
        exclude=("(entry|entri|input|menginput|diinput|menginput)",),
    ),
    "instrumen": Words(
        select=("(instrumen|kuesioner|angket)",), names=("(instrumen|kuesioner|angket)",)
    ),
    "permohonan": Words(
        select=(
            "permohonan",
            "formulir (pendaftaran|permintaan)",
            "(keberatan|pengaduan)",
        ),
        exclude=(
            "(diproses|memproses|meneruskan|diteruskan|tercatat|terdaftar|sengketa|jawaban)",
            "(mengarsipkan|diarsipkan|arsip|mencetak|dicetak)",
            "(gugatan|gugat)",  # a court claim is the claimant's own letter
        ),
        verbs=("(mengisi|mengajukan|membawa|melapor|mengambil|datang)",),
    ),
    "laporan": Words(select=("laporan",), names=()),
    "rincian-biaya": Words(
        select=(
            "skum",
            "surat kuasa untuk membayar",
            "(rincian|taksiran|perincian) biaya",
            "panjar biaya",
        ),
        exclude=("(lunas|dibayar|membayar|setoran|penyetoran|bukti)",),
    ),
}

# Outputs that are no paper the office fills in, by why not. Checked on the output after
# `WORDS`, before the kelengkapan and the uraian (a copy filed away, whatever the uraian says).
NOT_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "salinan yang disimpan sebagai arsip": ("(arsip|diarsipkan|pengarsipan)",),
    "bukti yang diterbitkan bank atau penerima pembayaran": (
        "(bukti|slip) (setor|setoran|penyetoran|transfer)",
    ),
    "surat yang ditulis pihak berperkara sendiri": ("surat gugatan", "gugatan"),
}
# Checked last, when no word chose a form: what the output's first word names, or a state
# reached anywhere in it ("Jenis pelaksanaan terisi").
STATE = "keadaan yang dicapai, bukan kertas yang diisi"
NOT_DOCUMENTS_LAST: dict[str, tuple[str, ...]] = {
    "berkas yang diteruskan atau dikembalikan, bukan dokumen baru": ("berkas",),
    "informasi itu sendiri, bukan formulir": ("informasi",),
    "izin itu sendiri, dicetak menurut bentuk izinnya": ("izin",),
    STATE: ("(pemohon|alamat|keputusan)",),
}
STATE_WORDS = "(terverifikasi|terbaca|terisi|tercetak|mendapat|diberitahu)"
# Checked last too: an output whose first words name a letter the office writes ("Surat
# permintaan pembayaran", "Permintaan SKRD", "Jawaban atas keberatan", "Nota dinas") gets
# the letter form `surat`, titled with the output, rather than the generic form.
LETTER = "surat"
LETTER_HEADS = ("surat", "(permintaan|jawaban|tanggapan|balasan)", "nota dinas")
FILING_VERB = "(mengarsipkan|menyimpan)"

# (kind or None, source, words) of a choice; see `FormChoice`.
Found = tuple[str | None, str, tuple[str, ...]]

# Decisions.
COMPLETENESS = ("(lengkap|kelengkapan|persyaratan|berkas)",)
APPROVAL = (
    "(setuju|disetujui|menyetujui|persetujuan|paraf|diparaf|memaraf)",
    "(diterima|ditolak|dipenuhi|sah|disahkan|tolak|terima)",
)


@dataclass(frozen=True)
class FormChoice:
    """The form of one step and why: `kind` None means no form.

    `source` says what decided: "formulir" (the key), "keputusan" (the decision rule),
    "output", "kelengkapan", "uraian" (their words), "bawaan" (nothing matched: generic
    form), or for no form "tanpa-output", "tidak-ada", "pertanyaan", "cabang", "luar",
    "bukan-dokumen" (the output is no paper the office fills in; `words` are the words
    that say so, then why), "sama" (the application form of an earlier step; `words` are
    its step number and title).
    `words` are the words of the step that chose it, as written (lower case).
    """

    step: int
    kind: str | None
    title: str
    source: str
    words: tuple[str, ...] = field(default=())

    @property
    def reason(self) -> str:
        """Why this form, in Indonesian, e.g. 'output memuat "surat penolakan"'."""
        quoted = ", ".join(f'"{w}"' for w in self.words)
        return {
            "formulir": f"ditulis pada kunci formulir ({quoted})",
            "keputusan": f"keputusan tentang {quoted}",
            "output": f"output memuat {quoted}",
            "kelengkapan": f"kelengkapan memuat {quoted}",
            "uraian": f"uraian memuat {quoted}",
            "bawaan": "tidak ada kata yang dikenali: formulir umum berjudul output",
            "tanpa-output": 'tanpa formulir: langkah ini tidak berisi output (kosong atau "-")',
            "tidak-ada": "tanpa formulir: ditulis formulir: tidak ada",
            "pertanyaan": "tanpa formulir: keputusan berupa pertanyaan, bukan pekerjaan",
            "cabang": f"tanpa formulir: keputusan memilih jalan menurut jenisnya ({quoted}), "
            "bukan pekerjaan yang menghasilkan dokumen",
            "luar": "tanpa formulir: langkah pihak luar; dokumennya bukan formulir kantor"
            + (f" ({quoted})" if quoted else ""),
            "sama": "tanpa formulir: permohonan yang sama memakai formulir langkah "
            + " (".join(self.words[:2])
            + (")" if len(self.words) > 1 else ""),
            "bukan-dokumen": "tanpa formulir: output bukan formulir yang diisi di kantor"
            + (f' ("{self.words[0]}": {self.words[1]})' if len(self.words) == 2 else ""),
        }[self.source]


def tokens(text: str) -> list[str]:
    """The words of a text, lower case; a hyphenated word is one token."""
    return re.findall(r"[0-9a-z]+(?:-[0-9a-z]+)*", text.lower())


@functools.cache
def _compiled(term: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in term.split(" "))


def locate(words: list[str], term: str) -> tuple[int, str] | None:
    """(position, words) of a term's first match (a phrase of token patterns), not after a
    negation; None when absent."""
    parts = _compiled(term)
    for i in range(len(words) - len(parts) + 1):
        if all(p.fullmatch(words[i + k]) for k, p in enumerate(parts)):
            negated = i > 0 and words[i - 1] in NEGATIONS and not parts[0].fullmatch("tidak")
            if not negated:
                return i, " ".join(words[i : i + len(parts)])
    return None


def _earliest(words: list[str], terms: tuple[str, ...]) -> tuple[int, str] | None:
    found = [hit for term in terms if (hit := locate(words, term))]
    return min(found) if found else None


def _first(words: list[str], terms: tuple[str, ...]) -> str | None:
    hit = _earliest(words, terms)
    return hit[1] if hit else None


def match_text(text: str, where: str = "output") -> tuple[str, str] | None:
    """(form type, words that chose it) for a text, or None.

    `where` is "output" (the table's order decides), "kelengkapan" (only document names) or
    "uraian" (the match earliest in the text decides: the first verb is the main task).
    """
    words = tokens(text)
    found: list[tuple[int, int, str, str]] = []
    for rank, (kind, table) in enumerate(WORDS.items()):
        hit = _earliest(words, table.names if where == "kelengkapan" else table.select)
        if not hit or _first(words, table.exclude):
            continue
        if where == "uraian" and table.verbs and not _first(words, table.verbs):
            continue
        found.append((hit[0] if where == "uraian" else 0, rank, kind, hit[1]))
    if not found:
        return None
    _, _, kind, hit_words = min(found)
    return kind, hit_words


def is_blank(text: str) -> bool:
    """True for an empty text or a lone dash (how offices write 'none')."""
    return text.strip() in ("", "-", "\u2013", "\u2014")


def decision_kind(description: str, output: str, labels: list[str]) -> tuple[str, str] | None:
    """The form a decision step needs: ('kelengkapan'|'paraf', words) or None."""
    label_words = tokens(" ".join(labels))
    hit = _first(label_words, COMPLETENESS) or _first(tokens(description), COMPLETENESS)
    if hit:
        return "kelengkapan", " / ".join(labels) if _first(label_words, COMPLETENESS) else hit
    hit = _first(label_words, APPROVAL)
    if hit:
        return "paraf", " / ".join(labels)
    hit = _first(tokens(description), APPROVAL[:1]) or _first(tokens(output), APPROVAL[:1])
    return ("paraf", hit) if hit else None


def names_cases(labels: list[str]) -> bool:
    """True when a decision's exit labels name cases ("Dalam Kelurahan", "Antar Kecamatan
    dalam satu Kota"), not a verdict: no label is "ya" or "tidak" and none is negated
    ("Tidak puas", "Belum lengkap"). Unlabelled exits (Ya/Tidak) are a verdict."""
    return len(labels) >= 2 and not any(
        set(tokens(label)) & ({"ya"} | NEGATIONS) for label in labels
    )


def infer(
    number: int,
    description: str,
    requirements: str,
    output: str,
    form: str,
    labels: list[str] | None,
    outside: bool = False,
) -> tuple[str | None, str, tuple[str, ...]]:
    """(kind or None, source, words) for a step's texts; see the module docstring.

    `labels` are a decision's exit labels (None for a plain step); `outside` is True when
    every actor of the step is an outside lane. A pure function of its texts, remembered
    (a site asks it for every step's page row and form list on every rebuild).
    """
    labels_key = tuple(labels) if labels is not None else None
    return _infer(description, requirements, output, form, labels_key, outside)


@functools.lru_cache(maxsize=65536)
def _infer(
    description: str,
    requirements: str,
    output: str,
    form: str,
    labels_key: tuple[str, ...] | None,
    outside: bool,
) -> tuple[str | None, str, tuple[str, ...]]:
    labels = list(labels_key) if labels_key is not None else None
    if form.strip().lower() in NO_FORM_VALUES:
        return None, "tidak-ada", ()
    if form:
        return form, "formulir", (form,)
    if is_blank(output):
        return None, "tanpa-output", ()
    found: Found | None = None
    if labels is not None:
        decided = decision_kind(description, output, labels)
        if decided:
            found = (decided[0], "keputusan", (decided[1],))
        elif description.rstrip().endswith("?"):
            return None, "pertanyaan", ()
    if found is None:
        # A decision's uraian names what is judged, not what is made: only its verb counts.
        verb = " ".join(tokens(description)[:1]) if labels is not None else description
        found = _from_texts(verb, requirements, output)
    if found is None and labels is not None and names_cases(labels):
        return None, "cabang", (" / ".join(labels),)
    if found is None:
        last = not_document_last(output)
        if last and not outside:
            return None, "bukan-dokumen", last
        if outside:
            return None, "luar", ()
        letter = letter_head(output)
        return (LETTER, "output", (letter,)) if letter else (GENERIC, "bawaan", ())
    kind, source, words = found
    if kind is None:  # no document; an outside party's step says so as such
        return (None, "luar", words[:1]) if outside else (None, source, words)
    if outside and kind not in OUTSIDE_KINDS:
        return None, "luar", words
    return kind, source, words


def _from_texts(description: str, requirements: str, output: str) -> Found | None:
    """Output, then what is no document (`NOT_DOCUMENTS`), then kelengkapan (document
    names), then uraian. A step passing its kelengkapan on unchanged as its output is
    decided by what it does (its uraian) first."""
    if output.strip().lower() == requirements.strip().lower():
        order = [("uraian", description), ("output", output)]
    else:
        order = [("output", output), ("-", ""), ("kelengkapan", requirements)]
        order.append(("uraian", description))
    for source, text in order:
        if source == "-":
            why = not_document(output, description)
            if why:
                return None, "bukan-dokumen", why
            continue
        if is_blank(text):
            continue
        hit = match_text(text, source)
        if hit:
            return hit[0], source, (hit[1],)
    return None


def not_document(output: str, description: str) -> tuple[str, str] | None:
    """(words, why) when the output is no paper the office fills in (`NOT_DOCUMENTS`), or
    the uraian opens with a filing verb ("Mengarsipkan ..."); None otherwise."""
    words = tokens(output)
    for why, terms in NOT_DOCUMENTS.items():
        hit = _first(words, terms)
        if hit:
            return hit, why
    verb = tokens(description)[:1]
    if verb and locate(verb, FILING_VERB):
        return verb[0], next(iter(NOT_DOCUMENTS))
    return None


def not_document_last(output: str) -> tuple[str, str] | None:
    """(words, why) when an output no word chose a form for is no document: its first word
    names a bundle, the information, the permit or a party (`NOT_DOCUMENTS_LAST`), or it
    speaks of a state reached (`STATE_WORDS`)."""
    words = tokens(output)
    for why, terms in NOT_DOCUMENTS_LAST.items():
        if words and any(locate(words[:1], term) for term in terms):
            return words[0], why
    hit = locate(words, STATE_WORDS)
    return (hit[1], STATE) if hit else None


def letter_head(output: str) -> str | None:
    """The words opening an output that name a letter (`LETTER_HEADS`), or None."""
    words = tokens(output)
    for term in LETTER_HEADS:
        hit = locate(words, term)
        if hit and hit[0] == 0:
            return hit[1]
    return None


def requirement_items(text: str) -> list[str]:
    """The items of a kelengkapan: list items (their marks "- ", "1. ", "a. " dropped), else
    split on ';', else on commas outside brackets. Blank and '-' items are dropped."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    listed = [re.sub(r"^(-|\*|[0-9]+[.)]|[a-z][.)])\s+", "", line) for line in lines]
    if len(lines) > 1:
        parts = listed
    elif ";" in text:
        parts = text.split(";")
    else:
        parts = re.split(r",\s*(?![^()]*\))", text)
    return [p.strip().rstrip(".") for p in parts if not is_blank(p)]
