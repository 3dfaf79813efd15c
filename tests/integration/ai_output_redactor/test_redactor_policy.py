"""Where violations go (``on_violation``), ``output_schema``, and ``redact_request`` in access."""

from __future__ import annotations

import json

import pytest
from integration.ai_output_redactor.redactor_support import chat_content, facts, mock_headers, stream_events

EMAIL = "jane.doe@example.com"
SAFE = "The response was withheld by the output policy."


def test_on_violation_block(redacted, gateway) -> None:  # type: ignore[no-untyped-def]
    route = redacted({"on_violation": "block"})
    response = route.chat(f"Mail {EMAIL}")
    assert response.status_code == 502
    assert response.json()["message"] == "Response blocked by output policy"
    assert facts(gateway, response)["counts"] == {"email": 1}
    assert chat_content(route.chat("nothing here")) == "nothing here"


def test_on_violation_replace_keeps_the_format(redacted, gateway) -> None:  # type: ignore[no-untyped-def]
    route = redacted({"on_violation": "replace"})
    answer = route.chat(f"Mail {EMAIL}")
    body = answer.json()
    assert answer.status_code == 200
    assert body["object"] == "chat.completion" and body["id"].startswith("chatcmpl-")
    assert body["choices"][0]["message"] == {"role": "assistant", "content": SAFE, "refusal": None}
    assert facts(gateway, answer)["action"] == "replace"
    stream = route.chat(f"Mail {EMAIL}", stream=True, **mock_headers(piece_chars="3"))
    events = stream_events(stream)
    assert events[-1] == "[DONE]"
    assert "".join(e["choices"][0]["delta"].get("content") or "" for e in events[:-1]) == SAFE


def test_on_violation_replace_anthropic(redacted) -> None:  # type: ignore[no-untyped-def]
    route = redacted({"on_violation": "replace", "replace_message": "Withheld."}, upstream="/v1/messages")
    body = {"model": "claude", "max_tokens": 50, "messages": [{"role": "user", "content": f"Hi {EMAIL}"}]}
    answer = route.send(body).json()
    assert answer["type"] == "message" and answer["content"] == [{"type": "text", "text": "Withheld."}]
    stream = route.send({**body, "stream": True})
    kinds = [e["type"] for e in stream_events(stream)]
    assert kinds[0] == "message_start" and kinds[-1] == "message_stop"
    assert "Withheld." in stream.text and EMAIL not in stream.text


def test_on_violation_flag_delivers_unchanged_with_a_header(redacted, gateway) -> None:  # type: ignore[no-untyped-def]
    route = redacted({"on_violation": "flag", "detector_modes": {"credit_card": "block"}})
    answer = route.chat(f"Mail {EMAIL}, card 4111 1111 1111 1111")
    assert answer.status_code == 200
    assert chat_content(answer) == f"Mail {EMAIL}, card 4111 1111 1111 1111"
    assert answer.headers["X-AI-Output-Violations"] == "credit_card,email"
    assert facts(gateway, answer)["action"] == "flag"
    assert "X-AI-Output-Violations" not in route.chat("clean").headers


SCHEMA = json.dumps(
    {
        "type": "object",
        "required": ["answer"],
        "properties": {"answer": {"type": "string", "pattern": "^[a-z ]+$"}},
    }
)


def test_output_schema(redacted, gateway) -> None:  # type: ignore[no-untyped-def]
    route = redacted({"output_schema": SCHEMA})
    good = route.chat(json.dumps({"answer": "all good"}))
    assert good.status_code == 200
    assert facts(gateway, good)["schema_valid"] is True
    for bad in (json.dumps({"answer": 42}), "not json", json.dumps({"other": "x"})):
        refused = route.chat(bad)
        assert refused.status_code == 502, bad
        assert refused.json()["message"] == "Response blocked by output policy"
        published = facts(gateway, refused)
        assert published["schema_valid"] is False and published["reason"] == "output_schema"
    assert "answer blocked: output_schema /answer: type violated" in "\n".join(gateway.kong_log())
    streamed = route.chat(json.dumps({"answer": "fine"}), stream=True, **mock_headers(piece_chars="2"))
    assert streamed.status_code == 200


@pytest.mark.parametrize("schema", ["{not json", json.dumps({"type": "string", "pattern": "(?=x)"})])
def test_output_schema_refused_when_the_instance_starts(gateway, make_route, schema: str) -> None:  # type: ignore[no-untyped-def]
    route = make_route(upstream_path="/v1/chat/completions")
    route.add_plugin("ai-output-redactor", {"output_schema": schema})
    response = gateway.proxy.post(
        route.url(), json={"model": "m", "messages": [{"role": "user", "content": "x"}]}
    )
    assert response.status_code == 500


def test_redact_request_before_the_model_sees_it(redacted, gateway) -> None:  # type: ignore[no-untyped-def]
    # flag: the echoed answer is delivered as is, so it shows exactly what the upstream received
    route = redacted({"redact_request": True, "on_violation": "flag"}, upstream="/echo")
    body = {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": f"My mail is {EMAIL}"}],
        "tools": [{"type": "function", "function": {"name": "f", "description": "write to ops@example.com"}}],
    }
    response = route.send(body)
    upstream_saw = json.loads(response.json()["body"])
    assert upstream_saw["messages"][0]["content"] == "My mail is [REDACTED:EMAIL]"
    assert upstream_saw["model"] == "gpt-4o"
    assert upstream_saw["tools"] == body["tools"]  # the application's tool definitions are left alone
    assert facts(gateway, response)["request_counts"] == {"email": 1}


def test_redact_request_block_mode_refuses_with_400(redacted) -> None:  # type: ignore[no-untyped-def]
    route = redacted({"redact_request": True, "detector_modes": {"credit_card": "block"}}, upstream="/echo")
    response = route.send({"messages": [{"role": "user", "content": "card 4111 1111 1111 1111"}]})
    assert response.status_code == 400
    assert response.json()["message"] == "Request blocked by redaction policy"


def test_redact_request_off_leaves_the_request(redacted) -> None:  # type: ignore[no-untyped-def]
    route = redacted({"on_violation": "flag"}, upstream="/echo")
    response = route.send({"messages": [{"role": "user", "content": f"mail {EMAIL}"}]})
    assert json.loads(response.json()["body"])["messages"][0]["content"] == f"mail {EMAIL}"
    assert "email" in response.headers["X-AI-Output-Violations"].split(",")
