"""Placeholder."""

from __future__ import annotations

SOURCES: list = []
