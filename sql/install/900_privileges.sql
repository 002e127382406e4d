--------------------------------------------------------------------------
-- Privileges: nothing for PUBLIC; readers read and match; admins configure
--------------------------------------------------------------------------

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA buying_group FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA buying_group FROM PUBLIC;
GRANT USAGE ON SCHEMA buying_group, buying_group_audience TO buying_group_reader, buying_group_admin;
GRANT CREATE ON SCHEMA buying_group_audience TO buying_group_admin;

GRANT SELECT ON ALL TABLES IN SCHEMA buying_group TO buying_group_reader;
GRANT EXECUTE ON FUNCTION
    buying_group.check_rule(text, regtype),
    buying_group.eval_rule(text, record),
    buying_group.match_role(text, record),
    buying_group.match_roles(text, record),
    buying_group.explain_match(text, record),
    buying_group.normalize_title(text),
    buying_group.title_similarity(text, text),
    buying_group.completeness_state_in(cstring),
    buying_group.completeness_state_out(buying_group.completeness_state),
    buying_group.completeness_transfn(buying_group.completeness_state, text, text),
    buying_group.completeness_combinefn(buying_group.completeness_state, buying_group.completeness_state),
    buying_group.completeness_finalfn(buying_group.completeness_state),
    buying_group.role_completeness_finalfn(buying_group.completeness_state),
    buying_group.completeness(text, text),
    buying_group.role_completeness(text, text),
    buying_group.rule_to_sql(text, regtype, text, text),
    buying_group.persons_type(),
    buying_group.bound(text),
    buying_group.solution_interest_of(text),
    buying_group.simulate(text, text),
    buying_group.template_of(text),
    buying_group.verify_scores(),
    buying_group.buying_groups_as_of(timestamptz),
    buying_group.activity_time_sql(buying_group.binding),
    buying_group.explain_engagement(bigint),
    buying_group.field_column(buying_group.binding, text),
    buying_group.field_sql(buying_group.binding, text, text),
    buying_group.audience_of(text),
    buying_group.audience_relation(text),
    buying_group.role_id(text),
    buying_group.sales_alert(bigint),
    buying_group.linkedin_companies(text),
    buying_group.linkedin_contacts(text, text)
TO buying_group_reader;

GRANT INSERT, UPDATE, DELETE ON buying_group.role, buying_group.template, buying_group.template_role,
    buying_group.binding, buying_group.solution_interest, buying_group.audience, buying_group.bgroup,
    buying_group.bmember, buying_group.score_history, buying_group.engagement_model,
    buying_group.activity_weight, buying_group.person_points, buying_group.engagement_refresh, buying_group.field_map, buying_group.stage_model,
    buying_group.stage, buying_group.stage_transition
    TO buying_group_admin;
GRANT INSERT, DELETE ON buying_group.events TO buying_group_admin;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA buying_group TO buying_group_admin;
GRANT EXECUTE ON FUNCTION
    buying_group.template_for_update(text),
    buying_group.template_role_of(buying_group.template, text),
    buying_group.require_draft(buying_group.template),
    buying_group.require_members_required(integer),
    buying_group.create_role(text, text),
    buying_group.delete_role(text),
    buying_group.create_template(text, text, text),
    buying_group.add_template_role(text, text, text, integer, boolean, text),
    buying_group.move_template_role(text, text, integer),
    buying_group.remove_template_role(text, text),
    buying_group.set_members_required(text, text, integer),
    buying_group.delete_template(text),
    buying_group.publish_template(text),
    buying_group.require_column(regclass, text, text, regtype[]),
    buying_group.require_no_groups(text),
    buying_group.bind_accounts(regclass, text, text),
    buying_group.bind_persons(regclass, text, text),
    buying_group.bind_activities(regclass, text, text, text),
    buying_group.create_solution_interest(text, text, text, boolean, numeric, numeric, text),
    buying_group.delete_solution_interest(text),
    buying_group.source_rank(text),
    buying_group.lock_accounts(text[]),
    buying_group.refresh_groups(bigint[], boolean, numeric[]),
    buying_group.create_audience(text, jsonb, text),
    buying_group.delete_audience(text),
    buying_group.create_buying_groups(text, text),
    buying_group.run_maintenance(text),
    buying_group.recompute(text),
    buying_group.sync_members(integer, text, text[], text[], boolean),
    buying_group.sync_execute(text, integer, text, text[], text[], boolean),
    buying_group.install_person_triggers(regclass, regclass),
    buying_group.group_for_update(buying_group.solution_interest, text),
    buying_group.require_source(text),
    buying_group.assign_member(text, text, text, text, text),
    buying_group.remove_member(text, text, text, text),
    buying_group.engagement_model_for_update(text),
    buying_group.create_engagement_model(text, text, integer, integer),
    buying_group.set_activity_weight(text, text, numeric),
    buying_group.activate_engagement_model(text),
    buying_group.refresh_engagement(timestamptz),
    buying_group.map_fields(text, jsonb),
    buying_group.stage_model_for_update(text),
    buying_group.stage_model_error(text, text, text, text),
    buying_group.stage_named(integer, jsonb, text),
    buying_group.load_stage_model(integer, jsonb),
    buying_group.create_stage_model(text, jsonb, text),
    buying_group.update_stage_model(text, jsonb),
    buying_group.publish_stage_model(text),
    buying_group.delete_stage_model(text),
    buying_group.set_stage_model(text, text),
    buying_group.advance_stages(bigint[], boolean),
    buying_group.set_stage(text, text, text),
    buying_group.set_status(text, text, text)
TO buying_group_admin;
