"""``kong-ai schema NAME [--json]``: one plugin's schema, as Kong receives it or as a short outline.

``--json`` prints exactly what the plugin server's query command (``kong-ai-pluginserver --dump NAME``)
prints for the plugin, byte for byte, so that an operator can see what Kong will load without starting
anything (pipe it through ``python3 -m json.tool`` to read it). Without ``--json``: one line per config field
(path, type, required, default, constraints), then the entity checks and deprecations, in the words of
``kong-ai docs``. Like the plugin server, the plugin table honours ``--plugin`` and ``KONG_AI_PLUGINS``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from kong_plugins.cli.main import EXIT_OK
from kong_plugins.cli.plugin_schemas import (
    NOT_NULL,
    REQUIRED,
    FieldRow,
    add_plugin_option,
    config_record,
    entity_check_sentences,
    field_rows,
    load_plugin,
    plugin_table,
)
from kong_plugins.server.registry import LoadedPlugin

__all__ = ["query_dump", "register", "render_outline"]

_WIDEST_COLUMN = 48  # longer paths overflow their column instead of pushing every line to the right


def register(subparsers: Any) -> None:
    """Add the ``schema`` command."""
    parser = subparsers.add_parser(
        "schema",
        help="print a plugin's schema (outline, or --json as the query command prints it)",
        description="Print a plugin's config schema as an outline, or with --json exactly as the plugin "
        "server's query command (kong-ai-pluginserver --dump NAME) prints it.",
    )
    parser.add_argument("name", metavar="NAME", help="plugin name, e.g. ai-tenant-resolver")
    parser.add_argument("--json", action="store_true", help="print the query command's JSON")
    add_plugin_option(parser, honours_env=True)
    parser.set_defaults(handler=_run)


def query_dump(plugin: LoadedPlugin) -> str:
    """What ``kong-ai-pluginserver --dump NAME`` prints for ``plugin`` (one JSON line)."""
    return json.dumps([plugin.info()]) + "\n"


def _flags(row: FieldRow) -> str:
    flags = []
    if row.required == REQUIRED:
        flags.append("required")
    elif row.required == NOT_NULL:
        flags.append("not null")
    if row.default is not None:
        flags.append(f"default {row.default}")
    flags.extend(row.constraints)
    return "; ".join(flags)


def render_outline(plugin: LoadedPlugin) -> str:
    """A readable outline of ``plugin``'s config schema (no descriptions: ``kong-ai docs`` has them)."""
    record = config_record(plugin.schema)
    rows = field_rows(record)
    path_width = min(max((len(row.path) for row in rows), default=0), _WIDEST_COLUMN)
    type_width = min(max((len(row.type) for row in rows), default=0), _WIDEST_COLUMN)
    phases = ", ".join(plugin.phases) or "none"
    lines = [f"{plugin.name} {plugin.version} (priority {plugin.priority}; phases: {phases})", ""]
    lines.extend(
        f"{row.path:<{path_width}}  {row.type:<{type_width}}  {_flags(row)}".rstrip() for row in rows
    )
    sentences = entity_check_sentences(record)
    if sentences:
        lines.extend(["", "entity checks:"])
        lines.extend(f"  - {sentence}" for sentence in sentences)
    deprecated = [row for row in rows if row.deprecation is not None]
    if deprecated:
        lines.extend(["", "deprecated:"])
        for row in deprecated:
            deprecation = row.deprecation or {}
            removal = deprecation.get("removal_in_version")
            until = f" (removal in {removal})" if removal else ""
            lines.append(f"  - {row.path}: {deprecation.get('message') or 'deprecated'}{until}")
    return "\n".join(lines) + "\n"


def _run(args: argparse.Namespace) -> int:
    modules, _explicit = plugin_table(args, os.environ)
    plugin = load_plugin(args.name, modules)
    sys.stdout.write(query_dump(plugin) if args.json else render_outline(plugin))
    return EXIT_OK
