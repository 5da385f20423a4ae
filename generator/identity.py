"""What every output depends on besides the data: the generator's own source, the versions of
the tools and libraries that draw it, and the fonts it is measured and drawn with.

Light on purpose (standard library, `cache`, `fonts`, `errors`): a no-change site build checks
these before anything heavy is imported (`site.build_site`, the site's memo).
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

from generator import fonts
from generator.cache import cache_key, source_fingerprint
from generator.errors import ToolMissingError

PACKAGE_DIR = Path(__file__).resolve().parent  # the generator's own code
# Libraries whose version changes rendered bytes (besides WeasyPrint and Graphviz).
KEYED_LIBRARIES = ("jinja2", "markupsafe", "pydantic")


def dot_binary(engine: str) -> str:
    """The path of a Graphviz program (`dot`, `neato`); ToolMissingError naming the Debian
    package when it is not installed."""
    path = shutil.which(engine)
    if path is None:
        raise ToolMissingError(engine, "graphviz")
    return path


@functools.cache
def dot_version() -> str:
    """Graphviz's version line (part of every diagram's cache key)."""
    result = subprocess.run([dot_binary("dot"), "-V"], capture_output=True, text=True, check=True)
    return (result.stderr or result.stdout).strip()


@functools.cache
def weasyprint_version() -> str:
    """WeasyPrint's version (part of every PDF's cache key), read from the installed package's
    metadata: importing WeasyPrint costs ~0.7 s, too much for a rebuild that renders nothing."""
    try:
        return metadata.version("weasyprint")
    except metadata.PackageNotFoundError:
        return "absent"


@functools.cache
def metrics_identity() -> str:
    """What every text measurement (`layout.text`) depends on besides the code: the font files
    fontconfig finds (path, size, modification time) and the pyphen version (its `id_ID`
    dictionary). Part of the cache keys of anything laid out, so a font or pyphen upgrade lays
    out again."""
    parts = [f"pyphen={metadata.version('pyphen')}"]
    for style in ("Regular", "Bold"):
        parts.append(file_identity(fonts.font_file(style)))
    return "\n".join(parts)


def file_identity(path: Path) -> str:
    """'path:size:mtime_ns' of an installed file (a font): changes when a package upgrade
    replaces it."""
    stat = path.stat()
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}"


@functools.cache
def code_fingerprint() -> str:
    """A digest of the generator's own source, of every tool and library version and of the
    fonts and hyphenation the layout measures with (`metrics_identity`)."""
    parts = [weasyprint_version(), dot_version(), metrics_identity()]
    parts += [f"{name}={metadata.version(name)}" for name in KEYED_LIBRARIES]
    return cache_key([*parts, source_fingerprint(PACKAGE_DIR)])


def folder_digests(root: Path, skip: Path | None = None, links_out: bool = True) -> list[str]:
    """Every file under `root` (hidden ones too; none under the folder `skip`) as its relative
    posix path then the sha256 of its content, in path order: [path, digest, path, digest,
    ...]; every symbolic link (to a file or a folder) also as its path then its text. Linked
    folders are walked, as the loader and Jinja follow them (each folder once: a link
    back up ends there). An absent folder gives [].

    `links_out` false: a link leading out of `root` is not read or walked (`paths.outside`: a
    data file must not be read through such a link; the loader refuses it), only its text
    counts."""
    root = Path(root)
    skipped = _inside(Path(skip), root) if skip is not None else None
    found: list[tuple[tuple[str, ...], str]] = []
    walked: set[tuple[int, int]] = set()
    for folder, folders, files in os.walk(root, followlinks=True):
        here = Path(folder)
        stat = here.stat()
        if (stat.st_dev, stat.st_ino) in walked:
            folders[:] = []
            continue
        walked.add((stat.st_dev, stat.st_ino))
        kept = []
        for name in sorted(folders):
            path, rel = here / name, (here / name).relative_to(root)
            if skipped and rel.parts[: len(skipped)] == skipped:
                continue
            if _linked(path, root, links_out, found, rel):
                kept.append(name)
        folders[:] = kept
        for name in files:
            path, rel = here / name, (here / name).relative_to(root)
            if skipped and rel.parts[: len(skipped)] == skipped:
                continue
            if _linked(path, root, links_out, found, rel) and path.is_file():
                found.append((rel.parts, hashlib.sha256(path.read_bytes()).hexdigest()))
    return [part for parts, value in sorted(found) for part in ("/".join(parts), value)]


def _linked(
    path: Path, root: Path, links_out: bool, found: list[tuple[tuple[str, ...], str]], rel: Path
) -> bool:
    """Record `path`'s link text when it is a symbolic link; False when it is a link leading
    out of `root` that must not be followed (`links_out` false)."""
    if not path.is_symlink():
        return True
    found.append((rel.parts, f"tautan:{os.readlink(path)}"))
    return links_out or _inside(path, root) is not None


def _inside(folder: Path, root: Path) -> tuple[str, ...] | None:
    """The parts of `folder` relative to `root` when it lies inside it, else None."""
    try:
        return folder.resolve().relative_to(root.resolve()).parts or None
    except ValueError:
        return None


def templates_fingerprint(templates_dir: Path) -> str:
    """A digest of every file under templates/ (names and content): an edit invalidates."""
    return cache_key(folder_digests(templates_dir))
