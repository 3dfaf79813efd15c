"""Requests with an exact number of header lines, to test Kong's ``get_headers`` limits through the gateway.

``kong.request.get_headers()`` returns the first 100 header lines (kong.conf ``lua_max_req_headers``), and
``get_headers(1000)`` at most 1000; these requests sit on both sides of those limits. The client's own
headers (httpx adds Host, Accept, Accept-Encoding, Connection, User-Agent and, with a body,
Content-Length last) count like any other line; ``X-Junk-NNNN`` lines fill the gap, and ``last`` headers
come after them.
"""

from __future__ import annotations

import httpx

#: Header counts around both limits: below, at and past the default 100, up to and past the 1000 bound.
AROUND_THE_LIMITS = (99, 100, 101, 150, 999)
PAST_THE_BOUND = (1000, 1001)


def send_with_lines(
    client: httpx.Client,
    method: str,
    url: str,
    lines: int,
    *,
    headers: list[tuple[str, str]] | None = None,
    last: list[tuple[str, str]] | None = None,
    content: bytes | None = None,
) -> httpx.Response:
    """Send a request whose header block has exactly ``lines`` lines (``last`` after the filler)."""
    first, final = list(headers or []), list(last or [])
    probe = client.build_request(method, url, content=content, headers=[*first, *final])
    filler = [(f"X-Junk-{index:04d}", "x") for index in range(lines - len(probe.headers.raw))]
    request = client.build_request(method, url, content=content, headers=[*first, *filler, *final])
    assert len(request.headers.raw) == lines, request.headers.raw
    return client.send(request)
