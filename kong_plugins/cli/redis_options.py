"""The Redis of ``kong-ai`` commands: ``--redis-url`` (or ``KONG_AI_REDIS_URL``), ``--redis-cluster-nodes``
(or ``KONG_AI_REDIS_CLUSTER_NODES``) and ``--namespace``.

The options are turned into the same validated :class:`~kong_plugins.core.redis.RedisConfig` the plugins use,
so the CLI connects exactly as they do (timeouts, TLS, ACL user, Redis Cluster) and writes keys in the same
layout::

    redis://[[username]:password@]host[:port][/database]
    rediss://...                       TLS, certificate verified (add ?ssl_verify=false to skip)
    ...?server_name=redis.example.com  TLS server name when host is an IP address

``--redis-cluster-nodes host:port,host:port`` is the plugins' ``redis.cluster_nodes``: as there, it makes the
client a Redis Cluster client and the URL's host and port are ignored, while its user, password and TLS
settings still apply (a database other than 0 is refused, as in the plugin config).
"""

from __future__ import annotations

import argparse
import os
import urllib.parse
from typing import Any

from kong_plugins.cli.main import CliError
from kong_plugins.core.errors import ConfigError
from kong_plugins.core.redis import RedisClient, RedisConfig, connect

__all__ = [
    "DEFAULT_REDIS_URL",
    "REDIS_CLUSTER_NODES_ENV",
    "REDIS_URL_ENV",
    "add_redis_arguments",
    "redis_client",
    "redis_config",
    "redis_config_from_url",
]

REDIS_URL_ENV = "KONG_AI_REDIS_URL"
REDIS_CLUSTER_NODES_ENV = "KONG_AI_REDIS_CLUSTER_NODES"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
_MAX_NODES = 64  # the plugins' cluster_nodes limit; RedisConfig names the excess
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class RedisUrlError(ValueError):
    """The Redis URL cannot be used (the message never repeats a password)."""


def add_redis_arguments(parser: argparse.ArgumentParser, default_namespace: str) -> None:
    """Add ``--redis-url``, ``--redis-cluster-nodes`` and ``--namespace`` (the plugin's ``namespace``
    setting) to a command's parser."""
    parser.add_argument(
        "--redis-url",
        default=None,
        help=f"Redis to use (default: ${REDIS_URL_ENV}, else {DEFAULT_REDIS_URL})",
    )
    parser.add_argument(
        "--redis-cluster-nodes",
        dest="redis_cluster_nodes",
        action="append",
        default=None,
        metavar="HOST:PORT[,HOST:PORT...]",
        help="Redis Cluster nodes, the plugins' `redis.cluster_nodes` (repeatable; default: "
        f"${REDIS_CLUSTER_NODES_ENV}); the --redis-url host is then ignored, its user/password/TLS apply",
    )
    # The older spelling of `kong-ai audit` (one node per option), kept for scripts that use it.
    parser.add_argument("--cluster-node", dest="redis_cluster_nodes", action="append", help=argparse.SUPPRESS)
    parser.add_argument(
        "--namespace",
        default=default_namespace,
        help=f"key prefix, the plugin's `namespace` setting (default: {default_namespace})",
    )


def redis_config_from_url(url: str, cluster_nodes: str | None = None) -> RedisConfig:
    """Parse a ``redis://`` / ``rediss://`` URL (plus ``host:port,...`` cluster nodes, if any) into validated
    settings; raises :class:`RedisUrlError`."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise RedisUrlError("the Redis URL is malformed") from exc
    if parts.scheme not in ("redis", "rediss"):
        raise RedisUrlError("the Redis URL must start with redis:// or rediss://")
    if not parts.hostname:
        raise RedisUrlError("the Redis URL has no host")
    conf: dict[str, Any] = {"host": parts.hostname, "port": port or 6379}
    if parts.username:
        conf["username"] = urllib.parse.unquote(parts.username)
    if parts.password is not None:
        conf["password"] = urllib.parse.unquote(parts.password)
    database = parts.path.lstrip("/")
    if database:
        if not database.isdigit():
            raise RedisUrlError("the Redis URL's path must be a database number")
        conf["database"] = int(database)
    query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
    if parts.scheme == "rediss":
        conf["ssl"] = True
        conf["ssl_verify"] = _flag(query, "ssl_verify", default=True)
        if "server_name" in query:
            conf["server_name"] = query["server_name"][-1]
    if cluster_nodes is not None:
        conf["cluster_nodes"] = _cluster_nodes(cluster_nodes)
    try:
        return RedisConfig.from_config(conf, path="redis_url")
    except ConfigError as exc:
        raise RedisUrlError(
            f"unusable Redis settings: {', '.join(f'{k}: {v}' for k, v in exc.fields.items())}"
        ) from exc


def _cluster_nodes(value: str) -> list[dict[str, Any]]:
    """``host:port,[::1]:port`` as the plugins' ``cluster_nodes`` records (``RedisConfig`` checks them)."""
    nodes = []
    for node in value.split(",")[: _MAX_NODES + 1]:
        host, _, port = node.strip().rpartition(":")
        if not host or not port.isdigit() or len(port) > 5:
            raise RedisUrlError(f"Redis Cluster node {node.strip()[:100]!r}: expected HOST:PORT")
        nodes.append({"ip": host.strip("[]"), "port": int(port)})
    return nodes


def _flag(query: dict[str, list[str]], name: str, *, default: bool) -> bool:
    if name not in query:
        return default
    value = query[name][-1].lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise RedisUrlError(f"{name} must be true or false")


def redis_config(args: argparse.Namespace) -> RedisConfig:
    """The settings of a command's ``--redis-url``/``--redis-cluster-nodes`` (else the environment, else
    the default standalone URL)."""
    url = args.redis_url or os.environ.get(REDIS_URL_ENV) or DEFAULT_REDIS_URL
    given = getattr(args, "redis_cluster_nodes", None)
    nodes = ",".join(given) if given else os.environ.get(REDIS_CLUSTER_NODES_ENV) or None
    try:
        return redis_config_from_url(url, nodes)
    except RedisUrlError as exc:
        raise CliError(str(exc)) from exc


def redis_client(args: argparse.Namespace) -> RedisClient:
    """The client for a command's Redis options: a cluster client when cluster nodes are given."""
    return connect(redis_config(args))
