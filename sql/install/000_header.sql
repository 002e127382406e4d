-- buying_group 0.2.0: install script, built by the Makefile from sql/install/*.sql.
--
-- Every object is created in schema buying_group, created here (so that a
-- pre-existing schema of that name makes CREATE EXTENSION fail instead of
-- trusting it). Every SQL and PL/pgSQL function pins its search_path and
-- qualifies what it uses. Configuration needs buying_group_admin, reading
-- needs buying_group_reader; PUBLIC gets nothing. Tables are written only
-- through the API functions, which run with the extension owner's rights
-- (SECURITY DEFINER) and check what they are given (doc/security.md).

\echo Use "CREATE EXTENSION buying_group" to load this file. \quit

CREATE SCHEMA buying_group;
COMMENT ON SCHEMA buying_group IS 'Buying groups for B2B marketing: role templates, role matching, completeness and engagement';
-- What only the extension's own code calls: granted to nobody.
CREATE SCHEMA buying_group_internal;
COMMENT ON SCHEMA buying_group_internal IS 'Internals of buying_group: called by its API functions and triggers only, granted to nobody';

-- Cluster-wide roles: created once, kept when the extension is dropped.
DO $roles$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'buying_group_reader') THEN
        CREATE ROLE buying_group_reader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'buying_group_admin') THEN
        CREATE ROLE buying_group_admin NOLOGIN;
    END IF;
    IF NOT pg_catalog.pg_has_role('buying_group_admin', 'buying_group_reader', 'MEMBER') THEN
        GRANT buying_group_reader TO buying_group_admin;
    END IF;
END
$roles$;
