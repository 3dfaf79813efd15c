"""The mock LLM upstream, driven over real HTTP as the gateway harness drives it.

Why these tests matter: every plugin test that involves an upstream trusts this script's shapes (OpenAI and
Anthropic JSON and SSE), its token arithmetic and its fault injection. A drift here would make plugin tests
pass or fail for the wrong reason, so each rule the script documents is pinned here.
"""

from __future__ import annotations

import base64
import http.client
import json
import math
import os
import re
import selectors
import signal
import socket
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import brotli
import httpx
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "mock_llm.py"
LISTENING_RE = re.compile(rb"^mock_llm listening on 127\.0\.0\.1:(\d+)\n")
STARTUP_DEADLINE_S = 15.0
HANG_LIMIT_S = 2.0
USER_TEXT = "Hello there, mock model"  # 23 chars -> ceil(23/4) = 6 tokens, +4 per message = 10
SYSTEM_TEXT = "You are terse."  # 14 chars -> 4 tokens, +4 = 8
FILLER_TEXT = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor"
FILLER = FILLER_TEXT.split(" ")


# --------------------------------------------------------------------------------------------------------
# Process fixtures
# --------------------------------------------------------------------------------------------------------
@dataclass
class MockProcess:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_mock(stderr_path: Path, *extra_args: str) -> MockProcess:
    """Starts the script on port 0 and waits (with a deadline) for its listening line."""
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, str(SCRIPT), "--port", "0", "--quiet", *extra_args],
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    received = b""
    deadline = time.monotonic() + STARTUP_DEADLINE_S
    try:
        while b"\n" not in received:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or process.poll() is not None:
                break
            if selector.select(timeout=remaining):
                chunk = os.read(process.stdout.fileno(), 4096)
                if not chunk:
                    break
                received += chunk
    finally:
        selector.close()
    match = LISTENING_RE.match(received)
    if match is None:
        stop_process(process)
        pytest.fail(f"mock_llm did not announce its port: {received!r}; stderr: {stderr_path.read_text()}")
    return MockProcess(process=process, port=int(match.group(1)))


def stop_process(process: subprocess.Popen[bytes]) -> int:
    process.terminate()
    try:
        return process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait(timeout=10)


@pytest.fixture(scope="module")
def mock_llm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockProcess]:
    mock = start_mock(tmp_path_factory.mktemp("mock_llm") / "stderr.log", "--hang-limit-s", str(HANG_LIMIT_S))
    yield mock
    stop_process(mock.process)


@pytest.fixture()
def client(mock_llm: MockProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=mock_llm.base_url, timeout=10.0) as http_client:
        yield http_client


# --------------------------------------------------------------------------------------------------------
# SSE parsing (per the WHATWG rules we rely on: fields per line, events end at a blank line)
# --------------------------------------------------------------------------------------------------------
@dataclass
class SseEvent:
    event: str | None
    data: str

    def json(self) -> Any:
        return json.loads(self.data)


def parse_sse(lines: Iterable[str]) -> list[SseEvent]:
    events: list[SseEvent] = []
    name: str | None = None
    data: list[str] = []
    for line in lines:
        if line == "":
            if data or name is not None:
                events.append(SseEvent(event=name, data="\n".join(data)))
            name, data = None, []
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
    if data or name is not None:
        events.append(SseEvent(event=name, data="\n".join(data)))
    return events


def stream_events(
    client: httpx.Client, path: str, body: dict[str, Any], headers: dict[str, str] | None = None
) -> tuple[httpx.Response, list[SseEvent]]:
    with client.stream("POST", path, json=body, headers=headers or {}) as response:
        events = parse_sse(response.iter_lines())
    return response, events


def openai_chunks(events: list[SseEvent]) -> list[dict[str, Any]]:
    return [e.json() for e in events if e.data != "[DONE]"]


def chat_request(**extra: Any) -> dict[str, Any]:
    return {
        "model": "gpt-test",
        "messages": [{"role": "system", "content": SYSTEM_TEXT}, {"role": "user", "content": USER_TEXT}],
        **extra,
    }


WEATHER_TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}


# --------------------------------------------------------------------------------------------------------
# Health, models, stats
# --------------------------------------------------------------------------------------------------------
def test_health_answers_ok(client: httpx.Client) -> None:
    response = client.get("/__health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_models_lists_a_few_models(client: httpx.Client) -> None:
    body = client.get("/v1/models").json()
    assert body["object"] == "list"
    assert len(body["data"]) >= 2
    assert all(model["object"] == "model" and model["id"] for model in body["data"])


def test_stats_count_requests_per_path_and_reset(client: httpx.Client) -> None:
    assert client.post("/__reset").json() == {"status": "reset"}
    client.post("/v1/chat/completions", json=chat_request())
    client.post("/v1/chat/completions", json=chat_request())
    client.get("/echo/x", params={"q": "1"})
    client.get("/__health")
    assert client.get("/__stats").json() == {
        "total": 3,
        "paths": {"/echo/x": 1, "/v1/chat/completions": 2},
    }
    client.post("/__reset")
    assert client.get("/__stats").json() == {"total": 0, "paths": {}}


def test_refused_requests_are_still_counted_as_received(client: httpx.Client) -> None:
    client.post("/__reset")
    response = client.post("/v1/chat/completions", content=b"{not json")
    assert response.status_code == 400
    assert client.get("/__stats").json()["paths"] == {"/v1/chat/completions": 1}


# --------------------------------------------------------------------------------------------------------
# OpenAI chat completions
# --------------------------------------------------------------------------------------------------------
def test_chat_completion_shape_and_token_rule(client: httpx.Client) -> None:
    response = client.post("/v1/chat/completions", json=chat_request())
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["object"] == "chat.completion"
    assert body["id"].startswith("chatcmpl-")
    assert body["model"] == "gpt-test"
    choice = body["choices"][0]
    assert choice["finish_reason"] == "stop"
    assert choice["message"]["role"] == "assistant"
    content = choice["message"]["content"]
    assert content == " ".join(["Echo:", "Hello", "there,", "mock", "model", *FILLER[:11]])
    assert body["usage"] == {"prompt_tokens": 18, "completion_tokens": 16, "total_tokens": 34}


def test_chat_counts_text_parts_and_ignores_other_parts(client: httpx.Client) -> None:
    parts = [
        {"type": "text", "text": "abcde"},
        {"type": "image_url", "image_url": {"url": "https://example.invalid/x.png"}},
        {"type": "text", "text": "fgh"},
    ]
    body = client.post(
        "/v1/chat/completions", json={"model": "m", "messages": [{"role": "user", "content": parts}]}
    ).json()
    assert body["usage"]["prompt_tokens"] == 4 + math.ceil(len("abcdefgh") / 4)
    assert body["choices"][0]["message"]["content"].startswith("Echo: abcdefgh ")


def test_chat_is_deterministic(client: httpx.Client) -> None:
    first = client.post("/v1/chat/completions", json=chat_request(max_tokens=7))
    second = client.post("/v1/chat/completions", json=chat_request(max_tokens=7))
    assert first.content == second.content


def test_max_tokens_caps_the_answer_with_finish_reason_length(client: httpx.Client) -> None:
    body = client.post("/v1/chat/completions", json=chat_request(max_tokens=3)).json()
    assert body["choices"][0]["message"]["content"] == "Echo: Hello there,"
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"]["completion_tokens"] == 3


def test_max_completion_tokens_wins_over_max_tokens(client: httpx.Client) -> None:
    body = client.post(
        "/v1/chat/completions", json=chat_request(max_tokens=10, max_completion_tokens=2)
    ).json()
    assert body["usage"]["completion_tokens"] == 2


def test_completion_tokens_header_sets_answer_length(client: httpx.Client) -> None:
    body = client.post(
        "/v1/chat/completions", json=chat_request(), headers={"X-Mock-Completion-Tokens": "40"}
    ).json()
    assert body["usage"]["completion_tokens"] == 40
    assert len(body["choices"][0]["message"]["content"].split(" ")) == 40
    assert body["choices"][0]["finish_reason"] == "stop"


def test_no_usage_header_omits_usage(client: httpx.Client) -> None:
    body = client.post("/v1/chat/completions", json=chat_request(), headers={"X-Mock-No-Usage": "1"}).json()
    assert "usage" not in body
    assert body["choices"][0]["message"]["content"]


def test_chat_stream_deltas_match_usage_and_end_with_done(client: httpx.Client) -> None:
    request = chat_request(stream=True, stream_options={"include_usage": True}, max_tokens=9)
    response, events = stream_events(client, "/v1/chat/completions", request)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["transfer-encoding"] == "chunked"
    assert events[-1].data == "[DONE]"
    chunks = openai_chunks(events)
    assert all(
        chunk["object"] == "chat.completion.chunk" and chunk["model"] == "gpt-test" for chunk in chunks
    )
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    usage_chunk = chunks[-1]
    assert usage_chunk["choices"] == []
    finish_chunk = chunks[-2]
    assert finish_chunk["choices"][0]["finish_reason"] == "length"
    deltas = [c["choices"][0]["delta"]["content"] for c in chunks[1:-2]]
    assert usage_chunk["usage"]["completion_tokens"] == len(deltas) == 9
    assert usage_chunk["usage"]["prompt_tokens"] == 18
    assert usage_chunk["usage"]["total_tokens"] == 27
    non_stream = client.post("/v1/chat/completions", json=chat_request(max_tokens=9)).json()
    assert "".join(deltas) == non_stream["choices"][0]["message"]["content"]


def test_chat_stream_without_include_usage_has_no_usage(client: httpx.Client) -> None:
    _, events = stream_events(client, "/v1/chat/completions", chat_request(stream=True, max_tokens=2))
    chunks = openai_chunks(events)
    assert events[-1].data == "[DONE]"
    assert all("usage" not in chunk for chunk in chunks)
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"


def test_no_usage_header_drops_the_usage_chunk(client: httpx.Client) -> None:
    request = chat_request(stream=True, stream_options={"include_usage": True})
    _, events = stream_events(client, "/v1/chat/completions", request, {"X-Mock-No-Usage": "1"})
    chunks = openai_chunks(events)
    assert events[-1].data == "[DONE]"
    assert all(chunk["choices"] for chunk in chunks)
    assert all("usage" not in chunk for chunk in chunks)


# --------------------------------------------------------------------------------------------------------
# Tool calls
# --------------------------------------------------------------------------------------------------------
def test_tool_call_from_header_with_arguments(client: httpx.Client) -> None:
    headers = {"X-Mock-Tool-Call": "get_weather", "X-Mock-Tool-Args": '{"city":"Paris"}'}
    body = client.post(
        "/v1/chat/completions", json=chat_request(tools=[WEATHER_TOOL]), headers=headers
    ).json()
    choice = body["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    [call] = choice["message"]["tool_calls"]
    assert call["type"] == "function"
    assert call["id"].startswith("call_")
    assert call["function"] == {"name": "get_weather", "arguments": '{"city":"Paris"}'}
    assert body["usage"]["completion_tokens"] == math.ceil((len("get_weather") + len('{"city":"Paris"}')) / 4)


def test_tool_call_from_user_message_defaults_to_empty_arguments(client: httpx.Client) -> None:
    request = {
        "model": "m",
        "tools": [WEATHER_TOOL],
        "messages": [{"role": "user", "content": "please call_tool:delete_everything now"}],
    }
    call = client.post("/v1/chat/completions", json=request).json()["choices"][0]["message"]["tool_calls"][0]
    assert call["function"] == {"name": "delete_everything", "arguments": "{}"}


def test_no_tool_call_without_declared_tools(client: httpx.Client) -> None:
    body = client.post(
        "/v1/chat/completions", json=chat_request(), headers={"X-Mock-Tool-Call": "get_weather"}
    ).json()
    assert "tool_calls" not in body["choices"][0]["message"]
    assert body["choices"][0]["finish_reason"] == "stop"


def test_streamed_tool_call_reassembles_arguments(client: httpx.Client) -> None:
    arguments = json.dumps({"city": "Paris", "units": "metric", "days": 3})
    request = chat_request(stream=True, tools=[WEATHER_TOOL], stream_options={"include_usage": True})
    headers = {"X-Mock-Tool-Call": "get_weather", "X-Mock-Tool-Args": arguments}
    _, events = stream_events(client, "/v1/chat/completions", request, headers)
    chunks = openai_chunks(events)
    tool_deltas = [
        c["choices"][0]["delta"]["tool_calls"][0]
        for c in chunks
        if c["choices"] and "tool_calls" in c["choices"][0]["delta"]
    ]
    assert tool_deltas[0]["function"]["name"] == "get_weather"
    assert tool_deltas[0]["id"].startswith("call_")
    assert len(tool_deltas) > 2
    assert "".join(d["function"]["arguments"] for d in tool_deltas) == arguments
    assert chunks[-2]["choices"][0]["finish_reason"] == "tool_calls"
    assert chunks[-1]["usage"]["completion_tokens"] == math.ceil((len("get_weather") + len(arguments)) / 4)


# --------------------------------------------------------------------------------------------------------
# Legacy completions and embeddings
# --------------------------------------------------------------------------------------------------------
def test_legacy_completion_with_usage(client: httpx.Client) -> None:
    body = client.post(
        "/v1/completions", json={"model": "davinci", "prompt": "Say this", "max_tokens": 4}
    ).json()
    assert body["object"] == "text_completion"
    assert body["model"] == "davinci"
    assert body["choices"][0]["text"] == "Echo: Say this lorem"
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"] == {"prompt_tokens": 2, "completion_tokens": 4, "total_tokens": 6}


def test_legacy_completion_stream(client: httpx.Client) -> None:
    request = {
        "model": "m",
        "prompt": ["ab", "cdefg"],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    _, events = stream_events(client, "/v1/completions", request)
    assert events[-1].data == "[DONE]"
    chunks = openai_chunks(events)
    texts = [c["choices"][0]["text"] for c in chunks if c["choices"]]
    assert "".join(texts).startswith("Echo: ab cdefg lorem")
    assert chunks[-1]["usage"] == {"prompt_tokens": 1 + 2, "completion_tokens": 16, "total_tokens": 19}


def test_embeddings_are_deterministic_small_vectors(client: httpx.Client) -> None:
    request = {"model": "emb", "input": ["first text", "second"]}
    first = client.post("/v1/embeddings", json=request).json()
    second = client.post("/v1/embeddings", json=request).json()
    assert first == second
    assert first["object"] == "list"
    assert [item["index"] for item in first["data"]] == [0, 1]
    vectors = [item["embedding"] for item in first["data"]]
    assert all(len(vector) == 8 and all(-1.0 <= x <= 1.0 for x in vector) for vector in vectors)
    assert vectors[0] != vectors[1]
    assert first["usage"] == {"prompt_tokens": 3 + 2, "total_tokens": 5}


def test_embeddings_honour_dimensions_and_base64(client: httpx.Client) -> None:
    floats = client.post("/v1/embeddings", json={"model": "e", "input": "x", "dimensions": 40}).json()
    packed = client.post(
        "/v1/embeddings", json={"model": "e", "input": "x", "dimensions": 40, "encoding_format": "base64"}
    ).json()
    vector = floats["data"][0]["embedding"]
    assert len(vector) == 40
    decoded = struct.unpack("<40f", base64.b64decode(packed["data"][0]["embedding"]))
    assert decoded == pytest.approx(vector, abs=1e-6)


def test_embeddings_reject_out_of_range_dimensions(client: httpx.Client) -> None:
    response = client.post("/v1/embeddings", json={"model": "e", "input": "x", "dimensions": 100000})
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


# --------------------------------------------------------------------------------------------------------
# Anthropic Messages
# --------------------------------------------------------------------------------------------------------
def anthropic_request(**extra: Any) -> dict[str, Any]:
    return {
        "model": "claude-test",
        "max_tokens": 5,
        "system": SYSTEM_TEXT,
        "messages": [{"role": "user", "content": [{"type": "text", "text": USER_TEXT}]}],
        **extra,
    }


def test_anthropic_message_shape(client: httpx.Client) -> None:
    body = client.post("/v1/messages", json=anthropic_request(max_tokens=100)).json()
    assert body["type"] == "message"
    assert body["role"] == "assistant"
    assert body["model"] == "claude-test"
    assert body["id"].startswith("msg_")
    assert body["stop_reason"] == "end_turn"
    [block] = body["content"]
    assert block["type"] == "text"
    assert len(block["text"].split(" ")) == 16
    assert body["usage"] == {"input_tokens": 18, "output_tokens": 16}


def test_anthropic_stream_event_order_and_usage(client: httpx.Client) -> None:
    response, events = stream_events(client, "/v1/messages", anthropic_request(stream=True))
    assert response.headers["content-type"].startswith("text/event-stream")
    names = [event.event for event in events]
    assert names == [
        "message_start",
        "content_block_start",
        *["content_block_delta"] * 5,
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert all(event.json()["type"] == event.event for event in events)
    start = events[0].json()["message"]
    assert start["usage"]["input_tokens"] == 18
    delta_texts = [e.json()["delta"]["text"] for e in events if e.event == "content_block_delta"]
    message_delta = events[-2].json()
    assert message_delta["delta"]["stop_reason"] == "max_tokens"
    assert message_delta["usage"]["output_tokens"] == len(delta_texts) == 5
    whole = client.post("/v1/messages", json=anthropic_request()).json()
    assert "".join(delta_texts) == whole["content"][0]["text"] == "Echo: Hello there, mock model"


def test_anthropic_tool_use_json_and_stream(client: httpx.Client) -> None:
    tools = [{"name": "get_weather", "input_schema": {"type": "object"}}]
    headers = {"X-Mock-Tool-Call": "get_weather", "X-Mock-Tool-Args": '{"city":"Paris","days":2}'}
    body = client.post("/v1/messages", json=anthropic_request(tools=tools), headers=headers).json()
    assert body["stop_reason"] == "tool_use"
    [block] = body["content"]
    assert block["type"] == "tool_use"
    assert block["id"].startswith("toolu_")
    assert block["name"] == "get_weather"
    assert block["input"] == {"city": "Paris", "days": 2}

    _, events = stream_events(client, "/v1/messages", anthropic_request(tools=tools, stream=True), headers)
    opening = events[1].json()["content_block"]
    assert opening["type"] == "tool_use" and opening["name"] == "get_weather"
    partial = "".join(e.json()["delta"]["partial_json"] for e in events if e.event == "content_block_delta")
    assert json.loads(partial) == {"city": "Paris", "days": 2}
    assert events[-2].json()["delta"]["stop_reason"] == "tool_use"


def test_anthropic_no_usage(client: httpx.Client) -> None:
    headers = {"X-Mock-No-Usage": "1"}
    assert "usage" not in client.post("/v1/messages", json=anthropic_request(), headers=headers).json()
    _, events = stream_events(client, "/v1/messages", anthropic_request(stream=True), headers)
    assert "usage" not in events[0].json()["message"]
    assert "usage" not in events[-2].json()


# --------------------------------------------------------------------------------------------------------
# Errors and controls
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("status", "error_type"), [(503, "server_error"), (429, "rate_limit_error")])
def test_status_header_answers_openai_style_error(client: httpx.Client, status: int, error_type: str) -> None:
    response = client.post(
        "/v1/chat/completions", json=chat_request(), headers={"X-Mock-Status": str(status)}
    )
    assert response.status_code == status
    error = response.json()["error"]
    assert error["type"] == error_type
    assert error["code"] == f"mock_status_{status}"
    assert error["message"]


def test_status_header_on_anthropic_route_is_also_anthropic_shaped(client: httpx.Client) -> None:
    response = client.post("/v1/messages", json=anthropic_request(), headers={"X-Mock-Status": "529"})
    assert response.status_code == 529
    body = response.json()
    assert body["type"] == "error"
    assert body["error"]["type"] == "overloaded_error"


@pytest.mark.parametrize("body", [b"{not json", b'["a list"]', b"\xff\xfe{}", b"[" * 100_000])
def test_invalid_json_is_a_400(client: httpx.Client, body: bytes) -> None:
    response = client.post("/v1/chat/completions", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_invalid_messages_is_a_400(client: httpx.Client) -> None:
    response = client.post("/v1/chat/completions", json={"model": "m", "messages": "hello"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("X-Mock-Latency-Ms", "30001"),
        ("X-Mock-Latency-Ms", "-1"),
        ("X-Mock-Status", "200"),
        ("X-Mock-Completion-Tokens", "5000"),
        ("X-Mock-Error", "explode"),
        ("X-Mock-Response-Header", "no colon here"),
        ("X-Mock-Content-Encoding", "zstd"),
        ("X-Mock-Pad-Bytes", str(64 * 1024 * 1024 + 1)),
        ("X-Mock-Body-Format", "xml"),
    ],
)
def test_out_of_bounds_controls_are_refused(client: httpx.Client, name: str, value: str) -> None:
    response = client.post("/v1/chat/completions", json=chat_request(), headers={name: value})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_mock_control"


def test_unknown_path_and_wrong_method(client: httpx.Client) -> None:
    assert client.get("/v2/nothing").status_code == 404
    response = client.get("/v1/chat/completions")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_response_headers_are_added_and_repeatable(client: httpx.Client) -> None:
    headers = [("X-Mock-Response-Header", "X-Upstream-One: 1"), ("X-Mock-Response-Header", "Set-Cookie: a=b")]
    response = client.post("/v1/chat/completions", json=chat_request(), headers=headers)
    assert response.headers["x-upstream-one"] == "1"
    assert response.headers["set-cookie"] == "a=b"


def test_latency_header_delays_the_response(client: httpx.Client) -> None:
    started = time.monotonic()
    response = client.post("/v1/chat/completions", json=chat_request(), headers={"X-Mock-Latency-Ms": "300"})
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3


def test_chunk_delay_spaces_events_and_each_event_is_flushed(client: httpx.Client) -> None:
    request = chat_request(stream=True, max_tokens=4)
    arrivals: list[float] = []
    with client.stream(
        "POST", "/v1/chat/completions", json=request, headers={"X-Mock-Chunk-Delay-Ms": "150"}
    ) as r:
        for line in r.iter_lines():
            if line.startswith("data: "):
                arrivals.append(time.monotonic())
    # role + 4 deltas + finish + [DONE] = 7 events, 6 gaps of 150 ms.
    assert len(arrivals) == 7
    assert arrivals[-1] - arrivals[0] >= 6 * 0.15 * 0.9
    assert arrivals[1] - arrivals[0] >= 0.15 * 0.9


def test_timeout_error_never_answers(client: httpx.Client) -> None:
    with pytest.raises(httpx.ReadTimeout):
        client.post(
            "/v1/chat/completions", json=chat_request(), headers={"X-Mock-Error": "timeout"}, timeout=0.5
        )
    assert client.get("/__health").status_code == 200


def test_timeout_error_gives_up_after_the_hang_limit(client: httpx.Client) -> None:
    started = time.monotonic()
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/v1/chat/completions", json=chat_request(), headers={"X-Mock-Error": "timeout"})
    assert HANG_LIMIT_S * 0.9 <= time.monotonic() - started < 10.0


@pytest.mark.parametrize("stream", [False, True])
def test_reset_error_breaks_the_connection(client: httpx.Client, stream: bool) -> None:
    request = chat_request(stream=stream, max_tokens=8)
    with (
        pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)),
        client.stream("POST", "/v1/chat/completions", json=request, headers={"X-Mock-Error": "reset"}) as r,
    ):
        r.read()
    assert client.get("/__health").status_code == 200


def test_reset_error_is_a_tcp_reset_not_a_clean_close(mock_llm: MockProcess) -> None:
    with socket.create_connection(("127.0.0.1", mock_llm.port), timeout=10) as sock:
        sock.sendall(b"GET /echo HTTP/1.1\r\nHost: x\r\nX-Mock-Error: reset\r\n\r\n")
        with pytest.raises(ConnectionResetError):
            while sock.recv(65536):
                pass


def test_truncated_stream_ends_cleanly_without_done_or_usage(client: httpx.Client) -> None:
    request = chat_request(stream=True, max_tokens=8, stream_options={"include_usage": True})
    response, events = stream_events(
        client, "/v1/chat/completions", request, {"X-Mock-Error": "truncated-stream"}
    )
    assert response.status_code == 200
    chunks = openai_chunks(events)
    assert all(e.data != "[DONE]" for e in events)
    assert all(c["choices"] and c["choices"][0]["finish_reason"] is None for c in chunks)
    assert all(c.get("usage") is None for c in chunks)
    assert len(chunks) == 1 + 4  # role chunk + half of the 8 deltas


def test_truncated_anthropic_stream_stops_before_message_delta(client: httpx.Client) -> None:
    _, events = stream_events(
        client, "/v1/messages", anthropic_request(stream=True), {"X-Mock-Error": "truncated-stream"}
    )
    names = [event.event for event in events]
    assert names[:2] == ["message_start", "content_block_start"]
    assert "message_delta" not in names and "message_stop" not in names


def test_truncated_json_body_is_framed_but_incomplete(client: httpx.Client) -> None:
    whole = client.post("/v1/chat/completions", json=chat_request()).content
    response = client.post(
        "/v1/chat/completions", json=chat_request(), headers={"X-Mock-Error": "truncated-stream"}
    )
    assert response.status_code == 200
    assert response.content == whole[: len(whole) // 2]
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_short_body_announces_more_than_it_sends_and_closes_cleanly(mock_llm: MockProcess) -> None:
    request = json.dumps(chat_request()).encode()
    url = f"{mock_llm.base_url}/v1/chat/completions"
    whole = httpx.post(url, content=request, headers={"Content-Type": "application/json"}, timeout=10).content
    head = (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"X-Mock-Error: short-body\r\nContent-Length: %d\r\n\r\n" % len(request)
    )
    received = b""
    with socket.create_connection(("127.0.0.1", mock_llm.port), timeout=10) as sock:
        sock.sendall(head + request)
        while chunk := sock.recv(65536):  # ends with a clean FIN, not a reset
            received += chunk
    headers, _, body = received.partition(b"\r\n\r\n")
    assert f"Content-Length: {len(whole)}".encode() in headers
    assert body == whole[: len(whole) // 2]


def test_malformed_chunked_body_is_refused(mock_llm: MockProcess) -> None:
    with socket.create_connection(("127.0.0.1", mock_llm.port), timeout=10) as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n")
        reply = sock.recv(4096)
    assert reply.startswith(b"HTTP/1.1 400 ")


def test_oversized_body_is_refused_before_reading_it(mock_llm: MockProcess) -> None:
    with socket.create_connection(("127.0.0.1", mock_llm.port), timeout=10) as sock:
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n{}")
        reply = b""
        while b"\r\n\r\n" not in reply:
            data = sock.recv(4096)
            if not data:
                break
            reply += data
    assert reply.startswith(b"HTTP/1.1 413 ")
    assert b"connection: close" in reply.lower()


def test_ambiguous_framing_is_refused(mock_llm: MockProcess) -> None:
    with socket.create_connection(("127.0.0.1", mock_llm.port), timeout=10) as sock:
        sock.sendall(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        )
        reply = sock.recv(4096)
    assert reply.startswith(b"HTTP/1.1 400 ")


def test_keep_alive_reuses_one_connection(mock_llm: MockProcess) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", mock_llm.port, timeout=10)
    try:
        bodies = []
        sockets = []
        for _ in range(3):
            connection.request("POST", "/v1/chat/completions", body=json.dumps(chat_request()))
            response = connection.getresponse()
            bodies.append(json.loads(response.read()))
            assert not response.will_close
            sockets.append(connection.sock)
        assert sockets[0] is not None and all(s is sockets[0] for s in sockets)
        assert bodies[0] == bodies[2]
    finally:
        connection.close()


# --------------------------------------------------------------------------------------------------------
# Echo
# --------------------------------------------------------------------------------------------------------
def test_echo_reports_method_path_query_and_repeated_headers_in_order(client: httpx.Client) -> None:
    headers = [("X-Dup", "first"), ("X-Other", "o"), ("X-Dup", "second")]
    body = client.request(
        "PATCH", "/echo/deep/path", params={"a": "1", "b": "2"}, headers=headers, content=b"hi"
    ).json()
    assert body["method"] == "PATCH"
    assert body["path"] == "/echo/deep/path"
    assert body["query"] == "a=1&b=2"
    assert body["body"] == "hi" and body["body_base64"] is False
    received = [(name.lower(), value) for name, value in body["headers"]]
    assert [pair for pair in received if pair[0] in ("x-dup", "x-other")] == [
        ("x-dup", "first"),
        ("x-other", "o"),
        ("x-dup", "second"),
    ]


def test_echo_returns_non_utf8_body_as_base64(client: httpx.Client) -> None:
    raw = b"\xff\xfe\x00binary\x80"
    body = client.post("/anything/bytes", content=raw).json()
    assert body["body_base64"] is True
    assert base64.b64decode(body["body"]) == raw


def test_echo_reads_chunked_request_bodies(client: httpx.Client) -> None:
    def pieces() -> Iterator[bytes]:
        yield b"part one, "
        yield b"part two"

    body = client.put("/echo", content=pieces()).json()
    assert ("transfer-encoding", "chunked") in [(n.lower(), v) for n, v in body["headers"]]
    assert body["body"] == "part one, part two"


def test_echo_accepts_any_method(client: httpx.Client) -> None:
    for method in ("GET", "DELETE", "OPTIONS", "PROPFIND"):
        response = client.request(method, "/anything")
        assert response.status_code == 200
        assert response.json()["method"] == method


# --------------------------------------------------------------------------------------------------------
# Process behaviour
# --------------------------------------------------------------------------------------------------------
def test_non_loopback_host_is_refused() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert b"non-loopback" in result.stderr
    assert result.stdout == b""


def test_sigterm_exits_cleanly(tmp_path: Path) -> None:
    mock = start_mock(tmp_path / "stderr.log")
    with httpx.Client(base_url=mock.base_url, timeout=10.0) as http_client:
        assert http_client.get("/__health").status_code == 200
    mock.process.send_signal(signal.SIGTERM)
    assert mock.process.wait(timeout=10) == 0
    assert (tmp_path / "stderr.log").read_text() == ""


# --------------------------------------------------------------------------------------------------------
# Answer shapes: compressed, padded, plain text
# --------------------------------------------------------------------------------------------------------
def raw_answer(
    client: httpx.Client, body: dict[str, Any], headers: dict[str, str]
) -> tuple[httpx.Response, bytes]:
    """The response and its body exactly as sent (not decoded by the client)."""
    with client.stream("POST", "/v1/chat/completions", json=body, headers=headers) as response:
        raw = b"".join(response.iter_raw())
    return response, raw


@pytest.mark.parametrize(("coding", "wbits"), [("gzip", 31), ("deflate", 15)])
def test_compressed_json_is_the_same_document(client: httpx.Client, coding: str, wbits: int) -> None:
    plain = client.post("/v1/chat/completions", json=chat_request())
    response, raw = raw_answer(client, chat_request(), {"X-Mock-Content-Encoding": coding})
    assert response.headers["Content-Encoding"] == coding
    assert int(response.headers["Content-Length"]) == len(raw)
    assert zlib.decompress(raw, wbits) == plain.content


def test_brotli_answers(client: httpx.Client) -> None:
    plain = client.post("/v1/chat/completions", json=chat_request(stream=True)).content
    response, raw = raw_answer(client, chat_request(stream=True), {"X-Mock-Content-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br"
    assert brotli.decompress(raw) == plain


def test_compressed_stream_is_one_stream_flushed_per_event(client: httpx.Client) -> None:
    body = chat_request(stream=True, stream_options={"include_usage": True})
    plain = client.post("/v1/chat/completions", json=body).content
    response, raw = raw_answer(client, body, {"X-Mock-Content-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert zlib.decompress(raw, 31) == plain
    _, cut = raw_answer(client, body, {"X-Mock-Content-Encoding": "gzip", "X-Mock-Error": "truncated-stream"})
    decoded = zlib.decompress(cut, 31)  # a complete gzip stream of fewer events
    assert plain.startswith(decoded) and b"[DONE]" not in decoded


def test_padding_and_a_bomb(client: httpx.Client) -> None:
    plain = client.post("/v1/chat/completions", json=chat_request())
    padded = client.post("/v1/chat/completions", json=chat_request(), headers={"X-Mock-Pad-Bytes": "1000"})
    assert len(padded.content) == len(plain.content) + 1000
    assert padded.json() == plain.json()
    pad = 32 * 1024 * 1024
    _, raw = raw_answer(
        client, chat_request(), {"X-Mock-Pad-Bytes": str(pad), "X-Mock-Content-Encoding": "gzip"}
    )
    assert len(raw) < pad // 500  # a few KiB that expand to 32 MiB
    assert len(zlib.decompress(raw, 31)) == len(plain.content) + pad


def test_text_format_answers_the_text_alone(client: httpx.Client) -> None:
    plain = client.post("/v1/chat/completions", json=chat_request()).json()
    response = client.post(
        "/v1/chat/completions", json=chat_request(), headers={"X-Mock-Body-Format": "text"}
    )
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.text == plain["choices"][0]["message"]["content"]
    error = client.post(
        "/v1/chat/completions",
        json=chat_request(),
        headers={"X-Mock-Body-Format": "text", "X-Mock-Status": "500"},
    )
    assert error.json()["error"]["code"] == "mock_status_500"  # errors keep their shape
