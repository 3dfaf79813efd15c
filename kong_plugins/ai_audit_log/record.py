"""The inference record: built from Kong's log snapshot and the context contract, never from request content.

Pure: :func:`build_record` takes what the handler read (``kong.log.serialize()`` decoded, the
``kong.ctx.shared`` maps of the other plugins, this plugin's own access facts, the buffered answer when there
was one) and returns a JSON-ready dict whose shape is ``docs/audit-record.schema.json``. Every value that
came from a request or another plugin is bounded (lengths, list sizes), so a hostile request cannot make a
record large. What the record never holds: bodies, headers, query strings, credentials (with
``include_payloads`` on, the prompt's and the answer's text, redacted and capped by :mod:`.payloads`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kong_plugins.core.answer_digest import AnswerDigest, answered_model
from kong_plugins.core.client_ip import ip_group, parse_ip

__all__ = [
    "GENESIS_HASH",
    "RECORD_VERSION",
    "AccessFacts",
    "Answer",
    "Fingerprint",
    "build_record",
    "canonical_json",
    "client_address",
    "upstream_answered",
]

RECORD_VERSION = 1
MAX_TEXT = 256
MAX_FINDINGS = 64
MAX_KINDS = 32
MAX_IDS = 32
_REMAINING_PREFIX = "x-ratelimit-remaining-"
MAX_REMAINING = 16
GENESIS_HASH = "0" * 64
"""``prev_hash`` of a tenant's first record."""


def canonical_json(value: Any) -> str:
    """The one serialisation hashed by the chain and written by every sink (sorted keys, ASCII, compact)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


@dataclass(frozen=True)
class Fingerprint:
    """How bodies are fingerprinted: SHA-256, or HMAC-SHA-256 keyed with ``key`` over the body's SHA-256."""

    algorithm: str = "sha256"
    key: bytes | None = None

    def of_digest(self, sha256_hex: str) -> str | None:
        """The record's hash for a body whose SHA-256 (hex) is known (published by ai-input-guard)."""
        try:
            digest = bytes.fromhex(sha256_hex)
        except ValueError:
            return None
        if len(digest) != 32:
            return None
        if self.algorithm == "hmac-sha256" and self.key is not None:
            return hmac.new(self.key, digest, hashlib.sha256).hexdigest()
        return digest.hex()

    def of_body(self, body: bytes) -> str:
        result = self.of_digest(hashlib.sha256(body).hexdigest())
        assert result is not None
        return result


@dataclass(frozen=True)
class AccessFacts:
    """What this plugin saw in ``access`` (only when ai-input-guard published no hash): the body's SHA-256
    and size. Published in the ``audit`` section of ``ai_guard`` for the log phase."""

    body_sha256: str | None = None
    body_bytes: int | None = None
    model: str | None = None
    prompt: Mapping[str, Any] | None = None  # include_payloads: the redacted, capped prompt (.payloads)

    @classmethod
    def of_body(cls, body: bytes) -> AccessFacts:
        return cls(hashlib.sha256(body).hexdigest(), len(body), answered_model(body))

    def to_shared(self) -> dict[str, Any]:
        pairs = (
            ("v", 1),
            ("body_sha256", self.body_sha256),
            ("body_bytes", self.body_bytes),
            ("model", self.model),
            ("prompt", dict(self.prompt) if self.prompt is not None else None),
        )
        return {k: v for k, v in pairs if v is not None}

    @classmethod
    def from_shared(cls, value: Any) -> AccessFacts:
        if not isinstance(value, Mapping):
            return cls()
        prompt = value.get("prompt")
        return cls(
            _hex64(value.get("body_sha256")),
            _count(value.get("body_bytes")),
            _text(value.get("model")),
            prompt if isinstance(prompt, Mapping) else None,
        )


@dataclass(frozen=True)
class Answer:
    """The answer's body as Kong buffered it (None: not buffered, so not readable in ``log``), or the digest
    of it an earlier plugin handed on (core/answer_digest.py)."""

    body: bytes | None = None
    handed_on: AnswerDigest | None = None

    @property
    def digest(self) -> AnswerDigest | None:
        if self.body is not None:
            return AnswerDigest.of_body(self.body)
        return self.handed_on


def build_record(
    serialized: Mapping[str, Any],
    shared: Mapping[str, Any],
    access: AccessFacts,
    answer: Answer,
    *,
    fingerprint: Fingerprint,
    client_ip_mode: str = "truncated",
    now: dt.datetime | None = None,
    payloads: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One record. ``shared`` is what ``kong.ctx.shared["ai_guard"]`` held (sections ``tenant``...).
    ``payloads`` (``{"prompt": ..., "output": ...}``, already redacted and capped by :mod:`.payloads`) is
    recorded only when given: with ``include_payloads`` off the record has no ``payloads`` field at all."""
    request = _map(serialized.get("request"))
    response = _map(serialized.get("response"))
    latencies = _map(serialized.get("latencies"))
    tenant = _map(shared.get("tenant"))
    facts = _map(shared.get("request"))
    usage = _map(shared.get("usage"))
    status = _count(response.get("status"))
    source = _text(serialized.get("source"))
    started_ms = _count(serialized.get("started_at"))
    when = (
        dt.datetime.fromtimestamp(started_ms / 1000, dt.UTC)
        if started_ms is not None
        else (now or dt.datetime.now(dt.UTC))
    )
    digest = answer.digest
    input_sha = _hex64(facts.get("body_sha256")) or access.body_sha256
    body_bytes = _count(facts.get("body_bytes"))
    if body_bytes is None:
        body_bytes = access.body_bytes
    record: dict[str, Any] = {
        "v": RECORD_VERSION,
        "id": uuid.uuid4().hex,
        "time": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "started_at_ms": started_ms,
        "request_id": _text(request.get("id")),
        "tenant": _text(tenant.get("id")),
        "tenant_source": _text(tenant.get("source")),
        "tier": _text(tenant.get("tier")),
        "region": _text(tenant.get("region")),
        "consumer": _entity(serialized.get("consumer"), ("id", "username", "custom_id")),
        "route": _entity(serialized.get("route"), ("id", "name")),
        "service": _entity(serialized.get("service"), ("id", "name")),
        "client_ip": client_address(serialized.get("client_ip"), client_ip_mode),
        "method": _text(request.get("method")),
        "path": _path(request.get("uri")),
        "status": status,
        "response_source": source,
        "upstream_status": _upstream_status(serialized.get("upstream_status")),
        "model_requested": _text(facts.get("model")) or access.model,
        "model_answered": digest.model if digest is not None else None,
        "stream": facts.get("stream") if isinstance(facts.get("stream"), bool) else None,
        "hash_algorithm": fingerprint.algorithm,
        "input_hash": fingerprint.of_digest(input_sha) if input_sha else None,
        "output_hash": fingerprint.of_digest(digest.sha256) if digest is not None else None,
        "request_body_bytes": body_bytes,
        "response_body_bytes": digest.size if digest is not None else None,
        "request_bytes": _count(request.get("size")),
        "response_bytes": _count(response.get("size")),
        "latency_ms": {
            "kong": _latency(latencies.get("kong")),
            "upstream": _latency(latencies.get("proxy")),
            "total": _latency(latencies.get("request")),
        },
        "usage": _usage(usage),
        "limiter": _limiter(usage, status, source, response.get("headers")),
        "authz": _authz(shared.get("authz")),
        "findings": _findings(shared.get("findings")),
        "redaction": _redaction(shared.get("redaction")),
    }
    if payloads is not None:
        record["payloads"] = {"prompt": payloads.get("prompt"), "output": payloads.get("output")}
    return record


def client_address(value: Any, mode: str) -> str | None:
    """The client address as configured: ``full``, ``truncated`` (IPv4 /24, IPv6 /48) or ``omit``."""
    address = None if mode == "omit" else parse_ip(value)
    if address is None:
        return None
    if mode == "full":
        return str(address)
    return ip_group(str(address), 24, 48)


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any, limit: int = MAX_TEXT) -> str | None:
    if isinstance(value, str) and value:
        return value[:limit]
    return None


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return int(value) if value >= 0 else None


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _hex64(value: Any) -> str | None:
    if isinstance(value, str) and len(value) == 64:
        try:
            bytes.fromhex(value)
        except ValueError:
            return None
        return value.lower()
    return None


def _latency(value: Any) -> int | None:
    # Kong reports -1 for "did not happen" (no upstream); the record says null.
    number = _number(value)
    return int(number) if number is not None and number >= 0 else None


def _path(uri: Any) -> str | None:
    """The path without its query string (queries can carry secrets: never recorded)."""
    if not isinstance(uri, str) or not uri:
        return None
    return uri.split("?", 1)[0][:1024]


def upstream_answered(serialized: Mapping[str, Any]) -> bool:
    """Whether an upstream answered this request (its status is in the snapshot)."""
    return _upstream_status(serialized.get("upstream_status")) is not None


def _upstream_status(value: Any) -> int | None:
    # serialize() gives "" when no upstream answered, a number, or "502, 200" after retries (keep the last).
    if isinstance(value, str):
        last = value.rsplit(",", 1)[-1].strip()
        return int(last) if last.isdigit() and len(last) == 3 else None
    return _count(value)


def _entity(value: Any, names: tuple[str, ...]) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        return None
    entity = {name: _text(value.get(name)) for name in names}
    entity = {name: item for name, item in entity.items() if item is not None}
    return entity or None


def _usage(usage: Mapping[str, Any]) -> dict[str, Any] | None:
    if not usage:
        return None
    result = {
        name: _number(usage.get(name))
        for name in (
            "prompt_tokens",
            "completion_tokens",
            "cost_usd",
            "reserved_prompt_tokens",
            "reserved_completion_tokens",
            "reserved_cost_usd",
        )
    }
    result["usage_source"] = _text(usage.get("usage_source"), 32)
    result["degraded"] = usage.get("degraded") if isinstance(usage.get("degraded"), bool) else None
    return result


def _remaining(headers: Any) -> dict[str, float | int] | None:
    """The limiter's ``X-RateLimit-Remaining-<limit>`` headers (Kong's names), as numbers per limit."""
    if not isinstance(headers, Mapping):
        return None
    remaining: dict[str, float | int] = {}
    for key, value in headers.items():
        if not isinstance(key, str) or not key.lower().startswith(_REMAINING_PREFIX):
            continue
        first = value[0] if isinstance(value, list) and value else value
        try:
            number = float(first) if isinstance(first, str) and len(first) <= 32 else None
        except ValueError:
            number = None
        if number is None or not math.isfinite(number) or len(remaining) >= MAX_REMAINING:
            continue
        remaining[key.lower()[len(_REMAINING_PREFIX) :][:64]] = int(number) if number.is_integer() else number
    return remaining or None


def _limiter(
    usage: Mapping[str, Any], status: int | None, source: str | None, headers: Any
) -> dict[str, Any] | None:
    """What the token limiter decided: ``refused`` (Kong's own 429), ``allowed`` (a reservation was made)."""
    if status == 429 and source == "kong":
        outcome = "refused"
    elif usage:
        outcome = "allowed"
    else:
        return None
    return {"outcome": outcome, "remaining": _remaining(headers)}


def _authz(value: Any) -> dict[str, Any] | None:
    authz = _map(value)
    if not authz:
        return None
    actions = authz.get("actions") if isinstance(authz.get("actions"), list) else []
    verdicts = [
        {name: _text(item.get(name), 128) for name in ("action", "resource", "decision", "rule", "level")}
        for item in actions[: MAX_IDS * 4]
        if isinstance(item, Mapping)
    ][:MAX_IDS]
    record = {
        "decision": _text(authz.get("decision"), 32),
        "decision_id": _text(authz.get("decision_id"), 64),
        "policy_version": _text(authz.get("policy_version"), 128),
        "level": _text(authz.get("level"), 32),
        "action": _text(authz.get("action")),
        "rule": _text(authz.get("rule")) or _text(authz.get("reason")),
        "actions": verdicts,
        "tool_calls": _count(authz.get("tool_calls")),
        "tool_calls_denied": _count(authz.get("tool_calls_denied")),
        "tool_calls_stripped": _count(authz.get("tool_calls_stripped")),
    }
    return _with_output_decision(record, authz)


#: the response phase's ``output_decision`` as the record's ``decision``: a blocked output is the 403 the
#: client got (``deny``), a stripped one the answer it got without some calls (``strip``)
_OUTPUT_DECISIONS = {"block": "deny", "strip": "strip"}


def _with_output_decision(record: dict[str, Any], authz: Mapping[str, Any]) -> dict[str, Any]:
    """The decision the client saw: the response phase's when it refused or stripped the model's output
    (its decision id is the one in the 403 body, its rule the one that denied), else the access decision."""
    decision = _OUTPUT_DECISIONS.get(_text(authz.get("output_decision"), 32) or "")
    if decision is None:
        return record
    record["decision"] = decision
    record["decision_id"] = _text(authz.get("output_decision_id"), 64) or record["decision_id"]
    record["rule"] = _text(authz.get("output_rule")) or record["rule"]
    record["action"] = "tool.call"
    if decision == "strip":
        record["tool_calls_stripped"] = _count(authz.get("tool_calls_denied"))
    return record


def _texts(values: list[Any], most: int, limit: int) -> list[str]:
    """The strings of ``values`` (others skipped), at most ``most``, each cut at ``limit`` characters."""
    result: list[str] = []
    for item in values[: most * 4]:
        if len(result) >= most:
            break
        if text := _text(item, limit):
            result.append(text)
    return result


def _findings(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    result: list[dict[str, Any]] = []
    for item in value[: MAX_FINDINGS * 4]:
        if not isinstance(item, Mapping):
            continue
        if len(result) >= MAX_FINDINGS:
            break
        finding = {
            "plugin": _text(item.get("plugin"), 64),
            "check": _text(item.get("check"), 64),
            "category": _text(item.get("category"), 64),
            "score": _number(item.get("score")),
            "action": _text(item.get("action"), 32),
            "tier": _text(item.get("tier"), 64),
        }
        if source := _text(item.get("source"), 32):  # ai-input-guard's model/guardrail tiers
            finding["source"] = source
        result.append(finding)
    return result


def _counts(value: Any) -> dict[str, int] | None:
    """A bounded ``{detector: count}`` map (names cut at 64 characters, at most 32 of them)."""
    counts: dict[str, int] = {}
    if isinstance(value, Mapping):
        for name, item in list(value.items())[: MAX_KINDS * 4]:
            number = _count(item)
            if isinstance(name, str) and name and number is not None and len(counts) < MAX_KINDS:
                counts[name[:64]] = number
    return counts or None


def _redaction(value: Any) -> dict[str, Any] | None:
    redaction = _map(value)
    if not redaction:
        return None
    kinds = redaction.get("kinds") if isinstance(redaction.get("kinds"), list) else []
    valid = redaction.get("schema_valid")
    return {
        "redactions": _count(redaction.get("redactions")),
        "kinds": _texts(kinds, MAX_KINDS, 64),
        "counts": _counts(redaction.get("counts")),
        "request_redactions": _count(redaction.get("request_redactions")),
        "request_counts": _counts(redaction.get("request_counts")),
        "action": _text(redaction.get("action"), 32),
        "reason": _text(redaction.get("reason"), 64),
        "schema_valid": valid if isinstance(valid, bool) else None,
    }
