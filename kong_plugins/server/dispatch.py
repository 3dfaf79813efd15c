"""The ``plugin.*`` RPC methods: validate Kong's request, call the runtime, build the response frame.

Kong sends ``[0, msgid, "plugin.X", [param]]`` with exactly one parameter (a map, or a bare integer for
CloseInstance) and expects ``[1, msgid, err, result]``. Every Step variant Kong picks by result type
(StepCredential, StepConsumer, StepRoute, StepService, StepMemoryStats, StepMultiMap) is plain ``Step``;
``StepError`` hands ``Data`` to the plugin as the error. A Step without a ``Data`` key means nil: Kong sets a
nil Lua field, which msgpack leaves out.

``SetPluginDir`` (kong-pdk) is deliberately not offered: it would let any local client make the server import
code from a directory of its choice.

The ``-vv`` trace says which call came, its ids and sizes, never what it carries: StartInstance's ``Config``
holds Redis passwords and JWT keys, and Step answers hold request headers (``Authorization``, ``Cookie``, API
keys) and bodies (prompts). Kong copies our stderr into its error.log, which is shipped and read by more
people than the secrets are meant for.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kong_plugins.server import wire
from kong_plugins.server.events import EventReply
from kong_plugins.server.runtime import PluginRuntime, RpcError

STEP_METHODS = frozenset(
    {
        "Step",
        "StepCredential",
        "StepConsumer",
        "StepRoute",
        "StepService",
        "StepMemoryStats",
        "StepMultiMap",
    }
)

_TRACE_NAME_CHARS = 64
#: Fields of a request's parameter the trace shows as they are: ids and names Kong chose, never request data.
_TRACE_ID_FIELDS = ("Name", "InstanceId", "EventName", "EventId")
#: Fields the trace shows only as a shape and a size.
_TRACE_OPAQUE_FIELDS = ("Config", "Data")

_log = logging.getLogger("kong_plugins.server.dispatch")


class ProtocolError(Exception):
    """A frame that is not a Kong request; the connection is closed (there is no msgid to answer)."""


class Dispatcher:
    """Turns one decoded request frame into the bytes of its response frame."""

    def __init__(self, runtime: PluginRuntime, *, trace: bool = False) -> None:
        self._runtime = runtime
        self._trace = trace
        step_handlers = {name: self._step for name in STEP_METHODS}
        self._methods: dict[str, Callable[[Any], Any]] = {
            "StartInstance": self._start_instance,
            "CloseInstance": self._close_instance,
            "InstanceStatus": self._instance_status,
            "HandleEvent": self._handle_event,
            "StepError": self._step_error,
            "GetStatus": self._get_status,
            "GetPluginInfo": self._get_plugin_info,
            **step_handlers,
        }

    def handle(self, frame: Any) -> bytes | None:
        """The response to ``frame``, or None for a notification. Raises :class:`ProtocolError`."""
        if not isinstance(frame, list) or not frame:
            raise ProtocolError(f"expected a msgpack-RPC array, got {type(frame).__name__}")
        if frame[0] == wire.NOTIFICATION:
            return None
        if frame[0] != wire.REQUEST or len(frame) != 4:
            raise ProtocolError("expected a request [0, msgid, method, params]")
        _, msgid, method, params = frame
        if not isinstance(msgid, int) or isinstance(msgid, bool):
            raise ProtocolError(f"msgid must be an integer, got {type(msgid).__name__}")
        if self._trace:
            _log.debug("rpc #%d %s %s", msgid, _method_name(method), _described(params))
        try:
            result = self._call(method, params)
        except RpcError as exc:
            _log.debug("rpc #%d %s error: %s", msgid, _method_name(method), exc)
            return wire.encode_response(msgid, str(exc), None)
        except Exception as exc:
            _log.exception("rpc #%d %s failed", msgid, _method_name(method))
            return wire.encode_response(msgid, f"internal plugin server error: {type(exc).__name__}", None)
        if isinstance(result, EventReply):
            if self._trace:
                _log.debug("rpc #%d event %d -> %d bytes", msgid, result.event_id, len(result.packed_data))
            return wire.encode_event_response(msgid, result.event_id, result.packed_data)
        try:
            return wire.encode_response(msgid, None, result)
        except (TypeError, ValueError, OverflowError) as exc:
            _log.error("rpc #%d %s: result cannot be packed: %s", msgid, method, exc)
            return wire.encode_response(msgid, f"result of {method} cannot be encoded", None)

    def _call(self, method: Any, params: Any) -> Any:
        if not isinstance(method, str):
            raise RpcError("RPC method name must be a string")
        namespace, _, name = method.partition(".")
        if namespace != "plugin":
            raise RpcError(f"RPC for {_clipped(namespace)} is not supported")
        handler = self._methods.get(name)
        if handler is None:
            raise RpcError(f"RPC for {_clipped(method)} is not supported")
        if not isinstance(params, list) or len(params) != 1:
            raise RpcError(f"{method} takes exactly one parameter")
        return handler(params[0])

    def _start_instance(self, param: Any) -> dict[str, Any]:
        name = _field(param, "Name", str)
        config = param.get("Config")
        if not isinstance(config, str | bytes):
            raise RpcError("StartInstance: Config must be a JSON string")
        return self._runtime.start_instance(name, config)

    def _close_instance(self, param: Any) -> dict[str, Any]:
        return self._runtime.close_instance(_integer(param, "CloseInstance"))

    def _instance_status(self, param: Any) -> dict[str, Any]:
        return self._runtime.instance_status(_integer(param, "InstanceStatus"))

    def _handle_event(self, param: Any) -> EventReply:
        instance_id = _integer(_field(param, "InstanceId", int), "InstanceId")
        phase = _field(param, "EventName", str)
        return self._runtime.handle_event(instance_id, phase)

    def _step(self, param: Any) -> EventReply:
        event_id = _integer(_field(param, "EventId", int), "EventId")
        return self._runtime.step(event_id, param.get("Data"))

    def _step_error(self, param: Any) -> EventReply:
        event_id = _integer(_field(param, "EventId", int), "EventId")
        return self._runtime.step(event_id, param.get("Data"), is_error=True)

    def _get_status(self, _param: Any) -> dict[str, Any]:
        return self._runtime.get_status()

    def _get_plugin_info(self, param: Any) -> dict[str, Any]:
        if not isinstance(param, str):
            raise RpcError("GetPluginInfo takes a plugin name")
        return self._runtime.plugin_info(param)


def _field(param: Any, key: str, kind: type) -> Any:
    if not isinstance(param, dict):
        raise RpcError(f"expected a map with {key}")
    value = param.get(key)
    if not isinstance(value, kind):
        raise RpcError(f"{key} must be {'a string' if kind is str else 'an integer'}")
    return value


def _integer(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise RpcError(f"{what} must be an integer")
    return value


def _clipped(text: str, limit: int = 100) -> str:
    """Untrusted text echoed in an error string or a log line: one line (control characters escaped) and
    bounded (Kong writes it to its log)."""
    if not text.isprintable():
        text = repr(text)[1:-1]
    return text if len(text) <= limit else text[:limit] + "…"


def _method_name(method: Any) -> str:
    """The method name for a log line: the text as sent (escaped, bounded), else the value's repr."""
    return _clipped(method if isinstance(method, str) else repr(method), _TRACE_NAME_CHARS)


def _described(params: Any) -> str:
    """A request's parameters for the trace: ids and names, then the shape and packed size of the rest.

    No value Kong took from a request (header, body, query, consumer) and no config value ever appears.
    """
    try:
        size = f"{len(wire.pack(params))} bytes"
    except (TypeError, ValueError, OverflowError):
        size = "unpackable"
    if not isinstance(params, list) or len(params) != 1:
        return f"params={_shape(params)} ({size})"
    (param,) = params
    if not isinstance(param, dict):
        shown = str(param) if isinstance(param, int) and not isinstance(param, bool) else _shape(param)
        return f"{shown} ({size})"
    parts = []
    for key in _TRACE_ID_FIELDS:
        value = param.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            parts.append(f"{key}={value}")
        elif isinstance(value, str):
            parts.append(f"{key}={_clipped(value, _TRACE_NAME_CHARS)!r}")
    parts += [f"{key}={_shape(param[key])}" for key in _TRACE_OPAQUE_FIELDS if key in param]
    others = len(param) - sum(1 for key in (*_TRACE_ID_FIELDS, *_TRACE_OPAQUE_FIELDS) if key in param)
    if others:
        parts.append(f"+{others} other fields")
    return f"{' '.join(parts)} ({size})"


def _shape(value: Any) -> str:
    """What a value is and how big, without any of its content."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return f"string[{len(value)}]"
    if isinstance(value, bytes | bytearray):
        return f"bin[{len(value)}]"
    if isinstance(value, dict):
        return f"map[{len(value)}]"
    if isinstance(value, list | tuple):
        return f"array[{len(value)}]"
    return type(value).__name__
