-- Data Source Hub: the check history of connections (health), for PostgreSQL 15+ and Supabase.
--
-- Run as the owner/admin, like 0001. connection_checks holds one row per check of a connection (the health
-- monitor's and manual re-tests): outcome, failure kind, latency, stream count, schema fingerprint and a
-- message without secrets. Tenant data, so row level security is forced as on the tables of 0001. Unlike the
-- audit log it is history with a retention (HUB_CHECK_RETENTION_DAYS): hub_app may DELETE its tenant's old
-- rows, never UPDATE any.

CREATE TABLE public.connection_checks (
  id                 uuid PRIMARY KEY,
  tenant_id          uuid NOT NULL REFERENCES public.tenants (id),
  connection_id      uuid NOT NULL REFERENCES public.tenant_airbyte_connections (id),
  at                 timestamptz NOT NULL,
  outcome            text NOT NULL CHECK (outcome IN ('ok', 'failed')),
  kind               text NOT NULL CHECK (kind IN ('ok', 'auth_expired', 'permission', 'network', 'timeout',
                                                   'config', 'source_error', 'interrupted')),
  latency_ms         double precision,
  stream_count       integer,
  schema_fingerprint text,
  message            text NOT NULL DEFAULT ''
);
-- The newest page of one connection's timeline, and the retention delete: an index range, never a scan.
CREATE INDEX connection_checks_timeline_idx ON public.connection_checks (tenant_id, connection_id, at);

ALTER TABLE public.connection_checks ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.connection_checks FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_select ON public.connection_checks FOR SELECT
  USING (tenant_id = public.hub_current_tenant());
CREATE POLICY tenant_insert ON public.connection_checks FOR INSERT
  WITH CHECK (tenant_id = public.hub_current_tenant());
CREATE POLICY tenant_delete ON public.connection_checks FOR DELETE
  USING (tenant_id = public.hub_current_tenant());
CREATE POLICY admin_all ON public.connection_checks TO hub_admin USING (true) WITH CHECK (true);

REVOKE ALL ON public.connection_checks FROM PUBLIC;
GRANT SELECT, INSERT, DELETE ON public.connection_checks TO hub_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.connection_checks TO hub_admin;

DO $supabase$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['anon', 'authenticated'] LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('REVOKE ALL ON public.connection_checks FROM %I', r);
    END IF;
  END LOOP;
END
$supabase$;

CREATE OR REPLACE FUNCTION public.hub_schema_version() RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT 3 $$;
