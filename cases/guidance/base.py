"""The guidance record every SOP module fills, and the sentences more than one SOP shares."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Guidance:
    """One kind's guidance: the scenario, short imperative checks, and where in the SOP."""

    scenario: str
    checks: tuple[str, ...]
    sop_section: str


# The pending-customer-action SOP's special case B; the complaint tickets it opens share it.
WRITE_EVERY_ACTION = "Write every action you take with the customer on the ticket."
