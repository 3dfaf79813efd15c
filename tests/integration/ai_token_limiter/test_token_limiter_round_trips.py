"""Round trips, counted: PDK calls per phase (the emulator's header and request stats) and Redis commands
(INFO commandstats of the tests' own Redis): exactly one script call in access and one in response."""

from __future__ import annotations

import threading

import pytest
from integration.ai_token_limiter.limiter_support import (
    PLUGIN,
    RESOLVER,
    LimiterEnv,
    limit,
    pdk_calls,
    poll_until,
)

from kong_plugins.ai_token_limiter.lua_source import SCRIPT_REDIS_COMMANDS

pytestmark = [pytest.mark.redis, pytest.mark.harness]

SCRIPT_COMMANDS = {"evalsha", "eval"}
LIMITS = [limit("requests", 100), limit("tokens", 10**6, "minute"), limit("cost_usd", 10, "month")]
PRICING = [{"model": "mock-*", "prompt_per_million": 1, "completion_per_million": 2}]


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {
        name: calls - before.get(name, 0) for name, calls in after.items() if calls != before.get(name, 0)
    }


def test_one_script_call_in_access_and_one_in_response(limiter: LimiterEnv) -> None:
    route = limiter.route(LIMITS, pricing=PRICING, unknown_model="reject")
    assert route.send().status_code == 200  # warm: the script is loaded, a pooled connection is open
    before = limiter.redis.client_commands()
    slow = threading.Thread(target=route.send, kwargs={"headers": {"X-Mock-Latency-Ms": "400"}})
    slow.start()
    # while the upstream works, only access has run: one script call
    poll_until(
        lambda: limiter.redis.script_calls() - sum(before.get(c, 0) for c in SCRIPT_COMMANDS) == 1,
        deadline_s=3,
        what="the access reservation",
    )
    during = limiter.redis.client_commands()
    slow.join()
    after = limiter.redis.client_commands()
    assert changed(before, during).get("evalsha") == 1
    delta = changed(before, after)
    assert delta.get("evalsha") == 2 and "eval" not in delta
    assert set(delta) - {"info"} <= SCRIPT_COMMANDS | SCRIPT_REDIS_COMMANDS, delta  # nothing else was sent


def test_pdk_round_trips_per_phase(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("requests", 1)])
    admitted = route.send()
    assert admitted.status_code == 200
    assert pdk_calls(admitted, RESOLVER) == 4
    # the ai_guard entry (tenant + request facts), the body (no ai-input-guard on this route), headers, the
    # entry back with the reservation
    assert pdk_calls(admitted, PLUGIN, "access") == 4
    # the entry (reservation), upstream status, upstream body, the entry back (settled usage, status, digest)
    assert pdk_calls(admitted, PLUGIN, "response") == 4
    before = limiter.redis.script_calls()
    refused = route.send()
    assert refused.status_code == 429
    assert pdk_calls(refused, PLUGIN, "access") == 3  # reads, then kong.response.exit
    assert pdk_calls(refused, PLUGIN, "response") == 0
    assert limiter.redis.script_calls() - before == 1  # a refusal costs one Redis round trip


def test_a_compressed_answer_costs_one_more_round_trip_in_response(limiter: LimiterEnv) -> None:
    """Only when the raw body yields no usage does the handler ask for Content-Encoding (handler.py)."""
    route = limiter.route([limit("tokens", 10**6)])
    plain = route.send()
    compressed = route.send(headers={"X-Mock-Content-Encoding": "gzip"})
    assert plain.status_code == compressed.status_code == 200
    assert compressed.headers["Content-Encoding"] == "gzip"
    # usage, upstream status, upstream body, usage; compressed: + kong.service.response.get_header
    assert pdk_calls(plain, PLUGIN, "response") == 4
    assert pdk_calls(compressed, PLUGIN, "response") == 5


def test_hidden_headers_save_a_round_trip(limiter: LimiterEnv) -> None:
    route = limiter.route([limit("requests", 10)], hide_client_headers=True)
    assert pdk_calls(route.send(), PLUGIN, "access") == 3


def test_with_the_input_guard_in_front_the_body_is_not_read_again(limiter: LimiterEnv) -> None:
    plugins = limiter.gateway.admin.get("/").json().get("plugins", {}).get("available_on_server", {})
    if "ai-input-guard" not in plugins:
        pytest.skip("ai-input-guard is not served by this gateway")
    route = limiter.route([limit("requests", 10)], before=[("ai-input-guard", {})])
    response = route.send()
    assert response.status_code == 200, response.text
    # the entry (tenant + request facts published by the guard), headers, the entry back: no
    # kong.request.get_raw_body
    assert pdk_calls(response, PLUGIN, "access") == 3


def test_an_ip_limit_costs_one_round_trip_and_only_when_configured(limiter: LimiterEnv) -> None:
    without = limiter.route([limit("requests", 10)])
    assert pdk_calls(without.send(), PLUGIN, "access") == 4  # no ip limit: the address is never asked for
    route = limiter.route([limit("requests", 10), limit("requests", 10, scope="ip")])
    response = route.send()
    assert response.status_code == 200
    assert pdk_calls(response, PLUGIN, "access") == 5  # + kong.client.get_forwarded_ip()
    assert response.headers["X-RateLimit-Remaining-Requests-60-Ip"] == "9"
