/*
 * template_cache.c
 *		Loads role templates from the catalog tables and keeps them, with
 *		their parsed conditions, for the life of the backend.
 *
 * A statement trigger on the catalog tables (buying_group.role, template,
 * template_role, and solution_interest, which says which templates the
 * persons trigger evaluates) invalidates those tables' relcache entries; the
 * relcache callback registered here then bumps template_cache_generation. Entries
 * are freed lazily, at the next template_get, so a caller that checks the
 * generation at the start of every call never touches freed memory.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "template.h"

/* Bumped whenever a catalog table changes; callers compare it. */
uint64		template_cache_generation = 1;

static MemoryContext cache_cxt = NULL;
static List *cached_templates = NIL;	/* of Template *, in cache_cxt */
static uint64 cached_generation = 0;
static SPIPlanPtr load_plan = NULL;

#define N_CATALOG_TABLES 4
static const char *const catalog_tables[N_CATALOG_TABLES] = {
	"role", "template", "template_role", "solution_interest"
};
static Oid	catalog_oids[N_CATALOG_TABLES];

/* Relcache callback: a change to a catalog table (or a full reset) stales the cache. */
static void
template_relcache_callback(Datum arg, Oid relid)
{
	int			i;

	if (relid == InvalidOid)
	{
		template_cache_generation++;
		return;
	}
	for (i = 0; i < N_CATALOG_TABLES; i++)
		if (catalog_oids[i] == relid)
		{
			template_cache_generation++;
			return;
		}
}

/* Registers the relcache callback; called once from _PG_init. */
void
template_cache_init(void)
{
	CacheRegisterRelcacheCallback(template_relcache_callback, (Datum) 0);
}

/*
 * Remembers the OIDs of the catalog tables the callback watches. Every cache
 * that template_cache_generation guards calls it when it loads, before
 * reading the catalog: until then (or after the extension was made again)
 * the callback does not know the tables and would not move the generation.
 */
void
template_cache_watch_catalog(void)
{
	Oid			nsp = get_namespace_oid("buying_group", false);
	int			i;

	for (i = 0; i < N_CATALOG_TABLES; i++)
		catalog_oids[i] = get_relname_relid(catalog_tables[i], nsp);
}

/* Drops every cached template if the catalog changed since they were loaded. */
static void
cache_refresh(void)
{
	if (cached_generation == template_cache_generation && cache_cxt != NULL)
		return;
	if (cache_cxt != NULL)
		MemoryContextDelete(cache_cxt);
	cache_cxt = AllocSetContextCreate(TopMemoryContext, "buying_group templates",
									  ALLOCSET_DEFAULT_SIZES);
	cached_templates = NIL;
	template_cache_watch_catalog();
	cached_generation = template_cache_generation;
}

/* Reads one template and its roles with SPI into a new Template. */
static Template *
template_load(const char *name)
{
	Datum		arg = CStringGetTextDatum(name);
	MemoryContext cxt;
	MemoryContext old;
	Template   *t;
	uint64		i;
	int			rc;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (load_plan == NULL)
	{
		Oid			argtype = TEXTOID;
		SPIPlanPtr	plan = SPI_prepare(
									   "SELECT t.id, t.status = 'live', t.completeness_mode = 'weighted', "
									   "       r.name, tr.priority, w.value, tr.required, "
									   "       tr.members_required, tr.conditions::pg_catalog.text "
									   "FROM buying_group.template t "
									   "LEFT JOIN buying_group.template_role tr ON tr.template_id = t.id "
									   "LEFT JOIN buying_group.role r ON r.id = tr.role_id "
									   "LEFT JOIN buying_group.weight w ON w.name = tr.weight "
									   "WHERE t.name = $1 ORDER BY tr.priority",
									   1, &argtype);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		load_plan = plan;
	}
	rc = SPI_execute_plan(load_plan, &arg, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("template \"%s\" does not exist", name),
				 errhint("The view buying_group.templates lists the templates; "
						 "buying_group.create_template() makes one.")));

	cxt = AllocSetContextCreate(cache_cxt, "buying_group template", ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);
	t = palloc0(sizeof(Template));
	t->cxt = cxt;
	t->name = pstrdup(name);
	t->roles = palloc0(SPI_processed * sizeof(TemplateRole));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		TemplateRole *role;
		Datum		conditions;

		t->id = DatumGetInt32(SPI_getbinval(tup, desc, 1, &isnull));
		t->live = DatumGetBool(SPI_getbinval(tup, desc, 2, &isnull));
		t->weighted = DatumGetBool(SPI_getbinval(tup, desc, 3, &isnull));
		(void) SPI_getbinval(tup, desc, 4, &isnull);
		if (isnull)
			break;				/* a template without roles */
		role = &t->roles[t->nroles++];
		role->name = SPI_getvalue(tup, desc, 4);
		role->priority = DatumGetInt32(SPI_getbinval(tup, desc, 5, &isnull));
		role->weight = DatumGetInt32(SPI_getbinval(tup, desc, 6, &isnull));
		role->required = DatumGetBool(SPI_getbinval(tup, desc, 7, &isnull));
		role->members_required = DatumGetInt32(SPI_getbinval(tup, desc, 8, &isnull));
		conditions = SPI_getbinval(tup, desc, 9, &isnull);
		if (!isnull)
		{
			text	   *c = DatumGetTextPP(conditions);

			role->rule = rule_parse(VARDATA_ANY(c), VARSIZE_ANY_EXHDR(c), cxt);
		}
	}
	MemoryContextSwitchTo(old);
	SPI_finish();
	return t;
}

/*
 * Returns the template of that name, loading it if it is not cached.
 * Raises an error if there is none. Valid until template_cache_generation
 * changes.
 */
Template *
template_get(const char *name, int len)
{
	ListCell   *lc;
	char	   *cname = pnstrdup(name, len);
	Template   *t;
	MemoryContext old;

	cache_refresh();
	foreach(lc, cached_templates)
	{
		t = (Template *) lfirst(lc);
		if (strcmp(t->name, cname) == 0)
			return t;
	}
	t = template_load(cname);
	old = MemoryContextSwitchTo(cache_cxt);
	cached_templates = lappend(cached_templates, t);
	MemoryContextSwitchTo(old);
	return t;
}

PG_FUNCTION_INFO_V1(bg_catalog_changed);

/*
 * Statement trigger on the catalog tables: tells every backend (this one at
 * the next command, the others at commit) that cached templates are stale.
 */
Datum
bg_catalog_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("catalog_changed() must be called as a trigger")));
	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	PG_RETURN_POINTER(NULL);
}
