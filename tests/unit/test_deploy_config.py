"""The shipped Kong settings and demo config are safe to copy: the Admin API listens on loopback only, and
no demo route lets a client name its own tenant."""

from __future__ import annotations

from pathlib import Path

import yaml
from harness.conf import load_kong_conf

ROOT = Path(__file__).resolve().parents[2]
CLIENT_CLAIMS = {"header", "path"}
"""Sources that take the tenant as the client sends it: only behind a trusted authenticator."""


def test_the_admin_api_listens_on_loopback_only(monkeypatch) -> None:
    monkeypatch.delenv("KONG_ADMIN_LISTEN", raising=False)
    conf = load_kong_conf(str(ROOT / "kong" / "kong.conf"))
    for listen in conf.get("admin_listen").split(","):
        assert listen.strip().split()[0].rpartition(":")[0] in ("127.0.0.1", "[::1]"), listen


def test_demo_routes_resolve_tenants_from_credentials() -> None:
    config = yaml.safe_load((ROOT / "declarative" / "kong.yaml").read_text())
    resolvers = [
        plugin["config"]
        for service in config["services"]
        for route in service.get("routes", [])
        for plugin in route.get("plugins", [])
        if plugin["name"] == "ai-tenant-resolver"
    ]
    assert resolvers
    for resolver in resolvers:
        assert not CLIENT_CLAIMS & set(resolver["sources"]), resolver["sources"]
