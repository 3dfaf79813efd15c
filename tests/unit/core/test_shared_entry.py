"""``SharedEntry`` (the one ``kong.ctx.shared["ai_guard"]`` entry) and the request headers handed on in it."""

from __future__ import annotations

from typing import Any

import pytest

from kong_plugins.core.context import ENTRY_KEY, KONG, TENANT, SharedEntry
from kong_plugins.core.errors import HeaderFieldsTooLarge
from kong_plugins.core.pdk import Pdk
from kong_plugins.core.request_headers import drop_handed_on_headers, hand_on_headers, read_request_headers


class _Shared:
    def __init__(self, table: dict[str, Any]) -> None:
        self.table = table
        self.calls: list[str] = []

    def get(self, key: str) -> Any:
        self.calls.append("get")
        return self.table.get(key)

    def set(self, key: str, value: Any) -> None:
        self.calls.append("set")
        self.table[key] = value


class _Request:
    def __init__(self, headers: dict[str, Any]) -> None:
        self.headers = headers

    def get_headers(self, *_: Any) -> Any:
        return self.headers


class _Kong:
    def __init__(self, table: dict[str, Any], headers: dict[str, Any] | None = None) -> None:
        self.ctx = type("Ctx", (), {})()
        self.ctx.shared = _Shared(table)
        self.request = _Request(headers or {"host": ["h"]})


def test_read_once_write_once_and_other_sections_kept() -> None:
    kong = _Kong({ENTRY_KEY: {"v": 2, TENANT: {"id": "acme"}, "findings": []}})
    entry = SharedEntry(Pdk(kong))
    assert entry.get(TENANT) == {"id": "acme"}
    assert entry.get("request") is None  # not on the route: no second read
    entry.put("request", {"model": "m", "none": None, "raw": b"x"})
    entry.write()
    entry.write()  # nothing changed since: no second set
    assert kong.ctx.shared.calls == ["get", "set"]
    written = kong.ctx.shared.table[ENTRY_KEY]
    assert written[TENANT] == {"id": "acme"} and written["findings"] == []
    assert written["request"] == {"model": "m", "raw": "x"}  # what Lua would give back
    assert written["v"] == 2


def test_a_fresh_entry_is_never_read() -> None:
    kong = _Kong({ENTRY_KEY: {"stale": True}})
    entry = SharedEntry(Pdk(kong), fresh=True)
    entry.put(TENANT, {"id": "a"})
    entry.write()
    assert kong.ctx.shared.calls == ["set"]
    assert kong.ctx.shared.table[ENTRY_KEY] == {TENANT: {"id": "a"}, "v": 2}


def test_headers_handed_on_as_a_later_get_headers_answers_without_credentials() -> None:
    entry = SharedEntry(Pdk(_Kong({})), fresh=True)
    headers = {
        "content-type": ["application/json"],
        "content-length": ["12"],
        "authorization": ["Bearer secret"],
        "x-tenant-id": ["spoofed"],
        "x-api-key": ["k"],
    }
    hand_on_headers(entry, headers, {"X-Tenant-ID": "acme", "X-Tenant-Tier": [], "x-api-key": []})
    handed = entry.get(KONG)
    assert handed["headers"] == {"content-type": ["application/json"], "content-length": ["12"]}
    assert "Bearer secret" not in str(handed)
    assert handed["header_lines"] == 4  # content-type, content-length, authorization, x-tenant-id: acme


def test_readers_use_the_handed_on_headers_only_for_names_handed_on() -> None:
    kong = _Kong({}, headers={"content-type": ["text/plain"], "x-custom": ["1"]})
    pdk = Pdk(kong)
    entry = SharedEntry(pdk, fresh=True)
    entry.put(KONG, {"headers": {"content-type": ["application/json"]}, "header_lines": 3})
    assert read_request_headers(pdk, entry, ("content-type",)) == {"content-type": ["application/json"]}
    assert pdk.calls == 0
    # a name that is never handed on: every header read from Kong
    assert read_request_headers(pdk, entry, ("x-custom",))["x-custom"] == ["1"]
    assert pdk.calls == 1
    entry.put(KONG, {"headers": {}, "header_lines": 1000})
    with pytest.raises(HeaderFieldsTooLarge):
        read_request_headers(pdk, entry, ("content-type",))
    drop_handed_on_headers(entry)  # the body was rewritten: Content-Length changed
    assert read_request_headers(pdk, entry, ("content-type",)) == {
        "content-type": ["text/plain"],
        "x-custom": ["1"],
    }
