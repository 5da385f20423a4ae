"""Generated SOPs: every valid one loads; every broken one fails with located problems only.

The valid SOPs are built from flow blocks that keep every step reachable from step 1 and an
end reachable from every step (by construction, not by asking `flow`):

- plain: the next step follows;
- rework: a decision (Ya -> after the next step, Tidak -> the next step), and that next step
  goes back (`lanjut`) to an earlier step;
- early end: a decision whose Tidak step ends the procedure (`selesai: true`);
- skip: a decision whose Ya jumps over the following steps;
- back: a decision whose Tidak goes back to an earlier step;
- goto next: `lanjut` naming the following step.
The "Ya" exit of each block is the first step of the next block, so the Ya-path from step 1
visits every block and ends at the last step, which is a plain step.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import flow
from generator.errors import UserError
from generator.loader import load_project
from tests.conftest import SEED_DATA

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TRICKY_TEXT = [
    "no",
    "off",
    "yes",
    "0214",
    "1:20",
    "1.10",
    "null",
    "~",
    "2024-01-22",
    "- butir",
    "a: b",
    "#tagar",
    "@surel",
    "*bintang",
    "&dan",
    "!seru",
    "%persen",
    "'kutip'",
    '"kutip ganda"',
    "Café Ümit",
    "  berspasi  ",
]
LETTERS = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:;-/()'\"#&*!?%éü"
texts = st.one_of(
    st.sampled_from(TRICKY_TEXT),
    st.text(alphabet=LETTERS, min_size=1, max_size=60),
).filter(lambda s: s.strip() != "")
lane_ids = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
units = st.sampled_from(["menit", "jam", "hari", "minggu", "bulan"])
BLOCKS = ["plain", "plain", "rework", "early_end", "skip", "back", "goto_next"]


class _Dumper(yaml.SafeDumper):
    """Never writes anchors, whatever objects repeat."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(data: dict[str, Any]) -> str:
    """YAML text as a clerk's editor would hold it."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)


@st.composite
def flows(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[int]]:
    """Flow keys of each step, and the numbers of the steps with selesai: true."""
    steps: list[dict[str, Any]] = []
    early_ends: list[int] = []
    for kind in draw(st.lists(st.sampled_from(BLOCKS), max_size=16)):
        k = len(steps) + 1
        if k > 36:  # at most 40 steps
            break
        if kind == "plain":
            steps.append({})
        elif kind == "rework":
            back_to = draw(st.integers(1, k))
            steps += [{"keputusan": {"ya": k + 2, "tidak": k + 1}}, {"lanjut": back_to}]
        elif kind == "early_end":
            steps += [{"keputusan": {"ya": k + 2, "tidak": k + 1}}, {"selesai": True}]
            early_ends.append(k + 1)
        elif kind == "skip":
            gap = draw(st.integers(2, 3))
            steps += [{"keputusan": {"ya": k + gap, "tidak": k + 1}}]
            steps += [{} for _ in range(gap - 1)]
        elif kind == "back" and k > 1:
            steps.append({"keputusan": {"ya": k + 1, "tidak": draw(st.integers(1, k - 1))}})
        elif kind == "goto_next":
            steps.append({"lanjut": k + 1})
        else:
            steps.append({})
    steps.append({})
    for step in steps:
        decision = step.get("keputusan")
        if decision is not None and draw(st.booleans()):
            decision["label_ya"] = draw(texts)
            decision["label_tidak"] = draw(texts)
    return steps, early_ends


@st.composite
def valid_sops(draw: st.DrawFn) -> dict[str, Any]:
    """A valid SOP as plain data (what the clerk writes), with its flow facts under '_'."""
    lanes = draw(st.lists(lane_ids, min_size=3, max_size=8, unique=True))
    flow_keys, early_ends = draw(flows())
    steps = []
    for keys in flow_keys:
        if draw(st.integers(0, 4)) == 0:
            actors: str | list[str] = draw(
                st.lists(st.sampled_from(lanes), min_size=2, max_size=3, unique=True)
            )
        else:
            actors = draw(st.sampled_from(lanes))
        step: dict[str, Any] = {
            "uraian": draw(texts),
            "pelaksana": actors,
            "waktu": f"{draw(st.integers(1, 99))} {draw(units)}",
        }
        for key in ("kelengkapan", "output", "keterangan"):
            if draw(st.booleans()):
                step[key] = draw(texts)
        step.update(keys)
        steps.append(step)
    created = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)))
    return {
        "nomor": draw(texts),
        "nama": draw(texts),
        "unit": draw(texts),
        "tanggal_pembuatan": created,
        "tanggal_revisi": draw(st.none() | st.just(created + timedelta(days=30))),
        "tanggal_efektif": created + timedelta(days=draw(st.integers(0, 60))),
        "disahkan_oleh": "camat",
        "dasar_hukum": draw(st.lists(texts, max_size=3)),
        "peralatan_perlengkapan": {"Peralatan": draw(st.lists(texts, max_size=2))},
        "pencatatan_pendataan": [],
        "pelaksana": {lane: draw(texts) for lane in lanes},
        "langkah": steps,
        "_": {"early_ends": early_ends},
    }


def _write(folder: Path, text: str | bytes) -> Path:
    shutil.copyfile(SEED_DATA / "instansi.yaml", folder / "instansi.yaml")
    (folder / "sop").mkdir()
    path = folder / "sop" / "uji.yaml"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def without_marker(sop: dict[str, Any]) -> dict[str, Any]:
    """The SOP mapping without the strategy's "_" bookkeeping key."""
    return {k: v for k, v in sop.items() if k != "_"}


@SETTINGS
@given(valid_sops())
def test_generated_valid_sops_load(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _write(Path(tmp), dump(without_marker(data)))
        project = load_project(tmp)
    sop = project.sops[0]
    steps = data["langkah"]
    n = len(steps)
    assert sop.name == data["nama"].strip()
    assert sop.number == data["nomor"].strip()
    assert [s.description for s in sop.steps] == [s["uraian"].strip() for s in steps]
    assert flow.reachable(sop) == set(range(1, n + 1))
    assert flow.reaching_an_end(sop) == set(range(1, n + 1))
    assert flow.ends(sop) == sorted([*data["_"]["early_ends"], n])
    used = {
        a
        for s in steps
        for a in ([s["pelaksana"]] if isinstance(s["pelaksana"], str) else s["pelaksana"])
    }
    unused = [lane for lane in data["pelaksana"] if lane not in used]
    assert [w.field for w in project.warnings] == [f"pelaksana.{lane}" for lane in unused]
    path = flow.main_path(sop)
    assert path[0] == 1 and path[-1] in flow.ends(sop)


# --------------------------------------------------------------------------- mutations

Mutation = Callable[[dict[str, Any], st.DrawFn], str | bytes]
REQUIRED = ["nomor", "nama", "unit", "tanggal_pembuatan", "tanggal_efektif", "disahkan_oleh"]
REQUIRED += ["pelaksana", "langkah"]


def _step(sop: dict[str, Any], draw: st.DrawFn) -> dict[str, Any]:
    return draw(st.sampled_from(sop["langkah"]))


def delete_required(sop: dict[str, Any], draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        del sop[draw(st.sampled_from(REQUIRED))]
    else:
        # waktu may be left out since the real-SOP additions (no standard time: a warning)
        del _step(sop, draw)[draw(st.sampled_from(["uraian", "pelaksana"]))]
    return dump(sop)


def _misspell(key: str, known: set[str]) -> str:
    for candidate in (key[:1] + key[2:], key + "x", key.upper(), key + "_lain"):
        if candidate not in known:
            return candidate
    raise AssertionError(key)


def misspell_key(sop: dict[str, Any], draw: st.DrawFn) -> str:
    target = _step(sop, draw) if draw(st.booleans()) else sop
    key = draw(st.sampled_from(sorted(target)))
    renamed = {(_misspell(k, set(target)) if k == key else k): v for k, v in target.items()}
    target.clear()
    target.update(renamed)
    return dump(sop)


def break_type(sop: dict[str, Any], draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 7))
    step = _step(sop, draw)
    if kind == 0:
        sop["nama"] = ["a", "b"]
    elif kind == 1:
        step["waktu"] = draw(
            st.sampled_from(["sejam", "1:20", "1.10", "2 jm", "60", "sesuai kebutuhan"])
        )
    elif kind == 2:
        sop["tanggal_pembuatan"] = draw(st.sampled_from(["2024-13-01", "22-01-2024", "kemarin"]))
    elif kind == 3:
        sop["langkah"] = "teks"
    elif kind == 4:
        sop["pelaksana"] = list(sop["pelaksana"])
    elif kind == 5:
        step["keputusan"] = draw(st.sampled_from(["7", "ya", ["1", "2"]]))
    elif kind == 6:
        step["selesai"] = draw(st.sampled_from(["no", "ya", "off", "1"]))
    else:
        step["pelaksana"] = {"a": "b"}
    return dump(sop)


def target_outside(sop: dict[str, Any], draw: st.DrawFn) -> str:
    n = len(sop["langkah"])
    outside = draw(st.sampled_from([0, n + 1, n + 7]))
    jumps = [s for s in sop["langkah"] if "keputusan" in s or "lanjut" in s]
    if jumps:
        step = draw(st.sampled_from(jumps))
        if "lanjut" in step:
            step["lanjut"] = outside
        else:
            step["keputusan"][draw(st.sampled_from(["ya", "tidak"]))] = outside
    else:
        _step(sop, draw)["lanjut"] = outside
    return dump(sop)


def unknown_actor_or_official(sop: dict[str, Any], draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        _step(sop, draw)["pelaksana"] = "bukan_lajur_sama_sekali"
    else:
        sop["disahkan_oleh"] = "bupati"
    return dump(sop)


def effective_before_created(sop: dict[str, Any], draw: st.DrawFn) -> str:
    sop["tanggal_efektif"] = sop["tanggal_pembuatan"] - timedelta(days=draw(st.integers(1, 400)))
    return dump(sop)


def duplicate_key_text(sop: dict[str, Any], draw: st.DrawFn) -> str:
    key = draw(st.sampled_from(["nomor", "nama", "unit", "pelaksana"]))
    return dump(sop) + f"{key}: lagi\n"


def insert_tab(sop: dict[str, Any], draw: st.DrawFn) -> str:
    text = dump(sop)
    lines = text.split("\n")
    indented = [i for i, line in enumerate(lines) if line.startswith("  ")]
    i = draw(st.sampled_from(indented))
    lines[i] = "\t" + lines[i][2:]
    return "\n".join(lines)


def hostile_value(sop: dict[str, Any], draw: st.DrawFn) -> str:
    value = draw(
        st.sampled_from(
            [
                "!!python/object/apply:os.system ['true']",
                "&jangkar teks",
                "*alias",
                "[belum ditutup",
                '"belum ditutup',
                "@awal",
                "a: b: c",
            ]
        )
    )
    lines = dump(sop).split("\n")
    i = next(i for i, line in enumerate(lines) if line.startswith("nama:"))
    lines[i] = f"nama: {value}"
    return "\n".join(lines)


def bad_bytes(sop: dict[str, Any], draw: st.DrawFn) -> bytes:
    raw = dump(sop).encode("utf-8")
    at = draw(st.integers(0, len(raw)))
    # Step back to a character boundary so the inserted byte is the only bad one.
    while 0 < at < len(raw) and (raw[at] & 0xC0) == 0x80:
        at -= 1
    return raw[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\x07", b"\x00"])) + raw[at:]


def unknown_key(sop: dict[str, Any], draw: st.DrawFn) -> str:
    target = _step(sop, draw) if draw(st.booleans()) else sop
    target[draw(st.sampled_from(["catatan", "keterangan_tambahan", "Nama", "langkah_2"]))] = "x"
    return dump(sop)


MUTATIONS: list[Mutation] = [
    delete_required,
    misspell_key,
    break_type,
    target_outside,
    unknown_actor_or_official,
    effective_before_created,
    duplicate_key_text,
    insert_tab,
    hostile_value,
    bad_bytes,
    unknown_key,
]


@SETTINGS
@given(valid_sops(), st.sampled_from(MUTATIONS), st.data())
def test_mutated_sops_fail_with_located_problems_only(
    data: dict[str, Any], mutation: Mutation, draws: st.DataObject
) -> None:
    text = mutation(without_marker(data), draws.draw)
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), text)
        try:
            load_project(tmp)
        except UserError as exc:
            problems = exc.problems
        else:
            raise AssertionError(f"{mutation.__name__} was accepted:\n{text!r}")
    errors = [p for p in problems if p.is_error]
    assert errors, mutation.__name__
    for problem in problems:
        assert problem.path in (str(path), str(Path(tmp) / "instansi.yaml"))
        assert problem.line > 0 and problem.column > 0, problem
        assert problem.message
        assert "Traceback" not in problem.format()
