"""A bounded HTTP client for the red-team battery: a request budget, a per-request timeout, a deadline.

Why its own client (``http.client``, no third-party one): the battery must send what a hostile client sends
(duplicate and mixed-case headers, exact bytes), must never send more than the operator allowed, and must
stop by itself whatever the target does (a slow or hanging gateway is reported, never waited on forever).
"""

from __future__ import annotations

import http.client
import ssl
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TextIO
from urllib.parse import urlsplit

MAX_BODY_READ = 1024 * 1024
"""Most bytes read of an answer: enough for any verdict, bounded whatever the target sends."""

Headers = Sequence[tuple[str, str]]


class BudgetExhausted(Exception):
    """The request budget (``--max-requests``) or the deadline is spent: remaining attacks are skipped."""


@dataclass
class Reply:
    """What came back: ``status`` 0 when no HTTP answer arrived (``error`` says why)."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    error: str = ""

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    def summary(self) -> str:
        if self.status == 0:
            return f"no answer ({self.error})"
        text = self.body[:120].decode("utf-8", "replace").replace("\n", " ").strip()
        return f"{self.status} {text}" if text else str(self.status)


class Target:
    """The gateway under attack. Thread-safe: the limiter race sends from several threads at once."""

    def __init__(
        self,
        base_url: str,
        *,
        max_requests: int,
        timeout: float,
        deadline: float,
        insecure: bool = False,
        progress: TextIO | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.prefix = parts.path.rstrip("/")
        self.max_requests = max_requests
        self.timeout = timeout
        self.ends_at = time.monotonic() + deadline
        self.sent = 0
        self._lock = threading.Lock()
        self._progress = progress
        self._context = ssl._create_unverified_context() if insecure else ssl.create_default_context()

    def remaining(self) -> int:
        with self._lock:
            return self.max_requests - self.sent

    def reserve(self, count: int) -> None:
        """Take ``count`` requests from the budget at once (all or none), or raise BudgetExhausted."""
        with self._lock:
            if time.monotonic() >= self.ends_at:
                raise BudgetExhausted("the deadline (--deadline) has passed")
            if self.sent + count > self.max_requests:
                raise BudgetExhausted(
                    f"needs {count} more requests, {self.max_requests - self.sent} left of --max-requests"
                )
            self.sent += count

    def progress(self, text: str) -> None:
        if self._progress is None:
            return
        line = f"redteam: [{self.sent}/{self.max_requests} requests] {text}"
        if self._progress.isatty():
            self._progress.write("\r\033[K" + line[:150])
        else:
            self._progress.write(line + "\n")
        self._progress.flush()

    def done(self) -> None:
        if self._progress is not None and self._progress.isatty():
            self._progress.write("\r\033[K")
            self._progress.flush()

    def send(
        self,
        method: str,
        path: str,
        headers: Headers = (),
        body: bytes | None = None,
        *,
        reserved: bool = False,
    ) -> Reply:
        """One request (from the budget unless ``reserved``); never raises for what the target does."""
        if not reserved:
            self.reserve(1)
        timeout = max(0.1, min(self.timeout, self.ends_at - time.monotonic() + self.timeout))
        if self.scheme == "https":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                self.host, self.port, timeout=timeout, context=self._context
            )
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.putrequest(method, self.prefix + path, skip_accept_encoding=True)
            for name, value in headers:
                conn.putheader(name, value.encode("utf-8"))
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            response = conn.getresponse()
            return Reply(response.status, list(response.getheaders()), _read_bounded(response, timeout))
        except (OSError, http.client.HTTPException, ValueError) as exc:
            return Reply(0, error=f"{type(exc).__name__}: {exc}"[:200])
        finally:
            conn.close()


def _read_bounded(response: http.client.HTTPResponse, timeout: float) -> bytes:
    """The answer's first MAX_BODY_READ bytes, within ``timeout`` in total: a target that trickles bytes
    cannot hold the battery longer than one timeout per request."""
    ends_at = time.monotonic() + timeout
    chunks: list[bytes] = []
    size = 0
    while size < MAX_BODY_READ and time.monotonic() < ends_at:
        chunk = response.read1(min(65536, MAX_BODY_READ - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def stderr_progress(quiet: bool) -> TextIO | None:
    return None if quiet else sys.stderr
