"""Tenant facts come from ``kong.ctx.shared``, whatever the request's header count (99, 100, 101+ lines).

The tenant below may use only ``gpt-4o-mini``. ai-tenant-resolver appends its ``X-Tenant-ID`` after the
client's headers; Kong's ``get_headers()`` returns the first 100 lines, so a guard that looked for that
header to decide whether a tenant was resolved let ``gpt-4o`` through from line 101 on.
"""

from __future__ import annotations

import json

import pytest
from fixtures.gateway import GatewayUnderTest
from integration.ai_input_guard.guard_support import chat
from integration.ai_tenant_resolver.resolver_support import SigningKey
from integration.header_lines import AROUND_THE_LIMITS, PAST_THE_BOUND, send_with_lines

RESTRICTED = [{"id": "acme", "allowed_models": ["gpt-4o-mini"]}]


@pytest.fixture(scope="module")
def signing_key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def jwt_route(guarded, signing_key: SigningKey):
    resolver = {
        "sources": ["jwt"],
        "jwt": {"keys": [{"kid": "rsa-1", "algorithm": "RS256", "key": signing_key.public_pem}]},
        "tenants": RESTRICTED,
    }
    return guarded(before=[("ai-tenant-resolver", resolver)])


def _post(route, key: SigningKey, lines: int, model: str):
    headers = [("Authorization", f"Bearer {key.token()}"), ("Content-Type", "application/json")]
    body = json.dumps(chat(model=model)).encode()
    return send_with_lines(
        route.gateway.proxy, "POST", route.route.url(), lines, headers=headers, content=body
    )


@pytest.mark.parametrize("lines", AROUND_THE_LIMITS)
def test_a_tenant_restricted_model_is_refused_whatever_the_header_count(
    jwt_route, signing_key: SigningKey, lines: int
) -> None:
    refused = _post(jwt_route, signing_key, lines, "gpt-4o")
    assert refused.status_code == 403, refused.text
    assert refused.json()["errors"] == [{"path": "/model", "error": "model not allowed for this tenant"}]
    assert _post(jwt_route, signing_key, lines, "gpt-4o-mini").status_code == 200
    assert jwt_route.upstream_hits() == 1


@pytest.mark.parametrize("junk", [97, 98, 200])
def test_the_reported_bypass_a_valid_jwt_and_98_junk_headers(jwt_route, signing_key: SigningKey, junk: int):
    headers = {"Authorization": f"Bearer {signing_key.token()}", **{f"X-Junk-{i}": "x" for i in range(junk)}}
    refused = jwt_route.post(chat(model="gpt-4o"), headers=headers)
    assert refused.status_code == 403, refused.text
    assert jwt_route.upstream_hits() == 0


@pytest.mark.parametrize("lines", PAST_THE_BOUND)
def test_from_1000_header_lines_kong_cannot_promise_them_all_431(
    gateway: GatewayUnderTest, guarded, jwt_route, signing_key: SigningKey, lines: int
) -> None:
    refused = _post(jwt_route, signing_key, lines, "gpt-4o-mini")  # refused by the resolver already
    assert refused.status_code == 431, refused.text
    assert refused.json()["message"] == "Request header fields too large"
    alone = guarded()  # the guard on its own
    response = send_with_lines(
        gateway.proxy,
        "POST",
        alone.route.url(),
        lines,
        headers=[("Content-Type", "application/json")],
        content=json.dumps(chat()).encode(),
    )
    assert response.status_code == 431, response.text
    assert response.json()["message"] == "Request header fields too large"
    assert jwt_route.upstream_hits() == 0 and alone.upstream_hits() == 0


@pytest.mark.harness
def test_one_read_of_every_header_line(gateway: GatewayUnderTest, guarded, jwt_route, signing_key) -> None:
    gateway.require_harness()
    logged = gateway.kong_log_mark()
    response = _post(jwt_route, signing_key, 150, "gpt-4o-mini")
    # the resolver's one read of every line, handed on: the guard reads the entry, the body, writes the entry
    assert "ai-input-guard.access=3" in response.headers["X-Emulator-Pdk-Calls"]
    assert "ai-tenant-resolver.access=4" in response.headers["X-Emulator-Pdk-Calls"]
    # Kong's notice when a plugin's get_headers() cut the list (kong/globalpatches.lua): none of ours does
    assert not [line for line in gateway.kong_log_since(logged) if "request headers truncated" in line]
