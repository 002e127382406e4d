/*
 * rule_sql.c
 *		Rule -> SQL predicate, for account audiences served as views.
 *
 * The predicate means exactly what the C evaluator computes (the audience
 * test compares the two on every account), and it is plain SQL over the
 * table's columns so that the planner can use the table's indexes: numbers
 * and dates compare the column itself (a btree index on it serves them);
 * text compares lower(btrim(column, <white space>)), which an expression
 * index on that expression serves. Every identifier goes through
 * quote_identifier and every constant through quote_literal: no rule can
 * inject SQL.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/typcache.h"

#include "rule.h"

/* The white space the rule language trims, as a SQL literal. */
#define SQL_TRIM_SET "E' \\t\\n\\r\\f\\x0b'"

/* Appends the raw value of a slot as SQL: column, jsonb path or text form. */
static void
append_raw(StringInfo out, AttrSlot *slot, TupleDesc tupdesc, const char *alias, bool as_text)
{
	const char *col = quote_identifier(NameStr(TupleDescAttr(tupdesc, slot->attno)->attname));
	const char *qual = alias ? psprintf("%s.%s", quote_identifier(alias), col) : col;

	if (slot->engagement)		/* the evaluator's lookup: NULL without a key, 0 without a score */
		qual = psprintf("CASE WHEN %1$s IS NOT NULL THEN COALESCE((SELECT ps.engagement "
						"FROM buying_group.person_score ps "
						"WHERE ps.person_key OPERATOR(pg_catalog.=) (%1$s)::pg_catalog.text), 0) END", qual);

	if (slot->kind == VK_JSON_PATH)
	{
		Datum		path = slot->json_path;

		/* array_out keeps a cache in its FmgrInfo: called with one, never directly */
		appendStringInfo(out, "(%s OPERATOR(pg_catalog.#>>) %s::pg_catalog.text[])", qual,
						 quote_literal_cstr(OidOutputFunctionCall(F_ARRAY_OUT, path)));
	}
	else if (!as_text || slot->kind == VK_TEXT)
		appendStringInfoString(out, qual);
	else
	{
		/* the type's output function, exactly as the evaluator reads it */
		Oid			outfunc;
		bool		isvarlena;

		getTypeOutputInfo(slot->typid, &outfunc, &isvarlena);
		appendStringInfo(out, "pg_catalog.textin(%s(%s))",
						 quote_qualified_identifier(get_namespace_name(get_func_namespace(outfunc)),
													get_func_name(outfunc)),
						 qual);
	}
}

/* Appends the folded (trimmed, lower-cased) text of a slot. */
static void
append_folded(StringInfo out, AttrSlot *slot, TupleDesc tupdesc, const char *alias)
{
	appendStringInfoString(out, "pg_catalog.lower(pg_catalog.btrim(");
	append_raw(out, slot, tupdesc, alias, true);
	appendStringInfoString(out, ", " SQL_TRIM_SET "))");
}

/* Appends a constant typed for the slot's column, so that its indexes apply. */
static void
append_typed_const(StringInfo out, AttrSlot *slot, const RuleConst *c)
{
	switch (slot->kind)
	{
		case VK_DATE:
		case VK_TIMESTAMP:
			appendStringInfo(out, "%s::%s", quote_literal_cstr(c->str),
							 format_type_be_qualified(slot->typid));
			break;
		case VK_BOOL:
			appendStringInfoString(out, c->boolval ? "true" : "false");
			break;
		case VK_INT:
			/* int8 keeps a btree index on an integer column usable */
			appendStringInfo(out, "%s::pg_catalog.%s", quote_literal_cstr(c->str),
							 c->is_integer ? "int8" : "numeric");
			break;
		case VK_FLOAT:
			appendStringInfo(out, "%s::pg_catalog.float8", quote_literal_cstr(c->str));
			break;
		default:
			appendStringInfo(out, "%s::pg_catalog.numeric", quote_literal_cstr(c->str));
			break;
	}
}

/* Appends the typed value of a slot: the column, or a jsonb path read as a number. */
static void
append_typed_value(StringInfo out, AttrSlot *slot, TupleDesc tupdesc, const char *alias)
{
	if (slot->kind != VK_JSON_PATH)
	{
		append_raw(out, slot, tupdesc, alias, false);
		return;
	}
	/* as the evaluator: a decimal number, or no value at all */
	appendStringInfoString(out, "(CASE WHEN ");
	append_folded(out, slot, tupdesc, alias);
	appendStringInfoString(out, " OPERATOR(pg_catalog.~) '" RULE_NUMBER_REGEX "' THEN ");
	append_folded(out, slot, tupdesc, alias);
	appendStringInfoString(out, "::pg_catalog.numeric END)");
}

/* Appends one text comparison of the folded value with constant c. */
static void
append_text_test(StringInfo out, RuleNode *leaf, AttrSlot *slot, TupleDesc tupdesc,
				 const char *alias, const RuleConst *c)
{
	const char *lit = quote_literal_cstr(c->folded);

	switch (leaf->op)
	{
		case OP_EQ:
		case OP_NE:
		case OP_IN:
		case OP_NOT_IN:
			append_folded(out, slot, tupdesc, alias);
			appendStringInfo(out, " OPERATOR(pg_catalog.=) %s", lit);
			break;
		case OP_CONTAINS:
		case OP_NOT_CONTAINS:
			appendStringInfoString(out, "pg_catalog.strpos(");
			append_folded(out, slot, tupdesc, alias);
			appendStringInfo(out, ", %s) OPERATOR(pg_catalog.>) 0", lit);
			break;
		case OP_STARTS_WITH:
			appendStringInfoString(out, "pg_catalog.starts_with(");
			append_folded(out, slot, tupdesc, alias);
			appendStringInfo(out, ", %s)", lit);
			break;
		case OP_ENDS_WITH:
			appendStringInfoString(out, "pg_catalog.\"right\"(");
			append_folded(out, slot, tupdesc, alias);
			appendStringInfo(out, ", pg_catalog.length(%s)) OPERATOR(pg_catalog.=) %s", lit, lit);
			break;
		case OP_MATCHES:
			append_folded(out, slot, tupdesc, alias);
			appendStringInfo(out, " OPERATOR(pg_catalog.~*) %s", quote_literal_cstr(c->str));
			break;
		case OP_TITLE_LIKE:
			appendStringInfoString(out, "buying_group.title_similarity(");
			append_folded(out, slot, tupdesc, alias);
			appendStringInfo(out, ", %s) OPERATOR(pg_catalog.>=) %s::pg_catalog.float8",
							 quote_literal_cstr(c->str),
							 quote_literal_cstr(psprintf("%.17g", leaf->threshold)));
			break;
		default:
			elog(ERROR, "operator %s is not a text operator", rule_op_name(leaf->op));
	}
}

/*
 * Appends the SQL of one leaf. A NULL attribute makes a leaf false in the
 * evaluator; in SQL it makes it NULL, which AND, OR and WHERE treat as false
 * too, so only leaves under a NOT are wrapped in COALESCE(..., false). The
 * others stay bare comparisons that an index can serve.
 */
static void
append_leaf(StringInfo out, BoundRule *br, int idx, const char *alias, bool under_not)
{
	RuleNode   *leaf = &br->rule->nodes[idx];
	BoundLeaf  *bl = &br->leaves[idx];
	TupleDesc	tupdesc = br->binding->tupdesc;
	AttrSlot   *slot = &br->binding->slots[bl->slot];
	const RuleOpInfo *info = rule_op_info(leaf->op);
	int			i;

	if (leaf->opclass == OPC_EMPTINESS)
	{
		bool		textual = slot->kind == VK_TEXT || slot->kind == VK_OTHER || slot->kind == VK_JSON_PATH;

		appendStringInfoChar(out, '(');
		if (textual)
		{
			appendStringInfoString(out, "COALESCE(");
			append_folded(out, slot, tupdesc, alias);
			appendStringInfo(out, ", '') OPERATOR(pg_catalog.%s) ''",
							 leaf->op == OP_IS_EMPTY ? "=" : "<>");
		}
		else
		{
			append_raw(out, slot, tupdesc, alias, false);
			appendStringInfoString(out, leaf->op == OP_IS_EMPTY ? " IS NULL" : " IS NOT NULL");
		}
		appendStringInfoChar(out, ')');
		return;
	}

	if (under_not)
		appendStringInfoString(out, "COALESCE(");
	if (info->negated)
		appendStringInfoString(out, "NOT ");
	appendStringInfoChar(out, '(');
	if (bl->typed && leaf->opclass == OPC_ORDER)
	{
		append_typed_value(out, slot, tupdesc, alias);
		if (leaf->op == OP_BETWEEN)
		{
			/* SQL's BETWEEN is gte the first value and lte the second */
			appendStringInfoString(out, " BETWEEN ");
			append_typed_const(out, slot, &leaf->consts[0]);
			appendStringInfoString(out, " AND ");
			append_typed_const(out, slot, &leaf->consts[1]);
		}
		else
		{
			appendStringInfo(out, " OPERATOR(pg_catalog.%s) ", info->sql);
			append_typed_const(out, slot, &leaf->consts[0]);
		}
	}
	else if (bl->typed)
	{
		append_typed_value(out, slot, tupdesc, alias);
		appendStringInfoString(out, " IN (");
		for (i = 0; i < leaf->nconsts; i++)
		{
			if (i > 0)
				appendStringInfoString(out, ", ");
			append_typed_const(out, slot, &leaf->consts[i]);
		}
		appendStringInfoChar(out, ')');
	}
	else if (leaf->opclass == OPC_EQUALITY)
	{
		append_folded(out, slot, tupdesc, alias);
		appendStringInfoString(out, " IN (");
		for (i = 0; i < leaf->nconsts; i++)
			appendStringInfo(out, "%s%s", i > 0 ? ", " : "", quote_literal_cstr(leaf->consts[i].folded));
		appendStringInfoChar(out, ')');
	}
	else
	{
		for (i = 0; i < leaf->nconsts; i++)
		{
			if (i > 0)
				appendStringInfoString(out, " OR ");
			append_text_test(out, leaf, slot, tupdesc, alias, &leaf->consts[i]);
		}
	}
	appendStringInfoString(out, under_not ? "), false)" : ")");
}

/* Appends a quoted, folded list: ('a', 'b'). */
static void
append_word_list(StringInfo out, char **words, int n)
{
	int			i;

	appendStringInfoChar(out, '(');
	for (i = 0; i < n; i++)
		appendStringInfo(out, "%s%s", i > 0 ? ", " : "", quote_literal_cstr(words[i]));
	appendStringInfoChar(out, ')');
}

/*
 * Appends the SQL of a buying-group filter: EXISTS over the account's
 * stored buying groups. key_column holds the account key in the row.
 */
static void
append_group(StringInfo out, GroupFilter *f, const char *alias, const char *key_column)
{
	const char *key = quote_identifier(key_column);

	appendStringInfoString(out, "EXISTS (SELECT FROM buying_group.buying_groups g WHERE g.account_key OPERATOR(pg_catalog.=) ");
	if (alias)
		appendStringInfo(out, "%s.", quote_identifier(alias));
	appendStringInfo(out, "%s::pg_catalog.text", key);
	if (f->solution_interest)
		appendStringInfo(out, " AND g.solution_interest OPERATOR(pg_catalog.=) %s",
						 quote_literal_cstr(f->solution_interest));
	if (f->has_completeness)
		appendStringInfo(out, " AND g.completeness BETWEEN %s::pg_catalog.numeric AND %s::pg_catalog.numeric",
						 quote_literal_cstr(psprintf("%.17g", f->completeness[0])),
						 quote_literal_cstr(psprintf("%.17g", f->completeness[1])));
	if (f->has_engagement)
		appendStringInfo(out, " AND g.engagement BETWEEN %s::pg_catalog.numeric AND %s::pg_catalog.numeric",
						 quote_literal_cstr(psprintf("%.17g", f->engagement[0])),
						 quote_literal_cstr(psprintf("%.17g", f->engagement[1])));
	if (f->nstages > 0)
	{
		appendStringInfoString(out, " AND pg_catalog.lower(pg_catalog.btrim(g.stage, " SQL_TRIM_SET ")) IN ");
		append_word_list(out, f->stages, f->nstages);
	}
	if (f->nstatuses > 0)
	{
		appendStringInfoString(out, " AND pg_catalog.lower(pg_catalog.btrim(g.status, " SQL_TRIM_SET ")) IN ");
		append_word_list(out, f->statuses, f->nstatuses);
	}
	if (f->missing_role)
		appendStringInfo(out, " AND EXISTS (SELECT FROM buying_group.missing_roles mr"
						 " WHERE mr.buying_group_id OPERATOR(pg_catalog.=) g.id"
						 " AND mr.role OPERATOR(pg_catalog.=) %s)",
						 quote_literal_cstr(f->missing_role));
	if (f->role)
		appendStringInfo(out, " AND (SELECT pg_catalog.count(*) FROM buying_group.members m"
						 " WHERE m.buying_group_id OPERATOR(pg_catalog.=) g.id AND NOT m.is_removed"
						 " AND m.role OPERATOR(pg_catalog.=) %s) OPERATOR(pg_catalog.>=) " INT64_FORMAT,
						 quote_literal_cstr(f->role), f->at_least);
	appendStringInfoChar(out, ')');
}

/* Appends the SQL of node idx and its children; under_not: below a NOT. */
static void
append_node(StringInfo out, BoundRule *br, int idx, const char *alias, const char *key_column,
			bool under_not)
{
	RuleNode   *node = &br->rule->nodes[idx];
	int			i;

	check_stack_depth();
	switch (node->kind)
	{
		case RN_LEAF:
			append_leaf(out, br, idx, alias, under_not);
			break;
		case RN_NOT:
			appendStringInfoString(out, "(NOT ");
			append_node(out, br, node->children[0], alias, key_column, true);
			appendStringInfoChar(out, ')');
			break;
		case RN_ALL:
		case RN_ANY:
			appendStringInfoChar(out, '(');
			for (i = 0; i < node->nchildren; i++)
			{
				if (i > 0)
					appendStringInfoString(out, node->kind == RN_ALL ? " AND " : " OR ");
				append_node(out, br, node->children[i], alias, key_column, under_not);
			}
			appendStringInfoChar(out, ')');
			break;
		case RN_GROUP:
			if (key_column == NULL)
				rule_invalid(node->path, "Bind the accounts table first: buying-group filters match its key.",
							 "buying-group filters need the account key column");
			append_group(out, node->group, alias, key_column);
			break;
	}
}

PG_FUNCTION_INFO_V1(bg_rule_to_sql);

/*
 * SQL rule_to_sql(rule text, row_type regtype, alias text DEFAULT NULL,
 * key_column text DEFAULT NULL): the rule as a boolean SQL expression over
 * the row type's columns; key_column (the account key) enables buying-group
 * filters.
 */
Datum
bg_rule_to_sql(PG_FUNCTION_ARGS)
{
	text	   *rule_text;
	char	   *alias = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	char	   *key_column = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));
	Rule	   *rule;
	TupleDesc	tupdesc;
	RuleBinding *binding;
	BoundRule  *br;
	StringInfoData out;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	rule_text = rule_arg(fcinfo, 0);
	rule = rule_parse(VARDATA_ANY(rule_text), VARSIZE_ANY_EXHDR(rule_text), CurrentMemoryContext);
	tupdesc = lookup_rowtype_tupdesc(PG_GETARG_OID(1), -1);
	binding = rule_binding_create(tupdesc, CurrentMemoryContext);
	ReleaseTupleDesc(tupdesc);
	br = rule_bind(binding, rule, true);
	initStringInfo(&out);
	append_node(&out, br, 0, alias, key_column, false);
	PG_RETURN_TEXT_P(cstring_to_text(out.data));
}
