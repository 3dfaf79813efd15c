"""Turning a validated ``ai-output-redactor`` config into what requests use: built once per plugin instance.

``build_settings`` runs the checks the schema cannot express (patterns compile with RE2, mode and
replacement maps name known detectors, ``hash`` has a key, ``output_schema`` is a JSON Schema the
ai-input-guard's compiler accepts: RE2 patterns, local references, bounded ``uniqueItems``) and builds
the :class:`~.engine.Redactor`.
Errors are collected into one :class:`ConfigError` with Kong-style field paths, so a bad config is refused
when the instance starts, never discovered by a request. This module never touches ``kong``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import re2

from kong_plugins.ai_input_guard.formats import InvalidSchema, compile_format
from kong_plugins.ai_output_redactor.detectors import BUILTIN, Detector, compile_pattern
from kong_plugins.ai_output_redactor.engine import DetectionContext, Redactor, Rule
from kong_plugins.core.errors import ConfigError

__all__ = ["HeaderPolicy", "RedactorSettings", "build_settings"]


@dataclass(frozen=True)
class HeaderPolicy:
    """What the answer's headers get: set, removed, isolation, AI headers, the tenant check."""

    security: dict[str, str]
    remove: tuple[str, ...]
    isolation: bool
    vary: tuple[str, ...]
    tenant_header: str
    check_tenant: bool
    ai_headers: bool
    model_header: str
    processing_time_header: str
    processing_time_source: str


@dataclass(frozen=True)
class RedactorSettings:
    """Everything a request needs, compiled once per plugin configuration and shared by all threads."""

    redactor: Redactor
    uses_hash: bool
    max_body_bytes: int
    oversize_block: bool
    unreadable_block: bool
    reencode: bool
    headers: HeaderPolicy
    on_violation: str = "redact"  # block | redact | replace | flag
    replace_message: str = ""
    violation_header: str = "X-AI-Output-Violations"
    output_schema: Any = None  # a jsonschema validator, when configured
    redact_request: bool = False


def _label(name: str) -> str:
    return name.upper()


def _why(exc: Exception) -> str:
    """RE2's reason as text: ``re2.error`` carries bytes (``str()`` printed ``b'missing ): ('``)."""
    reason = exc.args[0] if exc.args else exc
    return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)


def build_settings(config: Mapping[str, Any]) -> RedactorSettings:
    """Compile a config already validated by the schema (defaults filled); raise :class:`ConfigError`."""
    errors: dict[str, str] = {}
    global_mode = str(config.get("mode") or "mask")
    enabled = set(config.get("detectors") or ())
    detectors: list[Detector] = []  # custom patterns first: they win over a built-in on the same text
    for position, custom in enumerate(config.get("custom_patterns") or [], start=1):
        try:
            regex = compile_pattern(str(custom["pattern"]))
        except re2.error as exc:
            errors[f"config.custom_patterns.{position}.pattern"] = (
                f"not a linear-time (RE2) pattern: {_why(exc)}"
            )
            continue
        if any(d.name == custom["name"] for d in detectors):
            errors[f"config.custom_patterns.{position}.name"] = "name given twice"
            continue
        detectors.append(Detector(str(custom["name"]), regex))
    detectors += [d for d in BUILTIN if d.name in enabled]
    customs = {c["name"]: c for c in config.get("custom_patterns") or []}
    known = {d.name for d in BUILTIN} | set(customs)
    modes = dict(config.get("detector_modes") or {})
    replacements = dict(config.get("replacements") or {})
    for map_name, mapping in (("detector_modes", modes), ("replacements", replacements)):
        for key in mapping:
            if key not in known:
                errors[f"config.{map_name}.{key}"] = "not a detector or custom pattern name"
    rules: dict[str, Rule] = {}
    for detector in detectors:
        custom = customs.get(detector.name, {})
        mode = str(modes.get(detector.name) or custom.get("mode") or global_mode)
        replacement = replacements.get(detector.name) or custom.get("replacement")
        rules[detector.name] = Rule(
            mode, str(replacement or f"[REDACTED:{_label(detector.name)}]"), _label(detector.name)
        )
    uses_hash = any(rule.mode == "hash" for rule in rules.values())
    hash_key = config.get("hash_key")
    if uses_hash and not hash_key:
        errors["config.hash_key"] = "required when a mode is 'hash'"
    allow_patterns = []
    for position, pattern in enumerate(config.get("allow_patterns") or [], start=1):
        try:
            allow_patterns.append(compile_pattern(str(pattern)))
        except re2.error as exc:
            errors[f"config.allow_patterns.{position}"] = f"not a linear-time (RE2) pattern: {_why(exc)}"
    output_schema = None
    if config.get("output_schema"):
        try:
            output_schema = compile_format("custom", str(config["output_schema"]), "output_schema").validator
        except InvalidSchema as exc:
            errors["config.output_schema"] = str(exc)
    if errors:
        details = "; ".join(f"{path}: {message}" for path, message in errors.items())
        raise ConfigError(f"invalid ai-output-redactor configuration: {details}", errors)

    redactor = Redactor(
        detectors,
        rules,
        DetectionContext(
            phone_regions=tuple(config.get("phone_regions") or ("US",)),
            entropy_threshold=float(config.get("entropy_threshold") or 4.0),
            entropy_min_length=int(config.get("entropy_min_length") or 20),
        ),
        allow_values=frozenset(str(value).casefold() for value in config.get("allow_list") or ()),
        allow_patterns=allow_patterns,
        hash_key=str(hash_key or "").encode(),
    )
    return RedactorSettings(
        redactor=redactor,
        uses_hash=uses_hash,
        max_body_bytes=int(config.get("max_body_bytes") or 8388608),
        oversize_block=config.get("oversize_action", "block") == "block",
        unreadable_block=config.get("unreadable_action", "block") == "block",
        reencode=bool(config.get("reencode", True)),
        on_violation=str(config.get("on_violation") or "redact"),
        replace_message=str(
            config.get("replace_message") or "The response was withheld by the output policy."
        ),
        violation_header=str(config.get("violation_header") or "X-AI-Output-Violations"),
        output_schema=output_schema,
        redact_request=bool(config.get("redact_request", False)),
        headers=HeaderPolicy(
            security=dict(config.get("security_headers") or {}),
            remove=tuple(config.get("remove_headers") or ()),
            isolation=bool(config.get("response_isolation", True)),
            vary=tuple(config.get("isolation_vary") or ()),
            tenant_header=str(config.get("tenant_header") or "X-Tenant-ID"),
            check_tenant=bool(config.get("check_tenant_header", True)),
            ai_headers=bool(config.get("ai_headers", True)),
            model_header=str(config.get("model_header") or "X-AI-Model"),
            processing_time_header=str(config.get("processing_time_header") or "X-AI-Processing-Ms"),
            processing_time_source=str(config.get("processing_time_source") or "openai-processing-ms"),
        ),
    )
