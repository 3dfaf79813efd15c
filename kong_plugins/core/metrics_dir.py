"""``--metrics-dir`` (prometheus-client's multiprocess mode): emptied when a node starts, kept while it runs.

prometheus-client keeps each process's values in ``<type>_<pid>.db`` files of the directory and sums every
file at scrape time; its documentation says the directory must be wiped between runs (before startup), or
a previous run's counts are added to this one's. Kong starts several plugin-server processes (one per
``pluginserver_names`` entry with a ``start_cmd``) at about the same time, and restarts one that died while
the others keep running, so "wipe at start" has to tell the two cases apart:

* every process holds an exclusive ``flock`` on its own ``kong-ai-<pid>.lock`` for as long as it lives (the
  kernel releases it when the process dies, however it dies; a reused pid does not inherit it);
* a starting process takes ``.kong-ai-metrics.lock``, looks at the other lock files, and only when none is
  held by a live process (a node starting) deletes every ``.db`` file and the stale lock files. When another
  process is alive (a plugin server restarted by Kong), nothing is deleted: the dead process's counters stay
  counted, as they were before it died, so no summed counter goes backwards.

Only files that look like ours are ever deleted, and a directory holding anything else (a typo pointing at
``/var/lib``, a shared folder) is refused: :class:`ForeignDirectory`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from dataclasses import dataclass

import re2

__all__ = ["ForeignDirectory", "Lease", "prepare"]

GLOBAL_LOCK = ".kong-ai-metrics.lock"
_DB_FILE = re2.compile(r"[a-z]+(?:_[a-z]+)*_[0-9]{1,10}\.db")
_LOCK_FILE = re2.compile(r"kong-ai-([0-9]{1,10})\.lock")


class ForeignDirectory(ValueError):
    """The metrics directory holds files prometheus-client and we did not write: it is not emptied."""


@dataclass
class Lease:
    """This process's hold on the directory (its lock file stays locked while the object lives)."""

    directory: str
    fd: int
    emptied: bool
    """True when this process found no live sibling and deleted the previous run's files."""

    def close(self) -> None:
        os.close(self.fd)


def prepare(directory: str) -> Lease:
    """Create ``directory`` if needed, refuse it when it holds foreign files, register this process, and
    delete the previous run's files when no other live process uses it."""
    os.makedirs(directory, exist_ok=True)
    foreign = sorted(name for name in os.listdir(directory) if not _ours(directory, name))
    if foreign:
        shown = ", ".join(foreign[:3]) + (" ..." if len(foreign) > 3 else "")
        raise ForeignDirectory(
            f"--metrics-dir {directory} holds files that are not kong-ai-pluginserver metrics ({shown}): "
            "give it a directory of its own"
        )
    guard = os.open(os.path.join(directory, GLOBAL_LOCK), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(guard, fcntl.LOCK_EX)
        mine = os.path.join(directory, f"kong-ai-{os.getpid()}.lock")
        fd = os.open(mine, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        stale, live = _siblings(directory, os.path.basename(mine))
        if not live:
            for name in os.listdir(directory):
                if _DB_FILE.fullmatch(name):
                    _remove(os.path.join(directory, name))
        for name in stale:
            _remove(os.path.join(directory, name))
        return Lease(directory, fd, emptied=not live)
    finally:
        os.close(guard)  # releases the global lock


def _ours(directory: str, name: str) -> bool:
    if not os.path.isfile(os.path.join(directory, name)):
        return False
    return name == GLOBAL_LOCK or bool(_DB_FILE.fullmatch(name) or _LOCK_FILE.fullmatch(name))


def _siblings(directory: str, mine: str) -> tuple[list[str], list[str]]:
    """Other processes' lock files: (stale: nobody holds them, live: a running process does)."""
    stale, live = [], []
    for name in os.listdir(directory):
        if name == mine or not _LOCK_FILE.fullmatch(name):
            continue
        try:
            fd = os.open(os.path.join(directory, name), os.O_RDWR)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            live.append(name)
        else:
            stale.append(name)
        finally:
            os.close(fd)
    return stale, live


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)
