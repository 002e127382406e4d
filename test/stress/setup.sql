-- A bound CRM of :accounts accounts and :persons persons (psql variables),
-- with the real-time triggers on the persons table and one buying group per
-- account: the data of the concurrency stress run and of the trigger benchmark.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION buying_group;
CREATE SCHEMA crm;
CREATE TABLE crm.account (account_key text PRIMARY KEY, account_name text);
CREATE TABLE crm.person (person_key text PRIMARY KEY, account_key text, job_title text, seniority text);
CREATE INDEX ON crm.person (account_key);
INSERT INTO crm.account SELECT 'A' || i, 'Account ' || i FROM generate_series(1, :accounts) i;
SELECT buying_group.bind_accounts('crm.account', key => 'account_key', name => 'account_name');
SELECT buying_group.bind_persons('crm.person', key => 'person_key', account => 'account_key');
SELECT buying_group.create_template('Stress');
SELECT buying_group.add_template_role('Stress', 'Decision Maker', conditions => '{"attr": "seniority", "op": "in", "value": ["C-Level", "VP"]}');
SELECT buying_group.add_template_role('Stress', 'Influencer', members_required => 2, conditions => '{"attr": "job_title", "op": "contains", "value": "director"}');
SELECT buying_group.add_template_role('Stress', 'Practitioner', members_required => 3, conditions => '{"attr": "job_title", "op": "contains", "value": "engineer"}');
SELECT buying_group.publish_template('Stress');
SELECT buying_group.create_solution_interest('Stress SI', 'Stress');
SELECT buying_group.create_audience('All accounts', '{"attr": "account_key", "op": "is_not_empty"}');
SELECT buying_group.create_buying_groups('Stress SI', 'All accounts');
INSERT INTO crm.person
SELECT 'p' || i, 'A' || (1 + i % :accounts), (ARRAY['CTO', 'IT Director', 'Software Engineer', 'Intern'])[1 + i % 4],
       CASE WHEN i % 7 = 0 THEN 'VP' END
  FROM generate_series(1, :persons) i;
ANALYZE;
