"""Strict YAML reading that keeps every node's position.

Only the YAML composer runs (no constructor), so tags can never execute. Anchors, aliases,
explicit tags, duplicate keys, tabs in indentation and non-UTF-8 bytes are refused. Every
scalar comes back as the text the user typed (or None for an empty/null plain value): whether
it is a number, a date or a boolean is decided by the model, never by YAML 1.1 resolution.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[str | int, ...]
NULLS = ("", "~", "null", "Null", "NULL")
MAX_BYTES = 2_000_000

# English PyYAML problems -> (Indonesian message, hint)
_PROBLEMS = [
    ("could not find expected ':'", "tanda ':' tidak ditemukan", "tulis 'kunci: nilai'"),
    (
        "mapping values are not allowed here",
        "tanda ': ' di tempat yang tidak semestinya",
        "beri tanda kutip pada teks yang memuat ': ', mis. uraian: \"Hal: rapat\"",
    ),
    (
        "found character '\\t' that cannot start any token",
        "karakter tab tidak diizinkan",
        "gunakan spasi untuk indentasi, bukan tab",
    ),
    (
        "found unexpected end of stream",
        "tanda kutip tidak ditutup",
        "tutup teks dengan tanda kutip yang sama",
    ),
    (
        "did not find expected key",
        "indentasi tidak sejajar atau kunci hilang",
        "periksa spasi di awal baris ini dan baris sebelumnya",
    ),
    (
        "did not find expected '-' indicator",
        "indentasi daftar tidak sejajar",
        "setiap butir daftar diawali '- ' pada kolom yang sama",
    ),
    (
        "found unknown escape character",
        "karakter escape tidak dikenal dalam teks berkutip ganda",
        "gunakan kutip tunggal '...' atau tulis \\\\ untuk garis miring terbalik",
    ),
    (
        "block sequence entries are not allowed here",
        "butir daftar '- ' di tempat yang tidak semestinya",
        "periksa indentasi",
    ),
    (
        "found unacceptable character",
        "berkas memuat karakter yang tidak diizinkan",
        "hapus karakter kendali dari teks",
    ),
]


@dataclass(frozen=True)
class YamlIssue:
    """A problem found while reading YAML, at a 1-based line and column."""

    line: int
    column: int
    message: str
    hint: str = ""


@dataclass
class Document:
    """Plain data read from YAML plus where each value and each key stands."""

    data: Any
    value_pos: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_pos: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    issues: list[YamlIssue] = field(default_factory=list)

    def position(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """Line and column of the node at `path` (its key with key=True)."""
        if key and path in self.key_pos:
            return self.key_pos[path]
        return self.value_pos.get(path, (1, 1))


class YamlRefused(Exception):
    """The text is not acceptable YAML; carries located issues."""

    def __init__(self, issues: list[YamlIssue]):
        super().__init__("; ".join(i.message for i in issues))
        self.issues = issues


def _mark(mark: yaml.Mark | None) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


class _StrictMixin:
    """Refuses anchors, aliases and explicit tags while composing."""

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D102
        event = self.peek_event()
        line, col = _mark(event.start_mark)
        if isinstance(event, yaml.AliasEvent):
            raise YamlRefused(
                [YamlIssue(line, col, "alias (*) tidak diizinkan", "tulis isinya secara lengkap")]
            )
        if getattr(event, "anchor", None):
            raise YamlRefused(
                [YamlIssue(line, col, "anchor (&) tidak diizinkan", "hapus tanda &nama")]
            )
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            raise YamlRefused(
                [
                    YamlIssue(
                        line,
                        col,
                        f"tag YAML '{tag}' tidak diizinkan",
                        "hapus tag (tanda !); tulis nilainya saja",
                    )
                ]
            )
        return super().compose_node(parent, index)


try:  # libyaml's C parser (about 10x faster) under PyYAML's Python composer
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None

if _CParser is not None:

    class _StrictComposer(  # type: ignore[misc]
        _StrictMixin, yaml.composer.Composer, _CParser, yaml.resolver.Resolver
    ):
        def __init__(self, text: str):
            _CParser.__init__(self, text)
            yaml.composer.Composer.__init__(self)
            yaml.resolver.Resolver.__init__(self)

else:  # pragma: no cover

    class _StrictComposer(_StrictMixin, yaml.SafeLoader):  # type: ignore[no-redef]
        pass


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        raise YamlRefused(
            [
                YamlIssue(
                    line,
                    col,
                    "berkas bukan teks UTF-8",
                    "simpan ulang berkas dengan pengodean UTF-8 di penyunting teks",
                )
            ]
        ) from None


def _check_tabs(text: str) -> None:
    issues = []
    for i, line in enumerate(text.splitlines(), 1):
        indent = re.match(r"[ \t]*", line).group(0)  # type: ignore[union-attr]
        if "\t" in indent:
            issues.append(
                YamlIssue(
                    i,
                    indent.index("\t") + 1,
                    "karakter tab tidak diizinkan",
                    "gunakan spasi untuk indentasi, bukan tab",
                )
            )
    if issues:
        raise YamlRefused(issues)


def _translate(exc: yaml.MarkedYAMLError) -> YamlIssue:
    line, col = _mark(exc.problem_mark or exc.context_mark)
    problem = exc.problem or ""
    for english, message, hint in _PROBLEMS:
        if problem.startswith(english):
            return YamlIssue(line, col, message, hint)
    return YamlIssue(
        line,
        col,
        "sintaks YAML tidak sah",
        "periksa indentasi, tanda ':' dan tanda kutip pada baris ini",
    )


def read_yaml(raw: bytes) -> Document:
    """Parse YAML bytes into plain data with positions, or raise YamlRefused."""
    if len(raw) > MAX_BYTES:
        raise YamlRefused(
            [YamlIssue(1, 1, f"berkas terlalu besar (lebih dari {MAX_BYTES // 1000} kB)")]
        )
    text = _decode(raw)
    _check_tabs(text)
    try:
        loader = _StrictComposer(text)
        node = loader.get_single_node()
    except YamlRefused:
        raise
    except yaml.MarkedYAMLError as exc:
        raise YamlRefused([_translate(exc)]) from None
    except yaml.YAMLError:
        raise YamlRefused([YamlIssue(1, 1, "sintaks YAML tidak sah")]) from None
    doc = Document(data=None)
    if node is not None:
        doc.data = _convert(node, (), doc)
    if doc.issues:
        raise YamlRefused(doc.issues)
    return doc


def _convert(node: yaml.Node, path: Path_, doc: Document) -> Any:
    doc.value_pos[path] = _mark(node.start_mark)
    if isinstance(node, yaml.ScalarNode):
        if not node.style and node.value in NULLS:  # plain: None (Python) or "" (libyaml)
            return None
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), doc) for i, item in enumerate(node.value)]
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        line, col = _mark(key_node.start_mark)
        if not isinstance(key_node, yaml.ScalarNode):
            doc.issues.append(YamlIssue(line, col, "kunci harus berupa teks sederhana"))
            continue
        key = key_node.value
        if key in result:
            first = doc.key_pos[(*path, key)]
            doc.issues.append(
                YamlIssue(
                    line,
                    col,
                    f"kunci '{key}' ditulis dua kali (pertama di baris {first[0]})",
                    "hapus salah satunya atau gabungkan isinya",
                )
            )
            continue
        doc.key_pos[(*path, key)] = (line, col)
        result[key] = _convert(value_node, (*path, key), doc)
    return result
