"""``kong-ai usage report``: spend and tokens per tenant and model since a time, and when budgets run out.

Two sources in Redis, both already written by the plugins:

* **what was spent**: ai-audit-log's per-tenant record streams (``usage`` of each record: settled prompt and
  completion tokens and cost, ``model_answered`` or ``model_requested``), read from ``--since`` on (stream
  ids are Redis's clock in milliseconds, so the read starts there; records are filtered on their own start
  time). Bounded by ``--max-records``.
* **what is left**: ai-token-limiter's ``cost_usd`` counters (:func:`read_counters`): used, limit and what
  is left of each tenant budget.

The forecast divides what is left of each tenant budget by the tenant's pace over the report period (its
spend divided by the period's length): "runs out in N hours at the current pace". No pace, no forecast.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kong_plugins.ai_audit_log.redis_sink import read_entries, tenants
from kong_plugins.ai_token_limiter.report import CounterReport

__all__ = ["Forecast", "UsageRow", "aggregate", "forecasts", "parse_since", "render_csv", "render_table"]

_RELATIVE = re.compile(r"([0-9]{1,6})([smhdw])")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
DEFAULT_MAX_RECORDS = 1_000_000


def parse_since(text: str, now: dt.datetime) -> dt.datetime:
    """``7d``, ``24h``, ``30m`` (before ``now``) or an ISO 8601 time (UTC when it names no zone)."""
    match = _RELATIVE.fullmatch(text.strip())
    if match:
        return now - dt.timedelta(seconds=int(match.group(1)) * _UNIT_S[match.group(2)])
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"--since {text!r}: expected 7d, 24h, 30m or an ISO 8601 time") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


@dataclass
class UsageRow:
    """One tenant and model over the period."""

    tenant: str
    model: str
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "model": self.model,
            "requests": self.requests,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cost_usd": round(self.cost_usd, 9),
        }


@dataclass
class Forecast:
    """When a tenant's budget runs out at the pace of the report period."""

    tenant: str
    window: str
    limit_usd: float
    remaining_usd: float
    pace_usd_per_hour: float
    hours_left: float | None  # None: no spend in the period (no pace)
    runs_out_at: dt.datetime | None = field(default=None)

    def describe(self) -> str:
        if self.remaining_usd <= 0:
            return "exhausted"
        if self.hours_left is None or self.runs_out_at is None:
            return "no spend in the period"
        return f"in {_duration(self.hours_left)} ({self.runs_out_at:%Y-%m-%d %H:%M} UTC)"


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return 0.0
    return max(0.0, float(value))


def aggregate(
    records: Iterable[Mapping[str, Any]], since_ms: int, until_ms: int | None = None
) -> list[UsageRow]:
    """Sum each record's settled usage into its (tenant, model) row; records before ``since_ms`` skipped."""
    rows: dict[tuple[str, str], UsageRow] = {}
    for record in records:
        started = record.get("started_at_ms")
        if isinstance(started, int) and (started < since_ms or (until_ms is not None and started > until_ms)):
            continue
        tenant = record.get("tenant") if isinstance(record.get("tenant"), str) else "-"
        model = record.get("model_answered") or record.get("model_requested")
        model = model if isinstance(model, str) else "-"
        row = rows.setdefault((tenant, model), UsageRow(tenant, model))
        row.requests += 1
        usage = record.get("usage")
        if isinstance(usage, Mapping):
            row.prompt_tokens += int(_number(usage.get("prompt_tokens")))
            row.completion_tokens += int(_number(usage.get("completion_tokens")))
            row.cost_usd += _number(usage.get("cost_usd"))
    return sorted(rows.values(), key=lambda r: (r.tenant, -r.cost_usd, r.model))


def read_records(
    client: Any, namespace: str, since_ms: int, max_records: int = DEFAULT_MAX_RECORDS
) -> Iterable[Mapping[str, Any]]:
    """The audit records of every tenant stream of ``namespace`` written from ``since_ms`` on."""
    left = max_records
    for tenant in [*tenants(client, namespace), None]:
        for _, record in read_entries(client, namespace, tenant, start=f"{since_ms}-0", count=left):
            left -= 1
            if record is not None:
                yield record
            if left <= 0:
                return


def forecasts(
    rows: list[UsageRow], budgets: list[CounterReport], period_hours: float, now: dt.datetime
) -> list[Forecast]:
    """One forecast per tenant ``cost_usd`` budget (tenant scope) that has a limit."""
    spend: dict[str, float] = {}
    for row in rows:
        spend[row.tenant] = spend.get(row.tenant, 0.0) + row.cost_usd
    result = []
    for budget in budgets:
        if (
            budget.metric != "cost_usd"
            or budget.scope != "tenant"
            or budget.limit is None
            or not budget.subject
        ):
            continue
        tenant = budget.subject[0]
        pace = spend.get(tenant, 0.0) / period_hours if period_hours > 0 else 0.0
        remaining = budget.remaining or 0.0
        hours = remaining / pace if pace > 0 else None
        result.append(
            Forecast(
                tenant=tenant,
                window=budget.window,
                limit_usd=budget.limit,
                remaining_usd=remaining,
                pace_usd_per_hour=pace,
                hours_left=hours,
                runs_out_at=now + dt.timedelta(hours=hours) if hours is not None else None,
            )
        )
    return sorted(result, key=lambda f: (f.hours_left is None, f.hours_left or 0, f.tenant))


def render_table(rows: list[UsageRow], budgets: list[Forecast], since: dt.datetime) -> str:
    out = [f"usage since {since:%Y-%m-%d %H:%M} UTC"]
    out.append(
        f"{'TENANT':<24} {'MODEL':<28} {'REQUESTS':>9} {'PROMPT':>12} {'COMPLETION':>12} {'COST_USD':>14}"
    )
    for row in rows:
        out.append(
            f"{row.tenant[:24]:<24} {row.model[:28]:<28} {row.requests:>9} {row.prompt_tokens:>12} "
            f"{row.completion_tokens:>12} {_usd(row.cost_usd):>14}"
        )
    if not rows:
        out.append("no records in the period")
    if budgets:
        out.append("")
        out.append(
            f"{'TENANT':<24} {'BUDGET':<10} {'LIMIT_USD':>12} {'LEFT_USD':>12} {'USD/HOUR':>12}  RUNS OUT"
        )
        for item in budgets:
            out.append(
                f"{item.tenant[:24]:<24} {item.window[:10]:<10} {_usd(item.limit_usd):>12} "
                f"{_usd(item.remaining_usd):>12} {_usd(item.pace_usd_per_hour):>12}  {item.describe()}"
            )
    return "\n".join(out) + "\n"


def render_csv(rows: list[UsageRow], budgets: list[Forecast]) -> str:
    """One CSV: a row per tenant and model; budget columns filled on each tenant's rows."""
    by_tenant = {item.tenant: item for item in budgets}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "tenant",
            "model",
            "requests",
            "prompt_tokens",
            "completion_tokens",
            "cost_usd",
            "budget_remaining_usd",
            "budget_runs_out_at",
        ]
    )
    for row in rows:
        budget = by_tenant.get(row.tenant)
        writer.writerow(
            [
                _csv_text(row.tenant),
                _csv_text(row.model),
                row.requests,
                row.prompt_tokens,
                row.completion_tokens,
                _usd(row.cost_usd),
                _usd(budget.remaining_usd) if budget else "",
                budget.runs_out_at.isoformat(timespec="minutes") if budget and budget.runs_out_at else "",
            ]
        )
    return buffer.getvalue()


def _csv_text(value: str) -> str:
    """Tenant and model names are data a client chose: never let a spreadsheet read one as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") and value != "-" else value


def _usd(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".") if value else "0"


def _duration(hours: float) -> str:
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"
