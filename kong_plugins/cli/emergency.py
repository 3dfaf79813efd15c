"""``kong-ai emergency isolate|restrict|revoke-keys|lift|list``: act on a tenant on every gateway node.

The controls live in Redis (layout in :mod:`kong_plugins.ai_tenant_resolver.emergency`), where every
``ai-tenant-resolver`` reads them with its tenant lookup: no config push, every node within ``cache_ttl``.
``isolate`` refuses all the tenant's requests (403); ``restrict`` narrows its per-minute token limits, models
and routes; both lapse by themselves at the end of ``--for`` (isolate may also last until lifted).
``revoke-keys`` deletes API keys (a lookup is never cached: the next request is refused). Every action is
appended to the emergency log stream with who (``--by``, default the OS user) and why (``--reason``);
``list`` shows what is in force, ``list --history`` the log.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import sys
import time
from typing import Any

from kong_plugins.ai_tenant_resolver.api_keys import ApiKeyStore
from kong_plugins.ai_tenant_resolver.emergency import (
    CONTROLS,
    ISOLATE,
    RESTRICT,
    Control,
    EmergencyRecordError,
    EmergencyStore,
)
from kong_plugins.ai_tenant_resolver.registry import DEFAULT_NAMESPACE, RedisTenantStore
from kong_plugins.ai_tenant_resolver.tenant_id import InvalidTenantId, check_tenant_id
from kong_plugins.cli.keys import parse_duration
from kong_plugins.cli.main import EXIT_OK, CliError
from kong_plugins.cli.redis_options import add_redis_arguments, redis_client
from kong_plugins.core.redis import redis_errors

__all__ = ["parse_tokens_per_minute", "register"]

_PERCENT = re.compile(r"(?P<number>\d{1,3}(?:\.\d{1,3})?)%", re.ASCII)
_TOKENS = re.compile(r"\d{1,15}", re.ASCII)
MAX_SUGGESTIONS = 5


def parse_tokens_per_minute(text: str) -> dict[str, Any]:
    """``10%`` → the tenant's per-minute token limits times 0.1; ``5000`` → capped at 5000 tokens."""
    text = text.strip()
    percent = _PERCENT.fullmatch(text)
    if percent is not None:
        value = float(percent.group("number"))
        if value > 100:
            raise argparse.ArgumentTypeError("a percentage is at most 100%")
        return {"tokens_factor": value / 100}
    if _TOKENS.fullmatch(text):
        return {"tokens_per_minute": int(text)}
    raise argparse.ArgumentTypeError(f"not a percentage or a token count: {text!r} (use e.g. 10% or 5000)")


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def register(subparsers: Any) -> None:
    """Add the ``emergency`` command group."""
    group = subparsers.add_parser(
        "emergency",
        help="isolate, restrict, revoke keys of a tenant on every gateway node at once; list and lift",
        description="Emergency controls read by ai-tenant-resolver from Redis: no config push, every node "
        "within the plugin's cache_ttl, every action logged.",
    )
    commands = group.add_subparsers(dest="emergency_command", metavar="SUBCOMMAND", required=True)

    isolate = _command(commands, "isolate", "refuse every request of a tenant (403) on every route")
    isolate.add_argument("tenant_id")
    isolate.add_argument(
        "--for",
        dest="duration",
        type=parse_duration,
        help="lapse after this long (2h, 30m, 90s); default: until lifted",
    )
    _unknown_tenant_option(isolate)
    isolate.set_defaults(handler=_isolate)

    restrict = _command(commands, "restrict", "narrow a tenant's limits, models or routes for a while")
    restrict.add_argument("tenant_id")
    restrict.add_argument(
        "--for", dest="duration", type=parse_duration, required=True, help="lapse after this long (2h, 30m)"
    )
    restrict.add_argument(
        "--tokens-per-minute",
        type=parse_tokens_per_minute,
        help=(
            "the tenant's per-minute token limits: a share (10%%) or a cap (5000); on a route whose token "
            "limiter has no per-minute tenant token limit, an extra one (5000; or 10%% of the tightest "
            "token limit per minute)"
        ),
    )
    restrict.add_argument(
        "--models", type=_names, help="the only models the tenant may use, comma-separated (prefix* allowed)"
    )
    restrict.add_argument("--routes", type=_names, help="the only routes (names or ids), comma-separated")
    _unknown_tenant_option(restrict)
    restrict.set_defaults(handler=_restrict)

    revoke = _command(commands, "revoke-keys", "revoke all of a tenant's API keys (or one) at once")
    revoke.add_argument("tenant_id")
    revoke.add_argument("--key", dest="key_id", help="only this key id (see `kong-ai keys list`)")
    _unknown_tenant_option(revoke)
    revoke.set_defaults(handler=_revoke_keys)

    lift = _command(commands, "lift", "end a tenant's controls now")
    lift.add_argument("tenant_id")
    lift.add_argument("--only", choices=CONTROLS, help="lift only this control (default: all)")
    lift.set_defaults(handler=_lift)

    listing = _command(commands, "list", "what is in force: by whom, why, until when")
    listing.add_argument(
        "--history", action="store_true", help="show the log of actions instead, newest first"
    )
    listing.add_argument("--tenant", help="only this tenant")
    listing.add_argument("--limit", type=int, default=50, help="most log entries shown (--history)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=_list)


def _command(commands: Any, name: str, text: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(name, help=text, description=text)
    add_redis_arguments(parser, DEFAULT_NAMESPACE)
    if name != "list":
        parser.add_argument("--reason", default="", help="why (kept in the log and shown by list)")
        parser.add_argument("--by", default=None, help="who acts (default: the OS user)")
    return parser


def _unknown_tenant_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--unknown-tenant",
        action="store_true",
        help="act on a tenant id the Redis registry does not hold (a config registry's tenant)",
    )


def _check_known(args: argparse.Namespace, tenant_id: str) -> None:
    """Refuse a tenant id the Redis registry in use does not hold: a control on ``Acme`` never touches
    ``acme`` (ids are case-sensitive), and the CLI would report a tenant isolated that nothing refuses.
    An empty registry (tenants in the plugin's config) cannot be checked: a note says so."""
    store = RedisTenantStore(redis_client(args), args.namespace)
    with redis_errors("tenant registry read"):
        known = bool(store.client.sismember(store.index_key, tenant_id))
        registry_used = known or bool(store.client.scard(store.index_key))
    if known:
        return
    if not registry_used:
        print(
            f"note: no tenant in the Redis registry of namespace {args.namespace}: check that {tenant_id} "
            "is spelled as in the plugin's config (ids are case-sensitive)",
            file=sys.stderr,
        )
        return
    if args.unknown_tenant:
        return
    folded = tenant_id.casefold()
    similar = [t for t in store.list_ids() if t.casefold() == folded][:MAX_SUGGESTIONS]
    hint = f" (did you mean {', '.join(similar)}?)" if similar else ""
    raise CliError(
        f"tenant {tenant_id} is not in the Redis registry{hint}; ids are case-sensitive. "
        "Use --unknown-tenant to act on it anyway"
    )


def _operator(args: argparse.Namespace) -> str:
    if args.by:
        return str(args.by)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or "unknown"


def _tenant_id(value: str | None) -> str:
    try:
        return check_tenant_id(value)
    except InvalidTenantId as exc:
        raise CliError(f"invalid tenant id: {exc}") from exc


def _store(args: argparse.Namespace) -> EmergencyStore:
    return EmergencyStore(redis_client(args), args.namespace)


def _when(ms: int | None) -> str:
    if ms is None:
        return "until lifted"
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms / 1000))


def _set(args: argparse.Namespace, kind: str, terms: dict[str, Any] | None = None) -> Control:
    tenant_id = _tenant_id(args.tenant_id)
    _check_known(args, tenant_id)
    try:
        return _store(args).set_control(
            tenant_id, kind, seconds=args.duration, by=_operator(args), reason=args.reason, terms=terms
        )
    except EmergencyRecordError as exc:
        raise CliError(str(exc)) from exc


def _isolate(args: argparse.Namespace) -> int:
    control = _set(args, ISOLATE)
    print(f"tenant {args.tenant_id} isolated ({_when(control.until_ms)})")
    return EXIT_OK


def _restrict(args: argparse.Namespace) -> int:
    terms: dict[str, Any] = {}
    if args.tokens_per_minute:
        terms.update(args.tokens_per_minute)
    # given but empty (`--routes ,`): refused by check_terms, never dropped (a restriction not imposed)
    if args.models is not None:
        terms["models"] = args.models
    if args.routes is not None:
        terms["routes"] = args.routes
    if not terms:
        raise CliError("restrict needs at least one of --tokens-per-minute, --models, --routes")
    control = _set(args, RESTRICT, terms)
    print(f"tenant {args.tenant_id} restricted ({_when(control.until_ms)}): {json.dumps(control.terms())}")
    return EXIT_OK


def _revoke_keys(args: argparse.Namespace) -> int:
    tenant_id = _tenant_id(args.tenant_id)
    _check_known(args, tenant_id)
    client = redis_client(args)
    keys = ApiKeyStore(client, args.namespace)
    if args.key_id:
        if not keys.revoke(tenant_id, args.key_id):
            raise CliError(f"tenant {tenant_id} has no key with id {args.key_id}")
        revoked = [args.key_id]
    else:
        revoked = keys.revoke_all(tenant_id)
    EmergencyStore(client, args.namespace).audit(
        "revoke-keys",
        tenant_id,
        by=_operator(args),
        reason=args.reason,
        until_ms=None,
        detail={"key_ids": revoked},
    )
    print(f"{len(revoked)} key(s) of tenant {tenant_id} revoked: {', '.join(revoked) or '-'}")
    return EXIT_OK


def _lift(args: argparse.Namespace) -> int:
    tenant_id = _tenant_id(args.tenant_id)
    kinds = [args.only] if args.only else list(CONTROLS)
    lifted = _store(args).lift(tenant_id, kinds, by=_operator(args), reason=args.reason)
    if not lifted:
        raise CliError(f"tenant {tenant_id} has no {' or '.join(kinds)} in force")
    print(f"tenant {tenant_id}: {', '.join(lifted)} lifted")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    store = _store(args)
    tenant = _tenant_id(args.tenant) if args.tenant else None
    if args.history:
        if args.limit < 1:
            raise CliError("--limit must be at least 1")
        actions = store.history(args.limit, tenant)
        if args.json:
            print(json.dumps(actions, sort_keys=True))
            return EXIT_OK
        print(f"{'AT':<22} {'ACTION':<12} {'TENANT':<24} {'BY':<16} {'UNTIL':<22} REASON / DETAIL")
        for action in actions:
            detail = json.dumps(action["detail"], sort_keys=True) if action["detail"] else ""
            until = _when(action["until_ms"]) if action["action"] in CONTROLS else "-"
            print(
                f"{_when(action['at_ms']):<22} {action['action']:<12} {action['tenant']:<24} "
                f"{action['by']:<16} {until:<22} {action['reason']} {detail}".rstrip()
            )
        return EXIT_OK
    entries = [entry for entry in store.list() if tenant is None or entry.tenant_id == tenant]
    if args.json:
        rows = [
            {
                "tenant": entry.tenant_id,
                "controls": [c.to_display() for c in entry.overlay.controls] if entry.overlay else [],
                **({"error": entry.error} if entry.error else {}),
            }
            for entry in entries
        ]
        print(json.dumps(rows, sort_keys=True))
        return EXIT_OK
    print(f"{'TENANT':<24} {'CONTROL':<9} {'UNTIL':<22} {'BY':<16} {'SINCE':<22} REASON / TERMS")
    for entry in entries:
        if entry.overlay is None:
            print(f"{entry.tenant_id:<24} (unreadable: {entry.error})", file=sys.stdout)
            continue
        for control in entry.overlay.controls:
            terms = json.dumps(control.terms(), sort_keys=True) if control.terms() else ""
            print(
                f"{entry.tenant_id:<24} {control.kind:<9} {_when(control.until_ms):<22} {control.by:<16} "
                f"{_when(control.at_ms):<22} {control.reason} {terms}".rstrip()
            )
    return EXIT_OK
