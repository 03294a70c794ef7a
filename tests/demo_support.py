"""Helpers for the demo data's process-wide value pools (what a server warms up at start)."""

from __future__ import annotations

import time

from hub.connectors.demo_data import _core


def forget_demo_pools() -> None:
    """Drop the built pools, so the next user (or warm-up) builds them again."""
    _core._build_pools.cache_clear()


def demo_pools_built() -> bool:
    """Whether this process has built the pools."""
    return _core._build_pools.cache_info().currsize > 0


def wait_for_demo_pools(timeout: float = 30.0) -> bool:
    """Wait until the pools are built (by a background warm-up); whether they were within ``timeout``."""
    deadline = time.monotonic() + timeout
    while not demo_pools_built():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
