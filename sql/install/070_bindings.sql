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

-- The role that called the API (outside any SECURITY DEFINER function).
CREATE FUNCTION buying_group_internal.calling_role()
RETURNS oid
AS 'MODULE_PATHNAME', 'bg_calling_role'
LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION buying_group_internal.calling_role() IS
'Internal: the role that called the API: the session user, or the role it set with SET ROLE';

-- Raises unless a table may be bound by the calling role: a plain or
-- partitioned table (never a view, a partition or a table with inheritance
-- children), permanent, outside the system's and the extension's schemas,
-- that the caller owns or may read and write.
CREATE FUNCTION buying_group_internal.require_bindable(tbl regclass, what text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c pg_catalog.pg_class;
    caller oid := buying_group_internal.calling_role();
BEGIN
    SELECT * INTO c FROM pg_catalog.pg_class x WHERE x.oid = tbl;
    IF NOT FOUND OR c.relkind NOT IN ('r', 'p') OR c.relpersistence = 't' THEN
        RAISE EXCEPTION 'cannot bind %: the % table must be a plain or partitioned table', tbl, what
            USING ERRCODE = 'wrong_object_type',
                  DETAIL = CASE WHEN c.relpersistence = 't' THEN 'It is a temporary table.'
                                ELSE format('It is a %s.', CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                                                           WHEN 'f' THEN 'foreign table' ELSE 'relation of another kind' END) END;
    END IF;
    IF c.relnamespace IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace, 'pg_toast'::regnamespace,
                          'buying_group'::regnamespace, 'buying_group_internal'::regnamespace,
                          'buying_group_audience'::regnamespace) THEN
        RAISE EXCEPTION 'cannot bind %: it belongs to the system or to buying_group', tbl
            USING ERRCODE = 'wrong_object_type';
    END IF;
    IF c.relispartition OR EXISTS (SELECT FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class k ON k.oid = i.inhrelid
                                    WHERE i.inhparent = tbl AND NOT k.relispartition) THEN
        RAISE EXCEPTION 'cannot bind %: it is %', tbl,
                        CASE WHEN c.relispartition THEN 'a partition' ELSE 'the parent of inheritance children' END
            USING ERRCODE = 'wrong_object_type',
                  HINT = 'Bind the partitioned table itself; tables that inherit are not supported.';
    END IF;
    -- it reads what it binds (through audiences and exports): reading is part of the right
    IF NOT (pg_catalog.pg_has_role(caller, c.relowner, 'USAGE')
            OR (pg_catalog.has_table_privilege(caller, tbl, 'SELECT') AND pg_catalog.has_table_privilege(caller, tbl, 'INSERT')
                AND pg_catalog.has_table_privilege(caller, tbl, 'UPDATE')
                AND pg_catalog.has_table_privilege(caller, tbl, 'DELETE'))) THEN
        RAISE EXCEPTION 'permission denied to bind %', tbl
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = format('Role %s neither owns the table nor may select, insert, update and delete its rows.',
                                  pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(caller))),
                  HINT = 'Bind it as its owner, or have the owner grant SELECT, INSERT, UPDATE and DELETE on it.';
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group_internal.require_bindable(regclass, text) IS
'Internal: raises unless the calling role may bind the table (a plain or partitioned table it owns or may read and write)';

-- The binding of a kind, checked again now: the table still exists, is still
-- a table, and still has the bound columns with types the binding accepts.
-- Raises a clear error when the table is not bound or no longer fits.
CREATE FUNCTION buying_group_internal.bound(what text)
RETURNS buying_group.binding
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b buying_group.binding;
    kind "char";
BEGIN
    SELECT * INTO b FROM buying_group.binding WHERE binding.kind = what;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no % table is bound',
                        CASE what WHEN 'activities' THEN 'activity' ELSE rtrim(what, 's') END
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = format('Call buying_group.bind_%s() first.', what);
    END IF;
    SELECT c.relkind INTO kind FROM pg_catalog.pg_class c WHERE c.oid = b.relation;
    IF kind IS NULL OR kind NOT IN ('r', 'p') THEN
        RAISE EXCEPTION 'the bound % table %', CASE what WHEN 'activities' THEN 'activity' ELSE rtrim(what, 's') END,
                        CASE WHEN kind IS NULL THEN 'no longer exists' ELSE format('%s is no longer a table', b.relation) END
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = format('Bind a table again with buying_group.bind_%s().', what);
    END IF;
    -- one catalog look-up on the triggers' path; require_column says what is wrong
    IF EXISTS (SELECT FROM unnest(ARRAY[b.key_column, b.name_column, b.account_column, b.person_column,
                                        b.type_column, b.at_column]) c(col)
                WHERE c.col IS NOT NULL
                  AND NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
                                   WHERE a.attrelid = b.relation AND a.attname = c.col AND a.attnum > 0
                                     AND NOT a.attisdropped
                                     AND (t.oid < 16384 OR (t.typtype = 'd' AND t.typbasetype < 16384))
                                     AND (c.col IS DISTINCT FROM b.at_column
                                          OR t.oid IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype)))) THEN
        PERFORM buying_group_internal.require_column(b.relation, c.col, c.role, c.types)
           FROM (VALUES (b.key_column, 'key', NULL::regtype[]), (b.name_column, 'name', NULL),
                        (b.account_column, 'account', NULL), (b.person_column, 'person', NULL),
                        (b.type_column, 'type', NULL),
                        (b.at_column, 'at', ARRAY['timestamptz', 'timestamp', 'date']::regtype[])) c(col, role, types)
          WHERE c.col IS NOT NULL;
    END IF;
    RETURN b;
END
$$;
COMMENT ON FUNCTION buying_group_internal.bound(text) IS
'Internal: the binding of accounts, persons or activities, checked against the table as it is now; raises if there is none or it no longer fits';

-- The row type of the bound persons table, or NULL when none is bound.
CREATE FUNCTION buying_group_internal.persons_type()
RETURNS regtype
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT c.reltype::regtype FROM buying_group.binding b JOIN pg_catalog.pg_class c ON c.oid = b.relation
     WHERE b.kind = 'persons'
$$;
COMMENT ON FUNCTION buying_group_internal.persons_type() IS 'The row type of the bound persons table (NULL when none is bound)';

-- Checks that a column exists in a table, of one of the given types or else
-- of a type of the system's (or a domain over one: code running with the
-- owner's rights casts it to text, and a type of a user's could carry a cast
-- of theirs); returns its name.
CREATE FUNCTION buying_group_internal.require_column(tbl regclass, col text, what text, types regtype[] DEFAULT NULL)
RETURNS name
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    typ pg_catalog.pg_type;
BEGIN
    SELECT t.* INTO typ FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
     WHERE a.attrelid = tbl AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'column "%" of % does not exist', col, tbl
            USING ERRCODE = 'undefined_column',
                  DETAIL = format('The %s column must be a column of %s; it has: %s.', what, tbl,
                                  (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                                     FROM pg_catalog.pg_attribute a
                                    WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped));
    END IF;
    IF types IS NOT NULL AND NOT typ.oid::regtype = ANY (types) THEN
        RAISE EXCEPTION 'column "%" of % is %, not a timestamp', col, tbl, typ.oid::regtype
            USING ERRCODE = 'datatype_mismatch',
                  HINT = format('The %s column must be timestamptz, timestamp or date.', what);
    END IF;
    IF typ.oid >= 16384 AND NOT (typ.typtype = 'd' AND typ.typbasetype < 16384) THEN
        RAISE EXCEPTION 'column "%" of % is of type %, which is not a type of the system', col, tbl, typ.oid::regtype
            USING ERRCODE = 'datatype_mismatch',
                  DETAIL = format('The %s column of a binding must be of a built-in type, such as text, integer, bigint or uuid, or a domain over one.', what),
                  HINT = 'Bind a column of a built-in type, or a generated column that converts this one.';
    END IF;
    RETURN col;
END
$$;
COMMENT ON FUNCTION buying_group_internal.require_column(regclass, text, text, regtype[]) IS
'Internal: raises if the table has no such column, or not of one of the types, or of a type that is not the system''s';

-- Raises if buying groups exist: the bindings they were built on must stay.
CREATE FUNCTION buying_group_internal.require_no_groups(what text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT FROM buying_group.bgroup) THEN
        RAISE EXCEPTION 'cannot rebind the % table: buying groups exist', what
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'Buying groups refer to the keys of the bound tables: another table, key column or account column would leave them behind.';
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group_internal.require_no_groups(text) IS 'Internal: raises if buying groups exist';

-- Whether a unique index makes the column unique: on it alone or, when
-- other is given, on it and other (in either order). Only an index that
-- counts does: valid, checked at once (not deferred), on plain columns,
-- without a predicate.
CREATE FUNCTION buying_group_internal.is_unique_key(tbl regclass, col name, other name)
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT FROM pg_catalog.pg_index i
                    WHERE i.indrelid = tbl AND i.indisunique AND i.indisvalid AND i.indimmediate
                      AND i.indpred IS NULL AND i.indexprs IS NULL
                      AND ARRAY(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY k(attnum, n)
                                  JOIN pg_catalog.pg_attribute a ON a.attrelid = tbl AND a.attnum = k.attnum
                                 WHERE k.n <= i.indnkeyatts ORDER BY 1)
                          IN (ARRAY[col::text], ARRAY(SELECT c FROM unnest(ARRAY[col::text, other::text]) c ORDER BY 1)))
$$;
COMMENT ON FUNCTION buying_group_internal.is_unique_key(regclass, name, name) IS
'Internal: whether a unique index makes the column unique, alone or with the other column';

-- Raises unless the key column of an accounts or persons table names one row
-- (doing: 'bind', or 'alter' when DDL changed the bound table): NOT NULL,
-- and unique through a primary key or unique constraint (or index) on it
-- alone or, for a partitioned persons table, on it and the account column,
-- which is what a table partitioned by account can have.
CREATE FUNCTION buying_group_internal.require_key(tbl regclass, col name, account_col name, what text, doing text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    failing text := CASE doing WHEN 'bind' THEN 'cannot bind the ' || what || ' table'
                               ELSE 'cannot change the bound ' || what || ' table' END;
    one text := CASE what WHEN 'accounts' THEN 'An account' ELSE 'A person' END;
BEGIN
    IF NOT (SELECT a.attnotnull FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = tbl AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped) THEN
        RAISE EXCEPTION '%: key column "%" of % allows NULL', failing, col, tbl
            USING ERRCODE = 'invalid_table_definition',
                  DETAIL = one || ' without a key would be left out of every buying group without a word.',
                  HINT = format('Make the column NOT NULL: ALTER TABLE %s ALTER COLUMN %I SET NOT NULL;', tbl, col);
    END IF;
    -- with the account column only in a partitioned table, which cannot have
    -- the key alone unique (in a plain one, one key in two accounts would be
    -- two persons sharing the scores kept by person key)
    IF NOT buying_group_internal.is_unique_key(tbl, col, CASE WHEN (SELECT c.relkind FROM pg_catalog.pg_class c
                                                                    WHERE c.oid = tbl) = 'p'
                                                               THEN account_col END) THEN
        RAISE EXCEPTION '%: key column "%" of % is not unique', failing, col, tbl
            USING ERRCODE = 'invalid_table_definition',
                  DETAIL = CASE what WHEN 'accounts'
                               THEN 'Accounts sharing a key would share one buying group.'
                               ELSE 'Persons sharing a key would be counted as one, and their groups would never settle.' END,
                  HINT = format('Give it a primary key or a unique constraint: ALTER TABLE %s ADD PRIMARY KEY (%I);%s', tbl, col,
                                CASE WHEN account_col IS NOT NULL
                                     THEN format(' a table partitioned by account may have UNIQUE (%I, %I) instead.', col, account_col)
                                     ELSE '' END);
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group_internal.require_key(regclass, name, name, text, text) IS
'Internal: raises unless the key column of an accounts or persons table is NOT NULL and unique';

CREATE FUNCTION buying_group.bind_accounts(table_name regclass, key text, name text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bound_before buying_group.binding := (SELECT b FROM buying_group.binding b WHERE b.kind = 'accounts');
BEGIN
    PERFORM buying_group_internal.require_bindable(table_name, 'accounts');
    -- the groups' account keys come from the bound key column
    IF bound_before.relation <> table_name OR bound_before.key_column <> key THEN
        PERFORM buying_group_internal.require_no_groups('accounts');
    END IF;
    IF bound_before.relation <> table_name THEN
        DELETE FROM buying_group.field_map fm WHERE fm.kind = 'accounts';     -- they named the old table's columns
    END IF;
    INSERT INTO buying_group.binding AS b (kind, relation, key_column, name_column)
    VALUES ('accounts', table_name, buying_group_internal.require_column(table_name, key, 'key'),
            buying_group_internal.require_column(table_name, name, 'name'))
    ON CONFLICT (kind) DO UPDATE
       SET relation = EXCLUDED.relation, key_column = EXCLUDED.key_column,
           name_column = EXCLUDED.name_column, bound_at = pg_catalog.now();
    PERFORM buying_group_internal.require_key(table_name, key, NULL, 'accounts', 'bind');
    -- the audiences read the table bound now
    PERFORM buying_group_internal.make_audience_view(a.name) FROM buying_group.audience a ORDER BY a.id;
END
$$;
COMMENT ON FUNCTION buying_group.bind_accounts(regclass, text, text) IS
'Binds the user''s accounts table: its key column (compared as text) and its name column';

-- Raises unless every stored role condition fits the persons table tbl
-- (doing: what was being done to it, 'bind' or 'alter').
CREATE FUNCTION buying_group_internal.require_conditions_fit(tbl regclass, doing text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
    msg text;
    state text;
    rowtype regtype := (SELECT c.reltype::regtype FROM pg_catalog.pg_class c WHERE c.oid = tbl);
BEGIN
    FOR r IN SELECT t.name AS template, ro.name AS role, tr.conditions
               FROM buying_group.template_role tr
               JOIN buying_group.template t ON t.id = tr.template_id
               JOIN buying_group.role ro ON ro.id = tr.role_id
              WHERE tr.conditions IS NOT NULL ORDER BY t.name, tr.priority LOOP
        BEGIN
            PERFORM buying_group.check_rule(r.conditions::text, rowtype);
        EXCEPTION WHEN invalid_parameter_value THEN
            GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
            RAISE EXCEPTION 'cannot % %: the conditions of role "%" in template "%" do not fit it',
                            doing, tbl, r.role, r.template
                USING ERRCODE = state, DETAIL = msg,
                      HINT = CASE doing WHEN 'bind'
                                 THEN 'Bind a table with the columns the templates use, or change the draft templates first.'
                                 ELSE 'Keep the columns and types the role conditions use.' END;
        END;
    END LOOP;
END
$$;
COMMENT ON FUNCTION buying_group_internal.require_conditions_fit(regclass, text) IS
'Internal: raises unless every stored role condition fits the persons table';

CREATE FUNCTION buying_group.bind_persons(table_name regclass, key text, account text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bound_before buying_group.binding := (SELECT b FROM buying_group.binding b WHERE b.kind = 'persons');
BEGIN
    PERFORM buying_group_internal.require_bindable(table_name, 'persons');
    -- the members' keys and accounts come from the bound key and account columns
    IF bound_before.relation <> table_name OR bound_before.key_column <> key OR bound_before.account_column <> account THEN
        PERFORM buying_group_internal.require_no_groups('persons');
    END IF;
    IF bound_before.relation <> table_name THEN
        DELETE FROM buying_group.field_map fm WHERE fm.kind = 'persons';     -- they named the old table's columns
    END IF;
    -- bound first, so that conditions naming person_engagement_score find its key
    INSERT INTO buying_group.binding (kind, relation, key_column, account_column)
    VALUES ('persons', table_name, buying_group_internal.require_column(table_name, key, 'key'),
            buying_group_internal.require_column(table_name, account, 'account'))
    ON CONFLICT (kind) DO UPDATE
       SET relation = EXCLUDED.relation, key_column = EXCLUDED.key_column,
           account_column = EXCLUDED.account_column, bound_at = pg_catalog.now();
    PERFORM buying_group_internal.require_key(table_name, key, account, 'persons', 'bind');
    PERFORM buying_group_internal.require_conditions_fit(table_name, 'bind');
    PERFORM buying_group_internal.compile_persons();
    PERFORM buying_group_internal.install_person_triggers(table_name, bound_before.relation);
END
$$;
COMMENT ON FUNCTION buying_group.bind_persons(regclass, text, text) IS
'Binds the user''s persons table: its key and the key of its account (both compared as text); role conditions name its columns';

CREATE FUNCTION buying_group.bind_activities(table_name regclass, person text, type text, "at" text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM buying_group_internal.require_bindable(table_name, 'activities');
    INSERT INTO buying_group.binding (kind, relation, person_column, type_column, at_column)
    VALUES ('activities', table_name, buying_group_internal.require_column(table_name, person, 'person'),
            buying_group_internal.require_column(table_name, type, 'type'),
            buying_group_internal.require_column(table_name, "at", 'at',
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
