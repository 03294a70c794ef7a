"""The tests' OAuth authorization server: npm ``oidc-provider`` (panva) started on loopback.

``make test`` installs it (``make test-oidc``) into ``HUB_TEST_OIDC_DIR`` (default ``~/.cache/hub-oidc``);
`start_oidc` runs ``tests/oidc/server.mjs`` there. `OidcServer.consent` walks the provider's own development
login and consent pages with httpx, as a browser would, for the service-level tests.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

from hub.oauth.providers import PROVIDERS
from tests.servers import free_port

if TYPE_CHECKING:
    from tests.saas_double import Double

OIDC_DIR = Path(os.environ.get("HUB_TEST_OIDC_DIR") or Path.home() / ".cache" / "hub-oidc")
SCRIPT = Path(__file__).parent / "oidc" / "server.mjs"
#: The scopes the server knows: the catalogue's Google scopes, so a GOOGLE app pointed here asks for them.
SCOPES = (
    "https://www.googleapis.com/auth/analytics.readonly "
    "https://www.googleapis.com/auth/spreadsheets.readonly "
    "https://www.googleapis.com/auth/drive.readonly read"
)
#: A Google Sheets spreadsheet link, and the fields a google-sheets sign-in must be started with.
SHEET = "https://docs.google.com/spreadsheets/d/1hLd9Qqti3UyLXZB2aFfUWDT7BG-arw2xy4HR3D-dwUb/edit"
SHEET_FIELDS = {"spreadsheet_id": SHEET}


@dataclass
class OidcServer:
    """A running oidc-provider: its endpoints, the hub's client and the grant counters."""

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    plain_client_id: str
    plain_client_secret: str = field(repr=False)
    proc: subprocess.Popen[str]
    log_path: Path
    dir: Path = field(repr=False)

    @property
    def authorize_url(self) -> str:
        return f"{self.issuer}/auth"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/token"

    @property
    def revoke_url(self) -> str:
        return f"{self.issuer}/token/revocation"

    @property
    def introspect_url(self) -> str:
        return f"{self.issuer}/token/introspection"

    def client(self, provider: str = "GOOGLE") -> tuple[str, str]:
        """The client id and secret of ``provider``'s app here: the PKCE client, or for a provider without
        PKCE (`Provider.pkce`) the plain one."""
        if PROVIDERS[provider].pkce:
            return self.client_id, self.client_secret
        return self.plain_client_id, self.plain_client_secret

    def env(self, provider: str = "GOOGLE") -> dict[str, str]:
        """The ``HUB_*`` settings that point ``provider``'s app at this server."""
        p = f"HUB_OAUTH_{provider}"
        client_id, client_secret = self.client(provider)
        return {
            f"{p}_CLIENT_ID": client_id, f"{p}_CLIENT_SECRET": client_secret,
            f"{p}_AUTHORIZE_URL": self.authorize_url, f"{p}_TOKEN_URL": self.token_url,
            f"{p}_REVOKE_URL": self.revoke_url,
        }

    def counts(self) -> dict[str, int]:
        """Successful grants per grant type, from the server's own ``grant.success`` events."""
        out: dict[str, int] = httpx.get(f"{self.issuer}/_counts", timeout=10).json()
        return out

    def introspect(self, token: str, *, provider: str = "GOOGLE") -> dict[str, object]:
        """RFC 7662 introspection as the client of ``provider``'s app (``active`` false for a revoked or
        unknown token)."""
        client_id, client_secret = self.client(provider)
        r = httpx.post(self.introspect_url, data={
            "token": token, "client_id": client_id, "client_secret": client_secret,
        }, timeout=10)
        r.raise_for_status()
        out: dict[str, object] = r.json()
        return out

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def consent(self, authorize_url: str, *, login: str = "alice", abort: bool = False) -> str:
        """Sign in and consent on the provider's development pages; returns the URL it redirects back to
        (the hub's callback with ``code`` and ``state``, or ``error=access_denied`` when ``abort``)."""
        with httpx.Client(timeout=10, follow_redirects=False) as browser:
            url = authorize_url
            for _ in range(12):
                if not url.startswith(self.issuer):
                    return url  # left the provider: the redirect back to the hub
                r = browser.get(url)
                if r.is_redirect:
                    url = urljoin(url, r.headers["location"])
                    continue
                action = re.search(r'<form[^>]*action="([^"]+)"', r.text)
                assert action, f"no form on {url}: {r.text[:300]}"
                target = urljoin(url, action.group(1))
                if abort:
                    url = target.rstrip("/") + "/abort"
                    continue
                prompt = re.search(r'name="prompt" value="(\w+)"', r.text)
                assert prompt
                form = {"prompt": prompt.group(1), "login": login, "password": "any"}
                r = browser.post(target, data=form)
                assert r.is_redirect, r.text[:300]
                url = urljoin(target, r.headers["location"])
            raise AssertionError("the provider's pages did not redirect back")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


def callback_params(url: str) -> dict[str, str]:
    """The query of a redirect back to the hub, one value per name."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def sheets_env(oidc: OidcServer, double: Double, public_url: str) -> dict[str, str]:
    """The GOOGLE app at ``oidc``; airbyte-source-google-sheets run where Google is unreachable.

    The wrapper puts the connector in ``double``'s network namespace, which maps only the double's hosts:
    Google's token endpoint cannot be reached, so the check fails within seconds, for the network. No sample
    is read at a sign-in's connect.
    """
    from hub.catalogue import Catalogue
    from hub.connectors.airbyte.install import Installer
    from tests.airbyte_support import ensure_cache

    cache = ensure_cache()
    package = Catalogue.bundled().get("google-sheets").connector_package
    assert package is not None
    return {
        "HUB_PUBLIC_URL": public_url, **oidc.env("GOOGLE"), "HUB_CONNECTORS_DIR": str(cache),
        "HUB_CONNECTOR_WRAPPER": double.wrapper(Installer(cache).path(package)),
        "HUB_SIGNIN_SAMPLE_LIMIT": "0",
    }


def start_oidc(*, access_ttl_s: int = 30) -> OidcServer:
    """Start oidc-provider (about 1 s); a clear error when `make test` has not installed it."""
    node = shutil.which("node")
    if node is None or not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError(f"oidc-provider is not installed in {OIDC_DIR}. Run `make test-oidc` "
                           "(part of `make test`; it installs Node.js with apt where missing).")
    d = Path(tempfile.mkdtemp(prefix="huboidc-"))
    port = free_port()
    client_id, client_secret = "hub-test-client", secrets.token_urlsafe(24)
    plain_id, plain_secret = "hub-test-client-no-pkce", secrets.token_urlsafe(24)
    log_path = d / "events.log"
    log = open(log_path, "w")  # noqa: SIM115 - kept open for the server's lifetime
    proc = subprocess.Popen(
        [node, str(SCRIPT)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True, text=True,
        env={**os.environ, "OIDC_MODULES": str(OIDC_DIR), "OIDC_PORT": str(port), "OIDC_SCOPES": SCOPES,
             "OIDC_CLIENT_ID": client_id, "OIDC_CLIENT_SECRET": client_secret,
             "OIDC_PLAIN_CLIENT_ID": plain_id, "OIDC_PLAIN_CLIENT_SECRET": plain_secret,
             "OIDC_ACCESS_TTL": str(access_ttl_s), "NODE_ENV": "test"},
    )
    for _ in range(300):
        if '"ready"' in log_path.read_text(encoding="utf-8"):
            break
        if proc.poll() is not None:
            raise RuntimeError(f"oidc-provider exited: {log_path.read_text()[-2000:]}")
        time.sleep(0.05)
    else:
        raise RuntimeError("oidc-provider did not start in 15 s")
    ready = next(line for line in log_path.read_text().splitlines() if '"ready"' in line)
    issuer = json.loads(ready)["issuer"]
    return OidcServer(issuer=issuer, client_id=client_id, client_secret=client_secret,
                      plain_client_id=plain_id, plain_client_secret=plain_secret, proc=proc,
                      log_path=log_path, dir=d)
