"""Kong's ``schema violation`` answer (kong/db/errors.lua ``schema_violation``, Kong 3.9.1).

The Admin API answers an invalid entity with HTTP 400 and::

    {"code": 2, "name": "schema violation", "message": "<summary>", "fields": {<errors by field>}}

The summary lists the entity's ``@entity`` messages first, then each field in sorted order; a field whose
errors are a table is listed one level down (``config.sources: ...``), and anything deeper is printed as a Lua
table by ``pl.pretty.write`` (``config.redis: {\\n  port = "value should be between 0 and 65535"\\n}``). One
error reads ``schema violation (...)``, several ``N schema violations (...; ...)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from kong_plugins.core.errors import ConfigError
from kong_plugins.core.schema.lua import lua_pretty, lua_tostring
from kong_plugins.core.schema.validate import ENTITY_KEY, FieldError, validate_config

SCHEMA_VIOLATION_CODE: Final = 2
SCHEMA_VIOLATION_NAME: Final = "schema violation"


def _keyed(errors: FieldError) -> dict[Any, Any]:
    """A list of element errors as the Lua table it stands for: ``{index: error}`` without the holes."""
    if isinstance(errors, list):
        return {index + 1: error for index, error in enumerate(errors) if error is not None}
    return dict(errors) if isinstance(errors, Mapping) else {}


def _sorted_keys(table: Mapping[Any, Any]) -> list[Any]:
    """``table.sort`` of the keys: numbers, then strings byte-wise (Lua would fail on the mix; we don't)."""
    return sorted(table, key=lambda key: (0, key, b"") if isinstance(key, int) else (1, 0, str(key).encode()))


def violation_message(errors: Mapping[str, Any]) -> str:
    """The ``message`` Kong builds from an entity's error table."""
    lines: list[str] = [lua_tostring(message) for message in errors.get(ENTITY_KEY) or ()]
    for name in _sorted_keys(errors):
        if name == ENTITY_KEY:
            continue
        field_errors = errors[name]
        if isinstance(field_errors, dict | list):
            table = _keyed(field_errors)
            for sub_field in _sorted_keys(table):
                value = table[sub_field]
                text = lua_pretty(value) if isinstance(value, dict | list) else lua_tostring(value)
                lines.append(f"{lua_tostring(name)}.{lua_tostring(sub_field)}: {text}")
        else:
            lines.append(f"{lua_tostring(name)}: {lua_tostring(field_errors)}")
    if len(lines) == 1:
        return f"schema violation ({lines[0]})"
    return f"{len(lines)} schema violations ({'; '.join(lines)})"


def _jsonable(value: Any) -> Any:
    """The error table as the client receives it: integer keys become strings, as in cjson's output."""
    if isinstance(value, Mapping):
        return {
            lua_tostring(key) if isinstance(key, int) else key: _jsonable(item) for key, item in value.items()
        }
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


def entity_schema_violation(errors: Mapping[str, Any]) -> dict[str, Any]:
    """Kong's 400 body for a whole entity's error table (``{"config": {...}, "@entity": [...], ...}``)."""
    return {
        "code": SCHEMA_VIOLATION_CODE,
        "name": SCHEMA_VIOLATION_NAME,
        "message": violation_message(errors),
        "fields": _jsonable(errors),
    }


def schema_violation(fields: FieldError, prefix: str = "config") -> dict[str, Any]:
    """Kong's 400 body when only the ``prefix`` field (the plugin's ``config``) is invalid.

    ``fields`` is the error :func:`~kong_plugins.core.schema.validate.validate_config` returned.
    """
    return entity_schema_violation({prefix: fields})


def flatten_field_errors(fields: FieldError, prefix: str = "config") -> dict[str, Any]:
    """Errors by dotted path (``config.redis.port``, ``config.rules.2``), for logs and the CLI.

    ``@entity`` messages stay a list under ``<path>.@entity``.
    """
    flat: dict[str, Any] = {}

    def walk(path: str, errors: Any) -> None:
        if isinstance(errors, dict | list):
            table = _keyed(errors)
            for key in _sorted_keys(table):
                if key == ENTITY_KEY:
                    flat[f"{path}.{ENTITY_KEY}"] = list(table[key])
                else:
                    walk(f"{path}.{lua_tostring(key)}", table[key])
        else:
            flat[path] = errors

    walk(prefix, fields)
    return flat


def ensure_valid_config(config_record: Mapping[str, Any], config: Any) -> dict[str, Any]:
    """Validate a plugin instance's config like Kong; return it with defaults, or raise :class:`ConfigError`.

    A plugin calls this when its instance starts, so that a config Kong never saw (a test, the CLI, a replayed
    recording) is held to the same rules. The error's message is Kong's ``schema violation`` summary.
    """
    normalized, errors = validate_config(config_record, config)
    if errors:
        raise ConfigError(schema_violation(errors)["message"], flatten_field_errors(errors))
    return normalized
