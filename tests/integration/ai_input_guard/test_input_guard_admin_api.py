"""ai-input-guard configs refused by Kong's own Admin API (the dumped schema), not by every request later.

RE2-rejected constructs in ``deny_patterns``/``allow_patterns`` and unknown ``ood.expected_scripts`` used to
be accepted (201); the first then made every request on the route a 500. What a Kong schema cannot express
(an unbalanced pattern, a ``custom_schema`` that is no JSON Schema) is still accepted by the Admin API and
refused when the instance starts: ``kong-ai validate`` reports it before deploying (README).
"""

from __future__ import annotations

from typing import Any

import pytest
from fixtures.gateway import GatewayUnderTest
from integration.ai_input_guard.guard_support import chat

LOOK_AROUND = "look-arounds ((?=, (?!, (?<=, (?<!) are not supported (RE2)"
BACK_REFERENCE = "back-references (\\1, (?P=name)) are not supported (RE2)"
POSSESSIVE = "possessive quantifiers (*+, ++, ?+, {n}+) are not supported (RE2)"
ATOMIC = "atomic groups ((?>...)) and conditionals ((?(...)) are not supported (RE2)"


def _enable(gateway: GatewayUnderTest, route: Any, config: dict[str, Any]) -> Any:
    response = gateway.admin.post(
        f"/routes/{route.route['id']}/plugins", json={"name": "ai-input-guard", "config": config}
    )
    if response.status_code == 201:
        route.created.append(f"/plugins/{response.json()['id']}")
    return response


@pytest.mark.parametrize(
    ("field", "pattern", "message"),
    [
        ("deny_patterns", "(?<=x)y", LOOK_AROUND),
        ("deny_patterns", "secret(?!ary)", LOOK_AROUND),
        ("allow_patterns", "(a)\\1", BACK_REFERENCE),
        ("deny_patterns", "x(?P=name)", BACK_REFERENCE),
        ("deny_patterns", "a++b", POSSESSIVE),
        ("allow_patterns", "(?>ab)", ATOMIC),
    ],
)
def test_patterns_re2_rejects_are_refused_by_the_admin_api(
    gateway: GatewayUnderTest, make_route, field: str, pattern: str, message: str
) -> None:
    route = make_route()
    refused = _enable(gateway, route, {field: ["(?i)credit\\s*card", pattern]})
    assert refused.status_code == 400, refused.text
    body = refused.json()
    assert body["name"] == "schema violation"
    assert body["fields"] == {"config": {field: [None, message]}}
    assert gateway.proxy.post(route.url(), json=chat()).status_code == 200  # nothing was enabled


def test_unknown_scripts_are_refused_known_ones_accepted(gateway: GatewayUnderTest, make_route) -> None:
    route = make_route()
    refused = _enable(gateway, route, {"ood": {"expected_scripts": ["Latin", "Klingon"]}})
    assert refused.status_code == 400, refused.text
    error = refused.json()["fields"]["config"]["ood"]["expected_scripts"]
    assert error[0] is None and error[1].startswith("expected one of: Adlam, Ahom")
    accepted = _enable(gateway, route, {"ood": {"mode": "block", "expected_scripts": ["Latin", "Cyrillic"]}})
    assert accepted.status_code == 201, accepted.text
    mixed = chat("Привет, how are you today, my friend?")
    assert gateway.proxy.post(route.url(), json=mixed).status_code == 200


def test_what_kong_cannot_express_is_left_to_kong_ai_validate(gateway: GatewayUnderTest, make_route) -> None:
    for config in (
        {"deny_patterns": ["(unbalanced"]},
        {"format": "custom", "custom_schema": "{not json"},
        {"format": "custom", "custom_schema": '{"type": "nonsense"}'},
    ):
        route = make_route()
        accepted = _enable(gateway, route, config)
        assert accepted.status_code == 201, accepted.text  # as real Kong does
        assert gateway.proxy.post(route.url(), json=chat()).status_code == 500  # StartInstance refuses it


@pytest.mark.parametrize(
    ("pattern", "refused_text"),
    [
        ("\\p{Cyrillic}+", "привет"),  # a Unicode class, then + (one or more): not possessive
        ("\\x{263A}+", "hello \u263a\u263a"),  # a code point in braces, then +
        ("\\101\\102\\103", "ABC"),  # RE2's octal escapes (\101 is A), not back-references
    ],
)
def test_patterns_re2_accepts_are_accepted_by_the_admin_api_and_enforced(
    gateway: GatewayUnderTest, make_route, pattern: str, refused_text: str
) -> None:
    route = make_route()
    accepted = _enable(gateway, route, {"deny_patterns": [pattern]})
    assert accepted.status_code == 201, accepted.text  # was 400: a false possessive/back-reference match
    assert gateway.proxy.post(route.url(), json=chat("hello there")).status_code == 200
    assert gateway.proxy.post(route.url(), json=chat(refused_text)).status_code == 400


def test_classifier_settings_are_checked_by_the_admin_api(gateway: GatewayUnderTest, make_route) -> None:
    route = make_route()
    for config in (
        {"injection": {"classifier": {"mode": "always"}}},
        {"injection": {"classifier": {"threshold": 1.5}}},
        {"injection": {"classifier": {"uncertain_from": -0.1}}},
        {"injection": {"mode": "silent"}},
    ):
        refused = _enable(gateway, route, config)
        assert refused.status_code == 400, (config, refused.text)
        assert refused.json()["name"] == "schema violation"
    accepted = _enable(gateway, route, {"injection": {"mode": "shadow", "classifier": {"mode": "block"}}})
    assert accepted.status_code == 201, accepted.text


def test_cascade_tier_settings_kong_can_check_are_refused_by_the_admin_api(
    gateway: GatewayUnderTest, make_route
) -> None:
    route = make_route()
    for config, field in (
        ({"injection": {"model": {"mode": "block"}}}, "path"),
        ({"injection": {"model": {"mode": "shadow", "path": "/m.onnx"}}}, "tokenizer_path"),
        ({"injection": {"guardrail": {"mode": "block"}}}, "url"),
    ):
        refused = _enable(gateway, route, config)
        assert refused.status_code == 400, refused.text
        tier = next(iter(config["injection"]))
        errors = refused.json()["fields"]["config"]["injection"][tier]
        assert errors[field] == "required field missing", refused.text
        assert "failed conditional validation given value of field 'mode'" in errors["@entity"]
    for config in (
        {"injection": {"guardrail": {"mode": "block", "url": "ftp://guard.example/check"}}},
        {"injection": {"guardrail": {"adapter": "lakera"}}},
        {"injection": {"guardrail": {"fail_mode": "maybe"}}},
        {"injection": {"model": {"injection_labels": []}}},
        {"injection": {"model": {"time_budget_ms": 0}}},
    ):
        assert _enable(gateway, route, config).status_code == 400, config


def test_cascade_thresholds_out_of_order_are_refused_when_the_instance_starts(
    gateway: GatewayUnderTest, make_route, tmp_path
) -> None:
    """Kong's schema cannot compare two fields: the Admin API accepts these (as real Kong does) and the
    instance refuses to start; ``kong-ai validate`` says why before deploying."""
    for config in (
        {"injection": {"threshold": 0.5, "classifier": {"mode": "block", "uncertain_from": 0.6}}},
        {
            "injection": {
                "classifier": {"mode": "block", "threshold": 0.7},
                "guardrail": {"mode": "block", "url": "http://127.0.0.1:9/", "uncertain_from": 0.8},
            }
        },
        {
            "injection": {
                "model": {"mode": "block", "path": str(tmp_path / "absent.onnx"), "tokenizer_path": "t"}
            }
        },
    ):
        route = make_route()
        accepted = _enable(gateway, route, config)
        assert accepted.status_code == 201, accepted.text
        assert gateway.proxy.post(route.url(), json=chat()).status_code == 500  # StartInstance refuses it
