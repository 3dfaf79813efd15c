"""The upstream's headers cleared from an answer our plugin makes instead of the upstream's (a 403/502).

In the response phase Kong has already copied the upstream's headers onto the response, and
``kong.response.exit``/``error`` keeps them (pdk/response.lua sets only the headers it is given). A refusal
that replaces the upstream's answer must not carry what described that answer: another tenant's
``X-Tenant-ID`` on a tenant-mismatch 502, the upstream's cookies, caching or rate-limit headers. Every
upstream header is cleared except those that frame the message itself or that Kong adds (``Via``,
``X-Kong-*``), which Kong or nginx set again for the new body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["cleared_upstream_headers"]

#: Set by nginx or Kong for the response we send (a clear would remove Kong's own value, not the upstream's).
_KEPT = frozenset(
    {"content-length", "content-type", "transfer-encoding", "connection", "date", "server", "via"}
)


def cleared_upstream_headers(upstream: Mapping[str, Any]) -> dict[str, list[str]]:
    """``{name: []}`` (an empty list clears a header: ngx.header) for every header of ``upstream`` (the map
    ``kong.response.get_headers()`` gave in the response phase) that is not framing or Kong's own."""
    return {
        name: []
        for name in upstream
        if isinstance(name, str) and name.lower() not in _KEPT and not name.lower().startswith("x-kong-")
    }
