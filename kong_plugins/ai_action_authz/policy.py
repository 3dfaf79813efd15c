"""A Cedar policy set compiled once per version: validated, parsed, and sliced per tenant.

Evaluation in Cedar is linear in the policy set, so a request is decided against the *slice* that can apply
to its tenant: every policy whose principal scope does not name a tenant, plus those scoped to
``principal in Tenant::"<this tenant>"`` (or ``==``). That is exact, not a heuristic: a policy scoped to
another tenant can never match, because our principal is that tenant or a consumer whose only tenant parent
is it (entity_model). Slices are built when the version is compiled, so a request never parses policy text.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import cedarpy

from kong_plugins.ai_action_authz.entity_model import CEDAR_SCHEMA

__all__ = ["MAX_POLICY_BYTES", "CompiledPolicy", "PolicyError", "cedar_schema", "compile_policy"]

MAX_POLICY_BYTES = 4 * 1024 * 1024
MAX_POLICIES = 20_000
MAX_ERRORS = 20
_SCHEMA: cedarpy.Schema | None = None


class PolicyError(ValueError):
    """Policy text that does not parse or does not validate against our schema; ``errors`` says where."""

    def __init__(self, message: str, errors: list[str] | None = None) -> None:
        self.errors = errors or []
        detail = "; ".join(self.errors[:MAX_ERRORS])
        super().__init__(f"{message}: {detail}" if detail else message)


def cedar_schema() -> cedarpy.Schema:
    """Our Cedar schema, parsed once per process."""
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = cedarpy.Schema.from_str(CEDAR_SCHEMA)
    return _SCHEMA


@dataclass(frozen=True)
class CompiledPolicy:
    """One immutable policy version, ready to decide."""

    version: str
    text: str
    rule_ids: dict[str, str]  # Cedar policy id (policy0...) -> @id annotation, else the Cedar id
    global_set: cedarpy.PolicySet
    tenant_sets: dict[str, cedarpy.PolicySet] = field(default_factory=dict)
    policy_count: int = 0
    slice_sizes: dict[str, int] = field(default_factory=dict)  # "" -> the shared slice

    def for_tenant(self, tenant: str) -> cedarpy.PolicySet:
        """The slice of the policy set that can apply to ``tenant``."""
        return self.tenant_sets.get(tenant, self.global_set)

    def slice_size(self, tenant: str) -> int:
        return self.slice_sizes.get(tenant, self.slice_sizes.get("", 0))


def text_version(text: str, prefix: str = "inline") -> str:
    """A content-derived version label: the same text always has the same version."""
    return f"{prefix}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}"


def compile_policy(text: str, version: str | None = None) -> CompiledPolicy:
    """Validate ``text`` against our schema and build its per-tenant slices; PolicyError if invalid."""
    if len(text.encode("utf-8")) > MAX_POLICY_BYTES:
        raise PolicyError(f"policy text is larger than {MAX_POLICY_BYTES} bytes")
    try:
        as_json = json.loads(cedarpy.policies_to_json_str(text))
    except ValueError as exc:
        raise PolicyError("policy does not parse", [_one_line(str(exc))]) from None
    if as_json.get("templates") or as_json.get("templateLinks"):
        raise PolicyError("policy templates (?principal/?resource slots) are not supported")
    static: dict[str, Any] = as_json.get("staticPolicies") or {}
    if len(static) > MAX_POLICIES:
        raise PolicyError(f"more than {MAX_POLICIES} policies")
    result = cedarpy.validate_policies(text, cedar_schema())
    if not result.validation_passed:
        raise PolicyError(
            "policy does not validate against the schema", [_one_line(str(e)) for e in result.errors]
        )
    rule_ids: dict[str, str] = {}
    shared: dict[str, Any] = {}
    by_tenant: dict[str, dict[str, Any]] = {}
    for policy_id, policy in static.items():
        annotations = policy.get("annotations") or {}
        label = annotations.get("id")
        rule_ids[policy_id] = label if isinstance(label, str) and label else policy_id
        tenant = _scoped_tenant(policy.get("principal") or {})
        if tenant is None:
            shared[policy_id] = policy
        else:
            by_tenant.setdefault(tenant, {})[policy_id] = policy
    return CompiledPolicy(
        version=version or text_version(text),
        text=text,
        rule_ids=rule_ids,
        global_set=_policy_set(shared),
        tenant_sets={tenant: _policy_set({**shared, **own}) for tenant, own in by_tenant.items()},
        policy_count=len(static),
        slice_sizes={"": len(shared), **{t: len(shared) + len(own) for t, own in by_tenant.items()}},
    )


def _scoped_tenant(scope: dict[str, Any]) -> str | None:
    """The tenant a principal scope is limited to (``in``/``==`` ``Tenant::"x"``), else None."""
    op = scope.get("op")
    entity = scope.get("entity")
    if op == "is" and isinstance(scope.get("in"), dict):
        entity = scope["in"].get("entity")
        op = "in"
    if op in ("in", "==") and isinstance(entity, dict) and entity.get("type") == "Tenant":
        tenant = entity.get("id")
        return tenant if isinstance(tenant, str) else None
    return None


def _policy_set(policies: dict[str, Any]) -> cedarpy.PolicySet:
    document = {"staticPolicies": policies, "templates": {}, "templateLinks": []}
    return cedarpy.PolicySet.from_json_str(json.dumps(document))


def _one_line(text: str) -> str:
    return " ".join(text.split())[:500]
