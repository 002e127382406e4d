/*
 * calling_role.c
 *		calling_role(): the role that called the API, seen from inside a
 *		SECURITY DEFINER function.
 *
 * Inside a SECURITY DEFINER function current_user is the function's owner.
 * The checks that must hold for the caller (may it bind this table?) need
 * the role outside the function: the outer user, which is the session user
 * or the role set with SET ROLE. A caller cannot make it a role it is not a
 * member of.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"

PG_FUNCTION_INFO_V1(bg_calling_role);

/*
 * SQL calling_role() -> oid: the outer-level user of the session. Inside a
 * security-restricted operation (ANALYZE, VACUUM, an index build, REFRESH
 * MATERIALIZED VIEW run code of a table's owner) the outer user is not who
 * runs that code, so there is no caller to speak of: refused.
 */
Datum
bg_calling_role(PG_FUNCTION_ARGS)
{
	if (InSecurityRestrictedOperation())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("cannot bind a table within a security-restricted operation")));
	PG_RETURN_OID(GetOuterUserId());
}
