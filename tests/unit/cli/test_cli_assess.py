"""``kong-ai assess``: each AI route's controls, its maturity level and the exact changes to the next one."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from kong_plugins.cli.assess import assess_document, rubric_markdown
from kong_plugins.cli.assess.apply import apply_changes
from kong_plugins.cli.assess.rubric import LEVELS
from kong_plugins.cli.main import main
from kong_plugins.cli.validate import DeckValidator
from kong_plugins.server.registry import PLUGIN_MODULES

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "declarative" / "kong.yaml"

#: What the demo config reaches today (README, "Posture"): each route lacks output handling and logs.
DEMO_LEVELS = {"anthropic-messages": "Foundational", "openai-chat": "Foundational"}


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["assess", "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def _routes(report: dict[str, Any], index: int = 0) -> dict[str, dict[str, Any]]:
    return {route["route"]: route for route in report["sources"][index]["routes"]}


def _write(tmp_path: Path, document: dict[str, Any], name: str = "kong.yaml") -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return str(path)


def _demo() -> dict[str, Any]:
    return yaml.safe_load(DEMO.read_text())


def test_the_demo_config_gets_its_levels_and_only_ai_routes_are_graded(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, report = _json(capsys, str(DEMO))
    assert code == 0
    routes = _routes(report)
    assert {name: route["level"] for name, route in routes.items()} == DEMO_LEVELS  # not /echo
    chat = routes["openai-chat"]
    assert chat["authentication"] == ["api-key (ai-tenant-resolver)"]
    assert chat["missing_for_next_level"] == ["output_handling", "inference_logs"]
    assert [(c["op"], c["plugin"]) for c in chat["changes"]] == [
        ("add", "ai-output-redactor"),
        ("add", "ai-audit-log"),
    ]
    in_place = {c["id"] for c in chat["controls"] if c["in_place"]}
    assert {"authentication", "tenant_resolution", "injection_detection", "fail_closed"} <= in_place


def test_the_table_names_the_level_and_the_change_to_make(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", str(DEMO)]) == 0
    out = capsys.readouterr().out
    assert "openai-chat         llm      Foundational  api-key (ai-tenant-resolver)" in out
    assert "  to reach Applied:" in out
    assert "output_handling: add plugin ai-output-redactor to route openai-chat, config {}" in out


def test_a_removed_control_is_named_with_its_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = _demo()
    chat = document["services"][0]["routes"][0]
    chat["plugins"] = [p for p in chat["plugins"] if p["name"] != "ai-token-limiter"]
    chat["plugins"][-1]["config"]["marks"].remove("ai-token-limiter")  # the guard, still valid
    _, report = _json(capsys, _write(tmp_path, document))
    route = _routes(report)["openai-chat"]
    assert route["missing_for_next_level"] == ["per_account_limits", "output_handling", "inference_logs"]
    limits = next(c for c in route["controls"] if c["id"] == "per_account_limits")
    assert limits == {
        "id": "per_account_limits",
        "level": "Applied",
        "in_place": False,
        "detail": "no ai-token-limiter",
    }
    assert {
        "control": "per_account_limits",
        "op": "add",
        "plugin": "ai-token-limiter",
        "value": {
            "strategy": "redis",
            "limits": [{"metric": "tokens", "limit": 20000, "window": "minute", "scope": "tenant"}],
        },
    } in route["changes"]


def test_a_tenant_a_client_can_choose_is_not_anti_spoofed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = _demo()
    resolver = document["services"][0]["routes"][0]["plugins"][0]
    resolver["config"]["sources"] = ["api_key", "header"]
    _, report = _json(capsys, _write(tmp_path, document))
    controls = {c["id"]: c for c in _routes(report)["openai-chat"]["controls"]}
    assert not controls["tenant_resolution"]["in_place"]
    assert "header" in controls["tenant_resolution"]["detail"]
    assert not controls["authentication"]["in_place"]


def test_kong_auth_plugins_count_with_their_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = _demo()
    route = document["services"][0]["routes"][0]
    route["plugins"][0]["config"]["sources"] = ["consumer"]
    document["plugins"] = [{"name": "key-auth", "config": {"key_names": ["apikey"]}}]  # global
    _, report = _json(capsys, _write(tmp_path, document))
    chat = _routes(report)["openai-chat"]
    assert chat["authentication"] == ["api-key (key-auth)"]
    assert next(c for c in chat["controls"] if c["id"] == "tenant_resolution")["in_place"]


def test_proposed_changes_are_exact_each_step_reaches_the_next_level() -> None:
    """Applied as written, the proposals keep the file valid and lift every route one level at a time."""
    document = _demo()
    validator = DeckValidator(PLUGIN_MODULES)
    seen = []
    for _ in range(len(LEVELS)):
        graded = assess_document(document, PLUGIN_MODULES)
        seen.append(sorted({LEVELS[item.level] for item in graded}))
        for item in graded:
            if item.next_level is not None:
                document = apply_changes(document, item.route.name, [change for _, change in item.changes])
        assert validator.validate_document(document).errors == []
    assert seen == [["Foundational"], ["Applied"], ["Advanced"], ["Strategic"]]
    final = assess_document(document, PLUGIN_MODULES)
    assert all(r.ok for item in final for r in item.results)


def test_min_level_is_a_ci_gate(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", str(DEMO), "--min-level", "foundational"]) == 0
    capsys.readouterr()
    assert main(["assess", str(DEMO), "--min-level", "advanced"]) == 1
    err = capsys.readouterr().err
    assert "2 route(s) below Advanced: anthropic-messages (Foundational), openai-chat (Foundational)" in err


def test_an_invalid_config_is_refused_not_graded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = _demo()
    document["services"][0]["routes"][0]["plugins"][1]["config"]["injection"]["mode"] = "sometimes"
    assert main(["assess", _write(tmp_path, document)]) == 1
    assert "config.injection.mode" in capsys.readouterr().err


def test_enterprise_auth_plugins_are_graded_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """kong-ai validate does not know Kong Gateway Enterprise's plugins; assess grades them all the same."""
    document = _demo()
    route = document["services"][0]["routes"][0]
    route["plugins"][0]["config"]["sources"] = ["consumer"]
    route["plugins"].insert(0, {"name": "openid-connect", "config": {"issuer": "https://idp.example/"}})
    _, report = _json(capsys, _write(tmp_path, document))
    assert _routes(report)["openai-chat"]["authentication"] == ["openid-connect (openid-connect)"]


def test_the_rubric_in_the_docs_is_the_rubric_in_the_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", "--rubric"]) == 0
    table = capsys.readouterr().out
    assert table == rubric_markdown()
    assert table in (ROOT / "docs" / "posture.md").read_text(), "regenerate: kong-ai assess --rubric"


def test_a_route_level_entry_overrides_the_service_one() -> None:
    document = _demo()
    service = document["services"][0]
    service["plugins"] = [
        {"name": "ai-output-redactor", "config": {}},
        {"name": "ai-audit-log", "config": {}},
    ]
    chat = service["routes"][0]
    chat["plugins"].append(
        {"name": "ai-output-redactor", "enabled": False, "config": {"unreadable_action": "pass"}}
    )
    graded = {item.route.name: item for item in assess_document(copy.deepcopy(document), PLUGIN_MODULES)}
    assert LEVELS[graded["openai-chat"].level] == "Applied"  # the disabled route entry is not loaded
    chat["plugins"][-1]["enabled"] = True
    graded = {item.route.name: item for item in assess_document(document, PLUGIN_MODULES)}
    assert graded["openai-chat"].missing(1) == ["output_handling"]


def test_entries_for_some_callers_only_are_not_a_routes_control() -> None:
    """A plugin scoped to a consumer or (Enterprise) a consumer group does not protect the route's other
    callers: it is listed, never counted."""
    from kong_plugins.cli.assess.model import routes_from_admin

    services = [{"id": "s1", "name": "llm"}]
    routes = [{"id": "r1", "name": "chat", "service": {"id": "s1"}, "paths": ["/v1/chat/completions"]}]
    plugins = [
        {
            "id": "p1",
            "name": "ai-output-redactor",
            "config": {},
            "enabled": True,
            "consumer_group": {"id": "g"},
        },
        {"id": "p2", "name": "ai-audit-log", "config": {}, "enabled": True, "consumer": {"id": "c"}},
    ]
    (route,) = routes_from_admin(services, routes, plugins)
    assert route.plugins == {}
    assert route.consumer_scoped == ("ai-audit-log", "ai-output-redactor")
