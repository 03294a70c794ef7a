"""Helpers for the demo data: its process-wide value pools (what a server warms up at start), and samples."""

from __future__ import annotations

import time
from itertools import islice

from hub.catalogue import Catalogue
from hub.connectors.demo import DemoConnector
from hub.connectors.demo_data import _core
from hub.models import Mode, Preview


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



def demo_sample(catalogue: Catalogue, source_id: str, stream: str, *, limit: int) -> Preview:
    """The first ``limit`` demo records of a stream (tenant ``demo``, seed 0), like ``preview --demo``."""
    source = catalogue.get(source_id)
    connector = DemoConnector(source, tenant="demo", seed=0)
    info = next(s for s in connector.discover({}) if s.name == stream)
    records = list(islice(connector.read({}, stream, limit=limit), limit))
    return Preview(connection_id=None, source_id=source.id, stream=info, records=records, mode=Mode.DEMO)
