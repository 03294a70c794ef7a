"""Files by HTTPS URL: the hub downloads them itself, through the host policy, then reads the local copy.

The connector never fetches the URL: its own HTTP client would reach any host (the cloud metadata address,
the hub's own database, a private network) outside `hub.netpolicy`. Here the URL's host is resolved once
and checked (`HostPolicy.resolve_url`); the request goes to the address that passed, with the typed name
kept for TLS (SNI and the certificate check), so a DNS answer that changes in between cannot move it.
Redirects are followed by hand (a few), each target checked the same way. The body is streamed into the
tenant's folder under ``HUB_UPLOAD_MAX_MB`` (`Uploads.save`): a too large file keeps nothing.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import ssl
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit, urlunsplit

import certifi
import httpx

from hub.exceptions import ConfigError, ConnectorError
from hub.netpolicy import HostPolicy
from hub.settings import Settings
from hub.uploads import FORMATS, StoredFile, Uploads, clean_label

#: Redirects followed (each target goes through the host policy again).
MAX_REDIRECTS = 5


def shown_url(url: str) -> str:
    """``url`` without its query and fragment (a signed URL's token is a secret), for labels and metadata."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[-1], parts.path, "", ""))


def _label(url: str) -> str:
    name = unquote(PurePosixPath(urlsplit(url).path).name)
    return clean_label(name) if name else "download"


def _tls() -> ssl.SSLContext:
    # SSL_CERT_FILE as OpenSSL and httpx read it (a private CA); proxies are never used (trust_env off)
    return ssl.create_default_context(cafile=os.environ.get("SSL_CERT_FILE") or certifi.where())


def download(
    url: str, uploads: Uploads, settings: Settings, *, chosen: str | None = None, timeout: float = 60
) -> StoredFile:
    """Download the https ``url`` into the tenant's folder; `ConfigError`/`ConnectorError` say why not."""
    policy = HostPolicy(settings)
    label = _label(url)
    if chosen is None and PurePosixPath(label).suffix.lower() not in FORMATS:
        chosen = "csv"  # an export link without an extension (…/export?id=3) is most often a CSV
    current = url
    with httpx.Client(verify=_tls(), trust_env=False, timeout=timeout) as client:
        for _ in range(MAX_REDIRECTS + 1):
            if urlsplit(current).scheme != "https":
                raise ConfigError(
                    f"{shown_url(current)} is not an https:// URL; the hub downloads files over HTTPS only.",
                    field="url",
                    hint="Give the file's https:// address.",
                )
            resolved = policy.resolve_url(current, field="url")
            parts = urlsplit(current)
            address = resolved.addresses[0]
            host = f"[{address}]" if ipaddress.ip_address(address.split("%", 1)[0]).version == 6 else address
            pinned = urlunsplit(("https", f"{host}:{resolved.port}", parts.path or "/", parts.query, ""))
            request = client.build_request(
                "GET",
                pinned,
                headers={"Host": parts.netloc.rsplit("@", 1)[-1]},
                extensions={"sni_hostname": resolved.host},
            )
            try:
                response = client.send(request, stream=True)
            except httpx.HTTPError as exc:
                timed_out = isinstance(exc, httpx.TimeoutException)
                why = (
                    f"no answer within {timeout:g} seconds" if timed_out else str(exc) or "the request failed"
                )
                raise ConnectorError(
                    f"Could not download {shown_url(current)}: {why}.",
                    hint="Check the URL, and that the server is reachable from this hub.",
                    transient=timed_out,
                ) from None
            try:
                if response.is_redirect and "location" in response.headers:
                    current = str(httpx.URL(current).join(response.headers["location"]))
                    continue
                if response.status_code != 200:
                    code = response.status_code
                    raise ConnectorError(
                        f"Could not download {shown_url(current)}: the server answered {code}.",
                        hint="Check the URL (and that it needs no sign-in).",
                        transient=response.status_code >= 500,
                    )
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > uploads.max_bytes:
                    raise uploads.too_large(label)  # before reading a byte
                stored = uploads.save(response.iter_bytes(), label=label, chosen=chosen)
                return dataclasses.replace(stored, origin=shown_url(url))
            finally:
                response.close()
    raise ConnectorError(
        f"Could not download {shown_url(url)}: more than {MAX_REDIRECTS} redirects.",
        hint="Give the file's final address.",
    )


__all__ = ["MAX_REDIRECTS", "download", "shown_url"]
