"""Concurrent keep-alive clients for the load benches (bench/concurrency.py, bench/limiter_accuracy.py).

Why a pool of connections opened once: a burst of C clients should time C requests in flight, not C TCP
handshakes and the gateway's accept path. Each client is one thread with one :class:`ProxyClient`; a burst
releases them together behind a barrier and records, per request, the time to the whole answer and its
status. Nothing here judges a time: the benches divide one figure by another measured in the same run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from proxy_client import ProxyClient

MAX_CLIENTS = 1024


@dataclass
class BurstResult:
    """One burst: wall time from release to the last answer, and per request (ns, status)."""

    seconds: float
    samples_ns: list[int] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    def samples_with(self, status: int) -> list[int]:
        return [ns for ns, code in zip(self.samples_ns, self.statuses, strict=True) if code == status]


class ClientPool:
    """``size`` keep-alive connections, spread round-robin over ``ports`` (one per gateway node)."""

    def __init__(self, ports: Sequence[int], size: int, timeout_s: float) -> None:
        if not 1 <= size <= MAX_CLIENTS or not ports:
            raise ValueError(f"between 1 and {MAX_CLIENTS} clients, at least one port")
        self.clients = [ProxyClient(ports[index % len(ports)], timeout_s) for index in range(size)]
        self.timeout_s = timeout_s

    def close(self) -> None:
        for client in self.clients:
            client.close()

    def burst(
        self, clients: int, per_client: Sequence[int], path: str, body: bytes, headers: dict[str, str]
    ) -> BurstResult:
        """The first ``clients`` connections send ``per_client[i]`` requests each, released together.

        Any status is recorded (a limiter's 429 is an answer, not a failure); a transport error fails the
        burst."""
        if clients > len(self.clients) or len(per_client) != clients:
            raise ValueError("more clients than the pool holds, or one count per client needed")
        samples: list[list[tuple[int, int]]] = [[] for _ in range(clients)]
        errors: list[BaseException] = []
        barrier = threading.Barrier(clients + 1)

        def work(index: int) -> None:
            client, own, clock = self.clients[index], samples[index], time.perf_counter_ns
            try:
                barrier.wait(self.timeout_s)
                for _ in range(per_client[index]):
                    started = clock()
                    answer = client.post(path, body, headers)
                    own.append((clock() - started, answer.status))
            except BaseException as exc:  # reported below, in the caller's thread
                errors.append(exc)
                barrier.abort()

        threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(clients)]
        for thread in threads:
            thread.start()
        barrier.wait(self.timeout_s)
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        if errors:
            raise RuntimeError(f"burst failed: {errors[0]!r}") from errors[0]
        result = BurstResult(elapsed)
        for own in samples:
            for ns, status in own:
                result.samples_ns.append(ns)
                result.statuses.append(status)
        return result


def spread(total: int, clients: int) -> list[int]:
    """``total`` requests over ``clients`` clients, as evenly as integers allow."""
    base, extra = divmod(total, clients)
    return [base + (1 if index < extra else 0) for index in range(clients)]
