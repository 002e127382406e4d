--------------------------------------------------------------------------
-- KPI views (SPEC 9): per solution interest, what marketing asks
--------------------------------------------------------------------------

CREATE INDEX score_history_sales_ready ON buying_group.score_history (buying_group_id, at) WHERE sales_ready;

-- When each group first became sales-ready, from score_history.
CREATE VIEW buying_group.first_sales_ready AS
SELECT h.buying_group_id, min(h.at) AS at
  FROM buying_group.score_history h
 WHERE h.sales_ready
 GROUP BY h.buying_group_id;
COMMENT ON VIEW buying_group.first_sales_ready IS 'When each buying group first became sales-ready';
COMMENT ON COLUMN buying_group.first_sales_ready.buying_group_id IS 'Buying group id';
COMMENT ON COLUMN buying_group.first_sales_ready.at IS 'When it first reached its solution interest''s thresholds';

CREATE VIEW buying_group.kpi_solution_interests AS
SELECT si.name AS solution_interest,
       count(g.id)::integer AS groups,
       count(g.id) FILTER (WHERE g.sales_ready)::integer AS sales_ready_groups,
       pg_catalog.round(100.0 * count(g.id) FILTER (WHERE g.sales_ready) / nullif(count(g.id), 0), 1) AS sales_ready_percent,
       count(inc.buying_group_id)::integer AS incomplete_groups,
       pg_catalog.round(avg(g.completeness), 1) AS avg_completeness,
       pg_catalog.round(avg(g.engagement), 1) AS avg_engagement,
       pg_catalog.round((percentile_cont(0.5) WITHIN GROUP (
                            ORDER BY extract(epoch FROM f.at - g.created_at) / 86400))::numeric, 1)
           AS median_days_to_sales_ready
  FROM buying_group.solution_interest si
  LEFT JOIN buying_group.bgroup g ON g.solution_interest_id = si.id
  LEFT JOIN buying_group.first_sales_ready f ON f.buying_group_id = g.id
  LEFT JOIN (SELECT DISTINCT mr.buying_group_id FROM buying_group.missing_roles mr) inc ON inc.buying_group_id = g.id
 GROUP BY si.id, si.name;
COMMENT ON VIEW buying_group.kpi_solution_interests IS 'Per solution interest: groups, sales-readiness, completeness, engagement and time to sales-ready';
COMMENT ON COLUMN buying_group.kpi_solution_interests.solution_interest IS 'Solution interest name';
COMMENT ON COLUMN buying_group.kpi_solution_interests.groups IS 'Buying groups';
COMMENT ON COLUMN buying_group.kpi_solution_interests.sales_ready_groups IS 'Groups sales-ready now';
COMMENT ON COLUMN buying_group.kpi_solution_interests.sales_ready_percent IS 'Share of the groups sales-ready now, in percent (one decimal)';
COMMENT ON COLUMN buying_group.kpi_solution_interests.incomplete_groups IS 'Groups missing members in a required role';
COMMENT ON COLUMN buying_group.kpi_solution_interests.avg_completeness IS 'Mean completeness (one decimal)';
COMMENT ON COLUMN buying_group.kpi_solution_interests.avg_engagement IS 'Mean engagement of the groups that have one (one decimal)';
COMMENT ON COLUMN buying_group.kpi_solution_interests.median_days_to_sales_ready IS 'Median days from a group''s creation to its first sales-readiness, over the groups that got there (one decimal)';

CREATE VIEW buying_group.kpi_completeness_bands AS
SELECT si.name AS solution_interest, b.band, b.lower_bound, b.upper_bound,
       count(g.id)::integer AS groups,
       pg_catalog.round(100.0 * count(g.id) / nullif(sum(count(g.id)) OVER (PARTITION BY si.id), 0), 1) AS percent
  FROM buying_group.solution_interest si
 CROSS JOIN (VALUES (1, '[0,25)', 0, 25), (2, '[25,50)', 25, 50), (3, '[50,75)', 50, 75),
                    (4, '[75,100)', 75, 100), (5, '100', 100, NULL)) b(n, band, lower_bound, upper_bound)
  LEFT JOIN buying_group.bgroup g
    ON g.solution_interest_id = si.id AND g.completeness >= b.lower_bound
   AND (b.upper_bound IS NULL OR g.completeness < b.upper_bound)
 GROUP BY si.id, si.name, b.n, b.band, b.lower_bound, b.upper_bound
 ORDER BY si.name, b.n;
COMMENT ON VIEW buying_group.kpi_completeness_bands IS 'Per solution interest: how many groups fall in each completeness band';
COMMENT ON COLUMN buying_group.kpi_completeness_bands.solution_interest IS 'Solution interest name';
COMMENT ON COLUMN buying_group.kpi_completeness_bands.band IS 'Completeness band: [0,25), [25,50), [50,75), [75,100) or 100';
COMMENT ON COLUMN buying_group.kpi_completeness_bands.lower_bound IS 'Lowest completeness in the band (included)';
COMMENT ON COLUMN buying_group.kpi_completeness_bands.upper_bound IS 'Completeness above the band (excluded; NULL for 100)';
COMMENT ON COLUMN buying_group.kpi_completeness_bands.groups IS 'Groups in the band';
COMMENT ON COLUMN buying_group.kpi_completeness_bands.percent IS 'Share of the solution interest''s groups, in percent (one decimal)';

CREATE VIEW buying_group.kpi_missing_roles AS
SELECT mr.solution_interest, mr.role, count(*)::integer AS groups_missing,
       pg_catalog.round(100.0 * count(*) / (SELECT count(*) FROM buying_group.bgroup g
                                             JOIN buying_group.solution_interest si ON si.id = g.solution_interest_id
                                            WHERE si.name = mr.solution_interest), 1) AS percent_of_groups,
       dense_rank() OVER (PARTITION BY mr.solution_interest ORDER BY count(*) DESC)::integer AS rank
  FROM buying_group.missing_roles mr
 GROUP BY mr.solution_interest, mr.role
 ORDER BY mr.solution_interest, rank, mr.role;
COMMENT ON VIEW buying_group.kpi_missing_roles IS 'Per solution interest: the required roles most often missing';
COMMENT ON COLUMN buying_group.kpi_missing_roles.solution_interest IS 'Solution interest name';
COMMENT ON COLUMN buying_group.kpi_missing_roles.role IS 'A required role';
COMMENT ON COLUMN buying_group.kpi_missing_roles.groups_missing IS 'Groups with fewer members in the role than it requires';
COMMENT ON COLUMN buying_group.kpi_missing_roles.percent_of_groups IS 'Share of the solution interest''s groups missing it, in percent (one decimal)';
COMMENT ON COLUMN buying_group.kpi_missing_roles.rank IS '1 for the role missing most often';

CREATE VIEW buying_group.kpi_stages AS
SELECT si.name AS solution_interest, s.name AS stage, s.kind, count(g.id)::integer AS groups
  FROM buying_group.solution_interest si
  JOIN (SELECT x.stage_model_id, x.name, x.kind, x.position FROM buying_group.stage x
        UNION ALL
        SELECT m.id, NULL, NULL, 0 FROM buying_group.stage_model m) s ON s.stage_model_id = si.stage_model_id
  LEFT JOIN buying_group.bgroup g ON g.solution_interest_id = si.id AND g.stage IS NOT DISTINCT FROM s.name
 GROUP BY si.id, si.name, s.name, s.kind, s.position
 ORDER BY si.name, s.position;
COMMENT ON VIEW buying_group.kpi_stages IS 'Per solution interest with a stage model: how many groups are in each stage (NULL: no stage yet)';
COMMENT ON COLUMN buying_group.kpi_stages.solution_interest IS 'Solution interest name';
COMMENT ON COLUMN buying_group.kpi_stages.stage IS 'Stage of its model (NULL: groups without a stage)';
COMMENT ON COLUMN buying_group.kpi_stages.kind IS 'entry, intermediate, success or failure';
COMMENT ON COLUMN buying_group.kpi_stages.groups IS 'Groups in the stage';
