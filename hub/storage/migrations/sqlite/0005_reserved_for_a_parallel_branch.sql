-- Data Source Hub: PLACEHOLDER for migration 0005, which a branch developed in parallel adds (issue 14's
-- alerts branch was given 0006). The numbers must run without gaps; delete this file when the real 0005
-- is merged. It changes nothing but the schema version.

PRAGMA user_version = 5;
