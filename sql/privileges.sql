-- Privileges: who may call and read what, tried for real as four roles, and
-- the ways an admin once became superuser, each refused (doc/security.md).
\set own_db bg_privileges
\i test/regress/own_database.psql
SET client_min_messages = warning;
DROP ROLE IF EXISTS bg_outsider;
DROP ROLE IF EXISTS bg_analyst;
DROP ROLE IF EXISTS bg_marketer;
DROP ROLE IF EXISTS bg_crm;
RESET client_min_messages;
CREATE ROLE bg_outsider;                              -- PUBLIC only
CREATE ROLE bg_analyst IN ROLE buying_group_reader;   -- reads and matches
CREATE ROLE bg_marketer IN ROLE buying_group_admin;   -- configures, owns the CRM tables
CREATE ROLE bg_crm;                                   -- the CRM sync: writes persons
CREATE SCHEMA crm AUTHORIZATION bg_marketer;
GRANT USAGE ON SCHEMA crm TO bg_crm;

-- the admin's own tables, bound and used through the API
SET ROLE bg_marketer;
CREATE TABLE crm.account (account_key text PRIMARY KEY, account_name text);
CREATE TABLE crm.person (person_key text PRIMARY KEY, account_key text NOT NULL, job_title text);
GRANT SELECT, INSERT, UPDATE, DELETE ON crm.person TO bg_crm;
INSERT INTO crm.account VALUES ('a1', 'Acme');
INSERT INTO crm.person VALUES ('p1', 'a1', 'CTO');
SELECT buying_group.bind_accounts('crm.account', 'account_key', 'account_name');
SELECT buying_group.bind_persons('crm.person', 'person_key', 'account_key');
SELECT buying_group.create_template('T');
SELECT buying_group.add_template_role('T', 'Decision Maker',
         conditions => '{"attr": "job_title", "op": "eq", "value": ["CTO", "CIO"]}');
SELECT buying_group.publish_template('T');
SELECT buying_group.create_solution_interest('S', 'T');
SELECT buying_group.create_audience('All', '{"attr": "account_name", "op": "is_not_empty"}');
SELECT buying_group.create_buying_groups('S', 'All');
RESET ROLE;

-- The CRM sync needs rights on its own table only: its insert keeps the group exact
SET ROLE bg_crm;
INSERT INTO crm.person VALUES ('p2', 'a1', 'CIO');
SELECT count(*) FROM buying_group.members;                -- not a reader: refused
RESET ROLE;
SELECT person_key, role, source FROM buying_group.members ORDER BY 1;

-- Each role calls every function of the extension (with NULL arguments):
-- refused with 42501 (insufficient privilege), or called. The API runs with
-- the owner's rights, so what a role may call is what it may do.
CREATE FUNCTION pg_temp.try_as(r name)
RETURNS TABLE (fn text, allowed boolean)
LANGUAGE plpgsql AS $$
DECLARE
    f record;
BEGIN
    FOR f IN
        SELECT p.oid::regprocedure::text AS sig, n.nspname, p.proname,
               (SELECT string_agg('NULL::' || t::regtype, ', ') FROM unnest(p.proargtypes) t) AS args
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname IN ('buying_group', 'buying_group_internal')
           AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)
           AND NOT 'internal'::regtype = ANY (p.proargtypes::regtype[])
    LOOP
        fn := f.sig;
        BEGIN
            EXECUTE format('SET LOCAL ROLE %I', r);
            EXECUTE format('SELECT %I.%I(%s)', f.nspname, f.proname, coalesce(f.args, ''));
            RAISE SQLSTATE 'BGRB1';
        EXCEPTION
            WHEN insufficient_privilege THEN allowed := false;
            WHEN OTHERS THEN allowed := true;
        END;
        RETURN NEXT;
    END LOOP;
END
$$;
CREATE TEMP TABLE tried AS
SELECT o.fn, o.allowed AS outsider, a.allowed AS analyst, m.allowed AS marketer, c.allowed AS crm
  FROM pg_temp.try_as('bg_outsider') o
  JOIN pg_temp.try_as('bg_analyst') a USING (fn)
  JOIN pg_temp.try_as('bg_marketer') m USING (fn)
  JOIN pg_temp.try_as('bg_crm') c USING (fn);
GRANT SELECT ON tried TO PUBLIC;

-- the public API: readers read and match, admins everything, the others nothing
SELECT fn, analyst, marketer FROM tried
 WHERE fn LIKE 'buying_group.%' ORDER BY analyst, fn;
-- nobody calls an internal function, and outsiders and the CRM sync call nothing (expect none listed)
SELECT fn FROM tried WHERE (fn LIKE 'buying_group_internal.%' AND (analyst OR marketer)) OR outsider OR crm;
-- what was tried agrees with the catalog's privileges (expect none listed)
SELECT fn FROM tried t JOIN pg_proc p ON p.oid::regprocedure::text = t.fn
 WHERE t.analyst <> has_function_privilege('bg_analyst', p.oid, 'EXECUTE')
    OR t.marketer <> has_function_privilege('bg_marketer', p.oid, 'EXECUTE');

-- Tables: readers read everything, nobody writes but the API (admins may
-- delete processed events), outsiders and the CRM sync read nothing
SELECT c.relname,
       has_table_privilege('bg_analyst', c.oid, 'SELECT') AS analyst_reads,
       has_table_privilege('bg_marketer', c.oid, 'INSERT, UPDATE, TRUNCATE') AS marketer_writes,
       has_table_privilege('bg_marketer', c.oid, 'DELETE') AS marketer_deletes,
       has_table_privilege('bg_outsider', c.oid, 'SELECT') OR has_table_privilege('bg_crm', c.oid, 'SELECT') AS others_read
  FROM pg_class c
 WHERE c.relnamespace = 'buying_group'::regnamespace AND c.relkind IN ('r', 'v', 'p')
 ORDER BY marketer_deletes DESC, relkind, relname;

-- Escalation, once: the admin pointed the binding at a view over a function of
-- its own, and the persons trigger ran it as the extension owner. Each way in
-- is closed now.
SET ROLE bg_marketer;
CREATE FUNCTION crm.grab() RETURNS text LANGUAGE sql
    AS $$ ALTER ROLE bg_marketer SUPERUSER; SELECT 'p1' $$;
CREATE VIEW crm.evil AS SELECT crm.grab() AS person_key, 'a1' AS account_key;
-- the binding is written by the API only
UPDATE buying_group.binding SET relation = 'crm.evil' WHERE kind = 'persons';
INSERT INTO buying_group.bmember (buying_group_id, person_key, role_id, source) VALUES (1, 'x', 1, 'manual');
-- the API binds a table the caller owns or may write, never a view
SELECT buying_group.bind_persons('crm.evil', 'person_key', 'account_key');
RESET ROLE;
CREATE TABLE public.not_theirs (person_key text PRIMARY KEY, account_key text);
SET ROLE bg_marketer;
SELECT buying_group.bind_persons('public.not_theirs', 'person_key', 'account_key');
SELECT buying_group.bind_accounts('pg_catalog.pg_authid', 'oid', 'rolname');
-- a key of a type of its own could carry a cast of its own, run by owner code
CREATE TYPE crm.key AS ENUM ('p1', 'p2');
CREATE FUNCTION crm.key_text(crm.key) RETURNS text LANGUAGE sql
    AS $$ ALTER ROLE bg_marketer SUPERUSER; SELECT $1::name::text $$;
CREATE CAST (crm.key AS text) WITH FUNCTION crm.key_text(crm.key);
CREATE TABLE crm.activity2 (person_key crm.key, activity_type text, occurred_at timestamptz);
SELECT buying_group.bind_activities('crm.activity2', 'person_key', 'activity_type', 'occurred_at');
-- the internals are out of reach
SELECT buying_group_internal.sync_members(1, 'T', NULL, NULL, true);
SELECT buying_group_internal.install_person_triggers('public.not_theirs', NULL);
-- audience views are the extension's: the admin cannot replace one
CREATE OR REPLACE VIEW buying_group_audience.all AS SELECT * FROM crm.account WHERE crm.grab() IS NOT NULL;
CREATE VIEW buying_group_audience.mine AS SELECT 1;
RESET ROLE;
-- a CRM write and the jobs after all of that, and the admin is still not a superuser
SET ROLE bg_crm;
UPDATE crm.person SET job_title = 'Chief Information Officer' WHERE person_key = 'p2';
RESET ROLE;
SELECT buying_group.run_maintenance();
SELECT rolsuper FROM pg_roles WHERE rolname = 'bg_marketer';
SELECT count(*) AS problems FROM buying_group.verify_scores();

-- the persons trigger acts for the bound table only, whatever table it is left on
CREATE TABLE public.other_people (person_key text, account_key text);
CREATE TRIGGER stray AFTER INSERT ON public.other_people REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION buying_group_internal.persons_changed();
INSERT INTO public.other_people VALUES ('p1', 'a1');

-- A bound table that is dropped is refused when used, with a clear error,
-- instead of breaking every call; renaming a bound column is refused at once
-- (test bound_tables has the rest of the DDL)
SET ROLE bg_marketer;
SELECT buying_group.bind_activities('crm.person', 'person_key', 'job_title', 'job_title');
CREATE TABLE crm.activity (person_key text, activity_type text, occurred_at timestamptz);
SELECT buying_group.bind_activities('crm.activity', 'person_key', 'activity_type', 'occurred_at');
DROP TABLE crm.activity;
SELECT buying_group.refresh_engagement('2026-01-01');
ALTER TABLE crm.account RENAME COLUMN account_name TO display_name;
SELECT buying_group.create_buying_groups('S', 'All');
RESET ROLE;

\c :regress_db
DROP DATABASE bg_privileges;
DROP ROLE bg_outsider, bg_analyst, bg_marketer, bg_crm;
