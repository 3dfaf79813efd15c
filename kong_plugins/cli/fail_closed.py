"""``kong-ai validate``'s checks of ``ai-fail-closed`` and ``ai-fail-closed-response``, our Lua plugins
(kong/plugins/).

Kong validates the entry with the plugin's schema.lua (``marks``: a non-empty set of our plugin names;
``message``: a non-empty string); this module makes the same checks offline, with the same list of names,
and one Kong cannot make: every mark must belong to a plugin of ours configured where the guard is (the
route itself, its service, or globally) with ``fail_closed_mark: true`` (marks are opt-in). A guard waiting
for a mark no plugin on the route sets refuses every request of the route with 503.

A guard on a consumer or a consumer group is refused (schema.lua's ``typedefs.no_consumer``), and a global
guard is reported: it requires its marks on every route, and routes without those plugins would answer 503.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from kong_plugins.core.completion import FAIL_CLOSED_MARK

NAME: Final = "ai-fail-closed"
RESPONSE_NAME: Final = "ai-fail-closed-response"

#: Our plugins that have an access handler, hence an access completion mark (schema.lua's GUARDED).
GUARDED: Final = (
    "ai-tenant-resolver",
    "ai-input-guard",
    "ai-action-authz",
    "ai-token-limiter",
    "ai-token-limiter-stream",
    "ai-output-redactor",
    "ai-audit-log",
)

#: Our plugins that have a response handler (ai-fail-closed-response's schema.lua GUARDED).
RESPONSE_GUARDED: Final = ("ai-action-authz", "ai-token-limiter", "ai-output-redactor")

#: Each guard and the names its ``marks`` accept.
GUARDS: Final = {NAME: GUARDED, RESPONSE_NAME: RESPONSE_GUARDED}

#: Each guard's ``message`` default (schema.lua), as Kong fills it in (tests/unit/cli keeps them equal).
DEFAULT_MESSAGES: Final = {
    NAME: "The AI gateway is temporarily unable to check this request",
    RESPONSE_NAME: "The AI gateway is temporarily unable to check this answer",
}

_ENTITY_KEYS: Final = frozenset(
    {"name", "config", "enabled", "protocols", "tags", "instance_name", "id", "route", "service", "consumer"}
)


def config_errors(config: Any, name: str = NAME) -> list[str]:
    """Schema.lua's checks of ``config``, in Kong's words (``config.<field>: <message>``)."""
    if not isinstance(config, dict):
        return ["config.marks: required field missing"]
    known = ("marks", "message")
    errors = [f"config.{key}: unknown field" for key in sorted(map(str, config)) if key not in known]
    marks = config.get("marks")
    if marks is None:
        errors.append("config.marks: required field missing")
    elif not isinstance(marks, list):
        errors.append("config.marks: expected a set")
    elif not marks:
        errors.append("config.marks: length must be at least 1")
    else:
        for index, mark in enumerate(marks, 1):
            if mark not in GUARDS[name]:
                errors.append(f"config.marks.{index}: expected one of: {', '.join(GUARDS[name])}")
    message = config.get("message")
    if message is not None and (not isinstance(message, str) or not message):
        errors.append("config.message: expected a non-empty string")
    return errors


def entity_errors(entry: dict[str, Any]) -> list[str]:
    """The entry as Kong's plugins entity: known keys only, never scoped to a consumer."""
    errors = [f"{key}: unknown field" for key in sorted(map(str, entry)) if key not in _ENTITY_KEYS]
    if entry.get("consumer") is not None:
        errors.append("consumer: value must be null")
    return errors


def _marking(plugin: dict[str, Any]) -> bool:
    """Whether this entry of one of our plugins sets its completion marks (``fail_closed_mark: true``)."""
    config = plugin.get("config")
    return isinstance(config, dict) and config.get(FAIL_CLOSED_MARK) is True


def _entries(plugins: Any) -> dict[str, bool]:
    """Plugin name -> whether that entry marks, for the entries of one scope."""
    if not isinstance(plugins, list):
        return {}
    return {p["name"]: _marking(p) for p in plugins if isinstance(p, dict) and isinstance(p.get("name"), str)}


def _ref(value: Any) -> str | None:
    """A deck reference (``route: name`` or ``route: {name|id: ...}``) as one string."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        ref = value.get("name") or value.get("id")
        return ref if isinstance(ref, str) else None
    return None


def scope_findings(document: dict[str, Any]) -> Iterator[tuple[str, str, bool]]:
    """``(location, message, is_error)`` for every guard whose marks no plugin in its scope sets.

    Kong runs one instance of a plugin per request, the most specific one (route over service over global),
    so a mark is set only when that instance has ``fail_closed_mark: true``.
    """
    top = document.get("plugins") if isinstance(document.get("plugins"), list) else []
    scoped = ("route", "service", "consumer")
    global_entries = _entries([p for p in top if isinstance(p, dict) and not any(p.get(k) for k in scoped)])
    by_route: dict[str, dict[str, bool]] = {}
    by_service: dict[str, dict[str, bool]] = {}
    for plugin in top:
        if isinstance(plugin, dict) and isinstance(plugin.get("name"), str):
            if (route := _ref(plugin.get("route"))) is not None:
                by_route.setdefault(route, {})[plugin["name"]] = _marking(plugin)
            if (service := _ref(plugin.get("service"))) is not None:
                by_service.setdefault(service, {})[plugin["name"]] = _marking(plugin)

    def key_of(entity: dict[str, Any]) -> list[str]:
        return [v for v in (entity.get("name"), entity.get("id")) if isinstance(v, str)]

    def route_scope(route: dict[str, Any], service_entries: dict[str, bool]) -> dict[str, bool]:
        entries = global_entries | service_entries | _entries(route.get("plugins"))
        for key in key_of(route):
            entries |= by_route.get(key, {})
        return entries

    def check(location: str, plugins: Any, scope: dict[str, bool]) -> Iterator[tuple[str, str, bool]]:
        for index, plugin in enumerate(plugins if isinstance(plugins, list) else []):
            guard = plugin.get("name") if isinstance(plugin, dict) else None
            if guard not in GUARDS:
                continue
            config = plugin.get("config")
            marks = config.get("marks") if isinstance(config, dict) else None
            for mark in marks if isinstance(marks, list) else []:
                if mark not in GUARDS[guard]:
                    continue
                if mark not in scope:
                    problem = "is not configured on this route, its service or globally"
                elif not scope[mark]:
                    problem = f"is configured here without {FAIL_CLOSED_MARK}: true, so it sets no mark"
                else:
                    continue
                yield (
                    f"{location}.plugins[{index}] ({guard})",
                    f"config.marks: {mark} {problem}: every request would be refused with 503",
                    True,
                )

    services = document.get("services") if isinstance(document.get("services"), list) else []
    for s_index, service in enumerate(services):
        if not isinstance(service, dict):
            continue
        service_entries = _entries(service.get("plugins"))
        for key in key_of(service):
            service_entries |= by_service.get(key, {})
        routes = service.get("routes") if isinstance(service.get("routes"), list) else []
        # A guard on the service applies to each of its routes: a mark must be set on all of them.
        for r_index, route in enumerate(routes):
            if isinstance(route, dict):
                scope = route_scope(route, service_entries)
                yield from check(f"services[{s_index}].routes[{r_index}]", route.get("plugins"), scope)
                if _entries(service.get("plugins")).keys() & set(GUARDS):
                    yield from check(f"services[{s_index}]", service.get("plugins"), scope)
    routes = document.get("routes") if isinstance(document.get("routes"), list) else []
    for r_index, route in enumerate(routes):
        if isinstance(route, dict):
            yield from check(f"routes[{r_index}]", route.get("plugins"), route_scope(route, {}))
    for index, plugin in enumerate(top):
        if (
            isinstance(plugin, dict)
            and plugin.get("name") in GUARDS
            and not any(plugin.get(k) for k in ("route", "service"))
        ):
            yield (
                f"plugins[{index}] ({plugin['name']})",
                "a global guard requires its marks on every route: routes without those plugins answer 503",
                False,
            )


def normalized_config(config: dict[str, Any], name: str = NAME) -> dict[str, Any]:
    """A valid guard ``config`` with its default filled in, as Kong stores it (the Admin API's view)."""
    return {
        "marks": list(config.get("marks") or []),
        "message": config.get("message") or DEFAULT_MESSAGES[name],
    }
