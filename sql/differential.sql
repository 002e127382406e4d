-- Differential test: the C evaluator against a reference evaluator written in
-- plain SQL, on seeded random persons and random rules. Zero mismatches expected.
SELECT setseed(0.4242);

CREATE TABLE diff_person (id integer, title text, dept text, seniority text, n integer,
                          amount numeric, d date, flag boolean, attrs jsonb);

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
                                    'tier', (ARRAY['Gold', ' gold', 'Silver', 'bronze '])[1 + floor(random() * 4)::int]) END
  FROM generate_series(1, 600) i;

-- random rules over those columns; values drawn from pools that hit the data
CREATE FUNCTION pick(a text[]) RETURNS text LANGUAGE sql AS $$ SELECT a[1 + floor(random() * array_length(a, 1))::int] $$;

CREATE FUNCTION gen_leaf() RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    attr text := pick(ARRAY['title', 'title', 'dept', 'seniority', 'n', 'amount', 'd', 'flag', 'attrs.tier', 'attrs.level']);
    op text;
    words text[] := ARRAY['cto', 'chief', 'VP', ' engineering', 'it', 'IT MANAGER', 'officer', 'Director', 'manager',
                          'finance', 'c-level', 'vp', '', 'gold', 'Intern', 'director of it', 'data analyst'];
    nvals integer := 1 + floor(random() * 3)::int;
    val jsonb;
BEGIN
    IF attr IN ('n', 'amount', 'attrs.level') THEN
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

-- three-way comparison of a typed attribute with a value; NULL when not comparable
CREATE FUNCTION ref_cmp(kind text, a text, b text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE kind
        WHEN 'number' THEN CASE WHEN btrim(a) ~ '^-?[0-9]+(\.[0-9]+)?$'
                                THEN sign(btrim(a)::numeric - b::numeric)::int END
        WHEN 'date'   THEN sign(a::date - b::date)
        WHEN 'bool'   THEN sign(a::boolean::int - b::boolean::int)::int
    END
$$;

CREATE FUNCTION ref_leaf(leaf jsonb, p jsonb) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    op text := leaf->>'op';
    attr text := leaf->>'attr';
    raw text := CASE WHEN strpos(attr, '.') > 0 THEN p #>> string_to_array(attr, '.') ELSE p->>attr END;
    kind text := CASE WHEN attr IN ('n', 'amount', 'attrs.level') THEN 'number'
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

CREATE TABLE diff_result AS
SELECT r.id AS rule_id, p.id AS person_id, r.rule,
       buying_group.eval_rule(r.rule::text, p) AS c_result,
       ref_eval(r.rule, to_jsonb(p)) AS ref_result
  FROM diff_rule r CROSS JOIN diff_person p;

-- the answer: no mismatch, on a sample where both outcomes are common
SELECT count(*) AS evaluations,
       count(*) FILTER (WHERE c_result IS DISTINCT FROM ref_result) AS mismatches,
       count(*) FILTER (WHERE c_result) BETWEEN count(*) / 10 AND count(*) * 9 / 10 AS both_outcomes_common
  FROM diff_result;

-- the first mismatches, if any, to debug
SELECT rule_id, person_id, c_result, ref_result, rule
  FROM diff_result WHERE c_result IS DISTINCT FROM ref_result ORDER BY 1, 2 LIMIT 5;

-- every operator took part
SELECT count(DISTINCT op) AS operators_used
  FROM diff_rule, jsonb_path_query(rule, 'strict $.**.op') op;
