"""JWT verification: every token a client could forge or mangle is refused; valid ones give their claims."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from kong_plugins.ai_tenant_resolver.jwt_verify import (
    JwtVerifier,
    KeyMaterialError,
    TokenRejected,
    claim_at_path,
    load_key,
    parse_claim_path,
)

KeyPair = Any  # conftest.KeyPair: .private, .public_pem
TokenMaker = Callable[..., str]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _forge(header: dict[str, Any], claims: dict[str, Any], sign: Any = None) -> str:
    """A token built by hand, as an attacker would (PyJWT refuses to make these)."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = sign(signing_input.encode()) if sign else b""
    return f"{signing_input}.{_b64(signature)}"


def _claims(**extra: Any) -> dict[str, Any]:
    return {"tenant_id": "acme", "exp": int(time.time()) + 3600, **extra}


@pytest.fixture
def verifier(rsa_keys: KeyPair, ec_keys: KeyPair, hs_secret: str) -> JwtVerifier:
    return JwtVerifier(
        [
            load_key("rsa-1", "RS256", rsa_keys.public_pem),
            load_key("ec-1", "ES256", ec_keys.public_pem),
            load_key("hs-1", "HS256", hs_secret),
        ],
        algorithms=["RS256", "ES256", "HS256"],
        claim_path=("tenant_id",),
        leeway=5,
    )


def _reason(verifier: JwtVerifier, token: str) -> str:
    with pytest.raises(TokenRejected) as caught:
        verifier.verify(token)
    return caught.value.reason


# -- valid tokens --------------------------------------------------------------------------------------------


def test_valid_rs256_es256_and_hs256_tokens_give_their_claims(
    verifier: JwtVerifier, make_token: TokenMaker, ec_keys: KeyPair, hs_secret: str
) -> None:
    assert verifier.verify(make_token())["tenant_id"] == "acme"
    es_token = make_token(_claims(tenant_id="beta"), key=ec_keys.private, algorithm="ES256", kid="ec-1")
    assert verifier.verify(es_token)["tenant_id"] == "beta"
    hs_token = make_token(_claims(tenant_id="gamma"), key=hs_secret, algorithm="HS256", kid="hs-1")
    assert verifier.verify(hs_token)["tenant_id"] == "gamma"


def test_expiry_within_the_leeway_is_accepted(verifier: JwtVerifier, make_token: TokenMaker) -> None:
    token = make_token({"tenant_id": "acme", "exp": int(time.time()) - 2})
    assert verifier.verify(token)["tenant_id"] == "acme"


# -- time claims ---------------------------------------------------------------------------------------------


def test_expired_token_is_refused(verifier: JwtVerifier, make_token: TokenMaker) -> None:
    token = make_token({"tenant_id": "acme", "exp": int(time.time()) - 60})
    assert _reason(verifier, token) == "token expired"


def test_token_not_yet_valid_is_refused(verifier: JwtVerifier, make_token: TokenMaker) -> None:
    token = make_token(_claims(nbf=int(time.time()) + 300))
    assert "not yet valid" in _reason(verifier, token)


def test_token_without_exp_is_refused_by_default(verifier: JwtVerifier, make_token: TokenMaker) -> None:
    assert "exp" in _reason(verifier, make_token({"tenant_id": "acme"}))


# -- keys and algorithms -------------------------------------------------------------------------------------


def test_token_signed_with_another_key_is_refused(
    verifier: JwtVerifier, make_token: TokenMaker, other_rsa_keys: KeyPair
) -> None:
    token = make_token(key=other_rsa_keys.private)
    assert "bad signature" in _reason(verifier, token)


def test_unknown_kid_is_refused(verifier: JwtVerifier, make_token: TokenMaker) -> None:
    assert _reason(verifier, make_token(kid="nope")) == "unknown kid"


def test_token_without_kid_is_refused(verifier: JwtVerifier, make_token: TokenMaker) -> None:
    assert "kid" in _reason(verifier, make_token(kid=None))


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_is_never_accepted(verifier: JwtVerifier, alg: str) -> None:
    token = _forge({"alg": alg, "kid": "rsa-1", "typ": "JWT"}, _claims())
    assert "none" in _reason(verifier, token)


def test_hs256_signed_with_the_rsa_public_key_is_refused(verifier: JwtVerifier, rsa_keys: KeyPair) -> None:
    """The algorithm confusion attack: the attacker knows the public key and uses it as an HMAC secret."""
    secret = rsa_keys.public_pem.encode()
    token = _forge(
        {"alg": "HS256", "kid": "rsa-1", "typ": "JWT"},
        _claims(tenant_id="victim"),
        sign=lambda data: hmac.new(secret, data, hashlib.sha256).digest(),
    )
    assert "does not match" in _reason(verifier, token)


def test_an_algorithm_other_than_the_keys_own_is_refused(
    verifier: JwtVerifier, make_token: TokenMaker
) -> None:
    # RS384 with the RS256 key's kid: same key type, still not the pinned algorithm.
    assert "does not match" in _reason(verifier, make_token(algorithm="RS384"))


# -- malformed input -----------------------------------------------------------------------------------------


def test_oversized_token_is_refused_before_decoding(rsa_keys: KeyPair, make_token: TokenMaker) -> None:
    small = JwtVerifier(
        [load_key("rsa-1", "RS256", rsa_keys.public_pem)],
        algorithms=["RS256"],
        claim_path=("tenant_id",),
        max_token_bytes=600,
    )
    token = make_token(_claims(padding="x" * 600))
    assert "longer than 600" in _reason(small, token)


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "a.b.c",
        "....",
        "eyJhbGciOiJSUzI1NiJ9.%%%.abc",
        "eyJhbGciOiJSUzI1NiJ9" + ".e30" * 2,
        _b64(b"[1,2,3]") + "." + _b64(b"{}") + ".",
        _b64(b"{" * 5000) + "." + _b64(b"{}") + ".",
        "t\u00e9st.abc.def",
    ],
)
def test_garbage_is_refused_without_crashing(verifier: JwtVerifier, token: str) -> None:
    with pytest.raises(TokenRejected):
        verifier.verify(token)


def test_deeply_nested_payload_is_refused(verifier: JwtVerifier) -> None:
    nested = b"[" * 3000 + b"]" * 3000
    token = f"{_b64(json.dumps({'alg': 'HS256', 'kid': 'hs-1'}).encode())}.{_b64(nested)}."
    with pytest.raises(TokenRejected):
        verifier.verify(token)


# -- issuer and audience -------------------------------------------------------------------------------------


def test_issuer_and_audience_are_enforced_when_configured(rsa_keys: KeyPair, make_token: TokenMaker) -> None:
    strict = JwtVerifier(
        [load_key("rsa-1", "RS256", rsa_keys.public_pem)],
        algorithms=["RS256"],
        claim_path=("tenant_id",),
        issuer="https://idp.example",
        audience="ai-gateway",
    )
    good = make_token(_claims(iss="https://idp.example", aud="ai-gateway"))
    assert strict.verify(good)["tenant_id"] == "acme"
    assert _reason(strict, make_token(_claims(iss="https://evil.example", aud="ai-gateway"))) == (
        "issuer not accepted"
    )
    assert (
        _reason(strict, make_token(_claims(iss="https://idp.example", aud="other")))
        == "audience not accepted"
    )


def test_token_meant_for_an_audience_is_refused_when_none_is_configured(
    verifier: JwtVerifier, make_token: TokenMaker
) -> None:
    assert _reason(verifier, make_token(_claims(aud="someone-else"))) == "audience not accepted"


# -- claim paths ---------------------------------------------------------------------------------------------


def test_nested_claim_path(rsa_keys: KeyPair, make_token: TokenMaker) -> None:
    nested = JwtVerifier(
        [load_key("rsa-1", "RS256", rsa_keys.public_pem)],
        algorithms=["RS256"],
        claim_path=parse_claim_path("org.tenant"),
    )
    claims = nested.verify(make_token(_claims(org={"tenant": "deep"})))
    assert nested.tenant_claim(claims) == "deep"


def test_claim_paths() -> None:
    claims = {"org": {"tenant": "a", "n": 1}, "https://x.example/tenant": "ns", "flat": "f"}
    assert claim_at_path(claims, ("flat",)) == "f"
    assert claim_at_path(claims, ("org", "tenant")) == "a"
    assert claim_at_path(claims, ("org", "missing")) is None
    assert claim_at_path(claims, ("flat", "deeper")) is None
    assert claim_at_path(claims, parse_claim_path("https://x.example/tenant")) == "ns"


@pytest.mark.parametrize("path", ["", ".a", "a.", "a..b", ".".join("abcdefghi")])
def test_bad_claim_paths_are_refused(path: str) -> None:
    with pytest.raises(ValueError):
        parse_claim_path(path)


# -- key material --------------------------------------------------------------------------------------------


def test_hmac_secret_that_is_a_public_key_is_refused(rsa_keys: KeyPair) -> None:
    with pytest.raises(KeyMaterialError, match="not a public key"):
        load_key("k", "HS256", rsa_keys.public_pem)


def test_short_hmac_secret_is_refused() -> None:
    with pytest.raises(KeyMaterialError, match="at least 32 bytes"):
        load_key("k", "HS256", "too-short")


def test_private_key_is_refused(rsa_keys: KeyPair) -> None:
    from cryptography.hazmat.primitives import serialization

    private_pem = rsa_keys.private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    with pytest.raises(KeyMaterialError, match="public key"):
        load_key("k", "RS256", private_pem)


def test_key_of_the_wrong_type_is_refused(rsa_keys: KeyPair, ec_keys: KeyPair) -> None:
    with pytest.raises(KeyMaterialError, match="RSA"):
        load_key("k", "RS256", ec_keys.public_pem)
    with pytest.raises(KeyMaterialError, match="EC"):
        load_key("k", "ES256", rsa_keys.public_pem)
    with pytest.raises(KeyMaterialError, match="curve"):
        load_key("k", "ES384", ec_keys.public_pem)


def test_public_jwk_is_accepted_and_private_jwk_refused(rsa_keys: KeyPair, make_token: TokenMaker) -> None:
    from jwt.algorithms import RSAAlgorithm

    public_jwk = RSAAlgorithm.to_jwk(rsa_keys.private.public_key())
    key = load_key("rsa-1", "RS256", public_jwk)
    verifier = JwtVerifier([key], algorithms=["RS256"], claim_path=("tenant_id",))
    assert verifier.verify(make_token())["tenant_id"] == "acme"
    with pytest.raises(KeyMaterialError, match="private"):
        load_key("rsa-1", "RS256", RSAAlgorithm.to_jwk(rsa_keys.private))
    with pytest.raises(KeyMaterialError, match="kty"):
        load_key("rsa-1", "ES256", public_jwk)


def test_verifier_refuses_none_and_keys_outside_the_allowlist(rsa_keys: KeyPair) -> None:
    key = load_key("rsa-1", "RS256", rsa_keys.public_pem)
    with pytest.raises(ValueError, match="none"):
        JwtVerifier([key], algorithms=["RS256", "none"], claim_path=("tenant_id",))
    with pytest.raises(ValueError, match="not in the allowed"):
        JwtVerifier([key], algorithms=["ES256"], claim_path=("tenant_id",))


def test_key_repr_never_shows_the_secret(hs_secret: str) -> None:
    assert hs_secret not in repr(load_key("hs-1", "HS256", hs_secret))
