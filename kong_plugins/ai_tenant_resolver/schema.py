"""The ``ai-tenant-resolver`` configuration in Kong's schema shape (the plugin's name is declared here, once).

Kong validates these fields itself (types, defaults, ``one_of``, lengths, Lua patterns, the entity checks
below), so the Admin API and deck refuse those mistakes. Lua patterns cover part of what used to be checked
only in Python: the path pattern must name a ``tenant`` group and use no construct RE2 refuses, an
asymmetric key must look like a PEM public key or a JWK. What a schema cannot say - that keys parse and fit
their algorithm, that the path pattern is valid RE2, that tenant ids are unique - is checked by
``settings.build_settings`` when the plugin instance starts, with errors in the same ``config.<field>``
shape, and by ``kong-ai validate`` before deploying (README: "Checked by `kong-ai validate` only").
"""

from __future__ import annotations

from kong_plugins.ai_tenant_resolver.jwt_verify import (
    ASYMMETRIC_ALGORITHMS,
    HMAC_ALGORITHMS,
    SUPPORTED_ALGORITHMS,
)
from kong_plugins.ai_tenant_resolver.path_pattern import DEFAULT_PATH_PATTERN, MAX_PATTERN_LENGTH
from kong_plugins.ai_tenant_resolver.registry import DEFAULT_NAMESPACE, STATUSES
from kong_plugins.ai_tenant_resolver.sources import SOURCES
from kong_plugins.ai_tenant_resolver.tenant_id import TENANT_ID_MAX_LENGTH
from kong_plugins.core.completion import FAIL_CLOSED_MARK_FIELD
from kong_plugins.core.redis import REDIS_SCHEMA_FIELD
from kong_plugins.core.schema import (
    FieldSpec,
    array,
    boolean,
    conditional,
    conditional_at_least_one_of,
    field,
    header_name,
    integer,
    map_,
    number,
    plugin_schema,
    record,
    set_,
    string,
)
from kong_plugins.core.schema.regex_rules import RE2_UNSUPPORTED

__all__ = ["NAME", "SCHEMA", "SCHEMA_DUMP", "Schema"]

NAME = "ai-tenant-resolver"

MAX_TENANTS = 10000
MAX_JWT_KEYS = 64
_LABEL_PATTERN = "^[%w][%w%._%-]*$"  # Lua pattern: tier, region, namespace
_TENANT_ID_PATTERN = "^[%w][%w_%-]*$"  # Lua pattern; the length is bounded separately
MODEL_PATTERN = "^[A-Za-z0-9*][A-Za-z0-9._:/@+*%-]*$"  # Lua pattern of registry.MODEL_REGEX (length apart)
METADATA_KEY_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._%-]*$"  # Lua pattern of registry.METADATA_KEY_REGEX
UPSTREAM_NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._%-]*$"  # Lua pattern of settings._UPSTREAM_NAME
_TENANT_GROUP = "%(%?P?<tenant>"  # Lua pattern: (?P<tenant> or (?<tenant>
# Lua: what a public key starts with; an HMAC "secret" shaped so is the HS256/RS256 confusion attack
_PUBLIC_KEY_PREFIXES = ["^%s*%-%-%-%-%-BEGIN", "^%s*ssh%-", "^%s*ecdsa%-sha2%-"]
_NOT_A_SECRET = "expected a shared secret, not a public key"
_PUBLIC_KEY_FORMS = ["^%s*%-%-%-%-%-BEGIN [%u ]*PUBLIC KEY%-%-%-%-%-", "^%s*{"]  # Lua: PEM public key, JWK

GATEWAY_HEADER_ERR = "this header is set by the gateway and cannot carry a tenant or credential"


def _exact_header(name: str) -> str:
    """A Lua pattern matching header ``name`` whatever its case (``X-Tenant-ID``, ``x-tenant-id``...)."""
    parts = [f"[{c.upper()}{c.lower()}]" if c.isalpha() else f"%{c}" if c == "-" else c for c in name]
    return "^" + "".join(parts) + "$"


def _not_gateway_header(spec: FieldSpec, names: tuple[str, ...]) -> FieldSpec:
    """``spec`` that Kong refuses when it names one of the headers the gateway sets (settings.py refuses
    them too): the upstream only ever receives those headers with the values this plugin resolved."""
    return {**spec, "match_none": [{"pattern": _exact_header(n), "err": GATEWAY_HEADER_ERR} for n in names]}


_GATEWAY_HEADERS = ("X-Tenant-ID", "X-Tenant-Tier", "X-Tenant-Region")
_JWT_KEY = record(
    [
        field(
            "kid",
            string(
                required=True,
                len_max=256,
                description="Key id: tokens select this key with the `kid` of their header.",
            ),
        ),
        field(
            "algorithm",
            string(
                required=True,
                one_of=list(SUPPORTED_ALGORITHMS),
                description="The only algorithm this key verifies; a token whose `alg` differs is refused. "
                "Must be listed in `jwt.algorithms`.",
            ),
        ),
        field(
            "key",
            string(
                required=True,
                len_max=16384,
                referenceable=True,
                encrypted=True,
                description="For RS*/PS*/ES*/EdDSA: the PEM public key (`-----BEGIN PUBLIC KEY-----`) or a "
                "public JWK (JSON). For HS*: the shared secret (at least as many bytes as the hash: 32, 48 "
                "or 64) or an `oct` JWK. Private keys are refused.",
            ),
        ),
    ],
    description="A JWT verification key.",
    entity_checks=[
        conditional(
            "algorithm",
            {"one_of": list(ASYMMETRIC_ALGORITHMS)},
            "key",
            {
                "match_none": [{"pattern": "PRIVATE KEY", "err": "give the public key, not the private key"}],
                "match_any": {
                    "patterns": _PUBLIC_KEY_FORMS,
                    "err": "expected a PEM public key (-----BEGIN PUBLIC KEY-----) or a public JWK",
                },
            },
            then_err="RS*, PS*, ES* and EdDSA keys are PEM public keys or public JWKs",
        ),
        conditional(
            "algorithm",
            {"one_of": list(HMAC_ALGORITHMS)},
            "key",
            {"match_none": [{"pattern": form, "err": _NOT_A_SECRET} for form in _PUBLIC_KEY_PREFIXES]},
            then_err="HS256, HS384 and HS512 keys are shared secrets (or oct JWKs)",
        ),
    ],
)

_JWT = record(
    [
        field(
            "header_name",
            _not_gateway_header(
                header_name(
                    default="Authorization",
                    description="Request header carrying the token as `Bearer <token>`. Other schemes (e.g. "
                    "Basic) are ignored by this source.",
                ),
                _GATEWAY_HEADERS,
            ),
        ),
        field(
            "keys",
            array(
                _JWT_KEY,
                default=[],
                len_max=MAX_JWT_KEYS,
                description="Verification keys, one per `kid`. Needed when `sources` has `jwt`.",
            ),
        ),
        field(
            "algorithms",
            set_(
                string(one_of=list(SUPPORTED_ALGORITHMS)),
                default=["RS256", "ES256"],
                len_min=1,
                description="Algorithms keys may use. `none` is never accepted and cannot be listed.",
            ),
        ),
        field(
            "claim",
            string(
                default="tenant_id",
                len_max=256,
                description="Path of the tenant claim in the token payload, segments separated by dots "
                "(`tenant_id`, `org.tenant`). A claim whose name is the whole path (a namespaced claim such "
                "as `https://example.com/tenant`) is used first.",
            ),
        ),
        field(
            "roles_claim",
            string(
                len_max=256,
                description="Path of a claim holding the caller's roles (a list of names, or one "
                "space-separated string), segments separated by dots like `claim`. Published in "
                "`ai_guard.tenant` as `roles` (at most 32, each `[A-Za-z0-9_.:-]{1,64}`): ai-action-authz "
                'policies see them as `principal in Role::"<name>"`.',
            ),
        ),
        field(
            "issuer",
            string(len_max=1024, description="When set, the token's `iss` must equal it."),
        ),
        field(
            "audience",
            string(
                len_max=1024,
                description="When set, the token's `aud` must contain it. When unset, tokens carrying an "
                "`aud` are refused (they are meant for a named audience).",
            ),
        ),
        field(
            "leeway",
            integer(
                default=30,
                between=[0, 600],
                description="Clock skew tolerated on `exp` and `nbf`, in seconds.",
            ),
        ),
        field(
            "required_claims",
            set_(
                string(one_of=["exp", "nbf", "iat", "iss", "aud", "sub", "jti"]),
                default=["exp"],
                description="Claims a token must carry. `exp` by default: tokens that never expire are "
                "refused.",
            ),
        ),
        field(
            "max_token_bytes",
            integer(
                default=8192,
                between=[256, 65536],
                description="Longest token accepted; longer ones are refused before being decoded.",
            ),
        ),
    ],
    description="How the `jwt` source verifies tokens (PyJWT).",
)

_TENANT = record(
    [
        field(
            "id",
            string(
                required=True,
                len_max=TENANT_ID_MAX_LENGTH,
                match=_TENANT_ID_PATTERN,
                description="Tenant id: ASCII letters, digits, `_` and `-`, starting with a letter or digit, "
                f"at most {TENANT_ID_MAX_LENGTH} characters.",
            ),
        ),
        field(
            "status",
            string(
                default="active",
                one_of=list(STATUSES),
                description="`suspended` tenants are refused (403).",
            ),
        ),
        field(
            "tier",
            string(
                len_max=64,
                match=_LABEL_PATTERN,
                description="Service tier, sent upstream as `X-Tenant-Tier` and published to other plugins.",
            ),
        ),
        field(
            "region",
            string(
                len_max=64,
                match=_LABEL_PATTERN,
                description="Data residency region, sent upstream as `X-Tenant-Region`; with "
                "`region_upstreams`, picks the upstream.",
            ),
        ),
        field(
            "allowed_models",
            array(
                string(len_max=128, match=MODEL_PATTERN),
                default=[],
                len_max=256,
                description="Models the tenant may use (published for the other plugins; empty: no list).",
            ),
        ),
        field(
            "metadata",
            map_(
                string(len_max=64, match=METADATA_KEY_PATTERN),
                string(len_min=0, len_max=1024),
                len_max=64,
                description="Free-form labels for the tenant (not sent upstream).",
            ),
        ),
    ],
    description="A tenant of the embedded registry.",
)

_CONFIG_FIELDS = [
    field(
        "sources",
        set_(
            string(one_of=list(SOURCES)),
            required=True,
            len_min=1,
            description="Where the tenant comes from, in order: `jwt` (a verified bearer token's claim), "
            "`header` (`header_name`, as sent by the client: only behind a trusted component), `path` "
            "(`path_pattern`), `consumer` (the Kong consumer authenticated before this plugin), `api_key` "
            "(a key issued by `kong-ai keys`). Every present source must name the same tenant (else 403); "
            "the first one is reported as the source.",
        ),
    ),
    field(
        "required",
        boolean(
            default=True,
            description="Refuse requests whose tenant cannot be determined (401). When false, such requests "
            "go on without a tenant (gateway-owned headers are still removed).",
        ),
    ),
    field(
        "header_name",
        _not_gateway_header(
            header_name(default="X-Tenant-ID", description="Request header read by the `header` source."),
            _GATEWAY_HEADERS[1:],  # the header source reads X-Tenant-ID itself
        ),
    ),
    field(
        "path_pattern",
        string(
            default=DEFAULT_PATH_PATTERN,
            len_max=MAX_PATTERN_LENGTH,
            match_none=RE2_UNSUPPORTED,
            match_all=[(_TENANT_GROUP, "must have a named group 'tenant', e.g. (?P<tenant>[^/]{1,64})")],
            description="RE2 regular expression searched in the request path by the `path` source (linear "
            "time, whatever the path); it must have a named group `tenant` (`(?P<tenant>...)`). RE2 has no "
            "look-arounds, back-references or possessive quantifiers, its `\\d`/`\\w` are ASCII and `\\z` "
            "ends the text.",
        ),
    ),
    field(
        "consumer_by",
        string(
            default="custom_id",
            one_of=["custom_id", "tag"],
            description="Which attribute of the Kong consumer names its tenant: `custom_id`, or a tag "
            "`tenant:<id>` (a consumer with two different tenant tags is refused).",
        ),
    ),
    field(
        "api_key_header",
        _not_gateway_header(
            header_name(default="X-API-Key", description="Request header read by the `api_key` source."),
            _GATEWAY_HEADERS,
        ),
    ),
    field(
        "hide_credentials",
        boolean(
            default=True,
            description="Remove the credential this plugin verified (the `api_key_header` and, for the `jwt` "
            "source, the token header) from the request sent upstream. Unlike Kong's key-auth the default is "
            "true: these credentials are for the gateway, not for the model provider.",
        ),
    ),
    field(
        "registry",
        string(
            default="config",
            one_of=["config", "redis"],
            description="Where tenants are registered: `config` (the `tenants` list) or `redis` (written by "
            "`kong-ai tenants`, read through a local cache).",
        ),
    ),
    field(
        "tenants",
        array(
            _TENANT,
            default=[],
            len_max=MAX_TENANTS,
            description="The tenants, when `registry` is `config`. A tenant not listed is refused (403).",
        ),
    ),
    field(
        "cache_ttl",
        number(
            default=5,
            between=[0, 3600],
            description="Seconds a tenant read from Redis is reused without asking Redis again: a suspension "
            "takes effect within this time. 0 disables the cache.",
        ),
    ),
    field(
        "negative_cache_ttl",
        number(
            default=5,
            between=[0, 3600],
            description="Seconds an unknown tenant is remembered as unknown, so that invented ids do not all "
            "reach Redis. 0 disables it.",
        ),
    ),
    field(
        "cache_size",
        integer(
            default=10000,
            between=[1, 1000000],
            description="Most tenants (known and unknown) kept in the local cache; the least recently used "
            "go first.",
        ),
    ),
    field(
        "stale_if_error",
        number(
            default=60,
            between=[0, 86400],
            description="When Redis cannot be reached, a tenant whose cache entry expired at most this many "
            "seconds ago is served from it; other requests are refused (503).",
        ),
    ),
    field(
        "emergency_controls",
        string(
            default="auto",
            one_of=["auto", "on", "off"],
            description="Honour `kong-ai emergency` isolations and restrictions, read from Redis: `auto` "
            "reads them with each Redis registry lookup (same round trip and cache: every node within "
            "`cache_ttl`), not with a `config` registry; `on` reads them with a `config` registry too (one "
            "Redis read per tenant per `cache_ttl`, 503 when Redis is down and nothing is cached); `off` "
            "ignores them. Deadlines are checked on every request.",
        ),
    ),
    field(
        "namespace",
        string(
            default=DEFAULT_NAMESPACE,
            len_max=64,
            match=_LABEL_PATTERN,
            description="Prefix of the Redis keys of the tenant registry, the API keys and the emergency "
            "controls (the `kong-ai` CLI takes the same `--namespace`).",
        ),
    ),
    field(
        "region_upstreams",
        map_(
            string(len_max=64, match=_LABEL_PATTERN),
            string(len_max=255, match=UPSTREAM_NAME_PATTERN),
            description="Data residency: tenant region -> name of the Kong Upstream that serves it. When "
            "set, every request is routed to its tenant's region upstream, and a tenant whose region is not "
            "listed (or has no region) is refused (403) rather than sent elsewhere. The route's service must "
            "be addressed by a host name: Kong's balancer ignores an upstream set on a service whose host is "
            "an IP address.",
        ),
    ),
    REDIS_SCHEMA_FIELD,
    field("jwt", _JWT),
]

SCHEMA = plugin_schema(
    NAME,
    [*_CONFIG_FIELDS, FAIL_CLOSED_MARK_FIELD],
    entity_checks=[
        # not `conditional` on jwt.keys: that one re-validates the keys and adds its message to any key error
        conditional_at_least_one_of(
            "sources",
            {"contains": "jwt"},
            ["jwt.keys"],
            then_err="the jwt source needs at least one key in jwt.keys",
        ),
        conditional(  # tenants listed with a Redis registry would be ignored: refused, as the instance does
            "registry",
            {"eq": "redis"},
            "tenants",
            {"len_eq": 0},
            then_err="tenants are listed in the config only when registry is 'config'",
        ),
    ],
)
Schema = SCHEMA.schema
SCHEMA_DUMP = SCHEMA.dump
