-- buying_group 0.1.0: install script.
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
        PERFORM buying_group.check_rule(NEW.conditions::text);
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
        RAISE EXCEPTION 'template "%" does not exist', template
            USING ERRCODE = 'undefined_object',
                  HINT = 'The view buying_group.templates lists the templates.';
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
    UPDATE buying_group.template_role x SET members_required = n
     WHERE x.template_id = t.id AND x.role_id = tr.role_id;
END
$$;
COMMENT ON FUNCTION buying_group.set_members_required(text, text, integer) IS
'Sets how many members a role needs to count as filled; allowed on live templates too';

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
-- Privileges: nothing for PUBLIC; readers read and match; admins configure
--------------------------------------------------------------------------

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA buying_group FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA buying_group FROM PUBLIC;
GRANT USAGE ON SCHEMA buying_group TO buying_group_reader, buying_group_admin;

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
    buying_group.completeness_combinefn(buying_group.completeness_state, buying_group.completeness_state),
    buying_group.completeness_finalfn(buying_group.completeness_state),
    buying_group.role_completeness_finalfn(buying_group.completeness_state),
    buying_group.completeness(text, text),
    buying_group.role_completeness(text, text)
TO buying_group_reader;

GRANT INSERT, UPDATE, DELETE ON buying_group.role, buying_group.template, buying_group.template_role
    TO buying_group_admin;
GRANT USAGE ON SEQUENCE buying_group.role_id_seq, buying_group.template_id_seq TO buying_group_admin;
GRANT EXECUTE ON FUNCTION
    buying_group.template_for_update(text),
    buying_group.role_id(text),
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
    buying_group.publish_template(text)
TO buying_group_admin;
