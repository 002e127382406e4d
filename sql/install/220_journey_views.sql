--------------------------------------------------------------------------
-- Journeys explained and measured (SPEC 9a): where each account stands, the
-- path it took, the alerts and LinkedIn lists journeys made, per-node KPIs
--------------------------------------------------------------------------

CREATE VIEW buying_group.journeys AS
SELECT j.name, j.description, j.status, j.definition ->> 'solution_interest' AS solution_interest,
       (SELECT e.value ->> 'audience' FROM pg_catalog.jsonb_each(j.definition -> 'nodes') e
         WHERE e.value ->> 'type' = 'start') AS audience,
       (SELECT count(*) FROM pg_catalog.jsonb_object_keys(j.definition -> 'nodes'))::integer AS nodes,
       j.definition, j.created_at, j.published_at, j.stopped_at
  FROM buying_group.journey j;
COMMENT ON VIEW buying_group.journeys IS 'Account journeys, draft, live or stopped';
COMMENT ON COLUMN buying_group.journeys.name IS 'Journey name, unique';
COMMENT ON COLUMN buying_group.journeys.description IS 'Free text';
COMMENT ON COLUMN buying_group.journeys.status IS 'draft (being written), live (run by run_journeys) or stopped';
COMMENT ON COLUMN buying_group.journeys.solution_interest IS 'The solution interest whose buying groups the journey works on';
COMMENT ON COLUMN buying_group.journeys.audience IS 'The account audience its start node enters';
COMMENT ON COLUMN buying_group.journeys.nodes IS 'How many nodes it has';
COMMENT ON COLUMN buying_group.journeys.definition IS 'The definition, as given (doc/journeys.md)';
COMMENT ON COLUMN buying_group.journeys.created_at IS 'When it was created';
COMMENT ON COLUMN buying_group.journeys.published_at IS 'When it went live';
COMMENT ON COLUMN buying_group.journeys.stopped_at IS 'When it was stopped';

CREATE VIEW buying_group.journey_accounts AS
SELECT j.name AS journey, ja.account_key, ja.entry, ja.node, j.definition -> 'nodes' -> ja.node ->> 'type' AS node_type,
       CASE WHEN ja.ended_at IS NOT NULL THEN 'ended'
            WHEN j.status = 'stopped' THEN 'stopped'
            WHEN j.definition -> 'nodes' -> ja.node ->> 'type' = 'listen' THEN 'listening'
            WHEN ja.wake_at IS NOT NULL THEN 'waiting'
            ELSE 'due' END AS state,
       ja.since, ja.wake_at AS until, ja.steps, ja.entered_at, ja.ended_at
  FROM buying_group.journey_account ja JOIN buying_group.journey j ON j.id = ja.journey_id;
COMMENT ON VIEW buying_group.journey_accounts IS 'Where each account stands in each journey it entered, since when';
COMMENT ON COLUMN buying_group.journey_accounts.journey IS 'The journey';
COMMENT ON COLUMN buying_group.journey_accounts.account_key IS 'The account';
COMMENT ON COLUMN buying_group.journey_accounts.entry IS '1 for its first time through the journey, 2 after a re-entry, ...';
COMMENT ON COLUMN buying_group.journey_accounts.node IS 'The node it is at (the end node it reached, once ended)';
COMMENT ON COLUMN buying_group.journey_accounts.node_type IS 'That node''s type';
COMMENT ON COLUMN buying_group.journey_accounts.state IS 'waiting, listening, due (moves at the next run), ended, or stopped with its journey';
COMMENT ON COLUMN buying_group.journey_accounts.since IS 'The run (its as_of) that brought it to the node';
COMMENT ON COLUMN buying_group.journey_accounts.until IS 'Waiting: when it goes on; listening: when it times out';
COMMENT ON COLUMN buying_group.journey_accounts.steps IS 'Steps taken in this entry';
COMMENT ON COLUMN buying_group.journey_accounts.entered_at IS 'The run that entered it';
COMMENT ON COLUMN buying_group.journey_accounts.ended_at IS 'The run that ended it';

CREATE VIEW buying_group.journey_steps AS
SELECT j.name AS journey, s.account_key, s.entry, s.seq, s.at, s.node, s.kind AS node_type, s.path, s.seen, s.result
  FROM buying_group.journey_step s JOIN buying_group.journey j ON j.id = s.journey_id;
COMMENT ON VIEW buying_group.journey_steps IS 'The path each account took through each journey, step by step, with what each split saw and each action did';
COMMENT ON COLUMN buying_group.journey_steps.journey IS 'The journey';
COMMENT ON COLUMN buying_group.journey_steps.account_key IS 'The account';
COMMENT ON COLUMN buying_group.journey_steps.entry IS 'Which entry of the account into the journey';
COMMENT ON COLUMN buying_group.journey_steps.seq IS 'The step''s number within the entry, from 1';
COMMENT ON COLUMN buying_group.journey_steps.at IS 'The run (its as_of) that took the step';
COMMENT ON COLUMN buying_group.journey_steps.node IS 'The node the account went through';
COMMENT ON COLUMN buying_group.journey_steps.node_type IS 'That node''s type';
COMMENT ON COLUMN buying_group.journey_steps.path IS 'Splits: the path taken (a path name or other); listens: heard or timeout';
COMMENT ON COLUMN buying_group.journey_steps.seen IS 'Splits: what the rules saw (the buying group''s scores, stage and status; people per path)';
COMMENT ON COLUMN buying_group.journey_steps.result IS 'Actions: what they did (or the error); waits and listens: until when, what was heard';

CREATE VIEW buying_group.journey_alerts AS
SELECT j.name AS journey, s.account_key, s.at, s.node,
       ARRAY(SELECT pg_catalog.jsonb_array_elements_text(s.result -> 'recipients')) AS recipients,
       s.result -> 'alert' AS alert
  FROM buying_group.journey_step s JOIN buying_group.journey j ON j.id = s.journey_id
 WHERE s.kind = 'action' AND s.result ->> 'action' = 'sales_alert' AND s.result ? 'alert';
COMMENT ON VIEW buying_group.journey_alerts IS 'The sales alerts journeys raised, for the CRM to deliver: recipients and the alert (buying_group.sales_alert)';
COMMENT ON COLUMN buying_group.journey_alerts.journey IS 'The journey';
COMMENT ON COLUMN buying_group.journey_alerts.account_key IS 'The account';
COMMENT ON COLUMN buying_group.journey_alerts.at IS 'The run that raised it';
COMMENT ON COLUMN buying_group.journey_alerts.node IS 'The action node';
COMMENT ON COLUMN buying_group.journey_alerts.recipients IS 'Who should receive it';
COMMENT ON COLUMN buying_group.journey_alerts.alert IS 'What Sales needs about the buying group, as sales_alert() gave it then';

CREATE VIEW buying_group.linkedin_lists AS
SELECT l.list, l.account_key, l.added_at, j.name AS journey
  FROM buying_group.linkedin_list_member l LEFT JOIN buying_group.journey j ON j.id = l.journey_id;
COMMENT ON VIEW buying_group.linkedin_lists IS 'The accounts journeys put on LinkedIn export lists';
COMMENT ON COLUMN buying_group.linkedin_lists.list IS 'The list';
COMMENT ON COLUMN buying_group.linkedin_lists.account_key IS 'An account on it';
COMMENT ON COLUMN buying_group.linkedin_lists.added_at IS 'When a journey added it';
COMMENT ON COLUMN buying_group.linkedin_lists.journey IS 'The journey that added it';

-- Per node of each journey: how many entries went through it and down each
-- path, how many of those accounts' groups are sales-ready now, and the
-- median time from arriving at the node to leaving it.
CREATE VIEW buying_group.journey_node_kpis AS
WITH step AS (
    SELECT s.*, s.at - pg_catalog.lag(s.at) OVER (PARTITION BY s.account_key, s.journey_id, s.entry ORDER BY s.seq) AS time_in_node
      FROM buying_group.journey_step s)
SELECT j.name AS journey, s.node, s.kind AS node_type, coalesce(s.path, '') AS path,
       count(*) AS passed, count(DISTINCT s.account_key) AS accounts,
       count(DISTINCT s.account_key) FILTER (WHERE g.sales_ready) AS sales_ready_now,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY s.time_in_node) AS median_time_in_node,
       (SELECT count(*) FROM buying_group.journey_account ja
         WHERE ja.journey_id = j.id AND ja.node = s.node AND ja.ended_at IS NULL) AS here_now
  FROM step s
  JOIN buying_group.journey j ON j.id = s.journey_id
  LEFT JOIN buying_group.solution_interest si ON si.name = j.definition ->> 'solution_interest'
  LEFT JOIN buying_group.bgroup g ON g.solution_interest_id = si.id AND g.account_key = s.account_key
 GROUP BY j.id, j.name, s.node, s.kind, coalesce(s.path, '');
COMMENT ON VIEW buying_group.journey_node_kpis IS 'Per journey node and path: entries through it, accounts, how many of them are sales-ready now, median time spent in the node, how many are there now';
COMMENT ON COLUMN buying_group.journey_node_kpis.journey IS 'The journey';
COMMENT ON COLUMN buying_group.journey_node_kpis.node IS 'The node';
COMMENT ON COLUMN buying_group.journey_node_kpis.node_type IS 'Its type';
COMMENT ON COLUMN buying_group.journey_node_kpis.path IS 'Splits: the path (or other); listens: heard or timeout; empty for other nodes';
COMMENT ON COLUMN buying_group.journey_node_kpis.passed IS 'Steps through the node on that path (an account re-entering counts again)';
COMMENT ON COLUMN buying_group.journey_node_kpis.accounts IS 'Distinct accounts among them';
COMMENT ON COLUMN buying_group.journey_node_kpis.sales_ready_now IS 'Of those accounts, how many have a sales-ready buying group now';
COMMENT ON COLUMN buying_group.journey_node_kpis.median_time_in_node IS 'Median time from arriving at the node to leaving it (0 for nodes passed in the run that reached them)';
COMMENT ON COLUMN buying_group.journey_node_kpis.here_now IS 'Accounts at the node now';

-- One line per step an account took through a journey, and where it is now.
CREATE FUNCTION buying_group.explain_journey(journey text, account_key text)
RETURNS TABLE (entry integer, seq integer, at timestamptz, node text, explanation text)
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    j buying_group.journey := buying_group_internal.journey_of(journey);
BEGIN
    IF NOT EXISTS (SELECT FROM buying_group.journey_account ja
                    WHERE ja.journey_id = j.id AND ja.account_key = explain_journey.account_key) THEN
        RAISE EXCEPTION 'account "%" has not entered journey "%"', account_key, j.name
            USING ERRCODE = 'undefined_object',
                  HINT = 'The view buying_group.journey_accounts lists the accounts of each journey.';
    END IF;
    RETURN QUERY
    SELECT s.entry, s.seq, s.at, s.node, buying_group_internal.explain_step(j.definition -> 'nodes' -> s.node, s)
      FROM buying_group.journey_step s
     WHERE s.journey_id = j.id AND s.account_key = explain_journey.account_key
    UNION ALL
    SELECT ja.entry, NULL::integer, ja.since, ja.node,
           CASE WHEN j.status = 'stopped' THEN 'the journey is stopped; the account stays here'
                WHEN j.definition -> 'nodes' -> ja.node ->> 'type' = 'listen'
                    THEN format('now listening for %s until %s', coalesce(j.definition -> 'nodes' -> ja.node ->> 'event',
                                                                          'activity ' || (j.definition -> 'nodes' -> ja.node ->> 'activity')),
                                ja.wake_at)
                WHEN ja.wake_at IS NOT NULL THEN format('now waiting until %s', ja.wake_at)
                ELSE 'due: the next run moves it on' END
      FROM buying_group.journey_account ja
     WHERE ja.journey_id = j.id AND ja.account_key = explain_journey.account_key AND ja.ended_at IS NULL
     ORDER BY 1, 2 NULLS LAST;
END
$$;
COMMENT ON FUNCTION buying_group.explain_journey(text, text) IS
'The path an account took through a journey, one line per step (what each split saw, what each action did), and where it stands now';

-- A step in words.
CREATE FUNCTION buying_group_internal.explain_step(node jsonb, s buying_group.journey_step)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE s.kind
        WHEN 'start' THEN format('entered from audience "%s"', node ->> 'audience')
        WHEN 'account_split' THEN format('took path "%s": its buying group %s', s.path,
             CASE WHEN s.seen -> 'buying_group' = 'null' THEN 'did not exist'
                  ELSE format('had completeness %s, engagement %s, stage %s, status %s',
                              pg_catalog.trim_scale(pg_catalog.round((s.seen -> 'buying_group' ->> 'completeness')::numeric, 2)),
                              coalesce(pg_catalog.trim_scale(pg_catalog.round((s.seen -> 'buying_group' ->> 'engagement')::numeric, 2))::text, 'none'),
                              coalesce(s.seen -> 'buying_group' ->> 'stage', 'none'), coalesce(s.seen -> 'buying_group' ->> 'status', 'none')) END)
        WHEN 'people_split' THEN format('took path "%s": people matching each path %s', s.path, s.seen -> 'people')
        WHEN 'wait' THEN format('waited until %s', s.result ->> 'waited_until')
        WHEN 'listen' THEN CASE s.path WHEN 'heard' THEN format('heard %s at %s', coalesce(s.result ->> 'type', 'activity ' || (s.result ->> 'activity')),
                                                                 s.result ->> 'at')
                                       ELSE format('heard nothing; timed out at %s', s.result ->> 'timed_out_at') END
        WHEN 'action' THEN CASE WHEN s.result ? 'error' THEN format('%s failed: %s', s.result ->> 'action', s.result ->> 'error')
                                ELSE CASE s.result ->> 'action'
                                     WHEN 'assign' THEN format('assigned %s as %s%s', CASE WHEN s.result -> 'assigned' = '[]' THEN 'nobody'
                                                                                   ELSE s.result ->> 'assigned' END, s.result ->> 'role',
                                          CASE WHEN s.result -> 'unchanged' <> '[]' THEN format(' (unchanged: %s)', s.result -> 'unchanged') ELSE '' END)
                                     WHEN 'remove' THEN format('removed %s%s', CASE WHEN s.result -> 'removed' = '[]' THEN 'nobody'
                                                                                  ELSE s.result ->> 'removed' END,
                                          CASE WHEN s.result -> 'unchanged' <> '[]' THEN format(' (unchanged: %s)', s.result -> 'unchanged') ELSE '' END)
                                     WHEN 'set_stage' THEN format('stage %s -> %s', coalesce(s.result ->> 'old', 'none'), s.result ->> 'stage')
                                     WHEN 'set_status' THEN format('status %s -> %s', coalesce(s.result ->> 'old', 'none'), coalesce(s.result ->> 'status', 'none'))
                                     WHEN 'sales_alert' THEN format('alerted %s', s.result -> 'recipients')
                                     WHEN 'linkedin_add' THEN format('%s LinkedIn list "%s"', CASE WHEN (s.result ->> 'added')::boolean THEN 'added to' ELSE 'already on' END, s.result ->> 'list')
                                     ELSE format('%s LinkedIn list "%s"', CASE WHEN (s.result ->> 'removed')::boolean THEN 'removed from' ELSE 'was not on' END, s.result ->> 'list')
                                     END END
        WHEN 'merge' THEN 'merged'
        ELSE 'ended' END
$$;
COMMENT ON FUNCTION buying_group_internal.explain_step(jsonb, buying_group.journey_step) IS 'Internal: a journey step in words';

-- The companies or contacts of a LinkedIn export list, as the audience exports give them.
CREATE FUNCTION buying_group_internal.linkedin_list_accounts(list text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM buying_group.linkedin_list_member l WHERE l.list = linkedin_list_accounts.list) THEN
        RAISE EXCEPTION 'LinkedIn list "%" has no account', list
            USING ERRCODE = 'undefined_object', HINT = 'The view buying_group.linkedin_lists lists them; journeys fill them.';
    END IF;
    RETURN format('(SELECT l.account_key FROM buying_group.linkedin_list_member l WHERE l.list = %L)', list);
END
$$;
COMMENT ON FUNCTION buying_group_internal.linkedin_list_accounts(text) IS
'Internal: a subquery listing the account keys of a LinkedIn export list; raises if the list has none';

CREATE FUNCTION buying_group.linkedin_list_companies(list text)
RETURNS TABLE (companyname text, companywebsite text, companyemaildomain text, linkedincompanypageurl text,
               stocksymbol text, industry text, city text, state text, companycountry text, zipcode text)
LANGUAGE sql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM buying_group_internal.linkedin_companies_of(buying_group_internal.linkedin_list_accounts(list))
$$;
COMMENT ON FUNCTION buying_group.linkedin_list_companies(text) IS
'The accounts journeys put on a LinkedIn export list, with LinkedIn''s company list columns, for \copy (...) TO ''file.csv'' CSV HEADER';

CREATE FUNCTION buying_group.linkedin_list_contacts(list text, missing_role text DEFAULT NULL)
RETURNS TABLE (email text, firstname text, lastname text, jobtitle text, employeecompany text, country text)
LANGUAGE sql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM buying_group_internal.linkedin_contacts_of(buying_group_internal.linkedin_list_accounts(list), missing_role)
$$;
COMMENT ON FUNCTION buying_group.linkedin_list_contacts(text, text) IS
'The persons of the accounts on a LinkedIn export list (only accounts with a buying group missing missing_role, when given) with LinkedIn''s contact list columns';
