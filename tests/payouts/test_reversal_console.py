"""Partner support logs a PAF and penalty reversal request in the console (revisit SOP, case
2): for a PAF pending review or not genuine the PAF page offers it; for a genuine PAF, one
already reversed or one with a request open it says why not, in the SOP's words, before any
form; a refusal keeps what was typed; the Add form names the PAF only and derives the rest."""

import pytest
from django.urls import reverse

from payouts import services
from payouts.models import PafState, ReversalRequest
from tests.factories import CaseFactory, PafFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:payouts_partneratfault_changelist"
ADD = "admin:payouts_reversalrequest_add"
GENUINE_WORDS = (
    "Revisit SOP: the PAF is genuine: tell the partner this cannot be reversed because the "
    "customer faced a bad experience due to the partner (policy sop-2026.1)"
)


def add_form_post(console, paf=None, **fields):
    """Save the Add form for a PAF and penalty reversal with a recording and notes typed."""
    data = {"kind": "paf_penalty", "call_recording_ref": "REC-9", "notes": "Typed notes."}
    if paf is not None:
        data["paf"] = paf.pk
    return console.post(reverse(ADD), {**data, **fields})


def page_of(paf) -> str:
    return reverse("admin:payouts_partneratfault_change", args=[paf.pk])


def buttons_and_notices(console, paf) -> tuple[list[str], list[str]]:
    response = console.get(page_of(paf))
    assert response.status_code == 200
    buttons = [b["name"] for b in response.context["record_buttons"]]
    notices = [str(n["html"]) for n in response.context["record_notices"]]
    return buttons, notices


def logged(paf, console, *, user) -> ReversalRequest:
    return services.submit_reversal_request(
        kind="paf_penalty", actor=user, paf=paf, call_recording_ref="REC-1", notes="asked"
    )


@pytest.mark.parametrize("state", [PafState.PENDING_REVIEW, PafState.NOT_GENUINE])
def test_a_paf_pending_review_or_not_genuine_offers_the_reversal_form(
    partner_support_console, state
):
    paf = PafFactory(in_state=state)
    buttons, notices = buttons_and_notices(partner_support_console, paf)
    assert buttons == ["log_reversal_request"] and notices == []
    html = partner_support_console.get(page_of(paf)).content.decode()
    assert "Log a PAF and penalty reversal request" in html  # the button, for one record


def test_a_genuine_paf_says_the_sop_refusal_before_any_form(partner_support_console):
    paf = PafFactory(in_state=PafState.GENUINE)
    buttons, notices = buttons_and_notices(partner_support_console, paf)
    assert buttons == []
    assert notices == [f"No reversal request can be logged. {GENUINE_WORDS}."]
    assert (
        'data-notice="reversal-refused"'
        in partner_support_console.get(page_of(paf)).content.decode()
    )


def test_a_reversed_paf_and_one_with_an_open_request_say_why(
    partner_support_console, partner_support, finance_user
):
    open_paf = PafFactory(in_state=PafState.NOT_GENUINE)
    request = logged(open_paf, partner_support_console, user=partner_support)
    buttons, notices = buttons_and_notices(partner_support_console, open_paf)
    assert buttons == []
    assert notices == [
        f"Reversal request #{request.pk} for this PAF is open: it is decided before another "
        "can be logged."
    ]

    services.approve_reversal_request(request_id=request.pk, actor=finance_user, reason="ok")
    buttons, notices = buttons_and_notices(partner_support_console, open_paf)
    assert buttons == []
    assert notices == ["No reversal request can be logged: this PAF is already reversed."]


def test_agents_see_no_reversal_notice(agent_console):
    # The notice is for those who may log a request; an agent is offered neither.
    buttons, notices = buttons_and_notices(agent_console, PafFactory(in_state=PafState.GENUINE))
    assert (buttons, notices) == ([], [])


def test_the_call_recording_is_required_and_shown_required(partner_support_console):
    paf = PafFactory(in_state=PafState.NOT_GENUINE)
    ask = partner_support_console.post(
        reverse(CHANGELIST), {"action": "log_reversal_request", "_selected_action": paf.pk}
    )
    assert ask.context["form"].fields["call_recording_ref"].required
    html = ask.content.decode()
    assert 'name="call_recording_ref"' in html and "required" in html

    missing = partner_support_console.post(
        reverse(CHANGELIST),
        {
            "action": "log_reversal_request",
            "_selected_action": paf.pk,
            "apply": "1",
            "call_recording_ref": "",
            "notes": "The customer says the partner came.",
        },
    )
    assert missing.status_code == 200 and "call_recording_ref" in missing.context["form"].errors
    assert not ReversalRequest.objects.exists()


def test_a_refused_request_comes_back_with_what_was_typed(partner_support_console):
    # Reached by a stale page or the list: the refusal is on the form, the notes are kept.
    paf = PafFactory(in_state=PafState.GENUINE)
    response = partner_support_console.post(
        reverse(CHANGELIST),
        {
            "action": "log_reversal_request",
            "_selected_action": paf.pk,
            "apply": "1",
            "call_recording_ref": "REC-77",
            "notes": "Notes that must not be lost.",
            "evidence": "",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.data["notes"] == "Notes that must not be lost."
    assert f"Not done #{paf.pk}: PAF #{paf.pk}: {GENUINE_WORDS}" in form.non_field_errors()
    html = response.content.decode()
    assert "Notes that must not be lost." in html and "tell the partner this cannot be" in html
    assert not ReversalRequest.objects.exists()


def test_the_add_form_names_the_paf_and_derives_booking_and_partner(
    partner_support_console, partner_support
):
    paf = PafFactory(in_state=PafState.NOT_GENUINE)
    page = partner_support_console.get(reverse(ADD))
    assert page.status_code == 200
    assert page.context["adminform"].form.fields["paf"].label == "PAF"
    html = page.content.decode()
    assert "admin-autocomplete" in html  # the PAF, booking and case each have their search

    saved = add_form_post(partner_support_console, paf, evidence_refs="https://example.com/a.jpg")
    assert saved.status_code == 302, saved.context and saved.context["adminform"].form.errors
    request = ReversalRequest.objects.get()
    assert (request.paf_id, request.booking_id, request.partner_id) == (
        paf.pk,
        paf.booking_id,
        paf.partner_id,
    )
    assert request.requested_by == partner_support and request.evidence == [
        "https://example.com/a.jpg"
    ]


def test_the_add_form_refuses_a_genuine_paf_on_its_field_and_keeps_the_notes(
    partner_support_console,
):
    paf = PafFactory(in_state=PafState.GENUINE)
    response = add_form_post(partner_support_console, paf)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["paf"] == [f"No reversal request can be logged. {GENUINE_WORDS}."]
    assert "Typed notes." in response.content.decode()
    assert not ReversalRequest.objects.exists()


def test_the_add_form_refusal_from_the_service_comes_back_on_the_form(
    partner_support_console,
):
    # The case must be about the PAF's booking: the service refuses it (400 on case) while
    # saving; the add form comes back with what was typed and the reason on its field.
    paf = PafFactory(in_state=PafState.NOT_GENUINE)
    other_case = CaseFactory()
    response = add_form_post(partner_support_console, paf, case=other_case.pk, notes="Kept notes.")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["case"]
    assert "Kept notes." in response.content.decode()
    assert not ReversalRequest.objects.exists()


def test_a_rating_reversal_needs_its_booking(partner_support_console):
    response = add_form_post(partner_support_console, kind="rating")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["booking"] == [
        "Choose the job whose rating is to be reversed."
    ]


def test_the_paf_list_reads_reasons_in_words(partner_support_console):
    PafFactory(in_state=PafState.GENUINE, reason="no_show")
    html = partner_support_console.get(reverse(CHANGELIST)).content.decode()
    assert "No show: the partner did not come" in html and ">no_show<" not in html
