
-- After the replay: what 0.1.0 let admins write is checked again.

-- Every binding must be one 0.2.0 accepts (admins could write the bindings
-- table directly in 0.1.0): else the update stops here, saying which.
DO $bindings$
DECLARE
    b record;
    msg text;
    hint text;
BEGIN
    FOR b IN SELECT x.kind, x.relation, x.key_column, x.account_column FROM buying_group.binding x ORDER BY x.kind LOOP
        PERFORM buying_group_internal.require_bindable(b.relation, b.kind);
        PERFORM buying_group_internal.bound(b.kind);
        -- 0.1.0 bound keys without checking them: said, not refused (the
        -- groups stand), until the next change of the table
        IF b.kind IN ('accounts', 'persons') THEN
            BEGIN
                PERFORM buying_group_internal.require_key(b.relation, b.key_column, b.account_column, b.kind, 'bind');
            EXCEPTION WHEN invalid_table_definition THEN
                GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
                RAISE WARNING '%', replace(msg, 'cannot bind the ', 'the bound ')
                    USING DETAIL = 'Changes to the table are refused until its key is NOT NULL and unique.', HINT = hint;
            END;
        END IF;
    END LOOP;
END
$bindings$;

-- Audience views become the extension's, made again from their rules (admins
-- owned them, and could have replaced them with anything); other views in
-- their schema go. A view made in this script would belong to the
-- extension, as the views of a fresh install do not: it is let go again.
DO $audiences$
DECLARE
    v record;
BEGIN
    FOR v IN SELECT c.relname FROM pg_catalog.pg_class c
              WHERE c.relnamespace = 'buying_group_audience'::regnamespace AND c.relkind = 'v' ORDER BY 1 LOOP
        EXECUTE pg_catalog.format('DROP VIEW buying_group_audience.%I', v.relname);
    END LOOP;
    FOR v IN SELECT a.name, a.view_name FROM buying_group.audience a ORDER BY a.id LOOP
        PERFORM buying_group_internal.make_audience_view(v.name);
        EXECUTE pg_catalog.format('ALTER EXTENSION buying_group DROP VIEW buying_group_audience.%I', v.view_name);
    END LOOP;
END
$audiences$;

-- The partitions of a partitioned persons table get the triggers too
SELECT buying_group_internal.install_person_triggers(b.relation, b.relation)
  FROM buying_group.binding b WHERE b.kind = 'persons';

-- The membership sync, generated for the persons binding (0.1.0 built its
-- statement on every call)
SELECT buying_group_internal.compile_persons();

-- The role counts, from the members, onto the group rows; their old table goes
SELECT buying_group_internal.recount_roles(NULL);
ALTER EXTENSION buying_group DROP TABLE buying_group.bgroup_role;
DROP TABLE buying_group.bgroup_role;

-- Completeness is stored without the trailing zeros of the division that
-- computes it (0.1.0: 100.00000000000000000000; now 100): the same values
UPDATE buying_group.bgroup SET completeness = pg_catalog.trim_scale(completeness)
 WHERE pg_catalog.scale(completeness) > pg_catalog.min_scale(completeness);
UPDATE buying_group.score_history SET completeness = pg_catalog.trim_scale(completeness)
 WHERE pg_catalog.scale(completeness) > pg_catalog.min_scale(completeness);
