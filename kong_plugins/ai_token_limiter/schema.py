"""The ``ai-token-limiter`` configuration in Kong's schema shape (the plugin's name is declared here, once).

Kong validates types, defaults, ``one_of`` and lengths itself. What a schema cannot say — that a window
parses, that a limit set has no duplicate (metric, window, scope), that ``burst`` only appears with
``token_bucket``, that tier names are unique — is checked by :func:`.settings.build_settings` when the
instance starts, with errors in the same ``config.<field>`` shape.

The streaming variant (``ai-token-limiter-stream``) shares every field and adds ``stream_bytes_per_token``
(see :mod:`kong_plugins.ai_token_limiter_stream`).
"""

from __future__ import annotations

import copy
from typing import Any

from kong_plugins.core.completion import FAIL_CLOSED_MARK_FIELD
from kong_plugins.core.redis import REDIS_SCHEMA_FIELD
from kong_plugins.core.schema import (
    array,
    at_least_one_of,
    boolean,
    conditional,
    field,
    header_name,
    integer,
    number,
    plugin_schema,
    record,
    string,
)
from kong_plugins.core.schema.dsl import PluginSchema

__all__ = [
    "ALGORITHMS",
    "METRICS",
    "NAME",
    "SCHEMA",
    "SCHEMA_DUMP",
    "SCOPES",
    "Schema",
    "config_fields",
    "limiter_schema",
]

NAME = "ai-token-limiter"

COST_METRIC = "cost_usd"
METRICS = ("requests", "tokens", "prompt_tokens", "completion_tokens", COST_METRIC, "compute_seconds")
SCOPES = ("tenant", "consumer", "tenant_model", "consumer_model", "route", "ip", "global")
ALGORITHMS = ("sliding_window", "token_bucket", "fixed_window")
STRATEGIES = ("local", "redis")
MAX_LIMITS = 16
MAX_TIERS = 32
MAX_PRICES = 256
MAX_OUTPUT_TOKENS = 10_000_000
MAX_COMPLETIONS = 1024
MAX_QUEUE_WAIT_MS = 30_000  # far below Kong's 60 s plugin-server read timeout
DEFAULT_MAX_OUTPUT_TOKENS = 16_384
_WINDOW_PATTERNS = ["^0*[1-9]%d*$", "^second$", "^minute$", "^hour$", "^day$", "^month$"]
_LABEL_PATTERN = "^[%w][%w%._%-]*$"

ROUNDS_TO_ZERO = (
    "too small: the amount rounds to 0 of its unit (a request or token, a millisecond, a nano-dollar)"
)
_HALF_UNIT = {  # metric -> half of its store unit: an amount up to it rounds to 0 (settings._units)
    **{metric: 0.5 for metric in METRICS if metric not in (COST_METRIC, "compute_seconds")},
    "compute_seconds": 0.0005,
    COST_METRIC: 5e-10,
}


def _rounds_to_zero_checks() -> list[dict[str, Any]]:
    """``limit`` and ``burst`` must be at least one store unit once rounded (``limit: 0.5`` requests per
    second was accepted by Kong, then refused by the instance: a 500 on every request)."""
    return [
        conditional("metric", {"eq": metric}, name, {"gt": half}, then_err=f"{name}: {ROUNDS_TO_ZERO}")
        for name in ("limit", "burst")
        for metric, half in _HALF_UNIT.items()
    ]


_LIMIT = record(
    [
        field(
            "metric",
            string(
                required=True,
                one_of=list(METRICS),
                description="What is counted: `requests`; `tokens` (prompt + completion); `prompt_tokens`; "
                "`completion_tokens`; `cost_usd` (priced with `pricing`); `compute_seconds` (the upstream's "
                "processing time: reserved from `compute_estimates`, settled from `compute_header` or Kong's "
                "measure).",
            ),
        ),
        field(
            "limit",
            number(
                required=True,
                gt=0,
                description="How much of the metric a window allows (USD for `cost_usd`, seconds for "
                "`compute_seconds`).",
            ),
        ),
        field(
            "window",
            string(
                required=True,
                len_max=9,
                match_any={
                    "patterns": _WINDOW_PATTERNS,
                    "err": "must be second, minute, hour, day, month or a number of seconds (at least 1)",
                },
                description='A number of seconds, at least 1 (`"30"`), or `second`, `minute`, `hour`, '
                "`day`, `month`. `month` is the calendar month in UTC (budgets reset on the 1st); "
                "`day`/`hour` fixed windows are aligned on UTC.",
            ),
        ),
        field(
            "scope",
            string(
                default="tenant",
                one_of=list(SCOPES),
                description="Who shares the counter: the `tenant` (from ai-tenant-resolver), the Kong "
                "`consumer`, the tenant or consumer per model (`tenant_model`, `consumer_model`), the "
                "`route`, the client address (`ip`: as Kong resolves it with `trusted_ips`, grouped by "
                "`ipv6_prefix_length`/`ipv4_prefix_length`), or everyone (`global`). Requests without a "
                "tenant/consumer share one `anonymous` counter.",
            ),
        ),
        field(
            "burst",
            number(
                gt=0,
                description="`token_bucket` only: the bucket's size, i.e. how much may be spent at once "
                "after a quiet period (default: `limit`). `limit` per window is the refill rate, so a "
                "burst of 15 times the per-minute limit is a 15-minute burst window.",
            ),
        ),
    ],
    description="One limit.",
    entity_checks=_rounds_to_zero_checks(),
)


def _limits(description: str, **extra: Any) -> dict[str, Any]:
    return array(_LIMIT, len_max=MAX_LIMITS, description=description, **extra)


_TIER = record(
    [
        field(
            "name",
            string(
                required=True,
                len_max=64,
                match=_LABEL_PATTERN,
                description="Tier name, as published by ai-tenant-resolver (`free`, `pro`, `enterprise`).",
            ),
        ),
        field(
            "limits", _limits("The limits of this tier (they replace the top-level `limits`).", required=True)
        ),
    ],
    description="The limit set of one tier.",
)

_PRICE = record(
    [
        field(
            "model",
            string(
                required=True,
                len_max=128,
                description="Glob pattern on the model name (`gpt-4o-mini*`, `claude-*`, `*`; `?` is one "
                "character, `[...]` a character class), matched case-insensitively; the first matching entry "
                "wins.",
            ),
        ),
        field(
            "prompt_per_million",
            number(required=True, between=[0, 1000000], description="USD per million prompt tokens."),
        ),
        field(
            "completion_per_million",
            number(required=True, between=[0, 1000000], description="USD per million completion tokens."),
        ),
        field(
            "cached_prompt_per_million",
            number(
                between=[0, 1000000],
                description="USD per million prompt tokens read from the provider's prompt cache (OpenAI "
                "`prompt_tokens_details.cached_tokens`, Anthropic `cache_read_input_tokens`). Unset: "
                "`prompt_per_million`.",
            ),
        ),
        field(
            "cache_write_per_million",
            number(
                between=[0, 1000000],
                description="USD per million prompt tokens written to the provider's prompt cache (Anthropic "
                "`cache_creation_input_tokens`). Unset: `prompt_per_million`.",
            ),
        ),
    ],
    description="The price of the models a pattern matches.",
)

_COMPUTE_ESTIMATE = record(
    [
        field(
            "model",
            string(
                required=True,
                len_max=128,
                description="Glob pattern on the model name (as in `pricing`: case-insensitive).",
            ),
        ),
        field(
            "seconds",
            number(required=True, between=[0, 86400], description="Processing time to reserve."),
        ),
    ],
    description="The processing time reserved for the models a pattern matches.",
)

_DEFAULT_PRICE = record(
    [
        field(
            "prompt_per_million",
            number(default=0, between=[0, 1000000], description="USD per million prompt tokens."),
        ),
        field(
            "completion_per_million",
            number(default=0, between=[0, 1000000], description="USD per million completion tokens."),
        ),
    ],
    description="Price of models no `pricing` entry matches, when `unknown_model` is `default_price`.",
)

_MAX_OUTPUT = record(
    [
        field(
            "model",
            string(
                required=True,
                len_max=128,
                description="Glob pattern on the model name, as in `pricing` (case-insensitive, first match "
                "wins, before the shipped table).",
            ),
        ),
        field(
            "tokens",
            integer(
                required=True,
                between=[0, MAX_OUTPUT_TOKENS],
                description="The most completion tokens one completion of these models can produce.",
            ),
        ),
    ],
    description="The largest output of the models a pattern matches.",
)

_QUEUE = record(
    [
        field(
            "max_wait_ms",
            integer(
                default=0,
                between=[0, MAX_QUEUE_WAIT_MS],
                description="Instead of refusing at once, wait up to this long for capacity (0: refuse at "
                "once). Waiters sleep until the limiter says capacity frees up, or until a request on this "
                "node releases some; they never poll Redis.",
            ),
        ),
        field(
            "max_waiters",
            integer(
                default=64,
                between=[1, 10000],
                description="Most requests waiting at once per plugin server process; more are refused at "
                "once.",
            ),
        ),
    ],
    description="Request queuing.",
)


def config_fields() -> list[dict[str, Any]]:
    """The config fields, shared with the streaming variant (which adds its own)."""
    return [
        field(
            "limits",
            _limits(
                "The limits of every request whose tenant tier has no entry in `tiers`.",
                default=[],
            ),
        ),
        field(
            "tiers",
            array(
                _TIER,
                default=[],
                len_max=MAX_TIERS,
                description="Per-tier limit sets; the tier comes from ai-tenant-resolver's tenant context.",
            ),
        ),
        field(
            "algorithm",
            string(
                default="sliding_window",
                one_of=list(ALGORITHMS),
                description="`sliding_window` (a sub-bucketed sliding window that never over-admits and may "
                "refuse up to window/`sliding_window_buckets` early), `token_bucket` (refills `limit` per "
                "window, holds up to `burst`), `fixed_window` (epoch-aligned).",
            ),
        ),
        field(
            "sliding_window_buckets",
            integer(
                default=10,
                between=[2, 60],
                description="Sub-buckets per sliding window: more is more precise and costs more Redis "
                "memory per counter.",
            ),
        ),
        field(
            "pricing",
            array(
                _PRICE,
                default=[],
                len_max=MAX_PRICES,
                description="Model prices, for `cost_usd` limits and the cost published for the audit log.",
            ),
        ),
        field("default_price", _DEFAULT_PRICE),
        field(
            "unknown_model",
            string(
                default="default_price",
                one_of=["reject", "default_price"],
                description="A model no `pricing` entry matches: price it with `default_price`, or refuse "
                "the request (400) so that cost budgets cannot be bypassed.",
            ),
        ),
        field(
            "max_output_tokens",
            array(
                _MAX_OUTPUT,
                default=[],
                len_max=MAX_PRICES,
                description="A request that sets no `max_tokens`/`max_completion_tokens`/`max_output_tokens` "
                "reserves its model's largest output per completion: these entries first, then the shipped "
                "table (OpenAI, Anthropic and Google models; see the README), then `default_max_tokens`.",
            ),
        ),
        field(
            "default_max_tokens",
            integer(
                default=DEFAULT_MAX_OUTPUT_TOKENS,
                between=[0, MAX_OUTPUT_TOKENS],
                description="Completion tokens reserved per completion when the request sets no `max_tokens` "
                "and neither `max_output_tokens` nor the shipped table knows its model.",
            ),
        ),
        field(
            "max_completions",
            integer(
                default=128,
                between=[1, MAX_COMPLETIONS],
                description="Most completions one request may ask for (`n`, or `best_of` for legacy "
                "completions); more are refused with 400. Each completion reserves `max_tokens` (or the "
                "model's largest output) and its cost.",
            ),
        ),
        field(
            "fair_share",
            number(
                between=[0, 1],
                gt=0,
                description="Cap on one tenant's share of each `global` limit while other tenants are being "
                "refused or queued by it (e.g. 0.5). Unset: no cap.",
            ),
        ),
        field("queue", _QUEUE),
        field(
            "strategy",
            string(
                default="local",
                one_of=list(STRATEGIES),
                description="`local`: counters in the plugin server's memory (one node, no Redis); `redis`: "
                "shared by every node through Redis.",
            ),
        ),
        field(
            "namespace",
            string(
                default="default",
                len_max=64,
                match=_LABEL_PATTERN,
                description="Counter namespace: plugin instances with the same namespace share counters.",
            ),
        ),
        field(
            "compute_estimates",
            array(
                _COMPUTE_ESTIMATE,
                default=[],
                len_max=MAX_PRICES,
                description="Processing time reserved per model for `compute_seconds` limits (the first "
                "matching glob wins; settlement then counts what the upstream really took).",
            ),
        ),
        field(
            "default_compute_seconds",
            number(
                default=10,
                between=[0, 86400],
                description="Processing time reserved for a model no `compute_estimates` entry matches.",
            ),
        ),
        field(
            "compute_header",
            header_name(
                default="openai-processing-ms",
                description="Response header giving the upstream's processing time in milliseconds "
                "(`compute_seconds` limits). When the answer lacks it (or this is null): the time from "
                "the reservation to the phase that settles (`response`, or `log` for the streaming "
                "variant), which contains the upstream's processing.",
            ),
        ),
        field(
            "ipv6_prefix_length",
            integer(
                default=64,
                between=[1, 128],
                description="`ip` limits: IPv6 clients are counted per network of this prefix length (a "
                "host usually owns a whole /64 and could rotate through it).",
            ),
        ),
        field(
            "ipv4_prefix_length",
            integer(
                default=32,
                between=[1, 32],
                description="`ip` limits: IPv4 clients are counted per network of this prefix length (32: "
                "each address alone).",
            ),
        ),
        field(
            "fault_tolerant",
            boolean(
                default=True,
                description="When Redis is unreachable, keep enforcing with per-node local counters (limits "
                "divided by `node_count`, each starting from the usage Redis last reported to this node) and "
                "say so in a response header; when false, answer 503.",
            ),
        ),
        field(
            "fault_tolerant_budgets",
            boolean(
                default=False,
                description="While Redis is unreachable, also count limits of an hour or more (budgets) "
                "locally; by default a request under such a limit is answered 503 then, since a node alone "
                "cannot know what the others spend. Even with this on, a budget counter this node never saw "
                "in Redis answers 503.",
            ),
        ),
        field(
            "node_count",
            integer(
                between=[1, 1000],
                description="Number of gateway nodes: while Redis is unreachable each node enforces "
                "limit / node_count. Unset: 1, and the degraded header and log line say the share is a "
                "guess.",
            ),
        ),
        field(
            "redis_retry_ms",
            integer(
                default=1000,
                between=[10, 60000],
                description="After a Redis failure, requests use the fallback at once and one request tries "
                "Redis again after this long (no request waits on a dead Redis more than once per period).",
            ),
        ),
        field(
            "degraded_log_interval",
            integer(
                default=60,
                between=[1, 86400],
                description="While Redis is unreachable, log it at most once per this many seconds.",
            ),
        ),
        field(
            "hide_client_headers",
            boolean(
                default=False,
                description="Do not send the RateLimit-Policy, RateLimit, X-RateLimit-* and degraded-mode "
                "headers.",
            ),
        ),
        REDIS_SCHEMA_FIELD,
    ]


COST_NEEDS_PRICES = (
    "cost_usd limits need every model priced: set unknown_model to reject (a last pricing entry for "
    "'*' prices every other model)"
)


def _without_cost(limit_record: dict[str, Any]) -> dict[str, Any]:
    """``limit_record`` whose ``metric`` must not be ``cost_usd``: an ``elements`` override for
    ``conditional`` (Kong's conditions may replace an array's ``elements``, so no Lua function is needed)."""
    record_copy = copy.deepcopy(limit_record)
    record_copy.pop("entity_checks", None)  # already checked on the field itself: not reported twice
    for item in record_copy["fields"]:
        if "metric" in item:
            item["metric"]["ne"] = COST_METRIC
    return record_copy


def _cost_checks() -> list[dict[str, Any]]:
    """With ``unknown_model: default_price``, a model nobody priced costs the default price - $0 unless
    configured - so a ``cost_usd`` limit could be bypassed by naming another model (or spelling one
    differently). Kong's ``conditional`` relates two fields, so the rule is the stricter "cost limits need
    ``unknown_model: reject``"; a ``*`` pricing entry is the explicit catch-all price."""
    no_cost_tier = copy.deepcopy(_TIER)
    for item in no_cost_tier["fields"]:
        if "limits" in item:
            item["limits"]["elements"] = _without_cost(_LIMIT)
    when_default = {"eq": "default_price"}
    return [
        conditional(
            "unknown_model",
            when_default,
            "limits",
            {"elements": _without_cost(_LIMIT)},
            then_err=COST_NEEDS_PRICES,
        ),
        conditional(
            "unknown_model", when_default, "tiers", {"elements": no_cost_tier}, then_err=COST_NEEDS_PRICES
        ),
    ]


BURST_NEEDS_TOKEN_BUCKET = "burst is only used by the token_bucket algorithm"


def _burst_checks() -> list[dict[str, Any]]:
    """``burst`` sizes a token bucket; with another ``algorithm`` it would be ignored silently, so the
    instance refuses it, and so does Kong's schema: a ``conditional`` whose ``elements`` override makes
    ``burst`` ``eq: null`` (the Admin API answers 400 instead of accepting a config every request of which
    would then fail with 500)."""
    no_burst = copy.deepcopy(_LIMIT)
    no_burst.pop("entity_checks", None)  # already checked on the field itself: not reported twice
    for item in no_burst["fields"]:
        if "burst" in item:
            item["burst"].update(eq=None, err=BURST_NEEDS_TOKEN_BUCKET)
    no_burst_tier = copy.deepcopy(_TIER)
    for item in no_burst_tier["fields"]:
        if "limits" in item:
            item["limits"]["elements"] = no_burst
    other = {"one_of": [a for a in ALGORITHMS if a != "token_bucket"]}
    return [
        conditional("algorithm", other, "limits", {"elements": no_burst}, then_err=BURST_NEEDS_TOKEN_BUCKET),
        conditional(
            "algorithm", other, "tiers", {"elements": no_burst_tier}, then_err=BURST_NEEDS_TOKEN_BUCKET
        ),
    ]


def limiter_schema(name: str, extra_fields: list[dict[str, Any]] | None = None) -> PluginSchema:
    """The schema under plugin ``name`` (the streaming variant adds ``extra_fields``)."""
    return plugin_schema(
        name,
        [*config_fields(), *(extra_fields or []), FAIL_CLOSED_MARK_FIELD],
        entity_checks=[at_least_one_of("limits", "tiers"), *_cost_checks(), *_burst_checks()],
    )


SCHEMA = limiter_schema(NAME)
Schema = SCHEMA.schema
SCHEMA_DUMP = SCHEMA.dump
