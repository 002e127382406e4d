/*
 * sync_execute.c
 *		sync_execute(sql, ...): runs the membership sync statement with a plan
 *		kept for the session.
 *
 * The sync statement is built from the bound persons table's name and
 * columns, so PL/pgSQL can only run it with EXECUTE, which plans it anew
 * each time; on the single-row path of the persons triggers the planning
 * costs more than the work. For such calls (a few persons named) the
 * generic plan is prepared once per statement text and kept (plancache
 * replans it when a table it uses changes; a new binding gives a new text).
 * Bulk calls (COPY, maintenance: many or all persons) are planned for their
 * actual arguments every time: a generic plan over arrays of unknown size
 * can be orders of magnitude slower there.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "nodes/parsenodes.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#define SYNC_PLANS 8

/* Calls naming at most this many persons run the kept generic plan. */
#define SYNC_SMALL_CALL 64

typedef struct SyncPlan
{
	char	   *sql;
	SPIPlanPtr	plan;
} SyncPlan;

/* si_id, template, accounts, persons, follow_attributes */
static Oid	sync_argtypes[5] = {INT4OID, TEXTOID, TEXTARRAYOID, TEXTARRAYOID, BOOLOID};

static SyncPlan sync_plans[SYNC_PLANS];
static int	sync_nplans = 0;

/* The kept plan of a statement text, preparing it on first use. */
static SPIPlanPtr
sync_plan(const char *sql)
{
	SPIPlanPtr	plan;
	int			i;

	for (i = 0; i < sync_nplans; i++)
		if (strcmp(sync_plans[i].sql, sql) == 0)
			return sync_plans[i].plan;

	/* a generic plan: replanning per call is what this file avoids */
	plan = SPI_prepare_cursor(sql, 5, sync_argtypes, CURSOR_OPT_GENERIC_PLAN);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	if (sync_nplans == SYNC_PLANS)
	{
		/* forget the oldest */
		SPI_freeplan(sync_plans[0].plan);
		pfree(sync_plans[0].sql);
		memmove(&sync_plans[0], &sync_plans[1], (SYNC_PLANS - 1) * sizeof(SyncPlan));
		sync_nplans--;
	}
	sync_plans[sync_nplans].sql = MemoryContextStrdup(TopMemoryContext, sql);
	sync_plans[sync_nplans].plan = plan;
	sync_nplans++;
	return plan;
}

PG_FUNCTION_INFO_V1(bg_sync_execute);

/*
 * SQL sync_execute(sql text, si_id integer, template text, accounts text[],
 * persons text[], follow_attributes boolean) -> bigint[]: runs the sync
 * statement (whose one row, one column result is a bigint[]) and returns it.
 */
Datum
bg_sync_execute(PG_FUNCTION_ARGS)
{
	char	   *sql;
	Datum		values[5];
	char		nulls[5];
	Datum		result = (Datum) 0;
	bool		isnull = true;
	int			i;
	int			rc;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the sync statement must not be null")));
	sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	for (i = 0; i < 5; i++)
	{
		nulls[i] = PG_ARGISNULL(i + 1) ? 'n' : ' ';
		values[i] = PG_ARGISNULL(i + 1) ? (Datum) 0 : PG_GETARG_DATUM(i + 1);
	}
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (!PG_ARGISNULL(4) &&
		ArrayGetNItems(ARR_NDIM(PG_GETARG_ARRAYTYPE_P(4)), ARR_DIMS(PG_GETARG_ARRAYTYPE_P(4))) <= SYNC_SMALL_CALL)
		rc = SPI_execute_plan(sync_plan(sql), values, nulls, false, 0);
	else
		rc = SPI_execute_with_args(sql, 5, sync_argtypes, values, nulls, false, 0);
	if (rc < 0)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 1 && SPI_tuptable->tupdesc->natts == 1 &&
		SPI_gettypeid(SPI_tuptable->tupdesc, 1) == INT8ARRAYOID)
	{
		result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		if (!isnull)
			result = SPI_datumTransfer(result, false, -1);
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("sync statement must return one bigint[] value")));
	SPI_finish();
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}
