"""``GET /healthz``: liveness, without an API key."""

from __future__ import annotations

from fastapi import APIRouter

from hub.api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Liveness")
def healthz() -> Health:
    """Answers 200 while the process serves requests (touches no storage)."""
    return Health()
