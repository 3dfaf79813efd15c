"""The ``ai-audit-log`` configuration in Kong's schema shape (the plugin's name is declared here, once).

Kong validates types, defaults, ranges and the entity checks below itself (so a file sink without a path or
an HMAC without a key is refused by the Admin API with 400). Everything else is compiled once per instance by
:func:`.settings.build_settings`.
"""

from __future__ import annotations

from kong_plugins.ai_output_redactor.detectors import DETECTOR_NAMES
from kong_plugins.core.completion import FAIL_CLOSED_MARK_FIELD
from kong_plugins.core.redis import REDIS_SCHEMA_FIELD
from kong_plugins.core.schema import (
    array,
    boolean,
    conditional,
    field,
    host,
    integer,
    map_,
    plugin_schema,
    port,
    sni,
    string,
    url,
)

__all__ = ["NAME", "SCHEMA", "SCHEMA_DUMP", "SINKS", "Schema"]

NAME = "ai-audit-log"

SINKS = ("redis", "file", "syslog", "http")
FACILITIES = {f"local{n}": 16 + n for n in range(8)} | {"user": 1, "auth": 4, "authpriv": 10, "daemon": 3}
HASH_ALGORITHMS = ("sha256", "hmac-sha256")
CLIENT_IP_MODES = ("full", "truncated", "omit")
_LABEL_PATTERN = "^[%w][%w%._%-]*$"
_ABSOLUTE_PATH = "^/"

SCHEMA = plugin_schema(
    NAME,
    [
        field(
            "sinks",
            array(
                string(one_of=list(SINKS)),
                default=["redis"],
                len_min=1,
                len_max=len(SINKS),
                description="Where records are written: `redis` (one Redis Stream per tenant, hash-chained, "
                "what `kong-ai audit verify|tail|export` read), `file` (JSON lines, rotated by size), "
                "`syslog` (RFC 5424 over TCP or TLS, for SIEMs) and/or `http` (batched POST). Each sink has "
                "its own queue and spill file; writing happens off the request path, in batches (see "
                "`flush_interval_ms`).",
            ),
        ),
        field(
            "namespace",
            string(
                default="audit",
                len_min=1,
                len_max=64,
                match=_LABEL_PATTERN,
                description="Part of the Redis keys (`ai-audit-log:{<tenant>}:<namespace>:...`), so several "
                "deployments can share one Redis. `kong-ai audit --namespace` must name the same.",
            ),
        ),
        field(
            "stream_maxlen",
            integer(
                default=1_000_000,
                between=[1000, 1_000_000_000],
                description="Approximate length cap of each tenant's stream (`XADD ... MAXLEN ~`): older "
                "records are trimmed. `audit verify` then starts at the oldest record kept.",
            ),
        ),
        REDIS_SCHEMA_FIELD,
        field(
            "file_path",
            string(
                len_max=4096,
                match=_ABSOLUTE_PATH,
                description="The `file` sink's JSON-lines file (absolute path), hash-chained per tenant "
                "(heads in `<file_path>.heads`). It is rotated to `.1`, `.2`... at `file_max_bytes`.",
            ),
        ),
        field(
            "file_max_bytes",
            integer(
                default=100 * 1024 * 1024,
                between=[4096, 2**40],
                description="Size at which the `file` sink rotates its file.",
            ),
        ),
        field(
            "file_backups",
            integer(
                default=5,
                between=[1, 1000],
                description="Rotated files the `file` sink keeps (`.1` is the newest).",
            ),
        ),
        field("syslog_host", host(description="The `syslog` sink's collector (host name or IP address).")),
        field(
            "syslog_port",
            port(default=6514, description="The `syslog` sink's port (6514: syslog over TLS, RFC 5425)."),
        ),
        field(
            "syslog_tls",
            boolean(
                default=True,
                description="Send syslog over TLS (RFC 5425); false sends it over plain TCP (RFC 6587).",
            ),
        ),
        field(
            "syslog_tls_verify",
            boolean(
                default=True,
                description="Verify the collector's certificate (against the CAs named by "
                "`KONG_LUA_SSL_TRUSTED_CERTIFICATE`, else the system's) and its name.",
            ),
        ),
        field(
            "syslog_server_name", sni(description="TLS server name to send and verify (default: the host).")
        ),
        field(
            "syslog_facility",
            string(
                default="local0",
                one_of=list(FACILITIES),
                description="Syslog facility of the messages. Severity: informational below 400, notice for "
                "4xx, warning for 5xx.",
            ),
        ),
        field(
            "http_endpoint",
            url(description="The `http` sink's URL: each batch is POSTed as a JSON array of records."),
        ),
        field(
            "http_headers",
            map_(
                {"type": "string", "len_min": 1, "len_max": 256, "match": "^[%w!#$%%&'*+.^_`|~-]+$"},
                {"type": "string", "len_max": 4096},
                len_max=16,
                description="Headers sent with each batch (e.g. `Authorization` for the SIEM).",
            ),
        ),
        field(
            "sink_timeout",
            integer(
                default=5000,
                between=[1, 60_000],
                description="Time limit in milliseconds for one syslog or HTTP sink call (connect and send); "
                "a call that exceeds it counts as a failure (the batch is spilled and retried).",
            ),
        ),
        field(
            "spill_dir",
            string(
                default="/usr/local/kong/ai-audit-log",
                len_max=4096,
                match=_ABSOLUTE_PATH,
                description="Directory of the spill files: records a sink could not take (down, or the queue "
                "full) are appended there and replayed, in order, once the sink is back.",
            ),
        ),
        field(
            "queue_size",
            integer(
                default=10_000,
                between=[1, 1_000_000],
                description="Records held in memory per process waiting for the writer; when full, the log "
                "handler appends to an overflow file instead, kept in order behind the queue (nothing is "
                "dropped).",
            ),
        ),
        field(
            "batch_size",
            integer(default=100, between=[1, 10_000], description="Most records written in one sink call."),
        ),
        field(
            "flush_interval_ms",
            integer(
                default=1000,
                between=[10, 60_000],
                description="How long a record may wait in memory before the writer takes it: a crash of "
                "the plugin server loses at most the records queued in this interval (plus one batch being "
                "written).",
            ),
        ),
        field(
            "hash",
            string(
                default="sha256",
                one_of=list(HASH_ALGORITHMS),
                description="How request and answer bodies are fingerprinted: `sha256` of the body, or "
                "`hmac-sha256` (HMAC with `hmac_key` over the body's SHA-256), so that a short prompt cannot "
                "be found by hashing guesses.",
            ),
        ),
        field(
            "hmac_key",
            string(
                len_min=16,
                len_max=1024,
                description="The HMAC key for `hash: hmac-sha256` (at least 16 characters). Keep it in a "
                "Kong vault reference in production.",
            ),
        ),
        field(
            "client_ip",
            string(
                default="truncated",
                one_of=list(CLIENT_IP_MODES),
                description="How the client address is recorded: `full`, `truncated` (IPv4 /24, IPv6 /48: "
                "the network, not the person) or `omit`.",
            ),
        ),
        field(
            "buffer_answer",
            boolean(
                default=False,
                description="Have Kong buffer the upstream's answer (`kong.service.request.enable_buffering`,"
                " one PDK call in `access`) so that it can be hashed on routes where no other plugin has a "
                "`response` phase. A streamed answer then reaches the client in one piece, at its end.",
            ),
        ),
        field(
            "max_body_bytes",
            integer(
                default=10 * 1024 * 1024,
                between=[0, 64 * 1024 * 1024],
                description="Largest request body this plugin reads itself to hash it, when ai-input-guard "
                "published no hash (larger: no input hash). The answer is hashed only when Kong buffered it.",
            ),
        ),
        field(
            "include_payloads",
            boolean(
                default=False,
                description="Store the prompt and the answer's text in the record (`payloads`), "
                "**redacted** with ai-output-redactor's detectors (`payload_detectors`, mask mode: "
                "`[REDACTED:EMAIL]`) and then cut at `max_payload_bytes`. Off by default: the record is "
                "content-free. The prompt is read from the request body in `access` (redacted there: its "
                "time is on the request path); the answer only when Kong buffered it (see "
                "`buffer_answer`). See docs/audit.md.",
            ),
        ),
        field(
            "max_payload_bytes",
            integer(
                default=8192,
                between=[64, 1024 * 1024],
                description="Most UTF-8 bytes of each stored payload (prompt, answer), cut on a character "
                "boundary after redaction and marked `truncated`.",
            ),
        ),
        field(
            "payload_detectors",
            array(
                string(one_of=list(DETECTOR_NAMES)),
                default=list(DETECTOR_NAMES),
                len_min=1,
                len_max=len(DETECTOR_NAMES),
                description="ai-output-redactor's built-in detectors run over stored payloads (default: all "
                "of them; every finding is masked).",
            ),
        ),
        FAIL_CLOSED_MARK_FIELD,
    ],
    entity_checks=[
        conditional("hash", {"eq": "hmac-sha256"}, "hmac_key", {"required": True}),
        conditional("sinks", {"contains": "file"}, "file_path", {"required": True}),
        conditional("sinks", {"contains": "syslog"}, "syslog_host", {"required": True}),
        conditional("sinks", {"contains": "http"}, "http_endpoint", {"required": True}),
    ],
)
Schema = SCHEMA.schema
SCHEMA_DUMP = SCHEMA.dump
