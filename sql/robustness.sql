-- Robustness: every function of the extension, called with NULL for every
-- argument and then with extreme values, ends in a result or a clean error,
-- never a crash. Each call runs in its own subtransaction that is rolled back,
-- so calls leave nothing behind. A crash would end this test's connection.
\set own_db bg_robustness
\i test/regress/own_database.psql
SET client_min_messages = warning;

-- something to reach past the first checks: bound tables, a live template,
-- a solution interest, an audience, a group with a member
CREATE TABLE person (person_key text PRIMARY KEY, account_key text NOT NULL, job_title text, attrs jsonb);
CREATE TABLE account (account_key text PRIMARY KEY, account_name text, attrs jsonb);
INSERT INTO account VALUES ('a1', 'Acme', '{"tier": "gold"}');
INSERT INTO person VALUES ('p1', 'a1', 'CTO', '{"seniority": "VP"}');
SELECT buying_group.bind_accounts('account', 'account_key', 'account_name');
SELECT buying_group.bind_persons('person', 'person_key', 'account_key');
SELECT buying_group.create_template('T');
SELECT buying_group.add_template_role('T', 'Decision Maker',
         conditions => '{"attr": "job_title", "op": "title_like", "value": "cto"}');
SELECT buying_group.publish_template('T');
SELECT buying_group.create_solution_interest('S', 'T');
SELECT buying_group.create_audience('All', '{"attr": "attrs.tier", "op": "is_not_empty"}');
SELECT buying_group.create_buying_groups('S', 'All');

-- An argument of type t: NULL (k = 0) or the k-th extreme value (1 to 4).
CREATE FUNCTION pg_temp.arg(t regtype, k integer) RETURNS text
LANGUAGE sql AS $$
    SELECT CASE
        WHEN k = 0 THEN 'NULL::' || t
        WHEN t IN ('integer'::regtype, 'bigint'::regtype, 'smallint'::regtype) THEN
             (ARRAY['(-2147483648)', '2147483647', '0', '(-1)'])[k] || '::' || t
        WHEN t IN ('numeric'::regtype, 'double precision'::regtype, 'real'::regtype) THEN
             (ARRAY['''NaN''', '''Infinity''', '''-Infinity''', '''1e30'''])[k] || '::' || t
        WHEN t = 'text'::regtype THEN
             (ARRAY['''''', 'repeat(''x'', 100000)', '''{"attr": "attrs.a.b.c", "op": "eq", "value": "x"}''',
                    'E''\u00e9\u4e2d \t'''])[k]
        WHEN t = 'jsonb'::regtype THEN
             (ARRAY['''{}''', '''[]''', '''{"attr": "attrs.tier", "op": "gt", "value": 1e308}''', '''"x"'''])[k] || '::jsonb'
        WHEN t = 'timestamp with time zone'::regtype THEN
             (ARRAY['''infinity''', '''-infinity''', '''4713-01-01 BC''', '''294276-12-31'''])[k] || '::timestamptz'
        WHEN t = 'date'::regtype THEN
             (ARRAY['''infinity''', '''-infinity''', '''epoch''', '''5874897-12-31'''])[k] || '::date'
        WHEN t = 'boolean'::regtype THEN (ARRAY['true', 'false', 'true', 'false'])[k]
        WHEN t = 'regtype'::regtype THEN (ARRAY['''record''', '''person''', '''int4''', '''account'''])[k] || '::regtype'
        WHEN t = 'regclass'::regtype THEN
             (ARRAY['''pg_class''', '''person''', '''account''', '''buying_group.bgroup'''])[k] || '::regclass'
        WHEN t = 'record'::regtype THEN
             (ARRAY['(SELECT p FROM person p)', 'ROW(1, 2)', '(SELECT a FROM account a)', 'ROW(NULL)'])[k]
        WHEN t = 'text[]'::regtype THEN
             (ARRAY['''{}''::text[]', 'ARRAY[NULL]::text[]', 'ARRAY[''a1'', ''a1'']', 'array_fill(''x''::text, ARRAY[2000])'])[k]
        WHEN t IN ('bigint[]'::regtype, 'integer[]'::regtype, 'numeric[]'::regtype) THEN
             (ARRAY['''{}''', 'ARRAY[NULL]', 'ARRAY[-1]', 'ARRAY[2147483647]'])[k] || '::' || t
        ELSE 'NULL::' || t
    END
$$;

-- Calls every function of the extension once, with arguments of kind k;
-- returns each one's outcome: ok, or the SQLSTATE of its error.
CREATE FUNCTION pg_temp.try_all(k integer)
RETURNS TABLE (fn text, outcome text)
LANGUAGE plpgsql AS $$
DECLARE
    f record;
    args text;
BEGIN
    FOR f IN
        SELECT p.oid::regprocedure::text AS sig, p.proargtypes::regtype[] AS types, n.nspname, p.proname
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname IN ('buying_group', 'buying_group_internal')
           AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)
           AND NOT 'internal'::regtype = ANY (p.proargtypes::regtype[])
           AND p.prokind IN ('f', 'a')
         ORDER BY 1
    LOOP
        SELECT string_agg(pg_temp.arg(t, k), ', ' ORDER BY i) INTO args
          FROM unnest(f.types) WITH ORDINALITY AS u(t, i);
        fn := f.sig;
        BEGIN
            EXECUTE format('SELECT %I.%I(%s)', f.nspname, f.proname, coalesce(args, ''));
            RAISE SQLSTATE 'BGRB1';          -- undo what the call did
        EXCEPTION
            WHEN SQLSTATE 'BGRB1' THEN outcome := 'ok';
            WHEN OTHERS THEN outcome := SQLSTATE;
        END;
        RETURN NEXT;
    END LOOP;
END
$$;

-- NULL for every argument: each function's outcome
SELECT fn, outcome FROM pg_temp.try_all(0) ORDER BY fn;

-- Extreme values: no call fails with an internal error (XX000) or crashes
-- (expect none listed), and every function was called four times
CREATE TEMP TABLE extreme_calls AS
SELECT k, c.fn, c.outcome FROM generate_series(1, 4) k, pg_temp.try_all(k) c;
SELECT k, fn, outcome FROM extreme_calls WHERE outcome LIKE 'XX%' ORDER BY 1, 2;
SELECT count(DISTINCT fn) > 50 AS many_functions, count(*) = 4 * count(DISTINCT fn) AS four_calls_each
  FROM extreme_calls;

-- Each of these once crashed the server or corrupted scores:
-- a jsonb-path attribute compiled to SQL (array_out called without its FmgrInfo)
SELECT buying_group.rule_to_sql('{"attr": "attrs.tier", "op": "eq", "value": "Gold"}', 'account'::regtype, 'a');
SELECT account_key FROM buying_group_audience.all;
-- huge member counts saturate instead of wrapping to a negative score
SELECT buying_group.completeness('T', r, n)
  FROM (VALUES ('Decision Maker', 9223372036854775807), ('Decision Maker', 9223372036854775807)) v(r, n);
-- a type id of 2^31 - 1 in capped_points (it sized an array by the type id)
SELECT buying_group_internal.capped_points(t, d, 1.5, 20)
  FROM (VALUES (2147483647, '2026-01-01'::date), (1, '2026-01-01'), (2147483647, '2026-01-01')) v(t, d);
-- NaN, Infinity and out-of-range weights and windows are refused
SELECT buying_group.create_engagement_model('M');
SELECT buying_group.set_activity_weight('M', 'page_viewed', 'NaN');
SELECT buying_group.set_activity_weight('M', 'page_viewed', 'Infinity');
SELECT buying_group.create_engagement_model('Long', window_days => 2147483647);
INSERT INTO buying_group.activity_weight (model_id, activity_type, weight)
SELECT id, 'x', 'NaN' FROM buying_group.engagement_model WHERE name = 'M';

-- the data the calls worked on is as it was
SELECT count(*) AS problems FROM buying_group.verify_scores();
SELECT name, member_count FROM buying_group.buying_groups;

\c :regress_db
DROP DATABASE bg_robustness;
