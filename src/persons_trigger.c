/*
 * persons_trigger.c
 *		persons_changed(): the statement trigger of the bound persons table.
 *
 * It reads the keys and account keys of the rows a statement inserted,
 * updated or deleted straight from the transition tables (by column number,
 * through the columns' output functions, as the rest of the extension
 * compares keys as text), and hands their distinct values to
 * buying_group_internal.sync_persons(accounts, persons), which locks the
 * accounts and brings every solution interest's memberships and scores up to
 * date; a statement that cannot change a membership (an UPDATE of columns no
 * role condition reads, or that changes no role; an INSERT of persons who get
 * none) only takes the locks. It fires on the bound table and on each of its
 * partitions (for writes that name a partition). A TRUNCATE of the table goes to
 * buying_group_internal.persons_truncated(); one of a partition brings every
 * group up to date. The calls run with
 * plans kept for the session: on the single-row path of the CRM sync,
 * building and planning a statement per call used to cost more than the
 * work.
 */
#include "postgres.h"

#include "access/tupdesc.h"
#include "catalog/partition.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "common/hashfn.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/inval.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

#include "account_locks.h"
#include "persons_columns.h"
#include "persons_roles.h"
#include "template.h"

PG_FUNCTION_INFO_V1(bg_persons_changed);

/* A statement kept for the session, prepared on first use. */
static SPIPlanPtr
kept_plan(SPIPlanPtr *plan, const char *sql, int nargs, Oid *argtypes)
{
	if (*plan == NULL)
	{
		SPIPlanPtr	p = SPI_prepare(sql, nargs, argtypes);

		if (p == NULL || SPI_keepplan(p) != 0)
			elog(ERROR, "preparing \"%s\" failed: %s", sql, SPI_result_code_string(SPI_result));
		*plan = p;
	}
	return *plan;
}

/* The 1-based number of the relation's live column named name; raises if none. */
static AttrNumber
column_number(Relation rel, const char *name)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;

	for (i = 0; i < desc->natts; i++)
		if (!TupleDescAttr(desc, i)->attisdropped &&
			strcmp(NameStr(TupleDescAttr(desc, i)->attname), name) == 0)
			return i + 1;
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_COLUMN),
			 errmsg("column \"%s\" of the bound persons table %s does not exist", name,
					RelationGetRelationName(rel)),
			 errhint("Bind the table again with buying_group.bind_persons().")));
	return InvalidAttrNumber;	/* not reached */
}

/* A set of distinct strings: a hash table of pointers to them, and the list. */
typedef struct TextSet
{
	HTAB	   *seen;
	List	   *values;			/* of text, in first-seen order */
} TextSet;

/* Hashes the string a key points to. */
static uint32
textset_hash(const void *key, Size keysize)
{
	const char *s = *(char *const *) key;

	return DatumGetUInt32(hash_any((const unsigned char *) s, strlen(s)));
}

/* Compares the strings two keys point to. */
static int
textset_match(const void *a, const void *b, Size keysize)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Starts an empty set in the current memory context. */
static void
textset_init(TextSet *set, const char *name)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(char *);
	ctl.entrysize = sizeof(char *);
	ctl.hash = textset_hash;
	ctl.match = textset_match;
	ctl.hcxt = CurrentMemoryContext;
	set->seen = hash_create(name, 64, &ctl, HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	set->values = NIL;
}

/* Adds a (palloc'd) string unless it is there already. */
static void
textset_add(TextSet *set, char *value)
{
	bool		found;

	hash_search(set->seen, &value, HASH_ENTER, &found);
	if (!found)
		set->values = lappend(set->values, DatumGetPointer(CStringGetTextDatum(value)));
}

/* The set as a text[], empty or not. */
static Datum
textset_array(TextSet *set)
{
	int			n = list_length(set->values);
	Datum	   *elems = palloc((n + 1) * sizeof(Datum));
	ListCell   *lc;
	int			i = 0;

	foreach(lc, set->values)
		elems[i++] = PointerGetDatum(lfirst(lc));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* Adds the key and account of every row of a transition table to the sets. */
static void
collect_rows(Tuplestorestate *rows, TupleDesc desc, AttrNumber key_att, AttrNumber account_att,
			 TextSet *persons, TextSet *accounts)
{
	TupleTableSlot *slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	Oid			key_out;
	Oid			account_out;
	bool		varlena;
	FmgrInfo	key_fn;
	FmgrInfo	account_fn;

	getTypeOutputInfo(TupleDescAttr(desc, key_att - 1)->atttypid, &key_out, &varlena);
	getTypeOutputInfo(TupleDescAttr(desc, account_att - 1)->atttypid, &account_out, &varlena);
	fmgr_info(key_out, &key_fn);
	fmgr_info(account_out, &account_fn);
	tuplestore_rescan(rows);
	while (tuplestore_gettupleslot(rows, true, false, slot))
	{
		bool		isnull;
		Datum		d;

		d = slot_getattr(slot, key_att, &isnull);
		if (!isnull)
			textset_add(persons, OutputFunctionCall(&key_fn, d));
		d = slot_getattr(slot, account_att, &isnull);
		if (!isnull)
			textset_add(accounts, OutputFunctionCall(&account_fn, d));
	}
	ExecDropSingleTupleTableSlot(slot);
}

/*
 * Can the statement change no membership? An UPDATE that changed none of the
 * columns the groups read (persons_columns.c), or no key or account and no
 * role (persons_roles.c); an INSERT of persons who get no role.
 */
static bool
changes_no_membership(TriggerData *td, AttrNumber key_att, AttrNumber account_att)
{
	Relation	rel = td->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		return persons_insert_gets_no_role(rel, td->tg_newtable);
	if (!TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		return false;
	return persons_update_unchanged(td->tg_oldtable, td->tg_newtable, desc,
									persons_read_columns(rel, key_att, account_att)) ||
		(persons_update_unchanged(td->tg_oldtable, td->tg_newtable, desc,
								  bms_add_member(bms_make_singleton(key_att), account_att)) &&
		 persons_update_keeps_roles(rel, td->tg_oldtable, td->tg_newtable));
}

/*
 * The same, with the catalog (templates, solution interests) read as it is
 * now, as the sync would read it, not as the user's statement found it when
 * it started: a template and solution interest committed while the
 * statement ran must be seen, whatever the cache generation says.
 */
static bool
changes_no_membership_now(TriggerData *td, AttrNumber key_att, AttrNumber account_att)
{
	bool		none;

	PushActiveSnapshot(GetTransactionSnapshot());
	none = changes_no_membership(td, key_att, account_att);
	PopActiveSnapshot();
	return none;
}

/*
 * A statement that changes no membership takes only the accounts' locks, as
 * the sync would have: a creation job or maintenance run that starts
 * meanwhile waits for this transaction, and then sees the rows as written.
 * Under the locks, with the catalog changes of sessions that committed before
 * seen, it checks again if a template or solution interest changed since.
 */
static bool
sync_not_needed(TriggerData *td, AttrNumber key_att, AttrNumber account_att, Datum accounts)
{
	uint64		generation = template_cache_generation;

	if (!changes_no_membership_now(td, key_att, account_att))
		return false;
	lock_accounts(DatumGetArrayTypeP(accounts));
	AcceptInvalidationMessages();
	return generation == template_cache_generation || changes_no_membership_now(td, key_att, account_att);
}

/*
 * The trigger: INSERT, UPDATE and DELETE statements with transition tables
 * named new_rows / old_rows, and TRUNCATE.
 */
Datum
bg_persons_changed(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr binding_plan = NULL;
	static SPIPlanPtr sync_plan = NULL;
	static SPIPlanPtr truncate_plan = NULL;
	static SPIPlanPtr resync_plan = NULL;
	static Oid	sync_args[2] = {TEXTARRAYOID, TEXTARRAYOID};
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	AttrNumber	key_att;
	AttrNumber	account_att;
	TextSet		persons;
	TextSet		accounts;
	Datum		args[2];
	char		nulls[2] = {' ', ' '};
	bool		isnull;
	Oid			bound;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_STATEMENT(td->tg_event))
		elog(ERROR, "persons_changed must be called as a statement trigger");
	rel = td->tg_relation;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	/* the key and account columns of the binding */
	if (SPI_execute_plan(kept_plan(&binding_plan,
								   "SELECT b.key_column::pg_catalog.text, b.account_column::pg_catalog.text, "
								   "b.relation::pg_catalog.oid "
								   "FROM buying_group.binding b WHERE b.kind OPERATOR(pg_catalog.=) 'persons'",
								   0, NULL), NULL, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "reading the persons binding failed");
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("no persons table is bound"),
				 errhint("Call buying_group.bind_persons() first.")));
	/* the trigger acts for the bound table only, whatever table it was left on */
	bound = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
	if (bound != RelationGetRelid(rel) &&
		!(rel->rd_rel->relispartition && list_member_oid(get_partition_ancestors(RelationGetRelid(rel)), bound)))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s is not the bound persons table", RelationGetRelationName(rel)),
				 errhint("Drop its buying_group_* triggers, or bind it with buying_group.bind_persons().")));

	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
	{
		/*
		 * The whole table: every member goes. One partition: its persons are
		 * gone unseen, so every group is brought up to date.
		 */
		if (SPI_execute_plan(bound == RelationGetRelid(rel)
							 ? kept_plan(&truncate_plan, "SELECT buying_group_internal.persons_truncated()", 0, NULL)
							 : kept_plan(&resync_plan, "SELECT buying_group_internal.sync_persons(NULL, NULL)", 0, NULL),
							 NULL, NULL, false, 0) < 0)
			elog(ERROR, "persons_truncated failed");
		SPI_finish();
		return PointerGetDatum(NULL);
	}

	key_att = column_number(rel, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	account_att = column_number(rel, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2));

	textset_init(&persons, "buying_group persons");
	textset_init(&accounts, "buying_group accounts");
	if (td->tg_newtable)
		collect_rows(td->tg_newtable, RelationGetDescr(rel), key_att, account_att, &persons, &accounts);
	if (td->tg_oldtable)
		collect_rows(td->tg_oldtable, RelationGetDescr(rel), key_att, account_att, &persons, &accounts);

	if (accounts.values != NIL)
	{
		args[0] = textset_array(&accounts);
		args[1] = textset_array(&persons);
		if (sync_not_needed(td, key_att, account_att, args[0]))
		{
			SPI_finish();
			return PointerGetDatum(NULL);
		}
		if (SPI_execute_plan(kept_plan(&sync_plan, "SELECT buying_group_internal.sync_persons($1, $2)", 2, sync_args),
							 args, nulls, false, 0) < 0)
			elog(ERROR, "sync_persons failed");
	}
	SPI_finish();
	return PointerGetDatum(NULL);
}
