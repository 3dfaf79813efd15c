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
from kong_plugins.ai_input_guard.formats import extract_view
from kong_plugins.ai_input_guard.injection import TOOL_ROLES, Detection
from kong_plugins.ai_input_guard.models import ModelList, check_model
from kong_plugins.ai_input_guard.rejection import FieldProblem, Rejection
from kong_plugins.ai_input_guard.settings import GuardSettings
from kong_plugins.ai_input_guard.view import RequestView
from kong_plugins.core.context import RequestFacts

__all__ = ["OOD_TIER", "Finding", "Inspection", "empty_body_facts", "inspect_body"]

CLASSIFIER_CATEGORY = "suspected_injection"  # the classifier's verdict where no rule said more
OOD_TIER = "heuristics"  # the out-of-distribution signal has one tier: its measurements


@dataclass(frozen=True)
class Finding:
    """A security-relevant observation for the audit log (``ai_guard.findings``); never quotes content."""

    check: str
    category: str
    score: float
    action: str  # block | log | shadow
    tier: str | None = None  # the detector tier that decided (rules, classifier, heuristics)

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


def inspect_body(settings: GuardSettings, raw: bytes, tenant_models: ModelList | None) -> Inspection:
    """Run checks 3-9 on ``raw``; raise :class:`Rejection` on the first that refuses."""
    document = parse_json(raw, settings.limits)  # 3. JSON and its bounds
    settings.format.check(document)  # 4. format
    check_budget(document)  # 4. format: the budget fields are bounded integer literals
    view = extract_view(settings.format.name, document)
    check_model(view.model, settings.route_models, tenant_models)  # 5. model policy

    clamped = settings.context.ceiling_for(view.budget)  # 6. context window and max_tokens ceiling
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
    findings = _detect(settings, view)  # 8. prompt injection, 9. out-of-distribution
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
    )
    return Inspection(facts, findings, rewritten)


def _injection(settings: GuardSettings, view: RequestView) -> tuple[Detection, str] | None:
    """The cascade: the rules, then the classifier where the rules are uncertain (scored from
    ``uncertain_from`` up to below the threshold). Returns what decided and the action it calls for."""
    injection, classifier = settings.injection, settings.classifier
    detection = settings.detector.scan(view.segments, threshold=injection.threshold)
    if detection is not None and detection.score >= injection.threshold:
        return detection, injection.mode
    rules_score = detection.score if detection is not None else 0.0
    if not classifier.enabled or rules_score < classifier.uncertain_from:
        return None
    assert classifier.model is not None
    candidates = settings.detector.candidates(view.segments)
    if not candidates:
        return None
    probabilities = classifier.model.probabilities([(s.text, s.role in TOOL_ROLES) for s in candidates])
    probability, segment = max(zip(probabilities, candidates, strict=True), key=lambda pair: pair[0])
    if probability >= classifier.threshold:
        if detection is not None:
            category = detection.category
        else:
            category = "tool_result_injection" if segment.role in TOOL_ROLES else CLASSIFIER_CATEGORY
        action = "shadow" if classifier.mode == "shadow" else injection.mode
        return Detection(probability, category, segment.path, tier="classifier"), action
    return None


def _detect(settings: GuardSettings, view: RequestView) -> list[Finding]:
    findings: list[Finding] = []
    injection = settings.injection
    if injection.enabled:
        decided = _injection(settings, view)
        if decided is not None:
            detection, action = decided
            if action == "block":
                raise Rejection(
                    400,
                    "injection",
                    detection.category,
                    FieldProblem(detection.path, f"prompt injection detected ({detection.category})"),
                    score=detection.score,
                    tier=detection.tier,
                )
            findings.append(Finding("injection", detection.category, detection.score, action, detection.tier))
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
