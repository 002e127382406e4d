-- Every object of the extension as a line of text: what a fresh install and an
-- upgrade must agree on, whatever the order objects were made in.
WITH member AS (
    SELECT d.classid, d.objid FROM pg_catalog.pg_depend d
     WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
       AND d.refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'buying_group')),
acl(kind, name, grants) AS (
    SELECT 'acl', p.oid::regprocedure::text,
           (SELECT string_agg(a.grantee::regrole || ':' || a.privilege_type, ' ' ORDER BY 1)
              FROM aclexplode(p.proacl) a)
      FROM pg_catalog.pg_proc p JOIN member m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
    UNION ALL
    SELECT 'acl', c.oid::regclass::text,
           (SELECT string_agg(a.grantee::regrole || ':' || a.privilege_type, ' ' ORDER BY 1)
              FROM aclexplode(c.relacl) a)
      FROM pg_catalog.pg_class c JOIN member m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
    UNION ALL
    SELECT 'acl', n.nspname,
           (SELECT string_agg(a.grantee::regrole || ':' || a.privilege_type, ' ' ORDER BY 1)
              FROM aclexplode(n.nspacl) a)
      FROM pg_catalog.pg_namespace n JOIN member m ON m.classid = 'pg_namespace'::regclass AND m.objid = n.oid)
SELECT * FROM (
    SELECT 'function' AS kind, p.oid::regprocedure::text AS name,
           concat_ws(' | ', p.prokind, p.prorettype::regtype, p.provolatile, p.proisstrict, p.prosecdef,
                     p.proparallel, p.proconfig::text, md5(p.prosrc), obj_description(p.oid, 'pg_proc')) AS definition
      FROM pg_catalog.pg_proc p JOIN member m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
    UNION ALL
    SELECT 'relation', c.oid::regclass::text,
           concat_ws(' | ', c.relkind, obj_description(c.oid, 'pg_class'),
                     CASE WHEN c.relkind = 'v' THEN md5(pg_catalog.pg_get_viewdef(c.oid)) END,
                     (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull
                                        || ' ' || coalesce(pg_get_expr(ad.adbin, ad.adrelid), '') || ' '
                                        || coalesce(col_description(c.oid, a.attnum), ''), ', ' ORDER BY a.attnum)
                        FROM pg_catalog.pg_attribute a
                        LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                       WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped))
      FROM pg_catalog.pg_class c JOIN member m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
    UNION ALL
    SELECT 'constraint', co.conrelid::regclass || '.' || co.conname, pg_catalog.pg_get_constraintdef(co.oid)
      FROM pg_catalog.pg_constraint co JOIN member m ON m.classid = 'pg_class'::regclass AND m.objid = co.conrelid
    UNION ALL
    SELECT 'index', i.indexrelid::regclass::text, pg_catalog.pg_get_indexdef(i.indexrelid)
      FROM pg_catalog.pg_index i JOIN member m ON m.classid = 'pg_class'::regclass AND m.objid = i.indrelid
    UNION ALL
    SELECT 'trigger', t.tgrelid::regclass || '.' || t.tgname, pg_catalog.pg_get_triggerdef(t.oid)
      FROM pg_catalog.pg_trigger t JOIN member m ON m.classid = 'pg_class'::regclass AND m.objid = t.tgrelid
     WHERE NOT t.tgisinternal
    UNION ALL
    SELECT 'type', ty.oid::regtype::text, concat_ws(' | ', ty.typtype, ty.typinput::regproc, ty.typoutput::regproc)
      FROM pg_catalog.pg_type ty JOIN member m ON m.classid = 'pg_type'::regclass AND m.objid = ty.oid
    UNION ALL
    SELECT 'event trigger', ev.evtname, concat_ws(' | ', ev.evtevent, ev.evtenabled, ev.evttags::text, ev.evtfoid::regproc)
      FROM pg_catalog.pg_event_trigger ev JOIN member m ON m.classid = 'pg_event_trigger'::regclass AND m.objid = ev.oid
    UNION ALL
    SELECT 'schema', n.nspname, obj_description(n.oid, 'pg_namespace')
      FROM pg_catalog.pg_namespace n JOIN member m ON m.classid = 'pg_namespace'::regclass AND m.objid = n.oid
    UNION ALL
    SELECT kind, name, grants FROM acl
    UNION ALL
    SELECT 'config', c::regclass::text, coalesce(x, '')
      FROM pg_catalog.pg_extension e, unnest(e.extconfig, e.extcondition) AS u(c, x)
     WHERE e.extname = 'buying_group'
) f ORDER BY 1, 2, 3;
