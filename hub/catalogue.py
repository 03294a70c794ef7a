"""INTERFACE DRAFT (the foundation issue implements it): the integration catalogue."""

from __future__ import annotations

from pathlib import Path

from hub.models import BusinessType, Recommendation, SourceEntry

BUSINESS_TYPES: dict[str, BusinessType] = {}


class Catalogue:
    """The validated catalogue; ``fallback_reason`` is set when the bundled copy was used instead."""

    sources: list[SourceEntry]
    fallback_reason: str | None = None

    @classmethod
    def load(cls, path: Path | None = None) -> Catalogue:
        """Load and validate; `CatalogueError` (naming entry and field) when malformed."""
        raise NotImplementedError

    @classmethod
    def load_or_fallback(cls, path: Path | None = None) -> Catalogue:
        """Like `load`, but falls back to the bundled copy and says why in ``fallback_reason``."""
        raise NotImplementedError

    def get(self, source_id: str) -> SourceEntry:
        """One entry; `NotFound` suggesting close matches."""
        raise NotImplementedError

    def search(self, query: str | None = None, *, category: str | None = None) -> list[SourceEntry]:
        """By name, category and tag."""
        raise NotImplementedError

    def categories(self) -> dict[str, int]:
        """Category -> number of sources."""
        raise NotImplementedError

    def recommend(self, business_type: str, *, limit: int = 4) -> list[Recommendation]:
        """Ranked sources with a one-line reason; `UnknownBusinessType` lists the valid slugs."""
        raise NotImplementedError
