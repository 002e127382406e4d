--------------------------------------------------------------------------
-- Creation job, maintenance, membership (SPEC 6)
--------------------------------------------------------------------------

CREATE FUNCTION buying_group.create_buying_groups(solution_interest text, audience text)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    si buying_group.solution_interest := buying_group_internal.solution_interest_of(solution_interest);
    aud buying_group.audience := buying_group_internal.audience_of(audience);
    acc buying_group.binding := buying_group_internal.bound('accounts');
    per buying_group.binding := buying_group_internal.bound('persons');
    tmpl text := (SELECT t.name FROM buying_group.template t WHERE t.id = si.template_id);
    ids bigint[];
BEGIN
    -- one bulk job at a time, and writers of persons wait, so that a person
    -- inserted meanwhile is either seen here or by its trigger
    PERFORM buying_group_internal.lock_accounts(NULL);
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
    PERFORM buying_group_internal.refresh_groups(coalesce(ids, '{}'), false);
    RETURN coalesce(cardinality(ids), 0);
END
$$;
COMMENT ON FUNCTION buying_group.create_buying_groups(text, text) IS
'The creation job: one buying group per account of the audience that has none for the solution interest, members assigned by their first matching role; returns how many groups it created';

CREATE FUNCTION buying_group_internal.sync_execute(sql text, si_id integer, template text, accounts text[],
                                          persons text[], follow_attributes boolean)
RETURNS bigint[]
AS 'MODULE_PATHNAME', 'bg_sync_execute'
LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION buying_group_internal.sync_execute(text, integer, text, text[], text[], boolean) IS
'Internal: runs the membership sync statement with a plan kept for the session';

-- Re-evaluates the system memberships of a solution interest's groups: all of
-- them, or only those of some accounts and persons (the triggers' case). With
-- follow_attributes false, only persons who left (deleted, moved) are taken out.
-- Returns how many memberships changed; refreshes the changed groups' scores.
CREATE FUNCTION buying_group_internal.sync_members(si_id integer, template text, accounts text[], persons text[],
                                          follow_attributes boolean)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    per buying_group.binding := buying_group_internal.bound('persons');
    -- restrictions written only when given, so that a kept plan can use the indexes
    on_accounts text := CASE WHEN accounts IS NULL THEN '' ELSE ' AND g.account_key = ANY ($3)' END;
    on_persons text := CASE WHEN persons IS NULL THEN ''
                            ELSE format(' AND p.%I::text = ANY ($4)', per.key_column) END;
    on_members text := CASE WHEN persons IS NULL THEN '' ELSE ' AND m.person_key = ANY ($4)' END;
    changes bigint[];
BEGIN
    -- one array element per changed membership: its group
    changes := buying_group_internal.sync_execute(format($q$
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
    PERFORM buying_group_internal.refresh_groups(ARRAY(SELECT DISTINCT unnest(changes)));
    RETURN cardinality(changes);
END
$$;
COMMENT ON FUNCTION buying_group_internal.sync_members(integer, text, text[], text[], boolean) IS
'Internal: re-evaluates the system memberships of a solution interest''s groups (optionally of some accounts and persons only)';

CREATE FUNCTION buying_group.run_maintenance(solution_interest text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    si record;
    total bigint := 0;
BEGIN
    IF solution_interest IS NOT NULL THEN
        PERFORM buying_group_internal.solution_interest_of(solution_interest);
    END IF;
    FOR si IN SELECT x.id, t.name AS template
                FROM buying_group.solution_interest x JOIN buying_group.template t ON t.id = x.template_id
               WHERE CASE WHEN run_maintenance.solution_interest IS NULL THEN x.update_existing
                          ELSE x.name = run_maintenance.solution_interest END
               ORDER BY x.id LOOP
        PERFORM buying_group_internal.lock_accounts(NULL);
        total := total + buying_group_internal.sync_members(si.id, si.template, NULL, NULL, true);
    END LOOP;
    RETURN total;
END
$$;
COMMENT ON FUNCTION buying_group.run_maintenance(text) IS
'The daily job: re-evaluates the system memberships of the groups of one solution interest (or of every one with update_existing); returns how many memberships changed';

CREATE FUNCTION buying_group.recompute(solution_interest text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    si record;
    total bigint := 0;
BEGIN
    IF solution_interest IS NOT NULL THEN
        PERFORM buying_group_internal.solution_interest_of(solution_interest);
    END IF;
    FOR si IN SELECT x.id, t.name AS template, x.update_existing
                FROM buying_group.solution_interest x JOIN buying_group.template t ON t.id = x.template_id
               WHERE recompute.solution_interest IS NULL OR x.name = recompute.solution_interest
               ORDER BY x.id LOOP
        PERFORM buying_group_internal.lock_accounts(NULL);
        total := total + buying_group_internal.sync_members(si.id, si.template, NULL, NULL, si.update_existing);
        PERFORM buying_group_internal.recount_roles(si.id);
        PERFORM buying_group_internal.refresh_groups(ARRAY(SELECT g.id FROM buying_group.bgroup g
                                                   WHERE g.solution_interest_id = si.id));
    END LOOP;
    RETURN total;
END
$$;
COMMENT ON FUNCTION buying_group.recompute(text) IS
'Repairs after the triggers were bypassed: brings the memberships of every solution interest''s groups (or one''s) to what the triggers would have made them and recomputes every score; returns how many memberships changed';
