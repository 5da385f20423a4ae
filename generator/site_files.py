"""The site's files, the document store that keeps them, and the memo of the last site build.

Light on purpose (no model, layout or renderer imported): a site build whose every input is
unchanged is served from its memo (`remembered_site`) without loading a single SOP, so a
no-change `mkdocs build` costs little more than MkDocs itself (issue 20).

The memo is one cache entry per project (data folder, templates folder, link style), replaced
by every complete site build, holding the pages' text and the documents' store names under
the digest of everything the site is made from (`site_key`): the generator's code, the tool
and library versions and the fonts (`identity.code_fingerprint`, every site font's file),
every file of the data and templates folders, the folders' names as given (messages name
them) and the link style. A site that shows cycle states at the build's clock
(`SiteBuild.on_clock`) or lacks PDFs (`pending`) is never remembered.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from generator import fonts, identity
from generator.cache import (
    Cache,
    CachedBytes,
    Verified,
    as_bytes,
    cache_key,
    refresh_time,
    report_damaged,
    write_replacing,
)
from generator.errors import Problem, Severity
from generator.render import splice

if TYPE_CHECKING:
    from generator.render.common import Job

KEPT = "situs lama tidak berubah"


DOCUMENT_STORE = "situs"  # under the cache folder: the site's documents, by content
STORE_MAX_AGE_DAYS = 30.0  # documents no site build used for this long are removed


class SiteFiles(Mapping[str, bytes]):
    """The site's files by site path: texts in memory, documents (PDF, PNG, SVG, form pages)
    as read-only files of the document store, read only when asked for.

    MkDocs gets a document by its path and hard-links it into the site (`place`) instead of
    copying bytes, so a rebuild neither holds nor copies the documents.
    """

    def __init__(self, texts: dict[str, bytes], documents: dict[str, Path] | None = None):
        self.texts = texts
        self.documents = documents or {}

    def __getitem__(self, path: str) -> bytes:
        if path in self.texts:
            return self.texts[path]
        return self.documents[path].read_bytes()

    def __iter__(self) -> Iterator[str]:
        yield from self.texts
        yield from (path for path in self.documents if path not in self.texts)

    def __len__(self) -> int:
        return len(self.texts.keys() | self.documents.keys())

    def document(self, path: str) -> Path | None:
        """The store file holding the document at site path `path` (None: a text)."""
        return None if path in self.texts else self.documents.get(path)

    def with_texts(self, texts: dict[str, bytes]) -> SiteFiles:
        """These files with some texts added or replaced."""
        return SiteFiles({**self.texts, **texts}, self.documents)


def store_path(store: Path, digest: str, suffix: str) -> Path:
    """The store file of content with sha256 `digest` (hex): '<store>/ab/abcd...<suffix>'."""
    return store / digest[:2] / f"{digest}{suffix}"


def stored_digest(target: Path) -> str:
    """The sha256 (hex) a store file is named by (`store_path`)."""
    return target.name.split(".", 1)[0]


def stored_intact(
    target: Path, digest: str, size: int, verified: Verified
) -> os.stat_result | None:
    """The store file's stat when it exists and holds the content of that sha256 and size
    (`Verified.intact`: trusted by its stat, else read in chunks), else None; a file whose
    content changed is reported."""
    try:
        before = target.stat()
        if before.st_size == size and verified.intact(target, before, digest):
            return before
    except FileNotFoundError:
        return None
    report_damaged(target, "isi berubah")
    return None


def store_documents(docs: Mapping[str, bytes | CachedBytes], store: Path) -> dict[str, Path]:
    """Each document written once into `store`, named by the sha256 of its content, read-only
    and never written again (a new version is a new file): site path -> its store file.

    A document found in the cache (`CachedBytes`, verified by the cache in chunks) is read
    only when its store file is missing; its digest comes from the entry's header. A stored
    file is verified against that digest before it is used again (hashed unless its inode,
    size and mtime are as when it was last hashed: `cache.Verified`); one whose content
    differs (changed in place through a site folder's hard link) is reported, and replaced
    by a new file (the changed one keeps its other names). Raises OSError (disk;
    `DamagedEntryError` for a cache entry damaged meanwhile).
    """
    placed: dict[str, Path] = {}
    verified = Verified(store, ctime=False)  # sites link and unlink the store's files
    for path, data in docs.items():
        if isinstance(data, bytes):
            digest, size = hashlib.sha256(data).hexdigest(), len(data)
        else:
            digest, size = data.digest, data.size
        target = store_path(store, digest, PurePosixPath(path).suffix)
        if not reuse_stored(target, digest, size, verified):
            write_replacing(target, as_bytes(data), mode=0o444)  # new: its time is now
        placed[path] = target
    verified.save()
    return placed


def reuse_stored(target: Path, digest: str, size: int, verified: Verified) -> bool:
    """True when the store file `target` holds the content of that sha256 and size
    (`stored_intact`); its time is then moved to now, so `clean_store` keeps it."""
    intact = stored_intact(target, digest, size, verified)
    if intact is not None:
        refresh_time(target, intact)
    return intact is not None


STORE_NAME = re.compile(r"[0-9a-f]{64}")
STORE_SUFFIX = re.compile(r"(\.[A-Za-z0-9_-]{1,16})?")


def stored_documents(listing: Mapping[str, list[Any]], store: Path) -> dict[str, Path] | None:
    """The store files of a remembered site (site path -> [sha256, suffix, size]), each
    verified like `store_documents` verifies a file it uses again; None when one is missing
    or changed (then the site is built again, which replaces it). Raises OSError (disk),
    ValueError for a listing that names no store file (a digest that is not sha256 hex, a
    suffix that is not one: it could lead out of the store)."""
    placed: dict[str, Path] = {}
    verified = Verified(store, ctime=False)
    try:
        for path, (digest, suffix, size) in listing.items():
            if not (STORE_NAME.fullmatch(digest) and STORE_SUFFIX.fullmatch(suffix)):
                raise ValueError(f"not a store file: {digest!r}{suffix!r}")
            target = store_path(store, digest, suffix)
            if not reuse_stored(target, digest, size, verified):
                return None
            placed[path] = target
    finally:
        verified.save()
    return placed


def clean_store(store: Path, max_age_days: float = STORE_MAX_AGE_DAYS) -> int:
    """Remove store files no build used for `max_age_days` (a site holding a hard link keeps
    its own name); at most once a day. Returns how many were removed."""
    return Cache(store).clean_if_due(max_age_days)


def place(source: Path, dest: Path) -> None:
    """Put a store file into a site folder being built: a hard link (nothing copied), or a
    copy where the file system cannot link. Neither the store nor the site ever writes into
    an existing file, so the shared content never changes."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.unlink(missing_ok=True)
    try:
        os.link(source, dest)
    except OSError:
        shutil.copyfile(source, dest)


@dataclass
class SiteBuild:
    """What the site gets: files by site path, pages among them, the header's name and logo,
    and the build's figures (`remembered`: served from the memo, nothing loaded)."""

    files: SiteFiles
    pages: tuple[str, ...]
    logo: str
    site_name: str  # the header title: the office as printed on its SOP sheets
    sop_count: int
    warnings: tuple[Problem, ...]  # the data warnings `sop check` prints
    sheets: dict[str, str]  # page path -> the official sheet's HTML for `splice.insert_sheet`
    # page path -> its table blocks, set aside from its Markdown (`splice.set_tables_aside`)
    tables: dict[str, tuple[str, ...]] = field(default_factory=dict)
    jobs_run: int = 0
    cache_hits: int = 0
    sops_rendered: tuple[str, ...] = ()
    # with `defer_pdfs`: the PDF jobs not in the cache yet ('slug/name'), their files absent
    pending: dict[str, Job] = field(default_factory=dict)
    on_clock: bool = False  # shows cycle states at the build's now: never remembered
    remembered: bool = False
    stand_ins: dict[str, tuple[str, ...]] = field(default_factory=dict)  # `splice.stand_in`s

    def finish_content(self, path: str, html: str) -> str:
        """A page's HTML as Markdown made it, its table blocks' text in their place
        (`splice.stand_in`): what the search index reads."""
        return splice.put_stand_ins(html, self._stand_ins(path))

    def finish_page(self, path: str, html: str) -> str:
        """A page's HTML as MkDocs made it, with its table blocks and its official sheet
        put in place. Raises LostTableError when a table's place is not found."""
        blocks = self.tables.get(path, ())
        html = splice.stand_ins_to_tables(html, blocks, self._stand_ins(path)) if blocks else html
        sheet_html = self.sheets.get(path)
        return splice.insert_sheet(html, sheet_html) if sheet_html else html

    def _stand_ins(self, path: str) -> tuple[str, ...]:
        if path not in self.stand_ins:
            self.stand_ins[path] = tuple(splice.stand_in(b) for b in self.tables.get(path, ()))
        return self.stand_ins[path]

    def markdown(self, path: str) -> str:
        """A page's whole Markdown (its table blocks in place), as an author would see it."""
        return splice.put_tables_back(self.files[path].decode("utf-8"), self.tables.get(path, ()))


# --------------------------------------------------------------------------- the memo

MEMO_FORMAT = "sop-situs-1"  # bump when what the memo holds or its key covers changes


def site_key(
    data_dir: Path, templates_dir: Path, directory_urls: bool, cache_dir: Path | None = None
) -> str:
    """The digest of everything a site build is made from besides the clock (see the module
    doc); a cache folder inside the data folder is not part of it. Raises OSError (a file
    unreadable: the build then reports it where it reads it)."""
    parts = [MEMO_FORMAT, identity.code_fingerprint(), str(data_dir), str(templates_dir)]
    parts += [str(directory_urls), *map(identity.file_identity, site_font_paths())]
    parts += ["data", *identity.folder_digests(data_dir, skip=cache_dir, links_out=False)]
    parts += ["templat", *identity.folder_digests(templates_dir)]  # Jinja follows its links
    return cache_key(parts)


def site_font_paths() -> list[Path]:
    """The Liberation Sans files the site serves (`fonts.site_font_files`)."""
    return list(fonts.site_font_files().values())


def memo_slot(data_dir: Path, templates_dir: Path, directory_urls: bool) -> str:
    """The cache key of a project's one memo entry: its folders (resolved) and link style."""
    folders = [str(Path(data_dir).resolve()), str(Path(templates_dir).resolve())]
    return cache_key([MEMO_FORMAT, "slot", *folders, str(directory_urls)])


def remember_site(cache: Cache, slot: str, key: str, site: SiteBuild) -> None:
    """Keep `site` as the memo of the build of inputs `key` (replacing the last one). Only a
    complete site that does not depend on the clock is kept. Raises OSError (disk)."""
    if site.pending or site.on_clock:
        return
    texts: dict[str, str] = {}
    binaries: dict[str, str] = {}
    for path, data in site.files.texts.items():
        try:
            texts[path] = data.decode("utf-8")
        except UnicodeDecodeError:
            binaries[path] = base64.b64encode(data).decode("ascii")
    memo = {
        "format": MEMO_FORMAT,
        "key": key,
        "pages": list(site.pages),
        "logo": site.logo,
        "site_name": site.site_name,
        "sop_count": site.sop_count,
        "warnings": [[getattr(p, f.name) for f in fields(Problem)] for p in site.warnings],
        "jobs": site.jobs_run + site.cache_hits,
        "texts": texts,
        "binaries": binaries,
        "documents": {
            path: [stored_digest(source), source.suffix, source.stat().st_size]
            for path, source in site.files.documents.items()
        },
        "sheets": site.sheets,
        "tables": site.tables,
    }
    cache.put(slot, json.dumps(memo, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def remembered_site(cache: Cache, slot: str, key: str, store: Path) -> SiteBuild | None:
    """The site remembered for inputs `key`, its documents verified in `store`; None when the
    memo is absent, damaged (reported by the cache), of other inputs or another format, not
    what this code writes (`_checked_memo`), or a document is missing or changed. Raises
    OSError (disk)."""
    raw = cache.get(slot)
    if raw is None:
        return None
    try:
        memo = json.loads(raw)
        if not _checked_memo(memo) or memo["key"] != key:
            return None
        return _site_of_memo(memo, store)
    except OSError:
        raise
    except Exception:  # noqa: BLE001 - not a memo this code wrote: made again, and replaced
        return None


def site_path(path: object) -> bool:
    """True for a path a site file may have: relative posix, no '.', '..' or empty part, no
    backslash or NUL (MkDocs would write '../x' or '/x' outside the site folder)."""
    if not isinstance(path, str) or not path or "\\" in path or "\x00" in path:
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _checked_memo(memo: object) -> bool:
    """True when `memo` has the shape `remember_site` writes: every site path safe
    (`site_path`), every text a string, each document [sha256, suffix, size]."""
    if not isinstance(memo, dict) or memo.get("format") != MEMO_FORMAT:
        return False
    maps = [memo.get(name) for name in ("texts", "binaries", "documents", "sheets", "tables")]
    if not all(isinstance(m, dict) and all(map(site_path, m)) for m in maps):
        return False
    texts, binaries, documents, sheets, tables = maps
    scalars = (memo.get("key"), memo.get("logo"), memo.get("site_name"))
    return (
        all(isinstance(value, str) for value in scalars)
        and type(memo.get("sop_count")) is int
        and type(memo.get("jobs")) is int
        and _strings(memo.get("pages"))
        and all(map(site_path, memo["pages"]))
        and all(isinstance(v, str) for m in (texts, binaries, sheets) for v in m.values())
        and all(_strings(blocks) for blocks in tables.values())
        and all(_document(entry) for entry in documents.values())
        and isinstance(memo.get("warnings"), list)
        and all(_problem(located) for located in memo["warnings"])
    )


def _document(entry: object) -> bool:
    """[sha256, suffix, size] by type; the names are checked where they become a path
    (`stored_documents`)."""
    kinds = (str, str, int)
    return (
        isinstance(entry, list)
        and len(entry) == len(kinds)
        and all(type(v) is k for v, k in zip(entry, kinds, strict=True))
    )


def _problem(located: object) -> bool:
    kinds = (str, int, int, str, str, str, str)
    return (
        isinstance(located, list)
        and len(located) == len(kinds)
        and all(type(v) is k for v, k in zip(located, kinds, strict=True))
        and located[6] in {s.value for s in Severity}
    )


def _site_of_memo(memo: dict[str, Any], store: Path) -> SiteBuild | None:
    documents = stored_documents(memo["documents"], store)
    if documents is None:
        return None
    texts = {path: text.encode("utf-8") for path, text in memo["texts"].items()}
    texts.update({path: base64.b64decode(b, validate=True) for path, b in memo["binaries"].items()})
    warnings = tuple(Problem(*located[:6], Severity(located[6])) for located in memo["warnings"])
    return SiteBuild(
        files=SiteFiles(texts, documents),
        pages=tuple(memo["pages"]),
        logo=memo["logo"],
        site_name=memo["site_name"],
        sop_count=memo["sop_count"],
        warnings=warnings,
        sheets=dict(memo["sheets"]),
        tables={path: tuple(blocks) for path, blocks in memo["tables"].items()},
        cache_hits=memo["jobs"],
        remembered=True,
    )
