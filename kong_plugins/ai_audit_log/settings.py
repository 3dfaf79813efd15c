"""``ai-audit-log`` settings, compiled once per plugin instance, and the process-wide writers they use."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kong_plugins.ai_audit_log.file_sink import FileSink
from kong_plugins.ai_audit_log.http_sink import HttpSink
from kong_plugins.ai_audit_log.payloads import DEFAULT_DETECTORS, PayloadPolicy
from kong_plugins.ai_audit_log.record import Fingerprint
from kong_plugins.ai_audit_log.redis_sink import RedisStreamSink
from kong_plugins.ai_audit_log.schema import FACILITIES
from kong_plugins.ai_audit_log.syslog_sink import SyslogSink
from kong_plugins.ai_audit_log.writer import Sink, Writer, writer_for
from kong_plugins.core.errors import ConfigError
from kong_plugins.core.redis import RedisConfig, connect

__all__ = ["Settings", "build_settings"]

_MISSING = "required field missing"


class LazyWriter:
    """A sink's process-wide writer, started by the first record: validating a config (``kong-ai validate``
    builds the plugin) or an instance that never logs starts no thread and opens nothing."""

    __slots__ = ("identity", "make_sink", "options")

    def __init__(
        self, identity: tuple[Any, ...], make_sink: Callable[[], Sink], options: dict[str, Any]
    ) -> None:
        self.identity = identity
        self.make_sink = make_sink
        self.options = options

    def get(self) -> Writer:
        return writer_for(self.identity, self.make_sink, **self.options)

    def submit(self, record: Mapping[str, Any]) -> None:
        self.get().submit(record)


@dataclass(frozen=True)
class Settings:
    fingerprint: Fingerprint
    client_ip: str
    max_body_bytes: int
    buffer_answer: bool
    writers: tuple[LazyWriter, ...]
    payloads: PayloadPolicy | None = None  # include_payloads


def build_settings(config: Mapping[str, Any]) -> Settings:
    sinks = list(config.get("sinks") or ["redis"])
    algorithm = config.get("hash") or "sha256"
    key = config.get("hmac_key")
    if algorithm == "hmac-sha256" and not key:
        raise ConfigError("hmac_key is required with hash hmac-sha256", {"hmac_key": _MISSING})
    spill_dir = config.get("spill_dir") or "/usr/local/kong/ai-audit-log"
    options = {
        "spill_dir": spill_dir,
        "queue_size": int(config.get("queue_size") or 10_000),
        "batch_size": int(config.get("batch_size") or 100),
        "flush_interval_s": int(config.get("flush_interval_ms") or 1000) / 1000,
    }
    writers = []
    if "redis" in sinks:
        redis_config = RedisConfig.from_config(config.get("redis"))
        namespace = str(config.get("namespace") or "audit")
        maxlen = int(config.get("stream_maxlen") or 1_000_000)
        identity = ("redis", repr(redis_config), namespace, maxlen, *options.values())
        sink = lambda: RedisStreamSink(lambda: connect(redis_config), namespace, maxlen)  # noqa: E731
        writers.append(LazyWriter(identity, sink, options))
    if "file" in sinks:
        path = config.get("file_path")
        if not isinstance(path, str) or not path.startswith("/"):
            raise ConfigError("file_path is required with the file sink", {"file_path": _MISSING})
        max_bytes = int(config.get("file_max_bytes") or 100 * 1024 * 1024)
        backups = int(config.get("file_backups") or 5)
        identity = ("file", path, max_bytes, backups, *options.values())
        writers.append(LazyWriter(identity, lambda: FileSink(path, max_bytes, backups), options))
    timeout_s = int(config.get("sink_timeout") or 5000) / 1000
    if "syslog" in sinks:
        syslog = {
            "host": config.get("syslog_host"),
            "port": int(config.get("syslog_port") or 6514),
            "tls": config.get("syslog_tls") is not False,
            "verify": config.get("syslog_tls_verify") is not False,
            "server_name": config.get("syslog_server_name"),
            "facility": FACILITIES.get(str(config.get("syslog_facility") or "local0"), 16),
            "timeout_s": timeout_s,
        }
        if not isinstance(syslog["host"], str) or not syslog["host"]:
            raise ConfigError("syslog_host is required with the syslog sink", {"syslog_host": _MISSING})
        identity = ("syslog", tuple(sorted(syslog.items())), spill_dir, *options.values())
        writers.append(LazyWriter(identity, lambda: SyslogSink(**syslog), options))
    if "http" in sinks:
        endpoint = config.get("http_endpoint")
        if not isinstance(endpoint, str) or not endpoint:
            raise ConfigError("http_endpoint is required with the http sink", {"http_endpoint": _MISSING})
        headers = dict(config.get("http_headers") or {})
        identity = ("http", endpoint, tuple(sorted(headers.items())), timeout_s, spill_dir, *options.values())
        writers.append(LazyWriter(identity, lambda: HttpSink(endpoint, headers, timeout_s), options))
    return Settings(
        fingerprint=Fingerprint(algorithm, key.encode() if isinstance(key, str) else None),
        client_ip=str(config.get("client_ip") or "truncated"),
        max_body_bytes=int(config.get("max_body_bytes", 10 << 20) or 0),
        writers=tuple(writers),
        buffer_answer=config.get("buffer_answer") is True,
        payloads=PayloadPolicy.build(
            list(config.get("payload_detectors") or DEFAULT_DETECTORS),
            int(config.get("max_payload_bytes") or 8192),
        )
        if config.get("include_payloads") is True
        else None,
    )
