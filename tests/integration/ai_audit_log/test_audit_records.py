"""One record per request, checked against what happened: allowed, refused (401/403/413/429), failed
(upstream 5xx) and streamed requests; content-free by default; every record valid against the JSON Schema
(docs/audit-record.schema.json, checked by ``AuditRoute.records``)."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from integration.ai_audit_log.audit_support import (
    GUARD,
    LIMITER,
    AuditEnv,
    chat,
    limiter_config,
    sha256,
    validate,
)
from integration.ai_token_limiter.limiter_support import poll_until

pytestmark = [pytest.mark.redis, pytest.mark.harness]

PROMPT = "my secret prompt about Alice"


def full_chain(audit: AuditEnv, **limiter_extra: object) -> list[tuple[str, dict]]:
    return [
        (GUARD, {"format": "openai-chat", "max_body_bytes": 2048}),
        (LIMITER, limiter_config(audit.redis, **limiter_extra)),
    ]


def test_allowed_request_record_matches_what_happened(audit: AuditEnv) -> None:
    route = audit.route(before=full_chain(audit))
    body = json.dumps(chat(PROMPT, max_tokens=40)).encode()
    response = route.send(body)
    assert response.status_code == 200
    record = route.record_of(response)
    answer = response.json()
    assert record["request_id"] == response.headers["X-Kong-Request-Id"]
    assert (record["tenant"], record["tenant_source"], record["tier"], record["region"]) == (
        "acme",
        "header",
        "free",
        "eu",
    )
    assert record["route"]["id"] == route.route.route["id"]
    assert record["service"]["id"] == route.route.service["id"]
    assert (record["method"], record["path"], record["status"]) == ("POST", route.route.path, 200)
    assert (record["response_source"], record["upstream_status"]) == ("upstream", 200)
    assert record["model_requested"] == record["model_answered"] == "mock-gpt-4o"
    assert record["input_hash"] == sha256(body)  # published by ai-input-guard
    assert record["output_hash"] == sha256(response.content)  # buffered: the limiter has a response phase
    assert record["request_body_bytes"] == len(body)
    assert record["response_body_bytes"] == len(response.content)
    if not audit.gateway.real_kong:
        # the answer's digest came from ai-token-limiter (it read the body in response): the log phase read
        # only the context entry and the serialized log, not the body again
        request_id = response.headers["X-Kong-Request-Id"]
        stats = poll_until(
            lambda: (lambda s: s if s["log_done"] else None)(audit.gateway.request_stats(request_id)),
            deadline_s=10,
            what="the log phase",
        )
        assert stats["pdk_calls"]["ai-audit-log"]["log"] == 2
        assert stats["ctx_shared"]["ai_guard"]["answer"]["digest"]["sha256"] == sha256(response.content)
    usage = record["usage"]
    assert usage["prompt_tokens"] == answer["usage"]["prompt_tokens"]
    assert usage["completion_tokens"] == answer["usage"]["completion_tokens"]
    assert usage["usage_source"] == "reported"
    assert record["limiter"]["outcome"] == "allowed"
    assert record["limiter"]["remaining"] == {"requests-60": 99}
    assert record["client_ip"] == "127.0.0.0/24"  # truncated by default
    assert record["stream"] is False
    assert record["findings"] == [] and record["authz"] is None and record["redaction"] is None
    # content-free: neither the prompt nor the answer's text is in the record
    text = json.dumps(record)
    assert "Alice" not in text and "secret" not in text
    assert answer["choices"][0]["message"]["content"][:20] not in text


def test_refused_401_without_a_tenant(audit: AuditEnv) -> None:
    route = audit.route(before=full_chain(audit))
    response = route.send(chat(PROMPT), tenant=None)
    assert response.status_code == 401
    record = route.record_of(response, tenant=None)
    assert (record["status"], record["response_source"], record["tenant"]) == (401, "kong", None)
    assert record["upstream_status"] is None and record["latency_ms"]["upstream"] is None
    assert record["usage"] is None and record["limiter"] is None and record["output_hash"] is None
    assert record["input_hash"] is None  # nobody read the body of a refused request


def test_refused_403_for_an_unknown_tenant(audit: AuditEnv) -> None:
    route = audit.route(before=full_chain(audit))
    response = route.send(chat(PROMPT), tenant="nobody")
    assert response.status_code == 403
    record = route.record_of(response, tenant=None)
    assert (record["status"], record["response_source"], record["tenant"]) == (403, "kong", None)


def test_refused_413_carries_the_guard_finding(audit: AuditEnv) -> None:
    route = audit.route(before=full_chain(audit))
    response = route.send(chat("x" * 4000))
    assert response.status_code == 413
    record = route.record_of(response)
    assert (record["status"], record["tenant"], record["response_source"]) == (413, "acme", "kong")
    assert [(f["plugin"], f["action"]) for f in record["findings"]] == [(GUARD, "block")]
    assert record["usage"] is None and record["upstream_status"] is None


def test_refused_429_names_the_limiter(audit: AuditEnv) -> None:
    limits = [{"metric": "requests", "limit": 1, "window": "60", "scope": "tenant"}]
    route = audit.route(before=full_chain(audit, limits=limits))
    assert route.send(chat(PROMPT)).status_code == 200
    response = route.send(chat(PROMPT))
    assert response.status_code == 429
    record = route.record_of(response)
    assert (record["status"], record["response_source"]) == (429, "kong")
    assert record["limiter"] == {"outcome": "refused", "remaining": {"requests-60": 0}}
    assert record["upstream_status"] is None
    assert record["input_hash"] == sha256(json.dumps(chat(PROMPT)).encode())  # the guard ran before


def test_failed_upstream_5xx(audit: AuditEnv) -> None:
    route = audit.route(before=full_chain(audit))
    response = route.send(chat(PROMPT), headers={"X-Mock-Status": "503"})
    assert response.status_code == 503
    record = route.record_of(response)
    assert (record["status"], record["upstream_status"], record["response_source"]) == (503, 503, "upstream")
    assert record["usage"]["usage_source"] == "upstream_error"
    assert record["usage"]["completion_tokens"] == 0
    assert record["output_hash"] == sha256(response.content)


def test_streamed_request_is_not_buffered_and_still_recorded(audit: AuditEnv) -> None:
    stream_limiter = limiter_config(audit.redis)
    route = audit.route(
        before=[(GUARD, {"format": "openai-chat"}), ("ai-token-limiter-stream", stream_limiter)]
    )
    body = json.dumps(chat(PROMPT, stream=True, max_tokens=40)).encode()
    response = route.send(body)
    assert response.status_code == 200 and b"data: [DONE]" in response.content
    record = route.record_of(response)
    assert record["stream"] is True and record["status"] == 200
    assert record["input_hash"] == sha256(body)
    # Kong streamed the answer (no plugin has a response phase): its body is not readable in `log`
    assert record["output_hash"] is None and record["model_answered"] is None
    assert record["response_bytes"] >= len(response.content)
    assert record["usage"]["reserved_completion_tokens"] == 40


def test_without_the_input_guard_the_plugin_hashes_the_body_itself(audit: AuditEnv) -> None:
    route = audit.route()
    body = json.dumps(chat(PROMPT)).encode()
    response = route.send(body)
    assert response.status_code == 200
    record = route.record_of(response)
    assert record["input_hash"] == sha256(body) and record["request_body_bytes"] == len(body)
    assert record["model_requested"] == "mock-gpt-4o"
    assert record["output_hash"] is None  # nothing buffered the answer
    assert record["usage"] is None and record["limiter"] is None


def test_hmac_hashes_cannot_be_recomputed_without_the_key(audit: AuditEnv) -> None:
    key = "k" * 32
    route = audit.route(before=full_chain(audit), hash="hmac-sha256", hmac_key=key, client_ip="omit")
    body = json.dumps(chat(PROMPT)).encode()
    response = route.send(body)
    record = route.record_of(response)
    expected = hmac.new(key.encode(), hashlib.sha256(body).digest(), hashlib.sha256).hexdigest()
    assert record["hash_algorithm"] == "hmac-sha256"
    assert record["input_hash"] == expected != sha256(body)
    assert (
        record["output_hash"]
        == hmac.new(key.encode(), hashlib.sha256(response.content).digest(), hashlib.sha256).hexdigest()
    )
    assert record["client_ip"] is None


def test_file_sink_writes_the_same_records_in_a_chain_of_its_own(audit: AuditEnv) -> None:
    path = audit.tmp / "audit" / "records.jsonl"
    route = audit.route(sinks=["redis", "file"], file_path=str(path))
    responses = [route.send(chat(PROMPT), tenant=tenant) for tenant in ("acme", "globex", "acme", None)]
    in_redis = route.wait_records(2)
    lines = poll_until(
        lambda: found if path.exists() and len(found := path.read_text().splitlines()) >= 4 else None,
        deadline_s=10,
        what="4 lines in the file sink",
    )
    in_file = [validate(json.loads(line)) for line in lines]
    # Kong's log phase runs after the answer was sent: the next request may be logged first.
    assert sorted(r["request_id"] for r in in_file) == sorted(
        r.headers["X-Kong-Request-Id"] for r in responses
    )
    acme = [r for r in in_file if r["tenant"] == "acme"]
    assert [r["id"] for r in acme] == [r["id"] for r in in_redis] and [r["seq"] for r in acme] == [1, 2]
    verified = route.cli("verify", "--all", "--file", str(path))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "tenant 'acme': OK, 2 records" in verified.stdout and "no tenant: OK, 1 records" in verified.stdout
    second_acme = [i for i, line in enumerate(lines) if json.loads(line)["tenant"] == "acme"][1]
    record = json.loads(lines[second_acme])  # not lines[2]: the log phase may write records in any order
    record["status"] = 500
    lines[second_acme] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n")
    tampered = route.cli("verify", "--tenant", "acme", "--file", str(path))
    assert tampered.returncode == 1
    assert f"BROKEN at seq 2 (entry {path}:{second_acme + 1}): record altered" in tampered.stdout


def test_admin_api_refuses_incomplete_sink_configs(audit: AuditEnv) -> None:
    route = audit.make_route()
    admin = audit.gateway.admin
    url = f"/routes/{route.route['id']}/plugins"
    file_without_path = admin.post(url, json={"name": "ai-audit-log", "config": {"sinks": ["file"]}})
    assert file_without_path.status_code == 400
    assert file_without_path.json()["fields"]["config"]["file_path"] == "required field missing"
    hmac_without_key = admin.post(url, json={"name": "ai-audit-log", "config": {"hash": "hmac-sha256"}})
    assert hmac_without_key.status_code == 400
    assert hmac_without_key.json()["fields"]["config"]["hmac_key"] == "required field missing"


AUTHZ_POLICY = """
@id("paid-tiers-only") permit(principal, action == Action::"route.call", resource)
  when { principal in Tier::"pro" };
@id("chat") permit(principal, action in [Action::"chat.create", Action::"model.use"], resource);
"""


def test_authz_denial_and_allow_are_in_the_record(audit: AuditEnv) -> None:
    route = audit.route(
        before=[(GUARD, {"format": "openai-chat"}), ("ai-action-authz", {"policy": AUTHZ_POLICY})]
    )
    denied = route.send(chat(PROMPT), tenant="acme")  # tier free
    assert denied.status_code == 403
    record = route.record_of(denied)
    authz = record["authz"]
    assert (authz["decision"], authz["decision_id"]) == ("deny", denied.json()["decision_id"])
    assert (authz["level"], authz["rule"], authz["action"]) == ("endpoint", "default-deny", "route.call")
    assert authz["policy_version"].startswith("inline-")
    assert (record["status"], record["response_source"], record["upstream_status"]) == (403, "kong", None)
    allowed = route.send(chat(PROMPT), tenant="globex")  # tier pro
    assert allowed.status_code == 200
    authz = route.record_of(allowed, tenant="globex")["authz"]
    assert authz["decision"] == "allow" and authz["rule"]
    assert {verdict["action"] for verdict in authz["actions"]} >= {"route.call", "chat.create"}


OUTPUT_POLICY = """
@id("call-route") permit(principal, action == Action::"route.call", resource);
@id("chat") permit(principal, action in [Action::"chat.create", Action::"model.use", Action::"tool.offer",
                                          Action::"feature.use"], resource);
@id("search") permit(principal, action == Action::"tool.call", resource == Tool::"search");
"""
TOOLS = [
    {"type": "function", "function": {"name": name, "parameters": {}}} for name in ("search", "transfer")
]


@pytest.mark.parametrize("on_violation", ["block", "strip"])
def test_authz_output_decision_is_the_one_in_the_record(audit: AuditEnv, on_violation: str) -> None:
    """A tool call refused in the response phase: the record says what the client saw (the 403's decision
    id and the rule that denied the call, or the stripped count), not the access phase's allow."""
    route = audit.route(before=[("ai-action-authz", {"policy": OUTPUT_POLICY, "on_violation": on_violation})])
    tool_call = {"X-Mock-Tool-Call": "transfer", "X-Mock-Tool-Args": "{}", "X-Mock-Extra-Tool-Call": "search"}
    response = route.send(chat(PROMPT, tools=TOOLS), headers=tool_call)
    authz = route.record_of(response)["authz"]
    assert (authz["tool_calls"], authz["tool_calls_denied"]) == (2, 1)
    assert authz["action"] == "tool.call" and authz["rule"] == "default-deny"
    if on_violation == "block":
        assert response.status_code == 403
        assert (authz["decision"], authz["decision_id"]) == ("deny", response.json()["decision_id"])
        assert authz["tool_calls_stripped"] is None
    else:
        assert response.status_code == 200 and response.headers["X-AI-Tool-Calls-Stripped"] == "1"
        assert (authz["decision"], authz["tool_calls_stripped"]) == ("strip", 1)
        assert authz["decision_id"]


def test_redactions_are_counted_and_the_output_hash_is_the_models_answer(audit: AuditEnv) -> None:
    route = audit.route(before=[("ai-output-redactor", {})])
    email = "jane.doe@example.com"
    body = json.dumps(chat(f"Here it is: {email} - keep it safe.")).encode()
    response = route.send(body, headers={"X-Mock-Verbatim": "1"})
    assert response.status_code == 200 and email not in response.text
    record = route.record_of(response)
    assert record["redaction"]["counts"] == {"email": 1} and record["redaction"]["action"] == "redact"
    assert record["redaction"]["kinds"] == ["email"]
    # the model's own answer is fingerprinted (what the client got differs: redacted), never stored
    assert record["output_hash"] is not None and record["output_hash"] != sha256(response.content)
    assert record["upstream_status"] == 200 and record["model_answered"] == "mock-gpt-4o"
    assert email not in json.dumps(record) and "jane" not in json.dumps(record)


def test_limits_suggest_reads_the_records_and_prints_a_diff(audit: AuditEnv) -> None:
    route = audit.route(before=full_chain(audit))
    tokens = {"acme": 0, "globex": 0}
    for tenant, count in (("acme", 3), ("globex", 2)):
        for _ in range(count):
            answer = route.send(chat(PROMPT), tenant=tenant).json()
            tokens[tenant] += answer["usage"]["total_tokens"]
    assert route.send(chat(PROMPT), tenant="nobody").status_code == 403  # not usage
    route.wait_records(3, "acme")
    route.wait_records(2, "globex")
    deck = audit.tmp / "kong.yaml"
    deck.write_text(
        "_format_version: '3.0'\nservices:\n- name: llm\n  url: http://127.0.0.1:1\n  routes:\n"
        "  - name: chat\n    paths: [/chat]\n    plugins:\n    - name: ai-token-limiter\n      config:\n"
        "        limits: [{metric: requests, limit: 60, window: minute}]\n"
        "        tiers: [{name: free, limits: [{metric: tokens, limit: 5, window: day}]}]\n"
    )
    result = route.kong_ai("limits", "suggest", "--since", "1d", "--headroom", "1", "--current", str(deck))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "# tier free: 1 tenant(s), 1 active day(s)" in out and "# tier pro: 1 tenant(s)" in out
    assert "-    limit: 5\n" in out and f"+    limit: {tokens['acme']}\n" in out
    assert "+- name: pro\n" in out and f"+    limit: {tokens['globex']}\n" in out
    assert "nothing was changed" in out


def test_buffer_answer_hashes_the_answer_on_a_route_without_a_response_plugin(audit: AuditEnv) -> None:
    plain = audit.route()
    buffered = audit.route(buffer_answer=True)
    for route, expect_hash in ((plain, False), (buffered, True)):
        response = route.send(chat(PROMPT))
        assert response.status_code == 200
        record = route.record_of(response)
        assert (record["output_hash"] == sha256(response.content)) is expect_hash
        assert (record["model_answered"] == "mock-gpt-4o") is expect_hash
    stats = buffered.gateway.request_stats(response.headers["X-Kong-Request-Id"])
    assert stats["pdk_calls"]["ai-audit-log"]["access"] == 4  # + enable_buffering


def test_audit_tail_and_export(audit: AuditEnv) -> None:
    route = audit.route()
    sent = []
    for tenant in ("acme", "globex", "acme", None, "acme"):
        response = route.send(chat(PROMPT), tenant=tenant)
        route.wait_logged(response)
        sent.append(response.headers["X-Kong-Request-Id"])
    route.wait_records(3)
    route.wait_records(1, None)
    tail = route.cli("tail", "--tenant", "acme", "-n", "2")
    assert tail.returncode == 0, tail.stderr
    assert [json.loads(line)["request_id"] for line in tail.stdout.splitlines()] == [sent[2], sent[4]]
    export = route.cli("export", "--since", "1h", "--format", "jsonl")
    assert export.returncode == 0, export.stderr
    exported = [validate(json.loads(line)) for line in export.stdout.splitlines()]
    assert [r["request_id"] for r in exported] == sent  # every tenant, oldest first
    only = route.cli("export", "--since", "1h", "--tenant", "globex")
    assert [json.loads(line)["request_id"] for line in only.stdout.splitlines()] == [sent[1]]
    future = route.cli("export", "--since", "2999-01-01")
    assert future.returncode == 0 and future.stdout == ""
