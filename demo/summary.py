"""What load_demo reports: counts of what the demo world holds."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .money_summary import MONEY_MARKER_EXTERNAL_ID, MoneySummary
from .seed import DEMO_PASSWORD, MARKER_EXTERNAL_ID, ROLE_USERS, counts_text


@dataclass
class DemoSummary:
    already_loaded: bool = False
    users_created: int = 0
    partners: int = 0
    slots: int = 0
    customers: int = 0
    bookings: Counter = field(default_factory=Counter)
    revisits: int = 0
    sme_revisits: int = 0
    cases: Counter = field(default_factory=Counter)
    kinds: int = 0
    transitions: int = 0
    overdue: int = 0
    seconds: float = 0.0

    history: list[str] = field(default_factory=list)  # what the history added, if it ran
    money_added: bool = False
    money: MoneySummary | None = None

    @property
    def nothing_done(self) -> bool:
        return (
            self.already_loaded
            and not self.money_added
            and not self.history
            and not self.users_created
        )

    def lines(self) -> list[str]:
        if self.already_loaded:
            lines = [
                f"Demo data already loaded (partner {MARKER_EXTERNAL_ID} exists)"
                + ("; nothing to do." if self.nothing_done else ".")
                + (
                    f" Created {self.users_created} missing role user(s)."
                    if self.users_created
                    else ""
                )
            ]
        else:
            lines = [
                f"Demo data loaded in {self.seconds:.1f} s (role users' password: "
                f"{DEMO_PASSWORD}).",
                f"  users created: {self.users_created} ({', '.join(ROLE_USERS)})",
                f"  partners: {self.partners}, calendar slots: {self.slots}, "
                f"customers: {self.customers}",
                f"  bookings: {sum(self.bookings.values())} "
                f"({counts_text(self.bookings)}); revisits {self.revisits}, "
                f"SME revisits {self.sme_revisits}",
                f"  cases: {sum(self.cases.values())} over {self.kinds} kinds "
                f"({counts_text(self.cases)}); {self.transitions} transitions, "
                f"{self.overdue} overdue",
            ]
        lines += self.history
        if self.money_added:
            lines.append(
                f"Payouts demo added in {self.seconds:.1f} s (marker booking "
                f"{MONEY_MARKER_EXTERNAL_ID})."
            )
        else:
            lines.append(
                f"Payouts demo already loaded (booking {MONEY_MARKER_EXTERNAL_ID} exists); "
                "nothing to do."
            )
        if self.money is not None:
            lines += self.money.lines()
        return lines
