"""``kong-ai limits suggest``: per-tier daily limits for ai-token-limiter, calibrated from the audit records.

Reads the ``ai-audit-log`` records since ``--since`` (default 90d) from Redis, and proposes for each tier the
p99 (``--quantile``) of its tenants' daily tokens, requests and cost, times ``--headroom`` (1.25); the method
is in :mod:`kong_plugins.ai_audit_log.calibrate`. The proposal is printed as a unified diff of the limiter's
``limits``/``tiers`` against ``--current`` (a deck file; else against nothing), to be reviewed and applied by
a person: this command never changes a configuration.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import heapq
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from kong_plugins.ai_audit_log.calibrate import Suggestion, suggest
from kong_plugins.ai_audit_log.redis_sink import read_entries, tenants
from kong_plugins.cli.audit import add_audit_redis_arguments, audit_client, parse_since
from kong_plugins.cli.main import EXIT_OK, CliError

__all__ = ["proposed_config", "register"]

LIMITER = "ai-token-limiter"
DEFAULT_TIER = "default"


def register(subparsers: Any) -> None:
    """Add the ``limits`` command group."""
    limits = subparsers.add_parser(
        "limits",
        help="propose ai-token-limiter limits from the audit records",
        description="Propose ai-token-limiter limits calibrated from ai-audit-log records.",
    )
    commands = limits.add_subparsers(dest="limits_command", metavar="SUBCOMMAND", required=True)
    proposal = commands.add_parser(
        "suggest",
        help="print per-tier daily limits (p99 of legitimate daily usage x headroom) as a config diff",
        description="Print per-tier daily limits calibrated from the audit records, as a reviewable diff.",
    )
    add_audit_redis_arguments(proposal)
    proposal.add_argument("--since", default="90d", help="records since (90d, 12h, ISO date, epoch ms)")
    proposal.add_argument("--quantile", type=float, default=0.99, help="quantile of daily usage (0.99)")
    proposal.add_argument("--headroom", type=float, default=1.25, help="factor over the quantile (1.25)")
    proposal.add_argument("--current", type=Path, help="deck file holding the ai-token-limiter config")
    proposal.add_argument("--route", help="the route whose ai-token-limiter to compare (with --current)")
    proposal.set_defaults(handler=_suggest)


def _records(client: Any, namespace: str, since_ms: int) -> Iterator[dict[str, Any]]:
    streams = [
        read_entries(client, namespace, tenant, start=str(since_ms)) for tenant in tenants(client, namespace)
    ]
    for _, record in heapq.merge(*streams, key=lambda item: item[0].partition("-")[0].zfill(16)):
        if record is not None:
            yield record


def _suggest(args: argparse.Namespace) -> int:
    if not 0 < args.quantile <= 1:
        raise CliError("--quantile must be in (0, 1]")
    if not 1 <= args.headroom <= 100:
        raise CliError("--headroom must be between 1 and 100")
    client = audit_client(args)
    suggestions = suggest(
        _records(client, args.namespace, parse_since(args.since)), q=args.quantile, headroom=args.headroom
    )
    if not suggestions:
        print(f"# no answered requests in the audit records since {args.since}: nothing to calibrate")
        return EXIT_OK
    current, label = _current(args.current, args.route) if args.current else ({}, "(no current config)")
    print(
        f"# kong-ai limits suggest --since {args.since}: "
        f"p{args.quantile * 100:g} of daily usage x {args.headroom}"
    )
    for item in suggestions:
        observed = ", ".join(
            f"{metric} {value:g} (tenant {item.top_tenant[metric] or '-'})"
            for metric, value in item.observed.items()
        )
        print(
            f"# tier {item.tier}: {len(item.tenants)} tenant(s), {item.days} active day(s); "
            f"p{args.quantile * 100:g} day: {observed}"
        )
    print("# review, then apply it yourself (deck, Admin API): nothing was changed")
    before = yaml.safe_dump(_limits_part(current), sort_keys=False)
    after = yaml.safe_dump(_limits_part(proposed_config(current, suggestions)), sort_keys=False)
    diff = difflib.unified_diff(
        before.splitlines(), after.splitlines(), f"current {label}", "proposed", lineterm=""
    )
    for line in diff:
        print(line)
    return EXIT_OK


def _limits_part(config: dict[str, Any]) -> dict[str, Any]:
    return {key: config[key] for key in ("limits", "tiers") if config.get(key)}


def proposed_config(current: dict[str, Any], suggestions: list[Suggestion]) -> dict[str, Any]:
    """``current`` with a daily (``window: day``, ``scope: tenant``) limit per metric for each tier; tenants
    without a tier go to the top-level ``limits``."""
    config = copy.deepcopy(current)
    for item in suggestions:
        if item.tier == DEFAULT_TIER:
            limits = config.setdefault("limits", [])
        else:
            tiers = config.setdefault("tiers", [])
            tier = next((t for t in tiers if t.get("name") == item.tier), None)
            if tier is None:
                tier = {"name": item.tier, "limits": []}
                tiers.append(tier)
            limits = tier.setdefault("limits", [])
        for metric, value in item.limits.items():
            if metric == "cost_usd" and value <= 0:
                continue
            existing = next(
                (
                    limit
                    for limit in limits
                    if limit.get("metric") == metric
                    and str(limit.get("window")) in ("day", "86400")
                    and limit.get("scope", "tenant") == "tenant"
                ),
                None,
            )
            if existing is None:
                limits.append({"metric": metric, "limit": value, "window": "day", "scope": "tenant"})
            else:
                existing["limit"] = value
    return config


def _current(path: Path, route: str | None) -> tuple[dict[str, Any], str]:
    try:
        document = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise CliError(f"cannot read {path}: {exc}") from exc
    found = [(where, plugin) for where, plugin in _plugins(document) if plugin.get("name") == LIMITER]
    if route is not None:
        found = [(where, plugin) for where, plugin in found if where == route]
    if not found:
        raise CliError(f"no {LIMITER} plugin in {path}" + (f" on route {route}" if route else ""))
    if len(found) > 1:
        names = ", ".join(where or "(global)" for where, _ in found)
        raise CliError(f"several {LIMITER} plugins in {path} ({names}): choose one with --route")
    where, plugin = found[0]
    return dict(plugin.get("config") or {}), f"{path} ({where or 'global'})"


def _plugins(document: Any) -> Iterator[tuple[str | None, dict[str, Any]]]:
    if not isinstance(document, dict):
        return
    for plugin in document.get("plugins") or []:
        yield None, plugin
    routes = list(document.get("routes") or [])
    for service in document.get("services") or []:
        for plugin in service.get("plugins") or []:
            yield service.get("name"), plugin
        routes.extend(service.get("routes") or [])
    for route in routes:
        for plugin in route.get("plugins") or []:
            yield route.get("name"), plugin
