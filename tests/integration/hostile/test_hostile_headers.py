"""Hostile request headers through the full chain (resolver, input guard, authz, limiter, redactor, audit):
repeated gateway-owned headers in every case, huge values, CR/LF and obs-fold, raw non-ASCII bytes. Each is
refused with a clear 4xx (a Kong-style ``{"message": ...}`` when a plugin refuses; the HTTP layer may refuse
a malformed header block itself with a bare 400), or, when the header is none of ours, answered as a normal
request: never a 5xx, never a hang, and the upstream only ever sees the tenant the gateway resolved.
"""

from __future__ import annotations

import json
from typing import Any

from integration.hostile.chain_support import ChainEnv, assert_kong_error, chat
from integration.hostile.raw_http import request_head, send_raw

from kong_plugins.core.hostile_inputs import GATEWAY_OWNED_HEADERS, HEADER_VALUE_ATTACKS

BODY = json.dumps(chat()).encode()


def _echo_headers(response: Any) -> dict[str, list[str]]:
    """What the upstream (mock LLM /echo) received, by lower-case name."""
    seen: dict[str, list[str]] = {}
    for name, value in response.json()["headers"]:
        seen.setdefault(name.lower(), []).append(value)
    return seen


def test_repeated_tenant_headers_in_any_case_are_refused(chain: ChainEnv) -> None:
    route = chain.route()
    attempts = {
        "same value twice": [("X-Tenant-ID", "acme"), ("X-Tenant-ID", "acme")],
        "two tenants": [("X-Tenant-ID", "acme"), ("X-Tenant-ID", "globex")],
        "mixed case": [("X-Tenant-ID", "acme"), ("x-tenant-id", "globex")],
        "upper case": [("X-TENANT-ID", "globex"), ("x-Tenant-Id", "acme")],
        "comma list": [("X-Tenant-ID", "acme, globex")],
        "empty": [("X-Tenant-ID", "")],
    }
    for name, headers in attempts.items():
        response = route.post(tenant=None, headers=headers)
        try:
            assert_kong_error(response, 400, 401, 403)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from exc
    assert route.upstream_hits() == 0


def test_client_copies_of_gateway_owned_headers_never_reach_the_upstream(chain: ChainEnv) -> None:
    route = chain.route(upstream="/echo")
    spoofed = [(name.upper(), "globex") for name in GATEWAY_OWNED_HEADERS[1:]]
    spoofed += [(name.lower(), "enterprise") for name in GATEWAY_OWNED_HEADERS[1:]]
    response = route.post(headers=spoofed)
    assert response.status_code == 200, response.text
    seen = _echo_headers(response)
    assert seen["x-tenant-id"] == ["acme"]
    assert seen["x-tenant-tier"] == ["pro"]
    assert seen["x-tenant-region"] == ["eu"]


def test_huge_header_values_are_refused_or_ignored_never_a_5xx(chain: ChainEnv) -> None:
    route = chain.route()
    big = "a" * 16384
    for headers, tenant in (
        ([("X-Tenant-ID", big)], None),
        ([("Authorization", "Bearer " + big)], "acme"),
        ([("Content-Type", "application/json; " + "x=y;" * 3000)], "acme"),
        ([("X-Junk", big)], "acme"),
    ):
        response = route.post(tenant=tenant, headers=headers)
        assert response.status_code < 500, (headers[0][0], response.status_code, response.text[:200])
        if headers[0][0] == "X-Tenant-ID":
            assert_kong_error(response, 400, 401, 403)
    assert route.upstream_hits() <= 2  # only the two requests whose big header is none of ours


def test_raw_non_ascii_header_values_never_break_a_plugin(chain: ChainEnv) -> None:
    """obs-text (latin-1 bytes that are not UTF-8) and UTF-8 look-alikes: in a tenant header, refused; in any
    other header, the request is answered as usual (the PDK hands such values to every plugin)."""
    route = chain.route()
    for name, value in HEADER_VALUE_ATTACKS.items():
        head = request_head(
            route.route.url(),
            [(b"X-Tenant-ID", value), (b"Content-Type", b"application/json")],
            length=len(BODY),
        )
        response = send_raw(route.gateway.proxy_url, head, BODY)
        # None: the HTTP layer closed the connection (h11 refuses NUL), a refusal before any plugin
        assert response is None or 400 <= response.status < 500, (name, response)
        other = request_head(
            route.route.url(),
            [
                (b"X-Tenant-ID", b"acme"),
                (b"Content-Type", b"application/json"),
                (b"X-Client-Note", value),
                (b"User-Agent", value),
                (b"Accept", value),
            ],
            length=len(BODY),
        )
        answered = send_raw(route.gateway.proxy_url, other, BODY)
        if b"\x00" in value:
            assert answered is None or answered.status < 500, (name, answered)
        else:  # none of our headers: the chain answers as for any request
            assert answered is not None and answered.status == 200, (name, answered)


def test_cr_lf_and_obs_fold_in_header_blocks(chain: ChainEnv) -> None:
    """What an HTTP/1.1 parser lets through of line breaks: obs-fold continuation lines, bare LF line ends,
    a bare CR inside a value. Each is refused by the HTTP layer (400 or closed) or, if it reaches Kong,
    by the resolver; the upstream never sees a second tenant."""
    route = chain.route(upstream="/echo")
    path = route.route.url().encode()
    heads = {
        "obs-fold continuation": b"POST " + path + b" HTTP/1.1\r\nHost: g\r\nConnection: close\r\n"
        b"X-Tenant-ID: acme\r\n globex\r\nContent-Type: application/json\r\n",
        "folded second tenant header": b"POST " + path + b" HTTP/1.1\r\nHost: g\r\nConnection: close\r\n"
        b"X-Tenant-ID: acme\r\n X-Tenant-ID: globex\r\nContent-Type: application/json\r\n",
        "bare LF line ends": b"POST " + path + b" HTTP/1.1\nHost: g\nConnection: close\n"
        b"X-Tenant-ID: acme\nX-Tenant-Tier: enterprise\nContent-Type: application/json\n",
        "bare CR inside value": b"POST " + path + b" HTTP/1.1\r\nHost: g\r\nConnection: close\r\n"
        b"X-Tenant-ID: acme\rX-Tenant-ID: globex\r\nContent-Type: application/json\r\n",
        "space before colon": b"POST " + path + b" HTTP/1.1\r\nHost: g\r\nConnection: close\r\n"
        b"X-Tenant-ID : globex\r\nX-Tenant-ID: acme\r\nContent-Type: application/json\r\n",
    }
    for name, head in heads.items():
        head += b"Content-Length: " + str(len(BODY)).encode() + b"\r\n"
        response = send_raw(route.gateway.proxy_url, head, BODY)
        if response is None:
            continue  # the HTTP layer closed the connection: refused before any plugin
        assert response.status < 500, (name, response.status, response.body[:200])
        if response.status == 200:
            seen = _echo_headers(response)
            assert seen["x-tenant-id"] == ["acme"], (name, seen)
            assert seen.get("x-tenant-tier") == ["pro"], (name, seen)
