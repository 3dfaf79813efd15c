"""``kong-ai usage show|reset``: the Redis counters of ``ai-token-limiter`` (``strategy: redis``).

``show --tenant T`` lists T's counters (per-tenant limits, per-tenant-and-model limits, T's fair share of
global limits) with current usage, limit and what is left — a budget's remaining dollars included.
``reset --tenant T`` deletes them (T starts afresh); ``reset --all`` deletes every counter of the namespace.
``report --since 7d --format table|csv|png``: spend and tokens per tenant and model from ai-audit-log's
streams, and when each tenant's cost budget runs out at its current pace (:mod:`.usage_report`).
Counters of ``strategy: local`` live in the gateway processes' memory and are not reachable from here.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from kong_plugins.ai_token_limiter.report import CounterReport, read_counters, reset_counters
from kong_plugins.cli.main import EXIT_OK, CliError
from kong_plugins.cli.redis_options import add_redis_arguments, redis_client
from kong_plugins.core.redis import redis_errors

__all__ = ["register"]

DEFAULT_NAMESPACE = "default"
_MAX_ID_CHARS = 256


def register(subparsers: Any) -> None:
    """Add the ``usage`` command group."""
    usage = subparsers.add_parser(
        "usage",
        help="show or reset ai-token-limiter counters in Redis",
        description="Show or reset the Redis counters of ai-token-limiter (strategy: redis).",
    )
    commands = usage.add_subparsers(dest="usage_command", metavar="SUBCOMMAND", required=True)

    show = _command(commands, "show", "current usage, limits and what is left")
    show.add_argument("--tenant", help="only this tenant's counters (default: every counter)")
    show.add_argument("--json", action="store_true", help="print JSON (one array)")
    show.set_defaults(handler=_show)

    reset = _command(commands, "reset", "delete counters so that usage starts afresh")
    who = reset.add_mutually_exclusive_group(required=True)
    who.add_argument("--tenant", help="delete this tenant's counters")
    who.add_argument("--all", action="store_true", help="delete every counter of the namespace")
    reset.set_defaults(handler=_reset)

    report = _command(commands, "report", "spend and tokens per tenant and model, budget forecasts")
    report.add_argument(
        "--since", default="7d", help="7d, 24h, 30m or an ISO 8601 time (default: %(default)s)"
    )
    report.add_argument("--format", choices=("table", "csv", "png"), default="table")
    report.add_argument("--output", "-o", help="file to write (required for png; default: standard output)")
    report.add_argument(
        "--audit-namespace",
        help="ai-audit-log's namespace (default: the same as --namespace, the limiter's)",
    )
    report.add_argument("--max-records", type=int, default=1_000_000, help="records read at most")
    report.set_defaults(handler=_report)


def _command(commands: Any, name: str, text: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(name, help=text, description=text)
    add_redis_arguments(parser, DEFAULT_NAMESPACE)
    return parser


def _tenant(value: str | None) -> str | None:
    if value is not None and not 0 < len(value) <= _MAX_ID_CHARS:
        raise CliError(f"--tenant must be 1 to {_MAX_ID_CHARS} characters")
    return value


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.9f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _row(report: CounterReport) -> str:
    subject = "/".join(report.subject) or "-"
    if report.share_of:
        subject = f"{subject} (share of {report.share_of})"
    return (
        f"{report.scope:<15} {subject:<32} {report.metric:<18} {report.window:<7} "
        f"{_number(report.used):>14} {_number(report.limit):>14} {_number(report.remaining):>14}"
    )


def _show(args: argparse.Namespace) -> int:
    reports = read_counters(redis_client(args), args.namespace, _tenant(args.tenant))
    if args.json:
        json.dump([report.as_json() for report in reports], sys.stdout, indent=2, sort_keys=True)
        print()
        return EXIT_OK
    if not reports:
        print("no counters" + (f" for tenant {args.tenant}" if args.tenant else ""))
        return EXIT_OK
    header = (
        f"{'SCOPE':<15} {'SUBJECT':<32} {'METRIC':<18} {'WINDOW':<7} {'USED':>14} {'LIMIT':>14} {'LEFT':>14}"
    )
    print(header)
    for report in reports:
        print(_row(report))
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    import datetime as dt

    from kong_plugins.cli import usage_report as ur

    now = dt.datetime.now(dt.UTC)
    try:
        since = ur.parse_since(args.since, now)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if since >= now:
        raise CliError("--since must be in the past")
    if args.format == "png" and not args.output:
        raise CliError("--format png needs --output FILE")
    client = redis_client(args)
    since_ms = int(since.timestamp() * 1000)
    with redis_errors("reading audit records"):
        records = list(
            ur.read_records(client, args.audit_namespace or args.namespace, since_ms, args.max_records)
        )
    rows = ur.aggregate(records, since_ms)
    hours = (now - since).total_seconds() / 3600
    budgets = ur.forecasts(rows, read_counters(client, args.namespace), hours, now)
    if args.format == "png":
        from kong_plugins.cli.usage_chart import render_png

        try:
            render_png(args.output, rows, budgets, f"kong-ai usage since {since:%Y-%m-%d %H:%M} UTC")
        except RuntimeError as exc:
            raise CliError(str(exc)) from None
        print(f"wrote {args.output}")
        return EXIT_OK
    text = ur.render_csv(rows, budgets) if args.format == "csv" else ur.render_table(rows, budgets, since)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _reset(args: argparse.Namespace) -> int:
    tenant = None if args.all else _tenant(args.tenant)
    deleted = reset_counters(redis_client(args), args.namespace, tenant)
    target = f"tenant {tenant}" if tenant else f"namespace {args.namespace}"
    print(f"deleted {deleted} counter(s) of {target}")
    return EXIT_OK
