"""Request frames in, response frames out: the plugin.* method table, parameter checks and the msgpack
rules."""

from __future__ import annotations

import types
from typing import Any

import msgpack
import pytest

from kong_plugins.server import wire
from kong_plugins.server.dispatch import STEP_METHODS, Dispatcher, ProtocolError
from kong_plugins.server.registry import PluginCatalog, describe_module
from kong_plugins.server.runtime import PluginRuntime


class HeaderEcho:
    def __init__(self, config: dict[str, Any]) -> None:
        pass

    def access(self, kong: Any) -> None:
        value, err = kong.request.get_header("x-a")
        kong.response.set_header("x-echo", value if err is None else f"error: {err}")


@pytest.fixture
def dispatcher() -> Dispatcher:
    module = types.ModuleType("dispatch_echo")
    module.Plugin = HeaderEcho  # type: ignore[attr-defined]
    module.version = "0.1.0"  # type: ignore[attr-defined]
    catalog = PluginCatalog(available={"echo": describe_module("echo", module, "test")})
    return Dispatcher(PluginRuntime(catalog))


def call(dispatcher: Dispatcher, method: str, *params: Any, msgid: int = 7) -> list[Any]:
    response = dispatcher.handle([0, msgid, method, list(params)])
    assert response is not None
    frame = msgpack.unpackb(response, raw=False, strict_map_key=False, unicode_errors="surrogateescape")
    assert frame[:2] == [1, msgid]
    return frame


def start(dispatcher: Dispatcher) -> int:
    _, _, err, result = call(dispatcher, "plugin.StartInstance", {"Name": "echo", "Config": "{}"})
    assert err is None
    return int(result["Id"])


@pytest.mark.parametrize("step_method", sorted(STEP_METHODS))
def test_every_step_alias_steps_the_event(dispatcher: Dispatcher, step_method: str) -> None:
    instance_id = start(dispatcher)
    _, _, err, first = call(
        dispatcher, "plugin.HandleEvent", {"InstanceId": instance_id, "EventName": "access"}
    )
    assert err is None and first["Data"] == {"Method": "kong.request.get_header", "Args": ["x-a"]}

    _, _, err, second = call(dispatcher, f"plugin.{step_method}", {"EventId": first["EventId"], "Data": "v"})
    assert err is None
    expected = {"Method": "kong.response.set_header", "Args": ["x-echo", "v"]}
    assert second == {"Data": expected, "EventId": first["EventId"]}


def test_a_step_without_data_means_nil_and_step_error_means_an_error(dispatcher: Dispatcher) -> None:
    instance_id = start(dispatcher)
    event = {"InstanceId": instance_id, "EventName": "access"}
    first = call(dispatcher, "plugin.HandleEvent", event)[3]
    absent = call(dispatcher, "plugin.Step", {"EventId": first["EventId"]})[3]
    assert absent["Data"]["Args"] == ["x-echo", None]

    second = call(dispatcher, "plugin.HandleEvent", event)[3]
    errored = call(dispatcher, "plugin.StepError", {"EventId": second["EventId"], "Data": "oops"})[3]
    assert errored["Data"]["Args"] == ["x-echo", "error: oops"]


@pytest.mark.parametrize(
    ("method", "param", "error"),
    [
        ("plugin.CloseInstance", 99, "no plugin instance #99"),
        ("plugin.InstanceStatus", 99, "no plugin instance #99"),
        ("plugin.HandleEvent", {"InstanceId": 99, "EventName": "access"}, "no plugin instance #99"),
        ("plugin.Step", {"EventId": 5, "Data": 1}, "event id 5 not found"),
        ("other.Thing", {}, "RPC for other is not supported"),
        ("plugin.SetPluginDir", "/tmp", "RPC for plugin.SetPluginDir is not supported"),
        ("plugin.HandleEvent", {"InstanceId": "0", "EventName": "access"}, "InstanceId must be an integer"),
        ("plugin.HandleEvent", [], "expected a map with InstanceId"),
        ("plugin.CloseInstance", True, "CloseInstance must be an integer"),
        (
            "plugin.StartInstance",
            {"Name": "echo", "Config": {}},
            "StartInstance: Config must be a JSON string",
        ),
        ("plugin.GetPluginInfo", "nope", "plugin nope is not served by this plugin server"),
    ],
)
def test_errors_come_back_as_strings_with_kongs_wording(
    dispatcher: Dispatcher, method: str, param: Any, error: str
) -> None:
    _, _, err, result = call(dispatcher, method, param)
    assert (err, result) == (error, None)


def test_exactly_one_parameter_is_required(dispatcher: Dispatcher) -> None:
    _, _, err, _ = call(dispatcher, "plugin.GetStatus", 1, 2)
    assert err == "plugin.GetStatus takes exactly one parameter"


def test_status_and_plugin_info_are_served(dispatcher: Dispatcher) -> None:
    assert call(dispatcher, "plugin.GetStatus", None)[3]["ActiveEvents"] == 0
    info = call(dispatcher, "plugin.GetPluginInfo", "echo")[3]
    assert (info["Name"], info["Version"], info["Phases"]) == ("echo", "0.1.0", ["access"])


@pytest.mark.parametrize(
    "frame",
    [
        {"not": "a list"},
        [],
        [1, 1, None, None],
        [0, 1, "plugin.GetStatus"],
        [0, "1", "plugin.GetStatus", [None]],
    ],
)
def test_frames_that_are_not_requests_are_protocol_errors(dispatcher: Dispatcher, frame: Any) -> None:
    with pytest.raises(ProtocolError):
        dispatcher.handle(frame)


def test_notifications_get_no_answer(dispatcher: Dispatcher) -> None:
    assert dispatcher.handle([2, "serverPid", 123]) is None


def test_non_utf8_strings_round_trip_as_the_same_bytes() -> None:
    raw = b"\xa6ab\xff\xfecd"  # msgpack str of 6 bytes, not UTF-8
    decoded = next(iter(_feed(raw)))
    assert decoded == "ab\udcff\udcfecd"
    assert wire.pack(decoded) == raw
    assert wire.pack(b"\x00\xff") == b"\xc4\x02\x00\xff", "bytes must be msgpack bin"


def test_event_responses_are_spliced_exactly_like_a_packed_response() -> None:
    data = {"Method": "kong.response.exit", "Args": [200, b"\x00\x01", {"h": ["a", "b"]}]}
    spliced = wire.encode_event_response(12, 34, wire.pack(data))
    assert spliced == wire.pack([1, 12, None, {"Data": data, "EventId": 34}])


def test_frames_over_the_size_limit_are_refused() -> None:
    unpacker = wire.new_unpacker(max_frame_bytes=1024)
    with pytest.raises(msgpack.BufferFull):
        unpacker.feed(wire.pack([0, 1, "plugin.Step", [{"EventId": 0, "Data": "x" * 4096}]]))


def _feed(raw: bytes) -> msgpack.Unpacker:
    unpacker = wire.new_unpacker()
    unpacker.feed(raw)
    return unpacker


def test_the_rpc_trace_shows_ids_and_shapes_never_values(caplog: pytest.LogCaptureFixture) -> None:
    module = types.ModuleType("dispatch_echo")
    module.Plugin = HeaderEcho  # type: ignore[attr-defined]
    module.version = "0.1.0"  # type: ignore[attr-defined]
    catalog = PluginCatalog(available={"echo": describe_module("echo", module, "test")})
    tracing = Dispatcher(PluginRuntime(catalog), trace=True)
    caplog.set_level("DEBUG", logger="kong_plugins.server.dispatch")
    _, _, err, started = call(tracing, "plugin.StartInstance", {"Name": "echo", "Config": '{"k": "s3cret"}'})
    assert err is None
    first = call(tracing, "plugin.HandleEvent", {"InstanceId": started["Id"], "EventName": "access"})[3]
    call(tracing, "plugin.Step", {"EventId": first["EventId"], "Data": "Bearer tok3n"})
    call(tracing, "plugin.Forged\nINFO [kong] injected", {})
    text = caplog.text
    assert "s3cret" not in text and "tok3n" not in text
    assert "plugin.StartInstance Name='echo' Config=string[15]" in text
    assert f"plugin.Step EventId={first['EventId']} Data=string[12]" in text
    assert "\nINFO [kong] injected" not in text  # a method name cannot start a log line of its own
