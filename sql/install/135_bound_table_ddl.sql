--------------------------------------------------------------------------
-- DDL on the bound tables: refused when it would break a binding, a role
-- condition or the real-time triggers; followed by a recomputation when it
-- rewrote the persons table's values
--------------------------------------------------------------------------

-- The bound persons table and its partitions, when one is bound and exists.
CREATE FUNCTION buying_group_internal.persons_tree()
RETURNS oid[]
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    -- pg_partition_tree() lists a table that has no partitions not even itself
    SELECT coalesce((SELECT ARRAY(SELECT b.relation::oid UNION ALL
                                  SELECT t.relid FROM pg_catalog.pg_partition_tree(b.relation) t
                                   WHERE t.relid <> b.relation)
                       FROM buying_group.binding b
                      WHERE b.kind = 'persons' AND EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid = b.relation)),
                    '{}')
$$;
COMMENT ON FUNCTION buying_group_internal.persons_tree() IS
'Internal: the bound persons table, first, and its partitions (empty when none is bound)';

-- table_rewrite: a rewrite of the persons table (ALTER ... TYPE, USING) may
-- change the values the role conditions read; ddl_command_end recomputes.
CREATE FUNCTION buying_group_internal.bound_table_rewritten()
RETURNS event_trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF pg_catalog.pg_event_trigger_table_rewrite_oid() = ANY (buying_group_internal.persons_tree()) THEN
        PERFORM pg_catalog.set_config('buying_group.persons_rewritten', 'on', true);
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group_internal.bound_table_rewritten() IS
'Internal: event trigger (table_rewrite): notes that the persons table was rewritten';

-- Raises unless every trigger named like ours on the persons tree runs
-- persons_changed and, when complete, every table of the tree has one,
-- enabled, for each of INSERT, UPDATE, DELETE and TRUNCATE (superusers may
-- disable them, as pg_restore --disable-triggers does: recompute() repairs).
CREATE FUNCTION buying_group_internal.person_triggers_complete(rel oid, enabled boolean)
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(bit_or(t.tgtype::integer & (4 | 8 | 16 | 32)), 0) = (4 | 8 | 16 | 32)
      FROM pg_catalog.pg_trigger t
     WHERE t.tgrelid = rel AND t.tgfoid = 'buying_group_internal.persons_changed()'::regprocedure
       AND (NOT enabled OR t.tgenabled IN ('O', 'A'))
$$;
COMMENT ON FUNCTION buying_group_internal.person_triggers_complete(oid, boolean) IS
'Internal: whether the table has its four real-time triggers (and, if asked, all enabled)';

CREATE FUNCTION buying_group_internal.require_person_triggers(tree oid[], complete boolean)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    trigger_fn regprocedure := 'buying_group_internal.persons_changed()'::regprocedure;
    bad text;
BEGIN
    SELECT format('%s on %s', t.tgname, t.tgrelid::regclass) INTO bad FROM pg_catalog.pg_trigger t
     WHERE t.tgrelid = ANY (tree) AND t.tgname IN ('buying_group_insert', 'buying_group_update', 'buying_group_delete',
                                                  'buying_group_truncate')
       AND t.tgfoid <> trigger_fn
     LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'trigger % must run buying_group_internal.persons_changed()', bad
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'Without it, writes to the bound persons table would leave the buying groups behind.',
                  HINT = 'Bind the table again with buying_group.bind_persons() to put the triggers back.';
    END IF;
    IF NOT complete THEN
        RETURN;
    END IF;
    SELECT r::regclass::text INTO bad FROM unnest(tree) r
     WHERE NOT buying_group_internal.person_triggers_complete(r, true) LIMIT 1;
    IF bad IS NOT NULL AND NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r
                                 WHERE r.oid = buying_group_internal.calling_role()) THEN
        RAISE EXCEPTION 'the buying_group triggers of % must stay in place and enabled', bad
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'Without them, writes to the table would leave the buying groups behind.',
                  HINT = 'To load without them, a superuser sets session_replication_role = replica and runs buying_group.recompute() afterwards.';
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group_internal.require_person_triggers(oid[], boolean) IS
'Internal: raises unless the persons table and its partitions keep their real-time triggers';

-- Whether any of the tables holds a row of its own.
CREATE FUNCTION buying_group_internal.any_rows(tables oid[])
RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rel oid;
    found_row boolean;
BEGIN
    FOREACH rel IN ARRAY tables LOOP
        EXECUTE format('SELECT EXISTS (SELECT FROM ONLY %s)', rel::regclass) INTO found_row;
        IF found_row THEN
            RETURN true;
        END IF;
    END LOOP;
    RETURN false;
END
$$;
COMMENT ON FUNCTION buying_group_internal.any_rows(oid[]) IS 'Internal: whether any of the tables holds a row of its own';

-- ddl_command_end: after a command that changed a bound table or a trigger,
-- the bindings and the role conditions must still fit (else the command is
-- refused), and the persons triggers must stay. A partition made or attached
-- gets the triggers, a table detached loses them, and the groups follow the
-- persons they brought or took; a rewrite of the persons table is followed
-- by recompute().
CREATE FUNCTION buying_group_internal.bound_tables_altered()
RETURNS event_trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    touched oid[];
    tree oid[];
    kind text;
    trigger_fn regprocedure := 'buying_group_internal.persons_changed()'::regprocedure;
    added oid[];
    gone oid[];
    rel oid;
    t text;
BEGIN
    IF NOT EXISTS (SELECT FROM buying_group.binding) THEN
        RETURN;
    END IF;
    SELECT array_agg(DISTINCT c.objid) INTO touched FROM pg_catalog.pg_event_trigger_ddl_commands() c
     WHERE c.classid = 'pg_catalog.pg_class'::regclass AND c.object_type IN ('table', 'table column');
    FOR kind IN SELECT b.kind FROM buying_group.binding b
                 WHERE b.kind <> 'persons' AND b.relation = ANY (touched) ORDER BY 1 LOOP
        PERFORM buying_group_internal.bound(kind);
    END LOOP;
    PERFORM buying_group_internal.require_key(b.relation, b.key_column, NULL, 'accounts', 'alter')
       FROM buying_group.binding b WHERE b.kind = 'accounts' AND b.relation = ANY (touched);
    tree := buying_group_internal.persons_tree();
    IF cardinality(tree) = 0 THEN
        RETURN;
    END IF;
    IF tree && touched THEN
        PERFORM buying_group_internal.require_conditions_fit((buying_group_internal.bound('persons')).relation, 'alter');
        PERFORM buying_group_internal.require_key(b.relation, b.key_column, b.account_column, 'persons', 'alter')
           FROM buying_group.binding b WHERE b.kind = 'persons';
    END IF;
    IF TG_TAG IN ('CREATE TRIGGER', 'ALTER TRIGGER') THEN
        PERFORM buying_group_internal.require_person_triggers(tree, false);
    -- not while a restore has yet to make the table's own triggers (it makes the partitions' too)
    ELSIF buying_group_internal.person_triggers_complete(tree[1], false) THEN
        added := ARRAY(SELECT p FROM unnest(tree) p
                        WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_trigger x WHERE x.tgrelid = p AND x.tgfoid = trigger_fn));
        gone := ARRAY(SELECT DISTINCT x.tgrelid FROM pg_catalog.pg_trigger x
                       WHERE x.tgfoid = trigger_fn AND NOT x.tgrelid = ANY (tree));
        FOREACH rel IN ARRAY added LOOP
            PERFORM buying_group_internal.person_triggers_on(rel::regclass);
        END LOOP;
        -- the triggers left on a table that is no longer in the tree (detached)
        FOR rel, t IN SELECT x.tgrelid, x.tgname FROM pg_catalog.pg_trigger x
                       WHERE x.tgrelid = ANY (gone) AND x.tgfoid = trigger_fn ORDER BY 1, 2 LOOP
            EXECUTE format('DROP TRIGGER %I ON %s', t, rel::regclass);
        END LOOP;
        -- an attached partition brought persons, a detached one took them away
        IF cardinality(gone) > 0 OR buying_group_internal.any_rows(added) THEN
            PERFORM buying_group_internal.sync_persons(NULL, NULL);
        END IF;
        PERFORM buying_group_internal.require_person_triggers(tree, true);
    END IF;
    IF pg_catalog.current_setting('buying_group.persons_rewritten', true) = 'on' THEN
        PERFORM pg_catalog.set_config('buying_group.persons_rewritten', '', true);
        PERFORM buying_group.recompute();
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group_internal.bound_tables_altered() IS
'Internal: event trigger (ddl_command_end): refuses DDL that breaks a binding, a role condition or the persons triggers; follows partitions made, attached and detached; recomputes after a rewrite';

-- sql_drop: the unique index or constraint of a bound key, and the persons
-- triggers of the bound table or its partitions, cannot be dropped; a
-- dropped partition takes its persons out of their groups.
CREATE FUNCTION buying_group_internal.bound_objects_dropped()
RETURNS event_trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tree oid[] := buying_group_internal.persons_tree();
BEGIN
    -- an index is in its table's schema (the table itself is gone from the catalog by now)
    PERFORM buying_group_internal.require_key(b.relation, b.key_column, b.account_column, b.kind, 'alter')
       FROM buying_group.binding b
       JOIN pg_catalog.pg_class c ON c.oid = b.relation
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE b.kind IN ('accounts', 'persons')
        AND EXISTS (SELECT FROM pg_catalog.pg_event_trigger_dropped_objects() d
                     WHERE d.object_type IN ('index', 'table constraint') AND d.schema_name = n.nspname)
      ORDER BY b.kind;
    IF cardinality(tree) = 0 THEN
        RETURN;
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_event_trigger_dropped_objects() d
                WHERE d.object_type = 'table' AND d.address_names[3] IS NULL
                  AND EXISTS (SELECT FROM pg_catalog.pg_event_trigger_dropped_objects() x
                               WHERE x.object_type = 'trigger' AND x.address_names[1] = d.address_names[1]
                                 AND x.address_names[2] = d.address_names[2]
                                 AND x.address_names[3] = 'buying_group_insert')) THEN
        PERFORM buying_group_internal.sync_persons(NULL, NULL);
    END IF;
    PERFORM buying_group_internal.require_person_triggers(tree, true);
END
$$;
COMMENT ON FUNCTION buying_group_internal.bound_objects_dropped() IS
'Internal: event trigger (sql_drop): refuses dropping what keeps a bound key unique, or the persons triggers of the bound table; a dropped partition''s persons leave their groups';

CREATE EVENT TRIGGER buying_group_table_rewrite ON table_rewrite
    EXECUTE FUNCTION buying_group_internal.bound_table_rewritten();
CREATE EVENT TRIGGER buying_group_ddl_command_end ON ddl_command_end
    WHEN TAG IN ('ALTER TABLE', 'CREATE TABLE', 'CREATE TRIGGER', 'ALTER TRIGGER')
    EXECUTE FUNCTION buying_group_internal.bound_tables_altered();
CREATE EVENT TRIGGER buying_group_sql_drop ON sql_drop WHEN TAG IN ('DROP TRIGGER', 'ALTER TABLE', 'DROP TABLE', 'DROP INDEX')
    EXECUTE FUNCTION buying_group_internal.bound_objects_dropped();
