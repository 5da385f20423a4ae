"""The checklist file's YAML form: writing it, and reading it back strictly with locations."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from generator.checklist import chain
from generator.checklist.records import (
    DECISIONS,
    END_WORD,
    Cancellation,
    Checklist,
    Correction,
    Entry,
    Event,
    IllegalEvent,
    StepSpec,
    content_hash,
    snapshot,
)
from generator.checklist.state import replay
from generator.errors import Problem, Severity, UserError
from generator.model import Duration, DurationError, Sop
from generator.yamlread import Path_, YamlRefused, field_name, read_yaml

_HEADER = (
    "# Daftar periksa satu siklus SOP, ditulis oleh perintah `sop run`.\n"
    "# Bagian 'langkah' adalah salinan alur SOP saat siklus dimulai; 'riwayat' mencatat setiap\n"
    "# langkah yang selesai, koreksi dan pembatalan, berurutan. Setiap catatan memuat hash yang\n"
    "# terantai ke catatan sebelumnya ('rantai'), sehingga perubahan dengan tangan terdeteksi\n"
    "# oleh `sop check`. Jangan mengubah berkas ini: gunakan `sop run done`, `sop run koreksi`\n"
    "# atau `sop run batal`.\n"
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


def dump_checklist(checklist: Checklist) -> str:
    """The checklist as the YAML text written to its file (readable by `read_yaml`)."""
    tz = ZoneInfo(checklist.timezone)
    data = {
        **chain.head_data(checklist),
        "rantai": {
            "awal": chain.head_hash(checklist),
            "akhir": chain.last_hash(checklist),
            "jumlah": str(len(checklist.entries)),
        },
        "langkah": [chain.spec_data(s) for s in checklist.steps],
        "riwayat": [{**chain.entry_data(e, tz), "hash": e.hash} for e in checklist.entries],
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
    "rantai",
    "langkah",
    "riwayat",
)
_CHAIN_KEYS = ("awal", "akhir", "jumlah")
_SPEC_KEYS = ("nomor", "uraian", "pelaksana", "waktu", "output")
_SPEC_OPTIONAL = ("keputusan", "berikutnya", "id", "luar")
_EVENT_KEYS = ("langkah", "putaran", "oleh", "waktu_selesai", "dicatat", "hash")
_EVENT_OPTIONAL = ("keputusan", "output", "catatan", "menunggu_sampai")
_CORRECTION_KEYS = ("jenis", "koreksi", "oleh", "dicatat", "alasan", "hash")
_CORRECTION_OPTIONAL = ("waktu_selesai", "keputusan", "output", "catatan")
_CANCEL_KEYS = ("jenis", "oleh", "dicatat", "alasan", "hash")
# The previous release's form (no hash chain): read as a legacy record, rewritten with the
# chain at the next `sop run` write.
_LEGACY_TOP_KEYS = tuple(k for k in _TOP_KEYS if k != "rantai")
_LEGACY_EVENT_KEYS = ("langkah", "putaran", "oleh", "waktu_selesai", "dicatat")
_LEGACY_EVENT_OPTIONAL = ("keputusan", "output", "catatan")
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
    exits: list[tuple[str, int | None]] = []
    nxt: int | None = None
    if "keputusan" in raw:
        answers = f.get((*path, "keputusan"))
        if not isinstance(answers, dict) or not 2 <= len(answers) <= 4:
            f.fail((*path, "keputusan"), "harus pemetaan 2 sampai 4 jawaban: langkah tujuan")
        for word in answers:
            exits.append((str(word), _target(f, (*path, "keputusan", word), count)))
    else:
        nxt = _target(f, (*path, "berikutnya"), count)
    return StepSpec(
        number=i + 1,
        description=f.text((*path, "uraian")),
        actors=tuple(actors),
        time=time,
        output=f.text((*path, "output"), required=False),
        next=nxt,
        exits=tuple(exits),
        ident=f.text((*path, "id")) if "id" in raw else "",
        outside=_outside(f, path, raw),
    )


def _target(f: _Fields, path: Path_, count: int) -> int | None:
    """A step number 1..count, or None for `selesai`."""
    if f.text(path) == END_WORD:
        return None
    target = f.number(path)
    if not 1 <= target <= count:
        f.fail(path, f"langkah {target} tidak ada")
    return target


def _outside(f: _Fields, path: Path_, raw: dict[str, Any]) -> bool:
    if "luar" not in raw:
        return False
    if f.text((*path, "luar")) != "ya":
        f.fail((*path, "luar"), "tulis 'ya' atau hapus kunci ini")
    return True


def _read_event(f: _Fields, i: int, *, legacy: bool = False) -> Entry:
    path: Path_ = ("riwayat", i)
    raw = f.get(path)
    if legacy:
        f.mapping(path, _LEGACY_EVENT_KEYS, _LEGACY_EVENT_OPTIONAL)
        if "keputusan" in raw and f.text((*path, "keputusan")) not in DECISIONS:
            f.fail((*path, "keputusan"), "harus ya atau tidak")
        return _event(f, path, raw, "")
    kind = raw.get("jenis") if isinstance(raw, dict) else None
    if kind == chain.KIND_CORRECTION:
        return _read_correction(f, i)
    if kind == chain.KIND_CANCEL:
        f.mapping(path, _CANCEL_KEYS)
        return Cancellation(
            by=f.text((*path, "oleh")),
            recorded=f.time((*path, "dicatat")),
            reason=f.text((*path, "alasan")),
            hash=f.text((*path, "hash")),
        )
    if kind is not None:
        f.fail((*path, "jenis"), f"jenis harus {chain.KIND_CORRECTION} atau {chain.KIND_CANCEL}")
    f.mapping(path, _EVENT_KEYS, _EVENT_OPTIONAL)
    return _event(f, path, raw, f.text((*path, "hash")))


def _event(f: _Fields, path: Path_, raw: dict[str, Any], hash_: str) -> Event:
    decision = f.text((*path, "keputusan")) if "keputusan" in raw else ""
    return Event(
        step=f.number((*path, "langkah")),
        pass_no=f.number((*path, "putaran")),
        by=f.text((*path, "oleh")),
        at=f.time((*path, "waktu_selesai")),
        recorded=f.time((*path, "dicatat")),
        output=f.text((*path, "output"), required=False) if "output" in raw else "",
        note=f.text((*path, "catatan"), required=False) if "catatan" in raw else "",
        decision=decision,
        hash=hash_,
        waited_until=f.time((*path, "menunggu_sampai")) if "menunggu_sampai" in raw else None,
    )


def _read_correction(f: _Fields, i: int) -> Correction:
    path: Path_ = ("riwayat", i)
    f.mapping(path, _CORRECTION_KEYS, _CORRECTION_OPTIONAL)
    raw = f.get(path)
    decision = f.text((*path, "keputusan")) if "keputusan" in raw else None
    target = f.number((*path, "koreksi"))
    if target > i:
        f.fail((*path, "koreksi"), f"catatan nomor {target} belum ada di atas koreksi ini")
    return Correction(
        target=target,
        by=f.text((*path, "oleh")),
        recorded=f.time((*path, "dicatat")),
        reason=f.text((*path, "alasan")),
        at=f.time((*path, "waktu_selesai")) if "waktu_selesai" in raw else None,
        output=f.text((*path, "output"), required=False) if "output" in raw else None,
        note=f.text((*path, "catatan"), required=False) if "catatan" in raw else None,
        decision=decision,
        hash=f.text((*path, "hash")),
    )


def parse_checklist(raw: bytes, source: str, expect: tuple[str, str] | None = None) -> Checklist:
    """Read a checklist file's bytes strictly; every mistake is a located UserError.

    `expect` is the (slug, run id) the file's place names; the file must agree with it.
    Besides its form, the file must follow the flow and the order of time, and its hash
    chain must be whole (`chain_problems`): every such problem is reported at once. A file of
    the previous release (no hash chain, `is_legacy`) is read too, its entries chained in
    memory; the next write of `sop run` gives the file its chain.
    """
    checklist, problems = read_checklist_problems(raw, source, expect)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise UserError(errors)
    return checklist


def read_checklist_problems(
    raw: bytes, source: str, expect: tuple[str, str] | None = None
) -> tuple[Checklist, list[Problem]]:
    """The checklist read from a file's bytes, and its flow, time and chain problems (sorted
    by line); a file that cannot be read as a checklist at all raises a located UserError."""
    try:
        doc = read_yaml(raw)
    except YamlRefused as exc:
        raise UserError(
            [Problem(source, i.line, i.column, i.field, i.message, i.hint) for i in exc.issues]
        ) from None
    if not isinstance(doc.data, dict):
        raise UserError([Problem(source, 1, 1, "", "berkas daftar periksa kosong atau rusak")])
    f = _Fields(doc, source)
    for key, want in zip(("sop", "siklus"), expect or (), strict=False):
        if f.text((key,)) != want:
            f.fail((key,), f"seharusnya '{want}' sesuai letak berkas")
    zone = f.text(("zona_waktu",))
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        f.fail(("zona_waktu",), f"zona waktu '{zone}' tidak dikenal")
    legacy = is_legacy(doc.data)
    if legacy:
        f.mapping((), _LEGACY_TOP_KEYS)
    else:
        f.mapping((), _TOP_KEYS)
        f.mapping(("rantai",), _CHAIN_KEYS)
    specs = f.items(("langkah",))
    if not specs:
        f.fail(("langkah",), "daftar langkah kosong")
    read = _read_legacy_spec if legacy else _read_spec
    count = len(f.items(("riwayat",)))
    checklist = Checklist(
        slug=f.text(("sop",)),
        run_id=f.text(("siklus",)),
        sop_number=f.text(("nomor",)),
        sop_name=f.text(("nama",)),
        revised=f.text(("tanggal_revisi",)),
        content_hash=f.text(("hash_isi",)),
        timezone=zone,
        started=f.time(("dimulai",)),
        steps=tuple(read(f, i, len(specs)) for i in range(len(specs))),
        entries=tuple(_read_event(f, i, legacy=legacy) for i in range(count)),
    )
    if legacy:
        checklist = _with_chain(checklist)
        problems = [_legacy_warning(source), *_flow_problems(f, checklist)]
    else:
        problems = chain_problems(f, checklist) + _flow_problems(f, checklist)
    return checklist, sorted(problems, key=lambda p: (p.line, p.column))


def is_legacy(data: dict[str, Any]) -> bool:
    """True for a checklist file of the previous release: no `rantai` in the head and no
    entry with a `hash` (a file of this release missing them is damage, not a legacy file)."""
    entries = data.get("riwayat")
    hashed = isinstance(entries, list) and any(isinstance(e, dict) and "hash" in e for e in entries)
    return "rantai" not in data and not hashed


def _read_legacy_spec(f: _Fields, i: int, count: int) -> StepSpec:
    """A snapshot step of the previous release: no id, no outside lane, a decision's exits
    exactly `ya` and `tidak` (in that order)."""
    path: Path_ = ("langkah", i)
    f.mapping(path, _SPEC_KEYS, ("keputusan", "berikutnya"))
    if "keputusan" in f.get(path):
        f.mapping((*path, "keputusan"), DECISIONS)
    spec = _read_spec(f, i, count)
    exits = dict(spec.exits)
    return replace(spec, exits=tuple((word, exits[word]) for word in DECISIONS if exits))


def _with_chain(checklist: Checklist) -> Checklist:
    """A legacy checklist with every entry chained from its head, as the next write stores."""
    chained = replace(checklist, entries=())
    for entry in checklist.entries:
        chained = replace(chained, entries=(*chained.entries, chain.chained(chained, entry)))
    return chained


def _legacy_warning(source: str) -> Problem:
    return Problem(
        source,
        1,
        1,
        "",
        "berkas siklus ini ditulis oleh versi sebelumnya dan belum memiliki rantai hash; "
        "rantai ditambahkan pada penulisan berikutnya oleh `sop run` (done, koreksi atau "
        "batal), dan bukti perubahan dengan tangan baru berlaku sejak saat itu",
        "tidak perlu tindakan; isi dan riwayat berkas tetap utuh",
        Severity.WARNING,
    )


def _problem(f: _Fields, path: Path_, message: str, hint: str = _HAND_HINT) -> Problem:
    line, col = f.doc.position(path)
    return Problem(f.source, line, col, field_name(path), message, hint)


def _flow_problems(f: _Fields, checklist: Checklist) -> list[Problem]:
    """The history against the flow, and each entry's times against the one before."""
    problems: list[Problem] = []
    previous = checklist.started
    for i, entry in enumerate(checklist.entries):
        at = getattr(entry, "at", None)
        waited = getattr(entry, "waited_until", None)
        if waited is not None and at is not None and waited > at:
            message = "menunggu sampai setelah waktu selesai"
            problems.append(_problem(f, ("riwayat", i, "menunggu_sampai"), message))
        if at is not None and at > entry.recorded:
            problems.append(
                _problem(f, ("riwayat", i, "waktu_selesai"), "waktu selesai setelah waktu dicatat")
            )
        if entry.recorded < previous:
            message = "waktu dicatat lebih awal dari catatan sebelumnya"
            problems.append(_problem(f, ("riwayat", i, "dicatat"), message))
        previous = max(previous, entry.recorded)
    try:
        history = checklist.history
    except IllegalEvent as exc:
        where: Path_ = ("riwayat", exc.index, exc.field) if exc.field else ("riwayat", exc.index)
        return [*problems, _problem(f, where, exc.message)]
    try:
        replay(checklist)
    except IllegalEvent as exc:
        index = history.sources[exc.index]
        plain = index == history.origins[exc.index]  # else a correction set the value
        where = ("riwayat", index, exc.field) if plain else ("riwayat", index)
        problems.append(_problem(f, where, exc.message))
    return problems


_CHAIN_HINT = (
    "catatan siklus hanya boleh diubah dengan `sop run`; kembalikan berkas dari cadangan atau "
    "riwayat git, atau catat perbaikan dengan `sop run koreksi`"
)


def chain_problems(f: _Fields, checklist: Checklist) -> list[Problem]:
    """Breaks of the hash chain, each located at the entry or head key that no longer fits."""
    problems: list[Problem] = []
    start = f.text(("rantai", "awal"))
    if start != chain.head_hash(checklist):
        problems.append(
            _problem(
                f,
                ("rantai", "awal"),
                "identitas siklus atau salinan langkah SOP diubah setelah siklus dimulai "
                "(hash tidak cocok)",
                _CHAIN_HINT,
            )
        )
    for index in chain.broken_links(checklist, start):
        problems.append(
            _problem(
                f,
                ("riwayat", index),
                f"catatan nomor {index + 1} diubah, disisipkan atau dihapus setelah dicatat "
                "(hash tidak cocok dengan rantai)",
                _CHAIN_HINT,
            )
        )
    count = f.number(("rantai", "jumlah")) if f.text(("rantai", "jumlah")) != "0" else 0
    if count != len(checklist.entries):
        problems.append(
            _problem(
                f,
                ("rantai", "jumlah"),
                f"kepala berkas mencatat {count} catatan, riwayat memuat "
                f"{len(checklist.entries)}: catatan dihapus atau ditambah dengan tangan",
                _CHAIN_HINT,
            )
        )
    elif f.text(("rantai", "akhir")) != chain.last_hash(checklist):
        problems.append(
            _problem(
                f,
                ("rantai", "akhir"),
                "hash terakhir di kepala berkas tidak cocok dengan catatan terakhir",
                _CHAIN_HINT,
            )
        )
    return problems


def audit_checklist(
    raw: bytes, source: str, checklist: Checklist, sop: Sop | None, now: datetime
) -> list[Problem]:
    """What `sop check` adds to reading a (valid) checklist file: times in the future, a
    snapshot that differs from the SOP revision the file names, an SOP that is gone."""
    f = _Fields(read_yaml(raw), source)
    problems: list[Problem] = []
    for i, entry in enumerate(checklist.entries):
        for key, moment in (
            ("dicatat", entry.recorded),
            ("waktu_selesai", getattr(entry, "at", None)),
        ):
            if moment is not None and moment > now:
                hint = "periksa jam komputer yang mencatat; koreksi dengan `sop run koreksi`"
                problems.append(_problem(f, ("riwayat", i, key), "waktu ini belum terjadi", hint))
    if sop is None:
        problems.append(
            Problem(
                source,
                *f.doc.position(("sop",)),
                "sop",
                f"SOP '{checklist.slug}' tidak ada di folder data (dihapus atau diganti nama); "
                "siklus ini tidak tampil pada halaman SOP mana pun",
                f"kembalikan berkas sop/{checklist.slug}.yaml, atau biarkan bila SOP itu memang "
                "dicabut",
                Severity.WARNING,
            )
        )
    elif content_hash(sop) == checklist.content_hash and not is_legacy(f.doc.data):
        problems += _snapshot_problems(f, checklist, sop)
    return problems


def _snapshot_problems(f: _Fields, checklist: Checklist, sop: Sop) -> list[Problem]:
    """Snapshot keys that differ from the SOP whose content hash the file records."""
    problems = []
    now_specs = [chain.spec_data(s) for s in snapshot(sop)]
    file_specs = [chain.spec_data(s) for s in checklist.steps]
    if len(now_specs) != len(file_specs):
        message = f"salinan memuat {len(file_specs)} langkah, SOP revisi ini {len(now_specs)}"
        return [_problem(f, ("langkah",), message, _CHAIN_HINT)]
    for i, (mine, theirs) in enumerate(zip(file_specs, now_specs, strict=True)):
        for key in sorted(set(mine) | set(theirs)):
            if mine.get(key) != theirs.get(key):
                path: Path_ = ("langkah", i, key) if key in mine else ("langkah", i)
                problems.append(
                    _problem(
                        f,
                        path,
                        f"berbeda dari SOP revisi yang dicatat (hash_isi sama): di SOP "
                        f"{_shown(theirs.get(key))}",
                        _CHAIN_HINT,
                    )
                )
    return problems


def _shown(value: Any) -> str:
    if value is None:
        return "tidak ada"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return f"'{value}'"
