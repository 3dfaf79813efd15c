"""A small DSL that writes Kong plugin schemas as plain dicts, in Kong's own ``schema.lua`` shape.

Kong never sees our Python: the plugin server prints each plugin's schema as JSON, and Kong loads it as if it
were a Lua ``schema.lua`` table. So the lingua franca is the plain dict (``{"type": "integer", "between":
[0, 65535], "description": "..."}``) and every helper here returns one; other modules may write dicts by hand.
Each helper checks what it builds (:mod:`.metaschema`) and raises
:class:`~kong_plugins.core.errors.ConfigError` when Kong would refuse to load it, so a bad schema fails at
import time instead of when Kong starts.

Kong's typedefs (``header_name``, ``host``, ``path``, ``url``, ``sni``) validate with Lua functions, which
JSON cannot carry; ours say the same thing with Lua patterns. Their messages cannot quote the value the way
Kong's functions do (``bad header name 'x y', ...``), so they read ``bad header name, ...``; ``port`` and
``timeout`` are exact.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from kong_plugins.core.errors import ConfigError
from kong_plugins.core.schema.metaschema import check_field, check_record

FieldSpec = dict[str, Any]
"""One field definition, e.g. ``{"type": "string", "one_of": ["jwt", "header"], "description": "..."}``."""
PatternRule = Mapping[str, str] | tuple[str, str | None]
"""A ``match_all``/``match_none`` entry: ``{"pattern": ..., "err": ...}`` or ``(pattern, err)``."""

PLUGIN_NAME = re.compile(r"[a-z][a-z0-9-]*\Z")


def _listify(value: Any) -> Any:
    """Tuples become lists, so that the schema is exactly what ``json.dumps`` will print."""
    if isinstance(value, tuple | list):
        return [_listify(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _listify(item) for key, item in value.items()}
    return value


def _rules(rules: Iterable[PatternRule] | None) -> list[dict[str, str]] | None:
    if rules is None:
        return None
    out = []
    for rule in rules:
        if isinstance(rule, tuple):
            pattern, err = rule
            out.append({"pattern": pattern} if err is None else {"pattern": pattern, "err": err})
        else:
            out.append(dict(rule))
    return out


def _build(field_type: str, attributes: Mapping[str, Any]) -> FieldSpec:
    """Assemble a field from the attributes that were given (``None`` = not given) and check it."""
    spec: FieldSpec = {"type": field_type}
    spec.update({name: _listify(value) for name, value in attributes.items() if value is not None})
    check_field(spec, f"<{field_type}>")
    return spec


def string(
    *,
    description: str | None = None,
    required: bool | None = None,
    default: str | None = None,
    one_of: Sequence[str] | None = None,
    not_one_of: Sequence[str] | None = None,
    len_eq: int | None = None,
    len_min: int | None = None,
    len_max: int | None = None,
    match: str | None = None,
    not_match: str | None = None,
    match_all: Iterable[PatternRule] | None = None,
    match_none: Iterable[PatternRule] | None = None,
    match_any: Mapping[str, Any] | None = None,
    starts_with: str | None = None,
    is_regex: bool | None = None,
    uuid: bool | None = None,
    referenceable: bool | None = None,
    encrypted: bool | None = None,
    err: str | None = None,
    examples: Sequence[Any] | None = None,
    deprecation: Mapping[str, Any] | None = None,
) -> FieldSpec:
    """A string. Kong rejects ``""`` unless ``len_min=0``; ``match*`` take **Lua patterns**.

    ``is_regex=True`` makes Kong compile the value with PCRE; we check it with Python's ``re`` (see
    :mod:`.validate`).
    """
    return _build(
        "string",
        {
            "description": description,
            "required": required,
            "default": default,
            "one_of": one_of,
            "not_one_of": not_one_of,
            "len_eq": len_eq,
            "len_min": len_min,
            "len_max": len_max,
            "match": match,
            "not_match": not_match,
            "match_all": _rules(match_all),
            "match_none": _rules(match_none),
            "match_any": match_any,
            "starts_with": starts_with,
            "is_regex": is_regex,
            "uuid": uuid,
            "referenceable": referenceable,
            "encrypted": encrypted,
            "err": err,
            "examples": examples,
            "deprecation": deprecation,
        },
    )


def _numeric(
    field_type: str,
    description: str | None,
    required: bool | None,
    default: float | None,
    one_of: Sequence[float] | None,
    not_one_of: Sequence[float] | None,
    between: Sequence[float] | None,
    gt: float | None,
    err: str | None,
    examples: Sequence[Any] | None,
    deprecation: Mapping[str, Any] | None,
) -> FieldSpec:
    return _build(
        field_type,
        {
            "description": description,
            "required": required,
            "default": default,
            "one_of": one_of,
            "not_one_of": not_one_of,
            "between": between,
            "gt": gt,
            "err": err,
            "examples": examples,
            "deprecation": deprecation,
        },
    )


def integer(
    *,
    description: str | None = None,
    required: bool | None = None,
    default: int | None = None,
    one_of: Sequence[int] | None = None,
    not_one_of: Sequence[int] | None = None,
    between: Sequence[int] | None = None,
    gt: float | None = None,
    err: str | None = None,
    examples: Sequence[Any] | None = None,
    deprecation: Mapping[str, Any] | None = None,
) -> FieldSpec:
    """An integer (Kong also accepts ``5.0``; we hand it to the plugin as ``5``)."""
    return _numeric(
        "integer", description, required, default, one_of, not_one_of, between, gt, err, examples, deprecation
    )


def number(
    *,
    description: str | None = None,
    required: bool | None = None,
    default: float | None = None,
    one_of: Sequence[float] | None = None,
    not_one_of: Sequence[float] | None = None,
    between: Sequence[float] | None = None,
    gt: float | None = None,
    err: str | None = None,
    examples: Sequence[Any] | None = None,
    deprecation: Mapping[str, Any] | None = None,
) -> FieldSpec:
    """A number. ``between`` bounds are printed with ``%d`` in Kong's message, so prefer whole bounds."""
    return _numeric(
        "number", description, required, default, one_of, not_one_of, between, gt, err, examples, deprecation
    )


def boolean(
    *,
    default: bool,
    description: str | None = None,
    required: bool = True,
    deprecation: Mapping[str, Any] | None = None,
) -> FieldSpec:
    """A boolean; Kong's style is *required with a default*, so the default is mandatory here.

    Being required, an explicit ``null`` is refused (``required field missing``) instead of reaching the
    plugin as ``None``.
    """
    return _build(
        "boolean",
        {"description": description, "required": required, "default": default, "deprecation": deprecation},
    )


def _sequence(
    field_type: str,
    elements: Mapping[str, Any],
    attributes: dict[str, Any],
) -> FieldSpec:
    return _build(field_type, {"elements": dict(elements), **attributes})


def array(
    elements: Mapping[str, Any],
    *,
    description: str | None = None,
    required: bool | None = None,
    default: Sequence[Any] | None = None,
    len_eq: int | None = None,
    len_min: int | None = None,
    len_max: int | None = None,
    contains: Any = None,
    err: str | None = None,
    examples: Sequence[Any] | None = None,
    deprecation: Mapping[str, Any] | None = None,
) -> FieldSpec:
    """An ordered list; errors in elements are reported by (1-based) position."""
    return _sequence(
        "array",
        elements,
        {
            "description": description,
            "required": required,
            "default": default,
            "len_eq": len_eq,
            "len_min": len_min,
            "len_max": len_max,
            "contains": contains,
            "err": err,
            "examples": examples,
            "deprecation": deprecation,
        },
    )


def set_(
    elements: Mapping[str, Any],
    *,
    description: str | None = None,
    required: bool | None = None,
    default: Sequence[Any] | None = None,
    len_eq: int | None = None,
    len_min: int | None = None,
    len_max: int | None = None,
    contains: Any = None,
    err: str | None = None,
    examples: Sequence[Any] | None = None,
    deprecation: Mapping[str, Any] | None = None,
) -> FieldSpec:
    """A list Kong de-duplicates (first occurrence kept) before validating it."""
    return _sequence(
        "set",
        elements,
        {
            "description": description,
            "required": required,
            "default": default,
            "len_eq": len_eq,
            "len_min": len_min,
            "len_max": len_max,
            "contains": contains,
            "err": err,
            "examples": examples,
            "deprecation": deprecation,
        },
    )


def map_(
    keys: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    description: str | None = None,
    required: bool | None = None,
    default: Mapping[str, Any] | None = None,
    len_eq: int | None = None,
    len_min: int | None = None,
    len_max: int | None = None,
    err: str | None = None,
    examples: Sequence[Any] | None = None,
    deprecation: Mapping[str, Any] | None = None,
) -> FieldSpec:
    """A JSON object with free keys; Kong reports only the first bad key or value, without naming it."""
    return _build(
        "map",
        {
            "keys": dict(keys),
            "values": dict(values),
            "description": description,
            "required": required,
            "default": default,
            "len_eq": len_eq,
            "len_min": len_min,
            "len_max": len_max,
            "err": err,
            "examples": examples,
            "deprecation": deprecation,
        },
    )


def record(
    fields: Sequence[Mapping[str, Any]],
    *,
    description: str | None = None,
    required: bool | None = None,
    default: Mapping[str, Any] | None = None,
    entity_checks: Sequence[Mapping[str, Any]] | None = None,
    deprecation: Mapping[str, Any] | None = None,
) -> FieldSpec:
    """A nested object. Below ``config`` (through records only) Kong makes it required unless told otherwise,
    so an absent record still shows up, filled with its defaults.
    """
    return _build(
        "record",
        {
            "fields": [dict(item) for item in fields],
            "description": description,
            "required": required,
            "default": default,
            "entity_checks": None if entity_checks is None else [dict(check) for check in entity_checks],
            "deprecation": deprecation,
        },
    )


def field(name: str, spec: Mapping[str, Any]) -> dict[str, FieldSpec]:
    """``{name: spec}``, one entry of a record's ``fields``, checked as Kong's metaschema would."""
    entry = {name: dict(spec)}
    check_record({"type": "record", "fields": [entry]}, "<record>")
    return entry


# --------------------------------------------------------------------------------------------------
# Typedefs (kong/db/schema/typedefs.lua), JSON-expressible
# --------------------------------------------------------------------------------------------------

_HOST_CHARS = "[%w%.%-_]"
_IPV6 = "^%[?[%x:%.]+%]?$"


def port(
    *,
    description: str = "An integer representing a port number between 0 and 65535, inclusive.",
    required: bool | None = None,
    default: int | None = None,
) -> FieldSpec:
    """``typedefs.port``: an integer between 0 and 65535."""
    return integer(description=description, required=required, default=default, between=[0, 65535])


def timeout(
    *,
    description: str = "An integer representing a timeout in milliseconds. Must be between 0 and 2^31-2.",
    required: bool | None = None,
    default: int | None = None,
) -> FieldSpec:
    """``typedefs.timeout``: milliseconds, between 0 and 2^31-2."""
    return integer(description=description, required=required, default=default, between=[0, 2**31 - 2])


def header_name(
    *,
    description: str = "A string representing an HTTP header name.",
    required: bool | None = None,
    default: str | None = None,
) -> FieldSpec:
    """``typedefs.header_name``: letters, digits, ``_`` and ``-`` (Kong's ``validate_header_name``)."""
    return string(
        description=description,
        required=required,
        default=default,
        match_all=[("^[%w_%-]+$", "bad header name, allowed characters are A-Z, a-z, 0-9, '_', and '-'")],
    )


def path(
    *,
    description: str = (
        "A string representing a URL path, such as /path/to/resource. Must start with a forward slash (/) "
        "and must not contain empty segments (i.e., two consecutive forward slashes)."
    ),
    required: bool | None = None,
    default: str | None = None,
) -> FieldSpec:
    """``typedefs.path``: starts with ``/``, no ``//``, RFC 3986 characters, well-formed ``%XX`` escapes."""
    bad_escape = "invalid url-encoded value"
    return string(
        description=description,
        required=required,
        default=default,
        starts_with="/",
        match_none=[
            ("//", "must not have empty segments"),
            (
                "[^%w%.%-_~/%%:@!%$&'%(%)%*%+,;=]",
                "invalid path: characters outside of the reserved list of RFC 3986 found",
            ),
            ("%%%X", bad_escape),
            ("%%.%X", bad_escape),
            ("%%.?$", bad_escape),
        ],
    )


def host(
    *,
    description: str = "A string representing a host name, such as example.com.",
    required: bool | None = None,
    default: str | None = None,
) -> FieldSpec:
    """``typedefs.host``: a host name, IPv4 or IPv6 address, without a port."""
    return string(
        description=description,
        required=required,
        default=default,
        match_none=[
            (f"^{_HOST_CHARS}+:%d*$", "must not have a port"),
            ("^%[[%x:%.]+%]:%d*$", "must not have a port"),
        ],
        match_any={"patterns": [f"^{_HOST_CHARS}+$", _IPV6]},
    )


def sni(
    *,
    description: str = "A string representing an SNI (server name indication) value for TLS.",
    required: bool | None = None,
    default: str | None = None,
) -> FieldSpec:
    """``typedefs.sni``: a host name that is neither an IP address nor has a port."""
    return string(
        description=description,
        required=required,
        default=default,
        match_none=[
            ("^[%d%.]+$", "must not be an IP"),
            ("^%[?[%x%.]*:[%x:%.]*%]?$", "must not be an IP"),
            (f"^{_HOST_CHARS}+:%d*$", "must not have a port"),
        ],
        match=f"^{_HOST_CHARS}+$",
    )


def url(
    *,
    description: str = "A string representing a URL, such as https://example.com/path/to/resource?q=search.",
    required: bool | None = None,
    default: str | None = None,
) -> FieldSpec:
    """``typedefs.url``: a URL with a scheme and a host."""
    return string(
        description=description,
        required=required,
        default=default,
        match_all=[
            ("^[%w][%w%+%-%.]*:", "missing scheme in url"),
            ("^[%w][%w%+%-%.]*://[^/%?#@]", "missing host in url"),
        ],
    )


# --------------------------------------------------------------------------------------------------
# Entity checks (cross-field rules; their messages land under "@entity")
# --------------------------------------------------------------------------------------------------


def at_least_one_of(*names: str) -> dict[str, Any]:
    """At least one of the fields is non-empty (not null, ``""``, ``[]`` or ``{}``)."""
    return {"at_least_one_of": list(names)}


def only_one_of(*names: str) -> dict[str, Any]:
    """Exactly one of the fields is non-empty."""
    return {"only_one_of": list(names)}


def mutually_exclusive(*names: str) -> dict[str, Any]:
    """At most one of the fields is non-empty."""
    return {"mutually_exclusive": list(names)}


def mutually_required(*names: str) -> dict[str, Any]:
    """All of the fields are non-empty, or none is."""
    return {"mutually_required": list(names)}


def distinct(*names: str) -> dict[str, Any]:
    """The non-empty fields all hold different values."""
    return {"distinct": list(names)}


def mutually_exclusive_sets(set1: Sequence[str], set2: Sequence[str]) -> dict[str, Any]:
    """Fields of ``set1`` and fields of ``set2`` are not both used."""
    return {"mutually_exclusive_sets": {"set1": list(set1), "set2": list(set2)}}


def conditional(
    if_field: str,
    if_match: Mapping[str, Any],
    then_field: str,
    then_match: Mapping[str, Any],
    *,
    then_err: str | None = None,
) -> dict[str, Any]:
    """When ``if_field`` passes ``if_match``, ``then_field`` must pass ``then_match``.

    Both conditions inherit the named field's definition (type, ``required`` ...), as in Kong. Beware: an
    ``if_match`` without ``eq`` also matches ``null`` when the field is not required.
    """
    argument: dict[str, Any] = {
        "if_field": if_field,
        "if_match": _listify(dict(if_match)),
        "then_field": then_field,
        "then_match": _listify(dict(then_match)),
    }
    if then_err is not None:
        argument["then_err"] = then_err
    return {"conditional": argument}


def conditional_at_least_one_of(
    if_field: str,
    if_match: Mapping[str, Any],
    then_at_least_one_of: Sequence[str],
    *,
    then_err: str | None = None,
    else_match: Mapping[str, Any] | None = None,
    else_then_at_least_one_of: Sequence[str] | None = None,
    else_then_err: str | None = None,
) -> dict[str, Any]:
    """When ``if_field`` passes ``if_match``, one of ``then_at_least_one_of`` must be non-empty (else ...)."""
    argument: dict[str, Any] = {
        "if_field": if_field,
        "if_match": _listify(dict(if_match)),
        "then_at_least_one_of": list(then_at_least_one_of),
    }
    optional = {
        "then_err": then_err,
        "else_match": None if else_match is None else _listify(dict(else_match)),
        "else_then_at_least_one_of": None
        if else_then_at_least_one_of is None
        else list(else_then_at_least_one_of),
        "else_then_err": else_then_err,
    }
    argument.update({key: value for key, value in optional.items() if value is not None})
    return {"conditional_at_least_one_of": argument}


# --------------------------------------------------------------------------------------------------
# The plugin's schema
# --------------------------------------------------------------------------------------------------


class PluginSchema(NamedTuple):
    """What a plugin module needs: ``Schema, SCHEMA_DUMP = plugin_schema(...)``.

    ``schema`` is kong-pdk's ``Schema`` (the list of config fields); ``dump`` is the whole schema Kong must
    receive from the query command. kong-pdk's own dump wraps ``schema`` without ``entity_checks``, so a
    server that wants Kong to enforce them must print ``dump``.
    """

    schema: list[dict[str, FieldSpec]]
    dump: dict[str, Any]

    @property
    def name(self) -> str:
        """The plugin's (hyphenated) name."""
        return str(self.dump["name"])

    @property
    def config(self) -> dict[str, Any]:
        """The ``config`` record, as :func:`~kong_plugins.core.schema.validate.validate_config` wants it."""
        return dict(self.dump["fields"][0]["config"])


def plugin_schema(
    name: str,
    config_fields: Sequence[Mapping[str, Any]],
    *,
    entity_checks: Sequence[Mapping[str, Any]] | None = None,
) -> PluginSchema:
    """Build and check a plugin's schema: ``{"name", "fields": [{"config": {"type": "record", ...}}]}``.

    Raises :class:`ConfigError` for anything Kong would refuse to load, and for a field without a
    ``description``.
    """
    if not isinstance(name, str) or not PLUGIN_NAME.match(name):
        raise ConfigError(
            f"invalid plugin name {name!r}: lowercase letters, digits and '-'", {"name": str(name)}
        )
    fields = copy.deepcopy([dict(item) for item in config_fields])
    config: dict[str, Any] = {"type": "record", "fields": fields}
    if entity_checks:
        config["entity_checks"] = _listify([dict(check) for check in entity_checks])
    check_record(config, "config")
    return PluginSchema(schema=fields, dump={"name": name, "fields": [{"config": config}]})


__all__ = [
    "FieldSpec",
    "PatternRule",
    "PluginSchema",
    "array",
    "at_least_one_of",
    "boolean",
    "conditional",
    "conditional_at_least_one_of",
    "distinct",
    "field",
    "header_name",
    "host",
    "integer",
    "map_",
    "mutually_exclusive",
    "mutually_exclusive_sets",
    "mutually_required",
    "number",
    "only_one_of",
    "path",
    "plugin_schema",
    "port",
    "record",
    "set_",
    "sni",
    "string",
    "timeout",
    "url",
]
