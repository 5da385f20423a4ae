"""Imported once in the forkserver the render workers fork from (`build.start_forkserver`):
what every worker needs, so each one starts as a fork with it in place instead of importing
it itself, with the lean WeasyPrint classes built (`tools.prepare_lean_html`). WeasyPrint
failing to load (Pango missing) is left for the worker to report (`tools.run_pdf` names the
Debian packages)."""

import contextlib

from generator import build, tools  # noqa: F401  (build: imported for the workers)

with contextlib.suppress(Exception):  # any failure: the worker imports it and reports it
    import weasyprint  # noqa: F401

    tools.prepare_lean_html()
