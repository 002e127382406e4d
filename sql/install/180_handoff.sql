--------------------------------------------------------------------------
-- Hand-off (SPEC 9): the sales alert of a buying group and the LinkedIn
-- matched-audience exports
--------------------------------------------------------------------------

-- What Sales needs about a group: its scores, stage and status, the required
-- roles it still misses and its four most engaged members.
CREATE FUNCTION buying_group.sales_alert(buying_group_id bigint)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    acc buying_group.binding := buying_group_internal.bound('accounts');
    per buying_group.binding := buying_group_internal.bound('persons');
    g buying_group.buying_groups;
    account_name text;
    missing jsonb;
    top jsonb;
BEGIN
    SELECT * INTO g FROM buying_group.buying_groups b WHERE b.id = sales_alert.buying_group_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'buying group % does not exist', buying_group_id
            USING ERRCODE = 'undefined_object', HINT = 'The view buying_group.buying_groups lists them.';
    END IF;
    EXECUTE format('SELECT %I::text FROM %s WHERE %I::text = $1 LIMIT 1', acc.name_column, acc.relation, acc.key_column)
       INTO account_name USING g.account_key;
    SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('role', c.role, 'members_required', c.members_required,
                                                              'assigned', c.assigned) ORDER BY tr.priority)
      INTO missing
      FROM buying_group.role_coverage c
      JOIN buying_group.role r ON r.name = c.role
      JOIN buying_group.template_role tr ON tr.role_id = r.id
      JOIN buying_group.template t ON t.id = tr.template_id AND t.name = g.template
     WHERE c.buying_group_id = g.id AND c.required AND c.assigned < c.members_required;
    EXECUTE format($q$
        SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                   'person_key', m.person_key, 'name', nullif(concat_ws(' ', %s, %s), ''), 'title', %s,
                   'role', m.role, 'score', pg_catalog.round(m.engagement)::integer, 'email', %s) ORDER BY m.rank)
          FROM (SELECT x.person_key, r.name AS role, ps.engagement,
                       row_number() OVER (ORDER BY ps.engagement DESC NULLS LAST, tr.priority, x.person_key) AS rank
                  FROM buying_group.bmember x
                  JOIN buying_group.bgroup g ON g.id = x.buying_group_id
                  JOIN buying_group.solution_interest si ON si.id = g.solution_interest_id
                  JOIN buying_group.template_role tr ON tr.template_id = si.template_id AND tr.role_id = x.role_id
                  JOIN buying_group.role r ON r.id = x.role_id
                  LEFT JOIN buying_group.person_score ps ON ps.person_key = x.person_key
                 WHERE x.buying_group_id = $1 AND NOT x.is_removed
                 ORDER BY rank LIMIT 4) m
          LEFT JOIN LATERAL (SELECT * FROM %s p WHERE p.%I::text = m.person_key LIMIT 1) p ON true$q$,
        buying_group_internal.field_sql(per, 'first_name', 'p'), buying_group_internal.field_sql(per, 'last_name', 'p'),
        buying_group_internal.field_sql(per, 'title', 'p'), buying_group_internal.field_sql(per, 'email', 'p'),
        per.relation, per.key_column)
       INTO top USING g.id;
    RETURN pg_catalog.jsonb_build_object(
        'buying_group_id', g.id, 'name', g.name,
        'account', pg_catalog.jsonb_build_object('key', g.account_key, 'name', account_name),
        'solution_interest', g.solution_interest,
        'completeness', g.completeness_display, 'engagement', g.engagement_display,
        'sales_ready', g.sales_ready, 'stage', g.stage, 'status', g.status,
        'member_count', g.member_count,
        'missing_roles', coalesce(missing, '[]'), 'top_members', coalesce(top, '[]'));
END
$$;
COMMENT ON FUNCTION buying_group.sales_alert(bigint) IS
'What Sales needs about a buying group, as jsonb: name, account, solution interest, completeness, engagement, stage, status, missing required roles and the top 4 members by engagement (name, title, role, score, email)';

-- The view of an audience, as a quoted relation name.
CREATE FUNCTION buying_group_internal.audience_relation(audience text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.format('buying_group_audience.%I', (buying_group_internal.audience_of(audience)).view_name)
$$;
COMMENT ON FUNCTION buying_group_internal.audience_relation(text) IS 'Internal: the quoted name of an audience''s view; raises if there is none';

-- The accounts of a set (a subquery of account keys as text) with LinkedIn's
-- company list columns.
CREATE FUNCTION buying_group_internal.linkedin_companies_of(accounts text)
RETURNS TABLE (companyname text, companywebsite text, companyemaildomain text, linkedincompanypageurl text,
               stocksymbol text, industry text, city text, state text, companycountry text, zipcode text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    acc buying_group.binding := buying_group_internal.bound('accounts');
BEGIN
    RETURN QUERY EXECUTE format('SELECT a.%1$I::text, %2$s FROM %3$s a WHERE a.%4$I::text IN %5$s '
                                'ORDER BY 1, a.%4$I::text',
        acc.name_column,
        (SELECT string_agg(buying_group_internal.field_sql(acc, f.field, 'a'), ', ' ORDER BY f.n)
           FROM unnest(ARRAY['website', 'email_domain', 'linkedin_url', 'stock_symbol', 'industry', 'city', 'state',
                             'country', 'zip']) WITH ORDINALITY f(field, n)),
        acc.relation, acc.key_column, accounts);
END
$$;
COMMENT ON FUNCTION buying_group_internal.linkedin_companies_of(text) IS
'Internal: the accounts a subquery of account keys lists, with LinkedIn''s company list columns';

-- The persons of a set of accounts (a subquery of account keys as text; only
-- accounts with a buying group missing missing_role, when given) with
-- LinkedIn's contact list columns.
CREATE FUNCTION buying_group_internal.linkedin_contacts_of(accounts text, missing_role text)
RETURNS TABLE (email text, firstname text, lastname text, jobtitle text, employeecompany text, country text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    acc buying_group.binding := buying_group_internal.bound('accounts');
    per buying_group.binding := buying_group_internal.bound('persons');
BEGIN
    IF missing_role IS NOT NULL THEN
        PERFORM buying_group_internal.role_id(missing_role);     -- raises for an unknown role
    END IF;
    RETURN QUERY EXECUTE format($q$
        SELECT %1$s, %2$s, %3$s, %4$s, a.%5$I::text, %6$s
          FROM %7$s a JOIN %8$s p ON p.%9$I::text = a.%10$I::text
         WHERE a.%10$I::text IN %11$s
           AND ($1 IS NULL
                OR EXISTS (SELECT FROM buying_group.missing_roles mr WHERE mr.account_key = a.%10$I::text AND mr.role = $1))
         ORDER BY 5, 3, 2, 1, p.%12$I::text$q$,
        buying_group_internal.field_sql(per, 'email', 'p'), buying_group_internal.field_sql(per, 'first_name', 'p'),
        buying_group_internal.field_sql(per, 'last_name', 'p'), buying_group_internal.field_sql(per, 'title', 'p'),
        acc.name_column, buying_group_internal.field_sql(per, 'country', 'p'),
        acc.relation, per.relation, per.account_column, acc.key_column, accounts, per.key_column)
    USING missing_role;
END
$$;
COMMENT ON FUNCTION buying_group_internal.linkedin_contacts_of(text, text) IS
'Internal: the persons of the accounts a subquery of account keys lists, with LinkedIn''s contact list columns';

-- The account keys of an audience, as a subquery.
CREATE FUNCTION buying_group_internal.audience_accounts(audience text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.format('(SELECT v.%I::text FROM %s v)', (buying_group_internal.bound('accounts')).key_column,
                             buying_group_internal.audience_relation(audience))
$$;
COMMENT ON FUNCTION buying_group_internal.audience_accounts(text) IS 'Internal: a subquery listing the account keys of an audience';

CREATE FUNCTION buying_group.linkedin_companies(audience text)
RETURNS TABLE (companyname text, companywebsite text, companyemaildomain text, linkedincompanypageurl text,
               stocksymbol text, industry text, city text, state text, companycountry text, zipcode text)
LANGUAGE sql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM buying_group_internal.linkedin_companies_of(buying_group_internal.audience_accounts(audience))
$$;
COMMENT ON FUNCTION buying_group.linkedin_companies(text) IS
'The accounts of an audience with LinkedIn''s company list columns, for \copy (...) TO ''file.csv'' CSV HEADER';

CREATE FUNCTION buying_group.linkedin_contacts(audience text, missing_role text DEFAULT NULL)
RETURNS TABLE (email text, firstname text, lastname text, jobtitle text, employeecompany text, country text)
LANGUAGE sql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM buying_group_internal.linkedin_contacts_of(buying_group_internal.audience_accounts(audience), missing_role)
$$;
COMMENT ON FUNCTION buying_group.linkedin_contacts(text, text) IS
'The persons of an audience''s accounts (only accounts with a buying group missing missing_role, when given) with LinkedIn''s contact list columns, for \copy (...) TO ''file.csv'' CSV HEADER';
