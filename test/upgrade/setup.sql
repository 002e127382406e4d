-- A configured, populated database, made with the API that 0.1.0 and 0.2.0
-- share; the audience is created by an admin that is not a superuser.
CREATE SCHEMA crm;
CREATE TABLE crm.account (account_key text PRIMARY KEY, account_name text, tier text);
CREATE TABLE crm.person (person_key text PRIMARY KEY, account_key text NOT NULL, job_title text, email text);
CREATE TABLE crm.activity (person_key text, activity_type text, occurred_at timestamptz);
INSERT INTO crm.account SELECT 'a' || i, 'Account ' || i, CASE WHEN i % 3 = 0 THEN 'gold' END FROM generate_series(1, 30) i;
INSERT INTO crm.person
SELECT 'p' || i, 'a' || (i % 30 + 1), (ARRAY['CTO', 'VP Engineering', 'Director of IT', 'Engineer', NULL])[i % 5 + 1],
       'p' || i || '@example.com'
  FROM generate_series(1, 150) i;
INSERT INTO crm.activity
SELECT 'p' || (i % 150 + 1), (ARRAY['email_opened', 'page_viewed', 'attend_event'])[i % 3 + 1],
       '2026-01-20'::timestamptz - (i % 20) * interval '1 day'
  FROM generate_series(1, 600) i;
GRANT USAGE ON SCHEMA crm TO buying_group_admin;
GRANT SELECT ON ALL TABLES IN SCHEMA crm TO buying_group_admin;
SELECT buying_group.bind_accounts('crm.account', 'account_key', 'account_name');
SELECT buying_group.bind_persons('crm.person', 'person_key', 'account_key');
SELECT buying_group.bind_activities('crm.activity', 'person_key', 'activity_type', 'occurred_at');
SELECT buying_group.create_role('Procurement', description => 'Signs the purchase order');
SELECT buying_group.create_template('Enterprise');
SELECT buying_group.add_template_role('Enterprise', 'Decision Maker', weight => 'vital', members_required => 2,
         conditions => '{"attr": "job_title", "op": "title_like", "value": "chief technology officer"}');
SELECT buying_group.add_template_role('Enterprise', 'Influencer',
         conditions => '{"attr": "job_title", "op": "contains", "value": ["director", "vp"]}');
SELECT buying_group.add_template_role('Enterprise', 'Procurement', required => false);
SELECT buying_group.publish_template('Enterprise');
SELECT buying_group.create_stage_model('Funnel', '{"stages": [{"name": "Prospect", "type": "entry"},
    {"name": "Won", "type": "success"}], "transitions": [{"from": "Prospect", "to": "Won"}]}');
SELECT buying_group.publish_stage_model('Funnel');
SELECT buying_group.create_solution_interest('Cloud', 'Enterprise', stage_model => 'Funnel');
SET ROLE bg_upgrade_admin;
SELECT buying_group.create_audience('Gold', '{"attr": "tier", "op": "eq", "value": "gold"}');
RESET ROLE;
SELECT buying_group.create_buying_groups('Cloud', 'Gold');
SELECT buying_group.assign_member('Cloud', 'a3', 'p2', 'Procurement');
SELECT buying_group.set_stage('Cloud', 'a3', 'Prospect');
SELECT buying_group.create_engagement_model('Events heavy', copy_from => 'AJO standard');
SELECT buying_group.set_activity_weight('Events heavy', 'attend_event', 100);
SELECT buying_group.activate_engagement_model('Events heavy');
SELECT buying_group.create_engagement_model('Next draft');
SELECT buying_group.map_fields('persons', '{"email": "email", "title": "job_title"}');
SELECT buying_group.refresh_engagement('2026-01-21');
