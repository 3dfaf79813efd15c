"""``kong-ai audit verify|tail|export``: read the ``ai-audit-log`` Redis streams for investigations.

``verify --tenant T`` recomputes T's hash chain and names the first broken link (exit 1), ``tail --tenant T``
prints T's newest records, ``export --since 90d --format jsonl`` prints every record since then (all tenants,
oldest first). ``--tenant ''`` names the records of requests without a tenant.
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import json
import re
import sys
import time
from collections.abc import Iterator
from typing import Any

from kong_plugins.ai_audit_log.chain import Head, verify
from kong_plugins.ai_audit_log.file_sink import file_set, read_file_heads, read_file_records
from kong_plugins.ai_audit_log.record import canonical_json
from kong_plugins.ai_audit_log.redis_sink import (
    read_entries,
    read_head,
    read_newest,
    stream_length,
    tenants,
)
from kong_plugins.cli.main import EXIT_FAILED, EXIT_OK, CliError
from kong_plugins.cli.redis_options import add_redis_arguments, redis_client
from kong_plugins.core.redis import RedisClient

__all__ = ["parse_since", "register"]

DEFAULT_NAMESPACE = "audit"
_MAX_ID_CHARS = 256
_RELATIVE = re.compile(r"^(\d{1,9})([smhd])$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def register(subparsers: Any) -> None:
    """Add the ``audit`` command group."""
    audit = subparsers.add_parser(
        "audit",
        help="verify, tail or export ai-audit-log records in Redis",
        description="Read the ai-audit-log Redis streams (one hash-chained stream per tenant).",
    )
    commands = audit.add_subparsers(dest="audit_command", metavar="SUBCOMMAND", required=True)

    check = _command(commands, "verify", "recompute a tenant's hash chain; report the first broken link")
    who = check.add_mutually_exclusive_group(required=True)
    who.add_argument("--tenant", help="the tenant ('' for requests without a tenant)")
    who.add_argument("--all", action="store_true", help="every tenant with records")
    check.add_argument(
        "--file", help="verify the file sink's records (this path and its rotated files) instead of Redis"
    )
    check.set_defaults(handler=_verify)

    tail = _command(commands, "tail", "print a tenant's newest records (JSON lines)")
    tail.add_argument("--tenant", required=True, help="the tenant ('' for requests without a tenant)")
    tail.add_argument("-n", "--lines", type=int, default=20, help="how many records (default 20)")
    tail.add_argument("-f", "--follow", action="store_true", help="keep printing new records")
    tail.set_defaults(handler=_tail)

    export = _command(commands, "export", "print records since a date, oldest first")
    export.add_argument("--since", required=True, help="90d, 12h, 30m, an ISO date/time (UTC) or epoch ms")
    export.add_argument("--until", help="same forms; default: now")
    export.add_argument("--tenant", help="only this tenant (default: all)")
    export.add_argument("--format", choices=["jsonl"], default="jsonl", help="output format (jsonl)")
    export.set_defaults(handler=_export)


def _command(commands: Any, name: str, text: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(name, help=text, description=text)
    add_audit_redis_arguments(parser)
    return parser


def add_audit_redis_arguments(parser: argparse.ArgumentParser) -> None:
    """The shared Redis options (``--redis-cluster-nodes``, alias ``--cluster-node``, for a plugin with
    ``redis.cluster_nodes``: the streams live on every node) with the audit's default namespace."""
    add_redis_arguments(parser, DEFAULT_NAMESPACE)


def audit_client(args: argparse.Namespace) -> RedisClient:
    """The Redis the audit records are in (a cluster client when cluster nodes are given)."""
    return redis_client(args)


def _tenant(value: str) -> str:
    if len(value) > _MAX_ID_CHARS:
        raise CliError(f"--tenant must be at most {_MAX_ID_CHARS} characters")
    return value


def parse_since(value: str, now_ms: int | None = None) -> int:
    """``90d``/``12h``/``30m``/``45s`` ago, an ISO date or date-time (UTC unless it says), or epoch ms."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    text = value.strip()
    relative = _RELATIVE.match(text)
    if relative:
        return now_ms - int(relative.group(1)) * _UNIT_S[relative.group(2)] * 1000
    if text.isdigit():
        return int(text)
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise CliError(f"cannot read {value!r} as a time (90d, 12h, 2026-10-01, epoch ms)") from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return int(when.timestamp() * 1000)


def _verify(args: argparse.Namespace) -> int:
    if args.file:
        return _verify_file(args)
    client = audit_client(args)
    names = tenants(client, args.namespace) if args.all else [_tenant(args.tenant)]
    status = EXIT_OK
    for tenant in names:
        head, maxlen = read_head(client, args.namespace, tenant)
        length = stream_length(client, args.namespace, tenant)
        if head is None and length == 0:
            print(f"{_label(tenant)}: no records")
            continue
        result = verify(read_entries(client, args.namespace, tenant), head, length=length, maxlen=maxlen)
        status = max(status, _report(tenant, result, head))
    return status


def _verify_file(args: argparse.Namespace) -> int:
    """The file sink's chains: every tenant in the file set (or one), against ``path.heads``."""
    state = read_file_heads(args.file)
    if not file_set(args.file):
        raise CliError(f"{args.file}: no such file")
    by_tenant: dict[str, list[tuple[str, Any]]] = {}
    for where, record in read_file_records(args.file):
        tenant = (record.get("tenant") or "") if isinstance(record, dict) else None
        if tenant is None:
            print(f"{where}: BROKEN: not a JSON record")
            return EXIT_FAILED
        by_tenant.setdefault(tenant, []).append((where, record))
    names = sorted(set(by_tenant) | set(state["tenants"])) if args.all else [_tenant(args.tenant)]
    status = EXIT_OK
    for tenant in names:
        value = state["tenants"].get(tenant)
        head = Head(value[0], int(value[1])) if isinstance(value, list) and len(value) == 2 else None
        entries = by_tenant.get(tenant, [])
        if head is None and not entries:
            print(f"{_label(tenant)}: no records")
            continue
        result = verify(entries, head, may_be_trimmed=bool(state.get("dropped")))
        status = max(status, _report(tenant, result, head))
    return status


def _label(tenant: str) -> str:
    return f"tenant {tenant!r}" if tenant else "no tenant"


def _report(tenant: str, result: Any, head: Head | None) -> int:
    label = _label(tenant)
    if result.broken is not None:
        where = f"seq {result.broken.seq}" + (
            f" (entry {result.broken.entry})" if result.broken.entry else ""
        )
        print(f"{label}: BROKEN at {where}: {result.broken.reason} ({result.checked} good before)")
        return EXIT_FAILED
    start = f", starting at seq {result.first_seq} (older records trimmed)" if result.trimmed else ""
    print(f"{label}: OK, {result.checked} records{start}, head seq {head.seq if head else 0}")
    return EXIT_OK


def _tail(args: argparse.Namespace) -> int:
    client = audit_client(args)
    tenant = _tenant(args.tenant)
    if not 0 < args.lines <= 10_000:
        raise CliError("--lines must be between 1 and 10000")
    last = "-"
    for entry_id, record in read_newest(client, args.namespace, tenant, args.lines):
        _print(record)
        last = entry_id
    while args.follow:
        entries = list(read_entries(client, args.namespace, tenant, start="(" + last if last != "-" else "-"))
        for entry_id, record in entries:
            _print(record)
            last = entry_id
        sys.stdout.flush()
        time.sleep(1)
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    client = audit_client(args)
    since = parse_since(args.since)
    until = parse_since(args.until) if args.until else None
    names = [_tenant(args.tenant)] if args.tenant is not None else tenants(client, args.namespace)
    streams = [_since(client, args.namespace, tenant, since) for tenant in names]
    # Oldest first across tenants: by the time Redis appended the record, ties broken by the request's start.
    for entry_id, record in heapq.merge(*streams, key=_merge_key):
        if until is not None and _entry_key(entry_id)[0] > until:
            continue
        _print(record)
    return EXIT_OK


def _since(client: Any, namespace: str, tenant: str, since_ms: int) -> Iterator[tuple[str, Any]]:
    return read_entries(client, namespace, tenant, start=str(since_ms))


def _merge_key(item: tuple[str, Any]) -> tuple[int, int, int]:
    entry_id, record = item
    started = record.get("started_at_ms") if isinstance(record, dict) else None
    millis, counter = _entry_key(entry_id)
    return millis, started if isinstance(started, int) else 0, counter


def _entry_key(entry_id: str) -> tuple[int, int]:
    millis, _, counter = entry_id.partition("-")
    return int(millis), int(counter or 0)


def _print(record: Any) -> None:
    print(canonical_json(record) if record is not None else json.dumps({"unreadable": True}))
