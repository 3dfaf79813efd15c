"""Property tests of the parsers that read untrusted bytes: whatever they are given, they answer with their
documented result or their documented refusal, never another exception (which the plugin would turn into a
500) and never a hang.

* JSON request bodies: ai-input-guard's ``parse_json`` (only :class:`Rejection`).
* Answers, JSON and SSE: ai-output-redactor's ``process_answer`` (an outcome, whatever the bytes),
  ai-action-authz's ``parse_output`` and ai-token-limiter's ``parse_usage`` (never raise).
* JWTs: ai-tenant-resolver's ``JwtVerifier.verify`` (claims or :class:`TokenRejected`).

Generated inputs mix random bytes with structured ones (documents nested past Python's recursion limit,
SSE with every line ending, JWT-shaped strings) so that the interesting paths are reached. Derandomized with
a bounded number of examples: the same inputs on every run, a few seconds in all.
"""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kong_plugins.ai_action_authz.output import parse_output
from kong_plugins.ai_input_guard.body import BodyLimits, parse_json
from kong_plugins.ai_input_guard.rejection import Rejection
from kong_plugins.ai_output_redactor.answer import process_answer
from kong_plugins.ai_output_redactor.handler import Plugin as Redactor
from kong_plugins.ai_tenant_resolver.jwt_verify import JwtVerifier, TokenRejected, load_key
from kong_plugins.ai_token_limiter.usage import parse_usage
from kong_plugins.core.hostile_inputs import b64url, json_bomb

PROPERTY = settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=40)
    | st.sampled_from(["victim@example.com", "4111 1111 1111 1111", "sk-" + "a" * 40, "eyJhbGciOi"])
)
documents = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)


@st.composite
def deep_documents(draw: st.DrawFn) -> str:
    """A JSON text nested past the decoder's recursion limit, with an interesting value at the bottom."""
    depth = draw(st.sampled_from([200, 999, 1001, 3000]))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    inner = json.dumps(draw(scalars))
    return opener * depth + inner + closer * depth


json_texts = documents.map(json.dumps) | deep_documents()
chat_answers = st.builds(
    lambda content, args: json.dumps(
        {
            "model": "gpt-4o",
            "choices": [
                {
                    "message": {
                        "content": content,
                        "tool_calls": [{"id": "c", "function": {"name": "f", "arguments": args}}],
                    }
                }
            ],
            "usage": {"prompt_tokens": 3, "completion_tokens": 4},
        }
    ),
    st.text(max_size=60) | json_texts,
    json_texts,
)


@st.composite
def sse_streams(draw: st.DrawFn) -> str:
    """SSE: events whose data are JSON texts (chat chunks, deep documents) or junk, any line ending."""
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    events = []
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        data = draw(
            json_texts
            | st.text(max_size=40)
            | st.builds(
                lambda piece: json.dumps(
                    {
                        "choices": [
                            {
                                "index": 0,
                                "delta": {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]},
                            }
                        ]
                    }
                ),
                st.sampled_from(["[" * 1200, "]" * 1200, '"victim@example.com"', "{"]),
            )
        )
        field = draw(st.sampled_from(["data: ", "data:", "event: x" + newline + "data: "]))
        events.append(field + data.replace("\n", " ") + newline + newline)
    return "".join(events) + draw(st.sampled_from(["", "data: [DONE]" + newline + newline]))


answer_bodies = (
    st.binary(max_size=512)
    | json_texts.map(str.encode)
    | chat_answers.map(str.encode)
    | sse_streams().map(str.encode)
)

LIMITS = BodyLimits(max_body_bytes=1 << 20, max_depth=32, max_string_length=10000, max_array_length=1000)


@PROPERTY
@given(raw=st.binary(max_size=512) | json_texts.map(str.encode) | chat_answers.map(str.encode))
def test_request_json_parser_only_refuses_with_a_rejection(raw: bytes) -> None:
    try:
        parse_json(raw, LIMITS)
    except Rejection as rejection:
        assert 400 <= rejection.status < 500


REDACTOR = Redactor({})


@PROPERTY
@given(
    raw=answer_bodies,
    content_type=st.sampled_from(["application/json", "text/event-stream", "text/plain", "x/y"]),
)
def test_answer_readers_never_raise(raw: bytes, content_type: str) -> None:
    process_answer(REDACTOR.settings, {"content-type": content_type}, raw, lambda: "acme", lambda: "acme")
    parse_output(raw)
    parse_usage(raw)


def test_answers_nested_past_the_recursion_limit_are_read_as_text() -> None:
    """The examples that found the redactor's RecursionError, pinned (they fail on the old code)."""
    deep = "[" * 3000 + '"victim@example.com"' + "]" * 3000
    header = b64url(b'{"alg":"HS256"}')
    jwt_shaped = f"{header}.{b64url(json_bomb(3000))}.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    cases = {
        "text/event-stream": [f"data: {deep}\n\n"],
        "application/json": [
            json.dumps(
                {
                    "choices": [
                        {"message": {"content": "x", "tool_calls": [{"function": {"arguments": deep}}]}}
                    ]
                }
            ),
            json.dumps({"choices": [{"message": {"content": f"token {jwt_shaped}"}}]}),
        ],
    }
    for content_type, bodies in cases.items():
        for body in bodies:
            outcome = process_answer(
                REDACTOR.settings, {"content-type": content_type}, body.encode(), lambda: "a", lambda: "a"
            )
            assert outcome.body is not None and b"victim@example.com" not in outcome.body
            assert jwt_shaped.encode() not in outcome.body


# -- JWT ---------------------------------------------------------------------------------------------

_PRIVATE = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_PUBLIC_PEM = (
    _PRIVATE.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)
VERIFIER = JwtVerifier(
    [load_key("rsa-1", "RS256", _PUBLIC_PEM), load_key("hs-1", "HS256", "s" * 32)],
    algorithms=["RS256", "HS256"],
    claim_path=("tenant_id",),
    max_token_bytes=8192,
)
segments = (
    documents.map(lambda d: b64url(json.dumps(d).encode()))
    | st.builds(lambda d: b64url(json_bomb(d)), st.sampled_from([10, 999, 1001, 3000]))
    | st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=+/.!", max_size=60)
)
headers = st.fixed_dictionaries(
    {"alg": st.sampled_from(["RS256", "HS256", "none", "None", "ES256"]) | scalars},
    optional={"kid": st.sampled_from(["rsa-1", "hs-1", "../etc/passwd", "' OR 1=1 --"]) | scalars},
).map(lambda h: b64url(json.dumps(h).encode()))


@PROPERTY
@given(header=headers | segments, claims=segments, signature=segments)
def test_jwt_verifier_only_refuses_with_token_rejected(header: str, claims: str, signature: str) -> None:
    token = f"{header}.{claims}.{signature}"
    with pytest.raises(TokenRejected):
        VERIFIER.verify(token)


@settings(PROPERTY, max_examples=40)  # RSA signing dominates: fewer examples
@given(claims=st.dictionaries(st.text(max_size=12), documents, max_size=6))
def test_a_validly_signed_token_with_any_claims_is_accepted_or_rejected_cleanly(
    claims: dict[str, Any],
) -> None:
    """Signed with the right key: the verifier still only answers claims or TokenRejected, and the tenant
    claim comes back exactly as signed (its syntax is checked by the caller)."""
    claims = {**claims, "exp": int(time.time()) + 600}
    token = jwt.encode(claims, _PRIVATE, algorithm="RS256", headers={"kid": "rsa-1"})
    try:
        verified = VERIFIER.verify(token)
    except TokenRejected:
        return
    assert VERIFIER.tenant_claim(verified) == claims.get("tenant_id")
