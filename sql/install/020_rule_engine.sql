--------------------------------------------------------------------------
-- C functions of the rule engine
--------------------------------------------------------------------------

CREATE FUNCTION buying_group.check_rule(rule text, row_type regtype DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'bg_check_rule'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group.check_rule(text, regtype) IS
'Checks a rule (JSON text) and, given a row type, that its attributes and values fit that type; returns the rule as jsonb or raises its first error';

CREATE FUNCTION buying_group.eval_rule(rule text, "row" record)
RETURNS boolean
AS 'MODULE_PATHNAME', 'bg_eval_rule'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group.eval_rule(text, record) IS
'Does the rule hold for the row? Any row type: a table row, a view row, ROW(...)';

-- The same, for a rule given as jsonb (SPEC 3: every function that takes a rule takes both).
CREATE FUNCTION buying_group.check_rule(rule jsonb, row_type regtype DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'bg_check_rule'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group.check_rule(jsonb, regtype) IS
'Checks a rule (jsonb) and, given a row type, that its attributes and values fit that type; returns the rule or raises its first error';

CREATE FUNCTION buying_group.eval_rule(rule jsonb, "row" record)
RETURNS boolean
AS 'MODULE_PATHNAME', 'bg_eval_rule'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group.eval_rule(jsonb, record) IS
'Does the rule (jsonb) hold for the row? Any row type: a table row, a view row, ROW(...)';

CREATE FUNCTION buying_group.match_role(template text, person record)
RETURNS text
AS 'MODULE_PATHNAME', 'bg_match_role'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group.match_role(text, record) IS
'The role the person gets in the template: the first role, in priority order, whose conditions hold; NULL if none';

CREATE FUNCTION buying_group.match_roles(template text, person record)
RETURNS text[]
AS 'MODULE_PATHNAME', 'bg_match_roles'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group.match_roles(text, record) IS
'Every role of the template whose conditions hold for the person, in priority order';

CREATE FUNCTION buying_group.explain_match(template text, person record)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'bg_explain_match'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group.explain_match(text, record) IS
'For each role and each condition of the template: passed or not, with the value the person holds';

CREATE FUNCTION buying_group.normalize_title(title text)
RETURNS text
AS 'MODULE_PATHNAME', 'bg_normalize_title'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group.normalize_title(text) IS
'The job-title normaliser of title_like: lower case, no punctuation, abbreviations expanded, filler words dropped';

CREATE FUNCTION buying_group.title_similarity(a text, b text)
RETURNS double precision
AS 'MODULE_PATHNAME', 'bg_title_similarity'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION buying_group.title_similarity(text, text) IS
'Similarity (0..1) of two job titles after normalisation, as title_like compares it with its threshold';

CREATE FUNCTION buying_group_internal.catalog_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'bg_catalog_changed'
LANGUAGE C;
COMMENT ON FUNCTION buying_group_internal.catalog_changed() IS
'Statement trigger of the catalog tables: invalidates the cached templates of every session';
