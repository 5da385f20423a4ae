"""scripts/system-deps.sh: a user who is not root is told what to install, nothing is run.

Run as root, the tests run the script as `nobody`, from a copy in a world-readable temporary
folder: the checkout may sit under a folder `nobody` cannot enter (`mktemp -d` makes 0700).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

SOURCE = ROOT / "scripts" / "system-deps.sh"
AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
MISSING = "sop-paket-yang-tidak-ada"


@pytest.fixture(scope="module")
def script() -> Iterator[Path]:
    """The set-up script copied into a fresh folder anyone may read and enter."""
    folder = Path(tempfile.mkdtemp(prefix="sop-deps-"))
    try:
        folder.chmod(0o755)
        copy = folder / SOURCE.name
        shutil.copyfile(SOURCE, copy)
        copy.chmod(0o755)
        yield copy
    finally:
        shutil.rmtree(folder)


def _run(script: Path, *args: str, extra: str = "") -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "SOP_SYSTEM_PACKAGES_EXTRA": extra}
    prefix = AS_NOBODY if os.geteuid() == 0 else []
    return subprocess.run(
        [*prefix, str(script), *args], env=env, capture_output=True, text=True, timeout=60, cwd="/"
    )


@pytest.mark.parametrize("mode", ["site", "test"])
def test_non_root_is_told_the_missing_package_and_the_command(script: Path, mode: str) -> None:
    done = _run(script, mode, extra=f"{MISSING} graphviz")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"Paket sistem belum terpasang: {MISSING}",
        f"Pasang sebagai root:  apt-get install {MISSING}",
        "(System packages missing; install them as root with the command above.)",
    ]


def test_nothing_missing_is_silent_success(script: Path) -> None:
    done = _run(script, "test")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_unknown_mode_is_refused(script: Path) -> None:
    done = _run(script, "semua")
    assert done.returncode == 2
    assert done.stderr.startswith("usage: ")
