-- Data Source Hub: the fields a sign-in carries besides its tokens, for SQLite.
--
-- oauth_states.fields: the non-secret fields the user gave at the start of a sign-in (Google Sheets'
-- spreadsheet, Google Analytics 4's property ids, Facebook's ad accounts), merged into the connector config
-- after the callback; NULL when none (hub.oauth.fields). Never a secret.
-- SQLite's ADD COLUMN would write the column into the stored CREATE TABLE text differently from
-- SQLAlchemy's create_all, so the table is made again as create_all makes it (like 0001), keeping the
-- sign-ins in progress. No other table refers to oauth_states.

CREATE TEMP TABLE oauth_states_0006 AS SELECT * FROM oauth_states;

DROP TABLE oauth_states;

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
	fields JSON, 
	PRIMARY KEY (id), 
	FOREIGN KEY(tenant_id) REFERENCES tenants (id), 
	UNIQUE (state_hash)
);

INSERT INTO oauth_states (
	id, tenant_id, state_hash, user_id, api_key_id, source_id, connection_id, face, redirect_uri, return_to,
	account, encrypted_verifier, key_id, created_at, expires_at
)
SELECT
	id, tenant_id, state_hash, user_id, api_key_id, source_id, connection_id, face, redirect_uri, return_to,
	account, encrypted_verifier, key_id, created_at, expires_at
FROM oauth_states_0006;

DROP TABLE oauth_states_0006;

PRAGMA user_version = 6;
