--------------------------------------------------------------------------
-- Configuration API
--------------------------------------------------------------------------

-- Looks up a template by name; raises if there is none.
CREATE FUNCTION buying_group_internal.template_of(template text)
RETURNS buying_group.template
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t buying_group.template;
BEGIN
    SELECT * INTO t FROM buying_group.template x WHERE x.name = template_of.template;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'template "%" does not exist', template
            USING ERRCODE = 'undefined_object',
                  HINT = 'The view buying_group.templates lists the templates.';
    END IF;
    RETURN t;
END
$$;
COMMENT ON FUNCTION buying_group_internal.template_of(text) IS 'Internal: the template of that name; raises if there is none';

-- Looks up a template by name, locking it for the change to come.
CREATE FUNCTION buying_group_internal.template_for_update(template text)
RETURNS buying_group.template
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t buying_group.template;
BEGIN
    SELECT * INTO t FROM buying_group.template x WHERE x.name = template_for_update.template FOR UPDATE;
    IF NOT FOUND THEN
        t := buying_group_internal.template_of(template);     -- raises
    END IF;
    RETURN t;
END
$$;
COMMENT ON FUNCTION buying_group_internal.template_for_update(text) IS 'Internal: the template of that name, locked for update; raises if there is none';

-- Looks up a role of the catalog by name.
CREATE FUNCTION buying_group_internal.role_id(role text)
RETURNS integer
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rid integer;
BEGIN
    SELECT id INTO rid FROM buying_group.role r WHERE r.name = role;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'role "%" does not exist', role
            USING ERRCODE = 'undefined_object',
                  HINT = 'The view buying_group.roles lists the roles; buying_group.create_role() adds one.';
    END IF;
    RETURN rid;
END
$$;
COMMENT ON FUNCTION buying_group_internal.role_id(text) IS 'Internal: the id of the role of that name; raises if there is none';

-- Looks up a role of a template, raising an error if the template lacks it.
CREATE FUNCTION buying_group_internal.template_role_of(t buying_group.template, role text)
RETURNS buying_group.template_role
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tr buying_group.template_role;
BEGIN
    SELECT * INTO tr FROM buying_group.template_role
     WHERE template_id = t.id AND role_id = buying_group_internal.role_id(role);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'template "%" has no role "%"', t.name, role
            USING ERRCODE = 'undefined_object',
                  HINT = 'The view buying_group.template_roles lists the roles of each template.';
    END IF;
    RETURN tr;
END
$$;
COMMENT ON FUNCTION buying_group_internal.template_role_of(buying_group.template, text) IS 'Internal: the template''s entry for a role; raises if the template lacks it';

-- Raises the error of a change to a live template's roles.
CREATE FUNCTION buying_group_internal.require_draft(t buying_group.template)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF t.status = 'live' THEN
        RAISE EXCEPTION 'template "%" is live', t.name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'The roles and conditions of a live template are frozen; only members_required can change.',
                  HINT = 'Use buying_group.set_members_required(), or create a new draft template.';
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group_internal.require_draft(buying_group.template) IS 'Internal: raises if the template is live';

-- Raises the error of a members_required below 1.
CREATE FUNCTION buying_group_internal.require_members_required(n integer)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF n IS NULL OR n < 1 THEN
        RAISE EXCEPTION 'members_required must be at least 1, not %', coalesce(n::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'members_required is how many people the role needs to count as filled.';
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group_internal.require_members_required(integer) IS 'Internal: raises if members_required is below 1';

CREATE FUNCTION buying_group.create_role(name text, description text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rid integer;
BEGIN
    IF name IS NULL OR btrim(name) = '' THEN
        RAISE EXCEPTION 'role name must not be empty' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT FROM buying_group.role r WHERE lower(r.name) = lower(btrim(create_role.name))) THEN
        RAISE EXCEPTION 'role "%" already exists', btrim(name)
            USING ERRCODE = 'duplicate_object',
                  DETAIL = 'Role names are unique regardless of case.';
    END IF;
    INSERT INTO buying_group.role (name, description)
    VALUES (btrim(create_role.name), create_role.description)
    RETURNING id INTO rid;
    RETURN rid;
END
$$;
COMMENT ON FUNCTION buying_group.create_role(text, text) IS
'Adds a custom role to the catalog (at most 20 roles in all); returns its id';

CREATE FUNCTION buying_group.delete_role(name text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rid integer := buying_group_internal.role_id(name);
    used text;
BEGIN
    SELECT string_agg(t.name, ', ' ORDER BY t.name) INTO used
      FROM buying_group.template_role tr JOIN buying_group.template t ON t.id = tr.template_id
     WHERE tr.role_id = rid;
    IF used IS NOT NULL THEN
        RAISE EXCEPTION 'role "%" is used by templates', name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('Templates using it: %s.', used),
                  HINT = 'Remove it from the draft templates first; live templates keep their roles.';
    END IF;
    DELETE FROM buying_group.role WHERE id = rid;
END
$$;
COMMENT ON FUNCTION buying_group.delete_role(text) IS
'Deletes a custom role that no template uses; default roles cannot be deleted';

CREATE FUNCTION buying_group.create_template(name text, description text DEFAULT NULL,
                                             completeness_mode text DEFAULT 'mean')
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tid integer;
BEGIN
    IF name IS NULL OR btrim(name) = '' THEN
        RAISE EXCEPTION 'template name must not be empty' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF completeness_mode IS NULL OR completeness_mode NOT IN ('mean', 'weighted') THEN
        RAISE EXCEPTION 'unknown completeness mode "%"', completeness_mode
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use ''mean'' (AJO''s formula, the default) or ''weighted''.';
    END IF;
    IF EXISTS (SELECT FROM buying_group.template t WHERE t.name = btrim(create_template.name)) THEN
        RAISE EXCEPTION 'template "%" already exists', btrim(name) USING ERRCODE = 'duplicate_object';
    END IF;
    INSERT INTO buying_group.template (name, description, completeness_mode)
    VALUES (btrim(create_template.name), create_template.description, create_template.completeness_mode)
    RETURNING id INTO tid;
    RETURN tid;
END
$$;
COMMENT ON FUNCTION buying_group.create_template(text, text, text) IS
'Creates a draft role template; completeness_mode is ''mean'' (default) or ''weighted''; returns its id';

CREATE FUNCTION buying_group.add_template_role(template text, role text, weight text DEFAULT 'normal',
                                               members_required integer DEFAULT 1,
                                               required boolean DEFAULT true,
                                               conditions text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t buying_group.template := buying_group_internal.template_for_update(template);
    rid integer := buying_group_internal.role_id(role);
    pos integer;
BEGIN
    PERFORM buying_group_internal.require_draft(t);
    IF NOT EXISTS (SELECT FROM buying_group.weight w WHERE w.name = add_template_role.weight) THEN
        RAISE EXCEPTION 'unknown weight "%"', weight
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use one of trivial (20), minor (40), normal (60), important (80), vital (100).';
    END IF;
    PERFORM buying_group_internal.require_members_required(members_required);
    IF required IS NULL THEN
        RAISE EXCEPTION 'required must be true or false' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT FROM buying_group.template_role tr WHERE tr.template_id = t.id AND tr.role_id = rid) THEN
        RAISE EXCEPTION 'template "%" already has role "%"', t.name, role
            USING ERRCODE = 'duplicate_object',
                  HINT = 'A role appears once per template; remove it first to change it.';
    END IF;
    SELECT coalesce(max(tr.priority), 0) + 1 INTO pos
      FROM buying_group.template_role tr WHERE tr.template_id = t.id;
    INSERT INTO buying_group.template_role
           (template_id, role_id, priority, weight, required, members_required, conditions)
    VALUES (t.id, rid, pos, add_template_role.weight, add_template_role.required,
            add_template_role.members_required, buying_group.check_rule(conditions));
    RETURN pos;
END
$$;
COMMENT ON FUNCTION buying_group.add_template_role(text, text, text, integer, boolean, text) IS
'Appends a role to a draft template, last in priority order; conditions is a rule (JSON) over person columns; returns the role''s position';

-- The same, for conditions given as jsonb. conditions comes third and has no
-- default, so that a call without conditions, or with them as a literal,
-- still finds the text form (PostgreSQL prefers text for an untyped literal).
CREATE FUNCTION buying_group.add_template_role(template text, role text, conditions jsonb,
                                               weight text DEFAULT 'normal',
                                               members_required integer DEFAULT 1,
                                               required boolean DEFAULT true)
RETURNS integer
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT buying_group.add_template_role(template, role, weight, members_required, required, conditions::text)
$$;
COMMENT ON FUNCTION buying_group.add_template_role(text, text, jsonb, text, integer, boolean) IS
'Appends a role to a draft template with conditions given as jsonb; returns the role''s position';

CREATE FUNCTION buying_group.move_template_role(template text, role text, "position" integer)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t buying_group.template := buying_group_internal.template_for_update(template);
    tr buying_group.template_role := buying_group_internal.template_role_of(t, role);
    n integer;
BEGIN
    PERFORM buying_group_internal.require_draft(t);
    SELECT count(*) INTO n FROM buying_group.template_role x WHERE x.template_id = t.id;
    IF "position" IS NULL OR "position" < 1 OR "position" > n THEN
        RAISE EXCEPTION 'position % is out of range', coalesce("position"::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Template "%s" has %s roles: positions run from 1 to %s.', t.name, n, n);
    END IF;
    -- park every priority out of the way, then renumber 1..n with the role at its new place
    UPDATE buying_group.template_role x SET priority = -x.priority WHERE x.template_id = t.id;
    UPDATE buying_group.template_role x SET priority = o.pos
      FROM (SELECT y.role_id,
                   CASE WHEN row_number() OVER (ORDER BY y.priority DESC) < "position"
                        THEN row_number() OVER (ORDER BY y.priority DESC)
                        ELSE row_number() OVER (ORDER BY y.priority DESC) + 1 END AS pos
              FROM buying_group.template_role y
             WHERE y.template_id = t.id AND y.role_id <> tr.role_id
            UNION ALL
            SELECT tr.role_id, "position") o
     WHERE x.template_id = t.id AND x.role_id = o.role_id;
END
$$;
COMMENT ON FUNCTION buying_group.move_template_role(text, text, integer) IS
'Moves a role of a draft template to a position (1 = highest priority); the others keep their order';

CREATE FUNCTION buying_group.remove_template_role(template text, role text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t buying_group.template := buying_group_internal.template_for_update(template);
    tr buying_group.template_role := buying_group_internal.template_role_of(t, role);
BEGIN
    PERFORM buying_group_internal.require_draft(t);
    DELETE FROM buying_group.template_role x WHERE x.template_id = t.id AND x.role_id = tr.role_id;
    UPDATE buying_group.template_role x SET priority = x.priority - 1
     WHERE x.template_id = t.id AND x.priority > tr.priority;
END
$$;
COMMENT ON FUNCTION buying_group.remove_template_role(text, text) IS
'Removes a role from a draft template; the roles after it move up';

CREATE FUNCTION buying_group.set_members_required(template text, role text, n integer)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t buying_group.template := buying_group_internal.template_for_update(template);
    tr buying_group.template_role := buying_group_internal.template_role_of(t, role);
BEGIN
    PERFORM buying_group_internal.require_members_required(n);
    IF t.status = 'live' THEN
        PERFORM buying_group_internal.lock_accounts(NULL);     -- writers wait: they would score with the old value
    END IF;
    UPDATE buying_group.template_role x SET members_required = n
     WHERE x.template_id = t.id AND x.role_id = tr.role_id;
    -- the stored scores of the template's groups follow, with events
    PERFORM buying_group_internal.refresh_groups(ARRAY(SELECT g.id FROM buying_group.bgroup g
                                                JOIN buying_group.solution_interest si ON si.id = g.solution_interest_id
                                               WHERE si.template_id = t.id ORDER BY g.id));
END
$$;
COMMENT ON FUNCTION buying_group.set_members_required(text, text, integer) IS
'Sets how many members a role needs to count as filled; allowed on live templates too, whose groups'' scores follow';

CREATE FUNCTION buying_group.delete_template(template text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t buying_group.template := buying_group_internal.template_for_update(template);
BEGIN
    IF t.status = 'live' THEN
        RAISE EXCEPTION 'template "%" is live', t.name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'Only draft templates can be deleted.';
    END IF;
    DELETE FROM buying_group.template_role x WHERE x.template_id = t.id;
    DELETE FROM buying_group.template x WHERE x.id = t.id;
END
$$;
COMMENT ON FUNCTION buying_group.delete_template(text) IS 'Deletes a draft template and its roles';

CREATE FUNCTION buying_group.publish_template(template text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t buying_group.template := buying_group_internal.template_for_update(template);
BEGIN
    IF t.status = 'live' THEN
        RAISE EXCEPTION 'template "%" is already live', t.name
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    UPDATE buying_group.template x SET status = 'live' WHERE x.id = t.id;
END
$$;
COMMENT ON FUNCTION buying_group.publish_template(text) IS
'Makes a draft template live (it needs a required role); its roles and conditions are frozen from then on';
