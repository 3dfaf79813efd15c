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
