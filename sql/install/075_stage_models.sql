--------------------------------------------------------------------------
-- Stage models (SPEC 9): the stages a buying group moves through, the
-- transitions allowed between them and the automatic ones
--------------------------------------------------------------------------

CREATE SEQUENCE buying_group.stage_model_id_seq AS integer;
CREATE TABLE buying_group.stage_model (
    id           integer PRIMARY KEY DEFAULT pg_catalog.nextval('buying_group.stage_model_id_seq'),
    name         text NOT NULL UNIQUE CHECK (pg_catalog.btrim(name) = name AND name <> '' AND pg_catalog.length(name) <= 200),
    description  text,
    status       text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'live')),
    created_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    published_at timestamptz
);
ALTER SEQUENCE buying_group.stage_model_id_seq OWNED BY buying_group.stage_model.id;
COMMENT ON TABLE buying_group.stage_model IS 'Stage models: draft (editable) or live (frozen, attachable to solution interests)';
SELECT pg_catalog.pg_extension_config_dump('buying_group.stage_model', '');
SELECT pg_catalog.pg_extension_config_dump('buying_group.stage_model_id_seq', '');

CREATE TABLE buying_group.stage (
    stage_model_id integer NOT NULL,     -- a model's (deleted with it by the API)
    name           text NOT NULL CHECK (pg_catalog.btrim(name) = name AND name <> '' AND pg_catalog.length(name) <= 100),
    position       integer NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('entry', 'intermediate', 'success', 'failure')),
    PRIMARY KEY (stage_model_id, name)
);
CREATE UNIQUE INDEX stage_name_folded ON buying_group.stage (stage_model_id, pg_catalog.lower(name));
COMMENT ON TABLE buying_group.stage IS 'Stages of a stage model, in order';
SELECT pg_catalog.pg_extension_config_dump('buying_group.stage', '');

CREATE TABLE buying_group.stage_transition (
    stage_model_id integer NOT NULL,
    from_stage     text NOT NULL,
    to_stage       text NOT NULL,
    position       integer NOT NULL,
    condition      jsonb,          -- automatic when set: a rule over buying_group.group_facts
    PRIMARY KEY (stage_model_id, from_stage, to_stage)
);
COMMENT ON TABLE buying_group.stage_transition IS 'Allowed transitions of a stage model; those with a condition are also taken automatically';
SELECT pg_catalog.pg_extension_config_dump('buying_group.stage_transition', '');

CREATE TYPE buying_group.group_facts AS (
    completeness numeric,
    engagement   numeric,
    member_count integer,
    sales_ready  boolean,
    status       text
);
COMMENT ON TYPE buying_group.group_facts IS 'What the condition of an automatic stage transition may test: a buying group''s scores and status';

-- Raises if a stage model is live; holds it (FOR SHARE) so that it cannot go
-- live while the caller changes its stages.
CREATE FUNCTION buying_group_internal.require_draft_stage_model(model_id integer)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m buying_group.stage_model;
BEGIN
    SELECT * INTO m FROM buying_group.stage_model x WHERE x.id = model_id FOR SHARE;
    IF m.status = 'live' THEN
        RAISE EXCEPTION 'stage model "%" is live', m.name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'The stages and transitions of a live stage model are frozen.',
                  HINT = 'Create a new stage model instead.';
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group_internal.require_draft_stage_model(integer) IS
'Internal: raises if the stage model is live, and keeps it from going live until the end of the transaction';

-- A live stage model is frozen: its stages and transitions cannot change
-- (moving one out of it included), it cannot go back to draft, and it cannot
-- be deleted; a draft goes live valid. Rows inserted directly are taken as
-- they are: only the API (which creates drafts) and a superuser's restore
-- (which inserts live models, then their stages) insert.
CREATE FUNCTION buying_group_internal.stage_model_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_NAME = 'stage_model' THEN
        IF TG_OP = 'INSERT' THEN
            RETURN NEW;
        END IF;
        IF OLD.status = 'live' AND (TG_OP = 'DELETE' OR NEW.status <> 'live' OR NEW.name <> OLD.name) THEN
            RAISE EXCEPTION 'stage model "%" is live', OLD.name
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      DETAIL = 'A live stage model keeps its name and stages; only its description can change.',
                      HINT = 'Create a new stage model instead.';
        END IF;
        IF TG_OP = 'UPDATE' AND OLD.status = 'draft' AND NEW.status = 'live' THEN
            PERFORM buying_group_internal.check_stage_model(NEW.id);
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM buying_group_internal.require_draft_stage_model(OLD.stage_model_id);
    END IF;
    IF TG_OP = 'UPDATE' THEN
        PERFORM buying_group_internal.require_draft_stage_model(NEW.stage_model_id);
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER stage_model_guard BEFORE INSERT OR UPDATE OR DELETE ON buying_group.stage_model
    FOR EACH ROW EXECUTE FUNCTION buying_group_internal.stage_model_guard();
CREATE TRIGGER stage_model_guard BEFORE INSERT OR UPDATE OR DELETE ON buying_group.stage
    FOR EACH ROW EXECUTE FUNCTION buying_group_internal.stage_model_guard();
CREATE TRIGGER stage_model_guard BEFORE INSERT OR UPDATE OR DELETE ON buying_group.stage_transition
    FOR EACH ROW EXECUTE FUNCTION buying_group_internal.stage_model_guard();

-- Looks up a stage model by name, locked.
CREATE FUNCTION buying_group_internal.stage_model_for_update(stage_model text)
RETURNS buying_group.stage_model
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m buying_group.stage_model;
BEGIN
    SELECT * INTO m FROM buying_group.stage_model x WHERE x.name = stage_model_for_update.stage_model FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'stage model "%" does not exist', stage_model
            USING ERRCODE = 'undefined_object',
                  HINT = 'The view buying_group.stage_models lists them.';
    END IF;
    RETURN m;
END
$$;
COMMENT ON FUNCTION buying_group_internal.stage_model_for_update(text) IS 'Internal: the stage model of that name, locked; raises if there is none';

-- Raises the error of an invalid stage model definition, at a JSON path.
CREATE FUNCTION buying_group_internal.stage_model_error(path text, message text, hint text DEFAULT NULL,
                                               sqlstate text DEFAULT '22023')
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'invalid stage model at %: %', path, message
        USING ERRCODE = sqlstate,
              HINT = coalesce(hint, 'A stage model is {"stages": [{"name": ..., "type": "entry|intermediate|success|failure"}, ...], '
                                    '"transitions": [{"from": ... or [...], "to": ..., "when": rule}, ...]}.');
END
$$;
COMMENT ON FUNCTION buying_group_internal.stage_model_error(text, text, text, text) IS
'Internal: raises the error of an invalid stage model definition at a JSON path';

-- The stages of a model (of one kind, when given), in order, for messages.
CREATE FUNCTION buying_group_internal.stage_list(model_id integer, kind text DEFAULT NULL)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.string_agg(s.name, ', ' ORDER BY s.position) FROM buying_group.stage s
     WHERE s.stage_model_id = model_id AND (stage_list.kind IS NULL OR s.kind = stage_list.kind)
$$;
COMMENT ON FUNCTION buying_group_internal.stage_list(integer, text) IS 'Internal: the names of a model''s stages (of one kind, when given), in order';

-- The stage of a model with that name, ignoring case and surrounding blanks
-- (stage names are unique so); NULL when there is none.
CREATE FUNCTION buying_group_internal.stage_by_name(model_id integer, stage_name text)
RETURNS buying_group.stage
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT s.* FROM buying_group.stage s
     WHERE s.stage_model_id = model_id AND pg_catalog.lower(s.name) = pg_catalog.lower(pg_catalog.btrim(stage_name))
$$;
COMMENT ON FUNCTION buying_group_internal.stage_by_name(integer, text) IS
'Internal: the stage of a model with that name, ignoring case; NULL when there is none';

-- The stage of a model named name (case-insensitively), or raises at path.
CREATE FUNCTION buying_group_internal.stage_named(model_id integer, stage_name jsonb, path text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    found text;
BEGIN
    IF pg_catalog.jsonb_typeof(stage_name) IS DISTINCT FROM 'string' THEN
        PERFORM buying_group_internal.stage_model_error(path, 'a stage name (a string) is expected');
    END IF;
    found := (buying_group_internal.stage_by_name(model_id, stage_name #>> '{}')).name;
    IF found IS NULL THEN
        PERFORM buying_group_internal.stage_model_error(path, format('unknown stage %s', stage_name::text),
                    format('The stages are: %s.', buying_group_internal.stage_list(model_id)));
    END IF;
    RETURN found;
END
$$;
COMMENT ON FUNCTION buying_group_internal.stage_named(integer, jsonb, text) IS
'Internal: the stage of a model with that name, ignoring case; raises at the JSON path if there is none';

-- Checks what a stage model must be as a whole, on its stored stages and
-- transitions (when it is loaded, and again when it goes live, whatever
-- wrote it): an entry stage, exactly one success stage, valid conditions, and
-- automatic transitions that cannot loop.
CREATE FUNCTION buying_group_internal.check_stage_model(model_id integer)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tr record;
    cycle text[];
    msg text;
    state text;
BEGIN
    IF NOT EXISTS (SELECT FROM buying_group.stage s WHERE s.stage_model_id = model_id AND s.kind = 'entry') THEN
        PERFORM buying_group_internal.stage_model_error('$.stages', 'no entry stage',
                    'A new buying group has no stage; it can only enter an entry stage, so at least one is needed.');
    END IF;
    IF (SELECT count(*) FROM buying_group.stage s WHERE s.stage_model_id = model_id AND s.kind = 'success') <> 1 THEN
        PERFORM buying_group_internal.stage_model_error('$.stages', 'exactly one success stage is needed',
                    format('It has %s.', (SELECT count(*) FROM buying_group.stage s
                                           WHERE s.stage_model_id = model_id AND s.kind = 'success')));
    END IF;

    FOR tr IN SELECT x.position, x.condition FROM buying_group.stage_transition x
              WHERE x.stage_model_id = model_id AND x.condition IS NOT NULL ORDER BY x.position LOOP
        BEGIN
            PERFORM buying_group.check_rule(tr.condition::text, 'buying_group.group_facts');
        EXCEPTION WHEN invalid_parameter_value OR invalid_json_text OR program_limit_exceeded THEN
            GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
            PERFORM buying_group_internal.stage_model_error(format('$.transitions[%s].when', tr.position - 1), msg,
                        'The condition is a rule over completeness, engagement, member_count, sales_ready and status.',
                        state);
        END;
    END LOOP;
    -- automatic transitions are followed until none applies: they must not loop
    WITH RECURSIVE walk(start_stage, stage, path) AS (
        SELECT t.from_stage, t.to_stage, ARRAY[t.from_stage, t.to_stage]
          FROM buying_group.stage_transition t
         WHERE t.stage_model_id = model_id AND t.condition IS NOT NULL
        UNION ALL
        SELECT w.start_stage, t.to_stage, w.path || t.to_stage
          FROM walk w JOIN buying_group.stage_transition t
            ON t.stage_model_id = model_id AND t.condition IS NOT NULL AND t.from_stage = w.stage
         WHERE w.stage <> w.start_stage AND (t.to_stage = w.start_stage OR NOT t.to_stage = ANY (w.path)))
    SELECT w.path INTO cycle FROM walk w WHERE w.stage = w.start_stage
     ORDER BY pg_catalog.cardinality(w.path), w.path LIMIT 1;
    IF cycle IS NOT NULL THEN
        PERFORM buying_group_internal.stage_model_error('$.transitions',
                    format('the automatic transitions form a cycle: %s', array_to_string(cycle, ' -> ')),
                    'Remove the condition ("when") of one of these transitions.');
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group_internal.check_stage_model(integer) IS
'Internal: raises unless a stage model has an entry stage, one success stage, valid conditions and no loop of automatic transitions';

-- Replaces the stages and transitions of a draft model by those of a
-- definition, checking every rule of SPEC 9 with the JSON path of the fault.
CREATE FUNCTION buying_group_internal.load_stage_model(model_id integer, definition jsonb)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    e record;
    f record;
    path text;
    kind text;
    sname text;
    source_stage text;
    target_stage text;
    msg text;
BEGIN
    IF definition IS NULL OR pg_catalog.jsonb_typeof(definition) <> 'object' THEN
        PERFORM buying_group_internal.stage_model_error('$', 'a JSON object is expected');
    END IF;
    SELECT k INTO msg FROM pg_catalog.jsonb_object_keys(definition) k WHERE k NOT IN ('stages', 'transitions') LIMIT 1;
    IF msg IS NOT NULL THEN
        PERFORM buying_group_internal.stage_model_error('$.' || msg, 'unknown key');
    END IF;
    IF pg_catalog.jsonb_typeof(definition -> 'stages') IS DISTINCT FROM 'array'
       OR pg_catalog.jsonb_array_length(definition -> 'stages') = 0 THEN
        PERFORM buying_group_internal.stage_model_error('$.stages', 'a non-empty array of stages is expected');
    END IF;
    IF definition ? 'transitions' AND pg_catalog.jsonb_typeof(definition -> 'transitions') <> 'array' THEN
        PERFORM buying_group_internal.stage_model_error('$.transitions', 'an array of transitions is expected');
    END IF;
    DELETE FROM buying_group.stage_transition x WHERE x.stage_model_id = model_id;
    DELETE FROM buying_group.stage s WHERE s.stage_model_id = model_id;

    FOR e IN SELECT x.value, x.n - 1 AS i FROM pg_catalog.jsonb_array_elements(definition -> 'stages') WITH ORDINALITY x(value, n) LOOP
        path := format('$.stages[%s]', e.i);
        IF pg_catalog.jsonb_typeof(e.value) <> 'object' THEN
            PERFORM buying_group_internal.stage_model_error(path, 'a stage object {"name": ..., "type": ...} is expected');
        END IF;
        SELECT k INTO msg FROM pg_catalog.jsonb_object_keys(e.value) k WHERE k NOT IN ('name', 'type') LIMIT 1;
        IF msg IS NOT NULL THEN
            PERFORM buying_group_internal.stage_model_error(path || '.' || msg, 'unknown key');
        END IF;
        sname := pg_catalog.btrim(e.value ->> 'name');
        IF pg_catalog.jsonb_typeof(e.value -> 'name') IS DISTINCT FROM 'string' OR sname = ''
           OR pg_catalog.length(sname) > 100 THEN
            PERFORM buying_group_internal.stage_model_error(path || '.name', 'a stage name of 1 to 100 characters is expected');
        END IF;
        IF (buying_group_internal.stage_by_name(model_id, sname)).name IS NOT NULL THEN
            PERFORM buying_group_internal.stage_model_error(path || '.name', format('stage "%s" is defined twice', sname),
                                                   'Stage names are unique, ignoring case.');
        END IF;
        kind := coalesce(e.value ->> 'type', 'intermediate');
        IF pg_catalog.jsonb_typeof(e.value -> 'type') NOT IN ('string', 'null')
           OR kind NOT IN ('entry', 'intermediate', 'success', 'failure') THEN
            PERFORM buying_group_internal.stage_model_error(path || '.type', format('unknown stage type %s', (e.value -> 'type')::text),
                                                   'The types are entry, intermediate (the default), success and failure.');
        END IF;
        INSERT INTO buying_group.stage (stage_model_id, name, position, kind) VALUES (model_id, sname, e.i + 1, kind);
    END LOOP;
    FOR e IN SELECT x.value, x.n - 1 AS i
               FROM pg_catalog.jsonb_array_elements(coalesce(definition -> 'transitions', '[]')) WITH ORDINALITY x(value, n) LOOP
        path := format('$.transitions[%s]', e.i);
        IF pg_catalog.jsonb_typeof(e.value) <> 'object' THEN
            PERFORM buying_group_internal.stage_model_error(path, 'a transition object {"from": ..., "to": ...} is expected');
        END IF;
        SELECT k INTO msg FROM pg_catalog.jsonb_object_keys(e.value) k WHERE k NOT IN ('from', 'to', 'when') LIMIT 1;
        IF msg IS NOT NULL THEN
            PERFORM buying_group_internal.stage_model_error(path || '.' || msg, 'unknown key');
        END IF;
        target_stage := buying_group_internal.stage_named(model_id, e.value -> 'to', path || '.to');
        FOR f IN SELECT x.value, x.n - 1 AS j, pg_catalog.jsonb_typeof(e.value -> 'from') = 'array' AS listed
                   FROM pg_catalog.jsonb_array_elements(CASE pg_catalog.jsonb_typeof(e.value -> 'from')
                                                        WHEN 'array' THEN e.value -> 'from'
                                                        ELSE pg_catalog.jsonb_build_array(e.value -> 'from') END)
                        WITH ORDINALITY x(value, n) LOOP
            source_stage := buying_group_internal.stage_named(model_id, f.value,
                                                   path || '.from' || CASE WHEN f.listed THEN format('[%s]', f.j) ELSE '' END);
            IF source_stage = target_stage THEN
                PERFORM buying_group_internal.stage_model_error(path, format('a transition from "%s" to itself', target_stage));
            END IF;
            IF EXISTS (SELECT FROM buying_group.stage_transition t WHERE t.stage_model_id = model_id
                          AND t.from_stage = source_stage AND t.to_stage = target_stage) THEN
                PERFORM buying_group_internal.stage_model_error(path, format('the transition from "%s" to "%s" is defined twice',
                                                                    source_stage, target_stage));
            END IF;
            INSERT INTO buying_group.stage_transition (stage_model_id, from_stage, to_stage, position, condition)
            VALUES (model_id, source_stage, target_stage, e.i + 1, e.value -> 'when');
        END LOOP;
    END LOOP;

    PERFORM buying_group_internal.check_stage_model(model_id);
END
$$;
COMMENT ON FUNCTION buying_group_internal.load_stage_model(integer, jsonb) IS
'Internal: validates a stage model definition and stores its stages and transitions in a draft model';

CREATE FUNCTION buying_group.create_stage_model(name text, stages jsonb, description text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    model_id integer;
BEGIN
    IF name IS NULL OR btrim(name) = '' OR pg_catalog.length(btrim(name)) > 200 THEN
        RAISE EXCEPTION 'a stage model name must have 1 to 200 characters' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT FROM buying_group.stage_model x WHERE x.name = btrim(create_stage_model.name)) THEN
        RAISE EXCEPTION 'stage model "%" already exists', btrim(name) USING ERRCODE = 'duplicate_object';
    END IF;
    INSERT INTO buying_group.stage_model AS x (name, description)
    VALUES (btrim(create_stage_model.name), create_stage_model.description)
    RETURNING x.id INTO model_id;
    PERFORM buying_group_internal.load_stage_model(model_id, stages);
    RETURN model_id;
END
$$;
COMMENT ON FUNCTION buying_group.create_stage_model(text, jsonb, text) IS
'Creates a draft stage model from {"stages": [...], "transitions": [...]}, validated; returns its id';

CREATE FUNCTION buying_group.update_stage_model(name text, stages jsonb)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m buying_group.stage_model := buying_group_internal.stage_model_for_update(name);
BEGIN
    PERFORM buying_group_internal.require_draft_stage_model(m.id);
    PERFORM buying_group_internal.load_stage_model(m.id, stages);
END
$$;
COMMENT ON FUNCTION buying_group.update_stage_model(text, jsonb) IS
'Replaces the stages and transitions of a draft stage model, validated';

CREATE FUNCTION buying_group.publish_stage_model(name text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m buying_group.stage_model := buying_group_internal.stage_model_for_update(name);
BEGIN
    IF m.status = 'draft' THEN
        UPDATE buying_group.stage_model x SET status = 'live', published_at = pg_catalog.now() WHERE x.id = m.id;
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group.publish_stage_model(text) IS
'Makes a stage model live: frozen, and attachable to solution interests';

CREATE FUNCTION buying_group.delete_stage_model(name text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m buying_group.stage_model := buying_group_internal.stage_model_for_update(name);
BEGIN
    DELETE FROM buying_group.stage_model x WHERE x.id = m.id;     -- the guard refuses a live model
    DELETE FROM buying_group.stage_transition x WHERE x.stage_model_id = m.id;
    DELETE FROM buying_group.stage s WHERE s.stage_model_id = m.id;
END
$$;
COMMENT ON FUNCTION buying_group.delete_stage_model(text) IS 'Deletes a draft stage model';

CREATE VIEW buying_group.stage_models AS
SELECT m.name, m.description, m.status,
       (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('name', s.name, 'type', s.kind) ORDER BY s.position)
          FROM buying_group.stage s WHERE s.stage_model_id = m.id) AS stages,
       m.created_at, m.published_at
  FROM buying_group.stage_model m;
COMMENT ON VIEW buying_group.stage_models IS 'Stage models and their stages';
COMMENT ON COLUMN buying_group.stage_models.name IS 'Stage model name, unique';
COMMENT ON COLUMN buying_group.stage_models.description IS 'Free text';
COMMENT ON COLUMN buying_group.stage_models.status IS 'draft (editable) or live (frozen)';
COMMENT ON COLUMN buying_group.stage_models.stages IS 'The stages in order, with their types (entry, intermediate, success, failure)';
COMMENT ON COLUMN buying_group.stage_models.created_at IS 'When it was created';
COMMENT ON COLUMN buying_group.stage_models.published_at IS 'When it went live';

CREATE VIEW buying_group.stage_transitions AS
SELECT m.name AS stage_model, t.from_stage, t.to_stage, t.condition, t.condition IS NOT NULL AS automatic
  FROM buying_group.stage_transition t
  JOIN buying_group.stage_model m ON m.id = t.stage_model_id
  JOIN buying_group.stage s ON s.stage_model_id = t.stage_model_id AND s.name = t.from_stage
 ORDER BY m.name, t.position, s.position;
COMMENT ON VIEW buying_group.stage_transitions IS 'The transitions each stage model allows';
COMMENT ON COLUMN buying_group.stage_transitions.stage_model IS 'Stage model name';
COMMENT ON COLUMN buying_group.stage_transitions.from_stage IS 'Stage the group is in';
COMMENT ON COLUMN buying_group.stage_transitions.to_stage IS 'Stage it may move to';
COMMENT ON COLUMN buying_group.stage_transitions.condition IS 'For automatic transitions: the rule over buying_group.group_facts that moves the group';
COMMENT ON COLUMN buying_group.stage_transitions.automatic IS 'Whether the triggers and refreshes take it by themselves when the condition holds';
