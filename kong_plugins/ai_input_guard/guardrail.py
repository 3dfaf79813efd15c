"""Tier 4 of the injection cascade: an external guardrail service, asked over HTTP (``injection.guardrail``).

Two wire formats (``adapter``), both documented in docs/guardrail-service.md:

* ``generic``: ``POST url`` with ``{"texts": [...], "roles": [...], "tenant": id-or-null}``, answered by
  ``{"results": [{"injection": bool, "score": 0-1 (optional), "category": str (optional)}, ...]}``, one result
  per text, in order. Each text is cached on its own, so only texts not seen recently are sent;
* ``llm-guard``: LLM Guard's API (``POST /analyze/prompt`` with ``{"prompt": ...}`` answered by
  ``{"is_valid": bool, "scanners": {name: risk score}, "sanitized_prompt": ...}``): the texts are sent joined
  by blank lines as one prompt, and ``is_valid: false`` is an injection verdict.

Answers are cached (a bounded LRU per plugin instance, ``cache_size`` entries for ``cache_ttl`` seconds)
under a SHA-256 of adapter, URL, role, text and, for ``generic`` (which sends it), the tenant: a service
that judges per tenant never has one tenant's verdict served to another. The text itself is never kept as
a key. Anything but a well-formed 2xx answer - a timeout, a refused connection, a 5xx, an answer larger
than :data:`MAX_ANSWER_BYTES`, JSON of the wrong shape - is a failure, which the cascade resolves per
``fail_mode``; failures are never cached. The API key (``api_key``) is only ever put in the request's
header: log lines name the service by scheme, host, port and path only.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kong_plugins.ai_input_guard.injection_rules import CATEGORIES
from kong_plugins.core.cache import TtlLruCache
from kong_plugins.core.http_post import HttpAnswer, HttpFailure, post_json, safe_target

__all__ = [
    "ADAPTERS",
    "MAX_ANSWER_BYTES",
    "MAX_SENT_CHARS",
    "GuardrailClient",
    "GuardrailFailure",
    "GuardrailSettings",
    "TextVerdict",
]

log = logging.getLogger(__name__)

ADAPTERS = ("generic", "llm-guard")
MAX_ANSWER_BYTES = 256 * 1024
MAX_SENT_CHARS = 262144
"""Characters sent per request. Texts past it (in document order) are not sent: when the service flags
none of those sent, the check fails (``unscanned``) and ``fail_mode`` decides, so an attack placed after
enough padding is never reported as checked and clean."""
_KNOWN_CATEGORIES = frozenset(CATEGORIES) | {"suspected_injection"}


@dataclass(frozen=True)
class GuardrailSettings:
    """``injection.guardrail``, compiled."""

    mode: str
    url: str
    adapter: str
    timeout_s: float
    fail_mode: str
    uncertain_from: float
    cache_size: int
    cache_ttl_s: float
    api_key: str | None = field(default=None, repr=False)  # never in a repr, hence never in a log line
    api_key_header: str = "Authorization"

    @property
    def enabled(self) -> bool:
        return self.mode != "off"

    def headers(self) -> dict[str, str]:
        if not self.api_key:
            return {}
        if self.api_key_header.lower() == "authorization":
            return {"Authorization": f"Bearer {self.api_key}"}
        return {self.api_key_header: self.api_key}


@dataclass(frozen=True)
class TextVerdict:
    """The service's verdict on one text (or on the joined prompt for ``llm-guard``)."""

    injection: bool
    score: float
    category: str | None
    source: str  # service | cache


class GuardrailFailure(Exception):
    """No usable answer: ``reason`` is ``timeout``, ``unreachable``, ``too_large``, ``status_<n>``,
    ``invalid_answer`` or ``unscanned`` (the request's texts exceed :data:`MAX_SENT_CHARS`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


Poster = Callable[..., HttpAnswer]


class GuardrailClient:
    """Built once per plugin instance; ``check`` is thread-safe (the cache has its own lock)."""

    def __init__(self, settings: GuardrailSettings, poster: Poster = post_json) -> None:
        self.settings = settings
        self._post = poster
        self._cache: TtlLruCache[TextVerdict] = TtlLruCache(max(1, settings.cache_size))
        self._target = safe_target(settings.url)

    def check(self, texts: Sequence[tuple[str, str]], tenant: str | None) -> list[TextVerdict]:
        """Verdicts for ``texts`` (``(text, role)`` pairs): one per text for ``generic``, in order (fewer
        when the sent characters' bound left the last ones out and one of those sent was flagged), one
        for the whole prompt for ``llm-guard``. Raises :class:`GuardrailFailure`, also when the bound left
        text unsent and nothing sent was flagged (``unscanned``)."""
        bounded = _bounded(texts)
        if not bounded:
            return []
        if self.settings.adapter == "llm-guard":
            prompt = "\n\n".join(dict.fromkeys(text for text, _ in bounded))
            verdicts = [self._cached(prompt, "prompt", lambda: [self._ask_llm_guard(prompt)])]
        else:
            verdicts = self._generic(bounded, tenant)
        unsent = len(bounded) < len(texts) or any(
            len(cut) < len(text) for (cut, _), (text, _) in zip(bounded, texts, strict=False)
        )
        if unsent and not any(verdict.injection for verdict in verdicts):
            raise self._failure("unscanned")
        return verdicts

    def _key(self, text: str, role: str, tenant: str | None = None) -> str:
        scope = "" if tenant is None else f"tenant:{tenant}"
        material = "\0".join((self.settings.adapter, self.settings.url, scope, role, text))
        return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()

    def _cached(self, text: str, role: str, ask: Callable[[], list[TextVerdict]]) -> TextVerdict:
        key = self._key(text, role)
        if self.settings.cache_size > 0 and (entry := self._cache.get(key)) is not None:
            assert entry.value is not None
            return _from_cache(entry.value)
        verdict = ask()[0]
        self._remember(key, verdict)
        return verdict

    def _remember(self, key: str, verdict: TextVerdict) -> None:
        if self.settings.cache_size > 0:
            self._cache.put(key, verdict, self.settings.cache_ttl_s)

    def _generic(self, texts: list[tuple[str, str]], tenant: str | None) -> list[TextVerdict]:
        verdicts: list[TextVerdict | None] = []
        missing: dict[str, list[int]] = {}  # cache key -> positions (the same text may appear twice)
        order: list[tuple[str, str, str]] = []
        for position, (text, role) in enumerate(texts):
            key = self._key(text, role, tenant)
            entry = self._cache.get(key) if self.settings.cache_size > 0 else None
            if entry is not None and entry.value is not None:
                verdicts.append(_from_cache(entry.value))
                continue
            verdicts.append(None)
            if key not in missing:
                order.append((key, text, role))
            missing.setdefault(key, []).append(position)
        if order:
            payload = {"texts": [t for _, t, _ in order], "roles": [r for _, _, r in order], "tenant": tenant}
            answer = self._call(payload)
            results = answer.get("results") if isinstance(answer, dict) else None
            if not isinstance(results, list) or len(results) != len(order):
                raise GuardrailFailure("invalid_answer")
            for (key, _, _), result in zip(order, results, strict=True):
                verdict = _generic_result(result)
                self._remember(key, verdict)
                for position in missing[key]:
                    verdicts[position] = verdict
        return [verdict for verdict in verdicts if verdict is not None]

    def _ask_llm_guard(self, prompt: str) -> TextVerdict:
        answer = self._call({"prompt": prompt})
        if not isinstance(answer, dict) or not isinstance(answer.get("is_valid"), bool):
            raise GuardrailFailure("invalid_answer")
        scanners = answer.get("scanners")
        scores = [
            min(1.0, max(0.0, float(value)))
            for value in (scanners.values() if isinstance(scanners, dict) else ())
            if isinstance(value, int | float) and not isinstance(value, bool) and value == value
        ]
        injection = not answer["is_valid"]
        score = max(scores, default=1.0 if injection else 0.0)
        return TextVerdict(injection, round(score, 4), None, "service")

    def _call(self, payload: dict[str, Any]) -> Any:
        settings = self.settings
        try:
            answer = self._post(
                settings.url,
                payload,
                headers=settings.headers(),
                timeout_s=settings.timeout_s,
                max_bytes=MAX_ANSWER_BYTES,
            )
        except HttpFailure as exc:
            raise self._failure(exc.reason) from None
        if not 200 <= answer.status < 300:
            raise self._failure(f"status_{answer.status}")
        try:
            return json.loads(answer.body)
        except (ValueError, RecursionError):
            raise self._failure("invalid_answer") from None

    def _failure(self, reason: str) -> GuardrailFailure:
        log.warning(
            "[ai-input-guard] guardrail %s (%s): %s; fail_mode %s",
            self._target,
            self.settings.adapter,
            reason,
            self.settings.fail_mode,
        )
        return GuardrailFailure(reason)


def _from_cache(verdict: TextVerdict) -> TextVerdict:
    return TextVerdict(verdict.injection, verdict.score, verdict.category, "cache")


def _bounded(texts: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The texts in order (repeats kept, so verdicts stay aligned with the caller's list; each distinct
    text is sent once) until :data:`MAX_SENT_CHARS` distinct characters: the text crossing it is cut,
    later ones are left out (the list is then shorter than the caller's)."""
    seen: set[tuple[str, str]] = set()
    kept: list[tuple[str, str]] = []
    budget = MAX_SENT_CHARS
    for text, role in texts:
        if (text, role) in seen:
            kept.append((text, role))
            continue
        if budget <= 0:
            break
        seen.add((text, role))
        cut = text[:budget]
        kept.append((cut, role))
        budget -= len(cut)
    return kept


def _generic_result(result: Any) -> TextVerdict:
    if not isinstance(result, dict) or not isinstance(result.get("injection"), bool):
        raise GuardrailFailure("invalid_answer")
    injection = result["injection"]
    score = result.get("score")
    if score is None:
        score = 1.0 if injection else 0.0
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0.0 <= score <= 1.0:
        raise GuardrailFailure("invalid_answer")
    category = result.get("category")
    # the category reaches the client's 400: only names this project defines pass through
    known = category if isinstance(category, str) and category in _KNOWN_CATEGORIES else None
    return TextVerdict(injection, round(float(score), 4), known, "service")
