"""Frozen, validated records of the office (instansi) and its SOPs.

The YAML keys are fixed by the data contract (Indonesian, as on the official form); the
Python attribute names are English and map to those keys through aliases. Only shape checks
live here (types, formats, unknown keys); cross-checks between fields are in `rules`.

The loader hands every scalar over as the text the user typed (or None for an empty value),
so the conversions below decide what a number, a date or a boolean is: nothing is coerced
silently the way YAML 1.1 would.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    Tag,
    WithJsonSchema,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
# Device names Windows refuses as file names (offices share sop_data/ on Windows machines).
RESERVED_NAMES = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{dev}{n}" for dev in ("com", "lpt") for n in range(10)]
)


def foreign_char_hint(text: str) -> str:
    """A hint naming the first character outside ASCII of an id or key, or ''.

    A Cyrillic 'а' or a zero-width space looks like (or like nothing but) what the clerk
    meant, so the message must say which character is wrong.
    """
    odd = next((c for c in text if not c.isascii()), None)
    if odd is None:
        return ""
    name = unicodedata.name(odd, "tanpa nama")
    return (
        f"memuat karakter '{odd}' (U+{ord(odd):04X} {name}) yang bukan huruf a-z; "
        "hapus lalu ketik ulang dengan huruf Latin biasa"
    )


def is_reserved_name(stem: str) -> bool:
    """True when a slug or run id is a Windows device name (con, nul, com1, ...)."""
    return stem.lower() in RESERVED_NAMES


MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)

# --------------------------------------------------------------------------- scalars


def _error(kind: str, message: str, hint: str = "") -> PydanticCustomError:
    return PydanticCustomError(kind, message, {"hint": hint})


# Longest text of one field: a sheet cell or a diagram box cannot show more, and text layout
# time grows with length, so a pasted document must not stall the build.
MAX_TEXT_CHARS = 1000


def _limited(text: str) -> str:
    if len(text) > MAX_TEXT_CHARS:
        raise _error(
            "panjang",
            f"teks terlalu panjang ({len(text)} karakter, paling banyak {MAX_TEXT_CHARS})",
            "ringkas teksnya; rincian dapat ditulis di dokumen lain dan dirujuk di sini",
        )
    return text


def _text(value: Any) -> Any:
    """Required text: strip surrounding blanks; an empty value is missing."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _error("wajib", "wajib diisi", "tulis teksnya setelah titik dua")
    if isinstance(value, str):
        return _limited(value.strip())
    return value


def _optional_text(value: Any) -> Any:
    """Optional text: an empty value becomes ''."""
    if value is None:
        return ""
    return _limited(value.strip()) if isinstance(value, str) else value


def _strict_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
        raise _error(
            "tanggal",
            "bukan tanggal yang sah",
            "tulis tanggal sebagai TTTT-BB-HH, mis. 2024-01-22",
        )
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise _error(
            "tanggal",
            f"tanggal {value.strip()} tidak ada di kalender",
            "periksa bulan (01-12) dan hari",
        ) from None


def _optional_date(value: Any) -> Any:
    if value is None or (isinstance(value, str) and value.strip() in ("", "-")):
        return None
    return _strict_date(value)


def _strict_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise _error("boolean", f"nilai '{value}' bukan true/false", "tulis true atau false")


def _strict_int(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
        return int(value.strip())
    raise _error(
        "bilangan",
        f"nilai '{value}' bukan nomor langkah",
        "tulis nomor langkah sebagai angka, mis. 5",
    )


def _text_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return value


Text = Annotated[str, BeforeValidator(_text)]
OptText = Annotated[str, BeforeValidator(_optional_text)]
StrictDate = Annotated[
    date, BeforeValidator(_strict_date), WithJsonSchema({"type": "string", "format": "date"})
]
OptDate = Annotated[
    date | None,
    BeforeValidator(_optional_date),
    WithJsonSchema({"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]}),
]
StrictBool = Annotated[bool, BeforeValidator(_strict_bool), WithJsonSchema({"type": "boolean"})]
StepNumber = Annotated[
    int, BeforeValidator(_strict_int), WithJsonSchema({"type": "integer", "minimum": 1})
]
Ident = Annotated[str, BeforeValidator(_text), Field(pattern=ID_PATTERN)]

# --------------------------------------------------------------------------- duration

DURATION_UNITS = ("menit", "jam", "hari", "minggu", "bulan")
_NUM = r"[0-9]+(?:[.,][0-9]+)?"
_RANGE = r"\s*(?:-|\u2013|s\.?\s?d\.?|s/d|sampai(?:\s+dengan)?)\s*"
_UNIT = r"menit|jam|hari(?:\s+kerja)?|minggu|bulan"
# What `waktu` may say (matched ignoring case): "-", "2 jam", "1,5 jam", "15 - 30 menit",
# "2 s.d. 3 hari", "1 x 24 jam". Group 1/2: a range's bounds (or 2 alone), 3: the unit, 4: N of
# "N x 24 jam".
DURATION_PATTERN = (
    rf"^\s*(?:-|(?:({_NUM}){_RANGE})?({_NUM})\s*({_UNIT})|([0-9]+)\s*[x\u00d7]\s*24\s*jam)\s*$"
)
NO_STANDARD = "-"
_CONDITION_WORDS = ("apabila", "bila", "jika", "sesuai", "tergantung", "kalau", "selama", "setelah")


def _case_free(pattern: str) -> str:
    """A regex matching `pattern`'s letters in either case (JSON Schema has no flags)."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":  # keep escapes (\s, \., \u2013) as they are
            step = 6 if pattern[i + 1] == "u" else 2
            out.append(pattern[i : i + step])
            i += step
            continue
        in_class = (in_class or c == "[") and c != "]"
        if c.isalpha() and c.islower() and not (i and pattern[i - 1] == "?"):
            out.append(c + c.upper() if in_class else f"[{c}{c.upper()}]")
        else:
            out.append(c)
        i += 1
    return "".join(out)


class DurationError(ValueError):
    """A `waktu` text that cannot be read: `message` and `hint` in Indonesian."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message = message
        self.hint = hint


def _number(text: str) -> float:
    return float(text.replace(",", "."))


@dataclass(frozen=True)
class Duration:
    """A standard time as the clerk typed it ("1 x 24 jam", "15 - 30 menit", "-").

    `text` is printed as typed ('' when the key is missing); `amount` (in `unit`) is the
    standard used for totals and timing: a range's upper bound, "N x 24 jam" as N hari, 0 with
    `unit` None when the step has no standard time ("-", "0 menit", no key). hari is a working
    day; a week is 5 working days, a month 20.
    """

    text: str = ""
    amount: float = 0
    unit: str | None = None

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Read a `waktu` text; raises DurationError (Indonesian message and hint)."""
        typed = text.strip()
        match = re.fullmatch(DURATION_PATTERN, typed, re.IGNORECASE)
        if match is None:
            raise DurationError(f"waktu '{typed}' tidak dapat dibaca", duration_hint(typed))
        low, high, unit, per_day = match.groups()
        if per_day is not None:
            amount, unit = float(per_day), "hari"
        elif high is None:
            return cls(typed)
        else:
            amount, unit = _number(high), unit.lower().split()[0]
            if low is not None and _number(low) > amount:
                raise DurationError(
                    f"rentang waktu '{typed}' terbalik",
                    f"tulis batas bawah lebih dulu, mis. '{high} - {low} {unit}'",
                )
        if amount == 0:
            return cls(typed)
        return cls(typed, amount, unit)

    @property
    def has_standard(self) -> bool:
        """True when the step has a standard time that counts in totals."""
        return self.unit is not None and self.amount > 0

    def working_minutes(self, hours_per_day: float = 8.0) -> int:
        """Length in working minutes (a week is 5 working days, a month 20); 0 without one."""
        if self.unit is None:
            return 0
        day = hours_per_day * 60
        per_unit = {"menit": 1, "jam": 60, "hari": day, "minggu": 5 * day, "bulan": 20 * day}
        return round(self.amount * per_unit[self.unit])

    def __str__(self) -> str:
        return self.text or NO_STANDARD


def duration_hint(typed: str) -> str:
    """The hint for an unreadable `waktu`: a suggestion when the slip is recognisable."""
    general = (
        "tulis <angka> <satuan> dengan satuan menit, jam, hari, minggu atau bulan, "
        "mis. '2 jam', '1,5 jam', '15 - 30 menit', '1 x 24 jam'; tulis '-' bila langkah "
        "tidak memiliki waktu baku"
    )
    words = re.findall(r"[a-z]+", typed.lower())
    if any(w in _CONDITION_WORDS for w in words):
        return (
            "waktu berisi lama kerja, bukan syarat: tulis '-' (atau lama kerjanya) dan "
            "pindahkan syaratnya ke 'keterangan'"
        )
    match = re.fullmatch(rf"({_NUM})\s*([a-zA-Z .]*)", typed)
    if match is not None:
        number, word = match.group(1), match.group(2).strip().lower().rstrip(".")
        if not word:
            return f"tulis satuannya, mis. '{number} menit' atau '{number} jam'"
        close = difflib.get_close_matches(word, [*DURATION_UNITS, "hari kerja"], n=1, cutoff=0.5)
        close = close or [u for u in DURATION_UNITS if u.startswith(word[:2])][:1]
        if close:
            return f"mungkin maksud Anda '{number} {close[0]}'?"
    return general


@dataclass(frozen=True)
class DurationTotal:
    """A sum of standard times as an office signs it: "3 hari 2 jam 45 menit".

    Minutes roll into hours and hours into working days of the office's length; weeks count
    5 working days; months stay months.
    """

    months: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0

    @classmethod
    def of(cls, durations: Iterable[Duration], hours_per_day: float = 8.0) -> DurationTotal:
        """Sum durations (those without a standard count nothing)."""
        months = 0.0
        minutes = 0
        for d in durations:
            if d.unit == "bulan":
                months += d.amount
            else:
                minutes += d.working_minutes(hours_per_day)
        whole_months = int(months)
        minutes += round((months - whole_months) * 20 * hours_per_day * 60)
        day = max(round(hours_per_day * 60), 1)
        days, rest = divmod(minutes, day)
        hours, mins = divmod(rest, 60)
        return cls(months=whole_months, days=days, hours=hours, minutes=mins)

    def __str__(self) -> str:
        parts = [
            f"{n} {unit}"
            for n, unit in (
                (self.months, "bulan"),
                (self.days, "hari"),
                (self.hours, "jam"),
                (self.minutes, "menit"),
            )
            if n
        ]
        return " ".join(parts) or "0 menit"


def _duration(value: Any) -> Any:
    if isinstance(value, Duration):
        return value
    if value is None:
        return Duration()
    try:
        return Duration.parse(str(value))
    except DurationError as exc:
        raise _error("waktu", exc.message, exc.hint) from None


def _duration_dump(value: Duration) -> dict[str, Any]:
    """A duration in dumps (content hashes): the old {amount, unit} for what the first
    contract accepted, so the hash of an unchanged SOP stays the same; the text otherwise."""
    old = re.fullmatch(r"\s*([0-9]+)\s*(menit|jam|hari|minggu|bulan)\s*", value.text)
    if old is not None and int(old.group(1)) > 0:
        return {"amount": int(old.group(1)), "unit": old.group(2)}
    return {"text": value.text}


DurationField = Annotated[
    Duration,
    BeforeValidator(_duration),
    PlainSerializer(_duration_dump),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": _case_free(DURATION_PATTERN),
            "description": "mis. '2 jam', '1,5 jam', '15 - 30 menit', '1 x 24 jam', '-'",
        }
    ),
]

# --------------------------------------------------------------------------- NIP


def _nip(value: Any) -> Any:
    """Validate an 18-digit NIP and return its digits."""
    if value is None:
        raise _error("wajib", "wajib diisi", 'tulis NIP 18 angka, mis. "19661231 198607 1 014"')
    digits = re.sub(r"\s+", "", str(value))
    foreign = next((c for c in digits if c.isdigit() and not c.isascii()), None)
    if foreign is not None:
        raise _error(
            "nip",
            f"NIP memuat angka '{foreign}' yang bukan angka biasa 0-9",
            "ketik ulang NIP dengan angka 0-9 (teks yang disalin dapat membawa angka lain)",
        )
    odd = sorted({c for c in digits if not c.isdigit()})
    if odd:
        read = re.sub(r"[^0-9]", "", digits)
        shown = format_nip(read) if len(read) == 18 else read
        marks = " ".join(f"'{c}'" for c in odd)
        raise _error(
            "nip",
            f"NIP memuat {marks} selain angka dan spasi (terbaca {len(read)} angka: {shown})",
            'tulis NIP hanya dengan angka dan spasi, mis. nip: "19661231 198607 1 014"',
        )
    if not re.fullmatch(r"[0-9]{18}", digits):
        raise _error(
            "nip",
            f"NIP harus 18 angka (tertulis {len(re.sub(r'[^0-9]', '', digits))} angka)",
            'tulis dalam tanda kutip, mis. nip: "19661231 198607 1 014"',
        )
    try:
        date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise _error(
            "nip", "8 angka pertama NIP bukan tanggal lahir yang sah", "periksa TTTTBBHH"
        ) from None
    if not 1 <= int(digits[12:14]) <= 12:
        raise _error("nip", "angka 9-14 NIP bukan bulan pengangkatan yang sah", "periksa TTTTBB")
    if digits[14] not in "12":
        raise _error("nip", "angka ke-15 NIP (jenis kelamin) harus 1 atau 2", "periksa NIP")
    return digits


def format_nip(digits: str) -> str:
    """Print a NIP in groups 8-6-1-3: "19661231 198607 1 014"."""
    return f"{digits[0:8]} {digits[8:14]} {digits[14]} {digits[15:18]}"


def format_date(value: date | None) -> str:
    """Indonesian long date ("22 Januari 2024"); "-" for no date."""
    if value is None:
        return "-"
    return f"{value.day} {MONTHS_ID[value.month - 1]} {value.year}"


def _optional_nip(value: Any) -> Any:
    """No NIP (empty or '-'): None; otherwise a valid NIP's digits."""
    if value is None or (isinstance(value, str) and value.strip() in ("", "-")):
        return None
    return _nip(value)


Nip = Annotated[
    str | None,
    BeforeValidator(_optional_nip),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\s*(\d\s*){18}$"},
                {"type": "string", "enum": ["-"]},
                {"type": "null"},
            ]
        }
    ),
]

# --------------------------------------------------------------------------- records


class Record(BaseModel):
    """Base of every record: frozen, unknown keys refused, YAML keys as aliases."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=False, validate_by_alias=True
    )


class Official(Record):
    """An official who signs (pejabat)."""

    position: Text = Field(alias="jabatan", description="Nama jabatan, mis. Camat Janapria")
    name: Text = Field(alias="nama", description="Nama lengkap dengan gelar")
    nip: Nip = Field(
        default=None, alias="nip", description="NIP 18 angka; kosongkan bila pejabat tidak ber-NIP"
    )

    @property
    def nip_formatted(self) -> str:
        """The NIP in groups 8-6-1-3; '' for an official without NIP."""
        return format_nip(self.nip) if self.nip else ""


CLOCK_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


def _clock(value: Any) -> Any:
    if isinstance(value, str) and re.fullmatch(CLOCK_PATTERN, value.strip()):
        return value.strip()
    raise _error(
        "jam", f"jam '{value}' tidak sah", 'tulis JJ:MM dengan dua angka jam, mis. "08:00"'
    )


def _weekday(value: Any) -> Any:
    if isinstance(value, str) and re.fullmatch(r"[1-7]", value.strip()):
        return int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 7:
        return value
    raise _error(
        "hari", f"hari '{value}' tidak sah", "tulis nomor hari 1 (Senin) sampai 7 (Minggu)"
    )


def _timezone(value: Any) -> Any:
    """An IANA time zone name that exists (zoneinfo refuses paths like '../x' itself)."""
    value = _text(value)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise _error(
            "zona_waktu",
            f"zona waktu '{value}' tidak dikenal",
            "tulis Asia/Jakarta (WIB), Asia/Makassar (WITA) atau Asia/Jayapura (WIT)",
        ) from None
    return value


TimeZone = Annotated[str, BeforeValidator(_timezone)]

Clock = Annotated[
    str, BeforeValidator(_clock), WithJsonSchema({"type": "string", "pattern": CLOCK_PATTERN})
]
Weekday = Annotated[
    int, BeforeValidator(_weekday), WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 7})
]


class WorkingHours(Record):
    """Office hours used to measure elapsed working time of a cycle."""

    start: Clock = Field(default="08:00", alias="mulai")
    end: Clock = Field(default="16:00", alias="selesai")
    days: list[Weekday] = Field(
        default=[1, 2, 3, 4, 5], alias="hari", description="Hari kerja, 1 = Senin ... 7 = Minggu"
    )

    @model_validator(mode="after")
    def _end_after_start(self) -> WorkingHours:
        if self.end <= self.start:
            raise _error(
                "jam",
                f"jam selesai {self.end} tidak setelah jam mulai {self.start}",
                'periksa jam_kerja, mis. mulai: "08:00" dan selesai: "16:00"',
            )
        return self

    @property
    def hours_per_day(self) -> float:
        """Length of one working day in hours."""
        sh, sm = map(int, self.start.split(":"))
        eh, em = map(int, self.end.split(":"))
        return max(((eh * 60 + em) - (sh * 60 + sm)) / 60, 0.0)


class Office(Record):
    """The office (instansi.yaml): letterhead, officials, paper, working hours."""

    government: Text = Field(alias="pemerintah", description="mis. PEMERINTAH KABUPATEN ...")
    name: Text = Field(alias="nama", description="Nama kantor pada kop, mis. KECAMATAN JANAPRIA")
    sheet_name: OptText = Field(
        default="",
        alias="nama_pada_sop",
        description="Nama kantor pada lembar SOP, mis. KANTOR CAMAT JANAPRIA (bawaan: nama)",
    )
    address: OptText = Field(default="", alias="alamat")
    phone: OptText = Field(default="", alias="telepon")
    email: OptText = Field(default="", alias="email")
    website: OptText = Field(default="", alias="laman")
    logo: OptText = Field(default="", alias="logo", description="Berkas logo relatif ke sop_data/")
    paper: Literal["F4", "A4"] = Field(default="F4", alias="kertas")
    timezone: TimeZone = Field(default="Asia/Makassar", alias="zona_waktu")
    place: OptText = Field(
        default="", alias="tempat", description="Nama tempat untuk tanggal surat, mis. Janapria"
    )
    officials: dict[Ident, Official] = Field(default_factory=dict, alias="pejabat")
    working_hours: WorkingHours = Field(default_factory=WorkingHours, alias="jam_kerja")
    holidays: list[StrictDate] = Field(default_factory=list, alias="hari_libur")

    @property
    def name_on_sheet(self) -> str:
        """The office name printed in the SOP sheet's identity block."""
        return self.sheet_name or self.name


class Lane(Record):
    """A lane (pelaksana) of the sheet: its label, and whether it is outside the office."""

    label: Text = Field(alias="label", description="Nama lajur pada lembar SOP")
    outside: StrictBool = Field(
        default=False, alias="luar", description="true untuk pihak di luar kantor"
    )

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> Any:
        # An office lane dumps as its label, the way the first contract wrote it.
        return handler(self) if self.outside else self.label


def _lane(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return {"label": _text(value)}
    if isinstance(value, dict | Lane):
        return value
    raise _error(
        "lajur",
        "harus berupa nama lajur atau pemetaan {label: ..., luar: true}",
        "mis. camat: Camat, atau pemohon: {label: Pemohon, luar: true}",
    )


LaneField = Annotated[
    Lane,
    BeforeValidator(_lane),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "minLength": 1},
                {
                    "type": "object",
                    "properties": {
                        "label": {"type": "string", "minLength": 1},
                        "luar": {"type": "boolean"},
                    },
                    "required": ["label"],
                    "additionalProperties": False,
                },
            ],
            "description": "Nama lajur, atau {label: ..., luar: true} untuk pihak luar kantor",
        }
    ),
]


def _list_kind(value: Any) -> str:
    return "map" if isinstance(value, dict) else "list"


ItemList = Annotated[
    Annotated[list[Text], BeforeValidator(_text_list), Tag("list")]
    | Annotated[dict[Text, Annotated[list[Text], BeforeValidator(_text_list)]], Tag("map")],
    Discriminator(_list_kind),
]


def item_groups(items: list[str] | dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """A list field as (sub-heading, items) groups; a plain list has heading ''."""
    if isinstance(items, dict):
        return list(items.items())
    return [("", list(items))] if items else []


END_TARGET = "selesai"
YES_NO_KEYS = ("ya", "tidak", "label_ya", "label_tidak")
MIN_EXITS, MAX_EXITS = 2, 4
STEP_ID_PATTERN = r"^[a-z][a-z0-9_-]*$"


def _exit_target(value: Any) -> Any:
    """A decision exit's target: a step number, or `selesai` (None: the procedure ends)."""
    if isinstance(value, str) and value.strip().lower() == END_TARGET:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
        return int(value.strip())
    raise _error(
        "tujuan",
        f"tujuan '{value}' bukan nomor langkah",
        "tulis nomor langkah tujuan, mis. 5, atau 'selesai' bila prosedur berakhir di sini",
    )


ExitTarget = Annotated[
    int | None,
    BeforeValidator(_exit_target),
    WithJsonSchema(
        {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": [END_TARGET]}]}
    ),
]


@dataclass(frozen=True)
class Exit:
    """One way out of a decision: its label and target step (None: `selesai`, it ends).

    `key` is the YAML key it was written under ('ya', 'tidak' or the label), for locations.
    """

    label: str
    target: int | None
    key: str = field(default="", compare=False)

    @property
    def ends(self) -> bool:
        """True when this exit ends the procedure."""
        return self.target is None


@dataclass(frozen=True)
class Decision:
    """A decision step's exits (keputusan), 2 to 4, in the order written; the first is the
    main path."""

    exits: tuple[Exit, ...]


class YesNoDecision(Record):
    """keputusan written as ya/tidak (with optional labels)."""

    yes: ExitTarget = Field(alias="ya", description="Nomor langkah bila Ya, atau selesai")
    no: ExitTarget = Field(alias="tidak", description="Nomor langkah bila Tidak, atau selesai")
    yes_label: Text = Field(default="Ya", alias="label_ya")
    no_label: Text = Field(default="Tidak", alias="label_tidak")

    def decision(self) -> Decision:
        """The exits: Ya first."""
        return Decision(
            (Exit(self.yes_label, self.yes, "ya"), Exit(self.no_label, self.no, "tidak"))
        )


def _exit_count(value: Any) -> Any:
    if isinstance(value, dict) and not MIN_EXITS <= len(value) <= MAX_EXITS:
        raise _error(
            "keputusan",
            f"keputusan harus memiliki {MIN_EXITS} sampai {MAX_EXITS} jalan keluar "
            f"(tertulis {len(value)})",
            "tulis satu baris 'Label: nomor langkah' per jalan keluar, mis. 'Lengkap: 3'",
        )
    return value


ExitLabel = Annotated[str, BeforeValidator(_text), Field(max_length=60)]
ExitMap = Annotated[dict[ExitLabel, ExitTarget], BeforeValidator(_exit_count)]


def _decision_form(value: Any) -> str:
    if isinstance(value, YesNoDecision):  # when dumping
        return "[ya-tidak]"
    if isinstance(value, dict) and any(k in YES_NO_KEYS for k in value):
        return "[ya-tidak]"
    return "[label]"


DecisionSpec = Annotated[
    Annotated[YesNoDecision, Tag("[ya-tidak]")] | Annotated[ExitMap, Tag("[label]")],
    Discriminator(_decision_form),
]


def decision_of(spec: YesNoDecision | dict[str, int | None]) -> Decision:
    """The Decision of a keputusan as written (either form)."""
    if isinstance(spec, YesNoDecision):
        return spec.decision()
    return Decision(tuple(Exit(label, target, label) for label, target in spec.items()))


StepId = Annotated[str, BeforeValidator(_text), Field(pattern=STEP_ID_PATTERN, max_length=64)]

Actors = Annotated[
    list[Ident],
    BeforeValidator(_text_list),
    Field(min_length=1),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": ID_PATTERN},
                {"type": "array", "items": {"type": "string", "pattern": ID_PATTERN}},
            ]
        }
    ),
]


class Step(Record):
    """One step (langkah) of the procedure; numbered 1..n by its position."""

    description: Text = Field(alias="uraian", description="Kegiatan, diawali kata kerja")
    actors: Actors = Field(alias="pelaksana", description="Id lajur, atau daftar id lajur")
    requirements: OptText = Field(default="", alias="kelengkapan")
    time: DurationField = Field(default_factory=Duration, alias="waktu")
    output: OptText = Field(default="", alias="output")
    note: OptText = Field(default="", alias="keterangan")
    form: OptText = Field(default="", alias="formulir")
    decision_spec: DecisionSpec | None = Field(
        default=None,
        alias="keputusan",
        description="ya/tidak (dengan label_ya/label_tidak), atau 'Label: tujuan' 2 sampai 4 "
        "baris; tujuan nomor langkah atau selesai",
    )
    ends: StrictBool = Field(default=False, alias="selesai")
    goto: StepNumber | None = Field(default=None, alias="lanjut")
    id: StepId | None = Field(
        default=None, alias="id", description="Id tetap langkah (opsional), mis. verifikasi"
    )
    _number: int = PrivateAttr(default=0)
    _decision: Decision | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _read_decision(self) -> Step:
        if self.decision_spec is not None:
            self._decision = decision_of(self.decision_spec)
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        if isinstance(data, dict) and data.get("id") is None:
            data.pop("id", None)  # unchanged SOPs keep their content hash
        return data

    @property
    def decision(self) -> Decision | None:
        """The decision's exits, or None for a step that is not a decision."""
        return self._decision

    @property
    def number(self) -> int:
        """1-based position in the SOP."""
        return self._number

    @property
    def is_decision(self) -> bool:
        """True for a diamond."""
        return self.decision is not None


class Sop(Record):
    """One SOP file (sop/<slug>.yaml)."""

    number: Text = Field(alias="nomor", description="Nomor SOP (teks)")
    name: Text = Field(alias="nama")
    unit: Text = Field(alias="unit")
    created: StrictDate = Field(alias="tanggal_pembuatan")
    revised: OptDate = Field(default=None, alias="tanggal_revisi")
    effective: StrictDate = Field(alias="tanggal_efektif")
    approved_by: Ident = Field(alias="disahkan_oleh", description="Kunci pejabat di instansi")
    legal_basis: ItemList = Field(default_factory=list, alias="dasar_hukum")
    qualifications: ItemList = Field(default_factory=list, alias="kualifikasi_pelaksana")
    related: ItemList = Field(default_factory=list, alias="keterkaitan")
    equipment: ItemList = Field(default_factory=list, alias="peralatan_perlengkapan")
    warnings: ItemList = Field(default_factory=list, alias="peringatan")
    records: ItemList = Field(default_factory=list, alias="pencatatan_pendataan")
    lane_specs: dict[Ident, LaneField] = Field(alias="pelaksana", min_length=1)
    steps: list[Step] = Field(alias="langkah", min_length=1)
    _slug: str = PrivateAttr(default="")

    @model_validator(mode="after")
    def _number_steps(self) -> Sop:
        for i, step in enumerate(self.steps, 1):
            step._number = i
        return self

    @property
    def slug(self) -> str:
        """The file name stem; set by the loader."""
        return self._slug

    def with_slug(self, slug: str) -> Sop:
        """This SOP named by its file's slug."""
        copy = self.model_copy()
        copy._slug = slug
        return copy

    def step(self, number: int) -> Step:
        """The step with this 1-based number."""
        return self.steps[number - 1]

    @property
    def lanes(self) -> dict[str, str]:
        """Lane id -> label, left to right."""
        return {lane_id: lane.label for lane_id, lane in self.lane_specs.items()}

    @property
    def lane_ids(self) -> list[str]:
        """Lane ids, left to right."""
        return list(self.lane_specs)

    @property
    def outside_lanes(self) -> frozenset[str]:
        """Ids of the lanes of parties outside the office (luar: true)."""
        return frozenset(i for i, lane in self.lane_specs.items() if lane.outside)

    def is_outside_step(self, number: int) -> bool:
        """True when every actor of the step is an outside lane."""
        return all(a in self.outside_lanes for a in self.step(number).actors)


# --------------------------------------------------------------------------- text blocks

_LIST_ITEM = re.compile(r"^(?:(-)|([0-9]{1,3}[.)]))\s+(\S.*)$")


@dataclass(frozen=True)
class TextBlock:
    """A paragraph or a list item of a multi-line text.

    `kind` is "para", "bullet" (a line starting with '- ') or "number" (a line starting with
    '1. ' or '1) '); `marker` is '-' or the number as typed ('1.'), '' for a paragraph.
    """

    kind: Literal["para", "bullet", "number"]
    text: str
    marker: str = ""


def text_blocks(text: str) -> list[TextBlock]:
    """A text split into paragraphs and list items, in order.

    Consecutive plain lines join into one paragraph (a blank line ends it); an indented line
    after a list item continues that item. A text without line breaks is one paragraph.
    """
    blocks: list[TextBlock] = []
    joinable = False  # may the next plain line continue the last block?
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            joinable = False
            continue
        item = _LIST_ITEM.match(line)
        if item is not None:
            bullet, number, rest = item.groups()
            kind = "bullet" if bullet else "number"
            blocks.append(TextBlock(kind, rest.strip(), bullet or number))
            joinable = True
            continue
        last = blocks[-1] if blocks else None
        continues_item = last is not None and last.kind != "para" and raw[:1] in (" ", "\t")
        if joinable and last is not None and (last.kind == "para" or continues_item):
            blocks[-1] = TextBlock(last.kind, f"{last.text} {line}", last.marker)
        else:
            blocks.append(TextBlock("para", line))
            joinable = True
    return blocks
