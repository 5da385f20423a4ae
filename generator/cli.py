"""The `sop` command: a thin adapter over loader, build and checklist.

User mistakes (`UserError`) print in Indonesian without a traceback and exit with status 1;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from generator import build as build_mod
from generator import loader, scaffold
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
    print(f"{len(project.sops)} SOP valid, {len(project.warnings)} peringatan")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Render every SOP's documents into --out."""
    result = build_mod.build(args.data, args.out, args.templates, args.cache)
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `sop` console script."""
    args = _parser().parse_args(argv)
    try:
        return args.handler(args)
    except UserError as exc:
        _print_problems(exc.problems)
        errors = sum(p.is_error for p in exc.problems)
        if len(exc.problems) > 1 or exc.problems[0].path:
            print(_summary(errors, len(exc.problems) - errors), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
