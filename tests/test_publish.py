"""`sop publish`: staged copy, atomic switch, one previous version kept, rollback."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from generator import cli
from generator.errors import UserError
from generator.publish import current_release, publish, releases_dir, rollback

FILES = 40


def make_site(root: Path, version: str) -> Path:
    """A fake built site whose every file names its version."""
    site = root / f"site-{version}"
    (site / "sop" / "a").mkdir(parents=True)
    (site / "index.html").write_text(f"<p>{version}</p>", encoding="utf-8")
    for i in range(FILES):
        (site / "sop" / "a" / f"f{i:02d}.txt").write_text(version * 1000, encoding="utf-8")
    return site


def served(dest: Path) -> str:
    return (dest / "index.html").read_text(encoding="utf-8")


def test_publish_switches_a_link_and_keeps_the_previous_version(tmp_path: Path) -> None:
    dest = tmp_path / "www" / "sop"
    first = publish(make_site(tmp_path, "v1"), dest)
    assert dest.is_symlink() and served(dest) == "<p>v1</p>"
    assert first.current.name == "rilis-0001" and first.previous is None
    second = publish(make_site(tmp_path, "v2"), dest)
    assert served(dest) == "<p>v2</p>"
    assert second.previous == first.current
    third = publish(make_site(tmp_path, "v3"), dest)
    kept = sorted(p.name for p in releases_dir(dest).iterdir())
    assert kept == ["rilis-0002", "rilis-0003"]
    assert third.current == current_release(dest)
    assert (dest / "sop" / "a" / "f39.txt").read_text() == "v3" * 1000


def test_rollback_restores_the_previous_version_and_back(tmp_path: Path) -> None:
    dest = tmp_path / "sop"
    publish(make_site(tmp_path, "v1"), dest)
    publish(make_site(tmp_path, "v2"), dest)
    back = rollback(dest)
    assert served(dest) == "<p>v1</p>"
    assert (back.current.name, back.previous.name) == ("rilis-0001", "rilis-0002")
    rollback(dest)
    assert served(dest) == "<p>v2</p>"
    publish(make_site(tmp_path, "v3"), dest)
    rollback(dest)
    assert served(dest) == "<p>v2</p>"


def test_a_reader_never_sees_a_half_copied_site(tmp_path: Path) -> None:
    dest = tmp_path / "sop"
    sites = [make_site(tmp_path, f"v{n}") for n in range(6)]
    publish(sites[0], dest)
    stop = threading.Event()
    seen: list[str] = []
    failures: list[BaseException] = []

    def reader() -> None:
        while not stop.is_set():
            try:
                index = served(dest)
                last = (dest / "sop" / "a" / f"f{FILES - 1:02d}.txt").read_text()
            except OSError as exc:  # a missing file means a half-copied or absent site
                failures.append(exc)
                return
            seen.append(index)
            assert len(last) == 2000

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for site in sites[1:]:
            publish(site, dest)
    finally:
        stop.set()
        thread.join()
    assert failures == []
    assert len(seen) > 0 and served(dest) == "<p>v5</p>"


def test_a_plain_folder_is_adopted_as_the_previous_version(tmp_path: Path) -> None:
    dest = tmp_path / "sop"
    dest.mkdir()
    (dest / "index.html").write_text("<p>lama</p>", encoding="utf-8")
    done = publish(make_site(tmp_path, "v1"), dest)
    assert done.previous is not None and done.previous.name == "rilis-0000"
    rollback(dest)
    assert served(dest) == "<p>lama</p>"


def test_an_unbuilt_site_is_refused(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    with pytest.raises(UserError) as info:
        publish(tmp_path / "site", tmp_path / "sop")
    assert info.value.format() == (
        f"{tmp_path / 'site'}: situs belum dibangun (tidak ada index.html); "
        "jalankan dulu: make site"
    )
    assert not (tmp_path / "sop").exists()


def test_rollback_needs_a_previous_version(tmp_path: Path) -> None:
    dest = tmp_path / "sop"
    with pytest.raises(UserError, match="belum pernah diterbitkan dengan sop publish"):
        rollback(dest)
    publish(make_site(tmp_path, "v1"), dest)
    with pytest.raises(UserError, match="tidak ada versi sebelumnya untuk dikembalikan"):
        rollback(dest)


def test_cli_publish_and_rollback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "www" / "sop"
    for version in ("v1", "v2"):
        site = make_site(tmp_path, version)
        assert cli.main(["publish", str(dest), "--site", str(site)]) == 0
    out = capsys.readouterr().out
    assert f"situs diterbitkan ke {dest}: rilis-0002 (versi sebelumnya: rilis-0001)" in out
    assert cli.main(["publish", str(dest), "--rollback"]) == 0
    assert capsys.readouterr().out == f"{dest} dikembalikan ke rilis-0001 (sebelumnya rilis-0002)\n"
    assert served(dest) == "<p>v1</p>"
    assert os.readlink(dest) == os.path.join("sop.rilis", "rilis-0001")
