"""Frozen, validated records of the office (instansi) and its SOPs.

The YAML keys are fixed by the data contract (Indonesian, as on the official form); the
Python attribute names are English and map to those keys through aliases. Only shape checks
live here (types, formats, unknown keys); cross-checks between fields are in `rules`.

The loader hands every scalar over as the text the user typed (or None for an empty value),
so the conversions below decide what a number, a date or a boolean is: nothing is coerced
silently the way YAML 1.1 would.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    WithJsonSchema,
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
DURATION_PATTERN = r"^\s*([0-9]+)\s*(menit|jam|hari|minggu|bulan)\s*$"


@dataclass(frozen=True, order=True)
class Duration:
    """A standard duration as written on the sheet ("2 jam"); hari is a working day."""

    amount: int
    unit: Literal["menit", "jam", "hari", "minggu", "bulan"]

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}"

    def working_minutes(self, hours_per_day: float = 8.0) -> int:
        """Length in working minutes (a week is 5 working days, a month 20)."""
        day = round(hours_per_day * 60)
        per_unit = {"menit": 1, "jam": 60, "hari": day, "minggu": 5 * day, "bulan": 20 * day}
        return self.amount * per_unit[self.unit]


@dataclass(frozen=True)
class DurationTotal:
    """A sum of durations kept the way offices write it: "5 hari 8 jam 10 menit".

    Minutes roll over into hours and weeks into days; hours do not become days, because a
    working day's length is the office's business and the sheet shows what was written.
    """

    months: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0

    @classmethod
    def of(cls, durations: list[Duration] | tuple[Duration, ...]) -> DurationTotal:
        """Sum durations per unit."""
        by_unit = dict.fromkeys(DURATION_UNITS, 0)
        for d in durations:
            by_unit[d.unit] += d.amount
        hours, minutes = divmod(by_unit["menit"], 60)
        return cls(
            months=by_unit["bulan"],
            days=by_unit["hari"] + 5 * by_unit["minggu"],
            hours=by_unit["jam"] + hours,
            minutes=minutes,
        )

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
    match = re.match(DURATION_PATTERN, value) if isinstance(value, str) else None
    if not match:
        raise _error(
            "waktu",
            f"waktu '{value}' tidak dapat dibaca",
            "tulis <angka> menit|jam|hari|minggu|bulan, mis. '2 jam' atau '90 menit'",
        )
    amount = int(match.group(1))
    if amount == 0:
        raise _error("waktu", "waktu tidak boleh 0", "tulis lama kerja baku, mis. '5 menit'")
    return Duration(amount, match.group(2))  # type: ignore[arg-type]


DurationField = Annotated[
    Duration,
    BeforeValidator(_duration),
    WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN}),
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


Nip = Annotated[
    str,
    BeforeValidator(_nip),
    WithJsonSchema({"type": "string", "pattern": r"^\s*(\d\s*){18}$"}),
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
    nip: Nip = Field(alias="nip", description="NIP 18 angka")

    @property
    def nip_formatted(self) -> str:
        """The NIP in groups 8-6-1-3."""
        return format_nip(self.nip)


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
    national_holidays: bool = Field(
        default=True,
        alias="libur_nasional",
        description="Hitung hari libur nasional dan cuti bersama Indonesia (bawaan: true)",
    )
    working_days: list[StrictDate] = Field(
        default_factory=list,
        alias="masuk_kerja",
        description="Tanggal yang tetap hari kerja walau libur nasional atau cuti bersama",
    )

    @property
    def name_on_sheet(self) -> str:
        """The office name printed in the SOP sheet's identity block."""
        return self.sheet_name or self.name


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


class Decision(Record):
    """A decision step's two exits (keputusan)."""

    yes: StepNumber = Field(alias="ya", description="Nomor langkah bila Ya")
    no: StepNumber = Field(alias="tidak", description="Nomor langkah bila Tidak")
    yes_label: Text = Field(default="Ya", alias="label_ya")
    no_label: Text = Field(default="Tidak", alias="label_tidak")


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
    time: DurationField = Field(alias="waktu", description="mis. '2 jam', '1 hari'")
    output: OptText = Field(default="", alias="output")
    note: OptText = Field(default="", alias="keterangan")
    form: OptText = Field(default="", alias="formulir")
    decision: Decision | None = Field(default=None, alias="keputusan")
    ends: StrictBool = Field(default=False, alias="selesai")
    goto: StepNumber | None = Field(default=None, alias="lanjut")
    _number: int = PrivateAttr(default=0)

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
    lanes: dict[Ident, Text] = Field(alias="pelaksana", min_length=1)
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
    def lane_ids(self) -> list[str]:
        """Lane ids, left to right."""
        return list(self.lanes)
