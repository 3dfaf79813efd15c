"""Keys and token makers for the ai-tenant-resolver tests (generated once per session, never checked in)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

HS_SECRET = "0123456789abcdef0123456789abcdef-test-secret"
"""An HS256 secret long enough for RFC 7518 (tests get it through the ``hs_secret`` fixture)."""


@dataclass(frozen=True)
class KeyPair:
    """A private key to sign test tokens and its public PEM, as an operator would configure it."""

    private: Any
    public_pem: str


def _public_pem(private: Any) -> str:
    return (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


@pytest.fixture(scope="session")
def rsa_keys() -> KeyPair:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return KeyPair(private, _public_pem(private))


@pytest.fixture(scope="session")
def other_rsa_keys() -> KeyPair:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return KeyPair(private, _public_pem(private))


@pytest.fixture(scope="session")
def ec_keys() -> KeyPair:
    private = ec.generate_private_key(ec.SECP256R1())
    return KeyPair(private, _public_pem(private))


TokenMaker = Callable[..., str]


@pytest.fixture(scope="session")
def hs_secret() -> str:
    return HS_SECRET


@pytest.fixture(scope="session")
def make_token(rsa_keys: KeyPair) -> TokenMaker:
    """``make_token(claims=..., key=..., algorithm=..., kid=..., headers=...)``: a signed JWT.

    Defaults: RS256 with ``rsa_keys`` and kid ``rsa-1``; claims ``tenant_id=acme`` and ``exp`` in an hour.
    """

    def make(
        claims: dict[str, Any] | None = None,
        *,
        key: Any = None,
        algorithm: str = "RS256",
        kid: str | None = "rsa-1",
        headers: dict[str, Any] | None = None,
    ) -> str:
        payload = {"tenant_id": "acme", "exp": int(time.time()) + 3600} if claims is None else claims
        all_headers = dict(headers or {})
        if kid is not None:
            all_headers["kid"] = kid
        return jwt.encode(
            payload, rsa_keys.private if key is None else key, algorithm=algorithm, headers=all_headers
        )

    return make
