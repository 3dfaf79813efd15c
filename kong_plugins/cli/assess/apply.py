"""Apply the changes ``kong-ai assess`` proposes to a deck document (a copy), as a person would by hand.

Used to prove the proposals exact: applied to a file, the file still passes ``kong-ai validate`` and its
route reaches the next level (tests/unit/cli/test_cli_assess.py). A ``set`` or ``tag`` goes to the entry
that applies to the route (the route's own, else its service's, else the global one), ``add`` appends an
entry to the route, ``run`` is a command for the operator and changes nothing here.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from kong_plugins.cli.assess.rubric import CALIBRATED_TAG, Change

__all__ = ["apply_changes"]


def _routes(document: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
    for service in document.get("services") or []:
        for route in service.get("routes") or []:
            yield route, service
    for route in document.get("routes") or []:
        yield route, None


def _entry(document: dict[str, Any], route: dict[str, Any], service: dict[str, Any] | None, name: str) -> Any:
    for scope in (route, service, document):
        if scope is None:
            continue
        for plugin in scope.get("plugins") or []:
            if plugin.get("name") == name and (scope is not document or not plugin.get("route")):
                return plugin
    raise KeyError(f"no {name} applies to the route")


def apply_changes(document: dict[str, Any], route_name: str, changes: Sequence[Change]) -> dict[str, Any]:
    """A copy of ``document`` with ``changes`` made on route ``route_name``."""
    out = copy.deepcopy(document)
    route, service = next((r, s) for r, s in _routes(out) if r.get("name") == route_name)
    for change in changes:
        if change.op == "add":
            route.setdefault("plugins", []).append(
                {"name": change.plugin, "config": copy.deepcopy(change.value)}
            )
        elif change.op == "set":
            plugin = _entry(out, route, service, change.plugin)
            node = plugin.setdefault("config", {})
            *parents, last = change.path.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[last] = copy.deepcopy(change.value)
        elif change.op == "tag":
            plugin = _entry(out, route, service, change.plugin)
            today = dt.datetime.now(dt.UTC).date().isoformat()
            plugin.setdefault("tags", []).append(f"{CALIBRATED_TAG}:{today}")
    return out
