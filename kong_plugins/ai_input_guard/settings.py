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
from kong_plugins.ai_input_guard.classifier import DEFAULT_THRESHOLD, Classifier, load_default
from kong_plugins.ai_input_guard.content_rules import ContentRules
from kong_plugins.ai_input_guard.content_type import MediaTypePolicy
from kong_plugins.ai_input_guard.formats import CompiledFormat, InvalidSchema, compile_format
from kong_plugins.ai_input_guard.guardrail import GuardrailClient, GuardrailSettings
from kong_plugins.ai_input_guard.injection import InjectionDetector
from kong_plugins.ai_input_guard.linear_regex import LinearRegex, UnsupportedPattern, compile_linear
from kong_plugins.ai_input_guard.models import ContextPolicy, ModelList
from kong_plugins.ai_input_guard.ood import OutOfDistribution
from kong_plugins.ai_input_guard.operator_model import ModelSettings, load_model
from kong_plugins.ai_input_guard.tokens import TokenCounter, load_cl100k
from kong_plugins.core import metrics
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
    model: ModelSettings
    guardrail: GuardrailSettings
    guardrail_client: GuardrailClient | None
    ood: DetectorSettings
    ood_signal: OutOfDistribution
    tokens: TokenCounter
    prompt_simhash: bool = True
    """Hash the prompt for the probing metrics (core/simhash.py): only when this process records metrics
    (``kong-ai-pluginserver --metrics-dir/--metrics-listen``, enabled before plugins are configured)."""


def build_settings(config: Mapping[str, Any]) -> GuardSettings:
    """Compile a config already validated by the schema (defaults filled); raise :class:`ConfigError`."""
    errors: dict[str, str] = {}
    compiled_format = _format(config, errors)
    deny = _patterns(config.get("deny_patterns"), "deny_patterns", errors)
    allow = _patterns(config.get("allow_patterns"), "allow_patterns", errors)
    injection = config.get("injection") or {}
    classifier = injection.get("classifier") or {}
    classifier_mode = str(classifier.get("mode", "block"))
    _check_cascade_order(injection, errors)
    if errors or compiled_format is None:
        details = "; ".join(f"{path}: {message}" for path, message in errors.items())
        raise ConfigError(f"invalid ai-input-guard configuration: {details}", errors)
    detecting = injection.get("mode") != "off"
    guardrail = _guardrail(injection.get("guardrail") or {})
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
            threshold=float(classifier.get("threshold", DEFAULT_THRESHOLD)),
            uncertain_from=float(classifier.get("uncertain_from", 0.0)),
            model=load_default() if classifier_mode != "off" and detecting else None,
        ),
        model=_model(injection.get("model") or {}, detecting),
        guardrail=guardrail,
        guardrail_client=GuardrailClient(guardrail) if guardrail.enabled and detecting else None,
        ood=DetectorSettings(str(ood.get("mode", "log")), float(ood.get("threshold", 0.8))),
        ood_signal=OutOfDistribution(
            roles=ood.get("roles") or ("user",), expected_scripts=ood.get("expected_scripts") or ()
        ),
        tokens=TokenCounter(load_cl100k()),
        prompt_simhash=metrics.enabled(),
    )


_TIERS = ("classifier", "model", "guardrail")


def _check_cascade_order(injection: Mapping[str, Any], errors: dict[str, str]) -> None:
    """Each enabled later tier runs from its ``uncertain_from`` up to below the threshold of the tier that
    gates it (the last enabled one before it not in shadow mode, else the rules): from at or above that
    threshold it would never run. Kong's schema cannot compare two fields, so this is checked here."""
    if injection.get("mode") == "off":
        return
    upper_name, upper = "injection.threshold", float(injection.get("threshold", 0.5))
    for name in _TIERS:
        tier = injection.get(name) or {}
        mode = str(tier.get("mode", "block" if name == "classifier" else "off"))
        if mode == "off":
            continue
        start = float(tier.get("uncertain_from", 0.0))
        if start > 0 and start >= upper:
            errors[f"config.injection.{name}.uncertain_from"] = (
                f"must be below {upper_name} ({upper:g}): the tier would never run"
            )
        if mode != "shadow" and ("threshold" in tier or name == "classifier"):
            upper_name, upper = f"injection.{name}.threshold", float(tier.get("threshold", DEFAULT_THRESHOLD))


def _model(model: Mapping[str, Any], detecting: bool) -> ModelSettings:
    mode = str(model.get("mode", "off"))
    loaded = None
    if mode != "off" and detecting:
        loaded = load_model(
            str(model["path"]),
            str(model["tokenizer_path"]),
            labels=[int(label) for label in model.get("injection_labels") or [1]],
            max_tokens=int(model.get("max_tokens", 512)),
            softmax=bool(model.get("softmax", True)),
        )
    return ModelSettings(
        mode=mode,
        threshold=float(model.get("threshold", 0.5)),
        uncertain_from=float(model.get("uncertain_from", 0.0)),
        time_budget_s=int(model.get("time_budget_ms", 200)) / 1000,
        fail_mode=str(model.get("fail_mode", "open")),
        max_windows=int(model.get("max_windows", 4)),
        model=loaded,
    )


def _guardrail(guardrail: Mapping[str, Any]) -> GuardrailSettings:
    return GuardrailSettings(
        mode=str(guardrail.get("mode", "off")),
        url=str(guardrail.get("url") or ""),
        adapter=str(guardrail.get("adapter", "generic")),
        timeout_s=int(guardrail.get("timeout_ms", 500)) / 1000,
        fail_mode=str(guardrail.get("fail_mode", "open")),
        uncertain_from=float(guardrail.get("uncertain_from", 0.0)),
        cache_size=int(guardrail.get("cache_size", 10000)),
        cache_ttl_s=float(guardrail.get("cache_ttl", 300)),
        api_key=guardrail.get("api_key") or None,
        api_key_header=str(guardrail.get("api_key_header") or "Authorization"),
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
