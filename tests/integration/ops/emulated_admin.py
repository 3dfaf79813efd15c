"""An emulated Kong 3.9 Admin API of its own (tests/harness), loaded from a deck file, for the operator tools.

``kong-ai assess --admin-url`` and ``scripts/enable-plugins`` talk to Kong's Admin API only, so these tests
start a gateway in this process (on its own event loop, in a thread) whose plugin catalog comes from our
plugin server's query command (``--dump``), exactly as Kong learns our schemas, plus the bundled plugins the
emulator has and our Lua guards. No plugin server process is started: nothing is proxied here.
"""

from __future__ import annotations

import asyncio
import shlex
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness import declarative
from harness.conf import KongConf, PluginServerConf
from harness.gateway import Gateway
from harness.store import Store

from kong_plugins.server.registry import PLUGIN_MODULES

LUA_PLUGINS = ("ai-fail-closed", "ai-fail-closed-response")


def _plugin_servers() -> list[PluginServerConf]:
    py = shlex.quote(sys.executable)
    return [
        PluginServerConf(
            name, "/nonexistent/kong-ai.sock", None, f"{py} -m kong_plugins.server.cli --dump {name}"
        )
        for name in PLUGIN_MODULES
    ]


class EmulatedAdmin:
    """The gateway's Admin API URL, and :meth:`load` to replace its whole configuration with a deck file
    (a new store, as a DB-less Kong's ``/config`` would; the plugin catalog is kept: the query commands are
    what takes time to start)."""

    def __init__(self, gateway: Gateway, url: str) -> None:
        self.gateway = gateway
        self.url = url

    def load(self, path: str | Path | None) -> None:
        gateway = self.gateway
        store = Store(workspace_id=gateway.workspace_id, kong_version=gateway.kong_version)
        if path is not None:
            declarative.load_file(store, path, gateway.catalog)
        gateway.store = store
        assert gateway.admin_api is not None
        gateway.admin_api.store = store


@contextmanager
def emulated_admin(deck_file: str | Path | None = None) -> Iterator[EmulatedAdmin]:
    """An emulated gateway loaded with ``deck_file`` (None: empty), by its Admin API."""
    with tempfile.TemporaryDirectory(prefix="kong-ai-admin-") as tmp:
        conf = KongConf(
            prefix=tmp, plugins=["bundled", *PLUGIN_MODULES, *LUA_PLUGINS], pluginservers=_plugin_servers()
        )
        gateway = Gateway(
            conf,
            declarative_path=str(deck_file) if deck_file else None,
            path_map=[],
            echo_log=False,
        )
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, daemon=True)
        thread.start()
        try:
            started = asyncio.run_coroutine_threadsafe(
                gateway.start(("127.0.0.1", 0), ("127.0.0.1", 0)), loop
            )
            started.result(timeout=120)
            assert gateway.admin is not None
            yield EmulatedAdmin(gateway, f"http://127.0.0.1:{gateway.admin.port}")
        finally:
            asyncio.run_coroutine_threadsafe(gateway.stop(), loop).result(timeout=60)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
            loop.close()
