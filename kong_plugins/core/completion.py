"""Completion marks: what each of our plugins leaves in ``kong.ctx.shared`` when a phase handler finished.

Kong fails OPEN on a plugin server that dies, times out or answers an RPC error once the plugin's instance
exists (rpc/mp_rpc.lua ``Rpc:call``: the error is logged and the request goes on as if the plugin did
nothing). The Lua plugin ``ai-fail-closed`` (kong/plugins/ai-fail-closed/) runs inside Kong, without the
plugin server, after our access handlers, and refuses with 503 a request whose required marks are missing.

A mark is the boolean ``true`` under ``ai_guard.done.<plugin>.<phase>``; ``ai-fail-closed-response`` checks
the response-phase marks the same way, in the response phase. It cannot be forged by a client:
``kong.ctx.shared`` is a per-request Lua table (pdk/ctx.lua keeps it in ``ngx.ctx`` under a private table key)
that only plugin code writes; the plugin server's ``kong.ctx.shared.set`` lands in that same table
(plugin_servers/plugin.lua ``exposed_api``), so the Lua guard reads exactly what the handler wrote in this
request. It is written only after the handler returned normally and did not end the request itself.
"""

from __future__ import annotations

from typing import Final

MARK_PREFIX: Final = "ai_guard.done."

#: Phases whose completion is marked: those where a Lua guard can still refuse (ai-fail-closed in access,
#: ai-fail-closed-response in response). Not log: the answer has been sent by then.
MARKED_PHASES: Final = frozenset({"access", "response"})


def mark_key(plugin: str, phase: str) -> str:
    """The ``kong.ctx.shared`` key ``plugin`` sets once its ``phase`` handler completed."""
    return f"{MARK_PREFIX}{plugin}.{phase}"
