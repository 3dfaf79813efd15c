"""KongRequest behaviour beyond the recordings, each case from Kong 3.9.1's source (file named per test)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from harness.kong_request import MISSING, ClientRequest, KongRequest, PdkOutcome, PluginRef, RouteMatch

PLUGIN = PluginRef("py-test", "11111111-2222-4333-8444-555555555555")
ROUTE = {
    "id": "r1",
    "name": "route",
    "paths": ["/"],
    "protocols": ["http"],
    "strip_path": False,
    "preserve_host": False,
    "ws_id": "ws",
}
SERVICE = {"id": "s1", "name": "svc", "host": "127.0.0.1", "port": 9000, "protocol": "http", "ws_id": "ws"}
UPSTREAM_HEADERS = [("Content-Type", b"application/json"), ("X-Up", b"1"), ("Date", b"d"), ("Server", b"up")]


def make(
    path: str = "/p",
    query: str = "",
    headers: list[tuple[str, bytes]] | None = None,
    *,
    method: str = "GET",
    body: bytes = b"",
    service: dict[str, Any] | None = SERVICE,
    logs: list[tuple[str, str]] | None = None,
    **options: Any,
) -> KongRequest:
    client = ClientRequest(
        method=method,
        raw_path=path,
        raw_query=query,
        headers=[("Host", b"gw.test:8000"), *(headers or [])],
        body=body,
        client_ip="10.0.0.5",
        client_port=40000,
        server_port=8000,
    )
    sink = logs if logs is not None else []
    return KongRequest(
        client,
        RouteMatch(route=ROUTE, service=service, upstream_path=path),
        node_id="node",
        request_id="rid",
        workspace_id="ws",
        log=lambda lvl, line: sink.append((lvl, line)),
        **options,
    )


def call(req: KongRequest, method: str, *args: Any) -> PdkOutcome:
    return req.call(PLUGIN, method, list(args))


def value(req: KongRequest, method: str, *args: Any) -> Any:
    outcome = call(req, method, *args)
    assert outcome.kind == "value", outcome
    return outcome.data


def head(req: KongRequest) -> tuple[int, dict[str, list[bytes]]]:
    status, headers = req.response_head()
    grouped: dict[str, list[bytes]] = {}
    for name, raw in headers:
        grouped.setdefault(name.lower(), []).append(raw)
    return status, grouped


# ======================================================================= kong.response.error (tools/http.lua)


@pytest.mark.parametrize(
    ("accept", "content_type", "start"),
    [
        (None, "application/json; charset=utf-8", b'{\n  "message":"Forbidden",\n  "request_id":"rid"\n}'),
        (
            "application/xml",
            "application/xml; charset=utf-8",
            b'<?xml version="1.0" encoding="UTF-8"?>\n<error>',
        ),
        ("text/plain", "text/plain; charset=utf-8", b"Forbidden\nrequest_id: rid\n"),
        ("text/html;q=0.5, application/xml;q=0.9", "application/xml; charset=utf-8", b"<?xml"),
        ("text/*", "text/plain; charset=utf-8", b"Forbidden"),
        ("image/png", "application/json; charset=utf-8", b"{"),
        (
            "Text/HTML",
            "application/json; charset=utf-8",
            b"{",
        ),  # matched case-insensitively, looked up exactly
    ],
)
def test_error_negotiates_template_from_accept(accept: str | None, content_type: str, start: bytes) -> None:
    req = make(headers=[("Accept", accept.encode())] if accept else [])
    req.phase = "access"
    assert call(req, "kong.response.error", 403).kind == "exit"
    status, headers = head(req)
    assert status == 403 and headers["content-type"] == [content_type.encode()]
    body = req.response_body()
    assert body is not None and body.startswith(start)
    assert headers["content-length"] == [str(len(body)).encode()]


def test_error_in_rewrite_failure_uses_request_content_type_then_text_plain() -> None:
    req = make(headers=[("Content-Type", b"application/json")])
    req.phase = "rewrite"
    req.fail("rewrite", "boom", PLUGIN)
    assert req.response_head()[0] == 500
    assert json.loads(req.response_body() or b"") == {
        "message": "An unexpected error occurred",
        "request_id": "rid",
    }
    plain = make()
    plain.phase = "rewrite"
    plain.fail("rewrite")
    assert plain.response_body() == b"An unexpected error occurred\nrequest_id: rid\n"


def test_upstream_failure_answers_kongs_error_page() -> None:
    req = make()
    req.phase = "access"
    assert req.upstream_request() is not None
    req.upstream_failed(504)
    assert req.response_head()[0] == 504
    assert req.response_body() == b"The upstream server is timing out\nrequest_id: rid\n"


# ============================================================================ exits (pdk/response.lua send)


def test_exit_in_response_phase_keeps_upstream_content_type_for_string_bodies() -> None:
    req = make()
    req.enable_buffering()
    req.phase = "access"
    req.upstream_request()
    req.set_service_response(200, UPSTREAM_HEADERS, b'{"up":1}')
    req.phase = "response"
    assert call(req, "kong.response.exit", 418, "short and stout").kind == "exit"
    status, headers = head(req)
    assert status == 418
    assert headers["content-type"] == [b"application/json"]  # a string body does not set Content-Type
    assert headers["x-up"] == [b"1"] and headers["content-length"] == [b"15"]
    assert req.response_body() == b"short and stout"


def test_exit_204_sends_no_content_headers() -> None:
    req = make()
    req.phase = "access"
    call(req, "kong.response.exit", 204, {"ignored": True}, {"x-kept": "yes"})
    status, headers = head(req)
    assert status == 204 and "content-length" not in headers and "content-type" not in headers
    assert headers["x-kept"] == [b"yes"]
    assert req.response_body() == b""


def test_exit_validates_arguments() -> None:
    req = make()
    req.phase = "access"
    outcome = call(req, "kong.response.exit", 99)
    assert outcome.kind == "thrown"
    assert outcome.error == (
        "kong/runloop/plugin_servers/rpc/mp_rpc.lua:127: code must be a number between 100 and 599"
    )
    assert call(req, "kong.response.exit", 200, True).error.endswith("body must be a nil, string or table")
    assert not req.answered


def test_exit_table_body_with_empty_table_is_a_json_object() -> None:
    req = make()
    req.phase = "access"
    call(req, "kong.response.exit", 200, {"items": []})
    assert req.response_body() == b'{"items":{}}'  # Lua cannot tell [] from {}; cjson writes {}


def test_transfer_encoding_header_is_ignored_with_a_warning() -> None:
    logs: list[tuple[str, str]] = []
    req = make(logs=logs)
    req.phase = "access"
    assert value(req, "kong.response.set_header", "Transfer-Encoding", "chunked") is MISSING
    assert ("warn", "[kong] response.lua:430 [py-test] manually setting Transfer-Encoding. Ignored.") in logs


# ============================================================================ upstream request (handler.lua)


def test_service_request_setters_shape_the_upstream_request() -> None:
    req = make(
        "/orig", "a=1", headers=[("X-Drop", b"x"), ("Keep-Alive", b"300"), ("Connection", b"keep-alive")]
    )
    req.phase = "access"
    call(req, "kong.service.request.set_query", {"b": "x y", "a": ["1", "2"], "f": False})
    call(req, "kong.service.request.set_path", "/new path")
    call(req, "kong.service.request.clear_header", "x-drop")
    call(req, "kong.service.request.set_header", "X-Inject", "a\r\nEvil: 1")
    up = req.upstream_request()
    assert up is not None
    # false makes ngx.encode_args return "" and make_ordered_args keeps it: a leading '&'
    assert up.target == "/new%20path?&a=1&a=2&b=x%20y"
    names = [n.lower() for n, _ in up.headers]
    assert "x-drop" not in names and "keep-alive" not in names
    assert dict(up.headers)["X-Inject"] == b"a%0D%0AEvil: 1"
    assert up.headers[0] == ("Host", b"127.0.0.1:9000")


@pytest.mark.parametrize(
    ("lines", "recursive", "expected"),
    [
        ([b"1.2.3.4"], False, "1.2.3.4"),
        ([b"9.9.9.9, 1.2.3.4"], False, "1.2.3.4"),  # the rightmost address
        ([b"9.9.9.9, 10.1.1.1"], False, "10.1.1.1"),  # not recursive: even a trusted one
        ([b"9.9.9.9, 10.1.1.1"], True, "9.9.9.9"),  # recursive: skip trusted proxies
        ([b"9.9.9.9", b"10.1.1.1"], True, "9.9.9.9"),  # every line, from the last
        ([b"1.2.3.4:8080"], False, "1.2.3.4"),
        ([b"[2001:db8::1]:443"], False, "2001:db8::1"),
        ([b"2001:db8:0:0::1"], False, "2001:db8::1"),
        ([b"garbage"], False, "10.0.0.5"),  # nothing parses: the peer stays
    ],
)
def test_realip_reads_x_forwarded_for_as_nginx_does(
    lines: list[bytes], recursive: bool, expected: str
) -> None:
    headers = [("X-Forwarded-For", line) for line in lines]
    req = make(
        headers=headers,
        trusted_ips=["10.0.0.0/8"],
        real_ip_header="X-Forwarded-For",
        real_ip_recursive=recursive,
    )
    req.phase = "access"
    assert value(req, "kong.client.get_forwarded_ip") == expected
    assert value(req, "kong.client.get_ip") == "10.0.0.5"
    untrusted = make(headers=headers, real_ip_header="X-Forwarded-For")
    untrusted.phase = "access"
    assert value(untrusted, "kong.client.get_forwarded_ip") == "10.0.0.5"


def test_clear_query_arg_reserializes_like_url_search_params() -> None:
    req = make(query="a=1&b=x%20y&a=2&c")
    req.phase = "access"
    call(req, "kong.service.request.clear_query_arg", "a")
    assert value(req, "kong.request.get_raw_query") == "b=x+y&c="


def test_trusted_proxy_headers_pass_through() -> None:
    forwarded = [
        ("X-Forwarded-Proto", b"HTTPS"),
        ("X-Forwarded-Port", b"443"),
        ("X-Forwarded-For", b"1.2.3.4"),
    ]
    trusted = make(headers=forwarded, trusted_ips=["10.0.0.0/8"])
    trusted.phase = "access"
    assert value(trusted, "kong.request.get_forwarded_scheme") == "https"
    assert value(trusted, "kong.request.get_forwarded_port") == 443
    up = trusted.upstream_request()
    assert up is not None
    sent = dict(up.headers)
    assert sent["X-Forwarded-Proto"] == b"HTTPS" and sent["X-Forwarded-Port"] == b"443"
    assert sent["X-Forwarded-For"] == b"1.2.3.4, 10.0.0.5"

    untrusted = make(headers=forwarded)
    untrusted.phase = "access"
    assert value(untrusted, "kong.request.get_forwarded_scheme") == "http"
    sent = dict(untrusted.upstream_request().headers)  # type: ignore[union-attr]
    assert sent["X-Forwarded-Proto"] == b"http" and sent["X-Forwarded-Port"] == b"8000"


def test_set_upstream_balances_over_targets() -> None:
    upstream = {
        "id": "u-test-rr",
        "name": "pool",
        "targets": [{"target": "10.1.0.1:81", "weight": 100}, {"target": "10.1.0.2:82", "weight": 100}],
    }

    def upstreams(name: str) -> dict[str, Any] | None:
        return upstream if name == "pool" else None

    named_service = {**SERVICE, "host": "backend.internal"}
    picked = []
    for _ in range(4):
        req = make(upstreams=upstreams, service=named_service)
        req.phase = "access"
        missing = call(req, "kong.service.set_upstream", "nope")
        assert missing.kind == "value" and missing.data is MISSING  # nil, "could not find an Upstream ..."
        assert value(req, "kong.service.set_upstream", "pool") is True
        up = req.upstream_request()
        assert up is not None and up.upstream == "pool"
        assert dict(up.headers)["Host"] == f"{up.host}:{up.port}".encode()
        picked.append((up.host, up.port))
    assert set(picked) == {("10.1.0.1", 81), ("10.1.0.2", 82)}

    # A Service whose host is an IP keeps balancer_data.type "ipv4": Kong then uses the Upstream's *name* as
    # the address (runloop/balancer execute; cf. Kong/kong#4786).
    ip_service = make(upstreams=upstreams)
    ip_service.phase = "access"
    assert value(ip_service, "kong.service.set_upstream", "pool") is True
    up = ip_service.upstream_request()
    assert up is not None and up.host == "pool" and up.upstream is None


def test_set_target_in_rewrite_fails_like_kong() -> None:
    req = make()
    req.phase = "rewrite"
    outcome = call(req, "kong.service.set_target", "10.9.9.9", 8080)
    assert outcome.kind == "thrown"
    assert outcome.error == "kong/pdk/service.lua:106: attempt to index field 'balancer_data' (a nil value)"
    access = make()
    access.phase = "access"
    call(access, "kong.service.set_target", "10.9.9.9", 8080)
    up = access.upstream_request()
    assert up is not None and (up.host, up.port) == ("10.9.9.9", 8080)
    assert dict(up.headers)["Host"] == b"10.9.9.9"  # $upstream_host = host, without the port


def test_no_service_answers_503() -> None:
    req = make(service=None)
    req.phase = "access"
    assert req.upstream_request() is None
    assert req.response_head()[0] == 503
    assert b"no Service found with those values" in (req.response_body() or b"")


def test_websocket_upgrade_turns_buffering_off() -> None:
    logs: list[tuple[str, str]] = []
    req = make(headers=[("Upgrade", b"websocket"), ("Connection", b"Upgrade")], logs=logs)
    req.enable_buffering()
    req.phase = "access"
    up = req.upstream_request()
    assert up is not None and not req.buffered
    assert (
        dict(up.headers)["Connection"] == b"keep-alive, Upgrade"
        and dict(up.headers)["Upgrade"] == b"websocket"
    )
    assert ("notice", "response buffering was turned off: connection upgrade (websocket)") in logs


def test_full_kong_headers_adds_what_real_kong_sends() -> None:
    req = make(full_kong_headers=True)
    req.phase = "access"
    up = req.upstream_request()
    assert up is not None
    sent = dict(up.headers)
    assert sent["Via"] == b"1.1 kong/3.9.1" and sent["X-Kong-Request-Id"] == b"rid"
    req.set_service_response(200, UPSTREAM_HEADERS, None)
    _, headers = head(req)
    assert headers["via"] == [b"1.1 kong/3.9.1"] and headers["x-kong-request-id"] == [b"rid"]


# ============================================================================ lookups and getters


def test_method_lookup_walks_segments_and_calls_values() -> None:
    logs: list[tuple[str, str]] = []
    req = make(logs=logs)
    req.phase = "access"
    assert value(req, "kong/request/get_method") == "GET"  # rpc/util.lua index_table: \w+ segments
    assert call(req, "kong.request").error == (
        "kong/runloop/plugin_servers/rpc/mp_rpc.lua:127: attempt to call local 'method' (a table value)"
    )
    assert call(req, "kong.version").error.endswith("(a string value)")
    unknown = call(req, "kong.nope", 1)
    assert unknown.kind == "value" and unknown.data is MISSING and unknown.step == "plugin.Step"
    assert ("error", "[kong] mp_rpc.lua:116 [py-test] could not find pdk method: kong.nope") in logs
    assert call(req, "kong.client.get_consumer").step == "plugin.StepConsumer"


def test_result_method_field_names_the_step() -> None:
    req = make()
    req.phase = "access"
    call(req, "kong.ctx.shared.set", "k", {"_method": "plugin.StepRoute", "v": 1})
    outcome = call(req, "kong.ctx.shared.get", "k")
    assert outcome.step == "plugin.StepRoute" and outcome.data == {"_method": "plugin.StepRoute", "v": 1}


def test_query_and_header_limits() -> None:
    query = "&".join(f"k{i}=v" for i in range(150))
    headers = [(f"X-H{i}", b"v") for i in range(120)]
    req = make(query=query, headers=headers)
    req.phase = "access"
    assert len(value(req, "kong.request.get_query")) == 100  # lua_max_uri_args
    assert len(value(req, "kong.request.get_query", 1000)) == 150
    assert len(value(req, "kong.request.get_headers")) == 100  # lua_max_req_headers
    assert call(req, "kong.request.get_query", 0).error.endswith("max_args must be >= 1")
    assert call(req, "kong.request.get_headers", "x").error == (
        "kong/runloop/plugin_servers/plugin.lua:84: max_headers must be a number"
    )


def test_truncated_request_headers_follow_kong_conf_and_log_kongs_notice() -> None:
    """kong/globalpatches.lua: the default is ``lua_max_req_headers``; a cut logs a notice; 1000 at most."""
    headers = [(f"X-H{i}", b"v") for i in range(1000)]  # 1001 lines with Host
    logs: list[tuple[str, str]] = []
    req = make(headers=headers, logs=logs, max_req_headers=20)
    req.phase = "access"
    assert len(value(req, "kong.request.get_headers")) == 20
    assert ("notice", "[kong] globalpatches.lua:147 [py-test] request headers truncated") in logs
    logs.clear()
    assert len(value(req, "kong.request.get_headers", 999)) == 999
    assert len(value(req, "kong.request.get_headers", 1000)) == 1000
    assert call(req, "kong.request.get_headers", 1001).error.endswith("max_headers must be <= 1000")
    assert len(logs) == 2  # the two cut reads
    complete = make(headers=headers[:50], logs=logs)
    complete.phase = "access"
    logs.clear()
    assert len(value(complete, "kong.request.get_headers")) == 51 and logs == []


def test_kong_conf_lua_max_req_headers() -> None:
    from harness.conf import load_kong_conf

    assert load_kong_conf(None, env={}).lua_max_req_headers == 100
    assert load_kong_conf(None, env={"KONG_LUA_MAX_REQ_HEADERS": "300"}).lua_max_req_headers == 300
    for bad in ("0", "1001", "2.5", "x"):
        with pytest.raises(ValueError, match="lua_max_req_headers must be an integer between 1 and 1000"):
            load_kong_conf(None, env={"KONG_LUA_MAX_REQ_HEADERS": bad})


def test_header_getters_like_nginx() -> None:
    req = make(headers=[("Cookie", b"a=1"), ("Cookie", b"b=2"), ("X-Multi", b"one, two"), ("X_Under", b"x")])
    req.phase = "access"
    assert value(req, "kong.request.get_header", "cookie") == "a=1; b=2"
    assert value(req, "kong.request.get_header", "x-multi") == "one, two"
    assert value(req, "kong.request.get_header", "x_under") is MISSING  # nginx drops names with '_'
    assert value(req, "kong.nginx.get_var", "cookie_b") == "2"
    assert value(req, "kong.nginx.get_var", "arg_nope") is MISSING


def test_get_body_variants() -> None:
    form = make(
        method="POST", body=b"a=1&a=2&b", headers=[("Content-Type", b"application/x-www-form-urlencoded")]
    )
    form.phase = "access"
    assert value(form, "kong.request.get_body") == {"a": ["1", "2"], "b": True}
    multipart = b'--XX\r\nContent-Disposition: form-data; name="f"\r\n\r\nhello\r\n--XX--\r\n'
    mp = make(method="POST", body=multipart, headers=[("Content-Type", b"multipart/form-data; boundary=XX")])
    mp.phase = "access"
    assert value(mp, "kong.request.get_body") == {"f": "hello"}
    bad = make(method="POST", body=b"{nope", headers=[("Content-Type", b"application/json")])
    bad.phase = "access"
    assert value(bad, "kong.request.get_body") is MISSING


def test_load_consumer_and_authenticate() -> None:
    consumer = {"id": "c0000000-0000-4000-8000-000000000001", "username": "alice", "custom_id": None}

    def consumers(key: str, by_username: bool) -> dict[str, Any] | None:
        return consumer if key in (consumer["id"], "alice" if by_username else None) else None

    req = make(consumers=consumers)
    req.phase = "access"
    assert value(req, "kong.client.load_consumer", consumer["id"]) == {
        "id": consumer["id"],
        "username": "alice",
    }
    assert value(req, "kong.client.load_consumer", "alice", True)["username"] == "alice"
    assert call(req, "kong.client.load_consumer", "alice").error.endswith(
        "cannot load a consumer with an id that is not a uuid"
    )
    assert call(req, "kong.client.authenticate").error.endswith(
        "either credential or consumer must be provided"
    )
    call(req, "kong.client.authenticate", None, {"id": "cred", "consumer_id": "c1"})
    assert req.credential == {"id": "cred", "consumer_id": "c1"} and req.consumer is None


# ======================================================================== log phase (plugin.lua build_phases)


def test_log_phase_answers_from_snapshot_and_blocks_ngx_apis() -> None:
    req = make(headers=[("Authorization", b"secret")])
    req.phase = "access"
    call(req, "kong.client.authenticate", {"id": "c1", "username": "u"}, {"id": "k1", "consumer_id": "c1"})
    call(req, "kong.log.set_serialize_value", "audit.tenant", "t1")
    call(req, "kong.log.set_serialize_value", "audit.tenant", "t2", {"mode": "add"})
    req.upstream_request()
    req.set_service_response(200, UPSTREAM_HEADERS, None)
    req.start_log_phase()
    req.phase = "log"
    assert value(req, "kong.client.get_consumer") == {"id": "c1", "username": "u"}
    assert value(req, "kong.response.get_status") == 200
    assert call(req, "kong.nginx.get_var", "uri").error == (
        "kong/runloop/plugin_servers/plugin.lua:53: API disabled in the current context"
    )
    assert (
        call(req, "kong.client.get_ip").error == "kong/pdk/client.lua:62: API disabled in the current context"
    )
    assert call(req, "kong.request.get_raw_body").error.endswith(
        "function cannot be called in log phase (only in: rewrite, access, response, error, admin_api)"
    )
    assert call(req, "kong.service.response.get_raw_body").error.endswith(
        "service body is only available with buffered proxying "
        "(see: kong.service.request.enable_buffering function)"
    )
    serialized = json.loads(value(req, "kong.log.serialize"))
    assert serialized["request"]["headers"]["authorization"] == "REDACTED"
    assert serialized["audit"] == {"tenant": "t1"}
    assert serialized["authenticated_entity"] == {"id": "k1", "consumer_id": "c1"}
    assert serialized["consumer"] == {"id": "c1", "username": "u"}
    assert serialized["source"] == "upstream" and serialized["upstream_status"] == "200"
    assert req.serialize()["tries"][0]["port"] == 9000


def test_serialize_is_log_only_outside_the_snapshot() -> None:
    req = make()
    req.phase = "access"
    assert call(req, "kong.log.serialize").error == (
        "kong/runloop/plugin_servers/plugin.lua:49: function cannot be called in access phase (only in: log)"
    )
