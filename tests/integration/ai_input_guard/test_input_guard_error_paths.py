"""Refusals never quote the request: error paths name client-chosen keys only in a bounded form.

Each path segment shows at most 64 characters, then an ellipsis and a short hash; a path shows at most 16
segments; an answer lists at most 10 errors; values never appear.
"""

from __future__ import annotations

import hashlib
import json

from integration.ai_input_guard.guard_support import KEY_AUTH

INTEGERS_ONLY = {
    "format": "custom",
    "custom_schema": json.dumps({"type": "object", "additionalProperties": {"type": "integer"}}),
}
SECRET_VALUE = "value-that-must-never-come-back"


def _errors(route, consumer_key: str, body: bytes) -> tuple[list[dict[str, str]], str]:
    response = route.post(body, headers={"apikey": consumer_key})
    assert response.status_code == 400, response.text[:500]
    assert response.json()["message"] == "Invalid request"
    return response.json()["errors"], response.text


def test_a_5_kb_key_comes_back_as_64_characters_and_a_hash(guarded, consumer_key: str) -> None:
    route = guarded(INTEGERS_ONLY, before=[KEY_AUTH])
    key = "k" * 5000
    errors, text = _errors(route, consumer_key, json.dumps({key: SECRET_VALUE}).encode())
    digest = hashlib.sha256(key.encode()).hexdigest()[:8]
    assert errors == [{"path": "/" + "k" * 64 + "\u2026" + digest, "error": "expected integer"}]
    assert len(text) < 500 and SECRET_VALUE not in text
    assert route.upstream_hits() == 0


def test_two_long_keys_stay_distinguishable_and_errors_are_at_most_10(guarded, consumer_key: str) -> None:
    route = guarded(INTEGERS_ONLY, before=[KEY_AUTH])
    document = {"p" * 100 + f"-{index:02d}": f"{SECRET_VALUE}-{index}" for index in range(40)}
    errors, text = _errors(route, consumer_key, json.dumps(document).encode())
    assert len(errors) == 10
    assert len({error["path"] for error in errors}) == 10
    assert all(len(error["path"]) == 1 + 64 + 1 + 8 for error in errors)
    assert SECRET_VALUE not in text


def test_a_deep_path_shows_at_most_16_segments(guarded, consumer_key: str) -> None:
    route = guarded({**INTEGERS_ONLY, "max_depth": 30}, before=[KEY_AUTH])
    document: object = {"leaf": SECRET_VALUE}
    for level in range(40):
        document = {f"level-{level}-" + "x" * 80: document}
    errors, text = _errors(route, consumer_key, json.dumps(document).encode())
    assert errors[0]["error"] == "nesting deeper than 30 levels"
    segments = errors[0]["path"].split("/")[1:]
    assert len(segments) == 17 and segments[-1] == "\u2026"
    assert all(len(segment) <= 64 + 1 + 8 for segment in segments)
    assert SECRET_VALUE not in text and len(text) < 2500


def test_a_key_with_a_lone_surrogate_is_refused_with_a_valid_answer(guarded, consumer_key: str) -> None:
    route = guarded(before=[KEY_AUTH])
    body = b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}], "x\\ud800y": 1}'
    errors, _ = _errors(route, consumer_key, body)
    assert errors == [{"path": "/x?y", "error": "unpaired UTF-16 surrogate escape"}]
