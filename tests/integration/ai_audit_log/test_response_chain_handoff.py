"""A response-phase replacement by one suite plugin keeps the duties of the later ones (core/reply.py).

ai-action-authz strips a denied tool call (``on_violation: strip``) or refuses the answer (403) in the
response phase. Sending that answer with ``kong.response.exit`` there made Kong skip every later response
handler (kong/init.lua ``Kong.response``): ai-token-limiter (1004) kept the whole reservation (a 14-token
answer charged 16,389 tokens), ai-output-redactor (1002) never redacted the stripped answer (PII delivered),
ai-fail-closed-response (999) never checked, and the audit record had no usage. The route here is probe8's:
resolver + authz + limiter + redactor + fail-closed-response + audit log, with a crafted answer (the mock
returns the prompt verbatim) carrying PII, a denied and an allowed tool call and the upstream's usage.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from integration.ai_audit_log.audit_support import LIMITER, AuditEnv, AuditRoute, chat, limiter_config

from kong_plugins.ai_token_limiter.report import read_counters

pytestmark = [pytest.mark.redis, pytest.mark.harness]

AUTHZ = "ai-action-authz"
REDACTOR = "ai-output-redactor"
RESPONSE_GUARD = "ai-fail-closed-response"
POLICY = (
    "permit(principal, action, resource);\n"
    'forbid(principal, action == Action::"tool.call", resource == Tool::"transfer");'
)
EMAIL = "jane.doe@example.com"
CARD = "4111 1111 1111 1111"
PROMPT_TOKENS, COMPLETION_TOKENS = 9, 5
CRAFTED = {"X-Mock-Verbatim": "1", "X-Mock-Body-Format": "text"}
CRAFTED_JSON = {**CRAFTED, "X-Mock-Response-Header": "Content-Type: application/json"}


def _call(name: str) -> dict[str, Any]:
    return {"id": f"call_{name}", "type": "function", "function": {"name": name, "arguments": '{"to":"x"}'}}


def crafted_answer(*tools: str) -> str:
    """A chat completion with PII in its content, the given tool calls and the upstream's usage."""
    message = {"role": "assistant", "content": f"Sure: {EMAIL}, card {CARD}"}
    if tools:
        message["tool_calls"] = [_call(name) for name in tools]
    return json.dumps(
        {
            "id": "chatcmpl-x",
            "object": "chat.completion",
            "model": "mock-gpt-4o",
            "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls"}],
            "usage": {
                "prompt_tokens": PROMPT_TOKENS,
                "completion_tokens": COMPLETION_TOKENS,
                "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS,
            },
        }
    )


def probe_route(
    audit: AuditEnv, on_violation: str, *, guard: bool = True, redactor: bool = True
) -> tuple[AuditRoute, str]:
    """probe8's route (with the limiter); returns it and the limiter's namespace."""
    limiter = limiter_config(
        audit.redis,
        limits=[
            {"metric": "requests", "limit": 100, "window": "60", "scope": "tenant"},
            {"metric": "tokens", "limit": 100000, "window": "hour", "scope": "tenant"},
        ],
    )
    before: list[tuple[str, dict[str, Any]]] = [
        (AUTHZ, {"policy": POLICY, "on_violation": on_violation, "fail_closed_mark": True}),
        (LIMITER, limiter),
    ]
    if redactor:
        before.append((REDACTOR, {"fail_closed_mark": True}))
    if guard:
        before.append((RESPONSE_GUARD, {"marks": [REDACTOR, AUTHZ]}))
    return audit.route(before=before), limiter["namespace"]


def tokens_used(audit: AuditEnv, namespace: str) -> float:
    with audit.redis.client() as client:
        reports = read_counters(client, namespace, None)
    return sum(r.used for r in reports if r.metric == "tokens" and r.share_of is None)


def send(route: AuditRoute, answer: str) -> Any:
    body = json.dumps(chat(answer, max_tokens=64)).encode()
    return route.send(body, headers=CRAFTED_JSON)


def assert_usage_settled(audit: AuditEnv, route: AuditRoute, namespace: str, response: Any) -> None:
    """The limiter's counters hold the answer's real usage; the audit record carries it."""
    record = route.record_of(response)
    usage = record.get("usage") or {}
    assert (usage.get("prompt_tokens"), usage.get("completion_tokens"), usage.get("usage_source")) == (
        PROMPT_TOKENS,
        COMPLETION_TOKENS,
        "reported",
    ), usage
    assert tokens_used(audit, namespace) == PROMPT_TOKENS + COMPLETION_TOKENS


@pytest.mark.parametrize("guard", [True, False], ids=["with-response-guard", "without"])
def test_a_stripped_answer_is_redacted_and_settled_at_its_real_usage(audit: AuditEnv, guard: bool) -> None:
    route, namespace = probe_route(audit, "strip", guard=guard)
    response = send(route, crafted_answer("transfer", "search"))
    assert response.status_code == 200, response.text
    assert response.headers.get("X-AI-Tool-Calls-Stripped") == "1"
    message = response.json()["choices"][0]["message"]
    assert [call["function"]["name"] for call in message["tool_calls"]] == ["search"]
    assert EMAIL not in response.text and CARD not in response.text  # redacted after the strip
    assert "[REDACTED" in message["content"] or EMAIL not in message["content"]
    assert_usage_settled(audit, route, namespace, response)


@pytest.mark.parametrize("guard", [True, False], ids=["with-response-guard", "without"])
def test_a_refused_answer_is_settled_at_its_real_usage(audit: AuditEnv, guard: bool) -> None:
    route, namespace = probe_route(audit, "block", guard=guard)
    response = send(route, crafted_answer("transfer", "search"))
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["message"] == "Forbidden" and body.get("decision_id")
    assert "transfer" not in response.text and EMAIL not in response.text
    assert_usage_settled(audit, route, namespace, response)


def test_three_refused_answers_do_not_eat_the_budget(audit: AuditEnv) -> None:
    """probe8: three 403s took ~49K of a 100K/hour budget (each kept its 16K reservation)."""
    route, namespace = probe_route(audit, "block")
    for _ in range(3):
        response = send(route, crafted_answer("transfer"))
        assert response.status_code == 403, response.text
        route.record_of(response)  # settled before the log phase wrote the record
    assert tokens_used(audit, namespace) == 3 * (PROMPT_TOKENS + COMPLETION_TOKENS)


def test_an_answer_without_a_denied_call_is_unchanged_by_the_handoff(audit: AuditEnv) -> None:
    route, namespace = probe_route(audit, "strip")
    response = send(route, crafted_answer("search"))
    assert response.status_code == 200, response.text
    assert "X-AI-Tool-Calls-Stripped" not in response.headers
    assert EMAIL not in response.text
    calls = response.json()["choices"][0]["message"]["tool_calls"]
    assert [call["function"]["name"] for call in calls] == ["search"]
    assert_usage_settled(audit, route, namespace, response)


def test_the_limiter_sends_a_stripped_answer_when_it_is_the_last_response_plugin(audit: AuditEnv) -> None:
    route, namespace = probe_route(audit, "strip", guard=False, redactor=False)
    response = send(route, crafted_answer("transfer", "search"))
    assert response.status_code == 200, response.text
    assert response.headers.get("X-AI-Tool-Calls-Stripped") == "1"
    calls = response.json()["choices"][0]["message"]["tool_calls"]
    assert [call["function"]["name"] for call in calls] == ["search"]
    assert_usage_settled(audit, route, namespace, response)
