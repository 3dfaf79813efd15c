"""``kong-ai usage report``: traffic through the gateway (resolver, token limiter with a cost budget, audit
log), then the report as a user runs it: exact tokens and cost per tenant and model in the table and the
CSV, the budget left and when it runs out, and a PNG that opens as a picture."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from integration.ai_audit_log.audit_support import LIMITER, AuditEnv, AuditRoute, chat, limiter_config

ROOT = Path(__file__).resolve().parents[3]
pytestmark = [pytest.mark.redis, pytest.mark.harness]

PRICING = [{"model": "mock-gpt-4o*", "prompt_per_million": 500_000, "completion_per_million": 1_000_000}]
BUDGET_USD = 1000


@pytest.fixture
def traffic(audit: AuditEnv) -> tuple[AuditRoute, dict[str, list[httpx.Response]]]:
    limiter = limiter_config(
        audit.redis,
        pricing=PRICING,
        unknown_model="reject",
        limits=[{"metric": "cost_usd", "limit": BUDGET_USD, "window": "month", "scope": "tenant"}],
    )
    route = audit.route(before=[(LIMITER, limiter)])
    route.config["limiter_namespace"] = limiter["namespace"]
    sent: dict[str, list[httpx.Response]] = {"acme": [], "globex": []}
    for tenant, prompt in (("acme", "hello there"), ("acme", "a longer question " * 5), ("globex", "hi")):
        response = route.send(chat(prompt, max_tokens=20), tenant=tenant)
        assert response.status_code == 200
        sent[tenant].append(response)
    route.wait_records(2, "acme")
    route.wait_records(1, "globex")
    return route, sent


def report(route: AuditRoute, *args: str) -> subprocess.CompletedProcess[str]:
    """``kong-ai usage report ARGS`` on the route's Redis: the limiter's namespace, the audit log's."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "kong_plugins.cli.main", "usage", "report", *args]
    command += ["--redis-url", route.redis.url, "--namespace", route.config["limiter_namespace"]]
    command += ["--audit-namespace", route.namespace]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)


def expected(responses: list[httpx.Response]) -> tuple[int, int, float]:
    prompt = sum(r.json()["usage"]["prompt_tokens"] for r in responses)
    completion = sum(r.json()["usage"]["completion_tokens"] for r in responses)
    return prompt, completion, prompt / 2 + completion


def test_the_csv_has_exact_tokens_cost_and_budget(traffic: tuple[AuditRoute, dict]) -> None:
    route, sent = traffic
    done = report(route, "--since", "1h", "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = {row["tenant"]: row for row in csv.DictReader(io.StringIO(done.stdout))}
    assert set(rows) == {"acme", "globex"}
    model = sent["acme"][0].json()["model"]
    for tenant, responses in sent.items():
        prompt, completion, cost = expected(responses)
        row = rows[tenant]
        assert (row["model"], int(row["requests"])) == (model, len(responses))
        assert (int(row["prompt_tokens"]), int(row["completion_tokens"])) == (prompt, completion)
        assert float(row["cost_usd"]) == pytest.approx(cost)
        assert float(row["budget_remaining_usd"]) == pytest.approx(BUDGET_USD - cost)
        assert row["budget_runs_out_at"]  # a pace, so a forecast


def test_the_table_names_each_tenant_and_its_forecast(traffic: tuple[AuditRoute, dict]) -> None:
    route, sent = traffic
    done = report(route, "--since", "1h")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("usage since ")
    acme = next(line for line in lines[2:] if line.startswith("acme ") and "month" not in line)
    prompt, completion, _ = expected(sent["acme"])
    assert acme.split()[2:5] == ["2", str(prompt), str(completion)]
    forecast = next(line for line in lines if line.startswith("acme ") and " month " in line)
    assert " in " in forecast and "UTC" in forecast


def test_the_png_opens_as_a_chart(traffic: tuple[AuditRoute, dict], tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")  # the [report] extra (in [test]; an environment may lack it)
    Image = pytest.importorskip("PIL.Image")

    route, _ = traffic
    target = tmp_path / "usage.png"
    done = report(route, "--since", "1h", "--format", "png", "--output", str(target))
    assert done.returncode == 0, done.stderr
    with Image.open(target) as image:
        assert image.format == "PNG" and image.size == (1200, 500)
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50  # bars, text and legends, not a blank page


def test_a_since_in_the_future_or_unreadable_is_refused(traffic: tuple[AuditRoute, dict]) -> None:
    route, _ = traffic
    done = report(route, "--since", "yesterday-ish")
    assert done.returncode != 0 and "--since" in done.stderr
