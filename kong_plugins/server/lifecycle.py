"""When the server stops: on SIGTERM/SIGINT (Kong's shutdown sends SIGTERM) and when its parent goes away.

kong-pdk's watchdog checks ``getppid() == 1`` and then calls ``sys.exit()`` from the watchdog thread, which in
threading mode ends only that thread: the orphaned server keeps running. Ours compares with the parent seen at
start-up (so it also works under a subreaper, and does nothing if we were started by init itself) and asks the
server to stop, which ends the process and removes the socket.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable

WATCHDOG_INTERVAL = 1.0

_log = logging.getLogger("kong_plugins.server.lifecycle")


def start_parent_watchdog(on_parent_gone: Callable[[], None], interval: float = WATCHDOG_INTERVAL) -> None:
    """Call ``on_parent_gone`` once the process that started us has exited (checked every ``interval`` s)."""
    parent = os.getppid()
    if parent <= 1:
        _log.debug("started by init (ppid %d): parent watchdog disabled", parent)
        return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        _log.info("parent process %d exited (Kong exits), terminating", parent)
        on_parent_gone()

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def install_stop_signals(stop: Callable[[], None], *, use_gevent: bool) -> None:
    """Route SIGTERM and SIGINT to ``stop`` (a gevent-aware handler under ``-g``)."""

    def on_signal(signum: int, _frame: object = None) -> None:
        _log.info("%s received, stopping", signal.Signals(signum).name)
        stop()

    for signum in (signal.SIGTERM, signal.SIGINT):
        if use_gevent:
            import gevent

            gevent.signal_handler(signum, on_signal, signum)
        else:
            signal.signal(signum, on_signal)
