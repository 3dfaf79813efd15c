"""Kong's bundled Lua plugins that our deck files use, emulated in Python on the harness's PDK.

They run in the gateway process but touch the request only through the same PDK model the Python plugins reach
over the wire (``req.call(plugin_ref, "kong.request.get_headers", [])``, ``kong.client.authenticate``,
``kong.response.error`` ...), so a Lua plugin and a Python plugin share one request exactly as in Kong: what
key-auth authenticates, ``kong.client.get_consumer`` returns to the plugins after it. Values come back in
their wire shape (headers and query arguments as lists), and are read with Lua's eyes (one value = a string,
several = a table, a bare ``?flag`` = ``true``). Credential lookups go to the :class:`~harness.store.Store`
(Kong's ``kong.db.*:select_by_key`` behind ``kong.cache``).

* ``key-auth`` (priority 1250): kong/plugins/key-auth/handler.lua at 3.9.1 - ``key_names``, key in
  header/query/body, ``hide_credentials``, ``anonymous`` (logical OR), ``run_on_preflight``, ``realm``; 401
  through ``kong.response.error`` (so the body carries ``request_id``): ``No API key found in request``,
  ``Unauthorized``, ``Duplicate API key found``, with ``WWW-Authenticate: Key``.
* ``jwt`` (priority 1450): kong/plugins/jwt/{handler,jwt_parser}.lua - tokens from ``uri_param_names``,
  ``cookie_names``, ``header_names`` (``Bearer``), the secret by ``key_claim_name`` (claims, then header),
  HS/RS/ES/PS/EdDSA, ``secret_is_base64``, ``claims_to_verify`` (exp, nbf), ``maximum_expiration``; 401
  through ``kong.response.exit`` (no ``request_id``): ``{"message": "Unauthorized"}``, ``Bad token; invalid
  JSON``, ``Invalid signature``, ``{"exp": "token expired"}`` ...

Each plugin is an object with ``name``, ``priority``, ``version``, ``phases``, ``schema`` (Kong's schema.lua
shape, as a plugin server would dump it) and ``access(req, conf, plugin_ref)``; ``run(phase, req, conf,
plugin_ref)`` returns the runner's outcome (``"done"``, ``"exit"``, ``"thrown"``).

The store: a plugin uses the one it was built with (:func:`make_bundled`), else ``req.store`` if the request
model carries one, else the store whose ``load_consumer`` the request model was given (``req.consumers``),
else the one given to :func:`bind_store`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from harness.store import HTTP_PROTOCOLS, Store, without_nulls
from kong_plugins.core.schema import array, boolean, header_name, number, record, set_, string

KONG_VERSION = "3.9.1"

DONE = "done"
EXIT = "exit"
THROWN = "thrown"

HEADER_CONSUMER_ID = "X-Consumer-ID"
HEADER_CONSUMER_CUSTOM_ID = "X-Consumer-Custom-ID"
HEADER_CONSUMER_USERNAME = "X-Consumer-Username"
HEADER_CREDENTIAL_IDENTIFIER = "X-Credential-Identifier"
HEADER_ANONYMOUS = "X-Anonymous-Consumer"

_DEFAULT_STORE: Store | None = None


def bind_store(store: Store | None) -> None:
    """The store :data:`BUNDLED`'s plugins use when neither they nor the request have one."""
    global _DEFAULT_STORE
    _DEFAULT_STORE = store


# =============================================================================================== PDK access


class _Stop(Exception):
    """The plugin's handler ends here: the PDK call exited the request, or threw."""

    def __init__(self, outcome: str) -> None:
        super().__init__(outcome)
        self.outcome = outcome


def _missing_sentinel() -> Any:
    try:
        from harness.kong_request import MISSING

        return MISSING
    except ImportError:  # pragma: no cover - the request model is written alongside
        return None


class _Pdk:
    """``kong.*`` for one plugin in one request, returning Lua's first return value (``None`` for nil)."""

    def __init__(self, req: Any, ref: Any, plugin_name: str) -> None:
        self.req = req
        self.ref = ref
        self.plugin_name = plugin_name
        self._missing = _missing_sentinel()

    def call(self, method: str, *args: Any) -> Any:
        outcome = self.req.call(self.ref, method, list(args))
        if outcome.kind == "exit":
            raise _Stop(EXIT)
        if outcome.kind == "thrown":
            raise _Stop(THROWN)
        data = outcome.data
        return None if data is self._missing else data

    def throw(self, message: str) -> _Stop:
        """A Lua ``error()`` in the handler: logged by Kong, then 500 in access."""
        log = getattr(self.req, "log", None)
        if callable(log):
            log("err", f"[kong] init.lua:405 [{self.plugin_name}] {message}")
        return _Stop(THROWN)


def _lua_value(values: Any) -> Any:
    """A multimap entry as the Lua value Kong held: one value -> string, several -> table, ``[]`` -> true."""
    if isinstance(values, list):
        if not values:
            return True
        return values[0] if len(values) == 1 else list(values)
    return values


def _header(headers: Mapping[str, Any], name: str) -> Any:
    """``ngx.req.get_headers()[name]``: case-insensitive, ``_`` matching ``-``."""
    lowered = name.lower()
    for key in (lowered, lowered.replace("_", "-")):
        if key in headers:
            return _lua_value(headers[key])
    return None


def _authenticate(
    pdk: _Pdk, consumer: Mapping[str, Any] | None, credential: Mapping[str, Any] | None, identifier_field: str
) -> None:
    """Both handlers' ``set_consumer``: ``kong.client.authenticate`` and the ``X-Consumer-*`` headers."""
    if consumer is None and credential is None:
        raise pdk.throw("either credential or consumer must be provided")
    args: list[Any] = [without_nulls(dict(consumer)) if consumer is not None else None]
    if credential is not None:
        args.append(without_nulls(dict(credential)))
    pdk.call("kong.client.authenticate", *args)
    if consumer is not None and consumer.get("id") and getattr(pdk.req, "enterprise", False):
        # Kong Gateway Enterprise's auth plugins (not OSS's): the consumer's groups, for get_consumer_groups
        pdk.call("kong.client.authenticate_consumer_group_by_consumer_id", consumer["id"])
    for header, value in (
        (HEADER_CONSUMER_ID, consumer.get("id") if consumer else None),
        (HEADER_CONSUMER_CUSTOM_ID, consumer.get("custom_id") if consumer else None),
        (HEADER_CONSUMER_USERNAME, consumer.get("username") if consumer else None),
        (HEADER_CREDENTIAL_IDENTIFIER, credential.get(identifier_field) if credential else None),
    ):
        if value:
            pdk.call("kong.service.request.set_header", header, value)
        else:
            pdk.call("kong.service.request.clear_header", header)
    if credential is not None:
        pdk.call("kong.service.request.clear_header", HEADER_ANONYMOUS)
    else:
        pdk.call("kong.service.request.set_header", HEADER_ANONYMOUS, True)


class _BundledPlugin:
    """What the runner and the catalog need of a Lua plugin."""

    name = ""
    priority = 0
    version = KONG_VERSION
    phases: list[str] = ["access"]
    schema: dict[str, Any] = {}
    is_external = False

    def __init__(self, store: Store | None = None, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    @property
    def config_record(self) -> dict[str, Any]:
        for item in self.schema["fields"]:
            if "config" in item:
                return item["config"]
        return {"type": "record", "fields": []}

    def _store(self, req: Any) -> Store:
        """Where credentials live: this plugin's store, else the request's (``req.store``, or the store whose
        ``load_consumer`` the request model was given), else :func:`bind_store`'s."""
        candidates = (
            self.store,
            getattr(req, "store", None),
            getattr(getattr(req, "consumers", None), "__self__", None),
            _DEFAULT_STORE,
        )
        for store in candidates:
            if isinstance(store, Store):
                return store
        raise RuntimeError(
            f"bundled plugin {self.name} has no store: use make_bundled(store) or bind_store()"
        )

    def run(self, phase: str, req: Any, conf: Mapping[str, Any], plugin_ref: Any) -> str:
        """The runner's entry point: the outcome of ``phase`` (``done``/``exit``/``thrown``)."""
        if phase == "access":
            return self.access(req, conf, plugin_ref)
        return DONE

    def access(self, req: Any, conf: Mapping[str, Any], plugin_ref: Any) -> str:
        pdk = _Pdk(req, plugin_ref, self.name)
        try:
            if not conf.get("run_on_preflight", True) and pdk.call("kong.request.get_method") == "OPTIONS":
                return DONE
            if conf.get("anonymous"):
                self._logical_or(pdk, req, conf)
            else:
                failure = self._authenticate(pdk, req, conf)
                if failure is not None:
                    self._reject(pdk, failure)
            return DONE
        except _Stop as stop:
            return stop.outcome

    def _logical_or(self, pdk: _Pdk, req: Any, conf: Mapping[str, Any]) -> None:
        """``anonymous`` set: keep an earlier authentication; on failure, the anonymous consumer."""
        if pdk.call("kong.client.get_credential"):
            return
        if self._authenticate(pdk, req, conf) is not None:
            consumer = self._store(req).load_consumer(str(conf["anonymous"]), True)
            _authenticate(pdk, consumer, None, "id")

    def _authenticate(self, pdk: _Pdk, req: Any, conf: Mapping[str, Any]) -> dict[str, Any] | None:
        raise NotImplementedError

    def _reject(self, pdk: _Pdk, failure: Mapping[str, Any]) -> None:
        raise NotImplementedError


def _plugin_schema(
    name: str, config_fields: list[dict[str, Any]], entity_checks: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A bundled plugin's schema.lua as a dict: ``typedefs.no_consumer``, ``protocols_http``, config."""
    schema: dict[str, Any] = {
        "name": name,
        "fields": [
            {
                "consumer": {
                    "type": "foreign",
                    "reference": "consumers",
                    "eq": None,
                    "description": "Custom type for representing a foreign key with a null value allowed.",
                }
            },
            {
                "protocols": {
                    "type": "set",
                    "required": True,
                    "default": list(HTTP_PROTOCOLS),
                    "elements": {"type": "string", "one_of": list(HTTP_PROTOCOLS)},
                    "description": "A set of strings representing HTTP protocols.",
                }
            },
            {"config": record(config_fields)},
        ],
    }
    if entity_checks:
        schema["entity_checks"] = entity_checks
    return schema


# =============================================================================================== key-auth


class KeyAuth(_BundledPlugin):
    """kong/plugins/key-auth (3.9.1)."""

    name = "key-auth"
    priority = 1250
    schema = _plugin_schema(
        "key-auth",
        [
            {
                "key_names": array(
                    header_name(),
                    required=True,
                    default=["apikey"],
                    description=(
                        "Describes an array of parameter names where the plugin will look for a key. The key "
                        "names may only contain [a-z], [A-Z], [0-9], [_] underscore, and [-] hyphen."
                    ),
                )
            },
            {
                "hide_credentials": boolean(
                    default=False,
                    description=(
                        "An optional boolean value telling the plugin to show or hide the credential from "
                        "the upstream service. If `true`, the plugin strips the credential from the request."
                    ),
                )
            },
            {
                "anonymous": string(
                    description=(
                        "An optional string (consumer UUID or username) value to use as an “anonymous” "
                        "consumer if authentication fails. If empty (default null), the request will fail "
                        "with an authentication failure `4xx`."
                    )
                )
            },
            {
                "key_in_header": boolean(
                    default=True,
                    description=(
                        "If enabled (default), the plugin reads the request header and tries to find the key "
                        "in it."
                    ),
                )
            },
            {
                "key_in_query": boolean(
                    default=True,
                    description=(
                        "If enabled (default), the plugin reads the query parameter in the request and tries "
                        "to find the key in it."
                    ),
                )
            },
            {
                "key_in_body": boolean(
                    default=False,
                    description=(
                        "If enabled, the plugin reads the request body. Supported MIME types: "
                        "`application/www-form-urlencoded`, `application/json`, and `multipart/form-data`."
                    ),
                )
            },
            {
                "run_on_preflight": boolean(
                    default=True,
                    description=(
                        "A boolean value that indicates whether the plugin should run (and try to "
                        "authenticate) on `OPTIONS` preflight requests. If set to `false`, then `OPTIONS` "
                        "requests are always allowed."
                    ),
                )
            },
            {
                "realm": string(
                    required=False,
                    description=(
                        "When authentication fails the plugin sends `WWW-Authenticate` header with `realm` "
                        "attribute value."
                    ),
                )
            },
        ],
    )

    ERR_DUPLICATE_API_KEY = "Duplicate API key found"
    ERR_NO_API_KEY = "No API key found in request"
    ERR_INVALID_AUTH_CRED = "Unauthorized"
    ERR_INVALID_PLUGIN_CONF = "Invalid plugin configuration"

    def _authenticate(self, pdk: _Pdk, req: Any, conf: Mapping[str, Any]) -> dict[str, Any] | None:
        key_names = conf.get("key_names")
        if not isinstance(key_names, list):
            log = getattr(req, "log", None)
            if callable(log):
                log("err", f"[{self.name}] no conf.key_names set, aborting plugin execution")
            return {"status": 500, "message": self.ERR_INVALID_PLUGIN_CONF}
        realm = conf.get("realm")
        www_auth = f'Key realm="{realm}"' if realm else "Key"
        headers = pdk.call("kong.request.get_headers") or {}
        query = pdk.call("kong.request.get_query") or {}
        body: Any = None
        key: Any = None

        def get_body() -> Any:
            value = pdk.call("kong.request.get_body")
            return value if isinstance(value, dict) else {}

        for name in key_names:
            value: Any = None
            if conf.get("key_in_header", True):
                value = _header(headers, name)
            if value is None and conf.get("key_in_query", True):
                value = _lua_value(query[name]) if name in query else None
            if value is None and conf.get("key_in_body", False):
                if body is None:
                    body = get_body()
                value = body.get(name) if isinstance(body, dict) else None
            if isinstance(value, str):
                key = value
                if conf.get("hide_credentials", False):
                    pdk.call("kong.service.request.clear_query_arg", name)
                    pdk.call("kong.service.request.clear_header", name)
                    if conf.get("key_in_body", False):
                        if body is None:
                            body = get_body()
                        if body:
                            body = {k: v for k, v in body.items() if k != name}
                            pdk.call("kong.service.request.set_body", body)
                break
            if isinstance(value, list):
                return {
                    "status": 401,
                    "message": self.ERR_DUPLICATE_API_KEY,
                    "headers": {"WWW-Authenticate": www_auth},
                }
        if not key:
            return {"status": 401, "message": self.ERR_NO_API_KEY, "headers": {"WWW-Authenticate": www_auth}}
        store = self._store(req)
        credential = store.keyauth_credential_by_key(key)
        if credential is None:
            return {
                "status": 401,
                "message": self.ERR_INVALID_AUTH_CRED,
                "headers": {"WWW-Authenticate": www_auth},
            }
        consumer_id = (credential.get("consumer") or {}).get("id")
        consumer = store.load_consumer(consumer_id) if consumer_id else None
        _authenticate(pdk, consumer, credential, "id")
        return None

    def _reject(self, pdk: _Pdk, failure: Mapping[str, Any]) -> None:
        args: list[Any] = [failure["status"], failure["message"]]
        if failure.get("headers"):
            args.append(failure["headers"])
        pdk.call("kong.response.error", *args)


# =============================================================================================== jwt


def _b64url_decode(text: str) -> bytes | None:
    """jwt_parser.lua ``base64_decode``: pad, then ngx.base64 url-safe decoding (nil on bad input)."""
    if len(text) % 4:
        text += "=" * (4 - len(text) % 4)
    if not re.fullmatch(r"[A-Za-z0-9_\-]*=*", text):
        return None
    try:
        return base64.urlsafe_b64decode(text)
    except (binascii.Error, ValueError):
        return None


_HASHES = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}
ALGORITHMS = (
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
)


class JwtToken:
    """jwt_parser.lua: a decoded token (``header``, ``claims``, ``signature``) and its checks."""

    def __init__(self, header: dict[str, Any], claims: Any, signature: bytes, signed: bytes) -> None:
        self.header = header
        self.claims = claims
        self.signature = signature
        self.signed = signed

    @classmethod
    def decode(cls, token: str) -> JwtToken | str:
        """The token, or jwt_parser's error (``invalid JSON``, ``invalid alg``, ``invalid claims``,
        ``invalid signature``). Raises ``TypeError`` where Lua would raise (a header that is a number...)."""
        parts = token.split(".", 2)
        if len(parts) < 3:
            return "invalid JSON"
        header_64, claims_64, signature_64 = parts
        raw_header, raw_claims = _b64url_decode(header_64), _b64url_decode(claims_64)
        if raw_header is None or raw_claims is None:
            return "invalid JSON"
        try:
            header = json.loads(raw_header)
            claims = json.loads(raw_claims)
        except (ValueError, RecursionError):
            return "invalid JSON"
        signature = _b64url_decode(signature_64)
        if isinstance(header, str):
            return "invalid alg"  # Lua indexes the string library: header.alg is nil
        if not isinstance(header, dict):
            raise TypeError("attempt to index a non-table header")
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in ALGORITHMS:
            return "invalid alg"
        if claims is False:
            return "invalid claims"
        if signature is None:
            return "invalid signature"
        return cls(header, claims, signature, f"{header_64}.{claims_64}".encode())

    def verify_signature(self, key: str | bytes) -> bool:
        """jwt_parser.lua ``alg_verify``; raises ``ValueError`` for an unusable key (Lua's assert)."""
        alg = self.header["alg"]
        key_bytes = key.encode("utf-8", "surrogateescape") if isinstance(key, str) else key
        if alg.startswith("HS"):
            digest = hmac.new(key_bytes, self.signed, _HASHES[alg[2:]]).digest()
            return hmac.compare_digest(digest, self.signature)
        return _verify_asymmetric(alg, key_bytes, self.signed, self.signature)

    def verify_registered_claims(
        self, claims_to_verify: list[str] | None, now: float
    ) -> dict[str, str] | None:
        errors: dict[str, str] = {}
        claims = self.claims if isinstance(self.claims, dict) else {}
        for name in claims_to_verify or []:
            value = claims.get(name)
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                errors[name] = "must be a number"
            elif name == "nbf" and value > int(now):
                errors[name] = "token not valid yet"
            elif name == "exp" and value <= int(now):
                errors[name] = "token expired"
        return errors or None

    def check_maximum_expiration(self, maximum: float, now: float) -> dict[str, str] | None:
        if maximum <= 0:
            return None
        claims = self.claims if isinstance(self.claims, dict) else {}
        exp = claims.get("exp")
        if exp is None or (isinstance(exp, (int, float)) and exp - int(now) > maximum):
            return {"exp": "exceeds maximum allowed expiration"}
        return None


def _verify_asymmetric(alg: str, key: bytes, data: bytes, signature: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    try:
        public_key: Any = serialization.load_pem_public_key(key)
    except ValueError:
        try:
            public_key = serialization.load_pem_private_key(key, password=None).public_key()
        except (ValueError, TypeError):
            raise ValueError("Consumer Public Key is Invalid") from None
    hash_alg = {"256": hashes.SHA256(), "384": hashes.SHA384(), "512": hashes.SHA512()}.get(alg[2:])
    try:
        if alg.startswith("RS") and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), hash_alg)
        elif alg.startswith("PS") and isinstance(public_key, rsa.RSAPublicKey):
            if len(signature) != 256:
                raise ValueError("Signature must be 256 bytes")
            public_key.verify(
                signature,
                data,
                padding.PSS(mgf=padding.MGF1(hash_alg), salt_length=padding.PSS.AUTO),
                hash_alg,
            )
        elif alg.startswith("ES") and isinstance(public_key, ec.EllipticCurvePublicKey):
            size = {"ES256": 64, "ES384": 96, "ES512": 132}[alg]
            if len(signature) != size:
                raise ValueError(f"Signature must be {size} bytes.")
            half = size // 2
            der = encode_dss_signature(
                int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big")
            )
            public_key.verify(der, data, ec.ECDSA(hash_alg))
        elif alg == "EdDSA" and isinstance(public_key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
            public_key.verify(signature, data)
        else:
            return False
    except InvalidSignature:
        return False
    return True


class Jwt(_BundledPlugin):
    """kong/plugins/jwt (3.9.1)."""

    name = "jwt"
    priority = 1450
    schema = _plugin_schema(
        "jwt",
        [
            {
                "uri_param_names": set_(
                    string(),
                    default=["jwt"],
                    description=("A list of querystring parameters that Kong will inspect to retrieve JWTs."),
                )
            },
            {
                "cookie_names": set_(
                    string(),
                    default=[],
                    description=("A list of cookie names that Kong will inspect to retrieve JWTs."),
                )
            },
            {
                "key_claim_name": string(
                    default="iss",
                    description=(
                        "The name of the claim in which the key identifying the secret must be passed. The "
                        "plugin will attempt to read this claim from the JWT payload and the header, in that "
                        "order."
                    ),
                )
            },
            {
                "secret_is_base64": boolean(
                    default=False,
                    description=(
                        "If true, the plugin assumes the credential's secret to be base64 encoded. You will "
                        "need to create a base64-encoded secret for your Consumer, and sign your JWT with "
                        "the original secret."
                    ),
                )
            },
            {
                "claims_to_verify": set_(
                    string(one_of=["exp", "nbf"]),
                    description=(
                        "A list of registered claims (according to RFC 7519) that Kong can verify as well. "
                        "Accepted values: one of exp or nbf."
                    ),
                )
            },
            {
                "anonymous": string(
                    description=(
                        "An optional string (consumer UUID or username) value to use as an “anonymous” "
                        "consumer if authentication fails."
                    )
                )
            },
            {
                "run_on_preflight": boolean(
                    default=True,
                    description=(
                        "A boolean value that indicates whether the plugin should run (and try to "
                        "authenticate) on OPTIONS preflight requests. If set to false, then OPTIONS requests "
                        "will always be allowed."
                    ),
                )
            },
            {
                "maximum_expiration": number(
                    default=0,
                    between=[0, 31536000],
                    description=(
                        "A value between 0 and 31536000 (365 days) limiting the lifetime of the JWT to "
                        "maximum_expiration seconds in the future."
                    ),
                )
            },
            {
                "header_names": set_(
                    string(),
                    default=["authorization"],
                    description=("A list of HTTP header names that Kong will inspect to retrieve JWTs."),
                )
            },
            {
                "realm": string(
                    required=False,
                    description=(
                        "When authentication fails the plugin sends `WWW-Authenticate` header with `realm` "
                        "attribute value."
                    ),
                )
            },
        ],
        entity_checks=[
            {
                "conditional": {
                    "if_field": "config.maximum_expiration",
                    "if_match": {"gt": 0},
                    "then_field": "config.claims_to_verify",
                    "then_match": {"contains": "exp"},
                }
            }
        ],
    )

    def _tokens(self, pdk: _Pdk, conf: Mapping[str, Any]) -> list[Any]:
        """``retrieve_tokens``: distinct tokens from the query, cookies and ``Bearer`` headers."""
        found: list[Any] = []

        def add(token: Any) -> None:
            if token not in found:
                found.append(token)

        query = pdk.call("kong.request.get_query") or {}
        for name in conf.get("uri_param_names") or []:
            if name in query:
                values = query[name]
                if values == []:
                    add(True)  # a bare ?jwt is Lua's true, which Kong keeps as a "token"
                for value in values if isinstance(values, list) else [values]:
                    if isinstance(value, str) and value != "":
                        add(value)
        headers = pdk.call("kong.request.get_headers") or {}
        cookie_names = conf.get("cookie_names") or []
        if cookie_names:
            cookies = _parse_cookies(headers.get("cookie"))
            for name in cookie_names:
                value = cookies.get(str(name).lower())
                if value:
                    add(value)
        for name in conf.get("header_names") or []:
            value = _header(headers, str(name))
            if isinstance(value, list):
                value = value[0]
            if isinstance(value, str):
                m = re.search(r"\s*[Bb]earer\s+(.+)", value)
                if m and m.group(1):
                    add(m.group(1))
        return found

    def _authenticate(self, pdk: _Pdk, req: Any, conf: Mapping[str, Any]) -> dict[str, Any] | None:
        realm = conf.get("realm")
        base = f'Bearer realm="{realm}"' if realm else "Bearer"
        with_error = base + ' error="invalid_token"'

        def unauthorized(
            message: str | None, www: str, errors: dict[str, Any] | None = None
        ) -> dict[str, Any]:
            return {"status": 401, "message": message, "headers": {"WWW-Authenticate": www}, "errors": errors}

        tokens = self._tokens(pdk, conf)
        if not tokens:
            return unauthorized("Unauthorized", base)
        if len(tokens) > 1:
            return unauthorized("Multiple tokens provided", with_error)
        token = tokens[0]
        if not isinstance(token, str):
            return unauthorized("Unrecognizable token", with_error)
        try:
            decoded = JwtToken.decode(token)
        except TypeError as exc:
            raise pdk.throw(str(exc)) from None
        if isinstance(decoded, str):
            return unauthorized(f"Bad token; {decoded}", with_error)
        claim_name = str(conf.get("key_claim_name") or "iss")
        if isinstance(decoded.claims, dict):
            claims = decoded.claims
        elif isinstance(decoded.claims, (str, list)):
            claims = {}  # Lua indexes a string (string library) or an array table: nil
        else:
            raise pdk.throw("attempt to index a non-table claims value")
        secret_key = claims.get(claim_name)
        if secret_key is None or secret_key is False:
            secret_key = decoded.header.get(claim_name)
        if secret_key is None or secret_key is False:
            return unauthorized(f"No mandatory '{claim_name}' in claims", with_error)
        if secret_key == "":
            return unauthorized(f"Invalid '{claim_name}' in claims", with_error)
        if not isinstance(secret_key, str):
            raise pdk.throw("key must be a string or an entity table")
        store = self._store(req)
        secret = store.jwt_secret_by_key(secret_key)
        if secret is None:
            return unauthorized(f"No credentials found for given '{claim_name}'", with_error)
        algorithm = secret.get("algorithm") or "HS256"
        if decoded.header.get("alg") != algorithm:
            return unauthorized("Invalid algorithm", with_error)
        key: str | bytes | None
        if algorithm.startswith("HS"):
            key = secret.get("secret")
            if key is not None and conf.get("secret_is_base64"):
                key = _b64url_decode(str(key))
        else:
            key = secret.get("rsa_public_key")
        if not key:
            return unauthorized("Invalid key/secret", with_error)
        try:
            valid = decoded.verify_signature(key)
        except ValueError as exc:
            raise pdk.throw(str(exc)) from None
        if not valid:
            return unauthorized("Invalid signature", with_error)
        now = self.clock()
        claim_errors = decoded.verify_registered_claims(conf.get("claims_to_verify"), now)
        if claim_errors:
            return unauthorized(None, with_error, claim_errors)
        maximum = conf.get("maximum_expiration")
        if maximum is not None and maximum > 0:
            expiration_errors = decoded.check_maximum_expiration(maximum, now)
            if expiration_errors:
                return unauthorized(None, with_error, expiration_errors)
        consumer_id = (secret.get("consumer") or {}).get("id")
        consumer = store.load_consumer(consumer_id, True) if consumer_id else None
        if consumer is None:
            return {"status": 401, "message": f"Could not find consumer for '{claim_name}={secret_key}'"}
        _authenticate(pdk, consumer, secret, "key")
        pdk.call("kong.ctx.shared.set", "authenticated_jwt_token", token)
        return None

    def _reject(self, pdk: _Pdk, failure: Mapping[str, Any]) -> None:
        body = failure.get("errors") or {"message": failure.get("message")}
        args: list[Any] = [failure["status"], body]
        if failure.get("headers"):
            args.append(failure["headers"])
        pdk.call("kong.response.exit", *args)


def _parse_cookies(values: Any) -> dict[str, str]:
    """``$cookie_<name>``: the first cookie of that name (names compared case-insensitively, like nginx)."""
    cookies: dict[str, str] = {}
    for header in values if isinstance(values, list) else [values] if isinstance(values, str) else []:
        for part in header.split(";"):
            name, sep, value = part.strip().partition("=")
            if sep and name.lower() not in cookies:
                cookies[name.lower()] = value
    return cookies


# =============================================================================================== registry


def make_bundled(store: Store | None = None, *, clock: Callable[[], float] = time.time) -> dict[str, Any]:
    """The bundled plugins, bound to ``store`` (the catalog entries a gateway registers)."""
    return {plugin.name: plugin for plugin in (Jwt(store, clock=clock), KeyAuth(store, clock=clock))}


BUNDLED: dict[str, Any] = make_bundled()
"""Unbound plugins (credentials come from ``req.store`` or :func:`bind_store`)."""
