-- Data Source Hub: OAuth sign-ins in progress, for SQLite.
--
-- oauth_states: one row per started sign-in, single use (the callback deletes it), expiring after ten minutes,
-- bound to tenant, user, source and (API) key; a hash of the state and the encrypted PKCE verifier only.
-- Written as SQLAlchemy's create_all writes it, like 0001.

CREATE TABLE oauth_states (
	id VARCHAR(36) NOT NULL, 
	tenant_id VARCHAR(36) NOT NULL, 
	state_hash TEXT NOT NULL, 
	user_id TEXT NOT NULL, 
	api_key_id TEXT, 
	source_id TEXT NOT NULL, 
	connection_id VARCHAR(36), 
	face TEXT NOT NULL, 
	redirect_uri TEXT NOT NULL, 
	return_to TEXT, 
	account TEXT, 
	encrypted_verifier TEXT NOT NULL, 
	key_id TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	expires_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(tenant_id) REFERENCES tenants (id), 
	UNIQUE (state_hash)
);

PRAGMA user_version = 4;
