"""The injection rules written in other languages than English, one module per language group.

:mod:`.injection_rules` holds the English rules (and the first, translated override phrases of 17
languages); the modules gathered here were written from how each language phrases an attack, family by
family (instruction override and goal hijack, prompt leak, persona and jailbreak framings, instructions
addressed to the model inside tool results). The detector scans them with the rules of the same group.
"""

from __future__ import annotations

from kong_plugins.ai_input_guard.injection_rules import Rule
from kong_plugins.ai_input_guard.rules_cjk import PHRASE_RULES_CJK, TOOL_RULES_CJK
from kong_plugins.ai_input_guard.rules_europe import PHRASE_RULES_EUROPE, TOOL_RULES_EUROPE

__all__ = ["MULTILINGUAL_PHRASE_RULES", "MULTILINGUAL_TOOL_RULES"]

MULTILINGUAL_PHRASE_RULES: tuple[Rule, ...] = PHRASE_RULES_CJK + PHRASE_RULES_EUROPE
MULTILINGUAL_TOOL_RULES: tuple[Rule, ...] = TOOL_RULES_CJK + TOOL_RULES_EUROPE
