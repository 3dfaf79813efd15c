"""The built-in request formats as JSON Schemas (draft 2020-12), one per provider API.

They describe what the providers document and what this gateway relies on: the fields the guard reads
(``model``, ``messages``, roles, contents, ``max_tokens``, ``stream``, ``tools``) are strict; sampling knobs
are range-checked; fields the guard does not know are let through (providers add parameters often, and the
provider rejects what it does not support). Patterns here run on RE2, like every pattern in the plugin.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BUILTIN_SCHEMAS", "MODEL_NAME_PATTERN"]

#: Model ids as providers write them: ``gpt-4o-2024-08-06``, ``ft:gpt-4o-mini:acme::abc``,
#: ``anthropic.claude-3-5-sonnet-20240620-v1:0``, ``meta-llama/Llama-3.1-8B``.
MODEL_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/@+\-]{0,255}$"

_MODEL: dict[str, Any] = {"type": "string", "pattern": MODEL_NAME_PATTERN}
_PROBABILITY = {"type": "number", "minimum": 0, "maximum": 1}
_PENALTY = {"type": "number", "minimum": -2, "maximum": 2}
_TOOL_NAME = {"type": "string", "pattern": r"^[A-Za-z0-9_\-]{1,64}$"}
_OBJECT = {"type": "object"}


def _when(type_name: str, then: dict[str, Any]) -> dict[str, Any]:
    return {"if": {"properties": {"type": {"const": type_name}}, "required": ["type"]}, "then": then}


_OPENAI_PART = {
    "type": "object",
    "required": ["type"],
    "properties": {"type": {"type": "string", "maxLength": 64}},
    "allOf": [
        _when("text", {"required": ["text"], "properties": {"text": {"type": "string"}}}),
        _when(
            "image_url",
            {
                "required": ["image_url"],
                "properties": {
                    "image_url": {
                        "type": "object",
                        "required": ["url"],
                        "properties": {
                            "url": {"type": "string"},
                            "detail": {"enum": ["auto", "low", "high"]},
                        },
                    }
                },
            },
        ),
    ],
}

_OPENAI_TOOL_CALL = {
    "type": "object",
    "required": ["id", "type", "function"],
    "properties": {
        "id": {"type": "string", "maxLength": 256},
        "type": {"const": "function"},
        "function": {
            "type": "object",
            "required": ["name", "arguments"],
            "properties": {"name": _TOOL_NAME, "arguments": {"type": "string"}},
        },
    },
}

_OPENAI_MESSAGE = {
    "type": "object",
    "required": ["role"],
    "properties": {
        "role": {"enum": ["system", "developer", "user", "assistant", "tool", "function"]},
        "content": {"type": ["string", "array", "null"], "items": _OPENAI_PART},
        "name": {"type": "string", "maxLength": 64},
        "tool_call_id": {"type": "string", "maxLength": 256},
        "tool_calls": {"type": "array", "maxItems": 128, "items": _OPENAI_TOOL_CALL},
    },
}

_OPENAI_TOOL = {
    "type": "object",
    "required": ["type", "function"],
    "properties": {
        "type": {"const": "function"},
        "function": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": _TOOL_NAME,
                "description": {"type": "string"},
                "parameters": _OBJECT,
                "strict": {"type": ["boolean", "null"]},
            },
        },
    },
}

_COMMON_OPENAI = {
    "model": _MODEL,
    "stream": {"type": ["boolean", "null"]},
    "stream_options": {"type": ["object", "null"]},
    "temperature": {"type": ["number", "null"], "minimum": 0, "maximum": 2},
    "top_p": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
    "n": {"type": ["integer", "null"], "minimum": 1, "maximum": 128},
    "presence_penalty": _PENALTY,
    "frequency_penalty": _PENALTY,
    "stop": {"type": ["string", "array", "null"], "maxItems": 4, "items": {"type": "string"}},
    "logit_bias": {"type": ["object", "null"]},
    "user": {"type": "string", "maxLength": 256},
    "seed": {"type": ["integer", "null"]},
}

OPENAI_CHAT: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["model", "messages"],
    "properties": {
        **_COMMON_OPENAI,
        "messages": {"type": "array", "minItems": 1, "items": _OPENAI_MESSAGE},
        "max_tokens": {"type": ["integer", "null"], "minimum": 1},
        "max_completion_tokens": {"type": ["integer", "null"], "minimum": 1},
        "tools": {"type": "array", "maxItems": 128, "items": _OPENAI_TOOL},
        "tool_choice": {"type": ["string", "object"]},
        "parallel_tool_calls": {"type": "boolean"},
        "response_format": _OBJECT,
        "logprobs": {"type": ["boolean", "null"]},
        "top_logprobs": {"type": ["integer", "null"], "minimum": 0, "maximum": 20},
        "metadata": {"type": ["object", "null"]},
        "store": {"type": ["boolean", "null"]},
    },
}

_TOKEN_ARRAY = {"type": "array", "items": {"type": "integer", "minimum": 0}}

OPENAI_COMPLETIONS: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["model", "prompt"],
    "properties": {
        **_COMMON_OPENAI,
        "prompt": {
            "type": ["string", "array"],
            "items": {"type": ["string", "integer", "array"], "minimum": 0, "items": {"type": "integer"}},
        },
        "suffix": {"type": ["string", "null"]},
        "max_tokens": {"type": ["integer", "null"], "minimum": 0},
        "echo": {"type": ["boolean", "null"]},
        "best_of": {"type": ["integer", "null"], "minimum": 1, "maximum": 20},
        "logprobs": {"type": ["integer", "null"], "minimum": 0, "maximum": 5},
    },
}

OPENAI_EMBEDDINGS: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["model", "input"],
    "properties": {
        "model": _MODEL,
        "input": {
            "type": ["string", "array"],
            "minItems": 1,
            "maxItems": 2048,
            "items": {"type": ["string", "integer", "array"], "minimum": 0, "items": {"type": "integer"}},
        },
        "encoding_format": {"enum": ["float", "base64"]},
        "dimensions": {"type": "integer", "minimum": 1},
        "user": {"type": "string", "maxLength": 256},
    },
}

_ANTHROPIC_TEXT = {"type": "object", "required": ["type", "text"], "properties": {"type": {"const": "text"}}}

_ANTHROPIC_BLOCK = {
    "type": "object",
    "required": ["type"],
    "properties": {"type": {"type": "string", "maxLength": 64}},
    "allOf": [
        _when("text", {"required": ["text"], "properties": {"text": {"type": "string"}}}),
        _when("image", {"required": ["source"], "properties": {"source": _OBJECT}}),
        _when("document", {"required": ["source"], "properties": {"source": _OBJECT}}),
        _when(
            "tool_use",
            {
                "required": ["id", "name", "input"],
                "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "input": _OBJECT},
            },
        ),
        _when(
            "tool_result",
            {
                "required": ["tool_use_id"],
                "properties": {
                    "tool_use_id": {"type": "string"},
                    "content": {
                        "type": ["string", "array"],
                        "items": {"type": "object", "required": ["type"]},
                    },
                    "is_error": {"type": "boolean"},
                },
            },
        ),
    ],
}

ANTHROPIC_MESSAGES: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["model", "max_tokens", "messages"],
    "properties": {
        "model": _MODEL,
        "max_tokens": {"type": "integer", "minimum": 1},
        "messages": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["role", "content"],
                "properties": {
                    "role": {"enum": ["user", "assistant"]},
                    "content": {"type": ["string", "array"], "items": _ANTHROPIC_BLOCK},
                },
            },
        },
        "system": {"type": ["string", "array"], "items": _ANTHROPIC_TEXT},
        "stop_sequences": {"type": "array", "maxItems": 8191, "items": {"type": "string"}},
        "stream": {"type": "boolean"},
        "temperature": _PROBABILITY,
        "top_p": _PROBABILITY,
        "top_k": {"type": "integer", "minimum": 0},
        "tools": {
            "type": "array",
            "maxItems": 128,
            "items": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "pattern": r"^[A-Za-z0-9_\-]{1,128}$"},
                    "description": {"type": "string"},
                    "input_schema": _OBJECT,
                    "type": {"type": "string", "maxLength": 64},
                },
            },
        },
        "tool_choice": _OBJECT,
        "metadata": _OBJECT,
        "thinking": _OBJECT,
    },
}

BUILTIN_SCHEMAS: dict[str, dict[str, Any]] = {
    "openai-chat": OPENAI_CHAT,
    "openai-completions": OPENAI_COMPLETIONS,
    "openai-embeddings": OPENAI_EMBEDDINGS,
    "anthropic-messages": ANTHROPIC_MESSAGES,
}
