"""kong_plugins.core.redis against real Redis servers: standalone, password/ACL, TLS, Redis Cluster.

Config validation and the schema record need no server and come first; everything else is marked ``redis``
(and ``cluster``) and uses the session fixtures from tests/fixtures/redis_servers.py.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
import redis.cluster
import redis.exceptions
from fixtures.redis_servers import RedisClusterServers, RedisServer

from kong_plugins.core.errors import ConfigError, RedisUnavailable
from kong_plugins.core.keys import redis_key
from kong_plugins.core.redis import (
    REDIS_SCHEMA_FIELD,
    TRUSTED_CERTIFICATE_ENV,
    LuaScript,
    RedisConfig,
    close_all_clients,
    connect,
    redis_errors,
)

FAST_FAIL = {"connect_timeout": 300, "read_timeout": 300, "send_timeout": 300}

# Adds ARGV[1] to KEYS[1] and returns the new value with the value of KEYS[2]: one atomic round trip.
INCR_AND_READ = LuaScript(
    "local total = redis.call('INCRBY', KEYS[1], ARGV[1])\n"
    "redis.call('EXPIRE', KEYS[1], 60)\n"
    "return {total, redis.call('GET', KEYS[2]) or ''}\n"
)


@pytest.fixture(autouse=True)
def _fresh_clients() -> Iterator[None]:
    """Each test starts without cached clients, so pool sharing is observed within a test only."""
    close_all_clients()
    yield
    close_all_clients()


def unique_key(*segments: str | int, tag: str | None = None) -> str:
    return redis_key("kong-ai-test", uuid.uuid4().hex, *segments, hash_tag=tag)


def closed_port() -> int:
    """A 127.0.0.1 port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _poll_until(condition: Callable[[], bool], deadline_s: float = 10.0) -> bool:
    deadline = time.monotonic() + deadline_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)  # polling interval
    return True


def _pending_connections(listener: socket.socket) -> int:
    """Accept (and close) every connection queued on ``listener``; how many there were."""
    listener.setblocking(False)
    count = 0
    while True:
        try:
            connection, _address = listener.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


# ------------------------------------------------------------------------------------------------------------
# The schema record and RedisConfig.from_config (no server)


def _schema_fields(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: spec for entry in record["fields"] for name, spec in entry.items()}


class TestSchemaRecord:
    def test_uses_kong_field_names(self) -> None:
        fields = _schema_fields(REDIS_SCHEMA_FIELD["redis"])
        assert REDIS_SCHEMA_FIELD["redis"]["type"] == "record"
        assert REDIS_SCHEMA_FIELD["redis"]["required"] is True
        assert set(fields) >= {
            "host", "port", "timeout", "connect_timeout", "send_timeout", "read_timeout", "username",
            "password", "database", "ssl", "ssl_verify", "server_name", "keepalive_pool_size",
            "keepalive_backlog", "cluster_nodes", "cluster_max_redirections", "sentinel_master",
            "sentinel_role", "sentinel_nodes",
        }  # fmt: skip
        assert _schema_fields(fields["cluster_nodes"]["elements"]).keys() == {"ip", "port"}

    def test_every_field_is_described_and_booleans_are_required_with_a_default(self) -> None:
        def walk(record: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
            for name, spec in _schema_fields(record).items():
                yield name, spec
                if spec["type"] == "record":
                    yield from walk(spec)
                if spec["type"] == "array" and spec["elements"]["type"] == "record":
                    yield from walk(spec["elements"])

        for name, spec in walk(REDIS_SCHEMA_FIELD["redis"]):
            # Kong's metaschema: descriptions are 10 to 500 characters.
            assert 10 <= len(spec.get("description", "")) <= 500, name
            if spec["type"] == "boolean":
                assert spec["required"] is True and spec["default"] is False, name

    def test_kong_typedef_shapes(self) -> None:
        fields = _schema_fields(REDIS_SCHEMA_FIELD["redis"])
        assert fields["port"]["between"] == [0, 65535]
        for name in ("timeout", "connect_timeout", "send_timeout", "read_timeout"):
            assert fields[name]["type"] == "integer"
            assert fields[name]["between"] == [0, 2**31 - 2]
        assert fields["password"]["referenceable"] and fields["password"]["encrypted"]
        assert fields["timeout"]["deprecation"]["removal_in_version"]
        assert "not implemented" in fields["sentinel_master"]["description"]


class TestRedisConfig:
    def test_defaults_match_the_schema(self) -> None:
        cfg = RedisConfig.from_config({})
        assert (cfg.host, cfg.port, cfg.database, cfg.ssl, cfg.ssl_verify) == (
            "127.0.0.1",
            6379,
            0,
            False,
            False,
        )
        assert (cfg.connect_timeout, cfg.send_timeout, cfg.read_timeout) == (2000, 2000, 2000)
        assert not cfg.is_cluster

    def test_kong_nulls_mean_unset(self) -> None:
        conf = {name: None for name in _schema_fields(REDIS_SCHEMA_FIELD["redis"])}
        assert RedisConfig.from_config(conf) == RedisConfig.from_config({})

    def test_deprecated_timeout_fills_only_the_unset_timeouts(self) -> None:
        cfg = RedisConfig.from_config({"timeout": 750, "read_timeout": 1500})
        assert (cfg.connect_timeout, cfg.send_timeout, cfg.read_timeout) == (750, 750, 1500)

    def test_empty_credentials_mean_no_auth(self) -> None:
        cfg = RedisConfig.from_config({"username": "", "password": ""})
        assert cfg.username is None and cfg.password is None

    def test_password_is_not_in_the_repr(self) -> None:
        assert "s3cret" not in repr(RedisConfig.from_config({"password": "s3cret"}))

    def test_reports_every_invalid_field_with_its_path(self) -> None:
        with pytest.raises(ConfigError) as caught:
            RedisConfig.from_config(
                {
                    "host": "redis:6379",
                    "port": 70000,
                    "connect_timeout": 0,
                    "ssl": "yes",
                    "server_name": "10.0.0.1",
                    "sentinel_master": "mymaster",
                    "bogus": 1,
                },
                path="config.storage.redis",
            )
        assert caught.value.fields == {
            "config.storage.redis.host": "must not have a port",
            "config.storage.redis.port": "value should be between 1 and 65535",
            "config.storage.redis.connect_timeout": (
                "must be greater than 0 (kong-ai-guard never waits without a limit)"
            ),
            "config.storage.redis.ssl": "expected a boolean",
            "config.storage.redis.server_name": "must not be an IP",
            "config.storage.redis.sentinel_master": (
                "Redis Sentinel is not supported by kong-ai-guard; use host/port or cluster_nodes"
            ),
            "config.storage.redis.bogus": "unknown field",
        }

    def test_cluster_has_only_database_zero(self) -> None:
        with pytest.raises(ConfigError) as caught:
            RedisConfig.from_config({"cluster_nodes": [{"ip": "127.0.0.1", "port": 7101}], "database": 1})
        assert caught.value.fields == {"config.redis.database": "Redis Cluster only has database 0"}

    def test_cluster_nodes_are_validated(self) -> None:
        with pytest.raises(ConfigError) as caught:
            RedisConfig.from_config({"cluster_nodes": [{"ip": "127.0.0.1", "port": 0}, "x"]})
        assert set(caught.value.fields) == {
            "config.redis.cluster_nodes.1.port",
            "config.redis.cluster_nodes.2",
        }

    def test_cluster_nodes_default_like_kong(self) -> None:
        cfg = RedisConfig.from_config({"cluster_nodes": [{"ip": "10.0.0.5"}, {"ip": None, "port": 7102}]})
        assert cfg.is_cluster
        assert [(node.host, node.port) for node in cfg.cluster_nodes] == [
            ("10.0.0.5", 6379),
            ("127.0.0.1", 7102),
        ]

    def test_ipv6_hosts_lose_their_brackets(self) -> None:
        assert RedisConfig.from_config({"host": "[::1]"}).host == "::1"

    def test_equal_configs_are_equal_and_hashable(self) -> None:
        conf = {"host": "10.1.2.3", "cluster_nodes": None, "password": "p"}
        assert hash(RedisConfig.from_config(conf)) == hash(RedisConfig.from_config(dict(conf)))
        assert RedisConfig.from_config(conf) != RedisConfig.from_config({**conf, "password": "q"})


# ------------------------------------------------------------------------------------------------------------
# Standalone


@pytest.mark.redis
class TestStandalone:
    def test_connects_and_decodes_replies(self, redis_server: RedisServer) -> None:
        client = connect(RedisConfig.from_config(redis_server.redis_conf()))
        key = unique_key("value")
        client.set(key, "héllo", ex=60)
        assert client.get(key) == "héllo"

    def test_selects_the_configured_database(self, redis_server: RedisServer) -> None:
        client = connect(RedisConfig.from_config(redis_server.redis_conf(database=5)))
        key = unique_key("db")
        client.set(key, "in-5", ex=60)
        assert redis_server.client(db=5).get(key) == "in-5"
        assert redis_server.client(db=0).get(key) is None

    def test_equal_configs_share_one_client_and_its_connection(self, redis_server: RedisServer) -> None:
        first = connect(RedisConfig.from_config(redis_server.redis_conf()))
        second = connect(RedisConfig.from_config(dict(redis_server.redis_conf())))
        assert second is first
        # Sequential calls from two "plugin instances" reuse the one pooled connection.
        assert first.client_id() == second.client_id()
        other = connect(RedisConfig.from_config(redis_server.redis_conf(read_timeout=1234)))
        assert other is not first

    def test_concurrent_first_use_builds_one_client(self, redis_server: RedisServer) -> None:
        cfg = RedisConfig.from_config(redis_server.redis_conf(keepalive_pool_size=7))
        start = threading.Barrier(16)
        clients: list[object] = []

        def use() -> None:
            start.wait()
            clients.append(connect(cfg))

        threads = [threading.Thread(target=use) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(clients) == 16
        assert len({id(client) for client in clients}) == 1

    def test_a_full_pool_without_backlog_fails_at_once(self, redis_server: RedisServer) -> None:
        conf = redis_server.redis_conf(keepalive_pool_size=1, keepalive_backlog=0)
        client = connect(RedisConfig.from_config(conf))
        held = client.connection_pool.get_connection()  # another request holds the only connection
        try:
            with pytest.raises(RedisUnavailable), redis_errors("ping"):
                client.ping()
        finally:
            client.connection_pool.release(held)
        assert client.ping() is True

    def test_a_full_pool_fails_after_connect_timeout_when_nothing_is_released(
        self, redis_server: RedisServer
    ) -> None:
        conf = redis_server.redis_conf(keepalive_pool_size=1, connect_timeout=100)
        client = connect(RedisConfig.from_config(conf))
        held = client.connection_pool.get_connection()
        try:
            with pytest.raises(RedisUnavailable), redis_errors("ping"):
                client.ping()
        finally:
            client.connection_pool.release(held)

    def test_backlog_limits_how_many_requests_wait_for_a_connection(self, redis_server: RedisServer) -> None:
        conf = redis_server.redis_conf(keepalive_pool_size=1, keepalive_backlog=1, connect_timeout=30_000)
        client = connect(RedisConfig.from_config(conf))
        held = client.connection_pool.get_connection()
        waiter_result: list[object] = []
        waiter = threading.Thread(target=lambda: waiter_result.append(client.ping()))
        waiter.start()
        try:
            waiting = client.connection_pool.pool._waiters  # the backlog semaphore of the only pool
            assert _poll_until(lambda: waiting._value == 0), "the first request never started waiting"
            with pytest.raises(RedisUnavailable), redis_errors("ping"):
                client.ping()  # the backlog (1) is full: fails at once instead of queueing
        finally:
            client.connection_pool.release(held)
            waiter.join()
        assert waiter_result == [True]  # the waiting request got the released connection

    def test_server_replies_are_not_turned_into_unavailable(self, redis_server: RedisServer) -> None:
        client = connect(RedisConfig.from_config(redis_server.redis_conf()))
        key = unique_key("list")
        client.rpush(key, "x")
        client.expire(key, 60)
        with pytest.raises(redis.exceptions.ResponseError, match="WRONGTYPE"), redis_errors("incr"):
            client.incr(key)


@pytest.mark.redis
class TestUnreachable:
    def test_nothing_listening_is_unavailable(self) -> None:
        client = connect(RedisConfig.from_config({"host": "127.0.0.1", "port": closed_port(), **FAST_FAIL}))
        with pytest.raises(RedisUnavailable) as caught, redis_errors("ping"):
            client.ping()
        assert isinstance(caught.value.__cause__, redis.exceptions.ConnectionError)

    def test_a_server_that_never_answers_is_unavailable_after_the_read_timeout(self) -> None:
        # A listening socket nobody serves: the TCP connect succeeds, the reply never comes.
        with socket.socket() as silent:
            silent.bind(("127.0.0.1", 0))
            silent.listen(8)
            conf = {"host": "127.0.0.1", "port": silent.getsockname()[1], **FAST_FAIL}
            client = connect(RedisConfig.from_config(conf))
            with pytest.raises(RedisUnavailable) as caught, redis_errors("ping"):
                client.ping()
            # No blind retry: one connection attempt, not one per retry (each costing a read timeout).
            assert _pending_connections(silent) == 1
        assert isinstance(caught.value.__cause__, redis.exceptions.TimeoutError)

    def test_the_error_message_names_the_operation_and_not_the_password(self) -> None:
        conf = {"host": "127.0.0.1", "port": closed_port(), "password": "s3cret-pw", **FAST_FAIL}
        client = connect(RedisConfig.from_config(conf))
        with pytest.raises(RedisUnavailable) as caught, redis_errors("token reservation"):
            client.ping()
        assert str(caught.value).startswith("token reservation: Redis unavailable")
        assert "s3cret-pw" not in str(caught.value)


@pytest.mark.redis
class TestLuaScript:
    def test_runs_the_script_atomically(self, redis_server: RedisServer) -> None:
        client = connect(RedisConfig.from_config(redis_server.redis_conf()))
        counter, label = unique_key("counter", tag="t"), unique_key("label", tag="t")
        client.set(label, "gpt-4o", ex=60)
        assert INCR_AND_READ(client, [counter, label], [5]) == [5, "gpt-4o"]
        assert INCR_AND_READ(client, [counter, label], [2]) == [7, "gpt-4o"]

    def test_recovers_from_noscript_after_script_flush(self, redis_server: RedisServer) -> None:
        client = connect(RedisConfig.from_config(redis_server.redis_conf()))
        counter, label = unique_key("counter", tag="t"), unique_key("label", tag="t")
        INCR_AND_READ(client, [counter, label], [1])
        redis_server.client().script_flush()
        assert redis_server.client().script_exists(INCR_AND_READ.sha) == [False]

        before = _command_calls(redis_server.client())
        assert INCR_AND_READ(client, [counter, label], [1]) == [2, ""]
        after_reload = _command_calls(redis_server.client())
        assert INCR_AND_READ(client, [counter, label], [1]) == [3, ""]
        after_cached = _command_calls(redis_server.client())

        assert redis_server.client().script_exists(INCR_AND_READ.sha) == [True]
        # Round trips: EVALSHA (NOSCRIPT) + EVAL after the flush, then EVALSHA alone.
        assert _delta(before, after_reload) == {"evalsha": 1, "eval": 1}
        assert _delta(after_reload, after_cached) == {"evalsha": 1, "eval": 0}

    def test_a_failing_script_is_a_server_reply(self, redis_server: RedisServer) -> None:
        client = connect(RedisConfig.from_config(redis_server.redis_conf()))
        failing = LuaScript("return redis.call('INCR', KEYS[1], 'too', 'many')")
        with pytest.raises(redis.exceptions.ResponseError):
            failing(client, [unique_key("x")])

    def test_an_unreachable_server_is_unavailable(self) -> None:
        client = connect(RedisConfig.from_config({"port": closed_port(), **FAST_FAIL}))
        with pytest.raises(RedisUnavailable):
            INCR_AND_READ(client, ["a", "b"], [1])


def _command_calls(client: redis.Redis) -> dict[str, int]:
    stats = client.info("commandstats")
    return {name: int(stats.get(f"cmdstat_{name}", {}).get("calls", 0)) for name in ("evalsha", "eval")}


def _server_counters(observer: redis.Redis) -> dict[str, int]:
    """Commands the server ran, by name (``client`` sums every CLIENT subcommand), and its error replies."""
    stats = observer.info("commandstats")
    counters = {
        name: int(stats.get(f"cmdstat_{name}", {}).get("calls", 0)) for name in ("auth", "select", "ping")
    }
    counters["client"] = sum(int(v["calls"]) for k, v in stats.items() if k.startswith("cmdstat_client|"))
    counters["errors"] = int(observer.info("stats")["total_error_replies"])
    return counters


def _delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - before[name] for name in before}


# ------------------------------------------------------------------------------------------------------------
# Password and ACL users


@pytest.mark.redis
class TestAuthentication:
    def test_acl_user(self, redis_server_with_password: RedisServer) -> None:
        client = connect(RedisConfig.from_config(redis_server_with_password.redis_conf()))
        assert client.acl_whoami() == "guard"

    def test_password_alone_authenticates_the_default_user(
        self, redis_server_with_password: RedisServer
    ) -> None:
        password = redis_server_with_password.users["default"]
        conf = redis_server_with_password.redis_conf(username=None, password=password)
        assert connect(RedisConfig.from_config(conf)).acl_whoami() == "default"

    def test_wrong_password_is_unavailable(self, redis_server_with_password: RedisServer) -> None:
        conf = redis_server_with_password.redis_conf(password="wrong", **FAST_FAIL)
        client = connect(RedisConfig.from_config(conf))
        with pytest.raises(RedisUnavailable) as caught, redis_errors("ping"):
            client.ping()
        assert isinstance(caught.value.__cause__, redis.exceptions.AuthenticationError)

    def test_a_new_connection_costs_auth_and_select_and_a_pooled_one_nothing(
        self, redis_server_with_password: RedisServer
    ) -> None:
        observer = redis_server_with_password.client()
        client = connect(RedisConfig.from_config(redis_server_with_password.redis_conf(database=3)))
        before = _server_counters(observer)
        client.ping()
        first = _server_counters(observer)
        client.ping()
        second = _server_counters(observer)
        # The documented round trips: AUTH and SELECT once per new connection, no CLIENT SETINFO, no errors.
        assert _delta(before, first) == {"auth": 1, "select": 1, "ping": 1, "client": 0, "errors": 0}
        assert _delta(first, second) == {"auth": 0, "select": 0, "ping": 1, "client": 0, "errors": 0}

    def test_acl_denial_stays_a_server_reply(self, redis_server_with_password: RedisServer) -> None:
        reader = redis_server_with_password.users["reader"]
        client = connect(
            RedisConfig.from_config(redis_server_with_password.redis_conf(username="reader", password=reader))
        )
        assert client.ping() is True
        with pytest.raises(redis.exceptions.NoPermissionError), redis_errors("set"):
            client.set(unique_key("denied"), "x")


# ------------------------------------------------------------------------------------------------------------
# TLS


@pytest.mark.redis
class TestTls:
    def test_verified_by_ip_address(
        self, redis_tls_server: RedisServer, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(TRUSTED_CERTIFICATE_ENV, str(redis_tls_server.ca_file))
        client = connect(RedisConfig.from_config(redis_tls_server.redis_conf(ssl_verify=True)))
        assert client.ping() is True

    def test_verified_with_server_name(
        self, redis_tls_server: RedisServer, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(TRUSTED_CERTIFICATE_ENV, f"system,{redis_tls_server.ca_file}")
        conf = redis_tls_server.redis_conf(ssl_verify=True, server_name=redis_tls_server.server_name)
        assert connect(RedisConfig.from_config(conf)).ping() is True

    def test_server_name_not_in_the_certificate_is_refused(
        self, redis_tls_server: RedisServer, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(TRUSTED_CERTIFICATE_ENV, str(redis_tls_server.ca_file))
        conf = redis_tls_server.redis_conf(ssl_verify=True, server_name="not-redis.test", **FAST_FAIL)
        client = connect(RedisConfig.from_config(conf))
        with pytest.raises(RedisUnavailable, match=r"(?i)certificate|hostname"), redis_errors("ping"):
            client.ping()

    def test_untrusted_ca_is_refused(
        self, redis_tls_server: RedisServer, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(TRUSTED_CERTIFICATE_ENV, "system")
        client = connect(RedisConfig.from_config(redis_tls_server.redis_conf(ssl_verify=True, **FAST_FAIL)))
        with pytest.raises(RedisUnavailable, match=r"(?i)certificate"), redis_errors("ping"):
            client.ping()

    def test_verification_off_accepts_any_certificate(
        self, redis_tls_server: RedisServer, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(TRUSTED_CERTIFICATE_ENV, "system")
        conf = redis_tls_server.redis_conf(ssl_verify=False, server_name="not-redis.test")
        assert connect(RedisConfig.from_config(conf)).ping() is True

    def test_plain_tcp_to_a_tls_port_is_unavailable(self, redis_tls_server: RedisServer) -> None:
        client = connect(RedisConfig.from_config(redis_tls_server.redis_conf(ssl=False, **FAST_FAIL)))
        with pytest.raises(RedisUnavailable), redis_errors("ping"):
            client.ping()

    def test_a_missing_ca_file_is_a_configuration_error(
        self, redis_tls_server: RedisServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
    ) -> None:
        monkeypatch.setenv(TRUSTED_CERTIFICATE_ENV, str(tmp_path / "missing.pem"))
        with pytest.raises(ConfigError):
            connect(RedisConfig.from_config(redis_tls_server.redis_conf(ssl_verify=True)))


# ------------------------------------------------------------------------------------------------------------
# Redis Cluster


@pytest.mark.redis
@pytest.mark.cluster
class TestCluster:
    def test_keys_of_one_hash_tag_live_on_one_node(self, redis_cluster: RedisClusterServers) -> None:
        client = connect(RedisConfig.from_config(redis_cluster.redis_conf()))
        assert isinstance(client, redis.cluster.RedisCluster)
        tenant = f"tenant:{uuid.uuid4().hex}"  # an untrusted value with a separator in it
        keys = [
            redis_key("kong-ai-test", "usage", model, hash_tag=tenant) for model in ("a", "b{", "c}", "d:")
        ]
        assert len({client.get_node_from_key(key).name for key in keys}) == 1
        # A multi-key command succeeds only when all keys are in one slot (CROSSSLOT otherwise).
        client.mset(dict.fromkeys(keys, "1"))
        assert client.mget(keys) == ["1"] * len(keys)
        client.delete(*keys)

    def test_lua_script_on_every_node_recovers_from_noscript(
        self, redis_cluster: RedisClusterServers
    ) -> None:
        client = connect(RedisConfig.from_config(redis_cluster.redis_conf()))
        tags = _one_hash_tag_per_primary(client)
        assert len(tags) == len(client.get_primaries()) == 3
        for node in _node_clients(redis_cluster):  # every node forgets it: each first call gets NOSCRIPT
            node.script_flush()
            assert node.script_exists(INCR_AND_READ.sha) == [False]

        before = [_command_calls(node) for node in _node_clients(redis_cluster)]
        for tag in tags.values():
            counter, label = unique_key("counter", tag=tag), unique_key("label", tag=tag)
            assert INCR_AND_READ(client, [counter, label], [4]) == [4, ""]
            assert INCR_AND_READ(client, [counter, label], [1]) == [5, ""]
        after = [_command_calls(node) for node in _node_clients(redis_cluster)]

        for node in _node_clients(redis_cluster):
            assert node.script_exists(INCR_AND_READ.sha) == [True]
        # Each node ran its tag's calls: EVALSHA (NOSCRIPT) + EVAL, then EVALSHA alone; no stray calls.
        assert [_delta(b, a) for b, a in zip(before, after, strict=True)] == [{"evalsha": 2, "eval": 1}] * 3

    def test_script_keys_in_different_slots_are_a_programming_error(
        self, redis_cluster: RedisClusterServers
    ) -> None:
        client = connect(RedisConfig.from_config(redis_cluster.redis_conf()))
        tags = list(_one_hash_tag_per_primary(client).values())
        keys = [unique_key("x", tag=tags[0]), unique_key("y", tag=tags[1])]
        with pytest.raises(redis.exceptions.RedisClusterException, match="same key slot"):
            INCR_AND_READ(client, keys, [1])

    def test_equal_cluster_configs_share_one_client(self, redis_cluster: RedisClusterServers) -> None:
        first = connect(RedisConfig.from_config(redis_cluster.redis_conf()))
        assert connect(RedisConfig.from_config(redis_cluster.redis_conf())) is first

    def test_unreachable_cluster_is_unavailable_and_not_cached(self) -> None:
        cfg = RedisConfig.from_config(
            {"cluster_nodes": [{"ip": "127.0.0.1", "port": closed_port()}], **FAST_FAIL}
        )
        for _attempt in range(2):
            with pytest.raises(RedisUnavailable):
                connect(cfg)


def _node_clients(cluster: RedisClusterServers) -> list[redis.Redis]:
    """A plain client for each node (all primaries: the test cluster has no replicas)."""
    return [redis.Redis(host=cluster.host, port=port, decode_responses=True) for port in cluster.ports]


def _one_hash_tag_per_primary(client: redis.cluster.RedisCluster) -> dict[str, str]:
    """A hash tag whose slot each primary owns, found by trying tags (node name -> tag)."""
    tags: dict[str, str] = {}
    primaries = {node.name for node in client.get_primaries()}
    for index in range(10_000):
        tag = f"tenant-{index}"
        node = client.get_node_from_key(redis_key("kong-ai-test", hash_tag=tag)).name
        tags.setdefault(node, tag)
        if tags.keys() == primaries:
            break
    return tags
