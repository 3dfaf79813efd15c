"""Child processes for the benches: started with their output in a log file, waited for, always stopped.

Why a log file and not a pipe: a pipe needs a reader thread in the bench process, and that thread would
compete for the GIL with the timing loop whenever a server logs; a file costs the bench nothing. Why every
child in its own session: a stop signal then reaches it alone, never the bench's terminal or the test run.
:class:`ProcessSet` stops everything it started, in reverse order, even when the bench fails half-way.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

REPO_ROOT = Path(__file__).resolve().parent.parent
POLL_S = 0.02
STOP_GRACE_S = 10.0
LOG_TAIL_CHARS = 3000


class ProcessFailed(RuntimeError):
    """A child exited early or never became ready; the message carries the end of its log."""


@dataclass
class BackgroundProcess:
    """One child process and the file its stdout and stderr go to."""

    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self) -> str:
        return self.log_text()[-LOG_TAIL_CHARS:]

    def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """SIGTERM (what Kong sends), then SIGKILL if it is still there after ``grace_s``."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(grace_s)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    self.proc.kill()
                self.proc.wait(grace_s)

    def wait_until(self, ready: Callable[[], bool], what: str, timeout_s: float) -> None:
        """Poll ``ready`` until it holds; fail at once if the child exits, or after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while not ready():
            if self.proc.poll() is not None:
                raise ProcessFailed(
                    f"{self.name} exited with {self.proc.returncode} before {what}:\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                raise ProcessFailed(f"{self.name}: no {what} after {timeout_s:.0f} s:\n{self.log_tail()}")
            time.sleep(POLL_S)

    def wait_for_socket(self, path: Path, timeout_s: float = 30.0) -> None:
        def accepts() -> bool:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                try:
                    probe.connect(str(path))
                except OSError:
                    return False
                return True

        self.wait_until(accepts, f"socket {path}", timeout_s)

    def wait_for_log_match(self, pattern: str, timeout_s: float = 30.0) -> re.Match[str]:
        """The first match of ``pattern`` in the child's output (e.g. a "listening on" line)."""
        found: list[re.Match[str]] = []

        def matched() -> bool:
            match = re.search(pattern, self.log_text())
            if match:
                found.append(match)
            return match is not None

        self.wait_until(matched, f"output matching {pattern!r}", timeout_s)
        return found[0]


def python_env(*extra_paths: Path) -> dict[str, str]:
    """The environment for a child Python: ``extra_paths`` first on PYTHONPATH, then the repository."""
    env = dict(os.environ)
    paths = [str(p) for p in extra_paths] + [str(REPO_ROOT)]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.pop("KONG_AI_PLUGINS", None)  # the bench says which plugins a server serves, explicitly
    return env


class ProcessSet:
    """The children of one bench run; a context manager that stops them all on the way out."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.processes: list[BackgroundProcess] = []

    def spawn(self, name: str, argv: Sequence[str], env: dict[str, str] | None = None) -> BackgroundProcess:
        log_path = self.log_dir / f"{name}.log"
        with log_path.open("ab") as log:
            proc = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=REPO_ROOT,
                start_new_session=True,
            )
        child = BackgroundProcess(name, proc, log_path)
        self.processes.append(child)
        return child

    def stop_all(self) -> None:
        for child in reversed(self.processes):
            child.stop()

    def __enter__(self) -> ProcessSet:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop_all()


def stop_pids(pids: Sequence[int], grace_s: float = STOP_GRACE_S) -> list[int]:
    """Make sure processes we know we caused (by pid) are gone; returns the pids that had to be killed.

    For grandchildren (plugin servers started by the emulated gateway in their own sessions): the gateway
    stops them itself, this only catches what a crashed gateway left behind.
    """
    killed: list[int] = []
    deadline = time.monotonic() + grace_s
    pending = [pid for pid in pids if _exists(pid)]
    while pending and time.monotonic() < deadline:
        time.sleep(POLL_S * 5)
        pending = [pid for pid in pending if _exists(pid)]
    for pid in pending:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
    return killed


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError, IndexError):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state == "Z":
            return False
    return True


def python() -> str:
    """The interpreter running the bench: children use the same one (same packages, same version)."""
    return sys.executable
