"""The injection detector's cascade: rules, then the shipped classifier, the operator's model and the
guardrail service, cheapest first, each optional and configured per route.

The rules always run. A rules score at or above ``injection.threshold`` decides, and nothing else runs: the
common request pays for the rules alone. Otherwise each enabled later tier runs when the *gate* - the score
of the last tier that ran and does not decide in ``shadow`` - is at least the tier's ``uncertain_from``
(the gate is below that last tier's threshold, or it would have decided). A tier whose verdict is an
injection decides with ``injection.mode`` (block, log or shadow), unless the tier itself is in ``shadow``
mode: then its verdict is only reported (action ``shadow``) and the cascade goes on as if it had not run.
A tier that scores below its threshold becomes the gate of the next one.

The model and the guardrail service can fail (time budget spent; timeout, 5xx, garbage answer). Their
``fail_mode`` decides: ``open`` reports the failure (category ``unverified``, action ``log``, source
``fail_open``) and goes on as if the tier had not run; ``closed`` decides with category ``unverified`` and
source ``fail_closed`` (a 503 in ``block`` mode: the request is not the client's fault).

The classifier reads at most a fixed number of characters per request (:data:`.classifier.MAX_REQUEST_CHARS`);
when text was left unread and nothing it read reached its threshold, it reports so (category
``unverified``, action ``log``, source ``unscanned``) rather than passing the request as read and clean (the
rules read everything).

Every verdict names its tier (``rules``, ``classifier``, ``model``, ``guardrail``) and, for the later tiers,
its source (``model``, ``service``, ``cache``, ``fail_open``, ``fail_closed``). The category of an injection
verdict is the rules' category when a rule noticed something, else the guardrail's (when it names one this
project defines), else ``tool_result_injection`` for texts in tool results and ``suspected_injection``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from kong_plugins.ai_input_guard.guardrail import GuardrailFailure
from kong_plugins.ai_input_guard.injection import TOOL_ROLES, Detection
from kong_plugins.ai_input_guard.operator_model import ModelTimeout
from kong_plugins.ai_input_guard.settings import GuardSettings
from kong_plugins.ai_input_guard.view import TextSegment
from kong_plugins.core import blocking

__all__ = ["CLASSIFIER_CATEGORY", "UNVERIFIED", "Verdict", "run_cascade"]

CLASSIFIER_CATEGORY = "suspected_injection"  # a later tier's verdict where no rule said more
UNVERIFIED = "unverified"  # a failed tier's verdict (fail_mode)


@dataclass(frozen=True)
class Verdict:
    """One tier's reported verdict and the action it calls for (block | log | shadow)."""

    detection: Detection
    action: str


class _Run:
    """One request's pass through the cascade: the reports so far and the gate."""

    def __init__(
        self,
        settings: GuardSettings,
        segments: Sequence[TextSegment],
        candidates: list[TextSegment],
        rules: Detection | None,
    ):
        self.settings = settings
        self.segments = segments
        self.candidates = candidates  # what the rules scanned: each tier scores the same texts
        self.rules = rules
        self.gate = rules.score if rules is not None else 0.0
        self.reports: list[Verdict] = []

    def category(self, segment: TextSegment | None, named: str | None = None) -> str:
        if self.rules is not None:
            return self.rules.category
        if named:
            return named
        if segment is not None and segment.role in TOOL_ROLES:
            return "tool_result_injection"
        return CLASSIFIER_CATEGORY

    def hit(self, tier_mode: str, detection: Detection) -> Verdict | None:
        """An injection verdict: decides, or is reported when the tier is in shadow mode."""
        if tier_mode == "shadow":
            self.reports.append(Verdict(detection, "shadow"))
            return None
        return Verdict(detection, self.settings.injection.mode)

    def failed(self, tier: str, tier_mode: str, fail_mode: str, path: str) -> Verdict | None:
        if fail_mode == "closed":
            return self.hit(tier_mode, Detection(1.0, UNVERIFIED, path, tier=tier, source="fail_closed"))
        self.reports.append(Verdict(Detection(0.0, UNVERIFIED, path, tier=tier, source="fail_open"), "log"))
        return None

    def passed(self, tier_mode: str, score: float) -> None:
        if tier_mode != "shadow":
            self.gate = score


def run_cascade(
    settings: GuardSettings, segments: Sequence[TextSegment], tenant: str | None = None
) -> list[Verdict]:
    """The verdicts to record, in order; the last one may decide (an action other than ``shadow`` from
    a tier not in shadow mode). Empty when nothing noticed anything."""
    injection = settings.injection
    candidates = settings.detector.candidates(segments)  # once: joining runs is a pass over the texts
    rules = settings.detector.scan(segments, threshold=injection.threshold, candidates=candidates)
    if rules is not None and rules.score >= injection.threshold:
        return [Verdict(rules, injection.mode)]
    run = _Run(settings, segments, candidates, rules)
    for step in (_classifier, _model, _guardrail):
        decided = step(run, tenant)
        if decided is not None:
            return [*run.reports, decided]
    return run.reports


def _classifier(run: _Run, tenant: str | None) -> Verdict | None:
    classifier = run.settings.classifier
    if not classifier.enabled or run.gate < classifier.uncertain_from or not run.candidates:
        return None
    assert classifier.model is not None
    scores = classifier.model.scores([(s.text, s.role in TOOL_ROLES) for s in run.candidates])
    probability, segment = max(
        zip(scores.probabilities, run.candidates, strict=True), key=lambda pair: pair[0]
    )
    if probability >= classifier.threshold:
        detection = Detection(probability, run.category(segment), segment.path, tier="classifier")
        return run.hit(classifier.mode, detection)
    unread = [s for s, left in zip(run.candidates, scores.unread, strict=True) if left]
    if unread:  # past the classifier's per-request budget: reported, not vouched for as clean
        detection = Detection(0.0, UNVERIFIED, unread[0].path, tier="classifier", source="unscanned")
        run.reports.append(Verdict(detection, "log"))
    run.passed(classifier.mode, probability)
    return None


def _model(run: _Run, tenant: str | None) -> Verdict | None:
    tier = run.settings.model
    if not tier.enabled or run.gate < tier.uncertain_from or not run.candidates:
        return None
    assert tier.model is not None
    candidates = run.candidates
    try:
        # onnxruntime releases the GIL while it runs: on a worker thread (blocking.run) the plugin server's
        # event loop serves other requests meanwhile, on the other core.
        verdict = blocking.run(
            tier.model.score,
            [segment.text for segment in candidates],
            deadline=time.monotonic() + tier.time_budget_s,
            max_windows=tier.max_windows,
            stop_at=tier.threshold,
        )
    except ModelTimeout:
        return run.failed("model", tier.mode, tier.fail_mode, candidates[0].path)
    if verdict is None:
        return None
    segment = candidates[verdict.index]
    if verdict.score >= tier.threshold:
        detection = Detection(
            verdict.score, run.category(segment), segment.path, tier="model", source="model"
        )
        return run.hit(tier.mode, detection)
    run.passed(tier.mode, verdict.score)
    return None


def _guardrail(run: _Run, tenant: str | None) -> Verdict | None:
    settings = run.settings
    tier, client = settings.guardrail, settings.guardrail_client
    if not tier.enabled or client is None or run.gate < tier.uncertain_from or not run.candidates:
        return None
    if tier.adapter == "llm-guard":  # one prompt: the pieces, not their joins (the prompt is the join)
        roles = settings.detector.roles
        pieces = [s for s in run.segments if s.role in roles and s.text]
    else:
        pieces = run.candidates
    try:
        verdicts = client.check([(s.text, s.role) for s in pieces], tenant)
    except GuardrailFailure:
        return run.failed("guardrail", tier.mode, tier.fail_mode, pieces[0].path)
    hits = [(v, s) for v, s in zip(verdicts, pieces, strict=False) if v.injection]
    if hits:
        verdict, segment = max(hits, key=lambda pair: pair[0].score)
        if tier.adapter == "llm-guard":
            segment = pieces[0] if len(pieces) == 1 else TextSegment(_common(pieces), segment.role, "")
        detection = Detection(
            verdict.score,
            run.category(segment, verdict.category),
            segment.path,
            tier="guardrail",
            source=verdict.source,
        )
        return run.hit(tier.mode, detection)
    return None


def _common(pieces: Sequence[TextSegment]) -> str:
    parts = [segment.path.split("/") for segment in pieces]
    common: list[str] = []
    for items in zip(*parts, strict=False):
        if any(item != items[0] for item in items):
            break
        common.append(items[0])
    return "/".join(common)
