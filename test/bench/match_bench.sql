-- match_bench.sql: the role-matching benchmark (SPEC section 10, first bar).
--
-- Run by test/bench/match_bench.sh after match_bench_data.sql, with the psql
-- variables runs (timed runs per query, median reported) and jit_modes (e.g.
-- 'off,on'). On the same data, in one session, it times:
--   floors  count(*); GROUP BY a constant; count(p) (forms the whole-row
--           record, as every match_role(..., p) call must);
--   (a)     buying_group.match_role('Bench', p), grouped by role;
--   (a2)    the same grouped by account, against the floor of a GROUP BY
--           account_key alone (the shape of the creation job's scan);
--   (b)     the same 6 roles hand-written as CASE WHEN ... ILIKE ... END;
--   (b2)    a tuned variant of (b): each attribute lower()ed once per row,
--           then LIKE and = (not a SPEC baseline; shows what ILIKE costs);
--   (c)     a generic rule interpreter in PL/pgSQL over jsonb, reading the
--           conditions stored in buying_group.template_roles (once per query)
--           and each person as to_jsonb(p);
-- checks that (a), (b), (b2) and (c) give the same role to every person, and
-- prints the medians and ratios. Parallel query is off (one core per query).

\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS buying_group;
SET max_parallel_workers_per_gather = 0;

--------------------------------------------------------------------------
-- The template: 6 roles, first match wins, operators with an exact SQL twin
--------------------------------------------------------------------------

DO $$
BEGIN
    IF EXISTS (SELECT FROM buying_group.templates WHERE name = 'Bench') THEN
        PERFORM buying_group.delete_template('Bench');
    END IF;
END
$$;
SELECT buying_group.create_template('Bench', description => 'Role-matching benchmark (test/bench)') \gset

\set template Bench
\set influencers 1
\set practitioners 2
\i :bench_dir/bench_roles.sql

--------------------------------------------------------------------------
-- (b) The same logic hand-written as CASE ... ILIKE ...
--
-- The rule language trims white space (space, \t, \n, \r, \f, \v) and
-- ignores case: contains is ILIKE '%v%' (trimming cannot change it: the
-- values have no edge spaces), starts_with is ltrim() ILIKE 'v%', ends_with
-- is rtrim() ILIKE '%v', eq/in is lower(btrim()) = / IN. A NULL attribute
-- makes a leaf false and "not" of it true: only leaves under "not" need
-- coalesce(); elsewhere CASE already treats NULL as false.
-- The function is inlined by the planner (checked below): the query runs
-- the CASE expression itself, exactly as if written in the SELECT list.
--------------------------------------------------------------------------

CREATE FUNCTION match_bench.case_role(p match_bench.person)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT CASE
    WHEN p.job_title ILIKE '%chief%'
      OR lower(btrim(p.job_title, E' \t\n\r\f\x0b')) IN
         ('cto', 'cio', 'cfo', 'ciso', 'ceo', 'cdo', 'president', 'founder', 'co-founder & cto')
      OR ltrim(p.job_title, E' \t\n\r\f\x0b') ILIKE 'cto,%'
      OR ltrim(p.job_title, E' \t\n\r\f\x0b') ILIKE 'cio,%'
      OR ltrim(p.job_title, E' \t\n\r\f\x0b') ILIKE 'ceo &%'
      OR ltrim(p.job_title, E' \t\n\r\f\x0b') ILIKE 'co-founder%'
      OR (lower(btrim(p.seniority, E' \t\n\r\f\x0b')) = 'c-level'
          AND lower(btrim(p.department, E' \t\n\r\f\x0b')) IN ('it', 'information technology', 'engineering', 'security'))
    THEN 'Decision Maker'
    WHEN p.job_title ILIKE '%vice president%'
      OR p.job_title ILIKE '%vp%'
      OR lower(btrim(p.seniority, E' \t\n\r\f\x0b')) IN ('c-level', 'vp')
    THEN 'Executive Steering Committee'
    WHEN (p.job_title ILIKE '%director%' OR p.job_title ILIKE '%head of%' OR p.job_title ILIKE '%architect%')
      AND NOT coalesce(lower(btrim(p.department, E' \t\n\r\f\x0b')) IN ('hr', 'legal'), false)
    THEN 'Influencer'
    WHEN (p.job_title ILIKE '%manager%' OR p.job_title ILIKE '%mgr%' OR p.job_title ILIKE '%lead%')
      AND lower(btrim(p.department, E' \t\n\r\f\x0b')) IN
          ('it', 'information technology', 'engineering', 'security', 'operations')
      AND NOT coalesce(rtrim(p.email, E' \t\n\r\f\x0b') ILIKE '%@gmail.com'
                       OR rtrim(p.email, E' \t\n\r\f\x0b') ILIKE '%@yahoo.com'
                       OR rtrim(p.email, E' \t\n\r\f\x0b') ILIKE '%@outlook.com', false)
    THEN 'Champion'
    WHEN (p.job_title ILIKE '%engineer%' OR p.job_title ILIKE '%developer%' OR p.job_title ILIKE '%analyst%'
          OR p.job_title ILIKE '%administrator%' OR p.job_title ILIKE '%scientist%'
          OR ltrim(p.job_title, E' \t\n\r\f\x0b') ILIKE 'sr.%'
          OR ltrim(p.job_title, E' \t\n\r\f\x0b') ILIKE 'senior%'
          OR ltrim(p.job_title, E' \t\n\r\f\x0b') ILIKE 'staff%'
          OR ltrim(p.job_title, E' \t\n\r\f\x0b') ILIKE 'principal%')
      AND NOT coalesce(lower(btrim(p.seniority, E' \t\n\r\f\x0b')) = 'intern'
                       OR p.job_title ILIKE '%intern%', false)
    THEN 'Practitioner'
    WHEN ltrim(p.department, E' \t\n\r\f\x0b') ILIKE 'fin%'
      OR ltrim(p.department, E' \t\n\r\f\x0b') ILIKE 'mark%'
      OR ltrim(p.department, E' \t\n\r\f\x0b') ILIKE 'sal%'
      OR ltrim(p.department, E' \t\n\r\f\x0b') ILIKE 'oper%'
      OR p.job_title ILIKE '%consultant%' OR p.job_title ILIKE '%specialist%' OR p.job_title ILIKE '%coordinator%'
      OR rtrim(p.email, E' \t\n\r\f\x0b') ILIKE '%.io'
    THEN 'Other'
END
$$;

-- The CASE baseline must be the inlined expression, not a function call.
DO $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (VERBOSE, FORMAT JSON) SELECT match_bench.case_role(p) FROM match_bench.person p'
       INTO plan;
    IF plan::text LIKE '%case_role%' OR plan::text NOT LIKE '%CASE WHEN%' THEN
        RAISE EXCEPTION 'match_bench.case_role() was not inlined: %', plan;
    END IF;
END
$$;

-- (b2) A tuned hand-written variant, not a SPEC baseline: each attribute is
-- trimmed and lower-cased once per row (a LATERAL subquery kept as a node by
-- OFFSET 0, so that its expressions are not copied into every test), then
-- tested with LIKE and =. In a UTF-8 database ILIKE lower-cases both of its
-- operands at every call; this variant does it once per attribute.
CREATE VIEW match_bench.person_case_lower AS
SELECT p.person_key,
       CASE
           WHEN l.title LIKE '%chief%'
             OR l.title IN ('cto', 'cio', 'cfo', 'ciso', 'ceo', 'cdo', 'president', 'founder', 'co-founder & cto')
             OR l.title LIKE 'cto,%' OR l.title LIKE 'cio,%' OR l.title LIKE 'ceo &%' OR l.title LIKE 'co-founder%'
             OR (l.seniority = 'c-level'
                 AND l.department IN ('it', 'information technology', 'engineering', 'security'))
           THEN 'Decision Maker'
           WHEN l.title LIKE '%vice president%' OR l.title LIKE '%vp%'
             OR l.seniority IN ('c-level', 'vp')
           THEN 'Executive Steering Committee'
           WHEN (l.title LIKE '%director%' OR l.title LIKE '%head of%' OR l.title LIKE '%architect%')
             AND NOT coalesce(l.department IN ('hr', 'legal'), false)
           THEN 'Influencer'
           WHEN (l.title LIKE '%manager%' OR l.title LIKE '%mgr%' OR l.title LIKE '%lead%')
             AND l.department IN ('it', 'information technology', 'engineering', 'security', 'operations')
             AND NOT coalesce(l.email LIKE '%@gmail.com' OR l.email LIKE '%@yahoo.com'
                              OR l.email LIKE '%@outlook.com', false)
           THEN 'Champion'
           WHEN (l.title LIKE '%engineer%' OR l.title LIKE '%developer%' OR l.title LIKE '%analyst%'
                 OR l.title LIKE '%administrator%' OR l.title LIKE '%scientist%'
                 OR l.title LIKE 'sr.%' OR l.title LIKE 'senior%' OR l.title LIKE 'staff%'
                 OR l.title LIKE 'principal%')
             AND NOT coalesce(l.seniority = 'intern' OR l.title LIKE '%intern%', false)
           THEN 'Practitioner'
           WHEN l.department LIKE 'fin%' OR l.department LIKE 'mark%' OR l.department LIKE 'sal%'
             OR l.department LIKE 'oper%'
             OR l.title LIKE '%consultant%' OR l.title LIKE '%specialist%' OR l.title LIKE '%coordinator%'
             OR l.email LIKE '%.io'
           THEN 'Other'
       END AS role
  FROM match_bench.person p
 CROSS JOIN LATERAL (SELECT lower(btrim(p.job_title, E' \t\n\r\f\x0b')) AS title,
                            lower(btrim(p.seniority, E' \t\n\r\f\x0b')) AS seniority,
                            lower(btrim(p.department, E' \t\n\r\f\x0b')) AS department,
                            lower(btrim(p.email, E' \t\n\r\f\x0b')) AS email
                     OFFSET 0) AS l;

--------------------------------------------------------------------------
-- (c) A generic rule interpreter in PL/pgSQL over jsonb
--
-- Same semantics as the C engine for the operators it supports: values
-- trimmed (same white space set) and lower-cased, NULL attribute => false
-- except is_empty, array value = any of (none of for the negated ones).
--------------------------------------------------------------------------

CREATE FUNCTION match_bench.plpg_eval(rule jsonb, person jsonb)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    ws CONSTANT text := E' \t\n\r\f\x0b';
    op text;
    v text;
    vals jsonb;
    c text;
    hit boolean := false;
    i integer;
BEGIN
    IF rule ? 'all' THEN
        FOR i IN 0 .. jsonb_array_length(rule -> 'all') - 1 LOOP
            IF NOT match_bench.plpg_eval(rule -> 'all' -> i, person) THEN
                RETURN false;
            END IF;
        END LOOP;
        RETURN true;
    ELSIF rule ? 'any' THEN
        FOR i IN 0 .. jsonb_array_length(rule -> 'any') - 1 LOOP
            IF match_bench.plpg_eval(rule -> 'any' -> i, person) THEN
                RETURN true;
            END IF;
        END LOOP;
        RETURN false;
    ELSIF rule ? 'not' THEN
        RETURN NOT match_bench.plpg_eval(rule -> 'not', person);
    END IF;

    op := rule ->> 'op';
    v := person ->> (rule ->> 'attr');
    IF op IN ('is_empty', 'is_not_empty') THEN
        RETURN (op = 'is_empty') = (v IS NULL OR btrim(v, ws) = '');
    END IF;
    IF v IS NULL THEN
        RETURN false;
    END IF;
    v := lower(btrim(v, ws));
    vals := rule -> 'value';
    IF jsonb_typeof(vals) <> 'array' THEN
        vals := jsonb_build_array(vals);
    END IF;
    FOR i IN 0 .. jsonb_array_length(vals) - 1 LOOP
        c := lower(btrim(vals ->> i, ws));
        hit := CASE op
                   WHEN 'eq' THEN v = c
                   WHEN 'ne' THEN v = c
                   WHEN 'in' THEN v = c
                   WHEN 'not_in' THEN v = c
                   WHEN 'contains' THEN strpos(v, c) > 0
                   WHEN 'not_contains' THEN strpos(v, c) > 0
                   WHEN 'starts_with' THEN starts_with(v, c)
                   WHEN 'ends_with' THEN right(v, length(c)) = c
               END;
        IF hit IS NULL THEN
            RAISE EXCEPTION 'operator "%" is not supported by this interpreter', op;
        END IF;
        EXIT WHEN hit;
    END LOOP;
    RETURN CASE WHEN op IN ('ne', 'not_in', 'not_contains') THEN NOT hit ELSE hit END;
END
$$;

-- roles: [{"role": ..., "conditions": ...}, ...] in priority order.
CREATE FUNCTION match_bench.plpg_match_role(roles jsonb, person jsonb)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    r jsonb;
    i integer;
BEGIN
    FOR i IN 0 .. jsonb_array_length(roles) - 1 LOOP
        r := roles -> i;
        IF jsonb_typeof(r -> 'conditions') = 'object'
           AND match_bench.plpg_eval(r -> 'conditions', person) THEN
            RETURN r ->> 'role';
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

-- The template's roles as the interpreter reads them, once per query.
CREATE VIEW match_bench.bench_roles AS
SELECT jsonb_agg(jsonb_build_object('role', tr.role, 'conditions', tr.conditions) ORDER BY tr.priority) AS roles
  FROM buying_group.template_roles tr
 WHERE tr.template = 'Bench';

--------------------------------------------------------------------------
-- Timing
--------------------------------------------------------------------------

CREATE TABLE match_bench.query (label text PRIMARY KEY, ord integer NOT NULL, slow boolean NOT NULL, sql text NOT NULL);
INSERT INTO match_bench.query VALUES
    ('floor: count(*)', 1, false,
     'SELECT NULL::text, count(*) FROM match_bench.person p'),
    ('floor: GROUP BY constant', 2, false,
     'SELECT ''x''::text AS role, count(*) FROM match_bench.person p GROUP BY 1'),
    ('floor: count(p) (whole-row record)', 3, false,
     'SELECT NULL::text, count(p) FROM match_bench.person p'),
    ('(a) match_role', 4, false,
     'SELECT buying_group.match_role(''Bench'', p) AS role, count(*) FROM match_bench.person p GROUP BY 1'),
    ('(b) CASE ... ILIKE', 5, false,
     'SELECT match_bench.case_role(p) AS role, count(*) FROM match_bench.person p GROUP BY 1'),
    ('(b2) CASE ... LIKE, lower() once per row', 6, false,
     'SELECT role, count(*) FROM match_bench.person_case_lower GROUP BY 1'),
    ('floor: GROUP BY account_key', 8, false,
     'SELECT p.account_key::text, count(*) FROM match_bench.person p GROUP BY 1'),
    ('(a2) match_role per account', 9, false,
     'SELECT p.account_key::text, count(buying_group.match_role(''Bench'', p)) FROM match_bench.person p GROUP BY 1'),
    ('(c) PL/pgSQL interpreter', 7, true,
     'SELECT match_bench.plpg_match_role(r.roles, to_jsonb(p)) AS role, count(*) '
     'FROM match_bench.person p CROSS JOIN match_bench.bench_roles r GROUP BY 1');

CREATE TABLE match_bench.timing (label text NOT NULL, jit text NOT NULL, run integer NOT NULL, ms double precision NOT NULL);
CREATE TABLE match_bench.jit_info (label text NOT NULL, jit_functions integer, jit_ms double precision);

-- Runs a query to completion (every output row consumed) and returns its wall time in ms.
CREATE FUNCTION match_bench.time_query(q text)
RETURNS double precision
LANGUAGE plpgsql
AS $$
DECLARE
    t0 timestamptz;
    groups bigint;
    total numeric;
BEGIN
    t0 := clock_timestamp();
    EXECUTE format('SELECT count(*), sum(n) FROM (%s) AS s(role, n)', q) INTO groups, total;
    RETURN 1000 * extract(epoch FROM clock_timestamp() - t0)::double precision;
END
$$;

SELECT set_config('match_bench.runs', :'runs', false) \gset
SELECT set_config('match_bench.jit_modes', :'jit_modes', false) \gset

\echo
\echo == Timing: fast queries interleaved, :runs runs each, per JIT setting (jit_modes = :jit_modes)
DO $$
DECLARE
    runs integer := current_setting('match_bench.runs')::integer;
    mode text;
    q record;
    r integer;
    plan json;
BEGIN
    FOREACH mode IN ARRAY string_to_array(current_setting('match_bench.jit_modes'), ',') LOOP
        PERFORM set_config('jit', mode, true);
        -- warm-up: caches, the template, JIT libraries
        FOR q IN SELECT * FROM match_bench.query WHERE NOT slow ORDER BY ord LOOP
            PERFORM match_bench.time_query(q.sql);
        END LOOP;
        FOR r IN 1 .. runs LOOP
            FOR q IN SELECT * FROM match_bench.query WHERE NOT slow ORDER BY ord LOOP
                INSERT INTO match_bench.timing VALUES (q.label, mode, r, match_bench.time_query(q.sql));
            END LOOP;
        END LOOP;
        IF mode = 'on' THEN
            -- how much of the time was spent compiling (one extra, untimed run)
            FOR q IN SELECT * FROM match_bench.query WHERE NOT slow ORDER BY ord LOOP
                EXECUTE format('EXPLAIN (ANALYZE, FORMAT JSON) %s', q.sql) INTO plan;
                INSERT INTO match_bench.jit_info VALUES
                    (q.label, (plan -> 0 -> 'JIT' ->> 'Functions')::integer,
                     (plan -> 0 -> 'JIT' -> 'Timing' ->> 'Total')::double precision);
            END LOOP;
        END IF;
    END LOOP;
END
$$;

\echo == Timing: (c) PL/pgSQL interpreter, once, jit = off
SET jit = off;
INSERT INTO match_bench.timing
SELECT label, 'off', 1, match_bench.time_query(sql) FROM match_bench.query WHERE slow;
RESET jit;

--------------------------------------------------------------------------
-- Same role for every person from (a), (b) and (c)?
--------------------------------------------------------------------------

\echo
\echo == Per-person check: persons whose role differs (expect all 0)
SET jit = off;
CREATE TABLE match_bench.mismatch AS
SELECT p.person_key, p.job_title, p.seniority, p.department, p.email,
       buying_group.match_role('Bench', p) AS match_role,
       match_bench.case_role(p) AS case_role,
       l.role AS case_lower_role,
       match_bench.plpg_match_role(r.roles, to_jsonb(p)) AS plpgsql_role
  FROM match_bench.person p
  JOIN match_bench.person_case_lower l USING (person_key)
 CROSS JOIN match_bench.bench_roles r;
RESET jit;
SELECT count(*) AS persons_checked,
       count(*) FILTER (WHERE match_role IS DISTINCT FROM case_role) AS match_role_vs_case,
       count(*) FILTER (WHERE match_role IS DISTINCT FROM case_lower_role) AS match_role_vs_case_lower,
       count(*) FILTER (WHERE match_role IS DISTINCT FROM plpgsql_role) AS match_role_vs_plpgsql,
       count(*) FILTER (WHERE case_role IS DISTINCT FROM plpgsql_role) AS case_vs_plpgsql
  FROM match_bench.mismatch;
SELECT person_key, job_title, seniority, department, email, match_role, case_role, case_lower_role, plpgsql_role
  FROM match_bench.mismatch
 WHERE match_role IS DISTINCT FROM case_role OR match_role IS DISTINCT FROM plpgsql_role
    OR match_role IS DISTINCT FROM case_lower_role
 ORDER BY person_key
 LIMIT 10;

\echo == Roles given by match_role
SELECT coalesce(match_role, '(none)') AS role, count(*) AS persons,
       round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct
  FROM match_bench.mismatch GROUP BY 1 ORDER BY 2 DESC;
DROP TABLE match_bench.mismatch;

--------------------------------------------------------------------------
-- Report
--------------------------------------------------------------------------

\echo
\echo == Results (median of the timed runs; ns/row = median / persons)
SELECT count(*) AS persons FROM match_bench.person \gset
CREATE TEMP VIEW med AS
SELECT t.label, t.jit, q.ord, count(*) AS runs,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY t.ms) AS median_ms,
       min(t.ms) AS min_ms, max(t.ms) AS max_ms
  FROM match_bench.timing t JOIN match_bench.query q USING (label)
 GROUP BY t.label, t.jit, q.ord;

SELECT m.label AS query, m.jit, m.runs,
       round(m.median_ms::numeric, 1) AS median_ms,
       round(m.min_ms::numeric, 1) AS min_ms,
       round(m.max_ms::numeric, 1) AS max_ms,
       round((m.median_ms * 1e6 / :persons)::numeric) AS ns_per_row,
       j.jit_functions, round(j.jit_ms::numeric, 1) AS jit_compile_ms
  FROM med m LEFT JOIN match_bench.jit_info j ON j.label = m.label AND m.jit = 'on'
 ORDER BY m.jit, m.ord;

\echo == Ratios and SPEC goals (section 10)
SELECT a.jit,
       round((a.median_ms / b.median_ms)::numeric, 3) AS match_role_over_case,
       round(((a.median_ms - f.median_ms) / (b.median_ms - f.median_ms))::numeric, 3)
           AS same_net_of_group_by_floor,
       CASE WHEN a.median_ms <= b.median_ms THEN 'met' ELSE 'NOT met' END AS "goal <= 1.0",
       round((a.median_ms / b2.median_ms)::numeric, 3) AS match_role_over_b2,
       round((c.median_ms / a.median_ms)::numeric, 1) AS plpgsql_over_match_role,
       CASE WHEN c.median_ms >= 20 * a.median_ms THEN 'met' ELSE 'NOT met' END AS "goal >= 20"
  FROM med a
  JOIN med b ON b.jit = a.jit AND b.label = '(b) CASE ... ILIKE'
  JOIN med f ON f.jit = a.jit AND f.label = 'floor: GROUP BY constant'
  LEFT JOIN med b2 ON b2.jit = a.jit AND b2.label = '(b2) CASE ... LIKE, lower() once per row'
  LEFT JOIN med c ON c.label = '(c) PL/pgSQL interpreter'
 WHERE a.label = '(a) match_role'
 ORDER BY a.jit;

\echo == match_role per account against the GROUP BY account_key floor (issue goal <= 1.5)
SELECT a.jit, round((a.median_ms / f.median_ms)::numeric, 2) AS match_role_per_account_over_floor,
       CASE WHEN a.median_ms <= 1.5 * f.median_ms THEN 'met' ELSE 'NOT met' END AS "goal <= 1.5"
  FROM med a
  JOIN med f ON f.jit = a.jit AND f.label = 'floor: GROUP BY account_key'
 WHERE a.label = '(a2) match_role per account'
 ORDER BY a.jit;

SELECT current_setting('server_version') AS server_version,
       current_setting('jit_above_cost') AS jit_above_cost,
       current_setting('shared_buffers') AS shared_buffers,
       pg_size_pretty(pg_table_size('match_bench.person')) AS person_table_size;
