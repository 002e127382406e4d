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

CREATE FUNCTION buying_group.rule_to_sql(rule jsonb, row_type regtype, alias text DEFAULT NULL,
                                         key_column text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'bg_rule_to_sql'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group.rule_to_sql(jsonb, regtype, text, text) IS
'The rule (jsonb) as a SQL boolean expression over the row type''s columns, with the evaluator''s exact semantics';

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
CREATE FUNCTION buying_group_internal.audience_of(audience text)
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
COMMENT ON FUNCTION buying_group_internal.audience_of(text) IS 'Internal: the audience of that name; raises if there is none';

-- Makes (or makes again) the view of an audience from its stored rule over the
-- accounts table bound now: owned by the extension, so that no admin can
-- replace it, and a security barrier, so that a reader's function sees only
-- the audience's rows.
CREATE FUNCTION buying_group_internal.make_audience_view(audience text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    a buying_group.audience := buying_group_internal.audience_of(audience);
    acc buying_group.binding := buying_group_internal.bound('accounts');
BEGIN
    EXECUTE format('CREATE OR REPLACE VIEW buying_group_audience.%I WITH (security_barrier) AS SELECT a.* FROM %s a WHERE %s',
                   a.view_name, acc.relation,
                   buying_group.rule_to_sql(a.rule, (SELECT c.reltype::regtype FROM pg_catalog.pg_class c
                                                      WHERE c.oid = acc.relation), 'a', acc.key_column));
    EXECUTE format('GRANT SELECT ON buying_group_audience.%I TO buying_group_reader', a.view_name);
    EXECUTE format('COMMENT ON VIEW buying_group_audience.%I IS %L', a.view_name,
                   format('Account audience "%s": %s', a.name, a.rule::text));
END
$$;
COMMENT ON FUNCTION buying_group_internal.make_audience_view(text) IS
'Internal: makes the view of an audience from its rule over the bound accounts table';

CREATE FUNCTION buying_group.create_audience(name text, rule jsonb, description text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    base text;
    view text;
    n integer := 1;
BEGIN
    PERFORM buying_group_internal.bound('accounts');
    IF name IS NULL OR btrim(name) = '' THEN
        RAISE EXCEPTION 'audience name must not be empty' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT FROM buying_group.audience x WHERE x.name = btrim(create_audience.name)) THEN
        RAISE EXCEPTION 'audience "%" already exists', btrim(name) USING ERRCODE = 'duplicate_object';
    END IF;
    IF rule IS NULL THEN
        RAISE EXCEPTION 'an audience needs a rule' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- a readable, unique view name
    base := left(coalesce(nullif(trim(both '_' FROM lower(regexp_replace(btrim(name), '[^a-zA-Z0-9]+', '_', 'g'))), ''),
                          'audience'), 50);
    view := base;
    WHILE EXISTS (SELECT FROM pg_catalog.pg_class c
                   WHERE c.relnamespace = 'buying_group_audience'::regnamespace AND c.relname = view) LOOP
        n := n + 1;
        view := base || '_' || n;
    END LOOP;
    INSERT INTO buying_group.audience (name, description, rule, view_name)
    VALUES (btrim(create_audience.name), create_audience.description, create_audience.rule, view);
    PERFORM buying_group_internal.make_audience_view(btrim(create_audience.name));
    RETURN format('buying_group_audience.%I', view);
END
$$;
COMMENT ON FUNCTION buying_group.create_audience(text, jsonb, text) IS
'Creates an account audience: a rule over the accounts table, served as a view in schema buying_group_audience; returns the view''s name';

-- The same, for a rule given as text: its errors carry a line and a column.
CREATE FUNCTION buying_group.create_audience(name text, rule text, description text DEFAULT NULL)
RETURNS text
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT buying_group.create_audience(name, buying_group.check_rule(rule), description)
$$;
COMMENT ON FUNCTION buying_group.create_audience(text, text, text) IS
'Creates an account audience from a rule given as JSON text (errors carry a line and a column); returns the view''s name';

CREATE FUNCTION buying_group.delete_audience(name text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    a buying_group.audience := buying_group_internal.audience_of(name);
    user_journey text := (SELECT j.name FROM buying_group.journey j, pg_catalog.jsonb_each(j.definition -> 'nodes') e
                           WHERE j.status <> 'stopped' AND e.value ->> 'type' = 'start' AND e.value ->> 'audience' = a.name
                           ORDER BY j.name LIMIT 1);
BEGIN
    IF user_journey IS NOT NULL THEN
        RAISE EXCEPTION 'audience "%" is the start of journey "%"', a.name, user_journey
            USING ERRCODE = 'dependent_objects_still_exist',
                  HINT = 'Stop the journey (buying_group.stop_journey) or delete it first.';
    END IF;
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
