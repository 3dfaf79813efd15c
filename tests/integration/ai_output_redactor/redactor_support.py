"""What the ai-output-redactor gateway tests share: a route in front of the mock LLM whose answer says
exactly what the test wants (``X-Mock-Verbatim``), sample values per detector, and answer readers."""

from __future__ import annotations

import gzip
import json
import zlib
from dataclasses import dataclass
from typing import Any

import httpx
from fixtures.gateway import GatewayUnderTest, RouteUnderTest
from fixtures.redactor_samples import SAMPLES, masked, sentence

__all__ = ["SAMPLES", "masked", "sentence"]  # re-exported for the tests

PLUGIN = "ai-output-redactor"
TENANTS = [{"id": "acme"}, {"id": "globex"}]
RESOLVER = ("ai-tenant-resolver", {"sources": ["header"], "tenants": TENANTS})


@dataclass
class RedactedRoute:
    """A route with the redactor (and maybe plugins before it); ``chat`` asks the mock to answer ``text``."""

    gateway: GatewayUnderTest
    route: RouteUnderTest

    def send(
        self, body: dict[str, Any], headers: dict[str, str] | None = None, path: str = ""
    ) -> httpx.Response:
        all_headers = {"Content-Type": "application/json", "X-Mock-Verbatim": "1", **(headers or {})}
        return self.gateway.proxy.post(self.route.url(path), content=json.dumps(body), headers=all_headers)

    def chat(self, text: str, *, stream: bool = False, **headers: str) -> httpx.Response:
        body: dict[str, Any] = {"model": "gpt-4o", "messages": [{"role": "user", "content": text}]}
        if stream:
            body["stream"] = True
        return self.send(body, {k.replace("_", "-"): v for k, v in headers.items()})


def mock_headers(**controls: str) -> dict[str, str]:
    """``mock_headers(piece_chars="1")`` -> ``{"X-Mock-Piece-Chars": "1"}``."""
    return {"X-Mock-" + "-".join(p.capitalize() for p in k.split("_")): v for k, v in controls.items()}


def chat_content(response: httpx.Response) -> str:
    """The assistant's text of a chat answer, decoded from any content coding httpx did not undo."""
    return json.loads(response.content)["choices"][0]["message"]["content"]


def stream_events(response: httpx.Response) -> list[Any]:
    """The ``data`` of each SSE event (JSON decoded; ``[DONE]`` as is)."""
    events = []
    for block in response.text.split("\n\n"):
        data = [line[6:] for line in block.split("\n") if line.startswith("data: ")]
        if data:
            joined = "\n".join(data)
            events.append(joined if joined == "[DONE]" else json.loads(joined))
    return events


def stream_text(response: httpx.Response) -> str:
    """The assistant's text of an OpenAI chat stream, deltas joined as an SDK joins them."""
    text = []
    for event in stream_events(response):
        if isinstance(event, dict):
            for choice in event.get("choices", []):
                content = choice.get("delta", {}).get("content")
                if isinstance(content, str):
                    text.append(content)
    return "".join(text)


def decompress(body: bytes, coding: str) -> bytes:
    return gzip.decompress(body) if coding == "gzip" else zlib.decompress(body)


def facts(gateway: GatewayUnderTest, response: httpx.Response) -> dict[str, Any] | None:
    """What the redactor published in kong.ctx.shared for this request (emulator only)."""
    stats = gateway.request_stats(response.headers["X-Kong-Request-Id"])
    return stats.get("ctx_shared", {}).get("ai_guard", {}).get("redaction")


def pdk_calls(gateway: GatewayUnderTest, response: httpx.Response) -> int:
    stats = gateway.request_stats(response.headers["X-Kong-Request-Id"])
    return int(stats["pdk_calls"][PLUGIN]["response"])
