"""Configuration checks the schema cannot make, and what the compiled redactor does with them."""

from __future__ import annotations

import pytest

from kong_plugins.ai_output_redactor.engine import Tally
from kong_plugins.ai_output_redactor.schema import SCHEMA
from kong_plugins.ai_output_redactor.settings import build_settings
from kong_plugins.core.errors import ConfigError
from kong_plugins.core.schema import ensure_valid_config


def settings(config: dict):  # type: ignore[no-untyped-def]
    return build_settings(ensure_valid_config(SCHEMA.config, config))


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"mode": "hash"}, "config.hash_key"),
        ({"detector_modes": {"email": "hash"}}, "config.hash_key"),
        ({"custom_patterns": [{"name": "x", "pattern": "(a"}]}, "config.custom_patterns.1.pattern"),
        (
            {"custom_patterns": [{"name": "x", "pattern": "a"}, {"name": "x", "pattern": "b"}]},
            "config.custom_patterns.2.name",
        ),
        ({"allow_patterns": ["[z-a]"]}, "config.allow_patterns.1"),
        ({"detector_modes": {"nope": "mask"}}, "config.detector_modes"),  # the schema's one_of (Kong's too)
        ({"replacements": {"nope": "x"}}, "config.replacements"),
    ],
)
def test_refused_when_the_instance_starts(config: dict, field: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings(config)
    assert field in caught.value.fields


def test_messages_name_the_field_and_read_as_text() -> None:
    with pytest.raises(ConfigError) as caught:
        settings({"output_schema": "{bad", "allow_patterns": ["("]})
    assert caught.value.fields["config.output_schema"].startswith("output_schema is not JSON")
    assert caught.value.fields["config.allow_patterns.1"] == "not a linear-time (RE2) pattern: missing ): ("


def test_hash_tokens_depend_on_key_tenant_and_value() -> None:
    one = settings({"mode": "hash", "hash_key": "k" * 16}).redactor
    two = settings({"mode": "hash", "hash_key": "q" * 16}).redactor

    def token(redactor, tenant: str, text: str = "a@example.com") -> str:  # type: ignore[no-untyped-def]
        return redactor.redact(text, Tally(), lambda: tenant)

    assert token(one, "acme") == token(one, "acme")
    assert token(one, "acme") != token(one, "globex")
    assert token(one, "acme") != token(two, "acme")
    assert token(one, "acme") != token(one, "acme", "b@example.com")


def test_tenant_is_asked_for_only_when_hashing() -> None:
    asked = []
    redactor = settings({"detector_modes": {"email": "hash"}, "hash_key": "k" * 16}).redactor
    redactor.redact("card 4111 1111 1111 1111", Tally(), lambda: asked.append(1) or "t")
    assert not asked
    redactor.redact("a@example.com", Tally(), lambda: asked.append(1) or "t")
    assert asked


def test_overlapping_findings_keep_the_most_specific() -> None:
    redactor = settings({}).redactor
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    tally = Tally()
    assert redactor.redact(f"t {jwt}", tally, lambda: "") == "t [REDACTED:JWT]"
    assert tally.counts == {"jwt": 1}
