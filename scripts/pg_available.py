"""Exit 0 when the PostgreSQL server of the given URL answers within two seconds (used by `make test`).

With `--create`, also create the URL's database when it is missing (used by `make bench`).
"""

import sys

import psycopg
from psycopg import sql

url = sys.argv[1]
server, name = url.rsplit("/", 1)
try:
    # Connect to the server's maintenance database: the test database is created by the suite.
    with psycopg.connect(server + "/postgres", connect_timeout=2, autocommit=True) as connection:
        if "--create" in sys.argv[2:]:
            name = name.split("?", 1)[0]
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
except psycopg.Error:
    sys.exit(1)
