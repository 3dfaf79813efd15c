"""Log lines on stderr, one prefix per line, readable inside Kong's error.log.

Kong reads the plugin server's merged stdout/stderr line by line and logs each line at INFO as
``[<server>:<pid>] <line>``. So every line, including each line of a traceback, carries the level and the
plugin (``plugin:phase`` for handler events) — otherwise a traceback's lines could not be told apart when two
handlers fail at once. A record is written in one call under the handler's lock, so lines of two records never
interleave. Nothing is logged on stdout: it carries the dump commands' JSON.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

SERVER_LABEL = "kong-ai-pluginserver"
LOGGER_NAME = "kong_plugins"  # the plugins' loggers (kong_plugins.<plugin>) too, not only the server's


class _PrefixEveryLine(logging.Formatter):
    """``LEVEL [plugin] message``, repeated on every line of a multi-line message or traceback."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        label = getattr(record, "plugin", None) or SERVER_LABEL
        prefix = f"{record.levelname} [{label}] "
        return "\n".join(prefix + line for line in text.splitlines() or [""])


def level_for(verbosity: int) -> int:
    """``-v`` count → logging level: INFO by default (as kong-pdk), DEBUG from ``-v``."""
    return logging.INFO if verbosity <= 0 else logging.DEBUG


def configure_logging(verbosity: int, stream: TextIO | None = None) -> logging.Logger:
    """Send the server's logs to ``stream`` (stderr) at the ``-v`` level; returns the server logger."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_PrefixEveryLine("%(message)s"))
    logger = logging.getLogger(LOGGER_NAME)
    logger.handlers[:] = [handler]
    logger.setLevel(level_for(verbosity))
    logger.propagate = False
    return logger
