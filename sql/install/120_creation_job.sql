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
    member_groups bigint[];
    member_roles integer[];
    ones integer[];
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
            RETURNING buying_group_id, role_id)
        SELECT (SELECT array_agg(ng.id) FROM new_group ng), k.groups, k.roles, k.ones
          FROM (SELECT array_agg(nm.buying_group_id) AS groups, array_agg(nm.role_id) AS roles,
                       array_agg(1) AS ones FROM new_member nm) k$q$,
        acc.key_column, acc.name_column, aud.view_name, per.account_column, per.key_column, per.relation)
    INTO ids, member_groups, member_roles, ones USING si.id, si.name, tmpl;
    -- a new group's first counts and scores are part of its creation: history, no events
    PERFORM buying_group_internal.refresh_groups(coalesce(ids, '{}'), false, NULL, member_groups, member_roles, ones);
    RETURN coalesce(cardinality(ids), 0);
END
$$;
COMMENT ON FUNCTION buying_group.create_buying_groups(text, text) IS
'The creation job: one buying group per account of the audience that has none for the solution interest, members assigned by their first matching role; returns how many groups it created';

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
        -- the counts first, from the members as they are, so that the sync adds
        -- its changes to counts that hold even if they had parted
        PERFORM buying_group_internal.recount_roles(si.id);
        total := total + buying_group_internal.sync_members(si.id, si.template, NULL, NULL, si.update_existing);
        PERFORM buying_group_internal.refresh_groups(ARRAY(SELECT g.id FROM buying_group.bgroup g
                                                   WHERE g.solution_interest_id = si.id));
    END LOOP;
    RETURN total;
END
$$;
COMMENT ON FUNCTION buying_group.recompute(text) IS
'Repairs after the triggers were bypassed: brings the memberships of every solution interest''s groups (or one''s) to what the triggers would have made them and recomputes every score; returns how many memberships changed';
