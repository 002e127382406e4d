-- create_bench_data.sql: the data of the creation-job benchmark.
--
-- Run by test/bench/create_bench.sh after match_bench_data.sql (the persons
-- generator of the role-matching benchmark), with the psql variables persons,
-- seed and keys ('bigint' or 'text'). Creates schema create_bench (dropped
-- first) with two CRM-like tables, as a user would have them:
--   create_bench.account  one row per account key the persons use, 1 ..
--                         :persons / 10 (so 100,000 accounts for 1,000,000
--                         persons; a few have no person): name, industry,
--                         employees, revenue, country, website, domain;
--   create_bench.person   the persons of match_bench.person (same keys, same
--                         titles, seniority, department, email), in a logged
--                         table with a primary key on person_key only;
-- then drops schema match_bench, which was only the generator's output.
-- With keys = 'text', both key columns are text in the XDM sourceKey style
-- ('123@bench-account.Marketo', '4567@bench-person.Marketo'); with 'bigint'
-- (the default) they are bigint, as in match_bench.person, and the creation
-- job casts them to text as SPEC section 2 says.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS create_bench CASCADE;
CREATE SCHEMA create_bench;
RESET client_min_messages;

SELECT CASE :'keys' WHEN 'bigint' THEN 'bigint' WHEN 'text' THEN 'text' END AS key_type \gset
SELECT :'key_type' <> '' AS keys_ok \gset
\if :keys_ok
\else
    \echo keys must be bigint or text
    \quit
\endif

-- Accounts: deterministic, from their own seed derived from :seed.
CREATE TABLE create_bench.account (
    account_key    :key_type PRIMARY KEY,
    account_name   text,
    industry       text,
    employees      integer,
    annual_revenue numeric(14, 2),
    country        text,
    website        text,
    email_domain   text,
    created_at     timestamptz NOT NULL
);

SET max_parallel_workers_per_gather = 0;
SELECT setseed(:seed / 2) \gset
INSERT INTO create_bench.account
SELECT CAST(CASE WHEN :'key_type' = 'text' THEN a.k || '@bench-account.Marketo' ELSE a.k::text END AS :key_type),
       -- name: 0.5% NULL (the group is then named after the key)
       CASE WHEN a.r1 < 0.005 THEN NULL
            ELSE (ARRAY['Acme', 'Globex', 'Initech', 'Hooli', 'Umbrella', 'Stark', 'Wayne', 'Wonka',
                        'Cyberdyne', 'Tyrell', 'Soylent', 'Vandelay', 'Massive', 'Pied Piper', 'Aperture',
                        'Black Mesa', 'Oscorp', 'Nakatomi', 'Gringotts', 'Monarch', 'Dunder', 'Prestige',
                        'Sterling', 'Blue Sun', 'Zorg', 'Veridian', 'Nordic', 'Atlas', 'Helios', 'Quantum'])
                        [1 + floor(a.r2 * 30)::int]
                 || ' ' || (ARRAY['Systems', 'Industries', 'Labs', 'Technologies', 'Dynamics', 'Solutions',
                                  'Networks', 'Holdings', 'Partners', 'Software', 'Analytics', 'Logistics',
                                  'Energy', 'Health', 'Capital', 'Media', 'Robotics', 'Foods', 'Motors', 'Group'])
                                  [1 + floor(a.r3 * 20)::int]
                 || ' ' || (ARRAY['Inc.', 'LLC', 'GmbH', 'Ltd', 'SA', 'Corp.', 'AG', 'BV'])[1 + floor(a.r4 * 8)::int]
                 || CASE WHEN a.r4 < 0.3 THEN ' ' || a.k ELSE '' END
       END,
       -- industry: 3% NULL
       CASE WHEN a.r5 < 0.03 THEN NULL
            ELSE (ARRAY['Software', 'Financial Services', 'Healthcare', 'Manufacturing', 'Retail',
                        'Telecommunications', 'Energy', 'Education', 'Government', 'Media',
                        'Transportation', 'Insurance', 'Pharmaceuticals', 'Real Estate', 'Hospitality'])
                        [1 + floor(a.r5 * 100000)::int % 15]
       END,
       -- employees: log-uniform 1 .. 200,000; 2% NULL
       CASE WHEN a.r6 < 0.02 THEN NULL ELSE floor(exp(a.r6 * ln(200000)))::int END,
       round((exp(a.r7 * ln(5e9)))::numeric, 2),
       (ARRAY['US', 'US', 'US', 'GB', 'DE', 'FR', 'NL', 'CA', 'AU', 'JP', 'IN', 'BR', 'ES', 'SE', 'CH'])
           [1 + floor(a.r8 * 15)::int],
       'https://www.company' || a.k || '.example.com',
       'company' || a.k || '.example.com',
       timestamptz '2015-01-01 00:00:00+00' + a.r9 * interval '3650 days'
  FROM (SELECT k, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
               random() AS r6, random() AS r7, random() AS r8, random() AS r9
          FROM generate_series(1, greatest(:persons / 10, 1)) AS k) AS a;

-- Persons: the role-matching benchmark's persons, in a logged table.
CREATE TABLE create_bench.person (
    person_key  :key_type PRIMARY KEY,
    account_key :key_type NOT NULL,
    job_title   text,
    seniority   text,
    department  text,
    email       text
);
INSERT INTO create_bench.person
SELECT CAST(CASE WHEN :'key_type' = 'text' THEN p.person_key || '@bench-person.Marketo' ELSE p.person_key::text END AS :key_type),
       CAST(CASE WHEN :'key_type' = 'text' THEN p.account_key || '@bench-account.Marketo' ELSE p.account_key::text END AS :key_type),
       p.job_title, p.seniority, p.department, p.email
  FROM match_bench.person p
 ORDER BY p.person_key;
RESET max_parallel_workers_per_gather;

SET client_min_messages = warning;
DROP SCHEMA match_bench CASCADE;
RESET client_min_messages;

VACUUM (ANALYZE) create_bench.account, create_bench.person;

SELECT (SELECT count(*) FROM create_bench.account) AS accounts,
       (SELECT count(*) FROM create_bench.person) AS persons,
       (SELECT count(DISTINCT account_key) FROM create_bench.person) AS accounts_with_persons,
       (SELECT count(*) FROM create_bench.person p
         WHERE NOT EXISTS (SELECT FROM create_bench.account a WHERE a.account_key = p.account_key)) AS persons_without_account,
       pg_size_pretty(pg_table_size('create_bench.account')) AS account_table_size,
       pg_size_pretty(pg_table_size('create_bench.person')) AS person_table_size,
       pg_typeof((SELECT account_key FROM create_bench.person LIMIT 1)) AS key_type;
