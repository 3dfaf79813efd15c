"""Turning a validated ``ai-token-limiter`` config into what requests use: built once per plugin instance.

``build_settings`` runs the checks a schema cannot express (windows parse; no duplicate (metric, window,
scope) in one limit set; ``burst`` only with ``token_bucket``; unique tier names; model globs RE2 compiles;
Redis settings when ``strategy`` is ``redis``) and compiles limits into store units, prices into a
:class:`PriceTable`, models' largest outputs into a :class:`MaxOutputTable`, and the choice of hash tag.
Errors are collected and raised together as one :class:`ConfigError` with Kong's dotted field paths.
This module never touches ``kong``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kong_plugins.ai_token_limiter.compute import ComputeTable, seconds_to_ms
from kong_plugins.ai_token_limiter.globs import GlobTable, InvalidGlob
from kong_plugins.ai_token_limiter.max_output import MaxOutputTable
from kong_plugins.ai_token_limiter.pricing import ModelPrice, PriceTable, usd_to_nano_usd
from kong_plugins.ai_token_limiter.windows import Window, parse_window
from kong_plugins.core.errors import ConfigError
from kong_plugins.core.redis import RedisConfig

__all__ = ["COMPUTE_METRIC", "COST_METRIC", "LimitRule", "LimiterSettings", "build_settings"]

COST_METRIC = "cost_usd"
COMPUTE_METRIC = "compute_seconds"
DEFAULT_COMPUTE_SECONDS = 10
NO_COMPUTE_ESTIMATES = ComputeTable.build([], DEFAULT_COMPUTE_SECONDS)
TENANT_BOUND_SCOPES = frozenset({"tenant", "tenant_model"})
CONSUMER_SCOPES = frozenset({"consumer", "consumer_model"})


@dataclass(frozen=True, slots=True)
class LimitRule:
    """One configured limit, compiled: ``units`` is the limit in store units (nano-USD for costs)."""

    metric: str
    limit: float
    window: Window
    scope: str
    units: int
    burst_units: int | None = None

    @property
    def policy_name(self) -> str:
        """``tokens-minute``: the name of this limit in headers (unique within a limit set)."""
        suffix = "" if self.scope == "tenant" else f"-{self.scope}"
        return f"{self.metric}-{self.window.label}{suffix}"

    @property
    def is_budget(self) -> bool:
        """A cost limit over a day or more: refusals say "budget exhausted", not "rate limit exceeded"."""
        return self.metric == COST_METRIC and (self.window.calendar_month or self.window.seconds >= 86400)


@dataclass(frozen=True)
class LimiterSettings:
    """Everything a request needs, compiled once per plugin configuration and shared by all threads."""

    base_limits: tuple[LimitRule, ...]
    tiers: Mapping[str, tuple[LimitRule, ...]]
    algorithm: str
    sliding_buckets: int
    prices: PriceTable
    max_output: MaxOutputTable
    """Completion tokens one completion of a model can produce: reserved when a request sets no limit."""
    max_completions: int
    fair_share: float | None
    queue_max_wait_ms: int
    queue_max_waiters: int
    strategy: str
    namespace: str
    fault_tolerant: bool
    node_count: int
    """Nodes sharing the limits (1 when ``node_count`` is not set: see ``node_count_set``)."""
    redis_retry_ms: int
    degraded_log_interval_s: int
    hide_client_headers: bool
    redis: RedisConfig | None
    tag_by_tenant: bool
    """True when every limit (every tier) is per tenant: keys are tagged with the tenant id, spreading
    tenants over a Redis Cluster; otherwise one tag per namespace keeps global counters in the same slot."""
    needs_consumer: bool
    needs_route: bool
    compute: ComputeTable = NO_COMPUTE_ESTIMATES
    """Per-model processing-time estimates (``compute_seconds`` reservations)."""
    compute_header: str | None = "openai-processing-ms"
    needs_compute: bool = False
    """A ``compute_seconds`` limit exists: reservations carry a processing-time estimate."""
    needs_ip: bool = False
    """An ``ip`` limit exists: access asks Kong for the client address (one more PDK round trip)."""
    ipv4_prefix_length: int = 32
    ipv6_prefix_length: int = 64
    fault_tolerant_budgets: bool = False
    """Count limits of an hour or more locally during a Redis outage instead of answering 503."""
    node_count_set: bool = True
    """False when ``node_count`` was left unset: the degraded share of each limit is then a guess."""

    def limits_for(self, tier: str | None) -> tuple[LimitRule, ...]:
        """The tier's limit set when it has one, else the top-level ``limits``."""
        if tier is not None and tier in self.tiers:
            return self.tiers[tier]
        return self.base_limits

    def all_limits(self) -> Iterable[LimitRule]:
        yield from self.base_limits
        for rules in self.tiers.values():
            yield from rules


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def add(self, path: str, message: str) -> None:
        self.fields.setdefault(path, message)

    def raise_if_any(self) -> None:
        if self.fields:
            details = "; ".join(f"{path}: {message}" for path, message in self.fields.items())
            raise ConfigError(f"invalid ai-token-limiter configuration: {details}", dict(self.fields))


def _units(metric: str, value: float) -> int:
    """A configured amount in store units: nano-USD for costs, milliseconds for compute time."""
    if metric == COST_METRIC:
        return usd_to_nano_usd(value)
    if metric == COMPUTE_METRIC:
        return seconds_to_ms(value)
    return round(value)


def _compile_limits(raw: Any, path: str, algorithm: str, errors: _Errors) -> tuple[LimitRule, ...]:
    rules: list[LimitRule] = []
    seen: set[tuple[str, str, str]] = set()
    for index, item in enumerate(raw or [], start=1):
        where = f"{path}.{index}"
        metric, limit, scope = item.get("metric"), item.get("limit"), item.get("scope") or "tenant"
        try:
            window = parse_window(item.get("window"))
        except ValueError as exc:
            errors.add(f"{where}.window", str(exc))
            continue
        identity = (metric, window.label, scope)
        if identity in seen:
            errors.add(where, f"duplicate limit: {metric} per {window.label} for scope {scope}")
            continue
        seen.add(identity)
        units = _units(metric, limit)
        if units < 1:
            errors.add(f"{where}.limit", "too small: the limit rounds to 0 of its unit")
            continue
        burst = item.get("burst")
        burst_units = None
        if burst is not None:
            if algorithm != "token_bucket":
                errors.add(f"{where}.burst", "burst is only used by the token_bucket algorithm")
                continue
            burst_units = _units(metric, burst)
            if burst_units < 1:
                errors.add(f"{where}.burst", "too small: the burst rounds to 0 of its unit")
                continue
        rules.append(LimitRule(metric, float(limit), window, scope, units, burst_units))
    return tuple(rules)


def _price(entry: Mapping[str, Any]) -> ModelPrice:
    return ModelPrice(
        entry.get("prompt_per_million") or 0,
        entry.get("completion_per_million") or 0,
        entry.get("cached_prompt_per_million"),
        entry.get("cache_write_per_million"),
    )


def _compile_tables(config: Mapping[str, Any], errors: _Errors) -> tuple[PriceTable, MaxOutputTable]:
    """Prices and the max-output table, their globs compiled once (to RE2; a glob RE2 refuses is an error
    at its ``config.<field>.<n>.model``)."""
    pricing = config.get("pricing") or []
    outputs = config.get("max_output_tokens") or []
    checked = (
        ("config.pricing", pricing),
        ("config.max_output_tokens", outputs),
        ("config.compute_estimates", config.get("compute_estimates") or []),
    )
    for path, entries in checked:
        for index, entry in enumerate(entries, start=1):
            try:
                GlobTable.build([(entry["model"], None)])
            except InvalidGlob as exc:
                errors.add(f"{path}.{index}.model", str(exc))
    errors.raise_if_any()
    prices = PriceTable.build(
        [(entry["model"], _price(entry)) for entry in pricing],
        _price(config.get("default_price") or {}),
        reject_unknown=config["unknown_model"] == "reject",
    )
    max_output = MaxOutputTable.build(
        [(entry["model"], entry["tokens"]) for entry in outputs], config["default_max_tokens"]
    )
    return prices, max_output


def build_settings(config: Mapping[str, Any]) -> LimiterSettings:
    """Compile a config already validated against the schema (defaults filled)."""
    errors = _Errors()
    algorithm = config["algorithm"]
    base = _compile_limits(config.get("limits"), "config.limits", algorithm, errors)
    tiers: dict[str, tuple[LimitRule, ...]] = {}
    for index, tier in enumerate(config.get("tiers") or [], start=1):
        name = tier["name"]
        if name in tiers:
            errors.add(f"config.tiers.{index}.name", f"tier {name} is given twice")
            continue
        tiers[name] = _compile_limits(tier.get("limits"), f"config.tiers.{index}.limits", algorithm, errors)
    redis = None
    if config["strategy"] == "redis":
        try:
            redis = RedisConfig.from_config(config.get("redis"))
        except ConfigError as exc:
            for path, message in exc.fields.items():
                errors.add(path, message)
    prices, max_output = _compile_tables(config, errors)
    fair_share = config.get("fair_share")
    if fair_share is not None and fair_share <= 0:
        errors.add("config.fair_share", "must be greater than 0 (unset it to have no cap)")
    errors.raise_if_any()
    queue = config.get("queue") or {}
    every_rule = [*base, *(rule for rules in tiers.values() for rule in rules)]
    scopes = {rule.scope for rule in every_rule}
    return LimiterSettings(
        base_limits=base,
        tiers=tiers,
        algorithm=algorithm,
        sliding_buckets=config["sliding_window_buckets"],
        prices=prices,
        max_output=max_output,
        max_completions=config["max_completions"],
        fair_share=fair_share,
        queue_max_wait_ms=queue.get("max_wait_ms", 0),
        queue_max_waiters=queue.get("max_waiters", 64),
        strategy=config["strategy"],
        namespace=config["namespace"],
        fault_tolerant=config["fault_tolerant"],
        node_count=config.get("node_count") or 1,
        node_count_set=config.get("node_count") is not None,
        fault_tolerant_budgets=bool(config.get("fault_tolerant_budgets")),
        needs_ip="ip" in scopes,
        compute=ComputeTable.build(
            [(entry["model"], entry["seconds"]) for entry in config.get("compute_estimates") or []],
            config.get("default_compute_seconds", DEFAULT_COMPUTE_SECONDS),
        ),
        compute_header=config.get("compute_header") or None,
        needs_compute=any(rule.metric == COMPUTE_METRIC for rule in every_rule),
        ipv4_prefix_length=config.get("ipv4_prefix_length") or 32,
        ipv6_prefix_length=config.get("ipv6_prefix_length") or 64,
        redis_retry_ms=config["redis_retry_ms"],
        degraded_log_interval_s=config["degraded_log_interval"],
        hide_client_headers=config["hide_client_headers"],
        redis=redis,
        tag_by_tenant=bool(scopes) and scopes <= TENANT_BOUND_SCOPES,
        needs_consumer=bool(scopes & CONSUMER_SCOPES),
        needs_route="route" in scopes,
    )
