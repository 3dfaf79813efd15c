"""The client address as a network: what an ``ip``-scoped limit charges, and what the audit log records.

The address is the one Kong resolved (``kong.client.get_forwarded_ip()``: the peer, or the address a
trusted proxy reported in ``real_ip_header``; see Kong's ``trusted_ips``). One IPv6 host usually owns a
whole /64 and can rotate through it at will, so IPv6 addresses are grouped by ``ipv6_prefix_length`` (64 by
default); IPv4 addresses are counted whole unless ``ipv4_prefix_length`` says otherwise. An IPv4-mapped IPv6
address (``::ffff:1.2.3.4``) counts as its IPv4 address. The group is written as its network
(``2001:db8:1:2::/64``, ``203.0.113.7/32``): canonical, so every spelling of one address lands in one
counter, and encoded by :mod:`kong_plugins.core.keys` like every other key part.
"""

from __future__ import annotations

import ipaddress
from typing import Any

__all__ = ["MAX_ADDRESS_CHARS", "ip_group", "parse_ip"]

MAX_ADDRESS_CHARS = 64
"""Longer than any textual IP address (with a zone): anything longer is not one."""


def parse_ip(value: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``value`` as an IP address (brackets and zone dropped, IPv4-mapped IPv6 as IPv4), or None when it is
    not one (a unix socket peer, nothing at all)."""
    if not isinstance(value, str) or not 0 < len(value) <= MAX_ADDRESS_CHARS:
        return None
    try:
        address = ipaddress.ip_address(value.strip("[]").split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def ip_group(value: Any, ipv4_prefix: int, ipv6_prefix: int) -> str | None:
    """The network of ``value`` at the configured prefix, or None when it is not an IP address."""
    address = parse_ip(value)
    if address is None:
        return None
    prefix = ipv4_prefix if address.version == 4 else ipv6_prefix
    return ipaddress.ip_network(f"{address}/{prefix}", strict=False).with_prefixlen
