"""The emulated Kong router (traditional_compatible): matching, precedence, path handling, normalization."""

from __future__ import annotations

from typing import Any

import pytest
from harness import router
from harness.router import escape_path, normalize_path, route_priority
from harness.store import Store


def make_store(*routes: dict[str, Any], service: dict[str, Any] | None = None) -> Store:
    store = Store()
    svc = store.insert("services", service or {"name": "svc", "host": "upstream.local"})
    for route in routes:
        store.insert("routes", {"service": {"id": svc["id"]}, **route})
    return store


def matched_name(
    store: Store, path: str, *, method: str = "GET", host: str | None = "gw.local", headers: Any = None
) -> str | None:
    result = router.match(store, method, host, path, headers or [])
    return None if result is None else result.route.get("name")


# ----------------------------------------------------------------------------------------- normalization


def test_request_path_is_normalized_before_matching_as_in_recording_01() -> None:
    store = make_store({"name": "all", "paths": ["/"], "strip_path": False})
    result = router.match(store, "GET", "127.0.0.1:18082", "/anything/a%20b/../c?x=1", [])
    assert result is not None
    assert (result.normalized_path, result.upstream_path) == ("/anything/c", "/anything/c")


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("/a%2fb", "/a%2Fb"),  # reserved characters stay encoded (upper-cased)
        ("/%7Euser/%41", "/~user/A"),  # unreserved ones are decoded
        ("/a//b///c", "/a/b/c"),
        ("/a/./b/../../c/", "/c/"),
        ("/..", "/"),
    ],
)
def test_kong_uri_normalization(raw: str, normalized: str) -> None:
    assert normalize_path(raw, merge_slashes=True) == normalized


def test_upstream_path_is_re_escaped() -> None:
    store = make_store({"name": "all", "paths": ["/"], "strip_path": False})
    result = router.match(store, "GET", None, "/caf%C3%A9/a%20b", [])
    assert result is not None and result.upstream_path == "/caf%C3%A9/a%20b"
    assert result.normalized_path == "/café/a b"
    assert escape_path("/a b|c") == "/a%20b%7Cc"


# ----------------------------------------------------------------------------------------- conditions


def test_prefix_paths_methods_hosts_and_headers_must_all_match() -> None:
    store = make_store(
        {
            "name": "strict",
            "paths": ["/chat"],
            "methods": ["POST"],
            "hosts": ["api.example.com"],
            "headers": {"x-tenant": ["Acme"]},
        }
    )
    good = {
        "path": "/chat/completions",
        "method": "POST",
        "host": "api.example.com",
        "headers": [("X-Tenant", b"acme")],
    }
    assert matched_name(store, **good) == "strict"  # header values compare case-insensitively
    for change in (
        {"path": "/other"},
        {"method": "GET"},
        {"host": "other.example.com"},
        {"headers": [("X-Tenant", b"globex")]},
        {"host": None},
    ):
        assert matched_name(store, **{**good, **change}) is None, change


def test_header_regex_values() -> None:
    store = make_store({"name": "re", "headers": {"x-model": ["~*^gpt-4"]}})
    assert matched_name(store, "/", headers=[("x-model", b"GPT-4o")]) == "re"
    assert matched_name(store, "/", headers=[("x-model", b"llama")]) is None


@pytest.mark.parametrize(
    ("route_host", "request_host", "matches"),
    [
        ("*.example.com", "api.example.com", True),
        ("*.example.com", "example.com", False),
        ("example.*", "example.org", True),
        ("example.*", "www.example.org", False),
        ("api.example.com:8443", "api.example.com:8443", True),
        ("api.example.com:8443", "api.example.com", False),
        ("api.example.com", "api.example.com:8000", True),  # the port is split off the Host header
    ],
)
def test_host_matching(route_host: str, request_host: str, matches: bool) -> None:
    store = make_store({"name": "h", "hosts": [route_host]})
    assert (matched_name(store, "/", host=request_host) == "h") is matches


def test_no_match_is_none() -> None:
    store = make_store({"name": "chat", "paths": ["/chat"]})
    assert router.match(store, "GET", "x", "/nope", []) is None
    assert router.NO_ROUTE_BODY == {"message": "no Route matched with those values"}


def test_routes_of_disabled_services_and_stream_routes_are_not_routed() -> None:
    store = Store()
    off = store.insert("services", {"name": "off", "host": "a", "enabled": False})
    store.insert("routes", {"name": "to-off", "paths": ["/"], "service": {"id": off["id"]}})
    store.insert("routes", {"name": "tcp", "protocols": ["tcp"], "destinations": [{"port": 9000}]})
    assert matched_name(store, "/") is None


# ----------------------------------------------------------------------------------------- precedence


def test_longer_prefix_wins() -> None:
    store = make_store({"name": "short", "paths": ["/api"]}, {"name": "long", "paths": ["/api/v1"]})
    assert matched_name(store, "/api/v1/x") == "long"
    assert matched_name(store, "/api/v2") == "short"


def test_regex_paths_are_tried_before_prefixes() -> None:
    store = make_store(
        {"name": "prefix", "paths": ["/users/42/profile/and/more"]},
        {"name": "regex", "paths": [r"~/users/\d+"]},
    )
    assert matched_name(store, "/users/42/profile/and/more") == "regex"


def test_regex_priority_orders_regex_routes() -> None:
    store = make_store(
        {"name": "low", "paths": [r"~/v\d+/"], "regex_priority": 1},
        {"name": "high", "paths": [r"~/v1/"], "regex_priority": 5},
    )
    assert matched_name(store, "/v1/chat") == "high"
    assert matched_name(store, "/v2/chat") == "low"


def test_more_conditions_win_and_plain_hosts_beat_wildcards() -> None:
    store = make_store(
        {"name": "path", "paths": ["/"]},
        {"name": "wild", "hosts": ["*.example.com"], "paths": ["/"]},
        {"name": "plain", "hosts": ["api.example.com"], "paths": ["/"]},
    )
    assert matched_name(store, "/", host="api.example.com") == "plain"
    assert matched_name(store, "/", host="eu.example.com") == "wild"
    assert matched_name(store, "/", host="elsewhere.org") == "path"


def test_plain_host_route_outranks_a_two_condition_route_as_luajit_computes_it() -> None:
    # transform.lua get_priority shifts plain Lua numbers with bit.lshift (32-bit, count mod 32): the match
    # weight ends up below the 64-bit plain-host bit, so a hosts-only route is tried first.
    store = make_store(
        {"name": "host-only", "hosts": ["api.example.com"]},
        {"name": "method-and-path", "methods": ["GET"], "paths": ["/x"]},
    )
    assert matched_name(store, "/x", host="api.example.com") == "host-only"
    host_only = route_priority({"hosts": ["api.example.com"]}, [])
    two_conditions = route_priority({"methods": ["GET"]}, ["/x"])
    assert host_only == (1 << 60) | (1 << 29) and two_conditions == (2 << 29) | 2


def test_four_conditions_outrank_everything_with_fewer() -> None:
    store = make_store(
        {"name": "host", "hosts": ["api.example.com"], "paths": ["/x"]},
        {
            "name": "four",
            "methods": ["GET"],
            "paths": ["/x"],
            "hosts": ["*.example.com"],
            "headers": {"x-a": ["1"]},
        },
    )
    assert matched_name(store, "/x", host="api.example.com", headers=[("x-a", b"1")]) == "four"


def test_routes_with_paths_of_several_lengths_are_split() -> None:
    store = make_store({"name": "multi", "paths": ["/a", "/abc/def"]}, {"name": "mid", "paths": ["/abc"]})
    assert matched_name(store, "/abc/def/x") == "multi"
    assert matched_name(store, "/abc/x") == "mid"
    assert matched_name(store, "/a/x") == "multi"


def test_router_follows_store_changes() -> None:
    store = make_store({"name": "first", "paths": ["/first"]})
    assert matched_name(store, "/second") is None
    service_id = store.services()[0]["id"]
    store.insert("routes", {"name": "second", "paths": ["/second"], "service": {"id": service_id}})
    assert matched_name(store, "/second") == "second"


# ----------------------------------------------------------------------------------------- results


def test_regex_captures_named_and_unnamed() -> None:
    store = make_store({"name": "r", "paths": [r"~/users/(?<id>\d+)/(\w+)$"]})
    result = router.match(store, "GET", None, "/users/42/posts", [])
    assert result is not None
    assert result.uri_captures == {"unnamed": ["/users/42/posts", "42", "posts"], "named": {"id": "42"}}


def test_prefix_routes_have_empty_captures() -> None:
    store = make_store({"name": "p", "paths": ["/users"]})
    result = router.match(store, "GET", None, "/users/42", [])
    assert result is not None and result.uri_captures == {"unnamed": [], "named": {}}


def test_route_and_service_are_given_as_the_pdk_sees_them() -> None:
    store = make_store({"name": "p", "paths": ["/p"]})
    result = router.match(store, "GET", None, "/p", [])
    assert result is not None and result.service is not None
    assert result.route["ws_id"] == store.workspace_id and "hosts" not in result.route  # nulls dropped
    assert result.route["service"] == {"id": result.service["id"]}
    assert (result.upstream_target_host, result.upstream_port, result.upstream_scheme) == (
        "upstream.local",
        80,
        "http",
    )


def test_preserve_host_keeps_the_client_host_header() -> None:
    store = make_store(
        {"name": "keep", "paths": ["/"], "preserve_host": True}, {"name": "drop", "paths": ["/d"]}
    )
    kept = router.match(store, "GET", "client.example:8000", "/x", [])
    dropped = router.match(store, "GET", "client.example:8000", "/d", [])
    assert kept is not None and kept.upstream_host == "client.example:8000"
    assert dropped is not None and dropped.upstream_host is None


PATH_HANDLING = [  # Kong's documented table: service.path, route path, request, strip_path, v0, v1
    ("/s", "/fv0", "/fv0req", False, "/s/fv0req", "/sfv0req"),
    ("/s", "/fv0", "/fv0req", True, "/s/req", "/sreq"),
    ("/s", "/fv0/", "/fv0/req", False, "/s/fv0/req", "/sfv0/req"),
    ("/s", "/fv0/", "/fv0/req", True, "/s/req", "/sreq"),
    ("/s/", "/fv0", "/fv0req", False, "/s/fv0req", "/s/fv0req"),
    ("/s/", "/fv0", "/fv0req", True, "/s/req", "/s/req"),
    ("/s/", "/fv0/", "/fv0/req", False, "/s/fv0/req", "/s/fv0/req"),
    ("/s/", "/fv0/", "/fv0/req", True, "/s/req", "/s/req"),
    (None, "/chat", "/chat/completions", True, "/completions", "/completions"),
    ("/v1", "/chat", "/chat", True, "/v1", "/v1"),
    ("/v1", "/chat/", "/chat/", True, "/v1/", "/v1"),
]


@pytest.mark.parametrize(("service_path", "route_path", "request_path", "strip", "v0", "v1"), PATH_HANDLING)
def test_path_handling(
    service_path: str | None, route_path: str, request_path: str, strip: bool, v0: str, v1: str
) -> None:
    for handling, flavor, expected in (
        ("v0", "traditional_compatible", v0),
        ("v1", "traditional", v1),
        ("v1", "traditional_compatible", v0),
    ):
        store = make_store(
            {"name": "r", "paths": [route_path], "strip_path": strip, "path_handling": handling},
            service={"name": "s", "host": "up", "path": service_path},
        )
        result = router.match(store, "GET", None, request_path, [], flavor=flavor)
        assert result is not None and result.upstream_path == expected, (handling, flavor)


def test_strip_path_with_a_regex_strips_the_whole_match() -> None:
    store = make_store({"name": "r", "paths": [r"~/tenants/[a-z]+"], "strip_path": True})
    result = router.match(store, "GET", None, "/tenants/acme/chat", [])
    assert result is not None and (result.prefix, result.upstream_path) == ("/tenants/acme", "/chat")


def test_https_only_route_is_refused_over_http() -> None:
    store = make_store({"name": "tls", "paths": ["/"], "protocols": ["https"]})
    result = router.match(store, "GET", "gw", "/x", [])
    assert result is not None
    assert router.protocol_rejection(result, "http", "/x", "gw") == (
        426,
        {"Connection": "Upgrade", "Upgrade": "TLS/1.2, HTTP/1.1"},
        {"message": "Please use HTTPS protocol"},
    )
    assert router.protocol_rejection(result, "https", "/x", "gw") is None
