-- Data Source Hub: the fields a sign-in carries besides its tokens, for PostgreSQL 15+ and Supabase.
--
-- Run as the owner/admin, like 0001. oauth_states.fields: the non-secret fields the user gave at the start
-- of a sign-in (Google Sheets' spreadsheet, Google Analytics 4's property ids, Facebook's ad accounts),
-- merged into the connector config after the callback; NULL when none (hub.oauth.fields). Never a secret.
-- The table's row level security, policies and grants (0004) cover the new column.

ALTER TABLE public.oauth_states ADD COLUMN fields jsonb;

CREATE OR REPLACE FUNCTION public.hub_schema_version() RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT 6 $$;
