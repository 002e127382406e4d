-- match_role, match_roles, explain_match (SPEC 4): priority order, roles without
-- conditions, any record type, cached templates following catalog changes.
\set SHOW_CONTEXT never
CREATE TABLE person (person_key text PRIMARY KEY, account_key text, job_title text,
                     seniority text, department text, email text, attributes jsonb);
INSERT INTO person VALUES
  ('p1', 'a1', 'Chief Technology Officer', 'C-Level', 'IT', 'cto@acme.com', '{"budget_owner": true}'),
  ('p2', 'a1', ' IT manager ', 'Manager', 'IT', 'mgr@acme.com', '{"budget_owner": false}'),
  ('p3', 'a1', 'Developer', NULL, ' it ', 'dev@gmail.com', NULL),
  ('p4', 'a2', 'Sr. VP, Eng.', 'VP', 'Engineering', 'vp@beta.io', '{"budget_owner": true}'),
  ('p5', 'a2', NULL, NULL, NULL, NULL, NULL),
  ('p6', 'a2', 'Procurement Director', 'Director', 'Finance', 'buyer@beta.io', '{}');

SELECT buying_group.create_template('Field Sales') > 0 AS created;
SELECT buying_group.add_template_role('Field Sales', 'Decision Maker', weight => 'vital', conditions =>
  '{"any": [{"attr": "seniority", "op": "in", "value": ["C-Level", "VP"]},
            {"attr": "attributes.budget_owner", "op": "eq", "value": true}]}');
SELECT buying_group.add_template_role('Field Sales', 'Influencer', weight => 'important', conditions =>
  '{"attr": "job_title", "op": "contains", "value": ["director", "manager", "vice president", "vp"]}');
SELECT buying_group.add_template_role('Field Sales', 'Practitioner', conditions =>
  '{"all": [{"attr": "department", "op": "eq", "value": "IT"},
            {"not": {"attr": "email", "op": "ends_with", "value": "@gmail.com"}}]}');
SELECT buying_group.add_template_role('Field Sales', 'Other', required => false);

-- the first role in priority order wins; every matching role in match_roles
SELECT person_key, buying_group.match_role('Field Sales', p) AS role,
       buying_group.match_roles('Field Sales', p) AS roles
  FROM person p ORDER BY person_key;

-- a role without conditions never auto-matches
SELECT count(*) FILTER (WHERE 'Other' = ANY (buying_group.match_roles('Field Sales', p))) AS other_matches
  FROM person p;

-- priority order changes the answer (the cache follows the catalog within the session)
SELECT buying_group.move_template_role('Field Sales', 'Practitioner', 1);
SELECT person_key, buying_group.match_role('Field Sales', p) AS role FROM person p ORDER BY person_key;
SELECT buying_group.move_template_role('Field Sales', 'Practitioner', 3);

-- and the conditions too, inside one transaction, and back after a rollback
BEGIN;
SELECT buying_group.remove_template_role('Field Sales', 'Decision Maker');
SELECT person_key, buying_group.match_role('Field Sales', p) AS role FROM person p WHERE person_key IN ('p1', 'p4');
ROLLBACK;
SELECT person_key, buying_group.match_role('Field Sales', p) AS role FROM person p WHERE person_key IN ('p1', 'p4');

-- grouped, as an analyst asks it
SELECT coalesce(buying_group.match_role('Field Sales', p), '(none)') AS role, count(*)
  FROM person p GROUP BY 1 ORDER BY 1;

-- a view row, a ROW(...) of a query, several templates in one query
CREATE VIEW person_v AS SELECT person_key, job_title, seniority, department, email, attributes FROM person;
SELECT person_key, buying_group.match_role('Field Sales', v) FROM person_v v WHERE person_key < 'p3' ORDER BY 1;
SELECT buying_group.match_role('Field Sales', r)
  FROM (SELECT 'Head of IT' AS job_title, 'Director' AS seniority, 'it' AS department,
               'x@y.z' AS email, NULL::jsonb AS attributes) r;
SELECT buying_group.create_template('Titles') > 0 AS created;
SELECT buying_group.add_template_role('Titles', 'Executive Steering Committee', conditions =>
  '{"attr": "job_title", "op": "title_like", "value": "senior vice president engineering", "threshold": 0.7}');
SELECT buying_group.add_template_role('Titles', 'Champion', conditions =>
  '{"attr": "job_title", "op": "matches", "value": "\\m(it|developer)\\M"}');
SELECT person_key, t.name AS template, buying_group.match_role(t.name, p) AS role
  FROM person p CROSS JOIN (VALUES ('Field Sales'), ('Titles')) t(name)
 WHERE person_key IN ('p2', 'p3', 'p4') ORDER BY 1, 2;

-- NULL in, NULL out; an unknown template; a row without the columns a rule names
SELECT buying_group.match_role('Field Sales', NULL::person) IS NULL AS null_person;
SELECT buying_group.match_role('Nope', p) FROM person p;
SELECT buying_group.match_role('Field Sales', r) FROM (SELECT 'CTO' AS job_title) r;

-- explain: why p3 is (not) a Decision Maker, an Influencer, a Practitioner
SELECT jsonb_pretty(buying_group.explain_match('Field Sales', p)) FROM person p WHERE person_key = 'p3';
SELECT r->>'role' AS role, r->>'matched' AS matched
  FROM person p, jsonb_array_elements(buying_group.explain_match('Field Sales', p)->'roles') r
 WHERE person_key = 'p1';
SELECT buying_group.explain_match('Titles', p)->'roles'->0->'conditions' FROM person p WHERE person_key = 'p4';

-- explain agrees with match_role and match_roles on every person
SELECT count(*) AS disagreements
  FROM person p
 WHERE (buying_group.explain_match('Field Sales', p)->>'role') IS DISTINCT FROM buying_group.match_role('Field Sales', p)
    OR ARRAY(SELECT jsonb_array_elements_text(buying_group.explain_match('Field Sales', p)->'matched_roles'))
       IS DISTINCT FROM buying_group.match_roles('Field Sales', p);

-- a reader may match; matching works on a draft template too (what-if)
CREATE ROLE bg_match_reader IN ROLE buying_group_reader;
GRANT SELECT ON person TO bg_match_reader;
SET ROLE bg_match_reader;
SELECT person_key, buying_group.match_role('Titles', p) FROM person p WHERE person_key = 'p4';
RESET ROLE;
DROP OWNED BY bg_match_reader;
DROP ROLE bg_match_reader;

-- parallel workers load and bind templates on their own: same answers as serial
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET force_parallel_mode = on;
EXPLAIN (COSTS OFF) SELECT person_key, buying_group.match_role('Field Sales', p) FROM person p;
SELECT person_key, buying_group.match_role('Field Sales', p) AS role FROM person p ORDER BY 1;
RESET force_parallel_mode;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;

-- the catalog changing in the middle of a query: every call site rebinds, none
-- reads a template freed by another
CREATE FUNCTION poke(k text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM buying_group.set_members_required('Titles', 'Champion', 1 + length(k) % 3);
    RETURN k;
END
$$;
SELECT poke(person_key), buying_group.match_role('Field Sales', p) AS sales,
       buying_group.match_role('Titles', p) AS titles,
       buying_group.explain_match('Titles', p)->>'role' AS explained
  FROM person p ORDER BY 1;

-- Leaf results are remembered per distinct value of a text column
-- (rule_memo.c). On values that repeat, values that never repeat (the memo
-- gives up on such a column after 16,384 lookups), more distinct values than
-- it keeps (65,536), long values stored compressed (never remembered) and
-- NULLs, match_role agrees on every row with the SQL the same rules compile to.
CREATE TABLE memo_person (id integer, title text, email text);
INSERT INTO memo_person
SELECT i,
       CASE WHEN i % 97 = 0 THEN NULL
            WHEN i <= 20000 THEN (ARRAY['VP Sales', ' cto ', 'IT Manager', 'Engineer', 'Director of IT', 'intern'])[1 + i % 6]
            WHEN i % 3 = 0 THEN (ARRAY['VP Sales', ' CTO', 'it manager '])[1 + i % 9 / 3]
            WHEN i % 1000 = 1 THEN repeat('manager ', 1000) || i
            ELSE 'Engineer ' || i || CASE WHEN i % 2 = 0 THEN ' Manager' ELSE '' END END,
       'user' || i || CASE WHEN i % 5 = 0 THEN '@gmail.com' ELSE '@corp.example' END
  FROM generate_series(1, 120000) i;
SELECT count(DISTINCT title) > 65536 AS more_than_kept,
       count(*) FILTER (WHERE pg_column_compression(title) IS NOT NULL) AS compressed
  FROM memo_person;
SELECT buying_group.create_template('Memo') > 0 AS created;
SELECT buying_group.add_template_role('Memo', 'Decision Maker', conditions =>
    '{"any": [{"attr": "title", "op": "eq", "value": "cto"}, {"attr": "title", "op": "starts_with", "value": "vp"}]}');
SELECT buying_group.add_template_role('Memo', 'Champion', conditions =>
    '{"all": [{"attr": "title", "op": "contains", "value": "manager"}, {"not": {"attr": "email", "op": "ends_with", "value": "@gmail.com"}}]}');
SELECT buying_group.add_template_role('Memo', 'Practitioner', conditions =>
    '{"any": [{"attr": "title", "op": "contains", "value": "engineer"}, {"attr": "title", "op": "is_empty"}]}');
SELECT buying_group.add_template_role('Memo', 'Other', conditions =>
    '{"attr": "email", "op": "contains", "value": "7"}');
DO $$
DECLARE
    reference text;
    differ bigint;
BEGIN
    SELECT 'CASE ' || string_agg(format('WHEN %s THEN %L', buying_group.rule_to_sql(tr.conditions, 'memo_person', 'p'), tr.role),
                                 ' ' ORDER BY tr.priority) || ' END'
      INTO reference
      FROM buying_group.template_roles tr WHERE tr.template = 'Memo';
    EXECUTE format('SELECT count(*) FROM memo_person p WHERE buying_group.match_role(''Memo'', p) IS DISTINCT FROM %s',
                   reference) INTO differ;
    RAISE NOTICE 'persons whose role differs from the compiled SQL: %', differ;
END
$$;
SELECT buying_group.match_role('Memo', p) AS role, count(*) FROM memo_person p GROUP BY 1 ORDER BY 1;
DROP TABLE memo_person;
SELECT buying_group.delete_template('Memo');
