"""``/api/connections/...``: the tenant's connections: store, list, read, disconnect, re-test, preview.

And their health: the summary, one connection's checks, accepting schema changes.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile, status

from hub import Connection, NotFound, Status, TenantService
from hub.api.deps import CallerDep, ConnectionId, HubDep, TenantDep
from hub.api.errors import Conflict, FieldError
from hub.api.schemas import COMMON_ERRORS, ConnectionOut, StoreRequest, error_responses
from hub.models import CheckRecord, ConnectionHealth, Preview, StreamInfo

#: Bounds of ``?limit=`` on the preview endpoint.
PREVIEW_MAX_LIMIT = 1000

router = APIRouter(prefix="/api/connections", tags=["connections"])


class ConnectionHealthDetail(ConnectionHealth):
    """One connection's health with its newest checks."""

    checks: list[CheckRecord]


def _public(connection: Connection) -> dict[str, Any]:
    return connection.public()


def _require_connected(service: TenantService, connection_id: str) -> None:
    """409 unless the connection is connected (reading a failed or disconnected one is a state conflict)."""
    conn = service.get_connection(connection_id)
    if conn.status is not Status.CONNECTED:
        hint = "Connect the source again." if conn.status is Status.DISCONNECTED else "Re-test it first."
        raise Conflict(f"Connection {conn.id} is {conn.status.value}, not connected.", hint=hint)


@router.post(
    "/store",
    response_model=ConnectionOut,
    status_code=status.HTTP_201_CREATED,
    summary="Connect a source and store its configuration encrypted",
    responses={
        **error_responses(400, *COMMON_ERRORS, 502),
        201: {
            "description": "Stored. `status` is `connected`, or `failed` with the reason in "
            "`status_detail` "
            "(a failed check is stored too, so it can be retried or reconnected). "
            "`Location` points at the new connection.",
        },
    },
)
def store_connection(
    body: StoreRequest, response: Response, who: CallerDep, hub: HubDep, service: TenantDep
) -> dict[str, Any]:
    """Connect a source like the UI's Connect button, and store it.

    ``config`` is validated against the source's spec first (422 naming the field; nothing is
    stored), then checked, discovered and sampled. Secret fields are encrypted at rest.
    """
    try:
        source = hub.catalogue.get(body.source_id)
    except NotFound as exc:  # a body field naming nothing is a validation error of that field
        raise FieldError(exc.message, loc=["body", "source_id"], hint=exc.hint) from None
    # the service wraps the spec's secret fields the moment it knows the spec
    connection = service.connect(source.id, body.config, actor=who.actor, mode=body.mode, name=body.name)
    response.headers["Location"] = f"/api/connections/{connection.id}"
    return _public(connection)


@router.post(
    "/upload",
    response_model=ConnectionOut,
    status_code=status.HTTP_201_CREATED,
    summary="Connect a file source from an uploaded file",
    responses={
        **error_responses(*COMMON_ERRORS, 502),
        201: {"description": "Stored, `connected` or `failed` with the reason, as for `/store`."},
    },
)
def upload_file(
    file: Annotated[
        UploadFile, File(description="A .csv, .tsv, .xlsx, .xls, .json, .jsonl or .parquet file.")
    ],
    response: Response,
    who: CallerDep,
    hub: HubDep,
    service: TenantDep,
    source_id: Annotated[str, Form(min_length=1, max_length=100, description="A file source, e.g. `csv`.")],
    name: Annotated[str | None, Form(min_length=1, max_length=200, description="Display name.")] = None,
    file_format: Annotated[
        Literal["csv", "excel", "excel_binary", "json", "jsonl", "parquet"] | None,
        Form(alias="format", description="The file's format; default: from its extension."),
    ] = None,
) -> dict[str, Any]:
    """Multipart upload (up to `HUB_UPLOAD_MAX_MB`, else 413), then the connect of `/store`.

    The file is stored for the tenant (0600) and read by the source's Airbyte connector with local
    storage: checked, discovered and sampled. Its name is kept as a label only. The file is deleted
    when the connection is disconnected, and at once when nothing was stored (a refused file).
    """
    try:
        source = hub.catalogue.get(source_id)
    except NotFound as exc:
        raise FieldError(exc.message, loc=["body", "source_id"], hint=exc.hint) from None
    connection = service.connect_file(
        source.id,
        file.file,
        file_name=file.filename or "upload",
        file_format=file_format,
        actor=who.actor,
        name=name,
    )
    response.headers["Location"] = f"/api/connections/{connection.id}"
    return _public(connection)


@router.get(
    "",
    response_model=list[ConnectionOut],
    summary="List the tenant's connections",
    responses=error_responses(*COMMON_ERRORS),
)
def list_connections(
    service: TenantDep,
    include_disconnected: Annotated[bool, Query(description="Include disconnected ones.")] = True,
) -> list[dict[str, Any]]:
    """Newest first; metadata only."""
    return [_public(c) for c in service.list_connections(include_disconnected=include_disconnected)]


@router.get(
    "/health",
    response_model=list[ConnectionHealth],
    summary="The health of the tenant's connections",
    responses=error_responses(*COMMON_ERRORS),
)
def connections_health(service: TenantDep) -> list[ConnectionHealth]:
    """State, uptime over 24 h and 7 days, recent latencies, last error with what to do, schema drift.

    `/healthz` stays the unauthenticated liveness probe; this is the tenant's summary.
    """
    return service.health_summary()


@router.get(
    "/{connection_id}",
    response_model=ConnectionOut,
    summary="One connection (metadata only)",
    responses=error_responses(404, *COMMON_ERRORS),
)
def get_connection(connection_id: ConnectionId, service: TenantDep) -> dict[str, Any]:
    """Its status and metadata; never the config or a secret."""
    return _public(service.get_connection(connection_id))


@router.delete(
    "/{connection_id}",
    response_model=ConnectionOut,
    summary="Disconnect",
    responses=error_responses(404, 502, *COMMON_ERRORS),
)
def delete_connection(
    connection_id: ConnectionId,
    who: CallerDep,
    service: TenantDep,
    keep_airbyte: Annotated[
        bool,
        Query(description="A connection handed off to Airbyte: keep its Airbyte connection and source "
              "(default: they are deleted first; 502 if Airbyte fails, and it stays connected)."),
    ] = False,
) -> dict[str, Any]:
    """Disconnect: status becomes `disconnected` and the stored secret is erased.

    The row stays for the audit trail, so a later GET answers 200 with status `disconnected`.
    Deleting again answers the same. The hub never refreshes a disconnected connection's tokens.
    """
    current = service.get_connection(connection_id)
    if current.status == Status.DISCONNECTED:
        return _public(current)
    return _public(service.disconnect(connection_id, actor=who.actor, keep_airbyte=keep_airbyte))


@router.post(
    "/{connection_id}/test",
    response_model=ConnectionOut,
    summary="Re-test (or retry) with the stored config",
    responses=error_responses(404, 409, *COMMON_ERRORS, 502),
)
def test_connection(connection_id: ConnectionId, who: CallerDep, service: TenantDep) -> dict[str, Any]:
    """Run the check again with the stored config.

    The answer has status `connected` or `failed` (with the reason). A disconnected connection
    cannot be tested (409).
    """
    return _public(service.retest(connection_id, actor=who.actor))


@router.get(
    "/{connection_id}/streams",
    response_model=list[StreamInfo],
    summary="The streams of a connection",
    responses=error_responses(404, 409, *COMMON_ERRORS, 502),
)
def list_streams(connection_id: ConnectionId, service: TenantDep) -> list[StreamInfo]:
    """Each stream with its JSON Schema, primary key and cursor field (409 unless connected)."""
    _require_connected(service, connection_id)
    return service.streams(connection_id)


@router.get(
    "/{connection_id}/streams/{stream}/preview",
    response_model=Preview,
    summary="A bounded sample of one stream",
    responses=error_responses(404, 409, *COMMON_ERRORS, 502),
)
def preview_stream(
    connection_id: ConnectionId,
    stream: Annotated[str, Path(min_length=1, max_length=200, description="A stream name.")],
    who: CallerDep,
    service: TenantDep,
    limit: Annotated[int, Query(ge=1, le=PREVIEW_MAX_LIMIT, description="Records to return.")] = 100,
) -> Preview:
    """At most ``limit`` records and the stream's schema (audited as `connection.preview`).

    409 unless the connection is connected; 404 for a stream it does not have.
    """
    _require_connected(service, connection_id)
    return service.preview(connection_id, stream, limit=limit, actor=who.actor)


@router.get(
    "/{connection_id}/health",
    response_model=ConnectionHealthDetail,
    summary="One connection's health and its newest checks",
    responses=error_responses(404, *COMMON_ERRORS),
)
def connection_health(
    connection_id: ConnectionId,
    service: TenantDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="Checks returned, newest first.")] = 100,
) -> ConnectionHealthDetail:
    """The health summary of one connection with its newest ``limit`` checks."""
    view = service.connection_health(connection_id)
    checks = service.check_history(connection_id, limit=limit)
    return ConnectionHealthDetail(**view.model_dump(), checks=checks)


@router.post(
    "/{connection_id}/drift/accept",
    response_model=ConnectionOut,
    summary="Accept the schema changes a check found",
    responses=error_responses(404, *COMMON_ERRORS),
)
def accept_drift(connection_id: ConnectionId, who: CallerDep, service: TenantDep) -> dict[str, Any]:
    """Make the schema last discovered the accepted baseline (audited `drift.accept`); 422 without changes."""
    return _public(service.accept_drift(connection_id, actor=who.actor))
