"""Fixtures: the real ``kong-ai-pluginserver`` process serving the example plugins, in both modes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.pluginserver_client import (
    RpcConnection,
    ServerProcess,
    our_server_command,
    server_env,
    start_server,
)

MODE_FLAGS = {"threads": ["--runtime", "threads"], "gevent": ["-g"], "green": ["--runtime", "green"]}


@pytest.fixture(scope="module", params=["threads", "gevent", "green"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """One server per mode for a test module (threads, ``-g`` for gevent, ``--runtime green``)."""
    prefix = tmp_path_factory.mktemp(f"ps-{request.param}")
    extra = MODE_FLAGS[request.param]
    process = start_server(our_server_command(prefix, *extra), prefix / "kong-ai.sock", env=server_env())
    yield process
    process.terminate()


@pytest.fixture
def conn(server: ServerProcess) -> Iterator[RpcConnection]:
    """A connection with a short read timeout: an answer that does not come at once is a failure."""
    with server.connect(timeout=5.0) as connection:
        yield connection


@pytest.fixture
def own_prefix(tmp_path: Path) -> Path:
    """A prefix for tests that start (and stop) their own server."""
    prefix = tmp_path / "prefix"
    prefix.mkdir()
    return prefix
