"""``kong-ai redteam URL``: attack a deployed gateway layer by layer and report what got through.

The battery lives in :mod:`kong_plugins.redteam`; this module only turns flags into its options. The
operator names what the target has (routes, credentials, the route's limit, its JWT keys): an attack whose
prerequisites are missing is reported as skipped with the reason, never guessed. It sends at most
``--max-requests`` requests, each bounded by ``--timeout``, and stops by itself at ``--deadline``.

Exit codes: 0 every attack was refused (or skipped), 1 an attack got through (or a legitimate request was
refused, so the run proves nothing), 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kong_plugins.cli.main import EXIT_FAILED, EXIT_OK, CliError
from kong_plugins.redteam import jwt_forge, report
from kong_plugins.redteam.battery import LAYERS, Battery, Options, read_key
from kong_plugins.redteam.client import Target, stderr_progress

__all__ = ["register"]

DEFAULT_MAX_REQUESTS = 150
MAX_MAX_REQUESTS = 1000


def register(subparsers: Any) -> None:
    """Add the ``redteam`` command."""
    parser = subparsers.add_parser(
        "redteam",
        help="run the hostile-input battery against a deployed gateway and report what got through",
        description=(
            "Attack a gateway (ours or any Kong; loopback or a staging host you name) layer by layer: "
            "tenant spoofing, JWT attacks, input-guard evasions, limiter races, redaction leaks, tool-call "
            "smuggling. Bounded: at most --max-requests requests, each within --timeout, all within "
            "--deadline. Never point it at a gateway you are not allowed to attack."
        ),
    )
    parser.add_argument("url", help="the gateway's proxy URL, e.g. http://127.0.0.1:8000")
    parser.add_argument(
        "--route", default="/v1/chat/completions", help="an OpenAI chat route (default %(default)s)"
    )
    parser.add_argument("--model", default="gpt-4o", help="a model the route allows (default %(default)s)")
    parser.add_argument("--tenant-token", help="a valid credential of one tenant (e.g. an API key)")
    parser.add_argument(
        "--auth-header", default="X-API-Key", help="the header carrying it (default %(default)s)"
    )
    parser.add_argument(
        "--tenant", help="the credential's tenant id (default: as the gateway's answer names it)"
    )
    parser.add_argument(
        "--other-tenant", default="globex", help="another tenant's id to claim (default %(default)s)"
    )
    parser.add_argument(
        "--tenant-header", default="X-Tenant-ID", help="the tenant header (default %(default)s)"
    )
    parser.add_argument(
        "--path-route", help="a route with the tenant in its path: '/tenants/{tenant}/v1/chat'"
    )
    jwt = parser.add_argument_group("JWT attacks (skipped without --jwt-route)")
    jwt.add_argument("--jwt-route", help="a chat route whose tenant comes from a Bearer JWT")
    jwt.add_argument("--jwt-claim", default="tenant_id", help="the tenant claim path (default %(default)s)")
    jwt.add_argument("--jwt-kid", help="the kid of the route's key")
    jwt.add_argument(
        "--jwt-algorithm", default="RS256", help="the algorithm of that key (default %(default)s)"
    )
    jwt.add_argument("--jwt-public-key", help="PEM file of the route's public key (the key-confusion attack)")
    jwt.add_argument(
        "--jwt-signing-key", help="PEM file of a key the route trusts (expired/nbf tokens, control)"
    )
    limiter = parser.add_argument_group("limiter race (skipped without --limit)")
    limiter.add_argument("--limit", type=int, help="the route's request limit per window for the credential")
    limiter.add_argument("--limit-route", help="the route with that limit (default: --route)")
    limiter.add_argument("--limit-token", help="the credential to race with (default: --tenant-token)")
    output = parser.add_argument_group("answers (skipped without their route)")
    output.add_argument("--redaction-route", help="a chat route whose answers ai-output-redactor checks")
    output.add_argument("--authz-route", help="a chat route whose tool calls ai-action-authz re-authorizes")
    output.add_argument(
        "--forbidden-tool", default="shell", help="a tool the policy never permits (%(default)s)"
    )
    output.add_argument("--allowed-tool", default="search", help="a tool it permits (%(default)s)")
    output.add_argument(
        "--mock-upstream",
        action="store_true",
        help="the upstream is kong-ai-guard's mock LLM: steer its answers with X-Mock-* headers",
    )
    bounds = parser.add_argument_group("bounds and output")
    bounds.add_argument("--layers", default=",".join(LAYERS), help="comma-separated subset of %(default)s")
    bounds.add_argument(
        "--max-requests", type=int, default=DEFAULT_MAX_REQUESTS, help="(default %(default)s)"
    )
    bounds.add_argument(
        "--timeout", type=float, default=10.0, help="seconds per request (default %(default)s)"
    )
    bounds.add_argument(
        "--deadline", type=float, default=120.0, help="seconds for the run (default %(default)s)"
    )
    bounds.add_argument("--insecure", action="store_true", help="https: do not verify the certificate")
    bounds.add_argument("--format", choices=("table", "json"), default="table")
    bounds.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.set_defaults(handler=_run)


def _options(args: argparse.Namespace) -> Options:
    layers = tuple(part.strip() for part in args.layers.split(",") if part.strip())
    unknown = [layer for layer in layers if layer not in LAYERS]
    if unknown or not layers:
        raise CliError(f"--layers: unknown {unknown or 'empty'}; choose among {', '.join(LAYERS)}", 2)
    if not 1 <= args.max_requests <= MAX_MAX_REQUESTS:
        raise CliError(f"--max-requests must be 1 to {MAX_MAX_REQUESTS}", 2)
    if not 0 < args.timeout <= 300 or not 0 < args.deadline <= 3600:
        raise CliError("--timeout must be in (0, 300] and --deadline in (0, 3600] seconds", 2)
    if args.limit is not None and not 1 <= args.limit <= 99:
        raise CliError("--limit must be 1 to 99 (the race sends 2 x limit + 2 requests)", 2)
    try:
        settings = jwt_forge.JwtSettings(
            claim=args.jwt_claim,
            tenant=args.tenant or "acme",
            kid=args.jwt_kid,
            algorithm=args.jwt_algorithm,
            public_key_pem=read_key(args.jwt_public_key),
            signing_key_pem=read_key(args.jwt_signing_key),
        )
    except OSError as exc:
        raise CliError(f"cannot read a key file: {exc}", 2) from exc
    return Options(
        route=args.route,
        model=args.model,
        tenant_token=args.tenant_token,
        auth_header=args.auth_header,
        tenant=args.tenant,
        other_tenant=args.other_tenant,
        tenant_header=args.tenant_header,
        path_route=args.path_route,
        jwt_route=args.jwt_route,
        jwt=settings,
        limit_route=args.limit_route,
        limit=args.limit,
        limit_token=args.limit_token,
        redaction_route=args.redaction_route,
        authz_route=args.authz_route,
        forbidden_tool=args.forbidden_tool,
        allowed_tool=args.allowed_tool,
        mock_upstream=args.mock_upstream,
        layers=layers,
    )


def _run(args: argparse.Namespace) -> int:
    options = _options(args)
    try:
        target = Target(
            args.url,
            max_requests=args.max_requests,
            timeout=args.timeout,
            deadline=args.deadline,
            insecure=args.insecure,
            progress=stderr_progress(args.quiet),
        )
    except ValueError as exc:
        raise CliError(str(exc), 2) from exc
    findings = Battery(target, options).run()
    render = report.as_json if args.format == "json" else report.table
    print(render(findings, args.url, target.sent))
    sys.stdout.flush()
    return EXIT_FAILED if report.failed_layers(findings) else EXIT_OK
