"""``ai-action-authz`` handler: reads the published facts, lets Cedar decide, publishes the decision.

The decision is pure (:mod:`.actions`, :mod:`.decide`, :mod:`.policy`, :mod:`.output`); this handler only
does PDK I/O. Round trips per request are tabled in README.md (ai-action-authz): an allowed request costs
**2** in access (``kong.ctx.shared``'s ``ai_guard`` entry: read for the tenant and request facts, written
with the decision), plus one per ``context_sources`` entry, plus one with ``roles_from_consumer_groups``,
plus the body on a route without ai-input-guard; the response phase reads the body (1), then the entry only
when the output has tool calls (or first, for an MCP route's ``tools/list``), and writes only then.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from kong_plugins.ai_action_authz.actions import (
    MAX_TOOLS,
    RequestView,
    bounded_name,
    request_actions,
    request_context,
)
from kong_plugins.ai_action_authz.attributes import extract, repeated_source
from kong_plugins.ai_action_authz.decide import ActionRequest, Decision, Principal
from kong_plugins.ai_action_authz.facts import (
    UnreadableBody,
    group_roles,
    principal_facts,
    read_document,
    view_from_document,
    view_from_facts,
)
from kong_plugins.ai_action_authz.mcp import filter_tool_lists, listed_tools
from kong_plugins.ai_action_authz.output import (
    MAX_TOOL_CALLS,
    Output,
    Uninspectable,
    as_declared,
    parse_output,
)
from kong_plugins.ai_action_authz.schema import NAME, SCHEMA
from kong_plugins.ai_action_authz.settings import AuthzSettings, build_settings
from kong_plugins.core.content_encoding import (
    TOO_LARGE,
    UNSUPPORTED,
    DecodeError,
    decode_body,
    is_identity,
)
from kong_plugins.core.context import (
    AUTHZ,
    REQUEST,
    TENANT,
    AuthzFacts,
    RequestFacts,
    SharedEntry,
    TenantFacts,
)
from kong_plugins.core.encodable import holds_lone_surrogate
from kong_plugins.core.errors import (
    BadRequest,
    Forbidden,
    PayloadTooLarge,
    PluginResponseError,
    ReplaceResponse,
    UnsupportedMediaType,
)
from kong_plugins.core.handler import GuardPlugin, phase
from kong_plugins.core.pdk import Pdk
from kong_plugins.core.priorities import priority_of
from kong_plugins.core.refusal_headers import cleared_upstream_headers
from kong_plugins.core.reply import hand_on
from kong_plugins.core.request_headers import MAX_REQUEST_HEADER_LINES, read_request_headers
from kong_plugins.core.schema import ensure_valid_config

__all__ = ["PRIORITY", "VERSION", "Plugin"]

VERSION = "0.1.0"
PRIORITY = priority_of(NAME)
MAX_PUBLISHED_ACTIONS = 32
STRIPPED_HEADER = "X-AI-Tool-Calls-Stripped"
TOOLS_FILTERED_HEADER = "X-AI-Tools-Filtered"
UNINSPECTABLE = "uninspectable-output"
TOO_MANY_CALLS = "too-many-tool-calls"
TOO_MANY_ACTIONS = "too-many-actions"

log = logging.getLogger("kong_plugins")


class Plugin(GuardPlugin):
    """Authorizes every action a request implies against the active Cedar policy (default deny)."""

    name = NAME
    settings: AuthzSettings

    def compile(self, config: dict[str, Any]) -> AuthzSettings:
        """Validate the config like Kong's schema, then parse and validate the policy against our schema."""
        return build_settings(ensure_valid_config(SCHEMA.config, config), route_id=self.route_id)

    @phase
    def access(self, pdk: Pdk) -> None:
        settings = self.settings
        entry = SharedEntry(pdk)
        tenant = TenantFacts.from_shared(entry.get(TENANT))
        view, attributes = self._read_request(pdk, entry)
        if view.too_many:
            return self._refuse_too_many(entry)
        facts_of_tenant = principal_facts(tenant)
        if settings.roles_from_groups:
            roles = facts_of_tenant["roles"] + group_roles(pdk.call("client.get_consumer_groups"))
            facts_of_tenant["roles"] = tuple(dict.fromkeys(roles))
        principal = Principal(**facts_of_tenant, consumer=self._consumer(pdk))
        actions = request_actions(settings.route_name, view)
        context = request_context(view)
        if holds_lone_surrogate((principal, actions, context, attributes)):
            # a "\\ud800" escape in a model, tool or attribute: no text Cedar (UTF-8) can decide on
            raise BadRequest(log_reason="a value the policy decides on is not valid Unicode (lone surrogate)")
        decision = settings.decide(principal, actions, context, attributes)
        facts = _facts(decision)
        if decision.allowed:
            facts.carry = {
                "principal": _principal_map(principal),
                "context": context,
                "attributes": attributes,
            }
            if view.mcp_list:
                facts.carry["mcp_list"] = True
            if view.tool_names:  # the output's call names are matched to them (output.as_declared)
                facts.carry["tools"] = list(view.tool_names)
        entry.put(AUTHZ, facts.to_shared())
        entry.write()
        if not decision.allowed:
            raise Forbidden(
                extra={"decision_id": decision.id},
                log_reason=f"decision {decision.id}: {decision.action} denied at the {decision.level} level "
                f"by {decision.rule} (policy {decision.policy_version})",
            )

    def _refuse_too_many(self, entry: SharedEntry) -> None:
        """More tools offered, or tools/call items, than one decision covers: refused whole (a cut list would
        let the calls after the cut through undecided)."""
        decision_id = uuid.uuid4().hex
        facts = AuthzFacts(
            decision="deny",
            decision_id=decision_id,
            level="action",
            rule=TOO_MANY_ACTIONS,
            reason=TOO_MANY_ACTIONS,
        )
        entry.put(AUTHZ, facts.to_shared())
        entry.write()
        raise Forbidden(
            extra={"decision_id": decision_id},
            log_reason=f"decision {decision_id}: more than {MAX_TOOLS} tools or tool calls in one request",
        )

    def _read_request(self, pdk: Pdk, entry: SharedEntry) -> tuple[RequestView, dict[str, str]]:
        """The request's facts and attributes, each PDK read made once and only when needed."""
        settings = self.settings
        view: RequestView | None = None
        if not settings.mcp:  # ai-input-guard's facts do not describe JSON-RPC
            facts = RequestFacts.from_shared(entry.get(REQUEST))
            if facts is not None and facts.format:
                view = view_from_facts(facts)
        document: Any = None
        if view is None or settings.body_attributes:
            try:
                document = self._read_document(pdk, entry)
                view = view if view is not None else view_from_document(document, settings.mcp)
            except UnreadableBody as exc:
                raise BadRequest(log_reason=f"request body not decided on: {exc.reason}") from None
        method = str(pdk.call("request.get_method") or "") if settings.read_method else ""
        path = ""
        if settings.read_path or settings.path_attributes:
            path = str(pdk.call("request.get_path") or "")
        if method or path:
            view = RequestView(
                **{**view.__dict__, "method": method, "path": path if settings.read_path else ""}
            )
        if not settings.attributes:
            return view, {}
        query = _as_dict(pdk.call("request.get_query")) if settings.query_attributes else None
        headers = read_request_headers(pdk) if settings.header_attributes else None
        repeated = repeated_source(settings.attributes, query=query, headers=headers)
        if repeated is not None:
            # the policy would decide on one value (or none) while the upstream sees every one of them
            raise BadRequest(log_reason=f"attribute {repeated} sent more than once")
        found = extract(settings.attributes, body=document, query=query, headers=headers, path=path)
        return view, found

    def _read_document(self, pdk: Pdk, entry: SharedEntry) -> Any:
        """The body's JSON document; a body that is not JSON as it is read is decoded first when it has a
        ``Content-Encoding`` (the headers are read only then)."""
        settings = self.settings
        raw = _read_body(pdk, settings.max_body_bytes)
        try:
            document = read_document(raw, mcp=settings.mcp)
        except UnreadableBody:
            document = None
        if document is not None or not raw:
            return document
        decoded = _decoded(pdk, entry, raw, settings.max_body_bytes)
        return read_document(decoded, mcp=settings.mcp)

    @phase
    def response(self, pdk: Pdk) -> None:
        entry = SharedEntry(pdk)
        try:
            self._response(pdk, entry)
        except PluginResponseError as error:
            # A stripped or refused answer is finished by a later suite plugin when one runs (the limiter
            # settles, the redactor redacts it): kong.response.exit here would skip them (core/reply.py).
            if not hand_on(pdk, entry, self.name, PRIORITY, error):
                raise

    def _response(self, pdk: Pdk, entry: SharedEntry) -> None:
        if self.settings.mcp:  # whether the answer is a tools/list is in the decision: read it first
            facts = _allowed(entry)
            if facts is None:
                return
            raw = _as_bytes(pdk.call("service.response.get_raw_body"))
            if _as_dict(facts.carry).get("mcp_list") is True:
                return self._filter_tool_list(entry, pdk, facts, raw)
        else:
            # The answer first: one without tool calls needs no decision, so the entry is read only for
            # an answer that has some or cannot be inspected (an access decision missing then, as before:
            # nothing to authorize against).
            raw = _as_bytes(pdk.call("service.response.get_raw_body"))
        output, decoded = self._output(pdk, raw)
        if output is not None and not output.calls:
            return
        facts = _allowed(entry)
        if facts is None:
            return
        settings = self.settings
        if output is None:
            return self._refuse_output(pdk, entry, facts, None, 0, UNINSPECTABLE)
        principal = _principal_from(facts.carry.get("principal"))
        context = {**_as_dict(facts.carry.get("context")), "phase": "response"}
        attributes = _attributes(facts.carry.get("attributes"))
        calls = as_declared(output.calls[:MAX_TOOL_CALLS], facts.carry.get("tools"))
        actions = [ActionRequest("tool.call", "Tool", call.name, call.arguments) for call in calls]
        decision = settings.decide(principal, actions, context, attributes)
        denied = {call.key for call, d in zip(calls, decision.actions, strict=True) if not d.allowed}
        denied.update(call.key for call in output.calls[MAX_TOOL_CALLS:])
        facts.output_decision_id = decision.id
        facts.output_rule = decision.rule if denied else ",".join(sorted({d.rule for d in decision.actions}))
        facts.tool_calls = len(output.calls)
        facts.tool_calls_denied = len(denied)
        if not denied:
            facts.output_decision = "allow"
            entry.put(AUTHZ, facts.to_shared())
            entry.write()
            return
        if not settings.strip:
            return self._refuse_output(pdk, entry, facts, decision, len(output.calls), decision.rule)
        facts.output_decision = "strip"
        entry.put(AUTHZ, facts.to_shared())
        entry.write()
        status = pdk.call("response.get_status")
        headers: dict[str, str | list[str]] = {STRIPPED_HEADER: str(len(denied))}
        if decoded:
            headers["Content-Encoding"] = []  # the body is now sent decoded
        raise ReplaceResponse(
            status if isinstance(status, int) else 200,
            output.strip(denied),
            headers=headers,
            log_reason=f"decision {decision.id}: {len(denied)} of {len(output.calls)} tool calls stripped "
            f"from the output ({decision.rule})",
        )

    def _filter_tool_list(self, entry: SharedEntry, pdk: Pdk, facts: AuthzFacts, raw: bytes) -> None:
        """An MCP ``tools/list`` answer: only the tools the caller may be offered (``tool.offer``)."""
        settings = self.settings
        limit = settings.max_response_bytes
        if len(raw) > limit:  # uninspectable: never delivered unfiltered
            return self._refuse_output(pdk, entry, facts, None, 0, UNINSPECTABLE)
        try:
            names = listed_tools(raw)
        except Uninspectable:
            return self._refuse_output(pdk, entry, facts, None, 0, UNINSPECTABLE)
        decoded = False
        if names is None:  # not readable as it is: maybe content-coded (read only then, as for the output)
            encoding = pdk.call("service.response.get_header", "Content-Encoding")
            if isinstance(encoding, str) and encoding:
                try:
                    raw, decoded = decode_body(raw, encoding, limit), True
                    names = listed_tools(raw)
                except (DecodeError, Uninspectable):
                    return self._refuse_output(pdk, entry, facts, None, 0, UNINSPECTABLE)
        if not names:
            return
        carry = _as_dict(facts.carry)
        principal = _principal_from(carry.get("principal"))
        context = {**_as_dict(carry.get("context")), "phase": "response"}
        unique = list(dict.fromkeys(bounded_name(name) for name in names))
        actions = [ActionRequest("tool.offer", "Tool", name) for name in unique]
        decision = settings.decide(principal, actions, context, _attributes(carry.get("attributes")))
        permitted = {name for name, d in zip(unique, decision.actions, strict=True) if d.allowed}
        body, removed = filter_tool_lists(raw, lambda name: bounded_name(name) in permitted)
        facts.output_decision_id = decision.id
        facts.output_decision = "strip" if removed else "allow"
        facts.output_rule = decision.rule
        entry.put(AUTHZ, facts.to_shared())
        entry.write()
        if removed:
            status = pdk.call("response.get_status")
            headers: dict[str, str | list[str]] = {TOOLS_FILTERED_HEADER: str(removed)}
            if decoded:
                headers["Content-Encoding"] = []  # the filtered list is sent decoded
            raise ReplaceResponse(
                status if isinstance(status, int) else 200,
                body,
                headers=headers,
                log_reason=f"decision {decision.id}: {removed} tools left out of a tools/list answer",
            )

    def _output(self, pdk: Pdk, raw: bytes) -> tuple[Output | None, bool]:
        """The parsed output, decoding its Content-Encoding (bounded) when the raw bytes are not readable."""
        limit = self.settings.max_response_bytes
        if len(raw) > limit:
            return None, False
        try:
            output = parse_output(raw)
        except Uninspectable:
            return None, False
        if output is not None or not raw:
            return output if raw else Output("openai-json", []), False
        encoding = pdk.call("service.response.get_header", "Content-Encoding")
        if not isinstance(encoding, str) or not encoding:
            return Output("openai-json", []), False  # not a chat answer at all: nothing to authorize
        try:
            decoded = decode_body(raw, encoding, limit)
        except DecodeError:
            return None, False
        try:
            parsed = parse_output(decoded)
        except Uninspectable:
            return None, True
        return (parsed if parsed is not None else Output("openai-json", [])), True

    def _refuse_output(
        self,
        pdk: Pdk,
        entry: SharedEntry,
        facts: AuthzFacts,
        decision: Decision | None,
        calls: int,
        rule: str,
    ) -> None:
        decision_id = decision.id if decision is not None else uuid.uuid4().hex
        facts.output_decision_id = decision_id
        facts.output_decision = "block"
        facts.output_rule = rule
        facts.tool_calls = calls
        entry.put(AUTHZ, facts.to_shared())
        entry.write()
        # Kong keeps the upstream's headers in the response phase: they described the answer this 403
        # replaces (its coding, another tenant's X-Tenant-ID, cookies) and go with it (one more round trip,
        # on this path only)
        upstream = pdk.call("response.get_headers", MAX_REQUEST_HEADER_LINES)
        raise Forbidden(
            extra={"decision_id": decision_id},
            headers={
                **cleared_upstream_headers(upstream if isinstance(upstream, dict) else {}),
                "Content-Encoding": [],
            },
            log_reason=f"decision {decision_id}: model output blocked by {rule}",
        )

    def _consumer(self, pdk: Pdk) -> str | None:
        if not self.settings.read_consumer:
            return None
        consumer = pdk.call("client.get_consumer")
        if not isinstance(consumer, dict):
            return None
        name = consumer.get("username") or consumer.get("custom_id") or consumer.get("id")
        return name if isinstance(name, str) and name else None


def _allowed(entry: SharedEntry) -> AuthzFacts | None:
    """This plugin's access decision when it allowed the request (with its carry), else None."""
    facts = AuthzFacts.from_shared(entry.get(AUTHZ))
    if facts is None or facts.decision != "allow" or not isinstance(facts.carry, dict):
        return None
    return facts


def _read_body(pdk: Pdk, max_bytes: int) -> bytes:
    """The raw body, once, refusing one larger than ``max_bytes`` (never decided on a truncated body)."""
    raw = pdk.call("request.get_raw_body", max_bytes)
    if raw is None:
        raise PayloadTooLarge(log_reason=f"request body larger than max_body_bytes ({max_bytes})")
    body = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else bytes(raw)
    if len(body) > max_bytes:
        raise PayloadTooLarge(log_reason=f"request body larger than max_body_bytes ({max_bytes})")
    return body


def _decoded(pdk: Pdk, entry: SharedEntry, raw: bytes, max_bytes: int) -> bytes:
    """The body with its ``Content-Encoding`` undone, within ``max_bytes`` as decoded: the upstream reads the
    decoded document, so a gzip body must not be decided as one with no model and no tools. A coding this
    plugin cannot undo is refused (415), as is corrupt data (400) or a body larger once decoded (413)."""
    value = read_request_headers(pdk, entry, {"content-encoding"}).get("content-encoding")
    encoding = ",".join(str(v) for v in value) if isinstance(value, list | tuple) else value
    if not isinstance(encoding, str) or is_identity(encoding):
        return raw
    try:
        return decode_body(raw, encoding, max_bytes, strict=True)
    except DecodeError as error:
        reason = f"request body not decided on: {error}"
        if error.reason == TOO_LARGE:
            raise PayloadTooLarge(log_reason=reason) from None
        if error.reason == UNSUPPORTED:
            raise UnsupportedMediaType(log_reason=reason) from None
        raise BadRequest(log_reason=reason) from None


def _principal_map(principal: Principal) -> dict[str, Any]:
    found = {
        "tenant": principal.tenant,
        "tier": principal.tier,
        "region": principal.region,
        "roles": list(principal.roles),
        "groups": list(principal.groups),
    }
    if principal.consumer is not None:
        found["consumer"] = principal.consumer
    return found


def _principal_from(value: Any) -> Principal:
    found = _as_dict(value)

    def text(name: str) -> str:
        item = found.get(name)
        return item if isinstance(item, str) else ""

    def texts(name: str) -> tuple[str, ...]:
        items = found.get(name)
        return tuple(i for i in items if isinstance(i, str)) if isinstance(items, list) else ()

    consumer = found.get("consumer")
    return Principal(
        tenant=text("tenant"),
        tier=text("tier"),
        region=text("region"),
        roles=texts("roles"),
        consumer=consumer if isinstance(consumer, str) else None,
        groups=texts("groups"),
    )


def _attributes(value: Any) -> dict[str, str]:
    return {k: v for k, v in _as_dict(value).items() if isinstance(k, str) and isinstance(v, str)}


def _as_dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    return b""


def _facts(decision: Decision) -> AuthzFacts:
    return AuthzFacts(
        decision="allow" if decision.allowed else "deny",
        policy_version=decision.policy_version,
        action=decision.action,
        reason=decision.rule,
        decision_id=decision.id,
        level=decision.level,
        rule=decision.rule,
        actions=[d.to_shared() for d in decision.actions[:MAX_PUBLISHED_ACTIONS]],
    )
