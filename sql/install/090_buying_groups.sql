--------------------------------------------------------------------------
-- Buying groups and members (SPEC 6)
--------------------------------------------------------------------------

CREATE SEQUENCE buying_group.bgroup_id_seq;
CREATE TABLE buying_group.bgroup (
    id                   bigint PRIMARY KEY DEFAULT pg_catalog.nextval('buying_group.bgroup_id_seq'),
    solution_interest_id integer NOT NULL,     -- delete_solution_interest refuses one with groups
    account_key          text NOT NULL,
    name                 text NOT NULL,
    stage                text,
    status               text,
    completeness         numeric NOT NULL DEFAULT 0,
    engagement           numeric,
    member_count         integer NOT NULL DEFAULT 0,
    sales_ready          boolean NOT NULL DEFAULT false,
    created_at           timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at           timestamptz NOT NULL DEFAULT pg_catalog.now(),
    UNIQUE (solution_interest_id, account_key)
);
CREATE INDEX ON buying_group.bgroup (account_key);
ALTER SEQUENCE buying_group.bgroup_id_seq OWNED BY buying_group.bgroup.id;
COMMENT ON TABLE buying_group.bgroup IS 'Buying groups: one per account and solution interest';
SELECT pg_catalog.pg_extension_config_dump('buying_group.bgroup', '');
SELECT pg_catalog.pg_extension_config_dump('buying_group.bgroup_id_seq', '');

CREATE TABLE buying_group.bmember (
    buying_group_id bigint NOT NULL,     -- a group's (groups are never deleted)
    person_key      text NOT NULL,
    role_id         integer NOT NULL,     -- a role of the group's live template
    source          text NOT NULL CHECK (source IN ('manual', 'journey', 'system')),
    is_removed      boolean NOT NULL DEFAULT false,
    assigned_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    removed_at      timestamptz,
    PRIMARY KEY (buying_group_id, person_key)
);
CREATE INDEX ON buying_group.bmember (person_key);
COMMENT ON TABLE buying_group.bmember IS 'Members of buying groups: one role per person and group; removal is soft';
SELECT pg_catalog.pg_extension_config_dump('buying_group.bmember', '');

-- How many members (not removed) hold each role of a group, kept by every
-- writer of memberships in the same statement: a group's scores then cost
-- its roles, not its members, however large the account.
CREATE TABLE buying_group.bgroup_role (
    buying_group_id bigint NOT NULL,     -- a group's
    role_id         integer NOT NULL,
    assigned        integer NOT NULL,
    PRIMARY KEY (buying_group_id, role_id)
);
COMMENT ON TABLE buying_group.bgroup_role IS 'Members (not removed) per buying group and role: the counts scores are computed from';
SELECT pg_catalog.pg_extension_config_dump('buying_group.bgroup_role', '');

-- Adds to the role counts of groups (parallel arrays of group, role, delta).
CREATE FUNCTION buying_group_internal.count_roles(groups bigint[], roles integer[], deltas integer[])
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO buying_group.bgroup_role AS c (buying_group_id, role_id, assigned)
    SELECT d.g, d.r, sum(d.n) FROM unnest(groups, roles, deltas) d(g, r, n)
     GROUP BY 1, 2 HAVING sum(d.n) <> 0
    ON CONFLICT (buying_group_id, role_id) DO UPDATE SET assigned = c.assigned + EXCLUDED.assigned
$$;
COMMENT ON FUNCTION buying_group_internal.count_roles(bigint[], integer[], integer[]) IS
'Internal: adds deltas to the role counts of buying groups';

-- Counts the roles of groups again from their members: those of a solution
-- interest, or all when NULL.
CREATE FUNCTION buying_group_internal.recount_roles(si_id integer)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    DELETE FROM buying_group.bgroup_role k USING buying_group.bgroup g
     WHERE g.id = k.buying_group_id AND (si_id IS NULL OR g.solution_interest_id = si_id);
    INSERT INTO buying_group.bgroup_role (buying_group_id, role_id, assigned)
    SELECT m.buying_group_id, m.role_id, count(*)
      FROM buying_group.bmember m JOIN buying_group.bgroup g ON g.id = m.buying_group_id
     WHERE NOT m.is_removed AND (si_id IS NULL OR g.solution_interest_id = si_id)
     GROUP BY 1, 2;
$$;
COMMENT ON FUNCTION buying_group_internal.recount_roles(integer) IS
'Internal: counts the roles of the groups of a solution interest (all when NULL) again from their members';

-- Serialises the writers of buying groups by account: the given accounts'
-- locks, taken in one global order (writers of the same account wait for each
-- other, never deadlock), under a shared hold of one lock that excludes
-- everything. NULL, or more than 1,000 accounts (thousands of account locks
-- would overflow the lock table), takes that lock exclusively instead: the
-- bulk jobs' and bulk statements' way. Held until the end of the transaction.
CREATE FUNCTION buying_group_internal.lock_accounts(accounts text[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF accounts IS NULL OR cardinality(accounts) > 1000 THEN
        PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('buying_group all accounts', 0));
    ELSE
        PERFORM pg_catalog.pg_advisory_xact_lock_shared(pg_catalog.hashtextextended('buying_group all accounts', 0));
        PERFORM pg_catalog.pg_advisory_xact_lock(k)
           FROM (SELECT DISTINCT pg_catalog.hashtextextended('buying_group account ' || a, 0) AS k
                   FROM unnest(accounts) a ORDER BY 1) l;
    END IF;
END
$$;
COMMENT ON FUNCTION buying_group_internal.lock_accounts(text[]) IS
'Internal: serialises writers of the given accounts'' buying groups (NULL: of all of them) until the end of the transaction';

-- Precedence of a membership source: manual > journey > system.
CREATE FUNCTION buying_group.source_rank(source text)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE source WHEN 'manual' THEN 3 WHEN 'journey' THEN 2 WHEN 'system' THEN 1 END
$$;
COMMENT ON FUNCTION buying_group.source_rank(text) IS 'Precedence of a membership source: manual 3 > journey 2 > system 1';
