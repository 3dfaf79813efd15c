"""Property: whatever bytes or JSON a client sends, the guarded gateway answers, never with a 5xx, in time.

Hypothesis generates arbitrary JSON documents (deep, wide, NaN, huge numbers, odd keys), chat-shaped
documents with arbitrary texts and roles, and raw bytes under arbitrary content types; every request goes
through the real gateway to a route with most checks switched on. Examples are bounded so that the whole
module runs in a few seconds.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from integration.ai_input_guard.guard_support import GuardedRoute

PER_REQUEST_TIMEOUT_S = 10  # a hang fails the test through httpx's timeout
FUZZ_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CONFIG = {
    "max_body_bytes": 65536,
    "deny_patterns": ["(?i)forbidden", "^(a+)+$"],
    "allowed_roles": ["system", "user", "assistant", "tool"],
    "max_message_chars": 20000,
    "max_tokens_ceiling": 4096,
    "max_tokens_action": "clamp",
    "ood": {"mode": "block"},
}

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=200)
)
json_documents = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=8) | st.dictionaries(st.text(max_size=20), children, max_size=8)
    ),
    max_leaves=60,
)
chat_documents = st.fixed_dictionaries(
    {
        "model": st.sampled_from(["gpt-4o", "gpt-4o-mini", "claude-3-haiku", ""]) | st.text(max_size=40),
        "messages": st.lists(
            st.fixed_dictionaries(
                {
                    "role": st.sampled_from(["system", "user", "assistant", "tool", "developer"])
                    | st.text(max_size=10),
                    "content": st.text(max_size=500) | st.none() | json_documents,
                }
            ),
            max_size=6,
        ),
    },
    optional={"max_tokens": st.integers(min_value=-5, max_value=10**7), "stream": st.booleans() | scalars},
)
content_types = (
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "application/x+json",
            "text/plain",
            "",
            "x/y; ;",
        ]
    )
    | st.none()
)


def send(route: GuardedRoute, raw: bytes, content_type: str | None) -> None:
    response = route.post(raw, content_type=content_type, timeout=PER_REQUEST_TIMEOUT_S)
    assert response.status_code < 500, (response.status_code, response.text[:300], raw[:200])


@pytest.fixture
def fuzz_route(guarded: Any) -> GuardedRoute:
    return guarded(CONFIG)


@FUZZ_SETTINGS
@given(document=json_documents | chat_documents)
def test_random_json_never_breaks_the_gateway(fuzz_route: GuardedRoute, document: Any) -> None:
    send(fuzz_route, json.dumps(document).encode(), "application/json")


@FUZZ_SETTINGS
@given(raw=st.binary(max_size=2048), content_type=content_types)
def test_random_bytes_never_break_the_gateway(
    fuzz_route: GuardedRoute, raw: bytes, content_type: str | None
) -> None:
    send(fuzz_route, raw, content_type)
