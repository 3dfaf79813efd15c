"""Check 4: does the body have the shape of the route's API? (``400`` with where and why)

A route declares one ``format``: a built-in provider format (:mod:`.schemas`) or ``custom`` with the
operator's own JSON Schema (draft 2020-12). Either way the schema is checked *as a schema* and compiled once,
when the plugin instance starts (:func:`compile_format`); a request only runs the compiled validator.

Two things differ from a stock ``jsonschema`` validator, both because request bodies are hostile:

* ``pattern``, ``patternProperties`` and ``additionalProperties`` evaluate patterns with RE2 (linear time),
  not Python's backtracking ``re``; every pattern of a custom schema must compile with RE2, and constructs
  that would still reach ``re`` or cost quadratic time (``unevaluatedProperties`` next to
  ``patternProperties``, ``uniqueItems`` without a small ``maxItems``) and non-local ``$ref`` are refused;
* error messages are written here from the schema side only (``expected string``, ``must be <= 2``): a stock
  message quotes the offending value, which could be a megabyte of prompt.

Then :func:`extract_view` turns a valid body into the format-independent :class:`~.view.RequestView`.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators
from jsonschema.exceptions import SchemaError

from kong_plugins.ai_input_guard.linear_regex import LinearRegex, UnsupportedPattern, compile_linear
from kong_plugins.ai_input_guard.rejection import MAX_ERRORS, FieldProblem, Rejection, json_pointer
from kong_plugins.ai_input_guard.schemas import BUILTIN_SCHEMAS
from kong_plugins.ai_input_guard.view import RequestView, TextSegment

__all__ = ["FORMATS", "CompiledFormat", "InvalidSchema", "compile_format", "extract_view"]

FORMATS = ("openai-chat", "openai-completions", "openai-embeddings", "anthropic-messages", "custom")
MAX_REPORTED_ERRORS = MAX_ERRORS
MAX_UNIQUE_ITEMS = 1000  # uniqueItems costs O(n²) on unhashable items: only allowed with maxItems <= this

_PATTERNS: dict[str, LinearRegex] = {}


class InvalidSchema(ValueError):
    """A custom schema is not a usable draft 2020-12 schema (or uses what this plugin refuses)."""


def _regex(pattern: str) -> LinearRegex:
    """Patterns are checked at compile time; the cache only avoids recompiling them per request."""
    compiled = _PATTERNS.get(pattern)
    if compiled is None:
        compiled = _PATTERNS.setdefault(pattern, compile_linear(pattern))
    return compiled


def _pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and _regex(pattern).search(instance) is None:
        yield ValidationError("does not match the expected pattern")


def _pattern_properties(
    validator: Any, pattern_properties: dict[str, Any], instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in pattern_properties.items():
        regex = _regex(pattern)
        for key, value in instance.items():
            if regex.search(key) is not None:
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(
    validator: Any, additional: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    properties = schema.get("properties", {})
    patterns = [_regex(p) for p in schema.get("patternProperties", {})]
    extras = [
        key
        for key in instance
        if key not in properties and not any(regex.search(key) is not None for regex in patterns)
    ]
    if validator.is_type(additional, "object"):
        for key in extras:
            yield from validator.descend(instance[key], additional, path=key)
    elif additional is False and extras:
        # the pointer names the member (bounded when shown); the reason goes to the log and never quotes it
        yield ValidationError("unexpected property", path=[extras[0]])


_Validator = validators.extend(
    Draft202012Validator,
    {
        "pattern": _pattern,
        "patternProperties": _pattern_properties,
        "additionalProperties": _additional_properties,
    },
)


@dataclass(frozen=True)
class CompiledFormat:
    """A format ready for requests: its name and its compiled validator."""

    name: str
    validator: Any

    def check(self, document: Any) -> None:
        """Raise a 400 :class:`Rejection` listing (at most 10) schema violations of ``document``."""
        try:
            errors = list(itertools.islice(self.validator.iter_errors(document), MAX_REPORTED_ERRORS))
        except RecursionError:
            raise Rejection(
                400, "format", "too_deep", FieldProblem("", "document too deeply nested for the schema")
            ) from None
        if errors:
            problems = [FieldProblem(json_pointer(tuple(e.absolute_path)), _describe(e)) for e in errors]
            raise Rejection(400, "format", "schema", problems)


def compile_format(
    name: str, custom_schema: str | None = None, field: str = "custom_schema"
) -> CompiledFormat:
    """The validator of a built-in format, or of ``custom_schema`` (JSON text); or :class:`InvalidSchema`
    (whose message names the config ``field`` that holds the schema: ai-output-redactor's is
    ``output_schema``)."""
    if name != "custom":
        return CompiledFormat(name, _Validator(BUILTIN_SCHEMAS[name]))
    if not custom_schema:
        raise InvalidSchema("the custom format needs custom_schema")
    try:
        schema = json.loads(custom_schema)
    except (ValueError, RecursionError) as exc:
        raise InvalidSchema(f"{field} is not JSON: {exc}") from None
    if not isinstance(schema, dict | bool):
        raise InvalidSchema(f"{field} must be a JSON object (a JSON Schema)")
    try:
        _Validator.check_schema(schema)
    except SchemaError as exc:
        where = json_pointer(tuple(exc.absolute_path)) or "/"
        raise InvalidSchema(f"not a valid draft 2020-12 schema at {where}: {exc.message}") from None
    except RecursionError:
        raise InvalidSchema(f"{field} is nested too deeply") from None
    _check_custom_schema(schema)
    return CompiledFormat(name, _Validator(schema))


def _check_custom_schema(schema: Any) -> None:
    """Refuse what a request could turn into slow or unbounded work (see the module docstring)."""
    has_pattern_properties = False
    has_unevaluated_properties = False
    stack: list[tuple[Any, str]] = [(schema, "")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, list):
            stack.extend((item, f"{where}/{i}") for i, item in enumerate(node))
            continue
        if not isinstance(node, dict):
            continue
        for key in ("$ref", "$dynamicRef"):
            ref = node.get(key)
            if isinstance(ref, str) and not ref.startswith("#"):
                raise InvalidSchema(
                    f"{where or '/'}: only local references (#...) are allowed, not {ref[:100]!r}"
                )
        try:
            if isinstance(node.get("pattern"), str):
                compile_linear(node["pattern"])
            if isinstance(node.get("patternProperties"), dict):
                has_pattern_properties = True
                for pattern in node["patternProperties"]:
                    compile_linear(pattern)
        except UnsupportedPattern as exc:
            raise InvalidSchema(f"{where or '/'}: {exc}") from None
        if "unevaluatedProperties" in node:
            has_unevaluated_properties = True
        if node.get("uniqueItems") is True:
            max_items = node.get("maxItems")
            if not isinstance(max_items, int) or max_items > MAX_UNIQUE_ITEMS:
                raise InvalidSchema(f"{where or '/'}: uniqueItems needs maxItems <= {MAX_UNIQUE_ITEMS}")
        stack.extend((value, f"{where}/{key}") for key, value in node.items())
    if has_pattern_properties and has_unevaluated_properties:
        raise InvalidSchema(
            "unevaluatedProperties cannot be combined with patternProperties (use additionalProperties)"
        )


# -- error messages, from the schema side only ------------------------------------------------------------


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return json.dumps(text[:64] + ("…" if len(text) > 64 else ""), ensure_ascii=True)


def _describe(error: ValidationError) -> str:
    keyword, expected = error.validator, error.validator_value
    if keyword == "type":
        types = expected if isinstance(expected, list) else [expected]
        return "expected " + " or ".join(str(t) for t in types)
    if keyword == "required":
        missing = [
            name for name in expected if isinstance(error.instance, dict) and name not in error.instance
        ]
        return f"missing required property {_shown(missing[0] if missing else '')}"
    if keyword == "enum":
        return "must be one of: " + ", ".join(_shown(v) for v in list(expected)[:16])
    if keyword == "const":
        return f"must be {_shown(expected)}"
    messages: dict[str, Callable[[Any], str]] = {
        "minLength": lambda n: f"must be at least {n} characters long",
        "maxLength": lambda n: f"must be at most {n} characters long",
        "minItems": lambda n: f"must have at least {n} items",
        "maxItems": lambda n: f"must have at most {n} items",
        "minProperties": lambda n: f"must have at least {n} properties",
        "maxProperties": lambda n: f"must have at most {n} properties",
        "minimum": lambda n: f"must be >= {n}",
        "maximum": lambda n: f"must be <= {n}",
        "exclusiveMinimum": lambda n: f"must be > {n}",
        "exclusiveMaximum": lambda n: f"must be < {n}",
        "multipleOf": lambda n: f"must be a multiple of {n}",
    }
    if keyword in messages:
        return messages[keyword](expected)
    if keyword in ("pattern", "additionalProperties"):
        return error.message  # written by our own keyword functions, without the value
    if keyword == "uniqueItems":
        return "items must be unique"
    if keyword == "false" or expected is False:
        return "not allowed here"
    return f"does not satisfy {keyword!r}"


# -- extraction ----------------------------------------------------------------------------------------------


def extract_view(format_name: str, document: Any) -> RequestView:
    """Build the :class:`RequestView` of a body that passed ``format_name``'s schema."""
    view = RequestView(format=format_name)
    if not isinstance(document, dict):
        view.segments = _all_strings(document, "user")
        return view
    model = document.get("model")
    view.model = model if isinstance(model, str) else None
    view.stream = document.get("stream") is True
    for name in ("max_tokens", "max_completion_tokens", "max_output_tokens"):
        value = document.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
            view.budget[name] = int(value)
    view.completions = _completions(document.get("n"), document.get("best_of"))
    _EXTRACTORS[format_name](document, view)
    return view


_MAX_COMPLETIONS = 1_000_000  # published as is: the token limiter refuses more than it allows


def _completions(*values: Any) -> int | None:
    """The largest of ``n``/``best_of`` that are numbers (bounded before anyone multiplies with them)."""
    counts = [
        math.ceil(min(value, _MAX_COMPLETIONS))
        for value in values
        if isinstance(value, int | float) and not isinstance(value, bool) and value == value and value >= 1
    ]
    return max(counts) if counts else None


def _messages(document: dict[str, Any], view: RequestView) -> Iterator[tuple[int, Any, str, str, Any]]:
    """Walk ``messages`` (both chat formats): count them, record roles and string contents, and yield
    ``(index, message, role, content_path, content)`` with ``content`` None once it has been recorded."""
    messages = document.get("messages") or []
    view.message_count = len(messages)
    for index, message in enumerate(messages):
        role = str(message.get("role"))
        view.roles.append((f"/messages/{index}", role))
        name = message.get("name")  # OpenAI's participant name: the model reads it with the message
        if isinstance(name, str):
            view.segments.append(TextSegment(f"/messages/{index}/name", role, name, index))
        content = message.get("content")
        base = f"/messages/{index}/content"
        if isinstance(content, str):
            view.segments.append(TextSegment(base, role, content, index))
            content = None
        yield index, message, role, base, content


def _openai_chat(document: dict[str, Any], view: RequestView) -> None:
    for index, message, role, base, content in _messages(document, view):
        if isinstance(content, list):
            for part_index, part in enumerate(content):
                _block_texts(part, f"{base}/{part_index}", role, index, view)
        refusal = message.get("refusal")
        if isinstance(refusal, str):
            view.segments.append(TextSegment(f"/messages/{index}/refusal", role, refusal, index))
        for call_index, call in enumerate(message.get("tool_calls") or []):
            arguments = (call.get("function") or {}).get("arguments")
            if isinstance(arguments, str):
                path = f"/messages/{index}/tool_calls/{call_index}/function/arguments"
                view.segments.append(TextSegment(path, role, arguments, index))
        legacy_call = message.get("function_call")
        if isinstance(legacy_call, dict) and isinstance(legacy_call.get("arguments"), str):
            path = f"/messages/{index}/function_call/arguments"
            view.segments.append(TextSegment(path, role, legacy_call["arguments"], index))
    tools = document.get("tools") or []
    for tool in tools:
        function = tool.get("function") or tool.get("custom") or {}  # custom tools: {"custom": {"name"}}
        if isinstance(function.get("name"), str):
            view.tool_names.append(function["name"])
    view.segments.extend(_tool_definition_texts(tools, "/tools"))
    # the deprecated `functions` parameter still offers functions to the model: their names are tools too,
    # their descriptions and parameters text it reads, and their definitions cost tokens
    functions = document.get("functions")
    functions = functions if isinstance(functions, list) else []
    for function in functions:
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            view.tool_names.append(function["name"])
    view.segments.extend(_tool_definition_texts(functions, "/functions"))
    offered = [*tools, *functions]
    view.tools_json = _canonical(offered) if offered else ""


def _prompts(document: dict[str, Any], view: RequestView, key: str) -> None:
    value = document.get(key)
    items = [value] if isinstance(value, str) or _is_token_array(value) else (value or [])
    for index, item in enumerate(items):
        path = f"/{key}" if items is not value else f"/{key}/{index}"
        if isinstance(item, str):
            view.segments.append(TextSegment(path, "user", item, index))
        elif _is_token_array(item):
            view.token_arrays.append(len(item))
    view.message_count = len(items)


def _openai_completions(document: dict[str, Any], view: RequestView) -> None:
    _prompts(document, view, "prompt")
    suffix = document.get("suffix")
    if isinstance(suffix, str):
        view.segments.append(TextSegment("/suffix", "user", suffix))


def _openai_embeddings(document: dict[str, Any], view: RequestView) -> None:
    _prompts(document, view, "input")
    view.separate_inputs = True


def _anthropic_messages(document: dict[str, Any], view: RequestView) -> None:
    system = document.get("system")
    if system is not None:
        view.roles.append(("/system", "system"))
    if isinstance(system, str):
        view.segments.append(TextSegment("/system", "system", system))
    elif isinstance(system, list):
        for index, block in enumerate(system):
            if isinstance(block, dict) and isinstance(block.get("text"), str):
                view.segments.append(TextSegment(f"/system/{index}/text", "system", block["text"]))
    for index, _, role, base, content in _messages(document, view):
        for block_index, block in enumerate(content or []):
            _block_texts(block, f"{base}/{block_index}", role, index, view)
    tools = document.get("tools") or []
    for tool in tools:
        if isinstance(tool.get("name"), str):
            view.tool_names.append(tool["name"])
    view.segments.extend(_tool_definition_texts(tools, "/tools"))
    view.tools_json = _canonical(tools) if tools else ""


def _tool_definition_texts(tools: list[Any], base: str) -> list[TextSegment]:
    """Every text of the tool definitions offered to the model, as role ``tool_definition``: not only each
    tool's ``description`` but its parameters' descriptions, titles, enum values and defaults, and the
    property names, all of which the model reads as the tool's documentation (the ``type`` keywords
    excepted). Document order, one segment per string."""
    found: list[TextSegment] = []
    for index, tool in enumerate(tools):
        for segment in _all_strings(tool, "tool_definition", keys=True):
            if segment.path.endswith("/type") or segment.path == "/type":
                continue
            found.append(TextSegment(f"{base}/{index}{segment.path}", segment.role, segment.text))
    return found


#: Keys of content blocks/parts that hold no text the model reads as language: identifiers, media types,
#: signatures, cache hints, URLs the provider fetches, encrypted blobs. Everything else that is a string is
#: text the model reads, in every block type, including ones this module has never heard of.
_NON_TEXT_KEYS = frozenset(
    {
        "type",
        "id",
        "tool_use_id",
        "tool_call_id",
        "media_type",
        "mime_type",
        "signature",
        "format",
        "detail",
        "file_id",
        "cache_control",
        "url",
        "encrypted_content",
        "encrypted_index",
        "file_data",
    }
)
#: Block types whose content came from tools or retrieval, not from the caller: scanned as role ``tool``
#: (any type ending in ``_result`` too, e.g. ``web_search_tool_result``, ``mcp_tool_result``).
_RETRIEVED_BLOCKS = frozenset({"tool_result", "document", "search_result"})
#: Block types that carry binary data (base64) in ``data``, never text.
_BINARY_BLOCKS = frozenset({"base64", "input_audio", "redacted_thinking", "image"})


def _block_role(kind: Any, role: str) -> str:
    if isinstance(kind, str) and (kind in _RETRIEVED_BLOCKS or kind.endswith("_result")):
        return "tool"
    return role


def _block_texts(block: Any, path: str, role: str, message: int, view: RequestView) -> None:
    """Every text-bearing field of a content block or part, of any type, at any depth (iteratively).

    Known and unknown block types alike: Anthropic ``text``, ``document`` (a ``text`` or ``content``
    source, its ``title`` and ``context``), ``search_result`` (``title``, ``source``, ``content``),
    ``tool_result`` (a string or a list of any blocks), ``tool_use``/``server_tool_use`` ``input`` (as
    canonical JSON), ``thinking``; OpenAI ``text``, ``refusal``, ``file`` names... Blocks inside retrieved
    content keep role ``tool``. Binary payloads (base64 images, PDFs, audio) and the keys in
    :data:`_NON_TEXT_KEYS` are skipped; images are counted.
    """
    stack: list[tuple[Any, str, str, bool]] = [(block, path, role, False)]
    while stack:
        value, where, owner, binary = stack.pop()
        if isinstance(value, str):
            view.segments.append(TextSegment(where, owner, value, message))
            continue
        if isinstance(value, list):
            stack.extend((value[i], f"{where}/{i}", owner, binary) for i in range(len(value) - 1, -1, -1))
            continue
        if not isinstance(value, dict):
            continue
        kind = value.get("type")
        if kind in ("image", "image_url", "input_image"):
            view.images += 1
        owner = _block_role(kind, owner)
        binary_data = kind in _BINARY_BLOCKS
        children: list[tuple[Any, str, str, bool]] = []
        for key, item in value.items():
            if not isinstance(key, str) or key in _NON_TEXT_KEYS:
                continue
            if key == "data" and binary_data:
                continue
            if key == "image_url" or (key == "source" and kind == "image"):
                continue
            pointer = f"{where}/{key.replace('~', '~0').replace('/', '~1')}"
            if key == "input" and isinstance(item, dict):
                view.segments.append(TextSegment(pointer, owner, _canonical(item), message))
                continue
            children.append((item, pointer, owner, binary_data))
        stack.extend(reversed(children))


def _custom(document: dict[str, Any], view: RequestView) -> None:
    messages = document.get("messages")
    view.message_count = len(messages) if isinstance(messages, list) else 0
    view.segments = _all_strings(document, "user")


def _all_strings(document: Any, role: str, *, keys: bool = False) -> list[TextSegment]:
    """Every string value of a document with its pointer, in document order (iteratively); with ``keys``
    the names of the properties inside a ``properties`` object too (a JSON Schema's parameter names)."""
    found: list[TextSegment] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(document, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            found.append(TextSegment(json_pointer(path), role, value))
        elif isinstance(value, dict):
            if keys and path and path[-1] == "properties":
                found.extend(TextSegment(json_pointer(path), role, str(k)) for k in value)
            stack.extend((v, (*path, k)) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((value[i], (*path, i)) for i in range(len(value) - 1, -1, -1))
    return found


def _is_token_array(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


_EXTRACTORS: dict[str, Callable[[dict[str, Any], RequestView], None]] = {
    "openai-chat": _openai_chat,
    "openai-completions": _openai_completions,
    "openai-embeddings": _openai_embeddings,
    "anthropic-messages": _anthropic_messages,
    "custom": _custom,
}
