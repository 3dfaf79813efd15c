"""Kong Gateway Enterprise's consumer groups in the emulator: the entity and its membership in the store,
the Admin API endpoints, deck's declarative forms, ``kong.client.get_consumer_groups`` and the bundled
auth plugins that fill it in. Kong/kong 3.9 OSS has none of these (docs/emulator.md)."""

from __future__ import annotations

from typing import Any

import pytest
from harness import bundled_plugins, declarative
from harness.admin import AdminApi
from harness.declarative import DeclarativeError
from harness.kong_request import MISSING
from harness.store import Store
from unit.harness.test_admin import Client
from unit.harness.test_bundled_plugins import Gateway
from unit.harness.test_kong_request import call, make, value

ANN = "c0000000-0000-4000-8000-000000000001"


@pytest.fixture
def client() -> Client:
    store = Store(edition="enterprise")
    return Client(AdminApi(store, dict(bundled_plugins.make_bundled(store))))


def test_consumer_groups_are_an_entity_with_a_unique_name(client: Client) -> None:
    status, group = client.post("/consumer_groups", {"name": "analysts", "tags": ["t"]})
    assert status == 201
    assert set(group) == {"id", "created_at", "updated_at", "name", "tags"}
    assert client.get("/consumer_groups/analysts") == (200, {"consumer_group": group, "consumers": []})
    assert client.get("/consumer_groups/analysts?list_consumers=false") == (200, {"consumer_group": group})
    assert client.post("/consumer_groups", {"name": "analysts"})[0] == 409
    status, body = client.post("/consumer_groups", {})
    assert (status, body["fields"]) == (400, {"name": "required field missing"})
    assert client.get("/consumer_groups")[1]["data"] == [group]


def test_membership_from_either_side_and_its_answers(client: Client) -> None:
    _, group = client.post("/consumer_groups", {"name": "analysts"})
    client.post("/consumer_groups", {"name": "auditors"})
    _, ann = client.post("/consumers", {"username": "ann"})
    status, body = client.post("/consumer_groups/analysts/consumers", {"consumer": "ann"})
    assert (status, body) == (201, {"consumer_group": group, "consumers": [ann]})
    status, body = client.post(f"/consumers/{ann['id']}/consumer_groups", {"group": "auditors"})
    assert status == 201 and body["consumer"] == ann and body["consumer_groups"][0]["name"] == "auditors"
    names = [g["name"] for g in client.get("/consumers/ann/consumer_groups")[1]["data"]]
    assert names == ["analysts", "auditors"]
    assert client.get("/consumer_groups/analysts/consumers")[1] == {"data": [ann], "next": None}
    assert client.get(f"/consumer_groups/{group['id']}")[1] == {"consumer_group": group, "consumers": [ann]}
    # the same membership twice is a unique violation; unknown sides are 404; the argument is required
    assert client.post("/consumer_groups/analysts/consumers", {"consumer": "ann"})[0] == 409
    assert client.post("/consumer_groups/analysts/consumers", {"consumer": "nobody"})[0] == 404
    assert client.post("/consumer_groups/nobody/consumers", {"consumer": "ann"})[0] == 404
    status, body = client.post("/consumer_groups/analysts/consumers", {})
    assert (status, body["message"]) == (400, "schema violation (consumer: required field missing)")
    # leaving, from either side; deleting a group or a consumer drops its memberships
    assert client.delete("/consumer_groups/analysts/consumers/ann") == (204, None)
    assert client.delete(f"/consumers/{ann['id']}/consumer_groups/auditors") == (204, None)
    assert client.get("/consumers/ann/consumer_groups")[1]["data"] == []
    client.post("/consumer_groups/analysts/consumers", {"consumer": "ann"})
    client.post("/consumer_groups/auditors/consumers", {"consumer": "ann"})
    assert client.delete("/consumers/ann/consumer_groups") == (204, None)  # out of every group
    assert client.get("/consumers/ann/consumer_groups")[1]["data"] == []
    client.post("/consumer_groups/analysts/consumers", {"consumer": "ann"})
    assert client.delete("/consumer_groups/analysts/consumers") == (204, None)  # the group emptied
    assert client.get("/consumer_groups/analysts/consumers")[1]["data"] == []
    client.post("/consumer_groups/analysts/consumers", {"consumer": "ann"})
    assert client.delete("/consumer_groups/analysts") == (204, None)
    assert client.get("/consumers/ann/consumer_groups")[1]["data"] == []


def test_the_store_lists_a_consumers_groups_in_membership_order() -> None:
    store = Store(edition="enterprise")
    ann = store.insert("consumers", {"id": ANN, "username": "ann"})
    first = store.insert("consumer_groups", {"name": "z-first"})
    second = store.insert("consumer_groups", {"name": "a-second"})
    for group in (first, second):
        membership = {"consumer_group": {"id": group["id"]}, "consumer": {"id": ANN}}
        store.insert("consumer_group_consumers", membership)
    assert [g["name"] for g in store.consumer_groups_of(ann["id"])] == ["z-first", "a-second"]
    assert store.consumer_groups_of("c0000000-0000-4000-8000-000000000009") == []


DECK = """
_format_version: "3.0"
consumer_groups:
- name: analysts
- name: auditors
  consumers: [{username: bob}]
consumers:
- username: ann
  groups: [{name: analysts}, {name: auditors}]
- username: bob
"""


def test_deck_membership_from_consumers_and_from_groups() -> None:
    store = Store(edition="enterprise")
    declarative.load_string(store, DECK, {})
    ann, bob = store.get("consumers", "ann"), store.get("consumers", "bob")
    assert ann is not None and bob is not None
    assert [g["name"] for g in store.consumer_groups_of(ann["id"])] == ["analysts", "auditors"]
    assert [g["name"] for g in store.consumer_groups_of(bob["id"])] == ["auditors"]
    again = Store(edition="enterprise")
    declarative.load_string(again, DECK, {})
    assert again.list("consumer_group_consumers") == store.list("consumer_group_consumers")  # stable ids


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "consumers: [{username: ann, groups: [{name: ghost}]}]",
            "invalid reference 'consumer_group: ghost' (no such entry in 'consumer_groups')",
        ),
        ("consumer_groups: [{name: g, plugins: []}]", "in 'plugins': not supported by the emulated gateway"),
        ("consumers: [{username: ann, groups: analysts}]", "in 'groups': expected an array"),
    ],
)
def test_deck_membership_errors(text: str, expected: str) -> None:
    with pytest.raises(DeclarativeError) as caught:
        declarative.load_string(Store(edition="enterprise"), '_format_version: "3.0"\n' + text, {})
    assert expected in str(caught.value)


def test_pdk_get_consumer_groups_is_what_authentication_set() -> None:
    groups = [{"id": "g1", "name": "analysts", "tags": None}]
    asked: list[str] = []

    def consumer_groups(consumer_id: str) -> list[dict[str, Any]]:
        asked.append(consumer_id)
        return groups if consumer_id == ANN else []

    req = make(consumer_groups=consumer_groups)
    req.phase = "rewrite"
    assert call(req, "kong.client.get_consumer_groups").error  # not before access
    req.phase = "access"
    assert value(req, "kong.client.get_consumer_groups") is MISSING  # nil: nobody authenticated
    assert value(req, "kong.client.authenticate_consumer_group_by_consumer_id", ANN) == [
        {"id": "g1", "name": "analysts"}  # DB nulls left out, as Lua holds them
    ]
    assert value(req, "kong.client.get_consumer_groups") == [{"id": "g1", "name": "analysts"}]
    assert call(req, "kong.client.authenticate_consumer_group_by_consumer_id", 1).error.endswith(
        "consumer_id must be a string"
    )
    value(req, "kong.client.authenticate_consumer_group_by_consumer_id", "not-a-uuid")
    assert value(req, "kong.client.get_consumer_groups") is MISSING
    assert asked == [ANN]
    req.phase = "response"
    assert call(req, "kong.client.authenticate_consumer_group_by_consumer_id", ANN).error  # access only


def test_key_auth_authenticates_the_consumers_groups() -> None:
    gateway = Gateway("key-auth", edition="enterprise")
    alice = gateway.store.get("consumers", "alice")
    assert alice is not None
    group = gateway.store.insert("consumer_groups", {"name": "analysts"})
    membership = {"consumer_group": {"id": group["id"]}, "consumer": {"id": alice["id"]}}
    gateway.store.insert("consumer_group_consumers", membership)
    _, req = gateway.run([("apikey", "alice-key")])
    assert req.ctx["authenticated_consumer_groups"] == [{k: v for k, v in group.items() if v is not None}]


# ================================================================ Kong OSS (the default edition): none of it


@pytest.fixture
def oss_client() -> Client:
    store = Store()
    return Client(AdminApi(store, dict(bundled_plugins.make_bundled(store))))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/consumer_groups"),
        ("POST", "/consumer_groups"),
        ("GET", "/consumer_groups/analysts"),
        ("DELETE", "/consumer_groups/analysts"),
        ("GET", "/consumer_groups/analysts/consumers"),
        ("POST", "/consumer_groups/analysts/consumers"),
        ("DELETE", "/consumer_groups/analysts/consumers/ann"),
        ("GET", "/consumers/ann/consumer_groups"),
        ("POST", "/consumers/ann/consumer_groups"),
        ("DELETE", "/consumers/ann/consumer_groups/analysts"),
    ],
)
def test_oss_admin_api_has_no_consumer_groups(oss_client: Client, method: str, path: str) -> None:
    oss_client.post("/consumers", {"username": "ann"})
    status, body, _ = oss_client.request(method, path, {"name": "analysts"} if method == "POST" else None)
    assert (status, body) == (404, {"message": "Not found"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("consumer_groups: [{name: analysts}]", "in 'consumer_groups': unknown field"),
        ("consumers: [{username: ann, groups: [{name: analysts}]}]", "in 'groups': unknown field"),
        (
            "consumers: [{username: ann, consumer_group_consumers: [{consumer_group: g}]}]",
            "in 'consumer_group_consumers': unknown field",
        ),
    ],
)
def test_oss_declarative_refuses_consumer_groups_as_unknown_fields(text: str, expected: str) -> None:
    store = Store()
    with pytest.raises(DeclarativeError) as caught:
        declarative.load_string(store, '_format_version: "3.0"\n' + text, {})
    assert expected in str(caught.value)
    assert store.list("consumers") == []  # nothing loaded


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("kong.client.get_consumer_groups", []),
        ("kong.client.authenticate_consumer_group_by_consumer_id", [ANN]),
    ],
)
def test_oss_pdk_answers_consumer_group_functions_as_missing(method: str, args: list[Any]) -> None:
    logs: list[tuple[str, str]] = []
    req = make(logs=logs)  # no consumer_groups: Kong OSS
    req.phase = "access"
    outcome = call(req, method, *args)
    assert (outcome.kind, outcome.data) == ("value", MISSING)  # nil
    assert logs == [("error", f"[kong] mp_rpc.lua:116 [py-test] could not find pdk method: {method}")]
    assert "authenticated_consumer_groups" not in req.ctx


def test_oss_key_auth_does_not_ask_for_groups() -> None:
    """OSS key-auth authenticates without calling the Enterprise function (no missing-method error line)."""
    logs: list[tuple[str, str]] = []

    def listen(req: Any) -> None:
        req._log_sink = lambda level, line: logs.append((level, line))

    gateway = Gateway("key-auth")
    _, req = gateway.run([("apikey", "alice-key")], before=listen)
    assert req.ctx.get("authenticated_consumer") is not None
    assert "authenticated_consumer_groups" not in req.ctx
    assert not [line for _, line in logs if "could not find pdk method" in line]
