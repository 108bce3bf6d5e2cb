"""Politeness toward the sites the bot reads, shared by the feed fetcher (:mod:`bot.watch.fetch`, which
also asks the Hugging Face Hub) and the link checker (:mod:`bot.links.check`): request starts to one
host at least *interval* seconds apart, and a host that asked for a pause (``Retry-After``, a 429 or
503) held back for everyone asking it. *clock* and *sleep* are injectable so tests run the spacing in
virtual time.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from yarl import URL

__all__ = ["HostPacing", "host_of"]


def host_of(url: str) -> str | None:
    """The lower-cased host of an http(s) URL; ``None`` for anything else."""
    try:
        parsed = URL(url)
    except (TypeError, ValueError):
        return None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return None
    return parsed.host.lower()


@dataclass(slots=True)
class _Gate:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    not_before: float = -math.inf


class HostPacing:
    """One gate per host: :meth:`wait_turn` before each request start, :meth:`hold_back` when a host
    asks for a pause."""

    def __init__(
        self,
        interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if interval < 0:
            raise ValueError("interval must be >= 0")
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._gates: dict[str, _Gate] = {}

    async def wait_turn(self, host: str) -> None:
        """Wait until *host* may be asked again, and take the turn (starts are serialised per host)."""
        gate = self._gates.get(host)
        if gate is None:
            gate = self._gates[host] = _Gate()
        async with gate.lock:
            delay = gate.not_before - self._clock()
            if delay > 0:
                await self._sleep(delay)
            gate.not_before = max(gate.not_before, self._clock() + self.interval)

    def hold_back(self, host: str, delay: float) -> None:
        """No request to *host* starts for *delay* seconds (a host seen before only)."""
        gate = self._gates.get(host)
        if gate is not None:
            gate.not_before = max(gate.not_before, self._clock() + delay)
