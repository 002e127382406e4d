/*
 * persons_columns.c
 *		Which columns of the persons table the buying groups read, and whether
 *		an UPDATE changed any of them.
 *
 * A group's memberships depend on a person's key, account and the columns
 * its role conditions read, nothing else. A CRM sync updates persons all day
 * long (activity dates, scores, flags) without touching those: such an
 * UPDATE cannot change a membership, and the trigger skips the sync.
 *
 * The columns read are those any role condition of any template names (a
 * superset of the templates solution interests use): the attribute itself,
 * or the jsonb column before the dot of a path. The names are loaded once
 * per template cache generation, which moves with every change of the
 * templates and roles.
 */
#include "postgres.h"

#include "executor/spi.h"
#include "executor/tuptable.h"
#include "nodes/bitmapset.h"
#include "utils/datum.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

#include "persons_columns.h"
#include "template.h"

static MemoryContext names_cxt = NULL;
static List *rule_attrs = NIL;	/* of char *, in names_cxt */
static uint64 names_generation = 0;

/* Loads the attribute names every stored role condition names (SPI connected). */
static void
load_rule_attrs(void)
{
	static SPIPlanPtr plan = NULL;
	uint64		generation = template_cache_generation;
	MemoryContext old;
	uint64		i;

	if (names_generation == generation && names_cxt != NULL)
		return;
	template_cache_watch_catalog();
	if (plan == NULL)
	{
		plan = SPI_prepare("SELECT DISTINCT a.attr OPERATOR(pg_catalog.#>>) '{}' "
						   "FROM buying_group.template_role tr, "
						   "pg_catalog.jsonb_path_query(tr.conditions, 'lax $.**.attr') a(attr) "
						   "WHERE pg_catalog.jsonb_typeof(a.attr) OPERATOR(pg_catalog.=) 'string'",
						   0, NULL);
		if (plan == NULL || SPI_keepplan(plan) != 0)
			elog(ERROR, "preparing the role attributes query failed: %s", SPI_result_code_string(SPI_result));
	}
	if (SPI_execute_plan(plan, NULL, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading the role attributes failed");
	if (names_cxt == NULL)
		names_cxt = AllocSetContextCreate(TopMemoryContext, "buying_group persons columns",
										  ALLOCSET_SMALL_SIZES);
	else
		MemoryContextReset(names_cxt);
	rule_attrs = NIL;
	old = MemoryContextSwitchTo(names_cxt);
	for (i = 0; i < SPI_processed; i++)
		rule_attrs = lappend(rule_attrs, SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
	MemoryContextSwitchTo(old);
	/* read before the query: a change meanwhile makes the names stale at once */
	names_generation = generation;
}

/* The 1-based number of the live column named name (its first len bytes), or 0. */
static AttrNumber
column_named(TupleDesc desc, const char *name, size_t len)
{
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strlen(NameStr(att->attname)) == len &&
			strncmp(NameStr(att->attname), name, len) == 0)
			return i + 1;
	}
	return 0;
}

/*
 * The columns of the persons table (rel: the bound table or a partition) that
 * the buying groups read: the key, the account and every column a role
 * condition names. SPI must be connected.
 */
Bitmapset *
persons_read_columns(Relation rel, AttrNumber key_att, AttrNumber account_att)
{
	TupleDesc	desc = RelationGetDescr(rel);
	Bitmapset  *cols = bms_make_singleton(key_att);
	ListCell   *lc;

	cols = bms_add_member(cols, account_att);
	load_rule_attrs();
	foreach(lc, rule_attrs)
	{
		const char *attr = lfirst(lc);
		const char *dot = strchr(attr, '.');

		/* as the binding resolves it: the column so named, else a jsonb column and a path */
		cols = bms_add_member(cols, column_named(desc, attr, strlen(attr)));
		if (dot != NULL)
			cols = bms_add_member(cols, column_named(desc, attr, dot - attr));
	}
	return bms_del_member(cols, 0);
}

/*
 * Does same(old, new, arg) hold for every row an UPDATE changed? The
 * transition tables hold the rows in the same order, old and new of one row
 * at the same position; it stops at the first row for which it does not.
 */
bool
persons_update_pairs_all(Tuplestorestate *old_rows, Tuplestorestate *new_rows, TupleDesc desc,
						 bool (*same) (TupleTableSlot *old_row, TupleTableSlot *new_row, void *arg),
						 void *arg)
{
	TupleTableSlot *old_slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	TupleTableSlot *new_slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	bool		all = true;

	tuplestore_rescan(old_rows);
	tuplestore_rescan(new_rows);
	while (all)
	{
		bool		more_old = tuplestore_gettupleslot(old_rows, true, false, old_slot);
		bool		more_new = tuplestore_gettupleslot(new_rows, true, false, new_slot);

		if (more_old != more_new)
			all = false;
		if (!more_old || !more_new)
			break;
		all = same(old_slot, new_slot, arg);
	}
	ExecDropSingleTupleTableSlot(old_slot);
	ExecDropSingleTupleTableSlot(new_slot);
	return all;
}

/*
 * Are the columns in cols (a Bitmapset) the same in both rows? Values are
 * compared as stored: a value rewritten the same counts as unchanged, one
 * stored differently as changed (then the caller syncs, which is always
 * right).
 */
static bool
same_columns(TupleTableSlot *old_row, TupleTableSlot *new_row, void *cols)
{
	TupleDesc	desc = old_row->tts_tupleDescriptor;
	int			attno = -1;

	while ((attno = bms_next_member((Bitmapset *) cols, attno)) >= 0)
	{
		Form_pg_attribute att = TupleDescAttr(desc, attno - 1);
		bool		old_null;
		bool		new_null;
		Datum		old_value = slot_getattr(old_row, attno, &old_null);
		Datum		new_value = slot_getattr(new_row, attno, &new_null);

		if (old_null != new_null ||
			(!old_null && !datumIsEqual(old_value, new_value, att->attbyval, att->attlen)))
			return false;
	}
	return true;
}

/* Did an UPDATE leave every column in cols as it was, in every row? */
bool
persons_update_unchanged(Tuplestorestate *old_rows, Tuplestorestate *new_rows, TupleDesc desc,
						 Bitmapset *cols)
{
	return persons_update_pairs_all(old_rows, new_rows, desc, same_columns, cols);
}
