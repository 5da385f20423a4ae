"""scripts/system-deps.sh: a user who is not root is told what to install, nothing is run."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.conftest import ROOT

SCRIPT = ROOT / "scripts" / "system-deps.sh"
AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
MISSING = "sop-paket-yang-tidak-ada"


def _run(*args: str, extra: str = "") -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "SOP_SYSTEM_PACKAGES_EXTRA": extra}
    prefix = AS_NOBODY if os.geteuid() == 0 else []
    return subprocess.run(
        [*prefix, str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("mode", ["site", "test"])
def test_non_root_is_told_the_missing_package_and_the_command(mode: str) -> None:
    done = _run(mode, extra=f"{MISSING} graphviz")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"Paket sistem belum terpasang: {MISSING}",
        f"Pasang sebagai root:  apt-get install {MISSING}",
        "(System packages missing; install them as root with the command above.)",
    ]


def test_nothing_missing_is_silent_success() -> None:
    done = _run("test")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_unknown_mode_is_refused() -> None:
    done = _run("semua")
    assert done.returncode == 2
    assert done.stderr.startswith("usage: ")
