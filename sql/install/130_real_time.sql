--------------------------------------------------------------------------
-- Real time (SPEC 8): triggers on the bound persons table
--------------------------------------------------------------------------

-- What a persons statement changes: the memberships of the persons and
-- accounts it touched, for every solution interest, under the accounts' locks.
CREATE FUNCTION buying_group_internal.sync_persons(accounts text[], persons text[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    si record;
BEGIN
    -- writers of the same account wait for each other (a bulk load waits for all)
    PERFORM buying_group_internal.lock_accounts(accounts);
    FOR si IN SELECT x.id, t.name AS template, x.update_existing
                FROM buying_group.solution_interest x JOIN buying_group.template t ON t.id = x.template_id
               ORDER BY x.id LOOP
        PERFORM buying_group_internal.sync_members(si.id, si.template, accounts, persons, si.update_existing);
    END LOOP;
END
$$;
COMMENT ON FUNCTION buying_group_internal.sync_persons(text[], text[]) IS
'Internal: brings the memberships of the given persons and accounts up to date for every solution interest';

-- What a TRUNCATE of the persons table changes: every member is gone.
CREATE FUNCTION buying_group_internal.persons_truncated()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM buying_group_internal.lock_accounts(NULL);
    DELETE FROM buying_group.bgroup_role;
    WITH gone AS (DELETE FROM buying_group.bmember m RETURNING m.*)
    INSERT INTO buying_group.events (type, buying_group_id, account_key, person_key, payload)
    SELECT 'member_removed', x.buying_group_id, g.account_key, x.person_key,
           pg_catalog.jsonb_build_object('role', r.name, 'source', x.source, 'reason', 'left the account')
      FROM gone x JOIN buying_group.bgroup g ON g.id = x.buying_group_id
      JOIN buying_group.role r ON r.id = x.role_id
     WHERE NOT x.is_removed
     ORDER BY x.buying_group_id, x.person_key;
    PERFORM buying_group_internal.refresh_groups(ARRAY(SELECT g.id FROM buying_group.bgroup g));
END
$$;
COMMENT ON FUNCTION buying_group_internal.persons_truncated() IS
'Internal: after a TRUNCATE of the persons table, removes every member and recomputes every score';

-- Statement trigger of the bound persons table (INSERT, UPDATE, DELETE with
-- transition tables; TRUNCATE), in C: reads the touched keys from the
-- transition tables and calls sync_persons (persons_truncated), in the same
-- transaction. SECURITY DEFINER so that the CRM sync needs write access to
-- its own table only; it reads nothing but the transition tables and the
-- catalog, and passes keys as parameters.
CREATE FUNCTION buying_group_internal.persons_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'bg_persons_changed'
LANGUAGE C
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION buying_group_internal.persons_changed() IS
'Trigger of the bound persons table: keeps memberships and scores current in the same transaction';

-- Creates (or replaces) the four persons triggers on one table.
CREATE FUNCTION buying_group_internal.person_triggers_on(tbl regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    EXECUTE format('CREATE OR REPLACE TRIGGER buying_group_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION buying_group_internal.persons_changed()', tbl);
    EXECUTE format('CREATE OR REPLACE TRIGGER buying_group_update AFTER UPDATE ON %s '
                   'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION buying_group_internal.persons_changed()', tbl);
    EXECUTE format('CREATE OR REPLACE TRIGGER buying_group_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION buying_group_internal.persons_changed()', tbl);
    EXECUTE format('CREATE OR REPLACE TRIGGER buying_group_truncate AFTER TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION buying_group_internal.persons_changed()', tbl);
END
$$;
COMMENT ON FUNCTION buying_group_internal.person_triggers_on(regclass) IS
'Internal: creates or replaces the real-time triggers on one table';

-- Installs the persons triggers on a table and on each of its partitions
-- (statement triggers fire for the table a statement names: a write straight
-- into a partition fires the partition's), and removes them from another.
CREATE FUNCTION buying_group_internal.install_person_triggers(new_table regclass, old_table regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rel regclass;
    t text;
BEGIN
    IF old_table IS DISTINCT FROM new_table AND old_table IS NOT NULL THEN
        FOR rel IN SELECT old_table UNION SELECT x.relid FROM pg_catalog.pg_partition_tree(old_table) x LOOP
            CONTINUE WHEN NOT EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid = rel);
            FOREACH t IN ARRAY ARRAY['buying_group_insert', 'buying_group_update', 'buying_group_delete',
                                     'buying_group_truncate'] LOOP
                EXECUTE format('DROP TRIGGER IF EXISTS %I ON %s', t, rel);
            END LOOP;
        END LOOP;
    END IF;
    FOR rel IN SELECT new_table UNION SELECT x.relid FROM pg_catalog.pg_partition_tree(new_table) x LOOP
        PERFORM buying_group_internal.person_triggers_on(rel);
    END LOOP;
END
$$;
COMMENT ON FUNCTION buying_group_internal.install_person_triggers(regclass, regclass) IS
'Internal: creates the real-time triggers on the bound persons table and its partitions (and drops them from the previous one)';

-- Lists every buying group whose stored membership or scores differ from a
-- recomputation from scratch. Empty, always.
CREATE FUNCTION buying_group.verify_scores()
RETURNS TABLE (buying_group_id bigint, account_key text, person_key text, problem text,
               stored text, expected text)
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    per buying_group.binding := buying_group_internal.bound('persons');
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
CREATE FUNCTION buying_group_internal.group_for_update(si buying_group.solution_interest, account_key text)
RETURNS buying_group.bgroup
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g buying_group.bgroup;
BEGIN
    -- the account's writer lock first, in the triggers' order, then the row
    PERFORM buying_group_internal.lock_accounts(ARRAY[account_key]);
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
COMMENT ON FUNCTION buying_group_internal.group_for_update(buying_group.solution_interest, text) IS
'Internal: the buying group of an account, locked; raises if there is none';

-- Raises unless the source is one an API caller may use.
CREATE FUNCTION buying_group_internal.require_source(source text)
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
COMMENT ON FUNCTION buying_group_internal.require_source(text) IS 'Internal: raises unless the source is manual or journey';

CREATE FUNCTION buying_group.assign_member(solution_interest text, account_key text, person_key text, role text,
                                           source text DEFAULT 'manual')
RETURNS boolean
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    si buying_group.solution_interest := buying_group_internal.solution_interest_of(solution_interest);
    per buying_group.binding := buying_group_internal.bound('persons');
    g buying_group.bgroup;
    m buying_group.bmember;
    person_account text;
    found_person boolean;
    rid integer;
BEGIN
    PERFORM buying_group_internal.require_source(source);
    g := buying_group_internal.group_for_update(si, account_key);
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
    PERFORM buying_group_internal.count_roles(ARRAY[g.id, g.id], ARRAY[rid, m.role_id],
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
    PERFORM buying_group_internal.refresh_groups(ARRAY[g.id]);
    RETURN true;
END
$$;
COMMENT ON FUNCTION buying_group.assign_member(text, text, text, text, text) IS
'Assigns a person of the account to a role of its buying group (source manual or journey); false, with a NOTICE, when a higher source holds the membership';

CREATE FUNCTION buying_group.remove_member(solution_interest text, account_key text, person_key text,
                                           source text DEFAULT 'manual')
RETURNS boolean
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    si buying_group.solution_interest := buying_group_internal.solution_interest_of(solution_interest);
    g buying_group.bgroup;
    m buying_group.bmember;
BEGIN
    PERFORM buying_group_internal.require_source(source);
    g := buying_group_internal.group_for_update(si, account_key);
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
        PERFORM buying_group_internal.count_roles(ARRAY[g.id], ARRAY[m.role_id], ARRAY[-1]);
        INSERT INTO buying_group.events (type, buying_group_id, account_key, person_key, payload)
        VALUES ('member_removed', g.id, g.account_key, remove_member.person_key,
                pg_catalog.jsonb_build_object('role', (SELECT r.name FROM buying_group.role r WHERE r.id = m.role_id),
                                              'source', remove_member.source));
    END IF;
    PERFORM buying_group_internal.refresh_groups(ARRAY[g.id]);
    RETURN true;
END
$$;
COMMENT ON FUNCTION buying_group.remove_member(text, text, text, text) IS
'Removes a member (softly) from its buying group (source manual or journey); false, with a NOTICE, when a higher source holds the membership';

CREATE FUNCTION buying_group.simulate(solution_interest text, template text)
RETURNS TABLE (account_key text, current_completeness numeric, simulated_completeness numeric,
               current_members integer, simulated_members integer)
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    si buying_group.solution_interest := buying_group_internal.solution_interest_of(solution_interest);
    per buying_group.binding := buying_group_internal.bound('persons');
BEGIN
    PERFORM FROM buying_group_internal.template_of(template);     -- raises if there is none
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
