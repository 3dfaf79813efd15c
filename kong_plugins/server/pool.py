"""An elastic pool of daemon threads that run plugin handlers.

Why not ``concurrent.futures.ThreadPoolExecutor``: its workers are joined when the interpreter exits, so one
handler stuck in a network call would keep the server alive after SIGTERM. Why not a thread per event
(kong-pdk): starting a thread costs about as much as a whole no-op event. This pool starts a thread only when
no idle one is left, keeps threads for reuse, and never holds a lock while a task runs.

Threads are daemons and, under ``-g``, gevent's monkey-patching turns them into greenlets with the same code.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

DEFAULT_MAX_THREADS = 512

_log = logging.getLogger("kong_plugins.server.pool")


class HandlerPool:
    """Runs callables on reusable daemon threads, at most ``max_threads`` at a time.

    Beyond ``max_threads`` busy threads, tasks wait in a queue; the runtime's handler timeout still answers
    Kong for them, so a saturated pool fails closed instead of leaving Kong waiting.
    """

    def __init__(self, max_threads: int = DEFAULT_MAX_THREADS, *, name: str = "handler") -> None:
        if max_threads < 1:
            raise ValueError("max_threads must be at least 1")
        self._max_threads = max_threads
        self._name = name
        self._tasks: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = 0  # threads waiting for a task, minus tasks already promised to them

    @property
    def threads(self) -> int:
        """How many worker threads exist (they are kept for reuse)."""
        return self._threads

    @property
    def idle_threads(self) -> int:
        """Threads free for a new task right now."""
        return self._idle

    def submit(self, task: Callable[[], None]) -> None:
        """Run ``task`` on an idle thread, or a new one if none is idle and the cap allows it."""
        start_thread = False
        with self._lock:
            if self._idle > 0:
                self._idle -= 1
            elif self._threads < self._max_threads:
                self._threads += 1
                start_thread = True
        self._tasks.put(task)
        if start_thread:
            thread = threading.Thread(target=self._work, name=f"{self._name}-{self._threads}", daemon=True)
            thread.start()

    def _work(self) -> None:
        while True:
            task = self._tasks.get()
            try:
                task()
            except BaseException:  # a task must never kill its worker: the count would drift
                _log.exception("handler pool task raised")
            with self._lock:
                self._idle += 1
