"""One `APIRouter` per group of endpoints; `hub.api.factory.create_app` includes them in this order."""

from __future__ import annotations

from hub.api.routers import alerts, catalogue, connections, handoff, health, oauth

#: Every router of the app, in the order their routes are matched.
ROUTERS = (
    health.router, catalogue.router, connections.router, alerts.router, oauth.router, handoff.router
)

__all__ = ["ROUTERS"]
