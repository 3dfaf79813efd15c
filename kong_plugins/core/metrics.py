"""Prometheus metrics of the plugin server: what our plugins decided, per tenant, and what it cost to decide.

Kong's own Prometheus plugin cannot see inside external plugins, so ``kong-ai-pluginserver
--metrics-listen HOST:PORT`` serves these itself (docs/observability/README.md lists every metric).

Why it is shaped this way:

* **Off by default, one bool when off.** Nothing is recorded until :func:`enable` runs (the server calls it
  for ``--metrics-listen``/``--metrics-dir``); every ``observe_*`` starts with ``if _state is None: return``.
  prometheus-client is imported only then, so a process without metrics never loads it.
* **No new PDK calls.** Facts come from what plugins already hold: the ``@phase`` decorator's clock and its
  PDK call counter (core/handler.py), the Redis choke point (core/redis.py ``redis_errors``), the audit
  record that ai-audit-log builds in ``log`` from ``kong.ctx.shared`` and ``kong.log.serialize()``
  (:func:`observe_request`), and the audit writer thread (:func:`set_audit_sink`). Request, token, cost and
  decision counts therefore exist for routes that have ``ai-audit-log``.
* **One scrape for every plugin-server process** (Kong 3.9 starts one per ``pluginserver_names`` entry that
  has a ``start_cmd``): with a metrics directory, prometheus-client's multiprocess mode keeps each process's
  values in memory-mapped files there, and the process that listens sums them at scrape time. Every process
  of one Kong node must get the same ``--metrics-dir``; the first process of a node to start empties it
  of the previous run's files, a process Kong restarts while the others run keeps them
  (core/metrics_dir.py).
* **Bounded labels.** Tenants, routes and models are label values only for the first ``max_tenants`` /
  ``max_routes`` / ``max_models`` distinct values a process sees; later ones are counted under ``other``.
  Tenant ids are syntax-checked by ai-tenant-resolver (never a key or token). Client addresses and API keys
  never appear; the security counters use a keyed hash of the client's network (``/24``, ``/48``) folded
  into ``ip_buckets`` buckets. No payload, header value or prompt is ever a label.
"""

from __future__ import annotations

import atexit
import hashlib
import math
import os
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kong_plugins.core import metrics_dir
from kong_plugins.core.simhash import HashWindow

__all__ = [
    "OTHER",
    "MetricsSettings",
    "enable",
    "enabled",
    "exposition",
    "observe_auth_failure",
    "observe_phase",
    "observe_redis",
    "observe_request",
    "serve",
    "set_audit_sink",
]

OTHER = "other"
NONE = "none"
PREFIX = "kong_ai"
PHASE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
REDIS_BUCKETS = (0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
PDK_BUCKETS = (0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50)
MAX_LABEL_CHARS = 64
PROMPT_WINDOW = 256
"""Prompts per tenant a new one is compared with (near-duplicates: core/simhash.py)."""
REFUSED_WINDOW = 64
"""Refused prompts per tenant a new one is compared with (refusal-then-retry)."""
KEY_PREFIX_SHAPE = re.compile(r"kag_[A-Za-z0-9_-]{4}", re.ASCII)
"""An API key's display prefix as ai-tenant-resolver publishes it (api_keys.DISPLAY_PREFIX_LENGTH): anything
else never becomes a label."""


@dataclass(frozen=True)
class MetricsSettings:
    """How many distinct values a label may take per process before the rest fold into ``other``."""

    max_tenants: int = 100
    max_routes: int = 100
    max_models: int = 50
    max_keys: int = 100
    ip_buckets: int = 64
    directory: str | None = None


class _Fold:
    """The first ``limit`` distinct values keep their name; later ones become ``other``. Thread-safe."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.seen: set[str] = set()
        self.lock = threading.Lock()

    def __call__(self, value: Any) -> str:
        if not isinstance(value, str) or not value:
            return NONE
        value = value[:MAX_LABEL_CHARS]
        if value in self.seen:
            return value
        with self.lock:
            if value in self.seen:
                return value
            if len(self.seen) >= self.limit:
                return OTHER
            self.seen.add(value)
            return value


@dataclass
class _State:
    settings: MetricsSettings
    registry: Any
    tenants: _Fold
    routes: _Fold
    models: _Fold
    keys: _Fold
    salt: bytes
    # keys that named a tenant (probing counts): a fold of their own, so that refused keys (anyone can
    # present thousands of well-formed ones) cannot push every real key of a later probe into `other`
    resolved_keys: _Fold = field(default_factory=lambda: _Fold(0))
    lease: Any = None  # metrics_dir.Lease: this process's hold on the multiprocess directory
    m: dict[str, Any] = field(default_factory=dict)
    children: dict[tuple[str, ...], Any] = field(default_factory=dict)


_state: _State | None = None
_enable_lock = threading.Lock()


def enabled() -> bool:
    return _state is not None


def enable(settings: MetricsSettings | None = None) -> bool:
    """Start recording (idempotent). With ``settings.directory``, in multiprocess mode: must run before
    anything else imports prometheus_client, which reads ``PROMETHEUS_MULTIPROC_DIR`` when imported.

    The directory is emptied of a previous run's files when no other live process uses it
    (core/metrics_dir.py; raises :class:`~kong_plugins.core.metrics_dir.ForeignDirectory` for a directory
    that is not ours).
    Returns True when this call emptied it."""
    global _state
    settings = settings or MetricsSettings()
    with _enable_lock:
        if _state is not None:
            return False
        lease = None
        if settings.directory:
            lease = metrics_dir.prepare(settings.directory)
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = settings.directory
        import prometheus_client as prom
        from prometheus_client import values

        # in case prometheus_client was imported before the directory was known
        values.ValueClass = values.get_value_class()
        registry = prom.CollectorRegistry(auto_describe=True)
        state = _State(
            settings,
            registry,
            _Fold(settings.max_tenants),
            _Fold(settings.max_routes),
            _Fold(settings.max_models),
            _Fold(settings.max_keys),
            # the IP buckets' key: the same in every process of a node that shares the directory
            salt=hashlib.sha256(("kong-ai-metrics:" + (settings.directory or "")).encode()).digest(),
            lease=lease,
            resolved_keys=_Fold(settings.max_keys),
        )
        _define(state, prom)
        if settings.directory:
            from prometheus_client import multiprocess

            pid = os.getpid()
            atexit.register(lambda: multiprocess.mark_process_dead(pid))
        _state = state
        return lease is not None and lease.emptied


def _define(state: _State, prom: Any) -> None:
    """Every metric; docs/observability/README.md describes them (a test checks both lists agree)."""
    reg = state.registry
    m = state.m

    def counter(name: str, doc: str, labels: Iterable[str]) -> None:
        m[name] = prom.Counter(f"{PREFIX}_{name}", doc, list(labels), registry=reg)

    def histogram(name: str, doc: str, labels: Iterable[str], buckets: tuple[float, ...]) -> None:
        m[name] = prom.Histogram(f"{PREFIX}_{name}", doc, list(labels), buckets=buckets, registry=reg)

    def gauge(name: str, doc: str, labels: Iterable[str], mode: str) -> None:
        m[name] = prom.Gauge(f"{PREFIX}_{name}", doc, list(labels), registry=reg, multiprocess_mode=mode)

    counter(
        "requests", "Requests seen by ai-audit-log, by outcome", ("tenant", "route", "decision", "status")
    )
    counter("tokens", "Tokens settled by the token limiter", ("tenant", "model", "kind"))
    counter("cost_usd", "Cost settled by the token limiter (USD)", ("tenant", "model"))
    counter("limiter_outcomes", "Token limiter outcomes", ("tenant", "outcome"))
    gauge(
        "budget_remaining_ratio",
        "Remaining/limit of each limit the limiter reported on the tenant's last answer",
        ("tenant", "limit"),
        "mostrecent",
    )
    counter("authz_denials", "ai-action-authz denials by level", ("tenant", "level"))
    counter(
        "input_findings", "ai-input-guard findings by category and action", ("tenant", "category", "action")
    )
    counter("redactions", "Spans redacted by detector", ("tenant", "detector", "direction"))
    counter("auth_failures", "401/403 answers by tenant", ("tenant", "status"))
    counter("auth_failures_by_source", "401/403 answers by hashed client network bucket", ("ip_bucket",))
    counter("rate_limited", "429 answers by tenant", ("tenant",))
    counter(
        "refusals", "Model answers ai-output-redactor blocked, and 4xx refusals of the chain", ("tenant",)
    )
    counter(
        "retry_after_refusal",
        f"Requests whose prompt is a near-duplicate of one of the tenant's last {REFUSED_WINDOW} refusals",
        ("tenant",),
    )
    counter(
        "repeated_prompts", "Requests whose body hash the tenant sent in its last 1024 requests", ("tenant",)
    )
    counter(
        "near_duplicate_prompts",
        f"Requests whose prompt is a near-duplicate of one of the tenant's last {PROMPT_WINDOW} prompts",
        ("tenant",),
    )
    counter(
        "prompts_by_key",
        "Requests with a hashed prompt by API key (display prefix): the per-key near-duplicate base",
        ("key",),
    )
    counter(
        "near_duplicate_prompts_by_key",
        f"Requests whose prompt is a near-duplicate of one of the API key's last {PROMPT_WINDOW} prompts",
        ("key",),
    )
    counter(
        "retry_after_refusal_by_key",
        f"Requests whose prompt is a near-duplicate of one of the API key's last {REFUSED_WINDOW} refusals",
        ("key",),
    )
    counter(
        "auth_failures_by_key",
        "401/403 answers of ai-tenant-resolver by API key (display prefix, never the key)",
        ("key", "status"),
    )
    histogram("phase_seconds", "Handler time per plugin and phase", ("plugin", "phase"), PHASE_BUCKETS)
    histogram("pdk_calls", "PDK round trips per plugin phase", ("plugin", "phase"), PDK_BUCKETS)
    histogram("redis_seconds", "Redis operation latency", ("operation",), REDIS_BUCKETS)
    counter("redis_errors", "Redis operations that failed (unreachable, timeout)", ("operation",))
    gauge("audit_backlog", "Records queued for an audit sink", ("sink",), "livesum")
    gauge("audit_spill_bytes", "Bytes in an audit sink's spill file, not yet replayed", ("sink",), "livesum")
    counter("audit_spilled", "Records an audit sink spilled to disk", ("sink",))


def exposition() -> bytes:
    """The text exposition of every process (multiprocess mode) or of this one."""
    state = _state
    if state is None:
        return b""
    import prometheus_client as prom

    return prom.generate_latest(_scrape_registry(state))


def _scrape_registry(state: _State) -> Any:
    if not state.settings.directory:
        return state.registry
    import prometheus_client as prom
    from prometheus_client import multiprocess

    registry = prom.CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=state.settings.directory)
    return registry


def serve(host: str, port: int) -> tuple[Any, Any]:
    """Serve ``/metrics`` on ``host:port`` from a daemon thread; returns (server, thread)."""
    state = _state
    if state is None:
        raise RuntimeError("metrics are not enabled")
    import prometheus_client as prom

    return prom.start_http_server(port, addr=host, registry=_scrape_registry(state))


# -- recording ----------------------------------------------------------------------------------------------


def _child(state: _State, name: str, *labels: str) -> Any:
    """``metric.labels(*labels)``, cached: prometheus-client checks and looks labels up on every call, and
    the label sets are bounded (folded tenants, routes and models; names from configuration)."""
    key = (name, *labels)
    child = state.children.get(key)
    if child is None:
        child = state.children[key] = state.m[name].labels(*labels)
    return child


def observe_phase(plugin: str, phase: str, seconds: float, pdk_calls: int) -> None:
    """One handler run (called by core/handler.py ``@phase``)."""
    state = _state
    if state is None:
        return
    _child(state, "phase_seconds", plugin, phase).observe(seconds)
    _child(state, "pdk_calls", plugin, phase).observe(pdk_calls)


def observe_redis(operation: str, seconds: float, failed: bool) -> None:
    """One Redis operation (called by core/redis.py ``redis_errors``)."""
    state = _state
    if state is None:
        return
    operation = operation[:MAX_LABEL_CHARS]
    _child(state, "redis_seconds", operation).observe(seconds)
    if failed:
        _child(state, "redis_errors", operation).inc()


def observe_limiter_queued(tenant: str | None) -> None:
    """A request that waited in ai-token-limiter's queue (then admitted or refused: counted again then)."""
    state = _state
    if state is None:
        return
    _child(state, "limiter_outcomes", state.tenants(tenant), "queued").inc()


def set_audit_sink(sink: str, backlog: int, spill_bytes: int, spilled: int = 0) -> None:
    """An audit writer's queue length and unreplayed spill (called by its thread, off the request path)."""
    state = _state
    if state is None:
        return
    _child(state, "audit_backlog", sink).set(backlog)
    _child(state, "audit_spill_bytes", sink).set(spill_bytes)
    if spilled:
        _child(state, "audit_spilled", sink).inc(spilled)


_AUTH_STATUSES = frozenset({401, 403})
_INVALID_STATUSES = frozenset({400, 404, 405, 411, 413, 415, 422})
_REFUSED = frozenset({"forbidden", "invalid", "refused"})
_recent_prompts: dict[str, dict[str, None]] = {}
_RECENT_PROMPTS = 1024
# per folded tenant (so at most max_tenants + 2 of each): the SimHashes of its latest prompts and refusals
_similar_prompts: dict[str, HashWindow] = {}
_refused_prompts: dict[str, HashWindow] = {}
# the same per folded API key display prefix (at most max_keys + 1 of each)
_similar_by_key: dict[str, HashWindow] = {}
_refused_by_key: dict[str, HashWindow] = {}
_recent_lock = threading.Lock()


def decision_of(status: int | None, source: str | None) -> str:
    """What the chain decided, from the answer's status and who gave it (Kong = one of our plugins)."""
    if status is None:
        return "unknown"
    if source != "kong":
        if status < 400:
            return "allowed"
        return "upstream_error" if status >= 500 else "upstream_refused"
    if status == 429:
        return "rate_limited"
    if status == 401:
        return "unauthenticated"
    if status == 403:
        return "forbidden"
    if status in _INVALID_STATUSES:
        return "invalid"
    if status >= 500:
        return "error"
    return "allowed" if status < 400 else "refused"


def observe_request(
    record: Mapping[str, Any],
    response_headers: Any = None,
    prompt_simhash: int | None = None,
    key_prefix: str | None = None,
) -> None:
    """Count one request from its audit record (ai-audit-log's ``log`` phase; no PDK call of its own).
    ``prompt_simhash``: ai-input-guard's SimHash of the prompt (core/simhash.py), kept out of the record;
    ``key_prefix``: the display prefix of the API key that named the tenant (ai-tenant-resolver's section)."""
    state = _state
    if state is None:
        return
    tenant = state.tenants(record.get("tenant"))
    route_entity = record.get("route")
    route = state.routes(
        (route_entity.get("name") or route_entity.get("id")) if isinstance(route_entity, Mapping) else None
    )
    status = record.get("status") if isinstance(record.get("status"), int) else None
    source = record.get("response_source")
    decision = decision_of(status, source)
    _child(state, "requests", tenant, route, decision, str(status) if status else NONE).inc()

    model = state.models(record.get("model_answered") or record.get("model_requested"))
    usage = record.get("usage")
    if isinstance(usage, Mapping):
        for kind in ("prompt", "completion"):
            tokens = _positive(usage.get(f"{kind}_tokens"))
            if tokens:
                _child(state, "tokens", tenant, model, kind).inc(tokens)
        cost = _positive(usage.get("cost_usd"))
        if cost:
            _child(state, "cost_usd", tenant, model).inc(cost)
    limiter = record.get("limiter")
    if isinstance(limiter, Mapping):
        outcome = "limited" if limiter.get("outcome") == "refused" else "allowed"
        if outcome == "allowed" and isinstance(usage, Mapping) and usage.get("degraded") is True:
            outcome = "fail_open"
        _child(state, "limiter_outcomes", tenant, outcome).inc()
        for name, ratio in _budget_ratios(limiter.get("remaining"), response_headers):
            _child(state, "budget_remaining_ratio", tenant, name).set(ratio)
    authz = record.get("authz")
    if isinstance(authz, Mapping) and authz.get("decision") == "deny":
        _child(state, "authz_denials", tenant, _label(authz.get("level"))).inc()
    findings = record.get("findings")
    if isinstance(findings, list):
        for finding in findings:
            if isinstance(finding, Mapping):
                category = _label(finding.get("category") or finding.get("check"))
                _child(state, "input_findings", tenant, category, _label(finding.get("action"))).inc()
    redaction = record.get("redaction")
    if isinstance(redaction, Mapping):
        for direction, key in (("response", "counts"), ("request", "request_counts")):
            counts = redaction.get(key)
            if isinstance(counts, Mapping):
                for detector, count in counts.items():
                    if isinstance(count, int) and count > 0:
                        _child(state, "redactions", tenant, _label(detector), direction).inc(count)
    blocked = isinstance(redaction, Mapping) and redaction.get("action") == "block"
    key = (
        state.resolved_keys(key_prefix)
        if isinstance(key_prefix, str) and KEY_PREFIX_SHAPE.fullmatch(key_prefix)
        else None
    )
    _security(state, record, tenant, status, decision, blocked, prompt_simhash, key)


def _security(
    state: _State,
    record: Mapping[str, Any],
    tenant: str,
    status: int | None,
    decision: str,
    blocked: bool,
    prompt_simhash: int | None,
    key: str | None,
) -> None:
    if status in _AUTH_STATUSES:
        _child(state, "auth_failures", tenant, str(status)).inc()
        _child(state, "auth_failures_by_source", _ip_bucket(state, record.get("client_ip"))).inc()
    if status == 429:
        _child(state, "rate_limited", tenant).inc()
    refused = decision in _REFUSED or blocked
    if refused:
        _child(state, "refusals", tenant).inc()
    prompt = record.get("input_hash")
    with _recent_lock:
        if isinstance(prompt, str) and prompt:
            recent = _recent_prompts.setdefault(tenant, {})
            if prompt in recent:
                _child(state, "repeated_prompts", tenant).inc()
                recent.pop(prompt)
            recent[prompt] = None
            if len(recent) > _RECENT_PROMPTS:
                recent.pop(next(iter(recent)))
        if prompt_simhash is None:
            return
        _probing(state, _similar_prompts, _refused_prompts, "", tenant, prompt_simhash, refused)
        if key is not None:  # the same per API key: one key of a tenant probing among honest others
            _child(state, "prompts_by_key", key).inc()
            _probing(state, _similar_by_key, _refused_by_key, "_by_key", key, prompt_simhash, refused)


def _probing(
    state: _State,
    similar_windows: dict[str, HashWindow],
    refused_windows: dict[str, HashWindow],
    suffix: str,
    label: str,
    prompt_simhash: int,
    refused: bool,
) -> None:
    """Near-duplicate and retry-after-refusal counts of one tenant or key (``label``); under the lock."""
    similar = _window(similar_windows, label, PROMPT_WINDOW)
    if similar.near(prompt_simhash):
        _child(state, "near_duplicate_prompts" + suffix, label).inc()
    similar.add(prompt_simhash)
    refusals = _window(refused_windows, label, REFUSED_WINDOW)
    if refusals.near(prompt_simhash):
        _child(state, "retry_after_refusal" + suffix, label).inc()
    if refused:
        refusals.add(prompt_simhash)


def _window(windows: dict[str, HashWindow], tenant: str, size: int) -> HashWindow:
    window = windows.get(tenant)
    if window is None:
        window = windows[tenant] = HashWindow(size)
    return window


def observe_auth_failure(key: str, status: int) -> None:
    """A 401/403 of ai-tenant-resolver, by the API key's label (:func:`kong_plugins.ai_tenant_resolver`
    computes it: the key's display prefix, ``malformed`` or ``none``; folded like tenants)."""
    state = _state
    if state is None:
        return
    _child(state, "auth_failures_by_key", state.keys(key), str(status)).inc()


def _ip_bucket(state: _State, address: Any) -> str:
    """A keyed hash of the client's network folded into ``ip_buckets`` buckets: no address in a label."""
    if not isinstance(address, str) or not address:
        return NONE
    digest = hashlib.blake2b(address.encode(), key=state.salt[:32], digest_size=8).digest()
    return f"b{int.from_bytes(digest, 'big') % state.settings.ip_buckets:02d}"


def _budget_ratios(remaining: Any, headers: Any) -> list[tuple[str, float]]:
    """``remaining / limit`` per limit, from the limiter's ``X-RateLimit-Remaining/Limit-<name>`` headers."""
    if not isinstance(remaining, Mapping) or not isinstance(headers, Mapping):
        return []
    limits: dict[str, float] = {}
    for key, value in headers.items():
        if isinstance(key, str) and key.lower().startswith("x-ratelimit-limit-"):
            first = value[0] if isinstance(value, list) and value else value
            try:
                limits[key.lower()[len("x-ratelimit-limit-") :][:64]] = float(first)
            except (TypeError, ValueError):
                continue
    ratios = []
    for name, left in remaining.items():
        limit = limits.get(name)
        if limit and limit > 0 and isinstance(left, int | float) and math.isfinite(limit):
            ratios.append((_label(name), max(0.0, min(1.0, float(left) / limit))))
    return ratios[:16]


def _positive(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return float(value) if math.isfinite(value) and value > 0 else 0.0


def _label(value: Any) -> str:
    return value[:MAX_LABEL_CHARS] if isinstance(value, str) and value else NONE


def reset_for_tests() -> None:
    """Forget the state (unit tests enable metrics in-process, one registry per test)."""
    global _state
    with _enable_lock:
        if _state is not None and _state.lease is not None:
            _state.lease.close()
        _state = None
    with _recent_lock:
        _recent_prompts.clear()
        _similar_prompts.clear()
        _refused_prompts.clear()
        _similar_by_key.clear()
        _refused_by_key.clear()
