"""Where a request's tenant can come from, and how the candidates from several sources become one tenant.

The handler reads the request once (headers, path, consumer) and hands the values to :class:`TenantSources`,
which reads every configured source **in the configured order** and returns the candidates. Then
:func:`choose_tenant` applies the rules:

* no candidate: no tenant (the handler answers 401 when ``required``);
* every candidate names the same tenant: that tenant, reported with the first source that named it;
* two candidates disagree: 403, whatever their order (a request cannot be both tenants).

A source that is present but unacceptable stops the request at once: an invalid or unknown credential (JWT,
API key) is 401, a tenant id with the wrong syntax or an ambiguous header is 403. A source that is simply
absent (no ``Authorization``, a path that does not match) yields nothing. Tenant ids are syntax-checked here,
before anything else sees them (the API key lookup in Redis uses the key's hash, never a client string).

Every refusal uses the generic message of its status (``Unauthorized``/``Forbidden``) and carries the reason
in ``log_reason`` only, so two different failures cannot be told apart from the response body. This module
never touches ``kong``: the JWT verifier and the API key lookup are given to it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kong_plugins.ai_tenant_resolver.api_keys import DISPLAY_PREFIX_LENGTH, is_well_formed_key
from kong_plugins.ai_tenant_resolver.jwt_verify import JwtVerifier, TokenRejected
from kong_plugins.ai_tenant_resolver.path_pattern import MAX_PATH_LENGTH, PathPattern
from kong_plugins.ai_tenant_resolver.tenant_id import InvalidTenantId, check_tenant_id
from kong_plugins.core.errors import Forbidden, Unauthorized

__all__ = [
    "API_KEY",
    "CONSUMER",
    "HEADER",
    "JWT",
    "PATH",
    "SOURCES",
    "Candidate",
    "RequestInputs",
    "TenantSources",
    "bearer_token",
    "choose_tenant",
    "consumer_tenant",
    "header_values",
    "path_tenant",
]

JWT = "jwt"
HEADER = "header"
PATH = "path"
CONSUMER = "consumer"
API_KEY = "api_key"
SOURCES = (JWT, HEADER, PATH, CONSUMER, API_KEY)
"""Every tenant source, in the order of the documentation."""

CONSUMER_TAG_PREFIX = "tenant:"
MAX_CONSUMER_TAGS = 256
_BEARER = re.compile(r"[Bb][Ee][Aa][Rr][Ee][Rr] +(?P<token>\S+) *", re.ASCII)


@dataclass(frozen=True)
class Candidate:
    """A tenant id some source named (already syntax-checked)."""

    source: str
    tenant_id: str
    roles: tuple[str, ...] = ()  # the jwt source, with jwt.roles_claim
    key_prefix: str | None = None  # the api_key source: the key's display prefix (never the key)


@dataclass(frozen=True)
class RequestInputs:
    """What the handler read from Kong: only what the configured sources need.

    ``headers`` is ``kong.request.get_headers()`` (lower-cased names, each value a list of strings; empty when
    not read), ``path`` is ``kong.request.get_path()`` and ``consumer`` is ``kong.client.get_consumer()``.
    """

    headers: Mapping[str, Any]
    path: str | None = None
    consumer: Mapping[str, Any] | None = None


def header_values(headers: Mapping[str, Any], name: str) -> list[str]:
    """Every value of header ``name`` (case-insensitive), as Kong's ``get_headers`` gives them."""
    value = headers.get(name.lower())
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return []


def _single(headers: Mapping[str, Any], name: str, refuse: Callable[[str], Exception]) -> str | None:
    values = header_values(headers, name)
    if len(values) > 1:
        raise refuse(f"header {name} sent {len(values)} times")
    return values[0] if values else None


def _unauthorized(reason: str) -> Unauthorized:
    return Unauthorized(log_reason=reason)


def _forbidden(reason: str) -> Forbidden:
    return Forbidden(log_reason=reason)


def _checked(source: str, value: object) -> str:
    try:
        return check_tenant_id(value)
    except InvalidTenantId as exc:
        raise _forbidden(f"{source}: invalid tenant id ({exc})") from exc


def bearer_token(headers: Mapping[str, Any], header_name: str) -> str | None:
    """The token of ``<header_name>: Bearer <token>``; None when absent or another scheme (e.g. Basic).

    Raises 401 when the header is repeated or the bearer value is empty.
    """
    value = _single(headers, header_name, _unauthorized)
    if value is None:
        return None
    stripped = value.strip()
    if stripped[:7].lower() != "bearer ":
        if stripped.lower() == "bearer":
            raise _unauthorized("jwt: empty bearer token")
        return None
    match = _BEARER.fullmatch(stripped)
    if match is None:
        raise _unauthorized("jwt: malformed bearer credentials")
    return match.group("token")


def path_tenant(pattern: PathPattern, path: str | None) -> str | None:
    """The ``tenant`` group of ``pattern`` in ``path`` (None when it does not match).

    A path longer than :data:`MAX_PATH_LENGTH`, or with bytes that are not UTF-8, is refused (403) rather
    than skipped: skipping it would let another source pick the tenant of a request whose path names a
    different one.
    """
    if not isinstance(path, str):
        return None
    if len(path) > MAX_PATH_LENGTH:
        raise _forbidden(f"path: longer than {MAX_PATH_LENGTH} characters")
    if not path.isascii() and not _is_utf8(path):
        # raw bytes that are not UTF-8 reach us as lone surrogates; RE2 cannot read them, and skipping the
        # path would again let another source decide
        raise _forbidden("path: not valid UTF-8")
    match = pattern.search(path)  # RE2: linear in the path, whatever the pattern
    if match is None:
        return None
    tenant = match.group("tenant")
    if tenant is None:
        return None
    return _checked(PATH, tenant)


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def consumer_tenant(consumer: Mapping[str, Any] | None, by: str) -> str | None:
    """The tenant of an authenticated Kong consumer: its ``custom_id``, or its one ``tenant:<id>`` tag."""
    if not isinstance(consumer, Mapping):
        return None
    if by == "custom_id":
        custom_id = consumer.get("custom_id")
        if custom_id is None or custom_id == "":
            return None
        return _checked(CONSUMER, custom_id)
    tags = consumer.get("tags")
    if not isinstance(tags, list | tuple):
        return None
    named = {
        tag[len(CONSUMER_TAG_PREFIX) :]
        for tag in list(tags)[:MAX_CONSUMER_TAGS]
        if isinstance(tag, str) and tag.startswith(CONSUMER_TAG_PREFIX)
    }
    if not named:
        return None
    if len(named) > 1:
        raise _forbidden("consumer: several tenant tags")
    return _checked(CONSUMER, named.pop())


def choose_tenant(candidates: Iterable[Candidate]) -> Candidate | None:
    """The one tenant all candidates agree on (first source wins the report), None without candidates.

    Raises 403 when two candidates name different tenants.
    """
    chosen: Candidate | None = None
    for candidate in candidates:
        if chosen is None:
            chosen = candidate
        elif candidate.tenant_id != chosen.tenant_id:
            raise _forbidden(
                f"sources disagree: {chosen.source} says {chosen.tenant_id}, "
                f"{candidate.source} says {candidate.tenant_id}"
            )
    return chosen


class TenantSources:
    """The configured sources, compiled once; :meth:`candidates` runs them on one request."""

    def __init__(
        self,
        sources: Sequence[str],
        *,
        header_name: str = "X-Tenant-ID",
        path_pattern: PathPattern | None = None,
        consumer_by: str = "custom_id",
        jwt_verifier: JwtVerifier | None = None,
        jwt_header: str = "Authorization",
        api_key_header: str = "X-API-Key",
        api_key_lookup: Callable[[str], str | None] | None = None,
    ) -> None:
        unknown = [source for source in sources if source not in SOURCES]
        if unknown or not sources:
            raise ValueError(f"sources must be a non-empty list of {', '.join(SOURCES)}")
        if JWT in sources and jwt_verifier is None:
            raise ValueError("the jwt source needs a JWT verifier")
        if PATH in sources and path_pattern is None:
            raise ValueError("the path source needs a path pattern")
        if API_KEY in sources and api_key_lookup is None:
            raise ValueError("the api_key source needs an API key lookup")
        self.sources = tuple(dict.fromkeys(sources))
        self.header_name = header_name
        self.path_pattern = path_pattern
        self.consumer_by = consumer_by
        self.jwt_verifier = jwt_verifier
        self.jwt_header = jwt_header
        self.api_key_header = api_key_header
        self.api_key_lookup = api_key_lookup

    @property
    def needs_headers(self) -> bool:
        """Whether any source reads request headers (one ``get_headers`` round trip)."""
        return any(source in (JWT, HEADER, API_KEY) for source in self.sources)

    @property
    def needs_path(self) -> bool:
        return PATH in self.sources

    @property
    def needs_consumer(self) -> bool:
        return CONSUMER in self.sources

    def candidates(self, inputs: RequestInputs) -> list[Candidate]:
        """Run every source in order; raises 401/403 for a present but unacceptable source.

        May raise RedisUnavailable (the API key lookup).
        """
        found: list[Candidate] = []
        for source in self.sources:
            if source in (JWT, API_KEY):
                candidate = (
                    self._jwt_candidate(inputs.headers)
                    if source == JWT
                    else self._api_key_candidate(inputs.headers)
                )
                if candidate is not None:
                    found.append(candidate)
                continue
            tenant_id = self._read(source, inputs)
            if tenant_id is not None:
                found.append(Candidate(source, tenant_id))
        return found

    def _read(self, source: str, inputs: RequestInputs) -> str | None:
        if source == HEADER:
            value = _single(inputs.headers, self.header_name, _forbidden)
            return None if value is None else _checked(HEADER, value)
        if source == PATH:
            assert self.path_pattern is not None
            return path_tenant(self.path_pattern, inputs.path)
        assert source == CONSUMER
        return consumer_tenant(inputs.consumer, self.consumer_by)

    def _jwt_candidate(self, headers: Mapping[str, Any]) -> Candidate | None:
        token = bearer_token(headers, self.jwt_header)
        if token is None:
            return None
        assert self.jwt_verifier is not None
        try:
            claims = self.jwt_verifier.verify(token)
        except TokenRejected as exc:
            raise _unauthorized(f"jwt: {exc.reason}") from exc
        value = self.jwt_verifier.tenant_claim(claims)
        if value is None:
            raise _unauthorized("jwt: the tenant claim is missing")
        try:
            tenant_id = check_tenant_id(value)
        except InvalidTenantId as exc:
            raise _unauthorized(f"jwt: invalid tenant id in the tenant claim ({exc})") from exc
        return Candidate(JWT, tenant_id, self.jwt_verifier.roles(claims))

    def _api_key_candidate(self, headers: Mapping[str, Any]) -> Candidate | None:
        """The key's tenant, with the key's display prefix (what ``kong-ai keys list`` shows: the per-key
        probing metrics of core/metrics.py count by it; the key itself goes no further)."""
        key = _single(headers, self.api_key_header, _unauthorized)
        if key is None:
            return None
        key = key.strip()
        assert self.api_key_lookup is not None
        tenant_id = self.api_key_lookup(key)
        if tenant_id is None:
            raise _unauthorized("api_key: unknown, revoked, expired or malformed key")
        try:
            tenant_id = check_tenant_id(tenant_id)
        except InvalidTenantId as exc:
            raise _unauthorized(f"api_key: the key maps to an invalid tenant id ({exc})") from exc
        prefix = key[:DISPLAY_PREFIX_LENGTH] if is_well_formed_key(key) else None
        return Candidate(API_KEY, tenant_id, key_prefix=prefix)
