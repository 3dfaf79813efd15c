"""The payload texts of ``include_payloads`` (pure: no Kong): what is read from each body shape, what is
withheld, and that a payload read back from the context is bounded again."""

from __future__ import annotations

import json

from kong_plugins.ai_audit_log.payloads import (
    DEFAULT_DETECTORS,
    PayloadPolicy,
    answer_text,
    prompt_text,
    sanitize_payload,
)
from kong_plugins.ai_output_redactor.detectors import MAX_FINDINGS_PER_TEXT

POLICY = PayloadPolicy.build(DEFAULT_DETECTORS, 8192)


def test_prompt_shapes() -> None:
    anthropic = {
        "system": [{"type": "text", "text": "Be brief."}],
        "messages": [{"role": "user", "content": "hi"}],
    }
    assert prompt_text(json.dumps(anthropic).encode()) == "system: Be brief.\nuser: hi"
    parts = {
        "messages": [{"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "image_url"}]}]
    }
    assert prompt_text(json.dumps(parts).encode()) == "user: a"
    assert prompt_text(b'{"model": "m", "prompt": ["one", "two"]}') == "one\ntwo"
    assert prompt_text(b'{"input": "embed me"}') == "embed me"
    assert prompt_text(b'{"other": 1}') == '{"other": 1}'  # unknown shape: the body as it is
    assert prompt_text(b"plain \xff text") == "plain \ufffd text"


def test_answer_shapes() -> None:
    anthropic = {"type": "message", "content": [{"type": "text", "text": "Hello"}, {"type": "tool_use"}]}
    assert answer_text(json.dumps(anthropic).encode(), None, 1 << 20) == "Hello"
    legacy = {"choices": [{"text": "one"}, {"text": "two"}]}
    assert answer_text(json.dumps(legacy).encode(), None, 1 << 20) == "one\ntwo"
    error = b'{"error": {"message": "overloaded"}}'
    assert answer_text(error, None, 1 << 20) == error.decode()
    stream = (
        b'event: content_block_delta\ndata: {"type": "content_block_delta", "delta": {"text": "Hi "}}\n\n'
        b'event: content_block_delta\ndata: {"type": "content_block_delta", "delta": {"text": "there"}}\n\n'
    )
    assert answer_text(stream, None, 1 << 20) == "Hi there"
    assert answer_text(b"not gzip", "gzip", 1 << 20) is None  # undecodable: the caller withholds it


def test_too_many_findings_is_withheld_never_stored_unredacted() -> None:
    text = " ".join(f"u{n}@example.com" for n in range(MAX_FINDINGS_PER_TEXT + 1))
    payload = POLICY.payload(text)
    assert payload == {
        "text": None,
        "truncated": False,
        "bytes": None,
        "redactions": None,
        "withheld": "too_many_findings",
    }


def test_only_the_configured_detectors_run() -> None:
    emails_only = PayloadPolicy.build(["email"], 8192)
    payload = emails_only.payload("a@example.com 4111 1111 1111 1111")
    assert payload["text"] == "[REDACTED:EMAIL] 4111 1111 1111 1111"
    assert payload["redactions"] == {"email": 1}


def test_a_payload_read_back_from_the_context_is_bounded_again() -> None:
    hostile = {"text": "é" * 100, "truncated": "yes", "bytes": -1, "redactions": {"x": True}, "withheld": "?"}
    assert sanitize_payload(hostile, 11) == {
        "text": "é" * 5,
        "truncated": False,
        "bytes": None,
        "redactions": None,
        "withheld": None,
    }
    assert sanitize_payload("text", 11) is None
