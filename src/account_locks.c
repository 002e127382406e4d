/*
 * account_locks.c
 *		lock_accounts(): the writers of buying groups, serialised by account.
 *
 * Every writer of a group (the persons trigger, assign_member, set_stage,
 * ...) takes its accounts' locks, transaction-level advisory locks, in one
 * global order, under a shared hold of one lock that the bulk jobs take
 * exclusively. Writers of the same account wait for each other and never
 * deadlock; a bulk job waits for every writer and every writer for it. The
 * trigger calls this on every write, so it is C: the keys are the same as
 * hashtextextended() gives in SQL.
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

#include "account_locks.h"

/* More account locks than this in one statement would crowd the lock table. */
#define MAX_ACCOUNT_LOCKS 1000

/* The lock key of a text, as hashtextextended(text, 0) gives it in SQL. */
static int64
lock_key(const char *s, int len)
{
	text	   *t = cstring_to_text_with_len(s, len);

	return DatumGetInt64(DirectFunctionCall2Coll(hashtextextended, DEFAULT_COLLATION_OID,
												 PointerGetDatum(t), Int64GetDatum(0)));
}

/* Orders lock keys. */
static int
key_cmp(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/*
 * Takes the locks of the given accounts (a text[], NULL elements ignored)
 * until the end of the transaction; NULL, or more than MAX_ACCOUNT_LOCKS
 * accounts, takes the lock that excludes every other writer instead.
 */
void
lock_accounts(ArrayType *accounts)
{
	static const char all_name[] = "buying_group all accounts";
	static const char prefix[] = "buying_group account ";
	int64		all = lock_key(all_name, sizeof(all_name) - 1);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int64	   *keys;
	int			nkeys = 0;
	StringInfoData name;
	int			i;

	if (accounts == NULL || ArrayGetNItems(ARR_NDIM(accounts), ARR_DIMS(accounts)) > MAX_ACCOUNT_LOCKS)
	{
		DirectFunctionCall1(pg_advisory_xact_lock_int8, Int64GetDatum(all));
		return;
	}
	DirectFunctionCall1(pg_advisory_xact_lock_shared_int8, Int64GetDatum(all));
	deconstruct_array(accounts, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	keys = palloc(Max(n, 1) * sizeof(int64));
	initStringInfo(&name);
	for (i = 0; i < n; i++)
	{
		text	   *a;

		if (nulls[i])
			continue;
		a = DatumGetTextPP(elems[i]);
		resetStringInfo(&name);
		appendBinaryStringInfo(&name, prefix, sizeof(prefix) - 1);
		appendBinaryStringInfo(&name, VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a));
		keys[nkeys++] = lock_key(name.data, name.len);
	}
	/* one global order, each key once */
	qsort(keys, nkeys, sizeof(int64), key_cmp);
	for (i = 0; i < nkeys; i++)
		if (i == 0 || keys[i] != keys[i - 1])
			DirectFunctionCall1(pg_advisory_xact_lock_int8, Int64GetDatum(keys[i]));
	pfree(keys);
	pfree(name.data);
}

PG_FUNCTION_INFO_V1(bg_lock_accounts);

/* SQL lock_accounts(accounts text[]) -> void; NULL locks every account. */
Datum
bg_lock_accounts(PG_FUNCTION_ARGS)
{
	lock_accounts(PG_ARGISNULL(0) ? NULL : PG_GETARG_ARRAYTYPE_P(0));
	PG_RETURN_VOID();
}
