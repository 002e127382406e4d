-- Account journeys (SPEC 9a): every check publishing makes, with the node it
-- names; the life of a journey (draft, live, stopped); every kind of node run
-- on a small hand-checked data set at fixed times; exactly once and
-- deterministic for a given as_of; precedence of manual decisions; what the
-- views, explain_journey and the KPIs say.
\set SHOW_CONTEXT never
\set own_db bg_journeys
\i test/regress/own_database.psql
CREATE SCHEMA crm;
CREATE TABLE crm.account (account_key text PRIMARY KEY, account_name text NOT NULL, employees integer);
CREATE TABLE crm.person (person_key text PRIMARY KEY, account_key text NOT NULL, first_name text, job_title text,
                         seniority text, email text);
CREATE TABLE crm.activity (person_key text, activity_type text, occurred_at timestamptz);
INSERT INTO crm.account VALUES ('A', 'Acme', 5000), ('B', 'Beta', 2000), ('C', 'Corp', 1500), ('D', 'Delta', 50),
                               ('E', 'Echo', 3000);
INSERT INTO crm.person VALUES
  ('a1', 'A', 'Ada', 'CTO', 'C-Level', 'ada@acme.example'),
  ('a2', 'A', 'Alan', 'Engineer', 'Engineer', 'alan@acme.example'),
  ('a3', 'A', 'Anna', 'VP Sales', 'VP', 'anna@acme.example'),
  ('b1', 'B', 'Bea', 'Engineer', 'Engineer', 'bea@beta.example'),
  ('b2', 'B', 'Bo', 'Head of IT', 'Director', 'bo@beta.example'),
  ('c1', 'C', 'Cy', 'Engineer', 'Engineer', 'cy@corp.example'),
  ('e1', 'E', 'Eve', 'CEO', 'C-Level', 'eve@echo.example');
SELECT buying_group.bind_accounts('crm.account', key => 'account_key', name => 'account_name');
SELECT buying_group.bind_persons('crm.person', key => 'person_key', account => 'account_key');
SELECT buying_group.create_template('T') > 0 AS created;
SELECT buying_group.add_template_role('T', 'Decision Maker', conditions => '{"attr": "seniority", "op": "eq", "value": "C-Level"}');
SELECT buying_group.add_template_role('T', 'Practitioner', conditions => '{"attr": "seniority", "op": "eq", "value": "Engineer"}');
SELECT buying_group.add_template_role('T', 'Champion', required => false);
SELECT buying_group.publish_template('T');
SELECT buying_group.create_stage_model('Funnel', '{"stages": [{"name": "New", "type": "entry"}, {"name": "Working"},
  {"name": "Won", "type": "success"}], "transitions": [{"from": "New", "to": "Working"}, {"from": "Working", "to": "Won"}]}') > 0 AS created;
SELECT buying_group.publish_stage_model('Funnel');
SELECT buying_group.create_solution_interest('Cloud', 'T', stage_model => 'Funnel') > 0 AS created;
SELECT buying_group.create_solution_interest('Bare', 'T') > 0 AS created;
SELECT buying_group.create_audience('Big', '{"attr": "employees", "op": "gte", "value": 1000}') IS NOT NULL AS created;
-- groups for A, B and C only: E enters the journeys without one
SELECT buying_group.create_audience('ABC', '{"attr": "account_key", "op": "in", "value": ["A", "B", "C"]}') IS NOT NULL AS created;
SELECT buying_group.create_buying_groups('Cloud', 'ABC');
SELECT account_key, completeness, member_count FROM buying_group.buying_groups ORDER BY 1;

-- A valid journey to start the checks from; each check changes one thing.
CREATE TEMP TABLE base AS SELECT $j$
{"solution_interest": "Cloud",
 "nodes": {"in": {"type": "start", "audience": "Big", "next": "split"},
           "split": {"type": "account_split",
                     "paths": [{"name": "complete", "when": {"buying_group": {"solution_interest": "Cloud", "completeness": [100, 100]}}, "next": "done"}],
                     "other": "wait"},
           "wait": {"type": "wait", "duration": "1 day", "next": "split"},
           "done": {"type": "end"}}}$j$::jsonb AS d;
CREATE FUNCTION pg_temp.try(change text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    d jsonb;
    msg text;
    state text;
BEGIN
    EXECUTE format('SELECT %s FROM base', change) INTO d;
    PERFORM buying_group.create_journey('check', d);
    DELETE FROM buying_group.journey WHERE name = 'check';
    RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
    RETURN state || ': ' || msg;
END
$$;
SELECT c AS change, pg_temp.try(c) AS outcome FROM (VALUES
  ('d'),
  ('''[]''::jsonb'),
  ('d || ''{"color": "red"}'''),
  ('d - ''solution_interest'''),
  ('jsonb_set(d, ''{solution_interest}'', ''"Nope"'')'),
  ('jsonb_set(d, ''{nodes}'', ''{}'')'),
  ('jsonb_set(d, ''{nodes,x}'', ''{"type": "jump"}'')'),
  ('jsonb_set(d, ''{nodes,x}'', ''[]'')'),
  ('jsonb_set(d, ''{nodes,done,next}'', ''"split"'')'),
  ('d #- ''{nodes,wait,next}'''),
  ('jsonb_set(d, ''{nodes,wait,next}'', ''"nowhere"'')'),
  ('jsonb_set(d, ''{nodes,wait,next}'', ''"in"'')'),
  ('jsonb_set(d, ''{nodes,in2}'', ''{"type": "start", "audience": "Big", "next": "done"}'')'),
  ('d #- ''{nodes,in}'''),
  ('jsonb_set(d, ''{nodes,in,audience}'', ''"Small"'')'),
  ('jsonb_set(d, ''{nodes,in,reentry}'', ''"yes"'')'),
  ('jsonb_set(d, ''{nodes,lost}'', ''{"type": "end"}'')'),
  ('jsonb_set(d, ''{nodes,split,paths}'', ''[]'')'),
  ('jsonb_set(d, ''{nodes,split,paths}'', (SELECT jsonb_agg(jsonb_build_object(''name'', ''p'' || i, ''when'', ''{"attr": "employees", "op": "gt", "value": 1}''::jsonb, ''next'', ''done'')) FROM generate_series(1, 26) i))'),
  ('jsonb_set(d, ''{nodes,split,paths,0}'', ''{"name": "complete", "next": "done"}'')'),
  ('jsonb_set(d, ''{nodes,split,paths,1}'', ''{"name": "complete", "when": {"attr": "employees", "op": "gt", "value": 1}, "next": "done"}'')'),
  ('jsonb_set(d, ''{nodes,split,paths,0,name}'', ''"other"'')'),
  ('jsonb_set(d, ''{nodes,split,paths,0,at_least}'', ''2'')'),
  ('jsonb_set(d, ''{nodes,split,paths,0,when}'', ''{"attr": "employees", "op": "like", "value": 1}'')'),
  ('jsonb_set(d, ''{nodes,split,paths,0,when}'', ''{"attr": "revenue", "op": "gt", "value": 1}'')'),
  ('jsonb_set(d, ''{nodes,split,paths,0,when}'', ''{"buying_group": {"solution_interest": "Nope"}}'')'),
  ('jsonb_set(d, ''{nodes,split,type}'', ''"people_split"'')'),
  ('jsonb_set(d, ''{nodes,split}'', ''{"type": "people_split", "paths": [{"name": "cto", "when": {"attr": "job_title", "op": "eq", "value": "CTO"}, "at_least": 0, "next": "done"}], "other": "wait"}'')'),
  ('jsonb_set(d, ''{nodes,wait,until}'', ''"2027-01-01"'')'),
  ('d #- ''{nodes,wait,duration}'''),
  ('jsonb_set(d, ''{nodes,wait,duration}'', ''"soon"'')'),
  ('jsonb_set(d, ''{nodes,wait,duration}'', ''"-1 day"'')'),
  ('jsonb_set(d #- ''{nodes,wait,duration}'', ''{nodes,wait,until}'', ''"tomorrow-ish"'')'),
  ('jsonb_set(d #- ''{nodes,wait,duration}'', ''{nodes,wait,until}'', ''"2027-01-01T09:00:00"'')'),
  ('jsonb_set(d, ''{nodes,wait}'', ''{"type": "listen", "event": "sales_ready", "activity": "email_opened", "timeout": "1 day", "next": "done", "timeout_next": "split"}'')'),
  ('jsonb_set(d, ''{nodes,wait}'', ''{"type": "listen", "event": "lunch", "timeout": "1 day", "next": "done", "timeout_next": "split"}'')'),
  ('jsonb_set(d, ''{nodes,wait}'', ''{"type": "listen", "event": "sales_ready", "timeout": "0", "next": "done", "timeout_next": "split"}'')'),
  ('jsonb_set(d, ''{nodes,wait}'', ''{"type": "listen", "activity": "email_opened", "timeout": "1 day", "next": "done", "timeout_next": "split"}'')'),
  ('jsonb_set(d, ''{nodes,wait}'', ''{"type": "listen", "activity": "email_opened", "payload": {}, "timeout": "1 day", "next": "done", "timeout_next": "split"}'')'),
  ('jsonb_set(d, ''{nodes,wait}'', ''{"type": "listen", "event": "stage_changed", "payload": {"new": "Won"}, "timeout": "7 days", "next": "done", "timeout_next": "split"}'')'),
  ('jsonb_set(d, ''{nodes,wait}'', ''{"type": "merge", "next": "split"}'')'),
  ('jsonb_set(d, ''{nodes,wait}'', ''{"type": "wait", "until": "2027-01-01", "next": "split"}'')'),
  ('jsonb_set(d, ''{nodes,done}'', ''{"type": "action", "action": "fly", "next": "wait"}'')'),
  ('jsonb_set(d, ''{nodes,done}'', ''{"type": "action", "action": "set_status", "status": "x", "stage": "New", "next": "wait"}'')'),
  ('jsonb_set(d, ''{nodes,done}'', ''{"type": "action", "action": "assign", "role": "Champion", "next": "wait"}'')'),
  ('jsonb_set(d, ''{nodes,done}'', ''{"type": "action", "action": "assign", "role": "Pilot", "people": {"attr": "seniority", "op": "eq", "value": "VP"}, "next": "wait"}'')'),
  ('jsonb_set(d, ''{nodes,done}'', ''{"type": "action", "action": "assign", "role": "Champion", "people": {"attr": "rank", "op": "eq", "value": "VP"}, "next": "wait"}'')'),
  ('jsonb_set(d, ''{nodes,done}'', ''{"type": "action", "action": "remove", "next": "wait"}'')'),
  ('jsonb_set(d, ''{nodes,done}'', ''{"type": "action", "action": "set_stage", "stage": "Lost", "next": "wait"}'')'),
  ('jsonb_set(jsonb_set(d, ''{solution_interest}'', ''"Bare"''), ''{nodes,done}'', ''{"type": "action", "action": "set_stage", "stage": "New", "next": "wait"}'')'),
  ('jsonb_set(d, ''{nodes,done}'', jsonb_build_object(''type'', ''action'', ''action'', ''set_status'', ''status'', repeat(''x'', 51), ''next'', ''wait''))'),
  ('jsonb_set(d, ''{nodes,done}'', ''{"type": "action", "action": "sales_alert", "recipients": [], "next": "wait"}'')'),
  ('jsonb_set(d, ''{nodes,done}'', ''{"type": "action", "action": "sales_alert", "recipients": ["ae@example.com", " "], "next": "wait"}'')'),
  ('jsonb_set(d, ''{nodes,done}'', ''{"type": "action", "action": "linkedin_add", "list": " ads", "next": "wait"}'')'),
  ('jsonb_set(d, ''{nodes,done}'', ''{"type": "action", "action": "linkedin_remove", "list": "ads", "next": "wait"}'')')
) AS t(c);
-- loops: through an action back to the split (no wait), and through a wait with a date
SELECT pg_temp.try($$jsonb_set(d, '{nodes,wait}', '{"type": "action", "action": "set_status", "status": "x", "next": "split"}')$$);
SELECT pg_temp.try($$jsonb_set(jsonb_set(d, '{nodes,wait}', '{"type": "wait", "until": "2027-01-01", "next": "merge"}'),
                               '{nodes,merge}', '{"type": "merge", "next": "split"}')$$);

-- The life of a journey
SELECT buying_group.create_journey('Life', (SELECT d FROM base)) > 0 AS created;
SELECT buying_group.create_journey('Life', (SELECT d FROM base));
SELECT buying_group.create_journey(' ', (SELECT d FROM base));
SELECT buying_group.update_journey('Life', jsonb_set((SELECT d FROM base), '{nodes,wait,duration}', '"2 days"'));
SELECT buying_group.stop_journey('Life');
SELECT buying_group.publish_journey('Life');
SELECT buying_group.publish_journey('Life');
SELECT buying_group.update_journey('Life', (SELECT d FROM base));
SELECT buying_group.delete_journey('Life');
SELECT buying_group.stop_journey('Life');
SELECT name, status, solution_interest, audience, nodes, published_at IS NOT NULL AS published,
       stopped_at IS NOT NULL AS stopped FROM buying_group.journeys;
SELECT buying_group.run_journeys('2027-01-01Z');          -- a stopped journey does nothing
SELECT buying_group.delete_journey('Life');
SELECT buying_group.delete_journey('Life');
SELECT buying_group.run_journeys(NULL);
SELECT buying_group.run_journeys('infinity');

-- The runs below happen at times counted in days from t0, two days ago:
-- events are stamped with the clock, so the listen in between hears the
-- ones the test makes now. Times are shown relative to t0.
CREATE TEMP TABLE clock AS SELECT date_trunc('hour', now()) - interval '2 days' AS t0;
CREATE FUNCTION pg_temp.d(days numeric) RETURNS timestamptz LANGUAGE sql
    AS $$ SELECT t0 + days * interval '1 day' FROM clock $$;
CREATE FUNCTION pg_temp.rel(t timestamptz) RETURNS text LANGUAGE sql
    AS $$ SELECT CASE WHEN t IS NOT NULL THEN 't0 + ' || trim_scale(round(extract(epoch FROM t - t0) / 86400, 2)) || ' days' END FROM clock $$;
CREATE FUNCTION pg_temp.iso(t timestamptz) RETURNS text LANGUAGE sql
    AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

-- A journey with every kind of node. Accounts of "Big": A, B, C, E (D is small).
-- A is complete (a Decision Maker and a Practitioner): to Sales.
-- B and C miss a Decision Maker: a people split finds a director at B, who
-- is made Decision Maker; C has none and goes on LinkedIn, then listens
-- for a Decision Maker assigned within 7 days.
-- E has no buying group: its action fails and is recorded.
-- Everyone pauses until t0 + 9 days, then ends; re-entry is allowed.
SELECT buying_group.create_journey('Fill', replace($j$
{"solution_interest": "Cloud",
 "nodes": {
   "in":      {"type": "start", "audience": "Big", "reentry": true, "next": "ready?"},
   "ready?":  {"type": "account_split",
               "paths": [{"name": "complete", "when": {"buying_group": {"solution_interest": "Cloud", "completeness": [100, 100]}}, "next": "alert"},
                         {"name": "no group", "when": {"not": {"buying_group": {"solution_interest": "Cloud"}}}, "next": "status"},
                         {"name": "big and missing a DM", "when": {"all": [{"attr": "employees", "op": "gte", "value": 1000},
                                                                          {"buying_group": {"solution_interest": "Cloud", "missing_role": "Decision Maker"}}]},
                          "next": "who?"}],
               "other": "end"},
   "who?":    {"type": "people_split",
               "paths": [{"name": "two engineers", "when": {"attr": "seniority", "op": "eq", "value": "Engineer"}, "at_least": 2, "next": "end"},
                         {"name": "a director", "when": {"attr": "seniority", "op": "eq", "value": "Director"}, "next": "promote"}],
               "other": "ads"},
   "promote": {"type": "action", "action": "assign", "role": "Decision Maker",
               "people": {"attr": "seniority", "op": "eq", "value": "Director"}, "next": "stage"},
   "stage":   {"type": "action", "action": "set_stage", "stage": "New", "next": "join"},
   "ads":     {"type": "action", "action": "linkedin_add", "list": "Find a DM", "next": "listen"},
   "listen":  {"type": "listen", "event": "member_assigned", "payload": {"role": "Decision Maker"}, "timeout": "7 days",
               "next": "unads", "timeout_next": "later"},
   "later":   {"type": "wait", "duration": "3 days", "next": "ready?"},
   "unads":   {"type": "action", "action": "linkedin_remove", "list": "Find a DM", "next": "join"},
   "alert":   {"type": "action", "action": "sales_alert", "recipients": ["ae@example.com"], "next": "status"},
   "status":  {"type": "action", "action": "set_status", "status": "Handed over", "next": "join"},
   "join":    {"type": "merge", "next": "pause"},
   "pause":   {"type": "wait", "until": "@PAUSE@", "next": "end"},
   "end":     {"type": "end"}}}
$j$, '@PAUSE@', pg_temp.iso(pg_temp.d(9)))::jsonb) > 0 AS created;
SELECT buying_group.run_journeys(pg_temp.d(0));           -- still a draft: nothing
SELECT buying_group.publish_journey('Fill');
SELECT buying_group.run_journeys(pg_temp.d(0)) AS steps;
SELECT buying_group.run_journeys(pg_temp.d(0)) AS steps;  -- the same time again: nothing more
SELECT journey, account_key, entry, node, node_type, state, pg_temp.rel(since) AS since, pg_temp.rel(until) AS until, steps
  FROM buying_group.journey_accounts ORDER BY 2;
SELECT account_key, seq, node, node_type, path, seen, result - 'alert' AS result, pg_temp.rel(at) AS at
  FROM buying_group.journey_steps ORDER BY 1, seq;
-- what the actions did: B's director is a Decision Maker (source journey), in stage New
SELECT account_key, person_key, role, source FROM buying_group.members WHERE account_key = 'B' ORDER BY 2;
SELECT account_key, stage, status, completeness FROM buying_group.buying_groups ORDER BY 1;
SELECT type, account_key, person_key, payload FROM buying_group.events
 WHERE type IN ('member_assigned', 'stage_changed', 'status_changed') ORDER BY id;
SELECT list, account_key, pg_temp.rel(added_at) AS added_at, journey FROM buying_group.linkedin_lists;
SELECT companyname FROM buying_group.linkedin_list_companies('Find a DM');
SELECT email, jobtitle FROM buying_group.linkedin_list_contacts('Find a DM', 'Decision Maker');
SELECT buying_group.linkedin_list_companies('Nobody');
SELECT journey, account_key, recipients, alert ->> 'name' AS name, alert -> 'completeness' AS completeness,
       alert -> 'top_members' -> 0 ->> 'name' AS top_member, pg_temp.rel(at) AS at
  FROM buying_group.journey_alerts;

-- C listens for a Decision Maker: a Champion assigned now is not what it
-- waits for; a Decision Maker assigned now is heard by the first run after now
SELECT buying_group.assign_member('Cloud', 'C', 'c1', 'Champion');
SELECT buying_group.run_journeys(pg_temp.d(1)) AS steps;
INSERT INTO crm.person VALUES ('c2', 'C', 'Cid', 'Founder', 'Owner', 'cid@corp.example');
SELECT buying_group.assign_member('Cloud', 'C', 'c2', 'Decision Maker');
SELECT buying_group.run_journeys(pg_temp.d(1)) AS steps;  -- as of yesterday: not heard yet
SELECT buying_group.run_journeys(pg_temp.d(3)) AS steps;
SELECT account_key, seq, node, path, result - 'at' - 'event_id' AS result, pg_temp.rel(at) AS at
  FROM buying_group.journey_steps WHERE account_key = 'C' AND seq > 4 ORDER BY seq;
SELECT count(*) AS on_list FROM buying_group.linkedin_lists;

-- the wait with a date lets everyone go on at t0 + 9 days, and they end
SELECT buying_group.run_journeys(pg_temp.d(8)) AS steps;
SELECT buying_group.run_journeys(pg_temp.d(9)) AS steps;
SELECT account_key, entry, node, state, pg_temp.rel(entered_at) AS entered_at, pg_temp.rel(ended_at) AS ended_at
  FROM buying_group.journey_accounts ORDER BY 1, 2;

-- they enter again at the next run (reentry true). A manual removal holds
-- against the journey: B's directors are promoted again, but b2, removed by
-- hand, stays removed and the step says so.
SELECT buying_group.remove_member('Cloud', 'B', 'b2');
UPDATE crm.person SET seniority = 'Director' WHERE person_key = 'b1';
SELECT buying_group.run_journeys(pg_temp.d(10)) AS steps;
SELECT account_key, entry, seq, node, path, seen, result FROM buying_group.journey_steps
 WHERE account_key = 'B' AND entry = 2 AND node IN ('ready?', 'who?', 'promote') ORDER BY seq;
SELECT person_key, role, source, is_removed FROM buying_group.members WHERE account_key = 'B' ORDER BY 1;
SELECT account_key, entry, node, state FROM buying_group.journey_accounts ORDER BY 1, 2;

-- explained
CREATE FUNCTION pg_temp.times(t text) RETURNS text LANGUAGE sql
    AS $$ SELECT regexp_replace(t, '\d{4}-\d\d-\d\d[ T][0-9:.+-]+', '<time>', 'g') $$;
SELECT entry, seq, pg_temp.rel(at) AS at, node, pg_temp.times(explanation) AS explanation
  FROM buying_group.explain_journey('Fill', 'C');
SELECT entry, seq, node, pg_temp.times(explanation) AS explanation FROM buying_group.explain_journey('Fill', 'E') WHERE entry = 1;
SELECT * FROM buying_group.explain_journey('Fill', 'D');
SELECT * FROM buying_group.explain_journey('Nope', 'A');
-- per-node KPIs
SELECT node, node_type, path, passed, accounts, sales_ready_now, median_time_in_node, here_now
  FROM buying_group.journey_node_kpis WHERE journey = 'Fill' ORDER BY node, path;

-- listening for an activity: E opens an email within the timeout; A opened
-- one before it entered and clicks one in time, which is not what it waits for
SELECT buying_group.stop_journey('Fill');
SELECT buying_group.bind_activities('crm.activity', person => 'person_key', type => 'activity_type', "at" => 'occurred_at');
SELECT buying_group.create_journey('Listen', $j$
{"solution_interest": "Cloud",
 "nodes": {"in": {"type": "start", "audience": "Big", "next": "hear"},
           "hear": {"type": "listen", "activity": "email_opened", "timeout": "2 days", "next": "yes", "timeout_next": "no"},
           "yes": {"type": "end"}, "no": {"type": "end"}}}$j$) > 0 AS created;
SELECT buying_group.publish_journey('Listen');
INSERT INTO crm.activity VALUES ('e1', 'email_opened', pg_temp.d(21)), ('a1', 'email_clicked', pg_temp.d(21)),
                                ('a2', 'email_opened', pg_temp.d(19));
SELECT buying_group.run_journeys(pg_temp.d(20)) AS steps;
SELECT buying_group.run_journeys(pg_temp.d(21.5)) AS steps;
SELECT account_key, state, pg_temp.rel(until) AS until FROM buying_group.journey_accounts WHERE journey = 'Listen' ORDER BY 1;
SELECT buying_group.run_journeys(pg_temp.d(22)) AS steps;
SELECT account_key, node, path, result - 'at' - 'timed_out_at' AS result, pg_temp.rel((result ->> 'at')::timestamptz) AS heard_at,
       pg_temp.rel((result ->> 'timed_out_at')::timestamptz) AS timed_out_at
  FROM buying_group.journey_steps WHERE journey = 'Listen' AND node = 'hear' ORDER BY 1;

-- removing by role
SELECT buying_group.create_journey('Clear', $j$
{"solution_interest": "Cloud",
 "nodes": {"in": {"type": "start", "audience": "ABC", "next": "rm"},
           "rm": {"type": "action", "action": "remove", "role": "Practitioner", "next": "out"},
           "out": {"type": "end"}}}$j$) > 0 AS created;
SELECT buying_group.publish_journey('Clear');
SELECT buying_group.run_journeys(pg_temp.d(30)) AS steps;
SELECT account_key, result FROM buying_group.journey_steps WHERE journey = 'Clear' AND node = 'rm' ORDER BY 1;
SELECT person_key, role, source, is_removed FROM buying_group.members WHERE role = 'Practitioner' ORDER BY 1;
SELECT count(*) AS problems FROM buying_group.verify_scores();

-- An audience a journey starts from cannot be deleted; and if what a run
-- depends on is gone anyway, the run stops with an error
SELECT buying_group.delete_audience('Big');
SELECT buying_group.stop_journey('Listen');
SELECT buying_group.delete_audience('Big');
UPDATE buying_group.journey SET status = 'live' WHERE name = 'Listen';
SELECT buying_group.run_journeys(pg_temp.d(31));

\c :regress_db
DROP DATABASE bg_journeys;
