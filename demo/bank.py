"""Demo partners' bank details: made up, well-formed, derived from the partner's number (no
random draw, so the rest of the demo stays the same), so the demo's bank file exports."""

from __future__ import annotations


def _iban_check_digits(country: str, bban: str) -> str:
    """ISO 13616 check digits: move country + "00" behind the BBAN, letters as 10..35, mod 97."""
    digits = "".join(str(int(ch, 36)) for ch in f"{bban}{country}00")
    return f"{98 - int(digits) % 97:02d}"


def demo_bank_details(number: int, name: str, country: str) -> dict[str, str]:
    """India: an account number and an IFSC (4 letters, 0, 6 characters); Egypt: an IBAN
    (EG, 2 check digits, 25 digits)."""
    if country == "EG":
        bban = f"0019{number:04d}{number * 7919 % 10**17:017d}"
        return {
            "payout_account_holder": name,
            "payout_iban": f"EG{_iban_check_digits('EG', bban)}{bban}",
        }
    return {
        "payout_account_holder": name,
        "payout_account_number": f"5010{number * 104729 % 10**10:010d}",
        "payout_ifsc": f"DEMO0{number:06d}",
    }
