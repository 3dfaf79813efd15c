"""Limiter config mistakes refused by the Admin API when the plugin is configured (what Kong's own schema
code decides from the dumped schema), not at StartInstance with a 500 on every request."""

from __future__ import annotations

import pytest
from fixtures.gateway import GatewayUnderTest
from integration.ai_token_limiter.limiter_support import PLUGIN, STREAM_PLUGIN

WINDOW_ERROR = "must be second, minute, hour, day, month or a number of seconds (at least 1)"


@pytest.mark.parametrize("plugin", [PLUGIN, STREAM_PLUGIN])
@pytest.mark.parametrize("window", ["0", "00", "-1", "1.5"])
def test_a_window_of_zero_seconds_is_refused_by_the_admin_api(
    gateway: GatewayUnderTest, make_route, plugin: str, window: str
) -> None:
    route = make_route()
    config = {"strategy": "local", "limits": [{"metric": "requests", "limit": 1, "window": window}]}
    response = gateway.admin.post(
        f"/routes/{route.route['id']}/plugins", json={"name": plugin, "config": config}
    )
    assert response.status_code == 400, response.text
    assert response.json()["fields"]["config"]["limits"] == [{"window": WINDOW_ERROR}]
    assert gateway.admin.get(f"/routes/{route.route['id']}/plugins").json()["data"] == []


@pytest.mark.parametrize("window", ["1", "01", "30", "86400", "minute", "month"])
def test_valid_windows_are_accepted(gateway: GatewayUnderTest, make_route, window: str) -> None:
    route = make_route()
    config = {"strategy": "local", "limits": [{"metric": "requests", "limit": 1, "window": window}]}
    response = gateway.admin.post(
        f"/routes/{route.route['id']}/plugins", json={"name": PLUGIN, "config": config}
    )
    assert response.status_code == 201, response.text


BURST_ERROR = "burst is only used by the token_bucket algorithm"
ROUNDS_TO_ZERO = (
    "too small: the amount rounds to 0 of its unit (a request or token, a millisecond, a nano-dollar)"
)
LIMIT = {"metric": "requests", "limit": 5, "window": "60"}


@pytest.mark.parametrize(
    ("config", "fields"),
    [
        (
            {"limits": [{**LIMIT, "burst": 10}]},  # the default algorithm is sliding_window
            {"limits": [{"burst": BURST_ERROR}], "@entity": [BURST_ERROR]},
        ),
        (
            {"algorithm": "fixed_window", "tiers": [{"name": "free", "limits": [{**LIMIT, "burst": 10}]}]},
            {"tiers": [{"limits": [{"burst": BURST_ERROR}]}], "@entity": [BURST_ERROR]},
        ),
        ({"limits": [LIMIT], "fair_share": 0}, {"fair_share": "value must be greater than 0"}),
        (
            {"limits": [{**LIMIT, "limit": 0.5, "window": "second"}]},  # "half a request a second"
            {
                "limits": [
                    {"limit": "value must be greater than 0.5", "@entity": [f"limit: {ROUNDS_TO_ZERO}"]}
                ]
            },
        ),
        (
            {"limits": [{**LIMIT, "metric": "cost_usd", "limit": 1e-10}], "unknown_model": "reject"},
            {
                "limits": [
                    {"limit": "value must be greater than 5e-10", "@entity": [f"limit: {ROUNDS_TO_ZERO}"]}
                ]
            },
        ),
    ],
)
def test_what_the_instance_refuses_the_admin_api_refuses(
    gateway: GatewayUnderTest, make_route, config: dict, fields: dict
) -> None:
    """These were accepted (201), then every request on the route answered 500 (StartInstance refused)."""
    route = make_route()
    response = gateway.admin.post(
        f"/routes/{route.route['id']}/plugins",
        json={"name": PLUGIN, "config": {"strategy": "local", **config}},
    )
    assert response.status_code == 400, response.text
    assert response.json()["fields"]["config"] == fields
    accepted = gateway.admin.post(
        f"/routes/{route.route['id']}/plugins",
        json={
            "name": PLUGIN,
            "config": {"strategy": "local", "algorithm": "token_bucket", "limits": [{**LIMIT, "burst": 10}]},
        },
    )
    assert accepted.status_code == 201, accepted.text
    route.created.append(f"/plugins/{accepted.json()['id']}")
    assert gateway.proxy.post(route.url(), json={"model": "m", "messages": []}).status_code == 200
