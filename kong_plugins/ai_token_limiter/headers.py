"""What clients are told: rate-limit headers on every answer, and the 429 bodies.

Two header families, both describing every limit the request was checked against:

* IETF (draft-ietf-httpapi-ratelimit-headers-09): ``RateLimit-Policy: "tokens-minute";q=1000;w=60;
  qu="tokens"`` (the policy) and ``RateLimit: "tokens-minute";r=420;t=37`` (remaining, seconds until usage
  starts to free up). ``q``/``r`` must be integers, so costs are given in micro-USD (``qu="usd-micro"``).
  The draft registers only ``request``, ``content-bytes`` and ``concurrent-requests`` as quota units and makes
  ``request`` the default, so the token and cost units are named explicitly (not registered).
* Kong's own rate-limiting names: ``X-RateLimit-Limit-Tokens-Minute`` / ``X-RateLimit-Remaining-Tokens-
  Minute`` (numeric windows: ``-30``; costs in USD, compute in seconds; a non-tenant scope is appended:
  ``-Global``). IETF values of ``compute_seconds`` limits are milliseconds (``qu="compute-ms"``).

``hide_client_headers`` drops all of them (and the degraded-mode header).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from kong_plugins.ai_token_limiter.counters import Decision
from kong_plugins.ai_token_limiter.pricing import nano_usd_to_usd
from kong_plugins.ai_token_limiter.settings import COMPUTE_METRIC, COST_METRIC, LimitRule
from kong_plugins.core.errors import TooManyRequests

__all__ = [
    "BUDGET_MESSAGE",
    "DEGRADED_HEADER",
    "RATE_LIMIT_MESSAGE",
    "limit_headers",
    "refusal",
    "retry_after_seconds",
]

RATE_LIMIT_MESSAGE = "API rate limit exceeded"
BUDGET_MESSAGE = "Budget exhausted"
DEGRADED_HEADER = "X-AI-RateLimit-Degraded"
DEGRADED_VALUE = "local-counters"
GUESSED_NODES = "node-count-unset"
"""Added to the degraded header when ``node_count`` is not set: the per-node share is then a guess."""
QUOTA_UNITS = {
    "requests": "request",
    "tokens": "tokens",
    "prompt_tokens": "prompt-tokens",
    "completion_tokens": "completion-tokens",
    COST_METRIC: "usd-micro",
    COMPUTE_METRIC: "compute-ms",
}
_NANO_PER_MICRO = 1000


def _title(text: str) -> str:
    return "-".join(part.capitalize() for part in text.replace("_", "-").split("-"))


def kong_header_suffix(rule: LimitRule) -> str:
    """``Tokens-Minute``, ``Cost-Usd-Month``, ``Requests-30``, ``Tokens-Minute-Global``."""
    window = _title(rule.window.label) if rule.window.is_named else rule.window.label
    suffix = f"{_title(rule.metric)}-{window}"
    return suffix if rule.scope == "tenant" else f"{suffix}-{_title(rule.scope)}"


def _display(rule: LimitRule, units: float) -> str:
    """A value in the rule's unit for Kong-style headers (USD for costs, integers otherwise)."""
    if rule.metric == COST_METRIC:
        return f"{nano_usd_to_usd(max(units, 0)):.9f}".rstrip("0").rstrip(".")
    if rule.metric == COMPUTE_METRIC:
        return f"{max(units, 0) / 1000:.3f}".rstrip("0").rstrip(".")
    return str(max(int(units), 0))


def _ietf_integer(rule: LimitRule, units: float) -> int:
    if rule.metric == COST_METRIC:
        return max(int(units // _NANO_PER_MICRO), 0)
    return max(int(units), 0)


def limit_headers(
    rules: Sequence[LimitRule],
    decision: Decision,
    *,
    degraded: bool,
    scale: float = 1.0,
    guessed_nodes: bool = False,
) -> dict[str, str]:
    """The headers of an answer checked against ``rules`` (``scale``: the share of each limit this node
    enforces alone while degraded; ``guessed_nodes``: that share rests on an unset ``node_count``)."""
    headers: dict[str, str] = {}
    policies, states = [], []
    for index, rule in enumerate(rules):
        limit = rule.units * scale
        remaining = decision.remaining[index]
        name = rule.policy_name
        policies.append(
            f'"{name}";q={_ietf_integer(rule, limit)};w={rule.window.seconds};qu="{QUOTA_UNITS[rule.metric]}"'
        )
        reset = max(0, math.ceil(decision.reset_ms[index] / 1000))
        states.append(f'"{name}";r={_ietf_integer(rule, remaining)};t={reset}')
        suffix = kong_header_suffix(rule)
        headers[f"X-RateLimit-Limit-{suffix}"] = _display(rule, limit)
        headers[f"X-RateLimit-Remaining-{suffix}"] = _display(rule, remaining)
    if policies:
        headers["RateLimit-Policy"] = ", ".join(policies)
        headers["RateLimit"] = ", ".join(states)
    if degraded:
        headers[DEGRADED_HEADER] = f"{DEGRADED_VALUE}, {GUESSED_NODES}" if guessed_nodes else DEGRADED_VALUE
    return headers


def retry_after_seconds(rule: LimitRule, decision: Decision) -> int:
    """Whole seconds to wait (at least 1). When waiting cannot help (the request alone exceeds the limit),
    the window's length: retrying sooner is pointless."""
    if decision.retry_after_ms < 0:
        return max(1, rule.window.seconds)
    return max(1, math.ceil(decision.retry_after_ms / 1000))


def refusal(rule: LimitRule, decision: Decision, headers: dict[str, str]) -> TooManyRequests:
    """The 429 for a refused reservation: ``{"message", "metric", "window", "retry_after"}`` + Retry-After."""
    retry_after = retry_after_seconds(rule, decision)
    message = BUDGET_MESSAGE if rule.is_budget else RATE_LIMIT_MESSAGE
    return TooManyRequests(
        message,
        extra={"metric": rule.metric, "window": rule.window.body_value(), "retry_after": retry_after},
        headers={**headers, "Retry-After": str(retry_after)},
        log_reason=f"{rule.metric} per {rule.window.label} ({rule.scope}) exhausted",
    )
