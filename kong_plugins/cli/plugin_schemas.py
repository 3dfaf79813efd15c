"""What the ``kong-ai`` schema commands know about our plugins: which ones exist, and their schemas in words.

``docs``, ``schema`` and ``validate`` start where the plugin server starts - the table of
:mod:`kong_plugins.server.registry`, loaded by the same function - so that they describe and enforce exactly
the schema Kong receives from the query command, never a hand-written copy of it.

The words for a field (type, constraints, required or not) and for an entity check are built here once, so
that the generated Markdown (``kong-ai docs``) and the terminal outline (``kong-ai schema``) cannot disagree.
Schemas are our own code, not user input, but the walk is still bounded in depth.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from kong_plugins.cli.main import EXIT_USAGE, CliError
from kong_plugins.core.schema.lua import lua_format_s, lua_tostring
from kong_plugins.core.schema.values import is_required, quoted_list, record_fields, schema_field
from kong_plugins.server.registry import (
    PLUGIN_MODULES,
    LoadedPlugin,
    PluginLoadError,
    load_plugin_module,
    parse_plugin_specs,
    select_plugin_modules,
)

__all__ = [
    "NOT_NULL",
    "OPTIONAL",
    "REQUIRED",
    "Clause",
    "FieldRow",
    "add_plugin_option",
    "code",
    "config_record",
    "constraint_clauses",
    "entity_check_sentences",
    "field_rows",
    "load_plugin",
    "plugin_table",
    "type_words",
]

#: ``required`` column: the field must be given.
REQUIRED: Final = "yes"
#: ``required`` column: the field may be omitted (its default, or its expanded record, applies) but not null.
NOT_NULL: Final = "not null"
#: ``required`` column: the field may be omitted or null.
OPTIONAL: Final = "no"

_MAX_SCHEMA_DEPTH = 64
_SCALARS = frozenset({"string", "integer", "number", "boolean"})
_UNITS = {  # type -> (singular, plural) of what its length counts
    "string": ("character", "characters"),
    "array": ("element", "elements"),
    "set": ("element", "elements"),
    "map": ("entry", "entries"),
}


# ------------------------------------------------------------------------------------------------------------
# Which plugins
# ------------------------------------------------------------------------------------------------------------


def add_plugin_option(parser: argparse.ArgumentParser, *, honours_env: bool) -> None:
    """Add ``--plugin NAME=MODULE`` (repeatable): replaces the plugin table, as the server's flag does."""
    where = (
        " (else KONG_AI_PLUGINS, else the built-in table)" if honours_env else " (else the built-in table)"
    )
    parser.add_argument(
        "--plugin",
        dest="plugins",
        action="append",
        default=[],
        metavar="NAME=MODULE",
        help=f"use this plugin table instead, as kong-ai-pluginserver --plugin does{where}",
    )


def plugin_table(args: argparse.Namespace, environ: Mapping[str, str] | None) -> tuple[dict[str, str], bool]:
    """The plugin table (name -> module) and whether it was given explicitly.

    ``environ`` is the environment when the command honours ``KONG_AI_PLUGINS`` like the plugin server, or
    ``None`` for ``docs``: committed docs must not depend on the shell they were generated in.
    """
    try:
        if environ is None:
            if args.plugins:
                return parse_plugin_specs(args.plugins), True
            return dict(PLUGIN_MODULES), False
        return select_plugin_modules(args.plugins, environ)
    except ValueError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc


def load_plugin(name: str, modules: Mapping[str, str]) -> LoadedPlugin:
    """Load plugin ``name`` from ``modules`` exactly as the plugin server would; :class:`CliError` if not."""
    module_path = modules.get(name)
    if module_path is None:
        known = ", ".join(sorted(modules)) or "none"
        raise CliError(f"no plugin named {name!r} (plugins: {known})")
    try:
        return load_plugin_module(name, module_path)
    except PluginLoadError as exc:
        raise CliError(str(exc)) from exc


def config_record(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """The ``config`` record of a plugin's schema dump (``{"name", "fields": [{"config": {...}}]}``)."""
    for item in schema.get("fields") or ():
        if isinstance(item, Mapping) and isinstance(item.get("config"), Mapping):
            config: Mapping[str, Any] = item["config"]
            return config
    raise CliError(f"the schema of {schema.get('name')!r} has no config record")


# ------------------------------------------------------------------------------------------------------------
# Values and clauses
# ------------------------------------------------------------------------------------------------------------


def code(value: Any) -> str:
    """``value`` as a Markdown code span: strings as written, anything else as JSON.

    The fence is longer than any run of backticks inside, so a pattern such as ``a`b`` stays one span.
    """
    text = value if isinstance(value, str) and value else json.dumps(value, ensure_ascii=False)
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _codes(values: Sequence[Any]) -> str:
    return ", ".join(code(value) for value in values)


def _number(value: Any) -> str:
    return (
        lua_tostring(value) if isinstance(value, int | float) and not isinstance(value, bool) else code(value)
    )


@dataclass(frozen=True)
class Clause:
    """One constraint said two ways: a fact (``contains `jwt```) for conditions, a rule (``must ...``)."""

    fact: str
    rule: str


def _units(count: Any, field_type: str | None) -> str:
    units = _UNITS.get(field_type or "")
    if units is None:
        return _number(count)
    return f"{_number(count)} {units[0] if count == 1 else units[1]}"


def _length_clauses(spec: Mapping[str, Any], field_type: str | None, as_condition: bool) -> list[Clause]:
    low, high, exact = spec.get("len_min"), spec.get("len_max"), spec.get("len_eq")
    clauses: list[Clause] = []
    if exact is not None:
        clauses.append(
            Clause(
                f"has exactly {_units(exact, field_type)}", f"must have exactly {_units(exact, field_type)}"
            )
        )
    if field_type == "string" and not as_condition:
        if low == 0:
            clauses.append(Clause("may be empty", "may be empty"))
        if low in (0, 1):  # 1 is Kong's implicit minimum for strings: saying it on every row is noise
            low = None
    if low is not None and high is not None:
        text = f"{_number(low)} to {_units(high, field_type)}"
        clauses.append(Clause(f"has {text}", f"must have {text}"))
    elif low is not None:
        clauses.append(
            Clause(f"has at least {_units(low, field_type)}", f"must have at least {_units(low, field_type)}")
        )
    elif high is not None:
        clauses.append(
            Clause(f"has at most {_units(high, field_type)}", f"must have at most {_units(high, field_type)}")
        )
    return clauses


def _pattern_clauses(spec: Mapping[str, Any]) -> list[Clause]:
    clauses: list[Clause] = []
    if spec.get("not_match") is not None:
        pattern = code(spec["not_match"])
        clauses.append(
            Clause(f"does not match the Lua pattern {pattern}", f"must not match the Lua pattern {pattern}")
        )
    for rule in spec.get("match_none") or ():
        pattern = code(rule.get("pattern"))
        clauses.append(
            Clause(f"does not match the Lua pattern {pattern}", f"must not match the Lua pattern {pattern}")
        )
    if spec.get("match") is not None:
        pattern = code(spec["match"])
        clauses.append(Clause(f"matches the Lua pattern {pattern}", f"must match the Lua pattern {pattern}"))
    for rule in spec.get("match_all") or ():
        pattern = code(rule.get("pattern"))
        clauses.append(Clause(f"matches the Lua pattern {pattern}", f"must match the Lua pattern {pattern}"))
    if spec.get("match_any") is not None:
        patterns = _codes(spec["match_any"].get("patterns") or ())
        clauses.append(
            Clause(
                f"matches one of the Lua patterns {patterns}",
                f"must match one of the Lua patterns {patterns}",
            )
        )
    return clauses


def constraint_clauses(spec: Mapping[str, Any], *, as_condition: bool = False) -> list[Clause]:
    """Every validator of ``spec`` in words, in Kong's order; element, key and value rules of scalars too.

    ``as_condition`` is for an entity check's ``if_match``/``then_match``: there nothing is implicit, so a
    string's ``len_min = 1`` is said.
    """
    field_type = spec.get("type")
    clauses: list[Clause] = []
    if spec.get("required") is True and as_condition:
        clauses.append(Clause("is set", "must be set"))
    if "eq" in spec:
        clauses.append(Clause(f"is {code(spec['eq'])}", f"must be {code(spec['eq'])}"))
    if "ne" in spec:
        clauses.append(Clause(f"is not {code(spec['ne'])}", f"must not be {code(spec['ne'])}"))
    if spec.get("not_one_of") is not None:
        options = _codes(spec["not_one_of"])
        clauses.append(Clause(f"is none of {options}", f"must not be any of {options}"))
    if spec.get("one_of") is not None:
        options = _codes(spec["one_of"])
        clauses.append(Clause(f"is one of {options}", f"must be one of {options}"))
    if spec.get("gt") is not None:
        clauses.append(
            Clause(f"is greater than {_number(spec['gt'])}", f"must be greater than {_number(spec['gt'])}")
        )
    if spec.get("timestamp"):
        clauses.append(Clause("is a positive timestamp", "must be a positive timestamp"))
    if spec.get("uuid"):
        clauses.append(Clause("is a UUID", "must be a UUID"))
    if spec.get("is_regex"):
        clauses.append(Clause("is a valid regular expression", "must be a valid regular expression"))
    if spec.get("between") is not None:
        low, high = spec["between"]
        text = f"between {_number(low)} and {_number(high)}"
        clauses.append(Clause(f"is {text}", f"must be {text}"))
    clauses.extend(_length_clauses(spec, field_type, as_condition))
    if spec.get("starts_with") is not None:
        prefix = code(spec["starts_with"])
        clauses.append(Clause(f"starts with {prefix}", f"must start with {prefix}"))
    clauses.extend(_pattern_clauses(spec))
    if "contains" in spec:
        clauses.append(Clause(f"contains {code(spec['contains'])}", f"must contain {code(spec['contains'])}"))
    if spec.get("mutually_exclusive_subsets") is not None:
        groups = " / ".join(f"({_codes(group)})" for group in spec["mutually_exclusive_subsets"])
        clauses.append(
            Clause(f"has elements from only one of {groups}", f"must take elements from only one of {groups}")
        )
    if not as_condition:
        clauses.extend(_nested_scalar_clauses(spec, field_type))
        if spec.get("referenceable"):
            clauses.append(Clause("may be a vault reference", "may be a vault reference (`{vault://...}`)"))
        if spec.get("encrypted"):
            clauses.append(
                Clause("is stored encrypted", "is stored encrypted (when Kong's keyring is enabled)")
            )
    return clauses


def _nested_scalar_clauses(spec: Mapping[str, Any], field_type: str | None) -> list[Clause]:
    """Rules on the elements of an array/set, or on the keys and values of a map, when those are scalars."""
    parts: list[tuple[str, Mapping[str, Any]]] = []
    if field_type in ("array", "set"):
        parts.append(("each element", spec.get("elements") or {}))
    elif field_type == "map":
        parts.extend((("each key", spec.get("keys") or {}), ("each value", spec.get("values") or {})))
    clauses: list[Clause] = []
    for subject, sub_spec in parts:
        if sub_spec.get("type") not in _SCALARS:
            continue  # records are listed field by field; nested containers describe themselves
        for clause in constraint_clauses(sub_spec):
            clauses.append(Clause(f"{subject} {clause.fact}", f"{subject} {clause.rule}"))
    return clauses


def type_words(spec: Mapping[str, Any]) -> str:
    """``set of string``, ``map of string to record``, ``integer``..."""
    field_type = spec.get("type")
    if field_type in ("array", "set"):
        return f"{field_type} of {type_words(spec.get('elements') or {})}"
    if field_type == "map":
        return f"map of {type_words(spec.get('keys') or {})} to {type_words(spec.get('values') or {})}"
    return str(field_type or "any")


# ------------------------------------------------------------------------------------------------------------
# Fields
# ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldRow:
    """One config field as the docs and the outline show it.

    ``path`` is dotted from ``config``; ``[]`` stands for any element of an array or set, ``*`` for any value
    of a map (``config.tenants[].id``). ``default`` is the JSON text of the default (``None``: no default).
    """

    path: str
    spec: Mapping[str, Any]
    type: str
    required: str
    default: str | None
    constraints: tuple[str, ...]
    description: str

    @property
    def deprecation(self) -> Mapping[str, Any] | None:
        deprecation = self.spec.get("deprecation")
        return deprecation if isinstance(deprecation, Mapping) else None


def _required_words(spec: Mapping[str, Any], chain: bool) -> str:
    if not is_required(spec, chain):
        return OPTIONAL
    if "default" in spec or spec.get("type") == "record":  # Kong expands a required record from its defaults
        return NOT_NULL
    return REQUIRED


def _one_line(text: Any) -> str:
    return " ".join(str(text or "").split())


def _row(path: str, spec: Mapping[str, Any], chain: bool) -> FieldRow:
    return FieldRow(
        path=path,
        spec=spec,
        type=type_words(spec),
        required=_required_words(spec, chain),
        default=json.dumps(spec["default"], ensure_ascii=False) if "default" in spec else None,
        constraints=tuple(clause.rule for clause in constraint_clauses(spec)),
        description=_one_line(spec.get("description")),
    )


def _children(
    spec: Mapping[str, Any], path: str, chain: bool
) -> Iterator[tuple[str, Mapping[str, Any], bool]]:
    """The records below a field (itself, array elements, map values), with their path and ``chain``.

    ``chain`` is Kong's ``make_records_required``: it holds for records reached from ``config`` through
    records only.
    """
    field_type = spec.get("type")
    if field_type == "record":
        yield path, spec, chain
    elif field_type in ("array", "set"):
        yield from _children(spec.get("elements") or {}, f"{path}[]", False)
    elif field_type == "map":
        yield from _children(spec.get("values") or {}, f"{path}.*", False)


def _records(
    record: Mapping[str, Any], prefix: str, chain: bool, depth: int = 0
) -> Iterator[tuple[str, Mapping[str, Any], bool]]:
    """``record`` and every record below it, depth first, in schema order."""
    if depth > _MAX_SCHEMA_DEPTH:
        raise CliError(f"schema nests deeper than {_MAX_SCHEMA_DEPTH} levels at {prefix}")
    yield prefix, record, chain
    for name, spec in record_fields(record):
        for path, child, child_chain in _children(spec, f"{prefix}.{name}", chain):
            yield from _records(child, path, child_chain, depth + 1)


def field_rows(record: Mapping[str, Any], prefix: str = "config") -> list[FieldRow]:
    """Every field of ``record`` and below, in schema order (a record's fields right after the record)."""
    rows: list[FieldRow] = []

    def walk(current: Mapping[str, Any], path: str, chain: bool, depth: int) -> None:
        if depth > _MAX_SCHEMA_DEPTH:
            raise CliError(f"schema nests deeper than {_MAX_SCHEMA_DEPTH} levels at {path}")
        for name, spec in record_fields(current):
            field_path = f"{path}.{name}"
            rows.append(_row(field_path, spec, chain))
            for child_path, child, child_chain in _children(spec, field_path, chain):
                walk(child, child_path, child_chain, depth + 1)
        for item in current.get("shorthand_fields") or ():
            for name, spec in item.items():  # Kong's renamed fields: still accepted, never stored
                rows.append(_row(f"{path}.{name}", spec, False))

    walk(record, prefix, True, 0)
    return rows


# ------------------------------------------------------------------------------------------------------------
# Entity checks
# ------------------------------------------------------------------------------------------------------------


def _names(prefix: str, names: Any) -> list[str]:
    listed = [names] if isinstance(names, str) else list(names or ())
    return [code(f"{prefix}.{name}") for name in listed]


def _and_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _condition(record: Mapping[str, Any], name: str, conditions: Mapping[str, Any], *, as_fact: bool) -> str:
    spec = schema_field(record, name) or {}
    clauses = constraint_clauses({"type": spec.get("type"), **conditions}, as_condition=True)
    words = [clause.fact if as_fact else clause.rule for clause in clauses]
    if words:
        return " and ".join(words)
    structural = [key for key in ("elements", "keys", "values") if key in conditions]
    if structural:  # a whole replacement schema: too long to quote, Kong's message says what it means
        parts = ", ".join(code(key) for key in structural)
        return ("passes" if as_fact else "must pass") + f" a stricter schema for its {parts}"
    return ("matches" if as_fact else "must match") + f" {code(conditions)}"


def _kong_message(template: Any, argument: str) -> str:
    return f' Kong\'s message: "{lua_format_s(str(template), argument)}".' if template else ""


def _check_sentence(record: Mapping[str, Any], prefix: str, check: Mapping[str, Any]) -> str:
    (name, argument), *_ = check.items()
    if name == "at_least_one_of":
        return f"At least one of {', '.join(_names(prefix, argument))} must be set (not null or empty)."
    if name == "only_one_of":
        return f"Exactly one of {', '.join(_names(prefix, argument))} must be set (not null or empty)."
    if name == "mutually_required":
        return f"{_and_list(_names(prefix, argument))} must be set together, or none of them."
    if name == "mutually_exclusive":
        return f"At most one of {', '.join(_names(prefix, argument))} may be set (not null or empty)."
    if name == "distinct":
        return f"{_and_list(_names(prefix, argument))} must have different values."
    if name == "mutually_exclusive_sets":
        first, second = (
            ", ".join(_names(prefix, argument.get("set1"))),
            ", ".join(_names(prefix, argument.get("set2"))),
        )
        return f"Fields of ({first}) cannot be set together with fields of ({second})."
    if name == "conditional":
        if_field, then_field = argument["if_field"], argument["then_field"]
        when = _condition(record, if_field, argument.get("if_match") or {}, as_fact=True)
        then = _condition(record, then_field, argument.get("then_match") or {}, as_fact=False)
        message = _kong_message(argument.get("then_err"), if_field)
        return (
            f"When {code(f'{prefix}.{if_field}')} {when}, {code(f'{prefix}.{then_field}')} {then}.{message}"
        )
    if name == "conditional_at_least_one_of":
        if_field = argument["if_field"]
        when = _condition(record, if_field, argument.get("if_match") or {}, as_fact=True)
        listed = _names(prefix, argument.get("then_at_least_one_of"))
        sentence = (
            f"When {code(f'{prefix}.{if_field}')} {when}, at least one of {', '.join(listed)} must be set."
        )
        sentence += _kong_message(
            argument.get("then_err"), quoted_list(argument.get("then_at_least_one_of") or ())
        )
        if argument.get("else_match") is not None:
            otherwise = _condition(record, if_field, argument["else_match"], as_fact=True)
            listed = _names(prefix, argument.get("else_then_at_least_one_of"))
            sentence += f" Otherwise, when it {otherwise}, at least one of {', '.join(listed)} must be set."
        return sentence
    return f"{code(name)}: {code(argument)}."


def entity_check_sentences(record: Mapping[str, Any], prefix: str = "config") -> list[str]:
    """Every ``entity_checks`` rule of ``record`` and of the records below it, in words, in schema order."""
    return [
        _check_sentence(current, path, check)
        for path, current, _chain in _records(record, prefix, True)
        for check in current.get("entity_checks") or ()
        if isinstance(check, Mapping) and check
    ]
