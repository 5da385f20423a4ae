"""Text measuring and the sheet's style: font sizes, line heights, symbol sizes, routing costs."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import pyphen

from generator.layout.text import font
from generator.model import text_blocks

MM_PER_PT = 25.4 / 72


# --------------------------------------------------------------------------- font metrics

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
    limit = max(width - WRAP_SLACK_MM, 1.0)
    lines: list[str] = []
    current = ""
    for piece, spaced in _tokens(text):
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
            room = limit - text_width(head, size_pt, bold)
            k = max(_cut(rest, room, size_pt, bold, not head), 0 if head else 1)
            if k:
                lines.append(head + rest[:k] + "-")
                rest = rest[k:]
            else:
                lines.append(head.rstrip())
            head = ""
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


# --------------------------------------------------------------------------- style


@dataclass(frozen=True)
class Style:
    """Sizes the layout measures with; the renderer writes the same values into the CSS."""

    body_pt: float = 8.5
    body_lh: float = 3.7
    head_pt: float = 7.5
    head_lh: float = 3.3
    ident_pt: float = 9.0
    ident_lh: float = 4.0
    title_pt: float = 10.0
    title_lh: float = 4.6
    label_pt: float = 6.5
    letter_pt: float = 8.0
    foot_pt: float = 8.0
    pad_x: float = 1.2
    pad_y: float = 1.0
    border: float = 0.25
    line: float = 0.3
    margin_top: float = 12.0
    margin_bottom: float = 10.0
    margin_left: float = 20.0  # binding edge
    margin_right: float = 10.0
    footer_h: float = 6.0
    page_slack: float = 1.0
    gap_identity: float = 4.0
    sign_space: float = 18.0
    logo_h: float = 20.0
    unit_gap: float = 4.0
    list_indent: float = 5.0


STYLE = Style()

# Symbol and track geometry.
SYM_MAX_W = 16.0
SYM_H = {"start": 6.0, "end": 6.0, "process": 6.0, "decision": 9.0, "out": 7.0, "in": 7.0}
LANE_MARGIN_MIN = 4.5  # between a lane's border and its symbols: room for two tracks
LANE_MARGIN_NARROW = 3.0  # in a narrow lane: room for one track
CAPSULE_RATIO = 1.7  # width / height of a start or end capsule at least
ZONE = 6.5  # above and below a symbol: room for two horizontal tracks
TRACKS = 2
CONN_ZONE = 5.0
CONN_EDGE_ZONE = 2.5  # between a connector row's page-edge side and its connectors: one track
ARROW_LEN = 1.4
ARROW_HALF = 0.65
MERGE_COST = 40.0
RESERVE_COST = 30.0
CLEAR = 0.4
BEND_COST = 4.0
CROSS_COST = 80.0
CLOSE_GAP = 1.6  # mm: parallel runs of two arrows closer than this read as one line
CLOSE_COST = 1.5  # extra cost per mm of such a run, on top of its length
OUT_PORT_COST = {
    "bottom": 0.0,
    "left": 1.5,
    "right": 1.5,
    "top": 12.0,
    "bottom-left": 6.0,  # the lower edges of a decision with 4 exits
    "bottom-right": 6.0,
}
IN_PORT_COST = {"top": 0.0, "left": 4.0, "right": 4.0, "bottom": 30.0}
BACK_IN_PORT_COST = {"top": 8.0, "left": 0.0, "right": 0.0, "bottom": 30.0}
MAX_ROWS_PER_PAGE = 40


def lane_tracks(lane_w: float) -> tuple[float, int]:
    """(margin between a lane's border and its symbols in mm, vertical tracks in that margin)
    for a lane `lane_w` mm wide: two tracks where the lane is wide enough for a symbol of 8 mm
    beside them, else one."""
    if lane_w - 2 * LANE_MARGIN_MIN >= 8.0:
        return LANE_MARGIN_MIN, TRACKS
    return LANE_MARGIN_NARROW, 1


def symbol_width(lane_w: float) -> float:
    """Width of the step symbols in a lane `lane_w` mm wide."""
    margin, _ = lane_tracks(lane_w)
    return math.floor(min(SYM_MAX_W, lane_w - 2 * margin) * 10 + 1e-6) / 10  # w/2 exact


def capsule_height(width: float) -> float:
    """Height of a start or end capsule `width` mm wide: a capsule, never a circle."""
    return min(SYM_H["start"], math.floor(width / CAPSULE_RATIO * 10) / 10)


# Routing passes of a page, tried in order until every arrow has a route: the normal one; one
# that keeps enough free ports on a symbol for its arrows still to come (arrows into it merge
# instead); the same with cheap merges; a last resort that may share a line or a port with
# another arrow, or even cross a symbol, rather than fail.
ROUTE_MODES = ("normal", "budget", "merge", "loose")
MERGE_COST_FALLBACK = 8.0
