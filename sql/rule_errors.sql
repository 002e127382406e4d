-- Rule errors (SPEC 3): each raised when the rule is stored, with its SQLSTATE,
-- the JSON path, line and column; the limits refused cleanly.
\set SHOW_CONTEXT never
CREATE TABLE err_person (job_title text, seniority text, employees integer, revenue numeric,
                         score float8, born date, seen_at timestamptz, active boolean,
                         attributes jsonb, tags text[]);

-- SQLSTATE and message of check_rule, or 'ok'
CREATE FUNCTION try_rule(r text, t regtype DEFAULT NULL) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM buying_group.check_rule(r, t);
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

-- malformed JSON: 22032 with line and column
SELECT r, try_rule(r) FROM (VALUES
  ('{"attr": "job_title", "op": "eq", "value": "x"'),
  (E'{\n  "any": [\n    {"attr": "a", "op": "eq", "value": "x"},\n    {"attr": "b" "op": "eq"}\n  ]\n}'),
  ('{"attr": "a", "attr": "b", "op": "eq", "value": 1}'),
  (''),
  ('{"attr": "a", "op": "eq", "value": "\u0000"}'),
  ('{"attr": "a", "op": "eq", "value": 99999999999999999999}')
) v(r);

-- shape and operators: 22023 naming the JSON path
SELECT r, try_rule(r) FROM (VALUES
  ('[]'),
  ('"eq"'),
  ('{}'),
  ('{"op": "eq", "value": 1}'),
  ('{"attr": "", "op": "eq", "value": 1}'),
  ('{"attr": 5, "op": "eq", "value": 1}'),
  ('{"attr": "a", "value": 1}'),
  ('{"attr": "a", "op": 3, "value": 1}'),
  ('{"attr": "a", "op": "like", "value": "x"}'),
  ('{"any": [{"attr": "a", "op": "eq", "value": "x"}, {"all": [{"attr": "b", "op": "LIKE", "value": "y"}]}]}'),
  ('{"attr": "a", "op": "eq", "value": "x", "valeu": 1}'),
  ('{"all": [], "any": []}'),
  ('{"all": [{"attr": "a", "op": "is_empty"}], "attr": "a"}'),
  ('{"all": []}'),
  ('{"any": {"attr": "a", "op": "is_empty"}}'),
  ('{"not": [{"attr": "a", "op": "is_empty"}]}'),
  ('{"all": [1]}')
) v(r);

-- values of the wrong type
SELECT r, try_rule(r) FROM (VALUES
  ('{"attr": "a", "op": "eq"}'),
  ('{"attr": "a", "op": "eq", "value": null}'),
  ('{"attr": "a", "op": "eq", "value": []}'),
  ('{"attr": "a", "op": "eq", "value": {"x": 1}}'),
  ('{"attr": "a", "op": "in", "value": ["x", 1]}'),
  ('{"attr": "a", "op": "in", "value": [["x"]]}'),
  ('{"attr": "a", "op": "contains", "value": 5}'),
  ('{"attr": "a", "op": "starts_with", "value": true}'),
  ('{"attr": "a", "op": "is_empty", "value": "x"}'),
  ('{"attr": "a", "op": "gt", "value": true}'),
  ('{"attr": "a", "op": "gt", "value": [1, 2]}'),
  ('{"attr": "a", "op": "between", "value": [1]}'),
  ('{"attr": "a", "op": "between", "value": 1}'),
  ('{"attr": "a", "op": "between", "value": [5, 1]}'),
  ('{"attr": "a", "op": "between", "value": [1, "2026-01-01"]}'),
  ('{"attr": "a", "op": "title_like", "value": "cto", "threshold": 0}'),
  ('{"attr": "a", "op": "title_like", "value": "cto", "threshold": 1.5}'),
  ('{"attr": "a", "op": "title_like", "value": "cto", "threshold": "high"}'),
  ('{"attr": "a", "op": "contains", "value": "cto", "threshold": 0.5}')
) v(r);

-- invalid regular expressions
SELECT r, try_rule(r) FROM (VALUES
  ('{"attr": "a", "op": "matches", "value": "(unclosed"}'),
  ('{"attr": "a", "op": "matches", "value": ["ok", "[z-a]"]}'),
  ('{"attr": "a", "op": "matches", "value": "^(cto|cio)$"}')
) v(r);

-- against a row type: unknown attributes, type mismatches, bad dates
SELECT r, try_rule(r, 'err_person') FROM (VALUES
  ('{"attr": "job_tittle", "op": "eq", "value": "x"}'),
  ('{"all": [{"attr": "job_title", "op": "eq", "value": "x"}, {"not": {"attr": "nope", "op": "is_empty"}}]}'),
  ('{"attr": "employees", "op": "eq", "value": "500"}'),
  ('{"attr": "employees", "op": "gt", "value": "2026-01-01"}'),
  ('{"attr": "job_title", "op": "gt", "value": 5}'),
  ('{"attr": "job_title", "op": "eq", "value": 5}'),
  ('{"attr": "born", "op": "gt", "value": "yesterday-ish"}'),
  ('{"attr": "born", "op": "between", "value": ["2000-01-01", "2000-02-30"]}'),
  ('{"attr": "born", "op": "eq", "value": 2000}'),
  ('{"attr": "active", "op": "eq", "value": "yes"}'),
  ('{"attr": "active", "op": "gt", "value": 1}'),
  ('{"attr": "seniority.level", "op": "eq", "value": "x"}'),
  ('{"attr": "attributes.level", "op": "gt", "value": "high"}'),
  ('{"attr": "tags", "op": "gt", "value": 1}'),
  ('{"attr": "attributes.level", "op": "gte", "value": 3}'),
  ('{"attr": "seen_at", "op": "lt", "value": "2026-01-01T00:00:00Z"}'),
  ('{"attr": "revenue", "op": "between", "value": [1000, 2500.5]}'),
  ('{"attr": "tags", "op": "contains", "value": "vip"}')
) v(r);

-- the full error: message, detail and hint
SELECT buying_group.check_rule('{"attr": "job_tittle", "op": "eq", "value": "x"}', 'err_person');
SELECT buying_group.check_rule(E'{"any": [\n  {"attr": "job_title" "op": "eq"}]}');
SELECT buying_group.check_rule('{"any": [{"attr": "job_title", "op": "equals", "value": "x"}]}');

-- limits: nesting depth 32, 1,000 nodes, 1 MB (54000)
SELECT try_rule(repeat('{"not": ', 31) || '{"attr": "a", "op": "is_empty"}' || repeat('}', 31)) AS depth_32;
SELECT try_rule(repeat('{"not": ', 32) || '{"attr": "a", "op": "is_empty"}' || repeat('}', 32)) AS depth_33;
SELECT try_rule(repeat('[', 100000) || repeat(']', 100000)) AS deep_json;
SELECT try_rule('{"any": [' || string_agg('{"attr": "a", "op": "eq", "value": "x"}', ',') || ']}') AS nodes_999
  FROM generate_series(1, 999);
SELECT try_rule('{"any": [' || string_agg('{"attr": "a", "op": "eq", "value": "x"}', ',') || ']}') AS nodes_1000
  FROM generate_series(1, 1000);
SELECT try_rule('{"attr": "a", "op": "in", "value": [' || string_agg('"' || i || '"', ',') || ']}') AS big_list
  FROM generate_series(1, 50000) i;
SELECT try_rule('{"attr": "a", "op": "eq", "value": "' || repeat('x', 1048576) || '"}') AS over_1mb;

-- check_rule returns the rule as jsonb; NULL stays NULL
SELECT buying_group.check_rule('{"attr": "a", "op": "in", "value": ["x", "y"]}');
SELECT buying_group.check_rule(NULL) IS NULL AS null_rule;

-- errors never happen at match time: a stored rule that binds always evaluates
SELECT buying_group.eval_rule('{"attr": "seen_at", "op": "lt", "value": "2026-01-01"}',
                              ROW(NULL, NULL, NULL, NULL, NULL, NULL, now(), NULL, NULL, NULL)::err_person);
