"""Host names that all lead to this machine: an aiohttp resolver for tests and benchmarks.

The link check keeps its pacing per host, so a test (or a benchmark) needs several host names
that reach one local server. :class:`LocalResolver` answers every name with 127.0.0.1 (or the
address it is told for that name), and fails names under ``.invalid`` as a DNS server would
(RFC 2606 reserves the name for that). Nothing leaves the machine.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver

__all__ = ["LocalResolver", "local_session"]


class LocalResolver(AbstractResolver):
    def __init__(self, addresses: Mapping[str, str] | None = None) -> None:
        self.addresses = dict(addresses or {})
        self.asked: list[str] = []

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> list[Any]:
        self.asked.append(host)
        if host.endswith(".invalid"):
            raise OSError(socket.EAI_NONAME, f"Name or service not known: {host}")
        address = self.addresses.get(host, "127.0.0.1")
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        return None


def local_session(addresses: Mapping[str, str] | None = None, **kwargs: Any) -> aiohttp.ClientSession:
    """A client session whose every host name leads to this machine (``.invalid`` ones fail)."""
    connector = aiohttp.TCPConnector(resolver=LocalResolver(addresses), use_dns_cache=False)
    return aiohttp.ClientSession(connector=connector, **kwargs)
