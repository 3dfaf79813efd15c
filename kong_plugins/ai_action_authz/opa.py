"""An external decision point: OPA's Data API (``POST <url>/v1/data/<path>`` with ``{"input": ...}``).

The input document carries what a Cedar decision sees: the principal, every action of the request (with its
level, resource and, for tool calls, arguments), the request context and attributes. The answer's
``result`` may be a boolean (every action), or ``{"allow": bool, "decisions": [bool per action], "reason":
str}``; an undefined result (``{}``) is a denial. Everything else fails closed: a timeout, a transport
error, a non-200 status, an answer that is not JSON or is larger than 64 KiB, a ``result`` of another type
- each becomes a denial with its own rule (``opa-timeout``, ``opa-unavailable``, ``opa-invalid-answer``),
unless ``fail_open`` says otherwise. Decisions are cached per input for ``cache_ttl`` seconds, bounded.
"""

from __future__ import annotations

import http.client
import json
import logging
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kong_plugins.ai_action_authz.decide import ActionDecision, ActionRequest, Decision, Principal, verdict
from kong_plugins.core import blocking
from kong_plugins.core.cache import TtlLruCache

__all__ = ["MAX_ANSWER_BYTES", "OpaClient", "OpaSettings"]

MAX_ANSWER_BYTES = 65536
TIMEOUT = "opa-timeout"
UNAVAILABLE = "opa-unavailable"
INVALID = "opa-invalid-answer"

log = logging.getLogger("kong_plugins")


@dataclass(frozen=True)
class OpaSettings:
    url: str
    path: str
    timeout_s: float
    cache_ttl_s: float
    cache_size: int
    fail_open: bool = False


class OpaClient:
    """Decides a request's actions with one POST to OPA (or none, from the cache)."""

    def __init__(self, settings: OpaSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        parts = urllib.parse.urlsplit(settings.url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or ""
        self._port = parts.port or (443 if self._https else 80)
        base = parts.path.rstrip("/")
        self._target = f"{base}/v1/data/{urllib.parse.quote(settings.path.strip('/'), safe='/')}"
        self.version = f"opa:{settings.path.strip('/')}"
        # answers keyed by the input document (the resolver's TTL LRU cache, shared in core)
        self._cache: TtlLruCache[tuple[list[bool], str]] | None = (
            TtlLruCache(settings.cache_size, clock=clock) if settings.cache_size > 0 else None
        )
        self._cache_ttl = settings.cache_ttl_s

    def decide(
        self,
        principal: Principal,
        actions: list[ActionRequest],
        context: dict[str, Any],
        attributes: dict[str, str],
    ) -> Decision:
        document = {"input": _input(principal, actions, context, attributes)}
        body = json.dumps(document, sort_keys=True, separators=(",", ":"))
        calls = 0
        cached = self._cache.get(body) if self._cache is not None else None
        answer = cached.value if cached is not None else None
        if answer is None:
            calls = 1
            answer = self._ask(body, len(actions))
            if self._cache is not None and answer[1] not in (TIMEOUT, UNAVAILABLE, INVALID):
                self._cache.put(body, answer, self._cache_ttl)
        allowed, reason = answer
        decisions = tuple(
            ActionDecision(request.action, request.resource, ok, reason, request.level)
            for request, ok in zip(actions, allowed, strict=True)
        )
        return verdict(self.version, list(decisions), calls)

    def _ask(self, body: str, count: int) -> tuple[list[bool], str]:
        try:
            status, raw = blocking.run(self._post, body)  # the HTTP request never holds the event loop
        except TimeoutError:
            return self._failure(count, TIMEOUT, "timed out")
        except (OSError, http.client.HTTPException) as exc:
            return self._failure(count, UNAVAILABLE, str(exc))
        if status != 200:
            return self._failure(count, UNAVAILABLE, f"status {status}")
        if raw is None:
            return self._failure(count, INVALID, f"answer larger than {MAX_ANSWER_BYTES} bytes")
        try:
            answer = json.loads(raw)
        except (ValueError, RecursionError):
            return self._failure(count, INVALID, "answer is not JSON")
        parsed = _result(answer, count)
        if parsed is None:
            return self._failure(count, INVALID, "result is neither a boolean nor {allow, decisions}")
        return parsed

    def _post(self, body: str) -> tuple[int, bytes | None]:
        timeout = self.settings.timeout_s
        connection: http.client.HTTPConnection
        if self._https:
            connection = http.client.HTTPSConnection(self._host, self._port, timeout=timeout)
        else:
            connection = http.client.HTTPConnection(self._host, self._port, timeout=timeout)
        deadline = time.monotonic() + timeout
        try:
            connection.request(
                "POST", self._target, body=body.encode(), headers={"Content-Type": "application/json"}
            )
            response = connection.getresponse()
            chunks, size = [], 0
            while size <= MAX_ANSWER_BYTES:
                if time.monotonic() > deadline:
                    raise TimeoutError
                chunk = response.read1(16384)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            return response.status, (b"".join(chunks) if size <= MAX_ANSWER_BYTES else None)
        finally:
            connection.close()

    def _failure(self, count: int, rule: str, detail: str) -> tuple[list[bool], str]:
        outcome = "allowed (fail_open)" if self.settings.fail_open else "denied"
        log.warning("[ai-action-authz] OPA %s: %s; %s", self._target, detail, outcome)
        return [self.settings.fail_open] * count, rule


def _result(answer: Any, count: int) -> tuple[list[bool], str] | None:
    if not isinstance(answer, dict):
        return None
    if "result" not in answer:
        return [False] * count, "opa-undefined"
    result = answer["result"]
    if isinstance(result, bool):
        return [result] * count, "opa"
    if not isinstance(result, dict) or not isinstance(result.get("allow"), bool):
        return None
    reason = result.get("reason") if isinstance(result.get("reason"), str) else "opa"
    per_action = result.get("decisions")
    if per_action is None:
        return [result["allow"]] * count, reason[:200]
    if not isinstance(per_action, list) or len(per_action) != count:
        return None
    if not all(isinstance(d, bool) for d in per_action):
        return None
    decisions = list(per_action)
    if not result["allow"] and all(decisions):  # "allow: false" is never an allow
        decisions = [False] * count
    return decisions, reason[:200]


def _input(
    principal: Principal, actions: list[ActionRequest], context: dict[str, Any], attributes: dict[str, str]
) -> dict[str, Any]:
    return {
        "principal": {
            **principal.uid(),
            "tenant": principal.tenant,
            "tier": principal.tier,
            "region": principal.region,
            "roles": list(principal.roles),
            "consumer": principal.consumer,
        },
        "actions": [
            {
                "action": request.action,
                "level": request.level,
                "resource": {"type": request.resource_type, "id": request.resource_id},
                "arguments": dict(request.arguments),
            }
            for request in actions
        ],
        "context": context,
        "attributes": attributes,
    }
