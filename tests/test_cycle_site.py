"""Cycle records on the built site: a page per cycle, the printed record siklus-<id>.pdf, the
home page's running and overdue cycles (in Chromium), cycles whose SOP is gone.

The seed is walked through a whole cycle (a "tidak" loop) with one correction; a second cycle
runs late, a third is cancelled, a fourth belongs to an SOP that was removed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from generator.cli import main
from tests.browser import chromium, served
from tests.test_cycle_records import WALK
from tests.test_mkdocs_plugin import ENV, MKDOCS, SEED_SLUG, make_project

pytestmark = pytest.mark.slow

NOW = "2024-03-20 10:00"
GONE = "evaluasi-kinerja-lama"


def run(data: Path, *args: str, now: str) -> None:
    """`sop run ...` in this process at time `now`."""
    assert main(["run", *args, "--data", str(data), "--now", now]) == 0


def record_cycles(data: Path) -> None:
    """r1 walked to the end with one correction, r2 late, r3 cancelled, r1 of a removed SOP."""
    run(data, "start", SEED_SLUG, "--run", "r1", now="2024-03-04 08:00")
    for step, by, when, extra in WALK:
        run(data, "done", SEED_SLUG, "r1", step, "--by", by, "--at", when, *extra, now=when)
    run(
        data, "koreksi", SEED_SLUG, "r1", "4", "--by", "Sekretaris Camat", "--alasan",
        "jam selesai salah ketik", "--at", "2024-03-08 09:00", now="2024-03-15 10:00",
    )  # fmt: skip
    run(data, "start", SEED_SLUG, "--run", "r2", now="2024-03-18 08:00")
    run(data, "done", SEED_SLUG, "r2", "1", "--by", "Camat", now="2024-03-18 09:00")
    run(data, "start", SEED_SLUG, "--run", "r3", now="2024-03-18 08:00")
    run(
        data,
        "batal",
        SEED_SLUG,
        "r3",
        "--by",
        "Sekcam",
        "--alasan",
        "keliru",
        now="2024-03-18 09:00",
    )
    old = data / "sop" / f"{GONE}.yaml"
    text = (data / "sop" / f"{SEED_SLUG}.yaml").read_text("utf-8")
    text = text.replace('nomor: "067/21/JPR/2024"', 'nomor: "060/21/JPR/2023"')
    old.write_text(text.replace("nama: Evaluasi Kinerja Kecamatan", "nama: Evaluasi Lama"))
    run(data, "start", GONE, "--run", "r1", now="2024-03-18 08:00")
    old.unlink()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed with its cycles, built by `mkdocs build --strict` at NOW."""
    project = make_project(tmp_path_factory.mktemp("siklus") / "klon")
    record_cycles(project / "sop_data")
    done = subprocess.run(
        [*MKDOCS, "build", "--strict"],
        cwd=project,
        env={**ENV, "SOP_NOW": NOW},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return project / "site"


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))[6:])


def test_the_printed_record_holds_every_event_and_the_correction(site: Path) -> None:
    pdf = site / "siklus" / SEED_SLUG / "r1" / "siklus-r1.pdf"
    text = " ".join(pdf_text(pdf).split())
    assert "BUKTI PELAKSANAAN SOP" in text
    assert "KECAMATAN JANAPRIA" in text  # the letterhead
    assert "Nomor SOP : 067/21/JPR/2024" in text
    assert "selesai 2024-03-15 09:00 WITA" in text
    passes = [1] * 6 + [2] * 5
    for number, (step, by, when, _) in enumerate(WALK, 1):
        shown = "2024-03-08 09:00" if step == "4" else when  # corrected: the value in force
        row = f"{number}. selesai, langkah {step} (putaran {passes[number - 1]}) {by} {shown} WITA"
        assert row in text
    assert "12. koreksi, langkah 4 Sekretaris Camat - 2024-03-15 10:00 WITA" in text
    assert "waktu selesai: 2024-03-08 10:00 WITA -> 2024-03-08 09:00 WITA" in text
    assert "alasan: jam selesai salah ketik" in text
    assert "[dikoreksi: no. 12]" in text
    assert "Bukti pengiriman #12" in text and "keputusan: tidak" in text
    assert "Petugas pencatat" in text and "SYAMSUN RIJAL, S.IP" in text  # signature blocks
    assert pdf_pages(pdf) == 2  # 12 entries and 9 steps: about 15 entries a page


def test_a_cancelled_cycle_and_a_cycle_without_sop_have_their_pages(site: Path) -> None:
    page = (site / "siklus" / SEED_SLUG / "r3" / "index.html").read_text("utf-8")
    assert "DIBATALKAN 2024-03-18 09:00 WITA oleh Sekcam" in page
    assert "keliru" in page
    gone = (site / "siklus" / GONE / "r1" / "index.html").read_text("utf-8")
    assert "(SOP ini tidak ada lagi di folder data)" in gone
    assert "siklus-r1.pdf" in gone and (site / "siklus" / GONE / "r1" / "siklus-r1.pdf").is_file()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


def test_home_page_lists_running_and_overdue_cycles(site: Path, browser: Browser) -> None:
    with served(site) as url:
        page = browser.new_page()
        page.goto(url)
        rows = page.locator("table.sop-siklus-berjalan tbody tr")
        assert rows.count() == 2  # r2 of the seed and r1 of the removed SOP; r1, r3 ended
        late = rows.nth(0)
        cells = [c.strip() for c in late.locator("td").all_inner_texts()]
        assert cells[1:] == [
            "r1",
            "2024-03-18 08:00 WITA",
            "0 dari 9 langkah",
            "1",
            "Camat",
            "2024-03-18 09:00 WITA TERLAMBAT",
        ]
        assert late.evaluate("e => getComputedStyle(e.cells[0]).backgroundColor") == (
            "rgb(253, 236, 234)"
        )
        seed = rows.nth(1)
        assert "r2" in seed.inner_text() and "Camat, Sekretaris Camat" in seed.inner_text()
        assert page.locator("ul.sop-siklus-yatim li").inner_text().startswith(f"{GONE} / r1")
        seed.locator("a", has_text="r2").click()
        page.wait_for_url("**/siklus/evaluasi-kinerja-kecamatan/r2/")
        assert page.locator("h1").inner_text() == "Siklus r2: Evaluasi Kinerja Kecamatan"
        page.close()


def test_the_cycle_page_shows_every_entry(site: Path, browser: Browser) -> None:
    with served(site) as url:
        page = browser.new_page()
        page.goto(f"{url}siklus/{SEED_SLUG}/r1/")
        entries = page.locator("table.sop-riwayat tbody tr")
        assert entries.count() == len(WALK) + 1
        correction = [c.strip() for c in entries.nth(len(WALK)).locator("td").all_inner_texts()]
        assert correction[:4] == ["12", "koreksi", "4", "Sekretaris Camat"]
        assert "2024-03-08 10:00 WITA -> 2024-03-08 09:00 WITA" in correction[6]
        fourth = [c.strip() for c in entries.nth(3).locator("td").all_inner_texts()]
        assert fourth[4] == "2024-03-08 09:00 WITA"  # the value in force
        assert fourth[-1] == "dikoreksi (no. 12)"
        steps = page.locator("table.sop-siklus-langkah tbody tr")
        assert steps.count() == 9
        assert [c.strip() for c in steps.nth(8).locator("td").all_inner_texts()][3:5] == [
            "selesai",
            "Lalu Ahmad",
        ]
        href = page.locator("a", has_text="Bukti pelaksanaan (PDF)").get_attribute("href")
        assert href == "siklus-r1.pdf"
        response = page.request.get(f"{url}siklus/{SEED_SLUG}/r1/{href}")
        assert response.ok and response.body().startswith(b"%PDF")
        page.close()


def test_cycles_stay_out_of_a_site_without_cycles(tmp_path: Path) -> None:
    project = make_project(tmp_path / "klon")
    shutil.rmtree(project / "sop_data" / "checklist", ignore_errors=True)
    done = subprocess.run(
        [*MKDOCS, "build", "--strict"],
        cwd=project,
        env={**ENV, "SOP_NOW": NOW},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Siklus berjalan" not in (project / "site" / "index.html").read_text("utf-8")
    assert not (project / "site" / "siklus").exists()
    assert os.listdir(project / "site")
