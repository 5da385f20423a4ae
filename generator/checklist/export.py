"""`sop run ekspor`: cycles and per-step times as CSV and XLSX tables for a spreadsheet.

Pure: rows from checklists, then bytes (CSV in UTF-8 with a byte order mark so Excel reads the
accents; XLSX through openpyxl). Text a clerk typed never becomes a formula: a CSV cell that
starts with = + - @ gets a leading apostrophe, and XLSX cells are always stored as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from generator.checklist.calendar import WorkCalendar
from generator.checklist.records import Checklist, Correction, Event
from generator.checklist.report import next_lanes
from generator.checklist.status import completions, cycle_status

CYCLE_COLUMNS = (
    "sop",
    "nomor_sop",
    "nama_sop",
    "siklus",
    "dimulai",
    "keadaan",
    "selesai",
    "langkah_selesai",
    "langkah_total",
    "putaran",
    "langkah_berikutnya",
    "pelaksana_berikutnya",
    "batas_waktu",
    "terlambat",
    "lama_kerja_menit",
    "koreksi",
    "alasan_batal",
)
STEP_COLUMNS = (
    "sop",
    "siklus",
    "catatan_no",
    "langkah",
    "uraian",
    "pelaksana",
    "putaran",
    "oleh",
    "selesai",
    "dicatat",
    "lama_menit",
    "menunggu_luar_menit",
    "baku_menit",
    "melebihi_baku",
    "berlaku",
    "dikoreksi",
    "output",
    "keputusan",
    "catatan",
)


def _iso(moment: datetime | None, calendar: WorkCalendar) -> str:
    return moment.astimezone(calendar.tz).isoformat(timespec="minutes") if moment else ""


def cycle_row(checklist: Checklist, calendar: WorkCalendar, now: datetime) -> list[Any]:
    """One cycle as a row of `CYCLE_COLUMNS`."""
    status = cycle_status(checklist, calendar, now)
    cancel = checklist.cancelled
    state = "dibatalkan" if cancel else ("selesai" if status.complete else "berjalan")
    running = state == "berjalan"
    end = status.finished or (cancel.recorded if cancel else now)
    step = status.state.next_step if running else None
    return [
        checklist.slug,
        checklist.sop_number,
        checklist.sop_name,
        checklist.run_id,
        _iso(checklist.started, calendar),
        state,
        _iso(status.finished, calendar),
        status.done,
        status.total,
        status.state.pass_no,
        step or "",
        next_lanes(checklist, step),
        _iso(status.due, calendar) if running else "",
        "ya" if status.overdue else "tidak",
        calendar.minutes_between(checklist.started, end),
        sum(isinstance(e, Correction) for e in checklist.entries),
        cancel.reason if cancel else "",
    ]


def step_rows(checklist: Checklist, calendar: WorkCalendar) -> list[list[Any]]:
    """Every completion of a cycle (in force with corrections applied, or dropped by a changed
    decision) as rows of `STEP_COLUMNS`; minutes are working minutes."""
    history = checklist.history
    spent = dict(zip(history.origins, completions(checklist, calendar), strict=True))
    in_force = dict(zip(history.origins, history.events, strict=True))
    rows = []
    for index, entry in enumerate(checklist.entries):
        if not isinstance(entry, Event):
            continue
        event = in_force.get(index, entry)
        spec = checklist.step(event.step)
        done = spent.get(index)
        standard = spec.time.working_minutes(calendar.hours_per_day)
        rows.append(
            [
                checklist.slug,
                checklist.run_id,
                index + 1,
                event.step,
                spec.description,
                ", ".join(spec.actors),
                event.pass_no,
                event.by,
                _iso(event.at, calendar),
                _iso(event.recorded, calendar),
                done.elapsed if done else "",
                done.waiting if done else "",
                standard,
                ("ya" if done.over else "tidak") if done else "",
                "ya" if index in in_force and checklist.cancelled is None else "tidak",
                "ya" if history.corrections.get(index) else "tidak",
                event.output,
                event.decision,
                event.note,
            ]
        )
    return rows


def tables(
    checklists: Sequence[Checklist], calendar: WorkCalendar, now: datetime
) -> dict[str, tuple[tuple[str, ...], list[list[Any]]]]:
    """The two tables by name: 'siklus' (one row per cycle) and 'waktu-langkah' (one row per
    completion)."""
    return {
        "siklus": (CYCLE_COLUMNS, [cycle_row(c, calendar, now) for c in checklists]),
        "waktu-langkah": (
            STEP_COLUMNS,
            [row for c in checklists for row in step_rows(c, calendar)],
        ),
    }


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and len(value) > 1:
        return "'" + value
    return value


def csv_bytes(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """A table as CSV (comma, UTF-8 with BOM, CRLF line ends)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([[_csv_cell(v) for v in row] for row in rows])
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheets: dict[str, tuple[tuple[str, ...], list[list[Any]]]]) -> bytes:
    """The tables as one XLSX workbook, a sheet each, header row bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for name, (columns, rows) in sheets.items():
        sheet = book.create_sheet(title=name)
        sheet.append(list(columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula
        sheet.freeze_panes = "A2"
        for c, column in enumerate(columns, start=1):
            width = max([len(column), *(len(str(row[c - 1])) for row in rows)]) + 2
            sheet.column_dimensions[sheet.cell(row=1, column=c).column_letter].width = min(
                width, 60
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
