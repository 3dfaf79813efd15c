"""Check 4: built-in formats, custom schemas (checked once, patterns on RE2), and what views extract."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from kong_plugins.ai_input_guard.formats import InvalidSchema, compile_format, extract_view
from kong_plugins.ai_input_guard.rejection import Rejection

CHAT = {
    "model": "gpt-4o-2024-08-06",
    "messages": [
        {"role": "system", "content": "You are terse."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in this image?"},
                {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "look", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "a cat"},
    ],
    "max_completion_tokens": 300,
    "stream": True,
    "tools": [
        {
            "type": "function",
            "function": {"name": "look", "description": "Look at things", "parameters": {"type": "object"}},
        }
    ],
}
COMPLETIONS = {"model": "gpt-3.5-turbo-instruct", "prompt": ["Say hi", [1, 2, 3]], "max_tokens": 5}
EMBEDDINGS = {"model": "text-embedding-3-small", "input": ["first text", "second text", [5, 6]]}
ANTHROPIC = {
    "model": "claude-3-5-sonnet-20241022",
    "max_tokens": 1024,
    "system": [{"type": "text", "text": "Be kind."}],
    "messages": [
        {"role": "user", "content": "Hello"},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t1", "name": "search", "input": {"q": "x"}}],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "t1", "content": [{"type": "text", "text": "result"}]}
            ],
        },
    ],
    "tools": [{"name": "search", "description": "Search the web", "input_schema": {"type": "object"}}],
}


def errors_of(format_name: str, document: Any) -> list[tuple[str, str]]:
    with pytest.raises(Rejection) as raised:
        compile_format(format_name).check(document)
    assert raised.value.status == 400
    return [(p.path, p.error) for p in raised.value.problems]


@pytest.mark.parametrize(
    ("name", "document"),
    [
        ("openai-chat", CHAT),
        ("openai-completions", COMPLETIONS),
        ("openai-embeddings", EMBEDDINGS),
        ("anthropic-messages", ANTHROPIC),
    ],
)
def test_valid_requests_of_each_format_pass(name: str, document: dict[str, Any]) -> None:
    compile_format(name).check(document)


def test_chat_errors_say_where_and_why_without_quoting_values() -> None:
    secret = "s3cr3t " * 100
    document = {
        "model": "gpt 4o",
        "messages": [{"role": "hacker", "content": secret}, {"content": "no role"}],
        "temperature": 7,
        "max_tokens": 0,
    }
    errors = errors_of("openai-chat", document)
    assert ("/model", "does not match the expected pattern") in errors
    assert ("/temperature", "must be <= 2") in errors
    assert ("/max_tokens", "must be >= 1") in errors
    assert ("/messages/1", 'missing required property "role"') in errors
    assert any(path == "/messages/0/role" and error.startswith("must be one of:") for path, error in errors)
    assert "s3cr3t" not in json.dumps(errors)


@pytest.mark.parametrize(
    ("name", "document", "expected"),
    [
        ("openai-chat", [], ("", "expected object")),
        ("openai-chat", {"model": "m"}, ("", 'missing required property "messages"')),
        ("openai-chat", {"model": "m", "messages": []}, ("/messages", "must have at least 1 items")),
        (
            "openai-chat",
            {"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url"}]}]},
            ("/messages/0/content/0", 'missing required property "image_url"'),
        ),
        ("openai-completions", {"model": "m", "prompt": 5}, ("/prompt", "expected string or array")),
        ("openai-embeddings", {"model": "m", "input": []}, ("/input", "must have at least 1 items")),
        (
            "openai-embeddings",
            {"model": "m", "input": "x", "encoding_format": "hex"},
            ("/encoding_format", 'must be one of: "float", "base64"'),
        ),
        (
            "anthropic-messages",
            {"model": "m", "messages": [{"role": "user", "content": "x"}]},
            ("", 'missing required property "max_tokens"'),
        ),
        (
            "anthropic-messages",
            {"model": "m", "max_tokens": 5, "messages": [{"role": "system", "content": "x"}]},
            ("/messages/0/role", 'must be one of: "user", "assistant"'),
        ),
        (
            "anthropic-messages",
            {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": [{"type": "text"}]}]},
            ("/messages/0/content/0", 'missing required property "text"'),
        ),
    ],
)
def test_each_format_names_the_violation(name: str, document: Any, expected: tuple[str, str]) -> None:
    assert expected in errors_of(name, document)


def test_at_most_ten_errors_are_reported() -> None:
    document = {"model": "m", "messages": [{"role": "nobody", "content": 1}] * 50}
    assert len(errors_of("openai-chat", document)) == 10


def test_views_extract_the_same_facts_from_every_format() -> None:
    chat = extract_view("openai-chat", CHAT)
    assert (chat.model, chat.stream, chat.max_tokens, chat.message_count, chat.images) == (
        "gpt-4o-2024-08-06",
        True,
        300,
        4,
        1,
    )
    assert chat.tool_names == ["look"]
    assert [(s.path, s.role) for s in chat.segments] == [
        ("/messages/0/content", "system"),
        ("/messages/1/content/0/text", "user"),
        ("/messages/2/tool_calls/0/function/arguments", "assistant"),
        ("/messages/3/content", "tool"),
        ("/tools/0/function/name", "tool_definition"),  # every text of a definition: the model reads it
        ("/tools/0/function/description", "tool_definition"),
    ]
    completions = extract_view("openai-completions", COMPLETIONS)
    assert [s.path for s in completions.segments] == ["/prompt/0"]
    assert completions.token_arrays == [3]
    embeddings = extract_view("openai-embeddings", EMBEDDINGS)
    assert embeddings.separate_inputs and embeddings.max_tokens is None
    anthropic = extract_view("anthropic-messages", ANTHROPIC)
    assert anthropic.max_tokens == 1024 and anthropic.tool_names == ["search"]
    assert ("/system", "system") in anthropic.roles
    assert ("/messages/2/content/0/content/0/text", "tool") in [(s.path, s.role) for s in anthropic.segments]


def test_custom_schemas_are_compiled_and_run_on_re2() -> None:
    schema = {
        "type": "object",
        "required": ["question"],
        "properties": {"question": {"type": "string", "pattern": "^(a+)+$"}},
        "patternProperties": {"^x-(a+)+$": {"type": "integer"}},
        "additionalProperties": False,
    }
    custom = compile_format("custom", json.dumps(schema))
    custom.check({"question": "aaa", "x-aaa": 1})
    evil = "a" * 50_000 + "!"
    started = time.monotonic()
    with pytest.raises(Rejection) as raised:
        custom.check({"question": evil, "x-" + evil: "no", "other": 1})
    assert time.monotonic() - started < 1.0  # Python's re would take forever on (a+)+$
    problems = {(p.path, p.error) for p in raised.value.problems}
    assert ("/question", "does not match the expected pattern") in problems
    assert ("/x-" + evil, "unexpected property") in problems  # the key: in the pointer only (bounded)
    view = extract_view("custom", {"question": "hello", "nested": [{"text": "world"}]})
    assert [(s.path, s.text) for s in view.segments] == [("/question", "hello"), ("/nested/0/text", "world")]


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ("{oops", "not JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"type": "strang"}', "not a valid draft 2020-12 schema"),
        ('{"$ref": "https://example.com/schema.json"}', "only local references"),
        ('{"properties": {"a": {"pattern": "(?<=x)y"}}}', "not a linear-time (RE2) pattern"),
        ('{"patternProperties": {"(a)\\\\1": {}}}', "not a linear-time (RE2) pattern"),
        ('{"type": "array", "uniqueItems": true}', "uniqueItems needs maxItems"),
        ('{"patternProperties": {"^a": {}}, "unevaluatedProperties": false}', "unevaluatedProperties cannot"),
    ],
)
def test_unusable_custom_schemas_are_refused_at_compile_time(schema: str, message: str) -> None:
    with pytest.raises(InvalidSchema, match=message.replace("(", r"\(").replace(")", r"\)")):
        compile_format("custom", schema)
