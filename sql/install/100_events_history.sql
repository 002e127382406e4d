--------------------------------------------------------------------------
-- Events and score history (SPEC 8)
--------------------------------------------------------------------------

CREATE SEQUENCE buying_group.events_id_seq;
CREATE TABLE buying_group.events (
    id              bigint PRIMARY KEY DEFAULT pg_catalog.nextval('buying_group.events_id_seq'),
    at              timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    type            text NOT NULL CHECK (type IN ('member_assigned', 'member_removed', 'role_changed',
                                                  'completeness_changed', 'engagement_changed', 'stage_changed',
                                                  'status_changed', 'sales_ready')),
    buying_group_id bigint NOT NULL,
    account_key     text NOT NULL,
    person_key      text,
    payload         jsonb NOT NULL DEFAULT '{}'
);
ALTER SEQUENCE buying_group.events_id_seq OWNED BY buying_group.events.id;
CREATE INDEX ON buying_group.events (buying_group_id, id);
COMMENT ON TABLE buying_group.events IS 'Append-only outbox of buying-group events; each is also sent with NOTIFY on channel buying_group_events';
COMMENT ON COLUMN buying_group.events.id IS 'Increasing event id: consumers remember the last one they read';
COMMENT ON COLUMN buying_group.events.at IS 'When the event happened';
COMMENT ON COLUMN buying_group.events.type IS 'member_assigned, member_removed, role_changed, completeness_changed, engagement_changed, stage_changed, status_changed or sales_ready';
COMMENT ON COLUMN buying_group.events.buying_group_id IS 'The buying group';
COMMENT ON COLUMN buying_group.events.account_key IS 'The group''s account';
COMMENT ON COLUMN buying_group.events.person_key IS 'The person, for membership events';
COMMENT ON COLUMN buying_group.events.payload IS 'What changed: roles, sources, old and new scores';

-- Append-only: events are never updated (consumers may delete what they have read).
CREATE FUNCTION buying_group_internal.events_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'buying_group.events is append-only'
        USING ERRCODE = 'object_not_in_prerequisite_state',
              HINT = 'Read events by id; delete the ones you have processed if you must.';
END
$$;
CREATE TRIGGER events_guard BEFORE UPDATE ON buying_group.events
    FOR EACH ROW EXECUTE FUNCTION buying_group_internal.events_guard();

-- Sends the id of each new event on channel buying_group_events (delivered at commit).
CREATE FUNCTION buying_group_internal.events_notify()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- the id only: any role may LISTEN, so keys and scores stay behind the table's grants
    PERFORM pg_catalog.pg_notify('buying_group_events', n.id::text)
       FROM new_rows n ORDER BY n.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER events_notify AFTER INSERT ON buying_group.events REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION buying_group_internal.events_notify();

CREATE TABLE buying_group.score_history (
    buying_group_id bigint NOT NULL,     -- a group's (groups are never deleted)
    at              timestamptz NOT NULL DEFAULT pg_catalog.statement_timestamp(),
    completeness    numeric NOT NULL,
    engagement      numeric,
    member_count    integer NOT NULL,
    sales_ready     boolean NOT NULL
);
CREATE INDEX ON buying_group.score_history (buying_group_id, at);
COMMENT ON TABLE buying_group.score_history IS 'Every change of a buying group''s scores, with its time';
COMMENT ON COLUMN buying_group.score_history.buying_group_id IS 'The buying group';
COMMENT ON COLUMN buying_group.score_history.at IS 'When the scores changed: the time of the statement that changed them';
COMMENT ON COLUMN buying_group.score_history.completeness IS 'Completeness from then on';
COMMENT ON COLUMN buying_group.score_history.engagement IS 'Engagement from then on';
COMMENT ON COLUMN buying_group.score_history.member_count IS 'Members (not removed) from then on';
COMMENT ON COLUMN buying_group.score_history.sales_ready IS 'Sales-readiness from then on';
SELECT pg_catalog.pg_extension_config_dump('buying_group.events', '');
SELECT pg_catalog.pg_extension_config_dump('buying_group.events_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('buying_group.score_history', '');

-- The one writer of a group's role counts and scores. Adds the given count
-- deltas (parallel arrays: group, role, delta; one element per membership
-- change) to the groups' role counts and recomputes their completeness,
-- member count and sales-readiness from them, in one UPDATE of each group
-- row; or, when engagements are given (parallel to ids), stores those and
-- leaves completeness as it stands, so that a refresh of engagement never
-- writes back a membership count a concurrent trigger has changed since.
-- Records each change of the scores in score_history and, when emit_events,
-- as completeness_changed, engagement_changed and sales_ready (upward
-- crossing) events. Then takes the automatic stage transitions of the groups
-- whose scores changed.
CREATE FUNCTION buying_group_internal.refresh_groups(ids bigint[], emit_events boolean DEFAULT true,
                                            engagements numeric[] DEFAULT NULL, delta_groups bigint[] DEFAULT NULL,
                                            delta_roles integer[] DEFAULT NULL, delta_counts integer[] DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan     -- planned once per session: the triggers call it per statement
AS $$
DECLARE
    scored_ids bigint[];
BEGIN
    -- PL/pgSQL rather than SQL, and a generic plan: the statement is planned once
    -- per session (custom plans cost more than the statement itself)
    WITH given AS (
        -- one row per group: its new engagement, if given, and its count deltas at
        -- the positions (priorities) of the roles in its template. One aggregate,
        -- not a join of the arrays, whose sizes a generic plan cannot know.
        SELECT x.id, max(x.engagement) AS engagement,
               array_agg(x.position) FILTER (WHERE x.position IS NOT NULL) AS positions,
               array_agg(x.n) FILTER (WHERE x.position IS NOT NULL) AS deltas
          FROM (SELECT u.id, u.engagement, NULL::integer AS position, NULL::integer AS n
                  FROM unnest(ids, engagements) u(id, engagement)
                UNION ALL
                SELECT d.g, NULL, tr.priority, d.n
                  FROM unnest(delta_groups, delta_roles, delta_counts) d(g, r, n)
                  JOIN buying_group.bgroup g3 ON g3.id = d.g
                  JOIN buying_group.solution_interest si3 ON si3.id = g3.solution_interest_id
                  JOIN buying_group.template_role tr ON tr.template_id = si3.template_id AND tr.role_id = d.r
                 WHERE d.n <> 0) x
         WHERE x.id IS NOT NULL
         GROUP BY x.id),
    fresh AS (
        -- the new counts and the scores from them: as cheap for a group of 500 as
        -- of 5; none when engagements are given
        SELECT gv.id, gv.engagement, nc.counts, g2.completeness AS old_completeness,
               g2.member_count AS old_members, g2.engagement AS old_engagement, g2.sales_ready AS old_sales_ready,
               CASE WHEN nc.counts IS NOT NULL
                    THEN coalesce(buying_group_internal.counts_completeness(t.name, nc.counts), 0) END AS completeness,
               buying_group_internal.role_counts_total(nc.counts) AS members
          FROM given gv
          JOIN buying_group.bgroup g2 ON g2.id = gv.id
          JOIN buying_group.solution_interest si2 ON si2.id = g2.solution_interest_id
          JOIN buying_group.template t ON t.id = si2.template_id
          CROSS JOIN LATERAL (SELECT CASE WHEN engagements IS NULL
                                          THEN buying_group_internal.add_role_counts(g2.role_counts, gv.positions,
                                                                                     gv.deltas) END AS counts) nc),
    changed AS (
        UPDATE buying_group.bgroup g
           SET role_counts = coalesce(f.counts, g.role_counts),
               completeness = coalesce(f.completeness, g.completeness),
               member_count = coalesce(f.members, g.member_count),
               engagement = coalesce(f.engagement, g.engagement),
               sales_ready = coalesce(f.completeness, g.completeness) >= si.sales_ready_completeness
                             AND coalesce(f.engagement, g.engagement, 0) >= si.sales_ready_engagement,
               updated_at = CASE WHEN (g.completeness, g.member_count, g.engagement)
                                      IS DISTINCT FROM (coalesce(f.completeness, g.completeness),
                                                        coalesce(f.members, g.member_count),
                                                        coalesce(f.engagement, g.engagement))
                                 THEN pg_catalog.now() ELSE g.updated_at END
          FROM fresh f, buying_group.solution_interest si
         WHERE g.id = f.id AND si.id = g.solution_interest_id
           AND (g.role_counts, g.completeness, g.member_count, g.engagement)
               IS DISTINCT FROM (coalesce(f.counts, g.role_counts), coalesce(f.completeness, g.completeness),
                                 coalesce(f.members, g.member_count), coalesce(f.engagement, g.engagement))
        RETURNING g.id, g.account_key, g.completeness, g.engagement, g.member_count, g.sales_ready,
                  f.old_completeness, f.old_engagement, f.old_sales_ready,
                  -- whether the scores changed, not only the counts
                  (g.completeness, g.member_count, g.engagement)
                  IS DISTINCT FROM (f.old_completeness, f.old_members, f.old_engagement) AS rescored),
    history AS (
        INSERT INTO buying_group.score_history (buying_group_id, completeness, engagement, member_count, sales_ready)
        SELECT c.id, c.completeness, c.engagement, c.member_count, c.sales_ready FROM changed c WHERE c.rescored),
    logged AS (
        INSERT INTO buying_group.events (type, buying_group_id, account_key, payload)
        SELECT e.type, c.id, c.account_key, e.payload
          FROM changed c
          CROSS JOIN LATERAL (VALUES
                (1, 'completeness_changed', c.completeness <> c.old_completeness,
                 pg_catalog.jsonb_build_object('old', c.old_completeness, 'new', c.completeness)),
                (2, 'engagement_changed', c.engagement IS DISTINCT FROM c.old_engagement,
                 pg_catalog.jsonb_build_object('old', c.old_engagement, 'new', c.engagement)),
                (3, 'sales_ready', c.sales_ready AND NOT c.old_sales_ready,
                 pg_catalog.jsonb_build_object('completeness', c.completeness, 'engagement', c.engagement))
              ) e(k, type, happened, payload)
         WHERE emit_events AND c.rescored AND e.happened
         ORDER BY c.id, e.k)
    SELECT array_agg(c.id) FILTER (WHERE c.rescored) INTO scored_ids FROM changed c;
    IF scored_ids IS NOT NULL THEN
        PERFORM buying_group_internal.advance_stages(scored_ids, emit_events);
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group_internal.refresh_groups(bigint[], boolean, numeric[], bigint[], integer[], integer[]) IS
'Internal: adds count deltas to the given buying groups and recomputes their stored scores (storing new engagements when given), with history and events';

CREATE FUNCTION buying_group.buying_groups_as_of(as_of timestamptz)
RETURNS TABLE (id bigint, name text, account_key text, solution_interest text, completeness numeric,
               engagement numeric, member_count integer, sales_ready boolean)
LANGUAGE sql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT g.id, g.name, g.account_key, si.name, coalesce(h.completeness, 0), h.engagement,
           coalesce(h.member_count, 0), coalesce(h.sales_ready, false)
      FROM buying_group.bgroup g
      JOIN buying_group.solution_interest si ON si.id = g.solution_interest_id
      LEFT JOIN LATERAL (SELECT sh.* FROM buying_group.score_history sh
                          WHERE sh.buying_group_id = g.id AND sh.at <= as_of
                          ORDER BY sh.at DESC LIMIT 1) h ON true
     WHERE g.created_at <= as_of
     ORDER BY g.id
$$;
COMMENT ON FUNCTION buying_group.buying_groups_as_of(timestamptz) IS
'The buying groups as they stood at a time: their scores then, from score_history';
