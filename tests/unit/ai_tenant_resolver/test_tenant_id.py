"""Tenant id syntax: one strict rule, applied before a value is used for anything."""

from __future__ import annotations

import pytest

from kong_plugins.ai_tenant_resolver.tenant_id import (
    TENANT_ID_MAX_LENGTH,
    InvalidTenantId,
    check_tenant_id,
    is_tenant_id,
)


@pytest.mark.parametrize(
    "value", ["a", "acme", "Acme-Corp_2", "0", "9f1c2a3b-uuid-like", "x" * TENANT_ID_MAX_LENGTH]
)
def test_valid_ids_are_returned_unchanged(value: str) -> None:
    assert check_tenant_id(value) == value
    assert is_tenant_id(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "-acme",
        "_acme",
        "acme corp",
        "acme/../beta",
        "acme:beta",
        "acme{beta}",
        "acme\n",
        "acme\r\nX-Injected: 1",
        "acmé",
        "\uff41\uff43\uff4d\uff45",  # full-width letters are not ASCII
        "acme.beta",
        "x" * (TENANT_ID_MAX_LENGTH + 1),
        "x" * 100_000,
    ],
)
def test_anything_else_is_refused(value: str) -> None:
    assert not is_tenant_id(value)
    with pytest.raises(InvalidTenantId):
        check_tenant_id(value)


@pytest.mark.parametrize("value", [None, 42, b"acme", ["acme"], {"id": "acme"}, True])
def test_non_strings_are_refused(value: object) -> None:
    assert not is_tenant_id(value)
    with pytest.raises(InvalidTenantId, match="must be a string"):
        check_tenant_id(value)


def test_the_error_never_repeats_the_value() -> None:
    hostile = "<script>alert(1)</script>"
    with pytest.raises(InvalidTenantId) as caught:
        check_tenant_id(hostile)
    assert hostile not in str(caught.value)
