"""OAuth sign-ins in progress (``oauth_states``): stored at start, taken exactly once at the callback."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from hub.storage.crypto import Sealed
from hub.storage.database import Database
from hub.storage.tables import now, oauth_states


@dataclass(frozen=True)
class PendingSignIn:
    """One started sign-in, as stored (the state itself is not: only its hash)."""

    id: str
    tenant_id: str
    user_id: str
    api_key_id: str | None
    source_id: str
    connection_id: str | None
    face: str
    redirect_uri: str
    return_to: str | None
    account: str | None
    verifier: Sealed
    created_at: datetime
    expires_at: datetime
    #: the non-secret fields the user gave besides the tokens (`hub.oauth.fields`); None when none
    fields: dict[str, Any] | None = None


class OAuthStates:
    """The ``oauth_states`` rows of one tenant."""

    def __init__(self, db: Database, tenant_id: str) -> None:
        self.db = db
        self.tenant_id = tenant_id

    def add(self, pending: PendingSignIn, state_hash: str) -> None:
        """Store a started sign-in; expired rows of the tenant go in the same transaction."""
        values = {k: v for k, v in pending.__dict__.items() if k != "verifier"}
        values.update(state_hash=state_hash, encrypted_verifier=pending.verifier.token,
                      key_id=pending.verifier.key_id)
        with self.db.begin(write=True, tenant_id=self.tenant_id, action="start an OAuth sign-in") as c:
            c.execute(sa.delete(oauth_states).where(oauth_states.c.tenant_id == self.tenant_id,
                                                    oauth_states.c.expires_at < now()))
            c.execute(sa.insert(oauth_states).values(values))

    def take(self, state_hash: str) -> PendingSignIn | None:
        """The sign-in of ``state_hash``, deleted in the same statement: a second take finds nothing."""
        with self.db.begin(write=True, tenant_id=self.tenant_id, action="finish an OAuth sign-in") as c:
            row = c.execute(
                sa.delete(oauth_states)
                .where(oauth_states.c.tenant_id == self.tenant_id, oauth_states.c.state_hash == state_hash)
                .returning(*[col for col in oauth_states.c if col.name != "state_hash"])
            ).first()
        if row is None:
            return None
        data = dict(row._mapping)
        verifier = Sealed(data.pop("key_id"), data.pop("encrypted_verifier"))
        return PendingSignIn(verifier=verifier, **data)
