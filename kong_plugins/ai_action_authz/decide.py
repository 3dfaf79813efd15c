"""Deciding a request's actions with Cedar: one batch call for everything the cache does not know.

A request is allowed only when every action it implies is permitted (Cedar: default deny, ``forbid``
overrides ``permit``). Decisions are cached per (policy version, principal, action, resource, context) in a
bounded LRU, so a repeated request costs no Cedar call at all; the cache is keyed by version, so a new policy
version is never answered from the old one's decisions.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import cedarpy

from kong_plugins.ai_action_authz.entity_model import ACTION_LEVELS, LEVELS
from kong_plugins.ai_action_authz.policy import CompiledPolicy, cedar_schema
from kong_plugins.core.cache import LruCache

__all__ = ["ActionDecision", "ActionRequest", "Decision", "DecisionCache", "Principal", "decide", "verdict"]

DEFAULT_DENY = "default-deny"
MAX_RULES_REPORTED = 8


@dataclass(frozen=True)
class Principal:
    """Who is asking, from the tenant context (and the Kong consumer, when read)."""

    tenant: str = ""
    tier: str = ""
    region: str = ""
    roles: tuple[str, ...] = ()
    consumer: str | None = None
    groups: tuple[str, ...] = ()

    def uid(self) -> dict[str, str]:
        if self.consumer is not None:
            return {"type": "Consumer", "id": self.consumer}
        return {"type": "Tenant", "id": self.tenant}

    def entities(self) -> list[dict[str, Any]]:
        attrs = {"tenant": self.tenant, "tier": self.tier, "region": self.region}
        tenant_parents = [{"type": "Tier", "id": self.tier}] if self.tier else []
        roles = [{"type": "Role", "id": role} for role in self.roles]
        tenant = {"uid": {"type": "Tenant", "id": self.tenant}, "attrs": attrs, "parents": tenant_parents}
        extra = [{"uid": p, "attrs": {}, "parents": []} for p in tenant_parents + roles]
        if self.consumer is None:
            tenant["parents"] = tenant_parents + roles
            return [tenant, *extra]
        groups = [{"type": "ConsumerGroup", "id": group} for group in self.groups]
        consumer = {
            "uid": self.uid(),
            "attrs": {**attrs, "username": self.consumer},
            "parents": [{"type": "Tenant", "id": self.tenant}, *roles, *groups],
        }
        extra += [{"uid": g, "attrs": {}, "parents": []} for g in groups]
        return [consumer, tenant, *extra]


@dataclass(frozen=True)
class ActionRequest:
    """One action a request implies: ``action`` on ``resource_type::"resource_id"`` with its context."""

    action: str
    resource_type: str
    resource_id: str
    arguments: tuple[tuple[str, str], ...] = ()  # tool.call: the call's arguments as tags

    @property
    def resource(self) -> str:
        return f'{self.resource_type}::"{self.resource_id}"'

    @property
    def level(self) -> str:
        return ACTION_LEVELS[self.action]


@dataclass(frozen=True)
class ActionDecision:
    action: str
    resource: str
    allowed: bool
    rule: str
    level: str

    def to_shared(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "resource": self.resource,
            "decision": "allow" if self.allowed else "deny",
            "rule": self.rule,
            "level": self.level,
        }


@dataclass(frozen=True)
class Decision:
    """The verdict on all of a request's actions."""

    id: str
    allowed: bool
    policy_version: str
    level: str
    rule: str
    action: str
    actions: tuple[ActionDecision, ...] = ()
    cedar_calls: int = 0

    @property
    def denied(self) -> tuple[ActionDecision, ...]:
        return tuple(d for d in self.actions if not d.allowed)


class DecisionCache(LruCache[str, ActionDecision]):
    """Bounded LRU of (version, principal, action, context) -> ActionDecision, shared by the threads
    (``cache_size`` entries; 0 turns it off)."""


@dataclass
class _Batch:
    keys: list[str] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)


def decide(
    policy: CompiledPolicy,
    principal: Principal,
    actions: list[ActionRequest],
    context: dict[str, Any],
    attributes: dict[str, str],
    cache: DecisionCache,
) -> Decision:
    """Decide every action of one request (in one Cedar batch call for the cache misses)."""
    decided: list[ActionDecision | None] = [None] * len(actions)
    base_key = json.dumps(
        [  # every fact of the principal its entities carry: a consumer may act for several tenants
            policy.version,
            principal.uid(),
            principal.tenant,
            principal.tier,
            principal.region,
            principal.roles,
            principal.groups,
            context,
            attributes,
        ],
        sort_keys=True,
        separators=(",", ":"),
    )
    batch = _Batch()
    for position, request in enumerate(actions):
        key = base_key + json.dumps(
            [request.action, request.resource, request.arguments], separators=(",", ":")
        )
        hit = cache.get(key)
        if hit is not None:
            decided[position] = hit
            continue
        batch.keys.append(key)
        batch.positions.append(position)
    calls = 0
    if batch.positions:
        calls = 1
        for position, result in zip(
            batch.positions, _evaluate(policy, principal, actions, batch, context, attributes), strict=True
        ):
            decided[position] = result
        for key, position in zip(batch.keys, batch.positions, strict=True):
            result = decided[position]
            assert result is not None
            cache.put(key, result)
    final = [d for d in decided if d is not None]
    return verdict(policy.version, final, calls)


def _evaluate(
    policy: CompiledPolicy,
    principal: Principal,
    actions: list[ActionRequest],
    batch: _Batch,
    context: dict[str, Any],
    attributes: dict[str, str],
) -> list[ActionDecision]:
    entities: list[dict[str, Any]] = principal.entities()
    entities.append(
        {"uid": {"type": "Attributes", "id": "request"}, "attrs": {}, "parents": [], "tags": attributes}
    )
    entities.append({"uid": {"type": "Arguments", "id": ""}, "attrs": {}, "parents": [], "tags": {}})
    seen: set[tuple[str, str]] = set()
    requests = []
    for number, position in enumerate(batch.positions):
        request = actions[position]
        resource = {"type": request.resource_type, "id": request.resource_id}
        if (request.resource_type, request.resource_id) not in seen:
            seen.add((request.resource_type, request.resource_id))
            entities.append({"uid": resource, "attrs": {}, "parents": []})
        arguments_id = ""
        if request.arguments:
            arguments_id = str(number + 1)
            entities.append(
                {
                    "uid": {"type": "Arguments", "id": arguments_id},
                    "attrs": {},
                    "parents": [],
                    "tags": dict(request.arguments),
                }
            )
        requests.append(
            {
                "principal": principal.uid(),
                "action": {"type": "Action", "id": request.action},
                "resource": resource,
                "context": {
                    **context,
                    "attributes": {"__entity": {"type": "Attributes", "id": "request"}},
                    "arguments": {"__entity": {"type": "Arguments", "id": arguments_id}},
                },
            }
        )
    results = cedarpy.is_authorized_batch(
        requests, policy.for_tenant(principal.tenant), entities, cedar_schema()
    )
    decisions = []
    for position, result in zip(batch.positions, results, strict=True):
        request = actions[position]
        reasons = [policy.rule_ids.get(reason, reason) for reason in result.diagnostics.reasons]
        allowed = bool(result.allowed)
        rule = ",".join(sorted(set(reasons))[:MAX_RULES_REPORTED]) if reasons else DEFAULT_DENY
        decisions.append(ActionDecision(request.action, request.resource, allowed, rule, request.level))
    return decisions


def verdict(version: str, decisions: list[ActionDecision], calls: int) -> Decision:
    """The request's verdict from its actions' (any action denied: the broadest level that denied)."""
    decision_id = uuid.uuid4().hex
    denied = [d for d in decisions if not d.allowed]
    if not decisions:
        return Decision(decision_id, False, version, LEVELS[0], DEFAULT_DENY, "", (), calls)
    if denied:
        first = min(denied, key=lambda d: LEVELS.index(d.level))
        return Decision(
            decision_id, False, version, first.level, first.rule, first.action, tuple(decisions), calls
        )
    last = decisions[-1]
    rules = sorted({rule for d in decisions for rule in d.rule.split(",")})[:MAX_RULES_REPORTED]
    return Decision(
        decision_id, True, version, last.level, ",".join(rules), last.action, tuple(decisions), calls
    )
