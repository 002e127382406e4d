-- Catalog and configuration API (SPEC 1, 1.1): roles, templates, template roles,
-- and every misuse refused with a clear error, changing nothing.
\set SHOW_CONTEXT never

-- the six default roles
SELECT name, is_default, template_count FROM buying_group.roles ORDER BY name;

-- custom roles
SELECT buying_group.create_role('Procurement', description => 'Signs the purchase order') > 0 AS created;
SELECT name, description, is_default FROM buying_group.roles WHERE NOT is_default;
SELECT buying_group.create_role('procurement');          -- duplicate, whatever the case
SELECT buying_group.create_role('  ');                    -- empty
SELECT buying_group.delete_role('Decision Maker');        -- default role
DELETE FROM buying_group.role WHERE name = 'Champion';    -- direct DML is guarded too
UPDATE buying_group.role SET name = 'Boss' WHERE name = 'Decision Maker';
SELECT buying_group.delete_role('Nobody');                -- unknown role

-- at most 20 roles: 6 default + Procurement + 13 more, then the 21st fails
SELECT count(*) FROM (SELECT buying_group.create_role('Custom ' || i) FROM generate_series(1, 13) i) s;
SELECT count(*) FROM buying_group.roles;
SELECT buying_group.create_role('Custom 14');
SELECT count(*) FROM buying_group.roles;
SELECT count(*) FROM (SELECT buying_group.delete_role('Custom ' || i) FROM generate_series(1, 13) i) s;
SELECT count(*) FROM buying_group.roles;

-- templates
SELECT buying_group.create_template('Enterprise', description => 'Large accounts') > 0 AS created;
SELECT buying_group.create_template('Enterprise');                  -- duplicate
SELECT buying_group.create_template('Odd', completeness_mode => 'median');  -- unknown mode
SELECT name, description, status, completeness_mode, role_count, published_at IS NULL AS unpublished
  FROM buying_group.templates;

SELECT buying_group.add_template_role('Enterprise', 'Decision Maker', weight => 'vital', members_required => 2,
         conditions => '{"attr": "seniority", "op": "in", "value": ["C-Level", "VP"]}');
SELECT buying_group.add_template_role('Enterprise', 'Influencer', weight => 'important',
         conditions => '{"attr": "job_title", "op": "contains", "value": "director"}');
SELECT buying_group.add_template_role('Enterprise', 'Practitioner');
SELECT buying_group.add_template_role('Enterprise', 'Procurement', weight => 'trivial', required => false);

-- misuse of add_template_role
SELECT buying_group.add_template_role('Enterprise', 'Champion', weight => 'heavy');
SELECT buying_group.add_template_role('Enterprise', 'Champion', members_required => 0);
SELECT buying_group.add_template_role('Enterprise', 'Influencer');
SELECT buying_group.add_template_role('Nope', 'Champion');
SELECT buying_group.add_template_role('Enterprise', 'Nobody');
SELECT buying_group.add_template_role('Enterprise', 'Champion', conditions => '{"attr": "x", "op": "near", "value": 1}');
SELECT buying_group.add_template_role('Enterprise', 'Champion', conditions => '{"attr": "x"');
SELECT role, priority FROM buying_group.template_roles WHERE template = 'Enterprise' ORDER BY priority;

-- priority order: move, remove
SELECT buying_group.move_template_role('Enterprise', 'Practitioner', 1);
SELECT role, priority FROM buying_group.template_roles WHERE template = 'Enterprise' ORDER BY priority;
SELECT buying_group.move_template_role('Enterprise', 'Practitioner', 4);
SELECT role, priority FROM buying_group.template_roles WHERE template = 'Enterprise' ORDER BY priority;
SELECT buying_group.move_template_role('Enterprise', 'Practitioner', 2);
SELECT buying_group.move_template_role('Enterprise', 'Practitioner', 5);   -- out of range
SELECT buying_group.move_template_role('Enterprise', 'Champion', 1);       -- not in the template
SELECT buying_group.remove_template_role('Enterprise', 'Decision Maker');
SELECT role, priority FROM buying_group.template_roles WHERE template = 'Enterprise' ORDER BY priority;
SELECT buying_group.add_template_role('Enterprise', 'Decision Maker', weight => 'vital', members_required => 2,
         conditions => '{"attr": "seniority", "op": "in", "value": ["C-Level", "VP"]}');
SELECT buying_group.move_template_role('Enterprise', 'Decision Maker', 1);
SELECT role, priority, weight, weight_value, required, members_required, conditions
  FROM buying_group.template_roles WHERE template = 'Enterprise' ORDER BY priority;

-- a role used by a template cannot be deleted
SELECT buying_group.delete_role('Procurement');

-- publishing needs a role that counts for completeness
SELECT buying_group.create_template('Optional only');
SELECT buying_group.add_template_role('Optional only', 'Other', required => false);
SELECT buying_group.publish_template('Optional only');
SELECT status FROM buying_group.templates WHERE name = 'Optional only';
SELECT buying_group.publish_template('Enterprise');
SELECT status, published_at IS NOT NULL AS published FROM buying_group.templates WHERE name = 'Enterprise';
SELECT buying_group.publish_template('Enterprise');                  -- already live

-- a live template is frozen, except members_required
SELECT buying_group.add_template_role('Enterprise', 'Champion');
SELECT buying_group.remove_template_role('Enterprise', 'Influencer');
SELECT buying_group.move_template_role('Enterprise', 'Influencer', 1);
SELECT buying_group.delete_template('Enterprise');
SELECT buying_group.set_members_required('Enterprise', 'Influencer', 3);
SELECT buying_group.set_members_required('Enterprise', 'Influencer', 0);
UPDATE buying_group.template_role SET conditions = NULL
 WHERE template_id = (SELECT id FROM buying_group.template WHERE name = 'Enterprise');
UPDATE buying_group.template SET status = 'draft' WHERE name = 'Enterprise';
DELETE FROM buying_group.template WHERE name = 'Enterprise';
SELECT role, members_required FROM buying_group.template_roles WHERE template = 'Enterprise' ORDER BY priority;

-- a stored rule is checked also when written directly
INSERT INTO buying_group.template_role (template_id, role_id, priority, conditions)
SELECT t.id, r.id, 9, '{"attr": "a", "op": "eq"}'
  FROM buying_group.template t, buying_group.role r WHERE t.name = 'Optional only' AND r.name = 'Champion';

-- drafts can be deleted, with their roles
SELECT buying_group.delete_template('Optional only');
SELECT name FROM buying_group.templates ORDER BY name;
SELECT buying_group.delete_template('Optional only');

-- role-weight shares of the AJO example: vital / important / normal = 41.67 / 33.33 / 25.00
SELECT buying_group.create_template('AJO weights');
SELECT buying_group.add_template_role('AJO weights', 'Decision Maker', weight => 'vital');
SELECT buying_group.add_template_role('AJO weights', 'Influencer', weight => 'important');
SELECT buying_group.add_template_role('AJO weights', 'Practitioner', weight => 'normal');
SELECT role, weight_value, round(weight_share, 2) AS share_percent
  FROM buying_group.template_roles WHERE template = 'AJO weights' ORDER BY priority;

-- an admin can configure, a reader cannot
CREATE ROLE bg_test_admin IN ROLE buying_group_admin;
CREATE ROLE bg_test_reader IN ROLE buying_group_reader;
SET ROLE bg_test_reader;
SELECT count(*) FROM buying_group.templates;
SELECT buying_group.create_template('Reader made');
RESET ROLE;
SET ROLE bg_test_admin;
SELECT buying_group.create_template('Admin made') > 0 AS created;
SELECT buying_group.add_template_role('Admin made', 'Champion', conditions => '{"attr": "a", "op": "is_empty"}');
SELECT buying_group.delete_template('Admin made');
RESET ROLE;
DROP ROLE bg_test_admin;
DROP ROLE bg_test_reader;

-- a rule may be given as text or as jsonb, wherever a rule is taken; an
-- untyped literal is text, whose errors carry a line and a column
SELECT buying_group.create_template('Both forms') > 0 AS created;
SELECT buying_group.add_template_role('Both forms', 'Decision Maker',
         conditions => '{"attr": "a", "op": "is_empty"}'::jsonb);
SELECT buying_group.add_template_role('Both forms', 'Champion', 'vital',
         conditions => '{"attr": "a", "op": "is_not_empty"}');
SELECT buying_group.add_template_role('Both forms', 'Influencer');
SELECT buying_group.add_template_role('Both forms', 'Other', conditions => '{"attr": "a",
  "op": "eq" "value": 1}');
SELECT role, weight, conditions FROM buying_group.template_roles WHERE template = 'Both forms' ORDER BY priority;
SELECT buying_group.check_rule('{"attr": "a", "op": "gt", "value": 1}'::jsonb) AS jsonb_form,
       buying_group.check_rule('{"attr": "a", "op": "gt", "value": 1}') AS text_form;
SELECT buying_group.eval_rule('{"attr": "f1", "op": "gt", "value": 1}'::jsonb, ROW(2)) AS jsonb_form;
SELECT buying_group.delete_template('Both forms');
