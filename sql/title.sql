-- title_like and normalize_title (SPEC 3.1): messy job titles normalised and compared.
SELECT t, buying_group.normalize_title(t) FROM (VALUES
  ('Sr. VP, Eng.'), ('SVP Engineering'), ('Head of IT Infrastructure'), ('CTO'), ('cio'),
  ('EVP & CFO'), ('Sr Mgr, Ops'), ('Jr. Dev'), ('Dir. of Marketing'), ('  VICE   PRESIDENT,ENGINEERING '),
  ('CISO / Head of Security'), ('Marketing Ops Mgr'), ('Assoc. Dir., Asst. to the GM'), (''), ('...'), ('Directeur Général')
) v(t);

-- similarity is symmetric, 1 for the same normalised title, 0 for nothing in common
SELECT a, b, round(buying_group.title_similarity(a, b)::numeric, 4) AS similarity,
       round(buying_group.title_similarity(b, a)::numeric, 4) = round(buying_group.title_similarity(a, b)::numeric, 4) AS symmetric
  FROM (VALUES
  ('Sr. VP, Eng.', 'senior vice president engineering'),
  ('SVP Engineering', 'vice president engineering'),
  ('VP of Sales', 'vice president engineering'),
  ('Engineering Director', 'Director of Engineering'),
  ('Head of IT Infrastructure', 'vice president engineering'),
  ('CTO', 'Chief Technology Officer'),
  ('Chief Technolgy Oficer', 'Chief Technology Officer'),
  ('', 'Chief Technology Officer'),
  ('', '')
) v(a, b);

-- title_like with the default threshold (0.5) and an explicit one
CREATE TABLE titled (title text);
INSERT INTO titled VALUES ('Sr. VP, Eng.'), ('SVP Engineering'), ('VP Engineering'), ('VP of Sales'),
  ('Head of IT Infrastructure'), ('Engineering Manager'), (NULL), ('');
SELECT title,
       buying_group.eval_rule('{"attr": "title", "op": "title_like", "value": "vice president engineering"}', t) AS default_05,
       buying_group.eval_rule('{"attr": "title", "op": "title_like", "value": "vice president engineering", "threshold": 0.8}', t) AS strict_08,
       buying_group.eval_rule('{"attr": "title", "op": "title_like", "value": ["vp sales", "cio"], "threshold": 0.6}', t) AS any_of,
       buying_group.eval_rule('{"not": {"attr": "title", "op": "title_like", "value": "vp engineering"}}', t) AS negated
  FROM titled t ORDER BY title NULLS LAST;
