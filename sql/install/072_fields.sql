--------------------------------------------------------------------------
-- Standard fields of the bound tables (SPEC 9): which column holds a
-- person's email or an account's website, for sales alerts and exports
--------------------------------------------------------------------------

CREATE TABLE buying_group.standard_field (
    kind        text NOT NULL CHECK (kind IN ('accounts', 'persons')),
    field       text NOT NULL,
    position    integer NOT NULL,
    candidates  name[] NOT NULL,     -- column names detected when not mapped, first match wins
    description text NOT NULL,
    PRIMARY KEY (kind, field)
);
COMMENT ON TABLE buying_group.standard_field IS 'Fields the hand-off and exports read, and the column names detected for them';
INSERT INTO buying_group.standard_field (kind, field, position, candidates, description) VALUES
    ('accounts', 'website',      1, '{website,company_website,url}',                         'Company website'),
    ('accounts', 'email_domain', 2, '{email_domain,domain}',                                  'Company email domain'),
    ('accounts', 'linkedin_url', 3, '{linkedin_url,linkedin_company_page_url,linkedin}',      'LinkedIn company page URL'),
    ('accounts', 'stock_symbol', 4, '{stock_symbol,ticker}',                                  'Stock symbol'),
    ('accounts', 'industry',     5, '{industry}',                                             'Industry'),
    ('accounts', 'city',         6, '{city,billing_city}',                                    'City'),
    ('accounts', 'state',        7, '{state,billing_state,region}',                           'State or region'),
    ('accounts', 'country',      8, '{country,billing_country}',                              'Country'),
    ('accounts', 'zip',          9, '{zip,zipcode,zip_code,postal_code,billing_postal_code}', 'Postal code'),
    ('persons',  'email',        1, '{email,email_address}',                                  'Email address'),
    ('persons',  'first_name',   2, '{first_name,firstname,given_name}',                      'First name'),
    ('persons',  'last_name',    3, '{last_name,lastname,family_name}',                       'Last name'),
    ('persons',  'title',        4, '{job_title,title}',                                      'Job title'),
    ('persons',  'country',      5, '{country}',                                              'Country');

-- Columns mapped explicitly with map_fields(); a mapping is dropped when its
-- table is rebound.
CREATE TABLE buying_group.field_map (
    kind        text NOT NULL,
    field       text NOT NULL,
    column_name name NOT NULL,
    PRIMARY KEY (kind, field),
    FOREIGN KEY (kind, field) REFERENCES buying_group.standard_field
);
COMMENT ON TABLE buying_group.field_map IS 'Standard fields mapped explicitly to columns of the bound tables';
SELECT pg_catalog.pg_extension_config_dump('buying_group.field_map', '');

-- The column of the bound table holding a standard field: the mapped one, else
-- the first candidate the table has, else NULL. Raises if a mapped column was
-- dropped since.
CREATE FUNCTION buying_group_internal.field_column(b buying_group.binding, field text)
RETURNS name
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    mapped name;
    col name;
BEGIN
    SELECT fm.column_name INTO mapped FROM buying_group.field_map fm
     WHERE fm.kind = b.kind AND fm.field = field_column.field;
    SELECT a.attname INTO col
      FROM buying_group.standard_field sf
     CROSS JOIN LATERAL unnest(CASE WHEN mapped IS NULL THEN sf.candidates ELSE ARRAY[mapped] END) WITH ORDINALITY c(name, n)
      JOIN pg_catalog.pg_attribute a ON a.attrelid = b.relation AND a.attname = c.name
                                    AND a.attnum > 0 AND NOT a.attisdropped
     WHERE sf.kind = b.kind AND sf.field = field_column.field
     ORDER BY c.n LIMIT 1;
    IF mapped IS NOT NULL AND col IS NULL THEN
        RAISE EXCEPTION 'field "%" is mapped to column "%", which % no longer has', field, mapped, b.relation
            USING ERRCODE = 'undefined_column',
                  HINT = format('Map it again: SELECT buying_group.map_fields(%L, %L);', b.kind,
                                pg_catalog.jsonb_build_object(field, 'column_name')::text);
    END IF;
    RETURN col;
END
$$;
COMMENT ON FUNCTION buying_group_internal.field_column(buying_group.binding, text) IS
'Internal: the column holding a standard field (mapped, else detected by name, else NULL)';

-- The SQL text of a standard field of the row aliased alias: the column as
-- text, or NULL::text when the table has none.
CREATE FUNCTION buying_group_internal.field_sql(b buying_group.binding, field text, alias text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    -- the column's output function through format(), never a cast: a cast
    -- from a type of the table owner's could be a function of theirs
    SELECT CASE WHEN c.col IS NULL THEN 'NULL::text'
                ELSE pg_catalog.format('CASE WHEN %1$I.%2$I IS NOT NULL THEN pg_catalog.format(''%%s'', %1$I.%2$I) END',
                                       alias, c.col) END
      FROM (SELECT buying_group_internal.field_column(b, field) AS col) c
$$;
COMMENT ON FUNCTION buying_group_internal.field_sql(buying_group.binding, text, text) IS
'Internal: SQL text reading a standard field of the aliased row as text (NULL::text when there is no column)';

CREATE FUNCTION buying_group.map_fields(kind text, fields jsonb)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b buying_group.binding;
    f record;
BEGIN
    IF kind IS NULL OR kind NOT IN ('accounts', 'persons') THEN
        RAISE EXCEPTION 'only the accounts and persons tables have standard fields, not "%"', kind
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    b := buying_group_internal.bound(kind);
    IF fields IS NULL OR pg_catalog.jsonb_typeof(fields) <> 'object' THEN
        RAISE EXCEPTION 'fields must be a JSON object of field names and column names'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'For example: {"email": "work_email", "title": "position"}; null unmaps a field.';
    END IF;
    FOR f IN SELECT e.key, e.value FROM pg_catalog.jsonb_each(fields) e ORDER BY e.key LOOP
        IF NOT EXISTS (SELECT FROM buying_group.standard_field sf WHERE sf.kind = b.kind AND sf.field = f.key) THEN
            RAISE EXCEPTION 'unknown % field "%"', rtrim(b.kind, 's'), f.key
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = format('The %s fields are: %s.', rtrim(b.kind, 's'),
                                      (SELECT string_agg(sf.field, ', ' ORDER BY sf.position)
                                         FROM buying_group.standard_field sf WHERE sf.kind = b.kind));
        END IF;
        IF pg_catalog.jsonb_typeof(f.value) = 'null' THEN
            DELETE FROM buying_group.field_map fm WHERE fm.kind = b.kind AND fm.field = f.key;
        ELSIF pg_catalog.jsonb_typeof(f.value) <> 'string' THEN
            RAISE EXCEPTION 'field "%" must be mapped to a column name (a string) or null', f.key
                USING ERRCODE = 'invalid_parameter_value';
        ELSE
            INSERT INTO buying_group.field_map AS fm (kind, field, column_name)
            VALUES (b.kind, f.key, buying_group_internal.require_column(b.relation, f.value #>> '{}', f.key))
            ON CONFLICT ON CONSTRAINT field_map_pkey DO UPDATE SET column_name = EXCLUDED.column_name;
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION buying_group.map_fields(text, jsonb) IS
'Maps standard fields (email, title, website, ...) of the bound accounts or persons table to its columns; null unmaps';

CREATE VIEW buying_group.fields AS
SELECT sf.kind, sf.field, c.column_name,
       CASE WHEN fm.column_name IS NOT NULL THEN 'mapped'
            WHEN c.column_name IS NOT NULL THEN 'detected' END AS how,
       sf.description
  FROM buying_group.standard_field sf
  JOIN buying_group.binding b ON b.kind = sf.kind
  CROSS JOIN LATERAL (SELECT buying_group_internal.field_column(b, sf.field) AS column_name OFFSET 0) c   -- looked up once
  LEFT JOIN buying_group.field_map fm ON fm.kind = sf.kind AND fm.field = sf.field
 ORDER BY sf.kind, sf.position;
COMMENT ON VIEW buying_group.fields IS 'For each bound accounts or persons table: the column of each standard field';
COMMENT ON COLUMN buying_group.fields.kind IS 'accounts or persons';
COMMENT ON COLUMN buying_group.fields.field IS 'Standard field: what sales alerts and LinkedIn exports read';
COMMENT ON COLUMN buying_group.fields.column_name IS 'The column holding it (NULL: none, exported empty)';
COMMENT ON COLUMN buying_group.fields.how IS 'mapped (with map_fields) or detected (by the column''s name)';
COMMENT ON COLUMN buying_group.fields.description IS 'What the field is';
