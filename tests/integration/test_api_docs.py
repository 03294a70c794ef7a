"""The API's documentation pages work on a machine without the internet (no CDN)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from hub import Hub
from hub.api import create_app
from hub.settings import Settings

_REFERENCE = re.compile(r"""(?:src|href|url)\s*[:=]\s*["']([^"']+)["']""")


@pytest.fixture
def client() -> Iterator[TestClient]:
    with Hub.open(Settings.from_env()) as hub, TestClient(create_app(hub)) as client:
        yield client


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_load_everything_from_this_server(client: TestClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]
    references = set(_REFERENCE.findall(response.text))
    scripts = {r for r in references if r.endswith(".js")}
    assert scripts, "the page loads its script"
    for ref in references:
        assert ref.startswith("/"), f"{page} references {ref}, which is not on this server"
        assert client.get(ref).status_code == 200, ref
    assert client.get("/openapi.json").json()["info"]["title"] == "Data Source Hub API"
