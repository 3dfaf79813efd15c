"""The checks behind the patterns: checksums, ranges, numbering plans, decodings."""

from __future__ import annotations

import pytest

from kong_plugins.ai_output_redactor import validators as v


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("4111 1111 1111 1111", True),
        ("5555-5555-5555-4444", True),
        ("378282246310005", True),  # Amex, 15 digits
        ("6011111111111117", True),
        ("4111 1111 1111 1112", False),  # Luhn
        ("3704 0044 0532 0130 01", False),  # Amex prefix, wrong length
        ("0000 0000 0000 0000", False),
        ("9999999999999995", False),  # Luhn-valid, no network
    ],
)
def test_cards(number: str, ok: bool) -> None:
    assert v.card_ok(number) is ok


@pytest.mark.parametrize(
    ("ssn", "ok"),
    [
        (("536", "22", "1234"), True),
        (("000", "22", "1234"), False),
        (("666", "22", "1234"), False),
        (("900", "22", "1234"), False),
        (("536", "00", "1234"), False),
        (("536", "22", "0000"), False),
        (("078", "05", "1120"), False),  # the Woolworth wallet number
    ],
)
def test_ssn_ranges(ssn: tuple[str, str, str], ok: bool) -> None:
    assert v.ssn_ok(*ssn) is ok


@pytest.mark.parametrize(
    ("iban", "ok"),
    [
        ("DE89 3704 0044 0532 0130 00", True),
        ("GB82WEST12345698765432", True),
        ("FR1420041010050500013M02606", True),
        ("DE89 3704 0044 0532 0130 01", False),
        ("DE89 3704 0044 0532 0130", False),  # length
        ("XX89 3704 0044 0532 0130 00", False),
    ],
)
def test_iban(iban: str, ok: bool) -> None:
    assert v.iban_ok(iban) is ok


@pytest.mark.parametrize(
    ("phone", "ok"),
    [
        ("+44 20 7946 0958", True),
        ("+1 415 555 2671", True),
        ("0049 30 901820", True),
        ("(415) 555-2671", True),
        ("415-555-2671", True),
        ("4155552671", False),  # a bare national digit run
        ("078-05-1120", False),  # an SSN's grouping
        ("192.168.1.10", False),
        ("+44 20 12", False),
        ("2024-01-15", False),
    ],
)
def test_phone(phone: str, ok: bool) -> None:
    assert v.phone_ok(phone, ("US",)) is ok


def test_phone_regions_decide_national_numbers() -> None:
    assert v.phone_ok("030 901820", ("DE",))
    assert not v.phone_ok("030 901820", ("US",))


def test_ip_addresses() -> None:
    assert v.ipv4_ok("203.0.113.42") and not v.ipv4_ok("203.0.113.420")
    assert v.ipv6_ok("2001:db8::8a2e:370:7334") and v.ipv6_ok("::ffff:192.0.2.1")
    assert not v.ipv6_ok("d::") and not v.ipv6_ok("12:30:45")


def test_jwt_needs_json_with_alg() -> None:
    assert v.jwt_ok("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig")
    assert not v.jwt_ok("eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiIxIn0.sig")  # no alg
    assert not v.jwt_ok("eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.sig")


def test_entropy() -> None:
    assert v.entropy_bits("aaaa") == 0
    assert v.entropy_bits("abcd") == 2
    assert v.entropy_bits("0123456789abcdef" * 4) == 4  # hex never exceeds 4 bits per character
