--------------------------------------------------------------------------
-- Privileges (doc/security.md): PUBLIC gets nothing; readers read and match;
-- admins call the API. Nobody writes the tables but the API functions (they
-- run with the owner's rights), and nobody calls the internals.
--------------------------------------------------------------------------

-- from nothing (an upgrade replays this file over the grants of the version before)
REVOKE ALL ON SCHEMA buying_group_internal, buying_group_audience FROM PUBLIC, buying_group_reader, buying_group_admin;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA buying_group, buying_group_internal
    FROM PUBLIC, buying_group_reader, buying_group_admin;
REVOKE ALL ON ALL TABLES IN SCHEMA buying_group FROM PUBLIC, buying_group_reader, buying_group_admin;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA buying_group FROM PUBLIC, buying_group_reader, buying_group_admin;
GRANT USAGE ON SCHEMA buying_group, buying_group_audience TO buying_group_reader, buying_group_admin;

-- readers: every table and view, and the functions that read or match
GRANT SELECT ON ALL TABLES IN SCHEMA buying_group TO buying_group_reader;
GRANT EXECUTE ON FUNCTION
    buying_group.check_rule(text, regtype),
    buying_group.check_rule(jsonb, regtype),
    buying_group.eval_rule(text, record),
    buying_group.eval_rule(jsonb, record),
    buying_group.match_role(text, record),
    buying_group.match_roles(text, record),
    buying_group.explain_match(text, record),
    buying_group.normalize_title(text),
    buying_group.title_similarity(text, text),
    buying_group.completeness(text, text),
    buying_group.completeness(text, text, bigint),
    buying_group.role_completeness(text, text),
    buying_group.rule_to_sql(text, regtype, text, text),
    buying_group.rule_to_sql(jsonb, regtype, text, text),
    buying_group.source_rank(text),
    buying_group.simulate(text, text),
    buying_group.verify_scores(),
    buying_group.buying_groups_as_of(timestamptz),
    buying_group.explain_engagement(bigint),
    buying_group.sales_alert(bigint),
    buying_group.linkedin_companies(text),
    buying_group.linkedin_contacts(text, text),
    buying_group.explain_journey(text, text),
    buying_group.linkedin_list_companies(text),
    buying_group.linkedin_list_contacts(text, text)
TO buying_group_reader;

-- admins: the whole API; of the tables, only the processed events to delete
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA buying_group TO buying_group_admin;
GRANT DELETE ON buying_group.events TO buying_group_admin;
