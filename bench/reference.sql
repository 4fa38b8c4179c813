-- Reference work for the report benchmark (bench/run.sh): the closest plain-SQL
-- GROUP BY equivalents of leadflow's funnel, mql, sql, velocity and speed reports,
-- run by the sqlite3 shell over the same store. They are a lower bound on the work:
-- months are UTC (not the workspace zone), response times are calendar (not the
-- business clock), and medians/p90 are replaced by averages, which SQL computes
-- cheaply. :asof is a date 'YYYY-MM-DD' set by the harness; the range is the 12
-- months before it. Timestamps in the store are microseconds since the epoch.
.mode list
.output /dev/null
CREATE TEMP TABLE p AS SELECT
  unixepoch(:asof) * 1000000 AS asof,
  unixepoch(:asof, 'start of month', '-11 months') * 1000000 AS lo,
  unixepoch(:asof, 'start of month', '+1 month') * 1000000 AS hi;

-- funnel: balance at as-of, entries and exits in range, median-free time in stage
WITH last AS (SELECT lead, max(n) AS n FROM transitions, p WHERE ts <= p.asof GROUP BY lead)
SELECT t.to_stage, count(*) FROM transitions t JOIN last USING (lead, n) GROUP BY t.to_stage;
SELECT to_stage, count(*) FROM transitions, p WHERE ts >= p.lo AND ts < p.hi AND ts <= p.asof
  GROUP BY to_stage;
SELECT a.to_stage, count(*), avg(b.ts - a.ts) / 3.6e9 FROM transitions a
  JOIN transitions b ON b.lead = a.lead AND b.n = a.n + 1, p
  WHERE b.ts >= p.lo AND b.ts < p.hi AND b.ts <= p.asof GROUP BY a.to_stage;

-- mql: leads created and handoffs opened per month, by channel
SELECT strftime('%Y-%m', created_at / 1000000, 'unixepoch') AS m, count(*) FROM leads, p
  WHERE created_at >= p.lo AND created_at < p.hi AND created_at <= p.asof GROUP BY m;
SELECT strftime('%Y-%m', h.mql_at / 1000000, 'unixepoch') AS m, l.channel, count(*)
  FROM handoffs h JOIN leads l ON l.rowid = h.lead, p
  WHERE h.mql_at >= p.lo AND h.mql_at < p.hi AND h.mql_at <= p.asof GROUP BY m, l.channel;

-- sql: cohort outcomes by month of mql_at, rejection reasons, entries into sql
SELECT strftime('%Y-%m', mql_at / 1000000, 'unixepoch') AS m, count(*),
  sum(outcome = 1 AND decided_at <= p.asof), sum(outcome = 2 AND decided_at <= p.asof)
  FROM handoffs, p WHERE mql_at >= p.lo AND mql_at < p.hi AND mql_at <= p.asof GROUP BY m;
SELECT e.reason, count(*) FROM handoffs h JOIN events e ON e.seq = h.close_seq, p
  WHERE h.outcome = 2 AND h.mql_at >= p.lo AND h.mql_at < p.hi GROUP BY e.reason;
SELECT strftime('%Y-%m', ts / 1000000, 'unixepoch') AS m, count(*) FROM transitions, p
  WHERE to_stage = 2 AND ts >= p.lo AND ts < p.hi AND ts <= p.asof GROUP BY m;

-- velocity: response times of decided handoffs (calendar hours), overdue pending
SELECT strftime('%Y-%m', mql_at / 1000000, 'unixepoch') AS m, count(*),
  sum(decided_at <= p.asof), avg(CASE WHEN decided_at <= p.asof THEN decided_at - mql_at END) / 3.6e9,
  sum(decided_at > mql_at + 16 * 3600000000 AND decided_at <= p.asof),
  sum((decided_at IS NULL OR decided_at > p.asof) AND mql_at + 16 * 3600000000 < p.asof)
  FROM handoffs, p WHERE mql_at >= p.lo AND mql_at < p.hi AND mql_at <= p.asof GROUP BY m;

-- speed: first contact within an hour
SELECT strftime('%Y-%m', mql_at / 1000000, 'unixepoch') AS m, count(*),
  sum(first_contact_at <= p.asof),
  avg(CASE WHEN first_contact_at <= p.asof THEN first_contact_at - mql_at END) / 3.6e9,
  sum(first_contact_at <= p.asof AND first_contact_at - mql_at <= 3600000000)
  FROM handoffs, p WHERE mql_at >= p.lo AND mql_at < p.hi AND mql_at <= p.asof GROUP BY m;
