"""Finding a customer as people type them: any part of the name, a phone number in local or
international form (normalised to E.164 with `phonenumbers`), a fragment of its digits, the id.

Every branch is served by an index: the unique id, the phone's b-tree (exact E.164), the
trigram indexes on name and phone (`contains_ci`, ILIKE on the column)."""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from django.db.models import Q

from partners.models import Region

MIN_NAME = 3  # fewer letters match too many names to be a search
MIN_FRAGMENT = 4  # "0688": four digits or more search inside phone numbers
PHONE_PUNCTUATION = frozenset(" +-().")


def _digits(term: str) -> str:
    # ASCII digits only: a "²" or an Arabic-Indic digit is no phone digit here.
    return "".join(ch for ch in term if ch in "0123456789")


def _international(term: str) -> bool:
    """+20 ... or 0020 ...: the number carries its country code."""
    return term.lstrip().startswith("+") or _digits(term).startswith("00")


def looks_like_phone(term: str) -> bool:
    """Digits with the punctuation people type in numbers, and nothing else."""
    return bool(_digits(term)) and all(ch in "0123456789" or ch in PHONE_PUNCTUATION for ch in term)


def e164_by_country(term: str, countries: list[str]) -> dict[str, str]:
    """The E.164 form of a typed number in each country where it is a valid number:
    "01270688253" -> {"EG": "+201270688253", "IN": "+911270688253"}; "+20 127 068 8253" -> its
    own country only; "2706882" (a fragment) -> {}.
    """
    digits = _digits(term)
    if len(digits) < 6:
        return {}
    if _international(term):
        raw = "+" + (digits[2:] if digits.startswith("00") else digits)
        try:
            number = phonenumbers.parse(raw, None)
        except phonenumbers.NumberParseException:
            return {}
        if not phonenumbers.is_valid_number(number):
            return {}
        country = phonenumbers.region_code_for_number(number)
        return {
            country or "": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        }
    found = {}
    for country in countries:
        try:
            number = phonenumbers.parse(digits, country)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            found[country] = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return found


def served_countries() -> list[str]:
    """The countries of the regions we serve, by code (one small query)."""
    return list(Region.objects.order_by("country").values_list("country", flat=True))


def customer_matches(term: str) -> Q | None:
    """The customers a console or API search term finds, as one condition (None: nothing).

    - the exact customer id;
    - a number in local form, normalised with the country of the customer's region (a local
      "012..." is Egyptian for an Egyptian customer, Indian for an Indian one), or in
      international form, matched exactly on the stored E.164 phone;
    - a fragment of 4+ digits that is no whole valid number, anywhere in the phone ("0688"; a
      leading trunk 0 is also tried without it, as the stored form has the country code);
    - 3+ characters of a name, anywhere in it, case-insensitive ("hass", "Farouk").
    """
    term = term.strip()
    if not term:
        return None
    matches = Q(external_id=term)
    if looks_like_phone(term):
        digits = _digits(term)
        served = served_countries()
        # The default region reads a number when none of the regions served takes it.
        countries = [*served, *({settings.PHONE_DEFAULT_REGION} - set(served))]
        readings = e164_by_country(term, countries)
        for country, e164 in readings.items():
            if country in served and not _international(term):
                # A local form is that country's number for that country's customers only.
                matches |= Q(phone=e164, city__region__country=country)
            else:
                matches |= Q(phone=e164)
        if not readings and len(digits) >= MIN_FRAGMENT:
            # Not a whole number anywhere: a part of one.
            matches |= Q(phone__contains_ci=digits)
            if digits.startswith("0") and len(digits) - 1 >= MIN_FRAGMENT:
                matches |= Q(phone__contains_ci=digits[1:])
    elif len(term) >= MIN_NAME:
        matches |= Q(name__contains_ci=term)
    return matches
