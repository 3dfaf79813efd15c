"""The request-context contract between our plugins: what each publishes in ``kong.ctx.shared``.

Kong shares one ``kong.ctx.shared`` table per request between all plugins (Lua and external) and all phases,
the log phase included. Each of our plugins publishes ONE key, holding a flat, JSON-like map, so that later
plugins read a fact in a single PDK round trip and never re-derive it (the body is parsed once, by the input
guard). The full contract, with every field, is in docs/context.md; these dataclasses are its code form.

Values cross msgpack and Lua: only None/bool/int/float/str and lists/maps of them survive (bytes come back as
str, ``{}`` as ``[]``, a None inside a map drops the key). ``to_shared`` produces exactly that.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, TypeVar

CONTRACT_VERSION = 1

# One key per publishing plugin. Prefixed so they can never collide with other plugins' keys.
TENANT_KEY = "ai_guard.tenant"  # ai-tenant-resolver
REQUEST_KEY = "ai_guard.request"  # ai-input-guard
AUTHZ_KEY = "ai_guard.authz"  # ai-action-authz
USAGE_KEY = "ai_guard.usage"  # ai-token-limiter
REDACTION_KEY = "ai_guard.redaction"  # ai-output-redactor
FINDINGS_KEY = "ai_guard.findings"  # any plugin: security findings for the audit log (list of maps)

T = TypeVar("T", bound="SharedFacts")


@dataclass
class SharedFacts:
    """Base of the published facts: conversion to and from what survives kong.ctx.shared."""

    v: int = CONTRACT_VERSION

    def to_shared(self) -> dict[str, Any]:
        """A map that survives msgpack + Lua unchanged (None values are dropped, as Lua would)."""
        return {k: _lua_safe(v) for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_shared(cls: type[T], value: Any) -> T | None:
        """Rebuild from what kong.ctx.shared.get returned; None when absent or not ours."""
        if not isinstance(value, dict):
            return None
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in value.items() if k in known}
        try:
            return cls(**kwargs)
        except TypeError:
            return None


def _lua_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _lua_safe(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_lua_safe(v) for v in value if v is not None]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


@dataclass
class TenantFacts(SharedFacts):
    """Published by ai-tenant-resolver under TENANT_KEY."""

    id: str = ""
    source: str = ""  # jwt | header | path | consumer | api_key
    tier: str | None = None
    region: str | None = None
    status: str = "active"
    allowed_models: list[str] = field(default_factory=list)
    upstream: str | None = None  # residency routing target (Kong upstream name)
    roles: list[str] = field(default_factory=list)  # from the JWT's jwt.roles_claim (ai-action-authz)
    # kong-ai emergency restrict in force: {until_ms, tokens_factor?, tokens_per_minute?, models?}
    emergency: dict[str, Any] | None = None


@dataclass
class RequestFacts(SharedFacts):
    """Published by ai-input-guard under REQUEST_KEY: the parsed body's facts, so nobody parses it again."""

    format: str = ""  # openai-chat | openai-completions | openai-embeddings | anthropic-messages | custom
    model: str | None = None
    stream: bool = False
    max_tokens: int | None = None
    completions: int | None = None  # completions generated and billed: n, or best_of (legacy completions)
    prompt_tokens_estimate: int = 0
    message_count: int = 0
    tool_names: list[str] = field(default_factory=list)
    body_sha256: str = ""
    body_bytes: int = 0
    prompt_simhash: str | None = None  # core/simhash.py of the newest prompt, 16 hex digits (metrics only)


@dataclass
class AuthzFacts(SharedFacts):
    """Published by ai-action-authz under AUTHZ_KEY."""

    decision: str = ""  # allow | deny
    policy_version: str = ""
    action: str = ""  # the action that decided: the denied one, else the last one allowed
    reason: str | None = None  # same as rule (kept for readers of contract v1)
    decision_id: str = ""
    level: str = ""  # endpoint | tenant | action
    rule: str = ""  # the @id of the policies that decided (forbid or permit), or default-deny
    actions: list[dict[str, Any]] = field(default_factory=list)  # {action, resource, decision, rule, level}
    output_decision_id: str | None = None  # response phase: the decision on the tool calls in the output
    output_decision: str | None = None  # allow | block | strip
    output_rule: str | None = None
    tool_calls: int | None = None  # tool calls in the model's output
    tool_calls_denied: int | None = None
    carry: dict[str, Any] | None = None  # the plugin's own bookkeeping from access to response


@dataclass
class UsageFacts(SharedFacts):
    """Published by ai-token-limiter under USAGE_KEY (reservation in access, actuals in response)."""

    reserved_prompt_tokens: int = 0
    reserved_completion_tokens: int = 0
    reserved_cost_usd: float = 0.0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost_usd: float | None = None
    degraded: bool = False  # Redis unreachable: local counters were used
    usage_source: str | None = None  # once settled: reported | counted | estimate | upstream_error


@dataclass
class RedactionFacts(SharedFacts):
    """Published by ai-output-redactor under REDACTION_KEY."""

    redactions: int = 0
    kinds: list[str] = field(default_factory=list)
    schema_valid: bool | None = None
    counts: dict[str, int] | None = None  # redactions per detector (never the values)
    action: str | None = None  # redact | block | pass_unread (what the plugin did with the answer)
    reason: str | None = None  # why it blocked or passed unread: detector | oversize | unreadable | ...
    request_redactions: int | None = None  # redact_request: spans redacted in the request body
    request_counts: dict[str, int] | None = None  # ... per detector
