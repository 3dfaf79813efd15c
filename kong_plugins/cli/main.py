"""``kong-ai``: the kong-ai-guard admin command line (console script ``kong_plugins.cli.main:main``).

This module only dispatches. Each command group lives in its own module under ``kong_plugins.cli`` that
defines ``register(subparsers)``: it adds its sub-parser(s) and sets ``handler`` (a function taking the parsed
arguments and returning an exit code) with ``set_defaults``. To add a group, append its module to
:data:`COMMAND_MODULES`; a listed module that is not installed yet is skipped, so groups can land one by one.

Exit codes: 0 success, 1 the operation failed (not found, already exists...), 2 bad usage (argparse),
3 a backend (Redis) could not be reached.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from kong_plugins import __version__
from kong_plugins.core.errors import BackendError

__all__ = ["COMMAND_MODULES", "EXIT_BACKEND", "EXIT_FAILED", "EXIT_OK", "CliError", "build_parser", "main"]

COMMAND_MODULES: list[str] = [
    "kong_plugins.cli.tenants",
    "kong_plugins.cli.keys",
    "kong_plugins.cli.docs",
    "kong_plugins.cli.schema",
    "kong_plugins.cli.validate",
    "kong_plugins.cli.usage",
    "kong_plugins.cli.audit",
    "kong_plugins.cli.limits",
    "kong_plugins.cli.policy",
    "kong_plugins.cli.detector",
    "kong_plugins.cli.assess",
    "kong_plugins.cli.redteam",
    "kong_plugins.cli.emergency",
]
"""Modules whose ``register(subparsers)`` adds a command group, in the order ``--help`` lists them."""

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_BACKEND = 3


class CliError(Exception):
    """A command failed in a way the user can act on; the message is printed, the exit code returned."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def build_parser(modules: Sequence[str] = tuple(COMMAND_MODULES)) -> argparse.ArgumentParser:
    """The full parser, with every installed command group registered."""
    parser = argparse.ArgumentParser(
        prog="kong-ai",
        description="Administer kong-ai-guard: tenants, API keys, plugin schemas and docs.",
    )
    parser.add_argument("--version", action="version", version=f"kong-ai {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in modules:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # this command group is not installed (yet)
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kong-ai`` with ``argv`` (default: the process arguments); returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.error(f"{args.command}: choose a subcommand")
    try:
        return int(handler(args) or EXIT_OK)
    except CliError as exc:
        print(f"kong-ai: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BackendError as exc:
        print(f"kong-ai: error: {exc}", file=sys.stderr)
        return EXIT_BACKEND


if __name__ == "__main__":
    # Run as `python -m kong_plugins.cli.main`, this file is `__main__`, and the command modules import a
    # second copy of it: use that copy's main() so its CliError is the one caught.
    from kong_plugins.cli.main import main as _main

    sys.exit(_main())
