/*
 * rule_eval.c
 *		Evaluates bound rules against one row at a time.
 *
 * The row is deformed once; each attribute slot reads its value lazily, at
 * most once per row, however many leaves of however many rules name it.
 * Text is trimmed and folded into the slot's own buffer, so ASCII text,
 * integers, floats, dates and timestamps are compared without allocating.
 * The rarer paths (numeric columns, non-ASCII text, jsonb paths, titles,
 * text forms of other types) allocate in a scratch context reset per row.
 * Leaves on text columns first ask their column's memo (rule_memo.c), which
 * evaluates them here once per distinct value.
 *
 * NULL semantics (SPEC section 3): is_empty is true for NULL or blank text;
 * every other operator, negated ones included, is false on NULL.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "rule.h"
#include "title.h"

/* Makes a binding's slots read the given row. */
void
rule_binding_set_row(RuleBinding *b, HeapTupleHeader row)
{
	HeapTupleData tuple;

	tuple.t_len = HeapTupleHeaderGetDatumLength(row);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = row;
	heap_deform_tuple(&tuple, b->tupdesc, b->values, b->nulls);
	b->generation++;
	MemoryContextReset(b->scratch);
}

/* Forgets what a slot read from the previous row. */
static inline void
slot_refresh(RuleBinding *b, AttrSlot *slot)
{
	if (slot->generation != b->generation)
	{
		slot->generation = b->generation;
		slot->folded_done = false;
		slot->json_num_done = false;
		slot->engagement_done = false;
		slot->title = NULL;
	}
}

/* The slot's value in the current row; *isnull when NULL. */
static Datum
slot_datum(RuleBinding *b, AttrSlot *slot, bool *isnull)
{
	*isnull = b->nulls[slot->attno];
	if (!slot->engagement)
		return b->values[slot->attno];
	if (*isnull)
		return (Datum) 0;		/* a person without a key has no score */
	slot_refresh(b, slot);
	if (!slot->engagement_done)
	{
		slot->engagement_value = engagement_lookup(slot, b->values[slot->attno], b->scratch);
		slot->engagement_done = true;
	}
	return slot->engagement_value;
}

/* Reads the raw text form of a slot's value into *s / *len; false if NULL. */
static bool
slot_raw_text(RuleBinding *b, AttrSlot *slot, const char **s, int *len)
{
	bool		isnull;
	Datum		d = slot_datum(b, slot, &isnull);

	if (isnull)
		return false;
	if (slot->kind == VK_TEXT)
	{
		struct varlena *v = (struct varlena *) DatumGetPointer(d);

		if (VARATT_IS_EXTERNAL(v) || VARATT_IS_COMPRESSED(v))
			v = pg_detoast_datum_packed(v);
		*s = VARDATA_ANY(v);
		*len = (int) VARSIZE_ANY_EXHDR(v);
		return true;
	}
	if (slot->kind == VK_JSON_PATH)
	{
		LOCAL_FCINFO(fcinfo, 2);
		text	   *t;
		Datum		result;

		InitFunctionCallInfoData(*fcinfo, NULL, 2, InvalidOid, NULL, NULL);
		fcinfo->args[0].value = d;
		fcinfo->args[0].isnull = false;
		fcinfo->args[1].value = slot->json_path;
		fcinfo->args[1].isnull = false;
		result = jsonb_extract_path_text(fcinfo);
		if (fcinfo->isnull)
			return false;
		t = DatumGetTextPP(result);
		*s = VARDATA_ANY(t);
		*len = (int) VARSIZE_ANY_EXHDR(t);
		return true;
	}
	*s = OutputFunctionCall(&slot->outfunc, d);
	*len = (int) strlen(*s);
	return true;
}

/*
 * Makes slot->text the trimmed, folded text of the slot's value; returns
 * false if the value is NULL (or a jsonb path that is absent).
 */
static bool
slot_text(RuleBinding *b, AttrSlot *slot)
{
	slot_refresh(b, slot);
	if (!slot->folded_done)
	{
		const char *s;
		int			len;

		slot->folded_done = true;
		slot->isnull = !slot_raw_text(b, slot, &s, &len);
		if (!slot->isnull)
		{
			text_trim(&s, &len);
			if (len + 1 > slot->text_cap)
			{
				slot->text_cap = Max(len + 1, 2 * slot->text_cap);
				slot->text = slot->text == NULL
					? MemoryContextAlloc(b->cxt, slot->text_cap)
					: repalloc(slot->text, slot->text_cap);
			}
			if (text_fold_ascii(s, len, slot->text))
				slot->text_len = len;
			else
			{
				char	   *f = text_fold(s, len, &len);

				if (len + 1 > slot->text_cap)
				{
					slot->text_cap = len + 1;
					slot->text = repalloc(slot->text, slot->text_cap);
				}
				memcpy(slot->text, f, len + 1);
				slot->text_len = len;
			}
		}
	}
	return !slot->isnull;
}

/*
 * Is s[0..len) a number as the rule language reads one at a jsonb path:
 * [+-] digits [. digits] [e [+-] digits], within the limits of rule.h
 * (RULE_NUMBER_REGEX, which the SQL compiler uses, says the same)? strtod
 * alone would also take hexadecimal, "inf" and "nan".
 */
static bool
is_decimal(const char *s, int len)
{
	int			i = 0;
	int			whole = 0;
	int			fraction = 0;
	int			exp_digits = 0;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	for (; i < len && isdigit((unsigned char) s[i]); i++)
		whole++;
	if (i < len && s[i] == '.')
		for (i++; i < len && isdigit((unsigned char) s[i]); i++)
			fraction++;
	if (whole + fraction == 0 || whole > RULE_NUMBER_DIGITS || fraction > RULE_NUMBER_DIGITS)
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E'))
	{
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		for (; i < len && isdigit((unsigned char) s[i]); i++)
			exp_digits++;
		if (exp_digits == 0 || exp_digits > RULE_NUMBER_EXP_DIGITS)
			return false;
	}
	return i == len;
}

/* The number a jsonb path holds, as a numeric, if its text is a number. */
static bool
slot_json_numeric(RuleBinding *b, AttrSlot *slot, Datum *out)
{
	slot_refresh(b, slot);
	if (!slot->json_num_done)
	{
		slot->json_num_done = true;
		slot->json_num_ok = slot_text(b, slot) && is_decimal(slot->text, slot->text_len);
		if (slot->json_num_ok)
			slot->json_num = DirectFunctionCall3(numeric_in,
												 CStringGetDatum(pnstrdup(slot->text, slot->text_len)),
												 ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	}
	*out = slot->json_num;
	return slot->json_num_ok;
}

/* Three-way comparison of two doubles, as PostgreSQL orders float8. */
static inline int
cmp_double(double a, double b)
{
	return float8_cmp_internal(a, b);
}

/* Three-way comparison of two int64s. */
static inline int
cmp_int64(int64 a, int64 b)
{
	return (a > b) - (a < b);
}

/*
 * Compares a slot's typed value with a bound constant: <0, 0, >0. Sets
 * *valid to false when a jsonb path holds no number.
 */
static int
typed_cmp(RuleBinding *b, AttrSlot *slot, const RuleConst *c, const BoundConst *bc,
		  bool *valid)
{
	bool		isnull;
	Datum		d = slot_datum(b, slot, &isnull);

	*valid = true;
	switch (slot->kind)
	{
		case VK_INT:
			{
				int64		v = slot->typid == INT2OID ? DatumGetInt16(d)
					: slot->typid == INT4OID ? DatumGetInt32(d) : DatumGetInt64(d);

				if (c->is_integer)
					return cmp_int64(v, bc->ival);
				return DatumGetInt32(DirectFunctionCall2(numeric_cmp,
														 NumericGetDatum(int64_to_numeric(v)), bc->nval));
			}
		case VK_FLOAT:
			return cmp_double(slot->typid == FLOAT4OID ? (double) DatumGetFloat4(d)
							  : DatumGetFloat8(d), bc->fval);
		case VK_NUMERIC:
			return DatumGetInt32(DirectFunctionCall2(numeric_cmp, d, bc->nval));
		case VK_DATE:
			return cmp_int64((int64) DatumGetDateADT(d), bc->ival);
		case VK_TIMESTAMP:
			return cmp_int64(DatumGetInt64(d), bc->ival);
		case VK_BOOL:
			return cmp_int64(DatumGetBool(d) ? 1 : 0, bc->ival);
		case VK_JSON_PATH:
			{
				Datum		v;

				*valid = slot_json_numeric(b, slot, &v);
				return *valid ? DatumGetInt32(DirectFunctionCall2(numeric_cmp, v, bc->nval)) : 0;
			}
		default:
			elog(ERROR, "typed comparison on untyped attribute \"%s\"", slot->name);
	}
	return 0;
}

/* Does the slot's folded text match the pattern (case-insensitive)? */
static bool
regex_match(RuleBinding *b, AttrSlot *slot, regex_t *re)
{
	int			wlen;
	int			rc;

	if (slot->text_len + 1 > b->wbuf_cap)
	{
		b->wbuf_cap = Max(slot->text_len + 1, 2 * b->wbuf_cap);
		b->wbuf = b->wbuf == NULL
			? MemoryContextAlloc(b->cxt, b->wbuf_cap * sizeof(pg_wchar))
			: repalloc(b->wbuf, b->wbuf_cap * sizeof(pg_wchar));
	}
	wlen = pg_mb2wchar_with_len(slot->text, b->wbuf, slot->text_len);
	rc = pg_regexec(re, b->wbuf, wlen, 0, NULL, 0, NULL, 0);
	if (rc == REG_OKAY)
		return true;
	if (rc != REG_NOMATCH)
	{
		char		errbuf[256];

		pg_regerror(rc, re, errbuf, sizeof(errbuf));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_REGULAR_EXPRESSION),
				 errmsg("regular expression failed on attribute \"%s\": %s", slot->name, errbuf)));
	}
	return false;
}

/* Title similarity of the slot's value with a title_like constant. */
static double
title_similarity(RuleBinding *b, AttrSlot *slot, const RuleConst *c)
{
	if (slot->title == NULL)
		slot->title = title_key_make(slot->text, slot->text_len);
	return title_key_similarity(slot->title, c->title);
}

/* Does one constant match the slot's folded text under the leaf's operator? */
static bool
text_const_matches(RuleBinding *b, AttrSlot *slot, RuleNode *leaf, const RuleConst *c)
{
	const char *t = slot->text;
	int			n = slot->text_len;
	int			m = c->folded_len;

	switch (leaf->op)
	{
		case OP_EQ:
		case OP_NE:
		case OP_IN:
		case OP_NOT_IN:
			return n == m && memcmp(t, c->folded, m) == 0;
		case OP_CONTAINS:
		case OP_NOT_CONTAINS:
			return text_contains(t, n, c->folded, m);
		case OP_STARTS_WITH:
			return n >= m && memcmp(t, c->folded, m) == 0;
		case OP_ENDS_WITH:
			return n >= m && memcmp(t + n - m, c->folded, m) == 0;
		case OP_MATCHES:
			return regex_match(b, slot, c->regex);
		case OP_TITLE_LIKE:
			return title_similarity(b, slot, c) >= leaf->threshold;
		default:
			elog(ERROR, "operator %s is not a text operator", rule_op_name(leaf->op));
	}
	return false;
}

/* Evaluates a leaf on the current row, without its memo. */
bool
rule_eval_leaf(BoundRule *br, int idx)
{
	RuleNode   *leaf = &br->rule->nodes[idx];
	BoundLeaf  *bl = &br->leaves[idx];
	RuleBinding *b = br->binding;
	AttrSlot   *slot = &b->slots[bl->slot];
	bool		any = false;
	bool		isnull;
	int			i;

	(void) slot_datum(b, slot, &isnull);
	if (leaf->opclass == OPC_EMPTINESS)
	{
		bool		empty;

		if (slot->kind == VK_TEXT || slot->kind == VK_OTHER || slot->kind == VK_JSON_PATH)
			empty = !slot_text(b, slot) || slot->text_len == 0;
		else
			empty = isnull;
		return (leaf->op == OP_IS_EMPTY) == empty;
	}
	if (isnull)
		return false;

	if (bl->typed)
	{
		for (i = 0; i < leaf->nconsts && !any; i++)
		{
			bool		valid;
			int			cmp = typed_cmp(b, slot, &leaf->consts[i], &bl->consts[i], &valid);

			if (!valid)
				return false;
			if (leaf->op == OP_BETWEEN)
				return rule_op_holds(OP_GTE, cmp) &&
					rule_op_holds(OP_LTE, typed_cmp(b, slot, &leaf->consts[1], &bl->consts[1], &valid));
			if (leaf->opclass == OPC_ORDER)
				return rule_op_holds(leaf->op, cmp);
			any = rule_op_holds(leaf->op, cmp);
		}
	}
	else
	{
		if (!slot_text(b, slot))
			return false;
		for (i = 0; i < leaf->nconsts && !any; i++)
			any = text_const_matches(b, slot, leaf, &leaf->consts[i]);
	}
	return rule_op_info(leaf->op)->negated ? !any : any;
}

/* Evaluates node idx of a bound rule on the current row. */
bool
rule_eval_node(BoundRule *br, int idx)
{
	RuleNode   *node = &br->rule->nodes[idx];
	int			i;

	switch (node->kind)
	{
		case RN_LEAF:
			{
				bool		result;

				if (rule_memo_leaf(br, idx, &result))
					return result;
				return rule_eval_leaf(br, idx);
			}
		case RN_NOT:
			return !rule_eval_node(br, node->children[0]);
		case RN_ALL:
			for (i = 0; i < node->nchildren; i++)
				if (!rule_eval_node(br, node->children[i]))
					return false;
			return true;
		case RN_ANY:
			for (i = 0; i < node->nchildren; i++)
				if (rule_eval_node(br, node->children[i]))
					return true;
			return false;
		case RN_GROUP:
			/* rule_bind refuses them outside audiences, which compile to SQL */
			elog(ERROR, "buying-group filter at %s cannot be evaluated per row", node->path);
	}
	return false;
}

/*
 * Evaluates a bound rule on the row last given to rule_binding_set_row.
 * Per-row allocations go to the binding's scratch context.
 */
bool
rule_eval(BoundRule *br)
{
	MemoryContext old = MemoryContextSwitchTo(br->binding->scratch);
	bool		result = rule_eval_node(br, 0);

	MemoryContextSwitchTo(old);
	return result;
}

/*
 * Appends the value a leaf sees, untrimmed and unfolded, to out (for
 * explanations); returns false if it is NULL.
 */
bool
rule_attr_value_text(BoundRule *br, int idx, StringInfo out)
{
	RuleBinding *b = br->binding;
	AttrSlot   *slot = &b->slots[br->leaves[idx].slot];
	const char *s;
	int			len;

	if (!slot_raw_text(b, slot, &s, &len))
		return false;
	appendBinaryStringInfo(out, s, len);
	return true;
}

/* Similarity of a title_like leaf's best constant, for explanations (-1: NULL). */
double
rule_title_score(BoundRule *br, int idx)
{
	RuleNode   *leaf = &br->rule->nodes[idx];
	RuleBinding *b = br->binding;
	AttrSlot   *slot = &b->slots[br->leaves[idx].slot];
	double		best = 0.0;
	int			i;

	if (!slot_text(b, slot))
		return -1.0;
	for (i = 0; i < leaf->nconsts; i++)
		best = Max(best, title_similarity(b, slot, &leaf->consts[i]));
	return best;
}
