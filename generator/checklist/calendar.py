"""Working time of the office (hours, working days, holidays, zone); reading and showing times."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.errors import UserError
from generator.model import (
    Office,
)

NOW_ENV = "SOP_NOW"
WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


@lru_cache(maxsize=1)
def national_holidays() -> Any:
    """Indonesia's national holidays and joint leave days (cuti bersama), names in Indonesian.

    A mapping-like object from the `holidays` package (public and government categories) that
    computes each year on first use: `day in national_holidays()`, `.get(day) -> str | None`.
    """
    import holidays

    return holidays.country_holidays("ID", categories=("public", "government"), language="id")


class _NoHolidays:
    def __contains__(self, day: object) -> bool:
        return False

    def get(self, day: object) -> None:
        return None


@dataclass(frozen=True)
class WorkCalendar:
    """The office's working time: daily hours, working weekdays, holidays, time zone."""

    tz: ZoneInfo
    start: int = 8 * 60
    end: int = 16 * 60
    days: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    holidays: frozenset[date] = frozenset()
    national: Any = field(default_factory=_NoHolidays, compare=False, repr=False)
    working_days: frozenset[date] = frozenset()

    @classmethod
    def of(cls, office: Office) -> WorkCalendar:
        """The calendar from instansi.yaml (jam_kerja, hari_libur, zona_waktu, libur_nasional:
        Indonesia's national holidays and cuti bersama unless false, masuk_kerja: dates that
        stay working days)."""
        hours = office.working_hours
        return cls(
            tz=office_zone(office),
            start=_minute_of_day(hours.start),
            end=_minute_of_day(hours.end),
            days=frozenset(hours.days),
            holidays=frozenset(office.holidays),
            national=national_holidays() if office.national_holidays else _NoHolidays(),
            working_days=frozenset(office.working_days),
        )

    def day_off(self, day: date) -> str | None:
        """Why `day` is not a working day ("hari Sabtu", "hari libur nasional: Nyepi", ...),
        or None when it is one."""
        if day in self.holidays:
            return "hari libur kantor (hari_libur di instansi.yaml)"
        if day not in self.working_days:
            name = self.national.get(day)
            if name:
                return f"hari libur nasional: {name}"
        if day.isoweekday() not in self.days:
            return f"hari {WEEKDAYS[day.isoweekday() - 1]}, bukan hari kerja"
        return None

    @property
    def hours_per_day(self) -> float:
        """Length of one working day in hours."""
        return max(self.end - self.start, 0) / 60

    @property
    def works(self) -> bool:
        """False when the calendar has no working time at all."""
        return self.end > self.start and bool(self.days & {1, 2, 3, 4, 5, 6, 7})

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        if self.end <= self.start or self.day_off(day):
            return None
        base = datetime(day.year, day.month, day.day, tzinfo=self.tz)
        return base + timedelta(minutes=self.start), base + timedelta(minutes=self.end)

    def minutes_between(self, start: datetime, end: datetime) -> int:
        """Working minutes (rounded down) from `start` to `end`; 0 if end is not later."""
        if end <= start:
            return 0
        seconds = 0.0
        day, last = start.astimezone(self.tz).date(), end.astimezone(self.tz).date()
        while day <= last:
            window = self._window(day)
            if window:
                seconds += max(0.0, (min(end, window[1]) - max(start, window[0])).total_seconds())
            day += timedelta(days=1)
        return int(seconds // 60)

    def add_minutes(self, start: datetime, minutes: int) -> datetime | None:
        """The moment `minutes` working minutes after `start`; None without working time."""
        if not self.works:
            return None
        remaining = minutes * 60.0
        day = start.astimezone(self.tz).date()
        for _ in range(366 * 20):
            window = self._window(day)
            if window and window[1] > start:
                begin = max(start, window[0])
                available = (window[1] - begin).total_seconds()
                if remaining <= available:
                    return (begin + timedelta(seconds=remaining)).astimezone(self.tz)
                remaining -= available
            day += timedelta(days=1)
        return None

    def format_minutes(self, minutes: int) -> str:
        """Working minutes as "1 hari 2 jam 5 menit" (a day is one working day)."""
        day = self.end - self.start
        days, rest = divmod(minutes, day) if day > 0 else (0, minutes)
        hours, mins = divmod(rest, 60)
        parts = [f"{n} {u}" for n, u in ((days, "hari"), (hours, "jam"), (mins, "menit")) if n]
        return " ".join(parts) or "0 menit"


def _minute_of_day(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def office_zone(office: Office) -> ZoneInfo:
    """The office's time zone (zona_waktu), or a UserError naming the bad value."""
    try:
        return ZoneInfo(office.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            f"zona_waktu '{office.timezone}' di instansi.yaml tidak dikenal; "
            "tulis mis. Asia/Makassar (WITA), Asia/Jakarta (WIB) atau Asia/Jayapura (WIT)"
        ) from None


_TIME_HINT = "tulis TTTT-BB-HH JJ:MM, mis. 2024-03-04 09:30 (waktu kantor)"


# ASCII digits only: Python's \d would also take Arabic-Indic or full-width digits.
_TIME_PATTERN = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2})?(Z|[+-][0-9]{2}:?[0-9]{2})?"
)


def parse_time(text: str, tz: ZoneInfo, today: date | None = None) -> datetime:
    """A time typed by a user, in the office's zone unless an offset is given.

    Accepted: "2024-03-04 09:30", ISO 8601 ("2024-03-04T09:30:00+08:00"), and "09:30" (on
    `today`, when given). Seconds are kept, microseconds dropped.
    """
    value = text.strip()
    if today is not None and re.fullmatch(r"[0-9]{1,2}:[0-9]{2}", value):
        value = f"{today.isoformat()} {value.zfill(5)}"
    if not re.fullmatch(_TIME_PATTERN, value):
        raise UserError(f"waktu '{text}' tidak dapat dibaca; {_TIME_HINT}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UserError(f"waktu '{text}' tidak ada di kalender; {_TIME_HINT}") from None
    moment = moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)
    return moment.replace(microsecond=0)


def current_time(tz: ZoneInfo, override: str | None = None) -> datetime:
    """Now in the office's zone; `override` (the hidden --now) or $SOP_NOW replace the clock."""
    override = override or os.environ.get(NOW_ENV) or None
    if override:
        return parse_time(override, tz)
    return datetime.now(tz).replace(microsecond=0)


def show_time(moment: datetime, tz: ZoneInfo) -> str:
    """A time for messages: "2024-03-04 09:30 WITA"."""
    local = moment.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"
