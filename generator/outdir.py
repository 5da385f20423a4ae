"""Output folders that are ours: ownership, a lock, staging, an atomic switch, a marker.

`sop build --out DIR` and `mkdocs build` (site_dir) write through `Staged`:

1. **Ours or refused.** DIR must be absent, empty, or hold the completion marker
   `.sop-keluaran.json` of an earlier build; and it must not be, contain or lie inside a
   protected folder (the data, the templates, the cache, the generator's sources, docs/).
   Anything else is refused with an Indonesian message naming the folder; nothing is touched.
2. **One writer.** A lock file `.DIR.lock` beside DIR serialises builds of one folder; the
   second waits (bounded, `SOP_LOCK_TIMEOUT` seconds, default 300) or is refused with a message
   naming the real cause: another build is running.
3. **Staging, marker last, atomic switch.** Files are written into `.DIR.baru-XXXXXXXX` beside
   DIR; the marker (file count and a hash of every file) is written last; then staging and DIR
   are exchanged in one `renameat2(RENAME_EXCHANGE)` (a plain rename when DIR is absent). A
   kill -9 at any instant leaves DIR the complete old tree or the complete new one. The old
   tree (now at the staging name) is removed afterwards; a kill before that leaves a stale
   staging folder, which the next run removes (under the lock, so never a live one).
   Where the file system cannot exchange (EINVAL), DIR is renamed to `.DIR.lama` and the
   staging renamed in its place; a kill between the two renames is recovered by the next run
   (`.DIR.lama` goes back when DIR is missing).

The new folder gets the old folder's mode (or the umask's default): a folder's mode is never
changed. For the kill tests, `SOP_TEST_KILL_AT=<point>` makes the process kill itself with
SIGKILL at a named point (see `fault`), and `SOP_TEST_NO_EXCHANGE=1` takes the two-rename path.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

import filelock

from generator.cache import cache_key
from generator.errors import Problem, UserError
from generator.identity import PACKAGE_DIR

MARKER = ".sop-keluaran.json"
MARKER_FORMAT = "sop-keluaran-1"
STAGING_INFIX = ".baru-"
OLD_SUFFIX = ".lama"
LOCK_SUFFIX = ".lock"
DEFAULT_LOCK_TIMEOUT = 300.0
FAULT_ENV = "SOP_TEST_KILL_AT"
NO_EXCHANGE_ENV = "SOP_TEST_NO_EXCHANGE"  # tests: take the two-rename path
_STAGING_TAIL = re.compile(r"^[A-Za-z0-9_]{8}$")
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def fault(point: str) -> None:
    """Kill this process with SIGKILL when $SOP_TEST_KILL_AT names `point` (kill tests only)."""
    if os.environ.get(FAULT_ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)


def lock_timeout() -> float:
    """Seconds a build or publish waits for another one: $SOP_LOCK_TIMEOUT or 300."""
    try:
        return float(os.environ.get("SOP_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT))
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT


def refusal(path: Path | str, message: str, hint: str = "") -> UserError:
    """A user error located at a folder: 'path: pesan' plus a hint."""
    return UserError([Problem(str(path), 0, 0, "", message, hint)])


# --------------------------------------------------------------------------- manifests


def file_digest(data: bytes) -> str:
    """The sha256 hex digest of bytes."""
    return hashlib.sha256(data).hexdigest()


def manifest_of(digests: Mapping[str, str]) -> tuple[int, str]:
    """(file count, one hash) of a tree given each file's digest by relative posix path."""
    parts: list[str] = []
    for rel in sorted(digests):
        parts += [rel, digests[rel]]
    return len(digests), cache_key(["tree", *parts])


def tree_digests(
    root: Path, skip: Iterable[str] = (MARKER,), known: Mapping[str, tuple[int, str]] | None = None
) -> dict[str, str]:
    """Each regular file's sha256 under root by relative posix path (top-level `skip` names
    left out). Symbolic links count as files holding their target's path.

    `known` maps a relative path to (inode, sha256) of a verified file it was hard-linked
    from: when the path is still that inode, its digest is taken without reading it."""
    known = known or {}
    root = Path(root)
    skipped = set(skip)
    digests: dict[str, str] = {}
    for folder, dirs, names in os.walk(root):
        base = Path(folder)
        for name in names + [d for d in dirs if (base / d).is_symlink()]:
            path = base / name
            rel = path.relative_to(root).as_posix()
            if rel in skipped:
                continue
            if path.is_symlink():
                digests[rel] = file_digest(os.readlink(path).encode("utf-8", "surrogateescape"))
            elif rel in known and path.stat().st_ino == known[rel][0]:
                digests[rel] = known[rel][1]
            else:
                digests[rel] = file_digest(path.read_bytes())
    return digests


def input_digests(folders: Mapping[str, Path]) -> dict[str, str]:
    """Every input file's sha256 by 'label/relative path' (hidden names and lock files left
    out: they are not data). `folders` maps a label ('data', 'templat') to a folder."""
    found: dict[str, str] = {}
    for label, folder in folders.items():
        root = Path(folder)
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root)
            if any(part.startswith(".") for part in rel.parts) or path.name.endswith(".lock"):
                continue
            if path.is_file():
                found[f"{label}/{rel.as_posix()}"] = file_digest(path.read_bytes())
    return found


def protected_folders(
    data_dir: Path, templates_dir: Path, cache_dir: Path | None
) -> dict[str, Path | None]:
    """The folders an output folder may not be, hold or lie in, by Indonesian label."""
    return {
        "folder data": Path(data_dir),
        "folder templat": Path(templates_dir),
        "folder cache": Path(cache_dir) if cache_dir else None,
        "folder kode program": PACKAGE_DIR,
    }


def read_marker(folder: Path) -> dict[str, object] | None:
    """The completion marker of a folder, or None when absent, unreadable or not ours."""
    try:
        data = json.loads((Path(folder) / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != MARKER_FORMAT:
        return None
    return data


def marker_bytes(kind: str, digests: Mapping[str, str], extra: Mapping[str, object]) -> bytes:
    """The marker's content: kind, file count, tree hash and `extra` fields (no clock time,
    so an unchanged rebuild is byte-identical)."""
    count, digest = manifest_of(digests)
    data = {"format": MARKER_FORMAT, "jenis": kind, "berkas": count, "hash": digest, **extra}
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def verify_tree(folder: Path, marker: Mapping[str, object], skip: Iterable[str] = ()) -> str:
    """'' when the files under folder match the marker's count and hash, else why not."""
    digests = tree_digests(folder, skip=(MARKER, *skip))
    count, digest = manifest_of(digests)
    if count != marker.get("berkas"):
        return f"berisi {count} berkas, penanda menyebut {marker.get('berkas')}"
    if digest != marker.get("hash"):
        return "isi berkas tidak cocok dengan hash pada penanda"
    return ""


# --------------------------------------------------------------------------- ownership


def _related(a: Path, b: Path) -> bool:
    return a == b or a in b.parents or b in a.parents


def check_folder(out: Path, protected: Mapping[str, Path | None], hint: str) -> list[Problem]:
    """Why `out` may not be written (empty when it may): a protected folder it is, holds or
    lies in, or content that is not an earlier build's. Reads only; `protected` maps a label
    ('folder data') to a folder (None: not used)."""
    real = Path(out).resolve()
    problems = [
        Problem(
            str(out),
            0,
            0,
            "",
            f"folder keluaran tidak boleh sama dengan, memuat, atau berada di dalam {label} "
            f"({folder}); tidak ada yang ditulis",
            hint,
        )
        for label, folder in protected.items()
        if folder is not None and _related(real, Path(folder).resolve())
    ]
    if problems or not real.exists():
        return problems
    if not real.is_dir():
        return [Problem(str(out), 0, 0, "", "sudah ada dan bukan folder; tidak ditimpa", hint)]
    if read_marker(real) is None and any(real.iterdir()):
        message = (
            f"folder ini sudah berisi berkas yang bukan hasil build (tanpa penanda {MARKER}); "
            "tidak ada yang dihapus atau ditimpa"
        )
        return [Problem(str(out), 0, 0, "", message, hint)]
    return []


# --------------------------------------------------------------------------- the switch


def _libc_renameat2() -> Callable[..., int] | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    function.argtypes += [ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_RENAMEAT2 = _libc_renameat2()


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False when the system or
    file system cannot (then nothing changed). Raises OSError on other failures."""
    if _RENAMEAT2 is None:
        return False
    done = _RENAMEAT2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def remove_tree(path: Path) -> None:
    """Remove a folder of ours (an old tree or a stale staging folder) and everything in it."""
    for number, child in enumerate(sorted(path.iterdir())):
        if number == 1:
            fault("tengah-hapus")
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    path.rmdir()


def _old_path(out: Path) -> Path:
    return out.parent / f".{out.name}{OLD_SUFFIX}"


def switch(staging: Path, out: Path, *, can_exchange: bool = True) -> None:
    """Put the complete tree `staging` in the place of `out` (see the module doc)."""
    if not out.exists() and not out.is_symlink():
        fault("sebelum-ganti")
        staging.rename(out)
        return
    fault("sebelum-tukar")
    can_exchange = can_exchange and not os.environ.get(NO_EXCHANGE_ENV)
    if can_exchange and exchange(staging, out):
        fault("sesudah-tukar")
        remove_tree(staging)  # now the old tree
        return
    old = _old_path(out)
    out.rename(old)
    fault("antara-rename")
    try:
        staging.rename(out)
    except BaseException:
        old.rename(out)
        raise
    fault("sesudah-rename")
    remove_tree(old)


def stale_folders(out: Path) -> list[Path]:
    """Staging folders of earlier runs beside `out` that a kill left behind."""
    prefix = f".{out.name}{STAGING_INFIX}"
    if not out.parent.is_dir():
        return []
    return [
        p
        for p in out.parent.iterdir()
        if p.name.startswith(prefix)
        and _STAGING_TAIL.match(p.name[len(prefix) :])
        and p.is_dir()
        and not p.is_symlink()
    ]


def recover(out: Path) -> None:
    """Undo what a killed run left (call under the lock): put `.out.lama` back when `out` is
    missing (else remove it), remove stale staging folders."""
    old = _old_path(out)
    if old.is_dir() and not old.is_symlink():
        if not out.exists() and not out.is_symlink():
            old.rename(out)
        else:
            remove_tree(old)
    for stale in stale_folders(out):
        remove_tree(stale)


def _default_mode() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return 0o777 & ~int(line.split()[1], 8)
    except OSError:
        pass
    return 0o755


def new_staging(out: Path) -> Path:
    """An empty staging folder beside `out`, with `out`'s mode (or the umask's default)."""
    mode = out.stat().st_mode & 0o7777 if out.is_dir() else _default_mode()
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}{STAGING_INFIX}", dir=out.parent))
    staging.chmod(mode)
    return staging


# --------------------------------------------------------------------------- the lock


@contextlib.contextmanager
def folder_lock(
    path: Path, what: str, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the lock file `path` (waiting up to `lock_timeout()` seconds, telling `on_wait`
    once); a UserError naming `what` when another process keeps it. OSError when the lock
    file cannot be made (read-only or full disk)."""
    lock = filelock.FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout:
        if on_wait:
            on_wait(f"menunggu proses lain yang sedang menulis {what} selesai ...")
        try:
            lock.acquire(timeout=lock_timeout())
        except filelock.Timeout:
            raise refusal(
                what,
                f"build atau penerbitan lain sedang menulis folder ini (kunci {path}); "
                f"sudah ditunggu {lock_timeout():.0f} detik",
                "tunggu hingga proses itu selesai, lalu ulangi perintah",
            ) from None
    try:
        yield
    finally:
        lock.release()


def lock_path(out: Path) -> Path:
    """The lock file of an output folder: `.NAME.lock` beside it."""
    return out.parent / f".{out.name}{LOCK_SUFFIX}"


def say_on_stderr(message: str) -> None:
    """Print a progress line on stderr (the default `on_wait`)."""
    print(message, file=sys.stderr, flush=True)


class Staged:
    """One build's output: lock, check, recover, stage; then `commit` or `abort`.

    Usage: `staged = Staged.begin(out, protected, hint)`; write under `staged.staging`;
    `staged.commit(kind, extra)` writes the marker last and switches; `staged.abort()` on
    failure. Raises UserError (refused folder, other build running) or OSError (disk).
    """

    def __init__(self, out: Path, shown: str, lock: contextlib.ExitStack, staging: Path):
        self.out = out
        self.shown = shown
        self._lock = lock
        self.staging = staging

    @classmethod
    def begin(
        cls,
        out: Path,
        protected: Mapping[str, Path | None],
        hint: str,
        on_wait: Callable[[str], None] | None = say_on_stderr,
    ) -> Staged:
        """Check, lock, recover and create the staging folder of `out`."""
        shown = str(out)
        problems = check_folder(out, protected, hint)
        if problems:
            raise UserError(problems)
        real = Path(out).resolve()
        real.parent.mkdir(parents=True, exist_ok=True)
        stack = contextlib.ExitStack()
        stack.enter_context(folder_lock(lock_path(real), shown, on_wait))
        try:
            problems = check_folder(out, protected, hint)  # again, now that we hold the lock
            if problems:
                raise UserError(problems)
            recover(real)
            staging = new_staging(real)
        except BaseException:
            stack.close()
            raise
        return cls(real, shown, stack, staging)

    def commit(
        self,
        kind: str,
        extra: Mapping[str, object],
        digests: Mapping[str, str] | None = None,
        known: Mapping[str, tuple[int, str]] | None = None,
    ) -> None:
        """Write the marker last (over `digests`, or over the staged files, see `tree_digests`
        for `known`), then switch."""
        try:
            if digests is None:
                digests = tree_digests(self.staging, known=known)
            fault("sebelum-penanda")
            (self.staging / MARKER).write_bytes(marker_bytes(kind, digests, extra))
            switch(self.staging, self.out)
        except BaseException:
            self.abort()
            raise
        self._lock.close()

    def abort(self) -> None:
        """Remove the staging folder and release the lock (the output is unchanged)."""
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(self.staging)
        self._lock.close()


def write_files(staging: Path, files: Mapping[str, bytes]) -> dict[str, str]:
    """Write files (relative posix path -> bytes) under staging; return their digests."""
    digests: dict[str, str] = {}
    for number, rel in enumerate(sorted(files)):
        if number == 1:
            fault("tengah-tulis")
        data = files[rel]  # one at a time: a build's files may be read from the cache here
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        digests[rel] = file_digest(data)
    return digests
