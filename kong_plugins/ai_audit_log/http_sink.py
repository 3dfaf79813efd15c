"""The ``http`` sink: each batch POSTed as one JSON array (``Content-Type: application/json``) to
``http_endpoint``, e.g. a SIEM's collector. A 2xx answer is success; anything else (or a timeout) raises, so
the writer spills the batch and retries it later, in order. The receiver should deduplicate on the records'
``id`` (a batch whose 2xx was lost is sent again)."""

from __future__ import annotations

import http.client
import ssl
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any

from kong_plugins.ai_audit_log.record import canonical_json
from kong_plugins.ai_audit_log.syslog_sink import tls_context

__all__ = ["HttpSink", "HttpSinkError"]


class HttpSinkError(RuntimeError):
    """The endpoint answered something other than 2xx."""


class HttpSink:
    name = "http"

    def __init__(self, endpoint: str, headers: Mapping[str, str], timeout_s: float) -> None:
        parts = urllib.parse.urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("http_endpoint must be an http:// or https:// URL")
        self.https = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port or (443 if self.https else 80)
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.headers = {**dict(headers), "Content-Type": "application/json"}
        self.timeout_s = timeout_s
        self._context: ssl.SSLContext | None = tls_context(True) if self.https else None
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self.https:
                self._conn = http.client.HTTPSConnection(
                    self.host, self.port, timeout=self.timeout_s, context=self._context
                )
            else:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout_s)
        return self._conn

    def write(self, records: Sequence[Mapping[str, Any]]) -> int:
        body = ("[" + ",".join(canonical_json(record) for record in records) + "]").encode()
        try:
            conn = self._connection()
            conn.request("POST", self.path, body=body, headers=self.headers)
            response = conn.getresponse()
            response.read(64 * 1024)
            if response.will_close:
                self.close()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        if not 200 <= response.status < 300:
            raise HttpSinkError(f"{self.host}:{self.port} answered {response.status}")
        return len(records)

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
