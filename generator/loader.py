"""Read sop_data/ into a validated `Project`, or fail with every located problem at once.

The only module (with `build` writing outputs and `checklist` keeping its store) that touches
the filesystem on the input side. YAML problems, shape errors from the model and cross-check
findings from `rules` all become `Problem`s printed as ``path:line:col: field: pesan``.
"""

from __future__ import annotations

import contextlib
import copy
import difflib
import hashlib
import json
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from generator import rules
from generator.cache import Cache, cache_key, source_fingerprint
from generator.errors import Problem, Severity, UserError
from generator.identity import PACKAGE_DIR, metrics_identity
from generator.model import (
    ID_PATTERN,
    SLUG_PATTERN,
    Office,
    Sop,
    foreign_char_hint,
    is_reserved_name,
)
from generator.paths import outside, outside_problem
from generator.yamlread import Document, YamlRefused, field_name, read_yaml

OFFICE_FILE = "instansi.yaml"
SOP_DIR = "sop"
FORMS_DIR = "formulir"
MAX_LOGO_BYTES = 2_000_000
UNION_TAGS = ("[key]", "[ya-tidak]", "[label]")


@dataclass(frozen=True)
class Project:
    """Everything read from one data folder, validated."""

    data_dir: Path
    office: Office
    sops: tuple[Sop, ...]
    logo: bytes | None = None
    warnings: tuple[Problem, ...] = field(default_factory=tuple)

    def sop(self, slug: str) -> Sop:
        """The SOP with this slug; a UserError naming the known slugs otherwise."""
        for sop in self.sops:
            if sop.slug == slug:
                return sop
        known = ", ".join(s.slug for s in self.sops) or "-"
        raise UserError(
            f"SOP '{slug}' tidak ada di {self.data_dir / SOP_DIR}; SOP yang ada: {known}"
        )

    def related_sop(self, item_text: str) -> Sop | None:
        """The SOP a keterkaitan item names by slug or nama (case-insensitive, a leading
        "SOP " ignored), or None when the item names no SOP of this project."""
        return related_sop(self.sops, item_text)


def related_key(text: str) -> str:
    """What a keterkaitan item is matched by: spacing and case folded, a leading "SOP "
    dropped."""
    key = " ".join(text.split()).casefold()
    return key[4:] if key.startswith("sop ") else key


def related_keys(sop: Sop) -> tuple[str, str]:
    """The keys (`related_key`) of the items that name `sop`: its slug and its nama."""
    return sop.slug.casefold(), related_key(sop.name)


def related_text(sops: tuple[Sop, ...] | list[Sop], item_text: str) -> str:
    """A keterkaitan item as the sheet prints it: the nama and nomor of the SOP it names by
    slug or nama ("Surat Keterangan Pindah (474/SKP/PLT/2022)"), else the item as written."""
    other = related_sop(sops, item_text)
    return f"{other.name} ({other.number})" if other is not None else item_text


def related_sop(sops: tuple[Sop, ...] | list[Sop], item_text: str) -> Sop | None:
    """The SOP of `sops` whose slug or nama is `item_text` (see `Project.related_sop`)."""
    key = related_key(item_text)
    if not key:
        return None
    for sop in sops:
        if key in related_keys(sop):
            return sop
    return None


# --------------------------------------------------------------------------- locating


def _resolve(doc: Document, loc: tuple[str | int, ...]) -> tuple[tuple[str | int, ...], bool]:
    """The longest existing path along `loc`, skipping union tags; True if all of it exists."""
    path: tuple[str | int, ...] = ()
    complete = True
    for part in loc:
        candidate = (*path, part)
        if candidate in doc.value_pos:
            path = candidate
        elif not _is_union_tag(part):
            complete = False
    return path, complete


def _is_union_tag(part: str | int) -> bool:
    """Pydantic loc parts that name a union branch or a dict key, not a YAML node."""
    return part in ("list", "map") or (isinstance(part, str) and part in UNION_TAGS)


def _model_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model class that validates the mapping at `loc` (for key suggestions)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or _is_union_tag(part):
            continue
        fields = {f.alias or name: f for name, f in current.model_fields.items()}
        if part not in fields:
            return None
        current = _find_model(fields[part].annotation)
        if current is None:
            return None
    return current


def _find_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (
        typing.Union,
        types.UnionType,
        list,
        dict,
        typing.Annotated,
    ):
        for arg in typing.get_args(annotation):
            found = _find_model(arg)
            if found is not None:
                return found
    return None


def _unknown_key_hint(model: type[BaseModel], loc: tuple[str | int, ...]) -> str:
    owner = _model_at(model, loc[:-1])
    if owner is None:
        return ""
    allowed = [f.alias or n for n, f in owner.model_fields.items()]
    by_english = {n: f.alias for n, f in owner.model_fields.items() if f.alias}
    key = str(loc[-1])
    close = difflib.get_close_matches(key.lower(), allowed, n=1, cutoff=0.6)
    if key.lower() in by_english:  # the English name of the field, e.g. 'yes' for 'ya'
        close = [by_english[key.lower()]]
    if close:
        return f"mungkin maksud Anda '{close[0]}'?"
    return "kunci yang dikenal: " + ", ".join(allowed)


_MESSAGES = {
    "missing": ("wajib diisi", ""),
    "string_type": ("harus berupa teks", "tulis teks biasa, beri tanda kutip bila perlu"),
    "list_type": ("harus berupa daftar", "tulis setiap butir pada baris sendiri diawali '- '"),
    "dict_type": ("harus berupa pemetaan 'kunci: nilai'", "lihat contoh di sop new"),
    "model_type": ("harus berupa pemetaan 'kunci: nilai'", "lihat contoh di sop new"),
    "model_attributes_type": ("harus berupa pemetaan 'kunci: nilai'", "lihat contoh di sop new"),
    "too_short": ("tidak boleh kosong", "isi paling sedikit satu butir"),
    "string_pattern_mismatch": (
        "id tidak sah",
        "gunakan huruf kecil a-z, angka dan garis bawah, diawali huruf, mis. kasubbag_umum",
    ),
}


def _problem_from_error(
    error: dict[str, Any],
    doc: Document,
    source: str,
    model: type[BaseModel],
    office: Office | None = None,
) -> Problem:
    loc = tuple(error["loc"])
    kind = error["type"]
    path, complete = _resolve(doc, loc)
    real_loc = tuple(p for p in loc if not _is_union_tag(p))
    if not complete and path and all(isinstance(p, int) for p in real_loc[len(path) :]):
        real_loc = path  # "pelaksana: Kasi X" was read as a list of one: name what was written
    on_key = kind == "extra_forbidden" or "[key]" in loc
    line, col = doc.position(path, key=on_key)
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        message = f"kunci '{real_loc[-1]}' tidak dikenal"
        hint, foreign = _unknown_key_hint(model, real_loc), foreign_char_hint(str(real_loc[-1]))
        if foreign:
            hint = f"{hint} {foreign}" if hint.startswith("mungkin") else foreign
    elif kind == "missing":
        message, hint = "wajib diisi", f"tambahkan '{real_loc[-1]}:' di sini"
    elif kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace(" or ", ", ").replace("'", "")
        message, hint = f"harus salah satu dari: {expected}", "tulis salah satunya persis"
    elif kind == "string_pattern_mismatch" and ctx.get("pattern") == ID_PATTERN:
        message = f"id '{error.get('input')}' tidak sah"
        hint = (
            foreign_char_hint(str(error.get("input")))
            or _id_suggestion(real_loc, str(error.get("input")), doc, office)
            or _MESSAGES[kind][1]
        )
    elif kind == "string_pattern_mismatch":
        message, hint = f"nilai '{error.get('input')}' tidak sesuai bentuk yang diminta", ""
    elif kind == "list_type" and real_loc[-1] == "pelaksana" and real_loc[0] == "langkah":
        message, hint = "harus berupa id lajur atau daftar id lajur", "mis. pelaksana: staf"
    elif "hint" in ctx:
        message, hint = error["msg"], ctx["hint"]
    else:
        message, hint = _MESSAGES.get(kind, (f"nilai tidak sah ({kind})", ""))
    return Problem(source, line, col, field_name(real_loc), message, hint)


def _lane_labels(data: Any) -> dict[str, str]:
    lanes = data.get("pelaksana") if isinstance(data, dict) else None
    if not isinstance(lanes, dict):
        return {}
    labels = {}
    for key, value in lanes.items():
        label = value.get("label") if isinstance(value, dict) else value
        if isinstance(key, str) and isinstance(label, str):
            labels[key] = label
    return labels


def _id_suggestion(
    loc: tuple[str | int, ...], written: str, doc: Document, office: Office | None
) -> str:
    """A suggestion for an id written by its label: a lane in a step's pelaksana, an official
    in disahkan_oleh."""
    if loc[:1] == ("langkah",) and "pelaksana" in loc:
        hint = rules.lane_suggestion(written, _lane_labels(doc.data))
    elif loc == ("disahkan_oleh",) and office is not None:
        hint = rules.official_suggestion(written, office)
    else:
        hint = ""
    return hint.strip()


def _finding_to_problem(finding: rules.Finding, doc: Document, source: str) -> Problem:
    path, _ = _resolve(doc, finding.loc)
    line, col = doc.position(path, key=bool(path) and isinstance(path[-1], str))
    return Problem(
        source, line, col, field_name(finding.loc), finding.message, finding.hint, finding.severity
    )


# --------------------------------------------------------------------------- reading


FIT_FORMAT = "sheet-fit-1"  # bump when the stored findings change shape


@dataclass(frozen=True)
class CachedFit:
    """`rules.check_sheet_fit` remembered on disk by the SOP's content, the office, the code and
    the fonts and hyphenation it measures with. The check lays out the sheet's columns and
    rows, the dearest part of loading: a fresh process loading unchanged SOPs does not lay
    them out again. Without a cache folder, or when it cannot be written, the check runs."""

    cache: Cache | None

    def __call__(self, sop: Sop, office: Office) -> list[rules.Finding]:
        if self.cache is None:
            return rules.check_sheet_fit(sop, office)
        key = cache_key(
            [
                FIT_FORMAT,
                source_fingerprint(PACKAGE_DIR),
                metrics_identity(),
                sop.model_dump_json(),
                office.model_dump_json(),
            ]
        )
        found = _findings_from_json(self.cache.get(key))
        if found is None:
            found = rules.check_sheet_fit(sop, office)
            with contextlib.suppress(OSError):
                self.cache.put(key, _findings_to_json(found))
        return found


def _findings_to_json(found: list[rules.Finding]) -> bytes:
    rows = [[list(f.loc), f.message, f.hint, f.severity.value] for f in found]
    return json.dumps(rows, ensure_ascii=False).encode("utf-8")


def _findings_from_json(raw: bytes | None) -> list[rules.Finding] | None:
    """The findings stored by `_findings_to_json`, or None (absent or unreadable)."""
    if raw is None:
        return None
    try:
        rows = json.loads(raw)
        return [
            rules.Finding(tuple(loc), str(message), str(hint), Severity(severity))
            for loc, message, hint, severity in rows
        ]
    except (ValueError, TypeError):
        return None


CheckedSop = tuple[Document | None, Sop | None, list[Problem]]
# The last check of each SOP file in this process, by its path: (its key, the SOP and the
# problems). A rebuild under `mkdocs serve` checks again only the files that changed; the key
# holds the file's bytes, the office and the form types, everything the check reads.
_CHECKED: dict[str, tuple[tuple, Sop | None, tuple[Problem, ...]]] = {}


def _checked_sop_file(
    slug: str,
    path: Path,
    office: Office | None,
    office_key: str,
    known_forms: list[str] | None,
    fit: rules.FitCheck,
) -> CheckedSop:
    """The YAML document (None when remembered or unreadable), the validated SOP (None when
    invalid) and the problems of one SOP file, remembered in-process while the file, the
    office and the form types are the same."""
    try:
        raw = path.read_bytes()
    except OSError:
        return _check_sop_file(slug, path, office, known_forms, None, fit)
    key = (
        hashlib.sha256(raw).digest(),
        office_key,
        tuple(known_forms) if known_forms is not None else None,
        slug,
    )
    hit = _CHECKED.get(str(path))
    if hit is not None and hit[0] == key:
        return None, hit[1], list(hit[2])
    doc, sop, found = _check_sop_file(slug, path, office, known_forms, raw, fit)
    _CHECKED[str(path)] = (key, sop, tuple(found))
    return doc, sop, found


def _check_sop_file(
    slug: str,
    path: Path,
    office: Office | None,
    known_forms: list[str] | None,
    raw: bytes | None,
    fit: rules.FitCheck = rules.check_sheet_fit,
) -> CheckedSop:
    """Read (unless its bytes `raw` were read already), validate and cross-check one SOP file
    (`load_project`'s work for one SOP)."""
    source = str(path)
    problems: list[Problem] = []
    doc = _read_document(path, source, problems, "'nomor: ...', 'nama: ...'", raw)
    if doc is None:
        return None, None, problems
    sop = _validate(Sop, doc, source, problems, office)
    if sop is None:
        # Shape errors and cross-checks in one run: check what can be checked.
        standin = stand_in_sop(doc.data)
        if standin is not None:
            problems += [
                _finding_to_problem(f, doc, source)
                for f in rules.check_sop(standin.sop, office, known_forms, standin.skip)
                if f.severity is Severity.ERROR and not _touches(f.loc, standin.repaired)
            ]
        return doc, None, problems
    sop = sop.with_slug(slug)
    problems += [
        _finding_to_problem(f, doc, source)
        for f in rules.check_sop(sop, office, known_forms, fit=fit)
    ]
    return doc, sop, problems


def _read_document(
    path: Path, source: str, problems: list[Problem], example: str, raw: bytes | None = None
) -> Document | None:
    """The YAML document of a data file (its bytes `raw` when already read); `example` shows
    its first keys in the hint."""
    try:
        raw = path.read_bytes() if raw is None else raw
    except OSError as exc:
        problems.append(Problem(source, 0, 0, "", f"berkas tidak dapat dibaca ({exc.strerror})"))
        return None
    try:
        doc = read_yaml(raw, user_text=True)
    except YamlRefused as exc:
        problems += [
            Problem(source, i.line, i.column, i.field, i.message, i.hint) for i in exc.issues
        ]
        return None
    if not isinstance(doc.data, dict):
        line, col = doc.position(())
        problems.append(
            Problem(
                source,
                line,
                col,
                "",
                "berkas kosong" if doc.data is None else "isi berkas harus berupa pemetaan",
                f"tulis pasangan 'kunci: nilai', satu per baris, mis. {example}",
            )
        )
        return None
    return doc


def _without_consequences(found: list[Problem]) -> list[Problem]:
    """Drop "missing key" problems explained by a misspelt key at the same level."""
    suggested = {
        (p.field.rpartition(".")[0], p.hint.split("'")[1])
        for p in found
        if p.hint.startswith("mungkin maksud Anda '")
    }
    return [
        p
        for p in found
        if not (p.message == "wajib diisi" and p.field.rpartition(".")[::2] in suggested)
    ]


def _validate(
    model: type[BaseModel],
    doc: Document,
    source: str,
    problems: list[Problem],
    office: Office | None = None,
) -> Any | None:
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        found = [_problem_from_error(e, doc, source, model, office) for e in exc.errors()]
        problems += _without_consequences(found)
        return None


@dataclass(frozen=True)
class Standin:
    """An SOP with a shape error, its broken values stood in for so the cross-checks can
    still run: `repaired` are the key paths stood in for (their findings are dropped),
    `skip` the checks (`rules.SKIPPABLE`) whose input was stood in for."""

    sop: Sop
    repaired: tuple[tuple[str | int, ...], ...]
    skip: frozenset[str]


_PLACEHOLDERS: dict[str, tuple[Any, str]] = {
    "nomor": ("?", ""),
    "nama": ("?", ""),
    "unit": ("?", ""),
    "tanggal_pembuatan": ("2000-01-01", "dates"),
    "tanggal_efektif": ("2000-01-01", "dates"),
    "disahkan_oleh": ("x", "official"),
}
_FLOW_KEYS = ("keputusan", "lanjut", "selesai")


def _stand_in_step(
    steps: list[Any], loc: tuple[str | int, ...], lane: str
) -> tuple[tuple[str | int, ...], set[str]]:
    i = loc[1]
    assert isinstance(i, int)
    if len(loc) == 2 or not isinstance(steps[i], dict):
        steps[i] = {"uraian": "?", "pelaksana": lane}
        return ("langkah", i), {"flow", "unused_lanes"}
    key, step = loc[2], steps[i]
    if key == "uraian":
        step["uraian"] = "?"
    elif key == "pelaksana":
        step["pelaksana"] = lane
        return ("langkah", i, key), {"unused_lanes"}
    else:
        step.pop(key, None)
    return ("langkah", i, key), {"flow"} if key in _FLOW_KEYS else set()


def _stand_in(data: Any, errors: list[dict[str, Any]]) -> tuple[Any, list[Any], set[str]] | None:
    """A copy of an SOP's data with every value a shape error points at stood in for; None
    when the data is too broken (no steps, no usable lane)."""
    data = copy.deepcopy(data)
    lanes = [k for k in _lane_labels(data) if re.fullmatch(ID_PATTERN, k)]
    steps = data.get("langkah")
    if not lanes or not isinstance(steps, list) or not steps:
        return None
    repaired: list[Any] = []
    skip: set[str] = set()
    for error in errors:
        loc = tuple(p for p in error["loc"] if not _is_union_tag(p))
        if not loc:
            return None
        head = loc[0]
        if head == "langkah":
            if len(loc) < 2 or not isinstance(loc[1], int):
                return None
            where, skipped = _stand_in_step(steps, loc, lanes[0])
        elif head == "pelaksana":
            if len(loc) < 2 or not isinstance(data["pelaksana"], dict):
                return None
            if loc[1] in lanes:
                data["pelaksana"][loc[1]] = "?"
            else:
                data["pelaksana"].pop(loc[1], None)
            where, skipped = ("pelaksana", loc[1]), {"lanes"}
        elif head in _PLACEHOLDERS:
            value, check = _PLACEHOLDERS[str(head)]
            data[head] = value
            where, skipped = (head,), {check} - {""}
        else:
            data.pop(head, None)
            where, skipped = (head,), set()
        repaired.append(where)
        skip |= skipped
    return data, repaired, skip


def stand_in_sop(data: Any) -> Standin | None:
    """The SOP of `data` (which fails validation) with its broken values stood in for, or
    None when it cannot be made whole (see `_stand_in`)."""
    repaired: list[Any] = []
    skip: set[str] = set()
    for _ in range(3):  # a stand-in may uncover an error hidden behind the first ones
        try:
            sop = Sop.model_validate(data)
        except ValidationError as exc:
            result = _stand_in(data, exc.errors())
            if result is None:
                return None
            data, more, skipped = result
            repaired += more
            skip |= skipped
        else:
            return Standin(sop, tuple(repaired), frozenset(skip)) if repaired else None
    return None


def _touches(loc: tuple[str | int, ...], repaired: tuple[tuple[str | int, ...], ...]) -> bool:
    return any(loc[: len(r)] == r or r[: len(loc)] == loc for r in repaired if loc)


def _read_logo(data_dir: Path, office: Office, source: str, doc: Document) -> Problem | bytes:
    line, col = doc.position(("logo",))
    logo = (data_dir / office.logo).resolve()
    if data_dir.resolve() not in logo.parents:
        return Problem(source, line, col, "logo", "logo harus berada di dalam folder data")
    if not re.search(r"\.(png|jpe?g|svg)$", office.logo, re.IGNORECASE):
        return Problem(source, line, col, "logo", "logo harus berkas PNG, JPEG atau SVG")
    if not logo.is_file():
        return Problem(
            source,
            line,
            col,
            "logo",
            f"berkas logo '{office.logo}' tidak ditemukan",
            f"letakkan berkas di {data_dir / office.logo} atau hapus kunci 'logo'",
        )
    data = logo.read_bytes()
    if len(data) > MAX_LOGO_BYTES:
        return Problem(source, line, col, "logo", "berkas logo terlalu besar (lebih dari 2 MB)")
    return data


def _sop_files(sop_dir: Path, problems: list[Problem]) -> list[tuple[str, Path]]:
    found = []
    for path in sorted(sop_dir.iterdir()) if sop_dir.is_dir() else []:
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.suffix in (".yaml", ".yml") and outside(path, sop_dir.parent):
            problems.append(outside_problem(path, "berkas SOP"))
            continue
        if path.suffix == ".yml":
            problems.append(
                Problem(str(path), 0, 0, "", "akhiran berkas SOP harus .yaml", "ganti nama berkas")
            )
        elif path.suffix == ".yaml":
            if is_reserved_name(path.stem):
                problems.append(
                    Problem(
                        str(path),
                        0,
                        0,
                        "",
                        f"nama berkas '{path.name}' adalah nama perangkat yang dicadangkan Windows",
                        "beri nama yang menjelaskan SOP-nya, mis. surat-masuk.yaml",
                    )
                )
            elif not re.fullmatch(SLUG_PATTERN, path.stem):
                problems.append(
                    Problem(
                        str(path),
                        0,
                        0,
                        "",
                        f"nama berkas '{path.name}' tidak sah",
                        foreign_char_hint(path.stem)
                        or "gunakan huruf kecil, angka dan tanda hubung, mis. surat-masuk.yaml",
                    )
                )
            else:
                found.append((path.stem, path))
    return found


def list_form_types(templates_dir: Path | str) -> list[str]:
    """Names of the form types an office has: templates/formulir/<name>.html."""
    folder = Path(templates_dir) / FORMS_DIR
    return sorted(p.stem for p in folder.glob("*.html")) if folder.is_dir() else []


def load_project(
    data_dir: Path | str,
    templates_dir: Path | str | None = None,
    cache_dir: Path | str | None = None,
) -> Project:
    """Read and validate the data folder; raise UserError with every problem found.

    With `templates_dir`, every step's `formulir` is checked against the form types there.
    With `cache_dir` (the build's cache folder), the sheet-fit check of an SOP is taken from
    there when the SOP and the office are unchanged (`CachedFit`).
    """
    data_dir = Path(data_dir)
    known_forms = list_form_types(templates_dir) if templates_dir is not None else None
    problems: list[Problem] = []
    office_path = data_dir / OFFICE_FILE
    office_source = str(office_path)
    office: Office | None = None
    logo: bytes | None = None
    if office_path.is_file() and outside(office_path, data_dir):
        problems.append(outside_problem(office_path, "berkas instansi"))
    elif not office_path.is_file():
        problems.append(
            Problem(
                office_source,
                0,
                0,
                "",
                "berkas instansi.yaml tidak ditemukan",
                "jalankan perintah dari folder proyek, atau beri --data FOLDER",
            )
        )
    else:
        office_doc = _read_document(
            office_path, office_source, problems, "'pemerintah: ...', 'nama: ...'"
        )
        if office_doc is not None:
            office = _validate(Office, office_doc, office_source, problems)
        if office is not None and office.logo:
            result = _read_logo(data_dir, office, office_source, office_doc)
            if isinstance(result, Problem):
                problems.append(result)
            else:
                logo = result

    sops: list[Sop] = []
    files = _sop_files(data_dir / SOP_DIR, problems)
    if not files and not problems:
        problems.append(
            Problem(
                str(data_dir / SOP_DIR),
                0,
                0,
                "",
                "belum ada berkas SOP",
                "buat satu dengan: sop new <nama-sop>",
            )
        )
    office_key = office.model_dump_json() if office is not None else ""
    fit = CachedFit(Cache(Path(cache_dir)) if cache_dir is not None else None)
    paths: dict[str, Path] = {}
    for slug, path in files:
        _doc, sop, found = _checked_sop_file(slug, path, office, office_key, known_forms, fit)
        problems += found
        if sop is not None:
            paths[slug] = path
            sops.append(sop)
    for slug, findings in rules.check_unique_numbers(sops).items():
        source = str(paths[slug])
        doc = _read_document(paths[slug], source, problems, "'nomor: ...', 'nama: ...'")
        if doc is not None:
            problems += [_finding_to_problem(f, doc, source) for f in findings]

    errors = [p for p in problems if p.is_error]
    warnings = tuple(sorted(p for p in problems if not p.is_error))
    if errors or office is None:
        raise UserError(sorted(problems))
    return Project(data_dir, office, tuple(sops), logo, warnings)
