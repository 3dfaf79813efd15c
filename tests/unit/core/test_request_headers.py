"""``read_request_headers``: one ``get_headers(1000)``, and 431 when the map may have been cut."""

from __future__ import annotations

from typing import Any

import pytest

from kong_plugins.core.errors import HeaderFieldsTooLarge
from kong_plugins.core.pdk import Pdk
from kong_plugins.core.request_headers import header_lines, read_request_headers


class _Request:
    def __init__(self, headers: Any) -> None:
        self.headers = headers
        self.asked: list[tuple[Any, ...]] = []

    def get_headers(self, *args: Any) -> Any:
        self.asked.append(args)
        return self.headers


class _Kong:
    def __init__(self, headers: Any) -> None:
        self.request = _Request(headers)


def test_lines_count_every_value_of_a_repeated_header() -> None:
    assert header_lines({"a": ["1", "2"], "b": "3"}) == 3


def test_one_read_asking_for_every_line() -> None:
    kong = _Kong({"host": ["x"], "x-tenant-id": ["a", "b"]})
    pdk = Pdk(kong)
    assert read_request_headers(pdk) == {"host": ["x"], "x-tenant-id": ["a", "b"]}
    assert kong.request.asked == [(1000,)] and pdk.calls == 1


def test_an_empty_table_is_an_empty_map() -> None:
    assert read_request_headers(Pdk(_Kong([]))) == {}


@pytest.mark.parametrize(("lines", "refused"), [(999, False), (1000, True)])
def test_a_map_that_reaches_1000_lines_is_refused(lines: int, refused: bool) -> None:
    headers = {f"x-{i}": [str(i)] for i in range(lines - 1)} | {"x-last": ["a"]}
    if refused:
        with pytest.raises(HeaderFieldsTooLarge) as caught:
            read_request_headers(Pdk(_Kong(headers)))
        assert caught.value.status == 431 and caught.value.message == "Request header fields too large"
    else:
        assert len(read_request_headers(Pdk(_Kong(headers)))) == lines
