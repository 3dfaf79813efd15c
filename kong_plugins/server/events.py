"""One event: a plugin handler running in its own thread, talking to Kong one PDK call at a time.

The handler gets ``kong_pdk.pdk.Kong(channel, lua_style).kong``, the very object kong-pdk gives plugins, so
our plugins see exactly the kong-pdk API. kong-pdk's ``Kong`` only needs a channel with ``put(message)``
(a PDK call ``{"Method", "Args"}``) and ``get()`` (its ``(data, err)`` answer); :class:`PluginChannel` is
that channel.

What this adds over kong-pdk (kong-protocol.md §6, §8):

* **Fail closed, never leave Kong waiting.** A handler that raises (before or after its first PDK call), or
  that does not produce its next message within ``handler_timeout``, is answered at once with
  ``kong.response.error(500)`` (rewrite/access/response), ``kong.response.exit(500)`` (stream preread) or
  ``"ret"`` (log/certificate, where there is nothing to answer). kong-pdk sends nothing and Kong fails open
  after its 60 s read timeout.
* **No leak, no stuck thread.** Once an event has ended (``ret``, ``kong.response.exit/error``, failure,
  timeout) further PDK calls from the handler are answered locally with an error instead of waiting forever
  for a Step that Kong will never send (kong-pdk issues #120, #137). A handler waiting for a Step that never
  comes (Kong gave up, the connection died) is released after ``kong_answer_timeout``.
* **Unpackable arguments raise at the call site** (``TypeError`` from the PDK call) instead of breaking the
  connection, because the call is packed in the handler's thread.

Both timeouts are deadlines checked by the runtime's watch (:meth:`Event.expire_if_due`), not timed queue
waits: under ``-g`` a timed wait starts and stops a gevent timer, and with two waits per PDK round trip those
timers were most of what our gevent mode cost over kong-pdk's. A wait arms a deadline, blocks without a
timeout, and is woken by an :class:`_Expired` marker carrying the number of the wait it ends, so a marker
that arrives after its wait was already answered is recognised and skipped by the next one.
"""

from __future__ import annotations

import enum
import logging
import math
import queue
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kong_pdk.pdk import Kong

from kong_plugins.server import wire

#: PDK calls after which Kong never sends a Step for the event (kong-pdk does not wait for an answer either).
TERMINAL_METHODS = frozenset({"kong.response.exit", "kong.response.error"})

RET = "ret"
PACKED_RET = wire.pack(RET)

_ERROR_500 = wire.pack({"Method": "kong.response.error", "Args": [500]})
_EXIT_500 = wire.pack({"Method": "kong.response.exit", "Args": [500]})

#: What Kong is told when a handler fails, per phase. kong.response.error is allowed in
#: rewrite/access/response; in stream ``preread`` only ``exit`` exists (500 closes the connection); log and
#: certificate have no response.
FAIL_CLOSED_DATA: dict[str, bytes] = {
    "rewrite": _ERROR_500,
    "access": _ERROR_500,
    "response": _ERROR_500,
    "preread": _EXIT_500,
    "certificate": PACKED_RET,
    "log": PACKED_RET,
}

DEFAULT_HANDLER_TIMEOUT = 30.0
DEFAULT_KONG_ANSWER_TIMEOUT = 120.0

_ENDED_BY_EXIT = "the event already ended with kong.response.exit/error; this PDK call was not sent to Kong"
_ENDED_BY_SERVER = (
    "the event was ended by the plugin server (handler failure or timeout); call not sent to Kong"
)
_KONG_SILENT = "Kong did not answer this PDK call in time; the event was abandoned"

_log = logging.getLogger("kong_plugins.server.events")


class EventState(enum.Enum):
    """Where an event stands; only ``WAITING_FOR_KONG`` accepts a Step."""

    RUNNING = "running"  # the handler runs; the server waits for its next message
    WAITING_FOR_KONG = "waiting-for-kong"  # a PDK call was sent to Kong; the handler waits for the Step
    ENDED = "ended"  # ret / exit / error / failure / timeout: Kong will not hear from this event again


@dataclass(frozen=True)
class EventReply:
    """The ``Data`` of a HandleEvent/Step answer (already packed) and whether the event is over for Kong."""

    event_id: int
    packed_data: bytes
    final: bool


class _Outcome(enum.Enum):
    CALL = "call"
    RET = "ret"
    FAILED = "failed"


@dataclass(frozen=True)
class _Message:
    """Handler → server: a PDK call (packed), a normal return, or a failure."""

    outcome: _Outcome
    packed_data: bytes = b""
    terminal: bool = False
    description: str = ""


@dataclass(frozen=True)
class _Expired:
    """Watch → waiter: wait number ``wait`` on this inbox is past its deadline."""

    wait: int


_TIMED_OUT = object()


class _Waits:
    """The waits of one side of an event (the server's for messages, the handler's for Kong's answers).

    A side waits for one thing at a time; the two sides' waits may overlap (a handler can send its call and
    start waiting for the answer before the server has started waiting for that call), hence one per side.
    """

    __slots__ = ("deadline", "inbox", "number", "timeout")

    def __init__(self, inbox: queue.SimpleQueue[Any], timeout: float) -> None:
        self.inbox = inbox
        self.timeout = timeout
        self.number = 0
        self.deadline = math.inf  # of wait ``number``; inf when it is not armed

    def arm(self) -> int:
        """Start a new wait; returns its number (under the event's lock)."""
        self.number += 1
        self.deadline = time.monotonic() + self.timeout
        return self.number

    def take(self, wait: int | None) -> Any:
        """The next item of the inbox, or ``_TIMED_OUT`` when the watch ends wait number ``wait``."""
        while True:
            item = self.inbox.get()
            if type(item) is not _Expired:
                self.deadline = math.inf  # a marker the watch sends anyway is skipped by the next wait
                return item
            if item.wait == wait:
                return _TIMED_OUT

    def take_nowait(self) -> Any:
        """The first real item already in the inbox (expiry markers skipped), or None."""
        while True:
            try:
                item = self.inbox.get_nowait()
            except queue.Empty:
                return None
            if type(item) is not _Expired:
                return item

    def expire_if_due(self, now: float) -> None:
        """Wake the wait in progress if its deadline has passed (under the event's lock)."""
        if now >= self.deadline:
            self.deadline = math.inf
            self.inbox.put(_Expired(self.number))


class Event:
    """One HandleEvent: the handler thread on one side, Kong's HandleEvent/Step calls on the other."""

    def __init__(
        self,
        event_id: int,
        plugin_name: str,
        phase: str,
        handler: Callable[[Any], None],
        *,
        lua_style: bool,
        handler_timeout: float = DEFAULT_HANDLER_TIMEOUT,
        kong_answer_timeout: float = DEFAULT_KONG_ANSWER_TIMEOUT,
        on_abandoned: Callable[[int], None] | None = None,
    ) -> None:
        self.event_id = event_id
        self.plugin_name = plugin_name
        self.phase = phase
        self._handler = handler
        self._lua_style = lua_style
        self._on_abandoned = on_abandoned
        self._lock = threading.Lock()
        self._state = EventState.RUNNING
        self._ended_by_plugin = False  # exit/error was called: later calls are answered locally
        self._to_server: queue.SimpleQueue[_Message | _Expired] = queue.SimpleQueue()
        self._to_handler: queue.SimpleQueue[tuple[Any, Any] | _Expired] = queue.SimpleQueue()
        self._stepping = False
        self._warned_late_call = False
        self._server_waits = _Waits(self._to_server, handler_timeout)
        self._handler_waits = _Waits(self._to_handler, kong_answer_timeout)

    @property
    def state(self) -> EventState:
        return self._state

    @property
    def label(self) -> str:
        """``plugin:phase``, the prefix of every log line about this event."""
        return f"{self.plugin_name}:{self.phase}"

    # -- handler side ---------------------------------------------------------------------------------------

    def run_handler(self) -> None:
        """Body of the handler thread: run the phase method, report how it ended."""
        with self._lock:
            if self._state is EventState.ENDED:
                return  # abandoned (timeout) before a thread was free to run it
        channel = PluginChannel(self)
        try:
            self._handler(Kong(channel, self._lua_style).kong)
        except BaseException as exc:  # SystemExit too: Kong must get an answer whatever the plugin does
            self._handler_failed(exc)
        else:
            self._send_from_handler(_Message(_Outcome.RET, PACKED_RET))

    def _handler_failed(self, exc: BaseException) -> None:
        details = "".join(traceback.format_exception(exc))
        answered = self._send_from_handler(_Message(_Outcome.FAILED, description=details))
        if answered:
            _log.error(
                "handler raised %s; answered Kong with %s (fail closed)\n%s",
                type(exc).__name__,
                describe_fail_closed(self.phase),
                details.rstrip(),
                extra={"plugin": self.label},
            )
        else:
            _log.error(
                "handler raised %s after its event had ended\n%s",
                type(exc).__name__,
                details.rstrip(),
                extra={"plugin": self.label},
            )

    def _send_from_handler(self, message: _Message) -> bool:
        """Queue ``message`` for the server unless the event is over; returns whether it was queued."""
        with self._lock:
            if self._state is EventState.ENDED or self._ended_by_plugin:
                return False
            if message.terminal:
                self._ended_by_plugin = True
            self._to_server.put(message)
            return True

    def send_call(self, call: dict[str, Any]) -> bool:
        """Handler → Kong: one PDK call. Returns False when it was not sent (the event is over)."""
        method = str(call.get("Method", ""))
        packed = _pack_call(call)
        sent = self._send_from_handler(
            _Message(_Outcome.CALL, packed, terminal=method in TERMINAL_METHODS, description=method)
        )
        if not sent:
            self._warn_late_call(method)
        return sent

    def wait_answer(self) -> tuple[Any, Any]:
        """Handler ← Kong: the ``(data, err)`` of the last PDK call, or a local error once it is over."""
        with self._lock:
            if self._ended_by_plugin or self._state is EventState.ENDED:
                return self.local_answer()
            wait = self._handler_waits.arm()
        answer = self._handler_waits.take(wait)
        if answer is not _TIMED_OUT:
            return answer
        with self._lock:
            answer = self._handler_waits.take_nowait()  # delivered while we took the lock (deliver() locks)
            if answer is not None:
                return answer
            delivering = self._stepping  # begin_step() ran: deliver() follows at once
            if not delivering:
                self._state = EventState.ENDED
        if delivering:
            return self._handler_waits.take(None)
        _log.error(
            "Kong sent no Step within %.0fs; event %d abandoned",
            self._handler_waits.timeout,
            self.event_id,
            extra={"plugin": self.label},
        )
        if self._on_abandoned is not None:
            self._on_abandoned(self.event_id)
        return None, _KONG_SILENT

    def local_answer(self) -> tuple[None, str]:
        """The ``(data, err)`` a PDK call gets once the event is over: nil and the reason."""
        return None, _ENDED_BY_EXIT if self._ended_by_plugin else _ENDED_BY_SERVER

    def _warn_late_call(self, method: str) -> None:
        if not self._warned_late_call:
            self._warned_late_call = True
            _log.warning(
                "PDK call %s after event %d ended is answered locally (not sent to Kong)",
                method,
                self.event_id,
                extra={"plugin": self.label},
            )

    # -- server side ----------------------------------------------------------------------------------------

    def begin_step(self) -> bool:
        """Claim the event for one Step; False when it is not waiting for one (or another Step is running)."""
        with self._lock:
            if self._state is not EventState.WAITING_FOR_KONG or self._stepping:
                return False
            self._stepping = True
            return True

    def deliver(self, data: Any, err: Any) -> None:
        """Kong → handler: the result of the pending PDK call (after :meth:`begin_step`)."""
        with self._lock:
            self._state = EventState.RUNNING
            self._stepping = False
            self._to_handler.put((data, err))

    def next_reply(self) -> EventReply:
        """Wait for the handler's next message; turn it into Kong's answer (fail closed on failure)."""
        with self._lock:
            wait = self._server_waits.arm()
        message = self._server_waits.take(wait)
        if message is _TIMED_OUT:
            with self._lock:
                message = self._server_waits.take_nowait()  # it may have arrived while we took the lock
                if message is None:
                    self._state = EventState.ENDED
            if message is None:
                _log.error(
                    "handler silent for %.0fs; answered Kong with %s (fail closed), event %d dropped",
                    self._server_waits.timeout,
                    describe_fail_closed(self.phase),
                    self.event_id,
                    extra={"plugin": self.label},
                )
                return EventReply(self.event_id, FAIL_CLOSED_DATA[self.phase], final=True)
        return self._reply_for(message)

    def expire_if_due(self, now: float) -> None:
        """Called by the runtime's watch: wake the waits whose deadline has passed."""
        with self._lock:
            self._server_waits.expire_if_due(now)
            self._handler_waits.expire_if_due(now)

    def _reply_for(self, message: _Message) -> EventReply:
        with self._lock:
            if message.outcome is _Outcome.CALL and not message.terminal:
                self._state = EventState.WAITING_FOR_KONG
                return EventReply(self.event_id, message.packed_data, final=False)
            self._state = EventState.ENDED
        if message.outcome is _Outcome.FAILED:
            return EventReply(self.event_id, FAIL_CLOSED_DATA[self.phase], final=True)
        return EventReply(self.event_id, message.packed_data, final=True)


class PluginChannel:
    """The channel kong-pdk's ``Kong`` object talks through: ``put`` a PDK call, ``get`` its answer."""

    def __init__(self, event: Event) -> None:
        self._event = event
        self._answer_is_local = False

    def put(self, call: dict[str, Any]) -> None:
        self._answer_is_local = not self._event.send_call(call)

    def get(self) -> tuple[Any, Any]:
        if self._answer_is_local:
            self._answer_is_local = False
            return self._event.local_answer()
        return self._event.wait_answer()


def _pack_call(call: dict[str, Any]) -> bytes:
    try:
        return wire.pack(call)
    except (TypeError, ValueError, OverflowError) as exc:
        raise TypeError(f"cannot send {call.get('Method')} to Kong: {exc}") from exc


def describe_fail_closed(phase: str) -> str:
    """How a failed handler is answered in ``phase``, for log lines."""
    data = FAIL_CLOSED_DATA[phase]
    if data == _ERROR_500:
        return "kong.response.error(500)"
    if data == _EXIT_500:
        return "kong.response.exit(500)"
    return "ret"
