"""``ai-output-redactor`` handler: read the buffered answer, let :mod:`.answer` decide, send the result.

PDK calls in ``response`` (each ``kong.*`` call is a round trip, except the terminal ``exit``/``error``,
which ends the event in place of ``ret``; the README's Cost line has the totals):

* ``kong.response.get_headers(1000)``: always (Content-Type, Content-Encoding, the tenant header, Vary, the
  processing time; ``kong.service.response.get_headers()`` is empty for external plugins after buffering);
* ``kong.ctx.shared.get("ai_guard")``: always, first: section ``reply``, an answer an earlier plugin
  replaced (ai-action-authz's stripped or refused one) and handed on for this one to redact and send
  (core/reply.py); section ``answer``, the status ai-token-limiter handed on; section ``tenant`` to check the
  tenant header against;
* ``kong.service.response.get_status()``: unless handed on (the status of the ``exit``; and Kong's own
  502/503/504 page for a failed upstream cannot be read: ``get_raw_body`` would throw, kong-protocol.md
  section 9);
* ``kong.response.get_source()``: only for a 502/503/504, to tell Kong's own error page (``"error"``: its
  body cannot be read) from an upstream that answered that status itself (``"service"``: its body is read
  and redacted like any other);
* ``kong.service.response.get_raw_body()``: unless the status is Kong's own 502/503/504 page;
* ``kong.ctx.shared.set("ai_guard", entry)`` (section ``redaction``): only when something was redacted,
  blocked or passed unread (the entry read first when it was not yet);
* ``kong.response.exit(status, body, headers)`` when the body changed, else
  ``kong.response.set_headers(headers)``; ``kong.response.error(502, ...)`` when the answer is blocked.

So a clean answer costs **4** calls (headers, entry, body, set_headers) after ai-token-limiter handed the
status on, 5 without it; a redacted one the entry written back and the ``exit`` in place of set_headers;
with ``output_schema`` the facts are written for every answer.

In ``access``: ``kong.ctx.shared.set("ai_guard.finisher", "ai-output-redactor")`` always (the announcement
that an answer replaced before this plugin is left for it to redact and send, core/reply.py); with
``redact_request`` also ``kong.request.get_header("Content-Length")``, ``kong.request.get_raw_body
(max_body_bytes)``, and when something was redacted ``kong.service.request.set_raw_body`` and the entry (read
and written): 1, 3 or 6.
"""

from __future__ import annotations

import logging
from typing import Any

from kong_plugins.ai_output_redactor.answer import BLOCKED_MESSAGE, Outcome, process_answer
from kong_plugins.ai_output_redactor.request import REQUEST_BLOCKED_MESSAGE, redact_request
from kong_plugins.ai_output_redactor.schema import NAME, SCHEMA
from kong_plugins.ai_output_redactor.settings import RedactorSettings, build_settings
from kong_plugins.core.context import ANSWER, REDACTION, TENANT, RedactionFacts, SharedEntry, TenantFacts
from kong_plugins.core.encodable import to_utf8
from kong_plugins.core.errors import (
    BadGateway,
    BadRequest,
    PayloadTooLarge,
    PluginResponseError,
    ReplaceResponse,
)
from kong_plugins.core.handler import GuardPlugin, phase
from kong_plugins.core.pdk import Pdk
from kong_plugins.core.priorities import priority_of
from kong_plugins.core.refusal_headers import cleared_upstream_headers
from kong_plugins.core.reply import Reply, announce, hand_on, merge_into_pending, pending
from kong_plugins.core.request_headers import drop_handed_on_headers
from kong_plugins.core.schema import ensure_valid_config

__all__ = ["PRIORITY", "VERSION", "Plugin"]

VERSION = "0.1.0"
PRIORITY = priority_of(NAME)
log = logging.getLogger("kong_plugins")

#: Kong's maximum: an upstream cannot push its X-Tenant-ID past the default first 100 lines unseen.
MAX_HEADERS = 1000
#: Statuses Kong's error handler answers for a failed upstream: the captured body is then unreadable.
KONG_ERROR_STATUSES = frozenset({502, 503, 504})


class _Tenant:
    """The tenant ai-tenant-resolver published (the entry's ``tenant`` section), read on demand."""

    def __init__(self, entry: SharedEntry) -> None:
        self._entry = entry
        self._read = False
        self._id: str | None = None

    def resolved(self) -> str | None:
        if not self._read:
            self._read = True
            facts = TenantFacts.from_shared(self._entry.get(TENANT))
            self._id = facts.id if facts is not None and isinstance(facts.id, str) and facts.id else None
        return self._id

    def for_hash(self) -> str:
        return self.resolved() or ""


class Plugin(GuardPlugin):
    """Redacts PII and secrets from model answers and sets the answer's security headers."""

    name = NAME
    settings: RedactorSettings

    def __init__(self, config: dict[str, Any] | None) -> None:
        super().__init__(config)
        self._stream_warned = False

    def compile(self, config: dict[str, Any]) -> RedactorSettings:
        """Validate the config like Kong's schema, then compile everything requests need."""
        return build_settings(ensure_valid_config(SCHEMA.config, config))

    @phase
    def response(self, pdk: Pdk) -> None:
        entry = SharedEntry(pdk)
        try:
            self._response(pdk, entry)
        except PluginResponseError as error:
            # ai-fail-closed-response, when on the route, sends the answer after its marks check
            if not hand_on(pdk, entry, self.name, PRIORITY, error):
                raise

    def _response(self, pdk: Pdk, entry: SharedEntry) -> None:
        headers = pdk.call("response.get_headers", MAX_HEADERS)
        headers = headers if isinstance(headers, dict) else {}
        # Read always: an earlier plugin may have replaced the answer and handed it on (core/reply.py);
        # the status ai-token-limiter handed on then saves kong.service.response.get_status.
        reply = pending(entry)
        if reply is not None:
            return self._finish_reply(pdk, entry, reply, headers)
        status = _handed_on_status(entry)
        if status is None:
            status = pdk.call("service.response.get_status")
        readable = isinstance(status, int)
        if status in KONG_ERROR_STATUSES:  # Kong's own error page ("error"), or the upstream's answer?
            readable = pdk.call("response.get_source") == "service"
        raw = _as_bytes(pdk.call("service.response.get_raw_body")) if readable else b""
        tenant = _Tenant(entry)
        outcome = process_answer(self.settings, headers, raw, tenant.for_hash, tenant.resolved)
        if outcome.media == "sse":
            self._warn_stream()
        self._publish(entry, outcome)
        self._refuse_blocked(outcome, headers)
        if outcome.passed_unread:
            log.warning("[%s] answer passed unread: %s", self.name, outcome.passed_unread)
        if outcome.body is not None and isinstance(status, int):
            raise ReplaceResponse(status, outcome.body, headers=outcome.headers)
        else:
            pdk.call("response.set_headers", outcome.headers)

    def _finish_reply(self, pdk: Pdk, entry: SharedEntry, reply: Reply, headers: dict[str, Any]) -> None:
        """The answer an earlier plugin replaced (ai-action-authz's stripped or refused one): redacted like
        the upstream's, then sent here or handed on to the plugin that finishes it."""
        current = _headers_after(headers, reply.headers)
        tenant = _Tenant(entry)
        raw = to_utf8(reply.body)
        outcome = process_answer(self.settings, current, raw, tenant.for_hash, tenant.resolved)
        self._publish(entry, outcome)
        self._refuse_blocked(outcome, current)
        if outcome.passed_unread:
            log.warning("[%s] answer passed unread: %s", self.name, outcome.passed_unread)
        body = reply.body if outcome.body is None else _as_bytes(outcome.body).decode("utf-8", "replace")
        done = Reply(reply.status, body, {**reply.headers, **outcome.headers}, reply.by, reply.finisher)
        if reply.finisher == self.name:
            raise done.send()
        merge_into_pending(entry, done)
        entry.write()

    def _refuse_blocked(self, outcome: Outcome, upstream: dict[str, Any]) -> None:
        """A blocked answer: 502, with none of the headers of the answer it replaces (``upstream``)."""
        if outcome.blocked:
            detail = outcome.schema_error or ",".join(sorted(outcome.tally.blocked or outcome.tally.counts))
            raise BadGateway(
                BLOCKED_MESSAGE,
                # the upstream's own headers (another tenant's X-Tenant-ID on a mismatch) go with its body
                headers={**cleared_upstream_headers(upstream), **_sendable(outcome.headers)},
                log_reason=f"answer blocked: {outcome.blocked} {detail}".rstrip(),
            )

    def _warn_stream(self) -> None:
        if not self._stream_warned:
            self._stream_warned = True
            log.warning(
                "[%s] a text/event-stream answer was buffered whole before redaction: the client receives "
                "it at its end (enable this plugin on non-streaming routes to keep streaming)",
                self.name,
            )

    def _publish(self, entry: SharedEntry, outcome: Outcome) -> None:
        tally = outcome.tally
        checked = self.settings.output_schema is not None and outcome.media != "other"
        if not (tally.total or outcome.blocked or outcome.passed_unread or checked):
            return
        action = "block" if outcome.blocked else "pass_unread" if outcome.passed_unread else outcome.action
        facts = RedactionFacts(
            redactions=tally.total,
            kinds=sorted(tally.counts),
            counts=dict(tally.counts) or None,
            action=action,
            reason=outcome.blocked or outcome.passed_unread,
            schema_valid=(outcome.schema_error is None) if checked else None,
        )
        earlier = RedactionFacts.from_shared(entry.get(REDACTION))
        if earlier is not None:  # keep what access published about the request (redact_request)
            facts.request_redactions, facts.request_counts = (
                earlier.request_redactions,
                earlier.request_counts,
            )
        entry.put(REDACTION, facts.to_shared())
        entry.write()

    @phase
    def access(self, pdk: Pdk) -> None:
        """``redact_request``: the prompt is redacted before it leaves for the model (a no-op otherwise)."""
        # this plugin redacts answers an earlier one replaced, and sends them (core/reply.py)
        announce(pdk, self.name)
        settings = self.settings
        if not settings.redact_request:
            return
        length = pdk.call("request.get_header", "Content-Length")
        if isinstance(length, str) and length.strip().isdigit() and int(length) > settings.max_body_bytes:
            if settings.oversize_block:
                raise PayloadTooLarge(log_reason="request body over max_body_bytes (redact_request)")
            log.warning("[%s] request passed unread: oversize", self.name)
            return
        raw = _as_bytes(pdk.call("request.get_raw_body", settings.max_body_bytes))
        entry = SharedEntry(pdk)
        tenant = _Tenant(entry)
        result = redact_request(settings, raw, tenant.for_hash)
        if result.unreadable:
            if settings.unreadable_block:
                raise BadRequest(log_reason=f"request body unreadable: {result.unreadable}")
            log.warning("[%s] request passed unread: %s", self.name, result.unreadable)
            return
        tally = result.tally
        if tally.blocked:
            raise BadRequest(REQUEST_BLOCKED_MESSAGE, log_reason=f"request blocked: {sorted(tally.blocked)}")
        if result.body is None:
            return
        pdk.call("service.request.set_raw_body", result.body)
        drop_handed_on_headers(entry)  # Kong set a new Content-Length
        facts = RedactionFacts(request_redactions=tally.total, request_counts=dict(tally.counts))
        entry.put(REDACTION, facts.to_shared())
        entry.write()


def _handed_on_status(entry: SharedEntry) -> int | None:
    """The upstream's status as ai-token-limiter read it (``kong.service.response.get_status``) this phase."""
    answer = entry.get(ANSWER)
    status = answer.get("status") if isinstance(answer, dict) else None
    return status if isinstance(status, int) and not isinstance(status, bool) else None


def _headers_after(headers: dict[str, Any], replaced: dict[str, Any]) -> dict[str, Any]:
    """The answer's headers once ``replaced`` (a handed-on reply's) are laid over them, as
    ``kong.response.exit`` would: an empty list removes one."""
    current = {k.lower(): v for k, v in headers.items()}
    for name, value in replaced.items():
        if value == [] or value is None:
            current.pop(name.lower(), None)
        else:
            current[name.lower()] = value
    return current


def _as_bytes(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return to_utf8(body)
    return b""


def _sendable(headers: dict[str, Any]) -> dict[str, Any]:
    """Headers for ``kong.response.error``: its own Content-Type/Length win, removals still apply, and the
    upstream's Content-Encoding goes (Kong's error body is never encoded)."""
    kept = {k: v for k, v in headers.items() if k.lower() not in ("content-type", "content-length")}
    return {**kept, "Content-Encoding": []}
