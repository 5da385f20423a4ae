"""The site build: every file the SOP site adds to MkDocs, as a mapping of site path -> bytes.

`build_site` serves a build whose every input is unchanged from the site's memo
(`site_files.remembered_site`: nothing loaded, no renderer imported); otherwise it makes the
site (`site_pages`: the same `build.render_project` as `sop build`, then the pages) and
remembers it. Also the error page of live preview and the staged site folder with its
completion marker. Knows nothing of MkDocs: the plugin in `mkdocs_plugin` only hands these
files over, so a move away from MkDocs costs one module.
"""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator import outdir
from generator.cache import Cache, DamagedEntryError
from generator.errors import UserError, storage_error
from generator.site_files import (
    DOCUMENT_STORE,
    KEPT,
    SiteBuild,
    SiteFiles,
    clean_store,
    memo_slot,
    remember_site,
    remembered_site,
    site_key,
    stored_digest,
)


def build_site(
    data_dir: Path,
    templates_dir: Path,
    cache_dir: Path | None,
    directory_urls: bool = True,
    defer_pdfs: bool = False,
) -> SiteBuild:
    """The site's files: from the memo when every input is as at the last complete build
    (`site_files.site_key`), else made (`site_pages.site_files_of`) and remembered. A cache
    entry damaged after it was looked up (reported and removed) makes the build start once
    more, rendering that SOP again; a second failure, or any other disk error, is a UserError
    naming the file. Raises UserError for bad data or templates."""
    try:
        key = _inputs_key(data_dir, templates_dir, cache_dir, directory_urls)
        if key is None or cache_dir is None:
            return _made_site(data_dir, templates_dir, cache_dir, directory_urls, defer_pdfs)
        cache, slot = Cache(cache_dir), memo_slot(data_dir, templates_dir, directory_urls)
        store = Path(cache_dir) / DOCUMENT_STORE
        site = remembered_site(cache, slot, key, store)
        if site is not None:
            clean_store(store)
            return site
        site = _made_site(data_dir, templates_dir, cache_dir, directory_urls, defer_pdfs)
        # Remembered only when no input changed while the site was made: what was read may
        # be the edited file, which must not be served under the key taken before it.
        if _inputs_key(data_dir, templates_dir, cache_dir, directory_urls) == key:
            with contextlib.suppress(OSError):  # the memo is a shortcut: the site is made anyway
                remember_site(cache, slot, key, site)
        return site
    except OSError as exc:
        what = "berkas situs tidak dapat dibaca"
        raise storage_error(exc, exc.filename or str(cache_dir), what, KEPT) from None


def _inputs_key(
    data_dir: Path, templates_dir: Path, cache_dir: Path | None, directory_urls: bool
) -> str | None:
    """`site_key`, or None without a cache folder or when an input cannot be read (the full
    build then reports it, located, where it reads it)."""
    if cache_dir is None:
        return None
    try:
        return site_key(data_dir, templates_dir, directory_urls, cache_dir)
    except (OSError, UserError):  # UserError: a tool or font missing, reported by the build
        return None


def _made_site(
    data_dir: Path,
    templates_dir: Path,
    cache_dir: Path | None,
    directory_urls: bool,
    defer_pdfs: bool,
) -> SiteBuild:
    from generator import site_pages  # every renderer: imported only when the memo misses

    try:
        return site_pages.site_files_of(
            data_dir, templates_dir, cache_dir, directory_urls, defer_pdfs
        )
    except DamagedEntryError:
        return site_pages.site_files_of(
            data_dir, templates_dir, cache_dir, directory_urls, defer_pdfs
        )


# --------------------------------------------------------------------------- live preview

ERROR_TITLE = "Data SOP belum dapat dibangun"


def problem_report(error: UserError) -> str:
    """The lines `sop check` prints for `error`: every problem, then the count."""
    errors = sum(p.is_error for p in error.problems)
    return f"{error.format()}\n{errors} galat, {len(error.problems) - errors} peringatan"


def error_page(error: UserError) -> str:
    """The Markdown page `mkdocs serve` shows while the data or templates have errors.

    Built without the office's templates (they may be what is broken); every text escaped.
    """
    report = html.escape(problem_report(error), quote=False)
    return (
        "---\nhide:\n  - navigation\n  - toc\n---\n\n"
        f"# {ERROR_TITLE}\n\n"
        '<div class="sop-galat">\n'
        "<p>Situs belum dapat dibangun ulang karena ada galat pada berkas SOP atau templat. "
        "Perbaiki berkas yang disebut di bawah (nama berkas:baris:kolom) lalu simpan; "
        "halaman ini dimuat ulang sendiri dan menampilkan halaman yang benar setelah "
        "semua galat diperbaiki. Pesan yang sama ditampilkan oleh <code>sop check</code>.</p>\n"
        f'<pre class="sop-galat-daftar"><code>{report}</code></pre>\n'
        "</div>\n"
    )


def error_files(
    error: UserError, previous: SiteBuild | None, data_dir: Path | None = None
) -> SiteFiles:
    """The site's files while the data has errors (live preview only): the last good build's
    files with each of its pages replaced by `error_page`. Without a good build yet, the home
    page and the page of every SOP file in `data_dir`/sop/ are the error page."""
    from generator.render import page  # an error page while serving: rare, and heavy

    text = error_page(error).encode("utf-8")
    if previous:
        paths = list(previous.pages)
    else:
        names = sorted(data_dir.glob("sop/*.yaml")) if data_dir else []
        slugs = [p.stem for p in names if re.fullmatch(r"[a-z0-9][a-z0-9-]*", p.stem)]
        paths = ["index.md", *(page.sop_page_path(slug) for slug in slugs)]
    files = previous.files if previous else SiteFiles({})
    return files.with_texts(dict.fromkeys(paths, text))


# --------------------------------------------------------------------------- the output folder

SITE_KIND = "situs"
SITE_HINT = "ubah site_dir di mkdocs.yml, atau pindahkan isi folder itu lebih dulu"


def data_version(data_dir: Path, templates_dir: Path) -> dict[str, object]:
    """What the site is built from, for its marker: every data and template file's sha256
    ('masukan') and one hash of them all ('versi_data'). `sop publish` compares them with the
    folders as they are now, to refuse a site older than its data."""
    digests = outdir.input_digests({"data": Path(data_dir), "templat": Path(templates_dir)})
    return {"versi_data": outdir.manifest_of(digests)[1], "masukan": digests}


@dataclass
class SiteOutput:
    """The site folder being built: staged beside site_dir under its lock (see `outdir`)."""

    staged: outdir.Staged
    inputs: dict[str, object]

    @classmethod
    def begin(
        cls,
        site_dir: Path,
        data_dir: Path,
        templates_dir: Path,
        cache_dir: Path | None,
        docs_dir: Path,
    ) -> SiteOutput:
        """Refuse a site_dir that is not ours, take its lock, make the staging folder (the
        site is built there). Raises UserError or OSError (disk)."""
        inputs = data_version(data_dir, templates_dir)
        protected = {
            **outdir.protected_folders(data_dir, templates_dir, cache_dir),
            "folder docs": Path(docs_dir),
        }
        return cls(outdir.Staged.begin(Path(site_dir), protected, SITE_HINT), inputs)

    @property
    def staging(self) -> Path:
        """Where the site is being written."""
        return self.staged.staging

    @property
    def site_dir(self) -> Path:
        """The real site folder."""
        return self.staged.out

    def commit(self, documents: Mapping[str, Path] | None = None) -> None:
        """Write the completion marker last and switch the site in, in one step.

        `documents` (site path -> store file, `SiteFiles.documents`): a staged file that is
        still a hard link of its store file gets the digest the store file is named by
        (verified when stored), without being read again."""
        known = {}
        for path, source in (documents or {}).items():
            with contextlib.suppress(OSError):
                known[path] = (source.stat().st_ino, stored_digest(source))
        self.staged.commit(SITE_KIND, self.inputs, known=known)

    def abort(self) -> None:
        """Drop the staging folder; the site folder stays as it was."""
        self.staged.abort()
