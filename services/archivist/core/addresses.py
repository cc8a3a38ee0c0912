"""Which network addresses the fetcher may connect to (the SSRF policy)."""

from __future__ import annotations

import ipaddress

__all__ = ["is_public_address"]

#: Cloud metadata endpoints that are not covered by the private/link-local ranges everywhere.
_METADATA = frozenset({ipaddress.ip_address("fd00:ec2::254"), ipaddress.ip_address("100.100.100.200")})


def is_public_address(address: str) -> bool:
    """True only for globally routable unicast addresses.

    Loopback, private, link-local (169.254.169.254 included), shared (100.64/10), multicast,
    reserved, unspecified and documentation ranges are refused, in IPv4, IPv6 and the IPv6
    forms that embed an IPv4 address (mapped ``::ffff:a.b.c.d``, 6to4, Teredo, NAT64).
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in ipaddress.ip_network("64:ff9b::/96"):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not is_public_address(str(embedded)):
            return False
    if ip in _METADATA:
        return False
    return ip.is_global and not ip.is_multicast
