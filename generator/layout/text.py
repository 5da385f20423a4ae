"""Measuring and wrapping text in the one font the documents use: Liberation Sans (Arial's
metrics), widths in millimetres, Indonesian hyphenation (pyphen `id_ID`).

Both the sheet and the diagram measure text with these advance widths, read from the font
files fontconfig finds (`generator.fonts`, the lookup WeasyPrint, Chromium and Graphviz make),
so wrapping computed here matches what they draw.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pyphen

from generator import fonts
from generator.model import text_blocks

MM_PER_PT = 25.4 / 72


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


# --------------------------------------------------------------------------- wrapping

# Slack kept free at the end of every wrapped line, so that kerning or hinting differences
# between engines never make a line wider than its cell.
WRAP_SLACK_MM = 0.8
WRAP_FACTOR = 1.02
_BREAK_AFTER = "/-"


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Words split further after '/' and '-': (piece, preceded by a space)."""
    tokens: list[tuple[str, bool]] = []
    for word in text.split():
        start = 0
        for i, ch in enumerate(word[:-1]):
            if ch in _BREAK_AFTER:
                tokens.append((word[start : i + 1], start == 0))
                start = i + 1
        tokens.append((word[start:], start == 0))
    return tokens


def text_width(text: str, size_pt: float, bold: bool = False) -> float:
    """Measured width of a line of text in millimetres, with the wrapping safety factor."""
    return font(bold).width_pt(text, size_pt) * MM_PER_PT * WRAP_FACTOR


@functools.cache
def _hyphenator() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="id_ID")


def hyphen_points(word: str) -> list[int]:
    """Where Indonesian hyphenation (pyphen's id_ID) may break `word`: indices into it."""
    return list(_hyphenator().positions(word))


def _cut(piece: str, room: float, size_pt: float, bold: bool, letters: bool) -> int:
    """The longest head of `piece` at a hyphenation point (with `letters`, else between
    letters) that fits `room` mm with a hyphen added; 0 when none does."""
    fits = [
        p
        for p in hyphen_points(piece)
        if text_width(piece[:p] + "-", size_pt, bold) <= room and piece[p - 1].isalnum()
    ]
    if fits:
        return max(fits)
    if not letters:
        return 0
    k = 0
    while k < len(piece) - 1 and text_width(piece[: k + 1] + "-", size_pt, bold) <= room:
        k += 1
    return k


def wrap(text: str, width: float, size_pt: float, bold: bool = False) -> list[str]:
    """Greedy line breaking of `text` (whitespace collapsed) into lines fitting `width` mm.

    Breaks at spaces and after '/' or '-'; a word longer than a line is hyphenated (pyphen's
    Indonesian patterns, else between letters), always with a hyphen. An empty text gives no
    line.
    """
    return wrap_shaped(text, [width], size_pt, bold)


def wrap_shaped(
    text: str, widths: Sequence[float], size_pt: float, bold: bool = False
) -> list[str]:
    """`wrap` into lines of different widths (mm): line i fits widths[i], the lines after the
    last width fit that last width (a text inside a hexagon or a capsule)."""
    limits = [max(w - WRAP_SLACK_MM, 1.0) for w in widths] or [1.0]
    lines: list[str] = []
    current = ""
    for piece, spaced in _tokens(text):
        limit = limits[min(len(lines), len(limits) - 1)]
        candidate = f"{current} {piece}" if current and spaced else current + piece
        if text_width(candidate, size_pt, bold) <= limit:
            current = candidate
            continue
        if text_width(piece, size_pt, bold) <= limit:
            if current:
                lines.append(current)
            current = piece
            continue
        # A word wider than a line: fill the current line with its head, then whole lines.
        head = f"{current} " if current and spaced else current
        rest = piece
        while text_width(head + rest, size_pt, bold) > limit:
            limit = limits[min(len(lines), len(limits) - 1)]
            room = limit - text_width(head, size_pt, bold)
            k = max(_cut(rest, room, size_pt, bold, not head), 0 if head else 1)
            if k:
                lines.append(head + rest[:k] + "-")
                rest = rest[k:]
            else:
                lines.append(head.rstrip())
            head = ""
            limit = limits[min(len(lines), len(limits) - 1)]
        current = head + rest
    if current:
        lines.append(current)
    return lines


BULLET = "\u2022"  # how a "- " list item is marked on the sheet
INDENT_SPACE = "\u2002"  # an en space: kept by browsers and WeasyPrint, never collapsed


def wrap_text(text: str, width: float, size_pt: float, bold: bool = False) -> list[str]:
    """`wrap` for a text with paragraphs and list items (`model.text_blocks`): paragraphs
    start on a new line; a list item starts with its marker ("•", "1.") and its further
    lines are indented by en spaces as wide as the marker, so they hang under its text."""
    blocks = text_blocks(text)
    if all(b.kind == "para" for b in blocks):
        return [line for b in blocks for line in wrap(b.text, width, size_pt, bold)]
    space_w = text_width(INDENT_SPACE, size_pt, bold)
    lines: list[str] = []
    for block in blocks:
        if block.kind == "para":
            lines += wrap(block.text, width, size_pt, bold)
            continue
        marker = BULLET if block.kind == "bullet" else block.marker
        head = f"{marker} "
        count = math.ceil(text_width(head, size_pt, bold) / space_w)
        pad = INDENT_SPACE * count
        body = wrap(block.text, width - count * space_w, size_pt, bold) or [""]
        lines += [head + body[0], *(pad + line for line in body[1:])]
    return lines
