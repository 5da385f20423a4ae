"""`sop publish DEST`: put the built site where the intranet web server reads it, atomically.

DEST is a symbolic link to one release folder beside it, in `DEST.rilis/`:

    /srv/sop            -> sop.rilis/rilis-0007      (what the web server serves)
    /srv/sop.rilis/rilis-0006                        (the previous version, kept)
    /srv/sop.rilis/rilis-0007

A publish copies the site into a hidden staging folder, renames it to the next release (a
rename is atomic), then switches DEST by renaming a new link over it (also atomic): a reader
sees the old site or the new one, never a half-copied one. The previous release is kept for
`--rollback`, which switches back to it; every older release is removed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from generator.errors import Problem, UserError

RELEASE = re.compile(r"^rilis-(\d{4,})$")


def _refuse(path: Path, message: str) -> UserError:
    """A user error located at a folder: 'path: pesan'."""
    return UserError([Problem(str(path), 0, 0, "", message)])


@dataclass(frozen=True)
class Published:
    """The outcome of a publish or rollback: what DEST serves now, and what was before."""

    dest: Path
    current: Path
    previous: Path | None


def releases_dir(dest: Path) -> Path:
    """The folder holding DEST's releases: 'DEST.rilis' beside DEST."""
    return dest.parent / f"{dest.name}.rilis"


def _releases(dest: Path) -> list[Path]:
    folder = releases_dir(dest)
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if RELEASE.match(p.name) and p.is_dir()]
    return sorted(found, key=lambda p: int(RELEASE.match(p.name).group(1)))  # type: ignore[union-attr]


def current_release(dest: Path) -> Path | None:
    """The release DEST points to now, or None when DEST is not a link to a release."""
    if not dest.is_symlink():
        return None
    target = (dest.parent / os.readlink(dest)).resolve()
    return target if target.parent == releases_dir(dest).resolve() else None


def _switch(dest: Path, release: Path) -> None:
    """Point DEST at `release` atomically: a new link renamed over the old one."""
    link = dest.parent / f".{dest.name}.tautan-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(release, dest.parent), target_is_directory=True)
    os.replace(link, dest)


def _adopt_plain_folder(dest: Path) -> Path | None:
    """Move a DEST that is an ordinary folder (published by hand) into the releases."""
    if dest.is_symlink() or not dest.exists():
        return None
    if not dest.is_dir():
        raise _refuse(dest, "sudah ada dan bukan folder; pilih tujuan lain")
    folder = releases_dir(dest)
    folder.mkdir(parents=True, exist_ok=True)
    adopted = folder / "rilis-0000"
    if adopted.exists():
        raise _refuse(adopted, "sudah ada; pindahkan folder itu lebih dulu")
    dest.rename(adopted)
    _switch(dest, adopted)
    return adopted


def _check_site(site: Path) -> None:
    if not (site / "index.html").is_file():
        raise _refuse(site, "situs belum dibangun (tidak ada index.html); jalankan dulu: make site")


def publish(site: Path, dest: Path) -> Published:
    """Copy the built site to a new release and switch DEST to it; keep one previous release."""
    site, dest = Path(site), Path(dest).absolute()
    _check_site(site)
    dest.parent.mkdir(parents=True, exist_ok=True)
    _adopt_plain_folder(dest)
    previous = current_release(dest)
    folder = releases_dir(dest)
    folder.mkdir(parents=True, exist_ok=True)
    existing = _releases(dest)
    number = int(RELEASE.match(existing[-1].name).group(1)) + 1 if existing else 1  # type: ignore[union-attr]
    staging = Path(tempfile.mkdtemp(prefix=".salin-", dir=folder))
    try:
        shutil.copytree(site, staging, dirs_exist_ok=True, symlinks=False)
        staging.chmod(0o755)
        release = folder / f"rilis-{number:04d}"
        staging.rename(release)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _switch(dest, release)
    for old in _releases(dest):
        if old not in (release, previous):
            shutil.rmtree(old)
    return Published(dest, release, previous)


def rollback(dest: Path) -> Published:
    """Switch DEST back to the other kept release (the one published before the current)."""
    dest = Path(dest).absolute()
    current = current_release(dest)
    if current is None:
        raise _refuse(dest, "belum pernah diterbitkan dengan sop publish")
    others = [r for r in _releases(dest) if r.resolve() != current]
    if not others:
        raise _refuse(dest, "tidak ada versi sebelumnya untuk dikembalikan")
    previous = others[-1]
    _switch(dest, previous)
    return Published(dest, previous, current)


def cmd_publish(args: argparse.Namespace) -> int:
    """The `sop publish` command: publish args.site to args.dest, or roll back."""
    if args.rollback:
        done = rollback(args.dest)
        print(f"{done.dest} dikembalikan ke {done.current.name} (sebelumnya {done.previous.name})")
        return 0
    done = publish(args.site, args.dest)
    before = done.previous.name if done.previous else "-"
    print(f"situs diterbitkan ke {done.dest}: {done.current.name} (versi sebelumnya: {before})")
    return 0
