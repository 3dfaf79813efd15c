"""The SIEM sinks through the gateway: RFC 5424 syslog over TCP and TLS, and batched HTTP POSTs; a collector
that refuses batches gets them later, once, in order."""

from __future__ import annotations

from pathlib import Path

import pytest
from integration.ai_audit_log.audit_support import AuditEnv, AuditRoute, chat, validate
from integration.ai_audit_log.siem_servers import HttpCollector, SyslogReceiver, self_signed
from integration.ai_token_limiter.limiter_support import poll_until

pytestmark = [pytest.mark.redis, pytest.mark.harness]


def send(route: AuditRoute, count: int, **kwargs: object) -> list[str]:
    ids = []
    for _ in range(count):
        response = route.send(chat(), **kwargs)  # type: ignore[arg-type]
        route.wait_logged(response)
        ids.append(response.headers["X-Kong-Request-Id"])
    return ids


@pytest.mark.parametrize("tls", [False, True], ids=["tcp", "tls"])
def test_syslog_sink_sends_rfc5424_messages(audit: AuditEnv, tmp_path: Path, tls: bool) -> None:
    receiver = SyslogReceiver(self_signed(tmp_path) if tls else None)
    try:
        route = audit.route(
            sinks=["syslog"],
            syslog_host="127.0.0.1",
            syslog_port=receiver.port,
            syslog_tls=tls,
            syslog_tls_verify=False,
            syslog_facility="local3",
        )
        ok = send(route, 2)
        refused = send(route, 1, tenant="nobody")
        failed = route.send(chat(), headers={"X-Mock-Status": "502"})
        route.wait_logged(failed)
        messages = receiver.wait_for(4)
    finally:
        receiver.close()
    records = [validate(record) for _, _, record in messages]
    assert [r["request_id"] for r in records] == [*ok, *refused, failed.headers["X-Kong-Request-Id"]]
    # PRI = facility local3 (19) * 8 + severity: informational 6, notice 5 (4xx), warning 4 (5xx)
    assert [pri for pri, _, _ in messages] == [158, 158, 157, 156]
    _, (timestamp, _host, app, procid, msgid), _ = messages[0]
    assert (app, msgid) == (b"kong-ai-audit", b"inference") and procid.isdigit() and timestamp.endswith(b"Z")


def test_syslog_sink_down_then_back_delivers_in_order(audit: AuditEnv, tmp_path: Path) -> None:
    receiver = SyslogReceiver()
    port = receiver.port
    receiver.close()  # nothing listens: every batch fails and is spilled
    route = audit.route(sinks=["syslog"], syslog_host="127.0.0.1", syslog_port=port, syslog_tls=False)
    sent = send(route, 10)
    poll_until(
        lambda: sum(len(p.read_text().splitlines()) for p in route.spill_dir.glob("*.jsonl")) >= 10,
        deadline_s=20,
        what="10 records spilled",
    )
    back = SyslogReceiver(port=port)
    try:
        sent += send(route, 2)
        records = [record for _, _, record in back.wait_for(12)]
    finally:
        back.close()
    assert [r["request_id"] for r in records] == sent


def test_http_sink_posts_batches_and_replays_refused_ones_in_order(audit: AuditEnv) -> None:
    collector = HttpCollector()
    try:
        route = audit.route(
            sinks=["http", "redis"],
            http_endpoint=collector.url,
            http_headers={"Authorization": "Bearer siem"},
        )
        sent = send(route, 3)
        collector.wait_for(3)
        collector.status = 503  # the SIEM refuses: batches are spilled, the redis sink is not affected
        sent += send(route, 5)
        route.wait_records(8)
        collector.status = 200
        sent += send(route, 2)
        records = [validate(record) for record in collector.wait_for(10)]
    finally:
        collector.close()
    assert [r["request_id"] for r in records] == sent
    assert all(headers["Authorization"] == "Bearer siem" for headers in collector.headers)
    assert all(headers["Content-Type"] == "application/json" for headers in collector.headers)


def test_admin_api_requires_each_sinks_target(audit: AuditEnv) -> None:
    route = audit.make_route()
    url = f"/routes/{route.route['id']}/plugins"
    for sink, field in (("syslog", "syslog_host"), ("http", "http_endpoint")):
        answer = audit.gateway.admin.post(url, json={"name": "ai-audit-log", "config": {"sinks": [sink]}})
        assert answer.status_code == 400
        assert answer.json()["fields"]["config"][field] == "required field missing"
