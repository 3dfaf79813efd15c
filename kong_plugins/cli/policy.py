"""``kong-ai policy push|list|show|diff|rollback|promote|test|schema``: ai-action-authz policy versions.

Every policy is validated against our Cedar schema before anything is written: a policy that does not parse
or validate is refused (exit 1) and the active version stays as it was. ``test`` runs offline (no Redis):
it is what a team runs in CI next to its policy files. Layout and guarantees:
:mod:`kong_plugins.ai_action_authz.store`.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from kong_plugins.ai_action_authz import cases as cases_module
from kong_plugins.ai_action_authz.cases import CaseError, run_cases
from kong_plugins.ai_action_authz.entity_model import CEDAR_SCHEMA
from kong_plugins.ai_action_authz.policy import MAX_POLICY_BYTES, CompiledPolicy, PolicyError, compile_policy
from kong_plugins.ai_action_authz.store import DEFAULT_NAMESPACE, PolicyStore, StoreError
from kong_plugins.cli.main import EXIT_FAILED, EXIT_OK, CliError
from kong_plugins.cli.redis_options import add_redis_arguments, redis_client

__all__ = ["register"]

MAX_CASE_FILE_BYTES = 8 * 1024 * 1024


def register(subparsers: Any) -> None:
    """Add the ``policy`` command group."""
    policy = subparsers.add_parser(
        "policy",
        help="versioned Cedar policies of ai-action-authz",
        description="Push, inspect, test, canary, promote and roll back the policies ai-action-authz reads "
        "from Redis (policy_source: redis).",
    )
    commands = policy.add_subparsers(dest="policy_command", metavar="SUBCOMMAND", required=True)

    push = _command(commands, "push", "validate FILE and store it as a new version, active (or canary)")
    push.add_argument("file", help="Cedar policy file")
    push.add_argument("--canary", metavar="TENANT,...", help="active for these tenants only (promote later)")
    push.add_argument("--message", "-m", default="", help="a note kept with the version")
    push.set_defaults(handler=_push)

    listing = _command(commands, "list", "list the versions, marking the active and canary ones")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=_list)

    show = _command(commands, "show", "print a version's policy text (default: the active one)")
    show.add_argument("version", nargs="?")
    show.set_defaults(handler=_show)

    diff = _command(commands, "diff", "unified diff between two versions")
    diff.add_argument("a")
    diff.add_argument("b")
    diff.set_defaults(handler=_diff)

    rollback = _command(
        commands, "rollback", "drop the canary; without one, go back to VERSION (default: the previous)"
    )
    rollback.add_argument("version", nargs="?")
    rollback.set_defaults(handler=_rollback)

    promote = _command(commands, "promote", "make the canary version active for every tenant")
    promote.set_defaults(handler=_promote)

    test = commands.add_parser(
        "test",
        help="run allow/deny cases against FILE, offline",
        description=cases_module.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    test.add_argument("file", help="Cedar policy file")
    test.add_argument("--cases", required=True, help="YAML case file (format: kong-ai policy test --help)")
    test.set_defaults(handler=_test)

    schema = commands.add_parser(
        "schema", help="print our Cedar schema (declarative/policies/schema.cedarschema)"
    )
    schema.set_defaults(handler=lambda _args: print(CEDAR_SCHEMA, end="") or EXIT_OK)


def _command(commands: Any, name: str, text: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(name, help=text, description=text)
    add_redis_arguments(parser, DEFAULT_NAMESPACE)
    return parser


def _store(args: argparse.Namespace) -> PolicyStore:
    return PolicyStore(redis_client(args), args.namespace)


def _compiled(path: str) -> CompiledPolicy:
    file = Path(path)
    try:
        if file.stat().st_size > MAX_POLICY_BYTES:
            raise CliError(f"{path}: larger than {MAX_POLICY_BYTES} bytes")
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"{path}: {exc}") from None
    try:
        return compile_policy(text)
    except PolicyError as exc:
        raise CliError(f"{path}: {exc}") from None


def _push(args: argparse.Namespace) -> int:
    compiled = _compiled(args.file)  # refused before anything is written
    canary = [t.strip() for t in (args.canary or "").split(",") if t.strip()]
    try:
        name = _store(args).push(compiled.text, canary=canary or None, message=args.message)
    except StoreError as exc:
        raise CliError(str(exc)) from None
    where = f"canary for {', '.join(canary)}" if canary else "active"
    print(f"pushed {name} ({compiled.policy_count} policies), {where}")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    store = _store(args)
    state = store.state()
    rows = []
    for name in store.versions():
        stored = store.version(name)
        marks = []
        if name == state.active:
            marks.append("active")
        if name == state.canary_version:
            marks.append(f"canary({','.join(state.canary_tenants)})")
        rows.append(
            {
                "version": name,
                "status": " ".join(marks),
                "created": stored.created if stored else None,
                "sha256": stored.sha256[:12] if stored else "(not intact)",
                "message": stored.message if stored else "",
            }
        )
    if args.json:
        print(json.dumps(rows))
        return EXIT_OK
    for row in rows:
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(row["created"] or 0))
        print(f"{row['version']:<8} {row['status']:<24} {created} {row['sha256']} {row['message']}".rstrip())
    return EXIT_OK


def _text(store: PolicyStore, name: str) -> str:
    stored = store.version(name)
    if stored is None:
        raise CliError(f"version {name} does not exist (or is not intact)")
    return stored.text


def _show(args: argparse.Namespace) -> int:
    store = _store(args)
    name = args.version or store.state().active
    if not name:
        raise CliError("no active version")
    print(_text(store, name), end="")
    return EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    store = _store(args)
    a, b = _text(store, args.a), _text(store, args.b)
    sys.stdout.writelines(
        difflib.unified_diff(a.splitlines(True), b.splitlines(True), fromfile=args.a, tofile=args.b)
    )
    return EXIT_OK


def _rollback(args: argparse.Namespace) -> int:
    try:
        state = _store(args).rollback(args.version)
    except StoreError as exc:
        raise CliError(str(exc)) from None
    print(f"active {state.active}" + (f", canary {state.canary_version}" if state.canary_version else ""))
    return EXIT_OK


def _promote(args: argparse.Namespace) -> int:
    try:
        active = _store(args).promote()
    except StoreError as exc:
        raise CliError(str(exc)) from None
    print(f"active {active}")
    return EXIT_OK


def _test(args: argparse.Namespace) -> int:
    compiled = _compiled(args.file)
    try:
        raw = Path(args.cases).read_bytes()
        if len(raw) > MAX_CASE_FILE_BYTES:
            raise CliError(f"{args.cases}: larger than {MAX_CASE_FILE_BYTES} bytes")
        results = run_cases(compiled, yaml.safe_load(raw))
    except (OSError, yaml.YAMLError) as exc:
        raise CliError(f"{args.cases}: {exc}") from None
    except CaseError as exc:
        raise CliError(f"{args.cases}: {exc}") from None
    for result in results:
        print(result.line())
    failed = sum(not r.passed for r in results)
    print(f"{len(results) - failed} passed, {failed} failed ({compiled.version})")
    return EXIT_FAILED if failed else EXIT_OK
