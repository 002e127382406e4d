-- DDL on the bound tables: refused when it would break a binding, a role
-- condition or the real-time triggers; a rewrite of the persons table is
-- followed by a recomputation; a partitioned persons table is covered, writes
-- into its partitions included.
\set own_db bg_bound_tables
\i test/regress/own_database.psql

SET client_min_messages = warning;
DROP ROLE IF EXISTS bg_crm_owner;
RESET client_min_messages;
CREATE ROLE bg_crm_owner IN ROLE buying_group_admin;    -- owns the CRM tables; not a superuser
CREATE SCHEMA crm AUTHORIZATION bg_crm_owner;
SET ROLE bg_crm_owner;
CREATE TABLE crm.account (account_key text PRIMARY KEY, account_name text);
CREATE TABLE crm.person (person_key text, account_key text NOT NULL, job_title text, seniority text,
                         PRIMARY KEY (person_key, account_key)) PARTITION BY LIST (account_key);
CREATE TABLE crm.person_a PARTITION OF crm.person FOR VALUES IN ('A');
CREATE TABLE crm.person_b PARTITION OF crm.person FOR VALUES IN ('B');
INSERT INTO crm.account VALUES ('A', 'Acme'), ('B', 'Beta'), ('C', 'Gamma'), ('D', 'Delta');
-- a key must name one row: NOT NULL, and unique through a primary key or a
-- unique constraint or index on it alone (a partitioned persons table: or on
-- it and the account column, as crm.person has, partitioned by account; not
-- a plain table, as crm.loose); indexes that do not make it unique at every
-- moment do not count
CREATE TABLE crm.loose (id integer, label text, account_key text);
SELECT buying_group.bind_accounts('crm.loose', 'id', 'label');
ALTER TABLE crm.loose ALTER COLUMN id SET NOT NULL;
SELECT buying_group.bind_accounts('crm.loose', 'id', 'label');
CREATE UNIQUE INDEX loose_partial ON crm.loose (id) WHERE id > 0;
ALTER TABLE crm.loose ADD CONSTRAINT loose_deferred UNIQUE (id) DEFERRABLE INITIALLY DEFERRED;
CREATE UNIQUE INDEX loose_expression ON crm.loose ((id + 0));
ALTER TABLE crm.loose ADD CONSTRAINT loose_pair UNIQUE (label, id);
SELECT buying_group.bind_accounts('crm.loose', 'id', 'label');
SELECT buying_group.bind_persons('crm.loose', 'id', 'account_key');
SELECT buying_group.bind_persons('crm.loose', 'id', 'label');
CREATE UNIQUE INDEX loose_id ON crm.loose (id);
SELECT buying_group.bind_persons('crm.loose', 'id', 'account_key');
SELECT buying_group.bind_accounts('crm.loose', 'id', 'label');
INSERT INTO crm.person VALUES ('a1', 'A', 'CTO', 'vp'), ('b1', 'B', 'Engineer', NULL);
SELECT buying_group.bind_accounts('crm.account', 'account_key', 'account_name');
SELECT buying_group.bind_persons('crm.person', 'person_key', 'account_key');
DROP TABLE crm.loose;
SELECT buying_group.create_template('T');
SELECT buying_group.add_template_role('T', 'Decision Maker', conditions => '{"attr": "seniority", "op": "eq", "value": "VP"}');
SELECT buying_group.add_template_role('T', 'Practitioner', conditions => '{"attr": "job_title", "op": "contains", "value": "engineer"}');
SELECT buying_group.publish_template('T');
SELECT buying_group.create_solution_interest('S', 'T');
SELECT buying_group.create_audience('All', '{"attr": "account_key", "op": "is_not_empty"}');
SELECT buying_group.create_buying_groups('S', 'All');
RESET ROLE;

-- every partition carries the triggers, so a write that names a partition counts
SELECT tgrelid::regclass, count(*) FROM pg_trigger
 WHERE tgfoid = 'buying_group_internal.persons_changed()'::regprocedure GROUP BY 1 ORDER BY 1;
INSERT INTO crm.person_b VALUES ('b2', 'B', 'VP Sales', 'VP');
-- a partition made, or attached, after the binding gets them too, and an
-- attached one's persons join their groups at once
SET ROLE bg_crm_owner;
CREATE TABLE crm.person_c PARTITION OF crm.person FOR VALUES IN ('C');
INSERT INTO crm.person_c VALUES ('c1', 'C', 'Software Engineer', NULL);
CREATE TABLE crm.person_d (LIKE crm.person INCLUDING ALL);
INSERT INTO crm.person_d VALUES ('d0', 'D', 'CTO', 'VP');
ALTER TABLE crm.person ATTACH PARTITION crm.person_d FOR VALUES IN ('D');
INSERT INTO crm.person_d VALUES ('d1', 'D', 'Engineer', 'VP');
RESET ROLE;
SELECT account_key, person_key, role FROM buying_group.members ORDER BY 1, 2;
-- a partition truncated: its persons leave their groups
TRUNCATE crm.person_b;
SELECT account_key, person_key, role FROM buying_group.members ORDER BY 1, 2;
SELECT count(*) AS problems FROM buying_group.verify_scores();

-- the table's owner cannot disable, replace or drop the triggers
SET ROLE bg_crm_owner;
ALTER TABLE crm.person_a DISABLE TRIGGER buying_group_insert;
ALTER TABLE crm.person DISABLE TRIGGER ALL;
DROP TRIGGER buying_group_update ON crm.person_c;
CREATE FUNCTION crm.nothing() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE OR REPLACE TRIGGER buying_group_insert AFTER INSERT ON crm.person_a
    FOR EACH STATEMENT EXECUTE FUNCTION crm.nothing();
ALTER TRIGGER buying_group_update ON crm.person_c RENAME TO renamed;
DROP TRIGGER renamed ON crm.person_c;
-- a column the binding or a role condition uses cannot go or change beyond what the rule reads
ALTER TABLE crm.person DROP COLUMN job_title;
ALTER TABLE crm.person RENAME COLUMN person_key TO id;
ALTER TABLE crm.account RENAME COLUMN account_name TO display_name;
-- other DDL goes through
ALTER TABLE crm.person ADD COLUMN email text;
COMMENT ON TABLE crm.person IS 'persons';
RESET ROLE;
-- a superuser may disable them (as pg_restore --disable-triggers does), and
-- recompute() repairs what was written meanwhile
ALTER TABLE crm.person_a DISABLE TRIGGER buying_group_insert;
INSERT INTO crm.person_a VALUES ('a2', 'A', 'Engineer', NULL);
ALTER TABLE crm.person_a ENABLE TRIGGER buying_group_insert;
SELECT count(*) AS problems FROM buying_group.verify_scores();
SELECT buying_group.recompute() AS repaired;

-- a partition detached takes its persons out of their groups and loses the
-- triggers; one dropped takes its persons out too
SET ROLE bg_crm_owner;
ALTER TABLE crm.person DETACH PARTITION crm.person_d;
INSERT INTO crm.person_d VALUES ('d2', 'D', 'CTO', 'VP');     -- a table of its own now
DROP TABLE crm.person_c;
RESET ROLE;
SELECT account_key, person_key, role FROM buying_group.members WHERE NOT is_removed ORDER BY 1, 2;
SELECT count(*) AS problems FROM buying_group.verify_scores();

-- a rewrite of the values (ALTER ... TYPE ... USING) is followed by a recomputation
INSERT INTO crm.person VALUES ('b3', 'B', 'Software Engineer', NULL);
SET ROLE bg_crm_owner;
ALTER TABLE crm.person ALTER COLUMN seniority TYPE varchar(20)
    USING CASE WHEN person_key = 'b3' THEN 'VP' ELSE seniority END;   -- b3 becomes a Decision Maker
RESET ROLE;
SELECT account_key, person_key, role FROM buying_group.members WHERE NOT is_removed ORDER BY 1, 2;
SELECT count(*) AS problems FROM buying_group.verify_scores();

-- the membership sync is generated for the bound table's name: renamed, or
-- its schema renamed, it follows; a new table under the old name is not read
SET ROLE bg_crm_owner;
ALTER TABLE crm.person RENAME TO people;
CREATE TABLE crm.person (person_key text, account_key text, job_title text, seniority text);
INSERT INTO crm.person VALUES ('x1', 'A', 'CTO', 'VP');
INSERT INTO crm.people VALUES ('a3', 'A', 'Chief Architect', 'VP');
RESET ROLE;
ALTER SCHEMA crm RENAME TO sales;     -- needs CREATE on the database
SET ROLE bg_crm_owner;
INSERT INTO sales.people VALUES ('b4', 'B', 'Engineer', NULL);
RESET ROLE;
SELECT p.proname, p.prosrc LIKE '%sales.people%' AS names_the_table
  FROM pg_proc p WHERE p.pronamespace = 'buying_group_internal'::regnamespace
   AND p.proname IN ('sync_members', 'sync_members_few') ORDER BY 1;
SELECT account_key, person_key, role FROM buying_group.members WHERE NOT is_removed ORDER BY 1, 2;
SELECT count(*) AS problems FROM buying_group.verify_scores();
ALTER SCHEMA sales RENAME TO crm;
SET ROLE bg_crm_owner;
ALTER TABLE crm.person RENAME TO person_decoy;
ALTER TABLE crm.people RENAME TO person;
-- ALTER INDEX may rename a table too, and fires no event trigger of ours: the
-- sync finds its name no longer leads to the bound table and is generated again
ALTER INDEX crm.person RENAME TO people;
CREATE TABLE crm.person (person_key text, account_key text, job_title text, seniority text);
INSERT INTO crm.person VALUES ('x2', 'B', 'CTO', 'VP');
INSERT INTO crm.people VALUES ('b5', 'B', 'Chief Engineer', 'VP');
-- a name with a line break cannot end a comment in the generated code and add
-- code of its own (it would run with the extension owner's rights)
CREATE FUNCTION crm.injected() RETURNS integer LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'code from a table name ran'; END $$;
DO $$ BEGIN EXECUTE format('ALTER TABLE crm.people RENAME TO %I', E'p\nDECLARE z int := crm.injected();--'); END $$;
DO $$ BEGIN EXECUTE format('INSERT INTO crm.%I VALUES (''a4'', ''A'', ''Engineer'', NULL)', E'p\nDECLARE z int := crm.injected();--'); END $$;
DO $$ BEGIN EXECUTE format('ALTER TABLE crm.%I RENAME TO people', E'p\nDECLARE z int := crm.injected();--'); END $$;
RESET ROLE;
SELECT account_key, person_key, role FROM buying_group.members WHERE NOT is_removed ORDER BY 1, 2;
SELECT count(*) AS problems FROM buying_group.verify_scores();
SET ROLE bg_crm_owner;
DROP TABLE crm.person_decoy, crm.person;
DROP FUNCTION crm.injected();
ALTER TABLE crm.people RENAME TO person;
RESET ROLE;

-- what keeps a bound key NOT NULL and unique stays: its last unique index or
-- constraint cannot be dropped, nor its NOT NULL
SET ROLE bg_crm_owner;
ALTER TABLE crm.person DROP CONSTRAINT person_pkey;
CREATE UNIQUE INDEX account_key_again ON crm.account (account_key);
ALTER TABLE crm.account DROP CONSTRAINT account_pkey;
DROP INDEX crm.account_key_again;
ALTER TABLE crm.account ALTER COLUMN account_key DROP NOT NULL;
ALTER TABLE crm.account ADD PRIMARY KEY (account_key);
DROP INDEX crm.account_key_again;
-- a person key unique within its account: the same key in two accounts is two
-- persons, one in each account's group
INSERT INTO crm.person VALUES ('a1', 'B', 'Chief of Staff', 'VP');
RESET ROLE;
SELECT account_key, person_key, role FROM buying_group.members WHERE person_key = 'a1' ORDER BY 1;
SELECT count(*) AS problems FROM buying_group.verify_scores();
SET ROLE bg_crm_owner;
DELETE FROM crm.person WHERE person_key = 'a1' AND account_key = 'B';
RESET ROLE;
SELECT account_key, person_key, role, is_removed FROM buying_group.members WHERE person_key = 'a1' ORDER BY 1;
SELECT count(*) AS problems FROM buying_group.verify_scores();

-- a table of another database's user, unrelated to any binding, is not touched
CREATE TABLE public.unrelated (a int);
ALTER TABLE public.unrelated ADD COLUMN b int;
DROP TABLE public.unrelated;

\c :regress_db
DROP DATABASE bg_bound_tables;
DROP ROLE bg_crm_owner;
