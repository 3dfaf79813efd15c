"""``ai-audit-log`` handler: one inference record per request, written off the request path.

``access`` (runs only when no earlier plugin answered): read ``kong.ctx.shared``'s ``ai_guard`` entry; when
ai-input-guard published no body hash there, read the body (``kong.request.get_raw_body``) and publish its
SHA-256 and size in the entry's ``audit`` section.
``log`` (Kong's timer, after the response, answering from its snapshot): read the entry (one round trip for
every plugin's facts), the serialized log entry and, when Kong buffered the answer and ai-token-limiter did
not hand its digest on, its body (to hash it and read the answering model);
build the record (:mod:`.record`) and hand it to each sink's writer (:mod:`.writer`), which never blocks.
With ``include_payloads`` (:mod:`.payloads`): ``access`` reads the body even when the guard hashed it and
publishes the prompt already redacted and capped; ``log`` redacts and caps the buffered answer (one more call:
the upstream's ``Content-Encoding``).
Round trips per phase: docs/audit.md.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, ClassVar

from kong_plugins.ai_audit_log.payloads import answer_text, prompt_text, sanitize_payload, withheld
from kong_plugins.ai_audit_log.record import AccessFacts, Answer, build_record, upstream_answered
from kong_plugins.ai_audit_log.schema import NAME, SCHEMA
from kong_plugins.ai_audit_log.settings import Settings, build_settings
from kong_plugins.core import metrics, simhash
from kong_plugins.core.answer_digest import AnswerDigest
from kong_plugins.core.context import ANSWER, AUDIT, FINDINGS, REQUEST, TENANT, SharedEntry
from kong_plugins.core.handler import GuardPlugin, phase
from kong_plugins.core.pdk import Pdk
from kong_plugins.core.priorities import priority_of
from kong_plugins.core.schema.dsl import PluginSchema

__all__ = ["PRIORITY", "VERSION", "Plugin"]

VERSION = "0.1.0"
PRIORITY = priority_of(NAME)
MAX_SERIALIZED_CHARS = 4 * 1024 * 1024
MAX_FINDINGS_READ = 64  # the findings list is bounded by its writers; a reader bounds it again
MAX_ANSWER_BYTES = 16 * 1024 * 1024  # a buffered answer decoded for include_payloads (larger: withheld)
log = logging.getLogger("kong_plugins")


class Plugin(GuardPlugin):
    name = NAME
    schema: ClassVar[PluginSchema] = SCHEMA
    settings: Settings

    def compile(self, config: dict[str, Any]) -> Settings:
        return build_settings(config)

    @phase
    def access(self, pdk: Pdk) -> None:
        if self.settings.buffer_answer:
            pdk.call("service.request.enable_buffering")
        entry = SharedEntry(pdk)
        facts = entry.get(REQUEST)
        hashed = isinstance(facts, Mapping) and isinstance(facts.get("body_sha256"), str)
        payloads = self.settings.payloads
        if (hashed and payloads is None) or self.settings.max_body_bytes <= 0:
            return  # ai-input-guard hashed the body already, and no prompt is stored
        raw = pdk.call("request.get_raw_body", self.settings.max_body_bytes)
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        if not isinstance(raw, bytes):
            return  # over the bound (Kong answers nil): no input hash, no prompt
        access = AccessFacts() if hashed else AccessFacts.of_body(raw)
        if payloads is not None:
            # redacted here, so that the unredacted prompt never leaves this handler
            access = replace(access, prompt=payloads.payload(prompt_text(raw)))
        entry.put(AUDIT, access.to_shared())
        entry.write()

    @phase
    def log(self, pdk: Pdk) -> None:
        shared = SharedEntry(pdk).read()  # every plugin's facts, this one's access facts included
        payloads = self.settings.payloads
        serialized = _decode(pdk.call("log.serialize"))
        body = None
        handed_on = None
        # Only an upstream's answer is fingerprinted, as the model gave it (before a redactor rewrote it;
        # Kong's own answers are templates). ai-token-limiter hands on the digest of the body it read in
        # ``response`` (core/answer_digest.py): then nothing more is asked, unless the payload itself is
        # stored. get_raw_body raises in the log timer unless Kong buffered the answer (a thrown error
        # would leave this handler waiting forever), so ask ngx.ctx first: Kong's error handler clears
        # that flag too.
        if upstream_answered(serialized):
            answer = shared.get(ANSWER)
            handed_on = AnswerDigest.from_shared(
                answer.get("digest") if isinstance(answer, Mapping) else None
            )
            if (handed_on is None or payloads is not None) and pdk.call("nginx.get_ctx", "buffered_proxying"):
                raw = pdk.call("service.response.get_raw_body")
                body = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else raw
        access = AccessFacts.from_shared(shared.get(AUDIT))
        stored = None
        if payloads is not None:
            output = None
            if isinstance(body, bytes):
                # the upstream's own coding (the redactor may have changed the client's Content-Encoding)
                encoding = pdk.call("service.response.get_header", "Content-Encoding")
                text = answer_text(body, encoding if isinstance(encoding, str) else None, MAX_ANSWER_BYTES)
                output = payloads.payload(text) if text is not None else withheld("undecodable")
            stored = {"prompt": sanitize_payload(access.prompt, payloads.max_bytes), "output": output}
        record = build_record(
            serialized,
            shared,
            access,
            Answer(body if isinstance(body, bytes) else None, handed_on),
            fingerprint=self.settings.fingerprint,
            client_ip_mode=self.settings.client_ip,
            payloads=stored,
        )
        for writer in self.settings.writers:
            writer.submit(record)
        if metrics.enabled():
            response = serialized.get("response")
            metrics.observe_request(
                record,
                response.get("headers") if isinstance(response, Mapping) else None,
                prompt_simhash(shared),
                key_prefix=_key_prefix(shared),
            )


def prompt_simhash(shared: Mapping[str, Any]) -> int | None:
    """ai-input-guard's SimHash of the prompt (metrics only, never in the record): from its request facts,
    or, for a request it refused, from its finding."""
    facts = shared.get(REQUEST)
    if isinstance(facts, Mapping) and (value := simhash.from_hex(facts.get("prompt_simhash"))) is not None:
        return value
    findings = shared.get(FINDINGS)
    if isinstance(findings, list):
        for finding in findings[-MAX_FINDINGS_READ:]:
            if not isinstance(finding, Mapping):
                continue
            if (value := simhash.from_hex(finding.get("prompt_simhash"))) is not None:
                return value
    return None


def _key_prefix(shared: Mapping[str, Any]) -> str | None:
    """ai-tenant-resolver's display prefix of the API key that named the tenant (metrics only; the metrics
    side checks its shape)."""
    tenant = shared.get(TENANT)
    value = tenant.get("key_prefix") if isinstance(tenant, Mapping) else None
    return value if isinstance(value, str) else None


def _decode(raw: Any) -> Mapping[str, Any]:
    if isinstance(raw, Mapping):
        return raw
    if isinstance(raw, str) and len(raw) <= MAX_SERIALIZED_CHARS:
        try:
            value = json.loads(raw)
        except ValueError:
            return {}
        return value if isinstance(value, Mapping) else {}
    return {}
