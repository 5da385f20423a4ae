"""Files stay inside their folder: a path whose real place (symlinks followed) is elsewhere.

A data file that is a symbolic link to `/etc/passwd` or to a secrets file must not be read,
built, published or written through; the refusal names the link, never what it points to or
holds.
"""

from __future__ import annotations

from pathlib import Path

from generator.errors import Problem, UserError

_HINT = "ganti tautan itu dengan berkas (atau folder) sungguhan di dalam folder data"


def outside(path: Path, folder: Path) -> bool:
    """True when `path`, every symlink followed (it need not exist), is not inside `folder`."""
    return not path.resolve().is_relative_to(folder.resolve())


def outside_problem(path: Path, what: str) -> Problem:
    """The located refusal of `path` (`what` names it for the clerk: "berkas SOP")."""
    return Problem(
        str(path),
        0,
        0,
        "",
        f"{what} ini tautan simbolik ke luar folder data; tidak dibaca dan tidak ditulis",
        _HINT,
    )


def require_inside(folder: Path, *paths: Path, what: str) -> None:
    """Raise a UserError for the first of `paths` that leads out of `folder`."""
    for path in paths:
        if outside(path, folder):
            raise UserError([outside_problem(path, what)])
