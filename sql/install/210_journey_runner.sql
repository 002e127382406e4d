--------------------------------------------------------------------------
-- The journey runner (SPEC 9a): run_journeys(as_of) enters the accounts of
-- each live journey's audience and moves every account until it waits or
-- listens. One run is one transaction that excludes every other writer of
-- groups: its steps and their actions commit together or not at all, so a
-- step is applied exactly once whatever re-runs, concurrent runs or crashes.
-- Every time it reads or writes is as_of, so a run is deterministic.
--------------------------------------------------------------------------

-- Records a step for each account at a node and moves it to its next node
-- (NULL: the account's journey ends); returns the accounts that moved on.
CREATE FUNCTION buying_group_internal.journey_advance(jid integer, as_of timestamptz, node_name text, step_kind text,
                                                      keys text[], paths text[], nexts text[], seens jsonb[],
                                                      results jsonb[])
RETURNS text[]
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    WITH s AS (
        SELECT * FROM unnest(keys, paths, nexts, seens, results) AS u(k, path, next_node, seen, result)),
    moved AS (
        UPDATE buying_group.journey_account ja
           SET node = coalesce(s.next_node, ja.node), since = as_of, wake_at = NULL, steps = ja.steps + 1,
               ended_at = CASE WHEN s.next_node IS NULL THEN as_of END
          FROM s
         WHERE ja.account_key = s.k AND ja.journey_id = jid AND ja.ended_at IS NULL AND ja.node = node_name
        RETURNING ja.account_key, ja.entry, ja.steps, s.path, s.next_node, s.seen, s.result),
    step AS (
        INSERT INTO buying_group.journey_step (account_key, journey_id, entry, seq, at, node, kind, path, seen, result)
        SELECT m.account_key, jid, m.entry, m.steps, as_of, node_name, step_kind, m.path, m.seen, m.result
          FROM moved m)
    SELECT coalesce(pg_catalog.array_agg(m.account_key ORDER BY m.account_key) FILTER (WHERE m.next_node IS NOT NULL), '{}')
      FROM moved m
$$;
COMMENT ON FUNCTION buying_group_internal.journey_advance(integer, timestamptz, text, text, text[], text[], text[], jsonb[], jsonb[]) IS
'Internal: records a journey step for each account at a node and moves it on (or ends it); returns the accounts that moved on';

-- Leaves accounts at their node until a time (a wait's end, a listen's timeout).
CREATE FUNCTION buying_group_internal.journey_park(jid integer, node_name text, keys text[], until timestamptz[])
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    UPDATE buying_group.journey_account ja SET wake_at = u.until
      FROM unnest(keys, until) AS u(k, until)
     WHERE ja.account_key = u.k AND ja.journey_id = jid AND ja.ended_at IS NULL AND ja.node = node_name
$$;
COMMENT ON FUNCTION buying_group_internal.journey_park(integer, text, text[], timestamptz[]) IS
'Internal: leaves journey accounts at their node until the given times';

-- A wait: accounts whose wait is over move on, the others stay until it is.
CREATE FUNCTION buying_group_internal.journey_wait(jid integer, node_name text, node jsonb, keys text[], as_of timestamptz)
RETURNS text[]
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    dur interval := (node ->> 'duration')::interval;
    until timestamptz := CASE WHEN node ? 'until' THEN buying_group_internal.journey_until(node_name, node -> 'until') END;
    due_keys text[];
    dues timestamptz[];
    later_keys text[];
    laters timestamptz[];
BEGIN
    SELECT coalesce(array_agg(w.k ORDER BY w.k) FILTER (WHERE w.due <= as_of), '{}'),
           coalesce(array_agg(w.due ORDER BY w.k) FILTER (WHERE w.due <= as_of), '{}'),
           coalesce(array_agg(w.k ORDER BY w.k) FILTER (WHERE w.due > as_of), '{}'),
           coalesce(array_agg(w.due ORDER BY w.k) FILTER (WHERE w.due > as_of), '{}')
      INTO due_keys, dues, later_keys, laters
      FROM (SELECT ja.account_key AS k,
                   CASE WHEN dur IS NOT NULL THEN buying_group_internal.utc_plus(ja.since, dur) ELSE until END AS due
              FROM buying_group.journey_account ja
             WHERE ja.account_key = ANY (keys) AND ja.journey_id = jid AND ja.ended_at IS NULL AND ja.node = node_name) w;
    PERFORM buying_group_internal.journey_park(jid, node_name, later_keys, laters);
    RETURN buying_group_internal.journey_advance(jid, as_of, node_name, 'wait', due_keys, NULL,
               array_fill(node ->> 'next', ARRAY[cardinality(due_keys)]), NULL,
               ARRAY(SELECT pg_catalog.jsonb_build_object('waited_until', d) FROM unnest(dues) WITH ORDINALITY u(d, i) ORDER BY i));
END
$$;
COMMENT ON FUNCTION buying_group_internal.journey_wait(integer, text, jsonb, text[], timestamptz) IS
'Internal: moves on the journey accounts whose wait is over; the others stay until it is';

-- A listen: an account moves on at the first event of the type on its group
-- (or activity of the type by one of its persons) after it arrived, and by
-- the timeout path when none came in time; otherwise it stays.
CREATE FUNCTION buying_group_internal.journey_listen(jid integer, si buying_group.solution_interest, node_name text,
                                                     node jsonb, keys text[], as_of timestamptz)
RETURNS text[]
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    timeout interval := (node ->> 'timeout')::interval;
    act buying_group.binding;
    per buying_group.binding;
    at_sql text;
    heard text;
    r record;
    go_keys text[] := '{}';
    go_paths text[] := '{}';
    go_nexts text[] := '{}';
    go_results jsonb[] := '{}';
    stay_keys text[] := '{}';
    stay_until timestamptz[] := '{}';
BEGIN
    IF node ? 'event' THEN
        heard := $q$
            SELECT pg_catalog.jsonb_build_object('event_id', e.id, 'type', e.type, 'at', e.at, 'person_key', e.person_key)
              FROM buying_group.bgroup g JOIN buying_group.events e ON e.buying_group_id = g.id
             WHERE g.solution_interest_id = $5 AND g.account_key = ja.account_key AND e.type = $6
               AND e.payload @> $7 AND e.at > ja.since AND e.at <= least($3, buying_group_internal.utc_plus(ja.since, $4))
             ORDER BY e.at, e.id LIMIT 1$q$;
    ELSE
        act := buying_group_internal.bound('activities');
        per := buying_group_internal.bound('persons');
        at_sql := (buying_group_internal.activity_time_sql(act)).at_sql;
        heard := format($q$
            SELECT pg_catalog.jsonb_build_object('activity', a.%1$I::text, 'at', %2$s, 'person_key', p.%3$I::text)
              FROM %4$s p JOIN %5$s a ON a.%6$I::text = p.%3$I::text
             WHERE p.%7$I::text = ja.account_key AND a.%1$I::text = $6
               AND %2$s > ja.since AND %2$s <= least($3, buying_group_internal.utc_plus(ja.since, $4))
             ORDER BY %2$s, p.%3$I::text LIMIT 1$q$,
            act.type_column, at_sql, per.key_column, per.relation, act.relation, act.person_column, per.account_column);
    END IF;
    FOR r IN EXECUTE format($q$
        SELECT ja.account_key AS k, buying_group_internal.utc_plus(ja.since, $4) AS deadline, (%s) AS heard
          FROM buying_group.journey_account ja
         WHERE ja.account_key = ANY ($1) AND ja.journey_id = $2 AND ja.ended_at IS NULL AND ja.node = $8
         ORDER BY ja.account_key$q$, heard)
        USING keys, jid, as_of, timeout, si.id, coalesce(node ->> 'event', node ->> 'activity'),
              coalesce(node -> 'payload', '{}'), node_name
    LOOP
        IF r.heard IS NOT NULL OR r.deadline <= as_of THEN
            go_keys := go_keys || r.k;
            go_paths := go_paths || CASE WHEN r.heard IS NOT NULL THEN 'heard' ELSE 'timeout' END;
            go_nexts := go_nexts || CASE WHEN r.heard IS NOT NULL THEN node ->> 'next' ELSE node ->> 'timeout_next' END;
            go_results := go_results || coalesce(r.heard, pg_catalog.jsonb_build_object('timed_out_at', r.deadline));
        ELSE
            stay_keys := stay_keys || r.k;
            stay_until := stay_until || r.deadline;
        END IF;
    END LOOP;
    PERFORM buying_group_internal.journey_park(jid, node_name, stay_keys, stay_until);
    RETURN buying_group_internal.journey_advance(jid, as_of, node_name, 'listen', go_keys, go_paths, go_nexts, NULL, go_results);
END
$$;
COMMENT ON FUNCTION buying_group_internal.journey_listen(integer, buying_group.solution_interest, text, jsonb, text[], timestamptz) IS
'Internal: moves on the journey accounts that heard their event or activity, or timed out; the others keep listening';

-- A split: each account takes the first path whose rule holds (an account
-- split: over the account row and its buying groups; a people split: for at
-- least at_least of its persons), or "other"; the step keeps what it saw.
CREATE FUNCTION buying_group_internal.journey_split(jid integer, si buying_group.solution_interest, node_name text,
                                                    node jsonb, keys text[], as_of timestamptz)
RETURNS text[]
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    people boolean := node ->> 'type' = 'people_split';
    b buying_group.binding := buying_group_internal.bound(CASE WHEN people THEN 'persons' ELSE 'accounts' END);
    choose text;
    seen text;
    chosen_keys text[];
    chosen_paths text[];
    chosen_nexts text[];
    seens jsonb[];
BEGIN
    IF people THEN
        SELECT 'CASE ' || string_agg(format('WHEN count(p.%I) FILTER (WHERE %s) >= %s THEN %s', b.key_column,
                                            buying_group_internal.journey_rule_sql(node_name, format('path "%s"', x.path ->> 'name'),
                                                                                   x.path -> 'when', 'persons'),
                                            coalesce(x.path ->> 'at_least', '1'), x.i), ' ' ORDER BY x.i) || ' ELSE 0 END',
               'pg_catalog.jsonb_build_object(' || string_agg(format('%L, count(p.%I) FILTER (WHERE %s)', x.path ->> 'name', b.key_column,
                                            buying_group_internal.journey_rule_sql(node_name, '', x.path -> 'when', 'persons')),
                                            ', ' ORDER BY x.i) || ')'
          INTO choose, seen
          FROM pg_catalog.jsonb_array_elements(node -> 'paths') WITH ORDINALITY x(path, i);
        EXECUTE format($q$
            SELECT array_agg(s.k ORDER BY s.k), array_agg(s.path ORDER BY s.k), array_agg(s.next_node ORDER BY s.k),
                   array_agg(s.seen ORDER BY s.k)
              FROM (SELECT c.k, CASE c.i WHEN 0 THEN 'other' ELSE $2 -> 'paths' -> (c.i - 1)::integer ->> 'name' END AS path,
                           CASE c.i WHEN 0 THEN $2 ->> 'other' ELSE $2 -> 'paths' -> (c.i - 1)::integer ->> 'next' END AS next_node,
                           c.seen
                      FROM (SELECT k.k, %1$s AS i, pg_catalog.jsonb_build_object('people', %2$s) AS seen
                              FROM unnest($1) k(k) LEFT JOIN %3$s p ON p.%4$I::text = k.k
                             GROUP BY k.k) c) s$q$,
            choose, seen, b.relation, b.account_column)
           INTO chosen_keys, chosen_paths, chosen_nexts, seens USING keys, node;
    ELSE
        SELECT 'CASE ' || string_agg(format('WHEN %s THEN %s',
                                            buying_group_internal.journey_rule_sql(node_name, format('path "%s"', x.path ->> 'name'),
                                                                                   x.path -> 'when', 'accounts'), x.i),
                                     ' ' ORDER BY x.i) || ' ELSE 0 END'
          INTO choose
          FROM pg_catalog.jsonb_array_elements(node -> 'paths') WITH ORDINALITY x(path, i);
        EXECUTE format($q$
            SELECT array_agg(s.k ORDER BY s.k), array_agg(s.path ORDER BY s.k), array_agg(s.next_node ORDER BY s.k),
                   array_agg(s.seen ORDER BY s.k)
              FROM (SELECT c.k, CASE c.i WHEN 0 THEN 'other' ELSE $2 -> 'paths' -> (c.i - 1)::integer ->> 'name' END AS path,
                           CASE c.i WHEN 0 THEN $2 ->> 'other' ELSE $2 -> 'paths' -> (c.i - 1)::integer ->> 'next' END AS next_node,
                           c.seen
                      FROM (SELECT k.k, %1$s AS i,
                                   CASE WHEN g.id IS NULL THEN pg_catalog.jsonb_build_object('buying_group', NULL)
                                        ELSE pg_catalog.jsonb_build_object('buying_group', pg_catalog.jsonb_build_object(
                                                 'id', g.id, 'completeness', g.completeness, 'engagement', g.engagement,
                                                 'stage', g.stage, 'status', g.status, 'sales_ready', g.sales_ready,
                                                 'member_count', g.member_count)) END AS seen
                              FROM unnest($1) k(k)
                              LEFT JOIN %2$s a ON a.%3$I::text = k.k
                              LEFT JOIN buying_group.bgroup g ON g.solution_interest_id = $3 AND g.account_key = k.k) c) s$q$,
            choose, b.relation, b.key_column)
           INTO chosen_keys, chosen_paths, chosen_nexts, seens USING keys, node, si.id;
    END IF;
    RETURN buying_group_internal.journey_advance(jid, as_of, node_name, node ->> 'type', chosen_keys, chosen_paths,
                                                 chosen_nexts, seens, NULL);
END
$$;
COMMENT ON FUNCTION buying_group_internal.journey_split(integer, buying_group.solution_interest, text, jsonb, text[], timestamptz) IS
'Internal: sends each journey account down the first path of an account or people split whose rule holds, or "other"';

-- One action for one account, with the journey's rights: returns what it did.
CREATE FUNCTION buying_group_internal.journey_act(jid integer, si buying_group.solution_interest, node jsonb,
                                                  people_sql text, account text, as_of timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    action text := node ->> 'action';
    per buying_group.binding;
    g buying_group.bgroup;
    person text;
    changed text[] := '{}';
    unchanged text[] := '{}';
    done boolean;
    stage text;
BEGIN
    IF action IN ('assign', 'remove', 'set_stage', 'set_status', 'sales_alert') THEN
        g := buying_group_internal.group_for_update(si, account);    -- raises when the account has none
    END IF;
    CASE action
    WHEN 'assign' THEN
        per := buying_group_internal.bound('persons');
        FOR person IN EXECUTE format('SELECT p.%1$I::text FROM %2$s p WHERE p.%3$I::text = $1 AND p.%1$I IS NOT NULL AND (%4$s) ORDER BY 1',
                                     per.key_column, per.relation, per.account_column, people_sql) USING account LOOP
            IF buying_group.assign_member(si.name, account, person, node ->> 'role', 'journey') THEN
                changed := changed || person;
            ELSE
                unchanged := unchanged || person;
            END IF;
        END LOOP;
        RETURN pg_catalog.jsonb_build_object('action', action, 'role', node ->> 'role', 'assigned', changed, 'unchanged', unchanged);
    WHEN 'remove' THEN
        per := buying_group_internal.bound('persons');
        FOR person IN EXECUTE format($q$
                SELECT m.person_key FROM buying_group.bmember m
                  LEFT JOIN %1$s p ON p.%2$I::text = m.person_key
                 WHERE m.buying_group_id = $1 AND NOT m.is_removed
                   AND ($2::text IS NULL OR m.role_id = (SELECT r.id FROM buying_group.role r WHERE r.name = $2))
                   AND (%3$s)
                 ORDER BY 1$q$, per.relation, per.key_column, coalesce(people_sql, 'true'))
            USING g.id, node ->> 'role' LOOP
            IF buying_group.remove_member(si.name, account, person, 'journey') THEN
                changed := changed || person;
            ELSE
                unchanged := unchanged || person;
            END IF;
        END LOOP;
        RETURN pg_catalog.jsonb_build_object('action', action, 'removed', changed, 'unchanged', unchanged);
    WHEN 'set_stage' THEN
        stage := buying_group_internal.move_stage(si.name, account, node ->> 'stage', 'journey');
        RETURN pg_catalog.jsonb_build_object('action', action, 'old', g.stage, 'stage', stage);
    WHEN 'set_status' THEN
        PERFORM buying_group.set_status(si.name, account, node ->> 'status');
        RETURN pg_catalog.jsonb_build_object('action', action, 'old', g.status, 'status', nullif(btrim(node ->> 'status'), ''));
    WHEN 'sales_alert' THEN
        RETURN pg_catalog.jsonb_build_object('action', action, 'recipients', node -> 'recipients',
                                             'alert', buying_group.sales_alert(g.id));
    WHEN 'linkedin_add' THEN
        INSERT INTO buying_group.linkedin_list_member (account_key, list, added_at, journey_id)
        VALUES (account, node ->> 'list', as_of, jid)
        ON CONFLICT DO NOTHING;
        GET DIAGNOSTICS done = ROW_COUNT;
        RETURN pg_catalog.jsonb_build_object('action', action, 'list', node ->> 'list', 'added', done);
    ELSE    -- linkedin_remove
        DELETE FROM buying_group.linkedin_list_member l WHERE l.account_key = account AND l.list = node ->> 'list';
        GET DIAGNOSTICS done = ROW_COUNT;
        RETURN pg_catalog.jsonb_build_object('action', action, 'list', node ->> 'list', 'removed', done);
    END CASE;
END
$$;
COMMENT ON FUNCTION buying_group_internal.journey_act(integer, buying_group.solution_interest, jsonb, text, text, timestamptz) IS
'Internal: applies a journey action to one account (source journey) and returns what it did';

-- An action node: each account in turn (by key); an action that fails (no
-- buying group, a stage the model does not allow) is recorded with its error
-- and the account moves on, so that one account cannot hold up the others.
CREATE FUNCTION buying_group_internal.journey_action(jid integer, si buying_group.solution_interest, node_name text,
                                                     node jsonb, keys text[], as_of timestamptz)
RETURNS text[]
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    people_sql text;
    k text;
    r jsonb;
    results jsonb[] := '{}';
    msg text;
    state text;
BEGIN
    IF node ? 'people' THEN
        people_sql := buying_group_internal.journey_rule_sql(node_name, '"people"', node -> 'people', 'persons');
    END IF;
    FOREACH k IN ARRAY keys LOOP
        BEGIN
            r := buying_group_internal.journey_act(jid, si, node, people_sql, k, as_of);
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
            r := pg_catalog.jsonb_build_object('action', node ->> 'action', 'error', msg, 'sqlstate', state);
        END;
        results := results || r;
    END LOOP;
    RETURN buying_group_internal.journey_advance(jid, as_of, node_name, 'action', keys, NULL,
                                                 array_fill(node ->> 'next', ARRAY[cardinality(keys)]), NULL, results);
END
$$;
COMMENT ON FUNCTION buying_group_internal.journey_action(integer, buying_group.solution_interest, text, jsonb, text[], timestamptz) IS
'Internal: applies an action node to each of the given journey accounts and moves them on';

-- Moves the accounts of one live journey: the audience's new accounts enter,
-- then wave after wave every account at a node that is due runs it, until
-- each waits, listens or has ended. Returns the steps taken.
CREATE FUNCTION buying_group_internal.run_journey(j buying_group.journey, as_of timestamptz)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    nodes jsonb := j.definition -> 'nodes';
    si buying_group.solution_interest;
    start_name text := (SELECT e.key FROM pg_catalog.jsonb_each(nodes) e WHERE e.value ->> 'type' = 'start');
    acc buying_group.binding := buying_group_internal.bound('accounts');
    aud buying_group.audience;
    listens text[] := ARRAY(SELECT e.key FROM pg_catalog.jsonb_each(nodes) e WHERE e.value ->> 'type' = 'listen');
    ready text[];
    moved text[];
    n record;
    waves integer := 0;
    steps_before bigint;
BEGIN
    -- what it names may have gone since it was published: the run stops with
    -- an error naming the node
    PERFORM buying_group_internal.check_journey(j.definition);
    si := buying_group_internal.solution_interest_of(j.definition ->> 'solution_interest');
    aud := buying_group_internal.audience_of(nodes -> start_name ->> 'audience');
    steps_before := (SELECT coalesce(sum(ja.steps), 0) FROM buying_group.journey_account ja WHERE ja.journey_id = j.id);
    -- the audience's accounts that are not in the journey enter (again, when
    -- it allows re-entry and their last journey ended before this run)
    EXECUTE format($q$
        INSERT INTO buying_group.journey_account (account_key, journey_id, entry, node, since, entered_at)
        SELECT a.k, $1, coalesce(prev.entry, 0) + 1, $2, $3, $3
          FROM (SELECT DISTINCT v.%1$I::text AS k FROM buying_group_audience.%2$I v WHERE v.%1$I IS NOT NULL) a
          LEFT JOIN (SELECT ja.account_key, max(ja.entry) AS entry,
                            bool_or(ja.ended_at IS NULL OR ja.ended_at >= $3) AS blocked
                       FROM buying_group.journey_account ja WHERE ja.journey_id = $1
                      GROUP BY ja.account_key) prev ON prev.account_key = a.k
         WHERE prev.account_key IS NULL OR ($4 AND NOT prev.blocked)$q$,
        acc.key_column, aud.view_name)
    USING j.id, start_name, as_of, coalesce((nodes -> start_name ->> 'reentry')::boolean, false);

    ready := ARRAY(SELECT ja.account_key FROM buying_group.journey_account ja
                    WHERE ja.journey_id = j.id AND ja.ended_at IS NULL
                      AND (ja.wake_at IS NULL OR ja.wake_at <= as_of OR ja.node = ANY (listens)));
    WHILE cardinality(ready) > 0 LOOP
        -- a loop without a stop cannot be published; this is the proof's check
        waves := waves + 1;
        IF waves > (SELECT count(*) FROM pg_catalog.jsonb_object_keys(nodes)) + 2 THEN
            RAISE EXCEPTION 'journey "%" did not settle', j.name USING ERRCODE = 'internal_error';
        END IF;
        moved := '{}';
        FOR n IN SELECT ja.node, array_agg(ja.account_key ORDER BY ja.account_key) AS keys
                   FROM buying_group.journey_account ja
                  WHERE ja.journey_id = j.id AND ja.ended_at IS NULL AND ja.account_key = ANY (ready)
                  GROUP BY ja.node ORDER BY ja.node LOOP
            moved := moved || CASE nodes -> n.node ->> 'type'
                WHEN 'wait' THEN buying_group_internal.journey_wait(j.id, n.node, nodes -> n.node, n.keys, as_of)
                WHEN 'listen' THEN buying_group_internal.journey_listen(j.id, si, n.node, nodes -> n.node, n.keys, as_of)
                WHEN 'action' THEN buying_group_internal.journey_action(j.id, si, n.node, nodes -> n.node, n.keys, as_of)
                WHEN 'account_split' THEN buying_group_internal.journey_split(j.id, si, n.node, nodes -> n.node, n.keys, as_of)
                WHEN 'people_split' THEN buying_group_internal.journey_split(j.id, si, n.node, nodes -> n.node, n.keys, as_of)
                -- start, merge and end: on to the next node, or the end
                ELSE buying_group_internal.journey_advance(j.id, as_of, n.node, nodes -> n.node ->> 'type', n.keys, NULL,
                         array_fill(nodes -> n.node ->> 'next', ARRAY[cardinality(n.keys)]), NULL, NULL) END;
        END LOOP;
        ready := moved;
    END LOOP;
    RETURN (SELECT coalesce(sum(ja.steps), 0) FROM buying_group.journey_account ja WHERE ja.journey_id = j.id) - steps_before;
END
$$;
COMMENT ON FUNCTION buying_group_internal.run_journey(buying_group.journey, timestamptz) IS
'Internal: enters the audience''s new accounts into a live journey and moves every account as far as it can go; returns the steps taken';

CREATE FUNCTION buying_group.run_journeys(as_of timestamptz DEFAULT pg_catalog.now())
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
-- the NOTICEs of memberships a manual decision holds: the steps record them
SET client_min_messages = warning
-- times written into the steps read the same whatever the session's zone
SET TimeZone = 'UTC'
AS $$
DECLARE
    j buying_group.journey;
    total bigint := 0;
BEGIN
    IF as_of IS NULL OR NOT pg_catalog.isfinite(as_of) THEN
        RAISE EXCEPTION 'run_journeys needs a finite time' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- one run at a time, with no writer of groups in between: a run sees
    -- everything committed before it, and the next run sees it whole
    PERFORM buying_group_internal.lock_accounts(NULL);
    FOR j IN SELECT * FROM buying_group.journey x WHERE x.status = 'live' ORDER BY x.id LOOP
        total := total + buying_group_internal.run_journey(j, as_of);
    END LOOP;
    RETURN total;
END
$$;
COMMENT ON FUNCTION buying_group.run_journeys(timestamptz) IS
'The journey runner: enters the new accounts of each live journey''s audience and moves every account until it waits, listens or ends, as of the given time; returns the steps taken. Each step is applied exactly once';
