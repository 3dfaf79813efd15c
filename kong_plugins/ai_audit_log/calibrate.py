"""Limits calibrated from real usage: audit records in, proposed per-tier daily limits out (pure).

What counts as legitimate usage: records of answered requests (an upstream answered, status below 400);
refusals and failures are left out, so a tenant hammering its limit does not raise it. Usage per record:
the settled tokens (``usage.prompt_tokens + usage.completion_tokens``, else the reservation), and cost.
Per tenant and UTC day the usage is summed; the proposal for a tier is the ``quantile`` (p99) of its
tenants' **active** days (days with at least one answered request) times ``headroom``, rounded up. Days
without traffic are not samples: a tenant that works two days a week is calibrated on those days.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DayUsage", "Suggestion", "daily_usage", "quantile", "suggest"]

METRICS = ("tokens", "requests", "cost_usd")


@dataclass
class DayUsage:
    tokens: float = 0
    requests: int = 0
    cost_usd: float = 0.0


@dataclass
class Suggestion:
    tier: str
    tenants: list[str]
    days: int
    observed: dict[str, float]  # the quantile per metric
    limits: dict[str, float]  # observed x headroom, rounded up
    top_tenant: dict[str, str] = field(default_factory=dict)  # whose day set the quantile


def _day(record: Mapping[str, Any]) -> str | None:
    millis = record.get("started_at_ms")
    if isinstance(millis, int) and not isinstance(millis, bool):
        return dt.datetime.fromtimestamp(millis / 1000, dt.UTC).date().isoformat()
    time_text = record.get("time")
    return time_text[:10] if isinstance(time_text, str) and len(time_text) >= 10 else None


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def daily_usage(
    records: Iterable[Mapping[str, Any]],
) -> tuple[dict[tuple[str, str], DayUsage], dict[str, str]]:
    """``{(tenant, day): usage}`` of answered requests, and each tenant's (latest seen) tier."""
    days: dict[tuple[str, str], DayUsage] = defaultdict(DayUsage)
    tiers: dict[str, str] = {}
    for record in records:
        status = record.get("status")
        if not isinstance(status, int) or status >= 400 or record.get("upstream_status") is None:
            continue
        day = _day(record)
        tenant = record.get("tenant") or ""
        if day is None:
            continue
        usage = record.get("usage") if isinstance(record.get("usage"), Mapping) else {}
        prompt = usage.get("prompt_tokens", usage.get("reserved_prompt_tokens"))
        completion = usage.get("completion_tokens", usage.get("reserved_completion_tokens"))
        cost = usage.get("cost_usd", usage.get("reserved_cost_usd"))
        bucket = days[(tenant, day)]
        bucket.tokens += _number(prompt) + _number(completion)
        bucket.requests += 1
        bucket.cost_usd += _number(cost)
        tiers[tenant] = record.get("tier") or "default"
    return dict(days), tiers


def quantile(values: list[float], q: float) -> float:
    """Nearest-rank quantile (``q`` in (0, 1]): an observed value, never interpolated."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


def suggest(
    records: Iterable[Mapping[str, Any]], *, q: float = 0.99, headroom: float = 1.25
) -> list[Suggestion]:
    days, tiers = daily_usage(records)
    by_tier: dict[str, list[tuple[str, DayUsage]]] = defaultdict(list)
    for (tenant, _day_name), usage in days.items():
        by_tier[tiers.get(tenant, "default")].append((tenant, usage))
    suggestions = []
    for tier, samples in sorted(by_tier.items()):
        observed: dict[str, float] = {}
        limits: dict[str, float] = {}
        top: dict[str, str] = {}
        for metric in METRICS:
            values = [float(getattr(usage, metric)) for _, usage in samples]
            value = quantile(values, q)
            observed[metric] = value
            top[metric] = next(tenant for tenant, usage in samples if float(getattr(usage, metric)) == value)
            scaled = value * headroom
            limits[metric] = (
                round(math.ceil(scaled * 100) / 100, 2) if metric == "cost_usd" else math.ceil(scaled)
            )
        tenants = sorted({tenant for tenant, _ in samples})
        suggestions.append(Suggestion(tier, tenants, len(samples), observed, limits, top))
    return suggestions
