-- The core of `stagebook metrics tests/fixtures/metrics/saas.yaml --period month` in SQL, for
-- the DuckDB comparison in benches/metrics.sh: per month and open stage, deals at the start,
-- entered, advanced, lost, moved back, remaining, and mean / median days in stage for visits
-- that ended in the month. Same definitions as src/metrics/report.rs (exact duplicate rows
-- counted once; ties in time ordered by playbook stage order). `{history}` and `{out}` are
-- filled in by benches/run_duckdb.py.
SET TimeZone = 'UTC';

CREATE TEMP TABLE stages AS
SELECT * FROM (VALUES
    ('prospecting', 0, 'open'), ('discovery', 1, 'open'), ('demo', 2, 'open'),
    ('business-case', 3, 'open'), ('proposal', 4, 'open'), ('negotiation', 5, 'open'),
    ('won', 6, 'won'), ('lost', 7, 'lost')
) AS t(stage, ord, kind);

CREATE TEMP TABLE events AS
SELECT DISTINCT h.deal_id, s.ord, epoch(CAST(h.entered_at AS TIMESTAMPTZ))::BIGINT AS ts
FROM read_csv('{history}', header = true,
              columns = {'deal_id': 'VARCHAR', 'stage': 'VARCHAR', 'entered_at': 'VARCHAR'}) AS h
JOIN stages AS s USING (stage);

CREATE TEMP TABLE visits AS
SELECT deal_id, ord, ts AS enter,
       LEAD(ts) OVER w AS exit_at,
       LEAD(ord) OVER w AS next_ord
FROM events
WINDOW w AS (PARTITION BY deal_id ORDER BY ts, ord);

CREATE TEMP TABLE months AS
SELECT strftime(m, '%Y-%m') AS label,
       epoch(m)::BIGINT AS m_start,
       epoch(m + INTERVAL 1 MONTH)::BIGINT AS m_end
FROM range(
    (SELECT date_trunc('month', to_timestamp(min(ts))) FROM events),
    (SELECT to_timestamp(max(ts)) FROM events),
    INTERVAL 1 MONTH
) AS t(m);

COPY (
    SELECT m.label AS period, s.stage,
        count(*) FILTER (WHERE v.enter < m.m_start) AS at_start,
        count(*) FILTER (WHERE v.enter >= m.m_start) AS entered,
        count(*) FILTER (WHERE v.exit_at < m.m_end AND n.kind <> 'lost' AND v.next_ord > v.ord) AS advanced,
        count(*) FILTER (WHERE v.exit_at < m.m_end AND n.kind = 'lost') AS lost,
        count(*) FILTER (WHERE v.exit_at < m.m_end AND n.kind <> 'lost' AND v.next_ord < v.ord) AS moved_back,
        count(*) FILTER (WHERE v.exit_at IS NULL OR v.exit_at >= m.m_end) AS remaining,
        round(avg(v.exit_at - v.enter) FILTER (WHERE v.exit_at < m.m_end) / 86400, 2) AS mean_days,
        round(median(v.exit_at - v.enter) FILTER (WHERE v.exit_at < m.m_end) / 86400, 2) AS median_days
    FROM visits AS v
    JOIN months AS m
      ON v.enter < m.m_end AND coalesce(v.exit_at, 9223372036854775807) >= m.m_start
    JOIN stages AS s ON s.ord = v.ord
    LEFT JOIN stages AS n ON n.ord = v.next_ord
    WHERE s.kind = 'open'
    GROUP BY ALL
    ORDER BY period, any_value(s.ord)
) TO '{out}' (HEADER);
