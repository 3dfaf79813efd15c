"""Check 7: the route's own content rules (``400``): roles, character limits, deny and allow patterns.

* ``allowed_roles``: a route may, for instance, refuse client-supplied ``system`` messages. Empty means every
  role the format knows.
* ``max_message_chars`` (each message; a top-level ``system`` prompt counts as one) and ``max_total_chars``
  (all text the model would read), in characters (code points).
* ``deny_patterns``: a text matching any of them is refused. ``allow_patterns``: when set, every checked text
  must match at least one. Both are RE2 patterns (linear time: no pattern, however written, and no input,
  however crafted, can make a check slow); write ``(?i)`` for case-insensitive matching. They apply to
  ``user`` texts (completion prompts and embedding inputs are ``user`` texts), or to every role's texts
  with ``match_all_roles`` (Kong's ai-prompt-guard field of the same name).

A refusal says which message and which rule kind, never what matched or which pattern.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kong_plugins.ai_input_guard.linear_regex import LinearRegex, compile_linear
from kong_plugins.ai_input_guard.rejection import FieldProblem, Rejection
from kong_plugins.ai_input_guard.view import RequestView, TextSegment

__all__ = ["ContentRules", "compile_patterns"]


def compile_patterns(patterns: Iterable[str]) -> tuple[LinearRegex, ...]:
    """Compile with RE2; :class:`~.linear_regex.UnsupportedPattern` names what RE2 refused."""
    return tuple(compile_linear(pattern) for pattern in patterns)


def _reject(category: str, path: str, error: str) -> Rejection:
    return Rejection(400, "content_rules", category, FieldProblem(path, error))


@dataclass(frozen=True)
class ContentRules:
    """The compiled content rules of one plugin instance."""

    deny: Sequence[LinearRegex] = ()
    allow: Sequence[LinearRegex] = ()
    match_all_roles: bool = False
    allowed_roles: frozenset[str] = frozenset()
    max_message_chars: int | None = None
    max_total_chars: int | None = None

    def check(self, view: RequestView) -> None:
        """Roles, then sizes, then patterns (cheapest first); the first failure raises a 400."""
        if self.allowed_roles:
            for path, role in view.roles:
                if role not in self.allowed_roles:
                    raise _reject("role", path, f"role {role!r} is not allowed on this route")
        self._check_sizes(view.segments)
        if self.deny or self.allow:
            self._check_patterns(view.segments)

    def _check_sizes(self, segments: Sequence[TextSegment]) -> None:
        if self.max_message_chars is not None:
            per_message: dict[object, tuple[int, str]] = {}
            for segment in segments:
                key: object = segment.message if segment.message is not None else segment.path
                size, path = per_message.get(key, (0, _message_path(segment)))
                per_message[key] = (size + len(segment.text), path)
            for size, path in per_message.values():
                if size > self.max_message_chars:
                    raise _reject("message_too_long", path, f"more than {self.max_message_chars} characters")
        if self.max_total_chars is not None:
            total = sum(len(segment.text) for segment in segments)
            if total > self.max_total_chars:
                raise _reject(
                    "total_too_long", "", f"more than {self.max_total_chars} characters of text in total"
                )

    def _check_patterns(self, segments: Sequence[TextSegment]) -> None:
        for segment in segments:
            if not self.match_all_roles and segment.role != "user":
                continue
            data = segment.text.encode("utf-8")
            if any(regex.search(data) is not None for regex in self.deny):
                raise _reject("denied", segment.path, "content is not allowed on this route")
            if self.allow and not any(regex.search(data) is not None for regex in self.allow):
                raise _reject("not_allowed", segment.path, "content is outside what this route accepts")


def _message_path(segment: TextSegment) -> str:
    """``/messages/3/content/0/text`` → ``/messages/3`` (the message a text belongs to)."""
    parts = segment.path.split("/")
    if segment.message is not None and len(parts) > 2:
        return "/".join(parts[:3])
    return segment.path
