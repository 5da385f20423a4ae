"""User-facing error types.

A user's mistake (a broken SOP file, a refused checklist command) is a `UserError`
carrying one or more `Problem`s. Each problem prints in Indonesian as
``path:line:col: field: pesan`` plus an optional hint, so a clerk can find the spot
in any text editor. Bugs in the program are ordinary exceptions and keep their traceback.
"""

from __future__ import annotations

import errno
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How serious a problem is: errors stop a run, warnings do not."""

    ERROR = "galat"
    WARNING = "peringatan"


def visible(text: str) -> str:
    """Text with invisible characters shown as <U+XXXX>.

    Zero-width, bidirectional and other format characters would otherwise hide in a
    message (an id that looks right but is refused) or reorder the terminal line.
    """
    return "".join(
        f"<U+{ord(c):04X}>"
        if unicodedata.category(c) in ("Cf", "Zl", "Zp", "Cs", "Co", "Cn")
        or (unicodedata.category(c) == "Cc" and c not in "\n\t")
        else c
        for c in text
    )


@dataclass(frozen=True, order=True)
class Problem:
    """One located finding about the user's data."""

    path: str
    line: int
    column: int
    field: str
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    def format(self) -> str:
        """Render as ``path:line:col: field: message`` (plus an indented hint line)."""
        where = f"{self.path}:{self.line}:{self.column}" if self.line else self.path
        prefix = "peringatan: " if self.severity is Severity.WARNING else ""
        text = (
            f"{where}: {self.field}: {prefix}{self.message}"
            if self.field
            else (f"{where}: {prefix}{self.message}")
        )
        if not where:  # a message about no file (e.g. a refused command)
            text = text.removeprefix(": ")
        if self.hint:
            text += f"\n    petunjuk: {self.hint}"
        return visible(text)

    @property
    def is_error(self) -> bool:
        """True when this problem stops the run."""
        return self.severity is Severity.ERROR


class UserError(Exception):
    """A mistake in the user's input or command; printed without a traceback."""

    def __init__(self, problems: Iterable[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem(path="", line=0, column=0, field="", message=problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self.format())

    def format(self) -> str:
        """All problems, one per paragraph, in file/line order."""
        return "\n".join(p.format() for p in self.problems)


_STORAGE_REASONS = {
    errno.ENOSPC: ("disk penuh", "kosongkan ruang disk"),
    errno.EDQUOT: ("kuota disk habis", "kosongkan ruang disk"),
    errno.EFBIG: ("batas ukuran berkas terlampaui", "periksa batas ukuran berkas sistem"),
    errno.EROFS: ("folder hanya dapat dibaca (read-only)", "gunakan folder yang dapat ditulis"),
    errno.EACCES: ("tidak ada izin menulis", "minta izin tulis folder itu"),
    errno.EPERM: ("tidak ada izin menulis", "minta izin tulis folder itu"),
}


def storage_error(exc: OSError, path: str, what: str, kept: str) -> UserError:
    """A failed write (full or read-only disk, no permission) as a user error naming the file.

    `what` says what could not be saved, `kept` what is still intact.
    """
    reason, fix = _STORAGE_REASONS.get(exc.errno or 0, (exc.strerror or str(exc), "periksa disk"))
    return UserError(
        [Problem(path, 0, 0, "", f"{what}: {reason}", f"{fix}, lalu ulangi perintah; {kept}")]
    )


class ToolMissingError(UserError):
    """An external program (dot, a font, a library) is not installed."""

    def __init__(self, tool: str, package: str):
        super().__init__(
            f"program '{tool}' tidak ditemukan; pasang paket Debian '{package}' "
            f"(sebagai root: apt-get install {package})"
        )
