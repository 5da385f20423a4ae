"""The content-addressed cache: keys, atomic entries, cleaning of stale entries."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest

from generator import cache as cache_module
from generator.cache import CLEAN_MARK, DAY, Cache, DamagedEntryError, cache_key


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
    assert cache.path(key).is_file() and cache.path(key).parent.name == key[:2]
    assert not list((tmp_path / "c").glob("??/.tmp-*"))  # no temporary file left


def test_put_replaces_atomically(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put("ab" * 32, b"first")
    cache.put("ab" * 32, b"second")
    assert cache.get("ab" * 32) == b"second"
    assert cache.size()[0] == 1


def _age(cache: Cache, key: str, days: float) -> None:
    path = cache.path(key)
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


def test_clean_removes_stale_temporary_files_in_the_root_too(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    stale, fresh = tmp_path / ".tmp-abc", tmp_path / ".tmp-def"
    for path in (stale, fresh):
        path.write_bytes(b"{")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))
    assert cache.clean() == 1 and not stale.exists() and fresh.exists()


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


def test_a_damaged_entry_is_reported_removed_and_never_served(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damaged: list[tuple[Path, str]] = []
    cache = Cache(tmp_path, on_damaged=lambda path, why: damaged.append((path, why)))
    data = b"%PDF-1.7 " + bytes(range(256)) * 40
    cases = {
        "terpotong": lambda raw: raw[: len(raw) // 2],
        "diubah": lambda raw: raw[:-1] + bytes([raw[-1] ^ 1]),
        "kepala": lambda raw: b"sampah" + raw,
        "kosong": lambda raw: b"",
    }
    for name, damage in cases.items():
        key = cache_key([name])
        cache.put(key, data)
        path = cache.path(key)
        path.write_bytes(damage(path.read_bytes()))
        assert cache.get(key) is None, name
        assert not path.exists(), name
    assert [why for _, why in damaged] == [
        damaged[0][1],
        "isi tidak cocok dengan hash",
        "kepala entri tidak terbaca",
        "kepala entri tidak terbaca",
    ]
    assert damaged[0][1].startswith("panjang ") and damaged[0][1].endswith(f"{len(data)}")


def test_the_default_report_is_one_stderr_line_per_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = Cache(tmp_path)
    key = cache_key(["satu"])
    for _ in range(2):
        cache.put(key, b"isi")
        cache.path(key).write_bytes(b"rusak")
        assert cache.get(key) is None
    assert capsys.readouterr().err == (
        f"peringatan: {cache.path(key)}: entri cache rusak (kepala entri tidak terbaca); "
        "dibuat ulang\n"
    )


def test_peek_gives_the_entry_by_reference_verified(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    data = b"%PDF " + bytes(range(256)) * 50
    cache.put("cd" * 32, data)
    entry = cache.peek("cd" * 32)
    assert entry is not None and entry.path == cache.path("cd" * 32)
    assert (entry.digest, entry.size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert entry.read_bytes() == data
    assert cache.peek("ef" * 32) is None


def test_peek_refuses_an_entry_whose_content_is_not_its_headers(tmp_path: Path) -> None:
    damaged: list[str] = []
    cache = Cache(tmp_path, on_damaged=lambda path, why: damaged.append(why))
    cache.put("cd" * 32, b"x" * 1000)
    path = cache.path("cd" * 32)
    path.write_bytes(path.read_bytes()[:-10])  # truncated
    assert cache.peek("cd" * 32) is None
    assert damaged == ["panjang 990 bita, seharusnya 1000"] and not path.exists()
    cache.put("cd" * 32, b"x" * 1000)
    path.write_bytes(path.read_bytes()[:-1] + b"y")  # same size, other content
    assert cache.peek("cd" * 32) is None
    assert damaged[-1] == "isi tidak cocok dengan hash" and not path.exists()


def test_reading_an_entry_changed_after_peek_fails_loudly_and_removes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = Cache(tmp_path)
    cache.put("cd" * 32, b"a" * 100)
    entry = cache.peek("cd" * 32)
    assert entry is not None
    raw = entry.path.read_bytes()
    entry.path.write_bytes(raw[:-100] + b"b" * 100)  # same size, other content
    with pytest.raises(DamagedEntryError, match="entri cache rusak"):
        entry.read_bytes()
    assert not entry.path.exists()
    assert "isi tidak cocok dengan hash" in capsys.readouterr().err


# --------------------------------------------------------------------------- Verified


class Hashes:
    """Counts sha256 passes over files (`hashlib.file_digest`), the cost `Verified` saves."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = hashlib.file_digest

        def counted(f, digest):  # type: ignore[no-untyped-def]
            self.count += 1
            return real(f, digest)

        monkeypatch.setattr(hashlib, "file_digest", counted)


def _rewrite_keeping_times(path: Path, offset: int, data: bytes) -> None:
    """Change a file in place, same size, and set its times back: only ctime tells (after
    a pause, so even a kernel with coarse timestamps gives the write another ctime)."""
    time.sleep(0.05)
    st = path.stat()
    path.chmod(0o644)
    with path.open("r+b") as f:
        f.seek(offset)
        f.write(data)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_peek_hashes_an_entry_once_then_trusts_it_until_it_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    hashes = Hashes(monkeypatch)
    key, data = cache_key(["pdf"]), b"%PDF-1.7 " + bytes(range(256)) * 64
    Cache(tmp_path).put(key, data)
    first = Cache(tmp_path)
    assert first.peek(key) is not None and hashes.count == 1
    first.save_verified()
    again = Cache(tmp_path)  # another process: the record is on disk
    found = again.peek(key)
    assert found is not None and hashes.count == 1  # not hashed again
    assert found.read_bytes() == data  # reading still verifies
    header = len(cache_module.seal_header(found.digest, found.size))
    _rewrite_keeping_times(again.path(key), header + 3, b"X")
    damaged: list[str] = []
    third = Cache(tmp_path, on_damaged=lambda path, why: damaged.append(why))
    assert third.peek(key) is None and hashes.count == 2
    assert damaged and not third.path(key).exists()


def test_an_entry_hashed_just_after_it_was_written_is_hashed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write within RACY_NS of the hash could keep a coarse ctime: no trust yet."""
    monkeypatch.setattr(cache_module, "RACY_NS", 600 * 10**9)  # however slow the machine
    hashes = Hashes(monkeypatch)
    key = cache_key(["pdf"])
    Cache(tmp_path).put(key, b"content")
    for _ in range(2):
        cache = Cache(tmp_path)
        assert cache.peek(key) is not None
        cache.save_verified()
    assert hashes.count == 2


@pytest.mark.parametrize("record", [b"", b"{not json", b"[1, 2]", b'{"ab/x.c2": [1]}'])
def test_an_unreadable_record_means_hashing_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, record: bytes
) -> None:
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    hashes = Hashes(monkeypatch)
    key = cache_key(["pdf"])
    Cache(tmp_path).put(key, b"content")
    (tmp_path / cache_module.VERIFIED_RECORD).write_bytes(record)
    assert Cache(tmp_path).peek(key) is not None and hashes.count == 1


def test_a_recently_used_entry_keeps_its_time(tmp_path: Path) -> None:
    """A hit moves the time for `clean` at most once a day: each move changes ctime, which
    would make the next build hash the entry again."""
    cache = Cache(tmp_path)
    key = cache_key(["pdf"])
    cache.put(key, b"content")
    _age(cache, key, 0.5)
    before = cache.path(key).stat().st_mtime_ns
    assert cache.peek(key) is not None
    assert cache.path(key).stat().st_mtime_ns == before
    _age(cache, key, 2)
    assert cache.peek(key) is not None
    assert time.time() - cache.path(key).stat().st_mtime < 60


def test_the_record_keeps_only_the_entries_asked_about(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entries `clean` removed, or no build asks about any more, leave the record."""
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    keys = [cache_key([name]) for name in ("a", "b")]
    first = Cache(tmp_path)
    for key in keys:
        first.put(key, key.encode())
        assert first.peek(key) is not None
    first.save_verified()
    record = tmp_path / cache_module.VERIFIED_RECORD
    assert len(json.loads(record.read_bytes())) == 2
    first.path(keys[1]).unlink()
    second = Cache(tmp_path)
    assert second.peek(keys[0]) is not None and second.peek(keys[1]) is None
    second.save_verified()
    assert list(json.loads(record.read_bytes())) == [f"{keys[0][:2]}/{keys[0]}.c2"]
