"""Checks 3 to 9 on a body that was read: the pure part of the plugin, in the order of the issue.

:func:`inspect_body` parses and validates the body, applies the model and context policies, the content
rules and both detectors, and returns what the handler must do next: the facts to publish, the findings to
record and, when ``max_tokens`` was clamped, the body the upstream must receive instead. Any check that
refuses raises :class:`~.rejection.Rejection`. No ``kong`` here: the handler does all PDK I/O.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from kong_plugins.ai_input_guard.body import parse_json
from kong_plugins.ai_input_guard.budget import check_budget
from kong_plugins.ai_input_guard.cascade import UNVERIFIED, run_cascade
from kong_plugins.ai_input_guard.formats import extract_view
from kong_plugins.ai_input_guard.injection import Detection
from kong_plugins.ai_input_guard.models import ModelList, check_model
from kong_plugins.ai_input_guard.rejection import FieldProblem, Rejection
from kong_plugins.ai_input_guard.settings import GuardSettings
from kong_plugins.ai_input_guard.view import RequestView
from kong_plugins.core.context import RequestFacts
from kong_plugins.core.simhash import simhash64, to_hex

__all__ = ["OOD_TIER", "Finding", "Inspection", "empty_body_facts", "inspect_body", "prompt_simhash"]

OOD_TIER = "heuristics"  # the out-of-distribution signal has one tier: its measurements


@dataclass(frozen=True)
class Finding:
    """A security-relevant observation for the audit log (``ai_guard.findings``); never quotes content."""

    check: str
    category: str
    score: float
    action: str  # block | log | shadow
    tier: str | None = (
        None  # the detector tier that decided (rules, classifier, model, guardrail, heuristics)
    )
    source: str | None = None  # model and guardrail tiers: model | service | cache | fail_open | fail_closed
    prompt_simhash: str | None = None  # a refusal's: the refused prompt's SimHash (metrics, never text)

    def to_shared(self, plugin: str) -> dict[str, Any]:
        shared: dict[str, Any] = {
            "plugin": plugin,
            "check": self.check,
            "category": self.category,
            "score": self.score,
            "action": self.action,
        }
        if self.tier is not None:
            shared["tier"] = self.tier
        if self.source is not None:
            shared["source"] = self.source
        if self.prompt_simhash is not None:
            shared["prompt_simhash"] = self.prompt_simhash
        return shared


@dataclass
class Inspection:
    """What the handler publishes and sends after a request passed every check."""

    facts: RequestFacts
    findings: list[Finding] = field(default_factory=list)
    rewritten_body: bytes | None = None


def empty_body_facts(settings: GuardSettings) -> RequestFacts:
    """Facts of a body-less request on a route that allows one."""
    return RequestFacts(
        format=settings.format.name, body_sha256=hashlib.sha256(b"").hexdigest(), body_bytes=0
    )


def inspect_body(
    settings: GuardSettings, raw: bytes, tenant_models: ModelList | None, tenant: str | None = None
) -> Inspection:
    """Run checks 3-9 on ``raw``; raise :class:`Rejection` on the first that refuses. ``tenant`` (the
    resolved tenant's id) is only passed on to the guardrail service."""
    document = parse_json(raw, settings.limits)  # 3. JSON and its bounds
    settings.format.check(document)  # 4. format
    check_budget(document)  # 4. format: the budget fields are bounded integer literals
    view = extract_view(settings.format.name, document)
    similarity = prompt_simhash(view) if settings.prompt_simhash else None
    try:
        return _inspect_view(settings, raw, document, view, tenant_models, tenant, similarity)
    except Rejection as rejection:
        rejection.prompt_simhash = similarity  # a refused prompt's retries are counted too (core/metrics.py)
        raise


def prompt_simhash(view: RequestView) -> str | None:
    """The SimHash (core/simhash.py) of the newest prompt: the last message's user text (the turns before
    it and a system prompt repeat from request to request), or every text of a format without messages."""
    user = [segment for segment in view.segments if segment.role == "user" and segment.text]
    if user:
        newest = user[-1].message
        texts = [segment.text for segment in user if segment.message == newest]
    else:
        texts = [segment.text for segment in view.segments if segment.text]
    value = simhash64("\n".join(texts)) if texts else None
    return to_hex(value) if value is not None else None


def _inspect_view(
    settings: GuardSettings,
    raw: bytes,
    document: Any,
    view: RequestView,
    tenant_models: ModelList | None,
    tenant: str | None,
    similarity: str | None,
) -> Inspection:
    check_model(view.model, settings.route_models, tenant_models)  # 5. model policy

    clamped = settings.context.ceiling_for(view.budget, view.format)  # 6. context window, ceiling
    rewritten = None
    if clamped:
        assert isinstance(document, dict)
        document.update(clamped)
        view.budget.update(clamped)
        rewritten = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    prompt_tokens, largest_input = settings.tokens.prompt_tokens(view)
    settings.context.check_fit(
        view.model,
        largest_input if view.separate_inputs else prompt_tokens,
        view.max_tokens,
        per_input=view.separate_inputs,
    )

    settings.content_rules.check(view)  # 7. content rules
    findings = _detect(settings, view, tenant)  # 8. prompt injection, 9. out-of-distribution
    facts = RequestFacts(
        format=view.format,
        model=view.model,
        stream=view.stream,
        max_tokens=view.max_tokens,
        completions=view.completions,
        prompt_tokens_estimate=prompt_tokens,
        message_count=view.message_count,
        tool_names=list(view.tool_names),
        body_sha256=hashlib.sha256(raw).hexdigest(),
        body_bytes=len(raw),
        prompt_simhash=similarity,
    )
    return Inspection(facts, findings, rewritten)


def _detect(settings: GuardSettings, view: RequestView, tenant: str | None) -> list[Finding]:
    findings: list[Finding] = []
    if settings.injection.enabled:
        for verdict in run_cascade(settings, view.segments, tenant):  # 8. the detector's cascade
            detection = verdict.detection
            if verdict.action == "block":
                raise _injection_rejection(detection)
            findings.append(
                Finding(
                    "injection",
                    detection.category,
                    detection.score,
                    verdict.action,
                    detection.tier,
                    detection.source,
                )
            )
    ood = settings.ood
    if ood.enabled:
        signal = settings.ood_signal.measure(view.segments)
        if signal is not None and signal.score >= ood.threshold:
            if ood.mode == "block":
                raise Rejection(
                    400,
                    "ood",
                    signal.category,
                    FieldProblem(
                        signal.path, f"input too far from what this route expects ({signal.category})"
                    ),
                    score=signal.score,
                    tier=OOD_TIER,
                )
            findings.append(Finding("ood", signal.category, signal.score, "log", OOD_TIER))
    return findings


def _injection_rejection(detection: Detection) -> Rejection:
    """400 naming the category; 503 when a tier that could not answer fails closed (not the client's
    fault). Neither names the tier or the score."""
    if detection.category == UNVERIFIED:
        problem = FieldProblem(detection.path, "prompt injection check unavailable")
        status = 503
    else:
        problem = FieldProblem(detection.path, f"prompt injection detected ({detection.category})")
        status = 400
    return Rejection(
        status,
        "injection",
        detection.category,
        problem,
        score=detection.score,
        tier=detection.tier,
        source=detection.source,
    )
