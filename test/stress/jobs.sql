-- The batch jobs' side of the stress run: activities to score, bound.
\set ON_ERROR_STOP 1
CREATE TABLE crm.activity (person_key text, activity_type text, occurred_at timestamptz);
INSERT INTO crm.activity
SELECT 'p' || (1 + i % 3000), (ARRAY['email_opened', 'page_viewed', 'attend_event'])[1 + i % 3],
       '2026-03-30'::timestamptz - (i % 25) * interval '1 day'
  FROM generate_series(1, 20000) i;
SELECT buying_group.bind_activities('crm.activity', person => 'person_key', type => 'activity_type', "at" => 'occurred_at');
