"""Verifying the JSON Web Tokens that name a tenant, with PyJWT, refusing every known trap.

Why each rule exists:

* **Keys are pinned to one algorithm each, per ``kid``.** The token header only *selects* a key; the algorithm
  that verifies it comes from our configuration. A token whose ``alg`` differs from its key's algorithm is
  refused, which closes the classic confusion attack: an HS256 token "signed" with the RSA public key as HMAC
  secret names the RSA key's ``kid`` but the wrong algorithm. Key material is also checked against its
  algorithm when the configuration is compiled (an HMAC secret that looks like a PEM/JWK/SSH key is refused).
* **``none`` is never accepted**, whatever the configuration says (it cannot even be configured).
* **An allowlist of algorithms** (``algorithms``) bounds what keys may be configured with.
* **Size first.** A token longer than ``max_token_bytes`` is refused before it is decoded, so a huge or deeply
  nested payload costs nothing; every decoding failure (bad base64, bad JSON, too deep JSON) is a rejection.
* **No duplicate member names.** RFC 7519 §4 lets a parser either refuse a token whose header or claims
  repeat a name, or keep the last one (PyJWT, Python's ``json``); a service behind the gateway that checks
  the same token with a first-wins parser would then read another tenant than we did. Such a token is
  refused, signed or not.
* **Time claims with leeway.** ``exp`` (required by default) and ``nbf`` are checked with ``leeway`` seconds
  of clock skew; ``iss``/``aud`` when configured. PyJWT refuses a token carrying ``aud`` when no audience is
  configured: a token meant for some audience is accepted only by a verifier that knows it is that audience.

Every failure raises :class:`TokenRejected` whose reason is for the log only; the client always gets the same
generic 401. This module never touches ``kong``.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from kong_plugins.core import strict_json

__all__ = [
    "ASYMMETRIC_ALGORITHMS",
    "HMAC_ALGORITHMS",
    "MAX_CLAIM_PATH_SEGMENTS",
    "SUPPORTED_ALGORITHMS",
    "JwtKey",
    "JwtVerifier",
    "KeyMaterialError",
    "TokenRejected",
    "claim_at_path",
    "load_key",
    "parse_claim_path",
]

HMAC_ALGORITHMS = ("HS256", "HS384", "HS512")
ASYMMETRIC_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)
SUPPORTED_ALGORITHMS = HMAC_ALGORITHMS + ASYMMETRIC_ALGORITHMS
"""Every algorithm a key may be configured with. ``none`` is deliberately absent."""

MAX_CLAIM_PATH_SEGMENTS = 8
MAX_KID_LENGTH = 256
MAX_KEY_MATERIAL_BYTES = 16384
MIN_RSA_BITS = 2048
# RFC 7518 §3.2: an HMAC key must be at least as long as the hash output.
_HMAC_MIN_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}
_EC_CURVES: dict[str, type[ec.EllipticCurve]] = {
    "ES256": ec.SECP256R1,
    "ES384": ec.SECP384R1,
    "ES512": ec.SECP521R1,
}
_JWK_KTY = {"HS": "oct", "RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}
_LOOKS_LIKE_KEY = ("-----BEGIN", "ssh-", "ecdsa-sha2-", "{")


class TokenRejected(Exception):
    """The token is not acceptable. ``reason`` says why, for the log only (never for the client)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeyMaterialError(ValueError):
    """Configured key material cannot be used with its algorithm (the message says why, without the key)."""


@dataclass(frozen=True)
class JwtKey:
    """One verification key: its ``kid``, the only algorithm it verifies, and the prepared key object."""

    kid: str
    algorithm: str
    key: Any  # bytes (HMAC secret) or a cryptography public key

    def __repr__(self) -> str:  # never print secrets
        return f"JwtKey(kid={self.kid!r}, algorithm={self.algorithm!r})"


def load_key(kid: str, algorithm: str, material: str) -> JwtKey:
    """Parse ``material`` (PEM public key, JWK JSON, or HMAC secret) for ``algorithm``.

    Raises :class:`KeyMaterialError` when the material does not fit the algorithm: an HMAC secret that is too
    short or looks like a public key, a private key where a public key is expected, an RSA key under 2048
    bits, an EC key on the wrong curve, a JWK whose ``kty``/``alg`` disagree with the algorithm.
    """
    if algorithm not in SUPPORTED_ALGORITHMS:
        raise KeyMaterialError(f"unsupported algorithm {algorithm!r}")
    if not isinstance(material, str) or not material.strip():
        raise KeyMaterialError("key material must be a non-empty string")
    if len(material.encode("utf-8")) > MAX_KEY_MATERIAL_BYTES:
        raise KeyMaterialError(f"key material is longer than {MAX_KEY_MATERIAL_BYTES} bytes")
    text = material.strip()
    if text.startswith("{"):
        return JwtKey(kid, algorithm, _key_from_jwk(algorithm, text))
    if algorithm in HMAC_ALGORITHMS:
        return JwtKey(kid, algorithm, _hmac_secret(algorithm, material))
    return JwtKey(kid, algorithm, _public_key_from_pem(algorithm, text))


def _hmac_secret(algorithm: str, material: str) -> bytes:
    if material.lstrip().startswith(_LOOKS_LIKE_KEY):
        # An HMAC "secret" that is a public key is exactly what the HS256/RS256 confusion attack uses.
        raise KeyMaterialError(f"{algorithm} needs a shared secret, not a public key or JWK")
    secret = material.encode("utf-8")
    minimum = _HMAC_MIN_BYTES[algorithm]
    if len(secret) < minimum:
        raise KeyMaterialError(f"{algorithm} secret must be at least {minimum} bytes long")
    return secret


def _public_key_from_pem(algorithm: str, text: str) -> Any:
    if "PRIVATE KEY" in text:
        raise KeyMaterialError("give the public key, not the private key")
    try:
        key = load_pem_public_key(text.encode("utf-8"))
    except (ValueError, TypeError) as exc:
        raise KeyMaterialError(f"{algorithm} needs a PEM public key (-----BEGIN PUBLIC KEY-----)") from exc
    except Exception as exc:  # cryptography raises UnsupportedAlgorithm for unknown key types
        raise KeyMaterialError(f"unsupported public key: {type(exc).__name__}") from exc
    _check_key_fits(algorithm, key)
    return key


def _key_from_jwk(algorithm: str, text: str) -> Any:
    try:
        jwk = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise KeyMaterialError("key material starting with '{' must be a JWK (JSON object)") from exc
    if not isinstance(jwk, dict):
        raise KeyMaterialError("a JWK must be a JSON object")
    expected_kty = _JWK_KTY[algorithm[:2]]
    if jwk.get("kty") != expected_kty:
        raise KeyMaterialError(f"{algorithm} needs a JWK with kty {expected_kty!r}")
    if "alg" in jwk and jwk["alg"] != algorithm:
        raise KeyMaterialError(f"the JWK says alg {jwk.get('alg')!r}, the key is configured for {algorithm}")
    if expected_kty != "oct" and "d" in jwk:
        raise KeyMaterialError("give the public JWK, not the private one (remove 'd')")
    try:
        key = jwt.PyJWK(jwk, algorithm).key
    except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
        raise KeyMaterialError(f"invalid JWK for {algorithm}: {type(exc).__name__}") from exc
    if expected_kty == "oct":
        secret = key if isinstance(key, bytes) else bytes(key)
        if len(secret) < _HMAC_MIN_BYTES[algorithm]:
            raise KeyMaterialError(
                f"{algorithm} secret must be at least {_HMAC_MIN_BYTES[algorithm]} bytes long"
            )
        return secret
    _check_key_fits(algorithm, key)
    return key


def _check_key_fits(algorithm: str, key: Any) -> None:
    family = algorithm[:2]
    if family in ("RS", "PS"):
        if not isinstance(key, rsa.RSAPublicKey):
            raise KeyMaterialError(f"{algorithm} needs an RSA public key")
        if key.key_size < MIN_RSA_BITS:
            raise KeyMaterialError(f"RSA keys must have at least {MIN_RSA_BITS} bits, got {key.key_size}")
    elif family == "ES":
        if not isinstance(key, ec.EllipticCurvePublicKey):
            raise KeyMaterialError(f"{algorithm} needs an EC public key")
        if not isinstance(key.curve, _EC_CURVES[algorithm]):
            raise KeyMaterialError(f"{algorithm} needs a key on curve {_EC_CURVES[algorithm].name}")
    elif not isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        raise KeyMaterialError("EdDSA needs an Ed25519 or Ed448 public key")


_TIME_CLAIMS = ("exp", "nbf", "iat")


def _check_numeric_dates(claims: Mapping[str, Any]) -> None:
    """RFC 7519 §2: ``exp``, ``nbf`` and ``iat`` are NumericDates, JSON numbers. PyJWT ``int()``s them,
    so ``"exp": "4102444800"`` (a string) or ``true`` would pass; refused like any invalid token."""
    for name in _TIME_CLAIMS:
        if name not in claims:
            continue
        value = claims[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise TokenRejected(f"claim {name!r} is not a NumericDate (a JSON number)")


def _repeats_a_name(segment: str) -> bool:
    """True when the base64url JSON ``segment`` has an object with a repeated member name. Anything that
    does not decode is left to PyJWT, which refuses it."""
    try:
        strict_json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)).decode("utf-8"))
    except strict_json.DuplicateKey:
        return True
    except (ValueError, TypeError, RecursionError, binascii.Error):
        return False
    return False


MAX_ROLES = 32
_ROLE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def parse_claim_path(path: str) -> tuple[str, ...]:
    """``"org.tenant"`` → ``("org", "tenant")``; raises ValueError for empty segments or too many of them."""
    if not isinstance(path, str) or not path:
        raise ValueError("a claim path must be a non-empty string")
    segments = tuple(path.split("."))
    if any(not segment for segment in segments):
        raise ValueError("a claim path has no empty segments (no leading, trailing or double dots)")
    if len(segments) > MAX_CLAIM_PATH_SEGMENTS:
        raise ValueError(f"a claim path has at most {MAX_CLAIM_PATH_SEGMENTS} segments")
    return segments


def claim_at_path(claims: Mapping[str, Any], path: Sequence[str]) -> Any:
    """The value at ``path`` in ``claims``, or None.

    A claim whose *name* is the whole dotted path wins over nested lookup, so namespaced claims such as
    ``https://example.com/tenant`` work as written.
    """
    whole = ".".join(path)
    if whole in claims:
        return claims[whole]
    node: Any = claims
    for segment in path:
        if not isinstance(node, Mapping) or segment not in node:
            return None
        node = node[segment]
    return node


class JwtVerifier:
    """Verifies tokens against pinned keys; built once per plugin configuration, shared by all threads."""

    def __init__(
        self,
        keys: Iterable[JwtKey],
        *,
        algorithms: Iterable[str],
        claim_path: Sequence[str],
        roles_path: Sequence[str] | None = None,
        issuer: str | None = None,
        audience: str | None = None,
        leeway: int = 0,
        required_claims: Iterable[str] = ("exp",),
        max_token_bytes: int = 8192,
    ) -> None:
        self.algorithms = frozenset(algorithms)
        if "none" in {alg.lower() for alg in self.algorithms}:
            raise ValueError("the 'none' algorithm is never accepted")
        self.keys: dict[str, JwtKey] = {}
        for key in keys:
            if key.algorithm not in self.algorithms:
                raise ValueError(
                    f"key {key.kid!r} uses {key.algorithm}, which is not in the allowed algorithms"
                )
            if key.kid in self.keys:
                raise ValueError(f"kid {key.kid!r} is configured twice")
            self.keys[key.kid] = key
        self.claim_path = tuple(claim_path)
        self.roles_path = tuple(roles_path) if roles_path else None
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.required_claims = list(required_claims)
        self.max_token_bytes = max_token_bytes

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims when it is valid; raises :class:`TokenRejected` otherwise."""
        if not isinstance(token, str) or not token:
            raise TokenRejected("empty token")
        if len(token) > self.max_token_bytes:
            raise TokenRejected(f"token longer than {self.max_token_bytes} bytes")
        if not token.isascii() or token.count(".") != 2:
            raise TokenRejected("malformed token (not three base64url segments)")
        header_segment, claims_segment, _ = token.split(".")
        if _repeats_a_name(header_segment) or _repeats_a_name(claims_segment):
            raise TokenRejected("a name repeated in the token's header or claims")
        key = self._key_for(token)
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[key.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": self.required_claims, "verify_signature": True},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenRejected("token expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise TokenRejected("token not yet valid (nbf/iat in the future)") from exc
        except jwt.InvalidSignatureError as exc:
            raise TokenRejected(f"bad signature for kid {key.kid!r}") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise TokenRejected(f"missing required claim {exc.claim!r}") from exc
        except jwt.InvalidAudienceError as exc:
            raise TokenRejected("audience not accepted") from exc
        except jwt.InvalidIssuerError as exc:
            raise TokenRejected("issuer not accepted") from exc
        except (jwt.PyJWTError, ValueError, TypeError, RecursionError) as exc:
            raise TokenRejected(f"invalid token ({type(exc).__name__})") from exc
        if not isinstance(claims, dict):
            raise TokenRejected("token payload is not a JSON object")
        _check_numeric_dates(claims)
        return claims

    def tenant_claim(self, claims: Mapping[str, Any]) -> Any:
        """The raw value of the configured tenant claim (None when absent); the caller checks its syntax."""
        return claim_at_path(claims, self.claim_path)

    def roles(self, claims: Mapping[str, Any]) -> tuple[str, ...]:
        """The caller's roles from ``roles_path``: a list of names, or one space-separated string (OAuth
        ``scope`` style). Bounded: at most MAX_ROLES, each ``[A-Za-z0-9_.:-]{1,64}``; others are dropped."""
        if self.roles_path is None:
            return ()
        value = claim_at_path(claims, self.roles_path)
        if isinstance(value, str):
            value = value.split()
        if not isinstance(value, list):
            return ()
        names = [v for v in value[: MAX_ROLES * 4] if isinstance(v, str) and _ROLE.fullmatch(v)]
        return tuple(dict.fromkeys(names))[:MAX_ROLES]

    def _key_for(self, token: str) -> JwtKey:
        try:
            header = jwt.get_unverified_header(token)
        except (jwt.PyJWTError, ValueError, TypeError, RecursionError) as exc:
            raise TokenRejected(f"undecodable token header ({type(exc).__name__})") from exc
        alg = header.get("alg")
        if not isinstance(alg, str):
            raise TokenRejected("token header has no alg")
        if alg.lower() == "none":
            raise TokenRejected("alg 'none' is never accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid or len(kid) > MAX_KID_LENGTH:
            raise TokenRejected("token header has no usable kid")
        key = self.keys.get(kid)
        if key is None:
            raise TokenRejected("unknown kid")
        if alg != key.algorithm:
            # e.g. HS256 with the kid of an RSA key: the public key would become an HMAC secret.
            raise TokenRejected(f"alg {alg[:16]!r} does not match the {key.algorithm} key of kid {kid!r}")
        return key
