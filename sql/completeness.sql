-- Completeness aggregates (SPEC 4, 5) and every worked example of AJO's
-- documentation (shared/reference/ajo-examples.json) as regression tests.
\set SHOW_CONTEXT never

-- one template per example: a single required role with its threshold
SELECT buying_group.create_template('AJO DM3') > 0 AS created;
SELECT buying_group.add_template_role('AJO DM3', 'Decision Maker', members_required => 3);
SELECT buying_group.create_template('AJO Inf5') > 0 AS created;
SELECT buying_group.add_template_role('AJO Inf5', 'Influencer', members_required => 5);

-- role_completeness examples: (role, members_required, assigned, expected, display)
CREATE TABLE ajo_role_example (tmpl text, role text, assigned int, expected numeric, display int);
INSERT INTO ajo_role_example VALUES
  ('AJO DM3', 'Decision Maker', 0, 0, NULL), ('AJO DM3', 'Decision Maker', 1, 33.333333, NULL),
  ('AJO DM3', 'Decision Maker', 2, 66.666667, 67), ('AJO DM3', 'Decision Maker', 3, 100, NULL),
  ('AJO DM3', 'Decision Maker', 4, 100, NULL),
  ('AJO Inf5', 'Influencer', 0, 0, NULL), ('AJO Inf5', 'Influencer', 1, 20, NULL), ('AJO Inf5', 'Influencer', 2, 40, NULL),
  ('AJO Inf5', 'Influencer', 3, 60, NULL), ('AJO Inf5', 'Influencer', 4, 80, NULL), ('AJO Inf5', 'Influencer', 5, 100, NULL),
  ('AJO Inf5', 'Influencer', 6, 100, NULL);

-- a group of `assigned` members holding the role (and one member without a role)
SELECT e.tmpl, e.assigned, e.expected, g.completeness, round(g.completeness, 6) = e.expected AS as_documented,
       round(g.completeness) AS display, e.display IS NULL OR round(g.completeness) = e.display AS display_ok
  FROM ajo_role_example e,
       LATERAL (SELECT buying_group.completeness(e.tmpl, r) AS completeness
                  FROM (SELECT e.role FROM generate_series(1, e.assigned) UNION ALL SELECT NULL) m(r)) g
 ORDER BY e.tmpl, e.assigned;

-- group_completeness example 1: every threshold 1, 3 of 4 roles filled -> 75
SELECT buying_group.create_template('AJO four roles') > 0 AS created;
SELECT buying_group.add_template_role('AJO four roles', r) FROM unnest(ARRAY['Decision Maker', 'Influencer', 'Practitioner', 'Champion']) r;
SELECT buying_group.completeness('AJO four roles', r) AS completeness
  FROM unnest(ARRAY['Decision Maker', 'Decision Maker', 'Influencer', 'Practitioner']) r;

-- group_completeness example 2: thresholds 3/5/1, assigned 2/6/0 -> 55.555556, display 56
SELECT buying_group.create_template('AJO 3-5-1') > 0 AS created;
SELECT buying_group.add_template_role('AJO 3-5-1', 'Decision Maker', weight => 'vital', members_required => 3);
SELECT buying_group.add_template_role('AJO 3-5-1', 'Influencer', weight => 'important', members_required => 5);
SELECT buying_group.add_template_role('AJO 3-5-1', 'Practitioner', weight => 'normal', members_required => 1);
CREATE TABLE ajo_group (role text);
INSERT INTO ajo_group SELECT 'Decision Maker' FROM generate_series(1, 2);
INSERT INTO ajo_group SELECT 'Influencer' FROM generate_series(1, 6);
SELECT buying_group.completeness('AJO 3-5-1', role) AS completeness,
       round(buying_group.completeness('AJO 3-5-1', role), 6) AS six_places,
       round(buying_group.completeness('AJO 3-5-1', role)) AS display,
       buying_group.role_completeness('AJO 3-5-1', role) AS per_role
  FROM ajo_group;

-- weights do not enter the default (mean) completeness; the weighted mode uses them:
-- (100 * 66.67 + 80 * 100 + 60 * 0) / 240 = 61.11
SELECT buying_group.create_template('Weighted 3-5-1', completeness_mode => 'weighted') > 0 AS created;
SELECT buying_group.add_template_role('Weighted 3-5-1', role, weight => weight, members_required => n)
  FROM (VALUES ('Decision Maker', 'vital', 3), ('Influencer', 'important', 5), ('Practitioner', 'normal', 1)) v(role, weight, n);
SELECT buying_group.completeness('Weighted 3-5-1', role) AS weighted FROM ajo_group;

-- roles that are not required do not count; NULL roles are ignored
SELECT buying_group.add_template_role('AJO DM3', 'Other', required => false);
SELECT buying_group.completeness('AJO DM3', r)
  FROM unnest(ARRAY['Decision Maker', 'Other', 'Other', NULL]) r;
SELECT buying_group.role_completeness('AJO DM3', r)
  FROM unnest(ARRAY['Decision Maker', 'Other', 'Other', NULL]) r;

-- no rows: NULL; a template without required roles: NULL
SELECT buying_group.completeness('AJO DM3', r) IS NULL AS no_rows FROM unnest(ARRAY[]::text[]) r;
SELECT buying_group.create_template('Nothing required') > 0 AS created;
SELECT buying_group.add_template_role('Nothing required', 'Other', required => false);
SELECT buying_group.completeness('Nothing required', 'Other') IS NULL AS no_required_role;

-- misuse
SELECT buying_group.completeness('AJO DM3', r) FROM unnest(ARRAY['Decision Maker', 'Chef']) r;
SELECT buying_group.completeness(t, 'Decision Maker') FROM unnest(ARRAY['AJO DM3', 'AJO Inf5']) t;
SELECT buying_group.completeness(NULL, 'Decision Maker');
SELECT buying_group.completeness('No such template', 'Decision Maker');

-- the state's text form round-trips, and its final value is the aggregate's
SELECT '{"template": "AJO 3-5-1", "counts": {"Decision Maker": 2, "Influencer": 6, "Other \"x\"": 1}}'::buying_group.completeness_state;
SELECT buying_group_internal.completeness_finalfn(
         '{"template": "AJO 3-5-1", "counts": {"Decision Maker": 2, "Influencer": 6}}'::buying_group.completeness_state::text
         ::buying_group.completeness_state)
       = (SELECT buying_group.completeness('AJO 3-5-1', role) FROM ajo_group) AS same_value;
SELECT 'not json'::buying_group.completeness_state;
SELECT '{"template": "x", "counts": {"a": -1}}'::buying_group.completeness_state;
SELECT '{"template": 1, "counts": {}}'::buying_group.completeness_state;
SELECT '{"template": "x", "counts": {"a": "2"}}'::buying_group.completeness_state;

-- ad hoc, what-if, over any table: the completeness each account would have
CREATE TABLE crm_person (account_key text, job_title text);
INSERT INTO crm_person VALUES ('a1', 'CEO'), ('a1', 'Head of Sales'), ('a1', 'CTO'),
  ('a2', 'Engineer'), ('a2', NULL), ('a3', 'CFO'), ('a3', 'Chief Data Officer'), ('a3', 'Chief People Officer');
SELECT buying_group.create_template('What if') > 0 AS created;
SELECT buying_group.add_template_role('What if', 'Decision Maker', members_required => 2,
         conditions => '{"attr": "job_title", "op": "starts_with", "value": ["c", "chief"]}');
SELECT buying_group.add_template_role('What if', 'Influencer',
         conditions => '{"attr": "job_title", "op": "contains", "value": "head"}');
SELECT account_key,
       buying_group.completeness('What if', buying_group.match_role('What if', p)),
       buying_group.role_completeness('What if', buying_group.match_role('What if', p))
  FROM crm_person p GROUP BY account_key ORDER BY 1;

-- a forced parallel plan: Partial Aggregate in workers, combined in the leader,
-- the same results as the serial plan
CREATE TABLE big_member AS
SELECT g AS group_id,
       CASE WHEN i <= g % 4 THEN 'Decision Maker'
            WHEN i % 5 = 0 AND g % 3 = 0 THEN 'Influencer'
            WHEN g % 2 = 0 THEN 'Practitioner' END AS role
  FROM generate_series(1, 60) g, generate_series(1, (g * 13) % 61 * 20) i;
ANALYZE big_member;
CREATE TABLE serial_result AS
SELECT group_id, buying_group.completeness('AJO 3-5-1', role) AS c, buying_group.role_completeness('AJO 3-5-1', role) AS rc
  FROM big_member GROUP BY group_id;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT group_id, buying_group.completeness('AJO 3-5-1', role) FROM big_member GROUP BY group_id;
CREATE TABLE parallel_result AS
SELECT group_id, buying_group.completeness('AJO 3-5-1', role) AS c, buying_group.role_completeness('AJO 3-5-1', role) AS rc
  FROM big_member GROUP BY group_id;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE s.c IS DISTINCT FROM p.c OR s.rc IS DISTINCT FROM p.rc) AS differences
  FROM serial_result s JOIN parallel_result p USING (group_id);
SELECT round(c, 2) AS completeness, count(*) AS groups FROM serial_result GROUP BY 1 ORDER BY 1;

-- differential: the aggregate against the SPEC 5 formula in plain SQL, on random
-- templates (thresholds 1..5, some roles not required) and random groups
SELECT setseed(0.77);
CREATE TABLE diff_template AS
SELECT t, r.role, 1 + floor(random() * 5)::int AS n, random() < 0.8 OR r.role = 'Decision Maker' AS req
  FROM generate_series(1, 12) t,
       unnest(ARRAY['Decision Maker', 'Influencer', 'Practitioner', 'Champion', 'Executive Steering Committee']) r(role)
 WHERE random() < 0.8 OR r.role = 'Decision Maker';
SELECT count(*) FROM (
  SELECT buying_group.create_template('Diff ' || t) FROM diff_template GROUP BY t) s;
SELECT count(*) FROM (
  SELECT buying_group.add_template_role('Diff ' || t, role, members_required => n, required => req) FROM diff_template) s;
CREATE TABLE diff_member AS
SELECT t, g, (SELECT role FROM diff_template d WHERE d.t = x.t ORDER BY random() + x.i * 0 LIMIT 1) AS role
  FROM (SELECT t, g, i FROM generate_series(1, 12) t, generate_series(1, 40) g, generate_series(1, 8) i
         WHERE random() < 0.6) x;
CREATE TABLE diff_c AS
SELECT t, g, buying_group.completeness('Diff ' || t, role) AS c FROM diff_member GROUP BY t, g;
CREATE TABLE diff_ref AS
SELECT k.t, k.g,
       100 * avg(least(coalesce(a.assigned, 0), d.n)::numeric / d.n) FILTER (WHERE d.req) AS c
  FROM (SELECT DISTINCT t, g FROM diff_member) k
  JOIN diff_template d ON d.t = k.t
  LEFT JOIN (SELECT t, g, role, count(*) AS assigned FROM diff_member GROUP BY 1, 2, 3) a
         ON a.t = k.t AND a.g = k.g AND a.role = d.role
 GROUP BY k.t, k.g;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE round(c.c, 12) IS DISTINCT FROM round(r.c, 12)) AS mismatches,
       count(DISTINCT round(c.c, 2)) > 10 AS varied
  FROM diff_c c JOIN diff_ref r USING (t, g);

-- from counts (one row per role and how many hold it: what stored scores use), the same
-- as over the rows, on every group of the differential data; negative counts are refused
SELECT count(*) AS groups,
       count(*) FILTER (WHERE k.c IS DISTINCT FROM c.c) AS mismatches
  FROM (SELECT t, g, buying_group.completeness('Diff ' || t, role, n) AS c
          FROM (SELECT t, g, role, count(*) AS n FROM diff_member GROUP BY 1, 2, 3) counted
         GROUP BY t, g) k
  JOIN diff_c c USING (t, g);
SELECT buying_group.completeness('AJO 3-5-1', role, n) AS completeness
  FROM (VALUES ('Decision Maker', 2), ('Influencer', 6), ('Practitioner', NULL), (NULL, 4)) v(role, n);
SELECT buying_group.completeness('AJO 3-5-1', 'Influencer', -1);
