-- Installation: schema, roles, privileges, pinned search_path, comments.
CREATE EXTENSION buying_group;

-- a second CREATE fails cleanly
CREATE EXTENSION buying_group;

-- the roles exist and the admin is a reader too
SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'buying_group_%' ORDER BY 1;
SELECT pg_has_role('buying_group_admin', 'buying_group_reader', 'MEMBER') AS admin_reads;

-- every SQL and PL/pgSQL function, and every SECURITY DEFINER one, pins its
-- search_path (expect none listed)
SELECT p.proname
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.pronamespace IN ('buying_group'::regnamespace, 'buying_group_internal'::regnamespace)
   AND (l.lanname IN ('sql', 'plpgsql') OR p.prosecdef)
   AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false);

-- PUBLIC can execute nothing and read nothing (expect none listed)
SELECT p.oid::regprocedure
  FROM pg_proc p
 WHERE p.pronamespace IN ('buying_group'::regnamespace, 'buying_group_internal'::regnamespace)
   AND has_function_privilege('public', p.oid, 'EXECUTE');
SELECT c.relname
  FROM pg_class c
 WHERE c.relnamespace = 'buying_group'::regnamespace AND c.relkind IN ('r', 'v')
   AND has_table_privilege('public', c.oid, 'SELECT');

-- readers match but do not configure; admins configure
SELECT has_function_privilege('buying_group_reader', 'buying_group.match_role(text, record)', 'EXECUTE') AS reader_matches,
       has_function_privilege('buying_group_reader', 'buying_group.create_template(text, text, text)', 'EXECUTE') AS reader_configures,
       has_function_privilege('buying_group_admin', 'buying_group.create_template(text, text, text)', 'EXECUTE') AS admin_configures,
       has_table_privilege('buying_group_reader', 'buying_group.template_role', 'INSERT') AS reader_writes,
       has_table_privilege('buying_group_admin', 'buying_group.template_role', 'TRUNCATE') AS admin_truncates;

-- SECURITY DEFINER: the API functions (the only writers of buying_group's
-- tables, and the readers of the bound tables) and the persons trigger, so
-- that the CRM sync needs no privilege on buying_group's tables (the realtime
-- test shows it); the privileges test shows who may call what
SELECT pronamespace::regnamespace AS schema, proname FROM pg_proc
 WHERE pronamespace IN ('buying_group'::regnamespace, 'buying_group_internal'::regnamespace) AND prosecdef
 ORDER BY 1, 2;

-- the internals are granted to nobody, and nothing outside their schema is
-- marked internal (expect none listed)
SELECT p.oid::regprocedure FROM pg_proc p
 WHERE p.pronamespace = 'buying_group_internal'::regnamespace
   AND (has_function_privilege('buying_group_admin', p.oid, 'EXECUTE')
        OR has_function_privilege('buying_group_reader', p.oid, 'EXECUTE'));
SELECT has_schema_privilege('buying_group_admin', 'buying_group_internal', 'USAGE') AS admin_uses_internals;
SELECT p.oid::regprocedure FROM pg_proc p
 WHERE p.pronamespace = 'buying_group'::regnamespace AND obj_description(p.oid, 'pg_proc') LIKE 'Internal%';

-- every public function and view, and every view column, has a comment (expect none listed)
SELECT p.oid::regprocedure
  FROM pg_proc p
 WHERE p.pronamespace = 'buying_group'::regnamespace
   AND p.prorettype <> 'trigger'::regtype
   AND obj_description(p.oid, 'pg_proc') IS NULL;
SELECT c.relname, a.attname
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
 WHERE c.relnamespace = 'buying_group'::regnamespace AND c.relkind = 'v'
   AND (obj_description(c.oid, 'pg_class') IS NULL OR col_description(c.oid, a.attnum) IS NULL);

-- the catalog tables are configuration: pg_dump keeps the user's rows
SELECT c.dumped, c.condition
  FROM pg_extension e, unnest(e.extconfig::regclass[], e.extcondition) c(dumped, condition)
 WHERE e.extname = 'buying_group' ORDER BY c.dumped::text;

-- a pre-existing schema named buying_group makes installation fail
DROP EXTENSION buying_group;
CREATE SCHEMA buying_group;
CREATE EXTENSION buying_group;
DROP SCHEMA buying_group;
CREATE EXTENSION buying_group;
