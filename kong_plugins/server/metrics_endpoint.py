"""``kong-ai-pluginserver``'s metrics flags and the start of its ``/metrics`` endpoint (core/metrics.py).

Kept apart from the serving code so that the runtime can change without touching metrics: :func:`start`
runs once in ``main`` before plugins load, whatever the runtime.

* ``--metrics-dir DIR``: record into DIR in prometheus-client's multiprocess mode. Give every plugin-server
  process of one Kong node the same DIR (Kong 3.9 starts one process per ``pluginserver_names`` entry with a
  ``start_cmd``), so that one scrape covers them all.
* ``--metrics-listen HOST:PORT``: serve ``GET /metrics`` there (records too; with ``--metrics-dir`` it sums
  every process of DIR, without it only its own). Only one process per node listens.
* ``--metrics-max-tenants N`` (100), ``--metrics-max-models N`` (50), ``--metrics-max-routes N`` (100): label
  values kept per process before the rest are counted as ``other``.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging

from kong_plugins.core import metrics


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
    for name, default in (("tenants", 100), ("models", 50), ("routes", 100)):
        group.add_argument(
            f"--metrics-max-{name}",
            type=_positive,
            default=default,
            metavar="N",
            help=f"distinct {name} labelled before the rest count as 'other' (default: %(default)s)",
        )


def start(args: argparse.Namespace, log: logging.Logger) -> bool:
    """Enable recording and the endpoint as the flags ask; False (logged) when the port cannot be bound."""
    if args.metrics_listen is None and not args.metrics_dir:
        return True
    metrics.enable(
        metrics.MetricsSettings(
            max_tenants=args.metrics_max_tenants,
            max_models=args.metrics_max_models,
            max_routes=args.metrics_max_routes,
            directory=args.metrics_dir or None,
        )
    )
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
