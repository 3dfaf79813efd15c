"""``ai-action-authz`` handler: reads the published facts, lets Cedar decide, publishes the decision.

The decision is pure (:mod:`.actions`, :mod:`.decide`, :mod:`.policy`); this handler only does PDK I/O.
Round trips per request are tabled in README.md (ai-action-authz): an allowed request costs **3** in access
(the tenant facts, the request facts, the decision), plus one per ``context_sources`` entry, plus the body
on a route without ai-input-guard.
"""

from __future__ import annotations

import logging
from typing import Any

from kong_plugins.ai_action_authz.actions import RequestView, request_actions, request_context
from kong_plugins.ai_action_authz.decide import Decision, Principal, decide
from kong_plugins.ai_action_authz.facts import principal_facts, view_from_body, view_from_facts
from kong_plugins.ai_action_authz.schema import NAME, SCHEMA
from kong_plugins.ai_action_authz.settings import AuthzSettings, build_settings
from kong_plugins.core.context import (
    AUTHZ_KEY,
    REQUEST_KEY,
    TENANT_KEY,
    AuthzFacts,
    RequestFacts,
    TenantFacts,
)
from kong_plugins.core.errors import Forbidden, PayloadTooLarge
from kong_plugins.core.handler import GuardPlugin, phase
from kong_plugins.core.pdk import Pdk
from kong_plugins.core.priorities import priority_of
from kong_plugins.core.schema import ensure_valid_config

__all__ = ["PRIORITY", "VERSION", "Plugin"]

VERSION = "0.1.0"
PRIORITY = priority_of(NAME)
MAX_PUBLISHED_ACTIONS = 32

log = logging.getLogger("kong_plugins")


class Plugin(GuardPlugin):
    """Authorizes every action a request implies against the active Cedar policy (default deny)."""

    name = NAME
    settings: AuthzSettings

    def compile(self, config: dict[str, Any]) -> AuthzSettings:
        """Validate the config like Kong's schema, then parse and validate the policy against our schema."""
        return build_settings(ensure_valid_config(SCHEMA.config, config), route_id=self.route_id)

    @phase
    def access(self, pdk: Pdk) -> None:
        settings = self.settings
        tenant = TenantFacts.from_shared(pdk.call("ctx.shared.get", TENANT_KEY))
        view = self._request_view(pdk)
        principal = Principal(**principal_facts(tenant), consumer=self._consumer(pdk))
        policy = settings.current_policy()
        actions = request_actions(settings.route_name, view)
        decision = decide(policy, principal, actions, request_context(view), {}, settings.cache)
        pdk.call("ctx.shared.set", AUTHZ_KEY, _facts(decision).to_shared())
        if not decision.allowed:
            raise Forbidden(
                extra={"decision_id": decision.id},
                log_reason=f"decision {decision.id}: {decision.action} denied at the {decision.level} level "
                f"by {decision.rule} (policy {decision.policy_version})",
            )

    def _request_view(self, pdk: Pdk) -> RequestView:
        settings = self.settings
        facts = RequestFacts.from_shared(pdk.call("ctx.shared.get", REQUEST_KEY))
        if facts is not None and facts.format:
            view = view_from_facts(facts)
        else:
            view = view_from_body(_read_body(pdk, settings.max_body_bytes))
        method = str(pdk.call("request.get_method") or "") if settings.read_method else ""
        path = str(pdk.call("request.get_path") or "") if settings.read_path else ""
        if method or path:
            view = RequestView(**{**view.__dict__, "method": method, "path": path})
        return view

    def _consumer(self, pdk: Pdk) -> str | None:
        if not self.settings.read_consumer:
            return None
        consumer = pdk.call("client.get_consumer")
        if not isinstance(consumer, dict):
            return None
        name = consumer.get("username") or consumer.get("custom_id") or consumer.get("id")
        return name if isinstance(name, str) and name else None


def _read_body(pdk: Pdk, max_bytes: int) -> bytes:
    """The raw body, once, refusing one larger than ``max_bytes`` (never decided on a truncated body)."""
    raw = pdk.call("request.get_raw_body", max_bytes)
    if raw is None:
        raise PayloadTooLarge(log_reason=f"request body larger than max_body_bytes ({max_bytes})")
    body = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else bytes(raw)
    if len(body) > max_bytes:
        raise PayloadTooLarge(log_reason=f"request body larger than max_body_bytes ({max_bytes})")
    return body


def _facts(decision: Decision) -> AuthzFacts:
    return AuthzFacts(
        decision="allow" if decision.allowed else "deny",
        policy_version=decision.policy_version,
        action=decision.action,
        reason=decision.rule,
        decision_id=decision.id,
        level=decision.level,
        rule=decision.rule,
        actions=[d.to_shared() for d in decision.actions[:MAX_PUBLISHED_ACTIONS]],
    )
