"""Fill-in forms: choice of form per step, rendered fields, real PDFs, template mistakes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generator import tools
from generator.errors import UserError
from generator.loader import Project, list_form_types, load_project
from generator.model import Lane, Sop, Step
from generator.render import forms
from generator.render.common import PdfJob, RenderContext, make_env
from tests.browser import chromium
from tests.conftest import TEMPLATES
from tests.expected import assert_matches_expected

SEED_KINDS = [
    "undangan",
    "notula",
    "instrumen",
    "rekap",
    "laporan",
    "paraf",
    "pengesahan",
    "disposisi",
    "tanda-terima",
]
ALL_KINDS = sorted([*forms.TITLES, forms.GENERIC])

# What every form type must show: its own fields (letterhead and reference line are common).
REQUIRED = {
    "undangan": [
        "Nomor",
        "Sifat",
        "Lampiran",
        "Hal",
        "Undangan",
        "Yth.",
        "Hari/tanggal",
        "Waktu",
        "pukul",
        "WITA",
        "Tempat",
        "Acara",
        "Tembusan:",
        "Biasa",
        "Sangat Segera",
        "Rahasia",
    ],
    "notula": [
        "NOTULA RAPAT",
        "Rapat",
        "Hari/tanggal",
        "Waktu",
        "Tempat",
        "Acara",
        "Pimpinan rapat",
        "Ketua",
        "Sekretaris",
        "Pencatat",
        "daftar hadir terlampir",
        "Pembukaan",
        "Pembahasan",
        "Keputusan / kesimpulan",
        "Tindak lanjut",
        "Rapat ditutup pukul",
        "Pimpinan Rapat,",
        "Notulis,",
    ],
    "daftar-hadir": [
        "DAFTAR HADIR",
        "Acara",
        "Hari/tanggal",
        "Waktu",
        "Tempat",
        "No.",
        "Nama",
        "Jabatan / Instansi",
        "Tanda Tangan",
        "Mengetahui,",
    ],
    "disposisi": [
        "LEMBAR DISPOSISI",
        "Surat dari",
        "No. surat",
        "Tgl. surat",
        "Diterima tgl.",
        "No. agenda",
        "Sifat",
        "Sangat Segera",
        "Segera",
        "Rahasia",
        "Hal",
        "Diteruskan kepada Sdr.:",
        "Dengan hormat harap:",
        "Tanggapan dan saran",
        "Proses lebih lanjut",
        "Koordinasikan / konfirmasikan",
        "Catatan:",
    ],
    "instrumen": [
        "INSTRUMEN EVALUASI KINERJA KECAMATAN",
        "Unit kerja",
        "Indikator Kinerja",
        "Target",
        "Realisasi",
        "Persentase",
        "Capaian (%)",
        "Keterangan",
        "Pengisi,",
    ],
    "rekap": [
        "REKAPITULASI DATA HASIL PENGISIAN",
        "EVALUASI KINERJA KECAMATAN",
        "Periode",
        "Unit Kerja",
        "Target",
        "Realisasi",
        "Capaian (%)",
        "Keterangan",
        "JUMLAH / RATA-RATA",
    ],
    "laporan": [
        "LAPORAN",
        "TENTANG",
        "EVALUASI KINERJA KECAMATAN",
        "A. Pendahuluan",
        "1. Umum",
        "2. Maksud dan tujuan",
        "3. Ruang lingkup",
        "4. Dasar",
        "B. Kegiatan yang dilaksanakan",
        "C. Hasil yang dicapai",
        "D. Simpulan dan saran",
        "E. Penutup",
    ],
    "paraf": [
        "LEMBAR PARAF / PERSETUJUAN",
        "Dokumen yang diperiksa",
        "Diperiksa oleh",
        "Tanggal",
        "Hasil pemeriksaan",
        "Disetujui",
        "Dikembalikan untuk diperbaiki",
        "Catatan perbaikan",
        "Paraf",
    ],
    "pengesahan": [
        "LEMBAR PENGESAHAN",
        "Judul dokumen",
        "Nomor dokumen",
        "Disahkan di",
        "Janapria",
        "Pada tanggal",
        "Yang mengesahkan,",
    ],
    "tanda-terima": [
        "TANDA TERIMA / BUKU EKSPEDISI",
        "Tanggal Pengiriman",
        "Nomor dan Tanggal Surat",
        "Isi Singkat",
        "Ditujukan Kepada",
        "Nama Penerima",
        "Tanda Tangan / Cap",
        "Ket.",
    ],
    "bukti-terima": [
        "Lembar 1: untuk yang menyerahkan",
        "Lembar 2: untuk arsip kantor",
        "TANDA TERIMA",
        "Nomor:",
        "Telah diterima dari",
        "Berupa",
        "Jumlah",
        "Untuk keperluan",
        "Yang menyerahkan,",
        "Yang menerima,",
        "nama jelas",
        "gunting di sini",
    ],
    "kelengkapan": [
        "DAFTAR PERIKSA KELENGKAPAN",
        "Nama pemohon",
        "Layanan : Evaluasi Kinerja Kecamatan",
        "Dokumen persyaratan",
        "Keberadaan",
        "Ada",
        "Tidak ada",
        "Lengkap",
        "Tidak lengkap",
        "Surat Undangan rapat evaluasi kinerja",
        "Hasil pemeriksaan",
        "Kekurangan yang harus dilengkapi",
        "Pemeriksa,",
    ],
    "permohonan": [
        "FORMULIR PERMOHONAN",
        "Kepada Yth. Camat Janapria di Janapria",
        "Yang bertanda tangan di bawah ini:",
        "Nama lengkap",
        "NIK",
        "Tempat / tanggal lahir",
        "Alamat",
        "Nomor telepon / HP",
        "Keperluan",
        "dengan ini mengajukan permohonan Evaluasi Kinerja Kecamatan, dengan melampirkan:",
        "Surat Undangan rapat evaluasi kinerja",
        "Pemohon,",
        "nama jelas",
        "Diisi petugas",
        "Nomor register",
    ],
    "register": [
        "BUKU REGISTER",
        "Tahun",
        "Tanggal",
        "Nomor register",
        "Nama / instansi",
        "Perihal / isi singkat",
        "Paraf",
        "Petugas,",
    ],
    "surat-keterangan": [
        "SURAT KETERANGAN",
        "Nomor:",
        "Yang bertanda tangan di bawah ini:",
        "Nama : SYAMSUN RIJAL, S.IP",
        "Jabatan : Camat Janapria",
        "dengan ini menerangkan bahwa:",
        "NIK",
        "Tempat / tanggal lahir",
        "Jenis kelamin",
        "Pekerjaan",
        "Alamat",
        "adalah benar:",
        "untuk keperluan:",
        "sebagaimana mestinya",
    ],
    "surat-penolakan": [
        "Nomor",
        "Sifat",
        "Lampiran",
        "Hal",
        "Penolakan permohonan",
        "Yth.",
        "permohonan tersebut tidak dapat dipenuhi dengan alasan:",
        "Penolakan ini berdasarkan:",
        "mengajukan keberatan",
        "Tembusan:",
    ],
    "rincian-biaya": [
        "RINCIAN BIAYA",
        "Nomor:",
        "Nama yang membayar",
        "Untuk keperluan",
        "Rincian biaya:",
        "Uraian biaya",
        "Jumlah (Rp)",
        "Jumlah",
        "Terbilang",
        "Diisi kasir: LUNAS dibayar (tanggal)",
        "Nomor bukti bayar",
        "Paraf",
    ],
    "surat": [
        "Nomor",
        "Sifat",
        "Lampiran",
        "Surat Undangan rapat evaluasi kinerja",
        "Hal",
        "Diterimanya surat dan kesediaan hadir",
        "Yth.",
        "Dengan hormat,",
        "atas perhatiannya diucapkan terima kasih",
        "Tembusan:",
    ],
    "umum": [
        "DITERIMANYA SURAT DAN KESEDIAAN HADIR",
        "Nomor",
        "Tanggal",
        "Hal",
        "Kelengkapan",
        "Surat Undangan rapat evaluasi kinerja",
        "Uraian",
        "Catatan",
    ],
}
COMMON = [
    "PEMERINTAH KABUPATEN LOMBOK TENGAH",
    "KECAMATAN JANAPRIA",
    "SOP 067/21/JPR/2024",
    "Evaluasi Kinerja Kecamatan",
]
F4_MM = (215.0, 330.0)
A4_MM = (210.0, 297.0)


def context(
    project: Project, templates: Path = TEMPLATES, logo: bytes | None = None, logo_name: str = ""
) -> RenderContext:
    """The render context of a project, with the real templates by default."""
    return RenderContext(
        project.office,
        project.sops,
        make_env(templates),
        logo if logo is not None else project.logo,
        logo_name or project.office.logo,
    )


def step_of(**keys: object) -> Step:
    """A step from its YAML keys (uraian, pelaksana, waktu filled in when absent)."""
    data = {"uraian": "Melakukan sesuatu", "pelaksana": "staf", "waktu": "1 jam", **keys}
    return Step.model_validate(data)


def text_of(html: str) -> str:
    """Visible text of HTML with blanks collapsed, for field checks."""
    body = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    body = body.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    return " ".join(body.replace("&nbsp;", " ").split())


def pdf_pages(pdf: bytes, tmp_path: Path) -> list[str]:
    """The text of each page of a PDF (pdftotext), blanks collapsed."""
    path = tmp_path / "x.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


def page_sizes(pdf: bytes, tmp_path: Path) -> list[tuple[float, float]]:
    """(width, height) in millimetres, to 0.1 mm, of every page (pdfinfo)."""
    path = tmp_path / "s.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return [
        (round(float(w) / 72 * 25.4, 1), round(float(h) / 72 * 25.4, 1))
        for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)
    ]


def every_kind(project: Project) -> list[forms.FormEntry]:
    """One entry per form type, all on step 1 of the project's first SOP."""
    step = project.sops[0].step(1)
    return [
        forms.FormEntry(1, kind, f"formulir/01-{kind}.html", forms.form_title(kind, step))
        for kind in ALL_KINDS
    ]


@pytest.fixture(scope="module")
def seed_all_kinds_pdf(seed_project: Project) -> bytes:
    """Every form type rendered for step 1 of the seed, as one WeasyPrint booklet."""
    ctx = context(seed_project)
    sop = seed_project.sops[0]
    return tools.run_pdf(PdfJob(forms.booklet_html(ctx, sop, every_kind(seed_project))))


# --------------------------------------------------------------------------- choosing a form


def test_seed_steps_get_the_forms_of_the_issue(seed_project: Project) -> None:
    sop = seed_project.sops[0]
    assert [forms.form_type(s) for s in sop.steps] == SEED_KINDS


def test_inference_alone_finds_the_seed_forms(seed_project: Project) -> None:
    """Without any `formulir` key the words of output and kelengkapan give the same forms."""
    steps = [s.model_copy(update={"form": ""}) for s in seed_project.sops[0].steps]
    assert [forms.form_type(s) for s in steps] == SEED_KINDS


@pytest.mark.parametrize(
    ("keys", "kind"),
    [
        ({"output": "Bukti pengiriman"}, "tanda-terima"),
        ({"output": "notulen hasil rapat"}, "notula"),
        ({"output": "diterimanya surat", "kelengkapan": "Surat Undangan rapat"}, "undangan"),
        ({"output": "Draft laporan"}, "laporan"),
        # A draft of a payment order is no report ("draft" alone says nothing).
        ({"output": "Draft SPM"}, "umum"),
        ({"output": "Data hasil pengisian instrumen"}, "rekap"),
        ({"output": "Instrumen evaluasi kinerja"}, "instrumen"),
        ({"output": "Laporan yang telah di paraf"}, "paraf"),
        ({"output": "Laporan yang telah di tandatangi"}, "pengesahan"),
        ({"output": "Surat telah didisposisi"}, "disposisi"),
        ({"output": "Daftar hadir peserta"}, "daftar-hadir"),
        # A kelengkapan in a signed state says nothing about what the step produces.
        ({"output": "Register kontrak", "kelengkapan": "Kontrak yang ditandatangani"}, "register"),
        ({"output": "Arsip kontrak", "kelengkapan": "Kontrak yang ditandatangani"}, None),
        # The same document passed on: what the step does decides (an order).
        (
            {
                "uraian": "Memerintahkan Kasubbag untuk menggandakan",
                "output": "Laporan yang ditandatangani",
                "kelengkapan": "Laporan yang ditandatangani",
            },
            "disposisi",
        ),
        (
            {"uraian": "Menerima surat dan membuat tanda terima", "output": "Surat diterima"},
            "bukti-terima",
        ),
        ({"output": "Berita acara pemeriksaan", "uraian": "Memeriksa barang"}, "umum"),
        ({"output": "Arsip pengadaan"}, None),  # papers filed away: no form
        ({"output": "Bukti pengiriman", "formulir": "disposisi"}, "disposisi"),
    ],
)
def test_form_type(keys: dict[str, str], kind: str | None) -> None:
    assert forms.form_type(step_of(**keys)) == kind


def test_forms_for_seed_lists_steps_types_files_titles(seed_project: Project) -> None:
    entries = forms.forms_for(context(seed_project), seed_project.sops[0])
    assert [(e.step, e.kind, e.file, e.title) for e in entries] == [
        (1, "undangan", "formulir/01-undangan.html", "Surat Undangan"),
        (2, "notula", "formulir/02-notula.html", "Notula Rapat"),
        (2, "daftar-hadir", "formulir/02-daftar-hadir.html", "Daftar Hadir"),
        (3, "instrumen", "formulir/03-instrumen.html", "Instrumen"),
        (4, "rekap", "formulir/04-rekap.html", "Rekapitulasi Data"),
        (5, "laporan", "formulir/05-laporan.html", "Laporan"),
        (6, "paraf", "formulir/06-paraf.html", "Lembar Paraf / Persetujuan"),
        (7, "pengesahan", "formulir/07-pengesahan.html", "Lembar Pengesahan"),
        (8, "disposisi", "formulir/08-disposisi.html", "Lembar Disposisi"),
        (9, "tanda-terima", "formulir/09-tanda-terima.html", "Tanda Terima / Buku Ekspedisi"),
    ]


def test_step_without_output_gets_no_form(seed_project: Project) -> None:
    sop = seed_project.sops[0]
    steps = list(sop.steps)
    steps[3] = steps[3].model_copy(update={"output": "", "form": ""})
    entries = forms.forms_for(context(seed_project), sop.model_copy(update={"steps": steps}))
    assert 4 not in [e.step for e in entries]


def test_generic_form_is_titled_with_the_output(besar_project: Project) -> None:
    entries = forms.forms_for(context(besar_project), besar_project.sops[0])
    generic = {e.step: e.title for e in entries if e.kind == "umum"}
    assert generic[11] == "Berita acara pembukaan penawaran"
    assert generic[1] == "Rencana kebutuhan"
    assert 30 not in generic  # "Arsip pengadaan": papers filed away, no form
    letters = {e.step: e.title for e in entries if e.kind == "surat"}
    assert letters == {23: "Surat permintaan pembayaran"}  # step 7's key says disposisi
    assert len(entries) == 29  # 30 steps less 2 without form, the notula with its daftar hadir


def test_form_types_are_the_templates_and_partials_are_not_listed() -> None:
    assert list_form_types(TEMPLATES) == ALL_KINDS


def test_check_reports_unknown_form_with_the_known_ones(data_copy: Path) -> None:
    path = data_copy / "sop" / "evaluasi-kinerja-kecamatan.yaml"
    path.write_text(path.read_text().replace("formulir: rekap", "formulir: rekapan"))
    with pytest.raises(UserError) as err:
        load_project(data_copy, TEMPLATES)
    message = err.value.format()
    assert "langkah[4].formulir: formulir 'rekapan' tidak dikenal" in message
    assert "formulir yang ada: " + ", ".join(ALL_KINDS) in message


# --------------------------------------------------------------------------- rendered HTML


def test_seed_forms_match_expected(seed_project: Project) -> None:
    ctx = context(seed_project)
    sop = seed_project.sops[0]
    for name, html in forms.form_pages(ctx, sop).items():
        assert_matches_expected(html, f"forms/{Path(name).name}")
    assert_matches_expected(forms.monitoring_html(ctx, sop), "forms/monitoring.html")
    assert_matches_expected(forms.evaluation_html(ctx, sop), "forms/evaluasi.html")


def test_outputs_of_the_seed(seed_project: Project) -> None:
    out = forms.outputs(context(seed_project), seed_project.sops[0])
    pages = sorted(k for k in out if k.startswith("formulir/"))
    assert [Path(p).name for p in pages] == [
        "01-undangan.html",
        "02-daftar-hadir.html",
        "02-notula.html",
        "03-instrumen.html",
        "04-rekap.html",
        "05-laporan.html",
        "06-paraf.html",
        "07-pengesahan.html",
        "08-disposisi.html",
        "09-tanda-terima.html",
    ]
    assert all(isinstance(out[p], bytes) for p in pages)
    for pdf in ("formulir.pdf", "monitoring.pdf", "evaluasi.pdf"):
        assert isinstance(out[pdf], PdfJob)


def test_outputs_are_deterministic(seed_project: Project) -> None:
    ctx = context(seed_project)
    sop = seed_project.sops[0]
    assert forms.outputs(ctx, sop) == forms.outputs(context(seed_project), sop)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_form_html_has_its_fields(seed_project: Project, kind: str) -> None:
    ctx = context(seed_project)
    entry = next(e for e in every_kind(seed_project) if e.kind == kind)
    html = forms.form_html(ctx, seed_project.sops[0], entry)
    text = text_of(html)
    for field in COMMON + REQUIRED[kind]:
        assert field in text, f"{kind}: '{field}' missing"
    assert "size: 215mm 330mm;" in html
    assert html.startswith("<!DOCTYPE html>")
    assert ". . ." not in text and "....." in text  # fill-in lines are runs of dots


def test_known_official_is_prefilled_others_are_blank(seed_project: Project) -> None:
    ctx = context(seed_project)
    sop = seed_project.sops[0]
    pages = forms.form_pages(ctx, sop)
    camat = text_of(pages["formulir/01-undangan.html"])
    assert "Camat Janapria, SYAMSUN RIJAL, S.IP NIP. 19661231 198607 1 014" in camat
    assert "Janapria, ........................ 20.." in camat
    staf = text_of(pages["formulir/09-tanda-terima.html"])
    assert "Petugas pengirim, Staf, .............................................. NIP. " in staf
    assert "SYAMSUN" not in staf
    # The lane label is the jabatan, without its trailing full stop.
    assert "Pengisi, Lurah, Kasi, Kasubbag, ...." in text_of(pages["formulir/03-instrumen.html"])


def test_joint_step_notula_signed_by_chair_and_note_taker(seed_project: Project) -> None:
    html = forms.form_pages(context(seed_project), seed_project.sops[0])
    text = text_of(html["formulir/02-notula.html"])
    assert "Pimpinan Rapat, Camat Janapria, SYAMSUN RIJAL, S.IP" in text
    assert "Notulis, ......" in text
    assert "daftar hadir terlampir" in text
    assert "Mengetahui, Camat Janapria," in text_of(html["formulir/02-daftar-hadir.html"])


def test_monitoring_lists_every_step(besar_project: Project) -> None:
    sop = besar_project.sops[0]
    text = text_of(forms.monitoring_html(context(besar_project), sop))
    for step in sop.steps:
        assert f"{step.number}. {step.description}" in text
    for field in (
        "Berjalan dengan baik",
        "Tidak berjalan dengan baik",
        "Catatan hasil penilaian",
        "Tindakan yang harus diambil",
        "Paraf penilai",
        "Mengetahui, Camat Janapria,",
    ):
        assert field in text


def test_logo_and_address_in_letterhead(seed_project: Project) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="12"/>'
    office = seed_project.office.model_copy(
        update={"address": "Jalan Raya Janapria No. 1", "phone": "(0370) 123"}
    )
    project = Project(seed_project.data_dir, office, seed_project.sops)
    ctx = context(project, logo=svg, logo_name="lambang.svg")
    entry = forms.forms_for(ctx, project.sops[0])[0]
    html = forms.form_html(ctx, project.sops[0], entry)
    assert '<img src="data:image/svg+xml;base64,' in html
    assert "Jalan Raya Janapria No. 1, Telp. (0370) 123" in text_of(html)
    plain = forms.form_html(context(seed_project), seed_project.sops[0], entry)
    assert "<img" not in plain


def markup_sop(sop: Sop) -> Sop:
    """The seed SOP with HTML-like text in its name, a lane label and an output."""
    steps = list(sop.steps)
    steps[8] = steps[8].model_copy(update={"output": "<b>Arsip</b> & bukti", "form": "umum"})
    return sop.model_copy(
        update={
            "name": "Evaluasi <i>Kinerja</i> & Co",
            "lane_specs": {
                **sop.lane_specs,
                "staf": Lane.model_validate({"label": "Staf <script>x</script>"}),
            },
            "steps": steps,
        }
    )


def test_markup_in_sop_text_prints_literally(seed_project: Project, tmp_path: Path) -> None:
    ctx = context(seed_project)
    sop = markup_sop(seed_project.sops[0])
    entry = [e for e in forms.forms_for(ctx, sop) if e.step == 9][0]
    html = forms.form_html(ctx, sop, entry)
    assert "Evaluasi &lt;i&gt;Kinerja&lt;/i&gt; &amp; Co" in html
    assert "&lt;B&gt;ARSIP&lt;/B&gt; &amp; BUKTI" in html
    assert "Staf &lt;script&gt;x&lt;/script&gt;," in html
    assert "<i>" not in html and "<script>" not in html and "<b>" not in html
    text = pdf_pages(tools.run_pdf(PdfJob(html)), tmp_path)[0]
    assert "Evaluasi <i>Kinerja</i> & Co" in text
    assert "<B>ARSIP</B> & BUKTI" in text
    assert "Staf <script>x</script>," in text


# --------------------------------------------------------------------------- real PDFs


@pytest.mark.slow
def test_every_form_type_pdf_has_its_fields_on_one_f4_page(
    seed_all_kinds_pdf: bytes, tmp_path: Path
) -> None:
    pages = pdf_pages(seed_all_kinds_pdf, tmp_path)
    assert len(pages) == len(ALL_KINDS)  # each form fits one page
    for kind, text in zip(ALL_KINDS, pages, strict=True):
        for field in COMMON + REQUIRED[kind]:
            assert field in text, f"{kind}: '{field}' missing from the PDF"
    assert set(page_sizes(seed_all_kinds_pdf, tmp_path)) == {F4_MM}


@pytest.mark.slow
@pytest.mark.parametrize("fixture", ["seed_project", "sulteng_project", "besar_project"])
def test_booklet_has_one_page_per_form(
    fixture: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    project: Project = request.getfixturevalue(fixture)
    ctx = context(project)
    sop = project.sops[0]
    pdf = tools.run_pdf(forms.outputs(ctx, sop)["formulir.pdf"])  # type: ignore[arg-type]
    entries = forms.forms_for(ctx, sop)
    sizes = page_sizes(pdf, tmp_path)
    assert len(sizes) == len(entries)
    assert set(sizes) == {F4_MM if project.office.paper == "F4" else A4_MM}
    pages = pdf_pages(pdf, tmp_path)
    for entry, text in zip(entries, pages, strict=True):
        assert f"Langkah {entry.step}:" in text
        assert project.office.name in text


@pytest.mark.slow
def test_monitoring_and_evaluation_pdfs(seed_project: Project, tmp_path: Path) -> None:
    out = forms.outputs(context(seed_project), seed_project.sops[0])
    monitoring = tools.run_pdf(out["monitoring.pdf"])  # type: ignore[arg-type]
    assert page_sizes(monitoring, tmp_path) == [F4_MM]
    text = pdf_pages(monitoring, tmp_path)[0]
    assert "FORMULIR MONITORING PELAKSANAAN SOP" in text
    assert "Halaman 1 dari 1" in text
    for step in seed_project.sops[0].steps:
        assert f"{step.number}." in text
    evaluation = tools.run_pdf(out["evaluasi.pdf"])  # type: ignore[arg-type]
    assert page_sizes(evaluation, tmp_path) == [F4_MM]
    text = pdf_pages(evaluation, tmp_path)[0]
    for n, criterion in enumerate(
        [
            "Mampu mendorong peningkatan kinerja",
            "Mudah dipahami",
            "Mudah dilaksanakan",
            "Semua orang dapat menjalankan perannya masing-masing",
            "Mampu mengatasi permasalahan yang berkaitan dengan proses",
            "Mampu menjawab kebutuhan peningkatan kinerja organisasi",
            "Sinergi satu dengan lainnya",
        ],
        1,
    ):
        assert re.search(rf"{n}\. {criterion.replace(' ', '.{0,40}')}", text), criterion
    assert "Ya Tidak Catatan" in text


@pytest.mark.slow
def test_long_monitoring_spans_pages_and_keeps_signature_with_rows(
    besar_project: Project, tmp_path: Path
) -> None:
    html = forms.monitoring_html(context(besar_project), besar_project.sops[0])
    pages = pdf_pages(tools.run_pdf(PdfJob(html)), tmp_path)
    assert len(pages) == 2
    assert "Halaman 1 dari 2" in pages[0] and "Halaman 2 dari 2" in pages[1]
    assert "Prosedur" in pages[1]  # the table header repeats
    assert "30. Mengarsipkan seluruh dokumen" in pages[1]
    assert "Mengetahui," in pages[1]


@pytest.mark.slow
def test_a4_office_prints_a4(sulteng_project: Project, tmp_path: Path) -> None:
    ctx = context(sulteng_project)
    sop = sulteng_project.sops[0]
    out = forms.outputs(ctx, sop)
    html = out["formulir/01-bukti-terima.html"]
    assert isinstance(html, bytes) and b"size: 210mm 297mm;" in html
    for name in ("monitoring.pdf", "evaluasi.pdf"):
        pdf = tools.run_pdf(out[name])  # type: ignore[arg-type]
        assert set(page_sizes(pdf, tmp_path)) == {A4_MM}
        assert len(page_sizes(pdf, tmp_path)) == 1


@pytest.mark.slow
def test_chromium_prints_the_form_like_weasyprint(seed_project: Project, tmp_path: Path) -> None:
    """The standalone HTML printed from a browser: one F4 page with the same fields."""
    pages = forms.form_pages(context(seed_project), seed_project.sops[0])
    path = tmp_path / "02-notula.html"
    path.write_text(pages["formulir/02-notula.html"], encoding="utf-8")
    with chromium() as browser:
        page = browser.new_page()
        page.goto(path.as_uri())
        pdf = page.pdf(prefer_css_page_size=True)
    sizes = page_sizes(pdf, tmp_path)
    assert len(sizes) == 1
    assert abs(sizes[0][0] - F4_MM[0]) < 1 and abs(sizes[0][1] - F4_MM[1]) < 1
    text = pdf_pages(pdf, tmp_path)[0]
    for field in COMMON + REQUIRED["notula"]:
        assert field in text


# --------------------------------------------------------------------------- template mistakes


@pytest.fixture
def templates_copy(tmp_path: Path) -> Path:
    """A writable copy of templates/."""
    target = tmp_path / "templates"
    shutil.copytree(TEMPLATES, target)
    return target


def render_first(project: Project, templates: Path) -> None:
    """Render every output of the project's first SOP with these templates."""
    forms.outputs(context(project, templates), project.sops[0])


def test_unknown_variable_is_reported_with_file_and_line(
    seed_project: Project, templates_copy: Path
) -> None:
    path = templates_copy / "formulir" / "paraf.html"
    lines = path.read_text().splitlines()
    lines.insert(5, "<p>{{ nama_dokumen }}</p>")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(UserError) as err:
        render_first(seed_project, templates_copy)
    message = err.value.format()
    assert message.startswith(f"{path}:6:1: templat: variabel tidak dikenal: ")
    assert "'nama_dokumen' is undefined" in message


def test_mistake_in_a_partial_names_the_partial(
    seed_project: Project, templates_copy: Path
) -> None:
    path = templates_copy / "dokumen" / "kop.html"
    text = path.read_text().replace("{{ office.name }}", "{{ office.nama_kantor }}")
    path.write_text(text)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "nama_kantor" in s)
    with pytest.raises(UserError) as err:
        render_first(seed_project, templates_copy)
    assert err.value.format().startswith(f"{path}:{line}:1: templat: variabel tidak dikenal")


def test_syntax_error_is_reported_with_file_and_line(
    seed_project: Project, templates_copy: Path
) -> None:
    path = templates_copy / "formulir" / "undangan.html"
    lines = path.read_text().splitlines()
    lines.insert(8, "{% if step.output %}")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(UserError) as err:
        render_first(seed_project, templates_copy)
    message = err.value.format()
    assert message.startswith(f"{path}:")
    assert ": templat: sintaks templat salah: " in message


def test_office_adds_a_form_type_by_adding_a_file(
    seed_project: Project, templates_copy: Path, tmp_path: Path
) -> None:
    (templates_copy / "formulir" / "berita-acara.html").write_text(
        '{% extends "dokumen/dasar.html" %}\n{% import "dokumen/makro.html" as m %}\n'
        "{% block isi %}\n<p>Pada hari ini {{ m.dots(30) }}</p>\n{{ m.ttd(signers) }}\n"
        "{% endblock %}\n"
    )
    assert "berita-acara" in list_form_types(templates_copy)
    sop = seed_project.sops[0]
    steps = [
        s.model_copy(update={"form": "berita-acara"}) if s.number == 4 else s for s in sop.steps
    ]
    sop = sop.model_copy(update={"steps": steps})
    ctx = context(seed_project, templates_copy)
    out = forms.outputs(ctx, sop)
    html = out["formulir/04-berita-acara.html"]
    assert isinstance(html, bytes)
    text = text_of(html.decode())
    assert "BERITA ACARA" in text and "Pada hari ini" in text and "Staf," in text
    entry = [e for e in forms.forms_for(ctx, sop) if e.step == 4][0]
    assert entry.title == "Berita acara"


def test_office_edits_a_template(seed_project: Project, templates_copy: Path) -> None:
    path = templates_copy / "formulir" / "undangan.html"
    path.write_text(path.read_text().replace("Tembusan:", "Tembusan Yth.:"))
    pages = forms.form_pages(context(seed_project, templates_copy), seed_project.sops[0])
    assert "Tembusan Yth.:" in pages["formulir/01-undangan.html"]


@pytest.mark.slow
@pytest.mark.parametrize("fixture", ["seed_project", "besar_project"])
def test_blank_paper_checklist_lists_every_step(
    fixture: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    project: Project = request.getfixturevalue(fixture)
    sop = project.sops[0]
    pdf = tools.run_pdf(forms.outputs(context(project), sop)["daftar-periksa.pdf"])  # type: ignore[arg-type]
    pages = pdf_pages(pdf, tmp_path)
    assert set(page_sizes(pdf, tmp_path)) == {F4_MM}
    text = " ".join(" ".join(p.split()) for p in pages)
    assert "DAFTAR PERIKSA PELAKSANAAN SOP" in text
    assert sop.number in text and sop.name in text
    positions = [text.index(f" {s.number}. ") for s in sop.steps]
    assert positions == sorted(positions), "steps out of order"
    decisions = [s for s in sop.steps if s.decision]
    assert text.count(" Ya ") >= len(decisions)
    assert f"Halaman {len(pages)} dari {len(pages)}" in text
    # The header repeats on every page.
    assert all("Nama yang" in p for p in pages)


def test_paper_checklist_rows_name_the_lanes(seed_project: Project) -> None:
    rows = forms.checklist_rows(seed_project.sops[0])
    assert rows[1].actors == "Camat, Sekretaris Camat, Lurah, Kasi, Kasubbag."
    assert (rows[5].decision, rows[5].labels) == (True, ("Ya", "Tidak"))
    assert rows[0].decision is False and rows[0].time == "1 jam"
