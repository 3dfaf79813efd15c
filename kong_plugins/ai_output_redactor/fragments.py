"""The start of a value at the end of a text that is known to be cut off.

A stream the upstream broke off (no ``[DONE]``/``message_stop``) or an answer stopped by ``max_tokens``
(finish reason ``length``/``max_tokens``, status ``incomplete``) can end inside a value. The detectors see no
value there (a card number cut to ``4111 1111 11`` fails the Luhn check, ``+1 415 55`` is no valid phone
number, ``sk_live_4eC3`` is too short for the Stripe pattern), yet what was sent is the value's start. At
the end of such a text only, a trailing fragment that could begin a value the route redacts is a finding
up to the end:

* a run of digits (with the separators cards, phones and SSNs are written with) holding at least
  :data:`MIN_DIGITS` digits, not glued to a word before it: ``credit_card`` (``phone`` when written with
  ``+``, brackets, dots or slashes), else whichever of ``phone``, ``us_ssn`` the route runs;
* a token starting with a secret's fixed prefix (``sk_live_``, ``ghp_``, ``xoxb-``, ``AKIA``, ``eyJ``,
  OpenAI's ``sk-``...), attributed to the detector that finds the whole secret.

A text that is not known to be cut is never read this way: its trailing digits are its own (a year, an
order number). A cut-off e-mail address is the engine's probe (:data:`.engine.CUT_PROBES`), which applies
to every channel end.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["MIN_DIGITS", "SECRET_PREFIXES", "trailing_fragment"]

MIN_DIGITS = 6
"""Digits a trailing run needs to be masked: a card's issuer number (6 digits) or a phone number's area
code and exchange. Fewer say too little to be worth masking a cut text's last number (``in 2024``)."""

DIGIT_DETECTORS = ("credit_card", "phone", "us_ssn")
PHONE_FIRST = ("phone", "credit_card", "us_ssn")
_DIGIT_SEPARATORS = frozenset(" -.()/")
_MAX_SEPARATOR_RUN = 2
_MAX_DIGIT_RUN_CHARS = 64  # the longest phone or card number as written, with room for separators
_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_TOKEN = _WORD | {"-"}
_MAX_TOKEN_CHARS = 512

SECRET_PREFIXES: dict[str, tuple[str, ...]] = {
    "private_key": ("-----BEGIN",),
    "jwt": ("eyJ",),
    "aws_access_key": ("AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "ABIA", "ACCA"),
    "github_token": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    "gitlab_token": ("glpat-", "gldt-", "glrt-", "glptt-", "glft-", "glcbt-", "gloas-", "glsoat-", "glimt-"),
    "slack_token": ("xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "xoxe-"),
    "stripe_key": ("sk_live_", "sk_test_", "rk_live_", "rk_test_", "pk_live_", "pk_test_", "whsec_"),
    "high_entropy": ("sk-", "sk_"),  # OpenAI and look-alike API keys: random-looking once whole
}
"""Per detector, fixed starts of the secrets it finds (case-sensitive, as the secrets are)."""


def trailing_fragment(text: str, detectors: Sequence[str]) -> tuple[int, str] | None:
    """``(start, detector)`` of a fragment that ends ``text`` and could begin a value of one of
    ``detectors`` (names in the route's order), or None."""
    enabled = set(detectors)
    token = _trailing_token(text)
    if token is not None:
        start, value = token
        for name in detectors:
            if any(value.startswith(prefix) for prefix in SECRET_PREFIXES.get(name, ())):
                return start, name
    if "-----BEGIN" in text[-_MAX_TOKEN_CHARS:] and "private_key" in enabled:
        begin = text.rfind("-----BEGIN")
        if "-----END" not in text[begin:]:
            return begin, "private_key"
    start = _trailing_digits(text) if enabled.intersection(DIGIT_DETECTORS) else None
    if start is None:
        return None
    # "+", brackets, dots, slashes are how phone numbers are written, never card numbers
    order = PHONE_FIRST if any(char in "+()./" for char in text[start:]) else DIGIT_DETECTORS
    return start, next(name for name in order if name in enabled)


def _trailing_token(text: str) -> tuple[int, str] | None:
    """The token (``[A-Za-z0-9_-]``) the text ends with, when nothing word-like is glued before it."""
    end = len(text)
    start = end
    while start > 0 and end - start < _MAX_TOKEN_CHARS and text[start - 1] in _TOKEN:
        start -= 1
    if start == end or (start > 0 and text[start - 1] in _TOKEN):
        return None
    return start, text[start:end]


def _trailing_digits(text: str) -> int | None:
    """Where a trailing run of at least MIN_DIGITS digits (separators between them) starts, or None."""
    end = len(text)
    while end > 0 and text[end - 1] in _DIGIT_SEPARATORS and len(text) - end < _MAX_SEPARATOR_RUN:
        end -= 1
    position, digits, separators, first_digit = end, 0, 0, None
    while position > 0 and end - position < _MAX_DIGIT_RUN_CHARS:
        char = text[position - 1]
        if char.isdigit() and char.isascii():
            digits, separators, first_digit = digits + 1, 0, position - 1
        elif char in _DIGIT_SEPARATORS and separators < _MAX_SEPARATOR_RUN:
            separators += 1
        else:
            break
        position -= 1
    if first_digit is None or digits < MIN_DIGITS:
        return None
    start = first_digit
    if start > 0 and text[start - 1] in "+(":
        start -= 1
    before = text[start - 1] if start > 0 else ""
    # glued to a word (an id such as chatcmpl-1234567 or v2.3456789): not a number a reader sees alone
    if before in _WORD or (before in "-_./" and start > 1 and text[start - 2] in _WORD):
        return None
    return start
