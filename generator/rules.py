"""Cross-checks on well-shaped data: lanes, targets, reachability, ends, officials, numbers.

Each check returns `Finding`s located by a key path in the user's YAML (aliases, 0-based list
indices, exactly like pydantic's error locations), so the loader can turn them into
``file:line:col`` messages. Nothing here knows about YAML or files.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from generator import flow
from generator.errors import Severity
from generator.layout.sheet import fit
from generator.model import Office, Sop, Step

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Finding:
    """A broken rule, located by key path."""

    loc: Loc
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR


def _step_loc(number: int, *rest: str | int) -> Loc:
    return ("langkah", number - 1, *rest)


def check_dates(sop: Sop) -> list[Finding]:
    """tanggal_efektif is not before tanggal_pembuatan."""
    if sop.effective < sop.created:
        return [
            Finding(
                ("tanggal_efektif",),
                "tanggal efektif lebih awal dari tanggal pembuatan",
                f"SOP dibuat {sop.created.isoformat()}; tanggal efektif tidak boleh sebelumnya",
            )
        ]
    return []


def _squash(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def lane_suggestion(written: str, labels: dict[str, str]) -> str:
    """'mungkin maksud Anda 'x'? ' when `written` is a lane's label or close to an id; else ''.

    `labels` maps id -> label (lanes, or officials by jabatan/nama).
    """
    key = _squash(written)
    for lane_id, label in labels.items():
        if key and key == _squash(label):
            return f"mungkin maksud Anda '{lane_id}' (id dari '{label}')? "
    close = difflib.get_close_matches(written.lower(), list(labels), n=1, cutoff=0.7)
    return f"mungkin maksud Anda '{close[0]}'? " if close else ""


def check_lanes(sop: Sop) -> list[Finding]:
    """Every actor of a step is a lane; every lane is used (warning)."""
    found: list[Finding] = []
    known = ", ".join(sop.lane_ids)
    used: set[str] = set()
    for step in sop.steps:
        seen: set[str] = set()
        for i, actor in enumerate(step.actors):
            loc = _step_loc(step.number, "pelaksana") + ((i,) if len(step.actors) > 1 else ())
            if actor in seen:
                found.append(Finding(loc, f"pelaksana '{actor}' tertulis dua kali"))
            seen.add(actor)
            if actor not in sop.lanes:
                found.append(
                    Finding(
                        loc,
                        f"pelaksana '{actor}' bukan lajur SOP ini",
                        lane_suggestion(actor, sop.lanes) + f"lajur: {known}",
                    )
                )
            used.add(actor)
    for lane in sop.lane_ids:
        if lane not in used:
            found.append(
                Finding(
                    ("pelaksana", lane),
                    f"lajur '{lane}' tidak dipakai oleh langkah mana pun",
                    "hapus lajur ini atau tetapkan sebagai pelaksana sebuah langkah",
                    Severity.WARNING,
                )
            )
    return found


def _target_findings(sop: Sop, number: int, loc: Loc, target: int) -> list[Finding]:
    n = len(sop.steps)
    if not 1 <= target <= n:
        return [Finding(loc, f"langkah {target} tidak ada", f"nomor langkah 1 sampai {n}")]
    if target == number:
        return [Finding(loc, "langkah tidak boleh menuju dirinya sendiri", "tulis langkah lain")]
    return []


def _decision_findings(sop: Sop, step: Step) -> list[Finding]:
    """A decision's exits: existing targets, no two exits to one step, distinct labels."""
    assert step.decision is not None
    n = step.number
    exits = step.decision.exits
    found: list[Finding] = []
    for x in exits:
        if x.target is not None:
            found += _target_findings(sop, n, _step_loc(n, "keputusan", x.key), x.target)
    targets = {x.target for x in exits if x.target is not None}
    for i, x in enumerate(exits):
        earlier = exits[:i]
        same = next((y for y in earlier if x.target is not None and y.target == x.target), None)
        # Two of 3-4 outcomes may lead to the same step (kel-pulutan: two kinds of move end at
        # the Kecamatan); a decision whose every exit goes to one step decides nothing.
        if same is not None and (len(exits) == 2 or len(targets) == 1):
            found.append(
                Finding(
                    _step_loc(n, "keputusan", *((x.key,) if len(exits) > 2 else ())),
                    f"{same.label} dan {x.label} menuju langkah yang sama",
                    "setiap jalan keluar keputusan harus menuju langkah yang berbeda",
                )
            )
        # Labels written as keys must differ beyond case (`sop run --decision` ignores case);
        # label_ya/label_tidak only print, and the first contract let them be equal.
        twin = next(
            (y for y in earlier if x.key == x.label and y.label.casefold() == x.label.casefold()),
            None,
        )
        if twin is not None:
            found.append(
                Finding(
                    _step_loc(n, "keputusan", x.key),
                    f"label '{x.label}' sama dengan label '{twin.label}'",
                    "beri setiap jalan keluar label yang berbeda",
                )
            )
    if all(x.target is None for x in exits):
        found.append(
            Finding(
                _step_loc(n, "keputusan"),
                "semua jalan keluar keputusan menuju selesai",
                "paling sedikit satu jalan keluar harus menuju sebuah langkah",
            )
        )
    if step.ends:
        found.append(
            Finding(
                _step_loc(n, "selesai"),
                "langkah keputusan tidak dapat sekaligus selesai",
                "hapus 'selesai: true'; jalan keluar yang mengakhiri prosedur ditulis "
                "dengan tujuan 'selesai'",
            )
        )
    if step.goto is not None:
        found.append(
            Finding(
                _step_loc(n, "lanjut"),
                "langkah keputusan tidak memakai 'lanjut'",
                "tujuan keputusan ditulis pada setiap jalan keluarnya",
            )
        )
    return found


def check_targets(sop: Sop) -> list[Finding]:
    """Decision targets and `lanjut` name existing steps other than the step itself."""
    found: list[Finding] = []
    for step in sop.steps:
        n = step.number
        if step.decision is not None:
            found += _decision_findings(sop, step)
        elif step.goto is not None:
            found += _target_findings(sop, n, _step_loc(n, "lanjut"), step.goto)
            if step.ends:
                found.append(
                    Finding(
                        _step_loc(n, "lanjut"),
                        "langkah yang selesai tidak dapat dilanjutkan",
                        "hapus 'selesai' atau 'lanjut'",
                    )
                )
    return found


def check_standard_times(sop: Sop) -> list[Finding]:
    """A step of an office lane without a standard time (warning): it counts nothing in the
    total. Outside parties' steps usually have none and are not reported."""
    return [
        Finding(
            _step_loc(step.number, "waktu"),
            "langkah lajur kantor tanpa waktu baku; tidak dihitung dalam jumlah waktu",
            "tulis lama kerjanya, mis. '15 menit'; bila pelaksananya pihak luar kantor, "
            "tandai lajurnya dengan luar: true",
            Severity.WARNING,
        )
        for step in sop.steps
        if not step.time.has_standard and not sop.is_outside_step(step.number)
    ]


def check_reachability(sop: Sop) -> list[Finding]:
    """Every step is reachable from step 1, and an end is reachable from every step."""
    reached = flow.reachable(sop, 1)
    found = [
        Finding(
            _step_loc(step.number),
            f"langkah {step.number} tidak pernah tercapai dari langkah 1",
            "periksa 'lanjut', 'selesai' dan tujuan keputusan sebelum langkah ini",
        )
        for step in sop.steps
        if step.number not in reached
    ]
    for loop in flow.endless_loops(sop):
        last = sop.step(loop[-1])
        key = "keputusan" if last.is_decision else "lanjut" if last.goto is not None else None
        steps = ", ".join(str(n) for n in loop)
        found.append(
            Finding(
                _step_loc(last.number, key) if key else _step_loc(last.number),
                f"langkah {steps} berulang tanpa akhir: prosedur tidak pernah selesai",
                "beri jalan keluar dari putaran ini: ubah 'lanjut' atau tujuan keputusan "
                "(tujuan 'selesai' mengakhiri prosedur), atau tambahkan 'selesai: true'",
            )
        )
    return found


def check_official(sop: Sop, office: Office) -> list[Finding]:
    """disahkan_oleh names an official of instansi.yaml."""
    if sop.approved_by in office.officials:
        return []
    known = ", ".join(office.officials) or "(belum ada pejabat di instansi.yaml)"
    return [
        Finding(
            ("disahkan_oleh",),
            f"pejabat '{sop.approved_by}' tidak ada di instansi.yaml",
            official_suggestion(sop.approved_by, office) + f"pejabat yang dikenal: {known}",
        )
    ]


# `formulir: tidak ada` (or "-") says the step gets no form.
NO_FORM_VALUES = frozenset({"tidak ada", "-"})


def official_suggestion(written: str, office: Office) -> str:
    """A suggestion when `written` is an official's jabatan or nama, or close to a key."""
    for key, official in office.officials.items():
        for label in (official.position, official.name):
            hint = lane_suggestion(written, {key: label})
            if hint:
                return hint
    return lane_suggestion(written, {k: k for k in office.officials})


def check_sheet_fit(sop: Sop, office: Office) -> list[Finding]:
    """The official sheet can print everything: lanes within the paper's limit, every step
    row within one page (the limits come from the sheet layout, in characters)."""
    limit = fit.MAX_LANES[office.paper]
    if len(sop.lanes) > limit:
        return [
            Finding(
                ("pelaksana",),
                f"terlalu banyak lajur untuk lembar SOP kertas {office.paper}: "
                f"{len(sop.lanes)} lajur, paling banyak {limit}",
                "gabungkan pelaksana yang bertugas sama dalam satu lajur"
                + (
                    f", atau pakai kertas F4 (paling banyak {fit.MAX_LANES['F4']} lajur)"
                    if limit < fit.MAX_LANES["F4"]
                    else ""
                ),
            )
        ]
    return [
        Finding(_step_loc(t.step, t.field), t.message, t.hint)
        for t in fit.overlong_texts(sop, office)
    ]


def check_forms(sop: Sop, known_forms: Collection[str]) -> list[Finding]:
    """Every `formulir` names a form type that exists in templates/formulir/, or is
    'tidak ada'."""
    known = ", ".join(sorted(known_forms))
    hint = f"formulir yang ada: {known}" if known else "belum ada formulir di templates/formulir/"
    return [
        Finding(
            _step_loc(step.number, "formulir"),
            f"formulir '{step.form}' tidak dikenal",
            lane_suggestion(step.form, {f: f for f in known_forms}) + hint,
        )
        for step in sop.steps
        if step.form
        and step.form not in known_forms
        and step.form.strip().lower() not in NO_FORM_VALUES
    ]


SKIPPABLE = ("dates", "lanes", "unused_lanes", "official", "flow")


FitCheck = Callable[[Sop, Office], list[Finding]]


def check_sop(
    sop: Sop,
    office: Office | None,
    known_forms: Collection[str] | None = None,
    skip: Collection[str] = (),
    fit: FitCheck = check_sheet_fit,
) -> list[Finding]:
    """All single-SOP rules; form names are checked when `known_forms` is given.

    Without `office` (instansi.yaml itself is broken) the official is not checked, so the
    other findings are still reported in the same run. `skip` names checks (of `SKIPPABLE`)
    whose input the loader had to stand in for after a shape error. `fit` is
    `check_sheet_fit` or a stand-in giving the same findings (the loader's cached one).
    """
    targets = check_targets(sop)
    found = check_dates(sop) if "dates" not in skip else []
    if "lanes" not in skip:
        lanes = check_lanes(sop)
        if "unused_lanes" in skip:
            lanes = [f for f in lanes if f.severity is Severity.ERROR]
        found += lanes
    found += targets + check_standard_times(sop)
    if office is not None and "official" not in skip:
        found += check_official(sop, office)
    if office is not None and "lanes" not in skip:
        found += fit(sop, office)
    if known_forms is not None:
        found += check_forms(sop, known_forms)
    # Reachability is only meaningful once every target exists.
    if not targets and "flow" not in skip:
        found += check_reachability(sop)
    return found


def _number_key(number: str) -> str:
    """What makes two SOP numbers the same to a reader: case, spacing, invisible characters
    and full-width forms do not count ("067/21" and "０67/2\u200b1" print alike)."""
    shown = unicodedata.normalize("NFKC", number)
    shown = "".join(c for c in shown if unicodedata.category(c) != "Cf")
    return " ".join(shown.split()).lower()


def check_unique_numbers(sops: Iterable[Sop]) -> dict[str, list[Finding]]:
    """nomor is unique across SOPs: findings per slug of every SOP after the first holder."""
    first: dict[str, str] = {}
    found: dict[str, list[Finding]] = {}
    for sop in sorted(sops, key=lambda s: s.slug):
        key = _number_key(sop.number)
        if key in first:
            found.setdefault(sop.slug, []).append(
                Finding(
                    ("nomor",),
                    f"nomor SOP '{sop.number}' sudah dipakai oleh sop/{first[key]}.yaml",
                    "setiap SOP memerlukan nomor sendiri",
                )
            )
        else:
            first[key] = sop.slug
    return found
