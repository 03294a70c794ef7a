-- Data Source Hub: initial schema for PostgreSQL 15+ and Supabase (`supabase db push` applies it).
--
-- Run as the owner/admin (the role in HUB_ADMIN_DATABASE_URL). It creates:
--   * the tables of contracts.md: tenants, users, tenant_airbyte_connections, audit_logs, api_keys;
--   * role hub_app   - what the app connects as (HUB_DATABASE_URL). It owns nothing, has only the grants
--                      below, and row level security is FORCED on every table, so it sees one tenant per
--                      transaction: the one in `app.tenant_id` (set with set_config(..., true), i.e. per
--                      transaction) or, behind Supabase's API, the `tenant_id` claim of `request.jwt.claims`.
--                      It is created NOLOGIN and without a password; enable it with
--                        ALTER ROLE hub_app WITH LOGIN PASSWORD '<a long random password>';
--   * role hub_admin - admin work across tenants (tenants, users, key rotation); the migrating role is
--                      made a member. Even it may only INSERT and SELECT audit_logs.
--   * SECURITY DEFINER look-ups that must find the tenant first (tenant by slug, sign-in by username,
--     API key by hash), returning only what those need.

DO $roles$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hub_app') THEN
    CREATE ROLE hub_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hub_admin') THEN
    CREATE ROLE hub_admin NOLOGIN NOBYPASSRLS;
  END IF;
  IF NOT pg_has_role(current_user, 'hub_admin', 'MEMBER') THEN
    EXECUTE format('GRANT hub_admin TO %I', current_user);
  END IF;
END
$roles$;

-- ------------------------------------------------------------------ tables

CREATE TABLE public.tenants (
  id            uuid PRIMARY KEY,
  slug          text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name          text NOT NULL,
  business_type text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  audit_head    text NOT NULL DEFAULT ''
);

CREATE TABLE public.users (
  id            uuid PRIMARY KEY,
  tenant_id     uuid NOT NULL REFERENCES public.tenants (id),
  username      text NOT NULL UNIQUE,
  name          text NOT NULL,
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  disabled      boolean NOT NULL DEFAULT false
);
CREATE INDEX users_tenant_id_idx ON public.users (tenant_id);

CREATE TABLE public.tenant_airbyte_connections (
  id               uuid PRIMARY KEY,
  tenant_id        uuid NOT NULL REFERENCES public.tenants (id),
  source_id        text NOT NULL,
  name             text NOT NULL,
  mode             text NOT NULL CHECK (mode IN ('demo', 'live')),
  auth_kind        text NOT NULL CHECK (auth_kind IN ('oauth2', 'api_key', 'database', 'file')),
  status           text NOT NULL CHECK (status IN ('connecting', 'testing', 'connected', 'failed', 'disconnected')),
  status_detail    text NOT NULL DEFAULT '',
  metadata         jsonb NOT NULL DEFAULT '{}'::jsonb,
  encrypted_config text,
  key_id           text,
  created_by       text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  last_checked_at  timestamptz,
  CHECK ((encrypted_config IS NULL) = (key_id IS NULL))
);
CREATE INDEX tenant_airbyte_connections_tenant_created_idx
  ON public.tenant_airbyte_connections (tenant_id, created_at);

CREATE TABLE public.audit_logs (
  id          uuid PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES public.tenants (id),
  seq         bigint NOT NULL CHECK (seq >= 1),
  at          timestamptz NOT NULL,
  actor       text NOT NULL,
  action      text NOT NULL,
  target_type text NOT NULL DEFAULT '',
  target_id   text NOT NULL DEFAULT '',
  outcome     text NOT NULL CHECK (outcome IN ('ok', 'error', 'denied')),
  detail      jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash   text NOT NULL,
  hash        text NOT NULL,
  CONSTRAINT audit_logs_tenant_seq_key UNIQUE (tenant_id, seq)
);

CREATE TABLE public.api_keys (
  id         uuid PRIMARY KEY,
  tenant_id  uuid NOT NULL REFERENCES public.tenants (id),
  name       text NOT NULL,
  key_hash   text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX api_keys_tenant_id_idx ON public.api_keys (tenant_id);

-- ------------------------------------------------------------------ the tenant of this transaction

-- No SET clause (names are schema-qualified instead), so the planner inlines it: the policies below then
-- compare against a stable value, evaluated once per statement and usable in index scans.
CREATE FUNCTION public.hub_current_tenant() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT CAST(COALESCE(
    NULLIF(pg_catalog.current_setting('app.tenant_id', true), ''),
    CAST(NULLIF(pg_catalog.current_setting('request.jwt.claims', true), '') AS pg_catalog.json)
      OPERATOR(pg_catalog.->>) 'tenant_id'
  ) AS pg_catalog.uuid)
$$;

CREATE FUNCTION public.hub_schema_version() RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT 1 $$;

-- ------------------------------------------------------------------ row level security (forced)

ALTER TABLE public.tenants                    ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.tenants                    FORCE ROW LEVEL SECURITY;
ALTER TABLE public.users                      ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.users                      FORCE ROW LEVEL SECURITY;
ALTER TABLE public.tenant_airbyte_connections ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.tenant_airbyte_connections FORCE ROW LEVEL SECURITY;
ALTER TABLE public.audit_logs                 ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.audit_logs                 FORCE ROW LEVEL SECURITY;
ALTER TABLE public.api_keys                   ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.api_keys                   FORCE ROW LEVEL SECURITY;

-- Tenant policies (for every role that has the privileges: hub_app, and Supabase's `authenticated`
-- when a JWT carries a tenant_id claim). No DELETE policy anywhere; no UPDATE policy on audit_logs.
CREATE POLICY tenant_select ON public.tenants FOR SELECT USING (id = public.hub_current_tenant());
CREATE POLICY tenant_update ON public.tenants FOR UPDATE
  USING (id = public.hub_current_tenant()) WITH CHECK (id = public.hub_current_tenant());

CREATE POLICY tenant_select ON public.users FOR SELECT USING (tenant_id = public.hub_current_tenant());

CREATE POLICY tenant_select ON public.tenant_airbyte_connections FOR SELECT
  USING (tenant_id = public.hub_current_tenant());
CREATE POLICY tenant_insert ON public.tenant_airbyte_connections FOR INSERT
  WITH CHECK (tenant_id = public.hub_current_tenant());
CREATE POLICY tenant_update ON public.tenant_airbyte_connections FOR UPDATE
  USING (tenant_id = public.hub_current_tenant()) WITH CHECK (tenant_id = public.hub_current_tenant());

CREATE POLICY tenant_select ON public.audit_logs FOR SELECT USING (tenant_id = public.hub_current_tenant());
CREATE POLICY tenant_insert ON public.audit_logs FOR INSERT WITH CHECK (tenant_id = public.hub_current_tenant());

CREATE POLICY tenant_select ON public.api_keys FOR SELECT USING (tenant_id = public.hub_current_tenant());
CREATE POLICY tenant_insert ON public.api_keys FOR INSERT WITH CHECK (tenant_id = public.hub_current_tenant());
CREATE POLICY tenant_update ON public.api_keys FOR UPDATE
  USING (tenant_id = public.hub_current_tenant()) WITH CHECK (tenant_id = public.hub_current_tenant());

-- Admin policies: every tenant, but still append-only for the audit log.
CREATE POLICY admin_all ON public.tenants                    TO hub_admin USING (true) WITH CHECK (true);
CREATE POLICY admin_all ON public.users                      TO hub_admin USING (true) WITH CHECK (true);
CREATE POLICY admin_all ON public.tenant_airbyte_connections TO hub_admin USING (true) WITH CHECK (true);
CREATE POLICY admin_all ON public.api_keys                   TO hub_admin USING (true) WITH CHECK (true);
CREATE POLICY admin_select ON public.audit_logs FOR SELECT TO hub_admin USING (true);
CREATE POLICY admin_insert ON public.audit_logs FOR INSERT TO hub_admin WITH CHECK (true);

-- ------------------------------------------------------------------ privileges

REVOKE ALL ON public.tenants, public.users, public.tenant_airbyte_connections, public.audit_logs,
  public.api_keys FROM PUBLIC;

GRANT USAGE ON SCHEMA public TO hub_app, hub_admin;
GRANT SELECT ON public.tenants TO hub_app;
GRANT UPDATE (audit_head) ON public.tenants TO hub_app;   -- only the audit chain's head
GRANT SELECT ON public.users TO hub_app;
GRANT SELECT, INSERT ON public.tenant_airbyte_connections TO hub_app;
GRANT UPDATE (name, status, status_detail, metadata, encrypted_config, key_id, updated_at, last_checked_at)
  ON public.tenant_airbyte_connections TO hub_app;
GRANT SELECT, INSERT ON public.audit_logs TO hub_app;     -- append-only: no UPDATE, no DELETE
GRANT SELECT, INSERT ON public.api_keys TO hub_app;
GRANT UPDATE (revoked_at) ON public.api_keys TO hub_app;

GRANT SELECT, INSERT, UPDATE, DELETE ON public.tenants, public.users, public.tenant_airbyte_connections,
  public.api_keys TO hub_admin;
GRANT SELECT, INSERT ON public.audit_logs TO hub_admin;

-- Supabase grants its API roles every table in `public` by default; the hub's API roles get nothing.
DO $supabase$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['anon', 'authenticated'] LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('REVOKE ALL ON public.tenants, public.users, public.tenant_airbyte_connections, '
                     'public.audit_logs, public.api_keys FROM %I', r);
    END IF;
  END LOOP;
END
$supabase$;

-- ------------------------------------------------------------------ SECURITY DEFINER look-ups

CREATE FUNCTION public.hub_find_tenant(p_key text)
RETURNS TABLE (id uuid, slug text, name text, business_type text, created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
  SELECT t.id, t.slug, t.name, t.business_type, t.created_at
  FROM public.tenants t
  WHERE t.slug = p_key OR t.id::text = lower(p_key)
  LIMIT 1
$$;

CREATE FUNCTION public.hub_sign_in_lookup(p_username text)
RETURNS TABLE (id uuid, tenant_id uuid, username text, name text, password_hash text, created_at timestamptz,
               disabled boolean, slug text, tenant_name text, business_type text, tenant_created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
  SELECT u.id, u.tenant_id, u.username, u.name, u.password_hash, u.created_at, u.disabled,
         t.slug, t.name, t.business_type, t.created_at
  FROM public.users u JOIN public.tenants t ON t.id = u.tenant_id
  WHERE u.username = p_username
$$;

CREATE FUNCTION public.hub_api_key_lookup(p_key_hash text)
RETURNS TABLE (id uuid, tenant_id uuid, name text, created_at timestamptz, revoked_at timestamptz,
               slug text, tenant_name text, business_type text, tenant_created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
  SELECT k.id, k.tenant_id, k.name, k.created_at, k.revoked_at, t.slug, t.name, t.business_type, t.created_at
  FROM public.api_keys k JOIN public.tenants t ON t.id = k.tenant_id
  WHERE k.key_hash = p_key_hash
$$;

REVOKE ALL ON FUNCTION public.hub_find_tenant(text), public.hub_sign_in_lookup(text),
  public.hub_api_key_lookup(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.hub_find_tenant(text), public.hub_sign_in_lookup(text),
  public.hub_api_key_lookup(text) TO hub_app, hub_admin;
GRANT EXECUTE ON FUNCTION public.hub_current_tenant(), public.hub_schema_version() TO PUBLIC;
