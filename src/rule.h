/*
 * rule.h
 *		The rule language of buying_group: role conditions and audience rules.
 *
 * A rule goes through three stages:
 *   1. parse   (rule_parse.c)  JSON text -> Rule, independent of any row type;
 *                              every syntax, operator, value-type, regex and limit
 *                              error is raised here, with the JSON path.
 *   2. bind    (rule_bind.c)   Rule x TupleDesc -> RuleBinding; attribute names
 *                              resolved to columns, constants converted to the
 *                              column's type.
 *   3. eval    (rule_eval.c)   RuleBinding x row -> bool, per row, allocation-free
 *                              on the common paths; the leaves on a text column
 *                              answer from a memo of their results per distinct
 *                              value (rule_memo.c).
 */
#ifndef BUYING_GROUP_RULE_H
#define BUYING_GROUP_RULE_H

#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "regex/regex.h"

/* Limits of SPEC section 3. */
#define RULE_MAX_DEPTH		32
#define RULE_MAX_NODES		1000
#define RULE_MAX_BYTES		(1024 * 1024)

/* Default similarity threshold of title_like. */
#define TITLE_LIKE_DEFAULT_THRESHOLD 0.5

typedef enum RuleOp
{
	OP_EQ,
	OP_NE,
	OP_IN,
	OP_NOT_IN,
	OP_CONTAINS,
	OP_NOT_CONTAINS,
	OP_STARTS_WITH,
	OP_ENDS_WITH,
	OP_IS_EMPTY,
	OP_IS_NOT_EMPTY,
	OP_GT,
	OP_GTE,
	OP_LT,
	OP_LTE,
	OP_BETWEEN,
	OP_MATCHES,
	OP_TITLE_LIKE
} RuleOp;

/* How an operator uses its value; decides both validation and evaluation. */
typedef enum RuleOpClass
{
	OPC_EQUALITY,				/* eq ne in not_in: typed equality, any of / none of */
	OPC_TEXT,					/* contains not_contains starts_with ends_with */
	OPC_EMPTINESS,				/* is_empty is_not_empty: no value */
	OPC_ORDER,					/* gt gte lt lte between: numbers, dates */
	OPC_REGEX,					/* matches */
	OPC_TITLE					/* title_like */
} RuleOpClass;

typedef enum RuleNodeKind
{
	RN_ALL,
	RN_ANY,
	RN_NOT,
	RN_LEAF,
	RN_GROUP					/* a buying-group filter (account audiences only) */
} RuleNodeKind;

/*
 * {"buying_group": {...}}: the account has a buying group that passes every
 * filter given. Only account audiences use it: it is compiled to SQL over
 * the stored groups, never evaluated per row.
 */
typedef struct GroupFilter
{
	char	   *solution_interest;	/* NULL: any */
	bool		has_completeness;
	double		completeness[2];	/* inclusive range */
	bool		has_engagement;
	double		engagement[2];
	int			nstages;
	char	  **stages;			/* folded; any of */
	int			nstatuses;
	char	  **statuses;		/* folded; any of */
	char	   *missing_role;	/* a required role below its threshold */
	char	   *role;			/* with at_least: members holding the role */
	int64		at_least;
} GroupFilter;

typedef enum RuleConstKind
{
	RC_STRING,
	RC_NUMBER,
	RC_BOOL
} RuleConstKind;

/* One constant of a leaf's "value", as written in the rule. */
typedef struct RuleConst
{
	RuleConstKind kind;
	char	   *str;			/* string (server encoding) or number as text */
	char	   *folded;			/* trimmed and lower-cased text form */
	int			folded_len;
	bool		is_integer;		/* numbers: written without fraction/exponent */
	int64		ival;			/* numbers: value when is_integer */
	double		num;			/* numbers: value as double */
	bool		boolval;		/* booleans */
	regex_t    *regex;			/* matches: compiled pattern */
	struct TitleKey *title;		/* title_like: normalised title and trigrams */
} RuleConst;

/* One node of a parsed rule; nodes live in one array, children by index. */
typedef struct RuleNode
{
	RuleNodeKind kind;
	char	   *path;			/* JSON path of the node, e.g. $.any[1] */
	int			nchildren;
	int		   *children;		/* indexes into Rule.nodes */
	/* leaves only */
	char	   *attr;
	RuleOp		op;
	RuleOpClass opclass;		/* which values op takes and how it compares */
	int			nconsts;
	RuleConst  *consts;
	double		threshold;		/* title_like */
	GroupFilter *group;			/* RN_GROUP */
} RuleNode;

/* A parsed rule: node 0 is the root. Lives in its own memory context. */
typedef struct Rule
{
	MemoryContext cxt;
	int			nnodes;
	RuleNode   *nodes;
} Rule;

/* How the value of an attribute is read from a row. */
typedef enum ValueKind
{
	VK_TEXT,					/* text, varchar, char, name, citext, ... */
	VK_INT,						/* int2, int4, int8 */
	VK_FLOAT,					/* float4, float8 */
	VK_NUMERIC,					/* numeric */
	VK_DATE,					/* date */
	VK_TIMESTAMP,				/* timestamp, timestamptz */
	VK_BOOL,					/* boolean */
	VK_JSON_PATH,				/* a dotted path into a jsonb column */
	VK_OTHER					/* anything else: compared through its text form */
} ValueKind;

/* One distinct attribute a binding reads, shared by every leaf that names it. */
typedef struct AttrSlot
{
	char	   *name;			/* as written in the rule */
	int			attno;			/* 0-based column index in the row */
	Oid			typid;			/* base type of the column */
	ValueKind	kind;
	Datum		json_path;		/* VK_JSON_PATH: text[] of the path */
	FmgrInfo	outfunc;		/* text form of the column's type */
	bool		engagement;		/* person_engagement_score: looked up by the key at attno */
	FmgrInfo	key_outfunc;	/* engagement: text form of the key */
	/* per-row state, valid while generation matches the binding's */
	uint64		generation;
	bool		folded_done;
	bool		isnull;
	char	   *text;			/* folded (trimmed, lower-cased) text form */
	int			text_len;
	int			text_cap;
	struct TitleKey *title;		/* title_like: key of the value, once per row */
	bool		engagement_done;	/* engagement: looked up for this row */
	Datum		engagement_value;
	struct SlotMemo *memo;		/* leaf results per value (rule_memo.c); NULL: none */
	bool		json_num_done;	/* VK_JSON_PATH: numeric view of the text */
	bool		json_num_ok;
	Datum		json_num;		/* a numeric */
} AttrSlot;

/* A constant converted to the bound column's type. */
typedef struct BoundConst
{
	int64		ival;			/* VK_INT exact integer, VK_DATE, VK_TIMESTAMP */
	double		fval;			/* VK_FLOAT */
	Datum		nval;			/* a numeric: VK_NUMERIC, VK_INT with a fraction, VK_JSON_PATH */
} BoundConst;

/* A leaf bound to a row type. */
typedef struct BoundLeaf
{
	int			slot;			/* index into RuleBinding.slots */
	bool		typed;			/* compare typed values, not folded text */
	BoundConst *consts;			/* parallel to RuleNode.consts when typed */
	int			memo_bit;		/* its bit in the slot's memo; -1: evaluated directly */
} BoundLeaf;

/*
 * A set of rules bound to one row type. Several rules (the roles of a
 * template) share one binding so that each attribute is read once per row.
 */
typedef struct RuleBinding
{
	MemoryContext cxt;
	TupleDesc	tupdesc;
	int			nslots;
	int			maxslots;
	AttrSlot   *slots;
	uint64		generation;		/* bumped for every row */
	Datum	   *values;			/* deformed row */
	bool	   *nulls;
	pg_wchar   *wbuf;			/* scratch for regex matching */
	int			wbuf_cap;
	MemoryContext scratch;		/* reset per row, for the rare allocating paths */
	bool		memoise;		/* leaves on text columns keep a memo (rule_memo.c) */
} RuleBinding;

/* A rule bound inside a RuleBinding. */
typedef struct BoundRule
{
	Rule	   *rule;
	RuleBinding *binding;
	BoundLeaf  *leaves;			/* parallel to rule->nodes (unused for combinators) */
} BoundRule;

/* An operator of the rule language: one row of rule_ops.c's table. */
typedef struct RuleOpInfo
{
	const char *name;			/* as written in rules */
	RuleOp		op;
	RuleOpClass opclass;
	bool		negated;		/* "none of" its values (ne, not_in, not_contains) */
	int			cmp_holds;		/* typed comparisons: the outcomes (<, =, >) that make it hold */
	const char *sql;			/* ... and the SQL operator that holds for exactly those */
} RuleOpInfo;

/*
 * A number at a jsonb path: [+-] digits [. digits] [e [+-] digits], at most
 * RULE_NUMBER_DIGITS digits on each side of the point and
 * RULE_NUMBER_EXP_DIGITS in the exponent (within numeric's range). The
 * evaluator checks it in C, the SQL compiler with this regular expression.
 */
#define RULE_NUMBER_DIGITS 100
#define RULE_NUMBER_EXP_DIGITS 3
#define RULE_NUMBER_REGEX "^[+-]?([0-9]{1,100}(\\.[0-9]{0,100})?|\\.[0-9]{1,100})([eE][+-]?[0-9]{1,3})?$"

/* rule_arg.c */
extern text *rule_arg(FunctionCallInfo fcinfo, int argno);

/* rule_ops.c */
extern const RuleOpInfo *rule_op_info(RuleOp op);
extern const RuleOpInfo *rule_op_by_name(const char *name);
extern const char *rule_op_name(RuleOp op);
extern bool rule_op_holds(RuleOp op, int cmp);

/* rule_parse.c */
extern Rule *rule_parse(const char *json, size_t len, MemoryContext parent);
extern void rule_free(Rule *rule);
extern void rule_invalid(const char *path, const char *hint, const char *fmt,...)
			pg_attribute_printf(3, 4) pg_attribute_noreturn();

/* rule_bind.c */
extern RuleBinding *rule_binding_create(TupleDesc tupdesc, MemoryContext parent);
extern BoundRule *rule_bind(RuleBinding *binding, Rule *rule, bool allow_group_filters);

/* engagement_attr.c */
extern void engagement_slot_bind(AttrSlot *slot, TupleDesc tupdesc, const char *path, MemoryContext cxt);
extern Datum engagement_lookup(AttrSlot *slot, Datum key, MemoryContext cxt);

/* rule_memo.c */
extern void rule_memo_register(BoundRule *brule, int node);
extern bool rule_memo_leaf(BoundRule *brule, int node, bool *result);

/* rule_eval.c */
extern void rule_binding_set_row(RuleBinding *binding, HeapTupleHeader row);
extern bool rule_eval(BoundRule *brule);
extern bool rule_eval_node(BoundRule *brule, int node);
extern bool rule_eval_leaf(BoundRule *brule, int node);
extern bool rule_attr_value_text(BoundRule *brule, int node, StringInfo out);
extern double rule_title_score(BoundRule *brule, int node);

/* rule_text.c */
extern void text_trim(const char **s, int *len);
extern bool text_fold_ascii(const char *s, int len, char *dst);
extern char *text_fold(const char *s, int len, int *out_len);
extern bool text_contains(const char *hay, int hay_len, const char *needle, int needle_len);

#endif							/* BUYING_GROUP_RULE_H */
