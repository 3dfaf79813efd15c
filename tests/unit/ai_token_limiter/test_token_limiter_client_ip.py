"""The ``ip`` scope's grouping: IPv6 per prefix (/64 default), IPv4 whole (or per prefix), canonical."""

from __future__ import annotations

import pytest

from kong_plugins.ai_token_limiter.plan import Subject, build_plan
from kong_plugins.ai_token_limiter.schema import SCHEMA
from kong_plugins.ai_token_limiter.settings import build_settings
from kong_plugins.core.client_ip import ip_group
from kong_plugins.core.schema import ensure_valid_config


@pytest.mark.parametrize(
    ("address", "v4", "v6", "expected"),
    [
        ("203.0.113.7", 32, 64, "203.0.113.7/32"),
        ("203.0.113.7", 24, 64, "203.0.113.0/24"),
        ("2001:db8:1:2:aaaa::1", 32, 64, "2001:db8:1:2::/64"),
        ("2001:0db8:0001:0002:ffff:ffff:ffff:ffff", 32, 64, "2001:db8:1:2::/64"),
        ("2001:db8:1:2::1", 32, 128, "2001:db8:1:2::1/128"),
        ("2001:db8:1:2::1", 32, 48, "2001:db8:1::/48"),
        ("::ffff:203.0.113.7", 32, 64, "203.0.113.7/32"),  # IPv4-mapped: the IPv4 address
        ("fe80::1%eth0", 32, 64, "fe80::/64"),
    ],
)
def test_addresses_are_grouped_canonically(address: str, v4: int, v6: int, expected: str) -> None:
    assert ip_group(address, v4, v6) == expected


@pytest.mark.parametrize("value", [None, "", "unix:", "not an ip", "1.2.3.4.5", "x" * 1000, 42])
def test_what_is_not_an_address_has_no_group(value: object) -> None:
    assert ip_group(value, 32, 64) is None


def test_ip_keys_stay_in_one_slot_and_never_collide() -> None:
    config = {"limits": [{"metric": "requests", "limit": 5, "window": "60", "scope": "ip"}]}
    settings = build_settings(ensure_valid_config(SCHEMA.config, config))
    assert settings.needs_ip and not settings.tag_by_tenant
    keys = {
        build_plan(settings, Subject(ip=ip)).counters[0].key
        for ip in ("2001:db8::/64", "2001:db8:0:1::/64", "203.0.113.7/32", "~anonymous", None)
    }
    assert len(keys) == 4  # None is the anonymous counter
    for key in keys:
        assert key.count("{") == 1 and key.count("}") == 1 and "{default}" in key
        assert "/" not in key and key.split(":")[4].count("%") >= 0


def test_a_subject_with_an_ip_survives_the_context() -> None:
    subject = Subject(tenant="acme", ip="2001:db8::/64")
    assert Subject.from_list(subject.to_list()) == subject
    assert Subject.from_list(["acme", "", "m", "", ""]) == Subject(tenant="acme", model="m")
