"""A catalogue of hostile inputs: what an attacker sends at each layer, as plain data.

Shared by the gateway's hostile-input tests (tests/integration/hostile) and anything that replays attacks
against a deployed gateway (a red-team command): one list, so every attack that found a defect once is tried
everywhere afterwards. Nothing here talks to Kong or Redis; the JWT forgers only need ``PyJWT`` and the
verifier's *public* material (which an attacker has too).

Each catalogue maps a short name (for reports) to the value. Every one of them must be answered by the
gateway with a 4xx (or, for values a gateway may legitimately accept, with the answer a normal request gets),
never a 5xx, a hang, or a request counted, logged or answered as another tenant.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

__all__ = [
    "EVIL_PATTERNS",
    "EVIL_SUBJECTS",
    "GATEWAY_OWNED_HEADERS",
    "HEADER_VALUE_ATTACKS",
    "TENANT_CLAIM_ATTACKS",
    "TENANT_ID_ATTACKS",
    "b64url",
    "forged_jwts",
    "json_bomb",
    "unsigned_jwt",
]

GATEWAY_OWNED_HEADERS = ("X-Tenant-ID", "X-Tenant-Tier", "X-Tenant-Region")
"""Request headers the gateway sets for the upstream (a client's copy must never get through as is)."""

TENANT_ID_ATTACKS: dict[str, str] = {
    "glob star": "*",
    "glob star suffix": "acme*",
    "glob question": "acm?",
    "glob class": "[a]cme",
    "hash tag": "{acme}",
    "open brace": "{",
    "close brace": "}",
    "colon": ":",
    "key separator": "acme:globex",
    "namespace escape": "acme}:{globex",
    "percent encoded colon": "acme%3Aglobex",
    "path traversal": "../globex",
    "anonymous marker": "~",
    "hashed-segment marker": "~h0123",
    "upper case": "ACME",
    "inner space": "ac me",
    "leading dash": "-acme",
    "comma list": "acme,globex",
    "10 KB": "a" * 10240,
    "65 chars": "a" * 65,
}
"""Tenant ids that fit in a header value (ASCII, no CR/LF): none may name or reach tenant ``acme``'s or
``globex``'s keys, except ``acme`` itself."""

TENANT_CLAIM_ATTACKS: dict[str, Any] = {
    **TENANT_ID_ATTACKS,
    "trailing space": "acme ",
    "newline": "acme\nglobex",
    "crlf": "acme\r\nX-Tenant-ID: globex",
    "nul": "acme\x00",
    "cyrillic a": "\u0430cme",
    "fullwidth": "\uff41\uff43\uff4d\uff45",
    "zero width": "ac\u200bme",
    "combining": "acme\u0301",
    "rtl override": "\u202eemca",
    "list": ["acme"],
    "object": {"id": "acme"},
    "number": 12345,
    "boolean": True,
    "null": None,
    "empty": "",
}
"""Values of a JWT tenant claim: anything JSON can carry (types included)."""

HEADER_VALUE_ATTACKS: dict[str, bytes] = {
    "obs-text latin-1": "acm\xe9".encode("latin-1"),
    "utf-8 look-alike": "\u0430cme".encode(),
    "nul": b"acme\x00",
    "tab inside": b"ac\tme",
    "8 KB": b"a" * 8192,
}
"""Raw header values (bytes) that an HTTP/1.1 parser may pass on to Kong."""

EVIL_PATTERNS: dict[str, str] = {
    "nested quantifier": "(a+)+$",
    "alternation overlap": "(a|aa)*c",
    "star of star": "(a*)*b",
    "huge counted repetition": "a{1000}{1000}{1000}",
    "counted repetition above 1000": "a{5000}",
    "nested counted repetition": "(x{1,1000}){1,1000}",
    "backreference": r"(a+)\1+$",
    "lookahead": "(?=a+)+b",
    "lookbehind": "(?<=a)b",
}
"""Regular expressions that take exponential time (or huge memory) on a backtracking engine, or use features
a linear-time engine (RE2) does not have: a pattern field must refuse them when configured or match them in
linear time."""

EVIL_SUBJECTS: dict[str, str] = {
    "many a": "a" * 5000 + "!",
    "many a then x": "a" * 5000 + "x",
    "many x": "x" * 20000,
}
"""Inputs that make the patterns above backtrack."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _segment(document: Any) -> str:
    raw = document if isinstance(document, bytes) else json.dumps(document, separators=(",", ":")).encode()
    return b64url(raw)


def unsigned_jwt(header: Any, claims: Any, signature: bytes = b"") -> str:
    """``header.claims.signature`` with no real signature (``alg: none`` and malformed tokens)."""
    return f"{_segment(header)}.{_segment(claims)}.{b64url(signature)}"


def json_bomb(depth: int) -> bytes:
    """A JSON object nested ``depth`` levels deep (``{"a":{"a":...}}``): a parser without a depth bound
    recurses once per level."""
    return b'{"a":' * depth + b"1" + b"}" * depth


def _hs256(header: dict[str, Any], claims: Any, secret: bytes) -> str:
    signing_input = f"{_segment(header)}.{_segment(claims)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def forged_jwts(
    *, kid: str, public_pem: str, tenant_claim: str = "tenant_id", tenant: str = "acme"
) -> dict[str, str]:
    """Tokens an attacker can make **without** the signing key, for the key ``kid`` whose public PEM is
    ``public_pem``: every one must be refused (401), whatever it claims."""
    now = int(time.time())
    claims = {tenant_claim: tenant, "exp": now + 3600}
    return {
        "alg none": unsigned_jwt({"alg": "none", "kid": kid}, claims),
        "alg NONE": unsigned_jwt({"alg": "NONE", "kid": kid}, claims),
        "alg none, no signature segment": unsigned_jwt({"alg": "none", "kid": kid}, claims)[:-1],
        "HS256 with the RSA public key": _hs256({"alg": "HS256", "kid": kid}, claims, public_pem.encode()),
        "HS256 with the public key, no kid": _hs256({"alg": "HS256"}, claims, public_pem.encode()),
        "unknown kid": _hs256({"alg": "HS256", "kid": "no-such-kid"}, claims, b"k" * 32),
        "kid path traversal": _hs256({"alg": "HS256", "kid": "../../../../dev/null"}, claims, b""),
        "kid sql": _hs256({"alg": "HS256", "kid": "x' UNION SELECT 'key' --"}, claims, b"key"),
        "kid not a string": unsigned_jwt({"alg": "RS256", "kid": {"$ne": None}}, claims, b"s"),
        "kid huge": unsigned_jwt({"alg": "RS256", "kid": "k" * 70000}, claims, b"s"),
        "jku injection": unsigned_jwt({"alg": "RS256", "kid": kid, "jku": "http://127.0.0.1:1/k"}, claims),
        "embedded jwk": unsigned_jwt(
            {"alg": "RS256", "kid": kid, "jwk": {"kty": "oct", "k": b64url(b"k" * 32)}}, claims, b"s"
        ),
        "header json bomb": b64url(json_bomb(5000)) + "." + _segment(claims) + ".c2ln",
        "claims json bomb": _segment({"alg": "RS256", "kid": kid}) + "." + b64url(json_bomb(5000)) + ".c2ln",
        "duplicate claims": _segment({"alg": "RS256", "kid": kid})
        + "."
        + b64url(f'{{"{tenant_claim}":"globex","{tenant_claim}":"{tenant}","exp":{now + 3600}}}'.encode())
        + ".c2ln",
        "four segments": unsigned_jwt({"alg": "RS256", "kid": kid}, claims, b"s") + ".x",
        "not base64": "eyJ!!!.eyJ???.###",
        "1 MB": unsigned_jwt({"alg": "RS256", "kid": kid}, {**claims, "pad": "x" * (1 << 20)}, b"s"),
    }
