"""Phone numbers to E.164, the one form stored and matched.

Callers' numbers arrive in every shape (``0912-345-678``, ``+886 912 345 678``,
``886912345678``); customers are found by the E.164 form, so both the stored
numbers and the caller's number go through :func:`normalize`.
"""

from __future__ import annotations

import phonenumbers

from callcenter.crm.errors import InvalidPhoneNumber

DEFAULT_REGION = "TW"


def normalize(raw: str, region: str = DEFAULT_REGION) -> str:
    """Return ``raw`` in E.164 form (``+886912345678``).

    Args:
        raw: the number as written or as the switch reported it.
        region: ISO 3166 region used when the number has no country code.

    Raises:
        InvalidPhoneNumber: the text is not a number, or not a valid one
            (wrong length, unassigned prefix). A string of digits that is
            not valid in ``region`` is tried once more as international.
    """
    text = raw.strip()
    if not text:
        raise InvalidPhoneNumber(raw, "empty")
    number = _parse(text, region)
    if number is None and text.isdigit():
        # Switches often drop the "+" of an international number.
        number = _parse("+" + text, region)
    if number is None:
        raise InvalidPhoneNumber(raw, f"not a valid number (region {region})")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _parse(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def try_normalize(raw: str | None, region: str = DEFAULT_REGION) -> str | None:
    """Like :func:`normalize`, but ``None`` for a missing or invalid number
    (an anonymous caller is not an error)."""
    if raw is None:
        return None
    try:
        return normalize(raw, region)
    except InvalidPhoneNumber:
        return None
