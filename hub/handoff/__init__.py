"""The hand-off of a tenant's connected sources to an Airbyte deployment (public API v1)."""
