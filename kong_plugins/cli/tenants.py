"""``kong-ai tenants add|list|show|suspend|activate``: the Redis tenant registry of ``ai-tenant-resolver``.

Writes the records the plugin reads when its ``registry`` is ``redis`` (layout in
:mod:`kong_plugins.ai_tenant_resolver.registry`). A change reaches running gateways within their
``cache_ttl``. Every value is validated with the plugin's own rules before anything is written.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from kong_plugins.ai_tenant_resolver.registry import (
    ACTIVE,
    DEFAULT_NAMESPACE,
    SUSPENDED,
    InvalidTenantRecord,
    RedisTenantStore,
    TenantRecord,
)
from kong_plugins.ai_tenant_resolver.tenant_id import InvalidTenantId, check_tenant_id
from kong_plugins.cli.main import EXIT_OK, CliError
from kong_plugins.cli.redis_options import add_redis_arguments, redis_client

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``tenants`` command group."""
    tenants = subparsers.add_parser(
        "tenants",
        help="manage the Redis tenant registry of ai-tenant-resolver",
        description="Manage the tenants ai-tenant-resolver reads from Redis (registry: redis).",
    )
    commands = tenants.add_subparsers(dest="tenants_command", metavar="SUBCOMMAND", required=True)

    add = _command(commands, "add", "register a new tenant")
    add.add_argument("tenant_id", help="tenant id: letters, digits, '_' and '-', at most 64 characters")
    add.add_argument("--tier", help="service tier (sent upstream as X-Tenant-Tier)")
    add.add_argument("--region", help="data residency region (sent upstream as X-Tenant-Region)")
    add.add_argument(
        "--model", dest="models", action="append", default=[], help="an allowed model (repeat for more)"
    )
    add.add_argument(
        "--meta", dest="metadata", action="append", default=[], metavar="KEY=VALUE", help="a metadata label"
    )
    add.add_argument("--suspended", action="store_true", help="register the tenant as suspended")
    add.set_defaults(handler=_add)

    listing = _command(commands, "list", "list tenants")
    listing.add_argument("--limit", type=int, default=None, help="show at most this many tenants")
    listing.add_argument("--json", action="store_true", help="print JSON (one array)")
    listing.set_defaults(handler=_list)

    show = _command(commands, "show", "show one tenant as JSON")
    show.add_argument("tenant_id")
    show.set_defaults(handler=_show)

    for name, status, text in (
        ("suspend", SUSPENDED, "refuse the tenant's requests (403) from the next cache expiry on"),
        ("activate", ACTIVE, "accept the tenant's requests again"),
    ):
        command = _command(commands, name, text)
        command.add_argument("tenant_id")
        command.set_defaults(handler=_set_status, status=status)


def _command(commands: Any, name: str, text: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(name, help=text, description=text)
    add_redis_arguments(parser, DEFAULT_NAMESPACE)
    return parser


def _store(args: argparse.Namespace) -> RedisTenantStore:
    return RedisTenantStore(redis_client(args), args.namespace)


def _tenant_id(value: str) -> str:
    try:
        return check_tenant_id(value)
    except InvalidTenantId as exc:
        raise CliError(f"invalid tenant id: {exc}") from exc


def _metadata(pairs: list[str]) -> dict[str, str]:
    metadata: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise CliError(f"--meta takes KEY=VALUE, got {pair!r}")
        metadata[key] = value
    return metadata


def _add(args: argparse.Namespace) -> int:
    data = {
        "id": _tenant_id(args.tenant_id),
        "status": SUSPENDED if args.suspended else ACTIVE,
        "tier": args.tier,
        "region": args.region,
        "allowed_models": args.models,
        "metadata": _metadata(args.metadata),
    }
    try:
        record = TenantRecord.from_mapping(data)
    except InvalidTenantRecord as exc:
        raise CliError(f"invalid tenant: {exc}") from exc
    if not _store(args).add(record):
        raise CliError(f"tenant {record.id} already exists")
    print(f"tenant {record.id} added ({record.status})")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 0:
        raise CliError("--limit must be positive")
    entries = _store(args).list_records(args.limit)
    if args.json:
        rows = [
            entry.to_display() if isinstance(entry, TenantRecord) else {"id": entry, "error": "missing"}
            for entry in entries
        ]
        json.dump(rows, sys.stdout, indent=2, sort_keys=True)
        print()
        return EXIT_OK
    print(f"{'TENANT':<40} {'STATUS':<10} {'TIER':<16} REGION")
    for entry in entries:
        if isinstance(entry, TenantRecord):
            print(f"{entry.id:<40} {entry.status:<10} {entry.tier or '-':<16} {entry.region or '-'}")
        else:
            print(f"{entry:<40} {'(missing or unreadable record)'}")
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    tenant_id = _tenant_id(args.tenant_id)
    try:
        record = _store(args).get(tenant_id)
    except InvalidTenantRecord as exc:
        raise CliError(f"tenant {tenant_id} has an unreadable record: {exc}") from exc
    if record is None:
        raise CliError(f"tenant {tenant_id} does not exist")
    json.dump(record.to_display(), sys.stdout, indent=2, sort_keys=True)
    print()
    return EXIT_OK


def _set_status(args: argparse.Namespace) -> int:
    tenant_id = _tenant_id(args.tenant_id)
    try:
        record = _store(args).set_status(tenant_id, args.status)
    except InvalidTenantRecord as exc:
        raise CliError(f"tenant {tenant_id} has an unreadable record: {exc}") from exc
    if record is None:
        raise CliError(f"tenant {tenant_id} does not exist")
    print(f"tenant {tenant_id} is {record.status}")
    return EXIT_OK
