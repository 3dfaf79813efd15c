"""The ``ip`` scope behind a trusted proxy: Kong resolves the client address from X-Forwarded-For only
when the peer is in ``trusted_ips`` (``kong.client.get_forwarded_ip()``), IPv6 clients are counted per /64.

Runs its own emulated gateway (in this process, with our plugin server, the real mock LLM and the tests'
Redis), because ``trusted_ips`` and ``real_ip_header`` are node settings of kong.conf.
"""

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
from integration.ai_token_limiter.limiter_support import PLUGIN, RestartableRedis, chat, limit

from kong_plugins.ai_token_limiter.report import read_counters

pytestmark = [pytest.mark.redis, pytest.mark.harness]

Sent = list[tuple[str, int]]


def deck(namespace: str, redis: RestartableRedis) -> dict[str, Any]:
    config = {
        "namespace": namespace,
        "strategy": "redis",
        "redis": redis.conf(),
        "limits": [limit("requests", 2, "60", scope="ip")],
    }
    route = {"name": "chat", "paths": ["/chat"], "plugins": [{"name": PLUGIN, "config": config}]}
    service = {"name": "llm", "url": f"{MOCK_LLM_URL}/v1/chat/completions", "routes": [route]}
    return {"_format_version": "3.0", "services": [service]}


async def send_all(redis: RestartableRedis, namespace: str, clients: list[str], **node_settings: Any) -> Sent:
    """Start a gateway with ``node_settings`` (kong.conf), send one chat request per X-Forwarded-For value
    in ``clients``, in order; (client, status) of each."""
    with tempfile.TemporaryDirectory(prefix="ip-scope-") as tmp:
        prefix = Path(tmp)
        deck_file = prefix / "kong.yaml"
        deck_file.write_text(yaml.safe_dump(deck(namespace, redis)))
        py = shlex.quote(sys.executable)
        server = PluginServerConf(
            PLUGIN,
            str(prefix / "kong-ai.sock"),
            f"{py} -m kong_plugins.server.cli -p {prefix} --socket-name kong-ai.sock --no-lua-style",
            f"{py} -m kong_plugins.server.cli --dump {PLUGIN}",
        )
        conf = KongConf(
            prefix=str(prefix), plugins=["bundled", PLUGIN], pluginservers=[server], **node_settings
        )
        gateway = Gateway(conf, declarative_path=str(deck_file), path_map=[], echo_log=False)
        try:
            await gateway.start(("127.0.0.1", 0), ("127.0.0.1", 0))
            base = f"http://127.0.0.1:{gateway.proxy.port}"
            async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                sent = []
                for address in clients:
                    response = await client.post("/chat", json=chat(), headers={"X-Forwarded-For": address})
                    sent.append((address, response.status_code))
                return sent
        finally:
            await gateway.stop()


BEHIND_A_PROXY = {"trusted_ips": ["127.0.0.1"], "real_ip_header": "X-Forwarded-For"}


def test_clients_behind_a_trusted_proxy_are_counted_apart_and_a_64_is_one_client(
    running_redis: RestartableRedis,
) -> None:
    namespace = f"t{uuid.uuid4().hex[:12]}"
    clients = [
        "198.51.100.1",
        "198.51.100.1",
        "198.51.100.1",  # its third request: refused
        "198.51.100.2",  # another client, its own counter
        "2001:db8:1:2::1",
        "2001:db8:1:2:ffff:ffff:ffff:fffe",  # another address of the same /64
        "2001:db8:1:2:abcd::9",  # rotating within the /64 does not help: refused
        "2001:db8:1:3::1",  # the next /64: another client
        "192.0.2.9, 198.51.100.2",  # a proxy chain: the address the trusted peer saw (rightmost)
    ]
    sent = asyncio.run(send_all(running_redis, namespace, clients, **BEHIND_A_PROXY))
    assert [status for _, status in sent] == [200, 200, 429, 200, 200, 200, 429, 200, 200]
    with running_redis.client() as client:
        counters = read_counters(client, namespace)
    used = {report.subject[0]: report.used for report in counters if report.scope == "ip"}
    assert used == {
        "198.51.100.1/32": 2,
        "198.51.100.2/32": 2,
        "2001:db8:1:2::/64": 2,
        "2001:db8:1:3::/64": 1,
    }


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(running_redis: RestartableRedis) -> None:
    namespace = f"t{uuid.uuid4().hex[:12]}"
    clients = ["198.51.100.1", "198.51.100.2", "198.51.100.3"]  # a client pretending to be three
    sent = asyncio.run(send_all(running_redis, namespace, clients, real_ip_header="X-Forwarded-For"))
    assert [status for _, status in sent] == [200, 200, 429]
    with running_redis.client() as client:
        counters = read_counters(client, namespace)
    assert {report.subject[0] for report in counters if report.scope == "ip"} == {"127.0.0.1/32"}
