"""``include_payloads``: the prompt and the answer stored redacted (ai-output-redactor's detectors, mask
mode), then capped at ``max_payload_bytes``; absent by default; records still valid against the JSON Schema
(``AuditRoute.records`` validates each) and the tenant's hash chain still verifies."""

from __future__ import annotations

import json

import pytest
from integration.ai_audit_log.audit_support import GUARD, AuditEnv, chat

pytestmark = [pytest.mark.redis, pytest.mark.harness]

EMAIL = "jane.doe@example.com"
CARD = "4111 1111 1111 1111"


def card_in(text: str) -> bool:
    """The card in any spacing; a bare "4111" could be part of a hex hash in the record."""
    return any(form in text for form in (CARD, CARD.replace(" ", ""), CARD.replace(" ", "-"), "4111 1111"))


SECRET = f"Mail {EMAIL} and charge card {CARD} today."
VERBATIM = {"X-Mock-Verbatim": "1"}  # the mock answers with the last user message, as sent


def assert_masked(payload: dict, *, text_has: str) -> None:
    assert payload["withheld"] is None and payload["truncated"] is False
    assert payload["redactions"] == {"credit_card": 1, "email": 1}
    assert "[REDACTED:EMAIL]" in payload["text"] and "[REDACTED:CREDIT_CARD]" in payload["text"]
    assert EMAIL not in payload["text"] and CARD not in payload["text"] and "4111" not in payload["text"]
    assert text_has in payload["text"]


def test_without_include_payloads_the_record_has_no_payloads(audit: AuditEnv) -> None:
    route = audit.route(buffer_answer=True)
    response = route.send(chat(SECRET), headers=VERBATIM)
    assert response.status_code == 200 and EMAIL in response.text
    record = route.record_of(response)
    assert "payloads" not in record and record["output_hash"] is not None
    assert EMAIL not in json.dumps(record) and not card_in(json.dumps(record))
    stats = route.gateway.request_stats(response.headers["X-Kong-Request-Id"])
    assert stats["pdk_calls"]["ai-audit-log"]["access"] == 4  # unchanged: enable_buffering, get, body, set


def test_prompt_and_answer_are_stored_masked(audit: AuditEnv) -> None:
    guard = (GUARD, {"format": "openai-chat"})
    route = audit.route(before=[guard], buffer_answer=True, include_payloads=True)
    body = chat(SECRET)
    body["messages"].insert(0, {"role": "system", "content": "You are terse."})
    response = route.send(body, headers=VERBATIM)
    assert response.status_code == 200 and EMAIL in response.text  # the client's answer is not redacted
    record = route.record_of(response)
    prompt, output = record["payloads"]["prompt"], record["payloads"]["output"]
    assert prompt["text"] == (
        "system: You are terse.\nuser: Mail [REDACTED:EMAIL] and charge card [REDACTED:CREDIT_CARD] today."
    )
    assert_masked(prompt, text_has="system: You are terse.")
    assert output["text"] == "Mail [REDACTED:EMAIL] and charge card [REDACTED:CREDIT_CARD] today."
    assert_masked(output, text_has="charge card")
    assert output["bytes"] == len(output["text"].encode())
    assert EMAIL not in json.dumps(record) and not card_in(json.dumps(record))
    # the guard hashed the body; reading it again for the prompt is one PDK call in access
    stats = route.gateway.request_stats(response.headers["X-Kong-Request-Id"])
    assert stats["pdk_calls"]["ai-audit-log"]["access"] == 4  # enable_buffering, get, get_raw_body, set
    verified = route.cli("verify", "--tenant", "acme")
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_a_gzip_answer_is_decoded_before_it_is_redacted(audit: AuditEnv) -> None:
    route = audit.route(buffer_answer=True, include_payloads=True)
    response = route.send(chat(SECRET), headers={**VERBATIM, "X-Mock-Content-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    output = route.record_of(response)["payloads"]["output"]
    assert_masked(output, text_has="charge card")


def test_a_long_answer_is_cut_after_redaction_on_a_character_boundary(audit: AuditEnv) -> None:
    route = audit.route(buffer_answer=True, include_payloads=True, max_payload_bytes=256)
    # the email straddles byte 256 of the answer: cut first, "jane.doe@exampl" would be kept (no detector
    # sees a half address); redacted first, the cut falls in the mask
    straddling = "é" * 120 + " " + EMAIL + " " + "é" * 2000
    response = route.send(chat(straddling), headers=VERBATIM)
    assert response.status_code == 200 and len(response.content) > 4000
    record = route.record_of(response)
    output, prompt = record["payloads"]["output"], record["payloads"]["prompt"]
    assert output["text"] == "é" * 120 + " [REDACTED:EMAIL"  # 256 bytes: the mask is cut, not the address
    assert prompt["text"] == "user: " + "é" * 120 + " [REDACTED"  # 256 bytes
    for payload in (output, prompt):
        assert payload["truncated"] is True and payload["redactions"] == {"email": 1}
        assert payload["bytes"] > 4000  # the whole redacted text's size, of which 256 bytes are kept
    assert "jane" not in json.dumps(record)
    # "é" is 2 bytes: after one ASCII byte, byte 256 is the first half of a character, which is dropped
    odd = "x" + "é" * 2000
    response = route.send(chat(odd), headers=VERBATIM)
    record = route.record_of(response)
    assert record["payloads"]["output"]["text"] == "x" + "é" * 127  # 255 bytes
    assert record["payloads"]["prompt"]["text"] == "user: x" + "é" * 124  # 255 bytes
    assert (
        record["payloads"]["output"]["truncated"] is True
        and record["payloads"]["output"]["redactions"] is None
    )
    verified = route.cli("verify", "--tenant", "acme")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "OK, 2 records" in verified.stdout


def test_a_buffered_stream_is_stored_as_its_text(audit: AuditEnv) -> None:
    route = audit.route(buffer_answer=True, include_payloads=True)
    headers = {**VERBATIM, "X-Mock-Piece-Chars": "3"}  # the email arrives split over several deltas
    response = route.send(chat(SECRET, stream=True), headers=headers)
    assert response.status_code == 200 and b"data: [DONE]" in response.content
    output = route.record_of(response)["payloads"]["output"]
    assert output["text"] == "Mail [REDACTED:EMAIL] and charge card [REDACTED:CREDIT_CARD] today."
    assert_masked(output, text_has="today.")


def test_a_streamed_answer_on_a_route_that_does_not_buffer_has_no_output_payload(audit: AuditEnv) -> None:
    route = audit.route(include_payloads=True)
    response = route.send(chat(SECRET, stream=True), headers=VERBATIM)
    assert response.status_code == 200 and b"data: [DONE]" in response.content
    record = route.record_of(response)
    assert record["output_hash"] is None and record["payloads"]["output"] is None  # Kong streamed it
    assert_masked(record["payloads"]["prompt"], text_has="user: Mail")
    assert EMAIL not in json.dumps(record)
    stats = route.gateway.request_stats(response.headers["X-Kong-Request-Id"])
    assert stats["pdk_calls"]["ai-audit-log"]["access"] == 3  # get, get_raw_body (hash + prompt), set


def test_admin_api_refuses_a_bad_payload_config(audit: AuditEnv) -> None:
    route = audit.make_route()
    url = f"/routes/{route.route['id']}/plugins"
    for bad in ({"max_payload_bytes": 10}, {"payload_detectors": ["no_such_detector"]}):
        config = {"include_payloads": True, **bad}
        answer = audit.gateway.admin.post(url, json={"name": "ai-audit-log", "config": config})
        assert answer.status_code == 400, answer.text


def test_a_request_refused_before_the_audit_access_has_no_payloads_to_store(audit: AuditEnv) -> None:
    route = audit.route(buffer_answer=True, include_payloads=True)
    response = route.send(chat(SECRET), tenant=None)  # ai-tenant-resolver answers 401 in access
    assert response.status_code == 401
    record = route.record_of(response, tenant=None)
    assert record["payloads"] == {"prompt": None, "output": None}  # no body read, Kong's own answer
    assert record["input_hash"] is None and EMAIL not in json.dumps(record)


@pytest.mark.parametrize("stream", [False, True])
def test_a_lone_surrogate_in_the_prompt_and_the_answer_keeps_the_record(
    audit: AuditEnv, stream: bool
) -> None:
    """``"\\ud800"`` is valid JSON but not text: the payloads keep U+FFFD in its place, the record is written
    (it was lost: the redaction's RE2 encode failed in the log phase)."""
    route = audit.route(buffer_answer=True, include_payloads=True)
    response = route.send(chat(f"Mail {EMAIL} \ud800 now \udfff", stream=stream), headers=VERBATIM)
    assert response.status_code == 200, response.text
    payloads = route.record_of(response)["payloads"]
    assert payloads["prompt"]["text"] == "user: Mail [REDACTED:EMAIL] \ufffd now \ufffd"
    assert payloads["output"]["text"] == "Mail [REDACTED:EMAIL] \ufffd now \ufffd"
    verified = route.cli("verify", "--tenant", "acme")
    assert verified.returncode == 0, verified.stdout + verified.stderr
