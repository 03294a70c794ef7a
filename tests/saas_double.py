"""HTTPS doubles of SaaS APIs, served inside a network namespace where the API's real host name is local.

`api_double` starts a network namespace (loopback only) whose ``/etc/netns/<ns>/hosts`` maps the given host
names to 127.0.0.1, and an HTTPS server bound to 127.0.0.1:443 *inside* it, with a certificate for those
names from a test CA. A connector run with ``HUB_CONNECTOR_WRAPPER="ip netns exec <ns>"`` and
``HUB_CONNECTOR_CA_BUNDLE=<ca>`` then talks to the double under the real host name, and nothing it sends can
leave the machine (the namespace has no other network). The server runs in a thread of the test process
that entered the namespace (`setns` is per thread), so a test reads `Double.requests` directly.

A double is a `Handler`: a function from a `Request` to a `Reply`; `WooCommerce` (Basic auth) and `Intercom`
(OAuth bearer tokens checked by the authorization server's introspection) below are two.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import json
import os
import queue
import secrets
import shlex
import shutil
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.integration.tls_servers import _ca, _name

CLONE_NEWNET = 0x40000000


@dataclass
class Request:
    """One request the double received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class Reply:
    """What the double answers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Reply]


@dataclass
class Double:
    """A running double: where it is, what it received, and the settings a connector needs to reach it."""

    netns: str
    hosts: list[str]
    ca_bundle: Path
    requests: list[tuple[Request, int]] = field(default_factory=list)

    def wrapper(self, venv: Path) -> str:
        """The HUB_CONNECTOR_WRAPPER that runs the connector of ``venv`` inside the double's namespace.

        The Airbyte CDK sends its requests with ``Session.send``, which ignores REQUESTS_CA_BUNDLE: requests
        then trusts certifi's bundle only. So the wrapper also binds the test CA over the venv's certifi
        bundle, in a mount namespace of the connector's own (nothing on disk changes; the connector's code
        is untouched).
        """
        (bundle,) = venv.glob("lib/python3*/site-packages/certifi/cacert.pem")
        mount = f'mount --bind {self.ca_bundle} {bundle} && exec "$0" "$@"'
        return (
            f"ip netns exec {self.netns} unshare --mount --propagation private -- sh -c {shlex.quote(mount)}"
        )

    def seen(self, path: str) -> list[tuple[Request, int]]:
        """The requests to ``path`` with the status each got, in order."""
        return [(r, code) for r, code in self.requests if r.path == path]


def _certificate(folder: Path, hosts: list[str]) -> tuple[Path, Path, Path]:
    ca_key, ca_cert = _ca("Hub Test API CA")
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(hosts[0]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in hosts]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca_cert.public_bytes(pem))
    paths[1].write_bytes(cert.public_bytes(pem))
    paths[2].write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption())
    )
    return paths


def _server_class(handler: Handler, double: Double) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            request = Request(
                method="GET",
                path=parts.path,
                query={k: v[-1] for k, v in parse_qs(parts.query).items()},
                headers={k.lower(): v for k, v in self.headers.items()},
            )
            reply = handler(request)
            double.requests.append((request, reply.status))
            body = json.dumps(reply.body).encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return _Handler


@contextmanager
def api_double(hosts: list[str], handler: Handler, folder: Path) -> Iterator[Double]:
    """A network namespace mapping ``hosts`` to its own loopback, with ``handler`` served on HTTPS :443."""
    ns = f"hubapi-{secrets.token_hex(4)}"
    etc = Path("/etc/netns") / ns
    subprocess.run(["ip", "netns", "add", ns], check=True, capture_output=True)
    try:
        etc.mkdir(parents=True)
        (etc / "hosts").write_text("127.0.0.1 localhost\n" + "".join(f"127.0.0.1 {h}\n" for h in hosts))
        subprocess.run(["ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"], check=True)
        ca, cert, key = _certificate(folder, hosts)
        double = Double(netns=ns, hosts=hosts, ca_bundle=ca)
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(cert, key)
        started: queue.Queue[ThreadingHTTPServer | BaseException] = queue.Queue()

        def serve() -> None:
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
                if libc.setns(fd, CLONE_NEWNET) != 0:  # this thread only: the test process stays outside
                    raise OSError(ctypes.get_errno(), "setns failed")
                os.close(fd)
                server = ThreadingHTTPServer(("127.0.0.1", 443), _server_class(handler, double))
                server.socket = tls.wrap_socket(server.socket, server_side=True)
            except BaseException as exc:
                started.put(exc)
                return
            started.put(server)
            server.serve_forever(poll_interval=0.1)

        thread = threading.Thread(target=serve, daemon=True, name=f"double-{ns}")
        thread.start()
        server = started.get(timeout=30)
        if isinstance(server, BaseException):
            raise server
        try:
            yield double
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
    finally:
        shutil.rmtree(etc, ignore_errors=True)
        subprocess.run(["ip", "netns", "del", ns], check=False, capture_output=True)


# --------------------------------------------------------------------------- WooCommerce REST API v3


class WooCommerce:
    """The endpoints source-woocommerce's check and its ``customers`` stream use, as WooCommerce documents.

    Basic auth with the consumer key and secret (401 ``woocommerce_rest_cannot_view`` otherwise), offset
    pagination with ``per_page`` (the ``X-WP-Total``/``X-WP-TotalPages`` headers), and one 429 with
    ``Retry-After`` on the second page of customers.
    """

    def __init__(self, key: str, secret: str, *, customers: int = 250) -> None:
        import base64

        self.expected = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.customers = [
            {
                "id": i,
                "email": f"customer{i}@example.com",
                "first_name": f"First{i}",
                "last_name": f"Last{i}",
                "role": "customer",
                "username": f"customer{i}",
                "date_created_gmt": "2024-01-02T03:04:05",
                "date_modified_gmt": "2024-02-03T04:05:06",
            }
            for i in range(1, customers + 1)
        ]
        self.throttled = False

    def __call__(self, request: Request) -> Reply:
        """Answer one request."""
        if request.headers.get("authorization") != self.expected:
            return Reply(
                401,
                {
                    "code": "woocommerce_rest_cannot_view",
                    "message": "Sorry, you cannot list resources.",
                    "data": {"status": 401},
                },
            )
        if request.path == "/wp-json/wc/v3/system_status/tools":
            return Reply(200, [{"id": "clear_transients", "name": "WC transients", "action": "Clear"}])
        if request.path == "/wp-json/wc/v3/customers":
            offset = int(request.query.get("offset", 0))
            per_page = int(request.query.get("per_page", 10))
            if offset > 0 and not self.throttled:
                self.throttled = True
                return Reply(
                    429, {"code": "too_many_requests", "message": "Slow down."}, {"Retry-After": "1"}
                )
            total = len(self.customers)
            pages = -(-total // per_page)
            return Reply(
                200,
                self.customers[offset : offset + per_page],
                {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)},
            )
        return Reply(
            404, {"code": "rest_no_route", "message": "No route was found.", "data": {"status": 404}}
        )


# --------------------------------------------------------------------------- outside the namespace


@contextmanager
def outside_netns(fn: Callable[[str], bool]) -> Iterator[Callable[[str], bool]]:
    """``fn`` callable from a double's handler but run in the test process's own network namespace.

    A double's request threads are started by its server thread, which entered the API's namespace, so
    they inherit it and cannot reach a loopback server outside (the authorization server). This pool's
    one worker is started here, before any request, in the caller's namespace; the handler waits on it.
    """
    pool = ThreadPoolExecutor(1, thread_name_prefix="outside-netns")
    pool.submit(int).result()  # start the worker now, from this thread
    try:
        yield lambda arg: pool.submit(fn, arg).result(timeout=30)
    finally:
        pool.shutdown(wait=True)


# --------------------------------------------------------------------------- Intercom REST API 2.10


class Intercom:
    """The endpoints source-intercom's check (``tags``) and its ``admins`` stream use, as Intercom documents.

    Only a bearer token that ``active`` (the authorization server's RFC 7662 introspection, called with the
    hub's client credentials) reports active is accepted; anything else gets Intercom's 401
    ``token_not_found``. Every request must carry the ``Intercom-Version`` header the connector pins.
    """

    def __init__(self, active: Callable[[str], bool], *, admins: int = 3) -> None:
        self.active = active
        self.admins = [
            {"type": "admin", "id": str(100 + i), "name": f"Admin {i}", "email": f"admin{i}@acme.example",
             "job_title": "Support", "away_mode_enabled": False, "away_mode_reassign": False,
             "has_inbox_seat": True, "team_ids": []}
            for i in range(1, admins + 1)
        ]
        self.tokens_seen: list[str] = []

    def __call__(self, request: Request) -> Reply:
        """Answer one request."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme != "Bearer" or not token or not self.active(token):
            return Reply(401, {"type": "error.list", "request_id": "r-1",
                               "errors": [{"code": "token_not_found", "message": "Token not found"}]})
        self.tokens_seen.append(token)
        if not request.headers.get("intercom-version"):
            return Reply(400, {"type": "error.list", "errors": [{"code": "intercom_version_invalid"}]})
        # Intercom's rate limit headers on every answer (without them the connector waits 1 s per call)
        limits = {"X-RateLimit-Limit": "10000", "X-RateLimit-Remaining": "9990", "X-RateLimit-Reset": "0"}
        if request.path == "/tags":
            return Reply(200, {"type": "list", "data": [{"type": "tag", "id": "1", "name": "vip"}]}, limits)
        if request.path == "/admins":
            return Reply(200, {"type": "admin.list", "admins": self.admins}, limits)
        return Reply(404, {"type": "error.list", "errors": [{"code": "not_found", "message": "Not found"}]})


def intercom_env(double: Double) -> dict[str, str]:
    """The ``HUB_*`` settings that run the catalogue's Intercom connector against ``double``.

    The tests' connector cache, the wrapper into the double's namespace, its CA, and no sample at a sign-in's
    connect (the double serves the check's ``tags`` and the ``admins`` stream only; a preview reads it).
    """
    from hub.catalogue import Catalogue
    from hub.connectors.airbyte.install import Installer
    from tests.airbyte_support import ensure_cache

    cache = ensure_cache()
    package = Catalogue.bundled().get("intercom").connector_package
    assert package is not None
    return {
        "HUB_CONNECTORS_DIR": str(cache),
        "HUB_CONNECTOR_WRAPPER": double.wrapper(Installer(cache).path(package)),
        "HUB_CONNECTOR_CA_BUNDLE": str(double.ca_bundle),
        "HUB_SIGNIN_SAMPLE_LIMIT": "0",
    }
