"""The SOP-flow scenarios of the payouts demo: PAF disputes, scenario-4 penalties, refunds,
bonuses, OOS tickets and follow-up calls."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from cases import services
from cases.catalog import CaseKind, Team
from cases.models import (
    Booking,
    Case,
    Channel,
    Priority,
    Reporter,
)
from flows import calls, intake
from payouts import services as payouts
from payouts.models import (
    PartnerAtFault,
    Refund,
    ReversalKind,
)

from .money_summary import (
    FOLLOW_UP_CALLS,
    METRES_PER_DEGREE,
    OOS_JOBS,
    PAF_DISPUTES,
    SCENARIO_4,
)
from .seed import (
    SLA_HOURS,
    VOICE,
)


class MoneyScenarios:
    """The SOP-flow scenarios of the payouts demo (a part of MoneyDemoBuilder)."""

    def _paf_disputes(self, revisits: list[Booking], pafs: list[PartnerAtFault]) -> None:
        """This month the partners dispute last month's PAFs: the agent decides each with its
        scenario flow; the supervisor (trainer) reviews the PAF; partner support logs the
        reversal form for the second, and leaves the first for the demo."""
        for revisit, paf, dispute in zip(revisits, pafs, PAF_DISPUTES, strict=True):
            scenario, kind, _, _, inputs, genuine = dispute
            case = self._case(
                kind,
                revisit,
                actor=self.agent,
                reporter=Reporter.PARTNER,
                subject=f"PAF and revisit penalty dispute: {revisit.external_id}",
            )
            self._take(case.pk, self.agent)
            if genuine:
                # "Cannot be reversed": the decision confirms the PAF the trainer found genuine.
                self._flow(case.pk, f"revisit.scenario_{scenario}", inputs)
                self._resolve(case.pk)
                continue
            # The trainer listens to the call recordings again and overturns last month's
            # review; the agent's decision then offers the reversal form.
            payouts.review_paf(
                paf_id=paf.pk,
                actor=self.supervisor,
                genuine=False,
                reason="Call recordings show the partner was not at fault.",
            )
            self._flow(case.pk, f"revisit.scenario_{scenario}", inputs)
            services.update_case(
                case_id=case.pk,
                actor=self.agent,
                changes={"team": Team.PARTNER_SUPPORT, "assignee": self.partnersup},
                reason="Not a genuine PAF: partner support fills the reversal form.",
            )
            if scenario == 2:
                payouts.submit_reversal_request(
                    kind=ReversalKind.PAF_PENALTY,
                    actor=self.partnersup,
                    paf=paf,
                    case=Case.objects.get(pk=case.pk),
                    call_recording_ref=f"REC-{revisit.external_id}",
                    notes="Customer unresponsive; the partner cancelled as no work was required.",
                    evidence=[f"demo/reversals/{revisit.external_id}-chat.png"],
                )

    def _scenario_4(self, originals: list[Booking]) -> None:
        """The customer asks for a revisit, the partner fails it: PAF and a penalty of the
        policy's rate x the original invoice, pending for the next run."""
        for original, (_, _, failure) in zip(originals, SCENARIO_4, strict=True):
            result = intake.create_revisit(
                booking_id=original.pk,
                actor=self.agent,
                issue_note=VOICE[CaseKind.REVISIT_PARTNER_FAULT],
            )
            self.case_ids.append(result.case.pk)
            self._take(result.case.pk, self.agent)
            self._flow(result.case.pk, "revisit.scenario_4", {"partner_failure": failure})
            self._resolve(result.case.pk)

    def _refunds(self, goodwill: list[Booking], wrong_job: Booking) -> None:
        """Goodwill after a no-show (under and over the threshold) and a wrong job refunded
        and recovered from the partner; finance pays one goodwill, approves the wrong job
        (the recovery entry) and leaves the other goodwill in its queue."""
        for booking in goodwill:
            case = self._case(CaseKind.PRE_SERVICE_CANCELLATION, booking, actor=self.agent)
            self._take(case.pk, self.agent)
            self._flow(case.pk, "pre_services.goodwill_refund", {"refund_requested": True})
            self._resolve(case.pk)
        case = self._case(
            CaseKind.WRONG_JOB_STARTED, wrong_job, actor=self.agent, priority=Priority.HIGH
        )
        self._take(case.pk, self.agent)
        self._flow(
            case.pk,
            "pre_services.wrong_job_started",
            {
                "amount_paid": wrong_job.invoice_amount,
                "partner_responding": True,
                "unanswered_attempts": 0,
            },
        )
        self._resolve(case.pk)
        first = Refund.objects.filter(booking=goodwill[0]).get()
        payouts.approve_refund(
            refund_id=first.pk, actor=self.finance, reason="Goodwill as the SOP sets it."
        )
        payouts.mark_refund_paid(
            refund_id=first.pk, actor=self.finance, payment_reference=f"UTR-{first.pk:08d}"
        )
        recovered = Refund.objects.filter(booking=wrong_job).get()
        payouts.approve_refund(
            refund_id=recovered.pk,
            actor=self.finance,
            reason="Online payment for the wrong job: refund and recover from the partner.",
        )

    def _bonuses(self, bookings: list[Booking]) -> None:
        """The customer asks to change the address: refused, and the partner delivers at the
        new one for the changed-address bonus."""
        for booking in bookings:
            case = self._case(CaseKind.CONTACT_EDIT, booking, actor=self.agent)
            self._take(case.pk, self.agent)
            self._flow(
                case.pk,
                "pre_services.personal_details_edit",
                {"detail": "address", "partner_can_deliver_elsewhere": True},
            )
            self._resolve(case.pk)

    def _oos_tickets(self, bookings: list[Booking]) -> None:
        """Partners on the job raise OOS tickets within the radius, with images: each is
        opened, tagged and parked for the validation call."""
        for booking, (_, metres, by_partner) in zip(bookings, OOS_JOBS, strict=True):
            result = intake.raise_oos_ticket(
                booking_id=booking.pk,
                partner_actor_or_partner=booking.partner if by_partner else self.partnersup,
                latitude=booking.latitude + Decimal(metres) / METRES_PER_DEGREE,
                longitude=booking.longitude,
                images=[f"demo/oos/{booking.external_id}-{n}.jpg" for n in (1, 2)],
                note=VOICE[CaseKind.OUT_OF_SCOPE],
            )
            self.case_ids.append(result.case.pk)

    def _follow_ups(self, bookings: list[Booking]) -> None:
        """First visits the customer cancelled: the follow-up ticket, then the first call."""
        for booking, (_, outcome) in zip(bookings, FOLLOW_UP_CALLS, strict=True):
            case = self._case(
                CaseKind.FOLLOW_UP_FIRST_VISIT, booking, actor=None, channel=Channel.SYSTEM
            )
            services.update_case(
                case_id=case.pk,
                actor=self.agent,
                changes={"assignee": self.agent},
                reason="Assigned from the queue.",
            )
            self._flow(
                case.pk,
                "follow_up.open_first_visit_ticket",
                {"reason": "customer_asked_to_reschedule"},
            )
            calls.record_call_attempt(
                case_id=case.pk, actor=self.agent, outcome=outcome, at=timezone.now()
            )

    def _due_dates(self) -> None:
        """Cases the services opened without a due date get the SLA of their priority."""
        for case in Case.objects.filter(pk__in=self.case_ids, due_at__isnull=True):
            services.update_case(
                case_id=case.pk,
                actor=self.supervisor,
                changes={"due_at": case.created_at + timedelta(hours=SLA_HOURS[case.priority])},
                reason="Due date from the priority's SLA.",
            )
