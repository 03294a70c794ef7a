"""`FailureLimiter`: unknown API keys per client address, in a sliding window, in this process.

Per replica by design: an API key is 256 random bits, so the limit is there to stop a flood of
look-ups and noise from one address, not to protect a guessable secret; N replicas allow N bursts.
(Failed sign-ins by password are counted in the database instead: `Hub.sign_in_lockout`.)
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class FailureLimiter:
    """At most ``burst`` failures per key (a client address) within ``window_s`` seconds.

    The window slides: an address is refused until its oldest counted failure is ``window_s`` old.
    Addresses with nothing left in the window are forgotten, so memory stays bounded by the traffic of
    one window.
    """

    def __init__(self, burst: int, window_s: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.burst = burst
        self.window_s = window_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def retry_after(self, key: str) -> int | None:
        """Whole seconds until ``key`` may try again, or None when it is under the limit."""
        with self._lock:
            now = self._clock()
            times = self._recent(key, now)
            if len(times) < self.burst:
                return None
            return max(1, math.ceil(times[-self.burst] + self.window_s - now))

    def fail(self, key: str) -> None:
        """Count one failure of ``key``."""
        with self._lock:
            now = self._clock()
            self._recent(key, now)
            self._failures.setdefault(key, deque()).append(now)


__all__ = ["FailureLimiter"]
