"""Conformance: Kong <-> plugin-server protocol behaviours that the kong-wire recordings do not cover.

Each recording pins one request; these scenarios span requests, entities and processes: instance reuse and
restarts, "no plugin instance" recovery, plugin-server respawns, the access chain ending on exit, priority
ties, kong.ctx across plugins and phases, the config keys Kong adds and plugin scoping, buffered vs streamed
responses, the log phase, returned vs thrown errors, and what Kong 3.8/3.9 register from a query command.

Every test drives the in-process emulated gateway (harness.scenario) over real HTTP, with real plugin-server
processes running the toy plugins (the stock kong-pdk dedicated servers; ours too where the server's side
matters), and asserts what Kong 3.9.1's Lua source does; each docstring names the Kong file.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import h11
import pytest
from harness.http11 import HttpRequest, HttpResponse
from harness.pluginservers import PluginInfoError, wait_for_socket
from harness.replay import OURS, STOCK, ServerKind
from harness.rpc import RpcClient
from harness.scenario import FIXTURE_PLUGINS_DIR, Scenario, ToyServer, poll_until, scenario, toy_config
from harness.store import EntityError
from harness.wire_upstream import WireUpstream

pytestmark = pytest.mark.conformance

KINDS = [pytest.param(STOCK, id="stock"), pytest.param(OURS, id="ours")]
SCENARIO_TIMEOUT = 40.0
UPSTREAM_BODY = b'{"method":"GET","uri":"/","body_len":0}\n'  # WireUpstream's answer to "GET /"
JSON_ERROR_500 = '{{\n  "message":"An unexpected error occurred",\n  "request_id":"{rid}"\n}}'
PLAIN_ERROR_500 = "An unexpected error occurred\nrequest_id: {rid}\n"

T = TypeVar("T")


def run(test: Callable[[], Awaitable[T]]) -> T:
    """Run one async scenario with a bound on its duration."""
    return asyncio.run(asyncio.wait_for(test(), SCENARIO_TIMEOUT))


def started_configs(sc: Scenario, server: str) -> dict[str, dict[str, Any]]:
    """StartInstance configs sent to ``server``, decoded, by ``__plugin_id``."""
    configs = [json.loads(m[3][0]["Config"]) for m in sc.sent(server, "plugin.StartInstance")]
    return {c["__plugin_id"]: c for c in configs}


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def routed(sc: Scenario, path: str, *plugins: tuple[str, dict[str, str]]) -> dict[str, Any]:
    """A service and a route on ``path`` with these (name, config) plugins on the route."""
    route = sc.route(sc.service(), [path])
    for name, config in plugins:
        sc.plugin(name, config, route=route)
    return route


# ================================================================================ 1. instances


@pytest.mark.parametrize("kind", KINDS)
def test_instance_is_reused_until_the_config_changes(kind: ServerKind) -> None:
    """plugin.lua ``get_instance_id``: the instance cached under ``kong.plugin.get_id()`` is reused while
    ``conf.__seq__`` (plugins_iterator.lua ``get_plugin_config``: a new seq per iterator rebuild) and
    ``__plugin_id`` match; otherwise ``call_start_instance`` then ``call_close_instance(old_instance_id)``,
    and the event goes to the new instance, which holds the new config."""

    async def scenario_body() -> None:
        async with scenario([ToyServer("wire_probe", kind)]) as sc:
            route = sc.route(sc.service(), ["/p"])
            plugin = sc.plugin(
                "wire_probe", toy_config(access=[["kong.response.set_header", "X-Cfg", "first"]]), route=route
            )
            for _ in range(2):
                reply = await sc.request("/p")
                assert (reply.status, reply.header("X-Cfg")) == (200, b"first")
                await sc.logged(reply)
            (start,) = sc.sent("wire_probe", "plugin.StartInstance")
            first_id = sc.answer_to("wire_probe", start)[3]["Id"]
            first_seq = json.loads(start[3][0]["Config"])["__seq__"]
            events = sc.sent("wire_probe", "plugin.HandleEvent")
            assert [e[3][0]["EventName"] for e in events] == ["access", "log", "access", "log"]
            assert {e[3][0]["InstanceId"] for e in events} == {first_id}
            seen = len(sc.sent("wire_probe"))

            sc.update_plugin_config(
                plugin, toy_config(access=[["kong.response.set_header", "X-Cfg", "second"]])
            )
            reply = await sc.request("/p")
            assert (reply.status, reply.header("X-Cfg")) == (200, b"second")
            await sc.logged(reply)

            after = sc.sent("wire_probe")[seen:]
            assert [m[2] for m in after] == [
                "plugin.StartInstance",
                "plugin.CloseInstance",
                "plugin.HandleEvent",
                "plugin.Step",
                "plugin.HandleEvent",
            ]
            new_config = json.loads(after[0][3][0]["Config"])
            assert new_config["__seq__"] != first_seq
            assert new_config["__plugin_id"] == plugin["id"]
            assert json.loads(new_config["access"]) == [["kong.response.set_header", "X-Cfg", "second"]]
            new_id = sc.answer_to("wire_probe", after[0])[3]["Id"]
            assert new_id != first_id
            assert after[1][3] == [first_id]
            assert sc.answer_to("wire_probe", after[1])[2] is None  # the old instance existed and is closed
            assert {m[3][0]["InstanceId"] for m in after if m[2] == "plugin.HandleEvent"} == {new_id}

    run(scenario_body)


# ================================================================================ 2. lost instances


@pytest.mark.parametrize("kind", KINDS)
def test_no_plugin_instance_drops_the_cache_and_retries_the_event(kind: ServerKind) -> None:
    """rpc/mp_rpc.lua ``Rpc:handle_event``: an error containing "no plugin instance" makes Kong log it with
    ``kong.log.warn``, ``reset_instance`` (plugin.lua: drop every cached instance of that plugin), and call
    ``handle_event`` again: StartInstance, then the same event on the new instance; the request succeeds."""

    async def scenario_body() -> None:
        async with scenario([ToyServer("wire_probe", kind)]) as sc:
            routed(sc, "/p", ("wire_probe", toy_config(access=[["kong.response.set_header", "X-Ran", "1"]])))
            await sc.logged(await sc.request("/p"))
            (start,) = sc.sent("wire_probe", "plugin.StartInstance")
            lost_id = sc.answer_to("wire_probe", start)[3]["Id"]

            # The server forgets the instance behind Kong's back (as after an idle expiry).
            outsider = RpcClient(sc.servers[0].socket, read_timeout=5)
            try:
                await outsider.call("plugin.CloseInstance", lost_id)
            finally:
                outsider.close()
            seen = len(sc.sent("wire_probe"))

            reply = await sc.request("/p")
            assert (reply.status, reply.header("X-Ran"), reply.body) == (200, b"1", UPSTREAM_BODY)
            await sc.logged(reply)
            after = sc.sent("wire_probe")[seen:]
            assert [m[2] for m in after[:4]] == [
                "plugin.HandleEvent",
                "plugin.StartInstance",
                "plugin.HandleEvent",
                "plugin.Step",
            ]
            assert after[0][3][0] == {"InstanceId": lost_id, "EventName": "access"}
            assert sc.answer_to("wire_probe", after[0])[2] == f"no plugin instance #{lost_id}"
            new_id = sc.answer_to("wire_probe", after[1])[3]["Id"]
            assert after[2][3][0] == {"InstanceId": new_id, "EventName": "access"}
            assert sc.log_lines(f"no plugin instance #{lost_id}", level="warn")

    run(scenario_body)


@pytest.mark.parametrize("kind", KINDS)
def test_plugin_server_restart_is_survived(kind: ServerKind) -> None:
    """process.lua ``pluginserver_timer``: a plugin server that exits is logged ("external pluginserver ...
    terminated") and spawned again. The new process knows no instance: Kong's cached id gets "no plugin
    instance" (rpc/mp_rpc.lua ``handle_event``), so Kong starts a new instance and retries; the request
    succeeds. The stock kong-pdk server numbers instances from 0 again in the new process (Kong/kong#8370);
    ours starts at a random offset on purpose."""

    async def scenario_body() -> None:
        async with scenario([ToyServer("wire_probe", kind)]) as sc:
            routed(sc, "/p", ("wire_probe", toy_config(access=[["kong.response.set_header", "X-Ran", "1"]])))
            await sc.logged(await sc.request("/p"))
            (start,) = sc.sent("wire_probe", "plugin.StartInstance")
            old_id = sc.answer_to("wire_probe", start)[3]["Id"]
            managed = sc.process("wire_probe")
            assert managed.proc is not None
            old_pid = managed.proc.pid

            managed.proc.kill()
            await poll_until(lambda: managed.starts == 2, "the plugin server to be respawned")
            assert managed.proc.pid != old_pid
            await wait_for_socket(sc.servers[0].socket, timeout=10)
            seen = len(sc.sent("wire_probe"))

            reply = await sc.request("/p")
            assert (reply.status, reply.header("X-Ran")) == (200, b"1")
            await sc.logged(reply)
            after = sc.sent("wire_probe")[seen:]
            assert [m[2] for m in after[:3]] == [
                "plugin.HandleEvent",
                "plugin.StartInstance",
                "plugin.HandleEvent",
            ]
            assert sc.answer_to("wire_probe", after[0])[2] == f"no plugin instance #{old_id}"
            new_id = sc.answer_to("wire_probe", after[1])[3]["Id"]
            if kind is STOCK:
                assert new_id == old_id == 0  # ids restart with the process
            assert sc.log_lines("external pluginserver 'wire_probe' terminated")

    run(scenario_body)


def test_plugin_server_is_respawned_at_most_once_per_second() -> None:
    """process.lua ``pluginserver_timer``: ``next_spawn = ngx.now() + 1`` after each spawn, and the loop
    sleeps until then: a server that dies right after starting is respawned one second after its start."""

    async def scenario_body() -> None:
        async with scenario(["wire_probe_b"]) as sc:
            managed = sc.process("wire_probe_b")
            assert managed.proc is not None
            managed.proc.kill()
            second_start = await poll_until(lambda: managed.starts == 2, "the first respawn")
            assert managed.proc is not None
            managed.proc.kill()  # dies at once: the next spawn must wait for the second to pass
            third_start = await poll_until(lambda: managed.starts == 3, "the second respawn")
            assert third_start - second_start >= 0.95
            assert len(set(managed.pids)) == 3

    run(scenario_body)


# ================================================================================ 3. exit in access


@pytest.mark.parametrize("kind", KINDS)
def test_exit_in_access_ends_the_access_chain(kind: ServerKind) -> None:
    """init.lua ``execute_collecting_plugins_iterator``: once ``ctx.delayed_response`` is set
    (pdk/response.lua ``exit`` in a delayed-response coroutine yields: no Step follows), later plugins'
    access handlers are skipped but the iterator still collects them (plugins_iterator.lua
    ``get_next_and_collect``); ``Kong.access`` then flushes the delayed response without proxying, and
    ``Kong.log`` runs the log handlers of every collected plugin."""

    async def scenario_body() -> None:
        async with scenario(
            [
                ToyServer("wire_probe", kind),
                ToyServer("wire_probe_resp", kind),
                ToyServer("wire_probe_b", kind),
            ]
        ) as sc:
            exit_step = ["kong.response.exit", 403, "denied by probe", {"X-Exit": "1"}]
            routed(
                sc,
                "/p",
                ("wire_probe", toy_config(access=[exit_step])),
                ("wire_probe_resp", toy_config(access=[["kong.response.set_header", "X-Resp", "ran"]])),
                ("wire_probe_b", toy_config(access=[["kong.response.set_header", "X-B", "ran"]])),
            )
            reply = await sc.request("/p")
            assert (reply.status, reply.body) == (403, b"denied by probe")
            assert reply.header("X-Exit") == b"1"
            assert reply.header("X-Resp") is None and reply.header("X-B") is None
            await sc.logged(reply)
            assert sc.upstream.received == []
            assert sc.events("wire_probe") == [("wire_probe", "access"), ("wire_probe", "log")]
            assert sc.events("wire_probe_resp") == [("wire_probe_resp", "log")]
            assert sc.events("wire_probe_b") == [("wire_probe_b", "log")]
            # No Step answers the exit: the next request to that server is the log event.
            probe = [m[2] for m in sc.sent("wire_probe") if m[2] != "plugin.StartInstance"]
            assert probe == ["plugin.HandleEvent", "plugin.HandleEvent"]

    run(scenario_body)


# ================================================================================ 4. ordering


def test_priority_order_and_ties_by_name_descending() -> None:
    """dao/plugins.lua ``sort_by_handler_priority``: PRIORITY descending; equal non-zero priorities by name
    descending (wire_probe_tie and wire_probe_resp are both 900). Lua and external plugins share one list:
    key-auth (1250) authenticates before any of them, so wire_probe already sees the consumer."""

    async def scenario_body() -> None:
        servers = [
            "wire_probe_b",  # 10
            "wire_probe_resp",  # 900
            ToyServer("wire_probe_tie", plugin_dir=FIXTURE_PLUGINS_DIR),  # 900
            "wire_probe",  # 1000
        ]
        async with scenario(servers) as sc:
            route = routed(
                sc,
                "/p",
                ("wire_probe", toy_config(access=[["kong.client.get_consumer"]])),
                ("wire_probe_resp", {}),
                ("wire_probe_tie", {}),
                ("wire_probe_b", {}),
            )
            sc.plugin("key-auth", {}, route=route)
            sc.key_credential(sc.consumer("alice"), "alice-key")
            reply = await sc.request("/p", headers=[("apikey", "alice-key")])
            assert reply.status == 200
            await sc.logged(reply)
            accesses = [server for server, event in sc.events() if event == "access"]
            assert accesses == ["wire_probe", "wire_probe_tie", "wire_probe_resp", "wire_probe_b"]
            consumer = sc.step_answer("wire_probe", "kong.client.get_consumer")["Data"]
            assert consumer["username"] == "alice"

    run(scenario_body)


# ================================================================================ 5. kong.ctx


def test_ctx_shared_crosses_plugins_and_phases_and_ctx_plugin_is_unusable() -> None:
    """plugin.lua ``exposed_api``: ``kong.ctx.shared.get/set`` use the request's ``kong.ctx.shared`` (the log
    timer's snapshot keeps the same table), so one value travels access -> access of a lower priority plugin
    -> response -> log. ``kong.ctx.plugin.*`` resolves (rpc/util.lua ``index_table``) to no function:
    rpc/mp_rpc.lua ``call_pdk_method`` logs "could not find pdk method" and the Step carries no Data."""

    async def scenario_body() -> None:
        async with scenario(["wire_probe", "wire_probe_resp", "wire_probe_b"]) as sc:
            tenant = {"id": "t1", "tags": ["a", "b"], "quota": 3}
            routed(
                sc,
                "/p",
                (
                    "wire_probe",
                    toy_config(
                        access=[
                            ["kong.ctx.shared.set", "tenant", tenant],
                            ["kong.ctx.plugin.set", "mine", "x"],
                            ["kong.ctx.plugin.get", "mine"],
                        ]
                    ),
                ),
                (
                    "wire_probe_resp",
                    toy_config(
                        access=[["kong.ctx.shared.get", "tenant"]],
                        response=[
                            ["kong.ctx.shared.get", "tenant"],
                            ["kong.ctx.shared.set", "seen", "response"],
                        ],
                    ),
                ),
                (
                    "wire_probe_b",
                    toy_config(log=[["kong.ctx.shared.get", "tenant"], ["kong.ctx.shared.get", "seen"]]),
                ),
            )
            reply = await sc.request("/p")
            assert reply.status == 200
            await sc.logged(reply)
            assert sc.step_answer("wire_probe_resp", "kong.ctx.shared.get", 0)["Data"] == tenant  # access
            assert sc.step_answer("wire_probe_resp", "kong.ctx.shared.get", 1)["Data"] == tenant  # response
            assert sc.step_answer("wire_probe_b", "kong.ctx.shared.get", 0)["Data"] == tenant  # log
            assert sc.step_answer("wire_probe_b", "kong.ctx.shared.get", 1)["Data"] == "response"
            for method in ("kong.ctx.plugin.set", "kong.ctx.plugin.get"):
                assert "Data" not in sc.step_answer("wire_probe", method)
                assert sc.log_lines(f"could not find pdk method: {method}", level="error")

    run(scenario_body)


# ================================================================================ 6. config & scope


def test_config_extras_and_scope_precedence() -> None:
    """plugins_iterator.lua ``get_plugin_config`` adds route_id/service_id/consumer_id (only when set),
    ``__plugin_id``, ``__ws_id``, ``__key__`` (dao/init.lua ``cache_key``:
    ``plugins:<name>:<route>:<service>:<consumer>::<ws>``) and ``__seq__``; ``lookup_cfg`` picks one config
    per plugin name: consumer > route > service > global. The consumer is the one key-auth (priority 1250)
    authenticated before wire_probe (1000) is reached."""

    async def scenario_body() -> None:
        async with scenario(["wire_probe"]) as sc:
            ws = sc.gateway.workspace_id
            service_s, service_t = sc.service(), sc.service()
            route_a = sc.route(service_s, ["/a"])
            route_e = sc.route(service_s, ["/e"])
            sc.route(service_s, ["/b"])
            sc.route(service_t, ["/c"])
            alice = sc.consumer("alice")
            sc.key_credential(alice, "alice-key")
            sc.plugin("key-auth", {}, route=route_a)

            def marker(value: str) -> dict[str, str]:
                return toy_config(access=[["kong.response.set_header", "X-Cfg", value]])

            scoped = {
                "global": sc.plugin("wire_probe", marker("global")),
                "service": sc.plugin("wire_probe", marker("service"), service=service_s),
                "route-a": sc.plugin("wire_probe", marker("route-a"), route=route_a),
                "route-e": sc.plugin("wire_probe", marker("route-e"), route=route_e),
                "consumer": sc.plugin("wire_probe", marker("consumer"), consumer=alice),
            }
            expectations = [
                ("/c", [], "global"),
                ("/b", [], "service"),
                ("/e", [], "route-e"),
                ("/a", [("apikey", "alice-key")], "consumer"),  # consumer beats route
            ]
            for path, headers, winner in expectations:
                reply = await sc.request(path, headers=headers)
                assert (reply.status, reply.header("X-Cfg")) == (200, winner.encode()), path
                await sc.logged(reply)
            seen = len(sc.sent("wire_probe"))
            denied = await sc.request("/a")  # no consumer: the route config is collected, for log only
            assert (denied.status, denied.header("X-Cfg")) == (401, None)
            await sc.logged(denied)
            after = sc.sent("wire_probe")[seen:]
            assert [(m[2], m[3][0].get("EventName")) for m in after] == [
                ("plugin.HandleEvent", "rewrite"),  # the global config: rewrite runs for global plugins only
                ("plugin.StartInstance", None),
                ("plugin.HandleEvent", "log"),
            ]
            assert json.loads(after[1][3][0]["Config"])["__plugin_id"] == scoped["route-a"]["id"]

            configs = started_configs(sc, "wire_probe")
            assert set(configs) == {p["id"] for p in scoped.values()}
            scope_keys = {"route_id", "service_id", "consumer_id"}
            expected_scope = {
                "global": ({}, "plugins:wire_probe:::::"),
                "service": ({"service_id": service_s["id"]}, f"plugins:wire_probe::{service_s['id']}:::"),
                "route-e": ({"route_id": route_e["id"]}, f"plugins:wire_probe:{route_e['id']}::::"),
                "route-a": ({"route_id": route_a["id"]}, f"plugins:wire_probe:{route_a['id']}::::"),
                "consumer": ({"consumer_id": alice["id"]}, f"plugins:wire_probe:::{alice['id']}::"),
            }
            for name, (scope, key_prefix) in expected_scope.items():
                config = configs[scoped[name]["id"]]
                assert {k: v for k, v in config.items() if k in scope_keys} == scope, name
                assert config["__key__"] == key_prefix + ws
                assert config["__ws_id"] == ws
                assert isinstance(config["__seq__"], int)
                assert json.loads(config["access"]) == [["kong.response.set_header", "X-Cfg", name]]

    run(scenario_body)


# ================================================================================ 7. response phase


class HeldUpstream(WireUpstream):
    """An upstream that sends its first chunk, then holds the rest until the test releases it (or
    ``HOLD_LIMIT`` passes), to tell a streamed response from a buffered one."""

    HOLD_LIMIT = 5.0

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()
        self.released_in_time: bool | None = None

    async def _handle(self, request: HttpRequest) -> HttpResponse:
        self.received.append(request)

        async def chunks() -> AsyncIterator[bytes]:
            yield b"first;"
            try:
                await asyncio.wait_for(self.release.wait(), self.HOLD_LIMIT)
                self.released_in_time = True
            except TimeoutError:
                self.released_in_time = False
            yield b"second"

        return HttpResponse(200, [("Content-Type", b"text/plain")], chunks())


async def stream_get(port: int, path: str, on_first_chunk: Callable[[], None]) -> tuple[h11.Response, bytes]:
    """GET ``path``; call ``on_first_chunk`` as soon as the first body bytes arrive; the whole body."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    conn = h11.Connection(h11.CLIENT)
    writer.write(conn.send(h11.Request(method="GET", target=path, headers=[("Host", "localhost")])))
    writer.write(conn.send(h11.EndOfMessage()))
    await writer.drain()
    head: h11.Response | None = None
    body = bytearray()
    try:
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                conn.receive_data(await asyncio.wait_for(reader.read(65536), 15))
            elif isinstance(event, h11.Response):
                head = event
            elif isinstance(event, h11.Data):
                if not body:
                    on_first_chunk()
                body += event.data
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                break
    finally:
        writer.close()
    assert head is not None
    return head, bytes(body)


def test_plugin_without_response_handler_streams_the_upstream_response() -> None:
    """plugins_iterator.lua ``get_next_and_collect`` sets ``ctx.buffered_proxying`` only when a collected
    plugin has a ``response`` handler; without it ``Kong.access`` does not call ``Kong.response`` and nginx
    proxies the body as it comes (chunked), so the client reads the first chunk while the upstream is still
    sending."""

    async def scenario_body() -> None:
        upstream = HeldUpstream()
        async with scenario(["wire_probe"], upstream=upstream) as sc:
            routed(sc, "/p", ("wire_probe", toy_config(access=[["kong.request.get_path"]])))
            head, body = await stream_get(sc.proxy_port, "/p", upstream.release.set)
            assert head.status_code == 200
            assert body == b"first;second"
            assert upstream.released_in_time is True, "the first chunk only arrived with the whole body"
            assert (b"transfer-encoding", b"chunked") in list(head.headers)
            assert sc.events("wire_probe")[0] == ("wire_probe", "access")

    run(scenario_body)


def test_buffered_response_phase() -> None:
    """init.lua ``Kong.response``: the whole upstream response is captured, ``kong.response.set_status`` /
    ``set_headers`` copy it, the response handlers run, then the ORIGINAL buffered body is printed.
    pdk/response.lua: status and headers stay writable, ``set_raw_body`` is body_filter only (a thrown
    error: nginx 500 -> error_handlers.lua, text/plain by default), ``exit`` replaces the body and sets its
    headers over the upstream's. ``kong.service.response.get_headers`` reaches the plugin as an EMPTY map
    (pdk/service/response.lua's buffered proxy table cannot be iterated by mp_rpc.lua ``fix_mmap``), while
    ``get_header`` and ``get_raw_body`` (bin) read the buffered response."""

    async def scenario_body() -> None:
        upstream = HeldUpstream()
        upstream.release.set()
        async with scenario(["wire_probe_resp"], upstream=upstream) as sc:
            readers = [
                ["kong.service.response.get_headers"],
                ["kong.service.response.get_header", "Content-Type"],
                ["kong.service.response.get_raw_body"],
                ["kong.response.set_header", "X-Resp", "1"],
                ["kong.response.set_status", 203],
            ]
            routed(sc, "/read", ("wire_probe_resp", toy_config(response=readers)))
            exit_step = ["kong.response.exit", 201, "replaced", {"X-Exit": "1"}]
            routed(sc, "/exit", ("wire_probe_resp", toy_config(response=[exit_step])))
            routed(
                sc, "/raw", ("wire_probe_resp", toy_config(response=[["kong.response.set_raw_body", "x"]]))
            )

            read = await sc.request("/read")
            assert (read.status, read.body) == (203, b"first;second")  # the original body, not streamed
            assert read.header("X-Resp") == b"1"
            assert read.header("Content-Length") == b"12" and read.header("Transfer-Encoding") is None
            await sc.logged(read)
            headers_step = sc.step_answer("wire_probe_resp", "kong.service.response.get_headers")
            assert headers_step["Data"] == {}
            (headers_call,) = [m for m in sc.sent("wire_probe_resp") if m[3][0] is headers_step]
            assert headers_call[2] == "plugin.StepMultiMap"
            assert (
                sc.step_answer("wire_probe_resp", "kong.service.response.get_header")["Data"] == "text/plain"
            )
            raw = sc.step_answer("wire_probe_resp", "kong.service.response.get_raw_body")["Data"]
            assert raw == b"first;second" and isinstance(raw, bytes)

            replaced = await sc.request("/exit")
            assert (replaced.status, replaced.body) == (201, b"replaced")
            assert replaced.header("X-Exit") == b"1" and replaced.header("Content-Type") == b"text/plain"
            assert replaced.header("Content-Length") == b"8"

            refused = await sc.request("/raw")
            assert refused.status == 500
            assert refused.header("Content-Type") == b"text/plain; charset=utf-8"
            assert refused.body.decode() == PLAIN_ERROR_500.format(rid=refused.request_id)
            assert sc.log_lines("function cannot be called in response phase", level="error")
            assert len(upstream.received) == 3

    run(scenario_body)


def test_buffered_upstream_failure_reaches_the_response_phase() -> None:
    """init.lua ``Kong.response``: with buffered proxying a refused connection is answered INSIDE the
    ``/kong_buffered_http`` subrequest by Kong's error page (502, negotiated from Accept); the capture is not
    ``truncated``, so Kong copies that status and body and runs the response handlers on it."""

    async def scenario_body() -> None:
        async with scenario(["wire_probe_resp"]) as sc:
            closed = free_port()
            route = sc.route(sc.service(host="127.0.0.1", port=closed), ["/down"])
            readers = [["kong.service.response.get_status"], ["kong.response.get_status"]]
            sc.plugin("wire_probe_resp", toy_config(response=readers), route=route)
            reply = await sc.request("/down", headers=[("Accept", "application/json")])
            assert reply.status == 502
            assert (
                json.loads(reply.body)["message"]
                == "An invalid response was received from the upstream server"
            )
            await sc.logged(reply)
            assert ("wire_probe_resp", "response") in sc.events("wire_probe_resp")
            assert sc.step_answer("wire_probe_resp", "kong.service.response.get_status")["Data"] == 502

    run(scenario_body)


# ================================================================================ 8. log phase


def test_log_phase_runs_after_the_response_from_the_snapshot() -> None:
    """plugin.lua ``build_phases``: the log handler runs in ``ngx.timer.at(0)`` with a snapshot taken after
    the response (serialize data, ngx.ctx clone, request/response headers, status); the ``exposed_api``
    overrides answer from it (``kong.log.serialize`` as a JSON string, ``kong.response.get_status``,
    ``get_header``), and anything reading ``ngx.var`` (``kong.request.get_path``) fails with "API disabled in
    the current context". A thrown error there is only logged: the client's response is already sent."""

    async def scenario_body() -> None:
        async with scenario(["wire_probe_b"]) as sc:
            steps = [
                ["kong.log.serialize"],
                ["kong.response.get_status"],
                ["kong.response.get_header", "X-Kong-Request-Id"],
                ["kong.response.get_source"],
                ["kong.request.get_path"],
                ["kong.response.get_status"],  # never reached: get_path threw
            ]
            routed(sc, "/logged", ("wire_probe_b", toy_config(log=steps)))
            reply = await sc.request("/logged")
            assert (reply.status, reply.body) == (200, UPSTREAM_BODY)
            await sc.logged(reply)

            serialized = sc.step_answer("wire_probe_b", "kong.log.serialize")["Data"]
            assert isinstance(serialized, str)
            entry = json.loads(serialized)
            assert entry["response"]["status"] == 200
            assert entry["request"]["uri"] == "/logged"
            assert sc.step_answer("wire_probe_b", "kong.response.get_status")["Data"] == 200
            # The snapshot holds the response as sent, header_filter's headers included.
            assert sc.step_answer("wire_probe_b", "kong.response.get_header")["Data"] == reply.request_id
            assert sc.step_answer("wire_probe_b", "kong.response.get_source")["Data"] == "service"
            asked = [c["Method"] for c in sc.pdk_calls("wire_probe_b")]
            assert asked[-1] == "kong.request.get_path"
            with pytest.raises(AssertionError):
                sc.step_answer("wire_probe_b", "kong.request.get_path")
            assert sc.log_lines("API disabled in the current context", level="error")

            again = await sc.request("/logged")  # the failed log timer left nothing behind
            assert (again.status, again.body) == (200, UPSTREAM_BODY)

    run(scenario_body)


# ================================================================================ 9. errors


def test_plugin_server_down_fails_open_once_its_instance_exists() -> None:
    """rpc/mp_rpc.lua ``Rpc:call``: a connect failure is logged ("trying to connect: ...") and *returned*;
    ``handle_event`` logs it and returns, so the request goes on as if that plugin did nothing: the other
    plugin runs and the upstream answers. That holds for an instance Kong already has: starting one is
    different (plugin.lua ``get_instance_id``: "starting instance: " logged, then ``error(err)``, a thrown
    error: 500 in access). Our defence against this fail-open is the Lua guard ai-fail-closed
    (tests/integration/gateway/test_fail_closed.py, docs/reliability.md)."""

    async def scenario_body() -> None:
        async with scenario(["wire_probe", "wire_probe_b"]) as sc:
            routed(
                sc,
                "/p",
                ("wire_probe", toy_config(access=[["kong.response.set_header", "X-Probe", "ran"]])),
                ("wire_probe_b", toy_config(access=[["kong.response.set_header", "X-B", "ran"]])),
            )
            first = await sc.request("/p")
            assert (first.status, first.header("X-Probe"), first.header("X-B")) == (200, b"ran", b"ran")
            await sc.logged(first)
            await sc.process("wire_probe").stop()  # down for good: no respawn, socket gone
            Path(sc.servers[0].socket).unlink(missing_ok=True)

            reply = await sc.request("/p")
            assert (reply.status, reply.body) == (200, UPSTREAM_BODY)
            assert (reply.header("X-Probe"), reply.header("X-B")) == (None, b"ran")
            await sc.logged(reply)
            assert len(sc.upstream.received) == 2
            failures = sc.log_lines("[wire_probe]", level="error")
            assert len(failures) == 2 and all("connect" in line for line in failures), failures  # access, log

    run(scenario_body)


def test_plugin_server_down_before_its_first_instance_is_a_thrown_error() -> None:
    """plugin.lua ``get_instance_id``: when ``call_start_instance`` fails (here: connect fails, the server is
    externally managed and not running) Kong logs "starting instance: ..." and throws: in access, init.lua
    ``execute_collecting_plugins_iterator`` answers 500 and the upstream is not called."""

    async def scenario_body() -> None:
        async with scenario([ToyServer("wire_probe", managed=False), "wire_probe_b"]) as sc:
            routed(
                sc,
                "/p",
                ("wire_probe", toy_config(access=[["kong.response.set_header", "X-Probe", "ran"]])),
                ("wire_probe_b", toy_config(access=[["kong.response.set_header", "X-B", "ran"]])),
            )
            reply = await sc.request("/p")
            assert reply.status == 500
            assert reply.body.decode() == JSON_ERROR_500.format(rid=reply.request_id)
            assert reply.header("X-B") is None
            await sc.logged(reply)
            assert sc.upstream.received == []
            assert sc.log_lines("no start_cmd for plugin server wire_probe")
            assert sc.log_lines("starting instance: ", level="error")

    run(scenario_body)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("phase", ["access", "rewrite", "response"])
def test_thrown_pdk_error_answers_500(kind: ServerKind, phase: str) -> None:
    """A PDK function that raises (pdk/private/phases.lua ``check_phase``) is a *thrown* Lua error.
    access: init.lua ``execute_collecting_plugins_iterator`` catches it, logs it, later access handlers are
    skipped and ``kong.response.error(500)`` answers in JSON (tools/http.lua template with request_id), no
    upstream call. rewrite/response: uncaught, nginx's 500 goes to error_handlers.lua: no Accept nor
    Content-Type -> ``error_default_type`` text/plain."""

    async def scenario_body() -> None:
        wrong_phase = {
            "access": ("wire_probe", ["kong.response.get_status"]),
            "rewrite": ("wire_probe", ["kong.response.get_status"]),
            "response": ("wire_probe_resp", ["kong.response.set_raw_body", "x"]),
        }
        name, step = wrong_phase[phase]
        servers = [ToyServer(name, kind), ToyServer("wire_probe_b", kind)]
        async with scenario(servers) as sc:
            route = routed(
                sc, "/p", ("wire_probe_b", toy_config(access=[["kong.response.set_header", "X-B", "1"]]))
            )
            config = toy_config(**{phase: [step, ["kong.response.set_header", "X-After", "1"]]})
            if phase == "rewrite":
                sc.plugin(name, config)  # rewrite runs for global plugins only
            else:
                sc.plugin(name, config, route=route)
            reply = await sc.request("/p")
            await sc.logged(reply)
            assert reply.status == 500
            assert reply.header("X-After") is None
            assert sc.log_lines(f"function cannot be called in {phase} phase", level="error")
            if phase == "access":
                assert reply.header("Content-Type") == b"application/json; charset=utf-8"
                assert reply.body.decode() == JSON_ERROR_500.format(rid=reply.request_id)
            else:
                assert reply.header("Content-Type") == b"text/plain; charset=utf-8"
                assert reply.body.decode() == PLAIN_ERROR_500.format(rid=reply.request_id)
            assert len(sc.upstream.received) == (1 if phase == "response" else 0)
            b_ran = ("wire_probe_b", "access") in sc.events("wire_probe_b")
            assert b_ran is (phase == "response")

    run(scenario_body)


# ================================================================================ 10. plugin info


def test_kong_39_registers_only_the_first_plugin_of_a_query_command() -> None:
    """process.lua (3.9) ``query_external_plugin_info`` keeps ``(dump.Plugins or dump)[1]``: a server that
    dumps two plugins provides only the first. Enabling the second then fails like any missing plugin
    (dao/plugins.lua ``load_plugin_handler``: "... plugin is enabled but not installed"), and Kong does not
    start; without it, the first plugin is served and the second is unknown to the DAO."""

    async def enabled_both() -> None:
        async with scenario(
            [ToyServer("wire_probe_pair", plugin_dir=FIXTURE_PLUGINS_DIR)],
            plugins=["bundled", "wire_pair_a", "wire_pair_b"],
        ):
            pass

    with pytest.raises(PluginInfoError, match="wire_pair_b plugin is enabled but not installed"):
        run(enabled_both)

    async def enabled_first() -> None:
        async with scenario(
            [ToyServer("wire_probe_pair", plugin_dir=FIXTURE_PLUGINS_DIR)], plugins=["bundled", "wire_pair_a"]
        ) as sc:
            assert "wire_pair_a" in sc.gateway.catalog and "wire_pair_b" not in sc.gateway.catalog
            route = routed(
                sc, "/p", ("wire_pair_a", toy_config(access=[["kong.response.set_header", "X-A", "1"]]))
            )
            with pytest.raises(EntityError, match="plugin 'wire_pair_b' not enabled"):
                sc.plugin("wire_pair_b", {}, route=route)
            reply = await sc.request("/p")
            assert (reply.status, reply.header("X-A")) == (200, b"1")

    run(enabled_first)


def test_kong_38_registers_every_plugin_of_a_query_command() -> None:
    """process.lua (3.8) ``ask_info`` registers every entry of the dump: both plugins of the pair server run,
    by priority, through its one socket, and (3.8 init.lua ``get_server_rpc``: one RPC object per server)
    share one msgid counter."""

    async def scenario_body() -> None:
        async with scenario(
            [ToyServer("wire_probe_pair", plugin_dir=FIXTURE_PLUGINS_DIR)],
            plugins=["bundled", "wire_pair_a", "wire_pair_b"],
            kong_version=(3, 8),
        ) as sc:
            routed(
                sc,
                "/p",
                ("wire_pair_b", toy_config(access=[["kong.response.set_header", "X-B", "1"]])),
                ("wire_pair_a", toy_config(access=[["kong.response.set_header", "X-A", "1"]])),
            )
            reply = await sc.request("/p")
            assert (reply.status, reply.header("X-A"), reply.header("X-B")) == (200, b"1", b"1")
            await sc.logged(reply)
            names = [
                json.loads(m[3][0]["Config"])["__key__"].split(":")[1]
                for m in sc.sent(method="plugin.StartInstance")
            ]
            assert names == ["wire_pair_a", "wire_pair_b"]
            msgids = [m[1] for m in sc.sent("wire_probe_pair")]
            assert msgids == list(range(1, len(msgids) + 1))

    run(scenario_body)
