"""The `sop` command: a thin adapter over loader, build and checklist.

User mistakes (`UserError`) print in Indonesian without a traceback and exit with status 1;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from generator import build as build_mod
from generator import checklist, loader, scaffold
from generator.errors import Problem, UserError
from generator.model import Office, Sop
from generator.yamlread import CONTROL_CHAR

Handler = Callable[[argparse.Namespace], int]


def show(text: str, *, end: str = "\n", err: bool = False) -> None:
    """Print text that may hold data (names, notes, texts from files): every control
    character but newline and tab shows as <U+XXXX>, as in error messages, so no file and no
    argument can clear, recolour or retitle the terminal."""
    print(
        CONTROL_CHAR.sub(lambda c: f"<U+{ord(c.group()):04X}>", text),
        end=end,
        file=sys.stderr if err else sys.stdout,
    )


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem.format(), file=sys.stderr)


def _summary(errors: int, warnings: int) -> str:
    return f"{errors} galat, {warnings} peringatan"


def _add_cycle_problems(data: Path, problems: list[Problem]) -> None:
    """Raise every problem of the cycle records with `problems` (those found before) when
    any cycle record is damaged."""
    try:
        checklist.load_checklists(data)
    except UserError as exc:
        raise UserError(sorted([*problems, *exc.problems])) from None


def cmd_check(args: argparse.Namespace) -> int:
    """Validate the data folder: SOP and office files, and the cycle records the site reads
    too (so a file that stops the site never passes the check); every problem at once."""
    try:
        project = loader.load_project(args.data, args.templates)
    except UserError as exc:
        _add_cycle_problems(args.data, list(exc.problems))
        raise
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
        show(f"{len(project.sops)} SOP valid{cycles}: {_summary(errors, warnings)}", err=True)
        return 1
    show(f"{len(project.sops)} SOP valid{cycles}, {warnings} peringatan")
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
    show(
        f"{len(result.project.sops)} SOP dibangun ke {args.out}: {len(result.files)} berkas "
        f"({result.jobs_run} dirender, {result.cache_hits} dari cache)"
    )
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    """Write a new SOP file from the commented template."""
    path = scaffold.new_sop(args.data, args.slug, args.templates, date.today())
    show(f"SOP baru ditulis: {path}\nIsi setiap kunci, lalu jalankan: sop check")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Write the JSON Schemas of the SOP and instansi files."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, model in (("sop", Sop), ("instansi", Office)):
        path = out / f"{name}.schema.json"
        path.write_text(scaffold.schema_text(model), encoding="utf-8")
        show(f"skema ditulis: {path}")
    return 0


# argparse's own messages, in Indonesian: (pattern of the English message, replacement).
PARSER_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"the following arguments are required: (.*)", r"argumen berikut wajib diisi: \1"),
    (r"unrecognized arguments: (.*)", r"argumen tidak dikenal: \1"),
    (r"invalid choice: (.*) \(choose from (.*)\)", r"pilihan \1 tidak dikenal (pilih: \2)"),
    (r"expected one argument", "memerlukan satu nilai"),
    (r"expected at most one argument", "memerlukan paling banyak satu nilai"),
    (r"expected at least one argument", "memerlukan paling sedikit satu nilai"),
    (r"ignored explicit argument (.*)", r"nilai \1 tidak dipakai"),
    (r"ambiguous option: (.*) could match (.*)", r"pilihan \1 taksa: cocok dengan \2"),
    (r"not allowed with argument (.*)", r"tidak boleh bersama argumen \1"),
    (r"invalid (.*) value: (.*)", r"nilai \2 tidak sah"),
)
GROUP_TITLES = {
    "positional arguments": "argumen",
    "options": "pilihan",
    "optional arguments": "pilihan",
}


def parser_message(message: str) -> str:
    """argparse's English error message in Indonesian ('argument --by: expected one
    argument' -> 'argumen --by: memerlukan satu nilai'); unknown messages stay as they are."""
    prefix = ""
    found = re.fullmatch(r"argument (\S+?): (.*)", message, flags=re.DOTALL)
    if found:
        prefix, message = f"argumen {found.group(1)}: ", found.group(2)
    for pattern, replacement in PARSER_MESSAGES:
        if re.fullmatch(pattern, message, flags=re.DOTALL):
            message = re.sub(pattern, replacement, message, count=1, flags=re.DOTALL)
            break
    return prefix + message


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help layout with an Indonesian usage line."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "penggunaan: " if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """An argparse parser whose every word a user sees is Indonesian; required options are
    listed under their own heading ("pilihan wajib")."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(add_help=False, **kwargs)
        self.add_argument("-h", "--help", action="help", help="tampilkan bantuan ini lalu keluar")
        self.required_group: Any = None

    def add_required(self, *names: str, **kwargs: Any) -> argparse.Action:
        """An option the command cannot run without, shown under "pilihan wajib"."""
        if self.required_group is None:
            self.required_group = self.add_argument_group("pilihan wajib")
        return self.required_group.add_argument(*names, required=True, **kwargs)

    def add_argument_group(self, title: str | None = None, *args: Any, **kwargs: Any) -> Any:
        """A group of arguments; argparse's own groups get Indonesian titles."""
        title = GROUP_TITLES.get(title or "", title)
        return super().add_argument_group(title, *args, **kwargs)

    def error(self, message: str) -> Any:
        """Print the usage and the message in Indonesian, exit with status 2."""
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: galat: {parser_message(message)}\n")


def cmd_forms(args: argparse.Namespace) -> int:
    """Print the form each step of an SOP (or of every SOP) gets and the words that chose it."""
    from generator.render import forms

    project = loader.load_project(args.data, args.templates)
    chosen = [project.sop(args.slug)] if args.slug else list(project.sops)
    show("\n".join(forms.choices_text(sop) for sop in chosen), end="")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = Parser(prog="sop", description="SOP Administrasi Pemerintahan sebagai data.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="PERINTAH")

    def add(name: str, handler: Handler, help_text: str) -> Parser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument(
            "--data",
            type=Path,
            default=Path("sop_data"),
            metavar="FOLDER",
            help="folder data (bawaan: sop_data)",
        )
        p.set_defaults(handler=handler)
        return p

    p = add("check", cmd_check, "periksa semua berkas SOP dan instansi")
    p.add_argument(
        "--templates", type=Path, default=Path("templates"), metavar="FOLDER", help="folder templat"
    )

    p = add("build", cmd_build, "bangun lembar SOP, diagram dan formulir")
    p.add_required("--out", type=Path, metavar="FOLDER", help="folder keluaran")
    p.add_argument(
        "--templates", type=Path, default=Path("templates"), metavar="FOLDER", help="folder templat"
    )
    p.add_argument(
        "--cache", type=Path, default=build_mod.DEFAULT_CACHE, metavar="FOLDER", help="folder cache"
    )

    p = add("new", cmd_new, "buat berkas SOP baru dari templat berkomentar")
    p.add_argument("slug", metavar="NAMA", help="nama berkas, mis. surat-masuk")
    p.add_argument(
        "--templates", type=Path, default=Path("templates"), metavar="FOLDER", help="folder templat"
    )

    p = add("formulir", cmd_forms, "tampilkan formulir setiap langkah dan kata yang memilihnya")
    p.add_argument("slug", nargs="?", help="nama SOP (bawaan: semua SOP)")
    p.add_argument("--templates", type=Path, default=Path("templates"), help="folder templat")

    p = add("schema", cmd_schema, "tulis JSON Schema berkas SOP dan instansi")
    p.add_argument("--out", type=Path, default=Path("schema"), help="folder keluaran")
    add_run_commands(sub)

    from generator import publish  # `sop publish`: the built site to the intranet folder

    help_text = "terbitkan situs yang sudah dibangun ke folder intranet (ganti sekaligus)"
    p = sub.add_parser("publish", help=help_text, description=help_text)
    p.add_argument("dest", type=Path, metavar="TUJUAN", help="folder yang dilayani server web")
    p.add_argument(
        "--site", type=Path, default=Path("site"), metavar="FOLDER", help="situs hasil `make site`"
    )
    p.add_argument(
        "--data",
        type=Path,
        default=Path("sop_data"),
        metavar="FOLDER",
        help="folder data situs itu",
    )
    p.add_argument(
        "--templates", type=Path, default=Path("templates"), metavar="FOLDER", help="folder templat"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="ambil alih TUJUAN yang berupa folder biasa (disimpan utuh sebagai rilis)",
    )
    p.add_argument(
        "--simpan",
        type=publish.keep_count,
        default=publish.DEFAULT_KEEP,
        metavar="N",
        help=f"jumlah rilis yang disimpan (bawaan: {publish.DEFAULT_KEEP})",
    )
    action = p.add_mutually_exclusive_group()
    action.add_argument("--rollback", action="store_true", help="kembali ke rilis sebelumnya")
    action.add_argument("--daftar", action="store_true", help="daftar rilis dan tanggalnya")
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
        show(f"peringatan: {message}", err=True)


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
    show(checklist.started_text(path, cycle))
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
    show(checklist.done_text(cycle, state, calendar))
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
    show(checklist.corrected_text(cycle, state))
    return 0


def cmd_run_cancel(args: argparse.Namespace) -> int:
    """Cancel a cycle (kept and shown as cancelled, left out of statistics)."""
    _, calendar, now = _run_setup(args)
    cycle = checklist.cancel_cycle(args.data, args.slug, args.run_id, args.by, args.alasan, now)
    show(
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
        show(json.dumps(checklist.status_json(status), ensure_ascii=False, indent=2))
    else:
        show(checklist.status_text(status, calendar), end="")
    return 0


def cmd_run_list(args: argparse.Namespace) -> int:
    """List the cycles of every SOP (or of one)."""
    _, calendar, now = _run_setup(args)
    cycles = checklist.load_checklists(args.data)
    chosen = [c for slug in sorted(cycles) if args.slug in (None, slug) for c in cycles[slug]]
    summaries = [checklist.summarize(c, calendar, now) for c in chosen]
    if args.json:
        data = [checklist.summary_json(s, calendar.tz) for s in summaries]
        show(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        show(checklist.list_text(summaries, calendar), end="")
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

    def add(name: str, handler: Handler, help_text: str) -> Parser:
        p = runs.add_parser(name, help=help_text, description=help_text)
        p.add_argument(
            "--data", type=Path, default=Path("sop_data"), metavar="FOLDER", help="folder data"
        )
        p.add_argument("--now", help=argparse.SUPPRESS)
        p.set_defaults(handler=handler)
        return p

    p = add("start", cmd_run_start, "mulai siklus baru sebuah SOP")
    p.add_argument("slug", metavar="SOP", help="nama SOP, mis. evaluasi-kinerja-kecamatan")
    p.add_argument("--run", metavar="ID", help="id siklus (bawaan: tanggal mulai)")
    p.add_argument("--at", metavar="WAKTU", help="waktu mulai, mis. '2024-03-04 08:00'")
    p.add_argument("--paksa", action="store_true", help=_PAKSA)
    p = add("done", cmd_run_done, "catat satu langkah yang selesai")
    p.add_argument("slug", metavar="SOP", help="nama SOP")
    p.add_argument("run_id", metavar="ID", help="id siklus")
    p.add_argument("step", metavar="LANGKAH", help="nomor langkah")
    p.add_required("--by", metavar="NAMA", help="nama pegawai yang mengerjakan")
    p.add_argument("--at", metavar="WAKTU", help="waktu selesai (bawaan: sekarang)")
    p.add_argument("--paksa", action="store_true", help=_PAKSA)
    p.add_argument("--output", default="", metavar="TEKS", help="output yang dihasilkan")
    p.add_argument("--note", default="", metavar="TEKS", help="catatan")
    p.add_argument(
        "--decision",
        default="",
        metavar="JAWABAN",
        help="jawaban keputusan: label jalan keluarnya (huruf besar/kecil sama), atau ya/tidak",
    )
    p.add_argument(
        "--menunggu-sampai",
        metavar="WAKTU",
        help="kantor menunggu pihak luar (mis. pemohon melengkapi berkas) sampai waktu ini; "
        "waktu tunggu dilaporkan terpisah, bukan keterlambatan kantor",
    )
    p = add("koreksi", cmd_run_correct, "koreksi catatan terakhir sebuah langkah (riwayat tetap)")
    p.add_argument("slug", metavar="SOP", help="nama SOP")
    p.add_argument("run_id", metavar="ID", help="id siklus")
    p.add_argument("step", metavar="LANGKAH", help="nomor langkah yang dikoreksi")
    p.add_required("--alasan", metavar="TEKS", help="alasan koreksi (wajib)")
    p.add_required("--by", metavar="NAMA", help="nama pegawai yang mengoreksi")
    p.add_argument("--at", metavar="WAKTU", help="waktu selesai yang benar")
    p.add_argument("--paksa", action="store_true", help=_PAKSA)
    p.add_argument("--output", metavar="TEKS", help="output yang benar")
    p.add_argument("--note", metavar="TEKS", help="catatan yang benar")
    p.add_argument(
        "--decision",
        metavar="JAWABAN",
        help="jawaban keputusan yang benar (alur dibuka kembali dari langkah ini)",
    )
    p = add("batal", cmd_run_cancel, "batalkan sebuah siklus (catatannya tetap disimpan)")
    p.add_argument("slug", metavar="SOP", help="nama SOP")
    p.add_argument("run_id", metavar="ID", help="id siklus")
    p.add_required("--alasan", metavar="TEKS", help="alasan pembatalan (wajib)")
    p.add_required("--by", metavar="NAMA", help="nama pegawai yang membatalkan")
    p = add("status", cmd_run_status, "tampilkan daftar periksa sebuah siklus")
    p.add_argument("slug", metavar="SOP", help="nama SOP")
    p.add_argument("run_id", metavar="ID", nargs="?", help="id siklus (bawaan: yang terakhir)")
    p.add_argument("--json", action="store_true", help="keluaran JSON")
    p = add("ekspor", cmd_run_export, "ekspor siklus dan waktu per langkah ke CSV dan XLSX")
    p.add_argument("slug", nargs="?", help="hanya siklus SOP ini")
    p.add_required("--out", metavar="FOLDER", help="folder tujuan berkas ekspor")
    p = add("list", cmd_run_list, "daftar semua siklus")
    p.add_argument("slug", nargs="?", metavar="SOP", help="hanya siklus SOP ini")
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
