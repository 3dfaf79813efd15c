"""Turning a validated ``ai-tenant-resolver`` config into what requests use: built once per plugin instance.

``build_settings`` runs every check the schema cannot express and compiles everything a request needs: JWT
keys parsed and pinned to their algorithms, the path pattern compiled with RE2 (linear time), tenant records
validated, the Redis settings read. Errors are collected and raised together as one
:class:`ConfigError` whose ``fields`` use Kong's dotted paths (``config.jwt.keys.1.key``), so a bad config is
refused when the instance starts, never discovered by a request. This module never touches ``kong``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kong_plugins.ai_tenant_resolver.api_keys import ApiKeyStore
from kong_plugins.ai_tenant_resolver.jwt_verify import (
    JwtKey,
    JwtVerifier,
    KeyMaterialError,
    load_key,
    parse_claim_path,
)
from kong_plugins.ai_tenant_resolver.path_pattern import PathPattern, UnsafePattern, compile_path_pattern
from kong_plugins.ai_tenant_resolver.registry import (
    LABEL_REGEX,
    EmbeddedRegistry,
    EmergencyOverlays,
    InvalidTenantRecord,
    RedisRegistry,
    TenantRecord,
    TenantRegistry,
)
from kong_plugins.ai_tenant_resolver.sources import API_KEY, JWT, PATH, TenantSources
from kong_plugins.core.errors import ConfigError
from kong_plugins.core.redis import RedisClient, RedisConfig, connect

__all__ = ["GATEWAY_HEADERS", "ResolverSettings", "build_settings"]

TENANT_ID_HEADER = "X-Tenant-ID"
TENANT_TIER_HEADER = "X-Tenant-Tier"
TENANT_REGION_HEADER = "X-Tenant-Region"
GATEWAY_HEADERS = (TENANT_ID_HEADER, TENANT_TIER_HEADER, TENANT_REGION_HEADER)
"""Headers the gateway owns: the upstream only ever receives the values this plugin resolved."""

_LABEL = re.compile(LABEL_REGEX, re.ASCII)
_UPSTREAM_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}", re.ASCII)


@dataclass(frozen=True)
class ResolverSettings:
    """Everything a request needs, compiled once per plugin configuration and shared by all threads."""

    sources: TenantSources
    registry: TenantRegistry
    required: bool
    hide_credentials: bool
    region_upstreams: Mapping[str, str]
    jwt_header: str
    api_key_header: str

    @property
    def routes_by_region(self) -> bool:
        return bool(self.region_upstreams)


class _Errors:
    """Collects ``config.<path>`` errors so that one ConfigError reports all of them."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def add(self, path: str, message: str) -> None:
        self.fields.setdefault(f"config.{path}", message)

    def raise_if_any(self) -> None:
        if self.fields:
            details = "; ".join(f"{path}: {message}" for path, message in self.fields.items())
            raise ConfigError(f"invalid ai-tenant-resolver configuration: {details}", dict(self.fields))


def build_settings(
    config: Mapping[str, Any], *, redis_connect: Callable[[RedisConfig], RedisClient] = connect
) -> ResolverSettings:
    """Compile a config already validated by the schema (defaults filled); raises :class:`ConfigError`.

    ``redis_connect`` is called lazily, on the first request that needs Redis, never here: starting an
    instance must not depend on Redis being up.
    """
    errors = _Errors()
    sources = list(config.get("sources") or [])
    emergency = config.get("emergency_controls") or "auto"
    redis_registry = config.get("registry") == "redis"
    overlay_on_config = emergency == "on" and not redis_registry
    uses_redis = API_KEY in sources or redis_registry or overlay_on_config

    redis_config: RedisConfig | None = None
    if uses_redis:
        try:
            redis_config = RedisConfig.from_config(config.get("redis"))
        except ConfigError as exc:
            for path, message in exc.fields.items():
                errors.fields.setdefault(path, str(message))
    namespace = str(config.get("namespace") or "ai-tenant-resolver")

    def client() -> RedisClient:
        assert redis_config is not None
        return redis_connect(redis_config)

    verifier = _jwt_verifier(config.get("jwt") or {}, errors) if JWT in sources else None
    pattern = _path_pattern(config.get("path_pattern"), errors) if PATH in sources else None
    registry = _registry(config, errors, client, namespace)
    if overlay_on_config:
        registry = EmergencyOverlays(
            registry,
            client,
            namespace=namespace,
            cache_ttl=_number(config, "cache_ttl", 5),
            cache_size=int(_number(config, "cache_size", 10000)),
            stale_if_error=_number(config, "stale_if_error", 60),
        )
    region_upstreams = _region_upstreams(config.get("region_upstreams"), errors)
    _check_header_names(config, errors)
    errors.raise_if_any()

    api_key_lookup = None
    if API_KEY in sources:

        def api_key_lookup(key: str) -> str | None:
            match = ApiKeyStore(client(), namespace).lookup(key)
            return None if match is None else match.tenant_id

    jwt_config = config.get("jwt") or {}
    tenant_sources = TenantSources(
        sources,
        header_name=str(config.get("header_name") or TENANT_ID_HEADER),
        path_pattern=pattern,
        consumer_by=str(config.get("consumer_by") or "custom_id"),
        jwt_verifier=verifier,
        jwt_header=str(jwt_config.get("header_name") or "Authorization"),
        api_key_header=str(config.get("api_key_header") or "X-API-Key"),
        api_key_lookup=api_key_lookup,
    )
    return ResolverSettings(
        sources=tenant_sources,
        registry=registry,
        required=bool(config.get("required", True)),
        hide_credentials=bool(config.get("hide_credentials", True)),
        region_upstreams=region_upstreams,
        jwt_header=tenant_sources.jwt_header,
        api_key_header=tenant_sources.api_key_header,
    )


def _jwt_verifier(jwt_config: Mapping[str, Any], errors: _Errors) -> JwtVerifier | None:
    algorithms = [str(alg) for alg in jwt_config.get("algorithms") or []]
    keys: list[JwtKey] = []
    seen: set[str] = set()
    entries = jwt_config.get("keys") or []
    if not entries:
        errors.add("jwt.keys", "the jwt source needs at least one key in jwt.keys")
    for index, entry in enumerate(entries, start=1):
        kid, algorithm = entry.get("kid"), entry.get("algorithm")
        if kid in seen:
            errors.add(f"jwt.keys.{index}.kid", "this kid is already used by another key")
            continue
        seen.add(kid)
        if algorithm not in algorithms:
            errors.add(f"jwt.keys.{index}.algorithm", "not listed in jwt.algorithms")
            continue
        try:
            keys.append(load_key(kid, algorithm, entry.get("key")))
        except KeyMaterialError as exc:
            errors.add(f"jwt.keys.{index}.key", str(exc))
    try:
        claim_path = parse_claim_path(jwt_config.get("claim") or "tenant_id")
    except ValueError as exc:
        errors.add("jwt.claim", str(exc))
        return None
    roles_path = None
    if jwt_config.get("roles_claim"):
        try:
            roles_path = parse_claim_path(jwt_config["roles_claim"])
        except ValueError as exc:
            errors.add("jwt.roles_claim", str(exc))
    if errors.fields:
        return None
    return JwtVerifier(
        keys,
        algorithms=algorithms,
        claim_path=claim_path,
        roles_path=roles_path,
        issuer=jwt_config.get("issuer"),
        audience=jwt_config.get("audience"),
        leeway=int(jwt_config.get("leeway") or 0),
        required_claims=list(jwt_config.get("required_claims") or []),
        max_token_bytes=int(jwt_config.get("max_token_bytes") or 8192),
    )


def _path_pattern(pattern: Any, errors: _Errors) -> PathPattern | None:
    try:
        return compile_path_pattern(pattern)
    except UnsafePattern as exc:
        errors.add("path_pattern", str(exc))
        return None


def _registry(
    config: Mapping[str, Any], errors: _Errors, client: Callable[[], RedisClient], namespace: str
) -> TenantRegistry:
    entries = config.get("tenants") or []
    if config.get("registry") == "redis":
        if entries:
            errors.add("tenants", "tenants are listed in the config only when registry is 'config'")
        return RedisRegistry(
            client,
            namespace=namespace,
            cache_ttl=_number(config, "cache_ttl", 5),
            negative_cache_ttl=_number(config, "negative_cache_ttl", 5),
            cache_size=int(_number(config, "cache_size", 10000)),
            stale_if_error=_number(config, "stale_if_error", 60),
            emergency=config.get("emergency_controls") != "off",
        )
    records: list[TenantRecord] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        try:
            record = TenantRecord.from_mapping(entry)
        except InvalidTenantRecord as exc:
            errors.add(f"tenants.{index}.{exc.field}".rstrip("."), exc.message)
            continue
        if record.id in seen:
            errors.add(f"tenants.{index}.id", "this tenant id is listed twice")
            continue
        seen.add(record.id)
        records.append(record)
    return EmbeddedRegistry(records)


def _number(config: Mapping[str, Any], name: str, default: float) -> float:
    value = config.get(name)
    return float(default if value is None else value)


def _region_upstreams(value: Any, errors: _Errors) -> dict[str, str]:
    if not value:
        return {}
    result: dict[str, str] = {}
    for region, upstream in dict(value).items():
        if not isinstance(region, str) or not _LABEL.fullmatch(region):
            errors.add("region_upstreams", f"regions must match {LABEL_REGEX}")
        elif not isinstance(upstream, str) or not _UPSTREAM_NAME.fullmatch(upstream):
            errors.add(f"region_upstreams.{region}", "expected the name of a Kong Upstream (a host name)")
        else:
            result[region] = upstream
    return result


def _check_header_names(config: Mapping[str, Any], errors: _Errors) -> None:
    """The request headers sources read must differ from each other and from the headers the gateway sets
    (``header_name`` may be ``X-Tenant-ID``: the client's value is then checked, and replaced upstream)."""
    gateway = {name.lower() for name in GATEWAY_HEADERS}
    seen: dict[str, str] = {}
    for path, name in (
        ("header_name", config.get("header_name")),
        ("api_key_header", config.get("api_key_header")),
        ("jwt.header_name", (config.get("jwt") or {}).get("header_name")),
    ):
        if not isinstance(name, str):
            continue
        lowered = name.lower()
        allowed = {TENANT_ID_HEADER.lower()} if path == "header_name" else set()
        if lowered in gateway - allowed:
            errors.add(path, "this header is set by the gateway and cannot carry a tenant or credential")
        elif lowered in seen:
            errors.add(path, f"the same header as {seen[lowered]}")
        seen.setdefault(lowered, f"config.{path}")
