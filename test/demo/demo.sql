-- buying_group: the built-in demo (run by test/demo.sh in a throw-away cluster).
--
-- The story for a newcomer: a CRM with accounts and persons (bound, not copied),
-- a role template written in the rule language, title normalisation, role
-- matching with explanations; then the buying groups themselves: a solution
-- interest, an account audience, the creation job, the BI views, membership
-- precedence (manual > journey > system), the maintenance job, a what-if of a
-- draft template, the completeness aggregate used ad hoc, an insert followed at
-- COMMIT (events, NOTIFY), engagement, and the last mile: stages, the sales
-- alert, LinkedIn exports and KPIs.
-- Everything is deterministic (setseed, ORDER BY), so two runs print the same
-- but for the server's process id in the notifications.

\set ON_ERROR_STOP 1
\set SHOW_CONTEXT never
\pset null '(null)'
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;   -- random() draws in one fixed order

-- Re-runnable on the same database (the throw-away cluster starts empty anyway).
DROP SCHEMA IF EXISTS crm CASCADE;
DROP EXTENSION IF EXISTS buying_group CASCADE;

\echo
\echo '=============================================================================='
\echo ' buying_group demo: buying groups for B2B marketing, inside PostgreSQL'
\echo '=============================================================================='
\echo
\echo '== 1. The extension and a CRM: 2,000 accounts, 8,000 persons with messy job titles'
\echo

CREATE EXTENSION buying_group;

CREATE SCHEMA crm;

CREATE TABLE crm.account (
    account_key  text PRIMARY KEY,          -- XDM sourceKey, e.g. 1001@acme.Marketo
    account_name text NOT NULL,
    industry     text,
    employees    integer,
    country      text,
    website      text
);

CREATE TABLE crm.person (
    person_key  text PRIMARY KEY,
    account_key text NOT NULL REFERENCES crm.account,
    first_name  text,
    last_name   text,
    email       text,
    job_title   text,
    seniority   text,
    department  text,
    country     text,
    attributes  jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX ON crm.person (account_key);

-- buying_group works over these tables as they are: binding tells it which
-- columns hold the keys (compared as text) and the account's display name.
\o /dev/null
SELECT buying_group.bind_accounts('crm.account', key => 'account_key', name => 'account_name');
SELECT buying_group.bind_persons('crm.person', key => 'person_key', account => 'account_key');
\o
\echo 'The CRM tables, bound (nothing is copied):'
SELECT kind, relation, key_column, coalesce(name_column, account_column) AS other_column
  FROM buying_group.bindings ORDER BY kind;

\o /dev/null
SELECT setseed(0.42);
\o

-- Company names: 50 brands x 40 business words, shuffled by a bijection of 0..1999.
INSERT INTO crm.account
SELECT (1000 + i) || '@acme.Marketo',
       brand[1 + c.k % 50] || ' ' || biz[1 + c.k / 50] || ' ' || suffix[c.s],
       industry[1 + c.k / 50],
       c.employees,
       c.country,
       'www.' || lower(brand[1 + c.k % 50] || biz[1 + c.k / 50]) || tld
  FROM generate_series(1, 2000) i
 CROSS JOIN LATERAL (SELECT (i * 7919) % 2000 AS k,
                            (ARRAY['US','US','US','US','GB','GB','DE','DE','FR','NL','CA','AU','IN','JP','BR','SE'])
                              [1 + floor(random() * 16)::int] AS country,
                            1 + floor(random() * 8)::int AS s,
                            round(exp(ln(20) + random() * ln(5000)))::int AS employees   -- 20 .. 100,000, log-uniform
                    ) c
 CROSS JOIN LATERAL (SELECT CASE c.country WHEN 'GB' THEN '.co.uk' WHEN 'DE' THEN '.de' WHEN 'FR' THEN '.fr'
                            WHEN 'NL' THEN '.nl' WHEN 'JP' THEN '.co.jp' WHEN 'BR' THEN '.com.br'
                            WHEN 'SE' THEN '.se' ELSE '.com' END AS tld) t
 CROSS JOIN (SELECT
   ARRAY['Acme','Globex','Initech','Umbrella','Stark','Wayne','Hooli','Vandelay','Soylent','Tyrell',
         'Cyberdyne','Wonka','Aperture','Oscorp','Massive','Pied Piper','Dunder','Gringotts','Nakatomi','Monarch',
         'Northwind','Contoso','Fabrikam','Wingtip','Litware','Tailspin','Adatum','Proseware','Lucerne','Fourth Coffee',
         'Blue Yonder','Bluth','Sterling','Prestige','Kramerica','Gekko','Cogswell','Spacely','Vehement','Sirius',
         'Zorg','Weyland','Yoyodyne','Ollivander','Krusty','Duff','Oceanic','Rekall','Virtucon','Abstergo'] AS brand,
   ARRAY['Systems','Software','Analytics','Cloud','Networks','Security','Data','Labs','Robotics','Semiconductors',
         'Health','Pharma','Biotech','Medical','Bank','Capital','Insurance','Payments','Retail','Foods',
         'Beverages','Apparel','Logistics','Freight','Airlines','Motors','Energy','Solar','Utilities','Mining',
         'Manufacturing','Industries','Chemicals','Construction','Telecom','Media','Publishing','Games','Consulting','Education'] AS biz,
   ARRAY['Software','Software','Software','Software','Software','Software','Software','Software','Software','Hardware',
         'Healthcare','Healthcare','Healthcare','Healthcare','Financial Services','Financial Services','Financial Services','Financial Services','Retail','Consumer Goods',
         'Consumer Goods','Consumer Goods','Transportation','Transportation','Transportation','Automotive','Energy','Energy','Energy','Mining',
         'Manufacturing','Manufacturing','Manufacturing','Construction','Telecommunications','Media','Media','Media','Professional Services','Education'] AS industry,
   ARRAY['Inc.','Corp.','LLC','Ltd','GmbH','AG','plc','Group'] AS suffix) words
 ORDER BY i;

-- Job titles as they come out of a CRM: abbreviations, punctuation, stray blanks.
-- weight = how often the title appears.
CREATE TEMP TABLE title_pool (id serial, title text, seniority text, department text, level int, weight int);
INSERT INTO title_pool (title, seniority, department, level, weight) VALUES
  ('Chief Technology Officer', 'C-Level', 'Engineering', 5, 3), ('CTO', 'C-Level', 'Engineering', 5, 3),
  ('Chief Information Officer', 'C-Level', 'IT', 5, 2),         ('CIO', 'C-Level', 'IT', 5, 2),
  ('CEO & Co-Founder', 'C-Level', 'Executive', 5, 2),           ('CFO', 'C-Level', 'Finance', 5, 2),
  ('Chief Marketing Officer', 'C-Level', 'Marketing', 5, 1),    ('CISO', 'C-Level', 'Security', 5, 1),
  ('Sr. VP, Eng.', 'VP', 'Engineering', 4, 2),                  ('SVP Engineering', 'VP', 'Engineering', 4, 2),
  ('VP of Engineering', 'VP', 'Engineering', 4, 3),             ('Vice President, IT', 'VP', 'IT', 4, 2),
  ('VP IT Infrastructure', 'VP', 'IT', 4, 2),                   ('EVP Operations', 'VP', 'Operations', 4, 1),
  ('VP Marketing', 'VP', 'Marketing', 4, 3),                    ('VP Finance', 'VP', 'Finance', 4, 2),
  ('VP, Global Procurement', 'VP', 'Procurement', 4, 1),        ('AVP Sales', 'VP', 'Sales', 4, 2),
  ('Director of Procurement', 'Director', 'Procurement', 3, 3), ('Dir. IT Operations', 'Director', 'IT', 3, 3),
  ('Director, Software Engineering', 'Director', 'Engineering', 3, 4),
  ('Head of IT Infrastructure', 'Director', 'IT', 3, 3),        ('Head of Data', 'Director', 'Data', 3, 2),
  ('Director of Marketing', 'Director', 'Marketing', 3, 3),     ('Sales Director EMEA', 'Director', 'Sales', 3, 2),
  ('Finance Director', 'Director', 'Finance', 3, 2),            ('Head of Security', 'Director', 'Security', 3, 2),
  ('IT Manager', 'Manager', 'IT', 2, 6),                        ('Engineering Manager', 'Manager', 'Engineering', 2, 5),
  ('Marketing Ops Mgr', 'Manager', 'Marketing', 2, 3),          ('Procurement Manager', 'Manager', 'Procurement', 2, 3),
  ('Mgr, Data Platform', 'Manager', 'Data', 2, 2),              ('Product Manager', 'Manager', 'Product', 2, 4),
  ('Sales Manager', 'Manager', 'Sales', 2, 3),                  ('HR Manager', 'Manager', 'HR', 2, 2),
  ('Team Lead, DevOps', 'Manager', 'Engineering', 2, 2),
  ('Software Engineer', 'Individual Contributor', 'Engineering', 1, 10),
  ('Sr. Software Engineer', 'Individual Contributor', 'Engineering', 1, 6),
  ('Senior Software Engineer', 'Individual Contributor', 'Engineering', 1, 4),
  (' data analyst ', 'Individual Contributor', 'Data', 1, 4),   ('Data Analyst', 'Individual Contributor', 'Data', 1, 4),
  ('Data Scientist', 'Individual Contributor', 'Data', 1, 3),   ('Systems Administrator', 'Individual Contributor', 'IT', 1, 4),
  ('Sys Admin', 'Individual Contributor', 'IT', 1, 2),          ('DevOps Engineer', 'Individual Contributor', 'Engineering', 1, 4),
  ('Solutions Architect', 'Individual Contributor', 'Engineering', 1, 3),
  ('Network Engineer', 'Individual Contributor', 'IT', 1, 3),   ('Marketing Specialist', 'Individual Contributor', 'Marketing', 1, 4),
  ('Account Executive', 'Individual Contributor', 'Sales', 1, 5), ('Buyer', 'Individual Contributor', 'Procurement', 1, 2),
  ('Accountant', 'Individual Contributor', 'Finance', 1, 3),    ('Recruiter', 'Individual Contributor', 'HR', 1, 2),
  ('Executive Assistant', 'Individual Contributor', 'Executive', 1, 2),
  ('Intern', 'Individual Contributor', NULL, 1, 1),
  ('', NULL, NULL, 1, 1),                                       (NULL, NULL, NULL, 1, 1);

-- One row per unit of weight, numbered: drawing n uniformly picks titles by weight.
CREATE TEMP TABLE title_draw AS
SELECT row_number() OVER (ORDER BY tp.id, g) AS n, tp.*
  FROM title_pool tp, generate_series(1, tp.weight) g;

-- Larger accounts have more persons in the CRM: each account is drawn with weight
-- log10(employees), rounded up (2 .. 5).
CREATE TEMP TABLE account_draw AS
SELECT row_number() OVER (ORDER BY account_key COLLATE "C", g) AS n, account_key
  FROM crm.account, generate_series(1, ceil(log(employees))::int) g;

-- Persons: the first 2,000 one per account, the other 6,000 drawn by account size.
INSERT INTO crm.person
SELECT (200000 + i) || '@acme.Marketo',
       a.account_key,
       fn, ln,
       lower(fn || '.' || replace(replace(ln, '''', ''), 'ü', 'ue')) || '@'
         || CASE WHEN r4 < 0.05 THEN 'gmail.com' ELSE substr(a.website, 5) END,
       -- messy casing and stray blanks on top of the title's own messiness
       CASE WHEN d.title IS NULL THEN NULL
            WHEN r1 < 0.06 THEN upper(d.title)
            WHEN r1 < 0.12 THEN lower(d.title)
            WHEN r1 < 0.16 THEN d.title || '  '
            ELSE d.title END,
       CASE WHEN r2 < 0.12 THEN NULL ELSE d.seniority END,          -- seniority often missing
       CASE WHEN r2 > 0.95 THEN NULL ELSE d.department END,
       CASE WHEN r5 < 0.9 THEN a.country ELSE 'US' END,
       CASE WHEN r3 < 0.04 THEN '{}'::jsonb                          -- no enrichment for some
            ELSE jsonb_build_object(
                   'seniority_level', least(5, greatest(1, d.level + CASE WHEN r3 < 0.10 THEN -1 WHEN r3 > 0.95 THEN 1 ELSE 0 END)),
                   'budget_owner', r6 < CASE d.level WHEN 5 THEN 0.75 WHEN 4 THEN 0.55 WHEN 3 THEN 0.30
                                                           WHEN 2 THEN 0.10 ELSE 0.02 END)
       END
  FROM generate_series(1, 8000) i
 CROSS JOIN LATERAL (SELECT CASE WHEN i > 2000
                                 THEN 1 + floor(random() * (SELECT count(*) FROM account_draw))::int
                            END AS acc_draw,
                            (ARRAY['James','Mary','Robert','Patricia','John','Jennifer','Michael','Linda','David','Elizabeth',
                                   'William','Barbara','Richard','Susan','Joseph','Jessica','Thomas','Sarah','Carlos','Karen',
                                   'Wei','Priya','Hiroshi','Sofia','Lukas','Emma','Noah','Olivia','Mateo','Aisha',
                                   'Lars','Ingrid','Pierre','Chloe','Arjun','Yuki','Liam','Hannah','Omar','Fatima'])
                              [1 + floor(random() * 40)::int] AS fn,
                            (ARRAY['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis','Martinez','Lopez',
                                   'Wilson','Anderson','Taylor','Thomas','Moore','Jackson','Martin','Lee','Thompson','White',
                                   'Müller','Schmidt','Schneider','Dubois','Moreau','Rossi','Nakamura','Sato','Patel','Sharma',
                                   'Kim','Nguyen','Silva','Santos','Johansson','Andersson','O''Brien','Murphy','Cohen','Khan'])
                              [1 + floor(random() * 40)::int] AS ln,
                            1 + floor(random() * (SELECT count(*) FROM title_draw))::int AS draw,
                            random() AS r1, random() AS r2, random() AS r3,
                            random() AS r4, random() AS r5, random() AS r6) x
  LEFT JOIN account_draw ad ON ad.n = x.acc_draw
  JOIN crm.account a ON a.account_key = coalesce(ad.account_key, (1000 + i) || '@acme.Marketo')
  JOIN title_draw d ON d.n = x.draw
 ORDER BY i;

ANALYZE crm.account, crm.person;

SELECT (SELECT count(*) FROM crm.account) AS accounts, (SELECT count(*) FROM crm.person) AS persons;

\echo 'A few accounts:'
SELECT account_key, account_name, industry, employees, country, website
  FROM crm.account ORDER BY account_key LIMIT 5;

\echo 'The most common job titles, as typed into the CRM (quotes show the stray blanks):'
SELECT '"' || job_title || '"' AS job_title, count(*) AS persons
  FROM crm.person GROUP BY job_title ORDER BY count(*) DESC, job_title COLLATE "C" LIMIT 12;

\echo 'Seniority is often missing; enrichment adds jsonb attributes:'
SELECT seniority, count(*) AS persons,
       round(avg((attributes->>'seniority_level')::int), 1) AS avg_level,
       count(*) FILTER (WHERE (attributes->>'budget_owner')::boolean) AS budget_owners
  FROM crm.person GROUP BY seniority
 ORDER BY array_position(ARRAY['C-Level', 'VP', 'Director', 'Manager', 'Individual Contributor'], seniority) NULLS LAST;

\echo
\echo '== 2. A role template: which person plays which role in a purchase'
\echo
\echo 'Conditions are JSON rules over the columns of crm.person (a jsonb key is column.key),'
\echo 'parsed in C and checked against the bound table when stored. Roles are tried in'
\echo 'priority order; a person gets the first one whose conditions hold. The six default roles:'
SELECT name, description FROM buying_group.roles WHERE is_default ORDER BY name;

-- Each call returns the role's position; the template is shown whole right after.
\o /dev/null
SELECT buying_group.create_template('Enterprise', description => 'Large accounts buying our data platform');

-- The person who signs: C-level (or titled like a CTO when seniority is missing) AND owns a budget.
SELECT buying_group.add_template_role('Enterprise', 'Decision Maker', weight => 'vital', conditions => $rule$
  {"all": [
     {"any": [
        {"attr": "seniority", "op": "eq", "value": "C-Level"},
        {"attr": "job_title", "op": "title_like", "value": "chief technology officer", "threshold": 0.7}
     ]},
     {"attr": "attributes.budget_owner", "op": "eq", "value": true}
  ]}$rule$);

-- Senior sponsors: VPs and C-level outside sales and HR, anyone titled like an SVP of
-- Engineering (whatever the seniority says), or anyone enriched at level 4+.
SELECT buying_group.add_template_role('Enterprise', 'Executive Steering Committee', weight => 'important', conditions => $rule$
  {"any": [
     {"all": [
        {"attr": "seniority", "op": "in", "value": ["C-Level", "VP"]},
        {"not": {"attr": "department", "op": "in", "value": ["Sales", "HR"]}}
     ]},
     {"attr": "job_title", "op": "title_like", "value": "SVP Engineering", "threshold": 0.6},
     {"attr": "attributes.seniority_level", "op": "gte", "value": 4}
  ]}$rule$);

-- Directors and heads of something.
SELECT buying_group.add_template_role('Enterprise', 'Influencer', weight => 'important', conditions => $rule$
  {"any": [
     {"attr": "seniority", "op": "eq", "value": "Director"},
     {"attr": "job_title", "op": "starts_with", "value": ["head of", "director", "dir."]}
  ]}$rule$);

-- Technical and marketing managers, whatever they call themselves (a POSIX regex, word-bounded).
SELECT buying_group.add_template_role('Enterprise', 'Champion', weight => 'normal', conditions => $rule$
  {"all": [
     {"attr": "job_title", "op": "matches", "value": "\\m(manager|mgr|lead)\\M"},
     {"attr": "department", "op": "in", "value": ["IT", "Engineering", "Data", "Marketing"]}
  ]}$rule$);

-- The hands-on users; two of them make the role complete.
SELECT buying_group.add_template_role('Enterprise', 'Practitioner', weight => 'normal', members_required => 2, conditions => $rule$
  {"all": [
     {"attr": "job_title", "op": "contains", "value": ["engineer", "developer", "analyst", "architect", "admin", "scientist"]},
     {"not": {"attr": "seniority", "op": "in", "value": ["C-Level", "VP", "Director"]}}
  ]}$rule$);

-- Anyone else with a title and a work e-mail; not required for completeness.
SELECT buying_group.add_template_role('Enterprise', 'Other', weight => 'trivial', required => false, conditions => $rule$
  {"all": [
     {"attr": "job_title", "op": "is_not_empty"},
     {"not": {"attr": "email", "op": "ends_with", "value": ["@gmail.com", "@yahoo.com"]}}
  ]}$rule$);
\o

SELECT priority, role, weight, round(weight_share, 1) AS weight_pct, required, members_required
  FROM buying_group.template_roles WHERE template = 'Enterprise' ORDER BY priority;

\echo 'Bad rules are refused when they are stored, naming the place in the JSON'
\echo '(checked here as add_template_role checks them: against the columns of crm.person):'
CREATE FUNCTION pg_temp.try_rule(rule text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM buying_group.check_rule(rule, 'crm.person'::regtype);
    RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
\x on
SELECT rule, pg_temp.try_rule(rule) AS outcome FROM (VALUES
  ('{"any": [{"attr": "seniority", "op": "equals", "value": "VP"}]}'),
  ('{"attr": "attributes.seniority_level", "op": "between", "value": [5, 1]}'),
  ('{"attr": "job_title", "op": "matches", "value": "(vp|chief"}'),
  ('{"attr": "title", "op": "contains", "value": "cto"}'),
  ('{"attr": "job_title", "op": "contains", "value": "cto",}')) v(rule);
\x off

SELECT buying_group.publish_template('Enterprise') \g /dev/null
SELECT name, status, role_count, required_role_count FROM buying_group.templates;

\echo
\echo '== 3. Job titles are messy: title_like compares them after normalisation'
\echo
SELECT '"' || t || '"' AS job_title, buying_group.normalize_title(t) AS normalized
  FROM unnest(ARRAY['Sr. VP, Eng.', 'SVP Engineering', 'CTO', 'Head of IT Infrastructure',
                    'Dir. of Procurement', ' data analyst ', 'Marketing Ops Mgr', 'EVP Operations']) t;

SELECT a, b, round(buying_group.title_similarity(a, b)::numeric, 2) AS similarity
  FROM (VALUES ('Sr. VP, Eng.', 'SVP Engineering'),
               ('Sr. VP, Eng.', 'Vice President of Engineering'),
               ('CTO', 'Chief Technology Officer'),
               ('Chief Information Officer', 'Chief Technology Officer'),
               ('VP Marketing', 'SVP Engineering'),
               ('Software Engineer', 'Sr. Software Engineer')) v(a, b);

\echo
\echo '== 4. Matching roles: buying_group.match_role(template, person row), in C'
\echo
\echo 'Role distribution over all 8,000 persons:'
SELECT coalesce(r.role, '(no role)') AS role, count(*) AS persons,
       round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct
  FROM crm.person p
 CROSS JOIN LATERAL (SELECT buying_group.match_role('Enterprise', p) AS role) r
  LEFT JOIN buying_group.template_roles tr ON tr.template = 'Enterprise' AND tr.role = r.role
 GROUP BY r.role, tr.priority ORDER BY tr.priority NULLS LAST;

\echo 'A sample of persons (every 800th):'
SELECT p.first_name || ' ' || p.last_name AS name, '"' || p.job_title || '"' AS job_title,
       p.seniority, p.attributes->>'seniority_level' AS level, p.attributes->>'budget_owner' AS budget,
       buying_group.match_role('Enterprise', p) AS role
  FROM crm.person p
 WHERE p.person_key IN (SELECT (200000 + i) || '@acme.Marketo' FROM generate_series(1, 8000, 800) i)
 ORDER BY p.person_key;

\echo 'match_roles lists every role whose conditions hold, in priority order; match_role returns the first.'
\echo 'A CTO with no seniority is still caught by title_like; "SVP Engineering" also contains "engineer",'
\echo 'but the Executive Steering Committee comes first:'
WITH examples(n, person_key) AS (
    (SELECT 1, person_key FROM crm.person p
      WHERE seniority IS NULL AND buying_group.normalize_title(job_title) = 'chief technology officer'
        AND buying_group.match_role('Enterprise', p) = 'Decision Maker'
      ORDER BY person_key LIMIT 1)
    UNION ALL
    (SELECT 2, person_key FROM crm.person
      WHERE seniority IS NULL AND buying_group.normalize_title(job_title) = 'senior vice president engineering'
      ORDER BY person_key LIMIT 1)
    UNION ALL
    (SELECT 3, person_key FROM crm.person
      WHERE job_title = 'Director of Marketing' AND (attributes->>'seniority_level')::int >= 4
      ORDER BY person_key LIMIT 1)
    UNION ALL
    (SELECT 4, person_key FROM crm.person
      WHERE job_title = 'Engineering Manager' AND seniority = 'Manager'
      ORDER BY person_key LIMIT 1)
)
SELECT '"' || p.job_title || '"' AS job_title, p.seniority, p.department,
       p.attributes->>'seniority_level' AS level, p.attributes->>'budget_owner' AS budget,
       array_to_string(buying_group.match_roles('Enterprise', p), ', ') AS match_roles
  FROM examples e JOIN crm.person p USING (person_key)
 ORDER BY e.n;

\echo 'Why is this CTO not a Decision Maker? explain_match shows every condition, the value seen and the outcome.'
SELECT p.person_key
  FROM crm.person p
 WHERE buying_group.normalize_title(p.job_title) = 'chief technology officer'
   AND buying_group.match_role('Enterprise', p) IS DISTINCT FROM 'Decision Maker'
 ORDER BY p.person_key LIMIT 1 \gset why_
SELECT format('%s %s (%s, %s):', first_name, last_name, person_key, btrim(job_title)) AS why_label
  FROM crm.person WHERE person_key = :'why_person_key' \gset
\echo 'The Decision Maker part of the explanation for' :why_label
\pset format unaligned
\pset tuples_only on
SELECT jsonb_pretty(jsonb_build_object(
           'role', e->'role',
           'matched_roles', e->'matched_roles',
           'Decision Maker', jsonb_path_query_first(e, '$.roles[*] ? (@.role == "Decision Maker")'))) AS explain_match
  FROM crm.person p
 CROSS JOIN LATERAL (SELECT buying_group.explain_match('Enterprise', p) AS e) x
 WHERE p.person_key = :'why_person_key';
\pset format aligned
\pset tuples_only off


\echo
\echo '== 5. A solution interest and an account audience'
\echo
\echo 'A solution interest is what we sell; it uses one live template for good. A group'
\echo 'is sales-ready from 80% completeness on:'
SELECT buying_group.create_solution_interest('Cloud Platform', 'Enterprise',
         description => 'Our data platform, as a managed cloud service',
         sales_ready_completeness => 80) \g /dev/null
SELECT name, template, update_existing, sales_ready_completeness, sales_ready_engagement
  FROM buying_group.solution_interests;

\echo 'An audience is a rule over the columns of crm.account, served as a plain SQL view'
\echo '(so the indexes of crm.account serve it). Tech companies with 1,000+ employees:'
SELECT buying_group.create_audience('Tech 1000+', $rule$
  {"all": [
     {"attr": "industry",  "op": "in",  "value": ["software", "hardware", "telecommunications"]},
     {"attr": "employees", "op": "gte", "value": 1000}
  ]}$rule$, description => 'Software, hardware and telecom companies with 1,000+ employees') \g /dev/null
\x on
SELECT name, description, rule, view_name FROM buying_group.audiences ORDER BY name;
\x off
SELECT industry, count(*) AS accounts, min(employees) AS min_employees, max(employees) AS max_employees
  FROM buying_group_audience.tech_1000 GROUP BY industry ORDER BY count(*) DESC, industry;

\echo
\echo '== 6. The creation job: one buying group per account of the audience'
\echo
\echo 'Members are assigned by their first matching role (source "system"):'
SELECT buying_group.create_buying_groups('Cloud Platform', 'Tech 1000+') AS groups_created;
\echo 'Run again, it creates nothing: an account has at most one group per solution interest.'
SELECT buying_group.create_buying_groups('Cloud Platform', 'Tech 1000+') AS groups_created;

\echo
\echo '== 7. Buying groups for BI: plain views'
\echo
\echo 'buying_group.buying_groups, the most complete first:'
SELECT name, completeness_display AS complete_pct, member_count, sales_ready
  FROM buying_group.buying_groups
 ORDER BY completeness DESC, member_count DESC, name LIMIT 8;

\echo 'Completeness distribution (mean over the 5 required roles of min(assigned, required) / required):'
SELECT completeness_display AS complete_pct, count(*) AS groups,
       repeat('#', ((count(*) + 2) / 3)::int) AS histogram
  FROM buying_group.buying_groups GROUP BY 1 ORDER BY 1 DESC;

-- The group followed from here on: the most complete one that is not sales-ready
-- because it lacks a Decision Maker.
SELECT b.id AS group_id, b.account_key, b.name AS group_name
  FROM buying_group.buying_groups b
 WHERE NOT b.sales_ready
   AND EXISTS (SELECT FROM buying_group.missing_roles mr
                WHERE mr.buying_group_id = b.id AND mr.role = 'Decision Maker')
 ORDER BY b.completeness DESC, b.account_key LIMIT 1 \gset bg_
\echo 'buying_group.role_coverage of' :bg_group_name '(no Decision Maker yet):'
SELECT c.role, c.required, c.members_required, c.assigned, round(c.completeness) AS complete_pct
  FROM buying_group.role_coverage c
  JOIN buying_group.template_roles tr ON tr.template = 'Enterprise' AND tr.role = c.role
 WHERE c.buying_group_id = :bg_group_id
 ORDER BY tr.priority;
\echo 'Its members (buying_group.members):'
SELECT m.person_key, p.first_name || ' ' || p.last_name AS name, btrim(p.job_title) AS job_title,
       m.role, m.source
  FROM buying_group.members m JOIN crm.person p USING (person_key)
 WHERE m.buying_group_id = :bg_group_id ORDER BY m.person_key;

\echo 'buying_group.missing_roles: which required roles are missing most often?'
SELECT role, count(*) AS groups_missing_it,
       round(100.0 * count(*) / (SELECT count(*) FROM buying_group.buying_groups
                                  WHERE solution_interest = 'Cloud Platform'), 1) AS pct_of_groups,
       count(*) FILTER (WHERE assigned > 0) AS partly_filled
  FROM buying_group.missing_roles
 WHERE solution_interest = 'Cloud Platform'
 GROUP BY role ORDER BY count(*) DESC, role;

\echo 'buying_group.incomplete_groups (for ad retargeting) and buying_group.sales_ready_groups:'
SELECT (SELECT count(*) FROM buying_group.incomplete_groups) AS incomplete_groups,
       (SELECT count(*) FROM buying_group.sales_ready_groups) AS sales_ready_groups,
       (SELECT count(*) FROM buying_group.buying_groups) AS all_groups;
SELECT name, completeness_display AS complete_pct, member_count
  FROM buying_group.sales_ready_groups ORDER BY completeness DESC, name LIMIT 5;

\echo 'Audiences can also select on buying groups: accounts whose Cloud Platform group lacks'
\echo 'a Decision Maker, for a LinkedIn campaign aimed at executives:'
SELECT buying_group.create_audience('Cloud Platform: no Decision Maker',
         '{"buying_group": {"solution_interest": "Cloud Platform", "missing_role": "Decision Maker"}}') AS view_name;
SELECT count(*) AS accounts FROM buying_group_audience.cloud_platform_no_decision_maker;

\echo
\echo '== 8. Membership: manual > journey > system'
\echo
-- Its most senior person whose role others also fill (or who has none), to be made Decision Maker.
SELECT p.person_key,
       format('Sales knows who signs at %s: %s %s (%s, %s) is made Decision Maker by hand.',
              a.account_name, p.first_name, p.last_name, btrim(p.job_title),
              coalesce('now ' || m.role, 'no role yet')) AS msg
  FROM crm.person p
  JOIN crm.account a ON a.account_key = p.account_key
  LEFT JOIN buying_group.members m ON m.buying_group_id = :bg_group_id AND m.person_key = p.person_key
                                   AND NOT m.is_removed
  LEFT JOIN buying_group.role_coverage c ON c.buying_group_id = :bg_group_id AND c.role = m.role
 WHERE p.account_key = :'bg_account_key'
   AND (m.role IS NULL OR NOT c.required OR c.assigned > c.members_required)
 ORDER BY (p.attributes->>'seniority_level')::int DESC NULLS LAST, p.person_key LIMIT 1 \gset dm_
\echo :dm_msg
SELECT buying_group.assign_member('Cloud Platform', :'bg_account_key', :'dm_person_key', 'Decision Maker') AS changed;
SELECT name, completeness_display AS complete_pct, member_count, sales_ready
  FROM buying_group.buying_groups WHERE id = :bg_group_id;
SELECT role, assigned, members_required, round(completeness) AS complete_pct
  FROM buying_group.role_coverage WHERE buying_group_id = :bg_group_id AND required ORDER BY role;

\echo 'A journey tries to remove that person: a journey cannot undo a manual decision'
\echo '(a NOTICE says why, and the call returns false instead of failing, for bulk use):'
SET client_min_messages = notice;
SELECT buying_group.remove_member('Cloud Platform', :'bg_account_key', :'dm_person_key', source => 'journey') AS changed;
SET client_min_messages = warning;
SELECT person_key, role, source, is_removed
  FROM buying_group.members WHERE buying_group_id = :bg_group_id AND person_key = :'dm_person_key';

-- A member in a role that does not count ("Other"), to be moved to the data team.
SELECT m.person_key,
       format('Real time: the CRM sync records that %s %s (%s) moved to the data team. Triggers on',
              p.first_name, p.last_name, btrim(p.job_title)) AS msg
  FROM buying_group.members m JOIN crm.person p USING (person_key)
 WHERE m.buying_group_id = :bg_group_id AND m.role = 'Other' AND NOT m.is_removed
 ORDER BY m.person_key LIMIT 1 \gset mv_
\echo :mv_msg
\echo 'crm.person (installed by bind_persons) re-evaluate the person in the same statement:'
UPDATE crm.person SET job_title = 'Data Analyst', seniority = 'Individual Contributor', department = 'Data'
 WHERE person_key = :'mv_person_key';
SELECT m.person_key, p.first_name || ' ' || p.last_name AS name, btrim(p.job_title) AS job_title,
       m.role, m.source, buying_group.match_role('Enterprise', p) AS matched_role
  FROM buying_group.members m JOIN crm.person p USING (person_key)
 WHERE m.buying_group_id = :bg_group_id AND m.person_key IN (:'dm_person_key', :'mv_person_key')
 ORDER BY m.person_key;
SELECT name, completeness_display AS complete_pct, member_count, sales_ready
  FROM buying_group.buying_groups WHERE id = :bg_group_id;
\echo 'So run_maintenance, the daily job that re-evaluates every system membership, finds'
\echo 'nothing to do; nor does it touch the manual Decision Maker above (matched: Executive'
\echo 'Steering Committee):'
SELECT buying_group.run_maintenance() AS memberships_changed;

\echo 'What the triggers cannot see: a bulk load with triggers bypassed (session_replication_role'
\echo '= replica, as logical replication applies changes). The enrichment vendor flags every'
\echo 'C-level person as a budget owner; verify_scores() lists what is now out of date:'
SET session_replication_role = replica;
UPDATE crm.person SET attributes = attributes || '{"budget_owner": true}'
 WHERE seniority = 'C-Level' AND attributes->>'budget_owner' = 'false';
RESET session_replication_role;
SELECT problem, stored, expected, count(*) AS cases
  FROM buying_group.verify_scores() GROUP BY 1, 2, 3 ORDER BY count(*) DESC, 1, 2, 3;
\echo 'run_maintenance catches up; afterwards verify_scores() is empty:'
SELECT buying_group.run_maintenance() AS memberships_changed;
SELECT count(*) AS differences FROM buying_group.verify_scores();
SELECT (SELECT count(*) FROM buying_group.missing_roles WHERE role = 'Decision Maker') AS groups_without_decision_maker,
       (SELECT count(*) FROM buying_group.sales_ready_groups) AS sales_ready_groups;

\echo
\echo '== 9. What if the template were stricter? simulate() with a draft, changing nothing'
\echo
\echo 'A draft copy of Enterprise that wants two Decision Makers and three Practitioners:'
\o /dev/null
SELECT buying_group.create_template('Enterprise strict', description => 'Enterprise, stricter');
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT * FROM buying_group.template_roles WHERE template = 'Enterprise' ORDER BY priority LOOP
        PERFORM buying_group.add_template_role('Enterprise strict', r.role, r.weight,
                    CASE r.role WHEN 'Decision Maker' THEN 2 WHEN 'Practitioner' THEN 3 ELSE r.members_required END,
                    r.required, r.conditions::text);
    END LOOP;
END
$$;
\o
SELECT t.name, t.status, tr.role, tr.members_required
  FROM buying_group.templates t JOIN buying_group.template_roles tr ON tr.template = t.name
 WHERE tr.role IN ('Decision Maker', 'Practitioner')
 ORDER BY t.name, tr.priority;
\echo 'The five most complete groups today, and under the draft:'
SELECT b.name, round(s.current_completeness) AS current_pct, round(s.simulated_completeness) AS simulated_pct,
       s.current_members, s.simulated_members
  FROM buying_group.simulate('Cloud Platform', 'Enterprise strict') s
  JOIN buying_group.buying_groups b ON b.account_key = s.account_key AND b.solution_interest = 'Cloud Platform'
 ORDER BY s.current_completeness DESC, s.account_key LIMIT 5;
\echo 'Over all groups (sales-ready: completeness >= 80):'
SELECT count(*) AS groups,
       round(avg(current_completeness), 1) AS avg_current_pct,
       round(avg(simulated_completeness), 1) AS avg_simulated_pct,
       count(*) FILTER (WHERE current_completeness >= 80) AS sales_ready_now,
       count(*) FILTER (WHERE simulated_completeness >= 80) AS sales_ready_under_draft
  FROM buying_group.simulate('Cloud Platform', 'Enterprise strict');
\echo 'Simulating the live template itself reproduces today''s scores, except where people'
\echo 'decided by hand (simulate follows the conditions only):'
SELECT count(*) FILTER (WHERE s.current_completeness <> s.simulated_completeness) AS groups_that_differ,
       count(*) FILTER (WHERE EXISTS (SELECT FROM buying_group.members m
                                       JOIN buying_group.buying_groups b ON b.id = m.buying_group_id
                                      WHERE b.account_key = s.account_key AND m.source <> 'system')) AS groups_with_manual_decisions
  FROM buying_group.simulate('Cloud Platform', 'Enterprise') s;

\echo
\echo '== 10. Ad hoc: the completeness aggregate over any query, templates live or draft'
\echo
\echo 'completeness(template, role) over one row per person and its matched role, per account'
\echo '(the four largest accounts, with or without a group, and the group followed above, whose'
\echo 'stored score also counts the manual decision):'
SELECT a.account_name,
       b.completeness_display AS stored_pct,
       round(buying_group.completeness('Enterprise', buying_group.match_role('Enterprise', p)), 2) AS enterprise_pct,
       round(buying_group.completeness('Enterprise strict', buying_group.match_role('Enterprise strict', p)), 2) AS strict_pct
  FROM crm.person p
  JOIN crm.account a USING (account_key)
  LEFT JOIN buying_group.buying_groups b ON b.account_key = a.account_key AND b.solution_interest = 'Cloud Platform'
 WHERE a.account_key IN (SELECT account_key FROM crm.account ORDER BY employees DESC, account_key LIMIT 4)
    OR a.account_key = :'bg_account_key'
 GROUP BY a.account_key, a.account_name, a.employees, b.completeness_display
 ORDER BY a.employees DESC, a.account_key;
\echo 'role_completeness gives the part of each role, as jsonb; here what the strict draft would'
\echo 'make of the account followed above, by matching alone:'
SELECT jsonb_pretty(buying_group.role_completeness('Enterprise strict',
                                                  buying_group.match_role('Enterprise strict', p))) AS role_completeness
  FROM crm.person p WHERE p.account_key = :'bg_account_key';

\echo
\echo '== 11. Real time: the CRM sync inserts a person; membership, score and events follow at COMMIT'
\echo
\echo 'a group that misses its Executive Steering Committee:'
SELECT b.account_key AS rt_account_key
  FROM buying_group.missing_roles m JOIN buying_group.buying_groups b ON b.id = m.buying_group_id
 WHERE m.role = 'Executive Steering Committee' AND b.solution_interest = 'Cloud Platform'
 ORDER BY b.completeness DESC, b.account_key LIMIT 1 \gset
SELECT name, completeness_display, member_count, sales_ready
  FROM buying_group.buying_groups WHERE account_key = :'rt_account_key' AND solution_interest = 'Cloud Platform';
SELECT coalesce(max(id), 0) AS last_event FROM buying_group.events \gset
\echo 'this session listens on channel buying_group_events; the notifications arrive at COMMIT:'
LISTEN buying_group_events;
BEGIN;
INSERT INTO crm.person (person_key, account_key, first_name, last_name, email, job_title, seniority, department)
VALUES ('demo-new-cio', :'rt_account_key', 'Nia', 'Okafor', 'nia.okafor@example.com', 'Chief Information Officer',
        'C-Level', 'IT');
COMMIT;
UNLISTEN buying_group_events;
\echo 'the same transaction updated the group:'
SELECT name, completeness_display, member_count, sales_ready
  FROM buying_group.buying_groups WHERE account_key = :'rt_account_key' AND solution_interest = 'Cloud Platform';
\echo 'and wrote these events to the outbox (also sent with NOTIFY on channel buying_group_events):'
SELECT type, person_key, payload FROM buying_group.events WHERE id > :last_event ORDER BY id;
SELECT count(*) AS problems FROM buying_group.verify_scores();

\echo '== 12. Engagement: activities of the last 30 days, AJO''s scoring, explained'
\echo
CREATE TABLE crm.activity (person_key text, activity_type text, occurred_at timestamptz);
SELECT setseed(0.12);
INSERT INTO crm.activity
SELECT p.person_key,
       (ARRAY['page_viewed', 'email_opened', 'email_clicked', 'form_filled_out', 'attend_event',
              'registered_for_event', 'link_clicked', 'interesting_moment'])[1 + floor(random() * 8)::int],
       timestamptz '2026-11-28 12:00+00' - random() * interval '40 days'
  FROM crm.person p, generate_series(1, 6) i
 WHERE random() < 0.5
 ORDER BY p.person_key, i;
\o /dev/null
SELECT buying_group.bind_activities('crm.activity', person => 'person_key', type => 'activity_type', "at" => 'occurred_at');
\o
SELECT buying_group.refresh_engagement('2026-11-28 12:00+00') AS persons_scored;
\echo 'the most engaged groups:'
SELECT name, completeness_display, engagement_display, sales_ready
  FROM buying_group.buying_groups ORDER BY engagement DESC, id LIMIT 5;
\echo 'why the followed group scores what it does: each member''s part, and where its points come from:'
SELECT person_key, role, round(role_share * 100, 1) AS role_pct, round(person_engagement, 1) AS pes,
       round(contribution, 2) AS contribution, activity_type, round(activity_points, 2) AS points
  FROM buying_group.explain_engagement((SELECT id FROM buying_group.buying_groups
                                         WHERE account_key = :'bg_account_key' AND solution_interest = 'Cloud Platform'))
 ORDER BY person_key, activity_type;

\echo
\echo '== 13. Stages, the hand-off to Sales, LinkedIn exports and KPIs'
\echo
\echo 'A stage model: two ways in, Sales Ready reached by hand or automatically once a group'
\echo 'is complete and engaged enough, and a failure stage that can be left again:'
SELECT buying_group.create_stage_model('Sales funnel', $model$
{"stages": [{"name": "Prospect", "type": "entry"},
            {"name": "Inbound", "type": "entry"},
            {"name": "Engaged"},
            {"name": "Sales Ready", "type": "success"},
            {"name": "Closed Lost", "type": "failure"}],
 "transitions": [{"from": ["Prospect", "Inbound"], "to": "Engaged"},
                 {"from": "Engaged", "to": "Sales Ready",
                  "when": {"all": [{"attr": "completeness", "op": "gte", "value": 80},
                                   {"attr": "engagement", "op": "gte", "value": 30}]}},
                 {"from": ["Prospect", "Engaged", "Sales Ready"], "to": "Closed Lost"},
                 {"from": "Closed Lost", "to": "Prospect"}]}
$model$) \g /dev/null
SELECT buying_group.publish_stage_model('Sales funnel') \g /dev/null
SELECT buying_group.set_stage_model('Cloud Platform', 'Sales funnel') \g /dev/null
SELECT stage_model, from_stage, to_stage, automatic FROM buying_group.stage_transitions;
\echo 'Marketing works the 40 most complete groups: Prospect, then Engaged; those that meet'
\echo 'the condition move on to Sales Ready by themselves:'
SELECT buying_group.set_stage('Cloud Platform', account_key, 'Prospect'),
       buying_group.set_stage('Cloud Platform', account_key, 'Engaged')
  FROM (SELECT account_key FROM buying_group.buying_groups WHERE solution_interest = 'Cloud Platform'
         ORDER BY completeness DESC, engagement DESC, account_key LIMIT 40) top \g /dev/null
SELECT stage, count(*) AS groups FROM buying_group.buying_groups
 WHERE solution_interest = 'Cloud Platform' GROUP BY stage ORDER BY min(id);
\echo 'moving a group straight from Prospect to Sales Ready is refused:'
SELECT account_key AS lost_account FROM buying_group.buying_groups
 WHERE solution_interest = 'Cloud Platform' AND stage IS NULL ORDER BY id LIMIT 1 \gset
SELECT buying_group.set_stage('Cloud Platform', :'lost_account', 'Prospect') \g /dev/null
\set ON_ERROR_STOP 0
SELECT buying_group.set_stage('Cloud Platform', :'lost_account', 'Sales Ready');
\set ON_ERROR_STOP 1
SELECT account_key AS hot_account FROM buying_group.buying_groups
 WHERE solution_interest = 'Cloud Platform' AND stage = 'Sales Ready' ORDER BY engagement DESC, id LIMIT 1 \gset
SELECT buying_group.set_status('Cloud Platform', :'hot_account', 'Meeting booked with the CIO') \g /dev/null
\echo 'The alert Sales receives for the most engaged Sales Ready group:'
SELECT jsonb_pretty(buying_group.sales_alert(id)) AS sales_alert FROM buying_group.buying_groups
 WHERE solution_interest = 'Cloud Platform' AND account_key = :'hot_account';
\echo 'LinkedIn matched audiences for the accounts missing a Decision Maker: the company list'
\echo 'and the contacts, written with \\copy ... CSV HEADER:'
\copy (SELECT * FROM buying_group.linkedin_companies('Cloud Platform: no Decision Maker')) TO '/tmp/buying_group_demo_linkedin_companies.csv' CSV HEADER
\copy (SELECT * FROM buying_group.linkedin_contacts('Cloud Platform: no Decision Maker', 'Decision Maker')) TO '/tmp/buying_group_demo_linkedin_contacts.csv' CSV HEADER
\! head -4 /tmp/buying_group_demo_linkedin_companies.csv; echo '...'; head -4 /tmp/buying_group_demo_linkedin_contacts.csv; echo '...'; wc -l /tmp/buying_group_demo_linkedin_*.csv; rm -f /tmp/buying_group_demo_linkedin_*.csv
\echo 'KPIs for marketing:'
SELECT * FROM buying_group.kpi_solution_interests;
SELECT band, groups, percent FROM buying_group.kpi_completeness_bands WHERE solution_interest = 'Cloud Platform';
SELECT role, groups_missing, percent_of_groups, rank FROM buying_group.kpi_missing_roles
 WHERE solution_interest = 'Cloud Platform' ORDER BY rank, role;
SELECT stage, kind, groups FROM buying_group.kpi_stages WHERE solution_interest = 'Cloud Platform';
SELECT count(*) AS problems FROM buying_group.verify_scores();

\echo
\echo 'Done.'
