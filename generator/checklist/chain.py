"""The checklist file's data and its hash chain (tamper evidence).

Each history entry carries `hash = sha256(previous hash + the entry's data)`; the first entry's
previous hash is the hash of the file's head (identity and the flow snapshot). The head's
`rantai` block records the head hash, the last hash and the number of entries, so a changed,
inserted, reordered or removed entry, or a changed snapshot, no longer matches. There is no
secret key: someone who recomputes every hash with this program's rules is not detected (the
Panduan says so); the data folder under version control closes that gap.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from generator.checklist.records import (
    END_WORD,
    Checklist,
    Correction,
    Entry,
    Event,
    StepSpec,
)

HASH_PREFIX = "sha256:"
KIND_CORRECTION = "koreksi"
KIND_CANCEL = "batal"


def time_text(moment: datetime, tz: ZoneInfo) -> str:
    """A time as written in the file: ISO 8601 in the cycle's zone."""
    return moment.astimezone(tz).isoformat()


def spec_data(spec: StepSpec) -> dict[str, Any]:
    """One snapshot step as written in the file's `langkah`."""
    data: dict[str, Any] = {"nomor": str(spec.number)}
    if spec.ident:
        data["id"] = spec.ident
    data.update(
        {
            "uraian": spec.description,
            "pelaksana": list(spec.actors),
            "waktu": str(spec.time),
            "output": spec.output,
        }
    )
    if spec.outside:
        data["luar"] = "ya"
    if spec.is_decision:
        data["keputusan"] = {
            word: END_WORD if target is None else str(target) for word, target in spec.exits
        }
    else:
        data["berikutnya"] = str(spec.next) if spec.next is not None else END_WORD
    return data


def head_data(checklist: Checklist) -> dict[str, Any]:
    """The file's head without the chain: identity, zone, start."""
    return {
        "sop": checklist.slug,
        "siklus": checklist.run_id,
        "nomor": checklist.sop_number,
        "nama": checklist.sop_name,
        "tanggal_revisi": checklist.revised,
        "hash_isi": checklist.content_hash,
        "zona_waktu": checklist.timezone,
        "dimulai": time_text(checklist.started, ZoneInfo(checklist.timezone)),
    }


def _event_data(event: Event, tz: ZoneInfo) -> dict[str, Any]:
    data: dict[str, Any] = {
        "langkah": str(event.step),
        "putaran": str(event.pass_no),
        "oleh": event.by,
        "waktu_selesai": time_text(event.at, tz),
        "dicatat": time_text(event.recorded, tz),
    }
    if event.decision:
        data["keputusan"] = event.decision
    if event.output:
        data["output"] = event.output
    if event.note:
        data["catatan"] = event.note
    if event.waited_until is not None:
        data["menunggu_sampai"] = time_text(event.waited_until, tz)
    return data


def _correction_data(entry: Correction, tz: ZoneInfo) -> dict[str, Any]:
    data: dict[str, Any] = {
        "jenis": KIND_CORRECTION,
        "koreksi": str(entry.target),
        "oleh": entry.by,
        "dicatat": time_text(entry.recorded, tz),
        "alasan": entry.reason,
    }
    if entry.at is not None:
        data["waktu_selesai"] = time_text(entry.at, tz)
    if entry.decision is not None:
        data["keputusan"] = entry.decision
    if entry.output is not None:
        data["output"] = entry.output
    if entry.note is not None:
        data["catatan"] = entry.note
    return data


def entry_data(entry: Entry, tz: ZoneInfo) -> dict[str, Any]:
    """One history entry as written in the file's `riwayat`, without its hash."""
    if isinstance(entry, Event):
        return _event_data(entry, tz)
    if isinstance(entry, Correction):
        return _correction_data(entry, tz)
    return {
        "jenis": KIND_CANCEL,
        "oleh": entry.by,
        "dicatat": time_text(entry.recorded, tz),
        "alasan": entry.reason,
    }


def _digest(*parts: str) -> str:
    return HASH_PREFIX + hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def head_hash(checklist: Checklist) -> str:
    """The hash of the head and the flow snapshot: the chain's start."""
    steps = [spec_data(s) for s in checklist.steps]
    return _digest("sop-siklus-1", _canonical(head_data(checklist)), _canonical(steps))


def link_hash(previous: str, entry: Entry, tz: ZoneInfo) -> str:
    """The hash of `entry` chained to the hash before it."""
    return _digest(previous, _canonical(entry_data(entry, tz)))


def last_hash(checklist: Checklist) -> str:
    """The hash at the end of the chain (the head's when there is no entry)."""
    return checklist.entries[-1].hash if checklist.entries else head_hash(checklist)


def broken_links(checklist: Checklist, start: str | None = None) -> list[int]:
    """History indexes whose stored hash does not match its data chained to the stored hash
    before it (`start`: the stored head hash, else the head's hash)."""
    tz = ZoneInfo(checklist.timezone)
    previous, broken = start or head_hash(checklist), []
    for index, entry in enumerate(checklist.entries):
        expected = link_hash(previous, entry, tz)
        if entry.hash != expected:
            broken.append(index)
        previous = entry.hash
    return broken


def chained(checklist: Checklist, entry: Entry) -> Entry:
    """`entry` with its hash, ready to append to `checklist`."""
    tz = ZoneInfo(checklist.timezone)
    return replace(entry, hash=link_hash(last_hash(checklist), entry, tz))
