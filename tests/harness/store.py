"""Kong's entities in memory: the emulated gateway's database.

Like DB-less Kong, everything lives in memory, but the store also takes writes (the Admin API) the way a
database-backed Kong does. Entities look exactly like Kong's Admin API shows them: every field present, DB
nulls as ``None``, foreign keys as ``{"id": ...}``, Kong's generated fields (``id``, ``created_at``,
``updated_at``) and defaults, from kong/db/schema/entities/*.lua and the key-auth/jwt ``daos.lua`` of Kong
3.9.1. Writes are validated like Kong's DAO does (kong/db/schema/init.lua), and errors carry Kong's ``err_t``
shape (kong/db/errors.lua) so that the Admin API and the declarative loader can answer as Kong.

Every change bumps :attr:`Store.version`; the plugin runner reads it through
:meth:`Store.plugin_config_json_extras` to give plugin configs a new ``__seq__``, as Kong does when it
rebuilds the plugins iterator.

Plugin ``config`` validation needs the plugin's schema, which the store does not own: callers pass a
:class:`PluginCatalog` (the loaded plugins and ``validate_config``) to
:meth:`Store.insert`/:meth:`Store.update`.
"""

from __future__ import annotations

import base64
import copy
import ipaddress
import json
import re
import secrets
import string
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

# Kong's declarative (DB-less) default workspace id (kong/constants.lua DECLARATIVE_DEFAULT_WORKSPACE_ID).
DEFAULT_WORKSPACE_ID = "0dc6f45b-8f8d-40d2-a504-473544ee190b"

# kong/constants.lua PROTOCOLS (sorted) and the http-subsystem ones (typedefs.protocols default).
PROTOCOLS: tuple[str, ...] = ("grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough", "udp")
HTTP_PROTOCOLS: tuple[str, ...] = ("grpc", "grpcs", "http", "https")

ENTITY_KINDS: tuple[str, ...] = (
    "consumers",
    "services",
    "routes",
    "upstreams",
    "targets",
    "plugins",
    "keyauth_credentials",
    "jwt_secrets",
    "consumer_groups",
    "consumer_group_consumers",
)
# The gateway emulated: Kong OSS (the default: what this project targets) or Kong Gateway Enterprise, whose
# consumer groups (entities, Admin API, deck keys, PDK functions) Kong OSS does not have (docs/emulator.md).
EDITIONS: tuple[str, ...] = ("oss", "enterprise")
ENTERPRISE_KINDS: frozenset[str] = frozenset({"consumer_groups", "consumer_group_consumers"})

# Untrusted input: bounds on what one entity may hold.
MAX_ENTITY_DEPTH = 32
MAX_STRING_LENGTH = 1_000_000
MAX_COLLECTION_ITEMS = 10_000


# =============================================================================================== errors


class ErrorCode:
    """kong/db/errors.lua ERRORS, with the HTTP status the Admin API maps each to (kong/api/endpoints.lua)."""

    SCHEMA_VIOLATION = 2
    PRIMARY_KEY_VIOLATION = 3
    FOREIGN_KEY_VIOLATION = 4
    UNIQUE_VIOLATION = 5
    NOT_FOUND = 6
    INVALID_OFFSET = 7
    INVALID_SIZE = 9
    OPERATION_UNSUPPORTED = 12
    FOREIGN_KEYS_UNRESOLVED = 13

    NAMES: dict[int, str] = {
        2: "schema violation",
        3: "primary key violation",
        4: "foreign key violation",
        5: "unique constraint violation",
        6: "not found",
        7: "invalid offset",
        9: "invalid size",
        12: "operation unsupported",
        13: "foreign keys unresolved",
    }
    HTTP_STATUS: dict[int, int] = {2: 400, 3: 400, 4: 400, 5: 409, 6: 404, 7: 400, 9: 400, 12: 405, 13: 400}


class EntityError(Exception):
    """A DAO error in Kong's ``err_t`` shape: ``{"code", "name", "message", "fields"}``."""

    def __init__(self, code: int, message: str, fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.name = ErrorCode.NAMES[code]
        self.message = message
        self.fields = fields

    @property
    def http_status(self) -> int:
        return ErrorCode.HTTP_STATUS.get(self.code, 500)

    def body(self) -> dict[str, Any]:
        """The JSON body Kong's Admin API answers with."""
        out: dict[str, Any] = {"code": self.code, "name": self.name, "message": self.message}
        if self.fields is not None:
            out["fields"] = self.fields
        return out


def lua_pretty(value: Any) -> str:
    """Penlight's ``pretty.write(value, "")`` for the small tables Kong puts in error messages."""
    if value is None:
        return "null"  # errors.lua turns "userdata: NULL" into null
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        parts = []
        for key in sorted(value, key=str):
            shown = key if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(key)) else f"[{json.dumps(key)}]"
            parts.append(f"{shown}={lua_pretty(value[key])}")
        return "{" + ",".join(parts) + "}"
    if isinstance(value, (list, tuple)):
        return "{" + ",".join(lua_pretty(v) for v in value) + "}"
    return str(value)


def schema_violation(fields: dict[str, Any]) -> EntityError:
    """A ``schema violation`` error; message and fields come from ``kong_plugins.core.schema``'s port of
    errors.lua (``entity_schema_violation``), so entity and plugin ``config`` errors read the same."""
    from kong_plugins.core.schema import entity_schema_violation

    body = entity_schema_violation(fields)
    return EntityError(ErrorCode.SCHEMA_VIOLATION, str(body["message"]), body["fields"])


def unique_violation(values: dict[str, Any]) -> EntityError:
    return EntityError(
        ErrorCode.UNIQUE_VIOLATION, f"UNIQUE violation detected on '{lua_pretty(values)}'", values
    )


def foreign_key_violation(field_name: str, key: dict[str, Any], parent: str) -> EntityError:
    message = f"the foreign key '{lua_pretty(key)}' does not reference an existing '{parent}' entity."
    return EntityError(ErrorCode.FOREIGN_KEY_VIOLATION, message, {field_name: key})


def referenced_by_others(parent: str, child: str) -> EntityError:
    message = f"an existing '{child}' entity references this '{parent}' entity"
    return EntityError(ErrorCode.FOREIGN_KEY_VIOLATION, message, {"@referenced_by": child})


def foreign_keys_unresolved(field_name: str, key_name: str, value: Any, parent: str) -> EntityError:
    detail = (
        f"the foreign key cannot be resolved with '{lua_pretty({key_name: value})}' "
        f"for an existing '{parent}' entity"
    )
    return EntityError(
        ErrorCode.FOREIGN_KEYS_UNRESOLVED,
        f"foreign key unresolved ({field_name}.{key_name}: {detail})",
        {field_name: {key_name: detail}},
    )


def not_found(key: dict[str, Any], *, by_primary_key: bool) -> EntityError:
    what = "primary key " if by_primary_key else ""
    return EntityError(ErrorCode.NOT_FOUND, f"could not find the entity with {what}'{lua_pretty(key)}'", key)


# =============================================================================================== schemas

_NO_DEFAULT: Any = object()
ErrorValue = Any  # str | list | dict, Kong's nested field-error shape


@dataclass(frozen=True)
class Field:
    """One field of a Kong entity schema (the subset of kong/db/schema/init.lua these entities use)."""

    type: str
    required: bool = False
    default: Any = _NO_DEFAULT
    one_of: tuple[Any, ...] | None = None
    between: tuple[float, float] | None = None
    len_min: int | None = None
    elements: Field | None = None
    keys: Field | None = None
    values: Field | None = None
    fields: tuple[tuple[str, Field], ...] = ()
    reference: str | None = None
    on_delete: str | None = None  # "cascade"; None restricts, as Kong's default
    unique: bool = False
    auto: str | None = None  # "uuid" | "random" | "timestamp_s" | "timestamp_ms"
    check: Callable[[Any], str | None] | None = None
    mutually_exclusive_subsets: tuple[tuple[str, ...], ...] | None = None


EntityCheck = Callable[[dict[str, Any]], dict[str, Any] | None]


@dataclass(frozen=True)
class EntitySchema:
    """An entity: its fields in Kong's order and what the DAO does around them."""

    name: str
    fields: tuple[tuple[str, Field], ...]
    endpoint_key: str | None = None
    cache_key: tuple[str, ...] = ()
    ttl: bool = False
    checks: tuple[EntityCheck, ...] = ()
    shorthands: tuple[tuple[str, Callable[[Any], dict[str, Any] | None]], ...] = ()

    def field(self, name: str) -> Field | None:
        for fname, fdef in self.fields:
            if fname == name:
                return fdef
        return None

    @property
    def field_names(self) -> list[str]:
        return [name for name, _ in self.fields]

    def foreign_fields(self) -> list[tuple[str, Field]]:
        return [(name, fdef) for name, fdef in self.fields if fdef.type == "foreign"]


# ----------------------------------------------------------------------------------------- value checks

_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HOSTNAME_RE = re.compile(r"^[A-Za-z0-9\-._]+$")


def is_uuid(value: Any) -> bool:
    """kong.tools.uuid.is_valid_uuid."""
    return isinstance(value, str) and _UUID_RE.match(value) is not None


def hostname_type(name: str) -> str:
    """kong.tools.ip.hostname_type: "ipv6" (2+ colons), "ipv4" (digits and dots) or "name"."""
    if name.count(":") > 1:
        return "ipv6"
    if re.fullmatch(r"[\d.]+", name.replace(":", "")):
        return "ipv4"
    return "name"


def normalize_host(address: str) -> tuple[str, str, int | None] | str:
    """kong.tools.ip.normalize_ip: (type, host, port) or an error message."""
    kind = hostname_type(address)
    if kind == "ipv4":
        m = re.fullmatch(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?::(\d+))?", address)
        if not m or any(int(p) > 255 for p in m.groups()[:4]):
            return f"invalid ipv4 address: {address}"
        port = int(m.group(5)) if m.group(5) else None
        if port is not None and port > 65535:
            return "invalid port number"
        return kind, ".".join(str(int(p)) for p in m.groups()[:4]), port
    if kind == "ipv6":
        m = re.fullmatch(r"\[([^\]]*)\](?::(\d*))?", address)
        raw, port_text = (m.group(1), m.group(2)) if m else (address, None)
        try:
            host = ipaddress.IPv6Address(raw).exploded
        except ValueError:
            return "invalid ipv6 address"
        port = int(port_text) if port_text else None
        if port is not None and port > 65535:
            return "invalid port number"
        return kind, host, port
    m = re.fullmatch(r"(.*?)(?::(\d+))?", address)
    assert m is not None
    name, port_text = m.group(1), m.group(2)
    port = int(port_text) if port_text else None
    if port is not None and port > 65535:
        return "invalid port number"
    if not _HOSTNAME_RE.match(name):
        return f"invalid hostname: {address}"
    segments = name.split(".")
    for index, segment in enumerate(segments):
        if segment.endswith("-") or (segment == "" and index != len(segments) - 1):
            return f"invalid hostname: {address}"
    return kind, name, port


def _check_host(host: str) -> str | None:
    """typedefs.host: a name or an IP, without a port."""
    result = normalize_host(host)
    if isinstance(result, str):
        return "must not have a port" if result == "invalid port number" else f"invalid value: {host}"
    return "must not have a port" if result[2] is not None else None


def _check_host_with_optional_port(host: str) -> str | None:
    result = normalize_host(host)
    return result if isinstance(result, str) else None


def _check_utf8_name(name: str) -> str | None:
    if re.fullmatch(r"[A-Za-z0-9.\-_~\u0080-\U0010ffff]+", name):
        return None
    return f"invalid value '{name}': the only accepted ascii characters are alphanumerics or ., -, _, and ~"


def _check_tag(tag: str) -> str | None:
    if re.fullmatch(r"[ !-+\-.0-~\u0080-\U0010ffff]+", tag):
        return None
    return f"invalid tag '{tag}': expected printable ascii (except `,` and `/`) or valid utf-8 sequences"


def _check_header_name(name: str) -> str | None:
    if name == "":
        return "no header name provided"
    if re.fullmatch(r"[a-zA-Z0-9\-_]+", name):
        return None
    return f"bad header name '{name}', allowed characters are A-Z, a-z, 0-9, '_', and '-'"


def _percent_error(path: str) -> str | None:
    raw = re.sub(r"%[0-9a-fA-F]{2}", "___", path)
    pos = raw.find("%")
    if pos >= 0:
        return f"invalid url-encoded value: '{raw[pos : pos + 3]}'"
    return None


def _check_path(path: str) -> str | None:
    """typedefs.path: starts with /, no empty segment, RFC 3986 characters, proper %-encoding."""
    if not path.startswith("/"):
        return "should start with: /"
    if "//" in path:
        return "must not have empty segments"
    if not re.fullmatch(r"/[A-Za-z0-9.\-_~/%:@!$&'()*+,;=]*", path):
        return f"invalid path: '{path}' (characters outside of the reserved list of RFC 3986 found)"
    return _percent_error(path)


def _check_router_path(path: str) -> str | None:
    """typedefs.router_path: a prefix (normalized) or a ``~``-regex."""
    if not (path.startswith("/") or path.startswith("~/")):
        return "should start with: / (fixed path) or ~/ (regex path)"
    if "//" in path:
        return "must not have empty segments"
    percent = _percent_error(path)
    if percent:
        return percent
    if not path.startswith("~"):
        from harness.router import normalize_path  # the router owns Kong's uri normalization

        normalized = normalize_path(path, merge_slashes=True)
        if normalized != path:
            return f"non-normalized path, consider use '{normalized}' instead"
        return None
    try:
        re.compile(kong_regex_to_python(path[1:]))
    except re.error as exc:
        return f"invalid regex: '{path[1:]}' (PCRE returned: {exc})"
    return None


def kong_regex_to_python(pattern: str) -> str:
    """Kong's transform.lua rewrites ``?<`` to ``?P<`` for the Rust engine; Python wants the same."""
    return pattern.replace("?<", "?P<")


def _check_route_host(host: str) -> str | None:
    if host.count("*") > 1:
        return "invalid wildcard: must have at most one wildcard"
    if "*" in host and not (host.startswith("*.") or host.endswith(".*")):
        return "invalid wildcard: must be placed at leftmost or rightmost label"
    return _check_host_with_optional_port(host.replace("*", "abc"))


def _check_wildcard_host(host: str) -> str | None:
    """typedefs.wildcard_host (route ``snis``)."""
    if "*" in host:
        if host.index("*") not in (0, len(host) - 1):
            return "wildcard must be leftmost or rightmost character"
        if host.count("*") > 1:
            return "only one wildcard must be specified"
        host = host.replace("*", "wildcard")
    result = normalize_host(host)
    if isinstance(result, str):
        return "must not have a port" if result == "invalid port number" else f"invalid value: {host}"
    if result[0] != "name":
        return "must not be an IP"
    return "must not have a port" if result[2] is not None else None


def _check_ip_or_cidr(value: str) -> str | None:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return f"invalid ip or cidr range: '{value}'"
    return None


def _check_target(target: str) -> str | None:
    if isinstance(normalize_host(target), str):
        return f"Invalid target ('{target}'); not a valid hostname or ip address"
    return None


def _check_upstream_name(name: str) -> str | None:
    result = normalize_host(name)
    if isinstance(result, str):
        return f"Invalid name ('{name}'); must be a valid hostname"
    if result[0] != "name":
        return f"Invalid name ('{name}'); no ip addresses allowed"
    if result[2] is not None:
        return f"Invalid name ('{name}'); no port allowed"
    return None


def _check_public_key(pem: str) -> str | None:
    from cryptography.hazmat.primitives import serialization

    data = pem.encode()
    try:
        serialization.load_pem_public_key(data)
        return None
    except (ValueError, TypeError):
        pass
    try:
        serialization.load_pem_private_key(data, password=None)
        return None
    except (ValueError, TypeError):
        return "invalid key"


# ------------------------------------------------------------------------------------------ typedefs


def _uuid_field() -> Field:
    return Field("string", auto="uuid", check=lambda v: None if is_uuid(v) else "expected a valid UUID")


def _ts_field() -> Field:
    return Field("integer", auto="timestamp_s")


_TAGS = Field("set", elements=Field("string", required=True, check=_check_tag))
_NAME = Field("string", unique=True, check=_check_utf8_name)
_PORT = Field("integer", between=(0, 65535))
_TIMEOUT = Field("integer", between=(1, 2**31 - 2), default=60000)
_NETS = Field(
    "set",
    elements=Field(
        "record",
        fields=(
            ("ip", Field("string", check=_check_ip_or_cidr)),
            ("port", _PORT),
        ),
    ),
)


def _nonempty(value: Any) -> bool:
    return not (value is None or value == "" or (isinstance(value, (list, dict)) and not value))


def _conditional_null(
    if_field: str, values: tuple[str, ...], then_fields: tuple[str, ...], negate: bool
) -> EntityCheck:
    """``conditional`` entity check whose ``then_match`` is ``eq = null``."""

    def check(entity: dict[str, Any]) -> dict[str, Any] | None:
        value = entity.get(if_field)
        if value is None:
            return None
        hit = (value not in values) if negate else (value in values)
        if not hit:
            return None
        errors: dict[str, Any] = {}
        for then_field in then_fields:
            if entity.get(then_field) is not None:
                errors[then_field] = "value must be null"
                errors.setdefault("@entity", []).append(
                    f"failed conditional validation given value of field '{if_field}'"
                )
        return errors or None

    return check


def _service_url_shorthand(url: Any) -> dict[str, Any] | None:
    """services.lua ``url`` shorthand: scheme/host/port/path from one URL."""
    if not isinstance(url, str):
        return None
    m = re.fullmatch(r"(?:([A-Za-z][A-Za-z0-9+.\-]*):)?(?://([^/?#]*))?([^?#]*)(?:\?[^#]*)?(?:#.*)?", url)
    if not m:
        return None
    scheme, authority, path = m.group(1), m.group(2), m.group(3)
    host: str | None = None
    port_text: str | None = None
    if authority is not None:
        authority = authority.rsplit("@", 1)[-1]
        hm = re.fullmatch(r"(\[[^\]]*\]|[^:]*)(?::(\d*))?", authority)
        if hm:
            host = hm.group(1) or None
            port_text = hm.group(2) or None
            if host and host.startswith("["):
                host = host[1:-1]
    port = int(port_text) if port_text else None
    guessed = {80: "http", 443: "https"}.get(port or 0)
    protocol = scheme or guessed or "http"
    default_port = {"http": 80, "https": 443}.get(protocol, 80)
    return {"protocol": protocol, "host": host, "port": port or default_port, "path": path or None}


def _route_protocol_checks(entity: dict[str, Any]) -> dict[str, Any] | None:
    """routes_subschemas.lua http/grpc/stream checks and the ``snis`` conditional."""
    protocols = entity.get("protocols") or []
    errors: dict[str, Any] = {}

    def need(names: tuple[str, ...], message: str) -> None:
        if not any(_nonempty(entity.get(n)) for n in names):
            listed = ", ".join(f"'{n}'" for n in names)
            errors.setdefault("@entity", []).append(message % listed)

    if not isinstance(protocols, list):
        return None
    if "https" in protocols:
        need(
            ("methods", "hosts", "headers", "paths", "snis"), "must set one of %s when 'protocols' is 'https'"
        )
    elif "http" in protocols:
        need(("methods", "hosts", "headers", "paths"), "must set one of %s when 'protocols' is 'http'")
    if "http" in protocols or "https" in protocols:
        for name in ("sources", "destinations"):
            if _nonempty(entity.get(name)):
                errors[name] = f"cannot set '{name}' when 'protocols' is 'http' or 'https'"
    if "grpcs" in protocols:
        need(("hosts", "headers", "paths", "snis"), "must set one of %s when 'protocols' is 'grpcs'")
    elif "grpc" in protocols:
        need(("hosts", "headers", "paths"), "must set one of %s when 'protocols' is 'grpc'")
    if ("grpc" in protocols or "grpcs" in protocols) and entity.get("strip_path") is True:
        errors["strip_path"] = "cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'"
    if protocols and all(p in ("tcp", "tls", "udp") for p in protocols):
        need(
            ("sources", "destinations", "snis"),
            "must set one of %s when 'protocols' is 'tcp', 'tls' or 'udp'",
        )
    if _nonempty(entity.get("snis")) and not any(
        p in ("grpcs", "https", "tls", "tls_passthrough") for p in protocols
    ):
        errors.setdefault("@entity", []).append(
            "'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'"
        )
    return errors or None


_HOST_HEADER_ERROR = "cannot contain 'host' header, which must be specified in the 'hosts' attribute"


def _route_paths_checks(entity: dict[str, Any]) -> dict[str, Any] | None:
    headers = entity.get("headers")
    if isinstance(headers, dict):
        for name in headers:
            if isinstance(name, str) and name.lower() == "host":
                return {"headers": _HOST_HEADER_ERROR}
    return None


def _consumer_check(entity: dict[str, Any]) -> dict[str, Any] | None:
    if _nonempty(entity.get("custom_id")) or _nonempty(entity.get("username")):
        return None
    return {"@entity": ["at least one of these fields must be non-empty: 'custom_id', 'username'"]}


_ASYMMETRIC_JWT = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA")


def _jwt_secret_check(entity: dict[str, Any]) -> dict[str, Any] | None:
    if entity.get("algorithm") not in _ASYMMETRIC_JWT:
        return None
    key = entity.get("rsa_public_key")
    error = (
        "required field missing" if key is None else _check_public_key(key) if isinstance(key, str) else None
    )
    if error is None:
        return None
    return {
        "rsa_public_key": error,
        "@entity": ["failed conditional validation given value of field 'algorithm'"],
    }


def _upstream_hash_checks(entity: dict[str, Any]) -> dict[str, Any] | None:
    errors: dict[str, Any] = {}
    needs = {
        "header": ("hash_on_header", "hash_fallback_header"),
        "cookie": ("hash_on_cookie", "hash_on_cookie"),
        "query_arg": ("hash_on_query_arg", "hash_fallback_query_arg"),
        "uri_capture": ("hash_on_uri_capture", "hash_fallback_uri_capture"),
    }
    for which, idx in (("hash_on", 0), ("hash_fallback", 1)):
        value = entity.get(which)
        if value in needs and entity.get(needs[value][idx]) is None:
            errors[needs[value][idx]] = "required field missing"
            errors.setdefault("@entity", []).append(
                f"failed conditional validation given value of field '{which}'"
            )
    if entity.get("hash_on") in ("none", "cookie") and entity.get("hash_fallback") not in (None, "none"):
        errors["hash_fallback"] = "expected one of: none"
        errors.setdefault("@entity", []).append(
            "failed conditional validation given value of field 'hash_on'"
        )
    return errors or None


def _healthchecks_field() -> Field:
    def rec(items: tuple[tuple[str, Field], ...]) -> Field:
        return Field("record", required=True, fields=items)

    statuses = Field("array", elements=Field("integer", between=(100, 999)))
    one_byte = (0, 255)

    def active() -> Field:
        return rec(
            (
                ("type", Field("string", default="http", one_of=("tcp", "http", "https", "grpc", "grpcs"))),
                ("timeout", Field("number", default=1, between=(0, 65535))),
                ("concurrency", Field("integer", default=10, between=(1, 2**31))),
                ("http_path", Field("string", default="/", check=_check_path)),
                ("https_sni", Field("string")),
                ("https_verify_certificate", Field("boolean", required=True, default=True)),
                (
                    "headers",
                    Field(
                        "map",
                        keys=Field("string", check=_check_header_name),
                        values=Field("array", elements=Field("string")),
                    ),
                ),
                (
                    "healthy",
                    rec(
                        (
                            ("interval", Field("number", default=0, between=(0, 65535))),
                            ("http_statuses", Field("array", default=[200, 302], elements=statuses.elements)),
                            ("successes", Field("integer", default=0, between=one_byte)),
                        )
                    ),
                ),
                (
                    "unhealthy",
                    rec(
                        (
                            ("interval", Field("number", default=0, between=(0, 65535))),
                            (
                                "http_statuses",
                                Field(
                                    "array",
                                    default=[429, 404, 500, 501, 502, 503, 504, 505],
                                    elements=statuses.elements,
                                ),
                            ),
                            ("tcp_failures", Field("integer", default=0, between=one_byte)),
                            ("timeouts", Field("integer", default=0, between=one_byte)),
                            ("http_failures", Field("integer", default=0, between=one_byte)),
                        )
                    ),
                ),
            )
        )

    def passive() -> Field:
        return rec(
            (
                ("type", Field("string", default="http", one_of=("tcp", "http", "https", "grpc", "grpcs"))),
                (
                    "healthy",
                    rec(
                        (
                            (
                                "http_statuses",
                                Field(
                                    "array",
                                    default=[
                                        200,
                                        201,
                                        202,
                                        203,
                                        204,
                                        205,
                                        206,
                                        207,
                                        208,
                                        226,
                                        300,
                                        301,
                                        302,
                                        303,
                                        304,
                                        305,
                                        306,
                                        307,
                                        308,
                                    ],
                                    elements=statuses.elements,
                                ),
                            ),
                            ("successes", Field("integer", default=0, between=one_byte)),
                        )
                    ),
                ),
                (
                    "unhealthy",
                    rec(
                        (
                            (
                                "http_statuses",
                                Field("array", default=[429, 500, 503], elements=statuses.elements),
                            ),
                            ("tcp_failures", Field("integer", default=0, between=one_byte)),
                            ("timeouts", Field("integer", default=0, between=one_byte)),
                            ("http_failures", Field("integer", default=0, between=one_byte)),
                        )
                    ),
                ),
            )
        )

    return rec(
        (
            ("active", active()),
            ("passive", passive()),
            ("threshold", Field("number", default=0, between=(0, 100))),
        )
    )


_HASH_ON = Field(
    "string",
    default="none",
    one_of=("none", "consumer", "ip", "header", "cookie", "path", "query_arg", "uri_capture"),
)


SCHEMAS: dict[str, EntitySchema] = {
    "consumers": EntitySchema(
        "consumers",
        (
            ("id", _uuid_field()),
            ("created_at", _ts_field()),
            ("updated_at", _ts_field()),
            ("username", Field("string", unique=True)),
            ("custom_id", Field("string", unique=True)),
            ("tags", _TAGS),
        ),
        endpoint_key="username",
        checks=(_consumer_check,),
    ),
    "services": EntitySchema(
        "services",
        (
            ("id", _uuid_field()),
            ("created_at", _ts_field()),
            ("updated_at", _ts_field()),
            ("name", _NAME),
            ("retries", Field("integer", default=5, between=(0, 32767))),
            ("protocol", Field("string", required=True, default="http", one_of=PROTOCOLS)),
            ("host", Field("string", required=True, check=_check_host)),
            ("port", Field("integer", required=True, default=80, between=(0, 65535))),
            ("path", Field("string", check=_check_path)),
            ("connect_timeout", _TIMEOUT),
            ("write_timeout", _TIMEOUT),
            ("read_timeout", _TIMEOUT),
            ("tags", _TAGS),
            ("client_certificate", Field("foreign", reference="certificates")),
            ("tls_verify", Field("boolean")),
            ("tls_verify_depth", Field("integer", between=(0, 64))),
            (
                "ca_certificates",
                Field(
                    "array",
                    elements=Field("string", check=lambda v: None if is_uuid(v) else "expected a valid UUID"),
                ),
            ),
            ("enabled", Field("boolean", required=True, default=True)),
        ),
        endpoint_key="name",
        checks=(
            _conditional_null("protocol", ("tcp", "tls", "udp", "grpc", "grpcs"), ("path",), negate=False),
            _conditional_null(
                "protocol",
                ("https", "tls"),
                ("client_certificate", "tls_verify", "tls_verify_depth", "ca_certificates"),
                negate=True,
            ),
        ),
        shorthands=(("url", _service_url_shorthand),),
    ),
    "routes": EntitySchema(
        "routes",
        (
            ("id", _uuid_field()),
            ("created_at", _ts_field()),
            ("updated_at", _ts_field()),
            ("name", _NAME),
            (
                "protocols",
                Field(
                    "set",
                    required=True,
                    len_min=1,
                    default=["http", "https"],
                    elements=Field("string", one_of=PROTOCOLS),
                    mutually_exclusive_subsets=(
                        ("http", "https"),
                        ("tcp", "tls", "udp"),
                        ("tls_passthrough",),
                        ("grpc", "grpcs"),
                    ),
                ),
            ),
            (
                "https_redirect_status_code",
                Field("integer", required=True, default=426, one_of=(426, 301, 302, 307, 308)),
            ),
            ("strip_path", Field("boolean", required=True, default=True)),
            ("preserve_host", Field("boolean", required=True, default=False)),
            ("request_buffering", Field("boolean", required=True, default=True)),
            ("response_buffering", Field("boolean", required=True, default=True)),
            ("tags", _TAGS),
            ("service", Field("foreign", reference="services")),
            ("snis", Field("set", elements=Field("string", check=_check_wildcard_host))),
            ("sources", _NETS),
            ("destinations", _NETS),
            (
                "methods",
                Field(
                    "set",
                    elements=Field(
                        "string",
                        check=lambda v: None if re.fullmatch(r"[A-Z]+", v) else f"invalid value: {v}",
                    ),
                ),
            ),
            ("hosts", Field("array", elements=Field("string", check=_check_route_host))),
            ("paths", Field("array", elements=Field("string", check=_check_router_path))),
            (
                "headers",
                Field(
                    "map",
                    keys=Field("string", check=_check_header_name),
                    values=Field("array", elements=Field("string")),
                ),
            ),
            ("regex_priority", Field("integer", default=0)),
            ("path_handling", Field("string", default="v0", one_of=("v0", "v1"))),
        ),
        endpoint_key="name",
        checks=(_route_protocol_checks, _route_paths_checks),
    ),
    "upstreams": EntitySchema(
        "upstreams",
        (
            ("id", _uuid_field()),
            ("created_at", _ts_field()),
            ("name", Field("string", required=True, unique=True, check=_check_upstream_name)),
            ("updated_at", _ts_field()),
            (
                "algorithm",
                Field(
                    "string",
                    default="round-robin",
                    one_of=("consistent-hashing", "least-connections", "round-robin", "latency"),
                ),
            ),
            ("hash_on", _HASH_ON),
            ("hash_fallback", _HASH_ON),
            ("hash_on_header", Field("string", check=_check_header_name)),
            ("hash_fallback_header", Field("string", check=_check_header_name)),
            ("hash_on_cookie", Field("string")),
            ("hash_on_cookie_path", Field("string", default="/", check=_check_path)),
            ("hash_on_query_arg", Field("string", len_min=1)),
            ("hash_fallback_query_arg", Field("string", len_min=1)),
            ("hash_on_uri_capture", Field("string", len_min=1)),
            ("hash_fallback_uri_capture", Field("string", len_min=1)),
            ("slots", Field("integer", default=10000, between=(10, 2**16))),
            ("healthchecks", _healthchecks_field()),
            ("tags", _TAGS),
            ("host_header", Field("string", check=_check_host_with_optional_port)),
            ("client_certificate", Field("foreign", reference="certificates")),
            ("use_srv_name", Field("boolean", default=False)),
        ),
        endpoint_key="name",
        checks=(_upstream_hash_checks,),
    ),
    "targets": EntitySchema(
        "targets",
        (
            ("id", _uuid_field()),
            ("created_at", Field("number", auto="timestamp_ms")),
            ("updated_at", Field("number", auto="timestamp_ms")),
            ("upstream", Field("foreign", reference="upstreams", required=True, on_delete="cascade")),
            ("target", Field("string", required=True, check=_check_target)),
            ("weight", Field("integer", default=100, between=(0, 65535))),
            ("tags", _TAGS),
        ),
        endpoint_key="target",
        cache_key=("upstream", "target"),
    ),
    "plugins": EntitySchema(
        "plugins",
        (
            ("id", _uuid_field()),
            ("name", Field("string", required=True)),
            ("instance_name", _NAME),
            ("created_at", _ts_field()),
            ("updated_at", _ts_field()),
            ("route", Field("foreign", reference="routes", default=None, on_delete="cascade")),
            ("service", Field("foreign", reference="services", default=None, on_delete="cascade")),
            ("consumer", Field("foreign", reference="consumers", default=None, on_delete="cascade")),
            ("config", Field("record", required=True)),  # abstract: the plugin's own config record
            (
                "protocols",
                Field(
                    "set",
                    required=True,
                    default=list(HTTP_PROTOCOLS),
                    elements=Field("string", one_of=PROTOCOLS),
                ),
            ),
            ("enabled", Field("boolean", required=True, default=True)),
            ("tags", _TAGS),
        ),
        endpoint_key="instance_name",
        cache_key=("name", "route", "service", "consumer"),
    ),
    # Kong Gateway Enterprise only (Kong/kong 3.9 OSS has neither entity): modelled from Kong's Admin API
    # reference, as docs/emulator.md says. A membership is unique per (group, consumer).
    "consumer_groups": EntitySchema(
        "consumer_groups",
        (
            ("id", _uuid_field()),
            ("created_at", _ts_field()),
            ("updated_at", _ts_field()),
            ("name", Field("string", required=True, unique=True)),
            ("tags", _TAGS),
        ),
        endpoint_key="name",
    ),
    "consumer_group_consumers": EntitySchema(
        "consumer_group_consumers",
        (
            ("id", _uuid_field()),
            ("created_at", _ts_field()),
            (
                "consumer_group",
                Field("foreign", reference="consumer_groups", required=True, on_delete="cascade"),
            ),
            ("consumer", Field("foreign", reference="consumers", required=True, on_delete="cascade")),
        ),
        cache_key=("consumer_group", "consumer"),
    ),
    "keyauth_credentials": EntitySchema(
        "keyauth_credentials",
        (
            ("id", _uuid_field()),
            ("created_at", _ts_field()),
            ("consumer", Field("foreign", reference="consumers", required=True, on_delete="cascade")),
            ("key", Field("string", unique=True, auto="random")),
            ("tags", _TAGS),
        ),
        endpoint_key="key",
        cache_key=("key",),
        ttl=True,
    ),
    "jwt_secrets": EntitySchema(
        "jwt_secrets",
        (
            ("id", _uuid_field()),
            ("created_at", _ts_field()),
            ("consumer", Field("foreign", reference="consumers", required=True, on_delete="cascade")),
            ("key", Field("string", unique=True, auto="random")),
            ("secret", Field("string", auto="random")),
            ("rsa_public_key", Field("string")),
            (
                "algorithm",
                Field(
                    "string",
                    default="HS256",
                    one_of=(
                        "HS256",
                        "HS384",
                        "HS512",
                        "RS256",
                        "RS384",
                        "RS512",
                        "ES256",
                        "ES384",
                        "ES512",
                        "PS256",
                        "PS384",
                        "PS512",
                        "EdDSA",
                    ),
                ),
            ),
            ("tags", _TAGS),
        ),
        endpoint_key="key",
        cache_key=("key",),
        checks=(_jwt_secret_check,),
    ),
}


# ------------------------------------------------------------------------------------------ validation

_TYPE_ERRORS = {
    "string": "expected a string",
    "integer": "expected an integer",
    "number": "expected a number",
    "boolean": "expected a boolean",
    "array": "expected an array",
    "set": "expected a set",
    "map": "expected a map",
    "record": "expected a record",
    "foreign": "expected a record",
}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _coerce(fdef: Field, value: Any) -> tuple[Any, ErrorValue | None]:
    """Type-check one value (and normalize it: 80.0 -> 80, sets deduplicated); return (value, error)."""
    kind = fdef.type
    if kind == "string":
        if not isinstance(value, str):
            return value, _TYPE_ERRORS[kind]
        if len(value) > MAX_STRING_LENGTH:
            return value, f"length must be at most {MAX_STRING_LENGTH}"
        return value, None
    if kind == "integer":
        if _is_number(value) and float(value).is_integer() and abs(value) != float("inf"):
            return int(value), None
        return value, _TYPE_ERRORS[kind]
    if kind == "number":
        return (value, None) if _is_number(value) else (value, _TYPE_ERRORS[kind])
    if kind == "boolean":
        return (value, None) if isinstance(value, bool) else (value, _TYPE_ERRORS[kind])
    if kind in ("array", "set"):
        if isinstance(value, dict) and not value:
            value = []  # Lua cannot tell {} from []
        if not isinstance(value, list):
            return value, _TYPE_ERRORS[kind]
        if len(value) > MAX_COLLECTION_ITEMS:
            return value, f"length must be at most {MAX_COLLECTION_ITEMS}"
        if kind == "set":
            deduped: list[Any] = []
            for item in value:
                if item not in deduped:
                    deduped.append(item)
            value = deduped
        return value, None
    if kind in ("map", "record", "foreign"):
        if isinstance(value, list) and not value:
            value = {}
        return (value, None) if isinstance(value, dict) else (value, _TYPE_ERRORS[kind])
    return value, None


def validate_value(fdef: Field, value: Any, depth: int = 0) -> tuple[Any, ErrorValue | None]:
    """Validate a non-null value against ``fdef`` as Kong's Schema:validate_field does."""
    if depth > MAX_ENTITY_DEPTH:
        return value, "value is nested too deeply"
    value, error = _coerce(fdef, value)
    if error:
        return value, error
    if fdef.one_of is not None and value not in fdef.one_of:
        return value, "expected one of: " + ", ".join(str(v) for v in fdef.one_of)
    if fdef.between is not None and not (fdef.between[0] <= value <= fdef.between[1]):
        return value, f"value should be between {int(fdef.between[0])} and {int(fdef.between[1])}"
    if fdef.len_min is not None and len(value) < fdef.len_min:
        return value, f"length must be at least {fdef.len_min}"
    if fdef.type in ("array", "set") and fdef.elements is not None:
        errors: list[Any] = []
        out = []
        for item in value:
            if item is None:
                errors.append("required field missing")
                out.append(item)
                continue
            item, item_error = validate_value(fdef.elements, item, depth + 1)
            out.append(item)
            errors.append(item_error)
        if any(e is not None for e in errors):
            return out, errors
        value = out
        if fdef.mutually_exclusive_subsets:
            member_of: list[tuple[str, ...]] = []
            for item in value:
                for subset in fdef.mutually_exclusive_subsets:
                    if item in subset and subset not in member_of:
                        member_of.append(subset)
            if len(member_of) > 1:
                listed = ", ".join("(" + ", ".join(f"'{v}'" for v in s) + ")" for s in member_of)
                return value, f"these sets are mutually exclusive: {listed}"
    elif fdef.type == "map":
        map_errors: dict[str, Any] = {}
        out_map = {}
        for key, item in value.items():
            if fdef.keys is not None:
                _, key_error = validate_value(fdef.keys, key, depth + 1)
                if key_error:
                    map_errors[str(key)] = key_error
                    continue
            if fdef.values is not None and item is not None:
                item, item_error = validate_value(fdef.values, item, depth + 1)
                if item_error:
                    map_errors[str(key)] = item_error
            out_map[key] = item
        if map_errors:
            return value, map_errors
        value = out_map
    elif fdef.type == "record" and fdef.fields:
        value, record_errors = validate_record(fdef.fields, value, depth + 1)
        if record_errors:
            return value, record_errors
    if fdef.check is not None:
        check_error = fdef.check(value)
        if check_error:
            return value, check_error
    return value, None


def validate_record(
    fields: Sequence[tuple[str, Field]], record: dict[str, Any], depth: int = 0
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate a record whose defaults are already filled: unknown fields, required fields, values."""
    errors: dict[str, Any] = {}
    known = {name for name, _ in fields}
    for key in record:
        if key not in known:
            errors[str(key)] = "unknown field"
    out = dict(record)
    for name, fdef in fields:
        value = record.get(name)
        if value is None:
            if fdef.required:
                errors[name] = "required field missing"
            continue
        value, error = validate_value(fdef, value, depth)
        out[name] = value
        if error is not None:
            errors[name] = error
    return out, errors


def fill_defaults(
    fields: Sequence[tuple[str, Field]], record: dict[str, Any], *, now: float, depth: int = 0
) -> dict[str, Any]:
    """process_auto_fields("insert"): generated ids/keys/timestamps, defaults for absent fields, else null.

    An explicit null is kept (Kong only fills a default when the field is absent).
    """
    out = dict(record)
    for name, fdef in fields:
        present = name in out
        value = out.get(name)
        if fdef.auto in ("uuid", "random"):
            if not present:
                value = str(uuid.uuid4()) if fdef.auto == "uuid" else random_string()
        elif fdef.auto in ("timestamp_s", "timestamp_ms"):
            if name == "updated_at" or value is None:
                value = int(now) if fdef.auto == "timestamp_s" else round(now, 3)
        elif not present:
            if fdef.default is not _NO_DEFAULT:
                value = copy.deepcopy(fdef.default)
            elif fdef.type == "record" and fdef.required and fdef.fields:
                value = {}
        if fdef.type == "record" and fdef.fields and isinstance(value, dict) and depth < MAX_ENTITY_DEPTH:
            value = fill_defaults(fdef.fields, value, now=now, depth=depth + 1)
        out[name] = value
    return out


def random_string() -> str:
    """kong.tools.rand.random_string: 32 characters from base64 of 24 random bytes, '/' and '+' replaced."""
    raw = base64.b64encode(secrets.token_bytes(24)).decode()
    return "".join(
        secrets.choice(string.ascii_uppercase)
        if c == "/"
        else secrets.choice(string.ascii_lowercase)
        if c == "+"
        else c
        for c in raw
    )


def merge_values(
    fields: Sequence[tuple[str, Field]] | None, top: dict[str, Any], bottom: dict[str, Any]
) -> dict[str, Any]:
    """Schema:merge_values: ``top`` over ``bottom``; records merge field by field, the rest is replaced."""
    out = dict(bottom)
    defs = dict(fields or ())
    for key, value in top.items():
        fdef = defs.get(key)
        below = bottom.get(key)
        if (
            fdef is not None
            and fdef.type == "record"
            and fdef.fields
            and isinstance(value, dict)
            and isinstance(below, dict)
        ):
            out[key] = merge_values(fdef.fields, value, below)
        else:
            out[key] = value
    return out


def dump_record_fields(record: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The (name, field) pairs of a dump-format record (``{"type": "record", "fields": [{name: {...}}]}``)."""
    pairs = []
    for item in record.get("fields") or []:
        if isinstance(item, Mapping):
            for name, fdef in item.items():
                if isinstance(fdef, Mapping):
                    pairs.append((str(name), fdef))
    return pairs


def merge_config(record: Mapping[str, Any], top: dict[str, Any], bottom: dict[str, Any]) -> dict[str, Any]:
    """merge_values for a plugin ``config`` (dump-format record): records merge, arrays/maps replace."""
    out = dict(bottom)
    defs = dict(dump_record_fields(record))
    for key, value in top.items():
        fdef = defs.get(key)
        below = bottom.get(key)
        if (
            fdef is not None
            and fdef.get("type") == "record"
            and isinstance(value, dict)
            and isinstance(below, dict)
        ):
            out[key] = merge_config(fdef, value, below)
        else:
            out[key] = value
    return out


def without_nulls(value: Any) -> Any:
    """A copy without ``None`` map values: what Lua sees when DB nulls are read without ``nulls = true``."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def check_depth(value: Any, limit: int = MAX_ENTITY_DEPTH) -> bool:
    """True if ``value`` nests at most ``limit`` containers deep and holds at most a million values
    (checked iteratively: the input is untrusted, and YAML aliases can multiply it)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    seen = 0
    while stack:
        item, depth = stack.pop()
        seen += 1
        if depth > limit or seen > 1_000_000:
            return False
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return True


# =============================================================================================== plugins


class PluginSchemaInfo(Protocol):
    """What the store needs to know about a loaded plugin (external, from its query command, or bundled)."""

    name: str
    priority: int
    version: str
    phases: list[str]
    schema: dict[str, Any]  # dump format: {"name": ..., "fields": [{"config": {"type": "record", ...}}, ...]}


ValidateConfig = Callable[[dict[str, Any], "dict[str, Any] | None"], "tuple[dict[str, Any], dict[str, Any]]"]


def plugin_not_enabled_message(name: str) -> str:
    """plugins.lua ``subschema_error``."""
    return f"plugin '{name}' not enabled; add it to the 'plugins' configuration property"


def config_record_of(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The ``config`` record of a dump-format plugin schema (an empty record if the plugin declares none)."""
    for name, fdef in dump_record_fields(schema):
        if name == "config":
            return dict(fdef)
    return {"type": "record", "fields": []}


class PluginCatalog:
    """The loaded plugins and Kong's config validation: everything needed to validate a plugin entity."""

    def __init__(
        self, catalog: Mapping[str, PluginSchemaInfo], validate: ValidateConfig | None = None
    ) -> None:
        self.catalog = catalog
        self._validate = validate

    def knows(self, name: str) -> bool:
        return name in self.catalog

    def config_record(self, name: str) -> dict[str, Any]:
        return config_record_of(self.catalog[name].schema)

    def subschema_field(self, name: str, field_name: str) -> Mapping[str, Any] | None:
        """A top-level field the plugin's schema specializes (``typedefs.no_consumer``, ``protocols``)."""
        for fname, fdef in dump_record_fields(self.catalog[name].schema):
            if fname == field_name:
                return fdef
        return None

    def validate(self, name: str, config: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """validate_config against the plugin's config record: (normalized config, field errors)."""
        validate = self._validate
        if validate is None:
            from kong_plugins.core.schema import validate_config

            validate = validate_config
        return validate(self.config_record(name), config)


def _plugin_subschema_errors(plugins: PluginCatalog, entity: dict[str, Any]) -> dict[str, Any]:
    """The checks a plugin's own schema adds to plugin entity fields (``eq = null``, protocol choices)."""
    errors: dict[str, Any] = {}
    name = entity["name"]
    for scope in ("consumer", "route", "service"):
        fdef = plugins.subschema_field(name, scope)
        if fdef is not None and "eq" in fdef and fdef["eq"] is None and entity.get(scope) is not None:
            errors[scope] = "value must be null"
    protocols_def = plugins.subschema_field(name, "protocols")
    if protocols_def is not None and isinstance(entity.get("protocols"), list):
        allowed = (protocols_def.get("elements") or {}).get("one_of")
        if allowed:
            item_errors = [
                None if p in allowed else "expected one of: " + ", ".join(allowed)
                for p in entity["protocols"]
            ]
            if any(item_errors):
                errors["protocols"] = item_errors
    return errors


def _plugin_protocols_default(plugins: PluginCatalog | None, name: Any) -> list[str]:
    if plugins is not None and isinstance(name, str) and plugins.knows(name):
        fdef = plugins.subschema_field(name, "protocols")
        if fdef is not None and isinstance(fdef.get("default"), list):
            return list(fdef["default"])
    return list(HTTP_PROTOCOLS)


def plugin_cache_key(
    name: str, route_id: str | None, service_id: str | None, consumer_id: str | None, ws_id: str
) -> str:
    """``kong.db.plugins:cache_key(name, route, service, consumer, nil, ws_id)``: ``plugins:n:r:s:c::ws``."""
    return f"plugins:{name}:{route_id or ''}:{service_id or ''}:{consumer_id or ''}::{ws_id}"


def _ref_id(entity: Mapping[str, Any], field_name: str) -> str | None:
    ref = entity.get(field_name)
    return ref.get("id") if isinstance(ref, Mapping) else None


def plugin_config_json_extras(
    plugin: Mapping[str, Any], *, seq: int, ws_id: str, kong_version: tuple[int, int] = (3, 9)
) -> dict[str, Any]:
    """The keys plugins_iterator.lua ``get_plugin_config`` adds to a plugin's config.

    ``route_id``/``service_id``/``consumer_id``/``plugin_instance_name`` only when set (Lua nil otherwise);
    ``plugin_instance_name`` from Kong 3.2, ``__plugin_id`` from 3.3, ``__ws_id`` from 3.9 (Kong/kong#13602).
    """
    route_id, service_id, consumer_id = (
        _ref_id(plugin, "route"),
        _ref_id(plugin, "service"),
        _ref_id(plugin, "consumer"),
    )
    extras: dict[str, Any] = {}
    if route_id:
        extras["route_id"] = route_id
    if service_id:
        extras["service_id"] = service_id
    if consumer_id:
        extras["consumer_id"] = consumer_id
    if plugin.get("instance_name") and kong_version >= (3, 2):
        extras["plugin_instance_name"] = plugin["instance_name"]
    if kong_version >= (3, 3):
        extras["__plugin_id"] = plugin["id"]
    extras["__key__"] = plugin_cache_key(plugin["name"], route_id, service_id, consumer_id, ws_id)
    extras["__seq__"] = seq
    if kong_version >= (3, 9):
        extras["__ws_id"] = ws_id
    return extras


def plugin_applies_to_http(plugin: Mapping[str, Any]) -> bool:
    """plugins_iterator.lua ``should_process_plugin``: enabled, and one protocol of the http subsystem."""
    protocols = plugin.get("protocols") or list(HTTP_PROTOCOLS)
    return plugin.get("enabled", True) is not False and any(p in HTTP_PROTOCOLS for p in protocols)


# =============================================================================================== the store


@dataclass
class _Seq:
    version: int
    seq: int


@dataclass
class _Tables:
    rows: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {kind: {} for kind in ENTITY_KINDS}
    )


class Store:
    """Kong's entities in memory, thread-safe; every change bumps :attr:`version`.

    Reads return deep copies: callers may keep or change them without touching the store.
    """

    def __init__(
        self,
        workspace_id: str = DEFAULT_WORKSPACE_ID,
        *,
        clock: Callable[[], float] = time.time,
        kong_version: tuple[int, int] = (3, 9),
        edition: str = "oss",
    ) -> None:
        if edition not in EDITIONS:
            raise ValueError(f"edition must be one of {', '.join(EDITIONS)}, not {edition!r}")
        self.workspace_id = workspace_id
        self.kong_version = kong_version  # shapes the StartInstance config extras
        self.edition = edition  # the Admin API, the declarative loader and the PDK ask it (enterprise)
        self._clock = clock
        self._lock = threading.RLock()
        self._tables = _Tables()
        self._version = 0
        self._seq_counter = 0
        self._seqs: dict[str, _Seq] = {}
        self._expires: dict[str, float] = {}  # credential id -> expiry (``ttl``)

    # ------------------------------------------------------------------------------------- bookkeeping
    @property
    def enterprise(self) -> bool:
        """Kong Gateway Enterprise is emulated: consumer groups exist."""
        return self.edition == "enterprise"

    @property
    def version(self) -> int:
        """Bumped by every change (insert, update, delete, declarative reload)."""
        with self._lock:
            return self._version

    def _changed(self) -> None:
        self._version += 1

    def _rows(self, kind: str) -> dict[str, dict[str, Any]]:
        if kind not in self._tables.rows:
            raise KeyError(f"unknown entity kind: {kind}")
        return self._tables.rows[kind]

    # ------------------------------------------------------------------------------------- reads
    def get(self, kind: str, key: str | None) -> dict[str, Any] | None:
        """An entity by id, or by its endpoint key (service/route/upstream name, consumer username, ...)."""
        with self._lock:
            row = self._find(kind, key)
            return copy.deepcopy(row) if row is not None else None

    def _find(self, kind: str, key: Any) -> dict[str, Any] | None:
        """kong/api/endpoints.lua: a UUID selects by id only, anything else by the endpoint key."""
        if not isinstance(key, str):
            return None
        rows = self._rows(kind)
        if is_uuid(key):
            return rows.get(key)
        endpoint_key = SCHEMAS[kind].endpoint_key
        if endpoint_key:
            for row in rows.values():
                if row.get(endpoint_key) == key:
                    return row
        return None

    def list(self, kind: str, **where: Any) -> list[dict[str, Any]]:
        """All entities of ``kind`` in insertion order; ``where`` filters by field value, or by the referenced
        id for foreign fields (``store.list("routes", service=service_id)``)."""
        schema = SCHEMAS[kind]

        def matches(row: dict[str, Any]) -> bool:
            for key, wanted in where.items():
                fdef = schema.field(key)
                actual = _ref_id(row, key) if fdef is not None and fdef.type == "foreign" else row.get(key)
                if actual != wanted:
                    return False
            return True

        with self._lock:
            return [copy.deepcopy(row) for row in self._rows(kind).values() if matches(row)]

    def services(self) -> list[dict[str, Any]]:
        return self.list("services")

    def routes(self) -> list[dict[str, Any]]:
        return self.list("routes")

    def plugins(self) -> list[dict[str, Any]]:
        return self.list("plugins")

    def consumers(self) -> list[dict[str, Any]]:
        return self.list("consumers")

    def upstreams(self) -> list[dict[str, Any]]:
        return self.list("upstreams")

    def routes_with_services(self) -> tuple[int, list[tuple[dict[str, Any], dict[str, Any] | None]]]:
        """(version, [(route, its service or None)]) read atomically, for building the router."""
        with self._lock:
            services = self._rows("services")
            pairs = []
            for route in self._rows("routes").values():
                service_id = _ref_id(route, "service")
                service = services.get(service_id) if service_id else None
                pairs.append((copy.deepcopy(route), copy.deepcopy(service) if service else None))
            return self._version, pairs

    def load_consumer(self, consumer_id: str, search_by_username: bool = False) -> dict[str, Any] | None:
        """kong.client.load_consumer: by id, then (if asked) by username; DB nulls left out, as in Lua."""
        with self._lock:
            rows = self._rows("consumers")
            row = rows.get(consumer_id) if is_uuid(consumer_id) else None
            if row is None and search_by_username:
                row = next((r for r in rows.values() if r.get("username") == consumer_id), None)
            return without_nulls(copy.deepcopy(row)) if row is not None else None

    def consumer_groups_of(self, consumer_id: str) -> list[dict[str, Any]]:
        """The groups a consumer is a member of (Enterprise's ``authenticate_consumer_group_by_consumer_id``
        reads them), in the order the memberships were made; DB nulls left out."""
        with self._lock:
            groups = self._rows("consumer_groups")
            found = []
            for row in self._rows("consumer_group_consumers").values():
                if _ref_id(row, "consumer") == consumer_id:
                    group = groups.get(_ref_id(row, "consumer_group") or "")
                    if group is not None:
                        found.append(without_nulls(copy.deepcopy(group)))
            return found

    def keyauth_credential_by_key(self, key: str) -> dict[str, Any] | None:
        """``kong.db.keyauth_credentials:select_by_key`` (expired credentials are not returned)."""
        with self._lock:
            for row in self._rows("keyauth_credentials").values():
                if row.get("key") == key:
                    expires = self._expires.get(row["id"])
                    if expires is not None and expires <= self._clock():
                        return None
                    return copy.deepcopy(row)
            return None

    def jwt_secret_by_key(self, key: str) -> dict[str, Any] | None:
        """``kong.db.jwt_secrets:select_by_key``."""
        with self._lock:
            for row in self._rows("jwt_secrets").values():
                if row.get("key") == key:
                    return copy.deepcopy(row)
            return None

    def upstream_by_name(self, name: str) -> dict[str, Any] | None:
        """The upstream named ``name`` plus a ``targets`` list (its targets with weight > 0), or None."""
        with self._lock:
            upstream = next((u for u in self._rows("upstreams").values() if u.get("name") == name), None)
            if upstream is None:
                return None
            out = copy.deepcopy(upstream)
            out["targets"] = [
                copy.deepcopy(t)
                for t in self._rows("targets").values()
                if _ref_id(t, "upstream") == upstream["id"] and (t.get("weight") or 0) > 0
            ]
            return out

    # ------------------------------------------------------------------------------------- plugins lookup
    def _combos(self) -> dict[str, dict[tuple[str, str, str], dict[str, Any]]]:
        combos: dict[str, dict[tuple[str, str, str], dict[str, Any]]] = {}
        for plugin in self._rows("plugins").values():
            if not plugin_applies_to_http(plugin):
                continue
            key = (
                _ref_id(plugin, "route") or "",
                _ref_id(plugin, "service") or "",
                _ref_id(plugin, "consumer") or "",
            )
            combos.setdefault(plugin["name"], {})[key] = plugin
        return combos

    @staticmethod
    def _lookup(
        combos: Mapping[tuple[str, str, str], dict[str, Any]],
        route_id: str | None,
        service_id: str | None,
        consumer_id: str | None,
    ) -> dict[str, Any] | None:
        """plugins_iterator.lua ``lookup_cfg``: the most specific of the 8 scopes wins."""
        r, s, c = route_id or "", service_id or "", consumer_id or ""
        candidates = []
        if r and s and c:
            candidates.append((r, s, c))
        if r and c:
            candidates.append((r, "", c))
        if s and c:
            candidates.append(("", s, c))
        if r and s:
            candidates.append((r, s, ""))
        if c:
            candidates.append(("", "", c))
        if r:
            candidates.append((r, "", ""))
        if s:
            candidates.append(("", s, ""))
        candidates.append(("", "", ""))
        for key in candidates:
            if key in combos:
                return combos[key]
        return None

    def plugins_for(
        self, route_id: str | None, service_id: str | None, consumer_id: str | None
    ) -> dict[str, dict[str, Any]]:
        """For each plugin name, the one enabled plugin entity that applies (kong-protocol.md §7)."""
        with self._lock:
            out = {}
            for name, combos in self._combos().items():
                found = self._lookup(combos, route_id, service_id, consumer_id)
                if found is not None:
                    out[name] = copy.deepcopy(found)
            return out

    def plugin_for(
        self, name: str, route_id: str | None, service_id: str | None, consumer_id: str | None
    ) -> dict[str, Any] | None:
        """The plugin entity named ``name`` that applies to this route/service/consumer, or None."""
        with self._lock:
            combos = self._combos().get(name)
            found = self._lookup(combos, route_id, service_id, consumer_id) if combos else None
            return copy.deepcopy(found) if found is not None else None

    def global_plugins(self) -> dict[str, dict[str, Any]]:
        """Enabled plugins with no route, service or consumer (what rewrite/certificate run), by name."""
        return self.plugins_for(None, None, None)

    def global_plugin(self, name: str) -> dict[str, Any] | None:
        return self.plugin_for(name, None, None, None)

    def plugin_config_json_extras(self, plugin: Mapping[str, Any]) -> dict[str, Any]:
        """The keys Kong adds to this plugin's config JSON in StartInstance, with a ``__seq__`` that changes
        whenever the store changed since it was last handed out (Kong's plugins iterator rebuild)."""
        with self._lock:
            seq = self._seqs.get(plugin["id"])
            if seq is None or seq.version != self._version:
                self._seq_counter += 1
                seq = _Seq(self._version, self._seq_counter)
                self._seqs[plugin["id"]] = seq
            return plugin_config_json_extras(
                plugin, seq=seq.seq, ws_id=self.workspace_id, kong_version=self.kong_version
            )

    def instance_config(self, plugin: Mapping[str, Any]) -> dict[str, Any]:
        """The whole table Kong JSON-encodes into StartInstance's ``Config``: config (DB nulls left out, as
        the iterator reads rows without ``nulls``) plus :meth:`plugin_config_json_extras`."""
        return {**without_nulls(plugin.get("config") or {}), **self.plugin_config_json_extras(plugin)}

    # ------------------------------------------------------------------------------------- writes
    def insert(
        self, kind: str, data: Mapping[str, Any], *, plugins: PluginCatalog | None = None
    ) -> dict[str, Any]:
        """Validate and insert like Kong's DAO; returns the stored entity. Raises :class:`EntityError`."""
        with self._lock:
            entity = self._prepare_insert(kind, data, plugins)
            self._check_foreign_exist(kind, entity)
            self._check_unique(kind, entity, None)
            self._rows(kind)[entity["id"]] = entity
            self._set_expiry(entity)
            self._changed()
            return copy.deepcopy(entity)

    def update(
        self, kind: str, key: str, patch: Mapping[str, Any], *, plugins: PluginCatalog | None = None
    ) -> dict[str, Any]:
        """PATCH semantics (Schema:merge_values, re-validation); :class:`EntityError` (404 if absent)."""
        with self._lock:
            current = self._find(kind, key)
            if current is None:
                raise (
                    not_found({"id": key}, by_primary_key=True)
                    if is_uuid(key)
                    else not_found({SCHEMAS[kind].endpoint_key or "id": key}, by_primary_key=False)
                )
            entity = self._prepare_update(kind, current, patch, plugins)
            self._check_foreign_exist(kind, entity)
            self._check_unique(kind, entity, current["id"])
            self._rows(kind)[current["id"]] = entity
            if "ttl" in patch:
                self._set_expiry(entity)
            self._changed()
            return copy.deepcopy(entity)

    def upsert(
        self, kind: str, key: str, data: Mapping[str, Any], *, plugins: PluginCatalog | None = None
    ) -> dict[str, Any]:
        """PUT semantics: create or wholly replace the entity ``key`` (an id, or the endpoint key's value)."""
        with self._lock:
            schema = SCHEMAS[kind]
            body = dict(data)
            if is_uuid(key):
                body["id"] = key
            elif schema.endpoint_key:
                body[schema.endpoint_key] = key
            current = self._find(kind, key)
            if current is not None:
                body["id"] = current["id"]
                body.setdefault("created_at", current.get("created_at"))
            entity = self._prepare_insert(kind, body, plugins)
            self._check_foreign_exist(kind, entity)
            self._check_unique(kind, entity, current["id"] if current is not None else None)
            self._rows(kind)[entity["id"]] = entity
            self._set_expiry(entity)
            self._changed()
            return copy.deepcopy(entity)

    def _set_expiry(self, entity: dict[str, Any]) -> None:
        """Credentials with a ``ttl`` (key-auth) stop being found once it has passed."""
        ttl = entity.get("ttl")
        if ttl:
            self._expires[entity["id"]] = self._clock() + ttl
        else:
            self._expires.pop(entity["id"], None)

    def delete(self, kind: str, key: str) -> bool:
        """Delete, cascading like Kong's ``on_delete``; False if there was nothing to delete.

        Raises :class:`EntityError` (foreign key violation) if a non-cascading reference points at it, as
        deleting a service that routes still use does in Kong.
        """
        with self._lock:
            current = self._find(kind, key)
            if current is None:
                return False
            doomed = self._cascade(kind, current["id"])
            for child_kind, fname, fdef in _references_to(kind):
                if fdef.on_delete == "cascade":
                    continue
                for row in self._rows(child_kind).values():
                    if _ref_id(row, fname) in doomed.get(kind, set()) and row["id"] not in doomed.get(
                        child_kind, ()
                    ):
                        raise referenced_by_others(kind, child_kind)
            for doomed_kind, ids in doomed.items():
                for entity_id in ids:
                    self._rows(doomed_kind).pop(entity_id, None)
                    self._seqs.pop(entity_id, None)
                    self._expires.pop(entity_id, None)
            self._changed()
            return True

    def _cascade(self, kind: str, entity_id: str) -> dict[str, set[str]]:
        """The entity and everything that cascades from it, by kind."""
        doomed: dict[str, set[str]] = {kind: {entity_id}}
        pending = [(kind, entity_id)]
        while pending:
            parent_kind, parent_id = pending.pop()
            for child_kind, fname, fdef in _references_to(parent_kind):
                if fdef.on_delete != "cascade":
                    continue
                for row in self._rows(child_kind).values():
                    if _ref_id(row, fname) == parent_id and row["id"] not in doomed.setdefault(
                        child_kind, set()
                    ):
                        doomed[child_kind].add(row["id"])
                        pending.append((child_kind, row["id"]))
        return doomed

    def put_raw(self, kind: str, entity: Mapping[str, Any]) -> dict[str, Any]:
        """Store ``entity`` exactly as given (no defaults, no validation): for replaying recorded configs."""
        with self._lock:
            row = copy.deepcopy(dict(entity))
            row.setdefault("id", str(uuid.uuid4()))
            self._rows(kind)[row["id"]] = row
            self._changed()
            return copy.deepcopy(row)

    def replace_all(self, other: Store) -> None:
        """Swap in ``other``'s entities at once (a declarative reload); bumps the version."""
        with self._lock, other._lock:
            self._tables = copy.deepcopy(other._tables)
            self._expires = dict(other._expires)
            self._seqs.clear()
            self._changed()

    def clear(self) -> None:
        with self._lock:
            self._tables = _Tables()
            self._seqs.clear()
            self._expires.clear()
            self._changed()

    def check_plugin_protocols(self, plugin: Mapping[str, Any]) -> None:
        """dao/plugins.lua ``check_protocols_match``, run by ``Plugins:insert/update/upsert`` before the
        schema validation: a plugin's ``protocols`` *as sent* (nothing to check when absent) must share one
        with its route, or, for a service plugin, with at least one route of that service (a service without
        routes passes). Only ``{"id": ...}`` references are looked up (Kong's ``select`` ignores other
        forms). Raises :class:`EntityError` (schema violation on ``protocols``)."""
        protocols = plugin.get("protocols")
        if not isinstance(protocols, list | dict):  # Lua: type(plugin.protocols) ~= "table"
            return
        wanted = protocols if isinstance(protocols, list) else []  # `#` of a JSON object's table is 0
        with self._lock:
            route = plugin.get("route")
            service = plugin.get("service")
            if isinstance(route, dict):
                route_id = route.get("id")
                found = self._rows("routes").get(route_id) if isinstance(route_id, str) else None
                if found is not None and not _shares_a_protocol(wanted, found):
                    raise schema_violation({"protocols": "must match the associated route's protocols"})
            elif isinstance(service, dict) and isinstance(service.get("id"), str):
                routes = [r for r in self._rows("routes").values() if _ref_id(r, "service") == service["id"]]
                if routes and not any(_shares_a_protocol(wanted, r) for r in routes):
                    raise schema_violation(
                        {
                            "protocols": "must match the protocols of at least one route pointing to this "
                            "Plugin's service"
                        }
                    )

    def prepare(
        self, kind: str, data: Mapping[str, Any], *, plugins: PluginCatalog | None = None
    ) -> dict[str, Any]:
        """Validate ``data`` as :meth:`insert` would, without storing it or checking references/uniqueness
        (the declarative loader validates a whole file before inserting anything)."""
        with self._lock:
            return self._prepare_insert(kind, data, plugins)

    # ------------------------------------------------------------------------------------- DAO logic
    def _prepare_insert(
        self, kind: str, data: Mapping[str, Any], plugins: PluginCatalog | None
    ) -> dict[str, Any]:
        schema = SCHEMAS[kind]
        if not isinstance(data, Mapping):
            raise schema_violation({"@entity": ["expected a record"]})
        if not check_depth(data):
            raise schema_violation({"@entity": ["value is nested too deeply"]})
        raw = self._apply_shorthands(schema, dict(data))
        config_null = kind == "plugins" and "config" in raw and raw["config"] is None
        self._resolve_foreign(schema, raw)
        if kind == "plugins" and "protocols" not in raw:
            raw["protocols"] = _plugin_protocols_default(plugins, raw.get("name"))
        entity = fill_defaults(schema.fields, raw, now=self._clock())
        if kind == "targets" and isinstance(entity.get("target"), str):
            entity["target"] = _format_target(entity["target"])
        return self._validate(schema, entity, plugins, config_null=config_null)

    def _prepare_update(
        self, kind: str, current: dict[str, Any], patch: Mapping[str, Any], plugins: PluginCatalog | None
    ) -> dict[str, Any]:
        schema = SCHEMAS[kind]
        if not isinstance(patch, Mapping):
            raise schema_violation({"@entity": ["expected a record"]})
        if not check_depth(patch):
            raise schema_violation({"@entity": ["value is nested too deeply"]})
        top = self._apply_shorthands(schema, dict(patch))
        top.pop("id", None)
        self._resolve_foreign(schema, top)
        if kind == "plugins":
            name = top.get("name", current.get("name"))
            top_config = top.get("config")
            if (
                isinstance(top_config, dict)
                and plugins is not None
                and isinstance(name, str)
                and plugins.knows(name)
            ):
                top["config"] = merge_config(
                    plugins.config_record(name), top_config, current.get("config") or {}
                )
            elif isinstance(top_config, dict):
                top["config"] = {**(current.get("config") or {}), **top_config}
        entity = merge_values(schema.fields, top, current)
        if schema.field("updated_at") is not None:
            updated_at = schema.field("updated_at")
            assert updated_at is not None
            now = self._clock()
            entity["updated_at"] = int(now) if updated_at.auto == "timestamp_s" else round(now, 3)
        if kind == "targets" and isinstance(entity.get("target"), str):
            entity["target"] = _format_target(entity["target"])
        config_null = kind == "plugins" and "config" in top and top["config"] is None
        return self._validate(schema, entity, plugins, config_null=config_null)

    @staticmethod
    def _apply_shorthands(schema: EntitySchema, data: dict[str, Any]) -> dict[str, Any]:
        for name, func in schema.shorthands:
            if name in data:
                value = data.pop(name)
                if not isinstance(value, str):
                    raise schema_violation({name: "expected a string"})
                expanded = func(value)
                if expanded:
                    data.update(expanded)
        return data

    def _resolve_foreign(self, schema: EntitySchema, data: dict[str, Any]) -> None:
        """dao/init.lua ``resolve_foreign``: ``{"name": "x"}`` becomes ``{"id": ...}`` (or fails)."""
        for fname, fdef in schema.foreign_fields():
            value = data.get(fname)
            if not isinstance(value, dict) or not value or fdef.reference not in SCHEMAS:
                continue
            if is_uuid(value.get("id")) and set(value) == {"id"}:
                continue
            parent = SCHEMAS[fdef.reference]
            for key_name in [f for f, d in parent.fields if d.unique or f == parent.endpoint_key]:
                key_value = value.get(key_name)
                if not isinstance(key_value, str):
                    continue
                found = next(
                    (r for r in self._rows(fdef.reference).values() if r.get(key_name) == key_value), None
                )
                if found is None:
                    raise foreign_keys_unresolved(fname, key_name, key_value, fdef.reference)
                data[fname] = {"id": found["id"]}
                break

    def _validate(
        self,
        schema: EntitySchema,
        entity: dict[str, Any],
        plugins: PluginCatalog | None,
        *,
        config_null: bool,
    ) -> dict[str, Any]:
        fields = schema.fields
        is_plugin = schema.name == "plugins"
        if is_plugin:
            # ``config`` is abstract: validated by the plugin's own schema below.
            fields = tuple((n, d) for n, d in fields if n != "config")
        config = entity.pop("config", None) if is_plugin else None
        # ttl-enabled entities (key-auth credentials) show ``ttl`` (null when not set); it is no schema field
        ttl = entity.pop("ttl", None) if schema.ttl else None
        out, errors = validate_record(fields, entity)
        if ttl is not None and (not _is_number(ttl) or not 0 <= ttl <= 100_000_000):
            errors["ttl"] = "value should be between 0 and 100000000"
        for fname, _ in schema.foreign_fields():
            value = out.get(fname)
            if isinstance(value, dict) and fname not in errors:
                if not is_uuid(value.get("id")):
                    errors[fname] = {
                        "id": "expected a valid UUID" if "id" in value else "missing primary key"
                    }
                else:
                    out[fname] = {"id": value["id"]}
        if is_plugin:
            out["config"] = config
            errors.update(self._validate_plugin(out, errors, plugins, config_null))
        if not errors:
            for check in schema.checks:
                check_errors = check(out)
                if check_errors:
                    for key, value in check_errors.items():
                        if key == "@entity":
                            errors.setdefault("@entity", []).extend(value)
                        else:
                            errors.setdefault(key, value)
        if errors:
            raise schema_violation(errors)
        ordered = {name: out.get(name) for name, _ in schema.fields}
        ordered.update({k: v for k, v in out.items() if k not in ordered})
        if schema.ttl:
            ordered["ttl"] = ttl
        return ordered

    @staticmethod
    def _validate_plugin(
        entity: dict[str, Any], errors: dict[str, Any], plugins: PluginCatalog | None, config_null: bool
    ) -> dict[str, Any]:
        """The plugin's own schema: known name (Kong's ``subschema_error``), ``config`` through
        ``validate_config``, and the top-level fields the plugin specializes."""
        name = entity.get("name")
        config = entity.get("config")
        if plugins is None or not isinstance(name, str):
            if config is not None and not isinstance(config, dict):
                return {"config": "expected a record"}
            entity["config"] = config if isinstance(config, dict) else {}
            return {}
        if not plugins.knows(name):
            return {"name": plugin_not_enabled_message(name)}
        if config_null:
            return {"config": "required field missing"}
        normalized, config_errors = plugins.validate(name, config)
        out: dict[str, Any] = {}
        if config_errors:
            out["config"] = config_errors
        else:
            entity["config"] = normalized
        out.update({k: v for k, v in _plugin_subschema_errors(plugins, entity).items() if k not in errors})
        return out

    def _check_foreign_exist(self, kind: str, entity: dict[str, Any]) -> None:
        for fname, fdef in SCHEMAS[kind].foreign_fields():
            ref_id = _ref_id(entity, fname)
            if ref_id is None:
                continue
            rows = self._tables.rows.get(fdef.reference or "")
            if rows is None or ref_id not in rows:
                raise foreign_key_violation(fname, {"id": ref_id}, fdef.reference or "")

    def _check_unique(self, kind: str, entity: dict[str, Any], own_id: str | None) -> None:
        schema = SCHEMAS[kind]
        rows = self._rows(kind)
        if own_id is None and entity["id"] in rows:
            raise EntityError(
                ErrorCode.PRIMARY_KEY_VIOLATION,
                f"primary key violation on key '{lua_pretty({'id': entity['id']})}'",
                {"id": entity["id"]},
            )
        for fname, fdef in schema.fields:
            value = entity.get(fname)
            if not fdef.unique or value is None:
                continue
            for row in rows.values():
                if row["id"] != own_id and row["id"] != entity["id"] and row.get(fname) == value:
                    raise unique_violation({fname: value})
        if len(schema.cache_key) > 1:
            key = tuple(
                _ref_id(entity, k) if schema.field(k) and schema.field(k).type == "foreign" else entity.get(k)
                for k in schema.cache_key
            )
            for row in rows.values():
                if row["id"] in (own_id, entity["id"]):
                    continue
                other = tuple(
                    _ref_id(row, k) if schema.field(k) and schema.field(k).type == "foreign" else row.get(k)
                    for k in schema.cache_key
                )
                if other == key:
                    shown = {
                        k: (
                            {"id": v}
                            if v is not None and schema.field(k) and schema.field(k).type == "foreign"
                            else v
                        )
                        for k, v in zip(schema.cache_key, key, strict=True)
                    }
                    raise unique_violation(shown)


def _shares_a_protocol(plugin_protocols: list[Any], route: Mapping[str, Any]) -> bool:
    """dao/plugins.lua ``has_a_common_protocol_with_route``: ``route_prot[plugin_prot[i]]`` for each element.

    The route's ``protocols`` is a Kong set (schema/init.lua ``make_set``): a string is looked up among its
    values, and an integer ``n`` indexes its array part, so ``1`` .. ``#protocols`` are truthy too.
    """
    route_protocols = list(route.get("protocols") or [])
    for value in plugin_protocols:
        if isinstance(value, str) and value in route_protocols:
            return True
        if _is_number(value) and float(value).is_integer() and 1 <= value <= len(route_protocols):
            return True
    return False


def _references_to(kind: str) -> list[tuple[str, str, Field]]:
    """(child kind, field name, field) for every foreign field pointing at ``kind``."""
    return [
        (child, fname, fdef)
        for child in ENTITY_KINDS
        for fname, fdef in SCHEMAS[child].foreign_fields()
        if fdef.reference == kind
    ]


def _format_target(target: str) -> str:
    """dao/targets.lua ``format_target``: normalized address with the default port 8000."""
    result = normalize_host(target)
    if isinstance(result, str):
        return target
    kind, host, port = result
    shown = f"[{host}]" if kind == "ipv6" else host
    return f"{shown}:{port if port is not None else 8000}"


def foreign_id(entity: Mapping[str, Any], field_name: str) -> str | None:
    """The id in ``entity[field_name]`` (``{"id": ...}``), or None."""
    return _ref_id(entity, field_name)
