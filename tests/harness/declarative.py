"""Load a deck / declarative configuration file into the :class:`~harness.store.Store`, as DB-less Kong does.

Follows kong/db/declarative/init.lua and kong/db/schema/others/declarative_config.lua (Kong 3.9.1):

* JSON or YAML (``.json`` is JSON; ``.yml``/``.yaml``/unknown-name input tries JSON then YAML); anything else
  is "unknown file type"; unparsable text is "failed parsing declarative configuration: ...";
* ``_format_version`` is required ("1.1", "2.1" or "3.0"; before 3.0, route paths that look like regexes get
  the ``~`` prefix, as Kong's on-the-fly migration does); ``_transform``, ``_comment`` and ``_ignore`` are
  accepted, other unknown keys are errors;
* entities nest under the entity they reference (``services[].routes[].plugins[]``, ``consumers[].plugins``,
  ``consumers[].keyauth_credentials``/``jwt_secrets``, ``upstreams[].targets``); consumer group membership
  (Kong Gateway Enterprise only: for Kong OSS ``consumer_groups`` and ``consumers[].groups`` are unknown
  fields) is deck's ``consumers[].groups: [{name}]`` or ``consumer_groups[].consumers:
  [{username}]``; top-level ones reference
  others by name/username or id (``service: my-svc``, ``route: ...``, ``consumer: ...``, ``upstream: ...``);
* entities without an ``id`` get Kong's deterministic UUIDs (v5, from the name or the plugin's cache key), so
  reloading the same file keeps plugin ids (and plugin instances) stable;
* every entity is validated like the Admin API does, plugin configs with ``validate_config`` against the
  plugin's schema from the catalog; an unknown plugin is "plugin 'x' not enabled; add it to the 'plugins'
  configuration property". All errors are collected and reported at once, pretty-printed like Kong's
  ``pretty_print_error`` (``in 'services':`` / ``- in entry 1 of 'services':`` / ``in 'host': required field
  missing``).

A failed load raises :class:`DeclarativeError` and leaves the store untouched; a good one replaces its whole
content at once (and bumps its version).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from harness.store import (
    ENTERPRISE_KINDS,
    SCHEMAS,
    EntityError,
    ErrorCode,
    PluginCatalog,
    PluginSchemaInfo,
    Store,
    ValidateConfig,
    check_depth,
    is_uuid,
)

MAX_CONFIG_BYTES = 16 * 1024 * 1024
MAX_CONFIG_DEPTH = 64
FORMAT_VERSIONS = ("1.1", "2.1", "3.0")
META_KEYS = ("_format_version", "_transform", "_comment", "_ignore")

# Kong's topological order of the entities the emulator supports (parents first).
ENTITY_ORDER = (
    "consumers",
    "services",
    "routes",
    "upstreams",
    "targets",
    "plugins",
    "keyauth_credentials",
    "jwt_secrets",
    "consumer_groups",
    "consumer_group_consumers",
)
# parent kind -> child kind -> the child's foreign field that points at the parent
NESTING: dict[str, dict[str, str]] = {
    "consumers": {
        "plugins": "consumer",
        "keyauth_credentials": "consumer",
        "jwt_secrets": "consumer",
        "consumer_group_consumers": "consumer",
    },
    "consumer_groups": {"consumer_group_consumers": "consumer_group"},
    "services": {"routes": "service", "plugins": "service"},
    "routes": {"plugins": "route"},
    "upstreams": {"targets": "upstream"},
}
# Kong entities the emulated gateway does not model.
UNSUPPORTED = (
    "certificates",
    "ca_certificates",
    "snis",
    "vaults",
    "workspaces",
    "acls",
    "basicauth_credentials",
    "hmacauth_credentials",
    "oauth2_credentials",
    "key_sets",
    "keys",
    "filter_chains",
    "parameters",
)

# declarative_config.lua: v5 UUIDs, namespace per entity name derived from this one.
_ENTITIES_NAMESPACE = uuid.UUID("fd02801f-0957-4a15-a55a-c8d9606f30b5")


class DeclarativeError(Exception):
    """The file cannot be loaded; ``str()`` is Kong's pretty-printed message, ``errors`` the nested table."""

    def __init__(self, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {"error": message}


# =============================================================================================== parsing


class _Loader(yaml.SafeLoader):
    """YAML 1.1 like lyaml, but dates stay strings (lyaml does not build date objects)."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse(text: str | bytes, filename: str | None = None) -> dict[str, Any]:
    """declarative ``unserialize``: the file's text as a table, or :class:`DeclarativeError`."""
    if isinstance(text, bytes):
        if len(text) > MAX_CONFIG_BYTES:
            raise DeclarativeError(
                f"failed parsing declarative configuration: larger than {MAX_CONFIG_BYTES} bytes"
            )
        text = text.decode("utf-8", "replace")
    if len(text) > MAX_CONFIG_BYTES:
        raise DeclarativeError(
            f"failed parsing declarative configuration: larger than {MAX_CONFIG_BYTES} bytes"
        )
    is_json = filename is not None and filename.endswith("json")
    is_yaml = filename is None or filename.endswith((".yml", ".yaml", "yml", "yaml"))
    if not is_json and not is_yaml:
        raise DeclarativeError(f"unknown file type: {filename}. (Accepted types: json, yaml)")
    table: Any = None
    error: str | None = None
    if is_json or filename is None:
        try:
            table = json.loads(text)
        except (ValueError, RecursionError) as exc:
            error = str(exc)
    if not isinstance(table, dict) and is_yaml:
        try:
            table = yaml.load(text, Loader=_Loader)
            error = None if isinstance(table, dict) else "expected an object"
        except (yaml.YAMLError, RecursionError) as exc:
            table, error = None, str(exc).replace("\n", " ")
    if not isinstance(table, dict):
        detail = f": {error}" if error else ""
        raise DeclarativeError(f"failed parsing declarative configuration{detail}")
    if not check_depth(table, MAX_CONFIG_DEPTH):
        raise DeclarativeError("failed parsing declarative configuration: too large or nested too deeply")
    return table


# =============================================================================================== errors


def pretty_print_error(errors: Mapping[Any, Any], item: str = "", indent: str = "") -> str:
    """declarative/init.lua ``pretty_print_error`` (keys sorted, so the message is stable)."""
    lines = []
    for key in sorted(errors, key=lambda k: (0, k, "") if isinstance(k, int) else (1, 0, str(k))):
        value = errors[key]
        pretty_key = f"- in entry {key} of '{item}'" if isinstance(key, int) else f"in '{key}'"
        if isinstance(value, (dict, list)):
            table = (
                {i + 1: v for i, v in enumerate(value) if v is not None} if isinstance(value, list) else value
            )
            lines.append(f"{indent}{pretty_key}:")
            lines.append(pretty_print_error(table, str(key), indent + "  "))
        else:
            lines.append(f"{indent}{pretty_key}: {value}")
    return "\n".join(lines)


def _put(errors: dict[Any, Any], path: tuple[Any, ...], value: Any) -> None:
    """Merge an error (a message or a field-error table) into the nested error table at ``path``."""
    node = errors
    for key in path[:-1]:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            return
    last = path[-1]
    if isinstance(value, dict) and isinstance(node.get(last), dict):
        node[last].update(value)
    else:
        node.setdefault(last, value)


# =============================================================================================== flattening


class _Item:
    """One entity of the file, flattened, with where it came from."""

    def __init__(
        self,
        kind: str,
        data: dict[str, Any],
        path: tuple[Any, ...],
        parent: _Item | None,
        child_key: str | None,
        index: int,
    ) -> None:
        self.kind = kind
        self.data = data
        self.path = path  # ("services", 1, "routes", 2) - 1-based, as Kong prints
        self.parent = parent
        self.child_key = child_key
        self.index = index


def _migrate_route_paths(routes: Any) -> None:
    """kong/db/migrations/migrate_path_280_300.lua, for ``_format_version`` 1.1/2.1."""
    import re

    from harness.router import normalize_path

    for route in routes if isinstance(routes, list) else []:
        paths = route.get("paths") if isinstance(route, dict) else None
        if not isinstance(paths, list):
            continue
        for i, path in enumerate(paths):
            if not isinstance(path, str):
                continue
            if re.fullmatch(r"[a-zA-Z0-9.\-_~/%]*", path):
                paths[i] = normalize_path(path, merge_slashes=True)
            else:
                paths[i] = "~" + path


def _flatten(config: dict[str, Any], errors: dict[Any, Any], enterprise: bool) -> list[_Item]:
    items: list[_Item] = []
    # Kong OSS's declarative schema has no consumer groups: their keys are unknown fields there
    kinds = [kind for kind in ENTITY_ORDER if enterprise or kind not in ENTERPRISE_KINDS]

    def walk(
        kind: str, entries: Any, path: tuple[Any, ...], parent: _Item | None, child_key: str | None
    ) -> None:
        if not isinstance(entries, list):
            if isinstance(entries, dict) and not entries:
                return
            _put(errors, path, "expected an array")
            return
        for index, entry in enumerate(entries, start=1):
            entry_path = (*path, index)
            if not isinstance(entry, dict):
                _put(errors, entry_path, "expected a record")
                continue
            data = {k: v for k, v in entry.items() if k not in ("_comment", "_ignore")}
            nested = {
                child: data.pop(child) for child in NESTING.get(kind, {}) if child in data and child in kinds
            }
            for name in UNSUPPORTED:
                if name in data:
                    _put(errors, (*entry_path, name), "not supported by the emulated gateway")
                    data.pop(name)
            item = _Item(kind, data, entry_path, parent, child_key, index)
            items.append(item)
            for child_kind in NESTING.get(kind, {}):
                if child_kind in nested:
                    walk(
                        child_kind,
                        nested[child_kind],
                        (*entry_path, child_kind),
                        item,
                        NESTING[kind][child_kind],
                    )

    for key in config:
        if key in META_KEYS or key in kinds:
            continue
        _put(
            errors, (key,), "not supported by the emulated gateway" if key in UNSUPPORTED else "unknown field"
        )
    for kind in kinds:
        if kind in config and config[kind] is not None:
            walk(kind, config[kind], (kind,), None, None)
    return items


def _reference(value: Any, key: str) -> Any:
    """A deck reference (``{name: analysts}``, ``{username: ann}``, ``{id: ...}``) as the name or id."""
    if isinstance(value, dict):
        return value.get("id") if isinstance(value.get("id"), str) else value.get(key)
    return value


def _memberships(config: dict[str, Any], errors: dict[Any, Any]) -> None:
    """deck's consumer group membership (Kong Gateway Enterprise): ``consumers[].groups: [{name}]`` and
    ``consumer_groups[].consumers: [{username}]`` become ``consumer_group_consumers`` nested under the entry.
    A consumer group's ``plugins`` (consumer-group scoped plugins) are not modelled."""
    for kind, field, child_field, key in (
        ("consumers", "groups", "consumer_group", "name"),
        ("consumer_groups", "consumers", "consumer", "username"),
    ):
        entries = config.get(kind)
        for index, entry in enumerate(entries if isinstance(entries, list) else [], start=1):
            if not isinstance(entry, dict):
                continue
            if kind == "consumer_groups" and "plugins" in entry:
                _put(errors, (kind, index, "plugins"), "not supported by the emulated gateway")
                entry.pop("plugins")
            refs = entry.pop(field, None)
            if refs is None:
                continue
            if not isinstance(refs, list):
                _put(errors, (kind, index, field), "expected an array")
                continue
            entry["consumer_group_consumers"] = [{child_field: _reference(ref, key)} for ref in refs]


def _entities_uuid(kind: str, key: str) -> str:
    """declarative_config.lua ``generate_uuid``: v5 in a per-entity namespace."""
    namespace = uuid.uuid5(_ENTITIES_NAMESPACE, kind)
    return str(uuid.uuid5(namespace, key))


def _deterministic_key(item: _Item) -> str | None:
    """declarative_config.lua ``get_key_for_uuid_gen``: the name the id is derived from, if any."""
    schema = SCHEMAS[item.kind]
    data = item.data
    if schema.cache_key:
        parts = [item.kind, "*"]
        for key in schema.cache_key:
            fdef = schema.field(key)
            value = data.get(key)
            if fdef is not None and fdef.auto:
                return None
            if isinstance(value, str):
                parts.append(value)
            elif value is None:
                if key == item.child_key and item.parent is not None:
                    parts.append(str(item.parent.data["id"]))
                elif fdef is not None and fdef.required:
                    return None
                else:
                    parts.append("")
        return ":".join(parts)
    endpoint_key = schema.endpoint_key
    if endpoint_key and isinstance(data.get(endpoint_key), str):
        return data[endpoint_key]
    return None


def _assign_ids(items: list[_Item]) -> None:
    for item in items:  # parents come before their children
        if "id" in item.data:
            continue
        key = _deterministic_key(item)
        item.data["id"] = _entities_uuid(item.kind, key) if key is not None else str(uuid.uuid4())


def _resolve_references(items: list[_Item], errors: dict[Any, Any]) -> None:
    """Turn names/ids into ``{"id": ...}``; a missing one is Kong's "invalid reference" error (and a
    placeholder id, so that schema validation still runs on the entity)."""
    by_kind: dict[str, list[_Item]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)

    def find(kind: str, key: Any) -> _Item | None:
        if isinstance(key, dict):
            key = key.get("id") or next((v for v in key.values() if isinstance(v, str)), None)
        if not isinstance(key, str):
            return None
        endpoint_key = SCHEMAS[kind].endpoint_key
        for candidate in by_kind.get(kind, []):
            if endpoint_key and candidate.data.get(endpoint_key) == key:
                return candidate
        for candidate in by_kind.get(kind, []):
            if candidate.data.get("id") == key:
                return candidate
        return None

    for item in items:
        if item.parent is not None and item.child_key:
            item.data[item.child_key] = {"id": item.parent.data["id"]}
        for fname, fdef in SCHEMAS[item.kind].foreign_fields():
            if fname == item.child_key and item.parent is not None:
                continue
            value = item.data.get(fname)
            if value is None or (fdef.reference not in by_kind and fdef.reference not in SCHEMAS):
                continue
            target = find(fdef.reference or "", value)
            if target is None:
                shown = value if isinstance(value, str) else json.dumps(value)
                schema = SCHEMAS[item.kind]
                unique_key = (
                    schema.endpoint_key
                    if schema.endpoint_key
                    and ((schema.field(schema.endpoint_key) or schema.fields[0][1]).unique)
                    else None
                )
                at: Any = item.data.get(unique_key) if unique_key else None
                if not isinstance(at, str):
                    at = item.data["id"] if isinstance(item.data.get("id"), str) else item.index
                node = errors.setdefault(item.kind, {}).setdefault(at, [])
                if isinstance(node, list):
                    node.append(f"invalid reference '{fname}: {shown}' (no such entry in '{fdef.reference}')")
                item.data[fname] = {"id": str(uuid.uuid4())}
                continue
            item.data[fname] = {"id": target.data["id"]}


def _uniqueness_message(item: _Item, error: EntityError) -> str:
    fields = error.fields or {}
    if error.code == ErrorCode.PRIMARY_KEY_VIOLATION:
        return (
            f"uniqueness violation: '{item.kind}' entity with primary key set to "
            f"'{fields.get('id', item.data.get('id'))}' already declared"
        )
    if len(fields) == 1:
        ((name, value),) = fields.items()
        if isinstance(value, str):
            return f"uniqueness violation: '{item.kind}' entity with {name} set to '{value}' already declared"
    return f"uniqueness violation: '{item.kind}' entity already declared ({error.message})"


# =============================================================================================== loading


def build_store(
    config: Mapping[str, Any],
    catalog: Mapping[str, PluginSchemaInfo],
    *,
    validate: ValidateConfig | None = None,
    workspace_id: str | None = None,
    edition: str = "oss",
) -> Store:
    """Validate a parsed declarative config and return a new store holding it (or raise DeclarativeError);
    ``edition`` is the store's (Kong OSS refuses consumer groups as unknown fields)."""
    if not isinstance(config, Mapping):
        raise DeclarativeError("expected an object")
    config = json.loads(json.dumps(config))  # a private, JSON-shaped copy we may change
    errors: dict[Any, Any] = {}
    version = config.get("_format_version")
    if version is None:
        errors["_format_version"] = "required field missing"
    elif version not in FORMAT_VERSIONS:
        errors["_format_version"] = "expected one of: " + ", ".join(FORMAT_VERSIONS)
    elif version != "3.0":
        _migrate_route_paths(config.get("routes"))
        for service in config.get("services") or []:
            if isinstance(service, dict):
                _migrate_route_paths(service.get("routes"))
    if "_transform" in config and not isinstance(config["_transform"], bool):
        errors["_transform"] = "expected a boolean"

    enterprise = edition == "enterprise"
    if enterprise:
        _memberships(config, errors)
    items = _flatten(config, errors, enterprise)
    for item in items:
        if "id" in item.data and not is_uuid(item.data["id"]):
            _put(errors, (*item.path, "id"), "expected a valid UUID")
    _assign_ids(items)
    reference_errors: dict[Any, Any] = {}
    _resolve_references(items, reference_errors)

    plugins = PluginCatalog(catalog, validate)
    staging = Store(**({"workspace_id": workspace_id} if workspace_id else {}), edition=edition)
    prepared: list[tuple[_Item, dict[str, Any]]] = []
    for item in items:
        try:
            prepared.append((item, staging.prepare(item.kind, item.data, plugins=plugins)))
        except EntityError as exc:
            _put(errors, item.path, exc.fields if isinstance(exc.fields, dict) else exc.message)
    if not errors:  # Kong checks references only once the schema is satisfied
        errors = reference_errors
    if not errors:
        for kind in ENTITY_ORDER:
            for item, entity in prepared:
                if item.kind != kind:
                    continue
                try:
                    staging.insert(kind, entity, plugins=plugins)
                except EntityError as exc:
                    if exc.code in (ErrorCode.UNIQUE_VIOLATION, ErrorCode.PRIMARY_KEY_VIOLATION):
                        _put(errors, item.path, _uniqueness_message(item, exc))
                    else:
                        _put(errors, item.path, exc.fields if isinstance(exc.fields, dict) else exc.message)
    if errors:
        raise DeclarativeError(pretty_print_error(errors), errors)
    return staging


def load(
    store: Store,
    config: Mapping[str, Any],
    catalog: Mapping[str, PluginSchemaInfo],
    *,
    validate: ValidateConfig | None = None,
) -> None:
    """Replace the store's content with a parsed declarative config (all or nothing)."""
    staging = build_store(
        config, catalog, validate=validate, workspace_id=store.workspace_id, edition=store.edition
    )
    store.replace_all(staging)


def load_string(
    store: Store,
    text: str | bytes,
    catalog: Mapping[str, PluginSchemaInfo],
    *,
    filename: str | None = None,
    validate: ValidateConfig | None = None,
) -> None:
    """Parse and load declarative config text (JSON or YAML)."""
    load(store, parse(text, filename), catalog, validate=validate)


def load_file(
    store: Store,
    path: str | Path,
    catalog: Mapping[str, PluginSchemaInfo],
    *,
    validate: ValidateConfig | None = None,
) -> None:
    """Load a deck file (``declarative_config`` in kong.conf)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise DeclarativeError(
                f"failed parsing declarative configuration: larger than {MAX_CONFIG_BYTES} bytes"
            )
        text = path.read_bytes()
    except OSError as exc:
        raise DeclarativeError(f"{path}: {exc.strerror or exc}") from None
    load_string(store, text, catalog, filename=path.name, validate=validate)
