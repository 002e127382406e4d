/*
 * role_counts.c
 *		add_role_counts() and role_counts_total(): the arithmetic of the role
 *		counts a buying group keeps on its row.
 *
 * A group's role_counts is an integer[] indexed by priority: element p says
 * how many members (not removed) hold the role of priority p in the group's
 * template (live, so frozen). refresh_groups() adds the deltas of a change
 * to it in the same UPDATE that recomputes the group's scores from it
 * (counts_completeness() in completeness.c), so they cost the template's
 * roles, not the group's members. The canonical form has no NULL
 * and no trailing zero, so that a recount compares equal to what was kept.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"

#include "role_counts.h"

/* More priorities than a template can have roles: a bad position, not a big array. */
#define MAX_POSITION 1000

PG_FUNCTION_INFO_V1(bg_add_role_counts);
PG_FUNCTION_INFO_V1(bg_role_counts_total);

/* The elements of a one-dimensional int4 array (no NULL allowed unless nulls_ok). */
int
int4_elements(ArrayType *arr, const char *what, bool nulls_ok, Datum **values, bool **nulls)
{
	int			n;
	int			i;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what)));
	deconstruct_array(arr, INT4OID, sizeof(int32), true, TYPALIGN_INT, values, nulls, &n);
	if (!nulls_ok)
		for (i = 0; i < n; i++)
			if ((*nulls)[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("%s must not contain NULL", what)));
	return n;
}

/*
 * SQL add_role_counts(counts integer[], positions integer[], deltas
 * integer[]) -> integer[]: counts with deltas[i] added at positions[i]
 * (positions may repeat), in canonical form. NULL counts are none; NULL
 * positions and deltas add nothing. A count below zero means the members and
 * the counts have parted: an error (buying_group.recompute() repairs).
 */
Datum
bg_add_role_counts(PG_FUNCTION_ARGS)
{
	Datum	   *counts = NULL;
	bool	   *count_nulls = NULL;
	int			ncounts = 0;
	Datum	   *positions = NULL;
	Datum	   *deltas = NULL;
	bool	   *nulls;
	int			nchanges = 0;
	int64	   *sum;
	int			size;
	int			i;
	Datum	   *out;

	if (!PG_ARGISNULL(0))
		ncounts = int4_elements(PG_GETARG_ARRAYTYPE_P(0), "role counts", true, &counts, &count_nulls);
	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
	{
		nchanges = int4_elements(PG_GETARG_ARRAYTYPE_P(1), "positions", false, &positions, &nulls);
		if (int4_elements(PG_GETARG_ARRAYTYPE_P(2), "deltas", false, &deltas, &nulls) != nchanges)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("positions and deltas must have the same length")));
	}
	size = ncounts;
	for (i = 0; i < nchanges; i++)
	{
		int32		p = DatumGetInt32(positions[i]);

		if (p < 1 || p > MAX_POSITION)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("role position %d is out of range", p),
					 errdetail("Positions are role priorities, from 1 to %d.", MAX_POSITION)));
		size = Max(size, p);
	}
	sum = palloc0(Max(size, 1) * sizeof(int64));
	for (i = 0; i < ncounts; i++)
		if (!count_nulls[i])
			sum[i] = DatumGetInt32(counts[i]);
	for (i = 0; i < nchanges; i++)
		sum[DatumGetInt32(positions[i]) - 1] += DatumGetInt32(deltas[i]);
	for (i = 0; i < size; i++)
		if (sum[i] < 0 || sum[i] > PG_INT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("the member count of the role of priority %d would be %lld", i + 1, (long long) sum[i]),
					 errhint("The members and their counts have parted; SELECT buying_group.recompute() counts them again.")));
	while (size > 0 && sum[size - 1] == 0)
		size--;
	if (size == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(INT4OID));
	out = palloc(size * sizeof(Datum));
	for (i = 0; i < size; i++)
		out[i] = Int32GetDatum((int32) sum[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(out, size, INT4OID, sizeof(int32), true, TYPALIGN_INT));
}

/*
 * SQL role_counts_total(counts integer[]) -> integer: the members the counts
 * count (their sum; NULL elements count 0). STRICT. A function rather than a
 * subquery over unnest(): the refresh statement names it three times, and a
 * subquery would be three subplans to start on every call.
 */
Datum
bg_role_counts_total(PG_FUNCTION_ARGS)
{
	Datum	   *counts;
	bool	   *nulls;
	int			n = int4_elements(PG_GETARG_ARRAYTYPE_P(0), "role counts", true, &counts, &nulls);
	int64		total = 0;
	int			i;

	for (i = 0; i < n; i++)
		if (!nulls[i])
			total += DatumGetInt32(counts[i]);
	if (total < PG_INT32_MIN || total > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("role counts add up to more than an integer holds")));
	PG_RETURN_INT32((int32) total);
}
