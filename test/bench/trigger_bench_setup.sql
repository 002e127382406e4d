-- Data of the trigger benchmark: the stress run's bound CRM (run with
-- accounts=10000 persons=50000), and the naive baseline: a row trigger in
-- PL/pgSQL that recomputes the whole group of the person's account from scratch.
\i test/stress/setup.sql
CREATE SEQUENCE crm.person_seq;

CREATE FUNCTION crm.naive_recompute() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    acct text := CASE WHEN TG_OP = 'DELETE' THEN OLD.account_key ELSE NEW.account_key END;
    g bigint;
BEGIN
    FOR g IN SELECT id FROM buying_group.bgroup WHERE account_key = acct LOOP
        DELETE FROM buying_group.bmember WHERE buying_group_id = g AND source = 'system';
        INSERT INTO buying_group.bmember (buying_group_id, person_key, role_id, source)
        SELECT g, p.person_key, r.id, 'system'
          FROM crm.person p JOIN buying_group.role r ON r.name = buying_group.match_role('Stress', p)
         WHERE p.account_key = acct
        ON CONFLICT DO NOTHING;
        UPDATE buying_group.bgroup b
           SET completeness = (SELECT coalesce(buying_group.completeness('Stress', r.name), 0)
                                 FROM (SELECT 1) one
                                 LEFT JOIN buying_group.bmember m ON m.buying_group_id = g AND NOT m.is_removed
                                 LEFT JOIN buying_group.role r ON r.id = m.role_id),
               member_count = (SELECT count(*) FROM buying_group.bmember m WHERE m.buying_group_id = g AND NOT m.is_removed)
         WHERE b.id = g;
    END LOOP;
    RETURN NULL;
END
$$;
