/*
 * capped_points.c
 *		The aggregate behind refresh_engagement (SPEC 7): over one person's
 *		activities in the window, the sum over activity types and UTC days of
 *		weight x min(occurrences that day, daily cap).
 *
 * Grouping by person alone (instead of by person, type and day, then again
 * by person) halves the aggregation work of the daily batch: the state counts
 * occurrences per (type, day) in a small open-addressing hash table, bounded
 * by the weighted types times the days of the window, and the final function
 * applies the cap.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/date.h"

typedef struct PointsEntry
{
	int64		key;			/* type id << 32 | day; 0 = empty slot */
	int32		count;
	float8		weight;
} PointsEntry;

typedef struct PointsState
{
	int32		cap;			/* the daily cap, from the first row */
	int			used;
	int			size;			/* a power of two */
	PointsEntry *slots;
} PointsState;

PG_FUNCTION_INFO_V1(bg_capped_points_transfn);
PG_FUNCTION_INFO_V1(bg_capped_points_finalfn);

/* The hash slot of a key (linear probing). */
static inline int
points_slot(PointsState *s, int64 key)
{
	uint64		h = (uint64) key * UINT64CONST(0x9E3779B97F4A7C15);
	int			i = (int) (h >> 40) & (s->size - 1);

	while (s->slots[i].key != 0 && s->slots[i].key != key)
		i = (i + 1) & (s->size - 1);
	return i;
}

/* Doubles the table, keeping its entries. */
static void
points_grow(PointsState *s, MemoryContext cxt)
{
	PointsEntry *old = s->slots;
	int			old_size = s->size;
	int			i;

	s->size *= 2;
	s->slots = MemoryContextAllocZero(cxt, s->size * sizeof(PointsEntry));
	for (i = 0; i < old_size; i++)
		if (old[i].key != 0)
			s->slots[points_slot(s, old[i].key)] = old[i];
	pfree(old);
}

/*
 * capped_points(type_id integer, day date, weight float8, cap integer):
 * counts one activity of a (type, day); rows with a NULL argument are
 * skipped.
 */
Datum
bg_capped_points_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	PointsState *s;
	int64		key;
	int			i;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("capped_points transition function called outside an aggregate"),
				 errhint("Call the aggregate buying_group_internal.capped_points().")));
	s = PG_ARGISNULL(0) ? NULL : (PointsState *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3) || PG_ARGISNULL(4))
	{
		if (s == NULL)
			PG_RETURN_NULL();	/* no state yet: stays SQL NULL, not a null pointer */
		PG_RETURN_POINTER(s);
	}
	if (s == NULL)
	{
		s = MemoryContextAlloc(aggcxt, sizeof(PointsState));
		s->cap = PG_GETARG_INT32(4);
		s->used = 0;
		s->size = 8;
		s->slots = MemoryContextAllocZero(aggcxt, s->size * sizeof(PointsEntry));
	}
	if (PG_GETARG_INT32(1) <= 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("capped_points needs a positive type id")));
	/* a positive type id in the high half: no key is 0 */
	key = ((int64) PG_GETARG_INT32(1) << 32) | (uint32) PG_GETARG_DATEADT(2);
	i = points_slot(s, key);
	if (s->slots[i].key == 0)
	{
		if (2 * (s->used + 1) > s->size)
		{
			points_grow(s, aggcxt);
			i = points_slot(s, key);
		}
		s->slots[i].key = key;
		s->slots[i].count = 0;
		s->slots[i].weight = PG_GETARG_FLOAT8(3);
		s->used++;
	}
	if (s->slots[i].count < PG_INT32_MAX)
		s->slots[i].count++;
	PG_RETURN_POINTER(s);
}

/* Orders entries by key: by type, then by day. */
static int
points_entry_cmp(const void *a, const void *b)
{
	int64		ka = ((const PointsEntry *) a)->key;
	int64		kb = ((const PointsEntry *) b)->key;

	return (ka > kb) - (ka < kb);
}

/*
 * Sum of weight x min(count, cap) over the (type, day) entries; NULL if none.
 * The capped counts are summed per type as integers, then weighted in type
 * order, so that the result does not depend on the order of the rows (nor
 * its memory on the size of the type ids).
 */
Datum
bg_capped_points_finalfn(PG_FUNCTION_ARGS)
{
	PointsState *s;
	PointsEntry *entries;
	int			n = 0;
	float8		sum = 0;
	int			i;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (PointsState *) PG_GETARG_POINTER(0);
	entries = palloc(Max(s->used, 1) * sizeof(PointsEntry));
	for (i = 0; i < s->size; i++)
		if (s->slots[i].key != 0)
			entries[n++] = s->slots[i];
	qsort(entries, n, sizeof(PointsEntry), points_entry_cmp);
	for (i = 0; i < n;)
	{
		int32		type = (int32) (entries[i].key >> 32);
		float8		weight = entries[i].weight;
		int64		total = 0;

		for (; i < n && (int32) (entries[i].key >> 32) == type; i++)
			total += Min(entries[i].count, s->cap);
		sum += weight * (float8) total;
	}
	pfree(entries);
	PG_RETURN_FLOAT8(sum);
}
