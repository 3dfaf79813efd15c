"""200 concurrent requests through TWO emulated gateway nodes, each with its own plugin server process,
sharing one Redis: admitted requests never exceed the limit, and tokens exceed it by no more than the
in-flight reservations' corrections allow."""

from __future__ import annotations

import asyncio
import shlex
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fixtures.gateway import MOCK_LLM_URL
from harness.conf import KongConf, PluginServerConf
from harness.gateway import Gateway
from integration.ai_token_limiter.limiter_support import (
    ANSWER_TOKENS,
    PLUGIN,
    PROMPT_TOKENS,
    RestartableRedis,
    chat,
    limit,
)

from kong_plugins.ai_token_limiter.report import read_counters

pytestmark = [pytest.mark.redis, pytest.mark.harness]

REQUESTS = 200
REQUEST_LIMIT = 50
TOKEN_LIMIT = 600
RESERVED_COMPLETION = 8  # default_max_tokens: the requests set no max_tokens, the mock answers 16
RESERVED = PROMPT_TOKENS + RESERVED_COMPLETION
ACTUAL = PROMPT_TOKENS + ANSWER_TOKENS


def deck(redis_conf: dict[str, Any], namespaces: dict[str, str]) -> dict[str, Any]:
    def route(name: str, limits: list[dict[str, Any]]) -> dict[str, Any]:
        config = {
            "limits": limits,
            "strategy": "redis",
            "namespace": namespaces[name],
            "default_max_tokens": RESERVED_COMPLETION,
            "redis": redis_conf,
        }
        return {"name": name, "paths": [f"/{name}"], "plugins": [{"name": PLUGIN, "config": config}]}

    return {
        "_format_version": "3.0",
        "services": [
            {
                "name": "llm",
                "url": f"{MOCK_LLM_URL}/v1/chat/completions",
                "routes": [
                    route("requests", [limit("requests", REQUEST_LIMIT, "60")]),
                    route("tokens", [limit("tokens", TOKEN_LIMIT, "60")]),
                ],
            }
        ],
    }


def node(prefix: Path, deck_file: Path) -> Gateway:
    """One gateway node with its own plugin server process (our server, one socket under its prefix)."""
    python = shlex.quote(sys.executable)
    start = f"{python} -m kong_plugins.server.cli -p {prefix} --socket-name kong-ai.sock --no-lua-style"
    query = f"{python} -m kong_plugins.server.cli --dump {PLUGIN}"
    conf = KongConf(
        prefix=str(prefix),
        plugins=["bundled", PLUGIN],
        pluginservers=[PluginServerConf(PLUGIN, str(prefix / "kong-ai.sock"), start, query)],
        headers=["x-kong-request-id"],
    )
    return Gateway(conf, declarative_path=str(deck_file), path_map=[], echo_log=False)


async def blast(nodes: list[Gateway], path: str) -> list[int]:
    """REQUESTS requests at once, half through each node."""
    limits = httpx.Limits(max_connections=REQUESTS, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        sends = [
            client.post(
                f"http://127.0.0.1:{nodes[index % 2].proxy.port}{path}",  # type: ignore[union-attr]
                json=chat(max_tokens=None),
            )
            for index in range(REQUESTS)
        ]
        return [response.status_code for response in await asyncio.gather(*sends)]


async def run(redis_conf: dict[str, Any], namespaces: dict[str, str]) -> dict[str, list[int]]:
    with tempfile.TemporaryDirectory(prefix="limiter-nodes-") as tmp:
        root = Path(tmp)
        deck_file = root / "kong.yaml"
        deck_file.write_text(yaml.safe_dump(deck(redis_conf, namespaces)))
        nodes = [node(root / f"node{i}", deck_file) for i in (1, 2)]
        try:
            for gateway in nodes:
                (root / Path(gateway.conf.prefix).name).mkdir(exist_ok=True)
                await gateway.start(("127.0.0.1", 0), ("127.0.0.1", 0))
            pids = {proc.proc.pid for gateway in nodes for proc in gateway.processes if proc.proc}
            assert len(pids) == 2  # two plugin server processes
            return {"requests": await blast(nodes, "/requests"), "tokens": await blast(nodes, "/tokens")}
        finally:
            for gateway in nodes:
                await gateway.stop()
            for gateway in nodes:
                assert not [line for line in gateway.log.lines if "no data" in line or "[error]" in line]


def test_two_nodes_never_over_admit(running_redis: RestartableRedis) -> None:
    namespaces = {"requests": f"c{uuid.uuid4().hex[:10]}", "tokens": f"c{uuid.uuid4().hex[:10]}"}
    redis_conf = running_redis.conf(connect_timeout=2000, read_timeout=2000, send_timeout=2000)
    statuses = asyncio.run(run(redis_conf, namespaces))

    assert sorted(set(statuses["requests"])) == [200, 429]
    assert statuses["requests"].count(200) == REQUEST_LIMIT  # never more; and no refusal while room was left

    admitted = statuses["tokens"].count(200)
    assert set(statuses["tokens"]) <= {200, 429} and 0 < admitted < REQUESTS
    with running_redis.client() as client:
        (tokens,) = [r for r in read_counters(client, namespaces["tokens"]) if r.metric == "tokens"]
    # every admitted request was settled to what it really used...
    assert tokens.used == admitted * ACTUAL
    # ...each was admitted only while the counter had room for its reservation, so the limit can only be
    # passed by the corrections (actual - reserved) of requests still in flight at the last admission
    assert tokens.used <= TOKEN_LIMIT + admitted * (ACTUAL - RESERVED)
    assert (
        admitted * RESERVED > TOKEN_LIMIT - ACTUAL or admitted >= TOKEN_LIMIT // ACTUAL
    )  # not under-admitting
