"""Generate N realistic synthetic SOPs (3-7 lanes, 5-30 steps, decisions) into a data folder.

Usage: python benchmarks/synth.py N DEST [--seed S]

Deterministic for a given seed. Every generated SOP passes `sop check`: decisions send
"Tidak" back to an earlier step and "Ya" forward, so every step is reachable and ends.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

LANES = [
    ("kepala", "Camat"),
    ("sekretaris", "Sekretaris Camat"),
    ("kasubbag", "Kasubbag Umum"),
    ("kasi", "Kepala Seksi"),
    ("bendahara", "Bendahara"),
    ("lurah", "Lurah"),
    ("staf", "Staf"),
]
VERBS = [
    "Menerima",
    "Memeriksa",
    "Mencatat",
    "Menyusun",
    "Mengajukan",
    "Menandatangani",
    "Mendistribusikan",
    "Mengarsipkan",
    "Memverifikasi",
    "Menyampaikan",
    "Mengolah",
    "Membahas",
]
OBJECTS = [
    "surat permohonan warga",
    "berkas administrasi kependudukan",
    "laporan kegiatan bulanan",
    "usulan anggaran kegiatan",
    "dokumen perencanaan",
    "data hasil pendataan",
    "konsep surat keputusan",
    "rekomendasi izin usaha",
    "nota dinas",
    "daftar hadir rapat",
]
UNITS = [
    "Sub Bagian Umum dan Kepegawaian",
    "Sub Bagian Perencanaan dan Keuangan",
    "Seksi Pemerintahan",
    "Seksi Pelayanan Umum",
    "Seksi Ketentraman dan Ketertiban",
]
TIMES = ["5 menit", "15 menit", "30 menit", "1 jam", "2 jam", "3 jam", "1 hari", "2 hari"]


def synth_sop(rng: random.Random, index: int) -> dict:
    """One SOP as plain data, ready for yaml.safe_dump."""
    lanes = rng.sample(LANES, rng.randint(3, 7))
    lane_ids = [lane for lane, _ in lanes]
    n = rng.randint(5, 30)
    steps = []
    for i in range(1, n + 1):
        thing = rng.choice(OBJECTS)
        step: dict = {
            "uraian": f"{rng.choice(VERBS)} {thing}",
            "pelaksana": rng.choice(lane_ids),
            "kelengkapan": thing.capitalize(),
            "waktu": rng.choice(TIMES),
            "output": f"{thing.capitalize()} selesai diproses",
        }
        if 3 <= i < n and rng.random() < 0.15:
            step["keputusan"] = {"ya": i + 1, "tidak": rng.randint(max(1, i - 3), i - 1)}
        steps.append(step)
    for lane in lane_ids:  # every lane used, without leaving another lane unused
        if not any(s["pelaksana"] == lane for s in steps):
            shared = [s for s in steps if sum(t["pelaksana"] == s["pelaksana"] for t in steps) > 1]
            if shared:
                rng.choice(shared)["pelaksana"] = lane
    used = {s["pelaksana"] for s in steps}
    lanes = [(lane, title) for lane, title in lanes if lane in used]
    return {
        "nomor": f"{100 + index % 800}/{index}/SINTETIS/2024",
        "nama": f"Pelayanan {rng.choice(OBJECTS).title()} {index}",
        "unit": rng.choice(UNITS),
        "tanggal_pembuatan": "2024-01-02",
        "tanggal_revisi": None,
        "tanggal_efektif": "2024-01-15",
        "disahkan_oleh": "camat",
        "dasar_hukum": [
            "Peraturan Menteri Dalam Negeri Nomor 52 Tahun 2011 tentang Standar Operasional "
            "Prosedur di Lingkungan Pemerintah Provinsi dan Kabupaten/Kota"
        ],
        "kualifikasi_pelaksana": ["Memahami tugas pokok dan fungsi"],
        "keterkaitan": [],
        "peralatan_perlengkapan": {"Peralatan": ["Komputer", "Printer"]},
        "peringatan": ["Bila tidak dilaksanakan, pelayanan terhambat"],
        "pencatatan_pendataan": [],
        "pelaksana": dict(lanes),
        "langkah": steps,
    }


def write_data(n: int, dest: Path, seed: int = 1) -> Path:
    """Write instansi.yaml and N SOP files under dest (replacing it)."""
    rng = random.Random(seed)
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "sop").mkdir(parents=True)
    shutil.copy(ROOT / "sop_data" / "instansi.yaml", dest / "instansi.yaml")
    for i in range(1, n + 1):
        text = yaml.safe_dump(synth_sop(rng, i), allow_unicode=True, sort_keys=False)
        (dest / "sop" / f"sintetis-{i:04d}.yaml").write_text(text, encoding="utf-8")
    return dest


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write_data(args.n, args.dest, args.seed)
    print(f"{args.n} SOP sintetis ditulis ke {args.dest}")


if __name__ == "__main__":
    main()
