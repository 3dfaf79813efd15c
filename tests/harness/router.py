"""Kong 3.9's HTTP router, ``traditional_compatible`` flavor (the default), over the store.

What it does, as kong/router/{atc,transform,utils,fields}.lua and kong/runloop/handler.lua do:

* the request path is stripped of its query and normalized first (kong/tools/uri.lua ``normalize`` with slash
  merging: unreserved and "other" ``%XX`` decoded, reserved ones upper-cased, dot segments removed), so
  ``/anything/a%20b/../c`` routes as ``/anything/c``;
* a route's conditions are ANDed: ``methods`` (exact), ``hosts`` (exact, ``*.example.com`` suffix,
  ``example.*`` prefix, ``host:port`` also checks the port), ``paths`` (prefix, or a regex anchored at the
  start when written ``~...``; named and unnamed captures), ``headers`` (case-insensitive values, ``~*`` regex
  values);
* routes with several paths of different kinds/lengths are split like ``split_routes_and_services_by_path``
  and evaluated by descending ``(priority, uuid)`` as the ATC router does. The priority is transform.lua
  ``get_priority`` *as LuaJIT computes it*: ``lshift_uint64`` hands plain Lua numbers to ``bit.lshift``, which
  works on 32 bits (shift counts mod 32), so the match weight, header count and ``regex_priority`` land in the
  low 32 bits (sign-extended) while only the plain-host and regex bits are real 64-bit bits. Consequence (real
  Kong 3.x behaviour, unlike the layout comment in transform.lua): a plain-hosts route outranks a route with
  more conditions but no host, as long as that route has fewer than four kinds of conditions;
* routes whose protocols are all stream ones, and routes of a disabled service, are not in the router;
* the upstream URI: ``strip_path`` removes the matched prefix (or the regex's whole match), then
  ``get_upstream_uri_v0`` joins it with ``service.path``; it is finally escaped as Kong sets
  ``$upstream_uri``. ``path_handling: v1`` is ignored, as Kong ignores it under ``traditional_compatible``; it
  is honoured when the router is built with ``flavor="traditional"`` (only this part of the traditional router
  is emulated).

Left out: ``snis``/``sources``/``destinations`` matching (always true here: the harness has no TLS and no
stream subsystem), ``expressions`` routes, the protocol checks Kong makes *after* matching (426 for https-only
routes, 415/426 for gRPC): see :func:`protocol_rejection` for the former.
"""

from __future__ import annotations

import re
import threading
import uuid
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.store import HTTP_PROTOCOLS, Store, kong_regex_to_python, without_nulls

NO_ROUTE_STATUS = 404
NO_ROUTE_BODY = {"message": "no Route matched with those values"}
MAX_PATH_LENGTH = 64 * 1024

# transform.lua: ids of the routes a multi-path route is split into.
_SPLIT_NAMESPACE = uuid.UUID("7f145bf9-0dce-4f91-98eb-debbce4b9f6b")

_RESERVED = set("!*'();:@&=+$,/?%#[]")
_ESCAPE_KEEP = set("!#$&'()*+,/:;=?@[]-_.~%") | set(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)
_PCT_RE = re.compile(r"%([0-9A-Fa-f]{2})")


# =============================================================================================== uri


def _to_bytes_str(path: str) -> str:
    """The path as a "byte string" (one char per byte, latin-1), which is how Lua sees it."""
    try:
        path.encode("latin-1")
        return path
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("latin-1")


def normalize_path(uri: str, *, merge_slashes: bool = False) -> str:
    """kong/tools/uri.lua ``normalize`` (on a latin-1 "byte string", returned the same way)."""
    uri = _to_bytes_str(uri)
    if uri in ("", "/"):
        return uri
    if "%" in uri:

        def decode(m: re.Match[str]) -> str:
            char = chr(int(m.group(1), 16))
            return "%" + m.group(1).upper() if char in _RESERVED else char

        uri = _PCT_RE.sub(decode, uri)
    if "." not in uri and (not merge_slashes or "//" not in uri):
        return uri
    output: list[str] = []
    while uri:
        if uri == "/.":
            uri = "/"
        elif uri == "/..":
            uri = "/"
            if output:
                output.pop()
        elif uri in (".", ".."):
            uri = ""
        elif uri.startswith("../"):
            uri = uri[3:]
        elif uri.startswith("./") or uri.startswith("/./"):
            uri = uri[2:]
        elif uri.startswith("/../"):
            uri = uri[3:]
            if output:
                output.pop()
        elif merge_slashes and uri.startswith("//"):
            uri = uri[1:]
        else:
            slash = uri.find("/", 1)
            if slash >= 0:
                output.append(uri[:slash])
                uri = uri[slash:]
            else:
                output.append(uri)
                uri = ""
    return "".join(output)


def escape_path(uri: str) -> str:
    """kong/tools/uri.lua ``escape`` of a decoded path (text; UTF-8 on the wire): percent-encode every byte
    outside Kong's safe set, as Kong does when it sets ``$upstream_uri``."""
    raw = uri.encode("utf-8", "surrogateescape").decode("latin-1")
    return "".join(c if c in _ESCAPE_KEEP else f"%{ord(c):02X}" for c in raw)


def _text(byte_str: str) -> str:
    """A latin-1 byte string as text (UTF-8 where it decodes, byte-preserving otherwise)."""
    return byte_str.encode("latin-1").decode("utf-8", "surrogateescape")


def sanitize_uri_postfix(postfix: str) -> str:
    """kong/router/utils.lua ``sanitize_uri_postfix``."""
    if postfix in ("", None):
        return postfix
    if postfix in (".", ".."):
        return ""
    if postfix.startswith("./"):
        return postfix[2:]
    if postfix.startswith("../"):
        return postfix[3:]
    return postfix


def upstream_uri_v0(strip_path: bool, request_postfix: str, req_uri: str, upstream_base: str) -> str:
    """kong/router/utils.lua ``get_upstream_uri_v0``."""
    if upstream_base.endswith("/"):
        if strip_path:
            if request_postfix == "":
                if upstream_base == "/":
                    return "/"
                if req_uri.endswith("/"):
                    return upstream_base
                return upstream_base[:-1]
            if request_postfix.startswith("/"):
                return upstream_base[:-1] + request_postfix
            return upstream_base + request_postfix
        return upstream_base + req_uri[1:]
    if strip_path:
        if request_postfix == "":
            if len(req_uri) > 1 and req_uri.endswith("/"):
                return upstream_base + "/"
            return upstream_base
        if request_postfix.startswith("/"):
            return upstream_base + request_postfix
        return upstream_base + "/" + request_postfix
    if req_uri == "/":
        return upstream_base
    return upstream_base + req_uri


def upstream_uri_v1(strip_path: bool, request_postfix: str, req_uri: str, upstream_base: str) -> str:
    """kong/router/traditional.lua ``path_handling == "v1"``."""
    if strip_path:
        if upstream_base.endswith("/") and request_postfix.startswith("/"):
            return upstream_base[:-1] + request_postfix
        return upstream_base + request_postfix
    return upstream_base + req_uri[1:]


# =============================================================================================== priority


def _tobit(value: int) -> int:
    """LuaJIT ``bit.tobit``: wrap to a signed 32-bit integer."""
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


def _lshift32(value: int, count: int) -> int:
    """LuaJIT ``bit.lshift`` on a Lua number: 32-bit, shift count mod 32."""
    return _tobit(_tobit(value) << (count % 32))


def route_priority(route: Mapping[str, Any], paths: list[str]) -> int:
    """transform.lua ``get_priority`` for an http route (one path group), as an unsigned 64-bit integer."""
    weight = 0
    for name in ("sources", "destinations", "methods", "hosts"):
        if route.get(name):
            weight += 1
    headers = route.get("headers") or {}
    headers_count = min(len(headers), 255) if isinstance(headers, Mapping) else 0
    if headers_count:
        weight += 1
    if route.get("snis"):
        weight += 1
    hosts = route.get("hosts")
    plain_host_only = isinstance(hosts, list) and not any("*" in h for h in hosts)
    regex_url = False
    uri_length = 0
    if paths:
        weight += 1
        regex_url = paths[0].startswith("~")
        uri_length = 0 if regex_url else len(paths[0])
    regex_priority = int(route.get("regex_priority") or 0) if regex_url else 0
    low = (
        _lshift32(weight, 61)
        | _lshift32(headers_count, 52)
        | _lshift32(regex_priority, 19)
        | (uri_length & 0x7FFFF)
    )
    priority = low & 0xFFFFFFFFFFFFFFFF  # a negative int32 is sign-extended to 64 bits
    if plain_host_only:
        priority |= 1 << 60
    if regex_url:
        priority |= 1 << 51
    return priority


# =============================================================================================== matching


@dataclass(frozen=True)
class RouteMatchResult:
    """What the router found for a request (Kong's ``match_t``).

    ``route``/``service`` are the entities as ``kong.router.get_route/get_service`` return them (DB nulls left
    out, ``ws_id`` added). ``upstream_path`` is the escaped upstream URI without the query (``$upstream_uri``
    before Kong appends the arguments); ``upstream_uri`` the same before escaping. ``uri_captures`` is
    ``{"unnamed": [...], "named": {...}}`` where ``unnamed[i]`` is capture ``i`` (``unnamed[0]`` the whole
    regex match, ``None`` for a group that did not take part), both empty unless a regex path had groups.
    ``prefix`` is the stripped part (``X-Forwarded-Prefix`` when not ``/``); ``upstream_host`` the client's
    Host header when ``preserve_host``.
    """

    route: dict[str, Any]
    service: dict[str, Any] | None
    upstream_path: str
    upstream_uri: str
    uri_captures: dict[str, Any]
    normalized_path: str
    matched_path: str | None = None
    prefix: str | None = None
    upstream_host: str | None = None
    upstream_scheme: str | None = None
    upstream_target_host: str | None = None
    upstream_port: int | None = None


@dataclass
class _Candidate:
    priority: int
    sort_id: int
    route: dict[str, Any]
    service: dict[str, Any] | None
    paths: list[str]
    regexes: list[re.Pattern[str]] = field(default_factory=list)
    header_rules: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)


def _split_path_groups(paths: list[str]) -> list[list[str]]:
    """transform.lua ``group_by_regex_or_length``: regexes together, prefixes by length, first-seen order."""
    groups: dict[int, list[str]] = {}
    for path in paths:
        groups.setdefault(0 if path.startswith("~") else len(path), []).append(path)
    return list(groups.values())


def _header_rules(route: Mapping[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    rules = []
    headers = route.get("headers") or {}
    if isinstance(headers, Mapping):
        for name, values in headers.items():
            checks = []
            for value in values or []:
                if value.startswith("~*"):
                    checks.append(("regex", value[2:].lower()))
                else:
                    checks.append(("eq", value.lower()))
            rules.append((name.lower().replace("_", "-"), checks))
    return rules


class CompiledRouter:
    """The router for one store version."""

    def __init__(
        self,
        pairs: Iterable[tuple[dict[str, Any], dict[str, Any] | None]],
        *,
        workspace_id: str,
        flavor: str = "traditional_compatible",
    ) -> None:
        self.flavor = flavor
        self.workspace_id = workspace_id
        candidates: list[_Candidate] = []
        for route, service in pairs:
            protocols = route.get("protocols") or ["http", "https"]
            if not any(p in HTTP_PROTOCOLS for p in protocols):
                continue
            if service is not None and service.get("enabled") is False:
                continue
            paths = [p for p in (route.get("paths") or []) if isinstance(p, str)]
            groups = _split_path_groups(paths) if paths else [[]]
            for index, group in enumerate(groups, start=1):
                if len(groups) > 1:
                    sort_id = uuid.uuid5(_SPLIT_NAMESPACE, f"{route['id']}#{index}").int
                else:
                    sort_id = uuid.UUID(route["id"]).int if _is_uuid(route["id"]) else 0
                candidate = _Candidate(route_priority(route, group), sort_id, route, service, group)
                try:
                    candidate.regexes = [
                        re.compile("^" + kong_regex_to_python(p[1:])) if p.startswith("~") else re.compile("")
                        for p in group
                    ]
                    candidate.header_rules = _header_rules(route)
                except re.error:
                    continue  # Kong logs "could not add route" and leaves it out
                candidates.append(candidate)
        candidates.sort(key=lambda c: (c.priority, c.sort_id), reverse=True)
        self.candidates = candidates

    def match(
        self,
        method: str,
        host: str | None,
        path: str,
        headers: Mapping[str, list[str]],
        server_port: int | None = None,
    ) -> RouteMatchResult | None:
        req_path = path.split("?", 1)[0][:MAX_PATH_LENGTH]
        normalized = normalize_path(req_path, merge_slashes=True)
        text_path = _text(normalized)
        req_host, req_port = _split_host_port(host)
        for candidate in self.candidates:
            found = self._try(candidate, method, req_host, req_port or server_port, text_path, headers)
            if found is not None:
                matched_path, captures = found
                return self._result(candidate, host, normalized, text_path, matched_path, captures)
        return None

    @staticmethod
    def _try(
        candidate: _Candidate,
        method: str,
        host: str | None,
        port: int | None,
        path: str,
        headers: Mapping[str, list[str]],
    ) -> tuple[str | None, dict[Any, str]] | None:
        route = candidate.route
        methods = route.get("methods")
        if methods and method not in methods:
            return None
        hosts = route.get("hosts")
        if hosts and not any(_host_matches(h, host, port) for h in hosts):
            return None
        matched_path: str | None = None
        captures: dict[Any, str] = {}
        if candidate.paths:
            for route_path, regex in zip(candidate.paths, candidate.regexes, strict=True):
                if route_path.startswith("~"):
                    m = regex.match(path)
                    if m:
                        matched_path = m.group(0)
                        captures = {0: m.group(0)}
                        for i, value in enumerate(m.groups(), start=1):
                            if value is not None:
                                captures[i] = value
                        captures.update({k: v for k, v in m.groupdict().items() if v is not None})
                        break
                elif path.startswith(route_path):
                    matched_path = route_path
                    break
            else:
                return None
        for name, checks in candidate.header_rules:
            values = [v.lower() for v in headers.get(name, [])]
            if not any(_header_value_matches(kind, wanted, v) for kind, wanted in checks for v in values):
                return None
        return matched_path, captures

    def _result(
        self,
        candidate: _Candidate,
        raw_host: str | None,
        normalized: str,
        text_path: str,
        matched_path: str | None,
        captures: dict[Any, str],
    ) -> RouteMatchResult:
        route, service = candidate.route, candidate.service
        strip_path = bool(route.get("strip_path", True))
        prefix = matched_path if strip_path and matched_path is not None else None
        request_prefix = prefix if prefix is not None else "/"
        postfix = sanitize_uri_postfix(text_path[len(request_prefix) :])
        protocol = service.get("protocol") if service else None
        base = (service.get("path") if service else None) or "/"
        if protocol not in HTTP_PROTOCOLS and service is not None:
            base = "/"
        if self.flavor == "traditional" and route.get("path_handling") == "v1":
            upstream_uri = upstream_uri_v1(strip_path, postfix, text_path, base)
        else:
            upstream_uri = upstream_uri_v0(strip_path, postfix, text_path, base)
        port = service.get("port") if service else None
        if port is None and protocol in ("http", "https"):
            port = 443 if protocol == "https" else 80
        return RouteMatchResult(
            route=self._pdk_entity(route),
            service=self._pdk_entity(service) if service is not None else None,
            upstream_path=escape_path(upstream_uri),
            upstream_uri=upstream_uri,
            uri_captures=_capture_wrap(captures if len(captures) > 1 else {}),
            normalized_path=_text(normalized),
            matched_path=matched_path,
            prefix=prefix,
            upstream_host=raw_host if route.get("preserve_host") else None,
            upstream_scheme=protocol,
            upstream_target_host=service.get("host") if service else None,
            upstream_port=port,
        )

    def _pdk_entity(self, entity: Mapping[str, Any]) -> dict[str, Any]:
        out = without_nulls(dict(entity))
        out.setdefault("ws_id", self.workspace_id)
        return out


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
        return True
    except ValueError:
        return False


def _split_host_port(host: str | None) -> tuple[str | None, int | None]:
    """transform.lua ``split_host_port``: port after the first ``:`` if it is a number."""
    if not host:
        return None, None
    head, sep, tail = host.partition(":")
    if sep and tail.isdigit():
        return head, int(tail)
    return host, None


def _host_matches(route_host: str, host: str | None, port: int | None) -> bool:
    if host is None:
        return False
    wanted, wanted_port = _split_host_port(route_host)
    assert wanted is not None
    if wanted_port is not None and wanted_port != port:
        return False
    if wanted.startswith("*"):
        return host.endswith(wanted[1:])
    if wanted.endswith("*"):
        return host.startswith(wanted[:-1])
    return host == wanted


def _header_value_matches(kind: str, wanted: str, value: str) -> bool:
    if kind == "regex":
        try:
            return re.search(wanted, value) is not None
        except re.error:
            return False
    return value == wanted


def _capture_wrap(captures: Mapping[Any, str]) -> dict[str, Any]:
    """pdk/request.lua ``capture_wrap``: numeric keys to ``unnamed``, names to ``named``."""
    numbers = [k for k in captures if isinstance(k, int)]
    unnamed: list[str | None] = [None] * (max(numbers) + 1 if numbers else 0)
    for k in numbers:
        unnamed[k] = captures[k]
    named = {k: v for k, v in captures.items() if isinstance(k, str)}
    return {"unnamed": unnamed, "named": named}


def protocol_rejection(
    result: RouteMatchResult, forwarded_proto: str, request_uri: str, forwarded_host: str
) -> tuple[int, dict[str, str], Any] | None:
    """What handler.lua answers when an https-only route is hit over http: (status, headers, body) or None."""
    protocols = result.route.get("protocols") or []
    if "https" in protocols and "http" not in protocols and forwarded_proto != "https":
        code = result.route.get("https_redirect_status_code", 426)
        if code == 426:
            return (
                426,
                {"Connection": "Upgrade", "Upgrade": "TLS/1.2, HTTP/1.1"},
                {"message": "Please use HTTPS protocol"},
            )
        return code, {"Location": f"https://{forwarded_host}{request_uri}"}, None
    return None


# =============================================================================================== entry point

_CACHE: weakref.WeakKeyDictionary[Store, tuple[int, str, CompiledRouter]] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def router_for(store: Store, *, flavor: str = "traditional_compatible") -> CompiledRouter:
    """The compiled router for the store's current version (rebuilt after any change, as Kong does)."""
    with _CACHE_LOCK:
        cached = _CACHE.get(store)
        if cached and cached[0] == store.version and cached[1] == flavor:
            return cached[2]
    version, pairs = store.routes_with_services()
    compiled = CompiledRouter(pairs, workspace_id=store.workspace_id, flavor=flavor)
    with _CACHE_LOCK:
        _CACHE[store] = (version, flavor, compiled)
    return compiled


def headers_multimap(headers: Any) -> dict[str, list[str]]:
    """Request headers (a list of (name, value) pairs, values str or bytes, or a mapping) as lower-cased
    name -> values, the way the router reads ``http.headers.*``."""
    out: dict[str, list[str]] = {}
    items: Iterable[tuple[Any, Any]] = headers.items() if isinstance(headers, Mapping) else headers or []
    for name, value in items:
        key = (name.decode("latin-1") if isinstance(name, bytes) else str(name)).lower().replace("_", "-")
        values = value if isinstance(value, list) else [value]
        for v in values:
            out.setdefault(key, []).append(v.decode("latin-1") if isinstance(v, bytes) else str(v))
    return out


def match(
    store: Store,
    method: str,
    host: str | None,
    path: str,
    headers: Any = None,
    *,
    server_port: int | None = None,
    flavor: str = "traditional_compatible",
) -> RouteMatchResult | None:
    """Route a request: ``path`` is the raw request path (a query part is ignored), ``host`` the Host header.

    None means Kong answers ``404 {"message":"no Route matched with those values"}``.
    """
    return router_for(store, flavor=flavor).match(
        method, host, path, headers_multimap(headers), server_port=server_port
    )
