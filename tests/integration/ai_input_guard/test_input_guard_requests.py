"""Checks 1-7 through the gateway with real requests: statuses, both error formats, bad input of every kind,
and the PDK round trips each outcome costs (emulator counters, marked ``harness``)."""

from __future__ import annotations

import json

import pytest
from fixtures.gateway import GatewayUnderTest
from integration.ai_input_guard.guard_support import KEY_AUTH, TENANT_RESOLVER, chat

ANONYMOUS_400 = "Bad request"


def anonymous(response, status: int, message: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["message"] == message
    assert "errors" not in body


def detailed(response, status: int) -> list[dict[str, str]]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["message"] == "Invalid request"
    return body["errors"]


def test_the_plugin_is_enabled_and_bad_configs_are_refused(gateway: GatewayUnderTest, make_route) -> None:
    assert "ai-input-guard" in gateway.admin.get("/plugins/enabled").json()["enabled_plugins"]
    route = make_route()
    refused = gateway.admin.post(
        f"/routes/{route.route['id']}/plugins",
        json={"name": "ai-input-guard", "config": {"format": "yaml", "max_depth": 0}},
    )
    assert refused.status_code == 400
    assert set(refused.json()["fields"]["config"]) == {"format", "max_depth"}


def test_a_valid_request_reaches_the_upstream_unchanged(guarded) -> None:
    route = guarded()
    body = json.dumps(chat(max_tokens=50)).encode()
    response = route.post(body)
    assert response.status_code == 200
    assert response.json()["body"] == body.decode()
    assert route.upstream_hits() == 1


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("application/json; charset=utf-8", 200),
        ("application/vnd.acme+json", 200),
        ("text/plain", 415),
        ("application/x-www-form-urlencoded", 415),
        ("application/json; charset=iso-8859-1", 415),
        (None, 415),
    ],
)
def test_content_types(guarded, content_type: str | None, status: int) -> None:
    response = guarded().post(json.dumps(chat()).encode(), content_type=content_type)
    assert response.status_code == status, response.text


def test_wrong_content_type_answers_both_formats(guarded, consumer_key: str) -> None:
    anonymous(guarded().post(b"hello", content_type="text/plain"), 415, "Unsupported Media Type")
    route = guarded(before=[KEY_AUTH])
    errors = detailed(route.post(b"hello", content_type="text/plain", headers={"apikey": consumer_key}), 415)
    assert errors == [{"path": "", "error": "Content-Type is not accepted; expected application/json"}]


def test_a_refused_content_type_is_not_quoted(guarded, consumer_key: str) -> None:
    chosen = "application/x-" + "client-chosen" * 70  # a media type of the client's choice, ~1 KB
    route = guarded(before=[KEY_AUTH])
    response = route.post(b"hello", content_type=chosen, headers={"apikey": consumer_key})
    assert detailed(response, 415) == [
        {"path": "", "error": "Content-Type is not accepted; expected application/json"}
    ]
    assert "client-chosen" not in response.text


def test_a_10_mb_body_is_refused_from_its_length_without_reaching_anything(guarded) -> None:
    route = guarded()
    response = route.post(b"{" + b" " * (10 * 1024 * 1024) + b"}")
    anonymous(response, 413, "Request size limit exceeded")
    assert route.upstream_hits() == 0


def test_a_chunked_body_is_measured_after_reading(guarded) -> None:
    route = guarded({"max_body_bytes": 2000})
    payload = json.dumps(chat("x" * 3000)).encode()
    response = route.gateway.proxy.post(
        route.route.url(),
        content=iter([payload[:1000], payload[1000:]]),
        headers={"Content-Type": "application/json"},
    )
    anonymous(response, 413, "Request size limit exceeded")
    small = json.dumps(chat()).encode()
    ok = route.gateway.proxy.post(
        route.route.url(), content=iter([small]), headers={"Content-Type": "application/json"}
    )
    assert ok.status_code == 200


def test_a_body_buffered_to_a_temp_file_is_read_with_max_allowed_file_size(guarded) -> None:
    # kong.conf keeps bodies up to 1 MiB in memory; this one goes to nginx's temp file (recordings 37/38).
    # The classifier off: it reads 200,000 enumerated "wordN" tokens as an injection (the n-gram "word",
    # strong in "repeat it word for word", repeated in every window: a known false positive, README)
    limits = {"max_body_bytes": 4 * 1024 * 1024, "max_string_length": 4 * 1024 * 1024}
    route = guarded({**limits, "ood": {"mode": "off"}, "injection": {"classifier": {"mode": "off"}}})
    text = " ".join(f"word{i}" for i in range(200_000))
    response = route.post(chat(text, model="local-llm"))  # no known context window: ~1 M tokens pass
    assert response.status_code == 200, response.text
    assert len(response.json()["body"]) > 1024 * 1024
    if not route.gateway.real_kong:
        assert any("buffered to a temporary file" in line for line in route.gateway.kong_log()[-50:])


@pytest.mark.parametrize(
    ("raw", "category_hint", "path"),
    [
        (b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}', "invalid JSON", ""),
        (
            b'{"model": "gpt-4o", "messages": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
            "nesting deeper than 32",
            "",
        ),
        (b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "caf\xe9"}]}', "not valid UTF-8", ""),
        (
            b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}], "temperature": 1e999}',
            "number out of range",
            "/temperature",
        ),
        (b'{"model": "gpt-4o", "messages": [], "seed": ' + b"9" * 5000 + b"}", "number too large", ""),
        (b'{"model": "gpt-4o", "model": "gpt-4o-mini", "messages": []}', "duplicate key", "/model"),
        (
            b'{"model": "gpt-4o", "messages": [{"role": "user", "content": NaN}]}',
            "NaN is not valid JSON",
            "/messages/0/content",
        ),
    ],
)
def test_bad_json_of_every_kind_is_a_400_with_where(
    guarded, consumer_key: str, raw: bytes, category_hint: str, path: str
) -> None:
    anonymous(guarded().post(raw), 400, ANONYMOUS_400)
    errors = detailed(guarded(before=[KEY_AUTH]).post(raw, headers={"apikey": consumer_key}), 400)
    assert errors[0]["path"] == path
    assert category_hint in errors[0]["error"]


def test_a_missing_body_is_a_400_unless_the_route_allows_it(guarded) -> None:
    anonymous(guarded().post(b""), 400, ANONYMOUS_400)
    assert guarded({"body_required": False}).post(b"").status_code == 200


@pytest.mark.parametrize(
    ("config", "document", "expected"),
    [
        ({}, {"model": "gpt-4o"}, {"path": "", "error": 'missing required property "messages"'}),
        ({}, chat(model="gpt 4o!"), {"path": "/model", "error": "does not match the expected pattern"}),
        (
            {"format": "openai-embeddings"},
            {"model": "text-embedding-3-small", "input": []},
            {"path": "/input", "error": "must have at least 1 items"},
        ),
        (
            {"format": "openai-completions"},
            {"model": "gpt-3.5-turbo-instruct", "prompt": {"a": 1}},
            {"path": "/prompt", "error": "expected string or array"},
        ),
        (
            {"format": "anthropic-messages"},
            chat(model="claude-3-5-sonnet-20241022"),
            {"path": "", "error": 'missing required property "max_tokens"'},
        ),
        (
            {"format": "custom", "custom_schema": json.dumps({"type": "object", "required": ["query"]})},
            {"q": 1},
            {"path": "", "error": 'missing required property "query"'},
        ),
    ],
)
def test_format_violations_say_where_and_why(guarded, consumer_key: str, config, document, expected) -> None:
    route = guarded(config, before=[KEY_AUTH])
    assert expected in detailed(route.post(document, headers={"apikey": consumer_key}), 400)
    assert route.upstream_hits() == 0


def test_each_builtin_format_accepts_its_own_requests(guarded) -> None:
    assert (
        guarded({"format": "anthropic-messages"})
        .post(chat(model="claude-3-5-haiku-latest", max_tokens=100))
        .status_code
        == 200
    )
    assert (
        guarded({"format": "openai-embeddings"})
        .post({"model": "text-embedding-3-small", "input": ["a", "b"]})
        .status_code
        == 200
    )
    assert (
        guarded({"format": "openai-completions"})
        .post({"model": "gpt-3.5-turbo-instruct", "prompt": "Say hi"})
        .status_code
        == 200
    )


def test_route_and_tenant_model_lists(guarded) -> None:
    route = guarded({"allowed_models": ["gpt-4o*"]})
    assert route.post(chat(model="gpt-4o-mini")).status_code == 200
    anonymous(route.post(chat(model="claude-3-opus")), 403, "Forbidden")

    tenant_route = guarded(before=[TENANT_RESOLVER])
    assert tenant_route.post(chat(model="gpt-4o-mini"), headers={"X-Tenant-ID": "acme"}).status_code == 200
    refused = tenant_route.post(chat(model="gpt-4o"), headers={"X-Tenant-ID": "acme"})
    assert detailed(refused, 403) == [{"path": "/model", "error": "model not allowed for this tenant"}]
    assert (
        tenant_route.post(chat(model="gpt-4o"), headers={"X-Tenant-ID": "globex"}).status_code == 200
    )  # no list


def test_context_windows_and_the_max_tokens_ceiling(guarded) -> None:
    route = guarded({"context_windows": {"tiny-": 100}, "ood": {"mode": "off"}})
    assert route.post(chat("hello", model="tiny-1", max_tokens=50)).status_code == 200
    anonymous(route.post(chat("hello " * 60, model="tiny-1", max_tokens=50)), 400, ANONYMOUS_400)
    anonymous(route.post(chat("hi", model="gpt-4", max_tokens=9000)), 400, ANONYMOUS_400)

    anonymous(guarded({"max_tokens_ceiling": 100}).post(chat(max_tokens=101)), 400, ANONYMOUS_400)
    clamped = guarded({"max_tokens_ceiling": 100, "max_tokens_action": "clamp"}).post(chat(max_tokens=5000))
    assert clamped.status_code == 200
    assert json.loads(clamped.json()["body"])["max_tokens"] == 100


@pytest.mark.parametrize("action", ["reject", "clamp"])
def test_leaving_max_tokens_out_does_not_bypass_the_ceiling(guarded, action: str) -> None:
    """Without max_tokens the model may generate anything: the upstream receives the ceiling instead."""
    route = guarded({"max_tokens_ceiling": 100, "max_tokens_action": action})
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello"}]}
    response = route.post(body)
    assert response.status_code == 200
    assert json.loads(response.json()["body"]) == {**body, "max_tokens": 100}
    kept = route.post({**body, "max_completion_tokens": 60})
    assert json.loads(kept.json()["body"]) == {**body, "max_completion_tokens": 60}
    responses_api = {"format": "custom", "custom_schema": '{"type": "object"}'}
    custom = guarded({"max_tokens_ceiling": 100, "max_tokens_action": action, **responses_api})
    anonymous(custom.post({"model": "gpt-4o", "input": "hello"}), 400, ANONYMOUS_400)
    with_budget = custom.post({"model": "gpt-4o", "input": "hello", "max_output_tokens": 100})
    assert with_budget.status_code == 200


def test_content_rules(guarded, consumer_key: str) -> None:
    route = guarded(
        {
            "deny_patterns": [r"(?i)\bcredit\s*card\b"],
            "allowed_roles": ["user", "assistant"],
            "max_message_chars": 200,
        },
        before=[KEY_AUTH],
    )
    key = {"apikey": consumer_key}
    assert route.post(chat("What's a debit card?"), headers=key).status_code == 200
    assert detailed(route.post(chat("my Credit Card number"), headers=key), 400) == [
        {"path": "/messages/0/content", "error": "content is not allowed on this route"}
    ]
    system = {
        "model": "gpt-4o",
        "messages": [{"role": "system", "content": "x"}, {"role": "user", "content": "y"}],
    }
    assert detailed(route.post(system, headers=key), 400)[0]["path"] == "/messages/0"
    assert detailed(route.post(chat("z" * 201), headers=key), 400)[0]["error"] == "more than 200 characters"
    allow = guarded({"allow_patterns": ["(?i)weather"]})
    assert allow.post(chat("Weather in Oslo?")).status_code == 200
    anonymous(allow.post(chat("Tell me a joke")), 400, ANONYMOUS_400)


def test_evil_regex_input_is_answered_in_linear_time(guarded) -> None:
    # A backtracking engine would never finish these (pytest-timeout ends the test); RE2 answers them.
    route = guarded({"deny_patterns": ["^(a+)+$", "(x+x+)+y"], "ood": {"mode": "off"}})
    response = route.post(chat("a" * 400_000 + "!"))
    assert response.status_code == 200
    assert route.post(chat("x" * 400_000)).status_code == 200
    anonymous(route.post(chat("a" * 400_000)), 400, ANONYMOUS_400)


@pytest.mark.harness
def test_pdk_round_trips_per_outcome(gateway: GatewayUnderTest, guarded) -> None:
    gateway.require_harness()
    # the ai_guard entry (kong.ctx.shared, resolved or not), headers, body, the entry back with the facts
    assert guarded().post(chat()).headers["X-Emulator-Pdk-Calls"] == "ai-input-guard.access=4"
    tenant = guarded(before=[TENANT_RESOLVER]).post(
        chat(model="gpt-4o-mini"), headers={"X-Tenant-ID": "acme"}
    )
    assert tenant.status_code == 200
    # after the resolver: its headers handed on in the entry, not read again
    assert "ai-input-guard.access=3" in tenant.headers["X-Emulator-Pdk-Calls"]
    no_tenant_models = guarded({"tenant_models": False}, before=[TENANT_RESOLVER])
    assert (
        "ai-input-guard.access=3"
        in no_tenant_models.post(chat(), headers={"X-Tenant-ID": "acme"}).headers["X-Emulator-Pdk-Calls"]
    )
    assert (
        guarded({"body_required": False}).post(b"").headers["X-Emulator-Pdk-Calls"]
        == "ai-input-guard.access=3"
    )
    refused = guarded().post(b"hello", content_type="text/plain")
    assert (
        refused.headers["X-Emulator-Pdk-Calls"] == "ai-input-guard.access=5"
    )  # the entry, headers, consumer, the entry back with the finding, error
    stats = gateway.request_stats(refused.headers["X-Kong-Request-Id"])
    assert stats["pdk_calls"] == {"ai-input-guard": {"access": 5}}
