"""The `sop` command: a thin adapter over loader, build and checklist.

User mistakes (`UserError`) print in Indonesian without a traceback and exit with status 1;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from generator import build as build_mod
from generator import checklist, loader, scaffold
from generator.errors import Problem, UserError
from generator.model import Office, Sop

Handler = Callable[[argparse.Namespace], int]


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem.format(), file=sys.stderr)


def _summary(errors: int, warnings: int) -> str:
    return f"{errors} galat, {warnings} peringatan"


def cmd_check(args: argparse.Namespace) -> int:
    """Validate the data folder."""
    project = loader.load_project(args.data, args.templates)
    _print_problems(project.warnings)
    calendar = checklist.WorkCalendar.of(project.office)
    now = checklist.current_time(calendar.tz)
    sops = {sop.slug: sop for sop in project.sops}
    count, problems = checklist.check_checklists(args.data, sops, now)
    _print_problems(problems)
    errors = sum(p.is_error for p in problems)
    warnings = len(project.warnings) + len(problems) - errors
    cycles = f", {count} berkas siklus diperiksa" if count else ""
    if errors:
        print(f"{len(project.sops)} SOP valid{cycles}: {_summary(errors, warnings)}")
        return 1
    print(f"{len(project.sops)} SOP valid{cycles}, {warnings} peringatan")
    return 0


@contextlib.contextmanager
def _progress_bar() -> Iterator[build_mod.Progress | None]:
    """A progress bar on stderr for `build` (only on a terminal), as a build callback."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Membangun SOP", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def cmd_build(args: argparse.Namespace) -> int:
    """Render every SOP's documents into --out."""
    with _progress_bar() as progress:
        result = build_mod.build(args.data, args.out, args.templates, args.cache, progress=progress)
    _print_problems(result.project.warnings)
    print(
        f"{len(result.project.sops)} SOP dibangun ke {args.out}: {len(result.files)} berkas "
        f"({result.jobs_run} dirender, {result.cache_hits} dari cache)"
    )
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    """Write a new SOP file from the commented template."""
    path = scaffold.new_sop(args.data, args.slug, args.templates, date.today())
    print(f"SOP baru ditulis: {path}\nIsi setiap kunci, lalu jalankan: sop check")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Write the JSON Schemas of the SOP and instansi files."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, model in (("sop", Sop), ("instansi", Office)):
        path = out / f"{name}.schema.json"
        path.write_text(scaffold.schema_text(model), encoding="utf-8")
        print(f"skema ditulis: {path}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sop", description="SOP Administrasi Pemerintahan sebagai data."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="PERINTAH")

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument(
            "--data", type=Path, default=Path("sop_data"), help="folder data (bawaan: sop_data)"
        )
        p.set_defaults(handler=handler)
        return p

    p = add("check", cmd_check, "periksa semua berkas SOP dan instansi")
    p.add_argument("--templates", type=Path, default=Path("templates"), help="folder templat")

    p = add("build", cmd_build, "bangun lembar SOP, diagram dan formulir")
    p.add_argument("--out", type=Path, required=True, help="folder keluaran")
    p.add_argument("--templates", type=Path, default=Path("templates"), help="folder templat")
    p.add_argument("--cache", type=Path, default=build_mod.DEFAULT_CACHE, help="folder cache")

    p = add("new", cmd_new, "buat berkas SOP baru dari templat berkomentar")
    p.add_argument("slug", help="nama berkas, mis. surat-masuk")
    p.add_argument("--templates", type=Path, default=Path("templates"), help="folder templat")

    p = add("schema", cmd_schema, "tulis JSON Schema berkas SOP dan instansi")
    p.add_argument("--out", type=Path, default=Path("schema"), help="folder keluaran")
    add_run_commands(sub)

    from generator import publish  # `sop publish`: the built site to the intranet folder

    help_text = "terbitkan situs yang sudah dibangun ke folder intranet (ganti sekaligus)"
    p = sub.add_parser("publish", help=help_text, description=help_text)
    p.add_argument("dest", type=Path, metavar="TUJUAN", help="folder yang dilayani server web")
    p.add_argument("--site", type=Path, default=Path("site"), help="situs hasil `make site`")
    p.add_argument("--rollback", action="store_true", help="kembalikan versi sebelumnya")
    p.set_defaults(handler=publish.cmd_publish)
    return parser


# --------------------------------------------------------------------------- sop run


def _run_setup(args: argparse.Namespace) -> tuple[loader.Project, checklist.WorkCalendar, datetime]:
    """The project, the office's working calendar and "now" (--now or $SOP_NOW for tests)."""
    project = loader.load_project(args.data)
    calendar = checklist.WorkCalendar.of(project.office)
    return project, calendar, checklist.current_time(calendar.tz, args.now)


def _current_sop(project: loader.Project, slug: str) -> Sop | None:
    return next((s for s in project.sops if s.slug == slug), None)


def _warn(messages: Sequence[str]) -> None:
    for message in messages:
        print(f"peringatan: {message}", file=sys.stderr)


def _typed_time(
    args: argparse.Namespace, calendar: checklist.WorkCalendar, now: datetime
) -> datetime | None:
    """The --at time; on a day off it needs --paksa (then a warning), else a refusal."""
    if not args.at:
        return None
    at = checklist.parse_time(args.at, calendar.tz, now.date())
    reason = calendar.day_off(at.astimezone(calendar.tz).date())
    if reason is None:
        return at
    day = f"{at.astimezone(calendar.tz):%Y-%m-%d}"
    if not args.paksa:
        raise UserError(
            f"Ditolak: --at {day} adalah {reason}.\n"
            "Periksa tanggalnya; bila memang dikerjakan pada hari itu, ulangi dengan --paksa."
        )
    _warn([f"{day} adalah {reason}; diterima karena --paksa"])
    return at


def cmd_run_start(args: argparse.Namespace) -> int:
    """Start a cycle of an SOP: write its checklist file."""
    project, calendar, now = _run_setup(args)
    sop = project.sop(checklist.validate_slug(args.slug))
    at = _typed_time(args, calendar, now)
    path, cycle = checklist.start_run(args.data, sop, calendar.tz, now, args.run, at)
    print(checklist.started_text(path, cycle))
    return 0


def cmd_run_done(args: argparse.Namespace) -> int:
    """Record that a step of a cycle is done."""
    project, calendar, now = _run_setup(args)
    step = checklist.parse_step(args.step)
    at = _typed_time(args, calendar, now)
    waited = (
        checklist.parse_time(args.menunggu_sampai, calendar.tz, now.date())
        if args.menunggu_sampai
        else None
    )
    cycle, state = checklist.record_done(
        args.data,
        args.slug,
        args.run_id,
        step,
        args.by,
        now,
        at,
        args.output,
        args.note,
        args.decision,
        waited,
    )
    _warn(checklist.sop_changes(cycle, _current_sop(project, args.slug)))
    print(checklist.done_text(cycle, state, calendar))
    return 0


def cmd_run_correct(args: argparse.Namespace) -> int:
    """Correct the latest completion of a step (append-only: the original stays)."""
    project, calendar, now = _run_setup(args)
    step = checklist.parse_step(args.step)
    at = _typed_time(args, calendar, now)
    cycle, state = checklist.record_correction(
        args.data,
        args.slug,
        args.run_id,
        step,
        args.by,
        args.alasan,
        now,
        at,
        args.output,
        args.note,
        args.decision,
    )
    _warn(checklist.sop_changes(cycle, _current_sop(project, args.slug)))
    print(checklist.corrected_text(cycle, state))
    return 0


def cmd_run_cancel(args: argparse.Namespace) -> int:
    """Cancel a cycle (kept and shown as cancelled, left out of statistics)."""
    _, calendar, now = _run_setup(args)
    cycle = checklist.cancel_cycle(args.data, args.slug, args.run_id, args.by, args.alasan, now)
    print(
        f"Siklus {cycle.run_id} SOP {cycle.sop_number} {cycle.sop_name} dibatalkan oleh "
        f"{args.by.strip()} pada {checklist.show_time(now, calendar.tz)}.\n"
        "Catatannya tetap disimpan dan ditampilkan sebagai dibatalkan; tidak dihitung dalam "
        "statistik waktu."
    )
    return 0


def cmd_run_status(args: argparse.Namespace) -> int:
    """Show a cycle's checklist: who did what when, what is due, time against standard."""
    project, calendar, now = _run_setup(args)
    cycle = checklist.open_checklist(args.data, args.slug, args.run_id)
    sop = _current_sop(project, args.slug)
    status = checklist.cycle_status(cycle, calendar, now, sop, check_sop=True)
    _warn(status.warnings)
    if args.json:
        print(json.dumps(checklist.status_json(status), ensure_ascii=False, indent=2))
    else:
        print(checklist.status_text(status, calendar), end="")
    return 0


def cmd_run_list(args: argparse.Namespace) -> int:
    """List the cycles of every SOP (or of one)."""
    _, calendar, now = _run_setup(args)
    cycles = checklist.load_checklists(args.data)
    chosen = [c for slug in sorted(cycles) if args.slug in (None, slug) for c in cycles[slug]]
    summaries = [checklist.summarize(c, calendar, now) for c in chosen]
    if args.json:
        data = [checklist.summary_json(s, calendar.tz) for s in summaries]
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(checklist.list_text(summaries, calendar), end="")
    return 0


_PAKSA = "terima --at pada hari libur atau hari yang bukan hari kerja"


def cmd_run_export(args: argparse.Namespace) -> int:
    """Write the cycles and per-step times as CSV and XLSX into --out."""
    from generator.checklist import export

    _, calendar, now = _run_setup(args)
    cycles = checklist.load_checklists(args.data)
    chosen = [c for slug in sorted(cycles) if args.slug in (None, slug) for c in cycles[slug]]
    tables = export.tables(chosen, calendar, now)
    files = {f"{name}.csv": export.csv_bytes(*table) for name, table in tables.items()}
    files["siklus.xlsx"] = export.xlsx_bytes(tables)
    out = Path(args.out)
    try:
        checklist.make_folder(out)
        for name, data in files.items():
            checklist.write_atomic(out / name, data)
    except OSError as exc:
        from generator.errors import storage_error

        raise storage_error(
            exc, str(out), "ekspor tidak dapat ditulis", "catatan siklus tidak berubah"
        ) from None
    counts = f"{len(tables['siklus'][1])} siklus, {len(tables['waktu-langkah'][1])} catatan langkah"
    print(f"Ekspor ditulis ke {out}: {', '.join(files)} ({counts}).")
    return 0


def add_run_commands(sub: Any) -> None:
    """`sop run start|done|status|list`: the cycle checklist."""
    text = "catat siklus pelaksanaan SOP (daftar periksa)"
    run = sub.add_parser("run", help=text, description=text)
    runs = run.add_subparsers(dest="run_command", required=True, metavar="PERINTAH")

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = runs.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--data", type=Path, default=Path("sop_data"), help="folder data")
        p.add_argument("--now", help=argparse.SUPPRESS)
        p.set_defaults(handler=handler)
        return p

    p = add("start", cmd_run_start, "mulai siklus baru sebuah SOP")
    p.add_argument("slug", help="nama SOP, mis. evaluasi-kinerja-kecamatan")
    p.add_argument("--run", metavar="ID", help="id siklus (bawaan: tanggal mulai)")
    p.add_argument("--at", metavar="WAKTU", help="waktu mulai, mis. '2024-03-04 08:00'")
    p.add_argument("--paksa", action="store_true", help=_PAKSA)
    p = add("done", cmd_run_done, "catat satu langkah yang selesai")
    p.add_argument("slug", help="nama SOP")
    p.add_argument("run_id", metavar="ID", help="id siklus")
    p.add_argument("step", metavar="LANGKAH", help="nomor langkah")
    p.add_argument("--by", default="", metavar="NAMA", help="nama pegawai yang mengerjakan")
    p.add_argument("--at", metavar="WAKTU", help="waktu selesai (bawaan: sekarang)")
    p.add_argument("--paksa", action="store_true", help=_PAKSA)
    p.add_argument("--output", default="", metavar="TEKS", help="output yang dihasilkan")
    p.add_argument("--note", default="", metavar="TEKS", help="catatan")
    p.add_argument("--decision", default="", metavar="ya|tidak", help="jawaban keputusan")
    p.add_argument(
        "--menunggu-sampai",
        metavar="WAKTU",
        help="kantor menunggu pihak luar (mis. pemohon melengkapi berkas) sampai waktu ini; "
        "waktu tunggu dilaporkan terpisah, bukan keterlambatan kantor",
    )
    p = add("koreksi", cmd_run_correct, "koreksi catatan terakhir sebuah langkah (riwayat tetap)")
    p.add_argument("slug", help="nama SOP")
    p.add_argument("run_id", metavar="ID", help="id siklus")
    p.add_argument("step", metavar="LANGKAH", help="nomor langkah yang dikoreksi")
    p.add_argument("--alasan", required=True, metavar="TEKS", help="alasan koreksi (wajib)")
    p.add_argument("--by", required=True, metavar="NAMA", help="nama pegawai yang mengoreksi")
    p.add_argument("--at", metavar="WAKTU", help="waktu selesai yang benar")
    p.add_argument("--paksa", action="store_true", help=_PAKSA)
    p.add_argument("--output", metavar="TEKS", help="output yang benar")
    p.add_argument("--note", metavar="TEKS", help="catatan yang benar")
    p.add_argument(
        "--decision",
        metavar="ya|tidak",
        help="jawaban keputusan yang benar (alur dibuka kembali dari langkah ini)",
    )
    p = add("batal", cmd_run_cancel, "batalkan sebuah siklus (catatannya tetap disimpan)")
    p.add_argument("slug", help="nama SOP")
    p.add_argument("run_id", metavar="ID", help="id siklus")
    p.add_argument("--alasan", required=True, metavar="TEKS", help="alasan pembatalan (wajib)")
    p.add_argument("--by", required=True, metavar="NAMA", help="nama pegawai yang membatalkan")
    p = add("status", cmd_run_status, "tampilkan daftar periksa sebuah siklus")
    p.add_argument("slug", help="nama SOP")
    p.add_argument("run_id", metavar="ID", nargs="?", help="id siklus (bawaan: yang terakhir)")
    p.add_argument("--json", action="store_true", help="keluaran JSON")
    p = add("ekspor", cmd_run_export, "ekspor siklus dan waktu per langkah ke CSV dan XLSX")
    p.add_argument("slug", nargs="?", help="hanya siklus SOP ini")
    p.add_argument("--out", required=True, metavar="FOLDER", help="folder tujuan berkas ekspor")
    p = add("list", cmd_run_list, "daftar semua siklus")
    p.add_argument("slug", nargs="?", help="hanya siklus SOP ini")
    p.add_argument("--json", action="store_true", help="keluaran JSON")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `sop` console script."""
    args = _parser().parse_args(argv)
    try:
        return args.handler(args)
    except BrokenPipeError:  # `sop run list | head`: the reader left; end quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except UserError as exc:
        _print_problems(exc.problems)
        errors = sum(p.is_error for p in exc.problems)
        if len(exc.problems) > 1 or exc.problems[0].path:
            print(_summary(errors, len(exc.problems) - errors), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
