--------------------------------------------------------------------------
-- Buying groups and members (SPEC 6)
--------------------------------------------------------------------------

CREATE SEQUENCE buying_group.bgroup_id_seq;
CREATE TABLE buying_group.bgroup (
    id                   bigint PRIMARY KEY DEFAULT pg_catalog.nextval('buying_group.bgroup_id_seq'),
    solution_interest_id integer NOT NULL REFERENCES buying_group.solution_interest (id),
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
    buying_group_id bigint NOT NULL REFERENCES buying_group.bgroup (id) ON DELETE CASCADE,
    person_key      text NOT NULL,
    role_id         integer NOT NULL REFERENCES buying_group.role (id),
    source          text NOT NULL CHECK (source IN ('manual', 'journey', 'system')),
    is_removed      boolean NOT NULL DEFAULT false,
    assigned_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    removed_at      timestamptz,
    PRIMARY KEY (buying_group_id, person_key)
);
CREATE INDEX ON buying_group.bmember (person_key);
COMMENT ON TABLE buying_group.bmember IS 'Members of buying groups: one role per person and group; removal is soft';
SELECT pg_catalog.pg_extension_config_dump('buying_group.bmember', '');

-- Precedence of a membership source: manual > journey > system.
CREATE FUNCTION buying_group.source_rank(source text)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE source WHEN 'manual' THEN 3 WHEN 'journey' THEN 2 WHEN 'system' THEN 1 END
$$;
COMMENT ON FUNCTION buying_group.source_rank(text) IS 'Precedence of a membership source: manual 3 > journey 2 > system 1';
