"""A small real guardrail service on loopback for the cascade's gateway tests, misbehaving on request.

It speaks both wire formats of docs/guardrail-service.md: ``POST /generic`` (``{"texts": [...]}`` ->
``{"results": [...]}``) and ``POST /analyze/prompt`` (LLM Guard's). A text containing :data:`MARKER` is an
injection (category ``jailbreak_persona`` in the generic answer), any other is clean. ``behaviour`` makes it
misbehave: ``hang`` (no answer until the test ends: the guard's timeout must fire), ``error`` (500),
``garbage`` (200 with a body that is not JSON), ``wrong_shape`` (JSON without ``results``), ``huge``
(a 2 MB answer). Every request is recorded (path, headers, JSON body), so a test can tell that the
service was never asked.
"""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MARKER = "plugh"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class GuardrailService:
    """The running server: ``url(path)``, ``received`` requests, ``behaviour`` to misbehave."""

    server: ThreadingHTTPServer
    behaviour: str = "ok"
    received: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str = "/generic") -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def start() -> GuardrailService:
    service: GuardrailService

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            service.received.append(Received(self.path, dict(self.headers.items()), body))
            behaviour = service.behaviour
            if behaviour == "hang":
                service.release.wait(60)
                return
            if behaviour == "error":
                self._send(500, b'{"message": "internal error"}')
            elif behaviour == "garbage":
                self._send(200, b"<html>definitely not json")
            elif behaviour == "wrong_shape":
                self._send(200, b'{"verdict": "fine"}')
            elif behaviour == "huge":
                self._send(200, b'{"results": [' + b" " * (2 * 1024 * 1024) + b"]}")
            elif self.path == "/analyze/prompt":
                prompt = str((body or {}).get("prompt", ""))
                flagged = MARKER in prompt
                answer = {
                    "is_valid": not flagged,
                    "scanners": {"PromptInjection": 1.0 if flagged else 0.0, "Toxicity": 0.0},
                    "sanitized_prompt": prompt,
                }
                self._send(200, json.dumps(answer).encode())
            else:
                texts = (body or {}).get("texts") or []
                results = [
                    {"injection": True, "score": 0.97, "category": "jailbreak_persona"}
                    if MARKER in text
                    else {"injection": False, "score": 0.02}
                    for text in texts
                ]
                self._send(200, json.dumps({"results": results}).encode())

        def _send(self, status: int, payload: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the guard gave up reading (too large): expected
                self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    service = GuardrailService(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return service
