"""Nothing lost on the sheet: lanes up to the paper's limit, long lists continued on the next
page, overlong step texts refused by `sop check` with the limit in characters."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from generator import loader, rules
from generator.errors import UserError
from generator.layout.sheet import STYLE, layout_sheet
from generator.layout.sheet.fit import MAX_LANES, PAPER_MM
from generator.loader import Project, load_project
from generator.render.sheet import expected_text
from tests.conftest import SEED_DATA
from tests.layout.test_sheet import check_sheet

SEED_SOP = SEED_DATA / "sop" / "evaluasi-kinerja-kecamatan.yaml"
SENTENCE = (
    "Memeriksa kelengkapan berkas permohonan dan mencocokkan data pemohon dengan dokumen "
    "kependudukan yang berlaku"
)
WORDS = SENTENCE.split()


def text(chars: int) -> str:
    """Indonesian words up to `chars` characters."""
    out: list[str] = []
    while len(" ".join(out)) < chars:
        out.append(WORDS[len(out) % len(WORDS)])
    return " ".join(out)[:chars].rstrip()


def seed_doc() -> dict:
    return yaml.safe_load(SEED_SOP.read_text("utf-8"))


def write_data(tmp_path: Path, doc: dict, paper: str = "F4") -> Path:
    """A data folder: the seed's instansi.yaml on `paper` and one SOP."""
    data = tmp_path / f"data-{paper}"
    (data / "sop").mkdir(parents=True)
    office = (SEED_DATA / "instansi.yaml").read_text("utf-8")
    (data / "instansi.yaml").write_text(office.replace("kertas: F4", f"kertas: {paper}"))
    (data / "sop" / "uji.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True))
    return data


def with_lanes(n: int) -> dict:
    doc = seed_doc()
    doc["pelaksana"] = {
        f"l{i}": f"Kepala Bidang Penyelenggaraan Pelayanan {i}" for i in range(1, n + 1)
    }
    for j, step in enumerate(doc["langkah"]):
        step["pelaksana"] = f"l{j % n + 1}"
    for j in range(len(doc["langkah"]) + 1, n + 1):
        doc["langkah"].append({"uraian": f"Langkah {j}", "pelaksana": f"l{j}", "waktu": "5 menit"})
    return doc


def messages(data: Path) -> list[str]:
    with pytest.raises(UserError) as err:
        load_project(data)
    return [p.message for p in err.value.problems]


@pytest.mark.parametrize("paper,lanes", [("F4", 12), ("A4", 10), ("F4", 9)])
def test_lanes_up_to_the_limit_are_readable(tmp_path: Path, paper: str, lanes: int) -> None:
    project = load_project(write_data(tmp_path, with_lanes(lanes), paper))
    sop = next(iter(project.sops))
    layout = layout_sheet(sop, project.office, PAPER_MM[paper])
    check_sheet(sop, layout)
    for page in layout.pages:
        for s in page.symbols:
            assert s.box.w >= 6.0, s
            if s.kind in ("start", "end"):
                assert s.box.w / s.box.h >= 1.6, f"capsule squeezed: {s}"
    for col in layout.lane_columns:  # headers hyphenated, never cut without a hyphen
        joined = "".join(line.removesuffix("-") for line in col.label_lines)
        assert joined.replace(" ", "") == col.label.replace(" ", "")


@pytest.mark.parametrize(
    "paper,lanes", [("F4", 13), ("F4", 15), ("F4", 18), ("A4", 11), ("A4", 13), ("A4", 18)]
)
def test_too_many_lanes_refused(tmp_path: Path, paper: str, lanes: int) -> None:
    found = messages(write_data(tmp_path, with_lanes(lanes), paper))
    limit = MAX_LANES[paper]
    assert (
        f"terlalu banyak lajur untuk lembar SOP kertas {paper}: {lanes} lajur, "
        f"paling banyak {limit}" in found
    )


@pytest.mark.parametrize("items", [13, 24])
@pytest.mark.parametrize("paper", ["F4", "A4"])
def test_long_identity_lists_continue(tmp_path: Path, items: int, paper: str) -> None:
    doc = seed_doc()
    doc["dasar_hukum"] = [f"Peraturan nomor {i} {text(150)}" for i in range(1, items + 1)]
    project = load_project(write_data(tmp_path, doc, paper))
    sop = next(iter(project.sops))
    layout = layout_sheet(sop, project.office, PAPER_MM[paper])
    room = layout.content_h - STYLE.footer_h - STYLE.page_slack
    printed: list[str] = []
    titles: list[str] = []
    for page in layout.pages:
        height = layout.identity.top_height if page.identity_parts else 0.0
        height += sum(h for _, _, h in page.identity_rows)
        if page.rows:
            height += sum(layout.header_heights) + page.drawing_height + STYLE.gap_identity
        assert height <= room + 0.01, f"page {page.number} overflows"
        for left, right, _ in page.identity_rows:
            titles += [left.title, right.title]
            for group in left.groups:
                printed += [" ".join(item.lines) for item in group.items]
    for i in range(1, items + 1):
        assert sum(p.startswith(f"Peraturan nomor {i} ") for p in printed) == 1
    assert "Dasar Hukum (lanjutan)" in titles
    for name in ("Keterkaitan", "Peralatan/Perlengkapan", "Peringatan", "Pencatatan dan Pendataan"):
        assert name in titles
    check_sheet(sop, layout)


def test_identity_texts_at_their_limit_continue(tmp_path: Path) -> None:
    doc = seed_doc()
    for key in ("dasar_hukum", "kualifikasi_pelaksana", "keterkaitan", "peringatan"):
        doc[key] = [text(1000) for _ in range(4)]
    project = load_project(write_data(tmp_path, doc))
    sop = next(iter(project.sops))
    layout = layout_sheet(sop, project.office, PAPER_MM["F4"])
    expected = expected_text(layout)
    assert sum(
        p == layout.pages[0].identity_rows[0][0].groups[0].items[0].lines[0] for p in expected
    )
    items = sum(
        len(g.items)
        for p in layout.pages
        for row in p.identity_rows
        for c in row[:2]
        for g in c.groups
    )
    assert items == 4 * 4 + sum(len(v) for v in sop.equipment.values()) + len(sop.records)


def test_tall_keterangan_fits_or_is_refused(tmp_path: Path) -> None:
    doc = seed_doc()
    doc["langkah"][3]["keterangan"] = text(983)
    project = load_project(write_data(tmp_path, doc))  # the KET column widens for it
    sop = next(iter(project.sops))
    layout = layout_sheet(sop, project.office, PAPER_MM["F4"])
    check_sheet(sop, layout)
    row = next(r for p in layout.pages for r in p.rows if r.step == 4)
    assert " ".join(row.lines("ket")).replace("- ", "").replace("-", "") in text(983).replace(
        "-", ""
    )


def test_all_step_texts_at_their_limit_refused_with_the_limit(tmp_path: Path) -> None:
    doc = seed_doc()
    for step in doc["langkah"]:
        for key in ("uraian", "kelengkapan", "output", "keterangan"):
            step[key] = text(1000)
    found = messages(write_data(tmp_path, doc))
    refused = [m for m in found if m.startswith("teks terlalu panjang untuk satu halaman")]
    assert len(refused) >= len(doc["langkah"])
    assert all(
        "karakter; kolom " in m and "di kertas F4 memuat paling banyak sekitar" in m
        for m in refused
    )


def test_project_fixture_is_untouched(seed_project: Project) -> None:
    assert copy.deepcopy(seed_doc())["nomor"] == next(iter(seed_project.sops)).number


def test_a_fresh_process_takes_the_fit_check_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading with a cache folder remembers each SOP's sheet-fit findings on disk by its
    content and the office: a load in a fresh process (no in-process memo) gives the same
    problems, refusals included, without laying the sheet out; an edit checks again."""
    doc = seed_doc()
    for key in ("uraian", "kelengkapan", "output", "keterangan"):
        doc["langkah"][1][key] = text(1000)
    data, cache = write_data(tmp_path, doc), tmp_path / "cache"
    calls: list[str] = []
    real = rules.check_sheet_fit
    monkeypatch.setattr(rules, "check_sheet_fit", lambda s, o: calls.append(s.slug) or real(s, o))

    def problems() -> list[str]:
        monkeypatch.setattr(loader, "_CHECKED", {})  # as in a new process
        with pytest.raises(UserError) as err:
            load_project(data, None, cache)
        return [p.format() for p in err.value.problems]

    first = problems()
    assert calls == ["uji"] and any("untuk satu halaman lembar SOP" in p for p in first)
    assert problems() == first and calls == ["uji"]  # from the cache
    doc["langkah"][1]["output"] = text(990)
    (data / "sop" / "uji.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True))
    problems()
    assert calls == ["uji", "uji"]
    office = (data / "instansi.yaml").read_text("utf-8")
    (data / "instansi.yaml").write_text(office.replace("kertas: F4", "kertas: A4"), "utf-8")
    assert any("di kertas A4 memuat" in p for p in problems())  # another paper: checked again
    assert calls == ["uji", "uji", "uji"]
    for entry in cache.glob("??/*.c2"):
        entry.write_bytes(b"rusak")  # a damaged entry is checked again, never trusted
    problems()
    assert calls == ["uji", "uji", "uji", "uji"]
