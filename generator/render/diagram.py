"""Placeholder: replaced by the diagram renderer."""

from __future__ import annotations

from generator.model import Sop
from generator.render.common import Outputs, RenderContext


def outputs(ctx: RenderContext, sop: Sop) -> Outputs:
    """Files of this renderer for one SOP (none yet)."""
    return {}
