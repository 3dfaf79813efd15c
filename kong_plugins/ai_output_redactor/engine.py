"""Redacting one text: find (detectors, custom patterns), drop the allowed, replace per mode, count.

The :class:`Redactor` is built once per plugin instance (:mod:`.settings`) and is immutable; what a request
accumulates (counts per detector, the detectors whose mode is ``block``) lives in a :class:`Tally` the
caller passes along. Counts only: the values themselves are never kept or logged.

Modes (``mask`` | ``hash`` | ``partial`` | ``block``):

* ``mask``: the detector's replacement text, by default ``[REDACTED:EMAIL]``;
* ``hash``: ``[EMAIL:3f9a1c0b2d4e]``, the first 12 hex digits of HMAC-SHA256 under the tenant's key (derived
  from ``hash_key`` and the tenant id), so the same value maps to the same token within a tenant and to
  unrelated tokens across tenants; the key comes from a callable, so the tenant is looked up only when a
  value is actually hashed;
* ``partial``: ``****`` followed by the value's last 4 characters (values of 8 characters or fewer are
  masked whole: their last 4 would be half of them);
* ``block``: the value is masked here and the tally records the detector, so that the caller replaces the
  whole response (``on_violation``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kong_plugins.ai_output_redactor.detectors import MAX_FINDINGS_PER_TEXT, Detector, Finding, resolve
from kong_plugins.ai_output_redactor.fold import fold
from kong_plugins.ai_output_redactor.fragments import trailing_fragment
from kong_plugins.core.encodable import encodable

__all__ = ["MODES", "Redactor", "Rule", "Tally", "TooManyFindings"]

MODES = ("mask", "hash", "partial", "block")
HASH_HEX_DIGITS = 12
CUT_PROBES: dict[str, str] = {"email": "a.com"}
"""Per detector, a suffix that completes any cut-off value of its kind that is already recognisable: an
e-mail address cut anywhere after its ``@`` (``jane@``, ``jane@exam``, ``jane@example.``) becomes an address
with ``a.com`` appended. Used on the end of a text that may have been cut (a stream the upstream broke off
or one stopped by ``max_tokens``), where the detector alone would see no address and let the part that
names the person through."""
CUT_TAIL_CHARS = 320
"""How much of a text's end is probed for a cut-off value (an e-mail address is at most 254 characters)."""


class TooManyFindings(Exception):
    """A text has more findings than :data:`MAX_FINDINGS_PER_TEXT` (the response is refused, never sent
    half-redacted)."""


@dataclass
class Tally:
    """What redaction did to one response: counts per detector and the ``block``-mode detectors hit."""

    counts: Counter[str] = field(default_factory=Counter)
    blocked: set[str] = field(default_factory=set)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Rule:
    """How one detector's findings are replaced."""

    mode: str
    replacement: str
    label: str  # EMAIL, CREDIT_CARD ...: the kind shown in hash tokens


@dataclass(frozen=True)
class DetectionContext:
    """Settings the validators need (regions for national phone numbers, entropy threshold)."""

    phone_regions: tuple[str, ...] = ("US",)
    entropy_threshold: float = 4.0
    entropy_min_length: int = 20


class Redactor:
    """Finds and replaces sensitive values in texts; shared by every request of a plugin instance."""

    def __init__(
        self,
        detectors: Sequence[Detector],
        rules: dict[str, Rule],
        context: DetectionContext,
        *,
        allow_values: frozenset[str] = frozenset(),
        allow_patterns: Sequence[Any] = (),
        hash_key: bytes = b"",
    ) -> None:
        self.detectors = tuple(detectors)
        self.rules = rules
        self.context = context
        self.allow_values = allow_values
        self.allow_patterns = tuple(allow_patterns)
        self.hash_key = hash_key

    def find(self, text: str, *, cut: bool = False, cut_off: bool = False) -> list[Finding]:
        """The non-overlapping findings in ``text`` that the allow list does not cover, read on the folded
        text (:mod:`.fold`: look-alikes as a reader sees them) and mapped back to ``text``'s offsets.

        ``cut``: ``text`` may end in the middle of a value (the end of a streamed channel or of a whole
        answer): a value of a :data:`CUT_PROBES` kind cut off at the end is a finding too, up to the end.
        ``cut_off``: ``text`` is known to be cut (a broken-off stream, finish reason ``length``): a trailing
        fragment that could start a value the route redacts is a finding too (:mod:`.fragments`)."""
        folded, origin = fold(encodable(text))  # RE2 takes UTF-8: a lone surrogate is read as U+FFFD
        found: list[Finding] = []
        for rank, detector in enumerate(self.detectors):
            for finding in detector.find(folded, rank, self.context):
                found.append(finding)
                if len(found) > MAX_FINDINGS_PER_TEXT:
                    raise TooManyFindings(detector.name)
        if cut or cut_off:
            found.extend(self._cut_off(folded, found))
        if cut_off:
            found.extend(self._fragment(folded, found))
        if not found:
            return found
        kept = [f for f in resolve(found) if not self._allowed(folded[f.start : f.end])]
        if origin is None:
            return kept
        return [Finding(origin[f.start], origin[f.end - 1] + 1, f.detector, f.rank) for f in kept]

    def _cut_off(self, folded: str, found: list[Finding]) -> list[Finding]:
        """Values cut off at the end of ``folded``: each probed detector run once on the text's last
        :data:`CUT_TAIL_CHARS` characters with its probe appended; a finding that runs into the probe is a
        value the text ends inside. A complete value already found there is left to its own finding (so
        the allow list still applies to it)."""
        offset = max(0, len(folded) - CUT_TAIL_CHARS)
        tail = folded[offset:]
        cut_off: list[Finding] = []
        for rank, detector in enumerate(self.detectors):
            probe = CUT_PROBES.get(detector.name)
            if probe is None or not tail:
                continue
            for finding in detector.find(tail + probe, rank, self.context):
                start = offset + finding.start
                if finding.start >= len(tail) or finding.end <= len(tail):
                    continue  # wholly in the probe, or wholly in the text (found without the probe)
                if any(f.detector == detector.name and f.start == start for f in found):
                    continue  # the complete value at the end: its own finding
                cut_off.append(Finding(start, len(folded), finding.detector, finding.rank))
        return cut_off

    def _fragment(self, folded: str, found: list[Finding]) -> list[Finding]:
        """The trailing fragment of a text known to be cut, unless a finding already reaches into it (a
        complete value at the end keeps its own redaction) or it starts an allowed value."""
        names = [detector.name for detector in self.detectors]
        fragment = trailing_fragment(folded, names)
        if fragment is None:
            return []
        start, name = fragment
        if any(f.end > start for f in found):
            return []
        value = folded[start:].casefold()
        if any(allowed.startswith(value) for allowed in self.allow_values):
            return []
        return [Finding(start, len(folded), name, names.index(name))]

    def _allowed(self, value: str) -> bool:
        if value.casefold() in self.allow_values:
            return True
        return any(pattern.fullmatch(value) for pattern in self.allow_patterns)

    def redact(
        self, text: str, tally: Tally, tenant: Callable[[], str], *, cut: bool = False, cut_off: bool = False
    ) -> str:
        """``text`` with every finding replaced (``cut``, ``cut_off``: see :meth:`find`); counts go to
        ``tally``. A lone surrogate (a ``\\ud800`` escape in an answer) comes out as U+FFFD."""
        text = encodable(text)
        findings = self.find(text, cut=cut, cut_off=cut_off)
        if not findings:
            return text
        return self.apply(text, findings, tally, tenant)

    def apply(self, text: str, findings: list[Finding], tally: Tally, tenant: Callable[[], str]) -> str:
        """Replace ``findings`` (non-overlapping, in order) in ``text``."""
        pieces: list[str] = []
        position = 0
        for finding in findings:
            pieces.append(text[position : finding.start])
            pieces.append(self.replacement(finding.detector, text[finding.start : finding.end], tenant))
            position = finding.end
            tally.counts[finding.detector] += 1
            if self.rules[finding.detector].mode == "block":
                tally.blocked.add(finding.detector)
        pieces.append(text[position:])
        return "".join(pieces)

    def redact_pieces(self, pieces: list[str], tally: Tally, tenant: Callable[[], str]) -> list[str]:
        """Pieces a reader sees joined (text blocks of one message) redacted as one text: a value's
        replacement goes into the piece where it starts, the rest of it is removed from the pieces it
        spans."""
        pieces = [encodable(piece) for piece in pieces]
        full = "".join(pieces)
        findings = self.find(full)
        if not findings:
            return pieces
        return self.replace_across(pieces, full, findings, tally, tenant)

    def replace_across(
        self,
        pieces: list[str],
        full: str,
        findings: list[Finding],
        tally: Tally,
        tenant: Callable[[], str],
    ) -> list[str]:
        """``pieces`` (which join to ``full``) with ``findings`` of ``full`` (in order, never overlapping)
        replaced: a value's replacement goes into the piece where it starts, the rest of it is removed from
        the pieces it spans. One pass over the findings."""
        out: list[str] = []
        position, next_finding = 0, 0
        for piece in pieces:
            start, end = position, position + len(piece)
            position, cursor, parts = end, start, []
            while next_finding < len(findings) and findings[next_finding].start < end:
                finding = findings[next_finding]
                if finding.start >= cursor:
                    parts.append(full[cursor : finding.start])
                    value = full[finding.start : finding.end]
                    parts.append(self.replacement(finding.detector, value, tenant))
                    tally.counts[finding.detector] += 1
                    if self.rules[finding.detector].mode == "block":
                        tally.blocked.add(finding.detector)
                if finding.end > end:
                    cursor = end
                    break
                cursor = max(cursor, finding.end)
                next_finding += 1
            if cursor < end:
                parts.append(full[cursor:end])
            out.append("".join(parts))
        return out

    def replacement(self, detector: str, value: str, tenant: Callable[[], str]) -> str:
        rule = self.rules[detector]
        if rule.mode == "hash":
            tenant_key = hmac.new(self.hash_key, tenant().encode(), hashlib.sha256).digest()
            digest = hmac.new(tenant_key, f"{detector}\0{value}".encode(), hashlib.sha256).hexdigest()
            return f"[{rule.label}:{digest[:HASH_HEX_DIGITS]}]"
        if rule.mode == "partial" and len(value) > 8:
            return "****" + value[-4:]
        return rule.replacement
