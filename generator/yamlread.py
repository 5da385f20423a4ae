r"""Strict YAML reading that keeps every node's position.

Only the YAML composer runs (no constructor), so tags can never execute. Anchors, aliases,
explicit tags, duplicate keys, tabs in indentation, control characters (raw, or in a value or
key through an escape such as "\e"), nesting deeper than
MAX_DEPTH and non-UTF-8 bytes are refused; syntax errors are explained in Indonesian at the
spot the clerk must fix (e.g. where an unclosed quote opened, not where YAML gave up). Every
scalar comes back as the text the user typed (or None for an empty/null plain value): whether
it is a number, a date or a boolean is decided by the model, never by YAML 1.1 resolution.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


def field_name(path: Path_) -> str:
    """A key path as a clerk reads it: `langkah[3].uraian` (list positions counted from 1)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
    return out


NULLS = ("", "~", "null", "Null", "NULL")
MAX_BYTES = 2_000_000

MAX_DEPTH = 50

# Characters YAML does not allow in a file (control characters other than tab and line breaks).
_BAD_CHAR = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# Control characters no text may hold once read, whether typed raw or written as a YAML escape
# ("\e[2J", "\x1b", "\u009b", "\a"): C0 but tab and newline, DEL and C1. On a terminal they
# clear the screen, recolour or retitle it; in a document they are invisible.
CONTROL_CHAR = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_HINT = (
    "hapus kode itu dari teks (mis. \\e, \\a, \\x1b, \\u001b di dalam kutip ganda); "
    "baris baru dan tab boleh"
)

# Bidirectional embedding, override and isolate controls: they make a text display in another
# order than it is written ("Trojan Source"), so what is printed would differ from what a
# reviewer read in the file. Right-to-left letters and the LRM/RLM marks stay allowed.
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")

_ALIAS_HINT = (
    "tulis isinya secara lengkap; bila '*' bagian dari teks, beri tanda kutip, mis. \"*catatan\""
)
_ANCHOR_HINT = "hapus '&nama'; bila '&' bagian dari teks, beri tanda kutip, mis. \"& lainnya\""
_TAG_HINT = "hapus tag itu dan tulis nilainya saja; bila '!' bagian dari teks, beri tanda kutip"
_QUOTE_HINT = 'bila maksudnya teks, beri tanda kutip pada seluruh nilai, mis. "{char}..."'
_CLOSE_HINT = (
    "tutup teks dengan tanda kutip yang sama; di dalam kutip tunggal tulis '' untuk tanda '"
)
_COLON_HINT = (
    "beri tanda kutip pada teks yang memuat ': ', mis. uraian: \"Hal: rapat\"; "
    "atau periksa indentasi baris ini"
)
_ITEM_HINT = "tulis butir daftar di baris baru di bawah kuncinya, diawali '- '"
_AFTER_HINT = (
    "bila seluruhnya teks, kutip seluruh nilai, mis. nama: 'Surat \"A\" masuk'; "
    "di dalam kutip tunggal tulis '' untuk tanda '"
)
_INDENT_HINT = "periksa spasi di awal baris ini: kunci yang setingkat mulai pada kolom yang sama"
_LIST_HINT = "setiap butir daftar diawali '- ' pada kolom yang sama"
_KEY_HINT = "tulis 'kunci: nilai'; teks lanjutan baris sebelumnya harus menjorok lebih dalam"
_ESC_HINT = "gunakan kutip tunggal, mis. 'C:\\data', atau tulis \\\\ di dalam kutip ganda"
_DEEP = f"susunan bertingkat terlalu dalam (lebih dari {MAX_DEPTH} tingkat)"
_DEEP_HINT = "berkas SOP cukup beberapa tingkat; periksa tanda [ dan {"
_GENERIC_HINT = "periksa indentasi, tanda ':' dan tanda kutip pada baris ini"


@dataclass(frozen=True)
class YamlIssue:
    """A problem found while reading YAML, at a 1-based line and column."""

    line: int
    column: int
    message: str
    hint: str = ""
    field: str = ""  # the key path (`langkah[2].uraian`) when the issue is about one value


@dataclass
class Document:
    """Plain data read from YAML plus where each value and each key stands."""

    data: Any
    value_pos: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_pos: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    issues: list[YamlIssue] = field(default_factory=list)
    nfc: bool = False

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
    """Refuses anchors, aliases, explicit tags and deep nesting while composing."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D102
        event = self.peek_event()
        line, col = _mark(event.start_mark)
        if isinstance(event, yaml.AliasEvent):
            raise YamlRefused(
                [YamlIssue(line, col, "alias YAML (*nama) tidak diizinkan", _ALIAS_HINT)]
            )
        if getattr(event, "anchor", None):
            raise YamlRefused(
                [YamlIssue(line, col, "anchor YAML (&nama) tidak diizinkan", _ANCHOR_HINT)]
            )
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            shown = str(tag).replace("tag:yaml.org,2002:", "!!")
            raise YamlRefused(
                [YamlIssue(line, col, f"tag YAML '{shown}' tidak diizinkan", _TAG_HINT)]
            )
        nested = isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent)
        if nested:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise YamlRefused([YamlIssue(line, col, _DEEP, _DEEP_HINT)])
        try:
            return super().compose_node(parent, index)
        finally:
            if nested:
                self._depth -= 1


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


def _refuse_first(text: str, pattern: re.Pattern[str], what: str, hint: str) -> None:
    """Refuse the first character of `text` matching `pattern`, at its line and column."""
    found = pattern.search(text)
    if found:
        at = found.start()
        line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        message = f"{what} tidak diizinkan (kode U+{ord(found.group()):04X})"
        raise YamlRefused([YamlIssue(line, col, message, hint)])


def _check_chars(text: str) -> None:
    _refuse_first(
        text,
        _BAD_CHAR,
        "karakter kendali",
        "hapus karakter itu; biasanya terbawa saat menyalin teks dari dokumen lain",
    )


def _check_bidi(text: str) -> None:
    _refuse_first(
        text,
        _BIDI_CONTROL,
        "karakter pengatur arah",
        "karakter tak terlihat ini mengubah urutan tampilan teks; hapus karakter itu",
    )


def _char_at(lines: list[str], pos: tuple[int, int]) -> str:
    line, col = pos
    if 1 <= line <= len(lines) and 1 <= col <= len(lines[line - 1]):
        return lines[line - 1][col - 1]
    return ""


def _mid_line(lines: list[str], pos: tuple[int, int]) -> bool:
    """True when `pos` is after the first non-blank character of its line."""
    line, col = pos
    if not 1 <= line <= len(lines):
        return False
    text = lines[line - 1]
    return col > len(text) - len(text.lstrip(" ")) + 1


def _unclosed_quote(text: str, at: tuple[int, int]) -> tuple[int, int] | None:
    """Where a quoted text starts when it runs over several lines and ends just before `at`.

    That is the usual trace of a missing closing quote: YAML reads on to the next quote
    character, lines later, and only complains there.
    """
    last = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if _mark(token.start_mark) >= at:
                break
            if isinstance(token, yaml.ScalarToken) and not token.plain:
                last = token
    except yaml.YAMLError:
        pass
    if last is None or last.start_mark.line == last.end_mark.line:
        return None
    if last.end_mark.line + 1 != at[0]:
        return None
    return _mark(last.start_mark)


def _translate(exc: yaml.MarkedYAMLError, text: str) -> YamlIssue:
    """An Indonesian message and hint for a PyYAML/libyaml syntax error, at the useful spot."""
    problem, context = exc.problem or "", exc.context or ""
    at = _mark(exc.problem_mark or exc.context_mark)
    start = _mark(exc.context_mark) if exc.context_mark else at
    lines = text.splitlines()
    if "end of stream" in problem and "quoted scalar" in context:
        return YamlIssue(*start, "tanda kutip pembuka ini tidak pernah ditutup", _CLOSE_HINT)
    if context.startswith(("while scanning an alias", "while scanning an anchor")) or (
        "cannot start any token" in problem
    ):
        pos = start if context.startswith("while scanning an") else at
        char = _char_at(lines, pos)
        return YamlIssue(
            *pos, f"karakter '{char}' tidak boleh mengawali nilai", _QUOTE_HINT.format(char=char)
        )
    if problem.startswith("mapping values are not allowed"):
        return YamlIssue(*at, "tanda ':' di tempat yang tidak semestinya", _COLON_HINT)
    if problem.startswith("block sequence entries are not allowed"):
        return YamlIssue(*at, "butir daftar '- ' di tempat yang tidak semestinya", _ITEM_HINT)
    if problem.startswith("did not find expected key"):
        opened = _unclosed_quote(text, at)
        if opened is not None:
            return YamlIssue(
                *opened,
                f"teks berkutip ini baru ditutup di baris {at[0]}: tanda kutip penutup hilang?",
                _CLOSE_HINT,
            )
        if _mid_line(lines, at):
            return YamlIssue(*at, "ada teks setelah nilai yang sudah ditutup", _AFTER_HINT)
        return YamlIssue(*at, "indentasi tidak sejajar dengan kunci di atasnya", _INDENT_HINT)
    if problem.startswith("did not find expected '-' indicator"):
        return YamlIssue(*at, "indentasi daftar tidak sejajar", _LIST_HINT)
    for opener, closer, what in (("[", "]", "daftar"), ("{", "}", "pemetaan")):
        if problem.startswith(f"did not find expected ',' or '{closer}'"):
            return YamlIssue(
                *start,
                f"{what} yang dibuka dengan '{opener}' tidak ditutup dengan '{closer}'",
                f"tutup dengan '{closer}' pada baris yang sama, atau beri tanda kutip bila "
                f"'{opener}' bagian dari teks",
            )
    if problem.startswith("could not find expected ':'"):
        return YamlIssue(*start, "tanda ':' tidak ditemukan setelah kunci", _KEY_HINT)
    if "another document" in problem or "single document" in context:
        return YamlIssue(
            *at,
            "berkas hanya boleh memuat satu dokumen YAML",
            "hapus baris '---' (dan isi setelahnya bila itu salinan)",
        )
    if "nesting depth" in problem:
        return YamlIssue(*at, _DEEP, _DEEP_HINT)
    if "unknown escape character" in problem:
        return YamlIssue(*at, "garis miring terbalik '\\' tidak sah dalam kutip ganda", _ESC_HINT)
    if "block scalar" in context:
        char = _char_at(lines, start)
        return YamlIssue(
            *start, f"karakter '{char}' tidak boleh mengawali nilai", _QUOTE_HINT.format(char=char)
        )
    return YamlIssue(*at, "sintaks YAML tidak sah", _GENERIC_HINT)


def read_yaml(raw: bytes, *, user_text: bool = False) -> Document:
    """Parse YAML bytes into plain data with positions, or raise YamlRefused.

    With `user_text` (the files clerks write), bidirectional control characters are refused
    and every key and value is normalised to Unicode NFC, so an accented word typed as one
    character or as letter + combining mark is the same text (and the same key).
    """
    if len(raw) > MAX_BYTES:
        raise YamlRefused(
            [YamlIssue(1, 1, f"berkas terlalu besar (lebih dari {MAX_BYTES // 1000} kB)")]
        )
    text = _decode(raw)
    _check_chars(text)
    if user_text:
        _check_bidi(text)
    _check_tabs(text)
    try:
        loader = _StrictComposer(text)
        node = loader.get_single_node()
    except YamlRefused:
        raise
    except yaml.MarkedYAMLError as exc:
        raise YamlRefused([_translate(exc, text)]) from None
    except yaml.YAMLError:
        raise YamlRefused([YamlIssue(1, 1, "sintaks YAML tidak sah")]) from None
    doc = Document(data=None, nfc=user_text)
    if node is not None:
        doc.data = _convert(node, (), doc)
    if doc.issues:
        raise YamlRefused(doc.issues)
    return doc


def _text(node: yaml.ScalarNode, path: Path_, doc: Document) -> str:
    """A scalar's text (NFC for user text); a control character in it is an issue."""
    found = CONTROL_CHAR.search(node.value)
    if found:
        line, col = _mark(node.start_mark)
        message = f"karakter kendali tidak diizinkan (kode U+{ord(found.group()):04X})"
        doc.issues.append(YamlIssue(line, col, message, _CONTROL_HINT, field_name(path)))
    return unicodedata.normalize("NFC", node.value) if doc.nfc else node.value


def _convert(node: yaml.Node, path: Path_, doc: Document) -> Any:
    doc.value_pos[path] = _mark(node.start_mark)
    if isinstance(node, yaml.ScalarNode):
        if not node.style and node.value in NULLS:  # plain: None (Python) or "" (libyaml)
            return None
        return _text(node, path, doc)
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), doc) for i, item in enumerate(node.value)]
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        line, col = _mark(key_node.start_mark)
        if not isinstance(key_node, yaml.ScalarNode):
            doc.issues.append(YamlIssue(line, col, "kunci harus berupa teks sederhana"))
            continue
        key = _text(key_node, (*path, key_node.value), doc)
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
