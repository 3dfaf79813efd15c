#!/usr/bin/env python3
"""ai-action-authz: what a decision costs with 1,000 policies as a ratio to 10, and to the rest of the plugin.

One request (an OpenAI chat request for ``gpt-4o`` offering the tool ``search``: five actions, ``route.call``,
``model.use``, ``feature.use``, ``chat.create``, ``tool.offer``) is decided against three policy sets:

* ``10``              ten policies that apply to every tenant;
* ``1000 global``     1,000 policies that apply to every tenant (Cedar evaluates them all: the worst case);
* ``1000 scoped``     10 shared policies + 990 scoped to one tenant each (``principal in Tenant::"t<n>"``):
                      the plugin evaluates the tenant's slice only (11 policies).

For each set the same run measures, interleaved round by round:

* ``decision``        one Cedar batch call for the five actions (decision cache off);
* ``decision cached`` the same request again, answered from the decision cache;
* ``handler``         the plugin's ``access`` handler on an in-process ``kong`` (facts read, decision, facts
                      published; PDK calls cost nothing here), decision cache off.

Ratios: each set's ``decision`` p50 to the ``10`` set's, and ``decision`` to ``handler - decision`` (the rest
of the plugin's work). The PDK round trips of the handler are counted per outcome (the code the plugin
server runs). Usage: ``python bench/action_authz.py [--rounds 10] [--json out.json]`` (about 10 s).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from bench_report import Progress, bounded_int, machine_info, publish, render_table, summarize

from kong_plugins.ai_action_authz import Plugin
from kong_plugins.ai_action_authz.actions import request_actions, request_context
from kong_plugins.ai_action_authz.decide import DecisionCache, Principal, decide
from kong_plugins.ai_action_authz.facts import view_from_body
from kong_plugins.ai_action_authz.policy import compile_policy
from kong_plugins.core.context import ENTRY_KEY

BODY = json.dumps(
    {
        "model": "gpt-4o",
        "max_tokens": 256,
        "messages": [{"role": "user", "content": "What is the weather in Oslo?"}],
        "tools": [{"type": "function", "function": {"name": "search"}}],
    }
).encode()
TENANT = {"v": 1, "id": "t5", "source": "header", "tier": "pro", "status": "active", "allowed_models": []}
REQUEST = {
    "v": 1,
    "format": "openai-chat",
    "model": "gpt-4o",
    "stream": False,
    "max_tokens": 256,
    "tool_names": ["search"],
}
SHARED = [
    '@id("routes") permit(principal, action == Action::"route.call", resource);',
    '@id("chat") permit(principal in Tier::"pro", action == Action::"chat.create", resource);',
    '@id("models") permit(principal in Tier::"pro", action == Action::"model.use", resource);',
    '@id("features") permit(principal in Tier::"pro", action == Action::"feature.use", resource);',
    '@id("search") permit(principal, action == Action::"tool.offer", resource == Tool::"search");',
    '@id("no-o1") forbid(principal, action == Action::"model.use", resource == Model::"o1");',
    '@id("no-shell") forbid(principal, action == Action::"tool.offer", resource == Tool::"shell");',
    '@id("size") forbid(principal in Tier::"free", action == Action::"chat.create", resource)'
    " when { context has max_tokens && context.max_tokens > 1024 };",
    '@id("embed") permit(principal in Tier::"pro", action == Action::"embeddings.create", resource);',
    '@id("stream") forbid(principal in Tier::"free", action == Action::"feature.use", resource);',
]


def policy_sets() -> dict[str, str]:
    filler = [
        f'@id("g{n}") forbid(principal in Tier::"tier{n}", action == Action::"tool.offer", resource == '
        f'Tool::"tool{n}") when {{ context has max_tokens && context.max_tokens > {n} }};'
        for n in range(990)
    ]
    scoped = [
        f'@id("t{n}") permit(principal in Tenant::"t{n}", action == Action::"tool.offer", resource == '
        f'Tool::"tool{n}") when {{ context has max_tokens && context.max_tokens < {n + 100} }};'
        for n in range(990)
    ]
    return {
        "10": "\n".join(SHARED),
        "1000 global": "\n".join(SHARED + filler),
        "1000 scoped": "\n".join(SHARED + scoped),
    }


class CountingKong:
    """The smallest ``kong`` the handler accepts: answers from fixed data and counts every PDK call."""

    def __init__(self, shared: dict[str, Any], body: bytes = BODY, response: bytes = b"") -> None:
        self.shared = dict(shared)
        self.body, self.answer_body = body, response
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> _Call:
        return _Call(self, name)

    def answer(self, method: str, args: tuple[Any, ...]) -> Any:
        self.calls.append(method)
        if method == "ctx.shared.get":
            return self.shared.get(args[0])
        if method == "ctx.shared.set":
            self.shared[args[0]] = args[1]
        if method == "request.get_raw_body":
            return self.body
        if method == "service.response.get_raw_body":
            return self.answer_body
        if method == "response.get_status":
            return 200
        return None


class _Call:
    def __init__(self, kong: CountingKong, path: str) -> None:
        self._kong, self._path = kong, path

    def __getattr__(self, name: str) -> _Call:
        return _Call(self._kong, f"{self._path}.{name}")

    def __call__(self, *args: Any) -> Any:
        return self._kong.answer(self._path, args)


def cases_for(text: str) -> dict[str, Callable[[], Any]]:
    compiled = compile_policy(text)
    plugin = Plugin({"policy": text, "cache_size": 0})
    principal = Principal(tenant="t5", tier="pro")
    view = view_from_body(BODY)
    actions = request_actions("*", view)
    context = request_context(view)
    cold, warm = DecisionCache(0), DecisionCache(100)
    decide(compiled, principal, actions, context, {}, warm)
    shared = {ENTRY_KEY: {"tenant": TENANT, "request": REQUEST}}

    def decision() -> Any:
        result = decide(compiled, principal, actions, context, {}, cold)
        assert result.allowed
        return result

    return {
        "decision": decision,
        "decision cached": lambda: decide(compiled, principal, actions, context, {}, warm),
        "handler": lambda: plugin.access(CountingKong(shared)),
    }


def measure(sets: dict[str, str], rounds: int, iterations: int, progress: Callable[[str], None]) -> list[Any]:
    cases = {name: cases_for(text) for name, text in sets.items()}
    samples: dict[tuple[str, str], list[int]] = {}
    for by_case in cases.values():  # warm-up
        for run in by_case.values():
            run()
    for round_index in range(rounds):
        progress(f"round {round_index + 1}/{rounds}")
        for set_name, by_case in cases.items():
            for case, run in by_case.items():
                bucket = samples.setdefault((set_name, case), [])
                for _ in range(iterations):
                    started = time.perf_counter_ns()
                    run()
                    bucket.append(time.perf_counter_ns() - started)
    reference = summarize(samples[("10", "decision")]).p50_us
    results = []
    for set_name in sets:
        decision = summarize(samples[(set_name, "decision")]).p50_us
        handler = summarize(samples[(set_name, "handler")]).p50_us
        for case in cases[set_name]:
            summary = summarize(samples[(set_name, case)])
            entry = {
                "policies": set_name,
                "case": case,
                "count": summary.count,
                "p50_us": round(summary.p50_us, 1),
                "p99_us": round(summary.p99_us, 1),
                "ratio_to_10_policies": round(summary.p50_us / reference, 2),
            }
            if case == "decision":
                rest = max(handler - decision, 0.001)
                entry["ratio_to_rest_of_handler"] = round(decision / rest, 2)
            results.append(entry)
    return results


def pdk_round_trips() -> dict[str, int]:
    """PDK calls of the handler per outcome (the same code the plugin server runs)."""
    text = "\n".join(SHARED)
    shared = {ENTRY_KEY: {"tenant": TENANT, "request": REQUEST}}
    tool_answer = json.dumps(
        {
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "tool_calls",
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {"id": "c", "type": "function", "function": {"name": "x", "arguments": "{}"}}
                        ],
                    },
                }
            ]
        }
    ).encode()
    plain = json.dumps(
        {"choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}}]}
    ).encode()
    counts: dict[str, int] = {}

    def run(name: str, config: dict[str, Any], kong: CountingKong, phase: str = "access") -> None:
        plugin = Plugin({"policy": text, **config})
        getattr(plugin, phase)(kong)
        counts[name] = len(kong.calls)

    run("access, allowed after ai-input-guard", {}, CountingKong(shared))
    run(
        "access, allowed, no ai-input-guard (reads the body)",
        {},
        CountingKong({ENTRY_KEY: {"tenant": TENANT}}),
    )
    denied = {ENTRY_KEY: {"tenant": {**TENANT, "tier": "free"}, "request": REQUEST}}
    run("access, denied", {}, CountingKong(denied))
    allowed = CountingKong(shared)
    Plugin({"policy": text}).access(allowed)
    after = allowed.shared
    run("response, no tool call", {}, CountingKong(after, response=plain), "response")
    run("response, tool call blocked", {}, CountingKong(after, response=tool_answer), "response")
    run(
        "response, tool call stripped",
        {"on_violation": "strip"},
        CountingKong(after, response=tool_answer),
        "response",
    )
    assert "authz" in after[ENTRY_KEY]
    return counts


def render(report: dict[str, Any]) -> str:
    rows = [
        [
            entry["policies"],
            entry["case"],
            f"{entry['p50_us']}",
            f"{entry['p99_us']}",
            f"{entry['ratio_to_10_policies']}",
            f"{entry.get('ratio_to_rest_of_handler', '')}",
        ]
        for entry in report["cases"]
    ]
    lines = [
        render_table(["policies", "case", "p50 us", "p99 us", "x 10 policies", "x rest of handler"], rows),
        "",
        "PDK round trips per request",
    ]
    lines += [f"  {count}  {name}" for name, count in report["pdk_round_trips"].items()]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=bounded_int(1, 100), default=10, help="interleaving rounds")
    parser.add_argument(
        "--iterations", type=bounded_int(1, 10000), default=100, help="runs per case and round"
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    args = parser.parse_args()
    started = time.monotonic()
    progress = Progress("action_authz")
    sets = policy_sets()
    report: dict[str, Any] = {
        "bench": "action_authz",
        "machine": machine_info(),
        "settings": {"rounds": args.rounds, "iterations": args.iterations, "actions_per_request": 5},
        "cases": measure(sets, args.rounds, args.iterations, lambda text: progress.update(text, force=True)),
        "pdk_round_trips": pdk_round_trips(),
    }
    return publish(report, started, render, args.json, progress)


if __name__ == "__main__":
    sys.exit(main())
