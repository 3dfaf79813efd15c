"""Conformance: every response carries one ``Date`` header, as nginx's header filter writes it (and the
router's 404 the headers Kong's header_filter gives every response Kong makes itself).

The kong-wire recordings strip ``Date`` (its value changes every second), so their replays cannot see a
missing one. nginx's ``ngx_http_header_filter`` writes ``Date`` whenever ``headers_out.date`` is unset, and
Kong's templates (kong/templates/nginx_kong.lua) say ``proxy_pass_header Date``: a proxied response keeps the
upstream's ``Date``, and every answer Kong makes itself - ``kong.response.exit``/``error`` (pdk/response.lua),
a thrown error's 500 (init.lua), the error page of a failed upstream (error_handlers.lua), the router's 404
(runloop/handler.lua) and the Admin API - gets the current time in IMF-fixdate form (``ngx_http_time``).
"""

from __future__ import annotations

import asyncio
import email.utils
import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest
from harness.http11 import HttpRequest, HttpResponse
from harness.replay import send_request
from harness.scenario import Reply, Scenario, scenario, toy_config
from harness.wire_upstream import WireUpstream

pytestmark = pytest.mark.conformance

SCENARIO_TIMEOUT = 40.0
IMF_FIXDATE = re.compile(
    rb"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
    rb"\d{2}:\d{2}:\d{2} GMT"
)
UPSTREAM_DATE = b"Thu, 01 Jan 2015 00:00:00 GMT"  # far from now: only the upstream can have sent it

T = TypeVar("T")


def run(test: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(asyncio.wait_for(test(), SCENARIO_TIMEOUT))


class DatedUpstream(WireUpstream):
    """The recordings' upstream, answering with a fixed ``Date``."""

    async def _handle(self, request: HttpRequest) -> HttpResponse:
        response = await super()._handle(request)
        response.headers = [(n, UPSTREAM_DATE if n.lower() == "date" else v) for n, v in response.headers]
        return response


def one_date(headers: list[tuple[str, bytes]]) -> bytes:
    """The response's only ``Date`` value, checked to be an IMF-fixdate nginx would write."""
    dates = [value for name, value in headers if name.lower() == "date"]
    assert len(dates) == 1, headers
    assert IMF_FIXDATE.fullmatch(dates[0]), dates[0]
    assert email.utils.parsedate_to_datetime(dates[0].decode()).tzname() == "UTC"
    return dates[0]


def made_by_kong(reply: Reply) -> None:
    assert one_date(reply.headers) != UPSTREAM_DATE


async def probe_route(sc: Scenario, path: str, access: list[list[object]]) -> None:
    sc.plugin("wire_probe", toy_config(access=access), route=sc.route(sc.service(), [path]))


def test_kong_answers_carry_a_date_and_proxied_ones_keep_the_upstreams() -> None:
    async def body() -> None:
        async with scenario(["wire_probe"], upstream=DatedUpstream()) as sc:
            await probe_route(sc, "/exit", [["kong.response.exit", 403, "denied", {"X-Exit": "1"}]])
            await probe_route(sc, "/error", [["kong.response.error", 429, "slow down"]])
            await probe_route(sc, "/thrown", [["kong.response.get_status"]])  # wrong phase: thrown, 500
            await probe_route(sc, "/proxied", [["kong.response.set_header", "X-Probe", "ran"]])
            down = sc.service(port=1)  # nothing listens there: Kong's 502 error page
            sc.route(down, ["/down"])

            replies = {path: await sc.request(path) for path in ("/exit", "/error", "/thrown", "/down")}
            assert {path: r.status for path, r in replies.items()} == {
                "/exit": 403,
                "/error": 429,
                "/thrown": 500,
                "/down": 502,
            }
            for reply in replies.values():
                made_by_kong(reply)

            no_route = await sc.request("/nowhere")
            assert no_route.status == 404
            made_by_kong(no_route)
            # header_filter.after (runloop/handler.lua) on a response Kong made itself
            assert no_route.header("Server") == b"kong/3.9.1"
            assert no_route.header("X-Kong-Response-Latency") is not None
            assert no_route.header("X-Kong-Request-Id") == no_route.request_id.encode()

            proxied = await sc.request("/proxied")
            assert (proxied.status, proxied.header("X-Probe")) == (200, b"ran")
            assert one_date(proxied.headers) == UPSTREAM_DATE  # proxy_pass_header Date

            assert sc.gateway.admin is not None
            status, headers, _ = await send_request(
                sc.gateway.admin.port, "GET", "/status", [("Host", b"localhost")], b"", max_body=1 << 20
            )
            assert status == 200
            one_date(headers)

    run(body)
