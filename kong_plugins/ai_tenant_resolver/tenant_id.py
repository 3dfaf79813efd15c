"""The syntax of a tenant id, checked before a value is used for anything else.

A tenant id travels into Redis keys, upstream headers, logs and the published context. Checking its shape
first, with one strict rule for every source, means no later step ever sees a value that could smuggle a
separator, a header line break or an unbounded string: anything that is not ``[A-Za-z0-9][A-Za-z0-9_-]{0,63}``
is refused before any lookup. The rule is the one the default ``path_pattern`` uses, so every source accepts
the same ids.
"""

from __future__ import annotations

import re

__all__ = ["TENANT_ID_MAX_LENGTH", "TENANT_ID_REGEX", "InvalidTenantId", "check_tenant_id", "is_tenant_id"]

TENANT_ID_MAX_LENGTH = 64
"""Longest tenant id accepted: long enough for slugs and UUIDs, short enough to bound keys and headers."""

TENANT_ID_REGEX = r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"
"""The tenant id syntax as a regular expression (ASCII letters, digits, ``_`` and ``-``, not starting with
either of the latter two), for schemas and documentation."""

_TENANT_ID = re.compile(TENANT_ID_REGEX, re.ASCII)


class InvalidTenantId(ValueError):
    """A value offered as a tenant id does not have the tenant id syntax."""


def is_tenant_id(value: object) -> bool:
    """True when ``value`` is a string with the tenant id syntax."""
    # The length test comes first so that a huge string costs nothing to refuse.
    return (
        isinstance(value, str)
        and len(value) <= TENANT_ID_MAX_LENGTH
        and _TENANT_ID.fullmatch(value) is not None
    )


def check_tenant_id(value: object) -> str:
    """Return ``value`` when it is a valid tenant id; raise :class:`InvalidTenantId` otherwise.

    The error message never repeats the value: it may be attacker-controlled and end up in a log line.
    """
    if not isinstance(value, str):
        raise InvalidTenantId(f"a tenant id must be a string, not {type(value).__name__}")
    if not value:
        raise InvalidTenantId("a tenant id must not be empty")
    if len(value) > TENANT_ID_MAX_LENGTH:
        raise InvalidTenantId(f"a tenant id has at most {TENANT_ID_MAX_LENGTH} characters, got {len(value)}")
    if _TENANT_ID.fullmatch(value) is None:
        raise InvalidTenantId(
            "a tenant id has only ASCII letters, digits, '_' and '-', and starts with a letter or digit"
        )
    return value
