"""``/api/handoff``: the tenant's hand-off to Airbyte: its destination, sending connections, the jobs.

The destination configuration is stored encrypted and answered masked (the password is never returned).
A hand-off answers one outcome per connection (200 even when some failed: each says why); a missing setup
or Airbyte settings is 422, Airbyte refusing the destination or failing is 502.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from hub.api.deps import CallerDep, TenantDep
from hub.api.schemas import COMMON_ERRORS, error_responses
from hub.handoff.target import (
    HandoffJob,
    HandoffOutcome,
    HandoffSetup,
    hand_off_many,
    handoff_jobs,
    handoff_setup,
    parse_schedule,
    set_handoff_setup,
)

router = APIRouter(prefix="/api/handoff", tags=["handoff"])


class DestinationRequest(BaseModel):
    """The tenant's destination (replaces the stored one) and, optionally, its Airbyte workspace."""

    configuration: dict[str, Any] = Field(
        description="Airbyte's destination configuration. Default type PostgreSQL: host, port, database, "
        "schema, username, password, ssl (ssl_mode, ca_certificate). Another `destinationType` is passed "
        "as given. Stored encrypted; never returned."
    )
    workspace_id: str | None = Field(
        default=None, description="The Airbyte workspace; omitted: one is created on the first hand-off."
    )
    destination_name: str | None = Field(default=None, description="The name in Airbyte (Warehouse).")


class HandoffRequest(BaseModel):
    """What to hand off."""

    connection_ids: list[str] = Field(
        default_factory=list, description="The connections; empty: every connected one."
    )
    streams: dict[str, list[str]] = Field(
        default_factory=dict, description="Per connection id, the streams to sync; missing or empty: all."
    )
    schedule: str = Field(
        default="manual", description="`manual`, or a Quartz cron expression such as `0 0 2 * * ?`."
    )


@router.get(
    "/destination",
    response_model=HandoffSetup,
    summary="The hand-off setup (masked)",
    responses=error_responses(*COMMON_ERRORS),
)
def get_destination(service: TenantDep) -> HandoffSetup:
    """The workspace, the destination's Airbyte id once made, and its configuration with secrets masked."""
    return handoff_setup(service)


@router.put(
    "/destination",
    response_model=HandoffSetup,
    summary="Set the hand-off destination",
    responses=error_responses(*COMMON_ERRORS),
)
def put_destination(body: DestinationRequest, who: CallerDep, service: TenantDep) -> HandoffSetup:
    """Store it encrypted (audited `handoff.setup`); 422 names a missing or invalid field."""
    return set_handoff_setup(
        service, destination_config=body.configuration, actor=who.actor, workspace_id=body.workspace_id,
        destination_name=body.destination_name,
    )


@router.post(
    "",
    response_model=list[HandoffOutcome],
    summary="Hand connections off to Airbyte",
    responses=error_responses(404, 502, *COMMON_ERRORS),
)
def post_handoff(body: HandoffRequest, who: CallerDep, service: TenantDep) -> list[HandoffOutcome]:
    """Create or update each connection's Airbyte source and connection and start the first sync.

    One outcome per connection, in order; a refused connection (demo, local file...) does not stop the
    others. A re-run updates what exists and creates nothing.
    """
    return hand_off_many(
        service, body.connection_ids or None, actor=who.actor, streams=body.streams,
        schedule=parse_schedule(body.schedule),
    )


@router.get(
    "/jobs",
    response_model=list[HandoffJob],
    summary="The handed-off connections' jobs",
    responses=error_responses(*COMMON_ERRORS),
)
def get_jobs(who: CallerDep, service: TenantDep) -> list[HandoffJob]:
    """Each handed-off connection's Airbyte ids and newest job status, read from Airbyte now."""
    return handoff_jobs(service, actor=who.actor)
