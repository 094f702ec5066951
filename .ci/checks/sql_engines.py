#!/usr/bin/env python3
"""`metrics --emit-sql` equals the native report, on real engines.

For each case (a playbook, a history, the report's options), runs `stagebook metrics --format
csv` on the history file, loads the same history into DuckDB, PostgreSQL and Spark (local mode)
as a table of instants, runs the script `--emit-sql` writes for each, and compares every cell
with the native CSV: text and counts exactly, ratios and days as numbers (the engines print
`0.5000` or `0.5` for the native `0.5`). The BigQuery and Snowflake scripts are parsed with
sqlglot in their dialects (no live account here).

Usage: sql_engines.py BINARY WORKDIR [ENGINE...]   (engines: duckdb postgres spark; default all)
Environment: PG_HOST / PG_PORT / PG_USER for a running PostgreSQL (started by the shell check).
"""

import csv
import datetime as dt
import os
import random
import subprocess
import sys

BINARY, WORK = sys.argv[1], sys.argv[2]
ENGINES = sys.argv[3:] or ["duckdb", "postgres", "spark"]
EDGE = "tests/data/metrics/sql/edge.yaml"


def parse_time(text):
    """An instant as the history writes it (`2024-03-21T08:07:11.000+0000`, `…Z`)."""
    text = text.strip().replace("Z", "+0000")
    for pattern in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return dt.datetime.strptime(text, pattern).astimezone(dt.timezone.utc)
        except ValueError:
            pass
    raise ValueError(f"unreadable time {text!r}")


def edge_history(path, seed, deals):
    """A history with what the SQL must get right: exact duplicate rows, ties in time, a
    repeated stage, skips, moves back and recycles, CRM names in other case and spacing, an
    unknown stage, changes on the instants of daylight-saving changes and of local midnights
    (Europe/Berlin, America/New_York), deals still open at the end."""
    rng = random.Random(seed)
    names = {
        "lead": ["Lead In", "lead in", "  Lead   In ", "New  Lead", "lead"],
        "qualify": ["qualify", "Qualify", "QUALIFY"],
        "demo": ["Demo", "demo"],
        "proposal": ["Proposal", "proposal "],
        "won": ["Won"],
        "lost": ["Lost", "lost"],
    }
    order = ["lead", "qualify", "demo", "proposal"]
    # Instants the periods turn on: DST changes and local midnights around them.
    special = [
        dt.datetime(2024, 3, 31, 1, 0, tzinfo=dt.timezone.utc),
        dt.datetime(2024, 3, 30, 23, 0, tzinfo=dt.timezone.utc),
        dt.datetime(2024, 3, 31, 22, 0, tzinfo=dt.timezone.utc),
        dt.datetime(2024, 10, 27, 1, 0, tzinfo=dt.timezone.utc),
        dt.datetime(2024, 10, 26, 22, 0, tzinfo=dt.timezone.utc),
        dt.datetime(2024, 10, 27, 23, 0, tzinfo=dt.timezone.utc),
        dt.datetime(2024, 3, 10, 7, 0, tzinfo=dt.timezone.utc),
        dt.datetime(2024, 11, 3, 6, 0, tzinfo=dt.timezone.utc),
        dt.datetime(2024, 4, 1, 4, 0, tzinfo=dt.timezone.utc),
        dt.datetime(2024, 7, 1, 0, 0, tzinfo=dt.timezone.utc),
    ]
    start = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    rows = []
    for d in range(deals):
        deal = f"D{d:05d}"
        at = start + dt.timedelta(seconds=rng.randrange(0, 330 * 86400))
        if rng.random() < 0.15:
            at = rng.choice(special) + dt.timedelta(seconds=rng.choice([-1, 0, 0, 1]))
        i = 0
        steps = rng.randrange(1, 7)
        for _ in range(steps):
            stage = order[i]
            rows.append((deal, rng.choice(names[stage]), at))
            if rng.random() < 0.05:
                rows.append((deal, rows[-1][1], at))  # an exact duplicate
            if rng.random() < 0.05:
                rows.append((deal, stage, at + dt.timedelta(hours=1)))  # the stage repeated
            gap = dt.timedelta(seconds=rng.choice([0, 0, 1, 3600, 86400, 2 * 86400, 36 * 3600 + 1])
                               + rng.randrange(0, 9 * 86400))
            if rng.random() < 0.1:
                gap = dt.timedelta(0)  # a tie: two stages at one instant
            at = at + gap
            move = rng.random()
            if move < 0.12 and i > 0:
                i = rng.randrange(0, i)  # back (or recycle from qualify to lead)
            elif move < 0.25 and i + 2 < len(order):
                i += 2  # a skip
            elif move < 0.35:
                rows.append((deal, rng.choice(names["lost"]), at))
                break
            elif i + 1 < len(order):
                i += 1
            else:
                rows.append((deal, "Won", at))
                break
        if rng.random() < 0.02:
            rows.append((deal, "Discovery Call", at))  # not a playbook stage
    rng.shuffle(rows)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["deal_id", "stage", "entered_at"])
        for deal, stage, at in rows:
            w.writerow([deal, stage, at.strftime("%Y-%m-%dT%H:%M:%SZ")])


def utc_copy(source, target):
    """The history with its times as UTC `YYYY-MM-DD HH:MM:SS`, what every engine loads."""
    with open(source, newline="") as f, open(target, "w", newline="") as g:
        r, w = csv.reader(f), csv.writer(g)
        w.writerow(next(r))
        for deal, stage, at in r:
            w.writerow([deal, stage, parse_time(at).strftime("%Y-%m-%d %H:%M:%S")])


def run(args, **kw):
    done = subprocess.run(args, capture_output=True, text=True, **kw)
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(args)}\n{done.stdout}\n{done.stderr}")
    return done.stdout


def same(a, b):
    if a == b:
        return True
    if a == "" or b == "":
        return False
    try:
        return abs(float(a) - float(b)) < 1e-9
    except ValueError:
        return False


def compare(name, native_csv, rows):
    native = list(csv.reader(native_csv.splitlines()))
    header, body = native[0], native[1:]
    if rows[0] != header:
        return [f"{name}: columns {rows[0]} != {header}"]
    problems = []
    if len(rows) - 1 != len(body):
        problems.append(f"{name}: {len(rows) - 1} rows, native {len(body)}")
    for i, (n, s) in enumerate(zip(body, rows[1:])):
        for column, a, b in zip(header, n, s):
            if not same(a, b):
                problems.append(f"{name}: row {i + 1} ({n[0]} {n[3]}) {column}: native {a!r}, SQL {b!r}")
    return problems


def cell(value):
    if value is None:
        return ""
    return str(value)


def duckdb_rows(script, history):
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        "CREATE TABLE stage_history AS SELECT deal_id, stage, CAST(entered_at || '+00' AS TIMESTAMPTZ) AS entered_at "
        f"FROM read_csv('{history}', header = true, all_varchar = true)"
    )
    result = con.execute(script)
    columns = [d[0] for d in result.description]
    return [columns] + [[cell(v) for v in row] for row in result.fetchall()]


def postgres_rows(script, history):
    base = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", os.environ["PG_HOST"], "-p",
            os.environ["PG_PORT"], "-U", os.environ.get("PG_USER", "postgres"), "-d", "postgres"]
    run(base + ["-c", "DROP TABLE IF EXISTS stage_history; CREATE TABLE stage_history "
                "(deal_id text, stage text, entered_at timestamptz)"])
    run(base + ["-c", f"\\copy stage_history FROM '{history}' WITH (FORMAT csv, HEADER true)"],
        env={**os.environ, "PGTZ": "UTC"})
    path = os.path.join(WORK, "script.sql")
    with open(path, "w") as f:
        f.write(script)
    out = run(base + ["--csv", "-f", path], env={**os.environ, "PGTZ": "UTC"})
    return list(csv.reader(out.splitlines()))


SPARK = None


def spark_rows(script, history):
    global SPARK
    if SPARK is None:
        from pyspark.sql import SparkSession

        SPARK = (SparkSession.builder.master("local[2]").appName("stagebook-sql-check")
                 .config("spark.sql.session.timeZone", "UTC")
                 .config("spark.ui.enabled", "false")
                 .config("spark.ui.showConsoleProgress", "false")
                 .config("spark.sql.shuffle.partitions", "4")
                 .getOrCreate())
        SPARK.sparkContext.setLogLevel("ERROR")
    frame = (SPARK.read.option("header", True).schema("deal_id STRING, stage STRING, entered_at TIMESTAMP")
             .csv(history))
    frame.createOrReplaceTempView("stage_history")
    result = SPARK.sql(script.strip().rstrip(";"))
    columns = result.columns
    return [columns] + [[cell(v) for v in row] for row in result.collect()]


RUNNERS = {"duckdb": duckdb_rows, "postgres": postgres_rows, "spark": spark_rows}


def main():
    os.makedirs(WORK, exist_ok=True)
    edge = os.path.join(WORK, "edge.csv")
    edge_history(edge, seed=20241204, deals=3000)
    cases = [
        ("example, months, UTC", "playbooks/midmarket-saas.yaml", "examples/history.csv",
         ["--from", "2023-01-01", "--to", "2024-12-31", "--period", "month"]),
        ("edge, weeks, Europe/Berlin", EDGE, edge,
         ["--from", "2024-01-01", "--to", "2024-12-31", "--period", "week", "--tz", "Europe/Berlin"]),
        ("edge, months, Berlin, as of 2024-09-15", EDGE, edge,
         ["--from", "2024-02-15", "--to", "2024-10-31", "--period", "month", "--tz", "Europe/Berlin",
          "--as-of", "2024-09-15 12:00"]),
        ("edge, quarters, America/New_York", EDGE, edge,
         ["--from", "2024-01-01", "--to", "2025-03-31", "--period", "quarter", "--tz", "America/New_York"]),
        ("edge, one period, UTC", EDGE, edge, ["--from", "2024-03-01", "--to", "2024-11-30"]),
        ("side stage, weeks", "tests/data/metrics/side/playbook.yaml", "tests/data/metrics/side/history.csv",
         ["--from", "2026-01-01", "--to", "2026-01-31", "--period", "week"]),
    ]
    problems = []
    checked = 0
    for name, playbook, history, options in cases:
        native = run([BINARY, "metrics", playbook, "--history", history, "--format", "csv"] + options)
        loaded = os.path.join(WORK, "loaded.csv")
        utc_copy(history, loaded)
        for engine in ENGINES:
            script = run([BINARY, "metrics", playbook, "--emit-sql", engine] + options)
            rows = RUNNERS[engine](script, os.path.abspath(loaded))
            found = compare(f"{name} on {engine}", native, rows)
            problems += found
            checked += len(rows) - 1
            print(f"{name} on {engine}: {len(rows) - 1} rows, {len(found)} differences")
        import sqlglot

        for dialect in ["bigquery", "snowflake"]:
            script = run([BINARY, "metrics", playbook, "--emit-sql", dialect] + options)
            parsed = sqlglot.parse(script, read=dialect)
            if not parsed or any(p is None for p in parsed):
                problems.append(f"{name}: sqlglot read no statement from the {dialect} script")
            print(f"{name}: the {dialect} script parses with sqlglot {sqlglot.__version__}")
    for problem in problems[:40]:
        print(problem, file=sys.stderr)
    if problems:
        sys.exit(f"{len(problems)} cells differ from the native report")
    print(f"sql: {checked} rows of {len(ENGINES)} engines equal the native report")


main()
