"""harness.lua_plugins: kong/plugins/ai-fail-closed's real handler.lua run in LuaJIT against a request model.

The gateway tests (tests/integration/gateway/test_fail_closed.py) run it through the emulated Kong; these pin
the guard's semantics case by case: only the boolean ``true`` is a mark, a missing one is a 503 through
``kong.response.exit`` and an error log line naming the plugin, and a Lua error is Kong's thrown error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from harness.bundled_plugins import DONE, EXIT, THROWN
from harness.kong_request import PluginRef
from harness.lua_plugins import LuaPlugin, LuaPluginError

from kong_plugins.core.completion import mark_key
from kong_plugins.core.priorities import PRIORITIES

GUARD = "ai-fail-closed"
CONF = {"marks": ["ai-tenant-resolver", "ai-input-guard"], "message": "refused"}


@dataclass
class Outcome:
    kind: str
    error: str | None = None


@dataclass
class FakeRequest:
    """The request model surface the Lua PDK subset uses."""

    ctx_shared: dict[Any, Any] = field(default_factory=dict)
    calls: list[tuple[str, list[Any]]] = field(default_factory=list)
    logged: list[tuple[str, str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def call(self, plugin: PluginRef, method: str, args: list[Any]) -> Outcome:
        self.calls.append((method, args))
        return Outcome("exit" if method == "kong.response.exit" else "value")

    def kong_log(self, plugin: PluginRef, level: str, message: str, location: str) -> None:
        self.logged.append((level, message, location))

    def fail(self, phase: str, error: str, plugin: PluginRef) -> None:
        self.failed.append((phase, error))


@pytest.fixture(scope="module")
def guard() -> LuaPlugin:
    return LuaPlugin(GUARD)


def run(guard: LuaPlugin, req: FakeRequest, conf: dict[str, Any] = CONF) -> str:
    return guard.run("access", req, conf, PluginRef(GUARD, "p1"))


def test_loaded_from_its_source(guard: LuaPlugin) -> None:
    assert (guard.priority, guard.phases, guard.is_external) == (999, ["access"], False)


def test_both_guards_run_after_every_plugin_of_ours_and_before_acl() -> None:
    """Kong runs a phase's plugins by descending priority: the marks are set before the guards look."""
    for name in ("ai-fail-closed", "ai-fail-closed-response"):
        assert 950 < LuaPlugin(name).priority < min(PRIORITIES.values())


def test_every_mark_present_lets_the_request_go_on(guard: LuaPlugin) -> None:
    req = FakeRequest({mark_key(name, "access"): True for name in CONF["marks"]})
    assert run(guard, req) == DONE
    assert req.calls == [] and req.logged == []


@pytest.mark.parametrize("value", [None, "true", 1, {"v": 1}])
def test_anything_but_true_is_a_missing_mark(guard: LuaPlugin, value: Any) -> None:
    shared = {mark_key("ai-tenant-resolver", "access"): True}
    if value is not None:
        shared[mark_key("ai-input-guard", "access")] = value
    req = FakeRequest(shared)
    assert run(guard, req) == EXIT
    assert req.calls == [("kong.response.exit", [503, {"message": "refused"}])]
    ((level, message, location),) = req.logged
    assert level == "error" and location.startswith("handler.lua:")
    assert message.startswith("refusing the request: ai-input-guard did not complete its access phase")


def test_the_first_missing_mark_answers(guard: LuaPlugin) -> None:
    req = FakeRequest()
    assert run(guard, req) == EXIT
    assert len(req.calls) == 1 and "ai-tenant-resolver" in req.logged[0][1]


def test_a_lua_error_is_thrown_as_kong_throws_it(guard: LuaPlugin) -> None:
    req = FakeRequest()
    assert run(guard, req, {"message": "m"}) == THROWN  # marks nil: ipairs(nil) raises
    ((phase, error),) = req.failed
    assert phase == "access" and "ipairs" in error


def test_a_missing_plugin_folder_is_an_error(tmp_path: Any) -> None:
    with pytest.raises(LuaPluginError):
        LuaPlugin("nothing-here", tmp_path)


def test_the_response_guard_checks_response_marks_in_the_response_phase() -> None:
    guard = LuaPlugin("ai-fail-closed-response")
    assert (guard.priority, guard.phases) == (999, ["access", "response"])
    conf = {"marks": ["ai-output-redactor"], "message": "answer refused"}
    ref = PluginRef("ai-fail-closed-response", "p2")
    access_only = FakeRequest({mark_key("ai-output-redactor", "access"): True})
    assert guard.run("access", access_only, conf, ref) == DONE  # only announces it finishes answers
    assert access_only.ctx_shared["ai_guard"] == {"finisher": "ai-fail-closed-response"}
    assert guard.run("response", access_only, conf, ref) == EXIT
    assert access_only.calls == [("kong.response.exit", [503, {"message": "answer refused"}])]
    marked = FakeRequest({mark_key("ai-output-redactor", "response"): True})
    assert guard.run("response", marked, conf, ref) == DONE and marked.calls == []


def test_the_response_guard_sends_a_reply_handed_on_to_it_once_its_marks_hold() -> None:
    """core/reply.py: an answer a plugin replaced (a stripped or refused one) and left for this guard."""
    guard = LuaPlugin("ai-fail-closed-response")
    conf = {"marks": ["ai-output-redactor"], "message": "answer refused"}
    ref = PluginRef("ai-fail-closed-response", "p2")
    reply = {"status": 403, "body": '{"message":"Forbidden"}', "headers": {"Content-Encoding": []}}
    marked = FakeRequest({mark_key("ai-output-redactor", "response"): True, "ai_guard": {"reply": reply}})
    assert guard.run("response", marked, conf, ref) == EXIT
    sent = [403, '{"message":"Forbidden"}', {"Content-Encoding": []}]
    assert marked.calls == [("kong.response.exit", sent)]
    unmarked = FakeRequest({"ai_guard": {"reply": reply}})  # the finisher failed: the reply is not sent
    assert guard.run("response", unmarked, conf, ref) == EXIT
    assert unmarked.calls == [("kong.response.exit", [503, {"message": "answer refused"}])]
