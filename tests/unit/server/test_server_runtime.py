"""PluginRuntime and Event: instances, the event loop with Kong, and failing closed — without sockets."""

from __future__ import annotations

import json
import threading
import types
from typing import Any

import msgpack
import pytest
from kong_pdk.exception import PDKException

from kong_plugins.server.registry import LoadedPlugin, PluginCatalog, describe_module
from kong_plugins.server.runtime import PluginRuntime, RpcError

ERROR_500 = {"Method": "kong.response.error", "Args": [500]}


def loaded(name: str, plugin_class: type, **module_attrs: Any) -> LoadedPlugin:
    module = types.ModuleType(f"unit_{name.replace('-', '_')}")
    module.Plugin = plugin_class  # type: ignore[attr-defined]
    module.version = "1.0.0"  # type: ignore[attr-defined]
    module.priority = 5  # type: ignore[attr-defined]
    for key, value in module_attrs.items():
        setattr(module, key, value)
    return describe_module(name, module, f"test module {name}")


def runtime_for(*plugins: LoadedPlugin, **options: Any) -> PluginRuntime:
    catalog = PluginCatalog(available={plugin.name: plugin for plugin in plugins})
    return PluginRuntime(catalog, **options)


def data_of(reply: Any) -> Any:
    return msgpack.unpackb(reply.packed_data, raw=False, unicode_errors="surrogateescape")


class EchoHeader:
    """Reads X-A and echoes it back in a response header."""

    seen: list[Any] = []

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def access(self, kong: Any) -> None:
        value, err = kong.request.get_header("x-a")
        EchoHeader.seen.append((value, err))
        kong.response.set_header("x-echo", value)


class Raising:
    """Raises in every phase, before (config ``before``) or after its first PDK call."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.before = bool(config.get("before"))

    def _run(self, kong: Any) -> None:
        if not self.before:
            kong.request.get_method()
        raise RuntimeError("boom")

    rewrite = access = response = log = certificate = preread = _run


def test_event_runs_pdk_calls_one_step_at_a_time_until_ret() -> None:
    EchoHeader.seen.clear()
    runtime = runtime_for(loaded("echo", EchoHeader))
    instance_id = runtime.start_instance("echo", "{}")["Id"]

    first = runtime.handle_event(instance_id, "access")
    assert data_of(first) == {"Method": "kong.request.get_header", "Args": ["x-a"]}
    second = runtime.step(first.event_id, "ab\udcffcd")
    assert data_of(second) == {"Method": "kong.response.set_header", "Args": ["x-echo", "ab\udcffcd"]}
    last = runtime.step(first.event_id, None)
    assert data_of(last) == "ret" and last.final
    assert EchoHeader.seen == [("ab\udcffcd", None)]
    assert runtime.active_events == 0


def test_a_step_for_a_finished_event_is_not_found() -> None:
    runtime = runtime_for(loaded("echo", EchoHeader))
    instance_id = runtime.start_instance("echo", "{}")["Id"]
    first = runtime.handle_event(instance_id, "access")
    runtime.step(first.event_id, "v")
    runtime.step(first.event_id, None)
    with pytest.raises(RpcError, match=rf"^event id {first.event_id} not found$"):
        runtime.step(first.event_id, None)


def test_a_second_step_before_the_handler_answers_is_refused() -> None:
    answered = threading.Event()
    release = threading.Event()

    class SlowAfterFirstCall:
        def __init__(self, config: dict[str, Any]) -> None:
            pass

        def access(self, kong: Any) -> None:
            kong.request.get_method()
            answered.set()
            release.wait(10)

    runtime = runtime_for(loaded("slow", SlowAfterFirstCall))
    instance_id = runtime.start_instance("slow", "{}")["Id"]
    first = runtime.handle_event(instance_id, "access")
    stepping = threading.Thread(target=runtime.step, args=(first.event_id, "GET"))
    stepping.start()
    try:
        assert answered.wait(10)
        with pytest.raises(RpcError, match="not found"):  # the handler runs: no Step is expected now
            runtime.step(first.event_id, "GET")
    finally:
        release.set()
        stepping.join(10)


@pytest.mark.parametrize(
    ("phase", "expected"),
    [
        ("rewrite", ERROR_500),
        ("access", ERROR_500),
        ("response", ERROR_500),
        ("preread", {"Method": "kong.response.exit", "Args": [500]}),
        ("log", "ret"),
        ("certificate", "ret"),
    ],
)
@pytest.mark.parametrize("before_first_call", [True, False])
def test_a_raising_handler_is_answered_at_once_per_phase(
    phase: str, expected: Any, before_first_call: bool
) -> None:
    runtime = runtime_for(loaded("raising", Raising))
    instance_id = runtime.start_instance("raising", json.dumps({"before": before_first_call}))["Id"]

    reply = runtime.handle_event(instance_id, phase)
    if not before_first_call:
        assert data_of(reply) == {"Method": "kong.request.get_method", "Args": []}
        reply = runtime.step(reply.event_id, "GET")

    assert data_of(reply) == expected
    assert reply.final
    assert runtime.active_events == 0


def test_exit_ends_the_event_and_later_pdk_calls_are_answered_locally() -> None:
    after_exit: list[Any] = []
    done = threading.Event()

    class ExitThenCall:
        def __init__(self, config: dict[str, Any]) -> None:
            pass

        def access(self, kong: Any) -> None:
            kong.response.exit(403, {"message": "denied"})
            after_exit.append(kong.request.get_path())
            after_exit.append(kong.log.err("still here"))
            done.set()

    runtime = runtime_for(loaded("exit", ExitThenCall))
    instance_id = runtime.start_instance("exit", "{}")["Id"]
    reply = runtime.handle_event(instance_id, "access")

    assert data_of(reply) == {"Method": "kong.response.exit", "Args": [403, {"message": "denied"}]}
    assert reply.final and runtime.active_events == 0
    assert done.wait(10), "the handler thread hung after kong.response.exit"
    assert [value for value, _ in after_exit] == [None, None]
    assert all("kong.response.exit" in err for _, err in after_exit)


def test_step_error_hands_the_error_to_the_plugin() -> None:
    results: list[Any] = []

    class RecordsResult:
        def __init__(self, config: dict[str, Any]) -> None:
            pass

        def access(self, kong: Any) -> None:
            results.append(kong.request.get_body())

    runtime = runtime_for(loaded("rec", RecordsResult))
    instance_id = runtime.start_instance("rec", "{}")["Id"]
    reply = runtime.handle_event(instance_id, "access")
    runtime.step(reply.event_id, "missing content type", is_error=True)
    assert results == [(None, "missing content type")]


def test_python_style_returns_data_and_raises_pdk_exception_on_error() -> None:
    results: list[Any] = []

    class PythonStyle:
        def __init__(self, config: dict[str, Any]) -> None:
            pass

        def access(self, kong: Any) -> None:
            results.append(kong.request.get_method())
            try:
                kong.request.get_body()
            except PDKException as exc:
                results.append(str(exc))

    runtime = runtime_for(loaded("py", PythonStyle), lua_style=False)
    instance_id = runtime.start_instance("py", "{}")["Id"]
    reply = runtime.handle_event(instance_id, "access")
    reply = runtime.step(reply.event_id, "POST")
    reply = runtime.step(reply.event_id, "bad body", is_error=True)
    assert data_of(reply) == "ret"
    assert results == ["POST", "exception from kong.request.get_body: bad body"]


def test_an_unpackable_argument_raises_at_the_call_site() -> None:
    caught: list[str] = []

    class SendsASet:
        def __init__(self, config: dict[str, Any]) -> None:
            pass

        def access(self, kong: Any) -> None:
            try:
                kong.response.set_header("x", {1, 2})
            except TypeError as exc:
                caught.append(str(exc))
            kong.request.get_method()

    runtime = runtime_for(loaded("set", SendsASet))
    instance_id = runtime.start_instance("set", "{}")["Id"]
    reply = runtime.handle_event(instance_id, "access")
    assert data_of(reply) == {"Method": "kong.request.get_method", "Args": []}
    assert caught and "kong.response.set_header" in caught[0]


def test_a_silent_handler_is_answered_after_the_handler_timeout_and_released_later() -> None:
    release = threading.Event()
    late: list[Any] = []
    finished = threading.Event()

    class Hangs:
        def __init__(self, config: dict[str, Any]) -> None:
            pass

        def access(self, kong: Any) -> None:
            release.wait(10)
            late.append(kong.request.get_method())
            finished.set()

    runtime = runtime_for(loaded("hangs", Hangs), handler_timeout=0.2)
    instance_id = runtime.start_instance("hangs", "{}")["Id"]
    reply = runtime.handle_event(instance_id, "access")

    assert data_of(reply) == ERROR_500 and reply.final
    assert runtime.active_events == 0
    release.set()
    assert finished.wait(10)
    assert late[0][0] is None and "ended by the plugin server" in late[0][1]


def test_a_handler_whose_step_never_comes_is_released() -> None:
    got: list[Any] = []
    finished = threading.Event()

    class WaitsForKong:
        def __init__(self, config: dict[str, Any]) -> None:
            pass

        def access(self, kong: Any) -> None:
            got.append(kong.request.get_method())
            finished.set()

    runtime = runtime_for(loaded("waits", WaitsForKong), kong_answer_timeout=0.2)
    instance_id = runtime.start_instance("waits", "{}")["Id"]
    reply = runtime.handle_event(instance_id, "access")
    assert not reply.final and runtime.active_events == 1

    assert finished.wait(10)
    assert got[0][0] is None and "did not answer" in got[0][1]
    assert runtime.active_events == 0
    with pytest.raises(RpcError, match="not found"):
        runtime.step(reply.event_id, "GET")


def test_start_instance_errors_are_strings_kong_can_log() -> None:
    class RejectsConfig:
        def __init__(self, config: dict[str, Any]) -> None:
            raise ValueError("limit must be positive")

        def access(self, kong: Any) -> None:
            pass

    catalog = PluginCatalog(
        available={"strict": loaded("strict", RejectsConfig)},
        unavailable={"broken": "importing x failed:\nTraceback...\nImportError: no redis"},
    )
    runtime = PluginRuntime(catalog)
    with pytest.raises(
        RpcError, match=r"^starting instance of strict failed: ValueError: limit must be positive$"
    ):
        runtime.start_instance("strict", "{}")
    with pytest.raises(RpcError, match="not valid JSON"):
        runtime.start_instance("strict", "{")
    with pytest.raises(RpcError, match="JSON object"):
        runtime.start_instance("strict", "[1]")
    with pytest.raises(RpcError, match=r"^plugin broken is unavailable: ImportError: no redis$"):
        runtime.start_instance("broken", "{}")
    with pytest.raises(RpcError, match="not served"):
        runtime.start_instance("nope", "{}")
    assert runtime.instance_count == 0


def test_start_instance_echoes_the_config_and_close_forgets_it() -> None:
    runtime = runtime_for(loaded("echo", EchoHeader))
    started = runtime.start_instance("echo", json.dumps({"a": 1, "__seq__": 3}))
    assert started["Name"] == "echo" and started["Config"] == {"a": 1, "__seq__": 3}
    assert isinstance(started["StartTime"], float)
    assert runtime.instance_status(started["Id"])["Id"] == started["Id"]

    closed = runtime.close_instance(started["Id"])
    assert closed == {"Name": "echo", "Id": started["Id"], "Config": {"a": 1, "__seq__": 3}}
    for call in (runtime.close_instance, runtime.instance_status):
        with pytest.raises(RpcError, match=rf"^no plugin instance #{started['Id']}$"):
            call(started["Id"])
    with pytest.raises(RpcError, match="no plugin instance"):
        runtime.handle_event(started["Id"], "access")


def test_instance_ids_are_distinct_and_events_need_a_known_phase() -> None:
    runtime = runtime_for(loaded("echo", EchoHeader))
    ids = {runtime.start_instance("echo", "{}")["Id"] for _ in range(3)}
    assert len(ids) == 3
    with pytest.raises(RpcError, match="no handler for phase 'log'"):
        runtime.handle_event(min(ids), "log")
    with pytest.raises(RpcError, match="no handler for phase '__init__'"):
        runtime.handle_event(min(ids), "__init__")


def test_idle_instances_are_dropped_when_a_new_one_starts() -> None:
    now = [1000.0]
    runtime = runtime_for(loaded("echo", EchoHeader), instance_idle_ttl=60, clock=lambda: now[0])
    old = runtime.start_instance("echo", "{}")["Id"]
    kept = runtime.start_instance("echo", "{}")["Id"]
    now[0] += 50
    runtime.handle_event(kept, "access")  # used: stays
    now[0] += 20
    runtime.start_instance("echo", "{}")

    with pytest.raises(RpcError, match=f"no plugin instance #{old}"):
        runtime.instance_status(old)
    assert runtime.instance_status(kept)["Id"] == kept


def test_status_counts_instances_and_active_events() -> None:
    runtime = runtime_for(loaded("echo", EchoHeader))
    instance_id = runtime.start_instance("echo", "{}")["Id"]
    reply = runtime.handle_event(instance_id, "access")
    status = runtime.get_status()
    assert status["ActiveEvents"] == 1
    assert [inst["Id"] for inst in status["Plugins"]["echo"]["Instances"]] == [instance_id]
    runtime.step(reply.event_id, "v")
    runtime.step(reply.event_id, None)
    assert runtime.get_status()["ActiveEvents"] == 0


def test_the_deadline_watch_runs_only_while_events_are_in_progress() -> None:
    def watches() -> set[threading.Thread]:
        return {thread for thread in threading.enumerate() if thread.name == "deadline-watch"}

    runtime = runtime_for(loaded("echo", EchoHeader), handler_timeout=0.08, kong_answer_timeout=0.08)
    assert runtime.watch_interval == pytest.approx(0.01)
    instance_id = runtime.start_instance("echo", "{}")["Id"]
    others = watches()  # other tests' runtimes may still be watching their own events
    reply = runtime.handle_event(instance_id, "access")  # waits for Kong's answer to get_header
    ours = watches() - others
    assert not reply.final and len(ours) == 1
    runtime.step(reply.event_id, "a")
    reply = runtime.step(reply.event_id, None)
    assert reply.final and runtime.active_events == 0
    (watch,) = ours
    watch.join(5)  # it leaves at its next look, finding no event
    assert not watch.is_alive()
