-- Every operator of the rule language (SPEC 3) on NULL, empty, blank, mixed-case
-- and padded values. Each rule lists the rows it matches.
CREATE TABLE op_row (label text, title text, n integer, big bigint, x float8, amount numeric,
                     d date, ts timestamptz, flag boolean, attrs jsonb, code uuid, title_vc varchar(40));
INSERT INTO op_row VALUES
  ('nulls', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  ('empty', '', 0, 0, 0, 0, '2000-01-01', '2000-01-01 00:00+00', false, '{}', '00000000-0000-0000-0000-000000000000', ''),
  ('blank', E'  \t ', 5, 5000000000, 2.5, 2.5, '2026-01-31', '2026-01-31 12:00+00', true,
            '{"level": 5, "tier": "Gold", "nested": {"k": "v"}}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '  '),
  ('cto', '  Chief Technology OFFICER ', 100, -1, -0.5, 100.25, '2026-02-01', '2026-02-01 00:00+00', true,
            '{"level": "7", "tier": " gold "}', NULL, ' Chief Technology OFFICER'),
  ('vp', 'VP Engineering', 250, 250, 1e10, 1e6, '1999-12-31', '1999-12-31 23:59:59+00', false,
            '{"level": 2.5, "tier": null}', NULL, 'VP Engineering'),
  ('fr', 'Directeur Général', 42, 42, 42, 42, '2026-01-30', '2026-01-30 23:59:59.999999+00', NULL,
            '{"level": "high", "nested": {"k": "V"}}', NULL, 'Directeur Général');

CREATE FUNCTION matching(rule text) RETURNS text LANGUAGE sql AS $$
  SELECT coalesce(string_agg(label, ' ' ORDER BY label), '-')
    FROM op_row r WHERE buying_group.eval_rule(rule, r)
$$;

SELECT rule, matching(rule) FROM (VALUES
  -- text equality: case-insensitive, trimmed; arrays mean any of / none of
  ('{"attr": "title", "op": "eq", "value": "chief technology officer"}'),
  ('{"attr": "title", "op": "eq", "value": "  CHIEF technology officer  "}'),
  ('{"attr": "title", "op": "eq", "value": ""}'),
  ('{"attr": "title", "op": "eq", "value": ["vp engineering", "directeur général"]}'),
  ('{"attr": "title", "op": "ne", "value": "vp engineering"}'),
  ('{"attr": "title", "op": "ne", "value": ["vp engineering", ""]}'),
  ('{"attr": "title", "op": "in", "value": ["VP ENGINEERING", "Chief Technology Officer"]}'),
  ('{"attr": "title", "op": "in", "value": "vp engineering"}'),
  ('{"attr": "title", "op": "not_in", "value": ["VP ENGINEERING", "Chief Technology Officer"]}'),
  -- substring operators
  ('{"attr": "title", "op": "contains", "value": "TECHNOLOGY"}'),
  ('{"attr": "title", "op": "contains", "value": ["engineer", "général"]}'),
  ('{"attr": "title", "op": "contains", "value": ""}'),
  ('{"attr": "title", "op": "not_contains", "value": "technology"}'),
  ('{"attr": "title", "op": "not_contains", "value": ["technology", "vp"]}'),
  ('{"attr": "title", "op": "starts_with", "value": "chief"}'),
  ('{"attr": "title", "op": "starts_with", "value": ["vp ", "DIRECTEUR"]}'),
  ('{"attr": "title", "op": "ends_with", "value": "officer"}'),
  ('{"attr": "title", "op": "ends_with", "value": ["ING", "ral"]}'),
  -- emptiness: NULL, empty and blank are empty
  ('{"attr": "title", "op": "is_empty"}'),
  ('{"attr": "title", "op": "is_not_empty"}'),
  ('{"attr": "n", "op": "is_empty"}'),
  ('{"attr": "n", "op": "is_not_empty"}'),
  -- regular expressions: case-insensitive, on the trimmed value
  ('{"attr": "title", "op": "matches", "value": "^chief .* officer$"}'),
  ('{"attr": "title", "op": "matches", "value": ["^vp\\s", "g.n.ral$"]}'),
  ('{"attr": "title", "op": "matches", "value": "^$"}'),
  -- integers, bigints, floats, numerics
  ('{"attr": "n", "op": "eq", "value": 42}'),
  ('{"attr": "n", "op": "in", "value": [0, 5, 250]}'),
  ('{"attr": "n", "op": "ne", "value": 42}'),
  ('{"attr": "n", "op": "not_in", "value": [0, 5]}'),
  ('{"attr": "n", "op": "gt", "value": 42}'),
  ('{"attr": "n", "op": "gte", "value": 42}'),
  ('{"attr": "n", "op": "lt", "value": 5}'),
  ('{"attr": "n", "op": "lte", "value": 5}'),
  ('{"attr": "n", "op": "gt", "value": 4.5}'),
  ('{"attr": "n", "op": "eq", "value": 5.0}'),
  ('{"attr": "n", "op": "between", "value": [5, 100]}'),
  ('{"attr": "big", "op": "gt", "value": 4294967296}'),
  ('{"attr": "big", "op": "lt", "value": 0}'),
  ('{"attr": "x", "op": "gt", "value": 2}'),
  ('{"attr": "x", "op": "eq", "value": 2.5}'),
  ('{"attr": "x", "op": "between", "value": [-1, 2.5]}'),
  ('{"attr": "amount", "op": "gt", "value": 100.2}'),
  ('{"attr": "amount", "op": "eq", "value": 100.25}'),
  ('{"attr": "amount", "op": "between", "value": [2.5, 100.25]}'),
  ('{"attr": "amount", "op": "gte", "value": 1000000}'),
  -- dates and timestamps with ISO 8601 strings
  ('{"attr": "d", "op": "gt", "value": "2026-01-30"}'),
  ('{"attr": "d", "op": "between", "value": ["2026-01-30", "2026-01-31"]}'),
  ('{"attr": "d", "op": "eq", "value": "2026-02-01"}'),
  ('{"attr": "d", "op": "lt", "value": "2000-01-01"}'),
  ('{"attr": "ts", "op": "gte", "value": "2026-01-31T12:00:00Z"}'),
  ('{"attr": "ts", "op": "lt", "value": "2026-01-31T00:00:00+00:00"}'),
  ('{"attr": "ts", "op": "between", "value": ["2026-01-30T00:00:00Z", "2026-01-31T12:00:00Z"]}'),
  -- booleans
  ('{"attr": "flag", "op": "eq", "value": true}'),
  ('{"attr": "flag", "op": "ne", "value": true}'),
  -- dotted paths into jsonb
  ('{"attr": "attrs.tier", "op": "eq", "value": "gold"}'),
  ('{"attr": "attrs.tier", "op": "is_empty"}'),
  ('{"attr": "attrs.level", "op": "gte", "value": 5}'),
  ('{"attr": "attrs.level", "op": "eq", "value": 2.5}'),
  ('{"attr": "attrs.level", "op": "ne", "value": 5}'),
  ('{"attr": "attrs.nested.k", "op": "eq", "value": "v"}'),
  ('{"attr": "attrs.level", "op": "eq", "value": "high"}'),
  -- other types through their text form; varchar like text
  ('{"attr": "code", "op": "starts_with", "value": "A0EEBC99"}'),
  ('{"attr": "code", "op": "eq", "value": "00000000-0000-0000-0000-000000000000"}'),
  ('{"attr": "title_vc", "op": "eq", "value": "chief technology officer"}'),
  ('{"attr": "n", "op": "contains", "value": "5"}'),
  -- combinators, and NULL under not: a NULL leaf is false, so its negation is true
  ('{"all": [{"attr": "title", "op": "contains", "value": "e"}, {"attr": "n", "op": "gt", "value": 50}]}'),
  ('{"any": [{"attr": "title", "op": "contains", "value": "chief"}, {"attr": "flag", "op": "eq", "value": false}]}'),
  ('{"not": {"attr": "title", "op": "contains", "value": "chief"}}'),
  ('{"not": {"attr": "title", "op": "ne", "value": "vp engineering"}}'),
  ('{"not": {"not": {"attr": "title", "op": "is_empty"}}}'),
  ('{"all": [{"any": [{"attr": "n", "op": "lt", "value": 10}, {"attr": "n", "op": "gt", "value": 200}]}, {"not": {"attr": "title", "op": "is_empty"}}]}')
) v(rule);

-- ROW(...) of a query and a view row work like table rows
CREATE VIEW op_view AS SELECT label, upper(title) AS shout, n * 2 AS twice FROM op_row;
SELECT label FROM op_view v
 WHERE buying_group.eval_rule('{"all": [{"attr": "shout", "op": "contains", "value": "engineering"}, {"attr": "twice", "op": "gt", "value": 400}]}', v);
SELECT buying_group.eval_rule('{"attr": "f2", "op": "eq", "value": "b"}', ROW('a', 'B')),
       buying_group.eval_rule('{"attr": "f1", "op": "eq", "value": 1}', ROW(1, 'x'));
-- a rule naming a column the row does not have is an error naming the column
SELECT buying_group.eval_rule('{"attr": "f3", "op": "eq", "value": 1}', ROW(1, 'x'));
SELECT label FROM op_row r WHERE buying_group.eval_rule('{"any": [{"attr": "title", "op": "is_empty"}, {"attr": "titel", "op": "is_empty"}]}', r);
