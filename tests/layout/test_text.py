"""Font metrics shared by the sheet and the diagram."""

from __future__ import annotations

import subprocess

import pytest

from generator.layout.text import font

# Arial's published advance widths (1/1000 em), which Liberation Sans matches by design.
ARIAL = {"a": 556, "i": 222, "m": 833, "W": 944, " ": 278, "1": 556}
ARIAL_BOLD = {"a": 556, "i": 278, "m": 889, "W": 944, " ": 278, "1": 556}


@pytest.mark.parametrize(("bold", "table"), [(False, ARIAL), (True, ARIAL_BOLD)])
def test_widths_have_arial_metrics(bold: bool, table: dict[str, int]) -> None:
    metrics = font(bold)
    for char, thousandths in table.items():
        assert metrics.width_pt(char, 1000) == pytest.approx(thousandths, abs=0.6)


def test_width_is_additive_and_scales_with_size() -> None:
    metrics = font()
    assert metrics.width_pt("Camat Janapria", 10) == pytest.approx(
        metrics.width_pt("Camat ", 10) + metrics.width_pt("Janapria", 10)
    )
    assert metrics.width_pt("Camat", 20) == pytest.approx(2 * metrics.width_pt("Camat", 10))


def test_metrics_come_from_the_font_fontconfig_uses() -> None:
    path = subprocess.run(
        ["fc-match", "-f", "%{file}", "Liberation Sans:style=Regular"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert path.endswith("LiberationSans-Regular.ttf")


def test_unknown_glyph_gets_a_generous_width() -> None:
    metrics = font()
    assert metrics.width_pt("\U0001f600", 10) >= metrics.width_pt("n", 10)
