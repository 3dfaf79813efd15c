"""Checks that turn a pattern's candidate into a detection: checksums, number ranges, decodings.

Why: a pattern alone finds "any 16 digits" or "any 9 digits with dashes"; most such runs in model output are
order numbers, timestamps or ids. Each detector's candidate must also pass the rule its kind of value obeys
(Luhn for cards, mod-97 for IBANs, the SSA's assigned ranges for SSNs, libphonenumber's numbering plans for
phones...). Every function here is pure, works on one bounded candidate, and never raises.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import math
from collections import Counter
from collections.abc import Iterable

import phonenumbers

_STRICT = phonenumbers.Leniency.STRICT_GROUPING

__all__ = [
    "card_ok",
    "entropy_bits",
    "iban_ok",
    "ipv4_ok",
    "ipv6_ok",
    "jwt_ok",
    "luhn_ok",
    "phone_ok",
    "ssn_ok",
]

#: Lengths of IBANs per country (ISO 13616 registry); a country not listed is refused.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25,
    "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18,
    "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
    "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip

#: SSNs published as examples (never issued to anyone, but widely reused in documents and tests).
_EXAMPLE_SSNS = frozenset({"078051120", "219099999", "123456789"})


def digits_of(text: str) -> str:
    return "".join(ch for ch in text if "0" <= ch <= "9")


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) checksum of a string of ASCII digits."""
    total = 0
    for index, ch in enumerate(reversed(digits)):
        value = ord(ch) - 48
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def card_ok(candidate: str) -> bool:
    """13-19 digits, an issuer prefix of a card network with that network's lengths (Visa 13/16/19,
    Mastercard 16, Amex 15, Discover, Diners, JCB, UnionPay, Maestro 14-19) and a valid Luhn checksum. The
    prefix and length rules remove most of the false positives of Luhn alone (one digit run in ten)."""
    digits = digits_of(candidate)
    length = len(digits)
    if not 13 <= length <= 19 or len(set(digits)) == 1:
        return False
    two, four = int(digits[:2]), int(digits[:4])
    if digits[0] == "4":
        network = length in (13, 16, 19)
    elif 51 <= two <= 55 or 2221 <= four <= 2720:
        network = length == 16
    elif two in (34, 37):
        network = length == 15
    else:
        network = length >= 14 and (
            two in (36, 38, 30, 35, 62, 65)
            or digits.startswith(
                ("6011", "644", "645", "646", "647", "648", "649", "50", "56", "57", "58", "67", "63")
            )
        )
    return network and luhn_ok(digits)


def ssn_ok(area: str, group: str, serial: str) -> bool:
    """A US SSN the SSA can have issued: area not 000, 666 or 900-999, group not 00, serial not 0000, and
    not one of the published example numbers."""
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    return area + group + serial not in _EXAMPLE_SSNS


def iban_ok(candidate: str) -> bool:
    """Country length and the ISO 7064 mod-97 check (the number as digits, first four moved last, is 1)."""
    iban = "".join(candidate.split()).upper()
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban[2:4].isdigit():
        return False
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def ipv4_ok(candidate: str) -> bool:
    try:
        ipaddress.IPv4Address(candidate)
    except ValueError:
        return False
    return True


def ipv6_ok(candidate: str) -> bool:
    """A valid IPv6 address with at least three groups written out (``a::b`` in ``std::vector``-like text
    is not an address anyone writes)."""
    if candidate.count(":") < 2:
        return False
    try:
        ipaddress.IPv6Address(candidate)
    except ValueError:
        return False
    groups = [g for g in candidate.split(":") if g]
    return len(groups) >= 3 or (len(groups) >= 2 and "." in candidate)


def _b64_json(segment: str) -> object | None:
    """The JSON value a base64url segment encodes, or None. An object nested past the decoder's recursion
    limit counts as an object (``{}``): a token is not let through unredacted because its payload was
    made too deep to parse, and a ``RecursionError`` never reaches the handler (a 500)."""
    padded = segment + "=" * (-len(segment) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded)
        return json.loads(raw)
    except RecursionError:
        return {} if raw.lstrip()[:1] == b"{" else None
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


def jwt_ok(candidate: str) -> bool:
    """Header and payload decode to JSON objects and the header names an algorithm."""
    parts = candidate.split(".")
    if len(parts) != 3:
        return False
    header = _b64_json(parts[0])
    return isinstance(header, dict) and "alg" in header and isinstance(_b64_json(parts[1]), dict)


def entropy_bits(text: str) -> float:
    """Shannon entropy of the characters of ``text``, in bits per character."""
    if not text:
        return 0.0
    length = len(text)
    return -sum(n / length * math.log2(n / length) for n in Counter(text).values())


def phone_ok(candidate: str, regions: Iterable[str]) -> bool:
    """A number valid in libphonenumber's metadata **and written as such numbers are grouped** (its
    ``STRICT_GROUPING`` leniency): with ``+``/``00`` in any country, else in one of ``regions`` (the
    countries whose national format the route's users write, and written with a separator). The grouping
    check is what keeps ``078-05-1120`` (an SSN's shape) or ``192.168.1.10`` from passing as French or US
    numbers."""
    digits = digits_of(candidate)
    if not 7 <= len(digits) <= 15 or len(candidate) > 40:
        return False
    text = candidate.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    international = text.startswith("+")
    if not international and text.isdigit():
        return False  # a bare national digit run is an id or an amount far more often than a phone number
    tries: Iterable[str] = ["ZZ"] if international else regions
    for region in tries:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=_STRICT, max_tries=4):
            if match.start <= 1 and match.end >= len(text) - 1:
                return True
    return False
