"""Hostile JWTs through the full chain: every token an attacker can make without the signing key, every
token signed right but with hostile content, is refused with the resolver's generic 401 (or 403 for a
tenant that is not registered), never a 5xx; nothing reaches the upstream, nothing is counted for a tenant.

The forgeries come from the shared catalogue (kong_plugins/core/hostile_inputs.py: ``alg: none``, HS256
with the RSA public key as secret, unknown/path/SQL ``kid``, JSON bombs in header and claims, duplicate
claims, 1 MB); the signed ones are made here with the real key (expired, not yet valid, JSON bombs and
wrong types in the tenant claim, look-alike tenants).
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt
import pytest
from integration.ai_tenant_resolver.resolver_support import SigningKey
from integration.hostile.chain_support import ChainEnv, ChainRoute, assert_kong_error

from kong_plugins.core.hostile_inputs import TENANT_CLAIM_ATTACKS, forged_jwts

LEEWAY = 30


@pytest.fixture(scope="module")
def signing_key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def jwt_route(chain: ChainEnv, signing_key: SigningKey) -> ChainRoute:
    keys = [{"kid": "rsa-1", "algorithm": "RS256", "key": signing_key.public_pem}]
    return chain.route(resolver={"sources": ["jwt"], "jwt": {"keys": keys, "leeway": LEEWAY}})


def _send(route: ChainRoute, token: str) -> Any:
    """The answer, or None when the HTTP layer closed the connection (a header block too large for it)."""
    try:
        return route.post(tenant=None, headers=[("Authorization", f"Bearer {token}")])
    except httpx.TransportError:  # closed or reset: refused before any plugin
        return None


def _signed_raw(signing_key: SigningKey, claims_json: bytes) -> str:
    """A correctly signed token whose claims are exactly ``claims_json`` (PyJWT cannot serialize a bomb)."""
    return jwt.PyJWS().encode(claims_json, signing_key.private, algorithm="RS256", headers={"kid": "rsa-1"})


def _bomb(depth: int, *, around: str) -> bytes:
    exp = int(time.time()) + 3600
    nested = b'{"a":' * depth + b'"acme"' + b"}" * depth
    return b'{"exp":%d,"%s":%s}' % (exp, around.encode(), nested)


def test_forged_tokens_are_refused_with_401(jwt_route: ChainRoute, signing_key: SigningKey) -> None:
    for name, token in forged_jwts(kid="rsa-1", public_pem=signing_key.public_pem).items():
        response = _send(jwt_route, token)
        try:
            if name == "1 MB":  # may be refused by the HTTP layer already (Kong: 494/400), never a 5xx
                assert response is None or response.status_code in (400, 401, 431, 494), response
            else:
                assert_kong_error(response, 401)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from exc
    assert jwt_route.upstream_hits() == 0
    assert _send(jwt_route, signing_key.token()).status_code == 200  # the route itself works


def test_signed_tokens_with_hostile_content_are_refused(
    jwt_route: ChainRoute, signing_key: SigningKey
) -> None:
    now = int(time.time())
    signed = {
        "expired": signing_key.token(exp=now - LEEWAY - 60),
        "not yet valid": signing_key.token(nbf=now + LEEWAY + 600),
        "issued in the future only": signing_key.token(iat=now + 10 * 365 * 86400),
        "exp not a number": signing_key.token(exp="never"),
        "claims json bomb": _signed_raw(signing_key, _bomb(5000, around="org")),
        "tenant claim json bomb": _signed_raw(signing_key, _bomb(1500, around="tenant_id")),
        "duplicate tenant claims": _signed_raw(
            signing_key, b'{"tenant_id":"globex","tenant_id":"acme","exp":%d}' % (now + 3600)
        ),
        "huge claim": signing_key.token(pad="x" * 20000),
    }
    signed |= {
        f"tenant claim {name}": signing_key.token(tenant_id=value)
        for name, value in TENANT_CLAIM_ATTACKS.items()
    }
    for name, token in signed.items():
        response = _send(jwt_route, token)
        try:
            assert_kong_error(response, 400, 401, 403)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from exc
    assert jwt_route.upstream_hits() == 0
    # refused requests are audited without a tenant ({~}); no key of acme or globex was written
    assert jwt_route.tags() <= {"~"}, jwt_route.redis_keys()
    assert jwt_route.audit_tenants() <= {""}, jwt_route.audit_tenants()


def test_repeated_credentials_are_refused(jwt_route: ChainRoute, signing_key: SigningKey) -> None:
    """Two ``Authorization`` headers (a good token and a forged one, in either order, in any case), or a
    token in a comma list: the resolver cannot tell which one the upstream will use, so it takes neither."""
    good = signing_key.token()
    forged = forged_jwts(kid="rsa-1", public_pem=signing_key.public_pem)["alg none"]
    for headers in (
        [("Authorization", f"Bearer {good}"), ("Authorization", f"Bearer {forged}")],
        [("Authorization", f"Bearer {forged}"), ("authorization", f"Bearer {good}")],
        [("Authorization", f"Bearer {good}"), ("Authorization", f"Bearer {good}")],
        [("Authorization", f"Bearer {good}, Bearer {forged}")],
        [("Authorization", f"Bearer {good} {forged}")],
        [("Authorization", f"Basic {good}")],
    ):
        response = jwt_route.post(tenant=None, headers=headers)
        assert_kong_error(response, 401)
    assert jwt_route.upstream_hits() == 0
