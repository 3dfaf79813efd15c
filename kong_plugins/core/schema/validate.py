"""Kong's validation of a plugin config, redone in Python so that we can answer exactly like Kong.

Source of truth: Kong 3.9.1 ``kong/db/schema/init.lua`` (``process_auto_fields`` in the "insert" context, then
``validate``), ``kong/db/schema/entity.lua`` (``make_records_required``) and ``kong/db/dao/init.lua``
(``check_insert``). What ``POST /routes/{id}/plugins`` does with ``config``:

1. **Defaults.** For each schema field, an absent value gets a deep copy of ``default``; without a default a
   non-required field becomes JSON ``null``, a required record is expanded (so that its own defaults appear)
   and any other required field stays absent (to fail in step 2). Records reached from ``config`` through
   records only are *required unless they say otherwise* (``make_records_required``); records inside array
   elements or map values are not. Sets are de-duplicated. An explicit ``null`` is kept as ``null`` - a
   default does **not** replace it - and is then accepted unless the field is ``required``.
2. **Validation**, per field: type, then the validators in Kong's fixed order, each message overridable by
   ``err``; element errors are reported by index (a list with ``None`` where the element was fine); unknown
   keys are ``"unknown field"`` (except a key named ``updated_at``, which Kong never validates); then
   ``required``; then each record's ``entity_checks``, whose messages go under ``"@entity"``.

Lua tables are what cjson made of the JSON body, and we keep their quirks: a JSON array is a valid empty
record/map when empty (and a record whose keys are 1..n when not), an empty JSON object is a valid empty
array. Lua patterns, number printing and message formatting come from :mod:`.lua`.

Input is untrusted: :class:`Limits` bounds depth, the number of values and string lengths before any work.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from kong_plugins.core.errors import ConfigError
from kong_plugins.core.schema.entity_checks import run_entity_check
from kong_plugins.core.schema.lua import LuaPatternError, lua_find, lua_format_int, lua_tostring, utf8_len
from kong_plugins.core.schema.values import (
    ENTITY_CHECKERS,
    ENTITY_KEY,
    MESSAGES,
    MISSING,
    REQUIRED_FIELD_MISSING,
    SUPPORTED_TYPES,
    UNKNOWN_FIELD,
    VALIDATORS_ORDER,
    FieldError,
    as_float,
    as_table,
    is_integer,
    is_number,
    is_reference,
    is_required,
    is_sequence,
    is_table,
    lua_concat,
    lua_eq,
    lua_len,
    quoted_list,
    record_fields,
    schema_field,
)

__all__ = [
    "DEFAULT_LIMITS",
    "ENTITY_CHECKERS",
    "ENTITY_KEY",
    "MESSAGES",
    "MISSING",
    "REQUIRED_FIELD_MISSING",
    "SUPPORTED_TYPES",
    "UNKNOWN_FIELD",
    "VALIDATORS_ORDER",
    "FieldError",
    "Limits",
    "schema_field",
    "validate_config",
    "validate_value",
]


@dataclass(frozen=True)
class Limits:
    """Bounds on a config we agree to validate; Kong has none, but our input is hostile.

    The walk is driven by the schema, so the work is at most ``schema depth x values``; these bound the
    values.
    """

    max_depth: int = 32
    max_values: int = 100_000
    max_string_length: int = 1 << 20


DEFAULT_LIMITS: Final = Limits()


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z", re.IGNORECASE)


class _TooBig(Exception):
    """The input exceeds :class:`Limits`."""


# --------------------------------------------------------------------------------------------------
# Bounds on the input
# --------------------------------------------------------------------------------------------------


def _check_bounds(value: Any, limits: Limits) -> None:
    """Walk the input once, iteratively, and stop at the first limit crossed."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    count = 0
    while stack:
        item, depth = stack.pop()
        count += 1
        if count > limits.max_values:
            raise _TooBig(f"config is too large to validate (more than {limits.max_values} values)")
        if depth > limits.max_depth:
            raise _TooBig(f"config is nested too deeply to validate (more than {limits.max_depth} levels)")
        if isinstance(item, str) and len(item) > limits.max_string_length:
            raise _TooBig(f"config has a string longer than {limits.max_string_length} characters")
        if isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and len(key) > limits.max_string_length:
                    raise _TooBig(f"config has a key longer than {limits.max_string_length} characters")
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


# --------------------------------------------------------------------------------------------------
# Step 1: defaults (process_auto_fields, "insert")
# --------------------------------------------------------------------------------------------------


def _handle_missing(field: Mapping[str, Any], chain: bool) -> Any:
    if "default" in field:
        return copy.deepcopy(field["default"])
    if not is_required(field, chain):
        return None
    if field.get("type") == "record":
        return _process_record(field, {}, chain)
    return MISSING


def _element_spec(field: Mapping[str, Any], attribute: str) -> dict[str, Any]:
    """``elements``/``keys``/``values`` of a field, required as Kong makes them.

    Kong sets ``required = true`` on them, in place, the first time it validates such a value (and at load
    time for fields with a default); we always use that steady state. It only shows for a ``false`` element
    of record type: Kong then expands the record's defaults instead of keeping ``false``.
    """
    return {**(field.get(attribute) or {}), "required": True}


def _make_set(values: list[Any]) -> list[Any]:
    """Kong's ``make_set``: drop repeated scalars, keep the first occurrence (tables are never equal)."""
    seen: set[tuple[str, Any]] = set()
    out = []
    for value in values:
        if is_table(value) or value is None:
            key: tuple[str, Any] = ("id", id(value)) if value is not None else ("null", None)
        elif isinstance(value, bool):
            key = ("bool", value)
        elif is_number(value):
            key = ("number", as_float(value))
        else:
            key = ("string", value)
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


def _adjust(field: Mapping[str, Any], value: Any, chain: bool) -> Any:
    """Kong's ``adjust_field_for_context``: fill defaults below ``value``, or for it when it is absent."""
    field_type = field.get("type")
    if field_type == "record":
        if value is not None and (value is not MISSING or is_required(field, chain)):
            if value is MISSING or value is False:  # Lua: `value = value or default`, and false is falsy
                value = _handle_missing(field, chain)
            if is_table(value):
                return _process_record(field, as_table(value), chain)
    elif is_table(value) and field_type in ("array", "set") and is_sequence(value):
        elements = list(value) if isinstance(value, list) else []
        if field_type == "set":
            elements = _make_set(elements)
        subfield = _element_spec(field, "elements")
        return [_adjust(subfield, element, False) for element in elements]
    elif is_table(value) and field_type == "map":
        subfield = _element_spec(field, "values")
        return {key: _adjust(subfield, item, False) for key, item in as_table(value).items()}
    elif field_type == "integer" and isinstance(value, float) and is_integer(value):
        return int(value)  # Lua has one number type; cjson would send it back as "5", not "5.0"
    if value is MISSING:
        return _handle_missing(field, chain)
    return value


def _process_record(record: Mapping[str, Any], data: dict[Any, Any], chain: bool) -> dict[Any, Any]:
    """Kong's ``process_auto_fields(data, "insert")``: unknown keys are kept (validation rejects them)."""
    out = dict(data)
    for name, spec in record_fields(record):
        value = _adjust(spec, out.get(name, MISSING), chain)
        if value is MISSING:
            out.pop(name, None)
        else:
            out[name] = value
    return out


# --------------------------------------------------------------------------------------------------
# Step 2: validation
# --------------------------------------------------------------------------------------------------


class _Validator:
    """One validation run: carries the recursion depth so that a hostile schema cannot recurse forever."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.depth = 0

    # -- one field ------------------------------------------------------------------------------------------

    def field(self, field: Mapping[str, Any], value: Any, chain: bool = False) -> FieldError | None:
        """Kong's ``Schema:validate_field``: ``None`` when valid, else the field's error."""
        self.depth += 1
        try:
            if self.depth > self.limits.max_depth * 2 + 8:
                raise _TooBig("schema is nested too deeply to validate")
            return self._field(field, value, chain)
        finally:
            self.depth -= 1

    def _field(self, field: Mapping[str, Any], value: Any, chain: bool) -> FieldError | None:
        if value is None:
            if "ne" in field and field["ne"] is None:
                return field.get("err") or MESSAGES["NE"] % "null"
            if field.get("eq") is not None:
                return MESSAGES["EQ"] % lua_tostring(field["eq"])
            if is_required(field, chain):
                return REQUIRED_FIELD_MISSING
            return None
        if "eq" in field and field["eq"] is None:
            return field.get("err") or MESSAGES["EQ"] % "null"

        field_type = field.get("type")
        attributes: Mapping[str, Any] = field
        if field_type in ("array", "set"):
            if not is_sequence(value):
                return MESSAGES["ARRAY" if field_type == "array" else "SET"]
            elements = _element_spec(field, "elements")
            errors: list[Any] = []
            for index, element in enumerate(value if isinstance(value, list) else []):
                error = self.field(elements, element)
                if error is not None:
                    errors.extend([None] * (index - len(errors)))
                    errors.append(error)
            if errors:
                return errors
        elif field_type == "map":
            if not is_table(value):
                return MESSAGES["MAP"]
            keys = _element_spec(field, "keys")
            values = _element_spec(field, "values")
            for key, item in as_table(value).items():
                error = self.field(keys, key)
                if error is None:
                    error = self.field(values, item)
                if error is not None:
                    return error
        elif field_type == "record":
            if not is_table(value):
                return MESSAGES["RECORD"]
            processed = _process_record(field, as_table(value), chain)
            record_errors = self.record(field, processed, chain)
            if record_errors:
                return record_errors
        elif field_type == "integer":
            if not is_integer(value):
                return MESSAGES["INTEGER"]
        elif field_type == "number":
            if not is_number(value):
                return MESSAGES["NUMBER"]
        elif field_type == "string":
            if not isinstance(value, str):
                return MESSAGES["STRING"]
            if field.get("len_min") is None:
                attributes = {**field, "len_min": 1}  # Kong: empty strings are not accepted by default
            if field.get("referenceable") and is_reference(value):
                return None
        elif field_type == "boolean":
            if not isinstance(value, bool):
                return MESSAGES["BOOLEAN"]
        else:
            return MESSAGES["SCHEMA_TYPE"] % lua_tostring(field_type)

        for name in VALIDATORS_ORDER:
            argument = attributes.get(name)
            if argument is None:
                continue
            error = _VALIDATORS[name](value, argument)
            if error is not None:
                return field.get("err") or error
        return None

    # -- one record -----------------------------------------------------------------------------------------

    def record(self, record: Mapping[str, Any], data: dict[Any, Any], chain: bool) -> FieldError:
        """Kong's ``Schema:validate(data, full_check=true)`` of a record: errors by key, ``{}`` if valid."""
        fields = dict(record_fields(record))
        errors: dict[Any, Any] = {}
        for key, value in data.items():
            if key == "updated_at":  # Kong's unvalidated_fields: never validated, whatever the schema says
                continue
            spec = fields.get(lua_tostring(key) if isinstance(key, int) else key)
            if spec is None:
                errors[key] = UNKNOWN_FIELD
                continue
            error = self.field(spec, value, chain)
            if error is not None:
                errors[key] = error
        for name, spec in fields.items():
            if is_required(spec, chain) and data.get(name, MISSING) in (None, MISSING):
                errors[name] = REQUIRED_FIELD_MISSING
        for check in record.get("entity_checks") or ():
            run_entity_check(self, record, data, errors, chain, check)
        if errors and all(isinstance(key, int) and key > 0 for key in errors):
            size = max(errors)
            return [errors.get(index) for index in range(1, size + 1)]  # cjson encodes it as an array
        return errors


# --------------------------------------------------------------------------------------------------
# Field validators (Schema.validators), in Kong's words
# --------------------------------------------------------------------------------------------------


def _between(value: Any, limits: list[Any]) -> str | None:
    low, high = limits
    if value < low or value > high:
        return MESSAGES["BETWEEN"] % (lua_format_int(low), lua_format_int(high))
    return None


def _length_validator(key: str, accept: Callable[[int, int], bool]) -> Callable[[Any, Any], str | None]:
    def check(value: Any, limit: Any) -> str | None:
        length = lua_len(value)
        if isinstance(value, dict):
            length += len(value)  # Kong counts a map's pairs on top of its border
        return None if accept(length, limit) else MESSAGES[key] % lua_format_int(limit)

    return check


def _is_valid_regex(value: str) -> bool:
    """Kong compiles the value with PCRE (``ngx.re.match``); we can only ask Python's ``re``.

    The two mostly agree; PCRE-only syntax (``(?<name>...)``, ``\\p{L}``, ``\\K``, recursion) is refused here
    although Kong accepts it, and a few things Python accepts PCRE does not (e.g. ``\\Z`` differences).
    """
    try:
        re.compile(value)
    except (re.error, RecursionError, OverflowError, ValueError):
        return False
    return True


def _match_all(value: str, rules: list[Mapping[str, Any]]) -> str | None:
    for rule in rules:
        if not _lua_find(value, rule["pattern"]):
            return rule.get("err") or MESSAGES["MATCH_ALL"] % value
    return None


def _match_none(value: str, rules: list[Mapping[str, Any]]) -> str | None:
    for rule in rules:
        if _lua_find(value, rule["pattern"]):
            return rule.get("err") or MESSAGES["MATCH_NONE"] % value
    return None


def _match_any(value: str, rule: Mapping[str, Any]) -> str | None:
    if any(_lua_find(value, pattern) for pattern in rule["patterns"]):
        return None
    return rule.get("err") or MESSAGES["MATCH_ANY"] % value


def _mutually_exclusive_subsets(value: list[Any], subsets: list[list[Any]]) -> str | None:
    member_of: list[list[Any]] = []
    for element in value:
        # Kong maps each element to the *last* subset naming it
        for subset in reversed(subsets):
            if any(lua_eq(element, item) for item in subset):
                if not any(subset is seen for seen in member_of):
                    member_of.append(subset)
                break
    if len(member_of) <= 1:
        return None
    return MESSAGES["MUTUALLY_EXCLUSIVE_SETS"] % quoted_list(member_of)


def _lua_find(value: Any, pattern: str) -> bool:
    if not isinstance(value, str):
        raise ConfigError(f"schema applies a Lua pattern to a non-string value: {pattern!r}")
    try:
        return lua_find(value, pattern)
    except LuaPatternError as error:
        raise ConfigError(f"invalid Lua pattern in schema: {error}") from error


def _one_of(value: Any, options: list[Any]) -> str | None:
    if any(lua_eq(value, option) for option in options):
        return None
    return MESSAGES["ONE_OF"] % lua_concat(options)


def _not_one_of(value: Any, options: list[Any]) -> str | None:
    if any(lua_eq(value, option) for option in options):
        return MESSAGES["NOT_ONE_OF"] % lua_concat(options)
    return None


_VALIDATORS: Final[dict[str, Callable[[Any, Any], str | None]]] = {
    "eq": lambda v, wanted: None if lua_eq(v, wanted) else MESSAGES["EQ"] % lua_tostring(wanted),
    "ne": lambda v, wanted: MESSAGES["NE"] % lua_tostring(v) if lua_eq(v, wanted) else None,
    "not_one_of": _not_one_of,
    "one_of": _one_of,
    "gt": lambda v, limit: None if v > limit else MESSAGES["GT"] % lua_tostring(limit),
    "timestamp": lambda v, _: None if v > 0 else MESSAGES["TIMESTAMP"],
    "uuid": lambda v, _: None if utf8_len(v) == 36 and _UUID.match(v) else MESSAGES["UUID"],
    "is_regex": lambda v, _: None if _is_valid_regex(v) else MESSAGES["IS_REGEX"] % v,
    "between": _between,
    "len_eq": _length_validator("LEN_EQ", lambda length, n: length == n),
    "len_min": _length_validator("LEN_MIN", lambda length, n: length >= n),
    "len_max": _length_validator("LEN_MAX", lambda length, n: length <= n),
    "starts_with": lambda v, prefix: None if v.startswith(prefix) else MESSAGES["STARTS_WITH"] % prefix,
    "not_match": lambda v, pattern: MESSAGES["NOT_MATCH"] % v if _lua_find(v, pattern) else None,
    "match_none": _match_none,
    "match": lambda v, pattern: None if _lua_find(v, pattern) else MESSAGES["MATCH"] % v,
    "match_all": _match_all,
    "match_any": _match_any,
    "contains": lambda v, wanted: (
        None if any(lua_eq(item, wanted) for item in v) else MESSAGES["CONTAINS"] % lua_tostring(wanted)
    ),
    "mutually_exclusive_subsets": _mutually_exclusive_subsets,
}


# --------------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------------


def validate_config(
    config_record: Mapping[str, Any],
    config: Any = None,
    *,
    explicit_null: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[dict[Any, Any], FieldError]:
    """Validate a plugin's ``config`` the way Kong's Admin API does on ``POST .../plugins``.

    ``config_record`` is the ``{"type": "record", "fields": [...], "entity_checks": [...]}`` of the plugin's
    schema; ``config`` the decoded JSON (``None`` = not given: every default applies). Set ``explicit_null``
    for a body with ``"config": null`` (Kong: ``required field missing``).

    Returns ``(normalized, errors)``: the config with Kong's defaults filled in, and Kong's error for the
    ``config`` field - ``{}`` when valid, else a dict of errors by field (``"@entity"`` for entity checks), or
    a plain message when ``config`` itself is not a record (``"expected a record"``). Feed it to
    :func:`~kong_plugins.core.schema.violation.schema_violation` for the 400 body.
    """
    root = {**config_record, "type": "record", "required": True}
    if explicit_null:
        return {}, REQUIRED_FIELD_MISSING
    try:
        _check_bounds(config, limits)
        processed = _adjust(root, MISSING if config is None else config, True)
        error = _Validator(limits).field(root, processed, True)
    except _TooBig as too_big:
        return {}, {ENTITY_KEY: [str(too_big)]}
    except RecursionError:
        return {}, {ENTITY_KEY: ["config is nested too deeply to validate"]}
    if not is_table(processed):  # "expected a record": there is no config to hand back
        return {}, error if error is not None else {}
    return processed, error if error is not None else {}


def validate_value(
    field: Mapping[str, Any], value: Any, *, limits: Limits = DEFAULT_LIMITS
) -> FieldError | None:
    """Kong's ``validate_field`` for one value (``None`` is JSON ``null``), defaults filled first.

    Used for a field's own ``default`` (Kong's metaschema validates it this way) and by tests.
    """
    try:
        _check_bounds(value, limits)
        return _Validator(limits).field(field, _adjust(field, value, False))
    except _TooBig as too_big:
        return str(too_big)
