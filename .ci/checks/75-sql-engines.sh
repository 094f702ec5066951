#!/usr/bin/env bash
# `metrics --emit-sql` computes what the native report computes, on real engines: DuckDB and
# Apache Spark (local mode) from PyPI, and the distribution's PostgreSQL server, started here in
# a temporary data folder and stopped at the end. BigQuery and Snowflake scripts are parsed with
# sqlglot (no live account). See .ci/checks/sql_engines.py for the cases compared.
set -euo pipefail

cargo build --quiet --locked
bin="$PWD/target/debug/stagebook"
work=$(mktemp -d)
chmod 755 "$work"

python3 -m pip install --quiet --disable-pip-version-check duckdb==2.0.1 sqlglot==30.31.0 pyspark==4.0.1

# PostgreSQL: initdb refuses root, so the server runs as the `postgres` user the package made.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_postgres=()
if [ "$(id -u)" = 0 ]; then
  as_postgres=(runuser -u postgres --)
fi
pg_data="$work/pg"
mkdir -p "$pg_data"
[ "$(id -u)" = 0 ] && chown postgres "$pg_data" "$work"
"${as_postgres[@]}" "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust >/dev/null
"${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -o "-k $work -p 54329 -c listen_addresses=''" -w start >/dev/null
trap '"${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null || true; rm -rf "$work"' EXIT

SPARK_LOCAL_IP=127.0.0.1 PG_HOST="$work" PG_PORT=54329 PG_USER=postgres python3 .ci/checks/sql_engines.py "$bin" "$work/cases"
