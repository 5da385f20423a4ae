"""Which form every step gets: a table over the seed, the fixtures and real SOPs of other
offices, written by reading each step as a clerk would; the traps of issue 17; the reasons."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.loader import load_project
from generator.model import Sop, Step
from generator.render import form_choice, forms
from tests.conftest import TEMPLATES

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "fixtures" / "real-sops"  # in their own wording (issue 14)

U, N, S = "umum", None, "surat"  # generic form; no form; a letter

# The form of every step, in step order, with the `formulir` keys removed (what inference
# alone gives a clerk who leaves `formulir:` empty). Outside parties are the lanes each file
# marks `luar: true` (the real SOPs mark the applicant, the bank, UPPU, DPMPTSP, Disdukcapil,
# and kel-pulutan's Kecamatan: another office than the kelurahan). N: no form, because the
# output is no paper the office fills in (a copy filed, the bank's slip, a bundle passed on,
# the information itself, a state reached) or the step is an outside party's.
EXPECTED: dict[str, list[str | None]] = {
    # Seed: the printed SOP's own forms.
    "evaluasi-kinerja-kecamatan": [
        "undangan",  # kelengkapan names the invitation the Camat sends
        "notula",
        "instrumen",
        "rekap",  # processing the filled instruments
        "laporan",
        "paraf",  # decision: checked and initialled
        "pengesahan",  # signed
        "disposisi",  # "Memerintahkan": an order
        "tanda-terima",  # proof of dispatch
    ],
    "pengadaan-barang-jasa": [
        U,  # Rencana kebutuhan
        "paraf",  # checked and approved
        U,  # Draft spesifikasi dan HPS: a draft of specifications is no report
        "surat-keterangan",  # Keterangan ketersediaan dana
        "kelengkapan",  # decision on the completeness of the preparation documents
        U,
        S,  # Surat permintaan pengadaan (its key says disposisi)
        U,
        "notula",
        "undangan",
        U,  # berita acara: the generic form titled with it
        U,  # evaluation decision, neither completeness nor approval
        U,  # berita acara
        U,  # berita acara
        "pengesahan",  # contract signed
        "register",  # Register kontrak
        "laporan",
        "bukti-terima",  # Barang diterima: a receipt slip
        U,  # Berita acara pemeriksaan (decision on conformity, not approval)
        "bukti-terima",  # goods returned against a receipt
        U,  # berita acara serah terima
        "register",  # recorded in the inventory list
        S,  # Surat permintaan pembayaran
        "paraf",  # payment documents checked
        U,  # Surat perintah membayar: not an order to a subordinate
        "paraf",  # decision: check and approve the SPM
        U,
        "pengesahan",
        N,  # Bukti transfer: the bank's proof
        N,  # Arsip pengadaan: papers filed away
    ],
    "pelayanan-pengelolaan-surat-masuk": [
        "bukti-terima",  # a receipt for the courier
        "register",  # registered in the incoming-letter register
        "disposisi",  # the disposition sheet goes with the letter to the Ketua
        "disposisi",
        "disposisi",
        N,  # reading the disposition: "Isi surat dan disposisi terbaca" is a state
        N,  # Jenis pelaksanaan terisi: a field of the application software
        N,  # Berkas surat: the letters picked up, no new paper
        "tanda-terima",  # distributes the letters: the dispatch book
        "bukti-terima",  # received by the section
    ],
    "sintetis-0989": [
        N,  # archiving applications: no application form, no paper
        "daftar-hadir",
        "tanda-terima",  # distributing files: the dispatch book
        N,  # archiving
        "rekap",
        "paraf",  # verifying
        N,  # processing a bundle of files: "Berkas ... selesai diproses"
        U,  # discussing a budget proposal
        U,  # "konsep surat keputusan": no report
        N,  # archiving
        S,  # nota dinas: a letter
        "pengesahan",  # signing
        "pengesahan",  # decision, signing
        "daftar-hadir",
        "laporan",
        "paraf",  # checking
    ],
    # Real SOPs of other offices.
    "permohonan-informasi": [
        N,  # the applicant comes: output "-"
        "permohonan",  # the request form the office hands out
        "bukti-terima",  # proof of receipt of the request
        "register",  # recorded in the register book
        "paraf",  # PPID decides: Dipenuhi / Ditolak
        N,  # Informasi yang diminta: the information itself ("yang diterima" is no receipt)
        "bukti-terima",  # information handed over against a receipt
        "surat-penolakan",  # "... peraturan perundang-undangan": no invitation
        N,  # the applicant's own judgement (Puas / Tidak puas)
        "permohonan",  # the objection form
        S,  # the answer to the objection, a letter ("keberatan" there is no application)
        N,  # the applicant's judgement
        N,  # a dispute filed with the Komisi Informasi: not the office's form
    ],
    "mekanisme-perizinan": [
        "permohonan",  # the registration form
        N,  # the application handed in: the same form as step 1's
        "kelengkapan",  # decision Lengkap / Belum lengkap
        "kelengkapan",  # "Tidak meregistrasi ... yang belum lengkap": what is missing
        S,  # Surat tugas Tim Teknis: the letter form in its surat tugas layout
        "paraf",  # recommendation: Diterima / Ditolak
        "surat-penolakan",
        N,  # "Izin tercetak": the permit in its own format; no receipt, no report
        "pengesahan",
        N,  # Izin berstempel dan arsip: stamped and filed
        N,  # the applicant is phoned: "Pemohon mendapat pemberitahuan" is a state
        "bukti-terima",  # permit handed over
    ],
    "legalisasi-sktm": [
        "permohonan",  # the applicant's file: an application with its fields
        "kelengkapan",  # Lengkap / Tidak lengkap
        "kelengkapan",  # verification, Lengkap / Tidak lengkap, before the paraf
        "paraf",
        "pengesahan",  # the legalisation signed
        "disposisi",  # an order to register
        "bukti-terima",
    ],
    "sk-tanggungan-keluarga": [
        "permohonan",
        "tanda-terima",  # receives, checks and passes the file on: the internal dispatch book
        "kelengkapan",  # Lengkap / Belum lengkap
        "tanda-terima",  # passes the file on
        "kelengkapan",  # checks again: Lengkap / Belum lengkap
        "paraf",  # the Sekcam checks
        "surat-keterangan",  # the Camat signs the statement
        "register",  # register number
        N,  # "Arsip 1 rangkap": a copy filed (its register number is step 8's)
        "bukti-terima",  # handed to the applicant
    ],
    "paten-imb": [
        "permohonan",
        S,  # request to measure: a letter to UPPU
        N,  # UPPU's own document
        S,  # request for the SKRD: a letter to the DPMPTSP
        N,  # DPMPTSP's SKRD
        "bukti-terima",  # SKRD handed to the applicant
        "bukti-terima",  # the applicant pays the PATEN cashier, who gives a receipt
        N,  # Bukti setor retribusi: the bank's (or treasurer's) slip
        "bukti-terima",  # the permit handed over
    ],
    "surat-keterangan-pindah-datang": [
        N,  # joint step of applicant and kelurahan: "Alamat tujuan terverifikasi", a state
        N,  # the kind of move picks the way (four exits naming the cases): no paper
        "surat-keterangan",  # printed at the Kelurahan
        N,  # the Kecamatan (another office) processes the application
        "surat-keterangan",  # printed at the Kelurahan after the Kecamatan
        N,  # printed at the Kecamatan: its own letter, not the kelurahan's
        N,  # issued by the Disdukcapil (outside)
    ],
    "surat-keterangan-pindah": [
        "permohonan",  # the applicant fills in and signs the form
        N,  # reports with the required papers: the form of step 1, which lists them
        "pengesahan",  # the Lurah signs
        N,  # the kind of move picks the way (four exits naming the cases): no paper
        "surat-keterangan",  # the Kelurahan issues the letter
        N,  # the Kecamatan (another office) issues its own letter
        N,  # the Disdukcapil's letter (outside)
    ],
    "pendaftaran-perkara": [
        N,  # the claim is the claimant's own letter (surat gugatan), no court form
        "rincian-biaya",  # the SKUM: the court's assessment of the advance on costs
        "bukti-terima",  # SKUM and claim handed back
        N,  # applicant and bank: the bank's slip
        "bukti-terima",  # the applicant hands the file to the cashier
        "register",  # recorded in the journal
        N,  # "Berkas untuk didaftarkan di meja II": the bundle handed back, no new paper
        "register",  # recorded in the case register
    ],
}

# Every data folder (one with an instansi.yaml) among the fixtures and the real SOPs.
FOLDERS = [ROOT / "sop_data"]
FOLDERS += sorted(p.parent for p in (ROOT / "tests" / "fixtures").glob("*/instansi.yaml"))
FOLDERS += sorted(p.parent for p in REAL.glob("*/instansi.yaml"))


def all_sops() -> list[Sop]:
    """Every SOP of the seed, the fixtures and the real SOPs."""
    return [sop for folder in FOLDERS for sop in load_project(folder, TEMPLATES).sops]


def unmarked(sop: Sop) -> Sop:
    """The SOP with no lane marked `luar: true`."""
    specs = {
        lane_id: lane.model_copy(update={"outside": False})
        for lane_id, lane in sop.lane_specs.items()
    }
    return sop.model_copy(update={"lane_specs": specs})


def inferred(sop: Sop) -> list[str | None]:
    """Each step's form by inference alone (no `formulir` keys), outside lanes as marked."""
    bare = [step.model_copy(update={"form": ""}) for step in sop.steps]
    return [c.kind for c in forms.form_choices(sop.model_copy(update={"steps": bare}))]


SOPS = all_sops()


def test_every_sop_is_in_the_table() -> None:
    assert sorted(s.slug for s in SOPS) == sorted(EXPECTED)


@pytest.mark.parametrize("sop", SOPS, ids=lambda s: s.slug)
def test_each_step_gets_the_form_a_clerk_expects(sop: Sop) -> None:
    expected = EXPECTED[sop.slug]
    got = inferred(sop)
    assert len(got) == len(expected) == len(sop.steps)
    wrong = [
        f"{n}. {step.description[:50]!r}: {g} (diharapkan {e})"
        for n, (step, g, e) in enumerate(zip(sop.steps, got, expected, strict=True), 1)
        if g != e
    ]
    assert not wrong, "\n".join(wrong)


def step_of(**keys: object) -> Step:
    data = {"uraian": "Melakukan sesuatu", "pelaksana": "staf", "waktu": "1 jam", **keys}
    return Step.model_validate(data)


def decision(yes: str, no: str) -> dict[str, object]:
    return {"ya": 2, "tidak": 1, "label_ya": yes, "label_tidak": no}


@pytest.mark.parametrize(
    ("keys", "kind"),
    [
        # "undang" inside "perundang-undangan" is no invitation.
        (
            {
                "uraian": "Menolak permohonan sesuai ketentuan perundang-undangan",
                "output": "Surat pemberitahuan sesuai ketentuan perundang-undangan",
            },
            "surat-penolakan",
        ),
        ({"output": "Jawaban sesuai peraturan perundang-undangan"}, S),
        # "konsep" is no report.
        ({"uraian": "Mencetak konsep izin", "output": "Konsep izin"}, U),
        ({"uraian": "Menyusun konsep surat rekomendasi", "output": "Konsep surat rekomendasi"}, U),
        ({"uraian": "Menyusun konsep laporan", "output": "Konsep laporan"}, "laporan"),
        # "entry data" is no summary table.
        ({"uraian": "Melakukan entry data pemohon", "output": "Entry data pemohon"}, U),
        ({"uraian": "Merekap data pemohon", "output": "Rekap data pemohon"}, "rekap"),
        # Inspecting a site is no approval.
        ({"uraian": "Meninjau lokasi", "output": "Hasil peninjauan lokasi"}, U),
        # A completeness decision lists the papers; an approval decision gets the paraf sheet.
        (
            {
                "uraian": "Memeriksa kelengkapan berkas",
                "output": "Berkas diperiksa",
                "keputusan": decision("Lengkap", "Tidak lengkap"),
            },
            "kelengkapan",
        ),
        (
            {
                "uraian": "Menelaah berkas permohonan",
                "output": "Hasil telaah",
                "keputusan": decision("Ya", "Tidak"),
            },
            "kelengkapan",
        ),
        (
            {
                "uraian": "Menelaah konsep surat",
                "output": "Konsep surat",
                "keputusan": decision("Setuju", "Perbaiki"),
            },
            "paraf",
        ),
        # A decision asked as a question is a branch: no form.
        (
            {
                "uraian": "Pindah dalam kota?",
                "output": "Klasifikasi",
                "keputusan": decision("Ya", "Tidak"),
            },
            N,
        ),
        # So is a decision whose exits name cases, when nothing names a document.
        (
            {
                "uraian": "Menentukan jenis pindah",
                "output": "Klasifikasi pindah",
                "keputusan": {"Dalam kota": 2, "Antar kota": 1, "Antar provinsi": "selesai"},
            },
            N,
        ),
        # A verdict (ya/tidak or a negated exit) on a document is no branch.
        (
            {
                "uraian": "Menentukan jenis pindah",
                "output": "Klasifikasi pindah",
                "keputusan": {"Pindah": 2, "Tidak pindah": 1},
            },
            U,
        ),
        (
            {
                "uraian": "Menentukan jenis pindah",
                "output": "Berita acara klasifikasi",
                "keputusan": {"Dalam kota": 2, "Antar kota": 1},
            },
            U,
        ),
        # A negated verb does not count.
        ({"uraian": "Tidak meregistrasi berkas", "output": "Berkas dikembalikan"}, N),
        ({"uraian": "Tidak meregistrasi berkas", "output": "Berita acara pengembalian"}, U),
        # What is no paper the office fills in gets no form, whatever the uraian says.
        ({"uraian": "Memberi nomor register dan mengarsipkan", "output": "Arsip 1 rangkap"}, N),
        ({"uraian": "Mengarsipkan surat masuk", "output": "Surat selesai diproses"}, N),
        ({"uraian": "Menyetor retribusi", "output": "Bukti setor retribusi"}, N),
        # A payment to the office's cashier is receipted by the office: a receipt slip.
        ({"uraian": "Membayar retribusi", "output": "Bukti pembayaran retribusi"}, "bukti-terima"),
        ({"output": "Kuitansi pembayaran"}, "bukti-terima"),
        # A decision's outcome is no paper.
        ({"output": "Keputusan pemohon", "keputusan": {"Puas": "selesai", "Tidak puas": 1}}, N),
        ({"uraian": "Memproses permohonan", "output": "Informasi yang diminta"}, N),
        ({"uraian": "Mencetak izin", "output": "Izin tercetak"}, N),
        ({"uraian": "Mengisi data pada aplikasi", "output": "Data pemohon terisi"}, N),
        # A court's SKUM is a form: the costs assessed; once paid it is entered in the journal.
        ({"uraian": "Menaksir panjar biaya perkara", "output": "SKUM 4 lembar"}, "rincian-biaya"),
        (
            {"uraian": "Mencatat panjar biaya ke buku jurnal", "output": "SKUM lunas"},
            "register",
        ),
        # A court claim is the claimant's own letter, no application form.
        ({"output": "Surat gugatan/permohonan diserahkan"}, N),
        # The applicant's own step gets the application form with its fields.
        ({"uraian": "Menyerahkan berkas permohonan", "output": "Berkas permohonan"}, "permohonan"),
        # An office step processing an application issues none: no application form, and
        # "Izin diproses" is a state.
        ({"uraian": "Memproses permohonan izin", "output": "Izin diproses"}, N),
        ({"uraian": "Memproses permohonan izin", "output": "Konsep izin"}, U),
        ({"output": "Surat penolakan beserta alasan"}, "surat-penolakan"),
        ({"output": "Surat Keterangan Domisili"}, "surat-keterangan"),
        ({"output": "-"}, N),
        ({"output": ""}, N),
        ({"output": "Surat undangan", "formulir": "tidak ada"}, N),
        ({"output": "Surat undangan", "formulir": "Tidak Ada"}, N),
    ],
)
def test_traps(keys: dict[str, object], kind: str | None) -> None:
    assert forms.form_type(step_of(**keys)) == kind


def test_outside_step_gets_only_forms_the_office_hands_out() -> None:
    words = ("Mengisi formulir permohonan", "", "Formulir permohonan terisi", "", None)
    assert form_choice.infer(1, *words, outside=True)[0] == "permohonan"
    note = ("Menulis catatan pembayaran", "", "Catatan pembayaran", "", None)
    assert form_choice.infer(1, *note, outside=True)[:2] == (None, "luar")
    assert form_choice.infer(1, *note, outside=False)[0] == U
    # The bank's slip is no paper of the office, whoever's step it is.
    slip = ("Membayar ke bank", "", "Slip setoran", "", None)
    assert form_choice.infer(1, *slip, outside=True) == (None, "luar", ("slip setoran",))
    assert form_choice.infer(1, *slip, outside=False)[:2] == (None, "bukan-dokumen")


def test_tokens_keep_hyphenated_words_whole() -> None:
    assert form_choice.tokens("Sesuai perundang-undangan; SKUM (4 lembar)") == [
        "sesuai",
        "perundang-undangan",
        "skum",
        "4",
        "lembar",
    ]


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("Fotocopy KTP, Fotocopy KK", ["Fotocopy KTP", "Fotocopy KK"]),
        (
            "Surat Pengantar RT, RW dan Lurah; KTP Elektronik Asli; KK (bila pindah, semua)",
            ["Surat Pengantar RT, RW dan Lurah", "KTP Elektronik Asli", "KK (bila pindah, semua)"],
        ),
        ("- KTP\n- KK\n1. Akta", ["KTP", "KK", "Akta"]),
        ("a. Surat Pengantar RT\nb. KTP", ["Surat Pengantar RT", "KTP"]),
        ("-", []),
        ("", []),
    ],
)
def test_requirement_items(text: str, items: list[str]) -> None:
    assert form_choice.requirement_items(text) == items


# --------------------------------------------------------------------------- reasons


def sop_named(slug: str) -> Sop:
    return next(s for s in SOPS if s.slug == slug)


def test_form_choices_give_kind_title_and_words() -> None:
    choices = forms.form_choices(sop_named("permohonan-informasi"))
    assert [c.step for c in choices] == list(range(1, 14))
    first, refusal = choices[0], choices[7]
    assert (first.kind, first.source) == (None, "tanpa-output")
    assert first.reason == 'tanpa formulir: langkah ini tidak berisi output (kosong atau "-")'
    assert (refusal.kind, refusal.title, refusal.words) == (
        "surat-penolakan",
        "Surat Penolakan",
        ("surat penolakan",),
    )
    assert refusal.reason == 'output memuat "surat penolakan"'
    check = forms.form_choices(sop_named("legalisasi-sktm"))[1]
    assert check.reason == 'keputusan tentang "Lengkap / Tidak lengkap"'
    branch = forms.form_choices(sop_named("surat-keterangan-pindah"))[3]
    assert (branch.kind, branch.source) == (None, "cabang")
    assert branch.reason == (
        'tanpa formulir: keputusan memilih jalan menurut jenisnya ("Pindah dalam Kelurahan / '
        "Pindah antar Kelurahan dalam satu Kecamatan / Pindah antar Kecamatan dalam satu Kota / "
        'Pindah antar Kabupaten/Kota dan/atau antar Provinsi"), bukan pekerjaan yang '
        "menghasilkan dokumen"
    )
    seed = forms.form_choices(sop_named("evaluasi-kinerja-kecamatan"))[0]
    assert seed.reason == 'ditulis pada kunci formulir ("undangan")'


def test_one_application_one_form() -> None:
    from tests.render.test_forms import context, text_of

    sop = sop_named("surat-keterangan-pindah")
    second = forms.form_choices(sop)[1]
    assert (second.kind, second.source) == (None, "sama")
    assert second.reason == (
        "tanpa formulir: permohonan yang sama memakai formulir langkah 1 "
        "(Formulir Permohonan Pindah)"
    )
    # Step 1's form lists the papers step 2 hands in with it.
    project = load_project(REAL / "kel-pulutan", TEMPLATES)
    entry = next(e for e in forms.forms_for(context(project), sop) if e.step == 1)
    assert (entry.kind, entry.title) == ("permohonan", "Formulir Permohonan Pindah")
    text = text_of(forms.form_html(context(project), sop, entry))
    assert "dengan ini mengajukan permohonan pindah atas Surat Keterangan Pindah" in text
    assert "KTP Elektronik Asli" in text and "Pas Foto Pemohon sebanyak 8 lembar" in text
    # A second application of another kind (an objection) is a form of its own.
    assert forms.form_choices(sop_named("permohonan-informasi"))[9].kind == "permohonan"


def test_completeness_form_lists_the_papers_handed_in() -> None:
    sop = sop_named("legalisasi-sktm")
    found = forms.requirements_for(sop, sop.step(2))
    assert found.source_step == 1
    assert found.items == (
        "Asli surat keterangan tidak mampu yang ditandatangani Lurah",
        "Fotocopy KTP pemohon",
        "Fotocopy Kartu Keluarga",
        "Surat pernyataan tidak mampu",
    )
    own = forms.requirements_for(
        sop_named("sk-tanggungan-keluarga"), sop_named("sk-tanggungan-keluarga").step(1)
    )
    assert own.items[:2] == ("Fotocopy KTP", "Fotocopy Kartu Keluarga")


# --------------------------------------------------------------------------- the site page


def page_of(sop: Sop) -> str:
    from generator.render import page
    from tests.render.test_forms import context

    project = load_project(ROOT / "sop_data", TEMPLATES)
    return page.sop_page(context(project), sop, [])


def test_site_page_shows_each_steps_reason() -> None:
    text = page_of(sop_named("permohonan-informasi"))
    assert (
        'Surat Penolakan <span class="sop-belum">(belum tersedia)</span><br>'
        '<small class="sop-alasan">output memuat &#34;surat penolakan&#34;</small>' in text
    )
    assert "tanpa formulir: langkah ini tidak berisi output" in text
    assert (
        '<td data-label="Output">Informasi yang diminta</td>\n'
        '<td data-label="Keterangan">Perpanjangan waktu maksimal 7 (tujuh) hari</td>\n'
        '<td data-label="Formulir">-<br><small class="sop-alasan">tanpa formulir: output bukan '
        "formulir yang diisi di kantor (&#34;informasi&#34;: informasi itu sendiri, bukan "
        "formulir)</small></td>"
    ) in text
    assert "SOP ini tidak mempunyai formulir" not in text


def test_site_page_says_when_an_sop_has_no_form() -> None:
    sop = sop_named("evaluasi-kinerja-kecamatan")
    bare = [s.model_copy(update={"output": "", "form": ""}) for s in sop.steps]
    text = page_of(sop.model_copy(update={"steps": bare}))
    assert "SOP ini tidak mempunyai formulir: tidak satu langkah pun berisi output" in text


def test_new_sop_template_lists_the_form_types() -> None:
    import datetime

    from generator.loader import list_form_types
    from generator.scaffold import new_sop_text

    text = new_sop_text("x", TEMPLATES, datetime.date(2026, 1, 1), "camat")
    listed = text.split("# Jenis formulir: ")[1].split(";")[0].replace("\n    #   ", " ")
    assert listed.split(", ") == list_form_types(TEMPLATES)
    assert '# atau "tidak ada" bila langkah ini tanpa formulir.' in text
    assert "sop formulir x" in text


# --------------------------------------------------------------------------- paper checklist


def test_rework_block_per_looping_decision() -> None:
    blocks = forms.rework_blocks(sop_named("legalisasi-sktm"))
    assert [(b.number, b.labels, b.steps, b.rows) for b in blocks] == [
        (2, ("Tidak lengkap",), (1, 2), 4),
        (3, ("Tidak lengkap",), (1, 2, 3), 6),
    ]
    # A loop closed by `lanjut` counts too; a forward exit does not.
    besar = load_project(ROOT / "tests" / "fixtures" / "besar").sops[0]
    assert [(b.number, b.steps) for b in forms.rework_blocks(besar)] == [
        (5, (3, 4, 5)),
        (19, (18, 19, 20)),
        (26, (25, 26, 27)),
    ]
    assert forms.rework_blocks(sop_named("permohonan-informasi")) == []


def words_with_boxes(pdf: bytes, tmp_path: Path) -> list[tuple[int, float, float, float, str]]:
    """(page, xMin, xMax, yMin, word) of every word, in millimetres (pdftotext -bbox)."""
    import re
    import subprocess

    path = tmp_path / "w.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    found = []
    for page, body in enumerate(html.split("<page ")[1:], 1):
        for x0, y0, x1, _, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            body,
        ):
            mm = 25.4 / 72
            found.append((page, float(x0) * mm, float(x1) * mm, float(y0) * mm, word))
    return found


def three_exit_copy(tmp_path: Path) -> Path:
    """kec-banjarmasin with step 3 deciding among three exits, one with a long label."""
    import shutil

    target = tmp_path / "bjm"
    shutil.copytree(REAL / "kec-banjarmasin", target)
    path = target / "sop" / "legalisasi-sktm.yaml"
    text = path.read_text(encoding="utf-8")
    old = "    keputusan:\n      Lengkap: 4\n      Tidak lengkap: 1\n"
    new = (
        "    keputusan:\n      Lengkap: 4\n      Dikembalikan untuk diperbaiki: 1\n"
        "      Ditolak: selesai\n"
    )
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return target


@pytest.mark.slow
def test_checklist_labels_stay_in_their_column(tmp_path: Path) -> None:
    from generator import tools
    from generator.render.common import PdfJob
    from tests.render.test_forms import context

    project = load_project(three_exit_copy(tmp_path), TEMPLATES)
    sop = project.sops[0]
    assert forms.checklist_rows(sop)[2].labels == (
        "Lengkap",
        "Dikembalikan untuk diperbaiki",
        "Ditolak",
    )
    pdf = tools.run_pdf(PdfJob(forms.checklist_html(context(project), sop)))
    words = words_with_boxes(pdf, tmp_path)
    # Keputusan is the 7th column: 25 mm margin + 8 + 38 + 23 + 14 + 23 + 24 mm, 24 mm wide.
    left, right = 155.0, 179.0
    vocabulary = {"Lengkap", "Tidak", "lengkap", "Dikembalikan", "untuk", "diperbaiki", "Ditolak"}
    inside = [w for w in words if left - 0.5 <= w[1] < right and w[4] in vocabulary]
    assert vocabulary <= {w[4] for w in inside}
    leaving = [w for w in inside if w[2] > right + 0.3]
    assert not leaving
    text = " ".join(w[4] for w in words)
    assert "keputusan langkah 2 “Tidak lengkap” (langkah 1, 2):" in text
    assert "keputusan langkah 3 “Dikembalikan untuk diperbaiki” (langkah 1, 2, 3):" in text


def test_objection_form_is_titled_so() -> None:
    from tests.render.test_forms import context, text_of

    project = load_project(REAL / "diskominfo-padanglawas", TEMPLATES)
    sop = project.sops[0]
    entry = next(e for e in forms.forms_for(context(project), sop) if e.step == 10)
    assert (entry.kind, entry.title) == ("permohonan", "Formulir Keberatan")
    text = text_of(forms.form_html(context(project), sop, entry))
    assert "FORMULIR KEBERATAN" in text
    assert "dengan ini mengajukan keberatan atas Pelayanan Permohonan Informasi Publik" in text
    assert "Surat penolakan beserta alasan" in text  # the letter objected to, attached


# --------------------------------------------------------------------------- outside lanes


def test_outside_steps_choose_through_the_model() -> None:
    sop = sop_named("pendaftaran-perkara")  # the applicant and the bank: `luar: true`
    bank = forms.choose(sop.step(4), sop)
    assert (bank.kind, bank.source) == (None, "luar")
    assert bank.reason == (
        'tanpa formulir: langkah pihak luar; dokumennya bukan formulir kantor ("bukti penyetoran")'
    )
    claim = forms.choose(sop.step(1), sop)  # the claimant brings their own letter
    assert claim.reason == (
        'tanpa formulir: langkah pihak luar; dokumennya bukan formulir kantor ("surat gugatan")'
    )
    # The same step with no lane marked outside is an office step, and still the bank's slip.
    office = forms.choose(sop.step(4), unmarked(sop))
    assert (office.kind, office.source) == (None, "bukan-dokumen")
    assert office.reason == (
        'tanpa formulir: output bukan formulir yang diisi di kantor ("bukti penyetoran": bukti '
        "yang diterbitkan bank atau penerima pembayaran)"
    )


OUTSIDE_SLUGS = [
    "pendaftaran-perkara",
    "permohonan-informasi",
    "paten-imb",
    "sk-tanggungan-keluarga",
    "legalisasi-sktm",
    "mekanisme-perizinan",
    "surat-keterangan-pindah",
]


@pytest.mark.slow
@pytest.mark.parametrize("slug", OUTSIDE_SLUGS)
def test_forms_of_outside_steps_have_no_nip(slug: str, tmp_path: Path) -> None:
    """In the printed booklet of a real SOP: an outside party's form has no NIP and the
    office's letterhead (the office hands it out); an office form keeps its NIP line; a
    completeness form lists every kelengkapan item of the papers checked."""
    from generator import tools
    from generator.render.common import PdfJob
    from tests.render.test_forms import context, pdf_pages

    folder = next(f for f in FOLDERS if any(p.stem == slug for p in (f / "sop").glob("*.yaml")))
    project = load_project(folder, TEMPLATES)
    sop = project.sop(slug)
    ctx = context(project)
    entries = forms.forms_for(ctx, sop)
    outside = [e for e in entries if sop.is_outside_step(e.step)]
    office = [e for e in entries if not sop.is_outside_step(e.step)]
    assert outside and office
    pages = pdf_pages(tools.run_pdf(PdfJob(forms.booklet_html(ctx, sop, entries))), tmp_path)
    assert len(pages) == len(entries)
    for entry, text in zip(entries, pages, strict=True):
        if entry in outside:
            assert "NIP" not in text, f"langkah {entry.step} ({entry.kind})"
            assert project.office.name in text  # the office hands these forms out
        elif entry.kind != "bukti-terima":  # a receipt slip is signed with names only
            assert "NIP" in text, f"langkah {entry.step} ({entry.kind})"
        if entry.kind == "kelengkapan":
            items = forms.requirements_for(sop, sop.step(entry.step)).items
            assert items
            flat = " ".join(text.split())
            for n, item in enumerate(items, 1):
                assert f"{n}. {' '.join(item.split())}" in flat, (entry.step, item)
    checked = [e for e in entries if e.kind == "kelengkapan"]
    assert bool(checked) == (
        slug in ("sk-tanggungan-keluarga", "legalisasi-sktm", "mekanisme-perizinan")
    )


def test_outside_signer_has_name_line_only() -> None:
    from tests.render.test_forms import context, text_of

    project = load_project(REAL / "pa-larantuka", TEMPLATES)
    sop = project.sops[0]
    signers = forms.signers_for(project.office, sop, sop.step(5))
    assert signers == [forms.Signer("Calon Penggugat/Pemohon", outside=True)]
    entry = next(e for e in forms.forms_for(context(project), sop) if e.step == 5)
    text = text_of(forms.form_html(context(project), sop, entry))
    assert entry.kind == "bukti-terima"
    assert "Yang menyerahkan, ( " in text and "Yang menerima, ( " in text
    assert "nama jelas" in text and "NIP" not in text
    # The applicant and the bank: neither signs with a NIP line.
    signers = forms.signers_for(project.office, sop, sop.step(4))
    assert [(s.position, s.outside) for s in signers] == [
        ("Calon Penggugat/Pemohon", True),
        ("Bank", True),
    ]
    # An office lane in the same SOP keeps its NIP line.
    assert forms.signers_for(project.office, sop, sop.step(6))[0].outside is False


def test_completeness_form_prints_the_items_and_exit_labels() -> None:
    from tests.render.test_forms import context, text_of

    project = load_project(REAL / "kec-banjarmasin", TEMPLATES)
    sop = project.sops[0]
    entry = next(e for e in forms.forms_for(context(project), sop) if e.step == 2)
    assert (entry.kind, entry.title) == ("kelengkapan", "Daftar Periksa Kelengkapan")
    text = text_of(forms.form_html(context(project), sop, entry))
    for n, item in enumerate(forms.requirements_for(sop, sop.step(2)).items, 1):
        assert f"{n}. {item}" in text
    assert "Ada Tidak ada Lengkap Tidak lengkap" in text
    assert "Hasil pemeriksaan Lengkap Tidak lengkap" in text
    assert "Persyaratan menurut kelengkapan langkah 1" in text
