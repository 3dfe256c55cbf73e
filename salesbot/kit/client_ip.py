"""The client's IP: X-Forwarded-For is believed only when the socket peer is a trusted proxy."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(cidrs: Iterable[str]) -> list[Network]:
    return [ipaddress.ip_network(c, strict=False) for c in cidrs]


def _trusted(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_ip(peer: str | None, forwarded_for: str | None, trusted: Sequence[Network]) -> str:
    """Walk X-Forwarded-For from the right past trusted proxies; the next hop is the client."""
    current = peer or "unknown"
    if not forwarded_for or not _trusted(current, trusted):
        return current
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return current  # a malformed hop: stop at the last address we can vouch for
        current = hop
        if not _trusted(hop, trusted):
            return hop
    return current
