"""Kong's key-auth and jwt plugins, emulated on the harness PDK, answering as Kong 3.9.1 does."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from harness import bundled_plugins, declarative, router
from harness.kong_request import ClientRequest, KongRequest, PluginRef, RouteMatch
from harness.store import Store

from kong_plugins.core.schema import validate_config

NOW = time.time()
HS_SECRET = "alice-secret-" + "0123456789abcdef" * 4  # long enough for HS512


def rsa_pair() -> tuple[Any, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return key, public


RSA_KEY, RSA_PUBLIC = rsa_pair()
EC_KEY = ec.generate_private_key(ec.SECP256R1())
EC_PUBLIC = (
    EC_KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)


class Gateway:
    """A store with one route and the bundled plugins, and a way to run one plugin on a request."""

    def __init__(
        self, plugin: str, config: dict[str, Any] | None = None, *, now: float = NOW, edition: str = "oss"
    ) -> None:
        self.store = Store(edition=edition)
        self.catalog = bundled_plugins.make_bundled(self.store, clock=lambda: now)
        declarative.load_string(
            self.store,
            json.dumps(
                {
                    "_format_version": "3.0",
                    "services": [
                        {
                            "name": "llm",
                            "url": "http://127.0.0.1:9",
                            "routes": [
                                {
                                    "name": "chat",
                                    "paths": ["/chat"],
                                    "plugins": [{"name": plugin, "config": config or {}}],
                                }
                            ],
                        }
                    ],
                    "consumers": [
                        {
                            "username": "alice",
                            "keyauth_credentials": [{"key": "alice-key"}],
                            "jwt_secrets": [
                                {
                                    "key": "alice-iss",
                                    "secret": HS_SECRET,
                                },
                                {
                                    "key": "alice-b64",
                                    "secret": base64.b64encode(b"raw-bytes-secret-0123456789abcdef").decode(),
                                },
                                {"key": "alice-rsa", "algorithm": "RS256", "rsa_public_key": RSA_PUBLIC},
                                {"key": "alice-ec", "algorithm": "ES256", "rsa_public_key": EC_PUBLIC},
                            ],
                        },
                        {"username": "anonymous", "custom_id": "anon"},
                    ],
                }
            ),
            self.catalog,
            filename="kong.json",
        )
        self.plugin_name = plugin

    def run(
        self,
        headers: list[tuple[str, str]] | None = None,
        query: str = "",
        body: bytes = b"",
        method: str = "GET",
        before: Any = None,
    ) -> tuple[str, KongRequest]:
        headers = [("Host", "gw.local"), *(headers or [])]
        match = router.match(self.store, method, "gw.local", "/chat", headers)
        assert match is not None
        client = ClientRequest(
            method=method,
            raw_path="/chat",
            raw_query=query,
            headers=[(n, v.encode()) for n, v in headers],
            body=body,
            client_ip="127.0.0.1",
            client_port=40000,
            server_port=8000,
        )
        req = KongRequest(
            client,
            RouteMatch(
                route=match.route,
                service=match.service,
                upstream_path=match.upstream_path,
                uri_captures=match.uri_captures,
            ),
            node_id="node",
            request_id="req-1",
            workspace_id=self.store.workspace_id,
            consumers=self.store.load_consumer,
            consumer_groups=self.store.consumer_groups_of if self.store.enterprise else None,
            upstreams=self.store.upstream_by_name,
        )
        req.phase = "access"
        if before is not None:
            before(req)
        entity = self.store.plugin_for(self.plugin_name, match.route["id"], match.service["id"], None)
        assert entity is not None
        outcome = self.catalog[self.plugin_name].run(
            "access", req, entity["config"], PluginRef(self.plugin_name, entity["id"])
        )
        return outcome, req


def response(req: KongRequest) -> tuple[int, dict[str, str], Any]:
    status, headers = req.response_head()
    body = req.response_body()
    return status, {n: v.decode() for n, v in headers}, json.loads(body) if body else None


def upstream_headers(req: KongRequest) -> dict[str, str]:
    upstream = req.upstream_request()
    assert upstream is not None
    return {n.lower(): v.decode() for n, v in upstream.headers}


# ----------------------------------------------------------------------------------------- key-auth


def test_key_auth_defaults_come_from_its_schema() -> None:
    config, errors = validate_config(bundled_plugins.KeyAuth.schema["fields"][2]["config"], {})
    assert errors == {} and config == {
        "key_names": ["apikey"],
        "hide_credentials": False,
        "anonymous": None,
        "key_in_header": True,
        "key_in_query": True,
        "key_in_body": False,
        "run_on_preflight": True,
        "realm": None,
    }
    assert (bundled_plugins.KeyAuth.priority, bundled_plugins.Jwt.priority) == (1250, 1450)


def test_key_auth_without_a_key_answers_401_through_kong_response_error() -> None:
    outcome, req = Gateway("key-auth").run()
    assert outcome == "exit"
    status, headers, body = response(req)
    assert (status, headers["WWW-Authenticate"]) == (401, "Key")
    assert body == {"message": "No API key found in request", "request_id": "req-1"}


def test_key_auth_realm() -> None:
    _, req = Gateway("key-auth", {"realm": "ai"}).run()
    assert response(req)[1]["WWW-Authenticate"] == 'Key realm="ai"'


def test_key_auth_with_an_unknown_key_is_unauthorized() -> None:
    outcome, req = Gateway("key-auth").run([("apikey", "wrong")])
    assert outcome == "exit" and response(req)[2] == {"message": "Unauthorized", "request_id": "req-1"}


def test_key_auth_duplicate_key_headers() -> None:
    outcome, req = Gateway("key-auth").run([("apikey", "alice-key"), ("apikey", "other")])
    assert outcome == "exit" and response(req)[2]["message"] == "Duplicate API key found"


def test_key_auth_authenticates_the_consumer_and_tells_the_upstream() -> None:
    gateway = Gateway("key-auth")
    outcome, req = gateway.run([("apikey", "alice-key")])
    assert outcome == "done"
    alice = gateway.store.get("consumers", "alice")
    assert alice is not None
    assert req.consumer == {
        "id": alice["id"],
        "username": "alice",
        "created_at": alice["created_at"],
        "updated_at": alice["updated_at"],
    }
    credential = gateway.store.keyauth_credential_by_key("alice-key")
    assert credential is not None and req.credential == {
        "id": credential["id"],
        "created_at": credential["created_at"],
        "consumer": {"id": alice["id"]},
        "key": "alice-key",
    }
    headers = upstream_headers(req)
    assert headers["x-consumer-id"] == alice["id"] and headers["x-consumer-username"] == "alice"
    assert headers["x-credential-identifier"] == credential["id"] and headers["apikey"] == "alice-key"
    assert "x-anonymous-consumer" not in headers and "x-consumer-custom-id" not in headers


def test_key_auth_in_the_query_with_hidden_credentials() -> None:
    outcome, req = Gateway("key-auth", {"hide_credentials": True, "key_names": ["x-key"]}).run(
        query="x-key=alice-key&keep=1"
    )
    assert outcome == "done" and req.consumer is not None
    upstream = req.upstream_request()
    assert upstream is not None and upstream.target == "/?keep=1"  # strip_path: /chat is removed


def test_key_auth_in_the_body_with_hidden_credentials() -> None:
    outcome, req = Gateway("key-auth", {"key_in_body": True, "hide_credentials": True}).run(
        [("Content-Type", "application/json")], body=b'{"apikey": "alice-key", "prompt": "hi"}', method="POST"
    )
    assert outcome == "done" and req.consumer is not None
    upstream = req.upstream_request()
    assert upstream is not None and json.loads(upstream.body) == {"prompt": "hi"}


def test_key_auth_anonymous_fallback() -> None:
    gateway = Gateway("key-auth", {"anonymous": "anonymous"})
    outcome, req = gateway.run()
    assert outcome == "done" and req.credential is None
    assert req.consumer is not None and req.consumer["username"] == "anonymous"
    headers = upstream_headers(req)
    assert headers["x-anonymous-consumer"] == "true" and headers["x-consumer-custom-id"] == "anon"


def test_key_auth_anonymous_consumer_that_does_not_exist_is_a_500() -> None:
    outcome, _ = Gateway("key-auth", {"anonymous": "ghost"}).run()
    assert outcome == "thrown"


def test_key_auth_keeps_an_earlier_authentication_when_anonymous_is_set() -> None:
    def authenticated_by_another_plugin(req: KongRequest) -> None:
        req.call(PluginRef("jwt", "x"), "kong.client.authenticate", [{"id": "c-1"}, {"id": "cred-1"}])

    outcome, req = Gateway("key-auth", {"anonymous": "anonymous"}).run(before=authenticated_by_another_plugin)
    assert outcome == "done" and req.credential == {"id": "cred-1"} and req.consumer == {"id": "c-1"}


def test_key_auth_skips_preflight_when_asked() -> None:
    gateway = Gateway("key-auth", {"run_on_preflight": False})
    outcome, req = gateway.run(method="OPTIONS")
    assert outcome == "done" and req.consumer is None


# ----------------------------------------------------------------------------------------- jwt


def token(
    claims: dict[str, Any],
    key: Any = HS_SECRET,
    algorithm: str = "HS256",
    **headers: Any,
) -> str:
    return pyjwt.encode(claims, key, algorithm=algorithm, headers=headers or None)


def test_jwt_valid_bearer_token() -> None:
    gateway = Gateway("jwt")
    tok = token({"iss": "alice-iss", "sub": "u1"})
    outcome, req = gateway.run([("Authorization", f"Bearer {tok}")])
    assert outcome == "done"
    assert req.consumer is not None and req.consumer["username"] == "alice"
    assert req.credential is not None and req.credential["key"] == "alice-iss"
    assert upstream_headers(req)["x-credential-identifier"] == "alice-iss"
    shared = req.call(PluginRef("p", "p"), "kong.ctx.shared.get", ["authenticated_jwt_token"])
    assert shared.data == tok


def test_jwt_without_a_token_answers_through_kong_response_exit() -> None:
    outcome, req = Gateway("jwt").run()
    assert outcome == "exit"
    status, headers, body = response(req)
    assert (status, headers["WWW-Authenticate"], body) == (401, "Bearer", {"message": "Unauthorized"})


@pytest.mark.parametrize(
    ("tok", "message"),
    [
        ("not-a-token", "Bad token; invalid JSON"),
        (token({"sub": "x"}), "No mandatory 'iss' in claims"),
        (token({"iss": ""}), "Invalid 'iss' in claims"),
        (token({"iss": "nobody"}), "No credentials found for given 'iss'"),
        (
            token({"iss": "alice-iss"}, key="wrong-secret-0123456789abcdef0123456789abcdef0123456789abcdef"),
            "Invalid signature",
        ),
        (
            token(
                {"iss": "alice-iss"},
                key=HS_SECRET,
                algorithm="HS512",
            ),
            "Invalid algorithm",
        ),
    ],
)
def test_jwt_rejections(tok: str, message: str) -> None:
    outcome, req = Gateway("jwt").run([("Authorization", f"Bearer {tok}")])
    assert outcome == "exit"
    status, headers, body = response(req)
    assert (status, headers["WWW-Authenticate"], body) == (
        401,
        'Bearer error="invalid_token"',
        {"message": message},
    )


@pytest.mark.parametrize(
    ("verify", "claims", "errors"),
    [
        (["exp"], {"exp": int(NOW) - 10}, {"exp": "token expired"}),
        (["exp", "nbf"], {"exp": int(NOW) + 60, "nbf": int(NOW) + 30}, {"nbf": "token not valid yet"}),
        (["exp", "nbf"], {"exp": "soon"}, {"exp": "must be a number", "nbf": "must be a number"}),
    ],
)
def test_jwt_registered_claims(verify: list[str], claims: dict[str, Any], errors: dict[str, str]) -> None:
    gateway = Gateway("jwt", {"claims_to_verify": verify})
    outcome, req = gateway.run([("Authorization", f"Bearer {token({'iss': 'alice-iss', **claims})}")])
    assert outcome == "exit" and response(req)[2] == errors


def test_jwt_maximum_expiration() -> None:
    gateway = Gateway("jwt", {"claims_to_verify": ["exp"], "maximum_expiration": 60})
    far = token({"iss": "alice-iss", "exp": int(NOW) + 3600})
    assert response(gateway.run([("Authorization", f"Bearer {far}")])[1])[2] == {
        "exp": "exceeds maximum allowed expiration"
    }
    near = token({"iss": "alice-iss", "exp": int(NOW) + 30})
    assert gateway.run([("Authorization", f"Bearer {near}")])[0] == "done"


def test_jwt_rs256_and_es256() -> None:
    gateway = Gateway("jwt")
    rs = token({"iss": "alice-rsa"}, key=RSA_KEY, algorithm="RS256")
    es = token({"iss": "alice-ec"}, key=EC_KEY, algorithm="ES256")
    assert gateway.run([("Authorization", f"Bearer {rs}")])[0] == "done"
    assert gateway.run([("Authorization", f"Bearer {es}")])[0] == "done"
    forged = token({"iss": "alice-rsa"}, key=rsa_pair()[0], algorithm="RS256")
    assert response(gateway.run([("Authorization", f"Bearer {forged}")])[1])[2] == {
        "message": "Invalid signature"
    }


def test_jwt_base64_secret() -> None:
    gateway = Gateway("jwt", {"secret_is_base64": True})
    tok = token({"iss": "alice-b64"}, key=b"raw-bytes-secret-0123456789abcdef")
    assert gateway.run([("Authorization", f"Bearer {tok}")])[0] == "done"


def test_jwt_from_query_and_cookie_and_several_tokens() -> None:
    tok = token({"iss": "alice-iss"})
    assert Gateway("jwt").run(query=f"jwt={tok}")[0] == "done"
    assert Gateway("jwt", {"cookie_names": ["session"]}).run([("Cookie", f"a=b; session={tok}")])[0] == "done"
    other = token({"iss": "alice-iss", "n": 2})
    outcome, req = Gateway("jwt").run([("Authorization", f"Bearer {tok}")], query=f"jwt={other}")
    assert outcome == "exit" and response(req)[2] == {"message": "Multiple tokens provided"}
    same = Gateway("jwt").run([("Authorization", f"Bearer {tok}")], query=f"jwt={tok}")
    assert same[0] == "done"  # the same token found twice counts once


def test_jwt_anonymous_fallback() -> None:
    outcome, req = Gateway("jwt", {"anonymous": "anonymous"}).run([("Authorization", "Bearer garbage")])
    assert outcome == "done" and req.consumer is not None and req.consumer["username"] == "anonymous"


def test_jwt_parser_errors() -> None:
    decode = bundled_plugins.JwtToken.decode
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).decode().rstrip("=")
    assert decode(f"{header}.e30.") == "invalid alg"
    assert decode("a.b") == "invalid JSON"
    good = token({"iss": "x"}).rsplit(".", 1)[0]
    assert decode(good + ".%%%") == "invalid signature"
