"""kong.conf settings the emulator reads, with Kong's defaults."""

from __future__ import annotations

from pathlib import Path

from harness.conf import load_kong_conf


def test_realip_settings_have_kongs_defaults(tmp_path: Path) -> None:
    conf = load_kong_conf(None, env={})
    assert (conf.trusted_ips, conf.real_ip_header, conf.real_ip_recursive) == ([], "X-Real-IP", False)


def test_realip_settings_are_read_from_the_file_and_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "kong.conf"
    path.write_text("trusted_ips = 10.0.0.0/8, ::1, unix:\nreal_ip_header = X-Forwarded-For\n")
    conf = load_kong_conf(path, env={"KONG_REAL_IP_RECURSIVE": "on"})
    assert conf.trusted_ips == ["10.0.0.0/8", "::1"]
    assert conf.real_ip_header == "X-Forwarded-For" and conf.real_ip_recursive
