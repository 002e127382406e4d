/*
 * explain.c
 *		explain_match: why a person does (not) get each role of a template.
 *
 * For every role in priority order: whether it matched, and for every
 * node of its conditions the operator, the values, the value the row
 * holds for the attribute, and whether the node passed. The answer is
 * jsonb, built as JSON text and read back with jsonb_in.
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"

#include "match.h"

/* Appends a constant as a JSON value: strings quoted, numbers and booleans bare. */
static void
append_const(StringInfo out, const RuleConst *c)
{
	if (c->kind == RC_STRING)
		escape_json(out, c->str);
	else
		appendStringInfoString(out, c->str);
}

/* Appends the JSON explanation of node idx and its children. */
static void
explain_node(StringInfo out, BoundRule *br, int idx)
{
	RuleNode   *node = &br->rule->nodes[idx];
	bool		passed = rule_eval_node(br, idx);
	int			i;

	appendStringInfoString(out, "{\"path\": ");
	escape_json(out, node->path);
	if (node->kind == RN_LEAF)
	{
		StringInfoData seen;

		appendStringInfoString(out, ", \"attr\": ");
		escape_json(out, node->attr);
		appendStringInfo(out, ", \"op\": \"%s\"", rule_op_name(node->op));
		if (node->nconsts > 0)
		{
			appendStringInfoString(out, ", \"value\": ");
			if (node->nconsts > 1)
				appendStringInfoChar(out, '[');
			for (i = 0; i < node->nconsts; i++)
			{
				if (i > 0)
					appendStringInfoString(out, ", ");
				append_const(out, &node->consts[i]);
			}
			if (node->nconsts > 1)
				appendStringInfoChar(out, ']');
		}
		initStringInfo(&seen);
		appendStringInfoString(out, ", \"seen\": ");
		if (rule_attr_value_text(br, idx, &seen))
			escape_json(out, seen.data);
		else
			appendStringInfoString(out, "null");
		if (node->op == OP_TITLE_LIKE)
		{
			double		score = rule_title_score(br, idx);

			appendStringInfo(out, ", \"threshold\": %g", node->threshold);
			if (score >= 0)
				appendStringInfo(out, ", \"similarity\": %.4f", score);
		}
	}
	else
	{
		appendStringInfo(out, ", \"op\": \"%s\", \"children\": [",
						 node->kind == RN_ALL ? "all" : node->kind == RN_ANY ? "any" : "not");
		for (i = 0; i < node->nchildren; i++)
		{
			if (i > 0)
				appendStringInfoString(out, ", ");
			explain_node(out, br, node->children[i]);
		}
		appendStringInfoChar(out, ']');
	}
	appendStringInfo(out, ", \"passed\": %s}", passed ? "true" : "false");
}

PG_FUNCTION_INFO_V1(bg_explain_match);

/* SQL explain_match(template, record) -> jsonb. */
Datum
bg_explain_match(PG_FUNCTION_ARGS)
{
	BoundTemplate *bt = match_prepare(fcinfo, PG_GETARG_TEXT_PP(0), PG_GETARG_HEAPTUPLEHEADER(1));
	Template   *t = bt->tmpl;
	StringInfoData out;
	StringInfoData matched;
	const char *first = NULL;
	int			i;

	initStringInfo(&out);
	initStringInfo(&matched);
	appendStringInfoString(&out, "{\"template\": ");
	escape_json(&out, t->name);
	appendStringInfoString(&out, ", \"roles\": [");
	for (i = 0; i < t->nroles; i++)
	{
		TemplateRole *role = &t->roles[i];
		bool		holds = match_role_holds(bt, i);

		if (holds)
		{
			if (first == NULL)
				first = role->name;
			if (matched.len > 0)
				appendStringInfoString(&matched, ", ");
			escape_json(&matched, role->name);
		}
		if (i > 0)
			appendStringInfoString(&out, ", ");
		appendStringInfoString(&out, "{\"role\": ");
		escape_json(&out, role->name);
		appendStringInfo(&out, ", \"priority\": %d, \"matched\": %s, \"conditions\": ",
						 role->priority, holds ? "true" : "false");
		if (bt->roles[i] != NULL)
			explain_node(&out, bt->roles[i], 0);
		else
			appendStringInfoString(&out, "null");
		appendStringInfoChar(&out, '}');
	}
	appendStringInfoString(&out, "], \"role\": ");
	if (first != NULL)
		escape_json(&out, first);
	else
		appendStringInfoString(&out, "null");
	appendStringInfo(&out, ", \"matched_roles\": [%s]}", matched.data);
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(out.data)));
}
