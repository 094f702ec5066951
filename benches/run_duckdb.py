#!/usr/bin/env python3
"""Runs benches/metrics.sql on a history file with DuckDB: run_duckdb.py HISTORY OUT.csv"""
import pathlib
import sys

import duckdb

history, out = sys.argv[1], sys.argv[2]
sql = (pathlib.Path(__file__).parent / "metrics.sql").read_text()
sql = sql.replace("{history}", history.replace("'", "''")).replace("{out}", out.replace("'", "''"))
duckdb.connect().execute(sql)
