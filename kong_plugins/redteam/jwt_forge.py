"""Forged and broken JSON Web Tokens for the red-team battery's JWT layer.

Each token carries the claims a genuine one would (the operator names the claim and tenant), so a refusal
is about the token's flaw alone: ``alg: none``, the key-confusion attack (HS256 "signed" with the RSA public
key as the HMAC secret), an unknown ``kid``, an expired or not-yet-valid token (these need the operator's
signing key: a token signed with any other key would be refused for the wrong reason), an oversized token
and a claim bomb (deeply nested JSON in a claim).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

OVERSIZED_TOKEN_BYTES = 64 * 1024
CLAIM_BOMB_DEPTH = 5000


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(value: Any) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


@dataclass(frozen=True)
class JwtSettings:
    """What the operator told us about the route's tokens."""

    claim: str = "tenant_id"
    tenant: str = "acme"
    kid: str | None = None
    algorithm: str = "RS256"
    public_key_pem: bytes | None = None
    signing_key_pem: bytes | None = None

    def claims(self, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {"iat": now, "exp": now + 600}
        # a dotted claim path (org.tenant) becomes nested objects, as the verifier reads it
        node = claims
        *parents, leaf = self.claim.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = self.tenant
        claims.update(changes)
        return claims

    def header(self, alg: str, kid: str | None = "") -> dict[str, Any]:
        header: dict[str, Any] = {"alg": alg, "typ": "JWT"}
        chosen = self.kid if kid == "" else kid
        if chosen:
            header["kid"] = chosen
        return header

    def signed(self, claims: dict[str, Any]) -> str:
        """A token signed with the operator's key (only when ``signing_key_pem`` was given)."""
        assert self.signing_key_pem is not None
        headers = {"kid": self.kid} if self.kid else None
        return jwt.encode(claims, self.signing_key_pem, algorithm=self.algorithm, headers=headers)


def unsigned(settings: JwtSettings, alg: str = "none") -> str:
    return f"{_segment(settings.header(alg))}.{_segment(settings.claims())}."


def key_confusion(settings: JwtSettings) -> str:
    """HS256 over the token with the route's RSA/EC public key (PEM bytes) as the HMAC secret."""
    assert settings.public_key_pem is not None
    signing_input = f"{_segment(settings.header('HS256'))}.{_segment(settings.claims())}"
    signature = hmac.new(settings.public_key_pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def foreign_key(settings: JwtSettings, kid: str) -> str:
    """A well-formed RS256 token signed by a key the gateway never saw, under ``kid``."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(settings.claims(), private, algorithm="RS256", headers={"kid": kid})


def oversized(settings: JwtSettings) -> str:
    padding = "A" * OVERSIZED_TOKEN_BYTES
    if settings.signing_key_pem is not None:
        return settings.signed(settings.claims(padding=padding))
    return (
        f"{_segment(settings.header(settings.algorithm))}.{_segment(settings.claims(padding=padding))}.AAAA"
    )


def claim_bomb(settings: JwtSettings) -> str:
    """A claim nested CLAIM_BOMB_DEPTH arrays deep (a few KiB): a parser without a depth bound recurses."""
    bomb = "[" * CLAIM_BOMB_DEPTH + "]" * CLAIM_BOMB_DEPTH
    payload = json.dumps(settings.claims())[:-1] + f',"bomb":{bomb}}}'
    header = _segment(settings.header(settings.algorithm))
    return f"{header}.{b64url(payload.encode())}.AAAA"
