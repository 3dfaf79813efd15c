"""Redis key building: readable in the common case, injective, bounded, slot-safe for untrusted values."""

from __future__ import annotations

import binascii
import urllib.parse

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from redis.crc import key_slot

from kong_plugins.core.keys import (
    HASHED_SEGMENT_PREFIX,
    MAX_SEGMENT_CHARS,
    MAX_SEGMENTS,
    KeyBuilder,
    encode_segment,
    redis_key,
)

ENCODED_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-%~")

# Any text, lone surrogates included (they survive JSON decoding), plus text made of the characters that
# matter to key syntax, so collisions and escapes are actually exercised.
any_text = st.text(alphabet=st.characters(exclude_categories=()), max_size=90)
syntax_text = st.text(alphabet=st.sampled_from(list(":{}%~-_. aZ09é%7E%3A")), max_size=90)
segment_values = st.one_of(any_text, syntax_text, st.integers())
namespaces = st.one_of(st.text(min_size=1, max_size=40), syntax_text.filter(bool))
hash_tags = st.one_of(st.none(), segment_values)
segment_tuples = st.lists(segment_values, max_size=MAX_SEGMENTS).map(tuple)


def _as_text(value: str | int) -> str:
    return value if isinstance(value, str) else str(value)


def _decode_part(encoded: str) -> str | None:
    """Invert :func:`encode_segment`; ``None`` for a hashed (one-way) segment."""
    if encoded == "~":
        return ""
    if encoded.startswith(HASHED_SEGMENT_PREFIX):
        return None
    return urllib.parse.unquote_to_bytes(encoded).decode("utf-8", "surrogatepass")


def _parse_key(key: str) -> tuple[str, str | None, list[str]]:
    """Split a key into its encoded namespace, hash tag and segments, the way a reader of the key would."""
    namespace, *rest = key.split(":")
    tag = None
    if rest and rest[0].startswith("{"):
        assert rest[0].endswith("}")
        tag, rest = rest[0][1:-1], rest[1:]
    return namespace, tag, rest


def _redis_slot_of_tag(encoded_tag: str) -> int:
    """The slot Redis Cluster gives a key whose hash tag holds ``encoded_tag``: CRC16 of the tag content."""
    return binascii.crc_hqx(encoded_tag.encode(), 0) % 16384


def test_common_keys_stay_readable() -> None:
    assert redis_key("ai-token-limiter", "gpt-4o", "minute", hash_tag="tenant-a") == (
        "ai-token-limiter:{tenant-a}:gpt-4o:minute"
    )
    assert redis_key("ai-audit-log", "consumer", 42) == "ai-audit-log:consumer:42"


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("a:b", "a%3Ab"),
        ("{evil}", "%7Bevil%7D"),
        ("50%", "50%25"),
        ("~h", "%7Eh"),
        ("", "~"),
        ("café", "caf%C3%A9"),
        ("user@example.com", "user%40example.com"),
    ],
)
def test_separators_braces_and_escapes_are_percent_encoded(value: str, encoded: str) -> None:
    assert encode_segment(value) == encoded


def test_values_that_would_split_or_merge_segments_give_different_keys() -> None:
    assert redis_key("ns", "a:b") != redis_key("ns", "a", "b")
    assert redis_key("ns", "a", "") != redis_key("ns", "a")
    assert redis_key("ns", "", hash_tag="t") != redis_key("ns", hash_tag="t")
    assert redis_key("ns", "{t}") != redis_key("ns", hash_tag="t")
    assert redis_key("ns", "~") != redis_key("ns", "")
    assert redis_key("ns", "%3A") != redis_key("ns", ":")


def test_an_empty_hash_tag_still_makes_a_hash_tag() -> None:
    # Redis ignores "{}" and hashes the whole key; the encoded empty tag is "{~}", so it still groups keys.
    key = redis_key("ns", "x", hash_tag="")
    assert key == "ns:{~}:x"
    assert key_slot(key.encode()) == key_slot(redis_key("other", "y", hash_tag="").encode())


def test_long_values_are_hashed_and_marked() -> None:
    long_value = "m" * (MAX_SEGMENT_CHARS + 1)
    encoded = encode_segment(long_value)
    assert encoded.startswith(HASHED_SEGMENT_PREFIX)
    assert len(encoded) <= MAX_SEGMENT_CHARS
    assert encoded != encode_segment(long_value + "m")
    assert encode_segment("m" * MAX_SEGMENT_CHARS) == "m" * MAX_SEGMENT_CHARS


def test_a_value_whose_escapes_exceed_the_bound_is_hashed() -> None:
    # 22 colons are 66 encoded characters: hashed although the raw value is short.
    assert encode_segment(":" * 22).startswith(HASHED_SEGMENT_PREFIX)
    assert encode_segment(":" * 21) == "%3A" * 21


def test_integers_are_rendered_in_decimal_and_other_types_are_refused() -> None:
    assert redis_key("ns", 7) == redis_key("ns", "7") == "ns:7"
    with pytest.raises(TypeError):
        redis_key("ns", True)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        redis_key("ns", 1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        redis_key("ns", hash_tag=b"bytes")  # type: ignore[arg-type]


def test_key_size_is_bounded() -> None:
    with pytest.raises(ValueError):
        redis_key("ns", *(["s"] * (MAX_SEGMENTS + 1)))
    with pytest.raises(ValueError):
        redis_key("")
    huge = "x" * 1_000_000
    key = redis_key(huge, *([huge] * MAX_SEGMENTS), hash_tag=huge)
    assert len(key) <= (MAX_SEGMENTS + 2) * (MAX_SEGMENT_CHARS + 1) + 2


@given(value=segment_values)
@example(value="\ud800")  # a lone surrogate: must not raise, must stay distinct
def test_encoded_segments_use_a_small_alphabet_and_are_bounded(value: str | int) -> None:
    encoded = encode_segment(value)
    assert encoded
    assert set(encoded) <= ENCODED_ALPHABET
    assert len(encoded) <= MAX_SEGMENT_CHARS


@given(namespace=namespaces, segments=segment_tuples, hash_tag=hash_tags)
def test_keys_decode_back_to_their_parts(
    namespace: str, segments: tuple[str | int, ...], hash_tag: str | int | None
) -> None:
    """Injectivity, constructively: every key splits back into exactly the parts it was built from (hashed
    parts compare by digest, the only non-invertible step)."""
    key = redis_key(namespace, *segments, hash_tag=hash_tag)
    parsed_namespace, parsed_tag, parsed_segments = _parse_key(key)

    assert parsed_namespace == encode_segment(namespace)
    assert _decode_part(parsed_namespace) in (namespace, None)
    if hash_tag is None:
        assert parsed_tag is None
    else:
        assert parsed_tag == encode_segment(hash_tag)
        assert _decode_part(parsed_tag) in (_as_text(hash_tag), None)
    assert len(parsed_segments) == len(segments)
    for encoded, original in zip(parsed_segments, segments, strict=True):
        assert encoded == encode_segment(original)
        assert _decode_part(encoded) in (_as_text(original), None)


@given(
    first=st.tuples(namespaces, segment_tuples, hash_tags),
    second=st.tuples(namespaces, segment_tuples, hash_tags),
)
@example(first=("ns", ("a:b",), None), second=("ns", ("a", "b"), None))
@example(first=("ns", ("x",), "t}:{u"), second=("ns", ("u}", "x"), "t"))
@example(first=("n:s", (), None), second=("n", ("s",), None))
def test_different_parts_never_give_the_same_key(
    first: tuple[str, tuple[str | int, ...], str | int | None],
    second: tuple[str, tuple[str | int, ...], str | int | None],
) -> None:
    def normalised(parts: tuple[str, tuple[str | int, ...], str | int | None]) -> tuple[object, ...]:
        namespace, segments, tag = parts
        return (namespace, tuple(map(_as_text, segments)), None if tag is None else _as_text(tag))

    key_one = redis_key(first[0], *first[1], hash_tag=first[2])
    key_two = redis_key(second[0], *second[1], hash_tag=second[2])
    assert (key_one == key_two) == (normalised(first) == normalised(second))


@given(namespace=namespaces, segments=segment_tuples, hash_tag=segment_values)
def test_the_cluster_slot_depends_on_the_hash_tag_alone(
    namespace: str, segments: tuple[str | int, ...], hash_tag: str | int
) -> None:
    key = redis_key(namespace, *segments, hash_tag=hash_tag)
    expected_slot = _redis_slot_of_tag(encode_segment(hash_tag))
    assert key_slot(key.encode()) == expected_slot
    assert key_slot(redis_key("another-namespace", "other", hash_tag=hash_tag).encode()) == expected_slot


@given(namespace=namespaces, segments=segment_tuples)
def test_untrusted_values_cannot_create_a_hash_tag(namespace: str, segments: tuple[str | int, ...]) -> None:
    key = redis_key(namespace, *segments)
    assert "{" not in key
    assert "}" not in key
    assert key_slot(key.encode()) == binascii.crc_hqx(key.encode(), 0) % 16384


@given(namespace=namespaces, segments=segment_tuples, hash_tag=hash_tags)
def test_key_builder_builds_the_same_keys(
    namespace: str, segments: tuple[str | int, ...], hash_tag: str | int | None
) -> None:
    builder = KeyBuilder(namespace)
    if hash_tag is not None:
        builder = builder.for_tag(hash_tag)
    assert builder.key(*segments) == redis_key(namespace, *segments, hash_tag=hash_tag)
    assert KeyBuilder(namespace, hash_tag=hash_tag).key(*segments) == builder.key(*segments)


def test_key_builder_refuses_a_second_hash_tag() -> None:
    with pytest.raises(ValueError):
        KeyBuilder("ns", hash_tag="a").for_tag("b")
