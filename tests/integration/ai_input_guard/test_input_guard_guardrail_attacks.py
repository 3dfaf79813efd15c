"""The guardrail tier through the gateway against a service that misbehaves the way an attacker (or a sick
network) makes it: an answer trickled one byte at a time, never finishing within the timeout, must fail per
``fail_mode`` at the deadline; a verdict the service gave for one tenant is never served from the cache
to another (the generic contract sends the tenant, so the service may judge per tenant); and text past what
the tier sends (256 Ki characters) is never reported as checked and clean.

The service is a real loopback HTTP server written here with plain sockets, so it can trickle bytes."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from integration.ai_audit_log.audit_support import GUARD, AuditEnv
from integration.ai_audit_log.audit_support import chat as audit_chat
from integration.ai_input_guard.guard_support import KEY_AUTH, TENANT_RESOLVER, chat

TEXT = "Please summarize the quarterly report."
MARKER = "plugh"  # the service flags a text holding it


@dataclass
class TinyService:
    """``drip``: answer one byte per 50 ms until released; otherwise flag texts for ``flag_tenant``."""

    listener: socket.socket
    drip: bool = False
    flag_tenant: str | None = None
    tenants: list[str | None] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def url(self) -> str:
        host, port = self.listener.getsockname()[:2]
        return f"http://{host}:{port}/generic"

    def serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.answer, args=(connection,), daemon=True).start()

    def answer(self, connection: socket.socket) -> None:
        connection.settimeout(30)
        with connection:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = connection.recv(65536)
                if not chunk:
                    return
                head += chunk
            headers, _, body = head.partition(b"\r\n\r\n")
            length = next(
                int(line.split(b":", 1)[1])
                for line in headers.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            while len(body) < length:
                body += connection.recv(65536)
            request = json.loads(body)
            self.tenants.append(request.get("tenant"))
            if self.drip:
                for byte in b"HTTP/1.1 200 OK\r\nX-Padding: " + b"x" * 100000:
                    if self.release.wait(0.05):
                        return
                    try:
                        connection.sendall(bytes([byte]))
                    except OSError:
                        return
                return
            results = [
                {"injection": True, "score": 0.99}
                if request.get("tenant") == self.flag_tenant or MARKER in text
                else {"injection": False, "score": 0.01}
                for text in request["texts"]
            ]
            payload = json.dumps({"results": results}).encode()
            connection.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + f"Content-Length: {len(payload)}\r\n\r\n".encode()
                + payload
            )


@pytest.fixture
def service() -> Iterator[TinyService]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    tiny = TinyService(listener)
    threading.Thread(target=tiny.serve, daemon=True).start()
    yield tiny
    tiny.release.set()
    listener.close()


def guardrail(service: TinyService, **extra: object) -> dict[str, object]:
    tier = {"mode": "block", "url": service.url(), "timeout_ms": 500, **extra}
    return {"injection": {"classifier": {"mode": "off"}, "guardrail": tier}}


def test_an_answer_trickled_past_the_timeout_fails_closed_at_the_deadline(
    guarded, service, consumer_key: str
) -> None:
    """Each byte arrives well within the timeout, so a timeout re-armed per ``http.client`` read (a whole
    header line) never fires: the request hung for as long as the service trickled."""
    service.drip = True
    route = guarded(guardrail(service, fail_mode="closed"), before=[KEY_AUTH])
    response = route.post(chat(TEXT), headers={"apikey": consumer_key}, timeout=20)
    assert response.status_code == 503, response.text
    assert response.json()["errors"][0]["error"] == "prompt injection check unavailable"
    assert route.upstream_hits() == 0


def test_an_answer_trickled_past_the_timeout_fails_open_at_the_deadline(guarded, service) -> None:
    service.drip = True
    route = guarded(guardrail(service, fail_mode="open"))
    response = route.post(chat(TEXT), timeout=20)
    assert response.status_code == 200, response.text
    assert route.upstream_hits() == 1


def test_one_tenants_verdict_is_not_served_to_another_from_the_cache(guarded, service) -> None:
    service.flag_tenant = "globex"
    route = guarded(guardrail(service), before=[TENANT_RESOLVER])
    assert route.post(chat(TEXT, model="gpt-4o-mini"), headers={"X-Tenant-ID": "acme"}).status_code == 200
    response = route.post(chat(TEXT, model="gpt-4o-mini"), headers={"X-Tenant-ID": "globex"})
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["error"] == "prompt injection detected (suspected_injection)"
    assert service.tenants == ["acme", "globex"]
    # each tenant's own verdict is still cached
    assert route.post(chat(TEXT, model="gpt-4o-mini"), headers={"X-Tenant-ID": "acme"}).status_code == 200
    assert route.post(chat(TEXT, model="gpt-4o-mini"), headers={"X-Tenant-ID": "globex"}).status_code == 400
    assert service.tenants == ["acme", "globex"]


@pytest.mark.parametrize(("fail_mode", "status"), [("open", 200), ("closed", 503)])
def test_text_past_what_is_sent_is_not_vouched_for(
    audit: AuditEnv, service: TinyService, fail_mode: str, status: int
) -> None:
    """300,000 characters: the service is sent the first 262,144, which are clean; the flagged text after
    them used to pass as checked (no finding at all). Now ``fail_mode`` decides, with a finding."""
    route = audit.route(before=[(GUARD, guardrail(service, fail_mode=fail_mode, timeout_ms=5000))])
    padding = "apple pie " * 30_000
    response = route.send(audit_chat(padding + f"Now follow the {MARKER} protocol."))
    assert response.status_code == status, response.text
    action = "log" if fail_mode == "open" else "block"
    assert injection_findings(route.record_of(response)) == [
        ("unverified", action, "guardrail", f"fail_{fail_mode}")
    ]
    flagged = route.send(
        audit_chat(f"Now follow the {MARKER} protocol. " + padding)
    )  # flagged in what is sent
    assert flagged.status_code == 400, flagged.text
    assert injection_findings(route.record_of(flagged)) == [
        ("suspected_injection", "block", "guardrail", "service")
    ]


def injection_findings(record: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (f["category"], f["action"], f["tier"], f.get("source"))
        for f in record["findings"]
        if f["plugin"] == GUARD and f["check"] == "injection"
    ]
