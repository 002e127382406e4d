-- Differential test, three ways: the C evaluator (eval_rule), the SQL it
-- compiles rules to (rule_to_sql, what audiences run) and a reference
-- evaluator written in plain SQL, on seeded random persons and random rules:
-- text, integers, big integers near 2^53 against fractional values, numerics,
-- floats with NaN and infinities, dates, timestamps, booleans, numbers at
-- jsonb paths, NULLs. Zero mismatches expected.
SELECT setseed(0.4242);

CREATE TABLE diff_person (id integer, title text, dept text, seniority text, n integer,
                          amount numeric, d date, flag boolean, attrs jsonb,
                          big bigint, f float8, ts timestamptz);

-- random but reproducible persons: padded, mixed-case, blank and NULL values
INSERT INTO diff_person
SELECT i,
       CASE WHEN random() < 0.1 THEN NULL
            ELSE (ARRAY['', '   ', ' ', E'\t'])[1 + floor(random() * 4)::int * (random() < 0.3)::int]
                 || (ARRAY['Chief Technology Officer', 'cto', 'VP Engineering', 'vp of sales', 'IT Manager',
                           'Director of IT', 'Software Engineer', 'data analyst', 'Head of Procurement',
                           'CHIEF FINANCIAL OFFICER', 'Marketing Ops Manager', 'Intern', ''])[1 + floor(random() * 13)::int]
                 || (ARRAY['', '  '])[1 + (random() < 0.2)::int] END,
       CASE WHEN random() < 0.1 THEN NULL ELSE (ARRAY['IT', 'it', ' Finance', 'Marketing', 'SALES', ''])[1 + floor(random() * 6)::int] END,
       CASE WHEN random() < 0.15 THEN NULL ELSE (ARRAY['C-Level', 'VP', 'Director', 'Manager', 'Individual Contributor'])[1 + floor(random() * 5)::int] END,
       CASE WHEN random() < 0.1 THEN NULL ELSE floor(random() * 200)::int - 20 END,
       CASE WHEN random() < 0.1 THEN NULL ELSE round((random() * 1000)::numeric, 2) END,
       CASE WHEN random() < 0.1 THEN NULL ELSE date '2025-01-01' + floor(random() * 400)::int END,
       CASE WHEN random() < 0.2 THEN NULL ELSE random() < 0.5 END,
       CASE WHEN random() < 0.1 THEN NULL
            ELSE jsonb_build_object('level', (ARRAY['1', '2', '3', '4', '5', 'high'])[1 + floor(random() * 6)::int],
                                    'tier', (ARRAY['Gold', ' gold', 'Silver', 'bronze '])[1 + floor(random() * 4)::int],
                                    'score', (ARRAY['9007199254740993', '9007199254740992', '0.1', '0.30000000000000004',
                                                    '1e3', '1E+2', '-0.5', '100.000', '.5', '5.', ' 42 ', 'abc', '1e400',
                                                    '', '1e4000', '12345678901234567890.123456789'])[1 + floor(random() * 16)::int]) END,
       CASE WHEN random() < 0.1 THEN NULL
            ELSE 9007199254740992 + floor(random() * 7)::int - 3 END,
       CASE WHEN random() < 0.1 THEN NULL
            ELSE (ARRAY['0.1', '0.30000000000000004', '0.3', 'NaN', 'Infinity', '-Infinity', '1e300', '-1.5',
                        '2', '1e-300'])[1 + floor(random() * 10)::int]::float8 END,
       CASE WHEN random() < 0.1 THEN NULL
            ELSE timestamptz '2025-06-01 10:00+00' + floor(random() * 96) * interval '1 hour' END
  FROM generate_series(1, 600) i;

-- random rules over those columns; values drawn from pools that hit the data
CREATE FUNCTION pick(a text[]) RETURNS text LANGUAGE sql AS $$ SELECT a[1 + floor(random() * array_length(a, 1))::int] $$;

CREATE FUNCTION gen_leaf() RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    attr text := pick(ARRAY['title', 'title', 'dept', 'seniority', 'n', 'amount', 'd', 'flag', 'attrs.tier', 'attrs.level',
                            'big', 'f', 'ts', 'attrs.score']);
    op text;
    words text[] := ARRAY['cto', 'chief', 'VP', ' engineering', 'it', 'IT MANAGER', 'officer', 'Director', 'manager',
                          'finance', 'c-level', 'vp', '', 'gold', 'Intern', 'director of it', 'data analyst'];
    nvals integer := 1 + floor(random() * 3)::int;
    val jsonb;
BEGIN
    IF attr IN ('big', 'f', 'attrs.score') THEN
        op := pick(ARRAY['eq', 'ne', 'in', 'gt', 'gte', 'lt', 'lte', 'between', 'is_empty']);
        val := (SELECT jsonb_agg(pick(CASE attr
                    WHEN 'big' THEN ARRAY['9007199254740992', '9007199254740993', '9007199254740992.5',
                                          '9007199254740993.5', '9007199254740991.999999', '9007199254740995']
                    WHEN 'f' THEN ARRAY['0.1', '0.3', '0.30000000000000004', '1e15', '-1.5', '2', '0', '1e-300']
                    ELSE ARRAY['9007199254740992.5', '9007199254740993', '0.1', '100', '42', '1e15', '0.5', '-1']
                    END)::numeric) FROM generate_series(1, 2));
        IF op = 'between' THEN
            val := (SELECT jsonb_agg(x ORDER BY x) FROM jsonb_array_elements(val) x);
        ELSIF op NOT IN ('in') THEN
            val := val->0;
        END IF;
    ELSIF attr = 'ts' THEN
        op := pick(ARRAY['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between']);
        val := (SELECT jsonb_agg(to_char(timestamptz '2025-06-01 10:00+00' + floor(random() * 96) * interval '1 hour',
                                         'YYYY-MM-DD"T"HH24:MI:SS"Z"') ORDER BY 1) FROM generate_series(1, 2));
        IF op <> 'between' THEN val := val->0; END IF;
    ELSIF attr IN ('n', 'amount', 'attrs.level') THEN
        op := pick(ARRAY['eq', 'ne', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'between', 'is_empty', 'is_not_empty']);
        IF op = 'between' THEN
            val := jsonb_build_array(floor(random() * 100) - 10, 90 + floor(random() * 100));
        ELSIF op IN ('gt', 'gte', 'lt', 'lte') THEN
            val := to_jsonb(round((random() * 200 - 20)::numeric, (random() < 0.5)::int));
        ELSE
            val := (SELECT jsonb_agg(floor(random() * 200) - 20) FROM generate_series(1, nvals));
            IF random() < 0.5 THEN val := val->0; END IF;
        END IF;
    ELSIF attr = 'd' THEN
        op := pick(ARRAY['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between', 'is_empty']);
        IF op = 'between' THEN
            val := jsonb_build_array((date '2025-01-01' + floor(random() * 200)::int)::text,
                                     (date '2025-08-01' + floor(random() * 200)::int)::text);
        ELSE
            val := to_jsonb((date '2025-01-01' + floor(random() * 400)::int)::text);
        END IF;
    ELSIF attr = 'flag' THEN
        op := pick(ARRAY['eq', 'ne', 'is_empty', 'is_not_empty']);
        val := to_jsonb(random() < 0.5);
    ELSE
        op := pick(ARRAY['eq', 'ne', 'in', 'not_in', 'contains', 'not_contains', 'starts_with', 'ends_with',
                         'is_empty', 'is_not_empty', 'matches']);
        IF op = 'matches' THEN
            val := to_jsonb(pick(ARRAY['^c', 'officer$', 'vp|director', '^(it|cto)$', 'e.g', '^$', 'IT\s', '[0-9]']));
        ELSE
            val := (SELECT jsonb_agg(pick(words)) FROM generate_series(1, nvals));
            IF random() < 0.5 THEN val := val->0; END IF;
        END IF;
    END IF;
    IF op IN ('is_empty', 'is_not_empty') THEN
        RETURN jsonb_build_object('attr', attr, 'op', op);
    END IF;
    RETURN jsonb_build_object('attr', attr, 'op', op, 'value', val);
END
$$;

CREATE FUNCTION gen_rule(depth integer) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    r float8 := random();
BEGIN
    IF depth >= 4 OR r < 0.4 THEN
        RETURN gen_leaf();
    ELSIF r < 0.6 THEN
        RETURN jsonb_build_object('not', gen_rule(depth + 1));
    ELSE
        RETURN jsonb_build_object(CASE WHEN r < 0.8 THEN 'all' ELSE 'any' END,
                                  (SELECT jsonb_agg(gen_rule(depth + 1))
                                     FROM generate_series(1, 1 + floor(random() * 3)::int)));
    END IF;
END
$$;

CREATE TABLE diff_rule AS SELECT i AS id, gen_rule(0) AS rule FROM generate_series(1, 250) i;

-- The reference evaluator: the SPEC 3 semantics written out with SQL's own
-- operators (lower, btrim, strpos, ~*, casts), independent of the C code.
CREATE FUNCTION ref_fold(v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT lower(btrim(v, E' \t\n\r\f' || chr(11)))
$$;

-- three-way comparison of a typed attribute with a value; NULL when not
-- comparable. Numbers compare exactly: a column of integers or numerics as
-- numeric, a float column as float8 (NaN above every number), and a number
-- written at a jsonb path (at most 100 digits each side of the point, an
-- exponent of at most 3 digits) as numeric.
-- A rule's number is the JSON number as the parser reads it: an integer that
-- fits in 64 bits exactly, any other number as the nearest double, in its
-- shortest decimal form.
CREATE FUNCTION ref_num(b text) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN b ~ '^-?[0-9]+$' AND b::numeric BETWEEN -9223372036854775808 AND 9223372036854775807
                THEN b::numeric ELSE b::float8::text::numeric END
$$;
CREATE FUNCTION ref_cmp(kind text, a text, b text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE kind
        WHEN 'number' THEN sign(a::numeric - ref_num(b))::int
        WHEN 'json'   THEN CASE WHEN ref_fold(a) ~ '^[+-]?([0-9]{1,100}(\.[0-9]{0,100})?|\.[0-9]{1,100})([eE][+-]?[0-9]{1,3})?$'
                                THEN sign(ref_fold(a)::numeric - ref_num(b))::int END
        WHEN 'float'  THEN CASE WHEN a::float8 < b::float8 THEN -1 WHEN a::float8 > b::float8 THEN 1 ELSE 0 END
        WHEN 'date'   THEN sign(a::date - b::date)
        WHEN 'time'   THEN CASE WHEN a::timestamptz < b::timestamptz THEN -1
                                WHEN a::timestamptz > b::timestamptz THEN 1 ELSE 0 END
        WHEN 'bool'   THEN sign(a::boolean::int - b::boolean::int)::int
    END
$$;

CREATE FUNCTION ref_leaf(leaf jsonb, p jsonb) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    op text := leaf->>'op';
    attr text := leaf->>'attr';
    raw text := CASE WHEN strpos(attr, '.') > 0 THEN p #>> string_to_array(attr, '.') ELSE p->>attr END;
    kind text := CASE WHEN attr IN ('n', 'amount', 'big') THEN 'number'
                      WHEN attr IN ('attrs.level', 'attrs.score') AND jsonb_typeof(leaf->'value') IN ('number', 'array')
                           AND jsonb_typeof(coalesce(leaf->'value'->0, leaf->'value')) = 'number' THEN 'json'
                      WHEN attr = 'f' THEN 'float' WHEN attr = 'ts' THEN 'time'
                      WHEN attr = 'd' THEN 'date' WHEN attr = 'flag' THEN 'bool' ELSE 'text' END;
    vals text[] := ARRAY(SELECT jsonb_array_elements_text(
                             CASE jsonb_typeof(leaf->'value') WHEN 'array' THEN leaf->'value'
                                  ELSE jsonb_build_array(leaf->'value') END));
    v text;
    hit boolean := false;
BEGIN
    IF op = 'is_empty' THEN RETURN coalesce(ref_fold(raw), '') = ''; END IF;
    IF op = 'is_not_empty' THEN RETURN coalesce(ref_fold(raw), '') <> ''; END IF;
    IF raw IS NULL THEN RETURN false; END IF;
    IF kind <> 'text' THEN
        IF ref_cmp(kind, raw, vals[1]) IS NULL THEN RETURN false; END IF;
        CASE op
            WHEN 'gt' THEN RETURN ref_cmp(kind, raw, vals[1]) > 0;
            WHEN 'gte' THEN RETURN ref_cmp(kind, raw, vals[1]) >= 0;
            WHEN 'lt' THEN RETURN ref_cmp(kind, raw, vals[1]) < 0;
            WHEN 'lte' THEN RETURN ref_cmp(kind, raw, vals[1]) <= 0;
            WHEN 'between' THEN RETURN ref_cmp(kind, raw, vals[1]) >= 0 AND ref_cmp(kind, raw, vals[2]) <= 0;
            ELSE
                FOREACH v IN ARRAY vals LOOP
                    hit := hit OR ref_cmp(kind, raw, v) = 0;
                END LOOP;
        END CASE;
    ELSE
        FOREACH v IN ARRAY vals LOOP
            hit := hit OR CASE
                WHEN op IN ('eq', 'ne', 'in', 'not_in') THEN ref_fold(raw) = ref_fold(v)
                WHEN op IN ('contains', 'not_contains') THEN strpos(ref_fold(raw), ref_fold(v)) > 0
                WHEN op = 'starts_with' THEN starts_with(ref_fold(raw), ref_fold(v))
                WHEN op = 'ends_with' THEN right(ref_fold(raw), length(ref_fold(v))) = ref_fold(v)
                WHEN op = 'matches' THEN ref_fold(raw) ~* v
            END;
        END LOOP;
    END IF;
    RETURN CASE WHEN op IN ('ne', 'not_in', 'not_contains') THEN NOT hit ELSE hit END;
END
$$;

CREATE FUNCTION ref_eval(rule jsonb, p jsonb) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    c jsonb;
BEGIN
    IF rule ? 'all' THEN
        FOR c IN SELECT jsonb_array_elements(rule->'all') LOOP
            IF NOT ref_eval(c, p) THEN RETURN false; END IF;
        END LOOP;
        RETURN true;
    ELSIF rule ? 'any' THEN
        FOR c IN SELECT jsonb_array_elements(rule->'any') LOOP
            IF ref_eval(c, p) THEN RETURN true; END IF;
        END LOOP;
        RETURN false;
    ELSIF rule ? 'not' THEN
        RETURN NOT ref_eval(rule->'not', p);
    END IF;
    RETURN ref_leaf(rule, p);
END
$$;

-- every generated rule is valid for the table
SELECT count(*) AS rules, count(*) FILTER (WHERE buying_group.check_rule(rule::text, 'diff_person') IS NOT NULL) AS valid
  FROM diff_rule;

-- the SQL side: each rule compiled once, as an audience would be, and run
CREATE TABLE diff_sql_hit (rule_id integer, person_id integer);
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT id, rule FROM diff_rule ORDER BY id LOOP
        EXECUTE format('INSERT INTO diff_sql_hit SELECT %s, p.id FROM diff_person p WHERE %s', r.id,
                       buying_group.rule_to_sql(r.rule, 'diff_person', 'p'));
    END LOOP;
END
$$;

-- the C side takes the rule as text for odd rules and as jsonb for even ones
CREATE TABLE diff_result AS
SELECT r.id AS rule_id, p.id AS person_id, r.rule,
       CASE WHEN r.id % 2 = 1 THEN buying_group.eval_rule(r.rule::text, p)
            ELSE buying_group.eval_rule(r.rule, p) END AS c_result,
       EXISTS (SELECT FROM diff_sql_hit h WHERE h.rule_id = r.id AND h.person_id = p.id) AS sql_result,
       ref_eval(r.rule, to_jsonb(p)) AS ref_result
  FROM diff_rule r CROSS JOIN diff_person p;

-- the answer: no mismatch either way, on a sample where both outcomes are common
SELECT count(*) AS evaluations,
       count(*) FILTER (WHERE c_result IS DISTINCT FROM ref_result) AS c_mismatches,
       count(*) FILTER (WHERE sql_result IS DISTINCT FROM ref_result) AS sql_mismatches,
       count(*) FILTER (WHERE c_result) BETWEEN count(*) / 10 AND count(*) * 9 / 10 AS both_outcomes_common
  FROM diff_result;

-- the first mismatches, if any, to debug
SELECT rule_id, person_id, c_result, sql_result, ref_result, rule
  FROM diff_result WHERE c_result IS DISTINCT FROM ref_result OR sql_result IS DISTINCT FROM ref_result
 ORDER BY 1, 2 LIMIT 5;

-- the hard cases took part: each kind of attribute, and values on both sides
-- of a big integer, NaN and infinite floats, numbers at a jsonb path
SELECT attr, count(*) AS leaves
  FROM diff_rule, jsonb_path_query(rule, 'strict $.**.attr') attr
 GROUP BY 1 ORDER BY 1;
SELECT count(*) FILTER (WHERE f = 'NaN') > 0 AS nan, count(*) FILTER (WHERE f = 'Infinity') > 0 AS infinity,
       count(*) FILTER (WHERE big > 9007199254740992) > 0 AS above_2_53,
       count(*) FILTER (WHERE attrs->>'score' = '1e400') > 0 AS huge_json_number
  FROM diff_person;

-- every operator took part
SELECT count(DISTINCT op) AS operators_used
  FROM diff_rule, jsonb_path_query(rule, 'strict $.**.op') op;
