"""The sheet's style: font sizes, line heights, symbol sizes, routing costs."""

from __future__ import annotations

import math
from dataclasses import dataclass

from generator.layout.router import (  # noqa: F401  (the router's costs, the sheet's names)
    BEND_COST,
    CLEAR,
    CROSS_COST,
    RESERVE_COST,
)

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
