"""The content-addressed cache: keys, atomic entries, cleaning of stale entries."""

from __future__ import annotations

import os
import time
from pathlib import Path

from generator.cache import CLEAN_MARK, DAY, Cache, cache_key


def test_key_is_deterministic_and_unambiguous() -> None:
    assert cache_key(["a", "bc"]) == cache_key(["a", "bc"])
    assert cache_key(["ab", "c"]) != cache_key(["a", "bc"])
    assert cache_key(["a", ""]) != cache_key(["a"])
    assert len(cache_key([])) == 64


def test_hit_returns_identical_bytes(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c")
    data = bytes(range(256)) * 100
    key = cache_key(["pdf", "x"])
    assert cache.get(key) is None
    cache.put(key, data)
    assert cache.get(key) == data
    assert Cache(tmp_path / "c").get(key) == data  # another handle, same folder
    assert (tmp_path / "c" / key[:2] / key).is_file()
    assert not list((tmp_path / "c").glob("??/.tmp-*"))  # no temporary file left


def test_put_replaces_atomically(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put("ab" * 32, b"first")
    cache.put("ab" * 32, b"second")
    assert cache.get("ab" * 32) == b"second"
    assert cache.size() == (1, len(b"second"))


def _age(cache: Cache, key: str, days: float) -> None:
    path = cache.root / key[:2] / key
    old = time.time() - days * DAY
    os.utime(path, (old, old))


def test_clean_removes_only_entries_unused_for_long(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    old, used, fresh = (cache_key([name]) for name in ("old", "used", "fresh"))
    for key in (old, used, fresh):
        cache.put(key, key.encode())
    _age(cache, old, 40)
    _age(cache, used, 40)
    assert cache.get(used) == used.encode()  # a hit refreshes the entry's time
    assert cache.clean(max_age_days=30) == 1
    assert cache.get(old) is None
    assert cache.get(used) == used.encode()
    assert cache.get(fresh) == fresh.encode()


def test_clean_removes_stale_temporary_files(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    (tmp_path / "ab").mkdir()
    stale, recent = tmp_path / "ab" / ".tmp-1", tmp_path / "ab" / ".tmp-2"
    stale.write_bytes(b"half")
    recent.write_bytes(b"being written")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))
    assert cache.clean() == 1
    assert not stale.exists()
    assert recent.exists()


def test_clean_if_due_runs_once_a_day(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    key = cache_key(["x"])
    cache.put(key, b"x")
    _age(cache, key, 40)
    assert cache.clean_if_due(max_age_days=30) == 1
    assert (tmp_path / CLEAN_MARK).is_file()
    cache.put(key, b"x")
    _age(cache, key, 40)
    assert cache.clean_if_due(max_age_days=30) == 0  # ran less than a day ago
    assert cache.get(key) == b"x"
    mark_time = time.time() - 2 * DAY
    os.utime(tmp_path / CLEAN_MARK, (mark_time, mark_time))
    _age(cache, key, 40)
    assert cache.clean_if_due(max_age_days=30) == 1


def test_clean_of_a_missing_folder(tmp_path: Path) -> None:
    assert Cache(tmp_path / "none").clean() == 0
