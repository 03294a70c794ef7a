"""The test servers themselves start, check passwords and answer on loopback."""

from __future__ import annotations

import psycopg
import pymysql
import pytest


def test_postgres_checks_passwords(postgres):
    with psycopg.connect(postgres.dsn()) as conn:
        assert conn.execute("select 1").fetchone() == (1,)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(postgres.dsn(password="wrong"))


def test_mariadb_checks_passwords(mariadb):
    conn = pymysql.connect(host=mariadb.host, port=mariadb.port, user="root", password=mariadb.password)
    with conn.cursor() as cur:
        cur.execute("select 1")
        assert cur.fetchone() == (1,)
    conn.close()
    with pytest.raises(pymysql.err.OperationalError, match="Access denied"):
        pymysql.connect(host=mariadb.host, port=mariadb.port, user="root", password="wrong")
