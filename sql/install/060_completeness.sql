--------------------------------------------------------------------------
-- Completeness aggregates (SPEC 4, 5)
--------------------------------------------------------------------------

CREATE TYPE buying_group.completeness_state;

CREATE FUNCTION buying_group_internal.completeness_state_in(cstring)
RETURNS buying_group.completeness_state
AS 'MODULE_PATHNAME', 'bg_completeness_state_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION buying_group_internal.completeness_state_out(buying_group.completeness_state)
RETURNS cstring
AS 'MODULE_PATHNAME', 'bg_completeness_state_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE buying_group.completeness_state (
    INPUT = buying_group_internal.completeness_state_in,
    OUTPUT = buying_group_internal.completeness_state_out,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE buying_group.completeness_state IS
'Partial state of the completeness aggregates: a template and how many rows carried each role; its text form round-trips exactly';
COMMENT ON FUNCTION buying_group_internal.completeness_state_in(cstring) IS 'Input function of completeness_state';
COMMENT ON FUNCTION buying_group_internal.completeness_state_out(buying_group.completeness_state) IS 'Output function of completeness_state';

CREATE FUNCTION buying_group_internal.completeness_transfn(buying_group.completeness_state, text, text)
RETURNS buying_group.completeness_state
AS 'MODULE_PATHNAME', 'bg_completeness_transfn'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group_internal.completeness_transfn(buying_group.completeness_state, text, text) IS
'Transition function of the completeness aggregates: counts a row''s role';

CREATE FUNCTION buying_group_internal.completeness_combinefn(buying_group.completeness_state, buying_group.completeness_state)
RETURNS buying_group.completeness_state
AS 'MODULE_PATHNAME', 'bg_completeness_combinefn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group_internal.completeness_combinefn(buying_group.completeness_state, buying_group.completeness_state) IS
'Combine function of the completeness aggregates: adds two partial states';

CREATE FUNCTION buying_group_internal.completeness_finalfn(buying_group.completeness_state)
RETURNS numeric
AS 'MODULE_PATHNAME', 'bg_completeness_finalfn'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group_internal.completeness_finalfn(buying_group.completeness_state) IS
'Final function of completeness(): the group''s completeness at full precision';

CREATE FUNCTION buying_group_internal.role_completeness_finalfn(buying_group.completeness_state)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'bg_role_completeness_finalfn'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group_internal.role_completeness_finalfn(buying_group.completeness_state) IS
'Final function of role_completeness(): each role''s completeness';

CREATE AGGREGATE buying_group.completeness(template text, role text) (
    SFUNC = buying_group_internal.completeness_transfn,
    STYPE = buying_group.completeness_state,
    COMBINEFUNC = buying_group_internal.completeness_combinefn,
    FINALFUNC = buying_group_internal.completeness_finalfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE buying_group.completeness(text, text) IS
'Completeness (0..100, full precision) of a buying group: one row per member with its role; NULL roles are ignored';

CREATE FUNCTION buying_group_internal.completeness_count_transfn(buying_group.completeness_state, text, text, bigint)
RETURNS buying_group.completeness_state
AS 'MODULE_PATHNAME', 'bg_completeness_count_transfn'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group_internal.completeness_count_transfn(buying_group.completeness_state, text, text, bigint) IS
'Transition function of completeness(template, role, members): counts a row''s members of its role';

CREATE AGGREGATE buying_group.completeness(template text, role text, members bigint) (
    SFUNC = buying_group_internal.completeness_count_transfn,
    STYPE = buying_group.completeness_state,
    COMBINEFUNC = buying_group_internal.completeness_combinefn,
    FINALFUNC = buying_group_internal.completeness_finalfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE buying_group.completeness(text, text, bigint) IS
'Completeness (0..100, full precision) of a buying group from one row per role with how many members hold it';

CREATE AGGREGATE buying_group.role_completeness(template text, role text) (
    SFUNC = buying_group_internal.completeness_transfn,
    STYPE = buying_group.completeness_state,
    COMBINEFUNC = buying_group_internal.completeness_combinefn,
    FINALFUNC = buying_group_internal.role_completeness_finalfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE buying_group.role_completeness(text, text) IS
'Completeness of each role of the template (0..100, two decimals) over the rows of a buying group, as jsonb';
