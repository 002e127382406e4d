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
    role_counts          integer[] NOT NULL DEFAULT '{}',
    UNIQUE (solution_interest_id, account_key)
) WITH (fillfactor = 70);     -- room on each page, so that the updates of scores and counts stay HOT
CREATE INDEX ON buying_group.bgroup (account_key);
ALTER SEQUENCE buying_group.bgroup_id_seq OWNED BY buying_group.bgroup.id;
COMMENT ON TABLE buying_group.bgroup IS 'Buying groups: one per account and solution interest';
-- kept by refresh_groups in the UPDATE that recomputes the scores from it: a
-- group's scores then cost its roles, not its members, however large the account
COMMENT ON COLUMN buying_group.bgroup.role_counts IS
'Members (not removed) per role: element p counts the role of priority p in the template; the scores are computed from it';
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

-- Adds deltas to role counts (role_counts.c): counts[positions[i]] +=
-- deltas[i], in canonical form; raises if a count would go below zero.
CREATE FUNCTION buying_group_internal.add_role_counts(counts integer[], positions integer[], deltas integer[])
RETURNS integer[]
AS 'MODULE_PATHNAME', 'bg_add_role_counts'
LANGUAGE C IMMUTABLE PARALLEL SAFE CALLED ON NULL INPUT;
COMMENT ON FUNCTION buying_group_internal.add_role_counts(integer[], integer[], integer[]) IS
'Internal: role counts (indexed by role priority) with deltas added at positions';

-- The members role counts count: their sum (role_counts.c).
CREATE FUNCTION buying_group_internal.role_counts_total(counts integer[])
RETURNS integer
AS 'MODULE_PATHNAME', 'bg_role_counts_total'
LANGUAGE C IMMUTABLE PARALLEL SAFE STRICT;
COMMENT ON FUNCTION buying_group_internal.role_counts_total(integer[]) IS
'Internal: how many members role counts count (their sum)';

-- The completeness of a group from its role counts (completeness.c).
CREATE FUNCTION buying_group_internal.counts_completeness(template text, role_counts integer[])
RETURNS numeric
AS 'MODULE_PATHNAME', 'bg_counts_completeness'
LANGUAGE C STABLE PARALLEL SAFE STRICT;
COMMENT ON FUNCTION buying_group_internal.counts_completeness(text, integer[]) IS
'Internal: the completeness of a group of the template whose role of priority p is held role_counts[p] times';

-- Counts the roles of groups again from their members: those of a solution
-- interest, or all when NULL.
CREATE FUNCTION buying_group_internal.recount_roles(si_id integer)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    UPDATE buying_group.bgroup g SET role_counts = c.counts
      FROM (SELECT g2.id,
                   buying_group_internal.add_role_counts('{}', array_agg(tr.priority) FILTER (WHERE tr.priority IS NOT NULL),
                                                         array_agg(1) FILTER (WHERE tr.priority IS NOT NULL)) AS counts
              FROM buying_group.bgroup g2
              JOIN buying_group.solution_interest si ON si.id = g2.solution_interest_id
              LEFT JOIN buying_group.bmember m ON m.buying_group_id = g2.id AND NOT m.is_removed
              LEFT JOIN buying_group.template_role tr ON tr.template_id = si.template_id AND tr.role_id = m.role_id
             WHERE si_id IS NULL OR g2.solution_interest_id = si_id
             GROUP BY 1) c
     WHERE g.id = c.id AND g.role_counts IS DISTINCT FROM c.counts
$$;
COMMENT ON FUNCTION buying_group_internal.recount_roles(integer) IS
'Internal: counts the roles of the buying groups of a solution interest (all when NULL) again from their members';

-- Serialises the writers of buying groups by account (account_locks.c): the
-- given accounts' locks, taken in one global order (writers of the same
-- account wait for each other, never deadlock), under a shared hold of one
-- lock that excludes everything. NULL, or more than 1,000 accounts (thousands
-- of account locks would overflow the lock table), takes that lock
-- exclusively instead: the bulk jobs' and bulk statements' way. Held until
-- the end of the transaction.
CREATE FUNCTION buying_group_internal.lock_accounts(accounts text[])
RETURNS void
AS 'MODULE_PATHNAME', 'bg_lock_accounts'
LANGUAGE C VOLATILE CALLED ON NULL INPUT;
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
