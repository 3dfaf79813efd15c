"""Emergency overlays without Kong or Redis: what a stored overlay means, when a control is in force, which
values an operator or a stored record may give, and the resolver's decision for an isolated or restricted
tenant (the gateway tests are in tests/integration/ai_tenant_resolver/test_emergency_two_nodes.py)."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace

import pytest

from kong_plugins.ai_tenant_resolver.emergency import (
    EmergencyRecordError,
    check_terms,
    emergency_key,
    parse_overlay,
)
from kong_plugins.ai_tenant_resolver.registry import EmbeddedRegistry, TenantRecord
from kong_plugins.ai_tenant_resolver.resolver import check_route, resolve
from kong_plugins.ai_tenant_resolver.settings import build_settings
from kong_plugins.ai_tenant_resolver.sources import RequestInputs
from kong_plugins.cli.emergency import parse_tokens_per_minute
from kong_plugins.core.errors import Forbidden

NOW_MS = 1_800_000_000_000


def _stored(kind: str, until: int | None, **terms: object) -> dict[str, str]:
    body = {"by": "alice", "reason": "why", "at_ms": NOW_MS - 1000, "terms": terms}
    return {kind: json.dumps(body), f"{kind}_until": "" if until is None else str(until)}


def test_a_control_is_in_force_until_its_deadline_and_without_one_until_lifted() -> None:
    overlay = parse_overlay({**_stored("isolate", NOW_MS + 1), **_stored("restrict", None, models=["a"])})
    assert overlay is not None
    assert overlay.in_force(NOW_MS).isolated  # type: ignore[union-attr]
    lapsed = overlay.in_force(NOW_MS + 1)
    assert lapsed is not None and not lapsed.isolated and lapsed.restriction is not None
    assert lapsed.restriction.models == ("a",) and lapsed.restriction.by == "alice"
    assert parse_overlay({}) is None
    assert parse_overlay(_stored("isolate", NOW_MS)).in_force(NOW_MS) is None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "data",
    [
        {"isolate": "{not json", "isolate_until": ""},
        {"isolate": "[]", "isolate_until": ""},
        {"isolate": "{}", "isolate_until": "soon"},
        {"restrict": json.dumps({"terms": {"tokens_factor": 2}}), "restrict_until": "1"},
        {"restrict": json.dumps({"terms": {"models": ["bad model"]}}), "restrict_until": "1"},
        {"isolate": "x" * 20000},
    ],
)
def test_an_unreadable_overlay_is_an_error_never_ignored(data: dict[str, str]) -> None:
    with pytest.raises(EmergencyRecordError):
        parse_overlay(data)


def test_terms_are_checked() -> None:
    assert check_terms({"tokens_factor": 0.1, "routes": ["r1", "r1"]}) == {
        "tokens_factor": 0.1,
        "routes": ("r1",),
    }
    for bad in ({"tokens_per_minute": -1}, {"tokens_per_minute": True}, {"routes": ["a"] * 65}):
        with pytest.raises(EmergencyRecordError):
            check_terms(bad)


def test_tenant_ids_stay_in_their_own_slot() -> None:
    assert emergency_key("ns", "acme") == "ns:{acme}:emergency"
    assert emergency_key("ns", "a-b_c") == "ns:{a-b_c}:emergency"


def test_tokens_per_minute_is_a_share_or_a_cap() -> None:
    assert parse_tokens_per_minute("10%") == {"tokens_factor": 0.1}
    assert parse_tokens_per_minute("0.5%") == {"tokens_factor": 0.005}
    assert parse_tokens_per_minute("5000") == {"tokens_per_minute": 5000}
    for bad in ("150%", "-1", "ten", "1e9"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_tokens_per_minute(bad)


def _settings_with(record: TenantRecord):  # type: ignore[no-untyped-def]
    settings = build_settings({"sources": ["header"], "tenants": [{"id": "acme"}]})
    return replace(settings, registry=EmbeddedRegistry([record]))


def _inputs() -> RequestInputs:
    return RequestInputs(headers={"x-tenant-id": ["acme"]})


def test_an_isolated_tenant_is_refused_with_the_generic_403() -> None:
    far = 10**15
    record = replace(TenantRecord("acme"), emergency=parse_overlay(_stored("isolate", far)))
    with pytest.raises(Forbidden) as refused:
        resolve(_settings_with(record), _inputs())
    assert refused.value.status == 403 and "isolated" in (refused.value.log_reason or "")


def test_a_lapsed_isolation_lets_the_tenant_in_and_a_restriction_travels_in_the_facts() -> None:
    overlay = parse_overlay(
        {**_stored("isolate", 1), **_stored("restrict", 10**15, tokens_factor=0.1, routes=["chat"])}
    )
    resolution = resolve(_settings_with(replace(TenantRecord("acme"), emergency=overlay)), _inputs())
    assert resolution is not None
    facts = resolution.facts().to_shared()
    assert facts["emergency"] == {"until_ms": 10**15, "tokens_factor": 0.1}  # routes stay with the resolver
    check_route(resolution, {"name": "chat", "id": "1"})
    with pytest.raises(Forbidden):
        check_route(resolution, {"name": "other", "id": "2"})
    with pytest.raises(Forbidden):
        check_route(resolution, None)
