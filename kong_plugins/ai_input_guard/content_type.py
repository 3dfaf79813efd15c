"""Check 1: is the request body of a media type this route accepts? (``415`` otherwise)

``Content-Type`` is matched on its type/subtype, case-insensitively, parameters aside. Two refinements:

* a configured ``application/json`` also accepts structured-syntax suffixes (``application/vnd.acme+json``,
  RFC 6839), which are JSON documents by definition;
* a ``charset`` parameter, when present on a JSON type, must be UTF-8: JSON exchanged between systems is
  UTF-8 (RFC 8259 §8.1), and a body announced as Latin-1 would be parsed as something it is not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kong_plugins.ai_input_guard.rejection import FieldProblem, Rejection

__all__ = ["MediaTypePolicy", "parse_media_type"]

JSON_TYPE = "application/json"
_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-")
_MAX_HEADER_LENGTH = 1024


def parse_media_type(value: str) -> tuple[str, dict[str, str]] | None:
    """``"Application/JSON; charset=UTF-8"`` → ``("application/json", {"charset": "utf-8"})``.

    None when the value is not a media type at all.
    """
    if len(value) > _MAX_HEADER_LENGTH:
        return None
    essence, *raw_params = value.split(";")
    media_type = essence.strip().lower()
    main, slash, sub = media_type.partition("/")
    if not slash or not main or not sub or not set(main) <= _TOKEN_CHARS or not set(sub) <= _TOKEN_CHARS:
        return None
    params: dict[str, str] = {}
    for raw in raw_params:
        name, equals, param_value = raw.partition("=")
        name = name.strip().lower()
        if not name:
            continue
        if not equals:
            return None
        params[name] = param_value.strip().strip('"').lower()
    return media_type, params


def _is_json(media_type: str) -> bool:
    return media_type == JSON_TYPE or media_type.endswith("+json")


@dataclass(frozen=True)
class MediaTypePolicy:
    """The media types a route accepts (lowercase ``type/subtype``)."""

    allowed: frozenset[str]

    @classmethod
    def of(cls, types: Iterable[str]) -> MediaTypePolicy:
        return cls(frozenset(t.strip().lower() for t in types))

    def accepts(self, media_type: str) -> bool:
        if media_type in self.allowed:
            return True
        return JSON_TYPE in self.allowed and media_type.startswith("application/") and _is_json(media_type)

    def check(self, header: str | None) -> None:
        """Raise a 415 :class:`Rejection` unless ``header`` names an accepted type (with a usable charset)."""
        expected = ", ".join(sorted(self.allowed))
        parsed = parse_media_type(header) if header else None
        if parsed is None:
            problem = "missing Content-Type" if not header else "malformed Content-Type"
            raise Rejection(
                415,
                "content_type",
                "missing" if not header else "malformed",
                FieldProblem("", f"{problem}; expected {expected}"),
            )
        media_type, params = parsed
        if not self.accepts(media_type):
            raise Rejection(
                415,
                "content_type",
                "not_allowed",
                FieldProblem("", f"Content-Type is not accepted; expected {expected}"),  # never quoted
            )
        charset = params.get("charset")
        if charset is not None and _is_json(media_type) and charset not in ("utf-8", "utf8"):
            raise Rejection(
                415, "content_type", "charset", FieldProblem("", "JSON bodies must be UTF-8 (charset=utf-8)")
            )
