--------------------------------------------------------------------------
-- Stage and status of buying groups (SPEC 9): manual moves checked against
-- the stage model, automatic transitions, events
--------------------------------------------------------------------------

CREATE FUNCTION buying_group.set_stage_model(solution_interest text, stage_model text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    si buying_group.solution_interest := buying_group_internal.solution_interest_of(solution_interest);
    model_id integer;
BEGIN
    IF stage_model IS NOT NULL THEN
        model_id := (buying_group_internal.stage_model_for_update(stage_model)).id;
    END IF;
    IF model_id IS NOT DISTINCT FROM si.stage_model_id THEN
        RETURN;
    END IF;
    -- every writer of groups waits (a set_stage in flight commits first), then
    -- the guard wants the model live and no group in a stage
    PERFORM buying_group_internal.lock_accounts(NULL);
    UPDATE buying_group.solution_interest x SET stage_model_id = model_id WHERE x.id = si.id;
END
$$;
COMMENT ON FUNCTION buying_group.set_stage_model(text, text) IS
'Attaches a live stage model to a solution interest (NULL detaches it), while none of its groups has a stage';

-- Takes the automatic transitions of the given groups whose conditions hold,
-- until none applies (they cannot loop: load_stage_model refuses cycles).
-- Each move is a stage_changed event when emit_events.
CREATE FUNCTION buying_group_internal.advance_stages(ids bigint[], emit_events boolean DEFAULT true)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    moved integer;
    total integer := 0;
    steps integer := 0;
    -- acyclic (check_stage_model): no group takes more steps than there are automatic transitions
    max_steps integer := (SELECT count(*) FROM buying_group.stage_transition t WHERE t.condition IS NOT NULL);
BEGIN
    IF max_steps = 0 THEN
        RETURN 0;
    END IF;
    LOOP
        steps := steps + 1;
        IF steps > max_steps + 1 THEN
            RAISE EXCEPTION 'automatic stage transitions do not settle'
                USING ERRCODE = 'program_limit_exceeded',
                      HINT = 'A stage model''s automatic transitions form a cycle; buying_group.stage_transitions lists them.';
        END IF;
        WITH step AS (
            SELECT DISTINCT ON (g.id) g.id, g.account_key, g.stage AS old_stage, t.to_stage, t.condition
              FROM buying_group.bgroup g
              JOIN buying_group.solution_interest si ON si.id = g.solution_interest_id
              JOIN buying_group.stage_transition t
                ON t.stage_model_id = si.stage_model_id AND t.from_stage = g.stage AND t.condition IS NOT NULL
             WHERE g.id = ANY (ids)
               AND buying_group.eval_rule(t.condition::text,
                       ROW(g.completeness, g.engagement, g.member_count, g.sales_ready, g.status)::buying_group.group_facts)
             ORDER BY g.id, t.position),
        done AS (
            UPDATE buying_group.bgroup g SET stage = s.to_stage FROM step s WHERE g.id = s.id
            RETURNING g.id, g.account_key, s.old_stage, s.to_stage, s.condition),
        logged AS (
            INSERT INTO buying_group.events (type, buying_group_id, account_key, payload)
            SELECT 'stage_changed', d.id, d.account_key,
                   pg_catalog.jsonb_build_object('old', d.old_stage, 'new', d.to_stage, 'by', 'automatic',
                                                 'condition', d.condition)
              FROM done d WHERE emit_events ORDER BY d.id)
        SELECT count(*) INTO moved FROM done;
        EXIT WHEN moved = 0;
        total := total + moved;
    END LOOP;
    RETURN total;
END
$$;
COMMENT ON FUNCTION buying_group_internal.advance_stages(bigint[], boolean) IS
'Internal: moves the given groups along the automatic transitions whose conditions hold; returns how many moves were made';

-- Moves a group to a stage its model allows from where it is, then along the
-- automatic transitions; "by" (manual or journey) goes into the event.
CREATE FUNCTION buying_group_internal.move_stage(solution_interest text, account_key text, stage text, by text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    si buying_group.solution_interest := buying_group_internal.solution_interest_of(solution_interest);
    g buying_group.bgroup;
    target buying_group.stage;
    model text;
BEGIN
    g := buying_group_internal.group_for_update(si, account_key);
    -- read again under the account's lock: set_stage_model waits for it
    si := buying_group_internal.solution_interest_of(solution_interest);
    model := (SELECT m.name FROM buying_group.stage_model m WHERE m.id = si.stage_model_id);
    IF model IS NULL THEN
        RAISE EXCEPTION 'solution interest "%" has no stage model', si.name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Attach a live one with buying_group.set_stage_model().';
    END IF;
    target := buying_group_internal.stage_by_name(si.stage_model_id, stage);
    IF target.name IS NULL THEN
        RAISE EXCEPTION 'stage model "%" has no stage "%"', model, stage
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Its stages are: %s.', buying_group_internal.stage_list(si.stage_model_id));
    END IF;
    IF g.stage = target.name THEN
        RETURN g.stage;
    END IF;
    IF g.stage IS NULL AND target.kind <> 'entry' THEN
        RAISE EXCEPTION 'buying group "%" has no stage yet and "%" is not an entry stage', g.name, target.name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('A group without a stage can enter: %s.',
                                  buying_group_internal.stage_list(si.stage_model_id, 'entry'));
    END IF;
    IF g.stage IS NOT NULL AND NOT EXISTS (
            SELECT FROM buying_group.stage_transition t
             WHERE t.stage_model_id = si.stage_model_id AND t.from_stage = g.stage AND t.to_stage = target.name) THEN
        RAISE EXCEPTION 'stage model "%" does not allow moving from "%" to "%"', model, g.stage, target.name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('From "%s" it allows: %s.', g.stage,
                                  coalesce((SELECT string_agg(t.to_stage, ', ' ORDER BY t.position)
                                              FROM buying_group.stage_transition t
                                             WHERE t.stage_model_id = si.stage_model_id AND t.from_stage = g.stage),
                                           'nothing')),
                  HINT = 'The view buying_group.stage_transitions lists the allowed transitions.';
    END IF;
    UPDATE buying_group.bgroup x SET stage = target.name WHERE x.id = g.id;
    INSERT INTO buying_group.events (type, buying_group_id, account_key, payload)
    VALUES ('stage_changed', g.id, g.account_key,
            pg_catalog.jsonb_build_object('old', g.stage, 'new', target.name, 'by', move_stage.by));
    PERFORM buying_group_internal.advance_stages(ARRAY[g.id]);
    RETURN (SELECT x.stage FROM buying_group.bgroup x WHERE x.id = g.id);
END
$$;
COMMENT ON FUNCTION buying_group_internal.move_stage(text, text, text, text) IS
'Internal: moves an account''s buying group to a stage its model allows, then along the automatic transitions; returns the stage it ends in';

CREATE FUNCTION buying_group.set_stage(solution_interest text, account_key text, stage text)
RETURNS text
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT buying_group_internal.move_stage(solution_interest, account_key, stage, 'manual')
$$;
COMMENT ON FUNCTION buying_group.set_stage(text, text, text) IS
'Moves an account''s buying group to a stage (name matched ignoring case) if its stage model allows it; returns the stage it ends in, after automatic transitions';

CREATE FUNCTION buying_group.set_status(solution_interest text, account_key text, status text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    si buying_group.solution_interest := buying_group_internal.solution_interest_of(solution_interest);
    g buying_group.bgroup := buying_group_internal.group_for_update(si, account_key);
    new_status text := nullif(btrim(status), '');
BEGIN
    IF pg_catalog.length(new_status) > 50 THEN
        RAISE EXCEPTION 'status is % characters long; at most 50 are allowed', pg_catalog.length(new_status)
            USING ERRCODE = 'string_data_right_truncation';
    END IF;
    IF new_status IS NOT DISTINCT FROM g.status THEN
        RETURN;
    END IF;
    UPDATE buying_group.bgroup x SET status = new_status WHERE x.id = g.id;
    INSERT INTO buying_group.events (type, buying_group_id, account_key, payload)
    VALUES ('status_changed', g.id, g.account_key, pg_catalog.jsonb_build_object('old', g.status, 'new', new_status));
    PERFORM buying_group_internal.advance_stages(ARRAY[g.id]);
END
$$;
COMMENT ON FUNCTION buying_group.set_status(text, text, text) IS
'Sets the free-text status (at most 50 characters; NULL or blank clears it) of an account''s buying group';
