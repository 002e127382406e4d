-- buying_group 0.1.0 -> 0.2.0: the state changes, by hand. The build appends
-- every function, aggregate, view, trigger, comment and grant of 0.2.0, as
-- CREATE OR REPLACE (Makefile, doc/releasing.md).

\echo Use "ALTER EXTENSION buying_group UPDATE TO '0.2.0'" to load this file. \quit

-- What only the extension calls moves to a schema granted to nobody; the
-- functions keep their identity, so the triggers and aggregates that use them
-- follow, and the grants appended below start from nothing.
CREATE SCHEMA buying_group_internal;
-- the membership sync is generated for the binding now (compile_persons, below)
DROP FUNCTION buying_group.sync_execute(text, integer, text, text[], text[], boolean);
-- role counts live on the group row now, written with its scores (refresh_groups)
DROP FUNCTION buying_group.count_roles(bigint[], integer[], integer[]);
DROP FUNCTION buying_group.refresh_groups(bigint[], boolean, numeric[]);
-- whether a key is unique is asked of the binding's key and account columns
DROP FUNCTION buying_group.is_unique_column(regclass, name);
DO $move$
DECLARE
    f record;
BEGIN
    FOR f IN SELECT p.oid::regprocedure AS fn, p.prokind FROM pg_catalog.pg_proc p
              WHERE p.pronamespace = 'buying_group'::regnamespace
                AND p.proname = ANY (ARRAY[
                    'catalog_changed', 'role_guard', 'template_guard', 'template_role_guard', 'template_of',
                    'template_for_update', 'role_id', 'template_role_of', 'require_draft',
                    'require_members_required', 'completeness_state_in', 'completeness_state_out',
                    'completeness_transfn', 'completeness_combinefn', 'completeness_finalfn',
                    'role_completeness_finalfn', 'completeness_count_transfn', 'bound', 'require_column',
                    'require_no_groups', 'field_column', 'field_sql', 'require_draft_stage_model',
                    'stage_model_guard', 'stage_model_for_update', 'stage_model_error', 'stage_list',
                    'stage_by_name', 'stage_named', 'check_stage_model', 'load_stage_model',
                    'solution_interest_guard', 'solution_interest_of',
                    'recount_roles', 'lock_accounts', 'events_guard', 'events_notify', 'audience_of',
                    'sync_members', 'sync_persons', 'persons_truncated', 'persons_changed',
                    'install_person_triggers', 'group_for_update', 'require_source', 'activity_weight_guard',
                    'engagement_model_for_update', 'capped_points_transfn', 'capped_points_finalfn',
                    'capped_points', 'activity_time_sql', 'advance_stages',
                    'audience_relation', 'persons_type'])
    LOOP
        EXECUTE pg_catalog.format('ALTER %s %s SET SCHEMA buying_group_internal',
                                  CASE f.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END, f.fn);
    END LOOP;
END
$move$;

-- NaN, Infinity and huge weights, and windows past any date, are refused:
-- such values stored by 0.1.0 are brought within the limits first (NaN
-- counts nothing, the others the most they may)
ALTER TABLE buying_group.activity_weight DISABLE TRIGGER activity_weight_guard;
UPDATE buying_group.activity_weight SET weight = CASE WHEN weight = 'NaN' THEN 0 ELSE 1000000 END
 WHERE NOT (weight >= 0 AND weight <= 1000000);
ALTER TABLE buying_group.activity_weight ENABLE TRIGGER activity_weight_guard;
UPDATE buying_group.engagement_model SET window_days = 3660 WHERE window_days > 3660;
ALTER TABLE buying_group.activity_weight
    DROP CONSTRAINT activity_weight_weight_check,
    ADD CONSTRAINT activity_weight_weight_check CHECK (weight >= 0 AND weight <= 1000000);
ALTER TABLE buying_group.engagement_model
    DROP CONSTRAINT engagement_model_window_days_check,
    ADD CONSTRAINT engagement_model_window_days_check CHECK (window_days BETWEEN 1 AND 3660);


-- No foreign keys between the tables pg_dump keeps: a parallel pg_restore
-- loads them in any order. The API keeps what they kept (doc/security.md).
ALTER TABLE buying_group.template_role
    DROP CONSTRAINT template_role_template_id_fkey, DROP CONSTRAINT template_role_role_id_fkey;
ALTER TABLE buying_group.stage DROP CONSTRAINT stage_stage_model_id_fkey;
ALTER TABLE buying_group.stage_transition
    DROP CONSTRAINT stage_transition_stage_model_id_from_stage_fkey,
    DROP CONSTRAINT stage_transition_stage_model_id_to_stage_fkey;
ALTER TABLE buying_group.solution_interest
    DROP CONSTRAINT solution_interest_template_id_fkey, DROP CONSTRAINT solution_interest_stage_model_id_fkey;
ALTER TABLE buying_group.bgroup DROP CONSTRAINT bgroup_solution_interest_id_fkey;
ALTER TABLE buying_group.bmember DROP CONSTRAINT bmember_buying_group_id_fkey, DROP CONSTRAINT bmember_role_id_fkey;
ALTER TABLE buying_group.bgroup_role DROP CONSTRAINT bgroup_role_buying_group_id_fkey;
ALTER TABLE buying_group.score_history DROP CONSTRAINT score_history_buying_group_id_fkey;
ALTER TABLE buying_group.activity_weight DROP CONSTRAINT activity_weight_model_id_fkey;
ALTER TABLE buying_group.engagement_refresh DROP CONSTRAINT engagement_refresh_model_id_fkey;

-- pg_dump keeps the user's engagement models (not the seeded one, which
-- CREATE EXTENSION makes again), the per-person points and the last refresh
SELECT pg_catalog.pg_extension_config_dump('buying_group.engagement_model', 'WHERE name <> ''AJO standard''');
SELECT pg_catalog.pg_extension_config_dump('buying_group.activity_weight',
    'WHERE model_id NOT IN (SELECT m.id FROM buying_group.engagement_model m WHERE m.name = ''AJO standard'')');
SELECT pg_catalog.pg_extension_config_dump('buying_group.person_points', '');
SELECT pg_catalog.pg_extension_config_dump('buying_group.engagement_refresh', '');

-- A group keeps its role counts on its row (0.1.0: table bgroup_role); the
-- update counts them from the members once the functions are in place (after)
ALTER TABLE buying_group.bgroup ADD COLUMN role_counts integer[] NOT NULL DEFAULT '{}';
-- room on each page, so that the updates of scores and counts stay HOT
ALTER TABLE buying_group.bgroup SET (fillfactor = 70);
