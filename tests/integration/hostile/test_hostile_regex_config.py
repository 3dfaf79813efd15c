"""Evil regular expressions in every config field that takes one, and evil inputs against them.

The fields: ai-tenant-resolver ``path_pattern``, ai-input-guard ``deny_patterns``/``allow_patterns``,
ai-action-authz ``attributes[].key`` (``path`` source), ai-output-redactor ``custom_patterns[].pattern`` and
``allow_patterns``. (JSON Schema ``pattern``s inside ``custom_schema``/``output_schema`` are a JSON string to
Kong: RE2 checks them when the instance starts, ``kong-ai validate`` before.) Each catalogued pattern is
either refused by the Admin API with a message naming the field, or accepted and run by RE2: then requests
built to make a backtracking engine explode are answered (a generous client timeout fails only on a hang;
nothing is timed) and never with a 5xx.

``(x{1,1000}){1,1000}`` (nested counts, product above RE2's 1000) is left out: Kong's schema language cannot
spot it, so the Admin API accepts it and RE2 refuses it when the instance starts (500 on that route);
``kong-ai validate`` reports it for a declarative config.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from integration.ai_tenant_resolver.resolver_support import PATH_PATTERN
from integration.hostile.chain_support import CLIENT_TIMEOUT_S, RESOLVER, TENANTS, chat

from kong_plugins.core.hostile_inputs import EVIL_PATTERNS, EVIL_SUBJECTS

NOT_SPOTTABLE = {"nested counted repetition"}
HEADER = {"X-Tenant-ID": "acme"}


def _fields() -> dict[str, tuple[str, Callable[[str], dict[str, Any]], str]]:
    """field -> (plugin, config with the pattern, where the evil subject goes: prompt or path)."""
    tenant_path = PATH_PATTERN.rstrip("/")
    return {
        "path_pattern": (
            RESOLVER,
            lambda p: {"sources": ["path"], "tenants": TENANTS, "path_pattern": f"{tenant_path}/({p})"},
            "path",
        ),
        "deny_patterns": ("ai-input-guard", lambda p: {"deny_patterns": [p]}, "prompt"),
        "allow_patterns": ("ai-input-guard", lambda p: {"allow_patterns": [p]}, "prompt"),
        "attributes.key": (
            "ai-action-authz",
            lambda p: {
                "policy": '@id("all") permit(principal, action, resource);',
                "attributes": [{"name": "x", "source": "path", "key": f"/(?P<value>{p})"}],
            },
            "path",
        ),
        "custom_patterns.pattern": (
            "ai-output-redactor",
            lambda p: {"custom_patterns": [{"name": "evil", "pattern": p}]},
            "answer",
        ),
        "redactor allow_patterns": ("ai-output-redactor", lambda p: {"allow_patterns": [p]}, "answer"),
    }


def test_evil_patterns_are_refused_when_configured_or_run_in_linear_time(
    make_route: Any, gateway: Any
) -> None:
    refused, accepted = [], []
    for field_name, (plugin, config_of, where) in _fields().items():
        route = make_route("/v1/chat/completions")
        if plugin != RESOLVER:
            route.add_plugin(RESOLVER, {"sources": ["header"], "tenants": TENANTS})
        for name, pattern in EVIL_PATTERNS.items():
            if name in NOT_SPOTTABLE:
                continue
            answer = gateway.admin.post(
                f"/routes/{route.route['id']}/plugins", json={"name": plugin, "config": config_of(pattern)}
            )
            if answer.status_code == 400:
                assert "RE2" in answer.text or "repetition" in answer.text, (field_name, name, answer.text)
                refused.append((field_name, name))
                continue
            assert answer.status_code == 201, (field_name, name, answer.text)
            accepted.append((field_name, name))
            plugin_id = answer.json()["id"]
            try:
                for subject in EVIL_SUBJECTS.values():
                    response = _send(gateway, route.url(), where, subject)
                    assert response.status_code < 500, (
                        field_name,
                        name,
                        response.status_code,
                        response.text[:200],
                    )
            finally:
                gateway.admin.delete(f"/plugins/{plugin_id}")
    # what RE2 cannot run is refused by Kong; the backtracking classics are accepted and run linearly
    assert ("deny_patterns", "backreference") in refused and ("deny_patterns", "lookahead") in refused
    assert ("deny_patterns", "counted repetition above 1000") in refused
    assert ("deny_patterns", "huge counted repetition") in refused
    assert ("deny_patterns", "nested quantifier") in accepted and (
        "path_pattern",
        "nested quantifier",
    ) in accepted


def _send(gateway: Any, url: str, where: str, subject: str) -> httpx.Response:
    if where == "path":
        return gateway.proxy.post(
            f"{url}/tenants/acme/{subject}", json=chat(), headers=HEADER, timeout=CLIENT_TIMEOUT_S
        )
    headers = {**HEADER, "X-Mock-Verbatim": "1"} if where == "answer" else HEADER
    body = json.dumps(chat(subject)).encode()
    return gateway.proxy.post(
        url, content=body, headers={**headers, "Content-Type": "application/json"}, timeout=CLIENT_TIMEOUT_S
    )
