"""Lone surrogate escapes (``"\\ud800"``, valid JSON, not text) in an answer or a redacted request: the
redactor reads the text with U+FFFD in their place and redacts it; never a 500."""

from __future__ import annotations

import json

from integration.ai_output_redactor.redactor_support import chat_content, stream_text

EMAIL = "jane.doe@example.com"


def test_a_json_answer_with_a_lone_surrogate_is_redacted(redacted) -> None:  # type: ignore[no-untyped-def]
    response = redacted().chat(f"Mail \ud800 {EMAIL} \udfff")  # json.dumps sends the escapes
    assert response.status_code == 200, response.text
    assert chat_content(response) == "Mail \ufffd [REDACTED:EMAIL] \ufffd"


def test_a_streamed_answer_with_a_lone_surrogate_is_redacted(redacted) -> None:  # type: ignore[no-untyped-def]
    response = redacted().chat(f"Mail \ud800 {EMAIL}", stream=True)
    assert response.status_code == 200, response.text
    assert stream_text(response) == "Mail \ufffd [REDACTED:EMAIL]"


def test_a_redacted_request_with_a_lone_surrogate_reaches_the_upstream(redacted) -> None:  # type: ignore[no-untyped-def]
    route = redacted({"redact_request": True, "on_violation": "flag"}, upstream="/echo")
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": f"My mail \ud800 is {EMAIL}"}]}
    response = route.send(body)
    assert response.status_code == 200, response.text
    upstream_saw = json.loads(response.json()["body"])
    assert upstream_saw["messages"][0]["content"] == "My mail \ufffd is [REDACTED:EMAIL]"
