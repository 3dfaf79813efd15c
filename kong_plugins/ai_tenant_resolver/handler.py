"""``ai-tenant-resolver`` handler: reads the request, lets :mod:`.resolver` decide, writes the result to Kong.

The handler only does PDK I/O; the decision is in :mod:`.resolver` (pure). kong-pdk makes every ``kong.*``
call one round trip to Kong, so each is counted. In ``access``:

* ``kong.request.get_headers(1000)``: when a ``jwt``, ``header`` or ``api_key`` source is configured (one
  call gives every header those sources need; all of them, not Kong's default first 100 lines, so that a
  repeated or conflicting header is never cut off: 431 from 1000 lines, see
  :mod:`kong_plugins.core.request_headers`);
* ``kong.request.get_path()``: when the ``path`` source is configured;
* ``kong.client.get_consumer()``: when the ``consumer`` source is configured;
* ``kong.router.get_route()``: only while ``kong-ai emergency restrict --routes`` is in force for the tenant;
* ``kong.service.set_upstream(name)``: resolved requests, when ``region_upstreams`` is set;
* ``kong.service.request.set_headers({...})``: always; sets ``X-Tenant-ID``/``-Tier``/``-Region`` to the
  resolved values (replacing every client copy), and removes those without a value and the hidden
  credentials (an empty list removes a header in Kong, pdk/service/request.lua);
* ``kong.ctx.shared.set("ai_guard", entry)``: resolved requests (the context contract: section ``tenant``,
  and section ``kong``, the body's request headers handed on when they were read, so that ai-input-guard
  does not read them again). Never read first: no plugin of ours runs before this one in a request
  (priority 1010, no ``rewrite`` handlers), so there is nothing to keep;
* ``kong.response.set_header("X-Tenant-ID", id)``: resolved requests (tags the response);
* ``kong.response.error(status, message)``: refused requests (sent by the handler base);
* ``kong.ctx.shared.set("ai_guard", ...)`` (section ``findings``): only for a request refused by ``kong-ai
  emergency`` (isolated tenant, restricted route), so the audit log records why.

So a resolved request costs **4** round trips when the sources are any of ``jwt``/``header``/``api_key``, or
only ``path``, or only ``consumer``; **5** when header sources are combined with ``path`` or ``consumer`` (or
``path`` with ``consumer``), or when ``region_upstreams`` is set; **6** for both. A request refused by the
plugin costs its reads plus one (plus ``set_upstream`` when Kong does not know the region's upstream; plus
one for an emergency refusal's finding); a request without a tenant when ``required`` is false costs its
reads plus one (the header clean-up).

Why region routing costs 5 and not 4: a routed request has five effects, each in a different part of Kong
(the client request, the balancer's ``ngx.ctx.balancer_data``, the upstream request headers, the
``kong.ctx.shared`` table, the client response headers), and no PDK function reaches two of them
(kong/pdk/service.lua, service/request.lua, response.lua, 3.9). Each alternative weakens something:

* ``kong.service.set_target(upstream, port)`` returns nothing: a name Kong has no Upstream for would be
  resolved through DNS and the request sent wherever it points, where ``set_upstream`` answers nil (refused
  here, 503); it also overwrites the ``Host`` header sent upstream;
* ``kong.nginx.set_ctx("balancer_data", ...)`` would replace Kong's whole balancer table (retries, timeouts,
  tries) without the upstream's existence check;
* setting ``Host`` through ``set_headers`` only changes the ``Host`` header sent (``ngx.var.upstream_host``),
  not where the request goes;
* leaving out ``set_headers`` would let a client's ``X-Tenant-Tier``/``-Region`` reach the upstream, leaving
  out ``ctx.shared.set`` would break the context contract other plugins read (they would have to trust
  request headers a Lua plugin between them could change), and leaving out the response tag breaks the
  documented ``X-Tenant-ID`` response header;
* tagging the response in a later phase is no cheaper: Python plugins have no ``header_filter``, and a
  ``response`` handler costs an event round trip of its own and makes Kong buffer every response.

Kong's balancer honours ``set_upstream`` only when the service's host is a name: for an IP address
(runloop/balancer ``execute``: ``balancer_data.type ~= "name"``) it connects to the changed ``host`` as if it
were an address, so the request fails (an error status) rather than reaching the service's host.
"""

from __future__ import annotations

from typing import Any

from kong_plugins.ai_tenant_resolver.key_label import key_label
from kong_plugins.ai_tenant_resolver.resolver import EmergencyRefusal, check_route, resolve, upstream_headers
from kong_plugins.ai_tenant_resolver.schema import NAME, SCHEMA
from kong_plugins.ai_tenant_resolver.settings import TENANT_ID_HEADER, ResolverSettings, build_settings
from kong_plugins.ai_tenant_resolver.sources import API_KEY, RequestInputs
from kong_plugins.core import metrics
from kong_plugins.core.context import FINDINGS, TENANT, SharedEntry
from kong_plugins.core.errors import PluginResponseError, ServiceUnavailable
from kong_plugins.core.handler import GuardPlugin, phase
from kong_plugins.core.pdk import Pdk
from kong_plugins.core.priorities import priority_of
from kong_plugins.core.request_headers import hand_on_headers, read_request_headers
from kong_plugins.core.schema import ensure_valid_config

__all__ = ["PRIORITY", "VERSION", "Plugin"]

VERSION = "0.1.0"
MAX_FINDINGS = 64  # as ai-input-guard: the list stays bounded whatever earlier plugins wrote
PRIORITY = priority_of(NAME)


class Plugin(GuardPlugin):
    """Decides which tenant a request belongs to, validates it, and publishes it for the other plugins."""

    name = NAME
    settings: ResolverSettings

    def compile(self, config: dict[str, Any]) -> ResolverSettings:
        """Validate the config like Kong's schema, then every rule the schema cannot express."""
        return build_settings(ensure_valid_config(SCHEMA.config, config))

    @phase
    def access(self, pdk: Pdk) -> None:
        # the first of our plugins in a request: the entry starts empty (never read, nothing to keep)
        entry = SharedEntry(pdk, fresh=True)
        try:
            self._access(pdk, entry)
        except EmergencyRefusal as refusal:  # one more round trip, only for these refusals
            finding = {
                "plugin": NAME,
                "check": "emergency",
                "category": refusal.category,
                "score": 1.0,
                "action": "block",
            }
            findings = entry.get(FINDINGS)
            items = [i for i in findings if isinstance(i, dict)] if isinstance(findings, list) else []
            entry.put(FINDINGS, [*items, finding][-MAX_FINDINGS:])
            entry.write()
            raise

    def _access(self, pdk: Pdk, entry: SharedEntry) -> None:
        settings = self.settings
        sources = settings.sources
        inputs = RequestInputs(
            headers=read_request_headers(pdk) if sources.needs_headers else {},
            path=pdk.call("request.get_path") if sources.needs_path else None,
            consumer=_as_map(pdk.call("client.get_consumer")) if sources.needs_consumer else None,
        )
        try:
            resolution = resolve(settings, inputs)
        except PluginResponseError as refusal:
            if refusal.status in (401, 403) and API_KEY in sources.sources and metrics.enabled():
                # in this process, from what the handler holds: no PDK call (core/metrics.py)
                label = key_label(inputs.headers, settings.api_key_header)
                metrics.observe_auth_failure(label, refusal.status)
            raise
        if resolution is not None and resolution.restriction is not None and resolution.restriction.routes:
            check_route(resolution, pdk.call("router.get_route"))  # only while such a restriction is in force
        # Kong answers true, or nil when no Upstream has that name: never fall back to the service's host.
        if (
            resolution is not None
            and resolution.upstream is not None
            and pdk.call("service.set_upstream", resolution.upstream) is not True
        ):
            raise ServiceUnavailable(log_reason=f"Kong has no upstream named {resolution.upstream}")
        changes = upstream_headers(settings, resolution, inputs)
        pdk.call("service.request.set_headers", changes)
        if resolution is None:
            return
        if sources.needs_headers:  # read anyway: handed on (what later plugins would read after this call)
            hand_on_headers(entry, inputs.headers, changes)
        entry.put(TENANT, resolution.facts().to_shared())
        entry.write()
        pdk.call("response.set_header", TENANT_ID_HEADER, resolution.tenant.id)


def _as_map(value: Any) -> dict[str, Any]:
    """A PDK map result; Kong sends an empty table as an empty array, and nil as nothing."""
    return dict(value) if isinstance(value, dict) else {}
