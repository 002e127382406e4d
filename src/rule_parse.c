/*
 * rule_parse.c
 *		JSON text -> Rule. The only file of buying_group that uses jansson.
 *
 * Every error a rule can have without knowing the row type it will run on
 * is raised here, when the rule is stored: malformed JSON (22032, with line
 * and column), unknown keys and operators, values of the wrong type, invalid
 * regular expressions (22023, naming the JSON path), and the size limits
 * (54000). The jansson tree never outlives this file's entry point.
 */
#include "postgres.h"

#include <jansson.h>

#include "catalog/pg_collation.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/float.h"
#include "utils/memutils.h"

#include "rule.h"
#include "title.h"

#define KNOWN_OPERATORS "eq, ne, in, not_in, contains, not_contains, starts_with, ends_with, " \
	"is_empty, is_not_empty, gt, gte, lt, lte, between, matches, title_like"

/* State of one parse: the growing node array and the running limits. */
typedef struct ParseState
{
	Rule	   *rule;
	int			capacity;
	bool		need_conversion;	/* database encoding is not UTF-8 */
} ParseState;

static int	compile_node(ParseState *ps, json_t *node, const char *path, int depth);

/* Raises the 22023 error of an invalid rule at a JSON path. */
void
rule_invalid(const char *path, const char *hint, const char *fmt,...)
{
	StringInfoData msg;

	initStringInfo(&msg);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&msg, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&msg, needed);
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid rule at %s: %s", path, msg.data),
			 hint ? errhint("%s", hint) : 0));
}

/* A jansson string (UTF-8) as a palloc'd string in the server encoding. */
static char *
server_string(ParseState *ps, json_t *str)
{
	const char *s = json_string_value(str);
	size_t		len = json_string_length(str);

	if (ps->need_conversion)
		return pg_any_to_server(s, (int) len, PG_UTF8);
	return pnstrdup(s, len);
}

/* Name of a JSON value's type, for error messages. */
static const char *
json_type_name(json_t *v)
{
	switch (json_typeof(v))
	{
		case JSON_OBJECT:
			return "an object";
		case JSON_ARRAY:
			return "an array";
		case JSON_STRING:
			return "a string";
		case JSON_INTEGER:
		case JSON_REAL:
			return "a number";
		case JSON_TRUE:
		case JSON_FALSE:
			return "a boolean";
		case JSON_NULL:
			return "null";
	}
	return "a value";
}

/* Appends a node to the rule and returns its index. */
static int
new_node(ParseState *ps, RuleNodeKind kind, const char *path)
{
	Rule	   *rule = ps->rule;
	RuleNode   *node;

	if (rule->nnodes >= RULE_MAX_NODES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("rule has too many nodes at %s", path),
				 errdetail("A rule may have at most %d conditions and combinators.", RULE_MAX_NODES),
				 errhint("Use \"in\" with a list of values instead of many \"eq\" conditions.")));
	if (rule->nnodes >= ps->capacity)
	{
		ps->capacity *= 2;
		rule->nodes = repalloc(rule->nodes, ps->capacity * sizeof(RuleNode));
	}
	node = &rule->nodes[rule->nnodes];
	memset(node, 0, sizeof(RuleNode));
	node->kind = kind;
	node->path = pstrdup(path);
	return rule->nnodes++;
}

/* Frees a compiled regular expression when its rule's memory goes. */
static void
free_regex(void *arg)
{
	pg_regfree((regex_t *) arg);
}

/* Compiles a matches pattern with PostgreSQL's regex engine, case-insensitive. */
static regex_t *
compile_regex(const char *pattern, const char *path)
{
	int			len = (int) strlen(pattern);
	pg_wchar   *wpat = palloc((len + 1) * sizeof(pg_wchar));
	int			wlen = pg_mb2wchar_with_len(pattern, wpat, len);
	regex_t    *re = palloc0(sizeof(regex_t));
	int			rc;
	MemoryContextCallback *cb;

	rc = pg_regcomp(re, wpat, wlen, REG_ADVANCED | REG_ICASE, DEFAULT_COLLATION_OID);
	pfree(wpat);
	if (rc != REG_OKAY)
	{
		char		errbuf[256];

		pg_regerror(rc, re, errbuf, sizeof(errbuf));
		rule_invalid(path, "Write a POSIX regular expression as the ~* operator accepts it.",
					 "invalid regular expression: %s", errbuf);
	}
	cb = palloc(sizeof(MemoryContextCallback));
	cb->func = free_regex;
	cb->arg = re;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	return re;
}

/* Converts one JSON scalar of a leaf's value into a RuleConst. */
static void
compile_const(ParseState *ps, json_t *v, RuleConst *c, const char *path)
{
	memset(c, 0, sizeof(RuleConst));
	switch (json_typeof(v))
	{
		case JSON_STRING:
			{
				const char *s;
				int			len;

				c->kind = RC_STRING;
				c->str = server_string(ps, v);
				s = c->str;
				len = (int) strlen(s);
				text_trim(&s, &len);
				c->folded = text_fold(s, len, &c->folded_len);
				break;
			}
		case JSON_INTEGER:
			c->kind = RC_NUMBER;
			c->is_integer = true;
			c->ival = (int64) json_integer_value(v);
			c->num = (double) c->ival;
			c->str = psprintf(INT64_FORMAT, c->ival);
			c->folded = c->str;
			c->folded_len = (int) strlen(c->str);
			break;
		case JSON_REAL:
			c->kind = RC_NUMBER;
			c->num = json_real_value(v);
			c->str = float8out_internal(c->num);
			c->folded = c->str;
			c->folded_len = (int) strlen(c->str);
			break;
		case JSON_TRUE:
		case JSON_FALSE:
			c->kind = RC_BOOL;
			c->boolval = json_is_true(v);
			c->str = pstrdup(c->boolval ? "true" : "false");
			c->folded = c->str;
			c->folded_len = (int) strlen(c->str);
			break;
		default:
			rule_invalid(path, NULL, "a value must be a string, a number or a boolean, not %s",
						 json_type_name(v));
	}
}

/* Which constant kinds an operator class accepts, as a bit mask. */
static int
accepted_kinds(RuleOpClass opclass)
{
	switch (opclass)
	{
		case OPC_EQUALITY:
			return (1 << RC_STRING) | (1 << RC_NUMBER) | (1 << RC_BOOL);
		case OPC_ORDER:
			return (1 << RC_STRING) | (1 << RC_NUMBER);
		default:
			return (1 << RC_STRING);
	}
}

/* Words for an accepted-kinds mask, for error messages. */
static const char *
kinds_words(int kinds)
{
	if (kinds == (1 << RC_STRING))
		return "a string";
	if (kinds == ((1 << RC_STRING) | (1 << RC_NUMBER)))
		return "a number or a date string";
	return "a string, a number or a boolean";
}

/*
 * Compiles the "value" of a leaf: a scalar or a non-empty array of scalars
 * of one kind, checked against what the operator accepts.
 */
static void
compile_value(ParseState *ps, RuleNode *leaf, json_t *value, const char *leafpath)
{
	RuleOpClass opclass = leaf->opclass;
	int			kinds = accepted_kinds(opclass);
	char	   *vpath = psprintf("%s.value", leafpath);
	int			i;

	if (opclass == OPC_EMPTINESS)
	{
		if (value != NULL && !json_is_null(value))
			rule_invalid(vpath, "Remove \"value\": this operator tests the attribute alone.",
						 "operator %s takes no value", rule_op_name(leaf->op));
		return;
	}
	if (value == NULL || json_is_null(value))
		rule_invalid(leafpath, NULL, "operator %s needs a \"value\"", rule_op_name(leaf->op));

	if (leaf->op == OP_BETWEEN)
	{
		if (!json_is_array(value) || json_array_size(value) != 2)
			rule_invalid(vpath, "Write the bounds as [low, high]; both are included.",
						 "operator between needs an array of two values, not %s",
						 json_is_array(value) ? "an array of another length" : json_type_name(value));
	}
	else if (opclass == OPC_ORDER && json_is_array(value))
		rule_invalid(vpath, "Use between for a range.",
					 "operator %s needs a single value, not an array", rule_op_name(leaf->op));

	if (json_is_array(value))
	{
		if (json_array_size(value) == 0)
			rule_invalid(vpath, NULL, "the list of values is empty");
		leaf->nconsts = (int) json_array_size(value);
	}
	else
		leaf->nconsts = 1;
	leaf->consts = palloc(leaf->nconsts * sizeof(RuleConst));

	for (i = 0; i < leaf->nconsts; i++)
	{
		json_t	   *v = json_is_array(value) ? json_array_get(value, i) : value;
		char	   *cpath = json_is_array(value) ? psprintf("%s[%d]", vpath, i) : vpath;
		RuleConst  *c = &leaf->consts[i];

		if (json_is_array(v) || json_is_object(v) || json_is_null(v))
			rule_invalid(cpath, NULL, "operator %s needs %s here, not %s",
						 rule_op_name(leaf->op), kinds_words(kinds), json_type_name(v));
		compile_const(ps, v, c, cpath);
		if ((kinds & (1 << c->kind)) == 0)
			rule_invalid(cpath, NULL, "operator %s needs %s here, not %s",
						 rule_op_name(leaf->op), kinds_words(kinds), json_type_name(v));
		if (i > 0 && c->kind != leaf->consts[0].kind)
			rule_invalid(cpath, NULL, "all values of a list must be of one type; %s[0] is %s",
						 vpath, json_type_name(json_array_get(value, 0)));
		if (leaf->op == OP_MATCHES)
			c->regex = compile_regex(c->str, cpath);
		else if (leaf->op == OP_TITLE_LIKE)
			c->title = title_key_make(c->str, (int) strlen(c->str));
	}

	if (leaf->op == OP_BETWEEN && leaf->consts[0].kind == RC_NUMBER &&
		leaf->consts[0].num > leaf->consts[1].num)
		rule_invalid(vpath, "Write the lower bound first.",
					 "the lower bound %s is greater than the upper bound %s",
					 leaf->consts[0].str, leaf->consts[1].str);
}

/* Compiles a leaf {"attr": ..., "op": ..., "value": ...}. */
static int
compile_leaf(ParseState *ps, json_t *obj, const char *path)
{
	int			idx = new_node(ps, RN_LEAF, path);
	RuleNode   *leaf;
	const char *key;
	json_t	   *v;
	json_t	   *attr = json_object_get(obj, "attr");
	json_t	   *op = json_object_get(obj, "op");
	json_t	   *threshold = json_object_get(obj, "threshold");
	const char *opname;
	const RuleOpInfo *info;

	json_object_foreach(obj, key, v)
	{
		if (strcmp(key, "attr") != 0 && strcmp(key, "op") != 0 &&
			strcmp(key, "value") != 0 && strcmp(key, "threshold") != 0)
			rule_invalid(psprintf("%s.%s", path, key),
						 "A condition has the keys attr, op, value (and threshold for title_like); "
						 "a combinator has one key: all, any or not.",
						 "unknown key \"%s\"", key);
	}
	if (attr == NULL)
		rule_invalid(path, "Name the column to test, e.g. {\"attr\": \"job_title\", \"op\": \"contains\", \"value\": \"cto\"}.",
					 "condition has no \"attr\"");
	if (!json_is_string(attr) || json_string_length(attr) == 0)
		rule_invalid(psprintf("%s.attr", path), NULL, "\"attr\" must be a non-empty string, not %s",
					 json_is_string(attr) ? "an empty string" : json_type_name(attr));
	if (op == NULL)
		rule_invalid(path, "Known operators: " KNOWN_OPERATORS ".", "condition has no \"op\"");
	if (!json_is_string(op))
		rule_invalid(psprintf("%s.op", path), "Known operators: " KNOWN_OPERATORS ".",
					 "\"op\" must be a string, not %s", json_type_name(op));

	/* new_node may have moved the array: take the pointer only now */
	leaf = &ps->rule->nodes[idx];
	leaf->attr = server_string(ps, attr);
	opname = json_string_value(op);
	info = rule_op_by_name(opname);
	if (info == NULL)
		rule_invalid(psprintf("%s.op", path), "Known operators: " KNOWN_OPERATORS ".",
					 "unknown operator \"%s\"", server_string(ps, op));
	leaf->op = info->op;
	leaf->opclass = info->opclass;

	leaf->threshold = TITLE_LIKE_DEFAULT_THRESHOLD;
	if (threshold != NULL)
	{
		char	   *tpath = psprintf("%s.threshold", path);

		if (leaf->op != OP_TITLE_LIKE)
			rule_invalid(tpath, NULL, "\"threshold\" applies only to title_like");
		if (!json_is_number(threshold))
			rule_invalid(tpath, NULL, "\"threshold\" must be a number, not %s",
						 json_type_name(threshold));
		leaf->threshold = json_number_value(threshold);
		if (!(leaf->threshold > 0.0 && leaf->threshold <= 1.0))
			rule_invalid(tpath, "A similarity threshold lies in (0, 1]; the default is 0.5.",
						 "\"threshold\" must be greater than 0 and at most 1");
	}
	compile_value(ps, leaf, json_object_get(obj, "value"), path);
	return idx;
}

/* Reads an inclusive [low, high] range of numbers within 0..100. */
static void
compile_range(json_t *v, double *range, const char *path)
{
	if (!json_is_array(v) || json_array_size(v) != 2 ||
		!json_is_number(json_array_get(v, 0)) || !json_is_number(json_array_get(v, 1)))
		rule_invalid(path, "Write the range as [low, high], e.g. [50, 100]; both ends are included.",
					 "a range of two numbers is needed, not %s", json_type_name(v));
	range[0] = json_number_value(json_array_get(v, 0));
	range[1] = json_number_value(json_array_get(v, 1));
	if (range[0] > range[1] || range[0] < 0 || range[1] > 100)
		rule_invalid(path, "Scores run from 0 to 100; write the lower bound first.",
					 "the range [%g, %g] is not within 0..100 in order", range[0], range[1]);
}

/* Reads a string or a non-empty list of strings, folded, for stage and status. */
static char **
compile_words(ParseState *ps, json_t *v, int *n, const char *path)
{
	char	  **words;
	int			i;

	if (json_is_string(v))
		*n = 1;
	else if (json_is_array(v) && json_array_size(v) > 0)
		*n = (int) json_array_size(v);
	else
		rule_invalid(path, NULL, "a string or a non-empty list of strings is needed, not %s",
					 json_type_name(v));
	words = palloc(*n * sizeof(char *));
	for (i = 0; i < *n; i++)
	{
		json_t	   *w = json_is_array(v) ? json_array_get(v, i) : v;
		char	   *s;
		int			len;

		if (!json_is_string(w))
			rule_invalid(path, NULL, "every value must be a string, not %s", json_type_name(w));
		s = server_string(ps, w);
		len = (int) strlen(s);
		text_trim((const char **) &s, &len);
		words[i] = text_fold(s, len, &len);
	}
	return words;
}

/* Reads a non-empty string. */
static char *
compile_name(ParseState *ps, json_t *v, const char *path)
{
	if (!json_is_string(v) || json_string_length(v) == 0)
		rule_invalid(path, NULL, "a non-empty string is needed, not %s", json_type_name(v));
	return server_string(ps, v);
}

/*
 * Compiles {"buying_group": {"solution_interest": ..., "completeness": [lo, hi],
 * "engagement": [lo, hi], "stage": ..., "status": ..., "missing_role": ...,
 * "role": ..., "at_least": n}}.
 */
static int
compile_group(ParseState *ps, json_t *obj, const char *path)
{
	int			idx = new_node(ps, RN_GROUP, path);
	char	   *gpath = psprintf("%s.buying_group", path);
	GroupFilter *f = palloc0(sizeof(GroupFilter));
	const char *key;
	json_t	   *v;

	if (!json_is_object(obj))
		rule_invalid(gpath, NULL, "\"buying_group\" needs an object of filters, not %s", json_type_name(obj));
	json_object_foreach(obj, key, v)
	{
		char	   *kpath = psprintf("%s.%s", gpath, key);

		if (strcmp(key, "solution_interest") == 0)
			f->solution_interest = compile_name(ps, v, kpath);
		else if (strcmp(key, "completeness") == 0)
		{
			compile_range(v, f->completeness, kpath);
			f->has_completeness = true;
		}
		else if (strcmp(key, "engagement") == 0)
		{
			compile_range(v, f->engagement, kpath);
			f->has_engagement = true;
		}
		else if (strcmp(key, "stage") == 0)
			f->stages = compile_words(ps, v, &f->nstages, kpath);
		else if (strcmp(key, "status") == 0)
			f->statuses = compile_words(ps, v, &f->nstatuses, kpath);
		else if (strcmp(key, "missing_role") == 0)
			f->missing_role = compile_name(ps, v, kpath);
		else if (strcmp(key, "role") == 0)
			f->role = compile_name(ps, v, kpath);
		else if (strcmp(key, "at_least") == 0)
		{
			if (!json_is_integer(v) || json_integer_value(v) < 1)
				rule_invalid(kpath, NULL, "\"at_least\" must be a whole number of at least 1");
			f->at_least = (int64) json_integer_value(v);
		}
		else
			rule_invalid(kpath, "Buying-group filters: solution_interest, completeness, engagement, stage, "
						 "status, missing_role, role with at_least.",
						 "unknown buying-group filter \"%s\"", key);
	}
	if ((f->role == NULL) != (f->at_least == 0))
		rule_invalid(gpath, "Write {\"role\": \"Champion\", \"at_least\": 2}.",
					 "\"role\" and \"at_least\" go together");
	ps->rule->nodes[idx].group = f;
	return idx;
}

/* Compiles {"all": [...]} or {"any": [...]}. */
static int
compile_list(ParseState *ps, json_t *list, RuleNodeKind kind, const char *path, int depth)
{
	const char *word = kind == RN_ALL ? "all" : "any";
	char	   *lpath = psprintf("%s.%s", path, word);
	int			idx = new_node(ps, kind, path);
	int			n;
	int		   *children;
	int			i;

	if (!json_is_array(list))
		rule_invalid(lpath, NULL, "\"%s\" needs an array of rules, not %s", word, json_type_name(list));
	n = (int) json_array_size(list);
	if (n == 0)
		rule_invalid(lpath, NULL, "\"%s\" needs at least one rule", word);
	children = palloc(n * sizeof(int));
	for (i = 0; i < n; i++)
		children[i] = compile_node(ps, json_array_get(list, i),
								   psprintf("%s[%d]", lpath, i), depth + 1);
	ps->rule->nodes[idx].nchildren = n;
	ps->rule->nodes[idx].children = children;
	return idx;
}

/* Compiles any rule node: a combinator or a leaf. */
static int
compile_node(ParseState *ps, json_t *node, const char *path, int depth)
{
	json_t	   *all;
	json_t	   *any;
	json_t	   *not;
	int			ncomb;

	CHECK_FOR_INTERRUPTS();
	if (depth > RULE_MAX_DEPTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("rule nesting is too deep at %s", path),
				 errdetail("Rules may nest all, any and not at most %d levels deep.", RULE_MAX_DEPTH)));
	if (!json_is_object(node))
		rule_invalid(path, "A rule is an object: a condition {\"attr\", \"op\", \"value\"} "
					 "or a combinator {\"all\": [...]}, {\"any\": [...]}, {\"not\": {...}}.",
					 "expected an object, not %s", json_type_name(node));

	all = json_object_get(node, "all");
	any = json_object_get(node, "any");
	not = json_object_get(node, "not");
	ncomb = (all != NULL) + (any != NULL) + (not != NULL);
	if (json_object_get(node, "buying_group") != NULL)
	{
		if (ncomb > 0 || json_object_size(node) > 1)
			rule_invalid(path, NULL, "a buying-group filter object must have exactly one key, \"buying_group\"");
		return compile_group(ps, json_object_get(node, "buying_group"), path);
	}
	if (ncomb == 0)
		return compile_leaf(ps, node, path);
	if (ncomb > 1 || json_object_size(node) > 1)
		rule_invalid(path, "Nest the parts: {\"all\": [{...}, {\"any\": [...]}]}.",
					 "a combinator object must have exactly one key (all, any or not)");
	if (all != NULL)
		return compile_list(ps, all, RN_ALL, path, depth);
	if (any != NULL)
		return compile_list(ps, any, RN_ANY, path, depth);
	{
		int			idx = new_node(ps, RN_NOT, path);
		int			child = compile_node(ps, not, psprintf("%s.not", path), depth + 1);

		ps->rule->nodes[idx].nchildren = 1;
		ps->rule->nodes[idx].children = palloc(sizeof(int));
		ps->rule->nodes[idx].children[0] = child;
		return idx;
	}
}

/* Loads the JSON text into a jansson tree, reporting syntax errors as 22032. */
static json_t *
load_json(const char *json, size_t len, bool need_conversion)
{
	json_error_t err;
	json_t	   *root;
	const char *utf8 = json;

	if (len > RULE_MAX_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("rule is too large: %zu bytes", len),
				 errdetail("A rule may be at most %d bytes long.", RULE_MAX_BYTES)));
	if (need_conversion)
	{
		utf8 = pg_server_to_any(json, (int) len, PG_UTF8);
		len = strlen(utf8);
	}
	root = json_loadb(utf8, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (root == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_JSON_TEXT),
				 errmsg("malformed rule JSON at line %d, column %d: %s",
						err.line, err.column, err.text),
				 errhint("Rules are JSON documents such as {\"attr\": \"job_title\", \"op\": \"contains\", \"value\": \"cto\"}.")));
	return root;
}

/*
 * Parses and checks the rule in json[0..len) and returns its compiled form,
 * in a new memory context under parent. Raises every error of the rule.
 */
Rule *
rule_parse(const char *json, size_t len, MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "buying_group rule",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	ParseState	ps;
	json_t	   *volatile root = NULL;	/* volatile: read in PG_CATCH after a longjmp */

	ps.rule = palloc0(sizeof(Rule));
	ps.rule->cxt = cxt;
	ps.capacity = 8;
	ps.rule->nodes = palloc(ps.capacity * sizeof(RuleNode));
	ps.need_conversion = GetDatabaseEncoding() != PG_UTF8;

	PG_TRY();
	{
		root = load_json(json, len, ps.need_conversion);
		compile_node(&ps, root, "$", 1);
	}
	PG_CATCH();
	{
		if (root != NULL)
			json_decref(root);
		MemoryContextSwitchTo(old);
		MemoryContextDelete(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();
	json_decref(root);
	MemoryContextSwitchTo(old);
	return ps.rule;
}

/* Frees a rule and everything it owns (compiled regexes included). */
void
rule_free(Rule *rule)
{
	MemoryContextDelete(rule->cxt);
}
