"""Ambiguous inputs to ai-action-authz: what the policy reads must be what the upstream acts on.

* A header or query argument that a policy reads (``attributes``), sent twice: the policy would decide on one
  value (Kong's ``get_header`` gives the first) or on none (a repeated argument was "absent", which turns a
  ``forbid ... when { getTag("region") != "eu" }`` off), while the upstream sees both. Refused: 400.
* On an MCP route, a JSON-RPC body that Python's decoder cannot read (nested past its recursion limit, an
  integer longer than its 4300 digits, a trailing comma a lenient server accepts) used to become "no
  JSON-RPC at all": only ``route.call`` was decided, and an upstream with another parser ran the
  ``tools/call`` no policy saw. Refused: 400.

The upstream here is a raw one that answers 200 to anything: a request that reaches it was let through.
"""

from __future__ import annotations

from typing import Any

from integration.hostile.chain_support import RESOLVER, TENANTS, assert_kong_error

POLICY = """
@id("routes") permit(principal, action == Action::"route.call", resource);
@id("search") permit(principal, action == Action::"tool.call", resource == Tool::"search");
@id("region") forbid(principal, action == Action::"route.call", resource)
  when { context.attributes.hasTag("region") && context.attributes.getTag("region") != "eu" };
"""
ANSWER = b'{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"called"}]}}'


def _route(raw_route: Any, config: dict[str, Any]) -> Any:
    plugins = [(RESOLVER, {"sources": ["header"], "tenants": TENANTS}), ("ai-action-authz", config)]
    return raw_route(plugins, ANSWER, [("Content-Type", "application/json")])


def _call(tool: str, arguments: str = "{}") -> bytes:
    params = f'{{"name":"{tool}","arguments":{arguments}}}'
    return f'{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{params}}}'.encode()


def test_a_repeated_attribute_header_or_query_argument_is_refused(raw_route: Any, gateway: Any) -> None:
    attributes = [
        {"name": "region", "source": "header", "key": "X-Region"},
        {"name": "merchant", "source": "query", "key": "merchant"},
    ]
    route = _route(raw_route, {"policy": POLICY, "mcp": True, "attributes": attributes})
    body = _call("search")

    def post(headers: list[tuple[str, str]], query: str = "") -> Any:
        sent = [("X-Tenant-ID", "acme"), ("Content-Type", "application/json"), *headers]
        return gateway.proxy.post(route.url(query), content=body, headers=sent, timeout=60)

    assert post([("X-Region", "eu")]).status_code == 200
    assert post([("X-Region", "us")]).status_code == 403
    for headers, query in (
        ([("X-Region", "eu"), ("X-Region", "us")], ""),
        ([("X-Region", "us"), ("X-Region", "us")], ""),
        ([("X-Region", "eu"), ("x-region", "us")], ""),
        ([("X-Region", "eu")], "?merchant=m1&merchant=m2"),
    ):
        assert_kong_error(post(headers, query), 400)


def test_an_mcp_body_python_cannot_read_is_refused_not_let_through(raw_route: Any, gateway: Any) -> None:
    route = _route(raw_route, {"policy": POLICY, "mcp": True})
    headers = {"X-Tenant-ID": "acme", "Content-Type": "application/json"}

    def post(body: bytes) -> Any:
        return gateway.proxy.post(route.url(), content=body, headers=headers, timeout=60)

    assert post(_call("search")).status_code == 200
    assert post(_call("shell")).status_code == 403
    unreadable = {
        "nested past the recursion limit": _call("shell", '{"x":' + "[" * 1500 + "]" * 1500 + "}"),
        "5000-digit integer": _call("shell", '{"n":' + "9" * 5000 + "}"),
        "trailing comma": _call("shell", '{"cmd":"id",}'),
        "not JSON at all": b"method=tools/call&name=shell",
    }
    for name, body in unreadable.items():
        response = post(body)
        try:
            assert_kong_error(response, 400)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from exc
