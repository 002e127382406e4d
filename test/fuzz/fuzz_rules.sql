-- Deterministic random fuzz driver for everything that takes a rule.
--
-- Mutates a corpus of valid rules (character flips, inserted JSON tokens,
-- deleted and duplicated spans, splices of two rules) and feeds every input
-- to buying_group.check_rule() against a row type. An accepted rule is then
-- evaluated on every row (as text and as jsonb), compiled to SQL with
-- rule_to_sql() and run, and the two must agree row by row; every 25th is
-- also a role condition of a draft template matched with match_role(), and
-- an audience made with create_audience(). The only errors allowed are the
-- rule errors (22032, 22023, 54000); anything else, a disagreement, a crash,
-- a hang (statement_timeout) or memory that keeps growing fails the run.
-- psql variables: seed, iterations, seconds.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET statement_timeout = '600s';
DROP SCHEMA IF EXISTS fuzz CASCADE;
CREATE SCHEMA fuzz;
CREATE EXTENSION IF NOT EXISTS buying_group;

CREATE TABLE fuzz.person (job_title text, seniority text, n integer, amount numeric, x float8,
                          d date, ts timestamptz, flag boolean, attributes jsonb, tags text[],
                          fuzz_key text PRIMARY KEY);
INSERT INTO fuzz.person VALUES
  ('Chief Technology Officer', 'C-Level', 5, 10.5, 1.5, '2026-01-01', '2026-01-01 10:00+00', true,
   '{"level": 3, "tier": "gold", "a": {"b": "c"}}', '{x,y}', 'k1'),
  ('  sr. vp, eng. ', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'k2'),
  ('', '', 0, 0, 0, '1970-01-01', '1970-01-01 00:00+00', false, '{}', '{}', 'k3'),
  (repeat('Ünïcödé ', 50), 'VP', -1, -1e20, 'NaN', 'infinity', '-infinity', true, '{"level": "x"}', '{""}', 'k4');
-- the same table serves as accounts (audiences) and persons (templates)
SELECT buying_group.bind_accounts('fuzz.person', 'fuzz_key', 'job_title');
SELECT buying_group.create_template('fuzz');

CREATE TABLE fuzz.corpus (id serial, rule text);
INSERT INTO fuzz.corpus (rule) VALUES
  ('{"attr": "job_title", "op": "contains", "value": ["chief", "cto"]}'),
  ('{"any": [{"attr": "job_title", "op": "title_like", "value": "vice president engineering", "threshold": 0.6}, {"all": [{"attr": "seniority", "op": "in", "value": ["VP", "Director"]}, {"not": {"attr": "job_title", "op": "ends_with", "value": "@gmail.com"}}]}]}'),
  ('{"attr": "n", "op": "between", "value": [1, 10]}'),
  ('{"attr": "amount", "op": "gte", "value": 10.25}'),
  ('{"attr": "x", "op": "lt", "value": -0.5e3}'),
  ('{"attr": "d", "op": "between", "value": ["2025-01-01", "2026-12-31"]}'),
  ('{"attr": "ts", "op": "gt", "value": "2025-06-01T12:00:00Z"}'),
  ('{"attr": "flag", "op": "eq", "value": true}'),
  ('{"attr": "attributes.level", "op": "gte", "value": 2}'),
  ('{"attr": "attributes.a.b", "op": "eq", "value": "C"}'),
  ('{"attr": "job_title", "op": "matches", "value": "^(chief|head) .*(officer|it)$"}'),
  ('{"attr": "seniority", "op": "is_empty"}'),
  ('{"attr": "tags", "op": "contains", "value": "x"}'),
  ('{"not": {"not": {"not": {"attr": "job_title", "op": "starts_with", "value": "Ünï"}}}}'),
  ('{"attr": "job_title", "op": "not_in", "value": ["a", "b", "\u00e9", "\"quoted\""]}');

-- replaces one JSON token (a string, number, literal or bracket) of a valid
-- rule by another valid JSON value, so the input stays JSON and reaches the
-- rule checks rather than the JSON syntax checks
CREATE FUNCTION fuzz.mutate_token(s text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    values text[] := ARRAY['"eq"', '"ne"', '"in"', '"not_in"', '"contains"', '"gt"', '"between"', '"matches"',
                           '"title_like"', '"is_empty"', '"bogus"', '5', '-1.5e3', 'true', 'null', '[]', '{}',
                           '["a", 1]', '[1, 2]', '[2, 1]', '["2026-01-01", "2025-01-01"]', '"n"', '"d"', '"ts"',
                           '"flag"', '"amount"', '"tags"', '"attributes.level"', '"attributes"', '"nope"',
                           '"job_title.x"', '"(a"', '"[z-a]"', '"2026-02-30"', '"x"', '""', '0', '1.5',
                           '{"not": {"attr": "n", "op": "is_empty"}}', '{"all": []}', '{"any": [{}]}',
                           repeat('{"not": ', 40) || '{"attr": "n", "op": "is_empty"}' || repeat('}', 40)];
    pattern text := '"[^"\\]*"|-?[0-9][0-9.eE+-]*|true|false|null|\[\]|\{\}';
    n integer := regexp_count(s, pattern);
BEGIN
    IF n = 0 THEN
        RETURN s;
    END IF;
    RETURN regexp_replace(s, pattern, values[1 + floor(random() * array_length(values, 1))::int],
                          1, 1 + floor(random() * n)::int);
END
$$;

CREATE FUNCTION fuzz.mutate(s text, other text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    tokens text[] := ARRAY['{', '}', '[', ']', '"', ',', ':', '\', '\\', '\u', '\u0000', '\ud800', 'null', 'true',
                           'false', '1e999', '-0', '0.0000001', '99999999999999999999', '{"not":', '"all":[',
                           '"any":', '"attr"', '"op"', '"value"', '"threshold"', '"matches"', '"between"',
                           '"title_like"', '"(("', '"[[:alpha:]"', '"a{1000}{1000}"', '"\\"', '"é"', '""',
                           '"attributes.."', '"attributes.level"', '"n"', '"d"', '"2026-13-45"', ' ', E'\n'];
    alphabet text := '{}[]":,\ 0123456789.-+eEabcdefnlrstuvxyz_é';
    k integer := 1 + floor(random() * 4)::int;
    pos integer;
    len integer;
BEGIN
    FOR i IN 1..k LOOP
        pos := 1 + floor(random() * greatest(length(s), 1))::int;
        len := 1 + floor(random() * 12)::int;
        CASE floor(random() * 6)::int
            WHEN 0 THEN s := overlay(s placing substr(alphabet, 1 + floor(random() * length(alphabet))::int, 1) from pos for 1);
            WHEN 1 THEN s := overlay(s placing tokens[1 + floor(random() * array_length(tokens, 1))::int] from pos for 0);
            WHEN 2 THEN s := overlay(s placing '' from pos for len);
            WHEN 3 THEN s := overlay(s placing substr(s, pos, len) from pos for 0);
            WHEN 4 THEN s := left(s, pos) || substr(other, 1 + floor(random() * greatest(length(other), 1))::int);
            ELSE s := left(s, pos);
        END CASE;
    END LOOP;
    RETURN s;
END
$$;

-- resident set size of this backend, in kB
CREATE FUNCTION fuzz.rss_kb() RETURNS bigint LANGUAGE sql AS $$
    SELECT substring(pg_read_file('/proc/' || pg_backend_pid() || '/status') FROM 'VmRSS:\s+(\d+)')::bigint
$$;

CREATE TABLE fuzz.outcome (sqlstate text, n integer);

SELECT setseed(:seed);
DO $$
DECLARE
    iterations integer := current_setting('fuzz.iterations')::int;
    deadline timestamptz := clock_timestamp() + (current_setting('fuzz.seconds') || ' s')::interval;
    corpus text[] := ARRAY(SELECT rule FROM fuzz.corpus ORDER BY id);
    input text;
    state text;
    msg text;
    done integer := 0;
    rss_warm bigint;
    counts jsonb := '{}';
    c_keys text[];
    jsonb_keys text[];
    sql_keys text[];
    accepted integer := 0;
BEGIN
    FOR i IN 1..iterations LOOP
        EXIT WHEN clock_timestamp() > deadline;
        IF i = 2000 THEN rss_warm := fuzz.rss_kb(); END IF;
        input := corpus[1 + floor(random() * array_length(corpus, 1))::int];
        IF random() < 0.5 THEN
            input := fuzz.mutate_token(fuzz.mutate_token(input));
        ELSE
            input := fuzz.mutate(input, corpus[1 + floor(random() * array_length(corpus, 1))::int]);
        END IF;
        BEGIN
            PERFORM buying_group.check_rule(input, 'fuzz.person'::regtype);
            state := 'accepted';
            -- an accepted rule never fails at match time, and means the same
            -- in the evaluator (text or jsonb) and in the SQL it compiles to
            EXECUTE format('SELECT array_agg(p.fuzz_key ORDER BY p.fuzz_key) FROM fuzz.person p WHERE %s',
                           buying_group.rule_to_sql(input, 'fuzz.person'::regtype, 'p')) INTO sql_keys;
            SELECT array_agg(p.fuzz_key ORDER BY p.fuzz_key) INTO c_keys
              FROM fuzz.person p WHERE buying_group.eval_rule(input, p);
            SELECT array_agg(p.fuzz_key ORDER BY p.fuzz_key) INTO jsonb_keys
              FROM fuzz.person p WHERE buying_group.eval_rule(input::jsonb, p);
            IF c_keys IS DISTINCT FROM sql_keys OR c_keys IS DISTINCT FROM jsonb_keys THEN
                RAISE EXCEPTION 'fuzz: the evaluator (%, jsonb %) and the SQL (%) disagree', c_keys, jsonb_keys, sql_keys
                    USING ERRCODE = 'BGFZ1';
            END IF;
            accepted := accepted + 1;
            IF accepted % 25 = 0 THEN
                -- a role condition, matched; an audience, made and dropped
                PERFORM buying_group.add_template_role('fuzz', 'Champion', conditions => input);
                SELECT array_agg(p.fuzz_key ORDER BY p.fuzz_key) INTO sql_keys
                  FROM fuzz.person p WHERE buying_group.match_role('fuzz', p) IS NOT NULL;
                IF c_keys IS DISTINCT FROM sql_keys THEN
                    RAISE EXCEPTION 'fuzz: match_role (%) and eval_rule (%) disagree', sql_keys, c_keys
                        USING ERRCODE = 'BGFZ1';
                END IF;
                PERFORM buying_group.remove_template_role('fuzz', 'Champion');
                PERFORM buying_group.create_audience('fuzz', input);
                PERFORM buying_group.delete_audience('fuzz');
            END IF;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
            IF state NOT IN ('22032', '22023', '54000') THEN
                RAISE EXCEPTION 'fuzz: unexpected SQLSTATE % (%) for input %', state, msg, quote_literal(input);
            END IF;
        END;
        counts := jsonb_set(counts, ARRAY[state], to_jsonb(coalesce((counts->>state)::int, 0) + 1));
        done := i;
    END LOOP;
    INSERT INTO fuzz.outcome SELECT key, value::int FROM jsonb_each_text(counts);
    RAISE WARNING 'fuzz: % inputs, outcomes %', done, counts;
    IF rss_warm IS NOT NULL AND fuzz.rss_kb() - rss_warm > 50000 THEN
        RAISE EXCEPTION 'fuzz: backend memory grew by % kB after warm-up: a leak', fuzz.rss_kb() - rss_warm;
    END IF;
    IF done < 1000 THEN
        RAISE EXCEPTION 'fuzz: only % inputs ran', done;
    END IF;
END
$$;
-- the accepted share must be neither nothing nor everything: the mutations reach the checks
SELECT CASE WHEN (SELECT n FROM fuzz.outcome WHERE sqlstate = 'accepted') > 0
             AND (SELECT sum(n) FROM fuzz.outcome WHERE sqlstate <> 'accepted') > 0
            THEN 'fuzz: ok' ELSE 'fuzz: FAILED (no variety)' END AS result \gset
\echo :result
SELECT :'result' = 'fuzz: ok' AS ok \gset
\if :ok
\else
  \quit 3
\endif
DROP SCHEMA fuzz CASCADE;
