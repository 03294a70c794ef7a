-- Data Source Hub: the check history of connections (health), for SQLite.
--
-- connection_checks: one row per check of a connection (the health monitor's and manual re-tests): outcome,
-- failure kind, latency, stream count, schema fingerprint and a message without secrets. The index serves the
-- newest page of one connection's timeline and the retention delete (HUB_CHECK_RETENTION_DAYS).
-- Written as SQLAlchemy's create_all writes it, like 0001.

CREATE TABLE connection_checks (
	id VARCHAR(36) NOT NULL, 
	tenant_id VARCHAR(36) NOT NULL, 
	connection_id VARCHAR(36) NOT NULL, 
	at DATETIME NOT NULL, 
	outcome TEXT NOT NULL, 
	kind TEXT NOT NULL, 
	latency_ms FLOAT, 
	stream_count INTEGER, 
	schema_fingerprint TEXT, 
	message TEXT DEFAULT '' NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(tenant_id) REFERENCES tenants (id), 
	FOREIGN KEY(connection_id) REFERENCES tenant_airbyte_connections (id)
);

CREATE INDEX connection_checks_timeline_idx ON connection_checks (tenant_id, connection_id, at);

PRAGMA user_version = 3;
