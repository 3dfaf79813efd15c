"""The API key label of ``kong_ai_auth_failures_by_key_total``: a key's display prefix, never more of it."""

from __future__ import annotations

from kong_plugins.ai_tenant_resolver.api_keys import generate_key
from kong_plugins.ai_tenant_resolver.key_label import key_label


def test_a_well_formed_key_is_its_display_prefix() -> None:
    key = generate_key()
    assert key_label({"x-api-key": key}, "X-API-Key") == key[:8]
    assert key_label({"x-api-key": f"  {key} "}, "X-API-Key") == key[:8]


def test_anything_else_is_malformed_or_none() -> None:
    assert key_label({"x-api-key": "hunter2"}, "X-API-Key") == "malformed"
    assert key_label({"x-api-key": ["kag_a", "kag_b"]}, "X-API-Key") == "malformed"
    assert key_label({}, "X-API-Key") == "none"
