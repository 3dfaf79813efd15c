"""``kong-ai redteam`` stays bounded whatever the target does, and reads answers the way a client would.

Targets here are tiny local servers: one that lets everything through (every attack must be reported as
got through, and no more requests sent than ``--max-requests``), one that never answers (every request
ends at ``--timeout``, the run at ``--deadline``, by itself).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kong_plugins.cli.main import main
from kong_plugins.redteam.battery import EMAIL, judge_leak, judge_tool_call
from kong_plugins.redteam.client import Reply
from kong_plugins.redteam.findings import FAIL, PASS, SKIP


class _Permissive(BaseHTTPRequestHandler):
    """A 'gateway' with no plugins: 200 to everything, and it says the forged tenant is the tenant."""

    count = 0
    lock = threading.Lock()

    def do_POST(self) -> None:
        with self.lock:
            type(self).count += 1
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"choices": [{"message": {"content": "ok"}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Tenant-ID", self.headers.get("X-Tenant-ID") or "acme")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def permissive() -> Iterator[str]:
    _Permissive.count = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Permissive)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def silent() -> Iterator[str]:
    """Accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main(["redteam", *argv, "--format", "json", "--quiet"])
    return code, json.loads(capsys.readouterr().out)


def test_a_gateway_that_lets_everything_through_fails_every_layer_it_could_attack(
    permissive: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = run(capsys, permissive, "--tenant-token", "k", "--tenant", "acme", "--limit", "3")
    assert code == 1
    assert report["failed_layers"] == ["tenant", "input", "limiter"]
    assert report["requests_sent"] == _Permissive.count <= 150


def test_never_more_requests_than_max_requests(permissive: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = run(capsys, permissive, "--tenant-token", "k", "--limit", "5", "--max-requests", "12")
    assert _Permissive.count == report["requests_sent"] <= 12
    skipped = [r for r in report["results"] if r["verdict"] == SKIP and "--max-requests" in r["reason"]]
    assert skipped, report  # the rest is reported as skipped, with the reason
    assert any(r["layer"] == "limiter" for r in skipped)  # the race needs 12 at once: never half-sent
    assert code == 1


def test_a_target_that_never_answers_is_reported_and_the_run_stops_by_itself(
    silent: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = run(
        capsys, silent, "--tenant-token", "k", "--layers", "input", "--timeout", "0.3", "--deadline", "1"
    )
    assert code == 1
    baseline = report["results"][0]
    assert baseline["layer"] == "baseline" and baseline["verdict"] == FAIL
    assert baseline["got"].startswith("no answer")
    assert report["requests_sent"] <= 5


def test_bad_usage_exits_2(permissive: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["redteam", permissive, "--layers", "everything"]) == 2
    assert main(["redteam", "ftp://example.com", "--quiet"]) == 2
    assert main(["redteam", permissive, "--max-requests", "0"]) == 2
    assert _Permissive.count == 0


def sse(*texts: str) -> Reply:
    events = [
        "data: " + json.dumps({"id": f"chunk-{i}", "choices": [{"delta": {"content": t}}]}) + "\n\n"
        for i, t in enumerate(texts)
    ]
    body = ("".join(events) + "data: [DONE]\n\n").encode()
    return Reply(200, [("Content-Type", "text/event-stream")], body)


def test_a_value_split_across_events_is_found_between_the_envelopes() -> None:
    text = f"Contact {EMAIL} and charge card 4111 1111 1111 1111 today."
    assert judge_leak(sse(*text))[0] == FAIL  # one character per event, ids between them
    assert (
        judge_leak(sse("Contact [REDACTED:EMAIL] and charge card [REDACTED:CREDIT_CARD] today."))[0] == PASS
    )
    assert judge_leak(sse("I cannot help with that."))[0] == SKIP  # nothing repeated: nothing proven
    assert judge_leak(Reply(502, body=b'{"message":"blocked"}'))[0] == PASS


def test_tool_calls_are_found_in_json_and_sse_answers() -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "shell", "arguments": "{}"}}
    as_json = Reply(200, [("Content-Type", "application/json")], json.dumps(
        {"choices": [{"message": {"tool_calls": [call]}}]}).encode())  # fmt: skip
    assert judge_tool_call(as_json, "shell")[0] == FAIL
    event = {"choices": [{"delta": {"tool_calls": [{"index": 0, **call}]}}]}
    as_sse = Reply(200, [("Content-Type", "text/event-stream")], f"data: {json.dumps(event)}\n\n".encode())
    assert judge_tool_call(as_sse, "shell")[0] == FAIL
    assert judge_tool_call(as_sse, "search")[0] == PASS
    anthropic = {
        "type": "content_block_start",
        "content_block": {"type": "tool_use", "name": "shell", "input": {}},
    }
    assert (
        judge_tool_call(Reply(200, [], f"event: x\ndata: {json.dumps(anthropic)}\n\n".encode()), "shell")[0]
        == FAIL
    )
