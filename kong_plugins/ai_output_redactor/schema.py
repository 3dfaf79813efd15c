"""The ``ai-output-redactor`` configuration in Kong's schema shape (the plugin's name is declared here, once).

Kong validates the types, defaults, ranges, ``one_of`` lists (detector names, modes, the keys of
``detector_modes``/``replacements``), header names, ``hash_key`` when ``mode`` is ``hash`` (a
``conditional`` entity check), and the ``match_none`` Lua patterns that spot RE2-rejected constructs in
``custom_patterns``/``allow_patterns``. What a schema cannot say - that the patterns are otherwise valid RE2
(Kong's ``is_regex`` is PCRE, which accepts what RE2 refuses and the reverse), that ``output_schema`` is
a JSON Schema, that ``hash_key`` is set when a custom pattern's or a detector's own mode is ``hash`` - is
checked by ``settings.build_settings`` when the plugin instance starts (and by ``kong-ai validate``).
"""

from __future__ import annotations

from kong_plugins.ai_output_redactor.detectors import DETECTOR_NAMES
from kong_plugins.ai_output_redactor.engine import MODES
from kong_plugins.core.completion import FAIL_CLOSED_MARK_FIELD
from kong_plugins.core.schema import (
    array,
    boolean,
    conditional,
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

NAME = "ai-output-redactor"

MAX_BODY_BYTES_LIMIT = 64 * 1024 * 1024
MAX_PATTERNS = 100
MAX_PATTERN_LENGTH = 1000
_NAME_PATTERN = "^[a-z][a-z0-9_]*$"  # Lua pattern: detector and custom pattern names
_POLICY = ["block", "pass"]

DEFAULT_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'",
}
DEFAULT_REMOVE_HEADERS = ["Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version"]
DEFAULT_VARY = ["Authorization", "X-API-Key", "X-Tenant-ID"]


def _re2_patterns(description: str) -> dict:
    return array(
        string(len_max=MAX_PATTERN_LENGTH, match_none=RE2_UNSUPPORTED),
        default=[],
        len_max=MAX_PATTERNS,
        description=description,
    )


_CUSTOM_PATTERN = record(
    [
        field(
            "name",
            string(
                required=True,
                len_max=63,
                match=_NAME_PATTERN,
                not_one_of=list(DETECTOR_NAMES),
                description="Name of the finding (lowercase letters, digits, `_`): counted under it and "
                "shown in `[REDACTED:NAME]`.",
            ),
        ),
        field(
            "pattern",
            string(
                required=True,
                len_max=MAX_PATTERN_LENGTH,
                match_none=RE2_UNSUPPORTED,
                description="RE2 pattern (linear time; `(?i)` for case-insensitive). A group named `v` "
                "(`(?P<v>...)`) limits the redaction to that part of the match.",
            ),
        ),
        field(
            "mode",
            string(one_of=list(MODES), description="Mode for this pattern; unset: the global `mode`."),
        ),
        field(
            "replacement",
            string(len_max=256, description="Text that replaces a match in `mask` mode."),
        ),
    ]
)

_CONFIG_FIELDS = [
    field(
        "detectors",
        set_(
            string(one_of=list(DETECTOR_NAMES)),
            default=list(DETECTOR_NAMES),
            description="Built-in detectors to run: `private_key`, `jwt`, `url_credentials` (the "
            "`user:password` of a URL), `aws_access_key`, `github_token`, `gitlab_token`, `slack_token`, "
            "`stripe_key`, `aws_secret_key`, `email`, `iban` (mod-97 checked), `credit_card` (Luhn and "
            "issuer checked), `us_ssn` (unassigned ranges excluded), `phone` (libphonenumber-valid, "
            "grouped as written in its country), `ipv4`, `ipv6`, `high_entropy` (random-looking keys).",
        ),
    ),
    field(
        "mode",
        string(
            default="mask",
            one_of=list(MODES),
            description="How findings are replaced: `mask` (`[REDACTED:EMAIL]`), `hash` "
            "(`[EMAIL:3f9a1c0b2d4e]`, a keyed HMAC stable within a tenant; needs `hash_key`), "
            "`partial` (`****` and the last 4 characters), `block` (the whole response is refused: 502).",
        ),
    ),
    field(
        "detector_modes",
        map_(
            string(one_of=list(DETECTOR_NAMES)),
            string(one_of=list(MODES)),
            len_max=200,
            description="Mode per built-in detector, over `mode` (a custom pattern has its own `mode`).",
        ),
    ),
    field(
        "replacements",
        map_(
            string(one_of=list(DETECTOR_NAMES)),
            string(len_max=256),
            len_max=200,
            description="Text that replaces a finding in `mask` mode, per built-in detector (default "
            "`[REDACTED:<NAME>]`; a custom pattern has its own `replacement`).",
        ),
    ),
    field(
        "hash_key",
        string(
            len_min=16,
            len_max=1024,
            referenceable=True,
            encrypted=True,
            description="Secret of the `hash` mode (at least 16 characters). Each tenant's key is derived "
            "from it and the tenant id, so tokens cannot be compared across tenants.",
        ),
    ),
    field(
        "phone_regions",
        set_(
            string(match="^%u%u$"),
            default=["US"],
            len_min=1,
            len_max=50,
            description="Countries (ISO 3166 alpha-2) whose national phone formats are recognized; numbers "
            "written with `+` or `00` are recognized for every country.",
        ),
    ),
    field(
        "entropy_threshold",
        number(
            default=4.0,
            between=[1, 8],
            description="`high_entropy`: smallest Shannon entropy, in bits per character, of a key-like "
            "string (letters, digits, `_+/=-`, with digits) to redact. Hex strings never exceed 4.",
        ),
    ),
    field(
        "entropy_min_length",
        integer(default=20, between=[8, 512], description="`high_entropy`: shortest string considered."),
    ),
    field(
        "custom_patterns",
        array(_CUSTOM_PATTERN, default=[], len_max=MAX_PATTERNS, description="Named RE2 patterns to redact."),
    ),
    field(
        "allow_list",
        array(
            string(len_max=1024),
            default=[],
            len_max=1000,
            description="Values never redacted (compared case-insensitively), e.g. the support address.",
        ),
    ),
    field(
        "allow_patterns",
        _re2_patterns("RE2 patterns: a finding that matches one entirely is never redacted."),
    ),
    field(
        "on_violation",
        string(
            default="redact",
            one_of=["block", "redact", "replace", "flag"],
            description="What an answer with findings becomes: `redact` (the redacted answer; detectors in "
            "`block` mode still refuse it), `block` (502 `Response blocked by output policy`), `replace` "
            "(`replace_message` in the same format as the answer, so the client's SDK parses it), `flag` "
            "(the answer unchanged, with `violation_header` naming the detectors, for an application that "
            "handles them itself). Counts go to the context in every case.",
        ),
    ),
    field(
        "replace_message",
        string(
            default="The response was withheld by the output policy.",
            len_max=2048,
            description="The text of a replaced answer (`on_violation: replace`).",
        ),
    ),
    field(
        "violation_header",
        header_name(
            default="X-AI-Output-Violations",
            description="Response header listing the detectors that found something (`on_violation: flag`).",
        ),
    ),
    field(
        "output_schema",
        string(
            len_max=65536,
            description="JSON Schema (draft 2020-12, as JSON text) the model's content must satisfy: the "
            "assistant text of a chat/completions/messages answer or stream, parsed as JSON; the whole "
            "document of any other JSON answer; a text answer parsed as JSON. A violation is refused with "
            "502 and a generic message; where and why go to Kong's log and `schema_valid` to the context. "
            "Same rules as ai-input-guard's `custom_schema` (RE2 patterns, local `$ref`s only).",
        ),
    ),
    field(
        "redact_request",
        boolean(
            default=False,
            description="Also redact the request body in `access`, before it leaves for the model (JSON "
            "string values, or the text of another body), with the same detectors and modes; `block` "
            "mode refuses the request (400).",
        ),
    ),
    field(
        "max_body_bytes",
        integer(
            default=8388608,
            between=[1, MAX_BODY_BYTES_LIMIT],
            description="Largest answer inspected, in bytes, before and after decoding its "
            "`Content-Encoding` (a decompression bomb stops at this bound).",
        ),
    ),
    field(
        "oversize_action",
        string(
            default="block",
            one_of=_POLICY,
            description="An answer over `max_body_bytes`: `block` (502) or `pass` (delivered unredacted, "
            "with a log line and `oversize` in the context).",
        ),
    ),
    field(
        "unreadable_action",
        string(
            default="block",
            one_of=_POLICY,
            description="An answer that cannot be read: a content coding other than gzip/deflate/br, a "
            "corrupt compressed body, text that is not UTF-8. `block` (502) or `pass` (with a log line).",
        ),
    ),
    field(
        "reencode",
        boolean(
            default=True,
            description="Send a redacted gzip/deflate answer compressed again (true) or decoded, without "
            "`Content-Encoding` (false).",
        ),
    ),
    field(
        "security_headers",
        map_(
            header_name(),
            string(len_max=1024),
            default=DEFAULT_SECURITY_HEADERS,
            len_max=50,
            description="Headers set on every answer.",
        ),
    ),
    field(
        "remove_headers",
        set_(
            header_name(),
            default=DEFAULT_REMOVE_HEADERS,
            len_max=50,
            description="Upstream headers removed from answers (they tell attackers what runs behind).",
        ),
    ),
    field(
        "response_isolation",
        boolean(
            default=True,
            description="Mark answers `Cache-Control: private, no-store` and `Vary` on `isolation_vary`, so "
            "no shared cache serves one tenant's answer to another. false: the route opts out.",
        ),
    ),
    field(
        "isolation_vary",
        set_(
            header_name(),
            default=DEFAULT_VARY,
            len_max=20,
            description="Request headers that identify the caller or tenant, added to `Vary`.",
        ),
    ),
    field(
        "tenant_header",
        header_name(
            default="X-Tenant-ID",
            description="Response header checked against the tenant ai-tenant-resolver resolved: an answer "
            "naming another tenant (or a tenant on a request without one) is refused (502).",
        ),
    ),
    field(
        "check_tenant_header",
        boolean(default=True, description="Check `tenant_header` of answers."),
    ),
    field(
        "model_header",
        header_name(
            default="X-AI-Model",
            description="Response header naming the model that answered, as the answer's body says.",
        ),
    ),
    field(
        "processing_time_header",
        header_name(
            default="X-AI-Processing-Ms",
            description="Response header with the upstream's processing time (from "
            "`processing_time_source`), in milliseconds.",
        ),
    ),
    field(
        "processing_time_source",
        header_name(
            default="openai-processing-ms",
            description="Upstream header holding its processing time in milliseconds.",
        ),
    ),
    field(
        "ai_headers",
        boolean(default=True, description="Add `model_header` and `processing_time_header`."),
    ),
]

SCHEMA = plugin_schema(
    NAME,
    [*_CONFIG_FIELDS, FAIL_CLOSED_MARK_FIELD],
    entity_checks=[
        conditional(
            "mode", {"eq": "hash"}, "hash_key", {"required": True}, then_err="mode 'hash' needs hash_key"
        ),
    ],
)
Schema = SCHEMA.schema
SCHEMA_DUMP = SCHEMA.dump
