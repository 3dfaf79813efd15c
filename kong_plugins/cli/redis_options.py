"""The Redis of ``kong-ai`` commands: ``--redis-url`` (or ``KONG_AI_REDIS_URL``) and ``--namespace``.

The URL is turned into the same validated :class:`~kong_plugins.core.redis.RedisConfig` the plugins use, so
the CLI connects exactly as they do (timeouts, TLS, ACL user) and writes keys in the same layout::

    redis://[[username]:password@]host[:port][/database]
    rediss://...                       TLS, certificate verified (add ?ssl_verify=false to skip)
    ...?server_name=redis.example.com  TLS server name when host is an IP address
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
    "REDIS_URL_ENV",
    "add_redis_arguments",
    "redis_client",
    "redis_config_from_url",
]

REDIS_URL_ENV = "KONG_AI_REDIS_URL"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class RedisUrlError(ValueError):
    """The Redis URL cannot be used (the message never repeats a password)."""


def add_redis_arguments(parser: argparse.ArgumentParser, default_namespace: str) -> None:
    """Add ``--redis-url`` and ``--namespace`` (the plugin's ``namespace`` setting) to a command's parser."""
    parser.add_argument(
        "--redis-url",
        default=None,
        help=f"Redis to use (default: ${REDIS_URL_ENV}, else {DEFAULT_REDIS_URL})",
    )
    parser.add_argument(
        "--namespace",
        default=default_namespace,
        help=f"key prefix, the plugin's `namespace` setting (default: {default_namespace})",
    )


def redis_config_from_url(url: str) -> RedisConfig:
    """Parse a ``redis://`` / ``rediss://`` URL into validated settings; raises :class:`RedisUrlError`."""
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
    try:
        return RedisConfig.from_config(conf, path="redis_url")
    except ConfigError as exc:
        raise RedisUrlError(
            f"unusable Redis URL: {', '.join(f'{k}: {v}' for k, v in exc.fields.items())}"
        ) from exc


def _flag(query: dict[str, list[str]], name: str, *, default: bool) -> bool:
    if name not in query:
        return default
    value = query[name][-1].lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise RedisUrlError(f"{name} must be true or false")


def redis_client(args: argparse.Namespace) -> RedisClient:
    """The client for a command's ``--redis-url`` (else the environment, else the default)."""
    url = args.redis_url or os.environ.get(REDIS_URL_ENV) or DEFAULT_REDIS_URL
    try:
        return connect(redis_config_from_url(url))
    except RedisUrlError as exc:
        raise CliError(str(exc)) from exc
