"""Build-time checks: refuse a schema that Kong would not load, or that we could not validate like Kong.

Kong validates a plugin schema with ``MetaSchema.MetaSubSchema`` (kong/db/schema/metaschema.lua) when it loads
the plugin; a failure there stops Kong from starting. We check the same rules earlier, when our modules are
imported, and a few stricter ones:

* Kong's rules: known attributes only; ``elements`` for arrays/sets, ``keys``/``values`` for maps,
  ``fields`` for records; ``between`` only on numbers, ``match``/``is_regex``/``uuid`` only on strings,
  ``one_of`` only on strings and numbers, ``contains`` only on arrays/sets; ``description`` 10 to 500 bytes;
  ``default`` must pass the field's own validation (Kong's ``type = "self"``); entity checks are known
  checkers with the right argument shapes.
* Ours: only JSON-expressible attributes (no ``custom_validator``, ``func`` or ``shorthand_fields``: the
  schema travels as JSON); only the types a plugin config needs; map keys are strings; patterns are Lua
  patterns we can translate; entity checks name existing fields (Kong 3.9 crashes at request time if not);
  field names are identifiers, unique, and not ``updated_at`` (which Kong never validates); ``len_*`` only
  where ``#`` is defined; ``between`` is ordered.

Every error is a :class:`~kong_plugins.core.errors.ConfigError` whose ``fields`` maps the field path to the
reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final

from kong_plugins.core.errors import ConfigError
from kong_plugins.core.schema.lua import LuaPatternError, lua_pattern, utf8_len
from kong_plugins.core.schema.validate import (
    ENTITY_CHECKERS,
    SUPPORTED_TYPES,
    VALIDATORS_ORDER,
    schema_field,
    validate_value,
)

MAX_SCHEMA_DEPTH: Final = 16
DESCRIPTION_MIN: Final = 10
DESCRIPTION_MAX: Final = 500
FIELD_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
RESERVED_FIELD_NAMES: Final = frozenset({"updated_at"})

_COMMON: Final = frozenset(
    {"type", "required", "default", "description", "examples", "err", "deprecation", "eq", "ne"}
)
_BY_TYPE: Final[dict[str, frozenset[str]]] = {
    "string": frozenset(
        {
            "one_of",
            "not_one_of",
            "len_eq",
            "len_min",
            "len_max",
            "match",
            "not_match",
            "match_all",
            "match_none",
            "match_any",
            "starts_with",
            "is_regex",
            "uuid",
            "referenceable",
            "encrypted",
        }
    ),
    "integer": frozenset({"one_of", "not_one_of", "between", "gt", "timestamp"}),
    "number": frozenset({"one_of", "not_one_of", "between", "gt", "timestamp"}),
    "boolean": frozenset(),
    "array": frozenset(
        {"elements", "len_eq", "len_min", "len_max", "contains", "mutually_exclusive_subsets"}
    ),
    "set": frozenset({"elements", "len_eq", "len_min", "len_max", "contains", "mutually_exclusive_subsets"}),
    "map": frozenset({"keys", "values", "len_eq", "len_min", "len_max"}),
    "record": frozenset({"fields", "entity_checks"}),
}
_REQUIRED_ATTRIBUTES: Final = {
    "array": ("elements",),
    "set": ("elements",),
    "map": ("keys", "values"),
    "record": ("fields",),
}
_KONG_ATTRIBUTES: Final = frozenset().union(*_BY_TYPE.values(), _COMMON, {"custom_validator"})
# the attributes allowed in a conditional's if_match/then_match (Kong's conditional_validators)
_CONDITION_ATTRIBUTES: Final = frozenset({"required", "elements", "keys", "values", *VALIDATORS_ORDER})


def _fail(path: str, reason: str) -> ConfigError:
    return ConfigError(f"invalid schema: {path}: {reason}", {path: reason})


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_json_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | bool) or _is_number(value)


def _value_fits(field_type: str, value: Any) -> bool:
    if field_type == "string":
        return isinstance(value, str)
    if field_type == "integer":
        return _is_number(value) and float(value).is_integer()
    if field_type == "number":
        return _is_number(value)
    if field_type == "boolean":
        return isinstance(value, bool)
    return False


def _check_pattern(path: str, pattern: Any) -> None:
    if not isinstance(pattern, str):
        raise _fail(path, "a pattern must be a string")
    try:
        lua_pattern(pattern)
    except LuaPatternError as error:
        raise _fail(path, str(error)) from error


def _check_string(path: str, value: Any) -> None:
    if not isinstance(value, str):
        raise _fail(path, "must be a string")


def _check_pattern_rules(path: str, rules: Any) -> None:
    if not isinstance(rules, list) or not rules:
        raise _fail(path, "must be a non-empty list of {pattern, err}")
    for index, rule in enumerate(rules):
        if not isinstance(rule, Mapping) or set(rule) - {"pattern", "err"} or "pattern" not in rule:
            raise _fail(f"{path}.{index + 1}", "must be {pattern, err?}")
        _check_pattern(f"{path}.{index + 1}.pattern", rule["pattern"])
        if "err" in rule:
            _check_string(f"{path}.{index + 1}.err", rule["err"])


def _check_attribute(path: str, field_type: str, name: str, value: Any) -> None:
    """Shape of one attribute's argument (metaschema.lua ``validators`` and ``field_schema``)."""
    where = f"{path}.{name}"
    if name in ("required", "is_regex", "uuid", "timestamp", "referenceable", "encrypted"):
        if not isinstance(value, bool):
            raise _fail(where, "must be a boolean")
    elif name in ("err", "starts_with"):
        _check_string(where, value)
    elif name == "description":
        _check_string(where, value)
        if not DESCRIPTION_MIN <= utf8_len(value) <= DESCRIPTION_MAX:
            raise _fail(
                where, f"length must be between {DESCRIPTION_MIN} and {DESCRIPTION_MAX} (Kong's metaschema)"
            )
    elif name == "examples":
        if not isinstance(value, list):
            raise _fail(where, "must be a list")
    elif name in ("eq", "ne", "contains"):
        if not _is_json_scalar(value):
            raise _fail(where, "must be a JSON scalar")
    elif name in ("one_of", "not_one_of"):
        if not isinstance(value, list) or not value:
            raise _fail(where, "must be a non-empty list")
        if field_type and not all(_value_fits(field_type, option) for option in value):
            raise _fail(where, f"every option must be of type {field_type}")
    elif name == "between":
        if not (isinstance(value, list) and len(value) == 2 and all(_is_number(v) for v in value)):
            raise _fail(where, "must be a list of two numbers")
        if value[0] > value[1]:
            raise _fail(where, "the lower bound is above the upper bound")
    elif name == "gt":
        if not _is_number(value):
            raise _fail(where, "must be a number")
    elif name in ("len_eq", "len_min", "len_max"):
        if not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
            raise _fail(where, "must be a non-negative integer")
    elif name in ("match", "not_match"):
        _check_pattern(where, value)
    elif name in ("match_all", "match_none"):
        _check_pattern_rules(where, value)
    elif name == "match_any":
        if not isinstance(value, Mapping) or set(value) - {"patterns", "err"} or not value.get("patterns"):
            raise _fail(where, "must be {patterns, err?}")
        for index, pattern in enumerate(value["patterns"]):
            _check_pattern(f"{where}.patterns.{index + 1}", pattern)
        if "err" in value:
            _check_string(f"{where}.err", value["err"])
    elif name == "mutually_exclusive_subsets":
        if not (
            isinstance(value, list)
            and all(isinstance(s, list) and all(_is_json_scalar(i) for i in s) for s in value)
        ):
            raise _fail(where, "must be a list of lists of values")
    elif name == "deprecation":
        if not isinstance(value, Mapping) or set(value) - {"message", "removal_in_version", "old_default"}:
            raise _fail(where, "must be {message, removal_in_version, old_default?}")
        _check_string(f"{where}.message", value.get("message"))
        _check_string(f"{where}.removal_in_version", value.get("removal_in_version"))


def check_field(spec: Any, path: str = "field", *, depth: int = 0, named: bool = False) -> None:
    """Raise :class:`ConfigError` unless ``spec`` is a field definition Kong loads and we validate like Kong.

    ``named`` fields (entries of a record's ``fields``) must carry a ``description``: docs are generated from
    them and Kong's style wants one on every field.
    """
    if depth > MAX_SCHEMA_DEPTH:
        raise _fail(path, f"schema nested deeper than {MAX_SCHEMA_DEPTH} levels")
    if not isinstance(spec, Mapping):
        raise _fail(path, "a field definition must be a dict")
    field_type = spec.get("type")
    if field_type not in SUPPORTED_TYPES:
        raise _fail(path, f"unsupported type {field_type!r} (one of: {', '.join(sorted(SUPPORTED_TYPES))})")
    allowed = _COMMON | _BY_TYPE[field_type]
    for name in spec:
        if name in allowed:
            continue
        if name in _KONG_ATTRIBUTES:
            raise _fail(path, f"field of type '{field_type}' cannot have attribute '{name}'")
        raise _fail(path, f"unknown attribute '{name}'")
    for name in _REQUIRED_ATTRIBUTES.get(field_type, ()):
        if name not in spec:
            raise _fail(path, f"field of type '{field_type}' must declare '{name}'")
    if named and "description" not in spec:
        raise _fail(path, "every field needs a description")
    for name, value in spec.items():
        if name not in ("type", "default", "elements", "keys", "values", "fields", "entity_checks"):
            _check_attribute(path, field_type, name, value)
    if field_type in ("array", "set"):
        check_field(spec["elements"], f"{path}.elements", depth=depth + 1)
    elif field_type == "map":
        check_field(spec["keys"], f"{path}.keys", depth=depth + 1)
        if spec["keys"].get("type") != "string":
            raise _fail(f"{path}.keys", "map keys must be strings (JSON object keys)")
        check_field(spec["values"], f"{path}.values", depth=depth + 1)
    elif field_type == "record":
        check_record(spec, path, depth=depth)
    if "default" in spec:
        _check_default(path, spec)


def _check_default(path: str, spec: Mapping[str, Any]) -> None:
    default = spec["default"]
    try:
        json.dumps(default, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise _fail(f"{path}.default", f"must be JSON-serialisable ({error})") from error
    error = validate_value(spec, default)
    if error is not None:
        reason = error if isinstance(error, str) else json.dumps(error)
        raise _fail(f"{path}.default", f"the default does not pass the field's own validation: {reason}")


def check_record(spec: Mapping[str, Any], path: str = "config", *, depth: int = 0) -> None:
    """Check a record's ``fields`` (single-key dicts, unique identifier names) and its ``entity_checks``."""
    fields = spec.get("fields")
    if not isinstance(fields, list):
        raise _fail(path, "'fields' must be a list of {name: definition}")
    seen: set[str] = set()
    for item in fields:
        if not isinstance(item, Mapping) or len(item) != 1:
            raise _fail(path, "each entry in fields must be a dict with exactly one key")
        (name, field_spec), *_ = item.items()
        if not isinstance(name, str) or not FIELD_NAME.match(name):
            raise _fail(
                path, f"invalid field name {name!r} (letters, digits and '_', not starting with a digit)"
            )
        if name in RESERVED_FIELD_NAMES:
            raise _fail(f"{path}.{name}", f"'{name}' is never validated by Kong; pick another name")
        if name in seen:
            raise _fail(f"{path}.{name}", "duplicate field name")
        seen.add(name)
        check_field(field_spec, f"{path}.{name}", depth=depth + 1, named=True)
    check_entity_checks(spec, spec.get("entity_checks"), f"{path}.entity_checks")


def _check_names(record: Mapping[str, Any], path: str, names: Any, *, minimum: int = 1) -> None:
    if not isinstance(names, list) or len(names) < minimum or not all(isinstance(n, str) for n in names):
        raise _fail(path, f"must be a list of at least {minimum} field name(s)")
    for name in names:
        if schema_field(record, name) is None:
            raise _fail(path, f"no field '{name}' in this record")


def _check_condition(record: Mapping[str, Any], path: str, field_name: str, condition: Any) -> None:
    if not isinstance(condition, Mapping) or not condition:
        raise _fail(path, "must be a non-empty dict of validators")
    for name in condition:
        if name not in _CONDITION_ATTRIBUTES:
            raise _fail(path, f"attribute '{name}' is not allowed in a condition")
    field_type = (schema_field(record, field_name) or {}).get("type", "")
    for name, value in condition.items():
        if name in ("elements", "keys", "values"):
            # Kong's conditional_validators take a whole (recursive) field schema here: allow nesting
            check_field(value, f"{path}.{name}", depth=MAX_SCHEMA_DEPTH // 2)
        else:
            _check_attribute(path, field_type, name, value)


def _check_template(path: str, template: Any) -> None:
    _check_string(path, template)
    if re.search(r"%[^s%]", template.replace("%%", "")):
        raise _fail(path, "a custom message may only use '%s' (and '%%')")


def check_entity_checks(record: Mapping[str, Any], checks: Any, path: str) -> None:
    """Check ``entity_checks``: Kong's checkers (no ``custom_entity_check``), arguments and field names."""
    if checks is None:
        return
    if not isinstance(checks, list):
        raise _fail(path, "must be a list")
    for index, check in enumerate(checks):
        where = f"{path}.{index + 1}"
        if not isinstance(check, Mapping) or len(check) != 1:
            raise _fail(where, "each entity check must be a dict with exactly one key")
        (name, argument), *_ = check.items()
        if name not in ENTITY_CHECKERS:
            raise _fail(
                where, f"unknown entity check {name!r} (one of: {', '.join(sorted(ENTITY_CHECKERS))})"
            )
        where = f"{where}.{name}"
        if name in ("at_least_one_of", "only_one_of", "distinct", "mutually_required", "mutually_exclusive"):
            _check_names(record, where, argument, minimum=2 if name != "at_least_one_of" else 1)
        elif name == "mutually_exclusive_sets":
            if not isinstance(argument, Mapping) or set(argument) != {"set1", "set2"}:
                raise _fail(where, "must be {set1, set2}")
            _check_names(record, f"{where}.set1", argument["set1"])
            _check_names(record, f"{where}.set2", argument["set2"])
        elif name == "conditional":
            needed = {"if_field", "if_match", "then_field", "then_match"}
            if (
                not isinstance(argument, Mapping)
                or set(argument) - needed - {"then_err"}
                or needed - set(argument)
            ):
                raise _fail(where, "must be {if_field, if_match, then_field, then_match, then_err?}")
            _check_names(record, f"{where}.if_field", [argument["if_field"]])
            _check_names(record, f"{where}.then_field", [argument["then_field"]])
            _check_condition(record, f"{where}.if_match", argument["if_field"], argument["if_match"])
            _check_condition(record, f"{where}.then_match", argument["then_field"], argument["then_match"])
            if "then_err" in argument:
                _check_template(f"{where}.then_err", argument["then_err"])
        else:  # conditional_at_least_one_of
            allowed = {
                "if_field",
                "if_match",
                "then_at_least_one_of",
                "then_err",
                "else_match",
                "else_then_at_least_one_of",
                "else_then_err",
            }
            if not isinstance(argument, Mapping) or set(argument) - allowed:
                raise _fail(where, f"allowed keys: {', '.join(sorted(allowed))}")
            for key in ("if_field", "if_match", "then_at_least_one_of"):
                if key not in argument:
                    raise _fail(where, f"'{key}' is required")
            _check_names(record, f"{where}.if_field", [argument["if_field"]])
            _check_names(record, f"{where}.then_at_least_one_of", argument["then_at_least_one_of"])
            _check_condition(record, f"{where}.if_match", argument["if_field"], argument["if_match"])
            if "else_match" in argument or "else_then_at_least_one_of" in argument:
                if not ("else_match" in argument and "else_then_at_least_one_of" in argument):
                    raise _fail(where, "'else_match' and 'else_then_at_least_one_of' go together")
                _check_condition(record, f"{where}.else_match", argument["if_field"], argument["else_match"])
                _check_names(
                    record, f"{where}.else_then_at_least_one_of", argument["else_then_at_least_one_of"]
                )
            for key in ("then_err", "else_then_err"):
                if key in argument:
                    _check_template(f"{where}.{key}", argument[key])
