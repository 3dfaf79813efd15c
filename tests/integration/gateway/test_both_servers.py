"""Our plugin chain behaves the same under kong-ai-pluginserver and the stock kong-python-pluginserver.

Each plugin module stays a standard kong-pdk plugin (Plugin, Schema, version, priority), so it must also run
under the stock server (kong/python-plugins/ holds the one-line shims it loads). The same requests go
through the emulated gateway with each server: same statuses, bodies, upstream headers and PDK round trips.
"""

from __future__ import annotations

import asyncio
import shlex
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from harness.conf import KongConf, PluginServerConf
from harness.gateway import Gateway
from harness.wire_upstream import WireUpstream

ROOT = Path(__file__).resolve().parents[3]
SHIMS = ROOT / "kong" / "python-plugins"
PLUGIN = "ai-tenant-resolver"


def server_conf(kind: str, prefix: Path) -> PluginServerConf:
    py = shlex.quote(sys.executable)
    if kind == "ours":
        start = f"{py} -m kong_plugins.server.cli -p {prefix} --socket-name kong-ai.sock --no-lua-style"
        query = f"{py} -m kong_plugins.server.cli --dump {PLUGIN}"
        return PluginServerConf(PLUGIN, str(prefix / "kong-ai.sock"), start, query)
    # Kong 3.9 keeps only the first plugin a query prints, and the stock server prints a whole folder:
    # give it a folder holding this one plugin's shim (kong/python-plugins/README.md).
    folder = prefix / "stock-plugins"
    folder.mkdir(exist_ok=True)
    shutil.copy(SHIMS / f"{PLUGIN}.py", folder / f"{PLUGIN}.py")
    stock = f"{py} -c 'from kong_pdk.cli import start_server; start_server()'"
    start = f"{stock} -d {shlex.quote(str(folder))} -p {prefix}"  # lua-style returns: the stock default
    query = f"{stock} -d {shlex.quote(str(folder))} --dump-all-plugins"
    return PluginServerConf(PLUGIN, str(prefix / "python_pluginserver.sock"), start, query)


def deck(upstream_port: int) -> dict[str, Any]:
    return {
        "_format_version": "3.0",
        "services": [
            {
                "name": "echo",
                "url": f"http://127.0.0.1:{upstream_port}",
                "routes": [
                    {
                        "name": "chat",
                        "paths": ["/chat"],
                        "plugins": [
                            {
                                "name": PLUGIN,
                                "config": {
                                    "sources": ["header"],
                                    "tenants": [
                                        {"id": "acme", "tier": "pro", "region": "eu"},
                                        {"id": "initech", "status": "suspended"},
                                    ],
                                },
                            }
                        ],
                    }
                ],
            }
        ],
    }


REQUESTS: list[tuple[str, dict[str, str]]] = [
    ("acme", {"X-Tenant-ID": "acme", "X-Tenant-Tier": "enterprise"}),
    ("no tenant", {}),
    ("suspended", {"X-Tenant-ID": "initech"}),
    ("unknown", {"X-Tenant-ID": "nobody"}),
    ("bad syntax", {"X-Tenant-ID": "a/../b"}),
]


async def run_chain(kind: str) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix=f"both-{kind}-") as tmp:
        prefix = Path(tmp)
        upstream = WireUpstream()
        await upstream.start()
        deck_file = prefix / "kong.yaml"
        deck_file.write_text(yaml.safe_dump(deck(upstream.port)))
        conf = KongConf(
            prefix=str(prefix),
            plugins=["bundled", PLUGIN],
            pluginservers=[server_conf(kind, prefix)],
            headers=["x-kong-request-id"],
        )
        gateway = Gateway(conf, declarative_path=str(deck_file), path_map=[], echo_log=False)
        outcomes = []
        try:
            await gateway.start(("127.0.0.1", 0), ("127.0.0.1", 0))
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.proxy.port}") as client:
                for label, headers in REQUESTS:
                    before = len(upstream.received)
                    response = await client.post("/chat", headers=headers, json={"model": "m"})
                    body = response.json()
                    body.pop("request_id", None)
                    seen = None
                    if len(upstream.received) > before:
                        seen = sorted(
                            (n.lower(), v.decode())
                            for n, v in upstream.received[-1].headers
                            if n.lower().startswith("x-tenant")
                        )
                    outcomes.append(
                        {
                            "label": label,
                            "status": response.status_code,
                            "body": body,
                            "tenant_header": response.headers.get("X-Tenant-ID"),
                            "upstream_saw": seen,
                            "pdk_calls": response.headers.get("X-Emulator-Pdk-Calls"),
                        }
                    )
        finally:
            await gateway.stop()
            await upstream.close()
        assert not any("no data" in line or "starting instance" in line for line in gateway.log.lines)
        return outcomes


@pytest.fixture(scope="module")
def outcomes() -> dict[str, list[dict[str, Any]]]:
    return {kind: asyncio.run(run_chain(kind)) for kind in ("ours", "stock")}


def test_both_servers_give_the_same_answers(outcomes: dict[str, list[dict[str, Any]]]) -> None:
    assert outcomes["ours"] == outcomes["stock"]


def test_the_chain_did_its_job(outcomes: dict[str, list[dict[str, Any]]]) -> None:
    by_label = {o["label"]: o for o in outcomes["ours"]}
    acme = by_label["acme"]
    assert acme["status"] == 200
    assert acme["tenant_header"] == "acme"
    assert acme["upstream_saw"] == [
        ("x-tenant-id", "acme"),
        ("x-tenant-region", "eu"),
        ("x-tenant-tier", "pro"),
    ]
    assert acme["pdk_calls"] == f"{PLUGIN}.access=4"
    assert by_label["no tenant"]["status"] == 401
    assert by_label["no tenant"]["body"] == {"message": "Unauthorized"}
    for label in ("suspended", "unknown", "bad syntax"):
        assert by_label[label]["status"] == 403
        assert by_label[label]["body"] == {"message": "Forbidden"}
        assert by_label[label]["upstream_saw"] is None
