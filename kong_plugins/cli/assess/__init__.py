"""``kong-ai assess FILE... | --admin-url URL``: the security posture of each AI route, graded.

For every AI route (one running our plugins or serving an LLM API path) it lists which controls are in
place - authentication and its kind, tenant resolution with anti-spoofing, endpoint/tenant/action
authorization with externalized versioned policy, per-account and aggregate limits (calibrated or not,
tighter for high-value models), input validation with injection and out-of-distribution detection, output
handling and re-authorization of actions, audit fidelity and SIEM sink, the fail-closed guard - the maturity
level it reaches (Foundational / Applied / Advanced / Strategic, :mod:`.rubric`), and the exact config
changes that reach the next level. ``--min-level LEVEL`` makes it a CI gate: exit 1 when a route is below.

Deck files are read and checked as ``kong-ai validate`` reads them (a file it refuses is not graded; plugins
it does not know, such as Kong Gateway Enterprise's auth plugins, are graded by name). ``--admin-url`` reads
``/services``, ``/routes`` and ``/plugins`` of a running gateway with GETs only, paginated as deck does.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kong_plugins.cli.admin_api import AdminApiError, AdminClient, admin_headers
from kong_plugins.cli.assess.model import RouteView, routes_from_admin, routes_from_deck
from kong_plugins.cli.assess.rubric import (
    CONTROLS,
    LEVELS,
    NOT_FROM_CONFIG,
    Change,
    RouteAssessment,
    assess_route,
    is_ai_route,
    level_index,
)
from kong_plugins.cli.main import EXIT_FAILED, EXIT_OK, CliError
from kong_plugins.cli.plugin_schemas import add_plugin_option, config_record, plugin_table
from kong_plugins.cli.validate import DeckFileError, DeckValidator, parse_deck
from kong_plugins.core.schema import flatten_field_errors, validate_config
from kong_plugins.server.registry import LoadedPlugin, PluginLoadError, load_plugin_module

__all__ = ["assess_admin", "assess_document", "register", "report_json", "rubric_markdown"]

RUBRIC_VERSION = 1


def register(subparsers: Any) -> None:
    """Add the ``assess`` command."""
    parser = subparsers.add_parser(
        "assess",
        help="grade each AI route's controls (Foundational/Applied/Advanced/Strategic)",
        description="Grade the security posture of each AI route of deck files or of a running gateway "
        "(read-only), and print the config changes that reach the next level.",
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help="deck file (YAML, or JSON when *.json)")
    parser.add_argument("--admin-url", help="Kong Admin API to read instead of files (GET only)")
    parser.add_argument(
        "--admin-header",
        action="append",
        default=[],
        metavar="NAME:VALUE",
        help="header sent to the Admin API (e.g. Kong-Admin-Token:...); repeatable",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument(
        "--min-level",
        type=str.lower,
        choices=[level.lower() for level in LEVELS],
        help="exit 1 when an AI route is below this level",
    )
    parser.add_argument("--rubric", action="store_true", help="print the rubric (Markdown) and exit")
    add_plugin_option(parser, honours_env=True)
    parser.set_defaults(handler=_run)


# ------------------------------------------------------------------------------------------------------------
# Sources
# ------------------------------------------------------------------------------------------------------------


class _Normalizer:
    """Our plugins' configs with their defaults filled in, as Kong stores them (the Admin API's view)."""

    def __init__(self, modules: Mapping[str, str]) -> None:
        self.modules = dict(modules)
        self._loaded: dict[str, LoadedPlugin] = {}

    def __call__(self, name: str, config: Any) -> dict[str, Any]:
        if name not in self.modules:
            return dict(config) if isinstance(config, Mapping) else {}
        if name not in self._loaded:
            try:
                self._loaded[name] = load_plugin_module(name, self.modules[name])
            except PluginLoadError as exc:
                raise CliError(f"plugin {name}: {exc.reason}") from exc
        normalized, errors = validate_config(config_record(self._loaded[name].schema), config)
        if errors:
            first = next(iter(flatten_field_errors(errors, "config").items()))
            raise CliError(f"{name}: {first[0]}: {first[1]} (run kong-ai validate)")
        return dict(normalized or {})


def assess_document(document: Any, modules: Mapping[str, str]) -> list[RouteAssessment]:
    """Grade the AI routes of a parsed deck document."""
    if not isinstance(document, Mapping):
        raise CliError("expected a deck document (a record at the top)")
    return _grade(routes_from_deck(document, _Normalizer(modules)))


def assess_admin(client: AdminClient) -> list[RouteAssessment]:
    """Grade the AI routes of a running gateway, read through its Admin API."""
    return _grade(
        routes_from_admin(client.list("/services"), client.list("/routes"), client.list("/plugins"))
    )


def _grade(routes: list[RouteView]) -> list[RouteAssessment]:
    return [assess_route(route) for route in routes if is_ai_route(route)]


def _load_file(path: str, validator: DeckValidator) -> Any:
    """The file's document, refused (CliError) when ``kong-ai validate`` finds errors other than plugins it
    does not know (those are graded by name: Kong Gateway Enterprise's openid-connect, mtls-auth...)."""
    try:
        data = Path(path).read_bytes()
        document = parse_deck(data, path)
    except OSError as exc:
        raise CliError(f"{path}: cannot read the file: {exc.strerror or exc}") from exc
    except DeckFileError as exc:
        raise CliError(f"{path}: {exc}") from exc
    report = validator.validate_document(document)
    errors = [f for f in report.errors if not f.message.startswith("unknown plugin:")]
    if errors:
        lines = "\n".join(f"  {finding}" for finding in errors[:20])
        raise CliError(f"{path}: the config is invalid (kong-ai validate):\n{lines}")
    return document


# ------------------------------------------------------------------------------------------------------------
# Output
# ------------------------------------------------------------------------------------------------------------


def _for_source(change: Change, source: str | None) -> Change:
    """A ``run`` change naming the file it was read from instead of ``FILE``."""
    if source is None or change.op != "run" or not isinstance(change.value, str):
        return change
    return Change(
        change.op, change.plugin, change.path, change.value.replace(" FILE ", f" {source} "), change.note
    )


def _assessment_json(item: RouteAssessment, source: str | None = None) -> dict[str, Any]:
    next_level = item.next_level
    return {
        "route": item.route.name,
        "service": item.route.service,
        "level": LEVELS[item.level],
        "authentication": item.authentication,
        "controls": [
            {
                "id": r.control.id,
                "level": LEVELS[r.control.level],
                "in_place": r.ok,
                "detail": r.detail,
            }
            for r in item.results
        ],
        "next_level": LEVELS[next_level] if next_level is not None else None,
        "missing_for_next_level": item.missing(next_level) if next_level is not None else [],
        "changes": [
            {"control": control, **_for_source(change, source).as_dict()} for control, change in item.changes
        ],
        "consumer_scoped_plugins": list(item.route.consumer_scoped),
    }


def report_json(sources: list[tuple[str, list[RouteAssessment]]], files: bool = True) -> dict[str, Any]:
    """The JSON report: per source (file or Admin API), its graded routes."""
    return {
        "rubric_version": RUBRIC_VERSION,
        "levels": list(LEVELS),
        "not_graded": list(NOT_FROM_CONFIG),
        "sources": [
            {
                "source": source,
                "routes": [_assessment_json(item, source if files else None) for item in items],
            }
            for source, items in sources
        ],
    }


def describe_change(change: Change, route: RouteView) -> str:
    """One change in words a person applies as written."""
    entry = route.plugin(change.plugin)
    where = f" (on its {entry.scope})" if entry is not None and entry.scope != "route" else ""
    value = json.dumps(change.value, sort_keys=False) if change.value is not None else ""
    if change.op == "add":
        text = f"add plugin {change.plugin} to route {route.name}, config {value}"
    elif change.op == "set":
        text = f"set {change.plugin}{where} config.{change.path} = {value}"
    elif change.op == "tag":
        text = f"tag {change.plugin}{where} with {value}"
    else:
        text = f"run {change.value}"
    return f"{text} ({change.note})" if change.note else text


def _table(sources: list[tuple[str, list[RouteAssessment]]], files: bool = True) -> str:
    lines: list[str] = []
    for source, items in sources:
        lines.append(f"== {source}: {len(items)} AI route(s)")
        if not items:
            continue
        rows = [("ROUTE", "SERVICE", "LEVEL", "AUTHENTICATION")] + [
            (i.route.name, i.route.service or "-", LEVELS[i.level], ", ".join(i.authentication) or "none")
            for i in items
        ]
        widths = [max(len(row[col]) for row in rows) for col in range(3)]
        for row in rows:
            lines.append("  ".join(cell.ljust(widths[c]) for c, cell in enumerate(row[:3])) + "  " + row[3])
        for item in items:
            lines.append("")
            lines.append(f"{item.route.name} (service {item.route.service or '-'}): {LEVELS[item.level]}")
            for r in item.results:
                mark = "x" if r.ok else " "
                lines.append(f"  [{mark}] {LEVELS[r.control.level]:<9} {r.control.id:<23} {r.detail}")
            if item.route.consumer_scoped:
                lines.append(
                    f"  note: consumer-scoped entries not graded: {', '.join(item.route.consumer_scoped)}"
                )
            if item.next_level is None:
                lines.append("  highest level reached; not graded from config: " + "; ".join(NOT_FROM_CONFIG))
                continue
            lines.append(f"  to reach {LEVELS[item.next_level]}:")
            for control, change in item.changes:
                shown = _for_source(change, source if files else None)
                lines.append(f"    {control}: {describe_change(shown, item.route)}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def rubric_markdown() -> str:
    """The rubric as a Markdown table (docs/posture.md embeds it; a test keeps them equal)."""
    lines = ["| level | control | in place when |", "|---|---|---|"]
    for control in CONTROLS:
        lines.append(f"| {LEVELS[control.level]} | `{control.id}`: {control.title} | {control.requires} |")
    for item in NOT_FROM_CONFIG:
        level, _, text = item.partition(": ")
        lines.append(f"| {level} | (not graded) {text} | outside the gateway's configuration |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------------------
# The command
# ------------------------------------------------------------------------------------------------------------


def _run(args: argparse.Namespace) -> int:
    if args.rubric:
        sys.stdout.write(rubric_markdown())
        return EXIT_OK
    if bool(args.files) == bool(args.admin_url):
        raise CliError("give deck FILEs or --admin-url (one of them)")
    sources: list[tuple[str, list[RouteAssessment]]] = []
    if args.admin_url:
        try:
            client = AdminClient(args.admin_url, headers=admin_headers(args.admin_header))
            sources.append((args.admin_url, assess_admin(client)))
        except AdminApiError as exc:
            raise CliError(str(exc)) from exc
    else:
        modules, _explicit = plugin_table(args, os.environ)
        validator = DeckValidator(modules)
        for path in args.files:
            sources.append((path, assess_document(_load_file(path, validator), modules)))
    files = not args.admin_url
    if args.format == "json":
        print(json.dumps(report_json(sources, files), indent=2))
    else:
        sys.stdout.write(_table(sources, files))
    if args.min_level is None:
        return EXIT_OK
    wanted = level_index(args.min_level)
    below = [
        f"{item.route.name} ({LEVELS[item.level]})"
        for _, items in sources
        for item in items
        if item.level < wanted
    ]
    if below:
        print(
            f"kong-ai assess: {len(below)} route(s) below {LEVELS[wanted]}: {', '.join(below)}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK
