"""What ``kong-ai assess`` looks at: each route of a gateway with the plugins Kong would run on it.

Two sources give the same :class:`RouteView` list, so that a deck file and a running gateway are graded alike:
a deck document (:func:`routes_from_deck`) and the entities of Kong's Admin API (:func:`routes_from_admin`).
Kong runs one instance of each plugin per request, the most specific one (route over service over global;
kong/runloop/plugins_iterator.lua), and disabled entries are not loaded at all, so a route's *effective*
plugins are computed that way. Consumer-scoped entries only apply to some callers: they are counted apart
(``consumer_scoped``) and never as a route's control.

Our plugins' configs are compared with their defaults filled in, as Kong stores them: a deck file's entry is
normalized with the plugin's own schema (the one ``kong-ai validate`` uses) before it is graded, and the
Admin API returns them normalized already.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["PluginEntry", "RouteView", "routes_from_admin", "routes_from_deck"]

Normalizer = Callable[[str, Any], dict[str, Any]]
"""(plugin name, config as written) -> config with defaults; raises ValueError when the config is invalid."""


@dataclass(frozen=True)
class PluginEntry:
    """One plugin entry as it applies to a route."""

    name: str
    config: Mapping[str, Any]
    scope: str  # "route" | "service" | "global"
    tags: tuple[str, ...] = ()


@dataclass
class RouteView:
    """A route and the plugins Kong runs on it."""

    name: str
    service: str | None
    paths: tuple[str, ...]
    plugins: dict[str, PluginEntry] = field(default_factory=dict)
    consumer_scoped: tuple[str, ...] = ()

    def plugin(self, name: str) -> PluginEntry | None:
        return self.plugins.get(name)

    def config(self, name: str) -> Mapping[str, Any] | None:
        entry = self.plugins.get(name)
        return entry.config if entry is not None else None


def _ref(value: Any) -> str | None:
    """A deck or Admin API reference (``name``, ``{name: ...}``, ``{id: ...}``) as one string."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        ref = value.get("name") or value.get("id")
        return ref if isinstance(ref, str) else None
    return None


def _per_caller(plugin: Mapping[str, Any]) -> bool:
    """An entry scoped to a consumer, or (Kong Gateway Enterprise) to a consumer group: some callers only."""
    return plugin.get("consumer") is not None or plugin.get("consumer_group") is not None


def _entry(raw: Mapping[str, Any], scope: str, normalize: Normalizer | None) -> PluginEntry | None:
    """An enabled plugin entry, normalized; None for a disabled or nameless one."""
    name = raw.get("name")
    if not isinstance(name, str) or raw.get("enabled", True) is False:
        return None
    config = raw.get("config")
    if normalize is not None:
        config = normalize(name, config)
    tags = raw.get("tags") if isinstance(raw.get("tags"), list) else []
    return PluginEntry(
        name, dict(config) if isinstance(config, Mapping) else {}, scope, tuple(str(t) for t in tags)
    )


@dataclass
class _Scopes:
    global_: dict[str, PluginEntry] = field(default_factory=dict)
    service: dict[str, dict[str, PluginEntry]] = field(default_factory=dict)
    route: dict[str, dict[str, PluginEntry]] = field(default_factory=dict)
    consumer: dict[str, set[str]] = field(default_factory=dict)  # route/service key ("" = all) -> names

    def add(self, entry: PluginEntry | None, route: str | None, service: str | None, consumer: bool) -> None:
        if entry is None:
            return
        if consumer:
            self.consumer.setdefault(route or service or "", set()).add(entry.name)
        elif route is not None:
            self.route.setdefault(route, {})[entry.name] = entry
        elif service is not None:
            self.service.setdefault(service, {})[entry.name] = entry
        else:
            self.global_[entry.name] = entry

    def effective(self, route_keys: list[str], service_keys: list[str]) -> dict[str, PluginEntry]:
        plugins = dict(self.global_)
        for key in service_keys:
            plugins |= self.service.get(key, {})
        for key in route_keys:
            plugins |= self.route.get(key, {})
        return dict(sorted(plugins.items()))

    def consumer_names(self, route_keys: list[str], service_keys: list[str]) -> tuple[str, ...]:
        names: set[str] = set(self.consumer.get("", set()))
        for key in (*route_keys, *service_keys):
            names |= self.consumer.get(key, set())
        return tuple(sorted(names))


def _keys(entity: Mapping[str, Any]) -> list[str]:
    return [value for value in (entity.get("name"), entity.get("id")) if isinstance(value, str)]


def _paths(route: Mapping[str, Any]) -> tuple[str, ...]:
    paths = route.get("paths")
    return tuple(p for p in paths if isinstance(p, str)) if isinstance(paths, list) else ()


def _sorted(routes: list[RouteView]) -> list[RouteView]:
    return sorted(routes, key=lambda r: (r.service or "", r.name))


def _plugin_list(value: Any) -> Iterator[Mapping[str, Any]]:
    for item in value if isinstance(value, list) else []:
        if isinstance(item, Mapping):
            yield item


def routes_from_deck(document: Mapping[str, Any], normalize: Normalizer | None = None) -> list[RouteView]:
    """The routes of a deck document (format 3.0: services with nested routes, top-level routes and plugins,
    plugins nested under services, routes and consumers; consumer groups' plugins apply to some callers only
    and are not read)."""
    scopes = _Scopes()
    for plugin in _plugin_list(document.get("plugins")):
        scopes.add(
            _entry(
                plugin,
                "route" if plugin.get("route") else "service" if plugin.get("service") else "global",
                normalize,
            ),
            _ref(plugin.get("route")),
            _ref(plugin.get("service")),
            _per_caller(plugin),
        )
    for consumer in _plugin_list(document.get("consumers")):
        for plugin in _plugin_list(consumer.get("plugins")):
            scopes.add(
                _entry(plugin, "consumer", normalize),
                _ref(plugin.get("route")),
                _ref(plugin.get("service")),
                True,
            )
    found: list[tuple[Mapping[str, Any], Mapping[str, Any] | None]] = []
    services = list(_plugin_list(document.get("services")))
    for service in services:
        keys = _keys(service)
        for plugin in _plugin_list(service.get("plugins")):
            scopes.add(
                _entry(plugin, "service", normalize),
                None,
                keys[0] if keys else None,
                _per_caller(plugin),
            )
        for route in _plugin_list(service.get("routes")):
            found.append((route, service))
    by_key = {key: service for service in services for key in _keys(service)}
    for route in _plugin_list(document.get("routes")):
        service_ref = _ref(route.get("service"))
        found.append((route, by_key.get(service_ref) if service_ref else None))
    for route, _service in found:
        keys = _keys(route)
        for plugin in _plugin_list(route.get("plugins")):
            scopes.add(
                _entry(plugin, "route", normalize),
                keys[0] if keys else None,
                None,
                _per_caller(plugin),
            )
    views = []
    for index, (route, service) in enumerate(found):
        route_keys = _keys(route)
        service_keys = _keys(service) if service is not None else []
        views.append(
            RouteView(
                name=route_keys[0] if route_keys else f"route #{index}",
                service=service_keys[0] if service_keys else None,
                paths=_paths(route),
                plugins=scopes.effective(route_keys, service_keys),
                consumer_scoped=scopes.consumer_names(route_keys, service_keys),
            )
        )
    return _sorted(views)


def routes_from_admin(
    services: list[Mapping[str, Any]], routes: list[Mapping[str, Any]], plugins: list[Mapping[str, Any]]
) -> list[RouteView]:
    """The routes of a running gateway, from its Admin API collections (``/services``, ``/routes``,
    ``/plugins``), where every reference is ``{"id": ...}``."""
    service_names = {s["id"]: (s.get("name") or s["id"]) for s in services if isinstance(s.get("id"), str)}
    route_names = {r["id"]: (r.get("name") or r["id"]) for r in routes if isinstance(r.get("id"), str)}
    scopes = _Scopes()
    for plugin in plugins:
        route_id, service_id = _ref(plugin.get("route")), _ref(plugin.get("service"))
        scope = "route" if route_id else "service" if service_id else "global"
        consumer = _per_caller(plugin)
        scopes.add(
            _entry(plugin, "consumer" if consumer else scope, None),
            route_names.get(route_id, route_id) if route_id else None,
            service_names.get(service_id, service_id) if service_id else None,
            consumer,
        )
    views = []
    for route in routes:
        name = route_names.get(route.get("id"), "") or str(route.get("id"))
        service_id = _ref(route.get("service"))
        service = service_names.get(service_id, service_id) if service_id else None
        route_keys, service_keys = [name], [service] if service else []
        views.append(
            RouteView(
                name=name,
                service=service,
                paths=_paths(route),
                plugins=scopes.effective(route_keys, service_keys),
                consumer_scoped=scopes.consumer_names(route_keys, service_keys),
            )
        )
    return _sorted(views)
