"""The decision cache never answers one principal with another's decision.

A Kong consumer whose tenant comes from elsewhere (a trusted header, the path) can act for several tenants
of the same tier: the cached decision for the consumer in one tenant must not be reused in the other.
"""

from __future__ import annotations

import uuid

from integration.ai_action_authz.authz_support import assert_forbidden, chat

TENANTS = [{"id": "acme", "tier": "pro", "region": "eu"}, {"id": "umbrella", "tier": "pro", "region": "us"}]
POLICY = """
@id("call-route") permit(principal, action == Action::"route.call", resource);
@id("acme-only") permit(principal in Tenant::"acme", action in [Action::"chat.create", Action::"model.use"],
  resource);
"""


def test_a_consumer_acting_for_two_tenants_gets_each_tenants_decision(authz, gateway) -> None:
    tag = uuid.uuid4().hex[:10]
    consumer = gateway.admin.post("/consumers", json={"username": f"alice-{tag}"})
    assert consumer.status_code == 201, consumer.text
    key = f"key-{tag}"
    gateway.admin.post(f"/consumers/{consumer.json()['id']}/key-auth", json={"key": key})
    try:
        route = authz(
            {"context_sources": ["consumer"], "policy": POLICY},
            before=[
                ("key-auth", {"key_names": ["apikey"]}),
                ("ai-tenant-resolver", {"sources": ["header"], "tenants": TENANTS}),
            ],
        )
        for _ in range(2):  # the second round is answered from the cache
            assert route.post(chat(), "acme", headers={"apikey": key}).status_code == 200
            assert_forbidden(route.post(chat(), "umbrella", headers={"apikey": key}))
    finally:
        gateway.admin.delete(f"/consumers/{consumer.json()['id']}")
