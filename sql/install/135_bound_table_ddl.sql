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

-- ddl_command_end: after a command that changed a bound table, the bindings
-- and the role conditions must still fit (else the command is refused), the
-- persons triggers must stay enabled, a new partition of the persons table
-- gets them, and a rewrite of the persons table is followed by recompute().
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
BEGIN
    SELECT array_agg(DISTINCT c.objid) INTO touched FROM pg_catalog.pg_event_trigger_ddl_commands() c
     WHERE c.classid = 'pg_catalog.pg_class'::regclass AND c.object_type IN ('table', 'table column');
    IF touched IS NULL OR NOT EXISTS (SELECT FROM buying_group.binding) THEN
        RETURN;
    END IF;
    FOR kind IN SELECT b.kind FROM buying_group.binding b
                 WHERE b.kind <> 'persons' AND b.relation = ANY (touched) ORDER BY 1 LOOP
        PERFORM buying_group_internal.bound(kind);
    END LOOP;
    tree := buying_group_internal.persons_tree();
    IF NOT tree && touched THEN
        RETURN;
    END IF;
    PERFORM buying_group_internal.require_conditions_fit((buying_group_internal.bound('persons')).relation, 'alter');
    IF EXISTS (SELECT FROM pg_catalog.pg_trigger t
                WHERE t.tgrelid = ANY (tree) AND t.tgfoid = trigger_fn AND t.tgenabled NOT IN ('O', 'A')) THEN
        RAISE EXCEPTION 'the buying_group triggers of the bound persons table must stay enabled'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'Without them, writes to the table would leave the buying groups behind.',
                  HINT = 'To load without them, set session_replication_role = replica and run buying_group.recompute() afterwards.';
    END IF;
    -- a partition made or attached after the binding; not while a restore has
    -- yet to make the table's own triggers (it makes the partitions' too)
    IF EXISTS (SELECT FROM pg_catalog.pg_trigger t WHERE t.tgrelid = tree[1] AND t.tgfoid = trigger_fn) THEN
        PERFORM buying_group_internal.person_triggers_on(p::regclass)
           FROM unnest(tree) p
          WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_trigger t WHERE t.tgrelid = p AND t.tgfoid = trigger_fn);
    END IF;
    IF pg_catalog.current_setting('buying_group.persons_rewritten', true) = 'on' THEN
        PERFORM pg_catalog.set_config('buying_group.persons_rewritten', '', true);
        PERFORM buying_group.recompute();
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group_internal.bound_tables_altered() IS
'Internal: event trigger (ddl_command_end): refuses DDL that breaks a binding, a role condition or the persons triggers; installs the triggers on new partitions; recomputes after a rewrite';

-- sql_drop: the persons triggers cannot be dropped from the bound table or
-- its partitions (dropping the table itself is allowed; the binding then
-- reports it).
CREATE FUNCTION buying_group_internal.bound_objects_dropped()
RETURNS event_trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t record;
BEGIN
    SELECT d.object_identity, d.address_names INTO t
      FROM pg_catalog.pg_event_trigger_dropped_objects() d
     WHERE d.object_type = 'trigger'
       AND d.address_names[3] IN ('buying_group_insert', 'buying_group_update', 'buying_group_delete',
                                  'buying_group_truncate')
       AND pg_catalog.to_regclass(pg_catalog.quote_ident(d.address_names[1]) || '.'
                                  || pg_catalog.quote_ident(d.address_names[2]))::oid
           = ANY (buying_group_internal.persons_tree())
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'cannot drop trigger %: the bound persons table needs it', t.object_identity
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'Without it, writes to the table would leave the buying groups behind.',
                  HINT = 'Bind another table with buying_group.bind_persons() first, or drop the table.';
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group_internal.bound_objects_dropped() IS
'Internal: event trigger (sql_drop): refuses dropping the persons triggers of the bound table';

CREATE EVENT TRIGGER buying_group_table_rewrite ON table_rewrite
    EXECUTE FUNCTION buying_group_internal.bound_table_rewritten();
CREATE EVENT TRIGGER buying_group_ddl_command_end ON ddl_command_end WHEN TAG IN ('ALTER TABLE', 'CREATE TABLE')
    EXECUTE FUNCTION buying_group_internal.bound_tables_altered();
CREATE EVENT TRIGGER buying_group_sql_drop ON sql_drop WHEN TAG IN ('DROP TRIGGER', 'ALTER TABLE')
    EXECUTE FUNCTION buying_group_internal.bound_objects_dropped();
