"""Small source databases with relations that cannot be read, next to one that can (item 2 of issue 11).

PostgreSQL: an unpopulated materialized view, a view whose owner may not read its table (permission
denied), a view whose function raises, and one whose function reads a dropped table. MariaDB: a view
on a dropped table, a view whose definer lost its privilege, an invoker view over a table the user
may not read, and a table granted to a role the user has not enabled.
"""

from __future__ import annotations

import secrets

from tests.integration.sql_fixtures import SourceDB
from tests.servers import MariaDBServer, PostgresServer

PG_BROKEN = """
CREATE TABLE orders (id int PRIMARY KEY, total numeric(10,2));
INSERT INTO orders VALUES (1, 9.50), (2, 3.00);
CREATE MATERIALIZED VIEW monthly AS SELECT count(*) AS n FROM orders WITH NO DATA;
CREATE FUNCTION ledger_closed() RETURNS int LANGUAGE plpgsql AS $$
  BEGIN RAISE EXCEPTION 'the ledger is closed'; END $$;
CREATE VIEW closing AS SELECT ledger_closed() AS x;
CREATE TABLE archive (id int);
CREATE FUNCTION archived() RETURNS bigint LANGUAGE plpgsql AS $$
  BEGIN RETURN (SELECT count(*) FROM archive); END $$;
CREATE VIEW archived_count AS SELECT archived() AS n;
DROP TABLE archive;
CREATE TABLE salaries (id int, amount numeric);
CREATE VIEW payroll AS SELECT id FROM salaries;
ALTER VIEW payroll OWNER TO {owner};
"""

#: stream -> the reason the connect records for it
PG_REASONS = {
    "monthly": "not populated: run REFRESH MATERIALIZED VIEW public.monthly",
    "closing": "the view's query fails: the ledger is closed",
    "archived_count": 'the view\'s query fails: relation "archive" does not exist',
    "payroll": "permission denied for table salaries",
}

MY_VIEW_FAILS = (
    "the view's query fails: it references a table, column or function that is missing, or its definer "
    "lacks the privileges to use them"
)
MY_REASONS = {"gone_view": MY_VIEW_FAILS, "definer_view": MY_VIEW_FAILS, "invoker_view": MY_VIEW_FAILS}


def broken_postgres(server: PostgresServer) -> SourceDB:
    """A fresh database: ``orders`` readable, the four relations of `PG_REASONS` not."""
    db = server.create_database()
    reader, owner = f"r_{secrets.token_hex(4)}", f"o_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(12)
    server.psql(f"CREATE ROLE {owner} NOLOGIN; CREATE ROLE {reader} LOGIN PASSWORD '{password}'")
    server.psql(PG_BROKEN.replace("{owner}", owner), database=db)
    server.psql(
        f"GRANT USAGE ON SCHEMA public TO {reader}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader}; "
        f"REVOKE SELECT ON salaries FROM {reader}",
        database=db,
    )
    return SourceDB("postgres", server.host, server.port, db, {"reader": password, "_role": reader})


def only_unpopulated_postgres(server: PostgresServer) -> SourceDB:
    """A database whose only relation is an unpopulated materialized view."""
    db = server.create_database()
    reader, password = f"r_{secrets.token_hex(4)}", secrets.token_urlsafe(12)
    server.psql(f"CREATE ROLE {reader} LOGIN PASSWORD '{password}'")
    server.psql(
        "CREATE MATERIALIZED VIEW totals AS SELECT 1 AS n WITH NO DATA; "
        f"GRANT USAGE ON SCHEMA public TO {reader}; GRANT SELECT ON totals TO {reader}",
        database=db,
    )
    return SourceDB("postgres", server.host, server.port, db, {"reader": password, "_role": reader})


def broken_mariadb(server: MariaDBServer) -> SourceDB:
    """A fresh database: ``orders`` readable, the three views of `MY_REASONS` not."""
    db = server.create_database()
    reader, definer = f"r_{secrets.token_hex(4)}", f"d_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(12)
    statements = [
        "CREATE TABLE orders (id INT PRIMARY KEY, total DECIMAL(10,2))",
        "INSERT INTO orders VALUES (1, 9.50), (2, 3.00)",
        "CREATE TABLE archive (id INT)",
        "CREATE VIEW gone_view AS SELECT id FROM archive",
        "DROP TABLE archive",
        "CREATE TABLE salaries (id INT)",
        f"CREATE USER '{definer}'@'%' IDENTIFIED BY '{secrets.token_urlsafe(12)}'",
        f"GRANT SELECT ON `{db}`.salaries TO '{definer}'@'%'",
        f"CREATE DEFINER='{definer}'@'%' SQL SECURITY DEFINER VIEW definer_view AS SELECT id FROM salaries",
        f"REVOKE SELECT ON `{db}`.salaries FROM '{definer}'@'%'",
        "CREATE SQL SECURITY INVOKER VIEW invoker_view AS SELECT id FROM salaries",
        f"CREATE USER '{reader}'@'%' IDENTIFIED BY '{password}'",
        # a table the user may read only through a role it has not enabled: SELECT is denied
        "CREATE TABLE hidden (id INT)",
        f"CREATE ROLE {reader}_role",
        f"GRANT SELECT ON `{db}`.hidden TO {reader}_role",
        f"GRANT {reader}_role TO '{reader}'@'%'",
        *(
            f"GRANT SELECT ON `{db}`.`{t}` TO '{reader}'@'%'"
            for t in ("orders", "gone_view", "definer_view", "invoker_view")
        ),
    ]
    server.sql("; ".join(statements), database=db)
    return SourceDB("mariadb", server.host, server.port, db, {"reader": password, "_role": reader})


def config(db: SourceDB) -> dict[str, object]:
    """A connector config for the database's reader (its role name differs per database)."""
    return {**db.config("reader"), "username": db.users["_role"]}
