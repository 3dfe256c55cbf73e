"""What the client page records about a visitor, reduced before it is stored (pure)."""

from __future__ import annotations

import ipaddress

# IPv4 keeps its first three bytes (a /24: the network, not the machine); IPv6 its /48.
_V4_PREFIX = 24
_V6_PREFIX = 48


def truncate_ip(ip: str | None) -> str:
    """`203.0.113.77` → `203.0.113.0/24`, `2001:db8:1:2::5` → `2001:db8:1::/48`; else ""."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return ""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    prefix = _V4_PREFIX if address.version == 4 else _V6_PREFIX
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def device_of(user_agent: str | None) -> str:
    """Only the kind of device: `phone`, `tablet` or `computer` (never the browser string)."""
    agent = (user_agent or "").lower()
    if "ipad" in agent or "tablet" in agent:
        return "tablet"
    if "mobi" in agent or "iphone" in agent or "android" in agent:
        return "phone"
    return "computer"


PRIVACY_NOTE = (
    "When you open this page we record the time, how long each page is on screen, the kind of "
    "device and a shortened network address (the last part removed). If you accept or decline "
    "we also keep your name, title and typed signature. No cookies are used except to remember "
    "a PIN you entered, and nothing is shared with third parties."
)
