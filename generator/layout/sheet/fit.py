"""What the official sheet can hold: the lane limit per paper and the longest step texts.

`sop check` asks these before a build, so a sheet never drops what it cannot print: an SOP
with more lanes than the paper holds, or a step whose text would make its row taller than a
page, is refused with the limit stated (in lanes, in characters).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.layout.sheet import frame
from generator.layout.sheet.grid import (
    conn_height,
    lines_height,
    step_cells,
    step_height,
    step_texts,
)
from generator.layout.sheet.measure import STYLE
from generator.layout.text import text_width
from generator.model import Office, Sop

# Paper sizes in millimetres (portrait width, height).
PAPER_MM = {"F4": (215, 330), "A4": (210, 297)}

# The most lanes a sheet prints readably (lanes of at least 12.5 mm beside text columns).
MAX_LANES = {"F4": 12, "A4": 10}

FIELDS = {"uraian": "uraian", "kelengkapan": "kelengkapan", "output": "output", "ket": "keterangan"}
COLUMN_NAMES = {
    "uraian": "URAIAN AKTIFITAS",
    "kelengkapan": "PERSYARATAN/KELENGKAPAN",
    "output": "OUTPUT",
    "ket": "KET",
}


@dataclass(frozen=True)
class TooLong:
    """A step text that would make its row taller than a page: its YAML field, the message
    and a hint (Indonesian)."""

    step: int
    field: str
    message: str
    hint: str


def overlong_texts(sop: Sop, office: Office) -> list[TooLong]:
    """Step texts too long for one page of the sheet on the office's paper, with the limit
    in characters for that column (estimated from the text's own letters)."""
    fr = frame(sop, PAPER_MM[office.paper], office.working_hours.hours_per_day)
    room = fr.avail - 2 * conn_height(1) - fr.total_h
    max_lines = int((room - 2 * STYLE.pad_y) // STYLE.body_lh)
    found = []
    for n in range(1, len(sop.steps) + 1):
        cells = step_cells(sop, n, fr.columns)
        if step_height(sop, n, cells) <= room:
            continue
        texts = step_texts(sop, n)
        for col in fr.columns:
            if col.key not in FIELDS or lines_height(len(cells[col.key]), STYLE.body_lh) <= room:
                continue
            text = texts[col.key]
            per_char = text_width(text, STYLE.body_pt) / max(len(text), 1)
            per_line = (col.width - 2 * STYLE.pad_x - 0.8) / per_char
            limit = int(max_lines * per_line * 0.85) // 10 * 10
            found.append(
                TooLong(
                    n,
                    FIELDS[col.key],
                    f"teks terlalu panjang untuk satu halaman lembar SOP ({len(text)} karakter; "
                    f"kolom {COLUMN_NAMES[col.key]} di kertas {office.paper} memuat paling "
                    f"banyak sekitar {limit} karakter)",
                    "persingkat teks ini atau pindahkan sebagian ke kolom lain atau ke "
                    "langkah berikutnya",
                )
            )
    return found
