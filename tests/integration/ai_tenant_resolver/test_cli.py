"""``kong-ai tenants`` and ``kong-ai keys`` as an operator runs them: a real process against a real Redis."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from kong_plugins.ai_tenant_resolver.api_keys import ApiKeyStore, hash_key, is_well_formed_key
from kong_plugins.ai_tenant_resolver.registry import RedisTenantStore
from kong_plugins.core.redis import RedisClient, RedisConfig, connect

pytestmark = pytest.mark.redis

REPO_ROOT = Path(__file__).resolve().parents[3]


class Cli:
    """Runs ``kong-ai`` in a child process with this test's Redis URL and namespace."""

    def __init__(self, redis_url: str, namespace: str) -> None:
        self.redis_url = redis_url
        self.namespace = namespace

    def run(
        self, *args: str, stdin: str | None = None, env: dict[str, str] | None = None, with_redis: bool = True
    ) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "kong_plugins.cli.main", *args]
        if with_redis:
            command += ["--redis-url", self.redis_url, "--namespace", self.namespace]
        environment = {key: value for key, value in os.environ.items() if key != "KONG_AI_REDIS_URL"}
        environment.update(PYTHONPATH=str(REPO_ROOT), **(env or {}))
        return subprocess.run(
            command, input=stdin, capture_output=True, text=True, timeout=60, env=environment, check=False
        )

    def ok(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        result = self.run(*args, stdin=stdin)
        assert result.returncode == 0, result.stderr
        return result


@pytest.fixture
def namespace() -> str:
    return f"test-cli-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def cli(redis_server: Any, namespace: str) -> Cli:
    return Cli(redis_server.url, namespace)


@pytest.fixture
def client(redis_server: Any) -> RedisClient:
    return connect(RedisConfig.from_config(redis_server.redis_conf()))


# -- tenants -------------------------------------------------------------------------------------------------


def test_tenant_lifecycle(cli: Cli, client: RedisClient, namespace: str) -> None:
    added = cli.ok(
        "tenants",
        "add",
        "acme",
        "--tier",
        "gold",
        "--region",
        "eu",
        "--model",
        "gpt-4o",
        "--meta",
        "owner=team-a",
    )
    assert "acme" in added.stdout
    cli.ok("tenants", "add", "beta")

    shown = json.loads(cli.ok("tenants", "show", "acme").stdout)
    assert shown["status"] == "active"
    assert (shown["tier"], shown["region"], shown["allowed_models"]) == ("gold", "eu", ["gpt-4o"])
    assert shown["metadata"] == {"owner": "team-a"}

    listed = json.loads(cli.ok("tenants", "list", "--json").stdout)
    assert [row["id"] for row in listed] == ["acme", "beta"]
    table = cli.ok("tenants", "list").stdout.splitlines()
    assert table[0].split() == ["TENANT", "STATUS", "TIER", "REGION"]
    assert table[1].split() == ["acme", "active", "gold", "eu"]

    cli.ok("tenants", "suspend", "acme")
    assert RedisTenantStore(client, namespace).get("acme").status == "suspended"  # type: ignore[union-attr]
    cli.ok("tenants", "activate", "acme")
    assert RedisTenantStore(client, namespace).get("acme").status == "active"  # type: ignore[union-attr]


def test_tenant_errors_exit_1_with_a_message(cli: Cli) -> None:
    cli.ok("tenants", "add", "acme")
    for args, message in (
        (("tenants", "add", "acme"), "already exists"),
        (("tenants", "show", "ghost"), "does not exist"),
        (("tenants", "suspend", "ghost"), "does not exist"),
        (("tenants", "add", "bad id"), "invalid tenant id"),
        (("tenants", "add", "ok", "--region", "eu west"), "region"),
        (("tenants", "add", "ok2", "--meta", "novalue"), "KEY=VALUE"),
    ):
        result = cli.run(*args)
        assert result.returncode == 1, args
        assert message in result.stderr, (args, result.stderr)


# -- keys ----------------------------------------------------------------------------------------------------


def test_issue_prints_the_key_once_and_stores_only_its_hash(
    cli: Cli, client: RedisClient, namespace: str
) -> None:
    cli.ok("tenants", "add", "acme")
    result = cli.ok("keys", "issue", "--tenant", "acme")
    key = result.stdout.strip()
    assert result.stdout == key + "\n"
    assert is_well_formed_key(key)
    assert "shown only now" in result.stderr
    stored = [name for name in client.scan_iter(match=f"{namespace}:*")]
    assert all(key not in name for name in stored)
    assert any(hash_key(key) in name for name in stored)
    match = ApiKeyStore(client, namespace).lookup(key)
    assert match is not None and match.tenant_id == "acme"

    listed = json.loads(cli.ok("keys", "list", "--tenant", "acme", "--json").stdout)
    assert len(listed) == 1 and listed[0]["prefix"] == key[:8]
    assert key not in cli.ok("keys", "list", "--tenant", "acme").stdout


def test_issue_for_a_tenant_missing_from_the_redis_registry_warns(cli: Cli) -> None:
    result = cli.ok("keys", "issue", "--tenant", "elsewhere", "--json")
    assert json.loads(result.stdout)["tenant"] == "elsewhere"
    assert "not in the Redis registry" in result.stderr


def test_rotation_keeps_the_old_key_for_the_overlap(cli: Cli, client: RedisClient, namespace: str) -> None:
    store = ApiKeyStore(client, namespace)
    old = cli.ok("keys", "issue", "--tenant", "acme").stdout.strip()
    rotated = json.loads(cli.ok("keys", "rotate", "--tenant", "acme", "--overlap", "2h", "--json").stdout)
    new = rotated["new"]["key"]
    assert store.lookup(old) is not None and store.lookup(new) is not None
    assert 7190 <= client.ttl(store.record_key(hash_key(old))) <= 7200
    assert rotated["rotated"][0]["expires_at"] is not None

    newest = cli.ok("keys", "rotate", "--tenant", "acme", "--overlap", "0").stdout.strip()
    assert store.lookup(new) is None
    assert store.lookup(newest) is not None
    assert store.lookup(old) is not None  # its own window is still open


def test_default_overlap_is_a_day(cli: Cli, client: RedisClient, namespace: str) -> None:
    old = cli.ok("keys", "issue", "--tenant", "acme").stdout.strip()
    cli.ok("keys", "rotate", "--tenant", "acme")
    ttl = client.ttl(ApiKeyStore(client, namespace).record_key(hash_key(old)))
    assert 86390 <= ttl <= 86400


def test_rotation_errors(cli: Cli) -> None:
    result = cli.run("keys", "rotate", "--tenant", "acme")
    assert result.returncode == 1 and "no active key" in result.stderr
    cli.ok("keys", "issue", "--tenant", "acme")
    cli.ok("keys", "issue", "--tenant", "acme")
    result = cli.run("keys", "rotate", "--tenant", "acme")
    assert result.returncode == 1 and "--key-id" in result.stderr
    result = cli.run("keys", "rotate", "--tenant", "acme", "--overlap", "soon")
    assert result.returncode == 2 and "not a duration" in result.stderr


def test_revocation_by_id_and_by_key(cli: Cli, client: RedisClient, namespace: str) -> None:
    store = ApiKeyStore(client, namespace)
    first = json.loads(cli.ok("keys", "issue", "--tenant", "acme", "--json").stdout)
    second = cli.ok("keys", "issue", "--tenant", "acme").stdout.strip()

    cli.ok("keys", "revoke", "--tenant", "acme", "--key-id", first["key_id"])
    assert store.lookup(first["key"]) is None
    cli.ok("keys", "revoke", "--key-stdin", stdin=second + "\n")
    assert store.lookup(second) is None
    assert json.loads(cli.ok("keys", "list", "--tenant", "acme", "--json").stdout) == []

    again = cli.run("keys", "revoke", "--tenant", "acme", "--key-id", first["key_id"])
    assert again.returncode == 1 and "no key with id" in again.stderr


# -- connection ----------------------------------------------------------------------------------------------


def test_redis_url_from_the_environment(cli: Cli, namespace: str, redis_server: Any) -> None:
    result = cli.run(
        "tenants",
        "add",
        "from-env",
        "--namespace",
        namespace,
        env={"KONG_AI_REDIS_URL": redis_server.url},
        with_redis=False,
    )
    assert result.returncode == 0, result.stderr
    assert "from-env" in json.dumps(json.loads(cli.ok("tenants", "list", "--json").stdout))


def test_unreachable_redis_exits_3(cli: Cli) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = cli.run("tenants", "list", "--redis-url", f"redis://127.0.0.1:{port}/0", with_redis=False)
    assert result.returncode == 3
    assert "Redis unavailable" in result.stderr


def test_bad_redis_url_exits_1(cli: Cli) -> None:
    result = cli.run("tenants", "list", "--redis-url", "http://example", with_redis=False)
    assert result.returncode == 1 and "redis://" in result.stderr
