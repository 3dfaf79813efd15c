"""The guardrail tier through the gateway against a service that misbehaves the way an attacker (or a sick
network) makes it: an answer trickled one byte at a time, never finishing within the timeout, must fail per
``fail_mode`` at the deadline; and a verdict the service gave for one tenant is never served from the cache
to another (the generic contract sends the tenant, so the service may judge per tenant).

The service is a real loopback HTTP server written here with plain sockets, so it can trickle bytes."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from integration.ai_input_guard.guard_support import KEY_AUTH, TENANT_RESOLVER, chat

TEXT = "Please summarize the quarterly report."


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
            flagged = request.get("tenant") == self.flag_tenant
            results = [{"injection": flagged, "score": 0.99 if flagged else 0.01} for _ in request["texts"]]
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
