"""Imported once in the forkserver the render workers fork from (`build.start_forkserver`):
what every worker needs, so each one starts as a fork with it in place instead of importing
it itself. WeasyPrint failing to load (Pango missing) is left for the worker to report
(`tools.run_pdf` names the Debian packages)."""

import contextlib

from generator import build  # noqa: F401

with contextlib.suppress(Exception):  # any failure: the worker imports it and reports it
    import weasyprint  # noqa: F401
