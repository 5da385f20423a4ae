"""Shared fixtures: the data folders every test can load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.loader import Project, load_project

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_DATA = ROOT / "sop_data"
TEMPLATES = ROOT / "templates"
PT_SULTENG = FIXTURES / "pt-sulteng"
BESAR = FIXTURES / "besar"  # the 30-step SOP: 6 lanes, 4 decisions, joint steps


@pytest.fixture(scope="session")
def seed_project() -> Project:
    """The seed: Kantor Camat Janapria, Evaluasi Kinerja Kecamatan."""
    return load_project(SEED_DATA)


@pytest.fixture(scope="session")
def sulteng_project() -> Project:
    """The second real SOP: PT Sulawesi Tengah, Pelayanan Pengelolaan Surat Masuk."""
    return load_project(PT_SULTENG)


@pytest.fixture(scope="session")
def besar_project() -> Project:
    """The 30-step test SOP."""
    return load_project(BESAR)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of sop_data/ (without checklists) for tests that edit files."""
    target = tmp_path / "sop_data"
    shutil.copytree(SEED_DATA, target, ignore=shutil.ignore_patterns("checklist"))
    return target
