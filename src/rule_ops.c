/*
 * rule_ops.c
 *		The operators of the rule language, in one table: the evaluator
 *		(rule_eval.c) and the SQL compiler (rule_sql.c) both read their
 *		meaning from it, so that a rule means the same in both.
 *
 * An operator has a class (what its values are), whether it means "none
 * of" its values, and, for the comparisons of typed values, which outcomes of
 * a three-way comparison of the attribute with a value make it hold together
 * with the SQL operator that holds for exactly those outcomes. Numbers
 * compare exactly as PostgreSQL compares them: integers and numerics as
 * numeric, floats as float8 (NaN above every number), and a number read at a
 * jsonb path as numeric.
 */
#include "postgres.h"

#include "rule.h"

#define CMP_LT 1
#define CMP_EQ 2
#define CMP_GT 4

static const RuleOpInfo op_infos[] = {
	[OP_EQ] = {"eq", OP_EQ, OPC_EQUALITY, false, CMP_EQ, "="},
	[OP_NE] = {"ne", OP_NE, OPC_EQUALITY, true, CMP_EQ, "="},
	[OP_IN] = {"in", OP_IN, OPC_EQUALITY, false, CMP_EQ, "="},
	[OP_NOT_IN] = {"not_in", OP_NOT_IN, OPC_EQUALITY, true, CMP_EQ, "="},
	[OP_CONTAINS] = {"contains", OP_CONTAINS, OPC_TEXT, false, 0, NULL},
	[OP_NOT_CONTAINS] = {"not_contains", OP_NOT_CONTAINS, OPC_TEXT, true, 0, NULL},
	[OP_STARTS_WITH] = {"starts_with", OP_STARTS_WITH, OPC_TEXT, false, 0, NULL},
	[OP_ENDS_WITH] = {"ends_with", OP_ENDS_WITH, OPC_TEXT, false, 0, NULL},
	[OP_IS_EMPTY] = {"is_empty", OP_IS_EMPTY, OPC_EMPTINESS, false, 0, NULL},
	[OP_IS_NOT_EMPTY] = {"is_not_empty", OP_IS_NOT_EMPTY, OPC_EMPTINESS, false, 0, NULL},
	[OP_GT] = {"gt", OP_GT, OPC_ORDER, false, CMP_GT, ">"},
	[OP_GTE] = {"gte", OP_GTE, OPC_ORDER, false, CMP_GT | CMP_EQ, ">="},
	[OP_LT] = {"lt", OP_LT, OPC_ORDER, false, CMP_LT, "<"},
	[OP_LTE] = {"lte", OP_LTE, OPC_ORDER, false, CMP_LT | CMP_EQ, "<="},
	/* inclusive at both ends, as in AJO: gte the first value and lte the second (SQL's BETWEEN) */
	[OP_BETWEEN] = {"between", OP_BETWEEN, OPC_ORDER, false, 0, "BETWEEN"},
	[OP_MATCHES] = {"matches", OP_MATCHES, OPC_REGEX, false, 0, NULL},
	[OP_TITLE_LIKE] = {"title_like", OP_TITLE_LIKE, OPC_TITLE, false, 0, NULL},
};

StaticAssertDecl(lengthof(op_infos) == OP_TITLE_LIKE + 1, "every operator has a row");

/* The row of an operator. */
const RuleOpInfo *
rule_op_info(RuleOp op)
{
	return &op_infos[op];
}

/* The row of the operator of that name, or NULL. */
const RuleOpInfo *
rule_op_by_name(const char *name)
{
	int			i;

	for (i = 0; i < (int) lengthof(op_infos); i++)
		if (strcmp(op_infos[i].name, name) == 0)
			return &op_infos[i];
	return NULL;
}

/* Name of an operator, as written in rules. */
const char *
rule_op_name(RuleOp op)
{
	return op_infos[op].name;
}

/* Does a three-way comparison's outcome (<0, 0, >0) make the operator hold? */
bool
rule_op_holds(RuleOp op, int cmp)
{
	return (op_infos[op].cmp_holds & (cmp < 0 ? CMP_LT : cmp > 0 ? CMP_GT : CMP_EQ)) != 0;
}
