"""docs/observability/grafana-dashboard.json: a dashboard Grafana imports (schema fields, unique ids, panels
in the grid), whose every query reads a metric the plugin server exposes or a recording rule of alerts.yml."""

from __future__ import annotations

import json
from pathlib import Path

import re2
import yaml
from unit.observability.names import exposed_names

ROOT = Path(__file__).resolve().parents[3]
DASHBOARD = json.loads((ROOT / "docs" / "observability" / "grafana-dashboard.json").read_text())
RULES = yaml.safe_load((ROOT / "docs" / "observability" / "alerts.yml").read_text())
_NAME = re2.compile(r"\b(kong_ai[a-zA-Z0-9_:]*)")


def test_the_dashboard_has_what_grafana_needs() -> None:
    assert DASHBOARD["uid"] and DASHBOARD["title"] and isinstance(DASHBOARD["schemaVersion"], int)
    ids = [panel["id"] for panel in DASHBOARD["panels"]]
    assert len(ids) == len(set(ids))
    for panel in DASHBOARD["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24 and grid["h"] > 0
        if panel["type"] != "row":
            assert panel["targets"], panel["title"]
            assert {t["refId"] for t in panel["targets"]} == {
                chr(65 + i) for i in range(len(panel["targets"]))
            }


def test_every_panel_reads_an_exposed_metric() -> None:
    exposed = exposed_names()
    recorded = {rule["record"] for group in RULES["groups"] for rule in group["rules"] if "record" in rule}
    queries = [t["expr"] for p in DASHBOARD["panels"] for t in p.get("targets", [])]
    queries += [v["definition"] for v in DASHBOARD["templating"]["list"] if "definition" in v]
    assert len(queries) > 15
    for query in queries:
        names = _NAME.findall(query)
        assert names, query
        for name in names:
            assert name in exposed or name in recorded, f"{name} in {query}"


def test_every_exposed_metric_is_on_the_dashboard() -> None:
    text = json.dumps(DASHBOARD)
    families = {name.removesuffix("_total").removesuffix("_bucket") for name in exposed_names()}
    missing = [f for f in families if not f.endswith(("_created", "_count", "_sum")) and f not in text]
    assert missing == []
