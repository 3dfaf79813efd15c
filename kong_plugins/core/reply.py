"""Handing a response-phase replacement on to the plugin that finishes the answer (contract: docs/context.md).

Kong sends an answer the moment a response handler calls ``kong.response.exit`` and runs no later response
handler (kong/init.lua ``Kong.response``, pdk/response.lua ``send``). When ai-action-authz stripped tool calls
(or refused the answer) that way, ai-token-limiter never settled (the whole reservation stayed charged),
ai-output-redactor never redacted the stripped answer and ai-fail-closed-response never checked the marks.

So a plugin that would replace the answer first asks who finishes it:

* the plugins with a response duty after others announce it during ``access``: ai-output-redactor sets
  :data:`FINISHER_KEY` (one ``ctx.shared.set``: it reads nothing in access); the Lua guard
  ai-fail-closed-response, which runs after every access handler of ours, sets the entry's ``finisher``
  section in place (no round trip: it is Lua); ai-token-limiter's reservation (the ``usage`` section it
  writes anyway) says that it settles in the response phase. The latest of them finishes;
* when one of them runs after the replacing plugin, the replacement (status, headers, body) goes into the
  entry's :data:`REPLY` section instead of being sent, with the name of the plugin that must send it
  (``finisher``); every later suite plugin applies its duty to that *current* answer (the limiter settles
  the upstream's real usage, the redactor redacts the replacement) and the finisher sends it;
* when none does, the plugin sends it itself, as before.

A reply still pending when ai-fail-closed-response runs is sent by it (after its marks check); a pending
reply never sent (the finisher's plugin server failed) reaches the client only on a route without that
guard, which is why a route that must fail closed carries it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from kong_plugins.core.context import FINISHER, REPLY, USAGE, SharedEntry
from kong_plugins.core.errors import PluginResponseError, ReplaceResponse

log = logging.getLogger("kong_plugins")

#: ``kong.ctx.shared`` key of its own, set in access by ai-output-redactor (one ``set``, no entry read).
FINISHER_KEY = "ai_guard.finisher"
LIMITER = "ai-token-limiter"
REDACTOR = "ai-output-redactor"
FAIL_CLOSED_RESPONSE = "ai-fail-closed-response"
#: Kong priorities of the plugins that can finish an answer (core/priorities.py; the Lua guard's is 999).
FINISHER_PRIORITIES = {LIMITER: 1004, REDACTOR: 1002, FAIL_CLOSED_RESPONSE: 999}


@dataclass
class Reply:
    """An answer a plugin replaced in the response phase, not sent yet."""

    status: int
    body: str
    headers: dict[str, Any] = field(default_factory=dict)
    by: str = ""  # the plugin that replaced it
    finisher: str = ""  # the plugin that sends it

    def to_shared(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "body": self.body,
            "headers": self.headers,
            "by": self.by,
            "finisher": self.finisher,
        }

    @classmethod
    def from_shared(cls, value: Any) -> Reply | None:
        if not isinstance(value, dict):
            return None
        status, body = value.get("status"), value.get("body")
        if not isinstance(status, int) or isinstance(status, bool) or not isinstance(body, str):
            return None
        headers = value.get("headers")
        return cls(
            status,
            body,
            dict(headers) if isinstance(headers, dict) else {},
            str(value.get("by") or ""),
            str(value.get("finisher") or ""),
        )

    def send(self) -> ReplaceResponse:
        """The error that sends this reply (``kong.response.exit``) when raised in a handler."""
        return ReplaceResponse(self.status, self.body, headers=self.headers)


def announce(pdk: Any, plugin: str) -> None:
    """Access phase: ``plugin`` finishes answers replaced by an earlier plugin (one ``ctx.shared.set``)."""
    pdk.call("ctx.shared.set", FINISHER_KEY, plugin)


def pending(entry: SharedEntry) -> Reply | None:
    """The replaced answer an earlier plugin handed on (read from the entry the handler reads anyway)."""
    return Reply.from_shared(entry.get(REPLY))


def as_reply(error: PluginResponseError) -> tuple[int, str, dict[str, Any]]:
    """What ``kong.response.exit``/``error`` would send for ``error``: status, body, headers."""
    headers: dict[str, Any] = dict(error.headers)
    if isinstance(error, ReplaceResponse):
        raw = error.raw_body
        body = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        return error.status, body, headers
    headers = {k: v for k, v in headers.items() if k.lower() not in ("content-type", "content-length")}
    headers["Content-Type"] = "application/json; charset=utf-8"
    return error.status, json.dumps(error.body(), separators=(",", ":")), headers


def finisher_after(pdk: Any, entry: SharedEntry, priority: int) -> str | None:
    """The plugin that will send an answer a plugin of ``priority`` replaces, when one runs later: the Lua
    guard (in the entry), else ai-output-redactor (its key: read only by a plugin it runs after), else
    ai-token-limiter (its pending reservation)."""
    if isinstance(entry.get(FINISHER), str) and FINISHER_PRIORITIES[FAIL_CLOSED_RESPONSE] < priority:
        return FAIL_CLOSED_RESPONSE
    if FINISHER_PRIORITIES[REDACTOR] < priority:
        announced = pdk.call("ctx.shared.get", FINISHER_KEY)
        if isinstance(announced, str) and FINISHER_PRIORITIES.get(announced, priority) < priority:
            return announced
    if FINISHER_PRIORITIES[LIMITER] < priority and _limiter_pending(entry):
        return LIMITER
    return None


def hand_on(pdk: Any, entry: SharedEntry, plugin: str, priority: int, error: PluginResponseError) -> bool:
    """Store ``error``'s answer for a later finisher; False when none runs (the caller sends it)."""
    finisher = finisher_after(pdk, entry, priority)
    if finisher is None:
        return False
    status, body, headers = as_reply(error)
    merge_into_pending(entry, Reply(status, body, headers, plugin, finisher))
    entry.write()
    if error.log_reason:
        log.info("[%s] %s (sent by %s): %s", plugin, status, finisher, error.log_reason)
    return True


def merge_into_pending(entry: SharedEntry, reply: Reply) -> None:
    """Put ``reply`` in the entry, over the headers of a reply an earlier plugin handed on."""
    earlier = pending(entry)
    if earlier is not None:
        reply.headers = {**earlier.headers, **reply.headers}
        reply.by = f"{earlier.by},{reply.by}" if earlier.by and earlier.by != reply.by else reply.by
    entry.put(REPLY, reply.to_shared())


def _limiter_pending(entry: SharedEntry) -> bool:
    """ai-token-limiter reserved in access and settles in the response phase (not the -stream variant)."""
    for slot in (USAGE, f"{USAGE}.{LIMITER}"):
        usage = entry.get(slot)
        if (
            isinstance(usage, dict)
            and usage.get("reservation_plugin") == LIMITER
            and usage.get("reservation_settled") is not True
        ):
            return True
    return False
