"""Font metrics of the one font the documents use: Liberation Sans (Arial's metrics).

Both the sheet and the diagram measure text with these advance widths, read from the font
files fontconfig finds (`generator.fonts`, the lookup WeasyPrint, Chromium and Graphviz make),
so wrapping computed here matches what they draw.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from generator import fonts


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
    """Liberation Sans (regular or bold) as fontconfig finds it; ToolMissingError naming the
    Debian package when it is not installed."""
    from fontTools.ttLib import TTFont

    tt = TTFont(str(fonts.font_file("Bold" if bold else "Regular")), lazy=True)
    hmtx = tt["hmtx"].metrics
    advances = {cp: hmtx[name][0] for cp, name in tt.getBestCmap().items()}
    units = tt["head"].unitsPerEm
    return FontMetrics(units, advances, max(advances.get(ord("M"), units), units // 2))
