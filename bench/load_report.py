"""results.md sections and PNG plots for the load benches (concurrency.py, limiter_accuracy.py).

Kept apart from run_all.py, which only sequences the steps: these turn one bench's JSON into markdown and
matplotlib figures. Plots need matplotlib (the ``[report]`` extra, also in ``[test]``); without it the
section says so and the tables stay.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench_report import format_ratio, markdown_table

#: Published anchors the issue quotes (BerriAI's ai-gateway-bench: their method, their machines): added p99
#: in ms at 1/16/64 clients.
ANCHORS_P99_MS = {"Bifrost": (0.75, 0.89, 29.0), "LiteLLM (Python)": (9.8, 251.0, 546.0)}
ANCHOR_CLIENTS = (1, 16, 64)
RUNTIME_LABELS = {"ours": "ours (green)", "stock": "stock threads", "stock-g": "stock gevent"}


def _ms(us: float) -> str:
    return f"{us / 1000:.1f}"


def cells_by_key(report: dict[str, Any]) -> dict[tuple[str, str, int], dict[str, Any]]:
    return {(c["runtime"], c["route"], c["clients"]): c for c in report["cells"]}


def anchor_sentence(report: dict[str, Any]) -> str:
    """Where the full chain's added p99 falls against the published anchors, level by level."""
    cells = cells_by_key(report)
    ours = []
    for clients in ANCHOR_CLIENTS:
        cell = cells.get(("ours", "full-chain", clients))
        if cell is None:
            return ""
        ours.append(cell["added_p99_ms"])
    bifrost, litellm = ANCHORS_P99_MS["Bifrost"], ANCHORS_P99_MS["LiteLLM (Python)"]
    places = []
    for value, low, high in zip(ours, bifrost, litellm, strict=True):
        if value <= low:
            places.append("at or below Bifrost's")
        elif value <= high:
            places.append("between Bifrost's and LiteLLM's")
        else:
            places.append("above LiteLLM's")
    return (
        "Placed against the anchors issue 17 quotes (BerriAI's ai-gateway-bench, added p99 at 1/16/64 "
        "clients: Bifrost 0.75/0.89/29 ms, LiteLLM 9.8/251/546 ms; their method, their machines, a real "
        "gateway): the "
        f"full chain here adds {ours[0]:.1f}/{ours[1]:.1f}/{ours[2]:.1f} ms p99 to the route without plugins "
        f"(ours, the same emulated gateway, these 2 shared cores), i.e. {places[0]} at 1 client, "
        f"{places[1]} at 16 and {places[2]} at 64: a placement, not a comparison of absolute times."
    )


def concurrency_section(report: dict[str, Any], plots: Sequence[str], plot_error: str | None) -> list[str]:
    settings = report["settings"]
    runtimes = settings["runtimes"]
    others = [r for r in runtimes if r != "ours"]
    cells = cells_by_key(report)
    lines = [
        "## Latency and throughput vs concurrent clients: each plugin alone, the chain, ours vs stock",
        "",
        f"`bench/concurrency.py`: {len(runtimes)} emulated gateways side by side, one per runtime "
        f"({', '.join(RUNTIME_LABELS.get(r, r) for r in runtimes)}), the same deck on each: no plugin "
        "(`bare`), each of the six plugins alone, and the six together (`full-chain`; the limiter and the "
        "audit log on one redis-server). C keep-alive clients released together, cells interleaved in "
        f"{settings['rounds']} rounds, at least {settings['requests']} requests per cell. Closed loop: at 16 "
        "and 64 clients the latency is mostly queueing in the emulated gateway (one Python process) and the "
        "plugin server, on 2 cores shared with the clients. Columns with three values are "
        f"{' / '.join(runtimes)}.",
        "",
    ]
    rows = []
    for route in report["routes"]:
        for clients in settings["clients"]:
            row_cells = [cells[(r, route, clients)] for r in runtimes]
            ours = row_cells[0]
            versus = []
            for other in others:
                theirs = cells[(other, route, clients)]
                versus.append(
                    f"{format_ratio(ours['p99_us'] / theirs['p99_us'])} / "
                    f"{format_ratio(ours['requests_per_s'] / theirs['requests_per_s'])}"
                )
            rows.append(
                [
                    route,
                    str(clients),
                    " / ".join(_ms(c["p50_us"]) for c in row_cells),
                    " / ".join(_ms(c["p99_us"]) for c in row_cells),
                    " / ".join(f"{c['requests_per_s']:.0f}" for c in row_cells),
                    " / ".join(format_ratio(c["p99_vs_bare"]) for c in row_cells),
                    f"{ours['added_p99_ms']:.1f}",
                    *versus,
                ]
            )
    lines += markdown_table(
        [
            "route",
            "clients",
            "p50 ms",
            "p99 ms",
            "requests/s",
            "p99 ÷ bare",
            "ours: added p99 ms",
            *(f"ours ÷ {o}: p99 / throughput" for o in others),
        ],
        rows,
    )
    lines += [
        "",
        "PDK round trips of one request on each route (ours; every phase, `log` included, from the "
        "emulator's record of the request):",
        "",
    ]
    lines += markdown_table(
        ["route", "PDK round trips", "per plugin (phase=count)"],
        [
            [
                r["route"],
                str(r["total"]),
                "; ".join(
                    f"{plugin} " + " ".join(f"{phase}={n}" for phase, n in phases.items())
                    for plugin, phases in r["per_phase"].items()
                )
                or "-",
            ]
            for r in report.get("pdk_round_trips", [])
        ],
    )
    anchors = anchor_sentence(report)
    lines += ["", *([anchors, ""] if anchors else [])]
    if plot_error:
        lines += [f"(Plots not drawn: {plot_error}.)", ""]
    else:
        lines += [f"![{name}](plots/{name})" for name in plots] + [""]
    return lines


def limiter_section(report: dict[str, Any]) -> list[str]:
    settings = report["settings"]
    lines = [
        "## ai-token-limiter under 50 and 200 concurrent clients, 1 and 2 gateway nodes, one Redis",
        "",
        "`bench/limiter_accuracy.py`: two emulated gateway nodes (each its own plugin server) share one "
        f"redis-server; with 2 nodes, clients alternate between them. Accuracy: a limit of "
        f"{settings['limit_per_client']} requests per client per hour ({settings['algorithm']}, a fresh "
        f"namespace per trial), {settings['oversubscribe']}x that many requests sent at once; admitted (200) "
        f"÷ limit. Total over-admission in this run: **{report['over_admitted_total']}**.",
        "",
    ]
    lines += markdown_table(
        ["clients", "nodes", "trial", "limit", "sent", "admitted", "admitted per node", "accuracy", "over"],
        [
            [
                str(t["clients"]),
                str(t["nodes"]),
                str(t["trial"]),
                str(t["limit"]),
                str(t["sent"]),
                str(t["admitted"]),
                " / ".join(str(n) for n in t["admitted_per_node"]),
                format_ratio(t["accuracy"]),
                str(t["over_admitted"]),
            ]
            for t in report["trials"]
        ],
    )
    lines += [
        "",
        "Admission latency: the same bursts on a route with the limiter (roomy limits, every request "
        "admitted: a reservation in `access`, a settlement in `response`) and on the route without plugins, "
        "interleaved.",
        "",
    ]
    lines += markdown_table(
        ["clients", "nodes", "no limiter p50 / p99 ms", "limiter p50 / p99 ms", "p50 ÷", "p99 ÷"],
        [
            [
                str(r["clients"]),
                str(r["nodes"]),
                f"{_ms(r['bare']['p50_us'])} / {_ms(r['bare']['p99_us'])}",
                f"{_ms(r['limiter']['p50_us'])} / {_ms(r['limiter']['p99_us'])}",
                format_ratio(r["p50_vs_bare"]),
                format_ratio(r["p99_vs_bare"]),
            ]
            for r in report["latency"]
        ],
    )
    return [*lines, ""]


def draw_concurrency_plots(report: dict[str, Any], plot_dir: Path) -> tuple[list[str], str | None]:
    """PNG figures of the latency vs clients table; (file names, None) or ([], why not drawn)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return [], "matplotlib is not installed (pip install '.[report]')"
    cells = cells_by_key(report)
    settings = report["settings"]
    clients = settings["clients"]
    plot_dir.mkdir(exist_ok=True)
    names = []

    figure, axes = plt.subplots(1, 2, figsize=(10, 4), sharex=True)
    for axis, key, title in ((axes[0], "p50_us", "p50"), (axes[1], "p99_us", "p99")):
        for color, runtime in enumerate(settings["runtimes"]):
            for route, style in (("bare", ":"), ("full-chain", "-")):
                values = [cells[(runtime, route, c)][key] / 1000 for c in clients]
                label = f"{route}, {RUNTIME_LABELS[runtime]}"
                axis.plot(clients, values, style, color=f"C{color}", marker="o", label=label)
        axis.set_xscale("log", base=2)
        axis.set_yscale("log")  # 1 client and 64 differ by two orders of magnitude
        axis.set_xticks(clients, [str(c) for c in clients])
        axis.set_xlabel("concurrent clients")
        axis.set_ylabel(f"{title} ms (log scale)")
        axis.set_title(f"request {title}: no plugin vs the six-plugin chain")
        axis.grid(alpha=0.3)
    axes[1].legend(fontsize=7)
    figure.tight_layout()
    names.append("concurrency_chain.png")
    figure.savefig(plot_dir / names[-1], dpi=90)
    plt.close(figure)

    figure, axis = plt.subplots(figsize=(7, 4))
    for route in report["routes"]:
        if route == "bare":
            continue
        values = [cells[("ours", route, c)]["p99_vs_bare"] or 0.0 for c in clients]
        axis.plot(clients, values, marker="o", label=route)
    axis.set_xscale("log", base=2)
    axis.set_xticks(clients, [str(c) for c in clients])
    axis.set_xlabel("concurrent clients")
    axis.set_ylabel("p99 ÷ no plugin")
    axis.set_title("ours (green): p99 of each plugin alone and of the chain ÷ no plugin", fontsize=10)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7)
    figure.tight_layout()
    names.append("concurrency_plugins.png")
    figure.savefig(plot_dir / names[-1], dpi=90)
    plt.close(figure)
    return names, None
