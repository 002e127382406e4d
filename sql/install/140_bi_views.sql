--------------------------------------------------------------------------
-- Views for BI (SPEC 6, 9)
--------------------------------------------------------------------------

CREATE VIEW buying_group.solution_interests AS
SELECT si.name, si.description, t.name AS template, m.name AS stage_model, si.update_existing,
       si.sales_ready_completeness, si.sales_ready_engagement, si.created_at
  FROM buying_group.solution_interest si JOIN buying_group.template t ON t.id = si.template_id
  LEFT JOIN buying_group.stage_model m ON m.id = si.stage_model_id;
COMMENT ON VIEW buying_group.solution_interests IS 'Solution interests and their templates';
COMMENT ON COLUMN buying_group.solution_interests.name IS 'Solution interest name, unique';
COMMENT ON COLUMN buying_group.solution_interests.description IS 'Free text';
COMMENT ON COLUMN buying_group.solution_interests.template IS 'Its live template';
COMMENT ON COLUMN buying_group.solution_interests.stage_model IS 'Its stage model (NULL: none)';
COMMENT ON COLUMN buying_group.solution_interests.update_existing IS 'Whether run_maintenance re-evaluates its groups';
COMMENT ON COLUMN buying_group.solution_interests.sales_ready_completeness IS 'Completeness a group needs to be sales-ready';
COMMENT ON COLUMN buying_group.solution_interests.sales_ready_engagement IS 'Engagement a group needs to be sales-ready';
COMMENT ON COLUMN buying_group.solution_interests.created_at IS 'When it was created';

CREATE VIEW buying_group.buying_groups AS
SELECT g.id, g.name, g.account_key, si.name AS solution_interest, t.name AS template, g.stage, g.status,
       g.completeness, pg_catalog.round(g.completeness)::integer AS completeness_display,
       g.engagement, pg_catalog.round(g.engagement)::integer AS engagement_display,
       g.member_count, g.sales_ready, g.created_at, g.updated_at
  FROM buying_group.bgroup g
  JOIN buying_group.solution_interest si ON si.id = g.solution_interest_id
  JOIN buying_group.template t ON t.id = si.template_id;
COMMENT ON VIEW buying_group.buying_groups IS 'Buying groups with their scores';
COMMENT ON COLUMN buying_group.buying_groups.id IS 'Buying group id';
COMMENT ON COLUMN buying_group.buying_groups.name IS '<solution interest> for <account name>';
COMMENT ON COLUMN buying_group.buying_groups.account_key IS 'Key of the account (as text)';
COMMENT ON COLUMN buying_group.buying_groups.solution_interest IS 'Solution interest name';
COMMENT ON COLUMN buying_group.buying_groups.template IS 'The solution interest''s template';
COMMENT ON COLUMN buying_group.buying_groups.stage IS 'Stage in the solution interest''s stage model (NULL: none yet)';
COMMENT ON COLUMN buying_group.buying_groups.status IS 'Free-text status';
COMMENT ON COLUMN buying_group.buying_groups.completeness IS 'Completeness 0..100 at full precision';
COMMENT ON COLUMN buying_group.buying_groups.completeness_display IS 'Completeness rounded half up, for display';
COMMENT ON COLUMN buying_group.buying_groups.engagement IS 'Engagement 0..100 at full precision (NULL until engagement is computed)';
COMMENT ON COLUMN buying_group.buying_groups.engagement_display IS 'Engagement rounded half up, for display';
COMMENT ON COLUMN buying_group.buying_groups.member_count IS 'Members not removed';
COMMENT ON COLUMN buying_group.buying_groups.sales_ready IS 'Completeness and engagement reach the solution interest''s thresholds';
COMMENT ON COLUMN buying_group.buying_groups.created_at IS 'When the group was created';
COMMENT ON COLUMN buying_group.buying_groups.updated_at IS 'When its scores last changed';

CREATE VIEW buying_group.members AS
SELECT m.buying_group_id, g.account_key, m.person_key, r.name AS role, m.source, m.is_removed,
       m.assigned_at, m.removed_at
  FROM buying_group.bmember m
  JOIN buying_group.bgroup g ON g.id = m.buying_group_id
  JOIN buying_group.role r ON r.id = m.role_id;
COMMENT ON VIEW buying_group.members IS 'Members of buying groups, removed ones included';
COMMENT ON COLUMN buying_group.members.buying_group_id IS 'Buying group id';
COMMENT ON COLUMN buying_group.members.account_key IS 'Key of the group''s account';
COMMENT ON COLUMN buying_group.members.person_key IS 'Key of the person (as text)';
COMMENT ON COLUMN buying_group.members.role IS 'The person''s role in the group';
COMMENT ON COLUMN buying_group.members.source IS 'Source of the latest decision: manual, journey or system';
COMMENT ON COLUMN buying_group.members.is_removed IS 'Removed (softly): kept for history, not counted';
COMMENT ON COLUMN buying_group.members.assigned_at IS 'When the person was (last) assigned';
COMMENT ON COLUMN buying_group.members.removed_at IS 'When the person was removed';

CREATE VIEW buying_group.role_coverage AS
SELECT g.id AS buying_group_id, r.name AS role, tr.required, tr.members_required,
       coalesce(g.role_counts[tr.priority], 0) AS assigned,
       100 * LEAST(coalesce(g.role_counts[tr.priority], 0), tr.members_required)::numeric / tr.members_required
           AS completeness
  FROM buying_group.bgroup g
  JOIN buying_group.solution_interest si ON si.id = g.solution_interest_id
  JOIN buying_group.template_role tr ON tr.template_id = si.template_id
  JOIN buying_group.role r ON r.id = tr.role_id;
COMMENT ON VIEW buying_group.role_coverage IS 'For each buying group and each role of its template: how many members hold it';
COMMENT ON COLUMN buying_group.role_coverage.buying_group_id IS 'Buying group id';
COMMENT ON COLUMN buying_group.role_coverage.role IS 'Role of the template';
COMMENT ON COLUMN buying_group.role_coverage.required IS 'Whether the role counts for completeness';
COMMENT ON COLUMN buying_group.role_coverage.members_required IS 'How many members fill the role';
COMMENT ON COLUMN buying_group.role_coverage.assigned IS 'Members holding the role (removed ones not counted)';
COMMENT ON COLUMN buying_group.role_coverage.completeness IS 'The role''s completeness 0..100 at full precision';

CREATE VIEW buying_group.missing_roles AS
SELECT c.buying_group_id, g.account_key, si.name AS solution_interest, c.role, c.members_required, c.assigned
  FROM buying_group.role_coverage c
  JOIN buying_group.bgroup g ON g.id = c.buying_group_id
  JOIN buying_group.solution_interest si ON si.id = g.solution_interest_id
 WHERE c.required AND c.assigned < c.members_required;
COMMENT ON VIEW buying_group.missing_roles IS 'Required roles of buying groups below their threshold';
COMMENT ON COLUMN buying_group.missing_roles.buying_group_id IS 'Buying group id';
COMMENT ON COLUMN buying_group.missing_roles.account_key IS 'Key of the group''s account';
COMMENT ON COLUMN buying_group.missing_roles.solution_interest IS 'Solution interest name';
COMMENT ON COLUMN buying_group.missing_roles.role IS 'The role that is missing members';
COMMENT ON COLUMN buying_group.missing_roles.members_required IS 'How many members fill the role';
COMMENT ON COLUMN buying_group.missing_roles.assigned IS 'How many hold it';

CREATE VIEW buying_group.incomplete_groups AS
SELECT b.*
  FROM buying_group.buying_groups b
 WHERE EXISTS (SELECT FROM buying_group.missing_roles mr WHERE mr.buying_group_id = b.id);
COMMENT ON VIEW buying_group.incomplete_groups IS 'Buying groups with missing required roles (for ad retargeting)';

CREATE VIEW buying_group.sales_ready_groups AS
SELECT b.* FROM buying_group.buying_groups b WHERE b.sales_ready;
COMMENT ON VIEW buying_group.sales_ready_groups IS 'Buying groups that reach their solution interest''s sales-ready thresholds';

-- the two views above have the columns of buying_groups: the same comments
DO $comments$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT a.attname, pg_catalog.col_description(a.attrelid, a.attnum) AS comment
               FROM pg_catalog.pg_attribute a
              WHERE a.attrelid = 'buying_group.buying_groups'::regclass AND a.attnum > 0 LOOP
        EXECUTE format('COMMENT ON COLUMN buying_group.incomplete_groups.%I IS %L', c.attname, c.comment);
        EXECUTE format('COMMENT ON COLUMN buying_group.sales_ready_groups.%I IS %L', c.attname, c.comment);
    END LOOP;
END
$comments$;
