"""The request headers, all of them or a refusal: Kong's ``kong.request.get_headers()`` can silently cut.

Without an argument Kong returns at most ``lua_max_req_headers`` header lines (kong.conf, 100 by default);
a longer request gets the first ones plus a ``"truncated"`` second return value (kong/globalpatches.lua,
which also logs the notice "request headers truncated"), and the plugin server's RPC keeps only the first
return value (runloop/plugin_servers/rpc/mp_rpc.lua), so a Python plugin cannot see the flag. A header the
client placed after the limit, or one an earlier plugin appended (ai-tenant-resolver's ``X-Tenant-ID``), is
then simply absent: a repeated credential looks single, a conflicting tenant header goes unseen.

So our plugins ask for the most Kong gives, ``kong.request.get_headers(1000)`` (pdk/request.lua accepts 1 to
1000), in the one read they make anyway, whatever ``lua_max_req_headers`` says; a map that reaches 1000
lines may be truncated, and that request is refused with Kong's 431 ("Request header fields too large").
(In the ``log`` phase Kong answers ``get_headers`` from its snapshot, ``lua_max_req_headers`` lines whatever
the argument - runloop/plugin_servers/plugin.lua - so no decision should be taken there from headers.)

The first of our plugins that reads them (ai-tenant-resolver) hands them on in ``kong.ctx.shared``'s
``ai_guard`` entry (section ``kong``, docs/context.md): those that describe the body, never a credential, with
their line count and its own changes to the upstream request applied
as Kong would show them to a later ``get_headers`` (``ngx.req.set_header``), so later plugins take them from
the entry they read anyway instead of a round trip of their own. That is exact because no plugin runs
between our priorities 1010 and 1000 in a stock Kong (hmac-auth is 1030, grpc-gateway 998: spec/01-unit/
12-plugins_order_spec.lua) and a client cannot change a request's headers once it is being proxied; a plugin
that changes them (``set_raw_body`` rewrites ``Content-Length``) drops the handed-on map, and a plugin that
finds none reads them itself, so each plugin still works alone.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from kong_plugins.core.context import KONG, SharedEntry
from kong_plugins.core.errors import HeaderFieldsTooLarge
from kong_plugins.core.pdk import Pdk

__all__ = [
    "HANDED_ON",
    "MAX_REQUEST_HEADER_LINES",
    "drop_handed_on_headers",
    "hand_on_headers",
    "header_lines",
    "read_request_headers",
]

MAX_REQUEST_HEADER_LINES = 1000
"""The largest ``max_headers`` that ``kong.request.get_headers`` accepts; a request this long is refused."""

HANDED_ON = frozenset({"content-type", "content-length", "transfer-encoding", "content-encoding"})
"""The headers handed on in the entry: those describing the body (what ai-input-guard needs), never a
credential (nothing secret goes in ``kong.ctx.shared``: the audit log reads it)."""


def header_lines(headers: Mapping[str, Any]) -> int:
    """How many header lines a ``get_headers`` map holds (a repeated header is a list, one item per line)."""
    return sum(len(value) if isinstance(value, list | tuple) else 1 for value in headers.values())


def read_request_headers(
    pdk: Pdk, entry: SharedEntry | None = None, names: Collection[str] | None = None
) -> dict[str, Any]:
    """The request headers (lower-cased names), or :class:`HeaderFieldsTooLarge`.

    With ``entry`` and ``names`` (the headers the caller needs, all of :data:`HANDED_ON`): from the map an
    earlier plugin handed on in ``entry`` when there is one (no round trip once the caller read the entry;
    the 431 check applies to the line count of the whole map it read). Otherwise every header, in one
    round trip."""
    if entry is not None and names is not None and HANDED_ON.issuperset(names):
        handed_on = _handed_on(entry)
        if handed_on is not None:
            headers, lines = handed_on
            _refuse_truncated(lines)
            return headers
    value = pdk.call("request.get_headers", MAX_REQUEST_HEADER_LINES)
    headers = dict(value) if isinstance(value, dict) else {}  # Kong sends an empty table as an empty array
    _refuse_truncated(header_lines(headers))
    return headers


def _refuse_truncated(lines: int) -> None:
    if lines >= MAX_REQUEST_HEADER_LINES:
        raise HeaderFieldsTooLarge(log_reason=f"{lines} request header lines: the map may be truncated")


def _handed_on(entry: SharedEntry) -> tuple[dict[str, Any], int] | None:
    section = entry.get(KONG)
    if not isinstance(section, dict):
        return None
    value, lines = section.get("headers"), section.get("header_lines")
    if not isinstance(lines, int) or isinstance(lines, bool):
        return None
    if isinstance(value, dict):
        return dict(value), lines
    return ({}, lines) if isinstance(value, list) and not value else None  # Lua gives {} back as []


def hand_on_headers(entry: SharedEntry, headers: Mapping[str, Any], changes: Mapping[str, Any]) -> None:
    """Put the :data:`HANDED_ON` headers of ``headers`` in ``entry`` for later plugins, as ``get_headers``
    answers once ``kong.service.request.set_headers(changes)`` ran (a string sets, a list sets every value,
    an empty list removes: pdk/service/request.lua, ``ngx.req.set_header``; names are lower-cased), with
    the line count of the whole map."""
    handed = dict(headers)
    for name, value in changes.items():
        key = name.lower()
        if isinstance(value, str):
            handed[key] = [value]
        elif isinstance(value, list | tuple) and value:
            handed[key] = [str(item) for item in value]
        else:
            handed.pop(key, None)
    section = entry.get(KONG)
    entry.put(
        KONG,
        {
            **(section if isinstance(section, dict) else {}),
            "headers": {name: value for name, value in handed.items() if name in HANDED_ON},
            "header_lines": header_lines(handed),
        },
    )


def drop_handed_on_headers(entry: SharedEntry) -> None:
    """The request headers changed (``set_raw_body`` sets ``Content-Length``): later plugins read them."""
    section = entry.get(KONG)
    if isinstance(section, dict) and "headers" in section:
        entry.put(KONG, {k: v for k, v in section.items() if k not in ("headers", "header_lines")})
