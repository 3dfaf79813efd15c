"""``GET /status`` reports the gateway's real connection and request counters, as Kong's does.

Kong answers ``server`` from ``kong.nginx.get_statistics()`` (api/routes/health.lua): nginx's stub_status
counters for every listener (proxy and Admin API alike).
"""

from __future__ import annotations

import httpx
from fixtures.gateway import GatewayUnderTest

FIELDS = {
    "connections_accepted",
    "connections_active",
    "connections_handled",
    "connections_reading",
    "connections_waiting",
    "connections_writing",
    "total_requests",
}


def server_status(gateway: GatewayUnderTest) -> dict[str, int]:
    response = gateway.admin.get("/status")
    assert response.status_code == 200
    server = response.json()["server"]
    assert set(server) == FIELDS
    return server


def test_status_counts_connections_and_requests(gateway: GatewayUnderTest, make_route) -> None:
    route = make_route()
    before = server_status(gateway)
    with httpx.Client(base_url=gateway.proxy_url, timeout=30) as client:  # one new keep-alive connection
        for _ in range(3):
            assert client.get(route.url()).status_code == 200
        during = server_status(gateway)
    assert during["total_requests"] >= before["total_requests"] + 4  # 3 proxied + this /status request
    assert during["connections_accepted"] >= before["connections_accepted"] + 1
    assert during["connections_handled"] == during["connections_accepted"]
    assert during["connections_writing"] >= 1  # the /status request being answered
    assert during["connections_waiting"] >= 1  # the client's idle keep-alive connection
    assert during["connections_active"] == (
        during["connections_reading"] + during["connections_writing"] + during["connections_waiting"]
    )
