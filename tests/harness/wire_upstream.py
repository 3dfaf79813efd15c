"""The upstream the kong-wire recordings were made with, rebuilt: same status, headers, body and framing.

"answers 200, Content-Type application/json, X-Up-Multi: a, X-Up-Multi: b, X-Up-Single: s, body
'{"method":"<m>","uri":"<request uri>","body_len":<n>}\\n'", sent chunked. It also keeps what it received so a
test can compare it with the recording's ``upstream_received``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.utils import formatdate

from harness.http11 import HttpRequest, HttpResponse, HttpServer


@dataclass
class WireUpstream:
    host: str = "127.0.0.1"
    port: int = 0
    received: list[HttpRequest] = field(default_factory=list)
    server: HttpServer | None = None

    async def start(self) -> None:
        self.server = HttpServer(self._handle, self.host, self.port)
        await self.server.start()
        self.port = self.server.port

    async def close(self) -> None:
        if self.server:
            await self.server.close()

    async def _handle(self, request: HttpRequest) -> HttpResponse:
        self.received.append(request)
        body = (
            json.dumps(
                {"method": request.method, "uri": request.target, "body_len": len(request.body)},
                separators=(",", ":"),
            ).encode()
            + b"\n"
        )

        async def chunked() -> AsyncIterator[bytes]:
            yield body

        headers = [
            ("Server", b"nginx/1.22.1"),  # the recordings' upstream was an nginx
            ("Date", formatdate(usegmt=True).encode()),
            ("Content-Type", b"application/json"),
            ("X-Up-Multi", b"a"),
            ("X-Up-Multi", b"b"),
            ("X-Up-Single", b"s"),
        ]
        return HttpResponse(200, headers, chunked())
