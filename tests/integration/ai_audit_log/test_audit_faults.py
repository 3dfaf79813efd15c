"""Nothing lost, nothing doubled, nothing reordered: Redis down in the middle of a burst, the plugin server
killed with records spilled, several processes writing one tenant's chain; and tampering found by
``kong-ai audit verify``."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import socket
import threading
from pathlib import Path

import httpx
import pytest
import redis
from integration.ai_audit_log.audit_support import AuditEnv, AuditRoute, chat
from integration.ai_token_limiter.limiter_support import poll_until

from kong_plugins.ai_audit_log.redis_sink import RedisStreamSink, stream_keys, tenants_key
from kong_plugins.core.redis import RedisConfig, connect

pytestmark = [pytest.mark.redis, pytest.mark.harness]

SERVER = "ai-tenant-resolver"  # the plugin server's name in kong.conf (the first pluginserver_names entry)


def send_logged(route: AuditRoute, count: int) -> list[str]:
    """``count`` requests, one after the other, each one's log phase done before the next is sent (so the
    order records are submitted in is the order sent)."""
    ids = []
    for _ in range(count):
        response = route.send(chat())
        assert response.status_code == 200
        route.wait_logged(response)
        ids.append(response.headers["X-Kong-Request-Id"])
    return ids


def server_info(audit: AuditEnv) -> dict:
    servers = audit.gateway.admin.get("/_emulator/pluginservers").json()["data"]
    return next(server for server in servers if server["name"] == SERVER)


def server_starts(audit: AuditEnv) -> int:
    return int(server_info(audit)["starts"])


def serving(audit: AuditEnv, starts_before: int) -> bool:
    """The respawned server accepts connections on its socket."""
    info = server_info(audit)
    if info["starts"] <= starts_before:
        return False
    with socket.socket(socket.AF_UNIX) as sock:
        try:
            sock.connect(info["socket"])
        except OSError:
            return False
    return True


def spilled_lines(route: AuditRoute) -> int:
    return sum(len(path.read_text().splitlines()) for path in Path(route.spill_dir).glob("*.jsonl"))


@pytest.mark.slow
def test_redis_down_during_a_burst_of_500_every_record_once_in_order(audit: AuditEnv) -> None:
    route = audit.route()
    sent = send_logged(route, 100)
    route.wait_records(100)
    audit.redis.kill()
    sent += send_logged(route, 300)
    poll_until(lambda: spilled_lines(route) >= 300, deadline_s=30, what="300 records spilled")
    audit.redis.start()
    sent += send_logged(route, 100)
    records = route.wait_records(500, deadline_s=60)
    assert [r["request_id"] for r in records] == sent  # every record once, in the order of the requests
    assert [r["seq"] for r in records] == list(range(1, 501))
    verified = route.cli("verify", "--tenant", "acme")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "OK, 500 records" in verified.stdout
    poll_until(lambda: spilled_lines(route) == 0, deadline_s=10, what="spill file emptied")


def test_spilled_records_survive_a_plugin_server_crash(audit: AuditEnv) -> None:
    route = audit.route()
    audit.redis.kill()
    sent = send_logged(route, 20)
    poll_until(lambda: spilled_lines(route) >= 20, deadline_s=30, what="20 records spilled")
    before = server_starts(audit)
    killed = audit.gateway.admin.post(f"/_emulator/pluginservers/{SERVER}/kill")
    assert killed.status_code in (200, 204), killed.text
    audit.redis.start()
    # Kong fails open while the server is away (its log events are lost: docs/audit.md); wait for the new one
    poll_until(lambda: serving(audit, before), deadline_s=30, what="the plugin server respawned")
    # the next process's writer adopts the dead one's spill file and replays it before its own records
    sent += send_logged(route, 1)
    records = route.wait_records(21, deadline_s=60)
    assert [r["request_id"] for r in records] == sent
    assert route.cli("verify", "--tenant", "acme").returncode == 0


def test_audit_verify_finds_a_modified_record(audit: AuditEnv) -> None:
    route = audit.route()
    send_logged(route, 5)
    route.wait_records(5)
    keys = stream_keys(route.namespace, "acme")
    with audit.redis.client() as client:
        entries = client.xrange(keys.stream)
        client.delete(keys.stream)
        for index, (entry_id, fields) in enumerate(entries):
            record = json.loads(fields["r"])
            if index == 2:
                record["status"] = 500  # rewrite history: same entry ids, one field changed
            client.xadd(keys.stream, {"r": json.dumps(record)}, id=entry_id)
    result = route.cli("verify", "--tenant", "acme")
    assert result.returncode == 1
    assert f"BROKEN at seq 3 (entry {entries[2][0]}): record altered" in result.stdout


def test_audit_verify_finds_a_deleted_record_and_a_deleted_newest_record(audit: AuditEnv) -> None:
    route = audit.route()
    send_logged(route, 5)
    route.wait_records(5)
    keys = stream_keys(route.namespace, "acme")
    with audit.redis.client() as client:
        entries = client.xrange(keys.stream)
        client.xdel(keys.stream, entries[4][0])  # the newest
    newest = route.cli("verify", "--tenant", "acme")
    assert newest.returncode == 1 and "chain ends at seq 4, head at seq 5" in newest.stdout
    with audit.redis.client() as client:
        client.xdel(keys.stream, entries[1][0])
    middle = route.cli("verify", "--tenant", "acme")
    assert middle.returncode == 1 and "BROKEN at seq 3" in middle.stdout and "follows seq 1" in middle.stdout


def _write_chain(port: int, namespace: str, worker: int, count: int) -> None:
    config = RedisConfig.from_config({"host": "127.0.0.1", "port": port})
    sink = RedisStreamSink(lambda: connect(config), namespace, 1_000_000)
    for n in range(count):
        sink.write([{"id": f"{worker}-{n}", "tenant": "acme", "worker": worker, "n": n}])


def test_several_processes_write_one_tenant_chain_without_forking_it(audit: AuditEnv) -> None:
    route = audit.route()
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_write_chain, args=(audit.redis.port, route.namespace, worker, 100))
        for worker in range(4)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
        assert process.exitcode == 0
    with audit.redis.client() as client:
        records = [
            json.loads(fields["r"])
            for _, fields in client.xrange(stream_keys(route.namespace, "acme").stream)
        ]
    assert len(records) == 400 and len({r["id"] for r in records}) == 400
    for worker in range(4):  # each process's own records in its order
        assert [r["n"] for r in records if r["worker"] == worker] == list(range(100))
    result = route.cli("verify", "--tenant", "acme")
    assert result.returncode == 0 and "OK, 400 records" in result.stdout


@pytest.mark.slow
def test_concurrent_burst_with_redis_down_in_the_middle_every_record_once(audit: AuditEnv) -> None:
    """500 requests from 8 clients at once; Redis dies after the first 100 answers and comes back after 400:
    every record arrives exactly once and the chain verifies (concurrent requests have no order of their own;
    the sequential test above checks the order)."""
    route = audit.route()
    answered: list[str] = []
    lock = threading.Lock()

    def client(count: int) -> None:
        with httpx.Client(base_url=audit.gateway.proxy_url, timeout=30) as http:
            for _ in range(count):
                response = http.post(route.route.url(), json=chat(), headers={"X-Tenant-ID": "acme"})
                assert response.status_code == 200
                with lock:
                    answered.append(response.headers["X-Kong-Request-Id"])
                    done = len(answered)
                if done == 100:
                    audit.redis.kill()
                elif done == 400:
                    audit.redis.start()

    threads = [
        threading.Thread(target=client, args=(500 // 8 + (1 if n < 500 % 8 else 0),)) for n in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert len(answered) == 500
    if audit.redis.process is None:
        audit.redis.start()  # the 400th answer came while the kill was still under way
    records = route.wait_records(500, deadline_s=60)
    assert len(records) == 500 and {r["request_id"] for r in records} == set(answered)
    assert [r["seq"] for r in records] == list(range(1, 501))
    verified = route.cli("verify", "--tenant", "acme")
    assert verified.returncode == 0 and "OK, 500 records" in verified.stdout, verified.stdout


class _IndexFailsOnce:
    """A real Redis client whose first SADD (the tenant index) fails, as if Redis died after the append."""

    def __init__(self, client: object) -> None:
        self._client = client
        self.failed = False

    def __getattr__(self, name: str) -> object:
        return getattr(self._client, name)

    def sadd(self, *args: object) -> object:
        if not self.failed:
            self.failed = True
            raise redis.ConnectionError("connection lost after the append")
        return self._client.sadd(*args)  # type: ignore[attr-defined]


def test_a_run_written_before_its_tenant_index_failed_is_not_written_again(audit: AuditEnv) -> None:
    """The append and the tenant index are two calls (the index has no hash tag): Redis dying between them
    made write() report the run as failed, and the caller's retry appended it again after the moved head."""
    route = audit.route()
    config = RedisConfig.from_config({"host": "127.0.0.1", "port": audit.redis.port})
    client = _IndexFailsOnce(connect(config))
    sink = RedisStreamSink(lambda: client, route.namespace, 1_000_000)
    assert sink.write([{"id": "first", "tenant": "acme"}]) == 1  # in the stream: not handed back for a retry
    assert sink.write([{"id": "second", "tenant": "acme"}]) == 1
    with audit.redis.client() as redis_client:
        ids = [
            json.loads(f["r"])["id"]
            for _, f in redis_client.xrange(stream_keys(route.namespace, "acme").stream)
        ]
        assert ids == ["first", "second"]
        assert redis_client.sismember(tenants_key(route.namespace), "acme")  # the index caught up
    result = route.cli("verify", "--tenant", "acme")
    assert result.returncode == 0 and "OK, 2 records" in result.stdout


def test_a_batch_whose_reply_was_lost_is_not_written_again_when_retried_with_newer_records(
    audit: AuditEnv,
) -> None:
    """Redis applied a batch but its reply was lost; the caller retries it together with newer records: the
    head Redis answers is one of the batch's own links, and those records are not appended a second time."""
    route = audit.route()
    config = RedisConfig.from_config({"host": "127.0.0.1", "port": audit.redis.port})
    sink = RedisStreamSink(lambda: connect(config), route.namespace, 1_000_000)
    sink.write([{"id": "zero", "tenant": "acme"}])
    seen = dict(sink._heads)  # the head before the batch whose reply is lost
    sink.write([{"id": "one", "tenant": "acme"}, {"id": "two", "tenant": "acme"}])
    sink._heads = seen  # the writer never saw that reply
    batch = [{"id": i, "tenant": "acme"} for i in ("one", "two", "three")]
    assert sink.write(batch) == 3
    with audit.redis.client() as redis_client:
        stream = stream_keys(route.namespace, "acme").stream
        ids = [json.loads(f["r"])["id"] for _, f in redis_client.xrange(stream)]
    assert ids == ["zero", "one", "two", "three"]
    result = route.cli("verify", "--tenant", "acme")
    assert result.returncode == 0 and "OK, 4 records" in result.stdout


def test_a_spill_directory_removed_while_redis_is_down_loses_no_record(audit: AuditEnv) -> None:
    """A tmp cleaner (or an operator) removes the spill directory while records wait in it: they move to a
    new spill file and reach Redis when it is back. Before, the writer kept reading the vanished path,
    logged an error every flush interval for the life of the process and lost them."""
    route = audit.route()
    audit.redis.kill()
    sent = send_logged(route, 5)
    poll_until(lambda: spilled_lines(route) >= 5, deadline_s=30, what="5 records spilled")
    shutil.rmtree(route.spill_dir)
    sent += send_logged(route, 1)
    poll_until(
        lambda: spilled_lines(route) >= 6, deadline_s=30, what="the spill file recreated with 6 records"
    )
    audit.redis.start()
    records = route.wait_records(6, deadline_s=60)
    assert [r["request_id"] for r in records] == sent
    assert route.cli("verify", "--tenant", "acme").returncode == 0
