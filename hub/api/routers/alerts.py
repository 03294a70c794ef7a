"""``/api/alerts``: where the tenant's health alerts go (webhook, e-mail), and a sample alert."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, SecretStr

from hub.api.deps import CallerDep, TenantDep
from hub.api.schemas import COMMON_ERRORS, error_responses
from hub.services.alerts import AlertDestinations, AlertRecord, Delivery

router = APIRouter(prefix="/api/alerts", tags=["alerts"])


class AlertsRequest(BaseModel):
    """The destinations to store (they replace the stored ones)."""

    webhook_url: str | None = Field(
        default=None,
        description="The webhook URL; null or empty for none; the masked form that GET shows keeps the "
        "stored one.",
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="The webhook's signing secret; omitted: the stored one is kept, or a random one is made "
        "and returned once as `new_webhook_secret`.",
    )
    emails: list[str] = Field(default_factory=list, description="E-mail addresses.")


class AlertsOut(AlertDestinations):
    """The destinations as stored, the secret masked; a secret the hub made, this once."""

    new_webhook_secret: str | None = None


@router.get(
    "",
    response_model=AlertDestinations,
    summary="The alert destinations",
    responses=error_responses(*COMMON_ERRORS),
)
def get_alerts(service: TenantDep) -> AlertDestinations:
    """The tenant's webhook (its secret masked) and e-mail addresses."""
    return service.alert_destinations()


@router.put(
    "",
    response_model=AlertsOut,
    summary="Replace the alert destinations",
    responses=error_responses(*COMMON_ERRORS),
)
def put_alerts(body: AlertsRequest, who: CallerDep, service: TenantDep) -> AlertsOut:
    """Store them (the secret encrypted; audited `alert.settings`); 422 for a refused URL or address."""
    secret = body.webhook_secret.get_secret_value() if body.webhook_secret else None
    view, made = service.set_alert_destinations(
        webhook_url=body.webhook_url, webhook_secret=secret, emails=body.emails, actor=who.actor
    )
    return AlertsOut(**view.model_dump(), new_webhook_secret=made)


@router.post(
    "/test",
    response_model=list[Delivery],
    summary="Send a sample alert to every destination",
    responses=error_responses(*COMMON_ERRORS),
)
def test_alerts(who: CallerDep, service: TenantDep) -> list[Delivery]:
    """Send a sample alert now; what each destination did (``ok`` false with the reason when it failed)."""
    return service.test_alert(actor=who.actor)


@router.get(
    "/history",
    response_model=list[AlertRecord],
    summary="The alerts raised recently",
    responses=error_responses(*COMMON_ERRORS),
)
def alert_history(
    service: TenantDep,
    limit: Annotated[int, Query(ge=1, le=500, description="How many, newest first.")] = 50,
) -> list[AlertRecord]:
    """The tenant's recent alerts, newest first: when, which, for which connection, how delivery went."""
    return service.alert_history(limit=limit)
