/*
 * engagement_attr.c
 *		The special rule attribute person_engagement_score (SPEC 3): a
 *		person's engagement score from the last refresh, read through the
 *		bound persons table's key.
 *
 * A rule naming it binds only to rows of the bound persons table (unless
 * that row has a column of that name, which then wins). The score is looked
 * up with one index probe per row that reaches the condition; a person
 * without a score (no refresh yet, or inserted since) counts 0, as in the
 * person_engagement view.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"

#include "rule.h"

/* The bound persons table's key column for rows of this type, or NULL. */
static char *
persons_key_column(Oid rowtype)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1] = {ObjectIdGetDatum(rowtype)};
	MemoryContext caller = CurrentMemoryContext;
	char	   *key = NULL;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT b.key_column::pg_catalog.text FROM buying_group.binding b "
							  "JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) b.relation "
							  "WHERE b.kind OPERATOR(pg_catalog.=) 'persons' "
							  "AND c.reltype OPERATOR(pg_catalog.=) $1",
							  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "looking up the persons binding failed");
	if (SPI_processed == 1)
	{
		char	   *k = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		if (k != NULL)
			key = MemoryContextStrdup(caller, k);
	}
	SPI_finish();
	return key;
}

/*
 * Makes a slot read person_engagement_score for rows of tupdesc: the key
 * column is found through the persons binding; raises at the rule's JSON
 * path when tupdesc is not the bound persons table's row type.
 */
void
engagement_slot_bind(AttrSlot *slot, TupleDesc tupdesc, const char *path, MemoryContext cxt)
{
	char	   *key = OidIsValid(tupdesc->tdtypeid) && tupdesc->tdtypeid != RECORDOID
		? persons_key_column(tupdesc->tdtypeid) : NULL;
	Oid			outfunc;
	bool		isvarlena;
	int			i;

	if (key == NULL)
		rule_invalid(path, "person_engagement_score is the engagement of a person of the bound persons table; "
					 "match rows of that table (buying_group.bind_persons binds it).",
					 "attribute \"person_engagement_score\" needs a row of the bound persons table, not %s",
					 OidIsValid(tupdesc->tdtypeid) && tupdesc->tdtypeid != RECORDOID
					 ? format_type_be(tupdesc->tdtypeid) : "an anonymous record");
	slot->attno = -1;
	for (i = 0; i < tupdesc->natts; i++)
		if (!TupleDescAttr(tupdesc, i)->attisdropped &&
			strcmp(NameStr(TupleDescAttr(tupdesc, i)->attname), key) == 0)
			slot->attno = i;
	if (slot->attno < 0)
		elog(ERROR, "key column \"%s\" of the persons binding is missing", key);
	slot->engagement = true;
	slot->typid = NUMERICOID;
	slot->kind = VK_NUMERIC;
	getTypeOutputInfo(TupleDescAttr(tupdesc, slot->attno)->atttypid, &outfunc, &isvarlena);
	fmgr_info_cxt(outfunc, &slot->key_outfunc, cxt);
}

/*
 * The engagement score of the person whose key is given (in the key
 * column's type), as a numeric allocated in cxt; 0 when it has none.
 */
Datum
engagement_lookup(AttrSlot *slot, Datum key, MemoryContext cxt)
{
	static SPIPlanPtr plan = NULL;
	MemoryContext caller;
	Datum		args[1];
	Datum		result = (Datum) 0;
	bool		isnull = true;

	args[0] = CStringGetTextDatum(OutputFunctionCall(&slot->key_outfunc, key));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (plan == NULL)
	{
		Oid			argtypes[1] = {TEXTOID};
		SPIPlanPtr	p = SPI_prepare("SELECT ps.engagement FROM buying_group.person_score ps "
									"WHERE ps.person_key OPERATOR(pg_catalog.=) $1", 1, argtypes);

		if (p == NULL || SPI_keepplan(p) != 0)
			elog(ERROR, "preparing the engagement lookup failed: %s", SPI_result_code_string(SPI_result));
		plan = p;
	}
	if (SPI_execute_plan(plan, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "the engagement lookup failed");
	if (SPI_processed == 1)
		result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	caller = MemoryContextSwitchTo(cxt);	/* copied out before SPI_finish frees it */
	result = isnull ? DirectFunctionCall1(int4_numeric, Int32GetDatum(0)) : datumCopy(result, false, -1);
	MemoryContextSwitchTo(caller);
	SPI_finish();
	return result;
}
