"""``roles_from_consumer_groups`` on Kong OSS (the stack's gateway): there are no consumer groups there.

Kong 3.9 OSS answers the Enterprise Admin API paths ``404 {"message":"Not found"}`` and a plugin server's
``kong.client.get_consumer_groups()`` with nil and the log line ``could not find pdk method`` (mp_rpc.lua), so
no group becomes a role: a policy on ``Role::"<group>"`` denies (test_authz_consumer_groups.py has the
Enterprise side)."""

from __future__ import annotations

import uuid

from fixtures.gateway import GatewayUnderTest
from integration.ai_action_authz.authz_support import RESOLVER, assert_forbidden, chat

KEY_AUTH = ("key-auth", {"key_names": ["apikey"]})
POLICY = """
@id("routes") permit(principal, action == Action::"route.call", resource);
permit(principal in Role::"analysts", action in [Action::"chat.create", Action::"model.use"], resource);
"""


def test_kong_oss_has_no_consumer_group_endpoints(gateway: GatewayUnderTest) -> None:
    tag = uuid.uuid4().hex[:10]
    consumer = gateway.admin.post("/consumers", json={"username": f"ann-{tag}"})
    assert consumer.status_code == 201, consumer.text
    try:
        for method, path in (
            ("POST", "/consumer_groups"),
            ("GET", "/consumer_groups"),
            ("GET", f"/consumers/ann-{tag}/consumer_groups"),
            ("POST", f"/consumers/ann-{tag}/consumer_groups"),
        ):
            body = {"name": "analysts", "group": "analysts"} if method == "POST" else None
            answer = gateway.admin.request(method, path, json=body)
            assert (answer.status_code, answer.json()) == (404, {"message": "Not found"}), (method, path)
    finally:
        gateway.admin.delete(f"/consumers/ann-{tag}")


def test_on_kong_oss_no_group_is_a_role_and_the_pdk_call_is_logged_missing(
    authz, gateway: GatewayUnderTest
) -> None:
    tag = uuid.uuid4().hex[:10]
    consumer = gateway.admin.post("/consumers", json={"username": f"ann-{tag}"})
    assert consumer.status_code == 201, consumer.text
    try:
        key = f"ann-key-{tag}"
        credential = gateway.admin.post(f"/consumers/ann-{tag}/key-auth", json={"key": key})
        assert credential.status_code == 201, credential.text
        route = authz({"roles_from_consumer_groups": True, "policy": POLICY}, before=[KEY_AUTH, RESOLVER])
        request_id = assert_forbidden(route.post(chat(), headers={"apikey": key}))
        assert route.upstream_hits() == 0
        if not gateway.real_kong:
            missing = [
                line
                for line in gateway.kong_log()
                if "[ai-action-authz] could not find pdk method: kong.client.get_consumer_groups" in line
            ]
            assert missing, request_id
            assert not [line for line in gateway.kong_log() if "authenticate_consumer_group" in line]
    finally:
        gateway.admin.delete(f"/consumers/ann-{tag}")
