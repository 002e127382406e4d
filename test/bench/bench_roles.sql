-- The six roles of the benchmarks' template, 17 conditions in all (contains,
-- in, eq, starts_with, ends_with under all / any / not), added to the draft
-- template named by the psql variable template; influencers and
-- practitioners set how many members those two roles need. "Other" does not
-- count for completeness. Included by match_bench.sql and create_bench.sql.
SELECT buying_group.add_template_role(:'template', 'Decision Maker', weight => 'vital', conditions => $rule$
{"any": [
  {"attr": "job_title", "op": "contains", "value": "chief"},
  {"attr": "job_title", "op": "in",
   "value": ["CTO", "CIO", "CFO", "CISO", "CEO", "CDO", "President", "Founder", "Co-Founder & CTO"]},
  {"attr": "job_title", "op": "starts_with", "value": ["CTO,", "CIO,", "CEO &", "Co-Founder"]},
  {"all": [
    {"attr": "seniority", "op": "eq", "value": "C-Level"},
    {"attr": "department", "op": "in", "value": ["IT", "Information Technology", "Engineering", "Security"]}
  ]}
]}$rule$) \gset

SELECT buying_group.add_template_role(:'template', 'Executive Steering Committee', weight => 'important', conditions => $rule$
{"any": [
  {"attr": "job_title", "op": "contains", "value": ["vice president", "vp"]},
  {"attr": "seniority", "op": "in", "value": ["C-Level", "VP"]}
]}$rule$) \gset

SELECT buying_group.add_template_role(:'template', 'Influencer', weight => 'normal', members_required => :influencers, conditions => $rule$
{"all": [
  {"attr": "job_title", "op": "contains", "value": ["director", "head of", "architect"]},
  {"not": {"attr": "department", "op": "in", "value": ["HR", "Legal"]}}
]}$rule$) \gset

SELECT buying_group.add_template_role(:'template', 'Champion', weight => 'normal', conditions => $rule$
{"all": [
  {"attr": "job_title", "op": "contains", "value": ["manager", "mgr", "lead"]},
  {"attr": "department", "op": "in", "value": ["IT", "Information Technology", "Engineering", "Security", "Operations"]},
  {"not": {"attr": "email", "op": "ends_with", "value": ["@gmail.com", "@yahoo.com", "@outlook.com"]}}
]}$rule$) \gset

SELECT buying_group.add_template_role(:'template', 'Practitioner', weight => 'minor', members_required => :practitioners, conditions => $rule$
{"all": [
  {"any": [
    {"attr": "job_title", "op": "contains", "value": ["engineer", "developer", "analyst", "administrator", "scientist"]},
    {"attr": "job_title", "op": "starts_with", "value": ["sr.", "senior", "staff", "principal"]}
  ]},
  {"not": {"any": [
    {"attr": "seniority", "op": "eq", "value": "Intern"},
    {"attr": "job_title", "op": "contains", "value": "intern"}
  ]}}
]}$rule$) \gset

SELECT buying_group.add_template_role(:'template', 'Other', weight => 'trivial', required => false, conditions => $rule$
{"any": [
  {"attr": "department", "op": "starts_with", "value": ["fin", "mark", "sal", "oper"]},
  {"attr": "job_title", "op": "contains", "value": ["consultant", "specialist", "coordinator"]},
  {"attr": "email", "op": "ends_with", "value": ".io"}
]}$rule$) \gset
