"""What happens to one buffered answer: decode, redact by media type, re-encode, choose the headers.

Pure: the handler gives the status, the headers (``kong.response.get_headers()``), the raw body and two
lazy lookups of the tenant (asked for only when a value is hashed or a tenant header must be checked); this
module returns an :class:`Outcome` the handler sends with one ``kong.response.exit``.

Media types: ``application/json`` and ``+json`` (:mod:`.json_body`), ``text/event-stream`` (:mod:`.sse`),
other ``text/*`` (the whole text); anything else passes unchanged (headers still applied). A JSON body that
does not parse is redacted as text: a broken document must not be a way around the redactor.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kong_plugins.ai_output_redactor import sse
from kong_plugins.ai_output_redactor.engine import Tally, TooManyFindings
from kong_plugins.ai_output_redactor.json_body import (
    TooDeep,
    answer_model,
    model_content,
    redact_cut_ends,
    redact_document,
)
from kong_plugins.ai_output_redactor.replace import replace_json, replace_stream
from kong_plugins.ai_output_redactor.settings import HeaderPolicy, RedactorSettings
from kong_plugins.core import strict_json
from kong_plugins.core.content_encoding import TOO_LARGE, DecodeError, decode_body, is_identity
from kong_plugins.core.encodable import to_utf8

__all__ = ["BLOCKED_MESSAGE", "Outcome", "process_answer"]

log = logging.getLogger("kong_plugins")

BLOCKED_MESSAGE = "Response blocked by output policy"
#: Cache directives for shared caches only, which CDNs (Fastly, Akamai, Cloudflare...) follow before
#: Cache-Control: an upstream's `public` there would defeat response isolation.
SHARED_CACHE_HEADERS = ("CDN-Cache-Control", "Surrogate-Control", "Cloudflare-CDN-Cache-Control")
_LINE_END = re.compile(r"\r\n|\n|\r")
_SSE_FIELDS = frozenset({"", "data", "event", "id", "retry"})  # "" is a comment line (":...")
MAX_HEADER_VALUE = 256

# Why an answer was refused (or passed unread), as recorded in the context and the log.
DETECTOR = "detector"
OVERSIZE = "oversize"
UNREADABLE = "unreadable"
TENANT_MISMATCH = "tenant_mismatch"
SCHEMA = "output_schema"


@dataclass
class Outcome:
    """The answer to send: ``body`` None = the upstream's bytes unchanged."""

    headers: dict[str, str | list[str]]
    tally: Tally = field(default_factory=Tally)
    body: bytes | None = None
    blocked: str | None = None  # DETECTOR | OVERSIZE | UNREADABLE | TENANT_MISMATCH | SCHEMA
    passed_unread: str | None = None  # OVERSIZE | UNREADABLE with the `pass` policy
    media: str = "other"  # json | sse | text | other
    model: str | None = None
    action: str = "redact"  # redact | replace | flag (blocked and passed_unread say the rest)
    schema_error: str | None = None  # why the content failed output_schema (for the log; never a value)


def header(headers: Mapping[str, Any], name: str) -> str | None:
    """First value of a header in ``kong.response.get_headers()``'s map (keys are lowercase there)."""
    value = headers.get(name.lower())
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, str) else None


def header_values(headers: Mapping[str, Any], name: str) -> list[Any]:
    """Every value of a header in ``kong.response.get_headers()``'s map (a repeated header is a list)."""
    value = headers.get(name.lower())
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def media_kind(content_type: str | None) -> str:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        return "json"
    if media == "text/event-stream":
        return "sse"
    if media.startswith("text/"):
        return "text"
    return "other"


def sniffed_media(declared: str, text: str) -> str:
    """What the client will read ``text`` as, whatever the Content-Type claims.

    The OpenAI SDK parses any non-streamed answer as JSON when it can (``response.json()`` for every type)
    and any streamed one as SSE: a JSON body is JSON, and a body made only of SSE field lines with at least
    one ``data:`` line is a stream (a ``text/*`` body with any other line stays text: its prose must be read
    whole, not only its ``data:`` lines).
    """
    if text.lstrip(" \t\r\n")[:1] in ("{", "["):
        if declared == "json":
            return declared
        try:
            strict_json.loads(text)
        except strict_json.DuplicateKey:
            return "json"  # JSON all the same, and unreadable as such: refused by _redact
        except (ValueError, RecursionError):
            return declared
        return "json"
    if declared != "sse" and _only_sse_lines(text):
        return "sse"
    return declared


def _only_sse_lines(text: str) -> bool:
    data = False
    for line in _LINE_END.split(text):
        if not line:
            continue
        field = line.split(":", 1)[0]
        if field not in _SSE_FIELDS:
            return False
        data = data or field == "data"
    return data


def process_answer(
    settings: RedactorSettings,
    headers: Mapping[str, Any],
    raw: bytes,
    tenant: Callable[[], str],
    resolved_tenant: Callable[[], str | None],
) -> Outcome:
    """Redact ``raw`` and decide the answer's headers (module docstring)."""
    outcome = Outcome(headers=response_headers(settings.headers, headers))
    policy = settings.headers
    if policy.check_tenant:
        claimed = header_values(headers, policy.tenant_header)  # every line: the client sees them all
        if claimed and any(value != resolved_tenant() for value in claimed):
            outcome.blocked = TENANT_MISMATCH
            return outcome
    outcome.media = media_kind(header(headers, "Content-Type"))
    if not raw:
        return outcome
    # "other" is read only to see whether it is JSON or SSE in disguise: unreadable, it passes as before
    declared_other = outcome.media == "other"
    encoding = header(headers, "Content-Encoding")
    if len(raw) > settings.max_body_bytes:
        return outcome if declared_other else _unread(outcome, OVERSIZE, settings.oversize_block)
    plain = raw
    if not is_identity(encoding):
        try:
            plain = decode_body(raw, encoding, settings.max_body_bytes)
        except DecodeError as exc:
            if declared_other:
                return outcome
            reason = OVERSIZE if exc.reason == TOO_LARGE else UNREADABLE
            block = settings.oversize_block if reason == OVERSIZE else settings.unreadable_block
            return _unread(outcome, reason, block)
    try:
        text = plain.decode("utf-8")
    except UnicodeDecodeError:
        return outcome if declared_other else _unread(outcome, UNREADABLE, settings.unreadable_block)
    # JSON readers (httpx, the SDKs) and SSE decoders skip a byte order mark: so must the parsers here, or
    # a BOM turns a JSON answer into "text" whose escapes (\u0040 for @) no detector reads
    bom, text = ("\ufeff", text[1:]) if text.startswith("\ufeff") else ("", text)
    outcome.media = sniffed_media(outcome.media, text)
    if outcome.media == "other":
        return outcome
    try:
        redacted, content, document = _redact(outcome, text, settings, tenant)
    except (TooDeep, TooManyFindings, strict_json.DuplicateKey):
        # a repeated member name: the client reads one of the values, the redactor would read the other
        return _unread(outcome, UNREADABLE, settings.unreadable_block)
    if settings.output_schema is not None:
        outcome.schema_error = schema_error(settings.output_schema, content)
        if outcome.schema_error is not None:
            outcome.blocked = SCHEMA
            return outcome
    if settings.headers.ai_headers and outcome.model and _header_safe(outcome.model):
        outcome.headers[policy.model_header] = outcome.model
    if outcome.tally.total:
        redacted = _on_violation(outcome, settings, text, document, redacted)
    if redacted is None or outcome.blocked:
        return outcome
    body = to_utf8(bom + redacted)
    if not is_identity(encoding):
        encoded = _encode(body, encoding) if settings.reencode else None
        if encoded is None:
            outcome.headers["Content-Encoding"] = []  # an empty list clears the header (ngx.header)
        else:
            body = encoded
    outcome.body = body
    return outcome


def _on_violation(
    outcome: Outcome, settings: RedactorSettings, text: str, document: Any, redacted: str | None
) -> str | None:
    """The body an answer with findings becomes (``on_violation``); None = the upstream's, unchanged."""
    action = settings.on_violation
    if action == "flag":  # delivered as is, block-mode detectors included: the application decides
        outcome.action = "flag"
        outcome.headers[settings.violation_header] = ",".join(sorted(outcome.tally.counts))
        return None
    if action == "block" or outcome.tally.blocked:
        outcome.blocked = DETECTOR
        return None
    if action == "replace":
        outcome.action = "replace"
        if outcome.media == "sse":
            return replace_stream(text, settings.replace_message)
        if outcome.media == "json":
            return replace_json(document, settings.replace_message)
        return settings.replace_message
    return redacted


def schema_error(validator: Any, content: Any) -> str | None:
    """Why ``content`` (the model's text, parsed as JSON, or a document) fails ``validator``; None if it
    passes. The reason names the place and the keyword, never the value (nor a key the schema does not
    declare: that is ``*``)."""
    if isinstance(content, str):
        try:
            content = strict_json.loads(content)
        except strict_json.DuplicateKey:
            return "content repeats a member name"
        except (ValueError, RecursionError):
            return "content is not JSON"
    elif content is None:
        return "no model content"
    try:
        error = next(iter(validator.iter_errors(content)), None)
    except RecursionError:
        return "content nested too deeply"
    if error is None:
        return None
    # a key the schema declares (it is in the schema path) or an array position is named; any other key is
    # one the model chose (additionalProperties, patternProperties) and may be the very value to hide
    declared = {part for part in error.absolute_schema_path if isinstance(part, str)}
    parts = (str(p) if isinstance(p, int) or p in declared else "*" for p in error.absolute_path)
    return f"/{'/'.join(parts)}: {error.validator} violated"


def _unread(outcome: Outcome, reason: str, block: bool) -> Outcome:
    if block:
        outcome.blocked = reason
    else:
        outcome.passed_unread = reason
    return outcome


def _redact(
    outcome: Outcome, text: str, settings: RedactorSettings, tenant: Callable[[], str]
) -> tuple[str | None, Any, Any]:
    """The redacted text (None when nothing was found: the upstream's bytes are sent as they are), the
    model's content before redaction (for ``output_schema``) and the parsed JSON document, if any."""
    redactor, tally = settings.redactor, outcome.tally
    broken = False
    if outcome.media == "json":
        try:
            document = strict_json.loads(text)
        except strict_json.DuplicateKey:
            raise
        except (ValueError, RecursionError):
            outcome.media, broken = "text", True
        else:
            outcome.model = answer_model(document)
            content = model_content(document)
            redact_cut_ends(document, redactor, tally, tenant)  # stopped by max_tokens: maybe inside a value
            redacted = redact_document(document, redactor, tally, tenant)
            if not tally.total:
                return None, content, document
            return json.dumps(redacted, ensure_ascii=False, separators=(",", ":")), content, document
    if outcome.media == "sse":
        result = sse.redact_stream(text, redactor, tally, tenant)
        outcome.model = result.model
        return (result.text if tally.total else None), result.content, None
    # a whole text answer may end inside a value; a JSON one that does not parse was cut off
    redacted_text = redactor.redact(text, tally, tenant, cut=True, cut_off=broken)
    return (redacted_text if tally.total else None), text, None


def _encode(body: bytes, encoding: str | None) -> bytes | None:
    coding = (encoding or "").strip().lower()
    if coding in ("gzip", "x-gzip"):
        return gzip.compress(body, mtime=0)
    if coding == "deflate":
        return zlib.compress(body)
    return None  # br, several codings: sent decoded, Content-Encoding cleared


def _header_safe(value: str) -> bool:
    return 0 < len(value) <= MAX_HEADER_VALUE and all(" " <= ch <= "~" for ch in value)


def response_headers(policy: HeaderPolicy, upstream: Mapping[str, Any]) -> dict[str, str | list[str]]:
    """Security headers, leaking headers removed, isolation, processing time."""
    result: dict[str, str | list[str]] = dict(policy.security)
    for name in policy.remove:
        result[name] = []
    if policy.isolation:
        result["Cache-Control"] = "private, no-store"
        for name in SHARED_CACHE_HEADERS:  # CDNs obey these before Cache-Control: they go
            result[name] = []
        vary = [v.strip() for v in (header(upstream, "Vary") or "").split(",") if v.strip()]
        seen = {v.lower() for v in vary}
        vary += [name for name in policy.vary if name.lower() not in seen]
        if vary:
            result["Vary"] = ", ".join(vary)
    if policy.ai_headers:
        took = header(upstream, policy.processing_time_source)
        if took is not None and took.strip().isdigit() and len(took.strip()) <= 12:
            result[policy.processing_time_header] = took.strip()
    return result
