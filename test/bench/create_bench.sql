-- create_bench.sql: the creation-job benchmark (SPEC section 10, second bar).
--
-- Run by test/bench/create_bench.sh after create_bench_reset.sql and
-- create_bench_data.sql, with the psql variable runs (timed runs per query,
-- median reported). On the same data, in one session, it:
--   - creates the extension, binds create_bench.account and
--     create_bench.person, creates and publishes the 6-role template
--     "Create Bench", the solution interest "Create Bench" and the audience
--     "Create Bench: all accounts" (every account: account_key is_not_empty);
--   - times, interleaved, after one untimed warm-up round:
--       floor         SELECT account_key, count(*) FROM person GROUP BY 1
--                     (SPEC: one scan plus a hash aggregate);
--       intermediate  match_role() per person, counted per account;
--       intermediate  completeness(template, match_role()) per account (SPEC
--                     section 4's ad-hoc query: everything the job computes,
--                     nothing stored);
--       the job       buying_group.create_buying_groups(si, audience), each
--                     run on empty groups (TRUNCATE bgroup and what belongs to it, which
--                     empties bmember and score_history too, VACUUM
--                     (ANALYZE) of the three, then CHECKPOINT, untimed,
--                     before every round);
--     then the job once more when every group exists (returns 0);
--   - checks the last run's groups: one per account, members = the persons
--     whose match_role() is not NULL with that role, stored completeness and
--     member count equal to what the completeness() aggregate, the SPEC
--     section 4 query and the SPEC section 5 formula give (expect all 0);
--   - prints the medians and the ratio to the SPEC goal (<= 3x the floor).
-- Parallel query is off (one core per query) and JIT is off (jit = off), as
-- the job's statements cannot run in parallel anyway.

\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;
CREATE EXTENSION buying_group;
RESET client_min_messages;
SET max_parallel_workers_per_gather = 0;
SET jit = off;

--------------------------------------------------------------------------
-- Configuration: bindings, a live 6-role template, a solution interest, an
-- audience of every account
--------------------------------------------------------------------------

\echo == Configuration
SELECT buying_group.bind_accounts('create_bench.account', key => 'account_key', name => 'account_name');
SELECT buying_group.bind_persons('create_bench.person', key => 'person_key', account => 'account_key');

SELECT buying_group.create_template('Create Bench', description => 'Creation-job benchmark (test/bench)') \gset

-- The six roles of the role-matching benchmark's template "Bench", with
-- members_required 1 to 3.
\set template 'Create Bench'
\set influencers 2
\set practitioners 3
\i :bench_dir/bench_roles.sql

SELECT buying_group.publish_template('Create Bench') \gset
SELECT buying_group.create_solution_interest('Create Bench', 'Create Bench',
                                             description => 'Creation-job benchmark (test/bench)') \gset
SELECT buying_group.create_audience('Create Bench: all accounts', '{"attr": "account_key", "op": "is_not_empty"}',
                                    description => 'Every account (creation-job benchmark)') AS audience_view \gset

SELECT role, weight, required, members_required FROM buying_group.template_roles
 WHERE template = 'Create Bench' ORDER BY priority;
SELECT name, view_name, rule FROM buying_group.audiences;
SELECT pg_catalog.pg_get_viewdef(:'audience_view'::regclass) AS audience_view_definition;

--------------------------------------------------------------------------
-- Timing
--------------------------------------------------------------------------

CREATE TABLE create_bench.query (label text PRIMARY KEY, ord integer NOT NULL, sql text NOT NULL);
INSERT INTO create_bench.query VALUES
    ('floor: GROUP BY account_key', 1,
     'SELECT count(*) || '' groups, '' || sum(n) || '' persons'' FROM '
     '(SELECT account_key, count(*) AS n FROM create_bench.person GROUP BY 1) s'),
    ('intermediate: match_role, GROUP BY account_key', 2,
     'SELECT count(*) || '' groups, '' || sum(n) || '' with a role'' FROM '
     '(SELECT account_key, count(buying_group.match_role(''Create Bench'', p)) AS n '
     'FROM create_bench.person p GROUP BY 1) s'),
    ('intermediate: completeness(match_role), GROUP BY account_key', 3,
     'SELECT count(*) || '' groups, mean completeness '' || round(avg(c), 4) FROM '
     '(SELECT account_key, buying_group.completeness(''Create Bench'', buying_group.match_role(''Create Bench'', p)) AS c '
     'FROM create_bench.person p GROUP BY 1) s'),
    ('create_buying_groups', 4,
     'SELECT buying_group.create_buying_groups(''Create Bench'', ''Create Bench: all accounts'')::text');

CREATE TABLE create_bench.timing (label text NOT NULL, run integer NOT NULL, ms double precision NOT NULL,
                                  result text, at timestamptz NOT NULL DEFAULT clock_timestamp());

-- Runs a statement to completion and returns its wall time in ms and its
-- (single-value) result. The statement's own deferred work (after triggers,
-- foreign-key checks) runs inside EXECUTE; only COMMIT is outside.
CREATE FUNCTION create_bench.time_query(q text, OUT ms double precision, OUT result text)
LANGUAGE plpgsql
AS $$
DECLARE
    t0 timestamptz;
BEGIN
    t0 := clock_timestamp();
    EXECUTE q INTO result;
    ms := 1000 * extract(epoch FROM clock_timestamp() - t0)::double precision;
END
$$;

\echo
\echo == Timing: round 0 is a warm-up; then :runs timed rounds. Each round: TRUNCATE bgroup and what belongs to it; VACUUM (ANALYZE); CHECKPOINT; the floors; the job
-- One statement per line, each in its own transaction (autocommit). The
-- VACUUM (ANALYZE) of the emptied tables gives every round the same
-- statistics (relpages = reltuples = 0, so the planner estimates from their
-- current size) and resets the counters that start autovacuum: otherwise
-- autovacuum, prompted by the previous round's inserts, may vacuum or
-- analyze them while a round's job has filled them with rows it has not
-- committed yet, record reltuples = 0 over many pages, and the plan of
-- refresh_groups() then recomputes every group's scores once per group (a
-- bug of the extension, see doc/benchmarks.md: the job never ends).
SET client_min_messages = warning;
SELECT stmt
  FROM (SELECT r, 0 AS step, 'TRUNCATE buying_group.bgroup, buying_group.bmember, buying_group.score_history' AS stmt
          FROM generate_series(0, :runs) r
        UNION ALL
        SELECT r, 1, 'VACUUM (ANALYZE) buying_group.bgroup, buying_group.bmember, buying_group.score_history'
          FROM generate_series(0, :runs) r
        UNION ALL
        SELECT r, 2, 'CHECKPOINT' FROM generate_series(0, :runs) r
        UNION ALL
        SELECT r, 2 + q.ord,
               format('INSERT INTO create_bench.timing (label, run, ms, result) '
                      'SELECT %L, %s, t.ms, t.result FROM create_bench.time_query(%L) t', q.label, r, q.sql)
          FROM generate_series(0, :runs) r CROSS JOIN create_bench.query q) s
 ORDER BY r, step \gexec

\echo == Timing: the job again, every group existing (once)
INSERT INTO create_bench.timing (label, run, ms, result)
SELECT 'create_buying_groups again (all groups exist)', 1, t.ms, t.result
  FROM create_bench.time_query('SELECT buying_group.create_buying_groups(''Create Bench'', ''Create Bench: all accounts'')::text') t;

RESET client_min_messages;

SELECT label, run, round(ms::numeric, 1) AS ms, result, to_char(at, 'HH24:MI:SS') AS at
  FROM create_bench.timing ORDER BY at;

--------------------------------------------------------------------------
-- Correctness of the last run's groups (expect every count of differences 0)
--------------------------------------------------------------------------

\echo
\echo == Checks (the groups of the last run; expect every "differ"/"missing"/"extra" count to be 0)
CREATE TEMP TABLE expected_member AS
SELECT p.account_key::text AS account_key, p.person_key::text AS person_key, x.role
  FROM create_bench.person p
 CROSS JOIN LATERAL (SELECT buying_group.match_role('Create Bench', p) AS role) x
 WHERE x.role IS NOT NULL;

CREATE TEMP TABLE actual_member AS
SELECT g.account_key, m.person_key, r.name AS role, m.source, m.is_removed
  FROM buying_group.bmember m
  JOIN buying_group.bgroup g ON g.id = m.buying_group_id
  JOIN buying_group.role r ON r.id = m.role_id;

SELECT (SELECT count(*) FROM buying_group.bgroup) AS groups,
       (SELECT count(*) FROM buying_group_audience.create_bench_all_accounts) AS audience_accounts,
       (SELECT count(*) FROM create_bench.account a
         WHERE NOT EXISTS (SELECT FROM buying_group.bgroup g WHERE g.account_key = a.account_key::text)) AS accounts_missing_a_group,
       (SELECT count(*) FROM buying_group.bgroup g
          LEFT JOIN create_bench.account a ON a.account_key::text = g.account_key
         WHERE g.name IS DISTINCT FROM 'Create Bench for ' || coalesce(a.account_name, a.account_key::text)) AS names_differ,
       (SELECT count(*) FROM buying_group.bgroup WHERE member_count = 0) AS groups_without_members;

SELECT count(*) FILTER (WHERE a.person_key IS NOT NULL) AS members,
       count(*) FILTER (WHERE e.person_key IS NOT NULL) AS persons_with_a_role,
       count(*) FILTER (WHERE a.person_key IS NULL) AS members_missing,
       count(*) FILTER (WHERE e.person_key IS NULL) AS members_extra,
       count(*) FILTER (WHERE a.role <> e.role) AS roles_differ,
       count(*) FILTER (WHERE a.account_key <> e.account_key) AS accounts_differ,
       count(*) FILTER (WHERE a.source <> 'system' OR a.is_removed) AS not_system_or_removed
  FROM expected_member e FULL JOIN actual_member a USING (person_key);

-- Stored completeness and member count against: (1) the completeness()
-- aggregate over each group's members; (2) SPEC section 4's ad-hoc query over
-- the persons table; (3) SPEC section 5's formula written in SQL over
-- buying_group.template_roles (compared to 1e-12: SQL numeric division
-- rounds each role's term, the C aggregate divides once).
WITH over_members AS (
    SELECT m.buying_group_id AS id, buying_group.completeness('Create Bench', r.name) AS c, count(*) AS n
      FROM buying_group.bmember m JOIN buying_group.role r ON r.id = m.role_id
     WHERE NOT m.is_removed
     GROUP BY 1),
ad_hoc AS (
    SELECT p.account_key::text AS account_key,
           buying_group.completeness('Create Bench', buying_group.match_role('Create Bench', p)) AS c
      FROM create_bench.person p GROUP BY 1),
role_counts AS (
    SELECT g.id, tr.role, tr.members_required, coalesce(n.assigned, 0) AS assigned
      FROM buying_group.bgroup g
     CROSS JOIN buying_group.template_roles tr
      LEFT JOIN (SELECT account_key, role, count(*) AS assigned FROM actual_member
                  WHERE NOT is_removed GROUP BY 1, 2) n
             ON n.account_key = g.account_key AND n.role = tr.role
     WHERE tr.template = 'Create Bench' AND tr.required),
formula AS (
    SELECT id, avg(100.0 * least(assigned, members_required) / members_required) AS c
      FROM role_counts GROUP BY id)
SELECT count(*) AS groups_checked,
       count(*) FILTER (WHERE g.completeness IS DISTINCT FROM coalesce(o.c, 0)) AS completeness_differs_from_aggregate,
       count(*) FILTER (WHERE g.member_count IS DISTINCT FROM coalesce(o.n, 0)) AS member_count_differs,
       count(*) FILTER (WHERE g.completeness IS DISTINCT FROM coalesce(h.c, 0)) AS completeness_differs_from_spec4_query,
       count(*) FILTER (WHERE abs(g.completeness - f.c) > 1e-12 OR f.c IS NULL) AS completeness_differs_from_spec5_formula,
       count(*) FILTER (WHERE g.sales_ready IS DISTINCT FROM (g.completeness >= 100)) AS sales_ready_differs
  FROM buying_group.bgroup g
  LEFT JOIN over_members o ON o.id = g.id
  LEFT JOIN ad_hoc h ON h.account_key = g.account_key
  LEFT JOIN formula f ON f.id = g.id;

-- The job records each new group's first scores in score_history (groups
-- whose scores stay at 0 / 0 members have no row) and emits no event.
SELECT count(*) AS score_history_rows,
       (SELECT count(*) FROM buying_group.bgroup WHERE (completeness, member_count) <> (0, 0)) AS groups_with_scores,
       count(*) FILTER (WHERE (h.completeness, h.member_count, h.sales_ready)
                              IS DISTINCT FROM (g.completeness, g.member_count, g.sales_ready)) AS history_differs,
       (SELECT count(*) FROM buying_group.events) AS events
  FROM buying_group.score_history h JOIN buying_group.bgroup g ON g.id = h.buying_group_id;

\echo == The groups created
SELECT count(*) AS groups, sum(member_count) AS members, round(avg(completeness), 2) AS mean_completeness,
       count(*) FILTER (WHERE completeness = 100) AS complete, count(*) FILTER (WHERE completeness = 0) AS empty,
       count(*) FILTER (WHERE sales_ready) AS sales_ready
  FROM buying_group.bgroup;
SELECT role, count(*) AS members, round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct
  FROM actual_member GROUP BY 1 ORDER BY 2 DESC;
SELECT pg_size_pretty(pg_total_relation_size('buying_group.bgroup')) AS bgroup_with_indexes,
       pg_size_pretty(pg_total_relation_size('buying_group.bmember')) AS bmember_with_indexes,
       pg_size_pretty(pg_total_relation_size('buying_group.score_history')) AS score_history_with_indexes,
       pg_size_pretty(pg_table_size('create_bench.person')) AS person_table;

--------------------------------------------------------------------------
-- Report
--------------------------------------------------------------------------

\echo
\echo == Results (median of the timed runs, in ms; ns/person = median / persons)
SELECT count(*) AS persons FROM create_bench.person \gset
CREATE TEMP VIEW med AS
SELECT t.label, coalesce(q.ord, 9) AS ord, count(*) AS runs,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY t.ms) AS median_ms,
       min(t.ms) AS min_ms, max(t.ms) AS max_ms
  FROM create_bench.timing t LEFT JOIN create_bench.query q USING (label)
 WHERE t.run >= 1
 GROUP BY t.label, q.ord;

SELECT m.label AS query, m.runs,
       round(m.median_ms::numeric, 1) AS median_ms,
       round(m.min_ms::numeric, 1) AS min_ms,
       round(m.max_ms::numeric, 1) AS max_ms,
       round((m.median_ms * 1e6 / :persons)::numeric) AS ns_per_person
  FROM med m ORDER BY m.ord;

\echo == Ratio and SPEC goal (section 10: the job <= 3x the floor)
SELECT round((j.median_ms / f.median_ms)::numeric, 2) AS job_over_floor,
       CASE WHEN j.median_ms <= 3 * f.median_ms THEN 'met' ELSE 'NOT met' END AS "goal <= 3",
       round((j.median_ms / (3 * f.median_ms))::numeric, 2) AS job_over_goal,
       round((j.median_ms / i1.median_ms)::numeric, 2) AS job_over_match_role_per_account,
       round((j.median_ms / i2.median_ms)::numeric, 2) AS job_over_completeness_per_account,
       round((i1.median_ms / f.median_ms)::numeric, 2) AS match_role_per_account_over_floor,
       round((i2.median_ms / f.median_ms)::numeric, 2) AS completeness_per_account_over_floor
  FROM med j
  JOIN med f ON f.label = 'floor: GROUP BY account_key'
  JOIN med i1 ON i1.label = 'intermediate: match_role, GROUP BY account_key'
  JOIN med i2 ON i2.label = 'intermediate: completeness(match_role), GROUP BY account_key'
 WHERE j.label = 'create_buying_groups';

SELECT current_setting('server_version') AS server_version,
       current_setting('shared_buffers') AS shared_buffers,
       current_setting('work_mem') AS work_mem,
       current_setting('max_wal_size') AS max_wal_size,
       current_setting('synchronous_commit') AS synchronous_commit,
       (SELECT datcollate FROM pg_database WHERE datname = current_database()) AS collation,
       pg_typeof((SELECT account_key FROM create_bench.person LIMIT 1)) AS key_type;
