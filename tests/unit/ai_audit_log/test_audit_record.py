"""The record built from a log snapshot and context maps: fields, bounds, hashing modes, client IPs."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import jsonschema
import pytest

from kong_plugins.ai_audit_log.record import (
    AccessFacts,
    Answer,
    Fingerprint,
    build_record,
    client_address,
)

SCHEMA = json.loads((Path(__file__).resolve().parents[3] / "docs" / "audit-record.schema.json").read_text())
SERIALIZED = {
    "request": {"id": "abc", "uri": "/v1/chat?api_key=secret", "method": "POST", "size": 300},
    "response": {"status": 200, "size": 900, "headers": {"x-ratelimit-remaining-tokens-minute": "420.5"}},
    "latencies": {"kong": 3, "proxy": 40, "request": 45},
    "upstream_status": "502, 200",
    "client_ip": "2001:db8:1:2::7",
    "started_at": 1_700_000_000_000,
    "source": "upstream",
    "route": {"id": "r1", "name": "chat", "paths": ["/v1/chat"]},
    "consumer": {"id": "c1", "username": "bob", "created_at": 1},
}


def build(shared: dict | None = None, **kwargs: object) -> dict:
    options = {"fingerprint": Fingerprint(), "client_ip_mode": "truncated", **kwargs}
    record = build_record(SERIALIZED, shared or {}, AccessFacts(), Answer(b'{"model":"m-2"}'), **options)
    jsonschema.Draft202012Validator(SCHEMA).validate(record)
    return record


def test_snapshot_fields() -> None:
    record = build()
    assert record["path"] == "/v1/chat"  # never the query string
    assert record["upstream_status"] == 200 and record["latency_ms"] == {
        "kong": 3,
        "upstream": 40,
        "total": 45,
    }
    assert record["client_ip"] == "2001:db8:1::/48"
    assert record["consumer"] == {"id": "c1", "username": "bob"} and record["route"] == {
        "id": "r1",
        "name": "chat",
    }
    assert (
        record["model_answered"] == "m-2"
        and record["output_hash"] == hashlib.sha256(b'{"model":"m-2"}').hexdigest()
    )
    assert record["time"] == "2023-11-14T22:13:20.000Z"


def test_context_facts_are_read_defensively_and_bounded() -> None:
    shared = {
        "tenant": {"id": "acme", "source": "jwt", "tier": "pro"},
        "request": {"model": "m-1", "body_sha256": "AB" * 32, "body_bytes": 10, "stream": "yes"},
        "usage": {"prompt_tokens": 7, "completion_tokens": 16, "usage_source": "reported"},
        "authz": {"decision": "allow", "policy_version": "v3", "actions": [{"action": "a"}, 2] * 50},
        "findings": [{"plugin": "g", "check": "injection", "score": 0.9, "tier": "regex"}, "junk"] * 100,
        "redaction": {"redactions": 2, "kinds": ["email"], "schema_valid": "no"},
    }
    record = build(shared)
    assert record["tenant"] == "acme" and record["model_requested"] == "m-1" and record["stream"] is None
    assert record["input_hash"] == "ab" * 32
    assert record["limiter"] == {"outcome": "allowed", "remaining": {"tokens-minute": 420.5}}
    assert len(record["authz"]["actions"]) == 32 and record["authz"]["policy_version"] == "v3"
    assert record["authz"]["actions"][0] == {
        "action": "a",
        "resource": None,
        "decision": None,
        "rule": None,
        "level": None,
    }
    assert len(record["findings"]) == 64 and record["findings"][0]["tier"] == "regex"
    assert record["redaction"] == {
        "redactions": 2,
        "kinds": ["email"],
        "counts": None,
        "request_redactions": None,
        "request_counts": None,
        "action": None,
        "reason": None,
        "schema_valid": None,
    }


def test_hmac_is_keyed_over_the_sha256() -> None:
    key = b"k" * 16
    record = build({"request": {"body_sha256": "00" * 32}}, fingerprint=Fingerprint("hmac-sha256", key))
    assert record["input_hash"] == hmac.new(key, bytes(32), hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("value", "mode", "expected"),
    [
        ("203.0.113.7", "full", "203.0.113.7"),
        ("203.0.113.7", "truncated", "203.0.113.0/24"),
        ("::ffff:203.0.113.7", "truncated", "203.0.113.0/24"),
        ("203.0.113.7", "omit", None),
        ("unix:", "full", None),
        ("x" * 1000, "full", None),
    ],
)
def test_client_address(value: str, mode: str, expected: str | None) -> None:
    assert client_address(value, mode) == expected


def test_access_facts_round_trip_and_model() -> None:
    facts = AccessFacts.of_body(b'{"messages":[{"content":"\\"model\\": \\"x\\""}],"model":"gpt"}')
    assert facts.model == "gpt"
    assert AccessFacts.from_shared(facts.to_shared()) == facts
