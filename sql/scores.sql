-- Score rules that the other tests' data could not tell apart from a near
-- miss (each was a surviving mutant of the mutation run, test/mutation):
-- sales_ready once per upward crossing, title_like at exactly the threshold,
-- and the square root in the group engagement.
\set own_db bg_scores
\i test/regress/own_database.psql

CREATE SCHEMA crm;
CREATE TABLE crm.account (account_key text PRIMARY KEY, account_name text);
CREATE TABLE crm.person (person_key text PRIMARY KEY, account_key text NOT NULL, job_title text);
CREATE TABLE crm.activity (person_key text, activity_type text, occurred_at timestamptz);
INSERT INTO crm.account VALUES ('A', 'Acme'), ('B', 'Beta'), ('C', 'Gamma');
SELECT buying_group.bind_accounts('crm.account', 'account_key', 'account_name');
SELECT buying_group.bind_persons('crm.person', 'person_key', 'account_key');
SELECT buying_group.bind_activities('crm.activity', 'person_key', 'activity_type', 'occurred_at');
SELECT buying_group.create_template('T');
SELECT buying_group.add_template_role('T', 'Decision Maker', conditions => '{"attr": "job_title", "op": "eq", "value": "CTO"}');
SELECT buying_group.add_template_role('T', 'Practitioner', conditions => '{"attr": "job_title", "op": "eq", "value": "Engineer"}');
SELECT buying_group.publish_template('T');
SELECT buying_group.create_solution_interest('S', 'T', sales_ready_completeness => 50);
SELECT buying_group.create_audience('All', '{"attr": "account_key", "op": "is_not_empty"}');
SELECT buying_group.create_buying_groups('S', 'All');

-- sales_ready: once when the group crosses the threshold upward (0 -> 50), not
-- again while it stays above (50 -> 100), and again after it fell below
INSERT INTO crm.person VALUES ('a-cto', 'A', 'CTO');
INSERT INTO crm.person VALUES ('a-eng', 'A', 'Engineer');
DELETE FROM crm.person WHERE account_key = 'A';
INSERT INTO crm.person VALUES ('a-cto2', 'A', 'CTO');
SELECT e.type, e.payload
  FROM buying_group.events e
 WHERE e.account_key = 'A' AND e.type IN ('completeness_changed', 'sales_ready') ORDER BY e.id;

-- title_like matches at exactly the threshold: the similarity of these two
-- titles is 0.5 (a ratio of trigram counts, exact in binary)
SELECT buying_group.title_similarity('manager', 'marketing manager') AS similarity,
       buying_group.eval_rule('{"attr": "job_title", "op": "title_like", "value": "marketing manager", "threshold": 0.5}',
                              ROW('x', 'A', 'manager')::crm.person) AS at_threshold,
       buying_group.eval_rule('{"attr": "job_title", "op": "title_like", "value": "marketing manager", "threshold": 0.5000001}',
                              ROW('x', 'A', 'manager')::crm.person) AS just_above;

-- the group engagement is the square root of the weighted member scores,
-- scaled: one member each, whose scores are 100, 25 and 0 (square roots of
-- their points 4, 0.25 and 0 are 2, 0.5 and 0), gives 100, 50 and 0 (not 100,
-- 25 and 0 without the root, which more than one non-zero group shows)
INSERT INTO crm.person VALUES ('b-cto', 'B', 'CTO'), ('c-cto', 'C', 'CTO');
SELECT buying_group.create_engagement_model('Quarter', copy_from => 'AJO standard');
SELECT buying_group.set_activity_weight('Quarter', 'email_opened', 15);
SELECT buying_group.activate_engagement_model('Quarter');
INSERT INTO crm.activity
SELECT 'a-cto2', 'attend_event', timestamptz '2026-03-01 10:00+00' + d * interval '1 day' FROM generate_series(1, 4) d;
INSERT INTO crm.activity VALUES ('b-cto', 'email_opened', '2026-03-02 10:00+00');
SELECT buying_group.refresh_engagement('2026-03-10');
SELECT person_key, raw_engagement, engagement FROM buying_group.person_engagement ORDER BY 1;
SELECT account_key, engagement FROM buying_group.buying_groups ORDER BY 1;
SELECT count(*) AS problems FROM buying_group.verify_scores();

-- the window is 30 UTC days back from as_of, whatever the session's time
-- zone: in New York's, a daylight-saving change inside it moved its start by
-- an hour, and this activity, 30 minutes inside, fell out
INSERT INTO crm.activity VALUES ('c-cto', 'attend_event', '2026-03-02 12:30+00');
SET TimeZone = 'America/New_York';
SELECT buying_group.refresh_engagement('2026-04-01 12:00+00');
SELECT person_key, raw_engagement FROM buying_group.person_engagement WHERE person_key = 'c-cto';
SET TimeZone = 'UTC';
SELECT buying_group.refresh_engagement('2026-04-01 12:00+00');
SELECT person_key, raw_engagement FROM buying_group.person_engagement WHERE person_key = 'c-cto';
RESET TimeZone;

\c :regress_db
DROP DATABASE bg_scores;
