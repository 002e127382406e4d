--------------------------------------------------------------------------
-- Catalog tables
--------------------------------------------------------------------------

CREATE TABLE buying_group.weight (
    name  text PRIMARY KEY,
    value integer NOT NULL UNIQUE CHECK (value > 0)
);
COMMENT ON TABLE buying_group.weight IS 'Role weights and their numeric values (AJO B2B: trivial 20 ... vital 100)';
INSERT INTO buying_group.weight VALUES
    ('trivial', 20), ('minor', 40), ('normal', 60), ('important', 80), ('vital', 100);

CREATE SEQUENCE buying_group.role_id_seq AS integer;
CREATE TABLE buying_group.role (
    id          integer PRIMARY KEY DEFAULT pg_catalog.nextval('buying_group.role_id_seq'),
    name        text NOT NULL CHECK (pg_catalog.btrim(name) = name AND name <> '' AND pg_catalog.length(name) <= 100),
    description text,
    is_default  boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
ALTER SEQUENCE buying_group.role_id_seq OWNED BY buying_group.role.id;
CREATE UNIQUE INDEX role_name_key ON buying_group.role (pg_catalog.lower(name));
COMMENT ON TABLE buying_group.role IS 'Role catalog: the six default roles and custom ones, at most 20 in all';

CREATE SEQUENCE buying_group.template_id_seq AS integer;
CREATE TABLE buying_group.template (
    id                integer PRIMARY KEY DEFAULT pg_catalog.nextval('buying_group.template_id_seq'),
    name              text NOT NULL UNIQUE CHECK (pg_catalog.btrim(name) = name AND name <> '' AND pg_catalog.length(name) <= 200),
    description       text,
    status            text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'live')),
    completeness_mode text NOT NULL DEFAULT 'mean' CHECK (completeness_mode IN ('mean', 'weighted')),
    created_at        timestamptz NOT NULL DEFAULT pg_catalog.now(),
    published_at      timestamptz
);
ALTER SEQUENCE buying_group.template_id_seq OWNED BY buying_group.template.id;
COMMENT ON TABLE buying_group.template IS 'Role templates: draft until published, then live and frozen';

CREATE TABLE buying_group.template_role (
    template_id      integer NOT NULL,     -- a template's (delete_template deletes its roles)
    role_id          integer NOT NULL,     -- a role's (delete_role refuses a role in use)
    priority         integer NOT NULL,
    weight           text NOT NULL DEFAULT 'normal' REFERENCES buying_group.weight (name),
    required         boolean NOT NULL DEFAULT true,
    members_required integer NOT NULL DEFAULT 1 CHECK (members_required >= 1),
    conditions       jsonb,
    PRIMARY KEY (template_id, role_id),
    UNIQUE (template_id, priority)
);
CREATE INDEX ON buying_group.template_role (role_id);
COMMENT ON TABLE buying_group.template_role IS 'The roles of a template, in priority order, with weight, threshold and conditions';

SELECT pg_catalog.pg_extension_config_dump('buying_group.role', 'WHERE NOT is_default');
SELECT pg_catalog.pg_extension_config_dump('buying_group.role_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('buying_group.template', '');
SELECT pg_catalog.pg_extension_config_dump('buying_group.template_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('buying_group.template_role', '');
