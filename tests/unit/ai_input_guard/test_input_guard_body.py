"""Checks 1-3 on their own: content types, sizes, and JSON that is well-formed and bounded."""

from __future__ import annotations

import json
import time

import pytest

from kong_plugins.ai_input_guard.body import (
    BodyLimits,
    inspect_head,
    parse_json,
    require_body_size,
    require_declared_size,
)
from kong_plugins.ai_input_guard.content_type import MediaTypePolicy
from kong_plugins.ai_input_guard.rejection import Rejection

LIMITS = BodyLimits(max_body_bytes=1000, max_depth=8, max_string_length=50, max_array_length=5)


def refusal(call, *args, **kwargs) -> Rejection:
    with pytest.raises(Rejection) as raised:
        call(*args, **kwargs)
    return raised.value


@pytest.mark.parametrize(
    "header",
    [
        "application/json",
        "Application/JSON",
        "application/json; charset=utf-8",
        'application/json;charset="UTF-8"',
        "application/vnd.acme.chat+json",
        "application/merge-patch+json; charset=utf-8",
    ],
)
def test_json_media_types_are_accepted(header: str) -> None:
    MediaTypePolicy.of(["application/json"]).check(header)


@pytest.mark.parametrize(
    ("header", "category"),
    [
        (None, "missing"),
        ("text/plain", "not_allowed"),
        ("application/x-www-form-urlencoded", "not_allowed"),
        ("multipart/form-data; boundary=x", "not_allowed"),
        ("application/json; charset=latin-1", "charset"),
        ("json", "malformed"),
        ("application/json; charset", "malformed"),
        ("text/json+xml", "not_allowed"),
    ],
)
def test_other_media_types_are_415(header: str | None, category: str) -> None:
    rejection = refusal(MediaTypePolicy.of(["application/json"]).check, header)
    assert (rejection.status, rejection.check, rejection.category) == (415, "content_type", category)


def test_a_route_may_accept_other_types() -> None:
    MediaTypePolicy.of(["text/plain"]).check("text/plain; charset=iso-8859-1")
    assert refusal(MediaTypePolicy.of(["text/plain"]).check, "application/json").status == 415


def test_content_length_is_judged_before_reading() -> None:
    assert inspect_head({"content-length": "10"}, LIMITS).declared_length == 10
    assert inspect_head({"content-length": ["7", "7"]}, LIMITS).declared_length == 7
    assert inspect_head({"transfer-encoding": "chunked"}, LIMITS).chunked
    assert not inspect_head({}, LIMITS).has_body
    assert (
        refusal(require_declared_size, inspect_head({"content-length": "1001"}, LIMITS), LIMITS).status == 413
    )
    for bad in ("-1", "ten", "1e3", "7, 8", "1" * 30, "٣"):
        assert refusal(inspect_head, {"content-length": bad}, LIMITS).category == "malformed_length"


def test_body_size_as_read() -> None:
    require_body_size(b"x" * 1000, LIMITS, required=True)
    assert refusal(require_body_size, b"x" * 1001, LIMITS, required=True).status == 413
    assert refusal(require_body_size, b"", LIMITS, required=True).category == "missing"
    require_body_size(b"", LIMITS, required=False)


def test_well_formed_json_within_bounds_parses() -> None:
    document = {"a": [1, 2.5, True, None, "x" * 50], "b": {"c": {"d": -(2**63)}}, "e": "\ud83d\ude00"}
    assert parse_json(json.dumps(document).encode(), LIMITS) == {**document, "e": "😀"}


@pytest.mark.parametrize(
    ("raw", "category", "path"),
    [
        (b'{"model": "gpt', "malformed", ""),
        (b"", "malformed", ""),
        (b"\xef\xbb\xbf{}", "malformed", ""),
        (b'{"a": "\xff"}', "invalid_utf8", ""),
        (b'{"a": "\\udc00"}', "invalid_utf8", "/a"),
        (b'{"a": 1, "b": {"c": 1, "c": 2}}', "duplicate_key", "/b/c"),
        (b'{"a": NaN}', "malformed", "/a"),
        (b'{"a": [Infinity]}', "malformed", "/a/0"),
        (b'{"a": 1e400}', "huge_number", "/a"),
        (b'{"a": 9223372036854775808}', "huge_number", "/a"),
        (b'{"a": ' + b"9" * 5000 + b"}", "huge_number", ""),
        (b'{"a": "' + b"x" * 51 + b'"}', "string_too_long", "/a"),
        (b'{"' + b"k" * 51 + b'": 1}', "string_too_long", "/" + "k" * 51),
        (b'{"a": [1, 2, 3, 4, 5, 6]}', "array_too_long", "/a"),
        (b"[[[[[[[[[1]]]]]]]]]", "too_deep", "/0/0/0/0/0/0/0/0"),
        (b"[" * 10000 + b"]" * 10000, "too_deep", ""),
        (b'{"a":' * 10000, "too_deep", ""),
    ],
)
def test_bad_json_is_refused_with_where(raw: bytes, category: str, path: str) -> None:
    rejection = refusal(parse_json, raw, LIMITS)
    assert (rejection.status, rejection.check, rejection.category) == (400, "json", category)
    assert rejection.problems[0].path == path


def test_errors_never_quote_the_document() -> None:
    rejection = refusal(parse_json, b'{"secret-key-name": 1, "secret-key-name": 2}', LIMITS)
    # the reason (which Kong's log gets too) never quotes the key; the pointer names it, bounded when shown
    assert rejection.problems[0].error == "duplicate key"
    assert "secret-key-name" not in str(rejection)
    assert rejection.problems[0].path == "/secret-key-name"
    roomy = BodyLimits(max_body_bytes=10000, max_depth=8, max_string_length=1000, max_array_length=5)
    key = b"k" * 500
    rejection = refusal(parse_json, b'{"a": {"' + key + b'": 1, "' + key + b'": 2}}', roomy)
    assert (rejection.category, rejection.problems[0].path) == ("duplicate_key", "/a/" + "k" * 500)
    assert len(rejection.problems[0].to_json()["path"]) < 100
    assert len(rejection.problems[0].error) < 100  # the key is shortened


def test_huge_and_deep_inputs_are_refused_quickly() -> None:
    limits = BodyLimits(
        max_body_bytes=64 << 20, max_depth=32, max_string_length=1 << 20, max_array_length=10000
    )
    started = time.monotonic()
    for raw in (b"[" * 5_000_000, b'{"a":' * 1_000_000, b"9" * 5_000_000, b"[" + b"1," * 2_000_000 + b"1]"):
        with pytest.raises(Rejection):
            parse_json(raw, limits)
    assert time.monotonic() - started < 5
