"""Kong's vocabulary (messages, types, checkers) and the Lua value semantics its validation relies on.

Configs arrive as cjson made them: a Lua table is a ``dict`` or a ``list``, ``ngx.null`` is ``None``, and an
absent key (Lua ``nil``) is :data:`MISSING`. Equality, length and emptiness follow Lua, not Python
(``1 == 1.0`` but ``true ~= 1``; ``#"é" == 2``; ``{}`` and ``""`` are empty).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Final

from kong_plugins.core.schema.lua import lua_tostring, utf8_len

FieldError = str | dict[Any, Any] | list[Any]
"""Kong's error for one field: a message, a record's errors by key, or element errors by position."""


class _Missing:
    """Lua ``nil``: the key is absent (``None`` stands for JSON ``null``, i.e. ``ngx.null``)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()

# Kong's validation_errors (kong/db/schema/init.lua), the ones a plugin config can produce.
MESSAGES: Final[dict[str, str]] = {
    "ARRAY": "expected an array",
    "SET": "expected a set",
    "MAP": "expected a map",
    "RECORD": "expected a record",
    "STRING": "expected a string",
    "NUMBER": "expected a number",
    "BOOLEAN": "expected a boolean",
    "INTEGER": "expected an integer",
    "EQ": "value must be %s",
    "NE": "value must not be %s",
    "GT": "value must be greater than %s",
    "BETWEEN": "value should be between %s and %s",
    "LEN_EQ": "length must be %s",
    "LEN_MIN": "length must be at least %s",
    "LEN_MAX": "length must be at most %s",
    "MATCH": "invalid value: %s",
    "NOT_MATCH": "invalid value: %s",
    "MATCH_ALL": "invalid value: %s",
    "MATCH_NONE": "invalid value: %s",
    "MATCH_ANY": "invalid value: %s",
    "STARTS_WITH": "should start with: %s",
    "CONTAINS": "expected to contain: %s",
    "ONE_OF": "expected one of: %s",
    "NOT_ONE_OF": "must not be one of: %s",
    "IS_REGEX": "not a valid regex: %s",
    "TIMESTAMP": "expected a valid timestamp",
    "UUID": "expected a valid UUID",
    "REQUIRED": "required field missing",
    "UNKNOWN": "unknown field",
    "SCHEMA_TYPE": "invalid type: %s",
    "REQUIRED_FOR_ENTITY_CHECK": "field required for entity check",
    "CONDITIONAL": "failed conditional validation given value of field '%s'",
    "AT_LEAST_ONE_OF": "at least one of these fields must be non-empty: %s",
    "CONDITIONAL_AT_LEAST_ONE_OF": "at least one of these fields must be non-empty: %s",
    "ONLY_ONE_OF": "exactly one of these fields must be non-empty: %s",
    "DISTINCT": "values of these fields must be distinct: %s",
    "MUTUALLY_REQUIRED": "all or none of these fields must be set: %s",
    "MUTUALLY_EXCLUSIVE": "only one or none of these fields must be set: %s",
    "MUTUALLY_EXCLUSIVE_SETS": "these sets are mutually exclusive: %s",
}
REQUIRED_FIELD_MISSING: Final = MESSAGES["REQUIRED"]
UNKNOWN_FIELD: Final = MESSAGES["UNKNOWN"]
ENTITY_KEY: Final = "@entity"

VALIDATORS_ORDER: Final = (
    "eq",
    "ne",
    "not_one_of",
    "one_of",
    "gt",
    "timestamp",
    "uuid",
    "is_regex",
    "between",
    "len_eq",
    "len_min",
    "len_max",
    "starts_with",
    "not_match",
    "match_none",
    "match",
    "match_all",
    "match_any",
    "contains",
    "mutually_exclusive_subsets",
)
SUPPORTED_TYPES: Final = frozenset(
    {"string", "integer", "number", "boolean", "array", "set", "map", "record"}
)
ENTITY_CHECKERS: Final = frozenset(
    {
        "at_least_one_of",
        "conditional_at_least_one_of",
        "only_one_of",
        "distinct",
        "conditional",
        "mutually_required",
        "mutually_exclusive",
        "mutually_exclusive_sets",
    }
)


# --------------------------------------------------------------------------------------------------
# Lua value semantics
# --------------------------------------------------------------------------------------------------


def is_table(value: Any) -> bool:
    return isinstance(value, dict | list)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def as_float(value: int | float) -> float:
    try:
        return float(value)
    except OverflowError:  # cjson would have decoded such a literal as +/-inf
        return math.inf if value > 0 else -math.inf


def is_integer(value: Any) -> bool:
    if not is_number(value):
        return False
    number = as_float(value)
    return math.isfinite(number) and number.is_integer()


def lua_eq(left: Any, right: Any) -> bool:
    """Lua ``==``: same type and value for scalars, identity for tables (``1 == 1.0``, ``true ~= 1``)."""
    if is_table(left) or is_table(right):
        return left is right
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left is right
    if is_number(left) and is_number(right):
        return as_float(left) == as_float(right)
    return type(left) is type(right) and left == right


def lua_len(value: Any) -> int:
    """``#value``: bytes of a string, the border of a table (only integer keys count)."""
    if isinstance(value, str):
        return utf8_len(value)
    if isinstance(value, list):
        return len(value)
    border = 0
    while (border + 1) in value:
        border += 1
    return border


def as_table(value: dict[Any, Any] | list[Any]) -> dict[Any, Any]:
    """A table used by key (record, map): a JSON array is the table ``{1 = ..., 2 = ...}``."""
    if isinstance(value, list):
        return {index + 1: item for index, item in enumerate(value)}
    return value


def is_sequence(value: Any) -> bool:
    """Kong's ``is_sequence``: a JSON array, or an empty object (an empty Lua table)."""
    return isinstance(value, list) or (isinstance(value, dict) and not value)


def is_nonempty(value: Any) -> bool:
    return not (value is MISSING or value is None or value == "" or (is_table(value) and not value))


def quoted_list(words: Iterable[Any]) -> str:
    parts = []
    for word in words:
        parts.append(f"({quoted_list(word)})" if isinstance(word, list) else f"'{lua_tostring(word)}'")
    return ", ".join(parts)


def lua_concat(options: Iterable[Any]) -> str:
    """``table.concat(options, ", ")``."""
    return ", ".join(lua_tostring(option) for option in options)


def is_reference(value: Any) -> bool:
    """Kong's vault reference test: ``{vault://...}``."""
    return isinstance(value, str) and value.startswith("{vault://") and value.endswith("}")


def record_fields(record: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    out = []
    for item in record.get("fields") or ():
        (name, spec), *_ = item.items()
        out.append((name, spec))
    return out


def is_required(field: Mapping[str, Any], chain: bool) -> bool:
    """``required``, where records reached through records from ``config`` default to required."""
    required = field.get("required")
    if required is None:
        return chain and field.get("type") == "record"
    return required is True


def get_path(data: Any, name: str) -> Any:
    """Kong's ``get_field``: follow ``a.b.c`` through tables; absent (or through ``null``) is ``MISSING``."""
    for part in name.split("."):
        if not isinstance(data, dict):
            return MISSING
        data = data.get(part, MISSING)
    return data


def set_path(errors: dict[Any, Any], name: str, message: FieldError) -> None:
    """Kong's ``set_field`` on the error table (a non-table in the way is replaced; Lua would crash)."""
    *parents, last = name.split(".")
    for part in parents:
        child = errors.get(part)
        if isinstance(child, list):  # element/index errors: back to the Lua table they stand for
            child = {index + 1: item for index, item in enumerate(child) if item is not None}
        if not isinstance(child, dict):
            child = {}
        errors[part] = child
        errors = child
    errors[last] = message


def schema_field(record: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    """The definition of ``a.b.c`` inside ``record`` (Kong's ``get_schema_field``), or ``None``."""
    spec: Mapping[str, Any] | None = record
    for part in name.split("."):
        if spec is None:
            return None
        spec = dict(record_fields(spec)).get(part)
    return spec
