"""The request-context contract between our plugins: what each publishes in ``kong.ctx.shared``.

Kong shares one ``kong.ctx.shared`` table per request between all plugins (Lua and external) and all phases,
the log phase included, and an external plugin reads or writes it ONE key per PDK round trip. So our plugins
share ONE key, ``ai_guard`` (contract v2): a map of sections, one per publishing plugin (``tenant``,
``request``, ``authz``...), plus facts an earlier plugin already read from Kong and hands on (``kong``: the
request headers; ``answer``: the upstream's status). A handler reads it at most once and writes it at most
once (:class:`SharedEntry`), so a plugin that both reads and publishes costs two round trips whatever it
reads, and the audit log reads everything in one. The full contract is in docs/context.md; the dataclasses
below are the sections' code form.

Values cross msgpack and Lua: only None/bool/int/float/str and lists/maps of them survive (bytes come back as
str, ``{}`` as ``[]``, a None inside a map drops the key). ``to_shared`` produces exactly that.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, TypeVar

CONTRACT_VERSION = 2

#: The one kong.ctx.shared key of the contract (the fail-closed marks ``ai_guard.done.*`` stay keys of their
#: own: the Lua guards read them, core/completion.py).
ENTRY_KEY = "ai_guard"

# Sections of the entry: one per publishing plugin ...
TENANT = "tenant"  # ai-tenant-resolver
REQUEST = "request"  # ai-input-guard
AUTHZ = "authz"  # ai-action-authz
USAGE = "usage"  # ai-token-limiter(-stream)
REDACTION = "redaction"  # ai-output-redactor
FINDINGS = "findings"  # any plugin: security findings for the audit log (list of maps)
AUDIT = "audit"  # ai-audit-log (access -> log)
# ... and facts an earlier plugin read from Kong, handed on so that later plugins do not read them again
KONG = "kong"  # {"headers": the request headers as kong.request.get_headers(1000) answers after that plugin}
ANSWER = "answer"  # {"status": kong.service.response.get_status()} (response phase)
REPLY = "reply"  # response phase: an answer a plugin replaced, for a later one to finish (core/reply.py)
FINISHER = "finisher"  # "ai-fail-closed-response" when that Lua guard is on the route (set in its access)


class SharedEntry:
    """``kong.ctx.shared["ai_guard"]`` for one handler: read at most once (lazily), written at most once.

    Kong's ``kong.ctx.shared.get/set`` move one key per round trip and store the value a plugin sends as it
    is, so a section is changed by read-modify-write of the whole entry: :meth:`put` reads first (unless the
    handler is known to run before every other writer, ``fresh``), :meth:`write` sends the entry back in one
    ``set``. Readers treat a missing section as "that plugin is not on this route".
    """

    __slots__ = ("_dirty", "_pdk", "_value")

    def __init__(self, pdk: Any, *, fresh: bool = False) -> None:
        self._pdk = pdk
        self._value: dict[str, Any] | None = {} if fresh else None
        self._dirty = False

    @property
    def loaded(self) -> bool:
        """Whether the entry has been read (or started fresh): reading a section costs no round trip then."""
        return self._value is not None

    def read(self) -> dict[str, Any]:
        """The whole entry (one ``kong.ctx.shared.get`` the first time, none after)."""
        if self._value is None:
            value = self._pdk.call("ctx.shared.get", ENTRY_KEY)
            self._value = dict(value) if isinstance(value, dict) else {}
        return self._value

    def get(self, section: str) -> Any:
        """One section as Kong gave it back (None when absent)."""
        return self.read().get(section)

    def put(self, section: str, value: Any) -> None:
        """Replace one section; sent by the next :meth:`write`."""
        self.read()[section] = value
        self._dirty = True

    def write(self) -> None:
        """Send the entry back (one ``kong.ctx.shared.set``) when a section changed."""
        if self._dirty and self._value is not None:
            self._value["v"] = CONTRACT_VERSION
            self._pdk.call("ctx.shared.set", ENTRY_KEY, _lua_safe(self._value))
            self._dirty = False


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
    """Published by ai-tenant-resolver in the TENANT section."""

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
    # the API key's public display prefix (kag_ + 4 characters, as `kong-ai keys list` shows) when the
    # api_key source named the tenant: never the key or its hash (per-key probing metrics)
    key_prefix: str | None = None


@dataclass
class RequestFacts(SharedFacts):
    """Published by ai-input-guard in the REQUEST section: the parsed body's facts, parsed once."""

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
    """Published by ai-action-authz in the AUTHZ section."""

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
    """Published by ai-token-limiter in the USAGE section (reservation in access, actuals in response)."""

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
    """Published by ai-output-redactor in the REDACTION section."""

    redactions: int = 0
    kinds: list[str] = field(default_factory=list)
    schema_valid: bool | None = None
    counts: dict[str, int] | None = None  # redactions per detector (never the values)
    action: str | None = None  # redact | block | pass_unread (what the plugin did with the answer)
    reason: str | None = None  # why it blocked or passed unread: detector | oversize | unreadable | ...
    request_redactions: int | None = None  # redact_request: spans redacted in the request body
    request_counts: dict[str, int] | None = None  # ... per detector
