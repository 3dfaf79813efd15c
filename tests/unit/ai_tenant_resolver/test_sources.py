"""Tenant sources: extraction from each input, order, conflicts, and the status of every refusal."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from kong_plugins.ai_tenant_resolver.jwt_verify import JwtVerifier, load_key
from kong_plugins.ai_tenant_resolver.path_pattern import (
    DEFAULT_PATH_PATTERN,
    MAX_PATH_LENGTH,
    compile_path_pattern,
)
from kong_plugins.ai_tenant_resolver.sources import (
    Candidate,
    RequestInputs,
    TenantSources,
    bearer_token,
    choose_tenant,
    consumer_tenant,
    header_values,
    path_tenant,
)
from kong_plugins.core.errors import Forbidden, PluginResponseError, Unauthorized

TokenMaker = Callable[..., str]
API_KEY = "kag_" + "A" * 43
PATTERN = re.compile(DEFAULT_PATH_PATTERN)


@pytest.fixture
def sources_factory(rsa_keys: Any) -> Callable[..., TenantSources]:
    verifier = JwtVerifier(
        [load_key("rsa-1", "RS256", rsa_keys.public_pem)], algorithms=["RS256"], claim_path=("tenant_id",)
    )
    keys = {API_KEY: "acme"}

    def build(sources: list[str], **options: Any) -> TenantSources:
        return TenantSources(
            sources,
            path_pattern=PATTERN,
            jwt_verifier=verifier,
            api_key_lookup=keys.get,
            **options,
        )

    return build


def _refusal(call: Callable[[], Any]) -> PluginResponseError:
    with pytest.raises(PluginResponseError) as caught:
        call()
    return caught.value


# -- single sources ------------------------------------------------------------------------------------------


def test_header_values_follow_kongs_get_headers_shape() -> None:
    headers = {"x-tenant-id": ["acme"], "x-multi": ["a", "b"], "x-odd": 5, "x-str": "s"}
    assert header_values(headers, "X-Tenant-ID") == ["acme"]
    assert header_values(headers, "x-multi") == ["a", "b"]
    assert header_values(headers, "x-odd") == []
    assert header_values(headers, "x-str") == ["s"]
    assert header_values(headers, "absent") == []


def test_header_source(sources_factory: Callable[..., TenantSources]) -> None:
    sources = sources_factory(["header"])
    assert sources.candidates(RequestInputs({"x-tenant-id": ["acme"]})) == [Candidate("header", "acme")]
    assert sources.candidates(RequestInputs({})) == []
    custom = sources_factory(["header"], header_name="X-Org")
    assert custom.candidates(RequestInputs({"x-org": ["beta"]})) == [Candidate("header", "beta")]


@pytest.mark.parametrize("value", ["", "acme corp", "../etc", "a" * 65, "acme\r\nx: y"])
def test_header_with_a_bad_tenant_id_is_forbidden(
    sources_factory: Callable[..., TenantSources], value: str
) -> None:
    error = _refusal(lambda: sources_factory(["header"]).candidates(RequestInputs({"x-tenant-id": [value]})))
    assert isinstance(error, Forbidden)
    assert error.body() == {"message": "Forbidden"}


def test_repeated_tenant_header_is_forbidden(sources_factory: Callable[..., TenantSources]) -> None:
    inputs = RequestInputs({"x-tenant-id": ["acme", "acme"]})
    assert isinstance(_refusal(lambda: sources_factory(["header"]).candidates(inputs)), Forbidden)


def test_path_source() -> None:
    assert path_tenant(PATTERN, "/tenants/acme/v1/chat") == "acme"
    assert path_tenant(PATTERN, "/v1/chat") is None
    assert path_tenant(PATTERN, None) is None
    assert path_tenant(re.compile(r"^/(?P<tenant>[a-z]+)?x"), "/x") is None  # group did not take part
    with pytest.raises(Forbidden):
        path_tenant(re.compile(r"^/t/(?P<tenant>[^/]{1,100})/"), "/t/acme..x/")


def test_overlong_path_is_refused_not_skipped() -> None:
    error = _refusal(lambda: path_tenant(PATTERN, "/tenants/acme/" + "a" * MAX_PATH_LENGTH))
    assert isinstance(error, Forbidden)


def test_a_path_that_is_not_utf8_is_refused_not_skipped() -> None:
    """Kong hands raw non-UTF-8 path bytes over as they are; the plugin server turns them into lone
    surrogates, which RE2 cannot read."""
    pattern = compile_path_pattern(r"/t/(?P<tenant>[^/]+)/")
    assert isinstance(_refusal(lambda: path_tenant(pattern, "/t/acme\udcff/v1")), Forbidden)
    assert path_tenant(pattern, "/café/t/acme/v1") == "acme"  # UTF-8 beyond ASCII is read


def test_consumer_source_by_custom_id_and_by_tag() -> None:
    consumer = {"id": "c1", "username": "bot", "custom_id": "acme", "tags": ["team:x", "tenant:beta"]}
    assert consumer_tenant(consumer, "custom_id") == "acme"
    assert consumer_tenant(consumer, "tag") == "beta"
    assert consumer_tenant({"id": "c1"}, "custom_id") is None
    assert consumer_tenant({"id": "c1", "tags": ["team:x"]}, "tag") is None
    assert consumer_tenant(None, "custom_id") is None
    with pytest.raises(Forbidden):
        consumer_tenant({"tags": ["tenant:a", "tenant:b"]}, "tag")
    with pytest.raises(Forbidden):
        consumer_tenant({"custom_id": "user@example.com"}, "custom_id")


def test_bearer_token_parsing() -> None:
    assert bearer_token({"authorization": ["Bearer abc.def.ghi"]}, "Authorization") == "abc.def.ghi"
    assert bearer_token({"authorization": ["bearer   abc"]}, "Authorization") == "abc"
    assert bearer_token({"authorization": ["Basic dXNlcjpwYXNz"]}, "Authorization") is None
    assert bearer_token({}, "Authorization") is None
    with pytest.raises(Unauthorized):
        bearer_token({"authorization": ["Bearer"]}, "Authorization")
    with pytest.raises(Unauthorized):
        bearer_token({"authorization": ["Bearer a b"]}, "Authorization")
    with pytest.raises(Unauthorized):
        bearer_token({"authorization": ["Bearer a", "Bearer b"]}, "Authorization")


def test_jwt_source(sources_factory: Callable[..., TenantSources], make_token: TokenMaker) -> None:
    sources = sources_factory(["jwt"])
    inputs = RequestInputs({"authorization": [f"Bearer {make_token()}"]})
    assert sources.candidates(inputs) == [Candidate("jwt", "acme")]


@pytest.mark.parametrize(
    "claims",
    [{"exp": 9999999999}, {"tenant_id": "bad id", "exp": 9999999999}, {"tenant_id": 42, "exp": 9999999999}],
)
def test_jwt_without_a_valid_tenant_claim_is_unauthorized(
    sources_factory: Callable[..., TenantSources], make_token: TokenMaker, claims: dict[str, Any]
) -> None:
    inputs = RequestInputs({"authorization": [f"Bearer {make_token(claims)}"]})
    error = _refusal(lambda: sources_factory(["jwt"]).candidates(inputs))
    assert isinstance(error, Unauthorized)
    assert error.message == "Unauthorized"


def test_invalid_jwt_is_unauthorized_with_the_reason_in_the_log_only(
    sources_factory: Callable[..., TenantSources], make_token: TokenMaker
) -> None:
    inputs = RequestInputs({"authorization": [f"Bearer {make_token(kid='unknown')}"]})
    error = _refusal(lambda: sources_factory(["jwt"]).candidates(inputs))
    assert isinstance(error, Unauthorized)
    assert error.body() == {"message": "Unauthorized"}
    assert error.log_reason is not None and "unknown kid" in error.log_reason


def test_api_key_source(sources_factory: Callable[..., TenantSources]) -> None:
    sources = sources_factory(["api_key"])
    found = sources.candidates(RequestInputs({"x-api-key": [API_KEY]}))
    assert found == [Candidate("api_key", "acme", key_prefix="kag_AAAA")]  # the display prefix, never the key
    assert sources.candidates(RequestInputs({})) == []
    for bad in ("kag_" + "B" * 43, "not-a-key"):
        error = _refusal(lambda bad=bad: sources.candidates(RequestInputs({"x-api-key": [bad]})))
        assert isinstance(error, Unauthorized)


# -- several sources -----------------------------------------------------------------------------------------


def test_agreeing_sources_report_the_first_configured_one(
    sources_factory: Callable[..., TenantSources], make_token: TokenMaker
) -> None:
    inputs = RequestInputs({"authorization": [f"Bearer {make_token()}"], "x-tenant-id": ["acme"]})
    assert choose_tenant(sources_factory(["jwt", "header"]).candidates(inputs)) == Candidate("jwt", "acme")
    assert choose_tenant(sources_factory(["header", "jwt"]).candidates(inputs)) == Candidate("header", "acme")


def test_absent_sources_do_not_count(sources_factory: Callable[..., TenantSources]) -> None:
    sources = sources_factory(["jwt", "path", "header"])
    chosen = choose_tenant(sources.candidates(RequestInputs({"x-tenant-id": ["acme"]}, path="/v1/chat")))
    assert chosen == Candidate("header", "acme")


@pytest.mark.parametrize("order", [["jwt", "header"], ["header", "jwt"]])
def test_disagreeing_sources_are_forbidden_whatever_their_order(
    sources_factory: Callable[..., TenantSources], make_token: TokenMaker, order: list[str]
) -> None:
    inputs = RequestInputs({"authorization": [f"Bearer {make_token()}"], "x-tenant-id": ["victim"]})
    error = _refusal(lambda: choose_tenant(sources_factory(order).candidates(inputs)))
    assert isinstance(error, Forbidden)
    assert error.log_reason is not None and "disagree" in error.log_reason


def test_path_and_consumer_conflict(sources_factory: Callable[..., TenantSources]) -> None:
    inputs = RequestInputs({}, path="/tenants/beta/x", consumer={"custom_id": "acme"})
    with pytest.raises(Forbidden):
        choose_tenant(sources_factory(["consumer", "path"]).candidates(inputs))


def test_no_source_present_gives_no_tenant(sources_factory: Callable[..., TenantSources]) -> None:
    sources = sources_factory(["jwt", "header", "path", "consumer", "api_key"])
    assert choose_tenant(sources.candidates(RequestInputs({}, path="/", consumer=None))) is None


def test_a_bad_credential_is_refused_even_when_another_source_names_a_tenant(
    sources_factory: Callable[..., TenantSources],
) -> None:
    inputs = RequestInputs({"authorization": ["Bearer not.a.jwt"], "x-tenant-id": ["acme"]})
    assert isinstance(_refusal(lambda: sources_factory(["header", "jwt"]).candidates(inputs)), Unauthorized)


def test_which_request_parts_are_needed(sources_factory: Callable[..., TenantSources]) -> None:
    path_only = sources_factory(["path"])
    assert (path_only.needs_headers, path_only.needs_path, path_only.needs_consumer) == (False, True, False)
    mixed = sources_factory(["consumer", "api_key"])
    assert (mixed.needs_headers, mixed.needs_path, mixed.needs_consumer) == (True, False, True)


def test_sources_need_their_collaborators() -> None:
    with pytest.raises(ValueError):
        TenantSources([])
    with pytest.raises(ValueError):
        TenantSources(["jwt"])
    with pytest.raises(ValueError):
        TenantSources(["cookie"])
