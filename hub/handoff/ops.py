"""The Airbyte side of one hand-off: idempotent steps over the SDK, each returning the id it ensured.

The caller keeps the ids (a connection's metadata ``airbyte``, the tenant's hand-off settings) and passes
them back on the next run, so a re-run updates instead of duplicating, and an object deleted in Airbyte
(404 on the stored id) is created again. Every SDK error leaves as a clear `AirbyteAPIError` (`explain`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from airbyte_api import AirbyteAPI, api, errors, models

from hub.handoff.client import explain
from hub.handoff.mapping import SourcePlan

T = TypeVar("T")

#: What the hub shows for Airbyte's job states (pending, running, succeeded, failed).
JOB_STATUS = {
    "pending": "pending", "queued": "pending", "running": "running", "incomplete": "running",
    "succeeded": "succeeded", "failed": "failed", "cancelled": "failed",
}


@dataclass(frozen=True)
class StreamChoice:
    """One selected stream, with what the manifest knows of it (cursor and primary key decide the mode)."""

    name: str
    cursor_field: tuple[str, ...] = ()
    primary_key: tuple[tuple[str, ...], ...] = ()

    @property
    def sync_mode(self) -> models.ConnectionSyncModeEnum:
        """Incremental with deduplication where a cursor and a primary key exist, else full refresh."""
        if self.cursor_field and self.primary_key:
            return models.ConnectionSyncModeEnum.INCREMENTAL_DEDUPED_HISTORY
        return models.ConnectionSyncModeEnum.FULL_REFRESH_OVERWRITE

    def configuration(self) -> models.StreamConfiguration:
        """The stream's configuration in a connection (cursor and key only where incremental)."""
        incremental = self.sync_mode is models.ConnectionSyncModeEnum.INCREMENTAL_DEDUPED_HISTORY
        return models.StreamConfiguration(
            name=self.name,
            sync_mode=self.sync_mode,
            cursor_field=list(self.cursor_field) if incremental else None,
            primary_key=[list(k) for k in self.primary_key] if incremental else None,
        )


@dataclass(frozen=True)
class Schedule:
    """Manual (the default) or a cron expression (Quartz syntax, as Airbyte takes it)."""

    kind: Literal["manual", "cron"] = "manual"
    cron: str | None = None

    def model(self) -> models.AirbyteAPIConnectionSchedule:
        """The SDK's schedule object."""
        if self.kind == "cron":
            return models.AirbyteAPIConnectionSchedule(
                schedule_type=models.ScheduleTypeEnum.CRON, cron_expression=self.cron
            )
        return models.AirbyteAPIConnectionSchedule(schedule_type=models.ScheduleTypeEnum.MANUAL)


def _status(exc: BaseException) -> int:
    return exc.raw_response.status_code if isinstance(exc, errors.AirbyteAPIError) else 0


class AirbyteOps:
    """The hand-off's calls; ``calls`` counts them per operation (the benchmark reads it)."""

    def __init__(self, sdk: AirbyteAPI) -> None:
        self.sdk = sdk
        self.calls: dict[str, int] = {}

    def _call(self, op: str, doing: str, fn: Callable[[], T]) -> T:
        self.calls[op] = self.calls.get(op, 0) + 1
        try:
            return fn()
        except Exception as exc:  # the SDK raises its own errors, httpx's, and a bare Exception for tokens
            raise explain(exc, doing=doing) from None

    def _unless_gone(self, op: str, doing: str, fn: Callable[[], Any]) -> bool:
        """True when the call (a GET or a DELETE) succeeds; False on 404 (gone in Airbyte); else raises."""
        self.calls[op] = self.calls.get(op, 0) + 1
        try:
            fn()
        except Exception as exc:
            if _status(exc) == 404:
                return False
            raise explain(exc, doing=doing) from None
        return True

    def ensure_workspace(self, workspace_id: str | None, name: str) -> tuple[str, bool]:
        """The given workspace (checked), else a new one; (id, created)."""
        if workspace_id and self._unless_gone(
            "get_workspace", "reading the workspace",
            lambda: self.sdk.workspaces.get_workspace(
                request=api.GetWorkspaceRequest(workspace_id=workspace_id)
            ),
        ):
            return workspace_id, False
        res = self._call(
            "create_workspace", "creating the workspace",
            lambda: self.sdk.workspaces.create_workspace(request=models.WorkspaceCreateRequest(name=name)),
        )
        assert res.workspace_response is not None
        return res.workspace_response.workspace_id, True

    def ensure_destination(
        self, workspace_id: str, destination_id: str | None, name: str, configuration: dict[str, Any]
    ) -> tuple[str, bool]:
        """The remembered destination when it still exists, else one created from ``configuration``."""
        if destination_id and self._unless_gone(
            "get_destination", "reading the destination",
            lambda: self.sdk.destinations.get_destination(
                request=api.GetDestinationRequest(destination_id=destination_id)
            ),
        ):
            return destination_id, False
        config: Any = configuration
        body = models.DestinationCreateRequest(name=name, workspace_id=workspace_id, configuration=config)
        res = self._call(
            "create_destination", "creating the destination",
            lambda: self.sdk.destinations.create_destination(request=body),
        )
        assert res.destination_response is not None
        return res.destination_response.destination_id, True

    def upsert_source(
        self, workspace_id: str, source_id: str | None, name: str, plan: SourcePlan
    ) -> tuple[str, bool]:
        """Update the remembered source (PATCH) or, when there is none or it was deleted, create it."""
        configuration: Any = {**plan.configuration, "sourceType": plan.source_type}
        if source_id:
            patch = models.SourcePatchRequest(name=name, configuration=configuration)
            try:
                self._call(
                    "patch_source", "updating the source",
                    lambda: self.sdk.sources.patch_source(
                        request=api.PatchSourceRequest(source_id=source_id, source_patch_request=patch)
                    ),
                )
                return source_id, False
            except Exception as exc:
                if getattr(exc, "status", 0) != 404:
                    raise
        body = models.SourceCreateRequest(name=name, workspace_id=workspace_id, configuration=configuration)
        res = self._call(
            "create_source", "creating the source", lambda: self.sdk.sources.create_source(request=body)
        )
        assert res.source_response is not None
        return res.source_response.source_id, True

    def upsert_connection(
        self,
        connection_id: str | None,
        *,
        source_id: str,
        destination_id: str,
        name: str,
        streams: Sequence[StreamChoice],
        schedule: Schedule,
    ) -> tuple[str, bool]:
        """Update the remembered connection's streams and schedule, or create it (404: create again)."""
        configurations = models.StreamConfigurations(streams=[s.configuration() for s in streams])
        if connection_id:
            patch = models.ConnectionPatchRequest(
                name=name, configurations=configurations, schedule=schedule.model()
            )
            try:
                self._call(
                    "patch_connection", "updating the connection",
                    lambda: self.sdk.connections.patch_connection(
                        request=api.PatchConnectionRequest(
                            connection_id=connection_id, connection_patch_request=patch
                        )
                    ),
                )
                return connection_id, False
            except Exception as exc:
                if getattr(exc, "status", 0) != 404:
                    raise
        body = models.ConnectionCreateRequest(
            source_id=source_id, destination_id=destination_id, name=name,
            configurations=configurations, schedule=schedule.model(),
        )
        res = self._call(
            "create_connection", "creating the connection",
            lambda: self.sdk.connections.create_connection(request=body),
        )
        assert res.connection_response is not None
        return res.connection_response.connection_id, True

    def start_sync(self, connection_id: str) -> tuple[int, str]:
        """Start a sync job; (job id, hub job status)."""
        body = models.JobCreateRequest(connection_id=connection_id, job_type=models.JobTypeEnum.SYNC)
        res = self._call(
            "create_job", "starting the first sync", lambda: self.sdk.jobs.create_job(request=body)
        )
        assert res.job_response is not None
        return res.job_response.job_id, JOB_STATUS.get(str(res.job_response.status.value), "pending")

    def update_destination(self, destination_id: str, name: str, configuration: dict[str, Any]) -> None:
        """Send a changed destination configuration to the remembered destination (PATCH)."""
        config: Any = configuration
        patch = models.DestinationPatchRequest(name=name, configuration=config)
        self._call(
            "patch_destination", "updating the destination",
            lambda: self.sdk.destinations.patch_destination(
                request=api.PatchDestinationRequest(
                    destination_id=destination_id, destination_patch_request=patch
                )
            ),
        )

    def latest_job(self, connection_id: str) -> tuple[int, str] | None:
        """The connection's newest job (id, hub job status), None when it has none."""
        res = self._call(
            "list_jobs", "reading the connection's jobs",
            lambda: self.sdk.jobs.list_jobs(
                request=api.ListJobsRequest(connection_id=connection_id, limit=1, order_by="createdAt|DESC")
            ),
        )
        jobs = res.jobs_response.data if res.jobs_response is not None else []
        if not jobs:
            return None
        return jobs[0].job_id, JOB_STATUS.get(str(jobs[0].status.value), "pending")

    def delete_connection(self, connection_id: str) -> bool:
        """Delete an Airbyte connection; False when it was already gone (404)."""
        return self._unless_gone(
            "delete_connection", "deleting the connection",
            lambda: self.sdk.connections.delete_connection(
                request=api.DeleteConnectionRequest(connection_id=connection_id)
            ),
        )

    def delete_source(self, source_id: str) -> bool:
        """Delete an Airbyte source; False when it was already gone (404)."""
        return self._unless_gone(
            "delete_source", "deleting the source",
            lambda: self.sdk.sources.delete_source(request=api.DeleteSourceRequest(source_id=source_id)),
        )

    def job_status(self, job_id: int) -> str:
        """The hub's status of one job (pending, running, succeeded, failed)."""
        res = self._call(
            "get_job", "reading the job",
            lambda: self.sdk.jobs.get_job(request=api.GetJobRequest(job_id=job_id)),
        )
        assert res.job_response is not None
        return JOB_STATUS.get(str(res.job_response.status.value), "pending")
