"""Two emulated gateway nodes sharing the stack's Redis, each with its own plugin server process, running
in a background thread for the duration of a test module (so the test itself stays synchronous: it sends
requests, runs ``kong-ai`` and polls).

Each node is a separate :class:`harness.gateway.Gateway` on its own ports, loading the same declarative
config: what one node learns only reaches the other through Redis, as between two real Kong nodes.
"""

from __future__ import annotations

import asyncio
import shlex
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from harness.conf import KongConf, PluginServerConf
from harness.gateway import Gateway

START_TIMEOUT_S = 120
PLUGIN_NAMES = ("ai-tenant-resolver", "ai-input-guard", "ai-token-limiter")


def _node(prefix: Path, deck_file: Path) -> Gateway:
    python = shlex.quote(sys.executable)
    start = f"{python} -m kong_plugins.server.cli -p {prefix} --socket-name kong-ai.sock --no-lua-style"
    query = f"{python} -m kong_plugins.server.cli --dump"
    servers = [
        PluginServerConf(name, str(prefix / "kong-ai.sock"), start, f"{query} {name}")
        for name in PLUGIN_NAMES
    ]
    conf = KongConf(
        prefix=str(prefix),
        plugins=["bundled", *PLUGIN_NAMES],
        pluginservers=servers,
        headers=["x-kong-request-id"],
    )
    return Gateway(conf, declarative_path=str(deck_file), path_map=[], echo_log=False)


@contextmanager
def two_nodes(deck: dict[str, Any], root: Path) -> Iterator[list[str]]:
    """Start two nodes on ``deck``; yields their proxy base URLs; stops them (and checks their logs) after."""
    deck_file = root / "kong.yaml"
    deck_file.write_text(yaml.safe_dump(deck))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="two-nodes", daemon=True)
    thread.start()
    nodes = [_node(root / f"node{i}", deck_file) for i in (1, 2)]

    def run(coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(START_TIMEOUT_S)

    try:
        for gateway in nodes:
            Path(gateway.conf.prefix).mkdir(parents=True, exist_ok=True)
            run(gateway.start(("127.0.0.1", 0), ("127.0.0.1", 0)))
        yield [f"http://127.0.0.1:{gateway.proxy.port}" for gateway in nodes]  # type: ignore[union-attr]
    finally:
        for gateway in nodes:
            run(gateway.stop())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
    for gateway in nodes:
        errors = [line for line in gateway.log.lines if "[error]" in line]
        assert not errors, errors[:5]
