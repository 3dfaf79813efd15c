"""Every built-in detector, through the gateway, in each kind of body the redactor reads: a JSON chat
answer, a ``text/plain`` answer, an SSE stream (one character per event, so every value is split at every
position at once), and gzip/deflate-compressed JSON. Each also has a look-alike that must pass untouched."""

from __future__ import annotations

import json

import pytest
from integration.ai_output_redactor.redactor_support import (
    SAMPLES,
    chat_content,
    facts,
    masked,
    mock_headers,
    sentence,
    stream_text,
)

DETECTORS = sorted(SAMPLES)


@pytest.mark.parametrize("name", DETECTORS)
def test_json_answer(redacted, gateway, name: str) -> None:  # type: ignore[no-untyped-def]
    value, _ = SAMPLES[name]
    response = redacted().chat(sentence(value))
    assert response.status_code == 200, response.text
    content = chat_content(response)
    assert content == sentence(masked(name, value))
    assert facts(gateway, response)["counts"] == {name: 1}


@pytest.mark.parametrize("name", DETECTORS)
def test_look_alike_passes(redacted, name: str) -> None:  # type: ignore[no-untyped-def]
    _, look_alike = SAMPLES[name]
    response = redacted().chat(sentence(look_alike))
    assert response.status_code == 200
    assert chat_content(response) == sentence(look_alike)


@pytest.mark.parametrize("name", DETECTORS)
def test_text_answer(redacted, name: str) -> None:  # type: ignore[no-untyped-def]
    value, _ = SAMPLES[name]
    response = redacted().chat(sentence(value), **mock_headers(body_format="text"))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text == sentence(masked(name, value))


@pytest.mark.parametrize("name", DETECTORS)
def test_stream_split_at_every_position(redacted, name: str) -> None:  # type: ignore[no-untyped-def]
    value, _ = SAMPLES[name]
    response = redacted().chat(sentence(value), stream=True, **mock_headers(piece_chars="1"))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    assert stream_text(response) == sentence(masked(name, value))
    assert response.text.endswith("data: [DONE]\n\n")


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
@pytest.mark.parametrize("name", DETECTORS)
def test_compressed_answer(redacted, name: str, coding: str) -> None:  # type: ignore[no-untyped-def]
    value, _ = SAMPLES[name]
    route = redacted()
    response = route.gateway.proxy.post(
        route.route.url(),
        content=json.dumps({"model": "m", "messages": [{"role": "user", "content": sentence(value)}]}),
        headers={
            "Content-Type": "application/json",
            "Accept-Encoding": "identity",
            **mock_headers(verbatim="1", content_encoding=coding),
        },
    )
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == coding
    plain = response.content  # httpx undid the coding: the redacted body was validly re-encoded
    assert json.loads(plain)["choices"][0]["message"]["content"] == sentence(masked(name, value))


@pytest.mark.parametrize("name", DETECTORS)
def test_stream_split_in_two_at_each_position(redacted, name: str) -> None:  # type: ignore[no-untyped-def]
    """One cut, at every position of the value (and just before and after it), one request each."""
    value, _ = SAMPLES[name]
    text = sentence(value)
    start = text.index(value)
    route = redacted()
    for cut in range(start, start + len(value) + 1):
        response = route.chat(text, stream=True, **mock_headers(split_at=str(cut)))
        assert stream_text(response) == sentence(masked(name, value)), cut
        assert response.text.count('"content":') == 3  # the role chunk and the two halves
