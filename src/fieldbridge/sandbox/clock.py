"""Emulator time: webhook retry schedules measured in minutes can run in milliseconds for tests."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime


class SimClock:
    """Real wall-clock `now()`; waits divided by `speed` (1 = real time, 600 = ten minutes a second)."""

    def __init__(self, speed: float = 1.0) -> None:
        self.speed = speed

    @property
    def speed(self) -> float:
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        if value <= 0:
            raise ValueError("clock speed must be greater than 0")
        self._speed = value

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, sim_seconds: float) -> None:
        if sim_seconds > 0:
            await asyncio.sleep(sim_seconds / self._speed)
