"""Evidence files on a reversal request: partner support attaches photos or a PDF when logging
it (from the PAF page or the Add form); each is checked by its own first bytes and size,
stored through Django's storage, and opened from the request's page as a link, only by those
who may see the request."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.errors import InvalidInput
from payouts import services
from payouts.models import EvidenceFile, PafState, ReversalRequest
from tests.factories import PafFactory, ReversalRequestFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
PDF = b"%PDF-1.7\n" + b"x" * 40
PROGRAM = b"MZ\x90\x00" + b"\x00" * 28  # a Windows program, renamed to look like a photo


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def log_from_paf_page(console, paf, *files):
    return console.post(
        reverse("admin:payouts_partneratfault_changelist"),
        {
            "action": "log_reversal_request",
            "_selected_action": paf.pk,
            "apply": "1",
            "call_recording_ref": "REC-3",
            "notes": "The customer confirms the partner came.",
            "evidence": "",
            "evidence_files": list(files),
        },
    )


def test_files_logged_from_the_paf_page_are_stored_and_linked(partner_support_console):
    paf = PafFactory(in_state=PafState.NOT_GENUINE)
    response = log_from_paf_page(
        partner_support_console, paf, upload("door.png", PNG), upload("note.pdf", PDF)
    )
    assert response.status_code == 302
    request = ReversalRequest.objects.get()
    stored = list(request.files.order_by("name"))
    assert [(f.name, f.content_type, f.size) for f in stored] == [
        ("door.png", "image/png", len(PNG)),
        ("note.pdf", "application/pdf", len(PDF)),
    ]

    page = partner_support_console.get(
        reverse("admin:payouts_reversalrequest_change", args=[request.pk])
    ).content.decode()
    photo_url = reverse("admin:payouts_reversalrequest_evidence", args=[request.pk, stored[0].pk])
    assert f'<a href="{photo_url}" target="_blank" rel="noopener">door.png</a> (1 KB)' in page

    opened = partner_support_console.get(photo_url)
    assert opened.status_code == 200
    assert opened["Content-Type"] == "image/png"
    assert opened["X-Content-Type-Options"] == "nosniff"
    assert b"".join(opened.streaming_content) == PNG


def test_the_add_form_stores_files_too(partner_support_console):
    paf = PafFactory()
    response = partner_support_console.post(
        reverse("admin:payouts_reversalrequest_add"),
        {
            "kind": "paf_penalty",
            "paf": paf.pk,
            "call_recording_ref": "REC-4",
            "notes": "Photos from the partner.",
            "evidence_files": [upload("work.png", PNG)],
        },
    )
    assert response.status_code == 302
    assert list(EvidenceFile.objects.values_list("name", "request__paf")) == [("work.png", paf.pk)]


def test_a_renamed_program_is_refused_on_its_field_and_the_notes_are_kept(
    partner_support_console,
):
    paf = PafFactory(in_state=PafState.NOT_GENUINE)
    response = log_from_paf_page(partner_support_console, paf, upload("photo.png", PROGRAM))
    assert response.status_code == 200
    errors = response.context["form"].errors["evidence_files"]
    assert errors == [
        "photo.png is not a file kind taken as evidence (image/jpeg, image/png, image/webp, "
        "image/gif, application/pdf)."
    ]
    assert "The customer confirms the partner came." in response.content.decode()
    assert not ReversalRequest.objects.exists() and not EvidenceFile.objects.exists()


@pytest.mark.parametrize(("extra", "taken"), [(0, True), (1, False)])
def test_the_size_limit_at_its_boundary(settings, partner_support, extra, taken):
    settings.EVIDENCE_MAX_BYTES = len(PNG)
    paf = PafFactory()
    files = [upload("big.png", PNG + b"\x00" * extra)]

    def log():
        return services.submit_reversal_request(
            kind="paf_penalty",
            actor=partner_support,
            paf=paf,
            call_recording_ref="R",
            notes="n",
            evidence_files=files,
        )

    if taken:
        assert log().files.get().size == len(PNG)
    else:
        with pytest.raises(InvalidInput) as refused:
            log()
        assert refused.value.fields == {
            "evidence_files": [
                f"big.png is {len(PNG) + 1:,} bytes; at most {len(PNG):,} bytes per file."
            ]
        }
        assert not ReversalRequest.objects.exists()


def test_a_file_opens_only_for_those_who_may_see_the_request(
    partner_support_console, agent_console, client
):
    paf = PafFactory(in_state=PafState.NOT_GENUINE)
    log_from_paf_page(partner_support_console, paf, upload("door.png", PNG))
    stored = EvidenceFile.objects.get()
    url = reverse("admin:payouts_reversalrequest_evidence", args=[stored.request_id, stored.pk])
    assert agent_console.get(url).status_code == 403  # agents do not see reversal requests
    assert client.get(url).status_code == 302  # to the sign-in page
    other = ReversalRequestFactory()
    wrong_pair = reverse("admin:payouts_reversalrequest_evidence", args=[other.pk, stored.pk])
    assert partner_support_console.get(wrong_pair).status_code == 404


def test_a_bare_name_from_before_files_were_stored_says_so(partner_support_console):
    request = ReversalRequestFactory(evidence=["IMG_2041.jpg", "https://img.example/a.jpg"])
    page = partner_support_console.get(
        reverse("admin:payouts_reversalrequest_change", args=[request.pk])
    ).content.decode()
    assert "IMG_2041.jpg (a name only: no file was stored)" in page
    assert 'href="https://img.example/a.jpg"' in page
