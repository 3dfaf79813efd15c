"""Log lines: level and plugin on every line, so Kong's line-by-line log keeps tracebacks attributable."""

from __future__ import annotations

import io
import logging

from kong_plugins.server.logs import SERVER_LABEL, configure_logging, level_for


def test_every_line_of_a_record_carries_level_and_plugin() -> None:
    stream = io.StringIO()
    configure_logging(0, stream)
    log = logging.getLogger("kong_plugins.server.test")
    try:
        raise ValueError("bad")
    except ValueError:
        log.exception("handler raised", extra={"plugin": "ai-x:access"})
    log.info("plain line")
    lines = stream.getvalue().splitlines()
    assert lines[0] == "ERROR [ai-x:access] handler raised"
    assert all(line.startswith("ERROR [ai-x:access] ") for line in lines[1:-1])
    assert lines[-2] == "ERROR [ai-x:access] ValueError: bad"
    assert lines[-1] == f"INFO [{SERVER_LABEL}] plain line"


def test_verbosity_levels() -> None:
    assert level_for(0) == logging.INFO
    assert level_for(1) == level_for(2) == logging.DEBUG
    stream = io.StringIO()
    configure_logging(0, stream)
    logging.getLogger("kong_plugins.server.test").debug("hidden")
    assert stream.getvalue() == ""
