"""Every system file and program sop uses comes from a Debian package the set-up installs.

A real run (load, cycle records, every document rendered with Graphviz and WeasyPrint, the site
files with their fonts), with fontconfig seeing only the fonts the set-up installs (as on a
fresh machine), is watched from inside its Python process: every file opened, every
program started and every shared library loaded. Add the programs the tests drive (Chromium,
poppler) and each system path found must belong, by `dpkg -S`, to a package that
`scripts/system-deps.sh test` installs, to one of their dependencies, or to what the README
assumes (python3, git, make and Debian's required packages). A path no package holds, or one
only another package provides (the way `/usr/share/fonts/truetype/liberation2/` comes only with
fonts-liberation2), fails with its name.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from functools import cache
from pathlib import Path

import pytest

from tests.browser import CHROMIUM
from tests.conftest import ROOT, SEED_DATA, TEMPLATES

pytestmark = pytest.mark.slow

SCRIPT = ROOT / "scripts" / "system-deps.sh"
GIVEN = ("python3", "git", "make")  # the README's fresh machine
TEST_PROGRAMS = ("pdfinfo", "pdftotext", "pdftoppm", "mount", "umount", "setpriv")
# Run inside a fresh interpreter: records what the run touches, prints it as JSON.
WATCHED_RUN = """
import json, os, sys
seen = {"open": set(), "exec": set()}
def probing():  # ctypes.util.find_library tries ldconfig, gcc and ld; it works without them
    frame = sys._getframe(2)
    while frame is not None and not frame.f_code.co_filename.endswith("ctypes/util.py"):
        frame = frame.f_back
    return frame is not None
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes)):
        seen["open"].add(os.fsdecode(args[0]))
    elif event == "subprocess.Popen" and not probing():
        seen["exec"].add(os.fsdecode(args[0] if args[0] is not None else args[1][0]))
sys.addaudithook(hook)
from pathlib import Path
from generator import cli
from generator.site import build_site
data = Path(sys.argv[1])
assert cli.main(["run", "start", "evaluasi-kinerja-kecamatan", "--data", str(data)]) == 0
assert cli.main(["run", "list", "--data", str(data)]) == 0
assert cli.main(["check", "--data", str(data), "--templates", sys.argv[2]]) == 0
build_site(data, Path(sys.argv[2]), None)
maps = {line.split(None, 5)[5].strip() for line in open("/proc/self/maps") if "/" in line}
print(json.dumps({k: sorted(v) for k, v in seen.items()} | {"maps": sorted(maps)}))
"""


def set_up_packages() -> set[str]:
    """The packages `scripts/system-deps.sh test` installs (its two lists)."""
    text = SCRIPT.read_text(encoding="utf-8")
    found: set[str] = set()
    for name in ("site_pkgs", "test_pkgs"):
        match = re.search(rf"^{name}=\(([^)]*)\)", text, re.M)
        assert match, f"{name} not found in {SCRIPT}"
        found.update(match.group(1).split())
    return found


def _query(fields: str, *packages: str) -> list[str]:
    done = subprocess.run(
        ["dpkg-query", "-W", "-f", fields, *packages], capture_output=True, text=True
    )
    return done.stdout.splitlines()


@cache
def _installed() -> dict[str, tuple[list[list[str]], str]]:
    """Installed package -> (what it depends on, as groups of installed alternatives in the
    order written, virtual names resolved; its priority)."""
    rows = _query(
        "${db:Status-Abbrev}\t${Package}\t${Priority}\t${Provides}\t${Depends}, ${Pre-Depends}\n"
    )
    providers: dict[str, list[str]] = {}
    table: dict[str, tuple[str, str]] = {}
    for row in rows:
        status, name, priority, provides, depends = (row.split("\t") + [""] * 5)[:5]
        if not status.startswith("ii"):
            continue
        table[name] = (depends, priority)
        for virtual in re.findall(r"([a-z0-9][a-z0-9+.-]+)", re.sub(r"\([^)]*\)", "", provides)):
            providers.setdefault(virtual, []).append(name)
    result = {}
    for name, (depends, priority) in table.items():
        groups = []
        for group in re.sub(r"\([^)]*\)|:any", "", depends).split(","):
            members: list[str] = []
            for alternative in re.findall(r"[a-z0-9][a-z0-9+.-]*", group):
                members += ([alternative] if alternative in table else []) + providers.get(
                    alternative, []
                )
            if members:
                groups.append(members)
        result[name] = (groups, priority)
    return result


def allowed_packages() -> set[str]:
    """Set-up packages, the README's given ones and Debian's required ones, with the packages
    apt installs for them: of a choice ("a | b"), one already chosen, else the first."""
    installed = _installed()
    chosen = set_up_packages() | set(GIVEN)
    chosen |= {name for name, (_, priority) in installed.items() if priority == "required"}
    todo, done = set(chosen), set()
    while todo:
        name = todo.pop()
        if name in done:
            continue
        done.add(name)
        for group in installed.get(name, ([], ""))[0]:
            todo |= (set(group) & chosen) or {group[0]}
    return done


def owners(paths: list[str]) -> dict[str, set[str]]:
    """Path -> the packages `dpkg -S` says hold it (empty when none); tries the /usr-merged
    spelling too (`/usr/lib/x` may be recorded as `/lib/x`)."""
    result: dict[str, set[str]] = {path: set() for path in paths}
    spellings = {}
    for path in paths:
        for spelling in {
            path,
            str(Path(path).resolve()),
            re.sub(r"^/usr(/(s?bin|lib)\b)", r"\1", path),
        }:
            spellings[spelling] = path
    done = subprocess.run(["dpkg", "-S", *spellings], capture_output=True, text=True)
    for line in done.stdout.splitlines():
        if line.startswith("diversion ") or ": " not in line:
            continue
        packages, spelling = line.split(": ", 1)
        if spelling in spellings:
            result[spellings[spelling]] |= {p.split(":")[0] for p in packages.split(", ")}
    return result


def set_up_fonts_conf(folder: Path) -> Path:
    """A fontconfig configuration that sees only the fonts of allowed packages: fontconfig
    then answers as on a fresh machine, even where another package (fonts-liberation2, say)
    holds a newer copy of the same font."""
    files = subprocess.run(["fc-list", ":", "file"], capture_output=True, text=True).stdout
    found = owners([line.split(": ")[0] for line in files.splitlines()])
    allowed = allowed_packages()
    dirs = sorted({str(Path(p).parent) for p, packages in found.items() if packages & allowed})
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        "<fontconfig>\n"
        + "".join(f"  <dir>{d}</dir>\n" for d in dirs)
        + f"  <cachedir>{folder / 'fc-cache'}</cachedir>\n"
        + '  <include ignore_missing="yes">/etc/fonts/conf.d</include>\n</fontconfig>\n',
        encoding="utf-8",
    )
    return conf


def unprovided(paths: list[str]) -> list[str]:
    """Each path no allowed package holds, with what holds it (a message per path)."""
    allowed = allowed_packages()
    problems = []
    for path, packages in sorted(owners(paths).items()):
        if not packages:
            problems.append(f"{path}: no installed Debian package holds it")
        elif not packages & allowed:
            problems.append(
                f"{path}: from {', '.join(sorted(packages))}, not installed by {SCRIPT.name}"
            )
    return problems


def _is_system(path: str, private: tuple[str, ...]) -> bool:
    return (
        path.startswith("/")
        and not path.startswith(private)
        and "/__pycache__/" not in path  # Python's cache of a module beside it
        and Path(path).exists()
    )


def python_own() -> set[Path]:
    """The README's python3: its standard library, and its whole installation when that is
    not the system's own prefix (pyenv, a source build), which no Debian package holds."""
    own = {Path(sysconfig.get_path(name)).resolve() for name in ("stdlib", "platstdlib")}
    home = Path(sys.base_prefix).resolve()
    if str(home) not in ("/", "/usr", "/usr/local"):
        own.add(home)
    return own


def watched_run(tmp: Path) -> dict[str, list[str]]:
    """Files opened, programs started and libraries loaded by a full run on the seed data."""
    data = tmp / "sop_data"
    shutil.copytree(SEED_DATA, data)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SOP_NOW": "2026-11-25T09:00:00+08:00",
        "FONTCONFIG_FILE": str(set_up_fonts_conf(tmp)),
    }
    done = subprocess.run(
        [sys.executable, "-c", WATCHED_RUN, str(data), str(TEMPLATES)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_the_check_names_a_path_no_set_up_package_provides() -> None:
    """The check itself: a made-up path and a file of a package the set-up does not install."""
    made_up = "/usr/share/fonts/truetype/sop-tidak-ada/LiberationSans-Regular.ttf"
    assert unprovided([made_up]) == [f"{made_up}: no installed Debian package holds it"]
    assert unprovided(["/usr/bin/dot", "/usr/bin/chromium"]) == []
    allowed = allowed_packages()
    assert {"dpkg", "libpango-1.0-0", "fontconfig", "fonts-liberation"} <= allowed
    # fontconfig-config needs "fonts-dejavu-core | ... | fonts-liberation | fonts-liberation2":
    # the set-up's fonts-liberation is the choice, not another installed alternative
    assert "fonts-liberation2" not in allowed


def test_every_system_file_and_program_comes_from_the_set_up(tmp_path: Path) -> None:
    seen = watched_run(tmp_path)
    private = tuple(
        str(p) + "/"
        for p in {
            Path(sys.prefix),  # the virtualenv
            Path(sys.prefix).resolve(),
            *python_own(),
            ROOT,
            tmp_path,
            tmp_path.resolve(),
            Path(tempfile.gettempdir()),
        }
    ) + ("/proc/", "/sys/", "/dev/", "/var/cache/")  # fontconfig's cache: made, not shipped
    paths = {p for kind in ("open", "maps") for p in seen[kind] if _is_system(p, private)}
    programs = {shutil.which(p) or p for p in seen["exec"]}
    programs |= {CHROMIUM} | {shutil.which(p) or p for p in TEST_PROGRAMS}
    # the diagram's `neato -n2` runs as `dot -Kneato -n2` (the graphviz package's command)
    assert {"dot", "fc-match"} <= {Path(p).name for p in seen["exec"]}
    assert any("LiberationSans-Bold" in p for p in paths), "the fonts were read"
    assert any("libpango-1.0" in p for p in paths), "WeasyPrint's Pango was loaded"
    assert "\n".join(unprovided(sorted(paths | programs))) == ""
