"""`sop publish`: staged copy, atomic switch, the newest releases kept, rollback."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from generator import cli, outdir
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
    marker = outdir.marker_bytes("situs", outdir.tree_digests(site), {"versi_data": version})
    (site / outdir.MARKER).write_bytes(marker)  # as the site build writes it, last
    return site


def served(dest: Path) -> str:
    return (dest / "index.html").read_text(encoding="utf-8")


def kept(dest: Path) -> list[str]:
    return sorted(p.name for p in releases_dir(dest).iterdir() if not p.name.startswith("."))


def test_publish_switches_a_link_and_keeps_the_newest_releases(tmp_path: Path) -> None:
    dest = tmp_path / "www" / "sop"
    first = publish(make_site(tmp_path, "v1"), dest)
    assert dest.is_symlink() and served(dest) == "<p>v1</p>"
    assert first.current.name == "rilis-0001" and first.previous is None
    second = publish(make_site(tmp_path, "v2"), dest)
    assert served(dest) == "<p>v2</p>"
    assert second.previous == first.current
    third = publish(make_site(tmp_path, "v3"), dest)
    assert third.current == current_release(dest)
    assert kept(dest) == ["rilis-0001", "rilis-0002", "rilis-0003"]
    for version in ("v4", "v5", "v6", "v7"):
        publish(make_site(tmp_path, version), dest)
    assert kept(dest) == [f"rilis-{n:04d}" for n in range(3, 8)]
    publish(make_site(tmp_path, "v8"), dest, keep=2)
    assert kept(dest) == ["rilis-0007", "rilis-0008"]
    assert (dest / "sop" / "a" / "f39.txt").read_text() == "v8" * 1000


def test_rollback_walks_back_through_the_releases(tmp_path: Path) -> None:
    dest = tmp_path / "sop"
    for version in ("v1", "v2", "v3"):
        publish(make_site(tmp_path, version), dest)
    back = rollback(dest)
    assert served(dest) == "<p>v2</p>"
    assert (back.current.name, back.previous.name) == ("rilis-0002", "rilis-0003")
    rollback(dest)
    assert served(dest) == "<p>v1</p>"
    with pytest.raises(UserError, match="tidak ada versi sebelumnya untuk dikembalikan"):
        rollback(dest)
    assert served(dest) == "<p>v1</p>"
    publish(make_site(tmp_path, "v4"), dest)
    assert current_release(dest).name == "rilis-0004"
    rollback(dest)
    assert served(dest) == "<p>v3</p>"


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


def test_a_plain_folder_is_refused_or_adopted_with_force(tmp_path: Path) -> None:
    dest = tmp_path / "sop"
    dest.mkdir()
    (dest / "index.html").write_text("<p>lama</p>", encoding="utf-8")
    with pytest.raises(UserError) as info:
        publish(make_site(tmp_path, "v1"), dest)
    assert info.value.problems[0].message == "folder ini bukan hasil sop publish; tidak diubah"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site-v1", "sop"]
    done = publish(make_site(tmp_path, "v2"), dest, force=True)
    assert done.adopted is not None and done.adopted.name == "rilis-0001-diadopsi"
    assert done.previous == done.adopted and done.current.name == "rilis-0002"
    assert served(dest) == "<p>v2</p>"
    for version in ("v3", "v4"):
        publish(make_site(tmp_path, version), dest, keep=1)
    assert kept(dest) == ["rilis-0001-diadopsi", "rilis-0004"]  # the adopted one is kept
    rollback(dest)
    assert served(dest) == "<p>lama</p>"


def test_an_unbuilt_site_is_refused(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    with pytest.raises(UserError) as info:
        publish(tmp_path / "site", tmp_path / "sop")
    assert info.value.format() == (
        f"{tmp_path / 'site'}: situs belum dibangun atau tidak lengkap (tidak ada penanda "
        ".sop-keluaran.json); tidak diterbitkan; jalankan dulu: make site"
    )
    assert not (tmp_path / "sop").exists()


def test_rollback_needs_a_previous_version(tmp_path: Path) -> None:
    dest = tmp_path / "sop"
    with pytest.raises(UserError, match="belum pernah diterbitkan dengan sop publish"):
        rollback(dest)
    publish(make_site(tmp_path, "v1"), dest)
    with pytest.raises(UserError, match="tidak ada versi sebelumnya untuk dikembalikan"):
        rollback(dest)


def test_cli_publish_rollback_and_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "www" / "sop"
    empty = tmp_path / "kosong"  # data and templates the fake sites were "built" from
    empty.mkdir()
    for version in ("v1", "v2"):
        site = make_site(tmp_path, version)
        argv = ["publish", str(dest), "--site", str(site), "--data", str(empty)]
        assert cli.main([*argv, "--templates", str(empty)]) == 0
    out = capsys.readouterr().out
    assert f"situs diterbitkan ke {dest}: rilis-0002 (versi sebelumnya: rilis-0001)" in out
    assert cli.main(["publish", str(dest), "--rollback"]) == 0
    assert capsys.readouterr().out == f"{dest} dikembalikan ke rilis-0001 (sebelumnya rilis-0002)\n"
    assert served(dest) == "<p>v1</p>"
    assert os.readlink(dest) == os.path.join("sop.rilis", "rilis-0001")
    assert cli.main(["publish", str(dest), "--daftar"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["rilis-0001", "rilis-0002"]
    assert lines[0].endswith("data v1  41 berkas  <- aktif")
    assert lines[1].endswith("data v2  41 berkas")
