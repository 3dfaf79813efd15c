"""ai-action-authz configuration: what the Admin API refuses, and a policy Cedar refuses failing closed."""

from __future__ import annotations

import uuid

from fixtures.gateway import GatewayUnderTest
from integration.ai_action_authz.authz_support import chat


def _add(gateway: GatewayUnderTest, make_route, config: dict) -> tuple:
    route = make_route(upstream_path=f"/echo/{uuid.uuid4().hex[:12]}")
    response = gateway.admin.post(
        f"/routes/{route.route['id']}/plugins", json={"name": "ai-action-authz", "config": config}
    )
    if response.status_code == 201:
        route.created.append(f"/plugins/{response.json()['id']}")
    return route, response


def test_admin_api_refuses_what_the_schema_can_say(gateway: GatewayUnderTest, make_route) -> None:
    _, missing = _add(gateway, make_route, {})
    assert missing.status_code == 400
    assert missing.json()["fields"]["config"]["policy"] == "required field missing"
    _, no_statement = _add(gateway, make_route, {"policy": "// nothing here"})
    assert no_statement.status_code == 400
    assert no_statement.json()["fields"]["config"]["policy"] == (
        "must contain at least one permit(...) or forbid(...) statement"
    )
    _, template = _add(gateway, make_route, {"policy": "permit(principal == ?principal, action, resource);"})
    assert template.status_code == 400
    assert "templates" in template.json()["fields"]["config"]["policy"]
    _, source = _add(
        gateway, make_route, {"policy_source": "file", "policy": "permit(principal, action, resource);"}
    )
    assert source.status_code == 400


def test_a_policy_cedar_refuses_fails_the_instance_closed(gateway: GatewayUnderTest, make_route) -> None:
    # Parses as far as Kong's patterns go, but names an action our schema does not have.
    route, created = _add(
        gateway, make_route, {"policy": 'permit(principal, action == Action::"files.delete", resource);'}
    )
    assert created.status_code == 201, created.text
    response = gateway.proxy.post(route.url(), json=chat())
    assert response.status_code == 500
    assert response.json()["message"] == "An unexpected error occurred"
    if not gateway.real_kong:
        log = "\n".join(gateway.kong_log()[-40:])
        assert "invalid policy: policy does not validate against the schema" in log
        assert "files.delete" in log
