-- Data Source Hub: leases and failed sign-ins, for SQLite.
--
-- Two tables that are not tenant data:
--   * leases: a short-lived claim on work that must not run twice at once (a connect, `connect:<id>`);
--     its holder renews it while the work goes on, and anyone may take it over once it has expired.
--   * sign_in_failures: one row per failed sign-in, counted per username over a recent window.
-- Written as SQLAlchemy's create_all writes them, like 0001.

CREATE TABLE leases (
	name TEXT NOT NULL, 
	holder TEXT NOT NULL, 
	expires_at DATETIME NOT NULL, 
	PRIMARY KEY (name)
);

CREATE TABLE sign_in_failures (
	id VARCHAR(36) NOT NULL, 
	username TEXT NOT NULL, 
	at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX sign_in_failures_username_at_idx ON sign_in_failures (username, at);

PRAGMA user_version = 2;
