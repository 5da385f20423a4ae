"""A generated family of decisions for the diagram and sheet tests.

Every count of 2 to 4 labelled exits and every subset of them ending the procedure
(`selesai`), in a 3-lane SOP of 7 steps whose decision is step 4; the exits that go to a step
take, in order, 5 (down), 2 (back up), 6 (down, skipping a row) and 1 (back to the start), so
the steps after the decision stay reachable. A decision whose every exit is `selesai` is
refused by the rules (it decides nothing), so that subset is left out. A few extra decisions
at the last step have exits that all go back up, or share a target.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.loader import Project, load_project

OFFICE = (
    Path(__file__).resolve().parent / "fixtures" / "real-sops" / "kel-pulutan" / "instansi.yaml"
)
LANES = ("pemohon", "lurah", "kecamatan")
STEP_TARGETS = (5, 2, 6, 1)
Targets = tuple[int | str, ...]


def family() -> list[tuple[Targets, int]]:
    """(exit targets, decision step): every mix of step targets and `selesai`, then extras."""
    cases: list[tuple[Targets, int]] = []
    for n in (2, 3, 4):
        for mask in range((1 << n) - 1):  # all-selesai left out: refused by the rules
            rank = iter(STEP_TARGETS)
            targets = tuple("selesai" if mask >> i & 1 else next(rank) for i in range(n))
            cases.append((targets, 4))
    cases += [
        ((5, 6, 6, "selesai"), 4),
        ((6, 6, 5, "selesai"), 4),
        ((2, 3, 1, "selesai"), 7),
        ((1, 2, "selesai", "selesai"), 7),
        ((3, "selesai"), 7),
    ]
    return cases


def case_id(targets: Targets, at: int) -> str:
    """A short test id, e.g. '4:5-s-2-s'."""
    return f"{at}:" + "-".join("s" if t == "selesai" else str(t) for t in targets)


def sop_text(targets: Targets, at: int, decision_lane: str) -> str:
    """The YAML of the SOP: step `at` is the decision, in `decision_lane` (a lane id or a
    YAML list of lane ids for a joint decision)."""
    steps = []
    for i in range(1, 8):
        lane = decision_lane if i == at else LANES[(i - 1) % 3]
        extra = ""
        if i == at:
            extra = "    keputusan:\n" + "".join(
                f"      Pilihan {k + 1}: {t}\n" for k, t in enumerate(targets)
            )
        elif i == 7:
            extra = "    selesai: true\n"
        steps.append(
            f"  - uraian: Langkah nomor {i}\n    pelaksana: {lane}\n"
            f"    waktu: 5 menit\n    output: Hasil {i}\n{extra}"
        )
    return (
        'nomor: "1/UJI/2026"\nnama: Uji Keputusan\nunit: Seksi Pemerintahan\n'
        "tanggal_pembuatan: 2026-01-10\ntanggal_revisi: null\ntanggal_efektif: 2026-01-10\n"
        "disahkan_oleh: lurah\ndasar_hukum: []\nkualifikasi_pelaksana: []\nketerkaitan: []\n"
        "peralatan_perlengkapan: []\nperingatan: []\npencatatan_pendataan: []\n"
        "pelaksana:\n  pemohon: {label: Pemohon, luar: true}\n  lurah: Lurah\n"
        "  kecamatan: Kecamatan\nlangkah:\n" + "".join(steps)
    )


def project(folder: Path, targets: Targets, at: int, decision_lane: str = "lurah") -> Project:
    """A project in `folder` holding only the generated SOP."""
    (folder / "sop").mkdir(parents=True)
    shutil.copy(OFFICE, folder / "instansi.yaml")
    (folder / "sop" / "uji.yaml").write_text(sop_text(targets, at, decision_lane), "utf-8")
    return load_project(folder)
