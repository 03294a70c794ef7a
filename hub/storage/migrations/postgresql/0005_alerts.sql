-- Data Source Hub: alerts (health issue), for PostgreSQL 15+ and Supabase.
--
-- Run as the owner/admin, like 0001. Two tenant tables, row level security forced as on the tables of 0001:
--   * tenant_settings (contracts.md): per-tenant settings by name, a JSON value and, for secrets, a value
--     encrypted with the hub's key ring. Alert destinations are the setting named 'alerts'. The hand-off
--     issue stores its settings here too, so this file creates the table and its policies only when missing.
--   * alert_events: one row per alert raised (a change of state of a connection), unique per tenant and
--     dedupe_key, so a second or restarted monitor never raises one change twice; it is also the outbox the
--     monitors deliver from (sent_at, delivered channels, attempts, last error).

CREATE TABLE IF NOT EXISTS public.tenant_settings (
  tenant_id       uuid NOT NULL REFERENCES public.tenants (id),
  name            text NOT NULL,
  value           jsonb NOT NULL,
  encrypted_value text,
  key_id          text,
  PRIMARY KEY (tenant_id, name)
);

CREATE TABLE public.alert_events (
  id            uuid PRIMARY KEY,
  tenant_id     uuid NOT NULL REFERENCES public.tenants (id),
  connection_id uuid REFERENCES public.tenant_airbyte_connections (id),
  event         text NOT NULL CHECK (event IN ('failing', 'recovered', 'drift', 'credentials_expiring')),
  dedupe_key    text NOT NULL,
  at            timestamptz NOT NULL,
  text          text NOT NULL,
  detail        jsonb NOT NULL,
  delivered     jsonb NOT NULL,
  attempts      integer NOT NULL DEFAULT 0,
  last_error    text NOT NULL DEFAULT '',
  sent_at       timestamptz,
  CONSTRAINT alert_events_tenant_key UNIQUE (tenant_id, dedupe_key)
);
-- The alerts still to deliver, per tenant.
CREATE INDEX alert_events_pending_idx ON public.alert_events (tenant_id, sent_at);

ALTER TABLE public.tenant_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.tenant_settings FORCE ROW LEVEL SECURITY;
ALTER TABLE public.alert_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.alert_events FORCE ROW LEVEL SECURITY;

DO $policies$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE schemaname = 'public' AND tablename = 'tenant_settings') THEN
    CREATE POLICY tenant_select ON public.tenant_settings FOR SELECT
      USING (tenant_id = public.hub_current_tenant());
    CREATE POLICY tenant_insert ON public.tenant_settings FOR INSERT
      WITH CHECK (tenant_id = public.hub_current_tenant());
    CREATE POLICY tenant_update ON public.tenant_settings FOR UPDATE
      USING (tenant_id = public.hub_current_tenant()) WITH CHECK (tenant_id = public.hub_current_tenant());
    CREATE POLICY tenant_delete ON public.tenant_settings FOR DELETE
      USING (tenant_id = public.hub_current_tenant());
    CREATE POLICY admin_all ON public.tenant_settings TO hub_admin USING (true) WITH CHECK (true);
  END IF;
END
$policies$;

-- Alerts are written once and then only marked delivered: hub_app may UPDATE its tenant's rows, never DELETE.
CREATE POLICY tenant_select ON public.alert_events FOR SELECT
  USING (tenant_id = public.hub_current_tenant());
CREATE POLICY tenant_insert ON public.alert_events FOR INSERT
  WITH CHECK (tenant_id = public.hub_current_tenant());
CREATE POLICY tenant_update ON public.alert_events FOR UPDATE
  USING (tenant_id = public.hub_current_tenant()) WITH CHECK (tenant_id = public.hub_current_tenant());
CREATE POLICY admin_all ON public.alert_events TO hub_admin USING (true) WITH CHECK (true);

REVOKE ALL ON public.tenant_settings FROM PUBLIC;
REVOKE ALL ON public.alert_events FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.tenant_settings TO hub_app;
GRANT SELECT, INSERT, UPDATE ON public.alert_events TO hub_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.tenant_settings, public.alert_events TO hub_admin;

DO $supabase$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['anon', 'authenticated'] LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('REVOKE ALL ON public.tenant_settings, public.alert_events FROM %I', r);
    END IF;
  END LOOP;
END
$supabase$;

CREATE OR REPLACE FUNCTION public.hub_schema_version() RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT 5 $$;
