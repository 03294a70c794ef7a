"""Catalog queries of the SQL connectors: a fixed number per connection, never one per table.

PostgreSQL: 2 queries for all chosen schemas together (relations with row estimates and privileges;
columns with types, domains, enums, array elements and primary-key positions). MySQL/MariaDB: 3 queries
for the database (tables with privileges; columns; primary-key columns). SQLite: 1-2 queries. Every
query carries the comment ``/* hub:catalog */`` so tests and benchmarks can count them.

Schema and table names only ever travel as bind parameters here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from hub.connectors.sql.columns import Column, mysql_column, pg_column, sqlite_column, suggest_cursor
from hub.models import StreamInfo

CATALOG_TAG = "/* hub:catalog */"

#: relkind -> what a user calls it
PG_KINDS = {
    "r": "table",
    "p": "partitioned table",
    "v": "view",
    "m": "materialized view",
    "f": "foreign table",
}


@dataclass
class Table:
    """A relation the user may read, with the columns they may read."""

    schema: str | None
    name: str
    kind: str
    stream: str
    columns: list[Column] = field(default_factory=list)
    estimated_rows: int | None = None
    comment: str | None = None

    @property
    def primary_key(self) -> list[str]:
        """Primary-key column names in key order."""
        keyed = sorted((c for c in self.columns if c.pk_position), key=lambda c: c.pk_position or 0)
        return [c.name for c in keyed]

    def stream_info(self) -> StreamInfo:
        """The Airbyte-style stream."""
        schema: dict[str, Any] = {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "properties": {c.name: c.json_schema() for c in self.columns},
            "x-relation": self.kind,
        }
        if self.comment:
            schema["description"] = self.comment
        return StreamInfo(
            name=self.stream,
            json_schema=schema,
            primary_key=self.primary_key,
            cursor_field=suggest_cursor(self.columns),
            estimated_rows=self.estimated_rows,
            namespace=self.schema,
        )


def _stream_name(schema: str, table: str, default_schema: str) -> str:
    return table if schema == default_schema else f"{schema}.{table}"


# --------------------------------------------------------------------------- PostgreSQL

_PG_REL_FILTER = """
    n.nspname = ANY(CAST(:schemas AS text[]))
    AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
    AND NOT c.relispartition
    AND has_schema_privilege(n.oid, 'USAGE')
    AND (CAST(:tables AS text[]) IS NULL OR c.relname = ANY(CAST(:tables AS text[])))
"""

PG_RELATIONS = sa.text(f"""{CATALOG_TAG}
SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind,
       CASE WHEN c.relkind = 'p' THEN (
              SELECT sum(CASE WHEN p.reltuples >= 0 THEN p.reltuples ELSE pg_stat_get_live_tuples(p.oid) END)
              FROM pg_partition_tree(c.oid) pt JOIN pg_class p ON p.oid = pt.relid WHERE pt.isleaf)
            WHEN c.relkind IN ('r', 'm') THEN
              CASE WHEN c.reltuples >= 0 THEN c.reltuples ELSE pg_stat_get_live_tuples(c.oid) END
       END AS estimated_rows,
       obj_description(c.oid, 'pg_class') AS comment,
       has_any_column_privilege(c.oid, 'SELECT') AS readable
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE {_PG_REL_FILTER}
ORDER BY n.nspname, c.relname""")

PG_COLUMNS = sa.text(f"""{CATALOG_TAG}
SELECT n.nspname AS schema, c.relname AS table, c.relkind AS kind, a.attname AS column, a.attnum,
       NOT a.attnotnull AS nullable,
       format_type(a.atttypid, a.atttypmod) AS declared,
       a.attgenerated <> '' AS generated,
       bt.typname AS base_name, bt.typtype AS base_kind,
       format_type(bt.oid, CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END) AS base_declared,
       (bt.typcategory = 'A' AND bt.typelem <> 0) AS is_array,
       et.typname AS elem_name, et.typtype AS elem_kind,
       format_type(et.oid,
           CASE WHEN et0.typtype = 'd' THEN et0.typtypmod ELSE a.atttypmod END) AS elem_declared,
       (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e
         WHERE e.enumtypid = COALESCE(et.oid, bt.oid)) AS labels,
       array_position(pk.conkey, a.attnum) AS pk_pos,
       col_description(c.oid, a.attnum) AS comment
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
LEFT JOIN pg_type et0 ON bt.typcategory = 'A' AND et0.oid = bt.typelem
LEFT JOIN pg_type et ON et.oid = CASE WHEN et0.typtype = 'd' THEN et0.typbasetype ELSE et0.oid END
LEFT JOIN pg_constraint pk ON pk.conrelid = c.oid AND pk.contype = 'p'
WHERE {_PG_REL_FILTER}
  AND a.attnum > 0 AND NOT a.attisdropped
  AND has_column_privilege(c.oid, a.attnum, 'SELECT')
ORDER BY n.nspname, c.relname, a.attnum""")

# For read(): the columns of one relation. Leaner than PG_COLUMNS (one relation by oid, fewer joins,
# nothing only discovery shows): on a new backend with cold catalog caches, planning dominates the
# cost of a preview's only catalog query. to_regclass() is only asked about schemas the user may use
# (it raises "permission denied" otherwise); partitions, indexes and sequences are not streams.
PG_READ_COLUMNS = sa.text(f"""{CATALOG_TAG}
SELECT a.attname AS column, a.attnum, NOT a.attnotnull AS nullable,
       format_type(a.atttypid, a.atttypmod) AS declared, a.attgenerated <> '' AS generated,
       COALESCE(bt.typname, t.typname) AS base_name, COALESCE(bt.typtype, t.typtype) AS base_kind,
       format_type(COALESCE(bt.oid, t.oid), CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END)
         AS base_declared,
       (COALESCE(bt.typcategory, t.typcategory) = 'A') AS is_array,
       et.typname AS elem_name, et.typtype AS elem_kind, format_type(et.oid, a.atttypmod) AS elem_declared,
       NULL AS labels, NULL AS comment,
       array_position((SELECT p.conkey FROM pg_constraint p WHERE p.conrelid = c.oid AND p.contype = 'p'),
                      a.attnum) AS pk_pos,
       c.relkind AS kind
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
LEFT JOIN pg_type et ON COALESCE(bt.typcategory, t.typcategory) = 'A'
                     AND et.oid = COALESCE(bt.typelem, t.typelem)
WHERE c.oid = (SELECT CASE WHEN has_schema_privilege(n.oid, 'USAGE')
                           THEN to_regclass(quote_ident(:schema) || '.' || quote_ident(:table)) END
               FROM pg_namespace n WHERE n.nspname = :schema)
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
  AND a.attnum > 0 AND NOT a.attisdropped AND has_column_privilege(c.oid, a.attnum, 'SELECT')
ORDER BY a.attnum""")

PG_PROBE = sa.text(f"""{CATALOG_TAG}
SELECT s.name AS schema, n.oid IS NOT NULL AS present,
       COALESCE(has_schema_privilege(n.oid, 'USAGE'), false) AS usable,
       (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid
          AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition) AS relations,
       (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid
          AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
          AND has_schema_privilege(n.oid, 'USAGE') AND has_any_column_privilege(c.oid, 'SELECT')) AS readable,
       current_user AS "user", current_setting('server_version') AS version,
       current_setting('transaction_read_only') AS read_only,
       (SELECT string_agg(quote_ident(nspname), ', ' ORDER BY nspname) FROM pg_namespace
         WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema') AS all_schemas
FROM unnest(CAST(:schemas AS text[])) WITH ORDINALITY AS s(name, ord)
LEFT JOIN pg_namespace n ON n.nspname = s.name
ORDER BY s.ord""")


def pg_tables(conn: sa.Connection, schemas: Sequence[str]) -> list[Table]:
    """Readable relations of ``schemas`` with their readable columns: two catalog queries in all."""
    params = {"schemas": list(schemas), "tables": None}
    default = schemas[0]
    found: dict[tuple[str, str], Table] = {}
    for r in conn.execute(PG_RELATIONS, params).mappings():
        if not r["readable"]:
            continue
        est = r["estimated_rows"]
        found[(r["schema"], r["name"])] = Table(
            schema=r["schema"],
            name=r["name"],
            kind=PG_KINDS.get(r["kind"], "table"),
            stream=_stream_name(r["schema"], r["name"], default),
            estimated_rows=int(est) if est is not None else None,
            comment=r["comment"],
        )
    for r in conn.execute(PG_COLUMNS, params).mappings():
        table = found.get((r["schema"], r["table"]))
        if table is not None:
            table.columns.append(pg_column(dict(r)))
    return [t for t in found.values() if t.columns]


def pg_table(conn: sa.Connection, candidates: Sequence[tuple[str, str]], default_schema: str) -> Table | None:
    """The first of the candidate (schema, table) pairs that is a readable relation.

    One catalog query per candidate tried; a stream name has one candidate unless it holds a dot.
    """
    for schema, name in candidates:
        rows = list(conn.execute(PG_READ_COLUMNS, {"schema": schema, "table": name}).mappings())
        if rows:
            table = Table(
                schema=schema,
                name=name,
                kind=PG_KINDS[rows[0]["kind"]],
                stream=_stream_name(schema, name, default_schema),
            )
            table.columns = [pg_column(dict(r)) for r in rows]
            return table
    return None


def pg_candidates(stream: str, schemas: Sequence[str]) -> list[tuple[str, str]]:
    """(schema, table) pairs a stream name may mean, most likely first."""
    out = [(schemas[0], stream)]
    for i, ch in enumerate(stream):
        if ch == "." and stream[:i] in schemas:
            out.append((stream[:i], stream[i + 1 :]))
    return out


# --------------------------------------------------------------------------- MySQL / MariaDB

# 'user'@'host' as the privilege tables spell the grantee
_MY_GRANTEE = (
    "CONCAT('''', LEFT(CURRENT_USER(), CHAR_LENGTH(CURRENT_USER()) - "
    "CHAR_LENGTH(SUBSTRING_INDEX(CURRENT_USER(), '@', -1)) - 1), '''@''', "
    "SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')"
)
_MY_MINE = f"(GRANTEE = {_MY_GRANTEE} OR GRANTEE NOT LIKE '%@%')"
_MY_TABLE_FILTER = "(:table IS NULL OR TABLE_NAME = :table)"

MY_TABLES = sa.text(f"""{CATALOG_TAG}
SELECT 'table' AS what, TABLE_NAME AS name, TABLE_TYPE AS kind, TABLE_ROWS AS estimated_rows,
       TABLE_COMMENT AS comment
  FROM information_schema.TABLES WHERE TABLE_SCHEMA = :db AND {_MY_TABLE_FILTER}
UNION ALL
SELECT 'grant', TABLE_NAME, NULL, NULL, NULL FROM information_schema.TABLE_PRIVILEGES
 WHERE TABLE_SCHEMA = :db AND PRIVILEGE_TYPE = 'SELECT' AND {_MY_MINE} AND {_MY_TABLE_FILTER}
UNION ALL
SELECT 'grant', TABLE_NAME, NULL, NULL, NULL FROM information_schema.COLUMN_PRIVILEGES
 WHERE TABLE_SCHEMA = :db AND PRIVILEGE_TYPE = 'SELECT' AND {_MY_MINE} AND {_MY_TABLE_FILTER}
UNION ALL
SELECT 'all', NULL, NULL, NULL, NULL FROM information_schema.USER_PRIVILEGES
 WHERE PRIVILEGE_TYPE = 'SELECT' AND {_MY_MINE}
UNION ALL
SELECT 'all', NULL, NULL, NULL, NULL FROM information_schema.SCHEMA_PRIVILEGES
 WHERE :db LIKE TABLE_SCHEMA AND PRIVILEGE_TYPE = 'SELECT' AND {_MY_MINE}""")

MY_COLUMNS = sa.text(f"""{CATALOG_TAG}
SELECT c.TABLE_NAME AS `table`, c.COLUMN_NAME AS `column`, c.ORDINAL_POSITION AS position,
       c.IS_NULLABLE AS nullable, c.DATA_TYPE AS data_type, c.COLUMN_TYPE AS column_type,
       c.CHARACTER_MAXIMUM_LENGTH AS max_length, c.NUMERIC_PRECISION AS `precision`,
       c.NUMERIC_SCALE AS scale, c.EXTRA AS extra, c.COLUMN_COMMENT AS comment,
       (cc.CONSTRAINT_NAME IS NOT NULL
        -- MariaDB's JSON is LONGTEXT with a json_valid() check; users with only SELECT do not see the check,
        -- but the alias always gives the column the utf8mb4_bin collation
        OR (c.DATA_TYPE = 'longtext' AND c.COLLATION_NAME = 'utf8mb4_bin')) AS is_json
FROM information_schema.COLUMNS c
LEFT JOIN information_schema.CHECK_CONSTRAINTS cc
  ON cc.CONSTRAINT_SCHEMA = c.TABLE_SCHEMA AND cc.TABLE_NAME = c.TABLE_NAME
 AND cc.CHECK_CLAUSE = CONCAT('json_valid(`', REPLACE(c.COLUMN_NAME, '`', '``'), '`)')
WHERE c.TABLE_SCHEMA = :db AND (:table IS NULL OR c.TABLE_NAME = :table)
ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION""")

MY_PRIMARY_KEYS = sa.text(f"""{CATALOG_TAG}
SELECT TABLE_NAME AS `table`, COLUMN_NAME AS `column`, SEQ_IN_INDEX AS seq
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = :db AND INDEX_NAME = 'PRIMARY' AND {_MY_TABLE_FILTER}
ORDER BY TABLE_NAME, SEQ_IN_INDEX""")

_MY_KINDS = {"BASE TABLE": "table", "VIEW": "view", "SYSTEM VERSIONED": "table"}


def mysql_readable(rows: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Mapping[str, Any]], set[str] | None]:
    """Split the MY_TABLES rows: tables by name, and the readable names (None = every table)."""
    tables = {r["name"]: r for r in rows if r["what"] == "table" and r["kind"] in _MY_KINDS}
    if any(r["what"] == "all" for r in rows):
        return tables, None
    return tables, {r["name"] for r in rows if r["what"] == "grant"}


def mysql_tables(conn: sa.Connection, database: str, *, table: str | None = None) -> list[Table]:
    """Readable tables and views of ``database`` (optionally only ``table``): three catalog queries."""
    params = {"db": database, "table": table}
    rows = [dict(r) for r in conn.execute(MY_TABLES, params).mappings()]
    tables, readable = mysql_readable(rows)
    pks: dict[tuple[str, str], int] = {
        (r["table"], r["column"]): int(r["seq"]) for r in conn.execute(MY_PRIMARY_KEYS, params).mappings()
    }
    found: dict[str, Table] = {}
    for r in conn.execute(MY_COLUMNS, params).mappings():
        name = r["table"]
        meta = tables.get(name)
        if meta is None or (readable is not None and name not in readable):
            continue
        t = found.get(name)
        if t is None:
            est = meta["estimated_rows"]
            t = found[name] = Table(
                schema=database,
                name=name,
                kind=_MY_KINDS.get(meta["kind"], "table"),
                stream=name,
                estimated_rows=int(est) if est is not None and meta["kind"] != "VIEW" else None,
                comment=meta["comment"] or None,
            )
        row = dict(r)
        row["pk_pos"] = pks.get((name, r["column"]))
        t.columns.append(mysql_column(row))
    for name, meta in tables.items():
        if name not in found and meta["kind"] == "VIEW" and (readable is None or name in readable):
            # a view the server lists without columns: it references a dropped table or column, or its
            # definer lost a privilege; it stays a stream so that reading it says which (connect lists it
            # as unreadable)
            found[name] = Table(
                schema=database, name=name, kind="view", stream=name, comment=meta["comment"] or None
            )
    return list(found.values())


# --------------------------------------------------------------------------- SQLite

SQLITE_COLUMNS = sa.text(f"""{CATALOG_TAG}
SELECT m.name AS "table", m.type AS kind, p.cid, p.name AS "column", p.type AS declared,
       p."notnull" AS not_null, p.pk AS pk, p.hidden AS hidden
FROM sqlite_master m JOIN pragma_table_xinfo(m.name) p
WHERE m.type IN ('table', 'view') AND (:table IS NULL OR m.name = :table)
ORDER BY m.name, p.cid""")

SQLITE_STATS = sa.text(f"""{CATALOG_TAG}
SELECT tbl, max(CAST(substr(stat, 1, instr(stat || ' ', ' ') - 1) AS INTEGER)) AS n
FROM sqlite_stat1 GROUP BY tbl""")


def sqlite_tables(conn: sa.Connection, *, table: str | None = None) -> list[Table]:
    """Tables and views of a SQLite file: one query, plus one for sqlite_stat1 when it exists."""
    found: dict[str, Table] = {}
    has_stats = False
    for r in conn.execute(SQLITE_COLUMNS, {"table": table}).mappings():
        name = r["table"]
        if name == "sqlite_stat1":
            has_stats = True
        if name.startswith("sqlite_"):
            continue
        t = found.get(name)
        if t is None:
            t = found[name] = Table(schema="main", name=name, kind=r["kind"], stream=name)
        t.columns.append(
            sqlite_column(r["column"], r["declared"], bool(r["not_null"]), r["pk"] or None, r["hidden"])
        )
    if has_stats and table is None and found:
        for r in conn.execute(SQLITE_STATS).mappings():
            if r["tbl"] in found and r["n"] is not None:
                found[r["tbl"]].estimated_rows = int(r["n"])
    return list(found.values())


__all__ = [
    "CATALOG_TAG",
    "Table",
    "mysql_readable",
    "mysql_tables",
    "pg_candidates",
    "pg_table",
    "pg_tables",
    "sqlite_tables",
]
