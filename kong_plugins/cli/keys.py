"""``kong-ai keys issue|rotate|revoke|list``: API keys of the ``ai-tenant-resolver`` ``api_key`` source.

A key is printed once, alone on standard output (so ``KEY=$(kong-ai keys issue --tenant t)`` captures it),
with its id and a reminder on standard error; Redis keeps only its SHA-256. ``list`` shows key ids and
prefixes, never keys. ``rotate`` issues a new key and keeps the old one valid for ``--overlap`` (24h by
default); ``revoke`` stops a key at once. A leaked key can be revoked from the key itself with
``--key-stdin`` (reading it from standard input keeps it out of the shell history and ``ps``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from typing import Any

from kong_plugins.ai_tenant_resolver.api_keys import (
    DEFAULT_OVERLAP_SECONDS,
    ApiKeyError,
    ApiKeyInfo,
    ApiKeyStore,
    IssuedKey,
)
from kong_plugins.ai_tenant_resolver.registry import DEFAULT_NAMESPACE, InvalidTenantRecord, RedisTenantStore
from kong_plugins.ai_tenant_resolver.tenant_id import InvalidTenantId, check_tenant_id
from kong_plugins.cli.main import EXIT_OK, CliError
from kong_plugins.cli.redis_options import add_redis_arguments, redis_client

__all__ = ["parse_duration", "register"]

_DURATION = re.compile(r"(?P<number>\d{1,9})(?P<unit>[smhd]?)", re.ASCII)
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_MAX_KEY_INPUT = 1024


def parse_duration(text: str) -> int:
    """``"24h"``, ``"30m"``, ``"90s"``, ``"2d"`` or plain seconds (``"0"``) → seconds."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (use e.g. 24h, 30m, 90s, 0)")
    return int(match.group("number")) * _UNIT_SECONDS[match.group("unit")]


def register(subparsers: Any) -> None:
    """Add the ``keys`` command group."""
    keys = subparsers.add_parser(
        "keys",
        help="issue, rotate, revoke and list API keys (ai-tenant-resolver api_key source)",
        description="Manage the API keys the ai-tenant-resolver api_key source accepts.",
    )
    commands = keys.add_subparsers(dest="keys_command", metavar="SUBCOMMAND", required=True)

    issue = _command(commands, "issue", "issue a new key for a tenant (printed once)")
    issue.add_argument("--tenant", required=True, help="the tenant the key authenticates")
    issue.add_argument("--json", action="store_true", help="print the key and its id as JSON")
    issue.set_defaults(handler=_issue)

    rotate = _command(commands, "rotate", "issue a new key; the old one keeps working for --overlap")
    rotate.add_argument("--tenant", required=True)
    rotate.add_argument("--key-id", help="the key to rotate (needed when the tenant has several active keys)")
    rotate.add_argument(
        "--overlap",
        type=parse_duration,
        default=DEFAULT_OVERLAP_SECONDS,
        help="how long the old key keeps working: 24h (default), 30m, 90s, 0 (stops at once)",
    )
    rotate.add_argument("--json", action="store_true", help="print the new key and the rotated keys as JSON")
    rotate.set_defaults(handler=_rotate)

    revoke = _command(commands, "revoke", "stop a key at once")
    revoke.add_argument("--tenant", help="the key's tenant (with --key-id)")
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("--key-id", help="the id shown by `keys list`")
    which.add_argument("--key-stdin", action="store_true", help="read the full key from standard input")
    revoke.set_defaults(handler=_revoke)

    listing = _command(commands, "list", "list a tenant's keys (ids and prefixes, never keys)")
    listing.add_argument("--tenant", required=True)
    listing.add_argument("--json", action="store_true", help="print JSON (one array)")
    listing.set_defaults(handler=_list)


def _command(commands: Any, name: str, text: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(name, help=text, description=text)
    add_redis_arguments(parser, DEFAULT_NAMESPACE)
    return parser


def _tenant_id(value: str | None) -> str:
    try:
        return check_tenant_id(value)
    except InvalidTenantId as exc:
        raise CliError(f"invalid tenant id: {exc}") from exc


def _store(args: argparse.Namespace) -> ApiKeyStore:
    return ApiKeyStore(redis_client(args), args.namespace)


def _info_json(info: ApiKeyInfo) -> dict[str, Any]:
    return {
        "key_id": info.key_id,
        "tenant": info.tenant_id,
        "prefix": info.prefix,
        "created_at": info.created_at,
        "expires_at": info.expires_at,
    }


def _issued_json(issued: IssuedKey) -> dict[str, Any]:
    return {
        "key": issued.key,
        "key_id": issued.key_id,
        "tenant": issued.tenant_id,
        "prefix": issued.prefix,
        "created_at": issued.created_at,
    }


def _warn_if_unregistered(args: argparse.Namespace, tenant_id: str) -> None:
    """A key for a tenant absent from the Redis registry works only with an embedded (config) registry."""
    try:
        known = RedisTenantStore(redis_client(args), args.namespace).get(tenant_id) is not None
    except InvalidTenantRecord:
        known = True
    if not known:
        print(
            f"note: tenant {tenant_id} is not in the Redis registry; requests with this key are refused "
            "unless the plugin's registry lists it",
            file=sys.stderr,
        )


def _print_issued(issued: IssuedKey) -> None:
    print(issued.key)
    print(
        f"issued key {issued.key_id} for tenant {issued.tenant_id}. It is shown only now: store it safely.",
        file=sys.stderr,
    )


def _issue(args: argparse.Namespace) -> int:
    tenant_id = _tenant_id(args.tenant)
    issued = _store(args).issue(tenant_id)
    if args.json:
        print(json.dumps(_issued_json(issued), sort_keys=True))
    else:
        _print_issued(issued)
    _warn_if_unregistered(args, tenant_id)
    return EXIT_OK


def _rotate(args: argparse.Namespace) -> int:
    tenant_id = _tenant_id(args.tenant)
    try:
        issued, rotated = _store(args).rotate(tenant_id, key_id=args.key_id, overlap_seconds=args.overlap)
    except ApiKeyError as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        payload = {"new": _issued_json(issued), "rotated": [_info_json(info) for info in rotated]}
        print(json.dumps(payload, sort_keys=True))
        return EXIT_OK
    _print_issued(issued)
    for info in rotated:
        if info.expires_at is None:
            print(f"key {info.key_id} ({info.prefix}...) revoked", file=sys.stderr)
        else:
            until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(info.expires_at))
            print(f"key {info.key_id} ({info.prefix}...) keeps working until {until}", file=sys.stderr)
    return EXIT_OK


def _revoke(args: argparse.Namespace) -> int:
    store = _store(args)
    if args.key_stdin:
        key = sys.stdin.read(_MAX_KEY_INPUT).strip()
        info = store.find(key)
        if info is None:
            raise CliError("no such key (unknown, revoked or expired)")
        tenant_id, key_id = info.tenant_id, info.key_id
    else:
        if not args.tenant:
            raise CliError("--key-id needs --tenant")
        tenant_id, key_id = _tenant_id(args.tenant), args.key_id
    if not store.revoke(tenant_id, key_id):
        raise CliError(f"tenant {tenant_id} has no key with id {key_id}")
    print(f"key {key_id} of tenant {tenant_id} revoked")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    infos = _store(args).list(_tenant_id(args.tenant))
    if args.json:
        print(json.dumps([_info_json(info) for info in infos], sort_keys=True))
        return EXIT_OK
    print(f"{'KEY ID':<14} {'PREFIX':<10} {'CREATED':<22} EXPIRES")
    for info in infos:
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(info.created_at or 0))
        expires = (
            "-"
            if info.expires_at is None
            else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(info.expires_at))
        )
        print(f"{info.key_id:<14} {info.prefix:<10} {created:<22} {expires}")
    return EXIT_OK
