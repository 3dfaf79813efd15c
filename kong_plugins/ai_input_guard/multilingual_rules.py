"""The injection rules written in other languages than English, one module per language group.

:mod:`.injection_rules` holds the English rules (and the first, translated override phrases of 17
languages); the modules gathered here were written from how each language phrases an attack, family by
family (instruction override and goal hijack, prompt leak, persona and jailbreak framings, instructions
addressed to the model inside tool results). The detector scans them with the rules of the same kind,
each language group as its own automaton.
"""

from __future__ import annotations

from kong_plugins.ai_input_guard.injection_rules import PHRASE_RULES, TOOL_RULES, Rule
from kong_plugins.ai_input_guard.rules_ar_hi import PHRASE_RULES_AR_HI, TOOL_RULES_AR_HI
from kong_plugins.ai_input_guard.rules_cjk import PHRASE_RULES_CJK, TOOL_RULES_CJK
from kong_plugins.ai_input_guard.rules_europe import PHRASE_RULES_EUROPE, TOOL_RULES_EUROPE
from kong_plugins.ai_input_guard.rules_reader import READER_RULES

__all__ = ["PHRASE_RULE_PARTS", "TOOL_RULE_PARTS"]

# All the phrase (tool) rules, in parts: the detector combines each part's patterns into one automaton. One
# automaton for every phrase rule outgrows RE2's DFA budget (the CJK rules' bounded "rest of the sentence"
# gaps in parallel with the others'), and RE2 falls back to its NFA, a thousand times slower on every
# request (measured on a 4 KB English text: about 6 µs per part, 20 ms for a single automaton).
PHRASE_RULE_PARTS: tuple[tuple[Rule, ...], ...] = (
    PHRASE_RULES + PHRASE_RULES_EUROPE,
    PHRASE_RULES_CJK,
    PHRASE_RULES_AR_HI,
)
TOOL_RULE_PARTS: tuple[tuple[Rule, ...], ...] = (
    TOOL_RULES + TOOL_RULES_CJK + TOOL_RULES_EUROPE + TOOL_RULES_AR_HI,
    READER_RULES,
)
