"""The MkDocs plugin `sop`: a thin adapter over `site.build_site`.

on_config builds the site files (same pipeline and cache as `sop build`), names the site after
the office, sets the logo and watches the data and template folders for `mkdocs serve`;
on_files hands every page and artifact to MkDocs with `File.generated`, writing nothing into
docs/. A user error becomes a `PluginError` carrying the same file:line messages as `sop check`;
a data warning never fails the build, even a strict one: it is logged at info level
("PERINGATAN ...") and shown as a note on the SOP's page. Under `mkdocs serve` a user error
becomes a page instead (`site.error_files`), so the browser shows it and shows the right page
again once the files are fixed. Page titles go to the theme as metadata, which it prints
without decoding entities (see `on_page_content`). The site's links follow
`use_directory_urls`. This is the only module that imports mkdocs.

`mkdocs build` never writes into site_dir directly (`site.SiteOutput`): on_config refuses a
site_dir that is not ours, takes its lock and points MkDocs at a staging folder beside it;
on_post_build (last of all plugins) writes the completion marker and switches the staging in
atomically, unless strict mode will abort; on_build_error drops the staging. `mkdocs serve`
builds into its own temporary folder and is left alone.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.utils import CountHandler

from generator.cache import Cache
from generator.errors import UserError, storage_error
from generator.render.splice import LostTableError
from generator.site import SiteOutput, build_site, error_files, problem_report
from generator.site_files import SiteBuild, SiteFiles, place

if TYPE_CHECKING:
    from generator.render.common import Job

log = get_plugin_logger("sop")
PREVIEW_DIR = "pratinjau"  # under the cache folder, watched by `mkdocs serve`
PREVIEW_TRIGGER = "pdf-selesai"


class SopPluginConfig(base.Config):
    """Options under `- sop:` in mkdocs.yml; folders are relative to mkdocs.yml's folder."""

    data_dir = c.Type(str, default="sop_data")
    templates_dir = c.Type(str, default="templates")
    cache_dir = c.Type(str, default=".sop-cache")


class SopPlugin(BasePlugin[SopPluginConfig]):
    """Adds the Daftar SOP, one page per SOP and every SOP artifact to the site."""

    site: SiteBuild | None = None  # the last good build
    command: str | None = None
    trigger: Path | None = None  # serve: the watched folder a finished background run touches
    pdfs_done = False
    in_flight: dict[str, Job]

    def __init__(self) -> None:
        super().__init__()
        self.in_flight = {}

    failure: UserError | None = None  # the errors of the current build (serve only)
    output: SiteOutput | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Remember the command: `serve` builds into MkDocs' own temporary folder."""
        self.command = command

    def _stage(self, config: MkDocsConfig, data: Path, templates: Path) -> None:
        """Refuse a site_dir that is not ours, lock it, and build into a staging folder."""
        self._drop_output(config)
        site_dir = Path(config.site_dir)
        try:
            self.output = SiteOutput.begin(
                site_dir, data, templates, self._folder(config, "cache_dir"), config.docs_dir
            )
        except UserError as exc:
            raise PluginError(exc.format()) from None
        except OSError as exc:
            error = storage_error(exc, str(site_dir), "situs tidak dapat ditulis", "situs lama")
            raise PluginError(error.format()) from None
        config.site_dir = str(self.output.staging)

    def _drop_output(self, config: MkDocsConfig) -> None:
        if self.output is not None:
            config.site_dir = str(self.output.site_dir)
            self.output.abort()
            self.output = None

    @property
    def serving(self) -> bool:
        """Under `mkdocs serve` (the plugin lives across rebuilds; errors are shown as a page)."""
        return self.command == "serve"

    def _folder(self, config: MkDocsConfig, option: str) -> Path:
        """An option's folder; relative to the working folder when inside it, so messages
        name files exactly as `sop check` run from the same folder does."""
        base_dir = Path(config.config_file_path or ".").resolve().parent
        folder = (base_dir / self.config[option]).resolve()
        return folder.relative_to(Path.cwd()) if folder.is_relative_to(Path.cwd()) else folder

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Build the site files, name the site after the office, watch the input folders."""
        data = self._folder(config, "data_dir")
        templates = self._folder(config, "templates_dir")
        for folder in (data, templates):
            if str(folder.resolve()) not in config.watch:
                config.watch.append(str(folder.resolve()))
        if not self.serving:
            self._stage(config, data, templates)
        try:
            cache = self._folder(config, "cache_dir")
            urls = config.use_directory_urls
            self.site = build_site(data, templates, cache, urls, defer_pdfs=self.serving)
            self.failure = None
        except UserError as exc:
            if not self.serving:
                raise PluginError(exc.format()) from None
            self.failure = exc  # shown as a page; a failed build would hang the browser
            log.info("galat pada data SOP (ditampilkan di peramban):\n" + problem_report(exc))
            if self.site:  # keep the last good build's name and logo
                self._name_site(config, self.site)
            return config
        # A data warning never fails the site (`sop check` passes with it too): logged at
        # info level, which `strict` leaves alone, and shown as a note on the SOP's page.
        for problem in self.site.warnings:
            log.info(f"PERINGATAN data SOP (situs tetap dibangun): {problem.format()}")
        self._name_site(config, self.site)
        site = self.site
        log.info(
            f"{site.sop_count} SOP: {site.jobs_run} berkas dirender, {site.cache_hits} dari cache"
        )
        return config

    def _finish_pdfs_later(self, jobs: dict[str, Job], cache: Path) -> None:
        """Live preview: run the PDFs the page went without in the background (into the
        cache), then touch the watched trigger so `mkdocs serve` rebuilds with them. Started
        once the pages are written (`on_post_build`) and at low priority, so the fresh page
        never waits on them."""
        fresh = {path: job for path, job in jobs.items() if path not in self.in_flight}
        self.in_flight.update(fresh)
        log.info(f"pratinjau: {len(fresh)} PDF dibuat di latar belakang")
        worker = threading.Thread(target=self._run_pdfs, args=(fresh, cache), daemon=True)
        worker.start()

    def _run_pdfs(self, jobs: dict[str, Job], cache: Path) -> None:
        """Run the jobs; trigger a rebuild only when they are done. A failure is reported
        and triggers nothing (a rebuild would defer the same PDFs and fail again, without
        end): the next edit tries them again, `mkdocs build` renders them in the foreground."""
        from generator.build import run_jobs  # the renderers: only when PDFs are left to make

        try:
            run_jobs(jobs, Cache(cache), background=True)
        except Exception as exc:  # noqa: BLE001 - reported, the preview goes on
            log.warning(f"pratinjau: PDF gagal dibuat di latar belakang: {exc}")
            return
        finally:
            for path in jobs:
                self.in_flight.pop(path, None)
        self.pdfs_done = True
        self._pull_trigger()

    def _pull_trigger(self) -> None:
        if self.trigger is not None:
            self.trigger.mkdir(parents=True, exist_ok=True)
            (self.trigger / PREVIEW_TRIGGER).write_text(f"{time.time()}\n", "utf-8")

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any) -> Any:
        """Watch the preview trigger: a rebuild once background PDFs are in the cache."""
        self.trigger = self._folder(config, "cache_dir").resolve() / PREVIEW_DIR
        self.trigger.mkdir(parents=True, exist_ok=True)
        server.watch(str(self.trigger))
        if self.pdfs_done:  # finished before the watch began
            self._pull_trigger()
        return server

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Put the text of a page's table blocks in their place for the search index (set
        aside from Markdown, `SiteBuild.tables`; the blocks come back in `on_post_page`), and
        give every page its title as metadata, which the theme prints as it is.

        A title taken from a page's heading is HTML text (escaped once, entities kept); the
        theme prints it raw in most places, which is right, but through `striptags` in
        `<title>`, which decodes entities: `&lt;/title&gt;&lt;script&gt;` typed by a clerk would
        come back as markup. The theme prints a metadata title raw everywhere (`<title>`,
        header, search), so it stays text and reads as typed. (The home page's `<title>` is
        the site name alone, escaped in `on_config`.)
        """
        if page.title and "title" not in page.meta and not page.is_homepage:
            page.meta["title"] = page.title
        if self.failure or self.site is None:
            return html
        return self.site.finish_content(page.file.src_uri, html)

    @staticmethod
    def _name_site(config: MkDocsConfig, site: SiteBuild) -> None:
        """The header's title and logo: the office's."""
        # The theme prints site_name both raw (aria-label) and with `| e`; pre-escaped Markup
        # is safe in both places and never escaped twice.
        config.site_name = Markup(escape(site.site_name))
        if site.logo:
            config.theme["logo"] = site.logo

    @event_priority(-100)  # after every other plugin has written its files
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Live preview: start the PDFs the pages went without. Otherwise write the
        completion marker last and switch the new site in, in one step; not when strict mode
        is about to abort on warnings (on_build_error drops it then)."""
        built = self.failure is None and self.site is not None  # this build, not the last good
        if self.serving and built and self.site.pending:
            self._finish_pdfs_later(self.site.pending, self._folder(config, "cache_dir"))
        if self.output is None or _strict_abort_pending(config):
            return
        output, self.output = self.output, None
        try:
            output.commit(self.site.files.documents if self.site else None)
        except OSError as exc:
            error = storage_error(
                exc, str(output.site_dir), "situs tidak dapat ditulis", "situs lama"
            )
            raise PluginError(error.format()) from None
        finally:
            config.site_dir = str(output.site_dir)

    def on_build_error(self, *, error: Exception) -> None:
        """A failed build leaves site_dir as it was: drop the staging folder."""
        if self.output is not None:
            self.output.abort()
            self.output = None

    def on_shutdown(self) -> None:
        """Drop a staging folder a failed build left (normally none)."""
        self.on_build_error(error=Exception("shutdown"))

    @event_priority(100)  # before any plugin that rewrites pages (a minifier, say)
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Put a page's tables and an SOP page's official sheet in place once the page is
        made: Markdown and the search index never see them whole (they would spend ~10x the
        page's own time on them; the index reads each table's text, `splice.stand_in`)."""
        if self.failure or self.site is None:
            return output
        try:
            return self.site.finish_page(page.file.src_uri, output)
        except LostTableError as exc:
            raise PluginError(str(exc)) from None

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Add every generated page and artifact as a virtual file."""
        assert self.site is not None or self.failure is not None
        if self.failure:
            data = self._folder(config, "data_dir")
            generated = error_files(self.failure, self.site, data)
        else:
            generated = self.site.files
        for path in sorted(generated):
            inclusion = (
                InclusionLevel.NOT_IN_NAV
                if path.endswith("index.md") and path != "index.md"
                else InclusionLevel.UNDEFINED
            )
            existing = files.get_file_from_path(path)
            if existing is not None:
                raise PluginError(
                    f"{config.docs_dir}/{path}: berkas ini dibuat oleh plugin sop; "
                    "hapus berkas itu dari folder docs"
                )
            files.append(_site_file(config, generated, path, inclusion))
        return files


class LinkedFile(File):
    """A document of the site: hard-linked from the document store, never copied or read."""

    def copy_file(self, dirty: bool = False) -> None:
        """Put the store file into the site folder (`site_files.place`)."""
        assert self.abs_src_path is not None
        place(Path(self.abs_src_path), Path(self.abs_dest_path))


def _site_file(
    config: MkDocsConfig, files: SiteFiles, path: str, inclusion: InclusionLevel
) -> File:
    """A generated file for MkDocs: a document by its store path, a text by its content."""
    source = files.document(path)
    if source is not None:
        return LinkedFile.generated(config, path, abs_src_path=str(source), inclusion=inclusion)
    return File.generated(config, path, content=files.texts[path], inclusion=inclusion)


def _strict_abort_pending(config: MkDocsConfig) -> bool:
    """True when MkDocs will abort this build after on_post_build (strict mode, warnings)."""
    if not config.strict:
        return False
    handlers = logging.getLogger("mkdocs").handlers
    return any(isinstance(h, CountHandler) and h.get_counts() for h in handlers)
