--------------------------------------------------------------------------
-- Account journeys (SPEC 9a): definitions, draft and live, and the checks
-- that publishing makes (doc/journeys.md)
--------------------------------------------------------------------------

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

-- The journey of that name; raises if there is none.
CREATE FUNCTION buying_group_internal.journey_of(journey text, for_update boolean DEFAULT false)
RETURNS buying_group.journey
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    j buying_group.journey;
BEGIN
    IF for_update THEN
        SELECT * INTO j FROM buying_group.journey x WHERE x.name = journey_of.journey FOR UPDATE;
    ELSE
        SELECT * INTO j FROM buying_group.journey x WHERE x.name = journey_of.journey;
    END IF;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'journey "%" does not exist', journey
            USING ERRCODE = 'undefined_object', HINT = 'The view buying_group.journeys lists them.';
    END IF;
    RETURN j;
END
$$;
COMMENT ON FUNCTION buying_group_internal.journey_of(text, boolean) IS
'Internal: the journey of that name (locked when for_update); raises if there is none';

-- Raises an error about one node of a journey definition.
CREATE FUNCTION buying_group_internal.journey_error(node text, message text, errcode text DEFAULT '22023',
                                                    hint text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = CASE WHEN node IS NULL THEN 'invalid journey: ' || message
                       ELSE format('invalid journey at node "%s": %s', node, message) END,
        ERRCODE = errcode,
        HINT = coalesce(hint, 'doc/journeys.md describes every kind of node and its fields.');
END
$$;
COMMENT ON FUNCTION buying_group_internal.journey_error(text, text, text, text) IS
'Internal: raises "invalid journey at node ..." with the given SQLSTATE and hint';

-- The fields a node of a kind may have; the first ones listed it must have.
CREATE FUNCTION buying_group_internal.journey_node_fields(kind text, OUT required text[], OUT optional text[])
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT f.required, f.optional
      FROM (VALUES ('start', '{audience,next}'::text[], '{reentry}'::text[]),
                   ('account_split', '{paths,other}', '{}'),
                   ('people_split', '{paths,other}', '{}'),
                   ('wait', '{next}', '{duration,until}'),
                   ('listen', '{timeout,next,timeout_next}', '{event,activity,payload}'),
                   ('action', '{action,next}', '{role,people,stage,status,recipients,list}'),
                   ('merge', '{next}', '{}'),
                   ('end', '{}', '{}')) f(kind, required, optional)
     WHERE f.kind = journey_node_fields.kind
$$;
COMMENT ON FUNCTION buying_group_internal.journey_node_fields(text, OUT text[], OUT text[]) IS
'Internal: the fields a journey node of that kind must have and may have';

-- A duration of a definition (an interval above zero), or raises.
CREATE FUNCTION buying_group_internal.journey_interval(node text, field text, value jsonb)
RETURNS interval
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d interval;
BEGIN
    BEGIN
        d := (value #>> '{}')::interval;
    EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow OR interval_field_overflow THEN
        d := NULL;
    END;
    IF pg_catalog.jsonb_typeof(value) IS DISTINCT FROM 'string' OR d IS NULL OR d <= interval '0' THEN
        PERFORM buying_group_internal.journey_error(node, format('"%s" must be a duration above zero, such as "7 days"', field));
    END IF;
    RETURN d;
END
$$;
COMMENT ON FUNCTION buying_group_internal.journey_interval(text, text, jsonb) IS
'Internal: a journey duration field as an interval above zero; raises otherwise';

-- A time plus a duration, counted in UTC whatever the session's time zone,
-- so that a run's outcome depends on its as_of only.
CREATE FUNCTION buying_group_internal.utc_plus(t timestamptz, d interval)
RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ((t AT TIME ZONE 'UTC') + d) AT TIME ZONE 'UTC'
$$;
COMMENT ON FUNCTION buying_group_internal.utc_plus(timestamptz, interval) IS
'Internal: t + d, days and months counted in UTC';

-- A rule of a node as SQL over a table's rows (alias a for accounts, p for
-- persons), or raises naming the node.
CREATE FUNCTION buying_group_internal.journey_rule_sql(node text, what text, rule jsonb, over text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b buying_group.binding := buying_group_internal.bound(over);
    msg text;
    state text;
    hint text;
BEGIN
    IF pg_catalog.jsonb_typeof(rule) IS DISTINCT FROM 'object' THEN
        PERFORM buying_group_internal.journey_error(node, format('%s must be a rule (a JSON object)', what));
    END IF;
    RETURN buying_group.rule_to_sql(rule, (SELECT c.reltype::regtype FROM pg_catalog.pg_class c WHERE c.oid = b.relation),
                                    CASE over WHEN 'accounts' THEN 'a' ELSE 'p' END,
                                    CASE over WHEN 'accounts' THEN b.key_column END);
EXCEPTION WHEN data_exception OR program_limit_exceeded OR undefined_object THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE, hint = PG_EXCEPTION_HINT;
    PERFORM buying_group_internal.journey_error(node, format('%s: %s', what, msg), state, nullif(hint, ''));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION buying_group_internal.journey_rule_sql(text, text, jsonb, text) IS
'Internal: a journey rule as SQL over the bound accounts (alias a) or persons (alias p); raises naming the node';

-- Checks a whole definition against the catalog as it is: the shape of
-- every node, what it names (audience, solution interest, roles, stages,
-- rules), that every node is reachable from the start and that every loop
-- has a wait with a duration or a listen in it, so that a run ends.
CREATE FUNCTION buying_group_internal.check_journey(definition jsonb)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    nodes jsonb := definition -> 'nodes';
    si buying_group.solution_interest;
    n record;
    f record;
    p record;
    names text[];
    start_node text;
    stuck text;
    listen_events constant text[] := ARRAY['member_assigned', 'member_removed', 'role_changed', 'completeness_changed',
                                           'engagement_changed', 'stage_changed', 'status_changed', 'sales_ready'];
BEGIN
    IF pg_catalog.jsonb_typeof(definition) IS DISTINCT FROM 'object' THEN
        PERFORM buying_group_internal.journey_error(NULL, 'the definition must be a JSON object');
    END IF;
    stuck := (SELECT k FROM pg_catalog.jsonb_object_keys(definition) k
               WHERE k NOT IN ('solution_interest', 'nodes') ORDER BY k LIMIT 1);
    IF stuck IS NOT NULL THEN
        PERFORM buying_group_internal.journey_error(NULL, format('unknown field "%s"', stuck),
                hint => 'A definition has "solution_interest" and "nodes".');
    END IF;
    IF pg_catalog.jsonb_typeof(definition -> 'solution_interest') IS DISTINCT FROM 'string' THEN
        PERFORM buying_group_internal.journey_error(NULL, '"solution_interest" must name the solution interest whose buying groups the journey works on');
    END IF;
    si := buying_group_internal.solution_interest_of(definition ->> 'solution_interest');
    IF pg_catalog.jsonb_typeof(nodes) IS DISTINCT FROM 'object' OR nodes = '{}' THEN
        PERFORM buying_group_internal.journey_error(NULL, '"nodes" must be an object of nodes by name');
    END IF;
    IF (SELECT count(*) FROM pg_catalog.jsonb_object_keys(nodes)) > 200 THEN
        PERFORM buying_group_internal.journey_error(NULL, 'a journey has at most 200 nodes', '54000');
    END IF;

    FOR n IN SELECT e.key AS name, e.value AS node FROM pg_catalog.jsonb_each(nodes) e ORDER BY e.key LOOP
        IF n.name = '' OR pg_catalog.length(n.name) > 63 THEN
            PERFORM buying_group_internal.journey_error(n.name, 'a node name has 1 to 63 characters');
        END IF;
        IF pg_catalog.jsonb_typeof(n.node) IS DISTINCT FROM 'object' THEN
            PERFORM buying_group_internal.journey_error(n.name, 'a node must be a JSON object');
        END IF;
        SELECT * INTO f FROM buying_group_internal.journey_node_fields(n.node ->> 'type');
        IF f.required IS NULL THEN
            PERFORM buying_group_internal.journey_error(n.name, format('unknown node type %s', coalesce(n.node -> 'type', 'null')),
                    hint => 'Node types: start, account_split, people_split, wait, listen, action, merge, end.');
        END IF;
        stuck := (SELECT k FROM pg_catalog.jsonb_object_keys(n.node) k
                   WHERE k <> 'type' AND k <> ALL (f.required || f.optional) ORDER BY k LIMIT 1);
        IF stuck IS NOT NULL THEN
            PERFORM buying_group_internal.journey_error(n.name, format('a node of type %s has no field "%s"', n.node ->> 'type', stuck),
                    hint => format('Its fields: %s.', array_to_string(f.required || f.optional, ', ')));
        END IF;
        stuck := (SELECT r FROM unnest(f.required) r WHERE NOT n.node ? r LIMIT 1);
        IF stuck IS NOT NULL THEN
            PERFORM buying_group_internal.journey_error(n.name, format('a node of type %s needs "%s"', n.node ->> 'type', stuck));
        END IF;
        -- every link names a node, never the start
        FOR p IN SELECT l.field, l.target FROM buying_group_internal.journey_links(n.node) l LOOP
            IF pg_catalog.jsonb_typeof(p.target) IS DISTINCT FROM 'string' OR NOT nodes ? (p.target #>> '{}') THEN
                PERFORM buying_group_internal.journey_error(n.name, format('"%s" must name a node of the journey, not %s',
                                                                           p.field, p.target));
            END IF;
            IF nodes -> (p.target #>> '{}') ->> 'type' = 'start' THEN
                PERFORM buying_group_internal.journey_error(n.name, format('"%s" leads back to the start node', p.field),
                        hint => 'Accounts enter at the start node only; lead to the node after it.');
            END IF;
        END LOOP;

        CASE n.node ->> 'type'
        WHEN 'start' THEN
            IF start_node IS NOT NULL THEN
                PERFORM buying_group_internal.journey_error(n.name, format('a journey has one start node, and "%s" is one', start_node));
            END IF;
            start_node := n.name;
            IF pg_catalog.jsonb_typeof(n.node -> 'audience') IS DISTINCT FROM 'string' THEN
                PERFORM buying_group_internal.journey_error(n.name, '"audience" must name an account audience');
            END IF;
            PERFORM buying_group_internal.audience_of(n.node ->> 'audience');
            IF n.node ? 'reentry' AND pg_catalog.jsonb_typeof(n.node -> 'reentry') <> 'boolean' THEN
                PERFORM buying_group_internal.journey_error(n.name, '"reentry" must be true or false');
            END IF;
        WHEN 'account_split', 'people_split' THEN
            IF pg_catalog.jsonb_typeof(n.node -> 'paths') IS DISTINCT FROM 'array'
               OR pg_catalog.jsonb_array_length(n.node -> 'paths') NOT BETWEEN 1 AND 25 THEN
                PERFORM buying_group_internal.journey_error(n.name, '"paths" must be an array of 1 to 25 paths');
            END IF;
            names := '{}';
            FOR p IN SELECT x.value AS path, x.ordinality AS i FROM pg_catalog.jsonb_array_elements(n.node -> 'paths') WITH ORDINALITY x LOOP
                IF pg_catalog.jsonb_typeof(p.path) IS DISTINCT FROM 'object'
                   OR pg_catalog.jsonb_typeof(p.path -> 'name') IS DISTINCT FROM 'string'
                   OR NOT p.path ? 'when' OR NOT p.path ? 'next'
                   OR EXISTS (SELECT FROM pg_catalog.jsonb_object_keys(p.path) k
                               WHERE k NOT IN ('name', 'when', 'next', 'at_least')) THEN
                    PERFORM buying_group_internal.journey_error(n.name, format('path %s must be {"name": ..., "when": rule, "next": node}%s', p.i,
                            CASE n.node ->> 'type' WHEN 'people_split' THEN ' with an optional "at_least"' ELSE '' END));
                END IF;
                IF (p.path ->> 'name') = ANY (names) OR (p.path ->> 'name') IN ('', 'other') THEN
                    PERFORM buying_group_internal.journey_error(n.name, format('path %s: the name "%s" is empty, "other" or taken',
                                                                               p.i, p.path ->> 'name'));
                END IF;
                names := names || (p.path ->> 'name');
                IF p.path ? 'at_least' AND (n.node ->> 'type' = 'account_split'
                                            OR pg_catalog.jsonb_typeof(p.path -> 'at_least') <> 'number'
                                            OR (p.path ->> 'at_least')::numeric NOT BETWEEN 1 AND 1000
                                            OR (p.path ->> 'at_least')::numeric <> trunc((p.path ->> 'at_least')::numeric)) THEN
                    PERFORM buying_group_internal.journey_error(n.name, format('path "%s": "at_least" is for people splits, a whole number from 1 to 1000',
                                                                               p.path ->> 'name'));
                END IF;
                PERFORM buying_group_internal.journey_rule_sql(n.name, format('path "%s"', p.path ->> 'name'), p.path -> 'when',
                                                               CASE n.node ->> 'type' WHEN 'account_split' THEN 'accounts' ELSE 'persons' END);
            END LOOP;
        WHEN 'wait' THEN
            IF (n.node ? 'duration') = (n.node ? 'until') THEN
                PERFORM buying_group_internal.journey_error(n.name, 'a wait has either "duration" or "until"');
            ELSIF n.node ? 'duration' THEN
                PERFORM buying_group_internal.journey_interval(n.name, 'duration', n.node -> 'duration');
            ELSE
                PERFORM buying_group_internal.journey_until(n.name, n.node -> 'until');
            END IF;
        WHEN 'listen' THEN
            IF (n.node ? 'event') = (n.node ? 'activity') THEN
                PERFORM buying_group_internal.journey_error(n.name, 'a listen has either "event" or "activity"');
            ELSIF n.node ? 'event' AND NOT coalesce(pg_catalog.jsonb_typeof(n.node -> 'event') = 'string'
                                                  AND (n.node ->> 'event') = ANY (listen_events), false) THEN
                PERFORM buying_group_internal.journey_error(n.name, format('unknown event %s', n.node -> 'event'),
                        hint => format('Events: %s.', array_to_string(listen_events, ', ')));
            ELSIF n.node ? 'activity' AND (pg_catalog.jsonb_typeof(n.node -> 'activity') <> 'string' OR n.node ->> 'activity' = '') THEN
                PERFORM buying_group_internal.journey_error(n.name, '"activity" must name an activity type');
            ELSIF n.node ? 'activity' THEN
                PERFORM buying_group_internal.bound('activities');
            END IF;
            IF n.node ? 'payload' AND (n.node ? 'activity' OR pg_catalog.jsonb_typeof(n.node -> 'payload') <> 'object') THEN
                PERFORM buying_group_internal.journey_error(n.name, '"payload" is an object the event''s payload must contain (events only)');
            END IF;
            PERFORM buying_group_internal.journey_interval(n.name, 'timeout', n.node -> 'timeout');
        WHEN 'action' THEN
            PERFORM buying_group_internal.check_journey_action(si, n.name, n.node);
        ELSE
            NULL;   -- merge and end have nothing more to check
        END CASE;
    END LOOP;
    IF start_node IS NULL THEN
        PERFORM buying_group_internal.journey_error(NULL, 'a journey needs a node of type "start"');
    END IF;

    -- every node reachable from the start
    stuck := (WITH RECURSIVE reached(node) AS (
                  SELECT start_node
                  UNION
                  SELECT l.target #>> '{}' FROM reached r, buying_group_internal.journey_links(nodes -> r.node) l)
              SELECT k FROM pg_catalog.jsonb_object_keys(nodes) k WHERE k NOT IN (SELECT node FROM reached) ORDER BY k LIMIT 1);
    IF stuck IS NOT NULL THEN
        PERFORM buying_group_internal.journey_error(stuck, 'no path from the start node leads here');
    END IF;
    -- no loop of nodes an account passes without stopping: a node on such a
    -- loop reaches itself through nodes that are not waits with a duration
    -- or listens
    stuck := (WITH RECURSIVE edge(src, dst) AS (
                  SELECT k, l.target #>> '{}' FROM pg_catalog.jsonb_object_keys(nodes) k,
                         buying_group_internal.journey_links(nodes -> k) l
                   WHERE NOT (nodes -> k ->> 'type' = 'listen' OR (nodes -> k ->> 'type' = 'wait' AND nodes -> k ? 'duration'))),
              walk(origin, node) AS (
                  SELECT e.src, e.dst FROM edge e
                  UNION
                  SELECT w.origin, e.dst FROM walk w JOIN edge e ON e.src = w.node)
              SELECT w.origin FROM walk w WHERE w.origin = w.node ORDER BY 1 LIMIT 1);
    IF stuck IS NOT NULL THEN
        PERFORM buying_group_internal.journey_error(stuck, 'this node is on a loop without a wait with a duration or a listen',
                hint => 'Put a wait with a "duration" (or a listen) on the loop, so that an account stops on it until a later run.');
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group_internal.check_journey(jsonb) IS
'Internal: checks a journey definition (shape, names, rules, reachability, loops); raises naming the node';

-- The links of a node to the nodes after it: the field (next, other,
-- timeout_next, or the path's name) and the target as given.
CREATE FUNCTION buying_group_internal.journey_links(node jsonb)
RETURNS TABLE (field text, target jsonb)
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT l.field, l.target
      FROM (SELECT 'next', node -> 'next' WHERE node ? 'next'
            UNION ALL SELECT 'other', node -> 'other' WHERE node ? 'other'
            UNION ALL SELECT 'timeout_next', node -> 'timeout_next' WHERE node ? 'timeout_next'
            UNION ALL SELECT format('paths[%s].next', x.i - 1), x.path -> 'next'
                        FROM pg_catalog.jsonb_array_elements(CASE pg_catalog.jsonb_typeof(node -> 'paths')
                                                             WHEN 'array' THEN node -> 'paths' ELSE '[]' END)
                             WITH ORDINALITY x(path, i)
                       WHERE pg_catalog.jsonb_typeof(x.path) = 'object' AND x.path ? 'next') l(field, target)
$$;
COMMENT ON FUNCTION buying_group_internal.journey_links(jsonb) IS
'Internal: the fields of a journey node that lead to other nodes, with their targets';

-- The date of a wait's "until" field, or raises.
CREATE FUNCTION buying_group_internal.journey_until(node text, value jsonb)
RETURNS timestamptz
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t timestamptz;
BEGIN
    BEGIN
        -- a time without a zone is UTC
        t := CASE WHEN (value #>> '{}') ~ '([zZ]|[+-]\d\d(:?\d\d)?)$' THEN (value #>> '{}')::timestamptz
                  ELSE (value #>> '{}')::timestamp AT TIME ZONE 'UTC' END;
    EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow THEN
        t := NULL;
    END;
    IF pg_catalog.jsonb_typeof(value) IS DISTINCT FROM 'string' OR t IS NULL OR NOT pg_catalog.isfinite(t) THEN
        PERFORM buying_group_internal.journey_error(node, '"until" must be an ISO 8601 time, such as "2027-01-15T09:00:00Z"');
    END IF;
    RETURN t;
END
$$;
COMMENT ON FUNCTION buying_group_internal.journey_until(text, jsonb) IS
'Internal: a wait''s "until" as a time (UTC when it has no zone); raises otherwise';

-- Checks an action node: its kind and the fields that kind needs.
CREATE FUNCTION buying_group_internal.check_journey_action(si buying_group.solution_interest, node_name text, node jsonb)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    action text := node ->> 'action';
    allowed text[] := CASE action WHEN 'assign' THEN '{role,people}' WHEN 'remove' THEN '{role,people}'
                                  WHEN 'set_stage' THEN '{stage}' WHEN 'set_status' THEN '{status}'
                                  WHEN 'sales_alert' THEN '{recipients}'
                                  WHEN 'linkedin_add' THEN '{list}' WHEN 'linkedin_remove' THEN '{list}' END;
    extra text;
    model text;
BEGIN
    IF allowed IS NULL THEN
        PERFORM buying_group_internal.journey_error(node_name, format('unknown action %s', coalesce(node -> 'action', 'null')),
                hint => 'Actions: assign, remove, set_stage, set_status, sales_alert, linkedin_add, linkedin_remove.');
    END IF;
    extra := (SELECT k FROM pg_catalog.jsonb_object_keys(node) k
               WHERE k NOT IN ('type', 'action', 'next') AND k <> ALL (allowed) ORDER BY k LIMIT 1);
    IF extra IS NOT NULL THEN
        PERFORM buying_group_internal.journey_error(node_name, format('the action %s has no field "%s"', action, extra));
    END IF;
    IF action = 'assign' AND NOT (node ? 'role' AND node ? 'people') THEN
        PERFORM buying_group_internal.journey_error(node_name, 'the action assign needs "role" and "people" (a rule over persons)');
    END IF;
    IF action = 'remove' AND NOT (node ? 'role' OR node ? 'people') THEN
        PERFORM buying_group_internal.journey_error(node_name, 'the action remove needs "role", "people" (a rule over persons) or both');
    END IF;
    IF node ? 'role' AND NOT EXISTS (
            SELECT FROM buying_group.template_role tr JOIN buying_group.role r ON r.id = tr.role_id
             WHERE tr.template_id = si.template_id AND r.name = node ->> 'role'
               AND pg_catalog.jsonb_typeof(node -> 'role') = 'string') THEN
        PERFORM buying_group_internal.journey_error(node_name, format('role %s is not in the template of solution interest "%s"',
                                                                      node -> 'role', si.name), '42704',
                'The view buying_group.template_roles lists the roles of each template.');
    END IF;
    IF node ? 'people' THEN
        PERFORM buying_group_internal.journey_rule_sql(node_name, '"people"', node -> 'people', 'persons');
    END IF;
    IF action = 'set_stage' THEN
        model := (SELECT m.name FROM buying_group.stage_model m WHERE m.id = si.stage_model_id);
        IF model IS NULL THEN
            PERFORM buying_group_internal.journey_error(node_name, format('solution interest "%s" has no stage model', si.name),
                    '55000', 'Attach a live one with buying_group.set_stage_model().');
        END IF;
        IF pg_catalog.jsonb_typeof(node -> 'stage') IS DISTINCT FROM 'string'
           OR (buying_group_internal.stage_by_name(si.stage_model_id, node ->> 'stage')).name IS NULL THEN
            PERFORM buying_group_internal.journey_error(node_name, format('stage model "%s" has no stage %s', model, node -> 'stage'),
                    '42704', format('Its stages are: %s.', buying_group_internal.stage_list(si.stage_model_id)));
        END IF;
    END IF;
    IF action = 'set_status' AND (pg_catalog.jsonb_typeof(node -> 'status') IS DISTINCT FROM 'string'
                                  OR pg_catalog.length(node ->> 'status') > 50) THEN
        PERFORM buying_group_internal.journey_error(node_name, '"status" must be a text of at most 50 characters');
    END IF;
    IF action = 'sales_alert' AND (pg_catalog.jsonb_typeof(node -> 'recipients') IS DISTINCT FROM 'array'
                                   OR pg_catalog.jsonb_array_length(node -> 'recipients') = 0
                                   OR EXISTS (SELECT FROM pg_catalog.jsonb_array_elements(node -> 'recipients') r
                                               WHERE pg_catalog.jsonb_typeof(r) <> 'string' OR pg_catalog.btrim(r #>> '{}') = '')) THEN
        PERFORM buying_group_internal.journey_error(node_name, '"recipients" must be a non-empty array of names or addresses');
    END IF;
    IF action IN ('linkedin_add', 'linkedin_remove')
       AND (pg_catalog.jsonb_typeof(node -> 'list') IS DISTINCT FROM 'string'
            OR pg_catalog.btrim(node ->> 'list') IS DISTINCT FROM node ->> 'list'
            OR pg_catalog.length(node ->> 'list') NOT BETWEEN 1 AND 200) THEN
        PERFORM buying_group_internal.journey_error(node_name, '"list" must name a LinkedIn export list (1 to 200 characters, no surrounding blanks)');
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group_internal.check_journey_action(buying_group.solution_interest, text, jsonb) IS
'Internal: checks an action node of a journey; raises naming the node';

CREATE FUNCTION buying_group.create_journey(name text, definition jsonb, description text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    id integer;
BEGIN
    IF name IS NULL OR btrim(name) = '' OR length(btrim(name)) > 200 THEN
        RAISE EXCEPTION 'a journey name has 1 to 200 characters' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT FROM buying_group.journey j WHERE j.name = btrim(create_journey.name)) THEN
        RAISE EXCEPTION 'journey "%" already exists', btrim(name) USING ERRCODE = 'duplicate_object';
    END IF;
    PERFORM buying_group_internal.check_journey(definition);
    INSERT INTO buying_group.journey (name, description, definition)
    VALUES (btrim(create_journey.name), create_journey.description, create_journey.definition)
    RETURNING journey.id INTO id;
    RETURN id;
END
$$;
COMMENT ON FUNCTION buying_group.create_journey(text, jsonb, text) IS
'Creates a draft account journey from its definition (doc/journeys.md), checked as publishing checks it; returns its id';

CREATE FUNCTION buying_group.update_journey(name text, definition jsonb)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    j buying_group.journey := buying_group_internal.journey_of(name, true);
BEGIN
    IF j.status <> 'draft' THEN
        RAISE EXCEPTION 'journey "%" is %; only a draft can be changed', j.name, j.status
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Create a new journey (a copy of this one''s definition) and publish it.';
    END IF;
    PERFORM buying_group_internal.check_journey(definition);
    UPDATE buying_group.journey x SET definition = update_journey.definition WHERE x.id = j.id;
END
$$;
COMMENT ON FUNCTION buying_group.update_journey(text, jsonb) IS 'Replaces the definition of a draft journey';

CREATE FUNCTION buying_group.publish_journey(name text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    j buying_group.journey := buying_group_internal.journey_of(name, true);
BEGIN
    IF j.status <> 'draft' THEN
        RAISE EXCEPTION 'journey "%" is already %', j.name, j.status USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    -- what it names may have changed since it was written
    PERFORM buying_group_internal.check_journey(j.definition);
    UPDATE buying_group.journey x SET status = 'live', published_at = pg_catalog.now() WHERE x.id = j.id;
END
$$;
COMMENT ON FUNCTION buying_group.publish_journey(text) IS
'Checks a draft journey again and makes it live: run_journeys() then enters its audience and moves its accounts';

CREATE FUNCTION buying_group.stop_journey(name text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    j buying_group.journey := buying_group_internal.journey_of(name, true);
BEGIN
    IF j.status <> 'live' THEN
        RAISE EXCEPTION 'journey "%" is %; only a live journey can be stopped', j.name, j.status
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    -- a run in progress finishes first
    PERFORM buying_group_internal.lock_accounts(NULL);
    UPDATE buying_group.journey x SET status = 'stopped', stopped_at = pg_catalog.now() WHERE x.id = j.id;
END
$$;
COMMENT ON FUNCTION buying_group.stop_journey(text) IS
'Stops a live journey: no account enters or moves any more; where each stands and the steps taken stay';

CREATE FUNCTION buying_group.delete_journey(name text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    j buying_group.journey := buying_group_internal.journey_of(name, true);
BEGIN
    IF j.status = 'live' THEN
        RAISE EXCEPTION 'journey "%" is live', j.name
            USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Stop it first with buying_group.stop_journey().';
    END IF;
    DELETE FROM buying_group.journey_step s WHERE s.journey_id = j.id;
    DELETE FROM buying_group.journey_account a WHERE a.journey_id = j.id;
    DELETE FROM buying_group.journey x WHERE x.id = j.id;
END
$$;
COMMENT ON FUNCTION buying_group.delete_journey(text) IS
'Deletes a draft or stopped journey with where its accounts stood and the steps they took';
