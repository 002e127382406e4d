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

-- Account journeys (new in 0.2.0)
CREATE SEQUENCE buying_group.journey_id_seq AS integer;
CREATE TABLE buying_group.journey (
    id           integer PRIMARY KEY DEFAULT pg_catalog.nextval('buying_group.journey_id_seq'),
    name         text NOT NULL UNIQUE CHECK (pg_catalog.btrim(name) = name AND name <> '' AND pg_catalog.length(name) <= 200),
    description  text,
    definition   jsonb NOT NULL,
    status       text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'live', 'stopped')),
    created_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    published_at timestamptz,
    stopped_at   timestamptz
);
ALTER SEQUENCE buying_group.journey_id_seq OWNED BY buying_group.journey.id;
COMMENT ON TABLE buying_group.journey IS 'Account journeys: a graph of nodes that accounts of an audience walk through';
SELECT pg_catalog.pg_extension_config_dump('buying_group.journey', '');
SELECT pg_catalog.pg_extension_config_dump('buying_group.journey_id_seq', '');

-- Where each account stands in each journey it entered: one row per entry
-- (an account re-enters as entry 2, 3, ...), at most one of them not ended.
CREATE TABLE buying_group.journey_account (
    account_key text NOT NULL,
    journey_id  integer NOT NULL,      -- a journey's (deleted with it by the API)
    entry       integer NOT NULL CHECK (entry >= 1),
    node        text NOT NULL,
    since       timestamptz NOT NULL,  -- the run (its as_of) that brought it to the node
    wake_at     timestamptz,           -- wait: when it goes on; listen: when it times out
    steps       integer NOT NULL DEFAULT 0,
    entered_at  timestamptz NOT NULL,
    ended_at    timestamptz,
    PRIMARY KEY (account_key, journey_id, entry)
);
CREATE UNIQUE INDEX journey_account_active ON buying_group.journey_account (account_key, journey_id)
    WHERE ended_at IS NULL;
CREATE INDEX journey_account_node ON buying_group.journey_account (journey_id, node) WHERE ended_at IS NULL;
COMMENT ON TABLE buying_group.journey_account IS 'Where each account stands in each journey it entered';
SELECT pg_catalog.pg_extension_config_dump('buying_group.journey_account', '');

-- Every step an account took: the node it completed, the path it took and
-- what it saw or did. A step is written in the transaction that applies it.
CREATE TABLE buying_group.journey_step (
    account_key text NOT NULL,
    journey_id  integer NOT NULL,
    entry       integer NOT NULL,
    seq         integer NOT NULL,
    at          timestamptz NOT NULL,  -- the run's as_of
    node        text NOT NULL,
    kind        text NOT NULL,
    path        text,
    seen        jsonb,
    result      jsonb,
    PRIMARY KEY (account_key, journey_id, entry, seq)
);
CREATE INDEX journey_step_node ON buying_group.journey_step (journey_id, node);
COMMENT ON TABLE buying_group.journey_step IS 'The steps accounts took through journeys, each applied exactly once';
SELECT pg_catalog.pg_extension_config_dump('buying_group.journey_step', '');

-- The accounts journeys put on LinkedIn export lists.
CREATE TABLE buying_group.linkedin_list_member (
    account_key text NOT NULL,
    list        text NOT NULL CHECK (pg_catalog.btrim(list) = list AND list <> '' AND pg_catalog.length(list) <= 200),
    added_at    timestamptz NOT NULL,
    journey_id  integer,
    PRIMARY KEY (account_key, list)
);
CREATE INDEX linkedin_list_member_list ON buying_group.linkedin_list_member (list);
COMMENT ON TABLE buying_group.linkedin_list_member IS 'Accounts on LinkedIn export lists, put there by journeys';
SELECT pg_catalog.pg_extension_config_dump('buying_group.linkedin_list_member', '');
