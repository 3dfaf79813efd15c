"""How a check says "no": a :class:`Rejection` with the status, the check, a category and where/why.

Domain modules raise it; only the handler decides how much of it the client sees (authenticated callers get
the ``errors`` list, others a bare Kong message) and records it as a finding for the audit log. Nothing in a
rejection ever quotes request content back: errors name a JSON pointer and a reason, never matched text.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CHECKS", "FieldProblem", "Rejection", "json_pointer"]

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
        return {"path": self.path, "error": self.error}


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
    ) -> None:
        self.status = status
        self.check = check
        self.category = category
        self.problems = [problems] if isinstance(problems, FieldProblem) else list(problems)
        self.score = score
        super().__init__(f"{status} {check}/{category}: {'; '.join(p.error for p in self.problems)}")


def json_pointer(parts: tuple[str | int, ...] | list[str | int]) -> str:
    """RFC 6901 pointer of a path: ``("messages", 0, "content")`` → ``/messages/0/content``."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)
