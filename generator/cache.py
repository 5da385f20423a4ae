"""A content-addressed store of expensive artifacts (PDF, Graphviz output, rendered SOPs).

The key is a hash of every input that affects the output (text, templates, tool versions,
format), so a hit is always correct and an edit to one SOP invalidates only that SOP's
entries. Writes are atomic (temporary file, then rename), so concurrent builds (`sop build`,
`mkdocs build`, `mkdocs serve`, worker processes) may share one cache folder. A hit refreshes
the entry's time; entries no build has used for a while are removed by `clean`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

DAY = 86400.0
CLEAN_MARK = ".dibersihkan"  # its time says when `clean_if_due` last ran
TEMP_PREFIX = ".tmp-"


def cache_key(parts: Iterable[str]) -> str:
    """A hex digest naming the artifact made from `parts` (length-prefixed, unambiguous)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


class Cache:
    """Files named by key under one folder, two-level fan-out."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / key

    def get(self, key: str) -> bytes | None:
        """The stored bytes, or None; a hit refreshes the entry's time for `clean`."""
        path = self._path(key)
        try:
            data = path.read_bytes()
            os.utime(path)
        except FileNotFoundError:  # absent, or removed by a concurrent clean
            return None
        return data

    def put(self, key: str, data: bytes) -> None:
        """Store bytes under key, atomically."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def clean(self, max_age_days: float = 30.0, now: float | None = None) -> int:
        """Remove entries not used for `max_age_days` (and temporary files older than an
        hour, left by an interrupted write); return how many were removed."""
        if not self.root.is_dir():
            return 0
        now = time.time() if now is None else now
        limit = now - max_age_days * DAY
        removed = 0
        for path in self.root.glob("??/*"):
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
