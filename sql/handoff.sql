-- Hand-off (SPEC 9): standard fields, the sales alert on a hand-built group,
-- the LinkedIn exports written with \copy and read back (quoting of commas,
-- quotes and newlines), and every KPI on a small hand-checked data set.
\set SHOW_CONTEXT never
\set own_db bg_handoff
\i test/regress/own_database.psql
\getenv abs_builddir PG_ABS_BUILDDIR
CREATE SCHEMA crm;
CREATE TABLE crm.account (account_key text PRIMARY KEY, account_name text, website text, domain text,
                          ticker text, industry text, city text, state text, country text, zip text);
CREATE TABLE crm.person (person_key text PRIMARY KEY, account_key text, given_name text, family_name text,
                         work_email text, position text, seniority text, country text);
CREATE TABLE crm.activity (person_key text, activity_type text, occurred_at timestamptz);
INSERT INTO crm.account VALUES
  ('A', 'Acme, Inc.', 'https://acme.example', 'acme.example', 'ACME', 'Software', 'Austin', 'TX', 'US', '73301'),
  ('B', 'The "Best" Co', 'best.example', NULL, NULL, 'Retail', 'Berlin', NULL, 'DE', '10115'),
  ('C', E'Multi\nLine Ltd', NULL, NULL, NULL, NULL, NULL, NULL, 'GB', NULL),
  ('D', 'Delta', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO crm.person VALUES
  ('a1', 'A', 'Ada', 'Lovelace', 'ada@acme.example', 'CTO', 'C-Level', 'US'),
  ('a2', 'A', 'Alan', 'Turing', 'alan@acme.example', 'VP Engineering', 'VP', 'US'),
  ('a3', 'A', 'Grace', 'Hopper', 'grace@acme.example', 'Engineer', 'Engineer', 'US'),
  ('a4', 'A', 'Linus', 'T', 'linus@acme.example', 'VP Sales', 'VP', 'US'),
  ('a5', 'A', 'Edsger', 'Dijkstra', 'edsger@acme.example', 'Engineer', 'Engineer', 'NL'),
  ('b1', 'B', 'Bea', 'O''Brien, Jr.', 'bea@best.example', 'VP "Growth"', 'VP', 'DE'),
  ('b2', 'B', 'Bo', 'B', NULL, 'Engineer', 'Engineer', 'DE'),
  ('c1', 'C', 'Cy', 'C', 'cy@multi.example', E'Lead\nEngineer', 'Engineer', 'GB');
SELECT buying_group.bind_accounts('crm.account', key => 'account_key', name => 'account_name');
SELECT buying_group.bind_persons('crm.person', key => 'person_key', account => 'account_key');
SELECT buying_group.bind_activities('crm.activity', person => 'person_key', type => 'activity_type', "at" => 'occurred_at');

-- standard fields: detected by name, mapped where the names differ
SELECT kind, field, column_name, how FROM buying_group.fields;
SELECT buying_group.map_fields('persons', '{"email": "work_email", "title": "position"}');
SELECT buying_group.map_fields('persons', '{"phone": "work_phone"}');
SELECT buying_group.map_fields('persons', '{"email": "mail"}');
SELECT buying_group.map_fields('persons', '{"email": 42}');
SELECT buying_group.map_fields('persons', '["email"]');
SELECT buying_group.map_fields('activities', '{"email": "x"}');
SELECT buying_group.map_fields('accounts', '{"email_domain": "website"}');
SELECT buying_group.map_fields('accounts', '{"email_domain": null}');
SELECT kind, field, column_name, how FROM buying_group.fields WHERE how IS DISTINCT FROM 'detected';

-- a template of three required roles and an optional one; sales-ready at 60
SELECT buying_group.create_template('Three roles') > 0 AS created;
SELECT buying_group.add_template_role('Three roles', 'Decision Maker', conditions => '{"attr": "seniority", "op": "eq", "value": "C-Level"}');
SELECT buying_group.add_template_role('Three roles', 'Influencer', conditions => '{"attr": "seniority", "op": "eq", "value": "VP"}');
SELECT buying_group.add_template_role('Three roles', 'Practitioner', conditions => '{"attr": "seniority", "op": "eq", "value": "Engineer"}');
SELECT buying_group.add_template_role('Three roles', 'Champion', required => false);
SELECT buying_group.publish_template('Three roles');
SELECT buying_group.create_stage_model('Funnel', '{"stages": [{"name": "New", "type": "entry"}, {"name": "Won", "type": "success"}],
  "transitions": [{"from": "New", "to": "Won"}]}') > 0 AS created;
SELECT buying_group.publish_stage_model('Funnel');
SELECT buying_group.create_solution_interest('Cloud', 'Three roles', sales_ready_completeness => 60, stage_model => 'Funnel') > 0 AS created;
SELECT buying_group.create_audience('All', '{"attr": "account_key", "op": "is_not_empty"}') IS NOT NULL AS created;
SELECT buying_group.create_buying_groups('Cloud', 'All');
SELECT account_key, completeness_display, member_count, sales_ready FROM buying_group.buying_groups ORDER BY 1;

-- engagement: a1 5 page views, a2 3, a5 2, a3 1, a4 none
INSERT INTO crm.activity
SELECT p, 'page_viewed', timestamptz '2026-03-01 10:00+00' + i * interval '1 minute'
  FROM (VALUES ('a1', 5), ('a2', 3), ('a5', 2), ('a3', 1)) v(p, n), generate_series(1, n) i;
SELECT buying_group.refresh_engagement('2026-03-02 00:00+00') AS persons_scored;
SELECT buying_group.set_stage('Cloud', 'A', 'New');
SELECT buying_group.set_stage('Cloud', 'A', 'Won');
SELECT buying_group.set_stage('Cloud', 'B', 'New');
SELECT buying_group.set_status('Cloud', 'A', 'Demo booked');

-- the sales alert: the top 4 members by engagement (a4, with none, is left out),
-- every missing required role, names from the mapped fields
SELECT jsonb_pretty(buying_group.sales_alert(id)) FROM buying_group.buying_groups WHERE account_key = 'A';
SELECT jsonb_pretty(buying_group.sales_alert(id) - 'top_members' - 'buying_group_id') FROM buying_group.buying_groups WHERE account_key = 'B';
SELECT buying_group.sales_alert(id) -> 'top_members' AS members, buying_group.sales_alert(id) -> 'missing_roles' AS missing
  FROM buying_group.buying_groups WHERE account_key = 'D';
SELECT buying_group.sales_alert(-1);

-- LinkedIn company list: exact column names, written as CSV with a header, read back
\set query 'SELECT * FROM buying_group.linkedin_companies(''All'')'
\set csv_file :abs_builddir '/results/linkedin_companies.csv'
\i test/regress/csv_roundtrip.psql

-- a column added after the audience was created is exported too
ALTER TABLE crm.account ADD COLUMN linkedin_url text;
UPDATE crm.account SET linkedin_url = 'https://www.linkedin.com/company/acme' WHERE account_key = 'A';
SELECT companyname, linkedincompanypageurl FROM buying_group.linkedin_companies('All') WHERE linkedincompanypageurl IS NOT NULL;

-- LinkedIn contacts: the persons of the audience's accounts missing a Decision Maker
\set query 'SELECT * FROM buying_group.linkedin_contacts(''All'', missing_role => ''Decision Maker'')'
\set csv_file :abs_builddir '/results/linkedin_contacts.csv'
\i test/regress/csv_roundtrip.psql
SELECT count(*) AS all_contacts FROM buying_group.linkedin_contacts('All');
SELECT employeecompany, count(*) FROM buying_group.linkedin_contacts('All', 'Influencer') GROUP BY 1;
SELECT * FROM buying_group.linkedin_contacts('All', 'Purchaser');
SELECT * FROM buying_group.linkedin_companies('Nobody');

-- KPIs on the hand-checked set: A 100, B 66.67, C 33.33, D 0; A and B sales-ready
-- 10 and 20 days after creation
UPDATE buying_group.bgroup SET created_at = '2026-01-01 00:00+00';
UPDATE buying_group.score_history h SET at = timestamptz '2026-01-01 00:00+00'
       + CASE g.account_key WHEN 'A' THEN interval '10 days' ELSE interval '20 days' END
  FROM buying_group.bgroup g WHERE g.id = h.buying_group_id AND h.sales_ready;
SELECT * FROM buying_group.kpi_solution_interests;
SELECT * FROM buying_group.kpi_completeness_bands;
SELECT * FROM buying_group.kpi_missing_roles;
SELECT * FROM buying_group.kpi_stages;
-- a solution interest without groups has zero counts, no averages
SELECT buying_group.create_solution_interest('Empty', 'Three roles') > 0 AS created;
SELECT * FROM buying_group.kpi_solution_interests WHERE solution_interest = 'Empty';
SELECT band, groups, percent FROM buying_group.kpi_completeness_bands WHERE solution_interest = 'Empty';

-- a reader may read them all, but not change stages
CREATE ROLE bg_handoff_reader;
GRANT buying_group_reader TO bg_handoff_reader;
GRANT USAGE ON SCHEMA crm TO bg_handoff_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA crm TO bg_handoff_reader;
SET ROLE bg_handoff_reader;
SELECT count(*) FROM buying_group.linkedin_contacts('All');
SELECT buying_group.sales_alert(id) ->> 'name' FROM buying_group.buying_groups WHERE account_key = 'A';
SELECT groups FROM buying_group.kpi_solution_interests WHERE solution_interest = 'Cloud';
SELECT buying_group.set_stage('Cloud', 'B', 'Won');
RESET ROLE;
DROP OWNED BY bg_handoff_reader;
DROP ROLE bg_handoff_reader;

\c :regress_db
DROP DATABASE bg_handoff;
