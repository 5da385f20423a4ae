"""The checklist file's YAML form: writing it, and reading it back strictly with locations."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from generator.checklist.records import DECISIONS, END_WORD, Checklist, Event, StepSpec
from generator.checklist.state import IllegalEvent, replay
from generator.errors import Problem, UserError
from generator.model import Duration, DurationError
from generator.yamlread import Path_, YamlRefused, field_name, read_yaml

_HEADER = (
    "# Daftar periksa satu siklus SOP, ditulis oleh perintah `sop run`.\n"
    "# Bagian 'langkah' adalah salinan alur SOP saat siklus dimulai; 'riwayat' mencatat setiap\n"
    "# langkah yang selesai, berurutan. Jangan mengubah berkas ini dengan tangan: catat langkah\n"
    "# dengan `sop run done`.\n"
)


class _Dumper(yaml.SafeDumper):
    """Block style, indented lists, no anchors; only null and boolean words get quoted."""

    def ignore_aliases(self, data: Any) -> bool:  # noqa: D102
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:  # noqa: D102
        return super().increase_indent(flow, False)


_KEEP_TAGS = ("tag:yaml.org,2002:null", "tag:yaml.org,2002:bool")
_Dumper.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag in _KEEP_TAGS]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}


def _time_text(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).isoformat()


def _spec_data(spec: StepSpec) -> dict[str, Any]:
    data: dict[str, Any] = {
        "nomor": str(spec.number),
        "uraian": spec.description,
        "pelaksana": list(spec.actors),
        "waktu": str(spec.time),
        "output": spec.output,
    }
    if spec.is_decision:
        data["keputusan"] = {"ya": str(spec.yes), "tidak": str(spec.no)}
    else:
        data["berikutnya"] = str(spec.next) if spec.next is not None else END_WORD
    return data


def _event_data(event: Event, tz: ZoneInfo) -> dict[str, Any]:
    data: dict[str, Any] = {
        "langkah": str(event.step),
        "putaran": str(event.pass_no),
        "oleh": event.by,
        "waktu_selesai": _time_text(event.at, tz),
        "dicatat": _time_text(event.recorded, tz),
    }
    if event.decision:
        data["keputusan"] = event.decision
    if event.output:
        data["output"] = event.output
    if event.note:
        data["catatan"] = event.note
    return data


def dump_checklist(checklist: Checklist) -> str:
    """The checklist as the YAML text written to its file (readable by `read_yaml`)."""
    tz = ZoneInfo(checklist.timezone)
    data = {
        "sop": checklist.slug,
        "siklus": checklist.run_id,
        "nomor": checklist.sop_number,
        "nama": checklist.sop_name,
        "tanggal_revisi": checklist.revised,
        "hash_isi": checklist.content_hash,
        "zona_waktu": checklist.timezone,
        "dimulai": _time_text(checklist.started, tz),
        "langkah": [_spec_data(s) for s in checklist.steps],
        "riwayat": [_event_data(e, tz) for e in checklist.events],
    }
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=4096,
    )
    return _HEADER + body


_TOP_KEYS = (
    "sop",
    "siklus",
    "nomor",
    "nama",
    "tanggal_revisi",
    "hash_isi",
    "zona_waktu",
    "dimulai",
    "langkah",
    "riwayat",
)
_SPEC_KEYS = ("nomor", "uraian", "pelaksana", "waktu", "output")
_SPEC_OPTIONAL = ("keputusan", "berikutnya")
_EVENT_KEYS = ("langkah", "putaran", "oleh", "waktu_selesai", "dicatat")
_EVENT_OPTIONAL = ("keputusan", "output", "catatan")
_HAND_HINT = "berkas daftar periksa ditulis oleh `sop run`; kembalikan isinya (mis. dari cadangan)"


class _Fields:
    """Strict, located access to the plain data of one checklist document."""

    def __init__(self, doc: Any, source: str):
        self.doc, self.source = doc, source

    def fail(self, path: Path_, message: str, *, key: bool = False) -> NoReturn:
        """Raise a located UserError about the node at `path`."""
        line, col = self.doc.position(path, key=key)
        raise UserError([Problem(self.source, line, col, field_name(path), message, _HAND_HINT)])

    def get(self, path: Path_) -> Any:
        """The value at `path` (which exists)."""
        value = self.doc.data
        for part in path:
            value = value[part]
        return value

    def mapping(self, path: Path_, required: Sequence[str], optional: Sequence[str] = ()) -> None:
        """The node is a mapping with every required key and no unknown key."""
        value = self.get(path)
        if not isinstance(value, dict):
            self.fail(path, "harus berupa pemetaan 'kunci: nilai'")
        for key in value:
            if key not in required and key not in optional:
                self.fail((*path, key), f"kunci '{key}' tidak dikenal", key=True)
        for key in required:
            if key not in value:
                self.fail(path, f"kunci '{key}' tidak ada")

    def items(self, path: Path_) -> list[Any]:
        """The node is a list (an empty value counts as an empty list)."""
        value = self.get(path)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, "harus berupa daftar")
        return value

    def text(self, path: Path_, *, required: bool = True) -> str:
        """The node is text (empty allowed unless required)."""
        value = self.get(path)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(path, "harus berupa teks yang tidak kosong" if required else "harus teks")
        return value

    def number(self, path: Path_) -> int:
        """The node is a positive whole number."""
        value = self.text(path)
        if not re.fullmatch(r"[1-9][0-9]{0,5}", value):
            self.fail(path, f"'{value}' bukan bilangan bulat positif")
        return int(value)

    def time(self, path: Path_) -> datetime:
        """The node is an ISO 8601 time with offset."""
        value = self.text(path)
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            self.fail(path, f"'{value}' bukan waktu ISO 8601 dengan zona, mis. {_EXAMPLE}")
        return moment


_EXAMPLE = "2024-03-04T09:30:00+08:00"


def _read_spec(f: _Fields, i: int, count: int) -> StepSpec:
    path: Path_ = ("langkah", i)
    f.mapping(path, _SPEC_KEYS, _SPEC_OPTIONAL)
    if f.number((*path, "nomor")) != i + 1:
        f.fail((*path, "nomor"), f"nomor langkah seharusnya {i + 1}")
    time_text = f.text((*path, "waktu"))
    try:
        time = Duration.parse(time_text)
    except DurationError:
        f.fail((*path, "waktu"), f"waktu '{time_text}' tidak dapat dibaca")
    actors = f.items((*path, "pelaksana"))
    for j in range(len(actors)):
        f.text((*path, "pelaksana", j))
    raw = f.get(path)
    if ("keputusan" in raw) == ("berikutnya" in raw):
        f.fail(path, "tulis tepat satu dari: keputusan, berikutnya")
    links: dict[str, int | None] = {}
    if "keputusan" in raw:
        f.mapping((*path, "keputusan"), DECISIONS)
        links = {k: f.number((*path, "keputusan", k)) for k in DECISIONS}
    elif f.text((*path, "berikutnya")) != END_WORD:
        links = {"next": f.number((*path, "berikutnya"))}
    for name, target in links.items():
        if target is not None and not 1 <= target <= count:
            where = (*path, "keputusan", name) if name in DECISIONS else (*path, "berikutnya")
            f.fail(where, f"langkah {target} tidak ada")
    return StepSpec(
        number=i + 1,
        description=f.text((*path, "uraian")),
        actors=tuple(actors),
        time=time,
        output=f.text((*path, "output"), required=False),
        next=links.get("next"),
        yes=links.get("ya"),
        no=links.get("tidak"),
    )


def _read_event(f: _Fields, i: int) -> Event:
    path: Path_ = ("riwayat", i)
    f.mapping(path, _EVENT_KEYS, _EVENT_OPTIONAL)
    raw = f.get(path)
    decision = f.text((*path, "keputusan")) if "keputusan" in raw else ""
    if decision and decision not in DECISIONS:
        f.fail((*path, "keputusan"), "harus ya atau tidak")
    return Event(
        step=f.number((*path, "langkah")),
        pass_no=f.number((*path, "putaran")),
        by=f.text((*path, "oleh")),
        at=f.time((*path, "waktu_selesai")),
        recorded=f.time((*path, "dicatat")),
        output=f.text((*path, "output"), required=False) if "output" in raw else "",
        note=f.text((*path, "catatan"), required=False) if "catatan" in raw else "",
        decision=decision,
    )


def parse_checklist(raw: bytes, source: str, expect: tuple[str, str] | None = None) -> Checklist:
    """Read a checklist file's bytes strictly; every mistake is a located UserError.

    `expect` is the (slug, run id) the file's place names; the file must agree with it.
    """
    try:
        doc = read_yaml(raw)
    except YamlRefused as exc:
        raise UserError(
            [Problem(source, i.line, i.column, "", i.message, i.hint) for i in exc.issues]
        ) from None
    if not isinstance(doc.data, dict):
        raise UserError([Problem(source, 1, 1, "", "berkas daftar periksa kosong atau rusak")])
    f = _Fields(doc, source)
    f.mapping((), _TOP_KEYS)
    for key, want in zip(("sop", "siklus"), expect or (), strict=False):
        if f.text((key,)) != want:
            f.fail((key,), f"seharusnya '{want}' sesuai letak berkas")
    zone = f.text(("zona_waktu",))
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        f.fail(("zona_waktu",), f"zona waktu '{zone}' tidak dikenal")
    specs = f.items(("langkah",))
    if not specs:
        f.fail(("langkah",), "daftar langkah kosong")
    checklist = Checklist(
        slug=f.text(("sop",)),
        run_id=f.text(("siklus",)),
        sop_number=f.text(("nomor",)),
        sop_name=f.text(("nama",)),
        revised=f.text(("tanggal_revisi",)),
        content_hash=f.text(("hash_isi",)),
        timezone=zone,
        started=f.time(("dimulai",)),
        steps=tuple(_read_spec(f, i, len(specs)) for i in range(len(specs))),
        events=tuple(_read_event(f, i) for i in range(len(f.items(("riwayat",))))),
    )
    try:
        replay(checklist)
    except IllegalEvent as exc:
        f.fail(("riwayat", exc.index, exc.field), exc.message)
    return checklist
