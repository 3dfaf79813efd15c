"""Turning a validated ``ai-input-guard`` config into what requests use: built once per plugin instance.

``build_settings`` runs every check the schema cannot express (patterns compile with RE2, the custom schema
is a usable draft 2020-12 schema) and compiles everything a request needs: the format's validator, the
pattern automata, the detector's rules, the tokenizer. Errors are collected into one :class:`ConfigError`
with Kong-style field paths (``config.deny_patterns.2``), so a bad config is refused when the instance starts,
never discovered by a request. This module never touches ``kong``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kong_plugins.ai_input_guard.body import BodyLimits
from kong_plugins.ai_input_guard.classifier import Classifier, load_default
from kong_plugins.ai_input_guard.content_rules import ContentRules
from kong_plugins.ai_input_guard.content_type import MediaTypePolicy
from kong_plugins.ai_input_guard.formats import CompiledFormat, InvalidSchema, compile_format
from kong_plugins.ai_input_guard.injection import InjectionDetector
from kong_plugins.ai_input_guard.linear_regex import LinearRegex, UnsupportedPattern, compile_linear
from kong_plugins.ai_input_guard.models import ContextPolicy, ModelList
from kong_plugins.ai_input_guard.ood import OutOfDistribution
from kong_plugins.ai_input_guard.tokens import TokenCounter, load_cl100k
from kong_plugins.core.errors import ConfigError

__all__ = ["ClassifierSettings", "DetectorSettings", "GuardSettings", "build_settings"]


@dataclass(frozen=True)
class DetectorSettings:
    """``mode`` (off | log | block) and ``threshold`` of one detector."""

    mode: str
    threshold: float

    @property
    def enabled(self) -> bool:
        return self.mode != "off"


@dataclass(frozen=True)
class ClassifierSettings:
    """The classifier tier: ``mode`` (off | shadow | block), its probability threshold, the rules score
    from which it runs, and the shipped model (None when off)."""

    mode: str
    threshold: float
    uncertain_from: float
    model: Classifier | None

    @property
    def enabled(self) -> bool:
        return self.mode != "off" and self.model is not None


@dataclass(frozen=True)
class GuardSettings:
    """Everything a request needs, compiled once per plugin configuration and shared by all threads."""

    media_types: MediaTypePolicy
    body_required: bool
    limits: BodyLimits
    format: CompiledFormat
    route_models: ModelList
    tenant_models: bool
    context: ContextPolicy
    content_rules: ContentRules
    injection: DetectorSettings
    detector: InjectionDetector
    classifier: ClassifierSettings
    ood: DetectorSettings
    ood_signal: OutOfDistribution
    tokens: TokenCounter


def build_settings(config: Mapping[str, Any]) -> GuardSettings:
    """Compile a config already validated by the schema (defaults filled); raise :class:`ConfigError`."""
    errors: dict[str, str] = {}
    compiled_format = _format(config, errors)
    deny = _patterns(config.get("deny_patterns"), "deny_patterns", errors)
    allow = _patterns(config.get("allow_patterns"), "allow_patterns", errors)
    if errors or compiled_format is None:
        details = "; ".join(f"{path}: {message}" for path, message in errors.items())
        raise ConfigError(f"invalid ai-input-guard configuration: {details}", errors)

    injection = config.get("injection") or {}
    classifier = injection.get("classifier") or {}
    classifier_mode = str(classifier.get("mode", "shadow"))
    ood = config.get("ood") or {}
    return GuardSettings(
        media_types=MediaTypePolicy.of(config.get("allowed_content_types") or ["application/json"]),
        body_required=bool(config.get("body_required", True)),
        limits=BodyLimits(
            max_body_bytes=int(config.get("max_body_bytes") or 1048576),
            max_depth=int(config.get("max_depth") or 32),
            max_string_length=int(config.get("max_string_length") or 524288),
            max_array_length=int(config.get("max_array_length") or 10000),
        ),
        format=compiled_format,
        route_models=ModelList.of(config.get("allowed_models") or []),
        tenant_models=bool(config.get("tenant_models", True)),
        context=ContextPolicy.build(
            config.get("context_windows"),
            config.get("default_context_window"),
            config.get("max_tokens_ceiling"),
            clamp=config.get("max_tokens_action") == "clamp",
        ),
        content_rules=ContentRules(
            deny=deny,
            allow=allow,
            match_all_roles=bool(config.get("match_all_roles", False)),
            allowed_roles=frozenset(config.get("allowed_roles") or ()),
            max_message_chars=config.get("max_message_chars"),
            max_total_chars=config.get("max_total_chars"),
        ),
        injection=DetectorSettings(
            str(injection.get("mode", "block")), float(injection.get("threshold", 0.5))
        ),
        detector=InjectionDetector(
            categories=injection.get("categories") or (), roles=injection.get("roles") or ("user",)
        ),
        classifier=ClassifierSettings(
            mode=classifier_mode,
            threshold=float(classifier.get("threshold", 0.5)),
            uncertain_from=float(classifier.get("uncertain_from", 0.0)),
            model=load_default() if classifier_mode != "off" and injection.get("mode") != "off" else None,
        ),
        ood=DetectorSettings(str(ood.get("mode", "log")), float(ood.get("threshold", 0.8))),
        ood_signal=OutOfDistribution(
            roles=ood.get("roles") or ("user",), expected_scripts=ood.get("expected_scripts") or ()
        ),
        tokens=TokenCounter(load_cl100k()),
    )


def _format(config: Mapping[str, Any], errors: dict[str, str]) -> CompiledFormat | None:
    name = str(config.get("format") or "openai-chat")
    try:
        return compile_format(name, config.get("custom_schema"))
    except InvalidSchema as exc:
        errors["config.custom_schema"] = str(exc)
        return None


def _patterns(patterns: Sequence[str] | None, name: str, errors: dict[str, str]) -> tuple[LinearRegex, ...]:
    compiled: list[LinearRegex] = []
    for position, pattern in enumerate(patterns or [], start=1):
        try:
            compiled.append(compile_linear(pattern))
        except UnsupportedPattern as exc:
            errors[f"config.{name}.{position}"] = str(exc)
    return tuple(compiled)
