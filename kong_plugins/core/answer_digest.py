"""The upstream answer's fingerprint facts, computed by the first of our plugins that reads its body.

ai-audit-log records an answer's SHA-256 (keyed into its fingerprint), size and the ``model`` it names; in
``log`` that costs it two PDK round trips (``kong.nginx.get_ctx("buffered_proxying")`` and
``kong.service.response.get_raw_body()``). ai-token-limiter reads the same body in ``response`` anyway and
writes ``kong.ctx.shared``'s entry anyway, so it hands these facts on (section ``answer``, field
``digest``) and the audit log reads them with the rest of the entry. The body is the upstream's as Kong
buffered it (``kong.service.response.get_raw_body`` answers the same bytes in every phase, whatever a later
plugin sends the client), so the digest is exactly what the audit log would compute itself.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

import re2

__all__ = ["MODEL_SCAN_BYTES", "AnswerDigest", "answered_model"]

MODEL_SCAN_BYTES = 64 * 1024
_MODEL_FIELD = re2.compile(rb'"model"\s*:\s*"([^"\\]{1,128})"')
_HEX64 = re.compile(r"[0-9a-f]{64}", re.ASCII)
MAX_MODEL_CHARS = 128


def answered_model(body: bytes | None) -> str | None:
    """The ``model`` the upstream named in its (buffered) answer: JSON or SSE, first occurrence, bounded."""
    if not body:
        return None
    match = _MODEL_FIELD.search(body[:MODEL_SCAN_BYTES])
    if match is None:
        return None
    return match.group(1).decode("utf-8", "replace")


@dataclass(frozen=True)
class AnswerDigest:
    """SHA-256 (hex), size and named model of an answer body."""

    sha256: str
    size: int
    model: str | None = None

    @classmethod
    def of_body(cls, body: bytes) -> AnswerDigest:
        return cls(hashlib.sha256(body).hexdigest(), len(body), answered_model(body))

    def to_shared(self) -> dict[str, Any]:
        found: dict[str, Any] = {"sha256": self.sha256, "bytes": self.size}
        if self.model is not None:
            found["model"] = self.model
        return found

    @classmethod
    def from_shared(cls, value: Any) -> AnswerDigest | None:
        """Rebuild what an earlier plugin handed on; None when absent or malformed (then read the body)."""
        if not isinstance(value, dict):
            return None
        sha, size, model = value.get("sha256"), value.get("bytes"), value.get("model")
        if not isinstance(sha, str) or not _HEX64.fullmatch(sha):
            return None
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            return None
        if not isinstance(model, str) or not 0 < len(model) <= MAX_MODEL_CHARS:
            model = None
        return cls(sha, size, model)
