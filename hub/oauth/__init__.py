"""Real OAuth 2.0 for the catalogue's OAuth sources: the provider table (`providers`)."""
