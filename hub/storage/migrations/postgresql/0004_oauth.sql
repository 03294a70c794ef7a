-- Data Source Hub: OAuth sign-ins in progress, for PostgreSQL 15+ and Supabase.
--
-- Run as the owner/admin, like 0001. oauth_states holds one row per started sign-in: single use (the callback
-- deletes it), expiring after ten minutes, bound to tenant, user, source and (API) key; only a hash of the
-- state and the PKCE verifier encrypted with the tenant's keys. Tenant data, so row level security is forced
-- as on the tables of 0001; hub_app inserts and deletes (takes) its tenant's rows, never updates one.

CREATE TABLE public.oauth_states (
  id                 uuid PRIMARY KEY,
  tenant_id          uuid NOT NULL REFERENCES public.tenants (id),
  state_hash         text NOT NULL UNIQUE,
  user_id            text NOT NULL,
  api_key_id         text,
  source_id          text NOT NULL,
  connection_id      uuid,
  face               text NOT NULL CHECK (face IN ('app', 'api')),
  redirect_uri       text NOT NULL,
  return_to          text,
  account            text,
  encrypted_verifier text NOT NULL,
  key_id             text NOT NULL,
  created_at         timestamptz NOT NULL,
  expires_at         timestamptz NOT NULL
);

ALTER TABLE public.oauth_states ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.oauth_states FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_select ON public.oauth_states FOR SELECT
  USING (tenant_id = public.hub_current_tenant());
CREATE POLICY tenant_insert ON public.oauth_states FOR INSERT
  WITH CHECK (tenant_id = public.hub_current_tenant());
CREATE POLICY tenant_delete ON public.oauth_states FOR DELETE
  USING (tenant_id = public.hub_current_tenant());
CREATE POLICY admin_all ON public.oauth_states TO hub_admin USING (true) WITH CHECK (true);

REVOKE ALL ON public.oauth_states FROM PUBLIC;
GRANT SELECT, INSERT, DELETE ON public.oauth_states TO hub_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.oauth_states TO hub_admin;

DO $supabase$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['anon', 'authenticated'] LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('REVOKE ALL ON public.oauth_states FROM %I', r);
    END IF;
  END LOOP;
END
$supabase$;

CREATE OR REPLACE FUNCTION public.hub_schema_version() RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT 4 $$;
