"""What the case page tells the agent for each case kind: the SOP scenario in plain words and
the checks the SOP asks for, one module per SOP in shared/sop/. Words for people: the numbers
are quoted from the SOP text; the decisions themselves live in policies/sop/."""

from __future__ import annotations

from .base import Guidance
from .follow_ups import FOLLOW_UP_GUIDANCE
from .l1 import L1_GUIDANCE
from .oos import OOS_GUIDANCE
from .pre_services import PRE_SERVICES_GUIDANCE
from .revisits import REVISIT_GUIDANCE

__all__ = ["GUIDANCE", "Guidance", "guidance_for"]

GUIDANCE: dict[str, Guidance] = {
    kind.value: guidance
    for table in (
        REVISIT_GUIDANCE,
        L1_GUIDANCE,
        PRE_SERVICES_GUIDANCE,
        OOS_GUIDANCE,
        FOLLOW_UP_GUIDANCE,
    )
    for kind, guidance in table.items()
}


def guidance_for(kind: str) -> Guidance | None:
    """The guidance for a case kind, or None for a kind no SOP module covers."""
    return GUIDANCE.get(kind)
