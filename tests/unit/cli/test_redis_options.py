"""The shared Redis options of ``kong-ai``: ``--redis-cluster-nodes`` builds the plugins' cluster settings."""

from __future__ import annotations

import argparse

import pytest

from kong_plugins.cli.main import CliError
from kong_plugins.cli.redis_options import (
    REDIS_CLUSTER_NODES_ENV,
    REDIS_URL_ENV,
    add_redis_arguments,
    redis_config,
)
from kong_plugins.core.redis import ClusterNode


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_redis_arguments(parser, "ns")
    return parser.parse_args(list(argv))


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REDIS_URL_ENV, raising=False)
    monkeypatch.delenv(REDIS_CLUSTER_NODES_ENV, raising=False)


def test_without_cluster_nodes_the_client_is_standalone() -> None:
    cfg = redis_config(_args("--redis-url", "redis://r.internal:6380/2"))
    assert not cfg.is_cluster and (cfg.host, cfg.port, cfg.database) == ("r.internal", 6380, 2)


def test_cluster_nodes_keep_the_urls_credentials_and_tls() -> None:
    cfg = redis_config(
        _args(
            "--redis-url",
            "rediss://ops:s3cret@ignored:1/0",
            "--redis-cluster-nodes",
            "10.0.0.1:7000, [::1]:7001",
            "--cluster-node",
            "r3.internal:7002",
        )
    )
    assert cfg.cluster_nodes == (
        ClusterNode("10.0.0.1", 7000),
        ClusterNode("::1", 7001),
        ClusterNode("r3.internal", 7002),
    )
    assert (cfg.username, cfg.password, cfg.ssl, cfg.ssl_verify) == ("ops", "s3cret", True, True)


def test_cluster_nodes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REDIS_CLUSTER_NODES_ENV, "127.0.0.1:7101,127.0.0.1:7102")
    assert redis_config(_args()).cluster_nodes == (
        ClusterNode("127.0.0.1", 7101),
        ClusterNode("127.0.0.1", 7102),
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--redis-cluster-nodes", "127.0.0.1"], "expected HOST:PORT"),
        (["--redis-cluster-nodes", "127.0.0.1:7000,"], "expected HOST:PORT"),
        (["--redis-cluster-nodes", "127.0.0.1:70000"], "cluster_nodes.1.port"),
        (["--redis-cluster-nodes", "bad host:7000"], "cluster_nodes.1.ip"),
        (["--redis-cluster-nodes", ",".join(["h:1"] * 65)], "cluster_nodes"),
        (["--redis-url", "redis://h/1", "--redis-cluster-nodes", "h:7000"], "database"),
    ],
)
def test_unusable_cluster_nodes_are_refused(argv: list[str], message: str) -> None:
    with pytest.raises(CliError, match=message):
        redis_config(_args(*argv))
