/*
 * retired.c
 *		Entry points that older versions' SQL scripts still name.
 *
 * A database keeps its SQL definitions until ALTER EXTENSION ... UPDATE, and
 * CREATE EXTENSION ... VERSION of an older release runs that release's
 * script, so the library must still export every symbol those scripts name.
 * A function retired by a later version only says so.
 */
#include "postgres.h"

#include "fmgr.h"

PG_FUNCTION_INFO_V1(bg_sync_execute);

/*
 * 0.1.0's sync_execute(): since 0.2.0 the membership sync is generated for
 * the binding (buying_group_internal.compile_persons()).
 */
Datum
bg_sync_execute(PG_FUNCTION_ARGS)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("buying_group.sync_execute() was retired in buying_group 0.2.0"),
			 errhint("Run ALTER EXTENSION buying_group UPDATE in this database.")));
	PG_RETURN_NULL();			/* not reached */
}
