"""Redis for every kong-ai-guard plugin: the shared ``redis`` config record, validated settings, pooled
clients, error mapping and Lua scripts called by SHA.

Why one module: every plugin that keeps state in Redis (token limiter, audit sink ...) must accept the same
``config.redis`` record, with Kong's field names, and must behave the same when Redis is slow or down. Plugin
instances with equal Redis settings share one client and connection pool per process.

Round trips, so callers can budget latency:

* a pooled connection costs nothing to acquire; a new one costs a TCP connect (+ a TLS handshake when
  ``ssl``), + one ``AUTH`` round trip when a password is set, + one ``SELECT`` when ``database`` is not 0;
* a command costs one round trip, + one per ``MOVED``/``ASK`` redirect in Redis Cluster (after a resharding or
  a failover, at most ``cluster_max_redirections``);
* :class:`LuaScript` costs one round trip (``EVALSHA``), two the first time a server has not seen the script;
* :func:`connect` to a Redis Cluster reads the topology (``CLUSTER SLOTS``) once per process and config.

Time bounds: a connect is bounded by ``connect_timeout``, each read or write by ``read_timeout`` /
``send_timeout`` (Python sockets have one timeout for both: the larger is used), waiting for a free pooled
connection by ``connect_timeout``. Nothing is retried blindly: a failed command raises at once
(:class:`RedisUnavailable`), so the worst case stays near the configured timeouts instead of multiplying them.
Two things are outside these bounds: DNS resolution of a host name (use IP addresses where that matters), and,
in cluster mode, the topology refresh after a node failure, which tries the known nodes one after another.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import ipaddress
import os
import re
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from queue import Empty, LifoQueue
from typing import Any

import redis
import redis.cluster
import redis.exceptions as redis_exc
from redis.backoff import NoBackoff
from redis.connection import AbstractConnection, BlockingConnectionPool, Connection, SSLConnection
from redis.retry import Retry

from kong_plugins.core import blocking, metrics
from kong_plugins.core.errors import ConfigError, RedisUnavailable

__all__ = [
    "DEFAULT_TIMEOUT_MS",
    "REDIS_SCHEMA_FIELD",
    "SENTINEL_UNSUPPORTED",
    "TRUSTED_CERTIFICATE_ENV",
    "ClusterNode",
    "LuaScript",
    "RedisClient",
    "RedisConfig",
    "close_all_clients",
    "connect",
    "is_unavailable_error",
    "redis_errors",
]

RedisClient = redis.Redis | redis.cluster.RedisCluster
"""What :func:`connect` returns: a standalone or a Redis Cluster client (both decode replies to ``str``)."""

DEFAULT_TIMEOUT_MS = 2000
_TIMEOUT_MAX_MS = 2**31 - 2  # Kong's typedefs.timeout upper bound
_INT32_MAX = 2**31 - 1
_PORT_RANGE = [0, 65535]  # Kong's typedefs.port
_MAX_POOL_SIZE = 4096
_MAX_CLUSTER_NODES = 64
_MAX_REDIRECTIONS = 100
_HOST_MAX_LEN = 255
_SERVER_NAME_MAX_LEN = 253
_USERNAME_MAX_LEN = 256
_PASSWORD_MAX_LEN = 4096

TRUSTED_CERTIFICATE_ENV = "KONG_LUA_SSL_TRUSTED_CERTIFICATE"
"""Where ``ssl_verify`` finds trusted CAs, in the format of Kong's ``lua_ssl_trusted_certificate``: a
comma-separated list of PEM file paths and/or ``system`` (the OS trust store). Unset means ``system``, Kong
3.x's default."""

_SENTINEL_NOTE = (
    "Redis Sentinel is not implemented by kong-ai-guard: the field exists because Kong's redis record has "
    "it, and any value other than null is refused."
)
SENTINEL_UNSUPPORTED = "Redis Sentinel is not supported by kong-ai-guard; use host/port or cluster_nodes"


def _timeout_field(description: str) -> dict[str, Any]:
    """Kong's ``typedefs.timeout`` plus ``gt: 0``: we never wait without a limit, and Kong refuses 0 too."""
    return {"type": "integer", "gt": 0, "between": [0, _TIMEOUT_MAX_MS], "description": description}


def _unsupported_field(field_type: str, description: str, **attributes: Any) -> dict[str, Any]:
    """A Kong redis field we do not implement: ``eq: null`` makes Kong's schema refuse any value (with
    ``err`` as the message, schema/init.lua ``validate_field``), so the Admin API answers 400 instead of
    accepting a config whose instance could never start."""
    return {
        "type": field_type,
        "eq": None,
        "err": SENTINEL_UNSUPPORTED,
        "description": f"{description} {_SENTINEL_NOTE}",
        **attributes,
    }


def _port_field(description: str) -> dict[str, Any]:
    """Kong's ``typedefs.port`` plus ``gt: 0`` (nothing can be reached on port 0)."""
    return {
        "type": "integer",
        "gt": 0,
        "between": list(_PORT_RANGE),
        "default": 6379,
        "description": description,
    }


REDIS_SCHEMA_FIELD: dict[str, Any] = {
    "redis": {
        "type": "record",
        "required": True,
        "description": "Redis connection settings, shared by every kong-ai-guard plugin using Redis.",
        "fields": [
            {
                "host": {
                    "type": "string",
                    "default": "127.0.0.1",
                    "len_min": 1,
                    "len_max": _HOST_MAX_LEN,
                    "description": "Host name or IP address of the Redis server (no port). "
                    "Ignored when `cluster_nodes` is set.",
                }
            },
            {"port": _port_field("Port of the Redis server. Ignored when `cluster_nodes` is set.")},
            {
                "timeout": {
                    **_timeout_field(
                        "Deprecated: use `connect_timeout`, `send_timeout` and `read_timeout`. When set, "
                        "its value (milliseconds) is used for each of those three that is not set."
                    ),
                    "deprecation": {
                        "message": "redis.timeout is deprecated, please use redis.connect_timeout, "
                        "redis.send_timeout and redis.read_timeout instead",
                        "removal_in_version": "4.0",
                    },
                }
            },
            {
                "connect_timeout": _timeout_field(
                    "Time limit in milliseconds to open a connection to Redis, and to wait for a free pooled "
                    f"connection. Unset: `timeout` if set, else {DEFAULT_TIMEOUT_MS}. Must be greater than 0."
                )
            },
            {
                "send_timeout": _timeout_field(
                    "Time limit in milliseconds for each write to Redis. Unset: `timeout` if set, else "
                    f"{DEFAULT_TIMEOUT_MS}. Python sockets have one timeout for reads and writes: the larger "
                    "of `send_timeout` and `read_timeout` applies to both. Must be greater than 0."
                )
            },
            {
                "read_timeout": _timeout_field(
                    "Time limit in milliseconds for each read from Redis (waiting for a reply). Unset: "
                    f"`timeout` if set, else {DEFAULT_TIMEOUT_MS}. Must be greater than 0."
                )
            },
            {
                "username": {
                    "type": "string",
                    "referenceable": True,
                    "len_max": _USERNAME_MAX_LEN,
                    "description": "Username for Redis ACL authentication (Redis 6+). If unset or empty, ACL "
                    "authentication is not performed; use `default` to authenticate a Redis 5 password user.",
                }
            },
            {
                "password": {
                    "type": "string",
                    "referenceable": True,
                    "encrypted": True,
                    "len_min": 0,
                    "len_max": _PASSWORD_MAX_LEN,
                    "description": "Password for Redis connections. If unset or empty, no AUTH is sent.",
                }
            },
            {
                "database": {
                    "type": "integer",
                    "default": 0,
                    "between": [0, _INT32_MAX],
                    "description": "Redis database number to use. Redis Cluster only has database 0.",
                }
            },
            {
                "ssl": {
                    "type": "boolean",
                    "required": True,
                    "default": False,
                    "description": "If set to true, connects to Redis over TLS.",
                }
            },
            {
                "ssl_verify": {
                    "type": "boolean",
                    "required": True,
                    "default": False,
                    "description": "If set to true, verifies the Redis server's TLS certificate chain and "
                    "that it matches `server_name` (or `host` when `server_name` is unset). Trusted CAs come "
                    f"from the `{TRUSTED_CERTIFICATE_ENV}` environment variable of the plugin server, in the "
                    "format of Kong's `lua_ssl_trusted_certificate` (PEM paths and/or `system`); unset means "
                    "`system`.",
                }
            },
            {
                "server_name": {
                    "type": "string",
                    "len_max": _SERVER_NAME_MAX_LEN,
                    "description": "Server name sent in the TLS Server Name Indication extension and "
                    "checked against the server certificate when `ssl_verify` is true. A name, not an IP.",
                }
            },
            {
                "keepalive_pool_size": {
                    "type": "integer",
                    "default": 256,
                    "between": [1, _MAX_POOL_SIZE],
                    "description": "Most connections this plugin server process keeps open to each Redis "
                    "node. Plugin instances with equal Redis settings share one pool.",
                }
            },
            {
                "keepalive_backlog": {
                    "type": "integer",
                    "between": [0, _INT32_MAX],
                    "description": "When all `keepalive_pool_size` connections are busy, at most this "
                    "many requests wait (up to `connect_timeout`) for one; further ones fail at once. Unset: "
                    "no limit on waiting requests.",
                }
            },
            {
                "cluster_nodes": {
                    "type": "array",
                    "len_min": 1,
                    "len_max": _MAX_CLUSTER_NODES,
                    "description": "Redis Cluster nodes to discover the cluster from. Setting this field "
                    "means Redis Cluster is used, and `host`/`port` are ignored.",
                    "elements": {
                        "type": "record",
                        "fields": [
                            {
                                "ip": {
                                    "type": "string",
                                    "required": True,
                                    "default": "127.0.0.1",
                                    "len_min": 1,
                                    "len_max": _HOST_MAX_LEN,
                                    "description": "Host name or IP address of a Redis Cluster node.",
                                }
                            },
                            {"port": _port_field("Port of a Redis Cluster node.")},
                        ],
                    },
                }
            },
            {
                "cluster_max_redirections": {
                    "type": "integer",
                    "default": 5,
                    "between": [0, _MAX_REDIRECTIONS],
                    "description": "Most MOVED/ASK redirections followed for one Redis Cluster command.",
                }
            },
            {"sentinel_master": _unsupported_field("string", "Name of the Redis Sentinel master.")},
            {"sentinel_role": _unsupported_field("string", "Role of the Redis Sentinel node to use.")},
            {
                "sentinel_nodes": _unsupported_field(
                    "array",
                    "Redis Sentinel nodes.",
                    elements={
                        "type": "record",
                        "fields": [
                            {
                                "host": {
                                    "type": "string",
                                    "required": True,
                                    "default": "127.0.0.1",
                                    "description": "Host name or IP address of a Redis Sentinel node.",
                                }
                            },
                            {"port": _port_field("Port of a Redis Sentinel node.")},
                        ],
                    },
                )
            },
            {
                "sentinel_username": _unsupported_field(
                    "string", "Username for Redis Sentinel ACL authentication.", referenceable=True
                )
            },
            {
                "sentinel_password": _unsupported_field(
                    "string",
                    "Password for Redis Sentinel authentication.",
                    referenceable=True,
                    encrypted=True,
                )
            },
        ],
        "entity_checks": [
            {
                "conditional": {
                    "if_field": "cluster_nodes",
                    "if_match": {"required": True},
                    "then_field": "database",
                    "then_match": {"one_of": [0]},
                    "then_err": "Redis Cluster only has database 0",
                }
            }
        ],
    }
}
"""The ``redis`` record for a plugin's ``config`` fields, as a plain dict in Kong's ``schema.lua`` shape.

Kong's deprecated ``timeout`` is a Lua ``shorthand_field`` there; shorthands need a Lua ``func`` that a plugin
server cannot send, so here it is a plain field with a ``deprecation`` block, applied by
:meth:`RedisConfig.from_config`. For the same reason the three new timeouts have no schema default: a default
would hide a deprecated ``timeout`` set by an older configuration."""

_SENTINEL_FIELDS = (
    "sentinel_master",
    "sentinel_role",
    "sentinel_nodes",
    "sentinel_username",
    "sentinel_password",
)
_MAX_REPORTED_UNKNOWN = 10
_KNOWN_FIELDS = frozenset(next(iter(entry)) for entry in REDIS_SCHEMA_FIELD["redis"]["fields"])
_HOSTNAME = re.compile(r"(?=.{1,253}\Z)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_-]{1,63})*\.?")


@dataclass(frozen=True, slots=True)
class ClusterNode:
    """One Redis Cluster startup node (Kong calls the host field ``ip``)."""

    host: str
    port: int


@dataclass(frozen=True)
class RedisConfig:
    """Validated Redis settings. Hashable: equal settings share one client (see :func:`connect`).

    Timeouts are milliseconds, as in the config. Build it with :meth:`from_config`.
    """

    host: str = "127.0.0.1"
    port: int = 6379
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    database: int = 0
    ssl: bool = False
    ssl_verify: bool = False
    server_name: str | None = None
    connect_timeout: int = DEFAULT_TIMEOUT_MS
    send_timeout: int = DEFAULT_TIMEOUT_MS
    read_timeout: int = DEFAULT_TIMEOUT_MS
    keepalive_pool_size: int = 256
    keepalive_backlog: int | None = None
    cluster_nodes: tuple[ClusterNode, ...] = ()
    cluster_max_redirections: int = 5

    @property
    def is_cluster(self) -> bool:
        """True when the settings name Redis Cluster nodes."""
        return bool(self.cluster_nodes)

    @classmethod
    def from_config(cls, conf: Mapping[str, Any] | None, *, path: str = "config.redis") -> RedisConfig:
        """Validate a ``redis`` record (as Kong sends it: defaults filled, unset fields ``None``).

        Applies Kong's rules plus ours: timeouts must be above 0 (we never wait without a limit), port 0 and a
        database other than 0 in cluster mode cannot work, Sentinel is not implemented. ``path`` prefixes the
        field names in the error. Raises :class:`ConfigError` listing every invalid field.
        """
        return _RecordReader(conf, path).read()


class _RecordReader:
    """Reads one ``redis`` record, collecting every error before raising, like Kong's schema validation."""

    def __init__(self, conf: Mapping[str, Any] | None, path: str) -> None:
        self.path = path
        self.errors: dict[str, str] = {}
        if conf is None:
            conf = {}
        if not isinstance(conf, Mapping):
            raise ConfigError(
                f"invalid redis configuration: {path}: expected a record", {path: "expected a record"}
            )
        self.conf = conf

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(f"{self.path}.{name}", message)

    def integer(
        self, name: str, low: int, high: int, default: int | None, *, record: Mapping[str, Any] | None = None
    ) -> int | None:
        """An integer field of the record (or of ``record``, a nested one); Kong's messages on errors."""
        value = (self.conf if record is None else record).get(name.rsplit(".", 1)[-1])
        if value is None:
            return default
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(name, "expected an integer")
            return default
        if not low <= value <= high:
            self.error(name, f"value should be between {low} and {high}")
            return default
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value = self.conf.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(name, "expected a boolean")
            return default
        return value

    def string(self, name: str, max_len: int) -> str | None:
        """A string field; ``None`` or ``""`` mean unset, as in Kong's redis policies."""
        value = self.conf.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self.error(name, "expected a string")
            return None
        if len(value) > max_len:
            self.error(name, f"length must be at most {max_len}")
            return None
        return value or None

    def host(self, name: str, value: Any) -> str | None:
        """A host name or IP address; an IPv6 address loses its brackets (sockets want it bare)."""
        if not isinstance(value, str):
            self.error(name, "expected a string")
            return None
        problem = _host_problem(value)
        if problem:
            self.error(name, problem)
            return None
        return value[1:-1] if value.startswith("[") and value.endswith("]") else value

    def read(self) -> RedisConfig:
        unknown = [str(name)[:64] for name in self.conf if name not in _KNOWN_FIELDS]
        for name in unknown[:_MAX_REPORTED_UNKNOWN]:  # a bounded error report, whatever the input
            self.error(name, "unknown field")
        for name in _SENTINEL_FIELDS:
            if self.conf.get(name) is not None:
                self.error(name, SENTINEL_UNSUPPORTED)

        host = self.host("host", "127.0.0.1" if self.conf.get("host") is None else self.conf["host"])
        port = self.integer("port", 1, 65535, 6379)
        timeouts = self.timeouts()
        cluster_nodes = self.cluster_nodes()
        database = self.integer("database", 0, _INT32_MAX, 0)
        if cluster_nodes and database:
            self.error("database", "Redis Cluster only has database 0")
        server_name = self.string("server_name", _SERVER_NAME_MAX_LEN)
        if server_name is not None and (problem := _server_name_problem(server_name)):
            self.error("server_name", problem)
        settings = {
            "username": self.string("username", _USERNAME_MAX_LEN),
            "password": self.string("password", _PASSWORD_MAX_LEN),
            "ssl": self.boolean("ssl", False),
            "ssl_verify": self.boolean("ssl_verify", False),
            "keepalive_pool_size": self.integer("keepalive_pool_size", 1, _MAX_POOL_SIZE, 256),
            "keepalive_backlog": self.integer("keepalive_backlog", 0, _INT32_MAX, None),
            "cluster_max_redirections": self.integer("cluster_max_redirections", 0, _MAX_REDIRECTIONS, 5),
        }
        if self.errors:
            details = "; ".join(f"{key}: {message}" for key, message in self.errors.items())
            raise ConfigError(f"invalid redis configuration: {details}", dict(self.errors))
        return RedisConfig(
            host=host or "127.0.0.1",
            port=port or 6379,
            database=database or 0,
            server_name=server_name,
            cluster_nodes=cluster_nodes,
            **timeouts,
            **settings,
        )

    def timeouts(self) -> dict[str, int]:
        # Kong's deprecated `timeout` fills the new fields that are unset; a set new field always wins.
        values = {}
        for name in ("timeout", "connect_timeout", "send_timeout", "read_timeout"):
            value = self.integer(name, 0, _TIMEOUT_MAX_MS, None)
            if value == 0:
                self.error(name, "must be greater than 0 (kong-ai-guard never waits without a limit)")
            values[name] = value
        fallback = values.pop("timeout") or DEFAULT_TIMEOUT_MS
        return {name: value or fallback for name, value in values.items()}

    def cluster_nodes(self) -> tuple[ClusterNode, ...]:
        nodes = self.conf.get("cluster_nodes")
        if nodes is None:
            return ()
        if not isinstance(nodes, list | tuple):
            self.error("cluster_nodes", "expected an array")
            return ()
        if not 1 <= len(nodes) <= _MAX_CLUSTER_NODES:
            self.error("cluster_nodes", f"length must be between 1 and {_MAX_CLUSTER_NODES}")
            return ()
        result = []
        for index, node in enumerate(nodes, start=1):
            name = f"cluster_nodes.{index}"
            if not isinstance(node, Mapping):
                self.error(name, "expected a record")
                continue
            unknown = sorted(str(key)[:64] for key in node if key not in ("ip", "port"))
            if unknown:
                self.error(f"{name}.{unknown[0]}", "unknown field")
            host = self.host(f"{name}.ip", "127.0.0.1" if node.get("ip") is None else node["ip"])
            port = self.integer(f"{name}.port", 1, 65535, 6379, record=node)
            if host is not None and port is not None:
                result.append(ClusterNode(host, port))
        return tuple(result)


def _host_problem(value: str) -> str | None:
    """Why ``value`` is not a usable host (Kong's typedefs.host rules: a name or an IP, without a port)."""
    if not value or len(value) > _HOST_MAX_LEN:
        return f"length must be between 1 and {_HOST_MAX_LEN}"
    candidate = value[1:-1] if value.startswith("[") and value.endswith("]") else value
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        pass
    else:
        return None
    if ":" in value:
        return "must not have a port"
    if not _HOSTNAME.fullmatch(value):
        return f"invalid value: {value[:64]}"
    return None


def _server_name_problem(value: str) -> str | None:
    """Why ``value`` cannot be a TLS server name (Kong's typedefs.sni rules)."""
    try:
        ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        pass
    else:
        return "must not be an IP"
    if ":" in value:
        return "must not have a port"
    if not _HOSTNAME.fullmatch(value):
        return f"invalid value: {value[:64]}"
    return None


# ----------------------------------------------------------------------------------------------------
# Errors


_TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    redis_exc.ConnectionError,  # also AuthenticationError, BusyLoadingError, MaxConnectionsError
    redis_exc.TimeoutError,
    redis_exc.ClusterError,  # ClusterDownError, MasterDownError, "TTL exhausted" after too many redirections
    redis_exc.ReadOnlyError,  # a write reached a replica: a failover is under way
    redis_exc.SlotNotCoveredError,
    ConnectionError,  # builtins: socket errors redis-py did not wrap
    TimeoutError,
)
_MESSAGE_MAX_CHARS = 300


def is_unavailable_error(exc: BaseException) -> bool:
    """True when ``exc`` means Redis could not be reached or did not answer in time.

    Server replies (``ResponseError``: a script error, ``NOPERM``, ``WRONGTYPE``, ``NOSCRIPT``, ``CROSSSLOT``)
    are not: they mean our request was wrong, and must not be swallowed by ``fault_tolerant``. A
    ``RedisClusterException`` counts only when a transport failure caused it ("cannot be connected").
    """
    if isinstance(exc, _TRANSPORT_ERRORS):
        return True
    if isinstance(exc, redis_exc.RedisClusterException):
        cause = exc.__cause__ or exc.__context__
        return cause is not None and is_unavailable_error(cause)
    return False


@contextmanager
def redis_errors(operation: str = "redis command") -> Iterator[None]:
    """Turn Redis transport failures in the block into :class:`RedisUnavailable`; let server replies through.

    ``operation`` names what was being done, for the log. The original exception is kept as ``__cause__``.
    With metrics on, the outermost block's time and failure are counted under its ``operation``
    (core/metrics.py): ``ai-audit-log append`` around a :class:`LuaScript` call is one operation, not two.
    """
    outermost = not _measuring.get()
    token = _measuring.set(True) if outermost else None
    started = time.perf_counter()
    try:
        yield
    except Exception as exc:
        unavailable = is_unavailable_error(exc)
        if outermost:
            failed = unavailable or isinstance(exc, RedisUnavailable)
            metrics.observe_redis(operation, time.perf_counter() - started, failed)
        if not unavailable:
            raise
        message = f"{operation}: Redis unavailable ({type(exc).__name__}: {exc})"
        raise RedisUnavailable(message[:_MESSAGE_MAX_CHARS], in_doubt=not _never_sent(exc)) from exc
    else:
        if outermost:
            metrics.observe_redis(operation, time.perf_counter() - started, False)
    finally:
        if token is not None:
            _measuring.reset(token)


_measuring: ContextVar[bool] = ContextVar("kong_ai_redis_measuring", default=False)
"""Set inside a :func:`redis_errors` block, so that a nested one is not counted again."""


_NOT_SENT_MARKS = ("connecting to", "No connection available", "cannot be connected")
"""redis-py's messages for failures before a command is written: no connection could be made or taken."""
_NOT_RUN_ERRORS: tuple[type[BaseException], ...] = (
    redis_exc.AuthenticationError,  # refused when connecting
    redis_exc.MaxConnectionsError,  # no connection to send it on
    redis_exc.SlotNotCoveredError,  # no node to send it to
    redis_exc.BusyLoadingError,  # replies that refuse a command without running it:
    redis_exc.ClusterDownError,  # LOADING, CLUSTERDOWN, MASTERDOWN, READONLY
    redis_exc.MasterDownError,
    redis_exc.ReadOnlyError,
)


def _never_sent(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) says the command certainly did not run: it never left, or
    Redis refused it. Any other transport failure (a read that timed out, a connection lost while
    reading) leaves it in doubt."""
    seen: BaseException | None = exc
    for _ in range(4):
        if seen is None:
            return False
        if isinstance(seen, _NOT_RUN_ERRORS) or any(mark in str(seen) for mark in _NOT_SENT_MARKS):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


# ----------------------------------------------------------------------------------------------------
# Lua scripts


class LuaScript:
    """A Lua script run by SHA1 (``EVALSHA``), loaded again with ``EVAL`` when a server answers ``NOSCRIPT``.

    Costs one round trip when the server has the script, two the first time (after a restart, ``SCRIPT FLUSH``
    or a failover): ``EVAL`` both runs and caches it, so no separate ``SCRIPT LOAD`` is needed. Nothing runs
    twice: a ``NOSCRIPT`` reply means the script did not run. Works on Redis Cluster, where each node has its
    own script cache: the call goes to the node owning ``keys`` (which must share one slot: give them one hash
    tag, see :mod:`kong_plugins.core.keys`). Stateless after construction: one instance serves all threads.
    """

    __slots__ = ("sha", "source")

    def __init__(self, source: str) -> None:
        if not isinstance(source, str) or not source.strip():
            raise ValueError("a Lua script needs a non-empty source")
        self.source = source
        self.sha = hashlib.sha1(source.encode("utf-8")).hexdigest()

    def __call__(
        self, client: RedisClient, keys: Sequence[str], args: Sequence[str | int | float | bytes] = ()
    ) -> Any:
        """Run the script; returns its reply. Raises :class:`RedisUnavailable` on transport failures and
        ``redis.exceptions.ResponseError`` when the script itself fails."""
        with redis_errors("lua script"):
            try:
                return client.evalsha(self.sha, len(keys), *keys, *args)
            except redis_exc.NoScriptError:
                return client.eval(self.source, len(keys), *keys, *args)

    def __repr__(self) -> str:
        return f"LuaScript(sha={self.sha})"


# ----------------------------------------------------------------------------------------------------
# Clients


_MAX_CACHED_CLIENTS = 64
_clients: OrderedDict[tuple[Any, ...], RedisClient] = OrderedDict()
_building: dict[tuple[Any, ...], threading.Lock] = {}
_registry_lock = threading.Lock()


def connect(cfg: RedisConfig) -> RedisClient:
    """The client for ``cfg``: one per distinct config per process, made on first use, shared by all threads.

    Standalone clients connect lazily (the first command opens a connection); a cluster client reads the
    topology here, so this raises :class:`RedisUnavailable` when no cluster node answers (nothing is cached
    then, the next call tries again). Replies are decoded to ``str``: every value kong-ai-guard stores is text
    or a number. Up to 64 configs are kept; the least recently used is dropped beyond that (its users keep a
    working client, no longer shared).

    Every command and pipeline of the client goes through :func:`kong_plugins.core.blocking.run`, so a handler
    waiting for Redis never holds the plugin server's event loop; building a client (which may wait for
    another thread building it, and reads a cluster's topology) runs there too.
    """
    trusted = _trusted_certificates() if cfg.ssl and cfg.ssl_verify else ()
    key = (cfg, trusted)
    with _registry_lock:
        client = _clients.get(key)
        if client is not None:
            _clients.move_to_end(key)
            return client
    return blocking.run(_connect_slowly, cfg, trusted, key)


def _connect_slowly(cfg: RedisConfig, trusted: tuple[str, ...], key: tuple[Any, ...]) -> RedisClient:
    """:func:`connect` when the client is not cached yet: may block on ``build_lock`` and the network."""
    with _registry_lock:
        client = _clients.get(key)
        if client is not None:
            _clients.move_to_end(key)
            return client
        build_lock = _building.setdefault(key, threading.Lock())
    with build_lock:  # one thread builds; others with the same config wait for it instead of building too
        with _registry_lock:
            client = _clients.get(key)
            if client is not None:
                return client
        try:
            client = _build_client(cfg, trusted)
        except BaseException:
            with _registry_lock:
                _building.pop(key, None)
            raise
        with _registry_lock:
            _clients[key] = client
            _building.pop(key, None)
            while len(_clients) > _MAX_CACHED_CLIENTS:
                _clients.popitem(last=False)
        return client


def close_all_clients() -> None:
    """Close every cached client and forget it (at process shutdown, or between tests)."""
    with _registry_lock:
        clients = list(_clients.values())
        _clients.clear()
    for client in clients:
        try:
            if isinstance(client, redis.cluster.RedisCluster):
                client.close()
            else:
                client.connection_pool.disconnect()
        except Exception:
            pass  # closing is best effort: a broken socket is closed anyway


def _trusted_certificates() -> tuple[str, ...]:
    raw = os.environ.get(TRUSTED_CERTIFICATE_ENV, "system")
    return tuple(entry.strip() for entry in raw.split(",") if entry.strip())


def _build_client(cfg: RedisConfig, trusted: tuple[str, ...]) -> RedisClient:
    common = _connection_kwargs(cfg, trusted)
    pool_wait_s = cfg.connect_timeout / 1000
    if not cfg.is_cluster:
        pool = BlockingConnectionPool(
            host=cfg.host,
            port=cfg.port,
            db=cfg.database,
            max_connections=cfg.keepalive_pool_size,
            timeout=pool_wait_s,
            # No health-check PING before reuse: handing out a pooled connection already drops one the server
            # closed (no round trip), and a PING cannot rescue a half-open socket without a retry.
            health_check_interval=0,
            **common,
        )
        return _Redis(connection_pool=pool)
    first, *others = cfg.cluster_nodes
    with redis_errors("redis cluster discovery"):
        # `url` makes redis-py build every node's pool with `connection_pool_class` and `connection_class`;
        # with host/port it would ignore both (no bounded waiting for connections, no TLS server name).
        client = _RedisCluster(
            url=f"redis://{_url_host(first.host)}:{first.port}",
            startup_nodes=[redis.cluster.ClusterNode(node.host, node.port) for node in others],
            retry=_NO_RETRY,
            # A cluster missing some slots still serves the others; commands on missing slots raise
            # ClusterDownError / SlotNotCoveredError, which are RedisUnavailable.
            require_full_coverage=False,
            connection_pool_class=BlockingConnectionPool,
            max_connections=cfg.keepalive_pool_size,
            timeout=pool_wait_s,
            **common,
        )
    # One attempt plus `cluster_max_redirections` redirected ones.
    client.RedisClusterRequestTTL = cfg.cluster_max_redirections + 1
    return client


_NO_RETRY = Retry(NoBackoff(), 0)


def _cooperative_pipeline(pipe: Any) -> Any:
    """A pipeline whose ``execute`` (its only network I/O) goes through :func:`blocking.run`."""
    pipe.execute = functools.partial(blocking.run, pipe.execute)
    return pipe


class _Redis(redis.Redis):
    """redis-py's client; each command and pipeline runs through :func:`blocking.run` (one choke point)."""

    def execute_command(self, *args: Any, **options: Any) -> Any:
        return blocking.run(super().execute_command, *args, **options)

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> Any:
        return _cooperative_pipeline(super().pipeline(transaction, shard_hint))


class _RedisCluster(redis.cluster.RedisCluster):
    """redis-py's cluster client; each command and pipeline runs through :func:`blocking.run`."""

    def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        return blocking.run(super().execute_command, *args, **kwargs)

    def pipeline(self, transaction: Any = None, shard_hint: Any = None) -> Any:
        return _cooperative_pipeline(super().pipeline(transaction, shard_hint))


def _connection_kwargs(cfg: RedisConfig, trusted: tuple[str, ...]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "username": cfg.username if cfg.password is not None else None,
        "password": cfg.password,
        "socket_connect_timeout": cfg.connect_timeout / 1000,
        "socket_timeout": max(cfg.read_timeout, cfg.send_timeout) / 1000,
        "socket_keepalive": True,
        "decode_responses": True,
        # RESP2, as Kong's lua-resty-redis speaks: reply shapes stay the same whatever redis-py's default
        # protocol, and a connection starts with AUTH alone (RESP3 adds HELLO and, in redis-py 8, a
        # maintenance-notifications handshake: an extra round trip, refused by Redis < 8).
        "protocol": 2,
        "queue_class": _queue_class(cfg.keepalive_backlog),
        "connection_class": _tls_connection_class(cfg, trusted) if cfg.ssl else Connection,
        **_NO_CLIENT_SETINFO,
    }
    if not cfg.is_cluster:
        # The cluster client refuses `retry` here: it sets a no-retry policy on its node connections itself.
        kwargs["retry"] = _NO_RETRY
    return kwargs


def _no_client_setinfo() -> dict[str, Any]:
    """Skip ``CLIENT SETINFO`` on connect: two round trips per new connection, of no use to us."""
    if "driver_info" in inspect.signature(AbstractConnection.__init__).parameters:
        return {"driver_info": None}
    return {"lib_name": None, "lib_version": None}


_NO_CLIENT_SETINFO = _no_client_setinfo()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


class _BacklogQueue(LifoQueue):
    """The free-connection queue of a pool, limiting how many requests may wait on it (Kong's
    ``keepalive_backlog``): beyond ``backlog`` waiters, or at once when it is 0, ``get`` fails, which the pool
    reports as ``ConnectionError("No connection available.")``. ``None`` means no limit."""

    backlog: int | None = None

    def __init__(self, maxsize: int = 0) -> None:
        super().__init__(maxsize)
        self._waiters = threading.BoundedSemaphore(self.backlog) if self.backlog else None

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        try:
            return super().get(block=False)  # a free slot: no waiting, nothing to count
        except Empty:
            if not block or self.backlog == 0:
                raise
        if self._waiters is None:
            return super().get(block=True, timeout=timeout)
        if not self._waiters.acquire(blocking=False):
            raise Empty
        try:
            return super().get(block=True, timeout=timeout)
        finally:
            self._waiters.release()


def _queue_class(backlog: int | None) -> type[_BacklogQueue]:
    if backlog is None:
        return _BacklogQueue
    # Pools build their queue from a class (per pool, so per cluster node): the limit rides on the class.
    return type("_LimitedBacklogQueue", (_BacklogQueue,), {"backlog": backlog})


class _TlsConnection(SSLConnection):
    """A TLS connection using a prepared ``SSLContext`` and an explicit server name (Kong's ``server_name``).

    redis-py's own SSL connection always sends ``host`` as the server name; Kong lets ``server_name`` differ
    (SNI and certificate check), e.g. when connecting by IP address."""

    tls_context: ssl.SSLContext
    tls_server_name: str | None = None

    def _connect(self) -> Any:
        sock = Connection._connect(self)  # plain TCP, bounded by socket_connect_timeout
        try:
            # The handshake runs under socket_timeout, already set on the socket.
            return self.tls_context.wrap_socket(sock, server_hostname=self.tls_server_name or self.host)
        except BaseException:
            sock.close()
            raise


def _tls_connection_class(cfg: RedisConfig, trusted: tuple[str, ...]) -> type[_TlsConnection]:
    attributes = {"tls_context": _tls_context(cfg, trusted), "tls_server_name": cfg.server_name}
    # The cluster client builds node connections from a class and standard kwargs: settings ride on the class.
    return type("_ConfiguredTlsConnection", (_TlsConnection,), attributes)


def _tls_context(cfg: RedisConfig, trusted: tuple[str, ...]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if not cfg.ssl_verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    # Verification on: chain and host name (server_name, else host) are both checked.
    for entry in trusted:
        if entry == "system":
            context.load_default_certs(ssl.Purpose.SERVER_AUTH)
            continue
        try:
            context.load_verify_locations(cafile=entry)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(
                f"cannot load trusted CA certificates from {entry!r}: {exc}",
                {TRUSTED_CERTIFICATE_ENV: f"cannot load {entry!r}"},
            ) from exc
    return context
