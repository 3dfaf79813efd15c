"""From a request's subject (tenant, consumer, model, route, tier) to the counters its limits check.

Keys are built with :mod:`kong_plugins.core.keys` (every untrusted part encoded, bounded) as::

    ai-token-limiter:{<tag>}:<namespace>:<scope>:<ids...>:<metric>:<window>:<algorithm>[:share:<tenant>]
    ai-token-limiter:{<tag>}:<namespace>:global:<metric>:<window>:waiting

All keys of one request share one hash tag, so the reservation script touches a single Redis Cluster slot:
the tenant id when every configured limit is per tenant (``tenant``/``tenant_model``: tenants spread over
the cluster), else the namespace (a ``global`` counter must sit beside every tenant's). The algorithm is
part of the key (``sw10`` = sliding window of 10 buckets, ``fw``, ``tb``, ``cm`` = calendar month), so
changing it starts fresh counters instead of misreading old ones.

Fair share: a ``global`` limit with ``fair_share`` gets a per-tenant *share* counter (the tenant's usage of
that limit, capped at ``fair_share * limit``, enforced only while another tenant is in the limit's
*waiting* set, i.e. was refused by it within a window).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from kong_plugins.ai_token_limiter.counters import FIXED, MONTH, SLIDING, TOKEN_BUCKET, Counter
from kong_plugins.ai_token_limiter.settings import LimiterSettings, LimitRule
from kong_plugins.ai_token_limiter.windows import Window, sliding_bucket_ms
from kong_plugins.core.keys import KeyBuilder

__all__ = [
    "ANONYMOUS",
    "KEY_NAMESPACE",
    "Amounts",
    "EmergencyLimits",
    "Plan",
    "Subject",
    "build_plan",
    "emergency_cap_limit",
    "emergency_cap_rule",
    "restricted",
    "with_emergency_cap",
]

KEY_NAMESPACE = "ai-token-limiter"
ANONYMOUS = "~anonymous"
"""Who a request without tenant (or consumer) is counted as; ``~`` cannot start a tenant id or consumer id."""
UNKNOWN_MODEL = "~unknown"

_SCOPE_PARTS = {
    "tenant": ("tenant",),
    "consumer": ("consumer",),
    "tenant_model": ("tenant", "model"),
    "consumer_model": ("consumer", "model"),
    "route": ("route",),
    "ip": ("ip",),
    "global": (),
}
SCOPE_ID_COUNT = {scope: len(parts) for scope, parts in _SCOPE_PARTS.items()}


@dataclass(frozen=True, slots=True)
class Subject:
    """Who and what a request is, as far as limits care. Published in the reservation so the response
    phase rebuilds exactly the same counters."""

    tenant: str | None = None
    consumer: str | None = None
    model: str | None = None
    route: str | None = None
    tier: str | None = None
    ip: str | None = None
    """The client's address group (see :mod:`.client_ip`), only when an ``ip`` limit applies."""

    @property
    def member(self) -> str:
        """The tenant as counted by fair share."""
        return self.tenant or ANONYMOUS

    def to_list(self) -> list[str]:
        values = [self.tenant, self.consumer, self.model, self.route, self.tier, self.ip]
        return [value or "" for value in values]

    @classmethod
    def from_list(cls, value: object) -> Subject | None:
        """From :meth:`to_list` (5 entries: written before the ``ip`` scope existed)."""
        if (
            not isinstance(value, list)
            or len(value) not in (5, 6)
            or not all(isinstance(v, str) for v in value)
        ):
            return None
        return cls(*(v or None for v in value))


@dataclass(frozen=True, slots=True)
class Amounts:
    """What a request reserves, or actually used, in store units."""

    prompt_tokens: int
    completion_tokens: int
    cost_nano_usd: int
    requests: int = 1
    compute_ms: int = 0
    """Upstream processing time in milliseconds (``compute_seconds`` limits; 0 when none is configured)."""

    def of(self, metric: str) -> int:
        if metric == "requests":
            return self.requests
        if metric == "compute_seconds":
            return self.compute_ms
        if metric == "tokens":
            return self.prompt_tokens + self.completion_tokens
        if metric == "prompt_tokens":
            return self.prompt_tokens
        if metric == "completion_tokens":
            return self.completion_tokens
        return self.cost_nano_usd


@dataclass(frozen=True)
class Plan:
    """The counters of one request: one per limit rule, then the fair-share counters.

    ``rule_of[i]`` is the rule counter ``i`` enforces (a share counter points at its global rule);
    ``rules`` are the limits the answer headers describe, in order (counter ``i < len(rules)`` is rule ``i``).
    """

    rules: tuple[LimitRule, ...]
    counters: tuple[Counter, ...]
    rule_of: tuple[LimitRule, ...]

    def amounts(self, amounts: Amounts) -> list[int]:
        return [amounts.of(rule.metric) for rule in self.rule_of]

    def deltas(self, actual: Amounts, reserved: Amounts) -> list[int]:
        return [actual.of(rule.metric) - reserved.of(rule.metric) for rule in self.rule_of]


def _algorithm_tag(settings: LimiterSettings, rule: LimitRule) -> str:
    if rule.window.calendar_month:
        return "cm"
    if settings.algorithm == "token_bucket":
        return "tb"
    if settings.algorithm == "fixed_window":
        return "fw"
    return f"sw{settings.sliding_buckets}"


def _ids(rule: LimitRule, subject: Subject) -> list[str]:
    values = {
        "tenant": subject.tenant or ANONYMOUS,
        "consumer": subject.consumer or ANONYMOUS,
        "model": subject.model or UNKNOWN_MODEL,
        "route": subject.route or ANONYMOUS,
        "ip": subject.ip or ANONYMOUS,
    }
    return [values[part] for part in _SCOPE_PARTS[rule.scope]]


def _window_counter(settings: LimiterSettings, rule: LimitRule, key: str, limit: float) -> Counter:
    window_ms = rule.window.ms
    if rule.window.calendar_month:
        return Counter(key, MONTH, window_ms, limit)
    if settings.algorithm == "fixed_window":
        return Counter(key, FIXED, window_ms, limit)
    return Counter(
        key, SLIDING, window_ms, limit, bucket_ms=sliding_bucket_ms(window_ms, settings.sliding_buckets)
    )


def _share_counter(settings: LimiterSettings, rule: LimitRule, key: str, wait_key: str) -> Counter:
    """A tenant's usage of a global limit: a sliding window (a calendar month for monthly limits) whatever
    the algorithm, capped at ``fair_share`` of the limit."""
    assert settings.fair_share is not None
    limit = rule.units * settings.fair_share
    if rule.window.calendar_month:
        return Counter(key, MONTH, rule.window.ms, limit, wait_key=wait_key, share=True)
    bucket_ms = sliding_bucket_ms(rule.window.ms, settings.sliding_buckets)
    return Counter(key, SLIDING, rule.window.ms, limit, bucket_ms=bucket_ms, wait_key=wait_key, share=True)


def key_builder(settings: LimiterSettings, subject: Subject) -> KeyBuilder:
    """The builder of every key of ``subject``'s request (one hash tag for all of them)."""
    tag = (subject.tenant or ANONYMOUS) if settings.tag_by_tenant else settings.namespace
    return KeyBuilder(KEY_NAMESPACE).for_tag(tag)


def _rule_counter(settings: LimiterSettings, rule: LimitRule, key: str, wait_key: str | None) -> Counter:
    if settings.algorithm == "token_bucket" and not rule.window.calendar_month:
        capacity = float(rule.burst_units or rule.units)
        return Counter(key, TOKEN_BUCKET, rule.window.ms, rule.units, capacity=capacity, wait_key=wait_key)
    return replace(_window_counter(settings, rule, key, rule.units), wait_key=wait_key)


def build_plan(settings: LimiterSettings, subject: Subject) -> Plan:
    """The counters for ``subject`` under its tier's limits."""
    rules = settings.limits_for(subject.tier)
    keys = key_builder(settings, subject)
    counters: list[Counter] = []
    shares: list[Counter] = []
    share_rules: list[LimitRule] = []
    for rule in rules:
        base = [settings.namespace, rule.scope, *_ids(rule, subject), rule.metric, rule.window.label]
        key = keys.key(*base, _algorithm_tag(settings, rule))
        wait_key = None
        if rule.scope == "global" and settings.fair_share is not None:
            wait_key = keys.key(*base, "waiting")
            share_tag = "cm" if rule.window.calendar_month else f"sw{settings.sliding_buckets}"
            share_key = keys.key(*base, share_tag, "share", subject.member)
            shares.append(_share_counter(settings, rule, share_key, wait_key))
            share_rules.append(rule)
        counters.append(_rule_counter(settings, rule, key, wait_key))
    return Plan(rules=tuple(rules), counters=(*counters, *shares), rule_of=(*rules, *share_rules))


def scaled(counters: Sequence[Counter], factor: float) -> list[Counter]:
    """Every counter with its limit multiplied by ``factor`` (degraded mode)."""
    return [counter.scaled(factor) for counter in counters]


TOKEN_METRICS = frozenset({"tokens", "prompt_tokens", "completion_tokens"})
RESTRICTED_SCOPES = frozenset({"tenant", "tenant_model"})
MINUTE_S = 60


@dataclass(frozen=True, slots=True)
class EmergencyLimits:
    """``kong-ai emergency restrict --tokens-per-minute``, as ai-tenant-resolver published it in
    ``ai_guard.tenant``: the tenant's per-minute token limits times ``factor`` and/or capped at ``cap``."""

    factor: float | None = None
    cap: int | None = None

    @classmethod
    def from_facts(cls, emergency: Any, now_ms: float | None = None) -> EmergencyLimits | None:
        """None without a token restriction in force (its deadline checked again, on this node's clock)."""
        if not isinstance(emergency, dict):
            return None
        until_ms = emergency.get("until_ms")
        now = time.time() * 1000 if now_ms is None else now_ms
        if isinstance(until_ms, int | float) and now >= until_ms:
            return None
        factor, cap = emergency.get("tokens_factor"), emergency.get("tokens_per_minute")
        factor = float(factor) if isinstance(factor, int | float) and 0 <= factor <= 1 else None
        cap = int(cap) if isinstance(cap, int | float) and cap >= 0 else None
        return cls(factor, cap) if factor is not None or cap is not None else None

    def units(self, units: int) -> int:
        if self.factor is not None:
            units = math.floor(units * self.factor)
        return min(units, self.cap) if self.cap is not None else units

    def applies_to(self, rule: LimitRule) -> bool:
        """The tenant's own per-minute token limits (not global, route, consumer or ip ones)."""
        return (
            rule.metric in TOKEN_METRICS
            and rule.scope in RESTRICTED_SCOPES
            and not rule.window.calendar_month
            and rule.window.seconds == MINUTE_S
        )


def restricted(plan: Plan, limits: EmergencyLimits) -> Plan:
    """``plan`` with the limits an emergency restriction narrows: same counters (same keys, so the usage
    already counted still counts), lower limits; the answer headers and refusals show the narrowed ones."""

    def narrowed(rule: LimitRule) -> LimitRule:
        if not limits.applies_to(rule):
            return rule
        units = limits.units(rule.units)
        burst = limits.units(rule.burst_units) if rule.burst_units is not None else None
        return replace(rule, limit=float(units), units=units, burst_units=burst)

    mapping = {id(rule): narrowed(rule) for rule in plan.rule_of}
    counters = []
    for counter, rule in zip(plan.counters, plan.rule_of, strict=True):
        new = mapping[id(rule)]
        if new is rule or counter.share:
            counters.append(counter)
            continue
        capacity = float(new.burst_units or new.units) if counter.capacity else counter.capacity
        counters.append(replace(counter, limit=float(new.units), capacity=capacity))
    return Plan(
        rules=tuple(mapping[id(rule)] for rule in plan.rules),
        counters=tuple(counters),
        rule_of=tuple(mapping[id(rule)] for rule in plan.rule_of),
    )


EMERGENCY_SCOPE_PART = "emergency"
"""In the key of the extra cap counter (never a configured scope, so never another limit's counter)."""
MINUTE = Window("minute", MINUTE_S)


def _is_tenant_minute_tokens(rule: LimitRule) -> bool:
    return (
        rule.metric == "tokens"
        and rule.scope == "tenant"
        and not rule.window.calendar_month
        and rule.window.seconds == MINUTE_S
    )


def _per_minute(rule: LimitRule) -> float:
    """The limit's per-minute equivalent (an hourly 6000 is 100 a minute; a month counts 30 days)."""
    return rule.units * MINUTE_S / rule.window.seconds


def emergency_cap_rule(plan: Plan, limits: EmergencyLimits) -> LimitRule | None:
    """The extra per-minute tenant ``tokens`` limit a restriction adds where narrowing the configured
    limits would leave the tenant unrestricted; None where :func:`restricted` already restricts.

    * An absolute cap (``--tokens-per-minute 5000``) applies on every route: narrowing does it where the
      tier has a per-minute ``tokens`` limit of scope ``tenant``; everywhere else it is this extra limit.
    * A percentage narrows the tenant's per-minute token limits (``tenant``/``tenant_model``); where there is
      none, it is this extra limit at that share of the per-minute equivalent of the tier's tightest token
      limit of any scope and window (hourly 6000 at 10%: 10 a minute). A tier with no token limit at all
      gives a percentage nothing to take a share of: no extra limit (use an absolute cap there).
    """
    if any(_is_tenant_minute_tokens(rule) for rule in plan.rules):
        return None
    if limits.cap is None:
        if limits.factor is None or any(limits.applies_to(rule) for rule in plan.rules):
            return None
        token_rules = [rule for rule in plan.rules if rule.metric in TOKEN_METRICS]
        if not token_rules:
            return None
        units = math.floor(min(_per_minute(rule) for rule in token_rules) * limits.factor)
    else:
        units = limits.cap
    return emergency_cap_limit(units)


def emergency_cap_limit(units: int) -> LimitRule:
    """The extra per-minute tenant ``tokens`` limit of ``units`` (rebuilt from the reservation to settle)."""
    return LimitRule(metric="tokens", limit=float(units), window=MINUTE, scope="tenant", units=units)


def with_emergency_cap(plan: Plan, settings: LimiterSettings, subject: Subject, rule: LimitRule) -> Plan:
    """``plan`` plus the counter of ``rule`` (from :func:`emergency_cap_rule`), after the configured limits
    and before the fair-share counters, keyed in the same hash tag as the request's other keys (the
    tenant's slot when every limit is per tenant): checked in the same script call, no extra round trip.
    Its own key (``...:emergency:<tenant>:tokens:minute:...``), so lifting and restricting again starts it
    afresh while the configured limits keep their counts."""
    keys = key_builder(settings, subject)
    base = [settings.namespace, EMERGENCY_SCOPE_PART, subject.member, rule.metric, rule.window.label]
    counter = _rule_counter(settings, rule, keys.key(*base, _algorithm_tag(settings, rule)), None)
    split = len(plan.rules)
    return Plan(
        rules=(*plan.rules, rule),
        counters=(*plan.counters[:split], counter, *plan.counters[split:]),
        rule_of=(*plan.rule_of[:split], rule, *plan.rule_of[split:]),
    )
