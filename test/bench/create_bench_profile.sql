-- create_bench_profile.sql: where the creation job spends its time.
--
-- Run by test/bench/create_bench.sh after create_bench.sql (same session
-- settings: no parallel query, jit = off), unless BENCH_PROFILE=0. Every
-- experiment starts from empty groups and is rolled back, so it changes
-- nothing; each runs once (no median).
--   1. The plans of the job's statements as they run inside the function
--      (auto_explain, ANALYZE, BUFFERS, WAL, triggers; statements over 200 ms).
--   2. The job's two statements reproduced by hand from the function body
--      (the INSERT ... INSERT data-modifying CTE, then
--      refresh_groups(ids, false)),
--      timed apart; the group INSERT alone.
--   3. The same with one thing changed, to price each part: no foreign keys;
--      no foreign keys and no index on bmember(person_key); work_mem 64MB;
--      a one-pass variant (completeness and member count computed from the
--      same match_role() stream and stored with the group, its score_history
--      row written from the group INSERT's RETURNING, no refresh_groups(),
--      no ON CONFLICT on members), with and without the foreign keys; the same rows written to bare tables (no index, no
--      constraint: the cost of writing them at all).
-- Each experiment also checks its result before the rollback: groups,
-- members, and groups whose stored completeness or member count differ from
-- the completeness() aggregate over their members (expect 0).

\set ON_ERROR_STOP on
\pset footer off
SET max_parallel_workers_per_gather = 0;
SET jit = off;

--------------------------------------------------------------------------
-- 1. The plans, as the function runs them
--------------------------------------------------------------------------

\echo
\echo == Profile 1: plans of the job statements (auto_explain, statements over 200 ms), rolled back
-- Before each step: empty groups, statistics and autovacuum counters reset
-- (see create_bench.sql), a checkpoint. Each statement runs on its own.
SELECT 'SELECT unnest(ARRAY[''TRUNCATE buying_group.bgroup CASCADE'', '
       '''VACUUM (ANALYZE) buying_group.bgroup, buying_group.bmember, buying_group.score_history'', '
       '''CHECKPOINT''])' AS reset \gset
SET client_min_messages = warning;
:reset \gexec
RESET client_min_messages;
BEGIN;
LOAD 'auto_explain';
SET LOCAL auto_explain.log_min_duration = 200;
SET LOCAL auto_explain.log_analyze = on;
SET LOCAL auto_explain.log_buffers = on;
SET LOCAL auto_explain.log_wal = on;
SET LOCAL auto_explain.log_triggers = on;
SET LOCAL auto_explain.log_nested_statements = on;
SET LOCAL auto_explain.log_level = notice;
SET LOCAL client_min_messages = notice;
SELECT buying_group.create_buying_groups('Create Bench', 'Create Bench: all accounts');
ROLLBACK;

--------------------------------------------------------------------------
-- 2., 3. The statements by hand, and variants
--------------------------------------------------------------------------

-- The job's statement exactly as create_buying_groups() builds it (same
-- format string, same bindings), with a column alias for the result.
SELECT format($q$
        WITH new_group AS (
            INSERT INTO buying_group.bgroup (solution_interest_id, account_key, name)
            SELECT DISTINCT ON (a.%1$I::text) $1, a.%1$I::text, $2 || ' for ' || coalesce(a.%2$I::text, a.%1$I::text)
              FROM buying_group_audience.%3$I a
             WHERE a.%1$I IS NOT NULL
            ON CONFLICT (solution_interest_id, account_key) DO NOTHING
            RETURNING id, account_key),
        new_member AS (
            INSERT INTO buying_group.bmember (buying_group_id, person_key, role_id, source)
            SELECT ng.id, m.person_key, r.id, 'system'
              FROM new_group ng
              JOIN (SELECT p.%4$I::text AS account_key, p.%5$I::text AS person_key,
                           buying_group.match_role($3, p) AS role
                      FROM %6$s p) m ON m.account_key = ng.account_key
              JOIN buying_group.role r ON r.name = m.role
            ON CONFLICT DO NOTHING)
        SELECT array_agg(id) AS ids FROM new_group$q$,
        acc.key_column, acc.name_column, aud.view_name, per.account_column, per.key_column, per.relation) AS job_stmt,
       -- its first part alone: the groups
       format($q$
        WITH new_group AS (
            INSERT INTO buying_group.bgroup (solution_interest_id, account_key, name)
            SELECT DISTINCT ON (a.%1$I::text) $1, a.%1$I::text, $2 || ' for ' || coalesce(a.%2$I::text, a.%1$I::text)
              FROM buying_group_audience.%3$I a
             WHERE a.%1$I IS NOT NULL
            ON CONFLICT (solution_interest_id, account_key) DO NOTHING
            RETURNING id, account_key)
        SELECT array_agg(id) AS ids FROM new_group WHERE $3 IS NOT NULL$q$,
        acc.key_column, acc.name_column, aud.view_name) AS groups_stmt,
       -- one pass: every person matched once, its role feeding both the
       -- group's scores (stored with the group) and the member rows
       format($q$
        WITH m AS (
            SELECT p.%4$I::text AS account_key, p.%5$I::text AS person_key,
                   buying_group.match_role($3, p) AS role
              FROM %6$s p),
        score AS (
            SELECT m.account_key, buying_group.completeness($3, m.role) AS completeness,
                   count(m.role)::integer AS members
              FROM m GROUP BY 1),
        new_group AS (
            INSERT INTO %7$s (solution_interest_id, account_key, name, completeness, member_count, sales_ready)
            SELECT DISTINCT ON (a.%1$I::text) $1, a.%1$I::text, $2 || ' for ' || coalesce(a.%2$I::text, a.%1$I::text),
                   coalesce(s.completeness, 0), coalesce(s.members, 0),
                   coalesce(s.completeness, 0) >= si.sales_ready_completeness AND 0 >= si.sales_ready_engagement
              FROM buying_group_audience.%3$I a
              LEFT JOIN score s ON s.account_key = a.%1$I::text
              JOIN buying_group.solution_interest si ON si.id = $1
             WHERE a.%1$I IS NOT NULL
            %8$s
            RETURNING id, account_key, completeness, engagement, member_count, sales_ready),
        new_member AS (
            INSERT INTO %9$s (buying_group_id, person_key, role_id, source)
            SELECT ng.id, m.person_key, r.id, 'system'
              FROM new_group ng
              JOIN m ON m.account_key = ng.account_key
              JOIN buying_group.role r ON r.name = m.role),
        history AS (
            INSERT INTO %10$s (buying_group_id, completeness, engagement, member_count, sales_ready)
            SELECT ng.id, ng.completeness, ng.engagement, ng.member_count, ng.sales_ready
              FROM new_group ng
             WHERE (ng.completeness, ng.member_count) <> (0, 0))
        SELECT array_agg(id) AS ids FROM new_group$q$,
        acc.key_column, acc.name_column, aud.view_name, per.account_column, per.key_column, per.relation,
        'buying_group.bgroup', 'ON CONFLICT (solution_interest_id, account_key) DO NOTHING', 'buying_group.bmember',
        'buying_group.score_history')
           AS one_pass_stmt,
       format($q$
        WITH m AS (
            SELECT p.%4$I::text AS account_key, p.%5$I::text AS person_key,
                   buying_group.match_role($3, p) AS role
              FROM %6$s p),
        score AS (
            SELECT m.account_key, buying_group.completeness($3, m.role) AS completeness,
                   count(m.role)::integer AS members
              FROM m GROUP BY 1),
        new_group AS (
            INSERT INTO %7$s (solution_interest_id, account_key, name, completeness, member_count, sales_ready)
            SELECT DISTINCT ON (a.%1$I::text) $1, a.%1$I::text, $2 || ' for ' || coalesce(a.%2$I::text, a.%1$I::text),
                   coalesce(s.completeness, 0), coalesce(s.members, 0),
                   coalesce(s.completeness, 0) >= si.sales_ready_completeness AND 0 >= si.sales_ready_engagement
              FROM buying_group_audience.%3$I a
              LEFT JOIN score s ON s.account_key = a.%1$I::text
              JOIN buying_group.solution_interest si ON si.id = $1
             WHERE a.%1$I IS NOT NULL
            %8$s
            RETURNING id, account_key, completeness, engagement, member_count, sales_ready),
        new_member AS (
            INSERT INTO %9$s (buying_group_id, person_key, role_id, source)
            SELECT ng.id, m.person_key, r.id, 'system'
              FROM new_group ng
              JOIN m ON m.account_key = ng.account_key
              JOIN buying_group.role r ON r.name = m.role),
        history AS (
            INSERT INTO %10$s (buying_group_id, completeness, engagement, member_count, sales_ready)
            SELECT ng.id, ng.completeness, ng.engagement, ng.member_count, ng.sales_ready
              FROM new_group ng
             WHERE (ng.completeness, ng.member_count) <> (0, 0))
        SELECT array_agg(id) AS ids FROM new_group$q$,
        acc.key_column, acc.name_column, aud.view_name, per.account_column, per.key_column, per.relation,
        'create_bench.bare_group', '', 'create_bench.bare_member', 'create_bench.bare_history')
           AS bare_stmt
  FROM (SELECT * FROM buying_group.binding WHERE kind = 'accounts') acc,
       (SELECT * FROM buying_group.binding WHERE kind = 'persons') per,
       (SELECT * FROM buying_group.audience WHERE name = 'Create Bench: all accounts') aud \gset

\echo
\echo == The job statement, as create_buying_groups() builds it ($1 solution interest id, $2 its name, $3 the template)
\echo :job_stmt
\echo
\echo == The one-pass variant (experiments "one pass ...")
\echo :one_pass_stmt

CREATE TABLE create_bench.profile (label text NOT NULL, ord serial, statement_ms double precision,
                                   refresh_ms double precision, groups bigint, members bigint,
                                   groups_differ bigint);

-- Runs setup, then the statement (timed), then refresh_groups(ids, false) as
-- the job calls it, when asked, or else after_stmt with ids as $1 (timed),
-- checks the result, rolls everything back and records the times. CALL it
-- outside a transaction block.
CREATE PROCEDURE create_bench.experiment(label text, setup text[], stmt text, refresh boolean,
                                         check_tables boolean DEFAULT true, after_stmt text DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
    si buying_group.solution_interest;
    s text;
    ids bigint[];
    t0 timestamptz;
    t1 timestamptz;
    t2 timestamptz;
    n_groups bigint;
    n_members bigint;
    n_differ bigint;
BEGIN
    SELECT * INTO STRICT si FROM buying_group.solution_interest x WHERE x.name = 'Create Bench';
    IF EXISTS (SELECT FROM buying_group.bgroup) THEN
        RAISE EXCEPTION 'experiment "%" must start on empty groups', label;
    END IF;
    FOREACH s IN ARRAY coalesce(setup, '{}') LOOP
        EXECUTE s;
    END LOOP;
    t0 := clock_timestamp();
    EXECUTE stmt INTO ids USING si.id, si.name, 'Create Bench'::text;
    t1 := clock_timestamp();
    IF refresh THEN
        PERFORM buying_group.refresh_groups(coalesce(ids, '{}'), false);
    ELSIF after_stmt IS NOT NULL THEN
        EXECUTE after_stmt USING coalesce(ids, '{}');
    END IF;
    t2 := clock_timestamp();
    IF check_tables THEN
        SELECT count(*), sum(g.member_count),
               count(*) FILTER (WHERE g.completeness IS DISTINCT FROM coalesce(o.c, 0)
                                   OR g.member_count IS DISTINCT FROM coalesce(o.n, 0)
                                   OR g.sales_ready IS DISTINCT FROM (g.completeness >= 100)
                                   OR CASE WHEN (g.completeness, g.member_count) <> (0, 0)
                                           THEN h.buying_group_id IS NULL OR h.completeness <> g.completeness
                                                OR h.member_count <> g.member_count OR h.sales_ready <> g.sales_ready
                                           ELSE h.buying_group_id IS NOT NULL END)
          INTO n_groups, n_members, n_differ
          FROM buying_group.bgroup g
          LEFT JOIN (SELECT m.buying_group_id AS id, buying_group.completeness('Create Bench', r.name) AS c,
                            count(*) AS n
                       FROM buying_group.bmember m JOIN buying_group.role r ON r.id = m.role_id
                      WHERE NOT m.is_removed GROUP BY 1) o ON o.id = g.id
          LEFT JOIN buying_group.score_history h ON h.buying_group_id = g.id;
    ELSE
        n_groups := cardinality(ids);
    END IF;
    ROLLBACK;
    INSERT INTO create_bench.profile (label, statement_ms, refresh_ms, groups, members, groups_differ)
    VALUES (label, 1000 * extract(epoch FROM t1 - t0),
            CASE WHEN refresh OR after_stmt IS NOT NULL THEN 1000 * extract(epoch FROM t2 - t1) END,
            n_groups, n_members, n_differ);
    COMMIT;
END
$$;

-- A refresh whose plan cannot degenerate: one correlated subquery per
-- group, driven by the ids (index scans of bmember by group), whatever the
-- statistics say. Same result as refresh_groups(ids, false) for new groups.
\set robust_refresh_stmt 'WITH changed AS (UPDATE buying_group.bgroup g SET (completeness, member_count, sales_ready, updated_at) = (SELECT f.c, f.n, f.c >= si.sales_ready_completeness AND coalesce(g.engagement, 0) >= si.sales_ready_engagement, pg_catalog.now() FROM buying_group.solution_interest si JOIN buying_group.template t ON t.id = si.template_id CROSS JOIN LATERAL (SELECT coalesce(buying_group.completeness(t.name, r.name), 0) AS c, count(m.person_key)::integer AS n FROM buying_group.bmember m JOIN buying_group.role r ON r.id = m.role_id WHERE m.buying_group_id = g.id AND NOT m.is_removed) f WHERE si.id = g.solution_interest_id) WHERE g.id = ANY ($1) RETURNING g.id, g.completeness, g.engagement, g.member_count, g.sales_ready) INSERT INTO buying_group.score_history (buying_group_id, completeness, engagement, member_count, sales_ready) SELECT c.id, c.completeness, c.engagement, c.member_count, c.sales_ready FROM changed c WHERE (c.completeness, c.member_count) <> (0, 0)'
\echo
\echo == The plan-robust refresh (experiment "... plan-robust refresh"): :robust_refresh_stmt

-- The foreign keys of bgroup, bmember and score_history, and the non-unique index on
-- bmember(person_key), as statements that drop them (inside the rolled-back
-- experiment).
SELECT array_agg(format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname) ORDER BY c.conname)
           FILTER (WHERE c.contype = 'f') AS drop_fks,
       array_agg(format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname) ORDER BY c.conname)
           FILTER (WHERE c.contype = 'f' AND c.confrelid <> 'buying_group.bgroup'::regclass) AS drop_catalog_fks
  FROM pg_catalog.pg_constraint c
 WHERE c.conrelid IN ('buying_group.bgroup'::regclass, 'buying_group.bmember'::regclass,
                      'buying_group.score_history'::regclass) \gset
SELECT array_agg(format('DROP INDEX %s', i.indexrelid::regclass)) AS drop_person_index
  FROM pg_catalog.pg_index i
 WHERE i.indrelid = 'buying_group.bmember'::regclass AND NOT i.indisunique \gset
\echo
\echo == Foreign keys dropped by the "no foreign keys" experiments: :drop_fks
\echo == ... by the "without the catalog foreign keys" experiment: :drop_catalog_fks
\echo == Index dropped by the "no index on bmember(person_key)" experiment: :drop_person_index

\echo
\echo == Profile 2, 3: experiments, each once, each rolled back
SET client_min_messages = warning;
:reset \gexec
CALL create_bench.experiment('as is: the job''s statement, then refresh_groups(ids)', NULL, :'job_stmt', true);
:reset \gexec
CALL create_bench.experiment('the group INSERT alone (no members, no refresh)', NULL, :'groups_stmt', false, false);
:reset \gexec
CALL create_bench.experiment('the job''s statement, then a plan-robust refresh', NULL, :'job_stmt', false,
                             after_stmt => :'robust_refresh_stmt');
:reset \gexec
CALL create_bench.experiment('no foreign keys', :'drop_fks', :'job_stmt', true);
:reset \gexec
CALL create_bench.experiment('no foreign keys, no index on bmember(person_key)',
                             (:'drop_fks'::text[] || :'drop_person_index'::text[]), :'job_stmt', true);
:reset \gexec
CALL create_bench.experiment('work_mem 64MB', '{"SET LOCAL work_mem = ''64MB''"}', :'job_stmt', true);
:reset \gexec
CALL create_bench.experiment('one pass (no refresh_groups)', NULL, :'one_pass_stmt', false);
:reset \gexec
CALL create_bench.experiment('one pass, without the catalog foreign keys (role, solution interest)',
                             :'drop_catalog_fks', :'one_pass_stmt', false);
:reset \gexec
CALL create_bench.experiment('one pass, no foreign keys', :'drop_fks', :'one_pass_stmt', false);
:reset \gexec
CALL create_bench.experiment('one pass, no foreign keys, work_mem 64MB',
                             (:'drop_fks'::text[] || '{"SET LOCAL work_mem = ''64MB''"}'::text[]), :'one_pass_stmt', false);
:reset \gexec
CALL create_bench.experiment('one pass into bare tables (no index, no constraint): writing the rows at all',
                             '{"CREATE TABLE create_bench.bare_group (LIKE buying_group.bgroup INCLUDING DEFAULTS)",
                               "CREATE TABLE create_bench.bare_member (LIKE buying_group.bmember INCLUDING DEFAULTS)",
                               "CREATE TABLE create_bench.bare_history (LIKE buying_group.score_history INCLUDING DEFAULTS)"}',
                             :'bare_stmt', false, false);

RESET client_min_messages;

SELECT label AS experiment,
       round(statement_ms::numeric, 1) AS statement_ms,
       round(refresh_ms::numeric, 1) AS refresh_ms,
       round((statement_ms + coalesce(refresh_ms, 0))::numeric, 1) AS total_ms,
       groups, members, groups_differ
  FROM create_bench.profile ORDER BY ord;

\echo == The same totals against the floor (median of the timed runs above)
SELECT p.label AS experiment,
       round(((p.statement_ms + coalesce(p.refresh_ms, 0)) / f.median_ms)::numeric, 2) AS over_floor,
       CASE WHEN p.statement_ms + coalesce(p.refresh_ms, 0) <= 3 * f.median_ms THEN 'met' ELSE 'NOT met' END AS "goal <= 3"
  FROM create_bench.profile p
 CROSS JOIN (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) AS median_ms
               FROM create_bench.timing WHERE label = 'floor: GROUP BY account_key' AND run >= 1) f
 ORDER BY p.ord;
