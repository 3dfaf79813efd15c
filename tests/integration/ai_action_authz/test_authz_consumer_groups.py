"""Roles from Kong consumer groups (``roles_from_consumer_groups``): the groups of the consumer key-auth
authenticated become ``Role::"<group>"`` parents of the principal.

Consumer groups are a Kong Gateway Enterprise feature; the emulated gateway models them only when it
emulates Enterprise (docs/emulator.md): ``/consumer_groups`` and membership on the Admin API, and the
``kong.client.get_consumer_groups()`` that Enterprise's auth plugins fill in. So this module runs its own
emulated gateway (in this process, ``edition="enterprise"``, with our plugin server and the real mock LLM)
instead of the stack's, which emulates Kong OSS (test_authz_consumer_groups_oss.py)."""

from __future__ import annotations

import asyncio
import shlex
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fixtures.gateway import GatewayUnderTest
from harness.conf import KongConf, PluginServerConf
from harness.gateway import Gateway
from integration.ai_action_authz.authz_support import RESOLVER, assert_forbidden, chat

pytestmark = pytest.mark.harness

KEY_AUTH = ("key-auth", {"key_names": ["apikey"]})

POLICY = """
@id("routes") permit(principal, action == Action::"route.call", resource);
@id("analysts-chat")
permit(principal in Role::"{group}", action in [Action::"chat.create", Action::"model.use"], resource);
"""


PLUGINS = ("ai-tenant-resolver", "ai-action-authz")


def plugin_servers(prefix: Path) -> list[PluginServerConf]:
    """One kong-ai-pluginserver process for both plugins, as kong/kong.conf declares it."""
    py = shlex.quote(sys.executable)
    start = f"{py} -m kong_plugins.server.cli -p {prefix} --socket-name kong-ai.sock --no-lua-style"
    return [
        PluginServerConf(
            name,
            str(prefix / "kong-ai.sock"),
            start if index == 0 else None,
            f"{py} -m kong_plugins.server.cli --dump {name}",
        )
        for index, name in enumerate(PLUGINS)
    ]


@pytest.fixture(scope="module")
def gateway() -> Iterator[GatewayUnderTest]:
    """An emulated Kong Gateway Enterprise 3.9 (bundled key-auth, the resolver and authz), run on its own
    event loop in a thread so the tests' synchronous clients can call it."""
    with tempfile.TemporaryDirectory(prefix="authz-groups-") as tmp:
        prefix = Path(tmp)
        conf = KongConf(
            prefix=str(prefix), plugins=["bundled", *PLUGINS], pluginservers=plugin_servers(prefix)
        )
        emulated = Gateway(conf, declarative_path=None, path_map=[], edition="enterprise", echo_log=False)
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, daemon=True)
        thread.start()
        try:
            started = asyncio.run_coroutine_threadsafe(
                emulated.start(("127.0.0.1", 0), ("127.0.0.1", 0)), loop
            )
            started.result(timeout=120)
            assert emulated.proxy and emulated.admin
            under_test = GatewayUnderTest(
                f"http://127.0.0.1:{emulated.proxy.port}",
                f"http://127.0.0.1:{emulated.admin.port}",
                real_kong=False,
            )
            yield under_test
            under_test.close()
        finally:
            asyncio.run_coroutine_threadsafe(emulated.stop(), loop).result(timeout=60)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
            loop.close()


@pytest.fixture
def people(gateway: GatewayUnderTest) -> Iterator[dict[str, Any]]:
    """A group ``analysts-<tag>`` with one member (``ann``) and a consumer outside it (``bob``), keys each."""
    tag = uuid.uuid4().hex[:10]
    admin = gateway.admin
    group = admin.post("/consumer_groups", json={"name": f"analysts-{tag}"})
    assert group.status_code == 201, group.text
    made = {"group": group.json()["name"], "keys": {}}
    consumers = []
    for name in ("ann", "bob"):
        consumer = admin.post("/consumers", json={"username": f"{name}-{tag}"})
        assert consumer.status_code == 201, consumer.text
        consumers.append(consumer.json()["id"])
        key = f"{name}-key-{tag}"
        credential = admin.post(f"/consumers/{consumer.json()['id']}/key-auth", json={"key": key})
        assert credential.status_code == 201, credential.text
        made["keys"][name] = key
    joined = admin.post(f"/consumer_groups/{made['group']}/consumers", json={"consumer": f"ann-{tag}"})
    assert joined.status_code == 201, joined.text
    try:
        yield made
    finally:
        for consumer_id in consumers:
            admin.delete(f"/consumers/{consumer_id}")
        admin.delete(f"/consumer_groups/{made['group']}")


def test_a_member_of_the_group_is_permitted_and_a_non_member_denied(
    authz, gateway: GatewayUnderTest, people: dict[str, Any]
) -> None:
    route = authz(
        {"roles_from_consumer_groups": True, "policy": POLICY.replace("{group}", people["group"])},
        before=[KEY_AUTH, RESOLVER],
    )
    allowed = route.post(chat(), headers={"apikey": people["keys"]["ann"]})
    assert allowed.status_code == 200, allowed.text
    assert "analysts-chat" in route.shared(allowed)["ai_guard"]["authz"]["rule"].split(",")
    denied = route.post(chat(), headers={"apikey": people["keys"]["bob"]})
    assert_forbidden(denied)
    assert route.upstream_hits() == 1
    if not gateway.real_kong:  # the entry, body (no guard), consumer groups, the entry back
        assert "ai-action-authz.access=4" in allowed.headers["X-Emulator-Pdk-Calls"]
        assert "ai-action-authz.access=5" in denied.headers["X-Emulator-Pdk-Calls"]  # + the 403


def test_groups_are_not_read_unless_asked(authz, gateway: GatewayUnderTest, people: dict[str, Any]) -> None:
    route = authz({"policy": POLICY.replace("{group}", people["group"])}, before=[KEY_AUTH, RESOLVER])
    member = route.post(chat(), headers={"apikey": people["keys"]["ann"]})
    assert_forbidden(member)  # the group is no role unless roles_from_consumer_groups is on
    if not gateway.real_kong:  # the entry, body, the entry back, the 403: no consumer groups round trip
        assert "ai-action-authz.access=4" in member.headers["X-Emulator-Pdk-Calls"]


def test_leaving_the_group_takes_the_role_away(
    authz, gateway: GatewayUnderTest, people: dict[str, Any]
) -> None:
    route = authz(
        {"roles_from_consumer_groups": True, "policy": POLICY.replace("{group}", people["group"])},
        before=[KEY_AUTH, RESOLVER],
    )
    assert route.post(chat(), headers={"apikey": people["keys"]["ann"]}).status_code == 200
    member = gateway.admin.get(f"/consumer_groups/{people['group']}/consumers").json()["data"][0]
    left = gateway.admin.delete(f"/consumer_groups/{people['group']}/consumers/{member['id']}")
    assert left.status_code == 204
    assert_forbidden(route.post(chat(), headers={"apikey": people["keys"]["ann"]}))
