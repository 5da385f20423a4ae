"""The drawing of one page: symbols, routed arrows, connector pairs, decision labels."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations, product
from typing import Any

from generator import flow
from generator.layout.geometry import (
    manhattan,
    paths_cross,
    segments,
)
from generator.layout.labels import (
    Along,
    Candidate,
    Obstacles,
    Score,
    along,
    around,
    best_place,
    near_line,
)
from generator.layout.router import Port, Router
from generator.layout.sheet.grid import CONN_GAP, CONN_W, conn_height, crossing_edges, symbol_kind
from generator.layout.sheet.measure import (
    ARROW_LEN,
    BACK_IN_PORT_COST,
    CLEAR,
    CONN_EDGE_ZONE,
    CONN_ZONE,
    IN_PORT_COST,
    MERGE_COST,
    MERGE_COST_FALLBACK,
    OUT_PORT_COST,
    ROUTE_MODES,
    STYLE,
    SYM_H,
    TRACKS,
    ZONE,
    capsule_height,
    lane_tracks,
)
from generator.layout.sheet.records import Box, Join, Point, Route, Row, Symbol, round_mm
from generator.layout.text import MM_PER_PT, font
from generator.model import Sop

# --------------------------------------------------------------------------- page drawing


@dataclass
class _Band:
    """A horizontal band of the drawing with one symbol line in its middle."""

    y0: float
    y1: float
    sym_h: float
    zone: float
    centre: float | None = None  # the symbol line, when not in the middle

    @property
    def cy(self) -> float:
        return round_mm(self.centre if self.centre is not None else (self.y0 + self.y1) / 2)

    def tracks(self) -> list[float]:
        """The horizontal tracks: two either side of the symbol line (one in a gap too low
        for two tracks 1.5 mm apart), and the line itself."""
        top = self.cy - self.sym_h / 2
        bottom = self.cy + self.sym_h / 2
        n_up, n_down = (_track_count(top - self.y0), _track_count(self.y1 - bottom))
        up = [round_mm(self.y0 + (top - self.y0) * k / (n_up + 1)) for k in range(1, n_up + 1)]
        down = [
            round_mm(bottom + (self.y1 - bottom) * k / (n_down + 1)) for k in range(1, n_down + 1)
        ]
        return [*up, self.cy, *down]


def _track_count(gap: float) -> int:
    """Tracks in a gap of `gap` mm: TRACKS where they stand 1.5 mm apart, else one."""
    return TRACKS if gap >= (TRACKS + 1) * 1.5 else 1


def connector_letters(index: int) -> str:
    """A, B, ..., Z, AA, AB, ..."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass
class _PageBuilder:
    """Builds one page's drawing: bands, symbols, ports, routes, labels."""

    sop: Sop
    lane_x: dict[str, tuple[float, float]]
    sym_w: float
    rows: list[Row] = field(default_factory=list)
    bands: list[_Band] = field(default_factory=list)
    symbols: list[Symbol] = field(default_factory=list)
    by_step: dict[int, list[int]] = field(default_factory=dict)
    joins: list[Join] = field(default_factory=list)
    many_exits: set[int] = field(default_factory=set)  # decisions with more exits than corners

    def edge_ports(self, index: int) -> dict[str, Point]:
        """Extra ports of a decision with 4 exits: the middles of its two lower edges, where an
        exit leaves downwards (its corners are one too few for 4 exits and the arrow in)."""
        sym = self.symbols[index]
        if sym.kind != "decision" or sym.step not in self.many_exits:
            return {}
        b = sym.box
        y = round_mm((b.cy + b.y1) / 2)
        return {
            "bottom-left": (round_mm((b.x0 + b.cx) / 2), y),
            "bottom-right": (round_mm((b.cx + b.x1) / 2), y),
        }

    def add_symbol(
        self,
        kind: str,
        lane: str,
        band: _Band,
        step: int = 0,
        letter: str = "",
        ends: str = "",
        dx: float = 0.0,
    ) -> int:
        x0, x1 = self.lane_x[lane]
        cx, w, h = round_mm((x0 + x1) / 2 + dx), self.sym_w, SYM_H[kind]
        if kind in ("out", "in"):
            w = min(w, 8.0)
        if kind in ("start", "end"):  # a capsule, never a circle
            h = capsule_height(w)
        box = Box(
            round_mm(cx - w / 2),
            round_mm(band.cy - h / 2),
            round_mm(cx + w / 2),
            round_mm(band.cy + h / 2),
        )
        self.symbols.append(Symbol(kind, box, lane, step, letter, ends))
        return len(self.symbols) - 1

    def xs(self) -> list[float]:
        xs: set[float] = set()
        for x0, x1 in self.lane_x.values():
            margin = (x1 - x0 - self.sym_w) / 2
            tracks = lane_tracks(x1 - x0)[1]
            s = margin / (tracks + 1)
            for k in range(1, tracks + 1):
                xs.add(round_mm(x0 + s * k))
                xs.add(round_mm(x1 - s * k))
            xs.add(round_mm((x0 + x1) / 2))
        xs |= {round_mm(s.box.cx) for s in self.symbols if s.kind in ("out", "in")}
        xs |= {p[0] for i in range(len(self.symbols)) for p in self.edge_ports(i).values()}
        return sorted(xs)

    def hugging(self) -> list[float]:
        out: set[float] = set()
        for x0, x1 in self.lane_x.values():
            m = (x1 - x0 - self.sym_w) / 2
            tracks = lane_tracks(x1 - x0)[1]
            inner = tracks / (tracks + 1)
            out |= {round_mm(x0 + m * inner), round_mm(x1 - m * inner)}
        return sorted(out)

    def ys(self) -> list[float]:
        return sorted({y for band in self.bands for y in band.tracks()})

    def ports(self, router: Router, index: int) -> dict[str, Port]:
        sym = self.symbols[index]
        b = sym.box
        cx, cy = round_mm(b.cx), round_mm(b.cy)
        xs, ys = router.xs, router.ys
        out = {}
        above = [y for y in ys if y < b.y0 - CLEAR]
        below = [y for y in ys if y > b.y1 + CLEAR]
        left = [x for x in xs if x < b.x0 - CLEAR]
        right = [x for x in xs if x > b.x1 + CLEAR]
        if above:
            out["top"] = Port(
                index, "top", (cx, b.y0), (router.ix(cx), router.iy(above[-1])), (0, -1)
            )
        if below:
            out["bottom"] = Port(
                index, "bottom", (cx, b.y1), (router.ix(cx), router.iy(below[0])), (0, 1)
            )
        for side, (px, py) in self.edge_ports(index).items():
            if below:
                node = (router.ix(px), router.iy(below[0]))
                out[side] = Port(index, side, (px, py), node, (0, 1))
        if left:
            out["left"] = Port(
                index, "left", (b.x0, cy), (router.ix(left[-1]), router.iy(cy)), (-1, 0)
            )
        if right:
            out["right"] = Port(
                index, "right", (b.x1, cy), (router.ix(right[0]), router.iy(cy)), (1, 0)
            )
        return out


PageDrawing = tuple[list[Row], list[Symbol], list[Route], list[Join], float]
CONN_LANE_TRIALS = 4  # page layouts tried at most to take a crossing off a connector's arrow
ConnKey = tuple[str, flow.Edge]  # ("in" | "out", the edge crossing the page's border)


@dataclass(frozen=True)
class PageInput:
    """What one page of the procedure table is drawn from: the SOP, the steps on the page
    (`span`, first and last), each step's wrapped cells and row height (mm), the lane columns'
    x ranges (mm), the symbol width (mm), the flow's edges, the off-page connectors' letters
    and the connectors per tier of a connector row."""

    sop: Sop
    span: tuple[int, int]
    rows_info: dict[int, tuple[dict[str, tuple[str, ...]], float]]
    lane_x: dict[str, tuple[float, float]]
    sym_w: float
    edges: Sequence[flow.Edge]
    letters: dict[flow.Edge, str]
    per_tier: int = 1


def page_layout_drawing(page: PageInput) -> PageDrawing:
    """Rows, symbols, routes and joins of one page of the procedure table, and its height
    (mm). An off-page connector sits in its step's lane; where its arrow crosses another
    there, it moves to the nearest lane free of connectors in which the page's crossings are
    fewer (a return to an earlier page may go round the arrows below it); at most
    CONN_LANE_TRIALS lanes are tried per page (each a page layout): beside its home lane,
    then the outermost ones."""
    best = _page_drawing_with(page, conn_lane={})
    pairs = crossing_pairs([r.points for r in best[2]])
    if not pairs:
        return best
    incoming, outgoing = crossing_edges(page.edges, *page.span)
    keys = [("in", e) for e in incoming] + [("out", e) for e in outgoing]
    crossed = len(pairs)
    placed: dict[ConnKey, str] = {}
    trials = CONN_LANE_TRIALS
    for key in _crossed_connectors(best[2], pairs, keys, page.letters):
        score = (crossed, _ink(best))
        lanes = _other_conn_lanes(page.sop, key, keys, placed)[:trials]
        trials -= len(lanes)
        for lane in lanes:
            trial = _page_drawing_with(page, conn_lane={**placed, key: lane})
            count = len(crossing_pairs([r.points for r in trial[2]]))
            if count < crossed and (count, ink := _ink(trial)) < score:
                best, score, chosen = trial, (count, ink), lane
        if score[0] < crossed:
            crossed, placed = score[0], {**placed, key: chosen}
        if not crossed:
            break
    return best


def _crossed_connectors(
    routes: Sequence[Route],
    pairs: Sequence[tuple[int, int]],
    keys: Sequence[ConnKey],
    letters: dict[flow.Edge, str],
) -> list[ConnKey]:
    """The connectors (of `keys`) whose arrow is in one of the crossing `pairs` of routes."""
    crossed = {i for pair in pairs for i in pair}
    names = {routes[i].start for i in crossed} | {routes[i].end for i in crossed}
    return [k for k in keys if f"connector {letters[k[1]]}" in names]


def _ink(drawing: PageDrawing) -> float:
    """Total length (mm) of a page's arrows."""
    return sum(manhattan(a, b) for r in drawing[2] for a, b in segments(r.points))


def _home_lane(sop: Sop, key: ConnKey) -> str:
    kind, e = key
    return sop.step(e.source if kind == "out" else e.target).actors[0]


def _other_conn_lanes(
    sop: Sop, key: ConnKey, keys: Sequence[ConnKey], placed: dict[ConnKey, str]
) -> list[str]:
    """Lanes a connector may move to, those holding no other connector of its row (so the
    row keeps its tiers and the page its height): the nearest on either side of its home
    lane, then the outermost on either side (where an arrow goes round the others)."""
    lanes = sop.lane_ids
    taken = {placed.get(k, _home_lane(sop, k)) for k in keys if k[0] == key[0] and k != key}
    home = lanes.index(_home_lane(sop, key))
    free = [k for k in range(len(lanes)) if k != home and lanes[k] not in taken]
    left, right = [k for k in free if k < home], [k for k in free if k > home]
    order = [*left[-1:], *right[:1], *left[:1], *right[-1:]]
    return [lanes[k] for k in dict.fromkeys(order)]


def _page_drawing_with(page: PageInput, conn_lane: dict[ConnKey, str]) -> PageDrawing:
    """The page's drawing with the connectors of `conn_lane` in the lanes it names: the
    connector row in, the step rows with their end capsules, the connector row out, then
    the routes and their labels."""
    sop, span, lane_x = page.sop, page.span, page.lane_x
    first, last = span
    incoming, outgoing = crossing_edges(page.edges, first, last)
    pb = _PageBuilder(sop, lane_x, page.sym_w)
    pb.many_exits = {
        n
        for n in range(first, last + 1)
        if sop.step(n).is_decision and len(sop.step(n).decision.exits) >= 4
    }
    conns = _Connectors(page.letters, conn_lane, page.per_tier)
    y = conns.row(pb, "in", incoming, 0.0) if incoming else 0.0
    step_bands, y = _step_rows(pb, span, page.rows_info, y)
    end_index = _end_capsules(pb, step_bands)
    if outgoing:
        y = conns.row(pb, "out", outgoing, y)
    jobs = _page_jobs(pb, page.edges, span, conns.index, end_index)
    routes = _page_routes(pb, span, *_route_uncrossed(pb, jobs))
    width = sum(x1 - x0 for x0, x1 in lane_x.values())
    routes = _place_labels(routes, pb.symbols, pb.joins, width, y, lane_x, pb.rows)
    return pb.rows, pb.symbols, routes, pb.joins, round_mm(y)


@dataclass
class _Connectors:
    """The off-page connectors of a page: letters by edge, lanes chosen away from home,
    connectors per tier, and the symbol index of each placed one."""

    letters: dict[flow.Edge, str]
    lanes: dict[ConnKey, str]
    per_tier: int
    index: dict[ConnKey, int] = field(default_factory=dict)

    def row(self, pb: _PageBuilder, kind: str, crossing: Sequence[flow.Edge], y: float) -> float:
        """Add the row of connectors of edges leaving (out) or entering (in) the page at
        `y` mm: in their lane, side by side in letter order where the lane has room, else in
        tiers. Returns the y (mm) below the row."""
        by_lane: dict[str, list[flow.Edge]] = {}
        for e in sorted(crossing, key=lambda e: (len(self.letters[e]), self.letters[e])):
            lane = self.lanes.get((kind, e)) or _home_lane(pb.sop, (kind, e))
            by_lane.setdefault(lane, []).append(e)
        tiers = max(-(-len(v) // self.per_tier) for v in by_lane.values())
        height = conn_height(tiers)
        pb.rows.append(Row("conn-top" if kind == "in" else "conn-bottom", round_mm(y), height))
        bands = _connector_bands(kind, tiers, y)
        pb.bands.extend(bands)
        w = min(pb.sym_w, CONN_W)
        for lane, lane_edges in by_lane.items():
            n = self.per_tier
            groups = [lane_edges[k : k + n] for k in range(0, len(lane_edges), n)]
            if kind == "in":  # the last tier sits right above the rows
                groups = [[]] * (tiers - len(groups)) + groups
            for band, group in zip(bands, groups, strict=False):
                for k, e in enumerate(group):
                    dx = (k - (len(group) - 1) / 2) * (w + CONN_GAP)
                    letter = self.letters[e]
                    self.index[(kind, e)] = pb.add_symbol(kind, lane, band, letter=letter, dx=dx)
        return y + height


def _connector_bands(kind: str, tiers: int, y: float) -> list[_Band]:
    """The bands of a connector row's tiers from `y` mm: two tracks either side of each
    connector, one on the page-edge side of the outermost tier."""
    tier_h = SYM_H[kind] + 2 * CONN_ZONE
    cut = CONN_ZONE - CONN_EDGE_ZONE  # the page-edge side of the outermost tier
    bands = []
    for k in range(tiers):
        y0 = y + k * tier_h - (cut if kind == "in" and k else 0.0)
        edge_side = kind == "in" and k == 0 or kind == "out" and k == tiers - 1
        y1 = y0 + tier_h - (cut if edge_side else 0.0)
        centre = (
            y1 - CONN_ZONE - SYM_H[kind] / 2 if kind == "in" else y0 + CONN_ZONE + SYM_H[kind] / 2
        )
        bands.append(_Band(round_mm(y0), round_mm(y1), SYM_H[kind], CONN_ZONE, round_mm(centre)))
    return bands


def _step_rows(
    pb: _PageBuilder,
    span: tuple[int, int],
    rows_info: dict[int, tuple[dict[str, tuple[str, ...]], float]],
    y: float,
) -> tuple[list[tuple[int, _Band]], float]:
    """Add a row per step of `span` from `y` mm, each with its symbols (one per lane of a
    joint step); returns the steps' bands and the y (mm) below the last row."""
    sop = pb.sop
    step_bands: list[tuple[int, _Band]] = []
    for n in range(span[0], span[1] + 1):
        cells, height = rows_info[n]
        row = Row("step", round_mm(y), height, n, tuple(cells.items()))
        pb.rows.append(row)
        kind = symbol_kind(sop, n)
        band = _Band(row.y0, row.y1, SYM_H[kind], ZONE)
        pb.bands.append(band)
        joint = list(dict.fromkeys(sorted(sop.step(n).actors, key=sop.lane_ids.index)))
        pb.by_step[n] = [
            pb.add_symbol(_joint_kind(kind, k, len(joint)), lane, band, step=n)
            for k, lane in enumerate(joint)
        ]
        step_bands.append((n, band))
        y += height
    return step_bands, y


def _end_capsules(pb: _PageBuilder, step_bands: list[tuple[int, _Band]]) -> dict[flow.Edge, int]:
    """An end capsule for each exit of the page's steps that ends the procedure: exit ->
    the capsule's symbol index."""
    end_index: dict[flow.Edge, int] = {}
    for k, (n, band) in enumerate(step_bands):
        ends = [e for e in flow.end_exits(pb.sop) if e.source == n]
        slots = _end_slots(pb.sop, pb, step_bands, k)
        for i, e in enumerate(ends):
            lane, slot = slots[i] if i < len(slots) else (_end_lane(pb.sop, pb, band), band)
            end_index[e] = pb.add_symbol("end", lane, slot, ends=e.ident)
    return end_index


def _page_jobs(
    pb: _PageBuilder,
    edges: Sequence[flow.Edge],
    span: tuple[int, int],
    conn_index: dict[ConnKey, int],
    end_index: dict[flow.Edge, int],
) -> list[_Job]:
    """The arrows to route on the page (to end capsules, between its steps, to and from its
    connectors), forward before back, shortest first."""
    first, last = span
    jobs: list[_Job] = [(e, pb.by_step[e.source], [i], False) for e, i in end_index.items()]
    for e in edges:
        src_in = first <= e.source <= last
        tgt_in = first <= e.target <= last
        if src_in and tgt_in:
            jobs.append((e, pb.by_step[e.source], pb.by_step[e.target], e.is_back))
        elif src_in:
            jobs.append((e, pb.by_step[e.source], [conn_index[("out", e)]], False))
        elif tgt_in:
            jobs.append((e, [conn_index[("in", e)]], pb.by_step[e.target], False))
    row_of = {idx: i for i, row in enumerate(pb.rows) for idx in _row_symbols(pb, row, i)}

    def span_of(job: _Job) -> tuple[int, int, int]:
        e, s, t, back = job
        return (int(back), abs(row_of[t[0]] - row_of[s[0]]), e.source)

    return sorted(jobs, key=span_of)


def _page_routes(
    pb: _PageBuilder, span: tuple[int, int], jobs: list[_Job], found_all: _Found
) -> list[Route]:
    """The routed arrows as records, each naming the symbols it joins (or the arrow it
    merges into) and, for a decision's exit on this page, its label."""
    routes: list[Route] = []
    for (e, srcs, tgts, _back), (points, merged_into) in zip(jobs, found_all, strict=True):
        start = _symbol_name(pb.symbols[_symbol_at(pb, points[0], srcs)])
        end = (
            f"arrow {merged_into}"
            if merged_into is not None
            else _symbol_name(pb.symbols[_symbol_at(pb, points[-1], tgts)])
        )
        label = e.label if e.kind == "exit" and span[0] <= e.source <= span[1] else ""
        target = e.target if e.target is not None else 0
        routes.append(Route(e.source, target, e.kind, tuple(points), start, end, label))
    return routes


def _symbol_name(s: Symbol) -> str:
    """How a route record names a symbol: 'step 3 camat', 'connector A', 'end 5-2'."""
    if s.ends:
        return f"end {s.ends}"
    return f"step {s.step} {s.lane}" if s.step else f"connector {s.letter}"


def _joint_kind(kind: str, index: int, count: int) -> str:
    """The shape of one lane's symbol of a joint step: a joint first step is one start (the
    capsule in its first lane, boxes joined to it), a joint last step one end (its last)."""
    if kind == "start" and index > 0 or kind == "end" and index < count - 1:
        return "process"
    return kind


def _end_lane(sop: Sop, pb: _PageBuilder, band: _Band) -> str:
    """The lane for an end capsule beside a decision: the nearest lane (right first) with no
    symbol in this row."""
    taken = {s.lane for s in pb.symbols if band.y0 <= s.box.cy <= band.y1}
    lanes = sop.lane_ids
    home = max(lanes.index(s.lane) for s in pb.symbols if band.y0 <= s.box.cy <= band.y1)
    order = sorted(range(len(lanes)), key=lambda k: (abs(k - home), k < home))
    free = [lanes[k] for k in order if lanes[k] not in taken]
    return free[0] if free else lanes[home]


def _end_slots(
    sop: Sop, pb: _PageBuilder, step_bands: Sequence[tuple[int, _Band]], k: int
) -> list[tuple[str, _Band]]:
    """Where the end capsules of the exits of step row k that end the procedure go, nearest
    first: the lanes of its own row with no symbol (nearest the decision, right first), then
    those of the row below it, then of the row above it (a decision filling every lane)."""
    lanes = sop.lane_ids
    home = max(lanes.index(lane) for lane in sop.step(step_bands[k][0]).actors)
    order = sorted(range(len(lanes)), key=lambda i: (abs(i - home), i < home))
    own = step_bands[k][1]
    beside = [step_bands[j][1] for j in (k + 1, k - 1) if 0 <= j < len(step_bands)]
    rest = sorted(
        (b for b in pb.bands if b is not own and b not in beside), key=lambda b: abs(b.cy - own.cy)
    )
    slots = []
    for band in [own, *beside, *rest]:
        taken = {s.lane for s in pb.symbols if band.y0 <= s.box.cy <= band.y1}
        slots += [(lanes[i], band) for i in order if lanes[i] not in taken]
    return slots


_Job = tuple[flow.Edge, list[int], list[int], bool]  # edge, source and target symbols, back
_Found = list[tuple[list[Point], int | None]]
REORDER_TRIES = 6


def _route_all(
    pb: _PageBuilder, jobs: Sequence[_Job], ghosts: Sequence[Sequence[Point]] = ()
) -> tuple[int, _Found]:
    """Route the jobs in this order with the first routing mode that succeeds: (its index in
    ROUTE_MODES, the routes). `ghosts` are where the other arrows ran in an earlier try: the
    first job pays for crossing them as if they were there."""
    for k, mode in enumerate(ROUTE_MODES):
        found = _route_jobs(pb, jobs, mode, ghosts)
        if found is not None:
            return k, found
    raise AssertionError("the last routing mode never fails")


def crossing_pairs(paths: Sequence[Sequence[Point]]) -> list[tuple[int, int]]:
    """Pairs (i, j), i < j, of paths that cross at right angles away from their ends."""
    out = []
    for i in range(len(paths)):
        for j in range(i + 1, len(paths)):
            if paths_cross(paths[i], paths[j]):
                out.append((i, j))
    return out


def _route_uncrossed(pb: _PageBuilder, jobs: list[_Job]) -> tuple[list[_Job], _Found]:
    """Route the jobs; while two arrows cross, try routing the later one first (it then takes
    the way around), keeping an order that crosses less without a worse routing mode."""
    mode, found = _route_all(pb, jobs)
    crossed = crossing_pairs([p for p, _ in found])
    tried: set[tuple[int | bool, ...]] = set()
    kept_ghosts: list[Sequence[Point]] = []
    for _ in range(REORDER_TRIES):
        if not crossed:
            break
        better = None
        for (_i, j), with_ghosts in product(crossed, (False, True)):
            order = [jobs[j]] + [jb for k, jb in enumerate(jobs) if k != j]
            key = (*(id(jb) for jb in order), with_ghosts)
            if key in tried:
                continue
            tried.add(key)
            ghosts = [p for k, (p, _) in enumerate(found) if k != j] if with_ghosts else []
            t_mode, t_found = _route_all(pb, order, ghosts)
            t_crossed = crossing_pairs([p for p, _ in t_found])
            if t_mode <= mode and len(t_crossed) < len(crossed):
                better = (order, t_mode, t_found, t_crossed, ghosts)
                break
        if better is None:
            break
        jobs, mode, found, crossed, kept_ghosts = better
    if crossed and mode < ROUTE_MODES.index("merge"):  # cheap merges may avoid a crossing
        merged = _route_jobs(pb, jobs, "merge", kept_ghosts)
        if merged is not None and len(crossing_pairs([p for p, _ in merged])) < len(crossed):
            mode, found = ROUTE_MODES.index("merge"), merged
    if found is not None:
        _route_jobs(pb, jobs, ROUTE_MODES[mode], kept_ghosts)  # the joins of the order kept
    return jobs, found


EDGE_SIDES = ("bottom-left", "bottom-right")


def _can_leave(sym: Symbol, side: str) -> bool:
    """True when an arrow may leave this symbol from this side."""
    if sym.kind == "decision" and side == "top":
        return False
    return sym.kind != "out" and not (sym.kind == "in" and side != "bottom")


def _can_enter(sym: Symbol, side: str) -> bool:
    """True when an arrow may enter this symbol from this side."""
    if side in EDGE_SIDES:
        return False
    return sym.kind != "in" and not (sym.kind == "out" and side != "top")


def _route_jobs(
    pb: _PageBuilder, jobs: Sequence[_Job], mode: str, ghosts: Sequence[Sequence[Point]] = ()
) -> list[tuple[list[Point], int | None]] | None:
    """Route a page's arrows in order with one of the ROUTE_MODES; None when one has no route.

    Also draws the joins of joint steps (into `pb.joins`, reset first).
    """
    router = Router(pb.xs(), pb.ys(), [s.box for s in pb.symbols], pb.hugging())
    ports = {i: pb.ports(router, i) for i in range(len(pb.symbols))}
    router.reserved = {p.node for sides in ports.values() for p in sides.values()}
    pb.joins = []
    for n, members in pb.by_step.items():
        for a, b in zip(members, members[1:], strict=False):
            pa, pb_ = ports[a]["right"], ports[b]["left"]
            router.claim_line(router.point(pa.node), router.point(pb_.node))
            router.used_ports.update({(a, "right"), (b, "left")})
            pb.joins.append(Join(n, (pa.point, pb_.point)))
    merge_cost = MERGE_COST if mode in ("normal", "budget") else MERGE_COST_FALLBACK
    done: list[tuple[list[Point], int | None]] = []
    for k, (e, srcs, tgts, back) in enumerate(jobs):
        router.set_ghosts(ghosts if k == 0 else ())
        sources = [
            (p, OUT_PORT_COST[side] + (3.0 if back and side == "bottom" else 0.0))
            for i in srcs
            for side, p in ports[i].items()
            if _can_leave(pb.symbols[i], side)
        ]
        targets = [
            (p, (BACK_IN_PORT_COST if back else IN_PORT_COST)[side])
            for i in tgts
            for side, p in ports[i].items()
            if _can_enter(pb.symbols[i], side)
        ]
        junctions = {
            node: ("h" if router.node_use[node] == "h" else "v", merge_cost, j)
            for j, (other, _, other_tgts, _) in enumerate(jobs[:k])
            if other.target == e.target
            and other_tgts == tgts
            and other.source != e.source  # two exits to one step: each its own line
            and done[j][1] is None  # never into an arrow that itself merges
            for node in router.paths[j][1:-1]
            if router.node_use.get(node) in ("h", "v")
        }
        found = None
        if mode != "normal":
            kept_s, kept_t = _budget(pb, router, ports, jobs, k, sources, targets)
            found = router.route(kept_s, kept_t, junctions)
        if found is None:
            found = router.route(sources, targets, junctions)
        if found is None and mode == "loose":
            found = (router.route_loose(sources, targets), None)
        if found is None:
            return None
        done.append(found)
    return done


def _budget(
    pb: _PageBuilder,
    router: Router,
    ports: dict[int, dict[str, Port]],
    jobs: Sequence[_Job],
    k: int,
    sources: list[tuple[Port, float]],
    targets: list[tuple[Port, float]],
) -> tuple[list[tuple[Port, float]], list[tuple[Port, float]]]:
    """The ports job k may use without starving the arrows still to come of a free port.

    An arrow into a symbol keeps off the last ports its later outgoing arrows need (it merges
    into an arrow already there instead); an arrow out of a symbol keeps one port free for the
    first arrow into it.
    """
    _, srcs, tgts, _ = jobs[k]
    later = jobs[k + 1 :]

    def free(group: list[int], ok: Any) -> int:
        return sum(
            1
            for i in group
            for side, p in ports[i].items()
            if ok(pb.symbols[i], side) and router.port_free(p)
        )

    still_out = sum(1 for _, s, _, _ in later if s == tgts)
    if still_out:
        room = free(tgts, _can_leave) - still_out
        targets = [
            (p, c)
            for p, c in targets
            if room > 0 or not _can_leave(pb.symbols[p.symbol], p.side) or not router.port_free(p)
        ]
    first_in = any(t == srcs for _, _, t, _ in later) and not any(
        t == srcs for _, _, t, _ in jobs[:k]
    )
    if first_in and free(srcs, _can_enter) <= 1:
        sources = [
            (p, c)
            for p, c in sources
            if not _can_enter(pb.symbols[p.symbol], p.side) or not router.port_free(p)
        ]
    return sources, targets


def _row_symbols(pb: _PageBuilder, row: Row, _i: int) -> list[int]:
    return [k for k, s in enumerate(pb.symbols) if row.y0 <= s.box.cy <= row.y1]


def _symbol_at(pb: _PageBuilder, point: Point, candidates: Sequence[int]) -> int:
    for i in candidates:
        if pb.symbols[i].box.grow(0.01).contains(*point):
            return i
    return candidates[0]


# --------------------------------------------------------------------------- labels


LABEL_LH = 1.15 * MM_PER_PT  # line height of a decision label per point of its size (mm)
LABEL_SMALL_PT = 5.5  # the size a label shrinks to where the normal one finds no clear place


def _label_size(lines: Sequence[str], size_pt: float) -> tuple[float, float]:
    return (
        max(font().width_pt(t, size_pt) for t in lines) * MM_PER_PT + 0.4,
        LABEL_LH * size_pt * len(lines),
    )


def label_variants(label: str) -> list[tuple[tuple[str, ...], float]]:
    """(lines, size in pt) to try for a label, best first: one line, then (when it has
    spaces) two, three and four lines split where they are most even, then all a little
    smaller; narrow lanes have room for a short, taller label only."""
    words = label.split()
    shapes = [_even_lines(words, k) for k in range(1, min(len(words), 4) + 1)]
    return [(lines, pt) for pt in (STYLE.label_pt, LABEL_SMALL_PT) for lines in shapes]


def _even_lines(words: Sequence[str], count: int) -> tuple[str, ...]:
    """The words in `count` lines whose longest line is shortest (in characters)."""
    best: tuple[str, ...] = (" ".join(words),)
    for cuts in combinations(range(1, len(words)), count - 1):
        bounds = (0, *cuts, len(words))
        lines = tuple(" ".join(words[a:b]) for a, b in zip(bounds, bounds[1:], strict=False))
        if count > 1 and (len(best) != count or max(map(len, lines)) < max(map(len, best))):
            best = lines
    return best


LABEL_GAPS = (0.6, 0.3)  # the tighter gap only when no place at the normal one is clear
LABEL_NEAR = (1.3, 2.8)  # then around the exit, up to this far from its first two segments
BORDER_KEEP = STYLE.border / 2 + 0.2  # a label keeps this far from a table border


def _place_labels(
    routes: list[Route],
    symbols: Sequence[Symbol],
    joins: Sequence[Join],
    width: float,
    height: float,
    lane_x: dict[str, tuple[float, float]],
    rows: Sequence[Row],
) -> list[Route]:
    """Put each decision label beside its exit, touching no line, symbol, table border or
    other label; inside the diamond's own cell where there is room (labels.best_place)."""
    obstacles = Obstacles(
        lines=[s for r in routes for s in r.segments] + [j.points for j in joins],
        boxes=[_head_box(r) for r in routes],
        shapes=[s.touches for s in symbols],
        frame=Box(0.0, 0.0, width, height),
        grid_x=sorted({x for pair in lane_x.values() for x in pair}),
        grid_y=sorted({r.y0 for r in rows} | {r.y1 for r in rows}),
        grid_keep=BORDER_KEEP,
    )
    out = []
    for route in routes:
        if not route.label:
            out.append(route)
            continue
        source = next((s for s in symbols if s.step == route.source), None)
        cell = _own_cell(source, lane_x, rows)
        best: tuple[Score, Box, tuple[str, ...], float] | None = None
        for lines, pt in label_variants(route.label):
            found = _best_place(route, lines, pt, cell, obstacles)
            if best is None or found[0] < best[0]:
                best = (*found, lines, pt)
            if best[0][0] == 0:
                break
        assert best is not None
        obstacles.placed.append(best[1])
        out.append(replace(route, label_box=best[1], label_lines=best[2], label_pt=best[3]))
    return out


def _own_cell(
    source: Symbol | None, lane_x: dict[str, tuple[float, float]], rows: Sequence[Row]
) -> Box | None:
    """The table cell (mm) of the decision's own lane and row, where its labels belong."""
    if source is None:
        return None
    row = next((r for r in rows if r.step == source.step), None)
    if row is None:
        return None
    return Box(lane_x[source.lane][0], row.y0, lane_x[source.lane][1], row.y1)


def _best_place(
    route: Route,
    lines: tuple[str, ...],
    size_pt: float,
    cell: Box | None,
    obstacles: Obstacles,
) -> tuple[Score, Box]:
    """The best place for a label of these lines: (score, box); beside the route at the
    normal gap, then the tighter one, then around the exit."""
    w, h = _label_size(lines, size_pt)
    a, b = route.points[0], route.points[1]
    first_from = -(w if a[1] == b[1] else h)  # along the first segment: beside the symbol too

    def beside(gap: float) -> Callable[[], list[Candidate]]:
        return lambda: along(route.points, w, h, Along(gap, 0.5, first_from, gap, gap))

    def near(reach: float) -> Callable[[], list[Candidate]]:
        keep = near_line(route.segments[:2], 0.25, reach)
        return lambda: around(route.points[0], w, h, 0.5, (28, 20), keep)

    def prefer(box: Box) -> float:
        own = cell is not None and cell.x0 <= box.x0 and box.x1 <= cell.x1
        own = own and cell.y0 <= box.y0 and box.y1 <= cell.y1
        return (0 if own else 4) + 2 * (len(lines) - 1)

    found = best_place(
        [*map(beside, LABEL_GAPS), *map(near, LABEL_NEAR)],
        obstacles,
        prefer,
        snap=lambda c: Box(round_mm(c.x0), round_mm(c.y0), round_mm(c.x1), round_mm(c.y1)),
    )
    assert found is not None
    return found


def _head_box(route: Route) -> Box:
    """The box around a route's arrow head (or junction dot)."""
    x, y = route.points[-1]
    d = ARROW_LEN + 0.1
    return Box(x - d, y - d, x + d, y + d)
