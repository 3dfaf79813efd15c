"""core/strict_json.py: one reading of a JSON object, refused when a member name repeats (pure)."""

from __future__ import annotations

import pytest

from kong_plugins.core import strict_json


def test_a_repeated_name_is_refused_at_any_depth() -> None:
    with pytest.raises(strict_json.DuplicateKey) as caught:
        strict_json.loads(b'{"a": [{"b": 1, "c": 2, "b": 3}]}')
    assert caught.value.key == "b"
    assert isinstance(caught.value, ValueError)  # callers that catch ValueError still refuse it


def test_plain_json_and_a_byte_order_mark_read_as_json_loads_reads_them() -> None:
    assert strict_json.loads(b'\xef\xbb\xbf{"a": 1, "b": [1, 2]}') == {"a": 1, "b": [1, 2]}
    assert strict_json.loads('{"a": {"a": 1}}') == {"a": {"a": 1}}


def test_the_marking_decoder_keeps_the_object_and_names_the_repeated_key() -> None:
    document = strict_json.MARKING_DECODER.decode('{"x": {"k": 1, "k": 2}}')
    assert type(document["x"]) is strict_json.DuplicateKeys and document["x"].duplicate == "k"
    assert type(document) is dict
