-- Data Source Hub: initial schema for SQLite (the embedded default).
--
-- What SQLAlchemy's metadata.create_all made for the hub up to commit 95d3a2c, statement for statement,
-- so that a database made then and one made from this file are the same. Every file ends by recording
-- its number in PRAGMA user_version (the hub checks that it did).

CREATE TABLE tenants (
	id VARCHAR(36) NOT NULL, 
	slug TEXT NOT NULL, 
	name TEXT NOT NULL, 
	business_type TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	audit_head TEXT DEFAULT '' NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (slug)
);

CREATE TABLE api_keys (
	id VARCHAR(36) NOT NULL, 
	tenant_id VARCHAR(36) NOT NULL, 
	name TEXT NOT NULL, 
	key_hash TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	revoked_at DATETIME, 
	PRIMARY KEY (id), 
	FOREIGN KEY(tenant_id) REFERENCES tenants (id), 
	UNIQUE (key_hash)
);

CREATE INDEX ix_api_keys_tenant_id ON api_keys (tenant_id);

CREATE TABLE audit_logs (
	id VARCHAR(36) NOT NULL, 
	tenant_id VARCHAR(36) NOT NULL, 
	seq BIGINT NOT NULL, 
	at DATETIME NOT NULL, 
	actor TEXT NOT NULL, 
	action TEXT NOT NULL, 
	target_type TEXT DEFAULT '' NOT NULL, 
	target_id TEXT DEFAULT '' NOT NULL, 
	outcome TEXT NOT NULL, 
	detail JSON NOT NULL, 
	prev_hash TEXT NOT NULL, 
	hash TEXT NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT audit_logs_tenant_seq_key UNIQUE (tenant_id, seq), 
	FOREIGN KEY(tenant_id) REFERENCES tenants (id)
);

CREATE TABLE tenant_airbyte_connections (
	id VARCHAR(36) NOT NULL, 
	tenant_id VARCHAR(36) NOT NULL, 
	source_id TEXT NOT NULL, 
	name TEXT NOT NULL, 
	mode TEXT NOT NULL, 
	auth_kind TEXT NOT NULL, 
	status TEXT NOT NULL, 
	status_detail TEXT DEFAULT '' NOT NULL, 
	metadata JSON NOT NULL, 
	encrypted_config TEXT, 
	key_id TEXT, 
	created_by TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	last_checked_at DATETIME, 
	PRIMARY KEY (id), 
	FOREIGN KEY(tenant_id) REFERENCES tenants (id)
);

CREATE INDEX tenant_airbyte_connections_tenant_created_idx ON tenant_airbyte_connections (tenant_id, created_at);

CREATE TABLE users (
	id VARCHAR(36) NOT NULL, 
	tenant_id VARCHAR(36) NOT NULL, 
	username TEXT NOT NULL, 
	name TEXT NOT NULL, 
	password_hash TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	disabled BOOLEAN DEFAULT 0 NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(tenant_id) REFERENCES tenants (id), 
	UNIQUE (username)
);

CREATE INDEX ix_users_tenant_id ON users (tenant_id);

PRAGMA user_version = 1;
