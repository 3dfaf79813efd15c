"""The handler on a recording fake ``kong``: the PDK calls made (at most 4 for common resolved requests), what
the upstream and the client get, and identical bodies for every refusal of a status."""

from __future__ import annotations

import logging
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fixtures.fake_kong import FakeKong as BaseFakeKong

from kong_plugins.ai_tenant_resolver import Plugin
from kong_plugins.ai_tenant_resolver.api_keys import ApiKeyStore
from kong_plugins.ai_tenant_resolver.registry import RedisTenantStore, TenantRecord
from kong_plugins.core.completion import mark_key
from kong_plugins.core.context import ENTRY_KEY, TenantFacts
from kong_plugins.core.redis import RedisConfig, connect

TokenMaker = Callable[..., str]


class FakeKong(BaseFakeKong):
    """A ``kong`` object for one request: records every PDK call and answers like Kong 3.9 would.

    Only the calls this plugin may make are answered; any other raises, so a new call cannot slip in
    unnoticed. ``upstream_headers`` follows Kong's ``set_headers`` (same-name headers replaced, an empty list
    removes them); ``exit`` holds what ``kong.response.error`` was given.
    """

    def __init__(
        self,
        headers: dict[str, str | list[str]] | None = None,
        *,
        path: str = "/v1/chat/completions",
        consumer: dict[str, Any] | None = None,
        upstreams: tuple[str, ...] = (),
        lua_style: bool = False,
    ) -> None:
        super().__init__(lua_style=lua_style)
        self._state: dict[str, Any] = {
            "headers": {
                name.lower(): [v] if isinstance(v, str) else list(v) for name, v in (headers or {}).items()
            },
            "path": path,
            "consumer": consumer,
            "upstreams": upstreams,
            "shared": {},
            "response_headers": {},
            "exit": None,
            "upstream": None,
        }
        self._state["upstream_headers"] = {
            name: list(values) for name, values in self._state["headers"].items()
        }

    def state(self, name: str) -> Any:
        return self._state[name]

    def dispatch(self, method: str, args: tuple[Any, ...]) -> Any:
        state = self._state
        if method == "request.get_headers":
            return {name: list(values) for name, values in state["headers"].items()}
        if method == "request.get_path":
            return state["path"]
        if method == "client.get_consumer":
            return state["consumer"]
        if method == "service.set_upstream":
            if args[0] not in state["upstreams"]:
                return None
            state["upstream"] = args[0]
            return True
        if method == "service.request.set_headers":
            for name, value in args[0].items():
                state["upstream_headers"].pop(name.lower(), None)
                values = [value] if isinstance(value, str) else list(value)
                if values:
                    state["upstream_headers"][name.lower()] = values
            return None
        if method == "ctx.shared.set":
            state["shared"][args[0]] = args[1]
            return None
        if method == "response.set_header":
            state["response_headers"][args[0]] = args[1]
            return None
        if method in ("response.error", "response.exit"):
            assert state["exit"] is None, "the plugin answered twice"
            state["exit"] = (args[0], {"message": args[1]} if method == "response.error" else args[1])
            return None
        return super().dispatch(method, args)


TENANTS = [
    {"id": "acme", "tier": "gold", "region": "eu", "allowed_models": ["gpt-4o"]},
    {"id": "beta", "region": "us"},
    {"id": "plain"},
    {"id": "frozen", "status": "suspended"},
    {"id": "mars", "region": "mars"},
]


def _run(config: dict[str, Any], kong: FakeKong) -> FakeKong:
    Plugin({"tenants": TENANTS, **config}).access(kong)
    return kong


@pytest.fixture
def jwt_config(rsa_keys: Any) -> dict[str, Any]:
    return {"keys": [{"kid": "rsa-1", "algorithm": "RS256", "key": rsa_keys.public_pem}]}


# -- resolved requests ---------------------------------------------------------------------------------------


def test_header_source_resolves_in_four_pdk_calls() -> None:
    kong = _run({"sources": ["header"]}, FakeKong({"X-Tenant-ID": "acme"}))
    assert kong.calls == [
        "request.get_headers",
        "service.request.set_headers",
        "ctx.shared.set",
        "response.set_header",
    ]
    assert kong.state("exit") is None
    upstream = kong.state("upstream_headers")
    assert (upstream["x-tenant-id"], upstream["x-tenant-tier"], upstream["x-tenant-region"]) == (
        ["acme"],
        ["gold"],
        ["eu"],
    )
    assert kong.state("response_headers") == {"X-Tenant-ID": "acme"}
    facts = TenantFacts.from_shared(kong.state("shared")[ENTRY_KEY]["tenant"])
    assert facts == TenantFacts(
        id="acme", source="header", tier="gold", region="eu", status="active", allowed_models=["gpt-4o"]
    )
    # the body's headers handed on as a later get_headers(1000) answers (never a credential), and how many
    # lines the whole map had, so that ai-input-guard does not read them again
    handed = kong.state("shared")[ENTRY_KEY]["kong"]
    assert set(handed) == {"headers", "header_lines"}
    assert set(handed["headers"]) <= {
        "content-type",
        "content-length",
        "transfer-encoding",
        "content-encoding",
    }
    assert isinstance(handed["header_lines"], int) and handed["header_lines"] >= 1


def test_by_default_no_completion_mark_is_written() -> None:
    """Marks are opt-in (``fail_closed_mark``): a route without ai-fail-closed pays no round trip for them."""
    kong = _run({"sources": ["header"]}, FakeKong({"X-Tenant-ID": "acme"}))
    assert kong.calls.count("ctx.shared.set") == 1  # the tenant's facts only
    assert mark_key("ai-tenant-resolver", "access") not in kong.state("shared")


def test_fail_closed_mark_writes_the_mark_as_the_last_call() -> None:
    kong = _run({"sources": ["header"], "fail_closed_mark": True}, FakeKong({"X-Tenant-ID": "acme"}))
    assert kong.calls == [
        "request.get_headers",
        "service.request.set_headers",
        "ctx.shared.set",
        "response.set_header",
        "ctx.shared.set",  # the completion mark ai-fail-closed checks (core/completion.py)
    ]
    assert kong.state("shared")[mark_key("ai-tenant-resolver", "access")] is True


def test_a_refused_request_gets_no_mark_even_with_fail_closed_mark() -> None:
    kong = _run({"sources": ["header"], "fail_closed_mark": True}, FakeKong({}))
    assert kong.state("exit") is not None
    assert mark_key("ai-tenant-resolver", "access") not in kong.state("shared")


def test_jwt_source_resolves_in_four_calls_and_hides_the_token(
    jwt_config: Any, make_token: TokenMaker
) -> None:
    kong = _run(
        {"sources": ["jwt"], "jwt": jwt_config},
        FakeKong({"Authorization": f"Bearer {make_token()}", "X-Keep": "yes"}),
    )
    assert len(kong.calls) == 4
    assert "authorization" not in kong.state("upstream_headers")
    assert kong.state("upstream_headers")["x-keep"] == ["yes"]
    assert kong.state("shared")[ENTRY_KEY]["tenant"]["source"] == "jwt"


def test_the_token_reaches_the_upstream_when_hide_credentials_is_off(
    jwt_config: Any, make_token: TokenMaker
) -> None:
    token = make_token()
    kong = _run(
        {"sources": ["jwt"], "jwt": jwt_config, "hide_credentials": False},
        FakeKong({"Authorization": f"Bearer {token}"}),
    )
    assert kong.state("upstream_headers")["authorization"] == [f"Bearer {token}"]


@pytest.mark.parametrize(
    ("config", "kong"),
    [
        ({"sources": ["path"]}, FakeKong(path="/tenants/acme/v1/chat")),
        ({"sources": ["consumer"]}, FakeKong(consumer={"id": "c1", "custom_id": "acme"})),
        ({"sources": ["consumer"], "consumer_by": "tag"}, FakeKong(consumer={"tags": ["tenant:acme"]})),
    ],
)
def test_single_path_or_consumer_sources_resolve_in_four_calls(
    config: dict[str, Any], kong: FakeKong
) -> None:
    _run(config, kong)
    assert kong.state("exit") is None
    assert len(kong.calls) == 4
    assert "request.get_headers" not in kong.calls
    assert kong.state("upstream_headers")["x-tenant-id"] == ["acme"]


def test_combined_sources_cost_one_call_per_input_read() -> None:
    kong = _run(
        {"sources": ["header", "path"]}, FakeKong({"X-Tenant-ID": "acme"}, path="/tenants/acme/v1/chat")
    )
    assert kong.calls[:2] == ["request.get_headers", "request.get_path"]
    assert len(kong.calls) == 5


def test_spoofed_gateway_headers_never_reach_the_upstream() -> None:
    kong = _run(
        {"sources": ["path"]},
        FakeKong(
            {"X-Tenant-ID": ["victim", "victim2"], "X-Tenant-Tier": "platinum", "X-Tenant-Region": "us"},
            path="/tenants/plain/v1/chat",
        ),
    )
    upstream = kong.state("upstream_headers")
    assert upstream["x-tenant-id"] == ["plain"]
    assert "x-tenant-tier" not in upstream  # the tenant has no tier: the client's copy is removed
    assert "x-tenant-region" not in upstream
    assert len(kong.calls) == 4


def test_region_routing_sets_the_upstream_in_five_calls() -> None:
    kong = _run(
        {"sources": ["header"], "region_upstreams": {"eu": "llm-eu", "us": "llm-us"}},
        FakeKong({"X-Tenant-ID": "acme"}, upstreams=("llm-eu", "llm-us")),
    )
    assert kong.calls[1] == "service.set_upstream"
    assert kong.state("upstream") == "llm-eu"
    assert kong.state("shared")[ENTRY_KEY]["tenant"]["upstream"] == "llm-eu"
    assert len(kong.calls) == 5


@pytest.mark.parametrize("tenant", ["mars", "plain"])
def test_a_tenant_whose_region_has_no_upstream_is_refused(tenant: str) -> None:
    kong = _run(
        {"sources": ["header"], "region_upstreams": {"eu": "llm-eu"}},
        FakeKong({"X-Tenant-ID": tenant}, upstreams=("llm-eu",)),
    )
    assert kong.state("exit") == (403, {"message": "Forbidden"})
    assert kong.state("upstream") is None
    assert kong.calls == ["request.get_headers", "response.error"]


def test_an_upstream_unknown_to_kong_is_refused_rather_than_ignored() -> None:
    kong = _run(
        {"sources": ["header"], "region_upstreams": {"eu": "llm-eu"}}, FakeKong({"X-Tenant-ID": "acme"})
    )
    assert kong.state("exit") == (503, {"message": "Service unavailable"})
    assert "service.request.set_headers" not in kong.calls


def test_lua_style_answers_work_too() -> None:
    kong = _run({"sources": ["header"]}, FakeKong({"X-Tenant-ID": "acme"}, lua_style=True))
    assert kong.state("exit") is None
    assert kong.state("response_headers") == {"X-Tenant-ID": "acme"}


# -- requests without a tenant -------------------------------------------------------------------------------


def test_no_tenant_when_required_is_401() -> None:
    kong = _run({"sources": ["header"]}, FakeKong())
    assert kong.state("exit") == (401, {"message": "Unauthorized"})
    assert kong.calls == ["request.get_headers", "response.error"]


def test_no_tenant_when_not_required_goes_on_without_one_and_without_spoofed_headers() -> None:
    kong = _run(
        {"sources": ["path"], "required": False}, FakeKong({"X-Tenant-Tier": "platinum"}, path="/v1/chat")
    )
    assert kong.state("exit") is None
    assert kong.calls == ["request.get_path", "service.request.set_headers"]
    assert "x-tenant-tier" not in kong.state("upstream_headers")
    assert kong.state("shared") == {}
    assert kong.state("response_headers") == {}


# -- refusals ------------------------------------------------------------------------------------------------


def test_unknown_suspended_and_conflicting_tenants_are_403(jwt_config: Any, make_token: TokenMaker) -> None:
    for headers in ({"X-Tenant-ID": "nobody"}, {"X-Tenant-ID": "frozen"}):
        assert _run({"sources": ["header"]}, FakeKong(headers)).state("exit") == (
            403,
            {"message": "Forbidden"},
        )
    conflict = FakeKong({"Authorization": f"Bearer {make_token()}", "X-Tenant-ID": "beta"})
    _run({"sources": ["jwt", "header"], "jwt": jwt_config}, conflict)
    assert conflict.state("exit") == (403, {"message": "Forbidden"})


def test_every_authentication_failure_has_the_same_body_per_status(
    jwt_config: Any, make_token: TokenMaker, other_rsa_keys: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="kong_plugins")
    now = int(time.time())
    jwt_cases = {
        "expired": make_token({"tenant_id": "acme", "exp": now - 3600}),
        "not yet valid": make_token({"tenant_id": "acme", "exp": now + 3600, "nbf": now + 1800}),
        "wrong key": make_token(key=other_rsa_keys.private),
        "unknown kid": make_token(kid="nope"),
        "garbage": "garbage",
        "no claim": make_token({"exp": now + 3600}),
        "oversized": make_token({"tenant_id": "acme", "exp": now + 3600, "pad": "x" * 10000}),
    }
    config = {"sources": ["jwt", "header"], "jwt": jwt_config}
    answers: dict[int, set[str]] = {}
    for token in jwt_cases.values():
        kong = _run(config, FakeKong({"Authorization": f"Bearer {token}"}))
        status, body = kong.state("exit")
        answers.setdefault(status, set()).add(repr(body))
    for headers in ({}, {"X-Tenant-ID": "nobody"}, {"X-Tenant-ID": "frozen"}, {"X-Tenant-ID": "bad id"}):
        status, body = _run(config, FakeKong(headers)).state("exit")
        answers.setdefault(status, set()).add(repr(body))
    assert answers == {401: {repr({"message": "Unauthorized"})}, 403: {repr({"message": "Forbidden"})}}
    # The reasons are in the log, not in the answers.
    assert "token expired" in caplog.text and "unknown kid" in caplog.text and "frozen" in caplog.text


def test_redis_registry_down_is_503() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    kong = FakeKong({"X-Tenant-ID": "acme"})
    Plugin(
        {
            "sources": ["header"],
            "registry": "redis",
            "redis": {"host": "127.0.0.1", "port": port, "connect_timeout": 300},
        }
    ).access(kong)
    assert kong.state("exit") == (503, {"message": "Service unavailable"})


# -- Redis-backed sources (real Redis) -----------------------------------------------------------------------


@pytest.mark.redis
def test_api_key_source_with_the_redis_registry(redis_server: Any) -> None:
    namespace = f"test-handler-{uuid.uuid4().hex[:12]}"
    client = connect(RedisConfig.from_config(redis_server.redis_conf()))
    RedisTenantStore(client, namespace).add(TenantRecord("acme", tier="gold"))
    issued = ApiKeyStore(client, namespace).issue("acme")
    config = {
        "sources": ["api_key"],
        "registry": "redis",
        "namespace": namespace,
        "redis": redis_server.redis_conf(),
    }
    plugin = Plugin(config)
    kong = FakeKong({"X-API-Key": issued.key})
    plugin.access(kong)
    assert kong.state("exit") is None
    assert len(kong.calls) == 4
    assert "x-api-key" not in kong.state("upstream_headers")
    assert kong.state("upstream_headers")["x-tenant-tier"] == ["gold"]
    revoked = FakeKong({"X-API-Key": "kag_" + "Z" * 43})
    plugin.access(revoked)
    assert revoked.state("exit") == (401, {"message": "Unauthorized"})
