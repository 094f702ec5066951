-- stagebook 0.1.0: the metrics of playbook `sql-edge` (Edge cases for the SQL check) for duckdb, as `stagebook metrics --format csv`
-- gives them: one row per period and open stage, then the whole range as period `*`.
-- Made with: stagebook metrics tests/data/metrics/sql/edge.yaml --emit-sql duckdb --from 2024-01-01 --to 2024-06-30 --period month --tz Europe/Berlin --table crm.stage_history
-- Reads crm.stage_history (columns deal_id, stage, entered_at: entered_at an instant, a timestamp with time zone).
WITH
stage_names AS (
    SELECT CAST('Demo' AS VARCHAR) AS name, CAST(2 AS INTEGER) AS ord
    UNION ALL SELECT 'Lead', 0
    UNION ALL SELECT 'Lead In', 0
    UNION ALL SELECT 'Lost', 5
    UNION ALL SELECT 'New  Lead', 0
    UNION ALL SELECT 'Proposal', 3
    UNION ALL SELECT 'Qualify', 1
    UNION ALL SELECT 'Won', 4
    UNION ALL SELECT 'demo', 2
    UNION ALL SELECT 'lead', 0
    UNION ALL SELECT 'lead in', 0
    UNION ALL SELECT 'lost', 5
    UNION ALL SELECT 'new lead', 0
    UNION ALL SELECT 'proposal', 3
    UNION ALL SELECT 'qualify', 1
    UNION ALL SELECT 'won', 4
),
stages AS (
    SELECT CAST(0 AS INTEGER) AS ord, CAST('lead' AS VARCHAR) AS stage_id, CAST('open' AS VARCHAR) AS kind, CAST(172800 AS BIGINT) AS budget
    UNION ALL SELECT 1, 'qualify', 'open', 129600
    UNION ALL SELECT 2, 'demo', 'open', NULL
    UNION ALL SELECT 3, 'proposal', 'open', 604800
    UNION ALL SELECT 4, 'won', 'won', NULL
    UNION ALL SELECT 5, 'lost', 'lost', NULL
),
moves AS (
    SELECT CAST(0 AS INTEGER) AS from_ord, CAST(0 AS INTEGER) AS to_ord, CAST('forward' AS VARCHAR) AS kind
    UNION ALL SELECT 0, 1, 'forward'
    UNION ALL SELECT 0, 2, 'skip'
    UNION ALL SELECT 0, 3, 'skip'
    UNION ALL SELECT 0, 4, 'skip'
    UNION ALL SELECT 0, 5, 'lost'
    UNION ALL SELECT 1, 0, 'recycle'
    UNION ALL SELECT 1, 1, 'forward'
    UNION ALL SELECT 1, 2, 'forward'
    UNION ALL SELECT 1, 3, 'skip'
    UNION ALL SELECT 1, 4, 'skip'
    UNION ALL SELECT 1, 5, 'lost'
    UNION ALL SELECT 2, 0, 'back'
    UNION ALL SELECT 2, 1, 'back'
    UNION ALL SELECT 2, 2, 'forward'
    UNION ALL SELECT 2, 3, 'forward'
    UNION ALL SELECT 2, 4, 'skip'
    UNION ALL SELECT 2, 5, 'lost'
    UNION ALL SELECT 3, 0, 'back'
    UNION ALL SELECT 3, 1, 'back'
    UNION ALL SELECT 3, 2, 'back'
    UNION ALL SELECT 3, 3, 'forward'
    UNION ALL SELECT 3, 4, 'forward'
    UNION ALL SELECT 3, 5, 'lost'
),
jumps AS (
    SELECT CAST(0 AS INTEGER) AS from_ord, CAST(2 AS INTEGER) AS to_ord, CAST(1 AS INTEGER) AS jumped
    UNION ALL SELECT 0, 3, 1
    UNION ALL SELECT 0, 3, 2
    UNION ALL SELECT 0, 4, 1
    UNION ALL SELECT 0, 4, 2
    UNION ALL SELECT 0, 4, 3
    UNION ALL SELECT 1, 3, 2
    UNION ALL SELECT 1, 4, 2
    UNION ALL SELECT 1, 4, 3
    UNION ALL SELECT 2, 4, 3
),
periods AS (
    SELECT CAST(0 AS INTEGER) AS p, CAST('2024-01' AS VARCHAR) AS label, CAST('2024-01-01' AS VARCHAR) AS first_day, CAST('2024-01-31' AS VARCHAR) AS last_day, CAST(1704063600 AS BIGINT) AS p_start, CAST(1706742000 AS BIGINT) AS p_end
    UNION ALL SELECT 1, '2024-02', '2024-02-01', '2024-02-29', 1706742000, 1709247600
    UNION ALL SELECT 2, '2024-03', '2024-03-01', '2024-03-31', 1709247600, 1711922400
    UNION ALL SELECT 3, '2024-04', '2024-04-01', '2024-04-30', 1711922400, 1714514400
    UNION ALL SELECT 4, '2024-05', '2024-05-01', '2024-05-31', 1714514400, 1717192800
    UNION ALL SELECT 5, '2024-06', '2024-06-01', '2024-06-30', 1717192800, 1719784800
    UNION ALL SELECT 6, '*', '2024-01-01', '2024-06-30', 1704063600, 1719784800
),
seen AS (
    SELECT DISTINCT h.stage AS stage FROM crm.stage_history AS h
),
mapped AS (
    -- Each stage name the history holds, looked up once: as written, then normalised.
    SELECT h.stage, COALESCE(n.ord, k.ord) AS ord
    FROM seen AS h
    LEFT JOIN stage_names AS n ON n.name = h.stage
    LEFT JOIN stage_names AS k ON k.name = lower(trim(regexp_replace(h.stage, '\s+', ' ', 'g')))
),
raw AS (
    SELECT CAST(h.deal_id AS VARCHAR) AS deal, m.ord, CAST(floor(epoch(h.entered_at)) AS BIGINT) AS ts
    FROM crm.stage_history AS h
    JOIN mapped AS m ON m.stage = h.stage
),
events AS (
    SELECT DISTINCT deal, ord, ts FROM raw
    WHERE deal IS NOT NULL AND ord IS NOT NULL AND ts IS NOT NULL
),
ordered AS (
    SELECT deal, ord, ts, LAG(ord) OVER (PARTITION BY deal ORDER BY ts, ord) AS prev_ord
    FROM events
),
kept AS (
    SELECT deal, ord, ts FROM ordered WHERE prev_ord IS NULL OR prev_ord <> ord
),
visits AS (
    SELECT deal, ord, ts AS enter_at,
        LEAD(ts) OVER (PARTITION BY deal ORDER BY ts, ord) AS exit_at,
        LEAD(ord) OVER (PARTITION BY deal ORDER BY ts, ord) AS next_ord
    FROM kept
),
observed AS (
    SELECT (SELECT MAX(ts) + 1 FROM events) AS observed
),
bounds AS (
    SELECT p.p, p.label, p.first_day, p.last_day, p.p_start, p.p_end,
        CASE WHEN p.p_end < o.observed THEN p.p_end ELSE o.observed END AS as_of,
        o.observed
    FROM periods AS p CROSS JOIN observed AS o
),
reach AS (
    -- The earliest exit a visit may have to count in the period: its start, or its as-of
    -- instant when earlier (stalls). Two plain comparisons, so engines join by range.
    SELECT b.*, CASE WHEN b.as_of < b.p_start THEN b.as_of ELSE b.p_start END AS lo
    FROM bounds AS b
),
open_visits AS MATERIALIZED (
    SELECT v.deal, v.ord, v.enter_at, v.exit_at, v.next_ord, s.budget, m.kind AS move,
        COALESCE(v.exit_at, 9223372036854775807) AS until_at
    FROM visits AS v
    JOIN stages AS s ON s.ord = v.ord AND s.kind = 'open'
    LEFT JOIN moves AS m ON m.from_ord = v.ord AND m.to_ord = v.next_ord
),
counted AS (
    -- What a visit counts for in a period by being in the stage then: at its start, entering,
    -- at its end, the cohort that entered, stalled at the as-of instant.
    SELECT b.p, v.ord,
        SUM(CASE WHEN v.enter_at < b.p_start AND b.p_start <= v.until_at THEN 1 ELSE 0 END) AS at_start,
        SUM(CASE WHEN v.enter_at >= b.p_start AND v.enter_at < b.p_end THEN 1 ELSE 0 END) AS entered,
        SUM(CASE WHEN b.p_end <= v.until_at THEN 1 ELSE 0 END) AS remaining,
        SUM(CASE WHEN v.enter_at >= b.p_start AND v.enter_at < b.p_end AND v.exit_at < b.observed AND v.move IN ('forward', 'skip') THEN 1 ELSE 0 END) AS cohort_advanced,
        SUM(CASE WHEN v.enter_at >= b.p_start AND v.enter_at < b.p_end AND v.exit_at < b.observed AND v.move = 'lost' THEN 1 ELSE 0 END) AS cohort_lost,
        SUM(CASE WHEN v.enter_at >= b.p_start AND v.enter_at < b.p_end AND v.exit_at < b.observed AND v.move IN ('recycle', 'back') THEN 1 ELSE 0 END) AS cohort_moved_back,
        SUM(CASE WHEN v.enter_at + v.budget < b.as_of AND b.as_of <= v.until_at THEN 1 ELSE 0 END) AS stalled
    FROM reach AS b
    JOIN open_visits AS v ON v.enter_at < b.p_end AND v.until_at >= b.lo
    GROUP BY b.p, v.ord
),
ends AS MATERIALIZED (
    -- The visits that ended in a period, with where they went.
    SELECT b.p, v.ord, v.next_ord, v.move, v.exit_at - v.enter_at AS spent, v.budget
    FROM bounds AS b
    JOIN open_visits AS v ON v.exit_at >= b.p_start AND v.exit_at < b.p_end
),
ended AS (
    SELECT p, ord,
        SUM(CASE WHEN move IN ('forward', 'skip') THEN 1 ELSE 0 END) AS advanced,
        SUM(CASE WHEN move = 'lost' THEN 1 ELSE 0 END) AS lost,
        SUM(CASE WHEN move IN ('recycle', 'back') THEN 1 ELSE 0 END) AS moved_back,
        SUM(CASE WHEN move = 'skip' THEN 1 ELSE 0 END) AS skips_from,
        SUM(CASE WHEN move = 'back' THEN 1 ELSE 0 END) AS backward_moves,
        COUNT(*) AS visits,
        AVG(spent) AS mean_secs,
        SUM(CASE WHEN spent > budget THEN 1 ELSE 0 END) AS over_budget
    FROM ends
    GROUP BY p, ord
),
medians AS (
    SELECT p, ord, MEDIAN(spent) AS median_secs FROM ends GROUP BY p, ord
),
jumped AS (
    SELECT e.p, j.jumped AS ord, COUNT(*) AS skipped
    FROM ends AS e
    JOIN jumps AS j ON j.from_ord = e.ord AND j.to_ord = e.next_ord
    WHERE e.move = 'skip'
    GROUP BY e.p, j.jumped
),
numbers AS (
    SELECT b.p, s.ord, b.label, b.first_day, b.last_day, s.stage_id, s.budget,
        COALESCE(c.at_start, 0) AS at_start,
        COALESCE(c.entered, 0) AS entered,
        COALESCE(e.advanced, 0) AS advanced,
        COALESCE(e.lost, 0) AS lost,
        COALESCE(e.moved_back, 0) AS moved_back,
        COALESCE(c.remaining, 0) AS remaining,
        COALESCE(c.cohort_advanced, 0) AS cohort_advanced,
        COALESCE(c.cohort_lost, 0) AS cohort_lost,
        COALESCE(c.cohort_moved_back, 0) AS cohort_moved_back,
        COALESCE(e.visits, 0) AS visits,
        e.mean_secs,
        m.median_secs,
        CASE WHEN s.budget IS NULL THEN NULL ELSE COALESCE(e.over_budget, 0) END AS over_budget,
        COALESCE(c.stalled, 0) AS stalled,
        COALESCE(e.skips_from, 0) AS skips_from,
        COALESCE(j.skipped, 0) AS skipped,
        COALESCE(e.backward_moves, 0) AS backward_moves
    FROM bounds AS b
    CROSS JOIN stages AS s
    LEFT JOIN counted AS c ON c.p = b.p AND c.ord = s.ord
    LEFT JOIN ended AS e ON e.p = b.p AND e.ord = s.ord
    LEFT JOIN medians AS m ON m.p = b.p AND m.ord = s.ord
    LEFT JOIN jumped AS j ON j.p = b.p AND j.ord = s.ord
    WHERE s.kind = 'open'
)
SELECT
    label AS "period",
    first_day AS "from",
    last_day AS "to",
    stage_id AS "stage",
    at_start AS "at_start",
    entered AS "entered",
    advanced AS "advanced",
    lost AS "lost",
    moved_back AS "moved_back",
    remaining AS "remaining",
    CASE WHEN (advanced + lost + moved_back) > 0 THEN ROUND(CAST(advanced AS DOUBLE) / (advanced + lost + moved_back), 4) END AS "conversion",
    CASE WHEN (advanced + lost + moved_back) > 0 THEN ROUND(CAST(lost AS DOUBLE) / (advanced + lost + moved_back), 4) END AS "loss_rate",
    CASE WHEN (at_start + entered) > 0 THEN ROUND(CAST(remaining AS DOUBLE) / (at_start + entered), 4) END AS "still_open_share",
    cohort_advanced AS "cohort_advanced",
    cohort_lost AS "cohort_lost",
    cohort_moved_back AS "cohort_moved_back",
    entered - cohort_advanced - cohort_lost - cohort_moved_back AS "cohort_still_open",
    CASE WHEN (entered) > 0 THEN ROUND(CAST(cohort_advanced AS DOUBLE) / (entered), 4) END AS "cohort_conversion",
    visits AS "visits",
    ROUND(CAST(median_secs AS DOUBLE) / 86400, 2) AS "median_days",
    ROUND(CAST(mean_secs AS DOUBLE) / 86400, 2) AS "mean_days",
    ROUND(CAST(budget AS DOUBLE) / 86400, 2) AS "expected_days",
    over_budget AS "over_budget",
    CASE WHEN (visits) > 0 THEN ROUND(CAST(over_budget AS DOUBLE) / (visits), 4) END AS "over_budget_share",
    stalled AS "stalled",
    skips_from AS "skips_from",
    skipped AS "skipped",
    backward_moves AS "backward_moves"
FROM numbers
ORDER BY p, ord;
