-- Buying groups (SPEC 2, 6, 9): bindings, solution interests, audiences as views,
-- the creation job, membership precedence, maintenance, simulate and the BI views.
\set SHOW_CONTEXT never
-- a database of its own: bindings are database-wide and the templates of the
-- other tests do not fit this persons table
\set own_db bg_groups
\i test/regress/own_database.psql
CREATE SCHEMA crm;
CREATE TABLE crm.account (account_id integer PRIMARY KEY, account_name text, industry text,
                          employees integer, country text, website text);
CREATE TABLE crm.person (person_key text PRIMARY KEY, account_id integer REFERENCES crm.account,
                         first_name text, last_name text, email text, job_title text, seniority text,
                         attributes jsonb);
INSERT INTO crm.account VALUES
  (1, 'Acme', 'Software', 5000, 'US', 'acme.com'),
  (2, 'Beta Corp', 'Retail', 200, 'DE', 'beta.de'),
  (3, 'Gamma', 'Software', 12000, 'FR', 'gamma.fr'),
  (4, 'Delta', ' software ', 80, 'US', 'delta.io');
INSERT INTO crm.person VALUES
  ('p1', 1, 'Ada', 'Lovelace', 'ada@acme.com', 'CTO', 'C-Level', '{"budget": true}'),
  ('p2', 1, 'Alan', 'Turing', 'alan@acme.com', 'VP Engineering', 'VP', NULL),
  ('p3', 1, 'Grace', 'Hopper', 'grace@acme.com', 'IT Director', 'Director', NULL),
  ('p4', 1, 'Linus', 'T', 'linus@acme.com', 'Software Engineer', 'Individual Contributor', NULL),
  ('p5', 3, 'Marie', 'Curie', 'marie@gamma.fr', 'Chief Information Officer', 'C-Level', NULL),
  ('p6', 3, 'Pierre', 'Curie', 'pierre@gamma.fr', 'Data Engineer', 'Individual Contributor', NULL),
  ('p7', 4, 'Dan', 'D', 'dan@delta.io', 'Founder', 'C-Level', NULL),
  ('p8', 2, 'Bea', 'B', 'bea@beta.de', 'Store Manager', 'Manager', NULL);

-- nothing works before the tables are bound
SELECT buying_group.create_audience('Early', '{"attr": "industry", "op": "eq", "value": "software"}');

-- bindings: clear errors for missing columns
SELECT buying_group.bind_accounts('crm.account', key => 'account_key', name => 'account_name');
SELECT buying_group.bind_accounts('crm.nope', key => 'account_id', name => 'account_name');
SELECT buying_group.bind_accounts('crm.account', key => 'account_id', name => 'account_name');
SELECT buying_group.bind_persons('crm.person', key => 'person_key', account => 'account');
SELECT buying_group.bind_persons('crm.person', key => 'person_key', account => 'account_id');
SELECT buying_group.bind_activities('crm.person', person => 'person_key', type => 'job_title', "at" => 'email');
SELECT kind, relation, key_column, name_column, account_column FROM buying_group.bindings ORDER BY kind;

-- with persons bound, role conditions are checked against its columns when stored
SELECT buying_group.create_template('Enterprise') > 0 AS created;
SELECT buying_group.add_template_role('Enterprise', 'Decision Maker', weight => 'vital', conditions =>
  '{"attr": "job_tittle", "op": "eq", "value": "cto"}');
SELECT buying_group.add_template_role('Enterprise', 'Decision Maker', weight => 'vital', conditions =>
  '{"any": [{"attr": "seniority", "op": "eq", "value": "C-Level"}, {"attr": "attributes.budget", "op": "eq", "value": true}]}');
SELECT buying_group.add_template_role('Enterprise', 'Influencer', weight => 'important', members_required => 2, conditions =>
  '{"attr": "job_title", "op": "contains", "value": ["vp", "director"]}');
SELECT buying_group.add_template_role('Enterprise', 'Practitioner', conditions =>
  '{"attr": "job_title", "op": "contains", "value": "engineer"}');
SELECT buying_group.add_template_role('Enterprise', 'Champion', required => false);

-- solution interests need a live template
SELECT buying_group.create_solution_interest('Cloud', 'Enterprise');
SELECT buying_group.publish_template('Enterprise');
SELECT buying_group.create_solution_interest('Cloud', 'Enterprise', description => 'Cloud platform',
         sales_ready_completeness => 80) > 0 AS created;
SELECT buying_group.create_solution_interest('Cloud', 'Enterprise');
SELECT buying_group.create_solution_interest('Bad', 'Enterprise', sales_ready_completeness => 120);
SELECT buying_group.create_solution_interest('Bad', 'No such template');
UPDATE buying_group.solution_interest SET template_id = template_id + 1 WHERE name = 'Cloud';
SELECT name, template, update_existing, sales_ready_completeness, sales_ready_engagement FROM buying_group.solution_interests;

-- audiences: rules over account columns, served as views of plain SQL
SELECT buying_group.create_audience('Software companies', '{"attr": "industry", "op": "eq", "value": "software"}',
                                    description => 'Any size');
SELECT buying_group.create_audience('Big software', '{"all": [{"attr": "industry", "op": "eq", "value": "software"},
                                                               {"attr": "employees", "op": "gte", "value": 1000}]}');
SELECT buying_group.create_audience('Big software', '{"attr": "industry", "op": "eq", "value": "x"}');
SELECT buying_group.create_audience('Typo', '{"attr": "industri", "op": "eq", "value": "software"}');
SELECT name, description, view_name FROM buying_group.audiences ORDER BY name;
SELECT account_id, account_name FROM buying_group_audience.software_companies ORDER BY 1;
SELECT account_id, account_name FROM buying_group_audience.big_software ORDER BY 1;
SELECT pg_get_viewdef('buying_group_audience.big_software'::regclass);
-- text operators on columns of other types read their text form, in the view as in the evaluator
SELECT buying_group.create_audience('Round sizes', '{"attr": "employees", "op": "ends_with", "value": "000"}') IS NOT NULL AS created;
SELECT account_id, employees FROM buying_group_audience.round_sizes ORDER BY 1;
SELECT count(*) FILTER (WHERE buying_group.eval_rule('{"attr": "employees", "op": "ends_with", "value": "000"}', a)) AS evaluator
  FROM crm.account a;
SELECT buying_group.delete_audience('Round sizes');

-- no rule can inject SQL: values and names are quoted
SELECT buying_group.create_audience('Robert''); DROP TABLE crm.account; --',
  '{"attr": "account_name", "op": "eq", "value": "x''); DROP TABLE crm.account; --"}');
SELECT name, view_name FROM buying_group.audiences WHERE name LIKE 'Robert%';
SELECT count(*) FROM buying_group_audience.robert_drop_table_crm_account;
SELECT count(*) AS accounts_still_there FROM crm.account;

-- an index on the accounts table serves the audience
CREATE INDEX ON crm.account (employees);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM buying_group_audience.big_software;
RESET enable_seqscan;

-- the creation job: one group per account of the audience, members by first matching role
SELECT buying_group.create_buying_groups('Cloud', 'Software companies');
SELECT buying_group.create_buying_groups('Cloud', 'Software companies');  -- idempotent
SELECT buying_group.create_buying_groups('Cloud', 'Nope');
SELECT buying_group.create_buying_groups('Nope', 'Software companies');
SELECT name, account_key, solution_interest, template, completeness, completeness_display, member_count,
       sales_ready, engagement
  FROM buying_group.buying_groups ORDER BY account_key;
SELECT account_key, person_key, role, source, is_removed FROM buying_group.members ORDER BY 1, 2;
SELECT b.account_key, c.role, c.required, c.members_required, c.assigned, round(c.completeness, 2) AS completeness
  FROM buying_group.role_coverage c JOIN buying_group.buying_groups b ON b.id = c.buying_group_id
 ORDER BY 1, 2;
SELECT account_key, solution_interest, role, members_required, assigned FROM buying_group.missing_roles ORDER BY 1, 3;
SELECT account_key FROM buying_group.incomplete_groups ORDER BY 1;
SELECT account_key FROM buying_group.sales_ready_groups ORDER BY 1;

-- stored completeness equals the aggregate over the members
SELECT count(*) AS differences
  FROM buying_group.buying_groups b
 WHERE b.completeness IS DISTINCT FROM (
       SELECT coalesce(buying_group.completeness(b.template, m.role), 0)
         FROM (SELECT 1) one LEFT JOIN buying_group.members m ON m.buying_group_id = b.id AND NOT m.is_removed);

-- membership: errors
SELECT buying_group.assign_member('Cloud', '1', 'p5', 'Champion');
SELECT buying_group.assign_member('Cloud', '1', 'nobody', 'Champion');
SELECT buying_group.assign_member('Cloud', '2', 'p8', 'Champion');
SELECT buying_group.assign_member('Cloud', '1', 'p4', 'Procurement');
SELECT buying_group.assign_member('Cloud', '1', 'p4', 'Champion', source => 'system');
SELECT buying_group.assign_member('Nope', '1', 'p4', 'Champion');

-- precedence manual > journey > system, for every pair of sources in both orders
CREATE FUNCTION member_state(person text) RETURNS text LANGUAGE sql AS $$
  SELECT coalesce((SELECT role || '/' || source || CASE WHEN is_removed THEN '/removed' ELSE '' END
                     FROM buying_group.members WHERE account_key = '1' AND person_key = person), '-')
$$;
-- system member p4 (Practitioner): journey and manual may both override it
SELECT member_state('p4');
SELECT buying_group.assign_member('Cloud', '1', 'p4', 'Champion', source => 'journey'), member_state('p4');
SELECT buying_group.remove_member('Cloud', '1', 'p4', source => 'journey'), member_state('p4');
SELECT buying_group.assign_member('Cloud', '1', 'p4', 'Champion', source => 'manual'), member_state('p4');
-- a journey cannot undo a manual decision, in either direction
SELECT buying_group.remove_member('Cloud', '1', 'p4', source => 'journey'), member_state('p4');
SELECT buying_group.remove_member('Cloud', '1', 'p4', source => 'manual'), member_state('p4');
SELECT buying_group.assign_member('Cloud', '1', 'p4', 'Practitioner', source => 'journey'), member_state('p4');
-- manual may re-add what manual removed
SELECT buying_group.assign_member('Cloud', '1', 'p4', 'Practitioner', source => 'manual'), member_state('p4');
SELECT buying_group.assign_member('Cloud', '1', 'p4', 'Practitioner', source => 'manual'), member_state('p4');
-- journey first, then manual, then journey again
SELECT buying_group.assign_member('Cloud', '1', 'p3', 'Champion', source => 'journey'), member_state('p3');
SELECT buying_group.assign_member('Cloud', '1', 'p3', 'Influencer', source => 'journey'), member_state('p3');
SELECT buying_group.remove_member('Cloud', '1', 'p3', source => 'manual'), member_state('p3');
SELECT buying_group.assign_member('Cloud', '1', 'p3', 'Influencer', source => 'journey'), member_state('p3');
SELECT buying_group.remove_member('Cloud', '1', 'nobody');
SELECT account_key, completeness, member_count FROM buying_group.buying_groups WHERE account_key = '1';

-- maintenance: the system follows attribute changes, never overriding manual or journey decisions.
-- (The persons triggers do this at once; with them bypassed, as a replica does, the daily job
-- repairs what they missed.)
SET session_replication_role = replica;
UPDATE crm.person SET job_title = 'Engineering Manager', seniority = 'Manager', attributes = NULL
 WHERE person_key = 'p1';                                                                             -- system DM -> Practitioner
UPDATE crm.person SET job_title = 'Advisor', seniority = NULL WHERE person_key = 'p5';                -- system DM -> nothing: removed
UPDATE crm.person SET job_title = 'VP Data' WHERE person_key = 'p6';                                  -- system Practitioner -> Influencer
UPDATE crm.person SET job_title = 'Staff Engineer' WHERE person_key = 'p4';                           -- manual member: kept
UPDATE crm.person SET seniority = 'C-Level' WHERE person_key = 'p3';                                  -- manually removed: not re-added
INSERT INTO crm.person VALUES ('p9', 3, 'New', 'Person', 'new@gamma.fr', 'Sr. Engineer', NULL, NULL);  -- new person
DELETE FROM crm.person WHERE person_key = 'p2';                                                       -- leaves the group
UPDATE crm.person SET account_id = 2 WHERE person_key = 'p7';                                         -- moves away
RESET session_replication_role;
SELECT person_key, problem, stored, expected FROM buying_group.verify_scores() ORDER BY 1, 2;
SELECT buying_group.run_maintenance('Cloud') AS changed;
SELECT count(*) AS problems_left FROM buying_group.verify_scores();
SELECT account_key, person_key, role, source, is_removed FROM buying_group.members ORDER BY 1, 2;
SELECT buying_group.run_maintenance() AS changed_again;
SELECT account_key, completeness, member_count FROM buying_group.buying_groups ORDER BY 1;
-- and back: the system re-adds a member it removed itself once the conditions hold again
SET session_replication_role = replica;
UPDATE crm.person SET seniority = 'C-Level' WHERE person_key IN ('p1', 'p5');
RESET session_replication_role;
SELECT buying_group.run_maintenance('Cloud') AS changed;
SELECT person_key, role, source, is_removed FROM buying_group.members WHERE person_key IN ('p1', 'p5') ORDER BY 1;
SELECT buying_group.run_maintenance('Nope');

-- one group per (account, solution interest); a person may be in groups of several interests
SELECT buying_group.create_solution_interest('Security', 'Enterprise', update_existing => false) > 0 AS created;
SELECT buying_group.create_buying_groups('Security', 'Big software');
SELECT person_key, count(*) AS groups FROM buying_group.members GROUP BY 1 HAVING count(*) > 1 ORDER BY 1;
INSERT INTO buying_group.bgroup (solution_interest_id, account_key, name)
SELECT id, '1', 'dup' FROM buying_group.solution_interest WHERE name = 'Cloud';

-- simulate a draft template against the live data, changing nothing
SELECT buying_group.create_template('Stricter') > 0 AS created;
SELECT buying_group.add_template_role('Stricter', 'Decision Maker', members_required => 2, conditions =>
  '{"attr": "seniority", "op": "eq", "value": "C-Level"}');
SELECT buying_group.add_template_role('Stricter', 'Practitioner', conditions =>
  '{"attr": "job_title", "op": "contains", "value": "engineer"}');
SELECT * FROM buying_group.simulate('Cloud', 'Stricter');
SELECT count(*) AS groups_unchanged FROM buying_group.buying_groups WHERE template = 'Enterprise';

-- rebinding is refused once groups exist, to another table or to other key
-- or account columns of the same one (their members would be left behind);
-- binding the same columns again is allowed; deleting an interest with groups is refused
SELECT buying_group.bind_persons('crm.account', key => 'account_id', account => 'account_id');
SELECT buying_group.bind_persons('crm.person', key => 'email', account => 'account_id');
SELECT buying_group.bind_persons('crm.person', key => 'person_key', account => 'last_name');
SELECT buying_group.bind_accounts('crm.account', key => 'account_name', name => 'account_name');
SELECT buying_group.bind_accounts('crm.account', key => 'account_id', name => 'website');
SELECT buying_group.bind_accounts('crm.account', key => 'account_id', name => 'account_name');
SELECT buying_group.bind_persons('crm.person', key => 'person_key', account => 'account_id');
SELECT count(*) AS problems FROM buying_group.verify_scores();
SELECT buying_group.delete_solution_interest('Cloud');

-- audiences with buying-group filters ("account has a matching buying group")
SELECT b.account_key, b.solution_interest, round(b.completeness, 2) AS completeness,
       (SELECT string_agg(role, ', ' ORDER BY role) FROM buying_group.missing_roles mr WHERE mr.buying_group_id = b.id) AS missing
  FROM buying_group.buying_groups b ORDER BY 1, 2;
SELECT buying_group.create_audience('Cloud missing influencers',
  '{"buying_group": {"solution_interest": "Cloud", "missing_role": "Influencer"}}') IS NOT NULL AS created;
SELECT buying_group.create_audience('Cloud half complete',
  '{"buying_group": {"solution_interest": "Cloud", "completeness": [50, 100]}}') IS NOT NULL AS created;
SELECT buying_group.create_audience('Has a decision maker',
  '{"buying_group": {"role": "Decision Maker", "at_least": 1}}') IS NOT NULL AS created;
SELECT buying_group.create_audience('Big, no security group',
  '{"all": [{"attr": "employees", "op": "gte", "value": 100}, {"not": {"buying_group": {"solution_interest": "Security"}}}]}') IS NOT NULL AS created;
SELECT 'missing influencers' AS audience, array_agg(account_id ORDER BY account_id) FROM buying_group_audience.cloud_missing_influencers
UNION ALL SELECT 'half complete', array_agg(account_id ORDER BY account_id) FROM buying_group_audience.cloud_half_complete
UNION ALL SELECT 'has a decision maker', array_agg(account_id ORDER BY account_id) FROM buying_group_audience.has_a_decision_maker
UNION ALL SELECT 'big, no security', array_agg(account_id ORDER BY account_id) FROM buying_group_audience.big_no_security_group;
-- the views are live: a manual assignment moves account 1 out of "missing influencers"
SELECT buying_group.assign_member('Cloud', '1', 'p1', 'Influencer'), buying_group.assign_member('Cloud', '1', 'p4', 'Influencer');
SELECT array_agg(account_id ORDER BY account_id) AS missing_influencers FROM buying_group_audience.cloud_missing_influencers;
SELECT pg_get_viewdef('buying_group_audience.has_a_decision_maker'::regclass);
-- filter errors
SELECT buying_group.create_audience('Bad 1', '{"buying_group": {"solution": "Cloud"}}');
SELECT buying_group.create_audience('Bad 2', '{"buying_group": {"completeness": [80, 20]}}');
SELECT buying_group.create_audience('Bad 3', '{"buying_group": {"role": "Champion"}}');
SELECT buying_group.create_audience('Bad 4', '{"buying_group": {"at_least": 0, "role": "Champion"}}');
SELECT buying_group.create_audience('Bad 5', '{"buying_group": "Cloud"}');
SELECT buying_group.create_audience('Bad 6', '{"buying_group": {}, "attr": "industry"}');
-- buying-group filters select accounts; role conditions cannot use them
SELECT buying_group.add_template_role('Stricter', 'Champion', conditions => '{"buying_group": {"solution_interest": "Cloud"}}');
SELECT buying_group.eval_rule('{"buying_group": {"solution_interest": "Cloud"}}', a) FROM crm.account a LIMIT 1;

-- the audience view and the C evaluator agree on every account (hostile strings included)
INSERT INTO crm.account SELECT i, 'Company ' || i || CASE WHEN i % 7 = 0 THEN ' ''quoted''' ELSE '' END,
  (ARRAY['Software', 'software ', 'Retail', NULL, 'SOFTWARE', ''])[1 + i % 6], (i * 37) % 20000,
  (ARRAY['US', 'DE', 'FR', NULL])[1 + i % 4], 'c' || i || '.com'
  FROM generate_series(5, 400) i;
SELECT buying_group.create_audience('Mixed', '{"any": [
   {"all": [{"attr": "industry", "op": "in", "value": ["software", "retail"]}, {"attr": "employees", "op": "between", "value": [1000, 9000]}]},
   {"all": [{"attr": "country", "op": "eq", "value": "de"}, {"not": {"attr": "account_name", "op": "contains", "value": "''quoted''"}}]},
   {"attr": "industry", "op": "is_empty"},
   {"attr": "website", "op": "ends_with", "value": "0.com"},
   {"attr": "account_name", "op": "matches", "value": "^company 1[0-9]$"},
   {"attr": "account_name", "op": "starts_with", "value": "Company 39"},
   {"attr": "employees", "op": "lt", "value": 100}]}') IS NOT NULL AS created;
SELECT count(*) AS accounts, count(*) FILTER (WHERE in_view) AS in_audience,
       count(*) FILTER (WHERE in_view IS DISTINCT FROM by_c) AS mismatches
  FROM (SELECT a.account_id,
               EXISTS (SELECT FROM buying_group_audience.mixed v WHERE v.account_id = a.account_id) AS in_view,
               buying_group.eval_rule((SELECT rule::text FROM buying_group.audience WHERE name = 'Mixed'), a) AS by_c
          FROM crm.account a) s;

\c :regress_db
DROP DATABASE bg_groups;
