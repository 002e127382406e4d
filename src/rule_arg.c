/*
 * rule_arg.c
 *		A rule given to a SQL function: every function that takes a rule
 *		accepts it as text (whose errors carry a line and a column) or as
 *		jsonb; both reach the parser as JSON text.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"

#include "rule.h"

/* The declared type of argument argno of the function being called. */
static Oid
arg_type(FunctionCallInfo fcinfo, int argno)
{
	Oid			t;
	Oid		   *types;
	int			nargs;

	if (fcinfo->flinfo == NULL)		/* DirectFunctionCall: no type to know; text */
		return TEXTOID;
	t = get_fn_expr_argtype(fcinfo->flinfo, argno);
	if (!OidIsValid(t))
	{
		/* called without an expression tree: the catalog says */
		get_func_signature(fcinfo->flinfo->fn_oid, &types, &nargs);
		t = argno < nargs ? types[argno] : InvalidOid;
	}
	return getBaseType(t);		/* a domain over jsonb is jsonb */
}

/* Rule argument argno (not NULL) as JSON text, whether it is text or jsonb. */
text *
rule_arg(FunctionCallInfo fcinfo, int argno)
{
	if (arg_type(fcinfo, argno) == JSONBOID)
	{
		Jsonb	   *jb = PG_GETARG_JSONB_P(argno);

		return cstring_to_text(JsonbToCString(NULL, &jb->root, VARSIZE(jb)));
	}
	return PG_GETARG_TEXT_PP(argno);
}
