"""Real usage from upstream bodies: OpenAI and Anthropic JSON, SSE usage chunks, deltas counted, bounds."""

from __future__ import annotations

import gzip
import json
import zlib
from typing import Any

from kong_plugins.ai_token_limiter.usage import (
    COUNTED,
    MAX_BODY_BYTES,
    NO_USAGE,
    PARTIAL,
    REPORTED,
    Usage,
    parse_encoded_usage,
    parse_usage,
)


def sse(*events: Any, named: bool = False) -> bytes:
    out = b""
    for event in events:
        data = event if isinstance(event, str) else json.dumps(event)
        name = f"event: {event.get('type')}\n" if named and isinstance(event, dict) else ""
        out += f"{name}data: {data}\n\n".encode()
    return out


def chunk(
    content: str | None = None, usage: dict[str, int] | None = None, choices: bool = True
) -> dict[str, Any]:
    body: dict[str, Any] = {"id": "c", "object": "chat.completion.chunk"}
    body["choices"] = [{"index": 0, "delta": {"content": content}}] if choices else []
    if usage is not None:
        body["usage"] = usage
    return body


def test_openai_json_usage() -> None:
    body = {
        "choices": [{"message": {"content": "hi"}}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 5},
    }
    assert parse_usage(json.dumps(body).encode()) == Usage(12, 5, REPORTED)


def test_embeddings_report_only_prompt_tokens() -> None:
    assert parse_usage(b'{"data":[],"usage":{"prompt_tokens":9,"total_tokens":9}}') == Usage(9, 0, REPORTED)


def test_anthropic_json_usage_counts_cached_input_as_prompt() -> None:
    usage = {
        "input_tokens": 10,
        "output_tokens": 7,
        "cache_read_input_tokens": 100,
        "cache_creation_input_tokens": 5,
    }
    assert parse_usage(json.dumps({"type": "message", "usage": usage}).encode()) == Usage(
        115, 7, REPORTED, 100, 5
    )


def test_openai_cached_prompt_tokens_are_kept_apart() -> None:
    usage = {"prompt_tokens": 12, "completion_tokens": 5, "prompt_tokens_details": {"cached_tokens": 8}}
    assert parse_usage(json.dumps({"usage": usage}).encode()) == Usage(12, 5, REPORTED, 8)
    stream = f"data: {json.dumps({'choices': [], 'usage': usage})}\n\ndata: [DONE]\n\n"
    assert parse_usage(stream.encode()) == Usage(12, 5, REPORTED, 8)


def test_json_without_usage_counts_the_answer_text() -> None:
    body = {"choices": [{"message": {"content": "x" * 41}}]}
    assert parse_usage(json.dumps(body).encode()) == Usage(None, 11, COUNTED)
    tool = {"choices": [{"message": {"content": None, "tool_calls": [{"function": {"arguments": "a" * 8}}]}}]}
    assert parse_usage(json.dumps(tool).encode()) == Usage(None, 2, COUNTED)
    anthropic = {"content": [{"type": "text", "text": "abcd" * 3}]}
    assert parse_usage(json.dumps(anthropic).encode()) == Usage(None, 3, COUNTED)


def test_openai_stream_final_usage_chunk_wins() -> None:
    usage = {"prompt_tokens": 8, "completion_tokens": 3, "total_tokens": 11}
    body = sse(
        chunk(""),
        chunk("Echo:"),
        chunk(" hello"),
        chunk(" world"),
        chunk(None, choices=False) | {"usage": None},
        chunk(None, usage, choices=False),
        "[DONE]",
    )
    assert parse_usage(body) == Usage(8, 3, REPORTED)


def test_openai_stream_without_usage_counts_deltas() -> None:
    pieces = ["Echo:", " a", " longerwordthanfour", " b"]
    body = sse(chunk(""), *(chunk(p) for p in pieces), "[DONE]")
    chars = sum(len(p) for p in pieces)
    # max(4 deltas, ceil(chars / 4)): the larger of the two estimates
    assert parse_usage(body) == Usage(None, max(4, -(-chars // 4)), COUNTED)


def test_anthropic_stream_usage_and_a_cut_stream() -> None:
    start = {"type": "message_start", "message": {"usage": {"input_tokens": 20, "output_tokens": 0}}}
    deltas = [{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "ab"}}] * 3
    end = {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 3}}
    assert parse_usage(sse(start, *deltas, end, named=True)) == Usage(20, 3, REPORTED)
    # cut before message_delta: the start's 0 is not trusted, the deltas are counted, as a lower bound
    assert parse_usage(sse(start, *deltas, named=True)) == Usage(20, 3, PARTIAL)


def test_crlf_multiline_and_garbage_events() -> None:
    body = b'data: {"choices":[{"delta":{"content":"abc"}}]}\r\n\r\ndata: not json\r\n\r\n: comment\r\n\r\n'
    assert parse_usage(body) == Usage(None, 1, PARTIAL)  # no [DONE]: the stream may have been cut
    assert parse_usage(body + b"data: [DONE]\n\n") == Usage(None, 1, COUNTED)


def test_nothing_usable() -> None:
    assert parse_usage(b"") == NO_USAGE
    assert parse_usage(None) == NO_USAGE
    assert parse_usage(b"<html>bad gateway</html>") == NO_USAGE
    assert parse_usage(b'{"usage": {"prompt_tokens": -1, "completion_tokens": "x"}}') == NO_USAGE
    assert parse_usage(b"[" * 100_000) == NO_USAGE  # deep nesting: refused, not a crash
    huge = b'{"usage":{"prompt_tokens":1,"completion_tokens":1},"pad":"' + b"x" * MAX_BODY_BYTES + b'"}'
    assert parse_usage(huge) == NO_USAGE  # over the bound: not parsed


def test_compressed_bodies_are_decoded_within_the_bound() -> None:
    body = json.dumps({"usage": {"prompt_tokens": 12, "completion_tokens": 5}}).encode()
    assert parse_encoded_usage(gzip.compress(body), "gzip") == Usage(12, 5, REPORTED)
    assert parse_encoded_usage(zlib.compress(body), "deflate") == Usage(12, 5, REPORTED)
    assert parse_encoded_usage(body, None) == parse_encoded_usage(body, "identity") == Usage(12, 5, REPORTED)
    bomb = gzip.compress(b"{" + b" " * MAX_BODY_BYTES + body[1:])  # the usage lies past the bound
    assert parse_encoded_usage(bomb, "gzip") == NO_USAGE
    assert parse_encoded_usage(body, "zstd") == NO_USAGE
    # a PDK str carries undecodable bytes as lone surrogates: they go back to the exact bytes
    as_str = gzip.compress(body).decode("utf-8", "surrogateescape")
    assert parse_encoded_usage(as_str, "gzip") == Usage(12, 5, REPORTED)


def test_a_stream_of_several_choices_ends_only_when_every_choice_finished() -> None:
    """n > 1: one choice's finish_reason must not make a stream cut inside another choice look complete."""

    def choice(index: int, content: str, finish: str | None = None) -> dict[str, Any]:
        return {"choices": [{"index": index, "delta": {"content": content}, "finish_reason": finish}]}

    both_open = [choice(0, "ab"), choice(1, "cd")]
    first_done = sse(*both_open, choice(0, "", "stop"), choice(1, "ef"))
    assert parse_usage(first_done).source == PARTIAL  # choice 1 was cut: settle the reservation
    assert parse_usage(first_done + sse(choice(1, "", "stop"))).source == COUNTED
    assert parse_usage(first_done + b"data: [DONE]\n\n").source == COUNTED
    many = sse(*(choice(i, "x", "stop") for i in range(300)))
    assert parse_usage(many) == Usage(None, 300, PARTIAL)  # past the tracked choices: cut, deltas all counted
