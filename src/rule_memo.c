/*
 * rule_memo.c
 *		Leaf results remembered per distinct value of a text attribute.
 *
 * Rules see the same few thousand titles, departments and seniorities again
 * and again. For each text attribute of a binding, the leaves that read it
 * (in every rule of the binding: all the roles of a template) are evaluated
 * together the first time a value is seen, and their results are kept as a
 * bit set keyed by the value's bytes as stored, before trimming and folding.
 * From then on, every leaf on that value costs one hash lookup per row,
 * shared by all the leaves that read the attribute.
 *
 * A leaf's result depends on its attribute's value only (the constants are
 * fixed once bound), so a remembered result is the result. Engagement scores
 * are looked up by key, not read from the row: they are never memoised.
 *
 * Bounded: at most MEMO_MAX_ENTRIES values and MEMO_MAX_BYTES of keys per
 * attribute (then new values are evaluated without being remembered), and an
 * attribute whose values rarely repeat (e-mail addresses, names) stops being
 * memoised after MEMO_PROBE lookups: its leaves are evaluated directly again.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "utils/memutils.h"

#include "rule.h"

#define MEMO_MAX_LEAVES		64	/* one bit each in a uint64 */
#define MEMO_MAX_ENTRIES	65536
#define MEMO_MAX_BYTES		(8 * 1024 * 1024)
#define MEMO_PROBE			16384	/* lookups before the hit rate is judged */
#define MEMO_MIN_HIT_SHARE	4	/* give up below one hit in this many lookups */

/* One remembered value: its bytes and the results of the attribute's leaves. */
typedef struct MemoEntry
{
	const struct varlena *key;	/* a copy, in the memo's context */
	uint32		hash;
	char		status;			/* simplehash's */
	uint64		bits;			/* bit k: the result of leaf k */
} MemoEntry;

static inline uint32
memo_key_hash(const struct varlena *k)
{
	return hash_bytes((const unsigned char *) VARDATA_ANY(k), (int) VARSIZE_ANY_EXHDR(k));
}

static inline bool
memo_key_equal(const struct varlena *a, const struct varlena *b)
{
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

#define SH_PREFIX memo
#define SH_ELEMENT_TYPE MemoEntry
#define SH_KEY_TYPE const struct varlena *
#define SH_KEY key
#define SH_HASH_KEY(tb, k) memo_key_hash(k)
#define SH_EQUAL(tb, a, b) memo_key_equal(a, b)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) ((a)->hash)
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* The memo of one attribute slot. */
typedef struct SlotMemo
{
	MemoryContext cxt;			/* the table and its keys; made at the first lookup */
	memo_hash  *table;			/* NULL until the first lookup, and once given up */
	bool		given_up;
	int			nleaves;
	BoundRule  *rules[MEMO_MAX_LEAVES];	/* leaf k is node nodes[k] of rules[k] */
	int			nodes[MEMO_MAX_LEAVES];
	Size		bytes;
	uint64		lookups;
	uint64		hits;
	bool		judged;			/* the hit rate was judged after MEMO_PROBE lookups */
	uint64		row;			/* bits hold the results of this row generation (0: none) */
	uint64		bits;
} SlotMemo;

/* Forgets every remembered value (the set of leaves changed, or given up). */
static void
memo_forget(SlotMemo *m)
{
	if (m->cxt != NULL)
		MemoryContextReset(m->cxt);
	m->table = NULL;
	m->bytes = 0;
	m->row = 0;
}

/*
 * Makes leaf node of br, which reads a text attribute, answer from its
 * attribute's memo. Leaves beyond MEMO_MAX_LEAVES per attribute, and leaves
 * on attributes that are not plain text columns, are evaluated directly.
 */
void
rule_memo_register(BoundRule *br, int node)
{
	RuleBinding *b = br->binding;
	BoundLeaf  *bl = &br->leaves[node];
	AttrSlot   *slot = &b->slots[bl->slot];
	SlotMemo   *m = slot->memo;

	bl->memo_bit = -1;
	if (!b->memoise || slot->kind != VK_TEXT || slot->engagement)
		return;
	if (m == NULL)
	{
		m = MemoryContextAllocZero(b->cxt, sizeof(SlotMemo));
		slot->memo = m;
	}
	if (m->nleaves == MEMO_MAX_LEAVES)
		return;
	m->rules[m->nleaves] = br;
	m->nodes[m->nleaves] = node;
	bl->memo_bit = m->nleaves++;
	memo_forget(m);
}

/* Evaluates every leaf of the memo on the current row: bit k for leaf k. */
static uint64
memo_evaluate(SlotMemo *m)
{
	uint64		bits = 0;
	int			k;

	for (k = 0; k < m->nleaves; k++)
		if (rule_eval_leaf(m->rules[k], m->nodes[k]))
			bits |= UINT64CONST(1) << k;
	return bits;
}

/* The results for the current row's value: remembered, or evaluated (and remembered if new). */
static uint64
memo_bits_of(RuleBinding *b, AttrSlot *slot, SlotMemo *m)
{
	struct varlena *v = NULL;
	MemoEntry  *e;
	uint64		bits;
	Size		size;
	bool		found;

	if (!b->nulls[slot->attno])
		v = (struct varlena *) DatumGetPointer(b->values[slot->attno]);
	/* NULL, and long values (compressed or out of line): neither worth nor cheap to keep */
	if (v == NULL || VARATT_IS_EXTERNAL(v) || VARATT_IS_COMPRESSED(v))
		return memo_evaluate(m);

	/* made on first use: a binding of a single-row statement may never need it */
	if (m->table == NULL)
	{
		if (m->cxt == NULL)
			m->cxt = AllocSetContextCreate(b->cxt, "buying_group rule memo", ALLOCSET_DEFAULT_SIZES);
		m->table = memo_create(m->cxt, 256, NULL);
	}
	e = memo_lookup(m->table, v);
	m->lookups++;
	if (e != NULL)
	{
		m->hits++;
		return e->bits;
	}
	bits = memo_evaluate(m);
	if (!m->judged && m->lookups >= MEMO_PROBE)
	{
		m->judged = true;
		if (m->hits * MEMO_MIN_HIT_SHARE < m->lookups)
		{
			m->given_up = true;
			memo_forget(m);
			return bits;
		}
	}
	size = VARSIZE_ANY(v);
	if (m->table->members < MEMO_MAX_ENTRIES && m->bytes + size <= MEMO_MAX_BYTES)
	{
		v = memcpy(MemoryContextAlloc(m->cxt, size), v, size);
		m->bytes += size;
		e = memo_insert(m->table, v, &found);
		e->bits = bits;
	}
	return bits;
}

/*
 * The result of a memoised leaf on the current row: false when the leaf is
 * not memoised (or no longer), and the caller evaluates it directly.
 */
bool
rule_memo_leaf(BoundRule *br, int node, bool *result)
{
	RuleBinding *b = br->binding;
	BoundLeaf  *bl = &br->leaves[node];
	AttrSlot   *slot = &b->slots[bl->slot];
	SlotMemo   *m = slot->memo;

	if (bl->memo_bit < 0 || m->given_up)
		return false;
	/* rule_binding_set_row moves the generation to 1 or more before any row is read */
	if (m->row != b->generation)
	{
		m->bits = memo_bits_of(b, slot, m);
		m->row = b->generation;
	}
	*result = (m->bits >> bl->memo_bit) & 1;
	return true;
}
