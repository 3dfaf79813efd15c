"""Fuzz targets: the parsers that read untrusted bytes, each with the only exceptions it may raise.

Each target takes raw bytes and calls one parser; anything else it raises is a finding (the plugin would
answer 500). Shared by the atheris harness (``fuzz/run``, coverage-guided, bounded in time, not in CI) and
usable from any other fuzzer; tests/unit/hostile/test_parser_properties.py checks the same properties with
hypothesis in CI.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable

from kong_plugins.ai_action_authz.facts import UnreadableBody, read_document
from kong_plugins.ai_action_authz.mcp import listed_tools
from kong_plugins.ai_action_authz.output import parse_output
from kong_plugins.ai_input_guard.body import BodyLimits, parse_json
from kong_plugins.ai_input_guard.rejection import Rejection
from kong_plugins.ai_output_redactor.answer import process_answer
from kong_plugins.ai_output_redactor.handler import Plugin as Redactor
from kong_plugins.ai_tenant_resolver.jwt_verify import JwtVerifier, TokenRejected, load_key
from kong_plugins.ai_token_limiter.usage import parse_usage

_LIMITS = BodyLimits(max_body_bytes=1 << 20, max_depth=32, max_string_length=10000, max_array_length=1000)
_REDACTOR = Redactor({})
_VERIFIER = JwtVerifier(
    [load_key("hs-1", "HS256", "fuzzing-secret-fuzzing-secret-fuzz")],
    algorithms=["HS256"],
    claim_path=("tenant_id",),
    required_claims=(),
)


def request_json(data: bytes) -> None:
    with contextlib.suppress(Rejection):
        parse_json(data, _LIMITS)


def authz_body(data: bytes) -> None:
    for mcp in (False, True):
        with contextlib.suppress(UnreadableBody):
            read_document(data, mcp=mcp)


def answers(data: bytes) -> None:
    for content_type in ("application/json", "text/event-stream", "text/plain"):
        process_answer(_REDACTOR.settings, {"content-type": content_type}, data, lambda: "t", lambda: "t")
    parse_output(data)
    parse_usage(data)
    listed_tools(data)


def jwt(data: bytes) -> None:
    with contextlib.suppress(TokenRejected):
        _VERIFIER.verify(data.decode("utf-8", "replace"))


TARGETS: dict[str, Callable[[bytes], None]] = {
    "request_json": request_json,
    "authz_body": authz_body,
    "answers": answers,
    "jwt": jwt,
}

SEEDS: dict[str, list[bytes]] = {
    "request_json": [
        json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}).encode()
    ],
    "authz_body": [b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{}}}'],
    "answers": [
        b'{"choices":[{"message":{"content":"a@b.com","tool_calls":[{"function":{"arguments":"{}"}}]}}]}',
        b'data: {"choices":[{"delta":{"content":"a@b"}}]}\n\n'
        b'data: {"choices":[{"delta":{"content":".com"}}]}\n\n',
    ],
    "jwt": [b"eyJhbGciOiJIUzI1NiIsImtpZCI6ImhzLTEifQ.eyJ0ZW5hbnRfaWQiOiJhY21lIn0.c2ln"],
}
