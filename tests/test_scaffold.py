"""The new-SOP template and the JSON Schemas: valid as written, explained, never stale."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from generator import scaffold
from generator.errors import UserError
from generator.loader import load_project
from generator.model import Lane, Office, Sop, Step, YesNoDecision
from tests.conftest import ROOT, SEED_DATA, TEMPLATES

SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.MULTILINE)
TODAY = date(2024, 3, 5)


@pytest.fixture
def forms_templates(tmp_path: Path) -> Path:
    """The real templates folder's new-SOP template plus the form the template names."""
    folder = tmp_path / "templat"
    (folder / "formulir").mkdir(parents=True)
    shutil.copyfile(TEMPLATES / "sop-baru.yaml", folder / "sop-baru.yaml")
    (folder / "formulir" / "pengesahan.html").write_text("", encoding="utf-8")
    return folder


def test_new_sop_passes_check_as_written(
    data_copy: Path, forms_templates: Path, tmp_path: Path
) -> None:
    path = scaffold.new_sop(data_copy, "surat-masuk", forms_templates, TODAY)
    assert path == data_copy / "sop" / "surat-masuk.yaml"
    project = load_project(data_copy)
    new = project.sop("surat-masuk")
    assert (new.number, new.approved_by, new.created) == ("000/surat-masuk/2024", "camat", TODAY)
    assert [s.number for s in new.steps] == [1, 2]
    assert new.lane_ids == ["kepala", "staf"]
    assert project.warnings == ()
    # Alone too, and with the form check of the real templates folder's form names.
    alone = tmp_path / "sendiri"
    (alone / "sop").mkdir(parents=True)
    shutil.copyfile(SEED_DATA / "instansi.yaml", alone / "instansi.yaml")
    scaffold.new_sop(alone, "surat-keluar", forms_templates, TODAY)
    assert len(load_project(alone, forms_templates).sops) == 1


def test_new_sop_takes_the_first_official(data_copy: Path, forms_templates: Path) -> None:
    office = data_copy / "instansi.yaml"
    text = office.read_text(encoding="utf-8")
    office.write_text(text.replace("  camat:\n", "  sekcam:\n"), encoding="utf-8")
    path = scaffold.new_sop(data_copy, "surat-masuk", forms_templates, TODAY)
    assert "\ndisahkan_oleh: sekcam\n" in path.read_text(encoding="utf-8")


def test_new_sop_falls_back_when_instansi_is_broken(tmp_path: Path, forms_templates: Path) -> None:
    (tmp_path / "instansi.yaml").write_text("pejabat: [\n", encoding="utf-8")
    path = scaffold.new_sop(tmp_path, "surat-masuk", forms_templates, TODAY)
    assert "\ndisahkan_oleh: camat\n" in path.read_text(encoding="utf-8")


def test_new_sop_refuses_to_overwrite(data_copy: Path, forms_templates: Path) -> None:
    target = data_copy / "sop" / "evaluasi-kinerja-kecamatan.yaml"
    before = target.read_bytes()
    with pytest.raises(UserError) as caught:
        scaffold.new_sop(data_copy, "evaluasi-kinerja-kecamatan", forms_templates, TODAY)
    assert str(caught.value) == f"{target} sudah ada; pilih nama lain atau sunting berkas itu"
    assert target.read_bytes() == before


@pytest.mark.parametrize("slug", ["Surat", "surat masuk", "surat_masuk", "surat-", "../luar", ""])
def test_new_sop_refuses_a_bad_slug(slug: str, tmp_path: Path, forms_templates: Path) -> None:
    data = tmp_path / "data"
    with pytest.raises(UserError) as caught:
        scaffold.new_sop(data, slug, forms_templates, TODAY)
    assert str(caught.value) == (
        f"nama SOP '{slug}' tidak sah: gunakan huruf kecil, angka dan tanda hubung, "
        "mis. surat-masuk"
    )
    assert not data.exists()


def test_template_explains_every_key() -> None:
    text = (TEMPLATES / "sop-baru.yaml").read_text(encoding="utf-8")
    for model in (Sop, Step, YesNoDecision, Lane):
        for field in model.model_fields.values():
            assert re.search(rf"^[\s#-]*{field.alias}:", text, re.MULTILINE) or (
                f"'{field.alias}" in text
            ), field.alias
    # Every key line that is not commented out follows a comment line or a sibling key.
    lines = text.splitlines()
    top_keys = [i for i, line in enumerate(lines) if re.match(r"^[a-z_]+:", line)]
    for i in top_keys:
        assert lines[i - 1].startswith("#") or re.match(r"^[a-z_]+:|^  ", lines[i - 1]), lines[i]


def test_committed_schemas_are_current() -> None:
    for name, model in (("sop", Sop), ("instansi", Office)):
        committed = (ROOT / "schema" / f"{name}.schema.json").read_text(encoding="utf-8")
        assert committed == scaffold.schema_text(model), f"run: sop schema ({name})"


def test_schema_describes_the_yaml_keys() -> None:
    schema = json.loads(scaffold.schema_text(Sop))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {
        "nomor",
        "nama",
        "unit",
        "tanggal_pembuatan",
        "tanggal_efektif",
        "disahkan_oleh",
        "pelaksana",
        "langkah",
    }
    step = schema["$defs"]["Step"]
    assert step["additionalProperties"] is False
    assert set(step["properties"]) == {
        "uraian",
        "pelaksana",
        "kelengkapan",
        "waktu",
        "output",
        "keterangan",
        "formulir",
        "keputusan",
        "selesai",
        "lanjut",
        "id",
    }
    for typed in ("2 jam", "5 Menit", "1,5 jam", "15 - 30 menit", "1 x 24 jam", "-"):
        assert re.match(step["properties"]["waktu"]["pattern"], typed), typed
    assert not re.match(step["properties"]["waktu"]["pattern"], "sesuai kebutuhan")


@pytest.mark.parametrize(
    "path",
    [
        SEED_DATA / "instansi.yaml",
        *sorted((SEED_DATA / "sop").glob("*.yaml")),
        # The template is written to sop_data/sop/, so its link is resolved from there.
        SEED_DATA / "sop" / "sop-baru.yaml",
    ],
    ids=lambda p: p.name,
)
def test_yaml_language_server_lines_point_to_the_schemas(path: Path) -> None:
    source = TEMPLATES / "sop-baru.yaml" if path.name == "sop-baru.yaml" else path
    found = SCHEMA_LINE.findall(source.read_text(encoding="utf-8"))
    assert len(found) == 1
    target = (path.parent / found[0]).resolve()
    assert target.is_file()
    kind = "instansi" if path.name == "instansi.yaml" else "sop"
    assert target == (ROOT / "schema" / f"{kind}.schema.json").resolve()
