"""Turning a validated ``ai-action-authz`` config into what requests use: built once per plugin instance.

The inline policy is parsed, validated against our Cedar schema and sliced per tenant here, so a bad
policy fails the instance when it starts (Kong then answers 500 for its requests: fail closed) and no request
ever parses policy text. This module never touches ``kong``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kong_plugins.ai_action_authz.attributes import AttributeRule, AttributeRuleError, compile_rules
from kong_plugins.ai_action_authz.decide import ActionRequest, Decision, DecisionCache, Principal, decide
from kong_plugins.ai_action_authz.opa import OpaClient, OpaSettings
from kong_plugins.ai_action_authz.policy import PolicyError, compile_policy
from kong_plugins.ai_action_authz.source import FixedPolicy, PolicySource, RedisPolicySource
from kong_plugins.ai_action_authz.store import DEFAULT_NAMESPACE, PolicyStore
from kong_plugins.core.errors import ConfigError
from kong_plugins.core.redis import RedisClient, RedisConfig, connect

__all__ = ["AuthzSettings", "build_settings"]

ANY_ROUTE = "*"


@dataclass(frozen=True)
class AuthzSettings:
    """Everything a request needs, compiled once per plugin configuration and shared by all threads."""

    source: PolicySource | None  # None with policy_source opa
    route_name: str
    read_method: bool
    read_path: bool
    read_consumer: bool
    roles_from_groups: bool
    max_body_bytes: int
    cache: DecisionCache
    strip: bool = False
    max_response_bytes: int = 8388608
    attributes: tuple[AttributeRule, ...] = ()
    mcp: bool = False

    opa: OpaClient | None = None

    def decide(
        self,
        principal: Principal,
        actions: list[ActionRequest],
        context: dict[str, Any],
        attributes: dict[str, str],
    ) -> Decision:
        """All of a request's actions, decided by Cedar (the tenant's policy version) or by OPA."""
        if self.opa is not None:
            return self.opa.decide(principal, actions, context, attributes)
        assert self.source is not None
        policy = self.source.policy_for(principal.tenant)
        return decide(policy, principal, actions, context, attributes, self.cache)

    @property
    def body_attributes(self) -> bool:
        return any(rule.source == "body" for rule in self.attributes)

    @property
    def header_attributes(self) -> bool:
        return any(rule.source == "header" for rule in self.attributes)

    @property
    def query_attributes(self) -> bool:
        return any(rule.source == "query" for rule in self.attributes)

    @property
    def path_attributes(self) -> bool:
        return any(rule.source == "path" for rule in self.attributes)


def build_settings(
    config: Mapping[str, Any],
    route_id: str | None = None,
    *,
    redis_connect: Callable[[RedisConfig], RedisClient] = connect,
) -> AuthzSettings:
    """Compile a config already validated by the schema (defaults filled); raises :class:`ConfigError`.

    With ``policy_source: redis`` nothing is read here (starting an instance must not depend on Redis being
    up): the first request loads the active version.
    """
    sources = set(config.get("context_sources") or [])
    try:
        attributes = compile_rules(list(config.get("attributes") or []))
    except AttributeRuleError as exc:
        raise ConfigError(str(exc), {"config." + str(exc).split(":")[0]: str(exc)}) from None
    opa = _opa(config) if config.get("policy_source") == "opa" else None
    return AuthzSettings(
        source=None if opa is not None else _source(config, redis_connect),
        opa=opa,
        route_name=str(config.get("route_name") or route_id or ANY_ROUTE),
        read_method="method" in sources,
        read_path="path" in sources,
        read_consumer="consumer" in sources,
        roles_from_groups=config.get("roles_from_consumer_groups") is True,
        max_body_bytes=int(config.get("max_body_bytes") or 1048576),
        cache=DecisionCache(int(config.get("cache_size", 10000))),
        strip=config.get("on_violation") == "strip",
        max_response_bytes=int(config.get("max_response_bytes") or 8388608),
        attributes=attributes,
        mcp=config.get("mcp") is True,
    )


def _source(config: Mapping[str, Any], redis_connect: Callable[[RedisConfig], RedisClient]) -> PolicySource:
    if config.get("policy_source") == "redis":
        redis_config = RedisConfig.from_config(config.get("redis"))
        namespace = str(config.get("namespace") or DEFAULT_NAMESPACE)

        def store() -> PolicyStore:
            return PolicyStore(redis_connect(redis_config), namespace)

        return RedisPolicySource(store, float(config.get("poll_interval", 5)))
    text = config.get("policy")
    if not isinstance(text, str) or not text:
        raise ConfigError("a policy is required", {"config.policy": "required field missing"})
    try:
        return FixedPolicy(compile_policy(text))
    except PolicyError as exc:
        raise ConfigError(f"invalid policy: {exc}", {"config.policy": str(exc)}) from None


def _opa(config: Mapping[str, Any]) -> OpaClient:
    opa = config.get("opa") or {}
    if not opa.get("url"):
        raise ConfigError("policy_source 'opa' needs opa.url", {"config.opa.url": "required field missing"})
    return OpaClient(
        OpaSettings(
            url=str(opa["url"]),
            path=str(opa.get("path") or "kong/ai/authz"),
            timeout_s=int(opa.get("timeout") or 500) / 1000,
            cache_ttl_s=float(opa.get("cache_ttl", 5)),
            cache_size=int(config.get("cache_size", 10000)),
            fail_open=opa.get("fail_open") is True,
        )
    )
