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

from kong_plugins.core.schema import boolean, field

MARK_PREFIX: Final = "ai_guard.done."

#: Phases whose completion is marked: those where a Lua guard can still refuse (ai-fail-closed in access,
#: ai-fail-closed-response in response). Not log: the answer has been sent by then.
MARKED_PHASES: Final = frozenset({"access", "response"})


def mark_key(plugin: str, phase: str) -> str:
    """The ``kong.ctx.shared`` key ``plugin`` sets once its ``phase`` handler completed."""
    return f"{MARK_PREFIX}{plugin}.{phase}"


#: The config field that turns the marks on, the same in every plugin with an access or response handler.
FAIL_CLOSED_MARK: Final = "fail_closed_mark"

#: Opt-in because a mark costs one PDK round trip per completed phase on every request, and only a route
#: carrying ai-fail-closed(-response) reads it. ``kong-ai validate`` reports a guard listing a plugin whose
#: config in the guard's scope leaves this false (the guard would then refuse every request with 503).
FAIL_CLOSED_MARK_FIELD: Final = field(
    FAIL_CLOSED_MARK,
    boolean(
        default=False,
        description="Set the completion mark `ai_guard.done.<plugin>.<phase>` in `kong.ctx.shared` at the "
        "end of each completed access/response handler, for the Lua guards `ai-fail-closed` and "
        "`ai-fail-closed-response`. Enable it on every plugin a guard lists in `marks` (else the guard "
        "answers 503); off, it saves one PDK round trip per phase.",
    ),
)
