"""Exit 0 when the PostgreSQL server of the given URL answers within two seconds (used by `make test`)."""

import sys

import psycopg

url = sys.argv[1]
try:
    # Connect to the server's maintenance database: the test database is created by the suite.
    psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=2).close()
except psycopg.Error:
    sys.exit(1)
