"""Conformance: every kong-wire recording replayed end to end through the emulated gateway.

Real Kong 3.9.1 Lua drove the stock kong-pdk server to make these recordings. Here the emulator plays Kong's
part with the same toy plugins (tests/fixtures/wire_plugins) served by a real plugin server process, the
recorded client request sent byte for byte, and a real upstream answering like the recorded one. What Kong
sent to the server (method and parameters, ignoring msgids and instance/event ids), what the client got
and what the upstream received must match the recording.

Against the stock server every scenario applies. Against ours, the scenarios where the stock server itself
misbehaves differ on purpose (ours answers what the stock server leaves unanswered): those are checked for
our behaviour instead, in test_pluginserver_fixes below.
"""

from __future__ import annotations

import re

import pytest
from harness import recordings
from harness.nginx_text import kong_normalize
from harness.replay import OURS, STOCK, ReplayResult, compare_frames, run_replay

pytestmark = pytest.mark.conformance

RECORDINGS = list(recordings.all_recordings())
# The stock server never answers (34, 35: a Python exception; Kong waits for its read timeout) or drops the
# connection (22, 39: a non-UTF-8 str it cannot decode): Kong logs "no data" and fails open.
STOCK_SERVER_FAILURES = {22, 34, 35, 39}
# A short read timeout keeps 34/35 quick: the outcome ("no data", request proxied) does not depend on it.
SHORT_TIMEOUT = 1.5


def check_against_recording(rec: recordings.Recording, result: ReplayResult) -> None:
    problems: list[str] = []
    for server in rec.servers():
        problems += compare_frames(rec, result, server)
    assert not problems, "\n".join(problems)

    expected = rec.client_response
    assert result.status == expected["status"]
    proxied = rec.upstream_received is not None and result.upstream_received != []
    ok, detail = recordings.response_headers_match(
        expected["headers"], result.headers, proxied=proxied and expected["status"] < 500
    )
    assert ok, detail
    assert result.body == recordings.decode_body(expected["body"])

    expected_up = rec.upstream_received
    if expected_up is None:
        assert result.upstream_received == []
    else:
        assert len(result.upstream_received) == 1
        got = result.upstream_received[0]
        assert got.method == expected_up["method"]
        assert got.target == expected_up["uri"]
        assert got.body == recordings.decode_body(expected_up["body"])
        want_headers = recordings.headers_by_name(expected_up["headers"])
        got_headers = recordings.headers_by_name(got.headers)
        raw_path = rec.client_request["path"]
        if kong_normalize(raw_path) != raw_path:  # Kong sends the raw path; the recording glue normalized it
            assert got_headers.pop("x-forwarded-path") == [raw_path.encode()]
            want_headers.pop("x-forwarded-path")
        assert got_headers == want_headers

    ours = [re.sub(r"table: 0x[0-9a-f]+", "table: 0x", line) for line in result.kong_log]
    for line in rec.kong_log:
        if "no data" in line:
            assert any("no data" in mine for mine in ours), ours
            continue
        fragment = recordings.log_fragment(line)
        if fragment is not None:
            assert any(fragment in mine for mine in ours), f"missing log {fragment!r} in {ours}"
    assert result.log_done, "the log phase did not finish"


@pytest.mark.parametrize("rec", RECORDINGS, ids=[r.name for r in RECORDINGS])
def test_stock_server(rec: recordings.Recording) -> None:
    timeout = SHORT_TIMEOUT if rec.number in STOCK_SERVER_FAILURES else 10.0
    check_against_recording(rec, run_replay(rec, STOCK, rpc_read_timeout=timeout))


APPLICABLE_TO_OURS = [r for r in RECORDINGS if r.number not in STOCK_SERVER_FAILURES]


@pytest.mark.parametrize("rec", APPLICABLE_TO_OURS, ids=[r.name for r in APPLICABLE_TO_OURS])
def test_our_server(rec: recordings.Recording) -> None:
    check_against_recording(rec, run_replay(rec, OURS))


def _recording(number: int) -> recordings.Recording:
    return next(r for r in RECORDINGS if r.number == number)


@pytest.mark.parametrize("number", [34, 35])
def test_our_server_fails_closed_on_plugin_exception(number: int) -> None:
    """Where the stock server leaves Kong waiting (and Kong then proxies: fail-open), ours answers at once
    with kong.response.error(500): the client gets Kong's 500 and the upstream is never called."""
    result = run_replay(_recording(number), OURS, rpc_read_timeout=30.0)
    assert result.status == 500
    assert result.body == b'{\n  "message":"An unexpected error occurred",\n  "request_id":""\n}'
    assert result.upstream_received == []
    assert not any("no data" in line for line in result.kong_log)
    asked = [
        m[3]["Data"]
        for f in result.frames
        if (m := f.msg)[0] == 1 and isinstance(m[3], dict) and isinstance(m[3].get("Data"), dict)
    ]
    assert {"Method": "kong.response.error", "Args": [500]} in asked
    assert result.log_done


@pytest.mark.parametrize("number", [22, 39])
def test_our_server_survives_non_utf8_strings(number: int) -> None:
    """Kong sends a non-UTF-8 Lua string as a msgpack str: the stock server's decoder drops the connection
    (the plugin silently does not run). Ours decodes it and the event completes."""
    rec = _recording(number)
    result = run_replay(rec, OURS)
    assert not any("no data" in line for line in result.kong_log), result.kong_log
    access_steps = [f for f in result.requests_to("wire_probe") if f.msg[2].startswith("plugin.Step")]
    recorded_steps = [
        f for f in rec.frames_of("wire_probe") if f.from_kong and f.method.startswith("plugin.Step")
    ]
    assert len(access_steps) > len(recorded_steps)  # the calls after the non-UTF-8 value were made too
    assert result.status == 200
    assert result.log_done
