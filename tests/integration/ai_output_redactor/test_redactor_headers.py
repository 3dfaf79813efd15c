"""The answer's headers: security headers, leaking upstream headers removed, response isolation, the
tenant check, the model and processing-time headers, the context facts and the PDK round-trip budget."""

from __future__ import annotations

from integration.ai_output_redactor.redactor_support import (
    RESOLVER,
    chat_content,
    facts,
    mock_headers,
    pdk_calls,
)


def test_security_headers_and_leaking_headers(redacted) -> None:  # type: ignore[no-untyped-def]
    route = redacted()
    response = route.chat(
        "hello",
        **{"X-Mock-Response-Header": "X-Powered-By: Express"},
    )
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Vary"] == "Authorization, X-API-Key, X-Tenant-ID"
    assert "X-Powered-By" not in response.headers
    assert response.headers["X-AI-Model"] == "gpt-4o"


def test_an_empty_upstream_header_value_passes_through(redacted) -> None:  # type: ignore[no-untyped-def]
    """Kong's buffered response phase hands the upstream's headers to kong.response.set_headers, which makes
    an empty value " ": the client gets the header, empty, and the (redacted) answer."""
    route = redacted()
    response = route.chat("Mail jane.doe@example.com", **{"X-Mock-Response-Header": "X-Foo:"})
    assert response.status_code == 200
    assert response.headers["X-Foo"] == ""
    assert "jane.doe@example.com" not in chat_content(response)


def test_headers_are_configurable_and_isolation_can_be_turned_off(redacted) -> None:  # type: ignore[no-untyped-def]
    route = redacted(
        {
            "security_headers": {"X-Frame-Options": "SAMEORIGIN"},
            "remove_headers": ["X-Backend"],
            "response_isolation": False,
            "model_header": "X-Model",
        }
    )
    response = route.chat(
        "hello", **{"X-Mock-Response-Header": "X-Backend: node-7", "X-Mock-Completion-Tokens": "3"}
    )
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "X-Content-Type-Options" not in response.headers
    assert "Cache-Control" not in response.headers
    assert "X-Backend" not in response.headers
    assert response.headers["X-Model"] == "gpt-4o"


def test_vary_keeps_the_upstreams_values(redacted) -> None:  # type: ignore[no-untyped-def]
    response = redacted().chat("hello", **{"X-Mock-Response-Header": "Vary: Accept-Encoding"})
    assert response.headers["Vary"] == "Accept-Encoding, Authorization, X-API-Key, X-Tenant-ID"


def test_processing_time_header(redacted) -> None:  # type: ignore[no-untyped-def]
    response = redacted().chat("hello", **{"X-Mock-Response-Header": "openai-processing-ms: 321"})
    assert response.headers["X-AI-Processing-Ms"] == "321"


def test_tenant_header_naming_another_tenant_is_refused(redacted, gateway) -> None:  # type: ignore[no-untyped-def]
    route = redacted(before=[RESOLVER])
    same = route.chat("hello", X_Tenant_ID="acme", **{"X-Mock-Response-Header": "X-Tenant-ID: acme"})
    assert same.status_code == 200
    other = route.chat("hello", X_Tenant_ID="acme", **{"X-Mock-Response-Header": "X-Tenant-ID: globex"})
    assert other.status_code == 502
    assert other.json()["message"] == "Response blocked by output policy"
    assert facts(gateway, other)["reason"] == "tenant_mismatch"


def test_the_502_carries_none_of_the_upstreams_headers(redacted) -> None:  # type: ignore[no-untyped-def]
    """The refusal replaces the upstream's answer: its headers (another tenant's id, its cookies) go too."""
    route = redacted(before=[RESOLVER])
    other = route.gateway.proxy.post(
        route.route.url(),
        json={"model": "m", "messages": [{"role": "user", "content": "hi"}]},
        headers=[
            ("X-Tenant-ID", "acme"),
            ("X-Mock-Verbatim", "1"),
            ("X-Mock-Response-Header", "X-Tenant-ID: globex"),
            ("X-Mock-Response-Header", "Set-Cookie: session=globex-secret"),
        ],
    )
    assert other.status_code == 502 and other.json()["message"] == "Response blocked by output policy"
    assert "globex" not in other.headers.get_list("X-Tenant-ID")
    assert "Set-Cookie" not in other.headers
    assert other.headers["X-Content-Type-Options"] == "nosniff"  # the plugin's own headers stay
    assert other.headers["X-Kong-Request-Id"]


def test_tenant_header_without_a_resolved_tenant_is_refused(redacted) -> None:  # type: ignore[no-untyped-def]
    response = redacted().chat("hello", **{"X-Mock-Response-Header": "X-Tenant-ID: acme"})
    assert response.status_code == 502


def test_counts_go_to_the_context_never_values(redacted, gateway) -> None:  # type: ignore[no-untyped-def]
    response = redacted().chat("a@example.com, b@example.org and 4111 1111 1111 1111")
    published = facts(gateway, response)
    assert published == {
        "v": 2,
        "redactions": 3,
        "kinds": ["credit_card", "email"],
        "counts": {"credit_card": 1, "email": 2},
        "action": "redact",
    }
    assert "example" not in str(published)


def test_pdk_round_trips(redacted, gateway) -> None:  # type: ignore[no-untyped-def]
    """5 for a clean answer (headers, the ai_guard entry: an answer an earlier plugin replaced and handed on
    (core/reply.py), status, body, set_headers), 6 with a redaction (the entry written back with the facts;
    the exit replaces set_headers). Behind ai-token-limiter the status is handed on: one fewer."""
    route = redacted()
    clean = route.chat("nothing to hide")
    assert chat_content(clean) == "nothing to hide"
    assert pdk_calls(gateway, clean) <= 5
    dirty = route.chat("mail a@example.com")
    assert pdk_calls(gateway, dirty) == 6
    streamed = route.chat("mail a@example.com", stream=True, **mock_headers(piece_chars="2"))
    assert pdk_calls(gateway, streamed) == 6


def test_tenant_header_past_100_upstream_header_lines_is_still_checked(redacted) -> None:  # type: ignore[no-untyped-def]
    route = redacted()  # no tenant resolved: any X-Tenant-ID from the upstream is refused
    filler = [f"X-Filler-{i}: {i}" for i in range(120)]
    response = route.gateway.proxy.post(
        route.route.url(),
        json={"model": "m", "messages": [{"role": "user", "content": "hi"}]},
        headers=[
            ("X-Mock-Verbatim", "1"),
            *[("X-Mock-Response-Header", line) for line in filler],
            ("X-Mock-Response-Header", "X-Tenant-ID: globex"),
        ],
    )
    assert response.status_code == 502


def test_a_buffered_stream_logs_a_warning_once_per_instance(redacted, gateway) -> None:  # type: ignore[no-untyped-def]
    def warnings() -> int:
        return "\n".join(gateway.kong_log()).count(
            "text/event-stream answer was buffered whole before redaction"
        )

    before = warnings()
    route = redacted()
    for _ in range(2):
        assert route.chat("hello", stream=True, **mock_headers(piece_chars="2")).status_code == 200
    assert warnings() == before + 1
