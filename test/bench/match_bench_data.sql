-- match_bench_data.sql: the data of the role-matching benchmark.
--
-- Run by test/bench/match_bench.sh (psql variables: persons, seed). Creates
-- schema match_bench (dropped first) with:
--   match_bench.title   a few hundred distinct, realistic job titles, each with
--                       the seniority and department it usually goes with and
--                       a relative frequency;
--   match_bench.person  :persons persons, generated deterministically from
--                       setseed(:seed): messy job titles (mixed case, stray
--                       white space, abbreviations, a few NULL and blank ones,
--                       a few non-ASCII ones), seniority, department, email.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS match_bench CASCADE;
CREATE SCHEMA match_bench;
RESET client_min_messages;

CREATE TABLE match_bench.title (
    title      text PRIMARY KEY,
    seniority  text NOT NULL,
    department text,
    weight     integer NOT NULL
);

-- Areas: name as written in titles, its short form, the department it maps to,
-- and whether it is a technical area (engineers and administrators).
CREATE TEMP TABLE area (name text, short text, dept text, tech boolean);
INSERT INTO area VALUES
    ('Engineering', 'Eng.', 'Engineering', true),
    ('IT', 'IT', 'IT', true),
    ('Information Technology', 'IT', 'Information Technology', true),
    ('Security', 'Sec.', 'Security', true),
    ('Data', 'Data', 'Engineering', true),
    ('Infrastructure', 'Infra', 'IT', true),
    ('Marketing', 'Mktg', 'Marketing', false),
    ('Finance', 'Fin.', 'Finance', false),
    ('Operations', 'Ops', 'Operations', false),
    ('Sales', 'Sales', 'Sales', false),
    ('Product', 'Product', 'Product', false),
    ('Human Resources', 'HR', 'HR', false),
    ('Legal', 'Legal', 'Legal', false);

-- Patterns: {A} is the area, {S} its short form; tech_only patterns apply to
-- technical areas only.
CREATE TEMP TABLE pattern (pattern text, seniority text, weight integer, tech_only boolean);
INSERT INTO pattern VALUES
    ('VP {A}', 'VP', 2, false),
    ('VP of {A}', 'VP', 2, false),
    ('VP, {S}', 'VP', 1, false),
    ('Vice President, {A}', 'VP', 1, false),
    ('Vice President of {A}', 'VP', 1, false),
    ('SVP {A}', 'VP', 1, false),
    ('SVP, {S}', 'VP', 1, false),
    ('Sr. VP, {S}', 'VP', 1, false),
    ('EVP {A}', 'VP', 1, false),
    ('Senior Vice President {A}', 'VP', 1, false),
    ('Director of {A}', 'Director', 3, false),
    ('{A} Director', 'Director', 3, false),
    ('Sr. Director, {A}', 'Director', 2, false),
    ('Director, {S}', 'Director', 2, false),
    ('Dir. {S}', 'Director', 1, false),
    ('Head of {A}', 'Director', 3, false),
    ('{A} Manager', 'Manager', 6, false),
    ('Manager, {A}', 'Manager', 4, false),
    ('Sr. Manager, {A}', 'Manager', 3, false),
    ('{S} Mgr', 'Manager', 2, false),
    ('{A} Team Lead', 'Manager', 3, false),
    ('Lead, {S}', 'Manager', 2, false),
    ('{A} Analyst', 'Individual Contributor', 8, false),
    ('Sr. {A} Analyst', 'Individual Contributor', 5, false),
    ('{A} Specialist', 'Individual Contributor', 6, false),
    ('{A} Consultant', 'Individual Contributor', 3, false),
    ('{A} Coordinator', 'Individual Contributor', 4, false),
    ('{A} Engineer', 'Individual Contributor', 10, true),
    ('Sr. {A} Engineer', 'Individual Contributor', 6, true),
    ('{A} Administrator', 'Individual Contributor', 4, true),
    ('{A} Architect', 'Individual Contributor', 2, true),
    ('{A} Intern', 'Intern', 2, false);

INSERT INTO match_bench.title (title, seniority, department, weight)
SELECT replace(replace(p.pattern, '{A}', a.name), '{S}', a.short), p.seniority, a.dept, p.weight
  FROM pattern p CROSS JOIN area a
 WHERE (a.tech OR NOT p.tech_only)
   AND NOT (a.name = 'Engineering' AND p.pattern IN ('{A} Engineer', 'Sr. {A} Engineer', '{A} Administrator'))
ON CONFLICT (title) DO NOTHING;

-- C-level titles, common one-off titles, and a few non-ASCII ones.
INSERT INTO match_bench.title (title, seniority, department, weight) VALUES
    ('Chief Technology Officer', 'C-Level', 'Engineering', 3),
    ('Chief Information Officer', 'C-Level', 'IT', 3),
    ('Chief Information Security Officer', 'C-Level', 'Security', 2),
    ('Chief Financial Officer', 'C-Level', 'Finance', 3),
    ('Chief Marketing Officer', 'C-Level', 'Marketing', 3),
    ('Chief Operating Officer', 'C-Level', 'Operations', 2),
    ('Chief Executive Officer', 'C-Level', NULL, 3),
    ('Chief Data Officer', 'C-Level', 'Engineering', 1),
    ('Chief Revenue Officer', 'C-Level', 'Sales', 1),
    ('Chief People Officer', 'C-Level', 'HR', 1),
    ('CTO', 'C-Level', 'Engineering', 4),
    ('CIO', 'C-Level', 'IT', 4),
    ('CISO', 'C-Level', 'Security', 3),
    ('CFO', 'C-Level', 'Finance', 4),
    ('CMO', 'C-Level', 'Marketing', 3),
    ('COO', 'C-Level', 'Operations', 2),
    ('CEO', 'C-Level', NULL, 4),
    ('CDO', 'C-Level', 'Engineering', 1),
    ('CTO, Platform', 'C-Level', 'Engineering', 1),
    ('CIO, EMEA', 'C-Level', 'IT', 1),
    ('CEO & Founder', 'C-Level', NULL, 2),
    ('Co-Founder & CTO', 'C-Level', 'Engineering', 2),
    ('Founder', 'C-Level', NULL, 2),
    ('President', 'C-Level', NULL, 2),
    ('Owner', 'C-Level', NULL, 2),
    ('Software Engineer', 'Individual Contributor', 'Engineering', 20),
    ('Sr. Software Engineer', 'Individual Contributor', 'Engineering', 12),
    ('Senior Software Engineer', 'Individual Contributor', 'Engineering', 10),
    ('Staff Engineer', 'Individual Contributor', 'Engineering', 4),
    ('Principal Engineer', 'Individual Contributor', 'Engineering', 3),
    ('DevOps Engineer', 'Individual Contributor', 'IT', 6),
    ('Site Reliability Engineer', 'Individual Contributor', 'IT', 4),
    ('Developer', 'Individual Contributor', 'Engineering', 8),
    ('Full Stack Developer', 'Individual Contributor', 'Engineering', 6),
    ('Data Scientist', 'Individual Contributor', 'Engineering', 5),
    ('Solutions Architect', 'Individual Contributor', 'IT', 4),
    ('Enterprise Architect', 'Individual Contributor', 'IT', 3),
    ('Cloud Architect', 'Individual Contributor', 'IT', 3),
    ('Systems Administrator', 'Individual Contributor', 'IT', 6),
    ('Database Administrator', 'Individual Contributor', 'IT', 4),
    ('Network Engineer', 'Individual Contributor', 'IT', 5),
    ('Accountant', 'Individual Contributor', 'Finance', 6),
    ('Controller', 'Manager', 'Finance', 2),
    ('Recruiter', 'Individual Contributor', 'HR', 4),
    ('General Counsel', 'Director', 'Legal', 2),
    ('Office Manager', 'Manager', 'Operations', 4),
    ('Executive Assistant', 'Individual Contributor', NULL, 4),
    ('Intern', 'Intern', NULL, 4),
    ('Student', 'Intern', NULL, 3),
    ('Internal Auditor', 'Individual Contributor', 'Finance', 2),
    ('International Sales Manager', 'Manager', 'Sales', 2),
    ('Consultant', 'Individual Contributor', NULL, 5),
    ('Freelancer', 'Individual Contributor', NULL, 3),
    ('Teacher', 'Individual Contributor', NULL, 2),
    ('Retired', 'Individual Contributor', NULL, 1),
    ('Directeur Financier', 'Director', 'Finance', 1),
    ('Geschäftsführer', 'C-Level', NULL, 1),
    ('Jefe de Ingeniería', 'Director', 'Engineering', 1),
    ('Director de Ingeniería', 'Director', 'Engineering', 1),
    ('Responsable Sécurité Informatique', 'Manager', 'Security', 1),
    ('Ingénieur Logiciel', 'Individual Contributor', 'Engineering', 1),
    ('Développeur', 'Individual Contributor', 'Engineering', 1)
ON CONFLICT (title) DO NOTHING;

-- The pool persons draw titles from: each title repeated by its weight.
CREATE TEMP TABLE pool AS
SELECT row_number() OVER (ORDER BY t.title, g) AS idx, t.title, t.seniority, t.department
  FROM match_bench.title t CROSS JOIN LATERAL generate_series(1, t.weight) g;
CREATE UNIQUE INDEX ON pool (idx);
ANALYZE pool;

CREATE UNLOGGED TABLE match_bench.person (
    person_key  bigint PRIMARY KEY,
    account_key bigint NOT NULL,
    job_title   text,
    seniority   text,
    department  text,
    email       text
);

-- One pass, one backend: random() follows setseed() in generate_series order.
SET max_parallel_workers_per_gather = 0;
SELECT setseed(:seed) \gset
INSERT INTO match_bench.person
SELECT r.g,
       1 + floor(r.r1 * greatest(:persons / 10, 1))::bigint,
       -- job title: 1.5% NULL, 1% blank; mixed case; stray white space
       CASE WHEN r.r2 < 0.015 THEN NULL
            WHEN r.r2 < 0.020 THEN ''
            WHEN r.r2 < 0.025 THEN '   '
            ELSE (SELECT CASE WHEN r.r4 < 0.08 THEN ' ' || c
                              WHEN r.r4 < 0.16 THEN c || '  '
                              WHEN r.r4 < 0.19 THEN replace(c, ' ', '  ')
                              WHEN r.r4 < 0.20 THEN E'\t' || c || E'\n'
                              ELSE c END
                    FROM (SELECT CASE WHEN r.r3 < 0.60 THEN p.title
                                      WHEN r.r3 < 0.75 THEN lower(p.title)
                                      WHEN r.r3 < 0.85 THEN upper(p.title)
                                      ELSE initcap(p.title) END) AS x(c))
       END,
       -- seniority: 5% NULL, 7% another one; mixed case, stray spaces
       (SELECT CASE WHEN r.r6 < 0.70 THEN s
                    WHEN r.r6 < 0.80 THEN lower(s)
                    WHEN r.r6 < 0.90 THEN upper(s)
                    ELSE ' ' || s || ' ' END
          FROM (SELECT CASE WHEN r.r5 < 0.05 THEN NULL
                            WHEN r.r5 < 0.12 THEN (ARRAY['C-Level', 'VP', 'Director', 'Manager',
                                                         'Individual Contributor', 'Intern'])[1 + floor(r.r5 * 1000)::int % 6]
                            ELSE p.seniority END) AS y(s)),
       -- department: 5% NULL, 10% another one; mixed case, stray spaces
       (SELECT CASE WHEN r.r8 < 0.75 THEN d
                    WHEN r.r8 < 0.85 THEN lower(d)
                    WHEN r.r8 < 0.92 THEN upper(d)
                    ELSE d || ' ' END
          FROM (SELECT CASE WHEN r.r7 < 0.05 THEN NULL
                            WHEN r.r7 < 0.15 THEN (ARRAY['Engineering', 'IT', 'Information Technology', 'Security',
                                                         'Marketing', 'Finance', 'Operations', 'Sales', 'Product',
                                                         'HR', 'Legal'])[1 + floor(r.r7 * 10000)::int % 11]
                            ELSE p.department END) AS z(d)),
       -- email: 1% NULL, 2% with a trailing space; a few free-mail domains
       CASE WHEN r.r9 < 0.01 THEN NULL
            ELSE 'person' || r.g || '@'
                 || (ARRAY['acme.com', 'globex.com', 'initech.com', 'hooli.com', 'umbrella.io',
                           'example.org', 'gmail.com', 'yahoo.com', 'outlook.com', 'Gmail.com'])[1 + floor(r.r9 * 100000)::int % 10]
                 || CASE WHEN r.r9 < 0.03 THEN ' ' ELSE '' END
       END
  FROM (SELECT g, random() AS r0, random() AS r1, random() AS r2, random() AS r3, random() AS r4,
               random() AS r5, random() AS r6, random() AS r7, random() AS r8, random() AS r9
          FROM generate_series(1, :persons) AS g) AS r
  JOIN pool p ON p.idx = 1 + floor(r.r0 * (SELECT count(*) FROM pool))::bigint;
RESET max_parallel_workers_per_gather;

VACUUM (ANALYZE) match_bench.person;

SELECT count(*) AS persons,
       count(DISTINCT job_title) AS distinct_job_titles,
       (SELECT count(*) FROM match_bench.title) AS distinct_base_titles,
       count(*) FILTER (WHERE job_title IS NULL) AS null_titles,
       count(DISTINCT account_key) AS accounts,
       pg_size_pretty(pg_table_size('match_bench.person')) AS table_size
  FROM match_bench.person;
