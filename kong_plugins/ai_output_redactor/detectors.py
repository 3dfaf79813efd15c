"""The built-in detectors: one RE2 pattern each (linear time on any input) plus a validator.

A detector's pattern finds candidates; its validator (:mod:`.validators`) keeps those that really are what
the detector names. A pattern may mark the part to redact with a group named ``v`` (the credentials of a
URL, the key after ``aws_secret_access_key=``); otherwise the whole match is redacted. Patterns are
compiled once, when this module is imported, and shared by every plugin instance.

Order matters only for overlapping findings: :data:`DETECTOR_NAMES` lists the most specific first (a JWT is
also a high-entropy string; a card number also a digit run a phone pattern sees), and :func:`resolve`
keeps, among overlapping findings, the one of the earliest detector in this order.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import re2

from kong_plugins.ai_output_redactor import validators as v

__all__ = ["BUILTIN", "DETECTOR_NAMES", "Detector", "Finding", "compile_pattern", "resolve"]

#: RE2 program memory per pattern: patterns needing more are refused when compiled.
MAX_PROGRAM_MEMORY = 8 << 20
#: Findings kept per text: past this the text is refused (``too_many``), never half-redacted.
MAX_FINDINGS_PER_TEXT = 10_000


def compile_pattern(pattern: str, *, case_insensitive: bool = False) -> Any:
    """RE2, linear time; raises ``re2.error`` for what RE2 cannot run."""
    options = re2.Options()
    options.max_mem = MAX_PROGRAM_MEMORY
    options.log_errors = False
    options.case_sensitive = not case_insensitive
    return re2.compile(pattern, options)


@dataclass(frozen=True)
class Finding:
    """A span of a text found by a detector: ``text[start:end]`` is redacted."""

    start: int
    end: int
    detector: str
    rank: int


@dataclass(frozen=True)
class Detector:
    """A named pattern, an optional validator of the redacted value, and a quick pre-check.

    ``needle`` is a substring (or tuple of them) the text must contain for the pattern to be worth running
    (``@`` for emails): most texts then skip most patterns.
    """

    name: str
    regex: Any
    validate: Callable[[str, Any], bool] | None = None
    needle: tuple[str, ...] = ()
    finder: Callable[[str, int], Iterable[Finding]] | None = None  # instead of ``regex``
    boundary: str = ""  # characters that must not touch the match on either side
    numeric: bool = False  # also refuse a match continued by "." or "," and a digit (1234.5678, 1,234)

    def find(self, text: str, rank: int, context: Any) -> Iterable[Finding]:
        if self.finder is not None:
            yield from self.finder(text, rank)
            return
        if self.needle and not any(n in text for n in self.needle):
            return
        group = self.regex.groupindex.get("v", 0)
        for match in self.regex.finditer(text):
            start, end = match.span(group)
            if start < 0:
                start, end = match.span()
            if start == end:
                continue
            if self.boundary and (
                (start > 0 and text[start - 1] in self.boundary)
                or (end < len(text) and text[end] in self.boundary)
            ):
                continue
            if self.numeric and _continued(text, start, end):
                continue
            if self.validate is not None and not self.validate(match, context):
                continue
            yield Finding(start, end, self.name, rank)


def _continued(text: str, start: int, end: int) -> bool:
    before = start >= 2 and text[start - 1] in ".," and text[start - 2].isdigit()
    after = end + 1 < len(text) and text[end] in ".," and text[end + 1].isdigit()
    return before or after


_WORD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
_DIGITS = "0123456789"
_KEYCHARS = _WORD + "-"

_PRIVATE_KEY = compile_pattern(
    r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----(?s:.*?)"
    r"-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----"
    r"|-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----[A-Za-z0-9+/=\s:,-]*"
)
_JWT = compile_pattern(r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
_URL_CREDENTIALS = compile_pattern(
    r"\b[A-Za-z][A-Za-z0-9+.-]{1,20}://(?P<v>[^\s/?#@:\"'<>]{1,256}:[^\s/?#@\"'<>]{1,256})@[A-Za-z0-9.\[\]:-]"
)
_AWS_ACCESS = compile_pattern(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}\b")
_AWS_SECRET = compile_pattern(
    r"(?i:aws)[A-Za-z0-9_ .-]{0,24}(?i:secret)[A-Za-z0-9_ .-]{0,24}[\"']?\s{0,4}[:=]\s{0,4}[\"']?"
    r"(?P<v>[A-Za-z0-9/+]{40})"
    r"|(?P<bare>[A-Za-z0-9/+]{40,41})"
)
_GITHUB = compile_pattern(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})")
_GITLAB = compile_pattern(r"\bgl(?:pat|dt|rt|ptt|ft|cbt|oas|soat|agent|imt)-[A-Za-z0-9_-]{20,255}")
_SLACK = compile_pattern(
    r"\bxox[abposre]-[A-Za-z0-9-]{10,250}"
    r"|https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9/_-]{20,200}"
)
_STRIPE = compile_pattern(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,247}|\bwhsec_[A-Za-z0-9]{24,247}")
#: Emails are anchored on their "@" (rare in text): a pattern starting with a Unicode class repetition makes
#: RE2 try every position through a large automaton (20 ms per 100 KB), this costs the "@"s only.
_EMAIL_DOMAIN = compile_pattern(r"[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*")
_EMAIL_LOCAL_PUNCTUATION = frozenset("._%+'-")
_IBAN = compile_pattern(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
_CARD = compile_pattern(r"\b\d(?:[ -]?\d){12,18}\b")
_SSN = compile_pattern(r"\b(?P<a>\d{3})(?P<s>[- ])(?P<g>\d{2})[- ](?P<n>\d{4})\b")
_PHONE = compile_pattern(r"(?:\+|\b00|\()?\d(?:[ .()/-]{0,2}\d){6,16}")
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = compile_pattern(rf"\b(?:{_OCTET}\.){{3}}{_OCTET}\b")
_IPV6 = compile_pattern(r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.\d{1,3}){0,3}")
_HIGH_ENTROPY = compile_pattern(r"[A-Za-z0-9_+/=-]{16,512}")


def find_emails(text: str, rank: int) -> Iterable[Finding]:
    """Each "@" with a local part (up to 64 letters, digits or ``._%+'-``, not starting or ending with a
    dot) before it and a domain (labels of letters, digits and ``-``, 63 at most, not starting or ending
    with ``-``; a last label of 2-24 letters) after it."""
    at = text.find("@")
    while at != -1:
        start = at
        while (
            start > 0
            and at - start < 64
            and (text[start - 1].isalnum() or text[start - 1] in _EMAIL_LOCAL_PUNCTUATION)
        ):
            start -= 1
        while start < at and text[start] in "._%+'-":
            start += 1  # a local part starts with a letter or digit (also drops a leading "'" or "-")
        # a slice: the RE2 wrapper encodes the whole subject to UTF-8 on every call
        match = _EMAIL_DOMAIN.match(text[at + 1 : at + 256])
        if match is not None and start < at:
            labels = match.group(0).split(".")
            while labels and not (2 <= len(labels[-1]) <= 24 and labels[-1].isalpha()):
                labels.pop()  # "a@b.example.com." or a trailing version-like label
            local = text[start:at]
            domain_ok = len(labels) >= 2 and all(
                0 < len(label) <= 63 and not label.startswith("-") and not label.endswith("-")
                for label in labels
            )
            if domain_ok and not (local.endswith(".") or ".." in local):
                end = at + 1 + len(".".join(labels))
                yield Finding(start, end, "email", rank)
        at = text.find("@", at + 1)


def _aws_secret_ok(match: Any, context: Any) -> bool:
    if match.group("v"):
        return True
    bare = match.group("bare") or ""
    if len(bare) != 40:
        return False
    classes = (any(c.islower() for c in bare), any(c.isupper() for c in bare), any(c.isdigit() for c in bare))
    return all(classes) and v.entropy_bits(bare) >= 4.2


def _ssn_ok(match: Any, _: Any) -> bool:
    return match.group(0).count(match.group("s")) == 2 and v.ssn_ok(
        match.group("a"), match.group("g"), match.group("n")
    )


def _phone_ok(match: Any, context: Any) -> bool:
    value = match.group(0)
    if value.startswith("(") and ")" not in value:
        return False
    return v.phone_ok(value, context.phone_regions)


def _high_entropy_ok(match: Any, context: Any) -> bool:
    value = match.group(0).strip("=")
    if len(value) < context.entropy_min_length:
        return False
    lower = any(c.islower() for c in value)
    upper = any(c.isupper() for c in value)
    digit = any(c.isdigit() for c in value)
    if not digit or lower + upper + digit < 2:
        return False
    return v.entropy_bits(value) >= context.entropy_threshold


BUILTIN: tuple[Detector, ...] = (
    Detector("private_key", _PRIVATE_KEY, needle=("PRIVATE KEY",)),
    Detector("jwt", _JWT, lambda m, _: v.jwt_ok(m.group(0)), needle=("eyJ",), boundary=_KEYCHARS),
    Detector("url_credentials", _URL_CREDENTIALS, needle=("://",)),
    Detector("aws_access_key", _AWS_ACCESS, boundary=_WORD),
    Detector("github_token", _GITHUB, needle=("gh", "github_pat_"), boundary=_WORD),
    Detector("gitlab_token", _GITLAB, needle=("gl",), boundary=_WORD),
    Detector("slack_token", _SLACK, needle=("xox", "hooks.slack.com"), boundary=_WORD),
    Detector("stripe_key", _STRIPE, needle=("_live_", "_test_", "whsec_"), boundary=_WORD),
    Detector("aws_secret_key", _AWS_SECRET, _aws_secret_ok, boundary=_WORD + "/+"),
    Detector("email", None, finder=find_emails),
    Detector("iban", _IBAN, lambda m, _: v.iban_ok(m.group(0)), boundary=_WORD),
    Detector("credit_card", _CARD, lambda m, _: v.card_ok(m.group(0)), boundary=_WORD, numeric=True),
    Detector("us_ssn", _SSN, _ssn_ok, boundary=_WORD + "-", numeric=True),
    Detector("phone", _PHONE, _phone_ok, boundary=_WORD + "+", numeric=True),
    Detector("ipv4", _IPV4, lambda m, _: v.ipv4_ok(m.group(0)), boundary=_WORD, numeric=True),
    Detector(
        "ipv6", _IPV6, lambda m, _: v.ipv6_ok(m.group(0)), needle=(":",), boundary=_WORD + ":", numeric=True
    ),
    Detector("high_entropy", _HIGH_ENTROPY, _high_entropy_ok, boundary=_WORD + "+/=-"),
)

#: Every built-in detector's name, most specific first.
DETECTOR_NAMES: tuple[str, ...] = tuple(d.name for d in BUILTIN)


def resolve(findings: list[Finding]) -> list[Finding]:
    """Non-overlapping findings, in text order: among overlapping ones the best ranked (then the longest,
    then the first) wins."""
    starts: list[int] = []  # accepted findings, kept sorted by start (they never overlap)
    chosen: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.rank, f.start - f.end, f.start)):
        index = bisect.bisect_right(starts, finding.start)
        if index > 0 and chosen[index - 1].end > finding.start:
            continue
        if index < len(chosen) and chosen[index].start < finding.end:
            continue
        starts.insert(index, finding.start)
        chosen.insert(index, finding)
    return chosen
