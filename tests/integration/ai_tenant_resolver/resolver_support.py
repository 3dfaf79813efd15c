"""Helpers for the ``ai-tenant-resolver`` gateway tests: what the upstream saw, JWTs, the CLI, polling.

The gateway is reached only by URL (``fixtures.gateway``), so these helpers read results the way a user
would: the mock LLM's ``/echo`` answer (what the upstream received), the client response, and ``kong-ai`` run
as a child process against the gateway's Redis. Nothing here waits for a fixed time: :func:`poll_until`
re-checks a condition until a deadline.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fixtures.gateway import MOCK_LLM_URL

REPO_ROOT = Path(__file__).resolve().parents[3]
PLUGIN = "ai-tenant-resolver"
GATEWAY_HEADERS = ("x-tenant-id", "x-tenant-tier", "x-tenant-region")
UNAUTHORIZED = {"message": "Unauthorized"}
FORBIDDEN = {"message": "Forbidden"}
CLI_TIMEOUT_S = 30
PATH_PATTERN = r"^/t-[0-9a-f]{12}/tenants/(?P<tenant>[A-Za-z0-9][A-Za-z0-9_-]{0,63})/"
"""The ``path`` source's pattern for routes made by ``make_route`` (their paths are ``/t-<12 hex>``)."""

ResolverRoute = Callable[..., Any]
"""``resolver_route(config, *, before=[(plugin, config)], **route_fields) -> RouteUnderTest``."""
AdminCreate = Callable[[str, dict[str, Any]], dict[str, Any]]
"""``admin_create(collection, body) -> entity``, deleted after the test."""

T = TypeVar("T")


# -- what the upstream received ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Echo:
    """The mock LLM's ``/echo`` answer: the request exactly as the upstream received it."""

    method: str
    path: str
    headers: list[tuple[str, str]]

    @classmethod
    def of(cls, response: httpx.Response) -> Echo:
        assert response.status_code == 200, f"{response.status_code} {response.text}"
        body = response.json()
        return cls(body["method"], body["path"], [(name, value) for name, value in body["headers"]])

    def values(self, name: str) -> list[str]:
        """Every value the upstream got for header ``name`` (case-insensitive), in arrival order."""
        lowered = name.lower()
        return [value for header, value in self.headers if header.lower() == lowered]

    def gateway_headers(self) -> dict[str, list[str]]:
        """The tenant headers the gateway owns, as the upstream got them (absent ones left out)."""
        return {name: self.values(name) for name in GATEWAY_HEADERS if self.values(name)}


def upstream_hits(path: str) -> int:
    """How many requests for ``path`` the mock LLM has received (its ``/__stats``, query excluded)."""
    stats = httpx.get(f"{MOCK_LLM_URL}/__stats", timeout=10).json()
    return int(stats["paths"].get(path, 0))


def unique_suffix() -> str:
    """A request path suffix no other request uses, so ``upstream_hits`` counts only this test's."""
    return f"/{uuid.uuid4().hex}"


def mock_llm_by_name() -> tuple[str, int]:
    """The mock LLM's host and port with the host as a *name*: Kong's balancer applies
    ``kong.service.set_upstream`` only when the service's host is a name (runloop/balancer ``execute``
    treats an IP address as final), so residency tests need a service addressed by name."""
    parts = urllib.parse.urlsplit(MOCK_LLM_URL)
    host = parts.hostname or "127.0.0.1"
    return ("localhost" if host == "127.0.0.1" else host), parts.port or 80


def error_body(response: httpx.Response) -> dict[str, Any]:
    """A Kong error body without its per-request ``request_id``."""
    body = response.json()
    assert isinstance(body, dict), response.text
    return {key: value for key, value in body.items() if key != "request_id"}


def assert_refused(response: httpx.Response, status: int) -> None:
    """The plugin refused with the generic body of ``status`` and did not tag the response."""
    assert response.status_code == status, f"{response.status_code} {response.text}"
    assert error_body(response) == (UNAUTHORIZED if status == 401 else FORBIDDEN)
    assert "X-Tenant-ID" not in response.headers


def pdk_calls(response: httpx.Response, plugin: str = PLUGIN, phase: str = "access") -> int:
    """The PDK round trips ``plugin`` made in ``phase``, from the emulator's ``X-Emulator-Pdk-Calls``."""
    header = response.headers.get("X-Emulator-Pdk-Calls", "")
    counts = dict(item.strip().split("=", 1) for item in header.split(",") if "=" in item)
    return int(counts.get(f"{plugin}.{phase}", "0"))


def poll_until(check: Callable[[], T | None], *, deadline_s: float, what: str) -> T:
    """Call ``check`` until it returns something other than None/False; fail after ``deadline_s``."""
    deadline = time.monotonic() + deadline_s
    while True:
        result = check()
        if result is not None and result is not False:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not true after {deadline_s} s")
        time.sleep(0.05)


# -- Redis and the CLI ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GatewayRedis:
    """The gateway's Redis (``KONG_AI_REDIS_URL``): a URL for the CLI, a ``redis`` record for plugins."""

    url: str

    @property
    def plugin_config(self) -> dict[str, Any]:
        parts = urllib.parse.urlsplit(self.url)
        config: dict[str, Any] = {"host": parts.hostname or "127.0.0.1", "port": parts.port or 6379}
        database = parts.path.lstrip("/")
        if database:
            config["database"] = int(database)
        if parts.password:
            config["password"] = urllib.parse.unquote(parts.password)
        if parts.username:
            config["username"] = urllib.parse.unquote(parts.username)
        return config


class KongAiCli:
    """``kong-ai`` in a child process, on the gateway's Redis, in one test's namespace."""

    def __init__(self, redis_url: str, namespace: str) -> None:
        self.redis_url = redis_url
        self.namespace = namespace

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "kong_plugins.cli.main", *args]
        command += ["--redis-url", self.redis_url, "--namespace", self.namespace]
        environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        return subprocess.run(
            command, capture_output=True, text=True, timeout=CLI_TIMEOUT_S, env=environment, check=False
        )

    def ok(self, *args: str) -> str:
        result = self.run(*args)
        assert result.returncode == 0, f"kong-ai {' '.join(args)}: {result.stderr}"
        return result.stdout

    def issue_key(self, tenant: str) -> dict[str, Any]:
        return json.loads(self.ok("keys", "issue", "--tenant", tenant, "--json"))

    def rotate_key(self, tenant: str, overlap: str) -> dict[str, Any]:
        return json.loads(self.ok("keys", "rotate", "--tenant", tenant, "--overlap", overlap, "--json"))


# -- JWTs ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SigningKey:
    """An RSA private key to sign test tokens and the public PEM an operator would configure."""

    private: rsa.RSAPrivateKey
    public_pem: str

    @classmethod
    def generate(cls) -> SigningKey:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public_pem = (
            private.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode("ascii")
        )
        return cls(private, public_pem)

    def token(self, claims: Mapping[str, Any] | None = None, *, kid: str = "rsa-1", **extra: Any) -> str:
        """An RS256 token; default claims: ``tenant_id=acme``, ``exp`` in an hour, plus ``extra``."""
        payload = {"tenant_id": "acme", "exp": int(time.time()) + 3600} if claims is None else dict(claims)
        payload.update(extra)
        return jwt.encode(payload, self.private, algorithm="RS256", headers={"kid": kid})


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unsigned_token(header: Mapping[str, Any], claims: Mapping[str, Any], signature: bytes = b"") -> str:
    """A token assembled by hand (``alg: none``, forged signatures): PyJWT refuses to make these."""
    return f"{_json_segment(header)}.{_json_segment(claims)}.{b64url(signature)}"


def _json_segment(value: Mapping[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
