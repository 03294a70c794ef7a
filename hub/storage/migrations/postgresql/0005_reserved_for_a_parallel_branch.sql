-- Data Source Hub: PLACEHOLDER for migration 0005, which a branch developed in parallel adds (issue 14's
-- alerts branch was given 0006). The numbers must run without gaps; delete this file (and its supabase copy)
-- when the real 0005 is merged. It changes nothing but the schema version.

CREATE OR REPLACE FUNCTION public.hub_schema_version() RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT 5 $$;
