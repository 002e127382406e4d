-- Stages and status (SPEC 9): stage models validated when created and frozen
-- once live, set_stage against the allowed transitions (from no stage, out of
-- failure, non-linear), set_status, automatic transitions applied by the
-- triggers and set_status, events, and the audience filters on both.
\set SHOW_CONTEXT never
\set own_db bg_stages
\i test/regress/own_database.psql
CREATE SCHEMA crm;
CREATE TABLE crm.account (account_key text PRIMARY KEY, account_name text);
CREATE TABLE crm.person (person_key text PRIMARY KEY, account_key text, seniority text);
INSERT INTO crm.account VALUES ('A', 'Acme'), ('B', 'Beta');
INSERT INTO crm.person VALUES ('a1', 'A', 'C-Level'), ('b1', 'B', 'Manager');
SELECT buying_group.bind_accounts('crm.account', key => 'account_key', name => 'account_name');
SELECT buying_group.bind_persons('crm.person', key => 'person_key', account => 'account_key');
SELECT buying_group.create_template('Two roles') > 0 AS created;
SELECT buying_group.add_template_role('Two roles', 'Decision Maker',
         conditions => '{"attr": "seniority", "op": "eq", "value": "C-Level"}');
SELECT buying_group.add_template_role('Two roles', 'Influencer',
         conditions => '{"attr": "seniority", "op": "in", "value": ["VP", "Director"]}');
SELECT buying_group.publish_template('Two roles');

-- every rule of a stage model is checked, with the JSON path of the fault
SELECT buying_group.create_stage_model('Bad', NULL);
SELECT buying_group.create_stage_model('Bad', '[]');
SELECT buying_group.create_stage_model('Bad', '{"stages": [], "transitions": []}');
SELECT buying_group.create_stage_model('Bad', '{"stages": [{"name": "A", "type": "entry"}], "transitons": []}');
SELECT buying_group.create_stage_model('Bad', '{"stages": [{"name": "A", "type": "entry"}, {"name": " "}]}');
SELECT buying_group.create_stage_model('Bad', '{"stages": [{"name": "A", "type": "entry"}, {"name": "B", "type": "won"}]}');
SELECT buying_group.create_stage_model('Bad', '{"stages": [{"name": "A", "type": "entry"}, {"name": "a", "type": "success"}]}');
SELECT buying_group.create_stage_model('Bad', '{"stages": [{"name": "A"}, {"name": "B", "type": "success"}]}');
SELECT buying_group.create_stage_model('Bad', '{"stages": [{"name": "A", "type": "entry"}]}');
SELECT buying_group.create_stage_model('Bad', '{"stages": [{"name": "A", "type": "entry"}, {"name": "B", "type": "success"},
  {"name": "C", "type": "success"}]}');
SELECT buying_group.create_stage_model('Bad', '{"stages": [{"name": "A", "type": "entry"}, {"name": "B", "type": "success"}],
  "transitions": [{"from": "A", "to": "Z"}]}');
SELECT buying_group.create_stage_model('Bad', '{"stages": [{"name": "A", "type": "entry"}, {"name": "B", "type": "success"}],
  "transitions": [{"from": ["A", "Q"], "to": "B"}]}');
SELECT buying_group.create_stage_model('Bad', '{"stages": [{"name": "A", "type": "entry"}, {"name": "B", "type": "success"}],
  "transitions": [{"from": "A", "to": "a"}]}');
SELECT buying_group.create_stage_model('Bad', '{"stages": [{"name": "A", "type": "entry"}, {"name": "B", "type": "success"}],
  "transitions": [{"from": "A", "to": "B"}, {"from": ["a"], "to": "b"}]}');
SELECT buying_group.create_stage_model('Bad', '{"stages": [{"name": "A", "type": "entry"}, {"name": "B", "type": "success"}],
  "transitions": [{"from": "A", "to": "B", "if": {}}]}');
SELECT buying_group.create_stage_model('Bad', '{"stages": [{"name": "A", "type": "entry"}, {"name": "B", "type": "success"}],
  "transitions": [{"from": "A", "to": "B", "when": {"attr": "completenes", "op": "gte", "value": 80}}]}');
SELECT buying_group.create_stage_model('Bad', '{"stages": [{"name": "A", "type": "entry"}, {"name": "B", "type": "success"}],
  "transitions": [{"from": "A", "to": "B", "when": {"attr": "completeness", "op": "gte", "value": "high"}}]}');
SELECT buying_group.create_stage_model('Bad', '{"stages": [{"name": "A", "type": "entry"}, {"name": "B"}, {"name": "C", "type": "success"}],
  "transitions": [{"from": "A", "to": "B", "when": {"attr": "member_count", "op": "gte", "value": 1}},
                  {"from": "B", "to": "C", "when": {"attr": "completeness", "op": "gte", "value": 50}},
                  {"from": "C", "to": "A", "when": {"attr": "status", "op": "eq", "value": "reset"}}]}');
SELECT count(*) AS nothing_stored FROM buying_group.stage_model;

-- a model: two entry stages, a non-linear path, a failure stage that can be left,
-- and one automatic transition
SELECT buying_group.create_stage_model('Sales process', description => 'From first touch to hand-off', stages => '{
  "stages": [
    {"name": "Awareness", "type": "entry"},
    {"name": "Inbound", "type": "entry"},
    {"name": "Engaged"},
    {"name": "Sales Ready", "type": "success"},
    {"name": "Lost", "type": "failure"}],
  "transitions": [
    {"from": ["Awareness", "Inbound"], "to": "Engaged"},
    {"from": "Inbound", "to": "Sales Ready"},
    {"from": "Engaged", "to": "Sales Ready",
     "when": {"all": [{"attr": "completeness", "op": "gte", "value": 100},
                      {"not": {"attr": "status", "op": "eq", "value": "on hold"}}]}},
    {"from": ["Awareness", "Engaged", "Sales Ready"], "to": "Lost"},
    {"from": "Lost", "to": "Awareness"}]}') > 0 AS created;
SELECT name, description, status, stages FROM buying_group.stage_models;
SELECT stage_model, from_stage, to_stage, automatic FROM buying_group.stage_transitions;

-- drafts can be replaced and deleted; live models are frozen
SELECT buying_group.create_stage_model('Scratch', '{"stages": [{"name": "X", "type": "entry"}, {"name": "Y", "type": "success"}]}') > 0 AS created;
SELECT buying_group.update_stage_model('Scratch', '{"stages": [{"name": "X2", "type": "entry"}, {"name": "Y", "type": "success"}]}');
SELECT stages FROM buying_group.stage_models WHERE name = 'Scratch';
SELECT buying_group.delete_stage_model('Scratch');
SELECT buying_group.delete_stage_model('Scratch');
-- a draft cannot be attached
SELECT buying_group.create_solution_interest('Cloud', 'Two roles', stage_model => 'Sales process');
SELECT buying_group.publish_stage_model('Sales process');
SELECT buying_group.update_stage_model('Sales process', '{"stages": [{"name": "A", "type": "entry"}, {"name": "B", "type": "success"}]}');
SELECT buying_group.delete_stage_model('Sales process');
UPDATE buying_group.stage SET name = 'Aware' WHERE name = 'Awareness';
DELETE FROM buying_group.stage_transition WHERE from_stage = 'Lost';
UPDATE buying_group.stage_model SET status = 'draft';
UPDATE buying_group.stage_model SET description = 'Our funnel' RETURNING name, description, status;
-- nor can a stage or transition be moved out of a live model into a draft
SELECT buying_group.create_stage_model('Other draft', '{"stages": [{"name": "D", "type": "entry"}, {"name": "E", "type": "success"}]}') > 0 AS created;
UPDATE buying_group.stage SET stage_model_id = (SELECT id FROM buying_group.stage_model WHERE name = 'Other draft')
 WHERE name = 'Lost';
-- a model goes live only valid, whatever updates it; a row inserted directly (only a
-- superuser may, as a restore does) is taken as it is
INSERT INTO buying_group.stage_model (name, status) VALUES ('Sneaky', 'live');
INSERT INTO buying_group.stage_transition (stage_model_id, from_stage, to_stage, position, condition)
SELECT id, 'E', 'D', 2, '{"attr": "member_count", "op": "gte", "value": 0}' FROM buying_group.stage_model WHERE name = 'Other draft';
INSERT INTO buying_group.stage_transition (stage_model_id, from_stage, to_stage, position, condition)
SELECT id, 'D', 'E', 1, '{"attr": "member_count", "op": "gte", "value": 0}' FROM buying_group.stage_model WHERE name = 'Other draft';
SELECT buying_group.publish_stage_model('Other draft');
UPDATE buying_group.stage_model SET status = 'live' WHERE name = 'Other draft';
UPDATE buying_group.stage_transition SET condition = '{"attr": "completenes", "op": "gte", "value": 1}'
 WHERE from_stage = 'D';
DELETE FROM buying_group.stage_transition WHERE from_stage = 'E';
SELECT buying_group.publish_stage_model('Other draft');
SELECT buying_group.delete_stage_model('Other draft');

-- solution interests: one with the model from the start, one attached later
SELECT buying_group.create_solution_interest('Cloud', 'Two roles', stage_model => 'Sales process') > 0 AS created;
SELECT buying_group.create_solution_interest('Data', 'Two roles', sales_ready_completeness => 50) > 0 AS created;
SELECT buying_group.create_audience('All', '{"attr": "account_key", "op": "is_not_empty"}') IS NOT NULL AS created;
SELECT buying_group.create_buying_groups('Cloud', 'All');
SELECT buying_group.create_buying_groups('Data', 'All');
SELECT buying_group.set_stage('Data', 'A', 'Awareness');
SELECT buying_group.set_stage_model('Data', 'No such model');
SELECT buying_group.set_stage_model('Data', 'Sales process');
SELECT name, stage_model FROM buying_group.solution_interests ORDER BY name;

-- from no stage only entry stages; unknown stages and accounts are clear errors
SELECT buying_group.set_stage('Cloud', 'A', 'Engaged');
SELECT buying_group.set_stage('Cloud', 'A', 'Won');
SELECT buying_group.set_stage('Cloud', 'Z', 'Awareness');
SELECT buying_group.set_stage('Cloud', 'A', 'awareness');
SELECT buying_group.set_stage('Cloud', 'A', 'Awareness');   -- already there: no event
-- a move the model does not allow
SELECT buying_group.set_stage('Cloud', 'A', 'Sales Ready');
-- the model's stages are frozen in the groups: it cannot be swapped now
SELECT buying_group.set_stage_model('Cloud', NULL);
-- non-linear: Inbound may skip Engaged
SELECT buying_group.set_stage('Cloud', 'B', 'Inbound');
SELECT buying_group.set_stage('Cloud', 'B', 'Sales Ready');
-- into failure and out of it
SELECT buying_group.set_stage('Cloud', 'B', 'Lost');
SELECT buying_group.set_stage('Cloud', 'B', 'Engaged');
SELECT buying_group.set_stage('Cloud', 'B', 'Awareness');

-- status: free text up to 50 characters, blank clears it
SELECT buying_group.set_status('Cloud', 'B', repeat('x', 51));
SELECT buying_group.set_status('Cloud', 'B', repeat('é', 50));
SELECT buying_group.set_status('Cloud', 'B', '  Called twice, no answer ');
SELECT buying_group.set_status('Cloud', 'B', 'Called twice, no answer');   -- unchanged: no event
SELECT buying_group.set_status('Cloud', 'A', 'on hold');
SELECT account_key, stage, status FROM buying_group.buying_groups WHERE solution_interest = 'Cloud' ORDER BY 1;

-- automatic transition: A is Engaged and complete, but on hold; clearing the
-- status lets the triggers' and set_status's evaluation move it
SELECT buying_group.set_stage('Cloud', 'A', 'Engaged');
INSERT INTO crm.person VALUES ('a2', 'A', 'VP');
SELECT account_key, stage, status, completeness_display FROM buying_group.buying_groups WHERE solution_interest = 'Cloud' ORDER BY 1;
SELECT buying_group.set_status('Cloud', 'A', NULL);
SELECT account_key, stage, status, completeness_display FROM buying_group.buying_groups WHERE solution_interest = 'Cloud' ORDER BY 1;
-- and by the triggers: B engaged, becomes complete with one statement
SELECT buying_group.set_stage('Cloud', 'B', 'Engaged');
BEGIN;
INSERT INTO crm.person VALUES ('b2', 'B', 'C-Level'), ('b3', 'B', 'Director');
SELECT account_key, stage FROM buying_group.buying_groups WHERE solution_interest = 'Cloud' ORDER BY 1;
ROLLBACK;
-- set_stage returns the stage it ends in: entering Engaged complete goes on to Sales Ready
SELECT buying_group.set_stage('Cloud', 'B', 'Lost');
INSERT INTO crm.person VALUES ('b2', 'B', 'C-Level'), ('b3', 'B', 'Director');
SELECT stage FROM buying_group.buying_groups WHERE solution_interest = 'Cloud' AND account_key = 'B';
SELECT buying_group.set_stage('Cloud', 'B', 'Awareness');
SELECT buying_group.set_stage('Cloud', 'B', 'Engaged') AS ends_in;

-- every change is an event, in order
SELECT e.type, e.account_key, e.payload - 'condition' AS payload, e.payload ? 'condition' AS has_condition
  FROM buying_group.events e WHERE e.type IN ('stage_changed', 'status_changed') ORDER BY e.id;

-- audience filters on stage and status
SELECT buying_group.create_audience('Cloud sales ready', '{"buying_group": {"solution_interest": "Cloud", "stage": "sales ready"}}') IS NOT NULL AS created;
SELECT account_key FROM buying_group_audience.cloud_sales_ready ORDER BY 1;
SELECT buying_group.set_status('Cloud', 'B', 'Negotiating');
SELECT buying_group.create_audience('Negotiating', '{"buying_group": {"status": ["negotiating", "signed"]}}') IS NOT NULL AS created;
SELECT account_key FROM buying_group_audience.negotiating ORDER BY 1;

-- the guard keeps direct DML honest too
UPDATE buying_group.solution_interest SET stage_model_id = NULL WHERE name = 'Cloud';
UPDATE buying_group.solution_interest SET stage_model_id = NULL WHERE name = 'Data' RETURNING name;
SELECT buying_group.create_stage_model('Draft model', '{"stages": [{"name": "X", "type": "entry"}, {"name": "Y", "type": "success"}]}') > 0 AS created;
UPDATE buying_group.solution_interest SET stage_model_id = (SELECT id FROM buying_group.stage_model WHERE name = 'Draft model')
 WHERE name = 'Data';

SELECT * FROM buying_group.verify_scores();

\c :regress_db
DROP DATABASE bg_stages;
