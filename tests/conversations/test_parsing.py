"""Reading mail: charsets, encodings, text before HTML, HTML made safe, attachments, broken
MIME and headers, and the quoted history cut from a reply."""

from __future__ import annotations

from conversations.parsing import parse, safe_html, text_of_html
from conversations.quoting import new_text

from .conftest import mail


def test_latin1_quoted_printable_and_koi8_base64_bodies_are_read():
    raw = (
        b"From: =?iso-8859-1?q?Ren=E9e?= <renee@example.com>\r\n"
        b"Subject: =?utf-8?b?0J/RgNC40LLQtdGC?=\r\n"
        b"Message-ID: <a1@example.com>\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        b"Caf=E9 cr=E8me\r\n"
    )
    parsed = parse(raw)
    assert parsed.from_name == "Renée" and parsed.subject == "Привет"
    assert parsed.text == "Café crème"
    koi8 = (
        b"From: ivan@example.com\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=koi8-r\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"8NLJ18XU\r\n"
    )
    assert parse(koi8).text == "Привет"


def test_an_unknown_charset_falls_back_instead_of_failing():
    raw = (
        b"From: x@example.com\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\n"
        b"plain words \xe9\r\n"
    )
    parsed = parse(raw)
    assert parsed.text == "plain words é"  # not UTF-8, so read as Latin-1


def test_the_text_part_is_preferred_and_the_html_kept_safe():
    raw = mail(
        text="The text part.",
        html='<p onclick="steal()">Hi <b>there</b></p><script>alert(1)</script>'
        '<img src="https://track.example.com/pixel.gif?u=1" width="1" height="1">'
        '<a href="https://example.com/x">link</a>',
    )
    parsed = parse(raw)
    assert parsed.text == "The text part."
    assert "<b>there</b>" in parsed.html
    for gone in ("script", "alert", "onclick", "<img", "track.example.com"):
        assert gone not in parsed.html
    assert 'rel="noopener noreferrer"' in parsed.html


def test_html_only_mail_gets_its_text_from_the_html():
    raw = (
        b"From: x@example.com\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8"
        b"\r\n\r\n<div>First line</div><div>Second &amp; last<br>line</div>"
        b"<script>var hidden = 1;</script>"
    )
    parsed = parse(raw)
    assert parsed.text == "First line\nSecond & last\nline"
    assert "hidden" not in parsed.html and "hidden" not in parsed.text


def test_attachments_are_read_with_safe_names():
    raw = mail(attachments=[("../../etc/photo.png", "image/png", b"\x89PNG\r\n\x1a\nrest")])
    (part,) = parse(raw).attachments
    assert part.filename == "photo.png" and part.content_type == "image/png"
    assert part.data == b"\x89PNG\r\n\x1a\nrest"


def test_malformed_mime_is_read_as_far_as_it_goes():
    raw = (
        b"From: x@example.com\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="never-used"\r\n\r\n'
        b"no parts here at all\r\n"
    )
    parsed = parse(raw)
    assert "StartBoundaryNotFoundDefect" in parsed.defects
    assert parsed.from_address == "x@example.com"


def test_a_thousand_line_header_is_read_and_the_subject_bounded():
    folded = "Subject: " + "\r\n ".join(f"word{i}" for i in range(1000))
    raw = f"From: x@example.com\r\n{folded}\r\nMessage-ID: <long@example.com>\r\n\r\nbody\r\n"
    parsed = parse(raw.encode())
    assert parsed.subject.startswith("word0 word1 ") and len(parsed.subject) == 255
    assert parsed.message_id == "<long@example.com>" and parsed.text == "body"


def test_a_message_without_an_id_gets_one_from_its_bytes():
    raw = b"From: x@example.com\r\nSubject: hi\r\n\r\nbody\r\n"
    assert parse(raw).message_id == parse(raw).message_id
    assert parse(raw).message_id != parse(raw + b"more\r\n").message_id


def test_safe_html_and_text_of_html_on_their_own():
    assert safe_html('<a href="javascript:alert(1)">x</a>') == '<a rel="noopener noreferrer">x</a>'
    assert text_of_html("<p>a</p><p>b</p>") == "a\nb"


def test_gmail_style_history_is_cut():
    reply = (
        "Yes, Tuesday works.\n\n"
        "On Mon, 7 Dec 2026 at 10:02, Casework Support <support@casework.test>\nwrote:\n"
        "> Can we come on Tuesday?\n> Thanks"
    )
    assert new_text(reply) == "Yes, Tuesday works."


def test_outlook_style_history_is_cut():
    reply = (
        "Please cancel it.\n\n"
        "From: Casework Support <support@casework.test>\n"
        "Sent: Monday, December 7, 2026 10:02 AM\nTo: asha@example.com\n"
        "Subject: Your booking\n\nWe can come on Tuesday."
    )
    assert new_text(reply) == "Please cancel it."
    original = "Fine.\n-----Original Message-----\nFrom: a\nold text"
    assert new_text(original) == "Fine."


def test_quoted_lines_and_signatures_are_dropped_but_an_all_quoted_reply_is_kept():
    assert new_text("> old\nnew answer\n> more old") == "new answer"
    assert new_text("Thanks!\n-- \nAsha Rao\n+91 98000 00000") == "Thanks!"
    assert new_text("> everything is quoted") == "> everything is quoted"
