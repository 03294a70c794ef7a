"""``/api/airbyte/...``: the integrations the hub offers, their config specs, recommendations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from hub import ConfigError, Mode, NotFound
from hub.api.deps import CallerDep, HubDep
from hub.api.errors import FieldError
from hub.api.schemas import COMMON_ERRORS, SourceSpec, error_responses
from hub.models import Recommendation, SourceEntry

router = APIRouter(prefix="/api/airbyte", tags=["catalogue"])


@router.get(
    "/sources",
    response_model=list[SourceEntry],
    summary="List the available integrations",
    responses=error_responses(*COMMON_ERRORS),
)
def list_sources(
    _who: CallerDep,
    hub: HubDep,
    category: Annotated[
        str | None, Query(max_length=100, description="Only this category, e.g. `Payments`.")
    ] = None,
    search: Annotated[
        str | None, Query(max_length=200, description="Words matched against name, category and tags.")
    ] = None,
) -> list[SourceEntry]:
    """The catalogue, optionally filtered by category and a search text.

    An unknown category is 422 naming ``category`` (the message lists the categories).
    """
    try:
        return hub.catalogue.search(search or None, category=category or None)
    except NotFound as exc:
        raise FieldError(exc.message, loc=["query", "category"], hint=exc.hint) from None


@router.get(
    "/sources/{source_id}/spec",
    response_model=SourceSpec,
    summary="The config schema of one integration",
    responses=error_responses(404, *COMMON_ERRORS),
)
def source_spec(
    _who: CallerDep,
    hub: HubDep,
    source_id: Annotated[str, Path(min_length=1, max_length=100, description="A catalogue id.")],
    mode: Annotated[Mode, Query(description="`demo` or `live`.")] = Mode.DEMO,
) -> SourceSpec:
    """The JSON Schema that ``config`` of ``POST /api/connections/store`` must match in ``mode``."""
    try:
        spec = hub.source_spec(source_id, mode)
    except ConfigError as exc:  # no live connector for this source
        raise FieldError(exc.message, loc=["query", "mode"], hint=exc.hint) from None
    return SourceSpec(source_id=hub.catalogue.get(source_id).id, mode=mode, connection_specification=spec)


@router.get(
    "/recommendations",
    response_model=list[Recommendation],
    summary="Integrations recommended for a business type",
    responses=error_responses(*COMMON_ERRORS),
)
def recommendations(
    who: CallerDep,
    hub: HubDep,
    business_type: Annotated[
        str | None,
        Query(max_length=100, description="A business type slug; default: the key's tenant's type."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=20, description="At most this many.")] = 4,
) -> list[Recommendation]:
    """Ranked integrations with a one-line reason each."""
    return hub.catalogue.recommend(business_type or who.tenant.business_type, limit=limit)
