--------------------------------------------------------------------------
-- Solution interests (SPEC 1, 6)
--------------------------------------------------------------------------

CREATE SEQUENCE buying_group.solution_interest_id_seq AS integer;
CREATE TABLE buying_group.solution_interest (
    id                       integer PRIMARY KEY DEFAULT pg_catalog.nextval('buying_group.solution_interest_id_seq'),
    name                     text NOT NULL UNIQUE CHECK (pg_catalog.btrim(name) = name AND name <> '' AND pg_catalog.length(name) <= 200),
    description              text,
    template_id              integer NOT NULL,     -- a live template's (never deleted)
    stage_model_id           integer,              -- a live stage model's (never deleted)
    update_existing          boolean NOT NULL DEFAULT true,
    sales_ready_completeness numeric NOT NULL DEFAULT 100 CHECK (sales_ready_completeness BETWEEN 0 AND 100),
    sales_ready_engagement   numeric NOT NULL DEFAULT 0 CHECK (sales_ready_engagement BETWEEN 0 AND 100),
    created_at               timestamptz NOT NULL DEFAULT pg_catalog.now()
);
ALTER SEQUENCE buying_group.solution_interest_id_seq OWNED BY buying_group.solution_interest.id;
COMMENT ON TABLE buying_group.solution_interest IS 'What is sold: one live template each, never swapped';
SELECT pg_catalog.pg_extension_config_dump('buying_group.solution_interest', '');
SELECT pg_catalog.pg_extension_config_dump('buying_group.solution_interest_id_seq', '');

CREATE FUNCTION buying_group_internal.solution_interest_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.template_id <> OLD.template_id THEN
        RAISE EXCEPTION 'the template of solution interest "%" cannot change', OLD.name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'A solution interest keeps the live template it was created with.',
                  HINT = 'Create a new solution interest for the new template.';
    END IF;
    IF (SELECT t.status FROM buying_group.template t WHERE t.id = NEW.template_id) <> 'live' THEN
        RAISE EXCEPTION 'template of solution interest "%" is not live', NEW.name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Publish the template with buying_group.publish_template() first.';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.stage_model_id IS DISTINCT FROM OLD.stage_model_id
       AND EXISTS (SELECT FROM buying_group.bgroup g WHERE g.solution_interest_id = OLD.id AND g.stage IS NOT NULL) THEN
        RAISE EXCEPTION 'buying groups of solution interest "%" are in stages of its current stage model', OLD.name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'Changing the model would leave them in stages it may not have.',
                  HINT = 'Create a new solution interest for the new stage model.';
    END IF;
    IF (SELECT m.status FROM buying_group.stage_model m WHERE m.id = NEW.stage_model_id) <> 'live' THEN
        RAISE EXCEPTION 'stage model of solution interest "%" is not live', NEW.name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Publish the stage model with buying_group.publish_stage_model() first.';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER solution_interest_guard BEFORE INSERT OR UPDATE ON buying_group.solution_interest
    FOR EACH ROW EXECUTE FUNCTION buying_group_internal.solution_interest_guard();

-- which templates the persons trigger evaluates (persons_roles.c): a change tells every session's cache
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON buying_group.solution_interest
    FOR EACH STATEMENT EXECUTE FUNCTION buying_group_internal.catalog_changed();

-- Looks up a solution interest by name.
CREATE FUNCTION buying_group_internal.solution_interest_of(solution_interest text)
RETURNS buying_group.solution_interest
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    si buying_group.solution_interest;
BEGIN
    SELECT * INTO si FROM buying_group.solution_interest x WHERE x.name = solution_interest_of.solution_interest;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'solution interest "%" does not exist', solution_interest
            USING ERRCODE = 'undefined_object',
                  HINT = 'The view buying_group.solution_interests lists them.';
    END IF;
    RETURN si;
END
$$;
COMMENT ON FUNCTION buying_group_internal.solution_interest_of(text) IS 'Internal: the solution interest of that name; raises if there is none';

CREATE FUNCTION buying_group.create_solution_interest(name text, template text, description text DEFAULT NULL,
                                                      update_existing boolean DEFAULT true,
                                                      sales_ready_completeness numeric DEFAULT 100,
                                                      sales_ready_engagement numeric DEFAULT 0,
                                                      stage_model text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t buying_group.template := buying_group_internal.template_for_update(template);
    sid integer;
BEGIN
    IF name IS NULL OR btrim(name) = '' THEN
        RAISE EXCEPTION 'solution interest name must not be empty' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT FROM buying_group.solution_interest x WHERE x.name = btrim(create_solution_interest.name)) THEN
        RAISE EXCEPTION 'solution interest "%" already exists', btrim(name) USING ERRCODE = 'duplicate_object';
    END IF;
    IF t.status <> 'live' THEN
        RAISE EXCEPTION 'template "%" is not live', t.name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Publish the template with buying_group.publish_template() first.';
    END IF;
    IF sales_ready_completeness IS NULL OR sales_ready_completeness NOT BETWEEN 0 AND 100
       OR sales_ready_engagement IS NULL OR sales_ready_engagement NOT BETWEEN 0 AND 100 THEN
        RAISE EXCEPTION 'sales-ready thresholds must lie between 0 and 100'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO buying_group.solution_interest AS x
           (name, description, template_id, stage_model_id, update_existing, sales_ready_completeness,
            sales_ready_engagement)
    VALUES (btrim(create_solution_interest.name), create_solution_interest.description, t.id,
            CASE WHEN create_solution_interest.stage_model IS NOT NULL
                 THEN (buying_group_internal.stage_model_for_update(create_solution_interest.stage_model)).id END,
            coalesce(create_solution_interest.update_existing, true),
            create_solution_interest.sales_ready_completeness, create_solution_interest.sales_ready_engagement)
    RETURNING x.id INTO sid;
    RETURN sid;
END
$$;
COMMENT ON FUNCTION buying_group.create_solution_interest(text, text, text, boolean, numeric, numeric, text) IS
'Creates a solution interest on a live template, with its sales-ready thresholds and optional live stage model; returns its id';

CREATE FUNCTION buying_group.delete_solution_interest(name text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    si buying_group.solution_interest := buying_group_internal.solution_interest_of(name);
BEGIN
    IF EXISTS (SELECT FROM buying_group.bgroup g WHERE g.solution_interest_id = si.id) THEN
        RAISE EXCEPTION 'solution interest "%" has buying groups', si.name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'Deleting it would delete its buying groups and their history.';
    END IF;
    DELETE FROM buying_group.solution_interest x WHERE x.id = si.id;
END
$$;
COMMENT ON FUNCTION buying_group.delete_solution_interest(text) IS 'Deletes a solution interest that has no buying groups';
