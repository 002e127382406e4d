/*
 * rule_bind.c
 *		Rule x row type -> BoundRule.
 *
 * Binding resolves every attribute a rule names to a column of the row type
 * (or a dotted path into a jsonb column), picks how its values are read, and
 * converts the rule's constants to that column's type once, so that the
 * per-row evaluation compares machine values. A rule that names a column
 * the row does not have, or compares a column with a value of the wrong
 * type, fails here with the JSON path and the column name.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "rule.h"

/*
 * Creates an empty binding for rows of tupdesc, in a new memory context
 * under parent. The tuple descriptor is copied.
 */
RuleBinding *
rule_binding_create(TupleDesc tupdesc, MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "buying_group rule binding",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	RuleBinding *b = palloc0(sizeof(RuleBinding));

	b->cxt = cxt;
	b->tupdesc = CreateTupleDescCopy(tupdesc);
	b->maxslots = 8;
	b->slots = palloc0(b->maxslots * sizeof(AttrSlot));
	b->values = palloc(Max(tupdesc->natts, 1) * sizeof(Datum));
	b->nulls = palloc(Max(tupdesc->natts, 1) * sizeof(bool));
	b->scratch = AllocSetContextCreate(cxt, "buying_group rule scratch",
									   ALLOCSET_SMALL_SIZES);
	b->memoise = true;
	MemoryContextSwitchTo(old);
	return b;
}

/* How values of a (base) type are read. */
static ValueKind
value_kind_of(Oid typid)
{
	char		category;
	bool		preferred;

	switch (typid)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
			return VK_INT;
		case FLOAT4OID:
		case FLOAT8OID:
			return VK_FLOAT;
		case NUMERICOID:
			return VK_NUMERIC;
		case DATEOID:
			return VK_DATE;
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return VK_TIMESTAMP;
		case BOOLOID:
			return VK_BOOL;
	}
	get_type_category_preferred(typid, &category, &preferred);
	if (category == TYPCATEGORY_STRING && get_typlen(typid) == -1)
		return VK_TEXT;
	return VK_OTHER;
}

/* Finds a live column by name; returns its 0-based index or -1. */
static int
find_column(TupleDesc tupdesc, const char *name)
{
	int			i;

	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return i;
	}
	return -1;
}

/* Builds the text[] of a dotted jsonb path ("a.b" -> {a,b}). */
static Datum
json_path_array(const char *path)
{
	char	   *copy = pstrdup(path);
	List	   *parts = NIL;
	char	   *p = copy;
	Datum	   *elems;
	int			n = 0;
	ListCell   *lc;

	for (;;)
	{
		char	   *dot = strchr(p, '.');

		if (dot != NULL)
			*dot = '\0';
		parts = lappend(parts, p);
		if (dot == NULL)
			break;
		p = dot + 1;
	}
	elems = palloc(list_length(parts) * sizeof(Datum));
	foreach(lc, parts)
		elems[n++] = CStringGetTextDatum((char *) lfirst(lc));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* Name of the row type, for error messages. */
static const char *
row_type_name(TupleDesc tupdesc)
{
	if (tupdesc->tdtypeid == RECORDOID || !OidIsValid(tupdesc->tdtypeid))
		return "The row";
	return psprintf("Row type %s", format_type_be(tupdesc->tdtypeid));
}

/* Returns the slot index for an attribute name, creating the slot if new. */
static int
slot_for_attr(RuleBinding *b, const char *attr, const char *path)
{
	AttrSlot   *slot;
	int			attno;
	const char *dot;
	Oid			typid;
	Oid			outfunc;
	bool		isvarlena;
	int			i;

	for (i = 0; i < b->nslots; i++)
		if (strcmp(b->slots[i].name, attr) == 0)
			return i;

	if (b->nslots == b->maxslots)
	{
		b->maxslots *= 2;
		b->slots = repalloc(b->slots, b->maxslots * sizeof(AttrSlot));
	}
	slot = &b->slots[b->nslots];
	memset(slot, 0, sizeof(AttrSlot));
	slot->name = pstrdup(attr);

	attno = find_column(b->tupdesc, attr);
	if (attno < 0 && strcmp(attr, "person_engagement_score") == 0)
	{
		engagement_slot_bind(slot, b->tupdesc, path, b->cxt);
		getTypeOutputInfo(slot->typid, &outfunc, &isvarlena);
		fmgr_info_cxt(outfunc, &slot->outfunc, b->cxt);
		return b->nslots++;
	}
	dot = strchr(attr, '.');
	if (attno < 0 && dot != NULL && dot != attr && dot[1] != '\0')
	{
		char	   *column = pnstrdup(attr, dot - attr);

		attno = find_column(b->tupdesc, column);
		if (attno >= 0)
		{
			typid = getBaseType(TupleDescAttr(b->tupdesc, attno)->atttypid);
			if (typid != JSONBOID)
				rule_invalid(path, "Dotted paths address keys inside a jsonb column.",
							 "column \"%s\" of attribute \"%s\" is %s, not jsonb",
							 column, attr, format_type_be(typid));
			slot->kind = VK_JSON_PATH;
			slot->json_path = json_path_array(dot + 1);
		}
	}
	if (attno < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid rule at %s: unknown attribute \"%s\"", path, attr),
				 errdetail("%s has no column \"%s\".", row_type_name(b->tupdesc), attr),
				 errhint("Rules name columns of the row they test; a key inside a jsonb column is "
						 "written as column.key, e.g. attributes.seniority.")));

	slot->attno = attno;
	slot->typid = getBaseType(TupleDescAttr(b->tupdesc, attno)->atttypid);
	if (slot->kind != VK_JSON_PATH)
		slot->kind = value_kind_of(slot->typid);
	getTypeOutputInfo(slot->typid, &outfunc, &isvarlena);
	fmgr_info_cxt(outfunc, &slot->outfunc, b->cxt);
	return b->nslots++;
}

/* Describes a slot's type for error messages: "column \"x\" (integer)". */
static char *
slot_description(AttrSlot *slot)
{
	if (slot->kind == VK_JSON_PATH)
		return psprintf("jsonb path \"%s\"", slot->name);
	return psprintf("column \"%s\" (%s)", slot->name, format_type_be(slot->typid));
}

/* Converts a date or timestamp string with the column type's input function. */
static int64
parse_time_const(AttrSlot *slot, const RuleConst *c, const char *path)
{
	MemoryContext cxt = CurrentMemoryContext;
	Oid			typinput;
	Oid			typioparam;
	Datum		d = (Datum) 0;

	getTypeInputInfo(slot->typid, &typinput, &typioparam);
	PG_TRY();
	{
		d = OidInputFunctionCall(typinput, c->str, typioparam, -1);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		rule_invalid(path, "Write dates and timestamps in ISO 8601, e.g. \"2026-01-31\" or \"2026-01-31T12:00:00Z\".",
					 "\"%s\" is not a valid %s for %s: %s", c->str,
					 format_type_be(slot->typid), slot_description(slot), edata->message);
	}
	PG_END_TRY();
	if (slot->kind == VK_DATE)
		return (int64) DatumGetDateADT(d);
	return DatumGetInt64(d);
}

/* Raises the error of a constant whose type does not fit the column. */
static void
pg_attribute_noreturn()
type_mismatch(AttrSlot *slot, RuleNode *leaf, const RuleConst *c, const char *path)
{
	const char *given = c->kind == RC_STRING ? "a string"
		: c->kind == RC_NUMBER ? "a number" : "a boolean";
	const char *want;

	switch (slot->kind)
	{
		case VK_INT:
		case VK_FLOAT:
		case VK_NUMERIC:
		case VK_JSON_PATH:
			want = "a number";
			break;
		case VK_DATE:
		case VK_TIMESTAMP:
			want = "an ISO 8601 date string";
			break;
		case VK_BOOL:
			want = "true or false";
			break;
		default:
			want = "a string";
			break;
	}
	if (leaf->opclass == OPC_ORDER &&
		(slot->kind == VK_TEXT || slot->kind == VK_OTHER || slot->kind == VK_BOOL))
		rule_invalid(path, "Use eq, in, contains or starts_with on text; gt, lt and between on numbers and dates.",
					 "operator %s compares numbers and dates, and %s is neither",
					 rule_op_name(leaf->op), slot_description(slot));
	rule_invalid(path, "Write the value in the column's type, or use a text operator such as contains.",
				 "operator %s compares %s with %s, not %s",
				 rule_op_name(leaf->op), slot_description(slot), want, given);
}

/* JSON path of a leaf's i-th constant. */
static char *
value_path(RuleNode *leaf, int i)
{
	if (leaf->nconsts > 1)
		return psprintf("%s.value[%d]", leaf->path, i);
	return psprintf("%s.value", leaf->path);
}

/*
 * A number of a rule as a numeric, from the constant's text, which the SQL
 * compiler writes too: an integer exactly, any other number as the parser
 * read it (the nearest double, in its shortest form).
 */
static Datum
const_numeric(const RuleConst *c)
{
	return DirectFunctionCall3(numeric_in, CStringGetDatum(c->str),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

/*
 * Decides whether a leaf compares typed values, checks its constants
 * against the column, and converts them.
 */
static void
bind_leaf(RuleBinding *b, RuleNode *leaf, BoundLeaf *bl)
{
	RuleOpClass opclass = leaf->opclass;
	AttrSlot   *slot;
	int			i;

	bl->slot = slot_for_attr(b, leaf->attr, psprintf("%s.attr", leaf->path));
	slot = &b->slots[bl->slot];
	bl->typed = false;
	if (opclass != OPC_EQUALITY && opclass != OPC_ORDER)
		return;

	for (i = 0; i < leaf->nconsts; i++)
	{
		const RuleConst *c = &leaf->consts[i];
		bool		ok;

		switch (slot->kind)
		{
			case VK_INT:
			case VK_FLOAT:
			case VK_NUMERIC:
				ok = c->kind == RC_NUMBER;
				break;
			case VK_DATE:
			case VK_TIMESTAMP:
				ok = c->kind == RC_STRING;
				break;
			case VK_BOOL:
				ok = c->kind == RC_BOOL && opclass == OPC_EQUALITY;
				break;
			case VK_JSON_PATH:
				ok = c->kind == RC_NUMBER || opclass == OPC_EQUALITY;
				break;
			default:
				ok = c->kind == RC_STRING && opclass == OPC_EQUALITY;
				break;
		}
		if (!ok)
			type_mismatch(slot, leaf, c, value_path(leaf, i));
	}

	/* text columns, and strings or booleans against a jsonb path, compare folded text */
	if (slot->kind == VK_TEXT || slot->kind == VK_OTHER ||
		(slot->kind == VK_JSON_PATH && leaf->consts[0].kind != RC_NUMBER))
		return;

	bl->typed = true;
	bl->consts = palloc0(leaf->nconsts * sizeof(BoundConst));
	for (i = 0; i < leaf->nconsts; i++)
	{
		const RuleConst *c = &leaf->consts[i];
		BoundConst *bc = &bl->consts[i];

		switch (slot->kind)
		{
			case VK_INT:
				bc->ival = c->ival;
				if (!c->is_integer)
					bc->nval = const_numeric(c);
				break;
			case VK_FLOAT:
				bc->fval = c->num;
				break;
			case VK_NUMERIC:
			case VK_JSON_PATH:
				bc->nval = const_numeric(c);
				break;
			case VK_DATE:
			case VK_TIMESTAMP:
				bc->ival = parse_time_const(slot, c, value_path(leaf, i));
				break;
			case VK_BOOL:
				bc->ival = c->boolval ? 1 : 0;
				break;
			default:
				break;
		}
	}
}

/*
 * Binds a parsed rule into a binding: every leaf gets its attribute slot and
 * typed constants. Raises the rule's row-type errors, and refuses
 * buying-group filters unless the caller compiles them (account audiences).
 */
BoundRule *
rule_bind(RuleBinding *b, Rule *rule, bool allow_group_filters)
{
	MemoryContext old = MemoryContextSwitchTo(b->cxt);
	BoundRule  *br = palloc0(sizeof(BoundRule));
	int			i;

	br->rule = rule;
	br->binding = b;
	br->leaves = palloc0(rule->nnodes * sizeof(BoundLeaf));
	for (i = 0; i < rule->nnodes; i++)
	{
		if (rule->nodes[i].kind == RN_LEAF)
		{
			bind_leaf(b, &rule->nodes[i], &br->leaves[i]);
			rule_memo_register(br, i);
		}
		else if (rule->nodes[i].kind == RN_GROUP && !allow_group_filters)
			rule_invalid(rule->nodes[i].path,
						 "Use buying-group filters in account audiences (buying_group.create_audience).",
						 "buying-group filters select accounts; they do not apply here");
	}
	MemoryContextSwitchTo(old);
	return br;
}
