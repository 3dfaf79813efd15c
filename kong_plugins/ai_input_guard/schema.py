"""The ``ai-input-guard`` configuration in Kong's schema shape (the plugin's name is declared here, once).

Kong validates these fields itself (types, defaults, ranges, ``one_of``, the entity check below, and
``match_none`` Lua patterns that spot the RE2-rejected constructs in ``deny_patterns``/``allow_patterns``).
What a schema cannot say - that patterns are otherwise valid RE2 (balanced, bounded repetitions...), that
``custom_schema`` is a draft 2020-12 JSON Schema this plugin can run safely - is checked by
``settings.build_settings`` when the plugin instance starts (and by ``kong-ai validate``), with errors in the
same ``config.<field>`` shape.
"""

from __future__ import annotations

from kong_plugins.ai_input_guard.classifier import DEFAULT_THRESHOLD
from kong_plugins.ai_input_guard.formats import FORMATS
from kong_plugins.ai_input_guard.injection_rules import CATEGORIES
from kong_plugins.ai_input_guard.ood import KNOWN_SCRIPTS
from kong_plugins.ai_input_guard.view import SEGMENT_ROLES
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

NAME = "ai-input-guard"

MAX_BODY_BYTES_LIMIT = 64 * 1024 * 1024
MAX_PATTERNS = 100
MAX_PATTERN_LENGTH = 1000
MAX_CUSTOM_SCHEMA_LENGTH = 65536
_MODES = ["off", "log", "block"]
_MEDIA_TYPE = "^[%w!#$&^_.+-]+/[%w!#$&^_.+-]+$"  # Lua pattern: type/subtype, no parameters
_TOKENS = {"between": [1, 100_000_000]}


def _patterns(description: str) -> dict:
    """RE2 patterns; Kong itself refuses the constructs RE2 rejects that a Lua pattern can spot."""
    return array(
        string(len_max=MAX_PATTERN_LENGTH, match_none=RE2_UNSUPPORTED),
        default=[],
        len_max=MAX_PATTERNS,
        description=description,
    )


_CLASSIFIER = record(
    [
        field(
            "mode",
            string(
                default="block",
                one_of=["off", "shadow", "block"],
                description="The shipped classifier (hashed n-grams, linear), run only where the rules "
                "scored from `uncertain_from` up to below the rules' `threshold`. `block` (the default "
                "since classifier version 6): its verdict counts like a rule's (refused in "
                "`injection.mode: block`, logged in `log`); `shadow`: its verdict is only recorded "
                "(finding action `shadow`, tier `classifier`); `off`: never run.",
            ),
        ),
        field(
            "threshold",
            number(
                default=DEFAULT_THRESHOLD,
                between=[0, 1],
                description="Probability (0-1) from which the classifier's verdict on a text of one window "
                "(up to 256 characters) is an injection; a longer text, scored as its worst window, must "
                "reach a higher bar (log-odds + 0.32: 0.91 for the default). Defaults chosen on the "
                "project's dev data: at most 3% false positives on hard negatives as written, inside prose "
                "and on short prompts, and at most 2% on chunks of ordinary code and license text.",
            ),
        ),
        field(
            "uncertain_from",
            number(
                default=0.0,
                between=[0, 1],
                description="Lowest rules score for which the classifier runs (0: every request the rules "
                "did not decide; raise it so requests no rule noticed pay for the rules alone).",
            ),
        ),
    ],
    description="The second tier of the injection detector.",
)

_ENABLED = {"one_of": ["shadow", "block"]}
_FAIL_MODE_TEXT = (
    "`open`: report the failure (finding category `unverified`, action `log`) and go on without this tier; "
    "`closed`: treat the request as an injection it could not verify (`503` in `injection.mode: block`)."
)


def _tier_mode(tier: str) -> dict:
    return string(
        default="off",
        one_of=["off", "shadow", "block"],
        description=f"`block`: the {tier}'s injection verdict counts like a rule's (refused in "
        "`injection.mode: block`, logged in `log`); `shadow`: its verdict is only recorded (finding "
        "action `shadow`) and the cascade goes on as if it had not run; `off`: never run.",
    )


def _uncertain_from(previous: str) -> dict:
    return number(
        default=0.0,
        between=[0, 1],
        description=f"Lowest score of the tier before it ({previous}) for which this tier runs; it runs "
        "only below that tier's threshold (there, the earlier tier decided). Must be below it (checked "
        "when the instance starts). 0: every request the earlier tiers did not decide.",
    )


_MODEL = record(
    [
        field("mode", _tier_mode("model")),
        field(
            "path",
            string(
                len_max=4096,
                description="The ONNX model file (a sequence classifier: inputs `input_ids` and optionally "
                "`attention_mask`/`token_type_ids`, first output `[batch, labels]`). Loaded once per "
                "process and checked with one run when the instance starts. Needs the `[model]` extra.",
            ),
        ),
        field(
            "tokenizer_path",
            string(len_max=4096, description="The model's Hugging Face `tokenizer.json` (`tokenizers`)."),
        ),
        field(
            "injection_labels",
            array(
                integer(between=[0, 1023]),
                default=[1],
                len_min=1,
                len_max=16,
                description="Output indexes that mean injection; the score is the sum of their "
                "probabilities (Prompt Guard 2: `[1]`; Prompt Guard 1: `[1, 2]`).",
            ),
        ),
        field(
            "softmax",
            boolean(
                default=True,
                description="The output is logits (softmax applied here); false: already probabilities.",
            ),
        ),
        field(
            "threshold",
            number(
                default=0.5,
                between=[0, 1],
                description="Score from which the model's verdict is an injection.",
            ),
        ),
        field("uncertain_from", _uncertain_from("the classifier in `block` mode, else the rules")),
        field(
            "max_tokens",
            integer(
                default=512,
                between=[64, 8192],
                description="Tokens per window (the model's context, special tokens included). Longer "
                "texts are cut into windows overlapping by 32 tokens.",
            ),
        ),
        field(
            "max_windows",
            integer(
                default=4,
                between=[1, 64],
                description="Windows run per text: the first `max_windows - 1` and the last; the text "
                "scores as its worst window. Windows left out (and text past 64 Ki characters per text or "
                "256 Ki per request) are unread: unless what was read is flagged, `fail_mode` decides.",
            ),
        ),
        field(
            "time_budget_ms",
            integer(
                default=200,
                between=[1, 60000],
                description="Time per request, checked before each window's run (one started finishes). "
                "Spent before all ran: `fail_mode` decides.",
            ),
        ),
        field(
            "fail_mode",
            string(
                default="open",
                one_of=["open", "closed"],
                description="Time budget spent, or text left unread (`max_windows`): " + _FAIL_MODE_TEXT,
            ),
        ),
    ],
    entity_checks=[
        conditional("mode", _ENABLED, "path", {"required": True}),
        conditional("mode", _ENABLED, "tokenizer_path", {"required": True}),
    ],
    description="The third tier: an operator-provided ONNX text classifier (e.g. Prompt Guard 2), run where "
    "the earlier tiers are uncertain. See docs/operator-model.md.",
)

_GUARDRAIL = record(
    [
        field("mode", _tier_mode("guardrail service")),
        field(
            "url",
            string(
                len_max=2048,
                match_all=[
                    ("^https?://", "the url must start with http:// or https://"),
                    ("^https?://[^/%?#@]", "missing host in url"),
                ],
                description="The service's endpoint (`generic`: your URL; `llm-guard`: "
                "`http://host:8000/analyze/prompt`). Requests carry the texts: use a service you trust.",
            ),
        ),
        field(
            "adapter",
            string(
                default="generic",
                one_of=["generic", "llm-guard"],
                description="Wire format: `generic` (docs/guardrail-service.md) or LLM Guard's API "
                "(`POST /analyze/prompt`, `is_valid: false` is an injection).",
            ),
        ),
        field("uncertain_from", _uncertain_from("the model, classifier or rules, the last in `block` mode")),
        field(
            "timeout_ms",
            integer(
                default=500,
                between=[1, 60000],
                description="Whole-call deadline (connect, send, answer). Exceeded: `fail_mode` decides.",
            ),
        ),
        field(
            "fail_mode",
            string(
                default="open",
                one_of=["open", "closed"],
                description="Timeout, transport error, non-2xx status, answer over 256 KiB or of the wrong "
                "shape, texts over 256 Ki characters (the rest is not sent) none of which is flagged: "
                + _FAIL_MODE_TEXT,
            ),
        ),
        field(
            "cache_size",
            integer(
                default=10000,
                between=[0, 1000000],
                description="Verdicts cached per plugin instance (LRU, keyed by a SHA-256 of adapter, url, "
                "role, text and, for `generic`, the tenant; failures are never cached). 0: no cache.",
            ),
        ),
        field(
            "cache_ttl",
            integer(default=300, between=[1, 86400], description="Seconds a cached verdict is used."),
        ),
        field(
            "api_key",
            string(
                len_max=4096,
                referenceable=True,
                encrypted=True,
                description="Sent in `api_key_header` (as `Bearer <key>` in `Authorization`). Never logged.",
            ),
        ),
        field(
            "api_key_header",
            header_name(default="Authorization", description="Header carrying `api_key`."),
        ),
    ],
    entity_checks=[conditional("mode", _ENABLED, "url", {"required": True})],
    description="The fourth tier: an external guardrail service asked over HTTP where the earlier tiers are "
    "uncertain. See docs/guardrail-service.md.",
)

_INJECTION = record(
    [
        field(
            "mode",
            string(
                default="block",
                one_of=[*_MODES, "shadow"],
                description="`block`: refuse requests scoring at or above `threshold` (400 naming the "
                "category, never the matched text); `log`: let them through and record a finding for the "
                "audit log; `shadow`: let them through and record what would have been blocked (finding "
                "action `shadow`, with the tier that decided); `off`: do not run the detector.",
            ),
        ),
        field(
            "threshold",
            number(
                default=0.5,
                between=[0, 1],
                description="Score (0-1) from which a request counts as an injection attempt. One clear "
                "attack phrase scores 0.75-0.9; weaker signals need company to reach 0.5.",
            ),
        ),
        field(
            "categories",
            set_(
                string(one_of=list(CATEGORIES)),
                default=list(CATEGORIES),
                description="Signal categories the detector uses (all by default).",
            ),
        ),
        field(
            "roles",
            set_(
                string(one_of=list(SEGMENT_ROLES)),
                default=["user", "tool", "function"],
                len_min=1,
                description="Roles whose texts are scanned: by default what the caller and the tools wrote "
                "(`tool` also covers Anthropic tool results and documents), not the application's system "
                "prompt. `tool_definition` scans the descriptions of the tools offered to the model.",
            ),
        ),
        field("classifier", _CLASSIFIER),
        field("model", _MODEL),
        field("guardrail", _GUARDRAIL),
    ],
    description="The prompt-injection detector, a cascade cheapest first: rules, then the shipped classifier "
    "the operator's model and the guardrail service, each only where the tiers before it are uncertain.",
)

_OOD = record(
    [
        field(
            "mode",
            string(
                default="log",
                one_of=_MODES,
                description="`block`: refuse inputs whose out-of-distribution score reaches `threshold` "
                "(400); `log`: record a finding; `off`: do not measure.",
            ),
        ),
        field(
            "threshold",
            number(default=0.8, between=[0, 1], description="Score (0-1) from which an input is reported."),
        ),
        field(
            "expected_scripts",
            set_(
                string(one_of=list(KNOWN_SCRIPTS)),
                default=[],
                len_max=32,
                description="Writing systems this route expects, as the detector names them (Unicode script "
                "names, capitalized: `Latin`, `Cyrillic`, `Greek`, `Arabic`, `Hebrew`, `Han`, `Hiragana`, "
                "`Katakana`, `Hangul`, `Devanagari`...; any other name is refused). Empty: any, but more "
                "than three at once count as unusual.",
            ),
        ),
        field(
            "roles",
            set_(
                string(one_of=list(SEGMENT_ROLES)),
                default=["user"],
                len_min=1,
                description="Roles whose texts are measured.",
            ),
        ),
    ],
    description="The out-of-distribution signal: symbol/control character share, script mix, repetition.",
)

_CONFIG_FIELDS = [
    field(
        "allowed_content_types",
        set_(
            string(match=_MEDIA_TYPE, len_max=255),
            default=["application/json"],
            len_min=1,
            description="Media types (`type/subtype`, case-insensitive) a request body may have (415 "
            "otherwise). `application/json` also admits `application/*+json`; a `charset` other than UTF-8 "
            "on a JSON type is refused.",
        ),
    ),
    field(
        "body_required",
        boolean(
            default=True,
            description="Refuse requests without a body (400). When false, such requests pass with only the "
            "format published.",
        ),
    ),
    field(
        "max_body_bytes",
        integer(
            default=1048576,
            between=[1, MAX_BODY_BYTES_LIMIT],
            description="Largest request body, in bytes (413). Checked on `Content-Length` before the body "
            "is read, then on the body. Keep Kong's `nginx_http_client_body_buffer_size` at least this "
            "large so that bodies stay in memory.",
        ),
    ),
    field(
        "max_depth",
        integer(
            default=32, between=[1, 128], description="Deepest nesting of JSON objects and arrays (400)."
        ),
    ),
    field(
        "max_string_length",
        integer(
            default=524288,
            between=[1, MAX_BODY_BYTES_LIMIT],
            description="Longest JSON string (object keys included), in characters (400). Inline base64 "
            "images are strings too.",
        ),
    ),
    field(
        "max_array_length",
        integer(default=10000, between=[1, 1000000], description="Most items in one JSON array (400)."),
    ),
    field(
        "format",
        string(
            default="openai-chat",
            one_of=list(FORMATS),
            description="API the route serves: `openai-chat` (/v1/chat/completions), `openai-completions`, "
            "`openai-embeddings`, `anthropic-messages` (/v1/messages), or `custom` (`custom_schema`). "
            "Bodies that do not fit are refused (400, with where and why).",
        ),
    ),
    field(
        "custom_schema",
        string(
            len_max=MAX_CUSTOM_SCHEMA_LENGTH,
            description="For `format: custom`: a JSON Schema (draft 2020-12), as JSON text. Checked when the "
            "plugin instance starts. Patterns must be RE2; only local `$ref`s; `uniqueItems` needs "
            "`maxItems` <= 1000.",
        ),
    ),
    field(
        "allowed_models",
        array(
            string(len_max=256),
            default=[],
            len_max=1000,
            description="Models this route serves: exact ids, or prefixes ending in `*` (`gpt-4o*`). Empty: "
            "any model (403 otherwise).",
        ),
    ),
    field(
        "tenant_models",
        boolean(
            default=True,
            description="Also enforce the tenant's `allowed_models` published by ai-tenant-resolver (403). "
            "Costs one PDK round trip per request with a body: the tenant's facts are read from "
            "`kong.ctx.shared`, never inferred from request headers.",
        ),
    ),
    field(
        "context_windows",
        map_(
            string(len_max=256),
            integer(**_TOKENS),
            len_max=1000,
            description="Context window (prompt + completion tokens) per model id prefix, added to and "
            "overriding the built-in table (`gpt-4o`: 128000, `claude-`: 200000 ...). The longest matching "
            "prefix applies.",
        ),
    ),
    field(
        "default_context_window",
        integer(
            description="Context window for models no prefix matches. Unset: such models are not checked.",
            **_TOKENS,
        ),
    ),
    field(
        "max_tokens_ceiling",
        integer(
            description="Largest `max_tokens`/`max_completion_tokens` a request may ask for on this route. "
            "A request that sets none gets `max_tokens` at the ceiling (the body is re-serialized: leaving "
            "it out must not let the model generate more); a `custom`-format request must set "
            "`max_tokens`, `max_completion_tokens` or `max_output_tokens` (400 otherwise).",
            **_TOKENS,
        ),
    ),
    field(
        "max_tokens_action",
        string(
            default="reject",
            one_of=["reject", "clamp"],
            description="Above `max_tokens_ceiling`: `reject` (400) or `clamp` (the upstream receives the "
            "ceiling; the body is re-serialized).",
        ),
    ),
    field(
        "allowed_roles",
        set_(
            string(one_of=list(SEGMENT_ROLES)),
            default=[],
            description="Message roles accepted (400 otherwise), e.g. without `system` to refuse "
            "client-supplied system prompts. Empty: every role of the format.",
        ),
    ),
    field(
        "max_message_chars",
        integer(
            between=[1, MAX_BODY_BYTES_LIMIT], description="Most characters of text in one message (400)."
        ),
    ),
    field(
        "max_total_chars",
        integer(between=[1, MAX_BODY_BYTES_LIMIT], description="Most characters of text in a request (400)."),
    ),
    field(
        "deny_patterns",
        _patterns(
            "RE2 patterns (linear time; `(?i)` for case-insensitive): a checked text matching any of them "
            "is refused (400). RE2 has no look-arounds, back-references, possessive quantifiers or atomic "
            "groups."
        ),
    ),
    field(
        "allow_patterns",
        _patterns("RE2 patterns: when set, every checked text must match at least one (400 otherwise)."),
    ),
    field(
        "match_all_roles",
        boolean(
            default=False,
            description="Apply `deny_patterns`/`allow_patterns` to every role's texts, not only `user` ones.",
        ),
    ),
    field("injection", _INJECTION),
    field("ood", _OOD),
]

SCHEMA = plugin_schema(
    NAME,
    [*_CONFIG_FIELDS, FAIL_CLOSED_MARK_FIELD],
    entity_checks=[
        conditional(
            "format",
            {"eq": "custom"},
            "custom_schema",
            {"required": True},
            then_err="format 'custom' needs custom_schema",
        ),
    ],
)
Schema = SCHEMA.schema
SCHEMA_DUMP = SCHEMA.dump
