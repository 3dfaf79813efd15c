"""What the redactor logs never quotes a value of the answer: an ``output_schema`` violation names the place
and the keyword, and a place under a key the model chose (``additionalProperties``) is not spelled out."""

from __future__ import annotations

import json

from integration.ai_output_redactor.redactor_support import facts

SCHEMA = json.dumps(
    {
        "type": "object",
        "properties": {
            "users": {
                "type": "object",
                "additionalProperties": {"type": "object", "properties": {"age": {"type": "integer"}}},
            },
            "items": {"type": "array", "items": {"type": "string"}},
        },
    }
)


def test_a_schema_violation_under_a_key_the_model_chose_is_logged_without_the_key(redacted, gateway) -> None:
    route = redacted({"output_schema": SCHEMA})
    refused = route.chat(json.dumps({"users": {"jane.doe@example.com": {"age": "x"}}}))
    assert refused.status_code == 502
    assert facts(gateway, refused)["reason"] == "output_schema"
    log = "\n".join(gateway.kong_log())
    assert "jane.doe" not in log
    assert "answer blocked: output_schema /users/*/age: type violated" in log
    # declared keys and array positions are still named
    route.chat(json.dumps({"items": ["a", 7]}))
    assert "answer blocked: output_schema /items/1: type violated" in "\n".join(gateway.kong_log())


def test_isolation_drops_the_cache_headers_shared_caches_prefer(raw_route) -> None:
    """CDNs obey ``CDN-Cache-Control``/``Surrogate-Control`` (and ``Cloudflare-CDN-Cache-Control``) before
    ``Cache-Control``: an upstream's ``public`` there would let a shared cache serve one tenant's answer to
    another despite ``Cache-Control: private, no-store``."""
    from integration.ai_output_redactor.redactor_support import PLUGIN

    body = json.dumps({"choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}}]}).encode()
    cdn = ["CDN-Cache-Control", "Surrogate-Control", "Cloudflare-CDN-Cache-Control"]
    headers = [("Content-Type", "application/json"), *((name, "public, max-age=600") for name in cdn)]
    route = raw_route([(PLUGIN, {})], body, headers)
    response = route.gateway.proxy.post(route.url(), json={})
    assert response.headers["Cache-Control"] == "private, no-store"
    assert not [name for name in cdn if name in response.headers], response.headers
    opted_out = raw_route([(PLUGIN, {"response_isolation": False})], body, headers)
    assert opted_out.gateway.proxy.post(opted_out.url(), json={}).headers["CDN-Cache-Control"]
