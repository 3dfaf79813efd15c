"""``kong-ai-pluginserver``: command line, plugin-info dumps for Kong's query command, and serving.

Flags keep kong-pdk's spellings (``-p/--kong-prefix/-kong-prefix``, ``--socket-name``,
``--listen-queue-size``, ``-v``, ``--no-lua-style``, ``-g``/``-m``, ``--dump-plugin-info``,
``--dump-all-plugins``, ``--version``) so Kong configurations written for ``kong-python-pluginserver``
carry over. Additions:

* ``--dump [NAME]`` / ``-dump [NAME]``: what Kong 3.9+ runs as its query command (``<cmd> -dump``). Kong 3.9+
  keeps only the FIRST entry of the output, so with ``NAME`` only that plugin is printed, as a one-element
  list; give each of our plugins its own ``pluginserver_<name>_query_cmd = kong-ai-pluginserver --dump
  <name>`` (all pointing at the same socket, one of them with the ``start_cmd``). Without ``NAME``, every
  plugin (Kong 3.0 to 3.8 register them all).
* ``--dump-plugin-info NAME`` prints that plugin's entry as a JSON object (kong-pdk 0.36 crashes there, and
  would have printed msgpack).
* ``--plugin NAME=MODULE`` (repeatable) or ``KONG_AI_PLUGINS`` replace the plugin table of
  :mod:`kong_plugins.server.registry`.
* ``-d/--plugins-directory DIR`` also serves every ``DIR/<name>.py`` kong-pdk plugin file, as
  ``kong-python-pluginserver -d`` does (a file that fails to load is a warning; ``.so``/``.pyd`` are not
  loaded).
* ``--handler-timeout``, ``--max-handler-threads``, ``--max-frame-bytes``, ``--instance-idle-ttl``: bounds.
* ``--metrics-listen HOST:PORT``, ``--metrics-dir DIR``, ``--metrics-max-tenants N``: Prometheus metrics
  (off by default; :mod:`kong_plugins.server.metrics_endpoint`, docs/observability/README.md).

``-m`` (multiprocessing) is refused with exit status 2: a pre-fork mode is planned, not written.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from importlib import metadata
from typing import Any

from kong_plugins.server import metrics_endpoint, registry

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

DEFAULT_PREFIX = "/usr/local/kong/"
# Same as transport.DEFAULT_SOCKET_NAME, which must not be imported before gevent patching.
DEFAULT_SOCKET_NAME = "kong-ai.sock"
MULTIPROCESSING_REFUSAL = (
    "multiprocessing mode is not supported by kong-ai-pluginserver yet (a pre-fork mode is planned); "
    "run without -m"
)
_DUMP_ALL = "\0all"
RUNTIMES = ("green", "threads")
DEFAULT_RUNTIME = "green"
#: Chooses the runtime when ``--runtime`` is not given (so a whole test suite can run on either).
RUNTIME_ENV_VAR = "KONG_AI_RUNTIME"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (kong-pdk's flag spellings plus ours)."""
    parser = argparse.ArgumentParser(
        prog="kong-ai-pluginserver",
        description="Kong plugin server for the kong-ai-guard plugins (MessagePack-RPC over a Unix socket).",
        allow_abbrev=False,
    )
    parser.add_argument(
        "-p",
        "--kong-prefix",
        "-kong-prefix",
        dest="prefix",
        metavar="PREFIX",
        default=DEFAULT_PREFIX,
        help="directory of the unix socket; must exist (default: %(default)s)",
    )
    parser.add_argument(
        "--socket-name", default=DEFAULT_SOCKET_NAME, help="socket file name (default: %(default)s)"
    )
    parser.add_argument(
        "--listen-queue-size", type=_positive_int, default=4096, help="listen backlog (default: %(default)s)"
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="more logging: -v debug, -vv also every RPC (method, ids and sizes, never values)",
    )
    parser.add_argument("--version", "-version", action="version", version=_version_text())
    parser.add_argument(
        "--no-lua-style",
        action="store_true",
        help="PDK calls return data and raise PDKException on error, instead of (data, err) tuples",
    )
    concurrency = parser.add_mutually_exclusive_group()
    concurrency.add_argument(
        "-m", "--multiprocessing", action="store_true", help="not supported yet (exits with status 2)"
    )
    concurrency.add_argument("-g", "--gevent", action="store_true", help="gevent mode (monkey-patches first)")
    parser.add_argument(
        "--runtime",
        choices=RUNTIMES,
        default=None,
        help="green (default): one event loop, each handler in a greenlet (blocking work through "
        "kong_plugins.core.blocking); threads: a thread per running handler (with -g: greenlets of gevent). "
        f"Default: ${RUNTIME_ENV_VAR}, else {DEFAULT_RUNTIME}",
    )
    parser.add_argument(
        "--stall-warning",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="green runtime: log a handler that holds the event loop this long, with where it is; 0 = never "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--max-blocking-threads",
        type=_positive_int,
        default=128,
        help="green runtime: worker threads for handlers' blocking work (default: %(default)s)",
    )
    parser.add_argument(
        "-d",
        "--plugins-directory",
        "-plugins-directory",
        dest="directory",
        metavar="DIR",
        help="also serve the kong-pdk plugin files DIR/<name>.py",
    )
    parser.add_argument(
        "--plugin",
        dest="plugins",
        action="append",
        default=[],
        metavar="NAME=MODULE",
        help=f"serve plugin NAME from python module MODULE (repeatable; replaces the table and "
        f"${registry.PLUGINS_ENV_VAR})",
    )
    dumps = parser.add_mutually_exclusive_group()
    dumps.add_argument(
        "--dump",
        "-dump",
        nargs="?",
        const=_DUMP_ALL,
        metavar="NAME",
        help="print plugin info as JSON for Kong's query command: NAME alone, or all plugins",
    )
    dumps.add_argument(
        "--dump-plugin-info", "-dump-plugin-info", dest="dump_info", metavar="NAME", help="print NAME's info"
    )
    dumps.add_argument(
        "--dump-all-plugins", "-dump-all-plugins", dest="dump_all", action="store_true", help="print all"
    )
    parser.add_argument(
        "--handler-timeout",
        type=_positive_float,
        default=30.0,
        metavar="SECONDS",
        help="answer Kong with a 500 when a handler is silent this long, before Kong's 60 s timeout "
        "would make it fail open (default: %(default)s)",
    )
    parser.add_argument(
        "--max-handler-threads",
        type=_positive_int,
        default=512,
        help="handler threads (default: %(default)s)",
    )
    parser.add_argument(
        "--max-frame-bytes",
        type=_positive_int,
        default=64 * 1024 * 1024,
        help="largest request frame accepted (default: %(default)s)",
    )
    parser.add_argument(
        "--instance-idle-ttl",
        type=float,
        default=3600.0,
        metavar="SECONDS",
        help="drop instances unused this long; Kong restarts them; 0 = never (default: %(default)s)",
    )
    metrics_endpoint.add_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``kong-ai-pluginserver``; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.multiprocessing:
        print(MULTIPROCESSING_REFUSAL, file=sys.stderr)
        return EXIT_USAGE
    runtime_name = args.runtime or os.environ.get(RUNTIME_ENV_VAR) or DEFAULT_RUNTIME
    if runtime_name not in RUNTIMES:
        choices = ", ".join(RUNTIMES)
        print(f"kong-ai-pluginserver: ${RUNTIME_ENV_VAR} must be one of {choices}", file=sys.stderr)
        return EXIT_USAGE
    if args.gevent and runtime_name == "green":
        if args.runtime == "green":
            print("kong-ai-pluginserver: -g and --runtime green exclude each other", file=sys.stderr)
            return EXIT_USAGE
        runtime_name = "threads"  # -g asks for gevent's threads explicitly; the variable only sets a default
    args.runtime = runtime_name
    if args.gevent:
        # Before any socket, thread or plugin module exists, so that they all become cooperative.
        from gevent import monkey

        monkey.patch_all()
    try:
        modules, explicit = registry.select_plugin_modules(args.plugins, os.environ)
    except ValueError as exc:
        print(f"kong-ai-pluginserver: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.dump is not None or args.dump_info is not None or args.dump_all:
        return _dump(args, modules, explicit)
    return _serve(args, modules, explicit)


# -- dumps --------------------------------------------------------------------------------------------------


def _dump(args: argparse.Namespace, modules: dict[str, str], explicit: bool) -> int:
    try:
        if args.dump_info is not None:
            payload: Any = _load_one(args.dump_info, modules, args.directory).info()
        elif args.dump is not None and args.dump != _DUMP_ALL:
            payload = [_load_one(args.dump, modules, args.directory).info()]
        else:
            payload = [plugin.info() for plugin in _load_all(modules, explicit, args.directory)]
    except (registry.PluginLoadError, OSError) as exc:
        print(f"kong-ai-pluginserver: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()
    return EXIT_OK


def _load_one(name: str, modules: dict[str, str], directory: str | None) -> registry.LoadedPlugin:
    if name in modules:
        return registry.load_plugin_module(name, modules[name])
    if directory:
        for path in registry.plugin_files(directory):
            if path.stem == name:
                return registry.load_plugin_file(path)
    raise registry.PluginLoadError(name, "not served by kong-ai-pluginserver (see --plugin / -d)")


def _load_all(modules: dict[str, str], explicit: bool, directory: str | None) -> list[registry.LoadedPlugin]:
    """Every plugin, for the all-plugins dump; a broken plugin is an error (Kong must not half-start)."""
    catalog = registry.PluginCatalog()
    for name, module_path in modules.items():
        try:
            catalog.add(registry.load_plugin_module(name, module_path))
        except registry.PluginNotInstalled as exc:
            if explicit:
                raise
            print(f"kong-ai-pluginserver: {exc}; skipped", file=sys.stderr)
    if directory:
        for path in registry.plugin_files(directory):
            try:
                plugin = registry.load_plugin_file(path)
            except registry.PluginLoadError as exc:  # kong-pdk: a plugin file that fails to load is a warning
                print(f"kong-ai-pluginserver: {exc}; skipped", file=sys.stderr)
                continue
            if not catalog.add(plugin):
                print(
                    f"kong-ai-pluginserver: {path}: plugin {plugin.name} already served; skipped",
                    file=sys.stderr,
                )
    return list(catalog.available.values())


# -- serving ------------------------------------------------------------------------------------------------


def _serve(args: argparse.Namespace, modules: dict[str, str], explicit: bool) -> int:
    # Imported only now, after gevent's monkey-patching: their sockets, queues and threads must cooperate.
    from kong_plugins.server.dispatch import Dispatcher
    from kong_plugins.server.lifecycle import install_stop_signals, start_parent_watchdog
    from kong_plugins.server.logs import configure_logging
    from kong_plugins.server.runtime import PluginRuntime
    from kong_plugins.server.transport import UnixSocketServer

    log = configure_logging(args.verbose)
    if not metrics_endpoint.start(args, log):
        return EXIT_FAILURE
    if not os.path.isdir(args.prefix):
        log.error("prefix %s does not exist, cannot create the unix socket there", args.prefix)
        return EXIT_FAILURE
    try:
        catalog = registry.build_catalog(
            modules, explicit=explicit, plugin_dir=args.directory, warn=log.warning, error=log.error
        )
    except OSError as exc:
        log.error("%s", exc)
        return EXIT_FAILURE
    socket_path = os.path.join(args.prefix, args.socket_name)
    server: UnixSocketServer
    if args.runtime == "green":
        from kong_plugins.server.green import GreenRuntime
        from kong_plugins.server.loop import EventLoopServer

        green = GreenRuntime(
            catalog,
            lua_style=not args.no_lua_style,
            handler_timeout=args.handler_timeout,
            instance_idle_ttl=args.instance_idle_ttl,
            max_blocking_threads=args.max_blocking_threads,
        )
        server = EventLoopServer(
            socket_path,
            green,
            Dispatcher(green, trace=args.verbose >= 2),
            listen_queue_size=args.listen_queue_size,
            max_frame_bytes=args.max_frame_bytes,
            trace=args.verbose >= 2,
            stall_warning=args.stall_warning,
        )
    else:
        runtime = PluginRuntime(
            catalog,
            lua_style=not args.no_lua_style,
            handler_timeout=args.handler_timeout,
            instance_idle_ttl=args.instance_idle_ttl,
            max_handler_threads=args.max_handler_threads,
        )
        server = UnixSocketServer(
            socket_path,
            Dispatcher(runtime, trace=args.verbose >= 2),
            listen_queue_size=args.listen_queue_size,
            max_frame_bytes=args.max_frame_bytes,
        )
    try:
        server.bind()
    except OSError as exc:
        log.error("cannot listen on %s: %s", server.socket_path, exc)
        return EXIT_FAILURE
    install_stop_signals(server.stop, use_gevent=args.gevent)
    start_parent_watchdog(server.stop)
    log.info(
        "%s serving %s on %s (%s mode, %s return values)",
        _version_text(),
        ", ".join(catalog.available) or "no plugins",
        server.socket_path,
        "event loop + greenlets" if args.runtime == "green" else "gevent" if args.gevent else "threading",
        "python-style" if args.no_lua_style else "lua-style (data, err)",
    )
    try:
        server.serve_forever()
    finally:
        server.close()
    log.info("stopped")
    logging.shutdown()
    return EXIT_OK


# -- helpers ------------------------------------------------------------------------------------------------


def _version_text() -> str:
    return (
        f"kong-ai-pluginserver {_package_version('kong-ai-guard')} (kong-pdk {_package_version('kong-pdk')})"
    )


def _package_version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


if __name__ == "__main__":
    sys.exit(main())
