/*
 * check_rule.c
 *		check_rule(rule text, row_type regtype): the gate every stored rule
 *		passes through.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "rule.h"

PG_FUNCTION_INFO_V1(bg_check_rule);

/*
 * Parses the rule (and, when a row type is given, binds it to that type);
 * raises the rule's first error, or returns the rule as jsonb.
 */
Datum
bg_check_rule(PG_FUNCTION_ARGS)
{
	text	   *rule_text;
	Rule	   *rule;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	rule_text = rule_arg(fcinfo, 0);
	rule = rule_parse(VARDATA_ANY(rule_text), VARSIZE_ANY_EXHDR(rule_text), CurrentMemoryContext);
	if (!PG_ARGISNULL(1))
	{
		Oid			typid = PG_GETARG_OID(1);
		TupleDesc	tupdesc = lookup_rowtype_tupdesc(typid, -1);
		RuleBinding *binding = rule_binding_create(tupdesc, CurrentMemoryContext);

		ReleaseTupleDesc(tupdesc);
		rule_bind(binding, rule, false);
		MemoryContextDelete(binding->cxt);
	}
	rule_free(rule);
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(text_to_cstring(rule_text))));
}
