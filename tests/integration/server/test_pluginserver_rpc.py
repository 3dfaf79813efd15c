"""The real ``kong-ai-pluginserver`` process, driven over its socket the way Kong 3.x drives a plugin server.

Each test says what Kong (and so the client) would see. Where kong-pdk 0.36 behaves differently the test names
the recording in ``tests/data/kong-wire`` that shows it (34/35: a raising handler is never answered; 22/39: a
non-UTF-8 string drops the connection).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import msgpack
import pytest
from fixtures.pluginserver_client import (
    GREETER,
    PROBE,
    NoData,
    RpcConnection,
    RpcError,
    ServerProcess,
    our_server_command,
    run_dump,
    server_env,
    start_server,
    wait_until,
)

ERROR_500 = {"Method": "kong.response.error", "Args": [500]}
KONG_PHASES = {"certificate", "rewrite", "log", "access", "preread", "response"}


def probe(conn: RpcConnection, **phases: Any) -> int:
    """Start an example-probe instance whose phases run the given steps."""
    return conn.start_instance("example-probe", phases)


def active_events(conn: RpcConnection) -> int:
    return int(conn.call("plugin.GetStatus", None)["ActiveEvents"])


def read_lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


# -- query command (plugin info) -----------------------------------------------------------------------------


def test_dump_lists_every_plugin_in_kong_pdk_shape() -> None:
    outputs = {flag: run_dump("--plugin", PROBE, "--plugin", GREETER, flag) for flag in ("--dump", "-dump")}
    outputs["--dump-all-plugins"] = run_dump("--plugin", PROBE, "--plugin", GREETER, "--dump-all-plugins")
    assert {result.returncode for result in outputs.values()} == {0}
    entries = json.loads(outputs["--dump"].stdout)
    assert all(json.loads(result.stdout) == entries for result in outputs.values())

    assert [entry["Name"] for entry in entries] == ["example-probe", "example-greeter"]
    for entry in entries:
        assert set(entry) == {"Name", "Phases", "Priority", "Version", "Schema"}
        assert re.fullmatch(r"\d+\.\d+\.\d+", entry["Version"])
        assert isinstance(entry["Priority"], int)
        assert set(entry["Phases"]) <= KONG_PHASES
        assert entry["Schema"]["name"] == entry["Name"]
        assert any("config" in field for field in entry["Schema"]["fields"])
    greeter = entries[1]
    assert (greeter["Priority"], greeter["Version"], greeter["Phases"]) == (
        777,
        "1.2.3",
        ["access", "response"],
    )
    assert greeter["Schema"]["entity_checks"] == [{"at_least_one_of": ["config.greeting", "config.shout"]}]


@pytest.mark.parametrize("name", ["example-probe", "example-greeter"])
def test_dump_of_one_plugin_puts_it_first_and_alone_for_kong_3_9(name: str) -> None:
    everything = json.loads(run_dump("--plugin", PROBE, "--plugin", GREETER, "--dump").stdout)
    result = run_dump("--plugin", PROBE, "--plugin", GREETER, "-dump", name)
    assert result.returncode == 0
    entries = json.loads(result.stdout)
    assert entries[0]["Name"] == name  # Kong 3.9 reads only (dump.Plugins or dump)[1]
    assert entries == [entry for entry in everything if entry["Name"] == name]


def test_dump_plugin_info_prints_that_plugins_entry() -> None:
    result = run_dump("--plugin", PROBE, "--plugin", GREETER, "--dump-plugin-info", "example-greeter")
    assert result.returncode == 0
    info = json.loads(result.stdout)
    assert info["Name"] == "example-greeter" and info["Priority"] == 777


def test_the_environment_chooses_plugins_for_the_query_command() -> None:
    result = run_dump("--dump", env=server_env({"KONG_AI_PLUGINS": GREETER}))
    assert [entry["Name"] for entry in json.loads(result.stdout)] == ["example-greeter"]


def test_dump_of_an_unknown_plugin_fails_with_empty_stdout() -> None:
    result = run_dump("--plugin", PROBE, "--dump", "example-unknown")
    assert result.returncode == 1 and result.stdout == ""  # Kong: "failed decoding plugin info", no start
    assert "example-unknown" in result.stderr


def test_multiprocessing_mode_is_refused_clearly() -> None:
    result = run_dump("-m")
    assert result.returncode == 2
    assert "multiprocessing mode is not supported by kong-ai-pluginserver yet" in result.stderr


# -- instances and events ------------------------------------------------------------------------------------


def test_an_event_runs_pdk_calls_step_by_step_until_ret(conn: RpcConnection) -> None:
    instance_id = probe(
        conn,
        access=[
            ["call", "kong.request.get_header", "x-a"],
            ["call", "kong.service.request.set_header", "x-seen", "$data"],
            ["call", "kong.request.get_query_arg", "missing"],
            ["call", "kong.response.set_header", "x-missing", "$data"],
        ],
    )
    first = conn.handle_event(instance_id, "access")
    assert first["Data"] == {"Method": "kong.request.get_header", "Args": ["x-a"]}
    event_id = first["EventId"]

    assert conn.step(event_id, "1")["Data"] == {
        "Method": "kong.service.request.set_header",
        "Args": ["x-seen", "1"],
    }
    assert conn.step(event_id)["Data"]["Method"] == "kong.request.get_query_arg"
    # Kong's nil answer is a Step without the Data key: the plugin gets None.
    assert conn.step(event_id)["Data"] == {"Method": "kong.response.set_header", "Args": ["x-missing", None]}
    assert conn.step(event_id) == {"Data": "ret", "EventId": event_id}


def test_every_step_variant_kong_sends_is_accepted(conn: RpcConnection) -> None:
    variants = ["Step", "StepCredential", "StepConsumer", "StepRoute", "StepService", "StepMemoryStats"]
    echo = ["call", "kong.log.info", "$data"]
    steps = [["call", "kong.client.get_consumer"], echo] * len(variants)
    instance_id = probe(conn, access=[*steps, ["call", "kong.request.get_headers"], echo])
    event_id = conn.handle_event(instance_id, "access")["EventId"]
    for variant in variants:
        echoed = conn.step(event_id, {"id": variant}, method=f"plugin.{variant}")
        assert echoed["Data"] == {"Method": "kong.log.info", "Args": [{"id": variant}]}
        assert conn.step(event_id)["Data"]["Method"] in {
            "kong.client.get_consumer",
            "kong.request.get_headers",
        }
    headers = {"x-multi": ["a", "b"], "x-flag": []}
    assert conn.step(event_id, headers, method="plugin.StepMultiMap")["Data"]["Args"] == [headers]
    assert conn.step(event_id)["Data"] == "ret"


def test_exit_gets_no_step_and_a_later_step_is_not_found(conn: RpcConnection, tmp_path: Path) -> None:
    record = tmp_path / "after-exit.jsonl"
    events_before = active_events(conn)
    instance_id = probe(
        conn,
        access=[
            ["call", "kong.response.exit", 403, {"message": "denied"}, {"x-exit": "yes"}],
            ["call", "kong.request.get_path"],
            ["record", str(record)],
        ],
    )
    reply = conn.handle_event(instance_id, "access")
    assert reply["Data"] == {
        "Method": "kong.response.exit",
        "Args": [403, {"message": "denied"}, {"x-exit": "yes"}],
    }
    with pytest.raises(RpcError, match=rf"^event id {reply['EventId']} not found$"):
        conn.step(reply["EventId"], "/path")
    # The PDK call the plugin made after exit was answered locally: its thread did not hang.
    wait_until(lambda: len(read_lines(record)) == 1, what="the handler to finish after exit")
    after = read_lines(record)[0]
    assert after["data"] is None and "kong.response.exit" in after["err"]
    assert active_events(conn) == events_before  # exit ended the event: nothing leaks


@pytest.mark.parametrize(
    ("steps", "kong_answers"),
    [
        ([["raise", "boom before"]], []),
        ([["call", "kong.request.get_method"], ["raise", "boom after"]], ["GET"]),
    ],
    ids=["before-first-pdk-call", "after-first-pdk-call"],
)
def test_a_raising_handler_is_answered_with_500_at_once_and_the_server_goes_on(
    server: ServerProcess, conn: RpcConnection, steps: list[Any], kong_answers: list[Any]
) -> None:
    instance_id = probe(conn, access=steps)
    reply = conn.handle_event(instance_id, "access")
    for answer in kong_answers:
        reply = conn.step(reply["EventId"], answer)
    # kong-pdk 0.36 never answers here (recordings 34, 35): Kong waits 60 s, then proxies the request.
    assert reply["Data"] == ERROR_500

    message = steps[-1][1]
    server.wait_for_stderr(lambda text: f"ERROR [example-probe:access] RuntimeError: {message}" in text)
    assert "[example-probe:access] Traceback (most recent call last):" in server.stderr_text()

    # The next events are served at once, on this connection and on another one (kong-pdk: e_lock held).
    healthy = probe(conn, access=[["call", "kong.request.get_method"]])
    for connection in (conn, server.connect(timeout=5.0)):
        with connection:
            event = connection.handle_event(healthy, "access")
            assert event["Data"]["Method"] == "kong.request.get_method"
            assert connection.step(event["EventId"], "GET")["Data"] == "ret"


def test_a_raising_log_handler_is_answered_with_ret(conn: RpcConnection) -> None:
    instance_id = probe(conn, log=[["call", "kong.log.serialize"], ["raise", "log failure"]])
    reply = conn.handle_event(instance_id, "log")
    assert conn.step(reply["EventId"], "{}")["Data"] == "ret"


def test_non_utf8_strings_from_kong_reach_the_plugin_and_go_back_byte_exact(
    server: ServerProcess, conn: RpcConnection
) -> None:
    log_start = len(server.stderr_lines)
    events_before = active_events(conn)
    instance_id = probe(
        conn,
        access=[
            ["call", "kong.request.get_header", "x-bin"],  # recording 39: header bytes 0xff 0xfe
            ["call", "kong.service.request.set_header", "x-copy", "$data"],
            ["call", "kong.ctx.shared.get", "b"],  # recording 22: bytes stored in ctx.shared
            ["call", "kong.ctx.shared.set", "b2", "$data"],
            ["call", "kong.request.get_raw_body"],  # a raw body arrives as bin
            ["call", "kong.response.exit", 200, "$data"],
        ],
    )
    event_id = conn.handle_event(instance_id, "access")["EventId"]

    def step_raw(data: Any) -> bytes:
        conn.send_frame([0, 900, "plugin.Step", [{"EventId": event_id, "Data": data}]])
        raw = b""
        while True:
            chunk = conn.sock.recv(65536)
            if not chunk:
                raise NoData("connection closed")
            raw += chunk
            with contextlib.suppress(msgpack.OutOfData):
                unpacker = msgpack.Unpacker(raw=True)
                unpacker.feed(raw)
                unpacker.unpack()
                return raw

    header_value = b"ab\xff\xfecd".decode("utf-8", "surrogateescape")
    assert b"\xa6ab\xff\xfecd" in step_raw(header_value)  # a msgpack str holding the very same bytes
    assert conn.step(event_id)["Data"]["Method"] == "kong.ctx.shared.get"
    assert b"\xa3\x00\x01\xff" in step_raw(b"\x00\x01\xff".decode("utf-8", "surrogateescape"))
    assert conn.step(event_id)["Data"]["Method"] == "kong.request.get_raw_body"
    assert b"\xc4\x06\x00\xffbody" in step_raw(b"\x00\xffbody")  # bin in, bin out
    # The connection survived all of it (kong-pdk 0.36 drops it at the first non-UTF-8 string).
    assert active_events(conn) == events_before
    # The server's stderr is read by a thread, so the previous test's log-handler traceback may still be
    # arriving: only this test's event (access) and the server itself count.
    problems = [line for line in server.stderr_lines[log_start:] if "WARNING" in line or "ERROR" in line]
    assert not [line for line in problems if "[example-probe:log]" not in line]


def test_close_instance_then_no_plugin_instance(conn: RpcConnection) -> None:
    instance_id = probe(conn, access=[])
    closed = conn.call("plugin.CloseInstance", instance_id)
    assert (closed["Name"], closed["Id"]) == ("example-probe", instance_id)
    for method, param in [
        ("plugin.CloseInstance", instance_id),
        ("plugin.HandleEvent", {"InstanceId": instance_id, "EventName": "access"}),
        ("plugin.InstanceStatus", instance_id),
    ]:
        with pytest.raises(RpcError, match=rf"^no plugin instance #{instance_id}$"):
            conn.call(method, param)


def test_a_rejected_config_fails_start_instance_with_a_clear_error(conn: RpcConnection) -> None:
    with pytest.raises(RpcError) as caught:
        conn.start_instance("example-probe", {"fail_init": "limit must be positive"})
    error = str(caught.value)
    assert error == (
        "starting instance of example-probe failed: ValueError: invalid probe config: limit must be positive"
    )
    assert "no plugin instance" not in error  # that phrase would make Kong retry forever
    with pytest.raises(RpcError, match="not served"):
        conn.start_instance("ai-not-here", {})


def test_concurrent_events_on_several_connections(server: ServerProcess) -> None:
    workers = 8
    with server.connect() as setup:
        instance_id = probe(
            setup,
            access=[
                ["call", "kong.request.get_header", "x-id"],
                ["call", "kong.response.set_header", "x-id", "$data"],
            ],
        )
    all_open = threading.Barrier(workers, timeout=10)
    results: dict[int, Any] = {}

    def one_request(worker: int) -> None:
        with server.connect() as conn:
            event_id = conn.handle_event(instance_id, "access")["EventId"]
            all_open.wait()  # every event is in flight at the same time
            echoed = conn.step(event_id, f"worker-{worker}")["Data"]
            results[worker] = (event_id, echoed, conn.step(event_id)["Data"])

    threads = [threading.Thread(target=one_request, args=(worker,)) for worker in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == workers
    assert len({event_id for event_id, _, _ in results.values()}) == workers
    for worker, (_, echoed, last) in results.items():
        assert echoed == {"Method": "kong.response.set_header", "Args": ["x-id", f"worker-{worker}"]}
        assert last == "ret"


class Gate:
    """A Unix socket a probe handler connects to and waits on (``wait_socket``) until the test says go."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(path))
        self.listener.listen(4)
        self.listener.settimeout(15)
        self.waiting: socket.socket | None = None

    def wait_for_handler(self) -> None:
        """Return once the handler has connected: it is running and blocked, before its next PDK call."""
        self.waiting, _ = self.listener.accept()

    def open(self) -> None:
        assert self.waiting is not None
        self.waiting.sendall(b"go")
        self.waiting.close()

    def close(self) -> None:
        if self.waiting is not None:
            self.waiting.close()
        self.listener.close()


def test_a_slow_handler_does_not_block_other_events(server: ServerProcess, tmp_path: Path) -> None:
    gate = Gate(tmp_path / "gate.sock")
    slow_reply: list[Any] = []
    with server.connect(timeout=20) as slow_conn, server.connect(timeout=5) as fast_conn:
        slow = probe(slow_conn, access=[["wait_socket", str(gate.path)], ["call", "kong.request.get_method"]])
        fast = probe(fast_conn, access=[["call", "kong.request.get_method"]])
        waiting = threading.Thread(target=lambda: slow_reply.append(slow_conn.handle_event(slow, "access")))
        waiting.start()
        try:
            gate.wait_for_handler()  # the slow handler now blocks its event, before any PDK call
            fast_event = fast_conn.handle_event(fast, "access")
            assert fast_conn.step(fast_event["EventId"], "GET")["Data"] == "ret"
            assert waiting.is_alive() and not slow_reply
        finally:
            gate.open()
            waiting.join(20)
            gate.close()
        assert slow_reply[0]["Data"] == {"Method": "kong.request.get_method", "Args": []}
        assert slow_conn.step(slow_reply[0]["EventId"], "GET")["Data"] == "ret"


def test_garbage_on_one_connection_closes_only_that_connection(server: ServerProcess) -> None:
    with server.connect() as bad:
        bad.sock.sendall(b"\xc1" * 8)  # 0xc1 is never valid msgpack
        with pytest.raises(NoData):
            bad.read_frame()
    with server.connect() as bad:
        bad.send_frame({"not": "a request"})
        with pytest.raises(NoData):
            bad.read_frame()
    with server.connect() as good:
        assert good.call("plugin.GetStatus", None)["Pid"] == server.proc.pid


def test_unknown_namespaces_and_methods_are_not_supported(conn: RpcConnection) -> None:
    with pytest.raises(RpcError, match=r"^RPC for other is not supported$"):
        conn.call("other.Method", {})
    with pytest.raises(RpcError, match=r"^RPC for plugin\.SetPluginDir is not supported$"):
        conn.call("plugin.SetPluginDir", "/tmp")


# -- own servers: timeouts and process lifecycle -------------------------------------------------------------


@pytest.mark.parametrize(
    "mode", [["--runtime", "threads"], ["-g"], ["--runtime", "green"]], ids=["threads", "gevent", "green"]
)
def test_a_hung_handler_is_answered_with_500_after_the_handler_timeout(
    own_prefix: Path, tmp_path: Path, mode: list[str]
) -> None:
    gate = Gate(tmp_path / "gate.sock")
    record = tmp_path / "late.jsonl"
    server = start_server(
        our_server_command(own_prefix, "--handler-timeout", "0.5", *mode),
        own_prefix / "kong-ai.sock",
        env=server_env(),
    )
    try:
        with server.connect(timeout=5) as conn:
            instance_id = probe(
                conn,
                access=[
                    ["wait_socket", str(gate.path)],
                    ["call", "kong.request.get_method"],
                    ["record", str(record)],
                ],
            )
            reply = conn.handle_event(instance_id, "access")
            assert reply["Data"] == ERROR_500  # well before Kong's 60 s read timeout would make it fail open
            gate.wait_for_handler()
            gate.open()
            wait_until(lambda: len(read_lines(record)) == 1, what="the released handler to finish")
            assert "ended by the plugin server" in read_lines(record)[0]["err"]
            assert "handler silent for" in server.stderr_text()
    finally:
        gate.close()
        server.terminate()


def test_a_handler_holding_the_event_loop_is_logged_with_where_it_is(own_prefix: Path) -> None:
    """--runtime green: a blocking call outside blocking.run holds every event; the server says which and
    where, so that it gets fixed (it cannot answer Kong for that event meanwhile)."""
    server = start_server(
        our_server_command(own_prefix, "--runtime", "green", "--stall-warning", "0.3"),
        own_prefix / "kong-ai.sock",
        env=server_env(),
    )
    try:
        with server.connect(timeout=10) as conn:
            instance_id = probe(conn, access=[["hold_loop", "1.5"], ["call", "kong.request.get_method"]])
            reply = conn.handle_event(instance_id, "access")
            assert reply["Data"] == {"Method": "kong.request.get_method", "Args": []}  # then it goes on
            assert conn.step(reply["EventId"], "GET")["Data"] == "ret"
        wait_until(lambda: "has held the event loop" in server.stderr_text(), what="the stall warning")
        text = server.stderr_text()
        assert "ERROR [example-probe:access] example-probe:access has held the event loop for" in text
        assert "time.sleep(float(args[0]))" in text  # where the handler was
    finally:
        server.terminate()


@pytest.mark.parametrize(
    "mode", [["--runtime", "threads"], ["-g"], ["--runtime", "green"]], ids=["threads", "gevent", "green"]
)
def test_sigterm_stops_the_server_and_removes_its_socket(own_prefix: Path, mode: list[str]) -> None:
    socket_path = own_prefix / "kong-ai.sock"
    server = start_server(our_server_command(own_prefix, *mode), socket_path, env=server_env())
    with server.connect() as conn:
        probe(conn, access=[])
    assert server.terminate() == 0
    assert not socket_path.exists()
    assert "SIGTERM received, stopping" in server.stderr_text()


@pytest.mark.parametrize(
    "mode", [["--runtime", "threads"], ["-g"], ["--runtime", "green"]], ids=["threads", "gevent", "green"]
)
def test_the_server_exits_when_its_parent_is_gone(own_prefix: Path, mode: list[str]) -> None:
    socket_path = own_prefix / "kong-ai.sock"
    parent_script = (
        "import subprocess, sys, time, os\n"
        "child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(child.pid, flush=True)\n"
        f"deadline = time.monotonic() + 20\n"
        f"while not os.path.exists({str(socket_path)!r}) and time.monotonic() < deadline:\n"
        "    time.sleep(0.02)\n"
    )
    parent = subprocess.run(
        [sys.executable, "-c", parent_script, *our_server_command(own_prefix, *mode)],
        capture_output=True,
        text=True,
        env=server_env(),
        timeout=60,
        check=True,
    )
    server_pid = int(parent.stdout.strip())
    try:
        wait_until(lambda: process_gone(server_pid), timeout=15, what="the orphaned server to exit")
        assert not socket_path.exists()
    finally:
        if not process_gone(server_pid):
            os.kill(server_pid, signal.SIGKILL)


def process_gone(pid: int) -> bool:
    """True once ``pid`` has exited (a zombie nobody reaped counts as exited)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in {"Z", "X"}


# -- kong-pdk compatibility ----------------------------------------------------------------------------------


def test_the_example_module_runs_unchanged_under_the_stock_kong_pdk_server(
    own_prefix: Path, tmp_path: Path
) -> None:
    plugin_dir = tmp_path / "plugins"
    plugin_dir.mkdir()
    (plugin_dir / "example-probe.py").write_text("from example_plugins.probe import *  # noqa: F403\n")

    stock_dump = subprocess.run(
        ["kong-python-pluginserver", "-d", str(plugin_dir), "--dump-all-plugins"],
        capture_output=True,
        text=True,
        env=server_env(),
        timeout=60,
        check=True,
    )
    ours = run_dump("--plugin", PROBE, "--dump", "example-probe")
    ours_from_dir = run_dump("--plugin", GREETER, "-d", str(plugin_dir), "--dump", "example-probe")
    assert json.loads(stock_dump.stdout) == json.loads(ours.stdout) == json.loads(ours_from_dir.stdout)

    steps = [
        ["call", "kong.request.get_header", "x-a"],
        ["call", "kong.response.set_header", "x-echo", "$data"],
    ]
    stock = start_server(
        ["kong-python-pluginserver", "-d", str(plugin_dir), "-p", str(own_prefix)],
        own_prefix / "python_pluginserver.sock",
        env=server_env(),
    )
    # Ours serves the very same shim file through -d, as kong-pdk does.
    ours_server = start_server(
        our_server_command(tmp_path, "-d", str(plugin_dir), plugins=[GREETER]),
        tmp_path / "kong-ai.sock",
        env=server_env(),
    )
    try:
        transcripts = []
        for process in (stock, ours_server):
            with process.connect() as conn:
                instance_id = probe(conn, access=steps)
                first = conn.handle_event(instance_id, "access")
                transcripts.append(
                    [
                        first["Data"],
                        conn.step(first["EventId"], "v")["Data"],
                        conn.step(first["EventId"])["Data"],
                    ]
                )
        assert (
            transcripts[0]
            == transcripts[1]
            == [
                {"Method": "kong.request.get_header", "Args": ["x-a"]},
                {"Method": "kong.response.set_header", "Args": ["x-echo", "v"]},
                "ret",
            ]
        )
    finally:
        stock.terminate()
        ours_server.terminate()
