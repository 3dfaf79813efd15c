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
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kong_plugins.core.errors import HeaderFieldsTooLarge
from kong_plugins.core.pdk import Pdk

__all__ = ["MAX_REQUEST_HEADER_LINES", "header_lines", "read_request_headers"]

MAX_REQUEST_HEADER_LINES = 1000
"""The largest ``max_headers`` that ``kong.request.get_headers`` accepts; a request this long is refused."""


def header_lines(headers: Mapping[str, Any]) -> int:
    """How many header lines a ``get_headers`` map holds (a repeated header is a list, one item per line)."""
    return sum(len(value) if isinstance(value, list | tuple) else 1 for value in headers.values())


def read_request_headers(pdk: Pdk) -> dict[str, Any]:
    """Every request header (lower-cased names) in one round trip, or :class:`HeaderFieldsTooLarge`."""
    value = pdk.call("request.get_headers", MAX_REQUEST_HEADER_LINES)
    headers = dict(value) if isinstance(value, dict) else {}  # Kong sends an empty table as an empty array
    lines = header_lines(headers)
    if lines >= MAX_REQUEST_HEADER_LINES:
        raise HeaderFieldsTooLarge(log_reason=f"{lines} request header lines: the map may be truncated")
    return headers
