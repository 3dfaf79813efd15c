"""The decision: from what the request carries to a validated tenant, or a refusal. Pure: no ``kong`` here.

Order of the checks (each refusal carries a generic body and a precise ``log_reason``):

1. every configured source, in order (tenant id syntax first; bad JWT/API key: 401; bad id, ambiguity: 403);
2. the sources must agree (403), and a tenant must be found when ``required`` (401);
3. the registry must know the tenant (403) and it must be active (403); Redis unreachable without a usable
   cache entry, or a corrupt record: 503;
3b. the tenant must not be isolated by ``kong-ai emergency isolate`` (403, the same generic body); a
   restriction in force travels with the resolution (its routes are checked by the handler, its limits and
   models by the plugins that read ``ai_guard.tenant``);
4. with ``region_upstreams``, the tenant's region must have an upstream (403): never routed elsewhere.

:func:`upstream_headers` says what the upstream request's gateway-owned headers become: the resolved values,
or removed (an empty list makes Kong's ``set_headers`` remove every copy a client sent).
"""

from __future__ import annotations

from dataclasses import dataclass

from kong_plugins.ai_tenant_resolver.emergency import Control
from kong_plugins.ai_tenant_resolver.registry import InvalidTenantRecord, TenantRecord
from kong_plugins.ai_tenant_resolver.settings import (
    TENANT_ID_HEADER,
    TENANT_REGION_HEADER,
    TENANT_TIER_HEADER,
    ResolverSettings,
)
from kong_plugins.ai_tenant_resolver.sources import (
    API_KEY,
    JWT,
    RequestInputs,
    bearer_token,
    choose_tenant,
)
from kong_plugins.core.context import TenantFacts
from kong_plugins.core.errors import Forbidden, RedisUnavailable, ServiceUnavailable, Unauthorized

__all__ = ["EmergencyRefusal", "Resolution", "check_route", "resolve", "upstream_headers"]

HeaderValue = str | list[str]


class EmergencyRefusal(Forbidden):
    """A 403 because of ``kong-ai emergency`` (the client gets the same generic body as any 403); the handler
    records ``category`` (``isolated``, ``route_restricted``) as a finding for the audit log."""

    def __init__(self, category: str, log_reason: str) -> None:
        super().__init__(log_reason=log_reason)
        self.category = category


@dataclass(frozen=True)
class Resolution:
    """A tenant the request may proceed as, with the source that named it and its residency upstream."""

    tenant: TenantRecord
    source: str
    upstream: str | None = None
    roles: tuple[str, ...] = ()
    restriction: Control | None = None
    """``kong-ai emergency restrict`` in force for this tenant (its deadline checked for this request)."""
    key_prefix: str | None = None
    """The API key's display prefix when the api_key source named the tenant (per-key metrics)."""

    def facts(self) -> TenantFacts:
        """What is published in ``kong.ctx.shared`` for the other plugins."""
        restriction = self.restriction
        emergency = None
        if restriction is not None:
            emergency = {"until_ms": restriction.until_ms, **restriction.terms()}
            emergency.pop("routes", None)  # enforced here, nobody else needs them
        return TenantFacts(
            id=self.tenant.id,
            source=self.source,
            tier=self.tenant.tier,
            region=self.tenant.region,
            status=self.tenant.status,
            allowed_models=list(self.tenant.allowed_models),
            upstream=self.upstream,
            roles=list(self.roles),
            emergency=emergency,
            key_prefix=self.key_prefix,
        )


def resolve(settings: ResolverSettings, inputs: RequestInputs) -> Resolution | None:
    """The request's tenant; None when there is none and it is not required. Raises PluginResponseError."""
    try:
        candidates = settings.sources.candidates(inputs)
        chosen = choose_tenant(candidates)
    except RedisUnavailable as exc:  # the API key lookup
        raise ServiceUnavailable(log_reason=f"api key lookup: {exc}") from exc
    if chosen is None:
        if settings.required:
            raise Unauthorized(log_reason="no tenant found in any configured source")
        return None
    try:
        record = settings.registry.lookup(chosen.tenant_id)
    except RedisUnavailable as exc:
        raise ServiceUnavailable(log_reason=f"tenant registry: {exc}") from exc
    except InvalidTenantRecord as exc:
        raise ServiceUnavailable(
            log_reason=f"tenant {chosen.tenant_id}: corrupt registry record ({exc})"
        ) from exc
    if record is None:
        raise Forbidden(log_reason=f"unknown tenant {chosen.tenant_id} (from {chosen.source})")
    if not record.active:
        raise Forbidden(log_reason=f"tenant {record.id} is {record.status}")
    overlay = record.emergency.in_force() if record.emergency is not None else None
    if overlay is not None and overlay.isolated:
        raise EmergencyRefusal("isolated", f"tenant {record.id} is isolated (kong-ai emergency isolate)")
    restriction = overlay.restriction if overlay is not None else None
    upstream = None
    if settings.routes_by_region:
        upstream = settings.region_upstreams.get(record.region) if record.region else None
        if upstream is None:
            raise Forbidden(
                log_reason=f"tenant {record.id}: region {record.region or '(none)'} has no upstream"
            )
    roles = next((candidate.roles for candidate in candidates if candidate.roles), ())
    # the sources agreed (choose_tenant): a key that named this tenant is the request's key
    key_prefix = next((candidate.key_prefix for candidate in candidates if candidate.key_prefix), None)
    return Resolution(record, chosen.source, upstream, roles, restriction, key_prefix)


def check_route(resolution: Resolution, route: object) -> None:
    """403 when a restriction in force limits the tenant to routes (by name or id) this one is not."""
    restriction = resolution.restriction
    if restriction is None or restriction.routes is None:
        return
    names = {route.get(key) for key in ("name", "id")} if isinstance(route, dict) else set()
    if not names.intersection(restriction.routes):
        raise EmergencyRefusal(
            "route_restricted",
            f"tenant {resolution.tenant.id} is restricted to other routes (kong-ai emergency)",
        )


def upstream_headers(
    settings: ResolverSettings, resolution: Resolution | None, inputs: RequestInputs
) -> dict[str, HeaderValue]:
    """What ``kong.service.request.set_headers`` gets: gateway headers set or removed, credentials hidden."""
    tenant = resolution.tenant if resolution else None
    headers: dict[str, HeaderValue] = {
        TENANT_ID_HEADER: tenant.id if tenant else [],
        TENANT_TIER_HEADER: (tenant.tier or []) if tenant else [],
        TENANT_REGION_HEADER: (tenant.region or []) if tenant else [],
    }
    if settings.hide_credentials and resolution is not None:
        sources = settings.sources.sources
        if API_KEY in sources:
            headers[settings.api_key_header] = []
        # Only a bearer token this plugin verified is removed: another scheme (Basic...) is not ours.
        if JWT in sources and bearer_token(inputs.headers, settings.jwt_header) is not None:
            headers[settings.jwt_header] = []
    return headers
