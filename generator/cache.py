"""A content-addressed store of expensive artifacts (PDF, Graphviz output).

The key is a hash of every input that affects the output (text, tool version, format), so a
hit is always correct and an edit to one SOP invalidates only that SOP's entries. Writes are
atomic (temporary file, then rename), so concurrent builds may share one cache folder.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path


def cache_key(parts: Iterable[str]) -> str:
    """A hex digest naming the artifact made from `parts`."""
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
        except FileNotFoundError:
            return None
        os.utime(path)
        return data

    def put(self, key: str, data: bytes) -> None:
        """Store bytes under key, atomically."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def clean(self, max_age_days: float = 30.0) -> int:
        """Remove entries not used for `max_age_days`; return how many were removed."""
        if not self.root.is_dir():
            return 0
        limit = time.time() - max_age_days * 86400
        removed = 0
        for path in self.root.glob("??/*"):
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
