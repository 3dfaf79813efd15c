"""The ``syslog`` sink: RFC 5424 messages over TCP (RFC 6587 octet counting) or TLS (RFC 5425), for SIEMs.

One message per record: ``<PRI>1 TIMESTAMP HOSTNAME kong-ai-audit PROCID inference - <record JSON>``. PRI is
the configured facility with severity informational (status < 400), notice (4xx) or warning (5xx, or no
status). A batch is one ``sendall`` on a kept-open connection; any error closes it and raises, so the writer
spills the batch and retries it later. Syslog over TCP has no acknowledgement: what the kernel accepted before
the collector died can be lost (RFC 6587 §3.4.1 names the same limit); use the redis sink as the record of
reference and this one to feed a SIEM.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
import socket
import ssl
from collections.abc import Mapping, Sequence
from typing import Any

from kong_plugins.ai_audit_log.record import canonical_json
from kong_plugins.core.redis import TRUSTED_CERTIFICATE_ENV

__all__ = ["SyslogSink", "format_message", "tls_context"]

APP_NAME = "kong-ai-audit"
MSG_ID = "inference"
_HOST = "".join(ch for ch in socket.gethostname() if 33 <= ord(ch) <= 126)[:255] or "-"
_INFO, _NOTICE, _WARNING = 6, 5, 4


def severity(record: Mapping[str, Any]) -> int:
    status = record.get("status")
    if not isinstance(status, int) or status >= 500:
        return _WARNING
    return _NOTICE if status >= 400 else _INFO


def format_message(record: Mapping[str, Any], facility: int, *, now: dt.datetime | None = None) -> bytes:
    """One RFC 5424 message, framed by octet counting (RFC 6587 / RFC 5425: ``LEN SP MSG``)."""
    stamp = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="microseconds").replace("+00:00", "Z")
    header = f"<{facility * 8 + severity(record)}>1 {stamp} {_HOST} {APP_NAME} {os.getpid()} {MSG_ID} - "
    message = header.encode("ascii") + canonical_json(record).encode()
    return str(len(message)).encode() + b" " + message


def tls_context(verify: bool) -> ssl.SSLContext:
    """TLS client context: Kong's ``lua_ssl_trusted_certificate`` CAs (the same variable as Redis TLS)."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    trusted = [p.strip() for p in os.environ.get(TRUSTED_CERTIFICATE_ENV, "system").split(",") if p.strip()]
    files = [path for path in trusted if path != "system"]
    if files:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if "system" in trusted:
            context.load_default_certs()
        for path in files:
            context.load_verify_locations(cafile=path)
    return context


class SyslogSink:
    name = "syslog"

    def __init__(
        self,
        host: str,
        port: int,
        *,
        tls: bool,
        verify: bool,
        server_name: str | None,
        facility: int,
        timeout_s: float,
    ) -> None:
        self.host = host
        self.port = port
        self.facility = facility
        self.timeout_s = timeout_s
        self.server_name = server_name or host
        self._context = tls_context(verify) if tls else None
        self._sock: socket.socket | None = None

    def _connect(self) -> socket.socket:
        if self._sock is None:
            raw = socket.create_connection((self.host, self.port), timeout=self.timeout_s)
            try:
                if self._context is not None:
                    sni = None if _is_ip(self.server_name) else self.server_name
                    raw = self._context.wrap_socket(raw, server_hostname=sni)
            except BaseException:
                raw.close()
                raise
            self._sock = raw
        return self._sock

    def write(self, records: Sequence[Mapping[str, Any]]) -> int:
        data = b"".join(format_message(record, self.facility) for record in records)
        try:
            sock = self._connect()
            sock.settimeout(self.timeout_s)
            sock.sendall(data)
        except (OSError, ssl.SSLError):
            self.close()
            raise
        return len(records)

    def close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return False
    return True
