"""Kong plugin schemas in Python, and Kong's validation of them.

* :mod:`.dsl` writes schemas as plain dicts in Kong's ``schema.lua`` shape (what the plugin server prints
  and Kong loads), checked at build time by :mod:`.metaschema` (Kong's metaschema, plus our stricter rules).
* :mod:`.validate` validates a plugin config exactly as Kong 3.9's Admin API does (defaults, messages,
  element errors by index), with :mod:`.entity_checks` for the ``@entity`` rules and :mod:`.values` for
  Kong's vocabulary and Lua value semantics; :mod:`.violation` builds Kong's ``schema violation`` 400 body.
* :mod:`.lua` holds the Lua behaviours that show through (patterns, number printing, ``pl.pretty``,
  LuaJIT's ``pairs`` order).

Typical use in a plugin's ``schema.py``::

    from kong_plugins.core.schema import boolean, field, plugin_schema, string

    Schema, SCHEMA_DUMP = plugin_schema(
        "ai-example",
        [field("sources", string(one_of=["jwt", "header"], default="jwt", description="Where ...")),
         field("hide_client_headers", boolean(default=False, description="Do not ..."))],
    )
"""

from kong_plugins.core.schema.dsl import (
    FieldSpec,
    PatternRule,
    PluginSchema,
    array,
    at_least_one_of,
    boolean,
    conditional,
    conditional_at_least_one_of,
    distinct,
    field,
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
    set_,
    sni,
    string,
    timeout,
    url,
)
from kong_plugins.core.schema.metaschema import check_field, check_record
from kong_plugins.core.schema.validate import (
    DEFAULT_LIMITS,
    ENTITY_KEY,
    MESSAGES,
    REQUIRED_FIELD_MISSING,
    UNKNOWN_FIELD,
    FieldError,
    Limits,
    validate_config,
    validate_value,
)
from kong_plugins.core.schema.violation import (
    ensure_valid_config,
    entity_schema_violation,
    flatten_field_errors,
    schema_violation,
    violation_message,
)

__all__ = [
    "DEFAULT_LIMITS",
    "ENTITY_KEY",
    "MESSAGES",
    "REQUIRED_FIELD_MISSING",
    "UNKNOWN_FIELD",
    "FieldError",
    "FieldSpec",
    "Limits",
    "PatternRule",
    "PluginSchema",
    "array",
    "at_least_one_of",
    "boolean",
    "check_field",
    "check_record",
    "conditional",
    "conditional_at_least_one_of",
    "distinct",
    "ensure_valid_config",
    "entity_schema_violation",
    "field",
    "flatten_field_errors",
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
    "schema_violation",
    "set_",
    "sni",
    "string",
    "timeout",
    "url",
    "validate_config",
    "validate_value",
    "violation_message",
]
