"""OPA mode through the gateway, against a small real HTTP server implementing OPA's Data API contract.

``POST /v1/data/<path>`` with ``{"input": ...}`` answers ``{"result": ...}``. The server's documents:
``authz`` (a rule: tier pro, never the model o1, per-action decisions), ``flag`` (a bare boolean),
``undefined`` (``{}``), ``slow`` (answers after the plugin's timeout: it waits for the test to release it),
``broken`` (500), ``garbage`` (not JSON) and ``odd`` (a result of the wrong type).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from integration.ai_action_authz.authz_support import assert_forbidden, chat


class OpaServer:
    def __init__(self) -> None:
        self.inputs: list[dict[str, Any]] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                document = json.loads(self.rfile.read(length))
                server.inputs.append(document["input"])
                status, body = server.answer(self.path, document["input"])
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the plugin gave up (timeout) and closed the connection

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def answer(self, path: str, data: dict[str, Any]) -> tuple[int, Any]:
        name = path.removeprefix("/v1/data/")
        if name == "authz":
            decisions = [
                data["principal"]["tier"] == "pro" and action["resource"] != {"type": "Model", "id": "o1"}
                for action in data["actions"]
            ]
            reason = "pro-only" if not all(decisions) else "pro-tier"
            return 200, {"result": {"allow": all(decisions), "decisions": decisions, "reason": reason}}
        if name == "flag":
            return 200, {"result": data["principal"]["tenant"] == "acme"}
        if name == "undefined":
            return 200, {}
        if name == "slow":
            self.release.wait(10)
            return 200, {"result": True}
        if name == "broken":
            return 500, {"code": "internal_error"}
        if name == "garbage":
            return 200, b"<html>not json</html>"
        return 200, {"result": "yes"}

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def opa() -> Iterator[OpaServer]:
    server = OpaServer()
    yield server
    server.close()


def opa_route(authz, opa: OpaServer, path: str, **extra: Any):
    return authz({"policy_source": "opa", "opa": {"url": opa.url, "path": path, **extra}})


def test_allow_and_deny_with_per_action_decisions(authz, opa: OpaServer) -> None:
    route = opa_route(authz, opa, "authz")
    allowed = route.post(chat("gpt-4o"), "acme")
    assert allowed.status_code == 200
    published = route.shared(allowed)["ai_guard"]["authz"]
    assert (published["policy_version"], published["rule"]) == ("opa:authz", "pro-tier")
    denied = route.post(chat("o1"), "acme")
    assert_forbidden(denied)
    published = route.shared(denied)["ai_guard"]["authz"]
    assert (published["action"], published["level"], published["rule"]) == ("model.use", "tenant", "pro-only")
    assert_forbidden(route.post(chat("gpt-4o"), "globex"))
    # the input document: principal, every action with its level and resource, the request context
    document = opa.inputs[0]
    assert document["principal"] == {
        "type": "Tenant",
        "id": "acme",
        "tenant": "acme",
        "tier": "pro",
        "region": "",
        "roles": [],
        "consumer": None,
    }
    assert [(a["action"], a["level"]) for a in document["actions"]] == [
        ("route.call", "endpoint"),
        ("model.use", "tenant"),
        ("chat.create", "action"),
    ]
    assert document["context"]["model"] == "gpt-4o"


def test_answers_are_cached_for_the_same_input(authz, opa: OpaServer) -> None:
    route = opa_route(authz, opa, "flag", cache_ttl=60)
    for _ in range(3):
        assert route.post(chat(), "acme").status_code == 200
    assert_forbidden(route.post(chat(), "globex"))
    assert len(opa.inputs) == 2


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        ("slow", "opa-timeout"),
        ("broken", "opa-unavailable"),
        ("garbage", "opa-invalid-answer"),
        ("odd", "opa-invalid-answer"),
        ("undefined", "opa-undefined"),
    ],
)
def test_failures_fail_closed(authz, opa: OpaServer, path: str, rule: str) -> None:
    route = opa_route(authz, opa, path, timeout=200)
    denied = route.post(chat(), "acme")
    assert_forbidden(denied)
    assert route.shared(denied)["ai_guard"]["authz"]["rule"] == rule
    assert route.upstream_hits() == 0
    if rule != "opa-undefined":  # failures are never cached: OPA is asked again
        opa.release.set()
        route.post(chat(), "acme")
        assert len(opa.inputs) == 2


def test_fail_open_is_explicit(authz, opa: OpaServer) -> None:
    route = opa_route(authz, opa, "broken", fail_open=True)
    assert route.post(chat(), "acme").status_code == 200


def test_tool_calls_in_the_output_are_decided_by_opa_too(authz, opa: OpaServer) -> None:
    route = authz(
        {"policy_source": "opa", "opa": {"url": opa.url, "path": "flag"}}, upstream="/v1/chat/completions"
    )
    body = chat(tools=[{"type": "function", "function": {"name": "search"}}])
    response = route.gateway.proxy.post(
        route.route.url(), json=body, headers={"X-Tenant-ID": "acme", "X-Mock-Tool-Call": "search"}
    )
    assert response.status_code == 200
    assert [a["action"] for a in opa.inputs[-1]["actions"]] == ["tool.call"]
    assert opa.inputs[-1]["context"]["phase"] == "response"


def test_admin_api_needs_the_url(gateway, make_route) -> None:
    route = make_route()
    response = gateway.admin.post(
        f"/routes/{route.route['id']}/plugins",
        json={"name": "ai-action-authz", "config": {"policy_source": "opa"}},
    )
    assert response.status_code == 400
    assert "policy_source 'opa' needs opa.url" in response.text
