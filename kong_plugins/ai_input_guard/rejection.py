"""How a check says "no": a :class:`Rejection` with the status, the check, a category and where/why.

Domain modules raise it; only the handler decides how much of it the client sees (authenticated callers get
the ``errors`` list, others a bare Kong message) and records it as a finding for the audit log. Nothing in a
rejection ever quotes request content back: errors name a JSON pointer and a reason, never matched text.

A pointer still carries the client's own object keys, so what a client sees of it is bounded
(:func:`bounded_pointer`): each segment to :data:`MAX_SEGMENT_CHARS` characters, then an ellipsis and a short
hash (two long keys stay distinguishable), at most :data:`MAX_PATH_SEGMENTS` segments, and at most
:data:`MAX_ERRORS` errors per answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

__all__ = [
    "CHECKS",
    "MAX_ERRORS",
    "MAX_PATH_SEGMENTS",
    "MAX_SEGMENT_CHARS",
    "FieldProblem",
    "Rejection",
    "bounded_pointer",
    "json_pointer",
]

MAX_SEGMENT_CHARS = 64
MAX_PATH_SEGMENTS = 16
MAX_ERRORS = 10
_ELLIPSIS = "\u2026"

#: The checks, in the order they run (cheap first); each rejection names one of them.
CHECKS = (
    "content_type",
    "body_size",
    "json",
    "format",
    "model",
    "context_window",
    "content_rules",
    "injection",
    "ood",
)


@dataclass(frozen=True)
class FieldProblem:
    """One entry of the client's ``errors`` list: a JSON pointer into the body (``""`` = all of it)."""

    path: str
    error: str

    def to_json(self) -> dict[str, str]:
        """What the client sees: the pointer bounded (see the module doc), the reason as written."""
        return {"path": bounded_pointer(self.path), "error": self.error}


class Rejection(Exception):
    """The request must end here with ``status``; ``check``/``category`` classify it for the audit log."""

    def __init__(
        self,
        status: int,
        check: str,
        category: str,
        problems: list[FieldProblem] | FieldProblem,
        *,
        score: float | None = None,
        tier: str | None = None,
        source: str | None = None,
    ) -> None:
        self.status = status
        self.check = check
        self.category = category
        self.problems = [problems] if isinstance(problems, FieldProblem) else list(problems)
        self.score = score
        self.tier = tier  # the detector tier that decided (findings only: never in the client's answer)
        self.source = source  # where that tier's verdict came from (findings only)
        self.prompt_simhash: str | None = None  # set once the prompt was read (findings only: metrics)
        super().__init__(f"{status} {check}/{category}: {'; '.join(p.error for p in self.problems)}")


def json_pointer(parts: tuple[str | int, ...] | list[str | int]) -> str:
    """RFC 6901 pointer of a path: ``("messages", 0, "content")`` → ``/messages/0/content``."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def bounded_pointer(path: str) -> str:
    """``path`` as a client may see it: long segments cut and hashed, at most 16 segments, valid UTF-8."""
    if not path:
        return path
    segments = path.split("/")[1:]
    shown = [_bounded_segment(segment) for segment in segments[:MAX_PATH_SEGMENTS]]
    if len(segments) > MAX_PATH_SEGMENTS:
        shown.append(_ELLIPSIS)
    return "".join("/" + segment for segment in shown)


def _bounded_segment(segment: str) -> str:
    raw = segment.encode("utf-8", "surrogatepass")
    if len(segment) > MAX_SEGMENT_CHARS:
        segment = segment[:MAX_SEGMENT_CHARS] + _ELLIPSIS + hashlib.sha256(raw).hexdigest()[:8]
    # a key with a lone surrogate escape is refused with its path; it must still encode as UTF-8
    return segment.encode("utf-8", "replace").decode("utf-8")
