-- Data Source Hub: leases and failed sign-ins, for PostgreSQL 15+ and Supabase.
--
-- Run as the owner/admin, like 0001. Two tables that are not tenant data, so without tenant_id and without
-- row level security; hub_app and hub_admin get only the privileges below, Supabase's API roles none:
--   * leases: a short-lived claim on work that must not run twice at once (a connect, `connect:<id>`);
--     its holder renews it while the work goes on, and anyone may take it over once it has expired.
--   * sign_in_failures: one row per failed sign-in, counted per username over a recent window (an
--     unknown username has no tenant); old rows are deleted, never updated.

CREATE TABLE public.leases (
  name       text PRIMARY KEY,
  holder     text NOT NULL,
  expires_at timestamptz NOT NULL
);

CREATE TABLE public.sign_in_failures (
  id       uuid PRIMARY KEY,
  username text NOT NULL,
  at       timestamptz NOT NULL
);
CREATE INDEX sign_in_failures_username_at_idx ON public.sign_in_failures (username, at);

REVOKE ALL ON public.leases, public.sign_in_failures FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.leases TO hub_app, hub_admin;
GRANT SELECT, INSERT, DELETE ON public.sign_in_failures TO hub_app, hub_admin;

DO $supabase$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['anon', 'authenticated'] LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('REVOKE ALL ON public.leases, public.sign_in_failures FROM %I', r);
    END IF;
  END LOOP;
END
$supabase$;

CREATE OR REPLACE FUNCTION public.hub_schema_version() RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT 2 $$;
