"""What the Next steps page shows about the hand-off, computed here so the page stays thin.

`handoff_panel` reads only the hub's own state (the settings, the stored setup, the connections' metadata):
rendering the page never calls Airbyte. The jobs are read from Airbyte on demand (`handoff_jobs`, the page's
Refresh button) and stored, so the rows show the last status read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from hub.exceptions import HubError
from hub.handoff.mapping import handed_off
from hub.handoff.target import HandoffSetup, handoff_setup
from hub.models import Mode, Status
from hub.presenting import stored_streams

if TYPE_CHECKING:
    from hub.services.tenant import TenantService

SETTINGS = ("HUB_AIRBYTE_API_URL", "HUB_AIRBYTE_CLIENT_ID", "HUB_AIRBYTE_CLIENT_SECRET")
#: What a hand-off needs, for the page without the Airbyte settings (Markdown).
NEEDS = (
    "A hand-off sends your connected sources to **Airbyte**, which then runs the scheduled syncs into "
    "your warehouse. It needs:\n\n"
    "1. **The Airbyte settings** of this hub: `HUB_AIRBYTE_API_URL` (Airbyte Cloud's "
    "`https://api.airbyte.com/v1`, or your deployment's public API URL), `HUB_AIRBYTE_CLIENT_ID` and "
    "`HUB_AIRBYTE_CLIENT_SECRET` (an Airbyte application's credentials), set by whoever runs the hub "
    "(environment or `.streamlit/secrets.toml`).\n"
    "2. **A destination**: your warehouse (PostgreSQL by default: host, port, database, schema, user and "
    "password), entered here once and stored encrypted.\n\n"
    "Until then, download the manifest below and hand it to your data team."
)

#: An icon per job status (shown with the word, never alone).
JOB_LOOKS = {
    "pending": ":material/schedule:", "running": ":material/sync:", "succeeded": ":material/check_circle:",
    "failed": ":material/error:", "not started": ":material/pause_circle:",
}


class PanelRow(BaseModel):
    """One connected (or handed-off) connection on the page."""

    connection_id: str
    name: str
    streams: list[str] = Field(default_factory=list, description="Its streams (the choice offered).")
    can_send: bool = Field(description="False for connections that cannot be handed off (see reason).")
    reason: str | None = None
    handed_off: bool = False
    source_id: str | None = None
    airbyte_connection_id: str | None = None
    job_id: int | None = None
    job_status: str | None = None


class HandoffPanel(BaseModel):
    """The hand-off part of Next steps."""

    configured: bool
    missing: list[str] = Field(default_factory=list, description="Airbyte settings not set.")
    setup: HandoffSetup
    rows: list[PanelRow] = Field(default_factory=list)

    @property
    def sent(self) -> list[PanelRow]:
        """The rows handed off (with Airbyte ids)."""
        return [r for r in self.rows if r.handed_off]


def handoff_panel(scope: TenantService) -> HandoffPanel:
    """The page's view: settings present or not, the masked setup, one row per connected connection."""
    settings = scope.hub.settings
    values = (settings.airbyte_api_url, settings.airbyte_client_id, settings.airbyte_client_secret)
    missing = [name for name, value in zip(SETTINGS, values, strict=True) if not value]
    rows = []
    for conn in scope.list_connections():
        sent = handed_off(conn)
        if conn.status is not Status.CONNECTED and not (sent and conn.status is not Status.DISCONNECTED):
            continue
        state = conn.metadata.get("airbyte") or {}
        reason = None
        if conn.mode is Mode.DEMO:
            reason = "Demo connections serve synthetic data that exists only in the hub; connect the real "\
                "account to hand it off."
        elif conn.status is not Status.CONNECTED:
            reason = f"It is {conn.status.value}; re-test it first."
        streams = list(stored_streams(conn) or {})  # recorded by the last test: no discovery per rerun
        if not streams and reason is None:
            try:
                streams = [s.name for s in scope.streams(conn.id)]
            except HubError:  # a source whose streams cannot be listed is still shown, without a choice
                streams = []
        rows.append(PanelRow(
            connection_id=conn.id, name=conn.name, streams=streams, can_send=reason is None, reason=reason,
            handed_off=sent, source_id=state.get("source_id"),
            airbyte_connection_id=state.get("connection_id"),
            job_id=state.get("job_id"),
            job_status=state.get("job_status") if state.get("job_id") is not None else (
                "not started" if sent else None),
        ))
    return HandoffPanel(configured=not missing, missing=missing, setup=handoff_setup(scope), rows=rows)


__all__ = ["JOB_LOOKS", "NEEDS", "HandoffPanel", "PanelRow", "handoff_panel"]
