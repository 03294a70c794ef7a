"""What a route can ask for: the app's hub, the caller, and the services bound to the caller's tenant.

`ApiGuard` (``hub.api.auth``) authenticates the request and puts a `Principal` in the ASGI scope; the
dependencies here only pick it up, so the tenant is looked up once per request, by the key's look-up.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request, Security
from fastapi.exceptions import HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hub import Hub, Settings, TenantService
from hub.api.errors import REALM
from hub.models import ApiKey, Tenant

#: Where `ApiGuard` leaves the `Principal` in the ASGI scope.
PRINCIPAL_KEY = "hub.principal"


class HubProvider:
    """The app's `Hub`: the one given to `create_app`, or one opened from settings on first use."""

    def __init__(self, hub: Hub | None, settings: Settings | None) -> None:
        self._hub = hub
        self._settings = settings
        self._owned = hub is None
        self._lock = threading.Lock()

    def get(self) -> Hub:
        """The hub (opening it from the settings, or ``HUB_*``, the first time)."""
        hub = self._hub
        if hub is not None:
            return hub
        with self._lock:
            if self._hub is None:
                self._hub = Hub.open(self._settings or Settings.from_env())
            return self._hub

    def start(self) -> None:
        """Open the hub; on the embedded default also make the demo accounts (as ``make run`` does)."""
        hub = self.get()
        if self._owned:
            hub.ensure_demo_accounts()
        hub.start_warm_up()  # the first demo connect then finds the demo data's pools built

    def close(self) -> None:
        """Close the hub if this provider opened it."""
        with self._lock:
            if self._owned and self._hub is not None:
                self._hub.close()
                self._hub = None


@dataclass(frozen=True)
class Principal:
    """Who is calling: the API key (its name is the audit actor) and the services of its tenant.

    ``service`` is made once per request from the tenant the key's look-up returned; the route and the
    request's audit row both use it, so the tenant is not looked up again.
    """

    key: ApiKey
    service: TenantService

    @property
    def tenant(self) -> Tenant:
        """The key's tenant."""
        return self.service.tenant

    @property
    def actor(self) -> str:
        """The audit actor: the key's name."""
        return self.key.name


_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key made with `python -m hub apikeys create --tenant <slug>`.",
)


async def principal(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> Principal:
    """The caller, authenticated by `ApiGuard` (the `Security` declares the scheme in OpenAPI)."""
    found = request.scope.get(PRINCIPAL_KEY)
    if not isinstance(found, Principal):  # a route outside /api/ asked for it: never serve anonymously
        raise HTTPException(401, "Missing API key.", headers={"WWW-Authenticate": REALM})
    return found


async def hub_of(request: Request) -> Hub:
    """The app's hub."""
    provider: HubProvider = request.app.state.hub_provider
    return provider.get()


async def tenant_service(who: Annotated[Principal, Depends(principal)]) -> TenantService:
    """The services bound to the caller's tenant (the request's one `TenantService`)."""
    return who.service


CallerDep = Annotated[Principal, Depends(principal)]
HubDep = Annotated[Hub, Depends(hub_of)]
TenantDep = Annotated[TenantService, Depends(tenant_service)]
ConnectionId = Annotated[str, Path(min_length=1, max_length=100, description="The connection's id.")]
