--------------------------------------------------------------------------
-- Engagement (SPEC 7)
--------------------------------------------------------------------------

CREATE SEQUENCE buying_group.engagement_model_id_seq AS integer;
CREATE TABLE buying_group.engagement_model (
    id           integer PRIMARY KEY DEFAULT pg_catalog.nextval('buying_group.engagement_model_id_seq'),
    name         text NOT NULL UNIQUE CHECK (pg_catalog.btrim(name) = name AND name <> ''),
    status       text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'archived')),
    daily_cap    integer NOT NULL DEFAULT 20 CHECK (daily_cap >= 1),
    window_days  integer NOT NULL DEFAULT 30 CHECK (window_days BETWEEN 1 AND 3660),
    created_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    activated_at timestamptz
);
ALTER SEQUENCE buying_group.engagement_model_id_seq OWNED BY buying_group.engagement_model.id;
CREATE UNIQUE INDEX engagement_model_one_active ON buying_group.engagement_model ((true)) WHERE status = 'active';
COMMENT ON TABLE buying_group.engagement_model IS 'Engagement models: activity weights, daily cap and window; exactly one is active';

CREATE TABLE buying_group.activity_weight (
    model_id      integer NOT NULL,     -- a model's (models are never deleted)
    activity_type text NOT NULL,
    weight        numeric NOT NULL CHECK (weight >= 0 AND weight <= 1000000),   -- NaN sorts above every number
    PRIMARY KEY (model_id, activity_type)
);
COMMENT ON TABLE buying_group.activity_weight IS 'The weight of each activity type in an engagement model; types not listed count 0';
-- pg_dump keeps the user's models; the seeded one is made again by CREATE
-- EXTENSION, and its weights never change (it is never a draft)
SELECT pg_catalog.pg_extension_config_dump('buying_group.engagement_model', 'WHERE name <> ''AJO standard''');
SELECT pg_catalog.pg_extension_config_dump('buying_group.engagement_model_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('buying_group.activity_weight',
    'WHERE model_id NOT IN (SELECT m.id FROM buying_group.engagement_model m WHERE m.name = ''AJO standard'')');

INSERT INTO buying_group.engagement_model (name, status, activated_at) VALUES ('AJO standard', 'active', pg_catalog.now());
INSERT INTO buying_group.activity_weight (model_id, activity_type, weight)
SELECT m.id, w.activity_type, w.weight
  FROM buying_group.engagement_model m,
       (VALUES ('attend_event', 60), ('email_clicked', 30), ('email_opened', 30), ('form_filled_out', 40),
               ('interesting_moment', 60), ('link_clicked', 40), ('page_viewed', 40),
               ('registered_for_event', 60)) w(activity_type, weight);

-- A model inserted as the active one (a restore does so; the API inserts
-- drafts and activates with an update) archives the model that was active.
CREATE FUNCTION buying_group_internal.engagement_model_inserted()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.status = 'active' THEN
        UPDATE buying_group.engagement_model x SET status = 'archived' WHERE x.status = 'active';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER engagement_model_inserted BEFORE INSERT ON buying_group.engagement_model
    FOR EACH ROW EXECUTE FUNCTION buying_group_internal.engagement_model_inserted();

-- Raises unless the engagement model is a draft: the weights of active and
-- archived models are frozen.
CREATE FUNCTION buying_group_internal.require_draft_engagement_model(m buying_group.engagement_model)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF m.status <> 'draft' THEN
        RAISE EXCEPTION 'engagement model "%" is %', m.name, m.status
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'Only the weights of a draft model can change.',
                  HINT = 'Copy it into a new draft with buying_group.create_engagement_model(name, copy_from => ...).';
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group_internal.require_draft_engagement_model(buying_group.engagement_model) IS
'Internal: raises unless the engagement model is a draft';

-- Weights of active and archived models are frozen. Rows inserted directly
-- are taken as they are: only the API (which inserts into drafts) and a
-- superuser's restore insert.
CREATE FUNCTION buying_group_internal.activity_weight_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m buying_group.engagement_model;
BEGIN
    SELECT * INTO m FROM buying_group.engagement_model x
     WHERE x.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.model_id ELSE NEW.model_id END;
    PERFORM buying_group_internal.require_draft_engagement_model(m);
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER activity_weight_guard BEFORE UPDATE OR DELETE ON buying_group.activity_weight
    FOR EACH ROW EXECUTE FUNCTION buying_group_internal.activity_weight_guard();

-- Looks up an engagement model by name, locked.
CREATE FUNCTION buying_group_internal.engagement_model_for_update(model text)
RETURNS buying_group.engagement_model
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m buying_group.engagement_model;
BEGIN
    SELECT * INTO m FROM buying_group.engagement_model x WHERE x.name = model FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'engagement model "%" does not exist', model
            USING ERRCODE = 'undefined_object',
                  HINT = 'The view buying_group.engagement_models lists them.';
    END IF;
    RETURN m;
END
$$;
COMMENT ON FUNCTION buying_group_internal.engagement_model_for_update(text) IS 'Internal: the engagement model of that name, locked; raises if there is none';

CREATE FUNCTION buying_group.create_engagement_model(name text, copy_from text DEFAULT NULL,
                                                     daily_cap integer DEFAULT 20, window_days integer DEFAULT 30)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    src buying_group.engagement_model;
    mid integer;
BEGIN
    IF name IS NULL OR btrim(name) = '' THEN
        RAISE EXCEPTION 'engagement model name must not be empty' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT FROM buying_group.engagement_model x WHERE x.name = btrim(create_engagement_model.name)) THEN
        RAISE EXCEPTION 'engagement model "%" already exists', btrim(name) USING ERRCODE = 'duplicate_object';
    END IF;
    IF daily_cap IS NULL OR daily_cap < 1 OR window_days IS NULL OR window_days NOT BETWEEN 1 AND 3660 THEN
        RAISE EXCEPTION 'daily_cap must be at least 1 and window_days between 1 and 3660, not % and %',
                        coalesce(daily_cap::text, 'NULL'), coalesce(window_days::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF copy_from IS NOT NULL THEN
        src := buying_group_internal.engagement_model_for_update(copy_from);
    END IF;
    INSERT INTO buying_group.engagement_model AS x (name, daily_cap, window_days)
    VALUES (btrim(create_engagement_model.name), create_engagement_model.daily_cap, create_engagement_model.window_days)
    RETURNING x.id INTO mid;
    INSERT INTO buying_group.activity_weight (model_id, activity_type, weight)
    SELECT mid, w.activity_type, w.weight FROM buying_group.activity_weight w WHERE w.model_id = src.id;
    RETURN mid;
END
$$;
COMMENT ON FUNCTION buying_group.create_engagement_model(text, text, integer, integer) IS
'Creates a draft engagement model, empty or with the weights of another; returns its id';

CREATE FUNCTION buying_group.set_activity_weight(model text, activity_type text, weight numeric)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m buying_group.engagement_model := buying_group_internal.engagement_model_for_update(model);
BEGIN
    PERFORM buying_group_internal.require_draft_engagement_model(m);
    IF activity_type IS NULL OR btrim(activity_type) = '' THEN
        RAISE EXCEPTION 'activity type must not be empty' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF weight IS NULL OR NOT (weight >= 0 AND weight <= 1000000) THEN     -- NaN sorts above every number
        RAISE EXCEPTION 'weight must be a number from 0 to 1000000, not %', coalesce(weight::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO buying_group.activity_weight AS w (model_id, activity_type, weight)
    VALUES (m.id, set_activity_weight.activity_type, set_activity_weight.weight)
    ON CONFLICT ON CONSTRAINT activity_weight_pkey DO UPDATE SET weight = EXCLUDED.weight;
END
$$;
COMMENT ON FUNCTION buying_group.set_activity_weight(text, text, numeric) IS
'Sets the weight of an activity type in a draft engagement model (0 makes it count nothing)';

CREATE FUNCTION buying_group.activate_engagement_model(model text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m buying_group.engagement_model := buying_group_internal.engagement_model_for_update(model);
BEGIN
    IF m.status <> 'draft' THEN
        RAISE EXCEPTION 'engagement model "%" is %', m.name, m.status
            USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = 'Only a draft model can be activated.';
    END IF;
    UPDATE buying_group.engagement_model x SET status = 'archived' WHERE x.status = 'active';
    UPDATE buying_group.engagement_model x SET status = 'active', activated_at = pg_catalog.now() WHERE x.id = m.id;
END
$$;
COMMENT ON FUNCTION buying_group.activate_engagement_model(text) IS
'Makes a draft engagement model the active one; the previous one is archived';

CREATE VIEW buying_group.engagement_models AS
SELECT m.name, m.status, m.daily_cap, m.window_days, m.created_at, m.activated_at,
       (SELECT count(*) FROM buying_group.activity_weight w WHERE w.model_id = m.id) AS activity_types
  FROM buying_group.engagement_model m;
COMMENT ON VIEW buying_group.engagement_models IS 'Engagement models: draft, active (exactly one) or archived';
COMMENT ON COLUMN buying_group.engagement_models.name IS 'Model name';
COMMENT ON COLUMN buying_group.engagement_models.status IS 'draft, active or archived';
COMMENT ON COLUMN buying_group.engagement_models.daily_cap IS 'Occurrences of one activity type counted per person and day at most';
COMMENT ON COLUMN buying_group.engagement_models.window_days IS 'Days of activity the score looks back';
COMMENT ON COLUMN buying_group.engagement_models.created_at IS 'When the model was created';
COMMENT ON COLUMN buying_group.engagement_models.activated_at IS 'When it became active';
COMMENT ON COLUMN buying_group.engagement_models.activity_types IS 'How many activity types it weighs';

CREATE VIEW buying_group.activity_weights AS
SELECT w.activity_type, w.weight, m.daily_cap, m.window_days
  FROM buying_group.activity_weight w JOIN buying_group.engagement_model m ON m.id = w.model_id
 WHERE m.status = 'active';
COMMENT ON VIEW buying_group.activity_weights IS 'The active engagement model: activity type -> weight; types not listed count 0';
COMMENT ON COLUMN buying_group.activity_weights.activity_type IS 'Activity type as the activities table names it';
COMMENT ON COLUMN buying_group.activity_weights.weight IS 'Its weight';
COMMENT ON COLUMN buying_group.activity_weights.daily_cap IS 'Occurrences counted per person, type and day at most';
COMMENT ON COLUMN buying_group.activity_weights.window_days IS 'Days of activity the score looks back';

CREATE FUNCTION buying_group_internal.capped_points_transfn(internal, integer, date, float8, integer)
RETURNS internal
AS 'MODULE_PATHNAME', 'bg_capped_points_transfn'
LANGUAGE C CALLED ON NULL INPUT;
COMMENT ON FUNCTION buying_group_internal.capped_points_transfn(internal, integer, date, float8, integer) IS
'Internal: counts one activity of a (type, day) for capped_points';
CREATE FUNCTION buying_group_internal.capped_points_finalfn(internal)
RETURNS float8
AS 'MODULE_PATHNAME', 'bg_capped_points_finalfn'
LANGUAGE C;
COMMENT ON FUNCTION buying_group_internal.capped_points_finalfn(internal) IS
'Internal: weight x min(count, cap) summed over the (type, day) entries of capped_points';
CREATE AGGREGATE buying_group_internal.capped_points(type_id integer, day date, weight float8, cap integer) (
    SFUNC = buying_group_internal.capped_points_transfn,
    STYPE = internal,
    SSPACE = 256,               -- a state with a few (type, day) entries: lets the planner hash by person
    FINALFUNC = buying_group_internal.capped_points_finalfn
);
COMMENT ON AGGREGATE buying_group_internal.capped_points(integer, date, float8, integer) IS
'Internal: over one person''s activities, the sum over (type, day) of weight x min(occurrences, cap) (SPEC 7)';

-- What a refresh stores: per person its weighted points, which change only
-- where activity entered or left the window, and once the scale. The scores
-- are computed from both when read (buying_group.person_score), so that a
-- daily refresh rewrites only the persons whose activity changed.
CREATE TABLE buying_group.person_points (
    person_key text PRIMARY KEY,
    points     double precision NOT NULL     -- sum over types and days of weight x min(count, cap)
) WITH (fillfactor = 50);     -- room on each page: a changed score is a HOT update, no index entry
COMMENT ON TABLE buying_group.person_points IS 'Per bound person: weighted, capped activity points of the last refresh_engagement';
SELECT pg_catalog.pg_extension_config_dump('buying_group.person_points', '');

CREATE TABLE buying_group.engagement_refresh (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    as_of       timestamptz NOT NULL,
    model_id    integer NOT NULL,     -- a model's (models are never deleted)
    top_weight  double precision,               -- max weight of the types in the window (NULL: none)
    low_points  double precision NOT NULL,      -- least and most points of a bound person
    high_points double precision NOT NULL,
    refreshed_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE buying_group.engagement_refresh IS 'The last refresh_engagement: its as_of, model and scale';
SELECT pg_catalog.pg_extension_config_dump('buying_group.engagement_refresh', '');

CREATE VIEW buying_group.person_score AS
SELECT pp.person_key,
       (CASE WHEN r.top_weight > 0 THEN pp.points / r.top_weight ELSE 0 END)::numeric AS raw_engagement,
       (CASE WHEN r.high_points = r.low_points THEN CASE WHEN pp.points > 0 THEN 100 ELSE 0 END
             ELSE 100 * (pg_catalog.sqrt(pp.points / r.top_weight) - pg_catalog.sqrt(r.low_points / r.top_weight))
                      / (pg_catalog.sqrt(r.high_points / r.top_weight) - pg_catalog.sqrt(r.low_points / r.top_weight))
        END)::numeric AS engagement,
       r.as_of
  FROM buying_group.person_points pp CROSS JOIN buying_group.engagement_refresh r;
COMMENT ON VIEW buying_group.person_score IS 'Person engagement scores of the last refresh_engagement, from its points and scale';
COMMENT ON COLUMN buying_group.person_score.person_key IS 'Key of the person (as text)';
COMMENT ON COLUMN buying_group.person_score.raw_engagement IS 'Points relative to the largest weight in the window: sum of min(count, cap) x w / max w';
COMMENT ON COLUMN buying_group.person_score.engagement IS 'Person engagement score 0..100 (PES): the square root of raw_engagement, scaled over all bound persons';
COMMENT ON COLUMN buying_group.person_score.as_of IS 'The as_of of the refresh';

CREATE VIEW buying_group.person_engagement AS
SELECT s.person_key, s.raw_engagement, s.engagement, s.as_of FROM buying_group.person_score s;
COMMENT ON VIEW buying_group.person_engagement IS 'One row per bound person: engagement of the last refresh (0 without activity)';
COMMENT ON COLUMN buying_group.person_engagement.person_key IS 'Key of the person (as text)';
COMMENT ON COLUMN buying_group.person_engagement.raw_engagement IS 'Capped, weighted activity points in the window, before the square root and the scaling';
COMMENT ON COLUMN buying_group.person_engagement.engagement IS 'Person engagement score 0..100 (PES)';
COMMENT ON COLUMN buying_group.person_engagement.as_of IS 'The as_of of the refresh';

-- The SQL expressions of the bound activities' time and UTC day.
CREATE FUNCTION buying_group_internal.activity_time_sql(act buying_group.binding, OUT at_sql text, OUT day_sql text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    typ regtype := (SELECT a.atttypid::regtype FROM pg_catalog.pg_attribute a
                     WHERE a.attrelid = act.relation AND a.attname = act.at_column);
BEGIN
    -- timestamps without time zone and dates are read as UTC
    at_sql := CASE typ WHEN 'timestamptz'::regtype THEN format('a.%I', act.at_column)
                       WHEN 'timestamp'::regtype THEN format('(a.%I AT TIME ZONE ''UTC'')', act.at_column)
                       ELSE format('(a.%I::timestamp AT TIME ZONE ''UTC'')', act.at_column) END;
    day_sql := format('(%s AT TIME ZONE ''UTC'')::date', at_sql);
END
$$;
COMMENT ON FUNCTION buying_group_internal.activity_time_sql(buying_group.binding, OUT text, OUT text) IS
'Internal: SQL for the time and the UTC day of an activity row';

-- Each member's part of its group's engagement: its score times its role's
-- share of the weights of the roles the group uses (SPEC 7).
CREATE VIEW buying_group.member_engagement AS
SELECT m.buying_group_id, m.person_key, r.name AS role,
       w.value::numeric / sum(w.value) FILTER (WHERE m.first_of_role)
                              OVER (PARTITION BY m.buying_group_id) AS share,
       coalesce(ps.engagement, 0) AS engagement,
       coalesce(ps.engagement, 0) * w.value
           / sum(w.value) FILTER (WHERE m.first_of_role) OVER (PARTITION BY m.buying_group_id) AS contribution
  FROM (SELECT mb.*, row_number() OVER (PARTITION BY mb.buying_group_id, mb.role_id ORDER BY mb.person_key) = 1
                     AS first_of_role
          FROM buying_group.bmember mb WHERE NOT mb.is_removed) m
  JOIN buying_group.bgroup g ON g.id = m.buying_group_id
  JOIN buying_group.solution_interest si ON si.id = g.solution_interest_id
  JOIN buying_group.template_role tr ON tr.template_id = si.template_id AND tr.role_id = m.role_id
  JOIN buying_group.weight w ON w.name = tr.weight
  JOIN buying_group.role r ON r.id = m.role_id
  LEFT JOIN buying_group.person_score ps ON ps.person_key = m.person_key;
COMMENT ON VIEW buying_group.member_engagement IS 'Each member''s part of its buying group''s engagement (last refresh)';
COMMENT ON COLUMN buying_group.member_engagement.buying_group_id IS 'Buying group id';
COMMENT ON COLUMN buying_group.member_engagement.person_key IS 'The member';
COMMENT ON COLUMN buying_group.member_engagement.role IS 'Its role';
COMMENT ON COLUMN buying_group.member_engagement.share IS 'The role''s weight over the summed weights of the roles the group uses';
COMMENT ON COLUMN buying_group.member_engagement.engagement IS 'The member''s engagement score (PES)';
COMMENT ON COLUMN buying_group.member_engagement.contribution IS 'engagement x share: its part of the group''s raw engagement';

CREATE FUNCTION buying_group.refresh_engagement(as_of timestamptz DEFAULT pg_catalog.now())
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    act buying_group.binding := buying_group_internal.bound('activities');
    per buying_group.binding := buying_group_internal.bound('persons');
    m buying_group.engagement_model;
    t record;
    si record;
    persons bigint;
    low double precision;
    high double precision;
    top double precision;
    ids bigint[];
    scores numeric[];
BEGIN
    IF as_of IS NULL THEN
        RAISE EXCEPTION 'as_of must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    -- one refresh at a time; writers of persons go on meanwhile
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('buying_group.refresh_engagement'));
    SELECT * INTO m FROM buying_group.engagement_model x WHERE x.status = 'active';
    t := buying_group_internal.activity_time_sql(act);

    -- one aggregation by person (capped_points counts per type and day itself);
    -- only the persons whose points changed are written, then the scale
    EXECUTE format($q$
        WITH weights AS (
            SELECT w.activity_type, w.weight::float8 AS weight,
                   row_number() OVER (ORDER BY w.activity_type)::integer AS type_id
              FROM buying_group.activity_weight w
             WHERE w.model_id = $3 AND w.weight > 0),
        points AS (
            SELECT a.%1$I::text AS person_key, buying_group_internal.capped_points(w.type_id, %3$s, w.weight, $4) AS points,
                   max(w.weight) AS top_weight
              FROM %4$s a JOIN weights w ON w.activity_type = a.%2$I::text
             WHERE %5$s > $1 - pg_catalog.make_interval(hours => 24 * $2) AND %5$s <= $1
             GROUP BY 1),
        fresh AS (
            SELECT p.person_key, coalesce(pt.points, 0) AS points
              FROM (SELECT x.%6$I::text AS person_key FROM %7$s x WHERE x.%6$I IS NOT NULL %8$s) p
              LEFT JOIN points pt ON pt.person_key = p.person_key),
        diff AS (
            SELECT coalesce(f.person_key, o.person_key) AS person_key, f.points AS new_points,
                   o.person_key IS NOT NULL AS stored
              FROM fresh f FULL JOIN buying_group.person_points o ON o.person_key = f.person_key
             WHERE f.points IS DISTINCT FROM o.points),
        gone AS (
            DELETE FROM buying_group.person_points x USING diff d
             WHERE x.person_key = d.person_key AND d.new_points IS NULL),
        changed AS (
            UPDATE buying_group.person_points x SET points = d.new_points FROM diff d
             WHERE x.person_key = d.person_key AND d.stored AND d.new_points IS NOT NULL),
        added AS (
            INSERT INTO buying_group.person_points (person_key, points)
            SELECT d.person_key, d.new_points FROM diff d WHERE NOT d.stored)
        SELECT count(*), min(f.points), max(f.points), (SELECT max(pt.top_weight) FROM points pt) FROM fresh f$q$,
        act.person_column, act.type_column, t.day_sql, act.relation, t.at_sql, per.key_column, per.relation,
        CASE WHEN buying_group_internal.is_unique_key(per.relation, per.key_column, NULL) THEN '' ELSE 'GROUP BY 1' END)
    INTO persons, low, high, top USING as_of, m.window_days, m.id, m.daily_cap;
    INSERT INTO buying_group.engagement_refresh AS r (as_of, model_id, top_weight, low_points, high_points)
    VALUES (as_of, m.id, top, coalesce(low, 0), coalesce(high, 0))
    ON CONFLICT (singleton) DO UPDATE
       SET as_of = EXCLUDED.as_of, model_id = EXCLUDED.model_id, top_weight = EXCLUDED.top_weight,
           low_points = EXCLUDED.low_points, high_points = EXCLUDED.high_points, refreshed_at = pg_catalog.now();

    -- roles whose conditions test person_engagement_score follow the new
    -- scores, before the groups' engagement is computed from their members;
    -- writers of persons wait meanwhile, as for a bulk statement
    FOR si IN SELECT x.id, tp.name AS template, x.update_existing
                FROM buying_group.solution_interest x JOIN buying_group.template tp ON tp.id = x.template_id
               WHERE EXISTS (SELECT FROM buying_group.template_role tr
                              WHERE tr.template_id = tp.id
                                AND pg_catalog.jsonb_path_exists(tr.conditions,
                                        '$.** ? (@.attr == "person_engagement_score")'))
               ORDER BY x.id LOOP
        PERFORM buying_group_internal.lock_accounts(NULL);
        PERFORM buying_group_internal.sync_members(si.id, si.template, NULL, NULL, si.update_existing);
    END LOOP;

    -- group scores: members' scores weighted by their roles' shares among the
    -- roles used. Every group is written: writers of persons wait, as for a
    -- bulk statement, so that no writer holds a group this update waits for
    -- (the aggregation above ran alongside them)
    PERFORM buying_group_internal.lock_accounts(NULL);
    WITH graw AS (
        SELECT g.id, pg_catalog.sqrt(coalesce(sum(me.contribution), 0)) AS s
          FROM buying_group.bgroup g
          LEFT JOIN buying_group.member_engagement me ON me.buying_group_id = g.id
         GROUP BY g.id),
    bounds AS (SELECT min(s) AS lo, max(s) AS hi FROM graw)
    SELECT array_agg(gr.id ORDER BY gr.id),
           array_agg(CASE WHEN b.hi = b.lo THEN CASE WHEN gr.s > 0 THEN 100 ELSE 0 END
                          ELSE 100 * (gr.s - b.lo) / (b.hi - b.lo) END ORDER BY gr.id)
      INTO ids, scores
      FROM graw gr, bounds b;
    PERFORM buying_group_internal.refresh_groups(coalesce(ids, '{}'), true, scores);
    RETURN persons;
END
$$;
COMMENT ON FUNCTION buying_group.refresh_engagement(timestamptz) IS
'The daily engagement batch (AJO B2B''s algorithm): person scores over the window ending at as_of, then group scores; deterministic for a given as_of; returns how many persons it scored';

CREATE FUNCTION buying_group.explain_engagement(buying_group_id bigint)
RETURNS TABLE (person_key text, role text, role_share numeric, person_raw numeric, person_engagement numeric,
               contribution numeric, activity_type text, activity_points numeric)
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    act buying_group.binding := buying_group_internal.bound('activities');
    m buying_group.engagement_model;
    t record;
    as_of timestamptz := (SELECT r.as_of FROM buying_group.engagement_refresh r);
BEGIN
    IF NOT EXISTS (SELECT FROM buying_group.bgroup g WHERE g.id = explain_engagement.buying_group_id) THEN
        RAISE EXCEPTION 'buying group % does not exist', buying_group_id USING ERRCODE = 'undefined_object';
    END IF;
    -- the model of the last refresh, which the stored scores come from
    SELECT x.* INTO m FROM buying_group.engagement_model x
     WHERE x.id = coalesce((SELECT r.model_id FROM buying_group.engagement_refresh r),
                           (SELECT y.id FROM buying_group.engagement_model y WHERE y.status = 'active'));
    t := buying_group_internal.activity_time_sql(act);
    RETURN QUERY EXECUTE format($q$
        WITH member AS (
            SELECT me.person_key, me.role, me.share, me.engagement, me.contribution
              FROM buying_group.member_engagement me WHERE me.buying_group_id = $1),
        counts AS (
            SELECT a.%1$I::text AS person_key, a.%2$I::text AS activity_type, %3$s AS day, count(*) AS n
              FROM %4$s a
             WHERE %5$s > $2 - pg_catalog.make_interval(hours => 24 * $3) AND %5$s <= $2
               AND a.%1$I::text IN (SELECT mm.person_key FROM member mm)
             GROUP BY 1, 2, 3),
        used AS (
            SELECT w.activity_type, w.weight / max(w.weight) OVER () AS relative
              FROM buying_group.activity_weight w
             WHERE w.model_id = $4 AND w.weight > 0
               AND EXISTS (SELECT FROM %4$s a WHERE a.%2$I::text = w.activity_type
                              AND %5$s > $2 - pg_catalog.make_interval(hours => 24 * $3) AND %5$s <= $2)),
        points AS (
            SELECT c.person_key, c.activity_type, sum(LEAST(c.n, $5) * u.relative) AS points
              FROM counts c JOIN used u ON u.activity_type = c.activity_type GROUP BY 1, 2)
        SELECT mm.person_key, mm.role, mm.share, coalesce(ps.raw_engagement, 0), mm.engagement,
               mm.contribution, pt.activity_type, pt.points
          FROM member mm
          LEFT JOIN buying_group.person_score ps ON ps.person_key = mm.person_key
          LEFT JOIN points pt ON pt.person_key = mm.person_key
         ORDER BY mm.person_key, pt.activity_type$q$,
        act.person_column, act.type_column, t.day_sql, act.relation, t.at_sql)
    USING buying_group_id, as_of, m.window_days, m.id, m.daily_cap;
END
$$;
COMMENT ON FUNCTION buying_group.explain_engagement(bigint) IS
'Explains a group''s engagement: each member''s role share, score and contribution, and the points of each activity type (window of the last refresh)';
