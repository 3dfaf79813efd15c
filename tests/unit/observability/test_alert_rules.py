"""docs/observability/alerts.yml: loads, every metric it reads is one the plugin server exposes (or one of
its own recording rules), and the alerts fire as alerts_test.yml says (``promtool test rules``, where
promtool is installed: Debian's ``prometheus`` package)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import re2
import yaml
from unit.observability.names import exposed_names

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs" / "observability"
RULES = DOCS / "alerts.yml"
# identifiers in a PromQL expression that are metric names (ours all start with kong_ai)
_NAME = re2.compile(r"\b(kong_ai[a-zA-Z0-9_:]*)")


def rules() -> list[dict]:
    data = yaml.safe_load(RULES.read_text())
    return [rule for group in data["groups"] for rule in group["rules"]]


def test_every_metric_an_expression_reads_exists() -> None:
    exposed = exposed_names()
    recorded = {rule["record"] for rule in rules() if "record" in rule}
    for rule in rules():
        for name in _NAME.findall(rule["expr"]):
            assert name in exposed or name in recorded, f"{rule.get('alert') or rule.get('record')}: {name}"


def test_the_alerts_the_issue_names_are_there() -> None:
    alerts = {rule["alert"] for rule in rules() if "alert" in rule}
    assert {
        "KongAIBudget80Percent",
        "KongAIBudgetExhausted",
        "KongAI429Spike",
        "KongAIInjectionDetected",
        "KongAILimiterFailOpen",
        "KongAIAuditSpillGrowing",
        "KongAIAuthFailureBurst",
        "KongAIAuthFailureBurstFromOneSource",
        "KongAIRateLimitViolations",
        "KongAIAuthFailureBurstPerKey",
        "KongAIModelExtractionNearDuplicatePrompts",
        "KongAIModelExtractionRetryAfterRefusal",
        "KongAIModelExtractionNearDuplicatePromptsPerKey",
        "KongAIModelExtractionRetryAfterRefusalPerKey",
        "KongAITenantRequestAnomaly",
        "KongAITenantTokenAnomaly",
        "KongAITenantCostAnomaly",
        "KongAITenantRefusalAnomaly",
        "KongAITenantInjectionAnomaly",
    } <= alerts
    for rule in rules():
        if "alert" in rule:
            assert rule["labels"]["severity"] in {"info", "warning", "critical"}
            assert rule["annotations"]["summary"]


@pytest.mark.skipif(
    shutil.which("promtool") is None, reason="promtool not installed (apt-get install prometheus)"
)
def test_promtool_checks_and_tests_the_rules() -> None:
    check = subprocess.run(["promtool", "check", "rules", str(RULES)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    tested = subprocess.run(
        ["promtool", "test", "rules", "alerts_test.yml"],
        cwd=DOCS,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
