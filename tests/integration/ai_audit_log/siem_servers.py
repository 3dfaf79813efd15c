"""Collectors the SIEM sinks write to, run in the test process: an RFC 5425/6587 syslog receiver (TCP or TLS,
octet-counted frames) and an HTTP endpoint that can be told to fail."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SYSLOG_LINE = re.compile(rb"^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) - (.*)$", re.S)


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "siem.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("siem.test")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "siem.crt", directory / "siem.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


class SyslogReceiver:
    """Accepts connections, splits octet-counted frames, keeps ``(pri, header fields, record)``."""

    def __init__(self, tls: tuple[Path, Path] | None = None, port: int = 0) -> None:
        self.messages: list[tuple[int, list[bytes], dict[str, Any]]] = []
        self.changed = threading.Condition()
        self._context = None
        if tls is not None:
            self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._context.load_cert_chain(*tls)
        self._listener = socket.create_server(("127.0.0.1", port))
        self.port = self._listener.getsockname()[1]
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            if self._context is not None:
                try:
                    conn = self._context.wrap_socket(conn, server_side=True)
                except (OSError, ssl.SSLError):
                    conn.close()
                    continue
            self._conns.append(conn)
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn: socket.socket) -> None:
        buffer = b""
        while True:
            try:
                chunk = conn.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while b" " in buffer:
                length_text, _, rest = buffer.partition(b" ")
                length = int(length_text)
                if len(rest) < length:
                    break
                frame, buffer = rest[:length], rest[length:]
                match = SYSLOG_LINE.match(frame)
                assert match is not None, frame[:200]
                with self.changed:
                    self.messages.append(
                        (int(match.group(1)), list(match.groups()[1:6]), json.loads(match.group(7)))
                    )
                    self.changed.notify_all()

    def wait_for(self, count: int, timeout: float = 30) -> list[tuple[int, list[bytes], dict[str, Any]]]:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.messages) >= count, timeout=timeout), len(
                self.messages
            )
            return list(self.messages)

    def close(self) -> None:
        # shutdown first: a close() alone leaves the socket listening while the accept thread is blocked on it
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()


class HttpCollector:
    """POSTed JSON arrays, in arrival order; ``status`` is what it answers (set 503 to refuse batches)."""

    def __init__(self) -> None:
        self.batches: list[list[dict[str, Any]]] = []
        self.headers: list[dict[str, str]] = []
        self.status = 200
        self.changed = threading.Condition()
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = collector.status
                if status == 200:
                    with collector.changed:
                        collector.batches.append(json.loads(body))
                        collector.headers.append(dict(self.headers))
                        collector.changed.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/ingest?source=kong"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def records(self) -> list[dict[str, Any]]:
        with self.changed:
            return [record for batch in self.batches for record in batch]

    def wait_for(self, count: int, timeout: float = 30) -> list[dict[str, Any]]:
        with self.changed:
            assert self.changed.wait_for(
                lambda: sum(len(b) for b in self.batches) >= count, timeout=timeout
            ), len(self.batches)
        return self.records()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
