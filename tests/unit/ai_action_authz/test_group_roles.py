"""Consumer group names as roles (``roles_from_consumer_groups``): what ``kong.client.get_consumer_groups``
returns becomes role names, bounded, never cut."""

from __future__ import annotations

from kong_plugins.ai_action_authz.facts import MAX_GROUP_NAME, MAX_ROLES, group_roles
from kong_plugins.ai_action_authz.schema import SCHEMA
from kong_plugins.core.schema import validate_config


def test_group_entities_become_role_names() -> None:
    groups = [{"id": "1", "name": "analysts"}, {"id": "2", "name": "admins"}, {"id": "3", "name": "analysts"}]
    assert group_roles(groups) == ("analysts", "admins")


def test_nil_and_malformed_answers_give_no_roles() -> None:
    assert group_roles(None) == ()
    assert group_roles({"name": "analysts"}) == ()  # one entity, not a list
    assert group_roles(["analysts", {"id": "x"}, {"name": 5}, {"name": ""}]) == ()


def test_a_long_name_is_dropped_not_cut_and_the_count_is_bounded() -> None:
    admin = "admin" + "x" * MAX_GROUP_NAME
    assert group_roles([{"name": admin}, {"name": "ok"}]) == ("ok",)
    many = [{"name": f"g{i}"} for i in range(MAX_ROLES * 10)]
    assert len(group_roles(many)) == MAX_ROLES


def test_the_option_is_off_by_default() -> None:
    config, errors = validate_config(SCHEMA.config, {"policy": "permit(principal, action, resource);"})
    assert errors == {} and config["roles_from_consumer_groups"] is False
