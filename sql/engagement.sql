-- Engagement (SPEC 7): models, refresh_engagement, person and group scores,
-- explain_engagement, the AJO examples, and a differential test against the
-- formulas written in plain SQL.
\set SHOW_CONTEXT never
\set own_db bg_engagement
\i test/regress/own_database.psql
CREATE SCHEMA crm;
CREATE TABLE crm.account (account_key text PRIMARY KEY, account_name text);
CREATE TABLE crm.person (person_key text PRIMARY KEY, account_key text, job_title text, seniority text);
CREATE TABLE crm.activity (person_key text, activity_type text, occurred_at timestamptz);

-- the default model (AJO standard)
SELECT name, status, daily_cap, window_days, activity_types FROM buying_group.engagement_models;
SELECT activity_type, weight FROM buying_group.activity_weights ORDER BY 1;

-- models: drafts are editable, one is active, activating archives the previous one
SELECT buying_group.create_engagement_model('Events heavy', copy_from => 'AJO standard') > 0 AS created;
SELECT buying_group.set_activity_weight('Events heavy', 'attend_event', 100);
SELECT buying_group.set_activity_weight('Events heavy', 'webinar_watched', 50);
SELECT buying_group.set_activity_weight('Events heavy', 'email_opened', -1);
SELECT buying_group.set_activity_weight('AJO standard', 'email_opened', 10);
UPDATE buying_group.activity_weight SET weight = 1
 WHERE model_id = (SELECT id FROM buying_group.engagement_model WHERE name = 'AJO standard');
SELECT buying_group.create_engagement_model('Events heavy');
SELECT buying_group.create_engagement_model('Bad', daily_cap => 0);
SELECT buying_group.activate_engagement_model('Events heavy');
SELECT name, status FROM buying_group.engagement_models ORDER BY name;
SELECT buying_group.activate_engagement_model('AJO standard');
SELECT buying_group.create_engagement_model('Back to standard', copy_from => 'AJO standard') > 0 AS created;
SELECT buying_group.activate_engagement_model('Back to standard');
SELECT name, status FROM buying_group.engagement_models ORDER BY name;

-- nothing to refresh before the activities are bound
SELECT buying_group.refresh_engagement('2026-03-01');
SELECT buying_group.bind_accounts('crm.account', key => 'account_key', name => 'account_name');
SELECT buying_group.bind_persons('crm.person', key => 'person_key', account => 'account_key');
SELECT buying_group.bind_activities('crm.activity', person => 'person_key', type => 'activity_type', "at" => 'occurred_at');

-- AJO's daily-cap case: 37 occurrences yesterday and 15 today count 20 + 15 = 35
INSERT INTO crm.account VALUES ('A', 'Acme');
INSERT INTO crm.person VALUES ('cap', 'A', 'Analyst', NULL), ('idle', 'A', 'Intern', NULL);
INSERT INTO crm.activity SELECT 'cap', 'page_viewed', '2026-02-27 10:00+00' FROM generate_series(1, 37);
INSERT INTO crm.activity SELECT 'cap', 'page_viewed', '2026-02-28 09:00+00' FROM generate_series(1, 15);
SELECT buying_group.refresh_engagement('2026-02-28 12:00+00') AS persons_scored;
SELECT person_key, raw_engagement, engagement, as_of FROM buying_group.person_engagement ORDER BY 1;

-- AJO's role-weighting example: role totals 52, 28, 17 weighted vital / important / normal
-- (41.67% / 33.33% / 25%) give 35.25
SELECT buying_group.create_template('Weights') > 0 AS created;
SELECT buying_group.add_template_role('Weights', 'Decision Maker', weight => 'vital');
SELECT buying_group.add_template_role('Weights', 'Influencer', weight => 'important');
SELECT buying_group.add_template_role('Weights', 'Practitioner', weight => 'normal');
SELECT buying_group.publish_template('Weights');
SELECT buying_group.create_solution_interest('Weights SI', 'Weights') > 0 AS created;
SELECT buying_group.create_audience('Acme', '{"attr": "account_key", "op": "eq", "value": "A"}') IS NOT NULL AS created;
SELECT buying_group.create_buying_groups('Weights SI', 'Acme');
INSERT INTO crm.person VALUES ('dm', 'A', 'CEO', NULL), ('inf', 'A', 'Director', NULL), ('prac', 'A', 'Engineer', NULL);
SELECT buying_group.assign_member('Weights SI', 'A', p, r)
  FROM (VALUES ('dm', 'Decision Maker'), ('inf', 'Influencer'), ('prac', 'Practitioner')) v(p, r);
-- the step alone: member scores set to the role totals
-- (points whose scores are 52, 28 and 17 on this refresh's scale: cap's 35 raw points are 100,
-- the weight is page_viewed's 40, and a score is the square root of raw points, scaled)
INSERT INTO buying_group.person_points
SELECT k, (pes / 100.0) ^ 2 * 35 * 40 FROM (VALUES ('dm', 52), ('inf', 28), ('prac', 17)) v(k, pes);
SELECT person_key, round(engagement, 10) AS engagement FROM buying_group.person_engagement WHERE person_key IN ('dm', 'inf', 'prac') ORDER BY 1;
SELECT person_key, role, round(role_share * 100, 2) AS share_percent, person_engagement, round(contribution, 4) AS contribution
  FROM buying_group.explain_engagement((SELECT id FROM buying_group.bgroup)) ORDER BY 2;
SELECT round(sum(contribution), 2) AS weighted_sum FROM buying_group.member_engagement;

-- a single group: max = min, so 100 where its raw score is above 0
INSERT INTO crm.activity VALUES ('dm', 'email_clicked', '2026-02-28 08:00+00');
SELECT buying_group.refresh_engagement('2026-02-28 12:00+00');
SELECT name, engagement, engagement_display FROM buying_group.buying_groups;
SELECT person_key, role, round(person_engagement, 4) AS pes, activity_type, round(activity_points, 4) AS points
  FROM buying_group.explain_engagement((SELECT id FROM buying_group.bgroup)) ORDER BY 1, 4;
SELECT type, payload->>'old' AS old, round((payload->>'new')::numeric, 2) AS new
  FROM buying_group.events WHERE type = 'engagement_changed';
SELECT buying_group.explain_engagement(-1);
SELECT buying_group.refresh_engagement(NULL);

-- deterministic for a given as_of
CREATE TABLE snapshot AS SELECT * FROM buying_group.person_engagement;
SELECT buying_group.refresh_engagement('2026-02-28 12:00+00');
SELECT count(*) AS differences FROM (SELECT * FROM snapshot EXCEPT SELECT * FROM buying_group.person_engagement) d;

-- differential: random activities against the SPEC 7 formulas in plain SQL, with the
-- window edges (exactly 30 days old, future-dated), the cap, a type of weight 0,
-- types not in the model, persons without activity, several groups
TRUNCATE crm.activity;
SELECT buying_group.create_engagement_model('Diff model', copy_from => 'Back to standard') > 0 AS created;
SELECT buying_group.set_activity_weight('Diff model', 'email_opened', 0);
SELECT buying_group.activate_engagement_model('Diff model');
SELECT setseed(0.31);
INSERT INTO crm.account SELECT 'B' || i, 'Account ' || i FROM generate_series(1, 6) i;
INSERT INTO crm.person SELECT 'q' || i, 'B' || (1 + i % 6), (ARRAY['CEO', 'Director', 'Engineer'])[1 + i % 3], NULL
  FROM generate_series(1, 60) i;
INSERT INTO crm.activity
SELECT 'q' || (1 + floor(random() * 70)::int),
       (ARRAY['attend_event', 'email_clicked', 'email_opened', 'page_viewed', 'form_filled_out', 'unknown_type'])[1 + floor(random() * 6)::int],
       timestamptz '2026-03-31 12:00+00' - (floor(random() * 34) || ' days')::interval + (floor(random() * 86400) || ' s')::interval
  FROM generate_series(1, 6000);
-- edges: exactly 30 days before as_of (out), exactly as_of (in), after as_of (out), 40 on one day (capped)
INSERT INTO crm.person VALUES ('e1', 'B1', 'Analyst', NULL), ('e2', 'B1', 'Analyst', NULL), ('e3', 'B1', 'Analyst', NULL);
INSERT INTO crm.activity VALUES ('e1', 'attend_event', '2026-03-01 12:00+00'), ('e1', 'attend_event', '2026-03-31 12:00+00'),
                                ('e2', 'attend_event', '2026-03-31 12:00:01+00');
INSERT INTO crm.activity SELECT 'e3', 'link_clicked', '2026-03-20 23:59:59+00' FROM generate_series(1, 40);
SELECT buying_group.create_audience('B accounts', '{"attr": "account_key", "op": "starts_with", "value": "B"}') IS NOT NULL AS created;
SELECT buying_group.create_buying_groups('Weights SI', 'B accounts');
SELECT buying_group.refresh_engagement('2026-03-31 12:00+00');

CREATE TABLE ref_person AS
WITH w AS (SELECT activity_type, weight FROM buying_group.activity_weights WHERE weight > 0),
win AS (SELECT a.* FROM crm.activity a
         WHERE a.occurred_at > timestamptz '2026-03-31 12:00+00' - interval '720 hours'   -- 30 UTC days
           AND a.occurred_at <= timestamptz '2026-03-31 12:00+00'),
astar AS (SELECT w.activity_type, w.weight / max(w.weight) OVER () AS rel FROM w
           WHERE w.activity_type IN (SELECT activity_type FROM win)),
daily AS (SELECT person_key, activity_type, (occurred_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n
            FROM win GROUP BY 1, 2, 3),
raw AS (SELECT p.person_key, coalesce(sum(least(d.n, 20) * s.rel), 0) AS raw
          FROM crm.person p LEFT JOIN daily d ON d.person_key = p.person_key
          LEFT JOIN astar s ON s.activity_type = d.activity_type
         GROUP BY 1)
SELECT person_key, raw, CASE WHEN max(sqrt(raw)) OVER () = min(sqrt(raw)) OVER () THEN CASE WHEN raw > 0 THEN 100 ELSE 0 END
                             ELSE 100 * (sqrt(raw) - min(sqrt(raw)) OVER ()) / (max(sqrt(raw)) OVER () - min(sqrt(raw)) OVER ()) END AS pes
  FROM raw;
CREATE TABLE ref_group AS
WITH m AS (SELECT mb.buying_group_id AS g, mb.person_key, tr.weight, wv.value
             FROM buying_group.bmember mb JOIN buying_group.bgroup bg ON bg.id = mb.buying_group_id
             JOIN buying_group.solution_interest si ON si.id = bg.solution_interest_id
             JOIN buying_group.template_role tr ON tr.template_id = si.template_id AND tr.role_id = mb.role_id
             JOIN buying_group.weight wv ON wv.name = tr.weight
            WHERE NOT mb.is_removed),
roles AS (SELECT g, sum(value) AS total FROM (SELECT DISTINCT g, weight, value FROM m) x GROUP BY g),
raw AS (SELECT bg.id AS g, coalesce(sum(r.pes * m.value / roles.total), 0) AS raw
          FROM buying_group.bgroup bg LEFT JOIN m ON m.g = bg.id LEFT JOIN roles ON roles.g = m.g
          LEFT JOIN ref_person r ON r.person_key = m.person_key GROUP BY bg.id)
SELECT g, CASE WHEN max(sqrt(raw)) OVER () = min(sqrt(raw)) OVER () THEN CASE WHEN raw > 0 THEN 100 ELSE 0 END
               ELSE 100 * (sqrt(raw) - min(sqrt(raw)) OVER ()) / (max(sqrt(raw)) OVER () - min(sqrt(raw)) OVER ()) END AS bges
  FROM raw;
SELECT count(*) AS persons,
       count(*) FILTER (WHERE round(r.raw, 10) IS DISTINCT FROM round(e.raw_engagement, 10)
                          OR round(r.pes, 10) IS DISTINCT FROM round(e.engagement, 10)) AS mismatches,
       count(*) FILTER (WHERE e.engagement > 0 AND e.engagement < 100) > 10 AS varied
  FROM ref_person r FULL JOIN buying_group.person_engagement e USING (person_key);
SELECT count(*) AS groups,
       count(*) FILTER (WHERE round(r.bges, 10) IS DISTINCT FROM round(b.engagement, 10)) AS mismatches
  FROM ref_group r FULL JOIN buying_group.bgroup b ON b.id = r.g;
-- the edges, one by one: e1 counts only the activity at as_of (attend_event, weight 60 = the
-- maximum: 1), e2 nothing, e3 the cap: 20 x 40/60
SELECT person_key, round(raw_engagement, 6) AS raw FROM buying_group.person_engagement
 WHERE person_key IN ('e1', 'e2', 'e3') ORDER BY 1;

-- an empty tenant: no activity in the window, every score 0
TRUNCATE crm.activity;
SELECT buying_group.refresh_engagement('2026-03-31 12:00+00');
SELECT max(engagement) AS max_pes, (SELECT max(engagement) FROM buying_group.bgroup) AS max_bges
  FROM buying_group.person_engagement;

-- person_engagement_score in role conditions (SPEC 3): the person's current score,
-- 0 without one; checked when stored, only on rows of the bound persons table
SELECT buying_group.check_rule('{"attr": "person_engagement_score", "op": "gte", "value": 50}', 'crm.person') IS NOT NULL AS ok;
SELECT buying_group.check_rule('{"attr": "person_engagement_score", "op": "gte", "value": 50}', 'crm.account');
SELECT buying_group.check_rule('{"attr": "person_engagement_score", "op": "gte", "value": "high"}', 'crm.person');
SELECT buying_group.create_template('Engaged') > 0 AS created;
SELECT buying_group.add_template_role('Engaged', 'Champion',
         conditions => '{"attr": "person_engagement_score", "op": "gte", "value": 50}');
SELECT buying_group.add_template_role('Engaged', 'Practitioner',
         conditions => '{"all": [{"attr": "job_title", "op": "eq", "value": "Engineer"},
                                 {"attr": "person_engagement_score", "op": "lt", "value": 50}]}');
SELECT buying_group.publish_template('Engaged');
SELECT buying_group.create_solution_interest('Engaged SI', 'Engaged') > 0 AS created;
SELECT buying_group.create_audience('Acme only', '{"attr": "account_key", "op": "eq", "value": "A"}') IS NOT NULL AS created;
-- no activity yet: every score is 0, nobody is a Champion
SELECT buying_group.create_buying_groups('Engaged SI', 'Acme only');
SELECT person_key, role FROM buying_group.members m JOIN buying_group.bgroup g ON g.id = m.buying_group_id
 WHERE g.solution_interest_id = (SELECT id FROM buying_group.solution_interest WHERE name = 'Engaged SI') ORDER BY 1;
-- the refresh re-evaluates those roles with the new scores: prac becomes a Champion
INSERT INTO crm.activity SELECT 'prac', 'attend_event', '2026-03-31 10:00+00' FROM generate_series(1, 5);
INSERT INTO crm.activity VALUES ('dm', 'page_viewed', '2026-03-31 10:00+00');
SELECT buying_group.refresh_engagement('2026-03-31 12:00+00');
SELECT person_key, round(engagement, 2) AS pes FROM buying_group.person_engagement WHERE person_key IN ('cap', 'dm', 'prac') ORDER BY 1;
SELECT person_key, role FROM buying_group.members m JOIN buying_group.bgroup g ON g.id = m.buying_group_id
 WHERE g.solution_interest_id = (SELECT id FROM buying_group.solution_interest WHERE name = 'Engaged SI') ORDER BY 1;
SELECT e.type, e.person_key, e.payload ->> 'role' AS role, e.payload ->> 'old_role' AS old_role
  FROM buying_group.events e JOIN buying_group.bgroup g ON g.id = e.buying_group_id
 WHERE g.solution_interest_id = (SELECT id FROM buying_group.solution_interest WHERE name = 'Engaged SI')
   AND e.person_key IS NOT NULL ORDER BY e.id;
SELECT * FROM buying_group.verify_scores();
-- matching and explaining read the same score; a new person has none yet
SELECT p.person_key, buying_group.match_role('Engaged', p) AS role,
       buying_group.explain_match('Engaged', p) #>> '{roles,0,conditions,seen}' AS score_seen
  FROM crm.person p WHERE p.person_key IN ('dm', 'prac') ORDER BY 1;
INSERT INTO crm.person VALUES ('fresh', 'A', 'Engineer', NULL);
SELECT person_key, role FROM buying_group.members WHERE person_key = 'fresh';
-- the SQL form (audiences, rule_to_sql) reads the same value as the evaluator
SELECT format('SELECT count(*) AS persons, count(*) FILTER (WHERE (%s) IS DISTINCT FROM buying_group.eval_rule(%L, p)) AS differences FROM crm.person p',
              buying_group.rule_to_sql(r, 'crm.person', 'p'), r)
  FROM (VALUES ('{"attr": "person_engagement_score", "op": "between", "value": [1, 60]}')) v(r) \gexec

-- a person without a key has no score: the SQL form agrees with the evaluator there too
SELECT format('SELECT coalesce((%s), false) IS DISTINCT FROM buying_group.eval_rule(%L, ROW(p.*)::crm.person) AS differs'
              ' FROM (SELECT NULL::text AS person_key, ''A''::text AS account_key, ''Engineer''::text AS job_title, NULL::text AS seniority) p',
              buying_group.rule_to_sql(r, 'crm.person', 'p'), r)
  FROM (VALUES ('{"attr": "person_engagement_score", "op": "lt", "value": 10}'),
               ('{"attr": "person_engagement_score", "op": "is_empty"}')) v(r) \gexec
-- capped_points skips rows with a NULL and stays NULL without any row
SELECT buying_group_internal.capped_points(1, NULL::date, 1.0, 5) IS NULL AS no_points;
SELECT buying_group_internal.capped_points(t, d, w, 20)
  FROM (VALUES (1, date '2026-03-01', 2.0::float8), (1, NULL, 2.0), (2, date '2026-03-01', 3.0)) v(t, d, w);

-- an administrator who is not a superuser runs the refresh (the role buying_group_admin and
-- reading rights on the CRM tables are all it takes)
CREATE ROLE bg_engagement_admin;
GRANT buying_group_admin TO bg_engagement_admin;
GRANT USAGE ON SCHEMA crm TO bg_engagement_admin;
GRANT SELECT ON ALL TABLES IN SCHEMA crm TO bg_engagement_admin;
SET ROLE bg_engagement_admin;
SELECT buying_group.refresh_engagement('2026-03-31 12:00+00') AS persons_scored;
SELECT count(*) AS problems FROM buying_group.verify_scores();
RESET ROLE;
DROP OWNED BY bg_engagement_admin;
DROP ROLE bg_engagement_admin;

\c :regress_db
DROP DATABASE bg_engagement;
