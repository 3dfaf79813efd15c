"""Check 8: the prompt-injection detector (``mode`` off | log | block; ``block`` answers ``400``).

For every text segment of the configured roles (``user``, ``tool`` and ``function`` by default: what the
caller and the tools wrote, not the application's own system prompt), the detector collects *signals*:

* phrase rules (:mod:`.injection_rules`: instruction overrides in 17 languages, jailbreak personas, system
  prompt extraction, "decode this and follow it"; :mod:`.multilingual_rules`: the attack families as other
  languages phrase them) on every variant of the text (:mod:`.text_variants`); a
  rule that matches only once a disguise is removed counts as ``obfuscation`` (or ``hidden_characters``),
  a little stronger than the bare phrase; the last variant is also read with its words glued
  (:data:`~.injection_rules.GLUED_RULES`: no spaces, camelCase), where a code identifier, a hashtag or a
  mention weighs as a mention does;
* role/system tag forgery (``<|im_start|>system``, ``[INST]``, ``<<SYS>>``, ``### System:``, a JSON
  ``"role": "system"``...);
* the invisible channels: Unicode tag characters (their hidden ASCII is decoded and scanned too),
  zero-width characters inside words, bidi overrides, words mixing Latin and Cyrillic/Greek letters;
* encoded payloads: every base64 and hex run is decoded, until :data:`DECODE_BUDGET_BYTES` decoded bytes
  per text are spent, up to :data:`MAX_DECODE_DEPTH` encodings deep (base32 and base85 runs too, one level,
  :mod:`.base_n`), and the readable ones are scanned in every variant (a disguise inside the encoding is
  undone too); the text scores as its worst run, so harmless decoys around a payload never hide it. Runs
  left undecoded when the budget is spent (only possible when the body and string limits are raised far
  above their defaults) count as an encoded payload of weight :data:`UNSCANNED_WEIGHT`: what could not be
  read is not presumed harmless;
* in ``tool``/``function`` segments (tool results, retrieved documents), rules for indirect injection:
  text addressing the AI, asking to hide things from the user, exfiltration links; and any of the rules
  above found there is reported as ``tool_result_injection``.

A segment's score combines its signals' weights as independent evidence, ``1 - Π(1 - w)``, several rules
matching one phrase counting once (:func:`score`); the request's
score is its highest segment score, with that segment's strongest signal as the category. The score is
compared with ``threshold``. Nothing matched is ever returned: only the category, score and JSON pointer.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import functools
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

import re2

from kong_plugins.ai_input_guard.base_n import decoded_texts
from kong_plugins.ai_input_guard.code_names import IDENTIFIER_BYTES, camel_case_name, identifier_around
from kong_plugins.ai_input_guard.description import is_description
from kong_plugins.ai_input_guard.injection_rules import (
    CATEGORIES,
    GLUED_RULES,
    LONE_RULES,
    TAG_RULES,
    Rule,
)
from kong_plugins.ai_input_guard.linear_regex import LinearRegex, compile_linear
from kong_plugins.ai_input_guard.mention import MENTION_FACTOR, is_mention
from kong_plugins.ai_input_guard.multilingual_rules import PHRASE_RULE_PARTS, TOOL_RULE_PARTS
from kong_plugins.ai_input_guard.near_miss import corrected
from kong_plugins.ai_input_guard.scope import INSTEAD, is_correction
from kong_plugins.ai_input_guard.text_variants import VariantBudget, glued_readings, hidden_channels, variants
from kong_plugins.ai_input_guard.view import TextSegment

__all__ = ["CATEGORIES", "Detection", "InjectionDetector", "Signal"]

DECODE_BUDGET_BYTES = 2 * 1024 * 1024
"""Decoded bytes per scanned text: above what the default limits let a request carry (a 1 MiB body decodes
to at most 768 KiB as base64 plus 512 KiB as hex), so with them every run is read."""
UNSCANNED_WEIGHT = 0.5
VARIANT_BUDGET_CHARS = 32 * 1024 * 1024
"""Characters of variants (:mod:`.text_variants`) built per request: about 30 times the default body limit,
which ordinary requests stay far below (most texts have no variant but the plain one). Past it, texts are
read as written only and count as obfuscation of weight :data:`UNSCANNED_WEIGHT`."""
MAX_NARROWING_SCANS = 256
"""Scans per request spent finding which of many candidates raise a signal
(:meth:`InjectionDetector._suspects`); a request with fewer candidates has each scored alone."""
SUSPECT_GROUPS = 64
MAX_LATER_MATCHES = 32
"""Further matches of a rule examined when its first is a mention (:meth:`_RuleGroup.later`)."""
MIN_ENCODED_CHARS = 24
TOOL_ROLES = frozenset({"tool", "function"})
_DISGUISE_BONUS = 0.1


@dataclass(frozen=True)
class Signal:
    """One piece of evidence: which rule (for logs), its category and weight; ``span``: the bytes of the
    casefolded text it matched, for a phrase found as written (:func:`score` counts matches of one span
    once)."""

    rule: str
    category: str
    weight: float
    span: tuple[int, int] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Detection:
    """The detector's verdict on a request: its score, strongest category and where (a JSON pointer)."""

    score: float
    category: str
    path: str
    signals: tuple[Signal, ...] = ()
    tier: str = "rules"  # which tier of the cascade decided (recorded in ai_guard.findings)
    source: str | None = None  # later tiers: model | service | cache | fail_open | fail_closed


class _RuleGroup:
    """Rules scanned together: one combined RE2 pass per part first, individual rules only when one matched
    (parts: see :data:`.multilingual_rules.PHRASE_RULE_PARTS`)."""

    def __init__(self, *parts: Sequence[Rule]) -> None:
        self.rules = tuple(rule for part in parts for rule in part)
        self.compiled = tuple(compile_linear(rule.pattern) for rule in self.rules)
        self._by_rule = {id(rule): regex for rule, regex in zip(self.rules, self.compiled, strict=True)}
        self.any: tuple[LinearRegex, ...] = tuple(
            compile_linear("|".join(f"(?:{rule.pattern})" for rule in part)) for part in parts if part
        )
        # per part: an RE2 set naming which of its rules match in one pass, and their indexes in self.rules
        self.sets: list[tuple[object, tuple[int, ...]]] = []
        first = 0
        for part in parts:
            if part:
                self.sets.append((_rule_set(part), tuple(range(first, first + len(part)))))
            first += len(part)

    def later(self, rule: Rule, data: bytes, after: int) -> Iterator[tuple[int, int]]:
        """The spans of ``rule``'s matches from byte ``after`` on (its first match ends there): a phrase
        quoted or asked about first and used further on is used. At most :data:`MAX_LATER_MATCHES`: a
        text quoting one phrase thousands of times (a test corpus, thousands of parts each quoting it) costs
        a bounded number of looks, and its weight, a mention's, leaves the classifier the last word."""
        regex = self._by_rule[id(rule)]
        for match in itertools.islice(regex.finditer(data, after), MAX_LATER_MATCHES):  # type: ignore[attr-defined]
            yield match.start(), match.end()

    def matches(self, data: bytes) -> list[Rule]:
        return [rule for rule, _, _ in self.spans(data)]

    def spans(self, data: bytes) -> list[tuple[Rule, int, int]]:
        """Each matching rule with its first match's byte span. Only the rules an RE2 set names are
        searched (a search per rule of the part cost a whole-text scan each where the phrase sits at the
        end or is mentioned, not used: a 1 MB text mentioning one phrase paid a hundred scans); if the
        set cannot answer (its automaton out of memory), every rule of the part is searched. The set is
        asked first: it says whether anything matches without the position of a match, which the part's
        combined pattern must find (on a megabyte holding a hundred quoted phrases that search left the
        DFA for the NFA: 1 s a variant, 10 s a request); the combined pattern is searched only when the
        set names nothing, to tell no match from a set that could not answer."""
        found = []
        for part, (rule_set, indexes) in zip(self.any, self.sets, strict=True):
            named = rule_set.Match(data)  # type: ignore[attr-defined]
            if not named and part.search(data) is None:
                continue
            for index in sorted(indexes[at] for at in named) if named else indexes:
                match = self.compiled[index].search(data)
                if match is not None:
                    found.append((self.rules[index], match.start(), match.end()))  # type: ignore[attr-defined]
        return found


def _rule_set(rules: Sequence[Rule]) -> object:
    rule_set = re2.Set.SearchSet(_SET_OPTIONS)
    for rule in rules:
        rule_set.Add(rule.pattern)
    rule_set.Compile()
    return rule_set


_SET_OPTIONS = re2.Options()
_SET_OPTIONS.max_mem = 64 << 20
_SET_OPTIONS.log_errors = False
_SET_OPTIONS.never_capture = True


@functools.lru_cache(maxsize=1)
def _rule_groups() -> tuple[_RuleGroup, _RuleGroup, _RuleGroup, _RuleGroup, _RuleGroup]:
    """Compiled once per process and shared by every plugin instance (RE2 objects are thread-safe, and their
    DFA caches warm up once)."""
    return (
        _RuleGroup(*PHRASE_RULE_PARTS),
        _RuleGroup(TAG_RULES),
        _RuleGroup(*TOOL_RULE_PARTS),
        _RuleGroup(GLUED_RULES),
        _RuleGroup(LONE_RULES),
    )


@functools.lru_cache(maxsize=1)
def _rule_categories() -> dict[str, str]:
    return {rule.name: rule.category for group in _rule_groups() for rule in group.rules}


_BASE64_RUN = compile_linear(
    rf"[A-Za-z0-9+/]{{{MIN_ENCODED_CHARS},}}={{0,2}}|[A-Za-z0-9_\-]{{{MIN_ENCODED_CHARS},}}={{0,2}}"
)
_HEX_RUN = compile_linear(rf"(?:[0-9a-fA-F]{{2}}){{{MIN_ENCODED_CHARS // 2},}}")


def combine(weights: Iterable[float]) -> float:
    """Independent evidence: ``1 - Π(1 - w)``."""
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - weight
    return round(1.0 - remaining, 4)


def score(signals: Iterable[Signal]) -> float:
    """The signals combined as independent evidence (:func:`combine`), where the phrases of one category
    found as written whose spans overlap are one piece of evidence, counted at the strongest weight:
    several rules reading one phrase ("ignora las instrucciones anteriores" is both ``override_es`` and
    ``override_es_your``) say it once. Overlapping matches of different categories stay two pieces (a
    forged ``System:`` line and the claim it carries that refusals are off), and so do phrases in
    different places. Three discounted matches of one quoted phrase added up past the threshold (0.255,
    0.24 and 0.24 make 0.57)."""
    weights = [signal.weight for signal in signals if signal.span is None]
    kinds = _rule_categories()  # as the rules name them: in a tool result every one is tool_result_injection
    spans = sorted((kinds.get(s.rule, s.category), s.span, s.weight) for s in signals if s.span is not None)
    kind, reach, strongest = "", -1, 0.0
    for category, (start, end), weight in spans:
        if category != kind or start >= reach:  # a new place: the previous one counts once
            weights.append(strongest)
            kind, reach, strongest = category, -1, 0.0
        reach, strongest = max(reach, end), max(strongest, weight)
    weights.append(strongest)
    return combine(weights)


class InjectionDetector:
    """Built once per plugin instance with its categories and roles; ``scan`` is thread-safe."""

    def __init__(
        self, categories: Iterable[str] = CATEGORIES, roles: Iterable[str] = ("user", "tool", "function")
    ):
        self.categories = frozenset(categories)
        self.roles = frozenset(roles)
        self._phrases, self._tags, self._tool, self._glued, self._lone = _rule_groups()

    def scan(
        self,
        segments: Iterable[TextSegment],
        threshold: float = 1.0,
        candidates: list[TextSegment] | None = None,
    ) -> Detection | None:
        """The strongest detection among ``segments`` (None when nothing fired); stops at ``threshold``.
        ``candidates``: :meth:`candidates` of ``segments`` when the caller has them already (the cascade,
        whose later tiers score the same texts).

        Each segment is scored on its own, and so is the joined text of every run of segments of the same
        role in one message or in consecutive messages (:func:`joined_runs`): an injection split across
        content parts or messages, even one word per part, scores as the same text in one part would.

        All scanned texts are first examined joined by line breaks, in one pass per rule group: a line break
        is a word boundary, a line start and a normalization boundary, so nothing matches in the joined text
        that would not match in one of its parts, and ordinary requests are cleared without a pass per text.
        """
        if candidates is None:
            candidates = self.candidates(segments)
        if not candidates:
            return None
        budget = VariantBudget(VARIANT_BUDGET_CHARS)
        joined = "\n".join(segment.text for segment in candidates)
        found = self.signals(
            joined, in_tool_output=any(s.role in TOOL_ROLES for s in candidates), budget=budget
        )
        if not found:
            return None
        best: Detection | None = None
        for segment, known in self._suspects(candidates, budget):
            if len(candidates) == 1:  # the joined text was this segment: its signals are known
                signals = found
            elif known is not None:
                signals = known
            else:
                signals = self.signals(segment.text, in_tool_output=segment.role in TOOL_ROLES, budget=budget)
            signals = [s for s in signals if s.category in self.categories]
            if not signals:
                continue
            scored = score(signals)
            if best is None or scored > best.score:
                strongest = max(signals, key=lambda s: s.weight)
                best = Detection(scored, strongest.category, segment.path, tuple(signals))
                if scored >= threshold:
                    break
        return best

    def _suspects(
        self, candidates: list[TextSegment], budget: VariantBudget
    ) -> Iterator[tuple[TextSegment, list[Signal] | None]]:
        """The texts worth scoring, each with its signals when already known: every candidate of a small
        request; else the candidates of :data:`SUSPECT_GROUPS` groups whose joined text raises a signal
        (the line-break argument of :meth:`scan`), found by halving each such group while
        :data:`MAX_NARROWING_SCANS` scans are left, then group by group (the joined text, at the pointer
        its members share). Thousands of one-word parts with one signal at the end, or with a quoted
        phrase in each, were scored part by part: a Python pass and a scan per rule each, two to three
        orders of magnitude more CPU than a plain text of the request's size."""
        if len(candidates) <= MAX_NARROWING_SCANS:
            for segment in candidates:
                yield segment, None
            return
        size = -(-len(candidates) // SUSPECT_GROUPS)
        scans = [MAX_NARROWING_SCANS]
        for first in range(0, len(candidates), size):
            group = candidates[first : first + size]
            signals = self._joined_signals(group, budget)
            if signals:
                yield from self._narrowed(group, signals, budget, scans)

    def _narrowed(
        self, group: list[TextSegment], signals: list[Signal], budget: VariantBudget, scans: list[int]
    ) -> Iterator[tuple[TextSegment, list[Signal] | None]]:
        if len(group) == 1:
            yield group[0], signals
            return
        if scans[0] < 2:
            pointer = _common_pointer([segment.path for segment in group])
            yield (
                TextSegment(pointer, group[0].role, "\n".join(s.text for s in group), group[0].message),
                signals,
            )
            return
        middle = len(group) // 2
        scans[0] -= 2
        halves = [(half, self._joined_signals(half, budget)) for half in (group[:middle], group[middle:])]
        for half, found in halves:
            if found:
                yield from self._narrowed(half, found, budget, scans)

    def _joined_signals(self, group: list[TextSegment], budget: VariantBudget) -> list[Signal]:
        in_tool_output = any(s.role in TOOL_ROLES for s in group)
        return self.signals("\n".join(s.text for s in group), in_tool_output=in_tool_output, budget=budget)

    def candidates(self, segments: Iterable[TextSegment]) -> list[TextSegment]:
        """The texts the detector's tiers score: each segment of the configured roles, then the joined
        runs (:func:`joined_runs`)."""
        ordered = list(segments)
        chosen = [s for s in ordered if s.role in self.roles and s.text]
        if not chosen:
            return []
        return chosen + [run for run in joined_runs(ordered) if run.role in self.roles]

    def signals(
        self, text: str, *, in_tool_output: bool = False, budget: VariantBudget | None = None
    ) -> list[Signal]:
        """Every signal ``text`` raises (one per rule, the strongest form of it); ``budget``: the request's
        variant budget (unbounded without one)."""
        found: dict[str, Signal] = {}

        def add(signal: Signal) -> None:
            if in_tool_output and signal.category not in (
                "hidden_characters",
                "obfuscation",
                "encoded_payload",
            ):
                signal = replace(signal, category="tool_result_injection")
            current = found.get(signal.rule)
            if current is None or signal.weight > current.weight:
                found[signal.rule] = signal

        data = glued = plain = b""
        for variant in variants(text, budget):
            data = variant.text.encode("utf-8", "surrogatepass")
            if variant.disguise is None:
                plain = data
            if not variant.reordered:
                glued = data
            # where a match is told to be code: the text with its underscores (the same bytes but "_")
            written = data if variant.underscored is None else _encoded(variant.underscored)
            groups = [self._phrases, self._tags] + ([self._tool] if in_tool_output else [])
            for group in groups:
                for rule, start, end in group.spans(data):
                    # a snake_case identifier in code (def forget_all_rules(self)) or a link's slug
                    # names something; it is not an instruction to the model: weighed as a mention
                    if variant.underscored is not None:  # the snake_case identifier the match spaced out
                        start, end = _identifier_span(written, start, end)
                    named = _code_identifier(written, start, end) or _in_link(written, start, end)
                    if variant.disguise is None or variant.misspelt:  # as written, or with typos
                        weight, span = self._weighed(group, rule, data, start, end, named, in_tool_output)
                        add(Signal(rule.name, variant.disguise or rule.category, weight, span))
                    elif rule.name not in found:
                        weight = min(0.98, rule.weight + _DISGUISE_BONUS)
                        if named and variant.underscored is not None:  # underscores are code's spaces
                            weight = round(rule.weight * MENTION_FACTOR, 4)
                        add(Signal(rule.name, variant.disguise, weight))
        # the last variant in the text's own order (every disguise undone) read with its words glued: no
        # spaces, camelCase
        for rule, start, end in self._glued.spans(glued):
            if rule.name in found or _inside_a_word(glued, start, end) or _spaced_out(glued[start:end]):
                continue
            weight = rule.weight  # no disguise bonus: camelCase and hashtags are also ordinary writing
            if (
                _code_identifier(glued, start, end)
                or camel_case_name(text, glued, start, end)  # if (shouldIgnoreAllPreviousInstructions)
                or _in_link(glued, start, end)
                or is_mention(glued, start, end, in_data=in_tool_output)
            ):
                weight = round(weight * MENTION_FACTOR, 4)  # ignoreAllRules(), #hashtag, "what does ... mean"
            add(Signal(rule.name, "obfuscation", weight))
        # a line that is one glued, snake_case or kebab-case phrase and nothing else: said, not named
        # (as written for snake_case, whose underscores the last variant made spaces)
        for lone in {plain, glued}:
            for rule, _, _ in self._lone.spans(lone):
                if rule.name not in found:
                    add(Signal(rule.name, rule.category, rule.weight))
        # a lone camelCase token with a typo in it (IgnorPreviousInstructions), read as words spelled right
        for reading in _camel_near_misses(text):
            for rule in self._phrases.matches(_encoded(reading)):
                if rule.name not in found:
                    add(Signal(rule.name, "obfuscation", rule.weight))
        # and glued in rot13, backwards or upside down: nobody writes so by chance (no mention, no bonus cut)
        for reading in glued_readings(glued.decode("utf-8", "surrogatepass"), budget):
            decoded = _encoded(reading)
            for rule, start, end in self._glued.spans(decoded):
                if rule.name not in found and not _inside_a_word(decoded, start, end):
                    add(Signal(rule.name, "obfuscation", min(0.98, rule.weight + _DISGUISE_BONUS)))
        for signal in self._hidden_channel_signals(text):
            add(signal)
        for signal in self._encoded_signals(text, budget):
            add(signal)
        if budget is not None and budget.exhausted:  # not every spelling was read: not presumed harmless
            add(Signal("variants_unscanned", "obfuscation", UNSCANNED_WEIGHT))
        return list(found.values())

    def _weighed(
        self, group: _RuleGroup, rule: Rule, data: bytes, start: int, end: int, named: bool, in_data: bool
    ) -> tuple[float, tuple[int, int]]:
        """A plain match's weight and span: the rule's weight where the phrase is used, first or further
        on; a mention's (quoted or discussed wherever it stands: the classifier decides)."""
        if not (named or self._mentioned(data, rule, start, end, in_data)):
            return rule.weight, (start, end)
        for later in group.later(rule, data, end):
            if not self._mentioned(data, rule, *later, in_data):
                return rule.weight, later
        return round(rule.weight * MENTION_FACTOR, 4), (start, end)

    @staticmethod
    def _mentioned(data: bytes, rule: Rule, start: int, end: int, in_tool_output: bool) -> bool:
        """Whether the plain text's match ``data[start:end]`` of ``rule`` names or talks about the phrase
        (a code identifier, a link's slug, a quotation, a cue word framing it), or sets aside the writer's
        own instructions about a topic of theirs (:mod:`.scope`): weighed as a mention."""
        return (
            _code_identifier(data, start, end)
            or _in_link(data, start, end)
            or (
                rule.name.startswith("override_")
                and (is_correction(data, start, end) or is_description(data, start, end, INSTEAD))
            )
            or is_mention(
                data, start, end, template_token=rule.category == "role_tag_forgery", in_data=in_tool_output
            )
        )

    def _hidden_channel_signals(self, text: str) -> list[Signal]:
        channels = hidden_channels(text)
        signals: list[Signal] = []
        if channels.tag_text:
            signals.append(Signal("unicode_tag_characters", "hidden_characters", 0.8))
            for rule in self._phrases.matches(channels.tag_text.casefold().encode("ascii", "replace")):
                signals.append(Signal(f"tags:{rule.name}", "hidden_characters", max(0.95, rule.weight)))
        if channels.invisible_in_words:
            weight = 0.55 if channels.invisible_in_words >= 3 else 0.4
            signals.append(Signal("invisible_in_words", "hidden_characters", weight))
        if channels.bidi_controls:
            signals.append(Signal("bidi_controls", "hidden_characters", 0.35))
        if channels.mixed_script_words:
            weight = 0.5 if channels.mixed_script_words >= 3 else 0.35
            signals.append(Signal("mixed_script_words", "obfuscation", weight))
        return signals

    def _encoded_signals(self, text: str, budget: VariantBudget | None = None) -> list[Signal]:
        """One signal for the worst decoded run (rules run once over all readable runs joined by line
        breaks, which nothing matches across), plus one when the budget left runs unread. A line that is
        one short base64 token is decoded too (:func:`_lone_tokens`)."""
        if len(text) < MIN_LONE_BASE64_CHARS:
            return []
        budget = _DecodeBudget(DECODE_BUDGET_BYTES)
        readable = _lone_tokens(text)
        if len(text) >= MIN_ENCODED_CHARS:
            data = text.encode("utf-8", "surrogatepass")
            readable += _decoded_runs(data, budget)
            readable += [decoded for decoded in decoded_texts(data) if _readable(decoded)]  # base32, base85
        signals: list[Signal] = []
        if readable:
            # every spelling of the decoded text, as of a plain one: a payload encoded *and* disguised
            # (zero-width characters, look-alike letters, digits for letters) is still read
            rules: list[Rule] = []
            for variant in variants("\n".join(readable), budget):
                data = variant.text.encode("utf-8", "surrogatepass")
                rules += self._phrases.matches(data) + self._tags.matches(data)
            if rules:
                strongest = max(rules, key=lambda rule: rule.weight)
                signals.append(
                    Signal(f"encoded:{strongest.name}", "encoded_payload", max(0.9, strongest.weight))
                )
            else:
                signals.append(Signal("encoded_text", "encoded_payload", 0.2))
        if budget.exhausted:
            signals.append(Signal("encoded_unscanned", "encoded_payload", UNSCANNED_WEIGHT))
        return signals


_CODE_BEFORE = (b".", b"`", b"#", b"@")  # a member, code in backticks, a hashtag, a handle
_CODE_AFTER = (b"(", b"=", b"`")  # called, assigned, code in backticks


def _inside_a_word(data: bytes, start: int, end: int) -> bool:
    """A glued match that starts inside a word *spaced* from the next ("signore, all previous...") is the
    tail of another word, not a glued phrase: the phrase rules' word boundary, kept where words are spaced."""
    if start == 0 or not data[start - 1 : start].isalpha():
        return False
    match = data[start:end]
    first_gap = next((at for at, byte in enumerate(match) if byte not in IDENTIFIER_BYTES), -1)
    return 0 <= first_gap <= _LONGEST_GLUED_VERB


_LONGEST_GLUED_VERB = len("disregard")


def _code_identifier(data: bytes, start: int, end: int) -> bool:
    """Whether the match ``data[start:end]`` (glued, or a phrase whose words are joined by ``_``) is one
    identifier written as code: the identifier holding it (letters, digits, ``_``, ``$``) is called or
    assigned (``(``, ``=`` after it), defined (``def``, ``function``... before it), a member (``.`` before
    it), in backticks, a hashtag or a handle; a snake_case one also as a key (``system_prompt:`` in YAML).
    Bounded: at most 64 bytes looked at on each side (:func:`.code_names.identifier_around`)."""
    if any(byte not in IDENTIFIER_BYTES for byte in data[start:end]):
        return False  # separators inside: written as prose
    left, right = identifier_around(data, start, end)
    before = data[left - 1 : left] if left else b""
    after = data[right : right + 2].lstrip(b" ")[:1]
    if before in _CODE_BEFORE or after in _CODE_AFTER:
        return True
    if b"_" in data[left:right] and after == b":":
        return True
    keyword = data[max(0, left - 10) : left].rstrip(b" ").rsplit(b" ", 1)[-1].rsplit(b"\n", 1)[-1]
    return before == b" " and keyword in _DEFINING_KEYWORDS


def _identifier_span(data: bytes, start: int, end: int) -> tuple[int, int]:
    """The first run of identifier bytes holding a ``_`` in ``data[start:end]`` (``system_prompt`` in the
    match ``system prompt: x`` of the underscores-as-spaces variant), or the match itself."""
    at = start
    while at < end:
        while at < end and data[at] not in IDENTIFIER_BYTES:
            at += 1
        stop = at
        while stop < end and data[stop] in IDENTIFIER_BYTES:
            stop += 1
        if b"_" in data[at:stop]:
            return at, stop
        at = stop
    return start, end


def _encoded(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


_DEFINING_KEYWORDS = frozenset(
    (b"def", b"class", b"function", b"func", b"fn", b"fun", b"sub", b"void", b"let", b"const", b"var")
)


def _in_link(data: bytes, start: int, end: int) -> bool:
    """Whether the match ``data[start:end]`` sits in a URL (``https://.../ignore-all-previous-...``): a
    link's slug names a page, the model does not read it as addressed to it. Bounded: 256 bytes back."""
    if any(byte in b" \t\n" for byte in data[start:end]):
        return False
    before = data[max(0, start - 256) : start]
    cut = max(before.rfind(b" "), before.rfind(b"\n"), before.rfind(b"\t"), before.rfind(b"("))
    return b"://" in before[cut + 1 :]


def _spaced_out(match: bytes) -> bool:
    """Whether a glued rule's match is the phrase written out word by word ("enable developer mode"): its
    words in the glued rules' vocabulary, only spaces between them (no junction glued, hyphenated or
    quoted), so the phrase rules, not the glued ones, decide what it is."""
    if _SPACED_WORDS.fullmatch(match) is None:  # "reveal-your-system-prompt", "enable 'god mode'"
        return False
    return all(token in _GLUED_WORDS for token in match.split())


_SPACED_WORDS = re.compile(rb"[a-z0-9]+(?:\s+[a-z0-9]+)*")  # disjoint classes: linear in stdlib re too


def _words_of(patterns: Iterable[str]) -> frozenset[bytes]:
    """The words the glued rules spell (and each without its plural ``s``: ``instructions?``)."""
    words = {word for pattern in patterns for word in re.findall(r"[a-z]+", pattern)}
    return frozenset(w.encode() for word in words for w in (word, word.removesuffix("s")))


_GLUED_WORDS = _words_of(rule.pattern for rule in GLUED_RULES)


def joined_runs(segments: Sequence[TextSegment]) -> list[TextSegment]:
    """The joined texts of runs of two or more segments of one role, in one message or in consecutive
    messages (segments in document order), as the model reads them: with a space between pieces (parts
    holding one word each), then concatenated as is (a word split across parts). Blocks of another role
    inside the message (a document, a search result between two text parts) do not break a run, and
    neither do messages between that hold no text (an empty or ``null`` content): only a message with text
    of its own does. Long runs are cut into windows of :data:`JOIN_WINDOW_CHARS` overlapping by
    :data:`JOIN_OVERLAP_CHARS`, so a phrase across any boundary is seen whole and the work stays linear in
    the request's text (each character of a run is scanned a bounded number of times more: two joins, each
    window overlap). The path is the pieces' longest common JSON pointer."""
    texted = sorted({s.message for s in segments if s.text and s.message is not None})
    runs: list[list[TextSegment]] = []
    open_runs: dict[str, list[TextSegment]] = {}  # role -> its run still open
    for segment in segments:
        if not segment.text or segment.message is None:
            continue
        current = open_runs.get(segment.role)
        if current is not None and _adjacent(current[-1].message, segment.message, texted):
            current.append(segment)
        else:
            current = [segment]
            runs.append(current)
            open_runs[segment.role] = current
    joined: list[TextSegment] = []
    for run in runs:
        if len(run) < 2:
            continue
        path = _common_pointer([segment.path for segment in run])
        for separator in (" ", ""):  # spaced first: "Ignore" + "all" is an override before it is glued
            text = separator.join(segment.text for segment in run)
            for window in _windows(text):
                joined.append(TextSegment(path, run[0].role, window, run[0].message))
    return joined


def _adjacent(last: int | None, message: int, texted: Sequence[int]) -> bool:
    """Whether ``message`` continues a run whose last piece is in ``last``: the same message, the next
    one, or a later one with no message holding text in between (``texted``: sorted indexes)."""
    if last is None or message < last:
        return False
    if message - last <= 1:
        return True
    return bisect.bisect_right(texted, last) == bisect.bisect_left(texted, message)


JOIN_WINDOW_CHARS = 16384
JOIN_OVERLAP_CHARS = 1024


def _windows(text: str) -> Iterator[str]:
    if len(text) <= JOIN_WINDOW_CHARS:
        yield text
        return
    step = JOIN_WINDOW_CHARS - JOIN_OVERLAP_CHARS
    for start in range(0, len(text) - JOIN_OVERLAP_CHARS, step):
        yield text[start : start + JOIN_WINDOW_CHARS]


def _common_pointer(paths: Sequence[str]) -> str:
    parts = [path.split("/") for path in paths]
    common: list[str] = []
    for pieces in zip(*parts, strict=False):
        if any(piece != pieces[0] for piece in pieces):
            break
        common.append(pieces[0])
    return "/".join(common)


class _DecodeBudget:
    """Decoded bytes still allowed for one text; ``exhausted`` once a run was left (partly) undecoded."""

    __slots__ = ("exhausted", "left")

    def __init__(self, size: int) -> None:
        self.left = size
        self.exhausted = False

    def take(self, run: bytes, chars: int, decoded: int) -> bytes:
        """The prefix of ``run`` that fits (whole groups of ``chars`` encoded characters, each ``decoded``
        bytes once decoded), charged to the budget."""
        allowed = self.left // decoded * chars
        if len(run) > allowed:
            self.exhausted = True
            run = run[:allowed]
        self.left -= -(-len(run) // chars) * decoded
        return run


MAX_DECODE_DEPTH = 3
"""Encodings undone one inside the other (base64 of base64 of hex...): each level is at most 3/4 of the one
it came from and all share one budget, so the depth only bounds the recursion."""


def _decoded_runs(data: bytes, budget: _DecodeBudget, depth: int = 1) -> Iterator[str]:
    """Readable texts hidden in the base64/hex runs of ``data``, every run until ``budget`` is spent
    (binary blobs such as images decode, cost their bytes, and are skipped). The runs' decoded texts are
    searched for runs again, all of a level at once, up to :data:`MAX_DECODE_DEPTH` levels: an encoded
    encoding of an instruction is not readable at the first level, and was skipped as a blob."""
    nested: list[str] = []
    for regex, decode, chars, decoded_bytes in (
        (_BASE64_RUN, _from_base64, 4, 3),
        (_HEX_RUN, _from_hex, 2, 1),
    ):
        for match in regex.finditer(data):  # type: ignore[attr-defined]
            if budget.left < decoded_bytes:
                budget.exhausted = True
                return
            run = budget.take(match.group(), chars, decoded_bytes)
            decoded = decode(run) if len(run) >= MIN_ENCODED_CHARS else None
            if decoded is None:
                continue
            if _readable(decoded):
                yield decoded
            if depth < MAX_DECODE_DEPTH and len(decoded) >= MIN_ENCODED_CHARS:
                nested.append(decoded)
    if nested:  # line breaks: no run crosses from one decoded text into the next
        yield from _decoded_runs("\n".join(nested).encode("utf-8", "surrogatepass"), budget, depth + 1)


MIN_LONE_BASE64_CHARS = 16
MAX_LONE_TOKENS = 64
# a line holding nothing but a base64 token too short for :data:`_BASE64_RUN` (stdlib re: a C loop per
# match, where the RE2 binding costs a Python step; each line start is tried once, for at most 25 characters)
_LONE_BASE64_LINE = re.compile(
    rf"^[ \t]*([A-Za-z0-9+/]{{{MIN_LONE_BASE64_CHARS},{MIN_ENCODED_CHARS - 1}}}={{0,2}}"
    rf"|[A-Za-z0-9_\-]{{{MIN_LONE_BASE64_CHARS},{MIN_ENCODED_CHARS - 1}}}={{0,2}})[ \t]*$",
    re.MULTILINE,
)


# a line holding nothing but one camelCase or PascalCase token (stdlib re, one character class: linear)
_LONE_CAMEL_LINE = re.compile(r"^[ \t]*([A-Za-z]{12,64})[ \t]*$", re.MULTILINE)
_CAMEL_WORD = re.compile(r"[A-Z]?[a-z]+")


def _camel_near_misses(text: str) -> list[str]:
    """The lines of ``text`` that are one camelCase token of three words or more with a near miss of a
    key word in them (``IgnorPreviousInstructions``), read as words spelled right: the glued rules read
    the token glued, where :mod:`.near_miss` sees no word to correct. The first :data:`MAX_LONE_TOKENS`
    such lines only. A name in code stands in a statement, not alone on its line."""
    found: list[str] = []
    for match in itertools.islice(_LONE_CAMEL_LINE.finditer(text), MAX_LONE_TOKENS):
        words = _CAMEL_WORD.findall(match.group(1))
        if len(words) < 3 or "".join(words) != match.group(1):
            continue
        meant = corrected(" ".join(words).lower())
        if meant is not None:
            found.append(meant)
    return found


def _lone_tokens(text: str) -> list[str]:
    """The readable texts the lines of ``text`` that are one short base64 token decode to.

    Runs shorter than :data:`MIN_ENCODED_CHARS` are not looked for inside prose and code (full of them),
    but a text or a line that is one is a lone token, which the classifier does not read either:
    ``aWdub3JlIGFsbCBydWxlcw==`` ("ignore all rules") as a chat message or a ``format: custom`` field
    value. Texts are joined by line breaks before they are scanned (:meth:`InjectionDetector.scan`), so
    a lone text is a lone line of the joined text. The first :data:`MAX_LONE_TOKENS` such lines only: each
    costs a Python step in every pass over the text (1 MB of readable ones cost 1.0 s, eight times the
    request before; 0.45 s with the bound, as a text of readable 24-character runs costs more), so that
    many short tokens first leave the ones after unread."""
    found: list[str] = []
    for match in itertools.islice(_LONE_BASE64_LINE.finditer(text), MAX_LONE_TOKENS):
        decoded = _from_base64(match.group(1).encode("ascii"))
        if decoded is not None and _readable(decoded):
            found.append(decoded)
    return found


def _from_base64(run: bytes) -> str | None:
    padded = run.rstrip(b"=")
    padded += b"=" * (-len(padded) % 4)
    try:
        raw = base64.b64decode(
            padded, altchars=b"-_" if (b"-" in run or b"_" in run) else None, validate=True
        )
        return raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None


def _from_hex(run: bytes) -> str | None:
    try:
        return bytes.fromhex(run.decode("ascii")).decode("utf-8")
    except ValueError:
        return None


def _readable(text: str) -> bool:
    """Mostly letters and spaces: what an instruction looks like once decoded, unlike random bytes."""
    if len(text) < 8 or " " not in text:
        return False
    if not text.isprintable():
        printable = sum(map(str.isprintable, text)) + text.count("\n") + text.count("\t")
        if printable < 0.95 * len(text):
            return False
    return sum(map(str.isalpha, text)) >= 0.5 * len(text)
