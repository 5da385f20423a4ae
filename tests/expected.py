"""Compare rendered text with committed expected files.

Regenerate every expected file with `make expected` (SOP_UPDATE_EXPECTED=1) and review the
change with `git diff tests/expected`.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

EXPECTED = Path(__file__).resolve().parent / "expected"


def assert_matches_expected(actual: str, name: str) -> None:
    """Assert `actual` equals tests/expected/<name>; rewrite it when SOP_UPDATE_EXPECTED=1."""
    path = EXPECTED / name
    if os.environ.get("SOP_UPDATE_EXPECTED") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"missing expected file {path}; run `make expected` and review"
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=f"expected/{name}",
                tofile="actual",
            )
        )
        raise AssertionError(f"output differs from expected/{name}:\n{diff[:6000]}")
