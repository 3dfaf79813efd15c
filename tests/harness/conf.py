"""Kong configuration (``kong.conf`` plus ``KONG_*`` environment overrides), as far as the emulator needs it.

Kong reads ``kong.conf`` (``key = value`` lines, ``#`` comments) and lets every key be overridden by an
environment variable ``KONG_<KEY>`` (kong/conf_loader). The emulator reads the very file a real Kong would use
(``kong/kong.conf``), so the plugin-server wiring that the tests exercise is the one that ships.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

_SIZE_RE = re.compile(r"^\s*(\d+)\s*([kKmMgG]?)\s*$")


def parse_kong_conf(text: str) -> dict[str, str]:
    """Parse kong.conf syntax: ``key = value``; ``#`` starts a comment unless escaped as ``\\#``."""
    values: dict[str, str] = {}
    for raw_line in text.splitlines():
        line = re.sub(r"(?<!\\)#.*$", "", raw_line).replace("\\#", "#").strip()
        if not line or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip().lower()] = value.strip()
    return values


def parse_size(value: str) -> int:
    """nginx size syntax (``8k``, ``1m``) in bytes."""
    match = _SIZE_RE.match(value)
    if not match:
        raise ValueError(f"invalid size: {value!r}")
    number, unit = int(match.group(1)), match.group(2).lower()
    return number * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit]


@dataclass(frozen=True)
class PluginServerConf:
    """One ``pluginserver_names`` entry: where its socket is and how to start and query it."""

    name: str
    socket: str
    start_cmd: str | None
    query_cmd: str | None


@dataclass
class KongConf:
    """The settings the emulator honours, with Kong's defaults."""

    prefix: str = "/usr/local/kong"
    plugins: list[str] = field(default_factory=lambda: ["bundled"])
    pluginservers: list[PluginServerConf] = field(default_factory=list)
    client_body_buffer_size: int = 8192
    lua_max_req_headers: int = 100  # ngx.req.get_headers() default (kong/globalpatches.lua)
    headers: list[str] = field(
        default_factory=lambda: ["server_tokens", "latency_tokens", "x-kong-request-id"]
    )
    declarative_config: str | None = None
    trusted_ips: list[str] = field(default_factory=list)
    real_ip_header: str = "X-Real-IP"
    real_ip_recursive: bool = False
    raw: dict[str, str] = field(default_factory=dict)

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.raw.get(key, default)


def _split_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def load_kong_conf(path: str | os.PathLike[str] | None, env: Mapping[str, str] | None = None) -> KongConf:
    """Read ``path`` (may be None) and apply ``KONG_*`` overrides from ``env`` (default: os.environ)."""
    env = os.environ if env is None else env
    raw = parse_kong_conf(Path(path).read_text()) if path else {}
    for name, value in env.items():
        if name.startswith("KONG_") and len(name) > 5:
            raw[name[5:].lower()] = value
    conf = KongConf(raw=raw)
    conf.prefix = raw.get("prefix", conf.prefix)
    if "plugins" in raw:
        conf.plugins = _split_list(raw["plugins"])
    # conf_loader: `client_body_buffer_size` is a deprecated alias of nginx_http_client_body_buffer_size.
    buffer_size = raw.get("nginx_http_client_body_buffer_size", raw.get("client_body_buffer_size"))
    if buffer_size:
        conf.client_body_buffer_size = parse_size(buffer_size)
    if "lua_max_req_headers" in raw:
        conf.lua_max_req_headers = _max_count(raw["lua_max_req_headers"], "lua_max_req_headers")
    if "headers" in raw:
        conf.headers = [h.lower() for h in _split_list(raw["headers"])]
    conf.declarative_config = raw.get("declarative_config")
    # conf_loader: trusted_ips "0.0.0.0/0,::/0" trusts everyone, "unix:" only unix sockets (no CIDR here).
    conf.trusted_ips = [ip for ip in _split_list(raw.get("trusted_ips", "")) if ip != "unix:"]
    conf.real_ip_header = raw.get("real_ip_header", conf.real_ip_header)
    conf.real_ip_recursive = raw.get("real_ip_recursive", "off").strip().lower() == "on"
    for name in _split_list(raw.get("pluginserver_names", "")):
        key = name.lower().replace("-", "_")
        start = raw.get(f"pluginserver_{key}_start_cmd")
        query = raw.get(f"pluginserver_{key}_query_cmd")
        # Kong 3.9+ defaults (conf_loader): socket under the prefix; /usr/local/bin/<name> as start command
        # and "<it> -dump" as query command when that file exists.
        default_bin = f"/usr/local/bin/{name}"
        if start is None and os.path.exists(default_bin):
            start = default_bin
        if query is None and start is not None and os.path.exists(default_bin):
            query = f"{default_bin} -dump"
        socket = raw.get(f"pluginserver_{key}_socket", os.path.join(conf.prefix, f"{name}.socket"))
        conf.pluginservers.append(PluginServerConf(name, socket, start or None, query or None))
    return conf


def _max_count(value: str, name: str) -> int:
    """conf_loader/parse.lua: ``lua_max_*`` must be an integer between 1 and 1000."""
    try:
        number = float(value)
    except ValueError:
        number = 0.5
    if not 1 <= number <= 1000 or number != int(number):
        raise ValueError(f"{name} must be an integer between 1 and 1000")
    return int(number)


def command_argv(cmd: str) -> list[str]:
    """Split a start/query command the way a shell would (Kong runs them through a shell)."""
    return shlex.split(cmd)
