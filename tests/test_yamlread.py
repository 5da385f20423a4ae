"""Strict YAML reading: text kept as typed, positions, and everything hostile refused."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from generator.yamlread import MAX_DEPTH, YamlIssue, YamlRefused, read_yaml


def _refused(text: str | bytes) -> list[YamlIssue]:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(YamlRefused) as caught:
        read_yaml(raw)
    return caught.value.issues


def _one(text: str | bytes) -> tuple[int, int, str]:
    issues = _refused(text)
    assert len(issues) == 1, issues
    return issues[0].line, issues[0].column, issues[0].message


# --------------------------------------------------------------------------- text as typed


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("no", "no"),
        ("off", "off"),
        ("yes", "yes"),
        ("On", "On"),
        ("0214", "0214"),
        ("1:20", "1:20"),
        ("1.10", "1.10"),
        ("1e3", "1e3"),
        ("0x1F", "0x1F"),
        ("2024-01-22", "2024-01-22"),
        ("08:00", "08:00"),
        (".inf", ".inf"),
        ('"0214"', "0214"),
        ("'no'", "no"),
        ("Evaluasi#1", "Evaluasi#1"),
        ("Evaluasi # komentar dibuang", "Evaluasi"),
    ],
)
def test_scalars_come_back_as_the_text_typed(typed: str, kept: str) -> None:
    assert read_yaml(f"nilai: {typed}\n".encode()).data == {"nilai": kept}


@pytest.mark.parametrize("typed", ["", "~", "null", "Null", "NULL"])
def test_plain_empty_and_null_are_none(typed: str) -> None:
    assert read_yaml(f"nilai: {typed}\n".encode()).data == {"nilai": None}


def test_quoted_empty_and_quoted_null_stay_text() -> None:
    doc = read_yaml(b'a: ""\nb: "null"\nc: \'~\'\n')
    assert doc.data == {"a": "", "b": "null", "c": "~"}


def test_empty_file_is_none() -> None:
    assert read_yaml(b"").data is None
    assert read_yaml(b"# hanya komentar\n").data is None


def test_nested_structures_and_positions() -> None:
    text = (
        "nomor: 0214\n"
        "pelaksana:\n"
        "  camat: Camat\n"
        "langkah:\n"
        "  - uraian: Rapat\n"
        "    pelaksana: [camat, staf]\n"
    )
    doc = read_yaml(text.encode())
    assert doc.data == {
        "nomor": "0214",
        "pelaksana": {"camat": "Camat"},
        "langkah": [{"uraian": "Rapat", "pelaksana": ["camat", "staf"]}],
    }
    assert doc.position(("nomor",)) == (1, 8)
    assert doc.position(("nomor",), key=True) == (1, 1)
    assert doc.position(("pelaksana", "camat"), key=True) == (3, 3)
    assert doc.position(("langkah", 0)) == (5, 5)
    assert doc.position(("langkah", 0, "uraian"), key=True) == (5, 5)
    assert doc.position(("langkah", 0, "pelaksana", 1)) == (6, 24)
    assert doc.position(("tidak", "ada")) == (1, 1)


def test_columns_count_characters_not_bytes() -> None:
    doc = read_yaml("nama: Café\nunit: Ümit\n".encode())
    assert doc.position(("unit",)) == (2, 7)
    assert _one("nama: Café Kopi: x\n") == (1, 16, "tanda ':' di tempat yang tidak semestinya")


def test_bom_and_crlf_are_accepted() -> None:
    doc = read_yaml(b"\xef\xbb\xbfnomor: 0214\r\nnama: Rapat\r\n")
    assert doc.data == {"nomor": "0214", "nama": "Rapat"}
    assert doc.position(("nama",)) == (2, 7)


# --------------------------------------------------------------------------- refused


def test_duplicate_key_names_the_first_line() -> None:
    issues = _refused("nama: A\nunit: B\nnama: C\n")
    assert issues == [
        YamlIssue(
            3,
            1,
            "kunci 'nama' ditulis dua kali (pertama di baris 1)",
            "hapus salah satunya atau gabungkan isinya",
        )
    ]


def test_every_duplicate_key_is_reported() -> None:
    issues = _refused("a: 1\na: 2\nb:\n  c: 1\n  c: 2\n")
    assert [(i.line, i.column) for i in issues] == [(2, 1), (5, 3)]


def test_anchor_alias_and_tag_are_refused() -> None:
    assert _one("a: &x teks\n") == (1, 4, "anchor YAML (&nama) tidak diizinkan")
    assert _one("a: teks\nb: *x\n")[:3] == (2, 4, "alias YAML (*nama) tidak diizinkan")
    assert _one("a: !!str 12\n") == (1, 4, "tag YAML '!!str' tidak diizinkan")
    assert _one("a: !penting teks\n") == (1, 4, "tag YAML '!penting' tidak diizinkan")


def test_a_python_tag_never_executes(tmp_path: Path) -> None:
    marker = tmp_path / "dibuat"
    text = f"a: !!python/object/apply:os.system ['touch {marker}']\n"
    assert _one(text) == (1, 4, "tag YAML '!!python/object/apply:os.system' tidak diizinkan")
    assert not marker.exists()


BILLION_LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)


def test_alias_bomb_is_refused_within_a_second() -> None:
    assert BILLION_LAUGHS.count("*") == 8 * 9
    started = time.perf_counter()
    issues = _refused(BILLION_LAUGHS)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0
    assert issues[0].message == "anchor YAML (&nama) tidak diizinkan"


def test_tabs_in_indentation_are_refused_on_every_line() -> None:
    issues = _refused("a:\n\tb: 1\nc:\n  \td: 2\n")
    assert [(i.line, i.column, i.message) for i in issues] == [
        (2, 1, "karakter tab tidak diizinkan"),
        (4, 3, "karakter tab tidak diizinkan"),
    ]
    assert issues[0].hint == "gunakan spasi untuk indentasi, bukan tab"


def test_non_utf8_bytes_are_located() -> None:
    issues = _refused("nomor: 1\nnama: Caf\xe9\n".encode("latin-1"))
    assert issues == [
        YamlIssue(
            2,
            10,
            "berkas bukan teks UTF-8",
            "simpan ulang berkas dengan pengodean UTF-8 di penyunting teks",
        )
    ]


def test_control_characters_are_refused() -> None:
    assert _one("a: 1\nnama: Eval\x07uasi\n") == (
        2,
        11,
        "karakter kendali tidak diizinkan (kode U+0007)",
    )


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    for text in (
        "a: " + "[" * 5000 + "]" * 5000,
        "a: " + "{b: " * 3000 + "c" + "}" * 3000,
        "".join(" " * i + "k:\n" for i in range(200)),
    ):
        issues = _refused(text)
        assert (
            issues[0].message
            == f"susunan bertingkat terlalu dalam (lebih dari {MAX_DEPTH} tingkat)"
        )


def test_too_large_file_is_refused() -> None:
    assert _one(b"a: " + b"x" * 2_000_001)[2] == "berkas terlalu besar (lebih dari 2000 kB)"


def test_non_text_keys_are_refused() -> None:
    assert _one("[a, b]: c\n") == (1, 1, "kunci harus berupa teks sederhana")


# --------------------------------------------------------------------------- syntax errors


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("a: 1\nunit: 'Sub\nb: 2\n", (2, 7), "tanda kutip pembuka ini tidak pernah ditutup"),
        (
            'a: "x\nb: 2\nc: "y"\n',
            (1, 4),
            "teks berkutip ini baru ditutup di baris 3: tanda kutip penutup hilang?",
        ),
        ("l:\n  - uraian: Hal: x\n", (2, 16), "tanda ':' di tempat yang tidak semestinya"),
        ("a: 1\n  b: 2\n", (2, 4), "tanda ':' di tempat yang tidak semestinya"),
        (
            "l:\n  - a: 1\n    b: 2\n - a: 3\n",
            (4, 2),
            "indentasi tidak sejajar dengan kunci di atasnya",
        ),
        ("a: 'Eval's\n", (1, 10), "ada teks setelah nilai yang sudah ditutup"),
        ('a: "Ket" teks\n', (1, 10), "ada teks setelah nilai yang sudah ditutup"),
        ("l:\n  - a\n  b: 1\n", (3, 3), "indentasi daftar tidak sejajar"),
        ("a: [x\nb: 1\n", (1, 4), "daftar yang dibuka dengan '[' tidak ditutup dengan ']'"),
        ("a: {x\nb: 1\n", (1, 4), "pemetaan yang dibuka dengan '{' tidak ditutup dengan '}'"),
        ("a: @x\n", (1, 4), "karakter '@' tidak boleh mengawali nilai"),
        ("a: `x\n", (1, 4), "karakter '`' tidak boleh mengawali nilai"),
        ("a: %x\n", (1, 4), "karakter '%' tidak boleh mengawali nilai"),
        ("a: * x\n", (1, 4), "karakter '*' tidak boleh mengawali nilai"),
        ("a: > x\n", (1, 4), "karakter '>' tidak boleh mengawali nilai"),
        ("a: - b\n", (1, 4), "butir daftar '- ' di tempat yang tidak semestinya"),
        ("a: 1\nb\nc: 2\n", (2, 1), "tanda ':' tidak ditemukan setelah kunci"),
        ("a: 1\n---\nb: 2\n", (2, 1), "berkas hanya boleh memuat satu dokumen YAML"),
        ('a: "C:\\data"\n', (1, 7), "garis miring terbalik '\\' tidak sah dalam kutip ganda"),
    ],
)
def test_syntax_errors_are_explained_in_indonesian(
    text: str, where: tuple[int, int], message: str
) -> None:
    issues = _refused(text)
    assert len(issues) == 1
    assert (issues[0].line, issues[0].column, issues[0].message) == (*where, message)
    assert issues[0].hint


def test_unrecognised_syntax_error_falls_back_to_a_general_message() -> None:
    issues = _refused("%YAML 1.1\n%YAML 1.1\n---\na: 1\n")
    assert (issues[0].line, issues[0].message) == (2, "sintaks YAML tidak sah")
    assert issues[0].hint == "periksa indentasi, tanda ':' dan tanda kutip pada baris ini"
