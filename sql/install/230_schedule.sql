--------------------------------------------------------------------------
-- Scheduled jobs (SPEC 9a): the journey runner and the daily jobs in pg_cron
--------------------------------------------------------------------------

-- The jobs schedule_jobs() installs: name, which schedule, command.
CREATE FUNCTION buying_group_internal.scheduled_jobs(runner text, daily text)
RETURNS TABLE (job text, schedule text, command text)
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    VALUES ('buying_group: run_journeys', runner, 'SELECT buying_group.run_journeys()'),
           ('buying_group: run_maintenance', daily, 'SELECT buying_group.run_maintenance()'),
           ('buying_group: refresh_engagement', daily, 'SELECT buying_group.refresh_engagement()')
$$;
COMMENT ON FUNCTION buying_group_internal.scheduled_jobs(text, text) IS 'Internal: the pg_cron jobs of buying_group';

-- Raises unless pg_cron is installed in this database.
CREATE FUNCTION buying_group_internal.require_pg_cron()
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension e WHERE e.extname = 'pg_cron') THEN
        RAISE EXCEPTION 'pg_cron is not installed in database "%"', pg_catalog.current_database()
            USING ERRCODE = 'feature_not_supported',
                  HINT = format('Install postgresql-15-cron, set shared_preload_libraries = ''pg_cron'' and cron.database_name = ''%s'', '
                                'restart the server, then CREATE EXTENSION pg_cron (doc/journeys.md).', pg_catalog.current_database());
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group_internal.require_pg_cron() IS 'Internal: raises unless pg_cron is installed in this database';

-- The jobs belong to, and run as, the role that schedules them, with its own
-- rights; the owner's are needed only to name that role to pg_cron.
CREATE FUNCTION buying_group.schedule_jobs(runner text DEFAULT '*/10 * * * *', daily text DEFAULT '0 2 * * *')
RETURNS TABLE (job text, schedule text, command text, jobid bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    j record;
BEGIN
    PERFORM buying_group_internal.require_pg_cron();
    IF runner IS NULL OR daily IS NULL THEN
        RAISE EXCEPTION 'schedule_jobs needs a runner and a daily schedule' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    FOR j IN SELECT * FROM buying_group_internal.scheduled_jobs(runner, daily) LOOP
        job := j.job;
        schedule := j.schedule;
        command := j.command;
        -- pg_cron is not a dependency of the extension: called by name
        EXECUTE 'SELECT cron.schedule_in_database($1, $2, $3, pg_catalog.current_database(), $4)'
           INTO jobid USING j.job, j.schedule, j.command, (SELECT r.rolname::text FROM pg_catalog.pg_roles r WHERE r.oid = buying_group_internal.calling_role());
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION buying_group.schedule_jobs(text, text) IS
'Installs (or updates) the pg_cron jobs of buying_group, run as the caller: run_journeys on the runner schedule, run_maintenance and refresh_engagement on the daily one';

CREATE FUNCTION buying_group.unschedule_jobs()
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    id bigint;
    n integer := 0;
BEGIN
    PERFORM buying_group_internal.require_pg_cron();
    FOR id IN EXECUTE 'SELECT c.jobid FROM cron.job c WHERE c.jobname = ANY ($1) AND c.username = $2 AND c.database = $3'
        USING ARRAY(SELECT s.job FROM buying_group_internal.scheduled_jobs(NULL, NULL) s),
              (SELECT r.rolname::text FROM pg_catalog.pg_roles r WHERE r.oid = buying_group_internal.calling_role()), pg_catalog.current_database() LOOP
        EXECUTE 'SELECT cron.unschedule($1)' USING id;
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;
COMMENT ON FUNCTION buying_group.unschedule_jobs() IS 'Removes the caller''s pg_cron jobs of buying_group in this database; returns how many there were';
