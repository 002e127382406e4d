/*
 * match.c
 *		match_role, match_roles and eval_rule: rules evaluated on any row.
 *
 * Each call site keeps, in fn_extra, the templates it has bound to the row
 * types it has seen (a few entries; usually one). An entry is rebuilt when
 * the template cache generation moves, i.e. when the catalog changed.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "match.h"

#define MATCH_CACHE_ENTRIES 8

/* What one call site keeps: bound templates, most recent first. */
typedef struct MatchCache
{
	int			nentries;
	BoundTemplate *entries[MATCH_CACHE_ENTRIES];
} MatchCache;

/* Error context: names the template and role being bound. */
typedef struct BindContext
{
	const char *template_name;
	const char *role_name;
} BindContext;

/* Adds "while checking role ... of template ..." to binding errors. */
static void
bind_error_callback(void *arg)
{
	BindContext *bc = (BindContext *) arg;

	if (bc->role_name != NULL)
		errcontext("conditions of role \"%s\" in template \"%s\"",
				   bc->role_name, bc->template_name);
}

/*
 * Binds every role of a template to a row type, in a new memory context,
 * with leaf memos (rule_memo.c) when memoise. generation is the cache
 * generation read before the template was fetched:
 * if the catalog changed while it was being loaded, the binding is stale at
 * once and is rebuilt at the next call.
 */
static BoundTemplate *
bind_template(Template *t, TupleDesc tupdesc, Oid typid, int32 typmod, uint64 generation,
			  MemoryContext parent, bool memoise)
{
	RuleBinding *binding = rule_binding_create(tupdesc, parent);
	BoundTemplate *bt = MemoryContextAllocZero(binding->cxt, sizeof(BoundTemplate));
	ErrorContextCallback errcb;
	BindContext bc;
	int			i;

	binding->memoise = memoise;
	bt->tmpl = t;
	bt->name = MemoryContextStrdup(binding->cxt, t->name);
	bt->binding = binding;
	bt->typid = typid;
	bt->typmod = typmod;
	bt->generation = generation;
	bt->roles = MemoryContextAllocZero(binding->cxt, Max(t->nroles, 1) * sizeof(BoundRule *));

	bc.template_name = t->name;
	bc.role_name = NULL;
	errcb.callback = bind_error_callback;
	errcb.arg = &bc;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	for (i = 0; i < t->nroles; i++)
	{
		bc.role_name = t->roles[i].name;
		if (t->roles[i].rule != NULL)
			bt->roles[i] = rule_bind(binding, t->roles[i].rule, false);
	}
	error_context_stack = errcb.previous;
	return bt;
}

/*
 * Returns the call site's binding of the named template to the row's type,
 * building it on first use or after a catalog change, and points the
 * binding at the row.
 */
BoundTemplate *
match_prepare(FunctionCallInfo fcinfo, text *template_name, HeapTupleHeader row)
{
	MatchCache *cache = (MatchCache *) fcinfo->flinfo->fn_extra;
	const char *name = VARDATA_ANY(template_name);
	int			len = VARSIZE_ANY_EXHDR(template_name);
	Oid			typid = HeapTupleHeaderGetTypeId(row);
	int32		typmod = HeapTupleHeaderGetTypMod(row);
	BoundTemplate *bt = NULL;
	int			i;

	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(MatchCache));
		fcinfo->flinfo->fn_extra = cache;
	}
	for (i = 0; i < cache->nentries; i++)
	{
		BoundTemplate *e = cache->entries[i];

		/* a stale entry's template may be freed already: drop it unread */
		if (e->generation != template_cache_generation)
		{
			MemoryContextDelete(e->binding->cxt);
			cache->entries[i--] = cache->entries[--cache->nentries];
			continue;
		}
		if (e->typid == typid && e->typmod == typmod &&
			strlen(e->name) == (size_t) len && memcmp(e->name, name, len) == 0)
		{
			bt = e;
			break;
		}
	}
	if (bt == NULL)
	{
		uint64		generation = template_cache_generation;
		Template   *t = template_get(name, len);
		TupleDesc	tupdesc = lookup_rowtype_tupdesc(typid, typmod);

		bt = bind_template(t, tupdesc, typid, typmod, generation, fcinfo->flinfo->fn_mcxt, true);
		ReleaseTupleDesc(tupdesc);
		if (cache->nentries == MATCH_CACHE_ENTRIES)
			MemoryContextDelete(cache->entries[--cache->nentries]->binding->cxt);
		cache->entries[cache->nentries++] = bt;
	}
	rule_binding_set_row(bt->binding, row);
	return bt;
}

/*
 * Binds the named template to a row type, in a new memory context under
 * parent, for a caller that keeps its bindings itself (the persons trigger);
 * valid while template_cache_generation stays as it was before the call.
 * Without leaf memos: such a binding lives as long as the session, and a
 * memo kept that long could grow to megabytes a column.
 */
BoundTemplate *
match_bind(const char *name, TupleDesc tupdesc, MemoryContext parent)
{
	uint64		generation = template_cache_generation;
	Template   *t = template_get(name, strlen(name));

	return bind_template(t, tupdesc, tupdesc->tdtypeid, tupdesc->tdtypmod, generation, parent, false);
}

/* Does role i of a bound template match the current row? */
bool
match_role_holds(BoundTemplate *bt, int i)
{
	return bt->roles[i] != NULL && rule_eval(bt->roles[i]);
}

/* The first role, in priority order, whose conditions hold for the current row; -1 if none. */
int
match_first_role(BoundTemplate *bt)
{
	int			i;

	for (i = 0; i < bt->tmpl->nroles; i++)
		if (match_role_holds(bt, i))
			return i;
	return -1;
}

PG_FUNCTION_INFO_V1(bg_match_role);
PG_FUNCTION_INFO_V1(bg_match_roles);
PG_FUNCTION_INFO_V1(bg_eval_rule);

/* SQL match_role(template, record): the first role, in priority order, whose conditions hold. */
Datum
bg_match_role(PG_FUNCTION_ARGS)
{
	BoundTemplate *bt = match_prepare(fcinfo, PG_GETARG_TEXT_PP(0), PG_GETARG_HEAPTUPLEHEADER(1));
	int			i = match_first_role(bt);

	if (i < 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(bt->tmpl->roles[i].name));
}

/* SQL match_roles(template, record): every role whose conditions hold, in priority order. */
Datum
bg_match_roles(PG_FUNCTION_ARGS)
{
	BoundTemplate *bt = match_prepare(fcinfo, PG_GETARG_TEXT_PP(0), PG_GETARG_HEAPTUPLEHEADER(1));
	Datum	   *names = palloc(Max(bt->tmpl->nroles, 1) * sizeof(Datum));
	int			n = 0;
	int			i;

	for (i = 0; i < bt->tmpl->nroles; i++)
		if (match_role_holds(bt, i))
			names[n++] = CStringGetTextDatum(bt->tmpl->roles[i].name);
	PG_RETURN_ARRAYTYPE_P(construct_array(names, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* What an eval_rule call site keeps: the rule text and its binding. */
typedef struct EvalRuleCache
{
	MemoryContext cxt;
	text	   *rule_text;
	Oid			typid;
	int32		typmod;
	BoundRule  *bound;
} EvalRuleCache;

/* SQL eval_rule(rule, record): does the rule hold for the row? */
Datum
bg_eval_rule(PG_FUNCTION_ARGS)
{
	text	   *rule_text = rule_arg(fcinfo, 0);
	HeapTupleHeader row = PG_GETARG_HEAPTUPLEHEADER(1);
	EvalRuleCache *cache = (EvalRuleCache *) fcinfo->flinfo->fn_extra;
	Oid			typid = HeapTupleHeaderGetTypeId(row);
	int32		typmod = HeapTupleHeaderGetTypMod(row);

	if (cache == NULL || cache->typid != typid || cache->typmod != typmod ||
		VARSIZE_ANY_EXHDR(cache->rule_text) != VARSIZE_ANY_EXHDR(rule_text) ||
		memcmp(VARDATA_ANY(cache->rule_text), VARDATA_ANY(rule_text),
			   VARSIZE_ANY_EXHDR(rule_text)) != 0)
	{
		MemoryContext cxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt,
												  "buying_group eval_rule",
												  ALLOCSET_SMALL_SIZES);
		EvalRuleCache *fresh = MemoryContextAllocZero(cxt, sizeof(EvalRuleCache));
		TupleDesc	tupdesc;
		Rule	   *rule;

		PG_TRY();
		{
			rule = rule_parse(VARDATA_ANY(rule_text), VARSIZE_ANY_EXHDR(rule_text), cxt);
			tupdesc = lookup_rowtype_tupdesc(typid, typmod);
			fresh->bound = rule_bind(rule_binding_create(tupdesc, cxt), rule, false);
			ReleaseTupleDesc(tupdesc);
		}
		PG_CATCH();
		{
			MemoryContextDelete(cxt);
			PG_RE_THROW();
		}
		PG_END_TRY();
		fresh->cxt = cxt;
		fresh->rule_text = (text *) MemoryContextAlloc(cxt, VARSIZE_ANY(rule_text));
		memcpy(fresh->rule_text, rule_text, VARSIZE_ANY(rule_text));
		fresh->typid = typid;
		fresh->typmod = typmod;
		if (cache != NULL)
			MemoryContextDelete(cache->cxt);
		cache = fresh;
		fcinfo->flinfo->fn_extra = cache;
	}
	rule_binding_set_row(cache->bound->binding, row);
	PG_RETURN_BOOL(rule_eval(cache->bound));
}
