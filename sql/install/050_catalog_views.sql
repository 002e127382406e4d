--------------------------------------------------------------------------
-- Views
--------------------------------------------------------------------------

CREATE VIEW buying_group.roles AS
SELECT r.name, r.description, r.is_default,
       (SELECT count(*) FROM buying_group.template_role tr WHERE tr.role_id = r.id) AS template_count,
       r.created_at
  FROM buying_group.role r;
COMMENT ON VIEW buying_group.roles IS 'The role catalog';
COMMENT ON COLUMN buying_group.roles.name IS 'Role name, unique regardless of case';
COMMENT ON COLUMN buying_group.roles.description IS 'What the role does in a purchase';
COMMENT ON COLUMN buying_group.roles.is_default IS 'One of the six default roles, which cannot be deleted';
COMMENT ON COLUMN buying_group.roles.template_count IS 'How many templates use the role';
COMMENT ON COLUMN buying_group.roles.created_at IS 'When the role was created';

CREATE VIEW buying_group.templates AS
SELECT t.name, t.description, t.status, t.completeness_mode,
       (SELECT count(*) FROM buying_group.template_role tr WHERE tr.template_id = t.id) AS role_count,
       (SELECT count(*) FROM buying_group.template_role tr WHERE tr.template_id = t.id AND tr.required) AS required_role_count,
       t.created_at, t.published_at
  FROM buying_group.template t;
COMMENT ON VIEW buying_group.templates IS 'Role templates';
COMMENT ON COLUMN buying_group.templates.name IS 'Template name, unique';
COMMENT ON COLUMN buying_group.templates.description IS 'Free text';
COMMENT ON COLUMN buying_group.templates.status IS 'draft (editable) or live (roles and conditions frozen)';
COMMENT ON COLUMN buying_group.templates.completeness_mode IS 'mean: AJO''s completeness formula; weighted: roles weighted by their weight';
COMMENT ON COLUMN buying_group.templates.role_count IS 'Number of roles';
COMMENT ON COLUMN buying_group.templates.required_role_count IS 'Number of roles that count for completeness';
COMMENT ON COLUMN buying_group.templates.created_at IS 'When the template was created';
COMMENT ON COLUMN buying_group.templates.published_at IS 'When the template went live';

CREATE VIEW buying_group.template_roles AS
SELECT t.name AS template, r.name AS role, tr.priority, tr.weight, w.value AS weight_value,
       100.0 * w.value / sum(w.value) OVER (PARTITION BY tr.template_id) AS weight_share,
       tr.required, tr.members_required, tr.conditions
  FROM buying_group.template_role tr
  JOIN buying_group.template t ON t.id = tr.template_id
  JOIN buying_group.role r ON r.id = tr.role_id
  JOIN buying_group.weight w ON w.name = tr.weight;
COMMENT ON VIEW buying_group.template_roles IS 'The roles of each template, in priority order';
COMMENT ON COLUMN buying_group.template_roles.template IS 'Template name';
COMMENT ON COLUMN buying_group.template_roles.role IS 'Role name';
COMMENT ON COLUMN buying_group.template_roles.priority IS 'Position, 1 first: a person gets the first role whose conditions hold';
COMMENT ON COLUMN buying_group.template_roles.weight IS 'trivial, minor, normal, important or vital';
COMMENT ON COLUMN buying_group.template_roles.weight_value IS 'The weight as a number: 20, 40, 60, 80 or 100';
COMMENT ON COLUMN buying_group.template_roles.weight_share IS 'The role''s share of the template''s total weight, in percent (full precision)';
COMMENT ON COLUMN buying_group.template_roles.required IS 'Whether the role counts for completeness';
COMMENT ON COLUMN buying_group.template_roles.members_required IS 'How many members fill the role';
COMMENT ON COLUMN buying_group.template_roles.conditions IS 'The rule a person must satisfy to be matched to the role; NULL: never matched automatically';
