"""Allow/deny expectations run against a policy offline (``kong-ai policy test FILE --cases CASES.yaml``).

A case file is what teams keep next to their policy in Git and run in CI. Each case names a caller, a
request body (or one tool call) and the expected verdict; it is decided exactly as the plugin decides it
(:func:`.actions.request_actions` + :func:`.decide.decide`)::

    route: chat-api                 # default Route::"<name>" of every case (default "*")
    cases:
      - name: pro tenants may stream
        tenant: acme                # principal: Tenant::"acme" (or Consumer::"<consumer>" inside it)
        tier: pro
        roles: [analyst]            # optional; consumer: alice, route: ..., method/path: ...
        request: {model: gpt-4o, stream: true, messages: [{role: user, content: hi}]}
        expect: allow
      - name: a transfer from another tenant's account is refused
        tenant: acme
        tier: pro
        tool_call: {name: transfer, arguments: {account: globex}}   # tool.call, response phase
        expect: deny
        rule: default-deny          # optional: the deciding rule, and level: endpoint | tenant | action
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kong_plugins.ai_action_authz.actions import (
    RequestView,
    argument_tags,
    request_actions,
    request_context,
)
from kong_plugins.ai_action_authz.decide import ActionRequest, DecisionCache, Principal, decide
from kong_plugins.ai_action_authz.facts import view_from_body
from kong_plugins.ai_action_authz.policy import CompiledPolicy

__all__ = ["CaseError", "CaseResult", "run_cases"]

MAX_CASES = 10_000


class CaseError(ValueError):
    """The case file is malformed (the message says which case and why)."""


@dataclass(frozen=True)
class CaseResult:
    name: str
    passed: bool
    expected: str
    got: str
    rule: str
    level: str

    def line(self) -> str:
        mark = "ok  " if self.passed else "FAIL"
        return f"{mark} {self.name}: expected {self.expected}, got {self.got} ({self.level}: {self.rule})"


def run_cases(policy: CompiledPolicy, document: Any) -> list[CaseResult]:
    """Decide every case of ``document`` (the parsed YAML) against ``policy``."""
    if not isinstance(document, dict) or not isinstance(document.get("cases"), list):
        raise CaseError("a case file is a map with a 'cases' list")
    default_route = str(document.get("route") or "*")
    cases = document["cases"]
    if len(cases) > MAX_CASES:
        raise CaseError(f"more than {MAX_CASES} cases")
    results = []
    for number, case in enumerate(cases, start=1):
        if not isinstance(case, dict):
            raise CaseError(f"case {number} is not a map")
        results.append(_run(policy, case, number, default_route))
    return results


def _run(policy: CompiledPolicy, case: dict[str, Any], number: int, default_route: str) -> CaseResult:
    name = str(case.get("name") or f"case {number}")
    expected = case.get("expect")
    if expected not in ("allow", "deny"):
        raise CaseError(f"{name}: 'expect' must be allow or deny")
    principal = Principal(
        tenant=str(case.get("tenant") or ""),
        tier=str(case.get("tier") or ""),
        region=str(case.get("region") or ""),
        roles=tuple(str(r) for r in case.get("roles") or []),
        consumer=str(case["consumer"]) if case.get("consumer") else None,
    )
    body = case.get("request")
    view = view_from_body(json.dumps(body).encode()) if body is not None else RequestView()
    view = RequestView(
        **{**view.__dict__, "method": str(case.get("method") or ""), "path": str(case.get("path") or "")}
    )
    context = request_context(view)
    route = str(case.get("route") or default_route)
    tool_call = case.get("tool_call")
    attributes = {str(k): str(v) for k, v in (case.get("attributes") or {}).items()}
    if tool_call is not None:
        if not isinstance(tool_call, dict) or not isinstance(tool_call.get("name"), str):
            raise CaseError(f"{name}: 'tool_call' needs a name")
        arguments = argument_tags(tool_call.get("arguments") or {})
        actions = [ActionRequest("tool.call", "Tool", tool_call["name"], arguments)]
        context = {**context, "phase": "response"}
    else:
        actions = request_actions(route, view)
    decision = decide(policy, principal, actions, context, attributes, DecisionCache(0))
    got = "allow" if decision.allowed else "deny"
    passed = got == expected
    if passed and case.get("rule") is not None:
        passed = decision.rule == str(case["rule"])
    if passed and case.get("level") is not None:
        passed = decision.level == str(case["level"])
    return CaseResult(name, passed, str(expected), got, decision.rule, decision.level)
