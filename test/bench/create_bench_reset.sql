-- create_bench_reset.sql: first step of the creation-job benchmark.
--
-- Run by test/bench/create_bench.sh before anything else. Bindings, templates
-- and buying groups are database-wide, and a live template can never be
-- deleted, so the benchmark starts from a fresh extension: it drops
-- buying_group (CASCADE: its tables, its audience views) and creates it again
-- in create_bench.sql. It refuses to do so in a database whose buying_group
-- holds anything this benchmark did not make (other bindings, templates,
-- solution interests or audiences): use a database of its own.

\set ON_ERROR_STOP on
DO $$
DECLARE
    foreign_objects text;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'buying_group') THEN
        RETURN;
    END IF;
    EXECUTE $q$
        SELECT string_agg(what, '; ')
          FROM (SELECT format('%s table bound: %s', kind, relation::text) AS what
                  FROM buying_group.binding
                 WHERE relation::text NOT IN ('create_bench.account', 'create_bench.person')
                UNION ALL
                SELECT format('template "%s"', name) FROM buying_group.template WHERE name <> 'Create Bench'
                UNION ALL
                SELECT format('solution interest "%s"', name) FROM buying_group.solution_interest
                 WHERE name <> 'Create Bench'
                UNION ALL
                SELECT format('audience "%s"', name) FROM buying_group.audience
                 WHERE name <> 'Create Bench: all accounts') s
    $q$ INTO foreign_objects;
    IF foreign_objects IS NOT NULL THEN
        RAISE EXCEPTION 'database "%" holds buying_group objects this benchmark did not make', current_database()
            USING DETAIL = foreign_objects,
                  HINT = 'The benchmark drops and recreates the extension: run it in a database of its own (PGDATABASE=bench_create).';
    END IF;
END
$$;
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS buying_group CASCADE;
