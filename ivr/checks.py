"""Check digits for numbers a caller types (account, card, customer number)."""

from __future__ import annotations

from ivr.model import CheckDigit


def luhn_valid(digits: str) -> bool:
    """True when the last digit is the Luhn (mod 10) check digit of the rest.

    Card numbers and many account numbers use it; it catches every single
    wrong digit and most swaps of neighbours.
    """
    if len(digits) < 2 or not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def mod11_digit(payload: str) -> int | None:
    """The mod-11 check digit of ``payload`` (weights 2..7 from the right,
    repeating), or None when it would be 10 (such numbers are not issued)."""
    total = sum(int(char) * (2 + i % 6) for i, char in enumerate(reversed(payload)))
    digit = (11 - total % 11) % 11
    return None if digit == 10 else digit


def mod11_valid(digits: str) -> bool:
    """True when the last digit is the mod-11 check digit of the rest."""
    if len(digits) < 2 or not digits.isdigit():
        return False
    return mod11_digit(digits[:-1]) == int(digits[-1])


def luhn_digit(payload: str) -> int:
    """The Luhn check digit to append to ``payload``."""
    for digit in range(10):
        if luhn_valid(payload + str(digit)):
            return digit
    raise AssertionError("unreachable: one of ten digits always fits")


def check_digit_valid(kind: CheckDigit, digits: str) -> bool:
    """Dispatch on the check named in a collect node."""
    return luhn_valid(digits) if kind == "luhn" else mod11_valid(digits)
