"""Which hosts a tenant may make the hub connect to (server-side request forgery), and at which address.

Every host a tenant types goes through `HostPolicy.resolve` (or `HostPolicy.resolve_url` for a URL):
database hosts today; connector host and URL fields and webhook URLs call the same two methods. The
name is resolved ONCE; every address it resolves to is checked; the caller connects to the addresses
returned, never to the name again, so a DNS answer that changes between the check and the connect
(DNS rebinding) cannot move the connection somewhere else. Callers keep the typed name for TLS (the
certificate check and SNI).

The rules, in order:

1. Always refused, whatever the settings: the cloud metadata addresses (`METADATA`) and the hub's own
   database (its host's addresses, port AND database name together: a pooler host shared with other
   databases stays usable for them).
2. ``HUB_SOURCE_HOSTS=any`` (the embedded default): everything else is allowed.
3. ``HUB_SOURCE_HOSTS=public`` (the default with ``HUB_DATABASE_URL``): only globally routable unicast
   addresses, unless ``HUB_SOURCE_ALLOW`` names the host (``db.corp``, ``*.corp``) or a network holding
   the address (``10.0.0.0/8``). IPv4-mapped (``::ffff:a.b.c.d``), 6to4 and NAT64 IPv6 addresses are
   judged by the IPv4 address inside them as well.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from hub.exceptions import ConfigError, ConnectorError

if TYPE_CHECKING:
    from hub.settings import Settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Cloud instance metadata services (AWS/GCP/Azure/OpenStack, AWS over IPv6, Alibaba): never a source.
METADATA: frozenset[Address] = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)

_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_HOST_NAME = re.compile(r"^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$")
_ADMIN_HINT = "An administrator can allow it with HUB_SOURCE_ALLOW (a CIDR such as {cidr}, or the host name)."


@dataclass(frozen=True)
class Resolved:
    """A host that passed the policy: connect to ``addresses`` (in order), name ``host`` for TLS."""

    host: str
    port: int
    addresses: tuple[str, ...]


def parse_allow(entries: Iterable[str]) -> tuple[tuple[Network, ...], tuple[str, ...]]:
    """``HUB_SOURCE_ALLOW`` entries -> (networks, host names); `ValueError` names a malformed entry."""
    nets: list[Network] = []
    names: list[str] = []
    for raw in entries:
        entry = raw.strip()
        try:
            nets.append(ipaddress.ip_network(entry, strict=False))
            continue
        except ValueError:
            pass
        name = entry.lower().rstrip(".")
        if not _HOST_NAME.match(name):
            raise ValueError(
                f"{entry!r} in HUB_SOURCE_ALLOW is neither a CIDR (10.0.0.0/8) nor a host name "
                "(db.corp, *.corp)"
            )
        names.append(name)
    return tuple(nets), tuple(names)


def lookup_error(host: str, exc: socket.gaierror) -> ConnectorError:
    """The host name does not resolve (temporary when no DNS server answered)."""
    temporary = exc.errno == socket.EAI_AGAIN
    why = "no DNS server answered" if temporary else "the name is unknown"
    return ConnectorError(
        f"Could not find the host '{host}': {why}.",
        hint="Check the host name for typos, or enter the server's IP address. If the name is right, check "
        "this machine's DNS settings and network.",
        transient=temporary,
    )


def _unmapped(addr: Address) -> Address:
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def _embedded_v4(addr: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a 6to4 or NAT64 address reaches."""
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.sixtofour is not None:
            return addr.sixtofour
        if addr in _NAT64:
            return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    return None


def _not_public(addr: Address) -> str | None:
    """What kind of non-public address ``addr`` is, in words; None for a public unicast address."""
    inner = _embedded_v4(addr)
    if inner is not None:
        kind = _not_public(inner)
        return f"{kind} ({inner})" if kind else None
    checks: list[tuple[bool, str]] = [
        (addr.is_unspecified, "an unspecified address"),
        (addr.is_loopback, "a loopback address"),
        (addr.is_link_local, "a link-local address"),
        (isinstance(addr, ipaddress.IPv4Address) and addr in _SHARED, "a shared address (100.64.0.0/10)"),
        (addr.is_multicast, "a multicast address"),
        (addr.is_private, "a private address"),
        (not addr.is_global, "a reserved address"),
    ]
    return next((words for hit, words in checks if hit), None)


def _same_host(addr: Address, others: Iterable[Address]) -> bool:
    """Whether ``addr`` reaches the host at ``others``: equal, or both this machine (loopback, 0.0.0.0)."""

    def local(a: Address) -> bool:
        return a.is_loopback or a.is_unspecified

    return any(addr == o or (local(addr) and local(o)) for o in others)


@dataclass(frozen=True)
class _OwnDatabase:
    host: str | None  # None: a unix socket, i.e. this machine
    port: int
    database: str
    project: str | None  # a Supabase pooler routes by the user's ".<project-ref>" suffix


def _own_databases(settings: Settings) -> list[_OwnDatabase]:
    from sqlalchemy.engine import make_url  # only when the hub has a server database

    out: list[_OwnDatabase] = []
    for url in {u for u in (settings.database_url, settings.admin_database_url) if u}:
        try:
            parsed = make_url(url)
        except Exception:  # noqa: S112 - a malformed URL fails at storage; here it simply names nothing
            continue
        if parsed.get_backend_name() != "postgresql" or not parsed.database:
            continue
        host = parsed.host if parsed.host and not parsed.host.startswith("/") else None
        user = parsed.username or ""
        project = user.rsplit(".", 1)[1] if "." in user else None
        out.append(_OwnDatabase(host, int(parsed.port or 5432), parsed.database, project))
    return out


class HostPolicy:
    """The policy of one hub's settings; see the module docstring."""

    def __init__(self, settings: Settings) -> None:
        self.mode = settings.source_hosts_mode
        self.allow_nets, self.allow_names = parse_allow(settings.source_allow)
        self._own = _own_databases(settings)

    def resolve(
        self,
        host: str,
        port: int,
        *,
        database: str | None = None,
        username: str | None = None,
        field: str = "host",
    ) -> Resolved:
        """Resolve ``host`` once and check every address; `ConfigError` on ``field`` when refused.

        Args:
            host: the name or address the tenant typed.
            port: the port it will be reached on.
            database: the database name (for the hub's-own-database rule), if any.
            username: the user name (a Supabase pooler routes by its ``.<project-ref>`` suffix).
            field: the config field named in the error.

        Raises:
            ConfigError: the host (or one of its addresses) is refused.
            ConnectorError: the name does not resolve.

        """
        name = host.strip().strip("[]")
        try:
            infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise lookup_error(host, exc) from None
        except UnicodeError:
            raise lookup_error(host, socket.gaierror(socket.EAI_NONAME, "bad name")) from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses:
            raise lookup_error(host, socket.gaierror(socket.EAI_NONAME, "no address"))
        for text in addresses:
            self._check(host, name, text, port, database=database, username=username, field=field)
        return Resolved(host=name, port=port, addresses=tuple(addresses))

    def resolve_url(self, url: str, *, field: str = "url") -> Resolved:
        """`resolve` for the host of an http(s) URL (connector URL fields, webhooks)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{url!r} is not an http(s) URL with a host.", field=field)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return self.resolve(parts.hostname, port, field=field)

    def _check(
        self,
        typed: str,
        name: str,
        text: str,
        port: int,
        *,
        database: str | None,
        username: str | None,
        field: str,
    ) -> None:
        addr = _unmapped(ipaddress.ip_address(text.split("%", 1)[0]))
        shown = text if addr == ipaddress.ip_address(text.split("%", 1)[0]) else f"{text} ({addr})"
        where = f"{typed} resolves to {shown}" if name != text else shown
        if addr in METADATA:
            raise ConfigError(
                f"{where}, a cloud metadata address; a source may never use it (whatever HUB_SOURCE_HOSTS "
                "and HUB_SOURCE_ALLOW say).",
                field=field,
                hint="Enter the host name or address of your own server.",
            )
        if database is not None and self._is_own_database(addr, port, database, username):
            raise ConfigError(
                f"{typed}:{port}, database '{database}', is this hub's own database; it cannot be "
                "connected as a source (whatever HUB_SOURCE_HOSTS and HUB_SOURCE_ALLOW say).",
                field=field,
                hint="Connect another database.",
            )
        if self.mode == "any":
            return
        kind = _not_public(addr)
        if kind is None or self._allowed(name, addr):
            return
        cidr = f"{addr}/{addr.max_prefixlen}"
        raise ConfigError(
            f"{where}, {kind}; this server connects only to public hosts (HUB_SOURCE_HOSTS=public).",
            field=field,
            hint=_ADMIN_HINT.format(cidr=cidr),
        )

    def _allowed(self, name: str, addr: Address) -> bool:
        lowered = name.lower().rstrip(".")
        for allowed in self.allow_names:
            if lowered == allowed or (allowed.startswith("*.") and lowered.endswith(allowed[1:])):
                return True
        return any(addr.version == net.version and addr in net for net in self.allow_nets)

    def _is_own_database(self, addr: Address, port: int, database: str, username: str | None) -> bool:
        project = username.rsplit(".", 1)[1] if username and "." in username else None
        for own in self._own:
            if own.port != port or own.database != database:
                continue  # a pooler or server shared with other databases stays usable for them
            if own.project and project and project != own.project:
                continue  # a Supabase pooler: another project's database of the same name
            if own.host is None:
                others: list[Address] = [ipaddress.ip_address("127.0.0.1")]
            else:
                try:
                    infos = socket.getaddrinfo(own.host, port, type=socket.SOCK_STREAM)
                except (socket.gaierror, UnicodeError):
                    continue  # the hub cannot reach that host itself, so a source cannot either
                others = [_unmapped(ipaddress.ip_address(str(i[4][0]).split("%", 1)[0])) for i in infos]
            if _same_host(addr, others):
                return True
        return False


__all__ = ["METADATA", "HostPolicy", "Resolved", "lookup_error", "parse_allow"]
