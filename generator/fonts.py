"""Where the one font of every document is: Liberation Sans, found through fontconfig.

The files are asked of fontconfig (`fc-match`), the same lookup WeasyPrint, Chromium and
Graphviz make when they draw, so the text measured, the text drawn and the font files the site
serves are one font, wherever the installed Debian package put it. No folder is hard-coded.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

from generator.errors import ToolMissingError

FAMILY = "Liberation Sans"
PACKAGE = "fonts-liberation"  # Debian's Liberation fonts: Arial's metrics
# fontconfig style -> the file name the site serves it under (assets/fonts/)
STYLES = {
    "Regular": "LiberationSans-Regular.ttf",
    "Bold": "LiberationSans-Bold.ttf",
    "Italic": "LiberationSans-Italic.ttf",
    "Bold Italic": "LiberationSans-BoldItalic.ttf",
}


@functools.cache
def font_file(style: str = "Regular", family: str = FAMILY) -> Path:
    """The installed file of `family` in `style` (a fontconfig style name, e.g. "Bold Italic").

    Raises ToolMissingError naming the Debian package when fontconfig is absent or finds only
    another font (fc-match always answers with its closest match, so the answer is checked).
    """
    program = shutil.which("fc-match")
    if program is None:
        raise ToolMissingError("fc-match", "fontconfig")
    found = subprocess.run(
        [program, "-f", "%{family}\n%{style}\n%{file}", f"{family}:style={style}"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    families, styles, file = (found.stdout.split("\n", 2) + ["", "", ""])[:3]
    path = Path(file)
    if family not in families.split(",") or style not in styles.split(",") or not path.is_file():
        raise ToolMissingError(f"fon {family} {style}", PACKAGE)
    return path


def site_font_files(family: str = FAMILY) -> dict[str, Path]:
    """Every style's file, keyed by the name the site serves it under."""
    return {name: font_file(style, family) for style, name in STYLES.items()}
