#!/usr/bin/env python3
"""Times the script `stagebook metrics --emit-sql` writes, on DuckDB or Spark (local mode), on a
history generated inside the engine, and optionally the native run on the same rows.

    python3 benches/sql_scale.py duckdb 10000000            # the script on DuckDB
    python3 benches/sql_scale.py spark 10000000             # on Spark, local[*]
    python3 benches/sql_scale.py duckdb 10000000 --native   # also export the rows as CSV
                                                            # and time `stagebook metrics`

Prints one line per run: rows, engine, wall seconds of the query (generation excluded), and
peak memory: of this process (DuckDB runs in it, with the generated table) from getrusage; of
the Spark JVM from /proc (VmHWM); of `stagebook metrics` from /usr/bin/time.
The history: `rows / 4` deals of the B2B SaaS process of tests/fixtures/metrics/saas.yaml over
two years, 1 to 8 changes each (skips, moves back, losses and wins), in pseudo-random order,
made with the engine's own functions. Needs a release build (cargo build --release).
"""

import os
import resource
import subprocess
import sys
import time

ENGINE, ROWS = sys.argv[1], int(sys.argv[2])
NATIVE = "--native" in sys.argv
BINARY = "target/release/stagebook"
PLAYBOOK = "tests/fixtures/metrics/saas.yaml"
RANGE = ["--from", "2023-01-01", "--to", "2024-12-31", "--period", "month"]
DATA = os.environ.get("BENCH_DATA", "/tmp/stagebook-bench")

# One expression per engine for each column of the generated history; `i` is the row number.
# A deal is 4 consecutive rows; its k-th row is a stage a little further along the process (or
# back, or closed), entered a few days after the one before.
STAGES = "['prospecting', 'discovery', 'demo', 'business-case', 'proposal', 'negotiation', 'won', 'lost']"
DUCKDB = f"""
CREATE TABLE stage_history AS
SELECT 'D' || CAST(i // 4 AS VARCHAR) AS deal_id,
       {STAGES}[1 + CAST(least(7, greatest(0, (i % 4) * 2 - 1 + CAST(hash(i) % 3 AS BIGINT))) AS INTEGER)] AS stage,
       TIMESTAMPTZ '2023-01-01 00:00:00+00'
         + to_seconds(CAST(hash(i // 4) % (700 * 86400) AS BIGINT))
         + to_seconds(CAST((i % 4) * 86400 * 6 + hash(i * 7) % 86400 AS BIGINT)) AS entered_at
FROM range({ROWS}) AS t(i)
"""
SPARK = f"""
SELECT concat('D', CAST(floor(id / 4) AS STRING)) AS deal_id,
       element_at(array({STAGES[1:-1]}), CAST(1 + least(7, greatest(0, (id % 4) * 2 - 1 + pmod(xxhash64(id), 3))) AS INT)) AS stage,
       timestamp_seconds(1672531200 + pmod(xxhash64(floor(id / 4)), 700 * 86400)
                         + (id % 4) * 86400 * 6 + pmod(xxhash64(id * 7), 86400)) AS entered_at
FROM range({ROWS})
"""


def descendants_peak_mib():
    """The largest peak resident size (VmHWM) among this process's descendants now running:
    the Spark JVM, which outlives `spark.stop()` until Python exits."""
    parents = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                parents[int(pid)] = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            pass
    me, best = os.getpid(), 0
    for pid in parents:
        up = pid
        while up in parents and up not in (0, 1, me):
            up = parents[up]
        if up == me and pid != me:
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            best = max(best, int(line.split()[1]))
            except OSError:
                pass
    return best // 1024


def peak_mib():
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) // 1024


def script(engine):
    return subprocess.run(
        [BINARY, "metrics", PLAYBOOK, "--emit-sql", engine] + RANGE,
        check=True, capture_output=True, text=True).stdout


def duckdb_run():
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(DUCKDB)
    started = time.perf_counter()
    rows = con.execute(script("duckdb")).fetchall()
    took = time.perf_counter() - started
    print(f"{ROWS:>11,} rows  duckdb {duckdb.__version__:<8} {took:7.2f} s  peak {peak_mib():6} MiB  ({len(rows)} report rows)")
    if NATIVE:
        os.makedirs(DATA, exist_ok=True)
        csv = os.path.join(DATA, f"sql-scale-{ROWS}.csv")
        if not os.path.exists(csv):
            con.execute(f"COPY (SELECT deal_id, stage, strftime(entered_at, '%Y-%m-%dT%H:%M:%SZ') AS entered_at "
                        f"FROM stage_history) TO '{csv}' (HEADER)")
        con.close()
        # Timed in a fresh process: a child forked from this one would count its pages.
        report = os.path.join(DATA, "native.time")
        started = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-o", report, "-f", "%M", BINARY, "metrics", PLAYBOOK,
                        "--history", csv, "--format", "csv", "--out", os.path.join(DATA, "native.csv")]
                       + RANGE, check=True)
        took = time.perf_counter() - started
        usage = int(open(report).read().split()[-1]) // 1024
        print(f"{ROWS:>11,} rows  native            {took:7.2f} s  peak {usage:6} MiB  (stagebook metrics on the same rows as CSV)")


def spark_run():
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[*]").appName("stagebook-scale")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.memory", os.environ.get("SPARK_DRIVER_MEMORY", "8g"))
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    spark.sql(SPARK).cache().createOrReplaceTempView("stage_history")
    spark.sql("SELECT count(*) FROM stage_history").collect()  # generated and cached
    started = time.perf_counter()
    rows = spark.sql(script("spark").strip().rstrip(";")).collect()
    took = time.perf_counter() - started
    jvm = descendants_peak_mib()
    spark.stop()
    print(f"{ROWS:>11,} rows  spark {spark.version:<9} {took:7.2f} s  peak {jvm:6} MiB  ({len(rows)} report rows; the JVM's peak)")


{"duckdb": duckdb_run, "spark": spark_run}[ENGINE]()
