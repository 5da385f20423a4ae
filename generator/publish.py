"""`sop publish DEST`: put the built site where the intranet web server reads it, atomically.

DEST is a symbolic link to one release folder beside it, in `DEST.rilis/`:

    /srv/sop            -> sop.rilis/rilis-0007      (what the web server serves)
    /srv/sop.rilis/rilis-0006                        (earlier versions, kept)
    /srv/sop.rilis/rilis-0007

What it will and will not touch:

- It publishes only a complete site: one whose completion marker (`.sop-keluaran.json`, written
  last by `mkdocs build`) is there, whose files match the marker's count and hash, and whose
  data and templates are the ones it was built from (else: run `make site`).
- DEST must be absent or an earlier `sop publish` destination (a link into `DEST.rilis/`).
  Anything else is refused; `--force` adopts an ordinary folder: it is moved (not copied,
  not changed) into `DEST.rilis/` as a release `rilis-NNNN-diadopsi`, kept for `--rollback`
  and never deleted.
- It writes only inside `DEST.rilis/` and replaces only the link DEST. It deletes only its
  own releases beyond the newest `--simpan N` (default 5; never the one DEST points to, never
  an adopted one) and staging folders a killed publish left.

A publish copies the site into a hidden staging folder in `DEST.rilis/`, checks the copy
against the marker, renames it to the next release (atomic), then switches DEST by renaming
a new link over it (also atomic): a reader and a kill -9 at any instant see the old site or
the new one, never a half-copied one. A lock (`DEST.rilis/.terbit.lock`) serialises publishes
and rollbacks of one DEST; the second waits (bounded) or says why. `--rollback` switches to the
release before the current one (again: further back); `--daftar` lists the releases.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from generator import outdir
from generator.errors import storage_error

RELEASE = re.compile(r"^rilis-(\d{4,})(-diadopsi)?$")
RELEASE_INFO = ".sop-terbit.json"
STAGING_PREFIX = ".salin-"
LINK_INFIX = ".tautan-"
LOCK_NAME = ".terbit.lock"
DEFAULT_KEEP = 5
SITE_KIND = "situs"
REBUILD = "jalankan dulu: make site"


@dataclass(frozen=True)
class Published:
    """The outcome of a publish or rollback: what DEST serves now, and what was before."""

    dest: Path
    current: Path
    previous: Path | None
    adopted: Path | None = None


@dataclass(frozen=True)
class ReleaseInfo:
    """One release as `--daftar` shows it."""

    name: str
    published: str
    data_version: str
    files: int | None
    current: bool
    adopted: bool


def releases_dir(dest: Path) -> Path:
    """The folder holding DEST's releases: 'DEST.rilis' beside DEST."""
    return dest.parent / f"{dest.name}.rilis"


def _number(release: Path) -> int:
    match = RELEASE.match(release.name)
    assert match is not None
    return int(match.group(1))


def _adopted(release: Path) -> bool:
    return release.name.endswith("-diadopsi")


def _releases(dest: Path) -> list[Path]:
    """DEST's releases, oldest first."""
    folder = releases_dir(dest)
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if RELEASE.match(p.name) and p.is_dir()]
    return sorted(found, key=_number)


def current_release(dest: Path) -> Path | None:
    """The release DEST points to now, or None when DEST is not a link to a release."""
    if not dest.is_symlink():
        return None
    target = (dest.parent / os.readlink(dest)).resolve()
    return target if target.parent == releases_dir(dest).resolve() else None


def _switch(dest: Path, release: Path) -> None:
    """Point DEST at `release` atomically: a new link renamed over the old one."""
    link = dest.parent / f".{dest.name}{LINK_INFIX}{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(release, dest.parent), target_is_directory=True)
    outdir.fault("sebelum-tautan")
    os.replace(link, dest)


# --------------------------------------------------------------------------- checks


def check_site(site: Path, data_dir: Path | None, templates_dir: Path | None) -> dict:
    """The site's completion marker, or a UserError: no marker (half or unbuilt site), not a
    site, or built from data or templates that have changed since (`None`: not checked)."""
    marker = outdir.read_marker(site)
    if marker is None:
        message = (
            f"situs belum dibangun atau tidak lengkap (tidak ada penanda {outdir.MARKER}); "
            f"tidak diterbitkan; {REBUILD}"
        )
        raise outdir.refusal(site, message)
    if marker.get("jenis") != SITE_KIND:
        raise outdir.refusal(site, f"bukan situs (hasil {marker.get('jenis')}); {REBUILD}")
    if data_dir is not None and templates_dir is not None:
        changed = _changed_inputs(marker, Path(data_dir), Path(templates_dir))
        if changed:
            shown = ", ".join(changed[:3]) + (
                f" dan {len(changed) - 3} lainnya" if changed[3:] else ""
            )
            raise outdir.refusal(
                site,
                f"situs lebih lama dari datanya: {shown} berubah sejak situs dibangun; "
                f"tidak diterbitkan; {REBUILD}",
            )
    return marker


def _changed_inputs(marker: dict, data_dir: Path, templates_dir: Path) -> list[str]:
    """Input files (as 'data_dir/...') added, removed or edited since the site was built."""
    built = marker.get("masukan")
    built = built if isinstance(built, dict) else {}
    roots = {"data": data_dir, "templat": templates_dir}
    now = outdir.input_digests(roots)
    names = sorted(k for k in {*built, *now} if built.get(k) != now.get(k))
    shown = []
    for name in names:
        label, _, rel = name.partition("/")
        shown.append(str(roots[label] / rel) if label in roots else name)
    return shown


def _dest_is_ours(dest: Path) -> bool:
    return not (dest.exists() or dest.is_symlink()) or current_release(dest) is not None


def _check_dest(dest: Path, force: bool) -> None:
    """Refuse a DEST that is neither absent nor ours (unless `force` and a plain folder)."""
    if _dest_is_ours(dest):
        return
    if dest.is_symlink():
        target = os.readlink(dest)
        raise outdir.refusal(
            dest, f"adalah tautan ke {target}, bukan hasil sop publish; tidak diubah"
        )
    if not dest.is_dir():
        raise outdir.refusal(dest, "sudah ada dan bukan folder; tidak diubah; pilih tujuan lain")
    if not force:
        raise outdir.refusal(
            dest,
            "folder ini bukan hasil sop publish; tidak diubah",
            "pilih tujuan lain, atau tambahkan --force untuk mengambil alih folder itu: "
            f"folder itu dipindah utuh ke {releases_dir(dest)} sebagai rilis dan tidak pernah "
            "dihapus",
        )


# --------------------------------------------------------------------------- publish


def _clean_stale(dest: Path) -> None:
    """Undo what a killed publish left (under the lock): staging folders are removed,
    temporary links unlinked, and a folder taken over with --force that a kill left at a
    temporary name is moved into the releases (adopted, never deleted)."""
    folder = releases_dir(dest)
    for path in folder.iterdir():
        if path.name.startswith(STAGING_PREFIX) and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
    prefix = f".{dest.name}{LINK_INFIX}"
    for path in dest.parent.iterdir():
        if not path.name.startswith(prefix):
            continue
        if path.is_symlink():
            path.unlink()
        elif path.is_dir():
            path.rename(folder / f"rilis-{_next_number(dest):04d}-diadopsi")


def _next_number(dest: Path) -> int:
    existing = _releases(dest)
    return _number(existing[-1]) + 1 if existing else 1


def _adopt_and_switch(dest: Path, release: Path, number: int) -> Path:
    """Put a link to `release` in the place of a plain-folder DEST in one step (an atomic
    exchange), then move the old folder, untouched, into the releases as adopted."""
    adopted = releases_dir(dest) / f"rilis-{number:04d}-diadopsi"
    link = dest.parent / f".{dest.name}{LINK_INFIX}{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(release, dest.parent), target_is_directory=True)
    if outdir.exchange(link, dest):
        outdir.fault("sesudah-tukar")
        link.rename(adopted)  # `link` now names the old folder
    else:  # no atomic exchange here: a short moment without DEST
        link.unlink()
        dest.rename(adopted)
        _switch(dest, release)
    return adopted


def _copy(site: Path, dest: Path, marker: dict) -> Path:
    """A checked copy of the site in a staging folder of DEST's releases."""
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=releases_dir(dest)))
    copied = [0]

    def copy(src: str, dst: str) -> object:
        copied[0] += 1
        if copied[0] == 2:
            outdir.fault("tengah-salin")
        return shutil.copy2(src, dst)

    try:
        shutil.copytree(site, staging, dirs_exist_ok=True, symlinks=False, copy_function=copy)
        staging.chmod(0o755)
        problem = outdir.verify_tree(staging, marker, skip=(RELEASE_INFO,))
        if problem:
            raise outdir.refusal(
                site, f"situs tidak utuh ({problem}); tidak diterbitkan; {REBUILD}"
            )
        info = {
            "diterbitkan": datetime.now().astimezone().isoformat(timespec="seconds"),
            "versi_data": marker.get("versi_data", ""),
            "berkas": marker.get("berkas"),
        }
        (staging / RELEASE_INFO).write_text(json.dumps(info, indent=1) + "\n", "utf-8")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _prune(dest: Path, keep: int, current: Path) -> None:
    """Remove our releases beyond the newest `keep` (never the current or an adopted one)."""
    ours = [r for r in _releases(dest) if not _adopted(r)]
    for old in ours[: max(0, len(ours) - keep)]:
        if old.resolve() != current.resolve():
            outdir.remove_tree(old)


def publish(
    site: Path,
    dest: Path,
    data_dir: Path | None = None,
    templates_dir: Path | None = None,
    *,
    force: bool = False,
    keep: int = DEFAULT_KEEP,
) -> Published:
    """Copy the complete built site to a new release and switch DEST to it; keep the newest
    `keep` releases. `data_dir`/`templates_dir` (when given) must be what the site was built
    from. Raises UserError (refused site or DEST, another publish running) or OSError."""
    site, dest = Path(site), Path(dest).absolute()
    marker = check_site(site, data_dir, templates_dir)
    problem = outdir.verify_tree(site, marker)
    if problem:
        raise outdir.refusal(site, f"situs tidak utuh ({problem}); tidak diterbitkan; {REBUILD}")
    _check_dest(dest, force)
    folder = releases_dir(dest)
    folder.mkdir(parents=True, exist_ok=True)
    with outdir.folder_lock(folder / LOCK_NAME, str(dest), outdir.say_on_stderr):
        _check_dest(dest, force)  # again, now that we hold the lock
        _clean_stale(dest)
        adopting = not _dest_is_ours(dest)
        previous = current_release(dest)
        staging = _copy(site, dest, marker)
        number = _next_number(dest)
        release = folder / f"rilis-{number + adopting:04d}"
        outdir.fault("sebelum-rilis")
        staging.rename(release)
        adopted = None
        if adopting:
            adopted = previous = _adopt_and_switch(dest, release, number)
        else:
            _switch(dest, release)
        outdir.fault("sesudah-tautan")
        _prune(dest, keep, release)
    return Published(dest, release, previous, adopted)


def rollback(dest: Path) -> Published:
    """Switch DEST to the release before the one it serves (repeat to go further back)."""
    dest = Path(dest).absolute()
    current = current_release(dest)
    if current is None:
        raise outdir.refusal(dest, "belum pernah diterbitkan dengan sop publish")
    with outdir.folder_lock(releases_dir(dest) / LOCK_NAME, str(dest), outdir.say_on_stderr):
        current = current_release(dest) or current
        older = [r for r in _releases(dest) if _number(r) < _number(current)]
        if not older:
            raise outdir.refusal(dest, "tidak ada versi sebelumnya untuk dikembalikan")
        _switch(dest, older[-1])
    return Published(dest, older[-1], current)


def list_releases(dest: Path) -> list[ReleaseInfo]:
    """DEST's releases, oldest first, with their dates and data versions."""
    dest = Path(dest).absolute()
    current = current_release(dest)
    found = []
    for release in _releases(dest):
        info: dict = {}
        with contextlib.suppress(OSError, ValueError):
            info = json.loads((release / RELEASE_INFO).read_text("utf-8"))
        published = str(info.get("diterbitkan", ""))
        if not published:
            stamp = datetime.fromtimestamp(release.stat().st_mtime).astimezone()
            published = stamp.isoformat(timespec="seconds")
        files = info.get("berkas")
        found.append(
            ReleaseInfo(
                release.name,
                published.replace("T", " "),
                str(info.get("versi_data") or "-")[:12],
                files if isinstance(files, int) else None,
                release.resolve() == current,
                _adopted(release),
            )
        )
    return found


# --------------------------------------------------------------------------- the command


def _print_list(dest: Path) -> int:
    releases = list_releases(dest)
    if not releases:
        raise outdir.refusal(dest, "belum pernah diterbitkan dengan sop publish")
    for r in releases:
        files = f"{r.files} berkas" if r.files is not None else "- berkas"
        notes = (" (diadopsi)" if r.adopted else "") + ("  <- aktif" if r.current else "")
        print(f"{r.name}  {r.published}  data {r.data_version}  {files}{notes}")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    """The `sop publish` command: publish args.site to args.dest, roll back, or list."""
    if args.daftar:
        return _print_list(args.dest)
    try:
        if args.rollback:
            done = rollback(args.dest)
            before = done.previous.name if done.previous else "-"
            print(f"{done.dest} dikembalikan ke {done.current.name} (sebelumnya {before})")
            return 0
        data, templates = Path(args.data), Path(args.templates)
        if not data.is_dir():
            print(
                f"peringatan: {data}: folder data tidak ada; tidak dapat diperiksa apakah "
                "situs lebih lama dari datanya",
                file=sys.stderr,
            )
        done = publish(
            args.site,
            args.dest,
            data if data.is_dir() else None,
            templates if data.is_dir() else None,
            force=args.force,
            keep=args.simpan,
        )
    except OSError as exc:
        raise storage_error(
            exc,
            str(args.dest),
            "situs tidak dapat diterbitkan",
            "situs yang dilayani tidak berubah",
        ) from None
    if done.adopted:
        print(f"folder lama {done.dest} disimpan utuh sebagai {done.adopted}")
    before = done.previous.name if done.previous else "-"
    print(f"situs diterbitkan ke {done.dest}: {done.current.name} (versi sebelumnya: {before})")
    return 0


def keep_count(text: str) -> int:
    """`--simpan N`: a whole number of releases, at least 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' bukan bilangan bulat 1 atau lebih")
    return int(text)
