/*
 * persons_roles.c
 *		Does an INSERT or UPDATE of persons change the role any of them gets?
 *
 * A new person joins the groups of its account only with a role: when no
 * template of a solution interest that follows attributes (update_existing)
 * gives any inserted person a role, the INSERT changes no membership (the
 * other solution interests take in no one new). A person updated without a
 * new key or account keeps every membership when each such template gives it
 * the same role as before. The roles come from the evaluator the membership
 * statement calls through match_role, bound once per shape of the row type
 * and template cache generation (which solution interests move too).
 */
#include "postgres.h"

#include "executor/spi.h"
#include "executor/tuptable.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/typcache.h"

#include "match.h"
#include "persons_columns.h"
#include "persons_roles.h"

/* The templates of the solution interests that follow attributes, bound to one row type. */
typedef struct RoleCheck
{
	MemoryContext cxt;
	uint64		generation;
	Oid			typid;
	uint64		tupdesc_id;		/* the row type's shape (typcache), which DDL changes */
	int			ntemplates;
	BoundTemplate **templates;
	int		   *before;			/* roles of an updated row, before and after */
	int		   *after;
	MemoryContext row_cxt;		/* reset per row */
} RoleCheck;

static RoleCheck *check = NULL;

/*
 * Binds the templates of the solution interests that follow attributes to
 * the relation's row type, as the check of that generation (SPI connected).
 */
static void
role_check_load(Relation rel, uint64 generation, uint64 tupdesc_id)
{
	static SPIPlanPtr plan = NULL;
	TupleDesc	desc = RelationGetDescr(rel);
	MemoryContext cxt;
	MemoryContext old;
	List	   *names = NIL;
	ListCell   *lc;
	uint64		i;

	if (check != NULL)
		MemoryContextDelete(check->cxt);
	check = NULL;
	template_cache_watch_catalog();
	if (plan == NULL)
	{
		plan = SPI_prepare("SELECT DISTINCT t.name FROM buying_group.solution_interest si "
						   "JOIN buying_group.template t ON t.id OPERATOR(pg_catalog.=) si.template_id "
						   "WHERE si.update_existing ORDER BY 1", 0, NULL);
		if (plan == NULL || SPI_keepplan(plan) != 0)
			elog(ERROR, "preparing the solution interests query failed: %s", SPI_result_code_string(SPI_result));
	}
	if (SPI_execute_plan(plan, NULL, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading the solution interests failed");
	cxt = AllocSetContextCreate(TopMemoryContext, "buying_group role check", ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);
	for (i = 0; i < SPI_processed; i++)
		names = lappend(names, SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
	MemoryContextSwitchTo(old);

	PG_TRY();
	{
		RoleCheck  *c = MemoryContextAllocZero(cxt, sizeof(RoleCheck));
		int			n = 0;

		c->cxt = cxt;
		c->typid = desc->tdtypeid;
		c->tupdesc_id = tupdesc_id;
		c->templates = MemoryContextAllocZero(cxt, Max(list_length(names), 1) * sizeof(BoundTemplate *));
		foreach(lc, names)
			c->templates[n++] = match_bind(lfirst(lc), desc, cxt);
		c->ntemplates = n;
		c->before = MemoryContextAlloc(cxt, Max(n, 1) * sizeof(int));
		c->after = MemoryContextAlloc(cxt, Max(n, 1) * sizeof(int));
		c->row_cxt = AllocSetContextCreate(cxt, "buying_group role check row", ALLOCSET_SMALL_SIZES);
		c->generation = generation;
		check = c;
	}
	PG_CATCH();
	{
		MemoryContextDelete(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();
}

/*
 * The check for the relation's row type, bound again when the catalog or the
 * row type changed (SPI connected). Binding a template may itself move the
 * generation (its load takes locks, which take in invalidations), and the
 * next template_get then frees the templates bound before: such a check is
 * thrown away and bound again.
 */
static RoleCheck *
role_check_for(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	uint64		generation = template_cache_generation;
	uint64		tupdesc_id = lookup_type_cache(desc->tdtypeid, TYPECACHE_TUPDESC)->tupDesc_identifier;

	if (check != NULL && check->generation == generation && check->typid == desc->tdtypeid &&
		check->tupdesc_id == tupdesc_id)
		return check;
	for (;;)
	{
		role_check_load(rel, generation, tupdesc_id);
		if (generation == template_cache_generation)
			return check;
		generation = template_cache_generation;
	}
}

/* Points every template of the check at the row in slot. */
static void
set_row(RoleCheck *c, TupleTableSlot *slot)
{
	HeapTupleHeader row;
	int			t;

	MemoryContextReset(c->row_cxt);
	row = DatumGetHeapTupleHeader(ExecFetchSlotHeapTupleDatum(slot));
	for (t = 0; t < c->ntemplates; t++)
		rule_binding_set_row(c->templates[t]->binding, row);
}

/* Does any template of the check give the row in slot a role? */
static bool
gets_a_role(RoleCheck *c, TupleTableSlot *slot)
{
	MemoryContext old = MemoryContextSwitchTo(c->row_cxt);
	bool		found = false;
	int			t;

	set_row(c, slot);
	for (t = 0; t < c->ntemplates && !found; t++)
		found = match_first_role(c->templates[t]) >= 0;
	MemoryContextSwitchTo(old);
	return found;
}

/* The roles the templates give the row in slot (roles[t]: -1 for none). */
static void
roles_of(RoleCheck *c, TupleTableSlot *slot, int *roles)
{
	MemoryContext old = MemoryContextSwitchTo(c->row_cxt);
	int			t;

	set_row(c, slot);
	for (t = 0; t < c->ntemplates; t++)
		roles[t] = match_first_role(c->templates[t]);
	MemoryContextSwitchTo(old);
}

/* Does no template that follows attributes give any inserted person a role? (SPI connected) */
bool
persons_insert_gets_no_role(Relation rel, Tuplestorestate *new_rows)
{
	RoleCheck  *c = role_check_for(rel);
	TupleTableSlot *slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsMinimalTuple);
	bool		none = true;

	tuplestore_rescan(new_rows);
	while (none && tuplestore_gettupleslot(new_rows, true, false, slot))
		none = !gets_a_role(c, slot);
	ExecDropSingleTupleTableSlot(slot);
	return none;
}

/* Does every template give the two rows the same role? */
static bool
same_roles(TupleTableSlot *old_row, TupleTableSlot *new_row, void *arg)
{
	RoleCheck  *c = (RoleCheck *) arg;

	roles_of(c, old_row, c->before);
	roles_of(c, new_row, c->after);
	return memcmp(c->before, c->after, c->ntemplates * sizeof(int)) == 0;
}

/*
 * Does every template that follows attributes give each updated person the
 * role it gave before? The caller has checked that keys and accounts did not
 * change. (SPI connected)
 */
bool
persons_update_keeps_roles(Relation rel, Tuplestorestate *old_rows, Tuplestorestate *new_rows)
{
	return persons_update_pairs_all(old_rows, new_rows, RelationGetDescr(rel), same_roles,
									role_check_for(rel));
}
