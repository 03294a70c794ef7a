-- Data Source Hub: alerts (health issue), for SQLite.
--
-- tenant_settings (contracts.md): per-tenant settings by name, a JSON value and, for secrets, a value
-- encrypted with the hub's key ring; alert destinations are the setting named 'alerts'. The hand-off issue
-- stores its settings here too, so the table is created only when missing.
-- alert_events: one row per alert raised, unique per tenant and dedupe_key (a second or restarted monitor
-- never raises one change twice), and the outbox the monitors deliver from.
-- Written as SQLAlchemy's create_all writes it, like 0001.

CREATE TABLE IF NOT EXISTS tenant_settings (
	tenant_id VARCHAR(36) NOT NULL, 
	name TEXT NOT NULL, 
	value JSON NOT NULL, 
	encrypted_value TEXT, 
	key_id TEXT, 
	PRIMARY KEY (tenant_id, name), 
	FOREIGN KEY(tenant_id) REFERENCES tenants (id)
);

CREATE TABLE alert_events (
	id VARCHAR(36) NOT NULL, 
	tenant_id VARCHAR(36) NOT NULL, 
	connection_id VARCHAR(36), 
	event TEXT NOT NULL, 
	dedupe_key TEXT NOT NULL, 
	at DATETIME NOT NULL, 
	text TEXT NOT NULL, 
	detail JSON NOT NULL, 
	delivered JSON NOT NULL, 
	attempts INTEGER DEFAULT '0' NOT NULL, 
	last_error TEXT DEFAULT '' NOT NULL, 
	sent_at DATETIME, 
	PRIMARY KEY (id), 
	CONSTRAINT alert_events_tenant_key UNIQUE (tenant_id, dedupe_key), 
	FOREIGN KEY(tenant_id) REFERENCES tenants (id), 
	FOREIGN KEY(connection_id) REFERENCES tenant_airbyte_connections (id)
);

CREATE INDEX alert_events_pending_idx ON alert_events (tenant_id, sent_at);

PRAGMA user_version = 5;
