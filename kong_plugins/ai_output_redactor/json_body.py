"""Redacting JSON answers: string values only, so the document keeps its structure and still parses in the
client's SDK.

Known answer shapes (OpenAI chat/completions, Anthropic messages) keep their structural fields untouched
(``id``, ``model``, ``role``, ``finish_reason``...: an id redacted as a high-entropy string would break the
SDK's bookkeeping); every other string is redacted, keys never. A string that is itself a JSON object or
array (tool-call ``arguments``) is parsed, redacted the same way and serialized back, so an email inside
``{"to": "a@b.c"}`` is found and the arguments stay valid JSON. Depth and work are bounded: the document
was parsed within the body bound, and nested JSON strings are followed :data:`MAX_NESTED` levels deep.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from kong_plugins.ai_output_redactor.engine import Redactor, Tally
from kong_plugins.core import strict_json

__all__ = [
    "STRUCTURAL_KEYS",
    "answer_model",
    "is_llm_answer",
    "model_content",
    "redact_cut_ends",
    "redact_document",
    "redact_json_string",
    "redact_request_document",
]

MAX_NESTED = 4
MAX_DEPTH = 128

#: Fields of OpenAI/Anthropic answers that carry no model-written text and that SDKs rely on.
STRUCTURAL_KEYS = frozenset(
    {
        "id",
        "object",
        "model",
        "type",
        "role",
        "finish_reason",
        "stop_reason",
        "stop_sequence",
        "system_fingerprint",
        "tool_call_id",
        "tool_use_id",
        "service_tier",
        "logprobs",
        "usage",
        "created",
        "index",
        "name",
    }
)


class TooDeep(ValueError):
    """The document nests deeper than :data:`MAX_DEPTH` (refused like an unreadable body)."""


def is_llm_answer(document: Any) -> bool:
    """An OpenAI (``choices``) or Anthropic (``type: message``) answer or stream chunk."""
    if not isinstance(document, dict):
        return False
    return isinstance(document.get("choices"), list) or document.get("type") in (
        "message",
        "message_start",
        "content_block_start",
        "content_block_delta",
        "message_delta",
    )


def answer_model(document: Any) -> str | None:
    """The model that answered, as the body says (``model``, or Anthropic's ``message.model``)."""
    if isinstance(document, dict):
        model = document.get("model")
        if model is None and isinstance(document.get("message"), dict):
            model = document["message"].get("model")
        if isinstance(model, str):
            return model
    return None


def model_content(document: Any) -> Any:
    """What the model wrote, for ``output_schema``: the first choice's text (chat ``message.content``,
    legacy ``text``), an Anthropic message's text blocks joined; any other document as a whole."""
    if isinstance(document, dict) and isinstance(document.get("choices"), list):
        choice = document["choices"][0] if document["choices"] else None
        if not isinstance(choice, dict):
            return None
        message = choice.get("message")
        content = message.get("content") if isinstance(message, dict) else choice.get("text")
        if isinstance(content, list):  # content parts
            return "".join(p.get("text", "") for p in content if isinstance(p, dict))
        return content
    if isinstance(document, dict) and document.get("type") == "message":
        blocks = document.get("content") if isinstance(document.get("content"), list) else []
        return "".join(b.get("text", "") for b in blocks if isinstance(b, dict) and b.get("type") == "text")
    return document


def redact_document(
    document: Any, redactor: Redactor, tally: Tally, tenant: Callable[[], str], *, nested: int = 0
) -> Any:
    """``document`` with every string value redacted (structural fields of LLM answers excluded)."""
    llm = is_llm_answer(document)
    if llm:
        _join_text_blocks(document, redactor, tally, tenant)
    return _walk(document, redactor, tally, tenant, STRUCTURAL_KEYS if llm else frozenset(), nested, 0)


#: Finish reasons saying the model was stopped by its token limit: its text may end inside a value.
CUT_REASONS = frozenset({"length", "max_tokens"})


def redact_cut_ends(document: Any, redactor: Redactor, tally: Tally, tenant: Callable[[], str]) -> None:
    """In place: the last text of each answer stopped by ``max_tokens`` (OpenAI chat/completions choices
    with finish reason ``length``, an Anthropic message with stop reason ``max_tokens``, a Responses API
    answer with status ``incomplete``) redacted as a text known to be cut (:meth:`Redactor.find`
    ``cut_off``). The walk after it finds nothing more in what is already masked."""
    if not isinstance(document, dict):
        return
    holders: list[tuple[Any, Any]] = []
    for choice in document.get("choices") or []:
        if not isinstance(choice, dict) or choice.get("finish_reason") not in CUT_REASONS:
            continue
        message = choice.get("message")
        if isinstance(message, dict):
            holders.append((message, "content"))
        elif isinstance(choice.get("text"), str):
            holders.append((choice, "text"))
    if document.get("stop_reason") in CUT_REASONS:
        holders.append((document, "content"))
    if document.get("status") == "incomplete" and isinstance(document.get("output"), list):
        items = [item for item in document["output"] if isinstance(item, dict)]
        if items:
            holders.append((items[-1], "content"))
    for holder, key in holders:
        _redact_last_text(holder, key, redactor, tally, tenant)


def _redact_last_text(
    holder: dict[str, Any], key: str, redactor: Redactor, tally: Tally, tenant: Callable[[], str]
) -> None:
    value = holder.get(key)
    if isinstance(value, str):
        holder[key] = redactor.redact(value, tally, tenant, cut=True, cut_off=True)
        return
    if not isinstance(value, list):
        return
    blocks = [b for b in value if isinstance(b, dict) and isinstance(b.get("text"), str)]
    if blocks:  # text parts or blocks (Anthropic "text", Responses "output_text"): the last one ends the text
        last = blocks[-1]
        last["text"] = redactor.redact(last["text"], tally, tenant, cut=True, cut_off=True)


def _join_text_blocks(
    document: dict[str, Any], redactor: Redactor, tally: Tally, tenant: Callable[[], str]
) -> None:
    """The text blocks of one message (Anthropic ``content``, OpenAI content parts) are read joined, as
    the SDK user reads them: a value split over two blocks is found (in place; the walk after it finds
    nothing more in what is already redacted)."""
    lists = [document.get("content")]
    for choice in document.get("choices") or []:
        message = choice.get("message") if isinstance(choice, dict) else None
        lists.append(message.get("content") if isinstance(message, dict) else None)
    for blocks in lists:
        if not isinstance(blocks, list):
            continue
        texts = [
            b
            for b in blocks
            if isinstance(b, dict) and b.get("type") == "text" and isinstance(b.get("text"), str)
        ]
        if len(texts) > 1:
            redacted = redactor.redact_pieces([b["text"] for b in texts], tally, tenant)
            for block, text in zip(texts, redacted, strict=True):
                block["text"] = text


#: Request fields that configure the call rather than carry the prompt (tool definitions are the
#: application's, their JSON Schemas must stay intact).
REQUEST_CONFIG_KEYS = frozenset({"tools", "functions", "tool_choice", "response_format", "stop", "metadata"})


def redact_request_document(
    document: Any, redactor: Redactor, tally: Tally, tenant: Callable[[], str]
) -> Any:
    """A request body: in an LLM request (``messages``/``prompt``/``input``) the prompt's strings are
    redacted and the structural and configuration fields left alone; any other JSON has every string
    redacted."""
    if not isinstance(document, dict) or not any(k in document for k in ("messages", "prompt", "input")):
        return redact_document(document, redactor, tally, tenant)
    return {
        key: value
        if key in REQUEST_CONFIG_KEYS or (key in STRUCTURAL_KEYS and not isinstance(value, dict | list))
        else _walk(value, redactor, tally, tenant, STRUCTURAL_KEYS, 0, 1)
        for key, value in document.items()
    }


def _walk(
    value: Any,
    redactor: Redactor,
    tally: Tally,
    tenant: Callable[[], str],
    skip: frozenset[str],
    nested: int,
    depth: int,
) -> Any:
    if depth > MAX_DEPTH:
        raise TooDeep("JSON nested too deeply")
    if isinstance(value, str):
        return redact_json_string(value, redactor, tally, tenant, nested=nested)
    if isinstance(value, list):
        return [_walk(item, redactor, tally, tenant, skip, nested, depth + 1) for item in value]
    if isinstance(value, dict):
        return {
            key: item
            if key in skip and not isinstance(item, dict | list)
            else _walk(item, redactor, tally, tenant, _inner_skip(key, skip), nested, depth + 1)
            for key, item in value.items()
        }
    return value


def _inner_skip(key: str, skip: frozenset[str]) -> frozenset[str]:
    """Inside a tool call's own arguments (``input``, ``arguments``) every field is the model's text."""
    return frozenset() if key in ("input", "arguments") else skip


def redact_json_string(
    text: str, redactor: Redactor, tally: Tally, tenant: Callable[[], str], *, nested: int = 0
) -> str:
    """A string value: JSON inside it (tool-call arguments) is redacted structurally, anything else as
    text."""
    stripped = text.lstrip()
    # the raw text is a cheap pre-check only without escapes: "\u0040" is an "@" once the client parses it
    if nested < MAX_NESTED and stripped[:1] in ("{", "[") and ("\\" in text or redactor.find(text)):
        try:
            inner = strict_json.loads(text)
        except strict_json.DuplicateKey:
            raise
        except (ValueError, RecursionError):  # too deep for the decoder: redacted as text
            inner = None
        if isinstance(inner, dict | list):
            redacted = redact_document(inner, redactor, tally, tenant, nested=nested + 1)
            return json.dumps(redacted, ensure_ascii=False, separators=(",", ":"))
    return redactor.redact(text, tally, tenant)
