"""A content-addressed store of expensive artifacts (PDF, Graphviz output, rendered SOPs).

The key is a hash of every input that affects the output (text, templates, tool versions,
format), so a hit is always correct and an edit to one SOP invalidates only that SOP's
entries. Writes are atomic (temporary file, then rename), so concurrent builds (`sop build`,
`mkdocs build`, `mkdocs serve`, worker processes) may share one cache folder. A hit refreshes
the entry's time; entries no build has used for a while are removed by `clean`.

The cache is verified, not trusted: every entry starts with a header line holding the sha256
and length of its content (`sop-cache-2 <hex> <length>`), checked on every read. A truncated,
altered or unreadable entry is reported on stderr in one line naming it (once per process),
removed, and treated as missing, so the caller renders it again; it is never served.
A document looked up by reference (`peek`) is hashed again only when it may have been
written since it was last hashed (`Verified`): a no-change build does not read every PDF.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

DAY = 86400.0
CLEAN_MARK = ".dibersihkan"  # its time says when `clean_if_due` last ran
TEMP_PREFIX = ".tmp-"
ENTRY_FORMAT = b"sop-cache-2"
ENTRY_SUFFIX = ".c2"  # entries of the earlier, unverified layout are never read (misses)
VERIFIED_RECORD = ".terverifikasi.json"  # `Verified`: files hashed intact, by their stat
RACY_NS = 2 * 10**9  # a write this close to a hash may leave a coarse ctime unchanged
REFRESH_AFTER = DAY  # seconds: a used file's time is moved to now at most this often
_REPORTED: set[str] = set()


def report_damaged(path: Path, reason: str) -> None:
    """One stderr line naming a damaged entry (once per process and entry)."""
    if str(path) in _REPORTED:
        return
    _REPORTED.add(str(path))
    print(f"peringatan: {path}: entri cache rusak ({reason}); dibuat ulang", file=sys.stderr)


def seal_header(digest: str, size: int) -> bytes:
    """An entry's header line for content of sha256 `digest` (hex) and `size` bytes."""
    return b"%s %s %d\n" % (ENTRY_FORMAT, digest.encode("ascii"), size)


def seal(data: bytes) -> bytes:
    """An entry's bytes: the header line (format, sha256, length), then the content."""
    return seal_header(hashlib.sha256(data).hexdigest(), len(data)) + data


def unseal(raw: bytes) -> tuple[bytes | None, str]:
    """(content, '') when the entry's header matches its content, else (None, why not)."""
    header = read_header(raw[:HEADER_LIMIT])
    if header is None:
        return None, "kepala entri tidak terbaca"
    data = raw[len(seal_header(*header)) :]
    reason = mismatch(header, len(data), hashlib.sha256(data).hexdigest())
    return (None, reason) if reason else (data, "")


def mismatch(header: tuple[str, int], size: int, digest: str) -> str:
    """Why content of `size` bytes and sha256 `digest` is not what the entry's header
    (digest, length) records, or '' when it is."""
    if size != header[1]:
        return f"panjang {size} bita, seharusnya {header[1]}"
    if digest != header[0]:
        return HASH_MISMATCH
    return ""


HASH_MISMATCH = "isi tidak cocok dengan hash"


HEADER_LIMIT = 128  # bytes: an entry's header line is shorter


class DamagedEntryError(OSError):
    """A cache entry changed after it was looked up (it is removed: the next build makes it
    again)."""


@dataclass(frozen=True)
class CachedBytes:
    """An entry's content left on disk: the entry file, and the sha256 (hex) and length of the
    content as its header records them. Handed around by path so a build never holds every
    document in memory; `read_bytes` verifies what it returns."""

    path: Path
    digest: str
    size: int

    def read_bytes(self) -> bytes:
        """The content, verified against the header. Raises DamagedEntryError (the entry is
        reported and removed) or OSError (unreadable)."""
        raw = self.path.read_bytes()
        data, reason = unseal(raw)
        if data is None or read_header(raw[:HEADER_LIMIT]) != (self.digest, self.size):
            report_damaged(self.path, reason or "isi berubah")
            self.path.unlink(missing_ok=True)
            raise DamagedEntryError(f"{self.path}: entri cache rusak; bangun ulang situs")
        return data


def as_bytes(data: bytes | CachedBytes) -> bytes:
    """Bytes in memory as they are; a cache entry by reference read (and verified)."""
    return data if isinstance(data, bytes) else data.read_bytes()


def read_header(raw: bytes) -> tuple[str, int] | None:
    """(sha256 hex, length) from an entry's first bytes, or None when it is no header."""
    head, newline, _ = raw.partition(b"\n")
    fields = head.split(b" ")
    if not newline or len(fields) != 3 or fields[0] != ENTRY_FORMAT or not fields[2].isdigit():
        return None
    digest = fields[1].decode("ascii", "replace")
    if len(digest) != 64:
        return None
    return digest, int(fields[2])


def cache_key(parts: Iterable[str]) -> str:
    """A hex digest naming the artifact made from `parts` (length-prefixed, unambiguous)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


@functools.cache
def source_fingerprint(package_dir: Path) -> str:
    """A digest of every Python source under `package_dir` (names and content): part of the
    key of anything the code computes."""
    parts: list[str] = []
    for path in sorted(Path(package_dir).rglob("*.py")):
        parts += [path.relative_to(package_dir).as_posix(), path.read_text("utf-8")]
    return cache_key(parts)


def stat_signature(st: os.stat_result, ctime: bool = True) -> list[int]:
    """What changes whenever a file is written, replaced or has its times set: inode, size,
    mtime and ctime (ns; 0 without `ctime`). No user call sets ctime: every write and every
    `utime` moves it to the clock's now (POSIX `stat`, "st_ctime"); so does every new or
    removed hard link."""
    return [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns if ctime else 0]


def refresh_time(path: Path, st: os.stat_result) -> None:
    """Mark a used file as used now (for `clean`), at most once per `REFRESH_AFTER`: the
    time is only ever compared with a 30-day limit, and each refresh moves ctime, which makes
    `Verified` hash the file once more."""
    if time.time() - st.st_mtime > REFRESH_AFTER:
        with contextlib.suppress(OSError):
            os.utime(path)


def write_replacing(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `path` whole through a temporary file in its folder, renamed over it, so a
    reader sees the old file or the new one, never part of one (`mode`: its permissions,
    else mkstemp's 0o600). Raises OSError; no temporary file is left behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Verified:
    """Which files under `root` were hashed and found intact, by their stat signature, kept in
    `root/VERIFIED_RECORD` (JSON: relative path -> signature and the time of hashing, ns).

    A file whose signature is what it was when hashed has not been written since, so it holds
    the content that was hashed: it is trusted without reading it. A file changed later has
    another ctime; one whose ctime is within `RACY_NS` of its hashing is hashed again (on a
    file system with coarse times, a write just after the hash could keep the ctime: Git's
    "racy clean" rule, gitformat-index). The record is only ever a shortcut: a lost, stale or
    unreadable record (another process wrote it last, say) means files are hashed again. It
    keeps the files this process asked about, so entries of removed files do not pile up.

    `ctime=False` is for files whose ctime moves for good reasons: the document store's files
    gain and lose hard links with every site built. There a write shows in the size or the
    mtime; one that also sets the mtime back by hand goes unseen (Git's
    `core.trustctime = false`)."""

    def __init__(self, root: Path, ctime: bool = True):
        self.root = Path(root)
        self.ctime = ctime
        self._prefix = f"{self.root}{os.sep}"
        self._seen: dict[str, list[int]] | None = None
        self._used: set[str] = set()
        self._changed = False

    def _entries(self) -> dict[str, list[int]]:
        if self._seen is None:
            try:
                loaded = json.loads((self.root / VERIFIED_RECORD).read_bytes())
            except (OSError, ValueError):
                loaded = {}
            self._seen = loaded if isinstance(loaded, dict) else {}
        return self._seen

    def _name(self, path: Path) -> str:
        """`path` relative to the root (string work: pathlib's `relative_to` costs 20 us)."""
        text = str(path)
        if not text.startswith(self._prefix):
            raise ValueError(f"{path} is not under {self.root}")
        return text[len(self._prefix) :].replace(os.sep, "/")

    def trusts(self, path: Path, st: os.stat_result) -> bool:
        """True when `path`, with stat `st`, was hashed intact since it was last written."""
        name = self._name(path)
        seen = self._entries().get(name)
        if not isinstance(seen, list) or len(seen) != 5:
            return False
        changed = max(st.st_mtime_ns, st.st_ctime_ns if self.ctime else 0)
        if seen[:4] == stat_signature(st, self.ctime) and changed < seen[4] - RACY_NS:
            self._used.add(name)
            return True
        return False

    def remember(self, path: Path, before: os.stat_result, after: os.stat_result) -> None:
        """Record that `path` was hashed intact now, when its stat was the same before and
        after hashing (`before`, `after`); else nothing is recorded."""
        if stat_signature(before) == stat_signature(after):
            name = self._name(path)
            self._entries()[name] = [*stat_signature(after, self.ctime), time.time_ns()]
            self._used.add(name)
            self._changed = True

    def intact(self, path: Path, before: os.stat_result, digest: str, offset: int = 0) -> bool:
        """True when the file at `path`, of stat `before`, holds content of sha256 `digest`
        (hex) from byte `offset` on: trusted by its stat (`trusts`), else read in chunks,
        hashed and, when it matches, remembered. Raises OSError (unreadable)."""
        if self.trusts(path, before):
            return True
        with open(path, "rb") as f:
            f.seek(offset)
            if hashlib.file_digest(f, "sha256").hexdigest() != digest:
                return False
            after = os.fstat(f.fileno())
        self.remember(path, before, after)
        return True

    def save(self) -> None:
        """Write the record of the files asked about (atomically) when it changed; a failure
        to write is ignored."""
        entries = self._entries()
        if not self._changed and len(entries) == len(self._used):
            return
        kept = {name: entries[name] for name in sorted(self._used)}
        with contextlib.suppress(OSError):
            text = json.dumps(kept, separators=(",", ":"))
            write_replacing(self.root / VERIFIED_RECORD, text.encode("utf-8"))
        self._changed = False


class Cache:
    """Files named by key under one folder, two-level fan-out."""

    def __init__(self, root: Path, on_damaged: Callable[[Path, str], None] = report_damaged):
        self.root = Path(root)
        self.on_damaged = on_damaged
        self.verified = Verified(self.root)

    def path(self, key: str) -> Path:
        """The file holding the entry `key` (one Path made from one string: a rebuild of
        1,000 SOPs asks this 50,000 times)."""
        return Path(f"{self.root}{os.sep}{key[:2]}{os.sep}{key}{ENTRY_SUFFIX}")

    def get(self, key: str) -> bytes | None:
        """The stored bytes, verified, or None (absent, or damaged: then reported and
        removed); a hit refreshes the entry's time for `clean`."""
        path = self.path(key)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:  # absent, or removed by a concurrent clean
            return None
        except OSError as exc:
            self.discard(key, f"tidak terbaca: {exc.strerror}")
            return None
        data, reason = unseal(raw)
        if data is None:
            self.discard(key, reason)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)
        return data

    def peek(self, key: str) -> CachedBytes | None:
        """The entry `key` by reference, verified like `get` but read in chunks and not
        kept (a document is handed on by its path), or None: absent or damaged (then
        reported and removed). An entry `verified` trusts is not read past its header (call
        `save_verified` when done). A hit refreshes the entry's time for `clean`."""
        path = self.path(key)
        header: tuple[str, int] | None = None
        try:
            with path.open("rb") as f:
                before = os.fstat(f.fileno())
                header = read_header(f.read(HEADER_LIMIT))
            if header is None:
                reason = "kepala entri tidak terbaca"
            else:
                offset = len(seal_header(*header))
                reason = mismatch(header, before.st_size - offset, header[0])  # the length
                if not reason and not self.verified.intact(path, before, header[0], offset):
                    reason = HASH_MISMATCH
        except FileNotFoundError:
            return None
        except OSError as exc:
            reason = f"tidak terbaca: {exc.strerror}"
        if header is None or reason:
            self.discard(key, reason)
            return None
        refresh_time(path, before)
        return CachedBytes(path, *header)

    def save_verified(self) -> None:
        """Keep what `peek` hashed this time for the next process (`Verified.save`)."""
        self.verified.save()

    def discard(self, key: str, reason: str) -> None:
        """Report the entry `key` as damaged and remove it (it is rendered again)."""
        path = self.path(key)
        self.on_damaged(path, reason)
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)

    def put(self, key: str, data: bytes) -> None:
        """Store bytes under key, atomically."""
        write_replacing(self.path(key), seal(data))

    def clean(self, max_age_days: float = 30.0, now: float | None = None) -> int:
        """Remove entries not used for `max_age_days` (and temporary files older than an
        hour, left by an interrupted write, there or in the root: `Verified.save`); return
        how many were removed."""
        if not self.root.is_dir():
            return 0
        now = time.time() if now is None else now
        limit = now - max_age_days * DAY
        removed = 0
        for path in [*self.root.glob("??/*"), *self.root.glob(f"{TEMP_PREFIX}*")]:
            try:
                mtime = path.stat().st_mtime
            except FileNotFoundError:
                continue
            stale_temp = path.name.startswith(TEMP_PREFIX) and mtime < now - 3600
            if mtime < limit or stale_temp:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def clean_if_due(self, max_age_days: float = 30.0, every_days: float = 1.0) -> int:
        """Run `clean` at most once per `every_days` (a marker file keeps the time), so a
        rebuild does not scan the whole cache each time; return how many were removed."""
        mark = self.root / CLEAN_MARK
        try:
            if time.time() - mark.stat().st_mtime < every_days * DAY:
                return 0
        except FileNotFoundError:
            pass
        removed = self.clean(max_age_days)
        self.root.mkdir(parents=True, exist_ok=True)
        mark.touch()
        return removed

    def size(self) -> tuple[int, int]:
        """(entries, bytes) stored, for reports."""
        count = total = 0
        for path in self.root.glob("??/*"):
            count += 1
            total += path.stat().st_size
        return count, total
