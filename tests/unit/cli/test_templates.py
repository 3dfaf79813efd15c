"""declarative/templates/: the tier templates are valid deck files whose routes reach the level they promise.

Each template is one tier's gateway: its authentication (API keys for free, Kong key-auth for standard,
signed JWTs for enterprise, client certificates for internal service-to-service traffic), limits, policies
and redaction. None can ship limits calibrated from usage it has not seen: each is Applied as shipped, one
``calibrated:<date>`` tag (after ``kong-ai limits suggest``) from its target level.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from kong_plugins.cli.assess import assess_document
from kong_plugins.cli.assess.apply import apply_changes
from kong_plugins.cli.assess.rubric import LEVELS, RouteAssessment
from kong_plugins.cli.validate import DeckValidator
from kong_plugins.server.registry import PLUGIN_MODULES

TEMPLATES = Path(__file__).resolve().parents[3] / "declarative" / "templates"

#: template -> (level as shipped, level once its limits are calibrated, authentication)
EXPECTED = {
    "free": ("Applied", "Applied", ["api-key (ai-tenant-resolver)"]),
    "standard": ("Applied", "Advanced", ["api-key (key-auth)"]),
    "enterprise": ("Applied", "Strategic", ["jwt (ai-tenant-resolver)"]),
    "internal": ("Applied", "Advanced", ["mtls (listener + pre-function)"]),
}


def _load(name: str) -> dict[str, Any]:
    return yaml.safe_load((TEMPLATES / f"{name}.yaml").read_text())


def _graded(document: dict[str, Any]) -> RouteAssessment:
    (only,) = assess_document(document, PLUGIN_MODULES)
    return only


def _calibrated(document: dict[str, Any]) -> dict[str, Any]:
    """The template once its limits are calibrated: assess's own proposal (the tag) applied."""
    graded = _graded(document)
    changes = [change for control, change in graded.changes if control == "calibrated_limits"]
    return apply_changes(document, graded.route.name, changes)


def test_every_template_is_listed() -> None:
    assert sorted(path.stem for path in TEMPLATES.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_template_passes_kong_ai_validate(name: str) -> None:
    report = DeckValidator(PLUGIN_MODULES).validate_file(TEMPLATES / f"{name}.yaml")
    assert report.errors == []
    assert report.checked >= 7


@pytest.mark.skipif(shutil.which("deck") is None, reason="deck is not installed (Debian package `deck`)")
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_template_passes_deck_validate(name: str) -> None:
    result = subprocess.run(
        ["deck", "validate", "-s", str(TEMPLATES / f"{name}.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_template_reaches_its_levels(name: str) -> None:
    shipped, target, authentication = EXPECTED[name]
    graded = _graded(_load(name))
    assert LEVELS[graded.level] == shipped
    assert graded.authentication == authentication
    if target != shipped:
        assert graded.missing(graded.level + 1) == ["calibrated_limits"]
    calibrated = _calibrated(_load(name))
    assert DeckValidator(PLUGIN_MODULES).validate_document(calibrated).errors == []
    assert LEVELS[_graded(calibrated).level] == target


#: A plugin taken out of the calibrated enterprise template -> the level left and the control named.
REMOVED = {
    "ai-input-guard": ("Foundational", "input_validation"),
    "ai-output-redactor": ("Foundational", "output_handling"),
    "ai-audit-log": ("Foundational", "inference_logs"),
    "ai-tenant-resolver": ("Foundational", "authentication"),
    "ai-fail-closed": ("Applied", "fail_closed"),
    "ai-action-authz": ("Applied", "action_authz"),
    "ai-fail-closed-response": ("Advanced", "output_reauthorization"),
}


@pytest.mark.parametrize("plugin", sorted(REMOVED))
def test_a_control_taken_out_of_the_enterprise_template_is_named(plugin: str) -> None:
    document = _calibrated(_load("enterprise"))
    route = document["services"][0]["routes"][0]
    route["plugins"] = [p for p in route["plugins"] if p["name"] != plugin]
    level, control = REMOVED[plugin]
    graded = _graded(document)
    assert LEVELS[graded.level] == level
    assert control in graded.missing(graded.level + 1)
    assert any(control in controls.split(", ") for controls, _ in graded.changes)


def test_the_internal_template_trusts_its_header_only_behind_the_certificate_check() -> None:
    document = _load("internal")
    route = document["services"][0]["routes"][0]
    route["plugins"] = [p for p in route["plugins"] if p["name"] != "pre-function"]
    graded = _graded(document)
    assert LEVELS[graded.level] == "Foundational"
    failed = {r.control.id: r.detail for r in graded.results if not r.ok}
    assert "header" in failed["tenant_resolution"]
    assert "authentication" in failed
