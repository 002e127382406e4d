/*
 * completeness.c
 *		The completeness aggregates: completeness(template, role) and
 *		role_completeness(template, role), over the rows of one buying group.
 *
 * The state is a varlena type of its own, completeness_state: the template's
 * name and, per role name seen, how many rows carried it. Counting integers
 * makes serial, parallel and distributed results identical; the text form
 * (JSON) round-trips exactly, so Citus can move partial states between nodes.
 * The final functions look the template up (cached) and apply SPEC 5, as
 * does counts_completeness(template, role_counts) over the counts a buying
 * group keeps (role_counts.c):
 *
 *   rc(r) = 100 * min(assigned(r), members_required(r)) / members_required(r)
 *   mean:      completeness = sum over required roles of rc(r) / |R|
 *   weighted:  completeness = sum of w(r) * rc(r) / sum of w(r)
 *
 * computed as one exact fraction and divided once, at numeric precision.
 */
#include "postgres.h"

#include "common/int.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "role_counts.h"
#include "template.h"

/*
 * Layout: header, then the template name, then the entries, each an int64
 * count, an int32 name length and the name, every part MAXALIGN'd.
 */
typedef struct CompletenessState
{
	int32		vl_len_;
	int32		nentries;
	int32		template_len;
	int32		pad;
	/* followed by the template name and the entries */
} CompletenessState;

typedef struct StateEntry
{
	int64		count;
	int32		name_len;
	char		name[FLEXIBLE_ARRAY_MEMBER];
} StateEntry;

#define STATE_DATA(s)		((char *) (s) + MAXALIGN(sizeof(CompletenessState)))
#define STATE_TEMPLATE(s)	STATE_DATA(s)
#define STATE_FIRST(s)		((StateEntry *) (STATE_DATA(s) + MAXALIGN((s)->template_len)))
#define ENTRY_SIZE(len)		MAXALIGN(offsetof(StateEntry, name) + (len))
#define ENTRY_NEXT(e)		((StateEntry *) ((char *) (e) + ENTRY_SIZE((e)->name_len)))

#define DatumGetCompletenessState(d) ((CompletenessState *) PG_DETOAST_DATUM(d))

/* A new empty state for a template, palloc'd in cxt. */
static CompletenessState *
state_create(MemoryContext cxt, const char *tmpl, int tmpl_len, int extra)
{
	int			data_len = MAXALIGN(tmpl_len);
	int			size = MAXALIGN(sizeof(CompletenessState)) + data_len + extra;
	CompletenessState *s = MemoryContextAllocZero(cxt, size);

	SET_VARSIZE(s, MAXALIGN(sizeof(CompletenessState)) + data_len);
	s->template_len = tmpl_len;
	memcpy(STATE_TEMPLATE(s), tmpl, tmpl_len);
	return s;
}

/* The entry of a role name, or NULL. */
static StateEntry *
state_find(CompletenessState *s, const char *name, int len)
{
	StateEntry *e = STATE_FIRST(s);
	int			i;

	for (i = 0; i < s->nentries; i++, e = ENTRY_NEXT(e))
		if (e->name_len == len && memcmp(e->name, name, len) == 0)
			return e;
	return NULL;
}

/* Returns s with a new entry (a copy in cxt, s itself is left alone). */
static CompletenessState *
state_append(MemoryContext cxt, CompletenessState *s, const char *name, int len, int64 count)
{
	int			used = VARSIZE(s);
	CompletenessState *n = MemoryContextAlloc(cxt, used + ENTRY_SIZE(len));
	StateEntry *e;

	memcpy(n, s, used);
	e = (StateEntry *) ((char *) n + used);
	memset(e, 0, ENTRY_SIZE(len));
	e->count = count;
	e->name_len = len;
	memcpy(e->name, name, len);
	n->nentries++;
	SET_VARSIZE(n, used + ENTRY_SIZE(len));
	return n;
}

/* Raises the error of two templates fed to one aggregate group. */
static void
check_same_template(CompletenessState *s, const char *tmpl, int len)
{
	if (s->template_len != len || memcmp(STATE_TEMPLATE(s), tmpl, len) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("completeness of one group takes one template, not \"%.*s\" and \"%.*s\"",
						s->template_len, STATE_TEMPLATE(s), len, tmpl),
				 errhint("GROUP BY the template too, or filter the rows to one template.")));
}

PG_FUNCTION_INFO_V1(bg_completeness_transfn);
PG_FUNCTION_INFO_V1(bg_completeness_count_transfn);
PG_FUNCTION_INFO_V1(bg_completeness_combinefn);
PG_FUNCTION_INFO_V1(bg_completeness_finalfn);
PG_FUNCTION_INFO_V1(bg_role_completeness_finalfn);
PG_FUNCTION_INFO_V1(bg_counts_completeness);
PG_FUNCTION_INFO_V1(bg_completeness_state_in);
PG_FUNCTION_INFO_V1(bg_completeness_state_out);

/*
 * a + b for two counts of members, both >= 0: saturating, since only
 * min(count, members_required) matters, so a huge count never wraps negative.
 */
static inline int64
count_add(int64 a, int64 b)
{
	int64		sum;

	return pg_add_s64_overflow(a, b, &sum) ? PG_INT64_MAX : sum;
}

/*
 * Adds count members of a role (argument 2; NULL counts nothing) to the
 * state (argument 0) of the template (argument 1).
 */
static Datum
completeness_add(FunctionCallInfo fcinfo, int64 count)
{
	MemoryContext aggcxt;
	CompletenessState *s;
	text	   *tmpl;
	text	   *role;
	StateEntry *e;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("completeness transition function called outside an aggregate"),
				 errhint("Call the aggregates buying_group.completeness() or buying_group.role_completeness().")));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the template of completeness() must not be NULL")));
	tmpl = PG_GETARG_TEXT_PP(1);
	if (PG_ARGISNULL(0))
		s = state_create(aggcxt, VARDATA_ANY(tmpl), VARSIZE_ANY_EXHDR(tmpl), 0);
	else
	{
		s = (CompletenessState *) PG_GETARG_POINTER(0);
		check_same_template(s, VARDATA_ANY(tmpl), VARSIZE_ANY_EXHDR(tmpl));
	}
	if (PG_ARGISNULL(2) || count == 0)
		PG_RETURN_POINTER(s);

	role = PG_GETARG_TEXT_PP(2);
	e = state_find(s, VARDATA_ANY(role), VARSIZE_ANY_EXHDR(role));
	if (e != NULL)
	{
		e->count = count_add(e->count, count); /* the state lives in the aggregate context */
		PG_RETURN_POINTER(s);
	}
	PG_RETURN_POINTER(state_append(aggcxt, s, VARDATA_ANY(role), VARSIZE_ANY_EXHDR(role), count));
}

/* Transition of completeness(template, role): counts one row's role. */
Datum
bg_completeness_transfn(PG_FUNCTION_ARGS)
{
	return completeness_add(fcinfo, 1);
}

/*
 * Transition of completeness(template, role, members): counts a row's
 * members of the role at once (a row per role, from stored counts).
 */
Datum
bg_completeness_count_transfn(PG_FUNCTION_ARGS)
{
	int64		count = PG_ARGISNULL(3) ? 0 : PG_GETARG_INT64(3);

	if (count < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("completeness() cannot count %lld members of a role", (long long) count)));
	return completeness_add(fcinfo, count);
}

/* Combine: adds the counts of two partial states of the same template. */
Datum
bg_completeness_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	CompletenessState *a;
	CompletenessState *b;
	CompletenessState *r;
	StateEntry *e;
	int			i;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("completeness combine function called outside an aggregate")));
	a = DatumGetCompletenessState(PG_GETARG_DATUM(0));
	b = DatumGetCompletenessState(PG_GETARG_DATUM(1));
	check_same_template(a, STATE_TEMPLATE(b), b->template_len);

	r = MemoryContextAlloc(aggcxt, VARSIZE(a));
	memcpy(r, a, VARSIZE(a));
	e = STATE_FIRST(b);
	for (i = 0; i < b->nentries; i++, e = ENTRY_NEXT(e))
	{
		StateEntry *mine = state_find(r, e->name, e->name_len);

		if (mine != NULL)
			mine->count = count_add(mine->count, e->count);
		else
			r = state_append(aggcxt, r, e->name, e->name_len, e->count);
	}
	PG_RETURN_POINTER(r);
}

/* The numeric of an int64. */
static Numeric
num(int64 v)
{
	return DatumGetNumeric(DirectFunctionCall1(int8_numeric, Int64GetDatum(v)));
}

/* a + b, a * b, a / b on numerics. */
static Numeric
num_add(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_add, NumericGetDatum(a), NumericGetDatum(b)));
}

static Numeric
num_mul(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_mul, NumericGetDatum(a), NumericGetDatum(b)));
}

static Numeric
num_div(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_div, NumericGetDatum(a), NumericGetDatum(b)));
}

/* How many rows carried role r, after checking every counted role is in t. */
static int64
assigned_count(CompletenessState *s, Template *t, int r)
{
	StateEntry *e = state_find(s, t->roles[r].name, (int) strlen(t->roles[r].name));

	return e ? e->count : 0;
}

/* Raises an error if the state counts a role the template does not have. */
static void
check_roles_known(CompletenessState *s, Template *t)
{
	StateEntry *e = STATE_FIRST(s);
	int			i;
	int			r;

	for (i = 0; i < s->nentries; i++, e = ENTRY_NEXT(e))
	{
		for (r = 0; r < t->nroles; r++)
			if ((int) strlen(t->roles[r].name) == e->name_len &&
				memcmp(t->roles[r].name, e->name, e->name_len) == 0)
				break;
		if (r == t->nroles)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("role \"%.*s\" is not in template \"%s\"", e->name_len, e->name, t->name),
					 errhint("The view buying_group.template_roles lists the roles of each template.")));
	}
}

/*
 * Completeness of a group, by the template's mode, given how many members
 * hold each role; NULL when the template has no required role.
 */
static Numeric
completeness_of(Template *t, int64 (*assigned) (void *arg, int r), void *arg)
{
	Numeric		product = num(1);
	Numeric		numerator = num(0);
	Numeric		weights = num(0);
	int			nrequired = 0;
	int			r;

	/* numerator / (weights * product) with every role's fraction over product */
	for (r = 0; r < t->nroles; r++)
		if (t->roles[r].required)
			product = num_mul(product, num(t->roles[r].members_required));
	for (r = 0; r < t->nroles; r++)
	{
		TemplateRole *role = &t->roles[r];
		int64		w = t->weighted ? role->weight : 1;
		int64		filled;

		if (!role->required)
			continue;
		nrequired++;
		filled = Min(assigned(arg, r), (int64) role->members_required);
		numerator = num_add(numerator,
							num_mul(num(w * filled),
									num_div(product, num(role->members_required))));
		weights = num_add(weights, num(w));
	}
	if (nrequired == 0)
		return NULL;
	/* exact; without the trailing zeros of the division's scale (100, not 100.000...) */
	return DatumGetNumeric(DirectFunctionCall1(numeric_trim_scale,
											   NumericGetDatum(num_div(num_mul(num(100), numerator),
																	   num_mul(weights, product)))));
}

/* Adapter: role counts read from an aggregate state. */
typedef struct StateCounts
{
	CompletenessState *state;
	Template   *tmpl;
} StateCounts;

static int64
state_assigned(void *arg, int r)
{
	StateCounts *sc = (StateCounts *) arg;

	return assigned_count(sc->state, sc->tmpl, r);
}

/* Final: the group's completeness, numeric at full precision. */
Datum
bg_completeness_finalfn(PG_FUNCTION_ARGS)
{
	StateCounts sc;
	Numeric		result;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	sc.state = DatumGetCompletenessState(PG_GETARG_DATUM(0));
	sc.tmpl = template_get(STATE_TEMPLATE(sc.state), sc.state->template_len);
	check_roles_known(sc.state, sc.tmpl);
	result = completeness_of(sc.tmpl, state_assigned, &sc);
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(result);
}

/* Adapter: role counts read from an int4 array indexed by priority. */
typedef struct ArrayCounts
{
	Datum	   *counts;
	bool	   *nulls;
	int			n;
	Template   *tmpl;
} ArrayCounts;

static int64
array_assigned(void *arg, int r)
{
	ArrayCounts *ac = (ArrayCounts *) arg;
	int			i = ac->tmpl->roles[r].priority - 1;

	if (i < 0 || i >= ac->n || ac->nulls[i])
		return 0;
	return DatumGetInt32(ac->counts[i]);
}

/*
 * SQL counts_completeness(template text, role_counts integer[]) -> numeric:
 * the completeness of a group whose members hold the template's role of
 * priority p role_counts[p] times (missing or NULL elements count 0); NULL
 * when the template has no required role. STRICT.
 */
Datum
bg_counts_completeness(PG_FUNCTION_ARGS)
{
	text	   *name = PG_GETARG_TEXT_PP(0);
	ArrayCounts ac;
	Numeric		result;

	ac.n = int4_elements(PG_GETARG_ARRAYTYPE_P(1), "role counts", true, &ac.counts, &ac.nulls);
	ac.tmpl = template_get(VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name));
	result = completeness_of(ac.tmpl, array_assigned, &ac);
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(result);
}

/* Final: {"role": completeness of the role, ...} for every role of the template. */
Datum
bg_role_completeness_finalfn(PG_FUNCTION_ARGS)
{
	CompletenessState *s;
	Template   *t;
	StringInfoData out;
	int			r;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = DatumGetCompletenessState(PG_GETARG_DATUM(0));
	t = template_get(STATE_TEMPLATE(s), s->template_len);
	check_roles_known(s, t);
	initStringInfo(&out);
	appendStringInfoChar(&out, '{');
	for (r = 0; r < t->nroles; r++)
	{
		int64		req = t->roles[r].members_required;
		int64		filled = Min(assigned_count(s, t, r), req);
		Numeric		rc = num_div(num(100 * filled), num(req));
		Datum		rounded = DirectFunctionCall2(numeric_round, NumericGetDatum(rc), Int32GetDatum(2));

		if (r > 0)
			appendStringInfoString(&out, ", ");
		escape_json(&out, t->roles[r].name);
		appendStringInfo(&out, ": %s", DatumGetCString(DirectFunctionCall1(numeric_out, rounded)));
	}
	appendStringInfoChar(&out, '}');
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(out.data)));
}

/* Raises the error of a malformed completeness_state text. */
static void
pg_attribute_noreturn()
bad_state(const char *input, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type completeness_state: \"%s\"", input),
			 errdetail("%s", why),
			 errhint("The form is {\"template\": \"name\", \"counts\": {\"role\": count, ...}}.")));
}

/* Reads a string JsonbValue as a palloc'd buffer. */
static char *
jbv_string(JsonbValue *v, int *len)
{
	*len = v->val.string.len;
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* Input: {"template": "...", "counts": {"role": n, ...}}. */
Datum
bg_completeness_state_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	Jsonb	   *jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(input)));
	JsonbValue	key;
	JsonbValue *v;
	CompletenessState *s;
	JsonbIterator *it;
	JsonbValue	jv;
	JsonbIteratorToken tok;
	int			len;
	char	   *tmpl;

	if (!JB_ROOT_IS_OBJECT(jb))
		bad_state(input, "It is not a JSON object.");
	key.type = jbvString;
	key.val.string.val = "template";
	key.val.string.len = 8;
	v = findJsonbValueFromContainer(&jb->root, JB_FOBJECT, &key);
	if (v == NULL || v->type != jbvString)
		bad_state(input, "\"template\" must be a string.");
	tmpl = jbv_string(v, &len);
	s = state_create(CurrentMemoryContext, tmpl, len, 0);

	key.val.string.val = "counts";
	key.val.string.len = 6;
	v = findJsonbValueFromContainer(&jb->root, JB_FOBJECT, &key);
	if (v == NULL || v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		bad_state(input, "\"counts\" must be an object.");
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &jv, true)) != WJB_DONE)
	{
		char	   *name;
		int64		count;

		if (tok != WJB_KEY)
			continue;
		name = jbv_string(&jv, &len);
		tok = JsonbIteratorNext(&it, &jv, true);
		if (jv.type != jbvNumeric)
			bad_state(input, psprintf("The count of \"%s\" is not a number.", name));
		count = DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(jv.val.numeric)));
		if (count < 0)
			bad_state(input, psprintf("The count of \"%s\" is negative.", name));
		if (state_find(s, name, len) != NULL)
			bad_state(input, psprintf("\"%s\" appears twice.", name));
		s = state_append(CurrentMemoryContext, s, name, len, count);
	}
	PG_RETURN_POINTER(s);
}

/* Output: the JSON text that completeness_state_in reads back. */
Datum
bg_completeness_state_out(PG_FUNCTION_ARGS)
{
	CompletenessState *s = DatumGetCompletenessState(PG_GETARG_DATUM(0));
	StringInfoData out;
	StateEntry *e = STATE_FIRST(s);
	int			i;

	initStringInfo(&out);
	appendStringInfoString(&out, "{\"template\": ");
	escape_json(&out, pnstrdup(STATE_TEMPLATE(s), s->template_len));
	appendStringInfoString(&out, ", \"counts\": {");
	for (i = 0; i < s->nentries; i++, e = ENTRY_NEXT(e))
	{
		if (i > 0)
			appendStringInfoString(&out, ", ");
		escape_json(&out, pnstrdup(e->name, e->name_len));
		appendStringInfo(&out, ": " INT64_FORMAT, e->count);
	}
	appendStringInfoString(&out, "}}");
	PG_RETURN_CSTRING(out.data);
}
