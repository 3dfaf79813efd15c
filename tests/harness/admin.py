"""Kong's Admin API (the subset the project uses), transport-agnostic, over the :class:`~harness.store.Store`.

``AdminApi(store, catalog).handle(method, path, query, headers, body)`` returns ``(status, headers, body)``
answering as Kong 3.9.1 does (kong/api/{init,endpoints,api_helpers,arguments}.lua, kong/api/routes/
{kong,health,plugins}.lua, kong/db/errors.lua):

* ``201`` + entity on create, ``200`` on read/update, ``204`` on delete (also when there was nothing to
  delete), collections as ``{"data": [...], "next": null}`` (``offset``/``next`` when there are more);
* ``404 {"message": "Not found"}``, ``405 {"message": "Method not allowed"}``, ``400 {"message": "Cannot parse
  JSON body"}``, ``415`` for other content types; DAO errors as Kong's ``err_t``: ``400`` schema violation
  (code 2, with ``fields``; plugin ``config`` errors from ``validate_config``), ``409`` unique violation (code
  5), ``400`` foreign key violation (code 4) or unresolved foreign key (code 13), ``404`` (code 6) when
  updating something that does not exist;
* bodies are JSON or ``application/x-www-form-urlencoded`` (``config.key_names[1]=apikey``, ``paths[]=/a``,
  ``service.name=svc``; values typed from the schema, ``""`` meaning null);
* ``PATCH`` merges (records field by field, arrays replaced) and re-validates; every change bumps the store
  version, so the next proxied request restarts plugin instances with a new ``__seq__``.

Endpoints: ``/``, ``/status``, ``/services``, ``/routes``, ``/consumers``, ``/plugins``, ``/upstreams``
(collection + entity, ``PUT`` too), ``/services/{s}/routes``, ``/{services,routes,consumers}/{x}/plugins``,
``/routes/{r}/service``, ``/consumers/{c}/key-auth``, ``/consumers/{c}/jwt``, ``/key-auths``, ``/jwts``,
``/consumer_groups``, ``/consumer_groups/{g}/consumers[/{c}]``, ``/consumers/{c}/consumer_groups[/{g}]`` (Kong
Gateway Enterprise's consumer groups, shapes as Kong/go-kong reads them; only when the store emulates
Enterprise: Kong OSS answers them 404 ``{"message":"Not found"}``),
``/upstreams/{u}/targets``, ``/plugins/enabled``, ``/plugins/schema/{name}``, ``/schemas/plugins/{name}``,
``POST /schemas/plugins/validate``. Not emulated: multipart bodies, ``/config``, ``/tags``, certificates,
RBAC.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import re
import socket
import time
import urllib.parse
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from harness.store import (
    SCHEMAS,
    EntityError,
    ErrorCode,
    Field,
    PluginCatalog,
    PluginSchemaInfo,
    Store,
    ValidateConfig,
    dump_record_fields,
    foreign_id,
)

KONG_VERSION = "3.9.1"
LUA_VERSION = "LuaJIT 2.1.0-20231117"
MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_FORM_FIELDS = 1000
MAX_ARGUMENT_DEPTH = 32  # dots and brackets in one form argument name (config.redis.port, paths[1])
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

Response = tuple[int, list[tuple[str, str]], bytes]

# Admin API collection name -> entity kind (``admin_api_name`` in the daos).
COLLECTIONS = {
    "services": "services",
    "routes": "routes",
    "consumers": "consumers",
    "plugins": "plugins",
    "upstreams": "upstreams",
    "key-auths": "keyauth_credentials",
    "jwts": "jwt_secrets",
    "consumer_groups": "consumer_groups",
}
# parent kind -> nested collection name -> (child kind, the child's field pointing at the parent)
NESTED = {
    "services": {"routes": ("routes", "service"), "plugins": ("plugins", "service")},
    "routes": {"plugins": ("plugins", "route")},
    "consumers": {
        "plugins": ("plugins", "consumer"),
        "key-auth": ("keyauth_credentials", "consumer"),
        "jwt": ("jwt_secrets", "consumer"),
    },
    "upstreams": {"targets": ("targets", "upstream")},
}


class _HttpError(Exception):
    def __init__(self, status: int, body: Any = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def _not_found() -> _HttpError:
    return _HttpError(404, {"message": "Not found"})


def _method_not_allowed() -> _HttpError:
    return _HttpError(405, {"message": "Method not allowed"})


@dataclass
class _Request:
    method: str
    parts: list[str]
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


# =============================================================================================== arguments


def _field_to_dump(fdef: Field) -> dict[str, Any]:
    """An entity field in the dump format (what argument inference and ``/schemas`` read)."""
    out: dict[str, Any] = {"type": fdef.type}
    if fdef.required:
        out["required"] = True
    if fdef.elements is not None:
        out["elements"] = _field_to_dump(fdef.elements)
    if fdef.values is not None:
        out["values"] = _field_to_dump(fdef.values)
    if fdef.fields:
        out["fields"] = [{name: _field_to_dump(sub)} for name, sub in fdef.fields]
    if fdef.reference:
        out["reference"] = fdef.reference
    return out


def _key_to_path(key: str) -> list[Any]:
    """api_helpers.lua ``key_to_path``: ``x[1].y`` -> ["x", 1, "y"]; ``x[]`` -> ["x", APPEND]."""
    m = re.fullmatch(r"(.+)\[(\d*)\]", key)
    if m:
        return [*_key_to_path(m.group(1)), int(m.group(2)) if m.group(2) else _APPEND]
    m = re.fullmatch(r"(.+?)\.(.+)", key)
    if m:
        return [*_key_to_path(m.group(1)), *_key_to_path(m.group(2))]
    return [key]


_APPEND = object()


def _decode_form(body: bytes) -> dict[str, Any]:
    """A urlencoded body as Kong's ``normalize_nested_params`` builds it (arrays still keyed by position)."""
    try:
        pairs = urllib.parse.parse_qsl(
            body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS
        )
    except ValueError as exc:
        raise _HttpError(400, {"message": str(exc)}) from None
    out: dict[Any, Any] = {}
    for key, value in pairs:
        if key.count(".") + key.count("[") > MAX_ARGUMENT_DEPTH:
            raise _HttpError(400, {"message": f"argument '{key[:64]}' is nested too deeply"})
        path = _key_to_path(key)
        node = out
        for i, step in enumerate(path):
            last = i == len(path) - 1
            if step is _APPEND:
                step = max((k for k in node if isinstance(k, int)), default=0) + 1
            if last:
                if step in node and not isinstance(node[step], dict):
                    existing = node[step]
                    node[step] = [*(existing if isinstance(existing, list) else [existing]), value]
                else:
                    node[step] = value
            else:
                child = node.get(step)
                if not isinstance(child, dict):
                    child = {} if child is None else {1: child}
                    node[step] = child
                node = child
    return out


def _positional(value: dict[Any, Any]) -> list[Any] | None:
    if value and all(isinstance(k, int) for k in value):
        return [value[k] for k in sorted(value)]
    return None


def _infer(value: Any, fdef: Mapping[str, Any] | None) -> Any:
    """arguments.lua ``infer_value``: strings from a form typed by the schema; ``""`` is null."""
    if isinstance(value, dict):
        listed = _positional(value)
        if listed is not None:
            value = listed
    if fdef is None:
        if isinstance(value, dict):
            return {k: _infer(v, None) for k, v in value.items()}
        if isinstance(value, list):
            return [_infer(v, None) for v in value]
        return value
    if value == "":
        return None
    kind = fdef.get("type")
    if kind in ("number", "integer") and isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
            return float(text)
        return value
    if kind == "boolean" and isinstance(value, str):
        return {"true": True, "false": False}.get(value, value)
    if kind in ("array", "set"):
        items = value if isinstance(value, list) else [value]
        return [_infer(item, fdef.get("elements")) for item in items]
    if kind == "map" and isinstance(value, dict):
        return {k: _infer(v, fdef.get("values")) for k, v in value.items()}
    if kind == "record" and isinstance(value, dict):
        fields = dict(dump_record_fields(fdef))
        return {k: _infer(v, fields.get(k)) for k, v in value.items()}
    if kind == "foreign" and isinstance(value, dict):
        return {k: _infer(v, None) for k, v in value.items()}
    return value


# =============================================================================================== the API


class AdminApi:
    """Kong's Admin API over a :class:`~harness.store.Store`."""

    def __init__(
        self,
        store: Store,
        catalog: Mapping[str, PluginSchemaInfo],
        validate: ValidateConfig | None = None,
        *,
        node_id: str | None = None,
        hostname: str | None = None,
        configuration: Mapping[str, Any] | None = None,
        db_less: bool = False,
        clock: Callable[[], float] = time.monotonic,
        log: Callable[[str, str], None] | None = None,
        statistics: Callable[[], Mapping[str, int]] | None = None,
    ) -> None:
        self.store = store
        self._statistics = statistics
        self.catalog = catalog
        self.plugins = PluginCatalog(catalog, validate)
        self.node_id = node_id or str(uuid.uuid4())
        self.hostname = hostname or socket.gethostname()
        self.configuration = dict(configuration or {})
        self.db_less = db_less
        self._clock = clock
        self._log = log

    # ------------------------------------------------------------------------------------- transport
    def handle(self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes) -> Response:
        """Answer one Admin API request. ``headers`` maps (case-insensitively) names to values."""
        started = self._clock()
        lower = {str(k).lower(): str(v) for k, v in headers.items()}
        try:
            if len(body) > MAX_BODY_BYTES:
                raise _HttpError(413, {"message": "Request Entity Too Large"})
            parts = [urllib.parse.unquote(p) for p in path.split("?", 1)[0].split("/") if p]
            request = _Request(
                method.upper(),
                parts,
                urllib.parse.parse_qs(query or "", keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS),
                lower,
                body,
            )
            status, payload, extra = self._dispatch(request)
        except _HttpError as exc:
            status, payload, extra = exc.status, exc.body, []
        except EntityError as exc:
            status, payload, extra = exc.http_status, exc.body(), []
        except Exception as exc:  # the server boundary: Kong's handle_error answers 500
            if self._log is not None:
                self._log("err", f"admin API: {method} {path}: {exc!r}")
            status, payload, extra = 500, {"message": "An unexpected error occurred"}, []
        latency = int((self._clock() - started) * 1000)
        out_headers: list[tuple[str, str]] = []
        data = b""
        if payload is not None and status != 204:
            out_headers.append(("Content-Type", "application/json; charset=utf-8"))
            data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        out_headers += [
            ("Access-Control-Allow-Origin", lower.get("origin", "*")),
            ("Access-Control-Allow-Credentials", "true"),
            ("X-Kong-Admin-Latency", str(latency)),
            ("Server", f"kong/{KONG_VERSION}"),
            *extra,
        ]
        return status, out_headers, data

    # ------------------------------------------------------------------------------------- routing
    def _dispatch(self, req: _Request) -> tuple[int, Any, list[tuple[str, str]]]:
        parts = req.parts
        routes: list[tuple[str, Callable[[], tuple[int, Any]]]] = []
        if not parts:
            routes = [("GET", self._node_info)]
        elif parts == ["status"]:
            routes = [("GET", self._status)]
        elif parts == ["plugins", "enabled"]:
            routes = [("GET", lambda: (200, {"enabled_plugins": sorted(self.catalog)}))]
        elif len(parts) == 3 and parts[:2] == ["plugins", "schema"]:
            routes = [("GET", lambda: self._plugin_config_schema(parts[2]))]
        elif parts == ["schemas", "plugins", "validate"]:
            routes = [("POST", lambda: self._validate_plugin(req))]
        elif len(parts) == 3 and parts[:2] == ["schemas", "plugins"]:
            routes = [("GET", lambda: self._plugin_schema(parts[2]))]
        elif parts[0] in COLLECTIONS and (parts[0] != "consumer_groups" or self.store.enterprise):
            routes = self._entity_routes(req)
        if not routes:
            raise _not_found()
        allowed = sorted(
            {m for m, _ in routes} | ({"HEAD"} if any(m == "GET" for m, _ in routes) else set()) | {"OPTIONS"}
        )
        if req.method == "OPTIONS":
            methods = ", ".join(allowed)
            return (
                204,
                None,
                [
                    ("Allow", methods),
                    ("Access-Control-Allow-Methods", methods),
                    (
                        "Access-Control-Allow-Headers",
                        req.headers.get("access-control-request-headers", "Content-Type"),
                    ),
                ],
            )
        wanted = "GET" if req.method == "HEAD" else req.method
        for method, action in routes:
            if method == wanted:
                if method in ("POST", "PUT", "PATCH"):
                    self._check_content_type(req)
                status, payload = action()
                return status, payload, []
        raise _method_not_allowed()

    def _entity_routes(self, req: _Request) -> list[tuple[str, Callable[[], tuple[int, Any]]]]:
        parts = req.parts
        kind = COLLECTIONS[parts[0]]
        if len(parts) == 1:
            return [
                ("GET", lambda: self._page(req, kind, None)),
                ("POST", lambda: self._create(req, kind, None)),
            ]
        key = parts[1]
        if len(parts) == 2:
            return [
                ("GET", lambda: (200, self._entity_answer(req, kind, key))),
                ("PATCH", lambda: self._update(req, kind, key)),
                ("PUT", lambda: self._upsert(req, kind, key)),
                ("DELETE", lambda: self._delete(kind, key)),
            ]
        nested = NESTED.get(kind, {}).get(parts[2])
        membership = self._membership_routes(req, kind, key)
        if membership is not None:
            return membership
        if len(parts) == 3 and kind == "routes" and parts[2] == "service":
            return [("GET", lambda: self._route_service(key))]
        if nested is None or len(parts) > 4:
            return []
        child_kind, child_field = nested
        if len(parts) == 3:
            return [
                ("GET", lambda: self._page(req, child_kind, (kind, key, child_field))),
                ("POST", lambda: self._create(req, child_kind, (kind, key, child_field))),
            ]
        child_key = parts[3]
        scope = (kind, key, child_field)
        return [
            ("GET", lambda: (200, self._nested_entity(child_kind, child_key, scope))),
            ("PATCH", lambda: self._update(req, child_kind, child_key, scope)),
            ("DELETE", lambda: self._delete(child_kind, child_key, scope)),
        ]

    def _membership_routes(
        self, req: _Request, kind: str, key: str
    ) -> list[tuple[str, Callable[[], tuple[int, Any]]]] | None:
        """Consumer group membership (Kong Gateway Enterprise): ``/consumer_groups/{g}/consumers[/{c}]`` and
        ``/consumers/{c}/consumer_groups[/{g}]``; None for any other path, and for these on Kong OSS."""
        parts = req.parts
        pairs = {("consumer_groups", "consumers"): "consumer", ("consumers", "consumer_groups"): "group"}
        arg = pairs.get((kind, parts[2]))
        if arg is None or len(parts) > 4 or not self.store.enterprise:
            return None
        group_side = kind == "consumer_groups"
        if len(parts) == 4:
            group_key, consumer_key = (key, parts[3]) if group_side else (parts[3], key)
            return [("DELETE", lambda: self._leave(group_key, consumer_key))]
        return [
            ("GET", lambda: self._members(kind, key)),
            ("POST", lambda: self._join(req, kind, key, arg)),
            ("DELETE", lambda: self._leave_all(kind, key)),
        ]

    def _entity_answer(self, req: _Request, kind: str, key: str) -> dict[str, Any]:
        """``GET /{collection}/{key}``: the entity; a consumer group (Enterprise 3.9, as go-kong reads it) as
        ``{"consumer_group", "consumers"}``, the members left out with ``?list_consumers=false``."""
        entity = self._get_or_404(kind, key)
        if kind != "consumer_groups":
            return entity
        answer: dict[str, Any] = {"consumer_group": entity}
        if (req.query.get("list_consumers") or ["true"])[0] != "false":
            answer["consumers"] = self._members(kind, key)[1]["data"]
        return answer

    def _members(self, kind: str, key: str) -> tuple[int, Any]:
        """The other side of a membership, as a list page."""
        entity = self._get_or_404(kind, key)
        if kind == "consumer_groups":
            memberships = self.store.list("consumer_group_consumers", consumer_group=entity["id"])
            rows = [self.store.get("consumers", foreign_id(m, "consumer")) for m in memberships]
        else:
            rows = self.store.consumer_groups_of(entity["id"])
        return 200, {"data": [row for row in rows if row is not None], "next": None}

    def _join(self, req: _Request, kind: str, key: str, arg: str) -> tuple[int, Any]:
        """Add a membership: ``{"consumer": <id or username>}`` to a group, ``{"group": <id or name>}`` to a
        consumer; the answer names the entity addressed and what it now has on the other side."""
        self._refuse_db_less("consumer_group_consumers", "create")
        entity = self._get_or_404(kind, key)
        value = self._args(req, "consumer_group_consumers").get(arg)
        if not isinstance(value, str) or not value:
            raise EntityError(
                ErrorCode.SCHEMA_VIOLATION,
                f"schema violation ({arg}: required field missing)",
                {arg: "required field missing"},
            )
        other_kind = "consumers" if kind == "consumer_groups" else "consumer_groups"
        other = self.store.get(other_kind, value)
        if other is None:
            raise _not_found()
        group, consumer = (entity, other) if kind == "consumer_groups" else (other, entity)
        membership = {"consumer_group": {"id": group["id"]}, "consumer": {"id": consumer["id"]}}
        self.store.insert("consumer_group_consumers", membership)
        if kind == "consumer_groups":
            return 201, {"consumer_group": group, "consumers": [consumer]}
        return 201, {"consumer": consumer, "consumer_groups": [group]}

    def _leave_all(self, kind: str, key: str) -> tuple[int, Any]:
        """``DELETE /consumer_groups/{g}/consumers`` empties the group;
        ``DELETE /consumers/{c}/consumer_groups`` takes the consumer out of every group."""
        self._refuse_db_less("consumer_group_consumers", "delete")
        entity = self._get_or_404(kind, key)
        side = "consumer_group" if kind == "consumer_groups" else "consumer"
        for membership in self.store.list("consumer_group_consumers", **{side: entity["id"]}):
            self.store.delete("consumer_group_consumers", membership["id"])
        return 204, None

    def _leave(self, group_key: str, consumer_key: str) -> tuple[int, Any]:
        self._refuse_db_less("consumer_group_consumers", "delete")
        group = self._get_or_404("consumer_groups", group_key)
        consumer = self._get_or_404("consumers", consumer_key)
        for membership in self.store.list(
            "consumer_group_consumers", consumer_group=group["id"], consumer=consumer["id"]
        ):
            self.store.delete("consumer_group_consumers", membership["id"])
        return 204, None

    # ------------------------------------------------------------------------------------- bodies
    @staticmethod
    def _check_content_type(req: _Request) -> None:
        content_type = req.headers.get("content-type")
        if content_type is None:
            return
        lowered = content_type.lower()
        if lowered.startswith(("application/json", "application/x-www-form-urlencoded")):
            return
        if lowered.startswith("multipart/form-data"):
            raise _HttpError(
                400, {"message": "multipart/form-data bodies are not supported by the emulated Admin API"}
            )
        raise _HttpError(415, None)

    def _args(self, req: _Request, kind: str, plugin_name: str | None = None) -> dict[str, Any]:
        """The request's arguments: the JSON object, or the form typed like arguments.lua does."""
        content_type = (req.headers.get("content-type") or "").lower()
        if "application/json" in content_type:
            try:
                args = json.loads(req.body.decode("utf-8")) if req.body.strip() else {}
            except (ValueError, RecursionError):
                raise _HttpError(400, {"message": "Cannot parse JSON body"}) from None
            if isinstance(args, list) and not args:
                args = {}
            if not isinstance(args, dict):
                raise _HttpError(400, {"message": "Cannot parse JSON body"})
            return args
        form = _decode_form(req.body) if req.body else {}
        fields = {name: _field_to_dump(fdef) for name, fdef in SCHEMAS[kind].fields}
        name = form.get("name") if isinstance(form.get("name"), str) else plugin_name
        if kind == "plugins" and isinstance(name, str) and name in self.catalog:
            fields["config"] = self.plugins.config_record(name)
        return {k: _infer(v, fields.get(k)) if isinstance(k, str) else v for k, v in form.items()}

    def _refuse_db_less(self, kind: str, action: str) -> None:
        if self.db_less:
            raise EntityError(
                ErrorCode.OPERATION_UNSUPPORTED,
                f"cannot {action} '{kind}' entities when not using a database",
            )

    # ------------------------------------------------------------------------------------- entities
    def _get_or_404(self, kind: str, key: str) -> dict[str, Any]:
        entity = self.store.get(kind, key)
        if entity is None:
            raise _not_found()
        return entity

    def _parent(self, scope: tuple[str, str, str]) -> dict[str, Any]:
        parent_kind, parent_key, _ = scope
        return self._get_or_404(parent_kind, parent_key)

    def _nested_entity(self, kind: str, key: str, scope: tuple[str, str, str]) -> dict[str, Any]:
        parent = self._parent(scope)
        entity = self._find_nested(kind, key, parent, scope)
        if entity is None:
            raise _not_found()
        return entity

    def _find_nested(
        self, kind: str, key: str, parent: Mapping[str, Any], scope: tuple[str, str, str]
    ) -> dict[str, Any] | None:
        entity = self.store.get(kind, key)
        if entity is None and kind == "targets":
            entity = next(
                (
                    t
                    for t in self.store.list("targets", upstream=parent["id"])
                    if t.get("target") in (key, f"{key}:8000")
                ),
                None,
            )
        if entity is None or foreign_id(entity, scope[2]) != parent["id"]:
            return None
        return entity

    def _page(self, req: _Request, kind: str, scope: tuple[str, str, str] | None) -> tuple[int, Any]:
        where: dict[str, Any] = {}
        if scope is not None:
            where[scope[2]] = self._parent(scope)["id"]
        rows = self.store.list(kind, **where)
        tags_arg = (req.query.get("tags") or [None])[0]
        if tags_arg is not None:
            rows = _filter_tags(rows, tags_arg)
        size = DEFAULT_PAGE_SIZE
        size_arg = (req.query.get("size") or [None])[0]
        if size_arg is not None:
            try:
                number = float(size_arg)
            except ValueError:
                raise EntityError(ErrorCode.INVALID_SIZE, "size must be a number") from None
            if not (number.is_integer() and 1 <= number <= MAX_PAGE_SIZE):
                raise EntityError(
                    ErrorCode.INVALID_SIZE, f"size must be an integer between 1 and {MAX_PAGE_SIZE}"
                )
            size = int(number)
        start = 0
        offset_arg = (req.query.get("offset") or [None])[0]
        if offset_arg is not None:
            start = _decode_offset(offset_arg)
        page = rows[start : start + size]
        out: dict[str, Any] = {"data": page}
        if start + size < len(rows):
            token = base64.b64encode(json.dumps([start + size]).encode()).decode()
            base = "/" + "/".join(urllib.parse.quote(p, safe="") for p in req.parts)
            extra = (f"&tags={urllib.parse.quote(tags_arg)}" if tags_arg and scope is None else "") + (
                f"&size={size_arg}" if size_arg and scope is None else ""
            )
            out["offset"] = token
            out["next"] = f"{base}?offset={urllib.parse.quote(token, safe='')}{extra}"
        else:
            out["next"] = None
        return 200, out

    def _create(self, req: _Request, kind: str, scope: tuple[str, str, str] | None) -> tuple[int, Any]:
        self._refuse_db_less(kind, "create")
        parent = self._parent(scope) if scope is not None else None
        args = self._args(req, kind)
        if scope is not None and parent is not None:
            args[scope[2]] = {"id": parent["id"]}
        if kind == "plugins":
            self.store.check_plugin_protocols(args)
        return 201, self.store.insert(kind, args, plugins=self.plugins)

    def _update(
        self, req: _Request, kind: str, key: str, scope: tuple[str, str, str] | None = None
    ) -> tuple[int, Any]:
        self._refuse_db_less(kind, "update")
        current = self.store.get(kind, key)
        parent: dict[str, Any] | None = None
        if scope is not None:
            parent = self._parent(scope)
            current = self._find_nested(kind, key, parent, scope)
            if current is None:
                raise _not_found()
            key = current["id"]
        if kind == "plugins" and current is None:
            raise _not_found()  # patch_plugin reads the plugin first, to know its schema
        args = self._args(req, kind, plugin_name=current.get("name") if current else None)
        if kind == "plugins" and current is not None:
            if scope is not None and parent is not None and scope[2] not in args:
                args[scope[2]] = {"id": parent["id"]}  # endpoints.lua patch_entity_endpoint
            self._check_updated_plugin_protocols(args, current)
        return 200, self.store.update(kind, key, args, plugins=self.plugins)

    def _check_updated_plugin_protocols(self, args: dict[str, Any], current: Mapping[str, Any]) -> None:
        """dao/plugins.lua ``Plugins:update``: when the patch names ``protocols``, ``service`` or ``route``
        (a JSON null counts: ``ngx.null`` is truthy), the missing ones are read from the stored plugin and
        the protocols check runs on the result."""
        if not any(name in args for name in ("protocols", "service", "route")):
            return
        merged = dict(args)
        for name in ("protocols", "service", "route"):
            if name not in merged and current.get(name) is not None:
                merged[name] = current[name]
        self.store.check_plugin_protocols(merged)

    def _upsert(self, req: _Request, kind: str, key: str) -> tuple[int, Any]:
        self._refuse_db_less(kind, "create")
        current = self.store.get(kind, key)
        args = self._args(req, kind, plugin_name=current.get("name") if current else None)
        if kind == "plugins":
            self.store.check_plugin_protocols(args)
        return 200, self.store.upsert(kind, key, args, plugins=self.plugins)

    def _delete(self, kind: str, key: str, scope: tuple[str, str, str] | None = None) -> tuple[int, Any]:
        self._refuse_db_less(kind, "delete")
        if scope is not None:
            parent = self._parent(scope)
            current = self._find_nested(kind, key, parent, scope)
            if current is None:
                raise _not_found()
            key = current["id"]
        self.store.delete(kind, key)
        return 204, None

    def _route_service(self, key: str) -> tuple[int, Any]:
        route = self._get_or_404("routes", key)
        service_id = foreign_id(route, "service")
        if service_id is None:
            raise _not_found()
        return 200, self._get_or_404("services", service_id)

    # ------------------------------------------------------------------------------------- node & schemas
    def _node_info(self) -> tuple[int, Any]:
        available = {
            name: {"version": getattr(info, "version", None), "priority": getattr(info, "priority", None)}
            for name, info in self.catalog.items()
        }
        enabled: list[str] = []
        for plugin in self.store.plugins():
            if plugin["name"] not in enabled:
                enabled.append(plugin["name"])
        configuration = {
            "database": "off" if self.db_less else "postgres",
            "router_flavor": "traditional_compatible",
            "plugins": ["bundled", *sorted(n for n in self.catalog if not _is_bundled(self.catalog[n]))],
            "loaded_plugins": {name: True for name in self.catalog},
            **self.configuration,
        }
        return 200, {
            "tagline": "Welcome to kong",
            "version": KONG_VERSION,
            "edition": "community",
            "hostname": self.hostname,
            "node_id": self.node_id,
            "timers": {"running": 0, "pending": 0},
            "plugins": {"available_on_server": available, "enabled_in_cluster": enabled},
            "lua_version": LUA_VERSION,
            "configuration": configuration,
            "pids": {"master": os.getpid(), "workers": [os.getpid()]},
        }

    def _status(self) -> tuple[int, Any]:
        body: dict[str, Any] = {
            "memory": {
                "workers_lua_vms": [{"http_allocated_gc": "0.00 MiB", "pid": os.getpid()}],
                "lua_shared_dicts": {},
            },
            # kong.nginx.get_statistics(): the gateway's listeners' counters (zeros when there are none)
            "server": dict(self._statistics())
            if self._statistics
            else dict.fromkeys(
                (
                    "connections_accepted",
                    "connections_active",
                    "connections_handled",
                    "connections_reading",
                    "connections_waiting",
                    "connections_writing",
                    "total_requests",
                ),
                0,
            ),
        }
        if self.db_less:
            body["configuration_hash"] = f"{self.store.version:032x}"
        else:
            body["database"] = {"reachable": True}
        return 200, body

    def _plugin_schema(self, name: str) -> tuple[int, Any]:
        """``/schemas/plugins/{name}``: the plugin's own (sub)schema, records made required as Kong's
        ``Entity.new_subschema`` does, as ``{"fields": [...], "entity_checks": [...]}``."""
        info = self.catalog.get(name)
        if info is None:
            raise _HttpError(404, {"message": f"No plugin named '{name}'"})
        schema = copy.deepcopy(dict(info.schema))
        fields = schema.get("fields") or []
        for item in fields:
            for fname, fdef in item.items():
                if isinstance(fdef, dict) and fdef.get("type") == "record":
                    _make_records_required(fdef)
                    if fname == "config":
                        fdef["required"] = True
        return 200, {"fields": fields, "entity_checks": schema.get("entity_checks") or []}

    def _plugin_config_schema(self, name: str) -> tuple[int, Any]:
        """Deprecated ``/plugins/schema/{name}``: the ``config`` record alone."""
        if name not in self.catalog:
            raise _HttpError(404, {"message": f"No plugin named '{name}'"})
        record = copy.deepcopy(self.plugins.config_record(name))
        _make_records_required(record)
        return 200, {"fields": record.get("fields") or [], "entity_checks": record.get("entity_checks") or []}

    def _validate_plugin(self, req: _Request) -> tuple[int, Any]:
        args = self._args(req, "plugins")
        self.store.prepare("plugins", args, plugins=self.plugins)
        return 200, {"message": "schema validation successful"}


def _make_records_required(record: dict[str, Any]) -> None:
    """entity.lua ``make_records_required``: records reached through records default to required."""
    for item in record.get("fields") or []:
        for fdef in item.values():
            if isinstance(fdef, dict) and fdef.get("type") == "record":
                fdef.setdefault("required", True)
                _make_records_required(fdef)


def _is_bundled(info: Any) -> bool:
    return not getattr(info, "is_external", False) and getattr(info, "is_bundled", True)


def _decode_offset(token: str) -> int:
    try:
        start = json.loads(base64.b64decode(token, validate=True))[0]
        if not isinstance(start, int) or start < 0:
            raise ValueError
        return start
    except (ValueError, TypeError, IndexError, KeyError):
        raise EntityError(
            ErrorCode.INVALID_OFFSET, f"'{token}' is not a valid offset: bad base64 encoding"
        ) from None


def _filter_tags(rows: list[dict[str, Any]], tags_arg: str) -> list[dict[str, Any]]:
    """``?tags=a,b`` (all of them) or ``?tags=a/b`` (any of them)."""
    if "/" in tags_arg:
        wanted, need_all = tags_arg.split("/"), False
    else:
        wanted, need_all = tags_arg.split(","), True
    out = []
    for row in rows:
        tags = set(row.get("tags") or [])
        if all(t in tags for t in wanted) if need_all else any(t in tags for t in wanted):
            out.append(row)
    return out
