-- Data of the trigger benchmark: 10,000 accounts, 50,000 persons, a bound
-- persons table with one buying group per account, and the naive baseline:
-- a row trigger in PL/pgSQL that recomputes the whole group of the person's
-- account from scratch.
SET client_min_messages = warning;
CREATE EXTENSION buying_group;
CREATE SCHEMA crm;
CREATE TABLE crm.account (account_key text PRIMARY KEY, account_name text);
CREATE TABLE crm.person (person_key text PRIMARY KEY, account_key text, job_title text, seniority text);
CREATE INDEX ON crm.person (account_key);
CREATE SEQUENCE crm.person_seq;
INSERT INTO crm.account SELECT 'A' || i, 'Account ' || i FROM generate_series(1, 10000) i;
INSERT INTO crm.person
SELECT 'p' || i, 'A' || (1 + i % 10000), (ARRAY['CTO', 'IT Director', 'Software Engineer', 'Intern'])[1 + i % 4],
       CASE WHEN i % 7 = 0 THEN 'VP' END
  FROM generate_series(1, 50000) i;
SELECT buying_group.bind_accounts('crm.account', key => 'account_key', name => 'account_name');
SELECT buying_group.bind_persons('crm.person', key => 'person_key', account => 'account_key');
SELECT buying_group.create_template('Bench');
SELECT buying_group.add_template_role('Bench', 'Decision Maker', conditions => '{"attr": "seniority", "op": "in", "value": ["C-Level", "VP"]}');
SELECT buying_group.add_template_role('Bench', 'Influencer', members_required => 2, conditions => '{"attr": "job_title", "op": "contains", "value": "director"}');
SELECT buying_group.add_template_role('Bench', 'Practitioner', members_required => 3, conditions => '{"attr": "job_title", "op": "contains", "value": "engineer"}');
SELECT buying_group.publish_template('Bench');
SELECT buying_group.create_solution_interest('Bench SI', 'Bench');
SELECT buying_group.create_audience('All', '{"attr": "account_key", "op": "is_not_empty"}');
SELECT buying_group.create_buying_groups('Bench SI', 'All');
ANALYZE;

CREATE FUNCTION crm.naive_recompute() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    acct text := CASE WHEN TG_OP = 'DELETE' THEN OLD.account_key ELSE NEW.account_key END;
    g bigint;
BEGIN
    FOR g IN SELECT id FROM buying_group.bgroup WHERE account_key = acct LOOP
        DELETE FROM buying_group.bmember WHERE buying_group_id = g AND source = 'system';
        INSERT INTO buying_group.bmember (buying_group_id, person_key, role_id, source)
        SELECT g, p.person_key, r.id, 'system'
          FROM crm.person p JOIN buying_group.role r ON r.name = buying_group.match_role('Bench', p)
         WHERE p.account_key = acct
        ON CONFLICT DO NOTHING;
        UPDATE buying_group.bgroup b
           SET completeness = (SELECT coalesce(buying_group.completeness('Bench', r.name), 0)
                                 FROM (SELECT 1) one
                                 LEFT JOIN buying_group.bmember m ON m.buying_group_id = g AND NOT m.is_removed
                                 LEFT JOIN buying_group.role r ON r.id = m.role_id),
               member_count = (SELECT count(*) FROM buying_group.bmember m WHERE m.buying_group_id = g AND NOT m.is_removed)
         WHERE b.id = g;
    END LOOP;
    RETURN NULL;
END
$$;
