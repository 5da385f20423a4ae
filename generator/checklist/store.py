"""The store: validated paths, locked atomic writes, and the commands that change a checklist."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import filelock

from generator.checklist.calendar import show_time
from generator.checklist.records import (
    CHECKLIST_DIR,
    LOCK_TIMEOUT,
    MAX_RUN_ID,
    MAX_TEXT,
    RUN_ID_PATTERN,
    Checklist,
    Correction,
    new_checklist,
)
from generator.checklist.state import State, cancel_run, complete_step, correct_step
from generator.checklist.yamlform import (
    audit_checklist,
    dump_checklist,
    read_checklist_problems,
)
from generator.errors import Problem, UserError, storage_error
from generator.model import (
    SLUG_PATTERN,
    Sop,
    foreign_char_hint,
    is_reserved_name,
)
from generator.paths import outside, outside_problem, require_inside
from generator.yamlread import CONTROL_CHAR


def validate_run_id(run_id: str) -> str:
    """The run id if it is safe as a file name ([a-z0-9] words joined by '-')."""
    if is_reserved_name(run_id):
        raise UserError(f"id siklus '{run_id}' adalah nama perangkat Windows; pilih id lain")
    if foreign_char_hint(run_id):
        raise UserError(f"id siklus '{run_id}' tidak sah: {foreign_char_hint(run_id)}")
    if len(run_id) > MAX_RUN_ID or not re.fullmatch(RUN_ID_PATTERN, run_id):
        raise UserError(
            f"id siklus '{run_id}' tidak sah; gunakan huruf kecil, angka dan tanda hubung "
            f"(paling panjang {MAX_RUN_ID}), mis. 2024-03-04 atau 2024-tw1"
        )
    return run_id


def validate_slug(slug: str) -> str:
    """The SOP slug if it is safe as a folder name."""
    if is_reserved_name(slug):
        raise UserError(f"nama SOP '{slug}' adalah nama perangkat Windows; pilih nama lain")
    if foreign_char_hint(slug):
        raise UserError(f"nama SOP '{slug}' tidak sah: {foreign_char_hint(slug)}")
    if not re.fullmatch(SLUG_PATTERN, slug):
        raise UserError(
            f"nama SOP '{slug}' tidak sah; gunakan huruf kecil, angka dan tanda hubung, "
            "mis. evaluasi-kinerja-kecamatan"
        )
    return slug


def checklist_path(data_dir: Path | str, slug: str, run_id: str) -> Path:
    """Where the checklist of this cycle lives: <data>/checklist/<slug>/<run>.yaml."""
    return Path(data_dir) / CHECKLIST_DIR / validate_slug(slug) / f"{validate_run_id(run_id)}.yaml"


def _store_error(exc: OSError, path: Path) -> UserError:
    """A failed write of the store; `write_atomic` keeps the file that was there whole."""
    return storage_error(
        exc,
        str(path),
        "daftar periksa tidak dapat disimpan",
        "berkas daftar periksa yang ada tidak berubah",
    )


def lock_path(path: Path) -> Path:
    """The lock file of a checklist file: `.<run>.yaml.lock` beside it."""
    return path.parent / f".{path.name}.lock"


def keep_inside(data_dir: Path | str, path: Path) -> None:
    """Refuse a cycle file whose checklist folder, SOP folder, file or lock leads out of the
    data folder (a symbolic link elsewhere): nothing outside is read, locked or written."""
    data = Path(data_dir)
    require_inside(data, data / CHECKLIST_DIR, what="folder checklist")
    require_inside(data, path.parent, what="folder siklus")
    require_inside(data, path, what="berkas siklus")
    require_inside(data, lock_path(path), what="berkas kunci siklus")


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def shared_mode(folder: Path, *, directory: bool = False) -> int:
    """The mode of a new file (or folder) in `folder`: the umask's, plus the folder's group
    permissions, so every account of the folder's group can record (and lock) too."""
    base = (0o777 if directory else 0o666) & ~_umask()
    try:
        mode = folder.stat().st_mode
    except OSError:
        return base
    group = mode & (0o070 if directory else 0o060)
    return base | group | (mode & 0o2000 if directory else 0)


def _share_group(path: Path, folder: Path, mode: int) -> None:
    """Give `path` the folder's group and `mode` when this account may (its own file)."""
    with contextlib.suppress(OSError):
        info, parent = path.stat(), folder.stat()
        if info.st_uid != os.geteuid():
            return
        if info.st_gid != parent.st_gid:
            os.chown(path, -1, parent.st_gid)
        if info.st_mode & 0o7777 != mode:
            os.chmod(path, mode)


def make_folder(folder: Path) -> None:
    """Create `folder` (and parents) with its parent's group permissions and group."""
    missing = []
    current = folder
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        mode = shared_mode(path.parent, directory=True)
        path.mkdir(exist_ok=True)
        _share_group(path, path.parent, mode)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    lock_file = lock_path(path)
    mode = shared_mode(path.parent)
    lock = filelock.FileLock(str(lock_file), timeout=LOCK_TIMEOUT, mode=mode)
    try:
        with lock:
            _share_group(lock_file, path.parent, mode)
            for stale in path.parent.glob(f".{path.name}.*.tmp"):
                stale.unlink(missing_ok=True)  # left by a killed writer; we hold the lock
            yield
    except filelock.Timeout:
        raise UserError(
            f"berkas {path} sedang dipakai proses lain lebih dari {LOCK_TIMEOUT:.0f} detik; "
            "coba lagi"
        ) from None
    except PermissionError as exc:
        where = exc.filename or lock_file
        raise UserError(
            [
                Problem(
                    str(where),
                    0,
                    0,
                    "",
                    "akun ini tidak boleh menulis berkas ini (izin ditolak)",
                    f"minta pemilik berkas atau admin menjalankan: chmod g+rw {where}; "
                    "berkas daftar periksa yang ada tidak berubah",
                )
            ]
        ) from None
    except OSError as exc:  # read-only or full disk
        raise _store_error(exc, path) from None


def _file_mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return shared_mode(path.parent)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so readers see the old or the new file, never a mix."""
    mode = _file_mode(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def read_checklist(path: Path) -> Checklist:
    """Read one checklist file (located errors for any damage)."""
    return _read_with_warnings(path)[0]


def _read_with_warnings(path: Path) -> tuple[Checklist, list[Problem]]:
    """One checklist file and its warnings (a file of the previous release); a UserError
    listing every located error for any damage."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"berkas daftar periksa {path} tidak ditemukan") from None
    checklist, problems = read_checklist_problems(raw, str(path), (path.parent.name, path.stem))
    if any(p.is_error for p in problems):
        raise UserError([p for p in problems if p.is_error])
    return checklist, problems


def _run_ids(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.yaml") if not p.name.startswith("."))


def _missing_run(data_dir: Path, slug: str, run_id: str) -> UserError:
    known = ", ".join(_run_ids(Path(data_dir) / CHECKLIST_DIR / slug)) or "-"
    return UserError(
        f"siklus '{run_id}' untuk SOP '{slug}' tidak ada; siklus yang ada: {known}\n"
        f"Mulai siklus baru dengan: sop run start {slug} --run {run_id}"
    )


def _check_text(name: str, value: str, *, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise UserError(f"{name} wajib diisi")
    if len(value) > MAX_TEXT:
        raise UserError(f"{name} terlalu panjang (lebih dari {MAX_TEXT} karakter)")
    if CONTROL_CHAR.search(value) or "\t" in value:  # C0 (but newline), DEL, C1
        raise UserError(f"{name} memuat karakter kendali; tulis teks biasa")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):  # undecodable bytes in argv
        raise UserError(f"{name} memuat byte yang bukan teks UTF-8; ketik ulang teksnya")
    if any(0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069 for ch in value):
        raise UserError(f"{name} memuat karakter pengatur arah teks; ketik ulang teksnya")
    return value


def start_run(
    data_dir: Path | str,
    sop: Sop,
    tz: ZoneInfo,
    now: datetime,
    run_id: str | None = None,
    at: datetime | None = None,
) -> tuple[Path, Checklist]:
    """Create the checklist file of a new cycle; the id defaults to the start date."""
    started = at or now
    if started > now:
        raise UserError(
            f"waktu mulai {show_time(started, tz)} belum terjadi (sekarang {show_time(now, tz)})"
        )
    if run_id is not None:
        candidates = [validate_run_id(run_id)]
    else:
        base = started.astimezone(tz).date().isoformat()
        candidates = [base] + [f"{base}-{n}" for n in range(2, 100)]
    folder = Path(data_dir) / CHECKLIST_DIR / validate_slug(sop.slug)
    keep_inside(data_dir, folder / f"{candidates[0]}.yaml")  # before any folder is made
    try:
        make_folder(folder)
    except OSError as exc:
        raise _store_error(exc, folder) from None
    for candidate in candidates:
        path = folder / f"{candidate}.yaml"
        keep_inside(data_dir, path)
        with _locked(path):
            if path.exists():
                continue
            checklist = new_checklist(sop, candidate, started, tz)
            write_atomic(path, dump_checklist(checklist).encode("utf-8"))
            return path, checklist
    raise UserError(
        f"siklus '{candidates[0]}' untuk SOP '{sop.slug}' sudah ada; "
        "pilih id lain dengan --run, mis. --run " + f"{candidates[0]}-ulang"
    )


def record_done(
    data_dir: Path | str,
    slug: str,
    run_id: str,
    step: int,
    by: str,
    now: datetime,
    at: datetime | None = None,
    output: str = "",
    note: str = "",
    decision: str = "",
    waited_until: datetime | None = None,
) -> tuple[Checklist, State]:
    """Append one completion to a cycle's file under its lock; refusals change nothing."""
    path = checklist_path(data_dir, slug, run_id)
    by = _check_text("--by (nama pelaksana)", by, required=True)
    output, note = _check_text("--output", output), _check_text("--note", note)
    decision = _decision_arg(decision)
    keep_inside(data_dir, path)
    if not path.is_file():
        raise _missing_run(Path(data_dir), slug, run_id)
    with _locked(path):
        checklist = read_checklist(path)
        updated, state = complete_step(
            checklist, step, by, at or now, now, output, note, decision, waited_until
        )
        write_atomic(path, dump_checklist(updated).encode("utf-8"))
    return updated, state


def _decision_arg(decision: str) -> str:
    return _check_text("--decision", decision)


def record_correction(
    data_dir: Path | str,
    slug: str,
    run_id: str,
    step: int,
    by: str,
    reason: str,
    now: datetime,
    at: datetime | None = None,
    output: str | None = None,
    note: str | None = None,
    decision: str | None = None,
) -> tuple[Checklist, State]:
    """Append a correction of `step`'s latest completion (None: that value unchanged)."""
    path = checklist_path(data_dir, slug, run_id)
    by = _check_text("--by (nama yang mengoreksi)", by, required=True)
    reason = _check_text("--alasan", reason, required=True)
    output = None if output is None else _check_text("--output", output)
    note = None if note is None else _check_text("--note", note)
    decision = None if decision is None else _decision_arg(decision) or None
    if not path.is_file():
        raise _missing_run(Path(data_dir), slug, run_id)
    correction = Correction(0, by, now, reason, at, output, note, decision)
    with _locked(path):
        checklist = read_checklist(path)
        updated, state = correct_step(checklist, step, correction, now)
        write_atomic(path, dump_checklist(updated).encode("utf-8"))
    return updated, state


def cancel_cycle(
    data_dir: Path | str, slug: str, run_id: str, by: str, reason: str, now: datetime
) -> Checklist:
    """Append the cancellation of a cycle (kept in the file, left out of statistics)."""
    path = checklist_path(data_dir, slug, run_id)
    by = _check_text("--by (nama yang membatalkan)", by, required=True)
    reason = _check_text("--alasan", reason, required=True)
    keep_inside(data_dir, path)
    if not path.is_file():
        raise _missing_run(Path(data_dir), slug, run_id)
    with _locked(path):
        updated = cancel_run(read_checklist(path), by, reason, now)
        write_atomic(path, dump_checklist(updated).encode("utf-8"))
    return updated


def open_checklist(data_dir: Path | str, slug: str, run_id: str | None = None) -> Checklist:
    """One cycle of an SOP; without `run_id`, the one started last."""
    folder = Path(data_dir) / CHECKLIST_DIR / validate_slug(slug)
    if run_id is not None:
        path = checklist_path(data_dir, slug, run_id)
        keep_inside(data_dir, path)
        if not path.is_file():
            raise _missing_run(Path(data_dir), slug, run_id)
        return read_checklist(path)
    for run in _run_ids(folder):
        keep_inside(data_dir, folder / f"{run}.yaml")
    cycles = [read_checklist(folder / f"{r}.yaml") for r in _run_ids(folder)]
    if not cycles:
        raise UserError(f"belum ada siklus untuk SOP '{slug}'; mulai dengan: sop run start {slug}")
    return max(cycles, key=_order)


def _order(checklist: Checklist) -> tuple[datetime, list[Any]]:
    natural = [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", checklist.run_id)]
    return checklist.started, natural


def _checklist_files(data_dir: Path | str) -> tuple[list[Path], list[Problem]]:
    """Every checklist file under <data>/checklist, and the misnamed folders and files."""
    data = Path(data_dir)
    root = data / CHECKLIST_DIR
    paths: list[Path] = []
    problems: list[Problem] = []
    if root.is_dir() and outside(root, data):
        raise UserError([outside_problem(root, "folder checklist")])
    folders = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    for folder in folders:
        if folder.name.startswith("."):
            continue
        if not re.fullmatch(SLUG_PATTERN, folder.name):
            problems.append(Problem(str(folder), 0, 0, "", "nama folder siklus tidak sah"))
            continue
        if outside(folder, data):
            problems.append(outside_problem(folder, "folder siklus"))
            continue
        for path in sorted(folder.glob("*.yaml")):
            if path.name.startswith("."):
                continue
            if len(path.stem) > MAX_RUN_ID or not re.fullmatch(RUN_ID_PATTERN, path.stem):
                problems.append(Problem(str(path), 0, 0, "", "nama berkas siklus tidak sah"))
                continue
            if outside(path, data):
                problems.append(outside_problem(path, "berkas siklus"))
                continue
            paths.append(path)
    return paths, problems


def load_checklists(data_dir: Path | str) -> dict[str, list[Checklist]]:
    """Every checklist under <data>/checklist, read-only, by SOP slug in start order.

    Any damaged or misnamed file makes one UserError listing every located problem.
    """
    return checklist_records(data_dir)[0]


def checklist_records(
    data_dir: Path | str,
) -> tuple[dict[str, list[Checklist]], tuple[Problem, ...]]:
    """`load_checklists`, and the files' warnings (files of the previous release, which get
    their hash chain at the next `sop run` write). Raises UserError like it."""
    result: dict[str, list[Checklist]] = {}
    paths, problems = _checklist_files(data_dir)
    warnings: list[Problem] = []
    for path in paths:
        try:
            checklist, found = _read_with_warnings(path)
        except UserError as exc:
            problems += exc.problems
            continue
        result.setdefault(path.parent.name, []).append(checklist)
        warnings += found
    if problems:
        raise UserError(problems)
    return {slug: sorted(c, key=_order) for slug, c in result.items()}, tuple(warnings)


def check_checklists(
    data_dir: Path | str, sops: Mapping[str, Sop], now: datetime
) -> tuple[int, list[Problem]]:
    """`sop check` of every checklist file: form, flow, hash chain, times not in the future,
    the snapshot against the SOP revision it names, cycles whose SOP (`sops`, by slug) is
    gone. Returns the number of files read and every problem (errors and warnings)."""
    paths, problems = _checklist_files(data_dir)
    for path in paths:
        try:
            raw = path.read_bytes()
            where = (path.parent.name, path.stem)
            checklist, found = read_checklist_problems(raw, str(path), where)
            found += audit_checklist(raw, str(path), checklist, sops.get(checklist.slug), now)
        except UserError as exc:
            found = list(exc.problems)
        except OSError as exc:
            found = [Problem(str(path), 0, 0, "", f"tidak dapat dibaca: {exc.strerror}")]
        problems += sorted(found, key=lambda p: (p.line, p.column))
    return len(paths), problems
