"""The event-loop runtime (``--runtime green``): each event's handler in a greenlet, driven by one loop.

One thread (the loop of :mod:`kong_plugins.server.loop`) owns every connection and every handler. A
HandleEvent creates the event's greenlet and switches into it; the handler runs until its first PDK call,
which packs the call, stores it in the event and switches back to the loop; the loop answers Kong on the
connection the request came on. When Kong's ``Step`` arrives (on any pooled connection: events are routed
by id, never by connection) the loop switches into the handler again with ``(data, err)``. So a PDK round
trip costs two greenlet switches and no thread hand-off, queue, lock or timer.

Blocking work in a handler goes through :func:`kong_plugins.core.blocking.run`: it runs on a bounded pool of
worker threads while the handler's greenlet is switched out; the worker appends the finished job to a
deque and writes the loop's ``eventfd``; the loop switches back into the handler with the result. Code that
blocks without it (a raw socket read, ``time.sleep``, a CPU-bound loop) holds every event of the process:
that is the price of not monkey-patching, and why every blocking call of our plugins has that one choke point.

Behaviour kept from the thread runtime (:mod:`kong_plugins.server.events`, kong-protocol.md §6, §8):

* fail closed: a handler that raises is answered with ``kong.response.error(500)`` (``exit(500)`` in
  preread, ``ret`` in log/certificate); one whose blocking work outlives ``handler_timeout`` too (the
  deadline is checked by the loop, so it fires up to one ``watch_interval`` late);
* ``kong.response.exit/error`` end the event for Kong at once; later PDK calls of the handler are answered
  locally with an error string, never sent;
* an event whose Step does not come within ``kong_answer_timeout`` is forgotten, and its handler gets
  ``(None, "Kong did not answer ...")``;
* unpackable PDK arguments raise ``TypeError`` at the call site;
* instance ids, lifecycle and GetStatus are :class:`~kong_plugins.server.runtime.PluginRuntime`'s.

The ``kong`` object handed to handlers is kong-pdk's API (``kong.request.get_header(...)`` returns ``(data,
err)``, or data and :class:`PDKException` with ``--no-lua-style``), but one tree of attribute nodes is built
once per process and shared by all events: a call finds its event as the loop's current one, so an event
allocates nothing for its ``kong`` object.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import time
import traceback
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from greenlet import getcurrent, greenlet
from kong_pdk.exception import PDKException

from kong_plugins.core import blocking
from kong_plugins.server import wire
from kong_plugins.server.events import (
    _ENDED_BY_EXIT,
    _ENDED_BY_SERVER,
    _KONG_SILENT,
    DEFAULT_HANDLER_TIMEOUT,
    DEFAULT_KONG_ANSWER_TIMEOUT,
    FAIL_CLOSED_DATA,
    PACKED_RET,
    TERMINAL_METHODS,
    describe_fail_closed,
)
from kong_plugins.server.pool import HandlerPool
from kong_plugins.server.registry import PHASES
from kong_plugins.server.runtime import DEFAULT_INSTANCE_IDLE_TTL, PluginRuntime, RpcError

DEFAULT_MAX_BLOCKING_THREADS = 128

_log = logging.getLogger("kong_plugins.server.green")

#: What a handler greenlet passes to the loop when it switches back.
_CALL = object()  # a PDK call is stored in ``event.out``: answer Kong with it, wait for the Step
_BLOCKED = object()  # blocking work runs on a worker thread: nothing to answer yet


class ReplyTarget(Protocol):
    """Where an event's answer goes: the connection the HandleEvent/Step came on."""

    def write(self, data: bytes) -> None: ...


class _Failure:
    __slots__ = ("exc",)

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


class GreenEvent:
    """One HandleEvent: its greenlet, the request waiting for its next message, its deadline."""

    __slots__ = (
        "blocked",
        "deadline",
        "ended",
        "ended_by_plugin",
        "event_id",
        "final",
        "glet",
        "label",
        "msgid",
        "out",
        "phase",
        "target",
        "waiting_kong",
        "warned_late_call",
    )

    def __init__(self, event_id: int, label: str, phase: str) -> None:
        self.event_id = event_id
        self.label = label
        self.phase = phase
        self.glet: greenlet | None = None
        self.target: ReplyTarget | None = None  # the request waiting for this event's next message
        self.msgid = 0
        self.out = b""  # the packed PDK call being answered
        self.final: bytes | None = None  # packed exit/error, sent at the next switch to the loop
        self.ended = False  # Kong has its last answer (or was given up on): nothing more is sent
        self.ended_by_plugin = False
        self.waiting_kong = False  # a PDK call was answered to Kong; only now may a Step come
        self.blocked = False  # switched out in blocking.run
        self.deadline = math.inf
        self.warned_late_call = False


class _Job:
    """One :func:`blocking.run` call, run by a worker thread; the loop resumes ``event`` with it."""

    __slots__ = ("args", "done", "error", "event", "fn", "kwargs", "result", "wake")

    def __init__(
        self,
        event: GreenEvent,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        done: deque[_Job],
        wake: Callable[[], None],
    ) -> None:
        self.event = event
        self.fn: Callable[..., Any] | None = fn
        self.args = args
        self.kwargs = kwargs
        self.result: Any = None
        self.error: BaseException | None = None
        self.done = done
        self.wake = wake

    def __call__(self) -> None:
        try:
            assert self.fn is not None
            self.result = self.fn(*self.args, **self.kwargs)
        except BaseException as exc:  # handed to the handler, raised at its call site
            self.error = exc
        self.fn = None
        self.args = ()
        self.kwargs = {}
        self.done.append(self)  # deque.append is atomic: no lock between worker and loop
        self.wake()


class _PdkNode:
    """kong-pdk's ``kong`` proxy (``kong.request.get_header``), children built once and kept."""

    __slots__ = ("__dict__", "_call", "_prefix")

    def __init__(self, prefix: str, call: Callable[[str, tuple[Any, ...]], Any]) -> None:
        self._prefix = prefix
        self._call = call

    def __getattr__(self, name: str) -> _PdkNode:
        child = _PdkNode(f"{self._prefix}.{name}", self._call)
        self.__dict__[name] = child
        return child

    def __call__(self, *args: Any) -> Any:
        return self._call(self._prefix, args)

    def __str__(self) -> str:  # as kong-pdk's FakeClasses: str(kong.x.y) calls it without arguments
        return str(self._call(self._prefix, ()))


def _sanitized_log_args(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """kong-pdk turns ``kong.log*`` arguments that are not str/int/list/dict into str."""
    return tuple(a if type(a) in (str, int, list, dict) else str(a) for a in args)


class GreenRuntime(PluginRuntime):
    """Instances (inherited) and greenlet events; every method runs on the loop's thread."""

    def __init__(  # every method runs on one thread (the loop's): the packer is not thread-safe
        self,
        catalog: Any,
        *,
        lua_style: bool = True,
        handler_timeout: float = DEFAULT_HANDLER_TIMEOUT,
        kong_answer_timeout: float = DEFAULT_KONG_ANSWER_TIMEOUT,
        instance_idle_ttl: float = DEFAULT_INSTANCE_IDLE_TTL,
        max_blocking_threads: int = DEFAULT_MAX_BLOCKING_THREADS,
        wake: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            catalog,
            lua_style=lua_style,
            handler_timeout=handler_timeout,
            kong_answer_timeout=kong_answer_timeout,
            instance_idle_ttl=instance_idle_ttl,
            max_handler_threads=1,
            clock=clock,
        )
        self._green_events: dict[int, GreenEvent] = {}
        self._hub: greenlet | None = None
        self._current: GreenEvent | None = None
        self._blocking_pool = HandlerPool(max_blocking_threads, name="blocking")
        self.done: deque[_Job] = deque()
        #: ``plugin:phase`` → blocking.run calls made by its handlers (Redis commands, HTTP requests): the
        #: round trips a request waits for besides Kong's, reported by GetStatus for budgets and benches.
        self.blocking_calls: dict[str, int] = {}
        self.drives = 0
        self._wake = wake or (lambda: None)
        self.now = clock()
        self.kong = _PdkNode("kong", self._pdk_call)
        self._packer = wire.LoopPacker()

    # -- set-up ---------------------------------------------------------------------------------------------

    def attach(self, wake: Callable[[], None]) -> None:
        """Bind to this thread's loop: handler greenlets return here; finished work calls ``wake``."""
        self._hub = getcurrent()
        self._wake = wake
        blocking.install(self.offload)

    def detach(self) -> None:
        blocking.install(None)

    @property
    def active_events(self) -> int:
        return len(self._green_events)

    # -- Kong's event calls ---------------------------------------------------------------------------------

    def start_event(self, instance_id: int, phase: str, target: ReplyTarget, msgid: int) -> None:
        """``HandleEvent``: start the handler; ``target`` gets its first message (now or once unblocked)."""
        instance = self._instance(instance_id)
        handler = getattr(instance.plugin, phase, None) if phase in PHASES else None
        if not callable(handler):
            raise RpcError(f"plugin {instance.name} has no handler for phase {phase!r}")
        instance.last_used = self.now
        event = GreenEvent(next(self._event_ids), f"{instance.name}:{phase}", phase)
        event.glet = greenlet(self._run_handler, self._hub)
        event.target = target
        event.msgid = msgid
        self._green_events[event.event_id] = event
        self._drive(event, handler)

    def step_event(self, event_id: int, data: Any, err: Any, target: ReplyTarget, msgid: int) -> None:
        """``Step`` (``err`` set for StepError): resume the handler with Kong's answer."""
        event = self._green_events.get(event_id)
        if event is None or not event.waiting_kong:
            raise RpcError(f"event id {event_id} not found")
        event.waiting_kong = False
        event.target = target
        event.msgid = msgid
        self._drive(event, (data, err))

    # -- handler side (runs in the event's greenlet) -------------------------------------------------------

    def _run_handler(self, handler: Callable[[Any], None]) -> Any:
        try:
            handler(self.kong)
        except BaseException as exc:  # SystemExit too: Kong must get an answer whatever the plugin does
            return _Failure(exc)
        return None

    def _pdk_call(self, method: str, args: tuple[Any, ...]) -> Any:
        event = self._current
        if event is None or getcurrent() is not event.glet:
            raise RuntimeError(f"{method} called outside of a plugin handler's event")
        if event.ended or event.ended_by_plugin:
            return self._local_answer(event, method)
        if method.startswith("kong.log"):
            args = _sanitized_log_args(args)
        try:
            packed = self._packer.pack({"Method": method, "Args": args})
        except (TypeError, ValueError, OverflowError) as exc:
            raise TypeError(f"cannot send {method} to Kong: {exc}") from exc
        if method in TERMINAL_METHODS:
            event.ended_by_plugin = True
            event.final = packed
            return None
        event.out = packed
        assert self._hub is not None
        data, err = self._hub.switch(_CALL)
        if self._lua_style:
            return data, err
        if err:
            raise PDKException(f"exception from {method}: {err}")
        return data

    def _local_answer(self, event: GreenEvent, method: str) -> Any:
        if not event.warned_late_call:
            event.warned_late_call = True
            _log.warning(
                "PDK call %s after event %d ended is answered locally (not sent to Kong)",
                method,
                event.event_id,
                extra={"plugin": event.label},
            )
        if method in TERMINAL_METHODS:
            return None
        err = _ENDED_BY_EXIT if event.ended_by_plugin else _ENDED_BY_SERVER
        if self._lua_style:
            return None, err
        raise PDKException(f"exception from {method}: {err}")

    def offload(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """:func:`blocking.run`: in a handler greenlet, run ``fn`` on a worker and serve others meanwhile."""
        event = self._current
        if event is None or getcurrent() is not event.glet:
            return fn(*args, **kwargs)  # the loop itself, a worker thread, or another thread of the plugin
        calls = self.blocking_calls
        calls[event.label] = calls.get(event.label, 0) + 1
        job = _Job(event, fn, args, kwargs, self.done, self._wake)
        self._blocking_pool.submit(job)
        assert self._hub is not None
        self._hub.switch(_BLOCKED)
        error = job.error
        if error is not None:
            job.error = None
            raise error
        return job.result

    # -- loop side ------------------------------------------------------------------------------------------

    def resume_finished_jobs(self) -> None:
        """Called by the loop when its eventfd fired: switch back into each handler whose work is done."""
        done = self.done
        while done:
            job = done.popleft()
            job.event.blocked = False
            self._drive(job.event, job)

    def _drive(self, event: GreenEvent, value: Any) -> None:
        """Switch into ``event``'s handler with ``value`` until it switches back; answer what it produced."""
        self._current = event
        self.drives += 1  # the stall watch's sign of progress
        try:
            assert event.glet is not None
            signal = event.glet.switch(value)
        finally:
            self._current = None
        if signal is _CALL:
            # Only a live event sends calls; a PDK call from an ended event is answered locally.
            event.waiting_kong = True
            event.deadline = self.now + self._kong_answer_timeout
            self._answer(event, event.out, final=False)
            return
        if signal is _BLOCKED:
            event.blocked = True
            if event.final is not None and not event.ended:
                self._answer(event, event.final, final=True)  # exit/error first, blocking work after it
            elif not event.ended:
                event.deadline = self.now + self._handler_timeout
            return
        # The greenlet has finished: ``signal`` is _run_handler's return value.
        event.glet = None
        if type(signal) is _Failure:
            self._handler_failed(event, signal.exc)
        elif not event.ended:
            self._answer(event, event.final if event.final is not None else PACKED_RET, final=True)

    def _answer(self, event: GreenEvent, packed: bytes, *, final: bool) -> None:
        target, event.target = event.target, None
        if final:
            event.ended = True
            event.deadline = math.inf
            self._green_events.pop(event.event_id, None)
        if target is not None:
            target.write(self._packer.event_response(event.msgid, event.event_id, packed))

    def _handler_failed(self, event: GreenEvent, exc: BaseException) -> None:
        details = "".join(traceback.format_exception(exc)).rstrip()
        if event.ended or event.final is not None:
            if not event.ended:
                self._answer(event, event.final or PACKED_RET, final=True)
            _log.error(
                "handler raised %s after its event had ended\n%s",
                type(exc).__name__,
                details,
                extra={"plugin": event.label},
            )
            return
        _log.error(
            "handler raised %s; answered Kong with %s (fail closed)\n%s",
            type(exc).__name__,
            describe_fail_closed(event.phase),
            details,
            extra={"plugin": event.label},
        )
        self._answer(event, FAIL_CLOSED_DATA[event.phase], final=True)

    def expire(self, now: float) -> None:
        """Answer or give up on the events past their deadline (called by the loop every watch interval)."""
        for event in [e for e in self._green_events.values() if now >= e.deadline]:
            if event.waiting_kong:
                _log.error(
                    "Kong sent no Step within %.0fs; event %d abandoned",
                    self._kong_answer_timeout,
                    event.event_id,
                    extra={"plugin": event.label},
                )
                event.waiting_kong = False
                self._answer(event, b"", final=True)  # nobody waits: just forget the event
                event.target = None
                self._drive(event, (None, _KONG_SILENT))
            elif event.blocked:
                _log.error(
                    "handler silent for %.0fs; answered Kong with %s (fail closed), event %d dropped",
                    self._handler_timeout,
                    describe_fail_closed(event.phase),
                    event.event_id,
                    extra={"plugin": event.label},
                )
                self._answer(event, FAIL_CLOSED_DATA[event.phase], final=True)

    def forget_target(self, target: ReplyTarget) -> None:
        """A connection closed: answers meant for it are dropped (Kong has given up on that request)."""
        for event in self._green_events.values():
            if event.target is target:
                event.target = None

    @property
    def current_label(self) -> str | None:
        """``plugin:phase`` of the handler running right now (read by the stall watch's thread)."""
        event = self._current
        return None if event is None else event.label

    @property
    def has_events(self) -> bool:
        return bool(self._green_events)

    # -- the thread runtime's entry points are not used here ------------------------------------------------

    def handle_event(self, instance_id: int, phase: str) -> Any:  # pragma: no cover - loop uses start_event
        raise RpcError("internal plugin server error: HandleEvent outside the event loop")

    def step(self, event_id: int, data: Any, *, is_error: bool = False) -> Any:  # pragma: no cover
        raise RpcError("internal plugin server error: Step outside the event loop")

    def get_status(self) -> dict[str, Any]:
        status = super().get_status()
        status["HandlerThreads"] = 0
        status["BlockingThreads"] = self._blocking_pool.threads
        status["BlockingCalls"] = dict(self.blocking_calls)
        status["Runtime"] = "green"
        return status


def new_eventfd() -> tuple[int, Callable[[], None], Callable[[], None]]:
    """An eventfd (else a pipe): its fd, ``wake()`` for any thread, ``drain()`` for the loop."""
    if hasattr(os, "eventfd"):
        fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)

        def wake() -> None:
            os.eventfd_write(fd, 1)

        def drain() -> None:
            with contextlib.suppress(BlockingIOError):
                os.eventfd_read(fd)

        return fd, wake, drain
    read_fd, write_fd = os.pipe()
    os.set_blocking(read_fd, False)
    os.set_blocking(write_fd, False)

    def wake_pipe() -> None:
        with contextlib.suppress(BlockingIOError):  # full: the loop is going to wake anyway
            os.write(write_fd, b"x")

    def drain_pipe() -> None:
        try:
            while os.read(read_fd, 4096):
                pass
        except BlockingIOError:
            pass

    return read_fd, wake_pipe, drain_pipe
