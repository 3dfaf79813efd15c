"""``include_payloads``: the prompt and the answer's text, redacted, then capped, for the record.

Off by default: the record is content-free (docs/audit.md). When on, each payload is

1. reduced to its text: the prompt from the request body (``system``, each message as ``role: content``,
   ``prompt``, ``input``; any other body as it is), the answer from the buffered upstream body after its
   ``Content-Encoding`` is undone (a JSON answer's choices or Anthropic text blocks, an SSE stream's deltas
   joined; any other body as it is);
2. redacted with ai-output-redactor's detectors and engine (the same RE2 patterns and validators, compiled
   once at import; mask mode: ``[REDACTED:EMAIL]``), over the **whole** text, so that no value is half kept;
3. cut at ``max_payload_bytes`` of UTF-8 on a character boundary, marked ``truncated``.

A text the engine refuses (more findings than it keeps per text) or a body that cannot be decoded is not
stored: the payload says why (``withheld``). Unredacted text never leaves this module. Pure: no ``kong``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kong_plugins.ai_output_redactor.detectors import BUILTIN, DETECTOR_NAMES
from kong_plugins.ai_output_redactor.engine import DetectionContext, Redactor, Rule, Tally, TooManyFindings
from kong_plugins.ai_output_redactor.sse import Event, parse_events
from kong_plugins.core.content_encoding import DecodeError, decode_body
from kong_plugins.core.encodable import encodable

__all__ = [
    "DEFAULT_DETECTORS",
    "PayloadPolicy",
    "answer_text",
    "prompt_text",
    "sanitize_payload",
    "withheld",
]

DEFAULT_DETECTORS: tuple[str, ...] = DETECTOR_NAMES
MAX_PARTS = 4096  # messages, content parts, SSE events read: bounded work on hostile bodies
WITHHELD = ("too_many_findings", "undecodable")
_NO_TENANT = lambda: ""  # noqa: E731 - mask mode never asks for the tenant (only hash mode does)


@dataclass(frozen=True)
class PayloadPolicy:
    """How payloads are redacted and capped; built once per plugin instance."""

    redactor: Redactor
    max_bytes: int

    @classmethod
    def build(cls, detectors: Sequence[str], max_bytes: int) -> PayloadPolicy:
        enabled = set(detectors)
        chosen = [d for d in BUILTIN if d.name in enabled]
        rules = {d.name: Rule("mask", f"[REDACTED:{d.name.upper()}]", d.name.upper()) for d in chosen}
        return cls(Redactor(chosen, rules, DetectionContext()), max_bytes)

    def payload(self, text: str) -> dict[str, Any]:
        """``text`` redacted (all of it), then cut at :attr:`max_bytes` of UTF-8."""
        tally = Tally()
        text = encodable(text)  # a lone surrogate escape (in a prompt or an answer) is kept as U+FFFD
        try:
            redacted = self.redactor.redact(text, tally, _NO_TENANT)
        except TooManyFindings:
            return withheld("too_many_findings")
        encoded = redacted.encode("utf-8", "surrogatepass")
        truncated = len(encoded) > self.max_bytes
        if truncated:
            # "ignore" drops the partial character the cut left at the end
            redacted = encoded[: self.max_bytes].decode("utf-8", "ignore")
        return {
            "text": redacted,
            "truncated": truncated,
            "bytes": len(encoded),
            "redactions": dict(sorted(tally.counts.items())) or None,
            "withheld": None,
        }


def withheld(reason: str) -> dict[str, Any]:
    return {"text": None, "truncated": False, "bytes": None, "redactions": None, "withheld": reason}


def sanitize_payload(value: Any, max_bytes: int) -> dict[str, Any] | None:
    """A payload read back from ``kong.ctx.shared`` (this plugin's own, but re-checked: bounded and typed)."""
    if not isinstance(value, Mapping):
        return None
    text = value.get("text")
    if isinstance(text, str):
        text = text.encode("utf-8", "surrogatepass")[:max_bytes].decode("utf-8", "ignore")
    else:
        text = None
    counts = value.get("redactions")
    redactions = (
        {
            str(k)[:64]: int(n)
            for k, n in list(counts.items())[:32]
            if isinstance(n, int) and not isinstance(n, bool) and n >= 0
        }
        if isinstance(counts, Mapping)
        else None
    )
    size = value.get("bytes")
    reason = value.get("withheld")
    return {
        "text": text,
        "truncated": value.get("truncated") is True,
        "bytes": size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None,
        "redactions": redactions or None,
        "withheld": reason if reason in WITHHELD else None,
    }


# -- the prompt ---------------------------------------------------------------------------------------------


def prompt_text(body: bytes) -> str:
    """The prompt's text: the known request shapes' texts, one per line, else the body as text."""
    text = body.decode("utf-8", "replace")
    document = _json(text)
    if isinstance(document, dict):
        lines = list(_prompt_lines(document))
        if lines:
            return "\n".join(lines)
    return text


def _prompt_lines(document: dict[str, Any]) -> Iterator[str]:
    system = _joined(document.get("system"))
    if system:
        yield f"system: {system}"
    messages = document.get("messages")
    if isinstance(messages, list):
        for message in messages[:MAX_PARTS]:
            if isinstance(message, dict):
                role = message.get("role")
                content = _joined(message.get("content"))
                if content:
                    yield f"{role if isinstance(role, str) else 'user'}: {content}"
    for name in ("prompt", "input"):
        value = _joined(document.get(name))
        if value:
            yield value


def _joined(value: Any) -> str:
    """A string, or the texts of a list of strings / content parts (``{"type": "text", "text": ...}``)."""
    if isinstance(value, str):
        return value
    if not isinstance(value, list):
        return ""
    texts = []
    for part in value[:MAX_PARTS]:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, dict):
            for key in ("text", "content"):
                if isinstance(part.get(key), str):
                    texts.append(part[key])
                    break
    return "\n".join(texts)


# -- the answer ---------------------------------------------------------------------------------------------


def answer_text(body: bytes, content_encoding: str | None, limit: int) -> str | None:
    """The answer's text (None when the body cannot be decoded within ``limit`` bytes)."""
    try:
        plain = decode_body(body, content_encoding, limit)
    except DecodeError:
        return None
    text = plain.decode("utf-8", "replace")
    document = _json(text)
    if document is not None:
        answer = _answer_of(document)
        return answer if answer is not None else text
    if _looks_like_sse(text):
        return _stream_text(text)
    return text


def _answer_of(document: Any) -> str | None:
    if not isinstance(document, dict):
        return None
    choices = document.get("choices")
    if isinstance(choices, list):
        texts = []
        for choice in choices[:MAX_PARTS]:
            if not isinstance(choice, dict):
                continue
            message = choice.get("message")
            content = message.get("content") if isinstance(message, dict) else choice.get("text")
            if joined := _joined(content):
                texts.append(joined)
        return "\n".join(texts)
    if document.get("type") == "message" and isinstance(document.get("content"), list):
        return _joined([b for b in document["content"][:MAX_PARTS] if isinstance(b, dict)])
    return None


def _looks_like_sse(text: str) -> bool:
    head = text.lstrip()[:64]
    return head.startswith(("data:", "event:", "id:", ":"))


def _stream_text(text: str) -> str:
    """The streamed deltas joined (OpenAI ``choices[].delta.content``/``text``, Anthropic ``delta.text``)."""
    items, _ = parse_events(text)
    pieces: list[str] = []
    for item in items[: MAX_PARTS * 8]:
        if not isinstance(item, Event) or not isinstance(item.document, dict):
            continue
        document = item.document
        if isinstance(document.get("choices"), list):
            for choice in document["choices"][:16]:
                if not isinstance(choice, dict):
                    continue
                delta = choice.get("delta")
                piece = delta.get("content") if isinstance(delta, dict) else choice.get("text")
                if isinstance(piece, str):
                    pieces.append(piece)
        elif isinstance(document.get("delta"), dict) and isinstance(document["delta"].get("text"), str):
            pieces.append(document["delta"]["text"])
    return "".join(pieces)


def _json(text: str) -> Any:
    if text.lstrip()[:1] not in ("{", "["):
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None
