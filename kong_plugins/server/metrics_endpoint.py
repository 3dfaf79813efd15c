"""``kong-ai-pluginserver``'s metrics flags and the start of its ``/metrics`` endpoint (core/metrics.py).

Kept apart from the serving code so that the runtime can change without touching metrics: :func:`start`
runs once in ``main`` before plugins load, whatever the runtime.

* ``--metrics-dir DIR``: record into DIR in prometheus-client's multiprocess mode. Give every plugin-server
  process of one Kong node the same DIR (Kong 3.9 starts one process per ``pluginserver_names`` entry with a
  ``start_cmd``), so that one scrape covers them all. The first process of a node to start empties it of
  the previous run's files (core/metrics_dir.py); a directory holding other files is refused.
* ``--metrics-listen HOST:PORT``: serve ``GET /metrics`` there (records too; with ``--metrics-dir`` it sums
  every process of DIR, without it only its own). Only one process per node listens.
* ``--metrics-max-tenants N`` (100), ``--metrics-max-models N`` (50), ``--metrics-max-routes N`` (100),
  ``--metrics-max-keys N`` (100: API key prefixes of 401/403): label values kept per process before the rest
  are counted as ``other``.
* ``--otel-endpoint URL`` (e.g. ``http://127.0.0.1:4318/v1/traces``): OpenTelemetry spans per plugin phase,
  continuing the request's ``traceparent``, exported over OTLP/HTTP (core/tracing.py; the ``otel`` extra).
  ``--otel-service-name`` names the service (default: kong-ai-pluginserver).
"""

from __future__ import annotations

import argparse
import ipaddress
import logging

from kong_plugins.core import metrics, tracing
from kong_plugins.core.metrics_dir import ForeignDirectory


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("metrics (off by default)")
    group.add_argument(
        "--metrics-listen",
        type=_address,
        metavar="HOST:PORT",
        help="serve Prometheus metrics at http://HOST:PORT/metrics (e.g. 127.0.0.1:9542)",
    )
    group.add_argument(
        "--metrics-dir",
        metavar="DIR",
        help="directory shared by every plugin-server process's metrics (multiprocess mode)",
    )
    for name, default in (("tenants", 100), ("models", 50), ("routes", 100), ("keys", 100)):
        group.add_argument(
            f"--metrics-max-{name}",
            type=_positive,
            default=default,
            metavar="N",
            help=f"distinct {name} labelled before the rest count as 'other' (default: %(default)s)",
        )
    otel = parser.add_argument_group("tracing (off by default; +1 PDK call per plugin phase when on)")
    otel.add_argument(
        "--otel-endpoint", metavar="URL", help="OTLP/HTTP traces endpoint: spans per plugin phase"
    )
    otel.add_argument("--otel-service-name", default="kong-ai-pluginserver", help="(default: %(default)s)")


def start(args: argparse.Namespace, log: logging.Logger) -> bool:
    """Enable recording, the endpoint and tracing as the flags ask; False (logged) when one cannot start."""
    if args.otel_endpoint:
        try:
            tracing.enable(endpoint=args.otel_endpoint, service_name=args.otel_service_name)
        except ImportError as exc:
            log.error("--otel-endpoint needs the otel extra (pip install 'kong-ai-guard[otel]'): %s", exc)
            return False
        log.info("tracing: spans per plugin phase to %s", args.otel_endpoint)
    if args.metrics_listen is None and not args.metrics_dir:
        return True
    try:
        emptied = metrics.enable(
            metrics.MetricsSettings(
                max_tenants=args.metrics_max_tenants,
                max_models=args.metrics_max_models,
                max_routes=args.metrics_max_routes,
                max_keys=args.metrics_max_keys,
                directory=args.metrics_dir or None,
            )
        )
    except (ForeignDirectory, OSError) as exc:
        log.error("metrics: %s", exc)
        return False
    if emptied:
        log.info("metrics: %s emptied of the previous run's files", args.metrics_dir)
    if args.metrics_listen is None:
        return True
    host, port = args.metrics_listen
    try:
        server, _thread = metrics.serve(host, port)
    except OSError as exc:
        log.error("cannot serve metrics on %s:%d: %s", host, port, exc)
        return False
    log.info("metrics on http://%s:%d/metrics", host if ":" not in host else f"[{host}]", server.server_port)
    return True


def _address(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError("expected HOST:PORT, e.g. 127.0.0.1:9542")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if host != "localhost":
            raise argparse.ArgumentTypeError("HOST must be an IP address or localhost") from None
    return host, int(port)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
