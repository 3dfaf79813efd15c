"""Replays every kong-wire recording (real Kong 3.9.1 Lua vs the stock kong-pdk server) through KongRequest.

For each recording: the client request and kong_config build the model; HandleEvent frames move the phase (the
upstream answer is fed in before ``response``/``log``, the log snapshot taken before ``log``); every
``{Method, Args}`` the server sent is answered by ``KongRequest.call`` and must equal Kong's next frame to
that server (Step name and Data, or no Data), and where Kong sent no Step the model must report an exit or a
thrown error. Then the client response and the request the upstream received must match.

What is not Kong's behaviour but the stock Python server's is noted where it shows: 34/35 (a Python exception:
the server never answers, Kong times out and fails open) and 22/39 (Kong sends a non-UTF-8 msgpack str, the
server's strict decoder drops the connection): the model is checked up to that point.

Known difference between Kong's source and the recordings' glue (which replaces kong/init.lua and the router):
``X-Forwarded-Path`` is the *raw* request path in runloop/handler.lua (``ctx.request_uri``); the glue sends
the normalized path (recording 01). The model follows Kong; the test checks the raw value there.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from harness import recordings
from harness.kong_request import MISSING, ClientRequest, KongRequest, PdkOutcome, PluginRef, RouteMatch
from harness.nginx_text import kong_normalize

RECORDINGS = list(recordings.all_recordings())


def test_every_recording_and_toy_plugin_is_in_the_repository() -> None:
    """The replays need nothing beside the repository (a bare clone has no ../shared): all 46 recordings and
    the toy plugins that made them live under tests/. An empty list would turn every replay into a skip."""
    from harness.replay import TOY_PLUGINS_DIR

    assert len(RECORDINGS) == 46, recordings.WIRE_DIR
    assert recordings.WIRE_DIR.is_relative_to(Path(__file__).resolve().parents[2])
    for plugin in {p["name"] for rec in RECORDINGS for p in rec.plugins}:
        assert (TOY_PLUGINS_DIR / f"{plugin}.py").is_file(), plugin


CLIENT_PORT = 54842
NODE_ID = "cb511a84-b2e7-4971-b034-14ba882bd1cf"
UPSTREAM_DATE = "Mon, 23 Nov 2026 14:40:55 GMT"
UPSTREAM_SERVER = "nginx/1.22.1"
# Toy plugins whose server dumps a ``response`` phase: Kong buffers when one is configured for the route.
RESPONSE_PHASE_PLUGINS = frozenset({"wire_probe_resp"})


@dataclass
class Replay:
    """Drives one KongRequest along one recording's frames."""

    rec: recordings.Recording
    logs: list[tuple[str, str]] = field(default_factory=list)
    upstream: Any = None
    upstream_body: bytes | None = None
    proxied: bool = False
    thrown: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        rec = self.rec
        request = rec.client_request
        path = request["path"]
        query = request.get("query")
        client = ClientRequest(
            method=request["method"],
            raw_path=path,
            raw_query=query or "",
            headers=rec.client_headers,
            body=rec.client_body,
            client_ip="127.0.0.1",
            client_port=CLIENT_PORT,
            server_port=rec.listen_port,
        )
        config = rec.kong_config
        match = RouteMatch(
            route=config["route"], service=config["service"], upstream_path=kong_normalize(path, True)
        )
        self.req = KongRequest(
            client,
            match,
            node_id=NODE_ID,
            request_id="",
            workspace_id=config["workspace_id"],
            client_body_buffer_size=rec.client_body_buffer_size,
            log=lambda lvl, line: self.logs.append((lvl, line)),
            log_level="debug",
        )
        self.refs = {p["name"]: PluginRef(p["name"], p["id"]) for p in rec.plugins}
        self.buffered = any(p["name"] in RESPONSE_PHASE_PLUGINS for p in rec.plugins)

    # ------------------------------------------------------------------------------------- phases
    def enter(self, event: str) -> None:
        req = self.req
        if event == "rewrite":
            req.phase = "rewrite"
        elif event == "access":
            if req.phase != "access" and not req.answered:
                if self.buffered:
                    req.enable_buffering()
                req.phase = "access"
        elif event == "response":
            self.proxy()
            req.phase = "response"
        elif event == "log" and req.phase != "log":
            self.proxy()
            req.start_log_phase()
            req.phase = "log"

    def proxy(self) -> None:
        """Kong proxies once access is over (unless it answered itself), then the upstream answers."""
        if self.proxied or self.req.answered:
            return
        self.proxied = True
        self.upstream = self.req.upstream_request()
        if self.upstream is None:
            return
        request_body = self.upstream.body
        self.upstream_body = (
            json.dumps(
                {"method": self.upstream.method, "uri": self.upstream.target, "body_len": len(request_body)},
                separators=(",", ":"),
            )
            + "\n"
        ).encode()
        headers = [
            ("Content-Type", b"application/json"),
            ("X-Up-Multi", b"a"),
            ("X-Up-Multi", b"b"),
            ("X-Up-Single", b"s"),
            ("Date", UPSTREAM_DATE.encode()),
            ("Server", UPSTREAM_SERVER.encode()),
            ("Connection", b"keep-alive"),
        ]
        self.req.set_service_response(200, headers, self.upstream_body if self.req.buffered else None)

    # ------------------------------------------------------------------------------------- frames
    def run(self) -> None:
        frames = self.rec.frames
        for frame in frames:
            if frame.from_kong and frame.method == "plugin.HandleEvent":
                self.enter(frame.param["EventName"])
                continue
            if frame.from_kong or not isinstance(frame.param, dict):
                continue
            data = frame.param.get("Data")
            if not isinstance(data, dict) or "Method" not in data:
                continue
            outcome = self.req.call(self.refs[frame.server], data["Method"], data.get("Args"))
            self.check_answer(frame, data, outcome)
        self.proxy()

    def next_request_to(self, frame: recordings.Frame) -> recordings.Frame | None:
        for later in self.rec.frames[frame.index + 1 :]:
            if later.server == frame.server and later.from_kong and later.is_request:
                return later
        return None

    def last_request_to(self, frame: recordings.Frame) -> recordings.Frame:
        previous = [f for f in self.rec.frames[: frame.index] if f.server == frame.server and f.from_kong]
        return previous[-1]

    def check_answer(self, frame: recordings.Frame, data: dict[str, Any], outcome: PdkOutcome) -> None:
        method = data["Method"]
        reply = self.next_request_to(frame)
        where = f"{self.rec.name} frame {frame.index} {method}{data.get('Args')}"
        if reply is not None and reply.method and reply.method.startswith("plugin.Step"):
            assert outcome.kind == "value", f"{where}: Kong answered {reply.method}, model {outcome}"
            assert outcome.step == reply.method, f"{where}: step {outcome.step} != {reply.method}"
            expected = reply.param.get("Data", MISSING)
            recordings.assert_step_data(where, method, data.get("Args") or [], expected, outcome.data)
            return
        # No Step from Kong: the event ended with an exit or a thrown Lua error.
        if method in ("kong.response.exit", "kong.response.error"):
            assert outcome.kind == "exit", f"{where}: expected an exit, got {outcome}"
        else:
            assert outcome.kind == "thrown", f"{where}: expected a thrown error, got {outcome}"
            assert outcome.error
            self.thrown.append((self.req.phase or "", outcome.error))
            if reply is not None:
                gap = reply.msg[1] - self.last_request_to(frame).msg[1]
                assert gap == (2 if outcome.consumes_msgid else 1), f"{where}: msgid gap {gap} vs {outcome}"
            self.req.fail(self.req.phase, outcome.error, self.refs[frame.server])


@pytest.mark.parametrize("rec", RECORDINGS, ids=[r.name for r in RECORDINGS])
def test_replay_matches_kong(rec: recordings.Recording) -> None:
    replay = Replay(rec)
    replay.run()
    req = replay.req

    # ---- the upstream request
    expected_up = rec.upstream_received
    if expected_up is None:
        assert replay.upstream is None and req.answered, "Kong did not proxy this request"
    else:
        up = replay.upstream
        assert up is not None, "Kong proxied this request"
        assert up.method == expected_up["method"]
        assert up.target == expected_up["uri"]
        assert up.body == recordings.decode_body(expected_up["body"])
        want = recordings.headers_by_name(expected_up["headers"])
        got = recordings.headers_by_name(up.headers)
        raw_path = rec.client_request["path"]
        if kong_normalize(raw_path) != raw_path:
            assert got.pop("x-forwarded-path") == [raw_path.encode()]  # Kong: raw path; glue: normalized
            want.pop("x-forwarded-path")
        assert got == want

    # ---- the client response
    expected = rec.client_response
    status, headers = req.response_head()
    assert status == expected["status"]
    proxied = not req.answered
    ok, detail = recordings.response_headers_match(expected["headers"], headers, proxied=proxied)
    assert ok, detail
    body = req.response_body()
    if body is None:
        body = replay.upstream_body
    assert body == recordings.decode_body(expected["body"])

    # ---- Kong's error.log lines that come from the PDK model
    ours = [re.sub(r"table: 0x[0-9a-f]+", "table: 0x", line) for _, line in replay.logs]
    for line in rec.kong_log:
        fragment = recordings.log_fragment(line)
        if fragment is not None:
            assert any(fragment in mine for mine in ours), f"missing log {fragment!r} in {ours}"


def test_every_recording_is_replayed() -> None:
    assert len(RECORDINGS) == 46
    assert [r.number for r in RECORDINGS] == list(range(1, 47))


def test_stock_server_failures_leave_kong_proxying() -> None:
    """34/35: a Python exception means no reply at all: the model was asked nothing after it and the request
    is proxied as if the plugin did nothing (Kong fails open after the read timeout)."""
    for number in (34, 35):
        rec = next(r for r in RECORDINGS if r.number == number)
        replay = Replay(rec)
        replay.run()
        assert replay.upstream is not None and not replay.req.answered
        assert replay.req.response_head()[0] == 200


def test_non_utf8_values_go_out_as_raw_str() -> None:
    """22/39: Kong packs a Lua string that is not UTF-8 as a msgpack str with the raw bytes (the stock server
    then fails to decode it): the model's Data carries them as surrogate escapes, not as bin."""
    rec = next(r for r in RECORDINGS if r.number == 39)
    req = Replay(rec).req
    req.phase = "access"
    outcome = req.call(PluginRef("wire_probe", "x"), "kong.request.get_header", ["x-bin"])
    assert isinstance(outcome.data, str)
    assert outcome.data.encode("utf-8", "surrogateescape") == b"ab\xff\xfecd"


def test_thrown_errors_carry_kongs_text() -> None:
    texts = {}
    for number in (20, 27, 30, 31, 32, 37):
        rec = next(r for r in RECORDINGS if r.number == number)
        replay = Replay(rec)
        replay.run()
        assert replay.thrown, rec.name
        texts[number] = replay.thrown[0][1]
    assert texts[20] == (
        "kong/runloop/plugin_servers/rpc/mp_rpc.lua:127: function cannot be called in rewrite "
        "phase (only in: access, response, header_filter, body_filter, log)"
    )
    assert texts[27] == (
        "kong/runloop/plugin_servers/rpc/mp_rpc.lua:127: function cannot be called in response "
        "phase (only in: body_filter)"
    )
    assert texts[30] == "kong/pdk/request.lua:440: API disabled in the current context"
    assert texts[31] == (
        "kong/runloop/plugin_servers/plugin.lua:109: function cannot be called in access phase "
        "(only in: response, header_filter, body_filter, log, error, admin_api)"
    )
    assert texts[32] == (
        'kong/runloop/plugin_servers/rpc/mp_rpc.lua:127: invalid header value for "x-bad": got '
        "nil, expected array of string, string, number or boolean"
    )
    assert texts[37] == "MessagePack.lua:126: attempt to get length of local 'str' (a nil value)"
