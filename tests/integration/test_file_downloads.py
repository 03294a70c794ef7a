"""Files by HTTPS URL: the hub downloads them (host policy, size limit), then the file connector reads them.

A local HTTPS server with a certificate for ``localhost`` from a test CA (tests/integration/tls_servers.py)
stands in for the web server; the hub trusts that CA through ``SSL_CERT_FILE``.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hub import Hub, Settings
from hub.exceptions import ConfigError, ConnectorError, FileTooLarge
from hub.models import Mode, Status
from tests.airbyte_support import ensure_cache
from tests.integration.tls_servers import TLSFiles, make_tls

ORDERS = ("id,amount\n" + "".join(f"{i},{i * 2.5}\n" for i in range(30))).encode()
BIG = b"id,amount\n" + b"1,2.5\n" * 50_000  # 300 kB
SERVED = {"/exports/orders.csv": ORDERS, "/exports/big.csv": BIG}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/exports/orders.csv")
            self.end_headers()
            return
        if self.path == "/insecure":
            self.send_response(302)
            self.send_header("Location", "http://localhost/exports/orders.csv")
            self.end_headers()
            return
        body = SERVED.get(self.path.split("?", 1)[0])
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def tls() -> TLSFiles:
    return make_tls()


@pytest.fixture(scope="module")
def server(tls: TLSFiles) -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tls.cert, tls.key)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"https://localhost:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def hub(hub_home: Path, tls: TLSFiles, monkeypatch: pytest.MonkeyPatch) -> Iterator[Hub]:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls.ca))
    settings = Settings(home=hub_home, connectors_dir=ensure_cache(), demo_pace=0, upload_max_mb=0.1)
    with Hub.open(settings) as opened:
        opened.create_tenant("acme", name="Acme", business_type="retail")
        yield opened


def _config(url: str) -> dict[str, object]:
    return {"dataset_name": "orders", "url": url, "provider": {"storage": "HTTPS"}}


def _files(hub: Hub) -> list[Path]:
    folder = hub.tenant("acme").uploads().folder
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_file_by_https_url_is_downloaded_and_read_locally(hub: Hub, server: str) -> None:
    svc = hub.tenant("acme")
    conn = svc.connect("csv", _config(f"{server}/exports/orders.csv?token=s3cr3t"), actor="t", mode=Mode.LIVE)
    assert conn.status is Status.CONNECTED, conn.status_detail
    upload = conn.metadata["upload"]
    assert upload["file_name"] == "orders.csv" and upload["source_url"] == f"{server}/exports/orders.csv"
    assert "s3cr3t" not in str(conn.metadata)  # a signed URL's query is not kept
    assert conn.metadata["config"]["provider"] == {"storage": "local"}
    rows = svc.preview(conn.id, "orders", limit=3, actor="t").records
    assert [r["id"] for r in rows] == [0, 1, 2]
    redirected = svc.connect("csv", _config(f"{server}/moved"), actor="t", mode=Mode.LIVE, sample_limit=0)
    assert redirected.status is Status.CONNECTED, redirected.status_detail
    svc.disconnect(conn.id, actor="t")
    svc.disconnect(redirected.id, actor="t")
    assert _files(hub) == []


def test_refused_host_too_large_file_and_bad_answers_keep_nothing(
    hub: Hub, server: str, hub_home: Path, tls: TLSFiles
) -> None:
    svc = hub.tenant("acme")
    with pytest.raises(FileTooLarge, match=r"larger than 0\.1 MB"):
        svc.connect("csv", _config(f"{server}/exports/big.csv"), actor="t", mode=Mode.LIVE)
    with pytest.raises(ConnectorError, match="the server answered 404"):
        svc.connect("csv", _config(f"{server}/exports/nope.csv"), actor="t", mode=Mode.LIVE)
    with pytest.raises(ConfigError, match="not an https:// URL"):
        svc.connect("csv", _config(f"{server}/insecure"), actor="t", mode=Mode.LIVE)
    with pytest.raises(ConfigError, match="not an https:// URL"):
        svc.connect(
            "csv", _config(f"http://localhost:{server.rsplit(':', 1)[1]}/x.csv"), actor="t", mode=Mode.LIVE
        )
    assert _files(hub) == [] and svc.list_connections() == []

    # a hub serving only public hosts refuses the loopback server before any request
    public = Settings(home=hub_home, connectors_dir=ensure_cache(), source_hosts="public")
    with Hub.open(public) as strict:
        with pytest.raises(ConfigError, match="public hosts") as err:
            strict.tenant("acme").connect(
                "csv", _config(f"{server}/exports/orders.csv"), actor="t", mode=Mode.LIVE
            )
        assert err.value.field == "url"
        assert strict.tenant("acme").list_connections() == []
    assert _files(hub) == []


def test_a_certificate_from_an_unknown_ca_is_refused(
    hub: Hub, server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")  # the public CAs only: the test CA is unknown
    with pytest.raises(ConnectorError, match=r"Could not download .*CERTIFICATE_VERIFY_FAILED"):
        hub.tenant("acme").connect("csv", _config(f"{server}/exports/orders.csv"), actor="t", mode=Mode.LIVE)
    assert _files(hub) == []
