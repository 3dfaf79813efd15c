"""Bad JWTs through the gateway: each is refused with the same generic 401 and never reaches the upstream,
while a good token on the same route passes (so each refusal is about the token, not the route)."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

import jwt
import pytest
from fixtures.gateway import GatewayUnderTest
from integration.ai_tenant_resolver.resolver_support import (
    ResolverRoute,
    SigningKey,
    assert_refused,
    b64url,
    bearer,
    unique_suffix,
    unsigned_token,
    upstream_hits,
)

TENANTS = [{"id": "acme"}, {"id": "globex"}]
LEEWAY = 30
MAX_TOKEN_BYTES = 2048


def _claims(**changes: Any) -> dict[str, Any]:
    return {"tenant_id": "acme", "exp": int(time.time()) + 3600, **changes}


def _hs256_with_public_key_as_secret(signing_key: SigningKey) -> str:
    """The key-confusion attack: HS256 "signed" with the RSA public key (PEM) as the HMAC secret, under the
    RSA key's kid, hoping the verifier hands its public key to HMAC."""
    header = {"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}
    signing_input = unsigned_token(header, _claims()).rsplit(".", 1)[0]
    signature = hmac.new(signing_key.public_pem.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def _bad_tokens(signing_key: SigningKey, other_key: SigningKey) -> dict[str, str]:
    now = int(time.time())
    oversized = signing_key.token(_claims(padding="x" * MAX_TOKEN_BYTES))
    return {
        "expired": signing_key.token(_claims(exp=now - LEEWAY - 60)),
        "not yet valid": signing_key.token(_claims(nbf=now + LEEWAY + 600)),
        # RFC 7519 NumericDate is a JSON number; PyJWT alone would int() a numeric string.
        "exp a numeric string": signing_key.token(_claims(exp=str(now + 3600))),
        "nbf a numeric string": signing_key.token(_claims(nbf=str(now - 60))),
        "iat a numeric string": signing_key.token(_claims(iat=str(now - 60))),
        "exp a boolean": signing_key.token(_claims(exp=True)),
        "wrong key": other_key.token(),
        "unknown kid": signing_key.token(kid="rsa-2"),
        "no kid": jwt.encode(_claims(), signing_key.private, algorithm="RS256"),
        "alg none": unsigned_token({"alg": "none", "typ": "JWT", "kid": "rsa-1"}, _claims()),
        "alg None": unsigned_token({"alg": "None", "kid": "rsa-1"}, _claims()),
        "HS256 with the RSA public key": _hs256_with_public_key_as_secret(signing_key),
        "oversized": oversized,
        "tampered payload": _tampered(signing_key.token()),
        "no exp": signing_key.token({"tenant_id": "acme"}),
        "garbage": "not-a-jwt",
        "garbage segments": "a.b.c",
        "binary-ish": "eyJ!!!.eyJ???.###",
        "bad tenant claim": signing_key.token(_claims(tenant_id="acme/../globex")),
        "tenant claim not a string": signing_key.token(_claims(tenant_id=["acme"])),
    }


def _tampered(token: str) -> str:
    header, _, signature = token.split(".")
    forged = unsigned_token({"alg": "RS256"}, _claims(tenant_id="globex")).split(".")[1]
    return f"{header}.{forged}.{signature}"


@pytest.fixture
def jwt_route(resolver_route: ResolverRoute, jwt_config: dict[str, Any]) -> Any:
    return resolver_route(
        {
            "sources": ["jwt"],
            "jwt": {**jwt_config, "leeway": LEEWAY, "max_token_bytes": MAX_TOKEN_BYTES},
            "tenants": TENANTS,
        }
    )


def test_every_bad_token_is_refused_with_the_same_401(
    gateway: GatewayUnderTest, jwt_route: Any, signing_key: SigningKey, other_signing_key: SigningKey
) -> None:
    suffix = unique_suffix()
    bad = _bad_tokens(signing_key, other_signing_key)
    assert len(bad["oversized"]) > MAX_TOKEN_BYTES
    for kind, token in bad.items():
        response = gateway.proxy.get(jwt_route.url(suffix), headers=bearer(token))
        try:
            assert_refused(response, 401)
        except AssertionError as exc:
            raise AssertionError(f"{kind}: {exc}") from exc
    assert upstream_hits("/echo" + suffix) == 0

    good = gateway.proxy.get(jwt_route.url(suffix), headers=bearer(signing_key.token()))
    assert good.status_code == 200 and good.headers["X-Tenant-ID"] == "acme"


def test_time_claims_tolerate_the_configured_leeway(
    gateway: GatewayUnderTest, jwt_route: Any, signing_key: SigningKey
) -> None:
    now = int(time.time())
    for claims in (_claims(exp=now - LEEWAY // 3), _claims(nbf=now + LEEWAY // 3)):
        response = gateway.proxy.get(jwt_route.url(), headers=bearer(signing_key.token(claims)))
        assert response.status_code == 200, (claims, response.text)


def test_malformed_authorization_headers(
    gateway: GatewayUnderTest, jwt_route: Any, signing_key: SigningKey
) -> None:
    token = signing_key.token()
    assert_refused(gateway.proxy.get(jwt_route.url(), headers={"Authorization": "Bearer"}), 401)
    assert_refused(gateway.proxy.get(jwt_route.url(), headers={"Authorization": f"Bearer {token} x"}), 401)
    twice = [("Authorization", f"Bearer {token}"), ("Authorization", f"Bearer {token}")]
    assert_refused(gateway.proxy.get(jwt_route.url(), headers=twice), 401)
    # another scheme is not a token for this source: no tenant (401 because the tenant is required)
    assert_refused(gateway.proxy.get(jwt_route.url(), headers={"Authorization": "Basic YTpi"}), 401)
    lower = gateway.proxy.get(jwt_route.url(), headers={"Authorization": f"bearer {token}"})
    assert lower.status_code == 200


def test_issuer_and_audience_when_configured(
    gateway: GatewayUnderTest,
    resolver_route: ResolverRoute,
    jwt_config: dict[str, Any],
    signing_key: SigningKey,
) -> None:
    route = resolver_route(
        {
            "sources": ["jwt"],
            "jwt": {**jwt_config, "issuer": "https://idp.test", "audience": "ai-gateway"},
            "tenants": TENANTS,
        }
    )
    good = _claims(iss="https://idp.test", aud="ai-gateway")
    assert gateway.proxy.get(route.url(), headers=bearer(signing_key.token(good))).status_code == 200
    for bad in (
        _claims(iss="https://evil.test", aud="ai-gateway"),
        _claims(iss="https://idp.test", aud="someone-else"),
        _claims(aud="ai-gateway"),
    ):
        assert_refused(gateway.proxy.get(route.url(), headers=bearer(signing_key.token(bad))), 401)
