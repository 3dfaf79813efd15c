"""The posture rubric of ``kong-ai assess``, as data: which control each maturity level asks of an AI route.

The levels are the seed's maturity indicators (README, "Posture"): **Foundational** (nothing required),
**Applied**, **Advanced**, **Strategic**. A route reaches a level when every control of that level and of the
levels below it is in place; :data:`CONTROLS` lists each control with its level, what counts as in place
(``check``: route -> (in place?, detail)) and the exact configuration change that puts it in place
(``fix``: route -> changes). docs/posture.md is this table in words; ``kong-ai assess --rubric`` prints it.

Everything is judged from the configuration alone: what Kong runs on the route (its own plugins on the
route, its service or globally, and ours). Two parts of the seed's Strategic level are not configuration
(regular external audits; red-team exercises against each layer): they are listed as
:data:`NOT_FROM_CONFIG`, never graded.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from kong_plugins.cli.assess.model import PluginEntry, RouteView

__all__ = [
    "CALIBRATED_TAG",
    "CONTROLS",
    "LEVELS",
    "NOT_FROM_CONFIG",
    "Change",
    "Control",
    "ControlResult",
    "RouteAssessment",
    "assess_route",
    "is_ai_route",
    "level_index",
]

LEVELS: Final = ("Foundational", "Applied", "Advanced", "Strategic")

RESOLVER: Final = "ai-tenant-resolver"
GUARD: Final = "ai-input-guard"
AUTHZ: Final = "ai-action-authz"
LIMITER: Final = "ai-token-limiter"
LIMITER_STREAM: Final = "ai-token-limiter-stream"
REDACTOR: Final = "ai-output-redactor"
AUDIT: Final = "ai-audit-log"
FAIL_CLOSED: Final = "ai-fail-closed"
FAIL_CLOSED_RESPONSE: Final = "ai-fail-closed-response"
OURS: Final = (
    RESOLVER,
    GUARD,
    AUTHZ,
    LIMITER,
    LIMITER_STREAM,
    REDACTOR,
    AUDIT,
    FAIL_CLOSED,
    FAIL_CLOSED_RESPONSE,
)

#: Kong's authentication plugins (OSS 3.9 bundled, and Kong Gateway Enterprise's) -> the kind of credential.
KONG_AUTH: Final = {
    "key-auth": "api-key",
    "key-auth-enc": "api-key",
    "jwt": "jwt",
    "oauth2": "oauth2",
    "oauth2-introspection": "oauth2",
    "openid-connect": "openid-connect",
    "mtls-auth": "mtls",
    "basic-auth": "basic",
    "hmac-auth": "hmac",
    "ldap-auth": "ldap",
    "ldap-auth-advanced": "ldap",
    "vault-auth": "vault",
}

#: Kong's bundled log plugins: a route with one of them keeps inference logs (the Applied level's bar).
KONG_LOGS: Final = (
    "file-log",
    "http-log",
    "tcp-log",
    "udp-log",
    "syslog",
    "loggly",
    "datadog",
    "opentelemetry",
)

#: Sources whose tenant a client cannot choose: verified credentials (and ``consumer``, set by Kong auth).
VERIFIED_SOURCES: Final = ("api_key", "jwt", "consumer")

#: Tag of an ai-token-limiter entry whose limits were calibrated from legitimate usage: ``calibrated:<date>``.
CALIBRATED_TAG: Final = "calibrated"
_CALIBRATED_RE: Final = re.compile(r"^calibrated:\d{4}-\d{2}-\d{2}$")

#: Request paths of the LLM APIs our plugins understand: a route serving one is an AI route.
_AI_PATHS: Final = re.compile(r"(chat/completions|/completions|/embeddings|/messages|/responses)/?$")

#: The mTLS identity check Kong OSS can make on a route (docs/posture.md, "Client certificates").
_MTLS_CHECK: Final = "ssl_client_verify"

_ACCOUNT_SCOPES: Final = ("tenant", "consumer", "tenant_model", "consumer_model")
_AGGREGATE_SCOPES: Final = ("global", "route")

NOT_FROM_CONFIG: Final = (
    "Strategic: the platform is audited on a regular schedule by external specialists",
    "Strategic: red-team exercises attempt to bypass each layer of the serving stack",
)


@dataclass(frozen=True)
class Change:
    """One configuration change on a route: ``add`` a plugin entry with ``value`` as its config, ``set`` a
    config field (dotted ``path``) to ``value``, ``tag`` the entry with ``value``, or ``run`` a command."""

    op: str
    plugin: str
    path: str = ""
    value: Any = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"op": self.op, "plugin": self.plugin}
        if self.path:
            out["path"] = self.path
        if self.value is not None:
            out["value"] = self.value
        if self.note:
            out["note"] = self.note
        return out


Check = Callable[[RouteView], tuple[bool, str]]
Fix = Callable[[RouteView], list[Change]]


@dataclass(frozen=True)
class Control:
    id: str
    level: int  # index in LEVELS
    title: str
    requires: str  # what counts as in place, in words (docs/posture.md)
    check: Check = field(repr=False)
    fix: Fix = field(repr=False)


@dataclass(frozen=True)
class ControlResult:
    control: Control
    ok: bool
    detail: str


@dataclass
class RouteAssessment:
    route: RouteView
    level: int
    authentication: list[str]
    results: list[ControlResult]
    changes: list[tuple[str, Change]]  # (control id, change) that reach level + 1

    @property
    def next_level(self) -> int | None:
        return self.level + 1 if self.level + 1 < len(LEVELS) else None

    def missing(self, level: int) -> list[str]:
        return [r.control.id for r in self.results if not r.ok and r.control.level == level]


def level_index(name: str) -> int:
    """``advanced`` -> 2 (case-insensitive); ValueError for an unknown name."""
    for index, level in enumerate(LEVELS):
        if level.lower() == name.strip().lower():
            return index
    raise ValueError(f"unknown level {name!r}: one of {', '.join(level.lower() for level in LEVELS)}")


# ------------------------------------------------------------------------------------------------------------
# Facts about a route
# ------------------------------------------------------------------------------------------------------------


def is_ai_route(route: RouteView) -> bool:
    """A route that runs any of our plugins, or serves an LLM API path (graded even without them)."""
    return any(name in route.plugins for name in OURS) or any(_AI_PATHS.search(p) for p in route.paths)


def _mtls_prefunction(route: RouteView) -> bool:
    """Kong OSS: a ``pre-function`` that refuses requests whose client certificate nginx did not verify."""
    config = route.config("pre-function")
    if config is None:
        return False
    code = config.get("access") or []
    return any(isinstance(chunk, str) and _MTLS_CHECK in chunk for chunk in code)


def _sources(route: RouteView) -> list[str]:
    config = route.config(RESOLVER) or {}
    sources = config.get("sources")
    return [s for s in sources if isinstance(s, str)] if isinstance(sources, list) else []


def authentication_kinds(route: RouteView) -> list[str]:
    """Every credential the route verifies: Kong's auth plugins, the mTLS pre-function, the resolver's."""
    kinds = [f"{KONG_AUTH[name]} ({name})" for name in route.plugins if name in KONG_AUTH]
    if _mtls_prefunction(route):
        kinds.append("mtls (listener + pre-function)")
    resolver = route.config(RESOLVER)
    if resolver is not None:
        sources = _sources(route)
        if "api_key" in sources:
            kinds.append(f"api-key ({RESOLVER})")
        jwt = resolver.get("jwt") or {}
        if "jwt" in sources and jwt.get("keys"):
            kinds.append(f"jwt ({RESOLVER})")
    return kinds


def _kong_auth(route: RouteView) -> bool:
    return any(name in route.plugins for name in KONG_AUTH) or _mtls_prefunction(route)


def _spoofable_sources(route: RouteView) -> list[str]:
    """Sources a client can set: ``header`` (unless the mTLS pre-function sets it), ``path``; ``consumer``
    without a Kong authentication plugin names no one."""
    unverified = {"path"}
    if not _mtls_prefunction(route):
        unverified.add("header")
    if not any(name in route.plugins for name in KONG_AUTH):
        unverified.add("consumer")
    return [source for source in _sources(route) if source in unverified]


def _limiter(route: RouteView) -> tuple[str, Mapping[str, Any]] | None:
    for name in (LIMITER, LIMITER_STREAM):
        config = route.config(name)
        if config is not None:
            return name, config
    return None


def _limit_sets(config: Mapping[str, Any]) -> list[list[Mapping[str, Any]]]:
    """The top-level ``limits`` and each tier's: a request gets exactly one of them."""
    sets = [list(config.get("limits") or [])]
    sets += [
        list(tier.get("limits") or []) for tier in config.get("tiers") or [] if isinstance(tier, Mapping)
    ]
    return sets


def _every_set_has(config: Mapping[str, Any], wanted: Callable[[Mapping[str, Any]], bool]) -> bool:
    return all(any(wanted(limit) for limit in limits) for limits in _limit_sets(config))


def _scope(limit: Mapping[str, Any]) -> str:
    return str(limit.get("scope") or "tenant")


def _add_to_sets(
    route: RouteView, wanted: Callable[[Mapping[str, Any]], bool], limit: Mapping[str, Any]
) -> list[Change]:
    """Changes giving ``limit`` to the top-level limits and to each tier that has no limit ``wanted`` (a
    request gets exactly one of these sets); a route without a limiter gets one."""
    found = _limiter(route)
    if found is None:
        return [Change("add", LIMITER, value={"strategy": "redis", "limits": [dict(limit)]})]
    name, config = found
    changes = []
    limits = list(config.get("limits") or [])
    if not any(wanted(item) for item in limits):
        changes.append(Change("set", name, "limits", [*limits, dict(limit)]))
    tiers = [dict(tier) for tier in config.get("tiers") or [] if isinstance(tier, Mapping)]
    if any(not any(wanted(item) for item in tier.get("limits") or []) for tier in tiers):
        for tier in tiers:
            if not any(wanted(item) for item in tier.get("limits") or []):
                tier["limits"] = [*(tier.get("limits") or []), dict(limit)]
        changes.append(Change("set", name, "tiers", tiers))
    return changes


def _format_for(route: RouteView) -> str:
    """ai-input-guard's ``format`` for the route's paths."""
    suffixes = (
        ("/messages", "anthropic-messages"),
        ("/embeddings", "openai-embeddings"),
        ("/chat/completions", "openai-chat"),
        ("/completions", "openai-completions"),
    )
    for path in route.paths:
        for suffix, fmt in suffixes:
            if path.rstrip("/").endswith(suffix):
                return fmt
    return "openai-chat"


def _guard_marks(
    route: RouteView, guard: str, guarded: Sequence[str], phase_plugins: Sequence[str]
) -> list[str]:
    """Plugins of ours on the route that ``guard`` does not cover (absent guard: all of them)."""
    present = [name for name in phase_plugins if name in route.plugins and name in guarded]
    config = route.config(guard)
    marks = set(config.get("marks") or []) if config is not None else set()
    return [
        name
        for name in present
        if name not in marks or (route.config(name) or {}).get("fail_closed_mark") is not True
    ]


_ACCESS_GUARDED: Final = (RESOLVER, GUARD, AUTHZ, LIMITER, LIMITER_STREAM, REDACTOR, AUDIT)
_RESPONSE_GUARDED: Final = (AUTHZ, LIMITER, REDACTOR)


# ------------------------------------------------------------------------------------------------------------
# Checks and fixes, one pair per control
# ------------------------------------------------------------------------------------------------------------


def _check_authentication(route: RouteView) -> tuple[bool, str]:
    kinds = authentication_kinds(route)
    resolver = route.config(RESOLVER)
    if _kong_auth(route):
        return True, ", ".join(kinds)
    if resolver is None or not kinds:
        return False, "no credential is verified: no Kong auth plugin, no resolver api_key/jwt source"
    if resolver.get("required") is False:
        return False, f"{RESOLVER} has required: false: requests without a credential pass"
    if _spoofable_sources(route):
        return False, f"{RESOLVER} also accepts unverified sources ({', '.join(_spoofable_sources(route))})"
    return True, ", ".join(kinds)


def _fix_authentication(route: RouteView) -> list[Change]:
    resolver = route.config(RESOLVER)
    if resolver is None:
        return [
            Change(
                "add",
                RESOLVER,
                value={"sources": ["api_key"], "registry": "redis"},
                note="then issue keys: kong-ai keys issue --tenant <id>",
            )
        ]
    changes = [
        Change(
            "set", RESOLVER, "sources", [s for s in _sources(route) if s in ("api_key", "jwt")] or ["api_key"]
        )
    ]
    if resolver.get("required") is False:
        changes.append(Change("set", RESOLVER, "required", True))
    return changes


def _check_tenant(route: RouteView) -> tuple[bool, str]:
    if route.config(RESOLVER) is None:
        return False, f"no {RESOLVER}: the upstream and the limits do not know the tenant"
    spoofable = _spoofable_sources(route)
    if spoofable:
        return False, f"a client can choose its tenant through source(s) {', '.join(spoofable)}"
    return True, f"sources {', '.join(_sources(route))}; client copies of X-Tenant-* removed"


def _fix_tenant(route: RouteView) -> list[Change]:
    if route.config(RESOLVER) is None:
        return _fix_authentication(route)
    verified = [s for s in _sources(route) if s not in _spoofable_sources(route)]
    return [
        Change(
            "set",
            RESOLVER,
            "sources",
            verified or ["api_key"],
            note="header/path sources only behind an authenticator that sets them",
        )
    ]


def _check_endpoint_authz(route: RouteView) -> tuple[bool, str]:
    if route.config(AUTHZ) is not None:
        return True, f"{AUTHZ}"
    if route.config("acl") is not None:
        return True, "acl (Kong)"
    guard = route.config(GUARD)
    if (
        guard is not None
        and route.config(RESOLVER) is not None
        and (guard.get("tenant_models") is not False or guard.get("allowed_models"))
    ):
        return True, f"{GUARD}: route and tenant model allow-lists"
    return False, "nothing decides which callers may call which models"


def _fix_endpoint_authz(route: RouteView) -> list[Change]:
    if route.config(RESOLVER) is not None:
        return (
            _fix_input(route)
            if route.config(GUARD) is None
            else [Change("set", GUARD, "tenant_models", True)]
        )
    return [
        Change(
            "add",
            AUTHZ,
            value={"policy_source": "redis"},
            note="then kong-ai policy push POLICY.cedar (declarative/policies/ has per-tier ones)",
        )
    ]


def _check_account_limits(route: RouteView) -> tuple[bool, str]:
    found = _limiter(route)
    if found is None:
        return False, "no ai-token-limiter"
    name, config = found
    if not _every_set_has(config, lambda limit: _scope(limit) in _ACCOUNT_SCOPES):
        return False, f"{name}: a limit set (top level or a tier) has no per-tenant/consumer limit"
    return True, f"{name}: per-tenant/consumer limits in every tier"


def _fix_account_limits(route: RouteView) -> list[Change]:
    limit = {"metric": "tokens", "limit": 20000, "window": "minute", "scope": "tenant"}
    return _add_to_sets(route, lambda item: _scope(item) in _ACCOUNT_SCOPES, limit)


def _check_input(route: RouteView) -> tuple[bool, str]:
    guard = route.config(GUARD)
    if guard is None:
        return False, f"no {GUARD}: requests reach the model unchecked"
    return True, f"format {guard.get('format')}, size/JSON bounds, model checks"


def _fix_input(route: RouteView) -> list[Change]:
    return [Change("add", GUARD, value={"format": _format_for(route)})]


def _check_output(route: RouteView) -> tuple[bool, str]:
    redactor = route.config(REDACTOR)
    if redactor is None:
        return False, f"no {REDACTOR}: answers are not checked"
    if redactor.get("unreadable_action") == "pass" or redactor.get("oversize_action") == "pass":
        return False, f"{REDACTOR} passes unreadable or oversized answers unchecked"
    return True, f"{REDACTOR}: on_violation {redactor.get('on_violation')}, unreadable answers blocked"


def _fix_output(route: RouteView) -> list[Change]:
    if route.config(REDACTOR) is None:
        return [Change("add", REDACTOR, value={})]
    return [
        Change("set", REDACTOR, "unreadable_action", "block"),
        Change("set", REDACTOR, "oversize_action", "block"),
    ]


def _check_logs(route: RouteView) -> tuple[bool, str]:
    if route.config(AUDIT) is not None:
        return True, f"{AUDIT} (sinks {', '.join((route.config(AUDIT) or {}).get('sinks') or [])})"
    kong = [name for name in KONG_LOGS if name in route.plugins]
    if kong:
        return True, f"{', '.join(kong)} (Kong)"
    return False, "no inference log"


def _fix_logs(route: RouteView) -> list[Change]:
    return [Change("add", AUDIT, value={"sinks": ["redis"]})]


def _check_fail_closed(route: RouteView) -> tuple[bool, str]:
    uncovered = _guard_marks(route, FAIL_CLOSED, _ACCESS_GUARDED, _ACCESS_GUARDED)
    if route.config(FAIL_CLOSED) is None:
        return False, "no ai-fail-closed: Kong lets requests through when the plugin server fails"
    if uncovered:
        return False, f"ai-fail-closed does not cover {', '.join(uncovered)} (marks + fail_closed_mark: true)"
    return True, f"marks {', '.join((route.config(FAIL_CLOSED) or {}).get('marks') or [])}"


def _fix_fail_closed(route: RouteView) -> list[Change]:
    present = [name for name in _ACCESS_GUARDED if name in route.plugins]
    changes = [
        Change("set", name, "fail_closed_mark", True)
        for name in present
        if (route.config(name) or {}).get("fail_closed_mark") is not True
    ]
    op = "set" if route.config(FAIL_CLOSED) is not None else "add"
    if op == "add":
        changes.append(Change("add", FAIL_CLOSED, value={"marks": present}))
    else:
        changes.append(Change("set", FAIL_CLOSED, "marks", present))
    return changes


def _check_action_authz(route: RouteView) -> tuple[bool, str]:
    authz = route.config(AUTHZ)
    if authz is None:
        return False, f"no {AUTHZ}: no tenant- or action-level decision"
    source = authz.get("policy_source") or "config"
    if source == "config":
        return (
            False,
            f"{AUTHZ} policy is inline (policy_source: config): not versioned outside the gateway config",
        )
    return True, f"{AUTHZ}: endpoint/tenant/action levels, policy_source {source}"


def _fix_action_authz(route: RouteView) -> list[Change]:
    if route.config(AUTHZ) is None:
        return [
            Change(
                "add", AUTHZ, value={"policy_source": "redis"}, note="then kong-ai policy push POLICY.cedar"
            )
        ]
    return [Change("set", AUTHZ, "policy_source", "redis", note="then kong-ai policy push POLICY.cedar")]


def _check_per_ip(route: RouteView) -> tuple[bool, str]:
    kong = route.config("rate-limiting")
    if kong is not None and kong.get("limit_by") == "ip":
        return True, "rate-limiting (Kong) limit_by ip"
    found = _limiter(route)
    if found is None:
        return False, "no per-IP limit: one address with many credentials is unbounded"
    name, config = found
    if not _every_set_has(config, lambda limit: _scope(limit) == "ip"):
        return False, f"{name}: no ip-scoped limit in every tier"
    return True, f"{name}: per-IP limits"


def _fix_per_ip(route: RouteView) -> list[Change]:
    limit = {"metric": "requests", "limit": 600, "window": "minute", "scope": "ip"}
    return _add_to_sets(route, lambda item: _scope(item) == "ip", limit)


def _check_aggregate(route: RouteView) -> tuple[bool, str]:
    found = _limiter(route)
    if found is None:
        return False, "no ai-token-limiter"
    name, config = found
    if not _every_set_has(config, lambda limit: _scope(limit) in _AGGREGATE_SCOPES):
        return False, f"{name}: no global/route limit in every tier: tenants together are unbounded"
    return True, f"{name}: global/route limits"


def _fix_aggregate(route: RouteView) -> list[Change]:
    limit = {"metric": "tokens", "limit": 1000000, "window": "minute", "scope": "global"}
    return _add_to_sets(route, lambda item: _scope(item) in _AGGREGATE_SCOPES, limit)


def _check_calibrated(route: RouteView) -> tuple[bool, str]:
    found = _limiter(route)
    if found is None:
        return False, "no ai-token-limiter"
    name, _ = found
    entry = route.plugin(name)
    tags = [tag for tag in (entry.tags if entry else ()) if _CALIBRATED_RE.match(tag)]
    if not tags:
        return False, f"{name} has no {CALIBRATED_TAG}:<date> tag: limits not calibrated from usage"
    return True, f"{name}: {max(tags)}"


def _fix_calibrated(route: RouteView) -> list[Change]:
    found = _limiter(route)
    name = found[0] if found else LIMITER
    return [
        Change(
            "run",
            name,
            value=f"kong-ai limits suggest --current FILE --route {route.name}",
            note="apply the reviewed diff",
        ),
        Change("tag", name, value=f"{CALIBRATED_TAG}:YYYY-MM-DD"),
    ]


def _check_high_value(route: RouteView) -> tuple[bool, str]:
    found = _limiter(route)
    if found is None:
        return False, "no ai-token-limiter"
    name, config = found
    if not config.get("pricing"):
        return False, f"{name}: no pricing: every model costs the same"
    if not _every_set_has(config, lambda limit: limit.get("metric") in ("cost_usd", "compute_seconds")):
        return False, f"{name}: no cost_usd limit in every tier: expensive models are not tighter"
    return True, f"{name}: cost limits over {len(config.get('pricing') or [])} priced model pattern(s)"


def _fix_high_value(route: RouteView) -> list[Change]:
    prices = [{"model": "*", "prompt_per_million": 2.5, "completion_per_million": 10}]
    limit = {"metric": "cost_usd", "limit": 50, "window": "day", "scope": "tenant"}
    found = _limiter(route)
    if found is None:
        value = {"strategy": "redis", "limits": [limit], "pricing": prices, "unknown_model": "reject"}
        return [Change("add", LIMITER, value=value, note="your models' prices")]
    name, config = found
    changes = []
    if not config.get("pricing"):
        changes.append(Change("set", name, "pricing", prices, note="your models' prices"))
    if config.get("unknown_model") != "reject":
        changes.append(Change("set", name, "unknown_model", "reject"))
    return changes + _add_to_sets(
        route, lambda item: item.get("metric") in ("cost_usd", "compute_seconds"), limit
    )


def _check_injection(route: RouteView) -> tuple[bool, str]:
    guard = route.config(GUARD)
    if guard is None:
        return False, f"no {GUARD}"
    mode = (guard.get("injection") or {}).get("mode")
    return (mode == "block", f"injection.mode {mode}")


def _fix_injection(route: RouteView) -> list[Change]:
    if route.config(GUARD) is None:
        value = {"format": _format_for(route), "injection": {"mode": "block"}, "ood": {"mode": "block"}}
        return [Change("add", GUARD, value=value)]
    return [Change("set", GUARD, "injection.mode", "block")]


def _check_ood(route: RouteView) -> tuple[bool, str]:
    guard = route.config(GUARD)
    if guard is None:
        return False, f"no {GUARD}"
    mode = (guard.get("ood") or {}).get("mode")
    return (mode == "block", f"ood.mode {mode}")


def _fix_ood(route: RouteView) -> list[Change]:
    if route.config(GUARD) is None:
        return _fix_injection(route)
    return [Change("set", GUARD, "ood.mode", "block")]


def _siem_sinks(config: Mapping[str, Any]) -> list[str]:
    return [s for s in config.get("sinks") or [] if s in ("syslog", "http")]


def _check_siem(route: RouteView) -> tuple[bool, str]:
    audit = route.config(AUDIT)
    if audit is None:
        return False, f"no {AUDIT}: no content-free record of caller, hashes, model, decisions"
    siem = _siem_sinks(audit)
    if not siem:
        return False, f"{AUDIT} has no SIEM sink (syslog or http)"
    return True, f"{AUDIT}: SIEM sink {', '.join(siem)}"


def _fix_siem(route: RouteView) -> list[Change]:
    audit = route.config(AUDIT)
    sinks = [*(audit.get("sinks") or ["redis"])] if audit is not None else ["redis"]
    if audit is None:
        return [
            Change("add", AUDIT, value={"sinks": [*sinks, "syslog"], "syslog_host": "siem.example.internal"})
        ]
    return [
        Change("set", AUDIT, "sinks", [*sinks, "syslog"]),
        Change("set", AUDIT, "syslog_host", "siem.example.internal", note="your SIEM's collector"),
    ]


def _check_reversible(route: RouteView) -> tuple[bool, str]:
    authz = route.config(AUTHZ)
    if authz is None or authz.get("policy_source") != "redis":
        return False, f"{AUTHZ} policy versions are not kept by kong-ai (policy_source: redis): no rollback"
    if route.config(AUDIT) is None:
        return False, f"no {AUDIT}: decisions (id, policy version, rule) are not recorded"
    return True, "versioned policies (kong-ai policy rollback/promote); decisions in the audit record"


def _fix_reversible(route: RouteView) -> list[Change]:
    changes = []
    authz = route.config(AUTHZ)
    if authz is None:
        changes.append(Change("add", AUTHZ, value={"policy_source": "redis"}))
    elif authz.get("policy_source") != "redis":
        changes.append(
            Change("set", AUTHZ, "policy_source", "redis", note="then kong-ai policy push POLICY.cedar")
        )
    if route.config(AUDIT) is None:
        changes.extend(_fix_logs(route))
    return changes


def _check_risk_reporting(route: RouteView) -> tuple[bool, str]:
    audit = route.config(AUDIT)
    sinks = audit.get("sinks") or [] if audit is not None else []
    if not any(s in ("redis", "file") for s in sinks):
        return (
            False,
            f"{AUDIT} keeps no hash-chained store (redis or file sink) for kong-ai audit verify/export",
        )
    return True, f"hash-chained {', '.join(s for s in sinks if s in ('redis', 'file'))} sink"


def _fix_risk_reporting(route: RouteView) -> list[Change]:
    audit = route.config(AUDIT)
    if audit is None:
        return _fix_logs(route)
    return [Change("set", AUDIT, "sinks", ["redis", *(audit.get("sinks") or [])])]


def _check_cost_fairness(route: RouteView) -> tuple[bool, str]:
    found = _limiter(route)
    if found is None:
        return False, "no ai-token-limiter"
    name, config = found
    if not config.get("tiers"):
        return False, f"{name}: no tiers: every tenant gets the same limits"
    if config.get("fair_share") is None:
        return False, f"{name}: no fair_share: one tenant may take a whole global limit"
    return True, f"{name}: {len(config.get('tiers') or [])} tier(s), fair_share {config.get('fair_share')}"


def _fix_cost_fairness(route: RouteView) -> list[Change]:
    found = _limiter(route)
    name, config = found if found is not None else (LIMITER, {})
    changes = []
    if not config.get("tiers"):
        # A tier starts as a copy of the route's limits (every other control stays in place): set its numbers.
        limits = [dict(limit) for limit in config.get("limits") or []]
        tiers = [{"name": "free", "limits": limits}]
        changes.append(Change("set", name, "tiers", tiers, note="then give the tier its own numbers"))
    if config.get("fair_share") is None:
        changes.append(Change("set", name, "fair_share", 0.5))
    return changes


def _check_output_reauthz(route: RouteView) -> tuple[bool, str]:
    if route.config(AUTHZ) is None:
        return False, f"no {AUTHZ}: tool calls in answers are not re-authorized"
    uncovered = _guard_marks(route, FAIL_CLOSED_RESPONSE, _RESPONSE_GUARDED, (AUTHZ, REDACTOR))
    if route.config(FAIL_CLOSED_RESPONSE) is None or uncovered:
        missing = ", ".join(uncovered) or AUTHZ
        return (
            False,
            f"ai-fail-closed-response does not cover {missing}: an unchecked answer passes when it fails",
        )
    on_violation = (route.config(AUTHZ) or {}).get("on_violation")
    return True, f"tool calls re-authorized (on_violation {on_violation}), response phase fail-closed"


def _fix_output_reauthz(route: RouteView) -> list[Change]:
    changes = []
    if route.config(AUTHZ) is None:
        changes.append(Change("add", AUTHZ, value={"policy_source": "redis", "fail_closed_mark": True}))
    present = [name for name in (AUTHZ, REDACTOR) if name in route.plugins or name == AUTHZ]
    for name in present:
        if name in route.plugins and (route.config(name) or {}).get("fail_closed_mark") is not True:
            changes.append(Change("set", name, "fail_closed_mark", True))
    op = "set" if route.config(FAIL_CLOSED_RESPONSE) is not None else "add"
    changes.append(
        Change(
            op,
            FAIL_CLOSED_RESPONSE,
            "marks" if op == "set" else "",
            present if op == "set" else {"marks": present},
        )
    )
    return changes


# ------------------------------------------------------------------------------------------------------------
# The rubric
# ------------------------------------------------------------------------------------------------------------

APPLIED, ADVANCED, STRATEGIC = 1, 2, 3

#: Controls whose fix depends on the plugins the others add (fail-closed marks): their fixes come last.
_GUARD_CONTROLS: Final = ("fail_closed", "output_reauthorization")

CONTROLS: Final[tuple[Control, ...]] = (
    Control(
        "authentication",
        APPLIED,
        "Authentication",
        "every request carries a verified credential: a Kong auth plugin (key-auth, jwt, oauth2, "
        "openid-connect, mtls-auth...), the mTLS pre-function, or ai-tenant-resolver's api_key/jwt "
        "sources with required: true and no unverified source",
        _check_authentication,
        _fix_authentication,
    ),
    Control(
        "tenant_resolution",
        APPLIED,
        "Tenant resolution, anti-spoofing",
        "ai-tenant-resolver whose every source is verified (api_key, jwt, consumer behind Kong auth, "
        "header only when the mTLS pre-function sets it)",
        _check_tenant,
        _fix_tenant,
    ),
    Control(
        "endpoint_authz",
        APPLIED,
        "Endpoint authorization",
        "ai-action-authz, Kong's acl, or ai-input-guard's route/tenant model allow-lists",
        _check_endpoint_authz,
        _fix_endpoint_authz,
    ),
    Control(
        "per_account_limits",
        APPLIED,
        "Per-account limits",
        "ai-token-limiter(-stream) with a tenant/consumer-scoped limit in every limit set (top level "
        "and each tier)",
        _check_account_limits,
        _fix_account_limits,
    ),
    Control(
        "input_validation",
        APPLIED,
        "Input schema validation",
        "ai-input-guard (format schema, size/JSON bounds, models, context window)",
        _check_input,
        _fix_input,
    ),
    Control(
        "output_handling",
        APPLIED,
        "Output handling",
        "ai-output-redactor, unreadable and oversized answers blocked",
        _check_output,
        _fix_output,
    ),
    Control(
        "inference_logs",
        APPLIED,
        "Inference logs",
        "ai-audit-log, or a Kong log plugin (file-log, http-log, syslog...)",
        _check_logs,
        _fix_logs,
    ),
    Control(
        "fail_closed",
        ADVANCED,
        "Every request passes the gateway's checks",
        "ai-fail-closed whose marks cover each of our access plugins on the route, each with "
        "fail_closed_mark: true",
        _check_fail_closed,
        _fix_fail_closed,
    ),
    Control(
        "action_authz",
        ADVANCED,
        "Endpoint, tenant and action authorization, externalized policy",
        "ai-action-authz with policy_source redis (versioned by kong-ai policy) or opa",
        _check_action_authz,
        _fix_action_authz,
    ),
    Control(
        "per_ip_limits",
        ADVANCED,
        "Per-IP limits",
        "an ip-scoped limit in every limit set (ai-token-limiter), or Kong's rate-limiting by ip",
        _check_per_ip,
        _fix_per_ip,
    ),
    Control(
        "aggregate_limits",
        ADVANCED,
        "Aggregate limits",
        "a global- or route-scoped limit in every limit set",
        _check_aggregate,
        _fix_aggregate,
    ),
    Control(
        "calibrated_limits",
        ADVANCED,
        "Limits calibrated from legitimate usage",
        "the limiter entry tagged calibrated:<YYYY-MM-DD> once kong-ai limits suggest's proposal is applied",
        _check_calibrated,
        _fix_calibrated,
    ),
    Control(
        "high_value_limits",
        ADVANCED,
        "Tighter for high-value models",
        "pricing and a cost_usd (or compute_seconds) limit in every limit set: expensive models "
        "spend it faster",
        _check_high_value,
        _fix_high_value,
    ),
    Control(
        "injection_detection",
        ADVANCED,
        "Prompt-injection detection",
        "ai-input-guard injection.mode block",
        _check_injection,
        _fix_injection,
    ),
    Control(
        "ood_detection",
        ADVANCED,
        "Out-of-distribution detection",
        "ai-input-guard ood.mode block",
        _check_ood,
        _fix_ood,
    ),
    Control(
        "audit_siem",
        ADVANCED,
        "Audit fidelity and SIEM sink",
        "ai-audit-log with a syslog or http sink",
        _check_siem,
        _fix_siem,
    ),
    Control(
        "policy_reversible",
        STRATEGIC,
        "Auditable, reversible policy decisions",
        "ai-action-authz policy_source redis (versions, canary, rollback) and ai-audit-log recording "
        "each decision",
        _check_reversible,
        _fix_reversible,
    ),
    Control(
        "risk_reporting",
        STRATEGIC,
        "Consumable by risk reporting",
        "ai-audit-log with a hash-chained redis or file sink (kong-ai audit verify/export)",
        _check_risk_reporting,
        _fix_risk_reporting,
    ),
    Control(
        "cost_fairness",
        STRATEGIC,
        "Cost models and fairness across tenants",
        "ai-token-limiter tiers and fair_share",
        _check_cost_fairness,
        _fix_cost_fairness,
    ),
    Control(
        "output_reauthorization",
        STRATEGIC,
        "Actions re-authorized at the boundary",
        "ai-action-authz (tool calls in answers re-authorized) with ai-fail-closed-response covering it "
        "and ai-output-redactor",
        _check_output_reauthz,
        _fix_output_reauthz,
    ),
)


def assess_route(route: RouteView, controls: Sequence[Control] = CONTROLS) -> RouteAssessment:
    """Grade one route: every control's result, the level reached and the changes that reach the next.

    The fixes of the next level's missing controls are computed one after the other on the route as the
    earlier fixes leave it, and merged: two controls that both extend ``limits`` give one ``set`` holding
    both limits, a ``set`` on a plugin another fix adds goes into that ``add``.
    """
    results = [ControlResult(control, *control.check(route)) for control in controls]
    level = 0
    for candidate in range(1, len(LEVELS)):
        if all(r.ok for r in results if r.control.level == candidate):
            level = candidate
        else:
            break
    merged: list[tuple[list[str], Change]] = []
    working = route
    missing = [r.control for r in results if not r.ok and r.control.level == level + 1]
    # The guards last: their marks must cover the plugins the other fixes add.
    for control in sorted(missing, key=lambda c: c.id in _GUARD_CONTROLS):
        if control.check(working)[0]:
            continue
        fixes = [_pruned(change) for change in control.fix(working)]
        for change in fixes:
            _merge(merged, control.id, change)
        working = _with_changes(working, fixes)
    changes = [(", ".join(ids), change) for ids, change in merged]
    return RouteAssessment(route, level, authentication_kinds(route), results, changes)


def _pruned(change: Change) -> Change:
    """The change without null fields (a normalized config's unset optional fields)."""

    def prune(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: prune(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [prune(v) for v in value]
        return value

    return Change(change.op, change.plugin, change.path, prune(change.value), change.note)


def _merge(merged: list[tuple[list[str], Change]], control: str, change: Change) -> None:
    for index, (ids, known) in enumerate(merged):
        same_target = known.plugin == change.plugin and known.path == change.path and known.op == change.op
        into_add = known.op == "add" and change.op == "set" and known.plugin == change.plugin
        if known == change or same_target or into_add:
            if into_add:
                value = copy.deepcopy(known.value)
                _set_path(value, change.path, change.value)
                change = Change("add", known.plugin, value=value, note=known.note or change.note)
            elif known != change:
                change = Change(
                    change.op, change.plugin, change.path, change.value, change.note or known.note
                )
            merged[index] = (
                [*ids, control] if control not in ids else ids,
                change if known != change else known,
            )
            return
    merged.append(([control], change))


def _set_path(config: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = config
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = copy.deepcopy(value)


def _with_changes(route: RouteView, changes: Sequence[Change]) -> RouteView:
    """The route as it would be once ``changes`` are made (for the next control's fix)."""
    plugins = dict(route.plugins)
    for change in changes:
        entry = plugins.get(change.plugin)
        if change.op == "add":
            plugins[change.plugin] = PluginEntry(change.plugin, copy.deepcopy(change.value), "route")
        elif change.op == "set" and entry is not None:
            config = copy.deepcopy(dict(entry.config))
            _set_path(config, change.path, change.value)
            plugins[change.plugin] = PluginEntry(entry.name, config, entry.scope, entry.tags)
        elif change.op == "tag" and entry is not None:
            plugins[change.plugin] = PluginEntry(
                entry.name, entry.config, entry.scope, (*entry.tags, str(change.value))
            )
    return RouteView(route.name, route.service, route.paths, plugins, route.consumer_scoped)
