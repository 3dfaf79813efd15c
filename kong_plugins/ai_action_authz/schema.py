"""The ``ai-action-authz`` configuration in Kong's schema shape (the plugin's name is declared here, once).

Kong validates types, bounds and the Lua patterns below, so the Admin API refuses a policy with no
``permit``/``forbid`` statement or with template slots (``?principal``). That Cedar text parses and validates
against our entity model (declarative/policies/schema.cedarschema) cannot be said in Kong's vocabulary: it is
checked when the plugin instance starts (``settings.build_settings``: a bad policy fails the instance, so
requests get 500, never "allowed"), by ``kong-ai validate`` and by ``kong-ai policy test``.
"""

from __future__ import annotations

from kong_plugins.ai_action_authz.policy import MAX_POLICY_BYTES
from kong_plugins.ai_action_authz.store import DEFAULT_NAMESPACE
from kong_plugins.core.completion import FAIL_CLOSED_MARK_FIELD
from kong_plugins.core.redis import REDIS_SCHEMA_FIELD
from kong_plugins.core.schema import (
    array,
    boolean,
    conditional,
    conditional_at_least_one_of,
    field,
    integer,
    number,
    plugin_schema,
    record,
    set_,
    string,
    url,
)
from kong_plugins.core.schema.regex_rules import RE2_UNSUPPORTED

__all__ = ["CONTEXT_SOURCES", "NAME", "SCHEMA", "SCHEMA_DUMP", "Schema"]

NAME = "ai-action-authz"

CONTEXT_SOURCES = ("method", "path", "consumer")

_CONFIG_FIELDS = [
    field(
        "policy_source",
        string(
            default="config",
            one_of=["config", "redis", "opa"],
            description="Where the Cedar policy comes from: `config` (the `policy` field, embedded in the "
            "plugin configuration) or `redis` (the active version pushed with `kong-ai policy push`, canary "
            "versions for the tenants named at push time; picked up within `poll_interval`); or `opa`: no "
            "Cedar, an external decision point (`opa`) decides.",
        ),
    ),
    field(
        "policy",
        string(
            len_max=MAX_POLICY_BYTES,
            match_any={
                "patterns": ["permit%s*%(", "forbid%s*%("],
                "err": "must contain at least one permit(...) or forbid(...) statement",
            },
            match_none=[
                {"pattern": "%?principal", "err": "policy templates (?principal slots) are not supported"},
                {"pattern": "%?resource", "err": "policy templates (?resource slots) are not supported"},
            ],
            description="The Cedar policy set, validated against the entity model in "
            "`declarative/policies/schema.cedarschema` when the plugin instance starts (an invalid policy "
            "fails the instance: its requests get 500, never an allow). Default deny: a request is allowed "
            "only when every action it implies is permitted, and a matching `forbid` overrides any `permit`. "
            'Annotate policies with `@id("...")` to name them in decisions. See docs/policy.md.',
        ),
    ),
    field(
        "namespace",
        string(
            default=DEFAULT_NAMESPACE,
            len_max=64,
            match="^[%w][%w%._%-]*$",
            description="Prefix of the Redis keys of the versioned policies (`kong-ai policy` takes the same "
            "`--namespace`).",
        ),
    ),
    field(
        "poll_interval",
        number(
            default=5,
            between=[0, 3600],
            description="With `policy_source: redis`, seconds between two reads of the active version: a "
            "push, promote or rollback takes effect within this time, without a restart. 0 reads it on "
            "every request.",
        ),
    ),
    REDIS_SCHEMA_FIELD,
    field(
        "opa",
        record(
            [
                field(
                    "url",
                    url(description="Base URL of the OPA-compatible server (`http://opa:8181`)."),
                ),
                field(
                    "path",
                    string(
                        default="kong/ai/authz",
                        len_max=256,
                        match="^[%w_][%w_%-/]*$",
                        description='Document path: the plugin posts `{"input": ...}` to '
                        "`<url>/v1/data/<path>`.",
                    ),
                ),
                field(
                    "timeout",
                    integer(
                        default=500,
                        between=[1, 60000],
                        description="Milliseconds for the whole call (connect, send, answer).",
                    ),
                ),
                field(
                    "cache_ttl",
                    number(
                        default=5,
                        between=[0, 3600],
                        description="Seconds an answer is reused for the same input (at most `cache_size` "
                        "inputs); failures are never cached. 0 disables the cache.",
                    ),
                ),
                field(
                    "fail_open",
                    boolean(
                        default=False,
                        description="Allow when OPA times out, fails or answers something unusable. "
                        "Default false: fail closed (403 with a decision id, rule `opa-timeout`, "
                        "`opa-unavailable` or `opa-invalid-answer`).",
                    ),
                ),
            ],
            description="The external decision point, with `policy_source: opa` (contract in README).",
        ),
    ),
    field(
        "route_name",
        string(
            len_max=256,
            description='This route\'s id in policies (`Route::"<route_name>"`). Default: the id of the '
            "Kong route the plugin is attached to, or `*` for a plugin on a service or global.",
        ),
    ),
    field(
        "context_sources",
        set_(
            string(one_of=list(CONTEXT_SOURCES)),
            default=[],
            description="Request facts read for the policy beyond the context other plugins published, one "
            "PDK round trip each: `method` and `path` (`context.method`, `context.path`) and `consumer` (the "
            'authenticated Kong consumer becomes the principal, `Consumer::"<username>"`, inside its '
            "tenant).",
        ),
    ),
    field(
        "roles_from_consumer_groups",
        boolean(
            default=False,
            description="Add the names of the authenticated consumer's Kong consumer groups to the caller's "
            'roles (`principal in Role::"<group>"`), one PDK round trip (`kong.client.get_consumer_groups`). '
            "Consumer groups are a Kong Gateway Enterprise feature: Kong OSS answers that call with nothing "
            "(and logs `could not find pdk method`), so no group becomes a role. At most 64 groups; a name "
            "over 64 characters is dropped.",
        ),
    ),
    field(
        "attributes",
        array(
            record(
                [
                    field(
                        "name",
                        string(
                            required=True,
                            len_max=64,
                            match="^[%w_][%w_%.%-]*$",
                            description='The name policies read: `context.attributes.getTag("<name>")`.',
                        ),
                    ),
                    field(
                        "source",
                        string(
                            required=True,
                            one_of=["body", "query", "header", "path"],
                            description="`body` (JSON pointer), `query` (argument name), `header` "
                            "(header name) or `path` (RE2 pattern searched in the path: group `value`, "
                            "else group 1).",
                        ),
                    ),
                    field(
                        "key",
                        string(
                            required=True,
                            len_max=1024,
                            match_none=RE2_UNSUPPORTED,
                            description="What to read: `/transaction/merchant`, `merchant`, "
                            "`X-Merchant-ID`, `^/merchants/(?P<value>[^/]+)`.",
                        ),
                    ),
                ],
                description="One request attribute.",
            ),
            default=[],
            len_max=32,
            description="Request attributes handed to the policy (`context.attributes`), so that it can "
            "limit a tenant to its own data partitions (e.g. `merchant_id` from `/transaction/merchant`). "
            "Values are scalars as text, at most 256 characters; an absent or larger one is left out. "
            "A `query` argument or `header` a rule reads, sent twice, is refused (400). Round trips: "
            "see the README.",
        ),
    ),
    field(
        "mcp",
        boolean(
            default=False,
            description="The route carries MCP (JSON-RPC 2.0, batches too): a `tools/call` is authorized as "
            '`tool.call` on `Tool::"<name>"` with its arguments in `context.arguments`, and a '
            "`tools/list` answer keeps only the tools the caller may be offered (`tool.offer`), with "
            "`X-AI-Tools-Filtered: <n>`. The plugin reads the body itself (one more round trip).",
        ),
    ),
    field(
        "max_body_bytes",
        integer(
            default=1048576,
            between=[1, 64 * 1024 * 1024],
            description="On a route without ai-input-guard, this plugin parses the body itself (once) to "
            "know the model, streaming and tools; a larger body is refused (413).",
        ),
    ),
    field(
        "on_violation",
        string(
            default="block",
            one_of=["block", "strip"],
            description="A tool call in the model's output (OpenAI chat and Responses, Anthropic, "
            "Ollama, Gemini; JSON, NDJSON or SSE) that the policy does not permit (`tool.call` on "
            '`Tool::"<name>"`, its arguments in `context.arguments`): `block` answers 403 with a '
            "decision id instead of the output; `strip` removes the disallowed calls, keeps the rest of the "
            "answer valid for the client's SDK and says how many were removed in `X-AI-Tool-Calls-Stripped`.",
        ),
    ),
    field(
        "max_response_bytes",
        integer(
            default=8388608,
            between=[1, 64 * 1024 * 1024],
            description="Largest model output (after decoding gzip/deflate/br) whose tool calls are "
            "checked. A larger output, or one that cannot be decoded, cannot be checked and is not "
            "delivered (403, whatever `on_violation` says).",
        ),
    ),
    field(
        "cache_size",
        integer(
            default=10000,
            between=[0, 1000000],
            description="Decisions kept per plugin instance, keyed by policy version, principal, action, "
            "resource and context (least recently used go first). 0 disables the cache.",
        ),
    ),
]

SCHEMA = plugin_schema(
    NAME,
    [*_CONFIG_FIELDS, FAIL_CLOSED_MARK_FIELD],
    entity_checks=[
        conditional(
            "policy_source",
            {"eq": "config"},
            "policy",
            {"required": True},
            then_err="policy_source 'config' needs a policy",
        ),
        conditional_at_least_one_of(
            "policy_source",
            {"eq": "opa"},
            ["opa.url"],
            then_err="policy_source 'opa' needs opa.url",
        ),
    ],
)
Schema = SCHEMA.schema
SCHEMA_DUMP = SCHEMA.dump
