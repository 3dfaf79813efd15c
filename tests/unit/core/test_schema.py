"""Tests for kong_plugins.core.schema: the schema DSL, Kong's config validation and its error answer.

The expected messages and error tables in ``KONG_ANSWERS`` and the other Kong-facing tests are what Kong
3.9.1's own ``kong/db/schema`` code answered for the same schema and input (run through the plugin
subschema path: metaschema check, ``Entity.new_subschema``, ``process_auto_fields`` then ``validate_insert``,
then ``errors:schema_violation``).
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kong_plugins.core.errors import ConfigError
from kong_plugins.core.schema import (
    Limits,
    array,
    at_least_one_of,
    boolean,
    check_field,
    conditional,
    conditional_at_least_one_of,
    distinct,
    ensure_valid_config,
    entity_schema_violation,
    field,
    flatten_field_errors,
    header_name,
    host,
    integer,
    map_,
    mutually_exclusive,
    mutually_exclusive_sets,
    mutually_required,
    number,
    only_one_of,
    path,
    plugin_schema,
    port,
    record,
    schema_violation,
    set_,
    sni,
    string,
    timeout,
    url,
    validate_config,
    validate_value,
)
from kong_plugins.core.schema.lua import (
    LuaPatternError,
    lua_find,
    lua_pattern,
    lua_pretty,
    luajit_pairs_order,
)

D = "A description long enough for Kong."

DEMO = plugin_schema(
    "ai-demo",
    [
        field("sources", set_(string(one_of=["jwt", "header"]), default=["jwt"], description=D)),
        field("hname", header_name(default="X-Tenant")),
        field("limit", integer(between=[1, 1000], required=True, description=D)),
        field("ratio", number(gt=0, description=D)),
        field("hide", boolean(default=False, description=D)),
        field("mode", string(one_of=["a", "b", "redis"], default="a", description=D)),
        field("path", path()),
        field("url", url()),
        field("tags", array(string(len_max=5), len_min=1, len_max=3, description=D)),
        field(
            "redis",
            record(
                [
                    field("host", host()),
                    field("port", port(default=6379)),
                    field("timeout", timeout(default=2000)),
                    field("server_name", sni()),
                    field("inner", record([field("x", integer(default=1, description=D))], description=D)),
                    field(
                        "opt",
                        record(
                            [field("y", integer(default=2, description=D))], required=False, description=D
                        ),
                    ),
                ],
                description=D,
                entity_checks=[mutually_required("host", "server_name")],
            ),
        ),
        field(
            "rules",
            array(
                record(
                    [
                        field("name", string(required=True, description=D)),
                        field("weight", number(default=1.0, description=D)),
                    ]
                ),
                description=D,
            ),
        ),
        field(
            "pfx",
            string(
                starts_with="ab",
                not_match="x",
                match_none=[("zz", "no zz please")],
                match_all=[("^a", None), ("b", "need b")],
                match_any={"patterns": ["c$", "d$"]},
                description=D,
            ),
        ),
        field("cont", array(integer(), contains=3, description=D)),
    ],
    entity_checks=[
        at_least_one_of("sources", "hname"),
        conditional("mode", {"eq": "redis"}, "redis.host", {"required": True}),
        only_one_of("ratio", "url"),
        distinct("hname", "mode"),
        mutually_exclusive("path", "pfx"),
        conditional_at_least_one_of(
            "mode",
            {"one_of": ["b"]},
            ["tags", "cont"],
            else_match={"one_of": ["a"]},
            else_then_at_least_one_of=["hide"],
        ),
    ],
)
BASE = {"limit": 5, "ratio": 1}

DEMO_DEFAULTS = {
    "sources": ["jwt"],
    "hname": "X-Tenant",
    "limit": 5,
    "ratio": 1,
    "hide": False,
    "mode": "a",
    "path": None,
    "url": None,
    "tags": None,
    "redis": {
        "host": None,
        "port": 6379,
        "timeout": 2000,
        "server_name": None,
        "inner": {"x": 1},
        "opt": None,
    },
    "rules": None,
    "pfx": None,
    "cont": None,
}


def kong_answer(config: Any) -> tuple[str, Any]:
    """(message, fields) of the 400 body for ``config``, as a client would decode it."""
    _, errors = validate_config(DEMO.config, config)
    assert errors, "expected the config to be rejected"
    body = json.loads(json.dumps(schema_violation(errors)))
    assert body["code"] == 2 and body["name"] == "schema violation"
    return body["message"], body["fields"]["config"]


# (config, Kong's message, Kong's fields["config"]), as Kong 3.9.1 answered them
KONG_ANSWERS: list[tuple[Any, str, Any]] = [
    (
        {},
        "2 schema violations (config.@entity: {\n"
        "  \"exactly one of these fields must be non-empty: 'ratio', 'url'\"\n"
        "}; config.limit: required field missing)",
        {
            "limit": "required field missing",
            "@entity": ["exactly one of these fields must be non-empty: 'ratio', 'url'"],
        },
    ),
    (
        {**BASE, "limit": 0},
        "schema violation (config.limit: value should be between 1 and 1000)",
        {"limit": "value should be between 1 and 1000"},
    ),
    (
        {**BASE, "limit": 5.5},
        "schema violation (config.limit: expected an integer)",
        {"limit": "expected an integer"},
    ),
    (
        {**BASE, "limit": "5"},
        "schema violation (config.limit: expected an integer)",
        {"limit": "expected an integer"},
    ),
    (
        {**BASE, "hide": None},
        "2 schema violations (config.@entity: {\n"
        "  \"at least one of these fields must be non-empty: 'hide'\"\n"
        "}; config.hide: required field missing)",
        {
            "hide": "required field missing",
            "@entity": ["at least one of these fields must be non-empty: 'hide'"],
        },
    ),
    (
        {**BASE, "hide": "true"},
        "schema violation (config.hide: expected a boolean)",
        {"hide": "expected a boolean"},
    ),
    ({**BASE, "foo": 1}, "schema violation (config.foo: unknown field)", {"foo": "unknown field"}),
    (
        {**BASE, "sources": "jwt"},
        "schema violation (config.sources: expected a set)",
        {"sources": "expected a set"},
    ),
    (
        {**BASE, "sources": ["x", "jwt", "x", 1]},
        'schema violation (config.sources: {\n  "expected one of: jwt, header",\n'
        '  [3] = "expected a string"\n})',
        {"sources": ["expected one of: jwt, header", None, "expected a string"]},
    ),
    (
        {**BASE, "hname": "bad name"},
        "schema violation (config.hname: "
        "bad header name, allowed characters are A-Z, a-z, 0-9, '_', and '-')",
        {"hname": "bad header name, allowed characters are A-Z, a-z, 0-9, '_', and '-'"},
    ),
    (
        {**BASE, "hname": ""},
        "schema violation (config.hname: length must be at least 1)",
        {"hname": "length must be at least 1"},
    ),
    (
        {**BASE, "mode": "c"},
        "schema violation (config.mode: expected one of: a, b, redis)",
        {"mode": "expected one of: a, b, redis"},
    ),
    (
        {**BASE, "path": "a"},
        "schema violation (config.path: should start with: /)",
        {"path": "should start with: /"},
    ),
    (
        {**BASE, "path": "/a//b"},
        "schema violation (config.path: must not have empty segments)",
        {"path": "must not have empty segments"},
    ),
    (
        {**BASE, "path": "/a%zz"},
        "schema violation (config.path: invalid url-encoded value)",
        {"path": "invalid url-encoded value"},
    ),
    (
        {"limit": 5, "url": "nourl"},
        "schema violation (config.url: missing scheme in url)",
        {"url": "missing scheme in url"},
    ),
    (
        {**BASE, "tags": ["a", "toolong", "b", "c"]},
        'schema violation (config.tags: {\n  [2] = "length must be at most 5"\n})',
        {"tags": [None, "length must be at most 5"]},
    ),
    (
        {**BASE, "tags": [None]},
        'schema violation (config.tags: {\n  "required field missing"\n})',
        {"tags": ["required field missing"]},
    ),
    (
        {**BASE, "tags": ["é", "ééé"]},
        'schema violation (config.tags: {\n  [2] = "length must be at most 5"\n})',
        {"tags": [None, "length must be at most 5"]},
    ),
    (
        {**BASE, "redis": {"port": -1, "timeout": 2**31, "foo": 1}},
        "schema violation (config.redis: {\n"
        '  foo = "unknown field",\n'
        '  port = "value should be between 0 and 65535",\n'
        '  timeout = "value should be between 0 and 2147483646"\n'
        "})",
        {
            "redis": {
                "port": "value should be between 0 and 65535",
                "timeout": "value should be between 0 and 2147483646",
                "foo": "unknown field",
            }
        },
    ),
    (
        {**BASE, "redis": {"host": "a:80", "server_name": "1.2.3.4"}},
        'schema violation (config.redis: {\n  host = "must not have a port",\n'
        '  server_name = "must not be an IP"\n})',
        {"redis": {"host": "must not have a port", "server_name": "must not be an IP"}},
    ),
    (
        {**BASE, "redis": {"host": "h"}},
        "schema violation (config.redis: {\n"
        '  ["@entity"] = {\n'
        "    \"all or none of these fields must be set: 'host', 'server_name'\"\n"
        "  }\n"
        "})",
        {"redis": {"@entity": ["all or none of these fields must be set: 'host', 'server_name'"]}},
    ),
    (
        {**BASE, "redis": None},
        "schema violation (config.redis: required field missing)",
        {"redis": "required field missing"},
    ),
    (
        {**BASE, "redis": [1, 2]},
        'schema violation (config.redis: {\n  "unknown field",\n  "unknown field"\n})',
        {"redis": ["unknown field", "unknown field"]},
    ),
    (
        {**BASE, "redis": {"inner": None}},
        'schema violation (config.redis: {\n  inner = "required field missing"\n})',
        {"redis": {"inner": "required field missing"}},
    ),
    (
        {**BASE, "rules": [{"name": "a"}, {"name": 1}, None, {}]},
        "schema violation (config.rules: {\n"
        '  [2] = {\n    name = "expected a string"\n  },\n'
        '  [3] = "required field missing",\n'
        '  [4] = {\n    name = "required field missing"\n  }\n'
        "})",
        {
            "rules": [
                None,
                {"name": "expected a string"},
                "required field missing",
                {"name": "required field missing"},
            ]
        },
    ),
    ({**BASE, "rules": {}, "cont": [3]}, None, None),  # an empty JSON object is an empty array: valid
    (
        {**BASE, "rules": {"a": 1}},
        "schema violation (config.rules: expected an array)",
        {"rules": "expected an array"},
    ),
    (
        {**BASE, "pfx": "x"},
        "schema violation (config.pfx: should start with: ab)",
        {"pfx": "should start with: ab"},
    ),
    (
        {**BASE, "pfx": "abx"},
        "schema violation (config.pfx: invalid value: abx)",
        {"pfx": "invalid value: abx"},
    ),
    ({**BASE, "pfx": "abzz"}, "schema violation (config.pfx: no zz please)", {"pfx": "no zz please"}),
    ({**BASE, "pfx": "ab"}, "schema violation (config.pfx: invalid value: ab)", {"pfx": "invalid value: ab"}),
    (
        {**BASE, "pfx": "abbe"},
        "schema violation (config.pfx: invalid value: abbe)",
        {"pfx": "invalid value: abbe"},
    ),
    (
        {**BASE, "cont": [1, 2]},
        "schema violation (config.cont: expected to contain: 3)",
        {"cont": "expected to contain: 3"},
    ),
    (
        {**BASE, "mode": "redis"},
        "2 schema violations (config.@entity: {\n"
        "  \"failed conditional validation given value of field 'mode'\"\n"
        '}; config.redis: {\n  host = "required field missing"\n})',
        {
            "@entity": ["failed conditional validation given value of field 'mode'"],
            "redis": {"host": "required field missing"},
        },
    ),
    (
        {**BASE, "mode": "b"},
        "schema violation (config.@entity: {\n"
        "  \"at least one of these fields must be non-empty: 'tags', 'cont'\"\n})",
        {"@entity": ["at least one of these fields must be non-empty: 'tags', 'cont'"]},
    ),
    (
        {"limit": 5},
        "schema violation (config.@entity: {\n"
        "  \"exactly one of these fields must be non-empty: 'ratio', 'url'\"\n})",
        {"@entity": ["exactly one of these fields must be non-empty: 'ratio', 'url'"]},
    ),
    (
        {**BASE, "hname": None, "sources": None},
        "schema violation (config.@entity: {\n"
        "  \"at least one of these fields must be non-empty: 'sources', 'hname'\"\n"
        "})",
        {"@entity": ["at least one of these fields must be non-empty: 'sources', 'hname'"]},
    ),
    (
        {**BASE, "hname": "redis", "mode": "redis", "redis": {"host": "h", "server_name": "s"}},
        "schema violation (config.@entity: {\n"
        "  \"values of these fields must be distinct: 'hname', 'mode'\"\n})",
        {"@entity": ["values of these fields must be distinct: 'hname', 'mode'"]},
    ),
    (
        {**BASE, "path": "/x", "pfx": "abbd"},
        "schema violation (config.@entity: {\n"
        "  \"only one or none of these fields must be set: 'path', 'pfx'\"\n})",
        {"@entity": ["only one or none of these fields must be set: 'path', 'pfx'"]},
    ),
    (
        {"ratio": None, "url": "http://x"},
        "schema violation (config.limit: required field missing)",
        {"limit": "required field missing"},
    ),
    (
        {**BASE, "limit": None, "hide": 1, "zzz": True},
        "3 schema violations (config.hide: expected a boolean; config.limit: required field missing; "
        "config.zzz: unknown field)",
        {"hide": "expected a boolean", "limit": "required field missing", "zzz": "unknown field"},
    ),
]


@pytest.mark.parametrize(("config", "message", "fields"), KONG_ANSWERS)
def test_answers_like_kong(config: Any, message: str | None, fields: Any) -> None:
    _, errors = validate_config(DEMO.config, config)
    if message is None:
        assert errors == {}
        return
    got_message, got_fields = kong_answer(config)
    assert got_message == message
    if fields is not None:
        assert got_fields == fields


# ---------------------------------------------------------------------------------------------------
# DSL output
# ---------------------------------------------------------------------------------------------------


def test_builders_write_kong_schema_dicts() -> None:
    assert string(one_of=("jwt", "header"), default="jwt", description=D) == {
        "type": "string",
        "one_of": ["jwt", "header"],
        "default": "jwt",
        "description": D,
    }
    assert port() == {
        "type": "integer",
        "between": [0, 65535],
        "description": "An integer representing a port number between 0 and 65535, inclusive.",
    }
    assert timeout(default=2000, description=D) == {
        "type": "integer",
        "between": [0, 2147483646],
        "default": 2000,
        "description": D,
    }
    assert boolean(default=False, description=D) == {
        "type": "boolean",
        "required": True,
        "default": False,
        "description": D,
    }
    assert map_(string(), integer(), description=D) == {
        "type": "map",
        "keys": {"type": "string"},
        "values": {"type": "integer"},
        "description": D,
    }
    assert field("n", number(description=D)) == {"n": {"type": "number", "description": D}}
    assert string(match_all=[("^a", None), ("b", "need b")])["match_all"] == [
        {"pattern": "^a"},
        {"pattern": "b", "err": "need b"},
    ]


def test_plugin_schema_gives_pdk_schema_and_kong_dump() -> None:
    schema, dump = plugin_schema(
        "ai-x",
        [field("a", integer(default=1, description=D)), field("b", integer(description=D))],
        entity_checks=[at_least_one_of("a", "b")],
    )
    assert schema == [
        {"a": {"type": "integer", "default": 1, "description": D}},
        {"b": {"type": "integer", "description": D}},
    ]
    assert dump == {
        "name": "ai-x",
        "fields": [
            {
                "config": {
                    "type": "record",
                    "fields": schema,
                    "entity_checks": [{"at_least_one_of": ["a", "b"]}],
                }
            }
        ],
    }
    assert json.loads(json.dumps(DEMO.dump)) == DEMO.dump
    assert DEMO.name == "ai-demo"
    assert DEMO.config["type"] == "record"


def test_entity_check_builders() -> None:
    assert conditional("mode", {"eq": "x"}, "b", {"required": True}, then_err="%s needs b") == {
        "conditional": {
            "if_field": "mode",
            "if_match": {"eq": "x"},
            "then_field": "b",
            "then_match": {"required": True},
            "then_err": "%s needs b",
        }
    }
    assert mutually_exclusive_sets(["a"], ["b", "c"]) == {
        "mutually_exclusive_sets": {"set1": ["a"], "set2": ["b", "c"]}
    }


BAD_SCHEMAS: list[tuple[Any, str]] = [
    (lambda: integer(between=[0, 10], default=11, description=D), "value should be between 0 and 10"),
    (lambda: string(one_of=["a"], default="b", description=D), "expected one of: a"),
    (lambda: string(default="", description=D), "length must be at least 1"),
    (lambda: integer(default="1", description=D), "expected an integer"),
    (lambda: string(description="short"), "length must be between 10 and 500"),
    (lambda: string(description="x" * 501), "length must be between 10 and 500"),
    (lambda: string(match="%b()"), "unsupported Lua pattern item '%b'"),
    (lambda: string(match="[a"), "missing ']'"),
    (lambda: string(match="(a"), "unfinished capture"),
    (lambda: string(match="a%"), "ends with '%'"),
    (lambda: integer(between=[5, 1]), "lower bound is above the upper bound"),
    (lambda: integer(one_of=["a"]), "every option must be of type integer"),
    (
        lambda: check_field({"type": "integer", "match": "x"}),
        "field of type 'integer' cannot have attribute 'match'",
    ),
    (
        lambda: check_field({"type": "string", "between": [1, 2]}),
        "field of type 'string' cannot have attribute 'between'",
    ),
    (
        lambda: check_field({"type": "string", "custom_validator": "f"}),
        "cannot have attribute 'custom_validator'",
    ),
    (lambda: check_field({"type": "string", "foo": 1}), "unknown attribute 'foo'"),
    (lambda: check_field({"type": "array"}), "field of type 'array' must declare 'elements'"),
    (lambda: check_field({"type": "json"}), "unsupported type 'json'"),
    (lambda: map_(integer(), string()), "map keys must be strings"),
    (lambda: field("a", string()), "every field needs a description"),
    (lambda: field("updated_at", string(description=D)), "never validated by Kong"),
    (lambda: field("1x", string(description=D)), "invalid field name"),
    (
        lambda: record([field("a", string(description=D)), field("a", integer(description=D))]),
        "duplicate field name",
    ),
    (
        lambda: record([field("a", string(description=D))], entity_checks=[only_one_of("a", "zz")]),
        "no field 'zz'",
    ),
    (
        lambda: record([field("a", string(description=D))], entity_checks=[{"custom_entity_check": {}}]),
        "unknown entity check",
    ),
    (
        lambda: record(
            [field("a", string(description=D))],
            entity_checks=[conditional("a", {"eq": "x"}, "a", {"len_min": 2}, then_err="%d")],
        ),
        "may only use '%s'",
    ),
    (
        lambda: record(
            [field("b", record([field("c", string(required=True, description=D))], description=D))],
            default={"b": {}},
        ),
        "required field missing",
    ),
    (lambda: plugin_schema("Bad_Name", []), "invalid plugin name"),
]


@pytest.mark.parametrize(("build", "reason"), BAD_SCHEMAS)
def test_dsl_refuses_schemas_kong_would_not_load(build: Any, reason: str) -> None:
    with pytest.raises(ConfigError) as raised:
        build()
    assert reason in raised.value.message


def test_boolean_is_required_with_a_default() -> None:
    with pytest.raises(TypeError):
        boolean(description=D)  # type: ignore[call-arg]


def test_descriptions_are_checked_at_plugin_schema() -> None:
    with pytest.raises(ConfigError) as raised:
        plugin_schema("ai-x", [{"a": {"type": "string"}}])
    assert raised.value.fields == {"config.a": "every field needs a description"}


# ---------------------------------------------------------------------------------------------------
# Defaults and null
# ---------------------------------------------------------------------------------------------------


def test_absent_config_gets_every_default_including_nested_records() -> None:
    normalized, errors = validate_config(DEMO.config, None)
    assert errors == {
        "limit": "required field missing",
        "@entity": ["exactly one of these fields must be non-empty: 'ratio', 'url'"],
    }
    normalized, errors = validate_config(DEMO.config, BASE)
    assert errors == {}
    assert normalized == DEMO_DEFAULTS


def test_null_is_kept_not_replaced_by_the_default() -> None:
    normalized, errors = validate_config(DEMO.config, {**BASE, "sources": None, "path": None})
    assert errors == {}
    assert normalized["sources"] is None and normalized["path"] is None


def test_a_condition_without_eq_matches_null_as_in_kong() -> None:
    # if_match {"one_of": ["b"]} inherits mode's definition; null passes it because mode is not required
    assert validate_config(DEMO.config, {**BASE, "mode": None})[1] == {
        "@entity": ["at least one of these fields must be non-empty: 'tags', 'cont'"]
    }


def test_required_record_is_expanded_and_optional_one_is_null() -> None:
    normalized, _ = validate_config(
        DEMO.config, {**BASE, "redis": {"host": "h", "server_name": "s", "opt": {}}}
    )
    assert normalized["redis"]["inner"] == {"x": 1}
    assert normalized["redis"]["opt"] == {"y": 2}
    normalized, _ = validate_config(DEMO.config, {**BASE, "redis": {}})
    assert normalized["redis"]["opt"] is None


def test_false_for_a_record_means_absent_as_in_lua() -> None:
    normalized, errors = validate_config(DEMO.config, {**BASE, "redis": False})
    assert errors == {}
    assert normalized["redis"] == DEMO_DEFAULTS["redis"]


def test_defaults_are_copies() -> None:
    first, _ = validate_config(DEMO.config, BASE)
    first["sources"].append("header")
    second, _ = validate_config(DEMO.config, BASE)
    assert second["sources"] == ["jwt"]


def test_record_default_is_not_expanded_when_the_record_is_optional() -> None:
    rec = record(
        [
            field(
                "opt",
                record(
                    [field("a", integer(default=5, description=D)), field("b", string(description=D))],
                    required=False,
                    default={"b": "x"},
                    description=D,
                ),
            ),
            field(
                "req",
                record(
                    [field("a", integer(default=5, description=D)), field("b", string(description=D))],
                    default={"b": "x"},
                    description=D,
                ),
            ),
        ]
    )
    normalized, errors = validate_config(rec, {})
    assert errors == {}
    assert normalized == {"opt": {"b": "x"}, "req": {"b": "x", "a": 5}}


def test_sets_are_deduplicated_and_integral_floats_become_integers() -> None:
    normalized, errors = validate_config(
        DEMO.config, {**BASE, "limit": 7.0, "sources": ["header", "jwt", "header"]}
    )
    assert errors == {}
    assert normalized["sources"] == ["header", "jwt"]
    assert normalized["limit"] == 7 and isinstance(normalized["limit"], int)


def test_updated_at_is_never_validated_as_in_kong() -> None:
    normalized, errors = validate_config(DEMO.config, {**BASE, "updated_at": {"anything": 1}})
    assert errors == {}
    assert normalized["updated_at"] == {"anything": 1}


def test_config_itself_not_a_record_or_null() -> None:
    assert validate_config(DEMO.config, "bar")[1] == "expected a record"
    assert validate_config(DEMO.config, None, explicit_null=True)[1] == "required field missing"
    assert schema_violation("expected a record") == {
        "code": 2,
        "name": "schema violation",
        "message": "schema violation (config: expected a record)",
        "fields": {"config": "expected a record"},
    }


# ---------------------------------------------------------------------------------------------------
# Single validators, Kong's words
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "value", "error"),
    [
        ({"type": "string"}, 1, "expected a string"),
        ({"type": "integer"}, True, "expected an integer"),
        ({"type": "integer"}, float("inf"), "expected an integer"),
        ({"type": "number"}, "1", "expected a number"),
        ({"type": "boolean"}, 0, "expected a boolean"),
        ({"type": "array", "elements": {"type": "string"}}, "x", "expected an array"),
        ({"type": "map", "keys": {"type": "string"}, "values": {"type": "string"}}, 1, "expected a map"),
        ({"type": "number", "one_of": [0.5, 1, 2.25]}, 3, "expected one of: 0.5, 1, 2.25"),
        ({"type": "number", "not_one_of": [1]}, 1.0, "must not be one of: 1"),
        ({"type": "number", "gt": 1.5}, 1, "value must be greater than 1.5"),
        ({"type": "number", "between": [0, 1]}, 2, "value should be between 0 and 1"),
        ({"type": "string", "len_eq": 2}, "é", None),
        ({"type": "string", "len_eq": 3}, "é", "length must be 3"),
        ({"type": "string", "len_min": 0}, "", None),
        ({"type": "string", "uuid": True}, "not-a-uuid", "expected a valid UUID"),
        ({"type": "string", "uuid": True}, "ABCDEF01-0000-0000-0000-000000000000", None),
        ({"type": "string", "is_regex": True}, "a(b", "not a valid regex: a(b"),
        ({"type": "string", "is_regex": True}, "^a+(b|c)$", None),
        ({"type": "integer", "timestamp": True}, 0, "expected a valid timestamp"),
        ({"type": "string", "eq": "x"}, "y", "value must be x"),
        ({"type": "string", "eq": None}, "y", "value must be null"),
        ({"type": "string", "ne": None, "err": "must be set"}, None, "must be set"),
        ({"type": "string", "match": "^%d+$", "err": "digits only"}, "a", "digits only"),
        ({"type": "string", "match": "^%d+$", "err": "digits only"}, 1, "expected a string"),
        ({"type": "string", "referenceable": True, "len_min": 50}, "{vault://env/x}", None),
        (
            {"type": "string", "referenceable": True, "len_min": 50},
            "{vault:/env/x}",
            "length must be at least 50",
        ),
        (
            {
                "type": "set",
                "elements": {"type": "string"},
                "mutually_exclusive_subsets": [["a", "b"], ["c"]],
            },
            ["c", "a"],
            "these sets are mutually exclusive: ('c'), ('a', 'b')",
        ),
        (
            {"type": "map", "keys": {"type": "string"}, "values": {"type": "integer"}, "len_max": 1},
            {"a": 1, "b": 2},
            "length must be at most 1",
        ),
        (
            {"type": "map", "keys": {"type": "string", "match": "^%l+$"}, "values": {"type": "integer"}},
            {"A": 1},
            "invalid value: A",
        ),
    ],
)
def test_validators(spec: dict[str, Any], value: Any, error: str | None) -> None:
    assert validate_value(spec, value) == error


# ---------------------------------------------------------------------------------------------------
# Entity checks
# ---------------------------------------------------------------------------------------------------


def test_conditional_reports_both_places() -> None:
    _, errors = validate_config(DEMO.config, {**BASE, "mode": "redis"})
    assert errors == {
        "@entity": ["failed conditional validation given value of field 'mode'"],
        "redis": {"host": "required field missing"},
    }


CHECKS = record(
    [
        field("a", string(description=D)),
        field("b", string(description=D)),
        field("c", integer(required=True, description=D)),
        field("kind", string(description=D)),
    ],
    entity_checks=[
        conditional("kind", {"eq": "x"}, "a", {"len_min": 3}, then_err="kind %s wants a long a"),
        mutually_exclusive_sets(["a"], ["b"]),
        conditional_at_least_one_of("kind", {"eq": "y"}, ["a"], then_err="set one of %s"),
        only_one_of("c", "kind"),
    ],
)


@pytest.mark.parametrize(
    ("config", "errors"),
    [
        ({"c": 1}, {}),
        (
            {"c": 1, "kind": "x", "a": "ab"},
            {
                "a": "length must be at least 3",
                "@entity": [
                    "kind kind wants a long a",
                    "exactly one of these fields must be non-empty: 'c', 'kind'",
                ],
            },
        ),
        ({"c": 1, "a": "aaa", "b": "b"}, {"@entity": ["these sets are mutually exclusive: ('a'), ('b')"]}),
        ({"kind": "y"}, {"c": "field required for entity check", "@entity": ["set one of 'a'"]}),
    ],
)
def test_entity_checks(config: dict[str, Any], errors: dict[str, Any]) -> None:
    assert validate_config(CHECKS, config)[1] == errors


def test_nested_record_entity_errors_stay_in_the_record() -> None:
    assert kong_answer({**BASE, "redis": {"server_name": "s"}}) == (
        "schema violation (config.redis: {\n"
        '  ["@entity"] = {\n'
        "    \"all or none of these fields must be set: 'host', 'server_name'\"\n"
        "  }\n"
        "})",
        {"redis": {"@entity": ["all or none of these fields must be set: 'host', 'server_name'"]}},
    )


# ---------------------------------------------------------------------------------------------------
# The 400 body
# ---------------------------------------------------------------------------------------------------


def test_schema_violation_body_and_ordering() -> None:
    errors = {"b": "unknown field", "a": {"x": "expected a string"}, "@entity": ["whole config is wrong"]}
    assert schema_violation(errors) == {
        "code": 2,
        "name": "schema violation",
        "message": '3 schema violations (config.@entity: {\n  "whole config is wrong"\n}; config.a: {\n'
        '  x = "expected a string"\n}; config.b: unknown field)',
        "fields": {"config": errors},
    }
    top = entity_schema_violation({"name": "required field missing", "@entity": ["bad plugin"]})
    assert top["message"] == "2 schema violations (bad plugin; name: required field missing)"


def test_element_errors_follow_luajit_pairs_order_in_messages() -> None:
    # Kong visits errs[3], errs[4] (hash part) as 4 then 3: the message shows it
    message, fields = kong_answer({**BASE, "tags": ["a", "b", 3, 4.5]})
    assert (
        message
        == 'schema violation (config.tags: {\n  [4] = "expected a string",\n  [3] = "expected a string"\n})'
    )
    assert fields == {"tags": [None, None, "expected a string", "expected a string"]}


def test_flatten_and_ensure_valid_config() -> None:
    _, errors = validate_config(DEMO.config, {**BASE, "redis": {"port": -1}, "tags": ["a", "toolong"]})
    assert flatten_field_errors(errors) == {
        "config.redis.port": "value should be between 0 and 65535",
        "config.tags.2": "length must be at most 5",
    }
    assert ensure_valid_config(DEMO.config, BASE) == DEMO_DEFAULTS
    with pytest.raises(ConfigError) as raised:
        ensure_valid_config(DEMO.config, {**BASE, "mode": "c"})
    assert raised.value.message == "schema violation (config.mode: expected one of: a, b, redis)"
    assert raised.value.fields == {"config.mode": "expected one of: a, b, redis"}


def test_lua_pretty_quotes_like_penlight() -> None:
    table = {
        "@entity": ['a "q" b'],
        "end": "x",
        "a-b": "y",
        "ok": ["l1\nl2"],
        "z": "tail]",
        "w": "t\r\n",
        "c": "c\x01d9",
    }
    assert lua_pretty(table) == (
        '{\n  ["@entity"] = {\n    "a \\"q\\" b"\n  },\n  ["a-b"] = "y",\n  c = "c\\1d9",\n  ["end"] = "x",\n'
        '  ok = {\n    [[l1\nl2]]\n  },\n  w = "t\\13\\\n",\n  z = [=[tail]]=]\n}'
    )
    assert (
        lua_pretty(["first", {"name": "x"}, None, None, "y"])
        == '{\n  "first",\n  {\n    name = "x"\n  },\n  [5] = "y"\n}'
    )


def test_luajit_pairs_order() -> None:
    assert luajit_pairs_order([3, 4]) == [4, 3]
    assert luajit_pairs_order([1, 2, 3]) == [1, 2, 3]
    assert luajit_pairs_order([2]) == [2]


@pytest.mark.parametrize(
    ("value", "pattern", "found"),
    [
        ("é", "^.$", False),  # Lua patterns see bytes
        ("é", "^..$", True),
        ("a]", "[]]", True),
        ("a-", "[a-]$", True),
        ("x.y", "x%.y", True),
        ("aab", "^a-b$", True),
        ("a$b", "a$b", True),
        ("^a", "x^a", False),
        ("^a", "^^a", True),
        ("abc", "()b", True),
        ("A1-", "^[%w_]+$", False),
        ("\t", "%s", True),
        ("é", "%a", False),
        ("1", "[^%d]", False),
        ("a**", "^a**$", False),
        ("aa*", "^a**$", True),
    ],
)
def test_lua_patterns_match_like_luajit(value: str, pattern: str, found: bool) -> None:
    assert lua_find(value, pattern) is found


def test_unsupported_lua_patterns_are_refused() -> None:
    for pattern in ("%b()", "%f[%a]", "(a)%1", "[a", "a)", "%"):
        with pytest.raises(LuaPatternError):
            lua_pattern(pattern)


# ---------------------------------------------------------------------------------------------------
# Hostile input
# ---------------------------------------------------------------------------------------------------


def test_deep_nesting_is_refused_quickly() -> None:
    deep: Any = "x"
    for _ in range(5000):
        deep = [deep]
    started = time.monotonic()
    normalized, errors = validate_config(DEMO.config, {**BASE, "rules": deep})
    assert errors == {"@entity": ["config is nested too deeply to validate (more than 32 levels)"]}
    assert normalized == {}
    assert time.monotonic() - started < 2


def test_huge_arrays_and_strings_are_refused() -> None:
    started = time.monotonic()
    _, errors = validate_config(DEMO.config, {**BASE, "tags": ["x"] * 1_000_000})
    assert errors == {"@entity": ["config is too large to validate (more than 100000 values)"]}
    _, errors = validate_config(DEMO.config, {**BASE, "pfx": "a" * (2 << 20)})
    assert errors == {"@entity": ["config has a string longer than 1048576 characters"]}
    assert time.monotonic() - started < 5


def test_limits_are_configurable_and_large_valid_input_is_fine() -> None:
    rules = [{"name": f"r{i}"} for i in range(20_000)]
    normalized, errors = validate_config(DEMO.config, {**BASE, "rules": rules})
    assert errors == {}
    assert len(normalized["rules"]) == 20_000
    _, errors = validate_config(DEMO.config, {**BASE, "rules": rules}, limits=Limits(max_values=100))
    assert errors == {"@entity": ["config is too large to validate (more than 100 values)"]}


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=30,
)
KEYS = st.sampled_from(
    ["sources", "hname", "limit", "ratio", "hide", "mode", "path", "tags", "redis", "rules", "cont", "x"]
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, JSON, max_size=6))
def test_any_json_gets_an_answer_never_an_exception(config: dict[str, Any]) -> None:
    normalized, errors = validate_config(DEMO.config, config)
    if errors:
        body = schema_violation(errors)
        json.dumps(body)
        assert re.match(r"(schema violation|[0-9]+ schema violations) \(.*\)\Z", body["message"], re.DOTALL)
    else:
        # a valid config stays valid, and unchanged, when validated again (what the plugin receives)
        assert validate_config(DEMO.config, normalized) == (normalized, {})


def test_typedef_patterns_accept_ordinary_values() -> None:
    fine = {
        **BASE,
        "hname": "X-Request_Id",
        "path": "/v1/chat/completions%20x",
        "redis": {"host": "redis-1.internal", "server_name": "redis.example.com"},
    }
    assert validate_config(DEMO.config, fine)[1] == {}
    assert validate_config(DEMO.config, {"limit": 5, "url": "https://api.example.com:8443/x?y=1"})[1] == {}
    for ipv6 in ("::1", "[::1]", "fe80::1"):
        assert validate_value(host(), ipv6) is None
    assert validate_value(sni(), "[::1]") == "must not be an IP"
