-- buying_group 0.1.0: install script, built by the Makefile from sql/install/*.sql.
--
-- Every object is created in schema buying_group, created here (so that a
-- pre-existing schema of that name makes CREATE EXTENSION fail instead of
-- trusting it). Every SQL and PL/pgSQL function pins its search_path and
-- qualifies what it uses. Configuration needs buying_group_admin, reading
-- needs buying_group_reader; PUBLIC gets nothing.

\echo Use "CREATE EXTENSION buying_group" to load this file. \quit

CREATE SCHEMA buying_group;
COMMENT ON SCHEMA buying_group IS 'Buying groups for B2B marketing: role templates, role matching, completeness and engagement';

-- Cluster-wide roles: created once, kept when the extension is dropped.
DO $roles$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'buying_group_reader') THEN
        CREATE ROLE buying_group_reader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'buying_group_admin') THEN
        CREATE ROLE buying_group_admin NOLOGIN;
    END IF;
    IF NOT pg_catalog.pg_has_role('buying_group_admin', 'buying_group_reader', 'MEMBER') THEN
        GRANT buying_group_reader TO buying_group_admin;
    END IF;
END
$roles$;

--------------------------------------------------------------------------
-- Catalog tables
--------------------------------------------------------------------------

CREATE TABLE buying_group.weight (
    name  text PRIMARY KEY,
    value integer NOT NULL UNIQUE CHECK (value > 0)
);
COMMENT ON TABLE buying_group.weight IS 'Role weights and their numeric values (AJO B2B: trivial 20 ... vital 100)';
INSERT INTO buying_group.weight VALUES
    ('trivial', 20), ('minor', 40), ('normal', 60), ('important', 80), ('vital', 100);

CREATE SEQUENCE buying_group.role_id_seq AS integer;
CREATE TABLE buying_group.role (
    id          integer PRIMARY KEY DEFAULT pg_catalog.nextval('buying_group.role_id_seq'),
    name        text NOT NULL CHECK (pg_catalog.btrim(name) = name AND name <> '' AND pg_catalog.length(name) <= 100),
    description text,
    is_default  boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
ALTER SEQUENCE buying_group.role_id_seq OWNED BY buying_group.role.id;
CREATE UNIQUE INDEX role_name_key ON buying_group.role (pg_catalog.lower(name));
COMMENT ON TABLE buying_group.role IS 'Role catalog: the six default roles and custom ones, at most 20 in all';

CREATE SEQUENCE buying_group.template_id_seq AS integer;
CREATE TABLE buying_group.template (
    id                integer PRIMARY KEY DEFAULT pg_catalog.nextval('buying_group.template_id_seq'),
    name              text NOT NULL UNIQUE CHECK (pg_catalog.btrim(name) = name AND name <> '' AND pg_catalog.length(name) <= 200),
    description       text,
    status            text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'live')),
    completeness_mode text NOT NULL DEFAULT 'mean' CHECK (completeness_mode IN ('mean', 'weighted')),
    created_at        timestamptz NOT NULL DEFAULT pg_catalog.now(),
    published_at      timestamptz
);
ALTER SEQUENCE buying_group.template_id_seq OWNED BY buying_group.template.id;
COMMENT ON TABLE buying_group.template IS 'Role templates: draft until published, then live and frozen';

CREATE TABLE buying_group.template_role (
    template_id      integer NOT NULL REFERENCES buying_group.template (id) ON DELETE CASCADE,
    role_id          integer NOT NULL REFERENCES buying_group.role (id),
    priority         integer NOT NULL,
    weight           text NOT NULL DEFAULT 'normal' REFERENCES buying_group.weight (name),
    required         boolean NOT NULL DEFAULT true,
    members_required integer NOT NULL DEFAULT 1 CHECK (members_required >= 1),
    conditions       jsonb,
    PRIMARY KEY (template_id, role_id),
    UNIQUE (template_id, priority)
);
CREATE INDEX ON buying_group.template_role (role_id);
COMMENT ON TABLE buying_group.template_role IS 'The roles of a template, in priority order, with weight, threshold and conditions';

SELECT pg_catalog.pg_extension_config_dump('buying_group.role', 'WHERE NOT is_default');
SELECT pg_catalog.pg_extension_config_dump('buying_group.role_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('buying_group.template', '');
SELECT pg_catalog.pg_extension_config_dump('buying_group.template_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('buying_group.template_role', '');

--------------------------------------------------------------------------
-- C functions of the rule engine
--------------------------------------------------------------------------

CREATE FUNCTION buying_group.check_rule(rule text, row_type regtype DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'bg_check_rule'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group.check_rule(text, regtype) IS
'Checks a rule (JSON text) and, given a row type, that its attributes and values fit that type; returns the rule as jsonb or raises its first error';

CREATE FUNCTION buying_group.eval_rule(rule text, "row" record)
RETURNS boolean
AS 'MODULE_PATHNAME', 'bg_eval_rule'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group.eval_rule(text, record) IS
'Does the rule hold for the row? Any row type: a table row, a view row, ROW(...)';

CREATE FUNCTION buying_group.match_role(template text, person record)
RETURNS text
AS 'MODULE_PATHNAME', 'bg_match_role'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group.match_role(text, record) IS
'The role the person gets in the template: the first role, in priority order, whose conditions hold; NULL if none';

CREATE FUNCTION buying_group.match_roles(template text, person record)
RETURNS text[]
AS 'MODULE_PATHNAME', 'bg_match_roles'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group.match_roles(text, record) IS
'Every role of the template whose conditions hold for the person, in priority order';

CREATE FUNCTION buying_group.explain_match(template text, person record)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'bg_explain_match'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group.explain_match(text, record) IS
'For each role and each condition of the template: passed or not, with the value the person holds';

CREATE FUNCTION buying_group.normalize_title(title text)
RETURNS text
AS 'MODULE_PATHNAME', 'bg_normalize_title'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group.normalize_title(text) IS
'The job-title normaliser of title_like: lower case, no punctuation, abbreviations expanded, filler words dropped';

CREATE FUNCTION buying_group.title_similarity(a text, b text)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bg_title_similarity'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group.title_similarity(text, text) IS
'Similarity (0..1) of two job titles after normalisation, as title_like compares it with its threshold';

CREATE FUNCTION buying_group.catalog_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'bg_catalog_changed'
LANGUAGE C;
COMMENT ON FUNCTION buying_group.catalog_changed() IS
'Statement trigger of the catalog tables: invalidates the cached templates of every session';

--------------------------------------------------------------------------
-- Guards: the catalog's rules hold for the API and for direct DML alike
--------------------------------------------------------------------------

CREATE FUNCTION buying_group.role_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- serialise role creation so that two sessions cannot both add the 20th
        PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('buying_group.role'));
        IF (SELECT count(*) FROM buying_group.role) >= 20 THEN
            RAISE EXCEPTION 'too many roles: cannot create role "%"', NEW.name
                USING ERRCODE = 'program_limit_exceeded',
                      DETAIL = 'The role catalog holds at most 20 roles, the 6 default ones included.',
                      HINT = 'Delete a custom role that no template uses with buying_group.delete_role().';
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.is_default AND (TG_OP = 'DELETE' OR NEW.name <> OLD.name OR NOT NEW.is_default) THEN
        RAISE EXCEPTION 'role "%" is a default role', OLD.name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'The six default roles cannot be deleted or renamed.';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.is_default AND NOT OLD.is_default THEN
        RAISE EXCEPTION 'role "%" cannot become a default role', OLD.name
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION buying_group.template_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status = 'live' THEN
            RAISE EXCEPTION 'template "%" is live', OLD.name
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      DETAIL = 'Only draft templates can be deleted.';
        END IF;
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.status = 'live' THEN
        IF NEW.status <> 'live' OR NEW.name <> OLD.name
           OR NEW.completeness_mode <> OLD.completeness_mode
           OR NEW.published_at IS DISTINCT FROM OLD.published_at THEN
            RAISE EXCEPTION 'template "%" is live', OLD.name
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      DETAIL = 'A live template keeps its name, status and completeness mode; only its description can change.',
                      HINT = 'Create a new template for a new version.';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.status = 'live' THEN
        IF NOT EXISTS (SELECT FROM buying_group.template_role tr
                       WHERE tr.template_id = NEW.id AND tr.required) THEN
            RAISE EXCEPTION 'template "%" cannot be published', NEW.name
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      DETAIL = 'A template needs at least one role with required = true: only those count for completeness.',
                      HINT = 'Add one with buying_group.add_template_role().';
        END IF;
        NEW.published_at := pg_catalog.now();
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION buying_group.template_role_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t buying_group.template;
BEGIN
    SELECT * INTO t FROM buying_group.template
     WHERE id = CASE WHEN TG_OP = 'INSERT' THEN NEW.template_id ELSE OLD.template_id END;
    IF t.status = 'live' AND NOT (
           TG_OP = 'UPDATE'
           AND (NEW.template_id, NEW.role_id, NEW.priority, NEW.weight, NEW.required)
               IS NOT DISTINCT FROM (OLD.template_id, OLD.role_id, OLD.priority, OLD.weight, OLD.required)
           AND NEW.conditions IS NOT DISTINCT FROM OLD.conditions) THEN
        RAISE EXCEPTION 'template "%" is live', t.name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'The roles and conditions of a live template are frozen; only members_required can change.',
                  HINT = 'Use buying_group.set_members_required(), or create a new draft template.';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.template_id <> OLD.template_id THEN
        RAISE EXCEPTION 'a template role cannot move to another template'
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF NEW.conditions IS NOT NULL THEN
        -- against the bound persons table, once there is one
        PERFORM buying_group.check_rule(NEW.conditions::text, buying_group.persons_type());
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER role_guard BEFORE INSERT OR UPDATE OR DELETE ON buying_group.role
    FOR EACH ROW EXECUTE FUNCTION buying_group.role_guard();
CREATE TRIGGER template_guard BEFORE INSERT OR UPDATE OR DELETE ON buying_group.template
    FOR EACH ROW EXECUTE FUNCTION buying_group.template_guard();
CREATE TRIGGER template_role_guard BEFORE INSERT OR UPDATE OR DELETE ON buying_group.template_role
    FOR EACH ROW EXECUTE FUNCTION buying_group.template_role_guard();

CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON buying_group.role
    FOR EACH STATEMENT EXECUTE FUNCTION buying_group.catalog_changed();
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON buying_group.template
    FOR EACH STATEMENT EXECUTE FUNCTION buying_group.catalog_changed();
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON buying_group.template_role
    FOR EACH STATEMENT EXECUTE FUNCTION buying_group.catalog_changed();

-- The six default roles (SPEC section 1).
INSERT INTO buying_group.role (name, description, is_default) VALUES
    ('Decision Maker', 'Has the final say on the purchase', true),
    ('Influencer', 'Shapes the decision without making it', true),
    ('Practitioner', 'Will use the solution day to day', true),
    ('Executive Steering Committee', 'Senior sponsors who steer the initiative', true),
    ('Champion', 'Advocates the solution inside the account', true),
    ('Other', 'Any other member of the buying group', true);

--------------------------------------------------------------------------
-- Configuration API
--------------------------------------------------------------------------

-- Looks up a template by name; raises if there is none.
CREATE FUNCTION buying_group.template_of(template text)
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
COMMENT ON FUNCTION buying_group.template_of(text) IS 'Internal: the template of that name; raises if there is none';

-- Looks up a template by name, locking it for the change to come.
CREATE FUNCTION buying_group.template_for_update(template text)
RETURNS buying_group.template
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t buying_group.template;
BEGIN
    SELECT * INTO t FROM buying_group.template x WHERE x.name = template_for_update.template FOR UPDATE;
    IF NOT FOUND THEN
        t := buying_group.template_of(template);     -- raises
    END IF;
    RETURN t;
END
$$;
COMMENT ON FUNCTION buying_group.template_for_update(text) IS 'Internal: the template of that name, locked for update; raises if there is none';

-- Looks up a role of the catalog by name.
CREATE FUNCTION buying_group.role_id(role text)
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
COMMENT ON FUNCTION buying_group.role_id(text) IS 'Internal: the id of the role of that name; raises if there is none';

-- Looks up a role of a template, raising an error if the template lacks it.
CREATE FUNCTION buying_group.template_role_of(t buying_group.template, role text)
RETURNS buying_group.template_role
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tr buying_group.template_role;
BEGIN
    SELECT * INTO tr FROM buying_group.template_role
     WHERE template_id = t.id AND role_id = buying_group.role_id(role);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'template "%" has no role "%"', t.name, role
            USING ERRCODE = 'undefined_object',
                  HINT = 'The view buying_group.template_roles lists the roles of each template.';
    END IF;
    RETURN tr;
END
$$;
COMMENT ON FUNCTION buying_group.template_role_of(buying_group.template, text) IS 'Internal: the template''s entry for a role; raises if the template lacks it';

-- Raises the error of a change to a live template's roles.
CREATE FUNCTION buying_group.require_draft(t buying_group.template)
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
COMMENT ON FUNCTION buying_group.require_draft(buying_group.template) IS 'Internal: raises if the template is live';

-- Raises the error of a members_required below 1.
CREATE FUNCTION buying_group.require_members_required(n integer)
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
COMMENT ON FUNCTION buying_group.require_members_required(integer) IS 'Internal: raises if members_required is below 1';

CREATE FUNCTION buying_group.create_role(name text, description text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
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
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rid integer := buying_group.role_id(name);
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
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t buying_group.template := buying_group.template_for_update(template);
    rid integer := buying_group.role_id(role);
    pos integer;
BEGIN
    PERFORM buying_group.require_draft(t);
    IF NOT EXISTS (SELECT FROM buying_group.weight w WHERE w.name = add_template_role.weight) THEN
        RAISE EXCEPTION 'unknown weight "%"', weight
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use one of trivial (20), minor (40), normal (60), important (80), vital (100).';
    END IF;
    PERFORM buying_group.require_members_required(members_required);
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

CREATE FUNCTION buying_group.move_template_role(template text, role text, "position" integer)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t buying_group.template := buying_group.template_for_update(template);
    tr buying_group.template_role := buying_group.template_role_of(t, role);
    n integer;
BEGIN
    PERFORM buying_group.require_draft(t);
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
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t buying_group.template := buying_group.template_for_update(template);
    tr buying_group.template_role := buying_group.template_role_of(t, role);
BEGIN
    PERFORM buying_group.require_draft(t);
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
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t buying_group.template := buying_group.template_for_update(template);
    tr buying_group.template_role := buying_group.template_role_of(t, role);
BEGIN
    PERFORM buying_group.require_members_required(n);
    IF t.status = 'live' THEN
        PERFORM buying_group.lock_accounts(NULL);     -- writers wait: they would score with the old value
    END IF;
    UPDATE buying_group.template_role x SET members_required = n
     WHERE x.template_id = t.id AND x.role_id = tr.role_id;
    -- the stored scores of the template's groups follow, with events
    PERFORM buying_group.refresh_groups(ARRAY(SELECT g.id FROM buying_group.bgroup g
                                                JOIN buying_group.solution_interest si ON si.id = g.solution_interest_id
                                               WHERE si.template_id = t.id ORDER BY g.id));
END
$$;
COMMENT ON FUNCTION buying_group.set_members_required(text, text, integer) IS
'Sets how many members a role needs to count as filled; allowed on live templates too, whose groups'' scores follow';

CREATE FUNCTION buying_group.delete_template(template text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t buying_group.template := buying_group.template_for_update(template);
BEGIN
    IF t.status = 'live' THEN
        RAISE EXCEPTION 'template "%" is live', t.name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'Only draft templates can be deleted.';
    END IF;
    DELETE FROM buying_group.template x WHERE x.id = t.id;
END
$$;
COMMENT ON FUNCTION buying_group.delete_template(text) IS 'Deletes a draft template and its roles';

CREATE FUNCTION buying_group.publish_template(template text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t buying_group.template := buying_group.template_for_update(template);
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

--------------------------------------------------------------------------
-- Views
--------------------------------------------------------------------------

CREATE VIEW buying_group.roles AS
SELECT r.name, r.description, r.is_default,
       (SELECT count(*) FROM buying_group.template_role tr WHERE tr.role_id = r.id) AS template_count,
       r.created_at
  FROM buying_group.role r;
COMMENT ON VIEW buying_group.roles IS 'The role catalog';
COMMENT ON COLUMN buying_group.roles.name IS 'Role name, unique regardless of case';
COMMENT ON COLUMN buying_group.roles.description IS 'What the role does in a purchase';
COMMENT ON COLUMN buying_group.roles.is_default IS 'One of the six default roles, which cannot be deleted';
COMMENT ON COLUMN buying_group.roles.template_count IS 'How many templates use the role';
COMMENT ON COLUMN buying_group.roles.created_at IS 'When the role was created';

CREATE VIEW buying_group.templates AS
SELECT t.name, t.description, t.status, t.completeness_mode,
       (SELECT count(*) FROM buying_group.template_role tr WHERE tr.template_id = t.id) AS role_count,
       (SELECT count(*) FROM buying_group.template_role tr WHERE tr.template_id = t.id AND tr.required) AS required_role_count,
       t.created_at, t.published_at
  FROM buying_group.template t;
COMMENT ON VIEW buying_group.templates IS 'Role templates';
COMMENT ON COLUMN buying_group.templates.name IS 'Template name, unique';
COMMENT ON COLUMN buying_group.templates.description IS 'Free text';
COMMENT ON COLUMN buying_group.templates.status IS 'draft (editable) or live (roles and conditions frozen)';
COMMENT ON COLUMN buying_group.templates.completeness_mode IS 'mean: AJO''s completeness formula; weighted: roles weighted by their weight';
COMMENT ON COLUMN buying_group.templates.role_count IS 'Number of roles';
COMMENT ON COLUMN buying_group.templates.required_role_count IS 'Number of roles that count for completeness';
COMMENT ON COLUMN buying_group.templates.created_at IS 'When the template was created';
COMMENT ON COLUMN buying_group.templates.published_at IS 'When the template went live';

CREATE VIEW buying_group.template_roles AS
SELECT t.name AS template, r.name AS role, tr.priority, tr.weight, w.value AS weight_value,
       100.0 * w.value / sum(w.value) OVER (PARTITION BY tr.template_id) AS weight_share,
       tr.required, tr.members_required, tr.conditions
  FROM buying_group.template_role tr
  JOIN buying_group.template t ON t.id = tr.template_id
  JOIN buying_group.role r ON r.id = tr.role_id
  JOIN buying_group.weight w ON w.name = tr.weight;
COMMENT ON VIEW buying_group.template_roles IS 'The roles of each template, in priority order';
COMMENT ON COLUMN buying_group.template_roles.template IS 'Template name';
COMMENT ON COLUMN buying_group.template_roles.role IS 'Role name';
COMMENT ON COLUMN buying_group.template_roles.priority IS 'Position, 1 first: a person gets the first role whose conditions hold';
COMMENT ON COLUMN buying_group.template_roles.weight IS 'trivial, minor, normal, important or vital';
COMMENT ON COLUMN buying_group.template_roles.weight_value IS 'The weight as a number: 20, 40, 60, 80 or 100';
COMMENT ON COLUMN buying_group.template_roles.weight_share IS 'The role''s share of the template''s total weight, in percent (full precision)';
COMMENT ON COLUMN buying_group.template_roles.required IS 'Whether the role counts for completeness';
COMMENT ON COLUMN buying_group.template_roles.members_required IS 'How many members fill the role';
COMMENT ON COLUMN buying_group.template_roles.conditions IS 'The rule a person must satisfy to be matched to the role; NULL: never matched automatically';

--------------------------------------------------------------------------
-- Completeness aggregates (SPEC 4, 5)
--------------------------------------------------------------------------

CREATE TYPE buying_group.completeness_state;

CREATE FUNCTION buying_group.completeness_state_in(cstring)
RETURNS buying_group.completeness_state
AS 'MODULE_PATHNAME', 'bg_completeness_state_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION buying_group.completeness_state_out(buying_group.completeness_state)
RETURNS cstring
AS 'MODULE_PATHNAME', 'bg_completeness_state_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE buying_group.completeness_state (
    INPUT = buying_group.completeness_state_in,
    OUTPUT = buying_group.completeness_state_out,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE buying_group.completeness_state IS
'Partial state of the completeness aggregates: a template and how many rows carried each role; its text form round-trips exactly';
COMMENT ON FUNCTION buying_group.completeness_state_in(cstring) IS 'Input function of completeness_state';
COMMENT ON FUNCTION buying_group.completeness_state_out(buying_group.completeness_state) IS 'Output function of completeness_state';

CREATE FUNCTION buying_group.completeness_transfn(buying_group.completeness_state, text, text)
RETURNS buying_group.completeness_state
AS 'MODULE_PATHNAME', 'bg_completeness_transfn'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group.completeness_transfn(buying_group.completeness_state, text, text) IS
'Transition function of the completeness aggregates: counts a row''s role';

CREATE FUNCTION buying_group.completeness_combinefn(buying_group.completeness_state, buying_group.completeness_state)
RETURNS buying_group.completeness_state
AS 'MODULE_PATHNAME', 'bg_completeness_combinefn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group.completeness_combinefn(buying_group.completeness_state, buying_group.completeness_state) IS
'Combine function of the completeness aggregates: adds two partial states';

CREATE FUNCTION buying_group.completeness_finalfn(buying_group.completeness_state)
RETURNS numeric
AS 'MODULE_PATHNAME', 'bg_completeness_finalfn'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group.completeness_finalfn(buying_group.completeness_state) IS
'Final function of completeness(): the group''s completeness at full precision';

CREATE FUNCTION buying_group.role_completeness_finalfn(buying_group.completeness_state)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'bg_role_completeness_finalfn'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group.role_completeness_finalfn(buying_group.completeness_state) IS
'Final function of role_completeness(): each role''s completeness';

CREATE AGGREGATE buying_group.completeness(template text, role text) (
    SFUNC = buying_group.completeness_transfn,
    STYPE = buying_group.completeness_state,
    COMBINEFUNC = buying_group.completeness_combinefn,
    FINALFUNC = buying_group.completeness_finalfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE buying_group.completeness(text, text) IS
'Completeness (0..100, full precision) of a buying group: one row per member with its role; NULL roles are ignored';

CREATE FUNCTION buying_group.completeness_count_transfn(buying_group.completeness_state, text, text, bigint)
RETURNS buying_group.completeness_state
AS 'MODULE_PATHNAME', 'bg_completeness_count_transfn'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group.completeness_count_transfn(buying_group.completeness_state, text, text, bigint) IS
'Transition function of completeness(template, role, members): counts a row''s members of its role';

CREATE AGGREGATE buying_group.completeness(template text, role text, members bigint) (
    SFUNC = buying_group.completeness_count_transfn,
    STYPE = buying_group.completeness_state,
    COMBINEFUNC = buying_group.completeness_combinefn,
    FINALFUNC = buying_group.completeness_finalfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE buying_group.completeness(text, text, bigint) IS
'Completeness (0..100, full precision) of a buying group from one row per role with how many members hold it';

CREATE AGGREGATE buying_group.role_completeness(template text, role text) (
    SFUNC = buying_group.completeness_transfn,
    STYPE = buying_group.completeness_state,
    COMBINEFUNC = buying_group.completeness_combinefn,
    FINALFUNC = buying_group.role_completeness_finalfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE buying_group.role_completeness(text, text) IS
'Completeness of each role of the template (0..100, two decimals) over the rows of a buying group, as jsonb';

--------------------------------------------------------------------------
-- Bindings of the user's tables (SPEC 2)
--------------------------------------------------------------------------

CREATE TABLE buying_group.binding (
    kind           text PRIMARY KEY CHECK (kind IN ('accounts', 'persons', 'activities')),
    relation       regclass NOT NULL,
    key_column     name,            -- accounts and persons: the key
    name_column    name,            -- accounts: the display name
    account_column name,            -- persons: the account key
    person_column  name,            -- activities: the person key
    type_column    name,            -- activities: the activity type
    at_column      name,            -- activities: when it happened
    bound_at       timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE buying_group.binding IS 'The user''s account, person and activity tables and the columns buying_group reads';
SELECT pg_catalog.pg_extension_config_dump('buying_group.binding', '');

-- The binding of a kind; raises a clear error when the table is not bound yet.
CREATE FUNCTION buying_group.bound(what text)
RETURNS buying_group.binding
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b buying_group.binding;
BEGIN
    SELECT * INTO b FROM buying_group.binding WHERE kind = what;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no % table is bound',
                        CASE what WHEN 'activities' THEN 'activity' ELSE rtrim(what, 's') END
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = format('Call buying_group.bind_%s() first.', what);
    END IF;
    RETURN b;
END
$$;
COMMENT ON FUNCTION buying_group.bound(text) IS 'Internal: the binding of accounts, persons or activities; raises if there is none';

-- The row type of the bound persons table, or NULL when none is bound.
CREATE FUNCTION buying_group.persons_type()
RETURNS regtype
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT c.reltype::regtype FROM buying_group.binding b JOIN pg_catalog.pg_class c ON c.oid = b.relation
     WHERE b.kind = 'persons'
$$;
COMMENT ON FUNCTION buying_group.persons_type() IS 'The row type of the bound persons table (NULL when none is bound)';

-- Checks that a column exists in a table; returns its name.
CREATE FUNCTION buying_group.require_column(tbl regclass, col text, what text, types regtype[] DEFAULT NULL)
RETURNS name
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    typ regtype;
BEGIN
    SELECT a.atttypid::regtype INTO typ FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = tbl AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'column "%" of % does not exist', col, tbl
            USING ERRCODE = 'undefined_column',
                  DETAIL = format('The %s column must be a column of %s; it has: %s.', what, tbl,
                                  (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                                     FROM pg_catalog.pg_attribute a
                                    WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped));
    END IF;
    IF types IS NOT NULL AND NOT typ = ANY (types) THEN
        RAISE EXCEPTION 'column "%" of % is %, not a timestamp', col, tbl, typ
            USING ERRCODE = 'datatype_mismatch',
                  HINT = format('The %s column must be timestamptz, timestamp or date.', what);
    END IF;
    RETURN col;
END
$$;
COMMENT ON FUNCTION buying_group.require_column(regclass, text, text, regtype[]) IS 'Internal: raises if the table has no such column (or not of one of the types)';

-- Raises if buying groups exist: the bindings they were built on must stay.
CREATE FUNCTION buying_group.require_no_groups(what text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT FROM buying_group.bgroup) THEN
        RAISE EXCEPTION 'cannot rebind the % table: buying groups exist', what
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'Buying groups refer to the keys of the bound tables.';
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group.require_no_groups(text) IS 'Internal: raises if buying groups exist';

CREATE FUNCTION buying_group.bind_accounts(table_name regclass, key text, name text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT FROM buying_group.binding WHERE kind = 'accounts' AND relation <> table_name) THEN
        PERFORM buying_group.require_no_groups('accounts');
        DELETE FROM buying_group.field_map fm WHERE fm.kind = 'accounts';     -- they named the old table's columns
    END IF;
    INSERT INTO buying_group.binding AS b (kind, relation, key_column, name_column)
    VALUES ('accounts', table_name, buying_group.require_column(table_name, key, 'key'),
            buying_group.require_column(table_name, name, 'name'))
    ON CONFLICT (kind) DO UPDATE
       SET relation = EXCLUDED.relation, key_column = EXCLUDED.key_column,
           name_column = EXCLUDED.name_column, bound_at = pg_catalog.now();
END
$$;
COMMENT ON FUNCTION buying_group.bind_accounts(regclass, text, text) IS
'Binds the user''s accounts table: its key column (compared as text) and its name column';

CREATE FUNCTION buying_group.bind_persons(table_name regclass, key text, account text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
    msg text;
    state text;
    rowtype regtype := (SELECT c.reltype::regtype FROM pg_catalog.pg_class c WHERE c.oid = table_name);
    old_table regclass := (SELECT b.relation FROM buying_group.binding b WHERE b.kind = 'persons');
BEGIN
    IF old_table <> table_name THEN
        PERFORM buying_group.require_no_groups('persons');
        DELETE FROM buying_group.field_map fm WHERE fm.kind = 'persons';     -- they named the old table's columns
    END IF;
    -- bound first, so that conditions naming person_engagement_score find its key
    INSERT INTO buying_group.binding (kind, relation, key_column, account_column)
    VALUES ('persons', table_name, buying_group.require_column(table_name, key, 'key'),
            buying_group.require_column(table_name, account, 'account'))
    ON CONFLICT (kind) DO UPDATE
       SET relation = EXCLUDED.relation, key_column = EXCLUDED.key_column,
           account_column = EXCLUDED.account_column, bound_at = pg_catalog.now();
    -- every stored role condition must fit the table
    FOR r IN SELECT t.name AS template, ro.name AS role, tr.conditions
               FROM buying_group.template_role tr
               JOIN buying_group.template t ON t.id = tr.template_id
               JOIN buying_group.role ro ON ro.id = tr.role_id
              WHERE tr.conditions IS NOT NULL ORDER BY t.name, tr.priority LOOP
        BEGIN
            PERFORM buying_group.check_rule(r.conditions::text, rowtype);
        EXCEPTION WHEN invalid_parameter_value THEN
            GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
            RAISE EXCEPTION 'cannot bind %: the conditions of role "%" in template "%" do not fit it',
                            table_name, r.role, r.template
                USING ERRCODE = state, DETAIL = msg,
                      HINT = 'Bind a table with the columns the templates use, or change the draft templates first.';
        END;
    END LOOP;
    PERFORM buying_group.install_person_triggers(table_name, old_table);
END
$$;
COMMENT ON FUNCTION buying_group.bind_persons(regclass, text, text) IS
'Binds the user''s persons table: its key and the key of its account (both compared as text); role conditions name its columns';

CREATE FUNCTION buying_group.bind_activities(table_name regclass, person text, type text, "at" text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO buying_group.binding (kind, relation, person_column, type_column, at_column)
    VALUES ('activities', table_name, buying_group.require_column(table_name, person, 'person'),
            buying_group.require_column(table_name, type, 'type'),
            buying_group.require_column(table_name, "at", 'at',
                                        ARRAY['timestamptz', 'timestamp', 'date']::regtype[]))
    ON CONFLICT (kind) DO UPDATE
       SET relation = EXCLUDED.relation, person_column = EXCLUDED.person_column,
           type_column = EXCLUDED.type_column, at_column = EXCLUDED.at_column, bound_at = pg_catalog.now();
END
$$;
COMMENT ON FUNCTION buying_group.bind_activities(regclass, text, text, text) IS
'Binds the user''s activities table: the person key, the activity type and when it happened';

CREATE VIEW buying_group.bindings AS
SELECT kind, relation, key_column, name_column, account_column, person_column, type_column, at_column, bound_at
  FROM buying_group.binding;
COMMENT ON VIEW buying_group.bindings IS 'The bound account, person and activity tables';
COMMENT ON COLUMN buying_group.bindings.kind IS 'accounts, persons or activities';
COMMENT ON COLUMN buying_group.bindings.relation IS 'The user''s table';
COMMENT ON COLUMN buying_group.bindings.key_column IS 'Accounts and persons: the key column (compared as text)';
COMMENT ON COLUMN buying_group.bindings.name_column IS 'Accounts: the name column';
COMMENT ON COLUMN buying_group.bindings.account_column IS 'Persons: the column holding the account key';
COMMENT ON COLUMN buying_group.bindings.person_column IS 'Activities: the column holding the person key';
COMMENT ON COLUMN buying_group.bindings.type_column IS 'Activities: the activity type column';
COMMENT ON COLUMN buying_group.bindings.at_column IS 'Activities: when the activity happened';
COMMENT ON COLUMN buying_group.bindings.bound_at IS 'When the table was bound';

--------------------------------------------------------------------------
-- Standard fields of the bound tables (SPEC 9): which column holds a
-- person's email or an account's website, for sales alerts and exports
--------------------------------------------------------------------------

CREATE TABLE buying_group.standard_field (
    kind        text NOT NULL CHECK (kind IN ('accounts', 'persons')),
    field       text NOT NULL,
    position    integer NOT NULL,
    candidates  name[] NOT NULL,     -- column names detected when not mapped, first match wins
    description text NOT NULL,
    PRIMARY KEY (kind, field)
);
COMMENT ON TABLE buying_group.standard_field IS 'Fields the hand-off and exports read, and the column names detected for them';
INSERT INTO buying_group.standard_field (kind, field, position, candidates, description) VALUES
    ('accounts', 'website',      1, '{website,company_website,url}',                         'Company website'),
    ('accounts', 'email_domain', 2, '{email_domain,domain}',                                  'Company email domain'),
    ('accounts', 'linkedin_url', 3, '{linkedin_url,linkedin_company_page_url,linkedin}',      'LinkedIn company page URL'),
    ('accounts', 'stock_symbol', 4, '{stock_symbol,ticker}',                                  'Stock symbol'),
    ('accounts', 'industry',     5, '{industry}',                                             'Industry'),
    ('accounts', 'city',         6, '{city,billing_city}',                                    'City'),
    ('accounts', 'state',        7, '{state,billing_state,region}',                           'State or region'),
    ('accounts', 'country',      8, '{country,billing_country}',                              'Country'),
    ('accounts', 'zip',          9, '{zip,zipcode,zip_code,postal_code,billing_postal_code}', 'Postal code'),
    ('persons',  'email',        1, '{email,email_address}',                                  'Email address'),
    ('persons',  'first_name',   2, '{first_name,firstname,given_name}',                      'First name'),
    ('persons',  'last_name',    3, '{last_name,lastname,family_name}',                       'Last name'),
    ('persons',  'title',        4, '{job_title,title}',                                      'Job title'),
    ('persons',  'country',      5, '{country}',                                              'Country');

-- Columns mapped explicitly with map_fields(); a mapping is dropped when its
-- table is rebound.
CREATE TABLE buying_group.field_map (
    kind        text NOT NULL,
    field       text NOT NULL,
    column_name name NOT NULL,
    PRIMARY KEY (kind, field),
    FOREIGN KEY (kind, field) REFERENCES buying_group.standard_field
);
COMMENT ON TABLE buying_group.field_map IS 'Standard fields mapped explicitly to columns of the bound tables';
SELECT pg_catalog.pg_extension_config_dump('buying_group.field_map', '');

-- The column of the bound table holding a standard field: the mapped one, else
-- the first candidate the table has, else NULL. Raises if a mapped column was
-- dropped since.
CREATE FUNCTION buying_group.field_column(b buying_group.binding, field text)
RETURNS name
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    mapped name;
    col name;
BEGIN
    SELECT fm.column_name INTO mapped FROM buying_group.field_map fm
     WHERE fm.kind = b.kind AND fm.field = field_column.field;
    SELECT a.attname INTO col
      FROM buying_group.standard_field sf
     CROSS JOIN LATERAL unnest(CASE WHEN mapped IS NULL THEN sf.candidates ELSE ARRAY[mapped] END) WITH ORDINALITY c(name, n)
      JOIN pg_catalog.pg_attribute a ON a.attrelid = b.relation AND a.attname = c.name
                                    AND a.attnum > 0 AND NOT a.attisdropped
     WHERE sf.kind = b.kind AND sf.field = field_column.field
     ORDER BY c.n LIMIT 1;
    IF mapped IS NOT NULL AND col IS NULL THEN
        RAISE EXCEPTION 'field "%" is mapped to column "%", which % no longer has', field, mapped, b.relation
            USING ERRCODE = 'undefined_column',
                  HINT = format('Map it again: SELECT buying_group.map_fields(%L, %L);', b.kind,
                                pg_catalog.jsonb_build_object(field, 'column_name')::text);
    END IF;
    RETURN col;
END
$$;
COMMENT ON FUNCTION buying_group.field_column(buying_group.binding, text) IS
'Internal: the column holding a standard field (mapped, else detected by name, else NULL)';

-- The SQL text of a standard field of the row aliased alias: the column as
-- text, or NULL::text when the table has none.
CREATE FUNCTION buying_group.field_sql(b buying_group.binding, field text, alias text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN c.col IS NULL THEN 'NULL::text' ELSE pg_catalog.format('%I.%I::text', alias, c.col) END
      FROM (SELECT buying_group.field_column(b, field) AS col) c
$$;
COMMENT ON FUNCTION buying_group.field_sql(buying_group.binding, text, text) IS
'Internal: SQL text reading a standard field of the aliased row as text (NULL::text when there is no column)';

CREATE FUNCTION buying_group.map_fields(kind text, fields jsonb)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b buying_group.binding;
    f record;
BEGIN
    IF kind IS NULL OR kind NOT IN ('accounts', 'persons') THEN
        RAISE EXCEPTION 'only the accounts and persons tables have standard fields, not "%"', kind
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    b := buying_group.bound(kind);
    IF fields IS NULL OR pg_catalog.jsonb_typeof(fields) <> 'object' THEN
        RAISE EXCEPTION 'fields must be a JSON object of field names and column names'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'For example: {"email": "work_email", "title": "position"}; null unmaps a field.';
    END IF;
    FOR f IN SELECT e.key, e.value FROM pg_catalog.jsonb_each(fields) e ORDER BY e.key LOOP
        IF NOT EXISTS (SELECT FROM buying_group.standard_field sf WHERE sf.kind = b.kind AND sf.field = f.key) THEN
            RAISE EXCEPTION 'unknown % field "%"', rtrim(b.kind, 's'), f.key
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = format('The %s fields are: %s.', rtrim(b.kind, 's'),
                                      (SELECT string_agg(sf.field, ', ' ORDER BY sf.position)
                                         FROM buying_group.standard_field sf WHERE sf.kind = b.kind));
        END IF;
        IF pg_catalog.jsonb_typeof(f.value) = 'null' THEN
            DELETE FROM buying_group.field_map fm WHERE fm.kind = b.kind AND fm.field = f.key;
        ELSIF pg_catalog.jsonb_typeof(f.value) <> 'string' THEN
            RAISE EXCEPTION 'field "%" must be mapped to a column name (a string) or null', f.key
                USING ERRCODE = 'invalid_parameter_value';
        ELSE
            INSERT INTO buying_group.field_map AS fm (kind, field, column_name)
            VALUES (b.kind, f.key, buying_group.require_column(b.relation, f.value #>> '{}', f.key))
            ON CONFLICT ON CONSTRAINT field_map_pkey DO UPDATE SET column_name = EXCLUDED.column_name;
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION buying_group.map_fields(text, jsonb) IS
'Maps standard fields (email, title, website, ...) of the bound accounts or persons table to its columns; null unmaps';

CREATE VIEW buying_group.fields AS
SELECT sf.kind, sf.field, c.column_name,
       CASE WHEN fm.column_name IS NOT NULL THEN 'mapped'
            WHEN c.column_name IS NOT NULL THEN 'detected' END AS how,
       sf.description
  FROM buying_group.standard_field sf
  JOIN buying_group.binding b ON b.kind = sf.kind
  CROSS JOIN LATERAL (SELECT buying_group.field_column(b, sf.field) AS column_name OFFSET 0) c   -- looked up once
  LEFT JOIN buying_group.field_map fm ON fm.kind = sf.kind AND fm.field = sf.field
 ORDER BY sf.kind, sf.position;
COMMENT ON VIEW buying_group.fields IS 'For each bound accounts or persons table: the column of each standard field';
COMMENT ON COLUMN buying_group.fields.kind IS 'accounts or persons';
COMMENT ON COLUMN buying_group.fields.field IS 'Standard field: what sales alerts and LinkedIn exports read';
COMMENT ON COLUMN buying_group.fields.column_name IS 'The column holding it (NULL: none, exported empty)';
COMMENT ON COLUMN buying_group.fields.how IS 'mapped (with map_fields) or detected (by the column''s name)';
COMMENT ON COLUMN buying_group.fields.description IS 'What the field is';

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
    stage_model_id integer NOT NULL REFERENCES buying_group.stage_model (id) ON DELETE CASCADE,
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
    PRIMARY KEY (stage_model_id, from_stage, to_stage),
    FOREIGN KEY (stage_model_id, from_stage) REFERENCES buying_group.stage ON DELETE CASCADE,
    FOREIGN KEY (stage_model_id, to_stage) REFERENCES buying_group.stage ON DELETE CASCADE
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
CREATE FUNCTION buying_group.require_draft_stage_model(model_id integer)
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
COMMENT ON FUNCTION buying_group.require_draft_stage_model(integer) IS
'Internal: raises if the stage model is live, and keeps it from going live until the end of the transaction';

-- A live stage model is frozen: its stages and transitions cannot change
-- (moving one out of it included), it cannot go back to draft, and it cannot
-- be deleted. A model is created as a draft and goes live valid.
CREATE FUNCTION buying_group.stage_model_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_NAME = 'stage_model' THEN
        IF TG_OP = 'INSERT' THEN
            IF NEW.status <> 'draft' THEN
                RAISE EXCEPTION 'stage model "%" must be created as a draft', NEW.name
                    USING ERRCODE = 'object_not_in_prerequisite_state',
                          HINT = 'buying_group.publish_stage_model() makes it live once it is valid.';
            END IF;
            RETURN NEW;
        END IF;
        IF OLD.status = 'live' AND (TG_OP = 'DELETE' OR NEW.status <> 'live' OR NEW.name <> OLD.name) THEN
            RAISE EXCEPTION 'stage model "%" is live', OLD.name
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      DETAIL = 'A live stage model keeps its name and stages; only its description can change.',
                      HINT = 'Create a new stage model instead.';
        END IF;
        IF TG_OP = 'UPDATE' AND OLD.status = 'draft' AND NEW.status = 'live' THEN
            PERFORM buying_group.check_stage_model(NEW.id);
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM buying_group.require_draft_stage_model(OLD.stage_model_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM buying_group.require_draft_stage_model(NEW.stage_model_id);
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER stage_model_guard BEFORE INSERT OR UPDATE OR DELETE ON buying_group.stage_model
    FOR EACH ROW EXECUTE FUNCTION buying_group.stage_model_guard();
CREATE TRIGGER stage_model_guard BEFORE INSERT OR UPDATE OR DELETE ON buying_group.stage
    FOR EACH ROW EXECUTE FUNCTION buying_group.stage_model_guard();
CREATE TRIGGER stage_model_guard BEFORE INSERT OR UPDATE OR DELETE ON buying_group.stage_transition
    FOR EACH ROW EXECUTE FUNCTION buying_group.stage_model_guard();

-- Looks up a stage model by name, locked.
CREATE FUNCTION buying_group.stage_model_for_update(stage_model text)
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
COMMENT ON FUNCTION buying_group.stage_model_for_update(text) IS 'Internal: the stage model of that name, locked; raises if there is none';

-- Raises the error of an invalid stage model definition, at a JSON path.
CREATE FUNCTION buying_group.stage_model_error(path text, message text, hint text DEFAULT NULL,
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
COMMENT ON FUNCTION buying_group.stage_model_error(text, text, text, text) IS
'Internal: raises the error of an invalid stage model definition at a JSON path';

-- The stages of a model (of one kind, when given), in order, for messages.
CREATE FUNCTION buying_group.stage_list(model_id integer, kind text DEFAULT NULL)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.string_agg(s.name, ', ' ORDER BY s.position) FROM buying_group.stage s
     WHERE s.stage_model_id = model_id AND (stage_list.kind IS NULL OR s.kind = stage_list.kind)
$$;
COMMENT ON FUNCTION buying_group.stage_list(integer, text) IS 'Internal: the names of a model''s stages (of one kind, when given), in order';

-- The stage of a model with that name, ignoring case and surrounding blanks
-- (stage names are unique so); NULL when there is none.
CREATE FUNCTION buying_group.stage_by_name(model_id integer, stage_name text)
RETURNS buying_group.stage
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT s.* FROM buying_group.stage s
     WHERE s.stage_model_id = model_id AND pg_catalog.lower(s.name) = pg_catalog.lower(pg_catalog.btrim(stage_name))
$$;
COMMENT ON FUNCTION buying_group.stage_by_name(integer, text) IS
'Internal: the stage of a model with that name, ignoring case; NULL when there is none';

-- The stage of a model named name (case-insensitively), or raises at path.
CREATE FUNCTION buying_group.stage_named(model_id integer, stage_name jsonb, path text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    found text;
BEGIN
    IF pg_catalog.jsonb_typeof(stage_name) IS DISTINCT FROM 'string' THEN
        PERFORM buying_group.stage_model_error(path, 'a stage name (a string) is expected');
    END IF;
    found := (buying_group.stage_by_name(model_id, stage_name #>> '{}')).name;
    IF found IS NULL THEN
        PERFORM buying_group.stage_model_error(path, format('unknown stage %s', stage_name::text),
                    format('The stages are: %s.', buying_group.stage_list(model_id)));
    END IF;
    RETURN found;
END
$$;
COMMENT ON FUNCTION buying_group.stage_named(integer, jsonb, text) IS
'Internal: the stage of a model with that name, ignoring case; raises at the JSON path if there is none';

-- Checks what a stage model must be as a whole, on its stored stages and
-- transitions (when it is loaded, and again when it goes live, whatever
-- wrote it): an entry stage, exactly one success stage, valid conditions, and
-- automatic transitions that cannot loop.
CREATE FUNCTION buying_group.check_stage_model(model_id integer)
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
        PERFORM buying_group.stage_model_error('$.stages', 'no entry stage',
                    'A new buying group has no stage; it can only enter an entry stage, so at least one is needed.');
    END IF;
    IF (SELECT count(*) FROM buying_group.stage s WHERE s.stage_model_id = model_id AND s.kind = 'success') <> 1 THEN
        PERFORM buying_group.stage_model_error('$.stages', 'exactly one success stage is needed',
                    format('It has %s.', (SELECT count(*) FROM buying_group.stage s
                                           WHERE s.stage_model_id = model_id AND s.kind = 'success')));
    END IF;

    FOR tr IN SELECT x.position, x.condition FROM buying_group.stage_transition x
              WHERE x.stage_model_id = model_id AND x.condition IS NOT NULL ORDER BY x.position LOOP
        BEGIN
            PERFORM buying_group.check_rule(tr.condition::text, 'buying_group.group_facts');
        EXCEPTION WHEN invalid_parameter_value OR invalid_json_text OR program_limit_exceeded THEN
            GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
            PERFORM buying_group.stage_model_error(format('$.transitions[%s].when', tr.position - 1), msg,
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
        PERFORM buying_group.stage_model_error('$.transitions',
                    format('the automatic transitions form a cycle: %s', array_to_string(cycle, ' -> ')),
                    'Remove the condition ("when") of one of these transitions.');
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group.check_stage_model(integer) IS
'Internal: raises unless a stage model has an entry stage, one success stage, valid conditions and no loop of automatic transitions';

-- Replaces the stages and transitions of a draft model by those of a
-- definition, checking every rule of SPEC 9 with the JSON path of the fault.
CREATE FUNCTION buying_group.load_stage_model(model_id integer, definition jsonb)
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
        PERFORM buying_group.stage_model_error('$', 'a JSON object is expected');
    END IF;
    SELECT k INTO msg FROM pg_catalog.jsonb_object_keys(definition) k WHERE k NOT IN ('stages', 'transitions') LIMIT 1;
    IF msg IS NOT NULL THEN
        PERFORM buying_group.stage_model_error('$.' || msg, 'unknown key');
    END IF;
    IF pg_catalog.jsonb_typeof(definition -> 'stages') IS DISTINCT FROM 'array'
       OR pg_catalog.jsonb_array_length(definition -> 'stages') = 0 THEN
        PERFORM buying_group.stage_model_error('$.stages', 'a non-empty array of stages is expected');
    END IF;
    IF definition ? 'transitions' AND pg_catalog.jsonb_typeof(definition -> 'transitions') <> 'array' THEN
        PERFORM buying_group.stage_model_error('$.transitions', 'an array of transitions is expected');
    END IF;
    DELETE FROM buying_group.stage s WHERE s.stage_model_id = model_id;

    FOR e IN SELECT x.value, x.n - 1 AS i FROM pg_catalog.jsonb_array_elements(definition -> 'stages') WITH ORDINALITY x(value, n) LOOP
        path := format('$.stages[%s]', e.i);
        IF pg_catalog.jsonb_typeof(e.value) <> 'object' THEN
            PERFORM buying_group.stage_model_error(path, 'a stage object {"name": ..., "type": ...} is expected');
        END IF;
        SELECT k INTO msg FROM pg_catalog.jsonb_object_keys(e.value) k WHERE k NOT IN ('name', 'type') LIMIT 1;
        IF msg IS NOT NULL THEN
            PERFORM buying_group.stage_model_error(path || '.' || msg, 'unknown key');
        END IF;
        sname := pg_catalog.btrim(e.value ->> 'name');
        IF pg_catalog.jsonb_typeof(e.value -> 'name') IS DISTINCT FROM 'string' OR sname = ''
           OR pg_catalog.length(sname) > 100 THEN
            PERFORM buying_group.stage_model_error(path || '.name', 'a stage name of 1 to 100 characters is expected');
        END IF;
        IF (buying_group.stage_by_name(model_id, sname)).name IS NOT NULL THEN
            PERFORM buying_group.stage_model_error(path || '.name', format('stage "%s" is defined twice', sname),
                                                   'Stage names are unique, ignoring case.');
        END IF;
        kind := coalesce(e.value ->> 'type', 'intermediate');
        IF pg_catalog.jsonb_typeof(e.value -> 'type') NOT IN ('string', 'null')
           OR kind NOT IN ('entry', 'intermediate', 'success', 'failure') THEN
            PERFORM buying_group.stage_model_error(path || '.type', format('unknown stage type %s', (e.value -> 'type')::text),
                                                   'The types are entry, intermediate (the default), success and failure.');
        END IF;
        INSERT INTO buying_group.stage (stage_model_id, name, position, kind) VALUES (model_id, sname, e.i + 1, kind);
    END LOOP;
    FOR e IN SELECT x.value, x.n - 1 AS i
               FROM pg_catalog.jsonb_array_elements(coalesce(definition -> 'transitions', '[]')) WITH ORDINALITY x(value, n) LOOP
        path := format('$.transitions[%s]', e.i);
        IF pg_catalog.jsonb_typeof(e.value) <> 'object' THEN
            PERFORM buying_group.stage_model_error(path, 'a transition object {"from": ..., "to": ...} is expected');
        END IF;
        SELECT k INTO msg FROM pg_catalog.jsonb_object_keys(e.value) k WHERE k NOT IN ('from', 'to', 'when') LIMIT 1;
        IF msg IS NOT NULL THEN
            PERFORM buying_group.stage_model_error(path || '.' || msg, 'unknown key');
        END IF;
        target_stage := buying_group.stage_named(model_id, e.value -> 'to', path || '.to');
        FOR f IN SELECT x.value, x.n - 1 AS j, pg_catalog.jsonb_typeof(e.value -> 'from') = 'array' AS listed
                   FROM pg_catalog.jsonb_array_elements(CASE pg_catalog.jsonb_typeof(e.value -> 'from')
                                                        WHEN 'array' THEN e.value -> 'from'
                                                        ELSE pg_catalog.jsonb_build_array(e.value -> 'from') END)
                        WITH ORDINALITY x(value, n) LOOP
            source_stage := buying_group.stage_named(model_id, f.value,
                                                   path || '.from' || CASE WHEN f.listed THEN format('[%s]', f.j) ELSE '' END);
            IF source_stage = target_stage THEN
                PERFORM buying_group.stage_model_error(path, format('a transition from "%s" to itself', target_stage));
            END IF;
            IF EXISTS (SELECT FROM buying_group.stage_transition t WHERE t.stage_model_id = model_id
                          AND t.from_stage = source_stage AND t.to_stage = target_stage) THEN
                PERFORM buying_group.stage_model_error(path, format('the transition from "%s" to "%s" is defined twice',
                                                                    source_stage, target_stage));
            END IF;
            INSERT INTO buying_group.stage_transition (stage_model_id, from_stage, to_stage, position, condition)
            VALUES (model_id, source_stage, target_stage, e.i + 1, e.value -> 'when');
        END LOOP;
    END LOOP;

    PERFORM buying_group.check_stage_model(model_id);
END
$$;
COMMENT ON FUNCTION buying_group.load_stage_model(integer, jsonb) IS
'Internal: validates a stage model definition and stores its stages and transitions in a draft model';

CREATE FUNCTION buying_group.create_stage_model(name text, stages jsonb, description text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
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
    PERFORM buying_group.load_stage_model(model_id, stages);
    RETURN model_id;
END
$$;
COMMENT ON FUNCTION buying_group.create_stage_model(text, jsonb, text) IS
'Creates a draft stage model from {"stages": [...], "transitions": [...]}, validated; returns its id';

CREATE FUNCTION buying_group.update_stage_model(name text, stages jsonb)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m buying_group.stage_model := buying_group.stage_model_for_update(name);
BEGIN
    PERFORM buying_group.load_stage_model(m.id, stages);     -- the guard refuses a live model
END
$$;
COMMENT ON FUNCTION buying_group.update_stage_model(text, jsonb) IS
'Replaces the stages and transitions of a draft stage model, validated';

CREATE FUNCTION buying_group.publish_stage_model(name text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m buying_group.stage_model := buying_group.stage_model_for_update(name);
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
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m buying_group.stage_model := buying_group.stage_model_for_update(name);
BEGIN
    DELETE FROM buying_group.stage_model x WHERE x.id = m.id;     -- the guard refuses a live model
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

--------------------------------------------------------------------------
-- Solution interests (SPEC 1, 6)
--------------------------------------------------------------------------

CREATE SEQUENCE buying_group.solution_interest_id_seq AS integer;
CREATE TABLE buying_group.solution_interest (
    id                       integer PRIMARY KEY DEFAULT pg_catalog.nextval('buying_group.solution_interest_id_seq'),
    name                     text NOT NULL UNIQUE CHECK (pg_catalog.btrim(name) = name AND name <> '' AND pg_catalog.length(name) <= 200),
    description              text,
    template_id              integer NOT NULL REFERENCES buying_group.template (id),
    stage_model_id           integer REFERENCES buying_group.stage_model (id),
    update_existing          boolean NOT NULL DEFAULT true,
    sales_ready_completeness numeric NOT NULL DEFAULT 100 CHECK (sales_ready_completeness BETWEEN 0 AND 100),
    sales_ready_engagement   numeric NOT NULL DEFAULT 0 CHECK (sales_ready_engagement BETWEEN 0 AND 100),
    created_at               timestamptz NOT NULL DEFAULT pg_catalog.now()
);
ALTER SEQUENCE buying_group.solution_interest_id_seq OWNED BY buying_group.solution_interest.id;
COMMENT ON TABLE buying_group.solution_interest IS 'What is sold: one live template each, never swapped';
SELECT pg_catalog.pg_extension_config_dump('buying_group.solution_interest', '');
SELECT pg_catalog.pg_extension_config_dump('buying_group.solution_interest_id_seq', '');

CREATE FUNCTION buying_group.solution_interest_guard()
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
    FOR EACH ROW EXECUTE FUNCTION buying_group.solution_interest_guard();

-- Looks up a solution interest by name.
CREATE FUNCTION buying_group.solution_interest_of(solution_interest text)
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
COMMENT ON FUNCTION buying_group.solution_interest_of(text) IS 'Internal: the solution interest of that name; raises if there is none';

CREATE FUNCTION buying_group.create_solution_interest(name text, template text, description text DEFAULT NULL,
                                                      update_existing boolean DEFAULT true,
                                                      sales_ready_completeness numeric DEFAULT 100,
                                                      sales_ready_engagement numeric DEFAULT 0,
                                                      stage_model text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t buying_group.template := buying_group.template_for_update(template);
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
                 THEN (buying_group.stage_model_for_update(create_solution_interest.stage_model)).id END,
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
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    si buying_group.solution_interest := buying_group.solution_interest_of(name);
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

--------------------------------------------------------------------------
-- Buying groups and members (SPEC 6)
--------------------------------------------------------------------------

CREATE SEQUENCE buying_group.bgroup_id_seq;
CREATE TABLE buying_group.bgroup (
    id                   bigint PRIMARY KEY DEFAULT pg_catalog.nextval('buying_group.bgroup_id_seq'),
    solution_interest_id integer NOT NULL REFERENCES buying_group.solution_interest (id),
    account_key          text NOT NULL,
    name                 text NOT NULL,
    stage                text,
    status               text,
    completeness         numeric NOT NULL DEFAULT 0,
    engagement           numeric,
    member_count         integer NOT NULL DEFAULT 0,
    sales_ready          boolean NOT NULL DEFAULT false,
    created_at           timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at           timestamptz NOT NULL DEFAULT pg_catalog.now(),
    UNIQUE (solution_interest_id, account_key)
);
CREATE INDEX ON buying_group.bgroup (account_key);
ALTER SEQUENCE buying_group.bgroup_id_seq OWNED BY buying_group.bgroup.id;
COMMENT ON TABLE buying_group.bgroup IS 'Buying groups: one per account and solution interest';
SELECT pg_catalog.pg_extension_config_dump('buying_group.bgroup', '');
SELECT pg_catalog.pg_extension_config_dump('buying_group.bgroup_id_seq', '');

CREATE TABLE buying_group.bmember (
    buying_group_id bigint NOT NULL REFERENCES buying_group.bgroup (id) ON DELETE CASCADE,
    person_key      text NOT NULL,
    role_id         integer NOT NULL REFERENCES buying_group.role (id),
    source          text NOT NULL CHECK (source IN ('manual', 'journey', 'system')),
    is_removed      boolean NOT NULL DEFAULT false,
    assigned_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    removed_at      timestamptz,
    PRIMARY KEY (buying_group_id, person_key)
);
CREATE INDEX ON buying_group.bmember (person_key);
COMMENT ON TABLE buying_group.bmember IS 'Members of buying groups: one role per person and group; removal is soft';
SELECT pg_catalog.pg_extension_config_dump('buying_group.bmember', '');

-- How many members (not removed) hold each role of a group, kept by every
-- writer of memberships in the same statement: a group's scores then cost
-- its roles, not its members, however large the account.
CREATE TABLE buying_group.bgroup_role (
    buying_group_id bigint NOT NULL REFERENCES buying_group.bgroup (id) ON DELETE CASCADE,
    role_id         integer NOT NULL,
    assigned        integer NOT NULL,
    PRIMARY KEY (buying_group_id, role_id)
);
COMMENT ON TABLE buying_group.bgroup_role IS 'Members (not removed) per buying group and role: the counts scores are computed from';
SELECT pg_catalog.pg_extension_config_dump('buying_group.bgroup_role', '');

-- Adds to the role counts of groups (parallel arrays of group, role, delta).
CREATE FUNCTION buying_group.count_roles(groups bigint[], roles integer[], deltas integer[])
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO buying_group.bgroup_role AS c (buying_group_id, role_id, assigned)
    SELECT d.g, d.r, sum(d.n) FROM unnest(groups, roles, deltas) d(g, r, n)
     GROUP BY 1, 2 HAVING sum(d.n) <> 0
    ON CONFLICT (buying_group_id, role_id) DO UPDATE SET assigned = c.assigned + EXCLUDED.assigned
$$;
COMMENT ON FUNCTION buying_group.count_roles(bigint[], integer[], integer[]) IS
'Internal: adds deltas to the role counts of buying groups';

-- Counts the roles of groups again from their members: those of a solution
-- interest, or all when NULL.
CREATE FUNCTION buying_group.recount_roles(si_id integer)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    DELETE FROM buying_group.bgroup_role k USING buying_group.bgroup g
     WHERE g.id = k.buying_group_id AND (si_id IS NULL OR g.solution_interest_id = si_id);
    INSERT INTO buying_group.bgroup_role (buying_group_id, role_id, assigned)
    SELECT m.buying_group_id, m.role_id, count(*)
      FROM buying_group.bmember m JOIN buying_group.bgroup g ON g.id = m.buying_group_id
     WHERE NOT m.is_removed AND (si_id IS NULL OR g.solution_interest_id = si_id)
     GROUP BY 1, 2;
$$;
COMMENT ON FUNCTION buying_group.recount_roles(integer) IS
'Internal: counts the roles of the groups of a solution interest (all when NULL) again from their members';

-- Serialises the writers of buying groups by account: the given accounts'
-- locks, taken in one global order (writers of the same account wait for each
-- other, never deadlock), under a shared hold of one lock that excludes
-- everything. NULL, or more than 1,000 accounts (thousands of account locks
-- would overflow the lock table), takes that lock exclusively instead: the
-- bulk jobs' and bulk statements' way. Held until the end of the transaction.
CREATE FUNCTION buying_group.lock_accounts(accounts text[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF accounts IS NULL OR cardinality(accounts) > 1000 THEN
        PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('buying_group all accounts', 0));
    ELSE
        PERFORM pg_catalog.pg_advisory_xact_lock_shared(pg_catalog.hashtextextended('buying_group all accounts', 0));
        PERFORM pg_catalog.pg_advisory_xact_lock(k)
           FROM (SELECT DISTINCT pg_catalog.hashtextextended('buying_group account ' || a, 0) AS k
                   FROM unnest(accounts) a ORDER BY 1) l;
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group.lock_accounts(text[]) IS
'Internal: serialises writers of the given accounts'' buying groups (NULL: of all of them) until the end of the transaction';

-- Precedence of a membership source: manual > journey > system.
CREATE FUNCTION buying_group.source_rank(source text)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE source WHEN 'manual' THEN 3 WHEN 'journey' THEN 2 WHEN 'system' THEN 1 END
$$;
COMMENT ON FUNCTION buying_group.source_rank(text) IS 'Precedence of a membership source: manual 3 > journey 2 > system 1';

--------------------------------------------------------------------------
-- Events and score history (SPEC 8)
--------------------------------------------------------------------------

CREATE SEQUENCE buying_group.events_id_seq;
CREATE TABLE buying_group.events (
    id              bigint PRIMARY KEY DEFAULT pg_catalog.nextval('buying_group.events_id_seq'),
    at              timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    type            text NOT NULL CHECK (type IN ('member_assigned', 'member_removed', 'role_changed',
                                                  'completeness_changed', 'engagement_changed', 'stage_changed',
                                                  'status_changed', 'sales_ready')),
    buying_group_id bigint NOT NULL,
    account_key     text NOT NULL,
    person_key      text,
    payload         jsonb NOT NULL DEFAULT '{}'
);
ALTER SEQUENCE buying_group.events_id_seq OWNED BY buying_group.events.id;
CREATE INDEX ON buying_group.events (buying_group_id, id);
COMMENT ON TABLE buying_group.events IS 'Append-only outbox of buying-group events; each is also sent with NOTIFY on channel buying_group_events';
COMMENT ON COLUMN buying_group.events.id IS 'Increasing event id: consumers remember the last one they read';
COMMENT ON COLUMN buying_group.events.at IS 'When the event happened';
COMMENT ON COLUMN buying_group.events.type IS 'member_assigned, member_removed, role_changed, completeness_changed, engagement_changed, stage_changed, status_changed or sales_ready';
COMMENT ON COLUMN buying_group.events.buying_group_id IS 'The buying group';
COMMENT ON COLUMN buying_group.events.account_key IS 'The group''s account';
COMMENT ON COLUMN buying_group.events.person_key IS 'The person, for membership events';
COMMENT ON COLUMN buying_group.events.payload IS 'What changed: roles, sources, old and new scores';

-- Append-only: events are never updated (consumers may delete what they have read).
CREATE FUNCTION buying_group.events_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'buying_group.events is append-only'
        USING ERRCODE = 'object_not_in_prerequisite_state',
              HINT = 'Read events by id; delete the ones you have processed if you must.';
END
$$;
CREATE TRIGGER events_guard BEFORE UPDATE ON buying_group.events
    FOR EACH ROW EXECUTE FUNCTION buying_group.events_guard();

-- Sends each new event on channel buying_group_events (delivered at commit).
CREATE FUNCTION buying_group.events_notify()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pg_catalog.pg_notify('buying_group_events',
                                 pg_catalog.json_build_object('id', n.id, 'type', n.type,
                                     'buying_group_id', n.buying_group_id, 'account_key', n.account_key,
                                     'person_key', n.person_key)::text)
       FROM new_rows n ORDER BY n.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER events_notify AFTER INSERT ON buying_group.events REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION buying_group.events_notify();

CREATE TABLE buying_group.score_history (
    buying_group_id bigint NOT NULL REFERENCES buying_group.bgroup (id) ON DELETE CASCADE,
    at              timestamptz NOT NULL DEFAULT pg_catalog.statement_timestamp(),
    completeness    numeric NOT NULL,
    engagement      numeric,
    member_count    integer NOT NULL,
    sales_ready     boolean NOT NULL
);
CREATE INDEX ON buying_group.score_history (buying_group_id, at);
COMMENT ON TABLE buying_group.score_history IS 'Every change of a buying group''s scores, with its time';
COMMENT ON COLUMN buying_group.score_history.buying_group_id IS 'The buying group';
COMMENT ON COLUMN buying_group.score_history.at IS 'When the scores changed: the time of the statement that changed them';
COMMENT ON COLUMN buying_group.score_history.completeness IS 'Completeness from then on';
COMMENT ON COLUMN buying_group.score_history.engagement IS 'Engagement from then on';
COMMENT ON COLUMN buying_group.score_history.member_count IS 'Members (not removed) from then on';
COMMENT ON COLUMN buying_group.score_history.sales_ready IS 'Sales-readiness from then on';
SELECT pg_catalog.pg_extension_config_dump('buying_group.events', '');
SELECT pg_catalog.pg_extension_config_dump('buying_group.events_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('buying_group.score_history', '');

-- Recomputes the stored completeness, member count and sales-readiness of
-- groups, or, when engagements are given (parallel to ids), stores those and
-- leaves completeness as it stands, so that a refresh of engagement never
-- writes back a membership count a concurrent trigger has changed since.
-- Records each change in score_history and, when emit_events, as
-- completeness_changed, engagement_changed and sales_ready (upward crossing)
-- events. Then takes the automatic stage transitions of the changed groups.
CREATE FUNCTION buying_group.refresh_groups(ids bigint[], emit_events boolean DEFAULT true,
                                            engagements numeric[] DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan     -- planned once per session: the triggers call it per statement
AS $$
DECLARE
    changed_ids bigint[];
BEGIN
    -- PL/pgSQL rather than SQL, and a generic plan: the statement is planned once
    -- per session (custom plans cost more than the statement itself)
    WITH given AS (
        SELECT u.id, u.engagement FROM unnest(ids, engagements) u(id, engagement) WHERE u.id IS NOT NULL),
    fresh AS (
        -- per group, over its own role counts: index scans whatever the statistics say
        SELECT g2.id, c.completeness, c.members
          FROM buying_group.bgroup g2
          JOIN buying_group.solution_interest si2 ON si2.id = g2.solution_interest_id
          JOIN buying_group.template t ON t.id = si2.template_id
          CROSS JOIN LATERAL (
                -- from the role counts: as cheap for a group of 500 as of 5
                SELECT coalesce(buying_group.completeness(t.name, r.name, k.assigned), 0) AS completeness,
                       coalesce(sum(k.assigned), 0)::integer AS members
                  FROM (SELECT 1) one
                  LEFT JOIN buying_group.bgroup_role k ON k.buying_group_id = g2.id AND k.assigned <> 0
                  LEFT JOIN buying_group.role r ON r.id = k.role_id) c
         WHERE engagements IS NULL),          -- joined to the given ids: an index probe per id
    before AS (
        SELECT g.id, g.completeness, g.engagement, g.sales_ready FROM buying_group.bgroup g
         WHERE g.id = ANY (ids)),
    changed AS (
        UPDATE buying_group.bgroup g
           SET completeness = coalesce(f.completeness, g.completeness),
               member_count = coalesce(f.members, g.member_count),
               engagement = coalesce(gv.engagement, g.engagement),
               sales_ready = coalesce(f.completeness, g.completeness) >= si.sales_ready_completeness
                             AND coalesce(gv.engagement, g.engagement, 0) >= si.sales_ready_engagement,
               updated_at = pg_catalog.now()
          FROM given gv LEFT JOIN fresh f ON f.id = gv.id, buying_group.solution_interest si
         WHERE g.id = ANY (ids) AND g.id = gv.id AND si.id = g.solution_interest_id
           AND (g.completeness, g.member_count, g.engagement)
               IS DISTINCT FROM (coalesce(f.completeness, g.completeness), coalesce(f.members, g.member_count),
                                 coalesce(gv.engagement, g.engagement))
        RETURNING g.id, g.account_key, g.completeness, g.engagement, g.member_count, g.sales_ready),
    history AS (
        INSERT INTO buying_group.score_history (buying_group_id, completeness, engagement, member_count, sales_ready)
        SELECT c.id, c.completeness, c.engagement, c.member_count, c.sales_ready FROM changed c),
    logged AS (
    INSERT INTO buying_group.events (type, buying_group_id, account_key, payload)
    SELECT e.type, e.id, e.account_key, e.payload
      FROM (SELECT 1 AS k, 'completeness_changed' AS type, c.id, c.account_key,
                   pg_catalog.jsonb_build_object('old', b.completeness, 'new', c.completeness) AS payload
              FROM changed c JOIN before b ON b.id = c.id
             WHERE c.completeness <> b.completeness
            UNION ALL
            SELECT 2, 'engagement_changed', c.id, c.account_key,
                   pg_catalog.jsonb_build_object('old', b.engagement, 'new', c.engagement)
              FROM changed c JOIN before b ON b.id = c.id
             WHERE c.engagement IS DISTINCT FROM b.engagement
            UNION ALL
            SELECT 3, 'sales_ready', c.id, c.account_key,
                   pg_catalog.jsonb_build_object('completeness', c.completeness, 'engagement', c.engagement)
              FROM changed c JOIN before b ON b.id = c.id
             WHERE c.sales_ready AND NOT b.sales_ready) e
     WHERE emit_events
     ORDER BY e.id, e.k)
    SELECT array_agg(c.id) INTO changed_ids FROM changed c;
    IF changed_ids IS NOT NULL THEN
        PERFORM buying_group.advance_stages(changed_ids, emit_events);
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group.refresh_groups(bigint[], boolean, numeric[]) IS
'Internal: recomputes the stored scores of the given buying groups (storing new engagements when given), with history and events';

CREATE FUNCTION buying_group.buying_groups_as_of(as_of timestamptz)
RETURNS TABLE (id bigint, name text, account_key text, solution_interest text, completeness numeric,
               engagement numeric, member_count integer, sales_ready boolean)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT g.id, g.name, g.account_key, si.name, coalesce(h.completeness, 0), h.engagement,
           coalesce(h.member_count, 0), coalesce(h.sales_ready, false)
      FROM buying_group.bgroup g
      JOIN buying_group.solution_interest si ON si.id = g.solution_interest_id
      LEFT JOIN LATERAL (SELECT sh.* FROM buying_group.score_history sh
                          WHERE sh.buying_group_id = g.id AND sh.at <= as_of
                          ORDER BY sh.at DESC LIMIT 1) h ON true
     WHERE g.created_at <= as_of
     ORDER BY g.id
$$;
COMMENT ON FUNCTION buying_group.buying_groups_as_of(timestamptz) IS
'The buying groups as they stood at a time: their scores then, from score_history';

--------------------------------------------------------------------------
-- Account audiences (SPEC 6, 9): rules over account columns, served as views
--------------------------------------------------------------------------

CREATE SCHEMA buying_group_audience;
COMMENT ON SCHEMA buying_group_audience IS 'One view per account audience, generated from its rule';

CREATE FUNCTION buying_group.rule_to_sql(rule text, row_type regtype, alias text DEFAULT NULL,
                                         key_column text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'bg_rule_to_sql'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group.rule_to_sql(text, regtype, text, text) IS
'The rule as a SQL boolean expression over the row type''s columns (qualified by alias when given), with the evaluator''s exact semantics; key_column, the account key, enables buying-group filters';

CREATE SEQUENCE buying_group.audience_id_seq AS integer;
CREATE TABLE buying_group.audience (
    id          integer PRIMARY KEY DEFAULT pg_catalog.nextval('buying_group.audience_id_seq'),
    name        text NOT NULL UNIQUE CHECK (pg_catalog.btrim(name) = name AND name <> '' AND pg_catalog.length(name) <= 200),
    description text,
    rule        jsonb NOT NULL,
    view_name   name NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
ALTER SEQUENCE buying_group.audience_id_seq OWNED BY buying_group.audience.id;
COMMENT ON TABLE buying_group.audience IS 'Account audiences: a rule over the accounts table and the view that serves it';
SELECT pg_catalog.pg_extension_config_dump('buying_group.audience', '');
SELECT pg_catalog.pg_extension_config_dump('buying_group.audience_id_seq', '');

-- Looks up an audience by name.
CREATE FUNCTION buying_group.audience_of(audience text)
RETURNS buying_group.audience
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    a buying_group.audience;
BEGIN
    SELECT * INTO a FROM buying_group.audience x WHERE x.name = audience_of.audience;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'audience "%" does not exist', audience
            USING ERRCODE = 'undefined_object',
                  HINT = 'The view buying_group.audiences lists them; buying_group.create_audience() makes one.';
    END IF;
    RETURN a;
END
$$;
COMMENT ON FUNCTION buying_group.audience_of(text) IS 'Internal: the audience of that name; raises if there is none';

CREATE FUNCTION buying_group.create_audience(name text, rule jsonb, description text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    acc buying_group.binding := buying_group.bound('accounts');
    predicate text;
    base text;
    view text;
    n integer := 1;
BEGIN
    IF name IS NULL OR btrim(name) = '' THEN
        RAISE EXCEPTION 'audience name must not be empty' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT FROM buying_group.audience x WHERE x.name = btrim(create_audience.name)) THEN
        RAISE EXCEPTION 'audience "%" already exists', btrim(name) USING ERRCODE = 'duplicate_object';
    END IF;
    IF rule IS NULL THEN
        RAISE EXCEPTION 'an audience needs a rule' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    predicate := buying_group.rule_to_sql(rule::text,
                     (SELECT c.reltype::regtype FROM pg_catalog.pg_class c WHERE c.oid = acc.relation), 'a',
                     acc.key_column);
    -- a readable, unique view name
    base := left(coalesce(nullif(trim(both '_' FROM lower(regexp_replace(btrim(name), '[^a-zA-Z0-9]+', '_', 'g'))), ''),
                          'audience'), 50);
    view := base;
    WHILE EXISTS (SELECT FROM pg_catalog.pg_class c
                   WHERE c.relnamespace = 'buying_group_audience'::regnamespace AND c.relname = view) LOOP
        n := n + 1;
        view := base || '_' || n;
    END LOOP;
    EXECUTE format('CREATE VIEW buying_group_audience.%I AS SELECT a.* FROM %s a WHERE %s',
                   view, acc.relation, predicate);
    EXECUTE format('GRANT SELECT ON buying_group_audience.%I TO buying_group_reader', view);
    EXECUTE format('COMMENT ON VIEW buying_group_audience.%I IS %L', view,
                   format('Account audience "%s": %s', btrim(name), rule::text));
    INSERT INTO buying_group.audience (name, description, rule, view_name)
    VALUES (btrim(create_audience.name), create_audience.description, create_audience.rule, view);
    RETURN format('buying_group_audience.%I', view);
END
$$;
COMMENT ON FUNCTION buying_group.create_audience(text, jsonb, text) IS
'Creates an account audience: a rule over the accounts table, served as a view in schema buying_group_audience; returns the view''s name';

CREATE FUNCTION buying_group.delete_audience(name text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    a buying_group.audience := buying_group.audience_of(name);
BEGIN
    EXECUTE format('DROP VIEW buying_group_audience.%I', a.view_name);
    DELETE FROM buying_group.audience x WHERE x.id = a.id;
END
$$;
COMMENT ON FUNCTION buying_group.delete_audience(text) IS 'Deletes an audience and its view';

CREATE VIEW buying_group.audiences AS
SELECT a.name, a.description, a.rule, 'buying_group_audience.' || pg_catalog.quote_ident(a.view_name) AS view_name,
       a.created_at
  FROM buying_group.audience a;
COMMENT ON VIEW buying_group.audiences IS 'Account audiences and the views that serve them';
COMMENT ON COLUMN buying_group.audiences.name IS 'Audience name, unique';
COMMENT ON COLUMN buying_group.audiences.description IS 'Free text';
COMMENT ON COLUMN buying_group.audiences.rule IS 'The rule over the accounts table''s columns';
COMMENT ON COLUMN buying_group.audiences.view_name IS 'The view listing the audience''s accounts';
COMMENT ON COLUMN buying_group.audiences.created_at IS 'When the audience was created';

--------------------------------------------------------------------------
-- Creation job, maintenance, membership (SPEC 6)
--------------------------------------------------------------------------

CREATE FUNCTION buying_group.create_buying_groups(solution_interest text, audience text)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    si buying_group.solution_interest := buying_group.solution_interest_of(solution_interest);
    aud buying_group.audience := buying_group.audience_of(audience);
    acc buying_group.binding := buying_group.bound('accounts');
    per buying_group.binding := buying_group.bound('persons');
    tmpl text := (SELECT t.name FROM buying_group.template t WHERE t.id = si.template_id);
    ids bigint[];
BEGIN
    -- one bulk job at a time, and writers of persons wait, so that a person
    -- inserted meanwhile is either seen here or by its trigger
    PERFORM buying_group.lock_accounts(NULL);
    EXECUTE format($q$
        WITH new_group AS (
            INSERT INTO buying_group.bgroup (solution_interest_id, account_key, name)
            SELECT DISTINCT ON (a.%1$I::text) $1, a.%1$I::text, $2 || ' for ' || coalesce(a.%2$I::text, a.%1$I::text)
              FROM buying_group_audience.%3$I a
             WHERE a.%1$I IS NOT NULL
            ON CONFLICT (solution_interest_id, account_key) DO NOTHING
            RETURNING id, account_key),
        new_member AS (
            INSERT INTO buying_group.bmember (buying_group_id, person_key, role_id, source)
            SELECT ng.id, m.person_key, r.id, 'system'
              FROM new_group ng
              JOIN (SELECT p.%4$I::text AS account_key, p.%5$I::text AS person_key,
                           buying_group.match_role($3, p) AS role
                      FROM %6$s p WHERE p.%5$I IS NOT NULL) m ON m.account_key = ng.account_key
              JOIN buying_group.role r ON r.name = m.role
            ON CONFLICT DO NOTHING
            RETURNING buying_group_id, role_id),
        counted AS (
            INSERT INTO buying_group.bgroup_role (buying_group_id, role_id, assigned)
            SELECT nm.buying_group_id, nm.role_id, count(*) FROM new_member nm GROUP BY 1, 2)
        SELECT array_agg(id) FROM new_group$q$,
        acc.key_column, acc.name_column, aud.view_name, per.account_column, per.key_column, per.relation)
    INTO ids USING si.id, si.name, tmpl;
    -- a new group's first scores are part of its creation: history, no events
    PERFORM buying_group.refresh_groups(coalesce(ids, '{}'), false);
    RETURN coalesce(cardinality(ids), 0);
END
$$;
COMMENT ON FUNCTION buying_group.create_buying_groups(text, text) IS
'The creation job: one buying group per account of the audience that has none for the solution interest, members assigned by their first matching role; returns how many groups it created';

CREATE FUNCTION buying_group.sync_execute(sql text, si_id integer, template text, accounts text[],
                                          persons text[], follow_attributes boolean)
RETURNS bigint[]
AS 'MODULE_PATHNAME', 'bg_sync_execute'
LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION buying_group.sync_execute(text, integer, text, text[], text[], boolean) IS
'Internal: runs the membership sync statement with a plan kept for the session';

-- Re-evaluates the system memberships of a solution interest's groups: all of
-- them, or only those of some accounts and persons (the triggers' case). With
-- follow_attributes false, only persons who left (deleted, moved) are taken out.
-- Returns how many memberships changed; refreshes the changed groups' scores.
CREATE FUNCTION buying_group.sync_members(si_id integer, template text, accounts text[], persons text[],
                                          follow_attributes boolean)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    per buying_group.binding := buying_group.bound('persons');
    -- restrictions written only when given, so that a kept plan can use the indexes
    on_accounts text := CASE WHEN accounts IS NULL THEN '' ELSE ' AND g.account_key = ANY ($3)' END;
    on_persons text := CASE WHEN persons IS NULL THEN ''
                            ELSE format(' AND p.%I::text = ANY ($4)', per.key_column) END;
    on_members text := CASE WHEN persons IS NULL THEN '' ELSE ' AND m.person_key = ANY ($4)' END;
    changes bigint[];
BEGIN
    -- one array element per changed membership: its group
    changes := buying_group.sync_execute(format($q$
        WITH desired AS (
            SELECT g.id AS group_id, p.%1$I::text AS person_key, r.id AS role_id
              FROM buying_group.bgroup g
              JOIN %3$s p ON p.%2$I::text = g.account_key AND p.%1$I IS NOT NULL
              -- OFFSET 0: matched once per person, not once per role row of the join
              CROSS JOIN LATERAL (SELECT buying_group.match_role($2, p) AS role OFFSET 0) mr
              LEFT JOIN buying_group.role r ON r.name = mr.role
             WHERE g.solution_interest_id = $1 %4$s %5$s),
        prior AS (
            SELECT m.buying_group_id, m.person_key, m.role_id, m.is_removed
              FROM buying_group.bmember m JOIN buying_group.bgroup g ON g.id = m.buying_group_id
             WHERE g.solution_interest_id = $1 %4$s %6$s),
        gone AS (
            -- persons deleted or moved away leave the group, whatever the source
            DELETE FROM buying_group.bmember m USING buying_group.bgroup g
             WHERE m.buying_group_id = g.id AND g.solution_interest_id = $1 %4$s %6$s
               AND NOT EXISTS (SELECT FROM desired d
                                WHERE d.group_id = m.buying_group_id AND d.person_key = m.person_key)
            RETURNING m.buying_group_id, m.person_key, m.role_id, m.source, m.is_removed),
        added AS (
            -- the system adds and moves only what the system holds
            INSERT INTO buying_group.bmember AS m (buying_group_id, person_key, role_id, source)
            SELECT DISTINCT ON (group_id, person_key) group_id, person_key, role_id, 'system'
              FROM desired WHERE role_id IS NOT NULL AND $5
            ON CONFLICT (buying_group_id, person_key) DO UPDATE
               SET role_id = EXCLUDED.role_id, is_removed = false, removed_at = NULL,
                   assigned_at = CASE WHEN m.is_removed THEN pg_catalog.now() ELSE m.assigned_at END
             WHERE m.source = 'system' AND (m.role_id <> EXCLUDED.role_id OR m.is_removed)
            RETURNING m.buying_group_id, m.person_key, m.role_id),
        removed AS (
            UPDATE buying_group.bmember m SET is_removed = true, removed_at = pg_catalog.now()
              FROM desired d
             WHERE d.group_id = m.buying_group_id AND d.person_key = m.person_key AND d.role_id IS NULL
               AND m.source = 'system' AND NOT m.is_removed AND $5
            RETURNING m.buying_group_id, m.person_key, m.role_id),
        counted AS (
            -- the role counts follow: +1 for a role taken, -1 for a role left
            INSERT INTO buying_group.bgroup_role AS k (buying_group_id, role_id, assigned)
            SELECT d.buying_group_id, d.role_id, sum(d.n)
              FROM (SELECT x.buying_group_id, x.role_id, -1 AS n FROM gone x WHERE NOT x.is_removed
                    UNION ALL
                    SELECT a.buying_group_id, a.role_id, 1 FROM added a
                    UNION ALL
                    SELECT p.buying_group_id, p.role_id, -1
                      FROM added a JOIN prior p ON p.buying_group_id = a.buying_group_id AND p.person_key = a.person_key
                     WHERE NOT p.is_removed
                    UNION ALL
                    SELECT x.buying_group_id, x.role_id, -1 FROM removed x) d
             GROUP BY 1, 2 HAVING sum(d.n) <> 0
            ON CONFLICT (buying_group_id, role_id) DO UPDATE SET assigned = k.assigned + EXCLUDED.assigned),
        change AS (
            SELECT 'member_removed' AS type, x.buying_group_id, x.person_key, x.role_id, NULL::integer AS old_role_id,
                   x.source, 'left the account' AS reason
              FROM gone x WHERE NOT x.is_removed
            UNION ALL
            SELECT CASE WHEN p.person_key IS NULL OR p.is_removed THEN 'member_assigned' ELSE 'role_changed' END,
                   a.buying_group_id, a.person_key, a.role_id,
                   CASE WHEN p.is_removed THEN NULL ELSE p.role_id END, 'system', NULL
              FROM added a
              LEFT JOIN prior p ON p.buying_group_id = a.buying_group_id AND p.person_key = a.person_key
            UNION ALL
            SELECT 'member_removed', x.buying_group_id, x.person_key, x.role_id, NULL, 'system', 'matches no role'
              FROM removed x),
        event AS (
            INSERT INTO buying_group.events (type, buying_group_id, account_key, person_key, payload)
            SELECT c.type, c.buying_group_id, g.account_key, c.person_key,
                   pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                       'role', r.name, 'old_role', o.name, 'source', c.source, 'reason', c.reason))
              FROM change c
              JOIN buying_group.bgroup g ON g.id = c.buying_group_id
              JOIN buying_group.role r ON r.id = c.role_id
              LEFT JOIN buying_group.role o ON o.id = c.old_role_id
             ORDER BY c.buying_group_id, c.person_key),
        changed AS (
            SELECT buying_group_id FROM gone UNION ALL SELECT buying_group_id FROM added
            UNION ALL SELECT buying_group_id FROM removed)
        SELECT coalesce(array_agg(buying_group_id), '{}') FROM changed$q$,
        per.key_column, per.account_column, per.relation, on_accounts, on_persons, on_members),
        si_id, template, accounts, persons, follow_attributes);
    PERFORM buying_group.refresh_groups(ARRAY(SELECT DISTINCT unnest(changes)));
    RETURN cardinality(changes);
END
$$;
COMMENT ON FUNCTION buying_group.sync_members(integer, text, text[], text[], boolean) IS
'Internal: re-evaluates the system memberships of a solution interest''s groups (optionally of some accounts and persons only)';

CREATE FUNCTION buying_group.run_maintenance(solution_interest text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    si record;
    total bigint := 0;
BEGIN
    IF solution_interest IS NOT NULL THEN
        PERFORM buying_group.solution_interest_of(solution_interest);
    END IF;
    FOR si IN SELECT x.id, t.name AS template
                FROM buying_group.solution_interest x JOIN buying_group.template t ON t.id = x.template_id
               WHERE CASE WHEN run_maintenance.solution_interest IS NULL THEN x.update_existing
                          ELSE x.name = run_maintenance.solution_interest END
               ORDER BY x.id LOOP
        PERFORM buying_group.lock_accounts(NULL);
        total := total + buying_group.sync_members(si.id, si.template, NULL, NULL, true);
    END LOOP;
    RETURN total;
END
$$;
COMMENT ON FUNCTION buying_group.run_maintenance(text) IS
'The daily job: re-evaluates the system memberships of the groups of one solution interest (or of every one with update_existing); returns how many memberships changed';

CREATE FUNCTION buying_group.recompute(solution_interest text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    si record;
    total bigint := 0;
BEGIN
    IF solution_interest IS NOT NULL THEN
        PERFORM buying_group.solution_interest_of(solution_interest);
    END IF;
    FOR si IN SELECT x.id, t.name AS template, x.update_existing
                FROM buying_group.solution_interest x JOIN buying_group.template t ON t.id = x.template_id
               WHERE recompute.solution_interest IS NULL OR x.name = recompute.solution_interest
               ORDER BY x.id LOOP
        PERFORM buying_group.lock_accounts(NULL);
        total := total + buying_group.sync_members(si.id, si.template, NULL, NULL, si.update_existing);
        PERFORM buying_group.recount_roles(si.id);
        PERFORM buying_group.refresh_groups(ARRAY(SELECT g.id FROM buying_group.bgroup g
                                                   WHERE g.solution_interest_id = si.id));
    END LOOP;
    RETURN total;
END
$$;
COMMENT ON FUNCTION buying_group.recompute(text) IS
'Repairs after the triggers were bypassed: brings the memberships of every solution interest''s groups (or one''s) to what the triggers would have made them and recomputes every score; returns how many memberships changed';

--------------------------------------------------------------------------
-- Real time (SPEC 8): triggers on the bound persons table
--------------------------------------------------------------------------

-- What a persons statement changes: the memberships of the persons and
-- accounts it touched, for every solution interest, under the accounts' locks.
CREATE FUNCTION buying_group.sync_persons(accounts text[], persons text[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    si record;
BEGIN
    -- writers of the same account wait for each other (a bulk load waits for all)
    PERFORM buying_group.lock_accounts(accounts);
    FOR si IN SELECT x.id, t.name AS template, x.update_existing
                FROM buying_group.solution_interest x JOIN buying_group.template t ON t.id = x.template_id
               ORDER BY x.id LOOP
        PERFORM buying_group.sync_members(si.id, si.template, accounts, persons, si.update_existing);
    END LOOP;
END
$$;
COMMENT ON FUNCTION buying_group.sync_persons(text[], text[]) IS
'Internal: brings the memberships of the given persons and accounts up to date for every solution interest';

-- What a TRUNCATE of the persons table changes: every member is gone.
CREATE FUNCTION buying_group.persons_truncated()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM buying_group.lock_accounts(NULL);
    DELETE FROM buying_group.bgroup_role;
    WITH gone AS (DELETE FROM buying_group.bmember m RETURNING m.*)
    INSERT INTO buying_group.events (type, buying_group_id, account_key, person_key, payload)
    SELECT 'member_removed', x.buying_group_id, g.account_key, x.person_key,
           pg_catalog.jsonb_build_object('role', r.name, 'source', x.source, 'reason', 'left the account')
      FROM gone x JOIN buying_group.bgroup g ON g.id = x.buying_group_id
      JOIN buying_group.role r ON r.id = x.role_id
     WHERE NOT x.is_removed
     ORDER BY x.buying_group_id, x.person_key;
    PERFORM buying_group.refresh_groups(ARRAY(SELECT g.id FROM buying_group.bgroup g));
END
$$;
COMMENT ON FUNCTION buying_group.persons_truncated() IS
'Internal: after a TRUNCATE of the persons table, removes every member and recomputes every score';

-- Statement trigger of the bound persons table (INSERT, UPDATE, DELETE with
-- transition tables; TRUNCATE), in C: reads the touched keys from the
-- transition tables and calls sync_persons (persons_truncated), in the same
-- transaction. SECURITY DEFINER so that the CRM sync needs write access to
-- its own table only; it reads nothing but the transition tables and the
-- catalog, and passes keys as parameters.
CREATE FUNCTION buying_group.persons_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'bg_persons_changed'
LANGUAGE C
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION buying_group.persons_changed() IS
'Trigger of the bound persons table: keeps memberships and scores current in the same transaction';

-- Installs the persons triggers on a table (and removes them from another).
CREATE FUNCTION buying_group.install_person_triggers(new_table regclass, old_table regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t text;
BEGIN
    IF old_table IS NOT NULL THEN
        FOREACH t IN ARRAY ARRAY['buying_group_insert', 'buying_group_update', 'buying_group_delete',
                                 'buying_group_truncate'] LOOP
            EXECUTE format('DROP TRIGGER IF EXISTS %I ON %s', t, old_table);
        END LOOP;
    END IF;
    EXECUTE format('CREATE TRIGGER buying_group_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION buying_group.persons_changed()', new_table);
    EXECUTE format('CREATE TRIGGER buying_group_update AFTER UPDATE ON %s '
                   'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION buying_group.persons_changed()', new_table);
    EXECUTE format('CREATE TRIGGER buying_group_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION buying_group.persons_changed()', new_table);
    EXECUTE format('CREATE TRIGGER buying_group_truncate AFTER TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION buying_group.persons_changed()', new_table);
END
$$;
COMMENT ON FUNCTION buying_group.install_person_triggers(regclass, regclass) IS
'Internal: creates the real-time triggers on the bound persons table (and drops them from the previous one)';

-- Lists every buying group whose stored membership or scores differ from a
-- recomputation from scratch. Empty, always.
CREATE FUNCTION buying_group.verify_scores()
RETURNS TABLE (buying_group_id bigint, account_key text, person_key text, problem text,
               stored text, expected text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    per buying_group.binding := buying_group.bound('persons');
BEGIN
    -- memberships: persons that left, and system memberships that do not follow the conditions
    RETURN QUERY EXECUTE format($q$
        WITH person AS (
            SELECT g.id AS group_id, p.%1$I::text AS person_key,
                   buying_group.match_role(t.name, p) AS role, si.update_existing
              FROM buying_group.bgroup g
              JOIN buying_group.solution_interest si ON si.id = g.solution_interest_id
              JOIN buying_group.template t ON t.id = si.template_id
              JOIN %3$s p ON p.%2$I::text = g.account_key AND p.%1$I IS NOT NULL),
        stored AS (
            SELECT m.buying_group_id AS group_id, m.person_key, r.name AS role, m.source, m.is_removed
              FROM buying_group.bmember m JOIN buying_group.role r ON r.id = m.role_id)
        SELECT coalesce(s.group_id, p.group_id), g.account_key, coalesce(s.person_key, p.person_key),
               CASE WHEN p.person_key IS NULL THEN 'member is not a person of the account'
                    WHEN s.person_key IS NULL THEN 'matching person is not a member'
                    WHEN s.is_removed THEN 'removed member matches a role'
                    WHEN p.role IS NULL THEN 'system member matches no role'
                    ELSE 'system member has another role' END,
               CASE WHEN s.person_key IS NULL THEN NULL
                    ELSE s.role || ' (' || s.source || CASE WHEN s.is_removed THEN ', removed' ELSE '' END || ')' END,
               p.role
          FROM stored s
          FULL JOIN person p ON p.group_id = s.group_id AND p.person_key = s.person_key
          JOIN buying_group.bgroup g ON g.id = coalesce(s.group_id, p.group_id)
         WHERE p.person_key IS NULL
            OR (p.update_existing AND (s.person_key IS NULL OR s.source = 'system')
                AND (s.person_key IS NULL AND p.role IS NOT NULL
                     OR s.person_key IS NOT NULL AND s.is_removed AND p.role IS NOT NULL
                     OR s.person_key IS NOT NULL AND NOT s.is_removed AND p.role IS DISTINCT FROM s.role))$q$,
        per.key_column, per.account_column, per.relation);
    -- scores: the stored completeness and member count against the aggregate over the members
    RETURN QUERY
    SELECT g.id, g.account_key, NULL::text, 'stored scores differ',
           g.completeness || ' / ' || g.member_count, c.completeness || ' / ' || c.members
      FROM buying_group.bgroup g
      JOIN (SELECT g2.id, coalesce(buying_group.completeness(t.name, r.name), 0) AS completeness,
                   count(m.person_key)::integer AS members
              FROM buying_group.bgroup g2
              JOIN buying_group.solution_interest si ON si.id = g2.solution_interest_id
              JOIN buying_group.template t ON t.id = si.template_id
              LEFT JOIN buying_group.bmember m ON m.buying_group_id = g2.id AND NOT m.is_removed
              LEFT JOIN buying_group.role r ON r.id = m.role_id
             GROUP BY g2.id) c ON c.id = g.id
     WHERE (g.completeness, g.member_count) IS DISTINCT FROM (c.completeness, c.members);
    -- the role counts the scores are computed from, against the members
    RETURN QUERY
    SELECT coalesce(k.buying_group_id, c.buying_group_id), g.account_key, NULL::text,
           'role count of ' || r.name || ' differs', coalesce(k.assigned, 0)::text, coalesce(c.n, 0)::text
      FROM (SELECT k2.buying_group_id, k2.role_id, k2.assigned FROM buying_group.bgroup_role k2
             WHERE k2.assigned <> 0) k
      FULL JOIN (SELECT m.buying_group_id, m.role_id, count(*) AS n FROM buying_group.bmember m
                  WHERE NOT m.is_removed GROUP BY 1, 2) c
        ON c.buying_group_id = k.buying_group_id AND c.role_id = k.role_id
      JOIN buying_group.bgroup g ON g.id = coalesce(k.buying_group_id, c.buying_group_id)
      JOIN buying_group.role r ON r.id = coalesce(k.role_id, c.role_id)
     WHERE coalesce(k.assigned, 0) <> coalesce(c.n, 0);
END
$$;
COMMENT ON FUNCTION buying_group.verify_scores() IS
'Recomputes every membership and score from scratch and lists each difference with what is stored and what is expected; empty when all is consistent';

-- The group of an account for a solution interest, locked against the
-- account's other writers; raises if there is none.
CREATE FUNCTION buying_group.group_for_update(si buying_group.solution_interest, account_key text)
RETURNS buying_group.bgroup
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g buying_group.bgroup;
BEGIN
    -- the account's writer lock first, in the triggers' order, then the row
    PERFORM buying_group.lock_accounts(ARRAY[account_key]);
    SELECT * INTO g FROM buying_group.bgroup x
     WHERE x.solution_interest_id = si.id AND x.account_key = group_for_update.account_key FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'account "%" has no buying group for solution interest "%"', account_key, si.name
            USING ERRCODE = 'undefined_object',
                  HINT = 'buying_group.create_buying_groups() creates the groups of an audience.';
    END IF;
    RETURN g;
END
$$;
COMMENT ON FUNCTION buying_group.group_for_update(buying_group.solution_interest, text) IS
'Internal: the buying group of an account, locked; raises if there is none';

-- Raises unless the source is one an API caller may use.
CREATE FUNCTION buying_group.require_source(source text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF source IS NULL OR source NOT IN ('manual', 'journey') THEN
        RAISE EXCEPTION 'unknown membership source "%"', source
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use ''manual'' or ''journey''; ''system'' is the creation and maintenance jobs'' own.';
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group.require_source(text) IS 'Internal: raises unless the source is manual or journey';

CREATE FUNCTION buying_group.assign_member(solution_interest text, account_key text, person_key text, role text,
                                           source text DEFAULT 'manual')
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    si buying_group.solution_interest := buying_group.solution_interest_of(solution_interest);
    per buying_group.binding := buying_group.bound('persons');
    g buying_group.bgroup;
    m buying_group.bmember;
    person_account text;
    found_person boolean;
    rid integer;
BEGIN
    PERFORM buying_group.require_source(source);
    g := buying_group.group_for_update(si, account_key);
    EXECUTE format('SELECT true, %I::text FROM %s WHERE %I::text = $1 LIMIT 1',
                   per.account_column, per.relation, per.key_column)
       INTO found_person, person_account USING person_key;
    IF found_person IS NULL THEN
        RAISE EXCEPTION 'person "%" does not exist', person_key
            USING ERRCODE = 'undefined_object', DETAIL = format('No row of %s has that key.', per.relation);
    END IF;
    IF person_account IS DISTINCT FROM account_key THEN
        RAISE EXCEPTION 'person "%" belongs to account "%", not "%"', person_key, person_account, account_key
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT r.id INTO rid FROM buying_group.template_role tr JOIN buying_group.role r ON r.id = tr.role_id
     WHERE tr.template_id = si.template_id AND r.name = assign_member.role;
    IF rid IS NULL THEN
        RAISE EXCEPTION 'role "%" is not in the template of solution interest "%"', role, si.name
            USING ERRCODE = 'undefined_object',
                  HINT = 'The view buying_group.template_roles lists the roles of each template.';
    END IF;
    SELECT * INTO m FROM buying_group.bmember x
     WHERE x.buying_group_id = g.id AND x.person_key = assign_member.person_key FOR UPDATE;
    IF FOUND AND buying_group.source_rank(m.source) > buying_group.source_rank(source) THEN
        RAISE NOTICE 'person "%" is % by a % decision; a % assignment cannot override it', person_key,
                     CASE WHEN m.is_removed THEN 'removed' ELSE 'assigned' END, m.source, source;
        RETURN false;
    END IF;
    IF FOUND AND NOT m.is_removed AND m.role_id = rid AND m.source = source THEN
        RETURN false;
    END IF;
    INSERT INTO buying_group.bmember AS x (buying_group_id, person_key, role_id, source)
    VALUES (g.id, assign_member.person_key, rid, assign_member.source)
    ON CONFLICT ON CONSTRAINT bmember_pkey DO UPDATE
       SET role_id = EXCLUDED.role_id, source = EXCLUDED.source, is_removed = false, removed_at = NULL,
           assigned_at = pg_catalog.now();
    -- the new role counts; the old one no longer, if it counted
    PERFORM buying_group.count_roles(ARRAY[g.id, g.id], ARRAY[rid, m.role_id],
                                     ARRAY[1, CASE WHEN m.person_key IS NOT NULL AND NOT m.is_removed THEN -1 END]);
    INSERT INTO buying_group.events (type, buying_group_id, account_key, person_key, payload)
    VALUES (CASE WHEN m.person_key IS NULL OR m.is_removed OR m.role_id = rid THEN 'member_assigned'
                 ELSE 'role_changed' END,
            g.id, g.account_key, assign_member.person_key,
            pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                'role', assign_member.role, 'source', assign_member.source,
                'old_role', CASE WHEN m.is_removed THEN NULL
                                 ELSE (SELECT r.name FROM buying_group.role r WHERE r.id = m.role_id) END,
                'old_source', m.source)));
    PERFORM buying_group.refresh_groups(ARRAY[g.id]);
    RETURN true;
END
$$;
COMMENT ON FUNCTION buying_group.assign_member(text, text, text, text, text) IS
'Assigns a person of the account to a role of its buying group (source manual or journey); false, with a NOTICE, when a higher source holds the membership';

CREATE FUNCTION buying_group.remove_member(solution_interest text, account_key text, person_key text,
                                           source text DEFAULT 'manual')
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    si buying_group.solution_interest := buying_group.solution_interest_of(solution_interest);
    g buying_group.bgroup;
    m buying_group.bmember;
BEGIN
    PERFORM buying_group.require_source(source);
    g := buying_group.group_for_update(si, account_key);
    SELECT * INTO m FROM buying_group.bmember x
     WHERE x.buying_group_id = g.id AND x.person_key = remove_member.person_key FOR UPDATE;
    IF NOT FOUND THEN
        RAISE NOTICE 'person "%" is not a member of the buying group', person_key;
        RETURN false;
    END IF;
    IF buying_group.source_rank(m.source) > buying_group.source_rank(source) THEN
        RAISE NOTICE 'person "%" is % by a % decision; a % removal cannot override it', person_key,
                     CASE WHEN m.is_removed THEN 'removed' ELSE 'assigned' END, m.source, source;
        RETURN false;
    END IF;
    IF m.is_removed AND m.source = source THEN
        RETURN false;
    END IF;
    UPDATE buying_group.bmember x
       SET is_removed = true, removed_at = coalesce(x.removed_at, pg_catalog.now()), source = remove_member.source
     WHERE x.buying_group_id = g.id AND x.person_key = remove_member.person_key;
    IF NOT m.is_removed THEN
        PERFORM buying_group.count_roles(ARRAY[g.id], ARRAY[m.role_id], ARRAY[-1]);
        INSERT INTO buying_group.events (type, buying_group_id, account_key, person_key, payload)
        VALUES ('member_removed', g.id, g.account_key, remove_member.person_key,
                pg_catalog.jsonb_build_object('role', (SELECT r.name FROM buying_group.role r WHERE r.id = m.role_id),
                                              'source', remove_member.source));
    END IF;
    PERFORM buying_group.refresh_groups(ARRAY[g.id]);
    RETURN true;
END
$$;
COMMENT ON FUNCTION buying_group.remove_member(text, text, text, text) IS
'Removes a member (softly) from its buying group (source manual or journey); false, with a NOTICE, when a higher source holds the membership';

CREATE FUNCTION buying_group.simulate(solution_interest text, template text)
RETURNS TABLE (account_key text, current_completeness numeric, simulated_completeness numeric,
               current_members integer, simulated_members integer)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    si buying_group.solution_interest := buying_group.solution_interest_of(solution_interest);
    per buying_group.binding := buying_group.bound('persons');
BEGIN
    PERFORM FROM buying_group.template_of(template);     -- raises if there is none
    RETURN QUERY EXECUTE format($q$
        SELECT g.account_key, g.completeness,
               coalesce(buying_group.completeness($2, mr.role), 0),
               g.member_count, count(mr.role)::integer
          FROM buying_group.bgroup g
          LEFT JOIN %1$s p ON p.%2$I::text = g.account_key AND p.%3$I IS NOT NULL
          LEFT JOIN LATERAL (SELECT buying_group.match_role($2, p) AS role) mr ON p.%3$I IS NOT NULL
         WHERE g.solution_interest_id = $1
         GROUP BY g.id
         ORDER BY g.account_key$q$, per.relation, per.account_column, per.key_column)
    USING si.id, template;
END
$$;
COMMENT ON FUNCTION buying_group.simulate(text, text) IS
'What-if: the completeness each buying group of the solution interest would have under another (e.g. draft) template; changes nothing';

--------------------------------------------------------------------------
-- Views for BI (SPEC 6, 9)
--------------------------------------------------------------------------

CREATE VIEW buying_group.solution_interests AS
SELECT si.name, si.description, t.name AS template, m.name AS stage_model, si.update_existing,
       si.sales_ready_completeness, si.sales_ready_engagement, si.created_at
  FROM buying_group.solution_interest si JOIN buying_group.template t ON t.id = si.template_id
  LEFT JOIN buying_group.stage_model m ON m.id = si.stage_model_id;
COMMENT ON VIEW buying_group.solution_interests IS 'Solution interests and their templates';
COMMENT ON COLUMN buying_group.solution_interests.name IS 'Solution interest name, unique';
COMMENT ON COLUMN buying_group.solution_interests.description IS 'Free text';
COMMENT ON COLUMN buying_group.solution_interests.template IS 'Its live template';
COMMENT ON COLUMN buying_group.solution_interests.stage_model IS 'Its stage model (NULL: none)';
COMMENT ON COLUMN buying_group.solution_interests.update_existing IS 'Whether run_maintenance re-evaluates its groups';
COMMENT ON COLUMN buying_group.solution_interests.sales_ready_completeness IS 'Completeness a group needs to be sales-ready';
COMMENT ON COLUMN buying_group.solution_interests.sales_ready_engagement IS 'Engagement a group needs to be sales-ready';
COMMENT ON COLUMN buying_group.solution_interests.created_at IS 'When it was created';

CREATE VIEW buying_group.buying_groups AS
SELECT g.id, g.name, g.account_key, si.name AS solution_interest, t.name AS template, g.stage, g.status,
       g.completeness, pg_catalog.round(g.completeness)::integer AS completeness_display,
       g.engagement, pg_catalog.round(g.engagement)::integer AS engagement_display,
       g.member_count, g.sales_ready, g.created_at, g.updated_at
  FROM buying_group.bgroup g
  JOIN buying_group.solution_interest si ON si.id = g.solution_interest_id
  JOIN buying_group.template t ON t.id = si.template_id;
COMMENT ON VIEW buying_group.buying_groups IS 'Buying groups with their scores';
COMMENT ON COLUMN buying_group.buying_groups.id IS 'Buying group id';
COMMENT ON COLUMN buying_group.buying_groups.name IS '<solution interest> for <account name>';
COMMENT ON COLUMN buying_group.buying_groups.account_key IS 'Key of the account (as text)';
COMMENT ON COLUMN buying_group.buying_groups.solution_interest IS 'Solution interest name';
COMMENT ON COLUMN buying_group.buying_groups.template IS 'The solution interest''s template';
COMMENT ON COLUMN buying_group.buying_groups.stage IS 'Stage in the solution interest''s stage model (NULL: none yet)';
COMMENT ON COLUMN buying_group.buying_groups.status IS 'Free-text status';
COMMENT ON COLUMN buying_group.buying_groups.completeness IS 'Completeness 0..100 at full precision';
COMMENT ON COLUMN buying_group.buying_groups.completeness_display IS 'Completeness rounded half up, for display';
COMMENT ON COLUMN buying_group.buying_groups.engagement IS 'Engagement 0..100 at full precision (NULL until engagement is computed)';
COMMENT ON COLUMN buying_group.buying_groups.engagement_display IS 'Engagement rounded half up, for display';
COMMENT ON COLUMN buying_group.buying_groups.member_count IS 'Members not removed';
COMMENT ON COLUMN buying_group.buying_groups.sales_ready IS 'Completeness and engagement reach the solution interest''s thresholds';
COMMENT ON COLUMN buying_group.buying_groups.created_at IS 'When the group was created';
COMMENT ON COLUMN buying_group.buying_groups.updated_at IS 'When its scores last changed';

CREATE VIEW buying_group.members AS
SELECT m.buying_group_id, g.account_key, m.person_key, r.name AS role, m.source, m.is_removed,
       m.assigned_at, m.removed_at
  FROM buying_group.bmember m
  JOIN buying_group.bgroup g ON g.id = m.buying_group_id
  JOIN buying_group.role r ON r.id = m.role_id;
COMMENT ON VIEW buying_group.members IS 'Members of buying groups, removed ones included';
COMMENT ON COLUMN buying_group.members.buying_group_id IS 'Buying group id';
COMMENT ON COLUMN buying_group.members.account_key IS 'Key of the group''s account';
COMMENT ON COLUMN buying_group.members.person_key IS 'Key of the person (as text)';
COMMENT ON COLUMN buying_group.members.role IS 'The person''s role in the group';
COMMENT ON COLUMN buying_group.members.source IS 'Source of the latest decision: manual, journey or system';
COMMENT ON COLUMN buying_group.members.is_removed IS 'Removed (softly): kept for history, not counted';
COMMENT ON COLUMN buying_group.members.assigned_at IS 'When the person was (last) assigned';
COMMENT ON COLUMN buying_group.members.removed_at IS 'When the person was removed';

CREATE VIEW buying_group.role_coverage AS
SELECT g.id AS buying_group_id, r.name AS role, tr.required, tr.members_required,
       coalesce(k.assigned, 0) AS assigned,
       100 * LEAST(coalesce(k.assigned, 0), tr.members_required)::numeric / tr.members_required AS completeness
  FROM buying_group.bgroup g
  JOIN buying_group.solution_interest si ON si.id = g.solution_interest_id
  JOIN buying_group.template_role tr ON tr.template_id = si.template_id
  JOIN buying_group.role r ON r.id = tr.role_id
  LEFT JOIN buying_group.bgroup_role k ON k.buying_group_id = g.id AND k.role_id = tr.role_id;
COMMENT ON VIEW buying_group.role_coverage IS 'For each buying group and each role of its template: how many members hold it';
COMMENT ON COLUMN buying_group.role_coverage.buying_group_id IS 'Buying group id';
COMMENT ON COLUMN buying_group.role_coverage.role IS 'Role of the template';
COMMENT ON COLUMN buying_group.role_coverage.required IS 'Whether the role counts for completeness';
COMMENT ON COLUMN buying_group.role_coverage.members_required IS 'How many members fill the role';
COMMENT ON COLUMN buying_group.role_coverage.assigned IS 'Members holding the role (removed ones not counted)';
COMMENT ON COLUMN buying_group.role_coverage.completeness IS 'The role''s completeness 0..100 at full precision';

CREATE VIEW buying_group.missing_roles AS
SELECT c.buying_group_id, g.account_key, si.name AS solution_interest, c.role, c.members_required, c.assigned
  FROM buying_group.role_coverage c
  JOIN buying_group.bgroup g ON g.id = c.buying_group_id
  JOIN buying_group.solution_interest si ON si.id = g.solution_interest_id
 WHERE c.required AND c.assigned < c.members_required;
COMMENT ON VIEW buying_group.missing_roles IS 'Required roles of buying groups below their threshold';
COMMENT ON COLUMN buying_group.missing_roles.buying_group_id IS 'Buying group id';
COMMENT ON COLUMN buying_group.missing_roles.account_key IS 'Key of the group''s account';
COMMENT ON COLUMN buying_group.missing_roles.solution_interest IS 'Solution interest name';
COMMENT ON COLUMN buying_group.missing_roles.role IS 'The role that is missing members';
COMMENT ON COLUMN buying_group.missing_roles.members_required IS 'How many members fill the role';
COMMENT ON COLUMN buying_group.missing_roles.assigned IS 'How many hold it';

CREATE VIEW buying_group.incomplete_groups AS
SELECT b.*
  FROM buying_group.buying_groups b
 WHERE EXISTS (SELECT FROM buying_group.missing_roles mr WHERE mr.buying_group_id = b.id);
COMMENT ON VIEW buying_group.incomplete_groups IS 'Buying groups with missing required roles (for ad retargeting)';

CREATE VIEW buying_group.sales_ready_groups AS
SELECT b.* FROM buying_group.buying_groups b WHERE b.sales_ready;
COMMENT ON VIEW buying_group.sales_ready_groups IS 'Buying groups that reach their solution interest''s sales-ready thresholds';

-- the two views above have the columns of buying_groups: the same comments
DO $comments$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT a.attname, pg_catalog.col_description(a.attrelid, a.attnum) AS comment
               FROM pg_catalog.pg_attribute a
              WHERE a.attrelid = 'buying_group.buying_groups'::regclass AND a.attnum > 0 LOOP
        EXECUTE format('COMMENT ON COLUMN buying_group.incomplete_groups.%I IS %L', c.attname, c.comment);
        EXECUTE format('COMMENT ON COLUMN buying_group.sales_ready_groups.%I IS %L', c.attname, c.comment);
    END LOOP;
END
$comments$;

--------------------------------------------------------------------------
-- Engagement (SPEC 7)
--------------------------------------------------------------------------

CREATE SEQUENCE buying_group.engagement_model_id_seq AS integer;
CREATE TABLE buying_group.engagement_model (
    id           integer PRIMARY KEY DEFAULT pg_catalog.nextval('buying_group.engagement_model_id_seq'),
    name         text NOT NULL UNIQUE CHECK (pg_catalog.btrim(name) = name AND name <> ''),
    status       text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'archived')),
    daily_cap    integer NOT NULL DEFAULT 20 CHECK (daily_cap >= 1),
    window_days  integer NOT NULL DEFAULT 30 CHECK (window_days >= 1),
    created_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    activated_at timestamptz
);
ALTER SEQUENCE buying_group.engagement_model_id_seq OWNED BY buying_group.engagement_model.id;
CREATE UNIQUE INDEX engagement_model_one_active ON buying_group.engagement_model ((true)) WHERE status = 'active';
COMMENT ON TABLE buying_group.engagement_model IS 'Engagement models: activity weights, daily cap and window; exactly one is active';

CREATE TABLE buying_group.activity_weight (
    model_id      integer NOT NULL REFERENCES buying_group.engagement_model (id) ON DELETE CASCADE,
    activity_type text NOT NULL,
    weight        numeric NOT NULL CHECK (weight >= 0),
    PRIMARY KEY (model_id, activity_type)
);
COMMENT ON TABLE buying_group.activity_weight IS 'The weight of each activity type in an engagement model; types not listed count 0';
SELECT pg_catalog.pg_extension_config_dump('buying_group.engagement_model', '');
SELECT pg_catalog.pg_extension_config_dump('buying_group.engagement_model_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('buying_group.activity_weight', '');

INSERT INTO buying_group.engagement_model (name, status, activated_at) VALUES ('AJO standard', 'active', pg_catalog.now());
INSERT INTO buying_group.activity_weight (model_id, activity_type, weight)
SELECT m.id, w.activity_type, w.weight
  FROM buying_group.engagement_model m,
       (VALUES ('attend_event', 60), ('email_clicked', 30), ('email_opened', 30), ('form_filled_out', 40),
               ('interesting_moment', 60), ('link_clicked', 40), ('page_viewed', 40),
               ('registered_for_event', 60)) w(activity_type, weight);

-- Weights of active and archived models are frozen.
CREATE FUNCTION buying_group.activity_weight_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m buying_group.engagement_model;
BEGIN
    SELECT * INTO m FROM buying_group.engagement_model x
     WHERE x.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.model_id ELSE NEW.model_id END;
    IF m.status <> 'draft' THEN
        RAISE EXCEPTION 'engagement model "%" is %', m.name, m.status
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'Only the weights of a draft model can change.',
                  HINT = 'Copy it into a new draft with buying_group.create_engagement_model(name, copy_from => ...).';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER activity_weight_guard BEFORE INSERT OR UPDATE OR DELETE ON buying_group.activity_weight
    FOR EACH ROW EXECUTE FUNCTION buying_group.activity_weight_guard();

-- Looks up an engagement model by name, locked.
CREATE FUNCTION buying_group.engagement_model_for_update(model text)
RETURNS buying_group.engagement_model
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m buying_group.engagement_model;
BEGIN
    SELECT * INTO m FROM buying_group.engagement_model x WHERE x.name = model FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'engagement model "%" does not exist', model
            USING ERRCODE = 'undefined_object',
                  HINT = 'The view buying_group.engagement_models lists them.';
    END IF;
    RETURN m;
END
$$;
COMMENT ON FUNCTION buying_group.engagement_model_for_update(text) IS 'Internal: the engagement model of that name, locked; raises if there is none';

CREATE FUNCTION buying_group.create_engagement_model(name text, copy_from text DEFAULT NULL,
                                                     daily_cap integer DEFAULT 20, window_days integer DEFAULT 30)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    src buying_group.engagement_model;
    mid integer;
BEGIN
    IF name IS NULL OR btrim(name) = '' THEN
        RAISE EXCEPTION 'engagement model name must not be empty' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT FROM buying_group.engagement_model x WHERE x.name = btrim(create_engagement_model.name)) THEN
        RAISE EXCEPTION 'engagement model "%" already exists', btrim(name) USING ERRCODE = 'duplicate_object';
    END IF;
    IF daily_cap IS NULL OR daily_cap < 1 OR window_days IS NULL OR window_days < 1 THEN
        RAISE EXCEPTION 'daily_cap and window_days must be at least 1' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF copy_from IS NOT NULL THEN
        src := buying_group.engagement_model_for_update(copy_from);
    END IF;
    INSERT INTO buying_group.engagement_model AS x (name, daily_cap, window_days)
    VALUES (btrim(create_engagement_model.name), create_engagement_model.daily_cap, create_engagement_model.window_days)
    RETURNING x.id INTO mid;
    INSERT INTO buying_group.activity_weight (model_id, activity_type, weight)
    SELECT mid, w.activity_type, w.weight FROM buying_group.activity_weight w WHERE w.model_id = src.id;
    RETURN mid;
END
$$;
COMMENT ON FUNCTION buying_group.create_engagement_model(text, text, integer, integer) IS
'Creates a draft engagement model, empty or with the weights of another; returns its id';

CREATE FUNCTION buying_group.set_activity_weight(model text, activity_type text, weight numeric)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m buying_group.engagement_model := buying_group.engagement_model_for_update(model);
BEGIN
    IF activity_type IS NULL OR btrim(activity_type) = '' THEN
        RAISE EXCEPTION 'activity type must not be empty' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF weight IS NULL OR weight < 0 THEN
        RAISE EXCEPTION 'weight must be 0 or more, not %', coalesce(weight::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO buying_group.activity_weight AS w (model_id, activity_type, weight)
    VALUES (m.id, set_activity_weight.activity_type, set_activity_weight.weight)
    ON CONFLICT ON CONSTRAINT activity_weight_pkey DO UPDATE SET weight = EXCLUDED.weight;
END
$$;
COMMENT ON FUNCTION buying_group.set_activity_weight(text, text, numeric) IS
'Sets the weight of an activity type in a draft engagement model (0 makes it count nothing)';

CREATE FUNCTION buying_group.activate_engagement_model(model text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m buying_group.engagement_model := buying_group.engagement_model_for_update(model);
BEGIN
    IF m.status <> 'draft' THEN
        RAISE EXCEPTION 'engagement model "%" is %', m.name, m.status
            USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = 'Only a draft model can be activated.';
    END IF;
    UPDATE buying_group.engagement_model x SET status = 'archived' WHERE x.status = 'active';
    UPDATE buying_group.engagement_model x SET status = 'active', activated_at = pg_catalog.now() WHERE x.id = m.id;
END
$$;
COMMENT ON FUNCTION buying_group.activate_engagement_model(text) IS
'Makes a draft engagement model the active one; the previous one is archived';

CREATE VIEW buying_group.engagement_models AS
SELECT m.name, m.status, m.daily_cap, m.window_days, m.created_at, m.activated_at,
       (SELECT count(*) FROM buying_group.activity_weight w WHERE w.model_id = m.id) AS activity_types
  FROM buying_group.engagement_model m;
COMMENT ON VIEW buying_group.engagement_models IS 'Engagement models: draft, active (exactly one) or archived';
COMMENT ON COLUMN buying_group.engagement_models.name IS 'Model name';
COMMENT ON COLUMN buying_group.engagement_models.status IS 'draft, active or archived';
COMMENT ON COLUMN buying_group.engagement_models.daily_cap IS 'Occurrences of one activity type counted per person and day at most';
COMMENT ON COLUMN buying_group.engagement_models.window_days IS 'Days of activity the score looks back';
COMMENT ON COLUMN buying_group.engagement_models.created_at IS 'When the model was created';
COMMENT ON COLUMN buying_group.engagement_models.activated_at IS 'When it became active';
COMMENT ON COLUMN buying_group.engagement_models.activity_types IS 'How many activity types it weighs';

CREATE VIEW buying_group.activity_weights AS
SELECT w.activity_type, w.weight, m.daily_cap, m.window_days
  FROM buying_group.activity_weight w JOIN buying_group.engagement_model m ON m.id = w.model_id
 WHERE m.status = 'active';
COMMENT ON VIEW buying_group.activity_weights IS 'The active engagement model: activity type -> weight; types not listed count 0';
COMMENT ON COLUMN buying_group.activity_weights.activity_type IS 'Activity type as the activities table names it';
COMMENT ON COLUMN buying_group.activity_weights.weight IS 'Its weight';
COMMENT ON COLUMN buying_group.activity_weights.daily_cap IS 'Occurrences counted per person, type and day at most';
COMMENT ON COLUMN buying_group.activity_weights.window_days IS 'Days of activity the score looks back';

CREATE FUNCTION buying_group.capped_points_transfn(internal, integer, date, float8, integer)
RETURNS internal
AS 'MODULE_PATHNAME', 'bg_capped_points_transfn'
LANGUAGE C CALLED ON NULL INPUT;
COMMENT ON FUNCTION buying_group.capped_points_transfn(internal, integer, date, float8, integer) IS
'Internal: counts one activity of a (type, day) for capped_points';
CREATE FUNCTION buying_group.capped_points_finalfn(internal)
RETURNS float8
AS 'MODULE_PATHNAME', 'bg_capped_points_finalfn'
LANGUAGE C;
COMMENT ON FUNCTION buying_group.capped_points_finalfn(internal) IS
'Internal: weight x min(count, cap) summed over the (type, day) entries of capped_points';
CREATE AGGREGATE buying_group.capped_points(type_id integer, day date, weight float8, cap integer) (
    SFUNC = buying_group.capped_points_transfn,
    STYPE = internal,
    SSPACE = 256,               -- a state with a few (type, day) entries: lets the planner hash by person
    FINALFUNC = buying_group.capped_points_finalfn
);
COMMENT ON AGGREGATE buying_group.capped_points(integer, date, float8, integer) IS
'Internal: over one person''s activities, the sum over (type, day) of weight x min(occurrences, cap) (SPEC 7)';

-- What a refresh stores: per person its weighted points, which change only
-- where activity entered or left the window, and once the scale. The scores
-- are computed from both when read (buying_group.person_score), so that a
-- daily refresh rewrites only the persons whose activity changed.
CREATE TABLE buying_group.person_points (
    person_key text PRIMARY KEY,
    points     double precision NOT NULL     -- sum over types and days of weight x min(count, cap)
) WITH (fillfactor = 50);     -- room on each page: a changed score is a HOT update, no index entry
COMMENT ON TABLE buying_group.person_points IS 'Per bound person: weighted, capped activity points of the last refresh_engagement';

CREATE TABLE buying_group.engagement_refresh (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    as_of       timestamptz NOT NULL,
    model_id    integer NOT NULL REFERENCES buying_group.engagement_model (id),
    top_weight  double precision,               -- max weight of the types in the window (NULL: none)
    low_points  double precision NOT NULL,      -- least and most points of a bound person
    high_points double precision NOT NULL,
    refreshed_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE buying_group.engagement_refresh IS 'The last refresh_engagement: its as_of, model and scale';

CREATE VIEW buying_group.person_score AS
SELECT pp.person_key,
       (CASE WHEN r.top_weight > 0 THEN pp.points / r.top_weight ELSE 0 END)::numeric AS raw_engagement,
       (CASE WHEN r.high_points = r.low_points THEN CASE WHEN pp.points > 0 THEN 100 ELSE 0 END
             ELSE 100 * (pg_catalog.sqrt(pp.points / r.top_weight) - pg_catalog.sqrt(r.low_points / r.top_weight))
                      / (pg_catalog.sqrt(r.high_points / r.top_weight) - pg_catalog.sqrt(r.low_points / r.top_weight))
        END)::numeric AS engagement,
       r.as_of
  FROM buying_group.person_points pp CROSS JOIN buying_group.engagement_refresh r;
COMMENT ON VIEW buying_group.person_score IS 'Person engagement scores of the last refresh_engagement, from its points and scale';
COMMENT ON COLUMN buying_group.person_score.person_key IS 'Key of the person (as text)';
COMMENT ON COLUMN buying_group.person_score.raw_engagement IS 'Points relative to the largest weight in the window: sum of min(count, cap) x w / max w';
COMMENT ON COLUMN buying_group.person_score.engagement IS 'Person engagement score 0..100 (PES): the square root of raw_engagement, scaled over all bound persons';
COMMENT ON COLUMN buying_group.person_score.as_of IS 'The as_of of the refresh';

CREATE VIEW buying_group.person_engagement AS
SELECT s.person_key, s.raw_engagement, s.engagement, s.as_of FROM buying_group.person_score s;
COMMENT ON VIEW buying_group.person_engagement IS 'One row per bound person: engagement of the last refresh (0 without activity)';
COMMENT ON COLUMN buying_group.person_engagement.person_key IS 'Key of the person (as text)';
COMMENT ON COLUMN buying_group.person_engagement.raw_engagement IS 'Capped, weighted activity points in the window, before the square root and the scaling';
COMMENT ON COLUMN buying_group.person_engagement.engagement IS 'Person engagement score 0..100 (PES)';
COMMENT ON COLUMN buying_group.person_engagement.as_of IS 'The as_of of the refresh';

-- Whether a column alone is unique (a unique index on it, without predicate).
CREATE FUNCTION buying_group.is_unique_column(tbl regclass, col name)
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT FROM pg_catalog.pg_index i
                     JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                    WHERE i.indrelid = tbl AND i.indisunique AND i.indnkeyatts = 1
                      AND i.indpred IS NULL AND i.indexprs IS NULL AND a.attname = col)
$$;
COMMENT ON FUNCTION buying_group.is_unique_column(regclass, name) IS 'Internal: whether a unique index makes the column alone unique';

-- The SQL expressions of the bound activities' time and UTC day.
CREATE FUNCTION buying_group.activity_time_sql(act buying_group.binding, OUT at_sql text, OUT day_sql text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    typ regtype := (SELECT a.atttypid::regtype FROM pg_catalog.pg_attribute a
                     WHERE a.attrelid = act.relation AND a.attname = act.at_column);
BEGIN
    -- timestamps without time zone and dates are read as UTC
    at_sql := CASE typ WHEN 'timestamptz'::regtype THEN format('a.%I', act.at_column)
                       WHEN 'timestamp'::regtype THEN format('(a.%I AT TIME ZONE ''UTC'')', act.at_column)
                       ELSE format('(a.%I::timestamp AT TIME ZONE ''UTC'')', act.at_column) END;
    day_sql := format('(%s AT TIME ZONE ''UTC'')::date', at_sql);
END
$$;
COMMENT ON FUNCTION buying_group.activity_time_sql(buying_group.binding, OUT text, OUT text) IS
'Internal: SQL for the time and the UTC day of an activity row';

-- Each member's part of its group's engagement: its score times its role's
-- share of the weights of the roles the group uses (SPEC 7).
CREATE VIEW buying_group.member_engagement AS
SELECT m.buying_group_id, m.person_key, r.name AS role,
       w.value::numeric / sum(w.value) FILTER (WHERE m.first_of_role)
                              OVER (PARTITION BY m.buying_group_id) AS share,
       coalesce(ps.engagement, 0) AS engagement,
       coalesce(ps.engagement, 0) * w.value
           / sum(w.value) FILTER (WHERE m.first_of_role) OVER (PARTITION BY m.buying_group_id) AS contribution
  FROM (SELECT mb.*, row_number() OVER (PARTITION BY mb.buying_group_id, mb.role_id ORDER BY mb.person_key) = 1
                     AS first_of_role
          FROM buying_group.bmember mb WHERE NOT mb.is_removed) m
  JOIN buying_group.bgroup g ON g.id = m.buying_group_id
  JOIN buying_group.solution_interest si ON si.id = g.solution_interest_id
  JOIN buying_group.template_role tr ON tr.template_id = si.template_id AND tr.role_id = m.role_id
  JOIN buying_group.weight w ON w.name = tr.weight
  JOIN buying_group.role r ON r.id = m.role_id
  LEFT JOIN buying_group.person_score ps ON ps.person_key = m.person_key;
COMMENT ON VIEW buying_group.member_engagement IS 'Each member''s part of its buying group''s engagement (last refresh)';
COMMENT ON COLUMN buying_group.member_engagement.buying_group_id IS 'Buying group id';
COMMENT ON COLUMN buying_group.member_engagement.person_key IS 'The member';
COMMENT ON COLUMN buying_group.member_engagement.role IS 'Its role';
COMMENT ON COLUMN buying_group.member_engagement.share IS 'The role''s weight over the summed weights of the roles the group uses';
COMMENT ON COLUMN buying_group.member_engagement.engagement IS 'The member''s engagement score (PES)';
COMMENT ON COLUMN buying_group.member_engagement.contribution IS 'engagement x share: its part of the group''s raw engagement';

CREATE FUNCTION buying_group.refresh_engagement(as_of timestamptz DEFAULT pg_catalog.now())
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    act buying_group.binding := buying_group.bound('activities');
    per buying_group.binding := buying_group.bound('persons');
    m buying_group.engagement_model;
    t record;
    si record;
    persons bigint;
    low double precision;
    high double precision;
    top double precision;
    ids bigint[];
    scores numeric[];
BEGIN
    IF as_of IS NULL THEN
        RAISE EXCEPTION 'as_of must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    -- one refresh at a time; writers of persons go on meanwhile
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('buying_group.refresh_engagement'));
    SELECT * INTO m FROM buying_group.engagement_model x WHERE x.status = 'active';
    t := buying_group.activity_time_sql(act);

    -- one aggregation by person (capped_points counts per type and day itself);
    -- only the persons whose points changed are written, then the scale
    EXECUTE format($q$
        WITH weights AS (
            SELECT w.activity_type, w.weight::float8 AS weight,
                   row_number() OVER (ORDER BY w.activity_type)::integer AS type_id
              FROM buying_group.activity_weight w
             WHERE w.model_id = $3 AND w.weight > 0),
        points AS (
            SELECT a.%1$I::text AS person_key, buying_group.capped_points(w.type_id, %3$s, w.weight, $4) AS points,
                   max(w.weight) AS top_weight
              FROM %4$s a JOIN weights w ON w.activity_type = a.%2$I::text
             WHERE %5$s > $1 - pg_catalog.make_interval(days => $2) AND %5$s <= $1
             GROUP BY 1),
        fresh AS (
            SELECT p.person_key, coalesce(pt.points, 0) AS points
              FROM (SELECT x.%6$I::text AS person_key FROM %7$s x WHERE x.%6$I IS NOT NULL %8$s) p
              LEFT JOIN points pt ON pt.person_key = p.person_key),
        diff AS (
            SELECT coalesce(f.person_key, o.person_key) AS person_key, f.points AS new_points,
                   o.person_key IS NOT NULL AS stored
              FROM fresh f FULL JOIN buying_group.person_points o ON o.person_key = f.person_key
             WHERE f.points IS DISTINCT FROM o.points),
        gone AS (
            DELETE FROM buying_group.person_points x USING diff d
             WHERE x.person_key = d.person_key AND d.new_points IS NULL),
        changed AS (
            UPDATE buying_group.person_points x SET points = d.new_points FROM diff d
             WHERE x.person_key = d.person_key AND d.stored AND d.new_points IS NOT NULL),
        added AS (
            INSERT INTO buying_group.person_points (person_key, points)
            SELECT d.person_key, d.new_points FROM diff d WHERE NOT d.stored)
        SELECT count(*), min(f.points), max(f.points), (SELECT max(pt.top_weight) FROM points pt) FROM fresh f$q$,
        act.person_column, act.type_column, t.day_sql, act.relation, t.at_sql, per.key_column, per.relation,
        CASE WHEN buying_group.is_unique_column(per.relation, per.key_column) THEN '' ELSE 'GROUP BY 1' END)
    INTO persons, low, high, top USING as_of, m.window_days, m.id, m.daily_cap;
    INSERT INTO buying_group.engagement_refresh AS r (as_of, model_id, top_weight, low_points, high_points)
    VALUES (as_of, m.id, top, coalesce(low, 0), coalesce(high, 0))
    ON CONFLICT (singleton) DO UPDATE
       SET as_of = EXCLUDED.as_of, model_id = EXCLUDED.model_id, top_weight = EXCLUDED.top_weight,
           low_points = EXCLUDED.low_points, high_points = EXCLUDED.high_points, refreshed_at = pg_catalog.now();

    -- roles whose conditions test person_engagement_score follow the new
    -- scores, before the groups' engagement is computed from their members;
    -- writers of persons wait meanwhile, as for a bulk statement
    FOR si IN SELECT x.id, tp.name AS template, x.update_existing
                FROM buying_group.solution_interest x JOIN buying_group.template tp ON tp.id = x.template_id
               WHERE EXISTS (SELECT FROM buying_group.template_role tr
                              WHERE tr.template_id = tp.id
                                AND pg_catalog.jsonb_path_exists(tr.conditions,
                                        '$.** ? (@.attr == "person_engagement_score")'))
               ORDER BY x.id LOOP
        PERFORM buying_group.lock_accounts(NULL);
        PERFORM buying_group.sync_members(si.id, si.template, NULL, NULL, si.update_existing);
    END LOOP;

    -- group scores: members' scores weighted by their roles' shares among the roles used
    WITH graw AS (
        SELECT g.id, pg_catalog.sqrt(coalesce(sum(me.contribution), 0)) AS s
          FROM buying_group.bgroup g
          LEFT JOIN buying_group.member_engagement me ON me.buying_group_id = g.id
         GROUP BY g.id),
    bounds AS (SELECT min(s) AS lo, max(s) AS hi FROM graw)
    SELECT array_agg(gr.id ORDER BY gr.id),
           array_agg(CASE WHEN b.hi = b.lo THEN CASE WHEN gr.s > 0 THEN 100 ELSE 0 END
                          ELSE 100 * (gr.s - b.lo) / (b.hi - b.lo) END ORDER BY gr.id)
      INTO ids, scores
      FROM graw gr, bounds b;
    PERFORM buying_group.refresh_groups(coalesce(ids, '{}'), true, scores);
    RETURN persons;
END
$$;
COMMENT ON FUNCTION buying_group.refresh_engagement(timestamptz) IS
'The daily engagement batch (AJO B2B''s algorithm): person scores over the window ending at as_of, then group scores; deterministic for a given as_of; returns how many persons it scored';

CREATE FUNCTION buying_group.explain_engagement(buying_group_id bigint)
RETURNS TABLE (person_key text, role text, role_share numeric, person_raw numeric, person_engagement numeric,
               contribution numeric, activity_type text, activity_points numeric)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    act buying_group.binding := buying_group.bound('activities');
    m buying_group.engagement_model;
    t record;
    as_of timestamptz := (SELECT r.as_of FROM buying_group.engagement_refresh r);
BEGIN
    IF NOT EXISTS (SELECT FROM buying_group.bgroup g WHERE g.id = explain_engagement.buying_group_id) THEN
        RAISE EXCEPTION 'buying group % does not exist', buying_group_id USING ERRCODE = 'undefined_object';
    END IF;
    -- the model of the last refresh, which the stored scores come from
    SELECT x.* INTO m FROM buying_group.engagement_model x
     WHERE x.id = coalesce((SELECT r.model_id FROM buying_group.engagement_refresh r),
                           (SELECT y.id FROM buying_group.engagement_model y WHERE y.status = 'active'));
    t := buying_group.activity_time_sql(act);
    RETURN QUERY EXECUTE format($q$
        WITH member AS (
            SELECT me.person_key, me.role, me.share, me.engagement, me.contribution
              FROM buying_group.member_engagement me WHERE me.buying_group_id = $1),
        counts AS (
            SELECT a.%1$I::text AS person_key, a.%2$I::text AS activity_type, %3$s AS day, count(*) AS n
              FROM %4$s a
             WHERE %5$s > $2 - pg_catalog.make_interval(days => $3) AND %5$s <= $2
               AND a.%1$I::text IN (SELECT mm.person_key FROM member mm)
             GROUP BY 1, 2, 3),
        used AS (
            SELECT w.activity_type, w.weight / max(w.weight) OVER () AS relative
              FROM buying_group.activity_weight w
             WHERE w.model_id = $4 AND w.weight > 0
               AND EXISTS (SELECT FROM %4$s a WHERE a.%2$I::text = w.activity_type
                              AND %5$s > $2 - pg_catalog.make_interval(days => $3) AND %5$s <= $2)),
        points AS (
            SELECT c.person_key, c.activity_type, sum(LEAST(c.n, $5) * u.relative) AS points
              FROM counts c JOIN used u ON u.activity_type = c.activity_type GROUP BY 1, 2)
        SELECT mm.person_key, mm.role, mm.share, coalesce(ps.raw_engagement, 0), mm.engagement,
               mm.contribution, pt.activity_type, pt.points
          FROM member mm
          LEFT JOIN buying_group.person_score ps ON ps.person_key = mm.person_key
          LEFT JOIN points pt ON pt.person_key = mm.person_key
         ORDER BY mm.person_key, pt.activity_type$q$,
        act.person_column, act.type_column, t.day_sql, act.relation, t.at_sql)
    USING buying_group_id, as_of, m.window_days, m.id, m.daily_cap;
END
$$;
COMMENT ON FUNCTION buying_group.explain_engagement(bigint) IS
'Explains a group''s engagement: each member''s role share, score and contribution, and the points of each activity type (window of the last refresh)';

--------------------------------------------------------------------------
-- Stage and status of buying groups (SPEC 9): manual moves checked against
-- the stage model, automatic transitions, events
--------------------------------------------------------------------------

CREATE FUNCTION buying_group.set_stage_model(solution_interest text, stage_model text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    si buying_group.solution_interest := buying_group.solution_interest_of(solution_interest);
    model_id integer;
BEGIN
    IF stage_model IS NOT NULL THEN
        model_id := (buying_group.stage_model_for_update(stage_model)).id;
    END IF;
    IF model_id IS NOT DISTINCT FROM si.stage_model_id THEN
        RETURN;
    END IF;
    -- every writer of groups waits (a set_stage in flight commits first), then
    -- the guard wants the model live and no group in a stage
    PERFORM buying_group.lock_accounts(NULL);
    UPDATE buying_group.solution_interest x SET stage_model_id = model_id WHERE x.id = si.id;
END
$$;
COMMENT ON FUNCTION buying_group.set_stage_model(text, text) IS
'Attaches a live stage model to a solution interest (NULL detaches it), while none of its groups has a stage';

-- Takes the automatic transitions of the given groups whose conditions hold,
-- until none applies (they cannot loop: load_stage_model refuses cycles).
-- Each move is a stage_changed event when emit_events.
CREATE FUNCTION buying_group.advance_stages(ids bigint[], emit_events boolean DEFAULT true)
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
COMMENT ON FUNCTION buying_group.advance_stages(bigint[], boolean) IS
'Internal: moves the given groups along the automatic transitions whose conditions hold; returns how many moves were made';

CREATE FUNCTION buying_group.set_stage(solution_interest text, account_key text, stage text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    si buying_group.solution_interest := buying_group.solution_interest_of(solution_interest);
    g buying_group.bgroup;
    target buying_group.stage;
    model text;
BEGIN
    g := buying_group.group_for_update(si, account_key);
    -- read again under the account's lock: set_stage_model waits for it
    si := buying_group.solution_interest_of(solution_interest);
    model := (SELECT m.name FROM buying_group.stage_model m WHERE m.id = si.stage_model_id);
    IF model IS NULL THEN
        RAISE EXCEPTION 'solution interest "%" has no stage model', si.name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Attach a live one with buying_group.set_stage_model().';
    END IF;
    target := buying_group.stage_by_name(si.stage_model_id, stage);
    IF target.name IS NULL THEN
        RAISE EXCEPTION 'stage model "%" has no stage "%"', model, stage
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Its stages are: %s.', buying_group.stage_list(si.stage_model_id));
    END IF;
    IF g.stage = target.name THEN
        RETURN g.stage;
    END IF;
    IF g.stage IS NULL AND target.kind <> 'entry' THEN
        RAISE EXCEPTION 'buying group "%" has no stage yet and "%" is not an entry stage', g.name, target.name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('A group without a stage can enter: %s.',
                                  buying_group.stage_list(si.stage_model_id, 'entry'));
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
            pg_catalog.jsonb_build_object('old', g.stage, 'new', target.name, 'by', 'manual'));
    PERFORM buying_group.advance_stages(ARRAY[g.id]);
    RETURN (SELECT x.stage FROM buying_group.bgroup x WHERE x.id = g.id);
END
$$;
COMMENT ON FUNCTION buying_group.set_stage(text, text, text) IS
'Moves an account''s buying group to a stage (name matched ignoring case) if its stage model allows it; returns the stage it ends in, after automatic transitions';

CREATE FUNCTION buying_group.set_status(solution_interest text, account_key text, status text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    si buying_group.solution_interest := buying_group.solution_interest_of(solution_interest);
    g buying_group.bgroup := buying_group.group_for_update(si, account_key);
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
    PERFORM buying_group.advance_stages(ARRAY[g.id]);
END
$$;
COMMENT ON FUNCTION buying_group.set_status(text, text, text) IS
'Sets the free-text status (at most 50 characters; NULL or blank clears it) of an account''s buying group';

--------------------------------------------------------------------------
-- Hand-off (SPEC 9): the sales alert of a buying group and the LinkedIn
-- matched-audience exports
--------------------------------------------------------------------------

-- What Sales needs about a group: its scores, stage and status, the required
-- roles it still misses and its four most engaged members.
CREATE FUNCTION buying_group.sales_alert(buying_group_id bigint)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    acc buying_group.binding := buying_group.bound('accounts');
    per buying_group.binding := buying_group.bound('persons');
    g buying_group.buying_groups;
    account_name text;
    missing jsonb;
    top jsonb;
BEGIN
    SELECT * INTO g FROM buying_group.buying_groups b WHERE b.id = sales_alert.buying_group_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'buying group % does not exist', buying_group_id
            USING ERRCODE = 'undefined_object', HINT = 'The view buying_group.buying_groups lists them.';
    END IF;
    EXECUTE format('SELECT %I::text FROM %s WHERE %I::text = $1 LIMIT 1', acc.name_column, acc.relation, acc.key_column)
       INTO account_name USING g.account_key;
    SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('role', c.role, 'members_required', c.members_required,
                                                              'assigned', c.assigned) ORDER BY tr.priority)
      INTO missing
      FROM buying_group.role_coverage c
      JOIN buying_group.role r ON r.name = c.role
      JOIN buying_group.template_role tr ON tr.role_id = r.id
      JOIN buying_group.template t ON t.id = tr.template_id AND t.name = g.template
     WHERE c.buying_group_id = g.id AND c.required AND c.assigned < c.members_required;
    EXECUTE format($q$
        SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                   'person_key', m.person_key, 'name', nullif(concat_ws(' ', %s, %s), ''), 'title', %s,
                   'role', m.role, 'score', pg_catalog.round(m.engagement)::integer, 'email', %s) ORDER BY m.rank)
          FROM (SELECT x.person_key, r.name AS role, ps.engagement,
                       row_number() OVER (ORDER BY ps.engagement DESC NULLS LAST, tr.priority, x.person_key) AS rank
                  FROM buying_group.bmember x
                  JOIN buying_group.bgroup g ON g.id = x.buying_group_id
                  JOIN buying_group.solution_interest si ON si.id = g.solution_interest_id
                  JOIN buying_group.template_role tr ON tr.template_id = si.template_id AND tr.role_id = x.role_id
                  JOIN buying_group.role r ON r.id = x.role_id
                  LEFT JOIN buying_group.person_score ps ON ps.person_key = x.person_key
                 WHERE x.buying_group_id = $1 AND NOT x.is_removed
                 ORDER BY rank LIMIT 4) m
          LEFT JOIN LATERAL (SELECT * FROM %s p WHERE p.%I::text = m.person_key LIMIT 1) p ON true$q$,
        buying_group.field_sql(per, 'first_name', 'p'), buying_group.field_sql(per, 'last_name', 'p'),
        buying_group.field_sql(per, 'title', 'p'), buying_group.field_sql(per, 'email', 'p'),
        per.relation, per.key_column)
       INTO top USING g.id;
    RETURN pg_catalog.jsonb_build_object(
        'buying_group_id', g.id, 'name', g.name,
        'account', pg_catalog.jsonb_build_object('key', g.account_key, 'name', account_name),
        'solution_interest', g.solution_interest,
        'completeness', g.completeness_display, 'engagement', g.engagement_display,
        'sales_ready', g.sales_ready, 'stage', g.stage, 'status', g.status,
        'member_count', g.member_count,
        'missing_roles', coalesce(missing, '[]'), 'top_members', coalesce(top, '[]'));
END
$$;
COMMENT ON FUNCTION buying_group.sales_alert(bigint) IS
'What Sales needs about a buying group, as jsonb: name, account, solution interest, completeness, engagement, stage, status, missing required roles and the top 4 members by engagement (name, title, role, score, email)';

-- The view of an audience, as a quoted relation name.
CREATE FUNCTION buying_group.audience_relation(audience text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.format('buying_group_audience.%I', (buying_group.audience_of(audience)).view_name)
$$;
COMMENT ON FUNCTION buying_group.audience_relation(text) IS 'Internal: the quoted name of an audience''s view; raises if there is none';

CREATE FUNCTION buying_group.linkedin_companies(audience text)
RETURNS TABLE (companyname text, companywebsite text, companyemaildomain text, linkedincompanypageurl text,
               stocksymbol text, industry text, city text, state text, companycountry text, zipcode text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    acc buying_group.binding := buying_group.bound('accounts');
BEGIN
    -- the accounts table itself, for the columns the audience's view may predate
    RETURN QUERY EXECUTE format('SELECT a.%1$I::text, %2$s FROM %3$s a WHERE a.%4$I IN (SELECT v.%4$I FROM %5$s v) '
                                'ORDER BY 1, a.%4$I::text',
        acc.name_column,
        (SELECT string_agg(buying_group.field_sql(acc, f.field, 'a'), ', ' ORDER BY f.n)
           FROM unnest(ARRAY['website', 'email_domain', 'linkedin_url', 'stock_symbol', 'industry', 'city', 'state',
                             'country', 'zip']) WITH ORDINALITY f(field, n)),
        acc.relation, acc.key_column, buying_group.audience_relation(audience));
END
$$;
COMMENT ON FUNCTION buying_group.linkedin_companies(text) IS
'The accounts of an audience with LinkedIn''s company list columns, for \copy (...) TO ''file.csv'' CSV HEADER';

CREATE FUNCTION buying_group.linkedin_contacts(audience text, missing_role text DEFAULT NULL)
RETURNS TABLE (email text, firstname text, lastname text, jobtitle text, employeecompany text, country text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    acc buying_group.binding := buying_group.bound('accounts');
    per buying_group.binding := buying_group.bound('persons');
    view text := buying_group.audience_relation(audience);
BEGIN
    IF missing_role IS NOT NULL THEN
        PERFORM buying_group.role_id(missing_role);     -- raises for an unknown role
    END IF;
    RETURN QUERY EXECUTE format($q$
        SELECT %1$s, %2$s, %3$s, %4$s, a.%5$I::text, %6$s
          FROM %7$s a JOIN %8$s p ON p.%9$I::text = a.%10$I::text
         WHERE a.%10$I IN (SELECT v.%10$I FROM %11$s v)
           AND ($1 IS NULL
                OR EXISTS (SELECT FROM buying_group.missing_roles mr WHERE mr.account_key = a.%10$I::text AND mr.role = $1))
         ORDER BY 5, 3, 2, 1, p.%12$I::text$q$,
        buying_group.field_sql(per, 'email', 'p'), buying_group.field_sql(per, 'first_name', 'p'),
        buying_group.field_sql(per, 'last_name', 'p'), buying_group.field_sql(per, 'title', 'p'),
        acc.name_column, buying_group.field_sql(per, 'country', 'p'),
        acc.relation, per.relation, per.account_column, acc.key_column, view, per.key_column)
    USING missing_role;
END
$$;
COMMENT ON FUNCTION buying_group.linkedin_contacts(text, text) IS
'The persons of an audience''s accounts (only accounts with a buying group missing missing_role, when given) with LinkedIn''s contact list columns, for \copy (...) TO ''file.csv'' CSV HEADER';

--------------------------------------------------------------------------
-- KPI views (SPEC 9): per solution interest, what marketing asks
--------------------------------------------------------------------------

CREATE INDEX score_history_sales_ready ON buying_group.score_history (buying_group_id, at) WHERE sales_ready;

-- When each group first became sales-ready, from score_history.
CREATE VIEW buying_group.first_sales_ready AS
SELECT h.buying_group_id, min(h.at) AS at
  FROM buying_group.score_history h
 WHERE h.sales_ready
 GROUP BY h.buying_group_id;
COMMENT ON VIEW buying_group.first_sales_ready IS 'When each buying group first became sales-ready';
COMMENT ON COLUMN buying_group.first_sales_ready.buying_group_id IS 'Buying group id';
COMMENT ON COLUMN buying_group.first_sales_ready.at IS 'When it first reached its solution interest''s thresholds';

CREATE VIEW buying_group.kpi_solution_interests AS
SELECT si.name AS solution_interest,
       count(g.id)::integer AS groups,
       count(g.id) FILTER (WHERE g.sales_ready)::integer AS sales_ready_groups,
       pg_catalog.round(100.0 * count(g.id) FILTER (WHERE g.sales_ready) / nullif(count(g.id), 0), 1) AS sales_ready_percent,
       count(inc.buying_group_id)::integer AS incomplete_groups,
       pg_catalog.round(avg(g.completeness), 1) AS avg_completeness,
       pg_catalog.round(avg(g.engagement), 1) AS avg_engagement,
       pg_catalog.round((percentile_cont(0.5) WITHIN GROUP (
                            ORDER BY extract(epoch FROM f.at - g.created_at) / 86400))::numeric, 1)
           AS median_days_to_sales_ready
  FROM buying_group.solution_interest si
  LEFT JOIN buying_group.bgroup g ON g.solution_interest_id = si.id
  LEFT JOIN buying_group.first_sales_ready f ON f.buying_group_id = g.id
  LEFT JOIN (SELECT DISTINCT mr.buying_group_id FROM buying_group.missing_roles mr) inc ON inc.buying_group_id = g.id
 GROUP BY si.id, si.name;
COMMENT ON VIEW buying_group.kpi_solution_interests IS 'Per solution interest: groups, sales-readiness, completeness, engagement and time to sales-ready';
COMMENT ON COLUMN buying_group.kpi_solution_interests.solution_interest IS 'Solution interest name';
COMMENT ON COLUMN buying_group.kpi_solution_interests.groups IS 'Buying groups';
COMMENT ON COLUMN buying_group.kpi_solution_interests.sales_ready_groups IS 'Groups sales-ready now';
COMMENT ON COLUMN buying_group.kpi_solution_interests.sales_ready_percent IS 'Share of the groups sales-ready now, in percent (one decimal)';
COMMENT ON COLUMN buying_group.kpi_solution_interests.incomplete_groups IS 'Groups missing members in a required role';
COMMENT ON COLUMN buying_group.kpi_solution_interests.avg_completeness IS 'Mean completeness (one decimal)';
COMMENT ON COLUMN buying_group.kpi_solution_interests.avg_engagement IS 'Mean engagement of the groups that have one (one decimal)';
COMMENT ON COLUMN buying_group.kpi_solution_interests.median_days_to_sales_ready IS 'Median days from a group''s creation to its first sales-readiness, over the groups that got there (one decimal)';

CREATE VIEW buying_group.kpi_completeness_bands AS
SELECT si.name AS solution_interest, b.band, b.lower_bound, b.upper_bound,
       count(g.id)::integer AS groups,
       pg_catalog.round(100.0 * count(g.id) / nullif(sum(count(g.id)) OVER (PARTITION BY si.id), 0), 1) AS percent
  FROM buying_group.solution_interest si
 CROSS JOIN (VALUES (1, '[0,25)', 0, 25), (2, '[25,50)', 25, 50), (3, '[50,75)', 50, 75),
                    (4, '[75,100)', 75, 100), (5, '100', 100, NULL)) b(n, band, lower_bound, upper_bound)
  LEFT JOIN buying_group.bgroup g
    ON g.solution_interest_id = si.id AND g.completeness >= b.lower_bound
   AND (b.upper_bound IS NULL OR g.completeness < b.upper_bound)
 GROUP BY si.id, si.name, b.n, b.band, b.lower_bound, b.upper_bound
 ORDER BY si.name, b.n;
COMMENT ON VIEW buying_group.kpi_completeness_bands IS 'Per solution interest: how many groups fall in each completeness band';
COMMENT ON COLUMN buying_group.kpi_completeness_bands.solution_interest IS 'Solution interest name';
COMMENT ON COLUMN buying_group.kpi_completeness_bands.band IS 'Completeness band: [0,25), [25,50), [50,75), [75,100) or 100';
COMMENT ON COLUMN buying_group.kpi_completeness_bands.lower_bound IS 'Lowest completeness in the band (included)';
COMMENT ON COLUMN buying_group.kpi_completeness_bands.upper_bound IS 'Completeness above the band (excluded; NULL for 100)';
COMMENT ON COLUMN buying_group.kpi_completeness_bands.groups IS 'Groups in the band';
COMMENT ON COLUMN buying_group.kpi_completeness_bands.percent IS 'Share of the solution interest''s groups, in percent (one decimal)';

CREATE VIEW buying_group.kpi_missing_roles AS
SELECT mr.solution_interest, mr.role, count(*)::integer AS groups_missing,
       pg_catalog.round(100.0 * count(*) / (SELECT count(*) FROM buying_group.bgroup g
                                             JOIN buying_group.solution_interest si ON si.id = g.solution_interest_id
                                            WHERE si.name = mr.solution_interest), 1) AS percent_of_groups,
       dense_rank() OVER (PARTITION BY mr.solution_interest ORDER BY count(*) DESC)::integer AS rank
  FROM buying_group.missing_roles mr
 GROUP BY mr.solution_interest, mr.role
 ORDER BY mr.solution_interest, rank, mr.role;
COMMENT ON VIEW buying_group.kpi_missing_roles IS 'Per solution interest: the required roles most often missing';
COMMENT ON COLUMN buying_group.kpi_missing_roles.solution_interest IS 'Solution interest name';
COMMENT ON COLUMN buying_group.kpi_missing_roles.role IS 'A required role';
COMMENT ON COLUMN buying_group.kpi_missing_roles.groups_missing IS 'Groups with fewer members in the role than it requires';
COMMENT ON COLUMN buying_group.kpi_missing_roles.percent_of_groups IS 'Share of the solution interest''s groups missing it, in percent (one decimal)';
COMMENT ON COLUMN buying_group.kpi_missing_roles.rank IS '1 for the role missing most often';

CREATE VIEW buying_group.kpi_stages AS
SELECT si.name AS solution_interest, s.name AS stage, s.kind, count(g.id)::integer AS groups
  FROM buying_group.solution_interest si
  JOIN (SELECT x.stage_model_id, x.name, x.kind, x.position FROM buying_group.stage x
        UNION ALL
        SELECT m.id, NULL, NULL, 0 FROM buying_group.stage_model m) s ON s.stage_model_id = si.stage_model_id
  LEFT JOIN buying_group.bgroup g ON g.solution_interest_id = si.id AND g.stage IS NOT DISTINCT FROM s.name
 GROUP BY si.id, si.name, s.name, s.kind, s.position
 ORDER BY si.name, s.position;
COMMENT ON VIEW buying_group.kpi_stages IS 'Per solution interest with a stage model: how many groups are in each stage (NULL: no stage yet)';
COMMENT ON COLUMN buying_group.kpi_stages.solution_interest IS 'Solution interest name';
COMMENT ON COLUMN buying_group.kpi_stages.stage IS 'Stage of its model (NULL: groups without a stage)';
COMMENT ON COLUMN buying_group.kpi_stages.kind IS 'entry, intermediate, success or failure';
COMMENT ON COLUMN buying_group.kpi_stages.groups IS 'Groups in the stage';

--------------------------------------------------------------------------
-- Privileges: nothing for PUBLIC; readers read and match; admins configure
--------------------------------------------------------------------------

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA buying_group FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA buying_group FROM PUBLIC;
GRANT USAGE ON SCHEMA buying_group, buying_group_audience TO buying_group_reader, buying_group_admin;
GRANT CREATE ON SCHEMA buying_group_audience TO buying_group_admin;

GRANT SELECT ON ALL TABLES IN SCHEMA buying_group TO buying_group_reader;
GRANT EXECUTE ON FUNCTION
    buying_group.check_rule(text, regtype),
    buying_group.eval_rule(text, record),
    buying_group.match_role(text, record),
    buying_group.match_roles(text, record),
    buying_group.explain_match(text, record),
    buying_group.normalize_title(text),
    buying_group.title_similarity(text, text),
    buying_group.completeness_state_in(cstring),
    buying_group.completeness_state_out(buying_group.completeness_state),
    buying_group.completeness_transfn(buying_group.completeness_state, text, text),
    buying_group.completeness_count_transfn(buying_group.completeness_state, text, text, bigint),
    buying_group.completeness_combinefn(buying_group.completeness_state, buying_group.completeness_state),
    buying_group.completeness_finalfn(buying_group.completeness_state),
    buying_group.role_completeness_finalfn(buying_group.completeness_state),
    buying_group.completeness(text, text),
    buying_group.completeness(text, text, bigint),
    buying_group.role_completeness(text, text),
    buying_group.rule_to_sql(text, regtype, text, text),
    buying_group.persons_type(),
    buying_group.bound(text),
    buying_group.solution_interest_of(text),
    buying_group.simulate(text, text),
    buying_group.template_of(text),
    buying_group.verify_scores(),
    buying_group.buying_groups_as_of(timestamptz),
    buying_group.activity_time_sql(buying_group.binding),
    buying_group.explain_engagement(bigint),
    buying_group.field_column(buying_group.binding, text),
    buying_group.field_sql(buying_group.binding, text, text),
    buying_group.audience_of(text),
    buying_group.audience_relation(text),
    buying_group.role_id(text),
    buying_group.sales_alert(bigint),
    buying_group.linkedin_companies(text),
    buying_group.linkedin_contacts(text, text)
TO buying_group_reader;

GRANT INSERT, UPDATE, DELETE ON buying_group.role, buying_group.template, buying_group.template_role,
    buying_group.binding, buying_group.solution_interest, buying_group.audience, buying_group.bgroup,
    buying_group.bmember, buying_group.score_history, buying_group.engagement_model,
    buying_group.activity_weight, buying_group.bgroup_role, buying_group.person_points, buying_group.engagement_refresh, buying_group.field_map, buying_group.stage_model,
    buying_group.stage, buying_group.stage_transition
    TO buying_group_admin;
GRANT INSERT, DELETE ON buying_group.events TO buying_group_admin;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA buying_group TO buying_group_admin;
GRANT EXECUTE ON FUNCTION
    buying_group.template_for_update(text),
    buying_group.template_role_of(buying_group.template, text),
    buying_group.require_draft(buying_group.template),
    buying_group.require_members_required(integer),
    buying_group.create_role(text, text),
    buying_group.delete_role(text),
    buying_group.create_template(text, text, text),
    buying_group.add_template_role(text, text, text, integer, boolean, text),
    buying_group.move_template_role(text, text, integer),
    buying_group.remove_template_role(text, text),
    buying_group.set_members_required(text, text, integer),
    buying_group.delete_template(text),
    buying_group.publish_template(text),
    buying_group.require_column(regclass, text, text, regtype[]),
    buying_group.require_no_groups(text),
    buying_group.bind_accounts(regclass, text, text),
    buying_group.bind_persons(regclass, text, text),
    buying_group.bind_activities(regclass, text, text, text),
    buying_group.create_solution_interest(text, text, text, boolean, numeric, numeric, text),
    buying_group.delete_solution_interest(text),
    buying_group.source_rank(text),
    buying_group.lock_accounts(text[]),
    buying_group.count_roles(bigint[], integer[], integer[]),
    buying_group.recount_roles(integer),
    buying_group.refresh_groups(bigint[], boolean, numeric[]),
    buying_group.create_audience(text, jsonb, text),
    buying_group.delete_audience(text),
    buying_group.create_buying_groups(text, text),
    buying_group.run_maintenance(text),
    buying_group.recompute(text),
    buying_group.sync_members(integer, text, text[], text[], boolean),
    buying_group.sync_execute(text, integer, text, text[], text[], boolean),
    buying_group.install_person_triggers(regclass, regclass),
    buying_group.sync_persons(text[], text[]),
    buying_group.persons_truncated(),
    buying_group.group_for_update(buying_group.solution_interest, text),
    buying_group.require_source(text),
    buying_group.assign_member(text, text, text, text, text),
    buying_group.remove_member(text, text, text, text),
    buying_group.engagement_model_for_update(text),
    buying_group.create_engagement_model(text, text, integer, integer),
    buying_group.set_activity_weight(text, text, numeric),
    buying_group.activate_engagement_model(text),
    buying_group.refresh_engagement(timestamptz),
    buying_group.is_unique_column(regclass, name),
    buying_group.capped_points(integer, date, float8, integer),
    buying_group.map_fields(text, jsonb),
    buying_group.stage_model_for_update(text),
    buying_group.stage_model_error(text, text, text, text),
    buying_group.stage_named(integer, jsonb, text),
    buying_group.stage_list(integer, text),
    buying_group.stage_by_name(integer, text),
    buying_group.check_stage_model(integer),
    buying_group.require_draft_stage_model(integer),
    buying_group.load_stage_model(integer, jsonb),
    buying_group.create_stage_model(text, jsonb, text),
    buying_group.update_stage_model(text, jsonb),
    buying_group.publish_stage_model(text),
    buying_group.delete_stage_model(text),
    buying_group.set_stage_model(text, text),
    buying_group.advance_stages(bigint[], boolean),
    buying_group.set_stage(text, text, text),
    buying_group.set_status(text, text, text)
TO buying_group_admin;
