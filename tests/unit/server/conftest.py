"""Keep the server logger as it was: some tests configure it (cli.main, logs), and a handler left pointing at
a closed capture stream would break logging in every later test."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from kong_plugins.server.logs import LOGGER_NAME


@pytest.fixture(autouse=True)
def restore_server_logger() -> Iterator[None]:
    logger = logging.getLogger(LOGGER_NAME)
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved[0], saved[1], saved[2]
