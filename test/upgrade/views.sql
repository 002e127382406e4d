-- The rows of every view of the extension, without the columns that hold the
-- time they were written: two databases given the same calls show the same.
SELECT string_agg(format('SELECT %L AS view, to_jsonb(v) - %L::text[] AS row FROM %s v',
                         c.oid::regclass, coalesce((SELECT array_agg(a.attname) FROM pg_attribute a
                                                    WHERE a.attrelid = c.oid AND a.attnum > 0
                                                      AND a.atttypid IN ('timestamptz'::regtype, 'interval'::regtype)),
                                                   '{}'),
                         c.oid::regclass), E'\nUNION ALL\n' ORDER BY c.oid::regclass::text) AS q
  FROM pg_class c WHERE c.relnamespace = 'buying_group'::regnamespace AND c.relkind = 'v' \gset
SELECT view, row FROM (:q) x ORDER BY 1, 2::text;
