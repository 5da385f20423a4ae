"""Columns, the identity block, step rows and their pagination."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from itertools import product

from generator import flow
from generator.layout.sheet.measure import (
    CONN_EDGE_ZONE,
    CONN_ZONE,
    MAX_ROWS_PER_PAGE,
    STYLE,
    SYM_H,
    ZONE,
)
from generator.layout.sheet.records import (
    Approval,
    Column,
    Field,
    Identity,
    ListCell,
    ListGroup,
    ListItem,
    round_mm,
)
from generator.layout.text import text_width, wrap, wrap_text
from generator.model import Office, Sop, format_date, item_groups

# --------------------------------------------------------------------------- columns


LANE_W_MAX = 30.0
LANE_W_MIN = 12.5  # the narrowest lane that still holds a symbol with one track either side
NO_W, TIME_W = 8.0, 15.0
TEXT_KEYS = ("uraian", "kelengkapan", "output", "ket")
TEXT_SHARES = {"uraian": 0.38, "kelengkapan": 0.24, "output": 0.24, "ket": 0.14}
TEXT_MIN_W = {"uraian": 30.0, "kelengkapan": 16.0, "output": 16.0, "ket": 14.0}
ROW_MIN_LINES = (SYM_H["process"] + 2 * ZONE - 2 * STYLE.pad_y) / STYLE.body_lh
BALANCE_STEPS = (2.0, 6.0, 12.0)  # widths move by these (mm), a larger move to pass a plateau


def lane_width(lanes: int, width: float) -> float:
    """Width of each lane column (mm): lanes share about 45% of the table, within limits."""
    w = min(LANE_W_MAX, max(LANE_W_MIN, width * 0.45 / lanes))
    return round_mm(int(w * 10 + 1e-6) / 10)  # a tenth of a millimetre: centres fall on 0.01


def step_texts(sop: Sop, number: int) -> dict[str, str]:
    """The texts of step `number` by table column key (no, uraian, kelengkapan, waktu,
    output, ket), before wrapping."""
    step = sop.step(number)
    return {
        "no": f"{number}.",
        "uraian": step.description,
        "kelengkapan": step.requirements,
        "waktu": str(step.time),
        "output": step.output,
        "ket": step.note,
    }


def _estimated_height(
    widths: dict[str, float], lengths: list[tuple[float, ...]], room_lines: float
) -> float:
    """Sum over the rows of the most lines any text column needs (a cheap estimate); lines
    beyond what a page holds weigh ten times, every column's lines a tenth. `lengths`: each
    row's text widths in TEXT_KEYS order, negated and times 1.08 (`_scaled_lengths`)."""
    rooms = [max(widths[k] - 2 * STYLE.pad_x - 0.8, 1.0) for k in TEXT_KEYS]
    total = 0.0
    for row in lengths:
        each = [max(1.0, -(scaled // room)) for scaled, room in zip(row, rooms, strict=True)]
        lines = max(max(each), ROW_MIN_LINES)  # a row is never lower than its symbol needs
        # a little for every line too: no column squeezed to a word a line where rows allow
        total += lines + 10 * max(0.0, lines - room_lines) + 0.1 * sum(each)
    return total


def _scaled_lengths(sop: Sop) -> list[tuple[float, ...]]:
    """Each step's text widths (mm, one line) in TEXT_KEYS order, negated and times 1.08: what
    `_estimated_height` divides by each column's room, worked out once per SOP."""
    rows = [step_texts(sop, n) for n in range(1, len(sop.steps) + 1)]
    return [tuple(-text_width(row[k], STYLE.body_pt) * 1.08 for k in TEXT_KEYS) for row in rows]


def _balanced_widths(sop: Sop, rest: float, room_lines: float) -> dict[str, float]:
    """Widths of the four text columns sharing `rest` mm so that rows are as short as they
    can be: start from the usual shares and move width (2, 6 or 12 mm at a time) to where
    it saves lines."""
    lengths = _scaled_lengths(sop)
    widths = {k: max(TEXT_MIN_W[k], rest * TEXT_SHARES[k]) for k in TEXT_KEYS}
    scale = rest / sum(widths.values())
    widths = {k: w * scale for k, w in widths.items()}
    best = _estimated_height(widths, lengths, room_lines)
    for _ in range(60):
        move = None
        for a, b, step in product(TEXT_KEYS, TEXT_KEYS, BALANCE_STEPS):
            if a != b and widths[b] - step >= TEXT_MIN_W[b]:
                trial = dict(widths)
                trial[a] += step
                trial[b] -= step
                h = _estimated_height(trial, lengths, room_lines)
                if h < best - 0.01:
                    best, move = h, trial
        if move is None:
            break
        widths = move
    return widths


def sheet_columns(sop: Sop, width: float, room: float = 1e9) -> tuple[Column, ...]:
    """Column widths: lanes share about 45% of the width, the text columns share the rest by
    their content, keeping every row within `room` mm where they can."""
    n = len(sop.lanes)
    lane_w = lane_width(n, width)
    room_lines = (room - 2 * STYLE.pad_y) / STYLE.body_lh
    text = _balanced_widths(sop, width - NO_W - TIME_W - n * lane_w, room_lines)
    spec: list[tuple[str, str, float]] = [
        ("no", "NO", NO_W),
        ("uraian", "URAIAN AKTIFITAS", text["uraian"]),
    ]
    spec += [(f"lane:{lid}", label, lane_w) for lid, label in sop.lanes.items()]
    spec += [
        ("kelengkapan", "PERSYARATAN/ KELENGKAPAN", text["kelengkapan"]),
        ("waktu", "WAKTU", TIME_W),
        ("output", "OUTPUT", text["output"]),
        ("ket", "KET", text["ket"]),
    ]
    columns: list[Column] = []
    x = 0.0
    for number, (key, label, w) in enumerate(spec, 1):
        w = round_mm(w)
        columns.append(Column(key, label, round_mm(x), w, number))
        x += w
    return tuple(columns)


def lines_height(count: int, lh: float) -> float:
    """Height (mm) of a cell of `count` lines at line height `lh` mm, with its padding."""
    return count * lh + 2 * STYLE.pad_y


def measure_header_heights(columns: Sequence[Column]) -> tuple[float, float, float]:
    """Heights (mm) of the procedure table's three header rows: the group row, the
    column-name row (as tall as the longest wrapped lane header) and the column-number row."""
    most = max(len(c.label_lines) for c in columns if c.key not in ("no", "uraian", "ket"))
    return (
        round_mm(lines_height(1, STYLE.head_lh)),
        round_mm(lines_height(most, STYLE.head_lh)),
        5.0,
    )


# --------------------------------------------------------------------------- identity


def _list_cell(title: str, items: list[str] | dict[str, list[str]], width: float) -> ListCell:
    text_w = width - 2 * STYLE.pad_x
    groups: list[ListGroup] = []
    lines = 1  # the title
    for heading, entries in item_groups(items):
        head = tuple(wrap(f"{heading}:", text_w, STYLE.ident_pt)) if heading else ()
        indent = STYLE.list_indent * (2 if heading else 1)
        wrapped = tuple(
            ListItem(f"{i}.", tuple(wrap(text, text_w - indent, STYLE.ident_pt)) or ("",))
            for i, text in enumerate(entries, 1)
        )
        lines += len(head) + sum(len(it.lines) for it in wrapped)
        groups.append(ListGroup(head, wrapped))
    if not groups:
        lines += 1  # "-"
    return ListCell(title, tuple(groups), round_mm(lines_height(lines, STYLE.ident_lh)))


Resolver = Callable[[str], Sop | None]


def related_names(sop: Sop, related: Resolver | None) -> list[str] | dict[str, list[str]]:
    """Keterkaitan items as printed: an item naming another SOP (by slug or nama, through
    `related`) becomes that SOP's nama with its nomor; other items stay as written."""

    def name(text: str) -> str:
        other = related(text) if related else None
        if other is None or other.slug == sop.slug:
            return text
        return f"{other.name} ({other.number})"

    if isinstance(sop.related, dict):
        return {head: [name(t) for t in items] for head, items in sop.related.items()}
    return [name(t) for t in sop.related]


def identity_block(
    sop: Sop, office: Office, width: float, has_logo: bool, related: Resolver | None = None
) -> Identity:
    """The identity block (page 1 of the format, Permendagri 52/2011): column widths
    (mm) from the table `width` mm, the wrapped fields, the approval block and the lower
    lists (dasar hukum, kualifikasi, keterkaitan, peralatan, peringatan, pencatatan)."""
    a, b = round_mm(width * 0.36), round_mm(width * 0.18)
    c = round_mm(width - a - b)
    text_c = c - 2 * STYLE.pad_x
    values = [
        ("Nomor SOP", sop.number),
        ("Tanggal Pembuatan", format_date(sop.created)),
        ("Tanggal Revisi", format_date(sop.revised)),
        ("Tanggal Efektif", format_date(sop.effective)),
    ]
    fields = []
    for label, value in [*values, ("Nama SOP", sop.name)]:
        bold = label == "Nama SOP"
        lines = tuple(wrap(value, text_c, STYLE.ident_pt, bold=bold)) or ("-",)
        label_lines = wrap(label, b - 2 * STYLE.pad_x, STYLE.ident_pt)
        h = lines_height(max(len(lines), len(label_lines)), STYLE.ident_lh)
        fields.append(Field(label, lines, round_mm(h)))
    official = office.officials.get(sop.approved_by)
    position = tuple(wrap(official.position if official else "-", text_c, STYLE.ident_pt))
    name = tuple(wrap(official.name if official else "-", text_c, STYLE.ident_pt, bold=True))
    nip = f"NIP. {official.nip_formatted}" if official and official.nip else ""
    approval_h = lines_height(len(position) + len(name) + 1, STYLE.ident_lh) + STYLE.sign_space
    approval = Approval(position, name, nip, round_mm(approval_h))
    text_a = a - 2 * STYLE.pad_x
    head = (
        ("pemerintah", tuple(wrap(office.government, text_a, STYLE.title_pt, bold=True))),
        ("kantor", tuple(wrap(office.name_on_sheet, text_a, STYLE.title_pt, bold=True))),
        ("unit", tuple(wrap(sop.unit.upper(), text_a, STYLE.ident_pt, bold=True))),
    )
    head_h = (
        sum(len(lines) for _, lines in head[:2]) * STYLE.title_lh
        + len(head[2][1]) * STYLE.ident_lh
        + 2 * STYLE.pad_y
        + STYLE.unit_gap
        + (STYLE.logo_h + 2.0 if has_logo else 0.0)
    )
    top = sum(f.height for f in fields) + approval.height
    if head_h > top:  # the Nama SOP row absorbs what the left block needs more
        last = fields[-1]
        fields[-1] = replace(last, height=round_mm(last.height + head_h - top))
        top = head_h
    half = round_mm(width / 2)
    pairs = (
        ("Dasar Hukum", sop.legal_basis, "Kualifikasi Pelaksana", sop.qualifications),
        ("Keterkaitan", related_names(sop, related), "Peralatan/Perlengkapan", sop.equipment),
        ("Peringatan", sop.warnings, "Pencatatan dan Pendataan", sop.records),
    )
    lower = []
    for lt, litems, rt, ritems in pairs:
        left = _list_cell(lt, litems, half)
        right = _list_cell(rt, ritems, width - half)
        lower.append((left, right, max(left.height, right.height)))
    return Identity(
        (a, b, c),
        half,
        head,
        has_logo,
        tuple(fields),
        approval,
        round_mm(top),
        round_mm(head_h),
        tuple(lower),
    )


IdentityRow = tuple[ListCell, ListCell, float]


def _take(cell: ListCell, lines: int) -> tuple[ListCell | None, ListCell | None]:
    """The head of a list cell that fits in `lines` text lines (whole items only) and the
    rest, titled "(lanjutan)"; (None, cell) when not even its first item fits."""
    used = 1  # the title
    head: list[ListGroup] = []
    rest: list[ListGroup] = []
    for g, group in enumerate(cell.groups):
        taken: list[ListItem] = []
        need = len(group.heading)
        for i, item in enumerate(group.items):
            if used + need + len(item.lines) > lines:
                if taken:
                    head.append(ListGroup(group.heading, tuple(taken)))
                rest.append(ListGroup(group.heading, group.items[i:]))
                rest.extend(cell.groups[g + 1 :])
                break
            taken.append(item)
            used += need + len(item.lines)
            need = 0
        else:
            head.append(group)
            continue
        break
    if not rest:
        return cell, None
    if not head:
        return None, cell
    return _list_cell_of(cell.title, head), _list_cell_of(f"{cell.title} (lanjutan)", rest)


def _list_cell_of(title: str, groups: Sequence[ListGroup]) -> ListCell:
    lines = 1 + sum(len(g.heading) + sum(len(it.lines) for it in g.items) for g in groups)
    lines += 0 if groups or not title else 1
    return ListCell(title, tuple(groups), round_mm(lines_height(lines, STYLE.ident_lh)))


def _split_row(row: IdentityRow, room: float) -> tuple[IdentityRow | None, IdentityRow | None]:
    """The part of a lower-grid row that fits `room` mm and the rest (None when none)."""
    if row[2] <= room:
        return row, None
    lines = int((room - 2 * STYLE.pad_y) // STYLE.ident_lh)
    parts = [_take(cell, lines) for cell in row[:2]]
    if any(head is None for head, _ in parts):
        return None, row
    blank = ListCell("", (), 0.0)
    heads = [head or blank for head, _ in parts]
    rests = [rest or blank for _, rest in parts]
    return (
        (heads[0], heads[1], max(c.height for c in heads)),
        (rests[0], rests[1], max(c.height for c in rests)),
    )


def identity_pages(identity: Identity, room: float) -> list[tuple[bool, list[IdentityRow]]]:
    """The identity spread over pages of `room` mm: (upper grid on this page, lower rows) per
    page; a list too long for the room left continues on the next page."""
    pages: list[tuple[bool, list[IdentityRow]]] = [(True, [])]
    left = room - identity.top_height
    queue = list(identity.lower)
    while queue:
        row = queue.pop(0)
        head, rest = _split_row(row, left)
        if head is None and not pages[-1][1] and not pages[-1][0]:
            head, rest = _split_row(row, room * 10)  # cannot happen: a page holds one item
        if head is not None:
            pages[-1][1].append(head)
            left -= head[2]
        if rest is not None:
            queue.insert(0, rest)
            pages.append((False, []))
            left = room
    return pages


# --------------------------------------------------------------------------- rows and pages


def symbol_kind(sop: Sop, number: int) -> str:
    """The shape of a step: decision, start (first step), end (ending step) or process."""
    if sop.step(number).is_decision:
        return "decision"
    if number == 1:
        return "start"
    if flow.is_end(sop, number):
        return "end"
    return "process"


def step_cells(sop: Sop, number: int, columns: Sequence[Column]) -> dict[str, tuple[str, ...]]:
    """Step `number`'s texts wrapped to the width (mm) of each of `columns`: key -> lines."""
    texts = step_texts(sop, number)
    cells = {}
    for col in columns:
        if col.key in texts:
            width = col.width - 2 * STYLE.pad_x
            cells[col.key] = tuple(wrap_text(texts[col.key], width, STYLE.body_pt))
    return cells


def step_height(sop: Sop, number: int, cells: dict[str, tuple[str, ...]]) -> float:
    """Height (mm) of step `number`'s row: its tallest cell or its symbol with the
    routing zones above and below, whichever is more."""
    lines = max(len(v) for v in cells.values())
    drawing = SYM_H[symbol_kind(sop, number)] + 2 * ZONE
    return round_mm(max(lines_height(lines, STYLE.body_lh), drawing))


def conn_height(tiers: int) -> float:
    """Height (mm) of a row of off-page connectors in `tiers` tiers: each tier a connector
    with room for two tracks either side, but next to the page's edge (above the connectors
    coming in, below those going out) where no arrow runs: one track there."""
    if not tiers:
        return 0.0
    return round_mm(tiers * (SYM_H["out"] + 2 * CONN_ZONE) - CONN_ZONE + CONN_EDGE_ZONE)


def crossing_edges(
    edges: Sequence[flow.Edge], first: int, last: int
) -> tuple[tuple[flow.Edge, ...], tuple[flow.Edge, ...]]:
    """(incoming, outgoing): the flow edges that cross the border of the page holding
    steps `first`..`last`, the ones that need an off-page connector."""
    inside = range(first, last + 1)
    incoming = tuple(e for e in edges if e.target in inside and e.source not in inside)
    outgoing = tuple(e for e in edges if e.source in inside and e.target not in inside)
    return incoming, outgoing


CONN_W = 8.0  # an off-page connector's width at most
CONN_GAP = 3.0  # between connectors side by side


def connectors_per_tier(lane_w: float, sym_w: float) -> int:
    """How many connectors stand side by side in a lane `lane_w` mm wide (at least one)."""
    w = min(sym_w, CONN_W)
    return max(1, int((lane_w - 2.0 + CONN_GAP) // (w + CONN_GAP)))


def _tiers(sop: Sop, edges: Sequence[flow.Edge], by: str, per_tier: int = 1) -> int:
    counts: dict[str, int] = {}
    for e in edges:
        lane = sop.step(e.source if by == "source" else e.target).actors[0]
        counts[lane] = counts.get(lane, 0) + 1
    return max((-(-c // per_tier) for c in counts.values()), default=0)


def _span_height(
    sop: Sop,
    edges: Sequence[flow.Edge],
    heights: dict[int, float],
    first: int,
    last: int,
    per_tier: int = 1,
) -> float:
    incoming, outgoing = crossing_edges(edges, first, last)
    rows = sum(heights[n] for n in range(first, last + 1))
    return (
        rows
        + conn_height(_tiers(sop, incoming, "target", per_tier))
        + conn_height(_tiers(sop, outgoing, "source", per_tier))
    )


def paginate(
    sop: Sop,
    heights: dict[int, float],
    avail_first: float,
    avail: float,
    total_h: float,
    per_tier: int = 1,
) -> list[tuple[int, int]]:
    """Greedy split of the steps into page spans; the first span may be empty (identity only)."""
    edges = [e for e in flow.edges(sop) if e.target is not None and 1 <= e.target <= len(sop.steps)]
    n = len(sop.steps)
    spans: list[tuple[int, int]] = []
    first = 1
    room = avail_first
    while first <= n:
        last = first - 1
        while last < n and last - first + 1 < MAX_ROWS_PER_PAGE:
            extra = total_h if last + 1 == n else 0.0
            if _span_height(sop, edges, heights, first, last + 1, per_tier) + extra > room:
                break
            last += 1
        if last < first:
            if room < avail:  # page with the identity part: start the table on the next page
                spans.append((first, first - 1))
                room = avail
                continue
            last = first  # a single row taller than a page: it gets a page of its own
        spans.append((first, last))
        first = last + 1
        room = avail
    return spans
