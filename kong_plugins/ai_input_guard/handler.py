"""``ai-input-guard`` handler: reads the request once, lets the checks decide, publishes the facts.

The checks themselves are pure (:mod:`.content_type`, :mod:`.body`, :mod:`.inspection` and the modules it
calls); this handler only does PDK I/O. kong-pdk makes every ``kong.*`` call one round trip to Kong, so each
is counted. In ``access``:

* ``kong.ctx.shared.get("ai_guard")``: always, first (the context contract's one entry: the tenant's
  ``allowed_models``, narrowed by a ``kong-ai emergency restrict --models`` in force - the context is the
  only source of tenant facts - and the request headers ai-tenant-resolver handed on);
* ``kong.request.get_headers(1000)``: only when no earlier plugin handed the headers on (``Content-Type``,
  ``Content-Length``, ``Transfer-Encoding``): all of them, not Kong's default first 100 lines; 431 from
  1000 lines (:mod:`kong_plugins.core.request_headers`). Nothing about the tenant is taken from headers:
  an ``X-Tenant-ID`` pushed past a limit, or sent by a client on a route without the resolver, decides
  nothing;
* ``kong.request.get_raw_body(max_body_bytes)``: unless ``Content-Length: 0``. The size argument (Kong 3.8+)
  makes Kong read bodies that nginx buffered to a temp file (above ``client_body_buffer_size``) instead of
  throwing; the ``Content-Length`` check before it guarantees the file is never larger than the argument
  (a larger one would also make Kong throw). Chunked bodies have no length: one larger than both the buffer
  and ``max_body_bytes`` ends with Kong's 500 - set ``nginx_http_client_max_body_size`` to refuse them in
  nginx first;
* ``kong.service.request.set_raw_body(body)``: only when ``max_tokens`` was clamped;
* ``kong.ctx.shared.set("ai_guard", entry)``: every request that passes (one call: section ``request``, and
  ``findings`` when a detector in ``log`` mode reported), and refused requests (``findings``).

So a request that passes costs **3** round trips (entry, body, entry) after ai-tenant-resolver, **4** on a
route without it (the headers too), **2**/**3** without a body on a route that allows that; plus 1 when
``max_tokens`` is clamped. A refused request costs its reads, then, without a tenant,
``kong.client.get_consumer()`` (to choose the error format), the entry (with the finding) and
``kong.response.exit``/``error``: e.g. **5** for a 415 from an anonymous caller, **4** for an injection
blocked for a tenant's request.

Errors: callers the chain authenticated (a resolved tenant, or a Kong consumer) get
``{"message": "Invalid request", "errors": [{"path", "error"}]}``; others only Kong's default message for the
status (``{"message": "Bad request", "request_id": ...}``).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

from kong_plugins.ai_input_guard.body import (
    decode_content,
    header_value,
    inspect_head,
    require_body_size,
    require_declared_size,
)
from kong_plugins.ai_input_guard.inspection import Finding, empty_body_facts, inspect_body
from kong_plugins.ai_input_guard.models import ModelList
from kong_plugins.ai_input_guard.rejection import MAX_ERRORS, Rejection
from kong_plugins.ai_input_guard.schema import NAME, SCHEMA
from kong_plugins.ai_input_guard.settings import GuardSettings, build_settings
from kong_plugins.core.context import (
    CONTRACT_VERSION,
    FINDINGS,
    REQUEST,
    TENANT,
    RequestFacts,
    SharedEntry,
    TenantFacts,
)
from kong_plugins.core.errors import (
    BadRequest,
    Forbidden,
    PayloadTooLarge,
    PluginResponseError,
    ServiceUnavailable,
    UnsupportedMediaType,
)
from kong_plugins.core.handler import GuardPlugin, phase
from kong_plugins.core.pdk import Pdk
from kong_plugins.core.priorities import priority_of
from kong_plugins.core.request_headers import drop_handed_on_headers, read_request_headers
from kong_plugins.core.schema import ensure_valid_config

__all__ = ["PRIORITY", "VERSION", "Plugin"]

VERSION = "0.1.0"
PRIORITY = priority_of(NAME)
MAX_FINDINGS = 64  # the findings list is bounded whatever earlier plugins wrote

_ERRORS: dict[int, type[PluginResponseError]] = {
    400: BadRequest,
    403: Forbidden,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    503: ServiceUnavailable,  # a guardrail tier failing closed: not the client's fault
}


#: The request headers this plugin reads (all of them handed on by ai-tenant-resolver when it ran).
HEADERS = ("content-type", "content-length", "transfer-encoding", "content-encoding")


class _TenantContext:
    """The tenant facts ai-tenant-resolver published (the entry's ``tenant`` section)."""

    def __init__(self, entry: SharedEntry) -> None:
        self._entry = entry
        self._read = False
        self._facts: TenantFacts | None = None

    def facts(self) -> TenantFacts | None:
        if not self._read:
            self._read = True
            facts = TenantFacts.from_shared(self._entry.get(TENANT))
            self._facts = facts if facts is not None and facts.id else None
        return self._facts

    def allowed_models(self) -> ModelList | None:
        facts = self.facts()
        if facts is None:
            return None
        models = facts.allowed_models
        allowed = ModelList.of(models if isinstance(models, list) else [])
        emergency = emergency_models(facts.emergency)
        return allowed.narrowed(emergency) if emergency is not None else allowed


def emergency_models(emergency: Any) -> ModelList | None:
    """The models a ``kong-ai emergency restrict --models`` in force leaves the tenant (ai-tenant-resolver
    publishes it in ``ai_guard.tenant``; its deadline is checked again here, against this node's clock)."""
    if not isinstance(emergency, dict):
        return None
    models, until_ms = emergency.get("models"), emergency.get("until_ms")
    if not isinstance(models, list) or not models:
        return None
    if isinstance(until_ms, int | float) and time.time() * 1000 >= until_ms:
        return None
    return ModelList.of(models)


class Plugin(GuardPlugin):
    """Validates the request body once for the whole chain and publishes its facts."""

    name = NAME
    settings: GuardSettings

    def compile(self, config: dict[str, Any]) -> GuardSettings:
        """Validate the config like Kong's schema, then compile everything requests need."""
        return build_settings(ensure_valid_config(SCHEMA.config, config))

    @phase
    def access(self, pdk: Pdk) -> None:
        entry = SharedEntry(pdk)
        entry.read()  # first: it may hold the headers, and the tenant is needed for most bodies
        tenant = _TenantContext(entry)
        read = _BodyRead()
        try:
            headers = read_request_headers(pdk, entry, HEADERS)
            facts, findings, rewritten = self._check(pdk, headers, tenant, read)
        except Rejection as rejection:
            raise self._refusal(pdk, rejection, tenant, entry, read) from None
        if rewritten is not None:
            pdk.call("service.request.set_raw_body", rewritten.decode("utf-8"))
            if read.encoded:  # the new body is plain JSON: the upstream must not decode it
                pdk.call("service.request.clear_header", "Content-Encoding")
            drop_handed_on_headers(entry)  # Kong set a new Content-Length
        if findings:
            _append_findings(entry, findings)
        entry.put(REQUEST, facts.to_shared())
        entry.write()

    def _check(
        self, pdk: Pdk, headers: dict[str, Any], tenant: _TenantContext, read: _BodyRead
    ) -> tuple[RequestFacts, list[Finding], bytes | None]:
        settings = self.settings
        head = inspect_head(headers, settings.limits)
        content_type = header_value(headers, "content-type")
        if head.has_body:
            settings.media_types.check(content_type)  # 1. content type
        require_declared_size(head, settings.limits)  # 2. size, before reading
        raw = b""
        if head.declared_length != 0:
            raw = _as_bytes(pdk.call("request.get_raw_body", settings.limits.max_body_bytes))
            read.raw = raw
            if raw and not head.has_body:
                settings.media_types.check(content_type)
        require_body_size(raw, settings.limits, required=settings.body_required)
        if not raw:
            return empty_body_facts(settings), [], None
        body = decode_content(raw, header_value(headers, "content-encoding"), settings.limits)
        if body is not raw:
            read.raw, read.encoded = body, True  # the hash and size of a refusal are the decoded body's too
        tenant_models = tenant.allowed_models() if settings.tenant_models else None
        tenant_id = None
        if settings.guardrail_client is not None:  # the guardrail service is told whose request it judges
            facts = tenant.facts()
            tenant_id = facts.id if facts is not None else None
        inspection = inspect_body(settings, body, tenant_models, tenant_id)  # 3-9
        return inspection.facts, inspection.findings, inspection.rewritten_body

    def _refusal(
        self, pdk: Pdk, rejection: Rejection, tenant: _TenantContext, entry: SharedEntry, read: _BodyRead
    ) -> PluginResponseError:
        """The answer to a refused request, after recording it; the format depends on who is asking."""
        authenticated = tenant.facts() is not None or pdk.call("client.get_consumer") is not None
        score = rejection.score if rejection.score is not None else 1.0
        finding = Finding(
            rejection.check,
            rejection.category,
            score,
            "block",
            rejection.tier,
            rejection.source,
            rejection.prompt_simhash,
        )
        _append_findings(entry, [finding])
        if read.raw is not None:  # the refused body's fingerprint, for the audit log (no extra round trip)
            entry.put(REQUEST, refused_request_facts(read.raw))
        entry.write()
        error_class = _ERRORS.get(rejection.status, BadRequest)
        if authenticated:
            errors = [problem.to_json() for problem in rejection.problems[:MAX_ERRORS]]
            message = "Invalid request" if rejection.status < 500 else error_class.default_message
            return error_class(message, extra={"errors": errors}, log_reason=str(rejection))
        return error_class(log_reason=str(rejection))


@dataclass
class _BodyRead:
    """The body as this handler read it (None until read): a refusal after the read still records its
    SHA-256 and size."""

    raw: bytes | None = None
    encoded: bool = False  # sent with a Content-Encoding (what the checks read was decoded)


def refused_request_facts(raw: bytes) -> dict[str, Any]:
    """The ``request`` section of a request refused after its body was read: only ``body_sha256`` and
    ``body_bytes`` (what ai-audit-log records as ``input_hash``/``request_body_bytes``, so that a blocked
    attack is tied to its exact input). No plugin that reads the section's other facts runs after a
    refusal, and none of them is stated for a body that was refused."""
    return {"v": CONTRACT_VERSION, "body_sha256": hashlib.sha256(raw).hexdigest(), "body_bytes": len(raw)}


def _append_findings(entry: SharedEntry, findings: list[Finding]) -> None:
    """Append to the entry's ``findings`` (the contract's shared list; written with the entry)."""
    existing = entry.get(FINDINGS)
    items = [item for item in existing if isinstance(item, dict)] if isinstance(existing, list) else []
    items.extend(finding.to_shared(NAME) for finding in findings)
    entry.put(FINDINGS, items[-MAX_FINDINGS:])


def _as_bytes(value: Any) -> bytes:
    """``get_raw_body`` answers with bytes (msgpack bin); a str only comes from a server that decoded it."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    return b""
