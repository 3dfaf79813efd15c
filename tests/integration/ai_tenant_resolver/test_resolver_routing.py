"""Data residency: ``region_upstreams`` sends a tenant's request to its region's Kong upstream (created
through the Admin API, its target the mock LLM), and a tenant whose region has no upstream is refused,
never sent to the service's own host.

The service points at the mock LLM too, by host name: Kong's balancer only looks an upstream up when the
balancer's host is a name (runloop/balancer ``execute`` returns early for an IP address, whatever
``set_upstream`` changed). Each upstream sets a ``host_header`` of its own, so the ``Host`` the upstream
receives says which way the request went.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from fixtures.gateway import MOCK_LLM_URL, GatewayUnderTest
from integration.ai_tenant_resolver.resolver_support import (
    AdminCreate,
    Echo,
    assert_refused,
    mock_llm_by_name,
    unique_suffix,
    upstream_hits,
)

TENANTS = [
    {"id": "acme", "region": "eu"},
    {"id": "globex", "region": "us"},
    {"id": "initech", "region": "apac"},
    {"id": "hooli"},
]


@dataclass(frozen=True)
class ResidencySetup:
    route_path: str
    service_host: str
    upstream_hosts: dict[str, str]
    """region -> the ``Host`` its upstream sends (its ``host_header`` and the target's port)."""


@pytest.fixture
def residency(gateway: GatewayUnderTest, admin_create: AdminCreate) -> ResidencySetup:
    mock = urlsplit(MOCK_LLM_URL)
    service_host, service_port = mock_llm_by_name()
    tag = uuid.uuid4().hex[:12]
    upstream_hosts = {}
    region_upstreams = {}
    for region in ("eu", "us"):
        host_header = f"{region}.{tag}.residency.test"
        upstream = admin_create("/upstreams", {"name": f"llm-{region}-{tag}", "host_header": host_header})
        admin_create(f"/upstreams/{upstream['id']}/targets", {"target": f"{mock.hostname}:{mock.port}"})
        upstream_hosts[region] = f"{host_header}:{mock.port}"  # Kong adds a port other than 80
        region_upstreams[region] = upstream["name"]
    region_upstreams["apac"] = f"llm-apac-{tag}"  # configured, but Kong has no such upstream
    service = admin_create(
        "/services", {"name": f"s-{tag}", "url": f"http://{service_host}:{service_port}/echo"}
    )
    route = admin_create(f"/services/{service['id']}/routes", {"name": f"r-{tag}", "paths": [f"/r-{tag}"]})
    admin_create(
        f"/routes/{route['id']}/plugins",
        {
            "name": "ai-tenant-resolver",
            "config": {"sources": ["header"], "tenants": TENANTS, "region_upstreams": region_upstreams},
        },
    )
    return ResidencySetup(f"/r-{tag}", f"{service_host}:{service_port}", upstream_hosts)


def _get(gateway: GatewayUnderTest, setup: ResidencySetup, tenant: str, suffix: str = "") -> Any:
    return gateway.proxy.get(setup.route_path + suffix, headers={"X-Tenant-ID": tenant})


def test_each_tenant_reaches_its_region_upstream(
    gateway: GatewayUnderTest, residency: ResidencySetup
) -> None:
    for tenant, region in (("acme", "eu"), ("globex", "us")):
        response = _get(gateway, residency, tenant)
        assert response.status_code == 200, response.text
        echo = Echo.of(response)
        assert echo.values("Host") == [residency.upstream_hosts[region]]
        assert echo.values("X-Tenant-Region") == [region]


def test_a_region_without_an_upstream_is_refused_not_sent_elsewhere(
    gateway: GatewayUnderTest, residency: ResidencySetup
) -> None:
    suffix = unique_suffix()
    assert_refused(_get(gateway, residency, "hooli", suffix), 403)  # no region at all
    assert upstream_hits("/echo" + suffix) == 0


def test_an_upstream_unknown_to_kong_is_not_bypassed(
    gateway: GatewayUnderTest, residency: ResidencySetup
) -> None:
    """``apac`` maps to an upstream name Kong does not have: 503 (a configuration error), not the service."""
    suffix = unique_suffix()
    response = _get(gateway, residency, "initech", suffix)
    assert response.status_code == 503, response.text
    assert "X-Tenant-ID" not in response.headers
    assert upstream_hits("/echo" + suffix) == 0


def test_without_region_routing_the_service_host_is_used(
    gateway: GatewayUnderTest, residency: ResidencySetup, admin_create: AdminCreate
) -> None:
    """The control case: the same service without ``region_upstreams`` goes to its own host."""
    service_host, service_port = mock_llm_by_name()
    tag = uuid.uuid4().hex[:12]
    service = admin_create(
        "/services", {"name": f"s-{tag}", "url": f"http://{service_host}:{service_port}/echo"}
    )
    route = admin_create(f"/services/{service['id']}/routes", {"name": f"r-{tag}", "paths": [f"/r-{tag}"]})
    admin_create(
        f"/routes/{route['id']}/plugins",
        {"name": "ai-tenant-resolver", "config": {"sources": ["header"], "tenants": TENANTS}},
    )
    response = gateway.proxy.get(f"/r-{tag}", headers={"X-Tenant-ID": "hooli"})
    assert Echo.of(response).values("Host") == [residency.service_host]
