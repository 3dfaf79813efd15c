"""The benches run end to end with tiny iteration counts and write well-formed JSON.

These tests check the shape of what a bench reports (keys, counts, the PDK round trips it read from the
gateway) and that it stops every process it started. They never look at how fast anything was: timings on
a shared machine are not something a test can assert.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
BENCH_DIR = REPO_ROOT / "bench"
RUN_TIMEOUT_S = 110
SUMMARY_KEYS = {"count", "p50_us", "p99_us", "mean_us", "min_us", "max_us"}

pytestmark = pytest.mark.slow


def run_bench(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH_DIR / script), *args],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        cwd=REPO_ROOT,
        check=False,
    )


def workdir_of(stderr: str) -> Path:
    """The temporary directory the bench announced on its progress stream ("logs in DIR")."""
    match = re.search(r"logs in (\S+?)\)", stderr)
    assert match, stderr
    return Path(match.group(1))


def processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes that contain ``text`` (a bench's unique temporary path)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline:
            found.append(f"{entry.name}: {cmdline}")
    return found


def assert_summary(entry: dict[str, Any], count: int) -> None:
    assert entry.keys() >= SUMMARY_KEYS, entry
    assert entry["count"] == count
    assert 0 < entry["min_us"] <= entry["p50_us"] <= entry["p99_us"] <= entry["max_us"]


def assert_left_nothing_behind(stderr: str) -> None:
    workdir = workdir_of(stderr)
    assert not workdir.exists(), f"{workdir} was not removed"
    assert processes_mentioning(str(workdir)) == []


def test_pluginserver_overhead_reports_every_server_case_and_ratio(tmp_path: Path) -> None:
    out = tmp_path / "ps.json"
    result = run_bench(
        "pluginserver_overhead.py",
        *("--iterations", "5", "--rounds", "2", "--connections", "2", "--concurrent-events", "4"),
        *("--json", str(out)),
    )
    assert result.returncode == 0, result.stderr

    report = json.loads(out.read_text())
    assert report["bench"] == "pluginserver_overhead"
    assert {"cpus", "python", "kong_pdk"} <= report["machine"].keys()
    assert report["settings"]["servers"] == ["echo", "stock", "stock-g", "ours", "ours-g", "ours-green"]
    assert_summary(report["floor"], 5)
    cases = {(c["server"], c["case"]): c for c in report["cases"]}
    expected_cases = {("echo", "echo")} | {
        (server, case)
        for server in ("stock", "stock-g", "ours", "ours-g", "ours-green")
        for case in ("noop", "pdk1", "pdk5")
    }
    assert cases.keys() == expected_cases
    for entry in cases.values():
        assert_summary(entry, 5)
        assert entry["round_trips"] == 1 + entry["pdk_calls"]
        assert entry["p50_over_floor"] > 0
    assert [cases[("ours", c)]["pdk_calls"] for c in ("noop", "pdk1", "pdk5")] == [0, 1, 5]
    assert [c["server"] for c in report["concurrency"]] == [
        "echo",
        "stock",
        "stock-g",
        "ours",
        "ours-g",
        "ours-green",
    ]
    for entry in report["concurrency"]:
        assert entry["connections"] == 2
        assert entry["events"] == 4
        assert entry["events_per_s"] > 0
    comparisons = {(r["ours"], r["reference"], r["case"]) for r in report["ratios"]}
    for ours, reference in (
        ("ours", "stock"),
        ("ours-g", "stock-g"),
        ("ours-g", "stock"),
        ("ours-green", "stock-g"),
        ("ours-green", "ours"),
    ):
        for case in ("noop", "pdk1", "pdk5", "concurrent-pdk5"):
            assert (ours, reference, case) in comparisons
    for entry in report["ratios"]:
        assert entry["p50"] > 0 and entry["p99"] > 0
        if entry["case"].startswith("concurrent"):
            assert entry["throughput"] > 0

    per_call = {row["server"]: row for row in report["per_call"]}  # issue 17's targets, per server
    assert per_call.keys() == {"stock", "stock-g", "ours", "ours-g", "ours-green"}
    assert all(row["per_call_over_floor"] is not None for row in per_call.values())
    assert "ratios" in result.stdout and "p50 us" in result.stdout  # the table is on stdout
    assert "[pluginserver_overhead]" in result.stderr  # progress goes to stderr only
    assert "[pluginserver_overhead]" not in result.stdout
    assert_left_nothing_behind(result.stderr)


def test_pluginserver_overhead_runs_a_subset_of_servers(tmp_path: Path) -> None:
    out = tmp_path / "ps.json"
    result = run_bench(
        "pluginserver_overhead.py",
        *("--iterations", "3", "--servers", "ours,stock", "--connections", "0", "--json", str(out)),
    )
    assert result.returncode == 0, result.stderr

    report = json.loads(out.read_text())
    assert report["floor"] is None
    assert {c["server"] for c in report["cases"]} == {"stock", "ours"}
    assert report["concurrency"] == []
    assert {(r["ours"], r["reference"]) for r in report["ratios"]} == {("ours", "stock")}
    assert_left_nothing_behind(result.stderr)


def test_chain_overhead_reports_routes_pdk_round_trips_and_sse_buffering(tmp_path: Path) -> None:
    out = tmp_path / "chain.json"
    result = run_bench("chain_overhead.py", "--iterations", "5", "--sse-iterations", "2", "--json", str(out))
    assert result.returncode == 0, result.stderr

    report = json.loads(out.read_text())
    assert report["bench"] == "chain_overhead"
    assert report["settings"]["baseline"] == "bare"
    routes = {r["route"]: r for r in report["routes"]}
    configured = json.loads((REPO_ROOT / "bench" / "routes.json").read_text())["routes"]
    assert list(routes) == [route["name"] for route in configured]
    for entry in routes.values():
        assert_summary(entry, 5)
        assert entry["p50_vs_baseline"] > 0 and entry["p99_vs_baseline"] > 0
    assert routes["bare"]["p50_vs_baseline"] == 1.0
    assert routes["bare"]["pdk_calls"] == {} and routes["bare"]["pdk_round_trips"] == 0
    resolver = routes["tenant-resolver"]
    assert resolver["plugins"] == ["ai-tenant-resolver"]
    assert resolver["pdk_calls"]["ai-tenant-resolver"]["access"] >= 1  # read from X-Emulator-Pdk-Calls
    assert resolver["pdk_round_trips"] == sum(resolver["pdk_calls"]["ai-tenant-resolver"].values())
    assert (
        resolver["pdk_calls_all_phases"]["ai-tenant-resolver"]["access"]
        == (resolver["pdk_calls"]["ai-tenant-resolver"]["access"])
    )

    sse = {s["route"]: s for s in report["sse"]}
    assert sse["sse-plain"]["buffered"] is False and sse["sse-plain"]["plugins"] == []
    assert sse["sse-response-phase"]["buffered"] is True
    assert sse["sse-response-phase"]["plugins"] == ["wire_probe_resp"]
    for entry in sse.values():
        assert_summary(entry["ttfb"], 2)
        assert_summary(entry["total"], 2)
        assert entry["ttfb_p50_vs_unbuffered"] > 0
    assert sse["sse-plain"]["ttfb_p50_vs_unbuffered"] == 1.0

    assert "SSE stream" in result.stdout and "tenant-resolver" in result.stdout
    assert "[chain_overhead]" in result.stderr and "[chain_overhead]" not in result.stdout
    assert_left_nothing_behind(result.stderr)


def test_chain_overhead_fails_clearly_when_a_route_rejects_the_request(tmp_path: Path) -> None:
    routes = tmp_path / "routes.json"
    routes.write_text(
        json.dumps(
            {
                "routes": [
                    {"name": "bare"},
                    {
                        "name": "unknown-tenant",
                        "plugins": [{"name": "ai-tenant-resolver", "config": {"sources": ["header"]}}],
                        "headers": {"X-Tenant-ID": "nobody"},
                    },
                ]
            }
        )
    )
    out = tmp_path / "chain.json"
    result = run_bench(
        "chain_overhead.py", "--iterations", "3", "--no-sse", "--routes", str(routes), "--json", str(out)
    )
    assert result.returncode == 1
    assert "route unknown-tenant: status 4" in result.stderr
    assert not out.exists()
    assert_left_nothing_behind(result.stderr)


def test_chain_overhead_refuses_a_malformed_routes_file(tmp_path: Path) -> None:
    routes = tmp_path / "routes.json"
    routes.write_text(json.dumps({"routes": [{"name": "Not A Name"}]}))
    result = run_bench("chain_overhead.py", "--routes", str(routes))
    assert result.returncode == 2
    assert "routes[0].name" in result.stderr


def test_output_redactor_reports_throughput_round_trips_and_ttfb(tmp_path: Path) -> None:
    out = tmp_path / "redactor.json"
    result = run_bench(
        "output_redactor.py",
        "--iterations",
        "3",
        "--sse-events",
        "200",
        "--sse-iterations",
        "1",
        "--json",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    cases = {row["case"]: row for row in report["throughput"]}
    assert set(cases) == {"json-100KB-sparse", "json-100KB-dense", "sse-2000-events"}
    assert cases["json-100KB-sparse"]["redactions"] > 0 and cases["json-100KB-dense"]["redactions"] > 0
    assert all(row["ratio_to_plain"] > 0 for row in cases.values())
    gateway = report["gateway"]
    assert gateway["pdk_calls"] == {
        # access: the redactor announces it finishes replaced answers (ai_guard.finisher, docs/context.md);
        # response: the entry is read first (a replaced answer may be waiting in it), then written if redacted
        "clean": "ai-output-redactor.access=1, ai-output-redactor.response=5",
        "redacted": "ai-output-redactor.access=1, ai-output-redactor.response=6",
    }
    assert gateway["ttfb_ratio"] > 0
    assert "Redaction throughput" in result.stdout


def test_action_authz_reports_policy_sets_ratios_and_round_trips(tmp_path: Path) -> None:
    out = tmp_path / "authz.json"
    result = run_bench("action_authz.py", "--rounds", "1", "--iterations", "2", "--json", str(out))
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert {(e["policies"], e["case"]) for e in report["cases"]} == {
        (policies, case)
        for policies in ("10", "1000 global", "1000 scoped")
        for case in ("decision", "decision cached", "handler")
    }
    assert all("ratio_to_rest_of_handler" in e for e in report["cases"] if e["case"] == "decision")
    assert (
        report["pdk_round_trips"]["access, allowed after ai-input-guard"] == 2
    )  # the ai_guard entry read, then written back with the decision


def test_audit_log_bench_reports_the_handler_and_every_sink(tmp_path: Path) -> None:
    out = tmp_path / "audit.json"
    result = run_bench("audit_log.py", "--records", "200", "--calls", "100", "--json", str(out))
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert [case["sink_up"] for case in report["handler"]] == [True, False]
    for case in report["handler"]:
        assert_summary(case["build"], 100)
        assert_summary(case["submit"], 100)
    assert [s["sink"] for s in report["sinks"]] == ["redis", "file", "syslog", "http"]
    assert all(s["records"] == 200 and s["records_per_s"] > 0 for s in report["sinks"])
    assert "records/s" in result.stdout
    assert_left_nothing_behind(result.stderr)


def test_concurrency_reports_every_route_runtime_and_client_count(tmp_path: Path) -> None:
    out = tmp_path / "concurrency.json"
    result = run_bench(
        "concurrency.py", "--requests", "2", "--clients", "1,3", "--rounds", "1", "--json", str(out)
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    chain = ["ai-tenant-resolver", "ai-input-guard", "ai-action-authz", "ai-token-limiter"]
    chain += ["ai-output-redactor", "ai-audit-log"]
    assert report["settings"]["chain"] == chain
    routes = ["bare", *(name.removeprefix("ai-") for name in chain), "full-chain"]
    assert report["routes"] == routes
    cells = {(c["runtime"], c["route"], c["clients"]): c for c in report["cells"]}
    assert cells.keys() == {
        (runtime, route, clients)
        for runtime in ("ours", "stock", "stock-g")
        for route in routes
        for clients in (1, 3)
    }
    for (_runtime, route, clients), cell in cells.items():
        assert_summary(cell, 2 if clients == 1 else 3)  # at least one request per client and round
        assert cell["requests_per_s"] > 0
        if route == "bare":
            assert cell["p50_vs_bare"] == 1.0 and cell["added_p99_ms"] == 0
    versus = {(r["route"], r["clients"], r["versus"]) for r in report["ours_vs"]}
    assert versus == {(r, c, v) for r in routes for c in (1, 3) for v in ("stock", "stock-g")}
    trips = {r["route"]: r for r in report["pdk_round_trips"]}
    assert list(trips) == routes and trips["bare"]["total"] == 0
    assert set(trips["full-chain"]["per_plugin"]) == set(chain)
    for plugin in chain:
        assert list(trips[plugin.removeprefix("ai-")]["per_plugin"]) == [plugin]
    assert_left_nothing_behind(result.stderr)


def test_limiter_accuracy_admits_exactly_the_limit_on_one_and_two_nodes(tmp_path: Path) -> None:
    out = tmp_path / "limiter.json"
    result = run_bench(
        "limiter_accuracy.py",
        *("--clients", "3,6", "--nodes", "1,2", "--trials", "1", "--limit-per-client", "2"),
        *("--latency-requests", "6", "--rounds", "1", "--json", str(out)),
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert [(t["clients"], t["nodes"]) for t in report["trials"]] == [(3, 1), (6, 1), (3, 2), (6, 2)]
    for trial in report["trials"]:
        # counts, not times: a limit of 2 per client, twice that sent, exactly the limit admitted
        assert trial["limit"] == 2 * trial["clients"] and trial["sent"] == 2 * trial["limit"]
        assert trial["admitted"] == trial["limit"] and trial["refused"] == trial["limit"]
        assert sum(trial["admitted_per_node"]) == trial["admitted"]
        assert trial["over_admitted"] == 0 and trial["accuracy"] == 1.0
    assert report["over_admitted_total"] == 0
    assert [(r["clients"], r["nodes"]) for r in report["latency"]] == [(3, 1), (6, 1), (3, 2), (6, 2)]
    assert all(r["p50_vs_bare"] > 0 for r in report["latency"])
    assert_left_nothing_behind(result.stderr)
