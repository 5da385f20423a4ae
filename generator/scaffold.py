"""Starting points for a clerk: a new SOP file from the commented template, JSON Schemas."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from generator.errors import UserError
from generator.loader import OFFICE_FILE, SOP_DIR, list_form_types
from generator.model import SLUG_PATTERN, Office, Sop, is_reserved_name
from generator.render.common import make_env, render_template
from generator.yamlread import YamlRefused, read_yaml

NEW_SOP_TEMPLATE = "sop-baru.yaml"


def _first_official(data_dir: Path) -> str:
    try:
        data = read_yaml((data_dir / OFFICE_FILE).read_bytes()).data
    except (OSError, YamlRefused):
        return "camat"
    officials = data.get("pejabat") if isinstance(data, dict) else None
    return next(iter(officials), "camat") if isinstance(officials, dict) and officials else "camat"


def new_sop_text(slug: str, templates_dir: Path, today: date, official: str) -> str:
    """The text of a new SOP file (valid as written, every key explained)."""
    return render_template(
        make_env(templates_dir),
        NEW_SOP_TEMPLATE,
        slug=slug,
        today=today,
        pejabat=official,
        forms=list_form_types(templates_dir),
    )


def new_sop(data_dir: Path, slug: str, templates_dir: Path, today: date) -> Path:
    """Write sop/<slug>.yaml from the template; never overwrite an existing file."""
    if not re.fullmatch(SLUG_PATTERN, slug) or is_reserved_name(slug):
        raise UserError(
            f"nama SOP '{slug}' tidak sah: gunakan huruf kecil, angka dan tanda hubung, "
            "mis. surat-masuk"
        )
    path = Path(data_dir) / SOP_DIR / f"{slug}.yaml"
    if path.exists():
        raise UserError(f"{path} sudah ada; pilih nama lain atau sunting berkas itu")
    text = new_sop_text(slug, templates_dir, today, _first_official(Path(data_dir)))
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as f:
        f.write(text)
    return path


def schema_text(model: type[Sop] | type[Office]) -> str:
    """The JSON Schema of a data file, as committed text."""
    schema = model.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
