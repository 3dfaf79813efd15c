"""A request refused by ``kong-ai emergency`` is in the audit log with why (a finding of ai-tenant-resolver),
while the client only gets the generic 403."""

from __future__ import annotations

import uuid

import pytest
from integration.ai_audit_log.audit_support import RESOLVER, TENANTS, AuditEnv

from kong_plugins.ai_tenant_resolver.emergency import ISOLATE, RESTRICT, EmergencyStore

pytestmark = [pytest.mark.redis, pytest.mark.harness]


def test_emergency_refusals_are_recorded_with_their_reason(audit: AuditEnv) -> None:
    namespace = f"e{uuid.uuid4().hex[:12]}"
    resolver = {
        "sources": ["header"],
        "tenants": TENANTS,
        "emergency_controls": "on",
        "namespace": namespace,
        "cache_ttl": 0,  # read on every request: the control is in force for the very next one
        "redis": audit.redis.conf(),
    }
    route = audit.route(resolver=resolver)
    with audit.redis.client() as client:
        store = EmergencyStore(client, namespace)
        store.set_control("acme", ISOLATE, seconds=600, by="alice", reason="test")
        refused = route.send()
        store.lift("acme", [ISOLATE], by="alice", reason="test")
        store.set_control(
            "acme", RESTRICT, seconds=600, by="alice", reason="test", terms={"routes": ["none"]}
        )
        elsewhere = route.send()
        store.lift("acme", [RESTRICT], by="alice", reason="test")
        served = route.send()

    for response in (refused, elsewhere):
        assert response.status_code == 403
        assert {k: v for k, v in response.json().items() if k != "request_id"} == {"message": "Forbidden"}
    assert served.status_code == 200
    for response, category in ((refused, "isolated"), (elsewhere, "route_restricted")):
        record = route.record_of(response, tenant=None)  # refused before the tenant was published
        assert record["status"] == 403
        assert [(f["plugin"], f["check"], f["category"], f["action"]) for f in record["findings"]] == [
            (RESOLVER, "emergency", category, "block")
        ]
    assert route.record_of(served)["findings"] == []
