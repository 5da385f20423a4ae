"""Font metrics of the one font the documents use: Liberation Sans (Arial's metrics).

Both the sheet and the diagram measure text with these advance widths, read from the font
files that Debian's fonts-liberation installs, so wrapping computed here matches what
WeasyPrint, Chromium and Graphviz draw.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from generator.errors import UserError

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
)
FONT_FILES = {False: "LiberationSans-Regular.ttf", True: "LiberationSans-Bold.ttf"}


@dataclass(frozen=True)
class FontMetrics:
    """Advance widths of one font face, in font units."""

    units_per_em: int
    advances: dict[int, int]
    fallback: int

    def width_pt(self, text: str, size_pt: float) -> float:
        """Width of `text` set at `size_pt`, in points (no kerning: an upper bound)."""
        units = sum(self.advances.get(ord(ch), self.fallback) for ch in text)
        return units / self.units_per_em * size_pt


@functools.cache
def font(bold: bool = False) -> FontMetrics:
    """Liberation Sans (regular or bold) as installed by Debian's fonts-liberation."""
    from fontTools.ttLib import TTFont

    for folder in FONT_DIRS:
        path = folder / FONT_FILES[bold]
        if path.is_file():
            tt = TTFont(str(path), lazy=True)
            hmtx = tt["hmtx"].metrics
            advances = {cp: hmtx[name][0] for cp, name in tt.getBestCmap().items()}
            units = tt["head"].unitsPerEm
            return FontMetrics(units, advances, max(advances.get(ord("M"), units), units // 2))
    raise UserError(
        "fon Liberation Sans tidak ditemukan; pasang paket Debian fonts-liberation "
        "(dibutuhkan untuk mengukur teks dokumen)"
    )
