--------------------------------------------------------------------------
-- Guards: the catalog's rules hold for the API and for direct updates and
-- deletes alike; rows inserted directly (only a superuser may, as a restore
-- does) are taken as they are
--------------------------------------------------------------------------

CREATE FUNCTION buying_group_internal.role_guard()
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

CREATE FUNCTION buying_group_internal.template_guard()
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
    IF TG_OP = 'UPDATE' AND NEW.status = 'live' THEN     -- published (a restore inserts it live)
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

CREATE FUNCTION buying_group_internal.template_role_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t buying_group.template;
BEGIN
    SELECT * INTO t FROM buying_group.template
     WHERE id = CASE WHEN TG_OP = 'INSERT' THEN NEW.template_id ELSE OLD.template_id END;
    -- a restore inserts a live template's roles after it
    IF t.status = 'live' AND TG_OP <> 'INSERT' AND NOT (
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
        PERFORM buying_group.check_rule(NEW.conditions::text, buying_group_internal.persons_type());
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER role_guard BEFORE INSERT OR UPDATE OR DELETE ON buying_group.role
    FOR EACH ROW EXECUTE FUNCTION buying_group_internal.role_guard();
CREATE TRIGGER template_guard BEFORE INSERT OR UPDATE OR DELETE ON buying_group.template
    FOR EACH ROW EXECUTE FUNCTION buying_group_internal.template_guard();
CREATE TRIGGER template_role_guard BEFORE INSERT OR UPDATE OR DELETE ON buying_group.template_role
    FOR EACH ROW EXECUTE FUNCTION buying_group_internal.template_role_guard();

CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON buying_group.role
    FOR EACH STATEMENT EXECUTE FUNCTION buying_group_internal.catalog_changed();
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON buying_group.template
    FOR EACH STATEMENT EXECUTE FUNCTION buying_group_internal.catalog_changed();
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON buying_group.template_role
    FOR EACH STATEMENT EXECUTE FUNCTION buying_group_internal.catalog_changed();

-- The six default roles (SPEC section 1).
INSERT INTO buying_group.role (name, description, is_default) VALUES
    ('Decision Maker', 'Has the final say on the purchase', true),
    ('Influencer', 'Shapes the decision without making it', true),
    ('Practitioner', 'Will use the solution day to day', true),
    ('Executive Steering Committee', 'Senior sponsors who steer the initiative', true),
    ('Champion', 'Advocates the solution inside the account', true),
    ('Other', 'Any other member of the buying group', true);
