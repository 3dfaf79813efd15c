"""Roles from a JWT claim, through the tenant context: ai-tenant-resolver's ``jwt.roles_claim`` publishes them
in ``ai_guard.tenant``, and ai-action-authz policies speak of them as ``principal in Role::"<name>"``."""

from __future__ import annotations

from integration.ai_action_authz.authz_support import TENANTS, assert_forbidden, chat
from integration.ai_tenant_resolver.resolver_support import SigningKey, bearer

POLICY = """
@id("routes") permit(principal, action == Action::"route.call", resource);
@id("chat") permit(principal, action in [Action::"chat.create", Action::"model.use"], resource);
@id("admins-offer-admin-tools") permit(principal in Role::"admin", action == Action::"feature.use", resource);
"""


def test_roles_from_the_jwt_claim_reach_the_policy(authz) -> None:
    key = SigningKey.generate()
    resolver = {
        "sources": ["jwt"],
        "tenants": TENANTS,
        "jwt": {
            "keys": [{"kid": "rsa-1", "algorithm": "RS256", "key": key.public_pem}],
            "algorithms": ["RS256"],
            "roles_claim": "realm.roles",
        },
    }
    route = authz({"policy": POLICY}, before=[("ai-tenant-resolver", resolver)])
    streaming = chat(stream=True)
    admin = bearer(key.token(None, realm={"roles": ["admin", "bad role!", "analyst"]}))
    allowed = route.post(streaming, tenant=None, headers=admin)
    assert allowed.status_code == 200, allowed.text
    assert route.shared(allowed)["ai_guard"]["tenant"]["roles"] == [
        "admin",
        "analyst",
    ]  # malformed one dropped
    analyst = bearer(key.token(None, realm={"roles": ["analyst"]}))
    assert_forbidden(route.post(streaming, tenant=None, headers=analyst))
    space_separated = bearer(key.token(None, realm={"roles": "reader admin"}))
    assert route.post(streaming, tenant=None, headers=space_separated).status_code == 200
    assert route.post(chat(), tenant=None, headers=bearer(key.token())).status_code == 200  # no roles needed
