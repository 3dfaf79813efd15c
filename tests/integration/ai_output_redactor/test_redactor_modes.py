"""Modes (mask, hash, partial, block) globally and per detector, replacements, the allow list, custom
patterns, and the Admin API refusing what Kong's schema can tell is wrong."""

from __future__ import annotations

import re

import pytest
from integration.ai_output_redactor.redactor_support import PLUGIN, RESOLVER, chat_content, facts

EMAIL = "jane.doe@example.com"
CARD = "4111 1111 1111 1111"
HASH_KEY = "0123456789abcdef-test-key"


def test_mask_is_the_default_with_per_detector_replacement(redacted) -> None:  # type: ignore[no-untyped-def]
    route = redacted({"replacements": {"email": "<email>"}})
    content = chat_content(route.chat(f"Write to {EMAIL} with card {CARD}."))
    assert content == "Write to <email> with card [REDACTED:CREDIT_CARD]."


def test_partial_keeps_the_last_four(redacted) -> None:  # type: ignore[no-untyped-def]
    route = redacted({"mode": "partial"})
    assert chat_content(route.chat(f"Card {CARD}.")) == "Card ****1111."


def test_hash_is_stable_within_a_tenant_and_differs_across_tenants(redacted) -> None:  # type: ignore[no-untyped-def]
    route = redacted({"mode": "hash", "hash_key": HASH_KEY}, before=[RESOLVER])
    first = chat_content(route.chat(f"Mail {EMAIL}.", X_Tenant_ID="acme"))
    again = chat_content(route.chat(f"Again {EMAIL}!", X_Tenant_ID="acme"))
    other = chat_content(route.chat(f"Mail {EMAIL}.", X_Tenant_ID="globex"))
    token = re.fullmatch(r"Mail (\[EMAIL:[0-9a-f]{12}\])\.", first)
    assert token is not None, first
    assert again == f"Again {token.group(1)}!"
    assert other.startswith("Mail [EMAIL:") and other != first
    assert EMAIL not in first + again + other


def test_block_mode_replaces_the_answer_with_502(redacted, gateway) -> None:  # type: ignore[no-untyped-def]
    route = redacted({"detector_modes": {"private_key": "block"}})
    response = route.chat(
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"
    )
    assert response.status_code == 502
    assert response.json()["message"] == "Response blocked by output policy"
    assert "MIIE" not in response.text
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    published = facts(gateway, response)
    assert published["action"] == "block" and published["counts"] == {"private_key": 1}
    # another detector on the same route still only masks
    assert chat_content(route.chat(f"Mail {EMAIL}.")) == "Mail [REDACTED:EMAIL]."


def test_detectors_can_be_switched_off(redacted) -> None:  # type: ignore[no-untyped-def]
    route = redacted({"detectors": ["credit_card"]})
    assert chat_content(route.chat(f"Mail {EMAIL}, card {CARD}.")) == (
        f"Mail {EMAIL}, card [REDACTED:CREDIT_CARD]."
    )


def test_allow_list_and_allow_patterns(redacted) -> None:  # type: ignore[no-untyped-def]
    route = redacted({"allow_list": ["Support@Example.com"], "allow_patterns": [r"[a-z.]+@corp\.example"]})
    content = chat_content(route.chat(f"Ask support@example.com or ops@corp.example, not {EMAIL}."))
    assert content == "Ask support@example.com or ops@corp.example, not [REDACTED:EMAIL]."


def test_custom_patterns_with_a_redacted_group_and_their_own_mode(redacted, gateway) -> None:  # type: ignore[no-untyped-def]
    route = redacted(
        {
            "custom_patterns": [
                {"name": "employee_id", "pattern": r"EMP-\d{6}"},
                {"name": "ticket", "pattern": r"(?i)ticket #(?P<v>\d{4,})", "mode": "partial"},
            ]
        }
    )
    response = route.chat("EMP-123456 opened Ticket #2025001234 today.")
    assert chat_content(response) == "[REDACTED:EMPLOYEE_ID] opened Ticket #****1234 today."
    assert facts(gateway, response)["counts"] == {"employee_id": 1, "ticket": 1}


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"custom_patterns": [{"name": "x", "pattern": "(?<=a)b"}]}, "custom_patterns"),
        ({"custom_patterns": [{"name": "x", "pattern": r"(a)\1"}]}, "custom_patterns"),
        ({"allow_patterns": ["a(?!b)"]}, "allow_patterns"),
        ({"detectors": ["passport"]}, "detectors"),
        ({"mode": "shred"}, "mode"),
        ({"custom_patterns": [{"name": "email", "pattern": "x"}]}, "custom_patterns"),
        ({"detector_modes": {"email": "erase"}}, "detector_modes"),
        ({"detector_modes": {"emial": "mask"}}, "detector_modes"),  # a typo: it would silently do nothing
        ({"replacements": {"emial": "<email>"}}, "replacements"),
        ({"mode": "hash"}, "hash_key"),  # Kong's conditional entity check, as custom_schema's
        ({"security_headers": {"Bad Header": "x"}}, "security_headers"),
    ],
)
def test_admin_api_refuses_bad_configs(gateway, make_route, config, field) -> None:  # type: ignore[no-untyped-def]
    route = make_route()
    response = gateway.admin.post(
        f"/routes/{route.route['id']}/plugins", json={"name": PLUGIN, "config": config}
    )
    assert response.status_code == 400, response.text
    assert field in response.json()["fields"]["config"]


@pytest.mark.parametrize(
    "config",
    [
        {"detector_modes": {"email": "hash"}},  # no hash_key for a detector's own hash mode
        {"custom_patterns": [{"name": "x", "pattern": "(unbalanced"}]},
        {"allow_patterns": ["("]},
        {"output_schema": "{bad"},
    ],
)
def test_configs_only_the_instance_can_refuse(gateway, make_route, config) -> None:  # type: ignore[no-untyped-def]
    """Kong's schema cannot say these; the instance refuses to start and Kong answers 500 (fail closed)."""
    route = make_route(upstream_path="/v1/chat/completions")
    route.add_plugin(PLUGIN, config)
    response = gateway.proxy.post(
        route.url(), json={"model": "m", "messages": [{"role": "user", "content": "x"}]}
    )
    assert response.status_code == 500
