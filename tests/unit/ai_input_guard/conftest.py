"""A recording fake ``kong`` for the ai-input-guard handler tests.

It answers only the PDK calls this plugin may make, the way Kong 3.9 does (``kong/pdk/request.lua``
``get_raw_body``: a body above ``client_body_buffer_size`` sits in a temp file and is returned only when
``max_allowed_file_size`` is 0 or at least its size, else Kong throws - modelled here as an exception so a
test fails loudly). Any other call raises, so a new round trip cannot slip in unnoticed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fixtures.fake_kong import FakeKong as BaseFakeKong

BUFFER_SIZE = 8192  # Kong's default client_body_buffer_size


class KongThrew(Exception):
    """What a Lua error inside Kong would be (the client gets a 500, the plugin no answer)."""


class FakeKong(BaseFakeKong):
    """One request's ``kong``: ``calls`` lists the PDK methods called, ``shared`` is kong.ctx.shared."""

    def __init__(
        self,
        body: bytes = b"",
        headers: dict[str, str | list[str]] | None = None,
        *,
        content_type: str | None = "application/json",
        chunked: bool = False,
        shared: dict[str, Any] | None = None,
        consumer: dict[str, Any] | None = None,
        lua_style: bool = False,
    ) -> None:
        super().__init__(lua_style=lua_style)
        names = {name.lower(): value for name, value in (headers or {}).items()}
        if content_type is not None:
            names.setdefault("content-type", content_type)
        if chunked:
            names.setdefault("transfer-encoding", "chunked")
        elif body:
            names.setdefault("content-length", str(len(body)))
        self.headers = names
        self.body = body
        self.shared: dict[str, Any] = dict(shared or {})
        self.consumer = consumer
        self.exit: tuple[int, Any] | None = None
        self.upstream_body: bytes | None = None

    def dispatch(self, method: str, args: tuple[Any, ...]) -> Any:
        assert self.exit is None, f"kong.{method} called after the response was sent"
        if method == "request.get_headers":
            return dict(self.headers)
        if method == "request.get_raw_body":
            limit = args[0] if args else None
            if len(self.body) > BUFFER_SIZE and (limit is None or (limit > 0 and len(self.body) > limit)):
                raise KongThrew("request body did not fit / file too big")
            return self.body
        if method == "ctx.shared.get":
            return self.shared.get(args[0])
        if method == "ctx.shared.set":
            self.shared[args[0]] = json.loads(json.dumps(args[1]))  # what survives msgpack
            return None
        if method == "client.get_consumer":
            return self.consumer
        if method == "service.request.set_raw_body":
            self.upstream_body = args[0].encode("utf-8")
            return None
        if method == "response.error":
            self.exit = (args[0], {"message": args[1]})
            return None
        if method == "response.exit":
            self.exit = (args[0], args[1])
            return None
        return super().dispatch(method, args)


@pytest.fixture
def make_kong() -> Callable[..., FakeKong]:
    """``make_kong(body=b"...", headers=..., content_type=..., chunked=..., shared=..., consumer=...)``."""
    return FakeKong


def chat_body(content: str = "What is the capital of France?", **fields: Any) -> bytes:
    """A valid OpenAI chat request body."""
    document = {"model": "gpt-4o", "messages": [{"role": "user", "content": content}], **fields}
    return json.dumps(document).encode()


@pytest.fixture
def chat() -> Callable[..., bytes]:
    return chat_body
