"""``scripts/enable-plugins FILE``: enable or update our plugins on routes through Kong's Admin API.

For a gateway run with a database (a DB-less node takes its whole config from a deck file instead): each
entry of one of our plugins on a route in FILE (a deck file: nested under ``services[].routes[]`` or
``routes[]``, or a top-level ``plugins`` entry naming a ``route``) is made to hold on the gateway, plugin by
plugin, without touching anything else:

- the route's plugin of that name does not exist: ``POST /routes/{id}/plugins``;
- it exists with another config (compared with its defaults filled in, as Kong stores it), ``enabled`` or
  ``tags``: one ``PATCH /routes/{id}/plugins/{plugin id}`` with the whole config, so that the result is the
  file's config exactly (a partial PATCH would keep fields the file leaves out);
- it is identical: nothing is sent.

Running it twice changes nothing the second time. ``--dry-run`` reads the gateway (GETs only) and prints
what would change, as a unified diff of each plugin's config. The file is checked as ``kong-ai validate``
checks it first; a route that is not on the gateway, or an answer other than 200/201, is an error (exit 1)
and the plugins already applied stay applied (each change stands alone). Entries of other plugins (Kong's
key-auth, pre-function...), and service-wide or global entries, are listed as not handled.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kong_plugins.cli import fail_closed
from kong_plugins.cli.admin_api import AdminApiError, AdminClient, admin_headers
from kong_plugins.cli.main import EXIT_FAILED, EXIT_OK, CliError
from kong_plugins.cli.plugin_schemas import add_plugin_option, config_record, plugin_table
from kong_plugins.cli.validate import DeckFileError, DeckValidator, parse_deck
from kong_plugins.core.schema import validate_config
from kong_plugins.server.registry import load_plugin_module

__all__ = ["Action", "DesiredPlugin", "desired_plugins", "enable_plugins", "main", "same_value"]

ENTITY_FIELDS = ("enabled", "tags")


@dataclass(frozen=True)
class DesiredPlugin:
    """One of our plugins as FILE wants it on a route (config normalized, defaults filled in)."""

    route: str
    name: str
    config: dict[str, Any]
    enabled: bool = True
    tags: tuple[str, ...] | None = None


@dataclass
class Action:
    """What was (or, in a dry run, would be) done for one desired plugin."""

    kind: str  # "create" | "update" | "unchanged"
    plugin: DesiredPlugin
    before: dict[str, Any] | None = None
    diff: list[str] = field(default_factory=list)


def _route_entries(document: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(route name, plugin entry) of every route-scoped plugin entry of the document."""
    routes: list[Mapping[str, Any]] = [
        route for service in document.get("services") or [] for route in service.get("routes") or []
    ]
    routes += list(document.get("routes") or [])
    for route in routes:
        for plugin in route.get("plugins") or []:
            yield str(route.get("name") or route.get("id")), plugin
    for plugin in document.get("plugins") or []:
        ref = plugin.get("route")
        if ref is not None:
            yield str(ref.get("name") or ref.get("id") if isinstance(ref, Mapping) else ref), plugin


def desired_plugins(
    document: Mapping[str, Any], modules: Mapping[str, str]
) -> tuple[list[DesiredPlugin], list[str]]:
    """Our plugins' route entries (normalized) and a note for each entry this script does not handle."""
    desired, skipped = [], []
    loaded: dict[str, Any] = {}
    for route, entry in _route_entries(document):
        name = entry.get("name")
        if name in modules:
            if name not in loaded:
                loaded[name] = load_plugin_module(name, modules[name])
            config, errors = validate_config(config_record(loaded[name].schema), entry.get("config"))
            if errors:  # kong-ai validate ran first: cannot happen for a file it accepted
                raise CliError(f"route {route}: {name}: invalid config")
        elif name in fail_closed.GUARDS:
            config = fail_closed.normalized_config(entry.get("config") or {}, name)
        else:
            skipped.append(f"route {route}: {name} is not one of our plugins: not handled")
            continue
        tags = entry.get("tags")
        desired.append(
            DesiredPlugin(
                route,
                str(name),
                dict(config or {}),
                entry.get("enabled", True) is not False,
                tuple(tags) if isinstance(tags, list) else None,
            )
        )
    for kind in ("services", "plugins"):
        for item in document.get(kind) or []:
            entries = item.get("plugins") or [] if kind == "services" else [item]
            for plugin in entries:
                if kind == "plugins" and plugin.get("route") is not None:
                    continue
                scope = f"service {item.get('name')}" if kind == "services" else "global"
                skipped.append(f"{scope}: {plugin.get('name')} is not on a route: not handled")
    return desired, skipped


def same_value(a: Any, b: Any) -> bool:
    """Equal as Kong means it across JSON and Lua: numbers by value, an empty map is an empty array (Lua
    has one empty table), maps by keys with null meaning absent."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if a in ({}, []) and b in ({}, []):
        return True
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        keys = {k for k, v in a.items() if v is not None} | {k for k, v in b.items() if v is not None}
        return all(same_value(a.get(k), b.get(k)) for k in keys)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _shown(value: Any) -> list[str]:
    return json.dumps(value, indent=2, sort_keys=True).splitlines()


def _plan(client: AdminClient, want: DesiredPlugin, route_id: str) -> tuple[Action, dict[str, Any] | None]:
    quoted = urllib.parse.quote(route_id, safe="")
    existing = next((p for p in client.list(f"/routes/{quoted}/plugins") if p.get("name") == want.name), None)
    if existing is None:
        return Action("create", want, None, [f"+ {line}" for line in _shown(want.config)]), None
    before = dict(existing.get("config") or {})
    same = same_value(before, want.config) and existing.get("enabled", True) == want.enabled
    if want.tags is not None:
        same = same and sorted(existing.get("tags") or []) == sorted(want.tags)
    if same:
        return Action("unchanged", want, before), existing
    diff = list(
        difflib.unified_diff(
            _shown(
                {"config": before, "enabled": existing.get("enabled", True), "tags": existing.get("tags")}
            ),
            _shown(
                {
                    "config": want.config,
                    "enabled": want.enabled,
                    "tags": list(want.tags or []) if want.tags is not None else existing.get("tags"),
                }
            ),
            "gateway",
            "file",
            lineterm="",
        )
    )
    return Action("update", want, before, diff), existing


def enable_plugins(
    client: AdminClient, document: Mapping[str, Any], modules: Mapping[str, str], *, dry_run: bool = False
) -> tuple[list[Action], list[str]]:
    """Make FILE's route plugins hold on the gateway; returns what was done (or would be) and the notes."""
    desired, notes = desired_plugins(document, modules)
    actions: list[Action] = []
    route_ids: dict[str, str] = {}
    for want in desired:
        if want.route not in route_ids:
            status, body = client.request("GET", f"/routes/{urllib.parse.quote(want.route, safe='')}")
            if status == 404:
                raise CliError(f"route {want.route} is not on the gateway: create it first (deck, Admin API)")
            if status != 200 or not isinstance(body, dict) or not isinstance(body.get("id"), str):
                raise CliError(f"GET /routes/{want.route}: {status} {_message(body)}")
            route_ids[want.route] = body["id"]
        route_id = route_ids[want.route]
        action, existing = _plan(client, want, route_id)
        actions.append(action)
        if dry_run or action.kind == "unchanged":
            continue
        payload: dict[str, Any] = {"config": want.config, "enabled": want.enabled}
        if want.tags is not None:
            payload["tags"] = list(want.tags)
        if action.kind == "create":
            status, body = client.request(
                "POST", f"/routes/{route_id}/plugins", {"name": want.name, **payload}
            )
            expected = 201
        else:
            assert existing is not None
            status, body = client.request("PATCH", f"/routes/{route_id}/plugins/{existing['id']}", payload)
            expected = 200
        if status != expected:
            raise CliError(f"{action.kind} {want.name} on route {want.route}: {status} {_message(body)}")
    return actions, notes


def _message(body: Any) -> str:
    if isinstance(body, dict):
        text = str(body.get("message") or "")
        if isinstance(body.get("fields"), dict):
            text += " " + json.dumps(body["fields"])[:500]
        return text.strip()
    return ""


# ------------------------------------------------------------------------------------------------------------
# The script
# ------------------------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scripts/enable-plugins",
        description="Enable or update the kong-ai-guard plugins of FILE's routes through Kong's Admin API, "
        "idempotently: create, or PATCH a plugin whose config differs, nothing when identical.",
    )
    parser.add_argument("file", metavar="FILE", help="deck file whose routes' plugins to apply")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("KONG_ADMIN_URL", "http://127.0.0.1:8001"),
        help="Kong Admin API (default: $KONG_ADMIN_URL, else http://127.0.0.1:8001)",
    )
    parser.add_argument(
        "--admin-header", action="append", default=[], metavar="NAME:VALUE", help="header for the Admin API"
    )
    parser.add_argument("--dry-run", action="store_true", help="read only; print what would change")
    add_plugin_option(parser, honours_env=True)
    return parser


def run(args: argparse.Namespace) -> int:
    modules, _ = plugin_table(args, os.environ)
    try:
        document = parse_deck(Path(args.file).read_bytes(), args.file)
    except OSError as exc:
        raise CliError(f"{args.file}: cannot read the file: {exc.strerror or exc}") from exc
    except DeckFileError as exc:
        raise CliError(f"{args.file}: {exc}") from exc
    report = DeckValidator(modules).validate_document(document)
    if report.errors:
        raise CliError(
            f"{args.file}: invalid (kong-ai validate):\n" + "\n".join(f"  {f}" for f in report.errors[:20])
        )
    client = AdminClient(args.admin_url, headers=admin_headers(args.admin_header))
    try:
        actions, notes = enable_plugins(client, document, modules, dry_run=args.dry_run)
    except AdminApiError as exc:
        raise CliError(str(exc)) from exc
    would = "would " if args.dry_run else ""
    for action in actions:
        where = f"{action.plugin.name} on route {action.plugin.route}"
        if action.kind == "unchanged":
            print(f"= {where}: unchanged")
            continue
        print(f"{'+' if action.kind == 'create' else '~'} {where}: {would}{action.kind}")
        if args.dry_run:
            for line in action.diff:
                print(f"    {line}")
    for note in notes:
        print(f"  note: {note}")
    counts = {kind: sum(1 for a in actions if a.kind == kind) for kind in ("create", "update", "unchanged")}
    print(
        f"enable-plugins: {would}create {counts['create']}, {would}update {counts['update']}, "
        f"unchanged {counts['unchanged']}" + (" (dry run: nothing sent)" if args.dry_run else "")
    )
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except CliError as exc:
        print(f"enable-plugins: error: {exc}", file=sys.stderr)
        return exc.exit_code or EXIT_FAILED
