"""Versioned policies in Redis through the gateway: ``kong-ai policy`` as an operator runs it (a real process,
the stack's Redis), the plugin picking up each change without a restart (``poll_interval: 0`` reads the
state on every request, so no test waits for a clock)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from integration.ai_action_authz.authz_support import assert_forbidden, chat

pytestmark = pytest.mark.redis

REPO_ROOT = Path(__file__).resolve().parents[3]
V1 = """
@id("routes") permit(principal, action == Action::"route.call", resource);
@id("chat") permit(principal, action in [Action::"chat.create", Action::"model.use"], resource);
"""
V2 = V1 + '@id("no-gpt-4o") forbid(principal, action == Action::"model.use", resource == Model::"gpt-4o");\n'


class PolicyCli:
    def __init__(self, redis_url: str, namespace: str, tmp_path: Path) -> None:
        self.redis_url, self.namespace, self.tmp_path = redis_url, namespace, tmp_path

    def run(self, *args: str, text: str | None = None) -> subprocess.CompletedProcess[str]:
        argv = list(args)
        if text is not None:
            path = self.tmp_path / f"{uuid.uuid4().hex[:8]}.cedar"
            path.write_text(text)
            argv.insert(2, str(path))
        command = [sys.executable, "-m", "kong_plugins.cli.main", *argv]
        command += ["--redis-url", self.redis_url, "--namespace", self.namespace]
        env = {k: v for k, v in os.environ.items() if k != "KONG_AI_REDIS_URL"}
        env["PYTHONPATH"] = str(REPO_ROOT)
        return subprocess.run(command, capture_output=True, text=True, timeout=60, env=env, check=False)

    def ok(self, *args: str, text: str | None = None) -> str:
        result = self.run(*args, text=text)
        assert result.returncode == 0, result.stderr
        return result.stdout


@pytest.fixture
def namespace() -> str:
    return f"authz-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def cli(redis_server: Any, namespace: str, tmp_path: Path) -> PolicyCli:
    return PolicyCli(redis_server.url, namespace, tmp_path)


@pytest.fixture
def route(authz, redis_server: Any, namespace: str):
    return authz(
        {
            "policy_source": "redis",
            "namespace": namespace,
            "poll_interval": 0,
            "redis": redis_server.redis_conf(),
        }
    )


def version_of(route, response) -> str:
    return str(route.shared(response)["ai_guard"]["authz"]["policy_version"])


def test_push_takes_effect_without_restart_and_rollback_restores(cli: PolicyCli, route) -> None:
    assert route.post(chat()).status_code == 503  # nothing pushed yet: no policy, nothing allowed
    assert (
        cli.ok(
            "policy",
            "push",
            text=V1,
        )
        == "pushed v1 (2 policies), active\n"
    )
    allowed = route.post(chat())
    assert allowed.status_code == 200
    assert version_of(route, allowed) == "v1"
    assert cli.ok("policy", "push", "-m", "no gpt-4o", text=V2).startswith("pushed v2")
    denied = route.post(chat())
    assert_forbidden(denied)
    assert (version_of(route, denied), route.shared(denied)["ai_guard"]["authz"]["rule"]) == (
        "v2",
        "no-gpt-4o",
    )
    assert cli.ok("policy", "rollback") == "active v1\n"
    assert route.post(chat()).status_code == 200
    assert cli.ok("policy", "rollback", "v2") == "active v2\n"
    assert_forbidden(route.post(chat()))
    listing = json.loads(cli.ok("policy", "list", "--json"))
    assert [(row["version"], row["status"]) for row in listing] == [("v1", ""), ("v2", "active")]
    assert listing[1]["message"] == "no gpt-4o"
    diff = cli.ok("policy", "diff", "v1", "v2")
    assert diff.startswith("--- v1\n+++ v2\n") and '+@id("no-gpt-4o")' in diff


def test_a_corrupt_push_is_refused_and_the_active_version_kept(cli: PolicyCli, route) -> None:
    cli.ok("policy", "push", text=V1)
    for broken in (
        "permit(principal, action, resource",
        'permit(principal, action == Action::"rm", resource);',
    ):
        refused = cli.run("policy", "push", text=broken)
        assert refused.returncode == 1
        assert "kong-ai: error:" in refused.stderr
    assert [row["version"] for row in json.loads(cli.ok("policy", "list", "--json"))] == ["v1"]
    response = route.post(chat())
    assert response.status_code == 200 and version_of(route, response) == "v1"


def test_a_bad_version_written_to_redis_directly_never_replaces_a_good_one(
    cli: PolicyCli, route, redis_server: Any, namespace: str
) -> None:
    cli.ok("policy", "push", text=V1)
    assert route.post(chat()).status_code == 200
    client = redis_server.client(decode_responses=True)
    state_key = f"{namespace}:{{policy}}:state"
    for name, record in (
        ("v90", {"text": "permit(", "sha256": hashlib.sha256(b"permit(").hexdigest()}),  # does not parse
        ("v91", {"text": V2, "sha256": "0" * 64}),  # half-written / tampered: the text is not the one hashed
    ):
        client.set(f"{namespace}:{{policy}}:version:{name}", json.dumps(record))
        client.set(state_key, json.dumps({"active": name, "history": ["v1"], "canary": None}))
        response = route.post(chat())
        assert response.status_code == 200
        assert version_of(route, response) == "v1"
    log = "\n".join(route.gateway.kong_log()[-60:]) if not route.gateway.real_kong else ""
    assert not log or ("policy version v90 refused" in log and "v91 is missing or not intact" in log)


def test_canary_for_named_tenants_then_promote_or_drop(cli: PolicyCli, route) -> None:
    cli.ok("policy", "push", text=V1)
    assert (
        cli.ok("policy", "push", "--canary", "globex", text=V2)
        == "pushed v2 (3 policies), canary for globex\n"
    )
    assert route.post(chat(), "acme").status_code == 200
    canary = route.post(chat(), "globex")
    assert_forbidden(canary)
    assert version_of(route, canary) == "v2"
    statuses = {row["version"]: row["status"] for row in json.loads(cli.ok("policy", "list", "--json"))}
    assert statuses == {"v1": "active", "v2": "canary(globex)"}
    assert cli.ok("policy", "rollback") == "active v1\n"  # drops the canary
    assert route.post(chat(), "globex").status_code == 200
    cli.ok("policy", "push", "--canary", "globex,initech", text=V2)
    assert cli.ok("policy", "promote") == "active v3\n"
    assert_forbidden(route.post(chat(), "acme"))
    assert cli.run("policy", "promote").returncode == 1  # nothing to promote any more


def test_poll_interval_keeps_the_loaded_version_until_it_is_due(
    authz, cli: PolicyCli, redis_server, namespace
) -> None:
    cli.ok("policy", "push", text=V1)
    slow = authz(
        {
            "policy_source": "redis",
            "namespace": namespace,
            "poll_interval": 3600,
            "redis": redis_server.redis_conf(),
        }
    )
    assert slow.post(chat()).status_code == 200
    cli.ok("policy", "push", text=V2)
    assert slow.post(chat()).status_code == 200  # read again only after an hour
