"""GreenRuntime: greenlet events, blocking work off the loop, fail-closed answers, deadlines; no sockets."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import msgpack
import pytest
from unit.server.test_server_runtime import ERROR_500, loaded

from kong_plugins.core import blocking
from kong_plugins.server.green import GreenRuntime
from kong_plugins.server.registry import PluginCatalog
from kong_plugins.server.runtime import RpcError


class Target:
    """A connection stand-in: the answers written to it, decoded."""

    def __init__(self) -> None:
        self.frames: list[Any] = []

    def write(self, data: bytes) -> None:
        frame = msgpack.unpackb(data, raw=False, strict_map_key=False, unicode_errors="surrogateescape")
        self.frames.append(frame)

    def last(self) -> tuple[int, Any]:
        _, _msgid, err, result = self.frames[-1]
        assert err is None
        return result["EventId"], result["Data"]


class Gate:
    """A blocking call a test releases: what a handler waiting for Redis looks like."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def wait(self, value: str = "from redis") -> str:
        self.entered.set()
        assert self.release.wait(10)
        return value


class Blocker:
    gate: Gate

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def access(self, kong: Any) -> None:
        if self.config.get("exit_first"):
            kong.response.exit(403)
        value = blocking.run(Blocker.gate.wait)
        data, err = kong.request.get_header(value)
        kong.response.set_header("x-after", err or data)

    def log(self, kong: Any) -> None:
        blocking.run(_raise)


def _raise() -> None:
    raise LookupError("redis said no")


class Echo:
    def __init__(self, config: dict[str, Any]) -> None:
        pass

    def access(self, kong: Any) -> None:
        value, _ = kong.request.get_header("x-a")
        kong.response.set_header("x-echo", value)


@pytest.fixture
def runtime() -> Iterator[GreenRuntime]:
    catalog = PluginCatalog(available={p.name: p for p in (loaded("blocker", Blocker), loaded("echo", Echo))})
    rt = GreenRuntime(catalog, handler_timeout=5, kong_answer_timeout=5)
    rt.attach(lambda: None)
    Blocker.gate = Gate()
    yield rt
    Blocker.gate.release.set()
    rt.detach()


def finish_jobs(rt: GreenRuntime, deadline_s: float = 10) -> None:
    """What the loop does when the eventfd fires, once a worker has finished."""
    deadline = time.monotonic() + deadline_s
    while not rt.done:
        assert time.monotonic() < deadline, "the worker did not finish"
        time.sleep(0.001)
    rt.resume_finished_jobs()


def test_an_event_runs_step_by_step_and_ends_with_ret(runtime: GreenRuntime) -> None:
    target = Target()
    instance = runtime.start_instance("echo", "{}")["Id"]
    runtime.start_event(instance, "access", target, 1)
    event_id, data = target.last()
    assert data == {"Method": "kong.request.get_header", "Args": ["x-a"]}
    runtime.step_event(event_id, "ab\udcffcd", None, target, 2)
    echoed = {"Method": "kong.response.set_header", "Args": ["x-echo", "ab\udcffcd"]}
    assert target.last() == (event_id, echoed)
    runtime.step_event(event_id, None, None, target, 3)
    assert target.last() == (event_id, "ret")
    assert [frame[1] for frame in target.frames] == [1, 2, 3]  # each answer carries its request's msgid
    assert runtime.active_events == 0
    with pytest.raises(RpcError, match=f"event id {event_id} not found"):
        runtime.step_event(event_id, None, None, target, 4)


def test_blocking_work_runs_off_the_loop_while_other_events_go_on(runtime: GreenRuntime) -> None:
    slow, fast = Target(), Target()
    blocker = runtime.start_instance("blocker", "{}")["Id"]
    echo = runtime.start_instance("echo", "{}")["Id"]
    runtime.start_event(blocker, "access", slow, 1)
    assert Blocker.gate.entered.wait(10) and slow.frames == []  # its answer waits for the worker
    with pytest.raises(RpcError, match="not found"):  # no Step is expected while its handler works
        runtime.step_event(next(iter(runtime._green_events)), None, None, slow, 2)
    runtime.start_event(echo, "access", fast, 1)  # another event meanwhile: served at once
    fast_id, _ = fast.last()
    runtime.step_event(fast_id, "v", None, fast, 2)
    runtime.step_event(fast_id, None, None, fast, 3)
    assert fast.last() == (fast_id, "ret")
    Blocker.gate.release.set()
    finish_jobs(runtime)
    slow_id, data = slow.last()
    assert data == {"Method": "kong.request.get_header", "Args": ["from redis"]}
    assert slow.frames[-1][1] == 1  # the HandleEvent's msgid: the deferred answer is still the one to it
    runtime.step_event(slow_id, "yes", None, slow, 2)
    runtime.step_event(slow_id, None, None, slow, 3)
    assert slow.last() == (slow_id, "ret")
    assert runtime.get_status()["BlockingCalls"] == {"blocker:access": 1}  # waits per plugin and phase


def test_blocking_run_outside_a_handler_just_calls() -> None:
    assert blocking.run(lambda x, y=0: x + y, 1, y=2) == 3


def test_an_exception_of_the_blocking_work_is_raised_at_the_call_site(runtime: GreenRuntime) -> None:
    target = Target()
    runtime.start_event(runtime.start_instance("blocker", "{}")["Id"], "log", target, 7)
    finish_jobs(runtime)
    assert target.last()[1] == "ret"  # log: a failed handler is answered "ret" (nothing to answer)


def test_handler_timeout_while_blocked_fails_closed_and_later_calls_stay_local(runtime: GreenRuntime) -> None:
    target = Target()
    runtime.start_event(runtime.start_instance("blocker", "{}")["Id"], "access", target, 1)
    assert Blocker.gate.entered.wait(10)
    runtime.expire(runtime.now + 6)  # the loop's watch, past handler_timeout
    assert target.last()[1] == ERROR_500
    assert runtime.active_events == 0
    Blocker.gate.release.set()
    finish_jobs(runtime)
    assert len(target.frames) == 1  # its PDK calls after that were answered locally, never sent


def test_exit_is_answered_before_the_blocking_work_that_follows_it(runtime: GreenRuntime) -> None:
    target = Target()
    runtime.start_event(runtime.start_instance("blocker", '{"exit_first": true}')["Id"], "access", target, 1)
    assert target.last()[1] == {"Method": "kong.response.exit", "Args": [403]}
    Blocker.gate.release.set()
    finish_jobs(runtime)
    assert len(target.frames) == 1 and runtime.active_events == 0


def test_a_step_that_never_comes_releases_the_handler_with_an_error(runtime: GreenRuntime) -> None:
    target = Target()
    runtime.start_event(runtime.start_instance("echo", "{}")["Id"], "access", target, 1)
    event_id, _ = target.last()
    runtime.expire(runtime.now + 6)  # past kong_answer_timeout: Kong gave up on this event
    assert runtime.active_events == 0
    with pytest.raises(RpcError, match="not found"):
        runtime.step_event(event_id, "late", None, target, 2)
    assert len(target.frames) == 1


def test_unpackable_pdk_arguments_raise_at_the_call_site(runtime: GreenRuntime) -> None:
    class Unpackable:
        def __init__(self, config: dict[str, Any]) -> None:
            pass

        def access(self, kong: Any) -> None:
            try:
                kong.response.set_header("x", {1, 2})
            except TypeError as exc:
                kong.response.set_header("x-error", str(exc)[:20])

    runtime._catalog.available["unpackable"] = loaded("unpackable", Unpackable)
    runtime._times["unpackable"] = runtime._times["echo"]
    target = Target()
    runtime.start_event(runtime.start_instance("unpackable", "{}")["Id"], "access", target, 1)
    refused = {"Method": "kong.response.set_header", "Args": ["x-error", "cannot send kong.res"]}
    assert target.last()[1] == refused
