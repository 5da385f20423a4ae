"""Control characters: refused in every text read from YAML (raw or escaped), and shown
escaped in everything the CLI prints; files out of the data folder are refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from generator import cli
from generator.errors import UserError
from generator.paths import outside, require_inside
from generator.scaffold import new_sop
from generator.yamlread import YamlRefused, read_yaml
from tests.conftest import SEED_DATA, TEMPLATES


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('a: "x \\e[2J"', "U+001B"),
        ('a: "x \\x1b]0;judul\\a"', "U+001B"),
        ('a: "x \\u009b2J"', "U+009B"),
        ('a: "x \\x7f"', "U+007F"),
        ('a: "x \\N y"', "U+0085"),  # next line (C1)
        ('a: "x \\r y"', "U+000D"),
        ('a: "x \\0"', "U+0000"),
        ('"k\\a": x', "U+0007"),  # in a key
    ],
)
def test_escaped_control_characters_are_refused_where_they_stand(text: str, code: str) -> None:
    with pytest.raises(YamlRefused) as refused:
        read_yaml(f"z: 1\n{text}\n".encode(), user_text=True)
    (issue,) = refused.value.issues
    assert (issue.line, issue.message) == (2, f"karakter kendali tidak diizinkan (kode {code})")
    assert issue.field in ("a", "k\a")


def test_newline_and_tab_stay_allowed_in_text() -> None:
    doc = read_yaml(b'a: "satu\\ndua\\ttiga"\nb: |\n  baris\n  baris\n')
    assert doc.data == {"a": "satu\ndua\ttiga", "b": "baris\nbaris\n"}


def test_every_item_is_reported_at_once() -> None:
    with pytest.raises(YamlRefused) as refused:
        read_yaml(b'a:\n  - "\\e"\n  - ok\n  - "\\a"\n')
    assert [(i.line, i.field) for i in refused.value.issues] == [(2, "a[1]"), (4, "a[3]")]


def test_the_cli_shows_control_characters_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    cli.show("Budi \x1b]0;judul\x07 \x9b2J\tkolom\nbaris")
    cli.show("\x1b[2J", err=True, end="")
    out, err = capsys.readouterr()
    assert out == "Budi <U+001B>]0;judul<U+0007> <U+009B>2J\tkolom\nbaris\n"
    assert err == "<U+001B>[2J"


def test_a_path_is_inside_only_when_its_real_place_is(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "sop").mkdir(parents=True)
    (tmp_path / "luar.yaml").write_text("rahasia: 1\n")
    (data / "sop" / "dalam.yaml").write_text("a: 1\n")
    (data / "sop" / "tautan.yaml").symlink_to(tmp_path / "luar.yaml")
    (data / "sop" / "lokal.yaml").symlink_to("dalam.yaml")
    assert not outside(data / "sop" / "dalam.yaml", data)
    assert not outside(data / "sop" / "lokal.yaml", data)  # a link inside the folder is fine
    assert not outside(data / "belum-ada" / "x.yaml", data)  # need not exist
    assert outside(data / "sop" / "tautan.yaml", data)
    assert outside(data / ".." / "luar.yaml", data)
    with pytest.raises(UserError) as refused:
        require_inside(data, data / "sop" / "tautan.yaml", what="berkas SOP")
    assert "rahasia" not in refused.value.format()
    assert refused.value.format().startswith(f"{data}/sop/tautan.yaml: berkas SOP ini tautan")


def test_sop_new_writes_nothing_through_a_link_out_of_the_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "instansi.yaml").write_bytes((SEED_DATA / "instansi.yaml").read_bytes())
    (tmp_path / "luar").mkdir()
    (data / "sop").symlink_to(tmp_path / "luar")
    with pytest.raises(UserError, match="folder SOP ini tautan simbolik ke luar folder data"):
        new_sop(data, "surat-masuk", TEMPLATES, date(2026, 12, 1))
    assert list((tmp_path / "luar").iterdir()) == []
    (data / "sop").unlink()
    (data / "sop").mkdir()
    (data / "sop" / "surat-keluar.yaml").symlink_to(tmp_path / "luar" / "baru.yaml")  # dangling
    with pytest.raises(UserError, match="sudah ada"):
        new_sop(data, "surat-keluar", TEMPLATES, date(2026, 12, 1))
    assert list((tmp_path / "luar").iterdir()) == []
